//! The SQLite store: one file, the only place in hiendat that writes SQL.
//!
//! [`Store::open`] sets WAL mode and foreign keys, then applies the numbered
//! migrations in `migrations/` that the file lacks (one transaction each; the
//! version lives in `PRAGMA user_version`). A file written by a newer hiendat
//! is refused. Geometry is kept as little-endian WKB in WGS84 lon/lat
//! ([`wkb`]), parcel bounding boxes in an R*Tree (`parcel_bbox`).
//!
//! The store persists what it is given and measures nothing: donations and
//! outlines are measured by `ops::import` and handed to an [`ImportTx`].
//! A file that predates the outlines is marked on upgrade, and
//! `ops::import::open` derives them.
//!
//! Every write transaction begins `BEGIN IMMEDIATE` (`Store::write`): it
//! waits up to [`BUSY_TIMEOUT`] for another writer, and a database still
//! busy then is [`StoreError::Busy`] (the API answers 503 with
//! `Retry-After`). [`backup_to`] copies a live file consistently;
//! [`check_backup`] checks a copy before a restore.
//!
//! Methods are synchronous: the server calls them through `spawn_blocking`.

mod backup;
mod bulk;
mod consent;
mod evaluation;
mod events;
mod field;
mod idempotency;
mod import;
mod inspections;
pub mod meta;
mod org;
mod org_edit;
mod org_log;
mod outlines;
mod plans;
mod queries;
mod reports;
mod scope;
mod structures;
mod tiles;
mod user_wards;
mod users;
mod versions;
mod wards;
pub mod wkb;

#[cfg(test)]
mod cost_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod wards_org_tests;
#[cfg(test)]
mod wards_tests;

pub use backup::{backup_to, check_backup, checkpoint, in_use};
pub use consent::{
    ATTACHMENT_MAX_BYTES, AccessRow, AttachmentRow, ContactRow, FrozenDocument, FrozenRow,
    GrievanceRow, RecordInput, RecordRow,
};
pub use evaluation::{RatingInput, ThresholdsSet};
pub use field::{FieldDetail, LastContact};
pub use idempotency::{IDEMPOTENCY_KEEP_DAYS, Stored};
pub use import::{ImportTx, LayerCounts, StructureCounts, Upserted};
pub use org::{AssignmentRow, CellRow, HouseholdChange, LeadRow, MemberRow, OrgCounts};
pub use org_edit::{CellEdit, LeadEdit, MemberEdit};
pub use org_log::{ORG_IMPORT_AUTHOR, OrgAuthor, OrgChangeRow, OrgVersions, OrgWhat};
pub use outlines::Outline;
pub use plans::PlanVersion;
pub use queries::{
    DonationRow, HouseholdRow, ParcelFilter, ParcelRow, SegmentRow, StructureRow, Timeline,
};
pub use structures::{IMPORT_AUTHOR, StructureEdit, StructureRecorded};
pub use tiles::TileParcel;
pub use users::{Action, Role, User};
pub use versions::ParcelVersion;
pub use wards::{UNNAMED as UNNAMED_WARD, WardId, WardKind, WardRow, slug, valid_ward_code};

use crate::campaign::FeatureId;
use crate::campaign::events::{TransitionError, UnknownStatus};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};
use std::fmt;
use std::path::Path;
use std::time::Duration;

/// The migrations, in order: migration `i` takes the file to version `i + 1`.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_sessions.sql"),
    include_str!("migrations/0003_parcel_status.sql"),
    include_str!("migrations/0004_outlines.sql"),
    include_str!("migrations/0005_campaign.sql"),
    include_str!("migrations/0006_figures_from_the_read_model.sql"),
    include_str!("migrations/0007_audit.sql"),
    include_str!("migrations/0008_structure_changes.sql"),
    include_str!("migrations/0009_roles.sql"),
    include_str!("migrations/0010_org_changes.sql"),
    include_str!("migrations/0011_plans.sql"),
    include_str!("migrations/0012_inspections.sql"),
    include_str!("migrations/0013_evaluation.sql"),
    include_str!("migrations/0014_parcel_versions.sql"),
    include_str!("migrations/0015_idempotency.sql"),
    include_str!("migrations/0016_wards.sql"),
    include_str!("migrations/0017_ward_outlines.sql"),
];

