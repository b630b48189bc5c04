//! How a worksheet of [`super::xlsx`] prints: the paper, the scale and the
//! column ranges, computed from the columns' widths so that no printed text
//! is smaller than [`MIN_PRINTED_PT`].
//!
//! Excel's "fit to page width" shrinks a wide table until it fits, however
//! small its text becomes (a 24-column cut printed at ~4 pt). Instead the
//! scale is set here: A4 landscape when the table fits it at
//! [`MIN_SCALE`] % or more, else A3 landscape, and a table too wide even
//! for A3 is printed as several column ranges (vertical page breaks), its
//! first column repeated on every page so each page says whose figures
//! these are.

use super::Kind;

/// The body text's size (the workbook's default font, Calibri 11).
pub const BODY_PT: f64 = 11.0;
/// The smallest font the writer uses (the English header row).
pub const SMALLEST_PT: f64 = 10.0;
/// No printed text smaller than this.
pub const MIN_PRINTED_PT: f64 = 8.0;
/// The smallest print scale, in percent: the smallest font at this scale is
/// still [`MIN_PRINTED_PT`].
pub const MIN_SCALE: u16 = (MIN_PRINTED_PT * 100.0 / SMALLEST_PT) as u16;
/// Left and right page margins, inches (Excel's default is 0.7).
pub const SIDE_MARGIN_IN: f64 = 0.5;

/// A paper size: Excel's code and its short side, long side in inches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    A4,
    A3,
}

impl Paper {
    /// Excel's `paperSize` code.
    pub fn code(self) -> u8 {
        match self {
            Paper::A4 => 9,
            Paper::A3 => 8,
        }
    }

    /// The printable width in landscape, in Excel pixels (96 per inch).
    pub fn printable_px(self) -> u32 {
        let long = match self {
            Paper::A4 => 297.0,
            Paper::A3 => 420.0,
        } / 25.4;
        ((long - 2.0 * SIDE_MARGIN_IN) * 96.0).floor() as u32
    }
}

/// The print set-up of one sheet (always landscape).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub paper: Paper,
    /// Percent, [`MIN_SCALE`]..=100.
    pub scale: u16,
    /// Columns that start a new printed page (empty: one page wide).
    pub breaks: Vec<u32>,
    /// Repeat column 0 on every page (set when the table is split).
    pub repeat_first: bool,
}

impl Layout {
    /// The size, in points, that text of `pt` prints at.
    pub fn printed_pt(&self, pt: f64) -> f64 {
        pt * f64::from(self.scale) / 100.0
    }
}

/// A column's width in Excel pixels, as Excel lays a width in characters
/// out with Calibri 11 (7 pixels a digit, 5 of padding).
pub fn column_px(chars: usize) -> u32 {
    7 * chars as u32 + 5
}

/// The layout for columns of these widths (in characters).
pub fn layout(widths: &[usize]) -> Layout {
    let px: Vec<u32> = widths.iter().map(|&w| column_px(w)).collect();
    let total: u32 = px.iter().sum::<u32>().max(1);
    for paper in [Paper::A4, Paper::A3] {
        let s = scale_for(paper, total);
        if s >= MIN_SCALE {
            return Layout {
                paper,
                scale: s,
                breaks: Vec::new(),
                repeat_first: false,
            };
        }
    }
    // too wide for one A3 page: column ranges, each at most what A3 holds
    // at the smallest scale, the first column repeated
    let paper = Paper::A3;
    let room = paper.printable_px() * 100 / u32::from(MIN_SCALE);
    let first = px[0];
    let mut breaks = Vec::new();
    let mut used = 0;
    let mut widest = 0;
    for (i, &w) in px.iter().enumerate() {
        if i > 0 && used + w > room {
            breaks.push(i as u32);
            widest = widest.max(used);
            used = first;
        }
        used += w;
    }
    widest = widest.max(used);
    Layout {
        paper,
        scale: scale_for(paper, widest).max(MIN_SCALE),
        breaks,
        repeat_first: true,
    }
}

