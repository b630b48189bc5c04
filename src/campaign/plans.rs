//! Plans and targets (kế hoạch, chỉ tiêu, mốc): a party cell or a
//! committee member sets, for a residential group, a road segment or a
//! party cell, milestones — a due date with a target of households that
//! reached agreement, of area handed over (m²), or both. This module says
//! how a plan stands on any day, from the read model's figures
//! ([`Ward`], [`Tally`]): nothing here tallies parcels itself.
//!
//! The words, each with one definition (README, "Plans"):
//! - *actual households*: the area's households that reached agreement
//!   (agreed, signed or handed over: [`Tally::reached`] of
//!   [`Status::Agreed`]) at the end of the day;
//! - *actual area*: the area's area handed over (m²) at the end of the day;
//!   a segment counts the area attributed to it, a group or a cell each
//!   parcel's whole area to donate (as the read model's segment, group and
//!   cell figures do);
//! - a milestone is *met* (đạt) when the actuals on the day reach every
//!   target it sets; *missed* (chưa đạt - quá hạn) when it is not met and
//!   its due date is before the day (it is overdue by the days between);
//!   *pending* (đang thực hiện) otherwise;
//! - the *recent rate* of a measure: its actual on the day minus its actual
//!   [`TREND_DAYS`] days before, divided by [`TREND_DAYS`] (per day);
//! - the *projected completion* of a plan: for each measure the plan
//!   targets, the day the actual reaches the plan's final target for it
//!   (its largest, the last milestone's) at the recent rate, extrapolated
//!   linearly from the day (rounded up to whole days); the plan's is the
//!   latest of them. None when a measure not yet at its target has a
//!   recent rate of zero (no trend to extrapolate); "reached" when every
//!   final target is already reached. It is *late* when it lands after the
//!   plan's last due date.
//!
//! For the other parts of the party's work: [`behind`] (the areas behind
//! their plans on a day: the inspection's) and [`met`] (each planned
//! area's record over a year: the annual evaluation's).

use super::events::Status;
use super::figures::{Tally, Ward};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The days of the recent trend ([`PlanFigures::rate`]).
pub const TREND_DAYS: i64 = 30;
/// The most milestones a plan may have.
pub const MAX_MILESTONES: usize = 24;
/// The longest title (characters).
pub const MAX_TITLE: usize = 200;
/// The longest note (characters).
pub const MAX_NOTE: usize = 2000;
/// The most plans a ward keeps (cancelled ones included): the list and the
/// report stay bounded.
pub const MAX_PLANS: usize = 2000;
/// The latest year a due date may fall in.
pub const LAST_YEAR: i32 = 2100;

/// The kind of area a plan is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AreaKind {
    /// A residential group (tổ dân phố), by name.
    Group,
    /// A road segment (đoạn tuyến), by the id its file gave it.
    Segment,
    /// A party cell (chi bộ), by code.
    Cell,
}

impl AreaKind {
    pub const ALL: [AreaKind; 3] = [AreaKind::Group, AreaKind::Segment, AreaKind::Cell];

    pub fn code(self) -> &'static str {
        match self {
            AreaKind::Group => "group",
            AreaKind::Segment => "segment",
            AreaKind::Cell => "cell",
        }
    }

    pub fn parse(s: &str) -> Option<AreaKind> {
        AreaKind::ALL.into_iter().find(|k| k.code() == s)
    }

    /// "Tổ dân phố", "Đoạn tuyến", "Chi bộ".
    pub fn label(self) -> &'static str {
        match self {
            AreaKind::Group => "Tổ dân phố",
            AreaKind::Segment => "Đoạn tuyến",
            AreaKind::Cell => "Chi bộ",
        }
    }

    pub fn english(self) -> &'static str {
        match self {
            AreaKind::Group => "Residential group",
            AreaKind::Segment => "Road segment",
            AreaKind::Cell => "Party cell",
        }
    }
}

/// The area of a plan: its kind and code (a group's name, a segment's id,
/// a cell's code).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PlanArea {
    pub kind: AreaKind,
    pub code: String,
}

/// A milestone: by `due`, `households` that reached agreement and/or
/// `area_m2` handed over (at least one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    pub due: NaiveDate,
    pub households: Option<u32>,
    pub area_m2: Option<f64>,
}

/// Active, or cancelled (a plan is never deleted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlanStatus {
    Active,
    Cancelled,
}

