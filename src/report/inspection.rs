//! The inspection report (`--by inspection`): the inspections held in a
//! period with their findings and conclusions, and every required action
//! with its state on the report's date (done, overdue, open). Laid out as
//! a [`Report`] that [`super::xlsx`], [`super::html`], [`super::csv`] and
//! [`super::docx`] write like any cut. Pure: the inspections are given.

use super::campaign::{Cut, Options};
use super::{Cell, Column, Kind, Report, Sheet};
use crate::campaign::inspection::{ActionState, Inspection};

fn col(key: &str, vi: &str, en: &str, kind: Kind) -> Column {
    Column {
        key: key.into(),
        vi: vi.into(),
        en: en.into(),
        kind,
    }
}

fn subject(i: &Inspection) -> String {
    let v = &i.values;
    match &i.subject_name {
        Some(n) => format!("{n} ({})", v.subject_code),
        None => v.subject_code.clone(),
    }
}

/// The report of `list` (the inspections held in the period) for `opt`:
/// one sheet of inspections, one of their required actions.
pub fn build(ward: &str, demo: bool, list: &[Inspection], opt: &Options) -> Report {
    let day = opt.as_of;
    let mut inspections = Sheet {
        key: Cut::Inspection.as_str().into(),
        name: "Kiểm tra, giám sát".into(),
        title: "Các cuộc kiểm tra, giám sát".into(),
        columns: vec![
            col("held_on", "Ngày", "Date", Kind::Date),
            col("kind", "Hình thức", "Kind", Kind::Text),
            col("subject_kind", "Đối tượng", "Subject", Kind::Text),
            col("subject", "Chi bộ / đảng viên", "Cell / member", Kind::Text),
            col("scope", "Nội dung, phạm vi", "Scope", Kind::Text),
            col("findings", "Kết quả kiểm tra", "Findings", Kind::Text),
            col("conclusion", "Kết luận", "Conclusion", Kind::Text),
            col(
                "actions",
                "Yêu cầu khắc phục",
                "Required actions",
                Kind::Count,
            ),
            col("done", "Đã thực hiện", "Done", Kind::Count),
            col("overdue", "Quá hạn", "Overdue", Kind::Count),
            col("open", "Đang thực hiện", "Open", Kind::Count),
        ],
        rows: Vec::new(),
        total: None,
    };
    let mut actions = Sheet {
        key: "inspection_actions".into(),
        name: "Yêu cầu khắc phục".into(),
        title: "Yêu cầu khắc phục và việc thực hiện".into(),
        columns: vec![
            col("held_on", "Ngày kiểm tra", "Inspection date", Kind::Date),
            col("subject", "Chi bộ / đảng viên", "Cell / member", Kind::Text),
            col("action", "Yêu cầu", "Required action", Kind::Text),
            col("deadline", "Hạn", "Deadline", Kind::Date),
            col("state", "Tình trạng", "State", Kind::Text),
            col("done_on", "Ngày thực hiện", "Done on", Kind::Date),
            col("follow_up", "Theo dõi, đôn đốc", "Follow-up", Kind::Text),
        ],
        rows: Vec::new(),
        total: None,
    };
    let mut totals = [0usize; 4];
    for i in list {
        let v = &i.values;
        let mut n = [0usize; 3];
        for a in &i.actions {
            let st = a.state_on(day);
            n[match st {
                ActionState::Done => 0,
                ActionState::Overdue => 1,
                ActionState::Open => 2,
            }] += 1;
            actions.rows.push(vec![
                v.held_on.into(),
                subject(i).into(),
                a.text.clone().into(),
                a.deadline.into(),
                st.label().into(),
                a.done_on.filter(|d| *d <= day).into(),
                Cell::from(a.follow_up.clone()),
            ]);
        }
        inspections.rows.push(vec![
            v.held_on.into(),
            v.kind.label().into(),
            v.subject_kind.label().into(),
            subject(i).into(),
            v.scope.clone().into(),
            v.findings.clone().into(),
            v.conclusion.clone().into(),
            i.actions.len().into(),
            n[0].into(),
            n[1].into(),
            n[2].into(),
        ]);
        totals[0] += i.actions.len();
        for k in 0..3 {
            totals[k + 1] += n[k];
        }
    }
    if !list.is_empty() {
        let mut t: Vec<Cell> = vec!["Tổng cộng".into()];
        t.extend(std::iter::repeat_n(Cell::Empty, 6));
        t.extend(totals.iter().map(|&x| Cell::from(x)));
        inspections.total = Some(t);
    }
    let mut notes = vec![format!(
        "Quá hạn: yêu cầu chưa thực hiện xong khi đã qua hạn, tính đến ngày {}. / Overdue: not done by its deadline, as of {}.",
        super::date_vi(day),
        day
    )];
    if demo {
        notes.push("DỮ LIỆU MẪU — không phải số liệu thật. / Demo data, not real figures.".into());
    }
    Report {
        ward: format!("Phường {ward}"),
        committee: format!("Ủy ban Kiểm tra Đảng ủy phường {ward}"),
        title: "Báo cáo kết quả kiểm tra, giám sát trong vận động hiến đất mở rộng đường".into(),
        title_en: "Inspection and supervision in the road-widening land donation campaign".into(),
        as_of: day,
        from: opt.from,
        issued_on: None,
        sheets: vec![inspections, actions],
        notes,
        periodic: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::inspection::{
        InspectionKind, InspectionValues, RequiredAction, SubjectKind,
    };
    use chrono::NaiveDate;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    #[test]
    fn each_inspection_counts_its_actions_done_overdue_and_open_on_the_report_date() {
        let action = |id, deadline, done_on| RequiredAction {
            id,
            text: format!("Yêu cầu {id}"),
            deadline,
            done_on,
            follow_up: String::new(),
            version: 1,
        };
        let i = Inspection {
            id: 1,
            values: InspectionValues {
                subject_kind: SubjectKind::Member,
                subject_code: "DV1".into(),
                kind: InspectionKind::Inspection,
                held_on: day(11, 1),
                scope: "Phạm vi".into(),
                findings: "Kết quả".into(),
                conclusion: "Kết luận".into(),
            },
            subject_name: Some("Nguyễn An".into()),
            entered_at: String::new(),
            entered_by: "ukt".into(),
            version: 1,
            actions: vec![
                action(1, day(11, 10), Some(day(11, 9))),
                action(2, day(11, 15), None),
                action(3, day(12, 30), None),
                action(4, day(11, 20), Some(day(12, 3))),
            ],
            attachments: vec![],
        };
        let mut opt = Options::new(day(12, 1));
        opt.from = Some(day(11, 1));
        let r = build("Thử", false, &[i], &opt);
        let row = &r.sheets[0].rows[0];
        assert_eq!(row[3], Cell::Text("Nguyễn An (DV1)".into()));
        // 4 actions: 1 done, 2 overdue (one done only after the date), 1 open
        let counts: Vec<&Cell> = row[7..].iter().collect();
        assert_eq!(
            counts,
            [
                &Cell::Number(4.0),
                &Cell::Number(1.0),
                &Cell::Number(2.0),
                &Cell::Number(1.0)
            ]
        );
        assert_eq!(r.sheets[1].rows.len(), 4);
        assert_eq!(
            r.sheets[1].rows[3][4],
            Cell::Text("Quá hạn / Overdue".into())
        );
        assert_eq!(r.sheets[1].rows[3][5], Cell::Empty);
        assert_eq!(r.sheets[0].total.as_ref().unwrap()[8], Cell::Number(1.0));
    }
}
