//! The HTTP API (axum): parse, call the store or the use case, answer.
//!
//! [`router`] is a free function that the binary and the tests both call.
//! Each resource module owns its routes (`router()`); [`router`] merges
//! them and adds what they share: the body limit, the JSON not-found, the
//! no-store cache header, the map page, tracing, and [`guard`] (same-origin
//! writes, the session before the body, login and per-client limits,
//! timeouts, the page's files only). Query and body
//! parameters are parsed in [`params`]; the GeoJSON and figures answers
//! are written with [`geojson`] over the [`json`] writer.
//! SQLite is synchronous, so every handler reaches the [`Store`] through
//! [`AppState::blocking`]: a connection opened for the request on tokio's
//! blocking pool, never on the async runtime.
//!
//! Statuses and household counts go to anonymous callers as the public
//! reads them ([`crate::campaign::events::Audience`]): not contacted, being
//! persuaded and declined are one `not_yet` (chưa hiến).
//!
//! | route | module | who | what |
//! |---|---|---|---|
//! | `GET /healthz` | `meta` | all | liveness |
//! | `GET /api/openapi.json` | `openapi` | all | this API described |
//! | `GET /api/segments?as_of=` | `segments` | all (members: editor+) | GeoJSON segments with donated area and progress, party cells, committee member in charge, idle days |
//! | `GET /api/summary/segments?as_of=` | `segments` | all (members: editor+) | the segments' progress table (with the structures on the affected land) |
//! | `GET /api/corridors` | `segments` | all | GeoJSON planned corridors, one per segment |
//! | `GET /api/progress?as_of=` | `progress` | all | progress time series |
//! | `GET /api/summary/groups?as_of=` | `groups` | all (members: editor+) | the residential groups' progress table (with the structures), party cell, committee member in charge, idle days |
//! | `GET /api/groups?as_of=` | `groups` | all (members: editor+) | GeoJSON residential groups (outline of their parcels) with their figures |
//! | `GET /api/parcels?bbox=&segment=&group=&status=&fields=&as_of=` | `parcels` | all (names: viewer+) | GeoJSON parcels with measures and status |
//! | `GET /api/parcels/{id}?as_of=` | `parcels` | all (names, notes: viewer+) | one parcel with its history and structures on the land |
//! | `POST /api/parcels/{id}/events` | `parcels` | editor+ | record a status change |
//! | `GET /api/parcels/{id}/structures?as_of=` | `structures` | all (authors: viewer+, notes: editor+) | the structures on the land, replayed on a date, with their history |
//! | `POST /api/parcels/{id}/structures`, `PUT/DELETE …/{sid}` | `structures` | editor+ | add, edit (mark donated), remove a structure, dated; a stale `version` is 409 |
//! | `GET /api/export?format=&layers=&segment=&group=&crs=&interval=&personal=` | `export` | all (owners: viewer+ with `personal=1`) | surveyor files: GeoPackage, zipped Shapefile, DXF, KML, GeoJSON, CSV coordinate tables |
//! | `GET /api/org` | `campaign` | all (members: editor+, logged) | party cells, their groups, area leads |
//! | `PATCH /api/parcels/{id}/household` | `campaign` | editor+ | flag a family of a cadre or party member; consent to be named publicly |
//! | `POST /api/parcels/{id}/assignment`, `/records`, `/contacts`, `/grievances`, `/attachments`; `POST /api/grievances/{id}/answer` | `campaign` | editor+ | re-assign, file a donation record, log a visit, record and answer grievances, upload scans |
//! | `GET /api/attachments/{id}` | `campaign` | viewer+ | an uploaded file |
//! | `GET /api/access-log` | `campaign` | admin | who read sensitive data |
//! | `GET /api/reports?by=&format=&as_of=&from=&...` | `reports` | all (cell, member: editor+, logged; internal commendation: viewer+) | periodic reports as xlsx, A4 HTML, CSV |
//! | `GET/POST /api/reports/frozen`, `GET /api/reports/frozen/{id}` | `reports` | list: all; freeze: editor+ | reports as issued |
//! | `GET /api/parcels/{id}/record` | `reports` | viewer+ | the printable donation record |
//! | `GET /api/config`, `GET /api/version` | `meta` | all | the page's set-up; a token that changes with the data |
//! | `POST /api/login`, `POST /api/logout`, `GET /api/me` | `auth` | all | session cookie; the user's `actions` and `scope` (ward, a secretary's cell, a member's assigned households: [`Caller::require_on_parcel`], [`Caller::require_on_cell`]) |
//! | `GET/POST /api/users`, `PATCH/DELETE /api/users/{name}` | `users` | admin | manage users and roles |
//! | `POST /api/users/{name}/unlock` | `users` | admin | lift a login lockout |
//! | `GET /api/org/current`, `GET /api/org/history?what=&code=` | `org` | editor+ (logged) | the organisation with versions, assigned households; its history |
//! | `POST /api/org/cells|members|leads|assignments`, `PUT/DELETE …/{code or id}` | `org` | `EditOrg` | edit the organisation; a stale `version` is 409 |
//! | `GET /api/evaluation?year=` | `evaluation` | sensitive readers, logged | the annual evaluation: criteria, suggested and decided bands |
//! | `PUT /api/evaluation/thresholds?year=`, `POST /api/evaluation/ratings` | `evaluation` | evaluate (standing, admin) | the year's thresholds; a decided band with its note; a stale `version` is 409 |
//! | `GET /api/party/first?as_of=` | `first` | sensitive readers (logged) | each member's own family, each cell's going-first share and members whose families have not agreed |
//! | `GET /api/party/commendation?as_of=&from=` | `first` | all (members: sensitive readers, logged; unconsenting households: viewer+) | collectives and individuals commended for a period (this month by default) |
//! | `GET /api/plans?as_of=` | `plans` | viewer+ (logged) | plans with plan versus actual, milestone states, projection; the areas a plan may be for |
//! | `POST /api/plans`, `PUT /api/plans/{id}`, `POST /api/plans/{id}/cancel` | `plans` | Plan role | set, edit (with `version`: a stale one is 409), cancel a plan |
//! | `GET /api/inspections?from=&to=&as_of=`, `GET /api/inspections/proposals?idle_days=` | `inspections` | inspection, standing, admin (logged) | inspections with actions and overdue flags; whom to inspect and why |
//! | `POST /api/inspections`, `PUT …/{id}`, `POST …/{id}/actions`, `PUT …/{id}/actions/{aid}`, `POST/GET …/{id}/attachments` | `inspections` | inspection, admin | record, edit (stale `version`: 409), required actions and their follow-up, scans |
//! | `GET /api/print?group=|segment=&as_of=&paper=` | `print` | all (names: viewer+ within scope; public statuses for anonymous) | the printable map sheet (A4/A3 HTML, SVG map in VN-2000 at 1:500–1:5000) of a group or a segment |
//! | `GET /api/my/households?member=` | `field` | member, secretary: their own; sensitive readers: any member (logged) | the field worker's households (assigned today, own family) as GeoJSON ordered by next step |
//! | every write on a parcel (events, contacts, grievances and answers, records, attachments, assignment, household, structures) | `versions` | writers | `If-Match` against the parcel's `ETag` (stale: 412 with the current parcel, nothing written); answers the new `ETag` |
//! | every POST/PUT/PATCH/DELETE under `/api/` | `idempotency` | logged-in writers | `Idempotency-Key`: a replay answers the first answer, never writes twice |
//! | `GET /tiles/{layer}/{z}/{x}/{y}.mvt?as_of=` | `tiles` | all (statuses as `/api/parcels`) | vector tiles: parcels (z ≥ 15), segments and groups (z ≥ 10); 204 when empty, ETag, 304 |
//! | `GET /` | (this module) | all | the map page (files of `--web`) |
//! | `GET /api/wards?as_of=&lag_days=`, `GET /api/wards/outlines` | `wards` | all (members' families: sensitive readers, logged) | every ward's figures and the province's; the wards' outlines |
//! | `/w/{code}/…` | `wards` | all (a ward's users: their ward only) | every route above, for the ward `code` (unprefixed: the user's ward, `serve --ward`'s, or the only one) |

