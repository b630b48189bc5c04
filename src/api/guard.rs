//! What every request passes before its handler ([`guard`], one
//! middleware around the whole router), and the login limits.
//!
//! - **Same origin** for every write (not GET/HEAD/OPTIONS), the way Go's
//!   `net/http.CrossOriginProtection` decides: `Sec-Fetch-Site:
//!   same-origin` or `none` passes, any other value is refused; without
//!   it, a request without `Origin` (curl, scripts) passes, and one whose
//!   `Origin` names the `Host` it was sent to. Refused: 403, JSON.
//! - **The expected content type** for a write with a body: JSON routes
//!   `application/json`; the upload route anything but the three types an
//!   HTML form can send (`text/plain`, `application/x-www-form-urlencoded`,
//!   `multipart/form-data`). Refused: 415, JSON.
//! - **The session before the body**: every write except login and logout
//!   needs an editor's (or admin's) session, checked before one byte of the
//!   body is read (401/403); handlers find that [`Caller`] in the request.
//! - **Per-client limits** on the expensive reads (exports, reports, and any
//!   replay of a past date with `as_of`): a token bucket per client address,
//!   larger for logged-in callers; past it 429 with `Retry-After`.
//! - **Timeouts**: exports and reports [`Limits::long_timeout`], every other
//!   request [`Limits::timeout`]; past it 503, JSON (a computation already
//!   running on the blocking pool ends on its own; the client is answered).
//! - **Vector tiles** (`/tiles/…`): public reads, but their own per-client
//!   bucket [`Limits::tiles`] (a pan asks 12–20 at once, so it is wide),
//!   and at most [`Limits::tile_builds`] uncached tiles built at once with
//!   [`Limits::tile_queue`] waiting; beyond, 429 ([`Guard::tile_permit`]).
//! - **Static files**: only those the map page loads (see [`public_file`]).
//! - 413 answers (a body over its route's limit) are the JSON error.
//!
//! Login ([`Guard::login_allowed`], [`Guard::hash_permit`]): after
//! [`Limits::login_failures_per_user`] failed attempts in a row a name is
//! locked for [`Limits::lockout`], doubling with each further failure up to
//! [`Limits::max_lockout`]; an admin unlocks it (`POST
//! /api/users/{name}/unlock`). A client address may fail
//! [`Limits::login_failures_per_client`]. Password hashing runs on at most
//! [`Limits::hash_threads`] threads at once, with at most
//! [`Limits::hash_queue`] logins waiting; beyond, 429.
//!
//! All this state is in memory: a restart forgets lockouts and buckets.
//! The client is the TCP peer's address; behind a reverse proxy every
//! caller shares the proxy's.

use super::{ApiError, AppState, Caller};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A token bucket's size: `burst` at once, refilled at `per_minute`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub burst: u32,
    pub per_minute: u32,
}

/// The limits of [`guard`] and of login; [`Limits::default`] is what
/// `hiendat serve` uses.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Expensive reads per anonymous client.
    pub anonymous: Rate,
    /// Expensive reads per client with a session.
    pub logged_in: Rate,
    /// Failed logins in a row before a name is locked.
    pub login_failures_per_user: u32,
    /// The first lockout; each further failure doubles it.
    pub lockout: Duration,
    /// The longest lockout.
    pub max_lockout: Duration,
    /// Failed logins per client address.
    pub login_failures_per_client: Rate,
    /// Password hashes computed at once.
    pub hash_threads: usize,
    /// Logins waiting for a hashing thread; beyond, 429.
    pub hash_queue: usize,
    /// Every request but exports and reports.
    pub timeout: Duration,
    /// Exports and reports (a 100k-parcel export takes about a minute).
    pub long_timeout: Duration,
    /// Vector tiles per client (anonymous or not).
    pub tiles: Rate,
    /// Uncached vector tiles built at once.
    pub tile_builds: usize,
    /// Tile builds waiting for one of those; beyond, 429.
    pub tile_queue: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            // A visitor moving the date control or panning a past day's
            // map sends about five replays a step: room for a few dozen
            // steps, and a cached replay costs little.
            anonymous: Rate {
                burst: 240,
                per_minute: 120,
            },
            logged_in: Rate {
                burst: 600,
                per_minute: 600,
            },
            login_failures_per_user: 5,
            lockout: Duration::from_secs(60),
            max_lockout: Duration::from_secs(3600),
            login_failures_per_client: Rate {
                burst: 20,
                per_minute: 20,
            },
            hash_threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            hash_queue: 64,
            timeout: Duration::from_secs(30),
            long_timeout: Duration::from_secs(180),
            // ~20 tiles a pan: a burst of 30 pans, then a pan every 2 s
            // sustained (cached tiles are cheap; builds are bounded below).
            tiles: Rate {
                burst: 600,
                per_minute: 600,
            },
            tile_builds: std::thread::available_parallelism().map_or(2, |n| n.get()),
            tile_queue: 256,
        }
    }
}

