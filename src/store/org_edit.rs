//! The organisation edited item by item (issue 13, item 7): party cells,
//! party members, area leads and assignments added, edited and removed from
//! the page, each change appended to `org_changes` (migration 10) with the
//! values before and after, the day it took effect, who entered it and when,
//! in the same `BEGIN IMMEDIATE` transaction that changes the current tables.
//!
//! Every item has a version: the id of its last `org_changes` row (0 while
//! it has none). An edit or removal names the version it was made from; a
//! newer one is a [`StoreError::Conflict`] naming who changed it last, never
//! overwritten. Input the ward lacks (an unknown group, parcel, cell or
//! member, a repeated code) is a [`StoreError::BadInput`] whose message
//! starts with the field it is about, and nothing is written.

use super::org::{bump_paperwork, bump_version};
use super::org_log::{OrgAuthor, OrgWhat, check_version, log};
use super::{Result, Store, StoreError, What};
use crate::campaign::FeatureId;
use crate::campaign::org::Area;
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction};
use serde_json::{Value, json};

/// A party cell's values.
#[derive(Debug, Clone, PartialEq)]
pub struct CellEdit {
    pub code: String,
    pub name: String,
    pub secretary: Option<String>,
    /// The residential groups it covers, by name.
    pub groups: Vec<String>,
}

/// A party member's values.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberEdit {
    pub code: String,
    pub name: String,
    /// The cell's code.
    pub cell: String,
    pub role: Option<String>,
    /// The parcel of the member's own household.
    pub household: Option<FeatureId>,
}

/// An area lead's values.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadEdit {
    pub name: String,
    pub title: Option<String>,
    pub area: Area,
}

fn bad(field: &str, vi: String, en: String) -> StoreError {
    StoreError::BadInput(format!("{field}: {vi} / {en}"))
}

// Lookups by code, name or file id: within the ward `ward` only (the same
// code may name another ward's cell, member, parcel or group).

fn cell_id(conn: &Connection, ward: i64, code: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM party_cells WHERE ward = ?2 AND code = ?1")?
        .query_row((code, ward), |r| r.get(0))
        .optional()?)
}

fn member_id(conn: &Connection, ward: i64, code: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM party_members WHERE ward = ?2 AND code = ?1")?
        .query_row((code, ward), |r| r.get(0))
        .optional()?)
}

fn parcel_id(conn: &Connection, ward: i64, id: &FeatureId) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM parcels WHERE ward = ?2 AND fid = ?1")?
        .query_row((id.as_str(), ward), |r| r.get(0))
        .optional()?)
}

fn group_id(conn: &Connection, ward: i64, name: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM residential_groups WHERE ward = ?2 AND name = ?1")?
        .query_row((name, ward), |r| r.get(0))
        .optional()?)
}

/// Whether the area lead `id` is the ward's (its group's or segment's).
fn lead_in_ward(conn: &Connection, ward: i64, id: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT 1 FROM area_leads l {} AND l.id = ?2",
            super::org::LEAD_IN_WARD
        ))?
        .query_row((ward, id), |_| Ok(()))
        .optional()?
        .is_some())
}