mod assets;
mod auth;
mod campaign;
mod error;
mod evaluation;
mod export;
mod facts;
mod field;
mod first;
mod geojson;
mod groups;
mod guard;
mod idempotency;
mod inspections;
mod json;
mod meta;
mod openapi;
mod org;
mod params;
mod parcels;
mod plans;
mod print;
mod progress;
mod reports;
mod segments;
mod structures;
mod tiles;
mod users;
mod versions;
mod wards;

pub use auth::{Caller, SESSION_COOKIE};
pub use error::ApiError;
pub use guard::{Limits, Rate};

use crate::campaign::events::Audience;
use crate::campaign::figures::Kept;
use crate::store::{Store, WardId};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::routing::any;
use chrono::NaiveDate;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{Predicate, SizeAbove};
use tower_http::limit::RequestBodyLimitLayer;
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
    /// Login limits, per-client limits and timeouts ([`guard`]).
    guard: guard::Guard,
    /// The page's files, compressed once ([`assets`]).
    assets: assets::Assets,
    /// The idempotent writes running now, per user and key ([`idempotency`]).
    idempotency: idempotency::Locks,
    /// Vector tiles kept, and what they are built from ([`tiles`]).
    tiles: tiles::Tiles,
    /// The ward of unprefixed requests (`serve --ward`), after the user's own.
    default_ward: Option<WardId>,
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
            guard: guard::Guard::default(),
            assets: assets::Assets::default(),
            idempotency: idempotency::Locks::default(),
            tiles: tiles::Tiles::default(),
            default_ward: None,
        }
    }

    /// The locks of the idempotent writes running now.
    fn idempotency_locks(&self) -> idempotency::Locks {
        self.idempotency.clone()
    }

    /// Other limits than [`Limits::default`] (tests use small ones).
    pub fn with_limits(mut self, limits: Limits) -> AppState {
        self.guard = guard::Guard::new(limits);
        self
    }

    /// Unprefixed requests of a province-level user or a visitor are for
    /// `ward` ([`wards`]; `hiendat serve --ward`).
    pub fn with_default_ward(mut self, ward: Option<WardId>) -> AppState {
        self.default_ward = ward;
        self
    }

    /// The answers' cache ([`cached_in`]).
    fn cache_handle(&self) -> Arc<Mutex<VecDeque<Cached>>> {
        Arc::clone(&self.cache)
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

    /// Reads the wards' facts now, before the server takes requests: the
    /// first figure asked for (a past date's summary, the progress chart)
    /// is then computed from memory instead of waiting for a million
    /// parcels' facts to be read; and the tiles' sources and figures, which
    /// the first map waits for.
    pub async fn warm(&self) -> Result<(), ApiError> {
        // every ward's, one after the other; the tiles' sources and figures
        // are held for one ward at a time: the only ward's, or the last
        let wards = self.blocking(|s| Ok(s.wards()?)).await?;
        for w in wards {
            let (facts, tiles) = (self.facts(), self.tiles.clone());
            let warm = move |s: &mut crate::store::Store| tiles.warm(s, &*facts.get(s)?);
            wards::WARD.scope(w.id, self.blocking(warm)).await?;
        }
        // Its connection is closed: a server that has answered nothing yet
        // holds none open (as `hiendat restore` checks, beside the lock file).
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).clear();
        Ok(())
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
        // A write on a parcel with `If-Match` ([`versions`]): checked inside
        // the write's transaction on this connection.
        let write = versions::PARCEL_WRITE.try_with(Arc::clone).ok();
        // The request's ward ([`wards::resolve`]), else the default one.
        let ward = wards::WARD.try_with(|w| *w).ok().or(self.default_ward);
        tokio::task::spawn_blocking(move || {
            let pooled = idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let mut store = match pooled {
                Some(s) => s,
                None => Store::open(&*path)?,
            };
            // Every time: a pooled connection never keeps the last
            // request's ward.
            let ward = match ward {
                Some(w) => Some(w),
                None => store.wards()?.into_iter().next().map(|w| w.id),
            };
            if let Some(w) = ward {
                store.use_ward(w)?;
            }
            versions::before(&mut store, write.as_ref())?;
            let out = f(&mut store);
            versions::after(&mut store, write.as_ref());
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
            // each ward's answers under its own key and version
            let key = format!("w{} {key}", s.ward_id().0);
            let version = s.data_version()?;
            cached_in(&cache, key, version, || f(s))
        })
        .await
    }

    /// Runs a read of the figures on `date` (computed from the ward's
    /// facts, kept in memory until the data changes) for `audience`; its
    /// answer is cached under `what`, the date and the audience (the
    /// public's answer is not the staff's).
    async fn figures_on<F>(
        &self,
        what: &str,
        date: NaiveDate,
        audience: Audience,
        f: F,
    ) -> Result<json::Out, ApiError>
    where
        F: FnOnce(&mut Store, &Kept) -> Result<json::Out, ApiError> + Send + 'static,
    {
        let facts = self.facts();
        self.cached(format!("{what} {date} {audience:?}"), move |s| {
            let ward = facts.get(s)?;
            f(s, &ward)
        })
        .await
    }
}

