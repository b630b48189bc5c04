//! The annual evaluation of a whole ward (`cargo bench --bench evaluation`):
//! on the generated 100,000-parcel ward with its campaign history (about
//! half a million events), the evaluation report of every member and cell
//! — the criteria from the read model, the suggestions, the decided
//! ratings — laid out and written as xlsx. Target: under 2 s.
//!
//! The database is generated once (a few minutes) and kept in the target
//! directory; `HIENDAT_BENCH_PARCELS` sets another size.

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use hiendat::store::Store;
use std::path::PathBuf;

fn database(n: usize, today: NaiveDate) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join(format!("bench-evaluation-{n}.db"));
    let path = std::env::var_os("CARGO_TARGET_DIR")
        .map(|d| PathBuf::from(d).join(format!("bench-evaluation-{n}.db")))
        .unwrap_or(path);
    if !path.exists() {
        let tmp = path.with_extension("tmp");
        let _ = std::fs::remove_file(&tmp);
        let info = hiendat::demo::database::create_demo_as_of(&tmp, 1, n, today).unwrap();
        eprintln!("generated {n} parcels, {} events", info.events);
        std::fs::rename(&tmp, &path).unwrap();
    }
    path
}

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("HIENDAT_BENCH_PARCELS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
    let db = database(n, today);
    let events: i64 = rusqlite::Connection::open(&db)
        .and_then(|c| c.query_row("SELECT count(*) FROM events", [], |r| r.get(0)))
        .unwrap_or(0);
    let store = Store::open(&db).unwrap();
    let ward = store.ward().unwrap();
    eprintln!(
        "{} parcels, {} members, {} cells, {events} events",
        ward.parcels.len(),
        ward.members.len(),
        ward.cells.len()
    );
    let mut g = c.benchmark_group(format!("evaluation_{n}"));
    g.sample_size(10);
    g.bench_function("report_xlsx", |b| {
        b.iter(|| {
            let doc = hiendat::ops::evaluation::report(&store, &ward, 2026, today).unwrap();
            hiendat::report::format::write(&doc, hiendat::report::format::Format::Xlsx).unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
