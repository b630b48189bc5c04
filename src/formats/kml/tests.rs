use super::*;
use crate::formats::testing::{gdal as run, square};
use std::path::{Path, PathBuf};
fn tmp(tag: &str) -> PathBuf {
    crate::formats::testing::tmp("kml", tag)
}

/// Parcels (a holed polygon, a multipolygon), road segments and stakes in phường Ngọc Sơn.
fn sample() -> Vec<Layer> {
    let mut parcels = Layer::new(
        "parcels",
        "Thửa đất / Parcels",
        GeomKind::Polygon,
        vec![
            Field::new("parcel_no", FieldKind::Integer),
            Field::new("owner", FieldKind::Text),
            Field::new("area_m2", FieldKind::Real),
            Field::new("status", FieldKind::Text),
        ],
    );
    let mut hole = square(105.80012, 19.50012, 0.00005);
    hole.reverse();
    parcels.features.push(Feature {
        geometry: Geometry::Polygons(vec![vec![square(105.8001, 19.5001, 0.0002), hole]]),
        values: vec![
            Value::Integer(12),
            Value::Text("Nguyễn Thị Hằng & \"Đức\" <Lê> 'ông'".into()),
            Value::Real(612.25),
            Value::Text("signed".into()),
        ],
    });
    parcels.features.push(Feature {
        geometry: Geometry::Polygons(vec![
            vec![square(105.8101, 19.5101, 0.0001)],
            vec![square(105.8111, 19.5111, 0.0001)],
        ]),
        values: vec![
            Value::Integer(13),
            Value::Text("Trần Văn Bảy ]]> x".into()),
            Value::Real(0.123456789),
            Value::Text("declined".into()),
        ],
    });
    parcels.features.push(Feature {
        geometry: Geometry::Polygons(vec![vec![square(-0.5, -0.5, 0.123456789)]]),
        values: vec![
            Value::Integer(-7),
            Value::Null,
            Value::Real(-1.5),
            Value::Text("persuading".into()),
        ],
    });
    parcels.class_field = Some(3);
    parcels.label_field = Some(0);
    parcels.srs = Some(srs::wgs84());

    let mut segments = Layer::new(
        "segments",
        "Đoạn đường / Road segments",
        GeomKind::Line,
        vec![
            Field::new("name", FieldKind::Text),
            Field::new("width_m", FieldKind::Real),
        ],
    );
    segments.features.push(Feature {
        geometry: Geometry::Lines(vec![vec![[105.8, 19.5], [105.81, 19.505], [105.82, 19.5]]]),
        values: vec![Value::Text("Đường Nghi Sơn".into()), Value::Real(7.5)],
    });
    segments.features.push(Feature {
        geometry: Geometry::Lines(vec![
            vec![[105.83, 19.5], [105.84, 19.5]],
            vec![[105.85, 19.5], [105.86, 19.51]],
        ]),
        values: vec![Value::Text("Ngõ 3".into()), Value::Real(3.0)],
    });
    segments.label_field = Some(0);
    segments.srs = Some(srs::wgs84());

    let mut stakes = Layer::new(
        "stakes",
        "Mốc giới / Stakes",
        GeomKind::Point,
        vec![Field::new("stake_no", FieldKind::Text)],
    );
    for (i, p) in [[105.80001, 19.50001], [105.80002, 19.50002]]
        .into_iter()
        .enumerate()
    {
        stakes.features.push(Feature {
            geometry: Geometry::Point(p),
            values: vec![Value::Text(format!("M{}", i + 1))],
        });
    }
    stakes.label_field = Some(0);
    stakes.srs = Some(srs::wgs84());
    vec![parcels, segments, stakes]
}

fn written(layers: &[Layer]) -> Vec<u8> {
    let mut out = Vec::new();
    write(
        &mut out,
        layers,
        &KmlOptions {
            document_name: "Phường Ngọc Sơn",
        },
    )
    .unwrap();
    out
}

