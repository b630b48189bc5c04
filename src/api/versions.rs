//! Parcel versions over HTTP (issue 15, item 4): no write from a stale
//! screen silently overwrites a newer one.
//!
//! Every parcel has a version that moves on every write touching it (the
//! store's triggers, migration 0014). `GET /api/parcels/{id}` answers it as
//! `ETag` ([`etag`]). [`versions`], one middleware around the router, takes
//! every write on a parcel:
//!
//! - `POST /api/parcels/{id}/events|contacts|grievances|records|attachments|assignment`,
//!   `PATCH /api/parcels/{id}/household`, `POST /api/parcels/{id}/structures`,
//!   `PUT/DELETE /api/parcels/{id}/structures/{sid}`,
//!   `POST /api/grievances/{gid}/answer` (the grievance's parcel).
//! - With `If-Match` (the `ETag`; `*` = any version): a version that is not
//!   the parcel's now is `412` with `{"error": {"code": "stale", "message"}, "current"
//!   (the parcel as `GET /api/parcels/{id}` answers this caller), "version"}`
//!   and the `ETag` header, nothing written. The check is made again inside
//!   the write's own `BEGIN IMMEDIATE` transaction (`Store::expect_version`,
//!   through [`super::AppState::blocking`]): a write that came between the
//!   first check and the transaction makes it 412 too, never an overwrite.
//! - Without `If-Match` the write goes as before.
//! - A successful write answers the `ETag` its own write left (read from
//!   the connection that wrote, so a later writer's version is never handed
//!   out as this one's) and, when its body is a JSON object without a
//!   `version` of its own (the structure routes answer the structure's),
//!   `"version"`.

use super::{ApiError, AppState, Caller};
use crate::store::{Action, Store};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use std::sync::{Arc, Mutex};

/// Largest answer body the middleware reads to add `"version"` (write
/// answers are a few hundred bytes).
const MAX_BODY: usize = 1 << 20;

/// A parcel's (row id) version as an `ETag` value (quoted).
pub(super) fn etag(parcel: i64, version: i64) -> String {
    format!("\"p{parcel}v{version}\"")
}

/// The write on a parcel the request makes: the version it expects, and
/// the one its write left (set by [`AppState::blocking`]).
#[derive(Debug)]
pub(super) struct ParcelWrite {
    pub key: i64,
    pub expect: Option<i64>,
    pub written: Mutex<Option<i64>>,
}

tokio::task_local! {
    /// The parcel write of the request being handled on this task.
    pub(super) static PARCEL_WRITE: Arc<ParcelWrite>;
}

/// Before a handler's store work on the blocking pool: the version the
/// connection's next write must find (once per request: after a write, the
/// request's own triggers have moved it).
pub(super) fn before(s: &mut Store, w: Option<&Arc<ParcelWrite>>) -> Result<(), ApiError> {
    if let Some(w) = w {
        let written = w
            .written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some();
        let expect = w.expect.filter(|_| !written).map(|v| (w.key, v));
        s.expect_version(expect)?;
    }
    Ok(())
}

/// After it: keeps the version its writes left, and clears the expectation.
pub(super) fn after(s: &mut Store, w: Option<&Arc<ParcelWrite>>) {
    if let Some(w) = w {
        if let Ok(Some(v)) = s.written_version(w.key) {
            *w.written.lock().unwrap_or_else(|e| e.into_inner()) = Some(v);
        }
        let _ = s.expect_version(None);
    }
}

/// Which parcel a write's path names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Parcel(String),
    Grievance(i64),
}

/// The parcel write a request is, if it is one.
fn target(method: &Method, path: &str) -> Option<Target> {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    match (method, parts.as_slice()) {
        (&Method::POST, ["", "api", "parcels", id, what])
            if matches!(
                *what,
                "events"
                    | "contacts"
                    | "grievances"
                    | "records"
                    | "attachments"
                    | "assignment"
                    | "structures"
            ) =>
        {
            Some(Target::Parcel(decode(id)))
        }
        (&Method::PATCH, ["", "api", "parcels", id, "household"]) => {
            Some(Target::Parcel(decode(id)))
        }
        (&Method::PUT | &Method::DELETE, ["", "api", "parcels", id, "structures", _]) => {
            Some(Target::Parcel(decode(id)))
        }
        (&Method::POST, ["", "api", "grievances", gid, "answer"]) => {
            gid.parse().ok().map(Target::Grievance)
        }
        _ => None,
    }
}

