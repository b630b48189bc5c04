//! Issue 18, checks: the map page at a generated large ward. The ward is
//! made by `hiendat demo --parcels N --db` (N = `HIENDAT_BIG_PARCELS`, by
//! default 20,000: see [`PARCELS`]), served by `hiendat serve`, and
//! `web/test/bigward.mjs` drives the page in headless Chromium: the
//! parcels, segments and groups are vector tile sources, the first colored
//! map needs no whole-ward GeoJSON, and panning at zoom 17 asks `/tiles/`
//! only.

mod common;

use common::cli::{bin, s};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const REPO: &str = env!("CARGO_MANIFEST_DIR");
const CHROMIUM: &str = "/usr/bin/chromium";

/// The ward's parcels. A 100,000-parcel ward takes ~14 s to build in a
/// release build but minutes in the tests' debug build on this 2-core
/// machine, and its first tiles (z12–z13, every segment of the ward) are
/// built by an unoptimised server too: the test takes 20,000 parcels (a
/// ward 7 times the demo's), `HIENDAT_BIG_PARCELS=100000` the full size.
const PARCELS: usize = 20_000;

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `hiendat serve` on `db` at a free port: the server and its URL.
fn serve(db: &Path, log: &Path) -> (Killed, String) {
    let mut child = Command::new(bin())
        .args(["serve", "--db", s(db), "--addr", "127.0.0.1:0", "--web"])
        .arg(Path::new(REPO).join("web"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .expect("hiendat serve starts");
    let out = child.stdout.take().unwrap();
    let guard = Killed(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("hiendat serve printed no URL (log: {})", log.display()));
        if let Some(url) = line
            .strip_prefix("hiendat: ")
            .and_then(|r| r.split_whitespace().next())
            .filter(|u| u.starts_with("http://"))
        {
            return (guard, url.to_string());
        }
    }
}

#[test]
fn a_large_ward_draws_from_vector_tiles_and_pans_on_tiles_only() {
    let modules = Path::new(REPO).join("web/node_modules");
    assert!(
        modules.join("playwright-core").is_dir() && Path::new(CHROMIUM).exists(),
        "{} and {CHROMIUM} are needed (`npm ci --prefix web`, Debian's chromium)",
        modules.display()
    );
    let parcels: usize = std::env::var("HIENDAT_BIG_PARCELS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(PARCELS);
    let dir = common::cli::scratch("i18tp-", "ward");
    let db: PathBuf = dir.join("big.db");
    let t = Instant::now();
    common::cli::ok(&["demo", "--parcels", &parcels.to_string(), "--db", s(&db)]);
    println!(
        "{parcels}-parcel ward built in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let (_server, url) = serve(&db, &dir.join("server.log"));
    let out = Command::new("node")
        .arg(Path::new(REPO).join("web/test/bigward.mjs"))
        .current_dir(Path::new(REPO).join("web"))
        .env("HIENDAT_URL", &url)
        .env(
            "HIENDAT_SCREENSHOTS",
            Path::new(REPO).join("target/screenshots"),
        )
        .stdin(Stdio::null())
        .output()
        .expect("node runs web/test/bigward.mjs");
    let said = String::from_utf8_lossy(&out.stdout);
    println!("{said}");
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success() && said.contains("PASS"),
        "web/test/bigward.mjs failed ({}); server log in {}",
        out.status,
        dir.join("server.log").display()
    );
}
