//! The organisation of the campaign: party cells (chi bộ) and the
//! residential groups each covers, party members (their cell, role and own
//! household), assignments of members to households (dated, so that a
//! re-assignment keeps the history), and committee members in charge of an
//! area (ủy viên phụ trách địa bàn: a group or a segment). Plain data and
//! the rules on it; no I/O.

use super::FeatureId;
use chrono::NaiveDate;

/// A party cell.
#[derive(Debug, Clone, PartialEq)]
pub struct CellInput {
    /// Short code used by the other tables: "CB01".
    pub code: String,
    pub name: String,
    /// The residential groups it covers, by name.
    pub groups: Vec<String>,
    pub secretary: Option<String>,
    pub line: u64,
}

/// A party member.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberInput {
    pub code: String,
    pub name: String,
    /// The cell's code.
    pub cell: String,
    /// "Bí thư", "Phó bí thư", "Đảng viên"...
    pub role: Option<String>,
    /// The parcel of the member's own household, when it is in the ward:
    /// that household is expected to go first.
    pub household: Option<FeatureId>,
    pub line: u64,
}

/// A member assigned to persuade the household of a parcel from `from`
/// until `to` (exclusive; open while `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct AssignmentInput {
    /// The member's code.
    pub member: String,
    pub parcel: FeatureId,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub line: u64,
}

/// The area a committee member answers for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Area {
    Group(String),
    Segment(FeatureId),
}

/// A committee member in charge of an area.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadInput {
    pub name: String,
    /// "Ủy viên Ban Thường vụ", "Chủ tịch UBMTTQ"...
    pub title: Option<String>,
    pub area: Area,
    pub line: u64,
}

/// The whole organisation, as the org files give it: an import replaces
/// what is stored with it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Org {
    pub cells: Vec<CellInput>,
    pub members: Vec<MemberInput>,
    pub assignments: Vec<AssignmentInput>,
    pub leads: Vec<LeadInput>,
}

/// A rule the organisation breaks: which table, which line, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgIssue {
    /// "cells", "members", "assignments", "leads".
    pub table: &'static str,
    pub line: u64,
    pub vi: String,
    pub en: String,
}

impl std::fmt::Display for OrgIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{t}.csv, dòng {l}: {} / {t}.csv, line {l}: {}",
            self.vi,
            self.en,
            t = self.table,
            l = self.line
        )
    }
}

/// The rules that need no database: codes unique, members in known cells,
/// assignments of known members with `from` before `to`, and at most one
/// member assigned to a parcel at any time (a re-assignment closes the old
/// one first). References to parcels, groups and segments are checked by
/// the store, which knows them.
pub fn check(org: &Org) -> Vec<OrgIssue> {
    let mut out = Vec::new();
    let mut issue = |table, line, vi: String, en: String| {
        out.push(OrgIssue {
            table,
            line,
            vi,
            en,
        })
    };
    let mut seen = std::collections::HashMap::new();
    for c in &org.cells {
        if let Some(first) = seen.insert(c.code.as_str(), c.line) {
            issue(
                "cells",
                c.line,
                format!("mã chi bộ {:?} trùng với dòng {first}", c.code),
                format!("cell code {:?} repeats line {first}", c.code),
            );
        }
    }
    let mut members = std::collections::HashMap::new();
    for m in &org.members {
        if let Some(first) = members.insert(m.code.as_str(), m.line) {
            issue(
                "members",
                m.line,
                format!("mã đảng viên {:?} trùng với dòng {first}", m.code),
                format!("member code {:?} repeats line {first}", m.code),
            );
        }
        if !seen.contains_key(m.cell.as_str()) {
            issue(
                "members",
                m.line,
                format!("chi bộ {:?} không có trong cells.csv", m.cell),
                format!("cell {:?} is not in cells.csv", m.cell),
            );
        }
    }
    let mut by_parcel: std::collections::HashMap<&FeatureId, Vec<&AssignmentInput>> =
        Default::default();
    for a in &org.assignments {
        if !members.contains_key(a.member.as_str()) {
            issue(
                "assignments",
                a.line,
                format!("đảng viên {:?} không có trong members.csv", a.member),
                format!("member {:?} is not in members.csv", a.member),
            );
        }
        if let Some(to) = a.to
            && to <= a.from
        {
            issue(
                "assignments",
                a.line,
                format!("ngày kết thúc {to} không sau ngày bắt đầu {}", a.from),
                format!("end {to} is not after start {}", a.from),
            );
            continue;
        }
        by_parcel.entry(&a.parcel).or_default().push(a);
    }
    let mut overlaps: Vec<(u64, u64, &FeatureId)> = Vec::new();
    for (parcel, mut list) in by_parcel {
        list.sort_by_key(|a| (a.from, a.line));
        for w in list.windows(2) {
            if w[0].to.is_none_or(|to| to > w[1].from) {
                overlaps.push((w[1].line, w[0].line, parcel));
            }
        }
    }
    overlaps.sort();
    for (line, other, parcel) in overlaps {
        issue(
            "assignments",
            line,
            format!(
                "thửa {parcel} đã được phân công ở dòng {other} trong cùng thời gian (hãy ghi ngày kết thúc cho lần phân công trước)"
            ),
            format!(
                "parcel {parcel} is already assigned at line {other} over the same dates (give the earlier assignment an end date)"
            ),
        );
    }
    out.sort_by_key(|i| (table_order(i.table), i.line));
    out
}

