//! `GET /tiles/{layer}/{z}/{x}/{y}.mvt?as_of=` — Mapbox vector tiles of
//! the parcels (with their status as the caller may read it: anonymous
//! callers get the public `not_yet` for not contacted, persuading and
//! declined, by [`Audience::code`] as on `/api/parcels`), the segments
//! and the residential groups (progress from the read model, as on
//! `/api/segments` and `/api/groups`), and the segments' corridors (as on
//! `/api/corridors`). Built by [`crate::ops::tiles`].
//!
//! - A tile with nothing on it is `204 No Content` (MapLibre draws
//!   nothing there); below a layer's [`Layer::min_zoom`] every tile is.
//! - Tiles are kept in memory, at most [`CACHE_BYTES`], under (ward, layer,
//!   z, x, y, date, the caller's view, the data version). When a ward's
//!   version moves by events alone, its parcel tiles away from the moved
//!   parcels and its corridor tiles are kept under the new version; any
//!   other move (an import, paperwork) drops the ward's tiles.
//! - `ETag` is the data version with that key; `If-None-Match` with it is
//!   `304`. `Cache-Control: no-cache`: a browser keeps tiles but asks
//!   again each time (events change them).
//! - Uncached builds wait for one of [`super::Limits::tile_builds`]
//!   permits ([`super::guard`]): a pan asks 12–20 tiles at once, and they
//!   are built a few at a time while cached ones are answered at once.
//! - `?v=` is the page's: it puts the data version there so that its
//!   tile URLs change when the data does (and the user's name in `u`).
//!   When `v` is the data version now, the tile is the same for as long as
//!   that URL is asked, and the browser may keep it without asking again
//!   (`Cache-Control: private, max-age=`[`KEPT_SECONDS`]): a pan back, or
//!   MapLibre asking an overzoomed tile once per child it shows, costs no
//!   request. Any other `v` (or none) is `no-cache`.

use super::params;
use super::{ApiError, AppState, Caller};
use crate::campaign::events::{Audience, Status};
use crate::geometry::tile::{TileError, TileId};
use crate::ops::tiles::{self as build, Figures, Layer, Sources};
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::{HashMap, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};

/// The tile cache's size.
pub const CACHE_BYTES: usize = 64 << 20;
/// Figures kept (per data version and date).
const FIGURES_KEPT: usize = 8;
/// How long a browser may keep a tile asked with the current data version.
pub const KEPT_SECONDS: u32 = 3600;
/// The media type of a vector tile.
pub const MVT: &str = "application/vnd.mapbox-vector-tile";

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/tiles/{layer}/{z}/{x}/{y}", get(tile))
}

/// A kept tile's key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    /// The ward's row id: wards have their own versions and tiles.
    ward: i64,
    layer: Layer,
    tile: TileId,
    date: NaiveDate,
    view: String,
    version: String,
}

#[derive(Debug, Default)]
struct Lru {
    map: HashMap<Key, (Bytes, u64)>,
    bytes: usize,
    tick: u64,
    /// Each ward's data version the kept tiles are of.
    versions: HashMap<i64, String>,
}

/// What moved from one data version of a ward to the next, for the tiles
/// kept: anything ([`Moved::All`]), or only the statuses of the parcels in
/// these lon/lat boxes (events alone: a parcel tile elsewhere is the same).
#[derive(Debug, Clone, PartialEq)]
enum Moved {
    All,
    Parcels(Vec<[f64; 4]>),
}

/// At most this many parcels' events between two versions keep the other
/// parcel tiles; past it, every tile of the ward is built again.
const MOVED_PARCELS: usize = 256;

/// The range of event ids between two data versions (`imports.events.
/// paperwork`) that differ by events alone, newer after older.
fn events_between(old: &str, new: &str) -> Option<(i64, i64)> {
    let ((i0, e0, p0), (i1, e1, p1)) = (super::facts::parts(old)?, super::facts::parts(new)?);
    (i0 == i1 && p0 == p1 && e1 > e0).then_some((e0, e1))
}

impl Lru {
    /// The data version the ward's kept tiles are of.
    fn version_of(&self, ward: i64) -> Option<&str> {
        self.versions.get(&ward).map(String::as_str)
    }

