//! Partial imports (issue 17, item 7): parcels alone, segments alone, the
//! refusal into a ward without segments, and atomicity. Each partial import
//! is compared pair by pair with the full import it stands for.

use super::*;
use crate::campaign::events::{Event, Status};
use crate::campaign::{HouseholdInput, ParcelInput, SegmentInput};
use crate::geometry::validate::{Layer, Reason};
use crate::store::{ParcelFilter, UNNAMED_WARD, WardId, WardKind};
use chrono::{NaiveDate, TimeZone, Utc};
use std::collections::BTreeMap;

const D: f64 = 1e-4; // about 11 m
const LON: f64 = 105.78;
const LAT: f64 = 19.80;

fn crs() -> Crs {
    Crs::vn2000_thanh_hoa()
}

/// Two roads crossing: segment 1 east–west (10 m planned), segment 2
/// north–south at 10 D (8 m planned).
fn roads() -> Vec<SegmentInput> {
    let seg = |id: i64, width: f64, lines| SegmentInput {
        id: FeatureId::from(id),
        name: format!("Đường số {id}"),
        current_width_m: Some(4.0),
        planned_width_m: Some(width),
        planned_left_m: None,
        planned_right_m: None,
        lines,
    };
    vec![
        seg(1, 10.0, vec![vec![[LON, LAT], [LON + 20.0 * D, LAT]]]),
        seg(
            2,
            8.0,
            vec![vec![
                [LON + 10.0 * D, LAT - 8.0 * D],
                [LON + 10.0 * D, LAT + 8.0 * D],
            ]],
        ),
    ]
}

fn lot(id: i64, [x0, y0]: [f64; 2], [x1, y1]: [f64; 2]) -> ParcelInput {
    ParcelInput {
        id: FeatureId::from(id),
        map_sheet: Some("7".into()),
        parcel_no: Some(id.to_string()),
        owner: Some(format!("Nguyễn Văn {id}")),
        residential_group: Some(format!("Tổ dân phố {}", 1 + id % 2)),
        land_use: Some("ODT".into()),
        polygons: vec![vec![vec![
            [LON + x0 * D, LAT + y0 * D],
            [LON + x1 * D, LAT + y0 * D],
            [LON + x1 * D, LAT + y1 * D],
            [LON + x0 * D, LAT + y1 * D],
            [LON + x0 * D, LAT + y0 * D],
        ]]],
    }
}

/// Lots north and south of road 1, every 2.5 D; those near 10 D also meet
/// road 2 (corner lots).
fn lots() -> Vec<ParcelInput> {
    let mut out = Vec::new();
    for i in 0..8 {
        let x = 0.2 + 2.5 * f64::from(i);
        out.push(lot(100 + i64::from(i), [x, 0.2], [x + 2.2, 2.5]));
        out.push(lot(200 + i64::from(i), [x, -2.5], [x + 2.2, -0.2]));
    }
    out
}

fn input<'a>(s: &'a [SegmentInput], p: &'a [ParcelInput]) -> ImportInput<'a> {
    ImportInput {
        segments: s,
        parcels: p,
        ..ImportInput::default()
    }
}

fn imported() -> Store {
    let mut store = Store::open_in_memory().unwrap();
    import(&mut store, &crs(), input(&roads(), &lots()), false).unwrap();
    store
}

/// Every donation by (parcel id, segment id): [attributed, in corridor,
/// frontage, depth mean, depth max].
fn donations(store: &Store) -> BTreeMap<(String, String), [f64; 5]> {
    let parcels: HashMap<i64, String> = store
        .parcels(&ParcelFilter::default())
        .unwrap()
        .into_iter()
        .map(|p| (p.key, p.id.to_string()))
        .collect();
    let segments: HashMap<i64, String> = store
        .segments()
        .unwrap()
        .into_iter()
        .map(|s| (s.key, s.id.to_string()))
        .collect();
    store
        .donations()
        .unwrap()
        .into_iter()
        .map(|d| {
            (
                (parcels[&d.parcel].clone(), segments[&d.segment].clone()),
                [
                    d.attributed_area_m2,
                    d.area_in_corridor_m2,
                    d.frontage_m,
                    d.depth_mean_m,
                    d.depth_max_m,
                ],
            )
        })
        .collect()
}