impl PlanStatus {
    pub fn code(self) -> &'static str {
        match self {
            PlanStatus::Active => "active",
            PlanStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<PlanStatus> {
        match s {
            "active" => Some(PlanStatus::Active),
            "cancelled" => Some(PlanStatus::Cancelled),
            _ => None,
        }
    }
}

/// What a plan says: the part its author writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanDraft {
    pub area: PlanArea,
    /// The area's name as the ward knows it ("Tổ dân phố 3", "Chi bộ 2").
    pub area_name: String,
    pub title: String,
    pub note: Option<String>,
    /// In due-date order.
    pub milestones: Vec<Milestone>,
}

/// A plan as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub id: i64,
    /// Starts at 1; every edit and the cancellation add one.
    pub version: i64,
    pub draft: PlanDraft,
    pub status: PlanStatus,
    /// Who set it (the first version's author).
    pub set_by: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub updated_at: String,
    pub updated_by: String,
}

/// Where a milestone stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MilestoneState {
    /// Đạt: every target reached.
    Met,
    /// Chưa đạt - quá hạn: due date passed, a target not reached.
    Missed,
    /// Đang thực hiện: not reached, not yet due.
    Pending,
}

impl MilestoneState {
    pub fn code(self) -> &'static str {
        match self {
            MilestoneState::Met => "met",
            MilestoneState::Missed => "missed",
            MilestoneState::Pending => "pending",
        }
    }

    /// "đạt", "chưa đạt - quá hạn", "đang thực hiện".
    pub fn label(self) -> &'static str {
        match self {
            MilestoneState::Met => "đạt",
            MilestoneState::Missed => "chưa đạt - quá hạn",
            MilestoneState::Pending => "đang thực hiện",
        }
    }

    pub fn english(self) -> &'static str {
        match self {
            MilestoneState::Met => "met",
            MilestoneState::Missed => "missed - overdue",
            MilestoneState::Pending => "in progress",
        }
    }
}

/// The two measures a plan targets, on a day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Measures {
    /// Households that reached agreement.
    pub households: f64,
    /// Area handed over (m²).
    pub area_m2: f64,
}

impl Measures {
    fn of(t: &Tally) -> Measures {
        Measures {
            households: t.reached(Status::Agreed) as f64,
            area_m2: t.handed_over_area_m2,
        }
    }
}

/// A milestone on a day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MilestoneFigures {
    pub milestone: Milestone,
    pub state: MilestoneState,
    /// Days past the due date, for a missed one.
    pub days_overdue: Option<i64>,
}

/// The projected completion ([module docs](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "date", rename_all = "snake_case")]
pub enum Projection {
    /// Every final target already reached.
    Reached,
    /// At the recent rate, the final targets are reached on this day.
    On(NaiveDate),
    /// A measure short of its target did not move in the recent days.
    NoTrend,
}

/// A plan on a day: the area's totals, the actuals, each milestone, the
/// recent rate and the projection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanFigures {
    /// Affected households and area to donate of the area (none: the area
    /// is no longer in the ward).
    pub totals: Option<Measures>,
    pub actual: Measures,
    pub milestones: Vec<MilestoneFigures>,
    /// Per day, over the last [`TREND_DAYS`] days.
    pub rate: Measures,
    pub projection: Projection,
    /// The projection lands after the last due date (none: no trend, or
    /// the plan has no milestone).
    pub late: Option<bool>,
}

impl PlanFigures {
    /// A milestone is missed.
    pub fn overdue(&self) -> bool {
        self.milestones
            .iter()
            .any(|m| m.state == MilestoneState::Missed)
    }
}

/// The read model's tallies of every area on one day, each computed once.
struct DayTallies {
    groups: HashMap<String, Tally>,
    segments: HashMap<String, Tally>,
    cells: HashMap<String, Tally>,
}

impl DayTallies {
    fn of(ward: &Ward, day: NaiveDate) -> DayTallies {
        let groups = ward
            .group_figures(day)
            .into_iter()
            .filter_map(|g| Some((g.name?, g.tally)))
            .collect();
        let segments = ward
            .segment_tallies(day)
            .into_iter()
            .zip(&ward.segments)
            .map(|(t, s)| (s.id.clone(), t))
            .collect();
        let cells = ward
            .cell_figures(day)
            .into_iter()
            .filter_map(|c| Some((ward.cells[c.cell?].code.clone(), c.tally)))
            .collect();
        DayTallies {
            groups,
            segments,
            cells,
        }
    }

