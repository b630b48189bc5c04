//! Structures on the land recorded from the page and the API: each change
//! (added, edited, removed) is appended to `structure_changes` with the full
//! values it leaves, the day it took effect, who entered it and when; the
//! `structures` table (the current state) is changed in the same write
//! transaction. The replay is the domain's
//! ([`crate::campaign::structures::structures_on`]).
//!
//! A structure that came from an import has no history: it stands from the
//! beginning. Its first change writes an `imported` row first (effective:
//! from the beginning, the values it had), so that a replay of the days
//! before the change still finds it as it was.
//!
//! A change may not take effect before the structure's latest change (its
//! history reads in date order), nor in the future or before 2000; an edit
//! or removal names the structure's version (the number of its changes)
//! it was made from, and a newer version is a conflict, never overwritten.
//!
//! (About 450 lines of code, then its tests: they need SQL to look inside
//! and share the store's fixtures; read case by case.)

use super::{Result, Store, StoreError, What, feature_id};
use crate::campaign::FeatureId;
use crate::campaign::events::dmy;
use crate::campaign::structures::{
    ChangeKind, Structure, StructureChange, StructureKind, StructureValues, Unit,
};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row};
use std::collections::HashMap;

/// A change to record: what, to which structure (none: a new one), from
/// which version, with which values (none for a removal), from which day.
#[derive(Debug, Clone, PartialEq)]
pub struct StructureEdit {
    pub what: ChangeKind,
    /// The structure's id (edits and removals).
    pub structure: Option<i64>,
    /// The version the edit was made from (edits and removals).
    pub expected: Option<usize>,
    /// The new values (additions and edits).
    pub values: Option<StructureValues>,
    pub effective: NaiveDate,
    /// RFC 3339, UTC.
    pub entered_at: String,
    pub entered_by: String,
    pub note: Option<String>,
}

/// A change recorded: the structure's id, its version now, the parcel.
#[derive(Debug, Clone, PartialEq)]
pub struct StructureRecorded {
    pub structure: i64,
    pub version: usize,
    pub parcel: FeatureId,
}

/// Who entered the changes an import writes.
pub const IMPORT_AUTHOR: &str = "nhập tệp / import";

const CHANGE_COLUMNS: &str = "id, structure, what, kind, quantity, unit, value_vnd, donated, effective, entered_at, entered_by, note";

/// A structure's values as stored: kind, quantity, unit, value, donated.
type RawValues = (String, Option<f64>, Option<String>, Option<i64>, bool);

/// Each parcel's structures now and their changes.
type ParcelStructures = HashMap<i64, (Vec<Structure>, Vec<StructureChange>)>;

fn values_at(r: &Row, at: usize) -> rusqlite::Result<RawValues> {
    Ok((
        r.get(at)?,
        r.get(at + 1)?,
        r.get(at + 2)?,
        r.get(at + 3)?,
        r.get(at + 4)?,
    ))
}

fn parse_values(v: RawValues) -> Result<StructureValues> {
    let (kind, quantity, unit, value_vnd, donated) = v;
    Ok(StructureValues {
        kind: kind
            .parse::<StructureKind>()
            .map_err(|_| StoreError::Corrupt(format!("structure kind {kind:?}")))?,
        quantity,
        unit: unit
            .map(|u| {
                u.parse::<Unit>()
                    .map_err(|_| StoreError::Corrupt(format!("structure unit {u:?}")))
            })
            .transpose()?,
        value_vnd,
        donated,
    })
}

type RawChange = (
    i64,
    i64,
    String,
    RawValues,
    Option<String>,
    String,
    String,
    Option<String>,
);

fn raw_change(r: &Row) -> rusqlite::Result<RawChange> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        values_at(r, 3)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
    ))
}

fn parse_change(c: RawChange) -> Result<StructureChange> {
    let (id, structure, what, values, effective, entered_at, entered_by, note) = c;
    Ok(StructureChange {
        id,
        structure,
        what: what
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("structure change {what:?}")))?,
        effective: effective
            .map(|d| {
                d.parse()
                    .map_err(|_| StoreError::Corrupt(format!("structure change date {d:?}")))
            })
            .transpose()?,
        values: parse_values(values)?,
        entered_at,
        entered_by,
        note,
    })
}

