//! Who answers for each area, and how long it has stood still: the read
//! model's figures of responsibility (the [`Ward`] of [`super::figures`],
//! kept in its own file so that one stays readable). Pure: no I/O.
//!
//! - the committee member in charge (ủy viên phụ trách) of a group, and of
//!   a segment: named for it, else those of the groups it runs through;
//! - the party cells covering a segment's groups;
//! - *idle days* of an area: days from its last step forward (a household
//!   agreed, signed or handed over) to the day asked for;
//! - the party members assigned to an area's households, with where those
//!   households stand.

use super::figures::{LeadOf, MemberFigures, ParcelFacts, Ward};
use chrono::NaiveDate;
use std::collections::HashMap;

/// When an area last stepped forward, and how long ago.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stillness {
    /// The last day on or before the day asked for on which one of its
    /// households agreed, signed or handed over (none: never).
    pub last_step: Option<NaiveDate>,
    /// Days from then to the day asked for (none: never moved).
    pub idle_days: Option<i64>,
}

impl Stillness {
    /// The stillness of `parcels` on `day`.
    pub fn of<'a>(parcels: impl IntoIterator<Item = &'a ParcelFacts>, day: NaiveDate) -> Stillness {
        let last_step = parcels.into_iter().filter_map(|p| p.last_step(day)).max();
        Stillness {
            last_step,
            idle_days: last_step.map(|d| (day - d).num_days()),
        }
    }
}

/// The party members assigned to an area's households on a day: (index in
/// [`Ward::members`], their figures counting only that area's households),
/// in [`Ward::members`] order.
pub type AreaMembers = Vec<(usize, MemberFigures)>;

/// Each group's and each segment's responsibility figures on a day.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Responsibility {
    /// By group name.
    pub groups: HashMap<String, (Stillness, AreaMembers)>,
    /// In [`Ward::segments`] order.
    pub segments: Vec<(Stillness, AreaMembers)>,
}

impl Ward {
    /// The committee members in charge of `of`: those named for it; for a
    /// segment named for no one, those of the groups it runs through (in
    /// their order, each once).
    pub fn leads_of(&self, of: &LeadOf) -> Vec<&str> {
        let x = self.lookup();
        // indexes of the leads named for a group, for a segment
        let of_group = |g: &str| -> Vec<usize> {
            match x {
                Some(x) => x.leads_of_group.get(g).cloned().unwrap_or_default(),
                None => self.scan_leads(|of| matches!(of, LeadOf::Group(n) if n == g)),
            }
        };
        let of_segment = |s: usize| -> Vec<usize> {
            match x {
                Some(x) => x.leads_of_segment.get(&s).cloned().unwrap_or_default(),
                None => self.scan_leads(|of| *of == LeadOf::Segment(s)),
            }
        };
        let names = |list: Vec<usize>| -> Vec<&str> {
            list.into_iter()
                .map(|i| self.leads[i].name.as_str())
                .collect()
        };
        let mut out = match of {
            LeadOf::Group(g) => names(of_group(g)),
            LeadOf::Segment(i) => names(of_segment(*i)),
        };
        if let (LeadOf::Segment(i), true) = (of, out.is_empty()) {
            for g in self.segment_groups(*i) {
                for name in names(of_group(g)) {
                    if !out.contains(&name) {
                        out.push(name);
                    }
                }
            }
        }
        out
    }

    /// The residential groups segment `i` runs through
    /// ([`super::figures::SegmentFacts::groups`]).
    pub fn segment_groups(&self, i: usize) -> impl Iterator<Item = &str> {
        self.segments
            .get(i)
            .into_iter()
            .flat_map(|s| s.groups.iter().map(String::as_str))
    }

    /// The party cell covering group `g`, by name.
    pub fn cell_name_of(&self, g: &str) -> Option<&str> {
        let i = match self.lookup() {
            Some(x) => *x.cell_of_group.get(g)?,
            None => self
                .cells
                .iter()
                .position(|c| c.groups.iter().any(|x| x == g))?,
        };
        Some(self.cells[i].name.as_str())
    }

