//! A province's (or town's) comparison of its wards: each ward's headline
//! figures, and the province's as the sum of them (issue 18, item 2;
//! `GET /api/wards`).
//!
//! Nothing is tallied here that the ward's own pages tally elsewhere: a
//! ward's figures are those of its read model ([`Kept`]) through the same
//! functions its summaries, progress chart and periodic report use —
//! [`Ward::ward_tally`] (the report's and the progress chart's whole-ward
//! tally), [`Kept::segment_tallies`] (the segments' table),
//! [`Ward::lagging`] (the report's lagging areas), [`Stillness`] (the
//! summaries' last step and idle days) and [`Ward::members_first`] (the
//! "đảng viên đi trước" page). The province's figures are sums of the
//! wards'; its shares are recomputed from those sums, never averaged.
//! Pure: no I/O.
//!
//! [`Ward`]: super::figures::Ward
//! [`Ward::ward_tally`]: super::figures::Ward::ward_tally
//! [`Ward::lagging`]: super::figures::Ward::lagging
//! [`Ward::members_first`]: super::figures::Ward::members_first

use super::figures::{Kept, LeadOf, Tally};
use super::responsibility::Stillness;
use chrono::NaiveDate;

/// How many of the party members' own affected families went first
/// ("Đảng viên đi trước, làng nước theo sau"), summed over the cells.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FirstShare {
    /// Members' affected families.
    pub families: usize,
    /// Of them, those that agreed before most of their cell.
    pub went_first: usize,
}

impl FirstShare {
    /// Went first ÷ families (none without families).
    pub fn share(&self) -> Option<f64> {
        (self.families > 0).then(|| self.went_first as f64 / self.families as f64)
    }
}

/// A ward's (or the province's) figures on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WardSummary {
    /// Every affected parcel once, with its whole area.
    pub tally: Tally,
    /// Road segments, and those with every affected parcel handed over.
    pub segments: usize,
    pub segments_complete: usize,
    /// Groups and segments that lag ([`super::figures::Ward::lagging`]).
    pub lagging_groups: usize,
    pub lagging_segments: usize,
    /// The last day a household agreed, signed or handed over, and the
    /// days since (none: nothing ever moved).
    pub last_step: Option<NaiveDate>,
    pub idle_days: Option<i64>,
    pub first: FirstShare,
}

/// The day idle days count to: `day`, or today when `day` is
/// [`NaiveDate::MAX`] (everything recorded), as the summaries count them.
fn idle_day(day: NaiveDate) -> NaiveDate {
    if day == NaiveDate::MAX {
        super::clock::today()
    } else {
        day
    }
}

/// The ward of `k` on `day` ([`NaiveDate::MAX`]: everything recorded),
/// lagging after `lag_days` without a step forward.
pub fn summary(k: &Kept, day: NaiveDate, lag_days: u32) -> WardSummary {
    let w = k.ward();
    let still_day = idle_day(day);
    let segments = k.segment_tallies(day);
    let lagging = w.lagging(still_day, lag_days);
    let still = Stillness::of(w.parcels.iter().filter(|p| p.affected()), still_day);
    let first = w
        .members_first(still_day)
        .cells
        .iter()
        .fold(FirstShare::default(), |a, c| FirstShare {
            families: a.families + c.families,
            went_first: a.went_first + c.went_first,
        });
    WardSummary {
        tally: w.ward_tally(day),
        segments: segments.len(),
        segments_complete: segments.iter().filter(|t| t.complete()).count(),
        lagging_groups: lagging
            .iter()
            .filter(|l| matches!(l.area, LeadOf::Group(_)))
            .count(),
        lagging_segments: lagging
            .iter()
            .filter(|l| matches!(l.area, LeadOf::Segment(_)))
            .count(),
        last_step: still.last_step,
        idle_days: still.idle_days,
        first,
    }
}

/// The province: the wards' figures summed; its last step is the latest
/// of theirs, its idle days the fewest.
pub fn province(wards: &[WardSummary]) -> WardSummary {
    let mut p = WardSummary::default();
    for w in wards {
        add_tally(&mut p.tally, &w.tally);
        p.segments += w.segments;
        p.segments_complete += w.segments_complete;
        p.lagging_groups += w.lagging_groups;
        p.lagging_segments += w.lagging_segments;
        if w.last_step > p.last_step {
            p.last_step = w.last_step;
        }
        p.idle_days = match (p.idle_days, w.idle_days) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        p.first.families += w.first.families;
        p.first.went_first += w.first.went_first;
    }
    p
}

