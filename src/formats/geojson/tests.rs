use super::*;

fn fc(features: &str) -> String {
    format!(r#"{{"type":"FeatureCollection","features":[{features}]}}"#)
}

fn parcel(id: &str, geometry: &str) -> String {
    format!(r#"{{"type":"Feature","properties":{{"id":{id}}},"geometry":{geometry}}}"#)
}

const SQUARE: &str = r#"{"type":"Polygon","coordinates":[[[105.8,19.51],[105.8001,19.51],[105.8001,19.5101],[105.8,19.51]]]}"#;

fn problems(e: ReadError) -> Vec<FeatureProblem> {
    match e {
        ReadError::Features(p) => p,
        other => panic!("expected feature problems, got {other}"),
    }
}

#[test]
fn numeric_ids_are_kept_exactly_as_written_and_strings_as_strings() {
    let text = fc(&[
        parcel("1", SQUARE),
        parcel("12.0", SQUARE),
        parcel("-3e2", SQUARE),
        parcel(r#""A-7""#, SQUARE),
    ]
    .join(","));
    let parcels = read_parcels(text.as_bytes()).unwrap();
    let ids: Vec<_> = parcels.iter().map(|p| p.id.clone()).collect();
    assert_eq!(
        ids,
        vec![
            FeatureId::Number("1".into()),
            FeatureId::Number("12.0".into()),
            FeatureId::Number("-3e2".into()),
            FeatureId::Text("A-7".into()),
        ]
    );
}

#[test]
fn the_feature_id_is_used_when_properties_have_none() {
    let text = fc(&format!(
        r#"{{"type":"Feature","id":57,"properties":{{"owner":"x"}},"geometry":{SQUARE}}},
               {{"type":"Feature","id":"top","properties":{{"id":"inner"}},"geometry":{SQUARE}}}"#
    ));
    let parcels = read_parcels(text.as_bytes()).unwrap();
    assert_eq!(parcels[0].id, FeatureId::Number("57".into()));
    assert_eq!(parcels[1].id, FeatureId::Text("inner".into()));
}

#[test]
fn vietnamese_text_with_diacritics_and_escapes_is_unescaped() {
    let text = fc(&format!(
        r#"{{"type":"Feature","properties":{{"id":1,"owner":"Nguy\u1ec5n Th\u1ecb Y\u1ebfn","residential_group":"Tổ dân phố 21","land_use":"ODT \"mới\"","map_sheet":26,"parcel_no":"308a"}},"geometry":{SQUARE}}}"#
    ));
    let p = &read_parcels(text.as_bytes()).unwrap()[0];
    assert_eq!(p.owner.as_deref(), Some("Nguyễn Thị Yến"));
    assert_eq!(p.residential_group.as_deref(), Some("Tổ dân phố 21"));
    assert_eq!(p.land_use.as_deref(), Some("ODT \"mới\""));
    assert_eq!(p.map_sheet.as_deref(), Some("26"));
    assert_eq!(p.parcel_no.as_deref(), Some("308a"));
}

#[test]
fn a_multipolygon_with_holes_keeps_every_ring_as_written() {
    let geometry = r#"{"coordinates":[
            [[[105.80,19.51],[105.81,19.51],[105.81,19.52],[105.80,19.52],[105.80,19.51]],
             [[105.802,19.512],[105.802,19.514],[105.804,19.514],[105.802,19.512]]],
            [[[105.82,19.51],[105.83,19.51],[105.83,19.52],[105.82,19.51]]]
        ],"type":"MultiPolygon"}"#;
    let text = fc(&parcel("9", geometry));
    let p = &read_parcels(text.as_bytes()).unwrap()[0];
    assert_eq!(p.polygons.len(), 2);
    assert_eq!(p.polygons[0].len(), 2);
    assert_eq!(p.polygons[0][0].len(), 5);
    assert_eq!(
        p.polygons[0][1],
        vec![
            [105.802, 19.512],
            [105.802, 19.514],
            [105.804, 19.514],
            [105.802, 19.512]
        ]
    );
    assert_eq!(p.polygons[1][0].first(), p.polygons[1][0].last());
}

#[test]
fn segments_read_widths_from_numbers_and_numeric_strings() {
    let text = fc(
        r#"{"type":"Feature","properties":{"id":3,"name":"Phố Hàng Đồng","current_width_m":"5,5","planned_width_m":"10.5","planned_left_m":null,"planned_right_m":4},
            "geometry":{"type":"MultiLineString","coordinates":[[[105.80,19.51],[105.81,19.51,2.0]],[[105.81,19.51],[105.82,19.52]]]}}"#,
    );
    let s = &read_segments(text.as_bytes()).unwrap()[0];
    assert_eq!(s.name, "Phố Hàng Đồng");
    assert_eq!(s.current_width_m, Some(5.5));
    assert_eq!(s.planned_width_m, Some(10.5));
    assert_eq!(s.planned_left_m, None);
    assert_eq!(s.planned_right_m, Some(4.0));
    assert_eq!(s.lines.len(), 2);
    assert_eq!(s.lines[0][1], [105.81, 19.51]);
}

