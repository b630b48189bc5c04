//! `hiendat backup` and `hiendat restore` (issue 16): a backup taken while
//! a writer appends events is a consistent database (integrity_check ok)
//! holding every event committed before it began and none that was not
//! committed by its end, the WAL's content included; a restore puts it in
//! place and the database opens and answers; what would lose data is
//! refused.

use hiendat::campaign::FeatureId;
use hiendat::campaign::events::{Event, Status};
use hiendat::ops::backup::{backup, restore};
use hiendat::store::Store;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

fn dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("store-backup-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn demo(dir: &Path) -> PathBuf {
    let db = dir.join("ward.db");
    hiendat::demo::database::create_demo_as_of(&db, 5, 300, hiendat::campaign::clock::today())
        .unwrap();
    db
}

fn count(db: &Path) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap()
}

/// Appends events (persuading ⇄ declined on parcels that allow it) until
/// told to stop; returns how many it wrote.
fn writer(db: PathBuf, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<usize> {
    std::thread::spawn(move || {
        let mut s = Store::open(&db).unwrap();
        let today = hiendat::campaign::clock::today();
        let mut mine: Vec<(FeatureId, Status)> = s
            .parcels_in_bbox([-180.0, -90.0], [180.0, 90.0])
            .unwrap()
            .into_iter()
            .filter_map(|p| {
                let st = s.status_as_of(&p, chrono::NaiveDate::MAX).unwrap();
                matches!(
                    st,
                    Status::NotContacted | Status::Persuading | Status::Declined
                )
                .then_some((p, st))
            })
            .collect();
        assert!(!mine.is_empty());
        let mut n = 0;
        while !stop.load(Ordering::Relaxed) {
            let k = n % mine.len();
            let next = if mine[k].1 == Status::Persuading {
                Status::Declined
            } else {
                Status::Persuading
            };
            s.append_event(&Event {
                parcel: mine[k].0.clone(),
                status: next,
                occurred_on: today,
                entered_at: hiendat::campaign::clock::now(),
                entered_by: "lan".into(),
                party_member: None,
                note: None,
                corrects: None,
            })
            .unwrap();
            mine[k].1 = next;
            n += 1;
        }
        n
    })
}

#[test]
fn a_backup_during_writes_is_consistent_and_a_restore_opens_and_answers() {
    let d = dir("live");
    let db = demo(&d);
    let start = count(&db);
    let stop = Arc::new(AtomicBool::new(false));
    let w = writer(db.clone(), Arc::clone(&stop));
    // the writer's first events are in the WAL (a copy of the file alone
    // would miss them)
    while count(&db) < start + 200 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = d.join("backup.db");
    let before = count(&db);
    let done = backup(&db, &out, false).unwrap();
    let after = count(&db);
    stop.store(true, Ordering::Relaxed);
    let written = w.join().unwrap();
    assert!(written > 0);
    assert!(
        before <= done.events && done.events <= after,
        "backup holds {} events: between {before} and {after}",
        done.events
    );
    assert!(
        after > before,
        "the writer wrote while the backup ran or around it"
    );
    // one self-contained file, consistent
    assert!(!d.join("backup.db-wal").exists());
    let c = rusqlite::Connection::open(&out).unwrap();
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    assert_eq!(count(&out), done.events);
    drop(c);

    // an existing backup is not overwritten without --force
    let err = backup(&db, &out, false).unwrap_err();
    assert!(err.contains("--force") && err.contains("đã có"), "{err}");
    assert_eq!(count(&out), done.events);
    let again = backup(&db, &out, true).unwrap();
    assert!(again.events >= after);

    // restore refuses a database a server has open
    let open = Store::open(&db).unwrap();
    open.schema_version().unwrap();
    let err = restore(&out, &db).unwrap_err();
    assert!(
        err.contains("đang được mở") && err.contains("--db"),
        "{err}"
    );
    drop(open);

    // restored, the database opens, migrates nothing and answers
    let restored = restore(&out, &db).unwrap();
    assert_eq!(restored.schema_version, hiendat::store::SCHEMA_VERSION);
    assert!(restored.previous.as_ref().is_some_and(|p| p.exists()));
    let s = Store::open(&db).unwrap();
    assert_eq!(s.schema_version().unwrap(), hiendat::store::SCHEMA_VERSION);
    let total: usize = s
        .parcels_in_bbox([-180.0, -90.0], [180.0, 90.0])
        .unwrap()
        .iter()
        .map(|p| s.events(p).unwrap().len())
        .sum();
    assert_eq!(total as i64, again.events);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn restore_refuses_a_damaged_file_or_one_from_a_newer_hiendat_and_keeps_the_database() {
    let d = dir("bad");
    let db = demo(&d);
    let events = count(&db);
    // not a database
    let junk = d.join("junk.db");
    std::fs::write(&junk, vec![7u8; 8192]).unwrap();
    assert!(restore(&junk, &db).is_err());
    // damaged: a page of a good copy overwritten
    let good = d.join("good.db");
    backup(&db, &good, false).unwrap();
    let mut bytes = std::fs::read(&good).unwrap();
    let page = 4096 * 3;
    bytes[page..page + 4096].fill(0xAB);
    let damaged = d.join("damaged.db");
    std::fs::write(&damaged, bytes).unwrap();
    let err = restore(&damaged, &db).unwrap_err();
    assert!(!err.is_empty());
    // newer than this build
    let newer = d.join("newer.db");
    std::fs::copy(&good, &newer).unwrap();
    rusqlite::Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", hiendat::store::SCHEMA_VERSION + 1)
        .unwrap();
    let err = restore(&newer, &db).unwrap_err();
    assert!(err.contains("newer"), "{err}");
    // the database is untouched
    assert_eq!(count(&db), events);
    assert!(!d.join("ward.db.before-restore").exists());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn the_backup_and_restore_commands_run_from_the_command_line() {
    let d = dir("cli");
    let db = demo(&d);
    let out = d.join("nightly.db");
    let bin = env!("CARGO_BIN_EXE_hiendat");
    let run = |args: &[&str]| Command::new(bin).args(args).output().unwrap();
    let (dbs, outs) = (db.to_str().unwrap(), out.to_str().unwrap());
    let r = run(&["backup", "--db", dbs, "--out", outs]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let r = run(&["backup", "--db", dbs, "--out", outs]);
    assert!(!r.status.success());
    assert!(String::from_utf8_lossy(&r.stderr).contains("--force"));
    let copy = d.join("copy.db");
    let r = run(&["restore", "--from", outs, "--db", copy.to_str().unwrap()]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert_eq!(count(&copy), count(&db));
    let _ = std::fs::remove_dir_all(&d);
}
