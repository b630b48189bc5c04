//! The HTTP API end to end: the real router served on 127.0.0.1:0 over a
//! fresh database holding the 10k reference ward, talked to over HTTP.

use hiendat::api::{AppState, router};
use hiendat::formats::geojson_read;
use hiendat::formats::structures::read_structures;
use hiendat::geometry::crs::Crs;
use hiendat::ops::import::{self, ImportInput};
use hiendat::store::{ParcelFilter, Role, Store};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

const WARD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/reference/ward-10k");
const EDITOR: (&str, &str) = ("lan", "mật khẩu của Lan");
const VIEWER: (&str, &str) = ("minh", "mật khẩu của Minh");
const ADMIN: (&str, &str) = ("hoa", "mật khẩu của Hoa");

/// The reference ward imported once (with its users) into a template file;
/// each test copies it, so every test has its own fresh database.
fn template() -> &'static (PathBuf, Vec<String>) {
    static T: OnceLock<(PathBuf, Vec<String>)> = OnceLock::new();
    T.get_or_init(|| {
        let read = |f: &str| std::fs::read(format!("{WARD}/{f}")).expect("reference ward");
        let segments = geojson_read::read_segments(&read("segments.geojson")).expect("segments");
        let parcels = geojson_read::read_parcels(&read("parcels.geojson")).expect("parcels");
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
        // Databases left behind by earlier runs of this file.
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if e.file_name().to_string_lossy().starts_with("api-") {
                let _ = std::fs::remove_file(e.path());
            }
        }
        let path = dir.join(format!("api-template-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let mut store = Store::open(&path).unwrap();
        let input = ImportInput {
            segments: &segments,
            parcels: &parcels,
            ..ImportInput::default()
        };
        import::import(&mut store, &Crs::vn2000_thanh_hoa(), input, false)
            .unwrap();
        // Structures on the land of one affected parcel: a donated wall
        // and a gate not donated.
        let first_segment = store.segment_ids().unwrap()[0].1.to_string();
        let on = store
            .parcels(&ParcelFilter {
                segment: Some(first_segment),
                ..ParcelFilter::default()
            })
            .unwrap()[0]
            .id
            .clone();
        let csv = format!(
            "parcel_id,kind,quantity,unit,value_vnd,donated\n{on},Tường rào,\"12,5\",m,5.000.000,có\n{on},gate,1,cái,3000000,không\n"
        );
        let structures = read_structures(csv.as_bytes()).unwrap();
        let summary = import::import(&mut store, &Crs::vn2000_thanh_hoa(),
                ImportInput {
                    structures: Some(&structures),
                    ..ImportInput::default()
                },
                false,
            )
            .unwrap();
        assert_eq!(summary.structures.unwrap().added, 2);
        STRUCTURED.set(on.to_string()).unwrap();
        store.add_user(EDITOR.0, Role::Editor, EDITOR.1).unwrap();
        store.add_user(VIEWER.0, Role::Viewer, VIEWER.1).unwrap();
        store.add_user(ADMIN.0, Role::Admin, ADMIN.1).unwrap();
        drop(store);
        // Owner names to look for in anonymous answers: those that are not
        // also part of a street or group name.
        let public: Vec<&str> = segments.iter().map(|s| s.name.as_str()).collect();
        let owners: BTreeSet<String> = parcels
            .iter()
            .filter_map(|p| p.owner.clone())
            .filter(|o| !public.iter().any(|n| n.contains(o.as_str())))
            .collect();
        (path, owners.into_iter().collect())
    })
}

/// The parcel of the template that has structures on its land.
static STRUCTURED: OnceLock<String> = OnceLock::new();

/// The demo's "today": its history runs up to the day before.
const DEMO_TODAY: &str = "2026-11-29";

fn demo_template() -> &'static PathBuf {
    static T: OnceLock<PathBuf> = OnceLock::new();
    T.get_or_init(|| {
        template(); // clears old files first
        let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("api-demo-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        hiendat::demo::database::create_demo_as_of(&path, 3, 800, DEMO_TODAY.parse().unwrap())
            .unwrap();
        let mut store = Store::open(&path).unwrap();
        store.add_user(EDITOR.0, Role::Editor, EDITOR.1).unwrap();
        store.add_user(VIEWER.0, Role::Viewer, VIEWER.1).unwrap();
        store.add_user(ADMIN.0, Role::Admin, ADMIN.1).unwrap();
        path
    })
}

fn structured_parcel() -> &'static str {
    template();
    STRUCTURED.get().unwrap()
}

/// A running server over a fresh copy of the template database.
struct Server {
    base: String,
    db: PathBuf,
}

impl Server {
    async fn start() -> Server {
        Server::start_with(|s| s).await
    }

    /// A server whose state `configure` finishes (a page folder, a base map).
    /// A server on a copy of a small demo ward: party cells, members,
    /// assignments, records, contacts, grievances and a frozen report.
    async fn start_demo() -> Server {
        Server::start_from(demo_template(), |s| s).await
    }

    async fn start_with(configure: impl FnOnce(AppState) -> AppState) -> Server {
        Server::start_from(&template().0, configure).await
    }

    async fn start_from(template: &Path, configure: impl FnOnce(AppState) -> AppState) -> Server {
        static N: AtomicUsize = AtomicUsize::new(0);
        let db = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "api-{}-{}.db",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::copy(template, &db).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = router(configure(AppState::new(db.clone(), false)));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Server {
            base: format!("http://{addr}"),
            db,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client that keeps cookies (one per person).
    fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap()
    }

    async fn get(&self, c: &reqwest::Client, path: &str) -> (StatusCode, String) {
        let r = c.get(self.url(path)).send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    }

    async fn bytes(&self, c: &reqwest::Client, path: &str) -> (StatusCode, String, Vec<u8>) {
        let r = c.get(self.url(path)).send().await.unwrap();
        let ct = r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (r.status(), ct, r.bytes().await.unwrap().to_vec())
    }

    async fn post_json(&self, c: &reqwest::Client, path: &str, body: Value) -> (StatusCode, Value) {
        let r = c.post(self.url(path)).json(&body).send().await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap())
    }

    async fn get_json(&self, c: &reqwest::Client, path: &str) -> Value {
        let (status, body) = self.get(c, path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        serde_json::from_str(&body).unwrap()
    }

    async fn login(&self, (name, password): (&str, &str)) -> reqwest::Client {
        let c = Server::client();
        let r = c
            .post(self.url("/api/login"))
            .json(&json!({ "name": name, "password": password }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Strict")
                && !cookie.contains("Secure"),
            "{cookie}"
        );
        c
    }

    async fn post_event(
        &self,
        c: &reqwest::Client,
        parcel: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let r = c
            .post(self.url(&format!("/api/parcels/{parcel}/events")))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap())
    }

    fn event_count(&self) -> usize {
        let store = Store::open(&self.db).unwrap();
        let parcels = store
            .parcels_in_bbox([-180.0, -90.0], [180.0, 90.0])
            .unwrap();
        parcels.iter().map(|p| store.events(p).unwrap().len()).sum()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.db);
    }
}

fn error_code(v: &Value) -> &str {
    v["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {v}"))
}

/// The segment with the fewest affected parcels, and their ids.
async fn smallest_segment(s: &Server, c: &reqwest::Client) -> (Value, Vec<String>) {
    let segs = s.get_json(c, "/api/summary/segments").await;
    let seg = segs
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["parcels_affected"].as_u64().unwrap() > 0)
        .min_by_key(|x| x["parcels_affected"].as_u64().unwrap())
        .unwrap()
        .clone();
    let parcels = s
        .get_json(c, &format!("/api/parcels?segment={}", seg["id"]))
        .await;
    let ids = parcels["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["id"].to_string())
        .collect();
    (seg, ids)
}

