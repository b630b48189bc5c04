//! A report as the public may read it. Voluntary means refusal is private:
//! the columns counting households not contacted, being persuaded and
//! declined become one column, "Chưa hiến (hộ)" (not yet), their sum, as
//! the public statuses join them ([`PublicStatus::NotYet`]). A report laid
//! out today and one frozen before this rule both pass through here before
//! an anonymous visitor gets them, so neither tells a neighbour how many
//! households of a small group said no, nor on which day one did.

use super::{Cell, Column, Kind, Report};
use crate::campaign::events::PublicStatus;

/// The machine name of the joined column.
pub const NOT_YET: &str = "not_yet";

/// `r` with, in every sheet, the columns of the steps the public reads as
/// "not yet" joined into one (where the first of them stood).
pub fn for_public(mut r: Report) -> Report {
    let hidden: Vec<&str> = PublicStatus::NotYet
        .statuses()
        .map(|s| s.as_str())
        .collect();
    for sheet in &mut r.sheets {
        let idx: Vec<usize> = sheet
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| hidden.contains(&c.key.as_str()))
            .map(|(i, _)| i)
            .collect();
        let Some(&first) = idx.first() else { continue };
        sheet.columns[first] = Column {
            key: NOT_YET.into(),
            vi: "Chưa hiến (hộ)".into(),
            en: "Not yet donated".into(),
            kind: Kind::Count,
        };
        for row in sheet.rows.iter_mut().chain(sheet.total.iter_mut()) {
            join(row, &idx);
        }
        for &i in idx[1..].iter().rev() {
            sheet.columns.remove(i);
        }
    }
    r
}

/// The cells at `idx` summed into the first of them; the others removed.
fn join(row: &mut Vec<Cell>, idx: &[usize]) {
    let mut sum = None;
    for &i in idx {
        if let Some(Cell::Number(x)) = row.get(i) {
            sum = Some(sum.unwrap_or(0.0) + x);
        }
    }
    if let Some(c) = row.get_mut(idx[0]) {
        *c = sum.map_or(Cell::Empty, Cell::Number);
    }
    for &i in idx[1..].iter().rev() {
        if i < row.len() {
            row.remove(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::events::Status;
    use crate::report::Sheet;
    use chrono::NaiveDate;

    fn col(key: &str) -> Column {
        Column {
            key: key.into(),
            vi: key.into(),
            en: key.into(),
            kind: Kind::Count,
        }
    }

    #[test]
    fn the_three_private_steps_become_one_not_yet_column() {
        let keys = ["group", "affected"]
            .into_iter()
            .chain(Status::ALL.iter().map(|s| s.as_str()));
        let n = |x: f64| Cell::Number(x);
        let report = Report {
            ward: "Phường Thử".into(),
            committee: String::new(),
            title: String::new(),
            title_en: String::new(),
            as_of: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            from: None,
            issued_on: None,
            sheets: vec![Sheet {
                key: "group".into(),
                name: String::new(),
                title: String::new(),
                columns: keys.map(col).collect(),
                rows: vec![vec![
                    "Tổ 1".into(),
                    n(9.0),
                    n(2.0),
                    n(3.0),
                    n(1.0),
                    n(1.0),
                    n(1.0),
                    n(1.0),
                ]],
                total: Some(vec![
                    "Tổng cộng".into(),
                    n(9.0),
                    n(2.0),
                    n(3.0),
                    n(1.0),
                    n(1.0),
                    n(1.0),
                    n(1.0),
                ]),
            }],
            notes: Vec::new(),
            periodic: None,
        };
        let p = for_public(report);
        let s = &p.sheets[0];
        let keys: Vec<&str> = s.columns.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "group",
                "affected",
                "not_yet",
                "agreed",
                "signed",
                "handed_over"
            ]
        );
        assert_eq!(s.columns[2].vi, "Chưa hiến (hộ)");
        assert_eq!(s.rows[0][2], n(6.0));
        assert_eq!(s.rows[0].len(), 6);
        assert_eq!(s.total.as_ref().unwrap()[2], n(6.0));
    }
}
