//! Issue 18, checks: the map page at a generated large ward. The ward is
//! made by `hiendat demo --parcels N --db` (N = `HIENDAT_BIG_PARCELS`, by
//! default 100,000: see [`PARCELS`]), served by `hiendat serve`, and
//! `web/test/bigward.mjs` drives the page in headless Chromium: the
//! parcels, segments, groups and corridors are vector tile sources, the first colored
//! map needs no whole-ward GeoJSON, and panning at zoom 17 asks `/tiles/`
//! only.

mod common;

use common::cli::{bin, s};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const REPO: &str = env!("CARGO_MANIFEST_DIR");
const CHROMIUM: &str = "/usr/bin/chromium";

/// The ward's parcels: the 100,000 (a ward 33 times the demo's,
/// 1,656 segments at its first map). The release build makes it in about
/// 8 s, and the whole test takes about 15 s on this 2-core machine.
const PARCELS: usize = 100_000;

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `hiendat serve` on `db` at a free port: the server and its URL.
fn serve(db: &Path, log: &Path) -> (Killed, String) {
    let mut child = Command::new(bin())
        .args(["serve", "--db", s(db), "--addr", "127.0.0.1:0", "--web"])
        .arg(Path::new(REPO).join("web"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .expect("hiendat serve starts");
    let out = child.stdout.take().unwrap();
    let guard = Killed(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("hiendat serve printed no URL (log: {})", log.display()));
        if let Some(url) = line
            .strip_prefix("hiendat: ")
            .and_then(|r| r.split_whitespace().next())
            .filter(|u| u.starts_with("http://"))
        {
            return (guard, url.to_string());
        }
    }
}

#[test]
fn a_large_ward_draws_from_vector_tiles_and_pans_on_tiles_only() {
    let modules = Path::new(REPO).join("web/node_modules");
    assert!(
        modules.join("playwright-core").is_dir() && Path::new(CHROMIUM).exists(),
        "{} and {CHROMIUM} are needed (`npm ci --prefix web`, Debian's chromium)",
        modules.display()
    );
    let parcels: usize = std::env::var("HIENDAT_BIG_PARCELS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(PARCELS);
    let dir = common::cli::scratch("i18tp-", "ward");
    let db: PathBuf = dir.join("big.db");
    let t = Instant::now();
    common::cli::ok(&["demo", "--parcels", &parcels.to_string(), "--db", s(&db)]);
    println!(
        "{parcels}-parcel ward built in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let (_server, url) = serve(&db, &dir.join("server.log"));
    let out = Command::new("node")
        .arg(Path::new(REPO).join("web/test/bigward.mjs"))
        .current_dir(Path::new(REPO).join("web"))
        .env("HIENDAT_URL", &url)
        .env(
            "HIENDAT_SCREENSHOTS",
            Path::new(REPO).join("target/screenshots"),
        )
        .stdin(Stdio::null())
        .output()
        .expect("node runs web/test/bigward.mjs");
    let said = String::from_utf8_lossy(&out.stdout);
    println!("{said}");
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success() && said.contains("PASS"),
        "web/test/bigward.mjs failed ({}); server log in {}",
        out.status,
        dir.join("server.log").display()
    );
}

/// The ward of the HTTP tests (800 parcels, one admin).
const ADMIN: (&str, &str) = ("quantri", "mật khẩu quản trị");
fn ward() -> &'static PathBuf {
    static WARD: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    WARD.get_or_init(|| {
        common::Demo::new(
            "i18tpk-",
            &[(ADMIN.0, hiendat::store::Role::Admin, ADMIN.1)],
        )
        .build()
    })
}

/// The tile at zoom `z` holding the ward's centre.
async fn centre_tile(s: &common::Server, z: u32) -> (u32, f64, f64) {
    let b: Vec<f64> = s.get(&reqwest::Client::new(), "/api/config").await["bounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let (lon, lat) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n).floor();
    let r = lat.to_radians();
    let y = ((1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor();
    (z, x, y)
}

/// The corridors are a tile layer (the page draws them from it, never
/// from the whole ward's GeoJSON): each feature names its segment and
/// road, as `/api/corridors` does.
#[tokio::test]
async fn corridors_are_a_tile_layer_naming_their_segments() {
    let s = common::Server::start(ward(), "i18tpk-").await;
    let c = reqwest::Client::new();
    let whole = s.get(&c, "/api/corridors").await;
    let known: std::collections::HashMap<String, String> = whole["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["properties"]["segment"]
                    .to_string()
                    .trim_matches('"')
                    .to_string(),
                f["properties"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let (z, x, y) = centre_tile(&s, 14).await;
    let r = c
        .get(s.url(&format!("/tiles/corridors/{z}/{x}/{y}.mvt")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let reader = mvt_reader::Reader::new(r.bytes().await.unwrap().to_vec()).unwrap();
    let names = reader.get_layer_names().unwrap();
    assert_eq!(names, ["corridors"]);
    let features = reader.get_features(0).unwrap();
    assert!(
        features.len() > 3,
        "{} corridors at the centre",
        features.len()
    );
    for f in features {
        let p = f.properties.unwrap();
        let id = match &p["segment"] {
            mvt_reader::feature::Value::String(t) => t.clone(),
            mvt_reader::feature::Value::Int(i) | mvt_reader::feature::Value::SInt(i) => {
                i.to_string()
            }
            other => panic!("segment {other:?}"),
        };
        let name = match &p["name"] {
            mvt_reader::feature::Value::String(t) => t.clone(),
            other => panic!("name {other:?}"),
        };
        assert_eq!(known.get(&id), Some(&name), "corridor of segment {id}");
    }
    // below the layer's zoom: nothing
    let (z, x, y) = centre_tile(&s, 9).await;
    assert_eq!(
        s.status(&c, &format!("/tiles/corridors/{z}/{x}/{y}.mvt"))
            .await,
        reqwest::StatusCode::NO_CONTENT
    );
}

/// A tile asked with the data version now (`v`, as the page asks) may be
/// kept by the browser; with an older version, or none, it is revalidated
/// (`no-cache`), and an event moves the version on.
#[tokio::test]
async fn tiles_of_the_current_version_may_be_kept_by_the_browser() {
    let s = common::Server::start(ward(), "i18tpk-").await;
    let c = reqwest::Client::new();
    let version = s.get(&c, "/api/version").await["version"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, x, y) = centre_tile(&s, 15).await;
    let cache = |v: String| {
        let c = c.clone();
        let url = s.url(&format!("/tiles/segments/15/{x}/{y}.mvt{v}"));
        async move {
            let r = c.get(url).send().await.unwrap();
            assert_eq!(r.status(), reqwest::StatusCode::OK);
            r.headers()["cache-control"].to_str().unwrap().to_string()
        }
    };
    assert!(
        cache(format!("?v={version}"))
            .await
            .starts_with("private, max-age="),
        "the current version's tile is kept"
    );
    assert_eq!(cache(String::new()).await, "no-cache");
    assert_eq!(cache("?v=0.0.0".into()).await, "no-cache");
    // an event: the old version's URL is revalidated, the new one's kept
    let admin = s.login(ADMIN).await;
    let fc = s
        .get(&admin, "/api/parcels?status=not_contacted&fields=id")
        .await;
    let id = &fc["features"][0]["properties"]["id"];
    let (st, _) = s
        .send(
            &admin,
            reqwest::Method::POST,
            &format!("/api/parcels/{id}/events"),
            serde_json::json!({ "status": "persuading", "occurred_on": common::DEMO_TODAY }),
        )
        .await;
    assert!(st.is_success(), "{st}");
    let now = s.get(&c, "/api/version").await["version"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(now, version);
    assert_eq!(cache(format!("?v={version}")).await, "no-cache");
    assert!(
        cache(format!("?v={now}"))
            .await
            .starts_with("private, max-age=")
    );
}
