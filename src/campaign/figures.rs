//! The one read model: every campaign figure — per parcel, road segment,
//! residential group, party cell, party member and the ward, on any date and
//! over any period — is computed here, from the [`Ward`]'s facts. The API's
//! JSON, the page, the reports, the exports and the donation record all take
//! their figures from these functions; nothing else tallies. Pure: no I/O.
//!
//! The words (README, "Glossary"), each with one definition:
//! - *affected* parcel: one with land inside at least one segment's corridor;
//! - *area to donate* (`donated_area_m2`): the affected land, attributed to
//!   segments (a parcel's land inside two corridors counts once);
//! - *area handed over*: the area to donate of the parcels handed over;
//! - *households at step X* ([`Tally::at`]): standing at X on the day;
//! - *households that reached X* ([`Tally::reached`]): at X or a later step
//!   of the agreed → signed → handed over line;
//! - *progress by area*: area handed over ÷ area to donate; *by households*:
//!   households handed over ÷ affected households;
//! - *structures donated*: structures marked as donated on a parcel whose
//!   household has reached agreement on the day (replayed like statuses: a
//!   withdrawal takes them back out).
//!
//! Who answers for each area (committee members in charge, party cells,
//! assigned members) and how long it has stood still are the same model's,
//! in [`super::responsibility`] (over 800 lines here together).

use super::FeatureId;
use super::events::{PublicStatus, Status, Timeline};
use super::responsibility::Stillness;
use super::structures::{StructureLine, StructureTally};
use chrono::NaiveDate;
use std::collections::HashMap;

/// One parcel, as the figures need it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParcelFacts {
    /// The store's row id (answers join geometry to figures by it).
    pub key: i64,
    pub id: FeatureId,
    pub map_sheet: Option<String>,
    pub parcel_no: Option<String>,
    pub group: Option<String>,
    pub head: Option<String>,
    pub address: Option<String>,
    /// A household of a cadre or party member, flagged or a member's own.
    pub member_family: bool,
    pub may_be_named: bool,
    /// (segment index, attributed area) for each segment it donates to.
    pub donations: Vec<(usize, f64)>,
    /// Status changes that count, in effect order.
    pub timeline: Timeline,
    /// The structures on its land as recorded, day by day: how many, of
    /// which kinds, how many marked as donated and their value (counted as
    /// donated on a day only once the household has reached agreement).
    pub structures: StructureLine,
    /// (member index, from, to exclusive).
    pub assignments: Vec<(usize, NaiveDate, Option<NaiveDate>)>,
    /// Dates of logged persuasion visits.
    pub contacts: Vec<NaiveDate>,
}

impl ParcelFacts {
    pub fn status_on(&self, day: NaiveDate) -> Status {
        self.timeline.status_on(day)
    }

    /// Its structures as they stood at the end of `day` (those marked
    /// donated, whatever the household's status).
    pub fn structures_on(&self, day: NaiveDate) -> StructureTally {
        self.structures.on(day)
    }

    /// Affected: donates to at least one segment.
    pub fn affected(&self) -> bool {
        !self.donations.is_empty()
    }

    /// Its area to donate over all segments.
    pub fn area(&self) -> f64 {
        self.donations.iter().map(|d| d.1).sum()
    }

    /// The party member assigned to it on `day`.
    pub fn member_on(&self, day: NaiveDate) -> Option<usize> {
        self.assignments
            .iter()
            .find(|(_, f, t)| *f <= day && t.is_none_or(|t| day < t))
            .map(|a| a.0)
    }

