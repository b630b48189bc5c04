//! Issue 15, the server's side of field mode: the party member's list
//! (`GET /api/my/households`), parcel versions (`ETag`, `If-Match`, 412)
//! and idempotent writes (`Idempotency-Key`).

use hiendat::api::{AppState, router};
use hiendat::store::{Role, Store};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

const ADMIN: (&str, &str) = ("quan", "mật khẩu của Quân");
const EDITOR_A: (&str, &str) = ("lan", "mật khẩu của Lan");
const EDITOR_B: (&str, &str) = ("hoa", "mật khẩu của Hoa");
const VIEWER: (&str, &str) = ("minh", "mật khẩu của Minh");
const SECRETARY: (&str, &str) = ("bithu", "mật khẩu bí thư");
const MEMBER: (&str, &str) = ("dangvien", "mật khẩu đảng viên");
const DEMO_TODAY: &str = "2026-11-29";

fn demo_template() -> &'static PathBuf {
    static T: OnceLock<PathBuf> = OnceLock::new();
    T.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if e.file_name().to_string_lossy().starts_with("i15s-") {
                let _ = std::fs::remove_file(e.path());
            }
        }
        let path = dir.join(format!("i15s-demo-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        hiendat::demo::database::create_demo_as_of(&path, 3, 800, DEMO_TODAY.parse().unwrap())
            .unwrap();
        let mut store = Store::open(&path).unwrap();
        store.add_user(ADMIN.0, Role::Admin, ADMIN.1).unwrap();
        store
            .add_user(EDITOR_A.0, Role::Editor, EDITOR_A.1)
            .unwrap();
        store
            .add_user(EDITOR_B.0, Role::Editor, EDITOR_B.1)
            .unwrap();
        store.add_user(VIEWER.0, Role::Viewer, VIEWER.1).unwrap();
        let today = hiendat::campaign::clock::today();
        for (name, role, code) in hiendat::demo::roles::scoped_users(&store, today).unwrap() {
            let password = if role == Role::Secretary {
                SECRETARY.1
            } else {
                MEMBER.1
            };
            hiendat::demo::roles::ensure_user(&mut store, name, role, &code, password).unwrap();
        }
        path
    })
}

struct Server {
    base: String,
    db: PathBuf,
}

/// An answer: status, headers, raw body and the body as JSON (null if not).
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    bytes: Vec<u8>,
    json: Value,
}

impl Answer {
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    }
}

