//! What a read or a write costs SQLite, where a slip in the schema or a
//! query plan turns a small cost into one proportional to the ward (the 1M
//! demo build never finished after schema 16, for both reasons below).
//!
//! - The box queries go through the R*Tree, not the whole ward. SQLite's
//!   planner, left to itself, prefers `parcels` by the `(ward, fid)` index
//!   (it guesses ten rows a ward) and looks each parcel up in the tree.
//!   Counted in SQLite VM steps.
//! - An event does not copy the ward's outline: the ward's counters change
//!   with every event, and SQLite reads and rewrites a whole row on UPDATE
//!   (2.4 MB a event at a million parcels). No table a trigger updates
//!   holds a blob.

use super::tests::imported_reference_ward;
use super::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counts, from now on, the VM steps (in hundreds) SQLite runs on `store`'s
/// connection.
fn count_steps(store: &mut Store) -> Arc<AtomicU64> {
    let n = Arc::new(AtomicU64::new(0));
    let seen = n.clone();
    store
        .conn
        .progress_handler(
            100,
            Some(move || {
                seen.fetch_add(1, Ordering::Relaxed);
                false
            }),
        )
        .unwrap();
    n
}

/// The VM steps (in hundreds) `f` makes SQLite run on `store`'s connection.
fn steps(store: &mut Store, f: impl FnOnce(&Store)) -> u64 {
    let n = count_steps(store);
    f(store);
    n.load(Ordering::Relaxed)
}

#[test]
fn a_small_box_reads_a_few_parcels_not_the_whole_ward() {
    let (mut store, parcels) = imported_reference_ward();
    assert!(parcels.len() >= 10_000);

    // A box of about 10 m around a corner of the first parcel.
    let [lon, lat] = parcels[0].polygons[0][0][0];
    let d = 5e-5;
    let (min, max) = ([lon - d, lat - d], [lon + d, lat + d]);
    let bbox = [min[0], min[1], max[0], max[1]];

    // Reading the ward's 10k parcels once costs thousands of hundreds of
    // steps; a few parcels through the tree, a few dozen.
    let ceiling = 50;
    let mut found = 0;
    let n = steps(&mut store, |s| {
        found = s.parcels_in_bbox(min, max).unwrap().len()
    });
    assert!((1..50).contains(&found), "{found} parcels");
    assert!(n < ceiling, "parcels_in_bbox: {n}00 VM steps");

    let n = steps(&mut store, |s| {
        found = s.tile_parcels(bbox, 1000).unwrap().len()
    });
    assert!(found >= 1, "{found} tile parcels");
    assert!(n < ceiling, "tile_parcels: {n}00 VM steps");

    let filter = ParcelFilter {
        bbox: Some(bbox),
        ..ParcelFilter::default()
    };
    let n = steps(&mut store, |s| found = s.parcels(&filter).unwrap().len());
    assert!(found >= 1, "{found} filtered parcels");
    assert!(n < ceiling, "parcels(bbox): {n}00 VM steps");

    // The import's search for the parcels near a changed segment.
    let n = count_steps(&mut store);
    let tx = store.begin_import().unwrap();
    let n0 = n.load(Ordering::Relaxed);
    let near = tx.parcels_near(&[(-1, [min, max])]).unwrap();
    assert!(!near.is_empty());
    let n = n.load(Ordering::Relaxed) - n0;
    assert!(n < ceiling, "parcels_near: {n}00 VM steps");
}

#[test]
fn no_table_a_trigger_updates_on_every_write_holds_a_blob() {
    let store = Store::open_in_memory().unwrap();
    let mut st = store
        .conn
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        .unwrap();
    let triggers: Vec<(String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut updated = std::collections::BTreeMap::new();
    for (name, sql) in &triggers {
        let mut words = sql.split_whitespace();
        while let Some(w) = words.next() {
            if w.eq_ignore_ascii_case("UPDATE")
                && let Some(table) = words.next()
                && words.next().is_some_and(|w| w.eq_ignore_ascii_case("SET"))
            {
                updated.insert(table.to_string(), name.clone());
            }
        }
    }
    // The counters: each ward's last event, each parcel's version.
    assert!(updated.contains_key("wards"), "{updated:?}");
    assert!(updated.contains_key("parcel_versions"), "{updated:?}");
    for (table, trigger) in &updated {
        let blobs: Vec<String> = store
            .conn
            .prepare(&format!(
                "SELECT name FROM pragma_table_info('{table}') WHERE type = 'BLOB'"
            ))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            blobs.is_empty(),
            "{trigger} updates {table}, whose row holds {blobs:?}: each write reads and rewrites it"
        );
    }
}