/// The cell's values as the history keeps them.
pub(super) fn cell_json(conn: &Connection, id: i64) -> Result<Value> {
    let (code, name, secretary): (String, String, Option<String>) = conn.query_row(
        "SELECT code, name, secretary FROM party_cells WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let groups: Vec<String> = conn
        .prepare_cached(
            "SELECT g.name FROM cell_groups cg JOIN residential_groups g ON g.id = cg.residential_group
             WHERE cg.cell = ?1 ORDER BY g.name",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(json!({ "code": code, "name": name, "secretary": secretary, "groups": groups }))
}

/// The member's values as the history keeps them.
pub(super) fn member_json(conn: &Connection, id: i64) -> Result<Value> {
    Ok(conn.query_row(
        "SELECT m.code, m.name, c.code, m.role, p.fid FROM party_members m
         JOIN party_cells c ON c.id = m.cell LEFT JOIN parcels p ON p.id = m.household
         WHERE m.id = ?1",
        [id],
        |r| {
            Ok(json!({
                "code": r.get::<_, String>(0)?, "name": r.get::<_, String>(1)?,
                "cell": r.get::<_, String>(2)?, "role": r.get::<_, Option<String>>(3)?,
                "household": r.get::<_, Option<String>>(4)?,
            }))
        },
    )?)
}

/// The lead's values as the history keeps them.
pub(super) fn lead_json(conn: &Connection, id: i64) -> Result<Value> {
    Ok(conn.query_row(
        "SELECT l.name, l.title, g.name, s.fid FROM area_leads l
         LEFT JOIN residential_groups g ON g.id = l.residential_group
         LEFT JOIN segments s ON s.id = l.segment WHERE l.id = ?1",
        [id],
        |r| {
            Ok(json!({
                "name": r.get::<_, String>(0)?, "title": r.get::<_, Option<String>>(1)?,
                "group": r.get::<_, Option<String>>(2)?, "segment": r.get::<_, Option<String>>(3)?,
            }))
        },
    )?)
}

/// The groups' row ids, each known and covered by no other cell than `own`.
fn cell_groups(
    conn: &Connection,
    ward: i64,
    groups: &[String],
    own: Option<i64>,
) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    for g in groups {
        let id = group_id(conn, ward, g)?.ok_or_else(|| {
            bad(
                "groups",
                format!("không có tổ dân phố {g:?}"),
                format!("no residential group {g:?}"),
            )
        })?;
        let other: Option<(i64, String)> = conn
            .prepare_cached(
                "SELECT c.id, c.code FROM cell_groups cg JOIN party_cells c ON c.id = cg.cell
                 WHERE cg.residential_group = ?1",
            )?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((cid, code)) = other
            && Some(cid) != own
        {
            return Err(bad(
                "groups",
                format!("tổ dân phố {g:?} đã thuộc chi bộ {code}"),
                format!("residential group {g:?} is already covered by cell {code}"),
            ));
        }
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

fn set_cell_groups(conn: &Connection, cell: i64, groups: &[i64]) -> Result<()> {
    conn.execute("DELETE FROM cell_groups WHERE cell = ?1", [cell])?;
    for g in groups {
        conn.execute(
            "INSERT INTO cell_groups (cell, residential_group) VALUES (?1, ?2)",
            (cell, g),
        )?;
    }
    Ok(())
}

/// The member's cell and household row ids, each known.
fn member_refs(conn: &Connection, ward: i64, m: &MemberEdit) -> Result<(i64, Option<i64>)> {
    let cell = cell_id(conn, ward, &m.cell)?.ok_or_else(|| {
        bad(
            "cell",
            format!("không có chi bộ {:?}", m.cell),
            format!("no party cell {:?}", m.cell),
        )
    })?;
    let household = match &m.household {
        Some(h) => Some(parcel_id(conn, ward, h)?.ok_or_else(|| {
            bad(
                "household",
                format!("không có thửa đất {h}"),
                format!("no parcel {h}"),
            )
        })?),
        None => None,
    };
    Ok((cell, household))
}

/// The lead's (group, segment) row ids, the one given known.
fn lead_area(conn: &Connection, ward: i64, area: &Area) -> Result<(Option<i64>, Option<i64>)> {
    match area {
        Area::Group(g) => Ok((
            Some(group_id(conn, ward, g)?.ok_or_else(|| {
                bad(
                    "group",
                    format!("không có tổ dân phố {g:?}"),
                    format!("no residential group {g:?}"),
                )
            })?),
            None,
        )),
        Area::Segment(s) => Ok((
            None,
            Some(
                conn.prepare_cached("SELECT id FROM segments WHERE ward = ?2 AND fid = ?1")?
                    .query_row((s.as_str(), ward), |r| r.get(0))
                    .optional()?
                    .ok_or_else(|| {
                        bad(
                            "segment",
                            format!("không có đoạn tuyến {s}"),
                            format!("no segment {s}"),
                        )
                    })?,
            ),
        )),
    }
}

fn not_found(what: What, id: &str) -> StoreError {
    StoreError::NotFound {
        what,
        id: id.to_string(),
    }
}

/// Assigns the parcel (row `key`, file id `fid`) to member `m` (row id,
/// code) from `from`: the assignment that holds then ends that day; the
/// change is logged. Refused when the parcel has an assignment from that
/// day or later.
pub(super) fn assign_in(
    conn: &Connection,
    ward: i64,
    key: i64,
    fid: &FeatureId,
    member: (i64, &str),
    from: NaiveDate,
    a: &OrgAuthor,
) -> Result<i64> {
    let later: Option<String> = conn.query_row(
        "SELECT max(from_date) FROM assignments WHERE parcel = ?1",
        [key],
        |r| r.get(0),
    )?;
    if let Some(l) = later
        && l >= from.to_string()
    {
        return Err(StoreError::Conflict(format!(
            "thửa {fid} đã có phân công từ ngày {l}; phân công mới phải sau ngày đó / parcel {fid} already has an assignment from {l}: a new one must start later"
        )));
    }
    let before: Option<(String, String)> = conn
        .query_row(
            "SELECT m.code, a.from_date FROM assignments a JOIN party_members m ON m.id = a.member
             WHERE a.parcel = ?1 AND (a.to_date IS NULL OR a.to_date > ?2) ORDER BY a.from_date DESC LIMIT 1",
            (key, from.to_string()),
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    conn.execute(
        "UPDATE assignments SET to_date = ?2 WHERE parcel = ?1 AND (to_date IS NULL OR to_date > ?2)",
        (key, from.to_string()),
    )?;
    conn.execute(
        "INSERT INTO assignments (member, parcel, from_date) VALUES (?1, ?2, ?3)",
        (member.0, key, from.to_string()),
    )?;
    let before = before.map(|(m, f)| json!({ "member": m, "from": f }));
    log(
        conn,
        ward,
        OrgWhat::Assignment,
        fid.as_str(),
        if before.is_some() { "edited" } else { "added" },
        before.as_ref(),
        Some(&json!({ "member": member.1, "from": from.to_string() })),
        Some(from),
        &a.at,
        &a.by,
    )
}

/// Keeps a change in the ward's organisation history, moves the data
/// version (pages reload) and commits: the item's new version.
#[allow(clippy::too_many_arguments)]
fn commit_change(
    tx: Transaction,
    ward: i64,
    what: OrgWhat,
    item: &str,
    change: &str,
    before: Option<&Value>,
    after: Option<&Value>,
    a: &OrgAuthor,
) -> Result<i64> {
    let v = log(
        &tx,
        ward,
        what,
        item,
        change,
        before,
        after,
        Some(a.effective),
        &a.at,
        &a.by,
    )?;
    bump_version(&tx)?;
    tx.commit()?;
    Ok(v)
}

impl Store {
    /// The current ward's area leads with their row ids (the id names a
    /// lead in edits), in the order of [`Store::leads`].
    pub fn lead_ids(&self) -> Result<Vec<i64>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT l.id FROM area_leads l {} ORDER BY l.id",
            super::org::LEAD_IN_WARD
        ))?;
        let rows = st.query_map([self.ward_key()], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Adds a party cell: its version.
    pub fn add_cell(&mut self, c: &CellEdit, a: &OrgAuthor) -> Result<i64> {
        let w = self.ward_key();
        let tx = self.write()?;
        if cell_id(&tx, w, &c.code)?.is_some() {
            return Err(bad(
                "code",
                format!("mã chi bộ {:?} đã có", c.code),
                format!("cell code {:?} already exists", c.code),
            ));
        }
        let groups = cell_groups(&tx, w, &c.groups, None)?;
        tx.execute(
            "INSERT INTO party_cells (ward, code, name, secretary) VALUES (?1, ?2, ?3, ?4)",
            (w, &c.code, &c.name, &c.secretary),
        )?;
        let id = tx.last_insert_rowid();
        set_cell_groups(&tx, id, &groups)?;
        let after = cell_json(&tx, id)?;
        commit_change(
            tx,
            w,
            OrgWhat::Cell,
            &c.code,
            "added",
            None,
            Some(&after),
            a,
        )
    }

    /// New values of the cell `c.code` (its code stays), made from
    /// `expected`: its new version.
    pub fn edit_cell(&mut self, c: &CellEdit, expected: i64, a: &OrgAuthor) -> Result<i64> {
        let w = self.ward_key();
        let tx = self.write()?;
        let id = cell_id(&tx, w, &c.code)?.ok_or_else(|| not_found(What::Cell, &c.code))?;
        check_version(&tx, w, OrgWhat::Cell, &c.code, expected)?;
        let groups = cell_groups(&tx, w, &c.groups, Some(id))?;
        let before = cell_json(&tx, id)?;
        tx.execute(
            "UPDATE party_cells SET name = ?2, secretary = ?3 WHERE id = ?1",
            (id, &c.name, &c.secretary),
        )?;
        set_cell_groups(&tx, id, &groups)?;
        let after = cell_json(&tx, id)?;
        commit_change(
            tx,
            w,
            OrgWhat::Cell,
            &c.code,
            "edited",
            Some(&before),
            Some(&after),
            a,
        )
    }

    /// Removes a cell that has no member left: its last version.
    pub fn remove_cell(&mut self, code: &str, expected: i64, a: &OrgAuthor) -> Result<i64> {
        let w = self.ward_key();
        let tx = self.write()?;
        let id = cell_id(&tx, w, code)?.ok_or_else(|| not_found(What::Cell, code))?;
        check_version(&tx, w, OrgWhat::Cell, code, expected)?;
        let members: Vec<String> = tx
            .prepare("SELECT code FROM party_members WHERE cell = ?1 ORDER BY code LIMIT 6")?
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if !members.is_empty() {
            let n: i64 = tx.query_row(
                "SELECT count(*) FROM party_members WHERE cell = ?1",
                [id],
                |r| r.get(0),
            )?;
            let list = members.join(", ");
            return Err(bad(
                "code",
                format!(
                    "chi bộ {code} còn {n} đảng viên ({list}); hãy chuyển họ sang chi bộ khác hoặc xóa họ trước"
                ),
                format!(
                    "cell {code} still has {n} party members ({list}): move them to another cell or remove them first"
                ),
            ));
        }
        let before = cell_json(&tx, id)?;
        tx.execute("DELETE FROM cell_groups WHERE cell = ?1", [id])?;
        tx.execute("DELETE FROM party_cells WHERE id = ?1", [id])?;
        commit_change(
            tx,
            w,
            OrgWhat::Cell,
            code,
            "removed",
            Some(&before),
            None,
            a,
        )
    }

    /// Adds a party member: its version.
    pub fn add_member(&mut self, m: &MemberEdit, a: &OrgAuthor) -> Result<i64> {
        let w = self.ward_key();
        let tx = self.write()?;
        if member_id(&tx, w, &m.code)?.is_some() {
            return Err(bad(
                "code",
                format!("mã đảng viên {:?} đã có", m.code),
                format!("member code {:?} already exists", m.code),
            ));
        }
        let (cell, household) = member_refs(&tx, w, m)?;
        tx.execute(
            "INSERT INTO party_members (ward, code, name, cell, role, household) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            (w, &m.code, &m.name, cell, &m.role, household),
        )?;
        let after = member_json(&tx, tx.last_insert_rowid())?;
        commit_change(
            tx,
            w,
            OrgWhat::Member,
            &m.code,
            "added",
            None,
            Some(&after),
            a,
        )
    }

    /// New values of the member `m.code` (its code stays), made from
    /// `expected`: its new version.
    pub fn edit_member(&mut self, m: &MemberEdit, expected: i64, a: &OrgAuthor) -> Result<i64> {
        let w = self.ward_key();
        let tx = self.write()?;
        let id = member_id(&tx, w, &m.code)?.ok_or_else(|| not_found(What::Member, &m.code))?;
        check_version(&tx, w, OrgWhat::Member, &m.code, expected)?;
        let (cell, household) = member_refs(&tx, w, m)?;
        let before = member_json(&tx, id)?;
        tx.execute(
            "UPDATE party_members SET name = ?2, cell = ?3, role = ?4, household = ?5 WHERE id = ?1",
            (id, &m.name, cell, &m.role, household),
        )?;
        let after = member_json(&tx, id)?;
        commit_change(
            tx,
            w,
            OrgWhat::Member,
            &m.code,
            "edited",
            Some(&before),
            Some(&after),
            a,
        )
    }

    /// Removes a member no household is assigned to on or after the day it
    /// takes effect. Their ended assignments leave the current tables with
    /// them (the history's `removed` row keeps them, under `assignments`).
    pub fn remove_member(&mut self, code: &str, expected: i64, a: &OrgAuthor) -> Result<i64> {
        let w = self.ward_key();
        let tx = self.write()?;
        let id = member_id(&tx, w, code)?.ok_or_else(|| not_found(What::Member, code))?;
        check_version(&tx, w, OrgWhat::Member, code, expected)?;
        let held: Vec<String> = tx
            .prepare(
                "SELECT p.fid FROM assignments a JOIN parcels p ON p.id = a.parcel
                 WHERE a.member = ?1 AND (a.to_date IS NULL OR a.to_date > ?2) ORDER BY p.fid",
            )?
            .query_map((id, a.effective.to_string()), |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if !held.is_empty() {
            let n = held.len();
            let list = held.iter().take(8).cloned().collect::<Vec<_>>().join(", ");
            let more = if n > 8 { ", …" } else { "" };
            return Err(bad(
                "code",
                format!(
                    "đảng viên {code} còn được phân công {n} hộ (thửa {list}{more}); hãy phân công lại các hộ đó cho đảng viên khác trước khi xóa"
                ),
                format!(
                    "party member {code} is still assigned {n} households (parcels {list}{more}): re-assign them to another member before removing"
                ),
            ));
        }
        let ended: Vec<Value> = tx
            .prepare(
                "SELECT p.fid, a.from_date, a.to_date FROM assignments a JOIN parcels p ON p.id = a.parcel
                 WHERE a.member = ?1 ORDER BY a.from_date, a.id",
            )?
            .query_map([id], |r| {
                Ok(json!({ "parcel": r.get::<_, String>(0)?, "from": r.get::<_, String>(1)?, "to": r.get::<_, Option<String>>(2)? }))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut before = member_json(&tx, id)?;
        if !ended.is_empty() {
            before["assignments"] = Value::Array(ended);
        }
        tx.execute("DELETE FROM assignments WHERE member = ?1", [id])?;
        tx.execute("DELETE FROM party_members WHERE id = ?1", [id])?;
        commit_change(
            tx,
            w,
            OrgWhat::Member,
            code,
            "removed",
            Some(&before),
            None,
            a,
        )
    }

    /// Adds an area lead: (its id, its version).
    pub fn add_lead(&mut self, l: &LeadEdit, a: &OrgAuthor) -> Result<(i64, i64)> {
        let w = self.ward_key();
        let tx = self.write()?;
        let (g, s) = lead_area(&tx, w, &l.area)?;
        tx.execute(
            "INSERT INTO area_leads (name, title, residential_group, segment) VALUES (?1, ?2, ?3, ?4)",
            (&l.name, &l.title, g, s),
        )?;
        let id = tx.last_insert_rowid();
        let after = lead_json(&tx, id)?;
        let v = commit_change(
            tx,
            w,
            OrgWhat::Lead,
            &id.to_string(),
            "added",
            None,
            Some(&after),
            a,
        )?;
        Ok((id, v))
    }

    /// New values of the area lead `id`, made from `expected`.
    pub fn edit_lead(
        &mut self,
        id: i64,
        l: &LeadEdit,
        expected: i64,
        a: &OrgAuthor,
    ) -> Result<i64> {
        let w = self.ward_key();
        let tx = self.write()?;
        let item = id.to_string();
        if !lead_in_ward(&tx, w, id)? {
            return Err(not_found(What::Lead, &item));
        }
        let before = lead_json(&tx, id)?;
        check_version(&tx, w, OrgWhat::Lead, &item, expected)?;
        let (g, s) = lead_area(&tx, w, &l.area)?;
        tx.execute(
            "UPDATE area_leads SET name = ?2, title = ?3, residential_group = ?4, segment = ?5 WHERE id = ?1",
            (id, &l.name, &l.title, g, s),
        )?;
        let after = lead_json(&tx, id)?;
        commit_change(
            tx,
            w,
            OrgWhat::Lead,
            &item,
            "edited",
            Some(&before),
            Some(&after),
            a,
        )
    }

    /// Removes the area lead `id`, made from `expected`.
    pub fn remove_lead(&mut self, id: i64, expected: i64, a: &OrgAuthor) -> Result<i64> {
        let w = self.ward_key();
        let tx = self.write()?;
        let item = id.to_string();
        if !lead_in_ward(&tx, w, id)? {
            return Err(not_found(What::Lead, &item));
        }
        let before = lead_json(&tx, id)?;
        check_version(&tx, w, OrgWhat::Lead, &item, expected)?;
        tx.execute("DELETE FROM area_leads WHERE id = ?1", [id])?;
        commit_change(
            tx,
            w,
            OrgWhat::Lead,
            &item,
            "removed",
            Some(&before),
            None,
            a,
        )
    }

    /// Re-assigns the households of `parcels` to `member` from
    /// `a.effective` on, all or none: each parcel's assignment then ends
    /// that day. `versions` (parcel → the version its screen showed), when
    /// given, must be current. The parcels' new versions, in order.
    pub fn reassign(
        &mut self,
        member: &str,
        parcels: &[FeatureId],
        versions: &std::collections::HashMap<String, i64>,
        a: &OrgAuthor,
    ) -> Result<Vec<i64>> {
        let w = self.ward_key();
        let tx = self.write()?;
        let m = member_id(&tx, w, member)?.ok_or_else(|| {
            bad(
                "member",
                format!("không có đảng viên {member:?}"),
                format!("no party member {member:?}"),
            )
        })?;
        let mut keys = Vec::with_capacity(parcels.len());
        let mut missing = Vec::new();
        for (i, p) in parcels.iter().enumerate() {
            if parcels[..i].contains(p) {
                return Err(bad(
                    "parcels",
                    format!("thửa {p} có hai lần"),
                    format!("parcel {p} is listed twice"),
                ));
            }
            match parcel_id(&tx, w, p)? {
                Some(k) => keys.push(k),
                None => missing.push(p.to_string()),
            }
        }
        if !missing.is_empty() {
            let list = missing.join(", ");
            return Err(bad(
                "parcels",
                format!("không có thửa đất {list}"),
                format!("no parcel {list}"),
            ));
        }
        let mut out = Vec::with_capacity(parcels.len());
        for (p, key) in parcels.iter().zip(keys) {
            if let Some(&v) = versions.get(p.as_str()) {
                check_version(&tx, w, OrgWhat::Assignment, p.as_str(), v)?;
            }
            let current: Option<String> = tx
                .query_row(
                    "SELECT m.code FROM assignments a JOIN party_members m ON m.id = a.member
                     WHERE a.parcel = ?1 AND a.to_date IS NULL",
                    [key],
                    |r| r.get(0),
                )
                .optional()?;
            if current.as_deref() == Some(member) {
                return Err(bad(
                    "parcels",
                    format!("thửa {p} đã được phân công cho {member}"),
                    format!("parcel {p} is already assigned to {member}"),
                ));
            }
            out.push(
                assign_in(&tx, w, key, p, (m, member), a.effective, a).map_err(|e| match e {
                    StoreError::Conflict(msg) => StoreError::BadInput(format!("from: {msg}")),
                    e => e,
                })?,
            );
        }
        bump_paperwork(&tx)?;
        tx.commit()?;
        Ok(out)
    }
}