/// Keys kept per table; past it the idle ones are forgotten.
const MAX_KEYS: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(rate: Rate, now: Instant) -> Bucket {
        Bucket {
            tokens: f64::from(rate.burst),
            at: now,
        }
    }

    fn per_second(rate: Rate) -> f64 {
        f64::from(rate.per_minute.max(1)) / 60.0
    }

    fn refill(&mut self, rate: Rate, now: Instant) {
        let gained =
            now.saturating_duration_since(self.at).as_secs_f64() * Bucket::per_second(rate);
        self.tokens = (self.tokens + gained).min(f64::from(rate.burst));
        self.at = now;
    }

    /// Seconds until one token is back.
    fn wait(&self, rate: Rate) -> u64 {
        (((1.0 - self.tokens) / Bucket::per_second(rate)).ceil() as u64).max(1)
    }
}

/// A name's failed logins.
#[derive(Debug, Clone, Copy)]
struct Lock {
    failures: u32,
    until: Option<Instant>,
    last: Instant,
}

/// A name's lockout as an admin sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockState {
    pub failures: u32,
    pub locked_until: Option<DateTime<Utc>>,
}

#[derive(Debug)]
struct Inner {
    limits: Limits,
    reads: Mutex<HashMap<(IpAddr, bool), Bucket>>,
    login_clients: Mutex<HashMap<IpAddr, Bucket>>,
    /// Failed logins per name and client address: a stranger's wrong
    /// passwords lock the name for that stranger only, never for its
    /// owner elsewhere.
    names: Mutex<HashMap<(String, IpAddr), Lock>>,
    hashing: Arc<Semaphore>,
    waiting: AtomicUsize,
    tiles: Mutex<HashMap<IpAddr, Bucket>>,
    tile_builds: Arc<Semaphore>,
    tiles_waiting: AtomicUsize,
}

/// The limiters' shared state (one per [`AppState`]).
#[derive(Debug, Clone)]
pub(super) struct Guard(Arc<Inner>);

