//! Store tests of the structures recorded from the page: the write, its
//! history, the replay over it, the refusals, and imports over a history.

use super::tests::{imported_small, input, small_ward, structure};
use super::*;
use crate::campaign::structures::{
    ChangeKind, StructureKind, StructureValues, Unit, structures_on,
};
use crate::geometry::crs::Crs;
use crate::ops::import::{self, ImportInput};
use chrono::NaiveDate;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn wall(donated: bool) -> StructureValues {
    StructureValues {
        kind: StructureKind::Wall,
        quantity: Some(14.5),
        unit: Some(Unit::M),
        value_vnd: Some(6_000_000),
        donated,
    }
}

fn edit(
    what: ChangeKind,
    structure: Option<i64>,
    expected: Option<usize>,
    values: Option<StructureValues>,
    on: &str,
) -> StructureEdit {
    StructureEdit {
        what,
        structure,
        expected,
        values,
        effective: d(on),
        entered_at: "2026-11-20T02:00:00+00:00".into(),
        entered_by: "lan.diachinh".into(),
        note: Some("hộ đồng ý hiến tường rào".into()),
    }
}

fn count(s: &Store, table: &str) -> i64 {
    s.conn
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_structure_added_edited_and_removed_keeps_its_history_and_replays_day_by_day() {
    let mut s = imported_small();
    let p = FeatureId::from(101);
    let key = s.parcel_key(&p).unwrap();
    let version = s.data_version().unwrap();
    let added = s
        .change_structure(
            &p,
            &edit(
                ChangeKind::Added,
                None,
                None,
                Some(wall(false)),
                "2026-11-01",
            ),
        )
        .unwrap();
    assert_eq!((added.version, added.parcel.clone()), (1, p.clone()));
    assert_ne!(s.data_version().unwrap(), version, "open pages reload");
    let sid = added.structure;
    let marked = s
        .change_structure(
            &p,
            &edit(
                ChangeKind::Edited,
                Some(sid),
                Some(1),
                Some(wall(true)),
                "2026-11-10",
            ),
        )
        .unwrap();
    assert_eq!(marked.version, 2);
    let now = s.structures_now(key).unwrap();
    assert_eq!(now.len(), 1);
    assert!(now[0].values.donated);
    let history = s.structure_changes(key).unwrap();
    assert_eq!(
        history.iter().map(|c| c.what).collect::<Vec<_>>(),
        [ChangeKind::Added, ChangeKind::Edited]
    );
    assert_eq!(history[1].entered_by, "lan.diachinh");
    assert_eq!(history[1].effective, Some(d("2026-11-10")));
    assert_eq!(history[1].note.as_deref(), Some("hộ đồng ý hiến tường rào"));
    let on = |day: &str| structures_on(&now, &history, d(day));
    assert!(on("2026-10-31").is_empty());
    assert!(!on("2026-11-05")[0].values.donated);
    assert!(on("2026-11-15")[0].values.donated);
    // the read model's facts replay it too
    let ward = s.ward().unwrap();
    let facts = ward.parcel(key).unwrap();
    assert_eq!(facts.structures_on(d("2026-11-05")).donated, 0);
    assert_eq!(facts.structures_on(d("2026-11-15")).donated, 1);
    assert_eq!(
        facts.structures_on(d("2026-11-15")).donated_value_vnd,
        6_000_000
    );

    let gone = s
        .change_structure(
            &p,
            &edit(ChangeKind::Removed, Some(sid), Some(2), None, "2026-11-20"),
        )
        .unwrap();
    assert_eq!(gone.version, 3);
    assert!(s.structures_now(key).unwrap().is_empty());
    let history = s.structure_changes(key).unwrap();
    assert_eq!(history.len(), 3);
    assert!(
        structures_on(&[], &history, d("2026-11-19"))[0]
            .values
            .donated
    );
    assert!(structures_on(&[], &history, d("2026-11-20")).is_empty());
    // a new structure never takes the removed one's id (nor its history)
    let next = s
        .change_structure(
            &p,
            &edit(
                ChangeKind::Added,
                None,
                None,
                Some(wall(false)),
                "2026-11-21",
            ),
        )
        .unwrap();
    assert!(next.structure > sid);
    assert_eq!(next.version, 1);
}

#[test]
fn an_imported_structure_keeps_its_imported_values_before_its_first_change() {
    use crate::campaign::structures::StructureKind::*;
    let mut s = imported_small();
    let (segs, parcels) = small_ward();
    let st = vec![structure(102, Gate, 1.0, Some(4_500_000), false, 2)];
    import::import(
        &mut s,
        &Crs::vn2000_thanh_hoa(),
        ImportInput {
            structures: Some(&st),
            ..input(&segs, &parcels)
        },
        false,
    )
    .unwrap();
    let p = FeatureId::from(102);
    let key = s.parcel_key(&p).unwrap();
    assert!(
        s.structure_changes(key).unwrap().is_empty(),
        "imports write no history"
    );
    let sid = s.structures_now(key).unwrap()[0].id;
    let mut gate = s.structures_now(key).unwrap()[0].values.clone();
    gate.donated = true;
    s.change_structure(
        &p,
        &edit(
            ChangeKind::Edited,
            Some(sid),
            Some(0),
            Some(gate),
            "2026-11-10",
        ),
    )
    .unwrap();
    let history = s.structure_changes(key).unwrap();
    assert_eq!(
        history
            .iter()
            .map(|c| (c.what, c.effective))
            .collect::<Vec<_>>(),
        [
            (ChangeKind::Imported, None),
            (ChangeKind::Edited, Some(d("2026-11-10")))
        ]
    );
    let now = s.structures_now(key).unwrap();
    let before = structures_on(&now, &history, d("2026-01-01"));
    assert_eq!(before.len(), 1);
    assert!(!before[0].values.donated, "as imported");
    assert!(
        structures_on(&now, &history, d("2026-11-10"))[0]
            .values
            .donated
    );
}

#[test]
fn stale_versions_backdated_changes_and_bad_values_are_refused_and_write_nothing() {
    let mut s = imported_small();
    let p = FeatureId::from(101);
    let sid = s
        .change_structure(
            &p,
            &edit(
                ChangeKind::Added,
                None,
                None,
                Some(wall(false)),
                "2026-11-10",
            ),
        )
        .unwrap()
        .structure;
    let rows = (count(&s, "structure_changes"), s.data_version().unwrap());
    let refused = |s: &mut Store, e: StructureEdit| {
        let err = s.change_structure(&p, &e).unwrap_err();
        assert_eq!(
            (count(s, "structure_changes"), s.data_version().unwrap()),
            rows,
            "nothing written: {err}"
        );
        err
    };
    // someone else's edit read at version 0: the structure is at 1
    let err = refused(
        &mut s,
        edit(
            ChangeKind::Edited,
            Some(sid),
            Some(0),
            Some(wall(true)),
            "2026-11-12",
        ),
    );
    assert!(
        matches!(&err, StoreError::Conflict(m)
        if m.contains(&format!("công trình {sid} (Tường rào)")) && m.contains("version 1, not 0")),
        "{err}"
    );
    let err = refused(
        &mut s,
        edit(
            ChangeKind::Edited,
            Some(sid),
            Some(1),
            Some(wall(true)),
            "2026-11-09",
        ),
    );
    assert!(
        matches!(&err, StoreError::BadInput(m) if m.starts_with("effective: ") && m.contains("10/11/2026")),
        "{err}"
    );
    let tomorrow = crate::campaign::clock::today()
        .succ_opt()
        .unwrap()
        .to_string();
    let err = refused(
        &mut s,
        edit(
            ChangeKind::Edited,
            Some(sid),
            Some(1),
            Some(wall(true)),
            &tomorrow,
        ),
    );
    assert!(
        matches!(&err, StoreError::BadInput(m) if m.contains("effective")),
        "{err}"
    );
    let err = refused(
        &mut s,
        edit(
            ChangeKind::Added,
            None,
            None,
            Some(wall(false)),
            "1999-12-31",
        ),
    );
    assert!(
        matches!(&err, StoreError::BadInput(m) if m.contains("effective")),
        "{err}"
    );
    let mut bad = wall(true);
    bad.quantity = Some(0.0);
    let err = refused(
        &mut s,
        edit(
            ChangeKind::Edited,
            Some(sid),
            Some(1),
            Some(bad),
            "2026-11-12",
        ),
    );
    assert!(
        matches!(&err, StoreError::BadInput(m) if m.starts_with("quantity: ")),
        "{err}"
    );
    let mut bad = wall(true);
    bad.value_vnd = Some(-1);
    let err = refused(
        &mut s,
        edit(ChangeKind::Added, None, None, Some(bad), "2026-11-12"),
    );
    assert!(
        matches!(&err, StoreError::BadInput(m) if m.starts_with("value_vnd: ")),
        "{err}"
    );
    // another parcel's structure, an unknown parcel
    let err = s
        .change_structure(
            &FeatureId::from(102),
            &edit(ChangeKind::Removed, Some(sid), Some(1), None, "2026-11-12"),
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                what: What::Structure,
                ..
            }
        ),
        "{err}"
    );
    let err = s
        .change_structure(
            &FeatureId::from(999),
            &edit(
                ChangeKind::Added,
                None,
                None,
                Some(wall(false)),
                "2026-11-12",
            ),
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                what: What::Parcel,
                ..
            }
        ),
        "{err}"
    );
    // removed meanwhile: a conflict that says so
    s.change_structure(
        &p,
        &edit(ChangeKind::Removed, Some(sid), Some(1), None, "2026-11-12"),
    )
    .unwrap();
    let err = s
        .change_structure(
            &p,
            &edit(
                ChangeKind::Edited,
                Some(sid),
                Some(1),
                Some(wall(true)),
                "2026-11-13",
            ),
        )
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict(m) if m.contains("đã bị xóa") && m.contains("was removed")),
        "{err}"
    );
}