/// The version whose migration adds `parcel_status`, filled from the log.
const PARCEL_STATUS_VERSION: i64 = 3;

/// The version whose migration adds the map outlines, derived from the geometry.
const OUTLINES_VERSION: i64 = 4;

/// The version whose migration holds many wards (0016): it rebuilds
/// parents of foreign keys, so it runs with foreign keys off ([`migrate`]).
const WARDS_VERSION: i64 = 16;

/// How much of the database file a connection maps into memory (none).
pub const MMAP_BYTES: i64 = 0;

/// How long a write waits for another writer before giving up with
/// [`StoreError::Busy`].
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// What was looked for and not found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    Parcel,
    Segment,
    Event,
    User,
    Member,
    Grievance,
    Attachment,
    Report,
    Structure,
    Cell,
    Lead,
    Plan,
    Inspection,
    InspectionAction,
    Ward,
}

impl What {
    fn vi(self) -> &'static str {
        match self {
            What::Parcel => "thửa đất",
            What::Segment => "đoạn tuyến",
            What::Event => "sự kiện",
            What::User => "người dùng",
            What::Member => "đảng viên",
            What::Grievance => "kiến nghị",
            What::Attachment => "tệp đính kèm",
            What::Report => "báo cáo",
            What::Structure => "công trình trên đất",
            What::Cell => "chi bộ",
            What::Lead => "ủy viên phụ trách",
            What::Plan => "kế hoạch",
            What::Inspection => "cuộc kiểm tra, giám sát",
            What::InspectionAction => "yêu cầu khắc phục",
            What::Ward => "phường/xã",
        }
    }

    fn en(self) -> &'static str {
        match self {
            What::Parcel => "parcel",
            What::Segment => "segment",
            What::Event => "event",
            What::User => "user",
            What::Member => "party member",
            What::Grievance => "grievance",
            What::Attachment => "attachment",
            What::Report => "report",
            What::Structure => "structure",
            What::Cell => "party cell",
            What::Lead => "area lead",
            What::Plan => "plan",
            What::Inspection => "inspection",
            What::InspectionAction => "required action",
            What::Ward => "ward",
        }
    }
}

impl fmt::Display for What {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.en())
    }
}

/// Everything the store can refuse or fail at.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("không tìm thấy {vi} {id} / {what} {id} not found", vi = .what.vi())]
    NotFound { what: What, id: String },
    #[error(
        "cơ sở dữ liệu có phiên bản lược đồ {found}, mới hơn phiên bản {known} mà chương trình này biết; hãy dùng hiendat mới hơn / the database is at schema version {found}, newer than the {known} this hiendat knows: use a newer hiendat"
    )]
    TooNew { found: i64, known: i64 },
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// A correction that names no event of its parcel, or one already struck out.
    #[error("{0}")]
    Correction(String),
    /// `signed` without a donation record on file.
    #[error("{0}")]
    NoRecord(String),
    /// Something that already exists (a user name).
    #[error("{0}")]
    Conflict(String),
    /// Input the store cannot take (an unknown role, an empty password).
    #[error("{0}")]
    BadInput(String),
    /// Something in the file that hiendat did not write (bad WKB, bad date...).
    #[error("dữ liệu hỏng / corrupt data: {0}")]
    Corrupt(String),
    /// Another writer still held the database when the busy timeout
    /// ([`BUSY_TIMEOUT`]) ran out: nothing was written, the same request
    /// may be sent again.
    #[error("cơ sở dữ liệu đang bận, xin thử lại / database busy, retry")]
    Busy,
    #[error("cơ sở dữ liệu / database: {0}")]
    Sqlite(#[source] rusqlite::Error),
    /// The parcel's version was not the one the write expected
    /// ([`Store::expect_version`]): another write came first; nothing was
    /// written. Holds the parcel's row id.
    #[error("thửa đất đã được người khác sửa / the parcel was changed by someone else")]
    Stale(i64),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                StoreError::Busy
            }
            _ => StoreError::Sqlite(e),
        }
    }
}

