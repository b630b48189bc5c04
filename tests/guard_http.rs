//! The guards before the handlers (src/api/guard.rs), end to end: the
//! router served with its clients' addresses on 127.0.0.1:0 over a small
//! demo ward: same-origin writes, the session before the body, JSON 413,
//! login limits and unlocking, per-client limits, timeouts, the password
//! policy, the page folder's files, the frozen-report list.

use hiendat::api::{AppState, Limits, Rate, router};
use hiendat::store::{Role, Store};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const EDITOR: (&str, &str) = ("lan", "mật khẩu của Lan");
const VIEWER: (&str, &str) = ("minh", "mật khẩu của Minh");
const ADMIN: (&str, &str) = ("hoa", "mật khẩu của Hoa");
const TODAY: &str = "2026-11-29";

fn template() -> &'static PathBuf {
    static T: OnceLock<PathBuf> = OnceLock::new();
    T.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
        // Databases left behind by earlier runs of this file.
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if e.file_name().to_string_lossy().starts_with("guard-") {
                let _ = std::fs::remove_file(e.path());
            }
        }
        let path = dir.join(format!("guard-template-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        hiendat::demo::database::create_demo_as_of(&path, 3, 400, TODAY.parse().unwrap()).unwrap();
        let mut store = Store::open(&path).unwrap();
        store.add_user(EDITOR.0, Role::Editor, EDITOR.1).unwrap();
        store.add_user(VIEWER.0, Role::Viewer, VIEWER.1).unwrap();
        store.add_user(ADMIN.0, Role::Admin, ADMIN.1).unwrap();
        path
    })
}

struct Server {
    addr: SocketAddr,
    db: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        for end in ["", "-wal", "-shm"] {
            let mut p = self.db.clone().into_os_string();
            p.push(end);
            let _ = std::fs::remove_file(p);
        }
    }
}

impl Server {
    async fn start() -> Server {
        Server::start_with(|s| s).await
    }

    async fn start_with(configure: impl FnOnce(AppState) -> AppState) -> Server {
        static N: AtomicUsize = AtomicUsize::new(0);
        let db = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "guard-{}-{}.db",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::copy(template(), &db).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = router(configure(AppState::new(db.clone(), true)));
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap()
        });
        Server { addr, db }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap()
    }

    async fn try_login(
        &self,
        c: &reqwest::Client,
        name: &str,
        password: &str,
    ) -> reqwest::Response {
        c.post(self.url("/api/login"))
            .json(&json!({ "name": name, "password": password }))
            .send()
            .await
            .unwrap()
    }

    async fn login(&self, (name, password): (&str, &str)) -> reqwest::Client {
        let c = Server::client();
        let r = self.try_login(&c, name, password).await;
        assert_eq!(r.status(), StatusCode::OK, "{name} logs in");
        c
    }

    /// The session cookie of a login, for raw requests.
    async fn cookie(&self, (name, password): (&str, &str)) -> String {
        let r = self
            .try_login(&reqwest::Client::new(), name, password)
            .await;
        let set = r.headers()["set-cookie"].to_str().unwrap();
        set.split(';').next().unwrap().to_string()
    }

    async fn json(&self, c: &reqwest::Client, path: &str) -> Value {
        let r = c.get(self.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        r.json().await.unwrap()
    }

    /// A parcel at `status`, as `c` finds it (the public may not ask for
    /// the steps it reads as "not yet").
    async fn parcel_with(&self, c: &reqwest::Client, status: &str) -> String {
        let list = self.json(c, &format!("/api/parcels?status={status}")).await;
        match &list["features"][0]["properties"]["id"] {
            Value::String(t) => t.clone(),
            other => other.to_string(),
        }
    }

    async fn status_of(&self, c: &reqwest::Client, parcel: &str) -> Value {
        self.json(c, &format!("/api/parcels/{parcel}")).await["properties"]["status"].clone()
    }

    /// Sends `head` (and `body`) on a raw connection and reads the answer's
    /// status line and body, failing if nothing comes within 20 s.
    async fn raw(&self, head: &str, body: &[u8]) -> (u16, String) {
        let mut tcp = tokio::net::TcpStream::connect(self.addr).await.unwrap();
        tcp.write_all(head.as_bytes()).await.unwrap();
        tcp.write_all(body).await.unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        let read = async {
            loop {
                let n = tcp.read(&mut buf).await.unwrap_or(0);
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&got);
                if let Some((h, b)) = text.split_once("\r\n\r\n") {
                    let len = h.lines().find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap())
                    });
                    if len.is_some_and(|n| b.len() >= n) {
                        break;
                    }
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(20), read)
            .await
            .expect("an answer within 20 s, before the body was sent");
        let text = String::from_utf8_lossy(&got).to_string();
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        (status, body)
    }
}

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

