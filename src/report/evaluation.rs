//! The annual evaluation report (`--by evaluation --year 2026`): the
//! members' sheet and the cells' sheet, each subject's criteria from the
//! record, the suggested band and what decided it, the band the committee
//! decided and its note. Written by the same writers as every report (the
//! xlsx landscape, no text printed under 8 pt, header rows repeated: ready
//! to attach to the year-end review). Figures from
//! [`crate::campaign::evaluation`]; this module only lays them out.

use super::{Cell, Column, Kind, Report, Sheet, format_vi};
use crate::campaign::evaluation::{Band, Bar, Decided, Evaluation, Rating, Shares, SubjectKind};
use crate::campaign::figures::Ward;
use chrono::NaiveDate;

/// The `by` that asks for this report.
pub const CUT: &str = "evaluation";

/// The sheets' keys (a frozen report with them is sensitive).
pub const SHEET_KEYS: [&str; 2] = ["evaluation_member", "evaluation_cell"];

fn col(key: &str, vi: &str, en: &str, kind: Kind) -> Column {
    Column {
        key: key.into(),
        vi: vi.into(),
        en: en.into(),
        kind,
    }
}

fn yes_no(v: Option<bool>) -> Cell {
    match v {
        Some(true) => "Có / yes".into(),
        Some(false) => "Không / no".into(),
        None => Cell::Empty,
    }
}

/// The columns both sheets end with.
fn verdict_columns() -> Vec<Column> {
    vec![
        col("plan_met", "Hoàn thành kế hoạch", "Plan met", Kind::Text),
        col("suggested", "Mức gợi ý", "Suggested band", Kind::Text),
        col(
            "short_of",
            "Tiêu chí quyết định mức gợi ý",
            "Criterion that decided the suggestion",
            Kind::Text,
        ),
        col(
            "decided",
            "Mức xếp loại đã quyết định",
            "Band decided",
            Kind::Text,
        ),
        col("note", "Nhận xét", "Note", Kind::Text),
    ]
}

fn verdict_cells(
    s: &Shares,
    suggested: (Band, Option<&str>),
    decided: Option<&Rating>,
) -> Vec<Cell> {
    vec![
        yes_no(s.plan_met),
        suggested.0.vi().into(),
        suggested.1.map_or(Cell::Empty, Into::into),
        decided.map_or(Cell::Empty, |r| r.band.vi().into()),
        decided.and_then(|r| r.note.clone()).into(),
    ]
}

fn members_sheet(ward: &Ward, e: &Evaluation, decided: &Decided) -> Sheet {
    let mut columns = vec![
        col("member_code", "Mã đảng viên", "Member code", Kind::Text),
        col("member", "Họ và tên", "Name", Kind::Text),
        col("cell", "Chi bộ", "Party cell", Kind::Text),
        col(
            "family_agreed_on",
            "Gia đình đồng ý ngày",
            "Own family agreed on",
            Kind::Date,
        ),
        col(
            "family_first",
            "Gia đình đi trước",
            "Own family went first",
            Kind::Text,
        ),
        col(
            "assigned",
            "Hộ được phân công",
            "Households assigned",
            Kind::Count,
        ),
        col("contacted", "Đã tiếp cận (hộ)", "Contacted", Kind::Count),
        col(
            "agreed",
            "Đã đồng ý trở lên (hộ)",
            "Reached agreement",
            Kind::Count,
        ),
        col(
            "handed_over",
            "Đã bàn giao (hộ)",
            "Handed over",
            Kind::Count,
        ),
        col(
            "visits",
            "Lượt vận động trong năm",
            "Visits in the year",
            Kind::Count,
        ),
        col(
            "agreed_share",
            "Tỷ lệ đồng ý",
            "Share agreed",
            Kind::Percent,
        ),
        col(
            "handed_over_share",
            "Tỷ lệ bàn giao",
            "Share handed over",
            Kind::Percent,
        ),
    ];
    columns.extend(verdict_columns());
    let rows = e
        .members
        .iter()
        .map(|m| {
            let f = &ward.members[m.member];
            let cell = ward.cells.get(f.cell).map_or("", |c| c.name.as_str());
            let mut row: Vec<Cell> = vec![
                f.code.as_str().into(),
                f.name.as_str().into(),
                cell.into(),
                m.own.and_then(|o| o.agreed_on).into(),
                yes_no(m.own.map(|o| o.went_first)),
                m.figures.assigned.into(),
                m.figures.contacted.into(),
                m.figures.agreed.into(),
                m.figures.handed_over.into(),
                m.figures.period_contacts.into(),
                m.shares.agreed.into(),
                m.shares.handed_over.into(),
            ];
            row.extend(verdict_cells(
                &m.shares,
                (m.suggested.band, m.suggested.short_of.map(|c| c.label())),
                decided.get(&(SubjectKind::Member, f.code.clone())),
            ));
            row
        })
        .collect();
    Sheet {
        key: SHEET_KEYS[0].into(),
        name: "Đánh giá đảng viên".into(),
        title: format!(
            "Đánh giá, xếp loại đảng viên năm {} / Party members' evaluation, {}",
            e.year, e.year
        ),
        columns,
        rows,
        total: None,
    }
}