    /// The indexes of the leads whose area passes `f`, in order (the
    /// search [`Ward::lookup`] spares).
    fn scan_leads(&self, f: impl Fn(&LeadOf) -> bool) -> Vec<usize> {
        (0..self.leads.len())
            .filter(|&i| f(&self.leads[i].of))
            .collect()
    }

    /// The party cells covering segment `i`'s groups, each once.
    pub fn segment_cells(&self, i: usize) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for g in self.segment_groups(i) {
            if let Some(c) = self.cell_name_of(g)
                && !out.contains(&c)
            {
                out.push(c);
            }
        }
        out
    }

    /// Every group's and segment's stillness and assigned members on `day`
    /// (a segment's households: those donating to it).
    ///
    /// One pass over the parcels: each affected one's last step and member
    /// are found once and counted into its group and its segments (a
    /// million parcels: no list of them per area, no hash per parcel but
    /// where its group differs from the one before it).
    pub fn responsibility(&self, day: NaiveDate) -> Responsibility {
        #[derive(Default)]
        struct Area {
            last_step: Option<NaiveDate>,
            members: AreaMembers,
        }
        impl Area {
            fn count(
                &mut self,
                p: &ParcelFacts,
                step: Option<NaiveDate>,
                m: Option<usize>,
                day: NaiveDate,
            ) {
                self.last_step = self.last_step.max(step);
                if let Some(m) = m {
                    let at = match self.members.iter().position(|x| x.0 == m) {
                        Some(i) => i,
                        None => {
                            self.members.push((m, MemberFigures::default()));
                            self.members.len() - 1
                        }
                    };
                    self.members[at].1.count(p, day, None);
                }
            }
            fn done(mut self, day: NaiveDate) -> (Stillness, AreaMembers) {
                self.members.sort_by_key(|m| m.0);
                let still = Stillness {
                    last_step: self.last_step,
                    idle_days: self.last_step.map(|d| (day - d).num_days()),
                };
                (still, self.members)
            }
        }
        let mut group_of: HashMap<&str, usize> = HashMap::new();
        let mut groups: Vec<(&str, Area)> = Vec::new();
        let mut segments: Vec<Area> = (0..self.segments.len()).map(|_| Area::default()).collect();
        let mut last: Option<(&str, usize)> = None;
        for p in self.parcels.iter().filter(|p| p.affected()) {
            let step = p.last_step(day);
            let m = p.member_on(day);
            if let Some(g) = p.group.as_deref() {
                let i = match last {
                    Some((name, i)) if name == g => i,
                    _ => *group_of.entry(g).or_insert_with(|| {
                        groups.push((g, Area::default()));
                        groups.len() - 1
                    }),
                };
                last = Some((g, i));
                groups[i].1.count(p, step, m, day);
            }
            for &(si, _) in &p.donations {
                segments[si].count(p, step, m, day);
            }
        }
        Responsibility {
            groups: groups
                .into_iter()
                .map(|(g, a)| (g.to_string(), a.done(day)))
                .collect(),
            segments: segments.into_iter().map(|a| a.done(day)).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::FeatureId;
    use crate::campaign::events::{Status, Timeline};
    use crate::campaign::figures::{CellFacts, LeadFacts, MemberFacts, SegmentFacts};

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn parcel(
        key: i64,
        group: &str,
        segment: usize,
        line: Vec<(NaiveDate, Status)>,
    ) -> ParcelFacts {
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
            donations: vec![(segment, 10.0)],
            timeline: Timeline(line),
            structures: Default::default(),
            assignments: vec![(0, day(9, 1), None)],
            contacts: Vec::new(),
        }
    }

    /// Tổ 1: parcel 1 persuaded on 1/10, agreed on 12/10, signed on 3/11;
    /// parcel 2 agreed on 20/10, then withdrew (declined) on 15/11, which is
    /// no step forward. Tổ 2: parcel 3 only ever persuaded.
    fn ward() -> Ward {
        use Status::*;
        Ward {
            name: "Thử".into(),
            segments: vec![SegmentFacts {
                key: 1,
                id: "D1".into(),
                name: "Đường 1".into(),
                groups: vec!["Tổ 1".into(), "Tổ 2".into()],
            }],
            groups: vec!["Tổ 1".into(), "Tổ 2".into()],
            parcels: vec![
                parcel(
                    1,
                    "Tổ 1",
                    0,
                    vec![
                        (day(10, 1), Persuading),
                        (day(10, 12), Agreed),
                        (day(11, 3), Signed),
                    ],
                ),
                parcel(
                    2,
                    "Tổ 1",
                    0,
                    vec![(day(10, 20), Agreed), (day(11, 15), Declined)],
                ),
                parcel(3, "Tổ 2", 0, vec![(day(10, 2), Persuading)]),
            ],
            cells: vec![CellFacts {
                code: "CB1".into(),
                name: "Chi bộ 1".into(),
                groups: vec!["Tổ 1".into(), "Tổ 2".into()],
            }],
            members: vec![MemberFacts {
                code: "DV1".into(),
                name: "Đảng viên A".into(),
                cell: 0,
                household: None,
            }],
            leads: vec![
                LeadFacts {
                    name: "Ủy viên B".into(),
                    title: None,
                    of: LeadOf::Group("Tổ 2".into()),
                },
                LeadFacts {
                    name: "Ủy viên A".into(),
                    title: None,
                    of: LeadOf::Group("Tổ 1".into()),
                },
            ],
            ..Ward::default()
        }
    }

    #[test]
    fn idle_days_count_from_the_last_step_forward_on_the_day_asked() {
        let w = ward();
        let on = |d| w.responsibility(d).groups["Tổ 1"].0;
        // on 25/10 the last step was parcel 2's agreement on 20/10
        assert_eq!(
            on(day(10, 25)),
            Stillness {
                last_step: Some(day(10, 20)),
                idle_days: Some(5)
            }
        );
        // the signing of 3/11; the withdrawal of 15/11 is no step forward
        assert_eq!(on(day(11, 29)).last_step, Some(day(11, 3)));
        assert_eq!(on(day(11, 29)).idle_days, Some(26));
        // before any agreement: never moved
        assert_eq!(on(day(10, 5)), Stillness::default());
        let r = w.responsibility(day(11, 29));
        assert_eq!(r.groups["Tổ 2"].0.idle_days, None);
        assert_eq!(r.segments[0].0.idle_days, Some(26));
    }

    #[test]
    fn an_areas_members_count_only_its_own_households() {
        let r = ward().responsibility(day(11, 29));
        let (_, m1) = &r.groups["Tổ 1"];
        assert_eq!(m1.len(), 1);
        let f = m1[0].1;
        assert_eq!((f.assigned, f.signed, f.declined), (2, 1, 1));
        assert_eq!(r.groups["Tổ 2"].1[0].1.assigned, 1);
        assert_eq!(r.segments[0].1[0].1.assigned, 3);
    }

    #[test]
    fn a_segment_without_its_own_lead_answers_to_its_groups_leads() {
        let mut w = ward();
        assert_eq!(w.leads_of(&LeadOf::Segment(0)), ["Ủy viên A", "Ủy viên B"]);
        assert_eq!(w.segment_cells(0), ["Chi bộ 1"]);
        assert_eq!(w.cell_name_of("Tổ 2"), Some("Chi bộ 1"));
        w.leads.push(LeadFacts {
            name: "Ủy viên C".into(),
            title: None,
            of: LeadOf::Segment(0),
        });
        assert_eq!(w.leads_of(&LeadOf::Segment(0)), ["Ủy viên C"]);
        assert_eq!(w.leads_of(&LeadOf::Group("Tổ 1".into())), ["Ủy viên A"]);
    }
}
