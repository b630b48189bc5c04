//! The `plan` cut of the reports: one row per active plan and milestone —
//! the area, the plan, the milestone's due date and targets, the actuals
//! on the report's day and their share of the targets, the milestone's
//! state (with the days overdue), and the plan's projected completion.
//! Every figure is [`crate::campaign::plans`]'s, from the read model.

use super::{Cell, Column, Kind, Sheet};
use crate::campaign::figures::Ward;
use crate::campaign::natural_cmp;
use crate::campaign::plans::{self, Plan, PlanStatus, Projection};
use chrono::NaiveDate;

/// The note printed under a report with the plan cut.
pub const NOTE: &str = "Kế hoạch: số hộ thực hiện là số hộ đã đồng ý trở lên; diện tích thực hiện là diện tích đã bàn giao. Mốc đạt khi số thực hiện đạt mọi chỉ tiêu của mốc; chưa đạt - quá hạn khi đã qua ngày đến hạn mà chưa đạt. Dự kiến hoàn thành: ngoại suy tuyến tính tốc độ 30 ngày gần nhất đến chỉ tiêu cuối của kế hoạch. / Plans: actual households are those that reached agreement; actual area is the area handed over. A milestone is met when the actuals reach all its targets, missed when its due date has passed first. Projected completion: the rate of the last 30 days extrapolated linearly to the plan's final targets.";

fn col(key: &str, vi: &str, en: &str, kind: Kind) -> Column {
    Column {
        key: key.into(),
        vi: vi.into(),
        en: en.into(),
        kind,
    }
}

/// `actual` as a share of `target` (none without a positive target).
fn share(actual: f64, target: Option<f64>) -> Cell {
    match target {
        Some(t) if t > 0.0 => Cell::Number(actual / t),
        _ => Cell::Empty,
    }
}

/// The sheet of `plans` (active ones) on `day`.
pub fn sheet(ward: &Ward, plans: &[Plan], day: NaiveDate) -> Sheet {
    let columns = vec![
        col("area_kind", "Loại địa bàn", "Area kind", Kind::Text),
        col("area", "Địa bàn", "Area", Kind::Text),
        col("plan", "Kế hoạch", "Plan", Kind::Text),
        col("due", "Mốc (ngày đến hạn)", "Milestone (due)", Kind::Date),
        col(
            "target_households",
            "Chỉ tiêu số hộ đồng ý",
            "Target: households agreed",
            Kind::Count,
        ),
        col(
            "actual_households",
            "Thực hiện (hộ)",
            "Actual households",
            Kind::Count,
        ),
        col(
            "households_share",
            "Tỷ lệ so chỉ tiêu hộ",
            "Share of household target",
            Kind::Percent,
        ),
        col(
            "target_area_m2",
            "Chỉ tiêu diện tích bàn giao (m²)",
            "Target: area handed over (m²)",
            Kind::Area,
        ),
        col(
            "actual_area_m2",
            "Thực hiện (m²)",
            "Actual area (m²)",
            Kind::Area,
        ),
        col(
            "area_share",
            "Tỷ lệ so chỉ tiêu diện tích",
            "Share of area target",
            Kind::Percent,
        ),
        col("state", "Tình trạng", "State", Kind::Text),
        col(
            "days_overdue",
            "Số ngày quá hạn",
            "Days overdue",
            Kind::Count,
        ),
        col(
            "projected_completion",
            "Dự kiến hoàn thành",
            "Projected completion",
            Kind::Date,
        ),
        col(
            "projection_note",
            "Đánh giá dự báo",
            "Projection",
            Kind::Text,
        ),
    ];
    let mut active: Vec<&Plan> = plans
        .iter()
        .filter(|p| p.status == PlanStatus::Active)
        .collect();
    active.sort_by(|a, b| {
        a.draft
            .area
            .kind
            .cmp(&b.draft.area.kind)
            .then_with(|| natural_cmp(&a.draft.area_name, &b.draft.area_name))
            .then(a.id.cmp(&b.id))
    });
    let mut tallies = plans::Tallies::new(ward);
    let mut rows = Vec::new();
    for p in active {
        let f = plans::figures(&mut tallies, p, day);
        let (date, note) = match (f.projection, f.late) {
            (Projection::Reached, _) => (None, "đã đạt chỉ tiêu cuối"),
            (Projection::NoTrend, _) => (None, "chưa có xu hướng (30 ngày không tiến triển)"),
            (Projection::On(d), Some(true)) => (Some(d), "trễ so với mốc cuối"),
            (Projection::On(d), _) => (Some(d), "kịp mốc cuối"),
        };
        for m in &f.milestones {
            let ms = &m.milestone;
            rows.push(vec![
                p.draft.area.kind.label().into(),
                p.draft.area_name.clone().into(),
                p.draft.title.clone().into(),
                ms.due.into(),
                ms.households.map(f64::from).into(),
                f.actual.households.into(),
                share(f.actual.households, ms.households.map(f64::from)),
                ms.area_m2.into(),
                f.actual.area_m2.into(),
                share(f.actual.area_m2, ms.area_m2),
                m.state.label().into(),
                m.days_overdue.into(),
                date.into(),
                note.into(),
            ]);
        }
    }
    Sheet {
        key: String::new(),
        name: String::new(),
        title: String::new(),
        columns,
        rows,
        total: None,
    }
}