impl Server {
    async fn start() -> Server {
        static N: AtomicUsize = AtomicUsize::new(0);
        let db = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "i15s-{}-{}.db",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::copy(demo_template(), &db).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = router(AppState::new(db.clone(), false));
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .unwrap()
        });
        Server {
            base: format!("http://{addr}"),
            db,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A count straight from the database.
    fn count(&self, sql: &str) -> i64 {
        let c = rusqlite::Connection::open(&self.db).unwrap();
        c.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    async fn login(&self, who: (&str, &str)) -> reqwest::Client {
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let r = c
            .post(self.url("/api/login"))
            .json(&json!({ "name": who.0, "password": who.1 }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "login {}", who.0);
        c
    }

    /// Sends `method path` with a JSON body (none: no body) and headers.
    async fn call(
        &self,
        c: &reqwest::Client,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut r = c.request(method, self.url(path));
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        if let Some(b) = body {
            r = r.json(b);
        }
        let r = r.send().await.unwrap();
        let status = r.status();
        let headers = r.headers().clone();
        let bytes = r.bytes().await.unwrap().to_vec();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            bytes,
            json,
        }
    }

    async fn get(&self, c: &reqwest::Client, path: &str) -> Answer {
        let a = self.call(c, Method::GET, path, None, &[]).await;
        assert_eq!(a.status, StatusCode::OK, "{path}: {}", a.json);
        a
    }
}

/// A parcel id as the API gives it, as text.
fn id(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn features(v: &Value) -> &Vec<Value> {
    v["features"].as_array().expect("features")
}

// ---------------------------------------------------------------- my/households

#[tokio::test]
async fn the_demo_member_reads_their_households_ordered_by_what_needs_doing() {
    let server = Server::start().await;
    let member = server.login(MEMBER).await;
    let me = server.get(&member, "/api/me").await.json;
    let code = me["user"]["member"].as_str().unwrap().to_string();
    let scope: HashSet<String> = me["user"]["scope"]["parcels"]
        .as_array()
        .unwrap()
        .iter()
        .map(id)
        .collect();

    let list = server.get(&member, "/api/my/households").await.json;
    assert_eq!(list["type"], "FeatureCollection");
    assert_eq!(list["member"]["code"], code.as_str());
    assert!(
        list["member"]["name"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    );
    assert!(list["member"]["cell"].is_string());
    assert_eq!(
        list["as_of"],
        hiendat::campaign::clock::today().to_string().as_str()
    );
    assert_eq!(list["idle_days"], 30);
    let fs = features(&list);
    // exactly the households the member reaches: assigned today and their own
    let listed: HashSet<String> = fs.iter().map(|f| id(&f["properties"]["parcel"])).collect();
    assert_eq!(listed, scope);
    assert_eq!(fs.len(), listed.len(), "each household once");

    // ordered by priority, then parcel
    let steps = [
        "first_visit",
        "visit_again",
        "sign_record",
        "keep_persuading",
        "hand_over",
        "done",
    ];
    let mut seen_steps = HashSet::new();
    for f in fs {
        let p = &f["properties"];
        let step = p["next_step"].as_str().unwrap();
        let priority = steps.iter().position(|s| *s == step).expect("a known step");
        assert_eq!(p["priority"], priority);
        seen_steps.insert(step.to_string());
        match p["status"].as_str().unwrap() {
            "agreed" => assert_eq!(step, "sign_record"),
            "signed" => assert_eq!(step, "hand_over"),
            "handed_over" => assert_eq!(step, "done"),
            "not_contacted" if p["last_contact"].is_null() => assert_eq!(step, "first_visit"),
            _ => assert!(
                ["first_visit", "visit_again", "keep_persuading"].contains(&step),
                "{p}"
            ),
        }
        if let Some(days) = p["days_since_contact"].as_i64() {
            let on: chrono::NaiveDate = p["last_contact"]["on"].as_str().unwrap().parse().unwrap();
            assert_eq!(days, (hiendat::campaign::clock::today() - on).num_days());
            if step == "keep_persuading" {
                assert!(days < 30, "{p}");
            }
        } else {
            assert!(p["last_contact"].is_null());
        }
        assert!(p["version"].as_i64().unwrap() >= 1);
        assert!(p["etag"].as_str().unwrap().starts_with('"'));
        assert!(p["own_family"].is_boolean());
        assert!(f["geometry"]["type"] == "MultiPolygon", "{f}");
    }
    let order: Vec<(i64, String)> = fs
        .iter()
        .map(|f| {
            (
                f["properties"]["priority"].as_i64().unwrap(),
                id(&f["properties"]["parcel"]),
            )
        })
        .collect();
    let mut sorted = order.clone();
    sorted.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| match (a.1.parse::<i64>(), b.1.parse::<i64>()) {
                (Ok(x), Ok(y)) => x.cmp(&y),
                _ => a.1.cmp(&b.1),
            })
    });
    assert_eq!(order, sorted, "ordered by priority then parcel");
    // the demo tells the story: some never visited, some idle, one agreed unsigned
    for step in ["first_visit", "visit_again", "sign_record"] {
        assert!(
            seen_steps.contains(step),
            "demo member has a {step}: {seen_steps:?}"
        );
    }

    // the same figures as the parcel's own answer
    let f = &fs[0]["properties"];
    let one = server
        .get(&member, &format!("/api/parcels/{}", id(&f["parcel"])))
        .await
        .json;
    assert_eq!(f["donated_area_m2"], one["properties"]["donated_area_m2"]);
    assert_eq!(f["status"], one["properties"]["status"]);

    // the read is logged
    let admin = server.login(ADMIN).await;
    let log = server.get(&admin, "/api/access-log?limit=50").await.json;
    assert!(
        log["reads"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["user"] == MEMBER.0
                && r["what"] == "my households"
                && r["detail"] == code.as_str()),
        "{log}"
    );
}

#[tokio::test]
async fn a_ward_role_reads_a_members_list_and_others_are_refused() {
    let server = Server::start().await;
    let member = server.login(MEMBER).await;
    let code = server.get(&member, "/api/me").await.json["user"]["member"]
        .as_str()
        .unwrap()
        .to_string();
    let own = server.get(&member, "/api/my/households").await.json;

    let admin = server.login(ADMIN).await;
    let theirs = server
        .get(&admin, &format!("/api/my/households?member={code}"))
        .await
        .json;
    assert_eq!(features(&theirs), features(&own));
    assert_eq!(theirs["member"], own["member"]);

    // a ward role without a member code must name one
    let a = server
        .call(&admin, Method::GET, "/api/my/households", None, &[])
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        a.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("member")
    );

    // anonymous
    let anon = reqwest::Client::new();
    let a = server
        .call(&anon, Method::GET, "/api/my/households", None, &[])
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);

    // a member naming another member
    let other = theirs_other_code(&server, &admin, &code).await;
    let a = server
        .call(
            &member,
            Method::GET,
            &format!("/api/my/households?member={other}"),
            None,
            &[],
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(a.json["error"]["code"], "out_of_scope");
    // naming themselves is fine
    let a = server
        .call(
            &member,
            Method::GET,
            &format!("/api/my/households?member={code}"),
            None,
            &[],
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    // a viewer reads no persuasion data
    let viewer = server.login(VIEWER).await;
    let a = server
        .call(
            &viewer,
            Method::GET,
            &format!("/api/my/households?member={code}"),
            None,
            &[],
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    // an unknown member
    let a = server
        .call(
            &admin,
            Method::GET,
            "/api/my/households?member=KHONG-CO",
            None,
            &[],
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}

/// Another member's code than `code`.
async fn theirs_other_code(server: &Server, admin: &reqwest::Client, code: &str) -> String {
    let org = server.get(admin, "/api/org/current").await.json;
    let members = org["members"].as_array().expect("members");
    members
        .iter()
        .filter_map(|m| m["code"].as_str())
        .find(|c| *c != code)
        .expect("another member")
        .to_string()
}
