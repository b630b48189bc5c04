//! Surveyor formats end to end, through the binary: every export read back
//! by GDAL (`ogrinfo` from Debian's gdal-bin, installed by .ci/run) for its
//! layers, counts, CRS and areas; files made by GDAL imported; every format
//! round-tripped (export → import into a new database → the same parcels,
//! attributes, areas and donations); malformed files refused with a clear
//! message and the database left as it was.

mod common;

use common::cli::{ok, run, s};
use serde_json::Value as Json;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn tool(name: &str, args: &[&str]) -> Output {
    Command::new(name).args(args).output().unwrap_or_else(|e| {
        panic!("{name} is needed (Debian's gdal-bin, installed by .ci/run): {e}")
    })
}

/// ogrinfo's output; GDAL's warnings (stderr) fail the test.
fn ogrinfo(args: &[&str]) -> String {
    let o = tool("ogrinfo", args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "ogrinfo {args:?}: {err}");
    assert!(err.trim().is_empty(), "ogrinfo {args:?} warned: {err}");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn dir(name: &str) -> PathBuf {
    common::cli::scratch("surveyor-", name)
}

/// The demo ward (3,000 parcels, 62 segments) and its parcels as exported
/// GeoJSON (with owners), made once.
fn demo() -> &'static (PathBuf, HashMap<String, Json>) {
    static DEMO: OnceLock<(PathBuf, HashMap<String, Json>)> = OnceLock::new();
    DEMO.get_or_init(|| {
        let d = dir("demo");
        let db = d.join("demo.db");
        ok(&["demo", "--db", s(&db)]);
        let parcels = parcels_of(&db, &d);
        (db, parcels)
    })
}

/// Every parcel's exported properties (with owners), by id.
fn parcels_of(db: &Path, d: &Path) -> HashMap<String, Json> {
    let out = d.join(format!(
        "parcels-of-{}.geojson",
        db.file_stem().unwrap().to_str().unwrap()
    ));
    ok(&[
        "export",
        "--db",
        s(db),
        "--format",
        "geojson",
        "--layer",
        "parcels",
        "--personal",
        "--out",
        s(&out),
    ]);
    let j: Json = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    j["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = f["properties"].clone();
            (p["id"].as_str().unwrap().to_string(), p)
        })
        .collect()
}

fn count(info: &str, layer: &str) -> usize {
    let at = info
        .find(&format!("Layer name: {layer}\n"))
        .unwrap_or_else(|| panic!("no layer {layer} in\n{info}"));
    let rest = &info[at..];
    let line = rest
        .lines()
        .find(|l| l.starts_with("Feature Count: "))
        .unwrap();
    line["Feature Count: ".len()..].trim().parse().unwrap()
}

/// Rows of an ogrinfo `-sql` answer: `name (type) = value` lines per feature.
fn sql_rows(out: &str) -> Vec<HashMap<String, String>> {
    let mut rows = Vec::new();
    let mut cur: Option<HashMap<String, String>> = None;
    for l in out.lines() {
        if l.starts_with("OGRFeature(") {
            rows.extend(cur.take());
            cur = Some(HashMap::new());
        } else if let (Some(c), Some((k, v))) = (cur.as_mut(), l.trim().split_once(" = ")) {
            let name = k.split(" (").next().unwrap().to_string();
            c.insert(name, v.to_string());
        }
    }
    rows.extend(cur);
    rows
}

fn f(r: &HashMap<String, String>, k: &str) -> f64 {
    r.get(k)
        .unwrap_or_else(|| panic!("no {k} in {r:?}"))
        .parse()
        .unwrap()
}

