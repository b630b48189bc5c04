//! Store tests: migrations, R*Tree, import against the 10k reference ward,
//! the event log. They live here because they need SQL to look inside
//! (about 1,550 lines of fixtures and cases: a test file, read case by case).

use super::*;
use crate::campaign::events::{Event, Status};
use crate::campaign::{HouseholdInput, ParcelInput, SegmentInput};
use crate::formats::geojson_read;
use crate::geometry::crs::Crs;
use crate::ops::compute;
use crate::ops::import::{self, ImportError, ImportInput};
use crate::ops::reports::FrozenReports;
use chrono::{NaiveDate, TimeZone, Utc};
use std::sync::OnceLock;

fn reference_ward() -> &'static (Vec<SegmentInput>, Vec<ParcelInput>) {
    static WARD: OnceLock<(Vec<SegmentInput>, Vec<ParcelInput>)> = OnceLock::new();
    WARD.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/reference/ward-10k");
        let read = |f: &str| std::fs::read(format!("{dir}/{f}")).expect("reference ward");
        (
            geojson_read::read_segments(&read("segments.geojson")).expect("segments"),
            geojson_read::read_parcels(&read("parcels.geojson")).expect("parcels"),
        )
    })
}

/// `segments` and `parcels` (and `org`) imported into the store's current
/// ward: for the store's other test modules, which call no use case.
pub(super) fn import_into(
    store: &mut Store,
    crs: &Crs,
    segments: &[SegmentInput],
    parcels: &[ParcelInput],
    org: Option<&crate::campaign::org::Org>,
) -> import::ImportSummary {
    let i = ImportInput {
        org,
        ..input(segments, parcels)
    };
    import::import(store, crs, i, false).unwrap()
}

/// The 10k reference ward imported into a store in memory, with its parcels.
pub(super) fn imported_reference_ward() -> (Store, &'static [ParcelInput]) {
    let (segs, parcels) = reference_ward();
    let mut store = Store::open_in_memory().unwrap();
    import::import(
        &mut store,
        &Crs::vn2000_thanh_hoa(),
        input(segs, parcels),
        false,
    )
    .unwrap();
    (store, parcels)
}

pub(super) fn input<'a>(s: &'a [SegmentInput], p: &'a [ParcelInput]) -> ImportInput<'a> {
    ImportInput {
        segments: s,
        parcels: p,
        ..ImportInput::default()
    }
}

/// A small ward: one road along the equator-ish line, three parcels beside it.
pub(super) fn small_ward() -> (Vec<SegmentInput>, Vec<ParcelInput>) {
    let d = 1e-4; // about 11 m
    let (lon, lat) = (105.78, 19.80);
    let seg = SegmentInput {
        id: FeatureId::from(1),
        name: "Đường Ngọc Sơn".into(),
        current_width_m: Some(4.0),
        planned_width_m: Some(10.0),
        planned_left_m: None,
        planned_right_m: None,
        lines: vec![vec![[lon, lat], [lon + 10.0 * d, lat]]],
    };
    let lot = |i: i64, x: f64| ParcelInput {
        id: FeatureId::from(i),
        map_sheet: Some("12".into()),
        parcel_no: Some(i.to_string()),
        owner: Some(format!("Nguyễn Văn {i}")),
        residential_group: Some(format!("Tổ dân phố {}", 1 + i % 2)),
        land_use: Some("ODT".into()),
        polygons: vec![vec![vec![
            [lon + x * d, lat + 0.2 * d],
            [lon + (x + 0.6) * d, lat + 0.2 * d],
            [lon + (x + 0.6) * d, lat + 2.0 * d],
            [lon + x * d, lat + 2.0 * d],
            [lon + x * d, lat + 0.2 * d],
        ]]],
    };
    (vec![seg], vec![lot(101, 1.0), lot(102, 2.0), lot(103, 3.0)])
}

pub(super) fn imported_small() -> Store {
    let (s, p) = small_ward();
    let mut store = Store::open_in_memory().unwrap();
    import::import(&mut store, &Crs::vn2000_thanh_hoa(), input(&s, &p), false).unwrap();
    store
}

/// The small ward imported again, with `structures` as its structures file.
pub(super) fn reimport_with_structures(
    store: &mut Store,
    structures: &[crate::campaign::structures::StructureInput],
) {
    let (s, p) = small_ward();
    let input = ImportInput {
        structures: Some(structures),
        ..input(&s, &p)
    };
    import::import(store, &Crs::vn2000_thanh_hoa(), input, false).unwrap();
}

/// Row counts and an FNV fingerprint of every table's content, in key order.
fn fingerprint_tables(store: &Store) -> Vec<(String, i64, i64)> {
    let tables = [
        "meta",
        "residential_groups",
        "segments",
        "parcels",
        "parcel_bbox",
        "households",
        "structures",
        "donations",
        "users",
        "events",
    ];
    tables
        .iter()
        .map(|t| {
            let mut st = store
                .conn
                .prepare(&format!("SELECT * FROM {t} ORDER BY 1, 2"))
                .unwrap();
            let n = st.column_count();
            let mut rows = st.query([]).unwrap();
            let (mut count, mut text) = (0i64, Vec::<u8>::new());
            while let Some(r) = rows.next().unwrap() {
                count += 1;
                for i in 0..n {
                    text.extend_from_slice(format!("{:?}|", r.get_ref(i).unwrap()).as_bytes());
                }
            }
            (t.to_string(), count, wkb::fingerprint(&[&text]))
        })
        .collect()
}

pub(super) fn event(parcel: i64, status: Status, on: (i32, u32, u32), second: u32) -> Event {
    Event {
        parcel: FeatureId::from(parcel),
        status,
        occurred_on: NaiveDate::from_ymd_opt(on.0, on.1, on.2).unwrap(),
        entered_at: Utc.with_ymd_and_hms(2025, 1, 20, 9, 0, second).unwrap(),
        entered_by: "canbo.diachinh".into(),
        party_member: Some("Lê Thị Hoa".into()),
        note: None,
        corrects: None,
    }
}

/// Files a donation record for `parcel`, signed on `on`: what a `signed`
/// event needs first.
fn file_record(store: &mut Store, parcel: i64, on: (i32, u32, u32), number: &str) {
    store
        .add_record(
            &FeatureId::from(parcel),
            &RecordInput {
                number: number.into(),
                signed_on: date(on.0, on.1, on.2),
                signatories: vec!["Lê Thị Hoa".into()],
                witness: "Tổ trưởng tổ dân phố".into(),
                attachment: None,
            },
            "canbo",
        )
        .unwrap();
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn a_new_file_is_at_the_current_version_in_wal_mode_with_foreign_keys() {
    let dir = tempdir();
    let path = dir.join("w.db");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let mode: String = store
        .conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = store
        .conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
    drop(store);
    // Opening again applies nothing and keeps the version.
    assert_eq!(
        Store::open(&path).unwrap().schema_version().unwrap(),
        SCHEMA_VERSION
    );
}

#[test]
fn a_file_from_a_newer_hiendat_is_refused_naming_both_versions() {
    let dir = tempdir();
    let path = dir.join("newer.db");
    {
        let c = Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", SCHEMA_VERSION + 3)
            .unwrap();
    }
    let err = Store::open(&path).expect_err("refused");
    assert!(matches!(err, StoreError::TooNew { .. }));
    let m = err.to_string();
    let (found, known) = (SCHEMA_VERSION + 3, SCHEMA_VERSION);
    assert!(
        m.contains(&format!("phiên bản lược đồ {found}"))
            && m.contains(&format!("schema version {found}, newer than the {known}")),
        "{m}"
    );
}

#[test]
fn two_connections_upgrading_one_old_file_at_once_both_open_and_migrate_it_once() {
    let dir = tempdir();
    let path = dir.join("old.db");
    // A file at the version before the last, as an older hiendat left it.
    {
        let c = Connection::open(&path).unwrap();
        let _mode: String = c
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .unwrap();
        for sql in &MIGRATIONS[..MIGRATIONS.len() - 1] {
            c.execute_batch(sql).unwrap();
        }
        c.pragma_update(None, "user_version", SCHEMA_VERSION - 1)
            .unwrap();
    }
    // Another writer holds the lock while both open the file: both read
    // the old version first (the order that ran the last migration twice
    // when the version was read outside the write transaction).
    let holder = Connection::open(&path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let openers: Vec<_> = (0..2)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || Store::open(&path).map(|s| s.schema_version()))
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(300));
    holder.execute_batch("ROLLBACK").unwrap();
    for o in openers {
        let version = o.join().unwrap().expect("opens").unwrap();
        assert_eq!(version, SCHEMA_VERSION);
    }
    let c = Connection::open(&path).unwrap();
    let tables: i64 = c
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name = 'household_changes'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 1);
    let columns: i64 = c
        .query_row(
            "SELECT count(*) FROM pragma_table_info('access_log') WHERE name = 'as_of'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(columns, 1);
}

