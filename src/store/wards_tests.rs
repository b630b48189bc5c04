//! Two wards in one database with the same ids (issue 18, item 2): every
//! read returns the current ward's rows only, another ward's row ids are
//! not found, and importing into one ward leaves the other byte for byte.

use super::tests::{event, import_into, small_ward};
use super::*;
use crate::campaign::events::Status;
use crate::campaign::{ParcelInput, SegmentInput};
use crate::geometry::crs::Crs;
use chrono::NaiveDate;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The small ward with its owners renamed and its parcels `dy` (in 1e-4°)
/// further from the road: another ward's data under the same ids.
fn other_ward(owner: &str, dy: f64) -> (Vec<SegmentInput>, Vec<ParcelInput>) {
    let (mut s, mut p) = small_ward();
    s[0].name = "Đường Đông Sơn".into();
    for x in &mut p {
        x.owner = Some(format!("{owner} {}", x.id));
        for ring in x.polygons.iter_mut().flatten() {
            for pt in ring {
                pt[1] += dy * 1e-4;
            }
        }
    }
    (s, p)
}

/// Ward 1 "Ngọc Sơn" with the small ward, ward "dong-son" with the same
/// ids (other owners, the same place): the store left in ward 1.
fn two_wards() -> (Store, WardId) {
    let mut store = Store::open_in_memory().unwrap();
    let (s, p) = small_ward();
    import_into(&mut store, &Crs::vn2000_thanh_hoa(), &s, &p, None);
    store.rename_ward("Ngọc Sơn").unwrap();
    let b = store
        .add_ward(
            "dong-son",
            "Đông Sơn",
            WardKind::Phuong,
            Some("Thanh Hóa"),
            None,
        )
        .unwrap();
    store.use_ward(b.id).unwrap();
    let (s, p) = other_ward("Trần Thị", 0.0);
    import_into(&mut store, &Crs::vn2000_thanh_hoa(), &s, &p, None);
    store.use_ward(WardId(1)).unwrap();
    (store, b.id)
}

