//! DGN V7 from MicroStation (issue 17, item 3): files made at test time by
//! GDAL's DGN driver (`ogr2ogr -f DGN`, 2D and 3D, its default seed and
//! other units and origins) read as GDAL reads them back (counts,
//! coordinates, areas within 0.01 m²), imported through the binary with
//! `--crs` and `--dgn-level`, and refused, when they cannot be, naming the
//! file and the reason with the database unchanged.

mod common;

use common::cli::{gdal, ok, run, s};
use hiendat::formats::dgn;
use hiendat::formats::layer::{GeomKind, Geometry, Layer};
use std::path::{Path, PathBuf};
use std::process::Command;

fn dir(name: &str) -> PathBuf {
    common::cli::scratch("i17dgn-", name)
}

const X: f64 = 580_000.0;
const Y: f64 = 2_155_000.0;

fn ring(pts: &[[f64; 2]]) -> String {
    let mut v: Vec<String> = pts
        .iter()
        .map(|p| format!("{:.3} {:.3}", X + p[0], Y + p[1]))
        .collect();
    v.push(v[0].clone());
    format!("({})", v.join(","))
}

/// A block of parcels along a road: a row of 8 (the third with a well as a
/// hole, the sixth a 120-vertex round plot, a complex shape), their numbers
/// 101–108 as texts on level 13, a garage on level 20, the road and its
/// label (name, planned and current width) on level 30.
fn rows() -> Vec<String> {
    let mut rows = Vec::new();
    for k in 0..8 {
        let x0 = 12.0 * k as f64;
        let outline = if k == 5 {
            (0..120)
                .map(|i| {
                    let t = 2.0 * std::f64::consts::PI * i as f64 / 120.0;
                    [x0 + 6.0 + 5.5 * t.cos(), 10.0 + 5.5 * t.sin()]
                })
                .collect()
        } else {
            // slightly skewed quadrilaterals
            vec![
                [x0, 0.0],
                [x0 + 11.5, 0.3],
                [x0 + 11.0, 19.0 + 0.1 * k as f64],
                [x0 + 0.5, 18.5],
            ]
        };
        let mut wkt = format!("POLYGON({}", ring(&outline));
        if k == 2 {
            wkt.push(',');
            wkt.push_str(&ring(&[
                [x0 + 3.0, 3.0],
                [x0 + 5.0, 3.0],
                [x0 + 5.0, 5.0],
                [x0 + 3.0, 5.0],
            ]));
        }
        wkt.push(')');
        rows.push(format!("\"{wkt}\",10,\"\""));
        rows.push(format!(
            "\"POINT({:.3} {:.3})\",13,\"{}\"",
            X + x0 + 8.0,
            Y + 15.0,
            101 + k
        ));
    }
    rows.push(format!(
        "\"POLYGON({})\",20,\"\"",
        ring(&[[2.0, 8.0], [6.0, 8.0], [6.0, 12.0], [2.0, 12.0]])
    ));
    rows.push(format!(
        "\"POINT({:.3} {:.3})\",30,\"Đường Lê Lợi, lộ giới 10m, hiện trạng 4m\"",
        X + 50.0,
        Y - 7.0
    ));
    rows.push(format!(
        "\"LINESTRING({:.3} {:.3},{:.3} {:.3})\",30,\"\"",
        X - 5.0,
        Y - 4.0,
        X + 100.0,
        Y - 4.0
    ));
    rows
}

/// GDAL's DGN of [`rows`], with `dsco` creation options.
fn make_dgn(d: &Path, name: &str, dsco: &[&str]) -> PathBuf {
    let csv = d.join(format!("{name}.csv"));
    let mut text = "wkt,Level,Text\n".to_string();
    for r in rows() {
        text.push_str(&r);
        text.push('\n');
    }
    std::fs::write(&csv, text).unwrap();
    let out = d.join(format!("{name}.dgn"));
    let mut a = vec![
        "-f",
        "DGN",
        s(&out),
        s(&csv),
        "-oo",
        "GEOM_POSSIBLE_NAMES=wkt",
        "-oo",
        "KEEP_GEOM_COLUMNS=NO",
    ];
    for o in dsco {
        a.extend_from_slice(&["-dsco", o]);
    }
    let o = Command::new("ogr2ogr").args(&a).output().expect("ogr2ogr");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out
}

/// A feature as GDAL reads it: its Type, its Level, its rings.
type GdalFeature = (i64, i64, Vec<Vec<[f64; 2]>>);