#[test]
fn the_bundled_sqlite_has_rtree_and_a_bbox_query_finds_the_parcels_in_view() {
    let store = imported_small();
    let (lon, lat, d) = (105.78, 19.80, 1e-4);
    // A view over the second parcel only (x from 2.0 to 2.6 d).
    let ids = store
        .parcels_in_bbox([lon + 2.1 * d, lat], [lon + 2.5 * d, lat + d])
        .unwrap();
    assert_eq!(ids, [FeatureId::from(102)]);
    let all = store
        .parcels_in_bbox([lon, lat], [lon + 10.0 * d, lat + 3.0 * d])
        .unwrap();
    assert_eq!(all.len(), 3);
    assert!(
        store
            .parcels_in_bbox([lon + 5.0 * d, lat], [lon + 6.0 * d, lat + d])
            .unwrap()
            .is_empty()
    );
}

#[test]
fn importing_the_reference_ward_stores_what_compute_measures() {
    let (segs, parcels) = reference_ward();
    let crs = Crs::vn2000_thanh_hoa();
    let mut store = Store::open_in_memory().unwrap();
    let summary = import::import(&mut store, &crs, input(segs, parcels), false).unwrap();
    assert_eq!(summary.parcels.added, parcels.len());
    assert_eq!(summary.segments.added, segs.len());
    assert_eq!(summary.parcels_measured, parcels.len());

    let projected = compute::project(&crs, segs, parcels, &[]).unwrap();
    let want = compute::measure(projected, segs, parcels).pairs;
    assert_eq!(summary.donations_written, want.len());
    let mut st = store
        .conn
        .prepare(
            "SELECT p.fid, s.fid, area_in_corridor_m2, attributed_area_m2, frontage_m,
               depth_mean_m, depth_max_m
             FROM donations d JOIN parcels p ON p.id = d.parcel JOIN segments s ON s.id = d.segment",
        )
        .unwrap();
    let got: HashMap<(String, String), [f64; 5]> = st
        .query_map([], |r| {
            Ok((
                (r.get(0)?, r.get(1)?),
                [r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?],
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    drop(st);
    assert_eq!(got.len(), want.len());
    for d in &want {
        let key = (
            parcels[d.parcel as usize].id.to_string(),
            segs[d.segment as usize].id.to_string(),
        );
        let g = got.get(&key).unwrap_or_else(|| panic!("missing {key:?}"));
        let w = [
            d.area_in_corridor_m2,
            d.attributed_area_m2,
            d.frontage_m,
            d.depth_mean_m,
            d.depth_max_m,
        ];
        for (a, b) in g.iter().zip(w) {
            assert!(
                (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                "{key:?}: {g:?} vs {w:?}"
            );
        }
    }

    // The same files again: nothing changes, nothing is measured.
    let before = fingerprint_tables(&store);
    let again = import::import(&mut store, &crs, input(segs, parcels), false).unwrap();
    assert!(again.is_unchanged(), "{again}");
    assert_eq!(again.parcels.unchanged, parcels.len());
    assert_eq!(again.segments.unchanged, segs.len());
    assert_eq!(fingerprint_tables(&store), before);
}

use std::collections::HashMap;

#[test]
fn a_file_with_a_bad_parcel_changes_nothing_and_names_it() {
    let mut store = imported_small();
    let before = fingerprint_tables(&store);
    let (s, mut p) = small_ward();
    p[0].owner = Some("changed".into());
    // A self-intersecting bow tie.
    p[1].polygons = vec![vec![vec![
        [105.78, 19.80],
        [105.781, 19.801],
        [105.781, 19.80],
        [105.78, 19.801],
        [105.78, 19.80],
    ]]];
    let err = import::import(&mut store, &Crs::vn2000_thanh_hoa(), input(&s, &p), false)
        .expect_err("refused");
    let ImportError::Invalid(issues) = &err else {
        panic!("{err}")
    };
    assert!(
        issues.iter().any(|i| i.id == FeatureId::from(102)),
        "{issues:?}"
    );
    assert_eq!(fingerprint_tables(&store), before);
}

#[test]
fn a_dry_run_counts_but_writes_nothing() {
    let mut store = imported_small();
    let before = fingerprint_tables(&store);
    let (s, mut p) = small_ward();
    p[2].owner = Some("Trần Thị Mai".into());
    let summary =
        import::import(&mut store, &Crs::vn2000_thanh_hoa(), input(&s, &p), true).unwrap();
    assert!(summary.dry_run);
    assert_eq!(summary.parcels.updated, 1);
    assert_eq!(
        summary.parcels_measured, 0,
        "an owner change measures nothing"
    );
    assert_eq!(fingerprint_tables(&store), before);
}

#[test]
fn a_changed_geometry_updates_the_parcel_keeps_its_events_and_remeasures_only_it() {
    let mut store = imported_small();
    store
        .append_event(&event(102, Status::Persuading, (2024, 11, 3), 0))
        .unwrap();
    let area = |store: &Store, fid: &str| -> f64 {
        store
            .conn
            .query_row(
                "SELECT attributed_area_m2 FROM donations d JOIN parcels p ON p.id = d.parcel
                 WHERE p.fid = ?1",
                [fid],
                |r| r.get(0),
            )
            .unwrap()
    };
    let (a101, a102) = (area(&store, "101"), area(&store, "102"));
    let (s, mut p) = small_ward();
    // Parcel 102 reaches deeper into the road: from 0.2 d to 0.1 d off the centerline.
    for pt in &mut p[1].polygons[0][0] {
        if pt[1] < 19.80 + 0.3e-4 {
            pt[1] = 19.80 + 0.1e-4;
        }
    }
    let summary =
        import::import(&mut store, &Crs::vn2000_thanh_hoa(), input(&s, &p), false).unwrap();
    assert_eq!(
        summary.parcels,
        LayerCounts {
            added: 0,
            updated: 1,
            unchanged: 2
        }
    );
    assert_eq!(summary.parcels_measured, 1);
    assert!(
        area(&store, "102") > a102 + 5.0,
        "{} vs {a102}",
        area(&store, "102")
    );
    assert_eq!(area(&store, "101"), a101);
    assert_eq!(store.events(&FeatureId::from(102)).unwrap().len(), 1);
    assert_eq!(
        store
            .status_as_of(&FeatureId::from(102), date(2024, 12, 1))
            .unwrap(),
        Status::Persuading
    );
}

#[test]
fn a_wider_road_remeasures_the_parcels_along_it() {
    let mut store = imported_small();
    let (mut s, p) = small_ward();
    s[0].planned_width_m = Some(14.0);
    let summary =
        import::import(&mut store, &Crs::vn2000_thanh_hoa(), input(&s, &p), false).unwrap();
    assert_eq!(summary.segments.updated, 1);
    assert_eq!(summary.parcels.unchanged, 3);
    assert_eq!(summary.parcels_measured, 3);
    assert_eq!(summary.donations_written, 3);
    // Renaming the road measures nothing.
    s[0].name = "Phố Ngọc Sơn".into();
    let summary =
        import::import(&mut store, &Crs::vn2000_thanh_hoa(), input(&s, &p), false).unwrap();
    assert_eq!(summary.segments.updated, 1);
    assert_eq!(summary.parcels_measured, 0);
}

#[test]
fn households_are_upserted_by_parcel_and_head_and_an_unknown_parcel_is_refused() {
    let mut store = imported_small();
    let (s, p) = small_ward();
    let mut h = vec![HouseholdInput {
        parcel: FeatureId::from(101),
        head_name: "Nguyễn Văn An".into(),
        address: Some("12 Ngõ 3".into()),
        phone: None,
        is_member_family: true,
        may_be_named: false,
        note: None,
    }];
    let crs = Crs::vn2000_thanh_hoa();
    fn with<'a>(
        s: &'a [SegmentInput],
        p: &'a [ParcelInput],
        h: &'a [HouseholdInput],
    ) -> ImportInput<'a> {
        ImportInput {
            households: Some(h),
            ..input(s, p)
        }
    }
    let summary = import::import(&mut store, &crs, with(&s, &p, &h), false).unwrap();
    assert_eq!(summary.households.unwrap().added, 1);
    let summary = import::import(&mut store, &crs, with(&s, &p, &h), false).unwrap();
    assert_eq!(summary.households.unwrap().unchanged, 1);
    h[0].phone = Some("0912 345 678".into());
    let summary = import::import(&mut store, &crs, with(&s, &p, &h), false).unwrap();
    assert_eq!(summary.households.unwrap().updated, 1);
    h[0].note = Some("Hẹn gặp lại sau Tết".into());
    let summary = import::import(&mut store, &crs, with(&s, &p, &h), false).unwrap();
    assert_eq!(summary.households.unwrap().updated, 1);
    let key = store.parcel_key(&FeatureId::from(101)).unwrap();
    let stored = store.households_of(key).unwrap();
    assert_eq!(stored[0].note.as_deref(), Some("Hẹn gặp lại sau Tết"));

    let before = fingerprint_tables(&store);
    h.push(HouseholdInput {
        parcel: FeatureId::from(999),
        head_name: "Không Có".into(),
        address: None,
        phone: None,
        is_member_family: false,
        may_be_named: true,
        note: None,
    });
    h[0].phone = None;
    let err = import::import(&mut store, &crs, with(&s, &p, &h), false).expect_err("refused");
    assert!(
        matches!(
            err,
            ImportError::Store(StoreError::NotFound {
                what: What::Parcel,
                ..
            })
        ),
        "{err}"
    );
    assert_eq!(fingerprint_tables(&store), before);
}

/// A structure row for the tests.
pub(super) fn structure(
    parcel: i64,
    kind: crate::campaign::structures::StructureKind,
    quantity: f64,
    value_vnd: Option<i64>,
    donated: bool,
    line: u64,
) -> crate::campaign::structures::StructureInput {
    use crate::campaign::structures::{StructureInput, StructureKind, Unit};
    StructureInput {
        parcel: FeatureId::from(parcel),
        kind,
        quantity,
        unit: match kind {
            StructureKind::Wall => Unit::M,
            StructureKind::HouseFront | StructureKind::Awning | StructureKind::Yard => Unit::M2,
            _ => Unit::Item,
        },
        value_vnd,
        donated,
        line: Some(line),
    }
}

#[test]
fn structures_replace_those_of_the_parcels_a_file_names_and_an_unknown_parcel_refuses_all() {
    use crate::campaign::structures::StructureKind::*;
    let mut store = imported_small();
    let (s, p) = small_ward();
    let crs = Crs::vn2000_thanh_hoa();
    fn with<'a>(
        s: &'a [SegmentInput],
        p: &'a [ParcelInput],
        st: &'a [crate::campaign::structures::StructureInput],
    ) -> ImportInput<'a> {
        ImportInput {
            structures: Some(st),
            ..input(s, p)
        }
    }
    let first = vec![
        structure(101, Wall, 6.5, Some(3_900_000), true, 2),
        structure(101, Gate, 1.0, Some(4_500_000), false, 3),
        structure(102, Tree, 2.0, None, true, 4),
    ];
    let summary = import::import(&mut store, &crs, with(&s, &p, &first), false).unwrap();
    let c = summary.structures.unwrap();
    assert_eq!(
        (c.added, c.removed, c.unchanged, c.parcels_replaced),
        (3, 0, 0, 2)
    );
    assert!(summary.to_string().contains(
        "công trình trên đất / structures: thêm / added 3, xóa / removed 0, không đổi / unchanged 0"
    ));
    let k101 = store.parcel_key(&FeatureId::from(101)).unwrap();
    let k102 = store.parcel_key(&FeatureId::from(102)).unwrap();
    let rows = store.structures_of(k101).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].kind, Wall);
    assert_eq!(rows[0].quantity, Some(6.5));
    assert_eq!(rows[0].unit, Some(crate::campaign::structures::Unit::M));
    assert_eq!(rows[0].value_vnd, Some(3_900_000));
    assert!(rows[0].donated && !rows[1].donated);

    // the same file again: nothing changes, the data version stays
    let version = store.data_version().unwrap();
    let summary = import::import(&mut store, &crs, with(&s, &p, &first), false).unwrap();
    let c = summary.structures.unwrap();
    assert_eq!(
        (c.added, c.removed, c.unchanged, c.parcels_replaced),
        (0, 0, 3, 0)
    );
    assert!(summary.is_unchanged());
    assert_eq!(store.data_version().unwrap(), version);

    // a file naming only 101: its two rows become one, 102 keeps its tree
    let second = vec![structure(101, Wall, 8.0, Some(4_800_000), true, 2)];
    let c = import::import(&mut store, &crs, with(&s, &p, &second), false)
        .unwrap()
        .structures
        .unwrap();
    assert_eq!(
        (c.added, c.removed, c.unchanged, c.parcels_replaced),
        (1, 2, 0, 1)
    );
    assert_eq!(store.structures_of(k101).unwrap().len(), 1);
    assert_eq!(store.structures_of(k101).unwrap()[0].quantity, Some(8.0));
    assert_eq!(store.structures_of(k102).unwrap().len(), 1);

    // a dry run counts and writes nothing
    let third = vec![structure(102, Well, 1.0, None, false, 2)];
    let before = fingerprint_tables(&store);
    let c = import::import(&mut store, &crs, with(&s, &p, &third), true)
        .unwrap()
        .structures
        .unwrap();
    assert_eq!((c.added, c.removed), (1, 1));
    assert_eq!(fingerprint_tables(&store), before);

    // parcels 998 and 999 are in neither the database nor the files: both
    // lines named, nothing written (not even the good row of 102)
    let bad = vec![
        structure(102, Well, 1.0, None, false, 2),
        structure(999, Gate, 1.0, None, true, 3),
        structure(998, Gate, 1.0, None, true, 5),
    ];
    let err = import::import(&mut store, &crs, with(&s, &p, &bad), false).expect_err("refused");
    let msg = err.to_string();
    assert!(
        matches!(err, ImportError::Store(StoreError::BadInput(_))),
        "{msg}"
    );
    assert!(
        msg.contains(
            "dòng 3: không tìm thấy thửa đất 999 / structures, line 3: parcel 999 not found"
        ),
        "{msg}"
    );
    assert!(msg.contains("dòng 5") && msg.contains("998"), "{msg}");
    assert_eq!(fingerprint_tables(&store), before);
}

