//! Idempotent writes (issue 15, item 3): a phone's queue sends each write
//! with an `Idempotency-Key` and sends it again until it hears an answer;
//! the server writes it once.
//!
//! [`idempotency`], a middleware inside [`super::guard`] (which found the
//! caller), takes every POST/PUT/PATCH/DELETE under `/api/` from a
//! logged-in user that carries the header:
//!
//! - The key: 1–128 characters of `A-Z a-z 0-9 . _ : -`, else 422
//!   `invalid_idempotency_key`. Keys are per user: another user's same key
//!   is another key.
//! - The first request with a key runs, and its answer (status, content
//!   type, `ETag`, body) is kept with a fingerprint of the request (SHA-256
//!   of method, path with query, body) when it is a 2xx. A refusal wrote
//!   nothing and is not kept: a retry is judged afresh, for the caller's
//!   scope of the day and logged as any read (a stale `If-Match` stays
//!   stale, versions only move up, so a conflict meets its conflict again);
//!   keeping a 412 would keep the parcel it shows for 30 days.
//! - Not on the users' routes (`/api/users…`): their bodies hold passwords,
//!   whose fingerprint is not kept anywhere; a key there is ignored.
//! - The same key again with the same request: the kept answer, same
//!   status, byte for byte the same body, `Idempotent-Replayed: true`,
//!   nothing written. With another request: 422 `idempotency_key_reused`.
//! - Two requests with the same user and key at once: the second waits
//!   for the first (a lock per user and key, in this process) and is then
//!   its replay.
//! - The request runs on its own task: a client that goes away (the phone
//!   lost its signal) does not cancel it half-way, and its answer is kept
//!   for the retry.
//! - Kept [`crate::store::IDEMPOTENCY_KEEP_DAYS`] days (older keys are purged when one
//!   is stored); answers over [`MAX_KEPT_BODY`] are not kept.
//!
//! The window left open: the handler's write and the keeping of its answer
//! are two transactions. A process that dies between them (a crash, a
//! kill, a power cut, within milliseconds) has written and kept no key, and
//! the retry writes again. Closing it would mean every handler writing the
//! key in its own transaction; the parcel versions narrow it for the field
//! page, which sends `If-Match`: the retry of a write that did land meets a
//! moved version and is a 412, not a second write.

use super::{ApiError, AppState, Caller};
use crate::store::Stored;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The request header.
pub const HEADER: &str = "idempotency-key";

/// The header that marks a replayed answer.
pub const REPLAYED: &str = "idempotent-replayed";

/// The longest key.
const MAX_KEY: usize = 128;

/// Largest answer body kept (write answers are a few hundred bytes; a
/// conflict's 412 holds the parcel, a few KB).
pub const MAX_KEPT_BODY: usize = 256 * 1024;

/// The lock of one (user, key).
type KeyLock = Arc<tokio::sync::Mutex<()>>;

/// The locks per (user, key) of the requests running now.
#[derive(Debug, Default, Clone)]
pub(super) struct Locks(Arc<Mutex<HashMap<(i64, String), KeyLock>>>);

impl Locks {
    fn of(&self, user: i64, key: &str) -> KeyLock {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(m.entry((user, key.to_string())).or_default())
    }

    /// Forgets the lock of (user, key) when nobody else holds or waits on it.
    fn release(&self, user: i64, key: &str, lock: KeyLock) {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        // the map's and ours: nobody waits
        if Arc::strong_count(&lock) <= 2 {
            m.remove(&(user, key.to_string()));
        }
    }
}

/// A valid key, or the 422 naming the header.
fn parse_key(v: &HeaderValue) -> Result<String, ApiError> {
    let ok = v.to_str().ok().filter(|k| {
        !k.is_empty()
            && k.len() <= MAX_KEY
            && k.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
    });
    ok.map(String::from).ok_or_else(|| {
        ApiError::Unprocessable(
            "invalid_idempotency_key",
            format!(
                "Idempotency-Key: cần 1–{MAX_KEY} ký tự chữ, số hoặc . _ : - / Idempotency-Key: 1 to {MAX_KEY} letters, digits or . _ : -"
            ),
        )
    })
}

/// The fingerprint of a request: SHA-256 of method, path with query, body.
fn fingerprint(method: &Method, path_and_query: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_str().as_bytes());
    h.update(b"\n");
    h.update(path_and_query.as_bytes());
    h.update(b"\n");
    h.update(body);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether an answer with this status is kept.
fn kept(status: StatusCode) -> bool {
    status.is_success()
}