    fn get(&self, a: &PlanArea) -> Option<Tally> {
        let m = match a.kind {
            AreaKind::Group => &self.groups,
            AreaKind::Segment => &self.segments,
            AreaKind::Cell => &self.cells,
        };
        m.get(&a.code).copied()
    }
}

/// The read model's tallies of the areas, day by day, each day computed
/// once however many plans ask for it.
pub struct Tallies<'a> {
    ward: &'a Ward,
    days: HashMap<NaiveDate, DayTallies>,
}

impl<'a> Tallies<'a> {
    pub fn new(ward: &'a Ward) -> Tallies<'a> {
        Tallies {
            ward,
            days: HashMap::new(),
        }
    }

    /// The area's tally at the end of `day` (none: no such area, or none of
    /// its parcels affected).
    pub fn of(&mut self, area: &PlanArea, day: NaiveDate) -> Option<Tally> {
        let ward = self.ward;
        self.days
            .entry(day)
            .or_insert_with(|| DayTallies::of(ward, day))
            .get(area)
    }
}

/// The area's name as the ward knows it, or none when there is no such
/// area: a group by name, a segment by id ("Lê Lai (mã S03)"), a cell by
/// code.
pub fn area_name(ward: &Ward, area: &PlanArea) -> Option<String> {
    match area.kind {
        AreaKind::Group => ward.groups.iter().find(|g| **g == area.code).cloned(),
        AreaKind::Segment => ward
            .segments
            .iter()
            .find(|s| s.id == area.code)
            .map(|s| format!("{} (mã {})", s.name, s.id)),
        AreaKind::Cell => ward
            .cells
            .iter()
            .find(|c| c.code == area.code)
            .map(|c| c.name.clone()),
    }
}

/// Every area a plan may be set for, with its totals (affected households,
/// area to donate), groups then segments then cells: the form's choices.
pub fn areas(ward: &Ward) -> Vec<(PlanArea, String, Measures)> {
    let mut tallies = Tallies::new(ward);
    let day = NaiveDate::MAX;
    let mut out = Vec::new();
    let mut push = |kind, code: &str, name: String, t: &mut Tallies| {
        let area = PlanArea {
            kind,
            code: code.to_string(),
        };
        let t = t.of(&area, day).unwrap_or_default();
        let totals = Measures {
            households: t.affected as f64,
            area_m2: t.donated_area_m2,
        };
        out.push((area, name, totals));
    };
    for g in &ward.groups {
        push(AreaKind::Group, g, g.clone(), &mut tallies);
    }
    for s in &ward.segments {
        push(
            AreaKind::Segment,
            &s.id,
            format!("{} (mã {})", s.name, s.id),
            &mut tallies,
        );
    }
    for c in &ward.cells {
        push(AreaKind::Cell, &c.code, c.name.clone(), &mut tallies);
    }
    out
}

/// A reason a draft is refused: the field, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanIssue {
    /// "title", "milestones[2].households"...
    pub field: String,
    pub vi: String,
    pub en: String,
}

impl std::fmt::Display for PlanIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} / {}", self.field, self.vi, self.en)
    }
}

fn issue(field: impl Into<String>, vi: impl Into<String>, en: impl Into<String>) -> PlanIssue {
    PlanIssue {
        field: field.into(),
        vi: vi.into(),
        en: en.into(),
    }
}

/// The area's totals with which targets are checked: affected households
/// and area to donate; none when the ward has no such area.
fn totals_of(ward: &Ward, area: &PlanArea, tallies: &mut Tallies) -> Option<Measures> {
    area_name(ward, area)?;
    let t = tallies.of(area, NaiveDate::MAX).unwrap_or_default();
    Some(Measures {
        households: t.affected as f64,
        area_m2: t.donated_area_m2,
    })
}

/// Checks a draft against the ward and puts its milestones in due-date
/// order; fills `area_name`. Refused: an unknown area; a blank or too long
/// title or note; no milestone or more than [`MAX_MILESTONES`]; a
/// milestone without a target, with a negative or not finite one, with
/// more households than the area has affected or more area than it has to
/// donate; two milestones on one day; a due date outside 2000–2100; a
/// later milestone asking less than an earlier one.
pub fn check(ward: &Ward, draft: &mut PlanDraft) -> Result<(), PlanIssue> {
    check_with(ward, draft, &mut Tallies::new(ward))
}

