//! The annual evaluation (đánh giá, xếp loại hằng năm) of party members and
//! cells on the campaign's record: for a year, as it stood on 31/12 (or
//! today, when the year is not over), each subject's criteria, a suggested
//! band from the thresholds the committee set for the year, and — beside
//! it, decided by the committee — the rating ([`Rating`]).
//!
//! Every count comes from the read model ([`super::figures`]:
//! [`Ward::member_figures`], [`Ward::cell_figures`]); this module only turns
//! them into shares and compares the shares with the thresholds. "Plan met"
//! is the plans' (another part of the campaign's record): it comes in as an
//! input, `None` where the subject has no plan for the year.
//!
//! The criteria, each a share from 0 to 1 (`None`: not applicable, which
//! never holds a subject back):
//! - *families first* ("Đảng viên đi trước"): for a member, 1 when their own
//!   household went first, 0 when it did not (none: no own household among
//!   the affected); for a cell, the share of its members' own affected
//!   households that went first. *Went first* is the read model's one
//!   definition ([`super::first`]);
//! - *contacted*, *agreed*, *handed over*: for a member, shares of the
//!   households assigned to them on the day; for a cell, contacted is its
//!   members' (summed), agreed and handed over are shares of the affected
//!   households of its residential groups;
//! - *plan met*: the subject's plan for the year, when it has one.
//!
//! The suggested band is the highest whose every minimum is met (a share
//! equal to its minimum meets it); a subject with no households assigned
//! (a cell with no affected households) cannot be suggested above
//! "completed". The suggestion names the criterion that kept it from the
//! band above.

use super::figures::{MemberFigures, Tally, Ward};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The four bands of the Party's rules on evaluating and rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    Excellent,
    Good,
    Completed,
    NotCompleted,
}

impl Band {
    pub const ALL: [Band; 4] = [
        Band::Excellent,
        Band::Good,
        Band::Completed,
        Band::NotCompleted,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Band::Excellent => "excellent",
            Band::Good => "good",
            Band::Completed => "completed",
            Band::NotCompleted => "not_completed",
        }
    }

    pub fn vi(self) -> &'static str {
        match self {
            Band::Excellent => "Hoàn thành xuất sắc nhiệm vụ",
            Band::Good => "Hoàn thành tốt nhiệm vụ",
            Band::Completed => "Hoàn thành nhiệm vụ",
            Band::NotCompleted => "Không hoàn thành nhiệm vụ",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Band::Excellent => "excellent",
            Band::Good => "good",
            Band::Completed => "completed",
            Band::NotCompleted => "not completed",
        }
    }

    /// "Hoàn thành tốt nhiệm vụ / good".
    pub fn label(self) -> String {
        format!("{} / {}", self.vi(), self.en())
    }

    pub fn parse(s: &str) -> Option<Band> {
        Band::ALL.into_iter().find(|b| b.code() == s)
    }
}

/// What is evaluated: a party member or a party cell, by code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubjectKind {
    Member,
    Cell,
}

impl SubjectKind {
    pub fn code(self) -> &'static str {
        match self {
            SubjectKind::Member => "member",
            SubjectKind::Cell => "cell",
        }
    }

    pub fn parse(s: &str) -> Option<SubjectKind> {
        match s {
            "member" => Some(SubjectKind::Member),
            "cell" => Some(SubjectKind::Cell),
            _ => None,
        }
    }
}

/// The criteria, in the order a suggestion checks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// No household assigned (a cell: none affected).
    Assigned,
    FamiliesFirst,
    Contacted,
    Agreed,
    HandedOver,
    PlanMet,
}

impl Criterion {
    pub fn code(self) -> &'static str {
        match self {
            Criterion::Assigned => "assigned",
            Criterion::FamiliesFirst => "families_first",
            Criterion::Contacted => "contacted",
            Criterion::Agreed => "agreed",
            Criterion::HandedOver => "handed_over",
            Criterion::PlanMet => "plan_met",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Criterion::Assigned => "chưa được phân công hộ nào / no households assigned",
            Criterion::FamiliesFirst => "gia đình đảng viên đi trước / own families went first",
            Criterion::Contacted => "tỷ lệ hộ đã tiếp cận / share of households contacted",
            Criterion::Agreed => "tỷ lệ hộ đã đồng ý / share of households agreed",
            Criterion::HandedOver => "tỷ lệ hộ đã bàn giao / share of households handed over",
            Criterion::PlanMet => "hoàn thành kế hoạch / plan met",
        }
    }
}

/// The minimums of one band.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bar {
    pub families_first: f64,
    pub contacted: f64,
    pub agreed: f64,
    pub handed_over: f64,
    /// The plan must be met (when the subject has one).
    pub plan_met: bool,
}

/// The minimums of the three bands above "not completed", set by the
/// committee for a year.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    pub excellent: Bar,
    pub good: Bar,
    pub completed: Bar,
}

