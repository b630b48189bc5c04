use super::*;
use crate::campaign::FeatureId;
use crate::campaign::events::Status::{self, *};
use crate::campaign::events::Timeline;
use crate::campaign::figures::{CellFacts, MemberFacts, ParcelFacts, SegmentFacts};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn parcel(
    key: i64,
    line: Vec<(NaiveDate, Status)>,
    member: Option<usize>,
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
        donations: vec![(0, 50.0)],
        timeline: Timeline(line),
        structures: Default::default(),
        assignments: member
            .map(|m| vec![(m, d(2026, 1, 1), None)])
            .unwrap_or_default(),
        contacts,
    }
}

/// One cell (Tổ 1), two members. Member A (DV1): own household p0 agreed
/// on 1/3; assigned p1 (agreed 1/2; visits 20/12/2025 and 10/1), p2
/// (persuading from 1/4, visited then), p3 (agreed 1/5, signed 1/6,
/// handed over 1/7), p4 (never contacted). Member B (DV2): own household p6
/// never contacted; assigned p5 (declined 1/8).
fn ward() -> Ward {
    Ward {
        name: "Thử".into(),
        parcels: vec![
            parcel(0, vec![(d(2026, 3, 1), Agreed)], None, vec![]),
            parcel(
                1,
                vec![(d(2026, 2, 1), Agreed)],
                Some(0),
                vec![d(2025, 12, 20), d(2026, 1, 10)],
            ),
            parcel(
                2,
                vec![(d(2026, 4, 1), Persuading)],
                Some(0),
                vec![d(2026, 4, 1)],
            ),
            parcel(
                3,
                vec![
                    (d(2026, 5, 1), Agreed),
                    (d(2026, 6, 1), Signed),
                    (d(2026, 7, 1), HandedOver),
                ],
                Some(0),
                vec![],
            ),
            parcel(4, vec![], Some(0), vec![]),
            parcel(5, vec![(d(2026, 8, 1), Declined)], Some(1), vec![]),
            parcel(6, vec![], None, vec![]),
        ],
        segments: vec![SegmentFacts {
            key: 1,
            id: "S1".into(),
            name: "Đường 1".into(),
            groups: vec!["Tổ 1".into()],
        }],
        groups: vec!["Tổ 1".into()],
        cells: vec![CellFacts {
            code: "CB1".into(),
            name: "Chi bộ 1".into(),
            groups: vec!["Tổ 1".into()],
        }],
        members: vec![
            MemberFacts {
                code: "DV1".into(),
                name: "A".into(),
                cell: 0,
                household: Some(0),
            },
            MemberFacts {
                code: "DV2".into(),
                name: "B".into(),
                cell: 0,
                household: Some(6),
            },
        ],
        ..Ward::default()
    }
}

fn no_plan(_: SubjectKind, _: &str) -> Option<bool> {
    None
}

fn eval(t: &Thresholds) -> Evaluation {
    evaluate(&ward(), 2026, d(2026, 12, 31), t, &no_plan)
}

#[test]
fn a_members_criteria_are_counted_from_the_record_as_by_hand() {
    let e = eval(&Thresholds::default());
    let a = &e.members[0];
    assert_eq!(
        (
            a.figures.assigned,
            a.figures.contacted,
            a.figures.agreed,
            a.figures.handed_over
        ),
        (4, 3, 2, 1)
    );
    // the visit of 20/12/2025 is last year's
    assert_eq!(a.figures.period_contacts, 2);
    let own = a.own.unwrap();
    assert_eq!(own.agreed_on, Some(d(2026, 3, 1)));
    // on 28/2 only p1 of the cell's 7 affected households had agreed
    assert!(own.went_first);
    assert_eq!(a.shares.families_first, Some(1.0));
    assert_eq!(a.shares.contacted, Some(0.75));
    assert_eq!(a.shares.agreed, Some(0.5));
    assert_eq!(a.shares.handed_over, Some(0.25));
    // 75 % contacted keeps A from "good" (90 %): completed
    assert_eq!(
        a.suggested,
        Suggestion {
            band: Band::Completed,
            short_of: Some(Criterion::Contacted)
        }
    );
    let b = &e.members[1];
    assert!(!b.own.unwrap().went_first);
    assert_eq!(b.shares.families_first, Some(0.0));
    assert_eq!(
        b.suggested,
        Suggestion {
            band: Band::NotCompleted,
            short_of: Some(Criterion::Agreed)
        }
    );
}

#[test]
fn a_cells_criteria_are_its_households_and_its_members_summed() {
    let e = eval(&Thresholds::default());
    let c = &e.cells[0];
    assert_eq!(c.tally.affected, 7);
    assert_eq!(c.member_count, 2);
    assert_eq!((c.families, c.families_first), (2, 1));
    assert_eq!((c.members.assigned, c.members.contacted), (5, 4));
    assert_eq!(c.shares.families_first, Some(0.5));
    assert_eq!(c.shares.contacted, Some(0.8));
    assert_eq!(c.shares.agreed, Some(3.0 / 7.0));
    assert_eq!(c.shares.handed_over, Some(1.0 / 7.0));
    assert_eq!(
        c.suggested,
        Suggestion {
            band: Band::Completed,
            short_of: Some(Criterion::FamiliesFirst)
        }
    );
}

