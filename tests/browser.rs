//! The map viewer in a real browser: starts `hiendat serve` on a fresh demo ward and runs
//! `node web/test/browser.mjs` (playwright-core driving headless Chromium) against it.
//!
//! Needs `npm ci --prefix web`, Debian's `chromium` and poppler's `pdftotext` (`.ci/run`
//! installs them); without them this test fails and says what to install rather than skipping.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const REPO: &str = env!("CARGO_MANIFEST_DIR");
const CHROMIUM: &str = "/usr/bin/chromium";
/// The server's clock for the run: five minutes past midnight in Việt Nam, still the day
/// before in UTC and in New York, where the browser runs (`BROWSER_TZ`): a page that took
/// "today" from the browser would date everything a day early.
const WARD_NOW: &str = "2026-12-04T17:05:00Z";

/// The server process, killed when the test ends, also on panic.
struct ServerGuard(Child);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What `serve` prints on start-up: its URL and the demo login.
struct Started {
    url: String,
    user: String,
    password: String,
}

/// `hiendat: http://127.0.0.1:PORT/ (...)` → the URL.
fn parse_url(line: &str) -> Option<String> {
    let rest = line.strip_prefix("hiendat: ")?;
    let url = rest.split_whitespace().next()?;
    url.starts_with("http://").then(|| url.to_string())
}

/// `DỮ LIỆU DEMO / DEMO DATA — đăng nhập / login: demo / PASSWORD (admin)` → (user, password).
fn parse_login(line: &str) -> Option<(String, String)> {
    let (_, rest) = line.split_once("login:")?;
    let mut parts = rest.split('/').map(str::trim);
    let user = parts.next()?.to_string();
    let password = parts.next()?.split_whitespace().next()?.to_string();
    (!user.is_empty() && !password.is_empty()).then_some((user, password))
}

fn start_server(db: &Path, log: &Path) -> (ServerGuard, Started) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hiendat"))
        .arg("serve")
        .args(["--now", WARD_NOW])
        .arg("--db")
        .arg(db)
        .args(["--addr", "127.0.0.1:0", "--web"])
        .arg(Path::new(REPO).join("web"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).expect("server log file"))
        .spawn()
        .expect("the hiendat binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let guard = ServerGuard(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        // Read every line, also after start-up, so that the server never blocks on a full pipe.
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(180);
    let (mut url, mut login) = (None, None);
    let mut seen = Vec::new();
    while url.is_none() || login.is_none() {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(line) = rx.recv_timeout(left) else {
            panic!(
                "hiendat serve did not print its URL and demo login within 180 s; it printed:\n{}\n(stderr in {})",
                seen.join("\n"),
                log.display()
            );
        };
        url = url.or_else(|| parse_url(&line));
        login = login.or_else(|| parse_login(&line));
        seen.push(line);
    }
    let (user, password) = login.expect("login parsed");
    let started = Started {
        url: url.expect("url parsed"),
        user,
        password,
    };
    (guard, started)
}

fn check_prerequisites() {
    let node_modules = Path::new(REPO).join("web/node_modules");
    assert!(
        node_modules.join("playwright-core").is_dir() && node_modules.join("maplibre-gl").is_dir(),
        "{} is missing: run `npm ci --prefix web` first (CI's .ci/run does)",
        node_modules.display()
    );
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: run `apt-get install -y --no-install-recommends chromium fonts-noto-core` first (CI's .ci/run does)"
    );
    let pdftotext = Command::new("pdftotext").arg("-v").output();
    assert!(
        pdftotext.is_ok(),
        "`pdftotext` is missing: run `apt-get install -y --no-install-recommends poppler-utils` first (CI's .ci/run does)"
    );
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.is_ok_and(|o| o.status.success()),
        "`node` is missing: install Node.js (Debian: `apt-get install nodejs npm`)"
    );
}

#[test]
fn the_map_viewer_passes_its_browser_tests_against_a_fresh_demo_ward() {
    check_prerequisites();
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let db = tmp.join(format!("browser-{}.db", std::process::id()));
    let log = tmp.join(format!("browser-{}-server.log", std::process::id()));
    let _ = std::fs::remove_file(&db);
    let (_server, started) = start_server(&db, &log);
    let screenshots = Path::new(REPO).join("target/screenshots");
    // A page that never settles would hold the suite for ever: coreutils'
    // `timeout` ends the run (about 7 minutes here) after 25.
    let out = Command::new("timeout")
        .args(["--kill-after=10", "1500", "node"])
        .arg(Path::new(REPO).join("web/test/browser.mjs"))
        .current_dir(Path::new(REPO).join("web"))
        .env("HIENDAT_URL", &started.url)
        .env("HIENDAT_USER", &started.user)
        .env("HIENDAT_PASSWORD", &started.password)
        .env("HIENDAT_SCREENSHOTS", &screenshots)
        .env("BROWSER_TZ", "America/New_York")
        // the province test (issue 18) builds its own two-ward database with the CLI
        .env("HIENDAT_BIN", env!("CARGO_BIN_EXE_hiendat"))
        .env("HIENDAT_TMP", &tmp)
        .stdin(Stdio::null())
        .output()
        .expect("node runs web/test/browser.mjs");
    println!("{}", String::from_utf8_lossy(&out.stdout));
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "web/test/browser.mjs failed ({}); screenshots in {}, server log in {}",
        out.status,
        screenshots.display(),
        log.display()
    );
    let _ = std::fs::remove_file(&db);
}

#[test]
fn serve_start_up_lines_parse() {
    assert_eq!(
        parse_url("hiendat: http://127.0.0.1:40123/ (x.db)").as_deref(),
        Some("http://127.0.0.1:40123/")
    );
    assert_eq!(
        parse_login("DỮ LIỆU DEMO / DEMO DATA — đăng nhập / login: demo / wwtan4ndhhut (admin)"),
        Some(("demo".to_string(), "wwtan4ndhhut".to_string()))
    );
    assert_eq!(parse_url("phường mẫu / demo ward: 3000 thửa"), None);
}
