//! Reports as documents: a [`Report`] is a header block and one or more
//! [`Sheet`]s of typed columns, computed by [`crate::campaign::reports`] and
//! written by [`xlsx`], [`html`] (a printable A4 page in the style of a
//! Vietnamese administrative report) and [`csv`]. [`record`] is the donation
//! record (biên bản hiến đất) of one household. Pure: no I/O, no database.

pub mod csv;
pub mod html;
pub mod record;
pub mod xlsx;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A report as issued: who issues it, what it is, for which date or period,
/// and its tables. Serialisable, because a frozen report is kept as this.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// "Phường Ngọc Sơn".
    pub ward: String,
    /// The issuing body's header line: "Đảng ủy phường Ngọc Sơn".
    pub committee: String,
    /// "Báo cáo tiến độ hiến đất mở rộng đường theo tổ dân phố".
    pub title: String,
    /// The same in English (second line, smaller).
    pub title_en: String,
    /// The state reported: end of this day.
    pub as_of: NaiveDate,
    /// A period report covers `from..=as_of` and says what changed in it.
    pub from: Option<NaiveDate>,
    /// Set on a frozen report: the date it was issued.
    pub issued_on: Option<NaiveDate>,
    pub sheets: Vec<Sheet>,
    /// Lines printed under the tables (method, thresholds, demo warning).
    pub notes: Vec<String>,
}

/// One table: a sheet of the workbook, a section of the HTML page, a CSV.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sheet {
    /// Machine name of the cut: "segment", "group", "cell", "member",
    /// "family", "lagging", "commendation".
    pub key: String,
    /// Sheet tab name (at most 31 characters, Excel's limit): "Theo tổ dân phố".
    pub name: String,
    /// Section title above the table.
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    /// A totals row ("Tổng cộng"), when the cut adds up.
    pub total: Option<Vec<Cell>>,
}

/// A column: Vietnamese header first, English second, and how its numbers
/// are shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// Machine name, used as the CSV header: "area_handed_over_m2".
    pub key: String,
    /// "Diện tích đã bàn giao (m²)".
    pub vi: String,
    /// "Area handed over (m²)".
    pub en: String,
    pub kind: Kind,
}

/// How a column's values are shown (a cell's value is always stored as a
/// number where it is one, so that Excel can add it up).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    Text,
    /// Whole numbers: 1.234
    Count,
    /// Square metres to one decimal: 1.234,5
    Area,
    /// Metres to two decimals: 12,35
    Length,
    /// A fraction 0–1 shown as 45,2 %
    Percent,
    /// Đồng: 1.500.000
    Money,
    /// 28/11/2026
    Date,
}

/// One value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<f64> for Cell {
    fn from(v: f64) -> Cell {
        Cell::Number(v)
    }
}

impl From<usize> for Cell {
    fn from(v: usize) -> Cell {
        Cell::Number(v as f64)
    }
}

impl From<i64> for Cell {
    fn from(v: i64) -> Cell {
        Cell::Number(v as f64)
    }
}

impl From<NaiveDate> for Cell {
    fn from(d: NaiveDate) -> Cell {
        Cell::Date(d)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Cell {
        v.map_or(Cell::Empty, Into::into)
    }
}