    /// The ward's kept tiles move from version `from` to `to`: those
    /// `moved` leaves as they were are kept under `to`, the rest dropped.
    /// A no-op when another request moved them first.
    fn advance(&mut self, ward: i64, from: Option<&str>, to: &str, moved: &Moved) {
        if self.version_of(ward) != from {
            return;
        }
        self.versions.insert(ward, to.to_string());
        let old: Vec<Key> = self
            .map
            .keys()
            .filter(|k| k.ward == ward && k.version != to)
            .cloned()
            .collect();
        for k in old {
            let Some((b, t)) = self.map.remove(&k) else {
                continue;
            };
            if Some(k.version.as_str()) == from && keeps(&k, moved) {
                let k = Key {
                    version: to.to_string(),
                    ..k
                };
                self.map.insert(k, (b, t));
            } else {
                self.bytes -= cost(&b);
            }
        }
    }

    fn get(&mut self, k: &Key) -> Option<Bytes> {
        self.tick += 1;
        let tick = self.tick;
        self.map.get_mut(k).map(|(b, t)| {
            *t = tick;
            b.clone()
        })
    }

    fn put(&mut self, k: Key, body: Bytes, limit: usize) {
        // a tile built from an older version than the ward's kept ones is
        // answered, not kept
        match self.version_of(k.ward) {
            Some(v) if v != k.version => return,
            Some(_) => {}
            None => {
                self.versions.insert(k.ward, k.version.clone());
            }
        }
        if cost(&body) > limit {
            return;
        }
        self.tick += 1;
        self.bytes += cost(&body);
        if let Some((old, _)) = self.map.insert(k, (body, self.tick)) {
            self.bytes -= cost(&old);
        }
        if self.bytes > limit {
            // down to ¾ of the limit, the least recently used first
            let mut ticks: Vec<(u64, Key)> =
                self.map.iter().map(|(k, (_, t))| (*t, k.clone())).collect();
            ticks.sort_unstable_by_key(|(t, _)| *t);
            for (_, k) in ticks {
                if self.bytes <= limit / 4 * 3 {
                    break;
                }
                if let Some((b, _)) = self.map.remove(&k) {
                    self.bytes -= cost(&b);
                }
            }
        }
    }
}

/// Whether a tile kept at one version is the same at the next. Corridors
/// are geometry (imports move them); parcel tiles change where a moved
/// parcel is; segments and groups carry the ward's progress, which every
/// event moves.
fn keeps(k: &Key, moved: &Moved) -> bool {
    match (moved, k.layer) {
        (Moved::All, _) => false,
        (Moved::Parcels(_), Layer::Corridors) => true,
        (Moved::Parcels(boxes), Layer::Parcels) => {
            let [x0, y0, x1, y1] = k.tile.bbox();
            !boxes
                .iter()
                .any(|b| b[0] <= x1 && b[2] >= x0 && b[1] <= y1 && b[3] >= y0)
        }
        (Moved::Parcels(_), _) => false,
    }
}

/// A kept tile's bytes, with its key's share.
fn cost(b: &[u8]) -> usize {
    b.len() + 128
}

/// Figures of a (data version, date).
type KeptFigures = ((String, NaiveDate), Arc<Figures>);

/// The tiles' state, shared by every request.
#[derive(Debug, Clone, Default)]
pub(super) struct Tiles(Arc<Inner>);

#[derive(Default)]
struct Inner {
    cache: Mutex<Lru>,
    /// The geometry of segments and groups, by import generation.
    sources: Mutex<Option<(String, Arc<Sources>)>>,
    figures: Mutex<VecDeque<KeptFigures>>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tiles")
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What the ward's tile sources and figures are held under: wards count
/// their versions alike ("1.0.0"), so the ward keys them too.
fn held_as(ward: i64, version: &str) -> String {
    format!("w{ward}-{version}")
}

impl Tiles {
    /// Loads the current ward's tile sources and today's figures, before
    /// any request: the first map after a start would wait for them.
    pub(super) fn warm(
        &self,
        s: &crate::store::Store,
        ward: &crate::campaign::figures::Kept,
    ) -> Result<(), ApiError> {
        let held = held_as(s.ward_id().0, &s.data_version()?);
        self.sources(s, &held)?;
        self.figures(ward, &held, NaiveDate::MAX);
        Ok(())
    }

    /// Whether sources and figures are held (tests).
    #[cfg(test)]
    pub(super) fn warmed(&self) -> bool {
        lock(&self.0.sources).is_some() && !lock(&self.0.figures).is_empty()
    }

