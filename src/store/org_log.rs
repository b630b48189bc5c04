//! The organisation's history (migration 10, `org_changes`): append-only,
//! one row per change of a cell, member, area lead or assignment, with the
//! values before and after (JSON text), the day it took effect, who entered
//! it and when. An item's version is the id of its last row (0: none);
//! [`check_version`] refuses an edit made from an older one, naming who
//! changed the item last. The edits themselves are in [`super::org_edit`].

use super::{Result, Store, StoreError, consent};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension};
use serde_json::Value;

/// The author of the rows `import --org` leaves in the history.
pub const ORG_IMPORT_AUTHOR: &str = "hiendat import";

/// What an organisation change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgWhat {
    Cell,
    Member,
    Lead,
    Assignment,
}

impl OrgWhat {
    pub const ALL: [OrgWhat; 4] = [
        OrgWhat::Cell,
        OrgWhat::Member,
        OrgWhat::Lead,
        OrgWhat::Assignment,
    ];

    /// As stored and asked for: `cell`, `member`, `lead`, `assignment`.
    pub fn code(self) -> &'static str {
        match self {
            OrgWhat::Cell => "cell",
            OrgWhat::Member => "member",
            OrgWhat::Lead => "lead",
            OrgWhat::Assignment => "assignment",
        }
    }

    pub fn parse(s: &str) -> Option<OrgWhat> {
        OrgWhat::ALL.into_iter().find(|w| w.code() == s)
    }

    fn vi(self) -> &'static str {
        match self {
            OrgWhat::Cell => "chi bộ",
            OrgWhat::Member => "đảng viên",
            OrgWhat::Lead => "ủy viên phụ trách",
            OrgWhat::Assignment => "phân công của thửa",
        }
    }

    fn en(self) -> &'static str {
        match self {
            OrgWhat::Cell => "cell",
            OrgWhat::Member => "party member",
            OrgWhat::Lead => "area lead",
            OrgWhat::Assignment => "assignment of parcel",
        }
    }
}

/// Who enters a change, when (RFC 3339, UTC), and the day it takes effect.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgAuthor {
    pub by: String,
    pub at: String,
    pub effective: NaiveDate,
}

impl OrgAuthor {
    /// `by`, now, effective `effective`.
    pub fn now(by: &str, effective: NaiveDate) -> OrgAuthor {
        OrgAuthor {
            by: by.to_string(),
            at: consent::now(),
            effective,
        }
    }
}

/// Every item's last change: (what, item) → (version, entered_by, entered_at).
pub type OrgVersions = std::collections::HashMap<(String, String), (i64, String, String)>;

/// One row of the organisation's history.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgChangeRow {
    /// Also the item's version after this change.
    pub id: i64,
    pub what: String,
    pub item: String,
    /// `added`, `edited`, `removed`, `imported`.
    pub change: String,
    /// JSON text.
    pub before: Option<String>,
    pub after: Option<String>,
    pub effective: Option<String>,
    pub entered_at: String,
    pub entered_by: String,
}

/// Appends one row to the ward's history: its id (the item's new version).
#[allow(clippy::too_many_arguments)]
pub(super) fn log(
    conn: &Connection,
    ward: i64,
    what: OrgWhat,
    item: &str,
    change: &str,
    before: Option<&Value>,
    after: Option<&Value>,
    effective: Option<NaiveDate>,
    at: &str,
    by: &str,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO org_changes (what, item, change, before, after, effective, entered_at, entered_by, ward)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute((
        what.code(),
        item,
        change,
        before.map(Value::to_string),
        after.map(Value::to_string),
        effective.map(|d| d.to_string()),
        at,
        by,
        ward,
    ))?;
    Ok(conn.last_insert_rowid())
}

/// The item's last change in the ward: (version, by, at).
pub(super) fn last(
    conn: &Connection,
    ward: i64,
    what: OrgWhat,
    item: &str,
) -> Result<Option<(i64, String, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, entered_by, entered_at FROM org_changes
             WHERE ward = ?3 AND what = ?1 AND item = ?2 ORDER BY id DESC LIMIT 1",
        )?
        .query_row((what.code(), item, ward), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?)
}

/// "05/12/2026 05:10 UTC" from an RFC 3339 instant (as it is when unreadable).
fn when(at: &str) -> String {
    crate::campaign::clock::parse_instant(at).map_or_else(
        || at.to_string(),
        |t| t.format("%d/%m/%Y %H:%M UTC").to_string(),
    )
}