impl Default for Guard {
    fn default() -> Guard {
        Guard::new(Limits::default())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Makes room in a full table: forgets the entries `idle` says may go,
/// and everything if that is not enough.
fn make_room<K: Eq + Hash, V>(map: &mut HashMap<K, V>, idle: impl Fn(&V) -> bool) {
    if map.len() >= MAX_KEYS {
        map.retain(|_, v| !idle(v));
        if map.len() >= MAX_KEYS {
            map.clear();
        }
    }
}

fn too_many(retry_after: u64, message: String) -> ApiError {
    ApiError::TooMany {
        retry_after,
        message,
    }
}

impl Guard {
    pub(super) fn new(limits: Limits) -> Guard {
        Guard(Arc::new(Inner {
            hashing: Arc::new(Semaphore::new(limits.hash_threads.max(1))),
            tile_builds: Arc::new(Semaphore::new(limits.tile_builds.max(1))),
            limits,
            reads: Mutex::default(),
            login_clients: Mutex::default(),
            names: Mutex::default(),
            waiting: AtomicUsize::new(0),
            tiles: Mutex::default(),
            tiles_waiting: AtomicUsize::new(0),
        }))
    }

    fn limits(&self) -> &Limits {
        &self.0.limits
    }

    /// Takes a token for an expensive read by `ip`.
    fn read(&self, ip: IpAddr, logged_in: bool) -> Result<(), ApiError> {
        let rate = if logged_in {
            self.limits().logged_in
        } else {
            self.limits().anonymous
        };
        let now = Instant::now();
        let mut map = lock(&self.0.reads);
        if !map.contains_key(&(ip, logged_in)) {
            make_room(&mut map, |b: &Bucket| {
                let mut b = *b;
                b.refill(rate, now);
                b.tokens >= f64::from(rate.burst)
            });
        }
        let b = map
            .entry((ip, logged_in))
            .or_insert_with(|| Bucket::full(rate, now));
        b.refill(rate, now);
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            return Ok(());
        }
        let wait = b.wait(rate);
        Err(too_many(
            wait,
            format!(
                "quá nhiều yêu cầu xuất tệp, báo cáo hoặc xem lại ngày cũ, thử lại sau {wait} giây / too many exports, reports or replays, try again in {wait} s"
            ),
        ))
    }

    /// Takes a token for a vector tile by `ip`.
    fn tile(&self, ip: IpAddr) -> Result<(), ApiError> {
        let rate = self.limits().tiles;
        let now = Instant::now();
        let mut map = lock(&self.0.tiles);
        if !map.contains_key(&ip) {
            make_room(&mut map, |b: &Bucket| {
                let mut b = *b;
                b.refill(rate, now);
                b.tokens >= f64::from(rate.burst)
            });
        }
        let b = map.entry(ip).or_insert_with(|| Bucket::full(rate, now));
        b.refill(rate, now);
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            return Ok(());
        }
        let wait = b.wait(rate);
        Err(too_many(
            wait,
            format!(
                "quá nhiều yêu cầu ô bản đồ, thử lại sau {wait} giây / too many map tiles, try again in {wait} s"
            ),
        ))
    }

    /// A permit to build one vector tile, waited for in a bounded queue;
    /// 429 when the queue is full. Held until the tile is built.
    pub(super) async fn tile_permit(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        let waiting = self.0.tiles_waiting.fetch_add(1, Ordering::SeqCst);
        let out = if waiting >= self.limits().tile_queue {
            Err(too_many(
                1,
                "máy chủ đang dựng nhiều ô bản đồ, thử lại sau 1 giây / the server is building many map tiles, try again in 1 s".into(),
            ))
        } else {
            Arc::clone(&self.0.tile_builds)
                .acquire_owned()
                .await
                .map_err(|e| ApiError::Internal(format!("tile semaphore: {e}")))
        };
        self.0.tiles_waiting.fetch_sub(1, Ordering::SeqCst);
        out
    }

