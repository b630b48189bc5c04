//! The periodic reports (báo cáo định kỳ): figures for a date (`as_of`) and
//! for a period (from–to, with what changed in it), cut by segment,
//! residential group, party cell, party member, lagging areas and the
//! commendation list. Pure: the store gathers [`ReportData`], this module
//! makes the [`Report`] document that `report::{xlsx, html, csv}` write.
//!
//! Words used throughout: a parcel is *affected* when it donates to at
//! least one segment; it has *agreed* when its status is agreed, signed or
//! handed over; it has *donated* (đã hiến) when signed or handed over.

use super::FeatureId;
use super::events::Status;
use crate::report::{Cell, Column, Kind, Report, Sheet};
use chrono::NaiveDate;
use std::collections::HashMap;

/// One way of cutting the figures: a sheet of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cut {
    Segment,
    Group,
    Cell,
    Member,
    Lagging,
    Commendation,
}

impl Cut {
    pub const ALL: [Cut; 6] = [
        Cut::Segment,
        Cut::Group,
        Cut::Cell,
        Cut::Member,
        Cut::Lagging,
        Cut::Commendation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Cut::Segment => "segment",
            Cut::Group => "group",
            Cut::Cell => "cell",
            Cut::Member => "member",
            Cut::Lagging => "lagging",
            Cut::Commendation => "commendation",
        }
    }

    pub fn parse(s: &str) -> Option<Cut> {
        Cut::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Whether the cut shows political or persuasion data (party cells,
    /// members, members' families): only roles that need it may see it.
    pub fn is_sensitive(self) -> bool {
        matches!(self, Cut::Cell | Cut::Member)
    }

    fn title(self) -> (&'static str, &'static str) {
        match self {
            Cut::Segment => ("Tiến độ theo đoạn tuyến", "Progress by road segment"),
            Cut::Group => ("Tiến độ theo tổ dân phố", "Progress by residential group"),
            Cut::Cell => (
                "Tiến độ theo chi bộ và kết quả “Đảng viên đi trước”",
                "Progress by party cell, and members' own households",
            ),
            Cut::Member => (
                "Kết quả vận động của từng đảng viên",
                "Results per party member",
            ),
            Cut::Lagging => ("Địa bàn chậm tiến độ", "Lagging areas"),
            Cut::Commendation => (
                "Danh sách biểu dương hộ gia đình hiến đất",
                "Commendation list",
            ),
        }
    }

    fn tab(self) -> &'static str {
        match self {
            Cut::Segment => "Theo đoạn tuyến",
            Cut::Group => "Theo tổ dân phố",
            Cut::Cell => "Theo chi bộ",
            Cut::Member => "Theo đảng viên",
            Cut::Lagging => "Chậm tiến độ",
            Cut::Commendation => "Biểu dương",
        }
    }
}

/// What the user chose.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub as_of: NaiveDate,
    /// A period report: `from..=as_of`.
    pub from: Option<NaiveDate>,
    /// An area with no step forward for this many days is lagging.
    pub lag_days: u32,
    /// Commendation thresholds: a household is listed when it donated at
    /// least this area, or structures worth at least this much.
    pub min_area_m2: f64,
    pub min_value_vnd: i64,
    /// A public list names only households that agreed to be named.
    pub public: bool,
}

impl Options {
    pub fn new(as_of: NaiveDate) -> Options {
        Options {
            as_of,
            from: None,
            lag_days: 30,
            min_area_m2: 0.0,
            min_value_vnd: 0,
            public: true,
        }
    }
}

/// One parcel, as the reports need it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParcelFacts {
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
    pub timeline: Vec<(NaiveDate, Status)>,
    /// Donated structures: how many, and their value.
    pub structures_donated: usize,
    pub structures_value_vnd: i64,
    /// (member index, from, to exclusive).
    pub assignments: Vec<(usize, NaiveDate, Option<NaiveDate>)>,
    /// Dates of logged persuasion visits.
    pub contacts: Vec<NaiveDate>,
}

impl ParcelFacts {
    pub fn status_on(&self, day: NaiveDate) -> Status {
        let n = self.timeline.partition_point(|(d, _)| *d <= day);
        n.checked_sub(1)
            .map_or(Status::NotContacted, |i| self.timeline[i].1)
    }

    fn area(&self) -> f64 {
        self.donations.iter().map(|d| d.1).sum()
    }

