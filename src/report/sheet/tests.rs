use super::grid::Window;
use super::scale::Paper;
use super::*;

fn rect(e: f64, n: f64, w: f64, h: f64) -> Polygons {
    vec![vec![vec![
        [e, n],
        [e + w, n],
        [e + w, n + h],
        [e, n + h],
        [e, n],
    ]]]
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn doc(public: bool) -> SheetDoc {
    let e0 = 580_000.0;
    let n0 = 2_192_000.0;
    let parcels: Vec<SheetParcel> = (0..4)
        .map(|i| SheetParcel {
            id: format!("P{i}"),
            parcel_no: Some(format!("{}", 101 + i)),
            status: Some(if i == 0 { "declined" } else { "handed_over" }),
            polygons: rect(e0 + 20.0 * f64::from(i), n0, 20.0, 30.0),
        })
        .collect();
    let (min, max) = bounds(
        parcels
            .iter()
            .flat_map(|p| p.polygons.iter().flatten().flatten()),
    )
    .unwrap();
    SheetDoc {
        ward: "Phường Ngọc Sơn".into(),
        kind: AreaKind::Group,
        name: "Tổ dân phố 3".into(),
        segment_id: None,
        crs_name: "VN-2000, kinh tuyến trục 105°00′, múi chiếu 3°".into(),
        as_of: day(28),
        printed_on: day(29),
        window: frame(min, max, Paper::A4).unwrap(),
        paper: Paper::A4,
        public,
        names: !public,
        parcels,
        neighbours: rect(e0 - 25.0, n0, 20.0, 30.0),
        corridors: rect(e0 - 30.0, n0 - 8.0, 120.0, 8.0),
        centerlines: vec![vec![[e0 - 30.0, n0 - 4.0], [e0 + 90.0, n0 - 4.0]]],
        own_centerline: Vec::new(),
        neighbours_left_out: 0,
        figures: SheetFigures {
            affected: 4,
            agreed: 3,
            signed: 3,
            handed_over: 3,
            not_yet: 1,
            donated_area_m2: 1234.5,
            handed_over_area_m2: 900.0,
        },
        rows: vec![SheetRow {
            map_sheet: Some("12".into()),
            parcel_no: Some("101".into()),
            owner: (!public).then(|| "Nguyễn Văn A".into()),
            status_vi: if public {
                "Chưa hiến"
            } else {
                "Chưa đồng ý"
            },
            area_m2: 1234.5,
        }],
        convergence_deg: Some(0.27),
        demo: false,
    }
}

#[test]
fn a_group_of_80_by_30_metres_is_drawn_at_1_500_with_its_numbers_grid_and_figures() {
    let h = render(&doc(false));
    // 80 × 30 m: 160 × 60 mm at 1:500 fits 187 × 140 mm
    assert!(h.contains("Tỷ lệ 1:500"), "{h}");
    assert!(h.contains("TỔ DÂN PHỐ 3"));
    assert!(h.contains("28/11/2026") && h.contains("29/11/2026"));
    for no in ["101", "102", "103", "104"] {
        assert!(h.contains(&format!(">{no}</text>")), "{no}");
    }
    // the neighbour is drawn but not numbered
    assert_eq!(h.matches("class=\"pno\"").count(), 4);
    // grid ticks at 25 m: easting 580 000 … labelled "Y 580.000"
    assert!(h.contains("Y 580.000"));
    assert!(h.contains("X 2.192.000"));
    assert!(h.contains("1.234,5"));
    assert!(h.contains("Tờ bản đồ số"));
    assert!(h.contains(">12</p>"));
    assert!(h.contains("Nguyễn Văn A"));
    assert!(h.contains("url(#hatch)"));
    assert!(h.contains("@page { size: A4 landscape"));
    assert!(h.contains("0°16′"));
}

#[test]
fn the_public_sheet_has_no_names_and_no_declined() {
    let mut d = doc(true);
    d.parcels[0].status = Some("not_yet");
    let h = render(&d);
    assert!(!h.contains("Nguyễn Văn A"));
    assert!(!h.to_lowercase().contains("chưa đồng ý"));
    assert!(!h.to_lowercase().contains("declined"));
    assert!(!h.contains("Chủ hộ"));
    assert!(h.contains("Chưa hiến"));
}

#[test]
fn an_area_too_wide_for_a4_at_1_5000_is_refused_and_fits_a3() {
    let (min, max) = ([0.0, 0.0], [1000.0, 300.0]);
    assert!(matches!(
        frame(min, max, Paper::A4),
        Err(SheetError::TooLarge(..))
    ));
    let w = frame(min, max, Paper::A3).unwrap();
    assert_eq!(w.scale, 5000);
    assert_eq!(
        frame([0.0, 0.0], [f64::NAN, 1.0], Paper::A4),
        Err(SheetError::Empty)
    );
    // the window is centred on the area: 318 mm × 5 m = 1 590 m wide
    assert!((w.min_e - (500.0 - 795.0)).abs() < 1e-9);
    let _: Window = w;
}

#[test]
fn a_number_goes_across_a_parcel_along_a_narrow_one_and_nowhere_on_a_sliver() {
    let mut d = doc(false);
    // at 1:500 "101" is 3 × 0,55 × 2,6 = 4,29 mm long, 2,6 mm high
    d.parcels[1].polygons = rect(580_020.0, 2_192_000.0, 1.5, 30.0); // 3 × 60 mm: along
    d.parcels[2].polygons = rect(580_040.0, 2_192_000.0, 1.0, 1.0); // 2 × 2 mm: none
    assert_eq!(d.window.scale, 500);
    let h = render(&d);
    assert_eq!(h.matches("class=\"pno\"").count(), 3);
    assert_eq!(
        h.matches("rotate(-90)\">102</text>").count(),
        1,
        "along the narrow parcel"
    );
    assert!(!h.contains(">103</text>"), "no number on a 2 mm sliver");
    assert!(h.contains("\">101</text>") && !h.contains("rotate(-90)\">101<"));
}
