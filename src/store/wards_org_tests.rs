//! Two wards in one database (issue 18, item 2): the organisation, the
//! party's work (plans, inspections, the evaluation) and the users of one
//! ward never reach into the other's, though both use the same parcel ids,
//! group names and member codes.

use super::tests::{import_into, small_ward};
use super::*;
use crate::campaign::FeatureId;
use crate::campaign::evaluation::{Band, SubjectKind as RatedKind, Thresholds};
use crate::campaign::inspection::{InspectionKind, InspectionValues, SubjectKind};
use crate::campaign::org::{Area, AssignmentInput, CellInput, LeadInput, MemberInput, Org};
use crate::campaign::plans::{AreaKind, MAX_PLANS, Milestone, PlanArea, PlanDraft};
use crate::geometry::crs::Crs;
use chrono::NaiveDate;
use rusqlite::types::Value;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A ward's organisation: two cells, `DV001` (secretary of `CB01`, own
/// household on parcel 101) and `DV002`; `DV001` is assigned `assigned`,
/// `DV002` the other of 102/103. `tag` tells the wards' names apart.
fn org(tag: &str, assigned: i64) -> Org {
    let other = if assigned == 102 { 103 } else { 102 };
    let cell = |code: &str, group: &str, line| CellInput {
        code: code.into(),
        name: format!("Chi bộ {code} {tag}"),
        groups: vec![group.into()],
        secretary: Some(format!("Bí thư {tag}")),
        line,
    };
    let member = |code: &str, cell: &str, role: &str, household: Option<i64>, line| MemberInput {
        code: code.into(),
        name: format!("Đảng viên {code} {tag}"),
        cell: cell.into(),
        role: Some(role.into()),
        household: household.map(FeatureId::from),
        line,
    };
    let assign = |m: &str, p: i64, line| AssignmentInput {
        member: m.into(),
        parcel: FeatureId::from(p),
        from: day(2026, 11, 1),
        to: None,
        line,
    };
    Org {
        cells: vec![
            cell("CB01", "Tổ dân phố 1", 2),
            cell("CB02", "Tổ dân phố 2", 3),
        ],
        members: vec![
            member("DV001", "CB01", "Bí thư chi bộ", Some(101), 2),
            member("DV002", "CB02", "Đảng viên", None, 3),
        ],
        assignments: vec![assign("DV001", assigned, 2), assign("DV002", other, 3)],
        leads: vec![
            LeadInput {
                name: format!("Ủy viên {tag}"),
                title: Some("Ủy viên Ban Thường vụ".into()),
                area: Area::Group("Tổ dân phố 1".into()),
                line: 2,
            },
            LeadInput {
                name: format!("Ủy viên đoạn {tag}"),
                title: None,
                area: Area::Segment(FeatureId::from(1)),
                line: 3,
            },
        ],
    }
}

/// Ward 1 (the database's first) and ward `b`, each with the small ward's
/// parcels (the same ids) and an organisation (the same codes): in ward 1
/// `DV001` is assigned parcel 102, in `b` parcel 103.
fn two_wards() -> (Store, WardId, WardId) {
    let (segments, parcels) = small_ward();
    let crs = Crs::vn2000_thanh_hoa();
    let mut s = Store::open_in_memory().unwrap();
    let a = s.ward_id();
    let org_a = org("A", 102);
    import_into(&mut s, &crs, &segments, &parcels, Some(&org_a));
    let b = s
        .add_ward("b", "Phường B", WardKind::Phuong, None, None)
        .unwrap()
        .id;
    s.use_ward(b).unwrap();
    let org_b = org("B", 103);
    import_into(&mut s, &crs, &segments, &parcels, Some(&org_b));
    s.use_ward(a).unwrap();
    (s, a, b)
}