    /// The last day on or before `day` the parcel stepped forward (agreed,
    /// signed, handed over).
    pub fn last_step(&self, day: NaiveDate) -> Option<NaiveDate> {
        self.timeline
            .0
            .iter()
            .filter(|(d, s)| *d <= day && s.reached_agreement())
            .map(|(d, _)| *d)
            .next_back()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SegmentFacts {
    /// The store's row id.
    pub key: i64,
    /// The id the files gave it: several segments of one road share a name.
    pub id: String,
    pub name: String,
    /// The residential groups it runs through (those of the parcels
    /// donating to it), "Tổ 2" before "Tổ 10".
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CellFacts {
    pub code: String,
    pub name: String,
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MemberFacts {
    pub code: String,
    pub name: String,
    /// Index in [`Ward::cells`].
    pub cell: usize,
    /// Index in [`Ward::parcels`] of the member's own household's parcel,
    /// when it is in the ward (the household expected to go first).
    pub household: Option<usize>,
}

/// A committee member in charge of a group (by name) or a segment (index).
#[derive(Debug, Clone, PartialEq)]
pub enum LeadOf {
    Group(String),
    Segment(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct LeadFacts {
    pub name: String,
    pub title: Option<String>,
    pub of: LeadOf,
}

/// Everything the figures are computed from: the ward as recorded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ward {
    /// "Ngọc Sơn".
    pub name: String,
    pub demo: bool,
    /// Every parcel, affected or not, by row id.
    pub parcels: Vec<ParcelFacts>,
    /// Every segment, by row id.
    pub segments: Vec<SegmentFacts>,
    /// Every residential group's name (also those with no parcel).
    pub groups: Vec<String>,
    pub cells: Vec<CellFacts>,
    pub members: Vec<MemberFacts>,
    pub leads: Vec<LeadFacts>,
    /// Who answers for each area, looked up by name instead of searched
    /// for (built from `cells` and `leads` on first use: set those first).
    pub lookups: Lookups,
}

/// The party cell of each group and the committee members in charge of
/// each area, as indexes into [`Ward::cells`] and [`Ward::leads`]: a
/// segment table asks them for each of thousands of segments.
#[derive(Debug, Clone, Default)]
pub struct Lookups(std::sync::OnceLock<LookupIndex>);

/// Derived from the facts: equal whenever the facts are.
impl PartialEq for Lookups {
    fn eq(&self, _: &Lookups) -> bool {
        true
    }
}

#[derive(Debug, Clone, Default)]
pub struct LookupIndex {
    /// How many cells and leads it was built from: a ward whose lists
    /// changed since is searched instead (tests build a ward, then add).
    made_of: (usize, usize),
    /// Group name → the first cell that names it.
    pub cell_of_group: HashMap<String, usize>,
    /// Group name → its leads, in [`Ward::leads`] order.
    pub leads_of_group: HashMap<String, Vec<usize>>,
    /// Segment index → its leads, in [`Ward::leads`] order.
    pub leads_of_segment: HashMap<usize, Vec<usize>>,
}

impl Ward {
    /// The lookups of [`Ward::lookups`], built on first use (none: the
    /// cells or leads changed since).
    pub fn lookup(&self) -> Option<&LookupIndex> {
        let made_of = (self.cells.len(), self.leads.len());
        let x = self.lookups.0.get_or_init(|| {
            let mut x = LookupIndex {
                made_of,
                ..LookupIndex::default()
            };
            for (i, c) in self.cells.iter().enumerate() {
                for g in &c.groups {
                    x.cell_of_group.entry(g.clone()).or_insert(i);
                }
            }
            for (i, l) in self.leads.iter().enumerate() {
                match &l.of {
                    LeadOf::Group(g) => x.leads_of_group.entry(g.clone()).or_default().push(i),
                    LeadOf::Segment(s) => x.leads_of_segment.entry(*s).or_default().push(i),
                }
            }
            x
        });
        (x.made_of == made_of).then_some(x)
    }
}

/// The figures of a set of affected parcels on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    /// Affected households (parcels).
    pub affected: usize,
    /// Area to donate (m²).
    pub donated_area_m2: f64,
    /// Area handed over (m²).
    pub handed_over_area_m2: f64,
    /// Households at each step, in [`Status::ALL`] order.
    pub at_step: [usize; 6],
    /// The structures on the affected land; `donated` and its value count
    /// those of households that have reached agreement on the day.
    pub structures: StructureTally,
}

impl Tally {
    /// Counts `p` (with `area` of it) as it stood on `day`.
    pub fn add(&mut self, p: &ParcelFacts, area: f64, day: NaiveDate) {
        self.add_as(area, p.status_on(day), &p.structures_on(day));
    }

    /// Counts a parcel with `area` standing at `s` with structures `st`.
    fn add_as(&mut self, area: f64, s: Status, st: &StructureTally) {
        self.affected += 1;
        self.donated_area_m2 += area;
        self.at_step[s.index()] += 1;
        if s == Status::HandedOver {
            self.handed_over_area_m2 += area;
        }
        self.count_structures(st, s, true);
    }

    /// Adds (or takes back out) the structures `st` of a parcel at `s`.
    fn count_structures(&mut self, st: &StructureTally, s: Status, add: bool) {
        let t = &mut self.structures;
        let op = |x: &mut usize, n: usize| {
            if add {
                *x += n;
            } else {
                *x -= n;
            }
        };
        op(&mut t.structures, st.structures);
        for (n, k) in t.by_kind.iter_mut().zip(st.by_kind) {
            op(n, k);
        }
        if s.reached_agreement() {
            op(&mut t.donated, st.donated);
            if add {
                t.donated_value_vnd = t.donated_value_vnd.saturating_add(st.donated_value_vnd);
            } else {
                t.donated_value_vnd -= st.donated_value_vnd;
            }
        }
    }

    /// A parcel counted with `area` as `from` (status and structures) now
    /// stands as `to`.
    fn moved(&mut self, area: f64, from: (Status, &StructureTally), to: (Status, &StructureTally)) {
        self.count_structures(from.1, from.0, false);
        self.count_structures(to.1, to.0, true);
        let (from, to) = (from.0, to.0);
        if from == Status::HandedOver {
            self.handed_over_area_m2 -= area;
        }
        if to == Status::HandedOver {
            self.handed_over_area_m2 += area;
        }
        self.at_step[from.index()] -= 1;
        self.at_step[to.index()] += 1;
    }

    /// Households at step `s` on the day.
    pub fn at(&self, s: Status) -> usize {
        self.at_step[s.index()]
    }

    /// Households at public step `p` on the day (README, "the public sees
    /// aggregates, never who declined"): not yet = not contacted, being
    /// persuaded and declined together.
    pub fn public_at(&self, p: PublicStatus) -> usize {
        p.statuses().map(|s| self.at(s)).sum()
    }

    /// Households that reached `s`: at `s` or a later step of the line
    /// agreed → signed → handed over (for the other steps: at `s`).
    pub fn reached(&self, s: Status) -> usize {
        Status::ALL
            .iter()
            .filter(|x| **x == s || (s.reached_agreement() && **x > s))
            .map(|x| self.at(*x))
            .sum()
    }

    /// Area handed over ÷ area to donate (none when nothing is to donate).
    pub fn progress_by_area(&self) -> Option<f64> {
        (self.donated_area_m2 > 0.0).then(|| self.handed_over_area_m2 / self.donated_area_m2)
    }

    /// [`Tally::progress_by_area`] in percent, 2 decimals, 0 when nothing is
    /// to donate (the map's colour and the API's `progress_pct`).
    pub fn progress_pct(&self) -> f64 {
        self.progress_by_area()
            .map_or(0.0, |f| round(100.0 * f, 2) + 0.0)
    }

    /// Households handed over ÷ affected households.
    pub fn progress_by_households(&self) -> Option<f64> {
        (self.affected > 0).then(|| self.at(Status::HandedOver) as f64 / self.affected as f64)
    }

    /// Every affected parcel handed over (and at least one affected).
    pub fn complete(&self) -> bool {
        self.affected > 0 && self.at(Status::HandedOver) == self.affected
    }
}

/// `x` rounded to `digits` decimals.
pub fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// Steps (day, parcel index, its previous day) in day order, each day's in
/// the order given: counted into one slot per day (a campaign's days are a
/// few hundred, its steps millions), or sorted when the days are too spread.
fn by_day(
    steps: Vec<(NaiveDate, u32, Option<NaiveDate>)>,
) -> Vec<(NaiveDate, u32, Option<NaiveDate>)> {
    use chrono::Datelike;
    let day = |s: &(NaiveDate, u32, Option<NaiveDate>)| s.0.num_days_from_ce();
    let (Some(lo), Some(hi)) = (steps.iter().map(day).min(), steps.iter().map(day).max()) else {
        return steps;
    };
    let span = (hi - lo) as usize + 1;
    if span > steps.len() + 4096 {
        let mut steps = steps;
        steps.sort_by_key(|s| s.0);
        return steps;
    }
    // where each day's steps begin
    let mut start = vec![0usize; span + 1];
    for s in &steps {
        start[(day(s) - lo) as usize + 1] += 1;
    }
    for i in 1..=span {
        start[i] += start[i - 1];
    }
    let mut out = vec![(NaiveDate::MIN, 0, None); steps.len()];
    for s in steps {
        let slot = &mut start[(day(&s) - lo) as usize];
        out[*slot] = s;
        *slot += 1;
    }
    out
}

/// A residential group's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupFigures {
    /// `None`: the parcels that belong to no group.
    pub name: Option<String>,
    /// All its parcels, affected or not.
    pub parcels: usize,
    /// Its affected parcels, each with its whole area to donate.
    pub tally: Tally,
}

impl Ward {
    /// The parcel with this row id ([`Ward::parcels`] are in row id order).
    pub fn parcel(&self, key: i64) -> Option<&ParcelFacts> {
        let i = self.parcels.binary_search_by_key(&key, |p| p.key).ok()?;
        Some(&self.parcels[i])
    }

    /// [`Ward::parcel`], to change.
    pub fn parcel_mut(&mut self, key: i64) -> Option<&mut ParcelFacts> {
        let i = self.parcels.binary_search_by_key(&key, |p| p.key).ok()?;
        Some(&mut self.parcels[i])
    }

    /// Per segment (in [`Ward::segments`] order): the parcels donating to it,
    /// each with the area attributed to that segment, on `day`.
    pub fn segment_tallies(&self, day: NaiveDate) -> Vec<Tally> {
        let mut out = vec![Tally::default(); self.segments.len()];
        for p in &self.parcels {
            if p.donations.is_empty() {
                continue;
            }
            let s = p.status_on(day);
            let st = p.structures_on(day);
            for &(i, a) in &p.donations {
                out[i].add_as(a, s, &st);
            }
        }
        out
    }

    /// Per residential group (every group of [`Ward::groups`], in that
    /// order, then the parcels without one when there are any): its parcels
    /// and the tally of those affected, each counted once with its whole
    /// area, on `day`.
    pub fn group_figures(&self, day: NaiveDate) -> Vec<GroupFigures> {
        let index: HashMap<&str, usize> = self
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| (g.as_str(), i))
            .collect();
        let mut out: Vec<GroupFigures> = self
            .groups
            .iter()
            .map(|g| GroupFigures {
                name: Some(g.clone()),
                parcels: 0,
                tally: Tally::default(),
            })
            .collect();
        let mut none = GroupFigures {
            name: None,
            parcels: 0,
            tally: Tally::default(),
        };
        for p in &self.parcels {
            let g = match p.group.as_deref().and_then(|g| index.get(g)) {
                Some(&i) => &mut out[i],
                None => &mut none,
            };
            g.parcels += 1;
            if p.affected() {
                g.tally.add(p, p.area(), day);
            }
        }
        if none.parcels > 0 {
            out.push(none);
        }
        out
    }

    /// The whole ward on `day`: every affected parcel once, with its whole
    /// area (a parcel on two segments is one household).
    pub fn ward_tally(&self, day: NaiveDate) -> Tally {
        let mut t = Tally::default();
        for p in self.parcels.iter().filter(|p| p.affected()) {
            t.add(p, p.area(), day);
        }
        t
    }

    /// The ward's figures on each date on which some status changed, up to
    /// `until`: the progress chart.
    pub fn series(&self, until: NaiveDate) -> Vec<(NaiveDate, Tally)> {
        // Every affected parcel starts not contacted; each step of a timeline
        // moves it from one status to the next, so one pass over the steps in
        // date order gives every point.
        // (Its structures start as they stood before any dated change and
        // move on the days their changes took effect.)
        // A step is kept small (the day, the parcel, its previous day):
        // a million parcels make millions of steps, and each one's states
        // are looked up again when it is applied.
        let mut t = Tally::default();
        let mut steps: Vec<(NaiveDate, u32, Option<NaiveDate>)> = Vec::new();
        let mut days: Vec<NaiveDate> = Vec::new();
        for (i, p) in self.parcels.iter().enumerate() {
            if !p.affected() {
                continue;
            }
            t.add_as(p.area(), Status::NotContacted, &p.structures.base());
            days.clear();
            days.extend(
                p.timeline
                    .0
                    .iter()
                    .map(|s| s.0)
                    .take_while(|d| *d <= until)
                    .chain(p.structures.dates_until(until)),
            );
            days.sort();
            days.dedup();
            let mut prev = None;
            for &d in &days {
                steps.push((d, i as u32, prev));
                prev = Some(d);
            }
        }
        let steps = by_day(steps);
        let mut out: Vec<(NaiveDate, Tally)> = Vec::new();
        for (k, &(d, i, prev)) in steps.iter().enumerate() {
            let p = &self.parcels[i as usize];
            let from = match prev {
                Some(e) => (p.status_on(e), p.structures_on(e)),
                None => (Status::NotContacted, p.structures.base()),
            };
            let to = (p.status_on(d), p.structures_on(d));
            t.moved(p.area(), (from.0, &from.1), (to.0, &to.1));
            if steps.get(k + 1).is_none_or(|n| n.0 != d) {
                out.push((d, t));
            }
        }
        out
    }

    /// [`Ward::series`] as the public may read it: only the dates on which
    /// a public figure moved. A visit, a refusal or a return to persuasion
    /// changes nothing the public sees, so its date is no point of the
    /// chart (a point would say that something private happened that day).
    pub fn public_series(&self, until: NaiveDate) -> Vec<(NaiveDate, Tally)> {
        let public = |t: &Tally| PublicStatus::ALL.map(|p| t.public_at(p));
        let affected = self.parcels.iter().filter(|p| p.affected()).count();
        let mut shown = [affected, 0, 0, 0];
        let mut out = self.series(until);
        out.retain(|(_, t)| {
            let now = public(t);
            let moved = now != shown;
            shown = now;
            moved
        });
        out
    }

    /// The party cell covering each residential group (the first that names it).
    pub fn cell_of_group(&self) -> HashMap<&str, usize> {
        let mut m = HashMap::new();
        for (i, c) in self.cells.iter().enumerate() {
            for g in &c.groups {
                m.entry(g.as_str()).or_insert(i);
            }
        }
        m
    }

    /// The groups that have parcels, "Tổ dân phố 2" before "Tổ dân phố 10".
    pub fn groups_in_use(&self) -> Vec<String> {
        // distinct first: a ward has a hundred groups, a hundred thousand parcels
        let distinct: std::collections::HashSet<&str> = self
            .parcels
            .iter()
            .filter_map(|p| p.group.as_deref())
            .collect();
        let mut g: Vec<String> = distinct.into_iter().map(str::to_string).collect();
        g.sort_by(|a, b| super::natural_cmp(a, b));
        g
    }
}

/// A party cell's figures (or, with `cell: None`, those of the groups no
/// cell covers).
#[derive(Debug, Clone, PartialEq)]
pub struct CellFigures {
    /// Index in [`Ward::cells`].
    pub cell: Option<usize>,
    pub members: usize,
    /// The affected parcels of its groups, each with its whole area.
    pub tally: Tally,
    /// "Đảng viên đi trước": affected households of members and cadres, and
    /// how many of them reached agreement and signing.
    pub member_families: usize,
    pub member_families_agreed: usize,
    pub member_families_donated: usize,
}

/// A party member's results on a day.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MemberFigures {
    /// Households assigned to the member on the day.
    pub assigned: usize,
    /// Of them: visited at least once, or past "not contacted".
    pub contacted: usize,
    /// Of them: households that reached agreement, signing, hand-over; at
    /// "declined".
    pub agreed: usize,
    pub signed: usize,
    pub handed_over: usize,
    pub declined: usize,
    /// Visits logged in the period (after `before`, up to the day).
    pub period_contacts: usize,
}

impl MemberFigures {
    /// Counts `p`, assigned to the member on `day`, as it stood then;
    /// `before` (the day before a period) counts the period's visits.
    pub fn count(&mut self, p: &ParcelFacts, day: NaiveDate, before: Option<NaiveDate>) {
        let s = p.status_on(day);
        self.assigned += 1;
        if s != Status::NotContacted || p.contacts.iter().any(|c| *c <= day) {
            self.contacted += 1;
        }
        self.agreed += usize::from(s.reached_agreement());
        self.signed += usize::from(matches!(s, Status::Signed | Status::HandedOver));
        self.handed_over += usize::from(s == Status::HandedOver);
        self.declined += usize::from(s == Status::Declined);
        if let Some(b) = before {
            self.period_contacts += p.contacts.iter().filter(|c| **c > b && **c <= day).count();
        }
    }

