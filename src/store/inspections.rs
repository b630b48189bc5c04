//! Inspections and supervision (kiểm tra, giám sát), their required
//! actions, attachments and append-only history (migration 0012). Every
//! write is one `BEGIN IMMEDIATE` transaction ([`Store::write`]) that also
//! appends to `inspection_history`; an edit names the version it was made
//! from, and a newer one is a [`StoreError::Conflict`], never overwritten.

use super::consent::{ATTACHMENT_MAX_BYTES, now, sniff};
use super::{Result, Store, StoreError, What};
use crate::campaign::inspection::{
    AttachmentInfo, Inspection, InspectionKind, InspectionValues, MAX_ACTIONS, MAX_ATTACHMENTS,
    RequiredAction, SubjectKind, check_deadline,
};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction};
use serde_json::json;
use sha2::{Digest, Sha256};

fn corrupt(what: &str, v: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {v:?}"))
}

fn date(s: &str) -> Result<NaiveDate> {
    s.parse().map_err(|_| corrupt("date", s))
}

/// The values as the history keeps them.
fn snapshot(v: &InspectionValues) -> String {
    json!({
        "subject_kind": v.subject_kind.code(), "subject_code": v.subject_code,
        "kind": v.kind.code(), "held_on": v.held_on.to_string(), "scope": v.scope,
        "findings": v.findings, "conclusion": v.conclusion,
    })
    .to_string()
}

#[allow(clippy::too_many_arguments)]
fn history(
    tx: &Transaction<'_>,
    inspection: i64,
    action: Option<i64>,
    what: &str,
    version: i64,
    snapshot: &str,
    at: &str,
    by: &str,
) -> Result<()> {
    tx.execute(
        "INSERT INTO inspection_history (inspection, action, what, version, snapshot, at, by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        (inspection, action, what, version, snapshot, at, by),
    )?;
    Ok(())
}

/// The name of the ward's subject, or a refusal naming `subject_code`.
fn subject_name(conn: &Connection, ward: i64, kind: SubjectKind, code: &str) -> Result<String> {
    let sql = match kind {
        SubjectKind::Cell => "SELECT name FROM party_cells WHERE ward = ?2 AND code = ?1",
        SubjectKind::Member => "SELECT name FROM party_members WHERE ward = ?2 AND code = ?1",
    };
    conn.query_row(sql, (code, ward), |r| r.get(0))
        .optional()?
        .ok_or_else(|| {
            let (vi, en) = match kind {
                SubjectKind::Cell => ("chi bộ", "party cell"),
                SubjectKind::Member => ("đảng viên", "party member"),
            };
            StoreError::BadInput(format!(
                "subject_code: không có {vi} mã {code:?} / no {en} with code {code:?}"
            ))
        })
}

