//! A believable six-month campaign history for the demo ward: pure, no I/O.
//!
//! Every segment gets a [`Pace`]: complete (started four to six months ago,
//! every affected parcel handed over), underway (started weeks to four months
//! ago, parcels strung out between not contacted and handed over) or
//! untouched (no visit yet). Each affected parcel follows the segment that
//! drives it (the most advanced of the segments it donates to, so a corner
//! lot of a complete segment is handed over too) through
//! not_contacted → persuading → agreed → signed → handed_over with gaps of
//! days to weeks; a few households decline, and most of those are persuaded
//! later. Households of cadres and party members
//! ([`member_families`]) are visited first and move faster.
//!
//! Every sequence follows [`check_transition`]; nothing happens after the day
//! before `today`, nothing before six months ago, and entries are made within
//! a few days of what they record. The history is a pure function of its
//! input, the seed and `today`.
//!
//! ```
//! use chrono::NaiveDate;
//! use hiendat::demo::{self, history};
//! use hiendat::geometry::crs::Crs;
//!
//! let ward = demo::generate(400, 3);
//! let crs = Crs::vn2000_thanh_hoa();
//! let projected = hiendat::ops::compute::project(&crs, &ward.segments, &ward.parcels, &[]).unwrap();
//! let pairs = hiendat::ops::compute::measure(projected, &ward.segments, &ward.parcels).pairs;
//! let members = history::member_families(ward.parcels.len(), 3);
//! let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
//! let h = history::generate(
//!     &history::HistoryInput {
//!         segments: &ward.segments,
//!         parcels: &ward.parcels,
//!         pairs: &pairs,
//!         member_family: &members,
//!     },
//!     3,
//!     today,
//! );
//! assert!(h.events.iter().all(|e| e.occurred_on < today));
//! ```

use super::rng::{Rng, Stream};
use crate::campaign::events::{Event, Status, check_transition};
use crate::campaign::{ParcelInput, SegmentInput};
use crate::geometry::donation::Donation;
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};

/// How far back the history reaches, in days (about six months).
pub const HISTORY_DAYS: u64 = 182;

/// Share of households flagged as families of cadres and party members.
pub const MEMBER_FAMILY_SHARE: f64 = 0.05;

/// Keys the history's random streams apart from the ward's.
const TAG: u64 = 0x4849_5354_4f52_5900; // "HISTORY"

/// Demo staff who enter events (user names).
pub const STAFF: &[&str] = &["canbo.lan", "canbo.hung", "canbo.thu", "canbo.tuan"];

/// Demo party members who visit households.
pub const PARTY_MEMBERS: &[&str] = &[
    "Nguyễn Văn Hải",
    "Trần Thị Mai",
    "Lê Đức Thắng",
    "Phạm Thị Hương",
    "Hoàng Minh Tuấn",
    "Vũ Thị Lan",
    "Đỗ Quang Sơn",
    "Bùi Thị Ngân",
    "Đặng Hữu Long",
    "Ngô Thị Thu",
    "Mai Xuân Trung",
    "Trịnh Văn Kiên",
];

/// Where a segment's campaign stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// Every affected parcel handed over.
    Complete,
    /// Started, not finished.
    Underway,
    /// Nobody visited yet.
    Untouched,
}

/// A segment's campaign: its pace, and its start date (none if untouched).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentPlan {
    pub pace: Pace,
    pub start: Option<NaiveDate>,
}

/// What the history is made from. `pairs` index `segments` and `parcels`
/// (as [`crate::ops::compute::measure`] gives them); `member_family[i]` flags
/// parcel `i`'s household.
#[derive(Debug, Clone, Copy)]
pub struct HistoryInput<'a> {
    pub segments: &'a [SegmentInput],
    pub parcels: &'a [ParcelInput],
    pub pairs: &'a [Donation],
    pub member_family: &'a [bool],
}

