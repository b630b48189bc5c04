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
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1"))
                .unwrap();
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
    let import = |dir: &Path| {
        let mut c = hiendat();
        c.args(["import", "--db", db.to_str().unwrap()])
            .args(["--segments", dir.join("segments.geojson").to_str().unwrap()])
            .args(["--parcels", dir.join("parcels.geojson").to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    };
    assert!(import(&small).status().unwrap().success());
    let before = digest(&db);
    assert!(
        before.iter().any(|(t, n, _)| t == "parcels" && *n == 500),
        "{before:?}"
    );

    // The big import takes seconds: kill it at several points of its work.
    let mut killed = 0;
    for after_ms in [300u64, 900, 1600, 2500] {
        let mut child = import(&big).spawn().unwrap();
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_millis(after_ms) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            killed += 1;
        }
        let status = child.wait().unwrap();
        if status.success() {
            // finished before the kill: nothing to check at this point
            break;
        }
        assert_eq!(digest(&db), before, "after a kill at {after_ms} ms");
    }
    assert!(
        killed >= 2,
        "the import finished too fast to be interrupted"
    );
    let _ = std::fs::remove_dir_all(&d);
}