impl Store {
    /// The structures on a parcel's land (row id) as they stand, by id.
    pub fn structures_now(&self, parcel: i64) -> Result<Vec<Structure>> {
        current(&self.conn, parcel)
    }

    /// The history of a parcel's (row id) structures, in entry order.
    pub fn structure_changes(&self, parcel: i64) -> Result<Vec<StructureChange>> {
        changes(&self.conn, parcel)
    }

    /// Every parcel's structures as they stand and their changes, by parcel
    /// row id (the read model's facts).
    pub(super) fn all_structures(&self) -> Result<ParcelStructures> {
        let mut out = ParcelStructures::new();
        let mut st = self.conn.prepare(&format!(
            "SELECT parcel, id, kind, quantity, unit, value_vnd, donated FROM structures
             WHERE {} ORDER BY id",
            self.ward_parcels("parcel")
        ))?;
        let rows = st
            .query_map([], |r| {
                Ok((r.get::<_, i64>(0)?, r.get(1)?, values_at(r, 2)?))
            })?
            .collect::<rusqlite::Result<Vec<(i64, i64, RawValues)>>>()?;
        for (p, id, v) in rows {
            out.entry(p).or_default().0.push(Structure {
                id,
                values: parse_values(v)?,
            });
        }
        let mut st = self.conn.prepare(&format!(
            "SELECT {CHANGE_COLUMNS}, parcel FROM structure_changes WHERE {} ORDER BY id",
            self.ward_parcels("parcel")
        ))?;
        let rows = st
            .query_map([], |r| Ok((raw_change(r)?, r.get::<_, i64>(12)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (c, p) in rows {
            out.entry(p).or_default().1.push(parse_change(c)?);
        }
        Ok(out)
    }

    /// Records a change of a structure on `parcel`'s land and keeps
    /// `structures` in step, in one transaction; refused (nothing written)
    /// when the parcel or structure is unknown, the version is not the
    /// latest, the day is out of the era or before the structure's latest
    /// change, or a value is out of range.
    pub fn change_structure(
        &mut self,
        parcel: &FeatureId,
        e: &StructureEdit,
    ) -> Result<StructureRecorded> {
        if let Some(v) = &e.values {
            check_values(v)?;
        }
        crate::campaign::clock::in_era("effective", e.effective)
            .map_err(|x| StoreError::BadInput(x.to_string()))?;
        let tx = self.write()?;
        let (key, fid): (i64, FeatureId) = tx
            .prepare_cached(
                "SELECT id, fid, fid_is_number FROM parcels
                 WHERE ward = (SELECT id FROM temp.ward_in_use) AND fid = ?1",
            )?
            .query_row([parcel.as_str()], |r| {
                Ok((r.get(0)?, feature_id(r.get(1)?, r.get(2)?)))
            })
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: What::Parcel,
                id: parcel.to_string(),
            })?;
        let (sid, values) = match e.what {
            ChangeKind::Added => {
                let v = e.values.as_ref().ok_or_else(|| missing("values"))?;
                tx.prepare_cached(
                    "INSERT INTO structures (parcel, kind, quantity, unit, value_vnd, donated)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute((
                    key,
                    v.kind.code(),
                    v.quantity,
                    v.unit.map(Unit::code),
                    v.value_vnd,
                    v.donated,
                ))?;
                (tx.last_insert_rowid(), v.clone())
            }
            ChangeKind::Edited | ChangeKind::Removed => {
                let sid = e.structure.ok_or_else(|| missing("structure"))?;
                let history: Vec<StructureChange> = changes(&tx, key)?
                    .into_iter()
                    .filter(|c| c.structure == sid)
                    .collect();
                let Some(now) = current(&tx, key)?.into_iter().find(|s| s.id == sid) else {
                    return Err(match history.last() {
                        // someone removed it meanwhile
                        Some(gone) => StoreError::Conflict(format!(
                            "công trình {sid} ({}) đã bị xóa, từ ngày {}: tải lại / structure {sid} ({}) was removed, from {}: reload",
                            gone.values.kind.label(),
                            gone.effective.map_or_else(String::new, dmy),
                            gone.values.kind.english(),
                            gone.effective.map_or_else(String::new, |d| d.to_string()),
                        )),
                        None => StoreError::NotFound {
                            what: What::Structure,
                            id: format!("{sid} ({fid})"),
                        },
                    });
                };
                let version = history.len();
                let label = now.values.kind.label();
                let english = now.values.kind.english();
                if e.expected != Some(version) {
                    let asked = e.expected.map_or("—".to_string(), |v| v.to_string());
                    return Err(StoreError::Conflict(format!(
                        "công trình {sid} ({label}) đã được sửa sau khi anh/chị mở (phiên bản {version}, không phải {asked}): tải lại rồi sửa lại / structure {sid} ({english}) was changed since you opened it (version {version}, not {asked}): reload and edit again"
                    )));
                }
                if let Some(last) = history.iter().filter_map(|c| c.effective).max()
                    && e.effective < last
                {
                    return Err(StoreError::BadInput(format!(
                        "effective: công trình {sid} ({label}) đã có thay đổi ngày {}, không ghi được thay đổi ngày {} trước đó / structure {sid} ({english}) already has a change of {last}: a change cannot take effect before it ({})",
                        dmy(last),
                        dmy(e.effective),
                        e.effective
                    )));
                }
                if history.is_empty() {
                    // an imported structure: keep what it was, from the beginning
                    insert_change(&tx, key, sid, ChangeKind::Imported, None, &now.values, e)?;
                }
                match e.what {
                    ChangeKind::Removed => {
                        tx.prepare_cached("DELETE FROM structures WHERE id = ?1")?
                            .execute([sid])?;
                        (sid, now.values)
                    }
                    _ => {
                        let v = e.values.as_ref().ok_or_else(|| missing("values"))?;
                        tx.prepare_cached(
                            "UPDATE structures SET kind = ?2, quantity = ?3, unit = ?4,
                             value_vnd = ?5, donated = ?6 WHERE id = ?1",
                        )?
                        .execute((
                            sid,
                            v.kind.code(),
                            v.quantity,
                            v.unit.map(Unit::code),
                            v.value_vnd,
                            v.donated,
                        ))?;
                        (sid, v.clone())
                    }
                }
            }
            ChangeKind::Imported => {
                return Err(StoreError::BadInput(
                    "what: chỉ thêm, sửa hoặc xóa / only added, edited or removed".into(),
                ));
            }
        };
        insert_change(&tx, key, sid, e.what, Some(e.effective), &values, e)?;
        let version: i64 = tx.query_row(
            "SELECT count(*) FROM structure_changes WHERE structure = ?1",
            [sid],
            |r| r.get(0),
        )?;
        // open pages and the kept figures reload
        super::org::bump_paperwork(&tx)?;
        tx.commit()?;
        Ok(StructureRecorded {
            structure: sid,
            version: version as usize,
            parcel: fid,
        })
    }
}