fn rows(s: &Store, sql: &str, ward: i64) -> Vec<Vec<Value>> {
    let mut st = s.conn.prepare(sql).unwrap();
    let n = st.column_count();
    st.query_map([ward], |r| (0..n).map(|i| r.get::<_, Value>(i)).collect())
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// Every row of the ward's organisation, its history and its party work,
/// as stored (all columns, in row-id order).
fn ward_rows(s: &Store, ward: WardId) -> Vec<(&'static str, Vec<Vec<Value>>)> {
    [
        ("party_cells", "SELECT * FROM party_cells WHERE ward = ?1 ORDER BY id"),
        ("party_members", "SELECT * FROM party_members WHERE ward = ?1 ORDER BY id"),
        (
            "cell_groups",
            "SELECT * FROM cell_groups WHERE cell IN (SELECT id FROM party_cells WHERE ward = ?1)
             ORDER BY cell, residential_group",
        ),
        (
            "assignments",
            "SELECT * FROM assignments WHERE member IN (SELECT id FROM party_members WHERE ward = ?1)
             ORDER BY id",
        ),
        (
            "area_leads",
            "SELECT l.* FROM area_leads l
             LEFT JOIN residential_groups g ON g.id = l.residential_group
             LEFT JOIN segments sg ON sg.id = l.segment
             WHERE coalesce(g.ward, sg.ward) = ?1 ORDER BY l.id",
        ),
        ("org_changes", "SELECT * FROM org_changes WHERE ward = ?1 ORDER BY id"),
        ("plans", "SELECT * FROM plans WHERE ward = ?1 ORDER BY id"),
        (
            "plan_history",
            "SELECT * FROM plan_history WHERE plan IN (SELECT id FROM plans WHERE ward = ?1) ORDER BY id",
        ),
        ("inspections", "SELECT * FROM inspections WHERE ward = ?1 ORDER BY id"),
        (
            "inspection_actions",
            "SELECT * FROM inspection_actions
             WHERE inspection IN (SELECT id FROM inspections WHERE ward = ?1) ORDER BY id",
        ),
        (
            "evaluation_ratings",
            "SELECT * FROM evaluation_ratings WHERE ward = ?1 ORDER BY id",
        ),
        (
            "evaluation_thresholds",
            "SELECT * FROM evaluation_thresholds WHERE ward = ?1 ORDER BY id",
        ),
    ]
    .into_iter()
    .map(|(t, sql)| (t, rows(s, sql, ward.0)))
    .collect()
}

fn plan_draft(households: u32) -> PlanDraft {
    PlanDraft {
        area: PlanArea {
            kind: AreaKind::Cell,
            code: "CB01".into(),
        },
        area_name: "Chi bộ CB01".into(),
        title: "Vận động tổ 1".into(),
        note: None,
        milestones: vec![Milestone {
            due: day(2026, 12, 31),
            households: Some(households),
            area_m2: None,
        }],
    }
}

fn inspection_values(code: &str) -> InspectionValues {
    InspectionValues {
        subject_kind: SubjectKind::Member,
        subject_code: code.into(),
        kind: InspectionKind::Supervision,
        held_on: day(2026, 11, 20),
        scope: "Việc vận động hộ được phân công".into(),
        findings: "Đã gặp đủ các hộ".into(),
        conclusion: "Tốt".into(),
    }
}

/// Some of everything in the current ward: an organisation edit, a plan,
/// an inspection with an action, a rating and thresholds.
fn party_work(s: &mut Store) {
    let by = OrgAuthor::now("lan", day(2026, 11, 15));
    let v = s.org_version(OrgWhat::Cell, "CB02").unwrap();
    s.edit_cell(
        &CellEdit {
            code: "CB02".into(),
            name: "Chi bộ 2 (đổi tên)".into(),
            secretary: None,
            groups: vec!["Tổ dân phố 2".into()],
        },
        v,
        &by,
    )
    .unwrap();
    s.assign(&FeatureId::from(103), "DV001", day(2026, 11, 20), "lan")
        .unwrap();
    s.add_plan(&plan_draft(2), "lan", "2026-11-21T00:00:00Z")
        .unwrap();
    s.add_inspection(
        &inspection_values("DV001"),
        &[("Gặp lại hộ 103".into(), day(2026, 12, 1))],
        "ukt",
    )
    .unwrap();
    s.rate(&RatingInput {
        year: 2026,
        kind: RatedKind::Member,
        subject: "DV001".into(),
        band: Band::Good,
        note: None,
        expected: 0,
        by: "bt".into(),
        at: "2026-12-05T00:00:00Z".into(),
    })
    .unwrap();
    s.set_evaluation_thresholds(
        2026,
        &Thresholds::default(),
        0,
        "bt",
        "2026-12-05T00:00:00Z",
    )
    .unwrap();
}

#[test]
fn importing_ward_bs_organisation_keeps_ward_as_organisation_and_history_byte_for_byte() {
    let (mut s, a, b) = two_wards();
    party_work(&mut s);
    let before = ward_rows(&s, a);
    assert!(before.iter().all(|(_, r)| !r.is_empty()), "{before:?}");
    let cells_a = s.cells().unwrap();
    let members_a = s.members().unwrap();
    let assignments_a = s.assignments(None).unwrap();
    let leads_a = s.leads().unwrap();
    let history_a = s.org_history(None, None, 100).unwrap();

    s.use_ward(b).unwrap();
    // ward B's organisation replaced twice (the second time its own rows
    // are deleted first), then edited, and its party work recorded
    let mut again = org("B2", 102);
    again.cells[0].name = "Chi bộ mới".into();
    s.import_org(&again).unwrap();
    s.import_org(&org("B3", 103)).unwrap();
    party_work(&mut s);
    let v = s.org_version(OrgWhat::Member, "DV002").unwrap();
    s.reassign(
        "DV001",
        &[FeatureId::from(102)],
        &Default::default(),
        &OrgAuthor::now("lan", day(2026, 11, 25)),
    )
    .unwrap();
    s.remove_member("DV002", v, &OrgAuthor::now("lan", day(2026, 11, 26)))
        .unwrap();
    assert_eq!(
        s.members()
            .unwrap()
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>(),
        ["Đảng viên DV001 B3"],
        "ward B's own organisation changed"
    );

    assert_eq!(ward_rows(&s, a), before, "ward A's rows as they were");
    s.use_ward(a).unwrap();
    assert_eq!(s.cells().unwrap(), cells_a);
    assert_eq!(s.members().unwrap(), members_a);
    assert_eq!(s.assignments(None).unwrap(), assignments_a);
    assert_eq!(s.leads().unwrap(), leads_a);
    assert_eq!(s.org_history(None, None, 100).unwrap(), history_a);
    assert!(
        members_a.iter().all(|m| m.name.ends_with(" A")),
        "ward A reads its own: {members_a:?}"
    );
}

#[test]
fn the_same_member_code_names_each_wards_own_member() {
    let (mut s, a, b) = two_wards();
    let name_of = |s: &Store| -> Vec<(String, String)> {
        s.members()
            .unwrap()
            .into_iter()
            .map(|m| (m.code, m.name))
            .collect()
    };
    assert_eq!(
        name_of(&s),
        [
            ("DV001".to_string(), "Đảng viên DV001 A".to_string()),
            ("DV002".into(), "Đảng viên DV002 A".into())
        ]
    );
    // DV001 is assigned 102 in A, 103 in B: each ward's parcel row ids
    let assigned = |s: &Store| -> Vec<(i64, String)> {
        s.assignments(None)
            .unwrap()
            .into_iter()
            .map(|r| (r.parcel, r.member_code))
            .collect()
    };
    let key = |s: &Store, fid: &str| s.parcel_row_id(fid).unwrap();
    assert!(assigned(&s).contains(&(key(&s, "102"), "DV001".into())));
    s.use_ward(b).unwrap();
    assert_eq!(name_of(&s)[0].1, "Đảng viên DV001 B");
    assert!(assigned(&s).contains(&(key(&s, "103"), "DV001".into())));
    assert!(
        assigned(&s).iter().all(|(p, _)| {
            s.parcel_ids_of(&[*p]).unwrap().len() == 1
                && rows(&s, "SELECT ward FROM parcels WHERE id = ?1", *p)[0][0]
                    == Value::Integer(b.0)
        }),
        "every assignment read in B is on a parcel of B"
    );
    // an edit of B's DV001 in B leaves A's DV001
    let v = s.org_version(OrgWhat::Member, "DV001").unwrap();
    s.edit_member(
        &MemberEdit {
            code: "DV001".into(),
            name: "Tên mới ở B".into(),
            cell: "CB02".into(),
            role: None,
            household: Some(FeatureId::from(102)),
        },
        v,
        &OrgAuthor::now("lan", day(2026, 11, 20)),
    )
    .unwrap();
    // a code taken in A only is free in B, and the other way round
    s.add_member(
        &MemberEdit {
            code: "DV777".into(),
            name: "Chỉ ở B".into(),
            cell: "CB01".into(),
            role: None,
            household: None,
        },
        &OrgAuthor::now("lan", day(2026, 11, 20)),
    )
    .unwrap();
    // the inspection names B's member
    let i = s
        .add_inspection(&inspection_values("DV001"), &[], "ukt")
        .unwrap();
    assert_eq!(i.subject_name.as_deref(), Some("Tên mới ở B"));
    s.use_ward(a).unwrap();
    assert_eq!(name_of(&s)[0].1, "Đảng viên DV001 A");
    assert!(
        !name_of(&s).iter().any(|(c, _)| c == "DV777"),
        "B's new member is not A's"
    );
    let Err(StoreError::BadInput(m)) = s.add_inspection(&inspection_values("DV777"), &[], "ukt")
    else {
        panic!("A inspected B's member")
    };
    assert!(m.starts_with("subject_code: "), "{m}");
    assert!(
        matches!(
            s.assign(&FeatureId::from(102), "DV777", day(2026, 12, 1), "lan"),
            Err(StoreError::NotFound {
                what: What::Member,
                ..
            })
        ),
        "A assigned B's member"
    );
    // each ward's DV001 has its own history and version
    let va = s.org_version(OrgWhat::Member, "DV001").unwrap();
    s.use_ward(b).unwrap();
    let vb = s.org_version(OrgWhat::Member, "DV001").unwrap();
    assert_ne!(va, vb);
    assert_eq!(
        s.org_history(Some(OrgWhat::Member), Some("DV001"), 10)
            .unwrap()
            .iter()
            .map(|r| r.change.as_str())
            .collect::<Vec<_>>(),
        ["edited", "imported"]
    );
    s.use_ward(a).unwrap();
    assert_eq!(
        s.org_history(Some(OrgWhat::Member), Some("DV001"), 10)
            .unwrap()
            .len(),
        1,
        "A's DV001 was never edited"
    );
}

#[test]
fn a_secretarys_scope_never_reaches_the_other_ward() {
    let (mut s, a, b) = two_wards();
    let ward_of =
        |s: &Store, p: i64| rows(s, "SELECT ward FROM parcels WHERE id = ?1", p)[0][0].clone();
    for w in [a, b] {
        s.use_ward(w).unwrap();
        let secretary = s
            .add_user_as(
                &format!("bithu{}", w.0),
                Role::Secretary,
                "mật khẩu dài lắm",
                Some("DV001"),
                Some(w),
            )
            .unwrap();
        let member = s
            .add_user_as(
                &format!("dangvien{}", w.0),
                Role::Member,
                "mật khẩu dài lắm",
                Some("DV002"),
                Some(w),
            )
            .unwrap();
        for u in [&secretary, &member] {
            let scope = s.scope_of(u, day(2026, 12, 1)).unwrap();
            let parcels = scope.parcels().unwrap();
            assert!(!parcels.is_empty(), "{} reaches households", u.name);
            assert!(
                parcels
                    .iter()
                    .all(|p| ward_of(&s, *p) == Value::Integer(w.0)),
                "{}: {parcels:?} all in ward {}",
                u.name,
                w.0
            );
        }
        // the other ward's store refuses the user's scope
        let other = if w == a { b } else { a };
        s.use_ward(other).unwrap();
        for u in [&secretary, &member] {
            assert!(
                matches!(
                    s.scope_of(u, day(2026, 12, 1)),
                    Err(StoreError::BadInput(_))
                ),
                "{} reached ward {}",
                u.name,
                other.0
            );
        }
    }
}

#[test]
fn ratings_and_thresholds_are_each_wards_own() {
    let (mut s, a, b) = two_wards();
    let rating = |expected, band| RatingInput {
        year: 2026,
        kind: RatedKind::Member,
        subject: "DV001".into(),
        band,
        note: None,
        expected,
        by: "bt".into(),
        at: "2026-12-05T00:00:00Z".into(),
    };
    assert_eq!(s.rate(&rating(0, Band::Excellent)).unwrap(), 1);
    assert_eq!(s.rate(&rating(1, Band::Good)).unwrap(), 2);
    let mut t = Thresholds::default();
    t.good.agreed = 0.55;
    assert_eq!(
        s.set_evaluation_thresholds(2026, &t, 0, "bt", "x").unwrap(),
        1
    );

    s.use_ward(b).unwrap();
    assert!(s.evaluation_ratings(2026).unwrap().is_empty());
    assert_eq!(s.evaluation_thresholds(2026).unwrap(), None);
    // B's first rating of its DV001 is made from version 0, not A's 2
    assert_eq!(s.rate(&rating(0, Band::NotCompleted)).unwrap(), 1);
    assert_eq!(
        s.set_evaluation_thresholds(2026, &Thresholds::default(), 0, "bt", "y")
            .unwrap(),
        1
    );
    let r = &s.evaluation_ratings(2026).unwrap()[&(RatedKind::Member, "DV001".to_string())];
    assert_eq!((r.band, r.version), (Band::NotCompleted, 1));

    s.use_ward(a).unwrap();
    let r = &s.evaluation_ratings(2026).unwrap()[&(RatedKind::Member, "DV001".to_string())];
    assert_eq!((r.band, r.version), (Band::Good, 2));
    let got = s.evaluation_thresholds(2026).unwrap().unwrap();
    assert_eq!(
        (got.thresholds, got.version, got.set_at.as_str()),
        (t, 1, "x")
    );
}

#[test]
fn plans_and_inspections_are_listed_and_found_by_id_in_their_own_ward_only() {
    let (mut s, a, b) = two_wards();
    let pa = s
        .add_plan(&plan_draft(1), "lan", "2026-11-01T00:00:00Z")
        .unwrap();
    let ia = s
        .add_inspection(
            &inspection_values("DV001"),
            &[("Gặp lại hộ".into(), day(2026, 12, 1))],
            "ukt",
        )
        .unwrap();
    let att = s
        .add_inspection_attachment(ia.id, "bien-ban.pdf", b"%PDF-1.4 bien ban", "ukt")
        .unwrap();
    let action = ia.actions[0].id;
    let before = ward_rows(&s, a);

    s.use_ward(b).unwrap();
    assert!(s.plans().unwrap().is_empty());
    assert!(s.inspections(None, None, 100).unwrap().is_empty());
    let not_found = |r: Result<()>| matches!(r, Err(StoreError::NotFound { .. }));
    assert!(not_found(s.plan(pa.id).map(|_| ())));
    assert!(not_found(
        s.edit_plan(pa.id, 1, &plan_draft(9), "x", "2026-11-02T00:00:00Z")
            .map(|_| ())
    ));
    assert!(not_found(
        s.cancel_plan(pa.id, 1, "x", "2026-11-02T00:00:00Z")
            .map(|_| ())
    ));
    assert!(s.plan_history(pa.id).unwrap().is_empty());
    assert!(not_found(s.inspection(ia.id).map(|_| ())));
    assert!(not_found(
        s.edit_inspection(ia.id, 1, &inspection_values("DV002"), "x")
            .map(|_| ())
    ));
    assert!(not_found(
        s.add_inspection_action(ia.id, "khác", day(2026, 12, 2), "x")
            .map(|_| ())
    ));
    assert!(not_found(
        s.follow_up_action(ia.id, action, 1, "xong", Some(day(2026, 11, 30)), "x")
            .map(|_| ())
    ));
    assert!(not_found(
        s.add_inspection_attachment(ia.id, "x.pdf", b"%PDF-1.4 x", "x")
            .map(|_| ())
    ));
    assert!(not_found(
        s.inspection_attachment(ia.id, att.id).map(|_| ())
    ));
    // B's own, listed in B only
    let pb = s
        .add_plan(&plan_draft(5), "lan", "2026-11-03T00:00:00Z")
        .unwrap();
    let ib = s
        .add_inspection(&inspection_values("DV002"), &[], "ukt")
        .unwrap();
    assert_eq!(
        s.plans().unwrap().iter().map(|p| p.id).collect::<Vec<_>>(),
        [pb.id]
    );
    assert_eq!(
        s.inspections(None, None, 100)
            .unwrap()
            .iter()
            .map(|i| i.id)
            .collect::<Vec<_>>(),
        [ib.id]
    );

    assert_eq!(ward_rows(&s, a), before, "nothing of A changed");
    s.use_ward(a).unwrap();
    assert_eq!(s.plans().unwrap(), std::slice::from_ref(&pa));
    assert_eq!(
        s.inspections(None, None, 100)
            .unwrap()
            .iter()
            .map(|i| i.id)
            .collect::<Vec<_>>(),
        [ia.id]
    );
    assert!(not_found(s.plan(pb.id).map(|_| ())));
    assert!(not_found(s.inspection(ib.id).map(|_| ())));
    assert_eq!(s.plan_history(pa.id).unwrap().len(), 1);
    assert_eq!(
        s.inspection_attachment(ia.id, att.id).unwrap().1,
        b"%PDF-1.4 bien ban"
    );
}

#[test]
fn each_ward_keeps_up_to_max_plans_of_its_own() {
    let (mut s, a, b) = two_wards();
    // all but one of ward A's plans written at once
    s.conn
        .execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
             INSERT INTO plans (area_kind, area_code, area_name, title, set_by, created_at,
                                updated_at, updated_by, ward)
             SELECT 'cell', 'CB01', 'Chi bộ CB01', 'Kế hoạch ' || i, 'lan', 'x', 'x', 'lan', ?1 FROM n",
            (a.0, MAX_PLANS as i64 - 1),
        )
        .unwrap();
    s.add_plan(&plan_draft(1), "lan", "2026-11-01T00:00:00Z")
        .unwrap();
    let Err(StoreError::BadInput(m)) = s.add_plan(&plan_draft(1), "lan", "2026-11-01T00:00:00Z")
    else {
        panic!("ward A took more than {MAX_PLANS} plans")
    };
    assert!(m.starts_with("plans: "), "{m}");
    s.use_ward(b).unwrap();
    let p = s
        .add_plan(&plan_draft(1), "lan", "2026-11-01T00:00:00Z")
        .unwrap();
    assert_eq!(s.plans().unwrap(), [p]);
}

