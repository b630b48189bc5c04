//! The page's files (`--web`), read once, compressed once (brotli and gzip)
//! and kept in memory, served with a strong `ETag`
//! from their content's hash and answered `304 Not Modified` when the
//! browser already holds them (`If-None-Match`).
//!
//! A file is `Cache-Control: no-cache`: the browser keeps it and asks each
//! load whether it changed (a 304 of a few hundred bytes), since the page's
//! own files, the map library and the fonts are served under paths without
//! a version (an upgrade would otherwise be missed by every browser that
//! held the old copy). A library file asked for with its package's
//! installed version (`?v=6.17.0`, as MapLibre asks for its worker, and as
//! the page preloads it) is kept for good (`immutable`): that URL never
//! means other bytes, and a preloaded worker then starts from the cache
//! without a round trip. Which files are served at all is
//! [`super::guard::public_file`]'s allow-list, checked before this runs;
//! `package.json` itself is read here, never served.
//!
//! A file is re-read when its size or modification time changes (the page
//! is edited while the server runs); the files the first load needs are
//! compressed in the background when the server starts ([`warm`]).
//! Everything else the API answers is compressed on the fly by the router's
//! compression layer ([`compressible`]).

use super::{ApiError, AppState};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{Extensions, HeaderMap, HeaderValue, Method, StatusCode, Version, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;
use tokio::sync::OnceCell;

/// Bodies smaller than this are sent as they are: compressing them saves
/// less than it costs.
pub(super) const MIN_COMPRESS: usize = 1024;

/// The files the first map needs, compressed when the server starts.
const FIRST_LOAD: &[&str] = &[
    "index.html",
    "style.css",
    "node_modules/maplibre-gl/dist/maplibre-gl.mjs",
    "node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs",
    "node_modules/maplibre-gl/dist/maplibre-gl.css",
];

/// One file as read, with its compressed forms (none when they would not
/// be smaller).
struct Asset {
    plain: Bytes,
    br: Option<Bytes>,
    gzip: Option<Bytes>,
    /// The content hash (hex), the `ETag` of the plain form.
    hash: String,
    content_type: &'static str,
}

/// A file's cache slot: the size and time it was read at, and the asset
/// once read (concurrent first requests wait for one reading).
struct Slot {
    stamp: (u64, Option<SystemTime>),
    asset: OnceCell<Arc<Asset>>,
}

/// The cache of the page's files, by path under the web folder.
#[derive(Clone, Default)]
pub(super) struct Assets(Arc<Mutex<HashMap<String, Arc<Slot>>>>);

impl std::fmt::Debug for Assets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.0.lock().map_or(0, |m| m.len());
        write!(f, "Assets({n} files)")
    }
}

/// Media type by file name; `compress` says whether compression pays.
fn media_type(name: &str) -> (&'static str, bool) {
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "html" => ("text/html; charset=utf-8", true),
        "css" => ("text/css; charset=utf-8", true),
        "js" | "mjs" => ("text/javascript; charset=utf-8", true),
        "json" | "map" => ("application/json", true),
        "webmanifest" => ("application/manifest+json", true),
        "svg" => ("image/svg+xml", true),
        "txt" => ("text/plain; charset=utf-8", true),
        "woff2" => ("font/woff2", false),
        "woff" => ("font/woff", false),
        "png" => ("image/png", false),
        "ico" => ("image/x-icon", false),
        _ => ("application/octet-stream", false),
    }
}

/// Brotli quality for the page's files. Measured on maplibre-gl.mjs
/// (1,110,272 B) on a busy 2-core machine: 9 gives 263,049 B in 2.1 s, 10
/// gives 245,887 B in 10.5 s, 11 gives 241,964 B in 16.6 s; 21 KB (0.1 s on
/// a 1.6 Mbps phone) is not worth 8 times the work at every start.
const BROTLI_QUALITY: i32 = 9;

/// Brotli (text mode): each file is compressed once.
fn brotli(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: BROTLI_QUALITY,
        lgwin: 22,
        size_hint: data.len(),
        mode: brotli::enc::backward_references::BrotliEncoderMode::BROTLI_MODE_TEXT,
        ..Default::default()
    };
    let mut out = Vec::with_capacity(data.len() / 3);
    brotli::BrotliCompress(&mut &data[..], &mut out, &params)?;
    Ok(out)
}

fn gzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut e = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() / 3),
        flate2::Compression::best(),
    );
    e.write_all(data)?;
    e.finish()
}