/// Refuses an edit made from another version than the item's last.
pub(super) fn check_version(
    conn: &Connection,
    ward: i64,
    what: OrgWhat,
    item: &str,
    expected: i64,
) -> Result<()> {
    let (version, by, at) = last(conn, ward, what, item)?.unwrap_or((0, "?".into(), "?".into()));
    if version == expected {
        return Ok(());
    }
    let at = when(&at);
    Err(StoreError::Conflict(format!(
        "{vi} {item} đã được {by} thay đổi lúc {at} (phiên bản {version}, bạn sửa từ phiên bản {expected}); hãy tải lại rồi sửa / {en} {item} was changed by {by} at {at} (version {version}; yours was made from {expected}): reload, then edit",
        vi = what.vi(),
        en = what.en(),
    )))
}

impl Store {
    /// The item's version: the id of its last change in the current ward
    /// (0: none).
    pub fn org_version(&self, what: OrgWhat, item: &str) -> Result<i64> {
        Ok(last(&self.conn, self.ward_key(), what, item)?.map_or(0, |l| l.0))
    }

    /// Every item's version and last change in the current ward: (what,
    /// item) → (version, by, at).
    pub fn org_versions(&self) -> Result<OrgVersions> {
        let mut st = self.conn.prepare_cached(
            "SELECT c.what, c.item, c.id, c.entered_by, c.entered_at FROM org_changes c
             JOIN (SELECT max(id) AS id FROM org_changes WHERE ward = ?1 GROUP BY what, item) l
               ON l.id = c.id",
        )?;
        let rows = st.query_map([self.ward_key()], |r| {
            Ok(((r.get(0)?, r.get(1)?), (r.get(2)?, r.get(3)?, r.get(4)?)))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The current ward's history, newest first: of one kind of item, of
    /// one item, or all; at most `limit` rows.
    pub fn org_history(
        &self,
        what: Option<OrgWhat>,
        item: Option<&str>,
        limit: usize,
    ) -> Result<Vec<OrgChangeRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, what, item, change, before, after, effective, entered_at, entered_by
             FROM org_changes
             WHERE ward = ?4 AND (?1 IS NULL OR what = ?1) AND (?2 IS NULL OR item = ?2)
             ORDER BY id DESC LIMIT ?3",
        )?;
        let rows = st.query_map(
            (
                what.map(OrgWhat::code),
                item,
                i64::try_from(limit).unwrap_or(i64::MAX),
                self.ward_key(),
            ),
            |r| {
                Ok(OrgChangeRow {
                    id: r.get(0)?,
                    what: r.get(1)?,
                    item: r.get(2)?,
                    change: r.get(3)?,
                    before: r.get(4)?,
                    after: r.get(5)?,
                    effective: r.get(6)?,
                    entered_at: r.get(7)?,
                    entered_by: r.get(8)?,
                })
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::CellEdit;

    fn cell(name: &str) -> CellEdit {
        CellEdit {
            code: "CB1".into(),
            name: name.into(),
            secretary: None,
            groups: vec![],
        }
    }

    #[test]
    fn an_edit_from_an_older_version_is_refused_naming_who_changed_it_and_the_log_is_append_only() {
        let mut s = Store::open_in_memory().unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let lan = OrgAuthor::now("lan", day);
        let v1 = s.add_cell(&cell("A"), &lan).unwrap();
        let v2 = s.edit_cell(&cell("B"), v1, &lan).unwrap();
        assert_eq!(s.org_version(OrgWhat::Cell, "CB1").unwrap(), v2);
        let e = s
            .edit_cell(&cell("C"), v1, &OrgAuthor::now("hung", day))
            .unwrap_err();
        let StoreError::Conflict(m) = e else {
            panic!("{e}")
        };
        assert!(
            m.starts_with("chi bộ CB1 đã được lan thay đổi")
                && m.contains(&format!("version {v2}")),
            "{m}"
        );
        assert_eq!(s.cells().unwrap()[0].name, "B", "nothing overwritten");
        let h = s.org_history(Some(OrgWhat::Cell), Some("CB1"), 10).unwrap();
        let kinds: Vec<&str> = h.iter().map(|r| r.change.as_str()).collect();
        assert_eq!(kinds, ["edited", "added"]);
        assert_eq!(h[0].effective.as_deref(), Some("2026-11-01"));
        for sql in [
            "UPDATE org_changes SET entered_by = 'x'",
            "DELETE FROM org_changes",
        ] {
            let err = s.conn.execute(sql, []).unwrap_err();
            assert!(err.to_string().contains("append-only"), "{err}");
        }
    }
}
