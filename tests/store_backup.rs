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
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

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
/// told to stop, counting each commit in `done`; returns how many it wrote.
fn writer(
    db: PathBuf,
    stop: Arc<AtomicBool>,
    done: Arc<AtomicUsize>,
) -> std::thread::JoinHandle<usize> {
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
            done.store(n, Ordering::SeqCst);
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
    let progress = Arc::new(AtomicUsize::new(0));
    let w = writer(db.clone(), Arc::clone(&stop), Arc::clone(&progress));
    let wait_for = |n: usize| {
        while progress.load(Ordering::SeqCst) < n {
            std::thread::sleep(Duration::from_millis(5));
        }
    };
    // the writer's first events are in the WAL (a copy of the file alone
    // would miss them)
    wait_for(200);
    let out = d.join("backup.db");
    let before = count(&db);
    let done = backup(&db, &out, false).unwrap();
    let after = count(&db);
    // the writer went on writing after the backup began: it was writing
    // before it, and commits again after it (however long the backup
    // took, and whether or not a commit fell inside it)
    let started = progress.load(Ordering::SeqCst);
    wait_for(started + 50);
    stop.store(true, Ordering::Relaxed);
    let written = w.join().unwrap();
    assert!(written >= started + 50);
    assert!(
        before <= done.events && done.events <= after,
        "backup holds {} events: between {before} and {after}",
        done.events
    );
    assert!(before >= start + 200);
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

fn users(db: &Path) -> Vec<String> {
    let c = rusqlite::Connection::open(db).unwrap();
    c.prepare("SELECT name FROM users ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// A copy of the main file only, without its WAL, opened alone.
fn users_in_the_file_alone(db: &Path, dir: &Path, name: &str) -> Vec<String> {
    let alone = dir.join(name);
    std::fs::copy(db, &alone).unwrap();
    assert!(!dir.join(format!("{name}-wal")).exists());
    users(&alone)
}

#[test]
fn the_database_a_restore_replaces_is_kept_whole_its_wal_commits_included() {
    let d = dir("wal");
    let db = demo(&d);
    let out = d.join("backup.db");
    backup(&db, &out, false).unwrap();
    // A server wrote (a new user) and was killed before it checkpointed:
    // the commit is in the WAL only (the file pair copied while the
    // connection is open is what a killed process leaves).
    let crashed = d.join("crashed.db");
    {
        let mut s = Store::open(&db).unwrap();
        s.add_user("minh", hiendat::store::Role::Editor, "mật khẩu của Minh")
            .unwrap();
        std::fs::copy(&db, &crashed).unwrap();
        std::fs::copy(d.join("ward.db-wal"), d.join("crashed.db-wal")).unwrap();
    }
    assert!(std::fs::metadata(d.join("crashed.db-wal")).unwrap().len() > 0);
    // the checkpoint alone moves the commit into the file (the restore's
    // `in_use` probe, closing last, also happens to checkpoint: the
    // restore does not rely on it)
    let twin = d.join("twin.db");
    std::fs::copy(&crashed, &twin).unwrap();
    std::fs::copy(d.join("crashed.db-wal"), d.join("twin.db-wal")).unwrap();
    hiendat::store::checkpoint(&twin).unwrap();
    assert_eq!(
        std::fs::metadata(d.join("twin.db-wal")).map_or(0, |m| m.len()),
        0
    );
    assert!(users_in_the_file_alone(&twin, &d, "twin-alone.db").contains(&"minh".into()));
    assert!(!users_in_the_file_alone(&crashed, &d, "precondition.db").contains(&"minh".into()));
    // an old `.before-restore` and its WAL from an earlier restore
    std::fs::copy(&out, d.join("crashed.db.before-restore")).unwrap();
    std::fs::write(d.join("crashed.db.before-restore-wal"), b"stale").unwrap();

    let restored = restore(&out, &crashed).unwrap();
    let kept = restored.previous.unwrap();
    assert_eq!(kept, d.join("crashed.db.before-restore"));
    assert!(!d.join("crashed.db.before-restore-wal").exists());
    assert!(!d.join("crashed.db-wal").exists());
    // the kept file alone holds the commit that was in the WAL
    assert!(users_in_the_file_alone(&kept, &d, "kept-alone.db").contains(&"minh".into()));
    let ok: String = rusqlite::Connection::open(&kept)
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    // and the restored database is the backup, without it
    assert!(!users(&crashed).contains(&"minh".into()));
    assert_eq!(users(&crashed), users(&out));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn restore_refuses_while_a_server_holds_its_lock_even_with_no_connection_open() {
    let d = dir("lock");
    let db = demo(&d);
    let out = d.join("backup.db");
    backup(&db, &out, false).unwrap();
    // something the backup lacks
    Store::open(&db)
        .unwrap()
        .add_user("minh", hiendat::store::Role::Editor, "mật khẩu của Minh")
        .unwrap();
    let listing = |d: &Path| {
        let mut names: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    let serving = hiendat::ops::backup::serving(&db).unwrap();
    // a second server shares the lock
    let second = hiendat::ops::backup::serving(&db).unwrap();
    drop(second);
    let files = listing(&d);
    let err = restore(&out, &db).unwrap_err();
    assert!(
        err.contains("đang được mở") && err.contains("--db"),
        "{err}"
    );
    assert_eq!(listing(&d), files, "nothing written or moved");
    assert!(users(&db).contains(&"minh".into()));
    drop(serving);

    // while a restore holds it (exclusively), a server does not start
    let restoring = std::fs::File::open(d.join("ward.db.lock")).unwrap();
    restoring.lock().unwrap();
    let err = hiendat::ops::backup::serving(&db).unwrap_err();
    assert!(err.contains("restore"), "{err}");
    drop(restoring);

    // released, the restore runs (and then lets a server start)
    let r = restore(&out, &db).unwrap();
    assert!(r.previous.is_some());
    assert!(!users(&db).contains(&"minh".into()));
    hiendat::ops::backup::serving(&db).unwrap();
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn restore_refuses_while_hiendat_serve_runs_on_the_database() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let d = dir("serve");
    let db = demo(&d);
    let out = d.join("backup.db");
    backup(&db, &out, false).unwrap();
    let events = count(&db);
    let bin = env!("CARGO_BIN_EXE_hiendat");
    let mut server = Command::new(bin)
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(&db)
        .arg("--web")
        .arg(&d)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let listening = BufReader::new(server.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .any(|l| l.contains("http://"));
    // listening, and no request yet: the server has no connection open
    let open = listening && hiendat::store::in_use(&db).unwrap();
    let r = Command::new(bin)
        .args(["restore", "--from"])
        .arg(&out)
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    let _ = server.kill();
    server.wait().unwrap();
    assert!(listening, "the server started");
    assert!(!open, "the server holds no connection");
    assert!(!r.status.success());
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(stderr.contains("đang được mở"), "{stderr}");
    assert!(!d.join("ward.db.before-restore").exists());
    assert_eq!(count(&db), events);
    // stopped, the restore runs
    restore(&out, &db).unwrap();
    let _ = std::fs::remove_dir_all(&d);
}
