//! Reading the households CSV (`hiendat import --households H.csv`).
//!
//! UTF-8 (a byte-order mark, as Excel writes it, is allowed), comma
//! separated, one household per row, a header row naming the columns in any
//! order (case and surrounding spaces do not matter):
//!
//! | column | required | meaning |
//! |---|---|---|
//! | `parcel_id` | yes | the parcel's id, as in the parcels layer |
//! | `head_name` | yes | head of household (chủ hộ) |
//! | `address` | no | |
//! | `phone` | no | digits, spaces and `+ . - ( )` |
//! | `may_be_named` | no | the household agreed to be named on a public commendation list (same spellings; empty = no) |
//! | `is_member_family` | no | household of a cadre or party member: `1`/`0`, `true`/`false`, `có`/`không` (also `yes`/`no`, `x`, empty = no) |
//! | `note` | no | free text |
//!
//! Every problem is reported at once, each with its line number, column and
//! reason in Vietnamese and English; nothing is returned unless the whole
//! file is good.
//!
//! ```
//! use hiendat::formats::households::read_households;
//! let csv = "parcel_id,head_name,is_member_family\n12,Nguyễn Văn An,có\n";
//! let h = read_households(csv.as_bytes()).unwrap();
//! assert_eq!(h[0].head_name, "Nguyễn Văn An");
//! assert!(h[0].is_member_family);
//! ```

use super::table::{self, Problem};
use crate::campaign::{FeatureId, HouseholdInput};
use std::collections::HashMap;
use std::fmt;

/// The columns, in the order a template lists them.
pub const COLUMNS: [&str; 7] = [
    "parcel_id",
    "head_name",
    "address",
    "phone",
    "is_member_family",
    "may_be_named",
    "note",
];

/// What is wrong with a cell, a row or the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// A required column is not in the header.
    MissingColumn,
    /// A header names a column this format does not have.
    UnknownColumn,
    /// The header names a column twice.
    DuplicateColumn,
    /// A required value is empty.
    Empty,
    /// Not valid UTF-8.
    NotUtf8,
    /// A yes/no value that is none of the accepted spellings.
    BadFlag(String),
    /// A phone number with characters other than digits, spaces and `+.-()`.
    BadPhone(String),
    /// The row has another number of fields than the header.
    FieldCount { found: usize, expected: usize },
    /// The same parcel and head of household on an earlier line.
    Duplicate { first_line: u64 },
    /// The CSV itself cannot be read (unbalanced quotes...).
    Syntax(String),
    /// No header row.
    NoHeader,
    /// A bound of [`crate::formats::limits`] is broken: why, in
    /// Vietnamese and English.
    Limit { vi: String, en: String },
}

impl Reason {
    pub fn vi(&self) -> String {
        match self {
            Reason::MissingColumn => "thiếu cột bắt buộc".into(),
            Reason::UnknownColumn => {
                format!("cột không xác định (các cột: {})", COLUMNS.join(", "))
            }
            Reason::DuplicateColumn => "cột bị lặp".into(),
            Reason::Empty => "giá trị bắt buộc bị để trống".into(),
            Reason::NotUtf8 => "không phải UTF-8".into(),
            Reason::BadFlag(v) => {
                format!("giá trị {v:?} không hợp lệ (dùng 1/0, true/false, có/không)")
            }
            Reason::BadPhone(v) => format!("số điện thoại {v:?} không hợp lệ"),
            Reason::FieldCount { found, expected } => {
                format!("dòng có {found} trường, tiêu đề có {expected}")
            }
            Reason::Duplicate { first_line } => {
                format!("thửa và chủ hộ đã có ở dòng {first_line}")
            }
            Reason::Syntax(m) => format!("lỗi cú pháp CSV: {m}"),
            Reason::NoHeader => "tệp không có dòng tiêu đề".into(),
            Reason::Limit { vi, .. } => vi.clone(),
        }
    }

