use super::*;
use crate::geometry::area::signed_ring_area;

// Around phường Ngọc Sơn: lon 105.80, lat 19.51. 1e-4° ≈ 10.5 m east, 11 m north.
const X: f64 = 105.8000;
const Y: f64 = 19.5100;

fn square(x: f64, y: f64, d: f64) -> Vec<[f64; 2]> {
    vec![[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
}

fn parcel(id: i64, rings: Vec<Vec<[f64; 2]>>) -> ParcelInput {
    ParcelInput {
        id: FeatureId::from(id),
        map_sheet: Some("26".into()),
        parcel_no: Some(id.to_string()),
        owner: None,
        residential_group: None,
        land_use: Some("ODT".into()),
        polygons: vec![rings],
    }
}

fn segment(id: i64, width: Option<f64>) -> SegmentInput {
    SegmentInput {
        id: FeatureId::from(id),
        name: "Phố Hàng Đồng".into(),
        current_width_m: Some(5.5),
        planned_width_m: width,
        planned_left_m: None,
        planned_right_m: None,
        lines: vec![vec![[X, Y], [X + 0.002, Y]]],
    }
}

fn bow_tie() -> Vec<[f64; 2]> {
    vec![
        [X, Y],
        [X + 0.0002, Y + 0.0002],
        [X + 0.0002, Y],
        [X, Y + 0.0002],
        [X, Y],
    ]
}

fn reasons(issues: &[Issue]) -> Vec<&Reason> {
    issues.iter().map(|i| &i.reason).collect()
}

#[test]
fn good_data_has_no_issues() {
    let parcels: Vec<_> = (0..50)
        .map(|i| parcel(i, vec![square(X + i as f64 * 0.0002, Y + 0.0001, 0.0001)]))
        .collect();
    let r = validate(&[segment(1, Some(10.0))], &parcels, &[]);
    assert!(r.errors.is_empty() && r.warnings.is_empty(), "{r:#?}");
}

#[test]
fn a_bow_tie_is_flagged_with_the_crossing_location() {
    let r = validate(&[], &[parcel(57, vec![bow_tie()])], &[]);
    assert_eq!(r.errors.len(), 1, "{r:#?}");
    let issue = &r.errors[0];
    assert_eq!(issue.id, FeatureId::from(57));
    assert!(matches!(
        issue.reason,
        Reason::SelfIntersection { edges: (0, 2), .. }
    ));
    let [lon, lat] = issue.at.unwrap();
    assert!((lon - (X + 0.0001)).abs() < 1e-10 && (lat - (Y + 0.0001)).abs() < 1e-10);
    let shown = issue.to_string();
    assert!(
        shown.starts_with("lỗi: thửa đất #0 (id 57): vòng ngoài của đa giác 0: tự cắt"),
        "{shown}"
    );
    assert!(
        shown
            .contains(" / error: parcel #0 (id 57): exterior ring of polygon 0: self-intersection"),
        "{shown}"
    );
    assert!(shown.contains("at (105.8001000, 19.5101000)"), "{shown}");
}

#[test]
fn a_corner_touching_another_edge_and_a_fold_back_are_self_intersections() {
    // Corner 3 lies on edge 0 → 1.
    let touching = vec![
        [X, Y],
        [X + 0.0002, Y],
        [X + 0.0002, Y + 0.0002],
        [X + 0.0001, Y],
        [X, Y + 0.0002],
        [X, Y],
    ];
    // Goes out and straight back along the same line.
    let spike = vec![
        [X, Y],
        [X + 0.0002, Y],
        [X + 0.0003, Y],
        [X + 0.0002, Y],
        [X + 0.0002, Y + 0.0001],
        [X, Y],
    ];
    let r = validate(
        &[],
        &[parcel(1, vec![touching]), parcel(2, vec![spike])],
        &[],
    );
    let ids: Vec<_> = r.errors.iter().map(|i| i.id.to_string()).collect();
    assert!(
        ids.contains(&"1".to_string()) && ids.contains(&"2".to_string()),
        "{r:#?}"
    );
    assert!(
        r.errors
            .iter()
            .all(|i| matches!(i.reason, Reason::SelfIntersection { .. }))
    );
}

#[test]
fn a_big_self_intersecting_ring_is_found_through_the_index() {
    // A 200-corner zig-zag closed by a return edge that crosses it.
    let mut ring: Vec<[f64; 2]> = (0..200)
        .map(|k| {
            [
                X + f64::from(k) * 1e-6,
                Y + if k % 2 == 0 { 0.0 } else { 1e-5 },
            ]
        })
        .collect();
    ring.push([X + 100e-6, Y - 1e-5]);
    ring.push([X + 100e-6, Y + 2e-5]);
    ring.push([X, Y]);
    let r = validate(&[], &[parcel(9, vec![ring.clone()])], &[]);
    assert!(
        r.errors
            .iter()
            .any(|i| matches!(i.reason, Reason::SelfIntersection { .. })),
        "{r:#?}"
    );
    // The same ring without the crossing return is fine.
    let mut ok: Vec<[f64; 2]> = ring[..200].to_vec();
    ok.push([X + 199e-6, Y + 5e-5]);
    ok.push([X, Y + 5e-5]);
    ok.push([X, Y]);
    assert!(validate(&[], &[parcel(9, vec![ok])], &[]).errors.is_empty());
}

#[test]
fn an_open_ring_is_named() {
    let mut open = square(X, Y, 0.0001);
    open.pop();
    let r = validate(&[], &[parcel(3, vec![open])], &[]);
    assert_eq!(
        reasons(&r.errors),
        vec![&Reason::RingNotClosed {
            part: Part::Ring {
                polygon: 0,
                ring: 0
            }
        }]
    );
}

#[test]
fn swapped_lat_lon_is_named_with_where_it_was_meant() {
    let swapped: Vec<[f64; 2]> = square(X, Y, 0.0001).iter().map(|&[x, y]| [y, x]).collect();
    let r = validate(&[], &[parcel(4, vec![swapped])], &[]);
    assert_eq!(r.errors.len(), 1, "{r:#?}");
    assert!(matches!(
        r.errors[0].reason,
        Reason::SwappedLatLon {
            vertex: 0,
            count: 5,
            ..
        }
    ));
    assert_eq!(r.errors[0].at, Some([X, Y]));
    assert!(r.errors[0].to_string().contains("đảo chỗ"));
}

#[test]
fn nan_and_out_of_range_coordinates_are_errors() {
    let mut nan = square(X, Y, 0.0001);
    nan[2] = [f64::NAN, Y];
    let projected = square(587_000.0, 2_157_000.0, 10.0);
    let r = validate(
        &[],
        &[parcel(5, vec![nan]), parcel(6, vec![projected])],
        &[],
    );
    assert!(matches!(
        r.errors[0].reason,
        Reason::NonFiniteCoordinate {
            vertex: 2,
            count: 1,
            ..
        }
    ));
    assert!(matches!(
        r.errors[1].reason,
        Reason::OutOfRange { count: 5, .. }
    ));
    assert_eq!(r.errors.len(), 2);
}

#[test]
fn too_few_points_are_errors() {
    let r = validate(
        &[SegmentInput {
            lines: vec![vec![[X, Y], [X, Y]]],
            ..segment(1, Some(8.0))
        }],
        &[parcel(1, vec![vec![[X, Y], [X + 0.0001, Y], [X, Y]]])],
        &[],
    );
    assert!(matches!(
        r.errors[0].reason,
        Reason::TooFewPoints {
            needed: 2,
            found: 1,
            ..
        }
    ));
    assert!(matches!(
        r.errors[1].reason,
        Reason::TooFewPoints {
            needed: 4,
            found: 3,
            ..
        }
    ));
}

#[test]
fn duplicate_ids_name_both_positions() {
    let parcels = vec![
        parcel(10, vec![square(X, Y, 0.0001)]),
        parcel(11, vec![square(X + 0.0002, Y, 0.0001)]),
        parcel(10, vec![square(X + 0.0004, Y, 0.0001)]),
    ];
    let r = validate(
        &[segment(1, Some(9.0)), segment(1, Some(9.0))],
        &parcels,
        &[],
    );
    let dup: Vec<_> = r
        .errors
        .iter()
        .filter(|i| matches!(i.reason, Reason::DuplicateId { .. }))
        .map(|i| (i.layer, i.index, i.reason.clone()))
        .collect();
    assert_eq!(
        dup,
        vec![
            (Layer::Segment, 1, Reason::DuplicateId { first: 0 }),
            (Layer::Parcel, 2, Reason::DuplicateId { first: 0 }),
        ]
    );
    let shown = r
        .errors
        .iter()
        .find(|i| i.layer == Layer::Parcel)
        .unwrap()
        .to_string();
    assert!(
        shown.contains("thửa đất #2 (id 10): trùng mã với đối tượng #0"),
        "{shown}"
    );
}

#[test]
fn many_copies_of_one_id_all_name_the_first() {
    let parcels: Vec<_> = (0..100)
        .map(|i| parcel(1, vec![square(X + i as f64 * 0.0002, Y, 0.0001)]))
        .collect();
    let r = validate(&[], &parcels, &[]);
    let got: Vec<_> = r
        .errors
        .iter()
        .map(|i| (i.index, i.reason.clone()))
        .collect();
    let want: Vec<_> = (1..100)
        .map(|k| (k, Reason::DuplicateId { first: 0 }))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn a_segment_without_a_usable_width_is_an_error() {
    let mut sides = segment(3, None);
    sides.planned_left_m = Some(4.0);
    sides.planned_right_m = Some(5.0);
    let mut one_side = segment(4, None);
    one_side.planned_left_m = Some(4.0);
    let r = validate(
        &[
            segment(1, None),
            segment(2, Some(-3.0)),
            sides,
            one_side,
            segment(5, Some(150.0)),
            segment(6, Some(f64::NAN)),
        ],
        &[],
        &[],
    );
    let got: Vec<_> = r
        .errors
        .iter()
        .map(|i| (i.id.to_string(), i.reason.clone()))
        .collect();
    assert_eq!(got.len(), 5, "{got:#?}");
    assert_eq!(got[0], ("1".into(), Reason::NoUsableWidth));
    assert!(
        matches!(got[1], (ref id, Reason::BadWidth { field: "planned_width_m", value }) if id == "2" && value == -3.0)
    );
    assert_eq!(got[2], ("4".into(), Reason::NoUsableWidth));
    assert!(
        matches!(got[3], (ref id, Reason::BadWidth { value, .. }) if id == "5" && value == 150.0)
    );
    assert!(
        matches!(got[4], (ref id, Reason::BadWidth { value, .. }) if id == "6" && value.is_nan())
    );
}

#[test]
fn sides_given_with_the_width_are_checked_too() {
    let side = |id, l: Option<f64>, r: Option<f64>| {
        let mut s = segment(id, Some(12.0));
        s.planned_left_m = l;
        s.planned_right_m = r;
        s
    };
    let r = validate(
        &[
            side(1, Some(-5.0), Some(17.0)),
            side(2, Some(f64::NAN), Some(6.0)),
            side(3, Some(9.0), None),
            side(4, Some(5.0), Some(7.0)),
            side(5, None, Some(6.0)),
        ],
        &[],
        &[],
    );
    let errors: Vec<_> = r
        .errors
        .iter()
        .map(|i| (i.id.to_string(), i.reason.clone()))
        .collect();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        matches!(errors[0], (ref id, Reason::BadWidth { field: "planned_left_m", value }) if id == "1" && value == -5.0)
    );
    assert!(
        matches!(errors[1], (ref id, Reason::BadWidth { field: "planned_left_m", value }) if id == "2" && value.is_nan())
    );
    // one side given: the other is half the width, and 9 + 6 is not 12
    let warnings: Vec<_> = r
        .warnings
        .iter()
        .map(|i| (i.id.to_string(), i.reason.clone()))
        .collect();
    assert_eq!(
        warnings,
        [(
            "3".to_string(),
            Reason::WidthsDisagree {
                planned_m: 12.0,
                left_right_m: 15.0
            }
        )]
    );
}

#[test]
fn a_width_not_larger_than_current_is_a_warning() {
    let r = validate(&[segment(1, Some(5.0))], &[], &[]);
    assert!(r.errors.is_empty());
    assert!(matches!(r.warnings[0].reason, Reason::NotWider { .. }));
}

#[test]
fn a_far_away_parcel_is_a_warning() {
    let mut parcels: Vec<_> = (0..20)
        .map(|i| parcel(i, vec![square(X + i as f64 * 0.0002, Y, 0.0001)]))
        .collect();
    // 106.8 for 105.8: about 105 km east.
    parcels.push(parcel(99, vec![square(X + 1.0, Y, 0.0001)]));
    let r = validate(&[segment(1, Some(10.0))], &parcels, &[]);
    assert!(r.errors.is_empty(), "{r:#?}");
    assert_eq!(r.warnings.len(), 1, "{r:#?}");
    let w = &r.warnings[0];
    assert_eq!(
        (w.layer, w.index, w.id.clone()),
        (Layer::Parcel, 20, FeatureId::from(99))
    );
    assert!(matches!(w.reason, Reason::FarFromData { distance_m, .. } if distance_m > 100_000.0));
    assert!(
        w.to_string()
            .starts_with("cảnh báo: thửa đất #20 (id 99): nằm xa")
    );
}

#[test]
fn a_zero_area_parcel_is_a_warning() {
    let flat = vec![[X, Y], [X + 0.0001, Y], [X + 0.0002, Y + 1e-12], [X, Y]];
    let r = validate(&[], &[parcel(1, vec![flat])], &[]);
    assert!(
        r.warnings
            .iter()
            .any(|w| matches!(w.reason, Reason::ZeroArea { .. })),
        "{r:#?}"
    );
}

#[test]
fn a_hole_outside_its_shell_is_an_error() {
    let r = validate(
        &[],
        &[parcel(
            1,
            vec![square(X, Y, 0.0001), square(X + 0.001, Y, 0.00005)],
        )],
        &[],
    );
    assert_eq!(
        reasons(&r.errors),
        vec![&Reason::HoleOutsideShell {
            part: Part::Ring {
                polygon: 0,
                ring: 1
            }
        }]
    );
    let inside = validate(
        &[],
        &[parcel(
            1,
            vec![
                square(X, Y, 0.0001),
                square(X + 0.00002, Y + 0.00002, 0.00005),
            ],
        )],
        &[],
    );
    assert!(inside.errors.is_empty(), "{inside:#?}");
}

#[test]
fn a_corridor_naming_no_segment_is_an_error() {
    let corridors = vec![
        CorridorInput {
            feature_id: None,
            segment_id: FeatureId::from(1),
            polygons: vec![vec![square(X, Y, 0.0001)]],
        },
        CorridorInput {
            feature_id: Some("c2".into()),
            segment_id: FeatureId::from(2),
            polygons: vec![vec![square(X, Y, 0.0001)]],
        },
    ];
    let r = validate(&[segment(1, Some(10.0))], &[], &corridors);
    assert_eq!(r.errors.len(), 1);
    assert_eq!(r.errors[0].id, FeatureId::Text("c2".into()));
    assert!(
        matches!(&r.errors[0].reason, Reason::UnknownSegment { segment_id } if *segment_id == FeatureId::from(2))
    );
}

#[test]
fn several_problems_in_one_input_are_all_reported() {
    let mut open = square(X + 0.0004, Y, 0.0001);
    open.pop();
    let mut nan = square(X + 0.0006, Y, 0.0001);
    nan[1][1] = f64::NAN;
    let parcels = vec![
        parcel(1, vec![bow_tie()]),
        parcel(2, vec![open]),
        parcel(3, vec![nan]),
        parcel(1, vec![square(X + 0.0008, Y, 0.0001)]),
    ];
    let r = validate(&[segment(7, None)], &parcels, &[]);
    let got: Vec<_> = r.errors.iter().map(|i| (i.layer, i.index)).collect();
    assert_eq!(
        got,
        vec![
            (Layer::Segment, 0),
            (Layer::Parcel, 0),
            (Layer::Parcel, 1),
            (Layer::Parcel, 2),
            (Layer::Parcel, 3)
        ],
        "{r:#?}"
    );
}

#[test]
fn repair_of_a_bow_tie_gives_valid_polygons_and_a_report_line() {
    let mut parcels = vec![
        parcel(57, vec![bow_tie()]),
        parcel(58, vec![square(X, Y + 0.001, 0.0001)]),
    ];
    let done = repair(&mut parcels, &mut []);
    assert_eq!(done.len(), 1, "{done:#?}");
    assert_eq!(
        done[0].action,
        RepairAction::MadeValid {
            polygon: 0,
            parts: 2
        }
    );
    let line = done[0].to_string();
    assert!(line.starts_with("thửa đất #0 (id 57): đa giác 0: sửa tự cắt, tách thành 2 đa giác hợp lệ / parcel #0 (id 57)"), "{line}");
    assert_eq!(parcels[0].polygons.len(), 2);
    let area: f64 = parcels[0]
        .polygons
        .iter()
        .map(|p| signed_ring_area(&p[0]).abs())
        .sum();
    assert!((area - 2.0 * 0.0002 * 0.0001 / 2.0).abs() < 1e-15, "{area}");
    assert!(validate(&[], &parcels, &[]).errors.is_empty());
    assert_eq!(
        parcels[1].polygons,
        vec![vec![square(X, Y + 0.001, 0.0001)]]
    );
}

#[test]
fn repair_closes_rings_and_drops_repeated_points() {
    let mut ring = square(X, Y, 0.0001);
    ring.pop();
    ring.insert(1, ring[0]);
    let mut corridors = vec![CorridorInput {
        feature_id: None,
        segment_id: FeatureId::from(3),
        polygons: vec![vec![ring, vec![[X, Y], [X, Y]]]],
    }];
    let done = repair(&mut [], &mut corridors);
    let actions: Vec<_> = done.iter().map(|r| r.action.clone()).collect();
    let shell = Part::Ring {
        polygon: 0,
        ring: 0,
    };
    assert_eq!(
        actions,
        vec![
            RepairAction::DroppedRepeatedPoints {
                part: shell,
                count: 1
            },
            RepairAction::ClosedRing { part: shell },
            RepairAction::DroppedRepeatedPoints {
                part: Part::Ring {
                    polygon: 0,
                    ring: 1
                },
                count: 1
            },
            RepairAction::DroppedDegenerateHole {
                part: Part::Ring {
                    polygon: 0,
                    ring: 1
                }
            },
        ]
    );
    assert_eq!(corridors[0].polygons, vec![vec![square(X, Y, 0.0001)]]);
    assert!(
        done.iter()
            .all(|r| r.id == FeatureId::from(3) && r.layer == Layer::Corridor)
    );
    assert!(
        validate(&[segment(3, Some(8.0))], &[], &corridors)
            .errors
            .is_empty()
    );
}
