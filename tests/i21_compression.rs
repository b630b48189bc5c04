//! Issue 21, item 1: compressed, cached answers. The API's answers and the
//! page's files come gzip- or brotli-compressed when the client asks (and
//! only then), decoding to the very bytes sent plain; binary downloads and
//! tiny answers are sent as they are; the page's files carry a strong ETag
//! of their content and are answered 304 when the browser holds them.

use hiendat::api::{AppState, router};
use reqwest::StatusCode;
use reqwest::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY,
};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

const DEMO_TODAY: &str = "2026-11-29";

fn tmp() -> &'static Path {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
}

fn demo_template() -> &'static PathBuf {
    static T: OnceLock<PathBuf> = OnceLock::new();
    T.get_or_init(|| {
        for e in std::fs::read_dir(tmp()).into_iter().flatten().flatten() {
            if e.file_name().to_string_lossy().starts_with("i21c-") {
                let _ = std::fs::remove_file(e.path());
            }
        }
        let path = tmp().join(format!("i21c-demo-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        hiendat::demo::database::create_demo_as_of(&path, 3, 300, DEMO_TODAY.parse().unwrap())
            .unwrap();
        path
    })
}

/// A page folder of its own (the worktree may lack `node_modules`): a
/// page, a script of a few KB, a font, and a file outside the allow-list.
fn web_dir(n: usize) -> PathBuf {
    let dir = tmp().join(format!("i21c-web-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let fonts = dir.join("node_modules/@fontsource/noto-sans/files");
    std::fs::create_dir_all(&fonts).unwrap();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join("node_modules/playwright-core")).unwrap();
    let page = format!(
        "<!doctype html><html lang=\"vi\"><title>Hiến đất mở đường</title>{}</html>",
        "<p>Tiến độ giải phóng mặt bằng theo đoạn tuyến / progress by segment</p>\n".repeat(40)
    );
    std::fs::write(dir.join("index.html"), page).unwrap();
    let script: String = (0..300)
        .map(|i| format!("export const segment{i} = {{ id: {i}, name: 'Đường số {i}' }};\n"))
        .collect();
    std::fs::write(dir.join("src/main.js"), script).unwrap();
    // a woff2 is compressed already: bytes that do not repeat
    let font: Vec<u8> = (0u32..4096)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(fonts.join("noto-sans-vietnamese-400-normal.woff2"), font).unwrap();
    std::fs::write(
        dir.join("node_modules/playwright-core/package.json"),
        "{\"name\": \"playwright-core\"}".repeat(100),
    )
    .unwrap();
    dir
}

struct Server {
    base: String,
    web: PathBuf,
    http: reqwest::Client,
}

impl Server {
    async fn start() -> Server {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let db = tmp().join(format!("i21c-{}-{n}.db", std::process::id()));
        std::fs::copy(demo_template(), &db).unwrap();
        let web = web_dir(n);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = router(AppState::new(db, false).with_web(&web));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Server {
            base: format!("http://{addr}"),
            web,
            // no decompression of its own (reqwest without its gzip/brotli
            // features): the bytes as they came over the wire
            http: reqwest::Client::new(),
        }
    }

    /// GET `path` asking for `encoding` (none: no Accept-Encoding), with
    /// extra headers: the answer's status, headers and raw body.
    async fn get(
        &self,
        path: &str,
        encoding: Option<&str>,
        extra: &[(reqwest::header::HeaderName, &str)],
    ) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        let mut r = self.http.get(format!("{}{path}", self.base));
        if let Some(e) = encoding {
            r = r.header(ACCEPT_ENCODING, e);
        }
        for (k, v) in extra {
            r = r.header(k, *v);
        }
        let res = r.send().await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        (status, headers, res.bytes().await.unwrap().to_vec())
    }
}

fn header(h: &reqwest::header::HeaderMap, name: reqwest::header::HeaderName) -> &str {
    h.get(name).map_or("", |v| v.to_str().unwrap())
}

fn unbrotli(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(b, 4096)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn gunzip(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(b)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// `path` plain, then with brotli and with gzip asked for: each encoded as
/// asked, decoding to the plain body. Gives the plain answer's headers.
async fn encodes_both_ways(s: &Server, path: &str) -> reqwest::header::HeaderMap {
    let (status, plain_h, plain) = s.get(path, None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    assert_eq!(
        header(&plain_h, CONTENT_ENCODING),
        "",
        "{path}: not asked, not encoded"
    );
    assert!(plain.len() > 1024, "{path}: {} bytes", plain.len());
    let (_, br_h, br) = s.get(path, Some("gzip, deflate, br, zstd"), &[]).await;
    assert_eq!(header(&br_h, CONTENT_ENCODING), "br", "{path}");
    assert!(
        br.len() < plain.len() / 2,
        "{path}: br {} of {}",
        br.len(),
        plain.len()
    );
    assert_eq!(
        unbrotli(&br),
        plain,
        "{path}: brotli decodes to the plain body"
    );
    assert!(
        header(&br_h, VARY)
            .to_ascii_lowercase()
            .contains("accept-encoding")
    );
    let (_, gz_h, gz) = s.get(path, Some("gzip"), &[]).await;
    assert_eq!(header(&gz_h, CONTENT_ENCODING), "gzip", "{path}");
    assert_eq!(gunzip(&gz), plain, "{path}: gzip decodes to the plain body");
    let (_, none_h, _) = s.get(path, Some("br;q=0, gzip;q=0"), &[]).await;
    assert_eq!(
        header(&none_h, CONTENT_ENCODING),
        "",
        "{path}: both refused"
    );
    plain_h
}

#[tokio::test]
async fn api_answers_come_compressed_when_asked_and_equal_the_plain_ones() {
    let s = Server::start().await;
    for path in [
        "/api/segments",
        "/api/parcels?fields=id,status",
        "/api/summary/groups",
    ] {
        let h = encodes_both_ways(&s, path).await;
        assert!(header(&h, CONTENT_TYPE).contains("json"), "{path}");
        assert_eq!(
            header(&h, CACHE_CONTROL),
            "no-store",
            "{path}: answers are never kept"
        );
    }
    // a streamed download of text (CSV) is compressed as it streams
    let csv = "/api/export?format=csv&layers=strips";
    encodes_both_ways(&s, csv).await;
    // a tiny answer is not worth it
    let (status, h, body) = s.get("/api/me", Some("br, gzip"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.len() < 1024, "{}", body.len());
    assert_eq!(header(&h, CONTENT_ENCODING), "");
}

#[tokio::test]
async fn binary_downloads_are_sent_as_they_are() {
    let s = Server::start().await;
    // a GeoPackage (SQLite) and a zipped Shapefile: streamed, never encoded
    let (status, h, body) = s
        .get(
            "/api/export?format=gpkg&layers=parcels",
            Some("br, gzip"),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&h, CONTENT_ENCODING), "");
    assert!(body.starts_with(b"SQLite format 3\0"));
    let (status, h, body) = s
        .get(
            "/api/export?format=shp&layers=parcels",
            Some("br, gzip"),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&h, CONTENT_ENCODING), "");
    assert!(body.starts_with(b"PK"));
    // an xlsx report
    let (status, h, body) = s
        .get("/api/reports?by=segment&format=xlsx", Some("br, gzip"), &[])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&h, CONTENT_ENCODING), "");
    assert!(body.starts_with(b"PK"));
}

#[tokio::test]
async fn the_pages_files_come_compressed_with_an_etag_and_answer_304() {
    let s = Server::start().await;
    for path in ["/", "/src/main.js"] {
        let h = encodes_both_ways(&s, path).await;
        assert_eq!(header(&h, CACHE_CONTROL), "no-cache", "{path}");
    }
    let (_, h, plain) = s.get("/src/main.js", None, &[]).await;
    assert_eq!(header(&h, CONTENT_TYPE), "text/javascript; charset=utf-8");
    let etag = header(&h, ETAG).to_string();
    assert!(
        etag.starts_with('"') && etag.len() > 20,
        "a strong ETag: {etag}"
    );
    let (_, br_h, _) = s.get("/src/main.js", Some("br"), &[]).await;
    let br_tag = header(&br_h, ETAG).to_string();
    assert_ne!(br_tag, etag, "each form has its own tag");
    // held already: 304, no body, whichever form the browser holds
    for (enc, tag) in [
        (None, &etag),
        (Some("br"), &br_tag),
        (Some("gzip"), &br_tag),
    ] {
        let (status, h, body) = s.get("/src/main.js", enc, &[(IF_NONE_MATCH, tag)]).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{enc:?} {tag}");
        assert!(body.is_empty());
        assert!(!header(&h, ETAG).is_empty());
    }
    let (status, _, body) = s
        .get(
            "/src/main.js",
            None,
            &[(IF_NONE_MATCH, "\"something-else\"")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, plain);
    // the file changes on disk: a new tag, the new content, the old tag no
    // longer matches
    std::fs::write(
        s.web.join("src/main.js"),
        "export const changed = 1;\n".repeat(80),
    )
    .unwrap();
    let (status, h, body) = s.get("/src/main.js", None, &[(IF_NONE_MATCH, &etag)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(header(&h, ETAG), etag);
    assert!(body.starts_with(b"export const changed"));
    // a font is compressed already: sent as it is, still with its tag
    let font = "/node_modules/@fontsource/noto-sans/files/noto-sans-vietnamese-400-normal.woff2";
    let (status, h, body) = s.get(font, Some("br, gzip"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&h, CONTENT_ENCODING), "");
    assert_eq!(header(&h, CONTENT_TYPE), "font/woff2");
    assert_eq!(body.len(), 4096);
    let tag = header(&h, ETAG).to_string();
    let (status, _, _) = s.get(font, None, &[(IF_NONE_MATCH, &tag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    // what is not the page's stays hidden, compressed or not
    for path in [
        "/node_modules/playwright-core/package.json",
        "/src/nothing.js",
    ] {
        let (status, _, _) = s.get(path, Some("br, gzip"), &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}
