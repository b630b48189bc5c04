//! The reader on GDAL's DGN files (`tests/fixtures/dgn`, made by its
//! `make.sh`) and on elements written here byte by byte.

use super::build::parse_label;
use super::*;
use crate::formats::layer::{Geometry, Value};

fn fixture(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/dgn")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn parcels(bytes: &[u8], levels: &[u8]) -> Result<Layer, FormatError> {
    read(
        bytes,
        &ReadOptions {
            levels,
            kind: GeomKind::Polygon,
        },
    )
}

fn text(l: &Layer, f: usize, field: &str) -> Option<String> {
    let i = l.field(field).unwrap();
    l.features[f].values[i].as_text().map(|t| t.into_owned())
}

/// (parcel_no, area) of each parcel, by parcel number.
fn numbered(l: &Layer) -> Vec<(Option<String>, f64)> {
    let mut v: Vec<(Option<String>, f64)> = (0..l.features.len())
        .map(|f| (text(l, f, "parcel_no"), l.features[f].geometry.area()))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    v
}

fn circle_area(r: f64, n: f64) -> f64 {
    0.5 * n * r * r * (2.0 * std::f64::consts::PI / n).sin()
}

#[test]
fn gdals_sheet_reads_with_holes_enclosures_numbers_and_the_sheet() {
    for name in ["parcels.dgn", "parcels-3d.dgn"] {
        let l = parcels(&fixture(name), &[10, 13]).unwrap();
        let got = numbered(&l);
        let want = [
            ("12", 20.0 * 15.0 - 3.0 * 3.0),
            ("13", (20.0 + 17.0) / 2.0 * 15.0),
            ("14", circle_area(8.0, 150.0)),
            ("15", 30.0 * 20.0 - 8.0 * 8.0),
            ("16", 8.0 * 8.0),
        ];
        assert_eq!(got.len(), want.len(), "{name}: {got:?}");
        for ((no, area), (wno, warea)) in got.iter().zip(want) {
            assert_eq!(no.as_deref(), Some(wno), "{name}");
            // vertices rounded to the millimetre (the UOR) by GDAL
            assert!(
                (area - warea).abs() < 0.01,
                "{name} {wno}: {area} ≠ {warea}"
            );
        }
        for f in 0..l.features.len() {
            assert_eq!(text(&l, f, "map_sheet").as_deref(), Some("7"), "{name}");
            assert_eq!(text(&l, f, "dgn_level").as_deref(), Some("10"));
        }
        // coordinates: the UOR scale (1 mm) and the global origin applied
        let Geometry::Polygons(p) = &l.features[0].geometry else {
            panic!()
        };
        assert_eq!(p[0][0][0], [580_000.0, 2_155_000.0], "{name}");
        assert!(
            l.notes.iter().any(|n| n.contains("1000 UOR = 1 m")),
            "{:?}",
            l.notes
        );
    }
}

#[test]
fn levels_filter_the_elements_and_an_empty_choice_lists_the_levels() {
    let bytes = fixture("parcels.dgn");
    // all levels: the house (level 20) is a parcel and cut out of parcel 13
    let all = parcels(&bytes, &[]).unwrap();
    assert_eq!(all.features.len(), 6);
    let n13 = numbered(&all)
        .into_iter()
        .find(|(n, _)| n.as_deref() == Some("13"))
        .unwrap();
    assert!((n13.1 - (277.5 - 30.0)).abs() < 1e-6, "{n13:?}");
    let e = parcels(&bytes, &[40]).unwrap_err().to_string();
    assert!(e.contains("--dgn-level 40"), "{e}");
    assert!(e.contains("10 (6), 20 (1)"), "{e}");
    assert!(!e.contains("boundary lines only"), "{e}");
    // a sheet of boundary lines only: the levels with lines, and what to do
    let head = tcb(false, 1000, b"m\0", [0.0, 0.0]);
    let f = file(
        &[elem(4, 12, false, 0, &shape_body(&[[0, 0], [5, 5]]))],
        head,
    );
    let e = parcels(&f, &[]).unwrap_err().to_string();
    assert!(
        e.contains("levels that have some: —") && e.contains("boundary lines only"),
        "{e}"
    );
}