impl From<wkb::WkbError> for StoreError {
    fn from(e: wkb::WkbError) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

impl From<UnknownStatus> for StoreError {
    fn from(e: UnknownStatus) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    /// The version the next write transaction expects of a parcel (row id,
    /// version): checked once, inside it ([`Store::expect_version`]).
    expect: Option<(i64, i64)>,
    /// The ward every ward-scoped query reads and writes
    /// ([`Store::use_ward`]; also in `temp.ward_in_use`).
    ward: WardId,
    /// The database holds one ward: whole-table reads need no ward filter.
    only_ward: bool,
}

impl Store {
    /// Opens (creating if needed) the database file and brings it up to
    /// [`SCHEMA_VERSION`].
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Store::init(Connection::open(path)?)
    }

    /// A private database in memory (tests, dry runs).
    pub fn open_in_memory() -> Result<Store> {
        Store::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Store> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Returns the mode now in force ("memory" for an in-memory database).
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        // Reads copy pages from the OS page cache (SQLite's default): a
        // map of the file counts in the server's resident memory once per
        // pooled connection, up to the whole file each (issue 18: a
        // million parcels' server under 1.5 GB).
        conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
        migrate(&mut conn)?;
        versions::watch(&conn)?;
        let ward = wards::first(&conn)?;
        wards::set_current(&conn, ward)?;
        let only_ward = wards::only_one(&conn)?;
        Ok(Store {
            conn,
            expect: None,
            ward,
            only_ward,
        })
    }

    /// How long this connection's writes wait for another writer
    /// ([`BUSY_TIMEOUT`] unless set here).
    pub fn set_busy_timeout(&self, timeout: Duration) -> Result<()> {
        Ok(self.conn.busy_timeout(timeout)?)
    }

    /// Starts a write transaction with `BEGIN IMMEDIATE`: it takes the
    /// write lock first, waiting for it up to the busy timeout, and only
    /// then reads. (A deferred transaction that reads and then writes
    /// cannot wait: in WAL mode SQLite answers "database is locked" at
    /// once when another writer got in between.) Every write of the store
    /// goes through here.
    ///
    /// A version expected of a parcel ([`Store::expect_version`]) is
    /// checked here, inside the transaction, once it holds the write lock:
    /// no other write can come between the check and this one.
    fn write(&mut self) -> Result<Transaction<'_>> {
        let expect = self.expect.take();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let Some((parcel, version)) = expect {
            versions::check(&tx, parcel, version)?;
        }
        Ok(tx)
    }

    /// The file's schema version (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// The ids (sorted) of the current ward's parcels whose bounding box
    /// meets the lon/lat box `[min, max]`.
    pub fn parcels_in_bbox(&self, min: [f64; 2], max: [f64; 2]) -> Result<Vec<FeatureId>> {
        let mut st = self.conn.prepare_cached(
            "SELECT p.fid, p.fid_is_number FROM parcel_bbox b CROSS JOIN parcels p ON p.id = b.id
             WHERE b.max_lon >= ?1 AND b.min_lon <= ?2 AND b.max_lat >= ?3 AND b.min_lat <= ?4
               AND p.ward = ?5",
        )?;
        let mut ids = st
            .query_map((min[0], max[0], min[1], max[1], self.ward.0), |r| {
                Ok(feature_id(r.get(0)?, r.get(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        ids.sort();
        Ok(ids)
    }

    /// The lon/lat extent of the current ward's parcels `[min_lon,
    /// min_lat, max_lon, max_lat]` (kept in `wards` by every import), or
    /// `None` for a ward without parcels.
    pub fn bounds(&self) -> Result<Option<[f64; 4]>> {
        Ok(self.ward_row()?.bounds)
    }

    /// The store's row id of a parcel.
    fn parcel_key(&self, id: &FeatureId) -> Result<i64> {
        self.conn
            .query_row(
                "SELECT id FROM parcels WHERE ward = ?2 AND fid = ?1",
                (id.as_str(), self.ward.0),
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: What::Parcel,
                id: id.to_string(),
            })
    }
}

/// A feature id from its stored text and number flag.
fn feature_id(text: String, is_number: bool) -> FeatureId {
    if is_number {
        FeatureId::Number(text)
    } else {
        FeatureId::Text(text)
    }
}

/// Applies the migrations the file lacks, one transaction each.
///
/// Each transaction begins `BEGIN IMMEDIATE` and reads the version inside
/// it, under the write lock: two processes upgrading the same file at once
/// take turns, and the second finds the migrations already applied
/// instead of running them again. (A file already current takes no lock.)
///
/// The wards' migration ([`WARDS_VERSION`]) rebuilds tables other tables
/// refer to, which SQLite allows only with foreign keys off (and that
/// pragma is a no-op inside a transaction): it runs with them off, checks
/// every reference with `foreign_key_check` before committing, and turns
/// them back on whatever happened.
fn migrate(conn: &mut Connection) -> Result<()> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found,
            known: SCHEMA_VERSION,
        });
    }
    if found == SCHEMA_VERSION {
        return Ok(());
    }
    loop {
        // read again without the lock: only a guess of what comes next,
        // checked under it ([`migrate_one`])
        let guess: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let fk_off = guess + 1 == WARDS_VERSION;
        if fk_off {
            conn.pragma_update(None, "foreign_keys", false)?;
        }
        let done = migrate_one(conn, fk_off);
        if fk_off {
            conn.pragma_update(None, "foreign_keys", true)?;
        }
        if done? {
            return Ok(());
        }
    }
}

