//! The tables of a .docx: the borderless layout of the letterhead and the
//! signature, and the bordered tables of figures.

use super::mm;
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
        let _ = write!(x, "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/></w:tcPr>");
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
    let size = match sheet.columns.len() {
        0..=5 => 26,
        6..=8 => 22,
        9..=12 => 20,
        _ => 18,
    };
    let widths = column_widths(&sheet.columns, width);
    x.push_str("<w:tbl><w:tblPr><w:tblW w:w=\"");
    let _ = write!(x, "{width}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblBorders>");
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

/// Twips per column, TT first: a narrow TT, then shares of the rest by
/// what the column holds (names take the most).
fn column_widths(columns: &[Column], width: u32) -> Vec<u32> {
    let tt = mm(9);
    let weight = |k: Kind| match k {
        Kind::Text => 26,
        Kind::Money => 15,
        Kind::Area | Kind::Date => 13,
        Kind::Length => 12,
        Kind::Percent => 11,
        Kind::Count => 10,
    };
    let total: u32 = columns.iter().map(|c| weight(c.kind)).sum();
    let rest = width.saturating_sub(tt);
    let mut out = vec![tt];
    let mut used = tt;
    for (i, c) in columns.iter().enumerate() {
        let w = if i + 1 == columns.len() {
            width.saturating_sub(used)
        } else {
            rest * weight(c.kind) / total.max(1)
        };
        used += w;
        out.push(w);
    }
    out
}

/// The row's cells from column `from` on, one per column (missing: blank).
fn cells(x: &mut String, columns: &[Column], widths: &[u32], row: &[Cell], from: usize, f: Font) {
    for (i, col) in columns.iter().enumerate().skip(from) {
        let w = widths[i + 1];
        match row.get(i).unwrap_or(&Cell::Empty) {
            Cell::Empty => cell(x, w, 1, Para::left(), "", f),
            Cell::Text(s) => cell(x, w, 1, Para::left(), s, f),
            Cell::Number(v) => cell(x, w, 1, Para::right(), &format_vi(*v, col.kind), f),
            Cell::Date(d) => cell(x, w, 1, Para::center(), &date_vi(*d), f),
        }
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