#[test]
fn area_leads_are_edited_and_removed_in_their_own_ward_only() {
    let (mut s, a, b) = two_wards();
    let ids_a = s.lead_ids().unwrap();
    assert_eq!(ids_a.len(), 2);
    s.use_ward(b).unwrap();
    let ids_b = s.lead_ids().unwrap();
    assert_eq!(ids_b.len(), 2);
    assert!(ids_a.iter().all(|i| !ids_b.contains(i)));
    assert_eq!(s.leads().unwrap()[0].name, "Ủy viên B");
    let by = OrgAuthor::now("lan", day(2026, 11, 20));
    let edit = LeadEdit {
        name: "Đổi từ B".into(),
        title: None,
        area: Area::Group("Tổ dân phố 2".into()),
    };
    let v = s.org_version(OrgWhat::Lead, &ids_a[0].to_string()).unwrap();
    assert!(matches!(
        s.edit_lead(ids_a[0], &edit, v, &by),
        Err(StoreError::NotFound {
            what: What::Lead,
            ..
        })
    ));
    assert!(matches!(
        s.remove_lead(ids_a[1], v, &by),
        Err(StoreError::NotFound {
            what: What::Lead,
            ..
        })
    ));
    s.use_ward(a).unwrap();
    assert_eq!(s.lead_ids().unwrap(), ids_a);
    assert_eq!(s.leads().unwrap()[0].name, "Ủy viên A");
}

