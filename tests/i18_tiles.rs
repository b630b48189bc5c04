//! Issue 18, item 1: vector tiles (`GET /tiles/{layer}/{z}/{x}/{y}.mvt`),
//! read back with an independent decoder (`mvt-reader`): features and
//! properties per zoom, the public status rule for anonymous callers, a
//! recorded event seen at once (new ETag, new status), `as_of` replays, bad
//! addresses named, low zooms bounded.

use hiendat::api::{AppState, router};
use hiendat::store::{Role, Store};
use mvt_reader::Reader;
use mvt_reader::feature::Value as TileValue;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

const EDITOR: (&str, &str) = ("lan", "mật khẩu của Lan");
const DEMO_TODAY: &str = "2026-11-29";

fn demo_template() -> &'static PathBuf {
    static T: OnceLock<PathBuf> = OnceLock::new();
    T.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if e.file_name().to_string_lossy().starts_with("i18t-") {
                let _ = std::fs::remove_file(e.path());
            }
        }
        let path = dir.join(format!("i18t-demo-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        hiendat::demo::database::create_demo_as_of(&path, 3, 800, DEMO_TODAY.parse().unwrap())
            .unwrap();
        let mut store = Store::open(&path).unwrap();
        store.add_user(EDITOR.0, Role::Editor, EDITOR.1).unwrap();
        path
    })
}

struct Server {
    base: String,
}

/// A decoded tile: per layer name, its features as (id property, properties).
type Decoded = HashMap<String, Vec<HashMap<String, TileValue>>>;

