use super::*;
use crate::campaign::FeatureId;
use crate::campaign::events::Timeline;
use crate::campaign::figures::{CellFacts, MemberFacts, ParcelFacts, SegmentFacts};

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

fn parcel(
    key: i64,
    member: usize,
    from: NaiveDate,
    line: Vec<(NaiveDate, Status)>,
    contacts: Vec<NaiveDate>,
) -> ParcelFacts {
    ParcelFacts {
        key,
        id: FeatureId::Number(key.to_string()),
        map_sheet: None,
        parcel_no: None,
        group: Some("Tổ 1".into()),
        head: None,
        address: None,
        member_family: false,
        may_be_named: false,
        donations: vec![(0, 10.0)],
        timeline: Timeline(line),
        structures: Default::default(),
        assignments: vec![(member, from, None)],
        contacts,
    }
}

/// Members: An (0) has parcel 1 visited on 1/11 and parcel 2 agreed on
/// 1/10 (done: never idle); Bình (1) has parcel 3 persuaded on 1/9 and
/// never visited since, parcel 4 assigned only on 20/11; Chi (2) has
/// nothing assigned, but her own household (parcel 5, assigned to An
/// from 1/12) declined; Dũng (3) owns parcel 6, handed over.
fn ward() -> Ward {
    use Status::*;
    Ward {
        name: "Thử".into(),
        segments: vec![SegmentFacts {
            key: 1,
            id: "D1".into(),
            name: "Đường 1".into(),
            groups: vec!["Tổ 1".into()],
        }],
        groups: vec!["Tổ 1".into()],
        cells: vec![CellFacts {
            code: "CB1".into(),
            name: "Chi bộ 1".into(),
            groups: vec!["Tổ 1".into()],
        }],
        members: ["An", "Bình", "Chi", "Dũng"]
            .iter()
            .enumerate()
            .map(|(i, n)| MemberFacts {
                code: format!("DV{}", i + 1),
                name: (*n).into(),
                cell: 0,
                // Chi's family is parcel 5, Dũng's parcel 6 (indices 4, 5)
                household: [None, None, Some(4), Some(5)][i],
            })
            .collect(),
        parcels: vec![
            parcel(1, 0, day(9, 1), vec![], vec![day(11, 1)]),
            parcel(2, 0, day(9, 1), vec![(day(10, 1), Agreed)], vec![]),
            parcel(3, 1, day(9, 1), vec![(day(9, 1), Persuading)], vec![]),
            parcel(4, 1, day(11, 20), vec![], vec![]),
            parcel(5, 0, day(12, 1), vec![(day(11, 25), Declined)], vec![]),
            parcel(6, 0, day(9, 1), vec![(day(10, 5), HandedOver)], vec![]),
        ],
        ..Default::default()
    }
}

#[test]
fn members_whose_households_saw_no_contact_for_n_days_are_proposed_with_the_figures() {
    let w = ward();
    let list = proposals(&w, day(12, 1), 30, &[]);
    let codes: Vec<&str> = list.iter().map(|p| p.code.as_str()).collect();
    // An: parcel 1 visited 30 days before, parcel 5 just assigned; Bình:
    // parcel 3 untouched since 1/9 (91 days), parcel 4 assigned 11 days ago.
    assert_eq!(codes, ["DV1", "DV2", "DV3"]);
    assert_eq!(
        list[0].reasons,
        [Reason::Idle {
            households: 1,
            assigned: 4,
            longest_days: 30,
            threshold: 30
        }]
    );
    assert_eq!(
        list[1].reasons,
        [Reason::Idle {
            households: 1,
            assigned: 2,
            longest_days: 91,
            threshold: 30
        }]
    );
    assert_eq!(list[1].cell.as_deref(), Some("CB1"));
    let t = list[1].reasons[0].text();
    assert!(t.starts_with("1/2 hộ"), "{t}");
    assert!(
        t.contains("91 ngày") && t.contains("longest 91 days"),
        "{t}"
    );
}

#[test]
fn a_longer_idle_threshold_proposes_fewer_members() {
    let w = ward();
    let list = proposals(&w, day(12, 1), 31, &[]);
    let idle: Vec<&str> = list
        .iter()
        .filter(|p| p.reasons.iter().any(|r| r.code() == "idle"))
        .map(|p| p.code.as_str())
        .collect();
    assert_eq!(idle, ["DV2"]);
}