const PASSWORD: &str = "mật khẩu dài lắm";

#[test]
fn a_wards_admin_neither_lists_nor_changes_another_wards_users() {
    let (mut s, a, b) = two_wards();
    let admin_a = s
        .add_user_as("qt-a", Role::Admin, PASSWORD, None, Some(a))
        .unwrap();
    let admin_b = s
        .add_user_as("qt-b", Role::Admin, PASSWORD, None, Some(b))
        .unwrap();
    let province = s.add_user("tinh", Role::Admin, PASSWORD).unwrap();
    assert_eq!(province.ward, None, "province-level");
    s.add_user_as("lan-a", Role::Editor, PASSWORD, None, Some(a))
        .unwrap();
    // B's DV001 (the code exists in both wards)
    let bithu_b = s
        .add_user_as("bithu-b", Role::Secretary, PASSWORD, Some("DV001"), Some(b))
        .unwrap();
    assert_eq!(bithu_b.ward.as_ref().map(|w| w.0), Some(b.0));
    let names = |us: Vec<User>| us.into_iter().map(|u| u.name).collect::<Vec<_>>();
    assert_eq!(
        names(s.users_managed_by(&admin_a).unwrap()),
        ["lan-a", "qt-a"]
    );
    assert_eq!(
        names(s.users_managed_by(&admin_b).unwrap()),
        ["bithu-b", "qt-b"]
    );
    assert_eq!(s.users_managed_by(&province).unwrap().len(), 5);
    for (manager, name) in [
        (&admin_a, "bithu-b"),
        (&admin_a, "tinh"),
        (&admin_b, "lan-a"),
        (&admin_b, "qt-a"),
    ] {
        assert!(
            matches!(
                s.managed_user(manager, name),
                Err(StoreError::NotFound {
                    what: What::User,
                    ..
                })
            ),
            "{} reached {name}",
            manager.name
        );
    }
    assert_eq!(s.managed_user(&admin_b, "bithu-b").unwrap(), bithu_b);
    assert_eq!(s.managed_user(&province, "lan-a").unwrap().name, "lan-a");
    // the user's session sees the ward too
    let token = s
        .create_session(&bithu_b, chrono::Duration::hours(1))
        .unwrap();
    assert_eq!(s.session_user(&token).unwrap(), Some(bithu_b.clone()));
    assert_eq!(s.verify("bithu-b", PASSWORD).unwrap(), Some(bithu_b));
}

