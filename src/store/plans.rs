//! Plans and their milestones ([`crate::campaign::plans`]): the current
//! state in `plans` and `plan_milestones`, and every version a plan went
//! through, append-only, in `plan_history`. A write names the version it
//! was made from; a newer one is [`StoreError::Conflict`], nothing written.
//! The domain checks a draft against the ward first; the store checks
//! again what it can alone (a target, the number of milestones and plans).

use super::{Result, Store, StoreError, What};
use crate::campaign::plans::{
    AreaKind, MAX_MILESTONES, MAX_PLANS, Milestone, Plan, PlanArea, PlanDraft, PlanStatus,
};
use rusqlite::Connection;

/// One version of a plan, as kept.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanVersion {
    pub version: i64,
    /// "created", "edited", "cancelled".
    pub what: String,
    pub entered_at: String,
    pub entered_by: String,
    pub plan: Plan,
}

const COLUMNS: &str = "id, area_kind, area_code, area_name, title, note, set_by, created_at, updated_at, updated_by, status, version";

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

/// The ward's plans, or its plan `id` (none when `id` is another ward's).
fn read_plans(conn: &Connection, ward: i64, id: Option<i64>) -> Result<Vec<Plan>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM plans WHERE ward = ?2 AND (?1 IS NULL OR id = ?1) ORDER BY id"
    );
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st
        .query_map((id, ward), |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, String>(9)?,
                r.get::<_, String>(10)?,
                r.get::<_, i64>(11)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut ms = conn.prepare_cached(
        "SELECT plan, due, households, area_m2 FROM plan_milestones
         WHERE plan IN (SELECT id FROM plans WHERE ward = ?2) AND (?1 IS NULL OR plan = ?1)
         ORDER BY plan, seq",
    )?;
    let mut milestones: std::collections::HashMap<i64, Vec<Milestone>> = Default::default();
    for m in ms.query_map((id, ward), |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<i64>>(2)?,
            r.get::<_, Option<f64>>(3)?,
        ))
    })? {
        let (plan, due, households, area_m2) = m?;
        milestones.entry(plan).or_default().push(Milestone {
            due: due.parse().map_err(|_| corrupt("plan milestone date"))?,
            households: households
                .map(u32::try_from)
                .transpose()
                .map_err(|_| corrupt("plan milestone households"))?,
            area_m2,
        });
    }
    rows.into_iter()
        .map(
            |(id, kind, code, name, title, note, set_by, created, updated, by, status, version)| {
                Ok(Plan {
                    id,
                    version,
                    draft: PlanDraft {
                        area: PlanArea {
                            kind: AreaKind::parse(&kind)
                                .ok_or_else(|| corrupt("plan area kind"))?,
                            code,
                        },
                        area_name: name,
                        title,
                        note,
                        milestones: milestones.remove(&id).unwrap_or_default(),
                    },
                    status: PlanStatus::parse(&status).ok_or_else(|| corrupt("plan status"))?,
                    set_by,
                    created_at: created,
                    updated_at: updated,
                    updated_by: by,
                })
            },
        )
        .collect()
}

fn not_found(id: i64) -> StoreError {
    StoreError::NotFound {
        what: What::Plan,
        id: id.to_string(),
    }
}

/// The checks the store makes alone (the domain's `check` makes them all,
/// with the ward): milestones, targets.
fn check(d: &PlanDraft) -> Result<()> {
    if d.milestones.is_empty() || d.milestones.len() > MAX_MILESTONES {
        return Err(StoreError::BadInput(format!(
            "milestones: cần từ 1 đến {MAX_MILESTONES} mốc / 1 to {MAX_MILESTONES} milestones are needed"
        )));
    }
    for (i, m) in d.milestones.iter().enumerate() {
        if m.households.is_none() && m.area_m2.is_none()
            || m.area_m2.is_some_and(|a| !(a.is_finite() && a >= 0.0))
        {
            return Err(StoreError::BadInput(format!(
                "milestones[{i}]: chỉ tiêu không hợp lệ / not a valid target"
            )));
        }
    }
    Ok(())
}

fn write_milestones(tx: &Connection, plan: i64, d: &PlanDraft) -> Result<()> {
    tx.prepare_cached("DELETE FROM plan_milestones WHERE plan = ?1")?
        .execute([plan])?;
    let mut st = tx.prepare_cached(
        "INSERT INTO plan_milestones (plan, seq, due, households, area_m2) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, m) in d.milestones.iter().enumerate() {
        st.execute((plan, i as i64, m.due.to_string(), m.households, m.area_m2))?;
    }
    Ok(())
}