    /// Adds another member's figures (the totals row).
    pub fn add(&mut self, x: &MemberFigures) {
        self.assigned += x.assigned;
        self.contacted += x.contacted;
        self.agreed += x.agreed;
        self.signed += x.signed;
        self.handed_over += x.handed_over;
        self.declined += x.declined;
        self.period_contacts += x.period_contacts;
    }
}

/// An area that lags: not complete, and no step forward for a while.
#[derive(Debug, Clone, PartialEq)]
pub struct Lagging {
    pub area: LeadOf,
    pub tally: Tally,
    /// The last day a household of it agreed, signed or handed over.
    pub last_step: Option<NaiveDate>,
    /// Days since then (none: never).
    pub idle_days: Option<i64>,
}

/// Who the commendation list names.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Listed when the household donated at least this area...
    pub min_area_m2: f64,
    /// ...or structures worth at least this much (0: no such rule).
    pub min_value_vnd: i64,
    /// A public list names only households that agreed to be named.
    pub public: bool,
}

impl Ward {
    /// Per party cell (in [`Ward::cells`] order, then the groups no cell
    /// covers when they have affected parcels), on `day`; cells without
    /// affected parcels are left out.
    pub fn cell_figures(&self, day: NaiveDate) -> Vec<CellFigures> {
        let cells = self.cell_of_group();
        let n = self.cells.len();
        let mut out: Vec<CellFigures> = (0..=n)
            .map(|i| CellFigures {
                cell: (i < n).then_some(i),
                members: self.members.iter().filter(|m| m.cell == i).count(),
                tally: Tally::default(),
                member_families: 0,
                member_families_agreed: 0,
                member_families_donated: 0,
            })
            .collect();
        for p in self.parcels.iter().filter(|p| p.affected()) {
            let i = p
                .group
                .as_deref()
                .and_then(|g| cells.get(g))
                .copied()
                .unwrap_or(n);
            let c = &mut out[i];
            let s = p.status_on(day);
            c.tally.add_as(p.area(), s, &p.structures_on(day));
            if p.member_family {
                c.member_families += 1;
                c.member_families_agreed += usize::from(s.reached_agreement());
                c.member_families_donated +=
                    usize::from(matches!(s, Status::Signed | Status::HandedOver));
            }
        }
        out.retain(|c| c.tally.affected > 0);
        out
    }