/// (held_on, version) of the ward's inspection, or not found (another
/// ward's too).
fn head(conn: &Connection, ward: i64, id: i64) -> Result<(NaiveDate, i64)> {
    let row: Option<(String, i64)> = conn
        .query_row(
            "SELECT held_on, version FROM inspections WHERE id = ?1 AND ward = ?2",
            (id, ward),
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (d, v) = row.ok_or_else(|| StoreError::NotFound {
        what: What::Inspection,
        id: id.to_string(),
    })?;
    Ok((date(&d)?, v))
}

fn stale(what_vi: &str, what_en: &str, now: i64, asked: i64) -> StoreError {
    StoreError::Conflict(format!(
        "{what_vi} đã được sửa sau khi anh/chị mở (phiên bản {now}, không phải {asked}): tải lại rồi sửa lại / {what_en} was changed since you opened it (version {now}, not {asked}): reload and edit again"
    ))
}

impl Store {
    /// Records an inspection with its first required actions (text,
    /// deadline); the subject must exist, each deadline be on or after the
    /// inspection's date.
    pub fn add_inspection(
        &mut self,
        v: &InspectionValues,
        actions: &[(String, NaiveDate)],
        by: &str,
    ) -> Result<Inspection> {
        if actions.len() > MAX_ACTIONS {
            return Err(StoreError::BadInput(format!(
                "actions: {} yêu cầu, tối đa {MAX_ACTIONS} / {} actions, at most {MAX_ACTIONS}",
                actions.len(),
                actions.len()
            )));
        }
        for (_, d) in actions {
            check_deadline(*d, v.held_on).map_err(StoreError::BadInput)?;
        }
        let w = self.ward_key();
        let tx = self.write()?;
        let name = subject_name(&tx, w, v.subject_kind, &v.subject_code)?;
        let at = now();
        tx.execute(
            "INSERT INTO inspections (subject_kind, subject_code, subject_name, kind, held_on, scope, findings, conclusion, entered_at, entered_by, ward)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            (
                v.subject_kind.code(), &v.subject_code, &name, v.kind.code(), v.held_on.to_string(),
                &v.scope, &v.findings, &v.conclusion, &at, by, w,
            ),
        )?;
        let id = tx.last_insert_rowid();
        history(&tx, id, None, "created", 1, &snapshot(v), &at, by)?;
        for (text, deadline) in actions {
            insert_action(&tx, id, text, *deadline, &at, by)?;
        }
        tx.commit()?;
        self.inspection(id)
    }

    /// Replaces an inspection's values, from `expected` (its version when
    /// read); a newer version is a conflict. Deadlines of its actions must
    /// stay on or after the (new) date.
    pub fn edit_inspection(
        &mut self,
        id: i64,
        expected: i64,
        v: &InspectionValues,
        by: &str,
    ) -> Result<Inspection> {
        let w = self.ward_key();
        let tx = self.write()?;
        let (_, version) = head(&tx, w, id)?;
        if version != expected {
            return Err(stale(
                &format!("cuộc kiểm tra {id}"),
                &format!("inspection {id}"),
                version,
                expected,
            ));
        }
        let name = subject_name(&tx, w, v.subject_kind, &v.subject_code)?;
        let earliest: Option<String> = tx.query_row(
            "SELECT min(deadline) FROM inspection_actions WHERE inspection = ?1",
            [id],
            |r| r.get(0),
        )?;
        if let Some(d) = earliest {
            check_deadline(date(&d)?, v.held_on).map_err(|e| {
                StoreError::BadInput(format!(
                    "held_on: một yêu cầu có hạn trước ngày mới / an action's deadline is before the new date ({e})"
                ))
            })?;
        }
        let at = now();
        let next = version + 1;
        tx.execute(
            "UPDATE inspections SET subject_kind = ?2, subject_code = ?3, subject_name = ?4, kind = ?5,
                 held_on = ?6, scope = ?7, findings = ?8, conclusion = ?9, version = ?10
             WHERE id = ?1",
            (
                id, v.subject_kind.code(), &v.subject_code, &name, v.kind.code(),
                v.held_on.to_string(), &v.scope, &v.findings, &v.conclusion, next,
            ),
        )?;
        history(&tx, id, None, "edited", next, &snapshot(v), &at, by)?;
        tx.commit()?;
        self.inspection(id)
    }

    /// Adds a required action to inspection `id`.
    pub fn add_inspection_action(
        &mut self,
        id: i64,
        text: &str,
        deadline: NaiveDate,
        by: &str,
    ) -> Result<RequiredAction> {
        let w = self.ward_key();
        let tx = self.write()?;
        let (held_on, _) = head(&tx, w, id)?;
        check_deadline(deadline, held_on).map_err(StoreError::BadInput)?;
        let n: i64 = tx.query_row(
            "SELECT count(*) FROM inspection_actions WHERE inspection = ?1",
            [id],
            |r| r.get(0),
        )?;
        if n >= MAX_ACTIONS as i64 {
            return Err(StoreError::BadInput(format!(
                "text: cuộc kiểm tra {id} đã có {n} yêu cầu, tối đa {MAX_ACTIONS} / inspection {id} already has {n} actions, at most {MAX_ACTIONS}"
            )));
        }
        let at = now();
        let aid = insert_action(&tx, id, text, deadline, &at, by)?;
        tx.commit()?;
        action(&self.conn, id, aid)
    }

    /// Follows up action `aid` of inspection `id` from version `expected`:
    /// the follow-up note and, once done, the day it was done.
    pub fn follow_up_action(
        &mut self,
        id: i64,
        aid: i64,
        expected: i64,
        follow_up: &str,
        done_on: Option<NaiveDate>,
        by: &str,
    ) -> Result<RequiredAction> {
        let w = self.ward_key();
        let tx = self.write()?;
        let (held_on, _) = head(&tx, w, id)?;
        let a = action(&tx, id, aid)?;
        if a.version != expected {
            return Err(stale(
                &format!("yêu cầu {aid}"),
                &format!("action {aid}"),
                a.version,
                expected,
            ));
        }
        if let Some(d) = done_on
            && d < held_on
        {
            return Err(StoreError::BadInput(format!(
                "done_on: {d} trước ngày kiểm tra {held_on} / {d} is before the inspection's date {held_on}"
            )));
        }
        let at = now();
        let next = a.version + 1;
        tx.execute(
            "UPDATE inspection_actions SET follow_up = ?2, done_on = ?3, version = ?4 WHERE id = ?1",
            (aid, follow_up, done_on.map(|d| d.to_string()), next),
        )?;
        let snap = json!({ "follow_up": follow_up, "done_on": done_on.map(|d| d.to_string()) })
            .to_string();
        history(
            &tx,
            id,
            Some(aid),
            "action_followed_up",
            next,
            &snap,
            &at,
            by,
        )?;
        tx.commit()?;
        action(&self.conn, id, aid)
    }

    /// Attaches a scan or photo to inspection `id`: PDF, JPEG, PNG or WebP
    /// by its bytes, at most [`ATTACHMENT_MAX_BYTES`], kept with its SHA-256.
    pub fn add_inspection_attachment(
        &mut self,
        id: i64,
        file_name: &str,
        bytes: &[u8],
        by: &str,
    ) -> Result<AttachmentInfo> {
        if bytes.is_empty() {
            return Err(StoreError::BadInput(format!(
                "tệp {file_name:?} rỗng / file {file_name:?} is empty"
            )));
        }
        if bytes.len() > ATTACHMENT_MAX_BYTES {
            return Err(StoreError::BadInput(format!(
                "tệp {file_name:?} quá giới hạn {} MB / file {file_name:?} is over the {} MB limit",
                ATTACHMENT_MAX_BYTES >> 20,
                ATTACHMENT_MAX_BYTES >> 20
            )));
        }
        let Some(media_type) = sniff(bytes) else {
            return Err(StoreError::BadInput(format!(
                "tệp {file_name:?} không phải PDF, JPEG, PNG hay WebP / file {file_name:?} is not a PDF, JPEG, PNG or WebP"
            )));
        };
        let name = file_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(file_name)
            .trim();
        let name: String = if name.is_empty() {
            "tep-dinh-kem".into()
        } else {
            name.chars().take(200).collect()
        };
        let sha: String = Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let w = self.ward_key();
        let tx = self.write()?;
        let (_, version) = head(&tx, w, id)?;
        let n: i64 = tx.query_row(
            "SELECT count(*) FROM inspection_attachments WHERE inspection = ?1",
            [id],
            |r| r.get(0),
        )?;
        if n >= MAX_ATTACHMENTS as i64 {
            return Err(StoreError::BadInput(format!(
                "file: cuộc kiểm tra {id} đã có {n} tệp, tối đa {MAX_ATTACHMENTS} / inspection {id} already has {n} files, at most {MAX_ATTACHMENTS}"
            )));
        }
        let at = now();
        tx.execute(
            "INSERT INTO inspection_attachments (inspection, file_name, media_type, size_bytes, sha256, content, uploaded_at, uploaded_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            (id, &name, media_type, bytes.len() as i64, &sha, bytes, &at, by),
        )?;
        let att = tx.last_insert_rowid();
        let snap = json!({ "attachment": att, "file_name": name, "sha256": sha }).to_string();
        history(&tx, id, None, "attached", version, &snap, &at, by)?;
        tx.commit()?;
        Ok(AttachmentInfo {
            id: att,
            file_name: name,
            media_type: media_type.to_string(),
            size_bytes: bytes.len(),
            sha256: sha,
            uploaded_at: at,
            uploaded_by: by.to_string(),
        })
    }

    /// An attachment of an inspection of the current ward, and its bytes.
    pub fn inspection_attachment(&self, id: i64, att: i64) -> Result<(AttachmentInfo, Vec<u8>)> {
        self.conn
            .query_row(
                "SELECT id, file_name, media_type, size_bytes, sha256, uploaded_at, uploaded_by, content
                 FROM inspection_attachments
                 WHERE id = ?1 AND inspection = ?2
                   AND inspection IN (SELECT id FROM inspections WHERE ward = ?3)",
                (att, id, self.ward_key()),
                |r| Ok((attachment_row(r)?, r.get(7)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: What::Attachment,
                id: att.to_string(),
            })
    }

    /// One inspection of the current ward with its actions and attachments.
    pub fn inspection(&self, id: i64) -> Result<Inspection> {
        self.inspections_where(Some(id), (None, None), usize::MAX)?
            .pop()
            .ok_or_else(|| StoreError::NotFound {
                what: What::Inspection,
                id: id.to_string(),
            })
    }

    /// The current ward's inspections held from `from` to `to` (each
    /// inclusive; none: no bound), newest first, at most `limit`, each with
    /// its actions and attachments.
    pub fn inspections(
        &self,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        limit: usize,
    ) -> Result<Vec<Inspection>> {
        self.inspections_where(None, (from, to), limit)
    }

    /// How many history rows an inspection has (tests, the upgrade check).
    pub fn inspection_history_len(&self, id: i64) -> Result<usize> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM inspection_history WHERE inspection = ?1",
            [id],
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }

    fn inspections_where(
        &self,
        id: Option<i64>,
        (from, to): (Option<NaiveDate>, Option<NaiveDate>),
        limit: usize,
    ) -> Result<Vec<Inspection>> {
        let (from, to) = (from.map(|d| d.to_string()), to.map(|d| d.to_string()));
        let mut st = self.conn.prepare_cached(
            "SELECT id, subject_kind, subject_code, subject_name, kind, held_on, scope, findings,
                    conclusion, entered_at, entered_by, version
             FROM inspections
             WHERE ward = ?5 AND (?1 IS NULL OR id = ?1)
               AND (?2 IS NULL OR held_on >= ?2) AND (?3 IS NULL OR held_on <= ?3)
             ORDER BY held_on DESC, id DESC LIMIT ?4",
        )?;
        let rows = st.query_map(
            (
                id,
                from,
                to,
                i64::try_from(limit).unwrap_or(i64::MAX),
                self.ward_key(),
            ),
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, String>(9)?,
                    r.get::<_, String>(10)?,
                    r.get::<_, i64>(11)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (id, sk, code, name, kind, held, scope, findings, conclusion, at, by, version) =
                row?;
            out.push(Inspection {
                id,
                values: InspectionValues {
                    subject_kind: SubjectKind::parse(&sk).ok_or_else(|| corrupt("subject", &sk))?,
                    subject_code: code,
                    kind: InspectionKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
                    held_on: date(&held)?,
                    scope,
                    findings,
                    conclusion,
                },
                subject_name: Some(name),
                entered_at: at,
                entered_by: by,
                version,
                actions: actions(&self.conn, id)?,
                attachments: attachments(&self.conn, id)?,
            });
        }
        Ok(out)
    }
}

