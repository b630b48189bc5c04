use super::*;
use crate::formats::testing::{gdal_quiet as gdal, square};
use std::path::{Path, PathBuf};
fn temp_dir(name: &str) -> PathBuf {
    crate::formats::testing::tmp("dxf", name)
}

const OWNER: &str = "Nguyễn Thị Hường";

/// Parcels near [580000, 2155000]: a plain one, one with a hole, a
/// concave (U) one, a two-part one, one without label or class.
fn parcels() -> Layer {
    let mut l = Layer::new(
        "parcels",
        "Thửa đất / Parcels",
        GeomKind::Polygon,
        vec![
            Field::new("parcel_no", FieldKind::Text),
            Field::new("status", FieldKind::Text),
            Field::new("owner", FieldKind::Text),
            Field::new("area_m2", FieldKind::Real),
            Field::new("note", FieldKind::Text),
        ],
    );
    l.class_field = Some(1);
    l.label_field = Some(0);
    let (x, y) = (580_000.0, 2_155_000.0);
    let mut hole = square(x + 32.0, y + 2.0, 4.0);
    hole.reverse();
    let u = vec![
        [x + 60.0, y],
        [x + 75.0, y],
        [x + 75.0, y + 20.0],
        [x + 70.0, y + 20.0],
        [x + 70.0, y + 5.0],
        [x + 65.0, y + 5.0],
        [x + 65.0, y + 20.0],
        [x + 60.0, y + 20.0],
        [x + 60.0, y],
    ];
    let long = "Hường ".repeat(80);
    let rows: Vec<(Geometry, [Value; 5])> = vec![
        (
            Geometry::Polygons(vec![vec![vec![
                [x + 0.1234, y + 0.5678],
                [x + 20.25, y + 1.75],
                [x + 18.5, y + 15.125],
                [x + 1.0, y + 12.0],
                [x + 0.1234, y + 0.5678],
            ]]]),
            [
                Value::Text("12".into()),
                Value::Text("signed".into()),
                Value::Text(OWNER.into()),
                Value::Real(250.5),
                Value::Null,
            ],
        ),
        (
            Geometry::Polygons(vec![vec![square(x + 30.0, y, 10.0), hole]]),
            [
                Value::Text("Đất công 3".into()),
                Value::Text("handed_over".into()),
                Value::Text("UBND phường".into()),
                Value::Integer(84),
                Value::Text(long),
            ],
        ),
        (
            Geometry::Polygons(vec![vec![u]]),
            [
                Value::Text("14".into()),
                Value::Text("signed".into()),
                Value::Text("Trần Văn Ân".into()),
                Value::Null,
                Value::Null,
            ],
        ),
        (
            Geometry::Polygons(vec![
                vec![square(x + 80.0, y, 5.0)],
                vec![square(x + 90.0, y, 3.0)],
            ]),
            [
                Value::Text("15".into()),
                Value::Text("đang vận động".into()),
                Value::Null,
                Value::Null,
                Value::Null,
            ],
        ),
        (
            Geometry::Polygons(vec![vec![square(x + 100.0, y, 6.0)]]),
            [
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
            ],
        ),
    ];
    for (geometry, values) in rows {
        l.features.push(Feature {
            geometry,
            values: values.to_vec(),
        });
    }
    l
}

fn lines() -> Layer {
    let mut l = Layer::new(
        "segments",
        "Đoạn đường / Segments",
        GeomKind::Line,
        vec![Field::new("name", FieldKind::Text)],
    );
    l.features.push(Feature {
        geometry: Geometry::Lines(vec![
            vec![[580_000.0, 2_154_990.0], [580_050.0, 2_154_990.0]],
            vec![[580_050.0, 2_154_990.0], [580_100.0, 2_154_992.0]],
        ]),
        values: vec![Value::Text("Đường Lê Lợi".into())],
    });
    l
}