impl Default for Thresholds {
    /// The defaults, until the committee sets its own: excellent — own
    /// families all first, every household contacted, 90 % agreed, 70 %
    /// handed over, plan met; good — 75 % families first, 90 % contacted,
    /// 70 % agreed, 40 % handed over, plan met; completed — 70 % contacted,
    /// 30 % agreed.
    fn default() -> Thresholds {
        Thresholds {
            excellent: Bar {
                families_first: 1.0,
                contacted: 1.0,
                agreed: 0.9,
                handed_over: 0.7,
                plan_met: true,
            },
            good: Bar {
                families_first: 0.75,
                contacted: 0.9,
                agreed: 0.7,
                handed_over: 0.4,
                plan_met: true,
            },
            completed: Bar {
                families_first: 0.0,
                contacted: 0.7,
                agreed: 0.3,
                handed_over: 0.0,
                plan_met: false,
            },
        }
    }
}

impl Thresholds {
    fn bars(&self) -> [(Band, &Bar); 3] {
        [
            (Band::Excellent, &self.excellent),
            (Band::Good, &self.good),
            (Band::Completed, &self.completed),
        ]
    }

    /// Each share from 0 to 1, and no band asking less than the band below
    /// it; refused with the field named ("good.agreed") and why.
    pub fn check(&self) -> Result<(), (String, String)> {
        let shares = |b: &Bar| {
            [
                ("families_first", b.families_first),
                ("contacted", b.contacted),
                ("agreed", b.agreed),
                ("handed_over", b.handed_over),
            ]
        };
        for (band, bar) in self.bars() {
            for (name, v) in shares(bar) {
                if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
                    let f = format!("{}.{name}", band.code());
                    return Err((
                        f.clone(),
                        format!(
                            "{f}: phải là tỷ lệ từ 0 đến 1, không phải {v} / must be a share from 0 to 1, got {v}"
                        ),
                    ));
                }
            }
        }
        for w in self.bars().windows(2) {
            let ((hi, h), (lo, l)) = (w[0], w[1]);
            for ((name, a), (_, b)) in shares(h).into_iter().zip(shares(l)) {
                if b > a {
                    let f = format!("{}.{name}", lo.code());
                    return Err((
                        f.clone(),
                        format!(
                            "{f}: mức “{}” không được cao hơn mức “{}” ({b} > {a}) / may not ask more than {} ({b} > {a})",
                            lo.vi(),
                            hi.vi(),
                            hi.en()
                        ),
                    ));
                }
            }
            if l.plan_met && !h.plan_met {
                let f = format!("{}.plan_met", lo.code());
                return Err((
                    f.clone(),
                    format!(
                        "{f}: mức “{}” không được đòi hoàn thành kế hoạch khi mức “{}” không đòi / may not require the plan when {} does not",
                        lo.vi(),
                        hi.vi(),
                        hi.en()
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// A subject's criteria as shares (`None`: not applicable).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Shares {
    /// Households to judge by (assigned; a cell: affected): none caps the
    /// suggestion at "completed".
    pub households: usize,
    pub families_first: Option<f64>,
    pub contacted: Option<f64>,
    pub agreed: Option<f64>,
    pub handed_over: Option<f64>,
    pub plan_met: Option<bool>,
}

impl Shares {
    /// The first criterion that falls short of `bar` (`cap`: the band is
    /// above "completed", which no household assigned cannot reach).
    fn short_of(&self, bar: &Bar, cap: bool) -> Option<Criterion> {
        if cap && self.households == 0 {
            return Some(Criterion::Assigned);
        }
        let below = |v: Option<f64>, min: f64| v.is_some_and(|v| v < min);
        if below(self.families_first, bar.families_first) {
            return Some(Criterion::FamiliesFirst);
        }
        if below(self.contacted, bar.contacted) {
            return Some(Criterion::Contacted);
        }
        if below(self.agreed, bar.agreed) {
            return Some(Criterion::Agreed);
        }
        if below(self.handed_over, bar.handed_over) {
            return Some(Criterion::HandedOver);
        }
        if bar.plan_met && self.plan_met == Some(false) {
            return Some(Criterion::PlanMet);
        }
        None
    }

    /// The highest band whose minimums are all met, and the criterion that
    /// kept it from the band above (none for "excellent").
    pub fn suggest(&self, t: &Thresholds) -> Suggestion {
        let mut short = None;
        for (band, bar) in t.bars() {
            match self.short_of(bar, band != Band::Completed) {
                None => {
                    return Suggestion {
                        band,
                        short_of: short,
                    };
                }
                Some(c) => short = Some(c),
            }
        }
        Suggestion {
            band: Band::NotCompleted,
            short_of: short,
        }
    }
}

/// A suggested band and the criterion that decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub band: Band,
    /// What kept it from the band above.
    pub short_of: Option<Criterion>,
}

/// A member's own household: when it reached agreement, and ahead of how
/// many of the cell's others.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OwnFamily {
    /// The parcel's index in [`Ward::parcels`].
    pub parcel: usize,
    /// The day it reached agreement (and stayed there to the day asked).
    pub agreed_on: Option<NaiveDate>,
    /// Went first, as [`super::first`] defines it.
    pub went_first: bool,
}

/// One member's evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberEvaluation {
    /// Index in [`Ward::members`].
    pub member: usize,
    /// Their results on the day; `period_contacts` are the year's visits.
    pub figures: MemberFigures,
    /// None: no own household among the affected.
    pub own: Option<OwnFamily>,
    pub shares: Shares,
    pub suggested: Suggestion,
}

/// One cell's evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct CellEvaluation {
    /// Index in [`Ward::cells`].
    pub cell: usize,
    /// Its affected households on the day.
    pub tally: Tally,
    /// Its members' results summed.
    pub members: MemberFigures,
    pub member_count: usize,
    /// Its members with an own affected household; of them, went first.
    pub families: usize,
    pub families_first: usize,
    pub shares: Shares,
    pub suggested: Suggestion,
}

/// The year's evaluation of every member and cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub year: i32,
    /// 31/12 of the year, or today when earlier.
    pub as_of: NaiveDate,
    pub thresholds: Thresholds,
    pub members: Vec<MemberEvaluation>,
    pub cells: Vec<CellEvaluation>,
}