fn close_pts(a: &[Pt], b: &[Pt]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(p, q)| (p[0] - q[0]).abs() <= 1e-9 && (p[1] - q[1]).abs() <= 1e-9)
}

fn same_geometry(a: &Geometry, b: &Geometry) -> bool {
    match (a, b) {
        (Geometry::Point(p), Geometry::Point(q)) => close_pts(&[*p], &[*q]),
        (Geometry::Lines(x), Geometry::Lines(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(l, m)| close_pts(l, m))
        }
        (Geometry::Polygons(x), Geometry::Polygons(y)) => {
            x.len() == y.len()
                && x.iter().zip(y).all(|(p, q)| {
                    p.len() == q.len() && p.iter().zip(q).all(|(r, s)| close_pts(r, s))
                })
        }
        _ => false,
    }
}

#[test]
fn writes_well_formed_kml_22_with_styles_schemas_and_escaping() {
    let out = written(&sample());
    let text = std::str::from_utf8(&out).unwrap();
    let mut r = NsReader::from_str(text);
    let mut root = None;
    let mut placemarks = 0;
    loop {
        match r.read_resolved_event().unwrap() {
            (ns, Event::Start(e)) => {
                if root.is_none() {
                    root = Some((format!("{ns:?}"), e.local_name().as_ref().to_string()));
                }
                placemarks += usize::from(e.local_name().as_ref() == "Placemark");
            }
            (_, Event::Eof) => break,
            _ => {}
        }
    }
    let (ns, name) = root.unwrap();
    assert_eq!(name, "kml");
    assert!(ns.contains(KML_NS), "{ns}");
    assert_eq!(placemarks, 7);
    // the web map's "signed" blue #0072b2 as aabbggrr, solid outline and translucent fill
    assert!(
        text.contains("<LineStyle><color>ffb27200</color>"),
        "{text}"
    );
    assert!(text.contains("<PolyStyle><color>80b27200</color>"));
    assert!(text.contains("<SimpleField name=\"parcel_no\" type=\"int\">"));
    assert!(text.contains("<SimpleField name=\"area_m2\" type=\"double\">"));
    assert!(text.contains("<name>12</name>"));
    assert!(text.contains("Nguyễn Thị Hằng &amp; &quot;Đức&quot; &lt;Lê&gt; &apos;ông&apos;"));
    assert!(
        text.contains("<coordinates>-0.500000000,-0.500000000 -0.376543211,-0.500000000"),
        "{text}"
    );
    assert!(text.contains("<td>612.25</td>") && text.contains("<td>12</td>"));
    // "]]>" in a value cannot close the description's CDATA
    assert_eq!(text.matches("]]>").count(), placemarks);
}