    fn member_on(&self, day: NaiveDate) -> Option<usize> {
        self.assignments
            .iter()
            .find(|(_, f, t)| *f <= day && t.is_none_or(|t| day < t))
            .map(|a| a.0)
    }

    /// The last day on or before `day` the parcel stepped forward (agreed,
    /// signed, handed over).
    fn last_step(&self, day: NaiveDate) -> Option<NaiveDate> {
        self.timeline
            .iter()
            .filter(|(d, s)| {
                *d <= day && matches!(s, Status::Agreed | Status::Signed | Status::HandedOver)
            })
            .map(|(d, _)| *d)
            .next_back()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SegmentFacts {
    /// The id the files gave it: several segments of one road share a name.
    pub id: String,
    pub name: String,
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
    /// Index in [`ReportData::cells`].
    pub cell: usize,
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

/// Everything a report is computed from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportData {
    /// "Ngọc Sơn".
    pub ward: String,
    pub demo: bool,
    pub parcels: Vec<ParcelFacts>,
    pub segments: Vec<SegmentFacts>,
    pub cells: Vec<CellFacts>,
    pub members: Vec<MemberFacts>,
    pub leads: Vec<LeadFacts>,
}

/// Counts and areas of a set of affected parcels on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Tally {
    affected: usize,
    area: f64,
    counts: [usize; 6],
    handed_area: f64,
    structures: usize,
    structures_value: i64,
}

impl Tally {
    fn add(&mut self, p: &ParcelFacts, area: f64, day: NaiveDate) {
        let s = p.status_on(day);
        self.affected += 1;
        self.area += area;
        self.counts[status_index(s)] += 1;
        if s == Status::HandedOver {
            self.handed_area += area;
        }
        if matches!(s, Status::Signed | Status::HandedOver) {
            self.structures += p.structures_donated;
            self.structures_value += p.structures_value_vnd;
        }
    }

    fn n(&self, s: Status) -> usize {
        self.counts[status_index(s)]
    }

    fn agreed(&self) -> usize {
        self.n(Status::Agreed) + self.donated()
    }

    fn donated(&self) -> usize {
        self.n(Status::Signed) + self.n(Status::HandedOver)
    }

    fn area_share(&self) -> Cell {
        if self.area > 0.0 {
            Cell::Number(self.handed_area / self.area)
        } else {
            Cell::Empty
        }
    }