/// The answer kept in `cache` under `key` at `version`, else `f`'s (then kept).
fn cached_in<F>(
    cache: &Mutex<VecDeque<Cached>>,
    key: String,
    version: String,
    f: F,
) -> Result<json::Out, ApiError>
where
    F: FnOnce() -> Result<json::Out, ApiError>,
{
    let hit = {
        let c = cache.lock().unwrap_or_else(|e| e.into_inner());
        c.iter()
            .find(|(k, v, _)| *k == key && *v == version)
            .map(|(_, _, body)| Arc::clone(body))
    };
    if let Some(body) = hit {
        return Ok(json::Out::from_body(body.as_str()));
    }
    let out = f()?;
    let mut c = cache.lock().unwrap_or_else(|e| e.into_inner());
    c.retain(|(k, _, _)| *k != key);
    if c.len() >= CACHED {
        c.pop_front();
    }
    c.push_back((key, version, Arc::new(out.as_str().to_string())));
    Ok(out)
}

/// The whole API: every resource's router, merged, under the shared layers,
/// behind the ward prefix (`/w/{code}/…`, stripped before routing: [`wards`]).
pub fn router(state: AppState) -> Router {
    let inner = routes(state);
    Router::new().fallback_service(
        tower::ServiceBuilder::new()
            .map_request(wards::strip_prefix)
            .service(inner),
    )
}