/// Text of every row `sql` (with `?1` = the ward) returns.
fn rows(store: &Store, sql: &str, ward: i64) -> Vec<String> {
    let mut st = store.conn.prepare(sql).unwrap();
    let n = st.column_count();
    st.query_map([ward], |r| {
        Ok((0..n)
            .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
            .collect::<Vec<_>>()
            .join("|"))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// Every row of ward `w`'s land, measures, statuses and versions, and its
/// own row in `wards`.
fn ward_rows(store: &Store, w: i64) -> Vec<Vec<String>> {
    [
        "SELECT * FROM wards WHERE id = ?1",
        "SELECT * FROM residential_groups WHERE ward = ?1 ORDER BY id",
        "SELECT * FROM segments WHERE ward = ?1 ORDER BY id",
        "SELECT * FROM parcels WHERE ward = ?1 ORDER BY id",
        "SELECT b.* FROM parcel_bbox b JOIN parcels p ON p.id = b.id WHERE p.ward = ?1 ORDER BY b.id",
        "SELECT d.* FROM donations d JOIN parcels p ON p.id = d.parcel WHERE p.ward = ?1 ORDER BY 1, 2",
        "SELECT sg.* FROM segment_groups sg JOIN segments s ON s.id = sg.segment
         WHERE s.ward = ?1 ORDER BY 1, 2",
        "SELECT st.* FROM parcel_status st JOIN parcels p ON p.id = st.parcel
         WHERE p.ward = ?1 ORDER BY 1",
        "SELECT v.* FROM parcel_versions v JOIN parcels p ON p.id = v.parcel
         WHERE p.ward = ?1 ORDER BY 1",
        "SELECT e.* FROM events e JOIN parcels p ON p.id = e.parcel WHERE p.ward = ?1 ORDER BY 1",
    ]
    .iter()
    .map(|q| rows(store, q, w))
    .collect()
}

#[test]
fn two_wards_with_the_same_ids_each_read_only_their_own() {
    let (mut store, b) = two_wards();
    assert!(!store.only_ward());
    let p101 = FeatureId::from(101);
    // each ward's own paperwork and log under the same ids and numbers
    let mut keys = Vec::new();
    for (w, owner) in [(WardId(1), "Nguyễn Văn"), (b, "Trần Thị")] {
        store.use_ward(w).unwrap();
        assert_eq!(store.ward_id(), w);
        store
            .append_event(&event(101, Status::Persuading, (2026, 3, 1), 0))
            .unwrap();
        store
            .add_record(
                &p101,
                &RecordInput {
                    number: "1/BB".into(),
                    signed_on: day(2026, 3, 2),
                    signatories: vec![format!("{owner} 101")],
                    witness: "Tổ trưởng".into(),
                    attachment: None,
                },
                "canbo",
            )
            .expect("the same record number in another ward");
        let g = store
            .add_grievance(&p101, day(2026, 3, 3), owner, "Kiến nghị", "canbo")
            .unwrap();
        let a = store
            .add_attachment(&p101, "bb.pdf", b"%PDF-1.4 x", None, "canbo")
            .unwrap()
            .id;
        let f = store
            .freeze_document(
                "group",
                &FrozenDocument {
                    title: format!("Báo cáo {owner}"),
                    as_of: day(2026, 3, 4),
                    from: None,
                    text: "{}".into(),
                },
                day(2026, 3, 4),
                "canbo",
            )
            .unwrap();
        store
            .add_contact(&p101, day(2026, 3, 5), "DV001", owner, "canbo")
            .unwrap();
        store
            .log_access("canbo", "editor", "parcel 101", Some(owner), None)
            .unwrap();
        keys.push((g, a, f));
    }
    let versions: Vec<String> = [WardId(1), b]
        .iter()
        .map(|&w| {
            store.use_ward(w).unwrap();
            store.data_version().unwrap()
        })
        .collect();
    assert_ne!(versions[0], versions[1], "a version per ward");

    for (i, (w, owner, road)) in [
        (WardId(1), "Nguyễn Văn", "Đường Ngọc Sơn"),
        (b, "Trần Thị", "Đường Đông Sơn"),
    ]
    .into_iter()
    .enumerate()
    {
        store.use_ward(w).unwrap();
        let mine: Vec<i64> = rows(
            &store,
            "SELECT id FROM parcels WHERE ward = ?1 ORDER BY id",
            w.0,
        )
        .iter()
        .map(|r| {
            r.trim_start_matches("Integer(")
                .trim_end_matches(')')
                .parse()
                .unwrap()
        })
        .collect();
        assert_eq!(mine.len(), 3);
        let parcels = store.parcels(&ParcelFilter::default()).unwrap();
        assert_eq!(parcels.iter().map(|p| p.key).collect::<Vec<_>>(), mine);
        assert!(
            parcels
                .iter()
                .all(|p| p.owner.as_deref().unwrap().starts_with(owner))
        );
        let bbox = store
            .parcels(&ParcelFilter {
                bbox: Some([105.0, 19.0, 106.0, 20.0]),
                segment: Some("1".into()),
                group: Some("Tổ dân phố 2".into()),
            })
            .unwrap();
        assert!(!bbox.is_empty() && bbox.iter().all(|p| mine.contains(&p.key)));
        assert_eq!(
            store.parcel("101").unwrap().owner.as_deref(),
            Some(format!("{owner} 101").as_str())
        );
        assert_eq!(store.parcel_row_id("101").unwrap(), mine[0]);
        let segments = store.segments().unwrap();
        assert_eq!(segments.len(), 1);
        assert_eq!(segments[0].name, road);
        assert_eq!(store.segment_ids().unwrap().len(), 1);
        assert_eq!(store.group_names().unwrap().len(), 2);
        assert_eq!(store.parcel_groups().unwrap().len(), 3);
        let donations = store.donations().unwrap();
        assert!(!donations.is_empty());
        assert!(donations.iter().all(|d| mine.contains(&d.parcel)));
        assert!(donations.iter().all(|d| d.segment == segments[0].key));
        assert_eq!(
            store
                .parcels_in_bbox([105.0, 19.0], [106.0, 20.0])
                .unwrap()
                .len(),
            3
        );
        let tiles = store.tile_parcels([105.0, 19.0, 106.0, 20.0], 100).unwrap();
        assert_eq!(tiles.iter().map(|t| t.key).collect::<Vec<_>>().len(), 3);
        assert!(tiles.iter().all(|t| mine.contains(&t.key)));
        let timelines = store.timelines().unwrap();
        assert_eq!(timelines.keys().copied().collect::<Vec<_>>(), [mine[0]]);
        let now = store.current_timelines(None).unwrap();
        assert_eq!(now.keys().copied().collect::<Vec<_>>(), [mine[0]]);
        assert_eq!(store.events(&p101).unwrap().len(), 1);
        assert_eq!(store.corridor_outlines().unwrap().len(), 1);
        assert_eq!(store.group_outlines().unwrap().len(), 2);
        assert!(
            store
                .segment_groups()
                .unwrap()
                .keys()
                .all(|k| *k == segments[0].key)
        );
        let facts = store.ward().unwrap();
        assert_eq!(
            facts.parcels.iter().map(|p| p.key).collect::<Vec<_>>(),
            mine
        );
        assert_eq!(facts.segments.len(), 1);
        assert_eq!(store.ward_now().unwrap().parcels.len(), 3);
        let contacts = store.contacts(None).unwrap();
        assert_eq!(contacts.len(), 1);
        assert_eq!(contacts[0].1.summary, owner);
        let grievances = store.grievances(None).unwrap();
        assert_eq!(grievances.len(), 1);
        assert_eq!(grievances[0].1.id, keys[i].0);
        assert_eq!(store.records_of(mine[0]).unwrap().len(), 1);
        let frozen = store.frozen_reports().unwrap();
        assert_eq!(frozen.len(), 1);
        assert_eq!(frozen[0].title, format!("Báo cáo {owner}"));
        let log = store.access_log(10).unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].detail.as_deref(), Some(owner));
        assert_eq!(store.data_version().unwrap(), versions[i]);
        assert_eq!(store.ward_row().unwrap().id, w);
        let outline = store.ward_outline(w).unwrap().expect("the ward's outline");
        assert!(!outline.is_empty());

        // the other ward's row ids: not found from here
        let (g, a, f) = keys[1 - i];
        let not_found = |e: StoreError, what: What| {
            assert!(
                matches!(&e, StoreError::NotFound { what: x, .. } if *x == what),
                "{e}"
            );
        };
        not_found(
            store
                .answer_grievance(g, day(2026, 3, 6), "Đã trả lời", "canbo")
                .unwrap_err(),
            What::Grievance,
        );
        not_found(store.attachment(a).unwrap_err(), What::Attachment);
        not_found(store.frozen_document(f).unwrap_err(), What::Report);
        assert_eq!(store.grievance_parcel(g).unwrap(), None);
        assert_eq!(store.attachment_parcel(a).unwrap(), None);
        // and its own are found
        let (g, a, f) = keys[i];
        assert_eq!(store.grievance_parcel(g).unwrap().as_deref(), Some("101"));
        assert_eq!(store.attachment_parcel(a).unwrap().as_deref(), Some("101"));
        assert!(store.attachment(a).is_ok() && store.frozen_document(f).is_ok());
    }
    let err = store.use_ward(WardId(99)).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                what: What::Ward,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(store.ward_id(), b, "a refused ward changes nothing");
}

#[test]
fn importing_and_reimporting_one_ward_leaves_every_row_of_the_other_byte_for_byte() {
    let mut store = Store::open_in_memory().unwrap();
    let (s, p) = small_ward();
    import_into(&mut store, &Crs::vn2000_thanh_hoa(), &s, &p, None);
    store
        .append_event(&event(102, Status::Persuading, (2026, 3, 1), 0))
        .unwrap();
    let a = ward_rows(&store, 1);
    let a_version = store.data_version().unwrap();
    assert!(a.iter().all(|t| !t.is_empty()), "{a:?}");

    let b = store
        .add_ward("dong-son", "Đông Sơn", WardKind::Phuong, None, None)
        .unwrap()
        .id;
    store.use_ward(b).unwrap();
    // B's first import: the same ids and place; then its parcels moved
    // (re-measured, near segments searched), then measured in another CRS
    // (every parcel of B measured again), each a write over the same ids
    let (s, p) = other_ward("Trần Thị", 0.0);
    import_into(&mut store, &Crs::vn2000_thanh_hoa(), &s, &p, None);
    let (s, p) = other_ward("Trần Thị", 0.1);
    let summary = import_into(&mut store, &Crs::vn2000_thanh_hoa(), &s, &p, None);
    assert_eq!(summary.parcels.updated, 3, "B's parcels moved");
    let tm3 = Crs::parse("EPSG:5896").unwrap();
    import_into(&mut store, &tm3, &s, &p, None);
    store
        .append_event(&event(102, Status::Persuading, (2026, 3, 2), 1))
        .unwrap();
    assert_eq!(
        ward_rows(&store, b.0)[3].len(),
        3,
        "B has its own 3 parcels"
    );
    assert_eq!(
        store.ward_crs().unwrap().as_deref(),
        Some(tm3.proj_string())
    );

    assert_eq!(ward_rows(&store, 1), a, "ward 1 byte for byte");
    store.use_ward(WardId(1)).unwrap();
    assert_eq!(store.data_version().unwrap(), a_version);
    assert_ne!(
        store.ward_crs().unwrap().as_deref(),
        Some(tm3.proj_string())
    );
    // and the other way round: ward 1 imported again leaves B as it is
    let b_rows = ward_rows(&store, b.0);
    let (s, p) = other_ward("Nguyễn Văn", 0.05);
    import_into(&mut store, &Crs::vn2000_thanh_hoa(), &s, &p, None);
    assert_ne!(ward_rows(&store, 1), a);
    assert_eq!(ward_rows(&store, b.0), b_rows, "ward B byte for byte");
}

#[test]
fn a_link_across_wards_is_refused_by_the_schema() {
    let (store, b) = two_wards();
    let key = |ward: i64, table: &str| -> i64 {
        store
            .conn
            .query_row(
                &format!("SELECT min(id) FROM {table} WHERE ward = ?1"),
                [ward],
                |r| r.get(0),
            )
            .unwrap()
    };
    let (pa, sb, gb) = (
        key(1, "parcels"),
        key(b.0, "segments"),
        key(b.0, "residential_groups"),
    );
    for (sql, words) in [
        (
            format!("INSERT INTO donations VALUES ({pa}, {sb}, 1, 1, 1, 1, 1)"),
            "parcel and segment in two wards",
        ),
        (
            format!("UPDATE parcels SET residential_group = {gb} WHERE id = {pa}"),
            "another ward's residential group",
        ),
        (
            format!("UPDATE parcels SET ward = {} WHERE id = {pa}", b.0),
            "never moves to another ward",
        ),
    ] {
        let err = store.conn.execute(&sql, []).unwrap_err().to_string();
        assert!(err.contains(words), "{sql}: {err}");
    }
}

#[test]
fn wards_are_added_with_a_checked_code_and_name_and_renamed() {
    let mut store = Store::open_in_memory().unwrap();
    assert!(store.only_ward());
    for (code, name, field) in [
        ("Ngoc Son", "Ngọc Sơn", "code"),
        ("", "Ngọc Sơn", "code"),
        ("ngoc-son", "  ", "name"),
    ] {
        let err = store
            .add_ward(code, name, WardKind::Phuong, None, None)
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::BadInput(m) if m.starts_with(&format!("{field}:"))),
            "{err}"
        );
    }
    assert_eq!(store.wards().unwrap().len(), 1, "nothing added");
    let w = store
        .add_ward(
            "hai-xuan",
            "Hải Xuân",
            WardKind::Xa,
            Some(" TX Nghi Sơn "),
            Some("EPSG:5896"),
        )
        .unwrap();
    assert_eq!(
        (
            w.code.as_str(),
            w.name.as_str(),
            w.kind,
            w.town.as_deref(),
            w.bounds
        ),
        (
            "hai-xuan",
            "Hải Xuân",
            WardKind::Xa,
            Some("TX Nghi Sơn"),
            None
        )
    );
    let err = store
        .add_ward("hai-xuan", "Khác", WardKind::Phuong, None, None)
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert!(!store.only_ward());
    // renaming the unnamed ward 1 gives it a code; a named one keeps its code
    let v = store.data_version().unwrap();
    store.rename_ward("Phường Ngọc Sơn").unwrap();
    assert_eq!(store.ward_row().unwrap().code, "phuong-ngoc-son");
    assert_ne!(
        store.data_version().unwrap(),
        v,
        "headers change: pages reload"
    );
    store.use_ward(w.id).unwrap();
    store.rename_ward("Hải Xuân mới").unwrap();
    let row = store.ward_row().unwrap();
    assert_eq!(
        (row.code.as_str(), row.name.as_str()),
        ("hai-xuan", "Hải Xuân mới")
    );
    assert_eq!(store.ward_crs().unwrap().as_deref(), Some("EPSG:5896"));
    assert_eq!(WardKind::parse("Thị trấn").unwrap(), WardKind::ThiTran);
    assert_eq!(WardKind::parse("thi-tran").unwrap(), WardKind::ThiTran);
    assert!(WardKind::parse("quận").is_err());
    assert_eq!(slug("Ngọc Sơn"), "ngoc-son");
    assert_eq!(slug("  Phường 3 — Đông Hương "), "phuong-3-dong-huong");
    assert_eq!(
        slug("Ngo\u{323}c So\u{31b}n"),
        "ngoc-son",
        "decomposed marks"
    );
}
