//! Consent and what surrounds it: signed donation records (a parcel reaches
//! `signed` only with one), persuasion contacts, grievances and their
//! answers, uploaded attachments, frozen reports, and the log of reads of
//! sensitive data.

use super::{Result, Store, StoreError, What};
use crate::campaign::FeatureId;
use chrono::{NaiveDate, SecondsFormat};
use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

/// Largest attachment accepted: a scanned multi-page record fits.
pub const ATTACHMENT_MAX_BYTES: usize = 10 << 20;

pub(super) fn now() -> String {
    crate::campaign::clock::now().to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn date(s: String) -> rusqlite::Result<NaiveDate> {
    s.parse().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// A document to keep as issued: its text (the layer above serialises
/// it) and what it is listed by.
#[derive(Debug, Clone, PartialEq)]
pub struct FrozenDocument {
    pub title: String,
    pub as_of: NaiveDate,
    pub from: Option<NaiveDate>,
    pub text: String,
}

/// A donation record as entered.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordInput {
    /// "12/BB-HĐ".
    pub number: String,
    pub signed_on: NaiveDate,
    pub signatories: Vec<String>,
    pub witness: String,
    /// An uploaded scan of it (an attachment id of the same parcel).
    pub attachment: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordRow {
    pub id: i64,
    pub number: String,
    pub signed_on: NaiveDate,
    pub signatories: Vec<String>,
    pub witness: String,
    pub attachment: Option<i64>,
    pub entered_by: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContactRow {
    pub id: i64,
    pub contacted_on: NaiveDate,
    pub member: String,
    pub summary: String,
    pub entered_by: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GrievanceRow {
    pub id: i64,
    pub raised_on: NaiveDate,
    pub raised_by: String,
    pub content: String,
    pub answer: Option<String>,
    pub answered_on: Option<NaiveDate>,
    pub answered_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AttachmentRow {
    pub id: i64,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: usize,
    pub sha256: String,
    pub caption: Option<String>,
    pub uploaded_at: String,
    pub uploaded_by: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FrozenRow {
    pub id: i64,
    pub cut: String,
    pub title: String,
    pub as_of: NaiveDate,
    pub from: Option<NaiveDate>,
    pub issued_on: NaiveDate,
    pub issued_by: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AccessRow {
    pub at: String,
    pub user: String,
    pub role: String,
    pub what: String,
    pub detail: Option<String>,
    /// The date the read looked at (`None`: the current state).
    pub as_of: Option<NaiveDate>,
}

/// An attachment's listing from the columns id, file_name, media_type,
/// size_bytes, sha256, caption, uploaded_at, uploaded_by (in that order).
fn attachment_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AttachmentRow> {
    Ok(AttachmentRow {
        id: r.get(0)?,
        file_name: r.get(1)?,
        media_type: r.get(2)?,
        size_bytes: r.get::<_, i64>(3)? as usize,
        sha256: r.get(4)?,
        caption: r.get(5)?,
        uploaded_at: r.get(6)?,
        uploaded_by: r.get(7)?,
    })
}

/// The media type of `bytes` from their first bytes: only what a scanned
/// record or a photo is, whatever the file name says.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// Whether the parcel (row id) has a donation record signed by `on`.
pub(super) fn has_record(conn: &Connection, parcel: i64, on: NaiveDate) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM records WHERE parcel = ?1 AND signed_on <= ?2 LIMIT 1")?
        .query_row((parcel, on.to_string()), |_| Ok(()))
        .optional()?
        .is_some())
}

/// The date of the parcel's earliest record, if it has one.
pub(super) fn first_record_date(conn: &Connection, parcel: i64) -> Result<Option<NaiveDate>> {
    let d: Option<String> = conn.query_row(
        "SELECT min(signed_on) FROM records WHERE parcel = ?1",
        [parcel],
        |r| r.get(0),
    )?;
    d.map(|d| {
        d.parse()
            .map_err(|_| StoreError::Corrupt(format!("record date {d:?}")))
    })
    .transpose()
}

/// A record number's running number and the rest: "12/2026" is 12 and
/// "/2026", "12/BB-HĐ" is 12 and "/BB-HĐ" (the demo numbers them so).
fn split_number(number: &str) -> Option<(u64, &str)> {
    let digits = number.len()
        - number
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .len();
    let n = number[..digits].parse().ok()?;
    Some((n, &number[digits..]))
}

/// The first number after `number`, with the same form, that no record
/// uses yet ("12/2026" taken: "13/2026", or later if that is taken too);
/// none when `number` does not start with a running number.
fn next_free_number(conn: &Connection, number: &str) -> Result<Option<String>> {
    let Some((n, rest)) = split_number(number) else {
        return Ok(None);
    };
    let mut used = conn.prepare_cached(
        "SELECT 1 FROM records WHERE ward = (SELECT id FROM temp.ward_in_use) AND number = ?1",
    )?;
    let mut k = n;
    loop {
        let Some(next) = k.checked_add(1) else {
            return Ok(None);
        };
        k = next;
        let candidate = format!("{k}{rest}");
        if !used.exists([&candidate])? {
            return Ok(Some(candidate));
        }
    }
}

/// Checks and writes a record for the parcel with row id `parcel`.
pub(super) fn insert_record(
    conn: &Connection,
    parcel: i64,
    r: &RecordInput,
    by: &str,
) -> Result<i64> {
    let mut problems = Vec::new();
    if r.number.trim().is_empty() {
        problems.push("số biên bản (number) bị để trống / the record number (number) is empty");
    }
    let signatories: Vec<&str> = r
        .signatories
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if signatories.is_empty() {
        problems.push("chưa có người ký (signatories) / no signatories (signatories)");
    }
    if r.witness.trim().is_empty() {
        problems.push("chưa có người làm chứng (witness) / no witness (witness)");
    }
    if !problems.is_empty() {
        return Err(StoreError::BadInput(problems.join("; ")));
    }
    if let Some(a) = r.attachment {
        let of: Option<i64> = conn
            .query_row("SELECT parcel FROM attachments WHERE id = ?1", [a], |r| {
                r.get(0)
            })
            .optional()?;
        if of != Some(parcel) {
            let n = super::events::parcel_name(conn, parcel)?;
            return Err(StoreError::BadInput(format!(
                "tệp đính kèm {a} không thuộc {v} (attachment) / attachment {a} is not one of {e} (attachment)",
                v = n.vi,
                e = n.en
            )));
        }
    }
    let taken: Option<i64> = conn
        .prepare_cached(
            "SELECT parcel FROM records
             WHERE ward = (SELECT ward FROM parcels WHERE id = ?2) AND number = ?1",
        )?
        .query_row((r.number.trim(), parcel), |r| r.get(0))
        .optional()?;
    if let Some(holder) = taken {
        let n = r.number.trim();
        let of = super::events::parcel_name(conn, holder)?;
        let (next_vi, next_en) = match next_free_number(conn, n)? {
            Some(next) => (
                format!("; số còn trống tiếp theo: {next}"),
                format!("; next free number: {next}"),
            ),
            None => (String::new(), String::new()),
        };
        return Err(StoreError::Conflict(format!(
            "số biên bản {n} đã dùng cho {v}{next_vi} (number) / record number {n} is already used for {e}{next_en} (number)",
            v = of.vi,
            e = of.en
        )));
    }
    conn.prepare_cached(
        "INSERT INTO records (parcel, number, signed_on, signatories, witness, attachment, entered_at, entered_by, ward)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, (SELECT ward FROM parcels WHERE id = ?1))",
    )?
    .execute((
        parcel,
        r.number.trim(),
        r.signed_on.to_string(),
        signatories.join("\n"),
        r.witness.trim(),
        r.attachment,
        now(),
        by,
    ))?;
    Ok(conn.last_insert_rowid())
}

/// Logs visits (see [`Store::add_contacts`]) inside the caller's transaction.
fn insert_contacts(
    tx: &Connection,
    contacts: &[(FeatureId, NaiveDate, String, String)],
    by: &str,
) -> Result<()> {
    let mut key = tx.prepare(
        "SELECT id FROM parcels WHERE ward = (SELECT id FROM temp.ward_in_use) AND fid = ?1",
    )?;
    let mut st = tx.prepare(
        "INSERT INTO contacts (parcel, contacted_on, member, summary, entered_at, entered_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let at = now();
    for (p, on, member, summary) in contacts {
        let k: i64 = key
            .query_row([p.as_str()], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: What::Parcel,
                id: p.to_string(),
            })?;
        if member.trim().is_empty() || summary.trim().is_empty() {
            return Err(StoreError::BadInput(
                    "cần ghi người đến vận động (member) và nội dung (summary) / who visited (member) and what was said (summary) are required".into(),
                ));
        }
        st.execute((k, on.to_string(), member.trim(), summary.trim(), &at, by))?;
    }
    Ok(())
}

impl Store {
    /// Files a donation record for a parcel.
    pub fn add_record(&mut self, parcel: &FeatureId, r: &RecordInput, by: &str) -> Result<i64> {
        let key = self.parcel_key(parcel)?;
        let tx = self.write()?;
        let id = insert_record(&tx, key, r, by)?;
        super::org::bump_paperwork(&tx)?;
        tx.commit()?;
        Ok(id)
    }

    /// Many records at once (the demo), without the per-record checks'
    /// version bumps.
    pub fn add_records(&mut self, records: &[(FeatureId, RecordInput)], by: &str) -> Result<()> {
        let tx = self.write()?;
        for (p, r) in records {
            let key: i64 = tx
                .prepare_cached(
                    "SELECT id FROM parcels
                     WHERE ward = (SELECT id FROM temp.ward_in_use) AND fid = ?1",
                )?
                .query_row([p.as_str()], |r| r.get(0))
                .optional()?
                .ok_or_else(|| StoreError::NotFound {
                    what: What::Parcel,
                    id: p.to_string(),
                })?;
            insert_record(&tx, key, r, by)?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn records_of(&self, parcel: i64) -> Result<Vec<RecordRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, number, signed_on, signatories, witness, attachment, entered_by
             FROM records WHERE parcel = ?1 ORDER BY signed_on, id",
        )?;
        let rows = st.query_map([parcel], |r| {
            Ok(RecordRow {
                id: r.get(0)?,
                number: r.get(1)?,
                signed_on: date(r.get(2)?)?,
                signatories: r
                    .get::<_, String>(3)?
                    .split('\n')
                    .map(str::to_string)
                    .collect(),
                witness: r.get(4)?,
                attachment: r.get(5)?,
                entered_by: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Logs a persuasion visit; returns its id.
    pub fn add_contact(
        &mut self,
        parcel: &FeatureId,
        on: NaiveDate,
        member: &str,
        summary: &str,
        by: &str,
    ) -> Result<i64> {
        let one = [(parcel.clone(), on, member.to_string(), summary.to_string())];
        let tx = self.write()?;
        insert_contacts(&tx, &one, by)?;
        let id = tx.last_insert_rowid();
        super::org::bump_paperwork(&tx)?;
        tx.commit()?;
        Ok(id)
    }

    /// Logs visits in one transaction, all or none (the demo's history
    /// comes this way): each must name a known parcel, who visited and
    /// what was said.
    pub fn add_contacts(
        &mut self,
        contacts: &[(FeatureId, NaiveDate, String, String)],
        by: &str,
    ) -> Result<()> {
        let tx = self.write()?;
        insert_contacts(&tx, contacts, by)?;
        tx.commit()?;
        Ok(())
    }

    /// Contacts of one parcel (row id), or of all the ward's (`None`), by date.
    pub fn contacts(&self, parcel: Option<i64>) -> Result<Vec<(i64, ContactRow)>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT parcel, id, contacted_on, member, summary, entered_by FROM contacts
             WHERE (?1 IS NULL AND {}) OR parcel = ?1 ORDER BY contacted_on, id",
            self.ward_parcels("parcel")
        ))?;
        let rows = st.query_map([parcel], |r| {
            Ok((
                r.get(0)?,
                ContactRow {
                    id: r.get(1)?,
                    contacted_on: date(r.get(2)?)?,
                    member: r.get(3)?,
                    summary: r.get(4)?,
                    entered_by: r.get(5)?,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn add_grievance(
        &mut self,
        parcel: &FeatureId,
        on: NaiveDate,
        raised_by: &str,
        content: &str,
        by: &str,
    ) -> Result<i64> {
        let key = self.parcel_key(parcel)?;
        if raised_by.trim().is_empty() || content.trim().is_empty() {
            return Err(StoreError::BadInput(
                "cần ghi người kiến nghị (raised_by) và nội dung (content) / who raised it (raised_by) and its content (content) are required".into(),
            ));
        }
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO grievances (parcel, raised_on, raised_by, content, entered_at, entered_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            (
                key,
                on.to_string(),
                raised_by.trim(),
                content.trim(),
                now(),
                by,
            ),
        )?;
        let id = tx.last_insert_rowid();
        super::org::bump_paperwork(&tx)?;
        tx.commit()?;
        Ok(id)
    }

    /// Answers a grievance, once: an answer is part of the record.
    pub fn answer_grievance(
        &mut self,
        id: i64,
        on: NaiveDate,
        answer: &str,
        by: &str,
    ) -> Result<()> {
        let ward = self.ward.0;
        let tx = self.write()?;
        let raised: Option<(String, Option<String>)> = tx
            .query_row(
                "SELECT raised_on, answer FROM grievances
                 WHERE id = ?1 AND parcel IN (SELECT id FROM parcels WHERE ward = ?2)",
                (id, ward),
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((raised_on, old)) = raised else {
            return Err(StoreError::NotFound {
                what: What::Grievance,
                id: id.to_string(),
            });
        };
        if old.is_some() {
            return Err(StoreError::Conflict(format!(
                "kiến nghị {id} đã được trả lời / grievance {id} has already been answered"
            )));
        }
        if answer.trim().is_empty() {
            return Err(StoreError::BadInput(
                "nội dung trả lời (answer) bị để trống / the answer (answer) is empty".into(),
            ));
        }
        if on.to_string() < raised_on {
            return Err(StoreError::BadInput(format!(
                "ngày trả lời {on} trước ngày kiến nghị {raised_on} (answered_on) / answered {on}, before it was raised on {raised_on} (answered_on)"
            )));
        }
        tx.execute(
            "UPDATE grievances SET answer = ?2, answered_on = ?3, answered_by = ?4 WHERE id = ?1",
            (id, answer.trim(), on.to_string(), by),
        )?;
        super::org::bump_paperwork(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// Grievances of one parcel (row id), or of all the ward's (`None`).
    pub fn grievances(&self, parcel: Option<i64>) -> Result<Vec<(i64, GrievanceRow)>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT parcel, id, raised_on, raised_by, content, answer, answered_on, answered_by
             FROM grievances WHERE (?1 IS NULL AND {}) OR parcel = ?1 ORDER BY raised_on, id",
            self.ward_parcels("parcel")
        ))?;
        let rows = st.query_map([parcel], |r| {
            Ok((
                r.get(0)?,
                GrievanceRow {
                    id: r.get(1)?,
                    raised_on: date(r.get(2)?)?,
                    raised_by: r.get(3)?,
                    content: r.get(4)?,
                    answer: r.get(5)?,
                    answered_on: r.get::<_, Option<String>>(6)?.map(date).transpose()?,
                    answered_by: r.get(7)?,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Stores an upload after checking its size and that its bytes are a
    /// PDF, JPEG, PNG or WebP; returns it as listed.
    pub fn add_attachment(
        &mut self,
        parcel: &FeatureId,
        file_name: &str,
        bytes: &[u8],
        caption: Option<&str>,
        by: &str,
    ) -> Result<AttachmentRow> {
        let key = self.parcel_key(parcel)?;
        if bytes.is_empty() {
            return Err(StoreError::BadInput(format!(
                "tệp {file_name:?} rỗng / file {file_name:?} is empty"
            )));
        }
        if bytes.len() > ATTACHMENT_MAX_BYTES {
            return Err(StoreError::BadInput(format!(
                "tệp {file_name:?} nặng {} MB, quá giới hạn {} MB / file {file_name:?} is {} MB, over the {} MB limit",
                bytes.len() >> 20,
                ATTACHMENT_MAX_BYTES >> 20,
                bytes.len() >> 20,
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
        let name = if name.is_empty() {
            "tep-dinh-kem"
        } else {
            name
        };
        let sha = Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>();
        let at = now();
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO attachments (parcel, file_name, media_type, size_bytes, sha256, caption, content, uploaded_at, uploaded_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            (key, name, media_type, bytes.len() as i64, &sha, caption.map(str::trim).filter(|c| !c.is_empty()), bytes, &at, by),
        )?;
        let id = tx.last_insert_rowid();
        super::org::bump_paperwork(&tx)?;
        tx.commit()?;
        Ok(AttachmentRow {
            id,
            file_name: name.to_string(),
            media_type: media_type.to_string(),
            size_bytes: bytes.len(),
            sha256: sha,
            caption: caption.map(str::to_string),
            uploaded_at: at,
            uploaded_by: by.to_string(),
        })
    }

    pub fn attachments_of(&self, parcel: i64) -> Result<Vec<AttachmentRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, file_name, media_type, size_bytes, sha256, caption, uploaded_at, uploaded_by
             FROM attachments WHERE parcel = ?1 ORDER BY id",
        )?;
        let rows = st.query_map([parcel], attachment_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// An attachment's listing and bytes.
    pub fn attachment(&self, id: i64) -> Result<(AttachmentRow, Vec<u8>)> {
        self.conn
            .query_row(
                "SELECT id, file_name, media_type, size_bytes, sha256, caption, uploaded_at, uploaded_by, content
                 FROM attachments
                 WHERE id = ?1 AND parcel IN (SELECT id FROM parcels WHERE ward = ?2)",
                (id, self.ward.0),
                |r| Ok((attachment_row(r)?, r.get(8)?)),
            )
            .optional()?
            .ok_or(StoreError::NotFound { what: What::Attachment, id: id.to_string() })
    }

    /// Keeps a document as issued; returns its id. The store keeps its
    /// text as given and never reads inside it.
    pub fn freeze_document(
        &mut self,
        cut: &str,
        doc: &FrozenDocument,
        issued_on: NaiveDate,
        by: &str,
    ) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO frozen_reports (cut, title, as_of, from_date, issued_on, issued_at, issued_by, document, ward)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            (
                cut,
                &doc.title,
                doc.as_of.to_string(),
                doc.from.map(|d| d.to_string()),
                issued_on.to_string(),
                now(),
                by,
                &doc.text,
                self.ward.0,
            ),
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn frozen_reports(&self) -> Result<Vec<FrozenRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, cut, title, as_of, from_date, issued_on, issued_by FROM frozen_reports
             WHERE ward = ?1 ORDER BY issued_on DESC, id DESC",
        )?;
        let rows = st.query_map([self.ward.0], |r| {
            Ok(FrozenRow {
                id: r.get(0)?,
                cut: r.get(1)?,
                title: r.get(2)?,
                as_of: date(r.get(3)?)?,
                from: r.get::<_, Option<String>>(4)?.map(date).transpose()?,
                issued_on: date(r.get(5)?)?,
                issued_by: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A frozen document's text, exactly as issued.
    pub fn frozen_document(&self, id: i64) -> Result<String> {
        self.conn
            .query_row(
                "SELECT document FROM frozen_reports WHERE id = ?1 AND ward = ?2",
                (id, self.ward.0),
                |r| r.get(0),
            )
            .optional()?
            .ok_or(StoreError::NotFound {
                what: What::Report,
                id: id.to_string(),
            })
    }

    /// Records that `user` read sensitive data, as it stood at the end of
    /// `as_of` (`None`: now). The log is append-only: its rows are never
    /// updated or deleted (the schema's triggers refuse both).
    pub fn log_access(
        &self,
        user: &str,
        role: &str,
        what: &str,
        detail: Option<&str>,
        as_of: Option<NaiveDate>,
    ) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO access_log (at, user, role, what, detail, as_of, ward)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute((
                now(),
                user,
                role,
                what,
                detail,
                as_of.map(|d| d.to_string()),
                self.ward.0,
            ))?;
        Ok(())
    }

    /// The newest `limit` reads of the current ward's sensitive data,
    /// newest first.
    pub fn access_log(&self, limit: usize) -> Result<Vec<AccessRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT at, user, role, what, detail, as_of FROM access_log
             WHERE ward = ?2 ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = st.query_map((limit as i64, self.ward.0), |r| {
            Ok(AccessRow {
                at: r.get(0)?,
                user: r.get(1)?,
                role: r.get(2)?,
                what: r.get(3)?,
                detail: r.get(4)?,
                as_of: r.get::<_, Option<String>>(5)?.map(date).transpose()?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