#[test]
fn a_geopackage_holds_every_layer_in_vn2000_with_the_engines_areas() {
    let (db, parcels) = demo();
    let d = dir("gpkg");
    let out = d.join("ward.gpkg");
    ok(&[
        "export",
        "--db",
        s(db),
        "--format",
        "gpkg",
        "--layer",
        "parcels,strips,corridors,centerlines,edges,stakes",
        "--out",
        s(&out),
    ]);
    let info = ogrinfo(&["-ro", "-so", "-al", s(&out)]);
    assert_eq!(count(&info, "parcels"), parcels.len());
    assert_eq!(count(&info, "centerlines"), 62);
    assert_eq!(count(&info, "corridors"), 62);
    assert_eq!(
        count(&info, "edges"),
        124,
        "left and right of each centerline"
    );
    assert!(count(&info, "stakes") > 124 * 2);
    assert!(info.contains("VN-2000 / TM-3 zone 482"), "{info}");
    assert!(info.contains("ID[\"EPSG\",5897]"), "{info}");
    assert!(
        !info.contains("Unknown"),
        "every layer has a CRS and a type"
    );

    // Strips: GEOS's area of each exported strip is the engine's area in
    // the corridor, and each parcel's area is the engine's.
    let strips = sql_rows(&ogrinfo(&[
        "-ro",
        "-dialect",
        "sqlite",
        "-sql",
        "SELECT parcel_id, ST_Area(geom) AS a, corr_m2, area_m2 FROM strips",
        s(&out),
    ]));
    assert!(strips.len() > 3000, "{}", strips.len());
    for r in &strips {
        assert!((f(r, "a") - f(r, "corr_m2")).abs() < 0.01, "{r:?}");
    }
    let rows = sql_rows(&ogrinfo(&[
        "-ro",
        "-dialect",
        "sqlite",
        "-sql",
        "SELECT id, ST_Area(geom) AS a, area_m2 FROM parcels",
        s(&out),
    ]));
    assert_eq!(rows.len(), parcels.len());
    for r in &rows {
        assert!((f(r, "a") - f(r, "area_m2")).abs() < 0.01, "{r:?}");
    }
    // Stakes carry their VN-2000 X (north) and Y (east), equal to the point.
    let stakes = sql_rows(&ogrinfo(&[
        "-ro",
        "-dialect",
        "sqlite",
        "-sql",
        "SELECT code, x_north, y_east, ST_X(geom) AS gx, ST_Y(geom) AS gy FROM stakes LIMIT 50",
        s(&out),
    ]));
    for r in &stakes {
        assert!((f(r, "x_north") - f(r, "gy")).abs() < 0.001, "{r:?}");
        assert!((f(r, "y_east") - f(r, "gx")).abs() < 0.001, "{r:?}");
        assert!(f(r, "x_north") > 2_000_000.0 && f(r, "y_east") < 1_000_000.0);
    }
}

