//! Progress tallies: by area (handed-over area ÷ area to be donated) and by
//! households (affected parcels per status). Pure: rows in, numbers out.

use crate::campaign::events::Status;
use crate::store::Timeline;
use chrono::NaiveDate;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// A parcel's status on `as_of` from the timelines (no events: not contacted).
pub fn status_of(timelines: &HashMap<i64, Timeline>, parcel: i64, as_of: NaiveDate) -> Status {
    timelines
        .get(&parcel)
        .map_or(Status::NotContacted, |t| t.status_on(as_of))
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
        let i = Status::ALL
            .iter()
            .position(|s| *s == status)
            .unwrap_or_default();
        self.counts[i] += 1;
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

    /// The tally's JSON fields, added to `m`.
    pub fn write(&self, m: &mut Map<String, Value>) {
        m.insert(
            "donated_area_m2".into(),
            json!(round(self.donated_area_m2, 4)),
        );
        m.insert(
            "handed_over_area_m2".into(),
            json!(round(self.handed_over_area_m2, 4)),
        );
        m.insert("progress_pct".into(), json!(self.progress_pct()));
        m.insert("parcels_affected".into(), json!(self.parcels()));
        let households: Map<String, Value> = Status::ALL
            .iter()
            .zip(self.counts)
            .map(|(s, n)| (s.as_str().to_string(), json!(n)))
            .collect();
        m.insert("households".into(), Value::Object(households));
        m.insert("complete".into(), json!(self.complete()));
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
    let mut dates: Vec<NaiveDate> = timelines
        .iter()
        .filter(|(p, _)| areas.contains_key(p))
        .flat_map(|(_, t)| t.0.iter().map(|(d, _)| *d))
        .filter(|d| *d <= as_of)
        .collect();
    dates.sort_unstable();
    dates.dedup();
    let mut keys: Vec<(&i64, &f64)> = areas.iter().collect();
    keys.sort_unstable_by_key(|(k, _)| **k);
    dates
        .into_iter()
        .map(|d| {
            let mut t = Tally::default();
            for (k, a) in &keys {
                t.add(**a, status_of(timelines, **k, d));
            }
            (d, t)
        })
        .collect()
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
}