/// The generated history.
#[derive(Debug, Clone)]
pub struct History {
    /// Events sorted by `entered_at` (the order to append them in).
    pub events: Vec<Event>,
    /// One plan per segment, in the order of the input.
    pub plans: Vec<SegmentPlan>,
}

impl History {
    /// How many segments are planned complete.
    pub fn complete_segments(&self) -> usize {
        self.plans
            .iter()
            .filter(|p| p.pace == Pace::Complete)
            .count()
    }
}

/// About [`MEMBER_FAMILY_SHARE`] of `parcels` households, flagged
/// deterministically for `seed` (at least one when there are 20 or more).
pub fn member_families(parcels: usize, seed: u64) -> Vec<bool> {
    let mut flags: Vec<bool> = (0..parcels)
        .map(|i| Rng::new(seed, Stream::Ward, &[TAG, 1, i as u64]).chance(MEMBER_FAMILY_SHARE))
        .collect();
    if parcels >= 20 && !flags.contains(&true) {
        flags[Rng::new(seed, Stream::Ward, &[TAG, 2]).below(parcels)] = true;
    }
    flags
}

/// Generates the history (see the module docs).
pub fn generate(input: &HistoryInput<'_>, seed: u64, today: NaiveDate) -> History {
    let plans = plan_segments(input.segments.len(), input.pairs, seed, today);
    // the segment that drives each parcel, and that pair's frontage
    let mut driver: Vec<Option<(usize, f64)>> = vec![None; input.parcels.len()];
    for d in input.pairs {
        let (p, s) = (d.parcel as usize, d.segment as usize);
        let better = match driver[p] {
            None => true,
            Some((cur, _)) => rank(&plans[s]) < rank(&plans[cur]),
        };
        if better {
            driver[p] = Some((s, d.frontage_m));
        }
    }
    let last_day = today - Days::new(1);
    let mut events = Vec::new();
    for (p, drive) in driver.iter().enumerate() {
        let Some((s, frontage)) = *drive else {
            continue;
        };
        let plan = plans[s];
        let Some(start) = plan.start else { continue };
        let member = input.member_family.get(p).copied().unwrap_or(false);
        let mut r = Rng::new(seed, Stream::Ward, &[TAG, 3, p as u64]);
        let steps = parcel_steps(&mut r, plan.pace, start, last_day, member);
        let group = input.parcels[p].residential_group.as_deref().unwrap_or("");
        let cell_member = member_for(group);
        let mut prev_entered: Option<DateTime<Utc>> = None;
        for (status, on) in steps {
            let lag = r.weighted(&[(0u64, 5), (1, 3), (2, 2), (4, 1)]);
            let day = (on + Days::new(lag)).min(last_day);
            let secs = r.below(9 * 3600) as u32; // 08:00-17:00 in Vietnam
            let mut at = Utc.from_utc_datetime(&day.and_hms_opt(1, 0, 0).expect("valid time"))
                + chrono::Duration::seconds(i64::from(secs));
            if let Some(prev) = prev_entered
                && at <= prev
            {
                at = prev + chrono::Duration::minutes(5);
            }
            prev_entered = Some(at);
            let party_member = match status {
                Status::Persuading | Status::Agreed | Status::Declined => {
                    Some(cell_member.to_string())
                }
                _ if r.chance(0.3) => Some(cell_member.to_string()),
                _ => None,
            };
            events.push(Event {
                parcel: input.parcels[p].id.clone(),
                status,
                occurred_on: on,
                entered_at: at,
                entered_by: r.pick(STAFF).to_string(),
                party_member,
                note: Some(note(&mut r, status, frontage, member)),
                corrects: None,
            });
        }
    }
    events.sort_by_key(|e| e.entered_at);
    History { events, plans }
}

