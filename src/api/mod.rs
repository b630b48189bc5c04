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
//! | `GET /api/parcels/{id}?as_of=` | all (names, notes: viewer+) | one parcel with its history and structures on the land |
//! | `POST /api/parcels/{id}/events` | editor+ | record a status change |
//! | `GET /api/summary/segments`, `/api/summary/groups`, `/api/progress` (`as_of`) | all | progress tables (with the structures on the affected land) and time series |
//! | `GET /api/groups?as_of=` | all | GeoJSON residential groups (outline of their parcels) with their figures |
//! | `GET /api/corridors` | all | GeoJSON planned corridors, one per segment |
//! | `GET /api/export?format=&layers=&segment=&group=&crs=&interval=&personal=` | all (owners: viewer+ with `personal=1`) | surveyor files: GeoPackage, zipped Shapefile, DXF, KML, GeoJSON, CSV coordinate tables |
//! | `GET /api/org` | all (members: editor+, logged) | party cells, their groups, area leads |
//! | `PATCH /api/parcels/{id}/household` | editor+ | flag a family of a cadre or party member; consent to be named publicly |
//! | `POST /api/parcels/{id}/assignment`, `/records`, `/contacts`, `/grievances`, `/attachments`; `POST /api/grievances/{id}/answer` | editor+ | re-assign, file a donation record, log a visit, record and answer grievances, upload scans |
//! | `GET /api/attachments/{id}`, `GET /api/parcels/{id}/record` | viewer+ | an uploaded file; the printable donation record |
//! | `GET /api/reports?by=&format=&as_of=&from=&...` | all (cell, member: editor+, logged; internal commendation: viewer+) | periodic reports as xlsx, A4 HTML, CSV |
//! | `GET/POST /api/reports/frozen`, `GET /api/reports/frozen/{id}` | list: all; freeze: editor+ | reports as issued |
//! | `GET /api/access-log` | admin | who read sensitive data |
//! | `GET /api/config`, `GET /api/version` | all | the page's set-up; a token that changes with the data |
//! | `GET /` | all | the map page (files of `--web`) |
//! | `POST /api/login`, `POST /api/logout`, `GET /api/me` | all | session cookie |
//! | `GET/POST /api/users`, `PATCH/DELETE /api/users/{name}` | admin | manage users and roles |

mod auth;
mod campaign;
mod error;
mod export;
mod facts;
mod json;
mod meta;
mod openapi;
mod read;
mod reports;
mod users;
mod write;

pub use auth::{Caller, SESSION_COOKIE};
pub use error::ApiError;

use crate::store::Store;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::{any, get, post};
use serde_json::json;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// A cached answer: its request, the data version it was made from, its body.
type Cached = (String, String, Arc<String>);

/// How many answers the cache keeps.
const CACHED: usize = 16;

/// Idle database connections kept for reuse.
const MAX_IDLE: usize = 8;

/// Largest request body accepted (bytes).
pub const BODY_LIMIT: usize = 1 << 20;

/// What every handler shares: where the database is, and whether it holds
/// the demo ward (answers then say so).
#[derive(Debug, Clone)]
pub struct AppState {
    db: Arc<PathBuf>,
    /// Idle connections, kept so that a request finds its statements
    /// prepared and its pages cached.
    idle: Arc<Mutex<Vec<Store>>>,
    /// Recent answers of the slow reads, by request and data version.
    cache: Arc<Mutex<VecDeque<Cached>>>,
    /// The ward's facts that every figure is computed from.
    facts: facts::Facts,
    demo: bool,
    web: Option<Arc<PathBuf>>,
    basemap: Option<Arc<str>>,
}

impl AppState {
    /// State for the database file at `db` (it must exist or be creatable;
    /// each request opens its own connection).
    pub fn new(db: impl Into<PathBuf>, demo: bool) -> AppState {
        AppState {
            db: Arc::new(db.into()),
            idle: Arc::default(),
            cache: Arc::default(),
            facts: facts::Facts::default(),
            demo,
            web: None,
            basemap: None,
        }
    }

    /// Serves the map page from `dir` (the repository's `web/`) at `/`.
    pub fn with_web(mut self, dir: impl Into<PathBuf>) -> AppState {
        self.web = Some(Arc::new(dir.into()));
        self
    }

    /// An online base map for the page: a raster tile URL template
    /// (`https://tile.openstreetmap.org/{z}/{x}/{y}.png`) or a MapLibre style
    /// URL ending in `.json`; none means the page draws its own quiet
    /// background and works offline.
    pub fn with_basemap(mut self, url: Option<String>) -> AppState {
        self.basemap = url.filter(|u| !u.trim().is_empty()).map(Arc::from);
        self
    }

    /// The ward's facts (read on the blocking pool, through [`facts::Facts::get`]).
    fn facts(&self) -> facts::Facts {
        self.facts.clone()
    }