fn insert_action(
    tx: &Transaction<'_>,
    inspection: i64,
    text: &str,
    deadline: NaiveDate,
    at: &str,
    by: &str,
) -> Result<i64> {
    tx.execute(
        "INSERT INTO inspection_actions (inspection, text, deadline, entered_at, entered_by)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        (inspection, text, deadline.to_string(), at, by),
    )?;
    let aid = tx.last_insert_rowid();
    let snap = json!({ "text": text, "deadline": deadline.to_string() }).to_string();
    history(tx, inspection, Some(aid), "action_added", 1, &snap, at, by)?;
    Ok(aid)
}

fn action_row(
    r: &rusqlite::Row<'_>,
) -> rusqlite::Result<(i64, String, String, Option<String>, String, i64)> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn to_action(
    (id, text, deadline, done_on, follow_up, version): (
        i64,
        String,
        String,
        Option<String>,
        String,
        i64,
    ),
) -> Result<RequiredAction> {
    Ok(RequiredAction {
        id,
        text,
        deadline: date(&deadline)?,
        done_on: done_on.as_deref().map(date).transpose()?,
        follow_up,
        version,
    })
}

fn actions(conn: &Connection, inspection: i64) -> Result<Vec<RequiredAction>> {
    let mut st = conn.prepare_cached(
        "SELECT id, text, deadline, done_on, follow_up, version FROM inspection_actions
         WHERE inspection = ?1 ORDER BY deadline, id",
    )?;
    let rows = st.query_map([inspection], action_row)?;
    rows.map(|r| to_action(r?)).collect()
}

fn action(conn: &Connection, inspection: i64, aid: i64) -> Result<RequiredAction> {
    let row = conn
        .query_row(
            "SELECT id, text, deadline, done_on, follow_up, version FROM inspection_actions
             WHERE id = ?1 AND inspection = ?2",
            (aid, inspection),
            action_row,
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: What::InspectionAction,
            id: format!("{aid} ({inspection})"),
        })?;
    to_action(row)
}

fn attachment_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AttachmentInfo> {
    Ok(AttachmentInfo {
        id: r.get(0)?,
        file_name: r.get(1)?,
        media_type: r.get(2)?,
        size_bytes: r.get::<_, i64>(3)? as usize,
        sha256: r.get(4)?,
        uploaded_at: r.get(5)?,
        uploaded_by: r.get(6)?,
    })
}

fn attachments(conn: &Connection, inspection: i64) -> Result<Vec<AttachmentInfo>> {
    let mut st = conn.prepare_cached(
        "SELECT id, file_name, media_type, size_bytes, sha256, uploaded_at, uploaded_by
         FROM inspection_attachments WHERE inspection = ?1 ORDER BY id",
    )?;
    let rows = st.query_map([inspection], attachment_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
