//! What the page asks before drawing: how to set itself up
//! (`/api/config`) and whether its data went stale (`/api/version`); and
//! whether the server is up at all (`/healthz`).

use super::wards::{Chosen, openable, ward_url};
use super::{ApiError, AppState, Caller};
use crate::campaign::clock;
use axum::Extension;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

/// The liveness, set-up and version routes.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/config", get(config))
        .route("/api/version", get(version))
}

/// `GET /healthz`: liveness, and whether this is the demo ward.
async fn healthz(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "status": "ok", "demo": state.demo }))
}

/// `GET /api/config`: demo or not, the optional base map, the data's extent,
/// and the ward's clock: the page takes "today" from it, never from the
/// browser's own zone or clock. With several wards: `view` is `"ward"`
/// (the request's ward: `ward`, `ward_code`) or `"province"` (none chosen:
/// the province's extent and version), and `wards` those the caller may
/// open.
async fn config(
    State(state): State<AppState>,
    caller: Caller,
    chosen: Option<Extension<Chosen>>,
) -> Result<Json<Value>, ApiError> {
    let chosen = chosen.and_then(|c| c.0.0);
    let demo = state.demo;
    let basemap = state.basemap.as_deref().map(|url| {
        if url.ends_with(".json") {
            json!({ "kind": "style", "url": url })
        } else {
            json!({ "kind": "raster", "tiles": [url] })
        }
    });
    state
        .blocking(move |s| {
            let wards = openable(s, caller.0.as_ref())?;
            let list: Vec<Value> = wards
                .iter()
                .map(|w| json!({ "code": w.code, "name": w.name, "url": ward_url(&w.code) }))
                .collect();
            let (view, bounds, name, code, version) = match &chosen {
                Some(w) => (
                    "ward",
                    s.bounds()?,
                    Some(s.ward_name()?),
                    Some(w.code.clone()),
                    s.data_version()?,
                ),
                None => (
                    "province",
                    province_bounds(&wards),
                    None,
                    None,
                    s.province_version()?,
                ),
            };
            Ok(Json(json!({
                "demo": demo,
                "basemap": basemap,
                "bounds": bounds,
                "ward": name,
                "ward_code": code,
                "view": view,
                "wards": list,
                "province": s.meta("province")?,
                "version": version,
                "time_zone": clock::TIME_ZONE,
                "utc_offset_minutes": clock::UTC_OFFSET_MINUTES,
                "now": clock::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "today": clock::today().to_string(),
            })))
        })
        .await
}

/// `GET /api/version`: a token that changes with every recorded event and
/// every import of the ward (of any ward in the province view); cheap
/// enough to poll every few seconds.
async fn version(
    State(state): State<AppState>,
    chosen: Option<Extension<Chosen>>,
) -> Result<Json<Value>, ApiError> {
    let ward = chosen.is_some_and(|c| c.0.0.is_some());
    state
        .blocking(move |s| {
            let v = if ward {
                s.data_version()?
            } else {
                s.province_version()?
            };
            Ok(Json(json!({ "version": v })))
        })
        .await
}

/// The extent of every ward's extent (none when no ward has one).
fn province_bounds(wards: &[crate::store::WardRow]) -> Option<[f64; 4]> {
    wards.iter().filter_map(|w| w.bounds).reduce(|a, b| {
        [a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])]
    })
}