/// Reads and compresses one file (on the blocking pool).
fn load(path: &Path) -> std::io::Result<Asset> {
    let plain = std::fs::read(path)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let (content_type, compress) = media_type(name);
    let worth = |c: Vec<u8>| (c.len() * 10 < plain.len() * 9).then(|| Bytes::from(c));
    let big = compress && plain.len() >= MIN_COMPRESS;
    let (br, gz) = if big {
        (worth(brotli(&plain)?), worth(gzip(&plain)?))
    } else {
        (None, None)
    };
    let digest = Sha256::digest(&plain);
    let hash = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    Ok(Asset {
        plain: Bytes::from(plain),
        br,
        gzip: gz,
        hash,
        content_type,
    })
}

impl Assets {
    /// The file at `rel` under `dir`, read (and compressed) unless the
    /// cache holds it as it is on disk; `None` when there is no such file.
    async fn get(&self, dir: &Path, rel: &str) -> Result<Option<Arc<Asset>>, ApiError> {
        let path: PathBuf = dir.join(rel);
        let meta = match tokio::fs::metadata(&path).await {
            Ok(m) if m.is_file() => m,
            _ => return Ok(None),
        };
        let stamp = (meta.len(), meta.modified().ok());
        let slot = {
            let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
            match map.get(rel) {
                Some(s) if s.stamp == stamp => Arc::clone(s),
                _ => {
                    let s = Arc::new(Slot {
                        stamp,
                        asset: OnceCell::new(),
                    });
                    map.insert(rel.to_string(), Arc::clone(&s));
                    s
                }
            }
        };
        let asset = slot
            .asset
            .get_or_try_init(|| async move {
                tokio::task::spawn_blocking(move || load(&path))
                    .await?
                    .map(Arc::new)
                    .map_err(|e| ApiError::Internal(format!("{rel}: {e}")))
            })
            .await?;
        Ok(Some(Arc::clone(asset)))
    }
}

/// Compresses the files of the first load in the background (when a
/// runtime is running), so that the first phone does not wait for it.
pub(super) fn warm(assets: &Assets, dir: &Arc<PathBuf>) {
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let (assets, dir) = (assets.clone(), Arc::clone(dir));
    rt.spawn(async move {
        for rel in FIRST_LOAD {
            if let Err(e) = assets.get(&dir, rel).await {
                tracing::warn!("{e}");
            }
        }
    });
}

/// The encoding to send: brotli, else gzip, as `Accept-Encoding` allows
/// (a `q=0` refuses one).
fn accepted(h: &HeaderMap) -> (bool, bool) {
    let (mut br, mut gz) = (false, false);
    for v in h.get_all(header::ACCEPT_ENCODING) {
        for item in v.to_str().unwrap_or("").split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            match name.as_str() {
                "br" => br = !refused,
                "gzip" | "x-gzip" => gz = !refused,
                "*" => {
                    br |= !refused;
                    gz |= !refused;
                }
                _ => {}
            }
        }
    }
    (br, gz)
}

/// Whether `If-None-Match` names one of the file's forms (or `*`).
fn not_modified(h: &HeaderMap, tags: &[String]) -> bool {
    h.get_all(header::IF_NONE_MATCH).iter().any(|v| {
        v.to_str().unwrap_or("").split(',').any(|t| {
            let t = t.trim();
            let t = t.strip_prefix("W/").unwrap_or(t);
            t == "*" || tags.iter().any(|tag| tag == t)
        })
    })
}

/// The package folder of a file under `node_modules` (`node_modules/x` or
/// `node_modules/@scope/x`).
fn package_of(rel: &str) -> Option<&str> {
    let rest = rel.strip_prefix("node_modules/")?;
    let parts = if rest.starts_with('@') { 2 } else { 1 };
    let end = rest.match_indices('/').nth(parts - 1)?.0;
    Some(&rel[.."node_modules/".len() + end])
}

/// Whether the request names its package's installed version (`?v=6.17.0`,
/// as MapLibre asks for its worker): such a URL always means the same
/// bytes, and may be kept for good. A version that is not the installed
/// one (a page older or newer than the library) is not.
async fn versioned(state: &AppState, dir: &Path, rel: &str, query: Option<&str>) -> bool {
    let Some(v) = query
        .unwrap_or("")
        .split('&')
        .find_map(|kv| kv.strip_prefix("v="))
    else {
        return false;
    };
    let Some(pkg) = package_of(rel) else {
        return false;
    };
    let Ok(Some(json)) = state.assets.get(dir, &format!("{pkg}/package.json")).await else {
        return false;
    };
    serde_json::from_slice::<serde_json::Value>(&json.plain)
        .ok()
        .and_then(|p| p["version"].as_str().map(|installed| installed == v))
        .unwrap_or(false)
}