    /// Whether `name` may try to log in from `ip` now: 429 while the name
    /// is locked or the address has failed too often.
    pub(super) fn login_allowed(&self, ip: IpAddr, name: &str) -> Result<(), ApiError> {
        let now = Instant::now();
        if let Some(until) = lock(&self.0.names)
            .get(&(name.trim().to_string(), ip))
            .and_then(|l| l.until)
            .filter(|u| *u > now)
        {
            let wait = until.duration_since(now).as_secs_f64().ceil().max(1.0) as u64;
            return Err(too_many(
                wait,
                format!(
                    "tên đăng nhập tạm khóa sau nhiều lần sai mật khẩu, thử lại sau {wait} giây hoặc nhờ quản trị viên mở khóa / login name locked after repeated wrong passwords, try again in {wait} s or ask an admin to unlock it"
                ),
            ));
        }
        let rate = self.limits().login_failures_per_client;
        if let Some(b) = lock(&self.0.login_clients).get_mut(&ip) {
            b.refill(rate, now);
            if b.tokens < 1.0 {
                let wait = b.wait(rate);
                return Err(too_many(
                    wait,
                    format!(
                        "quá nhiều lần đăng nhập sai từ máy này, thử lại sau {wait} giây / too many failed logins from this address, try again in {wait} s"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Counts a failed login of `name` from `ip`.
    pub(super) fn login_failed(&self, ip: IpAddr, name: &str) {
        let now = Instant::now();
        let limits = self.limits();
        {
            let rate = limits.login_failures_per_client;
            let mut map = lock(&self.0.login_clients);
            if !map.contains_key(&ip) {
                make_room(&mut map, |b: &Bucket| {
                    let mut b = *b;
                    b.refill(rate, now);
                    b.tokens >= f64::from(rate.burst)
                });
            }
            let b = map.entry(ip).or_insert_with(|| Bucket::full(rate, now));
            b.refill(rate, now);
            b.tokens = (b.tokens - 1.0).max(0.0);
        }
        let mut names = lock(&self.0.names);
        let key = (name.trim().to_string(), ip);
        if !names.contains_key(&key) {
            // Forgotten first: names not locked and quiet for the longest lockout.
            let quiet = limits.max_lockout;
            make_room(&mut names, |l: &Lock| {
                l.until.is_none_or(|u| u <= now) && now.duration_since(l.last) > quiet
            });
        }
        let l = names.entry(key).or_insert(Lock {
            failures: 0,
            until: None,
            last: now,
        });
        l.failures = l.failures.saturating_add(1);
        l.last = now;
        if let Some(over) = l.failures.checked_sub(limits.login_failures_per_user) {
            let lockout = limits
                .lockout
                .saturating_mul(1u32 << over.min(20))
                .min(limits.max_lockout);
            l.until = Some(now + lockout);
        }
    }

    /// A successful login from `ip`: the name's failures from there are
    /// forgotten (a stranger's elsewhere stay counted).
    pub(super) fn login_succeeded(&self, ip: IpAddr, name: &str) {
        lock(&self.0.names).remove(&(name.trim().to_string(), ip));
    }

    /// An admin unlocks `name` from every address; whether it was locked or
    /// had failures.
    pub(super) fn unlock(&self, name: &str) -> bool {
        let mut names = lock(&self.0.names);
        let before = names.len();
        names.retain(|(n, _), _| n != name);
        names.len() != before
    }

    /// `name`'s failed logins and lockout, if any.
    pub(super) fn lock_state(&self, name: &str) -> LockState {
        let now = Instant::now();
        let wall = Utc::now();
        // Over every address: the failures added up, the latest lockout.
        let names = lock(&self.0.names);
        let mine = names.iter().filter(|((n, _), _)| n == name).map(|(_, l)| l);
        let failures = mine
            .clone()
            .map(|l| l.failures)
            .fold(0u32, u32::saturating_add);
        let until = mine.filter_map(|l| l.until).filter(|u| *u > now).max();
        LockState {
            failures,
            locked_until: until.map(|u| {
                wall + chrono::Duration::from_std(u.duration_since(now)).unwrap_or_default()
            }),
        }
    }

    /// A permit to compute one password hash, waited for in a bounded
    /// queue; 429 when the queue is full. Move it into the blocking task
    /// so that it is held until the hash is done.
    pub(super) async fn hash_permit(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        let waiting = self.0.waiting.fetch_add(1, Ordering::SeqCst);
        let out = if waiting >= self.limits().hash_queue {
            Err(too_many(
                1,
                "quá nhiều người đăng nhập cùng lúc, thử lại sau 1 giây / too many logins at once, try again in 1 s".into(),
            ))
        } else {
            Arc::clone(&self.0.hashing)
                .acquire_owned()
                .await
                .map_err(|e| ApiError::Internal(format!("hashing semaphore: {e}")))
        };
        self.0.waiting.fetch_sub(1, Ordering::SeqCst);
        out
    }
}

/// The calling client's address (the TCP peer; unspecified when the
/// server was not started with connect info).
#[derive(Debug, Clone, Copy)]
pub(super) struct ClientIp(pub IpAddr);

/// The client an address counts as: an IPv6 host is its /64 network (one
/// subscriber holds a whole /64), an IPv4-mapped address its IPv4 one.
fn client(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from_bits(
                v6.to_bits() & !((1u128 << 64) - 1),
            )),
        },
        v4 => v4,
    }
}

/// Whether a request is one of the expensive reads that [`Limits::anonymous`]
/// and [`Limits::logged_in`] limit: an export, a report, a replay.
fn expensive(path: &str, query: Option<&str>) -> bool {
    // Keys as the query parser will read them: `as%5Fof` is `as_of`.
    let given = |key: &str| {
        query.is_some_and(|q| {
            q.split('&').any(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                !v.is_empty() && percent_decoded(k) == key
            })
        })
    };
    path == "/api/export"
        // Every report, its periodic narrative and a frozen one rendered.
        || path == "/api/reports"
        || path.starts_with("/api/reports/")
        // A map sheet draws up to thousands of parcels.
        || path == "/api/print"
        // The whole ward's parcels, not a viewport's.
        || (path == "/api/parcels" && !given("bbox"))
        || (path.starts_with("/api/") && given("as_of"))
}

/// Writes that do a report's work without keeping anything (a preview
/// renders the whole periodic report): they take a token as expensive
/// reads do.
fn expensive_write(path: &str) -> bool {
    path == "/api/reports/preview"
}

/// A query key percent-decoded (`+` is a space); undecodable bytes kept.
fn percent_decoded(k: &str) -> String {
    let b = k.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The routes whose timeout is [`Limits::long_timeout`].
fn long(path: &str) -> bool {
    // Uploads too: a 10 MB scan over a slow phone link takes minutes.
    path == "/api/export" || path.starts_with("/api/reports") || upload(path)
}

/// The upload routes, `/api/parcels/{id}/attachments` and
/// `/api/inspections/{id}/attachments`.
pub(super) fn upload(path: &str) -> bool {
    ["/api/parcels/", "/api/inspections/"].iter().any(|prefix| {
        path.strip_prefix(prefix)
            .and_then(|p| p.strip_suffix("/attachments"))
            .is_some_and(|id| !id.is_empty() && !id.contains('/'))
    })
}

/// The files of the page folder served: the page, its style and scripts,
/// and from `node_modules` only the map library's bundle and the font.
pub(super) fn public_file(path: &str) -> bool {
    if path.contains("..") || path.contains("//") || path.contains('\\') || path.contains('%') {
        return false;
    }
    let file_in = |dir: &str, exts: &[&str]| {
        path.strip_prefix(dir).is_some_and(|f| {
            !f.is_empty() && !f.contains('/') && exts.iter().any(|e| f.ends_with(e))
        })
    };
    matches!(path, "/" | "/index.html" | "/style.css")
        || file_in("/src/", &[".js"])
        // the party tab's sections (web/src/party/*.js)
        || file_in("/src/party/", &[".js"])
        // the field page, its service worker, manifest and icons (issue 15)
        || matches!(path, "/field.html" | "/field.css" | "/sw.js" | "/manifest.webmanifest")
        || file_in("/src/field/", &[".js"])
        || file_in("/icons/", &[".png"])
        || (file_in("/node_modules/maplibre-gl/dist/", &[".mjs", ".css"]) && !path.contains("-dev"))
        || file_in("/node_modules/@fontsource/noto-sans/", &[".css"])
        || file_in(
            "/node_modules/@fontsource/noto-sans/files/",
            &[".woff2", ".woff"],
        )
}

/// Go's `CrossOriginProtection.Check` (without trusted origins or bypasses).
fn same_origin(h: &HeaderMap) -> Result<(), ApiError> {
    match h.get("sec-fetch-site").map(|v| v.as_bytes()) {
        None | Some(b"") => {}
        Some(b"same-origin" | b"none") => return Ok(()),
        Some(_) => return Err(ApiError::CrossOrigin),
    }
    let Some(origin) = h.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, host)| host);
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok());
    match (origin_host, host) {
        (Some(o), Some(h)) if !o.is_empty() && o.eq_ignore_ascii_case(h) => Ok(()),
        _ => Err(ApiError::CrossOrigin),
    }
}