#[test]
fn lines_and_complex_chains_are_the_segments() {
    let l = read(
        &fixture("parcels.dgn"),
        &ReadOptions {
            levels: &[30],
            kind: GeomKind::Line,
        },
    )
    .unwrap();
    assert_eq!(l.features.len(), 2);
    let Geometry::Lines(road) = &l.features[0].geometry else {
        panic!()
    };
    assert_eq!(road[0].len(), 150, "the chain's components joined");
    assert_eq!(road[0][0], [579_995.0, 2_154_998.0]);
    let last = road[0][149];
    assert!((last[0] - 580_069.5).abs() < 1e-6 && (last[1] - 2_154_999.49).abs() < 1e-6);
    // the road's label, 3 m away, names it and gives its widths; the lane has none
    assert_eq!(text(&l, 0, "name").as_deref(), Some("Đường Lê Lợi"));
    assert_eq!(text(&l, 0, "planned_width_m").as_deref(), Some("20"));
    assert_eq!(text(&l, 0, "current_width_m").as_deref(), Some("8.5"));
    assert_eq!(text(&l, 1, "name"), None);
}

#[test]
fn a_dgn_v8_an_unknown_file_and_a_cell_library_are_refused_by_name() {
    let mut v8 = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    v8.resize(2048, 0);
    let e = parcels(&v8, &[]).unwrap_err().to_string();
    assert!(
        e.contains("Lưu lại dạng V7 trong MicroStation (File > Save As > V7)"),
        "{e}"
    );
    assert!(e.contains("save as V7 in MicroStation"), "{e}");
    let e = parcels(b"hello", &[]).unwrap_err().to_string();
    assert!(e.contains("not a DGN V7 file"), "{e}");
    let e = parcels(&[0x08, 0x05, 0x17, 0x00, 0, 0], &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains("cell library"), "{e}");
}

#[test]
fn every_cut_of_the_file_reads_or_is_refused_without_a_panic() {
    let bytes = fixture("parcels.dgn");
    let mut refused_at_an_offset = 0;
    for n in 0..bytes.len() {
        if let Err(e) = parcels(&bytes[..n], &[])
            && e.to_string().contains("at byte")
        {
            refused_at_an_offset += 1;
        }
    }
    assert!(refused_at_an_offset > bytes.len() / 2);
    // one cut in the middle of the complex shape's components
    let e = parcels(&bytes[..10_000], &[]).unwrap_err().to_string();
    assert!(e.contains("at byte 9826") && e.contains("truncated"), "{e}");
}

// ---------------------------------------------------------------------------
// Elements written here

/// A 32-bit integer in the ISFF's word order.
fn i32b(v: i32) -> [u8; 4] {
    let b = v.to_le_bytes();
    [b[2], b[3], b[0], b[1]]
}

/// An IEEE double as a VAX D-float.
fn vax(v: f64) -> [u8; 8] {
    if v == 0.0 {
        return [0; 8];
    }
    let k = v.abs().log2().floor() as i32;
    let f = v.abs() / 2f64.powi(k) - 1.0;
    let mantissa = (f * (1u64 << 55) as f64).round() as u64;
    let bits = (u64::from(v < 0.0) << 63) | ((k + 129) as u64) << 55 | mantissa;
    let mut out = [0; 8];
    for i in 0..4 {
        let w = ((bits >> (48 - 16 * i)) & 0xffff) as u16;
        out[2 * i..2 * i + 2].copy_from_slice(&w.to_le_bytes());
    }
    out
}

/// A TCB: `uor` UOR per metre (10 per sub-unit), master unit `unit`.
fn tcb(three_d: bool, uor: i32, unit: &[u8; 2], origin: [f64; 2]) -> Vec<u8> {
    let mut t = vec![0u8; 1536];
    t[0] = if three_d { 0xC8 } else { 0x08 };
    t[1] = 0x09;
    t[2..4].copy_from_slice(&766u16.to_le_bytes());
    t[1112..1116].copy_from_slice(&i32b(uor / 10));
    t[1116..1120].copy_from_slice(&i32b(10));
    t[1120..1122].copy_from_slice(unit);
    t[1122..1124].copy_from_slice(b"mm");
    t[1240..1248].copy_from_slice(&vax(origin[0]));
    t[1248..1256].copy_from_slice(&vax(origin[1]));
    t
}

/// An element: its header, a display header with `props`, then `body`
/// (from byte 36).
fn elem(kind: u8, level: u8, complex: bool, props: u16, body: &[u8]) -> Vec<u8> {
    let mut e = vec![0u8; 36];
    e[0] = level | if complex { 0x80 } else { 0 };
    e[1] = kind;
    e[32..34].copy_from_slice(&props.to_le_bytes());
    e.extend_from_slice(body);
    if e.len() % 2 == 1 {
        e.push(0);
    }
    let words = ((e.len() - 4) / 2) as u16;
    e[2..4].copy_from_slice(&words.to_le_bytes());
    e
}

