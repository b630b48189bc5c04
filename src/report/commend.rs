//! The commendation of collectives and individuals (biểu dương tập thể, cá
//! nhân tiêu biểu) laid out: the read model's [`Ward::commendations`] for a
//! period, one row per collective or individual with the criteria that
//! earned it, Vietnamese then English; and the words of each criterion, which
//! the page shows too.

use super::campaign::{Options, col, empty_sheet};
use super::{Cell, Kind, Sheet, format_vi};
use crate::campaign::events::dmy;
use crate::campaign::figures::{Thresholds, Ward};
use crate::campaign::first::{Commendation, Commended, Criterion, Period, month_of};

/// A criterion's words: Vietnamese, then English, dates and numbers as
/// people read them (28/11/2026; 1.234,5 m²).
pub fn criterion_text(c: &Criterion) -> (String, String) {
    let m2 = |x: f64| format_vi(x, Kind::Area);
    match *c {
        Criterion::GroupCompleted(day) => (
            format!("Hoàn thành bàn giao mặt bằng ngày {}", dmy(day)),
            format!("Completed the hand-over on {}", dmy(day)),
        ),
        Criterion::GroupLed(a) => (
            format!(
                "Dẫn đầu phường về diện tích bàn giao trong kỳ ({} m²)",
                m2(a)
            ),
            format!(
                "Led the ward in area handed over in the period ({} m²)",
                m2(a)
            ),
        ),
        Criterion::CellGroupsCompleted(day) => (
            format!("Các tổ dân phố phụ trách hoàn thành ngày {}", dmy(day)),
            format!(
                "Every residential group it covers completed, on {}",
                dmy(day)
            ),
        ),
        Criterion::CellFamiliesFirst(n) => (
            format!("100% gia đình đảng viên ({n} hộ) đi trước"),
            format!("All {n} members' families went first"),
        ),
        Criterion::MemberAssignedAgreed(n) => (
            format!("Vận động {n}/{n} hộ được phân công đồng ý hiến đất"),
            format!("All {n} households assigned agreed to donate"),
        ),
        Criterion::MemberFamilyFirst(day) => (
            format!("Gia đình đi trước, đồng ý hiến đất ngày {}", dmy(day)),
            format!("Family went first, agreeing on {}", dmy(day)),
        ),
        Criterion::HouseholdDonated(a) => (
            format!("Hiến {} m² đất mở rộng đường", m2(a)),
            format!("Donated {} m² of land", m2(a)),
        ),
    }
}

/// The period of `opt`: from its `from` (else the first of the month of
/// `as_of`: "biểu dương kịp thời", monthly) to `as_of`.
pub fn period_of(opt: &Options) -> Period {
    let (first, to) = month_of(opt.as_of);
    Period {
        from: opt.from.unwrap_or(first),
        to,
        members: opt.name_members && !opt.public,
    }
}

/// The list for `opt` (the thresholds and public rule of the household list).
pub fn list(data: &Ward, opt: &Options) -> Vec<Commendation> {
    let t = Thresholds {
        min_area_m2: opt.min_area_m2,
        min_value_vnd: opt.min_value_vnd,
        public: opt.public,
    };
    data.commendations(period_of(opt), &t)
}

/// Where a commended one belongs: a group's cell, a cell's groups, a
/// member's cell, a household's group.
fn place(data: &Ward, who: &Commended) -> Option<String> {
    match who {
        Commended::Group(g) => data.cell_name_of(g).map(str::to_string),
        Commended::Cell(c) => Some(data.cells[*c].groups.join("; ")),
        Commended::Member(m) => Some(data.cells[data.members[*m].cell].name.clone()),
        Commended::Household(p) => data.parcels[*p].group.clone(),
    }
}

/// The sheet: collectives first, then individuals.
pub fn sheet(data: &Ward, opt: &Options) -> Sheet {
    let mut s = empty_sheet(vec![
        col(
            "kind",
            "Tập thể / cá nhân",
            "Collective / individual",
            Kind::Text,
        ),
        col("type", "Loại", "Type", Kind::Text),
        col("name", "Tên", "Name", Kind::Text),
        col(
            "place",
            "Chi bộ, tổ dân phố",
            "Party cell, residential group",
            Kind::Text,
        ),
        col("criteria", "Thành tích", "Criteria", Kind::Text),
        col(
            "criteria_en",
            "Thành tích (tiếng Anh)",
            "Criteria (English)",
            Kind::Text,
        ),
    ]);
    for c in list(data, opt) {
        let (vi, en): (Vec<String>, Vec<String>) = c.criteria.iter().map(criterion_text).unzip();
        s.rows.push(vec![
            if c.who.collective() {
                "Tập thể"
            } else {
                "Cá nhân"
            }
            .into(),
            c.who.kind().0.into(),
            c.who.name(data).into(),
            place(data, &c.who).map_or(Cell::Empty, Cell::from),
            vi.join("; ").into(),
            en.join("; ").into(),
        ]);
    }
    s
}
