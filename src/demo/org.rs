//! The demo ward's organisation and consent paperwork: party cells of two
//! residential groups each, the members who visit (those the history names,
//! so that every report adds up), assignments with a few re-assignments,
//! committee members in charge, a donation record for every `signed`, a
//! contact for every visit, and two grievances (one answered).

use super::history::{PARTY_MEMBERS, member_for};
use super::rng::{Rng, Stream};
use crate::campaign::events::{Event, Status};
use crate::campaign::org::{Area, AssignmentInput, CellInput, LeadInput, MemberInput, Org};
use crate::campaign::{FeatureId, HouseholdInput, ParcelInput};
use crate::store::RecordInput;
use chrono::{Days, NaiveDate};
use std::collections::{BTreeMap, HashMap};

/// Committee members (ủy viên Ban Thường vụ, MTTQ) who answer for areas.
const LEADS: &[(&str, &str)] = &[
    ("Hoàng Văn Thắng", "Phó Bí thư Thường trực Đảng ủy"),
    ("Đỗ Thị Mai", "Chủ tịch Ủy ban MTTQ phường"),
    (
        "Lương Văn Định",
        "Ủy viên Ban Thường vụ, Chủ tịch UBND phường",
    ),
    ("Cao Thị Bích", "Ủy viên Ban Thường vụ, Trưởng ban Dân vận"),
];

/// A visit logged for a parcel.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Contact {
    pub parcel: FeatureId,
    pub on: NaiveDate,
    pub member: String,
    pub summary: String,
}

/// A grievance: parcel, date, who, what, and the answer if any.
pub(crate) type Grievance = (
    FeatureId,
    NaiveDate,
    String,
    String,
    Option<(NaiveDate, String)>,
);

#[derive(Debug, Clone, Default)]
pub(crate) struct Paperwork {
    pub org: Org,
    pub records: Vec<(FeatureId, RecordInput)>,
    pub contacts: Vec<Contact>,
    pub grievances: Vec<Grievance>,
}

fn natural_groups(parcels: &[ParcelInput]) -> Vec<String> {
    // the distinct names first (in the order they first appear), so that
    // a million parcels sort a thousand names, not a million
    let mut seen = std::collections::HashSet::new();
    let mut g: Vec<String> = parcels
        .iter()
        .filter_map(|p| p.residential_group.as_deref())
        .filter(|g| seen.insert(*g))
        .map(str::to_string)
        .collect();
    g.sort_by_key(|s| {
        (
            s.trim_end_matches(|c: char| c.is_ascii_digit()).to_string(),
            s.rsplit(' ')
                .next()
                .and_then(|n| n.parse::<u32>().ok())
                .unwrap_or(0),
        )
    });
    g.dedup();
    g
}