/// Which segment drives a parcel that donates to several: smaller wins. A
/// complete segment wins (its every parcel is handed over); an untouched one
/// wins over one underway (a corner lot waits for the cross street), so
/// untouched segments stay untouched.
fn rank(p: &SegmentPlan) -> (u8, NaiveDate) {
    let k = match p.pace {
        Pace::Complete => 0,
        Pace::Untouched => 1,
        Pace::Underway => 2,
    };
    (k, p.start.unwrap_or(NaiveDate::MAX))
}

/// About a quarter complete, a quarter untouched, the rest underway (at least
/// one of each when there are three segments or more). Untouched segments
/// are chosen, where possible, among those sharing no parcel with a complete
/// one.
fn plan_segments(n: usize, pairs: &[Donation], seed: u64, today: NaiveDate) -> Vec<SegmentPlan> {
    let mut r = Rng::new(seed, Stream::Ward, &[TAG, 4]);
    let mut order: Vec<usize> = (0..n).collect();
    r.shuffle(&mut order);
    let complete = if n >= 3 { (n / 4).max(1) } else { n.min(1) };
    let untouched = if n >= 3 { (n / 4).max(1) } else { 0 };
    let mut pace = vec![Pace::Underway; n];
    for &s in &order[..complete] {
        pace[s] = Pace::Complete;
    }
    // segments sharing a parcel with a complete one
    let mut by_parcel: std::collections::HashMap<u32, Vec<usize>> =
        std::collections::HashMap::new();
    for d in pairs {
        by_parcel
            .entry(d.parcel)
            .or_default()
            .push(d.segment as usize);
    }
    let mut near_complete = vec![false; n];
    for segs in by_parcel.values() {
        if segs.iter().any(|&s| pace[s] == Pace::Complete) {
            for &s in segs {
                near_complete[s] = true;
            }
        }
    }
    let rest = &order[complete..];
    let mut chosen = 0;
    for pass in [false, true] {
        for &s in rest {
            if chosen < untouched && pace[s] == Pace::Underway && (pass || !near_complete[s]) {
                pace[s] = Pace::Untouched;
                chosen += 1;
            }
        }
    }
    (0..n)
        .map(|s| {
            let mut sr = Rng::new(seed, Stream::Ward, &[TAG, 5, s as u64]);
            let start = match pace[s] {
                Pace::Complete => Some(today - Days::new(sr.uniform(130.0, 178.0) as u64)),
                Pace::Underway => Some(today - Days::new(sr.uniform(20.0, 125.0) as u64)),
                Pace::Untouched => None,
            };
            SegmentPlan {
                pace: pace[s],
                start,
            }
        })
        .collect()
}

fn days(r: &mut Rng, a: f64, b: f64) -> u64 {
    r.uniform(a, b).round().max(1.0) as u64
}

/// A parcel's statuses and dates, strictly increasing, from `start` and
/// never after `last_day`.
fn parcel_steps(
    r: &mut Rng,
    pace: Pace,
    start: NaiveDate,
    last_day: NaiveDate,
    member: bool,
) -> Vec<(Status, NaiveDate)> {
    use Status::*;
    let speed = if member { 0.5 } else { 1.0 };
    let first = if member {
        r.uniform(0.0, 7.0)
    } else {
        r.uniform(2.0, 55.0)
    };
    let mut on = start + Days::new(first as u64);
    let mut seq: Vec<(Status, NaiveDate)> = Vec::new();
    if member && r.chance(0.5) {
        seq.push((Agreed, on));
    } else {
        seq.push((Persuading, on));
        if !member && r.chance(0.08) {
            on = on + Days::new(days(r, 5.0, 20.0));
            seq.push((Declined, on));
            // most are persuaded later; on a complete segment all of them
            let stays = pace == Pace::Underway && r.chance(0.4);
            if stays {
                return clip(seq, last_day);
            }
            on = on + Days::new(days(r, 10.0, 35.0));
            seq.push((Persuading, on));
        }
        on = on + Days::new(days(r, 4.0 * speed, 28.0 * speed));
        seq.push((Agreed, on));
    }
    on = on + Days::new(days(r, 3.0 * speed, 15.0 * speed));
    seq.push((Signed, on));
    on = on + Days::new(days(r, 5.0 * speed, 30.0 * speed));
    seq.push((HandedOver, on));
    if pace == Pace::Complete {
        squeeze(&mut seq, start, last_day);
        seq
    } else {
        clip(seq, last_day)
    }
}

