//! Issue 16, the output part: exports bounded (staking interval, stake and
//! feature caps, file size, layers once), CSV cells that a spreadsheet would
//! run as formulas neutralised, and every date that enters bounded to
//! 2000-01-01 … today. The real router on 127.0.0.1:0 over a small demo
//! ward, the library, and the CLI.

use hiendat::api::{AppState, router};
use hiendat::ops::export::{self, ExportError, Format, LayerKind, Limits, Request};
use hiendat::store::{Role, Store};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

const EDITOR: (&str, &str) = ("lan", "mật khẩu của Lan");
const FORMULA: &str = "=HYPERLINK(\"http://x\",\"y\")";

fn tmp(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "output-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ))
}

/// A small demo ward (history up to yesterday) with an editor, and one
/// household head and one parcel number that look like formulas.
fn template() -> &'static PathBuf {
    static T: OnceLock<PathBuf> = OnceLock::new();
    T.get_or_init(|| {
        let path = tmp("template.db");
        let today = hiendat::campaign::clock::today();
        hiendat::demo::database::create_demo_as_of(&path, 3, 4000, today).unwrap();
        let mut store = Store::open(&path).unwrap();
        store.add_user(EDITOR.0, Role::Editor, EDITOR.1).unwrap();
        drop(store);
        let c = rusqlite::Connection::open(&path).unwrap();
        // every head of household: whoever the commendation list names
        c.execute("UPDATE households SET head_name = ?1 || id", [FORMULA])
            .unwrap();
        c.execute("UPDATE parcels SET parcel_no = ?1 || id", [FORMULA])
            .unwrap();
        path
    })
}

struct Server {
    base: String,
    db: PathBuf,
}