impl Server {
    async fn start() -> Server {
        static N: AtomicUsize = AtomicUsize::new(0);
        let db = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "i18t-{}-{}.db",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::copy(demo_template(), &db).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = router(AppState::new(db, false));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Server {
            base: format!("http://{addr}"),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
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
        assert_eq!(r.status(), StatusCode::OK);
        c
    }

    async fn get(&self, c: &reqwest::Client, path: &str) -> Value {
        let r = c.get(self.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        r.json().await.unwrap()
    }

    /// A tile's status, ETag and bytes.
    async fn tile(&self, c: &reqwest::Client, path: &str) -> (StatusCode, String, Vec<u8>) {
        let r = c.get(self.url(path)).send().await.unwrap();
        let status = r.status();
        if status == StatusCode::OK {
            assert_eq!(
                r.headers()["content-type"],
                "application/vnd.mapbox-vector-tile"
            );
        }
        if status.is_success() {
            assert_eq!(r.headers()["cache-control"], "no-cache");
        }
        let etag = r
            .headers()
            .get("etag")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (status, etag, r.bytes().await.unwrap().to_vec())
    }
}

fn decode(bytes: Vec<u8>) -> Decoded {
    let reader = Reader::new(bytes).expect("a valid vector tile");
    let mut out = Decoded::new();
    for (i, name) in reader.get_layer_names().unwrap().into_iter().enumerate() {
        let features = reader.get_features(i).unwrap();
        out.insert(
            name,
            features
                .into_iter()
                .map(|f| f.properties.unwrap_or_default())
                .collect(),
        );
    }
    out
}

fn text(v: &TileValue) -> String {
    match v {
        TileValue::String(s) => s.clone(),
        TileValue::Int(i) | TileValue::SInt(i) => i.to_string(),
        TileValue::UInt(u) => u.to_string(),
        other => format!("{other:?}"),
    }
}

fn num(v: &TileValue) -> f64 {
    match v {
        TileValue::Double(x) => *x,
        TileValue::Float(x) => f64::from(*x),
        TileValue::Int(i) | TileValue::SInt(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

/// The tile at `z` holding lon/lat `p`.
fn tile_of(z: u32, [lon, lat]: [f64; 2]) -> (u32, u32, u32) {
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n).floor() as u32;
    let r = lat.to_radians();
    let y =
        ((1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor() as u32;
    (z, x, y)
}

/// A point inside-ish a parcel: the mean of its first ring's corners.
fn inside(f: &Value) -> [f64; 2] {
    let ring = f["geometry"]["coordinates"][0][0].as_array().unwrap();
    let n = (ring.len() - 1) as f64;
    let s = ring[..ring.len() - 1].iter().fold([0.0, 0.0], |a, c| {
        [a[0] + c[0].as_f64().unwrap(), a[1] + c[1].as_f64().unwrap()]
    });
    [s[0] / n, s[1] / n]
}

fn id_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The first parcel at `status` (as staff read it): its id and a point in it.
async fn parcel_at(s: &Server, staff: &reqwest::Client, status: &str) -> (String, [f64; 2]) {
    let fc = s.get(staff, &format!("/api/parcels?status={status}")).await;
    let f = &fc["features"].as_array().unwrap()[0];
    (id_text(&f["properties"]["id"]), inside(f))
}

fn path((z, x, y): (u32, u32, u32), layer: &str) -> String {
    format!("/tiles/{layer}/{z}/{x}/{y}.mvt")
}

/// The properties of parcel `id` in a decoded tile.
fn parcel_in<'a>(t: &'a Decoded, id: &str) -> &'a HashMap<String, TileValue> {
    t["parcels"]
        .iter()
        .find(|p| text(&p["id"]) == id)
        .unwrap_or_else(|| panic!("parcel {id} in the tile"))
}

#[tokio::test]
async fn anonymous_tiles_carry_only_public_statuses_and_staff_tiles_the_real_ones() {
    let s = Server::start().await;
    let staff = s.login(EDITOR).await;
    let anon = reqwest::Client::new();
    for status in ["declined", "persuading"] {
        let (id, at) = parcel_at(&s, &staff, status).await;
        let p = path(tile_of(17, at), "parcels");
        let (code, _, bytes) = s.tile(&anon, &p).await;
        assert_eq!(code, StatusCode::OK, "{p}");
        // nowhere in the public tile, not even in its value table
        let raw = String::from_utf8_lossy(&bytes);
        assert!(
            !raw.contains("declined") && !raw.contains("persuading"),
            "{p}"
        );
        let t = decode(bytes);
        assert_eq!(text(&parcel_in(&t, &id)["status"]), "not_yet");
        for f in &t["parcels"] {
            let st = text(&f["status"]);
            assert!(
                ["not_yet", "agreed", "signed", "handed_over"].contains(&st.as_str()),
                "{st}"
            );
        }
        let (_, _, bytes) = s.tile(&staff, &p).await;
        assert_eq!(text(&parcel_in(&decode(bytes), &id)["status"]), status);
    }
}

#[tokio::test]
async fn each_zoom_carries_its_layers_with_the_read_models_figures() {
    let s = Server::start().await;
    let anon = reqwest::Client::new();
    let segs = s.get(&anon, "/api/segments").await;
    let seg = &segs["features"][0];
    let coords = seg["geometry"]["coordinates"][0][0].as_array().unwrap();
    let on_seg = [coords[0].as_f64().unwrap(), coords[1].as_f64().unwrap()];
    // the province's view: segments and groups, no parcels
    let (code, _, bytes) = s.tile(&anon, &path(tile_of(12, on_seg), "segments")).await;
    assert_eq!(code, StatusCode::OK);
    let t = decode(bytes);
    let by_id: HashMap<String, &Value> = segs["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (id_text(&f["properties"]["id"]), &f["properties"]))
        .collect();
    assert!(!t["segments"].is_empty());
    for f in &t["segments"] {
        let want = by_id[&text(&f["id"])];
        assert_eq!(text(&f["name"]), want["name"].as_str().unwrap());
        assert_eq!(
            num(&f["progress_pct"]),
            want["progress_pct"].as_f64().unwrap()
        );
    }
    let groups = s.get(&anon, "/api/summary/groups").await;
    let (code, _, bytes) = s.tile(&anon, &path(tile_of(12, on_seg), "groups")).await;
    assert_eq!(code, StatusCode::OK);
    let t = decode(bytes);
    assert!(!t["groups"].is_empty());
    for f in &t["groups"] {
        let name = text(&f["residential_group"]);
        let row = groups
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["residential_group"] == name.as_str())
            .unwrap();
        assert_eq!(
            num(&f["progress_pct"]),
            row["progress_pct"].as_f64().unwrap()
        );
    }
    // parcels: none below zoom 15 (bounded work), then with their measures
    let (code, _, bytes) = s.tile(&anon, &path(tile_of(14, on_seg), "parcels")).await;
    assert_eq!(code, StatusCode::NO_CONTENT);
    assert!(bytes.is_empty());
    let (code, _, bytes) = s.tile(&anon, &path(tile_of(9, on_seg), "segments")).await;
    assert_eq!(code, StatusCode::NO_CONTENT, "segments start at zoom 10");
    assert!(bytes.is_empty());
    let all = s.get(&anon, "/api/parcels").await;
    let donated: HashMap<String, f64> = all["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                id_text(&f["properties"]["id"]),
                f["properties"]["donated_area_m2"].as_f64().unwrap(),
            )
        })
        .collect();
    let (_, at) = parcel_at(&s, &s.login(EDITOR).await, "agreed").await;
    let (code, _, bytes) = s.tile(&anon, &path(tile_of(16, at), "parcels")).await;
    assert_eq!(code, StatusCode::OK);
    let t = decode(bytes);
    let mut measured = 0;
    for f in &t["parcels"] {
        assert!(f.contains_key("parcel_no"));
        if let Some(a) = f.get("donated_area_m2") {
            let want = donated[&text(&f["id"])];
            assert!((num(a) - want).abs() < 0.006, "{a:?} vs {want}");
            measured += 1;
        }
    }
    assert!(measured > 0, "affected parcels carry their donated area");
}

#[tokio::test]
async fn a_recorded_event_changes_the_tile_and_its_etag_and_as_of_shows_the_past() {
    let s = Server::start().await;
    let staff = s.login(EDITOR).await;
    let (id, at) = parcel_at(&s, &staff, "persuading").await;
    let p = path(tile_of(17, at), "parcels");
    let (code, etag, bytes) = s.tile(&staff, &p).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(
        text(&parcel_in(&decode(bytes), &id)["status"]),
        "persuading"
    );
    // unchanged: 304
    let r = staff
        .get(s.url(&p))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    let today = hiendat::campaign::clock::today().to_string();
    let r = staff
        .post(s.url(&format!("/api/parcels/{id}/events")))
        .json(&json!({ "status": "agreed", "occurred_on": today, "note": "đồng ý" }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{:?}", r.text().await);
    let r = staff
        .get(s.url(&p))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the event moved the tile on");
    let etag2 = r.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(etag2, etag);
    let t = decode(r.bytes().await.unwrap().to_vec());
    assert_eq!(text(&parcel_in(&t, &id)["status"]), "agreed");
    // the day before: as it was
    let (code, etag3, bytes) = s.tile(&staff, &format!("{p}?as_of={DEMO_TODAY}")).await;
    assert_eq!(code, StatusCode::OK);
    assert_ne!(etag3, etag2);
    assert_eq!(
        text(&parcel_in(&decode(bytes), &id)["status"]),
        "persuading"
    );
    // the public's replay keeps the public rule
    let anon = reqwest::Client::new();
    let (_, _, bytes) = s.tile(&anon, &format!("{p}?as_of={DEMO_TODAY}")).await;
    assert_eq!(text(&parcel_in(&decode(bytes), &id)["status"]), "not_yet");
}

#[tokio::test]
async fn bad_tile_addresses_are_400_naming_the_field() {
    let s = Server::start().await;
    let anon = reqwest::Client::new();
    for (p, field) in [
        ("/tiles/parcels/23/0/0.mvt", "z:"),
        ("/tiles/parcels/3/8/0.mvt", "x:"),
        ("/tiles/parcels/3/0/8.mvt", "y:"),
        ("/tiles/parcels/3/0/x.mvt", "y:"),
    ] {
        let r = anon.get(s.url(p)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{p}");
        let body: Value = r.json().await.unwrap();
        let msg = body["error"]["message"].as_str().unwrap_or_default();
        assert!(msg.starts_with(field), "{p}: {body}");
    }
    let r = anon
        .get(s.url("/tiles/parcels/16/0/0.mvt?as_of=2020-13-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = anon
        .get(s.url("/tiles/roads/3/0/0.mvt"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}
