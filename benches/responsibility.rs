//! The idle-days layer's computation (issue 13 item 1): who answers for each
//! group and segment and how long it has stood still
//! ([`hiendat::campaign::figures::Ward::responsibility`], which
//! `GET /api/groups` and `/api/summary/groups` draw), on a ward of 100,000
//! parcels with 500,000 status events (`cargo bench --bench responsibility`;
//! HIENDAT_BENCH_PARCELS changes the size). Budget: under 100 ms.

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use hiendat::campaign::FeatureId;
use hiendat::campaign::events::{Status, Timeline};
use hiendat::campaign::figures::{CellFacts, MemberFacts, ParcelFacts, SegmentFacts, Ward};
use std::hint::black_box;

/// A ward of `n` parcels in 100 groups, 400 segments, 20 cells of 25
/// members each (every parcel assigned), five status events per parcel.
fn ward(n: usize) -> Ward {
    use Status::*;
    let start = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let groups: Vec<String> = (1..=100).map(|g| format!("Tổ dân phố {g}")).collect();
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move |m: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % m
    };
    let parcels = (0..n)
        .map(|i| {
            // five events: persuading, declined or persuading again, agreed,
            // signed, handed over; spread over six months
            let mut d = start + chrono::Days::new(next(60));
            let mut line = Vec::with_capacity(5);
            for s in [Persuading, Declined, Agreed, Signed, HandedOver] {
                line.push((d, s));
                d = d + chrono::Days::new(1 + next(40));
            }
            ParcelFacts {
                key: i as i64 + 1,
                id: FeatureId::Number((i + 1).to_string()),
                map_sheet: None,
                parcel_no: None,
                group: Some(groups[i % 100].clone()),
                head: None,
                address: None,
                member_family: i % 200 == 0,
                may_be_named: false,
                donations: vec![(i % 400, 20.0 + (i % 17) as f64)],
                timeline: Timeline(line),
                structures: Default::default(),
                assignments: vec![((i % 500), start, None)],
                contacts: Vec::new(),
            }
        })
        .collect();
    Ward {
        name: "Thử".into(),
        demo: true,
        parcels,
        segments: (0..400)
            .map(|s| SegmentFacts {
                key: s as i64 + 1,
                id: s.to_string(),
                name: format!("Đường {s}"),
                groups: vec![groups[s % 100].clone()],
            })
            .collect(),
        cells: (0..20)
            .map(|c| CellFacts {
                code: format!("CB{c}"),
                name: format!("Chi bộ {c}"),
                groups: groups[c * 5..c * 5 + 5].to_vec(),
            })
            .collect(),
        members: (0..500)
            .map(|m| MemberFacts {
                code: format!("DV{m}"),
                name: format!("Đảng viên {m}"),
                cell: m / 25,
                household: None,
            })
            .collect(),
        groups,
        leads: Vec::new(),
        lookups: Default::default(),
    }
}

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("HIENDAT_BENCH_PARCELS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let w = ward(n);
    let events: usize = w.parcels.iter().map(|p| p.timeline.0.len()).sum();
    let mut g = c.benchmark_group(format!("ward_{n}_parcels_{events}_events"));
    g.sample_size(10);
    let day = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
    g.bench_function("responsibility", |b| {
        b.iter(|| black_box(&w).responsibility(black_box(day)))
    });
    // what the idle-days layer answers: the groups' figures and responsibility
    g.bench_function("group_layer_figures", |b| {
        b.iter(|| {
            let w = black_box(&w);
            (w.group_figures(day), w.responsibility(day))
        })
    });
    g.bench_function("members_first", |b| {
        b.iter(|| black_box(&w).members_first(black_box(day)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