    /// Runs `f` with a store connection on the blocking pool.
    pub async fn blocking<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut Store) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let path = Arc::clone(&self.db);
        let idle = Arc::clone(&self.idle);
        tokio::task::spawn_blocking(move || {
            let pooled = idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let mut store = match pooled {
                Some(s) => s,
                None => Store::open(&*path)?,
            };
            let out = f(&mut store);
            // A failed request may have left a transaction open: its
            // connection is dropped (which rolls back), not reused.
            if out.is_ok() {
                let mut idle = idle.lock().unwrap_or_else(|e| e.into_inner());
                if idle.len() < MAX_IDLE {
                    idle.push(store);
                }
            }
            out
        })
        .await?
    }
}

impl AppState {
    /// [`AppState::blocking`] for a slow read (a replay of a past date, the
    /// progress series): its answer is kept under `key` until the data
    /// version moves, so the pages that all ask again after an edit, and a
    /// date control moved back and forth, cost one computation.
    async fn cached<F>(&self, key: String, f: F) -> Result<json::Out, ApiError>
    where
        F: FnOnce(&mut Store) -> Result<json::Out, ApiError> + Send + 'static,
    {
        let cache = Arc::clone(&self.cache);
        self.blocking(move |s| {
            let version = s.data_version()?;
            let hit = {
                let c = cache.lock().unwrap_or_else(|e| e.into_inner());
                c.iter()
                    .find(|(k, v, _)| *k == key && *v == version)
                    .map(|(_, _, body)| Arc::clone(body))
            };
            if let Some(body) = hit {
                return Ok(json::Out::from_body(body.as_str()));
            }
            let out = f(s)?;
            let mut c = cache.lock().unwrap_or_else(|e| e.into_inner());
            c.retain(|(k, _, _)| *k != key);
            if c.len() >= CACHED {
                c.pop_front();
            }
            c.push_back((key, version, Arc::new(out.as_str().to_string())));
            Ok(out)
        })
        .await
    }
}

/// The whole API.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/healthz", get(healthz))
        .route("/api/openapi.json", get(openapi::openapi))
        .route("/api/segments", get(read::segments))
        .route("/api/parcels", get(read::parcels))
        .route("/api/parcels/{id}", get(read::parcel))
        .route("/api/parcels/{id}/events", post(write::post_event))
        .route("/api/summary/segments", get(read::summary_segments))
        .route("/api/summary/groups", get(read::summary_groups))
        .route("/api/groups", get(read::groups))
        .route("/api/corridors", get(read::corridors))
        .route("/api/progress", get(read::progress))
        .route("/api/login", post(auth::login))
        .route("/api/logout", post(auth::logout))
        .route("/api/me", get(auth::me))
        .route("/api/users", get(users::list).post(users::add))
        .route(
            "/api/users/{name}",
            axum::routing::patch(users::change).delete(users::remove),
        )
        .route("/api/export", get(export::export))
        .route("/api/org", get(campaign::org))
        .route("/api/parcels/{id}/assignment", post(campaign::assign))
        .route(
            "/api/parcels/{id}/household",
            axum::routing::patch(campaign::household_flags),
        )
        .route("/api/parcels/{id}/records", post(campaign::add_record))
        .route("/api/parcels/{id}/contacts", post(campaign::add_contact))
        .route(
            "/api/parcels/{id}/grievances",
            post(campaign::add_grievance),
        )
        .route(
            "/api/grievances/{id}/answer",
            post(campaign::answer_grievance),
        )
        .route("/api/attachments/{id}", get(campaign::attachment))
        .route("/api/parcels/{id}/record", get(reports::record_page))
        .route("/api/reports", get(reports::report))
        .route(
            "/api/reports/frozen",
            get(reports::frozen_list).post(reports::freeze),
        )
        .route("/api/reports/frozen/{id}", get(reports::frozen))
        .route("/api/access-log", get(campaign::access_log))
        .route("/api/config", get(meta::config))
        .route("/api/version", get(meta::version))
        .route("/api/{*rest}", any(not_found))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        // A scan is larger than any other request body: this one route
        // has its own limit (past it, a JSON 413 naming the limit).
        .route(
            "/api/parcels/{id}/attachments",
            post(campaign::upload).layer(axum::extract::DefaultBodyLimit::max(
                crate::store::ATTACHMENT_MAX_BYTES + 1,
            )),
        )
        // Answers change with every recorded event: no cache may keep one.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    let app = match &state.web {
        // The page's files, revalidated on each load (they are small and
        // change with every upgrade).
        Some(dir) => api.fallback_service(
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("no-cache"),
                ))
                .service(
                    ServeDir::new(&**dir)
                        .not_found_service(any(not_found).with_state(state.clone())),
                ),
        ),
        None => api.fallback(not_found),
    };
    app.layer(TraceLayer::new_for_http()).with_state(state)
}

async fn healthz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::Json<serde_json::Value> {
    axum::Json(json!({ "status": "ok", "demo": state.demo }))
}

async fn not_found() -> ApiError {
    ApiError::NotFound("không có đường dẫn này / no such route".into())
}
