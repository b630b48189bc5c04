//! The periodic reports (báo cáo định kỳ) laid out: figures for a date
//! (About 820 lines: one sheet per cut, most of it the columns' bilingual
//! headers, which read best beside the cells they head.)
//!
//! (`as_of`) and for a period (from–to, with what changed in it), cut by
//! segment, residential group, party cell, party member, lagging areas and
//! the commendation list, each a [`Sheet`] of the [`Report`] that
//! [`super::xlsx`], [`super::html`] and [`super::csv`] write. Every figure
//! comes from the read model ([`crate::campaign::figures`]); this module only
//! chooses columns, labels and order.

use super::{Cell, Column, Kind, Report, Sheet};
use crate::campaign::events::Status;
use crate::campaign::figures::{LeadOf, Tally, Thresholds, Ward};
use chrono::NaiveDate;

/// One way of cutting the figures: a sheet of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cut {
    Segment,
    Group,
    Cell,
    Member,
    Lagging,
    Commendation,
    /// Collectives and individuals commended for a period (tập thể, cá nhân
    /// tiêu biểu): [`super::commend`].
    Exemplary,
    /// Plans and targets: plan versus actual per milestone (logged-in
    /// only; not in [`Cut::ALL`], the progress report's cuts).
    Plan,
    /// The Inspection Committee's inspections (not in [`Cut::ALL`]: laid out
    /// by [`super::inspection`] from the inspections, readable only with
    /// `Action::ReadInspections`).
    Inspection,
}

impl Cut {
    pub const ALL: [Cut; 7] = [
        Cut::Segment,
        Cut::Group,
        Cut::Cell,
        Cut::Member,
        Cut::Lagging,
        Cut::Commendation,
        Cut::Exemplary,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Cut::Segment => "segment",
            Cut::Group => "group",
            Cut::Cell => "cell",
            Cut::Member => "member",
            Cut::Lagging => "lagging",
            Cut::Commendation => "commendation",
            Cut::Exemplary => "exemplary",
            Cut::Plan => "plan",
            Cut::Inspection => "inspection",
        }
    }

    pub fn parse(s: &str) -> Option<Cut> {
        Cut::ALL
            .into_iter()
            .chain([Cut::Plan])
            .chain([Cut::Inspection])
            .find(|c| c.as_str() == s)
    }

    /// Whether the cut shows political or persuasion data (party cells,
    /// members, members' families): only roles that need it may see it.
    pub fn is_sensitive(self) -> bool {
        matches!(self, Cut::Cell | Cut::Member | Cut::Inspection)
    }

    /// Whether the cut is internal: logged-in users only (plans).
    pub fn needs_login(self) -> bool {
        self == Cut::Plan
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
            Cut::Exemplary => (
                "Biểu dương tập thể, cá nhân tiêu biểu",
                "Commendation of exemplary collectives and individuals",
            ),
            Cut::Plan => (
                "Kế hoạch, chỉ tiêu và kết quả thực hiện",
                "Plans and targets versus actual",
            ),
            Cut::Inspection => ("Kiểm tra, giám sát", "Inspection and supervision"),
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
            Cut::Exemplary => "Tập thể, cá nhân tiêu biểu",
            Cut::Plan => "Kế hoạch",
            Cut::Inspection => "Kiểm tra, giám sát",
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
    /// An internal (not public) list of [`Cut::Exemplary`] names party
    /// members: set only for readers of sensitive data.
    pub name_members: bool,
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
            name_members: false,
        }
    }
}