#[test]
fn gdal_lists_the_folders_as_layers_with_counts_and_fields() {
    let dir = tmp("ogr");
    let path = dir.join("ward.kml");
    std::fs::write(&path, written(&sample())).unwrap();
    let p = path.to_str().unwrap();
    // GDAL 3.6's ogrinfo has no -if: skip the other driver instead
    for (driver, skip) in [("KML", "LIBKML"), ("LIBKML", "KML")] {
        let info = run(
            "ogrinfo",
            &["--config", "GDAL_SKIP", skip, "-ro", "-al", "-so", p],
        );
        assert!(
            info.contains(&format!("using driver `{driver}' successful")),
            "{info}"
        );
        for (title, count) in [
            ("Thửa đất / Parcels", 3),
            ("Đoạn đường / Road segments", 2),
            ("Mốc giới / Stakes", 2),
        ] {
            let at = info
                .find(&format!("Layer name: {title}"))
                .unwrap_or_else(|| panic!("{driver}: no layer {title}:\n{info}"));
            let rest = &info[at..];
            let rest = &rest[..rest[1..].find("Layer name:").map_or(rest.len(), |e| e + 1)];
            assert!(
                rest.contains(&format!("Feature Count: {count}")),
                "{driver} {title}:\n{rest}"
            );
            // GDAL 3.6's KML driver reads only Name and Description; LIBKML reads the schema
            if title.starts_with("Thửa") && driver == "LIBKML" {
                assert!(rest.contains("parcel_no: Integer"), "{driver}:\n{rest}");
                assert!(rest.contains("area_m2: Real"), "{driver}:\n{rest}");
                assert!(rest.contains("owner: String"), "{driver}:\n{rest}");
            }
        }
    }
    let kml_driver = run(
        "ogr2ogr",
        &[
            "--config",
            "GDAL_SKIP",
            "LIBKML",
            "-f",
            "CSV",
            "/vsistdout/",
            p,
            "Thửa đất / Parcels",
        ],
    );
    assert!(
        kml_driver.contains("\"12\",\"<table>")
            && kml_driver.contains("<td>Nguyễn Thị Hằng &amp; \"\"Đức\"\" &lt;Lê&gt; 'ông'</td>"),
        "{kml_driver}"
    );
    // the values, Vietnamese intact
    let csv = run(
        "ogr2ogr",
        &[
            "--config",
            "GDAL_SKIP",
            "KML",
            "-f",
            "CSV",
            "/vsistdout/",
            p,
            "Thửa đất / Parcels",
            "-lco",
            "GEOMETRY=AS_WKT",
        ],
    );
    assert!(
        csv.contains("Nguyễn Thị Hằng & \"\"Đức\"\" <Lê> 'ông'"),
        "{csv}"
    );
    assert!(csv.contains("612.25"));
    // the hole and the multipolygon survive
    assert!(
        csv.contains("\"POLYGON ((105.8001 19.5001,105.8003 19.5001,"),
        "{csv}"
    );
    assert!(csv.contains(",105.80012 19.50012))"), "{csv}");
    assert!(csv.contains("\"MULTIPOLYGON (((105.8101 19.5101,"), "{csv}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn round_trip_keeps_values_and_coordinates() {
    let layers = sample();
    let back = read(&written(&layers)).unwrap();
    assert_eq!(back.len(), 3);
    for (a, b) in layers.iter().zip(&back) {
        assert_eq!(b.name, a.name);
        assert_eq!(b.title, a.title);
        assert_eq!(b.kind, a.kind);
        assert_eq!(b.fields, a.fields);
        assert_eq!(b.label_field, a.label_field, "{}", a.name);
        assert_eq!(b.srs, Some(srs::wgs84()));
        assert_eq!(b.features.len(), a.features.len());
        for (f, g) in a.features.iter().zip(&b.features) {
            assert_eq!(g.values, f.values);
            assert!(
                same_geometry(&f.geometry, &g.geometry),
                "{:?} vs {:?}",
                f.geometry,
                g.geometry
            );
        }
    }
}

fn geojson(dir: &Path) -> PathBuf {
    let gj = dir.join("in.geojson");
    std::fs::write(
            &gj,
            r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"so_thua":12,"chu":"Lê Thị Thu Hà","dt":612.5},"geometry":{"type":"Polygon","coordinates":[[[105.8,19.5],[105.8002,19.5],[105.8002,19.5002],[105.8,19.5002],[105.8,19.5]],[[105.80005,19.50005],[105.80005,19.50010],[105.80010,19.50010],[105.80010,19.50005],[105.80005,19.50005]]]}},
{"type":"Feature","properties":{"so_thua":13,"chu":"Đỗ Văn Bình","dt":88.0},"geometry":{"type":"MultiPolygon","coordinates":[[[[105.81,19.51],[105.8101,19.51],[105.8101,19.5101],[105.81,19.51]]],[[[105.82,19.52],[105.8201,19.52],[105.8201,19.5201],[105.82,19.52]]]]}}
]}"#,
        )
        .unwrap();
    gj
}

