//! Reading the organisation files (`hiendat import --org DIR`): a folder
//! with up to four CSV files, UTF-8, a header row, columns in any order.
//!
//! | file | columns (* required) |
//! |---|---|
//! | `cells.csv` | `code`*, `name`*, `groups` (residential group names separated by `;`), `secretary` |
//! | `members.csv` | `code`*, `name`*, `cell`* (a cell code), `role`, `household_parcel` (the parcel id of the member's own household) |
//! | `assignments.csv` | `member`* (a member code), `parcel_id`*, `from`* (date), `to` (date the assignment ended; empty while it lasts) |
//! | `leads.csv` | `name`*, `title`, and exactly one of `group` (a residential group name) or `segment_id` |
//!
//! Dates are `28/11/2026` or `2026-11-28`. The files are the whole
//! organisation: importing them replaces the stored cells, members,
//! assignments and leads (a missing file empties its table only when
//! `cells.csv` is given, since members need cells). Every problem in every
//! file is reported at once, with file, line and column.

use super::table::{self, CellErrors, Table};
use crate::campaign::FeatureId;
use crate::campaign::org::{Area, AssignmentInput, CellInput, LeadInput, MemberInput, Org};
use crate::formats::limits::size;
use std::path::Path;

const CELLS: [&str; 4] = ["code", "name", "groups", "secretary"];
const MEMBERS: [&str; 5] = ["code", "name", "cell", "role", "household_parcel"];
const ASSIGNMENTS: [&str; 4] = ["member", "parcel_id", "from", "to"];
const LEADS: [&str; 4] = ["name", "title", "group", "segment_id"];

/// Reads the organisation files of folder `dir`. `cells.csv` must be there.
pub fn read_dir(dir: &Path) -> Result<Org, CellErrors> {
    let file = |name: &str| -> Result<Option<Vec<u8>>, CellErrors> {
        let p = dir.join(name);
        let limit = crate::formats::limits::Limits::DEFAULT.csv_bytes;
        let error = |vi: String, en: String| {
            Err(CellErrors(vec![table::CellError {
                file: p.display().to_string(),
                line: 0,
                column: None,
                vi,
                en,
            }]))
        };
        match std::fs::metadata(&p) {
            Ok(m) if m.len() > limit => {
                let (len, limit) = (size(m.len()), size(limit));
                return error(
                    format!("tệp ({len}) vượt giới hạn {limit}"),
                    format!("the file ({len}) exceeds the {limit} limit"),
                );
            }
            _ => {}
        }
        match std::fs::read(&p) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => error(
                format!("không đọc được: {e}"),
                format!("cannot be read: {e}"),
            ),
        }
    };
    let cells = file("cells.csv")?.ok_or_else(|| {
        CellErrors(vec![table::CellError {
            file: dir.join("cells.csv").display().to_string(),
            line: 0,
            column: None,
            vi: "thiếu tệp danh sách chi bộ".into(),
            en: "the party cells file is missing".into(),
        }])
    })?;
    read(
        &cells,
        file("members.csv")?.as_deref(),
        file("assignments.csv")?.as_deref(),
        file("leads.csv")?.as_deref(),
    )
}

/// Reads the four tables' bytes (all checked before anything is returned).
pub fn read(
    cells: &[u8],
    members: Option<&[u8]>,
    assignments: Option<&[u8]>,
    leads: Option<&[u8]>,
) -> Result<Org, CellErrors> {
    let mut errors = CellErrors::default();
    let mut load =
        |name: &str, bytes: Option<&[u8]>, cols: &[&'static str], req: &[&'static str]| match bytes
            .map(|b| table::read(name, b, cols, req))
        {
            Some(Ok(t)) => Some(t),
            Some(Err(e)) => {
                errors.0.extend(e.0);
                None
            }
            None => None,
        };
    let tc = load("cells.csv", Some(cells), &CELLS, &["code", "name"]);
    let tm = load("members.csv", members, &MEMBERS, &["code", "name", "cell"]);
    let ta = load(
        "assignments.csv",
        assignments,
        &ASSIGNMENTS,
        &["member", "parcel_id", "from"],
    );
    let tl = load("leads.csv", leads, &LEADS, &["name"]);
    let mut org = Org::default();
    if let Some(t) = &tc {
        org.cells = cells_of(t, &mut errors);
    }
    if let Some(t) = &tm {
        org.members = members_of(t, &mut errors);
    }
    if let Some(t) = &ta {
        org.assignments = assignments_of(t, &mut errors);
    }
    if let Some(t) = &tl {
        org.leads = leads_of(t, &mut errors);
    }
    if errors.is_empty() {
        for i in crate::campaign::org::check(&org) {
            errors.push(table::CellError {
                file: format!("{}.csv", i.table),
                line: i.line,
                column: None,
                vi: i.vi,
                en: i.en,
            });
        }
    }
    errors.or(org)
}