    fn sources(&self, s: &crate::store::Store, version: &str) -> Result<Arc<Sources>, ApiError> {
        let generation = version.split('.').next().unwrap_or("").to_string();
        let mut held = lock(&self.0.sources);
        if let Some((g, src)) = held.as_ref()
            && *g == generation
        {
            return Ok(Arc::clone(src));
        }
        let src = Arc::new(Sources::load(s)?);
        *held = Some((generation, Arc::clone(&src)));
        Ok(src)
    }

    fn figures(
        &self,
        ward: &crate::campaign::figures::Kept,
        version: &str,
        date: NaiveDate,
    ) -> Arc<Figures> {
        let key = (version.to_string(), date);
        let mut kept = lock(&self.0.figures);
        if let Some((_, f)) = kept.iter().find(|(k, _)| *k == key) {
            return Arc::clone(f);
        }
        let f = Arc::new(Figures::of(ward, date));
        kept.retain(|((v, _), _)| v == version);
        if kept.len() >= FIGURES_KEPT {
            kept.pop_front();
        }
        kept.push_back((key, Arc::clone(&f)));
        f
    }
}

#[derive(Debug, Default, Deserialize)]
struct TileQuery {
    as_of: Option<String>,
    /// The data version the page believes current (its cache buster).
    v: Option<String>,
}

/// The request's tile, or a 400 naming the field.
fn parse(layer: &str, z: &str, x: &str, y: &str) -> Result<(Layer, TileId), ApiError> {
    let layer = Layer::parse(layer).ok_or_else(|| {
        ApiError::NotFound(format!(
            "layer: không có lớp {layer:?} (có: parcels, segments, groups, corridors) / no layer {layer:?} (known: parcels, segments, groups, corridors)"
        ))
    })?;
    let y = y.strip_suffix(".mvt").ok_or_else(|| {
        ApiError::NotFound(
            "tile: đường dẫn cần kết thúc bằng .mvt / the tile path must end in .mvt".into(),
        )
    })?;
    let num = |field: &'static str, s: &str| {
        s.parse::<u32>().map_err(|_| {
            ApiError::BadRequest(
                "bad_tile",
                format!("{field}: cần số nguyên không âm, nhận {s:?} / a whole number ≥ 0 expected, got {s:?}"),
            )
        })
    };
    let (z, x, y) = (num("z", z)?, num("x", x)?, num("y", y)?);
    let tile = TileId::new(z, x, y).map_err(|e| {
        let max = (1u64 << z.min(63)) - 1;
        ApiError::BadRequest(
            "bad_tile",
            match e {
                TileError::Zoom => {
                    format!("z: mức thu phóng {z} ngoài 0..=22 / zoom {z} outside 0..=22")
                }
                TileError::X => {
                    format!("x: {x} ngoài 0..={max} ở mức {z} / {x} outside 0..={max} at zoom {z}")
                }
                TileError::Y => {
                    format!("y: {y} ngoài 0..={max} ở mức {z} / {y} outside 0..={max} at zoom {z}")
                }
            },
        )
    })?;
    Ok((layer, tile))
}

/// How the caller reads statuses: `public`, `staff` (the whole ward) or a
/// scoped user's own view (their households staff-like, the rest public).
fn view_of(caller: &Caller) -> String {
    match &caller.0 {
        None => "public".into(),
        Some(u) if u.role.scoped() => {
            let mut h = DefaultHasher::new();
            u.name.hash(&mut h);
            format!("u{:x}", h.finish())
        }
        Some(_) => "staff".into(),
    }
}