#[test]
fn structure_totals_count_a_shared_parcel_for_each_segment_and_once_for_its_group() {
    use crate::campaign::structures::StructureKind::*;
    let (mut segs, mut parcels) = small_ward();
    let d = 1e-4;
    let (lon, lat) = (105.78, 19.80);
    // a cross street over parcel 103 (x 3.0-3.6), clear of 102 (x 2.0-2.6)
    segs.push(SegmentInput {
        id: FeatureId::from(2),
        name: "Ngõ 5".into(),
        current_width_m: Some(3.0),
        planned_width_m: Some(10.0),
        planned_left_m: None,
        planned_right_m: None,
        lines: vec![vec![
            [lon + 3.3 * d, lat - d],
            [lon + 3.3 * d, lat + 3.0 * d],
        ]],
    });
    // an unaffected parcel of group 1, far from both roads
    let mut far = parcels[1].clone();
    far.id = FeatureId::from(104);
    far.polygons = vec![vec![vec![
        [lon + 6.0 * d, lat + 5.0 * d],
        [lon + 6.6 * d, lat + 5.0 * d],
        [lon + 6.6 * d, lat + 7.0 * d],
        [lon + 6.0 * d, lat + 7.0 * d],
        [lon + 6.0 * d, lat + 5.0 * d],
    ]]];
    parcels.push(far);
    let structures = vec![
        structure(101, Wall, 10.0, Some(5_000_000), true, 2),
        structure(101, Gate, 1.0, Some(3_000_000), false, 3),
        structure(102, Tree, 2.0, None, true, 4),
        structure(103, HouseFront, 6.0, Some(12_000_000), true, 5),
        structure(103, Awning, 4.0, Some(1_000_000), true, 6),
        structure(104, Well, 1.0, Some(2_000_000), true, 7),
    ];
    let mut store = Store::open_in_memory().unwrap();
    import::import(
        &mut store,
        &Crs::vn2000_thanh_hoa(),
        ImportInput {
            structures: Some(&structures),
            ..input(&segs, &parcels)
        },
        false,
    )
    .unwrap();
    // the fixture is what it says: 103 donates to both segments, 104 to none
    let key = |i: i64| store.parcel_key(&FeatureId::from(i)).unwrap();
    let seg_key = |i: i64| {
        store
            .segment_ids()
            .unwrap()
            .into_iter()
            .find(|(_, id)| *id == FeatureId::from(i))
            .unwrap()
            .0
    };
    let donations = store.donations().unwrap();
    let of = |p: i64| -> Vec<i64> {
        donations
            .iter()
            .filter(|r| r.parcel == key(p))
            .map(|r| r.segment)
            .collect()
    };
    assert_eq!(of(101), [seg_key(1)]);
    assert_eq!(of(102), [seg_key(1)]);
    assert_eq!(of(103), [seg_key(1), seg_key(2)]);
    assert!(of(104).is_empty());
    let (seg1, seg2) = (seg_key(1), seg_key(2));

    // Every household agrees (structures count as donated from then on);
    // the read model totals them from the facts the store gives.
    for id in [101, 102, 103, 104] {
        store
            .append_event(&event(id, Status::Agreed, (2024, 10, 5), 0))
            .unwrap();
    }
    let ward = store.ward().unwrap();
    let day = NaiveDate::from_ymd_opt(2024, 10, 5).unwrap();
    let by_segment: std::collections::HashMap<i64, _> = ward
        .segments
        .iter()
        .zip(ward.segment_tallies(day))
        .filter(|(_, t)| t.affected > 0)
        .map(|(s, t)| (s.key, t.structures))
        .collect();
    assert_eq!(by_segment.len(), 2);
    let s1 = by_segment[&seg1];
    assert_eq!(
        (s1.structures, s1.donated, s1.donated_value_vnd),
        (5, 4, 18_000_000)
    );
    assert_eq!(s1.by_kind, [1, 1, 1, 1, 0, 1, 0, 0]);
    let s2 = by_segment[&seg2];
    assert_eq!(
        (s2.structures, s2.donated, s2.donated_value_vnd),
        (2, 2, 13_000_000)
    );
    assert_eq!(s2.by_kind, [0, 0, 1, 1, 0, 0, 0, 0]);

    let by_group: std::collections::HashMap<Option<String>, _> = ward
        .group_figures(day)
        .into_iter()
        .filter(|g| g.tally.affected > 0)
        .map(|g| (g.name, g.tally.structures))
        .collect();
    let g2 = by_group[&Some("Tổ dân phố 2".to_string())];
    assert_eq!(
        (g2.structures, g2.donated, g2.donated_value_vnd),
        (4, 3, 18_000_000)
    );
    // group 1: the tree of 102; the well of unaffected 104 does not count
    let g1 = by_group[&Some("Tổ dân phố 1".to_string())];
    assert_eq!((g1.structures, g1.donated, g1.donated_value_vnd), (1, 1, 0));
    assert_eq!(g1.by_kind[Well.index()], 0);
    assert_eq!(by_group.len(), 2);
    // the day before, nobody had agreed: nothing counts as donated yet
    let before = ward.ward_tally(day.pred_opt().unwrap());
    assert_eq!(
        (before.structures.structures, before.structures.donated),
        (5, 0)
    );
}