fn keep_version(tx: &Connection, plan: &Plan, what: &str) -> Result<()> {
    let text = serde_json::to_string(plan).map_err(|e| StoreError::BadInput(e.to_string()))?;
    tx.prepare_cached(
        "INSERT INTO plan_history (plan, version, what, entered_at, entered_by, plan_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute((
        plan.id,
        plan.version,
        what,
        &plan.updated_at,
        &plan.updated_by,
        text,
    ))?;
    Ok(())
}

/// The ward's plan `id` at `expected` (its version now), or the conflict.
fn current(tx: &Connection, ward: i64, id: i64, expected: i64) -> Result<Plan> {
    let p = read_plans(tx, ward, Some(id))?
        .pop()
        .ok_or_else(|| not_found(id))?;
    if p.version != expected {
        return Err(StoreError::Conflict(format!(
            "kế hoạch {id} đã được sửa sau khi anh/chị mở (phiên bản {}, không phải {expected}), bởi {}: tải lại rồi sửa lại / plan {id} was changed since you opened it (version {}, not {expected}), by {}: reload and edit again",
            p.version, p.updated_by, p.version, p.updated_by
        )));
    }
    if p.status == PlanStatus::Cancelled {
        return Err(StoreError::Conflict(format!(
            "kế hoạch {id} đã bị hủy / plan {id} was cancelled"
        )));
    }
    Ok(p)
}

impl Store {
    /// Every plan of the current ward (cancelled ones too), by id, with
    /// its milestones.
    pub fn plans(&self) -> Result<Vec<Plan>> {
        read_plans(&self.conn, self.ward_key(), None)
    }

    /// One plan of the current ward (another ward's is not found).
    pub fn plan(&self, id: i64) -> Result<Plan> {
        read_plans(&self.conn, self.ward_key(), Some(id))?
            .pop()
            .ok_or_else(|| not_found(id))
    }

