//! Issue 15, the server's side of field mode: the party member's list
//! (`GET /api/my/households`), parcel versions (`ETag`, `If-Match`, 412)
//! and idempotent writes (`Idempotency-Key`).

mod common;

use common::{Demo, Server};
use hiendat::store::Role;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::OnceLock;

const ADMIN: (&str, &str) = ("quan", "mật khẩu của Quân");
const EDITOR_A: (&str, &str) = ("lan", "mật khẩu của Lan");
const EDITOR_B: (&str, &str) = ("hoa", "mật khẩu của Hoa");
const VIEWER: (&str, &str) = ("minh", "mật khẩu của Minh");
const SECRETARY: (&str, &str) = ("bithu", "mật khẩu bí thư");
const MEMBER: (&str, &str) = ("dangvien", "mật khẩu đảng viên");

fn demo_template() -> &'static PathBuf {
    static T: OnceLock<PathBuf> = OnceLock::new();
    T.get_or_init(|| {
        Demo {
            prefix: "i15s-",
            seed: 3,
            parcels: 800,
            users: &[
                (ADMIN.0, Role::Admin, ADMIN.1),
                (EDITOR_A.0, Role::Editor, EDITOR_A.1),
                (EDITOR_B.0, Role::Editor, EDITOR_B.1),
                (VIEWER.0, Role::Viewer, VIEWER.1),
            ],
            scoped: Some((SECRETARY.1, MEMBER.1)),
        }
        .build()
    })
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

    async fn fetch(&self, c: &reqwest::Client, path: &str) -> Answer {
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
    let server = Server::start(demo_template(), "i15s-").await;
    let member = server.login(MEMBER).await;
    let me = server.fetch(&member, "/api/me").await.json;
    let code = me["user"]["member"].as_str().unwrap().to_string();
    let scope: HashSet<String> = me["user"]["scope"]["parcels"]
        .as_array()
        .unwrap()
        .iter()
        .map(id)
        .collect();

    let list = server.fetch(&member, "/api/my/households").await.json;
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
        .fetch(&member, &format!("/api/parcels/{}", id(&f["parcel"])))
        .await
        .json;
    assert_eq!(f["donated_area_m2"], one["properties"]["donated_area_m2"]);
    assert_eq!(f["status"], one["properties"]["status"]);

    // the read is logged
    let admin = server.login(ADMIN).await;
    let log = server.fetch(&admin, "/api/access-log?limit=50").await.json;
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
    let server = Server::start(demo_template(), "i15s-").await;
    let member = server.login(MEMBER).await;
    let code = server.fetch(&member, "/api/me").await.json["user"]["member"]
        .as_str()
        .unwrap()
        .to_string();
    let own = server.fetch(&member, "/api/my/households").await.json;

    let admin = server.login(ADMIN).await;
    let theirs = server
        .fetch(&admin, &format!("/api/my/households?member={code}"))
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
    let org = server.fetch(admin, "/api/org/current").await.json;
    let members = org["members"].as_array().expect("members");
    members
        .iter()
        .filter_map(|m| m["code"].as_str())
        .find(|c| *c != code)
        .expect("another member")
        .to_string()
}

// ---------------------------------------------------------------- versions

/// A parcel whose household is being persuaded (agreed and declined both
/// follow), with a household on file: its id.
async fn persuading_parcel(server: &Server, c: &reqwest::Client) -> String {
    let list = server.fetch(c, "/api/parcels?status=persuading").await.json;
    for f in features(&list) {
        let pid = id(&f["properties"]["id"]);
        let one = server.fetch(c, &format!("/api/parcels/{pid}")).await.json;
        if one["properties"]["households"]
            .as_array()
            .is_some_and(|h| !h.is_empty())
        {
            return pid;
        }
    }
    panic!("a persuaded demo household");
}