fn table_order(t: &str) -> usize {
    ["cells", "members", "assignments", "leads"]
        .iter()
        .position(|x| *x == t)
        .unwrap_or(9)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn org() -> Org {
        Org {
            cells: vec![CellInput {
                code: "CB1".into(),
                name: "Chi bộ 1".into(),
                groups: vec!["Tổ 1".into()],
                secretary: None,
                line: 2,
            }],
            members: vec![MemberInput {
                code: "DV1".into(),
                name: "Lê Văn A".into(),
                cell: "CB1".into(),
                role: None,
                household: None,
                line: 2,
            }],
            assignments: vec![
                AssignmentInput {
                    member: "DV1".into(),
                    parcel: FeatureId::from(7),
                    from: d("2026-06-01"),
                    to: Some(d("2026-08-01")),
                    line: 2,
                },
                AssignmentInput {
                    member: "DV1".into(),
                    parcel: FeatureId::from(7),
                    from: d("2026-08-01"),
                    to: None,
                    line: 3,
                },
            ],
            leads: vec![],
        }
    }

    #[test]
    fn a_reassignment_that_closes_the_old_one_is_fine() {
        assert_eq!(check(&org()), vec![]);
    }

    #[test]
    fn overlapping_assignments_unknown_refs_and_repeats_are_named() {
        let mut o = org();
        o.assignments[0].to = None;
        o.assignments.push(AssignmentInput {
            member: "DV9".into(),
            parcel: FeatureId::from(8),
            from: d("2026-06-01"),
            to: Some(d("2026-05-01")),
            line: 4,
        });
        o.members.push(MemberInput {
            code: "DV1".into(),
            name: "X".into(),
            cell: "CB7".into(),
            role: None,
            household: None,
            line: 3,
        });
        let issues: Vec<String> = check(&o).iter().map(ToString::to_string).collect();
        assert_eq!(issues.len(), 5, "{issues:#?}");
        assert!(
            issues[0].starts_with("members.csv, dòng 3: mã đảng viên \"DV1\" trùng với dòng 2"),
            "{issues:#?}"
        );
        assert!(issues[1].contains("chi bộ \"CB7\" không có trong cells.csv"));
        assert!(
            issues[2].starts_with("assignments.csv, dòng 3: thửa 7 đã được phân công ở dòng 2"),
            "{issues:#?}"
        );
        assert!(
            issues
                .iter()
                .any(|i| i.contains("line 4: member \"DV9\" is not in members.csv"))
        );
        assert!(
            issues
                .iter()
                .any(|i| i.contains("line 4: end 2026-05-01 is not after start 2026-06-01"))
        );
    }
}
