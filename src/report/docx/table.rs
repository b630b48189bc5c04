//! The tables of a .docx: the borderless layout of the letterhead and the
//! signature, and the bordered tables of figures.

use super::xml::{Font, Para, para};
use crate::report::{Cell, Column, Kind, Sheet, date_vi, format_vi};
use std::fmt::Write as _;

/// A borderless table of cells already written, each `(width, xml)`.
pub(super) fn layout_table(x: &mut String, cells: &[(u32, String)]) {
    x.push_str("<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/>");
    x.push_str("<w:tblBorders>");
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        let _ = write!(x, "<w:{side} w:val=\"nil\"/>");
    }
    x.push_str("</w:tblBorders><w:tblLayout w:type=\"fixed\"/>");
    x.push_str("<w:tblCellMar><w:left w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"0\" w:type=\"dxa\"/></w:tblCellMar>");
    x.push_str("</w:tblPr><w:tblGrid>");
    for (w, _) in cells {
        let _ = write!(x, "<w:gridCol w:w=\"{w}\"/>");
    }
    x.push_str("</w:tblGrid><w:tr><w:trPr><w:cantSplit/></w:trPr>");
    for (w, content) in cells {
        let _ = write!(
            x,
            "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/></w:tcPr>"
        );
        if content.is_empty() {
            para(x, Para::left(), &[]);
        } else {
            x.push_str(content);
        }
        x.push_str("</w:tc>");
    }
    x.push_str("</w:tr></w:tbl>");
}

/// A sheet as a bordered table filling `width`: TT, then its columns; the
/// header row repeats on every page; numbers right-aligned as Vietnamese
/// write them; the totals row bold.
pub(super) fn data_table(x: &mut String, sheet: &Sheet, width: u32) {
    let Fit { size, widths } = fit(sheet, width);
    x.push_str("<w:tbl><w:tblPr><w:tblW w:w=\"");
    let _ = write!(
        x,
        "{width}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblBorders>"
    );
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        let _ = write!(
            x,
            "<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
        );
    }
    x.push_str("</w:tblBorders><w:tblLayout w:type=\"fixed\"/>");
    x.push_str("<w:tblCellMar><w:top w:w=\"28\" w:type=\"dxa\"/><w:left w:w=\"57\" w:type=\"dxa\"/><w:bottom w:w=\"28\" w:type=\"dxa\"/><w:right w:w=\"57\" w:type=\"dxa\"/></w:tblCellMar>");
    x.push_str("</w:tblPr><w:tblGrid>");
    for w in &widths {
        let _ = write!(x, "<w:gridCol w:w=\"{w}\"/>");
    }
    x.push_str("</w:tblGrid>");

    let head = Font::bold().size(size);
    x.push_str("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
    cell(x, widths[0], 1, Para::center(), "TT", head);
    for (c, w) in sheet.columns.iter().zip(&widths[1..]) {
        cell(x, *w, 1, Para::center(), &c.vi, head);
    }
    x.push_str("</w:tr>");

    let body = Font::plain().size(size);
    if sheet.rows.is_empty() {
        x.push_str("<w:tr>");
        cell(
            x,
            width,
            widths.len(),
            Para::center(),
            "Không có số liệu",
            Font::italic().size(size),
        );
        x.push_str("</w:tr>");
    }
    for (i, row) in sheet.rows.iter().enumerate() {
        x.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        cell(x, widths[0], 1, Para::center(), &(i + 1).to_string(), body);
        cells(x, &sheet.columns, &widths, row, 0, body);
        x.push_str("</w:tr>");
    }
    if let Some(total) = &sheet.total {
        let bold = Font::bold().size(size);
        x.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        match total.first() {
            // a numeric first column keeps its total
            Some(Cell::Number(_) | Cell::Date(_)) => {
                cell(x, widths[0], 1, Para::left(), "Tổng cộng", bold);
                cells(x, &sheet.columns, &widths, total, 0, bold);
            }
            // "Tổng cộng" spans TT and the first column
            first => {
                let text = match first {
                    Some(Cell::Text(s)) if !s.trim().is_empty() => s.as_str(),
                    _ => "Tổng cộng",
                };
                let span = widths[0] + widths.get(1).copied().unwrap_or(0);
                let n = widths.len().min(2);
                cell(x, span, n, Para::left(), text, bold);
                cells(x, &sheet.columns, &widths, total, 1, bold);
            }
        }
        x.push_str("</w:tr>");
    }
    x.push_str("</w:tbl>");
}

/// A table's type size (half-points) and its column widths (twips, TT
/// first), filling `width`.
struct Fit {
    size: u32,
    widths: Vec<u32>,
}