pub(super) fn col(key: &str, vi: &str, en: &str, kind: Kind) -> Column {
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
            "Đã đồng ý trở lên (hộ)",
            "Reached agreement (agreed, signed or handed over)",
            Kind::Count,
        ),
        col(
            "signed",
            "Đã ký trở lên (hộ)",
            "Reached signing (signed or handed over)",
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

fn share(x: Option<f64>) -> Cell {
    x.map_or(Cell::Empty, Cell::Number)
}

fn progress_cells(t: &Tally, before: Option<&Tally>) -> Vec<Cell> {
    let mut c: Vec<Cell> = vec![
        t.affected.into(),
        t.donated_area_m2.into(),
        t.at(Status::NotContacted).into(),
        t.at(Status::Persuading).into(),
        t.at(Status::Declined).into(),
        t.reached(Status::Agreed).into(),
        t.reached(Status::Signed).into(),
        t.at(Status::HandedOver).into(),
        t.handed_over_area_m2.into(),
        share(t.progress_by_area()),
        share(t.progress_by_households()),
        t.structures.donated.into(),
        t.structures.donated_value_vnd.into(),
    ];
    if let Some(b) = before {
        let d = |s: Status| t.reached(s) as i64 - b.reached(s) as i64;
        c.push(d(Status::Agreed).into());
        c.push(d(Status::HandedOver).into());
        c.push((t.handed_over_area_m2 - b.handed_over_area_m2).into());
    }
    c
}

/// Adds row-wise: the totals row of the cuts whose rows share no parcel.
fn total_of(tallies: &[(Tally, Option<Tally>)]) -> (Tally, Option<Tally>) {
    let add = |t: &mut Tally, x: &Tally| {
        t.affected += x.affected;
        t.donated_area_m2 += x.donated_area_m2;
        t.handed_over_area_m2 += x.handed_over_area_m2;
        t.structures.structures += x.structures.structures;
        t.structures.donated += x.structures.donated;
        t.structures.donated_value_vnd = t
            .structures
            .donated_value_vnd
            .saturating_add(x.structures.donated_value_vnd);
        for i in 0..6 {
            t.at_step[i] += x.at_step[i];
        }
    };
    let mut t = Tally::default();
    let mut b: Option<Tally> = None;
    for (x, y) in tallies {
        add(&mut t, x);
        if let Some(y) = y {
            add(b.get_or_insert_with(Tally::default), y);
        }
    }
    (t, b)
}

struct Ctx<'a> {
    data: &'a Ward,
    opt: &'a Options,
    /// The day before the period: the state the period started from.
    before: Option<NaiveDate>,
    /// The plans (the `plan` cut).
    plans: &'a [crate::campaign::plans::Plan],
}

impl Ctx<'_> {
    fn leads_of(&self, of: &LeadOf) -> Cell {
        let names = self.data.leads_of(of);
        if names.is_empty() {
            Cell::Empty
        } else {
            names.join("; ").into()
        }
    }

    /// `f` on the day, and on the day before the period.
    fn both<T>(&self, f: impl Fn(NaiveDate) -> T) -> (T, Option<T>) {
        (f(self.opt.as_of), self.before.map(&f))
    }
}

/// Builds the report of `cuts` (one sheet each) from the ward's figures.
pub fn build(data: &Ward, cuts: &[Cut], opt: &Options) -> Report {
    build_with_plans(data, cuts, opt, &[])
}

