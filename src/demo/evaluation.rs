//! The demo ward's annual evaluation: the Standing Committee has set the
//! year's thresholds (a little gentler on hand-over than the defaults: the
//! campaign began mid-year) and decided the ratings of the first cells and
//! some of their members — most as suggested, one raised with a note — so
//! that the "Đánh giá, xếp loại" section shows suggested beside decided,
//! and subjects still to decide.

use crate::campaign::evaluation::{Band, SubjectKind, Thresholds};
use crate::campaign::figures::Ward;
use crate::store::{RatingInput, Result, Store};
use chrono::{Datelike, NaiveDate};

/// Who decides in the demo (a Standing Committee member's login).
pub const DECIDER: &str = "bt.hoa";

/// Sets `today`'s year's thresholds and decides some ratings of `ward`
/// (its facts as stored).
pub fn generate(store: &mut Store, ward: &Ward, today: NaiveDate) -> Result<()> {
    let year = today.year();
    let mut t = Thresholds::default();
    t.excellent.handed_over = 0.5;
    t.good.handed_over = 0.3;
    let at = format!("{}T02:00:00Z", today - chrono::Days::new(3));
    store.set_evaluation_thresholds(year, &t, 0, DECIDER, &at)?;
    let e = crate::ops::evaluation::year(store, ward, year, today)?;
    let at = format!("{}T03:00:00Z", today - chrono::Days::new(2));
    let mut decided = Vec::new();
    for c in e.evaluation.cells.iter().take(2) {
        decided.push((
            SubjectKind::Cell,
            ward.cells[c.cell].code.clone(),
            c.suggested.band,
            None,
        ));
    }
    let firsts: Vec<_> = e
        .evaluation
        .members
        .iter()
        .filter(|m| ward.members[m.member].cell < 2)
        .take(6)
        .collect();
    for (i, m) in firsts.iter().enumerate() {
        let code = ward.members[m.member].code.clone();
        let (band, note) = if i == 1 && m.suggested.band != Band::Excellent {
            let up = Band::ALL[Band::ALL
                .iter()
                .position(|b| *b == m.suggested.band)
                .unwrap_or(1)
                - 1];
            (
                up,
                Some("Chi bộ đề nghị nâng mức: đồng chí trực tiếp vận động hộ khó nhất tổ, hộ đã đồng ý đầu tháng 12. / Raised at the cell's proposal: won over the group's hardest household in early December.".to_string()),
            )
        } else {
            (m.suggested.band, None)
        };
        decided.push((SubjectKind::Member, code, band, note));
    }
    for (kind, subject, band, note) in decided {
        store.rate(&RatingInput {
            year,
            kind,
            subject,
            band,
            note,
            expected: 0,
            by: DECIDER.into(),
            at: at.clone(),
        })?;
    }
    Ok(())
}