fn assert_same_pairs(
    got: &BTreeMap<(String, String), [f64; 5]>,
    want: &BTreeMap<(String, String), [f64; 5]>,
) {
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "the same (parcel, segment) pairs"
    );
    for (k, w) in want {
        for (a, b) in got[k].iter().zip(w) {
            assert!((a - b).abs() <= 1e-6, "{k:?}: {:?} vs {w:?}", got[k]);
        }
    }
}

fn total(d: &BTreeMap<(String, String), [f64; 5]>) -> f64 {
    d.values().map(|v| v[0]).sum()
}

/// The corrected parcel file: 101 reaches deeper into road 1, 203 is
/// narrower, 104 (a corner lot) has a new owner only, 300 is new, and 100
/// and 200 are not in it (kept).
fn corrected(lots: &[ParcelInput]) -> Vec<ParcelInput> {
    let mut out: Vec<ParcelInput> = lots
        .iter()
        .filter(|p| !["100", "200"].contains(&p.id.as_str()))
        .cloned()
        .collect();
    for p in &mut out {
        match p.id.as_str() {
            "101" => *p = lot(101, [2.7, 0.1], [4.9, 2.5]),
            "203" => *p = lot(203, [7.7, -2.5], [8.9, -0.2]),
            "104" => p.owner = Some("Trần Thị Lan".into()),
            _ => {}
        }
    }
    out.push(lot(300, [21.0, -1.0], [23.0, 1.0]));
    out
}

#[test]
fn parcels_alone_keep_the_segments_and_measure_like_a_full_import() {
    let corrected = corrected(&lots());
    let mut partial = imported();
    let before = donations(&partial);
    let s = import(&mut partial, &crs(), input(&[], &corrected), false).unwrap();
    eprint!("{s}");
    // the full import it stands for: the same segments with the new parcels
    let mut full = imported();
    import(&mut full, &crs(), input(&roads(), &corrected), false).unwrap();
    let after = donations(&partial);
    assert_same_pairs(&after, &donations(&full));
    // and a ward made from scratch of both
    let mut fresh = Store::open_in_memory().unwrap();
    let mut all = corrected.clone();
    all.extend(
        lots()
            .into_iter()
            .filter(|p| ["100", "200"].contains(&p.id.as_str())),
    );
    import(&mut fresh, &crs(), input(&roads(), &all), false).unwrap();
    assert_same_pairs(&after, &donations(&fresh));

    assert_eq!(s.segments, LayerCounts::default());
    assert_eq!((s.segments_kept, s.parcels_kept), (2, 2));
    assert_eq!(
        s.parcels,
        LayerCounts {
            added: 1,
            updated: 3,
            unchanged: corrected.len() - 4
        }
    );
    // 101, 203 reshaped and 300 new were measured; 104's owner moves nothing
    assert_eq!(s.parcels_measured, 3);
    // whose donations moved, by the stored rows before and after
    let moved: Vec<String> = before
        .keys()
        .chain(after.keys())
        .map(|(p, _)| p.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|p| {
            let of = |d: &BTreeMap<(String, String), [f64; 5]>| -> Vec<(String, f64)> {
                d.iter()
                    .filter(|((q, _), _)| q == p)
                    .map(|((_, s), v)| (s.clone(), v[0]))
                    .collect()
            };
            let (b, a) = (of(&before), of(&after));
            b.len() != a.len()
                || b.iter()
                    .zip(&a)
                    .any(|(x, y)| x.0 != y.0 || (x.1 - y.1).abs() >= MOVED_M2)
        })
        .collect();
    assert!(moved.contains(&"101".to_string()) && moved.contains(&"203".to_string()));
    assert_eq!(s.donations_moved, moved.len(), "{moved:?}");
    let ids: Vec<String> = s.moved_ids.iter().map(|i| i.to_string()).collect();
    assert_eq!(ids.iter().collect::<BTreeSet<_>>(), moved.iter().collect());
    assert!(
        (s.donated_change_m2 - (total(&after) - total(&before))).abs() < 1e-6,
        "{} vs {}",
        s.donated_change_m2,
        total(&after) - total(&before)
    );
    assert!(s.donated_change_m2.abs() > 1.0, "the change is seen");
    let text = s.to_string();
    assert!(
        text.contains("Giữ nguyên 2 đoạn tuyến không có trong tệp / kept 2 segments"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "diện tích hiến thay đổi ở {} thửa",
            s.donations_moved
        )),
        "{text}"
    );
}

