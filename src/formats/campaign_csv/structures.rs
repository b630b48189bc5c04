//! Reading the structures CSV (`hiendat import --structures S.csv`): the
//! structures on the land (công trình trên đất) of each parcel.
//!
//! UTF-8 (a byte-order mark, as Excel writes it, is allowed), comma
//! separated, one structure per row, a header row naming the columns in any
//! order (case and surrounding spaces do not matter):
//!
//! | column | required | meaning |
//! |---|---|---|
//! | `parcel_id` | yes | the parcel's id, as in the parcels layer |
//! | `kind` | yes | `wall`, `gate`, `house_front`, `awning`, `yard`, `tree`, `well`, `other`, or the Vietnamese label (Tường rào, Cổng, Mặt tiền nhà, Mái che / mái hiên, Sân, Cây, Giếng, Khác; diacritics optional) |
//! | `quantity` | yes | a positive number; a decimal comma is fine (`12,5`) |
//! | `unit` | yes | `m`, `m2` (or `m²`), `item` (or `cái`) |
//! | `value_vnd` | no | estimated value in đồng, a non-negative integer: `1500000`, `1.500.000`, `1 500 000`, optionally followed by `đ`, `₫` or `VND`; empty = unknown |
//! | `donated` | yes | donated (hiến): `1`/`0`, `true`/`false`, `có`/`không` (also `yes`/`no`, `x`; empty = no) |
//! | `note` | no | free text (checked, not stored) |
//!
//! Every problem is reported at once, each with its line number, column and
//! reason in Vietnamese and English; nothing is returned unless the whole
//! file is good. On import, the structures of every parcel the file names
//! replace that parcel's stored ones.
//!
//! ```
//! use hiendat::formats::structures::read_structures;
//! use hiendat::campaign::structures::{StructureKind, Unit};
//! let csv = "parcel_id,kind,quantity,unit,value_vnd,donated\n12,Tường rào,\"12,5\",m,1.500.000,có\n";
//! let s = read_structures(csv.as_bytes()).unwrap();
//! assert_eq!(s[0].kind, StructureKind::Wall);
//! assert_eq!(s[0].quantity, 12.5);
//! assert_eq!(s[0].unit, Unit::M);
//! assert_eq!(s[0].value_vnd, Some(1_500_000));
//! assert!(s[0].donated);
//! ```

use super::households::parse_flag;
use super::table::{self, Problem};
use crate::campaign::FeatureId;
use crate::campaign::structures::{StructureInput, StructureKind, Unit};
use std::fmt;

/// The columns, in the order a template lists them.
pub const COLUMNS: [&str; 7] = [
    "parcel_id",
    "kind",
    "quantity",
    "unit",
    "value_vnd",
    "donated",
    "note",
];

/// The columns a header must name.
const REQUIRED: [&str; 5] = ["parcel_id", "kind", "quantity", "unit", "donated"];

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
    /// A kind that is none of the codes or labels.
    BadKind(String),
    /// A unit that is none of `m`, `m2`, `item` (or their labels).
    BadUnit(String),
    /// A quantity that is not a positive number.
    BadQuantity(String),
    /// A value that is not a non-negative whole number of đồng.
    BadValue(String),
    /// A yes/no value that is none of the accepted spellings.
    BadFlag(String),
    /// The row has another number of fields than the header.
    FieldCount { found: usize, expected: usize },
    /// The CSV itself cannot be read (unbalanced quotes...).
    Syntax(String),
    /// No header row.
    NoHeader,
    /// A bound of [`crate::formats::limits`] is broken: why, in
    /// Vietnamese and English.
    Limit { vi: String, en: String },
}