/// `GET /tiles/{layer}/{z}/{x}/{y}.mvt`
async fn tile(
    State(state): State<AppState>,
    caller: Caller,
    Path((layer, z, x, y)): Path<(String, String, String, String)>,
    q: Result<Query<TileQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (layer, tile) = parse(&layer, &z, &x, &y)?;
    let q = q?.0;
    let date = params::as_of(q.as_of.as_deref())?;
    // segments and groups carry no status: one tile for every caller
    let view = if layer == Layer::Parcels {
        view_of(&caller)
    } else {
        "all".into()
    };
    let tiles = state.tiles.clone();
    let (ward, version) = state
        .blocking(|s| Ok((s.ward_id().0, s.data_version()?)))
        .await?;
    let key = Key {
        ward,
        layer,
        tile,
        date,
        view,
        version,
    };
    let etag = format!(
        "\"w{}-{}-{}-{}-{}-{}-{}-{}\"",
        key.ward,
        key.version,
        layer.as_str(),
        tile.z,
        tile.x,
        tile.y,
        if date == NaiveDate::MAX {
            "now".to_string()
        } else {
            date.to_string()
        },
        key.view
    );
    // the URL names this version: its tile stays what it is
    let keep = q.v.as_deref() == Some(key.version.as_str());
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if matches {
        return Ok(answer(StatusCode::NOT_MODIFIED, &etag, None, keep));
    }
    let held = lock(&tiles.0.cache).version_of(ward).map(str::to_string);
    if held.as_deref() != Some(key.version.as_str()) {
        // the ward's data moved on since its tiles were kept: what moved
        let moved = match held
            .as_deref()
            .and_then(|h| events_between(h, &key.version))
        {
            Some((after, upto)) => state
                .blocking(move |s| Ok(s.event_parcel_boxes(after, upto, MOVED_PARCELS)?))
                .await?
                .map_or(Moved::All, Moved::Parcels),
            None => Moved::All,
        };
        lock(&tiles.0.cache).advance(ward, held.as_deref(), &key.version, &moved);
    }
    let hit = lock(&tiles.0.cache).get(&key);
    let body = match hit {
        Some(b) => b,
        None => {
            let permit = state.guard.tile_permit().await?;
            let facts = state.facts();
            let t = tiles.clone();
            let k = key.clone();
            state
                .blocking(move |s| {
                    let _permit = permit;
                    let ward = facts.get(s)?;
                    let held = held_as(k.ward, &k.version);
                    let sources = t.sources(s, &held)?;
                    // parcels carry statuses, not progress: an event (which moves the
                    // version) costs their tiles no recount of every segment and group
                    let figures = if layer == Layer::Parcels {
                        Arc::new(Figures::default())
                    } else {
                        t.figures(&ward, &held, date)
                    };
                    let scope = caller.scope(s)?;
                    let audience = caller.audience();
                    let code = |key: i64, st: Status| match audience {
                        Audience::Staff => caller.view_of(scope.as_ref(), key).audience.code(st),
                        public => public.code(st),
                    };
                    let inputs = build::Inputs {
                        date,
                        ward: &ward,
                        sources: &sources,
                        figures: &figures,
                        status_code: &code,
                    };
                    let built = build::build(s, layer, tile, &inputs)?;
                    if built.truncated {
                        tracing::warn!(
                            "tile {}/{}/{}/{}: over {} features, cut short",
                            layer.as_str(),
                            tile.z,
                            tile.x,
                            tile.y,
                            build::MAX_FEATURES
                        );
                    }
                    let body = Bytes::from(built.bytes);
                    lock(&t.0.cache).put(k, body.clone(), CACHE_BYTES);
                    Ok(body)
                })
                .await?
        }
    };
    Ok(if body.is_empty() {
        answer(StatusCode::NO_CONTENT, &etag, None, keep)
    } else {
        answer(StatusCode::OK, &etag, Some(body), keep)
    })
}