/// GDAL's reading of a DGN.
fn gdal_reading(d: &Path, dgn: &Path) -> Vec<GdalFeature> {
    let out = d.join("back.geojson");
    let _ = std::fs::remove_file(&out);
    gdal(
        "ogr2ogr",
        &[
            "-f",
            "GeoJSON",
            "-lco",
            "COORDINATE_PRECISION=6",
            s(&out),
            s(dgn),
        ],
    );
    let j: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    j["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            let g = &f["geometry"];
            let rings = match g["type"].as_str() {
                Some("LineString") => vec![
                    g["coordinates"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|c| [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()])
                        .collect(),
                ],
                Some("Polygon") => g["coordinates"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| {
                        r.as_array()
                            .unwrap()
                            .iter()
                            .map(|c| [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()])
                            .collect()
                    })
                    .collect(),
                _ => Vec::new(),
            };
            (
                p["Type"].as_i64().unwrap(),
                p["Level"].as_i64().unwrap(),
                rings,
            )
        })
        .collect()
}

fn shoelace(r: &[[f64; 2]]) -> f64 {
    let o = r[0];
    let mut a = 0.0;
    for w in r.windows(2) {
        a += (w[0][0] - o[0]) * (w[1][1] - o[1]) - (w[1][0] - o[0]) * (w[0][1] - o[1]);
    }
    (a / 2.0).abs()
}

fn read_parcels(bytes: &[u8], levels: &[u8]) -> Layer {
    dgn::read(
        bytes,
        &dgn::ReadOptions {
            levels,
            kind: GeomKind::Polygon,
        },
    )
    .unwrap()
}

#[test]
fn gdals_dgn_files_read_as_gdal_reads_them_2d_3d_any_units_and_origin() {
    let d = dir("compare");
    let variants: [(&str, &[&str]); 4] = [
        ("default-seed", &[]),
        ("three-d", &["3D=YES"]),
        (
            "millimetres",
            &["UOR_PER_SUB_UNIT=10", "ORIGIN=-579000,-2154000,0"],
        ),
        (
            "feet-named",
            &[
                "MASTER_UNIT_NAME=m",
                "UOR_PER_SUB_UNIT=100",
                "ORIGIN=-570000,-2150000,0",
                "3D=YES",
            ],
        ),
    ];
    for (name, dsco) in variants {
        let dgn = make_dgn(&d, name, dsco);
        let theirs = gdal_reading(&d, &dgn);
        // GDAL gives each shape, holes too, as a polygon of its own
        let solids: Vec<&Vec<Vec<[f64; 2]>>> = theirs
            .iter()
            .filter(|(t, l, r)| matches!(t, 6 | 14) && !r.is_empty() && matches!(l, 0 | 10))
            .filter(|(_, _, r)| r[0].len() > 2)
            .map(|(_, _, r)| r)
            .collect();
        let ours = read_parcels(&std::fs::read(&dgn).unwrap(), &[10, 13]);
        // the well is a hole, not a parcel: one fewer than GDAL's polygons
        assert_eq!(ours.features.len(), 8, "{name}");
        assert_eq!(solids.len(), 9, "{name}");
        let mut matched_hole = false;
        for (k, f) in ours.features.iter().enumerate() {
            let Geometry::Polygons(p) = &f.geometry else {
                panic!()
            };
            let ext = &p[0][0];
            // the same exterior as GDAL's, vertex by vertex (to 1e-6 m)
            let twin = solids
                .iter()
                .find(|g| {
                    g[0].len() == ext.len()
                        && g[0]
                            .iter()
                            .zip(ext)
                            .all(|(a, b)| (a[0] - b[0]).abs() < 1e-6 && (a[1] - b[1]).abs() < 1e-6)
                })
                .unwrap_or_else(|| panic!("{name}: parcel {k} {:?} not in GDAL's reading", ext[0]));
            // areas: GDAL's exterior less GDAL's hole
            let mut want = shoelace(&twin[0]);
            if p[0].len() > 1 {
                let hole = solids
                    .iter()
                    .find(|g| (shoelace(&g[0]) - shoelace(&p[0][1])).abs() < 1e-9)
                    .unwrap();
                want -= shoelace(&hole[0]);
                matched_hole = true;
            }
            let got = f.geometry.area();
            assert!(
                (got - want).abs() < 0.01,
                "{name}: parcel {k}: {got} ≠ {want}"
            );
            let no = f.values[ours.field("parcel_no").unwrap()]
                .as_text()
                .unwrap()
                .into_owned();
            assert_eq!(no, (101 + k).to_string(), "{name}");
        }
        assert!(matched_hole, "{name}: the well is a hole");
        // the road: GDAL's line string, vertex by vertex
        let lines = dgn::read(
            &std::fs::read(&dgn).unwrap(),
            &dgn::ReadOptions {
                levels: &[30],
                kind: GeomKind::Line,
            },
        )
        .unwrap();
        let theirs_lines: Vec<&Vec<[f64; 2]>> = theirs
            .iter()
            .filter(|(t, l, _)| *t == 4 && *l == 30)
            .map(|(_, _, r)| &r[0])
            .collect();
        assert_eq!(lines.features.len(), theirs_lines.len(), "{name}");
        let Geometry::Lines(road) = &lines.features[0].geometry else {
            panic!()
        };
        assert_eq!(road[0].len(), theirs_lines[0].len(), "{name}");
        for (a, b) in road[0].iter().zip(theirs_lines[0]) {
            assert!(
                (a[0] - b[0]).abs() < 1e-6 && (a[1] - b[1]).abs() < 1e-6,
                "{name}: {a:?} {b:?}"
            );
        }
    }
}