fn shape_body(pts: &[[i32; 2]]) -> Vec<u8> {
    let mut b = (pts.len() as u16).to_le_bytes().to_vec();
    for p in pts {
        b.extend_from_slice(&i32b(p[0]));
        b.extend_from_slice(&i32b(p[1]));
    }
    b
}

/// An arc (2D) from `start` sweeping `sweep` degrees, radii and centre in UOR.
fn arc_body(start: f64, sweep: f64, r: f64, c: [f64; 2]) -> Vec<u8> {
    let mut b = i32b((start * 360_000.0) as i32).to_vec();
    let mag = (sweep.abs() * 360_000.0) as i32;
    b.extend_from_slice(&i32b(if sweep < 0.0 { mag | i32::MIN } else { mag }));
    b.extend_from_slice(&vax(r));
    b.extend_from_slice(&vax(r));
    b.extend_from_slice(&i32b(0));
    b.extend_from_slice(&vax(c[0]));
    b.extend_from_slice(&vax(c[1]));
    b
}

fn file(elements: &[Vec<u8>], head: Vec<u8>) -> Vec<u8> {
    let mut f = head;
    for e in elements {
        f.extend_from_slice(e);
    }
    f.extend_from_slice(&[0xff, 0xff]);
    f
}

#[test]
fn vax_doubles_read_as_written() {
    for v in [1.0, -2.5, 580_000.125, 1e-3, 2_155_000.0, -2_147_483_648.0] {
        let b = vax(v);
        assert_eq!(element::vax_to_f64(&b), v);
    }
    assert_eq!(element::vax_to_f64(&[0; 8]), 0.0);
}

#[test]
fn ellipses_and_arcs_become_chords_in_metres_with_the_origin_applied() {
    // 1000 UOR per metre, global origin (-1000, -2000) UOR: 1 m, 2 m
    let head = tcb(false, 1000, b"m\0", [-1000.0, -2000.0]);
    // an ellipse of radius 5 m at (10 m, 10 m) design
    let mut ell = vax(5000.0).to_vec();
    ell.extend_from_slice(&vax(5000.0));
    ell.extend_from_slice(&i32b(0));
    ell.extend_from_slice(&vax(10_000.0));
    ell.extend_from_slice(&vax(10_000.0));
    // a half disc: a complex shape of an arc and its diameter
    let cs = {
        let mut b = 0u16.to_le_bytes().to_vec();
        b.extend_from_slice(&2u16.to_le_bytes());
        b
    };
    let f = file(
        &[
            elem(15, 5, false, 0, &ell),
            elem(14, 5, false, 0, &cs),
            elem(
                16,
                0,
                true,
                0,
                &arc_body(0.0, 180.0, 5000.0, [40_000.0, 10_000.0]),
            ),
            elem(
                3,
                0,
                true,
                0,
                &shape_body(&[[35_000, 10_000], [45_000, 10_000]])[2..],
            ),
        ],
        head,
    );
    let l = parcels(&f, &[]).unwrap();
    assert_eq!(l.features.len(), 2);
    let disc = l.features[0].geometry.area();
    let half = l.features[1].geometry.area();
    let pi25 = std::f64::consts::PI * 25.0;
    assert!((disc - pi25).abs() / pi25 < 1e-3, "{disc}");
    assert!((half - pi25 / 2.0).abs() / pi25 < 1e-3, "{half}");
    let Geometry::Polygons(p) = &l.features[0].geometry else {
        panic!()
    };
    // (10 m + 5 m) − (−1 m) on x, 10 m − (−2 m) on y
    assert!((p[0][0][0][0] - 16.0).abs() < 1e-9 && (p[0][0][0][1] - 12.0).abs() < 1e-9);
    assert!(
        l.notes.iter().any(|n| n.contains("2 arcs / ellipses")),
        "{:?}",
        l.notes
    );
}

#[test]
fn a_foot_design_is_scaled_to_metres_and_deleted_elements_are_skipped() {
    let head = tcb(false, 1000, b"ft", [0.0, 0.0]);
    let sq = shape_body(&[[0, 0], [10_000, 0], [10_000, 10_000], [0, 10_000], [0, 0]]);
    let mut deleted = elem(6, 1, false, 0, &sq);
    deleted[1] |= 0x80;
    let f = file(&[elem(6, 1, false, 0, &sq), deleted], head);
    let l = parcels(&f, &[]).unwrap();
    assert_eq!(l.features.len(), 1);
    let a = l.features[0].geometry.area();
    assert!((a - 100.0 * 0.3048 * 0.3048).abs() < 1e-9, "{a}");
    assert!(
        l.notes.iter().any(|n| n.contains("1 deleted elements")),
        "{:?}",
        l.notes
    );
}