/// The parcel's ETag and version now.
async fn tag_of(server: &Server, c: &reqwest::Client, pid: &str) -> (String, i64) {
    let a = server.fetch(c, &format!("/api/parcels/{pid}")).await;
    let tag = a.header("etag").expect("an ETag");
    let v = a.json["version"].as_i64().expect("a version");
    assert_eq!(a.json["properties"]["version"], v);
    (tag, v)
}

/// The tag of an older version of the parcel than `tag` ("p12v5" → "p12v4").
fn older(tag: &str) -> String {
    let (head, v) = tag.trim_matches('"').rsplit_once('v').unwrap();
    format!("\"{head}v{}\"", v.parse::<i64>().unwrap() - 1)
}

#[tokio::test]
async fn a_write_from_a_stale_screen_is_412_and_never_overwrites() {
    let server = Server::start(demo_template(), "i15s-").await;
    let a = server.login(EDITOR_A).await;
    let b = server.login(EDITOR_B).await;
    let pid = server_parcel(&server, &a).await;
    let (seen, v0) = tag_of(&server, &a, &pid).await;
    // a replay of a past date carries no version
    let past = server
        .fetch(&a, &format!("/api/parcels/{pid}?as_of=2026-11-01"))
        .await;
    assert!(past.header("etag").is_none() && past.json.get("version").is_none());

    // both opened the parcel at `seen`; A records agreed
    let path = format!("/api/parcels/{pid}/events");
    let ok = server
        .call(
            &a,
            Method::POST,
            &path,
            Some(&json!({ "status": "agreed", "occurred_on": "2026-12-01" })),
            &[("if-match", &seen)],
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.json);
    let after_a = ok.header("etag").expect("the new ETag");
    assert_ne!(after_a, seen);
    assert!(ok.json["version"].as_i64().unwrap() > v0);
    assert_eq!(tag_of(&server, &a, &pid).await.0, after_a);

    // B, from the old screen, records declined: refused, shown the current
    let events = |s: &Server| {
        s.count(&format!(
            "SELECT count(*) FROM events e JOIN parcels p ON p.id = e.parcel WHERE p.fid = '{pid}'"
        ))
    };
    let n = events(&server);
    let stale = server
        .call(
            &b,
            Method::POST,
            &path,
            Some(&json!({ "status": "declined", "occurred_on": "2026-12-01" })),
            &[("if-match", &seen)],
        )
        .await;
    assert_eq!(
        stale.status,
        StatusCode::PRECONDITION_FAILED,
        "{}",
        stale.json
    );
    assert_eq!(stale.json["error"]["code"], "stale");
    let msg = stale.json["error"]["message"].as_str().unwrap();
    assert!(msg.contains(EDITOR_A.0) && msg.contains(" / "), "{msg}");
    assert_eq!(stale.json["current"]["properties"]["status"], "agreed");
    assert_eq!(
        stale.json["current"],
        server.fetch(&b, &format!("/api/parcels/{pid}")).await.json,
        "the parcel as GET answers it"
    );
    assert_eq!(stale.header("etag").as_deref(), Some(after_a.as_str()));
    assert_eq!(stale.json["version"], ok.json["version"]);
    assert_eq!(events(&server), n, "nothing written");

    // `*` and no If-Match at all still write (as before)
    let any = server
        .call(
            &b,
            Method::POST,
            &format!("/api/parcels/{pid}/contacts"),
            Some(
                &json!({ "contacted_on": "2026-12-01", "member": "Hoa", "summary": "gặp chủ hộ" }),
            ),
            &[("if-match", "*")],
        )
        .await;
    assert_eq!(any.status, StatusCode::CREATED, "{}", any.json);
    let none = server
        .call(
            &b,
            Method::POST,
            &format!("/api/parcels/{pid}/contacts"),
            Some(&json!({ "contacted_on": "2026-12-01", "member": "Hoa", "summary": "gặp lại" })),
            &[],
        )
        .await;
    assert_eq!(none.status, StatusCode::CREATED);
    assert_ne!(none.header("etag"), any.header("etag"));
}