    pub fn en(&self) -> String {
        match self {
            Reason::MissingColumn => "required column missing".into(),
            Reason::UnknownColumn => format!("unknown column (columns: {})", COLUMNS.join(", ")),
            Reason::DuplicateColumn => "column given twice".into(),
            Reason::Empty => "required value is empty".into(),
            Reason::NotUtf8 => "not valid UTF-8".into(),
            Reason::BadFlag(v) => {
                format!("invalid value {v:?} (use 1/0, true/false, có/không)")
            }
            Reason::BadPhone(v) => format!("invalid phone number {v:?}"),
            Reason::FieldCount { found, expected } => {
                format!("row has {found} fields, the header {expected}")
            }
            Reason::Duplicate { first_line } => {
                format!("same parcel and head of household as line {first_line}")
            }
            Reason::Syntax(m) => format!("CSV syntax error: {m}"),
            Reason::NoHeader => "no header row".into(),
            Reason::Limit { en, .. } => en.clone(),
        }
    }
}

/// One problem: the line of the file (1 = the header), the column if it is
/// about one, and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdError {
    pub line: u64,
    pub column: Option<String>,
    pub reason: Reason,
}

impl fmt::Display for HouseholdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(
                f,
                "dòng {l}, cột {c}: {} / line {l}, column {c}: {}",
                self.reason.vi(),
                self.reason.en(),
                l = self.line
            ),
            None => write!(
                f,
                "dòng {l}: {} / line {l}: {}",
                self.reason.vi(),
                self.reason.en(),
                l = self.line
            ),
        }
    }
}

/// Every problem of a households file, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdErrors(pub Vec<HouseholdError>);