#[test]
fn a_zipped_shapefile_keeps_vietnamese_names_short_fields_and_areas() {
    let (db, parcels) = demo();
    let d = dir("shp");
    let out = d.join("parcels.zip");
    ok(&[
        "export",
        "--db",
        s(db),
        "--format",
        "shp",
        "--layer",
        "parcels",
        "--personal",
        "--out",
        s(&out),
    ]);
    let vsi = format!("/vsizip/{}", s(&out));
    let info = ogrinfo(&["-ro", "-so", "-al", &vsi]);
    assert_eq!(count(&info, "parcels"), parcels.len());
    assert!(info.contains("VN-2000 / TM-3 zone 482"), "{info}");
    for field in [
        "map_sheet",
        "parcel_no",
        "owner",
        "res_group",
        "donate_m2",
        "status",
    ] {
        assert!(info.contains(&format!("\n{field}: ")), "{field} in {info}");
    }
    let rows = sql_rows(&ogrinfo(&[
        "-ro",
        "-dialect",
        "sqlite",
        "-sql",
        "SELECT id, owner, res_group, ST_Area(geometry) AS a, area_m2 FROM parcels",
        &vsi,
    ]));
    assert_eq!(rows.len(), parcels.len());
    for r in &rows {
        let want = &parcels[&r["id"]];
        assert_eq!(r["owner"], want["owner"].as_str().unwrap(), "owner intact");
        assert_eq!(r["res_group"], want["res_group"].as_str().unwrap());
        assert!((f(r, "a") - f(r, "area_m2")).abs() < 0.01, "{r:?}");
    }
    // One layer per shapefile.
    let o = run(&[
        "export",
        "--db",
        s(db),
        "--format",
        "shp",
        "--layer",
        "parcels,strips",
        "--out",
        s(&d.join("two.zip")),
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("one layer"));
    assert!(!d.join("two.zip").exists());
}

#[test]
fn a_dxf_opens_in_gdal_with_layers_per_status_and_labels() {
    let (db, parcels) = demo();
    let d = dir("dxf");
    let out = d.join("ward.dxf");
    ok(&[
        "export",
        "--db",
        s(db),
        "--format",
        "dxf",
        "--layer",
        "parcels,strips,stakes",
        "--out",
        s(&out),
    ]);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("AC1015"), "AutoCAD R2000");
    let rows = sql_rows(&ogrinfo(&[
        // GDAL 3.6 reads closed LWPOLYLINEs as closed lines.
        "-ro",
        "-dialect",
        "sqlite",
        "-sql",
        "SELECT Layer, SUM(ST_Area(MakePolygon(geometry))) AS a, COUNT(*) AS n FROM entities WHERE Layer LIKE 'PARCELS_%' AND Layer <> 'PARCELS_LABEL' GROUP BY Layer",
        s(&out),
    ]));
    let mut total = 0.0;
    for r in &rows {
        assert!(
            [
                "NOT_CONTACTED",
                "PERSUADING",
                "DECLINED",
                "AGREED",
                "SIGNED",
                "HANDED_OVER"
            ]
            .iter()
            .any(|st| r["Layer"] == format!("PARCELS_{st}")),
            "{r:?}"
        );
        total += f(r, "a");
    }
    let want: f64 = parcels
        .values()
        .map(|p| p["area_m2"].as_f64().unwrap())
        .sum();
    assert!(
        (total - want).abs() < 0.01 * parcels.len() as f64,
        "{total} vs {want}"
    );
    let labels = sql_rows(&ogrinfo(&[
        "-ro",
        "-dialect",
        "sqlite",
        "-sql",
        "SELECT COUNT(*) AS n FROM entities WHERE Layer = 'PARCELS_LABEL'",
        s(&out),
    ]));
    assert_eq!(
        f(&labels[0], "n") as usize,
        parcels.len(),
        "a number per parcel"
    );
}

#[test]
fn kml_is_kml_22_in_wgs84_with_a_folder_per_layer() {
    let (db, parcels) = demo();
    let d = dir("kml");
    let out = d.join("ward.kml");
    ok(&[
        "export",
        "--db",
        s(db),
        "--format",
        "kml",
        "--layer",
        "parcels,centerlines",
        "--out",
        s(&out),
    ]);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("xmlns=\"http://www.opengis.net/kml/2.2\""));
    assert!(!text.contains("owner"), "no personal data unless asked");
    let info = ogrinfo(&["-ro", "-so", "-al", s(&out)]);
    assert!(info.contains("WGS 84"), "{info}");
    let n: usize = info
        .lines()
        .filter_map(|l| l.strip_prefix("Feature Count: "))
        .map(|n| n.trim().parse::<usize>().unwrap())
        .sum();
    assert_eq!(n, parcels.len() + 62);
    // A projected CRS is refused for KML, before anything is written.
    let o = run(&[
        "export",
        "--db",
        s(db),
        "--format",
        "kml",
        "--crs",
        "EPSG:5897",
        "--out",
        s(&d.join("x.kml")),
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("WGS84"));
}