fn points() -> Layer {
    let mut l = Layer::new(
        "stakes",
        "Mốc / Stakes",
        GeomKind::Point,
        vec![Field::new("no", FieldKind::Text)],
    );
    l.label_field = Some(0);
    for (i, name) in ["M1", "Mốc 2"].iter().enumerate() {
        l.features.push(Feature {
            geometry: Geometry::Point([580_000.0 + 10.0 * i as f64, 2_154_995.0]),
            values: vec![Value::Text(name.to_string())],
        });
    }
    l
}

fn write_file(dir: &Path, layers: &[Layer]) -> PathBuf {
    let path = dir.join("out.dxf");
    let f = std::fs::File::create(&path).unwrap();
    write(f, layers).unwrap();
    path
}

fn ring_areas(l: &Layer) -> Vec<f64> {
    let mut v: Vec<f64> = l
        .features
        .iter()
        .flat_map(|f| match &f.geometry {
            Geometry::Polygons(ps) => ps
                .iter()
                .flatten()
                .map(|r| signed_ring_area(r).abs())
                .collect(),
            _ => Vec::new(),
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn gdal_reads_the_written_drawing() {
    let dir = temp_dir("gdal-reads");
    let layers = [parcels(), lines(), points()];
    let path = write_file(&dir, &layers);
    let p = path.to_str().unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.is_ascii(), "non-ASCII must be escaped");
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("AC1015") && text.contains("$DWGCODEPAGE"));
    assert!(text.contains("Nguy\\U+1EC5n Th\\U+1ECB H\\U+01B0\\U+1EDDng"));

    // rings (1 + 2 + 1 + 2 + 1) + parcel labels 4 + line parts 2 + points 2 + point labels 2
    let info = gdal("ogrinfo", &["-ro", "-al", "-so", p]);
    assert!(info.contains("Layer name: entities"), "{info}");
    assert!(info.contains("Feature Count: 17"), "{info}");

    // DXF_CLOSED_POLYLINES_AS_POLYGONS is unknown to GDAL 3.6 (closed
    // polylines stay LINESTRINGs there): make the polygon in SQL then
    const AREA: &str = "ST_Area(CASE WHEN ST_GeometryType(geometry) LIKE '%LINESTRING%' \
                            THEN MakePolygon(geometry) ELSE geometry END)";
    let sql = format!(
        "SELECT Layer, {AREA} AS a FROM entities \
             WHERE Layer LIKE 'PARCELS%' AND Layer <> 'PARCELS_LABEL' ORDER BY a"
    );
    let out = gdal(
        "ogr2ogr",
        &[
            "--config",
            "DXF_CLOSED_POLYLINES_AS_POLYGONS",
            "TRUE",
            "-f",
            "CSV",
            "/vsistdout/",
            p,
            "-dialect",
            "sqlite",
            "-sql",
            &sql,
        ],
    );
    let rows = csv_rows(&out);
    let got: Vec<f64> = rows.iter().map(|r| r[1].parse().unwrap()).collect();
    let want = ring_areas(&layers[0]);
    assert_eq!(got.len(), want.len(), "{out}");
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() < 0.01, "area {g} vs {w}");
    }
    let mut names: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(
        names,
        [
            "PARCELS",
            "PARCELS_DANG_VAN_DONG",
            "PARCELS_HANDED_OVER",
            "PARCELS_SIGNED"
        ]
    );
    // the same area with ogrinfo's sqlite dialect, the plain polygon
    let one = gdal(
        "ogrinfo",
        &[
            "-ro",
            "--config",
            "DXF_CLOSED_POLYLINES_AS_POLYGONS",
            "TRUE",
            "-dialect",
            "sqlite",
            "-sql",
            &format!("SELECT SUM({AREA}) AS s FROM entities WHERE Layer = 'PARCELS_SIGNED'"),
            p,
        ],
    );
    let want: f64 = layers[0].features[0].geometry.area() + layers[0].features[2].geometry.area();
    let s: f64 = one
        .lines()
        .find_map(|l| l.trim().strip_prefix("s (Real) = "))
        .unwrap_or_else(|| panic!("{one}"))
        .parse()
        .unwrap();
    assert!((s - want).abs() < 0.01, "{s} vs {want}");

    let out = gdal(
        "ogr2ogr",
        &[
            "-f",
            "CSV",
            "/vsistdout/",
            p,
            "-dialect",
            "sqlite",
            "-sql",
            "SELECT Layer, Text FROM entities WHERE Text IS NOT NULL ORDER BY Text",
        ],
    );
    let texts: Vec<(String, String)> = csv_rows(&out)
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    let mut want: Vec<(String, String)> = [
        ("PARCELS_LABEL", "12"),
        ("PARCELS_LABEL", "14"),
        ("PARCELS_LABEL", "15"),
        ("PARCELS_LABEL", "Đất công 3"),
        ("STAKES_LABEL", "M1"),
        ("STAKES_LABEL", "Mốc 2"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    want.sort_by(|a, b| a.1.cmp(&b.1));
    let mut texts = texts;
    texts.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(texts, want);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn labels_sit_inside_concave_and_holed_polygons() {
    let l = parcels();
    for f in &l.features {
        let at = label_point(&f.geometry);
        let Geometry::Polygons(ps) = &f.geometry else {
            unreachable!()
        };
        assert!(ps.iter().any(|p| inside(p, at)), "{at:?} outside");
    }
}

#[test]
fn round_trip_keeps_parcels_labels_fields_and_areas() {
    let src = parcels();
    let mut buf = Vec::new();
    write(&mut buf, std::slice::from_ref(&src)).unwrap();
    let back = read(&buf, &ReadOptions::default()).unwrap();
    assert_eq!(back.name, "parcels");
    assert_eq!(back.kind, GeomKind::Polygon);
    assert!(back.srs.is_none());
    assert_eq!(back.features.len(), src.features.len(), "{:?}", back.notes);
    let names: Vec<&str> = back.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "handle",
            "dxf_layer",
            "label",
            "parcel_no",
            "status",
            "owner",
            "area_m2",
            "note"
        ]
    );
    for (a, b) in src.features.iter().zip(&back.features) {
        assert!((a.geometry.area() - b.geometry.area()).abs() < 0.01);
        let (Geometry::Polygons(pa), Geometry::Polygons(pb)) = (&a.geometry, &b.geometry) else {
            panic!()
        };
        assert_eq!(pa.len(), pb.len());
        for (x, y) in pa.iter().zip(pb) {
            assert_eq!(x.len(), y.len(), "rings of a polygon");
        }
        for (i, f) in src.fields.iter().enumerate() {
            let want = a.values[i].as_text().map(|c| c.into_owned());
            let got = back
                .value(b, &f.name)
                .and_then(|v| v.as_text())
                .map(|c| c.into_owned());
            assert_eq!(got, want, "field {}", f.name);
        }
        let label = back
            .value(b, "label")
            .and_then(|v| v.as_text())
            .map(|c| c.into_owned());
        assert_eq!(label, a.values[0].as_text().map(|c| c.into_owned()));
    }
    assert_eq!(
        back.value(&back.features[0], "owner"),
        Some(&Value::Text(OWNER.into()))
    );
    assert_eq!(
        back.value(&back.features[0], "dxf_layer"),
        Some(&Value::Text("PARCELS_SIGNED".into()))
    );
    // only the label layer's texts, none left over
    assert!(back.notes.is_empty(), "{:?}", back.notes);
}