/// [`build`], with the plans the `plan` cut lays out.
pub fn build_with_plans(
    data: &Ward,
    cuts: &[Cut],
    opt: &Options,
    plans: &[crate::campaign::plans::Plan],
) -> Report {
    let ctx = Ctx {
        data,
        opt,
        before: opt.from.and_then(|f| f.pred_opt()),
        plans,
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
        "Hộ ảnh hưởng: thửa đất có phần diện tích nằm trong chỉ giới đường đỏ; diện tích đo trong hệ VN-2000. Đã đồng ý trở lên: hộ đã đồng ý, đã ký hoặc đã bàn giao; đã ký trở lên: đã ký hoặc đã bàn giao. Công trình đã hiến: công trình hộ hiến, tính từ khi hộ đồng ý. / Affected: parcels with land inside the planned right-of-way, measured in VN-2000. Structures donated count from the household's agreement.".to_string(),
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
            super::format_vi(opt.min_area_m2, Kind::Area),
            super::format_vi(opt.min_value_vnd as f64, Kind::Money),
            if opt.public { "; danh sách công khai chỉ nêu tên hộ đã đồng ý được nêu tên" } else { "" },
            if opt.public { "; the public list names only households that agreed to be named" } else { "" },
        ));
    }
    if cuts.contains(&Cut::Exemplary) {
        let p = super::commend::period_of(opt);
        notes.push(format!(
            "Tập thể, cá nhân tiêu biểu từ ngày {} đến ngày {}: tổ dân phố hoàn thành hoặc dẫn đầu về diện tích bàn giao trong kỳ; chi bộ có các tổ phụ trách hoàn thành, hoặc 100% gia đình đảng viên đi trước; đảng viên vận động được mọi hộ được phân công, hoặc có gia đình đi trước; hộ gia đình đã ký biên bản trong kỳ{}. / Collectives and individuals for the period: groups that completed or led; cells whose groups completed or whose members' families all went first; members whose assigned households all agreed or whose family went first; households that signed in the period{}.",
            crate::campaign::events::dmy(p.from),
            crate::campaign::events::dmy(p.to),
            if opt.public { " (danh sách công khai: chỉ tập thể và hộ đã đồng ý được nêu tên)" } else { "" },
            if opt.public { " (public list: collectives and households that agreed to be named only)" } else { "" },
        ));
    }
    if cuts.contains(&Cut::Plan) {
        notes.push(super::plan_sheet::NOTE.to_string());
    }
    if data.demo {
        notes.push(
            "DỮ LIỆU MẪU — không phải số liệu thật. / Demo data, not real figures.".to_string(),
        );
    }
    Report {
        ward: format!("Phường {}", data.name),
        committee: format!("Đảng ủy phường {}", data.name),
        title,
        title_en,
        as_of: opt.as_of,
        from: opt.from,
        issued_on: None,
        sheets,
        notes,
        periodic: None,
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
        Cut::Exemplary => super::commend::sheet(ctx.data, ctx.opt),
        Cut::Plan => super::plan_sheet::sheet(ctx.data, ctx.plans, ctx.opt.as_of),
        // laid out by `super::inspection` from the inspections
        Cut::Inspection => empty_sheet(Vec::new()),
    };
    s.key = cut.as_str().into();
    s.name = cut.tab().into();
    s.title = title.into();
    s
}

pub(super) fn empty_sheet(columns: Vec<Column>) -> Sheet {
    Sheet {
        key: String::new(),
        name: String::new(),
        title: String::new(),
        columns,
        rows: Vec::new(),
        total: None,
    }
}

/// An area cut's row: the leading cells, the tallies (as_of, and before
/// the period), the trailing cells.
type AreaRow = (Vec<Cell>, (Tally, Option<Tally>), Vec<Cell>);

/// An area cut's sheet; its totals row adds the rows up unless `total` is
/// given (rows that share parcels: segments).
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
    let (now, before) = ctx.both(|d| ctx.data.segment_tallies(d));
    let rows = ctx
        .data
        .segments
        .iter()
        .enumerate()
        .filter(|(i, _)| now[*i].affected > 0)
        .map(|(i, seg)| {
            let t = now[i];
            (
                vec![seg.id.clone().into(), seg.name.clone().into()],
                (t, before.as_ref().map(|b| b[i])),
                vec![
                    if t.complete() {
                        "Hoàn thành"
                    } else {
                        "Chưa"
                    }
                    .into(),
                    ctx.leads_of(&LeadOf::Segment(i)),
                ],
            )
        })
        .collect();
    // A parcel donating to two segments is in both rows, but it is one
    // affected household of the ward (with its whole area): the totals row
    // counts it once, not row by row.
    let ward = ctx.both(|d| ctx.data.ward_tally(d));
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

