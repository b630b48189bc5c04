//! The `meta` table: small facts about the database file (the CRS the
//! donations were measured in, whether it holds demo data...).

use super::{Result, Store};
use rusqlite::OptionalExtension;

/// Key of the demo marker: present when the database holds the generated
/// demo ward (its value describes it: `seed=1 generator=1 created_on=2026-11-29`).
pub const DEMO_KEY: &str = "demo";

impl Store {
    /// The value stored under `key`, if any.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Stores `value` under `key`, replacing what was there.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            [key, value],
        )?;
        Ok(())
    }

    /// A token that changes whenever the data a page shows may have:
    /// `imports.events.paperwork`, from a counter each import (or change of
    /// the organisation) bumps, the log's last id, and a counter each record,
    /// contact, grievance, attachment or assignment bumps. Pages poll it to
    /// know when to reload, and reload shapes only when the first part moves.
    pub fn data_version(&self) -> Result<String> {
        let (events, imports, paperwork): (i64, i64, i64) = self.conn.query_row(
            "SELECT (SELECT coalesce(max(id), 0) FROM events),
                    coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'imports'), 0),
                    coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'paperwork'), 0)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok(format!("{imports}.{events}.{paperwork}"))
    }

    /// Whether the database holds demo data (see [`DEMO_KEY`]).
    pub fn is_demo(&self) -> Result<bool> {
        Ok(self.meta(DEMO_KEY)?.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_values_round_trip_and_mark_demo() {
        let s = Store::open_in_memory().unwrap();
        assert!(!s.is_demo().unwrap());
        assert_eq!(s.meta("x").unwrap(), None);
        s.set_meta("x", "1").unwrap();
        s.set_meta("x", "2").unwrap();
        assert_eq!(s.meta("x").unwrap().as_deref(), Some("2"));
        s.set_meta(DEMO_KEY, "seed=1").unwrap();
        assert!(s.is_demo().unwrap());
    }
}
