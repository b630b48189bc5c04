//! The annual evaluation of a whole ward (`cargo bench --bench evaluation`):
//! on the generated 100,000-parcel ward with its campaign history (the log
//! padded to half a million events), the evaluation report of every member
//! and cell — the criteria from the read model, the suggestions, the
//! decided ratings — laid out and written as xlsx. Target: under 2 s.
//! `report_xlsx` starts from the ward's facts in memory (as the server
//! holds them between requests); `report_xlsx_from_the_database` reads them
//! first (as `hiendat report` does).
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
        pad_events(&tmp, EVENTS);
        std::fs::rename(&tmp, &path).unwrap();
    }
    path
}

/// The event log's length the figures are replayed from.
const EVENTS: i64 = 500_000;

/// Pads the log to `events` as `bench/reports.sh` does: corrections that
/// restate events (same parcel, status and date, entered a day later), then
/// corrections of those; every status stays, the replay grows.
fn pad_events(db: &std::path::Path, events: i64) {
    let c = rusqlite::Connection::open(db).unwrap();
    let have: i64 = c
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    c.execute_batch(&format!(
        "BEGIN;
INSERT INTO events (parcel, status, occurred_on, entered_at, entered_by, party_member, note, corrects)
  SELECT parcel, status, occurred_on,
         strftime('%Y-%m-%dT%H:%M:%f', entered_at, '+1 day') || '000Z',
         entered_by, party_member, 'nhập lại / re-entered', id
  FROM events WHERE corrects IS NULL ORDER BY id LIMIT max(0, {events} - {have});
INSERT INTO events (parcel, status, occurred_on, entered_at, entered_by, party_member, note, corrects)
  SELECT parcel, status, occurred_on,
         strftime('%Y-%m-%dT%H:%M:%f', entered_at, '+1 day') || '000Z',
         entered_by, party_member, 'hủy đính chính / correction withdrawn', id
  FROM events WHERE corrects IS NOT NULL ORDER BY id
  LIMIT max(0, {events} - (SELECT count(*) FROM events));
COMMIT;"
    ))
    .unwrap();
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
    g.bench_function("report_xlsx_from_the_database", |b| {
        b.iter(|| {
            let ward = store.ward().unwrap();
            let doc = hiendat::ops::evaluation::report(&store, &ward, 2026, today).unwrap();
            hiendat::report::format::write(&doc, hiendat::report::format::Format::Xlsx).unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