/// The day a year is evaluated on: its last day, or `today` when earlier;
/// none for a year that has not begun.
pub fn as_of(year: i32, today: NaiveDate) -> Option<NaiveDate> {
    if year > today.year() {
        return None;
    }
    NaiveDate::from_ymd_opt(year, 12, 31).map(|d| d.min(today))
}

fn share(n: usize, of: usize) -> Option<f64> {
    (of > 0).then(|| n as f64 / of as f64)
}

/// Evaluates every member and cell of `ward` for `year` (on `as_of`, see
/// [`as_of`]) against `t`; `plan_met` gives each subject's plan result
/// (`None`: no plan).
pub fn evaluate(
    ward: &Ward,
    year: i32,
    as_of: NaiveDate,
    t: &Thresholds,
    plan_met: &dyn Fn(SubjectKind, &str) -> Option<bool>,
) -> Evaluation {
    let day = as_of;
    let before = NaiveDate::from_ymd_opt(year - 1, 12, 31);
    let figures = ward.member_figures(day, before);
    // "went first" has one definition, the read model's (super::first)
    let first = ward.members_first(day);
    let members: Vec<MemberEvaluation> = ward
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let own = first.members.get(i).and_then(|x| {
                Some(OwnFamily {
                    parcel: x.parcel.filter(|_| x.affected)?,
                    agreed_on: x.agreed_on,
                    went_first: x.went_first,
                })
            });
            let f = figures[i];
            let shares = Shares {
                households: f.assigned,
                families_first: own.map(|o| if o.went_first { 1.0 } else { 0.0 }),
                contacted: share(f.contacted, f.assigned),
                agreed: share(f.agreed, f.assigned),
                handed_over: share(f.handed_over, f.assigned),
                plan_met: plan_met(SubjectKind::Member, &m.code),
            };
            MemberEvaluation {
                member: i,
                figures: f,
                own,
                shares,
                suggested: shares.suggest(t),
            }
        })
        .collect();
    let tallies: HashMap<usize, Tally> = ward
        .cell_figures(day)
        .into_iter()
        .filter_map(|c| Some((c.cell?, c.tally)))
        .collect();
    let cells = ward
        .cells
        .iter()
        .enumerate()
        .map(|(c, cell)| {
            let tally = tallies.get(&c).copied().unwrap_or_default();
            let mut sum = MemberFigures::default();
            let (mut count, mut families, mut first) = (0, 0, 0);
            for m in members.iter().filter(|m| ward.members[m.member].cell == c) {
                count += 1;
                sum.add(&m.figures);
                if let Some(o) = m.own {
                    families += 1;
                    first += usize::from(o.went_first);
                }
            }
            let n = tally.affected;
            let shares = Shares {
                households: n,
                families_first: share(first, families),
                contacted: share(sum.contacted, sum.assigned),
                agreed: share(tally.reached(super::events::Status::Agreed), n),
                handed_over: share(tally.at(super::events::Status::HandedOver), n),
                plan_met: plan_met(SubjectKind::Cell, &cell.code),
            };
            CellEvaluation {
                cell: c,
                tally,
                members: sum,
                member_count: count,
                families,
                families_first: first,
                shares,
                suggested: shares.suggest(t),
            }
        })
        .collect();
    Evaluation {
        year,
        as_of,
        thresholds: *t,
        members,
        cells,
    }
}

/// A rating the committee decided, as it stands (the latest of the
/// subject's decisions), with how many decisions it has had (its version).
#[derive(Debug, Clone, PartialEq)]
pub struct Rating {
    pub band: Band,
    pub note: Option<String>,
    pub decided_by: String,
    /// RFC 3339, UTC.
    pub decided_at: String,
    pub version: usize,
}

/// The year's decided ratings, by subject.
pub type Decided = HashMap<(SubjectKind, String), Rating>;

#[cfg(test)]
#[path = "evaluation_tests.rs"]
mod tests;
