//! The annual evaluation: the ward's facts evaluated for a year against the
//! thresholds the committee set (the defaults until it sets its own), with
//! the ratings it decided beside them, and the report laid out from them.

use crate::campaign::evaluation::{self, Decided, Evaluation, SubjectKind, Thresholds};
use crate::campaign::figures::Ward;
use crate::report::Report;
use crate::store::{Result, Store, StoreError, ThresholdsSet};
use chrono::NaiveDate;

/// A year's evaluation as the committee reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Year {
    pub evaluation: Evaluation,
    /// The thresholds as set (none: the defaults stand).
    pub set: Option<ThresholdsSet>,
    pub decided: Decided,
}

/// Whether each subject met its plans for the year (`None`: no plan
/// judged): a cell, the plans it answers for
/// ([`crate::campaign::plans::cells_met`]); a member, their cell's.
fn plan_met(
    ward: &Ward,
    plans: &[crate::campaign::plans::Plan],
    year: i32,
    today: NaiveDate,
) -> impl Fn(SubjectKind, &str) -> Option<bool> {
    let cells = crate::campaign::plans::cells_met(ward, plans, year, today);
    let by_code: std::collections::HashMap<String, Option<bool>> = ward
        .cells
        .iter()
        .zip(&cells)
        .map(|(c, m)| (c.code.clone(), *m))
        .chain(
            ward.members
                .iter()
                .map(|m| (m.code.clone(), cells.get(m.cell).copied().flatten())),
        )
        .collect();
    move |_, code| by_code.get(code).copied().flatten()
}

/// The refusal of a year that has not begun (or is before the era).
pub fn year_refused(year: i32) -> StoreError {
    StoreError::BadInput(format!(
        "year: năm {year} chưa bắt đầu hoặc ngoài phạm vi (từ 2000 đến năm nay) / year {year} has not begun or is out of range (2000 to this year)"
    ))
}

/// The day `year` is evaluated on, or its refusal.
pub fn day_of(year: i32, today: NaiveDate) -> Result<NaiveDate> {
    if year < 2000 {
        return Err(year_refused(year));
    }
    evaluation::as_of(year, today).ok_or_else(|| year_refused(year))
}

/// `ward` evaluated for `year` (on 31/12, or `today` when earlier).
pub fn year(store: &Store, ward: &Ward, year: i32, today: NaiveDate) -> Result<Year> {
    let day = day_of(year, today)?;
    let set = store.evaluation_thresholds(year)?;
    let t = set.as_ref().map(|s| s.thresholds).unwrap_or_default();
    Ok(Year {
        evaluation: evaluation::evaluate(
            ward,
            year,
            day,
            &t,
            &plan_met(ward, &store.plans()?, year, today),
        ),
        set,
        decided: store.evaluation_ratings(year)?,
    })
}

/// The evaluation report of `year` (`hiendat report --by evaluation`).
pub fn report(store: &Store, ward: &Ward, y: i32, today: NaiveDate) -> Result<Report> {
    let e = year(store, ward, y, today)?;
    Ok(crate::report::evaluation::build(
        ward,
        &e.evaluation,
        &e.decided,
        e.set.is_none(),
    ))
}

/// The default thresholds (for the page's reset).
pub fn defaults() -> Thresholds {
    Thresholds::default()
}
