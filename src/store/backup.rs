//! Copies of the database file taken while the server writes, and the
//! checks a copy passes before it may replace the database. The file
//! handling around them (a temporary name beside the target, fsync,
//! rename) is `ops::backup`'s.

use super::{Result, SCHEMA_VERSION, StoreError};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// Writes a consistent copy of the database at `db` into the new file
/// `out` (which must not exist) with `VACUUM INTO`: one read transaction,
/// so the copy is the database as of one commit, the WAL's committed
/// pages included, while other connections go on writing. The copy is
/// left in rollback-journal mode (one self-contained file) and checked
/// with `PRAGMA integrity_check`. Returns its number of events.
pub fn backup_to(db: &Path, out: &Path) -> Result<i64> {
    // Neither created nor migrated: the copy is the file as it is.
    let src = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    src.busy_timeout(super::BUSY_TIMEOUT)?;
    let target = out.to_str().ok_or_else(|| {
        StoreError::BadInput(format!(
            "đường dẫn {p:?} không phải UTF-8 (--out) / the path {p:?} is not UTF-8 (--out)",
            p = out.display()
        ))
    })?;
    src.execute("VACUUM INTO ?1", [target])?;
    drop(src);
    let copy = Connection::open(out)?;
    let _mode: String = copy.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
    integrity(&copy, out)?;
    Ok(copy.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?)
}

/// Checks that the file at `path` is a hiendat database this build can
/// open: `PRAGMA integrity_check` answers ok and its schema version is
/// known (not newer than [`SCHEMA_VERSION`], not 0). Returns its schema
/// version. The file is opened read-only and left as it is.
pub fn check_backup(path: &Path) -> Result<i64> {
    let c = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    integrity(&c, path)?;
    let version: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found: version,
            known: SCHEMA_VERSION,
        });
    }
    let has_events: bool = c.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'events')",
        [],
        |r| r.get(0),
    )?;
    if version == 0 || !has_events {
        return Err(StoreError::BadInput(format!(
            "{p} không phải cơ sở dữ liệu hiendat / {p} is not a hiendat database",
            p = path.display()
        )));
    }
    Ok(version)
}

fn integrity(c: &Connection, path: &Path) -> Result<()> {
    let answer: Vec<String> = c
        .prepare("PRAGMA integrity_check")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if answer != ["ok"] {
        return Err(StoreError::Corrupt(format!(
            "{}: integrity_check: {}",
            path.display(),
            answer.join("; ")
        )));
    }
    Ok(())
}

/// Whether another connection (a running server) has the database at
/// `db` open: in WAL mode every open connection holds a shared lock on
/// the file, so an exclusive lock cannot be had. Without a WAL (a file no
/// server opened) the answer is `false`.
pub fn in_use(db: &Path) -> Result<bool> {
    let c = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    c.busy_timeout(std::time::Duration::ZERO)?;
    let _mode: String = c.query_row("PRAGMA locking_mode = EXCLUSIVE", [], |r| r.get(0))?;
    match c.execute_batch("BEGIN EXCLUSIVE; COMMIT;") {
        Ok(()) => Ok(false),
        Err(e) => match StoreError::from(e) {
            StoreError::Busy => Ok(true),
            other => Err(other),
        },
    }
}

/// Copies every commit still in the WAL of the database at `db` into the
/// file itself (`PRAGMA wal_checkpoint(TRUNCATE)`), so that the file alone
/// holds the whole database: a restore keeps it under another name, where
/// SQLite would not find the WAL. [`StoreError::Busy`] if a connection
/// kept the checkpoint from completing. Not created when missing.
pub fn checkpoint(db: &Path) -> Result<()> {
    let c = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    c.busy_timeout(super::BUSY_TIMEOUT)?;
    // (busy, frames in the WAL, frames copied); -1 when not in WAL mode.
    let (busy, log, copied): (i64, i64, i64) =
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    if busy != 0 || copied < log {
        return Err(StoreError::Busy);
    }
    Ok(())
}