impl fmt::Display for HouseholdErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} lỗi trong tệp hộ gia đình / {} errors in the households file",
            self.0.len(),
            self.0.len()
        )?;
        for e in &self.0 {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for HouseholdErrors {}

/// Reads a households CSV (see the module docs).
pub fn read_households(bytes: &[u8]) -> Result<Vec<HouseholdInput>, HouseholdErrors> {
    let (table_rows, found) = table::rows(bytes, &COLUMNS, &["parcel_id", "head_name"]);
    let mut errors: Vec<HouseholdError> = found.into_iter().map(HouseholdError::from).collect();
    let mut rows = Vec::new();
    let mut seen: HashMap<(String, String), u64> = HashMap::new();
    for row in &table_rows {
        let line = row.line;
        let before = errors.len();
        let cell = |col: &str| row.get(col).map(str::to_string);
        let parcel = cell("parcel_id");
        let head = cell("head_name");
        let address = cell("address");
        let phone = cell("phone");
        let flag = cell("is_member_family");
        let named_flag = cell("may_be_named");
        let note = cell("note");
        if parcel.is_none() && !row.is_unreadable("parcel_id") {
            errors.push(cell_error(line, "parcel_id", Reason::Empty));
        }
        if head.is_none() && !row.is_unreadable("head_name") {
            errors.push(cell_error(line, "head_name", Reason::Empty));
        }
        if let Some(p) = &phone
            && !p
                .chars()
                .all(|c| c.is_ascii_digit() || " +.-()".contains(c))
        {
            errors.push(cell_error(line, "phone", Reason::BadPhone(p.clone())));
        }
        let mut yes_no = |col: &str, v: Option<String>| match v.as_deref().map(parse_flag) {
            None => false,
            Some(Some(b)) => b,
            Some(None) => {
                errors.push(cell_error(
                    line,
                    col,
                    Reason::BadFlag(v.unwrap_or_default()),
                ));
                false
            }
        };
        let member = yes_no("is_member_family", flag);
        let may_be_named = yes_no("may_be_named", named_flag);
        if let (Some(p), Some(h)) = (&parcel, &head) {
            if let Some(&first_line) = seen.get(&(p.clone(), h.clone())) {
                errors.push(HouseholdError {
                    line,
                    column: None,
                    reason: Reason::Duplicate { first_line },
                });
            } else {
                seen.insert((p.clone(), h.clone()), line);
            }
        }
        if errors.len() == before
            && let (Some(p), Some(h)) = (parcel, head)
        {
            rows.push(HouseholdInput {
                parcel: feature_id(p),
                head_name: h,
                address,
                phone,
                is_member_family: member,
                may_be_named,
                note,
            });
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        // the table's problems first, then this file's, each line in turn
        errors.sort_by_key(|e| e.line);
        Err(HouseholdErrors(errors))
    }
}

impl From<table::Found> for HouseholdError {
    fn from(f: table::Found) -> HouseholdError {
        let reason = match f.problem {
            Problem::NoHeader => Reason::NoHeader,
            Problem::Syntax(m) => Reason::Syntax(m),
            Problem::NotUtf8 => Reason::NotUtf8,
            Problem::UnknownColumn => Reason::UnknownColumn,
            Problem::DuplicateColumn => Reason::DuplicateColumn,
            Problem::MissingColumn => Reason::MissingColumn,
            Problem::FieldCount { found, expected } => Reason::FieldCount { found, expected },
            Problem::Limit { vi, en } => Reason::Limit { vi, en },
        };
        HouseholdError {
            line: f.line,
            column: f.column,
            reason,
        }
    }
}

fn cell_error(line: u64, col: &str, reason: Reason) -> HouseholdError {
    HouseholdError {
        line,
        column: Some(col.to_string()),
        reason,
    }
}

/// `1/0`, `true/false`, `có/không` and friends; `None` if none of them.
pub(crate) fn parse_flag(v: &str) -> Option<bool> {
    match v.trim().to_lowercase().as_str() {
        "1" | "true" | "có" | "co" | "yes" | "x" | "c" => Some(true),
        "0" | "false" | "không" | "khong" | "no" | "k" => Some(false),
        _ => None,
    }
}

/// An id that reads as a JSON number is kept as a number (as the GeoJSON
/// reader keeps it), anything else as text; the store matches by the text.
fn feature_id(s: String) -> FeatureId {
    let numeric = serde_json::from_str::<serde_json::Value>(&s)
        .map(|v| v.is_number())
        .unwrap_or(false);
    if numeric {
        FeatureId::Number(s)
    } else {
        FeatureId::Text(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_file_with_bom_any_column_order_and_vietnamese_flags() {
        let csv = "\u{feff}Head_Name , parcel_id,phone,is_member_family,address,note\n\
                   Nguyễn Văn An,12,0912 345 678,có,\"Số 5, Phố Lê Lợi, phường Ngọc Sơn\",\n\
                   Trần Thị Bình,A-7,,không,,Đã gặp\n\
                   \n\
                   Lê Văn Cường,13,,1,,\n\
                   Phạm Thị Dung,14,,,,\n";
        let rows = read_households(csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 4);
        let a = &rows[0];
        assert_eq!(a.parcel, FeatureId::Number("12".into()));
        assert_eq!(a.head_name, "Nguyễn Văn An");
        assert_eq!(a.phone.as_deref(), Some("0912 345 678"));
        assert_eq!(
            a.address.as_deref(),
            Some("Số 5, Phố Lê Lợi, phường Ngọc Sơn")
        );
        assert!(a.is_member_family);
        assert_eq!(rows[1].parcel, FeatureId::Text("A-7".into()));
        assert!(!rows[1].is_member_family);
        assert_eq!(rows[1].phone, None);
        assert_eq!(rows[1].note.as_deref(), Some("Đã gặp"));
        assert!(rows[2].is_member_family);
        assert!(!rows[3].is_member_family);
        assert_eq!(read_households(csv.as_bytes()).unwrap().len(), 4);
    }

    #[test]
    fn every_row_error_is_reported_at_once() {
        let csv = "parcel_id,head_name,phone,is_member_family\n\
                   1,Nguyễn Văn An,0912 345 678,1\n\
                   ,Trần Thị Bình,,0\n\
                   3,,abc,maybe\n\
                   4,Lê Văn Cường\n\
                   1,Nguyễn Văn An,,\n";
        let errs = read_households(csv.as_bytes()).unwrap_err().0;
        let got: Vec<(u64, Option<&str>, &Reason)> = errs
            .iter()
            .map(|e| (e.line, e.column.as_deref(), &e.reason))
            .collect();
        assert_eq!(
            got,
            [
                (3, Some("parcel_id"), &Reason::Empty),
                (4, Some("head_name"), &Reason::Empty),
                (4, Some("phone"), &Reason::BadPhone("abc".into())),
                (
                    4,
                    Some("is_member_family"),
                    &Reason::BadFlag("maybe".into())
                ),
                (
                    5,
                    None,
                    &Reason::FieldCount {
                        found: 2,
                        expected: 4
                    }
                ),
                (6, None, &Reason::Duplicate { first_line: 2 }),
            ]
        );
        let msg = HouseholdErrors(errs).to_string();
        assert!(
            msg.starts_with("6 lỗi trong tệp hộ gia đình / 6 errors"),
            "{msg}"
        );
        assert!(msg.contains(
            "dòng 4, cột is_member_family: giá trị \"maybe\" không hợp lệ (dùng 1/0, true/false, có/không) / line 4, column is_member_family: invalid value \"maybe\""
        ), "{msg}");
    }

    #[test]
    fn header_problems_are_named() {
        let errs = read_households(b"parcel,head_name,head_name\n1,a,b\n")
            .unwrap_err()
            .0;
        let reasons: Vec<(Option<&str>, &Reason)> = errs
            .iter()
            .map(|e| (e.column.as_deref(), &e.reason))
            .collect();
        assert_eq!(
            reasons,
            [
                (Some("parcel"), &Reason::UnknownColumn),
                (Some("head_name"), &Reason::DuplicateColumn),
                (Some("parcel_id"), &Reason::MissingColumn),
            ]
        );
        assert!(errs.iter().all(|e| e.line == 1));
        assert_eq!(
            read_households(b"").unwrap_err().0[0].reason,
            Reason::NoHeader
        );
    }

    #[test]
    fn lines_are_counted_past_blank_lines() {
        let csv = "parcel_id,head_name\n1,Nguyễn Văn An\n\n\n2,\n\n3,Lê Văn Cường,x\n";
        let errs = read_households(csv.as_bytes()).unwrap_err().0;
        let got: Vec<(u64, Option<&str>)> =
            errs.iter().map(|e| (e.line, e.column.as_deref())).collect();
        assert_eq!(got, [(5, Some("head_name")), (7, None)]);
        assert!(
            errs[0].to_string().starts_with("dòng 5, cột head_name"),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn invalid_utf8_names_the_cell() {
        let errs = read_households(b"parcel_id,head_name\n1,Nguy\xff\n")
            .unwrap_err()
            .0;
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, 2);
        assert_eq!(errs[0].column.as_deref(), Some("head_name"));
        assert_eq!(errs[0].reason, Reason::NotUtf8);
    }

    #[test]
    fn the_sample_file_reads() {
        let bytes = include_bytes!("../../../data/households-sample.csv");
        let rows = read_households(bytes).unwrap();
        assert!(rows.len() >= 5);
        assert!(rows.iter().any(|r| r.is_member_family));
        assert!(rows.iter().any(|r| r.head_name.contains('ễ')));
    }

    #[test]
    fn flags_accept_the_documented_spellings() {
        for v in ["1", "true", "TRUE", "có", "Có", "yes", "x"] {
            assert_eq!(parse_flag(v), Some(true), "{v}");
        }
        for v in ["0", "false", "không", "KHÔNG", "no"] {
            assert_eq!(parse_flag(v), Some(false), "{v}");
        }
        assert_eq!(parse_flag("2"), None);
    }
}