#[test]
fn segments_alone_keep_the_parcels_and_measure_those_near_the_change() {
    let mut wider = roads();
    wider[1].planned_width_m = Some(12.0);
    let mut partial = imported();
    let before = donations(&partial);
    let s = import(&mut partial, &crs(), input(&wider[1..], &[]), false).unwrap();
    eprint!("{s}");
    let mut fresh = Store::open_in_memory().unwrap();
    import(&mut fresh, &crs(), input(&wider, &lots()), false).unwrap();
    let after = donations(&partial);
    assert_same_pairs(&after, &donations(&fresh));

    assert_eq!(
        s.segments,
        LayerCounts {
            added: 0,
            updated: 1,
            unchanged: 0
        }
    );
    assert_eq!((s.segments_kept, s.parcels_kept), (1, lots().len()));
    assert_eq!(s.parcels, LayerCounts::default());
    // only parcels near road 2 were measured, every one that meets it among them
    let on_road_2: BTreeSet<&String> = after
        .keys()
        .filter(|(_, seg)| seg == "2")
        .map(|(p, _)| p)
        .collect();
    assert!(on_road_2.len() >= 2, "{on_road_2:?}");
    assert!(s.parcels_measured >= on_road_2.len());
    assert!(s.parcels_measured < lots().len(), "{}", s.parcels_measured);
    assert_eq!(s.donations_moved, on_road_2.len());
    assert!(
        (s.donated_change_m2 - (total(&after) - total(&before))).abs() < 1e-6,
        "{} vs {}",
        s.donated_change_m2,
        total(&after) - total(&before)
    );
    assert!(s.donated_change_m2 > 1.0);
    assert!(
        s.to_string()
            .contains(&format!("kept {} parcels not in the files", lots().len())),
        "{s}"
    );
}

fn event(parcel: i64, status: Status) -> Event {
    Event {
        parcel: FeatureId::from(parcel),
        status,
        occurred_on: NaiveDate::from_ymd_opt(2026, 11, 3).unwrap(),
        entered_at: Utc.with_ymd_and_hms(2026, 11, 3, 9, 0, 0).unwrap(),
        entered_by: "canbo.diachinh".into(),
        party_member: None,
        note: Some("đã gặp chủ hộ".into()),
        corrects: None,
    }
}

#[test]
fn events_households_and_versions_of_kept_and_reshaped_parcels_survive() {
    let mut store = imported();
    let h = HouseholdInput {
        parcel: FeatureId::from(101),
        head_name: "Nguyễn Văn 101".into(),
        address: None,
        phone: None,
        is_member_family: true,
        note: None,
        may_be_named: false,
    };
    let (segments, parcels) = (roads(), lots());
    let with_household = ImportInput {
        households: Some(std::slice::from_ref(&h)),
        ..input(&segments, &parcels)
    };
    import(&mut store, &crs(), with_household, false).unwrap();
    for p in [100, 101] {
        store.append_event(&event(p, Status::Persuading)).unwrap();
    }
    let key = |store: &Store, id: &str| {
        store
            .parcels(&ParcelFilter::default())
            .unwrap()
            .into_iter()
            .find(|p| p.id.as_str() == id)
            .unwrap()
            .key
    };
    let (k100, k101) = (key(&store, "100"), key(&store, "101"));
    let v100 = store.parcel_version(k100).unwrap().version;
    let v101 = store.parcel_version(k101).unwrap().version;
    let data = store.data_version().unwrap();

    import(&mut store, &crs(), input(&[], &corrected(&lots())), false).unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    for p in [100, 101] {
        let id = FeatureId::from(p);
        assert_eq!(store.events(&id).unwrap().len(), 1, "{p}");
        assert_eq!(store.status_as_of(&id, day).unwrap(), Status::Persuading);
    }
    assert_eq!(key(&store, "101"), k101, "updated in place, not replaced");
    assert_eq!(store.households_of(k101).unwrap().len(), 1);
    // a kept parcel's version stays; a reshaped one's moves, as with a full import
    assert_eq!(store.parcel_version(k100).unwrap().version, v100);
    assert!(store.parcel_version(k101).unwrap().version > v101);
    assert_ne!(store.data_version().unwrap(), data, "pages reload");
}