#[test]
fn reads_what_gdal_writes_with_both_drivers() {
    let dir = tmp("gdal-in");
    let gj = geojson(&dir);
    for driver in ["KML", "LIBKML"] {
        let out = dir.join(format!("{driver}.kml"));
        run(
            "ogr2ogr",
            &[
                "-f",
                driver,
                out.to_str().unwrap(),
                gj.to_str().unwrap(),
                "-nln",
                "Thửa đất",
            ],
        );
        let layers =
            read(&std::fs::read(&out).unwrap()).unwrap_or_else(|e| panic!("{driver}: {e}"));
        let l = layers
            .iter()
            .find(|l| l.kind == GeomKind::Polygon)
            .unwrap_or_else(|| panic!("{driver}: {layers:?}"));
        assert_eq!(l.features.len(), 2, "{driver}");
        assert_eq!(l.srs, Some(srs::wgs84()));
        let so = l
            .field("so_thua")
            .unwrap_or_else(|| panic!("{driver}: {:?}", l.fields));
        assert_eq!(l.fields[so].kind, FieldKind::Integer, "{driver}");
        let chu = l.field("chu").unwrap();
        let dt = l.field("dt").unwrap();
        assert_eq!(l.fields[dt].kind, FieldKind::Real, "{driver}");
        assert_eq!(l.features[0].values[so], Value::Integer(12));
        assert_eq!(
            l.features[0].values[chu],
            Value::Text("Lê Thị Thu Hà".into())
        );
        assert_eq!(l.features[1].values[dt], Value::Real(88.0));
        assert!(
            l.name.is_ascii() && l.name.starts_with("thua_dat"),
            "{driver}: {}",
            l.name
        );
        let Geometry::Polygons(p) = &l.features[0].geometry else {
            panic!()
        };
        assert_eq!((p.len(), p[0].len(), p[0][0].len()), (1, 2, 5), "{driver}");
        assert!((p[0][0][1][0] - 105.8002).abs() < 1e-9);
        let Geometry::Polygons(p) = &l.features[1].geometry else {
            panic!()
        };
        assert_eq!(p.len(), 2, "{driver}");
        assert!((l.features[0].geometry.area() - 0.0002f64.powi(2) * 0.9375).abs() < 1e-15);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn reads_plain_data_folders_mixed_geometries_and_altitudes() {
    let kml = r#"<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">
<Document><name>Khảo sát</name>
<Placemark><name>Cột điện &amp; trạm</name>
<ExtendedData><Data name="ghi_chu"><value>gần &lt;chợ&gt; &#7889;</value></Data><Data name="so"><value>012</value></Data></ExtendedData>
<Point><coordinates> 105.8 , 19.5 , 12.5 </coordinates></Point></Placemark>
<Folder><name>Hàng rào</name>
<Placemark><name>R1</name><MultiGeometry>
 <LineString><coordinates>105.8,19.5,0
   105.81,19.51,0</coordinates></LineString>
 <Point><coordinates>105.9,19.6</coordinates></Point>
 <gx:Track><gx:coord>1 2 3</gx:coord></gx:Track>
</MultiGeometry></Placemark>
<Placemark><name>trống</name></Placemark>
</Folder>
</Document></kml>"#;
    let layers = read(kml.as_bytes()).unwrap();
    let names: Vec<_> = layers
        .iter()
        .map(|l| (l.name.as_str(), l.title.as_str(), l.kind))
        .collect();
    assert_eq!(
        names,
        [
            ("khao_sat", "Khảo sát", GeomKind::Point),
            ("hang_rao_lines", "Hàng rào", GeomKind::Line),
            ("hang_rao_points", "Hàng rào", GeomKind::Point),
        ]
    );
    let p = &layers[0];
    assert_eq!(
        p.value(&p.features[0], "ghi_chu"),
        Some(&Value::Text("gần <chợ> ố".into()))
    );
    assert_eq!(
        p.value(&p.features[0], "so"),
        Some(&Value::Text("012".into()))
    );
    assert_eq!(
        p.value(&p.features[0], "name"),
        Some(&Value::Text("Cột điện & trạm".into()))
    );
    assert_eq!(p.label_field, p.field("name"));
    assert_eq!(p.features[0].geometry, Geometry::Point([105.8, 19.5]));
    assert!(
        p.notes.iter().any(|n| n.contains("altitudes")),
        "{:?}",
        p.notes
    );
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("1 placemarks without geometry")),
        "{:?}",
        p.notes
    );
    assert!(layers[1].notes.iter().any(|n| n.contains("split")));
}