/// A path segment percent-decoded (as axum's `Path` gives it to handlers).
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What `If-Match` asks: nothing, any version, or one of these tags.
#[derive(Debug, Clone, PartialEq, Eq)]
enum IfMatch {
    Absent,
    Any,
    Tags(Vec<String>),
}

fn if_match(h: &HeaderMap) -> IfMatch {
    let values: Vec<&str> = h
        .get_all(header::IF_MATCH)
        .iter()
        .map(|v| v.to_str().unwrap_or(""))
        .collect();
    if values.is_empty() {
        return IfMatch::Absent;
    }
    let tags: Vec<String> = values
        .iter()
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/").to_string())
        .filter(|t| !t.is_empty())
        .collect();
    if tags.iter().any(|t| t == "*") {
        IfMatch::Any
    } else {
        IfMatch::Tags(tags)
    }
}

/// "28/11/2026 14:05" in the ward's time, from an RFC 3339 instant.
fn when(at: &str) -> String {
    match crate::campaign::clock::parse_instant(at) {
        Some(t) => {
            let local = t + chrono::Duration::minutes(crate::campaign::clock::UTC_OFFSET_MINUTES);
            local.format("%d/%m/%Y %H:%M").to_string()
        }
        None => at.to_string(),
    }
}

/// The 412 for a write on the parcel `id` (row id `key`) made from a stale
/// version: the parcel as `GET /api/parcels/{id}` answers `caller` now.
async fn stale(state: &AppState, caller: Caller, key: i64, id: String) -> Response {
    let built = state
        .blocking(move |s| {
            // a caller who may not write here hears that, never who changed it
            if let Err(e) = caller.require_on_parcel(s, Action::Record, &id) {
                caller
                    .require_on_parcel(s, Action::EditOrg, &id)
                    .map_err(|_| e)?;
            }
            let v = s.parcel_version(key)?;
            let (current, tag) = super::parcels::parcel_answer(s, &caller, &id, NaiveDate::MAX)?;
            let current: serde_json::Value = serde_json::from_str(current.as_str())
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            let by = v.changed_by.clone();
            let at = v.changed_at.as_deref().map(when);
            let message = match (by, at) {
                (Some(by), Some(at)) => format!(
                    "Thửa {id} đã được {by} thay đổi lúc {at}, sau khi bạn mở; hãy xem bản mới nhất rồi quyết định / Parcel {id} was changed by {by} at {at}, after you opened it: look at the latest version and decide"
                ),
                (None, Some(at)) => format!(
                    "Thửa {id} đã được thay đổi lúc {at} (không ghi người sửa), sau khi bạn mở; hãy xem bản mới nhất rồi quyết định / Parcel {id} was changed at {at} (author not recorded), after you opened it: look at the latest version and decide"
                ),
                _ => format!(
                    "Thửa {id} đã được thay đổi sau khi bạn mở; hãy xem bản mới nhất rồi quyết định / Parcel {id} was changed after you opened it: look at the latest version and decide"
                ),
            };
            let body = serde_json::json!({
                "error": { "code": "stale", "message": message },
                "current": current,
                "version": v.version,
            });
            Ok((body, tag))
        })
        .await;
    match built {
        Ok((body, tag)) => {
            let mut r = (
                StatusCode::PRECONDITION_FAILED,
                // built outside the API router's no-store layer
                [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
                axum::Json(body),
            )
                .into_response();
            if let Some(tag) = tag.and_then(|t| HeaderValue::from_str(&t).ok()) {
                r.headers_mut().insert(header::ETAG, tag);
            }
            r
        }
        Err(e) => e.into_response(),
    }
}

/// The middleware (see the module's text). Runs after [`super::guard`]
/// found the caller of the write.
pub(super) async fn versions(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(t) = target(req.method(), req.uri().path()) else {
        return next.run(req).await;
    };
    let caller = req
        .extensions()
        .get::<Caller>()
        .cloned()
        .unwrap_or(Caller(None));
    let asked = if_match(req.headers());
    let found = state
        .blocking(move |s| {
            let id = match t {
                Target::Parcel(id) => id,
                Target::Grievance(g) => match s.grievance_parcel(g) {
                    Ok(Some(id)) => id,
                    _ => return Ok(None),
                },
            };
            let Ok(key) = s.parcel_row_id(&id) else {
                return Ok(None);
            };
            Ok(Some((id, key, s.parcel_version(key)?.version)))
        })
        .await;
    let (id, key, now) = match found {
        Ok(Some(f)) => f,
        // no such parcel or grievance: the handler answers its 404
        Ok(None) => return next.run(req).await,
        Err(e) => return e.into_response(),
    };
    let expect = match &asked {
        IfMatch::Tags(tags) => {
            if !tags.contains(&etag(key, now)) {
                return stale(&state, caller, key, id).await;
            }
            Some(now)
        }
        IfMatch::Absent | IfMatch::Any => None,
    };
    let w = Arc::new(ParcelWrite {
        key,
        expect,
        written: Mutex::new(None),
    });
    let r = PARCEL_WRITE.scope(Arc::clone(&w), next.run(req)).await;
    if r.status() == StatusCode::PRECONDITION_FAILED {
        // the check inside the write's transaction: another write came first
        return stale(&state, caller, key, id).await;
    }
    if !r.status().is_success() {
        return r;
    }
    let written = *w.written.lock().unwrap_or_else(|e| e.into_inner());
    let version = match written {
        Some(v) => v,
        // the write changed nothing (a flag set to what it was)
        None => match state.blocking(move |s| Ok(s.parcel_version(key)?)).await {
            Ok(v) => v.version,
            Err(e) => return e.into_response(),
        },
    };
    with_version(r, key, version).await
}

/// `r` with the `ETag` of `version` and, in a JSON object body without a
/// `version`, `"version"`.
async fn with_version(r: Response, key: i64, version: i64) -> Response {
    let (mut parts, body) = r.into_parts();
    if let Ok(tag) = HeaderValue::from_str(&etag(key, version)) {
        parts.headers.insert(header::ETAG, tag);
    }
    let json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !json {
        return Response::from_parts(parts, body);
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return ApiError::Internal("write answer over its limit".into()).into_response();
    };
    let out = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut m)) if !m.contains_key("version") => {
            m.insert("version".into(), version.into());
            serde_json::to_vec(&m).map_or(bytes, Into::into)
        }
        _ => bytes,
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_writes_on_a_parcel_are_told_by_their_path() {
        let p = |s: &str| Some(Target::Parcel(s.to_string()));
        assert_eq!(target(&Method::POST, "/api/parcels/12/events"), p("12"));
        assert_eq!(
            target(&Method::POST, "/api/parcels/a%20b/contacts"),
            p("a b")
        );
        assert_eq!(target(&Method::PATCH, "/api/parcels/7/household"), p("7"));
        assert_eq!(target(&Method::PUT, "/api/parcels/7/structures/3"), p("7"));
        assert_eq!(
            target(&Method::DELETE, "/api/parcels/7/structures/3"),
            p("7")
        );
        assert_eq!(
            target(&Method::POST, "/api/grievances/5/answer"),
            Some(Target::Grievance(5))
        );
        assert_eq!(target(&Method::GET, "/api/parcels/12/events"), None);
        assert_eq!(target(&Method::POST, "/api/parcels/12/record"), None);
        assert_eq!(target(&Method::POST, "/api/plans"), None);
    }

    #[test]
    fn if_match_reads_lists_weak_tags_and_any() {
        let h = |v: &'static str| {
            let mut m = HeaderMap::new();
            m.insert(header::IF_MATCH, HeaderValue::from_static(v));
            m
        };
        assert_eq!(if_match(&HeaderMap::new()), IfMatch::Absent);
        assert_eq!(if_match(&h("*")), IfMatch::Any);
        assert_eq!(
            if_match(&h("\"p1v2\", W/\"p1v3\"")),
            IfMatch::Tags(vec!["\"p1v2\"".into(), "\"p1v3\"".into()])
        );
        assert_eq!(etag(1, 2), "\"p1v2\"");
    }

    #[test]
    fn the_change_time_reads_in_the_wards_time() {
        assert_eq!(when("2026-11-28T07:05:00Z"), "28/11/2026 14:05");
        assert_eq!(when("2026-11-28T20:00:00+00:00"), "29/11/2026 03:00");
    }
}