#[test]
fn events_append_and_replay_through_the_store() {
    let mut store = imported_small();
    let p = FeatureId::from(101);
    store
        .append_event(&event(101, Status::Persuading, (2024, 10, 5), 0))
        .unwrap();
    store
        .append_event(&event(101, Status::Agreed, (2024, 11, 20), 1))
        .unwrap();
    file_record(&mut store, 101, (2024, 11, 29), "1/BB");
    let signed = store
        .append_event(&event(101, Status::Signed, (2024, 12, 2), 2))
        .unwrap();
    assert_eq!(
        store.status_as_of(&p, date(2024, 12, 1)).unwrap(),
        Status::Agreed
    );
    assert_eq!(
        store.status_as_of(&p, date(2024, 12, 2)).unwrap(),
        Status::Signed
    );
    assert_eq!(
        store
            .status_as_of(&FeatureId::from(102), date(2024, 12, 2))
            .unwrap(),
        Status::NotContacted
    );

    // Invalid transitions are refused, with both statuses named.
    let err = store
        .append_event(&event(101, Status::Persuading, (2024, 12, 5), 3))
        .unwrap_err();
    assert!(matches!(err, StoreError::Transition(_)));
    assert!(
        err.to_string()
            .contains("cannot go from signed to persuading")
    );
    // A back-dated event must fit between its neighbours.
    let err = store
        .append_event(&event(101, Status::HandedOver, (2024, 11, 25), 3))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("cannot go from agreed to handed_over"),
        "{err}"
    );

    // A correction: it was signed on 29 November, not 2 December.
    let mut fix = event(101, Status::Signed, (2024, 11, 29), 4);
    fix.corrects = Some(signed);
    fix.note = Some("ngày ký ghi nhầm / wrong signing date".into());
    store.append_event(&fix).unwrap();
    assert_eq!(
        store.status_as_of(&p, date(2024, 12, 1)).unwrap(),
        Status::Signed
    );
    assert_eq!(store.events(&p).unwrap().len(), 4);
    // The struck-out event cannot be corrected twice.
    let err = store.append_event(&fix).unwrap_err();
    assert!(matches!(err, StoreError::Correction(_)), "{err}");
    // An unknown parcel is NotFound.
    let err = store
        .append_event(&event(999, Status::Persuading, (2024, 10, 5), 0))
        .unwrap_err();
    assert!(matches!(
        err,
        StoreError::NotFound {
            what: What::Parcel,
            ..
        }
    ));
    // The event round-trips with every field.
    let log = store.events(&p).unwrap();
    assert_eq!(
        log[0].event,
        event(101, Status::Persuading, (2024, 10, 5), 0)
    );
}

