//! The plan report for a whole 100,000-parcel ward with 500,000 status
//! events (`cargo bench --bench plans`): issue 13 asks for under 2 s.
//!
//! The ward's facts (the read model's input) are made here directly, not
//! through the demo database (building a 100k-parcel database measures
//! geometry for minutes): 100 residential groups, 200 segments, 30 party
//! cells; each parcel donates to one or two segments and steps through
//! five statuses over 2026. Plans: one per group, segment and cell (330),
//! twelve milestones each. Measured: the report's figures and layout
//! (`report::campaign::build_with_plans` of the `plan` cut) and the same written as
//! xlsx.

use chrono::{Days, NaiveDate};
use criterion::{Criterion, criterion_group, criterion_main};
use hiendat::campaign::FeatureId;
use hiendat::campaign::events::{Status, Timeline};
use hiendat::campaign::figures::{CellFacts, ParcelFacts, SegmentFacts, Ward};
use hiendat::campaign::plans::{AreaKind, Milestone, Plan, PlanArea, PlanDraft, PlanStatus};
use hiendat::campaign::structures::StructureLine;
use hiendat::report::campaign::{Cut, Options, build_with_plans};
use hiendat::report::format::{self, Format};
use std::hint::black_box;

const GROUPS: usize = 100;
const SEGMENTS: usize = 200;
const CELLS: usize = 30;

/// A small deterministic generator (SplitMix64).
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn ward(n: usize) -> (Ward, usize) {
    let start = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    let mut r = Mix(7);
    let groups: Vec<String> = (1..=GROUPS).map(|i| format!("Tổ dân phố {i}")).collect();
    let mut events = 0;
    let parcels = (0..n)
        .map(|i| {
            let seg = r.below(SEGMENTS as u64) as usize;
            let mut donations = vec![(seg, 20.0 + r.below(800) as f64 / 10.0)];
            if r.below(10) == 0 {
                donations.push(((seg + 1) % SEGMENTS, 5.0 + r.below(100) as f64 / 10.0));
            }
            let mut day = start + Days::new(r.below(200));
            let mut line = Vec::new();
            for s in [
                Status::Persuading,
                Status::Declined,
                Status::Persuading,
                Status::Agreed,
                Status::Signed,
            ] {
                line.push((day, s));
                day = day + Days::new(1 + r.below(20));
            }
            if r.below(2) == 0 {
                line.push((day, Status::HandedOver));
            }
            events += line.len();
            ParcelFacts {
                key: i as i64 + 1,
                id: FeatureId::Number((i + 1).to_string()),
                map_sheet: None,
                parcel_no: None,
                group: Some(groups[i * GROUPS / n].clone()),
                head: None,
                address: None,
                member_family: false,
                may_be_named: false,
                donations,
                timeline: Timeline(line),
                structures: StructureLine::default(),
                assignments: Vec::new(),
                contacts: Vec::new(),
            }
        })
        .collect();
    let segments = (0..SEGMENTS)
        .map(|i| SegmentFacts {
            key: i as i64 + 1,
            id: format!("S{i:03}"),
            name: format!("Đường {i}"),
            groups: Vec::new(),
        })
        .collect();
    let cells = (0..CELLS)
        .map(|i| CellFacts {
            code: format!("CB{i:02}"),
            name: format!("Chi bộ {i}"),
            groups: groups
                .iter()
                .skip(i * GROUPS / CELLS)
                .take(GROUPS / CELLS)
                .cloned()
                .collect(),
        })
        .collect();
    let w = Ward {
        name: "Thử".into(),
        parcels,
        segments,
        groups,
        cells,
        ..Ward::default()
    };
    (w, events)
}

fn plans(w: &Ward) -> Vec<Plan> {
    let areas = w
        .groups
        .iter()
        .map(|g| (AreaKind::Group, g.clone()))
        .chain(w.segments.iter().map(|s| (AreaKind::Segment, s.id.clone())))
        .chain(w.cells.iter().map(|c| (AreaKind::Cell, c.code.clone())));
    let first = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
    areas
        .enumerate()
        .map(|(i, (kind, code))| Plan {
            id: i as i64 + 1,
            version: 1,
            draft: PlanDraft {
                area: PlanArea {
                    kind,
                    code: code.clone(),
                },
                area_name: code,
                title: "Kế hoạch năm 2026".into(),
                note: None,
                milestones: (0..12u32)
                    .map(|m| Milestone {
                        due: first + Days::new(30 * u64::from(m)),
                        households: Some(m * 2),
                        area_m2: Some(f64::from(m) * 100.0),
                    })
                    .collect(),
            },
            status: PlanStatus::Active,
            set_by: "bench".into(),
            created_at: String::new(),
            updated_at: String::new(),
            updated_by: "bench".into(),
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("HIENDAT_BENCH_PARCELS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let (w, events) = ward(n);
    eprintln!("{n} parcels, {events} status events");
    let opt = Options::new(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
    let plans = plans(&w);
    let mut g = c.benchmark_group(format!("plans_{n}"));
    g.sample_size(10);
    g.bench_function("plan_report_figures", |b| {
        b.iter(|| build_with_plans(black_box(&w), &[Cut::Plan], &opt, &plans))
    });
    g.bench_function("plan_report_xlsx", |b| {
        b.iter(|| {
            format::write(
                &build_with_plans(black_box(&w), &[Cut::Plan], &opt, &plans),
                Format::Xlsx,
            )
            .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