fn cells_sheet(ward: &Ward, e: &Evaluation, decided: &Decided) -> Sheet {
    let mut columns = vec![
        col("cell_code", "Mã chi bộ", "Cell code", Kind::Text),
        col("cell", "Chi bộ", "Party cell", Kind::Text),
        col("members", "Số đảng viên", "Members", Kind::Count),
        col(
            "families",
            "Gia đình đảng viên bị ảnh hưởng",
            "Members' own families affected",
            Kind::Count,
        ),
        col(
            "families_first",
            "Gia đình đảng viên đi trước",
            "Own families that went first",
            Kind::Count,
        ),
        col(
            "families_first_share",
            "Tỷ lệ gia đình đi trước",
            "Share of own families first",
            Kind::Percent,
        ),
        col(
            "affected",
            "Số hộ ảnh hưởng",
            "Affected households",
            Kind::Count,
        ),
        col(
            "agreed_share",
            "Tỷ lệ hộ đồng ý",
            "Share of households agreed",
            Kind::Percent,
        ),
        col(
            "handed_over_share",
            "Tỷ lệ hộ bàn giao",
            "Share of households handed over",
            Kind::Percent,
        ),
        col(
            "assigned",
            "Hộ phân công cho đảng viên",
            "Households assigned to members",
            Kind::Count,
        ),
        col("contacted", "Đã tiếp cận (hộ)", "Contacted", Kind::Count),
        col(
            "visits",
            "Lượt vận động trong năm",
            "Visits in the year",
            Kind::Count,
        ),
    ];
    columns.extend(verdict_columns());
    let rows = e
        .cells
        .iter()
        .map(|c| {
            let f = &ward.cells[c.cell];
            let mut row: Vec<Cell> = vec![
                f.code.as_str().into(),
                f.name.as_str().into(),
                c.member_count.into(),
                c.families.into(),
                c.families_first.into(),
                c.shares.families_first.into(),
                c.tally.affected.into(),
                c.shares.agreed.into(),
                c.shares.handed_over.into(),
                c.members.assigned.into(),
                c.members.contacted.into(),
                c.members.period_contacts.into(),
            ];
            row.extend(verdict_cells(
                &c.shares,
                (c.suggested.band, c.suggested.short_of.map(|c| c.label())),
                decided.get(&(SubjectKind::Cell, f.code.clone())),
            ));
            row
        })
        .collect();
    Sheet {
        key: SHEET_KEYS[1].into(),
        name: "Đánh giá chi bộ".into(),
        title: format!(
            "Đánh giá, xếp loại chi bộ năm {} / Party cells' evaluation, {}",
            e.year, e.year
        ),
        columns,
        rows,
        total: None,
    }
}

fn pct(v: f64) -> String {
    format_vi(v, Kind::Percent)
}

fn bar_line(band: Band, b: &Bar) -> String {
    format!(
        "{}: gia đình đi trước từ {}, tiếp cận từ {}, đồng ý từ {}, bàn giao từ {}{}",
        band.vi(),
        pct(b.families_first),
        pct(b.contacted),
        pct(b.agreed),
        pct(b.handed_over),
        if b.plan_met {
            ", hoàn thành kế hoạch"
        } else {
            ""
        }
    )
}

/// The report: members, then cells; the thresholds and the method in the
/// notes.
pub fn build(ward: &Ward, e: &Evaluation, decided: &Decided, defaults: bool) -> Report {
    let t = &e.thresholds;
    let mut notes = vec![
        format!(
            "Tiêu chí tính từ dữ liệu cuộc vận động đến hết ngày {}. Gia đình đi trước: hộ của đảng viên đã đồng ý trước ít nhất một nửa số hộ bị ảnh hưởng khác của chi bộ. Tỷ lệ của đảng viên tính trên số hộ được phân công; của chi bộ tính trên số hộ bị ảnh hưởng thuộc các tổ dân phố chi bộ phụ trách. / Criteria from the campaign's record to the end of the day; own family first: agreed before at least half of the cell's other affected households.",
            super::date_vi(e.as_of)
        ),
        format!(
            "Ngưỡng {} / thresholds ({}): {}; {}; {}; còn lại: {}.",
            if defaults {
                "mặc định"
            } else {
                "do Ban Thường vụ đặt"
            },
            if defaults {
                "defaults"
            } else {
                "set by the committee"
            },
            bar_line(Band::Excellent, &t.excellent),
            bar_line(Band::Good, &t.good),
            bar_line(Band::Completed, &t.completed),
            Band::NotCompleted.vi()
        ),
    ];
    if ward.demo {
        notes.push("DỮ LIỆU MẪU — không phải số liệu thật. / Demo data, not real figures.".into());
    }
    Report {
        ward: format!("Phường {}", ward.name),
        committee: format!("Đảng ủy phường {}", ward.name),
        title: format!(
            "Đánh giá, xếp loại đảng viên và chi bộ năm {} theo kết quả vận động hiến đất mở rộng đường",
            e.year
        ),
        title_en: format!(
            "Annual evaluation {} of party members and cells on the road-widening campaign",
            e.year
        ),
        as_of: e.as_of,
        from: NaiveDate::from_ymd_opt(e.year, 1, 1).filter(|d| *d <= e.as_of),
        issued_on: None,
        sheets: vec![
            members_sheet(ward, e, decided),
            cells_sheet(ward, e, decided),
        ],
        notes,
        periodic: None,
    }
}