#[test]
fn the_event_log_refuses_update_and_delete() {
    let mut store = imported_small();
    store
        .append_event(&event(101, Status::Persuading, (2024, 10, 5), 0))
        .unwrap();
    let err = store
        .conn
        .execute("UPDATE events SET status = 'handed_over'", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = store.conn.execute("DELETE FROM events", []).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    assert_eq!(store.events(&FeatureId::from(101)).unwrap().len(), 1);
}

/// A fresh folder in the system's temporary folder, removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn join(&self, name: &str) -> std::path::PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tempdir() -> TempDir {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "hiendat-store-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

/// `parcel_status` rows: parcel, status, status date.
type StatusRows = Vec<(i64, String, String)>;

/// The materialised rows: `parcel_status` (the figures are the read
/// model's, computed from the log, never kept in tables).
fn materialised(store: &Store) -> StatusRows {
    let mut st = store
        .conn
        .prepare("SELECT parcel, status, status_on FROM parcel_status ORDER BY parcel")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

#[test]
fn the_materialised_status_follows_the_log_through_corrections() {
    let mut store = imported_small();
    let check = |store: &Store| {
        // Each parcel's stored status is the replayed one, on the last date
        // that counts as well as with everything recorded.
        let timelines = store.timelines().unwrap();
        let current = store.current_timelines(None).unwrap();
        for id in [101, 102, 103] {
            let key = store.parcel_key(&FeatureId::from(id)).unwrap();
            let replayed = store
                .status_as_of(&FeatureId::from(id), NaiveDate::MAX)
                .unwrap();
            let stored = current
                .get(&key)
                .map_or(Status::NotContacted, |t| t.status_on(NaiveDate::MAX));
            assert_eq!(stored, replayed, "parcel {id}");
            assert_eq!(
                current.get(&key).map(|t| t.0.clone()),
                timelines
                    .get(&key)
                    .and_then(|t| t.0.last())
                    .map(|l| vec![*l]),
                "parcel {id}"
            );
        }
        // The statuses kept up event by event equal ones rebuilt from scratch.
        let kept = materialised(store);
        store.conn.execute_batch("SAVEPOINT s").unwrap();
        events::rebuild_parcel_status(&store.conn).unwrap();
        let rebuilt = materialised(store);
        store
            .conn
            .execute_batch("ROLLBACK TO s; RELEASE s")
            .unwrap();
        assert_eq!(kept, rebuilt);
    };
    check(&store);
    store
        .append_event(&event(101, Status::Persuading, (2024, 10, 5), 0))
        .unwrap();
    let agreed = store
        .append_event(&event(101, Status::Agreed, (2024, 11, 20), 1))
        .unwrap();
    store
        .append_event(&event(102, Status::Declined, (2024, 11, 2), 2))
        .unwrap();
    check(&store);
    file_record(&mut store, 101, (2024, 11, 29), "1/BB");
    let signed = store
        .append_event(&event(101, Status::Signed, (2024, 12, 2), 3))
        .unwrap();
    store
        .append_event(&event(101, Status::HandedOver, (2024, 12, 9), 4))
        .unwrap();
    assert!(store.current_status_holds_on(date(2024, 12, 9)).unwrap());
    assert!(!store.current_status_holds_on(date(2024, 12, 8)).unwrap());
    check(&store);
    // A correction of a past event: signed on 29 November.
    let mut fix = event(101, Status::Signed, (2024, 11, 29), 5);
    fix.corrects = Some(signed);
    store.append_event(&fix).unwrap();
    check(&store);
    // A correction striking out the agreement: the hand-over stays the
    // last event that counts.
    let mut strike = event(101, Status::Persuading, (2024, 11, 20), 6);
    strike.corrects = Some(agreed);
    let strike_id = store.append_event(&strike).unwrap();
    check(&store);
    // Correcting the correction restores the agreement.
    let mut undo = event(101, Status::Agreed, (2024, 11, 20), 7);
    undo.corrects = Some(strike_id);
    store.append_event(&undo).unwrap();
    check(&store);
    // A parcel whose only event is struck out, then the correction itself.
    let only = store
        .append_event(&event(103, Status::Agreed, (2024, 11, 3), 8))
        .unwrap();
    check(&store);
    let mut void = event(103, Status::Persuading, (2024, 11, 3), 9);
    void.corrects = Some(only);
    store.append_event(&void).unwrap();
    let mut void2 = event(103, Status::Persuading, (2024, 11, 4), 10);
    void2.corrects = Some(store.events(&FeatureId::from(103)).unwrap()[1].id);
    store.append_event(&void2).unwrap();
    check(&store);
    assert_eq!(
        store
            .status_as_of(&FeatureId::from(103), NaiveDate::MAX)
            .unwrap(),
        Status::Persuading
    );
}

/// Shoelace area of lon/lat rings projected into `crs` (exterior minus holes).
fn projected_area(crs: &Crs, polys: &[Vec<Vec<[f64; 2]>>]) -> f64 {
    polys
        .iter()
        .flat_map(|p| p.iter().enumerate())
        .map(|(i, ring)| {
            let mut r = ring.clone();
            crs.project_in_place(&mut r).unwrap();
            let a = crate::geometry::clip::ring_area(&r).abs();
            if i == 0 { a } else { -a }
        })
        .sum()
}

#[test]
fn corridor_outlines_enclose_the_corridor_area_compute_measures() {
    let (segs, parcels) = reference_ward();
    let crs = Crs::vn2000_thanh_hoa();
    let mut store = Store::open_in_memory().unwrap();
    import::import(&mut store, &crs, input(segs, parcels), false).unwrap();
    let outlines = store.corridor_outlines().unwrap();
    assert_eq!(outlines.len(), segs.len());
    let projected = compute::project(&crs, segs, parcels, &[]).unwrap();
    let totals = compute::totals(compute::measure(projected, segs, parcels), parcels);
    for (i, (o, s)) in outlines.iter().zip(segs).enumerate() {
        assert_eq!(o.key, s.id);
        assert_eq!(o.name, s.name);
        let want = totals.segment_totals[i].corridor_area_m2;
        let got = projected_area(&crs, &o.polygons);
        assert!(
            (got - want).abs() < 1e-3,
            "segment {}: {got} vs {want} m²",
            s.id
        );
    }
}

#[test]
fn group_outlines_hold_their_parcels_and_follow_a_reimport() {
    use geo::{Contains, Coord, InteriorPoint, LineString, MultiPolygon, Polygon};
    let to_geo = |polys: &[Vec<Vec<[f64; 2]>>]| {
        MultiPolygon(
            polys
                .iter()
                .map(|p| {
                    let ring = |r: &Vec<[f64; 2]>| {
                        LineString(r.iter().map(|&[x, y]| Coord { x, y }).collect())
                    };
                    Polygon::new(ring(&p[0]), p[1..].iter().map(ring).collect())
                })
                .collect(),
        )
    };
    let (segs, parcels) = reference_ward();
    let crs = Crs::vn2000_thanh_hoa();
    let mut store = Store::open_in_memory().unwrap();
    import::import(&mut store, &crs, input(segs, parcels), false).unwrap();
    let outlines: HashMap<String, MultiPolygon> = store
        .group_outlines()
        .unwrap()
        .into_iter()
        .map(|o| (o.name, to_geo(&o.polygons)))
        .collect();
    let groups: std::collections::BTreeSet<&str> = parcels
        .iter()
        .filter_map(|p| p.residential_group.as_deref())
        .collect();
    assert_eq!(outlines.len(), groups.len());
    let mut outside = 0;
    for p in parcels {
        let Some(g) = &p.residential_group else {
            continue;
        };
        let inside = to_geo(&p.polygons).interior_point().unwrap();
        if !outlines[g].contains(&inside) {
            outside += 1;
        }
    }
    // The outlines are simplified to about a metre: a point inside a 4 m
    // lot may fall out only where a corner was cut.
    assert!(
        outside * 1000 <= parcels.len(),
        "{outside} parcels outside their group"
    );

    // A parcel moves to another group: both outlines follow.
    let mut moved = parcels.clone();
    let first = moved[0].residential_group.clone().unwrap();
    let other = groups.iter().find(|g| **g != first).unwrap().to_string();
    moved[0].residential_group = Some(other.clone());
    import::import(&mut store, &crs, input(segs, &moved), false).unwrap();
    let after: HashMap<String, MultiPolygon> = store
        .group_outlines()
        .unwrap()
        .into_iter()
        .map(|o| (o.name, to_geo(&o.polygons)))
        .collect();
    let point = to_geo(&moved[0].polygons).interior_point().unwrap();
    assert!(after[&other].contains(&point));
}

#[test]
fn the_data_version_moves_with_events_and_with_imports_that_change_something() {
    let (s, p) = small_ward();
    let mut store = imported_small();
    let v0 = store.data_version().unwrap();
    import::import(&mut store, &Crs::vn2000_thanh_hoa(), input(&s, &p), false).unwrap();
    assert_eq!(store.data_version().unwrap(), v0, "an unchanged import");
    store
        .append_event(&event(101, Status::Persuading, (2026, 3, 1), 0))
        .unwrap();
    let v1 = store.data_version().unwrap();
    assert_ne!(v1, v0);
    let mut wider = s.clone();
    wider[0].planned_width_m = Some(12.0);
    import::import(
        &mut store,
        &Crs::vn2000_thanh_hoa(),
        input(&wider, &p),
        false,
    )
    .unwrap();
    assert_ne!(store.data_version().unwrap(), v1);
}

#[test]
fn a_batch_of_events_with_one_refused_appends_none() {
    let mut store = imported_small();
    let before = fingerprint_tables(&store);
    let batch = [
        event(101, Status::Persuading, (2026, 3, 1), 0),
        event(102, Status::Persuading, (2026, 3, 1), 1),
        // Not contacted → signed skips persuading and agreeing.
        event(103, Status::Signed, (2026, 3, 2), 2),
    ];
    let err = store.append_events(&batch).unwrap_err();
    assert!(matches!(err, StoreError::Transition(_)), "{err}");
    assert_eq!(fingerprint_tables(&store), before);
    store.append_events(&batch[..2]).unwrap();
    let rows = materialised(&store);
    assert_eq!(rows.len(), 2);
}

#[test]
fn a_batch_checks_each_event_against_the_log_stored_before_it() {
    let mut store = imported_small();
    let first = store
        .append_event(&event(101, Status::Persuading, (2026, 3, 1), 0))
        .unwrap();
    // a correction names a stored event: the batch reads the parcel's log
    let mut fix = event(101, Status::Declined, (2026, 3, 1), 1);
    fix.corrects = Some(first);
    store.append_events(&[fix]).unwrap();
    // and the stored state: persuading (now declined) → signed skips agreeing
    let err = store
        .append_events(&[event(101, Status::Signed, (2026, 3, 5), 2)])
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Transition(_) | StoreError::NoRecord(_)),
        "{err}"
    );
    let err = store
        .append_events(&[{
            let mut again = event(101, Status::Agreed, (2026, 3, 6), 3);
            again.corrects = Some(first);
            again
        }])
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Correction(_)),
        "corrected twice: {err}"
    );
}