async fn server_parcel(server: &Server, c: &reqwest::Client) -> String {
    persuading_parcel(server, c).await
}

/// One write: refused with a stale If-Match (nothing counted by `count`
/// changes), then done with the current one, whose new ETag the parcel
/// then answers. Returns the write's answer.
async fn write_checked(
    server: &Server,
    c: &reqwest::Client,
    pid: &str,
    method: Method,
    path: &str,
    body: &Value,
    count: &str,
) -> Answer {
    let (now, _) = tag_of(server, c, pid).await;
    let n = server.count(count);
    let stale = server
        .call(
            c,
            method.clone(),
            path,
            Some(body),
            &[("if-match", &older(&now))],
        )
        .await;
    assert_eq!(
        stale.status,
        StatusCode::PRECONDITION_FAILED,
        "{method} {path}: {}",
        stale.json
    );
    assert_eq!(stale.json["error"]["code"], "stale");
    assert_eq!(server.count(count), n, "{method} {path}: nothing written");
    assert_eq!(tag_of(server, c, pid).await.0, now, "{path}: version kept");

    let done = server
        .call(c, method.clone(), path, Some(body), &[("if-match", &now)])
        .await;
    assert!(done.status.is_success(), "{method} {path}: {}", done.json);
    assert_ne!(server.count(count), n, "{method} {path}: written");
    let tag = done.header("etag").expect("the new ETag");
    assert_ne!(tag, now, "{method} {path}: the ETag moved");
    assert_eq!(tag_of(server, c, pid).await.0, tag, "{path}");
    done
}

