//! Many wards in one service (issue 18, item 2): which ward a request is
//! for, and the province's comparison of its wards.
//!
//! - [`strip_prefix`], before routing: `/w/{code}/rest` is served as
//!   `/rest` (and `/w/{code}` as `/`), with [`WardPath`] and the
//!   [`OriginalUri`] kept in the request. Routes, the guard, the versions
//!   middleware, openapi and the page's files see the path they always saw.
//! - [`resolve`], inside the guard and the idempotency middleware (which
//!   runs the request on its own task), outside the versions one: decides
//!   the ward (below), or refuses, and runs the rest of the request within
//!   [`WARD`], a task-local read by [`AppState::blocking`], which puts every
//!   connection in it (a pooled connection never keeps the last request's
//!   ward).
//!   1. `/w/{code}/…`: that ward (404 `no_such_ward`); a user of another
//!      ward gets 403 `out_of_ward` (anonymous visitors may open any ward:
//!      the public map is public).
//!   2. no prefix: the user's ward; else `serve --ward`'s; else the only
//!      ward; else (a province-level user or a visitor, several wards) the
//!      ward's routes answer 400 `ward_required`, the province's answer.
//! - `GET /api/wards`: each ward's figures ([`crate::campaign::province`])
//!   and the province's sums; `GET /api/wards/outlines`: the wards' outlines.