#[test]
fn parcels_alone_into_a_ward_without_segments_are_refused_segments_alone_are_taken() {
    let mut store = Store::open_in_memory().unwrap();
    let data = store.data_version().unwrap();
    let e = import(&mut store, &crs(), input(&[], &lots()), false).unwrap_err();
    assert!(matches!(e, ImportError::NoSegments), "{e}");
    let text = e.to_string();
    assert!(text.contains("chưa có đoạn tuyến") && text.contains("--segments"));
    assert!(store.parcels(&ParcelFilter::default()).unwrap().is_empty());
    assert_eq!(store.data_version().unwrap(), data);
    // the road plan before the survey
    let s = import(&mut store, &crs(), input(&roads(), &[]), false).unwrap();
    assert_eq!(s.segments.added, 2);
    assert_eq!(s.parcels_measured, 0);
    assert_eq!(store.segments().unwrap().len(), 2);
    // then the parcels alone, measured against it
    let s = import(&mut store, &crs(), input(&[], &lots()), false).unwrap();
    assert_eq!(s.parcels.added, lots().len());
    let mut full = Store::open_in_memory().unwrap();
    import(&mut full, &crs(), input(&roads(), &lots()), false).unwrap();
    assert_same_pairs(&donations(&store), &donations(&full));
}

/// Every row of every table, in order (the R*Tree's shadow tables aside).
fn digest(path: &Path) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table'
             AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'parcel_bbox_%' ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .into_iter()
        .map(|t| {
            let mut st = conn
                .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1"))
                .unwrap();
            let n = st.column_count();
            let mut rows = st.query([]).unwrap();
            let mut text = String::new();
            while let Some(r) = rows.next().unwrap() {
                for i in 0..n {
                    text.push_str(&format!("{:?}|", r.get_ref(i).unwrap()));
                }
                text.push('\n');
            }
            (t, text)
        })
        .collect()
}