    /// Every version of a plan of the current ward, oldest first (none for
    /// another ward's).
    pub fn plan_history(&self, id: i64) -> Result<Vec<PlanVersion>> {
        let mut st = self.conn.prepare_cached(
            "SELECT version, what, entered_at, entered_by, plan_json FROM plan_history
             WHERE plan = ?1 AND plan IN (SELECT id FROM plans WHERE ward = ?2) ORDER BY version",
        )?;
        let rows = st
            .query_map((id, self.ward_key()), |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get::<_, String>(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<(i64, String, String, String, String)>>>()?;
        rows.into_iter()
            .map(|(version, what, entered_at, entered_by, json)| {
                Ok(PlanVersion {
                    version,
                    what,
                    entered_at,
                    entered_by,
                    plan: serde_json::from_str(&json).map_err(|_| corrupt("plan history"))?,
                })
            })
            .collect()
    }

    /// Adds a plan (version 1) to the current ward, set by `by` at `at`
    /// (RFC 3339). A ward keeps at most [`MAX_PLANS`] (each ward its own).
    pub fn add_plan(&mut self, d: &PlanDraft, by: &str, at: &str) -> Result<Plan> {
        check(d)?;
        let w = self.ward_key();
        let tx = self.write()?;
        let n: i64 = tx.query_row("SELECT count(*) FROM plans WHERE ward = ?1", [w], |r| {
            r.get(0)
        })?;
        if n as usize >= MAX_PLANS {
            return Err(StoreError::BadInput(format!(
                "plans: phường đã có {MAX_PLANS} kế hoạch, tối đa / the ward already has the most plans kept ({MAX_PLANS})"
            )));
        }
        tx.prepare_cached(
            "INSERT INTO plans (area_kind, area_code, area_name, title, note, set_by, created_at, updated_at, updated_by, ward)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?6, ?8)",
        )?
        .execute((
            d.area.kind.code(),
            &d.area.code,
            &d.area_name,
            &d.title,
            &d.note,
            by,
            at,
            w,
        ))?;
        let id = tx.last_insert_rowid();
        write_milestones(&tx, id, d)?;
        let plan = read_plans(&tx, w, Some(id))?
            .pop()
            .ok_or_else(|| not_found(id))?;
        keep_version(&tx, &plan, "created")?;
        tx.commit()?;
        Ok(plan)
    }

    /// Replaces plan `id`'s draft, made from version `expected`.
    pub fn edit_plan(
        &mut self,
        id: i64,
        expected: i64,
        d: &PlanDraft,
        by: &str,
        at: &str,
    ) -> Result<Plan> {
        check(d)?;
        let w = self.ward_key();
        let tx = self.write()?;
        current(&tx, w, id, expected)?;
        tx.prepare_cached(
            "UPDATE plans SET area_kind = ?2, area_code = ?3, area_name = ?4, title = ?5, note = ?6,
             updated_at = ?7, updated_by = ?8, version = version + 1 WHERE id = ?1",
        )?
        .execute((
            id,
            d.area.kind.code(),
            &d.area.code,
            &d.area_name,
            &d.title,
            &d.note,
            at,
            by,
        ))?;
        write_milestones(&tx, id, d)?;
        let plan = read_plans(&tx, w, Some(id))?
            .pop()
            .ok_or_else(|| not_found(id))?;
        keep_version(&tx, &plan, "edited")?;
        tx.commit()?;
        Ok(plan)
    }

    /// Cancels plan `id` (made from version `expected`); it stays, with its history.
    pub fn cancel_plan(&mut self, id: i64, expected: i64, by: &str, at: &str) -> Result<Plan> {
        let w = self.ward_key();
        let tx = self.write()?;
        current(&tx, w, id, expected)?;
        tx.prepare_cached(
            "UPDATE plans SET status = 'cancelled', updated_at = ?2, updated_by = ?3,
             version = version + 1 WHERE id = ?1",
        )?
        .execute((id, at, by))?;
        let plan = read_plans(&tx, w, Some(id))?
            .pop()
            .ok_or_else(|| not_found(id))?;
        keep_version(&tx, &plan, "cancelled")?;
        tx.commit()?;
        Ok(plan)
    }
}

/// Whether a plan row exists (tests).
#[cfg(test)]
fn exists(conn: &Connection, id: i64) -> Result<bool> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row("SELECT 1 FROM plans WHERE id = ?1", [id], |_| Ok(()))
        .optional()?
        .is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn draft(h: u32) -> PlanDraft {
        PlanDraft {
            area: PlanArea {
                kind: AreaKind::Group,
                code: "Tổ 1".into(),
            },
            area_name: "Tổ 1".into(),
            title: "Tổ 1".into(),
            note: None,
            milestones: vec![Milestone {
                due: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
                households: Some(h),
                area_m2: None,
            }],
        }
    }

    #[test]
    fn edits_keep_every_version_and_refuse_a_stale_one() {
        let mut s = Store::open_in_memory().unwrap();
        let p = s
            .add_plan(&draft(3), "lan", "2026-11-01T00:00:00Z")
            .unwrap();
        assert_eq!(p.version, 1);
        let p2 = s
            .edit_plan(p.id, 1, &draft(5), "quan", "2026-11-02T00:00:00Z")
            .unwrap();
        assert_eq!(
            (p2.version, p2.set_by.as_str(), p2.updated_by.as_str()),
            (2, "lan", "quan")
        );
        let stale = s.edit_plan(p.id, 1, &draft(7), "lan", "2026-11-03T00:00:00Z");
        assert!(matches!(stale, Err(StoreError::Conflict(m)) if m.contains("phiên bản 2")));
        assert_eq!(
            s.plan(p.id).unwrap().draft.milestones[0].households,
            Some(5)
        );
        let c = s
            .cancel_plan(p.id, 2, "quan", "2026-11-04T00:00:00Z")
            .unwrap();
        assert_eq!((c.status, c.version), (PlanStatus::Cancelled, 3));
        let h = s.plan_history(p.id).unwrap();
        let whats: Vec<&str> = h.iter().map(|v| v.what.as_str()).collect();
        assert_eq!(whats, ["created", "edited", "cancelled"]);
        assert_eq!(h[0].plan.draft.milestones[0].households, Some(3));
        // never deleted, history never rewritten
        assert!(s.conn.execute("DELETE FROM plans", []).is_err());
        assert!(
            s.conn
                .execute("UPDATE plan_history SET what = 'edited'", [])
                .is_err()
        );
        assert!(exists(&s.conn, p.id).unwrap());
        // a cancelled plan takes no edit
        assert!(matches!(
            s.edit_plan(p.id, 3, &draft(1), "lan", "x"),
            Err(StoreError::Conflict(_))
        ));
    }
}