fn clip(mut seq: Vec<(Status, NaiveDate)>, last_day: NaiveDate) -> Vec<(Status, NaiveDate)> {
    seq.retain(|&(_, d)| d <= last_day);
    seq
}

/// Scales the dates of a complete parcel into `[start, last_day]`, keeping
/// them strictly increasing.
fn squeeze(seq: &mut [(Status, NaiveDate)], start: NaiveDate, last_day: NaiveDate) {
    let end = seq.last().map_or(start, |s| s.1);
    if end <= last_day {
        return;
    }
    let span = (end - start).num_days().max(1) as f64;
    let room = (last_day - start).num_days() as f64 - seq.len() as f64;
    let mut prev: Option<NaiveDate> = None;
    for (_, d) in seq.iter_mut() {
        let off = ((*d - start).num_days() as f64 * room / span).floor() as u64;
        let mut nd = start + Days::new(off);
        if let Some(p) = prev
            && nd <= p
        {
            nd = p + Days::new(1);
        }
        *d = nd;
        prev = Some(nd);
    }
}

/// "2,5" for 2.5: Vietnamese decimal comma.
fn vi_decimal(x: f64) -> String {
    format!("{x:.1}").replace('.', ",")
}

fn note(r: &mut Rng, status: Status, frontage: f64, member: bool) -> String {
    use Status::*;
    let f = vi_decimal(frontage);
    match status {
        Persuading => r
            .pick(&[
                "Tổ công tác đến nhà, giới thiệu chủ trương mở rộng đường",
                "Chi bộ phân công đảng viên đến vận động, gia đình xin thêm thời gian bàn bạc",
                "Đã gặp chủ hộ, trao đổi về chỉ giới đường đỏ và phần diện tích hiến",
                "Vận động lại sau khi gia đình họp bàn với các con",
            ])
            .to_string(),
        Declined => r
            .pick(&[
                "Gia đình chưa đồng ý, lo ảnh hưởng đến mặt tiền kinh doanh",
                "Chủ hộ chưa đồng ý vì chưa thống nhất ranh giới với hộ liền kề",
                "Gia đình đề nghị xem lại diện tích đo đạc, tạm thời chưa đồng ý",
            ])
            .to_string(),
        Agreed if member => {
            format!("Gia đình đảng viên gương mẫu đồng ý hiến {f} m mặt tiền, đi trước làm gương")
        }
        Agreed => match r.below(3) {
            0 => format!("Gia đình đồng ý hiến {f} m mặt tiền"),
            1 => format!("Chủ hộ đồng ý hiến đất và tháo dỡ tường rào, {f} m mặt tiền"),
            _ => "Gia đình thống nhất hiến phần đất trong chỉ giới, không yêu cầu bồi thường"
                .to_string(),
        },
        Signed => r
            .pick(&[
                "Đã ký biên bản hiến đất tại nhà văn hóa tổ dân phố",
                "Ký biên bản hiến đất, có xác nhận của tổ trưởng tổ dân phố",
                "Đã ký biên bản, cán bộ địa chính cắm mốc chỉ giới",
            ])
            .to_string(),
        HandedOver => r
            .pick(&[
                "Đã bàn giao mặt bằng, gia đình tự tháo dỡ cổng và tường rào",
                "Bàn giao mặt bằng cho đơn vị thi công",
                "Đã bàn giao mặt bằng, chặt hạ cây trong chỉ giới",
            ])
            .to_string(),
        NotContacted => String::new(),
    }
}