#[test]
fn a_member_whose_own_family_has_not_agreed_is_proposed_and_one_whose_family_donated_is_not() {
    let w = ward();
    let list = proposals(&w, day(12, 1), 30, &[]);
    let chi = list.iter().find(|p| p.code == "DV3").unwrap();
    assert_eq!(
        chi.reasons,
        [Reason::OwnFamily {
            status: Status::Declined
        }]
    );
    assert!(
        chi.reasons[0]
            .text()
            .contains("Chưa đồng ý".to_lowercase().as_str())
    );
    assert!(list.iter().all(|p| p.code != "DV4"));
    // Before her family declined, it had not decided yet: still proposed.
    let earlier = proposals(&w, day(11, 1), 400, &[]);
    let chi = earlier.iter().find(|p| p.code == "DV3").unwrap();
    assert_eq!(
        chi.reasons,
        [Reason::OwnFamily {
            status: Status::NotContacted
        }]
    );
}

#[test]
fn areas_behind_plan_come_from_the_caller_after_the_members() {
    let w = ward();
    let behind = [BehindPlan {
        kind: SubjectKind::Cell,
        code: "CB1".into(),
        name: "Chi bộ 1".into(),
        why_vi: "đạt 2/5 hộ".into(),
        why_en: "2 of 5 households".into(),
    }];
    let list = proposals(&w, day(12, 1), 30, &behind);
    let last = list.last().unwrap();
    assert_eq!((last.kind, last.code.as_str()), (SubjectKind::Cell, "CB1"));
    assert_eq!(
        last.reasons[0].text(),
        "Chậm so với kế hoạch: đạt 2/5 hộ / Behind plan: 2 of 5 households"
    );
    assert_eq!(list.len(), 4);
}

#[test]
fn an_action_is_done_overdue_or_open_on_a_day() {
    let a = RequiredAction {
        id: 1,
        text: "Khắc phục".into(),
        deadline: day(11, 30),
        done_on: None,
        follow_up: String::new(),
        version: 1,
    };
    assert_eq!(a.state_on(day(11, 30)), ActionState::Open);
    assert_eq!(a.state_on(day(12, 1)), ActionState::Overdue);
    let done = RequiredAction {
        done_on: Some(day(12, 3)),
        ..a
    };
    assert_eq!(done.state_on(day(12, 2)), ActionState::Overdue);
    assert_eq!(done.state_on(day(12, 3)), ActionState::Done);
}

#[test]
fn texts_and_deadlines_are_checked_naming_the_field() {
    assert_eq!(text_field("scope", "  a  ", true).unwrap(), "a");
    assert!(
        text_field("scope", " ", true)
            .unwrap_err()
            .starts_with("scope:")
    );
    assert_eq!(text_field("conclusion", "", false).unwrap(), "");
    let long = "x".repeat(MAX_TEXT + 1);
    assert!(
        text_field("findings", &long, true)
            .unwrap_err()
            .starts_with("findings:")
    );
    assert!(
        check_deadline(day(11, 1), day(11, 2))
            .unwrap_err()
            .starts_with("deadline:")
    );
    assert!(check_deadline(day(11, 2), day(11, 2)).is_ok());
}

#[test]
fn the_cell_answering_for_a_group_or_segment_behind_its_plan_is_proposed_once() {
    use crate::campaign::plans::{AreaKind, Behind, PlanArea};
    let mut w = ward();
    w.cells.push(CellFacts {
        code: "CB2".into(),
        name: "Chi bộ 2".into(),
        groups: vec!["Tổ 9".into()],
    });
    let area = |kind, code: &str| PlanArea {
        kind,
        code: code.into(),
    };
    let behind = [
        Behind {
            area: area(AreaKind::Group, "Tổ 1"),
            plan: 1,
            missed: vec![(day(11, 1), 30)],
        },
        Behind {
            area: area(AreaKind::Segment, &w.segments[0].id.clone()),
            plan: 2,
            missed: vec![(day(10, 1), 61), (day(11, 15), 16)],
        },
        // a group no cell covers answers to nobody
        Behind {
            area: area(AreaKind::Group, "Tổ 7"),
            plan: 3,
            missed: vec![(day(11, 1), 30)],
        },
    ];
    let cells = behind_plan(&w, &behind);
    assert_eq!(cells.len(), 1, "{cells:?}");
    assert_eq!(
        (cells[0].kind, cells[0].code.as_str()),
        (SubjectKind::Cell, "CB1")
    );
    assert!(
        cells[0].why_vi.contains("Tổ dân phố: Tổ 1"),
        "{}",
        cells[0].why_vi
    );
    assert!(
        cells[0]
            .why_vi
            .contains("2 mốc quá hạn (mốc 15/11/2026 quá 16 ngày)"),
        "{}",
        cells[0].why_vi
    );
    assert!(
        cells[0].why_en.contains("Road segment"),
        "{}",
        cells[0].why_en
    );
}