#[test]
fn a_secretary_or_member_needs_a_ward_and_a_member_of_that_ward() {
    let (mut s, a, b) = two_wards();
    s.use_ward(b).unwrap();
    s.add_member(
        &MemberEdit {
            code: "DV777".into(),
            name: "Chỉ ở B".into(),
            cell: "CB01".into(),
            role: None,
            household: None,
        },
        &OrgAuthor::now("lan", day(2026, 11, 20)),
    )
    .unwrap();
    for (role, member, ward, field) in [
        (Role::Secretary, Some("DV001"), None, "ward: "),
        (Role::Member, Some("DV777"), Some(a), "member: "),
        (Role::Member, Some("DV001"), Some(WardId(99)), "ward: "),
        (Role::Viewer, None, Some(WardId(99)), "ward: "),
    ] {
        let Err(StoreError::BadInput(m)) = s.add_user_as("an", role, PASSWORD, member, ward) else {
            panic!("{role} {member:?} {ward:?} accepted")
        };
        assert!(m.starts_with(field), "{m}");
    }
    assert!(s.users().unwrap().is_empty(), "nothing written");
    let an = s
        .add_user_as("an", Role::Member, PASSWORD, Some("DV777"), Some(b))
        .unwrap();
    assert_eq!(an.member_code.as_deref(), Some("DV777"));
    // a province-level viewer may not become a secretary until it has a ward
    s.add_user("xem", Role::Viewer, PASSWORD).unwrap();
    let Err(StoreError::BadInput(m)) = s.set_role_as("xem", Role::Secretary, Some("DV001")) else {
        panic!("a province-level secretary")
    };
    assert!(m.starts_with("ward: "), "{m}");
    // nor move to a ward whose members lack its code
    assert!(matches!(
        s.set_user_ward("an", Some(a)),
        Err(StoreError::BadInput(m)) if m.starts_with("member: ")
    ));
    s.set_user_ward("xem", Some(a)).unwrap();
    s.set_role_as("xem", Role::Secretary, Some("DV001"))
        .unwrap();
    let xem = s.user("xem").unwrap();
    assert_eq!(
        (xem.role, xem.ward.as_ref().map(|w| w.0)),
        (Role::Secretary, Some(a.0))
    );
    assert!(matches!(
        s.set_user_ward("xem", None),
        Err(StoreError::BadInput(m)) if m.starts_with("ward: ")
    ));
}

#[test]
fn the_last_province_admin_stays_while_ward_admins_remain() {
    // review: a ward's admin counted as "another admin", so the only
    // province-level admin could be demoted, removed or moved into a ward
    let (mut s, a, _) = two_wards();
    s.add_user_as("tinh", Role::Admin, PASSWORD, None, None)
        .unwrap();
    s.add_user_as("qt-a", Role::Admin, PASSWORD, None, Some(a))
        .unwrap();
    let last =
        |e: Result<()>| matches!(e, Err(StoreError::Conflict(m)) if m.contains("last admin"));
    assert!(last(s.set_role("tinh", Role::Viewer)));
    assert!(last(s.remove_user("tinh")));
    assert!(last(s.set_user_ward("tinh", Some(a))));
    assert_eq!(s.user("tinh").unwrap().ward, None);
    // the ward's admin may go: the province's admin manages the ward
    s.remove_user("qt-a").unwrap();
    // a second province admin lets the first go
    s.add_user_as("tinh2", Role::Admin, PASSWORD, None, None)
        .unwrap();
    s.set_user_ward("tinh", Some(a)).unwrap();
    assert_eq!(s.user("tinh").unwrap().ward, Some(a));
}