#[test]
fn the_structure_history_is_append_only() {
    let mut s = imported_small();
    s.change_structure(
        &FeatureId::from(101),
        &edit(
            ChangeKind::Added,
            None,
            None,
            Some(wall(false)),
            "2026-11-10",
        ),
    )
    .unwrap();
    for sql in [
        "UPDATE structure_changes SET donated = 1",
        "DELETE FROM structure_changes",
    ] {
        let err = s.conn.execute(sql, []).unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
}

#[test]
fn an_import_over_a_history_records_the_replacement_so_earlier_days_still_replay() {
    use crate::campaign::structures::StructureKind::*;
    let mut s = imported_small();
    let p = FeatureId::from(101);
    let key = s.parcel_key(&p).unwrap();
    s.change_structure(
        &p,
        &edit(
            ChangeKind::Added,
            None,
            None,
            Some(wall(true)),
            "2026-11-10",
        ),
    )
    .unwrap();
    let (segs, parcels) = small_ward();
    let st = vec![structure(101, Tree, 2.0, None, false, 2)];
    import::import(
        &mut s,
        &Crs::vn2000_thanh_hoa(),
        ImportInput {
            structures: Some(&st),
            ..input(&segs, &parcels)
        },
        false,
    )
    .unwrap();
    let now = s.structures_now(key).unwrap();
    assert_eq!(now.len(), 1);
    assert_eq!(now[0].values.kind, Tree);
    let history = s.structure_changes(key).unwrap();
    let today = crate::campaign::clock::today();
    assert_eq!(
        history
            .iter()
            .map(|c| (c.what, c.effective, c.entered_by.as_str()))
            .collect::<Vec<_>>(),
        [
            (ChangeKind::Added, Some(d("2026-11-10")), "lan.diachinh"),
            (ChangeKind::Removed, Some(today), IMPORT_AUTHOR),
            (ChangeKind::Added, Some(today), IMPORT_AUTHOR),
        ]
    );
    let yesterday = today.pred_opt().unwrap();
    let before = structures_on(&now, &history, yesterday);
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].values.kind, Wall, "the wall recorded then");
    let after = structures_on(&now, &history, today);
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].values.kind, Tree);
}