    /// Per party member (in [`Ward::members`] order): the households
    /// assigned on `day` and where they stand; `before` (the day before a
    /// period) counts the period's visits.
    pub fn member_figures(&self, day: NaiveDate, before: Option<NaiveDate>) -> Vec<MemberFigures> {
        let mut per = vec![MemberFigures::default(); self.members.len()];
        for p in &self.parcels {
            let Some(m) = p.member_on(day) else { continue };
            per[m].count(p, day, before);
        }
        per
    }

    /// The groups, then the segments, not complete on `day` whose last step
    /// forward is `lag_days` or more before it (or that never moved);
    /// longest idle first, those that never moved at the top.
    pub fn lagging(&self, day: NaiveDate, lag_days: u32) -> Vec<Lagging> {
        let mut areas: Vec<(LeadOf, Vec<&ParcelFacts>)> = Vec::new();
        let mut by_group: HashMap<&str, Vec<&ParcelFacts>> = HashMap::new();
        let mut by_segment: Vec<Vec<&ParcelFacts>> = vec![Vec::new(); self.segments.len()];
        for p in self.parcels.iter().filter(|p| p.affected()) {
            if let Some(g) = &p.group {
                by_group.entry(g).or_default().push(p);
            }
            for &(si, _) in &p.donations {
                by_segment[si].push(p);
            }
        }
        for g in self.groups_in_use() {
            if let Some(list) = by_group.remove(g.as_str()) {
                areas.push((LeadOf::Group(g), list));
            }
        }
        for (i, list) in by_segment.into_iter().enumerate() {
            if !list.is_empty() {
                areas.push((LeadOf::Segment(i), list));
            }
        }
        let mut out = Vec::new();
        for (area, list) in areas {
            let mut tally = Tally::default();
            for p in &list {
                let a = match &area {
                    LeadOf::Group(_) => p.area(),
                    LeadOf::Segment(i) => {
                        p.donations.iter().filter(|d| d.0 == *i).map(|d| d.1).sum()
                    }
                };
                tally.add(p, a, day);
            }
            if tally.at(Status::HandedOver) == tally.affected {
                continue;
            }
            let Stillness {
                last_step,
                idle_days,
            } = Stillness::of(list.iter().copied(), day);
            if idle_days.is_some_and(|n| n < i64::from(lag_days)) {
                continue;
            }
            out.push(Lagging {
                area,
                tally,
                last_step,
                idle_days,
            });
        }
        out.sort_by_key(|l| std::cmp::Reverse(l.idle_days.unwrap_or(i64::MAX)));
        out
    }