const KINDS_VI: &str = "wall, gate, house_front, awning, yard, tree, well, other hoặc Tường rào, Cổng, Mặt tiền nhà, Mái che, Sân, Cây, Giếng, Khác";
const KINDS_EN: &str =
    "wall, gate, house_front, awning, yard, tree, well, other or the Vietnamese labels";

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
            Reason::BadKind(v) => format!("loại công trình {v:?} không hợp lệ (dùng {KINDS_VI})"),
            Reason::BadUnit(v) => format!("đơn vị {v:?} không hợp lệ (dùng m, m2, item / cái)"),
            Reason::BadQuantity(v) => format!("khối lượng {v:?} không phải số dương"),
            Reason::BadValue(v) => {
                format!(
                    "giá trị {v:?} không phải số đồng nguyên không âm, tối đa 1.000.000.000.000 (ví dụ 1.500.000)"
                )
            }
            Reason::BadFlag(v) => {
                format!("giá trị {v:?} không hợp lệ (dùng 1/0, true/false, có/không)")
            }
            Reason::FieldCount { found, expected } => {
                format!("dòng có {found} trường, tiêu đề có {expected}")
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
            Reason::BadKind(v) => format!("invalid kind {v:?} (use {KINDS_EN})"),
            Reason::BadUnit(v) => format!("invalid unit {v:?} (use m, m2, item)"),
            Reason::BadQuantity(v) => format!("quantity {v:?} is not a positive number"),
            Reason::BadValue(v) => {
                format!(
                    "value {v:?} is not a non-negative whole number of đồng up to 1,000,000,000,000 (e.g. 1.500.000)"
                )
            }
            Reason::BadFlag(v) => {
                format!("invalid value {v:?} (use 1/0, true/false, có/không)")
            }
            Reason::FieldCount { found, expected } => {
                format!("row has {found} fields, the header {expected}")
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
pub struct StructureError {
    pub line: u64,
    pub column: Option<String>,
    pub reason: Reason,
}

impl fmt::Display for StructureError {
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

/// Every problem of a structures file, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructureErrors(pub Vec<StructureError>);

impl fmt::Display for StructureErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} lỗi trong tệp công trình trên đất / {} errors in the structures file",
            self.0.len(),
            self.0.len()
        )?;
        for e in &self.0 {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for StructureErrors {}

/// Reads a structures CSV (see the module docs).
pub fn read_structures(bytes: &[u8]) -> Result<Vec<StructureInput>, StructureErrors> {
    let (table_rows, found) = table::rows(bytes, &COLUMNS, &REQUIRED);
    let mut errors: Vec<StructureError> = found.into_iter().map(StructureError::from).collect();
    let mut rows = Vec::new();
    for row in &table_rows {
        let line = row.line;
        let before = errors.len();
        // A column's text (None when empty or absent); a cell that is not
        // UTF-8, already reported, reads as `Err`.
        let cell = |col: &str| -> Result<Option<String>, ()> {
            if row.is_unreadable(col) {
                return Err(());
            }
            Ok(row.get(col).map(str::to_string))
        };
        let parcel = cell("parcel_id");
        let kind = cell("kind");
        let quantity = cell("quantity");
        let unit = cell("unit");
        let value = cell("value_vnd");
        let donated = cell("donated");
        let mut bad = |col: &str, r: Reason| errors.push(cell_error(line, col, r));
        let parcel = match parcel {
            Ok(Some(p)) => Some(p),
            Ok(None) => {
                bad("parcel_id", Reason::Empty);
                None
            }
            Err(()) => None,
        };
        let kind = match kind {
            Ok(Some(k)) => match k.parse::<StructureKind>() {
                Ok(k) => Some(k),
                Err(_) => {
                    bad("kind", Reason::BadKind(k));
                    None
                }
            },
            Ok(None) => {
                bad("kind", Reason::Empty);
                None
            }
            Err(()) => None,
        };
        let quantity = match quantity {
            Ok(Some(q)) => match parse_quantity(&q) {
                Some(q) => Some(q),
                None => {
                    bad("quantity", Reason::BadQuantity(q));
                    None
                }
            },
            Ok(None) => {
                bad("quantity", Reason::Empty);
                None
            }
            Err(()) => None,
        };
        let unit = match unit {
            Ok(Some(u)) => match u.parse::<Unit>() {
                Ok(u) => Some(u),
                Err(_) => {
                    bad("unit", Reason::BadUnit(u));
                    None
                }
            },
            Ok(None) => {
                bad("unit", Reason::Empty);
                None
            }
            Err(()) => None,
        };
        let value_vnd = match value {
            Ok(Some(v)) => match parse_vnd(&v) {
                Some(v) => Some(v),
                None => {
                    bad("value_vnd", Reason::BadValue(v));
                    None
                }
            },
            _ => None,
        };
        let donated = match donated {
            Ok(Some(d)) => match parse_flag(&d) {
                Some(b) => b,
                None => {
                    bad("donated", Reason::BadFlag(d));
                    false
                }
            },
            _ => false,
        };
        if errors.len() == before
            && let (Some(p), Some(kind), Some(quantity), Some(unit)) =
                (parcel, kind, quantity, unit)
        {
            rows.push(StructureInput {
                parcel: feature_id(p),
                kind,
                quantity,
                unit,
                value_vnd,
                donated,
                line: Some(line),
            });
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        // the table's problems first, then this file's, each line in turn
        errors.sort_by_key(|e| e.line);
        Err(StructureErrors(errors))
    }
}

impl From<table::Found> for StructureError {
    fn from(f: table::Found) -> StructureError {
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
        StructureError {
            line: f.line,
            column: f.column,
            reason,
        }
    }
}

fn cell_error(line: u64, col: &str, reason: Reason) -> StructureError {
    StructureError {
        line,
        column: Some(col.to_string()),
        reason,
    }
}

/// A positive finite number, `12.5` or `12,5`.
fn parse_quantity(s: &str) -> Option<f64> {
    let t = s.trim();
    let t = if t.contains(',') && !t.contains('.') {
        t.replace(',', ".")
    } else {
        t.to_string()
    };
    let q: f64 = t.parse().ok()?;
    (q.is_finite() && q > 0.0).then_some(q)
}

/// A non-negative whole number of đồng: plain digits, or digits grouped by
/// threes with dots (Vietnamese), commas or spaces; an optional `đ`, `₫` or
/// `VND` after it.
fn parse_vnd(s: &str) -> Option<i64> {
    let mut t = s.trim();
    for suffix in ["₫", "đ", "Đ", "vnđ", "VNĐ", "vnd", "VND", "đồng"] {
        if let Some(rest) = t.strip_suffix(suffix) {
            t = rest.trim_end();
            break;
        }
    }
    if t.is_empty() {
        return None;
    }
    let seps: Vec<char> = t.chars().filter(|c| !c.is_ascii_digit()).collect();
    let digits: String = if seps.is_empty() {
        t.to_string()
    } else {
        let sep = seps[0];
        if !matches!(sep, '.' | ',' | ' ' | '\u{a0}') || seps.iter().any(|&c| c != sep) {
            return None;
        }
        let groups: Vec<&str> = t.split(sep).collect();
        let first_ok = (1..=3).contains(&groups[0].len());
        if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
            return None;
        }
        groups.concat()
    };
    digits
        .parse::<i64>()
        .ok()
        .filter(|v| *v <= crate::campaign::structures::MAX_VALUE_VND)
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
    fn reads_a_file_with_bom_any_column_order_labels_and_vietnamese_numbers() {
        let csv = "\u{feff}Kind , parcel_id,quantity,unit,donated,value_vnd,note\n\
                   Tường rào,12,\"12,5\",m,có,1.500.000,xây gạch\n\
                   gate,12,1,item,0,,\n\
                   \n\
                   Mái che / mái hiên,A-7,8.4,m²,true,2500000,\n\
                   Cay,A-7,2,Cái,không,\"1,200,000 đ\",cây nhãn\n\
                   mat tien nha,13,4.5,m2,x,12 000 000,\n\
                   Giếng,13,1,cái,,300000₫,\n";
        let rows = read_structures(csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 6);
        let w = &rows[0];
        assert_eq!(w.parcel, FeatureId::Number("12".into()));
        assert_eq!(w.kind, StructureKind::Wall);
        assert_eq!(w.quantity, 12.5);
        assert_eq!(w.unit, Unit::M);
        assert_eq!(w.value_vnd, Some(1_500_000));
        assert!(w.donated);
        assert_eq!(w.line, Some(2));
        assert_eq!(
            (
                rows[1].kind,
                rows[1].unit,
                rows[1].value_vnd,
                rows[1].donated
            ),
            (StructureKind::Gate, Unit::Item, None, false)
        );
        assert_eq!(rows[2].parcel, FeatureId::Text("A-7".into()));
        assert_eq!(
            (rows[2].kind, rows[2].unit, rows[2].value_vnd),
            (StructureKind::Awning, Unit::M2, Some(2_500_000))
        );
        assert_eq!(rows[2].line, Some(5));
        assert_eq!(
            (
                rows[3].kind,
                rows[3].unit,
                rows[3].value_vnd,
                rows[3].donated
            ),
            (StructureKind::Tree, Unit::Item, Some(1_200_000), false)
        );
        assert_eq!(
            (rows[4].kind, rows[4].value_vnd, rows[4].donated),
            (StructureKind::HouseFront, Some(12_000_000), true)
        );
        assert_eq!(
            (rows[5].kind, rows[5].value_vnd, rows[5].donated),
            (StructureKind::Well, Some(300_000), false)
        );
    }

    #[test]
    fn every_row_error_is_reported_at_once() {
        let csv = "parcel_id,kind,quantity,unit,value_vnd,donated\n\
                   1,wall,10,m,1.000.000,1\n\
                   ,nhà kho,0,km,-5,maybe\n\
                   3,gate,abc,item,1.50,có\n\
                   4,tree,1\n\
                   5,,,,,\n\
                   6,well,-2,m,\"1.000,000\",0\n";
        let errs = read_structures(csv.as_bytes()).unwrap_err().0;
        let got: Vec<(u64, Option<&str>, &Reason)> = errs
            .iter()
            .map(|e| (e.line, e.column.as_deref(), &e.reason))
            .collect();
        assert_eq!(
            got,
            [
                (3, Some("parcel_id"), &Reason::Empty),
                (3, Some("kind"), &Reason::BadKind("nhà kho".into())),
                (3, Some("quantity"), &Reason::BadQuantity("0".into())),
                (3, Some("unit"), &Reason::BadUnit("km".into())),
                (3, Some("value_vnd"), &Reason::BadValue("-5".into())),
                (3, Some("donated"), &Reason::BadFlag("maybe".into())),
                (4, Some("quantity"), &Reason::BadQuantity("abc".into())),
                (4, Some("value_vnd"), &Reason::BadValue("1.50".into())),
                (
                    5,
                    None,
                    &Reason::FieldCount {
                        found: 3,
                        expected: 6
                    }
                ),
                (6, Some("kind"), &Reason::Empty),
                (6, Some("quantity"), &Reason::Empty),
                (6, Some("unit"), &Reason::Empty),
                (7, Some("quantity"), &Reason::BadQuantity("-2".into())),
                (7, Some("value_vnd"), &Reason::BadValue("1.000,000".into())),
            ]
        );
        let msg = StructureErrors(errs).to_string();
        assert!(
            msg.starts_with("14 lỗi trong tệp công trình trên đất / 14 errors"),
            "{msg}"
        );
        assert!(
            msg.contains("dòng 3, cột unit: đơn vị \"km\" không hợp lệ (dùng m, m2, item / cái) / line 3, column unit: invalid unit \"km\""),
            "{msg}"
        );
    }

    #[test]
    fn header_problems_are_named() {
        let errs = read_structures(b"parcel,kind,kind,quantity\n1,a,b,1\n")
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
                (Some("kind"), &Reason::DuplicateColumn),
                (Some("parcel_id"), &Reason::MissingColumn),
                (Some("unit"), &Reason::MissingColumn),
                (Some("donated"), &Reason::MissingColumn),
            ]
        );
        assert!(errs.iter().all(|e| e.line == 1));
        assert_eq!(
            read_structures(b"").unwrap_err().0[0].reason,
            Reason::NoHeader
        );
        let bad = read_structures(b"parcel_id,kind,quantity,unit,donated\n1,C\xf4ng,1,item,1\n")
            .unwrap_err()
            .0;
        assert_eq!(
            (bad[0].line, bad[0].column.as_deref(), &bad[0].reason),
            (2, Some("kind"), &Reason::NotUtf8)
        );
    }

    #[test]
    fn money_and_quantities_parse_as_documented() {
        for (s, v) in [
            ("1500000", 1_500_000),
            ("1.500.000", 1_500_000),
            ("1,500,000", 1_500_000),
            ("1 500 000", 1_500_000),
            ("0", 0),
            ("850.000 đ", 850_000),
            ("850.000₫", 850_000),
            ("2000000 VND", 2_000_000),
        ] {
            assert_eq!(parse_vnd(s), Some(v), "{s}");
        }
        assert_eq!(parse_vnd("1.000.000.000.000"), Some(1_000_000_000_000));
        for s in [
            "1.5",
            "15.00.000",
            "1.500,000",
            "-1",
            "abc",
            "đ",
            "1.5000",
            // past the cap: a sum of such values would overflow the totals
            "1.000.000.000.001",
            "9223372036854775807",
        ] {
            assert_eq!(parse_vnd(s), None, "{s}");
        }
        assert_eq!(parse_quantity("2,75"), Some(2.75));
        assert_eq!(parse_quantity("3"), Some(3.0));
        for s in ["0", "-1", "NaN", "inf", "x"] {
            assert_eq!(parse_quantity(s), None, "{s}");
        }
    }

    #[test]
    fn the_sample_file_reads() {
        let bytes = include_bytes!("../../../data/structures-sample.csv");
        let rows = read_structures(bytes).unwrap();
        assert!(rows.len() >= 8);
        assert!(rows.iter().any(|r| r.donated));
        assert!(rows.iter().any(|r| !r.donated));
        assert!(rows.iter().any(|r| r.value_vnd.is_none()));
    }
}