/// The content type a write's body must have.
fn content_type(path: &str, h: &HeaderMap) -> Result<(), ApiError> {
    let essence = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    if upload(path) {
        return match essence.as_deref() {
            Some("text/plain" | "application/x-www-form-urlencoded" | "multipart/form-data") => {
                Err(ApiError::UnsupportedType(
                    "Content-Type: tệp đính kèm gửi nguyên dạng (application/pdf, image/png...), không qua biểu mẫu / attachments are sent as the file itself (application/pdf, image/png...), not as a form".into(),
                ))
            }
            _ => Ok(()),
        };
    }
    let has_body = h.contains_key(header::TRANSFER_ENCODING)
        || h.get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0");
    match essence.as_deref() {
        _ if !has_body => Ok(()),
        Some(t) if t == "application/json" || t.ends_with("+json") => Ok(()),
        _ => Err(ApiError::UnsupportedType(
            "Content-Type: cần application/json / application/json required".into(),
        )),
    }
}

/// The checks before the handler.
async fn check(state: &AppState, ip: IpAddr, req: &mut Request) -> Result<(), ApiError> {
    let path = req.uri().path();
    let tile = path.starts_with("/tiles/");
    if !path.starts_with("/api/")
        && path != "/healthz"
        && !tile
        && state.web.is_some()
        && !public_file(path)
    {
        return Err(ApiError::NotFound(
            "không có đường dẫn này / no such route".into(),
        ));
    }
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if tile && safe {
        state.guard.tile(ip)?;
    }
    if !safe {
        same_origin(req.headers())?;
        content_type(path, req.headers())?;
        if path.starts_with("/api/") && !matches!(path, "/api/login" | "/api/logout") {
            // Every write is by a role that writes: checked here, before
            // the body is read (each handler then checks its own action).
            let caller = Caller::of(state, req.headers()).await?;
            match &caller.0 {
                None => return Err(ApiError::Unauthorized),
                Some(u) if !u.role.writes() => return Err(ApiError::Forbidden),
                Some(_) => {}
            }
            if expensive_write(path) {
                state.guard.read(ip, true)?;
            }
            req.extensions_mut().insert(caller);
        }
    } else if expensive(path, req.uri().query()) {
        let caller = Caller::of(state, req.headers()).await?;
        state.guard.read(ip, caller.0.is_some())?;
        req.extensions_mut().insert(caller);
    }
    Ok(())
}

