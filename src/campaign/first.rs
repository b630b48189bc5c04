//! "Đảng viên đi trước, làng nước theo sau" and the commendation of
//! collectives and individuals: more of the one read model's figures (the
//! [`Ward`] of [`super::figures`], kept apart so that file stays readable).
//! Pure: no I/O.
//!
//! The words, each with one definition (README, "Glossary"):
//! - a member's *family*: the parcel recorded as the member's own
//!   household's (`party_members.household`); a member without one, or
//!   whose family's parcel donates nothing, is not counted;
//! - the family *agreed on* a day: the first day of its standing run at
//!   agreement or later (agreed, signed, handed over); a withdrawal ends the
//!   run, and agreeing again starts a new one; *signed on* likewise for
//!   signed or handed over;
//! - the family *went first* (đi trước): on the day asked for it stands at
//!   agreement or later, and on the day before it agreed fewer than half of
//!   the affected households of its cell's residential groups stood at
//!   agreement or later (it agreed before most of its cell's households
//!   did); its own parcel counts among those households;
//! - a cell's *going-first share*: families that went first ÷ its members'
//!   affected families; the members *whose families have not* are those
//!   whose affected family does not stand at agreement or later.

use super::events::Status;
use super::figures::{ParcelFacts, Thresholds, Ward};
use chrono::NaiveDate;
use std::collections::HashMap;

/// The first day of `p`'s standing run of statuses that satisfy `ok`, as
/// of `day` (none: it does not stand at one on `day`).
fn run_start(p: &ParcelFacts, day: NaiveDate, ok: impl Fn(Status) -> bool) -> Option<NaiveDate> {
    let mut start = None;
    for &(d, s) in p.timeline.0.iter().take_while(|(d, _)| *d <= day) {
        match (ok(s), start) {
            (true, None) => start = Some(d),
            (false, _) => start = None,
            _ => {}
        }
    }
    start
}

/// When `p` agreed, as of `day` ([module docs](self)).
pub fn agreed_on(p: &ParcelFacts, day: NaiveDate) -> Option<NaiveDate> {
    run_start(p, day, Status::reached_agreement)
}

/// When `p` signed, as of `day`.
pub fn signed_on(p: &ParcelFacts, day: NaiveDate) -> Option<NaiveDate> {
    run_start(p, day, |s| matches!(s, Status::Signed | Status::HandedOver))
}

/// A member's family on a day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemberFirst {
    /// Index in [`Ward::members`].
    pub member: usize,
    /// The family's parcel (index in [`Ward::parcels`]), when recorded.
    pub parcel: Option<usize>,
    /// The family's parcel donates land (only then is it counted).
    pub affected: bool,
    /// Its status on the day.
    pub status: Option<Status>,
    pub agreed_on: Option<NaiveDate>,
    pub signed_on: Option<NaiveDate>,
    pub went_first: bool,
}

impl MemberFirst {
    /// Counted in its cell's share: its family's parcel donates.
    pub fn counted(&self) -> bool {
        self.affected
    }

    /// Counted, and not at agreement or later on the day.
    pub fn not_yet(&self) -> bool {
        self.affected && self.agreed_on.is_none()
    }

    /// The family's state, Vietnamese then English.
    pub fn state(&self) -> (&'static str, &'static str) {
        match (self.parcel, self.affected, self.went_first, self.status) {
            (None, ..) => ("Chưa ghi hộ gia đình", "Family not recorded"),
            (_, false, ..) => ("Không bị ảnh hưởng", "Not affected"),
            (_, _, true, _) => ("Đi trước", "Went first"),
            (_, _, false, Some(s)) if s.reached_agreement() => {
                ("Đã đồng ý (sau số đông)", "Agreed (after most)")
            }
            _ => ("Chưa đồng ý hiến", "Not yet agreed"),
        }
    }
}

/// A party cell's "đi trước" figures on a day.
#[derive(Debug, Clone, PartialEq)]
pub struct CellFirst {
    /// Index in [`Ward::cells`].
    pub cell: usize,
    /// Its members' affected families.
    pub families: usize,
    /// Of them, at agreement or later; that went first.
    pub agreed: usize,
    pub went_first: usize,
    /// The members whose families have not agreed (indices in
    /// [`Ward::members`], in that order).
    pub not_yet: Vec<usize>,
}

