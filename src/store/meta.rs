//! The `meta` table: small facts about the database file (the province,
//! whether it holds demo data...). What a ward's own (its name, the CRS
//! its donations were measured in, its version counters) lives in
//! `wards` since migration 0016; the keys `ward` and `crs` still read and
//! set the current ward's name and CRS here ([`WARD_KEY`], [`CRS_KEY`]).

use super::{Result, Store};
use rusqlite::OptionalExtension;

/// Key of the demo marker: present when the database holds the generated
/// demo ward (its value describes it: `seed=1 generator=1 created_on=2026-11-29`).
pub const DEMO_KEY: &str = "demo";

/// The current ward's name (kept in `wards`): `meta` reads it (`None`
/// while the ward is unnamed), `set_meta` renames the ward.
pub const WARD_KEY: &str = "ward";

/// The PROJ string the current ward's donations are measured in (kept in
/// `wards`; read only here: an import sets it).
pub const CRS_KEY: &str = "crs";

impl Store {
    /// The value stored under `key`, if any.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        match key {
            WARD_KEY => {
                let name = self.ward_row()?.name;
                return Ok((name != super::UNNAMED_WARD).then_some(name));
            }
            CRS_KEY => return self.ward_crs(),
            _ => {}
        }
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Stores `value` under `key`, replacing what was there.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        if key == WARD_KEY {
            return self.rename_current(value);
        }
        if key == CRS_KEY {
            return Err(super::StoreError::BadInput(
                "crs: hệ tọa độ do lần nhập dữ liệu đặt / the CRS is set by an import".into(),
            ));
        }
        self.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            [key, value],
        )?;
        Ok(())
    }

    /// A token that changes whenever the data a page of the current ward
    /// shows may have: `imports.events.paperwork`, from a counter each
    /// import (or change of the organisation) bumps, the ward's last event
    /// id, and a counter each record, contact, grievance, attachment or
    /// assignment bumps (all kept in `wards`). Pages poll it to know when
    /// to reload, and reload shapes only when the first part moves.
    pub fn data_version(&self) -> Result<String> {
        let (imports, events, paperwork): (i64, i64, i64) = self
            .conn
            .prepare_cached("SELECT imports, last_event, paperwork FROM wards WHERE id = ?1")?
            .query_row([self.ward.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
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