#[test]
fn a_version_3_file_gets_its_outlines_when_opened() {
    let dir = tempdir();
    let path = dir.join("v3.db");
    let now = dir.join("now.db");
    {
        let (s, p) = small_ward();
        let mut store = Store::open(&now).unwrap();
        import::import(&mut store, &Crs::vn2000_thanh_hoa(), input(&s, &p), false).unwrap();
    }
    // What a version 3 binary wrote: its schema, filled with the rows of
    // the same import made now (the columns version 3 had).
    {
        let c = Connection::open(&path).unwrap();
        for sql in &MIGRATIONS[..3] {
            c.execute_batch(sql).unwrap();
        }
        c.pragma_update(None, "user_version", 3).unwrap();
        c.execute("ATTACH ?1 AS now", [now.to_str().unwrap()])
            .unwrap();
        let tables: Vec<String> = c
            .prepare(
                "SELECT name FROM main.sqlite_schema WHERE type = 'table'
                 AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'parcel_bbox_%'
                 AND name IN (SELECT name FROM now.sqlite_schema WHERE type = 'table')",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for t in tables {
            let cols: Vec<String> = c
                .prepare("SELECT name FROM pragma_table_info(?1)")
                .unwrap()
                .query_map([&t], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let cols = cols.join(", ");
            c.execute_batch(&format!(
                "INSERT INTO main.{t} ({cols}) SELECT {cols} FROM now.{t}"
            ))
            .unwrap();
        }
        c.execute_batch(
            "INSERT INTO main.meta (key, value)
               SELECT 'crs', crs FROM now.wards WHERE crs IS NOT NULL
               UNION ALL SELECT 'imports', imports FROM now.wards;
             DETACH now;",
        )
        .unwrap();
    }
    let store = import::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.corridor_outlines().unwrap().len(), 1);
    assert_eq!(store.group_outlines().unwrap().len(), 2);
    let groups: Vec<Vec<String>> = store.segment_groups().unwrap().into_values().collect();
    assert_eq!(
        groups,
        [vec!["Tổ dân phố 1".to_string(), "Tổ dân phố 2".into()]]
    );
}