impl CellFirst {
    /// Went first ÷ families (none without families).
    pub fn share(&self) -> Option<f64> {
        (self.families > 0).then(|| self.went_first as f64 / self.families as f64)
    }
}

/// Per member, then per cell: [`Ward::members_first`].
#[derive(Debug, Clone, PartialEq)]
pub struct First {
    /// In [`Ward::members`] order.
    pub members: Vec<MemberFirst>,
    /// In [`Ward::cells`] order, every cell.
    pub cells: Vec<CellFirst>,
}

impl Ward {
    /// The affected parcels of each cell's groups (indices), per cell.
    fn cell_parcels(&self) -> Vec<Vec<usize>> {
        let of = self.cell_of_group();
        let mut out = vec![Vec::new(); self.cells.len()];
        for (i, p) in self.parcels.iter().enumerate() {
            if let Some(&c) = p.group.as_deref().and_then(|g| of.get(g))
                && p.affected()
            {
                out[c].push(i);
            }
        }
        out
    }

    /// Every member's family and every cell's share on `day`
    /// ([module docs](self)).
    pub fn members_first(&self, day: NaiveDate) -> First {
        let by_cell = self.cell_parcels();
        let members: Vec<MemberFirst> = self
            .members
            .iter()
            .enumerate()
            .map(|(mi, m)| {
                let parcel = m.household.filter(|&i| i < self.parcels.len());
                let p = parcel.map(|i| &self.parcels[i]);
                let affected = p.is_some_and(ParcelFacts::affected);
                let agreed = p.and_then(|p| agreed_on(p, day));
                let went_first = affected
                    && agreed.is_some_and(|a| {
                        let before = a.pred_opt().unwrap_or(a);
                        let list = by_cell.get(m.cell).map_or(&[][..], Vec::as_slice);
                        let ahead = list
                            .iter()
                            .filter(|&&i| self.parcels[i].status_on(before).reached_agreement())
                            .count();
                        2 * ahead < list.len().max(1)
                    });
                MemberFirst {
                    member: mi,
                    parcel,
                    affected,
                    status: p.map(|p| p.status_on(day)),
                    agreed_on: agreed,
                    signed_on: p.and_then(|p| signed_on(p, day)),
                    went_first,
                }
            })
            .collect();
        let cells = (0..self.cells.len())
            .map(|c| {
                let mine = members
                    .iter()
                    .filter(|x| self.members[x.member].cell == c && x.counted());
                let mut f = CellFirst {
                    cell: c,
                    families: 0,
                    agreed: 0,
                    went_first: 0,
                    not_yet: Vec::new(),
                };
                for x in mine {
                    f.families += 1;
                    f.agreed += usize::from(x.agreed_on.is_some());
                    f.went_first += usize::from(x.went_first);
                    if x.not_yet() {
                        f.not_yet.push(x.member);
                    }
                }
                f
            })
            .collect();
        First { members, cells }
    }
}

/// Who is commended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Commended {
    /// A residential group (collective).
    Group(String),
    /// A party cell (index in [`Ward::cells`]; collective).
    Cell(usize),
    /// A party member (index in [`Ward::members`]; individual).
    Member(usize),
    /// A household (index in [`Ward::parcels`]; individual).
    Household(usize),
}

impl Commended {
    /// A collective (tập thể) rather than an individual (cá nhân).
    pub fn collective(&self) -> bool {
        matches!(self, Commended::Group(_) | Commended::Cell(_))
    }

    /// "Tổ dân phố" / "Residential group", ...
    pub fn kind(&self) -> (&'static str, &'static str) {
        match self {
            Commended::Group(_) => ("Tổ dân phố", "Residential group"),
            Commended::Cell(_) => ("Chi bộ", "Party cell"),
            Commended::Member(_) => ("Đảng viên", "Party member"),
            Commended::Household(_) => ("Hộ gia đình", "Household"),
        }
    }

