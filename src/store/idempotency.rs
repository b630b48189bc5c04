//! Idempotency keys (migration 0015): the answer to a user's write, kept
//! under the key its client sent, so that the same write sent again is
//! answered from here instead of written twice.

use super::{Result, Store};
use rusqlite::OptionalExtension;

/// How long a key is kept.
pub const IDEMPOTENCY_KEEP_DAYS: i64 = 30;

/// A kept answer and the request it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// Of the request's method, path and body (hex).
    pub fingerprint: String,
    pub status: u16,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub body: Vec<u8>,
}

impl Store {
    /// The answer kept under `key` for `user` (a users.id), if any.
    pub fn idempotent(&self, user: i64, key: &str) -> Result<Option<Stored>> {
        Ok(self
            .conn
            .query_row(
                "SELECT fingerprint, status, content_type, etag, body FROM idempotency_keys
                 WHERE user = ?1 AND key = ?2",
                (user, key),
                |r| {
                    Ok(Stored {
                        fingerprint: r.get(0)?,
                        status: r.get(1)?,
                        content_type: r.get(2)?,
                        etag: r.get(3)?,
                        body: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    /// Keeps `answer` under `key` for `user` (a key already kept stays as
    /// it is); forgets the keys older than [`IDEMPOTENCY_KEEP_DAYS`].
    pub fn keep_idempotent(&mut self, user: i64, key: &str, answer: &Stored) -> Result<()> {
        let now = crate::campaign::clock::now();
        let old = now - chrono::Duration::days(IDEMPOTENCY_KEEP_DAYS);
        let tx = self.write()?;
        tx.execute(
            "DELETE FROM idempotency_keys WHERE created_at < ?1",
            [old.to_rfc3339()],
        )?;
        tx.execute(
            "INSERT OR IGNORE INTO idempotency_keys
               (user, key, fingerprint, status, content_type, etag, body, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            (
                user,
                key,
                &answer.fingerprint,
                answer.status,
                &answer.content_type,
                &answer.etag,
                &answer.body,
                now.to_rfc3339(),
            ),
        )?;
        tx.commit()?;
        Ok(())
    }
}
