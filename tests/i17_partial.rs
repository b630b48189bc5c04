//! Issue 17, item 7: partial imports through the command, the way a ward
//! uses them. A surveyor's corrected parcel file (a GeoPackage made by
//! GDAL's ogr2ogr) goes in alone, then a widened segment alone; each is
//! compared pair by pair with the full import it stands for; parcels alone
//! into a new database are refused; a bad file changes nothing; and a
//! running server's data version moves so that pages reload.

mod common;

use common::cli::{run, s};
use hiendat::api::{AppState, router};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs hiendat, which must succeed; what it printed (the import's report
/// goes to stdout).
fn ok(args: &[&str]) -> String {
    let o = run(args);
    assert!(
        o.status.success(),
        "hiendat {args:?} failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn dir(name: &str) -> PathBuf {
    common::cli::scratch("i17p-", name)
}

fn import(db: &Path, segments: Option<&Path>, parcels: Option<&Path>) -> String {
    let mut args = vec!["import", "--db", s(db)];
    if let Some(p) = segments {
        args.extend(["--segments", s(p)]);
    }
    if let Some(p) = parcels {
        args.extend(["--parcels", s(p)]);
    }
    ok(&args)
}

/// Every donation, by (parcel id, segment id): attributed area, area in
/// the corridor, frontage, mean and max depth.
fn donations(db: &Path) -> BTreeMap<(String, String), [f64; 5]> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut st = conn
        .prepare(
            "SELECT p.fid, s.fid, attributed_area_m2, area_in_corridor_m2, frontage_m,
               depth_mean_m, depth_max_m
             FROM donations d JOIN parcels p ON p.id = d.parcel JOIN segments s ON s.id = d.segment",
        )
        .unwrap();
    st.query_map([], |r| {
        Ok((
            (r.get(0)?, r.get(1)?),
            [r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?],
        ))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn assert_same(a: &Path, b: &Path) {
    let (got, want) = (donations(a), donations(b));
    assert!(!want.is_empty());
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "the same (parcel, segment) pairs"
    );
    for (k, w) in &want {
        for (x, y) in got[k].iter().zip(w) {
            assert!((x - y).abs() <= 1e-6, "{k:?}: {:?} vs {w:?}", got[k]);
        }
    }
}

fn total(db: &Path) -> f64 {
    donations(db).values().map(|v| v[0]).sum()
}

/// Every row of every table (the R*Tree's shadow tables aside).
fn digest(db: &Path) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table'
             AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'parcel_bbox_%' ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .into_iter()
        .map(|t| {
            let mut st = conn
                .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1"))
                .unwrap();
            let n = st.column_count();
            let mut rows = st.query([]).unwrap();
            let mut text = String::new();
            while let Some(r) = rows.next().unwrap() {
                for i in 0..n {
                    text.push_str(&format!("{:?}|", r.get_ref(i).unwrap()));
                }
                text.push('\n');
            }
            (t, text)
        })
        .collect()
}

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

fn write_json(p: &Path, v: &Value) {
    std::fs::write(p, serde_json::to_vec(v).unwrap()).unwrap();
}

fn fid(f: &Value) -> String {
    match &f["properties"]["id"] {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

/// The parcels that donate, most donated area first.
fn donors(db: &Path) -> Vec<String> {
    let mut by: BTreeMap<String, f64> = BTreeMap::new();
    for ((p, _), v) in donations(db) {
        *by.entry(p).or_default() += v[0];
    }
    let mut v: Vec<(String, f64)> = by.into_iter().collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1));
    v.into_iter().map(|(p, _)| p).collect()
}

/// Scales a polygon's rings by `k` around its first vertex's ring centre.
fn grow(geometry: &mut Value, k: f64) {
    let rings = geometry["coordinates"].as_array_mut().unwrap();
    let outer = rings[0].as_array().unwrap();
    let n = (outer.len() - 1) as f64;
    let c = |i: usize| {
        outer[..outer.len() - 1]
            .iter()
            .map(|p| p[i].as_f64().unwrap())
            .sum::<f64>()
            / n
    };
    let (cx, cy) = (c(0), c(1));
    for ring in rings {
        for p in ring.as_array_mut().unwrap() {
            let (x, y) = (p[0].as_f64().unwrap(), p[1].as_f64().unwrap());
            *p = serde_json::json!([cx + (x - cx) * k, cy + (y - cy) * k]);
        }
    }
}

fn count(text: &str, before: &str) -> usize {
    let i = text
        .find(before)
        .unwrap_or_else(|| panic!("{before:?} in {text}"));
    text[..i]
        .rsplit(|c: char| !c.is_ascii_digit())
        .find(|w| !w.is_empty())
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parcels_alone_then_segments_alone_measure_like_full_imports() {
    let d = dir("ward");
    let demo = d.join("demo");
    ok(&["demo", "--parcels", "400", "--seed", "7", "--out", s(&demo)]);
    let (segs, pars) = (demo.join("segments.geojson"), demo.join("parcels.geojson"));
    let (a, b) = (d.join("a.db"), d.join("b.db"));
    import(&a, Some(&segs), Some(&pars));
    import(&b, Some(&segs), Some(&pars));
    let n_segments = read_json(&segs)["features"].as_array().unwrap().len();

    // The surveyor's correction: the eight largest donors redrawn 10 %
    // larger, five parcels left out (kept), as a GeoPackage.
    let grown: Vec<String> = donors(&a).into_iter().take(8).collect();
    let mut fix = read_json(&pars);
    let features = fix["features"].as_array_mut().unwrap();
    let left_out: Vec<String> = features.iter().rev().take(5).map(fid).collect();
    features.retain(|f| !left_out.contains(&fid(f)));
    for f in features.iter_mut() {
        if grown.contains(&fid(f)) {
            grow(&mut f["geometry"], 1.1);
        }
    }
    let fix_json = d.join("thua-sua.geojson");
    write_json(&fix_json, &fix);
    let gpkg = d.join("thua-sua.gpkg");
    let o = Command::new("ogr2ogr")
        .args(["-f", "GPKG", s(&gpkg), s(&fix_json), "-nln", "thua"])
        .output()
        .expect("ogr2ogr (Debian's gdal-bin) is needed");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // a server on the ward: its data version, before
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(AppState::new(a.clone(), false));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let version = || async {
        let v: Value = reqwest::get(format!("http://{addr}/api/version"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["version"].as_str().unwrap().to_string()
    };
    let v0 = version().await;

    // a report frozen before the correction
    let frozen = d.join("chot.csv");
    let o = run(&[
        "report",
        "--db",
        s(&a),
        "--by",
        "segment",
        "--format",
        "csv",
        "--freeze",
        "--out",
        s(&frozen),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let number = count(&String::from_utf8_lossy(&o.stderr), " / frozen as report");

    let before = total(&a);
    let said = import(&a, None, Some(&gpkg));
    import(&b, Some(&segs), Some(&gpkg));
    assert_same(&a, &b);
    assert!(
        said.contains(&format!(
            "Giữ nguyên {n_segments} đoạn tuyến không có trong tệp / kept {n_segments} segments"
        )),
        "{said}"
    );
    assert!(
        said.contains("Giữ nguyên 5 thửa đất không có trong tệp / kept 5 parcels"),
        "{said}"
    );
    assert_eq!(count(&said, " thửa, tổng"), grown.len(), "{said}");
    // the total change, as printed (Vietnamese: 1.234,5)
    let change = total(&a) - before;
    assert!(change > 1.0, "{change}");
    let printed = format!("+{}", vi_area(change));
    assert!(
        said.contains(&format!("tổng {printed} m²")),
        "{printed}: {said}"
    );
    let v1 = version().await;
    assert_ne!(v1, v0, "pages reload");
    // the frozen report stays as issued; today's shows the correction
    let (again, live) = (d.join("chot-lai.csv"), d.join("hom-nay.csv"));
    let n = number.to_string();
    ok(&[
        "report",
        "--db",
        s(&a),
        "--frozen",
        &n,
        "--format",
        "csv",
        "--out",
        s(&again),
    ]);
    ok(&[
        "report",
        "--db",
        s(&a),
        "--by",
        "segment",
        "--format",
        "csv",
        "--out",
        s(&live),
    ]);
    let read = |p: &Path| std::fs::read(p).unwrap();
    assert_eq!(read(&again), read(&frozen));
    assert_ne!(read(&live), read(&frozen));

    // A segment widened by 4 m, alone.
    let mut seg_all = read_json(&segs);
    let on: Vec<String> = donations(&a)
        .keys()
        .map(|(_, s)| s.clone())
        .collect::<Vec<_>>();
    let busiest = on
        .iter()
        .max_by_key(|s| on.iter().filter(|t| t == s).count())
        .unwrap()
        .clone();
    let mut one = seg_all.clone();
    for f in seg_all["features"].as_array_mut().unwrap() {
        if fid(f) == busiest {
            let w = f["properties"]["planned_width_m"].as_f64().unwrap();
            f["properties"]["planned_width_m"] = (w + 4.0).into();
        }
    }
    one["features"] = Value::Array(
        seg_all["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| fid(f) == busiest)
            .cloned()
            .collect(),
    );
    let (wide_all, wide_one) = (d.join("doan-all.geojson"), d.join("doan-mo-rong.geojson"));
    write_json(&wide_all, &seg_all);
    write_json(&wide_one, &one);
    let said = import(&a, Some(&wide_one), None);
    import(&b, Some(&wide_all), Some(&gpkg));
    assert_same(&a, &b);
    let n_parcels = fix["features"].as_array().unwrap().len() + 5;
    assert!(
        said.contains(&format!("Giữ nguyên {} đoạn tuyến", n_segments - 1))
            && said.contains(&format!("Giữ nguyên {n_parcels} thửa đất")),
        "{said}"
    );
    let measured = count(&said, " thửa / parcels, ");
    assert!(measured > 0 && measured < n_parcels, "{said}");
    assert_ne!(version().await, v1);
}

/// `x` as the reports write an area: one decimal, "," before it, "."
/// between thousands.
fn vi_area(x: f64) -> String {
    let s = format!("{:.1}", x.abs());
    let (int, dec) = s.split_once('.').unwrap();
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    format!("{}{out},{dec}", if x < 0.0 { "-" } else { "" })
}

#[test]
fn parcels_alone_into_a_new_database_are_refused_and_create_nothing() {
    let d = dir("empty");
    let demo = d.join("demo");
    ok(&["demo", "--parcels", "50", "--seed", "3", "--out", s(&demo)]);
    let db = d.join("new.db");
    let o = run(&[
        "import",
        "--db",
        s(&db),
        "--parcels",
        s(&demo.join("parcels.geojson")),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("chưa có đoạn tuyến") && err.contains("--segments") && err.contains("new.db"),
        "{err}"
    );
    assert!(!db.exists(), "nothing written");
    // segments alone are taken: the road plan before the survey
    let said = import(&db, Some(&demo.join("segments.geojson")), None);
    assert!(
        said.contains("đoạn tuyến / segments: thêm / added"),
        "{said}"
    );
    let said = import(&db, None, Some(&demo.join("parcels.geojson")));
    assert!(
        said.contains("thửa đất / parcels: thêm / added 50"),
        "{said}"
    );
    assert!(!donations(&db).is_empty());
}

#[test]
fn a_partial_import_with_a_bad_feature_changes_nothing() {
    let d = dir("bad");
    let demo = d.join("demo");
    ok(&["demo", "--parcels", "60", "--seed", "4", "--out", s(&demo)]);
    let db = d.join("w.db");
    import(
        &db,
        Some(&demo.join("segments.geojson")),
        Some(&demo.join("parcels.geojson")),
    );
    let before = digest(&db);
    let mut pars = read_json(&demo.join("parcels.geojson"));
    let features = pars["features"].as_array_mut().unwrap();
    grow(&mut features[0]["geometry"], 1.2);
    // a bow tie on the third
    let bad_id = fid(&features[2]);
    let ring = &mut features[2]["geometry"]["coordinates"][0];
    let xy = |i: usize| {
        ring.as_array()
            .unwrap()
            .iter()
            .map(move |p| p[i].as_f64().unwrap())
    };
    let (x0, x1) = (
        xy(0).fold(f64::MAX, f64::min),
        xy(0).fold(f64::MIN, f64::max),
    );
    let (y0, y1) = (
        xy(1).fold(f64::MAX, f64::min),
        xy(1).fold(f64::MIN, f64::max),
    );
    *ring = serde_json::json!([[x0, y0], [x1, y1], [x1, y0], [x0, y1], [x0, y0]]);
    let bad = d.join("thua-loi.geojson");
    write_json(&bad, &pars);
    let o = run(&[
        "import",
        "--db",
        s(&db),
        "--parcels",
        s(&bad),
        "--ward",
        "Phường Mới",
    ]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&bad_id) && err.contains("không nhập gì"),
        "{err}"
    );
    assert_eq!(
        digest(&db),
        before,
        "nothing changed, not even the ward's name"
    );
}

#[test]
fn a_parcels_file_numbered_by_position_does_not_overwrite_stored_parcels() {
    let d = dir("positions");
    let demo = d.join("demo");
    ok(&["demo", "--parcels", "60", "--seed", "7", "--out", s(&demo)]);
    let (segs, pars) = (demo.join("segments.geojson"), demo.join("parcels.geojson"));
    let db = d.join("w.db");
    import(&db, Some(&segs), Some(&pars));
    let before = digest(&db);
    // the surveyor's shapes with no id field nor parcel numbers (a DGN or
    // DXF drawn without labels reads the same): ids 1..60 by position
    let shp = d.join("thua.shp");
    let o = Command::new("ogr2ogr")
        .args([
            "-f",
            "ESRI Shapefile",
            s(&shp),
            s(&pars),
            "-select",
            "owner",
        ])
        .output()
        .expect("ogr2ogr (Debian's gdal-bin) is needed");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(&["import", "--db", s(&db), "--parcels", s(&shp)]);
    assert!(
        !o.status.success(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("numbered 1..") && e.contains("real ids"), "{e}");
    assert_eq!(digest(&db), before, "nothing written");
}
