//! The campaign's organisation in the store: party cells, members,
//! assignments (with their history) and area leads.

use super::org_log::ORG_IMPORT_AUTHOR;
use super::{Result, Store, StoreError, What, feature_id};
use crate::campaign::FeatureId;
use crate::campaign::org::{Area, Org};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension};
use std::collections::HashMap;

/// What an organisation import wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OrgCounts {
    pub cells: usize,
    pub members: usize,
    pub assignments: usize,
    pub leads: usize,
}

impl std::fmt::Display for OrgCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} chi bộ, {} đảng viên, {} phân công, {} ủy viên phụ trách / {} cells, {} members, {} assignments, {} area leads",
            self.cells,
            self.members,
            self.assignments,
            self.leads,
            self.cells,
            self.members,
            self.assignments,
            self.leads
        )
    }
}

/// A party cell with the names of its groups and its member count.
#[derive(Debug, Clone, PartialEq)]
pub struct CellRow {
    pub code: String,
    pub name: String,
    pub secretary: Option<String>,
    pub groups: Vec<String>,
    pub members: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MemberRow {
    pub key: i64,
    pub code: String,
    pub name: String,
    pub cell: String,
    pub role: Option<String>,
    /// Row id and id of the member's own household's parcel.
    pub household: Option<(i64, FeatureId)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AssignmentRow {
    /// Parcel row id.
    pub parcel: i64,
    pub member_code: String,
    pub member_name: String,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

impl AssignmentRow {
    /// Whether the assignment holds at the end of `day`.
    pub fn holds_on(&self, day: NaiveDate) -> bool {
        self.from <= day && self.to.is_none_or(|t| day < t)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LeadRow {
    pub name: String,
    pub title: Option<String>,
    pub area: Area,
}

fn date(s: String) -> rusqlite::Result<NaiveDate> {
    s.parse().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// One change of a household's flag: `field` is `is_member_family` or
/// `may_be_named`; `at` is when it was entered (UTC), `by` who entered it.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdChange {
    pub head_name: String,
    pub field: String,
    pub from: bool,
    pub to: bool,
    pub at: String,
    pub by: String,
}

/// Bumps the import counter [`Store::data_version`] reads: the organisation
/// changed, which every report and page shows.
pub(super) fn bump_version(conn: &Connection) -> Result<()> {
    bump(conn, "imports")
}

/// Bumps the paperwork counter (records, contacts, grievances, attachments,
/// assignments): open pages reload the parcel panel, not the map's shapes.
pub(super) fn bump_paperwork(conn: &Connection) -> Result<()> {
    bump(conn, "paperwork")
}

/// Bumps one of the current ward's counters (`imports`, `paperwork`).
fn bump(conn: &Connection, key: &str) -> Result<()> {
    let sql = match key {
        "imports" => {
            "UPDATE wards SET imports = imports + 1 WHERE id = (SELECT id FROM temp.ward_in_use)"
        }
        _ => {
            "UPDATE wards SET paperwork = paperwork + 1 WHERE id = (SELECT id FROM temp.ward_in_use)"
        }
    };
    conn.prepare_cached(sql)?.execute([])?;
    Ok(())
}

/// Replaces the organisation of the ward `ward` with `org` (checked by
/// [`crate::campaign::org::check`] first); every reference to a group,
/// parcel or segment that the ward lacks is reported, and nothing written.
/// The other wards' organisations and histories are left as they are.
pub(super) fn replace_org(conn: &Connection, ward: i64, org: &Org) -> Result<OrgCounts> {
    let issues = crate::campaign::org::check(org);
    if !issues.is_empty() {
        return Err(StoreError::BadInput(lines(
            issues.iter().map(ToString::to_string),
        )));
    }
    let groups: HashMap<String, i64> = conn
        .prepare("SELECT name, id FROM residential_groups WHERE ward = ?1")?
        .query_map([ward], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut parcel = conn.prepare_cached("SELECT id FROM parcels WHERE ward = ?2 AND fid = ?1")?;
    let mut parcel_key = |id: &FeatureId| -> Result<Option<i64>> {
        Ok(parcel
            .query_row((id.as_str(), ward), |r| r.get(0))
            .optional()?)
    };
    let mut segment = conn.prepare("SELECT id FROM segments WHERE ward = ?2 AND fid = ?1")?;
    let mut missing = Vec::new();
    let mut cell_groups = Vec::new();
    for c in &org.cells {
        for g in &c.groups {
            match groups.get(g) {
                Some(&k) => cell_groups.push((c.code.as_str(), k)),
                None => missing.push(format!(
                    "cells.csv, dòng {l}: không có tổ dân phố {g:?} / cells.csv, line {l}: no residential group {g:?}",
                    l = c.line
                )),
            }
        }
    }
    let mut member_households = Vec::new();
    for m in &org.members {
        match &m.household {
            Some(h) => match parcel_key(h)? {
                Some(k) => member_households.push(Some(k)),
                None => {
                    missing.push(format!(
                        "members.csv, dòng {l}: không có thửa đất {h} / members.csv, line {l}: no parcel {h}",
                        l = m.line
                    ));
                    member_households.push(None);
                }
            },
            None => member_households.push(None),
        }
    }
    let mut assignment_parcels = Vec::new();
    for a in &org.assignments {
        match parcel_key(&a.parcel)? {
            Some(k) => assignment_parcels.push(k),
            None => missing.push(format!(
                "assignments.csv, dòng {l}: không có thửa đất {p} / assignments.csv, line {l}: no parcel {p}",
                l = a.line,
                p = a.parcel
            )),
        }
    }
    let mut lead_areas = Vec::new();
    for l in &org.leads {
        let found = match &l.area {
            Area::Group(g) => groups.get(g).map(|&k| (Some(k), None)),
            Area::Segment(s) => segment
                .query_row((s.as_str(), ward), |r| r.get::<_, i64>(0))
                .optional()?
                .map(|k| (None, Some(k))),
        };
        match found {
            Some(a) => lead_areas.push(a),
            None => missing.push(match &l.area {
                Area::Group(g) => format!(
                    "leads.csv, dòng {n}: không có tổ dân phố {g:?} / leads.csv, line {n}: no residential group {g:?}",
                    n = l.line
                ),
                Area::Segment(s) => format!(
                    "leads.csv, dòng {n}: không có đoạn tuyến {s} / leads.csv, line {n}: no segment {s}",
                    n = l.line
                ),
            }),
        }
    }
    if !missing.is_empty() {
        return Err(StoreError::BadInput(lines(missing.into_iter())));
    }
    // this ward's rows only: another ward's organisation stays as it is
    for sql in [
        "DELETE FROM assignments WHERE member IN (SELECT id FROM party_members WHERE ward = ?1)",
        "DELETE FROM area_leads
         WHERE residential_group IN (SELECT id FROM residential_groups WHERE ward = ?1)
            OR segment IN (SELECT id FROM segments WHERE ward = ?1)",
        "DELETE FROM cell_groups WHERE cell IN (SELECT id FROM party_cells WHERE ward = ?1)",
        "DELETE FROM party_members WHERE ward = ?1",
        "DELETE FROM party_cells WHERE ward = ?1",
    ] {
        conn.execute(sql, [ward])?;
    }
    let mut cells = HashMap::new();
    for c in &org.cells {
        conn.execute(
            "INSERT INTO party_cells (ward, code, name, secretary) VALUES (?1, ?2, ?3, ?4)",
            (ward, &c.code, &c.name, &c.secretary),
        )?;
        cells.insert(c.code.as_str(), conn.last_insert_rowid());
    }
    for (code, g) in cell_groups {
        conn.execute(
            "INSERT OR IGNORE INTO cell_groups (cell, residential_group) VALUES (?1, ?2)",
            (cells[code], g),
        )?;
    }
    let mut members = HashMap::new();
    for (m, h) in org.members.iter().zip(member_households) {
        conn.execute(
            "INSERT INTO party_members (ward, code, name, cell, role, household) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            (ward, &m.code, &m.name, cells[m.cell.as_str()], &m.role, h),
        )?;
        members.insert(m.code.as_str(), conn.last_insert_rowid());
    }
    // prepared once: a ward of a million parcels has a million assignments
    let mut insert = conn.prepare_cached(
        "INSERT INTO assignments (member, parcel, from_date, to_date) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (a, p) in org.assignments.iter().zip(assignment_parcels) {
        insert.execute((
            members[a.member.as_str()],
            p,
            a.from.to_string(),
            a.to.map(|d| d.to_string()),
        ))?;
    }
    drop(insert);
    for (l, (g, s)) in org.leads.iter().zip(lead_areas) {
        conn.execute(
            "INSERT INTO area_leads (name, title, residential_group, segment) VALUES (?1, ?2, ?3, ?4)",
            (&l.name, &l.title, g, s),
        )?;
    }
    log_imported(conn, ward, org)?;
    bump_version(conn)?;
    Ok(OrgCounts {
        cells: org.cells.len(),
        members: org.members.len(),
        assignments: org.assignments.len(),
        leads: org.leads.len(),
    })
}

/// One `imported` row per cell, member, lead and assignment the import
/// left, author [`ORG_IMPORT_AUTHOR`]: the items' histories start (again)
/// here, and each has a version.
fn log_imported(conn: &Connection, ward: i64, org: &Org) -> Result<()> {
    use super::org_edit::{cell_json, lead_json, member_json};
    use super::org_log::{OrgWhat, log};
    let at = super::consent::now();
    let by = ORG_IMPORT_AUTHOR;
    let ids = |table: &str| -> Result<Vec<(i64, String)>> {
        let sql = if table == "area_leads" {
            format!(
                "SELECT l.id, CAST(l.id AS TEXT) FROM area_leads l {LEAD_IN_WARD} ORDER BY l.id"
            )
        } else {
            format!("SELECT id, code FROM {table} WHERE ward = ?1 ORDER BY id")
        };
        Ok(conn
            .prepare(&sql)?
            .query_map([ward], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?)
    };
    for (id, code) in ids("party_cells")? {
        log(
            conn,
            ward,
            OrgWhat::Cell,
            &code,
            "imported",
            None,
            Some(&cell_json(conn, id)?),
            None,
            &at,
            by,
        )?;
    }
    for (id, code) in ids("party_members")? {
        log(
            conn,
            ward,
            OrgWhat::Member,
            &code,
            "imported",
            None,
            Some(&member_json(conn, id)?),
            None,
            &at,
            by,
        )?;
    }
    for (id, item) in ids("area_leads")? {
        log(
            conn,
            ward,
            OrgWhat::Lead,
            &item,
            "imported",
            None,
            Some(&lead_json(conn, id)?),
            None,
            &at,
            by,
        )?;
    }
    for a in &org.assignments {
        let after = serde_json::json!({
            "member": a.member, "from": a.from.to_string(), "to": a.to.map(|d| d.to_string()),
        });
        log(
            conn,
            ward,
            OrgWhat::Assignment,
            a.parcel.as_str(),
            "imported",
            None,
            Some(&after),
            None,
            &at,
            by,
        )?;
    }
    Ok(())
}

/// Keeps the area leads `l` of the ward `?1` (a lead has no ward of its
/// own: its group's or its segment's).
pub(super) const LEAD_IN_WARD: &str =
    "LEFT JOIN residential_groups lg ON lg.id = l.residential_group
     LEFT JOIN segments ls ON ls.id = l.segment
     WHERE coalesce(lg.ward, ls.ward) = ?1";

fn lines(it: impl Iterator<Item = String>) -> String {
    let all: Vec<String> = it.collect();
    format!(
        "{n} lỗi trong tệp tổ chức, không nhập gì / {n} errors in the organisation files, nothing imported\n  {}",
        all.join("\n  "),
        n = all.len()
    )
}

impl Store {
    /// The current ward's row id, as the ward columns hold it.
    pub(super) fn ward_key(&self) -> i64 {
        self.ward_id().0
    }

    /// Replaces the current ward's organisation, in one transaction: all or
    /// nothing.
    pub fn import_org(&mut self, org: &Org) -> Result<OrgCounts> {
        let ward = self.ward_key();
        let tx = self.write()?;
        let counts = replace_org(&tx, ward, org)?;
        tx.commit()?;
        Ok(counts)
    }

    pub fn cells(&self) -> Result<Vec<CellRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT c.id, c.code, c.name, c.secretary,
                    (SELECT count(*) FROM party_members m WHERE m.cell = c.id),
                    (SELECT group_concat(g.name, char(10)) FROM cell_groups cg
                       JOIN residential_groups g ON g.id = cg.residential_group WHERE cg.cell = c.id)
             FROM party_cells c WHERE c.ward = ?1 ORDER BY c.code",
        )?;
        let rows = st.query_map([self.ward_key()], |r| {
            let groups: Option<String> = r.get(5)?;
            Ok(CellRow {
                code: r.get(1)?,
                name: r.get(2)?,
                secretary: r.get(3)?,
                members: r.get::<_, i64>(4)? as usize,
                groups: groups
                    .map(|g| g.split('\n').map(str::to_string).collect())
                    .unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The residential group (by name) each cell covers: group → cell code.
    pub fn cell_of_group(&self) -> Result<HashMap<String, String>> {
        let mut st = self.conn.prepare_cached(
            "SELECT g.name, c.code FROM cell_groups cg
             JOIN residential_groups g ON g.id = cg.residential_group
             JOIN party_cells c ON c.id = cg.cell WHERE c.ward = ?1",
        )?;
        let rows = st.query_map([self.ward_key()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn members(&self) -> Result<Vec<MemberRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT m.id, m.code, m.name, c.code, m.role, m.household, p.fid, p.fid_is_number
             FROM party_members m JOIN party_cells c ON c.id = m.cell
             LEFT JOIN parcels p ON p.id = m.household WHERE m.ward = ?1 ORDER BY m.code",
        )?;
        let rows = st.query_map([self.ward_key()], |r| {
            let h: Option<i64> = r.get(5)?;
            let fid: Option<String> = r.get(6)?;
            let num: Option<bool> = r.get(7)?;
            Ok(MemberRow {
                key: r.get(0)?,
                code: r.get(1)?,
                name: r.get(2)?,
                cell: r.get(3)?,
                role: r.get(4)?,
                household: h
                    .zip(fid)
                    .map(|(k, f)| (k, feature_id(f, num.unwrap_or(false)))),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every assignment of the current ward, or those of one parcel (row
    /// id), oldest first.
    pub fn assignments(&self, parcel: Option<i64>) -> Result<Vec<AssignmentRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT a.parcel, m.code, m.name, a.from_date, a.to_date
             FROM assignments a JOIN party_members m ON m.id = a.member
             WHERE m.ward = ?2 AND (?1 IS NULL OR a.parcel = ?1)
             ORDER BY a.parcel, a.from_date, a.id",
        )?;
        let rows = st.query_map((parcel, self.ward_key()), |r| {
            Ok(AssignmentRow {
                parcel: r.get(0)?,
                member_code: r.get(1)?,
                member_name: r.get(2)?,
                from: date(r.get(3)?)?,
                to: r.get::<_, Option<String>>(4)?.map(date).transpose()?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Assigns `member` (a code) to the parcel from `from` on: the
    /// assignment that holds then ends that day, so the history stays; the
    /// change is kept in the organisation's history, entered by `by`.
    pub fn assign(
        &mut self,
        parcel: &FeatureId,
        member: &str,
        from: NaiveDate,
        by: &str,
    ) -> Result<()> {
        let key = self.parcel_key(parcel)?;
        let ward = self.ward_key();
        let tx = self.write()?;
        let m: i64 = tx
            .query_row(
                "SELECT id FROM party_members WHERE ward = ?2 AND code = ?1",
                (member, ward),
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: What::Member,
                id: member.to_string(),
            })?;
        let author = super::org_log::OrgAuthor::now(by, from);
        super::org_edit::assign_in(&tx, ward, key, parcel, (m, member), from, &author)?;
        bump_paperwork(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// Sets the flags of the parcel's households (all of them: they share
    /// the land): a family of a cadre or party member, and whether it agreed
    /// to be named on a public commendation list. `None` leaves a flag.
    /// Each flag that changes is kept in the household's history
    /// ([`Store::household_changes`]) with `by` and the time, in the same
    /// transaction.
    pub fn set_household_flags(
        &mut self,
        parcel: &FeatureId,
        member_family: Option<bool>,
        may_be_named: Option<bool>,
        by: &str,
    ) -> Result<usize> {
        let key = self.parcel_key(parcel)?;
        let tx = self.write()?;
        let before: Vec<(String, bool, bool)> = tx
            .prepare("SELECT head_name, is_member_family, may_be_named FROM households WHERE parcel = ?1 ORDER BY id")?
            .query_map([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        if before.is_empty() {
            return Err(StoreError::BadInput(format!(
                "thửa đất {parcel} chưa có hộ gia đình nào (nhập bằng --households) / parcel {parcel} has no household yet (import one with --households)"
            )));
        }
        let n = tx.execute(
            "UPDATE households SET is_member_family = coalesce(?2, is_member_family),
                                   may_be_named = coalesce(?3, may_be_named)
             WHERE parcel = ?1",
            (key, member_family, may_be_named),
        )?;
        let at = super::consent::now();
        {
            let mut log = tx.prepare(
                "INSERT INTO household_changes (parcel, head_name, field, old_value, new_value, changed_at, changed_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (head, family, named) in &before {
                for (field, old, new) in [
                    ("is_member_family", *family, member_family),
                    ("may_be_named", *named, may_be_named),
                ] {
                    if let Some(new) = new.filter(|v| *v != old) {
                        log.execute((key, head, field, old, new, &at, by))?;
                    }
                }
            }
        }
        bump_paperwork(&tx)?;
        tx.commit()?;
        Ok(n)
    }

    /// The history of the flags of a parcel's (row id) households, oldest
    /// first.
    pub fn household_changes(&self, parcel: i64) -> Result<Vec<HouseholdChange>> {
        let mut st = self.conn.prepare_cached(
            "SELECT head_name, field, old_value, new_value, changed_at, changed_by
             FROM household_changes WHERE parcel = ?1 ORDER BY id",
        )?;
        let rows = st.query_map([parcel], |r| {
            Ok(HouseholdChange {
                head_name: r.get(0)?,
                field: r.get(1)?,
                from: r.get(2)?,
                to: r.get(3)?,
                at: r.get(4)?,
                by: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The current ward's area leads.
    pub fn leads(&self) -> Result<Vec<LeadRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT l.name, l.title, g.name, s.fid, s.fid_is_number
             FROM area_leads l LEFT JOIN residential_groups g ON g.id = l.residential_group
             LEFT JOIN segments s ON s.id = l.segment
             WHERE coalesce(g.ward, s.ward) = ?1 ORDER BY l.id",
        )?;
        let rows = st.query_map([self.ward_key()], |r| {
            let g: Option<String> = r.get(2)?;
            let s: Option<String> = r.get(3)?;
            let num: Option<bool> = r.get(4)?;
            Ok((r.get(0)?, r.get(1)?, g, s, num))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (name, title, g, s, num) = row?;
            let area = match (g, s) {
                (Some(g), _) => Area::Group(g),
                (None, Some(s)) => Area::Segment(feature_id(s, num.unwrap_or(false))),
                (None, None) => {
                    return Err(StoreError::Corrupt(format!(
                        "area lead {name:?} has no area"
                    )));
                }
            };
            out.push(LeadRow { name, title, area });
        }
        Ok(out)
    }
}