#[test]
fn reads_a_drawing_written_by_gdal() {
    let dir = temp_dir("from-gdal");
    let gj = dir.join("in.geojson");
    std::fs::write(
            &gj,
            r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"Layer":"THUA"},"geometry":{"type":"Polygon","coordinates":[[[580000,2155000],[580020,2155000],[580020,2155010],[580000,2155010],[580000,2155000]]]}},
{"type":"Feature","properties":{"Layer":"THUA"},"geometry":{"type":"Polygon","coordinates":[[[580030,2155000],[580050,2155000],[580050,2155020],[580030,2155020],[580030,2155000]],[[580035,2155005],[580035,2155010],[580040,2155010],[580040,2155005],[580035,2155005]]]}},
{"type":"Feature","properties":{"Layer":"RANH"},"geometry":{"type":"LineString","coordinates":[[580060,2155000],[580070,2155005],[580060,2155010],[580060,2155000]]}}
]}"#,
        )
        .unwrap();
    let out = dir.join("gdal.dxf");
    gdal(
        "ogr2ogr",
        &["-f", "DXF", out.to_str().unwrap(), gj.to_str().unwrap()],
    );
    let bytes = std::fs::read(&out).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    // GDAL 3.6 writes polygons as HATCH, the closed line as LWPOLYLINE
    assert!(text.contains("HATCH"), "GDAL wrote no HATCH");
    let l = read(&bytes, &ReadOptions::default()).unwrap();
    let mut areas: Vec<f64> = l.features.iter().map(|f| f.geometry.area()).collect();
    areas.sort_by(f64::total_cmp);
    let want = [50.0, 200.0, 375.0];
    assert_eq!(areas.len(), 3, "{:?}", l.notes);
    for (a, w) in areas.iter().zip(want) {
        assert!((a - w).abs() < 0.01, "{a} vs {w}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A drawing as a CAD program might write it: CRLF, indented group
/// codes, a header code page.
fn drawing(entities: &str) -> Vec<u8> {
    let body = format!(
        "0\nSECTION\n2\nHEADER\n9\n$ACADVER\n1\nAC1015\n9\n$DWGCODEPAGE\n3\nANSI_1258\n0\nENDSEC\n\
             0\nSECTION\n2\nBLOCKS\n0\nBLOCK\n8\n0\n2\nB1\n0\nLWPOLYLINE\n8\n0\n90\n2\n10\n0\n20\n0\n10\n1\n20\n1\n0\nENDBLK\n0\nENDSEC\n\
             0\nSECTION\n2\nENTITIES\n{entities}0\nENDSEC\n0\nEOF\n"
    );
    body.lines()
        .map(|l| {
            // right-align group codes as AutoCAD does
            if l.parse::<i32>().is_ok() && l.len() < 3 {
                format!("{l:>3}\r\n")
            } else {
                format!("{l}\r\n")
            }
        })
        .collect::<String>()
        .into_bytes()
}

fn lw(handle: &str, layer: &str, closed: bool, pts: &[Pt]) -> String {
    let mut s = format!(
        "0\nLWPOLYLINE\n5\n{handle}\n100\nAcDbEntity\n8\n{layer}\n100\nAcDbPolyline\n90\n{}\n70\n{}\n",
        pts.len(),
        i32::from(closed)
    );
    for p in pts {
        s += &format!("10\n{}\n20\n{}\n", p[0], p[1]);
    }
    s
}

#[test]
fn reads_hatches_texts_mtexts_and_old_polylines() {
    let a = square(1000.0, 2000.0, 10.0);
    let mut ents = String::new();
    // parcel A: a closed polyline and a hatch over it (one parcel)
    ents += &lw("A1", "RANH_THUA", true, &a[..4]);
    ents += "0\nHATCH\n5\nA2\n8\nRANH_THUA\n100\nAcDbHatch\n10\n0\n20\n0\n30\n0\n2\nSOLID\n70\n1\n71\n0\n91\n1\n\
                 92\n3\n72\n0\n73\n1\n93\n4\n10\n1010\n20\n2000\n10\n1010\n20\n2010\n10\n1000\n20\n2010\n10\n1000\n20\n2000\n97\n1\n330\nA1\n\
                 75\n0\n76\n1\n98\n1\n10\n1005\n20\n2005\n";
    // parcel B: a hatch of line edges and an arc, with a square hole
    ents += "0\nHATCH\n5\nB1\n8\nRANH_THUA\n100\nAcDbHatch\n10\n0\n20\n0\n30\n0\n2\nSOLID\n70\n1\n71\n0\n91\n2\n\
                 92\n1\n93\n3\n72\n1\n10\n1020\n20\n2000\n11\n1040\n20\n2000\n";
    // (the line above misses its 21: fixed below by a full edge list)
    let ents_b_ok = "0\nHATCH\n5\nB1\n8\nRANH_THUA\n100\nAcDbHatch\n10\n0\n20\n0\n30\n0\n2\nSOLID\n70\n1\n71\n0\n91\n2\n\
                 92\n1\n93\n3\n\
                 72\n1\n10\n1020\n20\n2000\n11\n1040\n21\n2000\n\
                 72\n2\n10\n1030\n20\n2000\n40\n10\n50\n0\n51\n180\n73\n1\n\
                 72\n1\n10\n1020\n20\n2000\n11\n1020\n21\n2000\n\
                 97\n0\n\
                 92\n16\n93\n4\n\
                 72\n1\n10\n1028\n20\n2001\n11\n1032\n21\n2001\n\
                 72\n1\n10\n1032\n20\n2001\n11\n1032\n21\n2003\n\
                 72\n1\n10\n1032\n20\n2003\n11\n1028\n21\n2003\n\
                 72\n1\n10\n1028\n20\n2003\n11\n1028\n21\n2001\n\
                 97\n0\n75\n0\n76\n1\n98\n0\n";
    ents.truncate(ents.find("0\nHATCH\n5\nB1").unwrap());
    ents += ents_b_ok;
    // parcel C: an old-style closed POLYLINE
    ents += "0\nPOLYLINE\n5\nC1\n8\nRANH_THUA\n66\n1\n70\n1\n\
                 0\nVERTEX\n5\nC2\n8\nRANH_THUA\n10\n1050\n20\n2000\n\
                 0\nVERTEX\n5\nC3\n8\nRANH_THUA\n10\n1060\n20\n2000\n\
                 0\nVERTEX\n5\nC4\n8\nRANH_THUA\n10\n1060\n20\n2008\n\
                 0\nSEQEND\n5\nC5\n8\nRANH_THUA\n";
    // labels
    ents += "0\nTEXT\n5\nT1\n8\nSO_THUA\n10\n1004\n20\n2004\n40\n1\n1\n12\n";
    ents += "0\nMTEXT\n5\nT2\n8\nSO_THUA\n10\n1030\n20\n2006\n40\n1\n\
                 1\n{\\fArial|b0|i0;Th\\U+1EED{\\H0.7x;a}} 7\\P\\A1;%%c5\n";
    ents += "0\nTEXT\n5\nT3\n8\nSO_THUA\n10\n1057\n20\n2002\n40\n1\n72\n1\n11\n1058\n21\n2001\n1\nC%%%\n";
    ents += "0\nTEXT\n5\nT4\n8\nSO_THUA\n10\n5000\n20\n5000\n40\n1\n1\nngoài\n";
    // a text in B's hole: inside no parcel
    ents += "0\nTEXT\n5\nT5\n8\nSO_THUA\n10\n1030\n20\n2002\n40\n1\n1\nlỗ\n";
    ents += "0\nINSERT\n5\nI1\n8\n0\n2\nB1\n10\n0\n20\n0\n";
    ents += "0\nLINE\n5\nL1\n8\n0\n10\n0\n20\n0\n11\n1\n21\n1\n";

    let l = read(&drawing(&ents), &ReadOptions::default()).unwrap();
    assert_eq!(l.features.len(), 3, "{:?}", l.notes);
    let get = |f: &Feature, k: &str| {
        l.value(f, k)
            .and_then(|v| v.as_text())
            .map(|c| c.into_owned())
    };
    let a = &l.features[0];
    assert_eq!(get(a, "handle").as_deref(), Some("A1"));
    assert_eq!(get(a, "dxf_layer").as_deref(), Some("RANH_THUA"));
    assert_eq!(get(a, "label").as_deref(), Some("12"));
    assert!((a.geometry.area() - 100.0).abs() < 1e-9);
    let b = &l.features[1];
    assert_eq!(get(b, "handle").as_deref(), Some("B1"));
    assert_eq!(get(b, "label").as_deref(), Some("Thửa 7 Ø5"));
    // a half disc of radius 10 minus a 4 × 2 hole
    let half_disc = std::f64::consts::PI * 100.0 / 2.0;
    assert!(
        (b.geometry.area() - (half_disc - 8.0)).abs() < 0.6,
        "{}",
        b.geometry.area()
    );
    let Geometry::Polygons(pb) = &b.geometry else {
        panic!()
    };
    assert_eq!(pb.len(), 1);
    assert_eq!(pb[0].len(), 2, "hole kept");
    let c = &l.features[2];
    assert_eq!(get(c, "handle").as_deref(), Some("C1"));
    assert_eq!(get(c, "label").as_deref(), Some("C%"));
    assert!((c.geometry.area() - 40.0).abs() < 1e-9);
    let notes = l.notes.join("\n");
    assert!(notes.contains("1 khối (INSERT)"), "{notes}");
    assert!(
        notes.contains("2 chữ (TEXT/MTEXT) không nằm trong thửa nào"),
        "{notes}"
    );
    assert!(notes.contains("1 HATCH trùng đường bao"), "{notes}");
    assert!(notes.contains("1 đối tượng khác"), "{notes}");

    // layer filter: nothing on "QH" → no parcel
    let only = ["qh".to_string()];
    let e = read(
        &drawing(&ents),
        &ReadOptions {
            layer_prefixes: &only,
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("không tìm thấy thửa đất"), "{e}");
    assert!(e.to_string().contains("RANH_THUA"), "{e}");
    // "ranh" selects the parcels but not the texts on SO_THUA
    let ranh = ["ranh".to_string()];
    let l = read(
        &drawing(&ents),
        &ReadOptions {
            layer_prefixes: &ranh,
        },
    )
    .unwrap();
    assert_eq!(l.features.len(), 3);
    assert!(l.features.iter().all(|f| f.values[2] == Value::Null));
}

#[test]
fn open_polylines_are_listed_by_handle() {
    let mut ents = lw("1F0", "RANH", true, &square(0.0, 0.0, 5.0)[..4]);
    ents += &lw("2A", "RANH", false, &[[0.0, 0.0], [5.0, 0.0], [5.0, 5.0]]);
    // first point repeated: closed
    ents += &lw("2B", "RANH", false, &square(10.0, 0.0, 5.0));
    for i in 0..22 {
        ents += &lw(
            &format!("3{i:02X}"),
            "DUONG",
            false,
            &[[0.0, 0.0], [9.0, 9.0]],
        );
    }
    let e = read(&drawing(&ents), &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("23 đường polyline hở"), "{e}");
    assert!(e.contains("2A, 300"), "{e}");
    assert!(e.contains("và 3 nữa") && e.contains("and 3 more"), "{e}");
    assert!(!e.contains("2B") && !e.contains("1F0"), "{e}");
    assert!(e.contains("--dxf-layer"), "{e}");
    let ranh = ["RANH".to_string()];
    let e = read(
        &drawing(&ents),
        &ReadOptions {
            layer_prefixes: &ranh,
        },
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("1 đường polyline hở") && e.contains("2A"), "{e}");
    // the open one dropped: two parcels
    let ents = ents.replace(
        &lw("2A", "RANH", false, &[[0.0, 0.0], [5.0, 0.0], [5.0, 5.0]]),
        "",
    );
    let l = read(
        &drawing(&ents),
        &ReadOptions {
            layer_prefixes: &ranh,
        },
    )
    .unwrap();
    assert_eq!(l.features.len(), 2);
}

#[test]
fn truncated_files_are_errors() {
    let mut buf = Vec::new();
    write(&mut buf, &[parcels()]).unwrap();
    let text = String::from_utf8(buf).unwrap();
    let mid = text.find("LWPOLYLINE").unwrap() + 200;
    // cut inside ENTITIES, at a line end and in the middle of a tag
    let cut_at_line = &text[..text[..mid].rfind('\n').unwrap() + 1];
    for cut in [cut_at_line, &text[..mid]] {
        let e = read(cut.as_bytes(), &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("bị cắt cụt") && e.contains("truncated"), "{e}");
    }
    // a code line without its value
    let e = read(b"0\nSECTION\n2\nENTITIES\n0", &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("cắt cụt"), "{e}");
}

#[test]
fn bad_numbers_name_the_handle_and_line() {
    let ents =
        lw("7C", "RANH", true, &square(0.0, 0.0, 5.0)[..4]).replacen("20\n0\n", "20\n0,5m\n", 1);
    let bytes = drawing(&ents);
    let e = read(&bytes, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    let line = String::from_utf8(bytes)
        .unwrap()
        .lines()
        .position(|l| l == "0,5m")
        .unwrap()
        + 1;
    assert!(e.contains("handle 7C"), "{e}");
    assert!(
        e.contains(&format!("dòng {line}")) && e.contains(&format!("line {line}")),
        "{e}"
    );
    assert!(e.contains("0,5m"), "{e}");

    let e = read(b"  0\nSECTION\nxx\nENTITIES\n", &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("dòng 3") && e.contains("group code"), "{e}");
}

#[test]
fn not_a_dxf_and_empty_drawings_are_errors() {
    for bytes in [&b""[..], b"hello\nworld\n", b"999\ncomment only\n"] {
        let e = read(bytes, &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("không phải tệp DXF") && e.contains("not a DXF"),
            "{e}"
        );
    }
    let e = read(b"AC1015\0\0binary", &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("DWG"), "{e}");
    let e = read(b"AutoCAD Binary DXF\r\n\x1a\0", &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("binary DXF"), "{e}");
    let ents = "0\nTEXT\n5\n1\n8\n0\n10\n0\n20\n0\n40\n1\n1\nx\n";
    let e = read(&drawing(ents), &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("no parcel"), "{e}");
    // written points and lines only: no parcel either
    let mut buf = Vec::new();
    write(&mut buf, &[points()]).unwrap();
    let e = read(&buf, &ReadOptions::default()).unwrap_err().to_string();
    assert!(e.contains("no parcel"), "{e}");
}

#[test]
fn text_codes_decode() {
    assert_eq!(decode_unicode_escapes("Nguy\\U+1EC5n \\u+0110"), "Nguyễn Đ");
    assert_eq!(decode_unicode_escapes("a\\b\\U+12"), "a\\b\\U+12");
    assert_eq!(decode_unicode_escapes("\\U+D83D\\U+DE00"), "😀");
    assert_eq!(
        decode_percent_codes("45%%d %%p1 %%c2 100%%% %%u x%%"),
        "45° ±1 Ø2 100%  x%%"
    );
    assert_eq!(
        strip_mtext("{\\fTimes New Roman|b1;12}\\P\\A1;\\S1^2; a\\~b \\{x\\}"),
        "12 1/2 a b {x}"
    );
    let mut b = Vec::new();
    escape_into("Hường\n", &mut b, 255);
    assert_eq!(b, b"H\\U+01B0\\U+1EDDng ");
    let mut b = Vec::new();
    escape_into("abcĐ", &mut b, 5);
    assert_eq!(b, b"abc");
    assert_eq!(layer_name_part("Đã bàn giao"), "DA_BAN_GIAO");
    assert_eq!(layer_name_part("handed_over"), "HANDED_OVER");
}

#[test]
fn coordinates_have_four_decimals() {
    let mut o = Out {
        w: BufWriter::new(Vec::new()),
        buf: Vec::new(),
    };
    for v in [580_000.123_45, -0.00004, -12.5, 2_155_000.999_96, 0.0] {
        o.c(10, v).unwrap();
    }
    let s = String::from_utf8(o.w.into_inner().unwrap()).unwrap();
    assert_eq!(
        s,
        " 10\n580000.1235\n 10\n0.0000\n 10\n-12.5000\n 10\n2155001.0000\n 10\n0.0000\n"
    );
}

#[test]
fn long_xdata_values_are_split_and_joined() {
    let mut l = Layer::new(
        "p",
        "p",
        GeomKind::Polygon,
        vec![Field::new("note", FieldKind::Text)],
    );
    let long = "Đường số 7 — ".repeat(60);
    l.features.push(Feature {
        geometry: Geometry::Polygons(vec![vec![square(0.0, 0.0, 1.0)]]),
        values: vec![Value::Text(long.clone())],
    });
    let mut buf = Vec::new();
    write(&mut buf, &[l]).unwrap();
    let text = String::from_utf8(buf.clone()).unwrap();
    let mut lines = text.lines();
    while let (Some(c), Some(v)) = (lines.next(), lines.next()) {
        if c.trim() == "1000" {
            assert!(v.len() <= XSTR_MAX, "{}", v.len());
        }
    }
    let back = read(&buf, &ReadOptions::default()).unwrap();
    assert_eq!(
        back.value(&back.features[0], "note"),
        Some(&Value::Text(long.trim().into()))
    );
}

#[test]
fn clockwise_arc_edges_and_mirrored_polylines() {
    // a 10 × 10 square whose right side is a half circle bulging out,
    // drawn clockwise (angles stored as 270..450), as ezdxf writes it;
    // then a square drawn in a mirrored plane (extrusion 0,0,-1)
    let ents = "0\nHATCH\n5\n2F\n8\nT\n100\nAcDbHatch\n10\n0\n20\n0\n30\n0\n210\n0\n220\n0\n230\n1\n\
                    2\nSOLID\n70\n1\n71\n0\n91\n1\n92\n1\n93\n4\n\
                    72\n1\n10\n0\n20\n0\n11\n0\n21\n10\n\
                    72\n1\n10\n0\n20\n10\n11\n10\n21\n10\n\
                    72\n2\n10\n10\n20\n5\n40\n5\n50\n270\n51\n450\n73\n0\n\
                    72\n1\n10\n10\n20\n0\n11\n0\n21\n0\n97\n0\n75\n0\n76\n1\n98\n0\n\
                    0\nLWPOLYLINE\n5\n40\n8\nT\n90\n4\n70\n1\n10\n100\n20\n0\n10\n110\n20\n0\n\
                    10\n110\n20\n10\n10\n100\n20\n10\n210\n0\n220\n0\n230\n-1\n";
    let l = read(&drawing(ents), &ReadOptions::default()).unwrap();
    assert_eq!(l.features.len(), 2);
    let want = 100.0 + std::f64::consts::PI * 25.0 / 2.0;
    let a = &l.features[0].geometry;
    assert!((a.area() - want).abs() < 0.02, "{}", a.area());
    let Geometry::Polygons(ps) = a else { panic!() };
    assert!(ps[0][0].iter().any(|p| p[0] > 14.9), "bulges to the right");
    let Geometry::Polygons(ps) = &l.features[1].geometry else {
        panic!()
    };
    assert!(ps[0][0].iter().all(|p| p[0] <= -100.0 && p[0] >= -110.0));
}