    /// The households to commend on `day`: signed or handed over, above
    /// either threshold; largest area first. (parcel index, its area to
    /// donate, its status.)
    pub fn commendation(&self, day: NaiveDate, t: &Thresholds) -> Vec<(usize, f64, Status)> {
        let mut list: Vec<(usize, f64, Status)> = self
            .parcels
            .iter()
            .enumerate()
            .filter(|(_, p)| p.affected() && (!t.public || p.may_be_named))
            .filter_map(|(i, p)| {
                let st = p.status_on(day);
                matches!(st, Status::Signed | Status::HandedOver).then(|| (i, p.area(), st))
            })
            .filter(|&(i, a, _)| {
                a >= t.min_area_m2
                    || (t.min_value_vnd > 0
                        && self.parcels[i].structures_on(day).donated_value_vnd >= t.min_value_vnd)
            })
            .collect();
        let value = |i: usize| self.parcels[i].structures_on(day).donated_value_vnd;
        list.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then_with(|| value(b.0).cmp(&value(a.0)))
                .then_with(|| self.parcels[a.0].id.cmp(&self.parcels[b.0].id))
        });
        list
    }
}

/// The ward's facts with its latest figures (every event counted) kept up
/// to date event by event: a new event moves its parcel's household from
/// its old step to its new one in the tallies it counts in, instead of
/// every parcel being counted again. Figures on a given date are computed
/// afresh.
#[derive(Debug, Clone, PartialEq)]
pub struct Kept {
    ward: Ward,
    segments: Vec<Tally>,
    groups: Vec<GroupFigures>,
}