#[test]
fn malformed_elements_are_refused_with_their_offset() {
    let head = || tcb(false, 1000, b"m\0", [0.0, 0.0]);
    // a shape declaring 100 vertices but holding 2
    let f = file(
        &[elem(6, 1, false, 0, &shape_body(&[[0, 0], [1, 1]]))],
        head(),
    );
    let mut bad = f.clone();
    bad[1536 + 36..1536 + 38].copy_from_slice(&100u16.to_le_bytes());
    let e = parcels(&bad, &[]).unwrap_err().to_string();
    assert!(
        e.contains("type 6 at byte 1536") && e.contains("declares 100 vertices"),
        "{e}"
    );
    // a complex shape announcing components that are not there
    let cs = [0u8, 0, 3, 0];
    let e = parcels(&file(&[elem(14, 1, false, 0, &cs)], head()), &[])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("type 14 at byte 1536") && e.contains("announces 3 components"),
        "{e}"
    );
    // units of zero
    let mut t = head();
    t[1116..1120].copy_from_slice(&i32b(0));
    let e = parcels(&file(&[], t), &[]).unwrap_err().to_string();
    assert!(
        e.contains("type 9 at byte 0") && e.contains("invalid units"),
        "{e}"
    );
    // a file whose first element is no TCB
    let e = parcels(&[0x08, 0x09, 0xFE, 0x02, 0, 0], &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains("at byte 0"), "{e}");
}

#[test]
fn arcs_past_the_vertex_limit_are_refused() {
    let head = tcb(false, 1000, b"m\0", [0.0, 0.0]);
    let mut ell = vax(5.0e6).to_vec();
    ell.extend_from_slice(&vax(5.0e6));
    ell.extend_from_slice(&i32b(0));
    ell.extend_from_slice(&vax(0.0));
    ell.extend_from_slice(&vax(0.0));
    let one = elem(15, 1, false, 0, &ell);
    let f = file(&vec![one; 10], head);
    let small = Limits {
        curve_vertices: 1000,
        ..Limits::DEFAULT
    };
    let o = ReadOptions {
        levels: &[],
        kind: GeomKind::Polygon,
    };
    let e = read_within(&f, &o, &small).unwrap_err().to_string();
    assert!(e.contains("vertex limit") && e.contains("at byte"), "{e}");
    assert!(read_within(&f, &o, &Limits::DEFAULT).is_ok());
}

#[test]
fn labels_say_the_parcel_number_and_the_sheet() {
    let cases: &[(&str, Option<&str>, Option<&str>)] = &[
        ("12", Some("12"), None),
        ("12/150,5", Some("12"), None),
        ("12(150.5)", Some("12"), None),
        ("Thửa 7", Some("7"), None),
        ("thửa số 07", Some("7"), None),
        ("Tờ bản đồ số 5", None, Some("5")),
        ("TỜ 5 - THỬA 120", Some("120"), Some("5")),
        ("150,5", None, None),
        ("ODT", None, None),
        ("12 ODT", None, None),
    ];
    for (t, p, s) in cases {
        let (gp, gs) = parse_label(t);
        assert_eq!((gp.as_deref(), gs.as_deref()), (*p, *s), "{t}");
    }
}

#[test]
fn road_labels_say_the_name_and_the_widths() {
    use super::build::parse_road_label;
    type Said<'a> = Option<(Option<&'a str>, Option<f64>, Option<f64>)>;
    let cases: &[(&str, Said)] = &[
        (
            "Đường Lê Lợi, lộ giới 20m",
            Some((Some("Đường Lê Lợi"), Some(20.0), None)),
        ),
        ("LG 13,5", Some((None, Some(13.5), None))),
        ("B = 20 m", Some((None, Some(20.0), None))),
        (
            "Ngõ 12 - HT 3,5m - LG 6m",
            Some((Some("Ngõ 12"), Some(6.0), Some(3.5))),
        ),
        ("Phố Huế", Some((Some("Phố Huế"), None, None))),
        ("12", None),
        ("ODT", None),
    ];
    for (t, want) in cases {
        let got = parse_road_label(t);
        let got = got.as_ref().map(|(n, p, c)| (n.as_deref(), *p, *c));
        assert_eq!(got, *want, "{t}");
    }
}