    /// The name shown.
    pub fn name(&self, w: &Ward) -> String {
        match self {
            Commended::Group(g) => g.clone(),
            Commended::Cell(c) => w.cells[*c].name.clone(),
            Commended::Member(m) => w.members[*m].name.clone(),
            Commended::Household(p) => w.parcels[*p].head.clone().unwrap_or_default(),
        }
    }
}

/// What earned a commendation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Criterion {
    /// Every affected household of the group handed over; the last on this day.
    GroupCompleted(NaiveDate),
    /// The most area handed over in the period of all groups (m²).
    GroupLed(f64),
    /// Every group of the cell complete, the last on this day.
    CellGroupsCompleted(NaiveDate),
    /// Every member's family of the cell went first (how many).
    CellFamiliesFirst(usize),
    /// Every household assigned (how many) reached agreement, the last in the period.
    MemberAssignedAgreed(usize),
    /// The member's family went first, agreeing on this day.
    MemberFamilyFirst(NaiveDate),
    /// The household signed in the period: its area to donate (m²).
    HouseholdDonated(f64),
}

/// One row of the commendation: who, and what earned it (one or more).
#[derive(Debug, Clone, PartialEq)]
pub struct Commendation {
    pub who: Commended,
    pub criteria: Vec<Criterion>,
}

/// The list to commend for a period, and whom it may name.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Period {
    /// First day (inclusive).
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
    /// Party members are named (an internal list for roles that read
    /// sensitive data); never on a public list.
    pub members: bool,
}

