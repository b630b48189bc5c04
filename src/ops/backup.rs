//! `hiendat backup` and `hiendat restore`: a copy of the live database
//! taken while the server writes, and putting one back. The store makes
//! and checks the copy ([`store::backup_to`], [`store::check_backup`]);
//! this module handles the files: each is written under a temporary name
//! beside its target, flushed to disk, checked, and renamed into place, so
//! a crash leaves either the old file or the new one, never half of one.

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
/// Refused while a server has `db` open. The database replaced stays
/// beside it as `<db>.before-restore`.
pub fn restore(from: &Path, db: &Path) -> Result<Restored, String> {
    let named = |e: StoreError, p: &Path| format!("{}: {e}", p.display());
    if !from.is_file() {
        return Err(format!(
            "không có tệp sao lưu {p} (--from) / no backup file at {p} (--from)",
            p = from.display()
        ));
    }
    store::check_backup(from).map_err(|e| named(e, from))?;
    if db.exists() && store::in_use(db).map_err(|e| named(e, db))? {
        return Err(format!(
            "cơ sở dữ liệu {p} đang được mở (máy chủ đang chạy?); hãy dừng máy chủ trước khi khôi phục (--db) / the database {p} is open (is a server running?): stop the server before restoring (--db)",
            p = db.display()
        ));
    }
    let tmp = beside(db, "restore");
    let _ = std::fs::remove_file(&tmp);
    let result = (|| {
        std::fs::copy(from, &tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
        sync(&tmp)?;
        let schema_version = store::check_backup(&tmp).map_err(|e| named(e, from))?;
        let previous = if db.exists() {
            let kept = suffixed(db, ".before-restore");
            let _ = std::fs::remove_file(&kept);
            std::fs::hard_link(db, &kept).map_err(|e| format!("{}: {e}", kept.display()))?;
            Some(kept)
        } else {
            None
        };
        // A WAL left beside the old file would be read into the new one.
        for side in ["-wal", "-shm"] {
            let p = suffixed(db, side);
            if p.exists() {
                std::fs::remove_file(&p).map_err(|e| format!("{}: {e}", p.display()))?;
            }
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