#[test]
fn a_partial_import_with_a_bad_feature_changes_nothing() {
    let dir = std::env::temp_dir().join(format!("hiendat-partial-unit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("w.db");
    {
        let mut store = Store::open(&db).unwrap();
        import(&mut store, &crs(), input(&roads(), &lots()), false).unwrap();
    }
    let before = digest(&db);
    let mut bad = corrected(&lots());
    // a self-intersecting bow tie on parcel 105
    let i = bad.iter().position(|p| p.id.as_str() == "105").unwrap();
    bad[i].polygons = vec![vec![vec![
        [LON, LAT + D],
        [LON + D, LAT + 2.0 * D],
        [LON + D, LAT + D],
        [LON, LAT + 2.0 * D],
        [LON, LAT + D],
    ]]];
    let mut store = Store::open(&db).unwrap();
    let e = import(&mut store, &crs(), input(&[], &bad), false).unwrap_err();
    let ImportError::Invalid(issues) = &e else {
        panic!("{e}")
    };
    assert!(
        issues.iter().any(|i| i.id == FeatureId::from(105)),
        "{issues:?}"
    );
    // a bad segment alone too
    let mut broken = roads();
    broken[0].lines = vec![vec![[LON, LAT]]];
    let e = import(&mut store, &crs(), input(&broken[..1], &[]), false).unwrap_err();
    assert!(matches!(e, ImportError::Invalid(_)), "{e}");
    drop(store);
    assert_eq!(digest(&db), before);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_donation_moves_when_a_pair_comes_goes_or_changes_by_a_hundredth() {
    let before = [
        (1, 10, 5.0),
        (2, 10, 5.0),
        (3, 10, 5.0),
        (3, 11, 2.0),
        (4, 10, 1.0),
    ];
    let after = [
        (1, 10, 5.0 + MOVED_M2 / 2.0), // the same measure
        (2, 10, 5.0 + 2.0 * MOVED_M2), // moved
        (3, 10, 5.0),                  // 3's pair with 11 went
        (4, 10, 1.0),
        (4, 12, 0.5), // 4 met a new corridor
        (5, 10, 3.0), // a new parcel
    ];
    let m = moved(&before, &after);
    assert_eq!(m.keys().copied().collect::<Vec<_>>(), [2, 3, 4, 5]);
    assert!((m[&2] - 2.0 * MOVED_M2).abs() < 1e-12);
    assert_eq!((m[&3], m[&4], m[&5]), (-2.0, 0.5, 3.0));
}

#[test]
fn a_partial_file_far_from_the_kept_layer_is_named_in_a_warning() {
    let mut store = imported();
    // the corrected lots, one of them about 110 km north (a wrong zone)
    let mut far = corrected(&lots());
    for pt in far[3].polygons[0][0].iter_mut() {
        pt[1] += 1.0;
    }
    let s = import(&mut store, &crs(), input(&[], &far), true).unwrap();
    let named: Vec<&FeatureId> = s
        .warnings
        .iter()
        .filter(|w| matches!(w.reason, Reason::FarFromData { .. }))
        .map(|w| &w.id)
        .collect();
    assert_eq!(named, [&far[3].id], "named once");
    // the whole file in a wrong zone: the file alone cannot tell
    let mut away = corrected(&lots());
    for pt in away.iter_mut().flat_map(|p| p.polygons[0][0].iter_mut()) {
        pt[1] += 1.0;
    }
    let s = import(&mut store, &crs(), input(&[], &away), true).unwrap();
    assert_eq!(s.warnings.len(), away.len(), "{:?}", s.warnings);
    assert!(
        s.warnings[0].to_string().contains("km"),
        "{}",
        s.warnings[0]
    );
    let s = import(&mut store, &crs(), input(&[], &corrected(&lots())), true).unwrap();
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    // segments alone, against the stored parcels
    let mut roads = roads();
    roads[1].lines[0][0][0] += 1.0;
    roads[1].lines[0][1][0] += 1.0;
    let s = import(&mut store, &crs(), input(&roads, &[]), true).unwrap();
    let named: Vec<&FeatureId> = s.warnings.iter().map(|w| &w.id).collect();
    assert_eq!(named, [&roads[1].id]);
}

#[test]
fn a_number_and_a_text_that_read_the_same_are_one_id_and_refused() {
    let mut store = imported();
    let data = store.data_version().unwrap();
    // segment 1 twice: as the number 1 and as the text "1" (the store keys
    // rows by the text: both would land on stored segment 1)
    let mut twice = roads();
    twice[1].id = FeatureId::Text("1".into());
    let e = import(&mut store, &crs(), input(&twice, &[]), false).unwrap_err();
    let ImportError::Invalid(issues) = &e else {
        panic!("{e}")
    };
    let named: Vec<_> = issues
        .iter()
        .map(|i| (i.layer, i.index, i.id.clone(), i.reason.clone()))
        .collect();
    assert_eq!(
        named,
        [(
            Layer::Segment,
            1,
            FeatureId::Text("1".into()),
            Reason::DuplicateId { first: 0 }
        )]
    );
    assert!(issues[0].to_string().contains("#0"), "{}", issues[0]);
    // parcels the same way, the text first
    let mut lots = lots();
    lots[0].id = FeatureId::Text("101".into());
    let e = import(&mut store, &crs(), input(&[], &lots), false).unwrap_err();
    let ImportError::Invalid(issues) = &e else {
        panic!("{e}")
    };
    let at: Vec<_> = issues
        .iter()
        .map(|i| (i.layer, i.index, i.id.clone()))
        .collect();
    assert_eq!(at, [(Layer::Parcel, 2, FeatureId::from(101))]);
    assert_eq!(store.data_version().unwrap(), data);
    assert_eq!(store.segments().unwrap().len(), 2);
}

#[test]
fn position_ids_that_meet_stored_ids_are_refused_in_a_partial_import() {
    // a ward whose parcels are numbered 1..16 by its GeoJSON
    let numbered: Vec<ParcelInput> = lots()
        .into_iter()
        .zip(1..)
        .map(|(p, k)| ParcelInput {
            id: FeatureId::from(k),
            ..p
        })
        .collect();
    let mut store = Store::open_in_memory().unwrap();
    import(&mut store, &crs(), input(&roads(), &numbered), false).unwrap();
    let data = store.data_version().unwrap();
    let parcels = PositionIds {
        parcels: true,
        ..PositionIds::default()
    };
    // a DGN without parcel numbers: its shapes numbered 1..16 by position
    let mut shapes = numbered.clone();
    shapes.reverse();
    for (p, k) in shapes.iter_mut().zip(1..) {
        p.id = FeatureId::from(k);
    }
    let e = import_with(&mut store, &crs(), input(&[], &shapes), parcels, false).unwrap_err();
    assert!(matches!(e, ImportError::PositionIds(_)), "{e}");
    let text = e.to_string();
    assert!(
        text.contains("16 mã trùng thửa đất")
            && text.contains("1..16")
            && text.contains("(1, 2, 3"),
        "{text}"
    );
    assert!(
        text.contains("--field id=FIELD") && text.contains("parcel numbers"),
        "{text}"
    );
    assert_eq!(store.data_version().unwrap(), data);
    // segments alone by position meet stored segments 1 and 2
    let segments = PositionIds {
        segments: true,
        ..PositionIds::default()
    };
    let e = import_with(&mut store, &crs(), input(&roads(), &[]), segments, false).unwrap_err();
    assert!(e.to_string().contains("(1, 2)"), "{e}");
    assert_eq!(store.data_version().unwrap(), data);
    // the same ids from an id field are the stored features' own: taken
    let s = import(&mut store, &crs(), input(&[], &shapes), false).unwrap();
    assert_eq!(s.parcels.updated, 16);
    // and positions meeting nothing stored, or a full import, are taken too
    let fresh: Vec<ParcelInput> = shapes
        .iter()
        .cloned()
        .zip(101..)
        .map(|(p, k)| ParcelInput {
            id: FeatureId::from(k),
            ..p
        })
        .collect();
    let mut other = Store::open_in_memory().unwrap();
    import(&mut other, &crs(), input(&roads(), &numbered), false).unwrap();
    let s = import_with(&mut other, &crs(), input(&[], &fresh), parcels, true).unwrap();
    assert_eq!(s.parcels.added, 16);
    let both = PositionIds {
        segments: true,
        parcels: true,
    };
    import_with(&mut other, &crs(), input(&roads(), &shapes), both, true).unwrap();
}

#[test]
fn an_import_chooses_its_ward_by_code_or_name_and_never_renames_a_named_one() {
    // one unnamed ward (a new file): --ward names it, as before wards
    let mut store = Store::open_in_memory().unwrap();
    assert_eq!(store.ward_name().unwrap(), UNNAMED_WARD);
    assert_eq!(
        select_ward(&mut store, Some("Ngọc Sơn"))
            .unwrap()
            .as_deref(),
        Some("Ngọc Sơn")
    );
    assert_eq!(select_ward(&mut store, None).unwrap(), None);

    // two named wards
    let mut store = Store::open_in_memory().unwrap();
    store.rename_ward("Ngọc Sơn").unwrap();
    let b = store
        .add_ward(
            "dong-son",
            "Đông Sơn",
            WardKind::Phuong,
            Some("Thanh Hóa"),
            None,
        )
        .unwrap()
        .id;
    assert_eq!(store.ward_row().unwrap().code, "ngoc-son", "named: coded");
    for (given, ward) in [
        ("dong-son", b),
        ("Ngọc Sơn", WardId(1)),
        ("phường đông sơn", b),
        ("NGOC SON", WardId(1)),
    ] {
        assert_eq!(select_ward(&mut store, Some(given)).unwrap(), None);
        assert_eq!(store.ward_id(), ward, "{given}");
    }
    let before = store.wards().unwrap();
    for given in [None, Some("Hà Trung")] {
        let err = select_ward(&mut store, given).unwrap_err();
        assert!(matches!(err, ImportError::Files(_)), "{err}");
        let m = err.to_string();
        assert!(
            m.starts_with("--ward") && m.contains("ngoc-son") && m.contains("dong-son"),
            "{m}"
        );
    }
    assert_eq!(store.wards().unwrap(), before, "no ward renamed");
}
