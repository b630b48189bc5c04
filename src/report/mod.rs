//! Reports as documents: a [`Report`] is a header block and one or more
//! [`Sheet`]s of typed columns, laid out by [`campaign`] from the read model and
//! written by [`xlsx`], [`html`] (a printable A4 page in the style of a
//! Vietnamese administrative report) and [`csv`]. [`record`] is the donation
//! record (biên bản hiến đất) of one household. [`periodic`] writes the
//! periodic report in the Party's format (letterhead, narrative, appendix),
//! which [`html_party`] prints. [`sheet`] is the map sheet of a group or a
//! segment, drawn to scale in VN-2000. Pure: no I/O, no database.

pub mod campaign;
pub mod commend;
pub mod csv;
pub mod docx;
pub mod evaluation;
pub mod format;
pub mod html;
pub mod html_party;
pub mod inspection;
pub mod periodic;
pub mod plan_sheet;
pub mod public;
pub mod record;
pub mod sheet;
pub mod xlsx;
pub mod xlsx_print;

use chrono::{Datelike, NaiveDate};
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
    /// Set on the periodic report (báo cáo định kỳ): the Party's letterhead,
    /// the narrative and the signature; `sheets` are then its appendix.
    /// Absent from the JSON of every other report, so reports frozen before
    /// it existed read and print as they did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub periodic: Option<Periodic>,
}

/// What the Party's format (Hướng dẫn thể thức văn bản của Đảng) adds to a
/// report: the letterhead, the narrative sections the office edits before
/// printing, the recipients and the signature. Kept, as edited, in the frozen
/// report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Periodic {
    /// The superior committee: "ĐẢNG BỘ TỈNH THANH HÓA".
    pub superior: String,
    /// The issuing committee: "ĐẢNG ỦY PHƯỜNG NGỌC SƠN".
    pub committee: String,
    /// The number once registered ("12"), printed "Số 12-BC/ĐU"; none leaves
    /// room to write it by hand ("Số     -BC/ĐU").
    pub number: Option<String>,
    /// The place of the dateline: "Ngọc Sơn" in "Ngọc Sơn, ngày 05 tháng 12
    /// năm 2026".
    pub place: String,
    /// The narrative: I. situation, II. results, III. shortcomings and causes,
    /// IV. tasks for the next period.
    pub sections: Vec<Section>,
    /// "Nơi nhận": one line each ("Ban Thường vụ Tỉnh ủy (để b/c)").
    pub recipients: Vec<String>,
    /// "T/M BAN THƯỜNG VỤ".
    pub on_behalf: String,
    /// "BÍ THƯ", "PHÓ BÍ THƯ".
    pub signer_title: String,
    /// Printed under the space for the signature, when known.
    pub signer_name: Option<String>,
}

/// One numbered part of the narrative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// "I. TÌNH HÌNH CHUNG".
    pub heading: String,
    /// Its text, one paragraph each.
    pub paragraphs: Vec<String>,
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

impl Report {
    /// The line under the title: "Tính đến ngày 28/11/2026", or for a period
    /// report "Từ ngày 01/11/2026 đến ngày 28/11/2026".
    pub fn date_line(&self) -> String {
        match self.from {
            Some(from) => format!("Từ ngày {} đến ngày {}", date_vi(from), date_vi(self.as_of)),
            None => format!("Tính đến ngày {}", date_vi(self.as_of)),
        }
    }
}

/// "Ngọc Sơn" from "Phường Ngọc Sơn": the place line names the ward alone.
pub(crate) fn place(ward: &str) -> &str {
    ["Phường ", "phường ", "PHƯỜNG "]
        .iter()
        .find_map(|p| ward.strip_prefix(p))
        .unwrap_or(ward)
        .trim()
}

/// "ngày 05 tháng 02 năm 2026": days below 10 and months 1 and 2 take a
/// leading zero, as the rules for administrative documents ask.
pub(crate) fn long_date(d: NaiveDate) -> String {
    let month = if d.month() < 3 {
        format!("{:02}", d.month())
    } else {
        d.month().to_string()
    };
    format!("ngày {:02} tháng {month} năm {}", d.day(), d.year())
}