/// Applies the next migration the file lacks, in one transaction; `true`
/// when there was none left. `fk_off`: foreign keys are off, as only the
/// wards' migration runs (another process may have migrated meanwhile:
/// then nothing is done, and the caller tries again).
fn migrate_one(conn: &mut Connection, fk_off: bool) -> Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found,
            known: SCHEMA_VERSION,
        });
    }
    if found == SCHEMA_VERSION {
        return Ok(true);
    }
    let next = found + 1;
    if (next == WARDS_VERSION) != fk_off {
        return Ok(false);
    }
    let sql = usize::try_from(found)
        .ok()
        .and_then(|i| MIGRATIONS.get(i))
        .ok_or_else(|| StoreError::Corrupt(format!("user_version {found}")))?;
    tx.execute_batch(sql)?;
    if next == PARCEL_STATUS_VERSION {
        events::rebuild_parcel_status(&tx)?;
    }
    if next == OUTLINES_VERSION {
        outlines::mark_on_upgrade(&tx)?;
    }
    if next == WARDS_VERSION {
        wards::on_upgrade(&tx)?;
        foreign_key_check(&tx)?;
    }
    tx.pragma_update(None, "user_version", next)?;
    tx.commit()?;
    Ok(false)
}

/// Every reference still holds (SQLite's 12-step table rebuild, step 10):
/// else [`StoreError::Corrupt`] naming the first that does not.
fn foreign_key_check(conn: &Connection) -> Result<()> {
    let bad: Option<String> = conn
        .query_row(
            "SELECT \"table\" || ' → ' || parent || ' (rowid ' || coalesce(rowid, '?') || ')'
             FROM pragma_foreign_key_check LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    match bad {
        Some(bad) => Err(StoreError::Corrupt(format!("foreign_key_check: {bad}"))),
        None => Ok(()),
    }
}

/// The write lock of a database held by a test (`BEGIN IMMEDIATE`),
/// released (rolled back) when dropped.
#[cfg(test)]
pub(crate) struct WriteLock<'a>(&'a Connection);

#[cfg(test)]
impl Drop for WriteLock<'_> {
    fn drop(&mut self) {
        let _ = self.0.execute_batch("ROLLBACK");
    }
}

#[cfg(test)]
impl Store {
    /// Takes the write lock as another writer would, until the guard drops.
    pub(crate) fn hold_write_lock_for_tests(&self) -> Result<WriteLock<'_>> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(WriteLock(&self.conn))
    }
}
