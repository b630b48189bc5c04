//! Progress tallies: by area (handed-over area ÷ area to be donated) and by
//! households (affected parcels per status). Pure: rows in, numbers out.

use crate::campaign::events::Status;
use crate::store::Timeline;
use chrono::NaiveDate;
use std::collections::HashMap;

/// A parcel's status on `as_of` from the timelines (no events: not contacted).
pub fn status_of(timelines: &HashMap<i64, Timeline>, parcel: i64, as_of: NaiveDate) -> Status {
    timelines
        .get(&parcel)
        .map_or(Status::NotContacted, |t| t.status_on(as_of))
}

fn status_index(status: Status) -> usize {
    Status::ALL
        .iter()
        .position(|s| *s == status)
        .unwrap_or_default()
}

/// Area and households of a set of affected parcels.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    pub donated_area_m2: f64,
    pub handed_over_area_m2: f64,
    /// Affected parcels per status, in [`Status::ALL`] order.
    pub counts: [usize; 6],
}

impl Tally {
    pub fn add(&mut self, area_m2: f64, status: Status) {
        self.donated_area_m2 += area_m2;
        if status == Status::HandedOver {
            self.handed_over_area_m2 += area_m2;
        }
        self.counts[status_index(status)] += 1;
    }

    /// A parcel already counted moves from one status to another.
    pub fn moved(&mut self, area_m2: f64, from: Status, to: Status) {
        if from == Status::HandedOver {
            self.handed_over_area_m2 -= area_m2;
        }
        if to == Status::HandedOver {
            self.handed_over_area_m2 += area_m2;
        }
        self.counts[status_index(from)] -= 1;
        self.counts[status_index(to)] += 1;
    }

    pub fn parcels(&self) -> usize {
        self.counts.iter().sum()
    }

    /// Handed-over area as a percentage of the area to be donated (0 when
    /// nothing is to be donated).
    pub fn progress_pct(&self) -> f64 {
        if self.donated_area_m2 > 0.0 {
            round(100.0 * self.handed_over_area_m2 / self.donated_area_m2, 2)
        } else {
            0.0
        }
    }

    /// Every affected parcel handed over (and at least one affected).
    pub fn complete(&self) -> bool {
        let handed = self.counts[Status::ALL.len() - 1];
        handed > 0 && handed == self.parcels()
    }
}

/// `x` rounded to `digits` decimals.
pub fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// The campaign's progress on each date on which some status changed (up to
/// `as_of`): `areas` are the affected parcels' total donated areas.
pub fn series(
    areas: &HashMap<i64, f64>,
    timelines: &HashMap<i64, Timeline>,
    as_of: NaiveDate,
) -> Vec<(NaiveDate, Tally)> {
    // Every affected parcel starts not contacted; each step of a timeline
    // moves its area from one status to the next, so one pass over the
    // steps in date order gives every point.
    let mut t = Tally::default();
    let mut steps: Vec<(NaiveDate, f64, Status, Status)> = Vec::new();
    let mut keys: Vec<(&i64, &f64)> = areas.iter().collect();
    keys.sort_unstable_by_key(|(k, _)| **k);
    for (k, &a) in keys {
        t.add(a, Status::NotContacted);
        let mut from = Status::NotContacted;
        for &(d, to) in timelines.get(k).map_or(&[][..], |tl| &tl.0) {
            if d > as_of {
                break;
            }
            steps.push((d, a, from, to));
            from = to;
        }
    }
    steps.sort_by_key(|s| s.0);
    let mut out: Vec<(NaiveDate, Tally)> = Vec::new();
    for (i, &(d, a, from, to)) in steps.iter().enumerate() {
        t.moved(a, from, to);
        if steps.get(i + 1).is_none_or(|n| n.0 != d) {
            out.push((d, t.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 1, d).unwrap()
    }

    #[test]
    fn a_segment_is_complete_when_every_parcel_is_handed_over() {
        let mut t = Tally::default();
        t.add(10.0, Status::HandedOver);
        assert!(t.complete());
        t.add(30.0, Status::Signed);
        assert!(!t.complete());
        assert_eq!(t.progress_pct(), 25.0);
        assert!(!Tally::default().complete());
    }

    #[test]
    fn the_series_has_one_point_per_date_with_a_change() {
        let areas = HashMap::from([(1, 10.0), (2, 30.0)]);
        let timelines = HashMap::from([
            (
                1,
                Timeline(vec![(day(3), Status::Agreed), (day(9), Status::Signed)]),
            ),
            (2, Timeline(vec![(day(5), Status::Persuading)])),
        ]);
        let s = series(&areas, &timelines, day(8));
        assert_eq!(
            s.iter().map(|(d, _)| *d).collect::<Vec<_>>(),
            [day(3), day(5)]
        );
        assert_eq!(s[1].1.counts, [0, 1, 0, 1, 0, 0]);
    }

    #[test]
    fn the_series_agrees_with_tallying_every_parcel_on_every_date() {
        // Parcels with timelines that go forward, back (corrections) and
        // around; each point must equal a fresh tally on its date.
        let order = Status::ALL;
        let mut areas = HashMap::new();
        let mut timelines = HashMap::new();
        let mut x: u64 = 7;
        let mut next = |n: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % n
        };
        for k in 0..200i64 {
            areas.insert(k, 1.0 + next(400) as f64 / 7.0);
            let mut d = 1;
            let mut line = Vec::new();
            for _ in 0..next(5) {
                d += 1 + next(6) as u32;
                line.push((day(d.min(28)), order[next(6) as usize]));
            }
            line.sort_by_key(|(d, _)| *d);
            timelines.insert(k, Timeline(line));
        }
        let s = series(&areas, &timelines, day(20));
        assert!(!s.is_empty());
        for (d, t) in &s {
            let mut want = Tally::default();
            for (k, a) in &areas {
                want.add(*a, status_of(&timelines, *k, *d));
            }
            assert_eq!(t.counts, want.counts, "{d}");
            assert!((t.handed_over_area_m2 - want.handed_over_area_m2).abs() < 1e-9);
            assert!((t.donated_area_m2 - want.donated_area_m2).abs() < 1e-9);
        }
    }
}