impl Ward {
    /// The collectives, then the individuals, commended for `period`
    /// (README, "Commendation"):
    /// - a residential group that completed in the period, or that handed
    ///   over the most area in it (ties: each);
    /// - a party cell whose groups (those with affected households) are all
    ///   complete, the last in the period; or whose members' affected
    ///   families all went first (standing on `to`: an example that still
    ///   holds is commended each month it holds);
    /// - a party member (with `period.members`) whose assigned households
    ///   all stand at agreement or later on `to`, the last agreeing in the
    ///   period; or whose family went first (standing on `to`, likewise);
    /// - a household listed by [`Ward::commendation`] (`t`: its thresholds
    ///   and whether the list is public, so only those that agreed to be
    ///   named) that signed in the period.
    ///
    /// Nobody standing at "declined" (or being persuaded) is ever listed.
    pub fn commendations(&self, period: Period, t: &Thresholds) -> Vec<Commendation> {
        let (from, to) = (period.from, period.to);
        let before = from.pred_opt().unwrap_or(from);
        let within = |d: NaiveDate| from <= d && d <= to;
        let mut out = Vec::new();
        // groups
        let mut groups: HashMap<&str, Vec<&ParcelFacts>> = HashMap::new();
        for p in self.parcels.iter().filter(|p| p.affected()) {
            if let Some(g) = &p.group {
                groups.entry(g).or_default().push(p);
            }
        }
        let completed_on = |list: &[&ParcelFacts]| -> Option<NaiveDate> {
            list.iter()
                .map(|p| run_start(p, to, |s| s == Status::HandedOver))
                .collect::<Option<Vec<_>>>()
                .and_then(|d| d.into_iter().max())
        };
        let gained = |list: &[&ParcelFacts]| -> f64 {
            list.iter()
                .map(|p| {
                    let (a, b) = (p.status_on(to), p.status_on(before));
                    match (a == Status::HandedOver, b == Status::HandedOver) {
                        (true, false) => p.area(),
                        (false, true) => -p.area(),
                        _ => 0.0,
                    }
                })
                .sum()
        };
        let names = self.groups_in_use();
        let best = names
            .iter()
            .filter_map(|g| groups.get(g.as_str()))
            .map(|l| gained(l))
            .fold(0.0, f64::max);
        for g in &names {
            let Some(list) = groups.get(g.as_str()) else {
                continue;
            };
            let mut c = Vec::new();
            if let Some(d) = completed_on(list).filter(|d| within(*d)) {
                c.push(Criterion::GroupCompleted(d));
            }
            let got = gained(list);
            if best > 0.0 && got >= best {
                c.push(Criterion::GroupLed(got));
            }
            if !c.is_empty() {
                out.push(Commendation {
                    who: Commended::Group(g.clone()),
                    criteria: c,
                });
            }
        }
        // cells
        let first = self.members_first(to);
        for (ci, cell) in self.cells.iter().enumerate() {
            let mut c = Vec::new();
            let lists: Vec<&Vec<&ParcelFacts>> = cell
                .groups
                .iter()
                .filter_map(|g| groups.get(g.as_str()))
                .collect();
            let done: Option<Vec<NaiveDate>> = lists.iter().map(|l| completed_on(l)).collect();
            if let Some(d) = done
                .filter(|d| !d.is_empty())
                .and_then(|d| d.into_iter().max())
                .filter(|d| within(*d))
            {
                c.push(Criterion::CellGroupsCompleted(d));
            }
            let fam: Vec<_> = first
                .members
                .iter()
                .filter(|x| self.members[x.member].cell == ci && x.counted())
                .collect();
            if !fam.is_empty() && fam.iter().all(|x| x.went_first) {
                c.push(Criterion::CellFamiliesFirst(fam.len()));
            }
            if !c.is_empty() {
                out.push(Commendation {
                    who: Commended::Cell(ci),
                    criteria: c,
                });
            }
        }
        // members
        if period.members {
            let mut assigned: Vec<Vec<&ParcelFacts>> = vec![Vec::new(); self.members.len()];
            for p in &self.parcels {
                if let Some(m) = p.member_on(to) {
                    assigned[m].push(p);
                }
            }
            for (mi, list) in assigned.iter().enumerate() {
                let mut c = Vec::new();
                let agreed: Option<Vec<NaiveDate>> =
                    list.iter().map(|p| agreed_on(p, to)).collect();
                if let Some(last) = agreed.and_then(|d| d.into_iter().max())
                    && within(last)
                {
                    c.push(Criterion::MemberAssignedAgreed(list.len()));
                }
                let f = &first.members[mi];
                if let Some(d) = f.agreed_on.filter(|_| f.went_first) {
                    c.push(Criterion::MemberFamilyFirst(d));
                }
                if !c.is_empty() {
                    out.push(Commendation {
                        who: Commended::Member(mi),
                        criteria: c,
                    });
                }
            }
        }
        // households
        for (i, area, _) in self.commendation(to, t) {
            if signed_on(&self.parcels[i], to).is_some_and(within) {
                out.push(Commendation {
                    who: Commended::Household(i),
                    criteria: vec![Criterion::HouseholdDonated(area)],
                });
            }
        }
        out
    }
}