    fn household_share(&self) -> Cell {
        if self.affected > 0 {
            Cell::Number(self.n(Status::HandedOver) as f64 / self.affected as f64)
        } else {
            Cell::Empty
        }
    }
}

fn status_index(s: Status) -> usize {
    Status::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

fn col(key: &str, vi: &str, en: &str, kind: Kind) -> Column {
    Column {
        key: key.into(),
        vi: vi.into(),
        en: en.into(),
        kind,
    }
}

/// The progress columns every area cut shares, then the period ones.
fn progress_columns(period: bool) -> Vec<Column> {
    let mut c = vec![
        col(
            "affected",
            "Số hộ ảnh hưởng",
            "Affected households",
            Kind::Count,
        ),
        col(
            "area_m2",
            "Diện tích cần hiến (m²)",
            "Area to donate (m²)",
            Kind::Area,
        ),
        col(
            "not_contacted",
            "Chưa tiếp cận (hộ)",
            "Not contacted",
            Kind::Count,
        ),
        col(
            "persuading",
            "Đang vận động (hộ)",
            "Persuading",
            Kind::Count,
        ),
        col("declined", "Chưa đồng ý (hộ)", "Declined", Kind::Count),
        col(
            "agreed",
            "Đã đồng ý (hộ)",
            "Agreed (incl. signed, handed over)",
            Kind::Count,
        ),
        col(
            "signed",
            "Đã ký biên bản (hộ)",
            "Signed (incl. handed over)",
            Kind::Count,
        ),
        col(
            "handed_over",
            "Đã bàn giao (hộ)",
            "Handed over",
            Kind::Count,
        ),
        col(
            "handed_over_m2",
            "Diện tích đã bàn giao (m²)",
            "Area handed over (m²)",
            Kind::Area,
        ),
        col(
            "progress_area",
            "Tiến độ theo diện tích",
            "Progress by area",
            Kind::Percent,
        ),
        col(
            "progress_households",
            "Tiến độ theo số hộ",
            "Progress by households",
            Kind::Percent,
        ),
        col(
            "structures_donated",
            "Công trình đã hiến",
            "Structures donated",
            Kind::Count,
        ),
        col(
            "structures_value_vnd",
            "Giá trị công trình đã hiến (đồng)",
            "Value of structures donated (VND)",
            Kind::Money,
        ),
    ];
    if period {
        c.push(col(
            "period_agreed",
            "Đồng ý mới trong kỳ (hộ)",
            "Newly agreed in the period",
            Kind::Count,
        ));
        c.push(col(
            "period_handed_over",
            "Bàn giao mới trong kỳ (hộ)",
            "Newly handed over in the period",
            Kind::Count,
        ));
        c.push(col(
            "period_handed_over_m2",
            "Diện tích bàn giao trong kỳ (m²)",
            "Area handed over in the period (m²)",
            Kind::Area,
        ));
    }
    c
}

fn progress_cells(t: &Tally, before: Option<&Tally>) -> Vec<Cell> {
    let mut c: Vec<Cell> = vec![
        t.affected.into(),
        t.area.into(),
        t.n(Status::NotContacted).into(),
        t.n(Status::Persuading).into(),
        t.n(Status::Declined).into(),
        t.agreed().into(),
        t.donated().into(),
        t.n(Status::HandedOver).into(),
        t.handed_area.into(),
        t.area_share(),
        t.household_share(),
        t.structures.into(),
        t.structures_value.into(),
    ];
    if let Some(b) = before {
        c.push((t.agreed() as i64 - b.agreed() as i64).into());
        c.push((t.n(Status::HandedOver) as i64 - b.n(Status::HandedOver) as i64).into());
        c.push((t.handed_area - b.handed_area).into());
    }
    c
}

/// Adds row-wise: the totals row of the area cuts (shares recomputed).
fn total_of(tallies: &[(Tally, Option<Tally>)]) -> (Tally, Option<Tally>) {
    let mut t = Tally::default();
    let mut b: Option<Tally> = None;
    for (x, y) in tallies {
        t.affected += x.affected;
        t.area += x.area;
        t.handed_area += x.handed_area;
        t.structures += x.structures;
        t.structures_value += x.structures_value;
        for i in 0..6 {
            t.counts[i] += x.counts[i];
        }
        if let Some(y) = y {
            let b = b.get_or_insert_with(Tally::default);
            b.handed_area += y.handed_area;
            for i in 0..6 {
                b.counts[i] += y.counts[i];
            }
        }
    }
    (t, b)
}

struct Ctx<'a> {
    data: &'a ReportData,
    opt: &'a Options,
    /// The day before the period: the state the period started from.
    before: Option<NaiveDate>,
}

impl Ctx<'_> {
    fn tally<'p>(
        &self,
        parcels: impl Iterator<Item = (&'p ParcelFacts, f64)> + Clone,
    ) -> (Tally, Option<Tally>) {
        let mut t = Tally::default();
        for (p, a) in parcels.clone() {
            t.add(p, a, self.opt.as_of);
        }
        let b = self.before.map(|day| {
            let mut b = Tally::default();
            for (p, a) in parcels {
                b.add(p, a, day);
            }
            b
        });
        (t, b)
    }

    fn leads_of(&self, of: &LeadOf) -> Cell {
        let names: Vec<&str> = self
            .data
            .leads
            .iter()
            .filter(|l| l.of == *of)
            .map(|l| l.name.as_str())
            .collect();
        if names.is_empty() {
            Cell::Empty
        } else {
            names.join("; ").into()
        }
    }

    fn groups(&self) -> Vec<String> {
        // distinct first: a ward has a hundred groups, a hundred thousand parcels
        let distinct: std::collections::HashSet<&str> = self
            .data
            .parcels
            .iter()
            .filter_map(|p| p.group.as_deref())
            .collect();
        let mut g: Vec<String> = distinct.into_iter().map(str::to_string).collect();
        g.sort_by(|a, b| natural(a, b));
        g
    }
}

/// "Tổ dân phố 2" before "Tổ dân phố 10".
fn natural(a: &str, b: &str) -> std::cmp::Ordering {
    let key = |s: &str| {
        let stem = s.trim_end_matches(|c: char| c.is_ascii_digit());
        (stem.len(), s[stem.len()..].parse::<u64>().unwrap_or(0))
    };
    let ((la, na), (lb, nb)) = (key(a), key(b));
    a[..la]
        .cmp(&b[..lb])
        .then(na.cmp(&nb))
        .then_with(|| a.cmp(b))
}