/// The middleware around the whole router (see the module's text).
pub(super) async fn guard(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| client(c.0.ip()));
    req.extensions_mut().insert(ClientIp(ip));
    let limits = state.guard.limits();
    let timeout = if long(req.uri().path()) {
        limits.long_timeout
    } else {
        limits.timeout
    };
    let work = async move {
        match check(&state, ip, &mut req).await {
            Err(e) => e.into_response(),
            Ok(()) => json_413(next.run(req).await),
        }
    };
    match tokio::time::timeout(timeout, work).await {
        Ok(r) => r,
        Err(_) => ApiError::TimedOut(timeout.as_secs()).into_response(),
    }
}

/// A 413 from the body limit (plain text) as the JSON error.
fn json_413(r: Response) -> Response {
    let json = r
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if r.status() != StatusCode::PAYLOAD_TOO_LARGE || json {
        return r;
    }
    let mb = super::BODY_LIMIT >> 20;
    ApiError::TooLarge(format!(
        "nội dung yêu cầu quá giới hạn {mb} MB / the request body is over the {mb} MB limit"
    ))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn cross_origin_writes_are_told_apart_like_go_does() {
        let host = ("host", "127.0.0.1:8080");
        for ok in [
            vec![host],
            vec![host, ("sec-fetch-site", "same-origin")],
            vec![host, ("sec-fetch-site", "none")],
            vec![host, ("origin", "http://127.0.0.1:8080")],
            vec![
                host,
                ("sec-fetch-site", "same-origin"),
                ("origin", "http://x.example"),
            ],
        ] {
            assert!(same_origin(&headers(&ok)).is_ok(), "{ok:?}");
        }
        for refused in [
            vec![host, ("sec-fetch-site", "cross-site")],
            vec![host, ("sec-fetch-site", "same-site")],
            vec![host, ("origin", "http://127.0.0.1:9090")],
            vec![host, ("origin", "null")],
            vec![("origin", "http://127.0.0.1:8080")],
        ] {
            assert!(
                matches!(same_origin(&headers(&refused)), Err(ApiError::CrossOrigin)),
                "{refused:?}"
            );
        }
    }

    #[test]
    fn forms_cannot_post_and_json_routes_need_json() {
        let json = headers(&[
            ("content-type", "application/json"),
            ("content-length", "2"),
        ]);
        let form = headers(&[("content-type", "text/plain"), ("content-length", "2")]);
        let none = headers(&[("content-length", "2")]);
        let pdf = headers(&[("content-type", "application/pdf"), ("content-length", "2")]);
        let multipart = headers(&[
            ("content-type", "multipart/form-data; boundary=x"),
            ("content-length", "2"),
        ]);
        assert!(content_type("/api/parcels/1/events", &json).is_ok());
        assert!(content_type("/api/parcels/1/events", &form).is_err());
        assert!(content_type("/api/parcels/1/events", &none).is_err());
        assert!(content_type("/api/logout", &HeaderMap::new()).is_ok());
        assert!(content_type("/api/parcels/1/attachments", &pdf).is_ok());
        assert!(content_type("/api/parcels/1/attachments", &none).is_ok());
        assert!(content_type("/api/parcels/1/attachments", &form).is_err());
        assert!(content_type("/api/parcels/1/attachments", &multipart).is_err());
    }

    #[test]
    fn only_the_pages_own_files_are_public() {
        for ok in [
            "/",
            "/index.html",
            "/style.css",
            "/src/main.js",
            "/src/party/evaluation.js",
            "/src/party/first.js",
            "/src/party/plans.js",
            "/src/party/inspections.js",
            "/field.html",
            "/field.css",
            "/sw.js",
            "/manifest.webmanifest",
            "/src/field/app.js",
            "/icons/icon-192.png",
            "/node_modules/maplibre-gl/dist/maplibre-gl.mjs",
            "/node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs",
            "/node_modules/maplibre-gl/dist/maplibre-gl.css",
            "/node_modules/@fontsource/noto-sans/400.css",
            "/node_modules/@fontsource/noto-sans/files/noto-sans-vietnamese-400-normal.woff2",
        ] {
            assert!(public_file(ok), "{ok}");
        }
        for no in [
            "/test/browser.mjs",
            "/bench/firstmap.mjs",
            "/package.json",
            "/README.md",
            "/node_modules/playwright-core/package.json",
            "/node_modules/maplibre-gl/package.json",
            "/node_modules/maplibre-gl/dist/maplibre-gl-dev.mjs",
            "/node_modules/maplibre-gl/dist/../../playwright-core/index.mjs",
            "/src/%2e%2e/test/browser.mjs",
            "/src/../test/browser.mjs",
            "/src/party/deeper/x.js",
            "/src/party/../../test/browser.mjs",
            "/src/party/x/y.js",
            "/src/field/../../test/browser.mjs",
            "/icons/icon.svg",
            "/bench/field.mjs",
        ] {
            assert!(!public_file(no), "{no}");
        }
    }

    #[test]
    fn a_name_is_locked_after_five_failures_for_longer_each_time() {
        let g = Guard::default();
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        for _ in 0..4 {
            g.login_failed(ip, "lan");
        }
        assert!(g.login_allowed(ip, "lan").is_ok());
        g.login_failed(ip, "lan");
        let Err(ApiError::TooMany { retry_after, .. }) = g.login_allowed(ip, "lan") else {
            panic!("locked")
        };
        assert!((59..=60).contains(&retry_after), "{retry_after}");
        assert!(g.login_allowed(ip, "minh").is_ok(), "another name");
        assert_eq!(g.lock_state("lan").failures, 5);
        assert!(g.lock_state("lan").locked_until.is_some());
        g.login_failed(ip, "lan");
        let Err(ApiError::TooMany { retry_after, .. }) = g.login_allowed(ip, "lan") else {
            panic!("locked")
        };
        assert!((119..=120).contains(&retry_after), "doubled: {retry_after}");
        assert!(g.unlock("lan"));
        assert!(g.login_allowed(ip, "lan").is_ok());
        assert_eq!(g.lock_state("lan").failures, 0);
    }

    #[test]
    fn a_strangers_wrong_passwords_never_lock_the_owner_out_elsewhere() {
        let g = Guard::default();
        let stranger = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7));
        let owner = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        for _ in 0..6 {
            g.login_failed(stranger, "admin");
        }
        assert!(g.login_allowed(stranger, "admin").is_err());
        assert!(g.login_allowed(owner, "admin").is_ok(), "the owner logs in");
        g.login_succeeded(owner, "admin");
        assert!(
            g.login_allowed(stranger, "admin").is_err(),
            "still locked there"
        );
        let seen = g.lock_state("admin");
        assert_eq!(seen.failures, 6);
        assert!(seen.locked_until.is_some(), "the admin sees the lockout");
        assert!(g.unlock("admin"));
        assert!(g.login_allowed(stranger, "admin").is_ok());
    }

    #[test]
    fn an_ipv6_subscriber_is_one_client_across_its_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client(a), client(b));
        assert_ne!(client(a), client(c));
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(client(mapped), "192.0.2.1".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn an_address_may_fail_twenty_times_a_minute() {
        let g = Guard::default();
        let ip = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 7));
        for i in 0..20 {
            assert!(g.login_allowed(ip, &format!("u{i}")).is_ok(), "{i}");
            g.login_failed(ip, &format!("u{i}"));
        }
        assert!(matches!(
            g.login_allowed(ip, "another"),
            Err(ApiError::TooMany { .. })
        ));
        let other = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 8));
        assert!(g.login_allowed(other, "another").is_ok());
    }

    #[test]
    fn the_tables_stay_bounded() {
        let g = Guard::default();
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        for i in 0..(MAX_KEYS + 10) {
            g.login_failed(IpAddr::V6(std::net::Ipv6Addr::from(i as u128)), "x");
            g.login_failed(ip, &format!("name {i}"));
        }
        assert!(lock(&g.0.names).len() <= MAX_KEYS);
        assert!(lock(&g.0.login_clients).len() <= MAX_KEYS);
    }

    #[test]
    fn expensive_reads_and_long_routes() {
        assert!(expensive("/api/export", None));
        assert!(expensive("/api/print", Some("group=1")));
        assert!(expensive("/api/reports", Some("by=group")));
        assert!(expensive("/api/reports/periodic", None));
        assert!(expensive("/api/reports/frozen/3", Some("format=html")));
        assert!(expensive_write("/api/reports/preview"));
        assert!(!expensive_write("/api/reports/frozen"));
        assert!(expensive("/api/segments", Some("as_of=2026-01-01")));
        assert!(!expensive("/api/segments", Some("as_of=")));
        assert!(!expensive("/api/segments", None));
        assert!(
            expensive("/api/segments", Some("as%5Fof=2026-01-01")),
            "encoded key"
        );
        assert!(expensive("/api/groups", Some("x=1&as%5fof=2026-01-01")));
        assert!(expensive("/api/parcels", None), "the whole ward");
        assert!(expensive("/api/parcels", Some("status=declined")));
        assert!(!expensive(
            "/api/parcels",
            Some("bbox=105.7,19.8,105.8,19.9")
        ));
        assert!(
            long("/api/parcels/12/attachments"),
            "uploads over slow links"
        );
        assert!(long("/api/export") && long("/api/reports/frozen/1"));
        assert!(!long("/api/parcels"));
        assert!(upload("/api/parcels/12/attachments"));
        assert!(!upload("/api/parcels/attachments"));
    }
}
