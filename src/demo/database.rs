//! The demo database: the generated ward of phường Ngọc Sơn, its households,
//! the structures on the land of affected parcels and six months of campaign history, in a new SQLite file, marked as demo
//! data (`meta` key [`DEMO_KEY`]).

use super::history::{self, HistoryInput};
use crate::campaign::events::Status;
use crate::campaign::{HouseholdInput, ParcelInput};
use crate::geometry::crs::Crs;
use crate::geometry::donation::Donation;
use crate::ops::compute;
use crate::ops::import::{self, ImportInput, ImportStep};
use crate::ops::reports::FrozenReports;
use crate::store::Store;
use crate::store::meta::DEMO_KEY;
use chrono::{NaiveDate, Utc};
use std::cell::Cell;
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

/// Parcels in the demo ward.
pub const DEMO_PARCELS: usize = 3000;

/// What [`create_demo`] put in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoInfo {
    pub parcels: usize,
    pub segments: usize,
    /// Residential groups (tổ dân phố).
    pub groups: usize,
    pub events: usize,
    /// Segments whose every affected parcel is handed over today.
    pub complete_segments: usize,
    pub seed: u64,
    /// The day the history runs up to (exclusive).
    pub today: NaiveDate,
}

/// Creates the demo database at `path` (which must not exist yet): a
/// [`DEMO_PARCELS`]-parcel ward for `seed`, one household per parcel, and a
/// history up to yesterday in the ward.
pub fn create_demo(path: &Path, seed: u64) -> Result<DemoInfo, String> {
    create_demo_as_of(path, seed, DEMO_PARCELS, crate::campaign::clock::today())
}

/// [`create_demo`] with the ward size and "today" given (tests).
pub fn create_demo_as_of(
    path: &Path,
    seed: u64,
    parcels: usize,
    today: NaiveDate,
) -> Result<DemoInfo, String> {
    create_demo_timed(path, seed, parcels, today, false)
}

/// Wall time of the builder's phases, printed to stderr when asked
/// (`hiendat demo --db X --timings`): where a big demo's time goes.
struct Phases {
    on: bool,
    start: Instant,
    last: Cell<Instant>,
    /// CPU seconds (user + system) at the last phase's end: a busy
    /// machine stretches wall time, not CPU time.
    cpu: Cell<f64>,
}

impl Phases {
    fn new(on: bool) -> Phases {
        let now = Instant::now();
        Phases {
            on,
            start: now,
            last: Cell::new(now),
            cpu: Cell::new(cpu_seconds().unwrap_or(0.0)),
        }
    }

    fn done(&self, phase: &str) {
        let now = Instant::now();
        if self.on {
            let cpu = cpu_seconds().unwrap_or(f64::NAN);
            eprintln!(
                "{phase:<28} {:>8.2} s  CPU {:>8.2} s  (tổng / total {:>8.2} s, đỉnh / peak {} MB)",
                (now - self.last.get()).as_secs_f64(),
                cpu - self.cpu.get(),
                (now - self.start).as_secs_f64(),
                peak_mb().map_or("?".into(), |m| m.to_string())
            );
            self.cpu.set(cpu);
        }
        self.last.set(now);
    }
}

/// The process's CPU time so far, user + system (Linux: `/proc/self/stat`,
/// in clock ticks of 1/100 s).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // the fields after the command name, which is in parentheses
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// The process's peak resident memory so far (Linux: `VmHWM`), in MB.
fn peak_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