impl Server {
    async fn start() -> Server {
        let db = tmp("server.db");
        std::fs::copy(template(), &db).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = router(AppState::new(db.clone(), false));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Server {
            base: format!("http://{addr}"),
            db,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn get(&self, c: &reqwest::Client, path: &str) -> (StatusCode, Vec<u8>) {
        let r = c.get(self.url(path)).send().await.unwrap();
        (r.status(), r.bytes().await.unwrap().to_vec())
    }

    async fn get_json(&self, c: &reqwest::Client, path: &str) -> (StatusCode, Value) {
        let (code, body) = self.get(c, path).await;
        (
            code,
            serde_json::from_slice(&body)
                .unwrap_or_else(|_| json!({ "raw": String::from_utf8_lossy(&body).into_owned() })),
        )
    }

    async fn post(&self, c: &reqwest::Client, path: &str, body: Value) -> (StatusCode, Value) {
        let r = c
            .post(self.url(path))
            .header("origin", &self.base)
            .json(&body)
            .send()
            .await
            .unwrap();
        let code = r.status();
        (code, r.json().await.unwrap_or(Value::Null))
    }

    async fn login(&self) -> reqwest::Client {
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let r = c
            .post(self.url("/api/login"))
            .header("origin", &self.base)
            .json(&json!({ "name": EDITOR.0, "password": EDITOR.1 }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        c
    }

    /// A parcel with this status.
    async fn parcel_with(&self, c: &reqwest::Client, status: &str) -> String {
        let (_, list) = self
            .get_json(c, &format!("/api/parcels?status={status}"))
            .await;
        match &list["features"][0]["properties"]["id"] {
            Value::String(t) => t.clone(),
            other => other.to_string(),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.db);
    }
}

fn message(v: &Value) -> &str {
    v["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no error message in {v}"))
}

// ---- exports bounded ----------------------------------------------------

#[tokio::test]
async fn a_staking_interval_below_a_decimetre_is_refused_before_any_work() {
    let s = Server::start().await;
    let anon = reqwest::Client::new();
    for interval in ["1e-20", "0.01", "0.0999", "0", "-1", "NaN", "inf"] {
        let (code, body) = s
            .get_json(
                &anon,
                &format!("/api/export?format=csv&layers=stakes&interval={interval}"),
            )
            .await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{interval}: {body}");
        assert!(
            message(&body).starts_with(
                "interval: khoảng cách cọc phải từ 0,1 m / interval must be at least 0.1 m"
            ),
            "{body}"
        );
    }
    let (code, _) = s
        .get(&anon, "/api/export?format=csv&layers=stakes&interval=0.1")
        .await;
    assert!(
        code == StatusCode::OK || code == StatusCode::UNPROCESSABLE_ENTITY,
        "{code}"
    );
}

#[tokio::test]
async fn too_many_stakes_is_a_422_naming_interval_and_the_limit() {
    let s = Server::start().await;
    let anon = reqwest::Client::new();
    // stakes at 0.1 m along every edge of the ward: over 200,000
    let store = Store::open(&s.db).unwrap();
    let err = export::build(
        &store,
        &request(vec![LayerKind::Stakes], 0.1, Limits::DEFAULT),
    );
    let Err(ExportError::TooManyStakes(n, 200_000)) = err else {
        panic!("expected too many stakes, got {:?}", err.map(|l| l.len()));
    };
    assert!(n > 200_000);
    let (code, body) = s
        .get_json(&anon, "/api/export?format=csv&layers=stakes&interval=0.1")
        .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "export_limit");
    let m = message(&body);
    assert!(m.starts_with("interval: quá nhiều cọc: "), "{m}");
    assert!(
        m.contains(" > 200.000;") && m.contains(" > 200,000:"),
        "{m}"
    );
    // the same count in both spellings
    let vi = m["interval: quá nhiều cọc: ".len()..]
        .split(' ')
        .next()
        .unwrap();
    assert_eq!(vi.replace('.', ""), n.to_string());
}

fn request(layers: Vec<LayerKind>, interval_m: f64, limits: Limits) -> Request {
    Request {
        layers,
        segment: None,
        group: None,
        target: None,
        personal: false,
        audience: hiendat::campaign::events::Audience::Staff,
        interval_m,
        limits,
    }
}

#[test]
fn the_stake_and_feature_caps_are_checked_before_the_layers_are_built() {
    let db = tmp("caps.db");
    std::fs::copy(template(), &db).unwrap();
    let store = Store::open(&db).unwrap();
    let all = LayerKind::ALL.to_vec();
    let layers = export::build(&store, &request(all.clone(), 10.0, Limits::DEFAULT)).unwrap();
    let stakes = layers
        .iter()
        .find(|l| l.name == "stakes")
        .unwrap()
        .features
        .len() as u64;
    let features: u64 = layers.iter().map(|l| l.features.len() as u64).sum();
    // the estimate bounds what is made: at the exact counts, it passes
    // only if the estimate is not below them
    let tight = |max_stakes, max_features| Limits {
        max_stakes,
        max_features,
        max_bytes: u64::MAX,
    };
    assert!(matches!(
        export::build(&store, &request(all.clone(), 10.0, tight(stakes - 1, u64::MAX))),
        Err(ExportError::TooManyStakes(n, m)) if n >= stakes && m == stakes - 1
    ));
    assert!(matches!(
        export::build(&store, &request(all.clone(), 10.0, tight(u64::MAX, features - 1))),
        Err(ExportError::TooManyFeatures(n, m)) if n >= features && m == features - 1
    ));
    let e = export::build(&store, &request(all, 10.0, tight(u64::MAX, 10)))
        .err()
        .unwrap()
        .to_string();
    assert!(e.starts_with("layers: quá nhiều đối tượng: "), "{e}");
    let _ = std::fs::remove_file(&db);
}

#[tokio::test]
async fn a_layer_named_many_times_is_exported_once() {
    let s = Server::start().await;
    let anon = reqwest::Client::new();
    let once = s.get(&anon, "/api/export?format=kml&layers=parcels").await;
    assert_eq!(once.0, StatusCode::OK);
    let fifty = vec!["parcels"; 50].join(",");
    let many = s
        .get(&anon, &format!("/api/export?format=kml&layers={fifty}"))
        .await;
    assert_eq!(many.0, StatusCode::OK);
    assert_eq!(many.1.len(), once.1.len());
    // several formats refused two layers before; a GeoPackage of the same
    // layer twice was a 500
    for f in ["gpkg", "dxf", "csv", "geojson", "shp"] {
        let (code, body) = s
            .get(
                &anon,
                &format!("/api/export?format={f}&layers=parcels,parcels,parcels"),
            )
            .await;
        assert_eq!(
            code,
            StatusCode::OK,
            "{f}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    let (code, body) = s
        .get_json(
            &anon,
            "/api/export?format=gpkg&layers=parcels,strips,parcels,strips",
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
}

#[test]
fn writing_stops_at_the_size_limit_and_leaves_no_file() {
    let db = tmp("size.db");
    std::fs::copy(template(), &db).unwrap();
    let store = Store::open(&db).unwrap();
    let layers = export::build(
        &store,
        &request(vec![LayerKind::Parcels], 10.0, Limits::DEFAULT),
    )
    .unwrap();
    for format in Format::ALL {
        let layers = if format.wgs84_only() {
            let mut r = request(vec![LayerKind::Parcels], 10.0, Limits::DEFAULT);
            r.target = Some(export::Target::Wgs84);
            export::build(&store, &r).unwrap()
        } else {
            layers.clone()
        };
        let path = tmp(&format!("out.{}", format.extension()));
        export::write_file(format, &layers, &path, u64::MAX).unwrap();
        let size = std::fs::metadata(&path).unwrap().len();
        std::fs::remove_file(&path).unwrap();
        let limit = size / 2;
        let e = export::write_file(format, &layers, &path, limit).unwrap_err();
        assert!(
            matches!(e, ExportError::TooLarge(l) if l == limit),
            "{format:?}: {e}"
        );
        assert!(!path.exists(), "{format:?}: a partial file is left");
        assert!(
            e.to_string().contains("the export exceeds the"),
            "{format:?}: {e}"
        );
    }
    let _ = std::fs::remove_file(&db);
}

#[test]
fn the_cli_export_has_the_same_bounds_and_a_flag_to_lift_the_caps() {
    let db = tmp("cli.db");
    std::fs::copy(template(), &db).unwrap();
    let out = tmp("stakes.csv");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_hiendat"))
            .args(["export", "--db"])
            .arg(&db)
            .args(["--format", "csv", "--layer", "stakes,stakes", "--out"])
            .arg(&out)
            .args(args)
            .output()
            .unwrap()
    };
    let o = run(&["--interval", "1e-20", "--no-limits"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--interval: khoảng cách cọc phải từ 0,1 m"),
        "{err}"
    );
    let o = run(&["--interval", "0.1"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--interval: quá nhiều cọc: "), "{err}");
    assert!(err.contains("(--no-limits)"), "{err}");
    assert!(!out.exists());
    let o = run(&["--interval", "0.1", "--no-limits"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.lines().count() > 200_000);
    let _ = std::fs::remove_file(&out);
    let _ = std::fs::remove_file(&db);
}

// ---- CSV cells neutralised ------------------------------------------------

#[tokio::test]
async fn a_formula_named_household_is_neutralised_in_the_public_commendation_csv() {
    let s = Server::start().await;
    let anon = reqwest::Client::new();
    let (code, body) = s
        .get(&anon, "/api/reports?by=commendation&format=csv")
        .await;
    assert_eq!(code, StatusCode::OK);
    let text = String::from_utf8(body).unwrap();
    assert!(
        text.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")"),
        "{text}"
    );
    // no cell starts with the formula itself
    assert!(!text.contains(",\"=HYPERLINK") && !text.contains("\n\"=HYPERLINK"));
    assert!(!text.contains(",=") && !text.contains("\n="), "{text}");
}

#[tokio::test]
async fn formula_cells_are_neutralised_in_export_csv_and_negative_numbers_stay() {
    let s = Server::start().await;
    let anon = reqwest::Client::new();
    let (code, body) = s.get(&anon, "/api/export?format=csv&layers=parcels").await;
    assert_eq!(code, StatusCode::OK);
    let text = String::from_utf8(body).unwrap();
    let row = text.lines().nth(1).unwrap();
    let cells: Vec<&str> = row.split(',').collect();
    // id, map_sheet, parcel_no (quoted: it holds commas), ...
    assert!(row.contains(",\"'=HYPERLINK(\"\"http://x\"\""), "{row}");
    assert!(!text.contains(",\"=") && !text.contains(",="), "{row}");
    // coordinates stay plain numbers
    let x: f64 = cells[cells.len() - 3].parse().unwrap();
    assert!(x.is_finite());
    // and a CSV of stakes, whose chainages and coordinates are numbers
    let (code, body) = s.get(&anon, "/api/export?format=csv&layers=stakes").await;
    assert_eq!(code, StatusCode::OK);
    let text = String::from_utf8(body).unwrap();
    assert!(!text.contains('\''), "{}", &text[..200.min(text.len())]);
}

// ---- dates bounded --------------------------------------------------------

/// Each out-of-era value sent as `field` gets a 422 naming it.
fn assert_refused(field: &str, bad: &str, code: StatusCode, body: &Value) {
    assert_eq!(
        code,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{field}={bad}: {body}"
    );
    let m = message(body);
    let today = hiendat::campaign::clock::today();
    let want = format!(
        "ngày {field} phải từ 01/01/2000 đến hôm nay ({}), không phải ",
        today.format("%d/%m/%Y")
    );
    assert!(m.starts_with(&want), "{field}={bad}: {m}");
    assert!(
        m.contains(&format!(
            " / {field} must be between 01/01/2000 and today ({})",
            today.format("%d/%m/%Y")
        )),
        "{m}"
    );
}

const BAD_DATES: [&str; 4] = ["-0001-01-01", "1999-12-31", "9999-12-31", "2999-01-01"];

#[tokio::test]
async fn every_date_in_a_body_is_between_2000_and_today() {
    let s = Server::start().await;
    let editor = s.login().await;
    let p = s.parcel_with(&editor, "agreed").await;
    let events_before = count(&s.db, "events");
    for bad in BAD_DATES {
        let (code, body) = s
            .post(
                &editor,
                &format!("/api/parcels/{p}/events"),
                json!({ "status": "persuading", "occurred_on": bad }),
            )
            .await;
        assert_refused("occurred_on", bad, code, &body);
        let (code, body) = s
            .post(
                &editor,
                &format!("/api/parcels/{p}/events"),
                json!({ "status": "signed", "occurred_on": "2026-11-28",
                    "record": { "number": "1/BB", "signed_on": bad, "signatories": ["Chủ hộ"], "witness": "MTTQ" } }),
            )
            .await;
        assert_refused("record.signed_on", bad, code, &body);
        let (code, body) = s
            .post(
                &editor,
                &format!("/api/parcels/{p}/records"),
                json!({ "number": "1/BB", "signed_on": bad, "signatories": ["Chủ hộ"], "witness": "MTTQ" }),
            )
            .await;
        assert_refused("record.signed_on", bad, code, &body);
        let (code, body) = s
            .post(
                &editor,
                &format!("/api/parcels/{p}/contacts"),
                json!({ "contacted_on": bad, "member": "X", "summary": "Y" }),
            )
            .await;
        assert_refused("contacted_on", bad, code, &body);
        let (code, body) = s
            .post(
                &editor,
                &format!("/api/parcels/{p}/grievances"),
                json!({ "raised_on": bad, "raised_by": "Chủ hộ", "content": "Z" }),
            )
            .await;
        assert_refused("raised_on", bad, code, &body);
        let (code, body) = s
            .post(
                &editor,
                &format!("/api/parcels/{p}/assignment"),
                json!({ "member": "X", "from": bad }),
            )
            .await;
        assert_refused("from", bad, code, &body);
    }
    assert_eq!(count(&s.db, "events"), events_before);
    // an answer to a grievance too
    let (code, g) = s
        .post(
            &editor,
            &format!("/api/parcels/{p}/grievances"),
            json!({ "raised_on": "2026-11-27", "raised_by": "Chủ hộ", "content": "Z" }),
        )
        .await;
    assert_eq!(code, StatusCode::CREATED, "{g}");
    for bad in BAD_DATES {
        let (code, body) = s
            .post(
                &editor,
                &format!("/api/grievances/{}/answer", g["id"]),
                json!({ "answered_on": bad, "answer": "Đã trả lời" }),
            )
            .await;
        assert_refused("answered_on", bad, code, &body);
    }
    // 2000-01-01 and today are in
    let today = hiendat::campaign::clock::today().to_string();
    for ok in ["2000-01-01", today.as_str()] {
        let (code, body) = s
            .post(
                &editor,
                &format!("/api/parcels/{p}/contacts"),
                json!({ "contacted_on": ok, "member": "X", "summary": "Y" }),
            )
            .await;
        assert_eq!(code, StatusCode::CREATED, "{ok}: {body}");
    }
}

#[tokio::test]
async fn as_of_and_from_are_between_2000_and_today_on_every_route() {
    let s = Server::start().await;
    let anon = reqwest::Client::new();
    let editor = s.login().await;
    let p = s.parcel_with(&anon, "agreed").await;
    for bad in BAD_DATES {
        for path in [
            "/api/segments",
            "/api/summary/segments",
            "/api/summary/groups",
            "/api/progress",
            "/api/groups",
            "/api/parcels",
            &format!("/api/parcels/{p}"),
            "/api/reports?by=segment&format=csv",
        ] {
            let sep = if path.contains('?') { '&' } else { '?' };
            let (code, body) = s.get_json(&anon, &format!("{path}{sep}as_of={bad}")).await;
            assert_refused("as_of", bad, code, &body);
        }
        let (code, body) = s
            .get_json(
                &anon,
                &format!("/api/reports?by=segment&format=csv&from={bad}"),
            )
            .await;
        // a future `from` is also after as_of (today): refused either way
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert!(message(&body).contains("from"), "{body}");
        let (code, body) = s
            .post(&editor, "/api/reports/frozen", json!({ "as_of": bad }))
            .await;
        assert_refused("as_of", bad, code, &body);
    }
    let (code, _) = s.get(&anon, "/api/summary/segments?as_of=2000-01-01").await;
    assert_eq!(code, StatusCode::OK);
}

#[test]
fn the_cli_report_takes_dates_between_2000_and_today() {
    let db = tmp("report.db");
    std::fs::copy(template(), &db).unwrap();
    for (flag, bad) in [("--as-of", "9999-12-31"), ("--from", "1999-12-31")] {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_hiendat"))
            .args(["report", "--db"])
            .arg(&db)
            .args(["--format", "csv", "--by", "segment", flag, bad, "--out"])
            .arg(tmp("r.csv"))
            .output()
            .unwrap();
        assert!(!o.status.success(), "{flag} {bad}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(&format!("{flag}: ngày {} phải từ 01/01/2000", &flag[2..])),
            "{err}"
        );
    }
    let _ = std::fs::remove_file(&db);
}

fn count(db: &Path, table: &str) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}