/// The page's files: `GET`/`HEAD` of a file under the web folder.
pub(super) async fn serve(State(state): State<AppState>, req: Request) -> Response {
    let Some(dir) = state.web.clone() else {
        return super::not_found().await.into_response();
    };
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, HeaderValue::from_static("GET, HEAD"))],
        )
            .into_response();
    }
    let path = req.uri().path();
    let rel = match path.strip_prefix('/') {
        Some("") => "index.html",
        Some(r) if !r.ends_with('/') => r,
        _ => return super::not_found().await.into_response(),
    };
    let asset = match state.assets.get(&dir, rel).await {
        Ok(Some(a)) => a,
        Ok(None) => return super::not_found().await.into_response(),
        Err(e) => return e.into_response(),
    };
    let (br, gz) = accepted(req.headers());
    let (body, encoding, suffix) = match (&asset.br, &asset.gzip) {
        (Some(b), _) if br => (b.clone(), Some("br"), "-br"),
        (_, Some(g)) if gz => (g.clone(), Some("gzip"), "-gz"),
        _ => (asset.plain.clone(), None, ""),
    };
    let tags: Vec<String> = ["", "-br", "-gz"]
        .iter()
        .map(|s| format!("\"{}{s}\"", asset.hash))
        .collect();
    let etag = format!("\"{}{suffix}\"", asset.hash);
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, v);
    }
    let keep = if versioned(&state, &dir, rel, req.uri().query()).await {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(keep));
    if asset.br.is_some() || asset.gzip.is_some() {
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if not_modified(req.headers(), &tags) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Some(e) = encoding {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(e));
    }
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    (StatusCode::OK, headers, Body::from(body)).into_response()
}

/// Which answers the compression layer compresses (with
/// [`MIN_COMPRESS`]): text, JSON, GeoJSON, KML, SVG. Never the files that
/// are compressed already or binary (xlsx, docx, zip, GeoPackage, PDF,
/// images, fonts, uploaded scans): an allow-list, so that a new binary
/// download is left alone.
pub(super) fn compressible(
    _status: StatusCode,
    _version: Version,
    h: &HeaderMap,
    _ext: &Extensions,
) -> bool {
    let Some(ct) = h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let ct = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    ct.starts_with("text/")
        || ct.ends_with("+json")
        || ct.ends_with("+xml")
        || matches!(
            ct.as_str(),
            "application/json" | "application/javascript" | "application/xml"
            // vector tiles: protobuf of small integers, about half gzipped
            | "application/vnd.mapbox-vector-tile"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.append(k.clone(), HeaderValue::from_static(v));
        }
        m
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        let ae = |v| accepted(&h(&[(header::ACCEPT_ENCODING, v)]));
        assert_eq!(ae("gzip, deflate, br, zstd"), (true, true));
        assert_eq!(ae("gzip"), (false, true));
        assert_eq!(ae("br;q=0, gzip;q=0.5"), (false, true));
        assert_eq!(ae("*;q=0"), (false, false));
        assert_eq!(ae("identity"), (false, false));
        assert_eq!(accepted(&HeaderMap::new()), (false, false));
    }

    #[test]
    fn binary_downloads_are_never_compressed() {
        let c = |ct| {
            compressible(
                StatusCode::OK,
                Version::HTTP_11,
                &h(&[(header::CONTENT_TYPE, ct)]),
                &Extensions::new(),
            )
        };
        for yes in [
            "application/json",
            "application/geo+json",
            "text/csv; charset=utf-8",
            "text/html; charset=utf-8",
            "application/vnd.google-earth.kml+xml",
        ] {
            assert!(c(yes), "{yes}");
        }
        for no in [
            "application/zip",
            "application/geopackage+sqlite3",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/pdf",
            "image/jpeg",
            "font/woff2",
            "application/octet-stream",
        ] {
            assert!(!c(no), "{no}");
        }
    }

    #[test]
    fn the_package_of_a_library_file() {
        let p = package_of;
        assert_eq!(
            p("node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs"),
            Some("node_modules/maplibre-gl")
        );
        assert_eq!(
            p("node_modules/@fontsource/noto-sans/files/a.woff2"),
            Some("node_modules/@fontsource/noto-sans")
        );
        assert_eq!(p("src/main.js"), None);
        assert_eq!(p("node_modules/x"), None);
    }

    #[test]
    fn an_etag_of_any_form_or_a_star_is_not_modified() {
        let tags = vec!["\"ab\"".to_string(), "\"ab-br\"".to_string()];
        assert!(not_modified(
            &h(&[(header::IF_NONE_MATCH, "\"x\", W/\"ab-br\"")]),
            &tags
        ));
        assert!(not_modified(&h(&[(header::IF_NONE_MATCH, "*")]), &tags));
        assert!(!not_modified(
            &h(&[(header::IF_NONE_MATCH, "\"abc\"")]),
            &tags
        ));
        assert!(!not_modified(&HeaderMap::new(), &tags));
    }
}
