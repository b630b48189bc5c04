//! `hiendat backup` and `hiendat restore`: a copy of the live database
//! taken while the server writes, and putting one back. The store makes
//! and checks the copy ([`store::backup_to`], [`store::check_backup`]);
//! this module handles the files: each is written under a temporary name
//! beside its target, flushed to disk, checked, and renamed into place, so
//! a crash leaves either the old file or the new one, never half of one.
//! `hiendat serve` holds `<db>.lock` while it runs ([`serving`]); a restore
//! takes it exclusively and so never replaces a database under a server.

use crate::store::{self, StoreError};
use std::fs::File;
use std::path::{Path, PathBuf};

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupDone {
    pub events: i64,
    pub bytes: u64,
}

/// What a restore put in place.
#[derive(Debug, Clone, PartialEq)]
pub struct Restored {
    pub schema_version: i64,
    /// The database the restore replaced, kept beside it (hard link).
    pub previous: Option<PathBuf>,
}

/// Copies the database `db` into `out`, consistent while a server writes
/// to it. An existing `out` is refused unless `force`.
pub fn backup(db: &Path, out: &Path, force: bool) -> Result<BackupDone, String> {
    if !db.is_file() {
        return Err(format!(
            "không có cơ sở dữ liệu {p} (--db) / no database at {p} (--db)",
            p = db.display()
        ));
    }
    if out.exists() && !force {
        return Err(format!(
            "tệp {p} đã có; thêm --force để ghi đè (--out) / {p} already exists: add --force to overwrite it (--out)",
            p = out.display()
        ));
    }
    let tmp = beside(out, "backup");
    let _ = std::fs::remove_file(&tmp);
    let result = (|| {
        let events = store::backup_to(db, &tmp).map_err(|e| e.to_string())?;
        sync(&tmp)?;
        std::fs::rename(&tmp, out).map_err(|e| format!("{}: {e}", out.display()))?;
        sync_dir(out)?;
        let bytes = std::fs::metadata(out)
            .map_err(|e| format!("{}: {e}", out.display()))?
            .len();
        Ok(BackupDone { events, bytes })
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Replaces the database `db` with the backup `from`, once the backup
/// passes its checks (integrity, a schema version this build knows).
/// Refused while a server runs on `db` (it holds `<db>.lock`, see
/// [`serving`]) or anything else has it open. The database replaced stays
/// beside it as `<db>.before-restore`, its WAL first checkpointed into it so
/// that the file alone holds every commit.
pub fn restore(from: &Path, db: &Path) -> Result<Restored, String> {
    let named = |e: StoreError, p: &Path| format!("{}: {e}", p.display());
    if !from.is_file() {
        return Err(format!(
            "không có tệp sao lưu {p} (--from) / no backup file at {p} (--from)",
            p = from.display()
        ));
    }
    store::check_backup(from).map_err(|e| named(e, from))?;
    let refused = || {
        format!(
            "cơ sở dữ liệu {p} đang được mở (máy chủ đang chạy?); hãy dừng máy chủ trước khi khôi phục (--db) / the database {p} is open (is a server running?): stop the server before restoring (--db)",
            p = db.display()
        )
    };
    // Held until the end: no server starts on `db` while it is replaced.
    let _lock = match lock(db, Lock::Exclusive)? {
        Some(l) => l,
        None => return Err(refused()),
    };
    if db.exists() && store::in_use(db).map_err(|e| named(e, db))? {
        return Err(refused());
    }
    let tmp = beside(db, "restore");
    let _ = std::fs::remove_file(&tmp);
    let result = (|| {
        std::fs::copy(from, &tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
        sync(&tmp)?;
        let schema_version = store::check_backup(&tmp).map_err(|e| named(e, from))?;
        let previous = if db.exists() {
            // The commits still in the WAL go into the file, which is kept.
            store::checkpoint(db).map_err(|e| named(e, db))?;
            let kept = suffixed(db, ".before-restore");
            // A WAL left by an earlier restore would be read into this one.
            for p in [
                kept.clone(),
                suffixed(&kept, "-wal"),
                suffixed(&kept, "-shm"),
            ] {
                remove_if_there(&p)?;
            }
            std::fs::hard_link(db, &kept).map_err(|e| format!("{}: {e}", kept.display()))?;
            // A WAL left beside the old file would be read into the new
            // one. One the checkpoint left with frames goes with the kept
            // file, under the name SQLite looks for beside it.
            let wal = suffixed(db, "-wal");
            if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
                let kept_wal = suffixed(&kept, "-wal");
                std::fs::rename(&wal, &kept_wal)
                    .map_err(|e| format!("{}: {e}", kept_wal.display()))?;
            }
            sync(&kept)?;
            Some(kept)
        } else {
            None
        };
        for side in ["-wal", "-shm"] {
            remove_if_there(&suffixed(db, side))?;
        }
        std::fs::rename(&tmp, db).map_err(|e| format!("{}: {e}", db.display()))?;
        sync_dir(db)?;
        Ok(Restored {
            schema_version,
            previous,
        })
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The lock `hiendat serve` holds on `<db>.lock` for its whole life, from
/// before it opens the database (released when dropped). A restore takes
/// the same lock exclusively, so it refuses to run under a server, even
/// one that has no connection open yet, and a server does not start while
/// a restore runs. Several servers may share it.
#[derive(Debug)]
pub struct ServeLock {
    _file: File,
}

/// Takes the server's lock on `db` (see [`ServeLock`]); refused while a
/// restore of `db` runs.
pub fn serving(db: &Path) -> Result<ServeLock, String> {
    match lock(db, Lock::Shared)? {
        Some(file) => Ok(ServeLock { _file: file }),
        None => Err(format!(
            "đang khôi phục cơ sở dữ liệu {p}; hãy chờ xong (--db) / a restore of {p} is running: wait for it to end (--db)",
            p = db.display()
        )),
    }
}

enum Lock {
    Shared,
    Exclusive,
}

/// Opens (creating it) `<db>.lock` and takes an advisory lock on it
/// without waiting: `None` when another process holds it in a way that
/// excludes this one. The file stays after use: removing it would let two
/// processes lock two different files of the same name.
fn lock(db: &Path, how: Lock) -> Result<Option<File>, String> {
    let path = suffixed(db, ".lock");
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let got = match how {
        Lock::Shared => file.try_lock_shared(),
        Lock::Exclusive => file.try_lock(),
    };
    match got {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(format!("{}: {e}", path.display())),
    }
}

fn remove_if_there(path: &Path) -> Result<(), String> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// `path` with `suffix` added to its file name.
fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// A temporary name in the same folder as `target` (so that the rename
/// is atomic), hidden, naming what writes it.
fn beside(target: &Path, what: &str) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(target.file_name().unwrap_or_default());
    name.push(format!(".{what}-{}.tmp", std::process::id()));
    target.with_file_name(name)
}

fn sync(path: &Path) -> Result<(), String> {
    File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Flushes the folder holding `path` (its new name) to disk.
fn sync_dir(path: &Path) -> Result<(), String> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(|e| format!("{}: {e}", dir.display()))
}