/// The largest whole scale (≤ 100 %) at which `px` fits the paper's width.
fn scale_for(paper: Paper, px: u32) -> u16 {
    (u64::from(paper.printable_px()) * 100 / u64::from(px.max(1))).min(100) as u16
}

/// Text columns whose values are numbers to the surveyors (tờ bản đồ, số
/// thửa): a value written as a whole number without a leading zero is stored
/// as a number, so Excel sorts and filters it as one; "05" or "12a" stays
/// text, as typed.
pub const NUMERIC_ID_KEYS: [&str; 2] = ["map_sheet", "parcel_no"];

/// `s` as the number it spells, when it is a whole number written without
/// a leading zero (and short enough to be exact in a float).
pub fn numeric_id(s: &str) -> Option<f64> {
    let digits = s.len() <= 15 && !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if digits && (s == "0" || !s.starts_with('0')) {
        s.parse().ok()
    } else {
        None
    }
}

/// Whether a totals cell of this kind can be the SUM of its column.
pub fn adds_up(kind: Kind) -> bool {
    matches!(kind, Kind::Count | Kind::Area | Kind::Length | Kind::Money)
}

/// Whether `total` is the sum of `values` (to the float error of adding
/// them up): only then is a formula written in its place.
pub fn is_sum(values: &[f64], total: f64) -> bool {
    let sum: f64 = values.iter().sum();
    let scale: f64 = values.iter().map(|v| v.abs()).sum::<f64>().max(1.0);
    (sum - total).abs() <= scale * 1e-9
}

/// "A", "Z", "AA": the letters of column `col` (0-based).
pub fn column_letters(col: u16) -> String {
    let mut n = u32::from(col) + 1;
    let mut s = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smallest_font_prints_at_eight_points_or_more() {
        assert!(SMALLEST_PT * f64::from(MIN_SCALE) / 100.0 >= MIN_PRINTED_PT);
        for n in 1..=40 {
            let widths = vec![12; n];
            let l = layout(&widths);
            assert!(l.scale >= MIN_SCALE && l.scale <= 100, "{n}: {l:?}");
            assert!(l.printed_pt(SMALLEST_PT) >= MIN_PRINTED_PT, "{n}: {l:?}");
            // every printed range fits its page at that scale
            let mut starts = vec![0u32];
            starts.extend(&l.breaks);
            for (k, &s) in starts.iter().enumerate() {
                let end = starts.get(k + 1).copied().unwrap_or(n as u32);
                let mut px: u32 = (s..end).map(|_| column_px(12)).sum();
                if k > 0 && l.repeat_first {
                    px += column_px(12);
                }
                let printed = f64::from(px) * f64::from(l.scale) / 100.0;
                assert!(printed <= f64::from(l.paper.printable_px()), "{n}: {l:?}");
            }
        }
    }

    #[test]
    fn narrow_on_a4_wide_on_a3_very_wide_split() {
        let a4 = layout(&[20, 30, 12, 12]);
        assert_eq!((a4.paper, a4.scale, a4.breaks.len()), (Paper::A4, 100, 0));
        // 16 columns of 12: 1424 px, too wide for A4 at 80 %, one A3 page
        let a3 = layout(&[12; 16]);
        assert_eq!((a3.paper, a3.breaks.len()), (Paper::A3, 0));
        assert!(a3.scale >= MIN_SCALE);
        let split = layout(&[12; 30]);
        assert_eq!(split.paper, Paper::A3);
        assert!(split.repeat_first);
        assert_eq!(split.breaks.len(), 1, "{split:?}");
    }

    #[test]
    fn ids_and_letters() {
        assert_eq!(numeric_id("219"), Some(219.0));
        assert_eq!(numeric_id("0"), Some(0.0));
        for text in ["05", "12a", "", " 5", "1.5", "-3", "1234567890123456"] {
            assert_eq!(numeric_id(text), None, "{text}");
        }
        assert_eq!(
            [0, 25, 26, 51, 701, 702].map(column_letters),
            ["A", "Z", "AA", "AZ", "ZZ", "AAA"]
        );
        assert!(is_sum(&[0.1, 0.2], 0.3));
        assert!(!is_sum(&[3.0, 4.0], 6.0));
    }
}