#[test]
fn a_text_in_tcvn3_is_decoded() {
    let head = tcb(false, 1000, b"m\0", [0.0, 0.0]);
    let sq = shape_body(&[[0, 0], [10_000, 0], [10_000, 10_000], [0, 10_000], [0, 0]]);
    let words = crate::formats::legacy_vn::encode(
        "Thửa đất số 12",
        crate::formats::legacy_vn::Legacy::Tcvn3,
    )
    .unwrap();
    let mut t = vec![0u8; 24];
    t[14..18].copy_from_slice(&i32b(5000));
    t[18..22].copy_from_slice(&i32b(5000));
    t[22] = words.len() as u8;
    t.extend_from_slice(&words);
    let f = file(
        &[elem(6, 1, false, 0, &sq), elem(17, 2, false, 0, &t)],
        head,
    );
    let l = parcels(&f, &[]).unwrap();
    assert_eq!(text(&l, 0, "label").as_deref(), Some("Thửa đất số 12"));
    assert_eq!(text(&l, 0, "parcel_no").as_deref(), Some("12"));
    assert!(matches!(l.features[0].values[0], Value::Integer(1)));
}

/// `n` squares nested around the origin, the smallest first.
fn nested_squares(n: usize) -> Vec<u8> {
    let head = tcb(false, 1000, b"m\0", [0.0, 0.0]);
    let shapes: Vec<Vec<u8>> = (1..=n as i32)
        .map(|k| {
            let h = k * 1000;
            elem(
                6,
                1,
                false,
                0,
                &shape_body(&[[-h, -h], [h, -h], [h, h], [-h, h], [-h, -h]]),
            )
        })
        .collect();
    file(&shapes, head)
}

#[test]
fn an_outline_within_more_boxes_than_the_cap_is_refused_by_its_offset() {
    use super::build::MAX_CONTAINERS;
    // up to the cap: each square is cut out of the next
    let l = parcels(&nested_squares(MAX_CONTAINERS + 1), &[]).unwrap();
    assert_eq!(l.features.len(), MAX_CONTAINERS + 1);
    let cut = format!("{MAX_CONTAINERS} parcels lying wholly inside another");
    assert!(l.notes.iter().any(|n| n.contains(&cut)), "{:?}", l.notes);
    // one more: the smallest (the first element, after the TCB) lies in
    // the boxes of more than the cap, and the file is refused
    let e = parcels(&nested_squares(MAX_CONTAINERS + 2), &[])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("at byte 1536")
            && e.contains(&format!("more than {MAX_CONTAINERS} other shapes")),
        "{e}"
    );
}

/// `n` parallel lines 1 mm apart along y = 0.. and a road label 5 m above.
fn lines_under_a_label(n: usize) -> Vec<u8> {
    let head = tcb(false, 1000, b"m\0", [0.0, 0.0]);
    let mut els: Vec<Vec<u8>> = (0..n as i32)
        .map(|k| elem(4, 1, false, 0, &shape_body(&[[-10_000, k], [10_000, k]])))
        .collect();
    let words = b"LG 10m";
    let mut t = vec![0u8; 24];
    t[14..18].copy_from_slice(&i32b(0));
    t[18..22].copy_from_slice(&i32b(5000));
    t[22] = words.len() as u8;
    t.extend_from_slice(words);
    els.push(elem(17, 2, false, 0, &t));
    file(&els, head)
}

#[test]
fn a_road_label_is_measured_against_no_more_segments_than_the_cap() {
    use super::build::MAX_LABEL_SEGMENTS;
    let lines = |n: usize| {
        read(
            &lines_under_a_label(n),
            &ReadOptions {
                levels: &[],
                kind: GeomKind::Line,
            },
        )
        .unwrap()
    };
    let planned = |l: &Layer| -> Vec<usize> {
        let w = l.field("planned_width_m").unwrap();
        (0..l.features.len())
            .filter(|&f| matches!(l.features[f].values[w], Value::Real(v) if v == 10.0))
            .collect()
    };
    // up to the cap: the nearest line (the last, highest) gets the label
    let l = lines(MAX_LABEL_SEGMENTS);
    assert_eq!(planned(&l), vec![MAX_LABEL_SEGMENTS - 1]);
    // one more segment near it: the label is given to no line, and said
    let l = lines(MAX_LABEL_SEGMENTS + 1);
    assert_eq!(planned(&l), Vec::<usize>::new());
    let said = format!("1 road labels with more than {MAX_LABEL_SEGMENTS} line segments");
    assert!(l.notes.iter().any(|n| n.contains(&said)), "{:?}", l.notes);
}