fn segment<'a>(rows: &'a Value, id: &Value) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| &r["id"] == id)
        .unwrap()
}

#[tokio::test]
async fn segments_come_as_geojson_with_their_donated_area_and_no_progress_yet() {
    let s = Server::start().await;
    let anon = Server::client();
    let fc = s.get_json(&anon, "/api/segments").await;
    assert_eq!(fc["type"], "FeatureCollection");
    let features = fc["features"].as_array().unwrap();
    assert!(!features.is_empty());
    let total: f64 = features
        .iter()
        .map(|f| f["properties"]["donated_area_m2"].as_f64().unwrap())
        .sum();
    assert!(total > 1000.0, "{total}");
    for f in features {
        assert_eq!(f["geometry"]["type"], "MultiLineString");
        let p = &f["properties"];
        assert_eq!(p["progress_pct"], 0.0);
        // the public reads not contacted, persuading and declined as one
        assert_eq!(p["households"]["not_yet"], p["parcels_affected"]);
        let lon = f["geometry"]["coordinates"][0][0][0].as_f64().unwrap();
        assert!((105.0..107.0).contains(&lon), "WGS84 longitude {lon}");
    }
    let groups = s.get_json(&anon, "/api/summary/groups").await;
    assert!(groups.as_array().unwrap().len() > 1);
    assert_eq!(s.get_json(&anon, "/api/progress").await, json!([]));
    assert_eq!(s.get_json(&anon, "/healthz").await["status"], "ok");
    let api = s.get_json(&anon, "/api/openapi.json").await;
    assert!(api["paths"]["/api/parcels/{id}/events"]["post"].is_object());
    for path in [
        "/healthz",
        "/api/segments",
        "/api/parcels",
        "/api/parcels/{id}",
        "/api/summary/segments",
        "/api/summary/groups",
        "/api/progress",
        "/api/groups",
        "/api/corridors",
        "/api/config",
        "/api/version",
        "/api/login",
        "/api/logout",
        "/api/me",
        "/api/users",
        "/api/users/{name}",
    ] {
        assert!(api["paths"][path].is_object(), "{path} is not described");
    }
}

#[tokio::test]
async fn a_bbox_selects_the_parcels_the_rtree_finds_with_their_measures() {
    let s = Server::start().await;
    let anon = Server::client();
    let bbox = [105.794, 19.503, 105.797, 19.506];
    let expected = Store::open(&s.db)
        .unwrap()
        .parcels_in_bbox([bbox[0], bbox[1]], [bbox[2], bbox[3]])
        .unwrap();
    assert!(!expected.is_empty());
    let q = format!(
        "/api/parcels?bbox={},{},{},{}",
        bbox[0], bbox[1], bbox[2], bbox[3]
    );
    let fc = s.get_json(&anon, &q).await;
    let features = fc["features"].as_array().unwrap();
    assert_eq!(features.len(), expected.len());
    let with_donation = features
        .iter()
        .filter(|f| f["properties"]["donated_area_m2"].as_f64().unwrap() > 0.0)
        .count();
    assert!(with_donation > 0);
    let f = &features[0];
    assert_eq!(f["geometry"]["type"], "MultiPolygon");
    assert_eq!(f["properties"]["status"], "not_yet");
    let (status, body) = s.get(&anon, "/api/parcels?bbox=1,2,3").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("bad_bbox"));
    let (status, body) = s.get(&anon, "/api/parcels?status=finished").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("unknown_status"));
}