#[test]
fn malformed_input_is_an_error_naming_what_is_wrong() {
    let err = |b: &[u8]| read(b).unwrap_err().to_string();
    let e = err(b"this is not xml");
    assert!(
        e.contains("not a KML file") || e.contains("not well-formed"),
        "{e}"
    );
    let e = err(b"<?xml version=\"1.0\"?><gpx xmlns=\"http://www.topografix.com/GPX/1/1\"></gpx>");
    assert!(e.contains("<gpx>") && e.contains(" / "), "{e}");
    let e = err(b"<kml xmlns=\"http://example.com/other\"></kml>");
    assert!(e.contains("http://example.com/other"), "{e}");
    let e = err(
        b"<kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document><Placemark></Document></kml>",
    );
    assert!(e.contains("not well-formed XML"), "{e}");
    let e = err(b"<kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document>");
    assert!(e.contains("not well-formed XML"), "{e}");
    assert!(err(b"").contains("no <kml> element"));
    assert!(err(b"PK\x03\x04rest").contains("KMZ"));
    assert!(err(b"<kml>\xff\xfe</kml>").contains("not UTF-8"));
    let e = err(b"<kml><Placemark><name>x</name><Point><coordinates>1,2</coordinates></Point><name>&bogus;</name></Placemark></kml>");
    assert!(e.contains("bogus"), "{e}");
    for (coords, why) in [
        ("105.8;19.5", "missing latitude"),
        ("105.8", "missing latitude"),
        ("abc,19.5", "'abc"),
        ("200,19.5", "out of lon/lat range"),
        ("105.8,19.5 105.9", "missing latitude"),
        ("1e999,1", "'1e999"),
    ] {
        let kml = format!(
            "<kml xmlns=\"http://www.opengis.net/kml/2.2\"><Placemark><name>ok</name><Point><coordinates>1,1</coordinates></Point></Placemark><Placemark><name>Thửa 7</name><Point><coordinates>{coords}</coordinates></Point></Placemark></kml>"
        );
        let e = err(kml.as_bytes());
        assert!(
            e.contains("placemark 2 («Thửa 7»)")
                && e.contains("placemark 2 (\"Thửa 7\"): bad coordinates")
                && e.contains(why),
            "{coords}: {e}"
        );
    }
    let e = err(b"<kml><Placemark><Polygon><innerBoundaryIs><LinearRing><coordinates>0,0 1,0 1,1 0,0</coordinates></LinearRing></innerBoundaryIs></Polygon></Placemark></kml>");
    assert!(e.contains("outerBoundaryIs"), "{e}");
    let e = err(b"<kml><Placemark><LineString><coordinates>0,0</coordinates></LineString></Placemark></kml>");
    assert!(e.contains("fewer than 2"), "{e}");
}

#[test]
fn writing_refuses_projected_layers_and_bad_coordinates() {
    let mut layers = sample();
    layers[1].srs = None;
    let e = write(Vec::new(), &layers, &KmlOptions { document_name: "x" })
        .unwrap_err()
        .to_string();
    assert!(e.contains("segments") && e.contains("WGS 84"), "{e}");
    let mut layers = sample();
    layers[2].features[1].geometry = Geometry::Point([f64::NAN, 19.5]);
    let e = write(Vec::new(), &layers, &KmlOptions { document_name: "x" })
        .unwrap_err()
        .to_string();
    assert!(e.contains("feature 2 of layer stakes"), "{e}");
}

#[test]
fn names_become_ascii() {
    assert_eq!(ascii_name("Thửa đất / Parcels"), "thua_dat_parcels");
    assert_eq!(ascii_name("ĐƯỜNG Ỷ LAN"), "duong_y_lan");
    assert_eq!(ascii_name("///"), "layer");
    assert_eq!(xml_id("12 ab"), "_12_ab");
}