fn by_group(ctx: &Ctx) -> Sheet {
    let cells = ctx.data.cell_of_group();
    let (now, before) = ctx.both(|d| ctx.data.group_figures(d));
    let find = |list: &[crate::campaign::figures::GroupFigures], g: Option<&str>| {
        list.iter()
            .find(|x| x.name.as_deref() == g)
            .map(|x| x.tally)
            .unwrap_or_default()
    };
    let mut groups: Vec<Option<String>> = ctx.data.groups_in_use().into_iter().map(Some).collect();
    groups.push(None);
    let rows = groups
        .iter()
        .filter_map(|g| {
            let t = find(&now, g.as_deref());
            if t.affected == 0 {
                return None;
            }
            let cell = g
                .as_deref()
                .and_then(|g| cells.get(g))
                .map(|&i| Cell::from(ctx.data.cells[i].name.clone()))
                .unwrap_or(Cell::Empty);
            let name = g
                .clone()
                .unwrap_or_else(|| "(chưa thuộc tổ nào)".to_string());
            let lead = ctx.leads_of(&LeadOf::Group(g.clone().unwrap_or_default()));
            Some((
                vec![name.into(), cell],
                (t, before.as_ref().map(|b| find(b, g.as_deref()))),
                vec![lead],
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
    let (now, before) = ctx.both(|d| ctx.data.cell_figures(d));
    let first = ctx.data.members_first(ctx.opt.as_of);
    let rows = now
        .iter()
        .map(|c| {
            let (name, groups): (Cell, Cell) = match c.cell {
                Some(i) => (
                    ctx.data.cells[i].name.clone().into(),
                    ctx.data.cells[i].groups.join("; ").into(),
                ),
                None => ("(tổ chưa gắn chi bộ)".into(), Cell::Empty),
            };
            let b = before.as_ref().map(|b| {
                b.iter()
                    .find(|x| x.cell == c.cell)
                    .map(|x| x.tally)
                    .unwrap_or_default()
            });
            let share = if c.member_families > 0 {
                Cell::Number(c.member_families_donated as f64 / c.member_families as f64)
            } else {
                Cell::Empty
            };
            // "đi trước" of its members' own families (campaign::first)
            let f = c.cell.map(|i| &first.cells[i]);
            let not_yet: Vec<&str> = f
                .map(|f| {
                    f.not_yet
                        .iter()
                        .map(|&m| ctx.data.members[m].name.as_str())
                        .collect()
                })
                .unwrap_or_default();
            (
                vec![name, groups, c.members.into()],
                (c.tally, b),
                vec![
                    c.member_families.into(),
                    c.member_families_agreed.into(),
                    c.member_families_donated.into(),
                    share,
                    f.map_or(Cell::Empty, |f| f.families.into()),
                    f.map_or(Cell::Empty, |f| f.went_first.into()),
                    f.and_then(|f| f.share()).map_or(Cell::Empty, Cell::Number),
                    if not_yet.is_empty() {
                        Cell::Empty
                    } else {
                        not_yet.join("; ").into()
                    },
                ],
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
                "Trong đó đã đồng ý trở lên",
                "of which reached agreement",
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
            col(
                "own_families",
                "Gia đình đảng viên của chi bộ bị ảnh hưởng",
                "Members' own affected families",
                Kind::Count,
            ),
            col(
                "own_families_first",
                "Trong đó đi trước (đồng ý trước số đông)",
                "of which went first (agreed before most)",
                Kind::Count,
            ),
            col(
                "own_families_first_share",
                "Tỷ lệ gia đình đảng viên đi trước",
                "Share of members' families that went first",
                Kind::Percent,
            ),
            col(
                "members_not_yet",
                "Đảng viên có gia đình chưa đồng ý hiến",
                "Members whose families have not agreed",
                Kind::Text,
            ),
        ],
        rows,
        None,
    );
    // the family columns add up too
    if let Some(total) = &mut s.total {
        let k = total.len() - 8;
        let (a, b, c) = now.iter().fold((0, 0, 0), |(a, b, c), x| {
            (
                a + x.member_families,
                b + x.member_families_agreed,
                c + x.member_families_donated,
            )
        });
        total[2] = ctx.data.members.len().into();
        total[k] = a.into();
        total[k + 1] = b.into();
        total[k + 2] = c.into();
        total[k + 3] = if a > 0 {
            Cell::Number(c as f64 / a as f64)
        } else {
            Cell::Empty
        };
        let (fam, went) = first
            .cells
            .iter()
            .fold((0, 0), |(a, b), x| (a + x.families, b + x.went_first));
        total[k + 4] = fam.into();
        total[k + 5] = went.into();
        total[k + 6] = if fam > 0 {
            Cell::Number(went as f64 / fam as f64)
        } else {
            Cell::Empty
        };
    }
    s
}

fn by_member(ctx: &Ctx) -> Sheet {
    let per = ctx.data.member_figures(ctx.opt.as_of, ctx.before);
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
        col(
            "agreed",
            "Đã đồng ý trở lên",
            "Reached agreement",
            Kind::Count,
        ),
        col("signed", "Đã ký trở lên", "Reached signing", Kind::Count),
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
    // the member's own family ("đi trước", campaign::first)
    columns.push(col(
        "family_state",
        "Gia đình đảng viên",
        "Member's own family",
        Kind::Text,
    ));
    columns.push(col(
        "family_agreed_on",
        "Ngày gia đình đồng ý",
        "Family agreed on",
        Kind::Date,
    ));
    columns.push(col(
        "family_signed_on",
        "Ngày gia đình ký biên bản",
        "Family signed on",
        Kind::Date,
    ));
    let first = ctx.data.members_first(ctx.opt.as_of);
    let cells = |x: &crate::campaign::figures::MemberFigures| -> Vec<Cell> {
        let mut r: Vec<Cell> = vec![
            x.assigned.into(),
            x.contacted.into(),
            x.agreed.into(),
            x.signed.into(),
            x.handed_over.into(),
            x.declined.into(),
        ];
        if period {
            r.push(x.period_contacts.into());
        }
        r
    };
    let mut s = empty_sheet(columns);
    let mut sum = crate::campaign::figures::MemberFigures::default();
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
        let mut r: Vec<Cell> = vec![
            m.code.clone().into(),
            m.name.clone().into(),
            ctx.data.cells[m.cell].name.clone().into(),
        ];
        r.extend(cells(&per[i]));
        let f = &first.members[i];
        r.push(f.state().0.into());
        r.push(f.agreed_on.into());
        r.push(f.signed_on.into());
        s.rows.push(r);
        sum.add(&per[i]);
    }
    let mut total: Vec<Cell> = vec!["Tổng cộng".into(), Cell::Empty, Cell::Empty];
    total.extend(cells(&sum));
    total.extend([Cell::Empty, Cell::Empty, Cell::Empty]);
    s.total = Some(total);
    s
}

fn lagging(ctx: &Ctx) -> Sheet {
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
    for l in ctx.data.lagging(ctx.opt.as_of, ctx.opt.lag_days) {
        let (kind, name) = match &l.area {
            LeadOf::Group(g) => ("Tổ dân phố", g.clone()),
            LeadOf::Segment(i) => {
                let seg = &ctx.data.segments[*i];
                ("Đoạn tuyến", format!("{} (mã {})", seg.name, seg.id))
            }
        };
        s.rows.push(vec![
            kind.into(),
            name.into(),
            l.tally.affected.into(),
            l.tally.at(Status::HandedOver).into(),
            share(l.tally.progress_by_area()),
            l.last_step.into(),
            l.idle_days.map(|n| n as f64).into(),
            ctx.leads_of(&l.area),
        ]);
    }
    s
}

fn commendation(ctx: &Ctx) -> Sheet {
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
    let t = Thresholds {
        min_area_m2: ctx.opt.min_area_m2,
        min_value_vnd: ctx.opt.min_value_vnd,
        public: ctx.opt.public,
    };
    // a public list holds only households that agreed to be named
    for (i, area, st) in ctx.data.commendation(ctx.opt.as_of, &t) {
        let p = &ctx.data.parcels[i];
        s.rows.push(vec![
            p.head.clone().into(),
            p.address.clone().into(),
            p.group.clone().into(),
            p.map_sheet.clone().into(),
            p.parcel_no.clone().into(),
            area.into(),
            p.structures_on(ctx.opt.as_of).donated.into(),
            p.structures_on(ctx.opt.as_of).donated_value_vnd.into(),
            st.label_vi().into(),
        ]);
    }
    s
}