/// Builds the report of `cuts` (one sheet each).
pub fn build(data: &ReportData, cuts: &[Cut], opt: &Options) -> Report {
    let ctx = Ctx {
        data,
        opt,
        before: opt.from.and_then(|f| f.pred_opt()),
    };
    let sheets: Vec<Sheet> = cuts.iter().map(|&c| sheet(&ctx, c)).collect();
    let (title, title_en) = if cuts.len() == 1 {
        let (vi, en) = cuts[0].title();
        (
            format!(
                "Kết quả vận động hiến đất mở rộng đường: {}",
                lower_first(vi)
            ),
            format!("Road-widening land donation: {}", lower_first(en)),
        )
    } else {
        (
            "Kết quả vận động nhân dân hiến đất mở rộng đường".to_string(),
            "Results of the road-widening land donation campaign".to_string(),
        )
    };
    let mut notes = vec![
        "Hộ ảnh hưởng: thửa đất có phần diện tích nằm trong chỉ giới đường đỏ; diện tích đo trong hệ VN-2000. Đã đồng ý gồm cả đã ký và đã bàn giao; đã ký gồm cả đã bàn giao. / Affected: parcels with land inside the planned right-of-way, measured in VN-2000.".to_string(),
    ];
    if cuts.contains(&Cut::Lagging) {
        notes.push(format!(
            "Chậm tiến độ: địa bàn chưa hoàn thành, không có hộ nào đồng ý, ký hoặc bàn giao mới trong {} ngày. / Lagging: not complete, and no household agreed, signed or handed over in {} days.",
            opt.lag_days, opt.lag_days
        ));
    }
    if cuts.contains(&Cut::Commendation) {
        notes.push(format!(
            "Biểu dương: hộ đã ký biên bản hoặc đã bàn giao, hiến từ {} m² đất hoặc công trình trị giá từ {} đồng{}. / Commendation thresholds as stated{}.",
            crate::report::format_vi(opt.min_area_m2, Kind::Area),
            crate::report::format_vi(opt.min_value_vnd as f64, Kind::Money),
            if opt.public { "; danh sách công khai chỉ nêu tên hộ đã đồng ý được nêu tên" } else { "" },
            if opt.public { "; the public list names only households that agreed to be named" } else { "" },
        ));
    }
    if data.demo {
        notes.push(
            "DỮ LIỆU MẪU — không phải số liệu thật. / Demo data, not real figures.".to_string(),
        );
    }
    Report {
        ward: format!("Phường {}", data.ward),
        committee: format!("Đảng ủy phường {}", data.ward),
        title,
        title_en,
        as_of: opt.as_of,
        from: opt.from,
        issued_on: None,
        sheets,
        notes,
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn sheet(ctx: &Ctx, cut: Cut) -> Sheet {
    let (title, _) = cut.title();
    let mut s = match cut {
        Cut::Segment => by_segment(ctx),
        Cut::Group => by_group(ctx),
        Cut::Cell => by_cell(ctx),
        Cut::Member => by_member(ctx),
        Cut::Lagging => lagging(ctx),
        Cut::Commendation => commendation(ctx),
    };
    s.key = cut.as_str().into();
    s.name = cut.tab().into();
    s.title = title.into();
    s
}

fn empty_sheet(columns: Vec<Column>) -> Sheet {
    Sheet {
        key: String::new(),
        name: String::new(),
        title: String::new(),
        columns,
        rows: Vec::new(),
        total: None,
    }
}

/// An area cut's sheet; its totals row adds the rows up unless `total` is
/// given (rows that share parcels: segments).
/// An area cut's row: the leading cells, the tallies (as_of, and before
/// the period), the trailing cells.
type AreaRow = (Vec<Cell>, (Tally, Option<Tally>), Vec<Cell>);

/// A lagging candidate: kind, name, its parcels and areas, who leads it.
type Candidate<'a> = (&'static str, String, Vec<(&'a ParcelFacts, f64)>, Cell);

fn area_sheet(
    ctx: &Ctx,
    lead_cols: Vec<Column>,
    extra_cols: Vec<Column>,
    rows: Vec<AreaRow>,
    total: Option<(Tally, Option<Tally>)>,
) -> Sheet {
    let period = ctx.before.is_some();
    let mut columns = lead_cols.clone();
    columns.extend(progress_columns(period));
    columns.extend(extra_cols.clone());
    let mut s = empty_sheet(columns);
    let tallies: Vec<(Tally, Option<Tally>)> = rows.iter().map(|r| r.1).collect();
    for (lead, (t, b), extra) in rows {
        let mut r = lead;
        r.extend(progress_cells(&t, b.as_ref()));
        r.extend(extra);
        s.rows.push(r);
    }
    let (t, b) = total.unwrap_or_else(|| total_of(&tallies));
    let mut total: Vec<Cell> = vec![Cell::Text("Tổng cộng".into())];
    total.extend((1..lead_cols.len()).map(|_| Cell::Empty));
    total.extend(progress_cells(&t, b.as_ref()));
    total.extend(extra_cols.iter().map(|_| Cell::Empty));
    s.total = Some(total);
    s
}

fn by_segment(ctx: &Ctx) -> Sheet {
    let mut per: Vec<Vec<(&ParcelFacts, f64)>> = vec![Vec::new(); ctx.data.segments.len()];
    for p in &ctx.data.parcels {
        for &(s, a) in &p.donations {
            per[s].push((p, a));
        }
    }
    let rows = ctx
        .data
        .segments
        .iter()
        .enumerate()
        .filter(|(i, _)| !per[*i].is_empty())
        .map(|(i, seg)| {
            let t = ctx.tally(per[i].iter().copied());
            let complete = t.0.affected > 0 && t.0.n(Status::HandedOver) == t.0.affected;
            (
                vec![seg.id.clone().into(), seg.name.clone().into()],
                t,
                vec![
                    if complete { "Hoàn thành" } else { "Chưa" }.into(),
                    ctx.leads_of(&LeadOf::Segment(i)),
                ],
            )
        })
        .collect();
    // A parcel donating to two segments is in both rows, but it is one
    // affected household of the ward (with its whole area): the totals row
    // counts it once, not row by row.
    let ward = ctx.tally(
        ctx.data
            .parcels
            .iter()
            .filter(|p| !p.donations.is_empty())
            .map(|p| (p, p.area())),
    );
    area_sheet(
        ctx,
        vec![
            col("segment_id", "Mã đoạn", "Segment id", Kind::Text),
            col("segment", "Đoạn tuyến", "Road segment", Kind::Text),
        ],
        vec![
            col("complete", "Hoàn thành", "Complete", Kind::Text),
            col(
                "lead",
                "Ủy viên phụ trách",
                "Committee member in charge",
                Kind::Text,
            ),
        ],
        rows,
        Some(ward),
    )
}

fn cell_of_group(data: &ReportData) -> HashMap<&str, usize> {
    let mut m = HashMap::new();
    for (i, c) in data.cells.iter().enumerate() {
        for g in &c.groups {
            m.entry(g.as_str()).or_insert(i);
        }
    }
    m
}

fn by_group(ctx: &Ctx) -> Sheet {
    let cells = cell_of_group(ctx.data);
    let mut per: HashMap<&str, Vec<(&ParcelFacts, f64)>> = HashMap::new();
    for p in &ctx.data.parcels {
        let a = p.area();
        if !p.donations.is_empty() {
            per.entry(p.group.as_deref().unwrap_or(""))
                .or_default()
                .push((p, a));
        }
    }
    let mut groups = ctx.groups();
    if per.contains_key("") {
        groups.push(String::new());
    }
    let rows = groups
        .iter()
        .filter_map(|g| {
            let list = per.get(g.as_str())?;
            let cell = cells
                .get(g.as_str())
                .map(|&i| Cell::from(ctx.data.cells[i].name.clone()))
                .unwrap_or(Cell::Empty);
            let name = if g.is_empty() {
                "(chưa thuộc tổ nào)".to_string()
            } else {
                g.clone()
            };
            Some((
                vec![name.into(), cell],
                ctx.tally(list.iter().copied()),
                vec![ctx.leads_of(&LeadOf::Group(g.clone()))],
            ))
        })
        .collect();
    area_sheet(
        ctx,
        vec![
            col("group", "Tổ dân phố", "Residential group", Kind::Text),
            col("cell", "Chi bộ", "Party cell", Kind::Text),
        ],
        vec![col(
            "lead",
            "Ủy viên phụ trách",
            "Committee member in charge",
            Kind::Text,
        )],
        rows,
        None,
    )
}

fn by_cell(ctx: &Ctx) -> Sheet {
    let cells = cell_of_group(ctx.data);
    let n = ctx.data.cells.len();
    let mut per: Vec<Vec<(&ParcelFacts, f64)>> = vec![Vec::new(); n + 1];
    for p in &ctx.data.parcels {
        if p.donations.is_empty() {
            continue;
        }
        let i = p
            .group
            .as_deref()
            .and_then(|g| cells.get(g))
            .copied()
            .unwrap_or(n);
        per[i].push((p, p.area()));
    }
    let members: Vec<usize> = (0..=n)
        .map(|i| ctx.data.members.iter().filter(|m| m.cell == i).count())
        .collect();
    let rows = (0..=n)
        .filter(|&i| !per[i].is_empty())
        .map(|i| {
            let list = &per[i];
            let fam = list.iter().filter(|(p, _)| p.member_family);
            let fam_n = fam.clone().count();
            let fam_donated = fam
                .clone()
                .filter(|(p, _)| {
                    matches!(
                        p.status_on(ctx.opt.as_of),
                        Status::Signed | Status::HandedOver
                    )
                })
                .count();
            let fam_agreed = fam
                .filter(|(p, _)| {
                    matches!(
                        p.status_on(ctx.opt.as_of),
                        Status::Agreed | Status::Signed | Status::HandedOver
                    )
                })
                .count();
            let name: Cell = if i < n {
                ctx.data.cells[i].name.clone().into()
            } else {
                "(tổ chưa gắn chi bộ)".into()
            };
            let groups: Cell = if i < n {
                ctx.data.cells[i].groups.join("; ").into()
            } else {
                Cell::Empty
            };
            let share = if fam_n > 0 {
                Cell::Number(fam_donated as f64 / fam_n as f64)
            } else {
                Cell::Empty
            };
            (
                vec![name, groups, members[i.min(n)].into()],
                ctx.tally(list.iter().copied()),
                vec![fam_n.into(), fam_agreed.into(), fam_donated.into(), share],
            )
        })
        .collect();
    let mut s = area_sheet(
        ctx,
        vec![
            col("cell", "Chi bộ", "Party cell", Kind::Text),
            col(
                "groups",
                "Tổ dân phố phụ trách",
                "Residential groups",
                Kind::Text,
            ),
            col("members", "Số đảng viên", "Party members", Kind::Count),
        ],
        vec![
            col(
                "member_families",
                "Hộ gia đình đảng viên, cán bộ bị ảnh hưởng",
                "Affected households of members and cadres",
                Kind::Count,
            ),
            col(
                "member_families_agreed",
                "Trong đó đã đồng ý",
                "of which agreed",
                Kind::Count,
            ),
            col(
                "member_families_donated",
                "Trong đó đã hiến (ký, bàn giao)",
                "of which donated (signed, handed over)",
                Kind::Count,
            ),
            col(
                "member_families_share",
                "Tỷ lệ “đi trước”",
                "“Going first” share",
                Kind::Percent,
            ),
        ],
        rows,
        None,
    );
    // the family columns add up too
    if let Some(total) = &mut s.total {
        let k = total.len() - 4;
        let sum = |j: usize| -> f64 {
            s.rows
                .iter()
                .map(|r| if let Cell::Number(v) = r[j] { v } else { 0.0 })
                .sum()
        };
        let (a, b, c) = (sum(k), sum(k + 1), sum(k + 2));
        total[2] = Cell::Number(ctx.data.members.len() as f64);
        total[k] = a.into();
        total[k + 1] = b.into();
        total[k + 2] = c.into();
        total[k + 3] = if a > 0.0 {
            Cell::Number(c / a)
        } else {
            Cell::Empty
        };
    }
    s
}

fn by_member(ctx: &Ctx) -> Sheet {
    let day = ctx.opt.as_of;
    #[derive(Default, Clone, Copy)]
    struct M {
        assigned: usize,
        contacted: usize,
        agreed: usize,
        signed: usize,
        handed: usize,
        declined: usize,
        period_contacts: usize,
    }
    let mut per = vec![M::default(); ctx.data.members.len()];
    for p in &ctx.data.parcels {
        let Some(m) = p.member_on(day) else { continue };
        let s = p.status_on(day);
        let x = &mut per[m];
        x.assigned += 1;
        if s != Status::NotContacted || p.contacts.iter().any(|c| *c <= day) {
            x.contacted += 1;
        }
        if matches!(s, Status::Agreed | Status::Signed | Status::HandedOver) {
            x.agreed += 1;
        }
        if matches!(s, Status::Signed | Status::HandedOver) {
            x.signed += 1;
        }
        if s == Status::HandedOver {
            x.handed += 1;
        }
        if s == Status::Declined {
            x.declined += 1;
        }
        if let Some(b) = ctx.before {
            x.period_contacts += p.contacts.iter().filter(|c| **c > b && **c <= day).count();
        }
    }
    let period = ctx.before.is_some();
    let mut columns = vec![
        col("member_code", "Mã đảng viên", "Member code", Kind::Text),
        col("member", "Họ và tên", "Name", Kind::Text),
        col("cell", "Chi bộ", "Party cell", Kind::Text),
        col(
            "assigned",
            "Hộ được phân công",
            "Households assigned",
            Kind::Count,
        ),
        col("contacted", "Đã tiếp xúc", "Contacted", Kind::Count),
        col("agreed", "Đã đồng ý", "Agreed", Kind::Count),
        col("signed", "Đã ký biên bản", "Signed", Kind::Count),
        col("handed_over", "Đã bàn giao", "Handed over", Kind::Count),
        col("declined", "Chưa đồng ý", "Declined", Kind::Count),
    ];
    if period {
        columns.push(col(
            "period_contacts",
            "Lượt tiếp xúc trong kỳ",
            "Visits in the period",
            Kind::Count,
        ));
    }
    let mut s = empty_sheet(columns);
    let mut sum = M::default();
    let mut order: Vec<usize> = (0..ctx.data.members.len()).collect();
    order.sort_by(|&a, &b| {
        let (ma, mb) = (&ctx.data.members[a], &ctx.data.members[b]);
        ctx.data.cells[ma.cell]
            .code
            .cmp(&ctx.data.cells[mb.cell].code)
            .then_with(|| ma.code.cmp(&mb.code))
    });
    for i in order {
        let m = &ctx.data.members[i];
        let x = per[i];
        let mut r: Vec<Cell> = vec![
            m.code.clone().into(),
            m.name.clone().into(),
            ctx.data.cells[m.cell].name.clone().into(),
            x.assigned.into(),
            x.contacted.into(),
            x.agreed.into(),
            x.signed.into(),
            x.handed.into(),
            x.declined.into(),
        ];
        if period {
            r.push(x.period_contacts.into());
        }
        s.rows.push(r);
        sum.assigned += x.assigned;
        sum.contacted += x.contacted;
        sum.agreed += x.agreed;
        sum.signed += x.signed;
        sum.handed += x.handed;
        sum.declined += x.declined;
        sum.period_contacts += x.period_contacts;
    }
    let mut total: Vec<Cell> = vec![
        "Tổng cộng".into(),
        Cell::Empty,
        Cell::Empty,
        sum.assigned.into(),
        sum.contacted.into(),
        sum.agreed.into(),
        sum.signed.into(),
        sum.handed.into(),
        sum.declined.into(),
    ];
    if period {
        total.push(sum.period_contacts.into());
    }
    s.total = Some(total);
    s
}

fn lagging(ctx: &Ctx) -> Sheet {
    let day = ctx.opt.as_of;
    let limit = i64::from(ctx.opt.lag_days);
    let mut s = empty_sheet(vec![
        col("kind", "Loại địa bàn", "Area kind", Kind::Text),
        col("area", "Địa bàn", "Area", Kind::Text),
        col(
            "affected",
            "Số hộ ảnh hưởng",
            "Affected households",
            Kind::Count,
        ),
        col(
            "handed_over",
            "Đã bàn giao (hộ)",
            "Handed over",
            Kind::Count,
        ),
        col(
            "progress_area",
            "Tiến độ theo diện tích",
            "Progress by area",
            Kind::Percent,
        ),
        col(
            "last_step",
            "Lần có tiến triển gần nhất",
            "Last step forward",
            Kind::Date,
        ),
        col(
            "days_without_progress",
            "Số ngày không tiến triển",
            "Days without progress",
            Kind::Count,
        ),
        col(
            "lead",
            "Ủy viên phụ trách",
            "Committee member in charge",
            Kind::Text,
        ),
    ]);
    // (kind, name, parcels, lead)
    let mut areas: Vec<Candidate> = Vec::new();
    let mut by_group: HashMap<&str, Vec<(&ParcelFacts, f64)>> = HashMap::new();
    let mut by_segment: Vec<Vec<(&ParcelFacts, f64)>> = vec![Vec::new(); ctx.data.segments.len()];
    for p in &ctx.data.parcels {
        if p.donations.is_empty() {
            continue;
        }
        if let Some(g) = &p.group {
            by_group.entry(g).or_default().push((p, p.area()));
        }
        for &(si, a) in &p.donations {
            by_segment[si].push((p, a));
        }
    }
    for g in ctx.groups() {
        if let Some(list) = by_group.remove(g.as_str()) {
            let lead = ctx.leads_of(&LeadOf::Group(g.clone()));
            areas.push(("Tổ dân phố", g, list, lead));
        }
    }
    for (i, list) in by_segment.into_iter().enumerate() {
        if !list.is_empty() {
            let seg = &ctx.data.segments[i];
            let name = format!("{} (mã {})", seg.name, seg.id);
            areas.push(("Đoạn tuyến", name, list, ctx.leads_of(&LeadOf::Segment(i))));
        }
    }
    for (kind, name, list, lead) in areas {
        let (t, _) = ctx.tally(list.iter().copied());
        if t.n(Status::HandedOver) == t.affected {
            continue;
        }
        let last = list.iter().filter_map(|(p, _)| p.last_step(day)).max();
        let idle = last.map(|d| (day - d).num_days());
        if idle.is_some_and(|n| n < limit) {
            continue;
        }
        s.rows.push(vec![
            kind.into(),
            name.into(),
            t.affected.into(),
            t.n(Status::HandedOver).into(),
            t.area_share(),
            last.into(),
            idle.map(|n| n as f64).into(),
            lead,
        ]);
    }
    // longest idle first; never-moved areas (no date) at the top
    s.rows.sort_by(|a, b| {
        let key = |r: &Vec<Cell>| match r[6] {
            Cell::Number(v) => v,
            _ => f64::INFINITY,
        };
        key(b).total_cmp(&key(a))
    });
    s
}

fn commendation(ctx: &Ctx) -> Sheet {
    let day = ctx.opt.as_of;
    let mut s = empty_sheet(vec![
        col(
            "household",
            "Hộ gia đình (chủ hộ)",
            "Household (head)",
            Kind::Text,
        ),
        col("address", "Địa chỉ", "Address", Kind::Text),
        col("group", "Tổ dân phố", "Residential group", Kind::Text),
        col("map_sheet", "Tờ bản đồ", "Map sheet", Kind::Text),
        col("parcel_no", "Thửa đất", "Parcel", Kind::Text),
        col(
            "area_m2",
            "Diện tích đất hiến (m²)",
            "Land donated (m²)",
            Kind::Area,
        ),
        col(
            "structures_donated",
            "Công trình hiến",
            "Structures donated",
            Kind::Count,
        ),
        col(
            "structures_value_vnd",
            "Giá trị công trình (đồng)",
            "Value of structures (VND)",
            Kind::Money,
        ),
        col("status", "Trạng thái", "Status", Kind::Text),
    ]);
    let mut list: Vec<(&ParcelFacts, f64, Status)> = ctx
        .data
        .parcels
        .iter()
        .filter(|p| !p.donations.is_empty())
        .filter_map(|p| {
            let st = p.status_on(day);
            matches!(st, Status::Signed | Status::HandedOver).then(|| (p, p.area(), st))
        })
        .filter(|(p, a, _)| {
            *a >= ctx.opt.min_area_m2
                || (ctx.opt.min_value_vnd > 0 && p.structures_value_vnd >= ctx.opt.min_value_vnd)
        })
        .filter(|(p, _, _)| !ctx.opt.public || p.may_be_named)
        .collect();
    list.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then_with(|| b.0.structures_value_vnd.cmp(&a.0.structures_value_vnd))
            .then_with(|| a.0.id.cmp(&b.0.id))
    });
    // a public list holds only households that agreed to be named (filtered above)
    for (p, area, st) in list {
        s.rows.push(vec![
            p.head.clone().into(),
            p.address.clone().into(),
            p.group.clone().into(),
            p.map_sheet.clone().into(),
            p.parcel_no.clone().into(),
            area.into(),
            p.structures_donated.into(),
            p.structures_value_vnd.into(),
            st.label_vi().into(),
        ]);
    }
    s
}