use super::geojson::write_tally;
use super::json::Out;
use super::params::as_of;
use super::{ApiError, AppState, Caller};
use crate::campaign::events::Audience;
use crate::campaign::figures::round;
use crate::campaign::province::{self, WardSummary};
use crate::store::{Action, Store, User, WardId, WardRow};
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{OriginalUri, Query, Request, State};
use axum::http::{StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

tokio::task_local! {
    /// The ward the request running now is for ([`resolve`]).
    pub(super) static WARD: WardId;
}

/// The ward code a request's path named (`/w/{code}/…`).
#[derive(Debug, Clone)]
pub(super) struct WardPath(pub String);

/// The ward [`resolve`] chose for the request (none: a province-level
/// request on a database of several wards).
#[derive(Debug, Clone)]
pub(super) struct Chosen(pub Option<WardRow>);

/// Rewrites `/w/{code}/rest` to `/rest` before routing (see the module's text).
pub(super) fn strip_prefix(mut req: Request) -> Request {
    let uri = req.uri().clone();
    let Some(rest) = uri.path().strip_prefix("/w/") else {
        return req;
    };
    let (code, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if code.is_empty() {
        return req;
    }
    let pq = match uri.query() {
        Some(q) => format!("{tail}?{q}"),
        None => tail.to_string(),
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = pq.parse().ok();
    let Ok(stripped) = Uri::from_parts(parts) else {
        return req;
    };
    let code = code.to_string();
    if req.extensions().get::<OriginalUri>().is_none() {
        req.extensions_mut().insert(OriginalUri(uri));
    }
    req.extensions_mut().insert(WardPath(code));
    *req.uri_mut() = stripped;
    req
}

/// Routes answered without a ward (they use one when there is one).
fn province_route(path: &str) -> bool {
    matches!(
        path,
        "/api/wards"
            | "/api/wards/outlines"
            | "/api/config"
            | "/api/version"
            | "/api/me"
            | "/api/login"
            | "/api/logout"
            | "/api/openapi.json"
            | "/healthz"
    ) || path.starts_with("/api/users")
}

/// Province routes that never use a ward.
fn wardless(path: &str) -> bool {
    matches!(
        path,
        "/api/login"
            | "/api/logout"
            | "/api/openapi.json"
            | "/healthz"
            | "/api/wards"
            | "/api/wards/outlines"
    ) || path.starts_with("/api/users")
}

/// A refusal with its own code (the API's error shape).
fn refuse(status: StatusCode, code: &str, message: String) -> Response {
    (
        status,
        axum::Json(json!({ "error": { "code": code, "message": message } })),
    )
        .into_response()
}

/// Why no ward could be chosen.
#[derive(Debug, PartialEq)]
enum Refusal {
    NoSuchWard(String),
    OutOfWard(String),
}

/// The ward of a request: `wanted` (the prefix), the user's own ward, the
/// server's default, the only ward; `Ok(None)` when none of these decides.
fn decide(
    wards: &[WardRow],
    wanted: Option<&str>,
    user_ward: Option<&WardId>,
    default: Option<&WardId>,
) -> Result<Option<WardRow>, Refusal> {
    if let Some(code) = wanted {
        let w = wards
            .iter()
            .find(|w| w.code == code)
            .ok_or_else(|| Refusal::NoSuchWard(code.to_string()))?;
        if user_ward.is_some_and(|u| *u != w.id) {
            return Err(Refusal::OutOfWard(w.name.clone()));
        }
        return Ok(Some(w.clone()));
    }
    let by_id = |id: &WardId| wards.iter().find(|w| w.id == *id).cloned();
    if let Some(u) = user_ward {
        return Ok(by_id(u));
    }
    if let Some(d) = default.and_then(by_id) {
        return Ok(Some(d));
    }
    Ok(match wards {
        [only] => Some(only.clone()),
        _ => None,
    })
}

/// The middleware (see the module's text).
pub(super) async fn resolve(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    let wanted = req.extensions().get::<WardPath>().map(|w| w.0.clone());
    // `/w/{code}` without its slash: the page's relative addresses need it
    if let (Some(code), Some(OriginalUri(original))) =
        (&wanted, req.extensions().get::<OriginalUri>())
        && original.path() == format!("/w/{code}")
        && crate::store::valid_ward_code(code)
    {
        let to = match original.query() {
            Some(q) => format!("/w/{code}/?{q}"),
            None => format!("/w/{code}/"),
        };
        return axum::response::Redirect::permanent(&to).into_response();
    }
    let api = path.starts_with("/api/") || path.starts_with("/tiles/");
    // The page's files need no ward (only an existing one, when named),
    // nor do the session's and the users' routes: unprefixed, they cost
    // no more than before wards.
    if wanted.is_none() && (!api || wardless(&path)) {
        return next.run(req).await;
    }
    let known = req.extensions().get::<Caller>().cloned();
    let token = match (&known, api) {
        (None, true) => super::auth::session_token(req.headers()),
        _ => None,
    };
    let default = state.default_ward;
    let found = state
        .blocking(move |s| {
            let caller = match known {
                Some(c) => c,
                None => Caller(match token {
                    Some(t) => s.session_user(&t)?,
                    None => None,
                }),
            };
            let wards = s.wards()?;
            let user_ward = caller.0.as_ref().and_then(|u| u.ward);
            let pick = decide(
                &wards,
                wanted.as_deref(),
                user_ward.as_ref(),
                default.as_ref(),
            );
            Ok((caller, pick))
        })
        .await;
    let (caller, pick) = match found {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let ward = match pick {
        Ok(w) => w,
        Err(Refusal::NoSuchWard(code)) => {
            return refuse(
                StatusCode::NOT_FOUND,
                "no_such_ward",
                format!("không có phường/xã mã \"{code}\" / no ward with code \"{code}\""),
            );
        }
        Err(Refusal::OutOfWard(name)) => {
            return refuse(
                StatusCode::FORBIDDEN,
                "out_of_ward",
                format!("{name}: ngoài phường/xã của bạn / {name}: outside your ward"),
            );
        }
    };
    if ward.is_none() && api && !province_route(&path) {
        return ApiError::BadRequest(
            "ward_required",
            "chọn phường/xã: /w/{mã}/… (xem /api/wards) / choose a ward: /w/{code}/… (see /api/wards)"
                .into(),
        )
        .into_response();
    }
    if api {
        req.extensions_mut().insert(caller);
    }
    req.extensions_mut().insert(Chosen(ward.clone()));
    match ward {
        Some(w) => WARD.scope(w.id, next.run(req)).await,
        None => next.run(req).await,
    }
}

/// The province routes of this module.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/wards", get(wards))
        .route("/api/wards/outlines", get(outlines))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WardsQuery {
    as_of: Option<String>,
    lag_days: Option<u32>,
}

/// Idle days after which an area lags, when not asked (as the reports).
const LAG_DAYS: u32 = 30;

/// The most `lag_days` may be.
const MAX_LAG_DAYS: u32 = 3650;

/// Whether `user` may read the members' families (đi trước) of ward `w`:
/// a ward-wide sensitive reader of that ward or of the province.
fn sees_first(user: Option<&User>, w: &WardRow) -> bool {
    user.is_some_and(|u| {
        u.role.may(Action::ReadSensitive)
            && !u.role.scoped()
            && u.ward.as_ref().is_none_or(|x| *x == w.id)
    })
}

/// `/w/{code}/` of a ward.
pub(super) fn ward_url(code: &str) -> String {
    format!("/w/{code}/")
}

/// `GET /api/wards?as_of=&lag_days=`: every ward's figures and the
/// province's (anonymous callers read the public statuses; the members'
/// families only for their sensitive readers, logged).
async fn wards(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<WardsQuery>, QueryRejection>,
) -> Result<Out, ApiError> {
    let q = q?.0;
    let date = as_of(q.as_of.as_deref())?;
    let lag_days = q.lag_days.unwrap_or(LAG_DAYS);
    if lag_days > MAX_LAG_DAYS {
        return Err(ApiError::Unprocessable(
            "invalid_query",
            format!("lag_days: tối đa {MAX_LAG_DAYS} / at most {MAX_LAG_DAYS}"),
        ));
    }
    let audience = caller.audience();
    let user = caller.0.clone();
    let facts = state.facts();
    let cache = state.cache_handle();
    state
        .blocking(move |s| {
            let wards = s.wards()?;
            let first: Vec<bool> = wards.iter().map(|w| sees_first(user.as_ref(), w)).collect();
            // the families' read is logged, answered from the cache or not
            if let Some(u) = &user {
                for (w, _) in wards.iter().zip(&first).filter(|x| *x.1) {
                    s.use_ward(w.id)?;
                    let day = (date != NaiveDate::MAX).then_some(date);
                    s.log_access(&u.name, u.role.as_str(), "wards first", None, day)?;
                }
            }
            let version = s.province_version()?;
            let who: String = first.iter().map(|f| if *f { '1' } else { '0' }).collect();
            let key = format!(
                "wards {date} {} {lag_days} {audience:?} {who}",
                crate::campaign::clock::today()
            );
            super::cached_in(&cache, key, version, || {
                let mut sums = Vec::with_capacity(wards.len());
                let mut rows = Vec::with_capacity(wards.len());
                for w in &wards {
                    s.use_ward(w.id)?;
                    let kept = facts.get(s)?;
                    let sum = province::summary(&kept, date, lag_days);
                    rows.push((w, s.data_version()?, sum));
                    sums.push(sum);
                }
                let total = province::province(&sums);
                let mut o = Out::with_capacity(1024 + 700 * rows.len());
                o.begin_object();
                // the day the figures are of (today: everything recorded)
                let today = crate::campaign::clock::today();
                let day = if date == NaiveDate::MAX { today } else { date };
                o.field("as_of", day.to_string());
                o.field("today", today.to_string());
                o.field("province", s.meta("province")?);
                o.field("version", s.province_version()?);
                o.key("totals");
                o.begin_object();
                o.field("wards", rows.len());
                write_summary(&mut o, &total, audience, lag_days, first.iter().any(|f| *f));
                o.end_object();
                o.key("wards");
                o.begin_array();
                for ((w, version, sum), f) in rows.iter().zip(&first) {
                    o.begin_object();
                    o.field("code", &w.code);
                    o.field("name", &w.name);
                    o.field("kind", w.kind.as_str());
                    o.field("town", &w.town);
                    o.field("url", ward_url(&w.code));
                    o.key("bounds");
                    match w.bounds {
                        Some(b) => {
                            o.begin_array();
                            for x in b {
                                o.value(round(x, 7));
                            }
                            o.end_array();
                        }
                        None => o.value(None::<f64>),
                    }
                    o.field("version", version);
                    write_summary(&mut o, sum, audience, lag_days, *f);
                    o.end_object();
                }
                o.end_array();
                o.end_object();
                Ok(o)
            })
        })
        .await
}

/// A ward's (or the province's) figures, in the open object.
fn write_summary(o: &mut Out, s: &WardSummary, audience: Audience, lag_days: u32, first: bool) {
    // the same fields, from the same function, as every summary row
    write_tally(o, &s.tally, audience);
    o.field("segments", s.segments);
    o.field("segments_complete", s.segments_complete);
    o.key("lagging");
    o.begin_object();
    o.field("groups", s.lagging_groups);
    o.field("segments", s.lagging_segments);
    o.field("lag_days", lag_days);
    o.end_object();
    o.field("last_step", s.last_step.map(|d| d.to_string()));
    o.field("idle_days", s.idle_days);
    if first {
        o.key("first");
        o.begin_object();
        o.field("families", s.first.families);
        o.field("went_first", s.first.went_first);
        o.field("share", s.first.share().map(|x| round(x, 4)));
        o.end_object();
    }
}

/// `GET /api/wards/outlines`: each ward's outline (its residential groups'
/// outlines) as GeoJSON, with `code` and `name`, to join to `/api/wards`.
async fn outlines(State(state): State<AppState>) -> Result<Out, ApiError> {
    let cache = state.cache_handle();
    state
        .blocking(move |s| {
            let version = s.province_version()?;
            super::cached_in(&cache, "wards outlines".into(), version, || {
                let wards = s.wards()?;
                let mut o = Out::with_capacity(64 * 1024);
                o.begin_object();
                o.field("type", "FeatureCollection");
                o.key("features");
                o.begin_array();
                for w in &wards {
                    s.use_ward(w.id)?;
                    let polygons: Vec<_> = s
                        .group_outlines()?
                        .into_iter()
                        .flat_map(|g| g.polygons)
                        .collect();
                    if polygons.is_empty() {
                        continue;
                    }
                    o.begin_object();
                    o.field("type", "Feature");
                    o.key("geometry");
                    o.multi_polygon(&polygons);
                    o.key("properties");
                    o.begin_object();
                    o.field("code", &w.code);
                    o.field("name", &w.name);
                    o.field("url", ward_url(&w.code));
                    o.end_object();
                    o.end_object();
                }
                o.end_array();
                o.end_object();
                Ok(o)
            })
        })
        .await
}

/// The wards the caller may open (`/api/config`): a ward user their own,
/// everyone else every ward.
pub(super) fn openable(s: &Store, user: Option<&User>) -> Result<Vec<WardRow>, ApiError> {
    let mut wards = s.wards()?;
    if let Some(w) = user.and_then(|u| u.ward.as_ref()) {
        wards.retain(|x| x.id == *w);
    }
    Ok(wards)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn strip(uri: &str) -> (String, Option<String>, Option<String>) {
        let req = Request::builder().uri(uri).body(Body::empty()).unwrap();
        let req = strip_prefix(req);
        (
            req.uri().to_string(),
            req.extensions().get::<WardPath>().map(|w| w.0.clone()),
            req.extensions()
                .get::<OriginalUri>()
                .map(|u| u.0.to_string()),
        )
    }

    #[test]
    fn the_ward_prefix_is_stripped_before_routing_and_the_original_kept() {
        assert_eq!(
            strip("/w/ngoc-son/api/parcels/12?as_of=2026-11-30"),
            (
                "/api/parcels/12?as_of=2026-11-30".into(),
                Some("ngoc-son".into()),
                Some("/w/ngoc-son/api/parcels/12?as_of=2026-11-30".into())
            )
        );
        assert_eq!(
            strip("/w/ngoc-son"),
            (
                "/".into(),
                Some("ngoc-son".into()),
                Some("/w/ngoc-son".into())
            )
        );
        assert_eq!(
            strip("/api/parcels/12"),
            ("/api/parcels/12".into(), None, None)
        );
        assert_eq!(strip("/w/"), ("/w/".into(), None, None));
    }

    fn ward(id: i64, code: &str) -> WardRow {
        WardRow {
            id: WardId(id),
            code: code.into(),
            name: format!("Phường {code}"),
            kind: crate::store::WardKind::Phuong,
            town: None,
            bounds: None,
        }
    }

    #[test]
    fn the_prefix_then_the_users_ward_then_the_default_then_the_only_ward_decide() {
        let two = [ward(1, "a"), ward(2, "b")];
        let code = |r: Result<Option<WardRow>, Refusal>| r.map(|w| w.map(|w| w.code));
        assert_eq!(
            code(decide(&two, Some("b"), None, None)),
            Ok(Some("b".into()))
        );
        assert_eq!(
            code(decide(&two, Some("c"), None, None)),
            Err(Refusal::NoSuchWard("c".into()))
        );
        // a ward's user: their ward, never the other
        assert_eq!(
            code(decide(&two, Some("b"), Some(&WardId(1)), None)),
            Err(Refusal::OutOfWard("Phường b".into()))
        );
        assert_eq!(
            code(decide(&two, None, Some(&WardId(2)), Some(&WardId(1)))),
            Ok(Some("b".into()))
        );
        assert_eq!(
            code(decide(&two, None, None, Some(&WardId(2)))),
            Ok(Some("b".into()))
        );
        // a province-level caller on several wards: none
        assert_eq!(code(decide(&two, None, None, None)), Ok(None));
        assert_eq!(
            code(decide(&two[..1], None, None, None)),
            Ok(Some("a".into()))
        );
    }

    #[test]
    fn province_routes_answer_without_a_ward() {
        for p in [
            "/api/wards",
            "/api/config",
            "/api/me",
            "/api/users/an",
            "/healthz",
        ] {
            assert!(province_route(p), "{p}");
        }
        for p in [
            "/api/parcels",
            "/api/summary/groups",
            "/api/reports",
            "/tiles/parcels/1/1/1.mvt",
        ] {
            assert!(!province_route(p), "{p}");
        }
    }
}
