//! The pure computation on a generated ward: corridors, candidate search,
//! clipping and measuring (`cargo bench`). Whole-process comparisons with
//! shapely and PostGIS: bench/compare.sh.

use criterion::{Criterion, criterion_group, criterion_main};
use hiendat::geometry::crs::Crs;
use hiendat::geometry::donation::Engine;
use hiendat::ops::compute;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("HIENDAT_BENCH_PARCELS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let ward = hiendat::demo::generate(n, 1);
    let crs = Crs::vn2000_thanh_hoa();
    let ids: Vec<_> = ward.segments.iter().map(|s| &s.id).collect();
    let ranks = compute::ranks(&ids);
    let mut g = c.benchmark_group(format!("ward_{n}"));
    g.sample_size(10);
    g.bench_function("project", |b| {
        b.iter(|| compute::project(&crs, &ward.segments, &ward.parcels, &[]).unwrap())
    });
    let projected = compute::project(&crs, &ward.segments, &ward.parcels, &[]).unwrap();
    g.bench_function("corridors_and_index", |b| {
        b.iter(|| Engine::new(black_box(projected.segments.clone()), ranks.clone()))
    });
    let engine = Engine::new(projected.segments.clone(), ranks.clone());
    g.bench_function("measure_all", |b| {
        b.iter(|| engine.measure_all(black_box(&projected.parcels)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