/// The largest type, from 13 pt for a few columns down to 8 pt, at which
/// every column holds its longest word and its longest number unbroken (a
/// wrapped "1.234,5" misreads; at 8 pt a header word may break rather than
/// a number); the room left goes to the columns that would like more
/// (names, addresses, headers on fewer lines). Widths are
/// estimated from Times New Roman's proportions, so they are close, not
/// exact: a word a little too long wraps, it is never cut.
fn fit(sheet: &Sheet, width: u32) -> Fit {
    // per column, in ems: the least its figures need, the least its header
    // needs, and what it would like
    let mut need: Vec<[f64; 3]> = Vec::with_capacity(sheet.columns.len() + 1);
    let tt = ems("TT").max(ems(&sheet.rows.len().max(1).to_string()));
    need.push([tt, tt, tt]);
    for (i, c) in sheet.columns.iter().enumerate() {
        let words = |t: &str| t.split_whitespace().map(ems).fold(0.0, f64::max);
        // headers are bold, wider
        let head = words(&c.vi) * 1.3;
        let mut least = 0.0_f64;
        let mut wish = head.max(ems(&c.vi) * 1.3 / 3.0);
        let all = sheet.rows.iter().chain(sheet.total.as_ref());
        for cell in all.filter_map(|r| r.get(i)) {
            let t = shown(cell, c.kind);
            match cell {
                Cell::Text(_) => {
                    least = least.max(words(&t));
                    wish = wish.max(ems(&t).min(16.0));
                }
                _ => {
                    least = least.max(ems(&t) * 1.05);
                    wish = wish.max(ems(&t) * 1.05);
                }
            }
        }
        need.push([least, head, wish.max(least).max(head)]);
    }
    let start = match sheet.columns.len() {
        0..=5 => 26,
        6..=8 => 24,
        _ => 22,
    };
    // padding of a cell: its margins, and a little air
    let pad = 57.0 * 2.0 + 40.0;
    let twips = |ems: f64, size: u32| ems * f64::from(size) * 10.0 + pad;
    let fits = |size: u32, least: &dyn Fn(&[f64; 3]) -> f64| {
        need.iter().map(|n| twips(least(n), size)).sum::<f64>() <= f64::from(width)
    };
    let whole = |n: &[f64; 3]| n[0].max(n[1]);
    // at the smallest type, a header word may break before a figure does
    let (size, headers_whole) = match (16..=start).rev().step_by(2).find(|&s| fits(s, &whole)) {
        Some(s) => (s, true),
        None => (16, false),
    };
    let least: Vec<f64> = need
        .iter()
        .map(|n| twips(if headers_whole { whole(n) } else { n[0] }, size))
        .collect();
    let wish: Vec<f64> = need.iter().map(|n| twips(n[2], size)).collect();
    let (sum_least, sum_wish) = (least.iter().sum::<f64>(), wish.iter().sum::<f64>());
    let w = f64::from(width);
    let raw: Vec<f64> = if sum_least >= w {
        least.iter().map(|l| l * w / sum_least).collect()
    } else if sum_wish >= w {
        // each gets its least, and the rest in proportion to what it misses
        let k = (w - sum_least) / (sum_wish - sum_least);
        least
            .iter()
            .zip(&wish)
            .map(|(l, h)| l + (h - l) * k)
            .collect()
    } else {
        wish.iter().map(|h| h * w / sum_wish).collect()
    };
    let mut widths: Vec<u32> = raw.iter().map(|v| v.floor() as u32).collect();
    // the rounding's leftover to the last column, so the table fills `width`
    let used: u32 = widths.iter().sum();
    if let Some(last) = widths.last_mut() {
        *last += width.saturating_sub(used);
    }
    Fit { size, widths }
}

/// Width of `text` in ems of Times New Roman, roughly: capitals wider,
/// narrow letters and punctuation narrower, the rest half an em.
fn ems(text: &str) -> f64 {
    text.chars()
        .map(|c| match c {
            'M' | 'W' | 'm' | 'w' | 'Đ' => 0.9,
            c if c.is_uppercase() => 0.7,
            'i' | 'j' | 'l' | 't' | 'f' | 'r' | 'I' | '.' | ',' | ':' | ';' | '\'' | ' ' => 0.3,
            '(' | ')' | '/' | '-' => 0.35,
            _ => 0.5,
        })
        .sum()
}

/// What a cell shows, as a Vietnamese reader writes it.
fn shown(cell: &Cell, kind: Kind) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) => s.clone(),
        Cell::Number(v) => format_vi(*v, kind),
        Cell::Date(d) => date_vi(*d),
    }
}

/// The row's cells from column `from` on, one per column (missing: blank).
fn cells(x: &mut String, columns: &[Column], widths: &[u32], row: &[Cell], from: usize, f: Font) {
    for (i, col) in columns.iter().enumerate().skip(from) {
        let w = widths[i + 1];
        let value = row.get(i).unwrap_or(&Cell::Empty);
        let align = match value {
            Cell::Number(_) => Para::right(),
            Cell::Date(_) => Para::center(),
            Cell::Empty | Cell::Text(_) => Para::left(),
        };
        cell(x, w, 1, align, &shown(value, col.kind), f);
    }
}

fn cell(x: &mut String, width: u32, span: usize, p: Para, text: &str, f: Font) {
    let _ = write!(x, "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/>");
    if span > 1 {
        let _ = write!(x, "<w:gridSpan w:val=\"{span}\"/>");
    }
    x.push_str("<w:vAlign w:val=\"center\"/></w:tcPr>");
    para(x, p, &[(text, f)]);
    x.push_str("</w:tc>");
}
