//! Text and numbers as a Vietnamese record writes them: dots to fill in by
//! hand, dates in words, "1.234,5".

use chrono::{Datelike, NaiveDate};

use super::esc;

/// Dòng chấm để điền tay. Dots to fill in by hand.
pub(super) fn blank(n: usize) -> String {
    "…".repeat(n)
}

pub(super) fn value_or_blank(v: Option<&str>, dots: usize) -> String {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => format!("<b>{}</b>", esc(s)),
        None => blank(dots),
    }
}

pub(super) fn blank_date() -> String {
    format!("ngày {0} tháng {0} năm {0}", blank(2))
}

/// "ngày 05 tháng 01 năm 2027": ngày dưới 10 và tháng 1, 2 viết thêm số 0
/// (thể thức văn bản hành chính, Nghị định 30/2020/NĐ-CP) so that no digit
/// can be added by hand.
pub(super) fn date_words(d: NaiveDate) -> String {
    let (day, month) = (d.day(), d.month());
    let day = if day < 10 {
        format!("0{day}")
    } else {
        day.to_string()
    };
    let month = if month < 3 {
        format!("0{month}")
    } else {
        month.to_string()
    };
    format!("ngày {day} tháng {month} năm {}", d.year())
}

pub(super) fn area_m2(v: f64) -> String {
    format!("{} m²", num_vi(v, 1))
}

/// "1.500.000 ₫".
pub(super) fn money_vnd(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    format!("{sign}{} ₫", grouped(&v.unsigned_abs().to_string()))
}

/// A quantity without trailing zeros: "25", "12,5", "3,25".
pub(super) fn quantity(v: f64) -> String {
    let s = num_vi(v, 2);
    match s.find(',') {
        Some(_) => s.trim_end_matches('0').trim_end_matches(',').to_string(),
        None => s,
    }
}

/// Số kiểu Việt Nam: nghìn "." và thập phân ",", làm tròn nửa xa số 0
/// (1234.5 → "1.234,5"). Vietnamese number: thousands ".", decimal ",",
/// halves rounded away from zero.
pub(crate) fn num_vi(v: f64, decimals: usize) -> String {
    decimal_vi(v, decimals, true)
}

/// Tọa độ đến mm, dấu phẩy thập phân, không phân cách nghìn: "2192345,678".
pub(super) fn coord_vi(v: f64) -> String {
    decimal_vi(v, 3, false)
}

fn decimal_vi(v: f64, decimals: usize, group: bool) -> String {
    if !v.is_finite() {
        return "—".to_string();
    }
    let (int, frac) = round_half_away(v.abs(), decimals);
    let zero = int.bytes().chain(frac.bytes()).all(|b| b == b'0');
    let mut out = String::new();
    if v < 0.0 && !zero {
        out.push('-');
    }
    out.push_str(&if group { grouped(&int) } else { int });
    if decimals > 0 {
        out.push(',');
        out.push_str(&frac);
    }
    out
}

/// Rounds the shortest decimal form of `v` (12.345, as typed) rather than its
/// binary value (12.34499…), so that halves round away from zero as on paper.
/// `v` is finite and not negative; returns the integer and fraction digits.
fn round_half_away(v: f64, decimals: usize) -> (String, String) {
    // Display never uses an exponent and gives the shortest round-trip form.
    let s = format!("{v}");
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let kept = frac.bytes().chain(std::iter::repeat(b'0')).take(decimals);
    let mut digits: Vec<u8> = int.bytes().chain(kept).collect();
    if frac.as_bytes().get(decimals).is_some_and(|&d| d >= b'5') {
        carry(&mut digits);
    }
    let split = digits.len() - decimals;
    let text = |d: &[u8]| d.iter().map(|&b| char::from(b)).collect::<String>();
    (text(&digits[..split]), text(&digits[split..]))
}

/// Adds one to the last digit, carrying to the left ("999" → "1000").
fn carry(digits: &mut Vec<u8>) {
    for d in digits.iter_mut().rev() {
        if *d == b'9' {
            *d = b'0';
        } else {
            *d += 1;
            return;
        }
    }
    digits.insert(0, b'1');
}

/// "1500000" → "1.500.000".
fn grouped(int: &str) -> String {
    let n = int.len();
    let mut out = String::with_capacity(n + n / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}