/// [`check`] with the ward's tallies as they were counted for earlier
/// drafts (checking many drafts counts the ward once, not once a draft).
pub fn check_with(
    ward: &Ward,
    draft: &mut PlanDraft,
    tallies: &mut Tallies,
) -> Result<(), PlanIssue> {
    let Some(name) = area_name(ward, &draft.area) else {
        return Err(issue(
            "area",
            format!(
                "không có {} {:?} trong phường",
                draft.area.kind.label().to_lowercase(),
                draft.area.code
            ),
            format!(
                "no {} {:?} in the ward",
                draft.area.kind.english().to_lowercase(),
                draft.area.code
            ),
        ));
    };
    draft.area_name = name;
    draft.title = draft.title.trim().to_string();
    if draft.title.is_empty() {
        return Err(issue("title", "cần tên kế hoạch", "a title is needed"));
    }
    if draft.title.chars().count() > MAX_TITLE || draft.title.contains(['\n', '\r']) {
        return Err(issue(
            "title",
            format!("tên kế hoạch tối đa {MAX_TITLE} ký tự, trên một dòng"),
            format!("at most {MAX_TITLE} characters, on one line"),
        ));
    }
    draft.note = draft
        .note
        .take()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    if draft
        .note
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NOTE)
    {
        return Err(issue(
            "note",
            format!("ghi chú tối đa {MAX_NOTE} ký tự"),
            format!("at most {MAX_NOTE} characters"),
        ));
    }
    let n = draft.milestones.len();
    if n == 0 || n > MAX_MILESTONES {
        return Err(issue(
            "milestones",
            format!("cần từ 1 đến {MAX_MILESTONES} mốc, không phải {n}"),
            format!("1 to {MAX_MILESTONES} milestones are needed, not {n}"),
        ));
    }
    let totals = totals_of(ward, &draft.area, tallies).unwrap_or_default();
    let first = super::clock::era_start();
    let last = NaiveDate::from_ymd_opt(LAST_YEAR, 12, 31).expect("a real date");
    for (i, m) in draft.milestones.iter().enumerate() {
        let f = |k: &str| format!("milestones[{i}].{k}");
        if m.due < first || m.due > last {
            return Err(issue(
                f("due"),
                format!(
                    "ngày đến hạn phải từ 01/01/2000 đến 31/12/{LAST_YEAR}, không phải {}",
                    super::events::dmy(m.due)
                ),
                format!(
                    "the due date must be between 01/01/2000 and 31/12/{LAST_YEAR}, not {}",
                    m.due
                ),
            ));
        }
        if m.households.is_none() && m.area_m2.is_none() {
            return Err(issue(
                f("households"),
                "mốc cần chỉ tiêu số hộ đồng ý hoặc diện tích bàn giao",
                "a milestone needs a target of households agreed or of area handed over",
            ));
        }
        if let Some(h) = m.households
            && f64::from(h) > totals.households
        {
            return Err(issue(
                f("households"),
                format!(
                    "chỉ tiêu {h} hộ nhiều hơn số hộ ảnh hưởng của địa bàn ({})",
                    totals.households
                ),
                format!(
                    "a target of {h} households is more than the area's {} affected households",
                    totals.households
                ),
            ));
        }
        if let Some(a) = m.area_m2 {
            if !(a.is_finite() && a >= 0.0) {
                return Err(issue(
                    f("area_m2"),
                    format!("diện tích phải là số không âm, không phải {a}"),
                    format!("must be a non-negative number, not {a}"),
                ));
            }
            // the area to donate is measured to the centimetre; a target is
            // typed to the tenth of a square metre
            if a > totals.area_m2 + 0.05 {
                let vi = super::figures::round(totals.area_m2, 1);
                return Err(issue(
                    f("area_m2"),
                    format!("chỉ tiêu {a} m² lớn hơn diện tích cần hiến của địa bàn ({vi} m²)"),
                    format!("a target of {a} m² is more than the area's {vi} m² to donate"),
                ));
            }
        }
    }
    draft.milestones.sort_by_key(|m| m.due);
    for i in 1..n {
        let (a, b) = (&draft.milestones[i - 1], &draft.milestones[i]);
        if a.due == b.due {
            return Err(issue(
                format!("milestones[{i}].due"),
                format!("hai mốc cùng ngày {}", super::events::dmy(b.due)),
                format!("two milestones on {}", b.due),
            ));
        }
        let less = |x: Option<f64>, y: Option<f64>| matches!((x, y), (Some(x), Some(y)) if y < x);
        if less(a.households.map(f64::from), b.households.map(f64::from)) {
            return Err(issue(
                format!("milestones[{i}].households"),
                "mốc sau không được thấp hơn mốc trước",
                "a later milestone cannot ask less than an earlier one",
            ));
        }
        if less(a.area_m2, b.area_m2) {
            return Err(issue(
                format!("milestones[{i}].area_m2"),
                "mốc sau không được thấp hơn mốc trước",
                "a later milestone cannot ask less than an earlier one",
            ));
        }
    }
    Ok(())
}