/// The road along the parcels, as a GeoPackage made by GDAL.
fn segments(d: &Path) -> PathBuf {
    let csv = d.join("segs.csv");
    std::fs::write(
        &csv,
        format!(
            "id,name,current_width_m,planned_width_m,wkt\nS1,Đường Lê Lợi,4,10,\"LINESTRING({} {},{} {})\"\n",
            X - 5.0,
            Y - 4.0,
            X + 100.0,
            Y - 4.0
        ),
    )
    .unwrap();
    let out = d.join("segs.gpkg");
    gdal(
        "ogr2ogr",
        &[
            "-f",
            "GPKG",
            s(&out),
            s(&csv),
            "-oo",
            "GEOM_POSSIBLE_NAMES=wkt",
            "-oo",
            "KEEP_GEOM_COLUMNS=NO",
            "-oo",
            "AUTODETECT_TYPE=YES",
            "-a_srs",
            "EPSG:5897",
        ],
    );
    out
}

fn exported_parcels(db: &Path, d: &Path) -> Vec<serde_json::Value> {
    let out = d.join("exported.geojson");
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
    let j: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    j["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"].clone())
        .collect()
}

/// Runs an import expected to fail: its message holds `expect`, and the
/// database is unchanged.
fn refused(db: &Path, args: &[&str], expect: &[&str]) {
    let before = std::fs::read(db).ok();
    let mut a = vec!["import", "--db", s(db)];
    a.extend_from_slice(args);
    let o = run(&a);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{a:?} should fail");
    for e in expect {
        assert!(err.contains(e), "{e:?} in {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(std::fs::read(db).ok(), before, "the database is unchanged");
}

#[test]
fn a_dgn_imports_with_crs_and_levels_and_is_refused_without_them() {
    let d = dir("import");
    let dgn = make_dgn(&d, "sheet", &[]);
    let segs = segments(&d);
    let db = d.join("ward.db");
    let said = ok(&[
        "import",
        "--db",
        s(&db),
        "--segments",
        s(&segs),
        "--parcels",
        s(&dgn),
        "--crs",
        "EPSG:5897",
        "--dgn-level",
        "10,13",
    ]);
    assert!(said.contains("DGN V7 2D"), "{said}");
    let parcels = exported_parcels(&db, &d);
    assert_eq!(parcels.len(), 8);
    let mut nos: Vec<String> = parcels
        .iter()
        .map(|p| p["parcel_no"].as_str().unwrap_or_default().to_string())
        .collect();
    nos.sort();
    assert_eq!(nos, (101..=108).map(|n| n.to_string()).collect::<Vec<_>>());

    // the road from the same DGN (level 30) as the segments
    let db2 = d.join("ward2.db");
    ok(&[
        "import",
        "--db",
        s(&db2),
        "--segments",
        s(&dgn),
        "--parcels",
        s(&dgn),
        "--crs",
        "EPSG:5897",
        "--dgn-level",
        "10,13,30",
    ]);
    assert_eq!(exported_parcels(&db2, &d).len(), 8);
    let out = d.join("segs.geojson");
    ok(&[
        "export",
        "--db",
        s(&db2),
        "--format",
        "geojson",
        "--layer",
        "centerlines",
        "--out",
        s(&out),
    ]);
    let j: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let road = &j["features"][0]["properties"];
    assert_eq!(road["name"], "Đường Lê Lợi", "{road}");
    assert_eq!(road["plan_w_m"].as_f64(), Some(10.0), "{road}");
    assert_eq!(road["cur_w_m"].as_f64(), Some(4.0), "{road}");

    // refusals
    refused(
        &db,
        &["--segments", s(&segs), "--parcels", s(&dgn)],
        &["sheet.dgn", "a DGN file states no CRS: give --crs"],
    );
    refused(
        &db,
        &[
            "--segments",
            s(&segs),
            "--parcels",
            s(&dgn),
            "--crs",
            "EPSG:5897",
            "--dgn-level",
            "40",
        ],
        &[
            "sheet.dgn",
            "--dgn-level 40",
            "levels that have some: 10 (9), 20 (1)",
        ],
    );
    let v8 = d.join("v8.dgn");
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.resize(4096, 0);
    std::fs::write(&v8, bytes).unwrap();
    refused(
        &db,
        &[
            "--segments",
            s(&segs),
            "--parcels",
            s(&v8),
            "--crs",
            "EPSG:5897",
        ],
        &[
            "v8.dgn",
            "save as V7 in MicroStation",
            "File > Save As > V7",
        ],
    );
    let cut = d.join("cut.dgn");
    let whole = std::fs::read(&dgn).unwrap();
    std::fs::write(&cut, &whole[..whole.len() - 40]).unwrap();
    refused(
        &db,
        &[
            "--segments",
            s(&segs),
            "--parcels",
            s(&cut),
            "--crs",
            "EPSG:5897",
        ],
        &["cut.dgn", "at byte", "truncated"],
    );
}

#[test]
fn the_fuzz_seeds_read_so_the_fuzzer_starts_on_whole_files() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus/dgn");
    for seed in ["gdal-2d.dgn", "gdal-3d.dgn"] {
        let l = read_parcels(&std::fs::read(corpus.join(seed)).unwrap(), &[]);
        assert_eq!(l.features.len(), 6, "{seed}");
    }
}

/// A DGN drawn in feet with a CRS in US survey feet (EPSG:2263, New York
/// Long Island): its master units are the CRS's feet, converted once, where
/// GDAL puts them (the reader's metres were converted again: 220 km off).
#[test]
fn a_dgn_in_feet_with_a_crs_in_feet_lands_where_gdal_puts_it() {
    use hiendat::formats::surveyor;
    let d = dir("feet");
    let csv = d.join("ft.csv");
    std::fs::write(
        &csv,
        "wkt,Level,Text\n\"LINESTRING(989791.457 212522.519,989991.457 212525.519,990100 212700)\",30,\n",
    )
    .unwrap();
    let dgn = d.join("ft.dgn");
    gdal(
        "ogr2ogr",
        &[
            "-f",
            "DGN",
            s(&dgn),
            s(&csv),
            "-oo",
            "GEOM_POSSIBLE_NAMES=wkt",
            "-oo",
            "KEEP_GEOM_COLUMNS=NO",
            "-dsco",
            "MASTER_UNIT_NAME=ft",
            "-dsco",
            "SUB_UNIT_NAME=in",
            "-dsco",
            "SUB_UNITS_PER_MASTER_UNIT=12",
            "-dsco",
            "UOR_PER_SUB_UNIT=100",
            "-dsco",
            "ORIGIN=-900000,-200000,0",
        ],
    );
    let back = d.join("back.geojson");
    gdal(
        "ogr2ogr",
        &[
            "-f",
            "GeoJSON",
            "-lco",
            "COORDINATE_PRECISION=9",
            "-s_srs",
            "EPSG:2263",
            "-t_srs",
            "EPSG:4326",
            s(&back),
            s(&dgn),
        ],
    );
    let j: serde_json::Value = serde_json::from_slice(&std::fs::read(&back).unwrap()).unwrap();
    let theirs: Vec<[f64; 2]> = j["features"][0]["geometry"]["coordinates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()])
        .collect();
    assert_eq!(theirs.len(), 3);
    let opts = surveyor::ReadOptions {
        crs: Some("EPSG:2263".into()),
        ..Default::default()
    };
    let m = surveyor::read_segments(&dgn, &opts).unwrap();
    assert_eq!(m.features.len(), 1);
    let ours = &m.features[0].lines[0];
    assert_eq!(ours.len(), theirs.len());
    for (a, b) in ours.iter().zip(&theirs) {
        // 1e-8° is about 1 mm
        assert!(
            (a[0] - b[0]).abs() < 1e-8 && (a[1] - b[1]).abs() < 1e-8,
            "{a:?} ≠ GDAL's {b:?}"
        );
    }
    assert!(
        m.notes.iter().any(|n| n.contains("master unit (ft)")),
        "{:?}",
        m.notes
    );
}
