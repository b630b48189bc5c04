//! Parcel versions (migration 0014): read them, and make a write
//! transaction refuse to run on a parcel that moved since its writer read
//! it ([`Store::expect_version`], checked in `Store::write`).

use super::{Result, Store, StoreError};
use rusqlite::{Connection, OptionalExtension};
use std::collections::HashMap;

/// A parcel's version, and who moved it last and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParcelVersion {
    pub version: i64,
    /// RFC 3339 (none: never changed since the upgrade that added versions).
    pub changed_at: Option<String>,
    /// A user's name (none: a write that names no author, an import).
    pub changed_by: Option<String>,
}

/// Keeps, per connection, the versions this connection's own writes
/// leave (a TEMP trigger sees only them): after a write, the version it
/// made is known even when another writer has moved the parcel since.
pub(super) fn watch(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS written_versions (
             parcel INTEGER PRIMARY KEY, version INTEGER NOT NULL);
         CREATE TEMP TRIGGER IF NOT EXISTS written_versions_keep
         AFTER UPDATE OF version ON main.parcel_versions
         BEGIN
             INSERT OR REPLACE INTO written_versions (parcel, version) VALUES (NEW.parcel, NEW.version);
         END;",
    )?;
    Ok(())
}

/// Inside a write transaction: [`StoreError::Stale`] unless `parcel` is at
/// `version`.
pub(super) fn check(conn: &Connection, parcel: i64, version: i64) -> Result<()> {
    let now: Option<i64> = conn
        .query_row(
            "SELECT version FROM parcel_versions WHERE parcel = ?1",
            [parcel],
            |r| r.get(0),
        )
        .optional()?;
    if now != Some(version) {
        return Err(StoreError::Stale(parcel));
    }
    Ok(())
}

impl Store {
    /// The next write transaction on this connection runs only if the
    /// parcel (row id) is at this version when it holds the write lock;
    /// else it is [`StoreError::Stale`] and nothing is written. Checked
    /// once (the write's own triggers then move the version); `None`
    /// clears it. Also forgets the versions earlier writes left
    /// ([`Store::written_version`]).
    pub fn expect_version(&mut self, expect: Option<(i64, i64)>) -> Result<()> {
        self.expect = expect;
        self.conn.execute("DELETE FROM temp.written_versions", [])?;
        Ok(())
    }

    /// The version this connection's writes left the parcel at since the
    /// last [`Store::expect_version`] (none: they did not touch it).
    pub fn written_version(&self, parcel: i64) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT version FROM temp.written_versions WHERE parcel = ?1",
                [parcel],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// A parcel's (row id) version now.
    pub fn parcel_version(&self, parcel: i64) -> Result<ParcelVersion> {
        Ok(self
            .conn
            .query_row(
                "SELECT version, changed_at, changed_by FROM parcel_versions WHERE parcel = ?1",
                [parcel],
                |r| {
                    Ok(ParcelVersion {
                        version: r.get(0)?,
                        changed_at: r.get(1)?,
                        changed_by: r.get(2)?,
                    })
                },
            )
            .optional()?
            .unwrap_or(ParcelVersion {
                version: 1,
                changed_at: None,
                changed_by: None,
            }))
    }

    /// The versions of these parcels (row ids).
    pub fn parcel_versions_of(&self, parcels: &[i64]) -> Result<HashMap<i64, i64>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT version FROM parcel_versions WHERE parcel = ?1")?;
        let mut out = HashMap::with_capacity(parcels.len());
        for &p in parcels {
            let v: Option<i64> = st.query_row([p], |r| r.get(0)).optional()?;
            out.insert(p, v.unwrap_or(1));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::imported_small;
    use super::*;
    use crate::campaign::FeatureId;
    use chrono::NaiveDate;

    fn visit(s: &mut Store, id: &FeatureId) -> Result<i64> {
        let on: NaiveDate = "2026-11-01".parse().unwrap();
        s.add_contact(id, on, "Lan", "thăm hộ", "lan")
    }

    fn contacts(s: &Store) -> i64 {
        s.conn
            .query_row("SELECT count(*) FROM contacts", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn every_write_moves_the_version_and_a_stale_expectation_writes_nothing() {
        let mut s = imported_small();
        let id = FeatureId::Number("101".into());
        let key = s.parcel_row_id("101").unwrap();
        assert_eq!(s.parcel_version(key).unwrap().version, 1, "starts at 1");
        s.expect_version(Some((key, 1))).unwrap();
        visit(&mut s, &id).unwrap();
        let after = s.parcel_version(key).unwrap();
        assert_eq!(after.version, 2);
        assert_eq!(after.changed_by.as_deref(), Some("lan"));
        // this connection's write left version 2
        assert_eq!(s.written_version(key).unwrap(), Some(2));
        // checked once: the next write is free
        visit(&mut s, &id).unwrap();
        assert_eq!(s.parcel_version(key).unwrap().version, 3);

        // a writer that read version 2 is refused inside its transaction
        let before = contacts(&s);
        s.expect_version(Some((key, 2))).unwrap();
        assert!(matches!(visit(&mut s, &id), Err(StoreError::Stale(k)) if k == key));
        assert_eq!(contacts(&s), before, "nothing written");
        assert_eq!(s.parcel_version(key).unwrap().version, 3);
        // other parcels' versions did not move
        let other = s.parcel_row_id("102").unwrap();
        assert_eq!(s.parcel_version(other).unwrap().version, 1);
    }
}