#[test]
fn a_segments_staking_table_numbers_points_per_side() {
    let (db, _) = demo();
    let d = dir("stakes");
    let out = d.join("stakes.csv");
    ok(&[
        "export",
        "--db",
        s(db),
        "--format",
        "csv",
        "--layer",
        "stakes",
        "--segment",
        "1",
        "--interval",
        "5",
        "--out",
        s(&out),
    ]);
    let text = std::fs::read_to_string(&out).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a BOM for Excel");
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "segment_id,side,no,code,chainage,x_north_m,y_east_m"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    for side in ["T", "P"] {
        let mine: Vec<&Vec<&str>> = rows.iter().filter(|r| r[1] == side).collect();
        assert!(mine.len() > 2, "{side}");
        for (k, r) in mine.iter().enumerate() {
            assert_eq!(r[0], "1");
            assert_eq!(r[2], (k + 1).to_string());
            assert_eq!(r[3], format!("{side}{}", k + 1));
        }
        // Consecutive stakes are at most the interval apart along the edge.
        for w in mine.windows(2) {
            let (a, b): (f64, f64) = (w[0][4].parse().unwrap(), w[1][4].parse().unwrap());
            assert!(b > a && b - a <= 5.0 + 1e-6, "{a} → {b}");
        }
    }
}

/// A round trip: the centerlines exported as `segs_format`, the parcels as
/// `format` (with owners), both imported into a new database with `extra`
/// arguments; the parcels' `keys` must come back as they were, and their
/// areas and donations within `slack(area)` m².
struct Trip<'a> {
    format: &'a str,
    ext: &'a str,
    segs_format: &'a str,
    extra: &'a [&'a str],
    keys: &'a [&'a str],
    slack: fn(f64) -> f64,
}

const ALL_KEYS: &[&str] = &[
    "map_sheet",
    "parcel_no",
    "owner",
    "res_group",
    "land_use",
    "segments",
];

fn exact(_: f64) -> f64 {
    0.01
}

impl Trip<'_> {
    fn run(&self) -> String {
        let (db, parcels) = demo();
        let d = dir(&format!("trip-{}", self.format));
        let segs_ext = if self.segs_format == "shp" {
            "zip"
        } else {
            self.segs_format
        };
        let segs = d.join(format!("centerlines.{segs_ext}"));
        let pars = d.join(format!("parcels.{}", self.ext));
        let export = |format: &str, layer: &str, out: &Path| {
            ok(&[
                "export",
                "--db",
                s(db),
                "--format",
                format,
                "--layer",
                layer,
                "--personal",
                "--out",
                s(out),
            ])
        };
        export(self.segs_format, "centerlines", &segs);
        export(self.format, "parcels", &pars);
        let back = d.join("back.db");
        let mut args = vec![
            "import",
            "--db",
            s(&back),
            "--segments",
            s(&segs),
            "--parcels",
            s(&pars),
        ];
        args.extend_from_slice(self.extra);
        let said = ok(&args);
        let got = parcels_of(&back, &d);
        assert_eq!(got.len(), parcels.len(), "{}", self.format);
        for (id, want) in parcels {
            let p = &got[id];
            for key in self.keys {
                assert_eq!(p[key], want[key], "{}: parcel {id} {key}", self.format);
            }
            let slack = (self.slack)(want["area_m2"].as_f64().unwrap());
            for key in ["area_m2", "donate_m2", "frontage_m"] {
                let (a, b) = (p[key].as_f64().unwrap(), want[key].as_f64().unwrap());
                assert!(
                    (a - b).abs() < slack,
                    "{}: parcel {id} {key}: {a} vs {b}",
                    self.format
                );
            }
        }
        said
    }
}

fn trip<'a>(format: &'a str, ext: &'a str) -> Trip<'a> {
    Trip {
        format,
        ext,
        segs_format: format,
        extra: &[],
        keys: ALL_KEYS,
        slack: exact,
    }
}

#[test]
fn geopackage_round_trips() {
    trip("gpkg", "gpkg").run();
}

#[test]
fn shapefile_round_trips() {
    trip("shp", "zip").run();
}

#[test]
fn kml_round_trips() {
    trip("kml", "kml").run();
}

#[test]
fn geojson_round_trips() {
    trip("geojson", "geojson").run();
}