/// Section numbers: I, II, III, IV…
pub(crate) fn roman(mut n: usize) -> String {
    const DIGITS: [(usize, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut s = String::new();
    for (value, digits) in DIGITS {
        while n >= value {
            s.push_str(digits);
            n -= value;
        }
    }
    s
}

/// 28/11/2026: the date as Vietnamese documents write it.
pub fn date_vi(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A number as a Vietnamese reader expects it for its kind: "." between
/// thousands, "," before decimals (1.234,5; 45,2 %; 1.500.000). Halves round
/// away from zero on the number as written (12,345 → 12,35), not on its
/// binary value. Not a number: blank.
pub fn format_vi(value: f64, kind: Kind) -> String {
    if !value.is_finite() {
        return String::new();
    }
    let (shift, places, suffix) = match kind {
        Kind::Count | Kind::Money => (0, 0, ""),
        Kind::Area => (0, 1, ""),
        Kind::Length => (0, 2, ""),
        Kind::Percent => (2, 1, " %"),
        // a number where text or a date was expected: shown as it is
        Kind::Text | Kind::Date => (0, shortest_places(value), ""),
    };
    let d = Decimal::round(value, shift, places);
    let mut s = String::with_capacity(d.int.len() * 4 / 3 + d.frac.len() + 4);
    if d.negative {
        s.push('-');
    }
    for (i, c) in d.int.chars().enumerate() {
        if i > 0 && (d.int.len() - i).is_multiple_of(3) {
            s.push('.');
        }
        s.push(c);
    }
    if !d.frac.is_empty() {
        s.push(',');
        s.push_str(&d.frac);
    }
    s.push_str(suffix);
    s
}

/// Decimals in the shortest form of `value` (what `{}` prints).
fn shortest_places(value: f64) -> usize {
    let s = value.abs().to_string();
    s.split_once('.').map_or(0, |(_, f)| f.len())
}

/// A number rounded in decimal: shared by the Vietnamese and the CSV
/// formatting, so both round the same way.
#[derive(Debug, PartialEq)]
struct Decimal {
    /// Only when the rounded value is not zero (no "-0").
    negative: bool,
    /// Digits before the point, at least "0".
    int: String,
    /// Exactly the places asked for.
    frac: String,
}

impl Decimal {
    /// `value` × 10^`shift`, rounded half away from zero to `places`
    /// decimals. Works on the shortest decimal form of the float (Rust's `{}`
    /// never uses an exponent), so 12.345 is a half, as its reader thinks.
    fn round(value: f64, shift: usize, places: usize) -> Decimal {
        let s = value.abs().to_string();
        let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
        let mut digits: Vec<u8> = int.bytes().chain(frac.bytes()).collect();
        let mut point = int.len() + shift;
        let keep = point + places;
        if digits.len() <= keep {
            digits.resize(keep + 1, b'0');
        }
        let up = digits[keep] >= b'5';
        digits.truncate(keep);
        if up && !increment(&mut digits) {
            digits.insert(0, b'1');
            point += 1;
        }
        let int = String::from_utf8_lossy(&digits[..point]);
        let int = match int.trim_start_matches('0') {
            "" => "0".to_string(),
            t => t.to_string(),
        };
        let frac = String::from_utf8_lossy(&digits[point..]).into_owned();
        let zero = digits.iter().all(|&b| b == b'0');
        Decimal {
            negative: value < 0.0 && !zero,
            int,
            frac,
        }
    }
}

/// Adds one to the last digit, carrying; false when it carried out of the
/// first digit (all nines).
fn increment(digits: &mut [u8]) -> bool {
    for d in digits.iter_mut().rev() {
        if *d == b'9' {
            *d = b'0';
        } else {
            *d += 1;
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_vi_by_kind() {
        assert_eq!(format_vi(1234.5, Kind::Area), "1.234,5");
        assert_eq!(format_vi(0.0, Kind::Count), "0");
        assert_eq!(format_vi(0.0, Kind::Money), "0");
        assert_eq!(format_vi(0.0, Kind::Area), "0,0");
        assert_eq!(format_vi(1_500_000.0, Kind::Money), "1.500.000");
        assert_eq!(format_vi(0.4523, Kind::Percent), "45,2 %");
        assert_eq!(format_vi(1.0, Kind::Percent), "100,0 %");
        assert_eq!(format_vi(-12.345, Kind::Length), "-12,35");
        assert_eq!(format_vi(12.345, Kind::Length), "12,35");
        assert_eq!(format_vi(1_234_567.0, Kind::Count), "1.234.567");
        assert_eq!(format_vi(999.96, Kind::Area), "1.000,0");
        assert_eq!(format_vi(123.0, Kind::Count), "123");
        assert_eq!(format_vi(-1234.0, Kind::Money), "-1.234");
    }

    #[test]
    fn format_vi_edges() {
        // rounds to zero: no minus sign
        assert_eq!(format_vi(-0.004, Kind::Length), "0,00");
        assert_eq!(format_vi(-0.0, Kind::Count), "0");
        // half away from zero on the written number, not on the binary one
        assert_eq!(format_vi(2.5, Kind::Count), "3");
        assert_eq!(format_vi(-2.5, Kind::Count), "-3");
        assert_eq!(format_vi(0.4525, Kind::Percent), "45,3 %");
        assert_eq!(format_vi(0.00001, Kind::Area), "0,0");
        assert_eq!(
            format_vi(1e21, Kind::Money),
            "1.000.000.000.000.000.000.000"
        );
        assert_eq!(format_vi(f64::NAN, Kind::Area), "");
        assert_eq!(format_vi(1234.25, Kind::Text), "1.234,25");
    }

    #[test]
    fn dates_and_date_line() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        assert_eq!(date_vi(d(3, 5)), "05/03/2026");
        let mut r = Report {
            ward: "Phường Ngọc Sơn".into(),
            committee: "Đảng ủy phường Ngọc Sơn".into(),
            title: String::new(),
            title_en: String::new(),
            as_of: d(11, 28),
            from: None,
            issued_on: None,
            sheets: vec![],
            notes: vec![],
            periodic: None,
        };
        assert_eq!(r.date_line(), "Tính đến ngày 28/11/2026");
        r.from = Some(d(11, 1));
        assert_eq!(r.date_line(), "Từ ngày 01/11/2026 đến ngày 28/11/2026");
    }
}