fn missing(field: &str) -> StoreError {
    StoreError::BadInput(format!("{field}: thiếu / missing"))
}

/// The checks every recorded value passes (the API checks them first, with
/// the same words).
fn check_values(v: &StructureValues) -> Result<()> {
    if let Some(q) = v.quantity
        && !(q.is_finite() && q > 0.0)
    {
        return Err(StoreError::BadInput(
            "quantity: phải là số dương / must be a positive number".into(),
        ));
    }
    if v.value_vnd
        .is_some_and(|x| !(0..=crate::campaign::structures::MAX_VALUE_VND).contains(&x))
    {
        return Err(StoreError::BadInput(
            "value_vnd: phải là số nguyên từ 0 đến 1.000.000.000.000 / must be a whole number from 0 to 1,000,000,000,000".into(),
        ));
    }
    Ok(())
}

fn insert_change(
    tx: &Connection,
    parcel: i64,
    structure: i64,
    what: ChangeKind,
    effective: Option<NaiveDate>,
    v: &StructureValues,
    e: &StructureEdit,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO structure_changes (parcel, structure, what, kind, quantity, unit, value_vnd,
             donated, effective, entered_at, entered_by, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(rusqlite::params![
        parcel,
        structure,
        what.code(),
        v.kind.code(),
        v.quantity,
        v.unit.map(Unit::code),
        v.value_vnd,
        v.donated,
        effective.map(|d| d.to_string()),
        e.entered_at,
        // the baseline row of an imported structure is the import's, not the
        // editor's whose first change writes it
        if what == ChangeKind::Imported {
            IMPORT_AUTHOR
        } else {
            e.entered_by.as_str()
        },
        // the note of the change, not of the baseline row
        if what == ChangeKind::Imported {
            None
        } else {
            e.note.as_deref()
        },
    ])?;
    Ok(())
}

fn current(conn: &Connection, parcel: i64) -> Result<Vec<Structure>> {
    let mut st = conn.prepare_cached(
        "SELECT id, kind, quantity, unit, value_vnd, donated FROM structures
         WHERE parcel = ?1 ORDER BY id",
    )?;
    let rows = st
        .query_map([parcel], |r| Ok((r.get::<_, i64>(0)?, values_at(r, 1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(id, v)| {
            Ok(Structure {
                id,
                values: parse_values(v)?,
            })
        })
        .collect()
}

fn changes(conn: &Connection, parcel: i64) -> Result<Vec<StructureChange>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {CHANGE_COLUMNS} FROM structure_changes WHERE parcel = ?1 ORDER BY id"
    ))?;
    let rows = st
        .query_map([parcel], raw_change)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(parse_change).collect()
}

/// Before an import replaces the structures of `parcel` (row id): when some
/// of them have a history, the replacement is written to it too — the old
/// ones removed and the file's added, from `today` — so that a replay of
/// earlier days still shows what was recorded then. Returns whether it
/// did; when none has a history, the file's rows stand from the beginning
/// as any import's do, and the caller writes no history.
pub(super) fn import_replaces(
    tx: &Connection,
    parcel: i64,
    today: NaiveDate,
    at: &str,
) -> Result<bool> {
    let history = changes(tx, parcel)?;
    if history.is_empty() {
        return Ok(false);
    }
    let e = StructureEdit {
        what: ChangeKind::Removed,
        structure: None,
        expected: None,
        values: None,
        effective: today,
        entered_at: at.to_string(),
        entered_by: IMPORT_AUTHOR.to_string(),
        note: None,
    };
    for s in current(tx, parcel)? {
        if !history.iter().any(|c| c.structure == s.id) {
            insert_change(tx, parcel, s.id, ChangeKind::Imported, None, &s.values, &e)?;
        }
        insert_change(
            tx,
            parcel,
            s.id,
            ChangeKind::Removed,
            Some(today),
            &s.values,
            &e,
        )?;
    }
    Ok(true)
}

/// After an import wrote the structure with row id `id` (see
/// [`import_replaces`]): its addition, from `today`.
pub(super) fn import_added(
    tx: &Connection,
    parcel: i64,
    id: i64,
    v: &StructureValues,
    today: NaiveDate,
    at: &str,
) -> Result<()> {
    let e = StructureEdit {
        what: ChangeKind::Added,
        structure: Some(id),
        expected: None,
        values: None,
        effective: today,
        entered_at: at.to_string(),
        entered_by: IMPORT_AUTHOR.to_string(),
        note: None,
    };
    insert_change(tx, parcel, id, ChangeKind::Added, Some(today), v, &e)
}

/// The write, its history, the replay over it, the refusals, and imports
/// over a history.
#[cfg(test)]
mod tests {
    use super::super::tests::{imported_small, reimport_with_structures, structure};
    use super::super::{FeatureId, Store, StoreError, What};
    use super::*;
    use crate::campaign::structures::structures_on;

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
        reimport_with_structures(
            &mut s,
            &[structure(102, Gate, 1.0, Some(4_500_000), false, 2)],
        );
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
        // the baseline is the import's; only the change is the editor's
        assert_eq!(history[0].entered_by, IMPORT_AUTHOR);
        assert_ne!(history[1].entered_by, IMPORT_AUTHOR);
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
        for v in [-1, crate::campaign::structures::MAX_VALUE_VND + 1] {
            let mut bad = wall(true);
            bad.value_vnd = Some(v);
            let err = refused(
                &mut s,
                edit(ChangeKind::Added, None, None, Some(bad), "2026-11-12"),
            );
            assert!(
                matches!(&err, StoreError::BadInput(m) if m.starts_with("value_vnd: ")),
                "{err}"
            );
        }
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
        reimport_with_structures(&mut s, &[structure(101, Tree, 2.0, None, false, 2)]);
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
}
