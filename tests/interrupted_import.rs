//! An import killed part-way leaves the database exactly as it was.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn hiendat() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hiendat"))
}

/// Every row of every table, in order, as text: equal digests mean equal data.
fn digest(db: &Path) -> Vec<(String, i64, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'parcel_bbox_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .into_iter()
        .map(|t| {
            // when a parcel's version last moved is the clock's at the
            // import: two runs of one import differ in it and nothing else
            let sql = if t == "parcel_versions" {
                "SELECT parcel, version, changed_by FROM parcel_versions ORDER BY 1".to_string()
            } else {
                format!("SELECT * FROM \"{t}\" ORDER BY 1")
            };
            let mut stmt = conn.prepare(&sql).unwrap();
            let cols = stmt.column_count();
            let mut text = String::new();
            let mut n = 0;
            let mut rows = stmt.query([]).unwrap();
            while let Some(row) = rows.next().unwrap() {
                n += 1;
                for c in 0..cols {
                    let v: rusqlite::types::Value = row.get(c).unwrap();
                    text.push_str(&format!("{v:?}|"));
                }
                text.push('\n');
            }
            // keep the digest small: a hash of the rows' text
            let h = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
            });
            (t, n, format!("{h:016x}"))
        })
        .collect()
}

#[test]
fn an_import_killed_part_way_leaves_the_database_as_it_was() {
    let d = std::env::temp_dir().join(format!("hiendat-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    let (small, big, db) = (d.join("small"), d.join("big"), d.join("w.db"));
    for (dir, n, seed) in [(&small, "500", "1"), (&big, "100000", "2")] {
        let o = hiendat()
            .args([
                "demo",
                "--parcels",
                n,
                "--seed",
                seed,
                "--out",
                dir.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let import = |dir: &Path, db: &Path| {
        let mut c = hiendat();
        c.args(["import", "--db", db.to_str().unwrap()])
            .args(["--segments", dir.join("segments.geojson").to_str().unwrap()])
            .args(["--parcels", dir.join("parcels.geojson").to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    };
    assert!(import(&small, &db).status().unwrap().success());
    let before = digest(&db);
    assert!(
        before.iter().any(|(t, n, _)| t == "parcels" && *n == 500),
        "{before:?}"
    );
    // The file as it was (digest closed the last connection: no WAL left).
    let saved = d.join("before.db");
    std::fs::copy(&db, &saved).unwrap();
    let restore = || {
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
        }
        std::fs::copy(&saved, &db).unwrap();
    };

    // The big import run to its end on a copy: the only other state a kill
    // may leave (killed after its commit, before the process exits), and
    // how long it takes here.
    let full_db = d.join("full.db");
    std::fs::copy(&saved, &full_db).unwrap();
    let t0 = Instant::now();
    assert!(import(&big, &full_db).status().unwrap().success());
    let full_time = t0.elapsed();
    let full = digest(&full_db);
    assert_ne!(full, before);

    // Kill it at several points of its work: the database is as it was, or
    // (past the commit) wholly imported, never in between.
    let mut mid_import = 0;
    for fraction in [0.1, 0.3, 0.5, 0.7, 0.9] {
        let mut child = import(&big, &db).spawn().unwrap();
        let t0 = Instant::now();
        while t0.elapsed() < full_time.mul_f64(fraction) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = child.kill();
        let status = child.wait().unwrap();
        let got = digest(&db);
        if got == before {
            assert!(!status.success(), "a finished import changed nothing");
            mid_import += 1;
        } else {
            assert_eq!(got, full, "after a kill at {fraction} of the import's time");
            restore();
        }
    }
    assert!(
        mid_import >= 2,
        "only {mid_import} kills landed before the commit"
    );
    let _ = std::fs::remove_dir_all(&d);
}