#[test]
fn consent_needs_a_record_and_withdrawal_and_declining_are_ordinary() {
    let mut store = imported_small();
    let p = FeatureId::from(101);
    for (st, on, i) in [
        (Status::Persuading, (2026, 9, 1), 0),
        (Status::Agreed, (2026, 9, 10), 1),
    ] {
        store.append_event(&event(101, st, on, i)).unwrap();
    }
    // no record: refused, named, nothing written
    let before = fingerprint_tables(&store);
    let err = store
        .append_event(&event(101, Status::Signed, (2026, 9, 20), 2))
        .unwrap_err();
    assert!(matches!(err, StoreError::NoRecord(_)), "{err}");
    assert!(
        err.to_string().contains("chưa có biên bản hiến đất"),
        "{err}"
    );
    assert_eq!(fingerprint_tables(&store), before);
    // a record signed later than the event does not count for it
    file_record(&mut store, 101, (2026, 9, 25), "7/BB-HĐ");
    let err = store
        .append_event(&event(101, Status::Signed, (2026, 9, 20), 2))
        .unwrap_err();
    assert!(matches!(err, StoreError::NoRecord(_)), "{err}");
    assert!(
        err.to_string()
            .contains("ký ngày 25/09/2026, sau ngày 20/09/2026"),
        "{err}"
    );
    // the same number twice is refused, naming the field
    let err = store
        .add_record(
            &p,
            &RecordInput {
                number: "7/BB-HĐ".into(),
                signed_on: date(2026, 9, 25),
                signatories: vec!["X".into()],
                witness: "Y".into(),
                attachment: None,
            },
            "canbo",
        )
        .unwrap_err();
    assert!(err.to_string().contains("(number)"), "{err}");
    // a record without a witness or signatories is refused
    let err = store
        .add_record(
            &p,
            &RecordInput {
                number: "8/BB-HĐ".into(),
                signed_on: date(2026, 9, 25),
                signatories: vec![" ".into()],
                witness: "".into(),
                attachment: None,
            },
            "canbo",
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("(signatories)") && err.to_string().contains("(witness)"),
        "{err}"
    );
    store
        .append_event(&event(101, Status::Signed, (2026, 9, 26), 3))
        .unwrap();
    // handed_over only from signed: 102 has agreed only
    store
        .append_event(&event(102, Status::Agreed, (2026, 9, 1), 4))
        .unwrap();
    let err = store
        .append_event(&event(102, Status::HandedOver, (2026, 9, 30), 5))
        .unwrap_err();
    assert!(matches!(err, StoreError::Transition(_)), "{err}");
    // a household may withdraw before hand-over: signed → declined
    store
        .append_event(&event(101, Status::Declined, (2026, 10, 1), 6))
        .unwrap();
    assert_eq!(
        store.status_as_of(&p, date(2026, 10, 1)).unwrap(),
        Status::Declined
    );
    // and declining from the start is an ordinary outcome
    store
        .append_event(&event(103, Status::Declined, (2026, 9, 1), 7))
        .unwrap();
    // after hand-over nothing but a correction moves it
    store
        .append_event(&event(101, Status::Agreed, (2026, 10, 5), 8))
        .unwrap();
    store
        .append_event(&event(101, Status::Signed, (2026, 10, 6), 9))
        .unwrap();
    store
        .append_event(&event(101, Status::HandedOver, (2026, 10, 9), 10))
        .unwrap();
    let err = store
        .append_event(&event(101, Status::Declined, (2026, 10, 12), 11))
        .unwrap_err();
    assert!(matches!(err, StoreError::Transition(_)), "{err}");
}

#[test]
fn attachments_are_checked_by_their_bytes_and_kept_with_a_checksum() {
    let mut store = imported_small();
    let p = FeatureId::from(101);
    let png = b"\x89PNG\r\n\x1a\nrest of a png";
    let a = store
        .add_attachment(
            &p,
            "C:\\scans\\biên bản.png",
            png,
            Some(" bản chụp "),
            "canbo",
        )
        .unwrap();
    assert_eq!(a.file_name, "biên bản.png");
    assert_eq!(a.media_type, "image/png");
    assert_eq!(a.size_bytes, png.len());
    use sha2::Digest;
    let want: String = sha2::Sha256::digest(png)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(a.sha256, want);
    let (row, bytes) = store.attachment(a.id).unwrap();
    assert_eq!((row.id, bytes.as_slice()), (a.id, &png[..]));
    // a renamed executable is refused, as is an empty or an oversized file
    let err = store
        .add_attachment(&p, "anh.jpg", b"MZ\x90\x00", None, "canbo")
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("không phải PDF, JPEG, PNG hay WebP"),
        "{err}"
    );
    assert!(
        store
            .add_attachment(&p, "x.pdf", b"", None, "canbo")
            .is_err()
    );
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(ATTACHMENT_MAX_BYTES + 1, b' ');
    let err = store
        .add_attachment(&p, "lon.pdf", &big, None, "canbo")
        .unwrap_err();
    assert!(err.to_string().contains("quá giới hạn 10 MB"), "{err}");
    assert_eq!(
        store
            .attachments_of(store.parcel_key(&p).unwrap())
            .unwrap()
            .len(),
        1
    );
    // never changed
    assert!(
        store
            .conn
            .execute("UPDATE attachments SET file_name = 'x'", [])
            .is_err()
    );
}

#[test]
fn a_frozen_report_stays_as_issued() {
    let mut store = imported_small();
    let doc = crate::report::Report {
        ward: "Phường Ngọc Sơn".into(),
        committee: "Đảng ủy phường Ngọc Sơn".into(),
        title: "Báo cáo".into(),
        title_en: "Report".into(),
        as_of: date(2026, 11, 28),
        from: Some(date(2026, 11, 1)),
        issued_on: Some(date(2026, 11, 28)),
        sheets: vec![],
        notes: vec!["ghi chú".into()],
        periodic: None,
    };
    let id = store
        .freeze_report("group", &doc, date(2026, 11, 28), "canbo")
        .unwrap();
    assert_eq!(store.frozen_report(id).unwrap(), doc);
    let listed = store.frozen_reports().unwrap();
    assert_eq!(
        (listed[0].id, listed[0].issued_on, listed[0].from),
        (id, date(2026, 11, 28), Some(date(2026, 11, 1)))
    );
    for sql in [
        "UPDATE frozen_reports SET title = 'khác'",
        "DELETE FROM frozen_reports",
    ] {
        let err = store.conn.execute(sql, []).unwrap_err();
        assert!(err.to_string().contains("báo cáo đã chốt"), "{err}");
    }
}

#[test]
fn grievances_are_answered_once_and_contacts_change_no_status() {
    let mut store = imported_small();
    let p = FeatureId::from(102);
    store
        .add_contact(
            &p,
            date(2026, 9, 1),
            "Lê Văn A",
            "Đến nhà, giới thiệu chủ trương",
            "canbo",
        )
        .unwrap();
    assert_eq!(
        store.status_as_of(&p, date(2026, 9, 2)).unwrap(),
        Status::NotContacted
    );
    let g = store
        .add_grievance(
            &p,
            date(2026, 9, 3),
            "Lê Thị Hoa",
            "Đề nghị đo lại",
            "canbo",
        )
        .unwrap();
    let err = store
        .answer_grievance(g, date(2026, 9, 2), "Đã đo lại", "canbo")
        .unwrap_err();
    assert!(err.to_string().contains("(answered_on)"), "{err}");
    store
        .answer_grievance(g, date(2026, 9, 10), "Đã đo lại, đúng số liệu", "canbo")
        .unwrap();
    let err = store
        .answer_grievance(g, date(2026, 9, 11), "lần hai", "canbo")
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    let key = store.parcel_key(&p).unwrap();
    let (_, row) = &store.grievances(Some(key)).unwrap()[0];
    assert_eq!(row.answer.as_deref(), Some("Đã đo lại, đúng số liệu"));
    assert_eq!(store.contacts(Some(key)).unwrap().len(), 1);
}