/// The month of `day`: its first day to `day` (the commendation's default
/// period, "biểu dương kịp thời").
pub fn month_of(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    use chrono::Datelike;
    (day.with_day(1).unwrap_or(day), day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::FeatureId;
    use crate::campaign::events::Timeline;
    use crate::campaign::figures::{CellFacts, MemberFacts};
    use Status::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn parcel(key: i64, group: &str, area: f64, line: &[(u32, Status)]) -> ParcelFacts {
        ParcelFacts {
            key,
            id: FeatureId::Number(key.to_string()),
            map_sheet: None,
            parcel_no: None,
            group: Some(group.into()),
            head: Some(format!("Hộ {key}")),
            address: None,
            member_family: false,
            may_be_named: key == 10,
            donations: if area > 0.0 { vec![(0, area)] } else { vec![] },
            timeline: Timeline(line.iter().map(|&(d, s)| (day(d), s)).collect()),
            structures: Default::default(),
            assignments: Vec::new(),
            contacts: Vec::new(),
        }
    }

    /// `household`: the parcel's index (parcel `key` is at `key - 1`).
    fn member(code: &str, cell: usize, household: Option<usize>) -> MemberFacts {
        MemberFacts {
            code: code.into(),
            name: format!("Đồng chí {code}"),
            cell,
            household,
        }
    }

    /// Cell 0 covers Tổ 1 and Tổ 2 (parcels 1–6), cell 1 Tổ 3 (8, 9);
    /// Tổ 4 (10) belongs to no cell; parcel 7 donates nothing.
    fn ward() -> Ward {
        let mut parcels = vec![
            parcel(1, "Tổ 1", 20.0, &[(3, Agreed), (10, Signed)]),
            parcel(2, "Tổ 1", 20.0, &[(1, Persuading), (20, Agreed)]),
            parcel(3, "Tổ 1", 20.0, &[(5, Agreed)]),
            parcel(4, "Tổ 2", 20.0, &[(12, Agreed)]),
            parcel(5, "Tổ 2", 20.0, &[(2, Persuading)]),
            parcel(6, "Tổ 2", 20.0, &[(15, Agreed)]),
            parcel(7, "Tổ 2", 0.0, &[]),
            parcel(8, "Tổ 3", 20.0, &[(4, Declined)]),
            parcel(
                9,
                "Tổ 3",
                10.0,
                &[(2, Agreed), (8, Signed), (18, HandedOver)],
            ),
            parcel(
                10,
                "Tổ 4",
                30.0,
                &[(6, Agreed), (9, Signed), (14, HandedOver)],
            ),
        ];
        // DV1 persuades parcels 3 and 4, DV2 parcel 5
        parcels[2].assignments.push((0, day(1), None));
        parcels[3].assignments.push((0, day(1), None));
        parcels[4].assignments.push((1, day(1), None));
        Ward {
            name: "Thử".into(),
            parcels,
            groups: ["Tổ 1", "Tổ 2", "Tổ 3", "Tổ 4"].map(String::from).to_vec(),
            cells: vec![
                CellFacts {
                    code: "CB1".into(),
                    name: "Chi bộ 1".into(),
                    groups: vec!["Tổ 1".into(), "Tổ 2".into()],
                },
                CellFacts {
                    code: "CB2".into(),
                    name: "Chi bộ 2".into(),
                    groups: vec!["Tổ 3".into()],
                },
            ],
            members: vec![
                member("DV1", 0, Some(0)),
                member("DV2", 0, Some(1)),
                member("DV3", 0, None),
                member("DV4", 0, Some(6)),
                member("DV5", 1, Some(7)),
            ],
            ..Ward::default()
        }
    }

    #[test]
    fn a_family_that_agreed_before_most_of_its_cell_went_first_and_a_late_one_did_not() {
        let f = ward().members_first(day(25));
        let m = &f.members;
        // DV1: agreed on 3/11, when none of cell 1's six households had
        assert!(m[0].went_first && m[0].affected);
        assert_eq!(
            (m[0].agreed_on, m[0].signed_on),
            (Some(day(3)), Some(day(10)))
        );
        // DV2: agreed on 20/11, when 4 of the 6 already had (3, 5, 12, 15)
        assert!(!m[1].went_first);
        assert_eq!(m[1].agreed_on, Some(day(20)));
        assert_eq!(m[1].state().0, "Đã đồng ý (sau số đông)");
        // DV3 has no family recorded; DV4's donates nothing: neither counted
        assert_eq!(m[2].state().0, "Chưa ghi hộ gia đình");
        assert!(!m[3].counted() && m[3].parcel.is_some());
        // DV5's family declined
        assert!(m[4].not_yet() && !m[4].went_first);
        let c = &f.cells;
        assert_eq!((c[0].families, c[0].agreed, c[0].went_first), (2, 2, 1));
        assert_eq!(c[0].share(), Some(0.5));
        assert!(c[0].not_yet.is_empty());
        assert_eq!(
            (c[1].families, c[1].went_first, c[1].not_yet.clone()),
            (1, 0, vec![4])
        );
        assert_eq!(c[1].share(), Some(0.0));
    }

    #[test]
    fn on_an_earlier_day_the_late_family_is_listed_as_not_yet_and_a_withdrawal_undoes_agreement() {
        let f = ward().members_first(day(15));
        assert_eq!(f.cells[0].not_yet, vec![1]);
        assert_eq!(f.cells[0].share(), Some(0.5));
        let mut w = ward();
        w.parcel_mut(1)
            .unwrap()
            .timeline
            .0
            .push((day(22), Declined));
        let f = w.members_first(day(25));
        assert_eq!(f.members[0].agreed_on, None);
        assert!(!f.members[0].went_first);
        assert_eq!(f.cells[0].not_yet, vec![0]);
        // agreeing again starts a new run: the new date counts, and by then most had agreed
        w.parcel_mut(1).unwrap().timeline.0.push((day(24), Agreed));
        let f = w.members_first(day(25));
        assert_eq!(f.members[0].agreed_on, Some(day(24)));
        assert!(!f.members[0].went_first);
    }

    fn t(public: bool) -> Thresholds {
        Thresholds {
            min_area_m2: 0.0,
            min_value_vnd: 0,
            public,
        }
    }

    #[test]
    fn the_month_commends_the_group_that_completed_and_led_the_member_and_the_signers() {
        let w = ward();
        let period = Period {
            from: day(1),
            to: day(25),
            members: true,
        };
        let list = w.commendations(period, &t(false));
        let who: Vec<&Commended> = list.iter().map(|c| &c.who).collect();
        assert_eq!(
            who,
            [
                &Commended::Group("Tổ 4".into()),
                &Commended::Member(0),
                &Commended::Household(9),
                &Commended::Household(0),
                &Commended::Household(8),
            ]
        );
        // Tổ 4 handed over 30 m² in the period, Tổ 3 only 10 m² (and is not complete)
        assert_eq!(
            list[0].criteria,
            [
                Criterion::GroupCompleted(day(14)),
                Criterion::GroupLed(30.0)
            ]
        );
        assert_eq!(
            list[1].criteria,
            [
                Criterion::MemberAssignedAgreed(2),
                Criterion::MemberFamilyFirst(day(3))
            ]
        );
        // a period after the events: only the example that still holds
        let later = Period {
            from: day(26),
            to: day(28),
            members: true,
        };
        let list = w.commendations(later, &t(false));
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].who, Commended::Member(0));
        assert_eq!(list[0].criteria, [Criterion::MemberFamilyFirst(day(3))]);
    }

    #[test]
    fn the_public_list_names_no_member_no_unconsenting_household_and_nobody_who_declined() {
        let w = ward();
        let period = Period {
            from: day(1),
            to: day(25),
            members: false,
        };
        let list = w.commendations(period, &t(true));
        let who: Vec<&Commended> = list.iter().map(|c| &c.who).collect();
        assert_eq!(
            who,
            [&Commended::Group("Tổ 4".into()), &Commended::Household(9)]
        );
        for c in &list {
            if let Commended::Household(i) = c.who {
                assert!(w.parcels[i].may_be_named);
                assert_ne!(w.parcels[i].status_on(day(25)), Declined);
            }
        }
    }

    #[test]
    fn a_cell_whose_members_families_all_went_first_is_commended_while_it_holds() {
        let mut w = ward();
        // DV2's family agrees on 2/11 (before anyone): both families went first
        w.parcel_mut(2).unwrap().timeline.0 = vec![(day(2), Agreed)];
        let period = Period {
            from: day(1),
            to: day(25),
            members: false,
        };
        let list = w.commendations(period, &t(true));
        let cell = list.iter().find(|c| c.who == Commended::Cell(0)).unwrap();
        assert_eq!(cell.criteria, [Criterion::CellFamiliesFirst(2)]);
        assert!(list.iter().all(|c| c.who != Commended::Cell(1)));
        // still so in a later month; no longer once a family withdraws
        let later = Period {
            from: day(26),
            to: day(30),
            members: false,
        };
        assert!(
            w.commendations(later, &t(true))
                .iter()
                .any(|c| c.who == Commended::Cell(0))
        );
        w.parcel_mut(2)
            .unwrap()
            .timeline
            .0
            .push((day(27), Declined));
        assert!(
            w.commendations(later, &t(true))
                .iter()
                .all(|c| c.who != Commended::Cell(0))
        );
    }

    #[test]
    fn the_month_runs_from_its_first_day() {
        assert_eq!(month_of(day(25)), (day(1), day(25)));
    }
}