pub(crate) fn generate(
    parcels: &[ParcelInput],
    households: &[HouseholdInput],
    events: &[Event],
    seed: u64,
) -> Paperwork {
    let groups = natural_groups(parcels);
    let mut out = Paperwork::default();
    // cells: two groups each
    let cell_of = |gi: usize| gi / 2;
    for (k, pair) in groups.chunks(2).enumerate() {
        out.org.cells.push(CellInput {
            code: format!("CB{:02}", k + 1),
            name: format!("Chi bộ khu dân cư số {}", k + 1),
            groups: pair.to_vec(),
            secretary: None,
            line: k as u64 + 2,
        });
    }
    if out.org.cells.is_empty() {
        return out;
    }
    // members: each visiting member sits in the cell of the first group it visits
    let mut member_cell: BTreeMap<usize, usize> = BTreeMap::new();
    for (gi, g) in groups.iter().enumerate() {
        let m = PARTY_MEMBERS
            .iter()
            .position(|n| *n == member_for(g))
            .unwrap_or(0);
        member_cell.entry(m).or_insert(cell_of(gi));
    }
    for m in 0..PARTY_MEMBERS.len() {
        member_cell.entry(m).or_insert(m % out.org.cells.len());
    }
    let head_of: HashMap<&str, &HouseholdInput> =
        households.iter().map(|h| (h.parcel.as_str(), h)).collect();
    let group_of: HashMap<&str, &str> = parcels
        .iter()
        .filter_map(|p| Some((p.id.as_str(), p.residential_group.as_deref()?)))
        .collect();
    let group_index: HashMap<&str, usize> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.as_str(), i))
        .collect();
    // a member's own household: a flagged family in the member's cell
    let mut taken: Vec<&str> = Vec::new();
    for (&m, &c) in &member_cell {
        let own = households.iter().find(|h| {
            h.is_member_family
                && !taken.contains(&h.parcel.as_str())
                && group_of
                    .get(h.parcel.as_str())
                    .and_then(|g| group_index.get(g))
                    .is_some_and(|&gi| cell_of(gi) == c)
        });
        if let Some(h) = own {
            taken.push(h.parcel.as_str());
        }
        let role = if out.org.cells[c].secretary.is_none() {
            out.org.cells[c].secretary = Some(PARTY_MEMBERS[m].to_string());
            "Bí thư chi bộ"
        } else {
            "Đảng viên"
        };
        out.org.members.push(MemberInput {
            code: format!("DV{:03}", m + 1),
            name: PARTY_MEMBERS[m].to_string(),
            cell: out.org.cells[c].code.clone(),
            role: Some(role.to_string()),
            household: own.map(|h| h.parcel.clone()),
            line: m as u64 + 2,
        });
    }
    let code_of = |name: &str| {
        PARTY_MEMBERS
            .iter()
            .position(|n| *n == name)
            .map(|m| format!("DV{:03}", m + 1))
            .unwrap_or_default()
    };
    // assignments: from a few days before the first visit; about one in
    // twelve parcels was first given to another member
    let mut by_parcel: BTreeMap<&str, Vec<&Event>> = BTreeMap::new();
    for e in events {
        by_parcel.entry(e.parcel.as_str()).or_default().push(e);
    }
    let mut line = 2;
    for p in parcels {
        let Some(list) = by_parcel.get(p.id.as_str()) else {
            continue;
        };
        let Some(g) = p.residential_group.as_deref() else {
            continue;
        };
        let first = list.iter().map(|e| e.occurred_on).min().expect("non-empty");
        let member = code_of(member_for(g));
        let mut r = Rng::new(seed, Stream::Organisation, &[1, line]);
        let start = first - Days::new(5);
        if r.chance(1.0 / 12.0) {
            let other = code_of(
                PARTY_MEMBERS[(PARTY_MEMBERS
                    .iter()
                    .position(|n| *n == member_for(g))
                    .unwrap_or(0)
                    + 1)
                    % PARTY_MEMBERS.len()],
            );
            out.org.assignments.push(AssignmentInput {
                member: other,
                parcel: p.id.clone(),
                from: start - Days::new(20),
                to: Some(start),
                line,
            });
            line += 1;
        }
        out.org.assignments.push(AssignmentInput {
            member,
            parcel: p.id.clone(),
            from: start,
            to: None,
            line,
        });
        line += 1;
    }
    // leads: each committee member answers for a run of groups
    let per = groups.len().div_ceil(LEADS.len()).max(1);
    for (gi, g) in groups.iter().enumerate() {
        let (name, title) = LEADS[(gi / per).min(LEADS.len() - 1)];
        out.org.leads.push(LeadInput {
            name: name.into(),
            title: Some(title.into()),
            area: Area::Group(g.clone()),
            line: gi as u64 + 2,
        });
    }
    // records, contacts
    let mut n = 0;
    for (pid, list) in &by_parcel {
        let head = head_of
            .get(pid)
            .map(|h| h.head_name.clone())
            .unwrap_or_else(|| format!("Chủ hộ thửa {pid}"));
        let group = group_of.get(pid).copied().unwrap_or("");
        for e in list {
            match e.status {
                Status::Signed => {
                    n += 1;
                    out.records.push((
                        e.parcel.clone(),
                        RecordInput {
                            number: format!("{n}/BB-HĐ"),
                            signed_on: e.occurred_on,
                            signatories: vec![head.clone(), format!("Tổ trưởng {group}")],
                            witness: "Đỗ Thị Mai (Chủ tịch Ủy ban MTTQ phường)".into(),
                            attachment: None,
                        },
                    ));
                }
                Status::Persuading | Status::Declined | Status::Agreed => {
                    if let Some(m) = &e.party_member {
                        out.contacts.push(Contact {
                            parcel: e.parcel.clone(),
                            on: e.occurred_on,
                            member: m.clone(),
                            summary: e.note.clone().unwrap_or_else(|| "Đến nhà vận động".into()),
                        });
                    }
                }
                _ => {}
            }
        }
    }
    // two grievances on households that declined; the older one answered
    let declined: Vec<&Event> = events
        .iter()
        .filter(|e| e.status == Status::Declined)
        .take(2)
        .collect();
    for (i, e) in declined.into_iter().enumerate() {
        let who = head_of
            .get(e.parcel.as_str())
            .map(|h| h.head_name.clone())
            .unwrap_or_default();
        let (text, answer) = if i == 0 {
            (
                "Đề nghị đo đạc lại phần diện tích nằm trong chỉ giới, gia đình cho rằng số đo chưa đúng.",
                Some((e.occurred_on + Days::new(7), "Đã phối hợp đơn vị đo đạc kiểm tra lại tại thực địa ngày hẹn; số đo đúng với bản đồ địa chính, đã giải thích cho gia đình.".to_string())),
            )
        } else {
            (
                "Đề nghị phường hỗ trợ chi phí xây lại tường rào và cổng sau khi hiến đất.",
                None,
            )
        };
        out.grievances.push((
            e.parcel.clone(),
            e.occurred_on,
            who,
            text.to_string(),
            answer,
        ));
    }
    out
}
