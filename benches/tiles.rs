//! Vector tile speed (`cargo bench --bench tiles`): the real server (in
//! this process, on a free port) asked over HTTP for every tile of the
//! ward at zooms 14–17 (segments and groups from 12: the page's first map
//! of a large ward asks theirs at 12–13), each once (so each is built, not
//! read from the cache), then the same tiles again (cached). Prints per layer and zoom:
//! tiles, p50 / p95 / max ms, mean and largest size, features.
//!
//! `HIENDAT_TILES_DB=/tmp/tiles100k.db` benchmarks that database (made by
//! `hiendat demo --parcels 100000 --db /tmp/tiles100k.db`); without it a
//! 20,000-parcel demo ward is generated in a temporary file.
//! `HIENDAT_TILES_MAX=400` caps the tiles asked per layer and zoom (the
//! ones nearest the ward's centre).

use hiendat::api::{AppState, Limits, Rate, router};
use std::path::PathBuf;
use std::time::Instant;

fn tile_of(z: u32, lon: f64, lat: f64) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n).floor() as u32;
    let r = lat.to_radians();
    let y =
        ((1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor() as u32;
    (x, y)
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes --bench; nothing else is read from the arguments.
    let db: PathBuf = match std::env::var("HIENDAT_TILES_DB") {
        Ok(p) => PathBuf::from(p),
        Err(_) => {
            let p = std::env::temp_dir().join(format!("tiles-bench-{}.db", std::process::id()));
            let _ = std::fs::remove_file(&p);
            eprintln!("generating a 20,000-parcel demo ward in {}", p.display());
            hiendat::demo::database::create_demo_as_of(
                &p,
                1,
                20_000,
                hiendat::campaign::clock::today(),
            )
            .unwrap();
            p
        }
    };
    let max: usize = std::env::var("HIENDAT_TILES_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let unlimited = Rate {
        burst: 1_000_000,
        per_minute: 1_000_000,
    };
    let app = router(AppState::new(&db, false).with_limits(Limits {
        tiles: unlimited,
        ..Limits::default()
    }));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let base = format!("http://{addr}");
    let c = reqwest::Client::new();
    let config: serde_json::Value = c
        .get(format!("{base}/api/config"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let b: Vec<f64> = config["bounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    // the read model, once, as the page's first request loads it
    let t = Instant::now();
    let segs = c.get(format!("{base}/api/segments")).send().await.unwrap();
    assert!(segs.status().is_success());
    let _ = segs.bytes().await.unwrap();
    println!(
        "database {}; bounds {:.4},{:.4},{:.4},{:.4}; /api/segments (loads the read model) {} ms",
        db.display(),
        b[0],
        b[1],
        b[2],
        b[3],
        t.elapsed().as_millis()
    );
    println!(
        "layer    | z  | tiles | p50 ms | p95 ms | max ms | cached p50 | mean KB | max KB | 204s"
    );
    let (cx, cy) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
    for layer in ["parcels", "segments", "groups"] {
        let from = if layer == "parcels" { 14 } else { 12 };
        for z in from..=17u32 {
            let (x0, y1) = tile_of(z, b[0], b[1]);
            let (x1, y0) = tile_of(z, b[2], b[3]);
            let (mx, my) = tile_of(z, cx, cy);
            let mut tiles: Vec<(u32, u32)> = (x0..=x1)
                .flat_map(|x| (y0..=y1).map(move |y| (x, y)))
                .collect();
            tiles.sort_by_key(|&(x, y)| (x.abs_diff(mx)).max(y.abs_diff(my)));
            tiles.truncate(max);
            let mut ms = Vec::new();
            let mut sizes = Vec::new();
            let mut empty = 0;
            for &(x, y) in &tiles {
                let t = Instant::now();
                let r = c
                    .get(format!("{base}/tiles/{layer}/{z}/{x}/{y}.mvt"))
                    .send()
                    .await
                    .unwrap();
                assert!(
                    r.status().is_success(),
                    "{layer}/{z}/{x}/{y}: {}",
                    r.status()
                );
                let n = r.bytes().await.unwrap().len();
                ms.push(t.elapsed().as_secs_f64() * 1000.0);
                sizes.push(n);
                if n == 0 {
                    empty += 1;
                }
            }
            let mut cached = Vec::new();
            for &(x, y) in tiles.iter().take(50) {
                let t = Instant::now();
                let r = c
                    .get(format!("{base}/tiles/{layer}/{z}/{x}/{y}.mvt"))
                    .send()
                    .await
                    .unwrap();
                let _ = r.bytes().await.unwrap();
                cached.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            ms.sort_by(f64::total_cmp);
            cached.sort_by(f64::total_cmp);
            let mean = sizes.iter().sum::<usize>() as f64 / sizes.len().max(1) as f64 / 1024.0;
            let big = *sizes.iter().max().unwrap_or(&0) as f64 / 1024.0;
            println!(
                "{layer:<8} | {z:>2} | {:>5} | {:>6.1} | {:>6.1} | {:>6.1} | {:>10.2} | {:>7.1} | {:>6.1} | {empty}",
                tiles.len(),
                pct(&ms, 0.5),
                pct(&ms, 0.95),
                ms.last().copied().unwrap_or(0.0),
                pct(&cached, 0.5),
                mean,
                big,
            );
        }
    }
}