#[test]
fn corridors_need_a_segment_id() {
    let text = fc(&format!(
        r#"{{"type":"Feature","id":"c1","properties":{{"segment_id":7}},"geometry":{SQUARE}}},
               {{"type":"Feature","id":"c2","properties":{{}},"geometry":{SQUARE}}}"#
    ));
    let p = problems(read_corridors(text.as_bytes()).unwrap_err());
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].index, 1);
    assert_eq!(p[0].id, Some(FeatureId::Text("c2".into())));
    assert_eq!(p[0].field, "segment_id");
    let ok = fc(&format!(
        r#"{{"type":"Feature","properties":{{"segment_id":"7"}},"geometry":{SQUARE}}}"#
    ));
    let c = &read_corridors(ok.as_bytes()).unwrap()[0];
    assert_eq!(c.segment_id, FeatureId::Text("7".into()));
    assert_eq!(c.feature_id, None);
}

#[test]
fn every_bad_feature_is_reported_at_once_by_position_and_id() {
    let text = fc(&[
            parcel("1", SQUARE),
            parcel("57", r#"{"type":"LineString","coordinates":[[105.8,19.51],[105.9,19.6]]}"#),
            parcel("2", SQUARE),
            parcel(r#""B-9""#, r#"{"type":"Polygon","coordinates":[[["105.8",19.51],[105.8001,19.51],[105.8001,19.5101],[105.8,19.51]]]}"#),
            parcel("3", "null"),
        ]
        .join(",\n"));
    let p = problems(read_parcels(text.as_bytes()).unwrap_err());
    assert_eq!(p.len(), 3, "{p:?}");
    assert_eq!(
        (p[0].index, p[0].id.clone()),
        (1, Some(FeatureId::Number("57".into())))
    );
    assert_eq!(p[0].field, "geometry.type");
    assert_eq!(
        (p[1].index, p[1].id.clone()),
        (3, Some(FeatureId::Text("B-9".into())))
    );
    assert_eq!(
        p[1].kind,
        ProblemKind::BadCoordinates(CoordProblem::NotNumber)
    );
    assert_eq!(p[2].kind, ProblemKind::NoGeometry);
    let shown = ReadError::Features(p).to_string();
    assert!(
        shown.contains("đối tượng #1 (id 57): kiểu hình học 'LineString'"),
        "{shown}"
    );
    assert!(
        shown.contains("feature #3 (id B-9): bad coordinates"),
        "{shown}"
    );
}

#[test]
fn a_missing_id_and_a_bad_width_are_named() {
    let text = fc(
        r#"{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"LineString","coordinates":[[105.8,19.51],[105.81,19.51]]}},
            {"type":"Feature","properties":{"id":57,"planned_width_m":"rộng"},"geometry":{"type":"LineString","coordinates":[[105.8,19.51],[105.81,19.51]]}}"#,
    );
    let p = problems(read_segments(text.as_bytes()).unwrap_err());
    assert_eq!(p.len(), 2);
    assert_eq!(
        p[0].to_string(),
        "đối tượng #0: thiếu trường 'id' / feature #0: missing field 'id'"
    );
    assert_eq!(p[1].field, "planned_width_m");
    assert!(
        p[1].to_string()
            .starts_with("đối tượng #1 (id 57): trường 'planned_width_m' không phải số")
    );
}

#[test]
fn malformed_json_inside_one_feature_names_it_with_line_and_column() {
    let text = format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[\n{},\n{{\"type\":\"Feature\",\"properties\":{{\"id\":2}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[[1,2],}}}}\n]}}",
        parcel("1", SQUARE)
    );
    let p = problems(read_parcels(text.as_bytes()).unwrap_err());
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].index, 1);
    match &p[0].kind {
        ProblemKind::Syntax { line, column, .. } => {
            assert_eq!(*line, 3);
            assert!(*column > 60, "{column}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_file_that_is_not_a_feature_collection_is_one_error() {
    let e = read_parcels(br#"{"type":"Feature","geometry":null,"properties":{}}"#).unwrap_err();
    assert!(matches!(
        e,
        ReadError::NotFeatureCollection {
            reason: NotCollection::WrongType(_),
            ..
        }
    ));
    let e = read_parcels(b"[1,2]").unwrap_err();
    assert!(matches!(
        e,
        ReadError::NotFeatureCollection {
            reason: NotCollection::NotAnObject(JsonKind::Array),
            line: 1,
            column: 1
        }
    ));
    let e = read_parcels(br#"{"type":"FeatureCollection"}"#).unwrap_err();
    assert!(e.to_string().contains("thiếu trường 'features' / "), "{e}");
    let e = read_parcels(br#"{"type":"FeatureCollection","features":{}}"#).unwrap_err();
    assert!(matches!(
        e,
        ReadError::NotFeatureCollection {
            reason: NotCollection::FeaturesNotArray(JsonKind::Object),
            ..
        }
    ));
}

#[test]
fn truncated_json_is_reported_with_line_and_column() {
    let full = fc(&[parcel("1", SQUARE), parcel("2", SQUARE)].join(",\n"));
    let cut = &full.as_bytes()[..full.len() - 40];
    let e = read_parcels(cut).unwrap_err();
    match &e {
        ReadError::NotJson {
            line,
            column,
            message,
        } => {
            assert_eq!(*line, 2);
            assert!(*column > 1);
            assert!(message.contains("EOF"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        e.to_string()
            .starts_with("tệp không phải JSON hợp lệ (dòng 2")
    );
    assert!(matches!(
        read_parcels(b"not json").unwrap_err(),
        ReadError::NotJson { .. }
    ));
    assert!(matches!(
        read_parcels(b"").unwrap_err(),
        ReadError::NotJson { .. }
    ));
}

#[test]
fn order_is_kept_across_many_chunks() {
    let n = 5000;
    let features: Vec<String> = (0..n).map(|i| parcel(&i.to_string(), SQUARE)).collect();
    let text = format!(
        "\u{feff}{{\"bbox\":[1,2,3,4],\"features\":[{}],\"crs\":{{\"a\":\"}}\"}},\"type\":\"FeatureCollection\"}}\n",
        features.join(",\n")
    );
    for chunk in [1, 100, 997, 1 << 20] {
        let parcels = read_layer_in_chunks(text.as_bytes(), build_parcel, chunk).unwrap();
        assert_eq!(parcels.len(), n);
        for (i, p) in parcels.iter().enumerate() {
            assert_eq!(p.id, FeatureId::Number(i.to_string()));
        }
    }
}

#[test]
fn objects_that_look_like_features_inside_properties_do_not_break_the_order() {
    let decoy = r#"{"type":"Feature","geometry":null}"#;
    let features: Vec<String> = (0..300)
            .map(|i| {
                format!(
                    r#"{{"type":"Feature","properties":{{"id":{i},"history":[{decoy},{decoy},{{"note":"x,{{\"type\":1}}"}}]}},"geometry":{SQUARE}}}"#
                )
            })
            .collect();
    let text = fc(&features.join(","));
    for chunk in [1, 50, 333, 4096] {
        let parcels = read_layer_in_chunks(text.as_bytes(), build_parcel, chunk).unwrap();
        let ids: Vec<String> = parcels.iter().map(|p| p.id.to_string()).collect();
        let want: Vec<String> = (0..300).map(|i| i.to_string()).collect();
        assert_eq!(ids, want, "chunk {chunk}");
    }
}

/// Counts live values, to check every feature read is dropped exactly
/// once, also when chunks are re-read or the read fails.
static LIVE: std::sync::atomic::AtomicIsize = std::sync::atomic::AtomicIsize::new(0);

#[derive(Debug)]
struct Counted(String);

impl Drop for Counted {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

fn build_counted(f: RawFeature<'_>, found: &mut Problems) -> Option<Counted> {
    let id = common(&f, found, true)?;
    LIVE.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    Some(Counted(id.to_string()))
}

#[test]
fn uneven_features_and_wrong_guesses_keep_order_and_drop_each_feature_once() {
    let decoy = r#"{"type":"Feature","geometry":null}"#;
    let big: String = (0..400).map(|k| format!("[105.8{k:04},19.51],")).collect();
    let features: Vec<String> = (0..600)
            .map(|i| {
                let extra = if i > 300 && i % 3 == 0 { big.as_str() } else { "" };
                format!(
                    r#"{{"type":"Feature","properties":{{"id":{i},"h":[{decoy},{decoy}]}},"geometry":{{"type":"Polygon","coordinates":[[{extra}[105.8,19.51],[105.8001,19.51],[105.8001,19.5101],[105.8,19.51]]]}}}}"#
                )
            })
            .collect();
    let text = fc(&features.join(","));
    for chunk in [1, 500, 5000, 1 << 20] {
        let got = read_layer_in_chunks(text.as_bytes(), build_counted, chunk).unwrap();
        let ids: Vec<String> = got.iter().map(|c| c.0.clone()).collect();
        let want: Vec<String> = (0..600).map(|i| i.to_string()).collect();
        assert_eq!(ids, want, "chunk {chunk}");
        drop(got);
        assert_eq!(
            LIVE.load(std::sync::atomic::Ordering::SeqCst),
            0,
            "chunk {chunk}"
        );
    }
    // Even features slide down in place.
    let even: Vec<String> = (0..3000).map(|i| parcel(&i.to_string(), SQUARE)).collect();
    let text_even = fc(&even.join(","));
    let got = read_layer_in_chunks(text_even.as_bytes(), build_counted, 10_000).unwrap();
    assert!(got.iter().enumerate().all(|(i, c)| c.0 == i.to_string()));
    drop(got);
    assert_eq!(LIVE.load(std::sync::atomic::Ordering::SeqCst), 0);
    // And on the error path.
    let mut broken = features.clone();
    broken[450] = r#"{"type":"Feature","properties":{},"geometry":null}"#.into();
    let text = fc(&broken.join(","));
    for chunk in [1, 500, 1 << 20] {
        assert!(read_layer_in_chunks(text.as_bytes(), build_counted, chunk).is_err());
        assert_eq!(
            LIVE.load(std::sync::atomic::Ordering::SeqCst),
            0,
            "chunk {chunk}"
        );
    }
}

#[test]
fn problems_are_numbered_by_file_position_across_chunks() {
    let features: Vec<String> = (0..400)
        .map(|i| {
            if i % 100 == 7 {
                parcel(&i.to_string(), "null")
            } else {
                parcel(&i.to_string(), SQUARE)
            }
        })
        .collect();
    let text = fc(&features.join(","));
    for chunk in [1, 200, 1 << 20] {
        let p = problems(read_layer_in_chunks(text.as_bytes(), build_parcel, chunk).unwrap_err());
        let at: Vec<usize> = p.iter().map(|p| p.index).collect();
        assert_eq!(at, vec![7, 107, 207, 307]);
    }
}

#[test]
fn floats_are_read_exactly_as_the_standard_library_reads_them() {
    let mut texts: Vec<String> = [
        "0",
        "-0",
        "0.0",
        "1",
        "-1",
        "105.79443827",
        "19.50434227",
        "-105.123456789012345",
        "0.1",
        "0.30000000000000004",
        "9007199254740993",
        "12345678901234567890",
        "1e5",
        "1.5E-3",
        "-2.5e+2",
        "123456789012.12345678",
        "0.000000000000000000001234",
        "1.7976931348623157e308",
        "5e-324",
        "105.7944382700000000000001",
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let int = x % 1000;
        let frac = (x >> 20) % 10u64.pow(((x >> 60) % 16) as u32 + 1);
        let width = ((x >> 56) % 16) as usize + 1;
        texts.push(format!("{int}.{frac:0width$}"));
    }
    for text in &texts {
        let mut cur = Cur {
            b: text.as_bytes(),
            p: 0,
        };
        let got = cur.float().unwrap();
        let want: f64 = text.parse().unwrap();
        assert_eq!(got.to_bits(), want.to_bits(), "{text}");
        assert_eq!(cur.p, text.len(), "{text}");
    }
    for bad in ["-", "1.", ".5", "01", "1e", "--1"] {
        let mut cur = Cur {
            b: bad.as_bytes(),
            p: 0,
        };
        let ok = cur.float().is_ok() && cur.p == bad.len();
        assert!(!ok, "{bad}");
    }
}

#[test]
fn braces_inside_strings_do_not_confuse_the_scanner() {
    let text = fc(&format!(
        r#"{{"type":"Feature","properties":{{"id":"{{\"}}","owner":"a\\"}},"geometry":{SQUARE}}}"#
    ));
    let p = &read_parcels(text.as_bytes()).unwrap()[0];
    assert_eq!(p.id, FeatureId::Text("{\"}".into()));
    assert_eq!(p.owner.as_deref(), Some("a\\"));
}
