use super::*;
use crate::formats::testing::{VN2000_WKT, gdal, square};
use std::io::Cursor;
fn tmp(name: &str) -> std::path::PathBuf {
    crate::formats::testing::tmp("shp", name)
}

fn rev(mut r: Vec<Pt>) -> Vec<Pt> {
    r.reverse();
    r
}

fn vn2000() -> Srs {
    Srs {
        epsg: Some(5897),
        name: "VN-2000 / TM-3 zone 482".into(),
        wkt: VN2000_WKT.into(),
        geographic: false,
    }
}

/// Parcels: a square with a hole, a multipolygon, a triangle; text,
/// reals, integers, nulls.
fn parcels() -> Layer {
    let mut l = Layer::new(
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
    l.srs = Some(vn2000());
    let (x, y) = (580_000.0, 2_155_000.0);
    let g1 = Geometry::Polygons(vec![vec![
        square(x, y, 20.0),
        rev(square(x + 5.0, y + 5.0, 4.0)),
    ]]);
    let g2 = Geometry::Polygons(vec![
        vec![square(x + 100.0, y, 10.0)],
        vec![square(x + 120.0, y, 5.0)],
    ]);
    let g3 = Geometry::Polygons(vec![vec![vec![
        [x + 200.125, y + 0.375],
        [x + 231.5, y + 3.25],
        [x + 210.75, y + 27.625],
        [x + 200.125, y + 0.375],
    ]]]);
    let vals = [
        (1, "Nguyễn Thị Hường", Some(384.0), "Trường Thi"),
        (2, "Trần Văn Ơn", Some(125.0), ""),
        (3, "ĐƯỜNG LÊ LỢI", None, "Tổ dân phố 5, Hải Châu, đất ở"),
    ];
    for (g, (n, owner, area, note)) in [g1, g2, g3].into_iter().zip(vals) {
        l.features.push(Feature {
            geometry: g,
            values: vec![
                Value::Integer(n),
                Value::Text(owner.into()),
                area.map_or(Value::Null, Value::Real),
                Value::Text(note.into()),
            ],
        });
    }
    l
}

/// The layer as a shapefile gives it back: exteriors clockwise, holes
/// counter-clockwise, empty text null, no title/class/label, srs as WKT.
fn as_read(l: &Layer) -> Layer {
    let mut r = l.clone();
    r.title = r.name.clone();
    r.class_field = None;
    r.label_field = None;
    r.srs = l.srs.as_ref().map(|s| Srs {
        epsg: None,
        name: String::new(),
        wkt: s.wkt.clone(),
        geographic: s.geographic,
    });
    for f in &mut r.features {
        if let Geometry::Polygons(ps) = &mut f.geometry {
            for p in ps {
                for (k, ring) in p.iter_mut().enumerate() {
                    if (signed_ring_area(ring) > 0.0) == (k == 0) {
                        ring.reverse();
                    }
                }
            }
        }
        for v in &mut f.values {
            if matches!(v, Value::Text(s) if s.is_empty()) {
                *v = Value::Null;
            }
        }
    }
    r
}

fn zip_bytes(layers: &[&Layer]) -> Vec<u8> {
    let mut buf = Cursor::new(Vec::new());
    write_zip_layers(&mut buf, layers).unwrap();
    buf.into_inner()
}

fn write_files(dir: &Path, stem: &str, f: &Files) {
    std::fs::write(dir.join(format!("{stem}.shp")), &f.shp).unwrap();
    std::fs::write(dir.join(format!("{stem}.shx")), &f.shx).unwrap();
    std::fs::write(dir.join(format!("{stem}.dbf")), &f.dbf).unwrap();
    if !f.cpg.is_empty() {
        std::fs::write(dir.join(format!("{stem}.cpg")), f.cpg).unwrap();
    }
    if let Some(p) = &f.prj {
        std::fs::write(dir.join(format!("{stem}.prj")), p).unwrap();
    }
}

fn err_text(r: Result<Vec<Layer>, FormatError>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

/// `name (Real) = value` lines of an ogrinfo dump, in order.
fn ogr_values(out: &str, name: &str) -> Vec<String> {
    out.lines()
        .filter_map(|l| {
            let l = l.trim();
            l.starts_with(&format!("{name} ("))
                .then(|| l.split_once(" = ").map(|(_, v)| v.to_string()))
                .flatten()
        })
        .collect()
}

#[test]
fn gdal_reads_written_zip() {
    let dir = tmp("gdal-reads");
    let layer = parcels();
    let zip = dir.join("ward.zip");
    let f = std::fs::File::create(&zip).unwrap();
    write_zip(f, &layer).unwrap();
    let vsi = format!("/vsizip/{}", zip.display());
    let so = gdal("ogrinfo", &["-ro", "-al", "-so", &vsi]);
    assert!(so.contains("Layer name: parcels"), "{so}");
    assert!(so.contains("Geometry: Polygon"), "{so}");
    assert!(so.contains("Feature Count: 3"), "{so}");
    assert!(so.contains("VN-2000 / TM-3 zone 482"), "{so}");
    assert!(so.contains("ID[\"EPSG\",5897]"), "{so}");
    assert!(so.contains("so_thua: Integer64 (18.0)"), "{so}");
    assert!(so.contains("dien_tich: Real (19.6)"), "{so}");
    // width = longest value in bytes
    let longest = "Tổ dân phố 5, Hải Châu, đất ở".len();
    assert!(
        so.contains(&format!("ghi_chu: String ({longest}.0)")),
        "{so}"
    );
    let all = gdal("ogrinfo", &["-ro", "-al", &vsi]);
    assert_eq!(
        ogr_values(&all, "chu"),
        ["Nguyễn Thị Hường", "Trần Văn Ơn", "ĐƯỜNG LÊ LỢI"]
    );
    assert_eq!(
        ogr_values(&all, "dien_tich"),
        ["384.000000", "125.000000", "(null)"]
    );
    assert_eq!(ogr_values(&all, "ghi_chu")[1], "(null)");
    // areas, holes and parts as GDAL reads them
    let sql = gdal(
        "ogrinfo",
        &[
            "-ro",
            "-dialect",
            "sqlite",
            "-sql",
            "SELECT ST_Area(geometry) AS a, ST_NumInteriorRing(ST_GeometryN(geometry, 1)) AS h, \
                 ST_NumGeometries(geometry) AS g FROM parcels",
            &vsi,
        ],
    );
    let areas: Vec<f64> = ogr_values(&sql, "a")
        .iter()
        .map(|a| a.parse().unwrap())
        .collect();
    assert_eq!(areas.len(), 3);
    for (a, f) in areas.iter().zip(&layer.features) {
        assert!(
            (a - f.geometry.area()).abs() < 0.01,
            "{a} vs {}",
            f.geometry.area()
        );
    }
    assert!((areas[0] - 384.0).abs() < 0.01);
    assert_eq!(ogr_values(&sql, "h")[0], "1");
    assert_eq!(ogr_values(&sql, "g")[1], "2");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn round_trip() {
    let layer = parcels();
    let bytes = zip_bytes(&[&layer]);
    let got = read_zip(Cursor::new(bytes), "ward.zip", None).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0], as_read(&layer));
    assert!(got[0].notes.is_empty(), "{:?}", got[0].notes);
    // from a folder and from the .shp too
    let dir = tmp("round-trip");
    write_files(&dir, "parcels", &build(&layer, None).unwrap());
    assert_eq!(read(&dir, None).unwrap(), got);
    assert_eq!(read(&dir.join("parcels.shp"), None).unwrap(), got);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn lines_and_points_in_one_zip() {
    let mut roads = Layer::new(
        "roads",
        "Đường",
        GeomKind::Line,
        vec![
            Field::new("ten", FieldKind::Text),
            Field::new("rong", FieldKind::Real),
        ],
    );
    roads.features.push(Feature {
        geometry: Geometry::Lines(vec![
            vec![[580_000.0, 2_155_000.0], [580_050.5, 2_155_010.25]],
            vec![
                [580_060.0, 2_155_000.0],
                [580_070.0, 2_155_020.0],
                [580_090.0, 2_155_020.0],
            ],
        ]),
        values: vec![Value::Text("Lê Lợi".into()), Value::Real(7.5)],
    });
    let mut pts = Layer::new(
        "stakes",
        "Mốc",
        GeomKind::Point,
        vec![Field::new("so", FieldKind::Integer)],
    );
    for i in 0..3 {
        pts.features.push(Feature {
            geometry: Geometry::Point([580_000.0 + f64::from(i), 2_155_000.5]),
            values: vec![Value::Integer(i64::from(i) - 1)],
        });
    }
    let dir = tmp("lines-points");
    let zip = dir.join("two.zip");
    std::fs::write(&zip, zip_bytes(&[&roads, &pts])).unwrap();
    let vsi = format!("/vsizip/{}", zip.display());
    let so = gdal("ogrinfo", &["-ro", "-al", "-so", &vsi]);
    assert!(so.contains("Geometry: Line String"), "{so}");
    assert!(so.contains("Geometry: Point"), "{so}");
    let wkt = gdal(
        "ogr2ogr",
        &[
            "-f",
            "CSV",
            "/vsistdout/",
            &vsi,
            "roads",
            "-lco",
            "GEOMETRY=AS_WKT",
        ],
    );
    assert!(
        wkt.contains("MULTILINESTRING ((580000 2155000,580050.5 2155010.25)"),
        "{wkt}"
    );
    let got = read(&zip, None).unwrap();
    let names: Vec<&str> = got.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["roads", "stakes"]);
    let mut want = as_read(&roads);
    want.notes.push("roads: không có tệp .prj, chưa rõ hệ tọa độ / roads: no .prj file, coordinate system unknown".into());
    assert_eq!(got[0], want);
    assert_eq!(got[1].features, as_read(&pts).features);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn reads_shapefiles_made_by_gdal() {
    let dir = tmp("from-gdal");
    let gj = dir.join("in.geojson");
    // around [580000, 2155000] in VN-2000 / TM-3 105°
    std::fs::write(
            &gj,
            r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"chu":"Nguyễn Thị Hường","so":7,"dt":12.5,"ghi":null},
 "geometry":{"type":"Polygon","coordinates":[[[105.77,19.48],[105.771,19.48],[105.771,19.481],[105.77,19.481],[105.77,19.48]],
   [[105.7702,19.4802],[105.7702,19.4804],[105.7704,19.4804],[105.7704,19.4802],[105.7702,19.4802]]]}},
{"type":"Feature","properties":{"chu":"Hải Châu","so":8,"dt":null,"ghi":"đất ở"},
 "geometry":{"type":"MultiPolygon","coordinates":[[[[105.78,19.48],[105.781,19.48],[105.781,19.481],[105.78,19.48]]],
   [[[105.79,19.48],[105.791,19.48],[105.791,19.481],[105.79,19.48]]]]}}]}"#,
        )
        .unwrap();
    let gj = gj.to_str().unwrap();
    let shp_dir = dir.join("shp");
    std::fs::create_dir_all(&shp_dir).unwrap();
    let wgs = shp_dir.join("wgs.shp");
    let vn = shp_dir.join("vn.shp");
    let (wgs, vn) = (wgs.to_str().unwrap(), vn.to_str().unwrap());
    gdal(
        "ogr2ogr",
        &["-f", "ESRI Shapefile", wgs, gj, "-lco", "ENCODING=UTF-8"],
    );
    gdal(
        "ogr2ogr",
        &[
            "-f",
            "ESRI Shapefile",
            vn,
            gj,
            "-t_srs",
            "EPSG:5897",
            "-lco",
            "ENCODING=UTF-8",
        ],
    );
    let layers = read(&shp_dir, None).unwrap();
    assert_eq!(layers.len(), 2);
    let (vn_l, wgs_l) = (&layers[0], &layers[1]);
    assert_eq!((vn_l.name.as_str(), wgs_l.name.as_str()), ("vn", "wgs"));
    assert!(wgs_l.srs.as_ref().unwrap().geographic);
    let vsrs = vn_l.srs.as_ref().unwrap();
    assert!(
        !vsrs.geographic && vsrs.wkt.starts_with("PROJCS[\"VN_2000"),
        "{vsrs:?}"
    );
    for l in &layers {
        assert_eq!(l.kind, GeomKind::Polygon);
        assert!(l.notes.is_empty(), "{:?}", l.notes);
        let kinds: Vec<(&str, FieldKind)> =
            l.fields.iter().map(|f| (f.name.as_str(), f.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("chu", FieldKind::Text),
                ("so", FieldKind::Integer),
                ("dt", FieldKind::Real),
                ("ghi", FieldKind::Text)
            ]
        );
        let f = &l.features;
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].values[0], Value::Text("Nguyễn Thị Hường".into()));
        assert_eq!(f[0].values[1], Value::Integer(7));
        assert_eq!(f[0].values[2], Value::Real(12.5));
        assert_eq!(f[0].values[3], Value::Null);
        assert_eq!(f[1].values[2], Value::Null);
        assert_eq!(f[1].values[3], Value::Text("đất ở".into()));
        let Geometry::Polygons(p0) = &f[0].geometry else {
            panic!()
        };
        assert_eq!((p0.len(), p0[0].len()), (1, 2), "a polygon with its hole");
        let Geometry::Polygons(p1) = &f[1].geometry else {
            panic!()
        };
        assert_eq!(p1.len(), 2, "a multipolygon");
    }
    // areas agree with GDAL's
    let sql = gdal(
        "ogrinfo",
        &[
            "-ro",
            "-dialect",
            "sqlite",
            "-sql",
            "SELECT ST_Area(geometry) AS a FROM vn",
            vn,
        ],
    );
    let areas: Vec<f64> = ogr_values(&sql, "a")
        .iter()
        .map(|a| a.parse().unwrap())
        .collect();
    for (a, f) in areas.iter().zip(&vn_l.features) {
        assert!(
            (a - f.geometry.area()).abs() < 0.01,
            "{a} vs {}",
            f.geometry.area()
        );
    }
    assert!(vn_l.features[0].values.len() == 4 && areas[0] > 10_000.0);
    // GDAL's default encoding (no .cpg, LDID 87) with ASCII text, and
    // a MultiPoint layer
    std::fs::write(
        dir.join("mp.geojson"),
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"n":"A"},
 "geometry":{"type":"MultiPoint","coordinates":[[105.77,19.48],[105.78,19.49]]}}]}"#,
    )
    .unwrap();
    let mp = dir.join("mp.shp");
    gdal(
        "ogr2ogr",
        &[
            "-f",
            "ESRI Shapefile",
            mp.to_str().unwrap(),
            dir.join("mp.geojson").to_str().unwrap(),
        ],
    );
    let l = read(&mp, None).unwrap();
    assert_eq!(l[0].kind, GeomKind::Point);
    assert_eq!(l[0].features.len(), 2);
    assert_eq!(l[0].features[1].geometry, Geometry::Point([105.78, 19.49]));
    assert!(
        l[0].notes.iter().any(|n| n.contains("MultiPoint")),
        "{:?}",
        l[0].notes
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn legacy_dbf_is_decoded() {
    let layer = parcels();
    for enc in [Legacy::Tcvn3, Legacy::Vni] {
        let dir = tmp(&format!("legacy-{}", enc.name()));
        let files = build(&layer, Some(enc)).unwrap();
        // the bytes really are legacy, not UTF-8
        let owner = legacy_vn::encode("Nguyễn Thị Hường", enc).unwrap();
        assert!(
            files
                .dbf
                .windows(owner.len())
                .any(|w| w == owner.as_slice())
        );
        write_files(&dir, "parcels", &files);
        let got = read(&dir, None).unwrap();
        let mut want = as_read(&layer);
        let note = format!(
            "bảng thuộc tính mã hóa {0}, đã chuyển sang Unicode / attribute table in {0}, \
                 converted to Unicode",
            enc.name()
        );
        want.notes.push(note.clone());
        assert_eq!(got[0], want, "{enc:?}");
        // GDAL opens it too (as Latin-1, garbled: why we decode)
        let so = gdal("ogrinfo", &["-ro", "-al", "-so", dir.to_str().unwrap()]);
        assert!(so.contains("Feature Count: 3"), "{so}");
        // a .cpg naming the encoding; a forced encoding wins over it
        std::fs::write(dir.join("parcels.cpg"), enc.name()).unwrap();
        assert_eq!(read(&dir, None).unwrap()[0], want);
        let forced = read(&dir, Some(Encoding::Latin1)).unwrap();
        assert_ne!(forced[0].features[0].values[1], want.features[0].values[1]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn latin1_dbf_falls_back_with_a_note() {
    let mut l = Layer::new(
        "t",
        "t",
        GeomKind::Point,
        vec![Field::new("ten", FieldKind::Text)],
    );
    l.features.push(Feature {
        geometry: Geometry::Point([1.0, 2.0]),
        values: vec![Value::Text("Cafe Muller".into())],
    });
    let mut files = build(&l, None).unwrap();
    let at = files.dbf.windows(4).position(|w| w == b"Cafe").unwrap();
    files.dbf[at + 3] = 0xE9;
    files.dbf[at + 6] = 0xFC;
    files.cpg = "";
    let dir = tmp("latin1");
    write_files(&dir, "t", &files);
    let r = read(&dir, None).unwrap();
    assert_eq!(
        r[0].features[0].values[0],
        Value::Text("Café Müller".into())
    );
    assert!(
        r[0].notes.iter().any(|n| n.contains("Windows-1252")),
        "{:?}",
        r[0].notes
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn truncated_shp_names_the_record() {
    let layer = parcels();
    let files = build(&layer, None).unwrap();
    let dir = tmp("truncated");
    // record 2 starts after the header and record 1
    let rec1_len = 8 + 2 * be_i32(&files.shp, 104).unwrap() as usize;
    for cut in [100 + rec1_len + 20, 100 + rec1_len, 100 + rec1_len + 4] {
        let mut f = build(&layer, None).unwrap();
        f.shp.truncate(cut);
        write_files(&dir, "parcels", &f);
        let e = err_text(read(&dir, None));
        assert!(
            e.contains("bản ghi 2 của parcels.shp bị cắt cụt"),
            "{cut}: {e}"
        );
        assert!(e.contains("record 2 of parcels.shp is truncated"), "{e}");
    }
    // no prefix or corruption of the .shp panics
    for cut in 0..files.shp.len() {
        let _ = parse_shp(&files.shp[..cut], "x.shp");
    }
    for i in 100..files.shp.len() {
        let mut s = files.shp.clone();
        s[i] ^= 0x80;
        let _ = parse_shp(&s, "x.shp");
        s[i] = 0xFF;
        let _ = parse_shp(&s, "x.shp");
    }
    for cut in 0..files.dbf.len() {
        let _ = parse_dbf_header(&files.dbf[..cut], "x.dbf");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn dbf_with_fewer_records_is_refused() {
    let layer = parcels();
    let mut two = layer.clone();
    two.features.pop();
    let mut files = build(&layer, None).unwrap();
    files.dbf = build(&two, None).unwrap().dbf;
    let dir = tmp("fewer");
    write_files(&dir, "parcels", &files);
    let e = err_text(read(&dir, None));
    assert!(
        e.contains("parcels.dbf có 2 bản ghi, parcels.shp có 3"),
        "{e}"
    );
    // and a .dbf cut short
    let mut files = build(&layer, None).unwrap();
    files.dbf.truncate(files.dbf.len() - 10);
    write_files(&dir, "parcels", &files);
    let e = err_text(read(&dir, None));
    assert!(e.contains("bản ghi 3 của parcels.dbf bị cắt cụt"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_numbers_deleted_records_and_missing_parts() {
    let layer = parcels();
    let dir = tmp("bad");
    let files = build(&layer, None).unwrap();
    // record 2's so_thua (N 18) becomes "12a"
    let (header_len, rec_len) = (
        usize::from(u16::from_le_bytes([files.dbf[8], files.dbf[9]])),
        usize::from(u16::from_le_bytes([files.dbf[10], files.dbf[11]])),
    );
    let cell = header_len + rec_len + 1;
    let mut bad = build(&layer, None).unwrap();
    bad.dbf[cell..cell + 18].copy_from_slice(b"               12a");
    write_files(&dir, "parcels", &bad);
    let e = err_text(read(&dir, None));
    assert!(
        e.contains("bản ghi 2 của parcels.dbf, trường so_thua: \"12a\" không phải là số"),
        "{e}"
    );
    assert!(e.contains("record 2 of parcels.dbf, field so_thua: \"12a\" is not a number"));
    // a deleted record is skipped with its shape
    let mut del = build(&layer, None).unwrap();
    del.dbf[header_len + rec_len] = b'*';
    write_files(&dir, "parcels", &del);
    let r = read(&dir, None).unwrap();
    assert_eq!(r[0].features.len(), 2);
    assert_eq!(r[0].features[1].values[0], Value::Integer(3));
    assert!(
        r[0].notes.iter().any(|n| n.contains("1 deleted")),
        "{:?}",
        r[0].notes
    );
    // missing .dbf
    std::fs::remove_file(dir.join("parcels.dbf")).unwrap();
    let e = err_text(read(&dir, None));
    assert!(e.contains("thiếu tệp parcels.dbf"), "{e}");
    // missing .shp, given the .dbf
    write_files(&dir, "parcels", &files);
    std::fs::remove_file(dir.join("parcels.shp")).unwrap();
    let e = err_text(read(&dir.join("parcels.dbf"), None));
    assert!(e.contains("thiếu tệp parcels.shp"), "{e}");
    let e = err_text(read(&dir, None));
    assert!(e.contains("không chứa tệp .shp nào"), "{e}");
    // a zip without any .shp
    let mut buf = Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut buf);
    z.start_file("readme.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    z.write_all(b"hello").unwrap();
    z.finish().unwrap();
    let e = err_text(read_zip(Cursor::new(buf.into_inner()), "x.zip", None));
    assert!(e.contains("tệp nén x.zip không chứa tệp .shp nào"), "{e}");
    assert!(e.contains("zip x.zip holds no .shp file"), "{e}");
    let e = err_text(read_zip(Cursor::new(b"PK junk".to_vec()), "y.zip", None));
    assert!(e.contains("y.zip"), "{e}");
    // a null shape
    let mut null = build(&layer, None).unwrap();
    null.shp[108..112].copy_from_slice(&0i32.to_le_bytes());
    write_files(&dir, "parcels", &null);
    let e = err_text(read(&dir, None));
    assert!(e.contains("bản ghi 1 của parcels.shp không có hình"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn zip_with_subfolders_and_junk() {
    let a = parcels();
    let mut b = parcels();
    b.name = "Thua_2".into();
    b.features.truncate(1);
    let mut buf = Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut buf);
    let o = zip::write::SimpleFileOptions::default();
    for (dir, l) in [("data/", &a), ("data/old/", &b)] {
        let f = build(l, None).unwrap();
        let parts: [(&str, &[u8]); 4] = [
            ("SHP", &f.shp),
            ("shx", &f.shx),
            ("DBF", &f.dbf),
            ("cpg", f.cpg.as_bytes()),
        ];
        for (ext, bytes) in parts {
            z.start_file(format!("{dir}{}.{ext}", l.name), o).unwrap();
            z.write_all(bytes).unwrap();
        }
    }
    z.start_file("__MACOSX/data/._parcels.shp", o).unwrap();
    z.write_all(b"junk").unwrap();
    z.finish().unwrap();
    let layers = read_zip(Cursor::new(buf.into_inner()), "up.zip", None).unwrap();
    let names: Vec<&str> = layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["Thua_2", "parcels"]);
    assert_eq!(layers[0].features.len(), 1);
    assert_eq!(layers[1].features, as_read(&a).features);
}

#[test]
fn writer_refuses_bad_layers_and_cuts_long_text() {
    let mut l = parcels();
    l.fields[1].name = "chu_so_huu_dat".into();
    let e = write_zip(Cursor::new(Vec::new()), &l)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("\"chu_so_huu_dat\"") && e.contains("1–10 ASCII"),
        "{e}"
    );
    let mut l = parcels();
    l.features[1].values[0] = Value::Real(2.5);
    let e = write_zip(Cursor::new(Vec::new()), &l)
        .unwrap_err()
        .to_string();
    assert!(e.contains("đối tượng 2, trường so_thua"), "{e}");
    let mut l = parcels();
    l.features[0].geometry = Geometry::Point([1.0, 2.0]);
    assert!(write_zip(Cursor::new(Vec::new()), &l).is_err());
    let mut l = parcels();
    l.features[2].values[2] = Value::Real(1e13);
    let e = write_zip(Cursor::new(Vec::new()), &l)
        .unwrap_err()
        .to_string();
    assert!(e.contains("quá lớn"), "{e}");
    // 300 bytes of "ư" (2 bytes each) are cut to 254 bytes, 127 letters
    let mut l = parcels();
    l.features[0].values[3] = Value::Text("ư".repeat(150));
    let mut buf = Cursor::new(Vec::new());
    let notes = write_zip_layers(&mut buf, &[&l]).unwrap();
    assert!(
        notes[0].contains("longer than 254 bytes were cut"),
        "{notes:?}"
    );
    let r = read_zip(Cursor::new(buf.into_inner()), "z", None).unwrap();
    assert_eq!(r[0].features[0].values[3], Value::Text("ư".repeat(127)));
}

#[test]
fn dbf_cell_types() {
    let field = |kind: u8, decimals: u8| DbfField {
        name: b"x",
        kind,
        offset: 1,
        len: 8,
        decimals,
    };
    let (d, l) = (field(b'D', 0), field(b'L', 0));
    let (n, f) = (field(b'N', 0), field(b'F', 3));
    let v = |raw: &[u8], f: &DbfField, k| read_value(raw, f, k, Encoding::Utf8);
    let text = FieldKind::Text;
    let int = FieldKind::Integer;
    assert_eq!(
        v(b"20240501", &d, text),
        Ok(Value::Text("2024-05-01".into()))
    );
    assert_eq!(v(b"00000000", &d, text), Ok(Value::Null));
    assert!(v(b"2024-5-1", &d, text).is_err());
    assert_eq!(v(b"T", &l, int), Ok(Value::Integer(1)));
    assert_eq!(v(b"n", &l, int), Ok(Value::Integer(0)));
    assert_eq!(v(b"?", &l, int), Ok(Value::Null));
    assert!(v(b"X", &l, int).is_err());
    assert_eq!(v(b"-42", &n, int), Ok(Value::Integer(-42)));
    assert_eq!(v(b"12,5", &f, FieldKind::Real), Ok(Value::Real(12.5)));
    assert_eq!(v(b"********", &f, FieldKind::Real), Ok(Value::Null));
    assert!(v(b"1.2.3", &f, FieldKind::Real).is_err());
    assert!(v(b"inf", &f, FieldKind::Real).is_err());
}

#[test]
fn encoding_names() {
    assert_eq!(Encoding::from_name("UTF-8\r\n"), Some(Encoding::Utf8));
    assert_eq!(Encoding::from_name("65001"), Some(Encoding::Utf8));
    assert_eq!(Encoding::from_name("1252"), Some(Encoding::Latin1));
    assert_eq!(Encoding::from_name("ISO-8859-1"), Some(Encoding::Latin1));
    assert_eq!(Encoding::from_name("cp1258"), Some(Encoding::Cp1258));
    assert_eq!(
        Encoding::from_name("TCVN3"),
        Some(Encoding::Legacy(Legacy::Tcvn3))
    );
    assert_eq!(
        Encoding::from_name("tcvn-5712"),
        Some(Encoding::Legacy(Legacy::Tcvn3))
    );
    assert_eq!(
        Encoding::from_name("VNI-Windows"),
        Some(Encoding::Legacy(Legacy::Vni))
    );
    assert_eq!(Encoding::from_name("Big5"), None);
}