#[test]
fn a_share_equal_to_its_minimum_meets_it_and_one_just_above_does_not() {
    let mut t = Thresholds::default();
    t.completed.agreed = 0.5;
    assert_eq!(eval(&t).members[0].suggested.band, Band::Completed);
    t.completed.agreed = 0.500_001;
    assert_eq!(
        eval(&t).members[0].suggested,
        Suggestion {
            band: Band::NotCompleted,
            short_of: Some(Criterion::Agreed)
        }
    );
    // all minimums met: excellent, nothing short
    let mut t = Thresholds::default();
    t.excellent.contacted = 0.75;
    t.excellent.agreed = 0.5;
    t.excellent.handed_over = 0.25;
    t.good = t.excellent;
    t.completed.contacted = 0.75;
    assert_eq!(
        eval(&t).members[0].suggested,
        Suggestion {
            band: Band::Excellent,
            short_of: None
        }
    );
}

#[test]
fn a_plan_not_met_holds_back_only_where_the_band_asks_for_it() {
    let mut t = Thresholds::default();
    t.excellent.contacted = 0.75;
    t.excellent.agreed = 0.5;
    t.excellent.handed_over = 0.25;
    t.good = t.excellent;
    t.good.plan_met = false;
    let missed = |_: SubjectKind, code: &str| (code == "DV1").then_some(false);
    let e = evaluate(&ward(), 2026, d(2026, 12, 31), &t, &missed);
    assert_eq!(
        e.members[0].suggested,
        Suggestion {
            band: Band::Good,
            short_of: Some(Criterion::PlanMet)
        }
    );
}

#[test]
fn a_member_with_no_households_assigned_is_at_most_completed() {
    // in 2025 nobody was assigned yet
    let e = evaluate(
        &ward(),
        2025,
        d(2025, 12, 31),
        &Thresholds::default(),
        &no_plan,
    );
    let a = &e.members[0];
    assert_eq!(a.figures.assigned, 0);
    assert_eq!(a.figures.period_contacts, 0);
    assert_eq!(
        a.suggested,
        Suggestion {
            band: Band::Completed,
            short_of: Some(Criterion::Assigned)
        }
    );
    // and A's family had not agreed yet
    assert_eq!(a.own.unwrap().agreed_on, None);
}

#[test]
fn a_household_that_withdrew_has_not_gone_first() {
    let mut w = ward();
    w.parcels[0].timeline = Timeline(vec![(d(2026, 3, 1), Agreed), (d(2026, 9, 1), Declined)]);
    let e = evaluate(&w, 2026, d(2026, 12, 31), &Thresholds::default(), &no_plan);
    assert_eq!(e.members[0].own.unwrap().agreed_on, None);
    assert!(!e.members[0].own.unwrap().went_first);
    // agreed again: the run of agreement starts anew
    w.parcels[0].timeline.0.push((d(2026, 10, 1), Agreed));
    let e = evaluate(&w, 2026, d(2026, 12, 31), &Thresholds::default(), &no_plan);
    assert_eq!(e.members[0].own.unwrap().agreed_on, Some(d(2026, 10, 1)));
}

#[test]
fn a_year_not_begun_has_no_day_and_the_current_one_stops_today() {
    assert_eq!(as_of(2027, d(2026, 12, 5)), None);
    assert_eq!(as_of(2026, d(2026, 12, 5)), Some(d(2026, 12, 5)));
    assert_eq!(as_of(2025, d(2026, 12, 5)), Some(d(2025, 12, 31)));
}

#[test]
fn thresholds_out_of_range_or_out_of_order_are_refused_naming_the_field() {
    assert_eq!(Thresholds::default().check(), Ok(()));
    let mut t = Thresholds::default();
    t.good.agreed = 1.2;
    assert_eq!(t.check().unwrap_err().0, "good.agreed");
    let mut t = Thresholds::default();
    t.completed.handed_over = 0.5;
    assert_eq!(t.check().unwrap_err().0, "completed.handed_over");
    let mut t = Thresholds::default();
    t.excellent.plan_met = false;
    assert_eq!(t.check().unwrap_err().0, "good.plan_met");
    let mut t = Thresholds::default();
    t.excellent.contacted = f64::NAN;
    assert_eq!(t.check().unwrap_err().0, "excellent.contacted");
}

#[test]
fn bands_read_back_from_their_codes() {
    for b in Band::ALL {
        assert_eq!(Band::parse(b.code()), Some(b));
    }
    assert_eq!(Band::parse("great"), None);
    assert_eq!(Band::Good.label(), "Hoàn thành tốt nhiệm vụ / good");
}