#[tokio::test]
async fn every_write_on_a_parcel_honours_if_match_and_moves_the_etag() {
    let server = Server::start(demo_template(), "i15s-").await;
    let c = server.login(EDITOR_A).await;
    let admin = server.login(ADMIN).await;
    let pid = persuading_parcel(&server, &c).await;
    let of = |table: &str, extra: &str| {
        format!(
            "SELECT count(*) FROM {table} t JOIN parcels p ON p.id = t.parcel WHERE p.fid = '{pid}' {extra}"
        )
    };
    let base = format!("/api/parcels/{pid}");

    let done = write_checked(
        &server,
        &c,
        &pid,
        Method::POST,
        &format!("{base}/contacts"),
        &json!({ "contacted_on": "2026-12-01", "member": "Lan", "summary": "thăm hộ" }),
        &of("contacts", ""),
    )
    .await;
    assert_eq!(
        done.json["version"].as_i64(),
        done.header("etag").and_then(|t| t
            .trim_matches('"')
            .rsplit_once('v')
            .map(|x| x.1.parse().unwrap()))
    );
    let g = write_checked(
        &server,
        &c,
        &pid,
        Method::POST,
        &format!("{base}/grievances"),
        &json!({ "raised_on": "2026-12-01", "raised_by": "chủ hộ", "content": "xin hỗ trợ dời cổng" }),
        &of("grievances", ""),
    )
    .await;
    let gid = g.json["id"].as_i64().unwrap();
    write_checked(
        &server,
        &c,
        &pid,
        Method::POST,
        &format!("/api/grievances/{gid}/answer"),
        &json!({ "answered_on": "2026-12-02", "answer": "phường hỗ trợ" }),
        &of("grievances", "AND t.answer IS NOT NULL"),
    )
    .await;
    let flags = server.fetch(&admin, &base).await.json["properties"]["households"][0].clone();
    let flagged = flags["is_member_family"].as_bool().expect("the flag");
    write_checked(
        &server,
        &c,
        &pid,
        Method::PATCH,
        &format!("{base}/household"),
        &json!({ "is_member_family": !flagged }),
        &of("household_changes", ""),
    )
    .await;
    // re-assigned to another member than today's
    let detail = server.fetch(&admin, &base).await.json;
    let current: HashSet<String> = detail["properties"]["assignments"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["member_code"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let org = server.fetch(&admin, "/api/org/current").await.json;
    let other = org["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["code"].as_str())
        .find(|c| !current.contains(*c))
        .unwrap()
        .to_string();
    write_checked(
        &server,
        &c,
        &pid,
        Method::POST,
        &format!("{base}/assignment"),
        &json!({ "member": other, "from": "2026-12-02" }),
        &of("assignments", ""),
    )
    .await;
    let st = write_checked(
        &server,
        &c,
        &pid,
        Method::POST,
        &format!("{base}/structures"),
        &json!({ "kind": "wall", "quantity": 3, "unit": "m", "donated": false, "effective": "2026-12-01" }),
        &of("structures", ""),
    )
    .await;
    let sid = st.json["id"].as_i64().unwrap();
    assert_eq!(st.json["version"], 1, "the structure's own version stays");
    write_checked(
        &server,
        &c,
        &pid,
        Method::PUT,
        &format!("{base}/structures/{sid}"),
        &json!({ "version": 1, "effective": "2026-12-02", "kind": "wall", "quantity": 3, "unit": "m", "donated": true }),
        &of("structure_changes", ""),
    )
    .await;
    write_checked(
        &server,
        &c,
        &pid,
        Method::DELETE,
        &format!("{base}/structures/{sid}"),
        &json!({ "version": 2, "note": "ghi nhầm" }),
        &of("structure_changes", ""),
    )
    .await;
    write_checked(
        &server,
        &c,
        &pid,
        Method::POST,
        &format!("{base}/events"),
        &json!({ "status": "agreed", "occurred_on": "2026-12-02" }),
        &of("events", ""),
    )
    .await;
    write_checked(
        &server,
        &c,
        &pid,
        Method::POST,
        &format!("{base}/records"),
        &json!({ "number": "BB-15-001", "signed_on": "2026-12-03", "signatories": ["Chủ hộ"], "witness": "Tổ trưởng" }),
        &of("records", ""),
    )
    .await;

    // the upload (not JSON): same rule
    let png: Vec<u8> = [
        &b"\x89PNG\r\n\x1a\n"[..],
        &b"\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0"[..],
    ]
    .concat();
    let (now, _) = tag_of(&server, &c, &pid).await;
    let n = server.count(&of("attachments", ""));
    let up = |tag: String| {
        let c = c.clone();
        let url = server.url(&format!("{base}/attachments?name=anh.png"));
        let png = png.clone();
        async move {
            c.post(url)
                .header("content-type", "image/png")
                .header("if-match", tag)
                .body(png)
                .send()
                .await
                .unwrap()
        }
    };
    let r = up(older(&now)).await;
    assert_eq!(r.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(server.count(&of("attachments", "")), n);
    let r = up(now.clone()).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let tag = r.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(tag, now);
    assert_eq!(server.count(&of("attachments", "")), n + 1);
    assert_eq!(tag_of(&server, &c, &pid).await.0, tag);
}

// ---------------------------------------------------------------- idempotency

#[tokio::test]
async fn the_same_idempotency_key_writes_once_and_answers_the_same_bytes() {
    let server = Server::start(demo_template(), "i15s-").await;
    let a = server.login(EDITOR_A).await;
    let b = server.login(EDITOR_B).await;
    let pid = persuading_parcel(&server, &a).await;
    let path = format!("/api/parcels/{pid}/contacts");
    let contacts = format!(
        "SELECT count(*) FROM contacts c JOIN parcels p ON p.id = c.parcel WHERE p.fid = '{pid}'"
    );
    let visit =
        json!({ "contacted_on": "2026-12-01", "member": "Lan", "summary": "thăm hộ lần 3" });
    let n = server.count(&contacts);

    let key = [("idempotency-key", "phone-1:2026-12-05T08:00:00.000Z-0001")];
    let first = server
        .call(&a, Method::POST, &path, Some(&visit), &key)
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.json);
    assert!(first.header("idempotent-replayed").is_none());
    // the answer was lost on the way: the phone sends it again
    let again = server
        .call(&a, Method::POST, &path, Some(&visit), &key)
        .await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.bytes, first.bytes, "byte for byte");
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.header("etag"), first.header("etag"));
    assert_eq!(server.count(&contacts), n + 1, "one visit written");

    // the same key with another request
    let other = json!({ "contacted_on": "2026-12-01", "member": "Lan", "summary": "khác" });
    let reused = server
        .call(&a, Method::POST, &path, Some(&other), &key)
        .await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reused.json["error"]["code"], "idempotency_key_reused");
    assert_eq!(server.count(&contacts), n + 1);

    // another user's same key is another key
    let theirs = server
        .call(&b, Method::POST, &path, Some(&visit), &key)
        .await;
    assert_eq!(theirs.status, StatusCode::CREATED);
    assert!(theirs.header("idempotent-replayed").is_none());
    assert_eq!(server.count(&contacts), n + 2);
    assert_eq!(
        server.count("SELECT count(*) FROM idempotency_keys"),
        2,
        "kept per user"
    );

    // a bad key is refused, naming the header, and writes nothing
    let bad = server
        .call(
            &a,
            Method::POST,
            &path,
            Some(&visit),
            &[("idempotency-key", "có dấu cách")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Idempotency-Key")
    );
    let long = "k".repeat(129);
    let bad = server
        .call(
            &a,
            Method::POST,
            &path,
            Some(&visit),
            &[("idempotency-key", &long)],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(server.count(&contacts), n + 2);
}

#[tokio::test]
async fn a_refused_request_is_not_kept_and_a_conflict_is_judged_again() {
    let server = Server::start(demo_template(), "i15s-").await;
    let a = server.login(EDITOR_A).await;
    let pid = persuading_parcel(&server, &a).await;
    let path = format!("/api/parcels/{pid}/events");
    let events = format!(
        "SELECT count(*) FROM events e JOIN parcels p ON p.id = e.parcel WHERE p.fid = '{pid}'"
    );
    let n = server.count(&events);

    // a 422 is not kept: the corrected request under the same key runs
    let key = [("idempotency-key", "q-422")];
    let wrong = server
        .call(
            &a,
            Method::POST,
            &path,
            Some(&json!({ "status": "đồng ý", "occurred_on": "2026-12-01" })),
            &key,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let right = server
        .call(
            &a,
            Method::POST,
            &path,
            Some(&json!({ "status": "agreed", "occurred_on": "2026-12-01" })),
            &key,
        )
        .await;
    assert_eq!(right.status, StatusCode::CREATED, "{}", right.json);
    assert_eq!(server.count(&events), n + 1);

    // a 412 is not kept either (it would keep the parcel it shows): its
    // retry is judged afresh and meets the conflict again, with the parcel
    // as it is now, even after the parcel moved again
    let stale_tag = older(&tag_of(&server, &a, &pid).await.0);
    let declined = json!({ "status": "declined", "occurred_on": "2026-12-02" });
    let headers = [
        ("idempotency-key", "q-412"),
        ("if-match", stale_tag.as_str()),
    ];
    let first = server
        .call(&a, Method::POST, &path, Some(&declined), &headers)
        .await;
    assert_eq!(first.status, StatusCode::PRECONDITION_FAILED);
    server
        .call(
            &a,
            Method::POST,
            &format!("/api/parcels/{pid}/contacts"),
            Some(&json!({ "contacted_on": "2026-12-02", "member": "Lan", "summary": "gặp" })),
            &[],
        )
        .await;
    let again = server
        .call(&a, Method::POST, &path, Some(&declined), &headers)
        .await;
    assert_eq!(again.status, StatusCode::PRECONDITION_FAILED);
    assert_ne!(again.bytes, first.bytes, "the parcel as it is now");
    assert_eq!(again.header("idempotent-replayed"), None);
    assert_eq!(again.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(server.count(&events), n + 1, "never written");
    assert_eq!(
        server.count("SELECT count(*) FROM idempotency_keys WHERE key = 'q-412'"),
        0,
        "no conflict kept"
    );
}

#[tokio::test]
async fn two_identical_requests_at_once_write_once() {
    let server = Server::start(demo_template(), "i15s-").await;
    let a = server.login(EDITOR_A).await;
    let pid = persuading_parcel(&server, &a).await;
    let path = format!("/api/parcels/{pid}/events");
    let events = format!(
        "SELECT count(*) FROM events e JOIN parcels p ON p.id = e.parcel WHERE p.fid = '{pid}'"
    );
    let n = server.count(&events);
    let body = json!({ "status": "agreed", "occurred_on": "2026-12-01", "note": "đồng ý tại nhà" });
    let key = [("idempotency-key", "twice-at-once")];
    let (x, y) = tokio::join!(
        server.call(&a, Method::POST, &path, Some(&body), &key),
        server.call(&a, Method::POST, &path, Some(&body), &key),
    );
    assert_eq!(x.status, StatusCode::CREATED, "{}", x.json);
    assert_eq!(y.status, StatusCode::CREATED, "{}", y.json);
    assert_eq!(x.bytes, y.bytes);
    let replayed = [&x, &y]
        .iter()
        .filter(|r| r.header("idempotent-replayed").is_some())
        .count();
    assert_eq!(replayed, 1, "one ran, one was its replay");
    assert_eq!(server.count(&events), n + 1, "one event");
}

#[tokio::test]
async fn who_may_not_write_a_parcel_never_learns_its_version_nor_who_changed_it() {
    let server = Server::start(demo_template(), "i15s-").await;
    let a = server.login(EDITOR_A).await;
    let pid = persuading_parcel(&server, &a).await;
    let (tag, _) = tag_of(&server, &a, &pid).await;

    // the public reads no version: it moves with visits and grievances
    let anonymous = reqwest::Client::new();
    let public = server
        .fetch(&anonymous, &format!("/api/parcels/{pid}"))
        .await;
    assert_eq!(public.header("etag"), None);
    assert_eq!(public.json.get("version"), None);
    assert_eq!(public.json["properties"].get("version"), None);

    // a party member out of scope sending a stale If-Match hears "out of
    // scope", not the 412 that names who changed the parcel
    let member = server.login(MEMBER).await;
    let mine = server.fetch(&member, "/api/my/households").await.json;
    let scope: Vec<String> = features(&mine)
        .iter()
        .map(|f| id(&f["properties"]["parcel"]))
        .collect();
    assert!(
        !scope.contains(&pid),
        "the editor's parcel is not the member's"
    );
    let before = server.count("SELECT count(*) FROM contacts");
    let out = server
        .call(
            &member,
            Method::POST,
            &format!("/api/parcels/{pid}/contacts"),
            Some(&json!({ "contacted_on": "2026-11-28", "member": "x", "summary": "gặp" })),
            &[("if-match", older(&tag).as_str())],
        )
        .await;
    assert_eq!(out.status, StatusCode::FORBIDDEN, "{}", out.json);
    assert_eq!(out.json["error"]["code"], "out_of_scope");
    assert!(
        !out.bytes.windows(3).any(|w| w == b"lan"),
        "no author named"
    );
    assert_eq!(server.count("SELECT count(*) FROM contacts"), before);
}

#[tokio::test]
async fn logging_out_has_the_browser_forget_what_the_field_page_kept() {
    let server = Server::start(demo_template(), "i15s-").await;
    let member = server.login(MEMBER).await;
    let out = server
        .call(&member, Method::POST, "/api/logout", None, &[])
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(
        out.header("clear-site-data").as_deref(),
        Some("\"storage\"")
    );
}
