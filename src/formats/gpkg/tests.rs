//! GeoPackage tests: written files read back by GDAL, and GDAL's files read
//! (about 800 lines of cases: a test file, read case by case).

use super::*;
use std::path::PathBuf;
use std::process::Command;

use crate::formats::testing::VN2000_WKT;
const OWNER: &str = "Nguyễn Thị Hường";

/// A fresh, empty scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("hiendat-gpkg-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs a GDAL tool; returns (stdout, stderr), asserting success.
fn gdal(tool: &str, args: &[&str]) -> (String, String) {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} must be installed (gdal-bin): {e}"));
    let (so, se) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "{tool} {args:?} failed:\n{so}\n{se}");
    (so, se)
}

fn vn2000() -> Srs {
    Srs {
        epsg: Some(5897),
        name: "VN-2000 / TM-3 zone 482".into(),
        wkt: VN2000_WKT.into(),
        geographic: false,
    }
}

fn square(x0: f64, y0: f64, w: f64, h: f64) -> Vec<Pt> {
    vec![
        [x0, y0],
        [x0 + w, y0],
        [x0 + w, y0 + h],
        [x0, y0 + h],
        [x0, y0],
    ]
}

fn sample() -> Vec<Layer> {
    let (x, y) = (580_000.0, 2_155_000.0);
    let mut parcels = Layer::new(
        "parcels",
        "Thửa đất / Parcels",
        GeomKind::Polygon,
        vec![
            Field::new("so_thua", FieldKind::Integer),
            Field::new("chu", FieldKind::Text),
            Field::new("dien_tich", FieldKind::Real),
            Field::new("ghi_chu", FieldKind::Text),
        ],
    );
    let mut hole = square(x + 5.0, y + 5.0, 4.0, 4.0);
    hole.reverse();
    parcels.features = vec![
        Feature {
            geometry: Geometry::Polygons(vec![vec![square(x, y, 20.0, 30.0), hole]]),
            values: vec![
                Value::Integer(17),
                Value::Text(OWNER.into()),
                Value::Real(584.0),
                Value::Null,
            ],
        },
        Feature {
            geometry: Geometry::Polygons(vec![
                vec![square(x + 30.0, y, 10.0, 10.0)],
                vec![square(x + 45.0, y + 0.5, 12.5, 8.25)],
            ]),
            values: vec![
                Value::Integer(-3),
                Value::Text("Trần Văn Đức \"Út\"".into()),
                Value::Real(203.125),
                Value::Text("hiến 2,5 m".into()),
            ],
        },
        Feature {
            geometry: Geometry::Polygons(vec![vec![vec![
                [x + 0.123, y + 100.456],
                [x + 7.891, y + 100.0],
                [x + 3.0, y + 109.75],
                [x + 0.123, y + 100.456],
            ]]]),
            values: vec![Value::Null, Value::Null, Value::Null, Value::Null],
        },
    ];
    parcels.srs = Some(vn2000());

    let mut roads = Layer::new(
        "roads",
        "Tuyến đường / Roads",
        GeomKind::Line,
        vec![
            Field::new("ten", FieldKind::Text),
            Field::new("rong", FieldKind::Real),
        ],
    );
    roads.features = vec![
        Feature {
            geometry: Geometry::Lines(vec![vec![[x, y - 5.0], [x + 60.0, y - 5.0]]]),
            values: vec![
                Value::Text("Ngõ 12 Hoàng Hoa Thám".into()),
                Value::Real(3.5),
            ],
        },
        Feature {
            geometry: Geometry::Lines(vec![
                vec![[x, y - 10.0], [x + 10.0, y - 12.0], [x + 20.0, y - 10.0]],
                vec![[x + 25.0, y - 10.0], [x + 40.0, y - 10.0]],
            ]),
            values: vec![Value::Null, Value::Real(6.0)],
        },
    ];
    roads.srs = Some(vn2000());

    let mut stakes = Layer::new(
        "stakes",
        "Mốc giới / Stakes",
        GeomKind::Point,
        vec![
            Field::new("so", FieldKind::Integer),
            Field::new("ten", FieldKind::Text),
        ],
    );
    stakes.features = vec![
        Feature {
            geometry: Geometry::Point([x + 1.25, y - 2.5]),
            values: vec![Value::Integer(1), Value::Text("M1".into())],
        },
        Feature {
            geometry: Geometry::Point([x + 61.0, y - 2.5]),
            values: vec![Value::Integer(2), Value::Null],
        },
    ];
    stakes.srs = Some(vn2000());
    vec![parcels, roads, stakes]
}