/// `t` += `x`: counts and areas; the progress is then the sums' ratio.
fn add_tally(t: &mut Tally, x: &Tally) {
    t.affected += x.affected;
    t.donated_area_m2 += x.donated_area_m2;
    t.handed_over_area_m2 += x.handed_over_area_m2;
    for (a, b) in t.at_step.iter_mut().zip(x.at_step) {
        *a += b;
    }
    let (s, y) = (&mut t.structures, &x.structures);
    s.structures += y.structures;
    s.donated += y.donated;
    s.donated_value_vnd = s.donated_value_vnd.saturating_add(y.donated_value_vnd);
    for (a, b) in s.by_kind.iter_mut().zip(y.by_kind) {
        *a += b;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::FeatureId;
    use crate::campaign::events::Status::{self, *};
    use crate::campaign::events::Timeline;
    use crate::campaign::figures::{CellFacts, MemberFacts, ParcelFacts, SegmentFacts, Ward};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn parcel(key: i64, group: &str, seg: usize, area: f64, line: &[(u32, Status)]) -> ParcelFacts {
        ParcelFacts {
            key,
            id: FeatureId::Number(key.to_string()),
            map_sheet: None,
            parcel_no: None,
            group: Some(group.into()),
            head: None,
            address: None,
            member_family: false,
            may_be_named: false,
            donations: if area > 0.0 {
                vec![(seg, area)]
            } else {
                vec![]
            },
            timeline: Timeline(line.iter().map(|&(d, s)| (day(d), s)).collect()),
            structures: Default::default(),
            assignments: Vec::new(),
            contacts: Vec::new(),
        }
    }

    fn segment(key: i64) -> SegmentFacts {
        SegmentFacts {
            key,
            id: key.to_string(),
            name: format!("Đoạn {key}"),
            groups: Vec::new(),
        }
    }

    /// Segment 0: parcels 1, 2 (one handed over); segment 1: parcel 3,
    /// handed over (complete); parcel 4 donates nothing. Tổ 2 moved on
    /// 20/11, Tổ 1 on 5/11; the cell's member owns parcel 1, which agreed
    /// first.
    fn ward_a() -> Ward {
        Ward {
            name: "A".into(),
            parcels: vec![
                parcel(1, "Tổ 1", 0, 30.0, &[(3, Agreed), (5, HandedOver)]),
                parcel(2, "Tổ 1", 0, 20.0, &[(4, Declined)]),
                parcel(3, "Tổ 2", 1, 10.0, &[(18, Agreed), (20, HandedOver)]),
                parcel(4, "Tổ 2", 0, 0.0, &[]),
            ],
            segments: vec![segment(1), segment(2)],
            groups: vec!["Tổ 1".into(), "Tổ 2".into()],
            cells: vec![CellFacts {
                code: "CB1".into(),
                name: "Chi bộ 1".into(),
                groups: vec!["Tổ 1".into(), "Tổ 2".into()],
            }],
            members: vec![MemberFacts {
                code: "DV1".into(),
                name: "Đồng chí 1".into(),
                cell: 0,
                household: Some(0),
            }],
            ..Ward::default()
        }
    }

    /// One segment, two parcels that never moved.
    fn ward_b() -> Ward {
        Ward {
            name: "B".into(),
            parcels: vec![
                parcel(1, "Tổ 1", 0, 40.0, &[(2, Persuading)]),
                parcel(2, "Tổ 1", 0, 5.0, &[]),
            ],
            segments: vec![segment(1)],
            groups: vec!["Tổ 1".into()],
            ..Ward::default()
        }
    }

    #[test]
    fn a_wards_figures_are_its_read_models() {
        let k = Kept::new(ward_a());
        let s = summary(&k, day(25), 10);
        assert_eq!(s.tally, k.ward().ward_tally(day(25)));
        assert_eq!((s.tally.affected, s.tally.at(HandedOver)), (3, 2));
        assert_eq!(
            (s.tally.donated_area_m2, s.tally.handed_over_area_m2),
            (60.0, 40.0)
        );
        assert_eq!((s.segments, s.segments_complete), (2, 1));
        // Tổ 1 (last step 5/11, 20 days) and segment 0 lag; Tổ 2 is complete
        assert_eq!((s.lagging_groups, s.lagging_segments), (1, 1));
        assert_eq!((s.last_step, s.idle_days), (Some(day(20)), Some(5)));
        assert_eq!(
            s.first,
            FirstShare {
                families: 1,
                went_first: 1
            }
        );
        assert_eq!(s.first.share(), Some(1.0));
    }

    #[test]
    fn an_earlier_day_replays_the_ward() {
        let k = Kept::new(ward_a());
        let s = summary(&k, day(10), 3);
        assert_eq!(s.tally.at(HandedOver), 1);
        assert_eq!(s.segments_complete, 0);
        assert_eq!((s.last_step, s.idle_days), (Some(day(5)), Some(5)));
        // Tổ 1 idle 5 days ≥ 3; Tổ 2 never moved; both segments lag
        assert_eq!((s.lagging_groups, s.lagging_segments), (2, 2));
    }

    #[test]
    fn the_province_sums_its_wards_and_recomputes_the_shares() {
        let (a, b) = (Kept::new(ward_a()), Kept::new(ward_b()));
        let (sa, sb) = (summary(&a, day(25), 10), summary(&b, day(25), 10));
        assert_eq!(sb.last_step, None);
        assert_eq!(sb.first.share(), None);
        let p = province(&[sa, sb]);
        assert_eq!(p.tally.affected, 5);
        assert_eq!(p.tally.donated_area_m2, 105.0);
        assert_eq!(p.tally.handed_over_area_m2, 40.0);
        assert_eq!(p.tally.at(Persuading), 1);
        assert_eq!(p.tally.at(NotContacted), 1);
        // 40 ÷ 105, not the mean of 66.67 % and 0 %
        assert_eq!(p.tally.progress_pct(), 38.1);
        assert_eq!((p.segments, p.segments_complete), (3, 1));
        assert_eq!((p.lagging_groups, p.lagging_segments), (2, 2));
        assert_eq!((p.last_step, p.idle_days), (Some(day(20)), Some(5)));
        assert_eq!(p.first.share(), Some(1.0));
        assert_eq!(province(&[]), WardSummary::default());
    }
}