#[tokio::test]
async fn recorded_events_move_progress_and_as_of_replays_the_old_state() {
    let s = Server::start().await;
    let anon = Server::client();
    let (seg, parcels) = smallest_segment(&s, &anon).await;
    assert!(!parcels.is_empty());
    let editor = s.login(EDITOR).await;
    let steps = [
        ("persuading", "2025-01-10"),
        ("agreed", "2025-02-01"),
        ("signed", "2025-02-15"),
        ("handed_over", "2025-03-01"),
    ];
    for p in &parcels {
        for (status, on) in steps {
            let mut event = json!({ "status": status, "occurred_on": on, "note": "đã gặp chủ hộ" });
            if status == "signed" {
                event["record"] = json!({
                    "number": format!("{p}/BB-HĐ"), "signed_on": on,
                    "signatories": ["Chủ hộ"], "witness": "Tổ trưởng tổ dân phố",
                });
            }
            let (code, body) = s.post_event(&editor, p, event).await;
            assert_eq!(code, StatusCode::CREATED, "{body}");
            assert_eq!(body["entered_by"], EDITOR.0);
        }
    }
    let now = s.get_json(&anon, "/api/summary/segments").await;
    let row = segment(&now, &seg["id"]);
    assert_eq!(row["complete"], true);
    assert_eq!(row["progress_pct"], 100.0);
    assert_eq!(row["handed_over_area_m2"], row["donated_area_m2"]);
    assert_eq!(row["households"]["handed_over"], parcels.len());

    let before = s
        .get_json(&anon, "/api/summary/segments?as_of=2025-01-01")
        .await;
    let row = segment(&before, &seg["id"]);
    assert_eq!(row["complete"], false);
    assert_eq!(row["progress_pct"], 0.0);
    assert_eq!(row["households"]["not_yet"], parcels.len());

    let mid = s.get_json(&anon, "/api/segments?as_of=2025-02-10").await;
    let f = mid["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["id"] == seg["id"])
        .unwrap();
    assert_eq!(f["properties"]["households"]["agreed"], parcels.len());

    let dates = |series: &Value| -> Vec<String> {
        series
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["date"].as_str().unwrap().to_string())
            .collect()
    };
    // the persuasion of 10 January moved nothing the public sees: no point
    let viewer = s.login(VIEWER).await;
    assert_eq!(
        dates(&s.get_json(&viewer, "/api/progress").await),
        ["2025-01-10", "2025-02-01", "2025-02-15", "2025-03-01"]
    );
    let series = s.get_json(&anon, "/api/progress").await;
    assert_eq!(dates(&series), ["2025-02-01", "2025-02-15", "2025-03-01"]);
    let last = series.as_array().unwrap().last().unwrap();
    assert!(last["progress_pct"].as_f64().unwrap() > 0.0);
    assert_eq!(last["households"]["handed_over"], parcels.len());
    let cut = s.get_json(&anon, "/api/progress?as_of=2025-02-01").await;
    assert_eq!(cut.as_array().unwrap().len(), 1);

    let handed = s
        .get_json(
            &anon,
            &format!("/api/parcels?status=handed_over&segment={}", seg["id"]),
        )
        .await;
    assert_eq!(handed["features"].as_array().unwrap().len(), parcels.len());

    let one = s
        .get_json(
            &anon,
            &format!("/api/parcels/{}?as_of=2025-02-20", parcels[0]),
        )
        .await;
    assert_eq!(one["properties"]["status"], "signed");
    // the public history: agreed, signed, handed over (the persuasion is private)
    assert_eq!(one["properties"]["history"].as_array().unwrap().len(), 3);
    let one = s
        .get_json(&viewer, &format!("/api/parcels/{}", parcels[0]))
        .await;
    assert_eq!(one["properties"]["history"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn anonymous_answers_hold_no_owner_names_phones_or_notes_but_a_viewer_sees_names() {
    let s = Server::start().await;
    let (_, owners) = template();
    assert!(owners.len() > 100);
    let anon = Server::client();
    let (_, parcels) = smallest_segment(&s, &anon).await;
    let editor = s.login(EDITOR).await;
    let note = "ghi chú riêng: hẹn gặp lại";
    let (code, _) = s
        .post_event(
            &editor,
            &parcels[0],
            json!({ "status": "persuading", "occurred_on": "2025-01-10", "note": note, "party_member": "Đảng viên Qưertyx" }),
        )
        .await;
    assert_eq!(code, StatusCode::CREATED);
    let detail = format!("/api/parcels/{}", parcels[0]);
    for path in [
        "/api/segments",
        "/api/parcels",
        "/api/summary/segments",
        "/api/summary/groups",
        "/api/progress",
        detail.as_str(),
    ] {
        let (status, body) = s.get(&anon, path).await;
        assert_eq!(status, StatusCode::OK);
        for o in owners {
            assert!(!body.contains(o.as_str()), "{path} shows owner {o:?}");
        }
        assert!(!body.contains(note) && !body.contains("Qưertyx"), "{path}");
        assert!(
            !body.contains("\"owner\"") && !body.contains("phone"),
            "{path}"
        );
    }
    let viewer = s.login(VIEWER).await;
    let seen = s.get_json(&viewer, &detail).await;
    assert!(!seen["properties"]["owner"].as_str().unwrap().is_empty());
    // who persuaded and what was said are sensitive: editors and admins only
    let (_, raw) = s.get(&viewer, &detail).await;
    assert!(!raw.contains(note) && !raw.contains("Qưertyx"), "{raw}");
    for key in ["contacts", "grievances", "assignments"] {
        assert!(seen["properties"].get(key).is_none(), "viewer sees {key}");
    }
    assert!(seen["properties"]["records"].is_array());
    let read = s.get_json(&editor, &detail).await;
    assert_eq!(
        read["properties"]["history"][0]["party_member"],
        "Đảng viên Qưertyx"
    );
    assert_eq!(read["properties"]["history"][0]["note"], note);
    assert!(read["properties"]["contacts"].is_array());
    // and the editor's read is in the access log, which only an admin reads
    let admin = s.login(ADMIN).await;
    let log = s.get_json(&admin, "/api/access-log").await;
    let reads = log["reads"].as_array().unwrap();
    assert!(
        reads
            .iter()
            .any(|r| r["user"] == EDITOR.0 && r["what"] == format!("parcel {}", parcels[0])),
        "{log}"
    );
    assert!(!reads.iter().any(|r| r["user"] == VIEWER.0), "{log}");
    assert_eq!(
        s.get(&viewer, "/api/access-log").await.0,
        StatusCode::FORBIDDEN
    );
    let (_, listed) = s.get(&viewer, "/api/parcels").await;
    assert!(
        owners
            .iter()
            .filter(|o| listed.contains(o.as_str()))
            .count()
            > 100
    );
    assert_eq!(
        s.get_json(&viewer, "/api/me").await["user"]["role"],
        "viewer"
    );
}

#[tokio::test]
async fn only_editors_record_events_and_bad_payloads_change_nothing() {
    let s = Server::start().await;
    let anon = Server::client();
    let (_, parcels) = smallest_segment(&s, &anon).await;
    let p = parcels[0].as_str();
    let ok = json!({ "status": "persuading", "occurred_on": "2025-01-10" });
    let before = s.event_count();

    let (code, body) = s.post_event(&anon, p, ok.clone()).await;
    assert_eq!(
        (code, error_code(&body)),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );

    let viewer = s.login(VIEWER).await;
    let (code, body) = s.post_event(&viewer, p, ok.clone()).await;
    assert_eq!(
        (code, error_code(&body)),
        (StatusCode::FORBIDDEN, "forbidden")
    );

    let bad_login = Server::client()
        .post(s.url("/api/login"))
        .json(&json!({ "name": EDITOR.0, "password": "sai" }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_login.status(), StatusCode::UNAUTHORIZED);

    let editor = s.login(EDITOR).await;
    let cases = [
        (
            json!({ "status": "finished", "occurred_on": "2025-01-10" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_status",
        ),
        (
            json!({ "status": "agreed", "occurred_on": "10/01/2025" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_date",
        ),
        (
            json!({ "status": "agreed", "occurred_on": "2999-01-01" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "future_date",
        ),
        (
            json!({ "status": "agreed" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_body",
        ),
        (
            json!({ "status": "agreed", "occurred_on": "2025-01-10", "extra": 1 }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_body",
        ),
        (
            json!({ "status": "handed_over", "occurred_on": "2025-01-10" }),
            StatusCode::CONFLICT,
            "invalid_transition",
        ),
        (
            json!({ "status": "persuading", "occurred_on": "2025-01-10", "corrects": 999_999 }),
            StatusCode::CONFLICT,
            "invalid_correction",
        ),
    ];
    for (body, status, code) in cases {
        let (got, answer) = s.post_event(&editor, p, body.clone()).await;
        assert_eq!((got, error_code(&answer)), (status, code), "{body}");
        assert!(!answer["error"]["message"].as_str().unwrap().is_empty());
    }
    let (got, answer) = s.post_event(&editor, "no-such-parcel", ok.clone()).await;
    assert_eq!(
        (got, error_code(&answer)),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let transition = s
        .post_event(
            &editor,
            p,
            json!({ "status": "signed", "occurred_on": "2025-01-10" }),
        )
        .await
        .1;
    let msg = transition["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("không thể chuyển") && msg.contains("cannot go from"),
        "{msg}"
    );

    let raw = editor
        .post(s.url(&format!("/api/parcels/{p}/events")))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&raw.json().await.unwrap()), "bad_body");

    let huge = editor
        .post(s.url(&format!("/api/parcels/{p}/events")))
        .header("content-type", "application/json")
        .body(vec![b' '; 2 << 20])
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);

    assert_eq!(s.event_count(), before, "refused requests wrote nothing");

    let out = editor.post(s.url("/api/logout")).send().await.unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let (code, _) = s.post_event(&editor, p, ok).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    assert_eq!(s.event_count(), before);
}

/// Kills the server process when the test ends, however it ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_binary_adds_a_user_from_stdin_and_serves_the_database() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    let (template, _) = template();
    let db =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("api-bin-{}.db", std::process::id()));
    std::fs::copy(template, &db).unwrap();
    let bin = env!("CARGO_BIN_EXE_hiendat");
    let mut add = Command::new(bin)
        .args(["user", "add", "thu", "--role", "editor", "--db"])
        .arg(&db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin
        .take()
        .unwrap()
        .write_all(b"mat-khau-Thu\n")
        .unwrap();
    let out = add.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("thu (editor)"));

    // A page folder without its npm packages: serve says what to run.
    let web =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("web-bare-{}", std::process::id()));
    std::fs::create_dir_all(&web).unwrap();
    let mut server = Child(
        Command::new(bin)
            .args(["serve", "--addr", "127.0.0.1:0", "--db"])
            .arg(&db)
            .arg("--web")
            .arg(&web)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stderr = server.0.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let warned = std::iter::from_fn(|| rx.recv_timeout(std::time::Duration::from_secs(20)).ok())
        .any(|l| l.contains("npm ci --prefix"));
    assert!(warned, "serve warns about the missing map packages");
    let stdout = server.0.stdout.take().unwrap();
    let base = BufReader::new(stdout)
        .lines()
        .map(Result::unwrap)
        .find_map(|l| {
            l.split_once("http://")
                .map(|(_, rest)| rest.split('/').next().unwrap().to_string())
        })
        .expect("the server prints its address");
    let c = Server::client();
    let r = c
        .post(format!("http://{base}/api/login"))
        .json(&json!({ "name": "thu", "password": "mat-khau-Thu" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let me: Value = c
        .get(format!("http://{base}/api/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["user"]["role"], "editor");
    let health: Value = c
        .get(format!("http://{base}/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["demo"], false);
    drop(server);
    let _ = std::fs::remove_file(&db);
}

#[tokio::test]
async fn the_page_is_served_at_the_root_and_unknown_api_paths_stay_json_errors() {
    let web = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("web-{}", std::process::id()));
    std::fs::create_dir_all(web.join("src")).unwrap();
    std::fs::write(
        web.join("index.html"),
        "<!doctype html><title>Hiến đất</title>",
    )
    .unwrap();
    std::fs::write(web.join("src/app.js"), "export const x = 1;").unwrap();
    let s = Server::start_with(|st| {
        st.with_web(&web)
            .with_basemap(Some("https://tile.example/{z}/{x}/{y}.png".into()))
    })
    .await;
    let c = Server::client();
    let r = c.get(s.url("/")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(r.headers()["cache-control"], "no-cache");
    assert!(r.text().await.unwrap().contains("Hiến đất"));
    let r = c.get(s.url("/src/app.js")).send().await.unwrap();
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    let (status, _) = s.get(&c, "/nope.js").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = s.get(&c, "/api/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        error_code(&serde_json::from_str(&body).unwrap()),
        "not_found"
    );

    let config = s.get_json(&c, "/api/config").await;
    assert_eq!(config["demo"], false);
    assert_eq!(config["basemap"]["kind"], "raster");
    assert_eq!(
        config["basemap"]["tiles"][0],
        "https://tile.example/{z}/{x}/{y}.png"
    );
    let b: Vec<f64> = serde_json::from_value(config["bounds"].clone()).unwrap();
    assert!(
        b[0] < b[2] && b[1] < b[3] && (105.0..107.0).contains(&b[0]),
        "{b:?}"
    );
    let _ = std::fs::remove_dir_all(&web);
}

#[tokio::test]
async fn api_answers_are_never_cached_and_the_version_moves_with_an_event() {
    let s = Server::start().await;
    let anon = Server::client();
    let r = anon.get(s.url("/api/segments")).send().await.unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
    let v0 = s.get_json(&anon, "/api/version").await["version"].clone();
    assert!(v0.is_string());
    let editor = s.login(EDITOR).await;
    let (_, ids) = smallest_segment(&s, &anon).await;
    let (status, body) = s
        .post_event(
            &editor,
            &ids[0],
            json!({ "status": "persuading", "occurred_on": "2026-01-05" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let v1 = s.get_json(&anon, "/api/version").await["version"].clone();
    assert_ne!(v0, v1);
}

#[tokio::test]
async fn corridors_and_groups_come_as_geojson_beside_the_segments_and_summaries() {
    let s = Server::start().await;
    let anon = Server::client();
    let segments = s.get_json(&anon, "/api/segments").await;
    let corridors = s.get_json(&anon, "/api/corridors").await;
    let seg_ids: Vec<&Value> = segments["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["properties"]["id"])
        .collect();
    let cor = corridors["features"].as_array().unwrap();
    assert_eq!(cor.len(), seg_ids.len());
    for (f, id) in cor.iter().zip(&seg_ids) {
        assert_eq!(&&f["properties"]["segment"], id);
        assert_eq!(f["geometry"]["type"], "MultiPolygon");
    }
    let groups = s.get_json(&anon, "/api/groups").await;
    let summary = s.get_json(&anon, "/api/summary/groups").await;
    let features = groups["features"].as_array().unwrap();
    let named: Vec<&Value> = summary
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| !r["residential_group"].is_null())
        .collect();
    assert_eq!(features.len(), named.len());
    for f in features {
        let row = named
            .iter()
            .find(|r| r["residential_group"] == f["properties"]["residential_group"])
            .unwrap();
        assert_eq!(&&f["properties"], row);
        assert!(!f["geometry"]["coordinates"].as_array().unwrap().is_empty());
    }
}

#[tokio::test]
async fn admins_manage_users_and_nobody_else_does() {
    let s = Server::start().await;
    let admin = s.login(ADMIN).await;
    let editor = s.login(EDITOR).await;
    let anon = Server::client();
    let new = json!({ "name": "tuan", "role": "viewer", "password": "mật khẩu của Tuấn" });
    for (c, want) in [
        (&anon, StatusCode::UNAUTHORIZED),
        (&editor, StatusCode::FORBIDDEN),
    ] {
        let r = c.post(s.url("/api/users")).json(&new).send().await.unwrap();
        assert_eq!(r.status(), want);
        let r = c.get(s.url("/api/users")).send().await.unwrap();
        assert_eq!(r.status(), want);
    }
    let r = admin
        .post(s.url("/api/users"))
        .json(&new)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = admin
        .post(s.url("/api/users"))
        .json(&new)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT, "a name already taken");
    let bad = json!({ "name": "x", "role": "chief", "password": "p" });
    let r = admin
        .post(s.url("/api/users"))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("chief"));

    // The new viewer logs in, is made an editor, and must log in again.
    let tuan = s.login(("tuan", "mật khẩu của Tuấn")).await;
    assert_eq!(s.get_json(&tuan, "/api/me").await["user"]["role"], "viewer");
    let r = admin
        .patch(s.url("/api/users/tuan"))
        .json(&json!({ "role": "editor" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(s.get_json(&tuan, "/api/me").await["user"], Value::Null);
    let list = s.get_json(&admin, "/api/users").await;
    let tuan_row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "tuan")
        .unwrap();
    assert_eq!(tuan_row["role"], "editor");
    assert!(!list.to_string().contains("argon2"), "no hashes: {list}");

    // The last admin can neither be demoted nor removed.
    let r = admin
        .patch(s.url(&format!("/api/users/{}", ADMIN.0)))
        .json(&json!({ "role": "viewer" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let r = admin.delete(s.url("/api/users/tuan")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = admin.delete(s.url("/api/users/tuan")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn behind_a_tls_proxy_the_session_cookie_is_secure() {
    let s = Server::start().await;
    let c = Server::client();
    let r = c
        .post(s.url("/api/login"))
        .header("x-forwarded-proto", "https")
        .json(&json!({ "name": VIEWER.0, "password": VIEWER.1 }))
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.ends_with("; Secure"), "{cookie}");
}

#[tokio::test]
async fn a_cached_past_date_is_recomputed_once_a_back_dated_event_lands() {
    let s = Server::start().await;
    let anon = Server::client();
    let editor = s.login(EDITOR).await;
    let (seg, ids) = smallest_segment(&s, &anon).await;
    let path = "/api/summary/segments?as_of=2026-01-10";
    let before = s.get_json(&anon, path).await;
    assert_eq!(segment(&before, &seg["id"])["households"]["agreed"], 0);
    let progress_before = s.get_json(&anon, "/api/progress").await;
    let (status, body) = s
        .post_event(
            &editor,
            &ids[0],
            json!({ "status": "agreed", "occurred_on": "2026-01-05" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let after = s.get_json(&anon, path).await;
    assert_eq!(segment(&after, &seg["id"])["households"]["agreed"], 1);
    let progress_after = s.get_json(&anon, "/api/progress").await;
    assert_ne!(progress_before, progress_after);
    assert_eq!(progress_after[0]["date"], "2026-01-05");
}

#[tokio::test]
async fn segments_name_their_groups_and_a_parcel_names_its_next_statuses() {
    let s = Server::start().await;
    let anon = Server::client();
    let (seg, ids) = smallest_segment(&s, &anon).await;
    let parcels = s
        .get_json(&anon, &format!("/api/parcels?segment={}", seg["id"]))
        .await;
    let mut want: Vec<String> = parcels["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| {
            f["properties"]["residential_group"]
                .as_str()
                .map(String::from)
        })
        .collect();
    want.sort_by(|a, b| hiendat::campaign::natural_cmp(a, b));
    want.dedup();
    assert!(!want.is_empty());
    assert_eq!(seg["groups"], json!(want));
    // the status form's choices: for logged-in users (they would tell the
    // public a declined household from one being persuaded)
    let viewer = s.login(VIEWER).await;
    let p = s
        .get_json(&viewer, &format!("/api/parcels/{}", ids[0]))
        .await;
    assert_eq!(
        p["properties"]["next_statuses"],
        json!(["persuading", "declined", "agreed"])
    );
    let p = s.get_json(&anon, &format!("/api/parcels/{}", ids[0])).await;
    assert!(p["properties"].get("next_statuses").is_none());
}

#[tokio::test]
async fn a_viewport_request_can_ask_for_only_the_properties_it_draws() {
    let s = Server::start().await;
    let anon = Server::client();
    let path = "/api/parcels?bbox=105.794,19.503,105.797,19.506";
    let full = s.get_json(&anon, path).await;
    let slim = s
        .get_json(&anon, &format!("{path}&fields=id,status,parcel_no"))
        .await;
    let (f, sl) = (
        full["features"].as_array().unwrap(),
        slim["features"].as_array().unwrap(),
    );
    assert!(!f.is_empty());
    assert_eq!(f.len(), sl.len());
    for (a, b) in f.iter().zip(sl) {
        let keys: BTreeSet<&str> = b["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, BTreeSet::from(["id", "parcel_no", "status"]));
        for k in keys {
            assert_eq!(a["properties"][k], b["properties"][k]);
        }
        assert_eq!(a["geometry"], b["geometry"]);
    }
    let (status, body) = s.get(&anon, &format!("{path}&fields=id,ownr")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("ownr"), "{body}");
}

#[tokio::test]
async fn exports_download_as_files_and_owners_need_a_login_and_asking() {
    let s = Server::start().await;
    let (_, owners) = template();
    let anon = Server::client();
    let (seg, parcels) = smallest_segment(&s, &anon).await;
    let id = seg["id"].to_string().trim_matches('"').to_string();

    // A segment's strips as GeoJSON: an attachment named after it, only its strips.
    let r = anon
        .get(s.url(&format!(
            "/api/export?format=geojson&layers=strips&segment={id}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/geo+json");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.contains(&format!("hiendat-doan-{id}-strips-wgs84.geojson")),
        "{disposition}"
    );
    let fc: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    let features = fc["features"].as_array().unwrap();
    assert!(!features.is_empty());
    for f in features {
        assert_eq!(f["properties"]["segment_id"], id.as_str());
        assert!(parcels.contains(&f["properties"]["parcel_id"].as_str().unwrap().to_string()));
    }

    // A GeoPackage of the whole ward: an SQLite file with the GPKG application id.
    let r = anon
        .get(s.url("/api/export?format=gpkg&layers=parcels,stakes"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"SQLite format 3\0"));
    assert_eq!(&bytes[68..72], b"GPKG");

    // No owner names unless a logged-in user asks for them.
    let (status, body) = s.get(&anon, "/api/export?format=kml").await;
    assert_eq!(status, StatusCode::OK);
    assert!(owners.iter().all(|o| !body.contains(o.as_str())));
    let (status, _) = s.get(&anon, "/api/export?format=kml&personal=1").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let viewer = s.login(VIEWER).await;
    let (_, body) = s.get(&viewer, "/api/export?format=kml").await;
    assert!(
        owners.iter().all(|o| !body.contains(o.as_str())),
        "not without asking"
    );
    let (status, body) = s.get(&viewer, "/api/export?format=kml&personal=1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(owners.iter().filter(|o| body.contains(o.as_str())).count() > 100);

    // Refusals name the problem.
    for (path, code, says) in [
        (
            "/api/export?format=shp&layers=parcels,strips",
            StatusCode::UNPROCESSABLE_ENTITY,
            "one layer",
        ),
        (
            "/api/export?format=kml&crs=EPSG:5897",
            StatusCode::UNPROCESSABLE_ENTITY,
            "WGS84",
        ),
        (
            "/api/export?format=xls",
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown format",
        ),
        (
            "/api/export?format=csv&layers=roads",
            StatusCode::UNPROCESSABLE_ENTITY,
            "no layer",
        ),
        (
            "/api/export?format=csv&segment=nope",
            StatusCode::NOT_FOUND,
            "no segment",
        ),
        (
            "/api/export?format=csv&layers=stakes&interval=0",
            StatusCode::UNPROCESSABLE_ENTITY,
            "interval",
        ),
    ] {
        let (status, body) = s.get(&anon, path).await;
        assert_eq!(status, code, "{path}: {body}");
        assert!(body.contains(says), "{path}: {body}");
    }
}

#[tokio::test]
async fn a_parcel_shows_its_structures_to_anyone_and_the_summaries_total_them() {
    let s = Server::start().await;
    let anon = Server::client();
    let id = structured_parcel();
    let p = s.get_json(&anon, &format!("/api/parcels/{id}")).await;
    let props = &p["properties"];
    assert_eq!(
        props["structures"],
        json!([
            { "kind": "wall", "label": "Tường rào", "quantity": 12.5, "unit": "m",
              "unit_label": "m", "value_vnd": 5_000_000, "donated": true },
            { "kind": "gate", "label": "Cổng", "quantity": 1.0, "unit": "item",
              "unit_label": "cái", "value_vnd": 3_000_000, "donated": false },
        ])
    );
    // The wall is marked as donated, but the household has not agreed yet:
    // nothing counts as donated until it does (and from that day on).
    let before = s.get_json(&anon, "/api/summary/groups").await;
    assert!(
        before
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["structures_donated"] == json!(0)),
        "{before}"
    );
    let editor = s.login(EDITOR).await;
    let today = hiendat::campaign::clock::today().to_string();
    let (code, body) = s
        .post_event(
            &editor,
            id,
            json!({ "status": "agreed", "occurred_on": today }),
        )
        .await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
    let segs = s.get_json(&anon, "/api/summary/segments").await;
    let mine: Vec<Value> = props["donations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["segment"].clone())
        .collect();
    assert!(!mine.is_empty());
    let mut with = 0;
    for row in segs.as_array().unwrap() {
        let (n, d, v) = (
            &row["structures"],
            &row["structures_donated"],
            &row["structures_donated_value_vnd"],
        );
        if mine.contains(&row["id"]) {
            with += 1;
            assert_eq!(
                (n, d, v),
                (&json!(2), &json!(1), &json!(5_000_000)),
                "{row}"
            );
            assert_eq!(row["structures_by_kind"], json!({ "wall": 1, "gate": 1 }));
        } else {
            assert_eq!((n, d, v), (&json!(0), &json!(0), &json!(0)), "{row}");
            assert_eq!(row["structures_by_kind"], json!({}));
        }
    }
    assert_eq!(with, mine.len());
    let groups = s.get_json(&anon, "/api/summary/groups").await;
    for row in groups.as_array().unwrap() {
        let n = row["structures"].as_u64().unwrap();
        if row["residential_group"] == props["residential_group"] {
            assert_eq!(n, 2, "{row}");
            assert_eq!(row["structures_donated"], json!(1));
            assert_eq!(row["structures_donated_value_vnd"], json!(5_000_000));
        } else {
            assert_eq!(n, 0, "{row}");
        }
    }
    // the group outlines carry the same figures
    let outlines = s.get_json(&anon, "/api/groups").await;
    assert!(outlines["features"].as_array().unwrap().iter().any(|f| {
        f["properties"]["residential_group"] == props["residential_group"]
            && f["properties"]["structures"] == json!(2)
    }));
    // another parcel has none
    let other = if id == "1" { "2" } else { "1" };
    let o = s.get_json(&anon, &format!("/api/parcels/{other}")).await;
    assert_eq!(o["properties"]["structures"], json!([]));
}

#[tokio::test]
async fn structure_totals_follow_the_next_import_of_structures() {
    let s = Server::start().await;
    let anon = Server::client();
    let id = structured_parcel();
    let total = |rows: &Value| -> i64 {
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| r["structures_donated_value_vnd"].as_i64().unwrap())
            .sum()
    };
    // The household agrees: its donated wall counts from then on.
    let editor = s.login(EDITOR).await;
    let today = hiendat::campaign::clock::today().to_string();
    let (code, body) = s
        .post_event(
            &editor,
            id,
            json!({ "status": "agreed", "occurred_on": today }),
        )
        .await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
    let before = s.get_json(&anon, "/api/summary/groups").await;
    assert_eq!(total(&before), 5_000_000);
    let csv =
        format!("parcel_id,kind,quantity,unit,value_vnd,donated\n{id},well,1,item,7000000,1\n");
    let structures = read_structures(csv.as_bytes()).unwrap();
    let mut store = Store::open(&s.db).unwrap();
    import::import(
        &mut store,
        &Crs::vn2000_thanh_hoa(),
        ImportInput {
            structures: Some(&structures),
            ..ImportInput::default()
        },
        false,
    )
    .unwrap();
    drop(store);
    for path in ["/api/summary/groups", "/api/summary/segments"] {
        let after = s.get_json(&anon, path).await;
        assert!(total(&after) >= 7_000_000, "{path} follows the import");
        assert!(
            after
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["structures_by_kind"].get("wall").is_none()),
            "{path}: the replaced wall is gone"
        );
    }
}

/// The cells of sheet `name` of an xlsx, as text or numbers.
fn xlsx_sheet(bytes: &[u8], name: &str) -> Vec<Vec<calamine::Data>> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range(name).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

/// Whether the first cell of `row` reads `text`.
fn starts(row: &[calamine::Data], text: &str) -> bool {
    matches!(row.first(), Some(calamine::Data::String(s)) if s == text)
}

fn num(d: &calamine::Data) -> f64 {
    match d {
        calamine::Data::Float(f) => *f,
        calamine::Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

#[tokio::test]
async fn report_workbook_cells_equal_the_api_figures() {
    let s = Server::start_demo().await;
    // logged in: each step (the public's "not yet" is tests/i13_public.rs')
    let viewer = s.login(VIEWER).await;
    let as_of = "2026-10-31";
    let (code, ct, xlsx) = s
        .bytes(
            &viewer,
            &format!("/api/reports?by=group,segment&format=xlsx&as_of={as_of}"),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{}", String::from_utf8_lossy(&xlsx));
    assert!(ct.starts_with("application/vnd.openxmlformats"), "{ct}");
    let rows = xlsx_sheet(&xlsx, "Theo tổ dân phố");
    // header block, then the Vietnamese and English header rows
    let head = rows.iter().position(|r| starts(r, "Tổ dân phố")).unwrap();
    assert!(
        rows[..head]
            .iter()
            .any(|r| r.iter().any(|c| c.to_string().contains("31/10/2026")))
    );
    let header: Vec<String> = rows[head].iter().map(|c| c.to_string()).collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name}: {header:?}"))
    };
    let api = s
        .get_json(&viewer, &format!("/api/summary/groups?as_of={as_of}"))
        .await;
    let mut checked = 0;
    for g in api.as_array().unwrap() {
        let name = g["residential_group"].as_str().unwrap_or("");
        if g["parcels_affected"].as_u64().unwrap_or(0) == 0 {
            continue;
        }
        let row = rows
            .iter()
            .find(|r| starts(r, name))
            .unwrap_or_else(|| panic!("{name}"));
        let h = &g["households"];
        assert_eq!(
            num(&row[col("Số hộ ảnh hưởng")]),
            g["parcels_affected"].as_f64().unwrap(),
            "{name}"
        );
        assert_eq!(
            num(&row[col("Đã bàn giao (hộ)")]),
            h["handed_over"].as_f64().unwrap(),
            "{name}"
        );
        assert_eq!(
            num(&row[col("Chưa đồng ý (hộ)")]),
            h["declined"].as_f64().unwrap(),
            "{name}"
        );
        // households that reached agreement: at agreed, signed or handed over
        let agreed = ["agreed", "signed", "handed_over"]
            .iter()
            .map(|k| h[k].as_f64().unwrap())
            .sum::<f64>();
        assert_eq!(g["households_reached"]["agreed"].as_f64(), Some(agreed));
        assert_eq!(num(&row[col("Đã đồng ý trở lên (hộ)")]), agreed, "{name}");
        let area = num(&row[col("Diện tích cần hiến (m²)")]);
        assert!(
            (area - g["donated_area_m2"].as_f64().unwrap()).abs() < 0.01,
            "{name}: {area} vs {}",
            g["donated_area_m2"]
        );
        let handed = num(&row[col("Diện tích đã bàn giao (m²)")]);
        assert!(
            (handed - g["handed_over_area_m2"].as_f64().unwrap()).abs() < 0.01,
            "{name}"
        );
        let share = num(&row[col("Tiến độ theo diện tích")]);
        assert!(
            (share * 100.0 - g["progress_pct"].as_f64().unwrap()).abs() < 0.05,
            "{name}"
        );
        checked += 1;
    }
    assert!(checked >= 3, "{checked}");
    // segments: the handed-over area of each row is the API's
    let rows = xlsx_sheet(&xlsx, "Theo đoạn tuyến");
    let head = rows.iter().position(|r| starts(r, "Mã đoạn")).unwrap();
    let header: Vec<String> = rows[head].iter().map(|c| c.to_string()).collect();
    let at = header
        .iter()
        .position(|h| h == "Diện tích đã bàn giao (m²)")
        .unwrap();
    let api = s
        .get_json(&viewer, &format!("/api/summary/segments?as_of={as_of}"))
        .await;
    for seg in api.as_array().unwrap() {
        let id = seg["id"].to_string();
        if let Some(row) = rows.iter().find(|r| starts(r, &id)) {
            assert!(
                (num(&row[at]) - seg["handed_over_area_m2"].as_f64().unwrap()).abs() < 0.01,
                "segment {id}"
            );
        }
    }
    // CSV and HTML of the same cut
    let (code, ct, csv) = s
        .bytes(
            &viewer,
            &format!("/api/reports?by=group&format=csv&as_of={as_of}"),
        )
        .await;
    assert_eq!(
        (code, ct.as_str()),
        (StatusCode::OK, "text/csv; charset=utf-8")
    );
    assert!(
        csv.starts_with(b"\xEF\xBB\xBFgroup,cell,affected,area_m2"),
        "{}",
        String::from_utf8_lossy(&csv)
    );
    let (code, _, html) = s
        .bytes(
            &viewer,
            &format!("/api/reports?by=group&format=html&as_of={as_of}&from=2026-10-01"),
        )
        .await;
    assert_eq!(code, StatusCode::OK);
    let html = String::from_utf8(html).unwrap();
    assert!(
        html.contains("Từ ngày 01/10/2026 đến ngày 31/10/2026") && html.contains("Tổng cộng"),
        "{html}"
    );
}

#[tokio::test]
async fn political_cuts_are_for_editors_and_every_read_is_logged() {
    let s = Server::start_demo().await;
    let anon = Server::client();
    let viewer = s.login(VIEWER).await;
    let editor = s.login(EDITOR).await;
    for by in ["cell", "member", "all"] {
        let path = format!("/api/reports?by={by}&format=csv");
        assert_eq!(
            s.bytes(&anon, &path).await.0,
            StatusCode::UNAUTHORIZED,
            "{by}"
        );
        assert_eq!(
            s.bytes(&viewer, &path).await.0,
            StatusCode::FORBIDDEN,
            "{by}"
        );
    }
    let (code, _, csv) = s
        .bytes(
            &editor,
            "/api/reports?by=member&format=csv&as_of=2026-11-28",
        )
        .await;
    assert_eq!(code, StatusCode::OK);
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.contains("member_code,member,cell,assigned,contacted"),
        "{csv}"
    );
    assert!(csv.lines().count() > 5, "{csv}");
    // the public commendation list needs nobody; the internal one a login
    assert_eq!(
        s.bytes(&anon, "/api/reports?by=commendation&format=csv")
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        s.bytes(&anon, "/api/reports?by=commendation&format=csv&internal=1")
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let (_, _, public) = s
        .bytes(&viewer, "/api/reports?by=commendation&format=csv")
        .await;
    let (_, _, internal) = s
        .bytes(
            &viewer,
            "/api/reports?by=commendation&format=csv&internal=1",
        )
        .await;
    assert!(
        internal.len() > public.len(),
        "the internal list names households the public one leaves out"
    );
    // members of the organisation: editors only
    let org = s.get_json(&anon, "/api/org").await;
    assert!(
        org["cells"].as_array().unwrap().len() >= 2 && org.get("members").is_none(),
        "{org}"
    );
    assert!(
        s.get_json(&viewer, "/api/org")
            .await
            .get("members")
            .is_none()
    );
    assert!(
        s.get_json(&editor, "/api/org").await["members"]
            .as_array()
            .unwrap()
            .len()
            >= 6
    );
    let admin = s.login(ADMIN).await;
    let log = s.get_json(&admin, "/api/access-log").await;
    let whats: Vec<&str> = log["reads"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["user"] == EDITOR.0)
        .map(|r| r["what"].as_str().unwrap())
        .collect();
    assert!(
        whats.contains(&"report member") && whats.contains(&"org"),
        "{whats:?}"
    );
    // bad choices are named
    let (code, _, body) = s.bytes(&anon, "/api/reports?by=street").await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        String::from_utf8_lossy(&body).contains("unknown cut \\\"street\\\""),
        "{}",
        String::from_utf8_lossy(&body)
    );
    let (code, _, body) = s
        .bytes(
            &anon,
            "/api/reports?by=group&as_of=2026-11-28&from=2026-12-01",
        )
        .await;
    assert_eq!(
        code,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        String::from_utf8_lossy(&body)
    );
}

/// A demo parcel whose current status is `status`, as the map lists it.
async fn demo_parcel_with(s: &Server, c: &reqwest::Client, status: &str) -> String {
    let list = s
        .get_json(c, &format!("/api/parcels?status={status}"))
        .await;
    let f = &list["features"].as_array().unwrap()[0];
    match &f["properties"]["id"] {
        Value::String(t) => t.clone(),
        other => other.to_string(),
    }
}

#[tokio::test]
async fn signing_needs_a_record_and_the_paperwork_shows_to_whom_it_should() {
    let s = Server::start_demo().await;
    let anon = Server::client();
    let editor = s.login(EDITOR).await;
    let viewer = s.login(VIEWER).await;
    let p = demo_parcel_with(&s, &anon, "agreed").await;
    let before = s.event_count();
    let (code, body) = s
        .post_event(
            &editor,
            &p,
            json!({ "status": "signed", "occurred_on": "2026-11-28" }),
        )
        .await;
    assert_eq!(code, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "no_record");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("chưa có biên bản hiến đất"),
        "{body}"
    );
    // a record missing its witness: refused, naming the field, nothing written
    let bad = json!({ "status": "signed", "occurred_on": "2026-11-28",
        "record": { "number": "9999/BB-HĐ", "signed_on": "2026-11-28", "signatories": ["Chủ hộ"], "witness": " " } });
    let (code, body) = s.post_event(&editor, &p, bad).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("(witness)"),
        "{body}"
    );
    assert_eq!(s.event_count(), before);
    let good = json!({ "status": "signed", "occurred_on": "2026-11-28",
        "record": { "number": "9999/BB-HĐ", "signed_on": "2026-11-28", "signatories": ["Chủ hộ", "Tổ trưởng"], "witness": "MTTQ phường" } });
    let (code, body) = s.post_event(&editor, &p, good).await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
    assert_eq!(s.event_count(), before + 1);
    // a visit and a grievance, answered
    let (code, _) = s.post_json(&editor, &format!("/api/parcels/{p}/contacts"), json!({ "contacted_on": "2026-11-27", "member": "Trần Thị Mai", "summary": "Gia đình đồng ý ký" })).await;
    assert_eq!(code, StatusCode::CREATED);
    let (code, g) = s.post_json(&editor, &format!("/api/parcels/{p}/grievances"), json!({ "raised_on": "2026-11-27", "raised_by": "Chủ hộ", "content": "Đề nghị xây lại cổng" })).await;
    assert_eq!(code, StatusCode::CREATED, "{g}");
    let path = format!("/api/grievances/{}/answer", g["id"]);
    let (code, _) = s
        .post_json(
            &editor,
            &path,
            json!({ "answered_on": "2026-11-28", "answer": "Phường hỗ trợ xây cổng" }),
        )
        .await;
    assert_eq!(code, StatusCode::OK);
    let (code, future) = s
        .post_json(
            &editor,
            &format!("/api/parcels/{p}/contacts"),
            json!({ "contacted_on": "2999-01-01", "member": "X", "summary": "Y" }),
        )
        .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{future}");
    let msg = future["error"]["message"].as_str().unwrap();
    assert!(
        msg.starts_with("ngày contacted_on phải từ 01/01/2000 đến hôm nay"),
        "{msg}"
    );
    let (code, again) = s
        .post_json(
            &editor,
            &path,
            json!({ "answered_on": "2026-11-28", "answer": "lần hai" }),
        )
        .await;
    assert_eq!(code, StatusCode::CONFLICT, "{again}");
    let (code, _) = s
        .post_json(
            &viewer,
            &format!("/api/parcels/{p}/contacts"),
            json!({ "contacted_on": "2026-11-27", "member": "X", "summary": "Y" }),
        )
        .await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    let detail = format!("/api/parcels/{p}");
    let e = s.get_json(&editor, &detail).await["properties"].clone();
    assert_eq!(
        e["records"].as_array().unwrap().last().unwrap()["number"],
        "9999/BB-HĐ"
    );
    assert!(
        e["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["summary"] == "Gia đình đồng ý ký")
    );
    assert_eq!(
        e["grievances"].as_array().unwrap().last().unwrap()["answer"],
        "Phường hỗ trợ xây cổng"
    );
    assert!(!e["assignments"].as_array().unwrap().is_empty(), "{e}");
    let v = s.get_json(&viewer, &detail).await["properties"].clone();
    assert!(
        v["records"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["number"] == "9999/BB-HĐ")
    );
    let (_, raw) = s.get(&viewer, &detail).await;
    assert!(
        !raw.contains("Gia đình đồng ý ký")
            && !raw.contains("xây lại cổng")
            && !raw.contains("is_member_family"),
        "{raw}"
    );
    let (_, raw) = s.get(&anon, &detail).await;
    assert!(
        !raw.contains("9999/BB-HĐ") && !raw.contains("MTTQ phường") && !raw.contains("\"records\""),
        "{raw}"
    );
    // the printable record: viewer+, pre-filled
    assert_eq!(
        s.bytes(&anon, &format!("{detail}/record")).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (code, ct, html) = s.bytes(&viewer, &format!("{detail}/record")).await;
    assert_eq!(
        (code, ct.as_str()),
        (StatusCode::OK, "text/html; charset=utf-8")
    );
    let html = String::from_utf8(html).unwrap();
    assert!(
        html.contains("BIÊN BẢN") && html.contains("9999/BB-HĐ") && html.contains("MTTQ phường"),
        "record page"
    );
    assert!(
        html.contains("Bảng tọa độ") && html.contains("DỮ LIỆU MẪU"),
        "record page"
    );
}

#[tokio::test]
async fn uploads_are_checked_kept_with_their_checksum_and_served_back() {
    let s = Server::start_demo().await;
    let anon = Server::client();
    let editor = s.login(EDITOR).await;
    let p = demo_parcel_with(&s, &anon, "signed").await;
    let png: Vec<u8> = [b"\x89PNG\r\n\x1a\n".as_slice(), &[7u8; 300]].concat();
    let url = s.url(&format!("/api/parcels/{p}/attachments?name=bi%C3%AAn-b%E1%BA%A3n.png&caption=B%E1%BA%A3n%20ch%E1%BB%A5p"));
    let r = editor.post(&url).body(png.clone()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let a: Value = r.json().await.unwrap();
    assert_eq!(
        (
            a["file_name"].as_str(),
            a["media_type"].as_str(),
            a["size_bytes"].as_u64()
        ),
        (
            Some("biên-bản.png"),
            Some("image/png"),
            Some(png.len() as u64)
        )
    );
    assert_eq!(a["sha256"].as_str().unwrap().len(), 64);
    let (code, ct, back) = s.bytes(&editor, a["url"].as_str().unwrap()).await;
    assert_eq!(
        (code, ct.as_str(), back),
        (StatusCode::OK, "image/png", png.clone())
    );
    assert_eq!(
        s.bytes(&anon, a["url"].as_str().unwrap()).await.0,
        StatusCode::UNAUTHORIZED
    );
    // a text file named .pdf, and a file over the limit, are refused by name
    let r = editor
        .post(url.replace(".png", ".pdf"))
        .body("xin chào")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("không phải PDF, JPEG, PNG hay WebP")
    );
    let big = [
        b"%PDF-1.7\n".as_slice(),
        &vec![b' '; hiendat::store::ATTACHMENT_MAX_BYTES],
    ]
    .concat();
    let r = editor.post(&url).body(big).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "too_large", "{e}");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("10 MB"),
        "{e}"
    );
    // a scan of a few megabytes is what the route is for (past the 1 MiB of other bodies)
    let scan = [b"%PDF-1.7\n".as_slice(), &vec![b' '; 3 << 20]].concat();
    let r = editor
        .post(url.replace(".png", ".pdf"))
        .body(scan)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let listed = s.get_json(&editor, &format!("/api/parcels/{p}")).await;
    assert_eq!(
        listed["properties"]["attachments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let r = anon.post(&url).body(png).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_frozen_report_stays_what_was_reported() {
    let s = Server::start_demo().await;
    let anon = Server::client();
    let editor = s.login(EDITOR).await;
    // the demo ward comes with last month's report, issued
    let list = s.get_json(&anon, "/api/reports/frozen").await;
    assert_eq!(list["reports"].as_array().unwrap().len(), 1, "{list}");
    let (code, body) = s
        .post_json(
            &editor,
            "/api/reports/frozen",
            json!({ "by": "group", "as_of": "2026-11-28" }),
        )
        .await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
    let id = body["id"].as_i64().unwrap();
    let path = format!("/api/reports/frozen/{id}?format=csv");
    let (code, _, issued) = s.bytes(&anon, &path).await;
    assert_eq!(code, StatusCode::OK);
    // an event back-dated into the reported period changes the live report, not the frozen one
    let p = demo_parcel_with(&s, &editor, "persuading").await;
    let (code, body) = s
        .post_event(
            &editor,
            &p,
            json!({ "status": "agreed", "occurred_on": "2026-11-28" }),
        )
        .await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
    let (_, _, live) = s
        .bytes(&anon, "/api/reports?by=group&format=csv&as_of=2026-11-28")
        .await;
    assert_ne!(live, issued);
    assert_eq!(s.bytes(&anon, &path).await.2, issued);
    let (code, _, html) = s
        .bytes(&anon, &format!("/api/reports/frozen/{id}?format=html"))
        .await;
    assert_eq!(code, StatusCode::OK);
    assert!(
        String::from_utf8(html)
            .unwrap()
            .contains("Báo cáo đã chốt ngày")
    );
    // the demo's issued report holds the political cuts: editors only
    let first = list["reports"][0]["id"].as_i64().unwrap();
    assert_eq!(
        s.bytes(&anon, &format!("/api/reports/frozen/{first}"))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        s.bytes(&editor, &format!("/api/reports/frozen/{first}"))
            .await
            .0,
        StatusCode::OK
    );
    let (code, _) = s
        .post_json(
            &anon,
            "/api/reports/frozen",
            json!({ "as_of": "2026-11-28" }),
        )
        .await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn household_flags_are_set_by_editors_and_move_the_reports() {
    let s = Server::start_demo().await;
    let anon = Server::client();
    let editor = s.login(EDITOR).await;
    let viewer = s.login(VIEWER).await;
    let p = demo_parcel_with(&s, &anon, "handed_over").await;
    let path = format!("/api/parcels/{p}/household");
    let body = json!({ "may_be_named": false, "is_member_family": true });
    let patch = |c: &reqwest::Client, b: Value| c.patch(s.url(&path)).json(&b).send();
    assert_eq!(
        patch(&anon, body.clone()).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        patch(&viewer, body.clone()).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let r = patch(&editor, json!({})).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let csv = |internal: bool| {
        let q = if internal { "&internal=1" } else { "" };
        format!("/api/reports?by=commendation&format=csv&as_of=2026-11-28{q}")
    };
    let (_, _, before) = s.bytes(&editor, &csv(false)).await;
    let r = patch(&editor, body).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let detail = s.get_json(&editor, &format!("/api/parcels/{p}")).await;
    assert_eq!(
        detail["properties"]["households"][0]["is_member_family"],
        true
    );
    // no longer on the public list, still on the internal one
    let head = detail["properties"]["households"][0]["head_name"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, _, after) = s.bytes(&editor, &csv(false)).await;
    let (_, _, internal) = s.bytes(&editor, &csv(true)).await;
    assert!(!String::from_utf8(after).unwrap().contains(&head));
    assert!(String::from_utf8(internal).unwrap().contains(&head));
    assert_ne!(before.len(), 0);
}