/// [`create_demo_as_of`], printing each phase's wall time when `timings`.
pub fn create_demo_timed(
    path: &Path,
    seed: u64,
    parcels: usize,
    today: NaiveDate,
    timings: bool,
) -> Result<DemoInfo, String> {
    let t = Phases::new(timings);
    if path.exists() {
        return Err(format!(
            "{} đã tồn tại, không ghi đè / {} already exists: not overwritten",
            path.display(),
            path.display()
        ));
    }
    let ward = super::generate(parcels, seed);
    t.done("ward");
    let crs = Crs::vn2000_thanh_hoa();
    let projected = compute::project(&crs, &ward.segments, &ward.parcels, &[])
        .map_err(|e| format!("demo ward: {e}"))?;
    let pairs = compute::measure(projected, &ward.segments, &ward.parcels).pairs;
    t.done("measure");
    let members = history::member_families(ward.parcels.len(), seed);
    let roads: Vec<&str> = ward.segments.iter().map(|s| s.name.as_str()).collect();
    let households = households(&ward.parcels, &pairs, &roads, &members, seed);
    t.done("households");
    let input = HistoryInput {
        segments: &ward.segments,
        parcels: &ward.parcels,
        pairs: &pairs,
        member_family: &members,
    };
    let hist = history::generate(&input, seed, today);
    history::check_sequences(&hist.events)?;
    t.done("history");
    let finals = final_statuses(&ward.parcels, &hist.events);
    let structures = super::structures::generate(&ward.parcels, &pairs, &finals, seed);
    // what the answer reports, counted now: the generated data goes as soon
    // as it is stored (a million parcels' inputs, events and paperwork are
    // gigabytes; the late phases read the ward back from the store)
    let info = DemoInfo {
        parcels: ward.parcels.len(),
        segments: ward.segments.len(),
        groups: ward.info.residential_groups,
        events: hist.events.len(),
        complete_segments: complete_segments(&ward.parcels, &pairs, &hist.events),
        seed,
        today,
    };
    t.done("structures");

    let gone = |e: &dyn std::fmt::Display| {
        // leave no half-made demo behind
        let _ = std::fs::remove_file(path);
        format!("{}: {e}", path.display())
    };
    let fail = |e: crate::store::StoreError| gone(&e);
    let mut store = Store::open(path).map_err(fail)?;
    // a new file, removed if anything fails: no fsync, a large page cache
    store.bulk_load(true).map_err(fail)?;
    // The paperwork needs the generated ward, not the store: it is drawn up
    // on the other core while the import (one SQLite writer) runs.
    let (imported, paper) = std::thread::scope(|s| {
        let paper =
            s.spawn(|| super::org::generate(&ward.parcels, &households, &hist.events, seed));
        let imported = import::import(
            &mut store,
            &crs,
            ImportInput {
                segments: &ward.segments,
                parcels: &ward.parcels,
                corridors: &[],
                households: Some(&households),
                structures: Some(&structures),
                org: None,
                // each import step's time, under the step before it
                progress: Some(&|step: ImportStep| t.done(&format!("  import, until {step:?}"))),
            },
            false,
        );
        (imported, paper.join())
    });
    imported.map_err(|e| gone(&e))?;
    let paper = paper.map_err(|_| gone(&"demo paperwork: panicked"))?;
    drop((ward, pairs, households, structures, finals));
    t.done("import, org (generate)");
    store.set_meta("ward", "Ngọc Sơn").map_err(fail)?;
    crate::ops::reports::set_province(&store, "Thanh Hóa").map_err(fail)?;
    store.import_org(&paper.org).map_err(fail)?;
    super::org_changes::record(&mut store, today).map_err(fail)?;
    t.done("org (store)");
    // records first: a `signed` event needs its record on file
    store
        .add_records(&paper.records, "canbo.lan")
        .map_err(fail)?;
    t.done("records");
    store.append_events(&hist.events).map_err(fail)?;
    t.done("events");
    let contacts: Vec<_> = paper
        .contacts
        .iter()
        .map(|c| (c.parcel.clone(), c.on, c.member.clone(), c.summary.clone()))
        .collect();
    store.add_contacts(&contacts, "canbo.hung").map_err(fail)?;
    t.done("contacts");
    for (parcel, on, who, text, answer) in &paper.grievances {
        let id = store
            .add_grievance(parcel, *on, who, text, "canbo.thu")
            .map_err(fail)?;
        if let Some((day, a)) = answer {
            store
                .answer_grievance(id, *day, a, "canbo.thu")
                .map_err(fail)?;
        }
    }
    drop((paper, contacts, hist));
    t.done("grievances");
    // The ward's facts, read once: inspections, plans, paperwork and
    // ratings change none of them (a million parcels' facts are most of a
    // gigabyte, and a second copy was the build's peak).
    let mut data = store.ward().map_err(fail)?;
    data.demo = true;
    t.done("facts");
    super::inspections::add(&mut store, &data, today).map_err(fail)?;
    t.done("inspections");
    super::plans::add(&mut store, &data, today).map_err(fail)?;
    t.done("plans");
    // last month's report, as the office issued it
    let month_end = today - chrono::Days::new(1);
    let mut opt = crate::report::campaign::Options::new(month_end);
    opt.from = Some(month_end - chrono::Days::new(29));
    let mut doc = crate::report::campaign::build(&data, &crate::report::campaign::Cut::ALL, &opt);
    doc.issued_on = Some(month_end);
    store
        .freeze_report("all", &doc, month_end, "canbo.lan")
        .map_err(fail)?;
    t.done("report");
    super::evaluation::generate(&mut store, &data, today).map_err(fail)?;
    drop(data);
    t.done("evaluation");
    store.bulk_load(false).map_err(fail)?;
    store
        .set_meta(
            DEMO_KEY,
            &format!(
                "seed={seed} generator={} parcels={} created_on={today}",
                super::GENERATOR_VERSION,
                info.parcels
            ),
        )
        .map_err(fail)?;
    Ok(info)
}

