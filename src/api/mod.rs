//! The HTTP API (axum): parse, call the store, answer.
//!
//! [`router`] is a free function that the binary and the tests both call.
//! SQLite is synchronous, so every handler reaches the [`Store`] through
//! [`AppState::blocking`]: a connection opened for the request on tokio's
//! blocking pool, never on the async runtime.
//!
//! | route | who | what |
//! |---|---|---|
//! | `GET /healthz` | all | liveness |
//! | `GET /api/openapi.json` | all | this API described |
//! | `GET /api/segments?as_of=` | all | GeoJSON segments with donated area and progress |
//! | `GET /api/parcels?bbox=&segment=&group=&status=&as_of=` | all (names: viewer+) | GeoJSON parcels with measures and status |
//! | `GET /api/parcels/{id}?as_of=` | all (names, notes: viewer+) | one parcel with its history |
//! | `POST /api/parcels/{id}/events` | editor+ | record a status change |
//! | `GET /api/summary/segments`, `/api/summary/groups`, `/api/progress` (`as_of`) | all | progress tables and time series |
//! | `POST /api/login`, `POST /api/logout`, `GET /api/me` | all | session cookie |

mod auth;
mod error;
mod openapi;
mod progress;
mod read;
mod write;

pub use auth::{Caller, SESSION_COOKIE};
pub use error::ApiError;

use crate::store::Store;
use axum::Router;
use axum::routing::{get, post};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

/// Largest request body accepted (bytes).
pub const BODY_LIMIT: usize = 1 << 20;

/// What every handler shares: where the database is, and whether it holds
/// the demo ward (answers then say so).
#[derive(Debug, Clone)]
pub struct AppState {
    db: Arc<PathBuf>,
    demo: bool,
}

impl AppState {
    /// State for the database file at `db` (it must exist or be creatable;
    /// each request opens its own connection).
    pub fn new(db: impl Into<PathBuf>, demo: bool) -> AppState {
        AppState {
            db: Arc::new(db.into()),
            demo,
        }
    }

    /// Runs `f` with a store connection on the blocking pool.
    pub async fn blocking<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut Store) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let path = Arc::clone(&self.db);
        tokio::task::spawn_blocking(move || {
            let mut store = Store::open(&*path)?;
            f(&mut store)
        })
        .await?
    }
}

/// The whole API.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/openapi.json", get(openapi::openapi))
        .route("/api/segments", get(read::segments))
        .route("/api/parcels", get(read::parcels))
        .route("/api/parcels/{id}", get(read::parcel))
        .route("/api/parcels/{id}/events", post(write::post_event))
        .route("/api/summary/segments", get(read::summary_segments))
        .route("/api/summary/groups", get(read::summary_groups))
        .route("/api/progress", get(read::progress))
        .route("/api/login", post(auth::login))
        .route("/api/logout", post(auth::logout))
        .route("/api/me", get(auth::me))
        .fallback(not_found)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn healthz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::Json<serde_json::Value> {
    axum::Json(json!({ "status": "ok", "demo": state.demo }))
}

async fn not_found() -> ApiError {
    ApiError::NotFound("không có đường dẫn này / no such route".into())
}