fn cells_of(t: &Table, errors: &mut CellErrors) -> Vec<CellInput> {
    let mut out = Vec::new();
    for r in &t.rows {
        let (code, name) = (t.required(r, "code", errors), t.required(r, "name", errors));
        let (Some(code), Some(name)) = (code, name) else {
            continue;
        };
        out.push(CellInput {
            code: code.to_string(),
            name: name.to_string(),
            groups: r
                .get("groups")
                .map(|g| {
                    g.split(';')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            secretary: r.get("secretary").map(str::to_string),
            line: r.line,
        });
    }
    out
}

fn members_of(t: &Table, errors: &mut CellErrors) -> Vec<MemberInput> {
    let mut out = Vec::new();
    for r in &t.rows {
        let code = t.required(r, "code", errors);
        let name = t.required(r, "name", errors);
        let cell = t.required(r, "cell", errors);
        let (Some(code), Some(name), Some(cell)) = (code, name, cell) else {
            continue;
        };
        out.push(MemberInput {
            code: code.to_string(),
            name: name.to_string(),
            cell: cell.to_string(),
            role: r.get("role").map(str::to_string),
            household: r.get("household_parcel").map(feature_id),
            line: r.line,
        });
    }
    out
}

fn assignments_of(t: &Table, errors: &mut CellErrors) -> Vec<AssignmentInput> {
    let mut out = Vec::new();
    for r in &t.rows {
        let member = t.required(r, "member", errors);
        let parcel = t.required(r, "parcel_id", errors);
        let from = match t.date(r, "from", errors) {
            Ok(None) => {
                t.required(r, "from", errors);
                None
            }
            Ok(d) => d,
            Err(_) => None,
        };
        let to = t.date(r, "to", errors);
        let (Some(member), Some(parcel), Some(from), Ok(to)) = (member, parcel, from, to) else {
            continue;
        };
        out.push(AssignmentInput {
            member: member.to_string(),
            parcel: feature_id(parcel),
            from,
            to,
            line: r.line,
        });
    }
    out
}

fn leads_of(t: &Table, errors: &mut CellErrors) -> Vec<LeadInput> {
    let mut out = Vec::new();
    for r in &t.rows {
        let name = t.required(r, "name", errors);
        let area = match (r.get("group"), r.get("segment_id")) {
            (Some(g), None) => Some(Area::Group(g.to_string())),
            (None, Some(s)) => Some(Area::Segment(feature_id(s))),
            _ => {
                errors.push(t.error(
                    r,
                    "group",
                    "ghi đúng một trong hai cột group (tổ dân phố) hoặc segment_id (đoạn tuyến)".into(),
                    "give exactly one of group (residential group) or segment_id".into(),
                ));
                None
            }
        };
        let (Some(name), Some(area)) = (name, area) else {
            continue;
        };
        out.push(LeadInput {
            name: name.to_string(),
            title: r.get("title").map(str::to_string),
            area,
            line: r.line,
        });
    }
    out
}

/// Ids written as plain integers are numbers, as the parcels layer has them.
fn feature_id(s: &str) -> FeatureId {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0')) {
        FeatureId::Number(s.to_string())
    } else {
        FeatureId::Text(s.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_sample_folder() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/org-sample");
        let org = read_dir(&dir).unwrap();
        assert!(org.cells.len() >= 2);
        assert!(org.members.iter().any(|m| m.household.is_some()));
        assert!(
            org.assignments.iter().any(|a| a.to.is_some()),
            "the sample shows a re-assignment"
        );
        assert!(org.leads.iter().any(|l| matches!(l.area, Area::Segment(_))));
    }

    #[test]
    fn every_file_problem_is_reported_with_file_and_line() {
        let e = read(
            b"code,name,groups\nCB1,Chi bo 1,To 1;To 2\n,Chi bo 2,\n",
            Some(b"code,name,cell\nDV1,Le Van A,CB1\nDV2,Tran B,CB9\n"),
            Some(b"member,parcel_id,from,to\nDV1,12,31/13/2026,\n"),
            Some(b"name,group,segment_id\nNguyen C,To 1,5\n"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("cells.csv, dòng 3, cột code: giá trị bắt buộc bị để trống"),
            "{e}"
        );
        assert!(
            e.contains("assignments.csv, dòng 2, cột from: ngày \"31/13/2026\" không hợp lệ"),
            "{e}"
        );
        assert!(
            e.contains("leads.csv, dòng 2, cột group: ghi đúng một"),
            "{e}"
        );
        // cross-table rules wait until every row reads
        assert!(!e.contains("CB9"), "{e}");
    }

    #[test]
    fn cross_table_rules_follow_once_rows_read() {
        let e = read(
            b"code,name\nCB1,Chi bo 1\n",
            Some(b"code,name,cell\nDV2,Tran B,CB9\n"),
            None,
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("members.csv, dòng 2: chi bộ \"CB9\" không có trong cells.csv"),
            "{e}"
        );
    }

    #[test]
    fn assignment_dates_are_of_this_era() {
        let e = read(
            b"code,name,groups\nCB1,Chi bo 1,To 1\n",
            Some(b"code,name,cell\nDV1,Le Van A,CB1\n"),
            Some(b"member,parcel_id,from,to\nDV1,12,01/01/1999,\nDV1,13,2026-01-01,9999-12-31\n"),
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("assignments.csv, dòng 2, cột from: ngày \"01/01/1999\" phải từ 01/01/2000 đến hôm nay"),
            "{e}"
        );
        assert!(
            e.contains("assignments.csv, dòng 3, cột to: ngày \"9999-12-31\" phải từ 01/01/2000"),
            "{e}"
        );
    }
}