/// Whether the actuals reach every target of `m`.
fn reaches(actual: Measures, m: &Milestone) -> bool {
    m.households
        .is_none_or(|h| actual.households >= f64::from(h))
        && m.area_m2.is_none_or(|a| actual.area_m2 + 1e-6 >= a)
}

/// `plan` at the end of `day`, from `tallies` (of the ward).
pub fn figures(tallies: &mut Tallies, plan: &Plan, day: NaiveDate) -> PlanFigures {
    let area = &plan.draft.area;
    let now = tallies.of(area, day);
    let totals = now.map(|t| Measures {
        households: t.affected as f64,
        area_m2: t.donated_area_m2,
    });
    let actual = now.as_ref().map(Measures::of).unwrap_or_default();
    let then = day
        .checked_sub_days(chrono::Days::new(TREND_DAYS as u64))
        .and_then(|d| tallies.of(area, d))
        .as_ref()
        .map(Measures::of)
        .unwrap_or_default();
    let rate = Measures {
        households: (actual.households - then.households) / TREND_DAYS as f64,
        area_m2: (actual.area_m2 - then.area_m2) / TREND_DAYS as f64,
    };
    let milestones = plan
        .draft
        .milestones
        .iter()
        .map(|m| {
            // a milestone past due is judged on its due date, as `met`
            // judges it: reaching the target later does not meet it
            let state = if m.due < day {
                let at_due = tallies
                    .of(area, m.due)
                    .as_ref()
                    .map(Measures::of)
                    .unwrap_or_default();
                if reaches(at_due, m) {
                    MilestoneState::Met
                } else {
                    MilestoneState::Missed
                }
            } else if reaches(actual, m) {
                MilestoneState::Met
            } else {
                MilestoneState::Pending
            };
            MilestoneFigures {
                milestone: m.clone(),
                state,
                days_overdue: (state == MilestoneState::Missed).then(|| (day - m.due).num_days()),
            }
        })
        .collect();
    let projection = project(&plan.draft.milestones, actual, rate, day);
    let late = match (projection, plan.draft.milestones.last()) {
        (Projection::On(d), Some(m)) => Some(d > m.due),
        (Projection::Reached, Some(_)) => Some(false),
        _ => None,
    };
    PlanFigures {
        totals,
        actual,
        milestones,
        rate,
        projection,
        late,
    }
}

/// The projection ([module docs](self)) of the final targets of
/// `milestones` from `actual` at `rate` per day on `day`.
fn project(
    milestones: &[Milestone],
    actual: Measures,
    rate: Measures,
    day: NaiveDate,
) -> Projection {
    let target_h = milestones.iter().filter_map(|m| m.households).max();
    let target_a = milestones
        .iter()
        .filter_map(|m| m.area_m2)
        .fold(None, |x: Option<f64>, a| Some(x.map_or(a, |x| x.max(a))));
    let mut latest: Option<NaiveDate> = None;
    let pairs = [
        (target_h.map(f64::from), actual.households, rate.households),
        (target_a, actual.area_m2, rate.area_m2),
    ];
    for (target, now, per_day) in pairs {
        let Some(target) = target else { continue };
        let short = target - now;
        if short <= 1e-6 {
            continue;
        }
        if per_day <= 0.0 {
            return Projection::NoTrend;
        }
        // 30.000000000000004 days is 30: the quotient's rounding error
        let days = (short / per_day - 1e-9).ceil();
        // past the calendar: no trend worth naming
        let Some(d) = (days < 1e6)
            .then(|| day.checked_add_days(chrono::Days::new(days as u64)))
            .flatten()
        else {
            return Projection::NoTrend;
        };
        latest = Some(latest.map_or(d, |l| l.max(d)));
    }
    latest.map_or(Projection::Reached, Projection::On)
}