fn answer(status: StatusCode, etag: &str, body: Option<Bytes>, keep: bool) -> Response {
    let mut r = match body {
        Some(b) => (status, b).into_response(),
        None => status.into_response(),
    };
    let h = r.headers_mut();
    if status == StatusCode::OK {
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(MVT));
    }
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    let cache = if keep {
        HeaderValue::from_str(&format!("private, max-age={KEPT_SECONDS}"))
            .unwrap_or(HeaderValue::from_static("no-cache"))
    } else {
        HeaderValue::from_static("no-cache")
    };
    h.insert(header::CACHE_CONTROL, cache);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_addresses_name_their_field() {
        let msg = |l: &str, z: &str, x: &str, y: &str| match parse(l, z, x, y) {
            Err(e) => e.to_string(),
            Ok(_) => String::new(),
        };
        assert!(msg("parcels", "23", "0", "0.mvt").starts_with("z:"));
        assert!(msg("parcels", "2", "4", "0.mvt").starts_with("x:"));
        assert!(msg("parcels", "2", "0", "-1.mvt").starts_with("y:"));
        assert!(msg("parcels", "a", "0", "0.mvt").starts_with("z:"));
        assert!(msg("roads", "2", "0", "0.mvt").starts_with("layer:"));
        assert!(parse("groups", "2", "3", "3.mvt").is_ok());
    }

    #[test]
    fn the_cache_keeps_to_its_bytes_and_forgets_old_versions() {
        let key = |x: u32, v: &str| Key {
            ward: 1,
            layer: Layer::Parcels,
            tile: TileId::new(16, x, 0).unwrap(),
            date: NaiveDate::MAX,
            view: "public".into(),
            version: v.into(),
        };
        let mut c = Lru::default();
        for x in 0..100 {
            c.put(key(x, "1.1.0"), Bytes::from(vec![0; 1000]), 20_000);
        }
        assert!(c.bytes <= 20_000, "{}", c.bytes);
        assert!(c.get(&key(99, "1.1.0")).is_some());
        assert!(c.get(&key(0, "1.1.0")).is_none());
        // a tile of a newer version than the kept ones waits for them to move
        c.put(key(1, "1.2.0"), Bytes::from(vec![0; 10]), 20_000);
        assert!(c.get(&key(1, "1.2.0")).is_none());
        c.advance(1, Some("1.1.0"), "1.2.0", &Moved::All);
        c.put(key(1, "1.2.0"), Bytes::from(vec![0; 10]), 20_000);
        assert_eq!(c.map.len(), 1);
        assert_eq!(c.bytes, 138);
    }

    #[test]
    fn events_alone_keep_the_parcel_tiles_away_from_the_parcels_they_moved() {
        assert_eq!(events_between("3.100.7", "3.104.7"), Some((100, 104)));
        assert_eq!(events_between("3.100.7", "4.104.7"), None, "an import");
        assert_eq!(events_between("3.100.7", "3.104.8"), None, "paperwork");
        assert_eq!(events_between("3.104.7", "3.100.7"), None, "backwards");
        assert_eq!(events_between("3.100.7", "x"), None);

        let tile = TileId::new(17, 104_000, 58_000).unwrap();
        let [x0, y0, x1, y1] = tile.bbox();
        let key = |layer: Layer, tile: TileId, ward: i64| Key {
            ward,
            layer,
            tile,
            date: NaiveDate::MAX,
            view: "public".into(),
            version: "3.100.7".into(),
        };
        let far = TileId::new(17, 104_010, 58_000).unwrap();
        let mut c = Lru::default();
        for k in [
            key(Layer::Parcels, tile, 1),
            key(Layer::Parcels, far, 1),
            key(Layer::Segments, far, 1),
            key(Layer::Groups, far, 1),
            key(Layer::Corridors, tile, 1),
            key(Layer::Parcels, tile, 2),
        ] {
            c.put(k, Bytes::from_static(b"tile"), 1 << 20);
        }
        // a parcel inside the first tile moved
        let inside = [x0 + 1e-5, y0 + 1e-5, (x0 + x1) / 2.0, (y0 + y1) / 2.0];
        c.advance(1, Some("3.100.7"), "3.101.7", &Moved::Parcels(vec![inside]));
        let now = |layer, tile, ward| Key {
            version: "3.101.7".into(),
            ..key(layer, tile, ward)
        };
        for (layer, at, kept, why) in [
            (Layer::Parcels, tile, false, "its tile is built again"),
            (Layer::Parcels, far, true, "a tile away from it is kept"),
            (Layer::Segments, far, false, "progress moved"),
            (Layer::Groups, far, false, "progress moved"),
            (Layer::Corridors, tile, true, "corridors are geometry"),
        ] {
            assert_eq!(c.get(&now(layer, at, 1)).is_some(), kept, "{why}");
        }
        // the other ward's tiles are its own version's, untouched
        assert!(c.get(&key(Layer::Parcels, tile, 2)).is_some());
        assert_eq!(c.version_of(2), Some("3.100.7"));
        // a second request seeing the same move changes nothing
        c.advance(1, Some("3.100.7"), "3.101.7", &Moved::All);
        assert!(c.get(&now(Layer::Parcels, far, 1)).is_some());
        // an import moves everything
        c.advance(1, Some("3.101.7"), "4.101.7", &Moved::All);
        assert!(c.map.keys().all(|k| k.ward == 2), "{:?}", c.map.keys());
        assert_eq!(c.bytes, cost(b"tile"));
    }
}
