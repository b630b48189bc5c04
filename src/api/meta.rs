//! What the page asks before drawing: how to set itself up
//! (`/api/config`) and whether its data went stale (`/api/version`); and
//! whether the server is up at all (`/healthz`).

use super::{ApiError, AppState};
use crate::campaign::clock;
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
/// browser's own zone or clock.
async fn config(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
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
            Ok(Json(json!({
                "demo": demo,
                "basemap": basemap,
                "bounds": s.bounds()?,
                "ward": s.ward_name()?,
                "version": s.data_version()?,
                "time_zone": clock::TIME_ZONE,
                "utc_offset_minutes": clock::UTC_OFFSET_MINUTES,
                "now": clock::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "today": clock::today().to_string(),
            })))
        })
        .await
}

/// `GET /api/version`: a token that changes with every recorded event and
/// every import; cheap enough to poll every few seconds.
async fn version(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    state
        .blocking(|s| Ok(Json(json!({ "version": s.data_version()? }))))
        .await
}