// ---- Hardening (issue 16): writers that wait, the audit trail ----

/// The small ward imported into a file (two connections can open it).
fn small_ward_file(dir: &TempDir) -> std::path::PathBuf {
    let path = dir.join("small.db");
    let (s, p) = small_ward();
    let mut store = Store::open(&path).unwrap();
    import::import(&mut store, &Crs::vn2000_thanh_hoa(), input(&s, &p), false).unwrap();
    path
}

#[test]
fn a_writer_waits_for_another_writer_holding_the_lock_and_then_succeeds() {
    let dir = tempdir();
    let path = small_ward_file(&dir);
    let mut editor = Store::open(&path).unwrap();
    // the editor's connection has read before (a pooled connection has)
    editor.events(&FeatureId::from(101)).unwrap();
    let (locked, go) = std::sync::mpsc::channel();
    let other = {
        let path = path.clone();
        std::thread::spawn(move || {
            let mut s = Store::open(&path).unwrap();
            let tx = s.write().unwrap();
            let key: i64 = tx
                .query_row("SELECT id FROM parcels WHERE fid = '102'", [], |r| r.get(0))
                .unwrap();
            tx.execute(
                "INSERT INTO events (parcel, status, occurred_on, entered_at, entered_by)
                 VALUES (?1, 'persuading', '2025-01-10', '2025-01-20T09:00:00.000000Z', 'other')",
                [key],
            )
            .unwrap();
            locked.send(()).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(300));
            tx.commit().unwrap();
        })
    };
    go.recv().unwrap();
    // Deferred, this read the log and then failed at once with "database
    // is locked"; immediate, it waits for the other writer's commit.
    let id = editor
        .append_event(&event(101, Status::Persuading, (2025, 1, 12), 1))
        .expect("the second writer waits, then writes");
    other.join().unwrap();
    let first: i64 = editor
        .conn
        .query_row(
            "SELECT id FROM events WHERE entered_by = 'other'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(id > first, "written after the other writer's commit");
}

#[test]
fn a_writer_still_waiting_after_the_timeout_gets_busy_and_writes_nothing() {
    let dir = tempdir();
    let path = small_ward_file(&dir);
    let holder = Store::open(&path).unwrap();
    let mut editor = Store::open(&path).unwrap();
    editor
        .set_busy_timeout(std::time::Duration::from_millis(50))
        .unwrap();
    let lock = holder.hold_write_lock_for_tests().unwrap();
    let err = editor
        .append_event(&event(101, Status::Persuading, (2025, 1, 12), 1))
        .unwrap_err();
    assert!(matches!(err, StoreError::Busy), "{err:?}");
    assert_eq!(
        err.to_string(),
        "cơ sở dữ liệu đang bận, xin thử lại / database busy, retry"
    );
    drop(lock);
    assert!(editor.events(&FeatureId::from(101)).unwrap().is_empty());
    // once free, the same write goes through
    editor
        .append_event(&event(101, Status::Persuading, (2025, 1, 12), 1))
        .unwrap();
}

#[test]
fn household_flag_and_consent_changes_are_kept_with_author_and_time() {
    let mut store = imported_small();
    let h = [
        HouseholdInput {
            parcel: FeatureId::from(101),
            head_name: "Nguyễn Văn An".into(),
            address: None,
            phone: None,
            is_member_family: false,
            may_be_named: false,
            note: None,
        },
        HouseholdInput {
            parcel: FeatureId::from(101),
            head_name: "Trần Thị Bình".into(),
            address: None,
            phone: None,
            is_member_family: true,
            may_be_named: false,
            note: None,
        },
    ];
    let (s, p) = small_ward();
    let with = ImportInput {
        households: Some(&h),
        ..input(&s, &p)
    };
    import::import(&mut store, &Crs::vn2000_thanh_hoa(), with, false).unwrap();
    let parcel = FeatureId::from(101);
    let key = store.parcel_key(&parcel).unwrap();
    assert!(store.household_changes(key).unwrap().is_empty());

    let n = store
        .set_household_flags(&parcel, Some(true), None, "lan")
        .unwrap();
    assert_eq!(n, 2);
    // only the household whose flag moved has a change
    let changes = store.household_changes(key).unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(
        (changes[0].head_name.as_str(), changes[0].field.as_str()),
        ("Nguyễn Văn An", "is_member_family")
    );
    assert_eq!((changes[0].from, changes[0].to), (false, true));
    assert_eq!(changes[0].by, "lan");
    assert!(changes[0].at.ends_with('Z') && changes[0].at.len() > 20);

    store
        .set_household_flags(&parcel, None, Some(true), "hoa")
        .unwrap();
    store
        .set_household_flags(&parcel, None, Some(true), "hoa")
        .unwrap();
    let changes = store.household_changes(key).unwrap();
    assert_eq!(
        changes.len(),
        3,
        "a repeated value is no change: {changes:?}"
    );
    assert!(
        changes[1..]
            .iter()
            .all(|c| c.field == "may_be_named" && !c.from && c.to && c.by == "hoa")
    );
    // the current values read as before
    let named: Vec<bool> = store
        .conn
        .prepare("SELECT may_be_named FROM households WHERE parcel = ?1 ORDER BY id")
        .unwrap()
        .query_map([key], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(named, [true, true]);
    assert!(
        store
            .households_of(key)
            .unwrap()
            .iter()
            .all(|h| h.is_member_family)
    );
    // an import that puts the flags back is in the history too, by the import
    let with = ImportInput {
        households: Some(&h),
        ..input(&s, &p)
    };
    import::import(&mut store, &Crs::vn2000_thanh_hoa(), with, false).unwrap();
    let by_import: Vec<(String, String, bool, bool)> = store.household_changes(key).unwrap()[3..]
        .iter()
        .map(|c| {
            assert_eq!(c.by, "hiendat import");
            (c.head_name.clone(), c.field.clone(), c.from, c.to)
        })
        .collect();
    assert_eq!(
        by_import,
        [
            (
                "Nguyễn Văn An".into(),
                "is_member_family".into(),
                true,
                false
            ),
            ("Nguyễn Văn An".into(), "may_be_named".into(), true, false),
            ("Trần Thị Bình".into(), "may_be_named".into(), true, false),
        ]
    );
    // the history is append-only
    for sql in [
        "UPDATE household_changes SET changed_by = 'x'",
        "DELETE FROM household_changes",
    ] {
        let err = store.conn.execute(sql, []).unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
}

#[test]
fn the_access_log_records_as_of_and_refuses_updates_and_deletes() {
    let store = Store::open_in_memory().unwrap();
    store
        .log_access("lan", "editor", "parcel 12", None, Some(date(2026, 10, 1)))
        .unwrap();
    store.log_access("hoa", "admin", "org", None, None).unwrap();
    let rows = store.access_log(10).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].what.as_str(), rows[0].as_of), ("org", None));
    assert_eq!(
        (rows[1].what.as_str(), rows[1].as_of),
        ("parcel 12", Some(date(2026, 10, 1)))
    );
    for (sql, word) in [
        ("UPDATE access_log SET user = 'x'", "updated"),
        ("DELETE FROM access_log", "deleted"),
    ] {
        let err = store.conn.execute(sql, []).unwrap_err().to_string();
        assert!(
            err.contains("nhật ký truy cập chỉ được ghi thêm") && err.contains(word),
            "{sql}: {err}"
        );
    }
    assert_eq!(store.access_log(10).unwrap().len(), 2);
}