/// [`router`] without the ward prefix.
fn routes(state: AppState) -> Router {
    let api = Router::new()
        .merge(wards::router())
        .merge(meta::router())
        .merge(openapi::router())
        .merge(segments::router())
        .merge(progress::router())
        .merge(groups::router())
        .merge(parcels::router())
        .merge(structures::router())
        .merge(export::router())
        .merge(campaign::router())
        .merge(reports::router())
        .merge(auth::router())
        .merge(users::router())
        .merge(org::router())
        .merge(evaluation::router())
        .merge(first::router())
        .merge(plans::router())
        .merge(inspections::router())
        .merge(print::router())
        .merge(field::router())
        .route("/api/{*rest}", any(not_found))
        // Layers wrap only the routes added before them: this limit covers
        // every route above (and the not-found), not the upload below.
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        // A scan is larger than any other request body: this one route
        // has its own limit (past it, a JSON 413 naming the limit).
        .merge(campaign::upload_router().layer(DefaultBodyLimit::max(
            crate::store::ATTACHMENT_MAX_BYTES + 1,
        )))
        .merge(inspections::upload_router().layer(DefaultBodyLimit::max(
            crate::store::ATTACHMENT_MAX_BYTES + 1,
        )))
        // Answers change with every recorded event: no cache may keep one.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        // Vector tiles say `no-cache` themselves (kept, revalidated by ETag).
        .merge(tiles::router());
    let app = match &state.web {
        // The page's files: compressed once, with their content's ETag,
        // revalidated on each load ([`assets`]).
        Some(dir) => {
            assets::warm(&state.assets, dir);
            api.fallback(assets::serve)
        }
        None => api.fallback(not_found),
    };
    // Before any handler: same origin, content type, the session before the
    // body, per-client limits, timeouts, the page's files only.
    // Inside the guard (which found the caller): idempotent replays, then
    // the parcel versions (`If-Match`, `ETag`).
    app.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        versions::versions,
    ))
    // The ward (inside idempotency, which runs the request on its own task).
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        wards::resolve,
    ))
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        idempotency::idempotency,
    ))
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        guard::guard,
    ))
    // gzip or brotli when the client asks, for text answers over 1 KB
    // (the page's files come compressed already: [`assets`]).
    .layer(
        CompressionLayer::new()
            .compress_when(SizeAbove::new(assets::MIN_COMPRESS as u64).and(assets::compressible)),
    )
    .layer(TraceLayer::new_for_http())
    .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::NotFound("không có đường dẫn này / no such route".into())
}