#[test]
fn dxf_parcels_round_trip_with_their_attributes() {
    // DXF states no CRS: without --crs the import is refused, naming it,
    // and nothing is created.
    let (db, _) = demo();
    let d = dir("dxf-no-crs");
    let (segs, pars) = (d.join("centerlines.gpkg"), d.join("parcels.dxf"));
    ok(&[
        "export",
        "--db",
        s(db),
        "--format",
        "gpkg",
        "--layer",
        "centerlines",
        "--out",
        s(&segs),
    ]);
    ok(&[
        "export",
        "--db",
        s(db),
        "--format",
        "dxf",
        "--out",
        s(&pars),
    ]);
    let o = run(&[
        "import",
        "--db",
        s(&d.join("x.db")),
        "--segments",
        s(&segs),
        "--parcels",
        s(&pars),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--crs EPSG:5897"), "{err}");
    assert!(!d.join("x.db").exists());
    // DXF gives parcels only.
    let o = run(&[
        "import",
        "--db",
        s(&d.join("x.db")),
        "--segments",
        s(&pars),
        "--parcels",
        s(&pars),
        "--crs",
        "EPSG:5897",
    ]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("only parcels"));
    Trip {
        segs_format: "gpkg",
        extra: &["--crs", "EPSG:5897"],
        keys: &["map_sheet", "parcel_no", "owner", "res_group", "land_use"],
        ..trip("dxf", "dxf")
    }
    .run();
}

#[test]
fn a_coordinate_table_round_trips_its_parcels_and_areas() {
    // The table holds millimetres: each vertex moves by up to half a
    // millimetre, so an area may move by about its perimeter × 0.5 mm
    // (a tube house's perimeter is up to 3 × that of a square).
    let said = Trip {
        segs_format: "gpkg",
        extra: &["--crs", "EPSG:5897"],
        keys: &["map_sheet", "parcel_no", "segments"],
        slack: |area| (0.0005 * 3.0 * 4.0 * area.sqrt()).max(0.01),
        ..trip("csv", "csv")
    }
    .run();
    assert!(said.contains("coordinate table"), "{said}");
}

/// The demo's parcels and centerlines as GeoJSON, for GDAL to convert.
fn demo_geojson(d: &Path) -> (PathBuf, PathBuf) {
    let (db, _) = demo();
    let (segs, pars) = (d.join("segs.geojson"), d.join("pars.geojson"));
    ok(&[
        "export",
        "--db",
        s(db),
        "--format",
        "geojson",
        "--layer",
        "centerlines",
        "--out",
        s(&segs),
    ]);
    ok(&[
        "export",
        "--db",
        s(db),
        "--format",
        "geojson",
        "--layer",
        "parcels",
        "--personal",
        "--out",
        s(&pars),
    ]);
    (segs, pars)
}

fn ogr2ogr(args: &[&str]) {
    let o = tool("ogr2ogr", args);
    assert!(
        o.status.success(),
        "ogr2ogr {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn imported_count(db: &Path) -> usize {
    let d = db.parent().unwrap();
    parcels_of(db, d).len()
}

#[test]
fn files_made_by_gdal_import_in_vn2000_and_wgs84() {
    let (_, parcels) = demo();
    let d = dir("gdal-made");
    let (segs, pars) = demo_geojson(&d);
    // Shapefiles in VN-2000 (GDAL's own .prj) and GeoPackage / KML / CSV in WGS84.
    ogr2ogr(&[
        "-f",
        "ESRI Shapefile",
        "-t_srs",
        "EPSG:5897",
        s(&d.join("shp")),
        s(&pars),
        "-nln",
        "thua",
    ]);
    ogr2ogr(&["-f", "GPKG", s(&d.join("segs.gpkg")), s(&segs)]);
    ogr2ogr(&["-f", "GPKG", s(&d.join("pars.gpkg")), s(&pars)]);
    ogr2ogr(&[
        "-f",
        "GPKG",
        "-t_srs",
        "EPSG:5897",
        s(&d.join("pars5897.gpkg")),
        s(&pars),
    ]);
    // GDAL writes polygons to DXF as hatches, in the coordinates given.
    ogr2ogr(&[
        "-f",
        "DXF",
        "-t_srs",
        "EPSG:5897",
        s(&d.join("pars.dxf")),
        s(&pars),
    ]);
    ogr2ogr(&["-f", "KML", s(&d.join("pars.kml")), s(&pars)]);
    ogr2ogr(&[
        "-f",
        "CSV",
        s(&d.join("pars.csv")),
        s(&pars),
        "-lco",
        "GEOMETRY=AS_WKT",
    ]);
    let segs_gpkg = d.join("segs.gpkg");
    for (name, parcels_file, extra) in [
        ("shp", d.join("shp"), vec![]),
        ("gpkg", d.join("pars.gpkg"), vec![]),
        ("gpkg-vn2000", d.join("pars5897.gpkg"), vec![]),
        ("dxf", d.join("pars.dxf"), vec!["--crs", "EPSG:5897"]),
        ("kml", d.join("pars.kml"), vec![]),
        ("csv", d.join("pars.csv"), vec!["--crs", "EPSG:4326"]),
    ] {
        let db = d.join(format!("{name}.db"));
        let mut args = vec![
            "import",
            "--db",
            s(&db),
            "--segments",
            s(&segs_gpkg),
            "--parcels",
            s(&parcels_file),
        ];
        args.extend(extra);
        let said = ok(&args);
        assert_eq!(imported_count(&db), parcels.len(), "{name}");
        if name == "shp" {
            assert!(
                said.contains("hội nhập"),
                "the VN-2000 variant is stated: {said}"
            );
        }
    }
}

/// Runs an import expected to fail; checks its message and that the
/// database is unchanged.
fn refused(db: &Path, segs: &Path, pars: &Path, extra: &[&str], expect: &str) {
    let before = std::fs::read(db).ok();
    let mut args = vec![
        "import",
        "--db",
        s(db),
        "--segments",
        s(segs),
        "--parcels",
        s(pars),
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{args:?} should fail");
    assert!(err.contains(expect), "{expect:?} in {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(std::fs::read(db).ok(), before, "the database is unchanged");
}

#[test]
fn malformed_files_are_refused_clearly_and_change_nothing() {
    let d = dir("malformed");
    let (segs, pars) = demo_geojson(&d);
    let db = d.join("ward.db");
    ok(&[
        "import",
        "--db",
        s(&db),
        "--segments",
        s(&segs),
        "--parcels",
        s(&pars),
    ]);
    ogr2ogr(&["-f", "GPKG", s(&d.join("segs.gpkg")), s(&segs)]);
    let segs = d.join("segs.gpkg");

    // A truncated shapefile.
    let shp = d.join("cut");
    ogr2ogr(&["-f", "ESRI Shapefile", s(&shp), s(&pars), "-nln", "thua"]);
    let main = shp.join("thua.shp");
    let bytes = std::fs::read(&main).unwrap();
    std::fs::write(&main, &bytes[..bytes.len() / 2]).unwrap();
    refused(&db, &segs, &shp, &[], "thua.shp");

    // No .prj: --crs is required.
    let noprj = d.join("noprj");
    ogr2ogr(&["-f", "ESRI Shapefile", s(&noprj), s(&pars), "-nln", "thua"]);
    std::fs::remove_file(noprj.join("thua.prj")).unwrap();
    refused(&db, &segs, &noprj, &[], "--crs");

    // A DXF with open polylines: their handles are listed.
    let dxf = d.join("open.dxf");
    ogr2ogr(&["-f", "DXF", s(&dxf), s(&d.join("segs.geojson"))]);
    refused(&db, &segs, &dxf, &["--crs", "EPSG:4326"], "handle");

    // A GeoPackage in a CRS hiendat cannot place (NAD27 needs grid files).
    let gp = d.join("nad27.gpkg");
    ogr2ogr(&["-f", "GPKG", "-t_srs", "EPSG:4267", s(&gp), s(&pars)]);
    refused(&db, &segs, &gp, &[], "unrecognised");
}