impl Kept {
    pub fn new(ward: Ward) -> Kept {
        Kept {
            segments: ward.segment_tallies(NaiveDate::MAX),
            groups: ward.group_figures(NaiveDate::MAX),
            ward,
        }
    }

    pub fn ward(&self) -> &Ward {
        &self.ward
    }

    /// [`Ward::segment_tallies`].
    pub fn segment_tallies(&self, day: NaiveDate) -> Vec<Tally> {
        if day == NaiveDate::MAX {
            self.segments.clone()
        } else {
            self.ward.segment_tallies(day)
        }
    }

    /// [`Ward::group_figures`].
    pub fn group_figures(&self, day: NaiveDate) -> Vec<GroupFigures> {
        if day == NaiveDate::MAX {
            self.groups.clone()
        } else {
            self.ward.group_figures(day)
        }
    }

    /// The parcel with row id `key` now has `line` (events were recorded).
    pub fn set_timeline(&mut self, key: i64, line: Timeline) {
        let Ok(i) = self.ward.parcels.binary_search_by_key(&key, |p| p.key) else {
            return;
        };
        let p = &mut self.ward.parcels[i];
        let from = p.status_on(NaiveDate::MAX);
        p.timeline = line;
        let to = p.status_on(NaiveDate::MAX);
        if from == to || !p.affected() {
            return;
        }
        let p = &self.ward.parcels[i];
        let st = p.structures_on(NaiveDate::MAX);
        for &(si, a) in &p.donations {
            self.segments[si].moved(a, (from, &st), (to, &st));
        }
        if let Some(g) = self.groups.iter_mut().find(|g| g.name == p.group) {
            g.tally.moved(p.area(), (from, &st), (to, &st));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::structures::StructureKind;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn parcel(
        key: i64,
        group: &str,
        donations: Vec<(usize, f64)>,
        line: Vec<(u32, Status)>,
    ) -> ParcelFacts {
        let mut structures = StructureTally::default();
        // a wall marked as donated, worth 1,000,000 đồng, and a tree kept
        structures.add(StructureKind::Wall, 1, 1, 1_000_000);
        structures.add(StructureKind::Tree, 1, 0, 0);
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
            donations,
            timeline: Timeline(line.into_iter().map(|(d, s)| (day(d), s)).collect()),
            structures: StructureLine::flat(structures),
            assignments: Vec::new(),
            contacts: Vec::new(),
        }
    }

    fn ward() -> Ward {
        use Status::*;
        let seg = |key: i64| SegmentFacts {
            key,
            id: key.to_string(),
            name: format!("Đường {key}"),
            groups: Vec::new(),
        };
        Ward {
            name: "Thử".into(),
            segments: vec![seg(1), seg(2)],
            groups: vec!["Tổ 1".into(), "Tổ 2".into(), "Tổ 3".into()],
            parcels: vec![
                parcel(
                    1,
                    "Tổ 1",
                    vec![(0, 10.0)],
                    vec![(2, Persuading), (5, Agreed), (9, Signed), (12, HandedOver)],
                ),
                // a corner parcel on both segments; agreed, then withdrew
                parcel(
                    2,
                    "Tổ 1",
                    vec![(0, 4.0), (1, 6.0)],
                    vec![(3, Agreed), (8, Declined)],
                ),
                parcel(3, "Tổ 2", vec![(1, 30.0)], vec![(4, Persuading)]),
                // not affected: never tallied, though counted among its group's parcels
                parcel(4, "Tổ 2", vec![], vec![(4, Agreed)]),
            ],
            ..Ward::default()
        }
    }

    #[test]
    fn households_at_a_step_and_households_that_reached_it_differ_by_the_later_steps() {
        let t = ward().ward_tally(day(10));
        assert_eq!(t.affected, 3);
        assert_eq!(t.at(Status::Agreed), 0);
        assert_eq!(t.at(Status::Signed), 1);
        assert_eq!(t.reached(Status::Agreed), 1);
        assert_eq!(t.reached(Status::Signed), 1);
        assert_eq!(t.reached(Status::HandedOver), 0);
        assert_eq!(t.reached(Status::Declined), 1);
        let t = ward().ward_tally(day(6));
        assert_eq!((t.at(Status::Agreed), t.reached(Status::Agreed)), (2, 2));
    }

    #[test]
    fn the_public_count_of_not_yet_joins_the_three_private_steps() {
        // day 9: parcel 1 signed, parcel 2 declined, parcel 3 persuading
        let t = ward().ward_tally(day(9));
        assert_eq!((t.at(Status::Declined), t.at(Status::Persuading)), (1, 1));
        assert_eq!(t.public_at(PublicStatus::NotYet), 2);
        assert_eq!(t.public_at(PublicStatus::Signed), 1);
        let sum: usize = PublicStatus::ALL.iter().map(|p| t.public_at(*p)).sum();
        assert_eq!(sum, t.affected);
    }

    #[test]
    fn the_public_series_leaves_out_the_days_only_private_steps_moved() {
        let w = ward();
        let days = |s: Vec<(NaiveDate, Tally)>| {
            s.into_iter()
                .map(|p| chrono::Datelike::day(&p.0))
                .collect::<Vec<_>>()
        };
        // day 2: persuading; 3: agreed; 4: persuading; 5: agreed; 8: declined
        // (the public sees "agreed" become "not yet"); 9: signed; 12: handed over
        assert_eq!(days(w.series(day(30))), [2, 3, 4, 5, 8, 9, 12]);
        assert_eq!(days(w.public_series(day(30))), [3, 5, 8, 9, 12]);
        for (d, t) in w.public_series(day(30)) {
            assert_eq!(t, w.ward_tally(d));
        }
    }

    #[test]
    fn structures_count_as_donated_only_while_the_household_stands_at_agreement_or_later() {
        let w = ward();
        // day 2: nobody agreed; day 6: parcels 1 and 2; day 10: parcel 2 withdrew
        let donated = |d| w.ward_tally(day(d)).structures.donated;
        assert_eq!([donated(2), donated(6), donated(10)], [0, 2, 1]);
        let t = w.ward_tally(day(6));
        assert_eq!(t.structures.donated_value_vnd, 2_000_000);
        assert_eq!(
            t.structures.structures, 6,
            "every structure on affected land"
        );
        let groups = w.group_figures(day(6));
        assert_eq!(groups[1].tally.structures.donated, 0, "Tổ 2: nobody agreed");
        assert_eq!(groups[1].parcels, 2);
        assert_eq!(groups[2].parcels, 0);
    }

    #[test]
    fn a_parcel_on_two_segments_counts_in_both_rows_and_once_in_the_ward() {
        let w = ward();
        let s = w.segment_tallies(day(13));
        assert_eq!((s[0].affected, s[1].affected), (2, 2));
        assert_eq!(s[0].donated_area_m2, 14.0);
        assert_eq!(s[0].progress_pct(), round(100.0 * 10.0 / 14.0, 2));
        let t = w.ward_tally(day(13));
        assert_eq!(
            (t.affected, t.donated_area_m2, t.handed_over_area_m2),
            (3, 50.0, 10.0)
        );
        assert!(!t.complete());
        assert_eq!(t.progress_by_households(), Some(1.0 / 3.0));
    }

    #[test]
    fn figures_kept_event_by_event_equal_figures_counted_afresh() {
        use Status::*;
        let mut w = ward();
        let mut kept = Kept::new(w.clone());
        let day = |d| {
            (
                NaiveDate::from_ymd_opt(2026, 12, d).unwrap(),
                Status::ALL[0],
            )
        };
        for (key, steps) in [
            (1, vec![(day(1).0, Declined)]),
            (2, vec![(day(2).0, Agreed), (day(3).0, Signed)]),
            (3, vec![(day(1).0, HandedOver)]),
            (4, vec![(day(1).0, Agreed)]),
            (2, vec![]),
        ] {
            let mut line = w.parcel(key).unwrap().timeline.clone();
            line.0.extend(steps);
            w.parcel_mut(key).unwrap().timeline = line.clone();
            kept.set_timeline(key, line);
            assert_eq!(
                kept.segment_tallies(NaiveDate::MAX),
                w.segment_tallies(NaiveDate::MAX)
            );
            assert_eq!(
                kept.group_figures(NaiveDate::MAX),
                w.group_figures(NaiveDate::MAX)
            );
        }
        assert_eq!(kept.ward(), &w);
    }

    #[test]
    fn steps_come_in_day_order_each_day_in_the_order_given_however_spread_the_days() {
        let d = |y: i32, m: u32, dd: u32| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let steps = vec![
            (d(2026, 11, 3), 0, None),
            (d(2026, 11, 1), 1, None),
            (d(2026, 11, 3), 2, Some(d(2026, 11, 1))),
            (d(2026, 11, 2), 3, None),
            (d(2026, 11, 1), 4, None),
        ];
        let order = |s: Vec<(NaiveDate, u32, Option<NaiveDate>)>| {
            s.into_iter().map(|x| x.1).collect::<Vec<_>>()
        };
        assert_eq!(order(by_day(steps.clone())), [1, 4, 3, 0, 2]);
        // days centuries apart: sorted instead of counted, the same order
        let mut spread = steps;
        spread[3].0 = d(1900, 1, 1);
        assert_eq!(order(by_day(spread)), [3, 1, 4, 0, 2]);
        assert!(by_day(Vec::new()).is_empty());
    }

    #[test]
    fn the_series_agrees_with_tallying_the_ward_on_every_date() {
        let w = ward();
        let s = w.series(day(30));
        assert_eq!(s.len(), 7);
        for (d, t) in &s {
            assert_eq!(*t, w.ward_tally(*d), "{d}");
        }
        assert!(w.series(day(1)).is_empty());
    }

    #[test]
    fn a_wall_marked_donated_counts_from_the_day_it_was_marked_and_the_series_follows() {
        use crate::campaign::structures::{
            ChangeKind, Structure, StructureChange, StructureKind, StructureValues, Unit,
        };
        let mut w = ward();
        let values = |donated| StructureValues {
            kind: StructureKind::Wall,
            quantity: Some(15.0),
            unit: Some(Unit::M),
            value_vnd: Some(8_000_000),
            donated,
        };
        let change = |id, what, d: u32, donated| StructureChange {
            id,
            structure: 50,
            what,
            effective: Some(day(d)),
            values: values(donated),
            entered_at: "2026-11-20T03:00:00Z".into(),
            entered_by: "lan".into(),
            note: None,
        };
        // parcel 1 agreed on day 5: a wall added on day 1, marked donated on day 10
        let now = Structure {
            id: 50,
            values: values(true),
        };
        let line = StructureLine::of(
            &[now],
            &[
                change(1, ChangeKind::Added, 1, false),
                change(2, ChangeKind::Edited, 10, true),
            ],
        );
        w.parcel_mut(1).unwrap().structures = line;
        // the others without structures
        for key in [2, 3, 4] {
            w.parcel_mut(key).unwrap().structures = StructureLine::default();
        }
        let (on5, on15) = (w.ward_tally(day(5)), w.ward_tally(day(15)));
        assert_eq!(on5.structures.structures, 1);
        assert_eq!(
            (on5.structures.donated, on5.structures.donated_value_vnd),
            (0, 0)
        );
        assert_eq!(
            (on15.structures.donated, on15.structures.donated_value_vnd),
            (1, 8_000_000)
        );
        assert_eq!(w.segment_tallies(day(15))[0].structures.donated, 1);
        assert_eq!(w.group_figures(day(5))[0].tally.structures.donated, 0);
        let series = w.series(day(30));
        assert!(
            series.iter().any(|(d, _)| *d == day(10)),
            "a point on the day it was marked"
        );
        for (d, t) in &series {
            assert_eq!(*t, w.ward_tally(*d), "{d}");
        }
        let kept = Kept::new(w.clone());
        assert_eq!(
            kept.segment_tallies(NaiveDate::MAX),
            w.segment_tallies(NaiveDate::MAX)
        );
    }
}