/// `ogrinfo -so` output of one layer.
fn section<'a>(info: &'a str, layer: &str) -> &'a str {
    let start = info
        .find(&format!("Layer name: {layer}\n"))
        .unwrap_or_else(|| panic!("layer {layer} missing from:\n{info}"));
    let rest = &info[start + 12..];
    &info[start..start + 12 + rest.find("Layer name: ").unwrap_or(rest.len())]
}

#[test]
fn gdal_reads_what_we_write() {
    let dir = scratch("gdal");
    let path = dir.join("ward.gpkg");
    let layers = sample();
    write(&path, &layers).unwrap();
    let p = path.to_str().unwrap();

    let (info, err) = gdal("ogrinfo", &["-ro", "-al", "-so", p]);
    assert_eq!(err, "", "GDAL warned:\n{err}");
    for (name, geom, count) in [
        ("parcels", "Multi Polygon", 3),
        ("roads", "Multi Line String", 2),
        ("stakes", "Point", 2),
    ] {
        let s = section(&info, name);
        assert!(s.contains(&format!("Geometry: {geom}\n")), "{s}");
        assert!(s.contains(&format!("Feature Count: {count}\n")), "{s}");
        assert!(s.contains("VN-2000 / TM-3 zone 482"), "{s}");
        assert!(s.contains("ID[\"EPSG\",5897]"), "{s}");
    }
    assert!(section(&info, "parcels").contains("chu: String"), "{info}");
    assert!(
        section(&info, "parcels").contains("dien_tich: Real"),
        "{info}"
    );

    // Every feature decodes without a warning.
    let (all, err) = gdal("ogrinfo", &["-ro", "-al", p]);
    assert_eq!(err, "", "GDAL warned:\n{err}");
    assert!(all.contains("POINT (580001.25 2154997.5)"), "{all}");

    // Areas as GDAL computes them.
    let (out, err) = gdal(
        "ogrinfo",
        &[
            "-ro",
            "-dialect",
            "sqlite",
            "-sql",
            "SELECT fid AS n, ST_Area(geom) AS a FROM parcels ORDER BY fid",
            p,
        ],
    );
    assert_eq!(err, "", "GDAL warned:\n{err}");
    let areas: Vec<f64> = out
        .lines()
        .filter_map(|l| l.trim().strip_prefix("a (Real) = "))
        .map(|a| a.parse().unwrap())
        .collect();
    let expected: Vec<f64> = layers[0]
        .features
        .iter()
        .map(|f| f.geometry.area())
        .collect();
    assert_eq!(areas.len(), expected.len(), "{out}");
    for (a, e) in areas.iter().zip(&expected) {
        assert!((a - e).abs() < 0.01, "GDAL area {a}, ours {e}");
    }
    assert!((expected[0] - 584.0).abs() < 1e-6);

    // Vietnamese text intact.
    let (csv, err) = gdal(
        "ogr2ogr",
        &[
            "-f",
            "CSV",
            "/vsistdout/",
            p,
            "parcels",
            "-lco",
            "GEOMETRY=AS_WKT",
        ],
    );
    assert_eq!(err, "");
    assert!(csv.contains(OWNER), "{csv}");
    assert!(csv.contains("hiến 2,5 m"), "{csv}");

    // The R-tree answers a spatial filter (only the second parcel).
    let (out, err) = gdal(
        "ogrinfo",
        &[
            "-ro", "-so", "-spat", "580032", "2155002", "580034", "2155004", p, "parcels",
        ],
    );
    assert_eq!(err, "");
    assert!(out.contains("Feature Count: 1\n"), "{out}");

    // The spec's own checks on the SQLite side.
    let conn = Connection::open(&path).unwrap();
    let app: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(app, 0x4750_4B47);
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let fk: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fk, 0);
    let srs_rows: i64 = conn
        .query_row("SELECT count(*) FROM gpkg_spatial_ref_sys", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(srs_rows, 4, "-1, 0, 4326 and one shared 5897");
    for t in ["parcels", "roads", "stakes"] {
        let ok: String = conn
            .query_row(&format!("SELECT rtreecheck('rtree_{t}_geom')"), [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(ok, "ok", "{t}");
    }
    drop(conn);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rtree_of_many_features() {
    let dir = scratch("rtree");
    let path = dir.join("pts.gpkg");
    let mut l = Layer::new("pts", "Điểm", GeomKind::Point, vec![]);
    l.srs = Some(vn2000());
    let mut seed: u64 = 12345;
    let mut rand = |span: f64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) % 100_000) as f64 / 100_000.0 * span
    };
    for _ in 0..6000 {
        let p = [
            580_000.5 + rand(999.0).floor(),
            2_155_000.5 + rand(999.0).floor(),
        ];
        l.features.push(Feature {
            geometry: Geometry::Point(p),
            values: vec![],
        });
    }
    write(&path, std::slice::from_ref(&l)).unwrap();
    let conn = Connection::open(&path).unwrap();
    let ok: String = conn
        .query_row("SELECT rtreecheck('rtree_pts_geom')", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let depth: Vec<u8> = conn
        .query_row(
            "SELECT substr(data, 1, 2) FROM rtree_pts_geom_node WHERE nodeno = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(depth, [0, 2], "6000 points in nodes of 51: three levels");
    let (x0, y0, x1, y1) = (580_100.0, 2_155_200.0, 580_350.0, 2_155_420.0);
    let inside = |p: &Pt| p[0] >= x0 && p[0] <= x1 && p[1] >= y0 && p[1] <= y1;
    let want = l
        .features
        .iter()
        .filter(|f| matches!(&f.geometry, Geometry::Point(p) if inside(p)))
        .count();
    let n: u32 = conn
        .query_row(
            "SELECT count(*) FROM rtree_pts_geom
                 WHERE minx >= ?1 AND maxx <= ?3 AND miny >= ?2 AND maxy <= ?4",
            (x0, y0, x1, y1),
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n as usize, want);
    let (out, err) = gdal(
        "ogrinfo",
        &[
            "-ro",
            "-so",
            "-spat",
            &x0.to_string(),
            &y0.to_string(),
            &x1.to_string(),
            &y1.to_string(),
            path.to_str().unwrap(),
            "pts",
        ],
    );
    assert_eq!(err, "");
    assert!(out.contains(&format!("Feature Count: {want}\n")), "{out}");
    drop(conn);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn round_trip() {
    let dir = scratch("round");
    let path = dir.join("ward.gpkg");
    let mut layers = sample();
    // A layer without an EPSG code, in WGS84, and an empty one.
    let mut local = Layer::new("local", "Lưới địa phương", GeomKind::Point, vec![]);
    local.srs = Some(Srs {
        epsg: None,
        name: "Lưới công trình".into(),
        wkt: r#"LOCAL_CS["Luoi cong trinh",UNIT["metre",1]]"#.into(),
        geographic: false,
    });
    local.features.push(Feature {
        geometry: Geometry::Point([12.5, -3.0]),
        values: vec![],
    });
    layers.push(local);
    let mut wgs = Layer::new(
        "wgs",
        "WGS84",
        GeomKind::Line,
        vec![Field::new("n", FieldKind::Integer)],
    );
    wgs.srs = Some(Srs {
        epsg: Some(4326),
        name: "WGS 84 geodetic".into(),
        wkt: WGS84_WKT.into(),
        geographic: true,
    });
    layers.push(wgs);

    write(&path, &layers).unwrap();
    let back = read(&path).unwrap();
    assert_eq!(back, layers);
    let (_, err) = gdal("ogrinfo", &["-ro", "-al", "-so", path.to_str().unwrap()]);
    assert_eq!(err, "", "GDAL warned:\n{err}");

    // The path must not exist; the existing file is left alone.
    let e = write(&path, &layers).unwrap_err().to_string();
    assert!(e.contains("ward.gpkg"), "{e}");
    assert_eq!(read(&path).unwrap().len(), layers.len());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn write_refuses_bad_layers() {
    let dir = scratch("refuse");
    let path = dir.join("bad.gpkg");
    let check = |layers: &[Layer], needle: &str| {
        let e = write(&path, layers).unwrap_err().to_string();
        assert!(e.contains(needle), "{e}");
        assert!(e.contains(" / "), "{e}");
        assert!(!path.exists(), "partial file left behind");
    };
    let mut l = sample();
    l[1].srs = None;
    check(&l, "roads");
    let mut l = sample();
    l[0].features[1].values.pop();
    check(&l, "feature 2 of layer parcels");
    let mut l = sample();
    l[0].features[2].geometry = Geometry::Polygons(vec![]);
    check(&l, "feature 3 of layer parcels");
    let mut l = sample();
    l[2].features[0].geometry = Geometry::Point([f64::NAN, 1.0]);
    check(&l, "feature 1 of layer stakes");
    let mut l = sample();
    l[0].features[0].values[2] = Value::Text("abc".into());
    check(&l, "dien_tich");
    let mut l = sample();
    l[1].name = "gpkg_roads".into();
    check(&l, "gpkg_roads");
    let mut l = sample();
    l[0].fields[1].name = "GEOM".into();
    check(&l, "GEOM");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A small WGS84 GeoJSON near Hà Nội, as a surveyor might send.
const GEOJSON: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"so_thua":5,"chu":"Nguyễn Thị Hường","dt":120.5,"ngay":"2024-05-01"},
 "geometry":{"type":"Polygon","coordinates":[[[105.78,21.03],[105.7802,21.03],[105.7802,21.0302],[105.78,21.0302],[105.78,21.03]]]}},
{"type":"Feature","properties":{"so_thua":6,"chu":null,"dt":null,"ngay":null},
 "geometry":{"type":"MultiPolygon","coordinates":[[[[105.781,21.03],[105.7812,21.03],[105.7812,21.0302],[105.781,21.03]]],[[[105.782,21.03],[105.7822,21.03],[105.7822,21.0302],[105.782,21.03]]]]}}
]}"#;

#[test]
fn reads_gdal_geopackages() {
    let dir = scratch("ogr");
    let json = dir.join("thua.geojson");
    std::fs::write(&json, GEOJSON).unwrap();
    let (j, wgs, vn) = (
        json.to_str().unwrap(),
        dir.join("wgs.gpkg"),
        dir.join("vn.gpkg"),
    );
    gdal(
        "ogr2ogr",
        &["-f", "GPKG", wgs.to_str().unwrap(), j, "-nln", "thua"],
    );
    gdal(
        "ogr2ogr",
        &[
            "-f",
            "GPKG",
            vn.to_str().unwrap(),
            j,
            "-nln",
            "thua",
            "-t_srs",
            "EPSG:5897",
        ],
    );

    let l = read(&wgs).unwrap();
    assert_eq!(l.len(), 1);
    let l = &l[0];
    assert_eq!((l.name.as_str(), l.kind), ("thua", GeomKind::Polygon));
    let srs = l.srs.as_ref().unwrap();
    assert_eq!(srs.epsg, Some(4326));
    assert!(srs.geographic);
    let kinds: Vec<(&str, FieldKind)> =
        l.fields.iter().map(|f| (f.name.as_str(), f.kind)).collect();
    assert_eq!(
        kinds,
        [
            ("so_thua", FieldKind::Integer),
            ("chu", FieldKind::Text),
            ("dt", FieldKind::Real),
            ("ngay", FieldKind::Text),
        ]
    );
    assert_eq!(l.features.len(), 2);
    let f = &l.features[0];
    assert_eq!(
        f.values,
        [
            Value::Integer(5),
            Value::Text(OWNER.into()),
            Value::Real(120.5),
            Value::Text("2024-05-01".into()),
        ]
    );
    let Geometry::Polygons(p) = &f.geometry else {
        panic!("{:?}", f.geometry)
    };
    assert_eq!(p[0][0][1], [105.7802, 21.03]);
    assert_eq!(l.features[1].values[1], Value::Null);
    let Geometry::Polygons(p) = &l.features[1].geometry else {
        panic!()
    };
    assert_eq!(p.len(), 2);

    let l = read(&vn).unwrap().remove(0);
    let srs = l.srs.as_ref().unwrap();
    assert_eq!(srs.epsg, Some(5897));
    assert!(!srs.geographic);
    assert!(srs.wkt.starts_with("PROJCS"), "{}", srs.wkt);
    let Geometry::Polygons(p) = &l.features[0].geometry else {
        panic!()
    };
    let [e, n] = p[0][0][0];
    assert!((580_000.0..585_000.0).contains(&e), "{e}");
    assert!((2_320_000.0..2_330_000.0).contains(&n), "{n}");
    // GDAL's and our areas agree on the reprojected parcel.
    let (out, _) = gdal(
        "ogrinfo",
        &[
            "-ro",
            "-dialect",
            "sqlite",
            "-sql",
            "SELECT ST_Area(geom) AS a FROM thua WHERE fid = 1",
            vn.to_str().unwrap(),
        ],
    );
    let a: f64 = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("a (Real) = "))
        .unwrap()
        .parse()
        .unwrap();
    assert!((a - l.features[0].geometry.area()).abs() < 0.01);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn undefined_and_custom_srs() {
    let dir = scratch("srs");
    // A CSV with WKT geometry has no CRS: GDAL writes an undefined srs_id.
    let csv = dir.join("pts.csv");
    std::fs::write(&csv, "WKT,ten\n\"POINT (1 2)\",a\n\"POINT (3 4)\",b\n").unwrap();
    let none = dir.join("none.gpkg");
    gdal(
        "ogr2ogr",
        &["-f", "GPKG", none.to_str().unwrap(), csv.to_str().unwrap()],
    );
    let l = read(&none).unwrap().remove(0);
    assert_eq!(l.srs, None);
    assert_eq!(l.kind, GeomKind::Point);
    assert_eq!(l.features[1].geometry, Geometry::Point([3.0, 4.0]));
    assert!(l.notes.iter().any(|n| n.contains("--crs")), "{:?}", l.notes);

    // Our file with its SRS row replaced by an unknown custom definition.
    let custom = dir.join("custom.gpkg");
    write(&custom, &sample()).unwrap();
    let conn = Connection::open(&custom).unwrap();
    conn.execute(
        "UPDATE gpkg_spatial_ref_sys SET organization = 'NONE', srs_name = 'Lưới riêng',
             definition = 'LOCAL_CS[\"x\",UNIT[\"metre\",1]]' WHERE srs_id = 5897",
        [],
    )
    .unwrap();
    drop(conn);
    let l = read(&custom).unwrap();
    let srs = l[0].srs.as_ref().unwrap();
    assert_eq!(srs.epsg, None);
    assert_eq!(srs.wkt, "LOCAL_CS[\"x\",UNIT[\"metre\",1]]");
    assert_eq!(srs.name, "Lưới riêng");

    // And pointed at srs_id 0.
    let conn = Connection::open(&custom).unwrap();
    conn.execute_batch(
        "PRAGMA foreign_keys = OFF;
             UPDATE gpkg_geometry_columns SET srs_id = 0 WHERE table_name = 'roads';",
    )
    .unwrap();
    drop(conn);
    let l = read(&custom).unwrap();
    assert_eq!(l[1].srs, None);
    assert!(l[1].notes[0].contains("roads"), "{:?}", l[1].notes);
    assert!(l[0].srs.is_some());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Our file with the R-tree triggers dropped, so plain SQLite (without
/// GDAL's ST_ functions) can edit the geometry column.
fn editable(dir: &Path) -> (PathBuf, Connection) {
    let path = dir.join("ward.gpkg");
    write(&path, &sample()).unwrap();
    let conn = Connection::open(&path).unwrap();
    let triggers: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for t in triggers {
        conn.execute_batch(&format!("DROP TRIGGER \"{t}\""))
            .unwrap();
    }
    (path, conn)
}

#[test]
fn corrupt_geometry_names_the_feature() {
    let dir = scratch("corrupt");
    let cases: [(&str, &str); 5] = [
        ("substr(geom, 1, 60)", "truncated"),
        ("NULL", "NULL"),
        ("X'00010203040506070809'", "'GP'"),
        // Header flags: empty.
        ("X'4750001100000000'", "empty"),
        // A WKB type not read (PolyhedralSurface).
        ("X'4750000100000000010F00000000000000'", "unsupported"),
    ];
    for (blob, needle) in cases {
        let (path, conn) = editable(&dir);
        conn.execute(
            &format!("UPDATE parcels SET geom = {blob} WHERE fid = 2"),
            [],
        )
        .unwrap();
        drop(conn);
        let e = read(&path).unwrap_err().to_string();
        assert!(e.contains("fid 2") && e.contains("parcels"), "{e}");
        assert!(e.contains(needle), "{blob}: {e}");
        std::fs::remove_file(&path).unwrap();
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn not_a_geopackage() {
    let dir = scratch("notgpkg");
    let text = dir.join("notes.gpkg");
    std::fs::write(
        &text,
        "đây không phải cơ sở dữ liệu, chỉ là văn bản dài ".repeat(40),
    )
    .unwrap();
    let e = read(&text).unwrap_err().to_string();
    assert!(
        e.contains("notes.gpkg") && e.contains("not a GeoPackage"),
        "{e}"
    );

    let plain = dir.join("plain.sqlite");
    Connection::open(&plain)
        .unwrap()
        .execute_batch("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1);")
        .unwrap();
    let e = read(&plain).unwrap_err().to_string();
    assert!(
        e.contains("plain.sqlite") && e.contains("not a GeoPackage"),
        "{e}"
    );

    // A GeoPackage whose only table is attributes.
    let attrs = dir.join("attrs.gpkg");
    let (_, conn) = editable(&dir);
    conn.execute_batch("UPDATE gpkg_contents SET data_type = 'attributes'")
        .unwrap();
    drop(conn);
    std::fs::rename(dir.join("ward.gpkg"), &attrs).unwrap();
    let e = read(&attrs).unwrap_err().to_string();
    assert!(e.contains("no feature tables"), "{e}");

    let e = read(&dir.join("missing.gpkg")).unwrap_err();
    assert!(matches!(e, FormatError::Io(_)), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn le_head(out: &mut Vec<u8>, t: u32) {
    out.push(1);
    out.extend_from_slice(&t.to_le_bytes());
}

fn be_head(out: &mut Vec<u8>, t: u32) {
    out.push(0);
    out.extend_from_slice(&t.to_be_bytes());
}

fn gp(flags: u8, env: usize, wkb: &[u8]) -> Vec<u8> {
    let mut b = vec![b'G', b'P', 0, flags, 0, 0, 0, 0];
    b.extend(std::iter::repeat_n(0u8, env));
    b.extend_from_slice(wkb);
    b
}

#[test]
fn parses_wkb_variants() {
    // Big-endian PolygonZ (ISO 1003), unclosed ring, behind a 48-byte
    // XYZ envelope.
    let mut w = Vec::new();
    be_head(&mut w, 1003);
    w.extend_from_slice(&1u32.to_be_bytes());
    w.extend_from_slice(&3u32.to_be_bytes());
    for p in [[0.0, 0.0, 9.0], [4.0, 0.0, 9.0], [0.0, 3.0, 9.0]] {
        for c in p {
            w.extend_from_slice(&f64::to_be_bytes(c));
        }
    }
    let g = parse_blob(&gp(0b0000_0100, 48, &w)).unwrap();
    assert_eq!(
        g,
        Geometry::Polygons(vec![vec![vec![
            [0.0, 0.0],
            [4.0, 0.0],
            [0.0, 3.0],
            [0.0, 0.0]
        ]]])
    );
    assert!((g.area() - 6.0).abs() < 1e-12);

    // MultiPoint M (EWKB flag) with one point -> Point.
    let mut w = Vec::new();
    le_head(&mut w, 4 | 0x4000_0000);
    w.extend_from_slice(&1u32.to_le_bytes());
    le_head(&mut w, 1 | 0x4000_0000);
    for c in [7.0, 8.0, 1.0] {
        w.extend_from_slice(&f64::to_le_bytes(c));
    }
    assert_eq!(
        parse_blob(&gp(1, 0, &w)).unwrap(),
        Geometry::Point([7.0, 8.0])
    );

    // GeometryCollection ZM of a LineString and a MultiLineString.
    let mut w = Vec::new();
    le_head(&mut w, 3007);
    w.extend_from_slice(&2u32.to_le_bytes());
    le_head(&mut w, 3002);
    w.extend_from_slice(&2u32.to_le_bytes());
    for c in [1.0, 2.0, 0.0, 0.0, 3.0, 4.0, 0.0, 0.0] {
        w.extend_from_slice(&f64::to_le_bytes(c));
    }
    be_head(&mut w, 3005);
    w.extend_from_slice(&1u32.to_be_bytes());
    be_head(&mut w, 3002);
    w.extend_from_slice(&2u32.to_be_bytes());
    for c in [5.0, 6.0, 0.0, 0.0, 7.0, 8.0, 0.0, 0.0] {
        w.extend_from_slice(&f64::to_be_bytes(c));
    }
    assert_eq!(
        parse_blob(&gp(0b0000_1001, 64, &w)).unwrap(),
        Geometry::Lines(vec![
            vec![[1.0, 2.0], [3.0, 4.0]],
            vec![[5.0, 6.0], [7.0, 8.0]]
        ])
    );

    // Bad inputs: errors, never panics.
    let mut two = Vec::new();
    le_head(&mut two, 4);
    two.extend_from_slice(&2u32.to_le_bytes());
    for p in [[1.0, 2.0], [3.0, 4.0]] {
        le_head(&mut two, 1);
        two.extend_from_slice(&f64::to_le_bytes(p[0]));
        two.extend_from_slice(&f64::to_le_bytes(p[1]));
    }
    assert!(
        parse_blob(&gp(1, 0, &two))
            .unwrap_err()
            .en
            .contains("MultiPoint of 2")
    );
    let mut huge = Vec::new();
    le_head(&mut huge, 2);
    huge.extend_from_slice(&u32::MAX.to_le_bytes());
    assert!(
        parse_blob(&gp(1, 0, &huge))
            .unwrap_err()
            .en
            .contains("truncated")
    );
    let mut deep = Vec::new();
    for _ in 0..100 {
        le_head(&mut deep, 7);
        deep.extend_from_slice(&1u32.to_le_bytes());
    }
    assert!(
        parse_blob(&gp(1, 0, &deep))
            .unwrap_err()
            .en
            .contains("deep")
    );
    assert!(parse_blob(&gp(0b1010, 0, &two)).is_err()); // envelope code 5
    assert!(parse_blob(b"GP").is_err());
    let mut trailing = gp(1, 0, &two[..0]);
    le_head(&mut trailing, 1);
    trailing.extend_from_slice(&[0; 17]);
    assert!(parse_blob(&trailing).unwrap_err().en.contains("stray"));
    // Every prefix of a good blob fails cleanly.
    let mut good = Vec::new();
    encode(&mut good, &sample()[0].features[0].geometry, 5897).unwrap();
    for n in 0..good.len() {
        assert!(parse_blob(&good[..n]).is_err());
    }
    assert_eq!(parse_blob(&good).unwrap(), sample()[0].features[0].geometry);
}

#[test]
fn a_damaged_file_is_refused_as_corrupt_naming_the_file() {
    // A fuzzer's find: a table page whose cell states a payload near 2³² bytes.
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus/gpkg/corrupt-overflow.gpkg");
    let err = super::read(&path).unwrap_err().to_string();
    assert!(
        err.contains("corrupt-overflow.gpkg bị hỏng")
            && err.contains("is corrupt: export it again"),
        "{err}"
    );
}