/// One household per parcel: the owner as head, an address on the road the
/// parcel fronts, a mobile number.
fn households(
    parcels: &[ParcelInput],
    pairs: &[Donation],
    roads: &[&str],
    members: &[bool],
    seed: u64,
) -> Vec<HouseholdInput> {
    // the road each parcel fronts most
    let mut front: Vec<Option<(usize, f64)>> = vec![None; parcels.len()];
    for d in pairs {
        let f = &mut front[d.parcel as usize];
        if f.is_none_or(|(_, best)| d.frontage_m > best) {
            *f = Some((d.segment as usize, d.frontage_m));
        }
    }
    // house numbers along each road name, in parcel order
    let mut next_no: HashMap<&str, u32> = HashMap::new();
    parcels
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let place = match front[i] {
                Some((s, _)) => road_name(roads[s]),
                None => p.residential_group.as_deref().unwrap_or("Ngọc Sơn"),
            };
            let no = next_no.entry(place).or_insert(0);
            *no += 1 + (fnv_mix(seed, i as u64) % 3) as u32;
            let n = fnv_mix(seed ^ 0x5eed, i as u64);
            let prefix = ["091", "094", "097", "098", "096", "093", "088", "035"][(n % 8) as usize];
            let rest = (n >> 8) % 1_000_000;
            HouseholdInput {
                parcel: p.id.clone(),
                head_name: p
                    .owner
                    .clone()
                    .unwrap_or_else(|| format!("Chủ hộ thửa {}", p.id)),
                address: Some(format!("Số {no}, {place}, phường Ngọc Sơn")),
                phone: Some(format!(
                    "{prefix}{} {:03} {:03}",
                    rest / 100_000,
                    (rest / 100) % 1000,
                    rest % 100 * 10 + (n >> 40) % 10
                )),
                is_member_family: members[i],
                // most donors agree to be named when commended
                may_be_named: (n >> 20) % 10 < 7,
                note: None,
            }
        })
        .collect()
}

/// "Phố Lê Lợi (đoạn 2)" → "Phố Lê Lợi".
fn road_name(segment: &str) -> &str {
    segment.split(" (").next().unwrap_or(segment).trim()
}

fn fnv_mix(seed: u64, k: u64) -> u64 {
    let mut z = seed ^ k.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Each parcel's status at the end of the history, by parcel index.
fn final_statuses(
    parcels: &[ParcelInput],
    events: &[crate::campaign::events::Event],
) -> Vec<Status> {
    let mut last: HashMap<&str, (NaiveDate, chrono::DateTime<Utc>, Status)> = HashMap::new();
    for e in events {
        let k = (e.occurred_on, e.entered_at, e.status);
        let slot = last.entry(e.parcel.as_str()).or_insert(k);
        if (k.0, k.1) >= (slot.0, slot.1) {
            *slot = k;
        }
    }
    parcels
        .iter()
        .map(|p| {
            last.get(p.id.as_str())
                .map_or(Status::NotContacted, |s| s.2)
        })
        .collect()
}

/// Segments whose every affected parcel ends the history handed over.
fn complete_segments(
    parcels: &[ParcelInput],
    pairs: &[Donation],
    events: &[crate::campaign::events::Event],
) -> usize {
    let mut last: HashMap<&str, (NaiveDate, chrono::DateTime<Utc>, Status)> = HashMap::new();
    for e in events {
        let k = (e.occurred_on, e.entered_at, e.status);
        let slot = last.entry(e.parcel.as_str()).or_insert(k);
        if (k.0, k.1) >= (slot.0, slot.1) {
            *slot = k;
        }
    }
    let mut done: HashMap<u32, bool> = HashMap::new();
    for d in pairs {
        let handed = last
            .get(parcels[d.parcel as usize].id.as_str())
            .is_some_and(|s| s.2 == Status::HandedOver);
        *done.entry(d.segment).or_insert(true) &= handed;
    }
    done.values().filter(|&&c| c).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_and_addresses_look_vietnamese() {
        let ward = super::super::generate(300, 4);
        let crs = Crs::vn2000_thanh_hoa();
        let pr = compute::project(&crs, &ward.segments, &ward.parcels, &[]).unwrap();
        let pairs = compute::measure(pr, &ward.segments, &ward.parcels).pairs;
        let roads: Vec<&str> = ward.segments.iter().map(|s| s.name.as_str()).collect();
        let members = history::member_families(300, 4);
        let hh = households(&ward.parcels, &pairs, &roads, &members, 4);
        assert_eq!(hh.len(), 300);
        for h in &hh {
            let phone = h.phone.as_deref().unwrap();
            assert_eq!(phone.len(), 12, "{phone}");
            assert!(phone.starts_with('0'));
            assert_eq!(
                phone.split(' ').map(str::len).collect::<Vec<_>>(),
                [4, 3, 3]
            );
            let addr = h.address.as_deref().unwrap();
            assert!(
                addr.starts_with("Số ") && addr.ends_with(", phường Ngọc Sơn"),
                "{addr}"
            );
            assert!(!h.head_name.is_empty());
        }
        assert_eq!(road_name("Phố Lê Lợi (đoạn 2)"), "Phố Lê Lợi");
    }
}