/// A kept answer, sent again.
fn replay(s: Stored) -> Response {
    let mut r = Response::new(Body::from(s.body));
    *r.status_mut() = StatusCode::from_u16(s.status).unwrap_or(StatusCode::OK);
    let h = r.headers_mut();
    if let Some(ct) = s.content_type.and_then(|v| HeaderValue::from_str(&v).ok()) {
        h.insert(header::CONTENT_TYPE, ct);
    }
    if let Some(tag) = s.etag.and_then(|v| HeaderValue::from_str(&v).ok()) {
        h.insert(header::ETAG, tag);
    }
    h.insert(REPLAYED, HeaderValue::from_static("true"));
    // built outside the API router's no-store layer
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The middleware (see the module's text).
pub(super) async fn idempotency(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let path = req.uri().path();
    if safe || !path.starts_with("/api/") || path.starts_with("/api/users") {
        return next.run(req).await;
    }
    let Some(raw) = req.headers().get(HEADER) else {
        return next.run(req).await;
    };
    let key = match parse_key(raw) {
        Ok(k) => k,
        Err(e) => return e.into_response(),
    };
    // guard put the caller of every write there (login and logout: none)
    let Some(user) = req.extensions().get::<Caller>().and_then(|c| c.0.clone()) else {
        return next.run(req).await;
    };
    let (parts, body) = req.into_parts();
    // the route's own limit: only an upload may be larger than the rest
    let limit = if super::guard::upload(parts.uri.path()) {
        crate::store::ATTACHMENT_MAX_BYTES.max(super::BODY_LIMIT) + 1
    } else {
        super::BODY_LIMIT + 1
    };
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::TooLarge(
                "nội dung yêu cầu quá giới hạn / the request body is over the limit".into(),
            )
            .into_response();
        }
    };
    // as sent, with its ward prefix (`/w/{code}/…`): the same key and body
    // sent to two wards are two requests; unprefixed, as before wards
    let uri = parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map_or(&parts.uri, |o| &o.0);
    let path = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_string(), |p| p.as_str().to_string());
    let print = fingerprint(&parts.method, &path, &bytes);
    let req = Request::from_parts(parts, Body::from(bytes));
    // Its own task: a client that goes away does not cancel the write
    // half-way, and the answer is kept for the retry.
    let task = tokio::spawn(async move {
        let locks = state.idempotency_locks();
        let lock = locks.of(user.id, &key);
        let held = Arc::clone(&lock).lock_owned().await;
        let out = run(&state, user.id, &key, print, req, next).await;
        drop(held);
        locks.release(user.id, &key, lock);
        out
    });
    match task.await {
        Ok(r) => r,
        Err(e) => ApiError::Internal(format!("idempotent request: {e}")).into_response(),
    }
}

/// Under the lock of (user, key): the kept answer, or the request run and
/// its answer kept.
async fn run(
    state: &AppState,
    user: i64,
    key: &str,
    print: String,
    req: Request,
    next: Next,
) -> Response {
    let k = key.to_string();
    let found = state.blocking(move |s| Ok(s.idempotent(user, &k)?)).await;
    match found {
        Err(e) => return e.into_response(),
        Ok(Some(s)) if s.fingerprint != print => {
            return ApiError::Unprocessable(
                "idempotency_key_reused",
                "Idempotency-Key: khóa này đã dùng cho một yêu cầu khác / Idempotency-Key: this key was used for another request".into(),
            )
            .into_response();
        }
        Ok(Some(s)) => return replay(s),
        Ok(None) => {}
    }
    let r = next.run(req).await;
    if !kept(r.status()) {
        return r;
    }
    let (parts, body) = r.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_KEPT_BODY).await {
        Ok(b) => b,
        // too large to keep (no write route answers that much): the answer
        // cannot be sent whole either
        Err(_) => {
            return ApiError::Internal("write answer over the kept limit".into()).into_response();
        }
    };
    let header = |name: header::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    };
    let stored = Stored {
        fingerprint: print,
        status: parts.status.as_u16(),
        content_type: header(header::CONTENT_TYPE),
        etag: header(header::ETAG),
        body: bytes.to_vec(),
    };
    let k = key.to_string();
    if let Err(e) = state
        .blocking(move |s| Ok(s.keep_idempotent(user, &k, &stored)?))
        .await
    {
        // written, but the key not kept: say so in the log; the client
        // has its answer
        tracing::error!(error = %e, "idempotency key not kept");
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_short_plain_tokens() {
        for ok in ["a", "q-2026-12-05T08:00:01.123Z_7", &"k".repeat(128)] {
            assert!(
                parse_key(&HeaderValue::from_str(ok).unwrap()).is_ok(),
                "{ok}"
            );
        }
        for bad in ["", "có dấu", "a b", "a/b", &"k".repeat(129)] {
            let v = HeaderValue::from_bytes(bad.as_bytes()).unwrap();
            let e = parse_key(&v).unwrap_err();
            assert!(e.to_string().contains("Idempotency-Key"), "{bad}");
        }
    }

    #[test]
    fn the_fingerprint_tells_method_path_and_body_apart() {
        let f = fingerprint(&Method::POST, "/api/parcels/1/contacts", b"{}");
        assert_eq!(
            f,
            fingerprint(&Method::POST, "/api/parcels/1/contacts", b"{}")
        );
        assert_ne!(
            f,
            fingerprint(&Method::PUT, "/api/parcels/1/contacts", b"{}")
        );
        assert_ne!(
            f,
            fingerprint(&Method::POST, "/api/parcels/2/contacts", b"{}")
        );
        assert_ne!(
            f,
            fingerprint(&Method::POST, "/api/parcels/1/contacts", b"{ }")
        );
    }

    #[test]
    fn successes_are_kept_refusals_and_failures_are_not() {
        assert!(kept(StatusCode::CREATED) && kept(StatusCode::OK));
        assert!(!kept(StatusCode::CONFLICT) && !kept(StatusCode::PRECONDITION_FAILED));
        for s in [400, 401, 403, 404, 413, 422, 429, 500, 503] {
            assert!(!kept(StatusCode::from_u16(s).unwrap()), "{s}");
        }
    }
}