/// Every active plan on `day`, in the order given.
pub fn all_figures(ward: &Ward, plans: &[Plan], day: NaiveDate) -> Vec<PlanFigures> {
    let mut t = Tallies::new(ward);
    plans.iter().map(|p| figures(&mut t, p, day)).collect()
}

/// An area behind its plan ([`behind`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Behind {
    pub area: PlanArea,
    /// The plan's id.
    pub plan: i64,
    /// Its missed milestones: due date, days overdue.
    pub missed: Vec<(NaiveDate, i64)>,
}

/// The party cells (indices in [`Ward::cells`]) answering for `area`: a
/// cell itself, the cell covering a group, the cells covering a segment's
/// groups (each once, in order).
pub fn cells_answering(ward: &Ward, area: &PlanArea) -> Vec<usize> {
    let cell_of_group = ward.cell_of_group();
    let mut v: Vec<usize> = match area.kind {
        AreaKind::Cell => ward
            .cells
            .iter()
            .position(|c| c.code == area.code)
            .into_iter()
            .collect(),
        AreaKind::Group => cell_of_group
            .get(area.code.as_str())
            .copied()
            .into_iter()
            .collect(),
        AreaKind::Segment => ward
            .segments
            .iter()
            .filter(|s| s.id == area.code)
            .flat_map(|s| s.groups.iter())
            .filter_map(|g| cell_of_group.get(g.as_str()).copied())
            .collect(),
    };
    v.sort_unstable();
    v.dedup();
    v
}

/// Each cell's record against the plans it answers for over `year`
/// ([`met`], [`cells_answering`]): met when every judged plan was met,
/// not met when one was not, `None` when none was judged. In
/// [`Ward::cells`] order.
pub fn cells_met(ward: &Ward, plans: &[Plan], year: i32, today: NaiveDate) -> Vec<Option<bool>> {
    let mut out = vec![None; ward.cells.len()];
    for (area, verdict) in met(ward, plans, year, today) {
        let Some(v) = verdict else { continue };
        for c in cells_answering(ward, &area) {
            out[c] = Some(out[c].unwrap_or(true) && v);
        }
    }
    out
}

/// The areas behind their plans on `day`: each active plan with a missed
/// milestone, with its area, the plan's id and the missed milestones (due
/// date, days overdue). For the inspection committee: where to look.
pub fn behind(ward: &Ward, plans: &[Plan], day: NaiveDate) -> Vec<Behind> {
    let mut t = Tallies::new(ward);
    plans
        .iter()
        .filter(|p| p.status == PlanStatus::Active)
        .filter_map(|p| {
            let f = figures(&mut t, p, day);
            let missed: Vec<(NaiveDate, i64)> = f
                .milestones
                .iter()
                .filter_map(|m| Some((m.milestone.due, m.days_overdue?)))
                .collect();
            (!missed.is_empty()).then(|| Behind {
                area: p.draft.area.clone(),
                plan: p.id,
                missed,
            })
        })
        .collect()
}

/// Each planned area's record in `year`, for the annual evaluation: every
/// milestone of its active plans due in that year and by `today` is judged
/// on its due date (the actuals at the end of that day); `Some(true)` when
/// all were reached on time, `Some(false)` when one was not, `None` when
/// none was due (yet). Areas in plan order, each once.
pub fn met(
    ward: &Ward,
    plans: &[Plan],
    year: i32,
    today: NaiveDate,
) -> Vec<(PlanArea, Option<bool>)> {
    let mut t = Tallies::new(ward);
    let mut out: Vec<(PlanArea, Option<bool>)> = Vec::new();
    for p in plans.iter().filter(|p| p.status == PlanStatus::Active) {
        let area = &p.draft.area;
        let mut verdict: Option<bool> = None;
        for m in &p.draft.milestones {
            if m.due.year() != year || m.due > today {
                continue;
            }
            let at = t
                .of(area, m.due)
                .as_ref()
                .map(Measures::of)
                .unwrap_or_default();
            verdict = Some(verdict.unwrap_or(true) && reaches(at, m));
        }
        match out.iter_mut().find(|(a, _)| a == area) {
            Some((_, v)) => {
                *v = match (*v, verdict) {
                    (Some(a), Some(b)) => Some(a && b),
                    (a, b) => a.or(b),
                }
            }
            None => out.push((area.clone(), verdict)),
        }
    }
    out
}

#[cfg(test)]
#[path = "plans_tests.rs"]
mod tests;
