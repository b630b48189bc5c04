//! Reading a DGN V7 cadastral sheet (`cargo bench --bench dgn`): a grid of
//! `HIENDAT_BENCH_DGN_PARCELS` parcels (default 20,000), each with its
//! number as a text, written by GDAL (`ogr2ogr -f DGN`, needed) into a
//! temporary folder, then read as parcels and as lines.

use criterion::{Criterion, criterion_group, criterion_main};
use hiendat::formats::dgn;
use hiendat::formats::layer::GeomKind;
use std::hint::black_box;
use std::process::Command;

fn sheet(n: usize) -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!("hiendat-bench-dgn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("rows.csv");
    let side = (n as f64).sqrt().ceil() as usize;
    let mut text = String::from("wkt,Level,Text\n");
    for k in 0..n {
        let (x, y) = (
            580_000.0 + 20.0 * (k % side) as f64,
            2_155_000.0 + 25.0 * (k / side) as f64,
        );
        text.push_str(&format!(
            "\"POLYGON(({x} {y},{} {y},{} {},{x} {},{x} {y}))\",10,\"\"\n",
            x + 19.5,
            x + 19.0,
            y + 24.0,
            y + 24.5
        ));
        text.push_str(&format!(
            "\"POINT({} {})\",13,\"{}\"\n",
            x + 9.0,
            y + 12.0,
            k + 1
        ));
    }
    std::fs::write(&csv, text).unwrap();
    let out = dir.join("sheet.dgn");
    let o = Command::new("ogr2ogr")
        .args(["-f", "DGN", out.to_str().unwrap(), csv.to_str().unwrap()])
        .args([
            "-oo",
            "GEOM_POSSIBLE_NAMES=wkt",
            "-oo",
            "KEEP_GEOM_COLUMNS=NO",
        ])
        .args([
            "-dsco",
            "UOR_PER_SUB_UNIT=10",
            "-dsco",
            "ORIGIN=-579000,-2154000,0",
        ])
        .output()
        .expect("ogr2ogr (Debian's gdal-bin) makes the sheet");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(&out).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    bytes
}

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("HIENDAT_BENCH_DGN_PARCELS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let bytes = sheet(n);
    let mut g = c.benchmark_group(format!("dgn_{n}_parcels"));
    g.sample_size(10);
    g.bench_function("parcels", |b| {
        b.iter(|| {
            let o = dgn::ReadOptions {
                levels: &[],
                kind: GeomKind::Polygon,
            };
            dgn::read(black_box(&bytes), &o).unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