#[tokio::test]
async fn cross_origin_writes_are_refused_and_nothing_is_written() {
    let s = Server::start().await;
    let editor = s.login(EDITOR).await;
    let p = s.parcel_with(&editor, "persuading").await;
    let event = json!({ "status": "agreed", "occurred_on": TODAY });
    let url = s.url(&format!("/api/parcels/{p}/events"));
    let other_port = s.addr.port().wrapping_add(1);
    for (header, value) in [
        ("origin", format!("http://127.0.0.1:{other_port}")),
        ("origin", "null".to_string()),
        ("sec-fetch-site", "cross-site".to_string()),
        ("sec-fetch-site", "same-site".to_string()),
    ] {
        let r = editor
            .post(&url)
            .header(header, &value)
            .json(&event)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{header}: {value}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(code(&e), "cross_origin");
        assert!(
            e["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("yêu cầu từ trang khác bị từ chối / cross-origin request refused")
        );
    }
    // an upload from a page on another port, and one posted as a form
    let png: Vec<u8> = [b"\x89PNG\r\n\x1a\n".as_slice(), &[7u8; 300]].concat();
    let up = s.url(&format!("/api/parcels/{p}/attachments?name=a.png"));
    let r = editor
        .post(&up)
        .header("origin", format!("http://127.0.0.1:{other_port}"))
        .header("content-type", "image/png")
        .body(png.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    for form in [
        "text/plain",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
    ] {
        let r = editor
            .post(&up)
            .header("content-type", form)
            .body(png.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{form}");
        assert_eq!(code(&r.json().await.unwrap()), "unsupported_type");
    }
    // a JSON route posted as text/plain (what a form can send)
    let r = editor
        .post(&url)
        .header("content-type", "text/plain")
        .body(event.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        s.status_of(&editor, &p).await,
        "persuading",
        "nothing written"
    );
    let detail = s.json(&editor, &format!("/api/parcels/{p}")).await;
    assert!(
        detail["properties"]["attachments"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "no attachment: {}",
        detail["properties"]["attachments"]
    );

    // the same origin, by Origin or by Sec-Fetch-Site, passes
    let r = editor
        .post(&up)
        .header("origin", format!("http://{}", s.addr))
        .header("content-type", "image/png")
        .body(png)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = editor
        .post(&url)
        .header("sec-fetch-site", "same-origin")
        .header("origin", format!("http://{}", s.addr))
        .json(&event)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    assert_eq!(s.status_of(&editor, &p).await, "agreed");
}

#[tokio::test]
async fn uploads_are_refused_before_their_body_is_read() {
    let s = Server::start().await;
    let p = s.parcel_with(&Server::client(), "signed").await;
    // 10 MB announced, not one byte sent: the answer comes anyway.
    let head = |cookie: &str| {
        format!(
            "POST /api/parcels/{p}/attachments?name=a.pdf HTTP/1.1\r\nHost: {}\r\nContent-Type: application/pdf\r\nContent-Length: 10000000\r\n{cookie}\r\n",
            s.addr
        )
    };
    let (status, body) = s.raw(&head(""), b"").await;
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("\"unauthorized\""), "{body}");
    let viewer = s.cookie(VIEWER).await;
    let (status, body) = s.raw(&head(&format!("Cookie: {viewer}\r\n")), b"").await;
    assert_eq!(status, 403, "{body}");
    // every other write too
    let (status, _) = s
        .raw(
            &format!(
                "POST /api/parcels/{p}/events HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 900000\r\n\r\n",
                s.addr
            ),
            b"",
        )
        .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_body_over_its_limit_is_answered_with_the_json_error() {
    let s = Server::start().await;
    let editor = s.login(EDITOR).await;
    let p = s.parcel_with(&editor, "persuading").await;
    let r = editor
        .post(s.url(&format!("/api/parcels/{p}/events")))
        .header("content-type", "application/json")
        .body(vec![b' '; 2 << 20])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let e: Value = r.json().await.unwrap();
    assert_eq!(code(&e), "too_large");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("1 MB"),
        "{e}"
    );
}

#[tokio::test]
async fn a_name_is_locked_after_five_wrong_passwords_until_an_admin_unlocks_it() {
    let s = Server::start().await;
    let c = Server::client();
    for _ in 0..5 {
        let r = s.try_login(&c, EDITOR.0, "sai mật khẩu rồi").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // now even the right password waits
    let r = s.try_login(&c, EDITOR.0, EDITOR.1).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let e: Value = r.json().await.unwrap();
    assert_eq!(code(&e), "too_many");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("tạm khóa"),
        "{e}"
    );
    // a name that does not exist is locked the same way
    for _ in 0..5 {
        let r = s.try_login(&c, "không-ai", "sai mật khẩu rồi").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = s.try_login(&c, "không-ai", "sai mật khẩu rồi").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);

    // the admin sees the lockout and lifts it
    let admin = s.login(ADMIN).await;
    let users = s.json(&admin, "/api/users").await;
    let lan = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == EDITOR.0)
        .unwrap()
        .clone();
    assert_eq!(lan["failed_logins"], 5, "{lan}");
    assert!(lan["locked_until"].is_string(), "{lan}");
    let r = Server::client()
        .post(s.url("/api/users/lan/unlock"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "admins only");
    let r = admin
        .post(s.url("/api/users/lan/unlock"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let lan: Value = r.json().await.unwrap();
    assert_eq!(
        (lan["failed_logins"].clone(), lan["locked_until"].clone()),
        (json!(0), Value::Null)
    );
    let r = admin
        .post(s.url("/api/users/nobody/unlock"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    s.login(EDITOR).await;
}

#[tokio::test]
async fn a_client_that_fails_twenty_logins_in_a_minute_waits() {
    // Twenty at once as by default, but one back a minute instead of every
    // 3 s: the 20 hashes may take longer than 3 s on a loaded machine.
    let s = Server::start_with(|st| {
        st.with_limits(Limits {
            login_failures_per_client: Rate {
                burst: 20,
                per_minute: 1,
            },
            ..Limits::default()
        })
    })
    .await;
    let c = Server::client();
    for i in 0..20 {
        let r = s
            .try_login(&c, &format!("tên {i}"), "sai mật khẩu rồi")
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{i}");
    }
    let r = s.try_login(&c, VIEWER.0, VIEWER.1).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=60).contains(&retry),
        "one attempt back in a minute: {retry}"
    );
}

#[tokio::test]
async fn password_hashing_waits_in_a_bounded_queue() {
    let s = Server::start_with(|st| {
        st.with_limits(Limits {
            hash_threads: 1,
            hash_queue: 1,
            ..Limits::default()
        })
    })
    .await;
    let c = Server::client();
    let tries = (0..24).map(|i| {
        let c = c.clone();
        let url = s.url("/api/login");
        async move {
            c.post(url)
                .json(&json!({ "name": format!("ai {i}"), "password": "sai mật khẩu rồi" }))
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    let got: Vec<StatusCode> = futures_join(tries.collect()).await;
    let refused = got
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    let checked = got
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert!(refused > 0 && checked > 0, "{got:?}");
    assert_eq!(refused + checked, got.len(), "{got:?}");
}

/// Runs the futures at once (a small join_all).
async fn futures_join<F: std::future::Future + Send + 'static>(fs: Vec<F>) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = fs.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn expensive_reads_are_limited_per_client_and_logged_in_callers_get_more() {
    let s = Server::start_with(|st| {
        st.with_limits(Limits {
            anonymous: Rate {
                burst: 3,
                per_minute: 1,
            },
            logged_in: Rate {
                burst: 6,
                per_minute: 1,
            },
            ..Limits::default()
        })
    })
    .await;
    let anon = Server::client();
    let replay = "/api/progress?as_of=2026-10-01";
    for _ in 0..3 {
        s.json(&anon, replay).await;
    }
    for path in [
        replay,
        "/api/export?format=geojson",
        "/api/reports?by=group&format=csv",
    ] {
        let r = anon.get(s.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "{path}");
        let retry: u64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        assert_eq!(code(&r.json().await.unwrap()), "too_many");
    }
    // cheap reads are not limited; a logged-in caller has their own, larger bucket
    for _ in 0..5 {
        s.json(&anon, "/api/segments").await;
    }
    let viewer = s.login(VIEWER).await;
    for _ in 0..6 {
        s.json(&viewer, replay).await;
    }
    let r = viewer.get(s.url(replay)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);

    // A preview renders a whole report and keeps nothing: it draws on the
    // same bucket (the client's, logged in), refused before its body is read.
    let editor = s.login(EDITOR).await;
    let r = editor
        .post(s.url("/api/reports/preview"))
        .header("origin", format!("http://{}", s.addr))
        .header("content-type", "application/json")
        .body(r#"{"periodic":{}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(code(&r.json().await.unwrap()), "too_many");
}

#[tokio::test]
async fn a_request_past_its_time_limit_is_answered_with_a_json_503() {
    let s = Server::start_with(|st| {
        // Uploads have the long limit (a scan over a slow phone link).
        st.with_limits(Limits {
            timeout: Duration::from_secs(1),
            long_timeout: Duration::from_secs(1),
            ..Limits::default()
        })
    })
    .await;
    let p = s.parcel_with(&Server::client(), "signed").await;
    let cookie = s.cookie(EDITOR).await;
    // a body announced and never finished
    let head = format!(
        "POST /api/parcels/{p}/attachments?name=a.pdf HTTP/1.1\r\nHost: {}\r\nContent-Type: application/pdf\r\nContent-Length: 1000\r\nCookie: {cookie}\r\n\r\n",
        s.addr
    );
    let (status, body) = s.raw(&head, b"%PDF-1.7\n").await;
    assert_eq!(status, 503, "{body}");
    let e: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(code(&e), "timeout");
}

#[tokio::test]
async fn passwords_need_ten_characters_in_the_api_and_the_cli() {
    let s = Server::start().await;
    let admin = s.login(ADMIN).await;
    let r = admin
        .post(s.url("/api/users"))
        .json(&json!({ "name": "tuan", "role": "viewer", "password": "ngắn quá" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    let m = e["error"]["message"].as_str().unwrap();
    assert!(
        m.starts_with("mật khẩu quá ngắn") && m.contains("at least 10"),
        "{m}"
    );
    let r = admin
        .patch(s.url(&format!("/api/users/{}", VIEWER.0)))
        .json(&json!({ "password": "123456789" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    s.login(VIEWER).await;

    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut add = Command::new(env!("CARGO_BIN_EXE_hiendat"))
        .args(["user", "add", "thu", "--role", "editor", "--db"])
        .arg(&s.db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin.take().unwrap().write_all(b"ngan\n").unwrap();
    let out = add.wait_with_output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("mật khẩu quá ngắn"), "{err}");
}

#[tokio::test]
async fn the_page_folder_serves_the_pages_files_only() {
    let web =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("guard-web-{}", std::process::id()));
    for f in [
        "index.html",
        "style.css",
        "src/main.js",
        "test/browser.mjs",
        "bench/firstmap.mjs",
        "package.json",
        "node_modules/maplibre-gl/dist/maplibre-gl.mjs",
        "node_modules/maplibre-gl/dist/maplibre-gl.css",
        "node_modules/maplibre-gl/package.json",
        "node_modules/@fontsource/noto-sans/400.css",
        "node_modules/@fontsource/noto-sans/files/noto-sans-vietnamese-400-normal.woff2",
        "node_modules/playwright-core/index.js",
    ] {
        let p = web.join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, f).unwrap();
    }
    let s = Server::start_with(|st| st.with_web(&web)).await;
    let c = Server::client();
    for ok in [
        "/",
        "/style.css",
        "/src/main.js",
        "/node_modules/maplibre-gl/dist/maplibre-gl.mjs",
        "/node_modules/maplibre-gl/dist/maplibre-gl.css",
        "/node_modules/@fontsource/noto-sans/400.css",
        "/node_modules/@fontsource/noto-sans/files/noto-sans-vietnamese-400-normal.woff2",
    ] {
        let r = c.get(s.url(ok)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{ok}");
    }
    for no in [
        "/test/browser.mjs",
        "/bench/firstmap.mjs",
        "/package.json",
        "/node_modules/maplibre-gl/package.json",
        "/node_modules/playwright-core/index.js",
        "/src/%2e%2e/test/browser.mjs",
    ] {
        let r = c.get(s.url(no)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{no}");
        assert_eq!(code(&r.json().await.unwrap()), "not_found");
    }
}

#[tokio::test]
async fn anonymous_callers_do_not_see_who_froze_a_report() {
    let s = Server::start().await;
    let anon = s.json(&Server::client(), "/api/reports/frozen").await;
    let reports = anon["reports"].as_array().unwrap();
    assert!(!reports.is_empty(), "the demo ward has one");
    assert!(reports.iter().all(|r| r["issued_by"].is_null()), "{anon}");
    let viewer = s.login(VIEWER).await;
    let seen = s.json(&viewer, "/api/reports/frozen").await;
    assert!(seen["reports"][0]["issued_by"].is_string(), "{seen}");
}
