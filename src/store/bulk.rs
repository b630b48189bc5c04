//! Bulk loading: a new file filled in one go by one process (the demo
//! builder), which removes the file when anything fails. Such a file needs
//! no fsync per transaction, and a large page cache spares the indexes'
//! B-trees a trip through the OS for every row of a million.

use super::{Result, Store};

/// The page cache while bulk loading, in KiB (SQLite's negative
/// `cache_size`): 512 MiB, well under the build's memory budget.
const BULK_CACHE_KIB: i64 = 512 * 1024;

/// SQLite's default page cache (2 MB), restored after a bulk load.
const DEFAULT_CACHE_KIB: i64 = 2000;

impl Store {
    /// `true`: settings for a bulk load (no fsync, a large page cache,
    /// temporary tables in memory); `false`: back to the serving settings
    /// of [`Store::open`]. Only for a file nobody else has open and that is
    /// thrown away if the load fails: a crash during a bulk load may leave
    /// it corrupt.
    pub fn bulk_load(&self, on: bool) -> Result<()> {
        let (sync, cache) = if on {
            ("OFF", BULK_CACHE_KIB)
        } else {
            ("NORMAL", DEFAULT_CACHE_KIB)
        };
        self.conn.pragma_update(None, "synchronous", sync)?;
        self.conn.pragma_update(None, "cache_size", -cache)?;
        self.conn
            .pragma_update(None, "temp_store", if on { "MEMORY" } else { "DEFAULT" })?;
        // a new temp_store drops the temporary tables: the current ward's too
        super::wards::set_current(&self.conn, self.ward)?;
        // Changing `temp_store` drops the connection's temporary tables and
        // triggers, among them those keeping the versions its writes leave
        // ([`Store::written_version`]): nobody reads them back during a bulk
        // load (a row per event, millions of them); serving needs them again.
        if !on {
            super::versions::watch(&self.conn)?;
        }
        Ok(())
    }

    /// The connection's `synchronous` and `cache_size` settings (tests).
    #[cfg(test)]
    pub(crate) fn settings(&self) -> Result<(i64, i64)> {
        let sync = self
            .conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))?;
        let cache = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        Ok((sync, cache))
    }
}

#[cfg(test)]
mod tests {
    use crate::campaign::events::{Event, Status};
    use crate::store::Store;
    use crate::store::tests::{event, imported_small};

    /// Event rows (id, parcel, status, date, corrects) and current
    /// statuses (parcel, status, since).
    type LogAndStatus = (
        Vec<(i64, i64, String, String, Option<i64>)>,
        Vec<(i64, String, String)>,
    );

    /// Every event row and every current status.
    fn log_and_status(store: &Store) -> LogAndStatus {
        let events = store
            .conn
            .prepare("SELECT id, parcel, status, occurred_on, corrects FROM events ORDER BY id")
            .unwrap()
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let status = store
            .conn
            .prepare("SELECT parcel, status, status_on FROM parcel_status ORDER BY parcel")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        (events, status)
    }

    fn corrects(mut e: Event, id: i64) -> Event {
        e.corrects = Some(id);
        e
    }

    #[test]
    fn a_batch_checks_each_event_against_the_ones_before_it_in_the_batch() {
        // Several events per parcel, interleaved, one correcting an event
        // of the same batch (ids 1..): each step is only allowed after the
        // batch's own earlier events of its parcel.
        let batch = [
            event(101, Status::Persuading, (2026, 3, 1), 0),
            event(102, Status::Persuading, (2026, 3, 1), 1),
            event(101, Status::Declined, (2026, 3, 3), 2),
            event(102, Status::Agreed, (2026, 3, 4), 3),
            event(101, Status::Persuading, (2026, 3, 5), 4),
            corrects(event(101, Status::Persuading, (2026, 3, 6), 5), 3),
            event(101, Status::Agreed, (2026, 3, 7), 6),
        ];
        let mut one_by_one = imported_small();
        for e in &batch {
            one_by_one.append_event(e).unwrap();
        }
        let mut at_once = imported_small();
        at_once.append_events(&batch).unwrap();
        let expected = log_and_status(&one_by_one);
        assert_eq!(expected.0.len(), batch.len());
        assert_eq!(log_and_status(&at_once), expected);

        // Persuading → persuading is refused, also when the first
        // "persuading" came earlier in the same batch (against the stored
        // log alone, not contacted → persuading would pass); then nothing
        // of the batch is written.
        let mut store = imported_small();
        let before = log_and_status(&store);
        let err = store
            .append_events(&[
                event(103, Status::Persuading, (2026, 3, 1), 0),
                event(102, Status::Persuading, (2026, 3, 1), 1),
                event(103, Status::Persuading, (2026, 3, 3), 2),
            ])
            .unwrap_err();
        assert!(
            matches!(err, crate::store::StoreError::Transition(_)),
            "{err}"
        );
        assert_eq!(log_and_status(&store), before);
    }

    #[test]
    fn a_bulk_load_drops_fsync_and_grows_the_cache_then_restores_both() {
        let dir = std::env::temp_dir().join(format!("hiendat-bulk-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bulk.db");
        let _ = std::fs::remove_file(&path);
        let store = Store::open(&path).unwrap();
        let serving = store.settings().unwrap();
        assert_eq!(serving.0, 1, "NORMAL when serving");
        store.bulk_load(true).unwrap();
        let bulk = store.settings().unwrap();
        assert_eq!(bulk.0, 0, "OFF while bulk loading");
        assert!(bulk.1 < -100_000, "a large cache: {}", bulk.1);
        store.bulk_load(false).unwrap();
        assert_eq!(store.settings().unwrap(), serving);
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_bulk_load_keeps_no_written_versions_and_serving_keeps_them_again() {
        let mut store = imported_small();
        let trigger = |s: &Store| -> i64 {
            s.conn
                .query_row(
                    "SELECT count(*) FROM sqlite_temp_master WHERE name = 'written_versions_keep'",
                    [],
                    |r| r.get(0),
                )
                .unwrap()
        };
        assert_eq!(trigger(&store), 1);
        store.bulk_load(true).unwrap();
        assert_eq!(trigger(&store), 0, "no row per event while bulk loading");
        store
            .append_events(&[
                event(101, Status::Persuading, (2026, 3, 1), 0),
                event(102, Status::Persuading, (2026, 3, 1), 1),
            ])
            .unwrap();
        store.bulk_load(false).unwrap();
        assert_eq!(trigger(&store), 1);
        store
            .append_event(&event(101, Status::Agreed, (2026, 3, 2), 2))
            .unwrap();
        let key = store.parcel_row_id("101").unwrap();
        let now = store.parcel_version(key).unwrap().version;
        assert_eq!(store.written_version(key).unwrap(), Some(now));
        assert_eq!(
            store
                .written_version(store.parcel_row_id("102").unwrap())
                .unwrap(),
            None
        );
    }

    #[test]
    fn a_connection_maps_none_of_the_file() {
        // a map counts in the server's resident memory, once per connection
        let dir = std::env::temp_dir().join(format!("hiendat-mmap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("mapped.db");
        let _ = std::fs::remove_file(&path);
        let store = Store::open(&path).unwrap();
        let mapped: i64 = store
            .conn
            .query_row("PRAGMA mmap_size", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mapped, 0);
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