/// FNV-1a, for a stable choice from a name.
/// The party member who visits the households of a residential group.
pub(crate) fn member_for(group: &str) -> &'static str {
    PARTY_MEMBERS[(fnv(group) % PARTY_MEMBERS.len() as u64) as usize]
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Checks that every parcel's events, in the order they happened, follow
/// the transition table (used by the tests and by [`super::database`]).
pub fn check_sequences(events: &[Event]) -> Result<(), String> {
    use std::collections::HashMap;
    let mut by_parcel: HashMap<&str, Vec<&Event>> = HashMap::new();
    for e in events {
        by_parcel.entry(e.parcel.as_str()).or_default().push(e);
    }
    for (p, mut evs) in by_parcel {
        evs.sort_by_key(|e| (e.occurred_on, e.entered_at));
        let mut cur = Status::NotContacted;
        for e in evs {
            check_transition(cur, e.status).map_err(|err| format!("parcel {p}: {err}"))?;
            cur = e.status;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::crs::Crs;
    use crate::ops::compute;
    use std::collections::{HashMap, HashSet};
    use std::sync::OnceLock;

    struct Fixture {
        ward: super::super::Ward,
        pairs: Vec<Donation>,
        members: Vec<bool>,
    }

    fn fixture() -> &'static Fixture {
        static F: OnceLock<Fixture> = OnceLock::new();
        F.get_or_init(|| {
            let ward = super::super::generate(3000, 1);
            let crs = Crs::vn2000_thanh_hoa();
            let projected =
                compute::project(&crs, &ward.segments, &ward.parcels, &[]).expect("projects");
            let pairs = compute::measure(projected, &ward.segments, &ward.parcels).pairs;
            let members = member_families(ward.parcels.len(), 1);
            Fixture {
                ward,
                pairs,
                members,
            }
        })
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()
    }

    fn history(seed: u64) -> History {
        let f = fixture();
        generate(
            &HistoryInput {
                segments: &f.ward.segments,
                parcels: &f.ward.parcels,
                pairs: &f.pairs,
                member_family: &f.members,
            },
            seed,
            today(),
        )
    }

    /// Status of every parcel at the end of the history.
    fn final_status(h: &History) -> HashMap<String, Status> {
        let mut evs: Vec<&Event> = h.events.iter().collect();
        evs.sort_by_key(|e| (e.occurred_on, e.entered_at));
        let mut m = HashMap::new();
        for e in evs {
            m.insert(e.parcel.to_string(), e.status);
        }
        m
    }

    #[test]
    fn the_same_seed_gives_the_same_history() {
        let (a, b) = (history(1), history(1));
        assert_eq!(a.events, b.events);
        assert_eq!(a.plans, b.plans);
        assert_ne!(a.events, history(2).events);
        assert_eq!(member_families(3000, 1), member_families(3000, 1));
    }

    #[test]
    fn every_transition_is_allowed() {
        for seed in 1..4 {
            let h = history(seed);
            assert!(!h.events.is_empty());
            check_sequences(&h.events).unwrap();
        }
    }

    #[test]
    fn dates_lie_in_the_past_six_months() {
        let h = history(1);
        let earliest = today() - Days::new(HISTORY_DAYS);
        let midnight = Utc.from_utc_datetime(&today().and_hms_opt(0, 0, 0).unwrap());
        for e in &h.events {
            assert!(
                e.occurred_on >= earliest && e.occurred_on < today(),
                "{e:?}"
            );
            assert!(e.entered_at.date_naive() >= e.occurred_on, "{e:?}");
            assert!(e.entered_at < midnight, "{e:?}");
            assert!(!e.entered_by.is_empty());
        }
        assert!(
            h.events
                .windows(2)
                .all(|w| w[0].entered_at <= w[1].entered_at)
        );
    }

    #[test]
    fn some_segments_are_complete_some_untouched_some_declined() {
        for seed in [1, 2, 3, 7] {
            complete_untouched_declined(seed);
        }
    }

    fn complete_untouched_declined(seed: u64) {
        let f = fixture();
        let h = history(seed);
        let status = final_status(&h);
        let mut affected: HashMap<usize, Vec<&str>> = HashMap::new();
        for d in &f.pairs {
            affected
                .entry(d.segment as usize)
                .or_default()
                .push(f.ward.parcels[d.parcel as usize].id.as_str());
        }
        let complete = affected
            .values()
            .filter(|ps| {
                ps.iter()
                    .all(|p| status.get(*p) == Some(&Status::HandedOver))
            })
            .count();
        let untouched = affected
            .values()
            .filter(|ps| ps.iter().all(|p| !status.contains_key(*p)))
            .count();
        let halfway = affected
            .values()
            .filter(|ps| {
                let done = ps
                    .iter()
                    .filter(|p| status.get(**p) == Some(&Status::HandedOver))
                    .count();
                done > 0 && done < ps.len()
            })
            .count();
        assert!(complete >= 1, "complete {complete}");
        assert!(untouched >= 1, "untouched {untouched}");
        assert!(halfway >= 1, "half-way {halfway}");
        assert!(complete >= h.complete_segments());
        assert!(status.values().any(|s| *s == Status::Declined));
        // a declined household later persuaded
        let mut seen: HashSet<&str> = HashSet::new();
        let mut persuaded_after = false;
        let mut evs: Vec<&Event> = h.events.iter().collect();
        evs.sort_by_key(|e| (e.occurred_on, e.entered_at));
        for e in evs {
            if e.status == Status::Declined {
                seen.insert(e.parcel.as_str());
            } else if seen.contains(e.parcel.as_str()) && e.status == Status::Agreed {
                persuaded_after = true;
            }
        }
        assert!(persuaded_after);
    }

    #[test]
    fn member_families_go_first_and_notes_are_vietnamese() {
        let f = fixture();
        let h = history(1);
        let share = f.members.iter().filter(|&&m| m).count() as f64 / f.members.len() as f64;
        assert!((0.02..0.09).contains(&share), "{share}");
        // on each started segment, member families are contacted earlier on average
        let first: HashMap<&str, NaiveDate> = {
            let mut m = HashMap::new();
            for e in &h.events {
                let d = m.entry(e.parcel.as_str()).or_insert(e.occurred_on);
                *d = (*d).min(e.occurred_on);
            }
            m
        };
        let (mut mem, mut other) = (Vec::new(), Vec::new());
        for (i, p) in f.ward.parcels.iter().enumerate() {
            if let Some(d) = first.get(p.id.as_str()) {
                let k = (*d - today()).num_days() as f64;
                if f.members[i] { &mut mem } else { &mut other }.push(k);
            }
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        assert!(!mem.is_empty());
        assert!(mean(&mem) < mean(&other), "{} {}", mean(&mem), mean(&other));
        assert!(h.events.iter().any(|e| {
            e.note
                .as_deref()
                .is_some_and(|n| n.starts_with("Gia đình đồng ý hiến") && n.contains(','))
        }));
        assert!(
            h.events
                .iter()
                .all(|e| e.note.as_deref().is_some_and(|n| !n.is_empty()))
        );
    }

    #[test]
    fn squeezing_keeps_dates_increasing_and_in_range() {
        let s = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let last = NaiveDate::from_ymd_opt(2026, 1, 20).unwrap();
        let mut seq = vec![
            (Status::Persuading, s + Days::new(10)),
            (Status::Agreed, s + Days::new(30)),
            (Status::Signed, s + Days::new(40)),
            (Status::HandedOver, s + Days::new(60)),
        ];
        squeeze(&mut seq, s, last);
        assert!(seq.windows(2).all(|w| w[0].1 < w[1].1), "{seq:?}");
        assert!(seq.iter().all(|&(_, d)| d >= s && d <= last), "{seq:?}");
        assert_eq!(vi_decimal(2.5), "2,5");
    }
}
