//! A report as an Excel workbook: one worksheet per sheet, each with the
//! header block of a Vietnamese administrative report above its table, so a
//! sheet printed alone still says who reports what for which date. Numbers
//! and dates are stored as such (the number format only shows them), so the
//! ward's staff can add up and filter; a Vietnamese-locale Excel shows them
//! with Vietnamese separators. Each table has an autofilter, its totals are
//! SUM formulas where they add a column up, and it prints with no text under
//! 8 pt ([`super::xlsx_print`]).

use super::xlsx_print::{self, Layout};
use super::{Cell, Column, Kind, Report, Sheet, date_vi, format_vi};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    ColNum, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, RowNum,
    Workbook, Worksheet, XlsxError,
};

/// Excel's limit on a tab name, in UTF-16 units.
const MAX_NAME: usize = 31;
/// Widest column, in characters: longer text is cut on screen, not lost.
const MAX_WIDTH: usize = 60;

/// The workbook's bytes. Dated by the report (not by the clock), so the same
/// report gives the same file.
pub fn write(report: &Report) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let created = excel_date(report.issued_on.unwrap_or(report.as_of))?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(&report.title)
            .set_subject(&report.title_en)
            .set_author(&report.committee)
            .set_company(&report.ward)
            .set_creation_datetime(&created),
    );
    for (sheet, name) in report.sheets.iter().zip(sheet_names(&report.sheets)) {
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        write_sheet(ws, report, sheet)?;
    }
    wb.save_to_buffer()
}

/// Tab names Excel accepts: none of `[]:*?/\`, no apostrophe at either end,
/// at most 31 characters, unique ignoring case ("History" is Excel's own).
fn sheet_names(sheets: &[Sheet]) -> Vec<String> {
    let mut taken = vec!["history".to_string()];
    let mut names = Vec::with_capacity(sheets.len());
    for (i, sheet) in sheets.iter().enumerate() {
        let mut base = clean_name(&sheet.name);
        if base.is_empty() {
            base = format!("Bảng {}", i + 1);
        }
        let mut name = cut(&base, MAX_NAME);
        let mut n = 2;
        while taken.contains(&name.to_lowercase()) {
            let suffix = format!(" ({n})");
            name = format!("{}{suffix}", cut(&base, MAX_NAME - suffix.len()));
            n += 1;
        }
        taken.push(name.to_lowercase());
        names.push(name);
    }
    names
}

fn clean_name(name: &str) -> String {
    let s: String = name
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            '[' => '(',
            ']' => ')',
            ':' | '*' | '?' | '/' | '\\' => '-',
            c => c,
        })
        .collect();
    s.trim().trim_matches('\'').trim().to_string()
}

/// The longest prefix of at most `max` UTF-16 units, without a trailing
/// space or apostrophe.
fn cut(s: &str, max: usize) -> String {
    let mut len = 0;
    let prefix: String = s
        .chars()
        .take_while(|c| {
            len += c.len_utf16();
            len <= max
        })
        .collect();
    prefix.trim_end().trim_end_matches('\'').to_string()
}

/// Row by row from the top: header block, table, notes; then the page set-up
/// ([`xlsx_print`]: no printed text under 8 pt).
fn write_sheet(ws: &mut Worksheet, report: &Report, sheet: &Sheet) -> Result<(), XlsxError> {
    let widths = column_widths(sheet);
    for (c, &w) in widths.iter().enumerate() {
        ws.set_column_width(c as ColNum, w as f64)?;
    }
    let layout = xlsx_print::layout(&widths);
    // the header block spans the first printed page, not the whole table
    let first_page = layout.breaks.first().map_or(widths.len(), |&b| b as usize);
    let page = Page {
        last: (first_page.max(2) - 1) as ColNum,
        chars: widths[..first_page.min(widths.len())]
            .iter()
            .sum::<usize>()
            .max(20),
    };
    let mut row = header_block(ws, report, sheet, &page)?;
    let head = row;
    header_rows(ws, head, &sheet.columns, &widths)?;
    row += 2;
    ws.set_freeze_panes(row, 0)?;
    ws.set_repeat_rows(head, head + 1)?;

    let plain = cell_formats(&sheet.columns, false);
    let first_data = row;
    for cells in &sheet.rows {
        write_row(ws, row, cells, &plain)?;
        row += 1;
    }
    let last_col = (sheet.columns.len().max(1) - 1) as ColNum;
    // the filter's buttons on the (English) header row right above the data;
    // the totals row stays out of it
    ws.autofilter(head + 1, 0, row - 1, last_col)?;
    if let Some(total) = &sheet.total {
        let bold = cell_formats(&sheet.columns, true);
        write_row(ws, row, total, &bold)?;
        sums(ws, sheet, (first_data, row), total, &bold)?;
        // an unlabelled totals row still says what it is
        if let (None | Some(Cell::Empty), Some(first)) = (total.first(), bold.first()) {
            ws.write_string_with_format(row, 0, "Tổng cộng", &first.text)?;
        }
        row += 1;
    }
    let last_row = notes(ws, row + 1, &report.notes, &page)?.max(row.saturating_sub(1));
    page_setup(ws, &layout, (last_row, last_col.max(page.last)))
}

/// Paper, orientation and scale from [`xlsx_print::layout`], the print area,
/// and the page number in the footer.
fn page_setup(
    ws: &mut Worksheet,
    layout: &Layout,
    (last_row, last_col): (RowNum, ColNum),
) -> Result<(), XlsxError> {
    let m = xlsx_print::SIDE_MARGIN_IN;
    ws.set_paper_size(layout.paper.code())
        .set_landscape()
        .set_margins(m, m, 0.6, 0.6, 0.3, 0.3)
        .set_print_scale(layout.scale)
        .set_print_center_horizontally(layout.breaks.is_empty())
        .set_footer("&CTrang &P/&N");
    ws.set_print_area(0, 0, last_row, last_col)?;
    if !layout.breaks.is_empty() {
        ws.set_vertical_page_breaks(&layout.breaks)?;
        // pages across, then down: each page's columns read in order
        ws.set_page_order(false);
    }
    if layout.repeat_first {
        ws.set_repeat_columns(0, 0)?;
    }
    Ok(())
}

/// The totals row's figures that add their column up become `SUM` formulas
/// over the data rows, each with the read model's total as its cached value:
/// the file shows the figures before any recalculation, and an edited cell
/// recalculates its total. A total that is not the column's sum (a parcel
/// counted once though it donates to two segments, a share) stays a value.
fn sums(
    ws: &mut Worksheet,
    sheet: &Sheet,
    (first, end): (RowNum, RowNum),
    total: &[Cell],
    formats: &[CellFormats],
) -> Result<(), XlsxError> {
    if sheet.rows.is_empty() {
        return Ok(());
    }
    for (i, (col, f)) in sheet.columns.iter().zip(formats).enumerate() {
        let Some(&Cell::Number(t)) = total.get(i) else {
            continue;
        };
        if !t.is_finite() || !xlsx_print::adds_up(col.kind) {
            continue;
        }
        let values: Option<Vec<f64>> = sheet
            .rows
            .iter()
            .map(|r| match r.get(i).unwrap_or(&Cell::Empty) {
                Cell::Number(v) if v.is_finite() => Some(*v),
                Cell::Empty => Some(0.0),
                _ => None,
            })
            .collect();
        if !values.is_some_and(|v| xlsx_print::is_sum(&v, t)) {
            continue;
        }
        let letters = xlsx_print::column_letters(i as ColNum);
        let formula = Formula::new(format!("=SUM({letters}{}:{letters}{})", first + 1, end))
            .set_result(t.to_string());
        ws.write_formula_with_format(end, i as ColNum, formula, &f.number)?;
    }
    Ok(())
}

/// The span of the header block and notes: the table's columns (at least
/// two), and their width in characters for guessing wrapped heights.
struct Page {
    last: ColNum,
    chars: usize,
}

/// Committee and ward, title, date line, the frozen mark, the sheet's
/// title. Returns the row where the table header goes.
fn header_block(
    ws: &mut Worksheet,
    report: &Report,
    sheet: &Sheet,
    page: &Page,
) -> Result<RowNum, XlsxError> {
    let bold = Format::new().set_bold();
    let half = page.last / 2 + 1;
    let committee = report.committee.to_uppercase();
    merge(ws, 0, 0, half - 1, &committee, &bold)?;
    let right = Format::new().set_align(FormatAlign::Right);
    merge(ws, 0, half, page.last, &report.ward, &right)?;

    let center = Format::new()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let title = center.clone().set_bold().set_font_size(14);
    banner(ws, 2, &report.title, &title, page, 1.4)?;
    let english = center.clone().set_italic().set_font_size(10);
    banner(ws, 3, &report.title_en, &english, page, 1.0)?;
    banner(
        ws,
        4,
        &report.date_line(),
        &center.clone().set_italic(),
        page,
        1.0,
    )?;
    let mut row = 5;
    if let Some(d) = report.issued_on {
        let text = format!("Ban hành ngày {} (báo cáo đã chốt — frozen)", date_vi(d));
        let frozen = center.set_bold().set_font_color("#C00000");
        banner(ws, row, &text, &frozen, page, 1.0)?;
        row += 1;
    }
    row += 1;
    let heading = Format::new().set_bold().set_font_size(12);
    banner(ws, row, &sheet.title, &heading, page, 1.1)?;
    Ok(row + 1)
}

/// Text merged across the page, with a row tall enough for its wrapped
/// lines (`scale`: the font's width relative to the default).
fn banner(
    ws: &mut Worksheet,
    row: RowNum,
    text: &str,
    format: &Format,
    page: &Page,
    scale: f64,
) -> Result<(), XlsxError> {
    merge(ws, row, 0, page.last, text, format)?;
    let lines = (text.chars().count() as f64 * scale / page.chars as f64).ceil();
    if lines > 1.0 {
        ws.set_row_height(row, 15.0 * scale.max(1.0) * lines)?;
    }
    Ok(())
}

fn merge(
    ws: &mut Worksheet,
    row: RowNum,
    first: ColNum,
    last: ColNum,
    text: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    if last > first {
        ws.merge_range(row, first, row, last, text, format)?;
    } else {
        ws.write_string_with_format(row, first, text, format)?;
    }
    Ok(())
}

/// Vietnamese headers, and under them the English ones, smaller.
fn header_rows(
    ws: &mut Worksheet,
    row: RowNum,
    columns: &[Column],
    widths: &[usize],
) -> Result<(), XlsxError> {
    let vi = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_background_color("#D9E1F2");
    let en = vi
        .clone()
        .unset_bold()
        .set_italic()
        .set_font_size(xlsx_print::SMALLEST_PT)
        .set_font_color("#595959");
    let mut lines = (1, 1);
    for (i, (c, &w)) in columns.iter().zip(widths).enumerate() {
        ws.write_string_with_format(row, i as ColNum, &c.vi, &vi)?;
        ws.write_string_with_format(row + 1, i as ColNum, &c.en, &en)?;
        lines.0 = lines
            .0
            .max(c.vi.chars().count().div_ceil(w.saturating_sub(1).max(1)));
        lines.1 = lines
            .1
            .max((c.en.chars().count() * 9 / 10).div_ceil(w.max(1)));
    }
    ws.set_row_height(row, 16.0 * lines.0 as f64)?;
    ws.set_row_height(row + 1, 14.0 * lines.1 as f64)?;
    Ok(())
}

/// Wide enough for the widest value as shown, and for a header wrapped on at
/// most three lines without breaking a word.
fn column_widths(sheet: &Sheet) -> Vec<usize> {
    let rows = sheet.rows.iter().chain(&sheet.total);
    let mut widths: Vec<usize> = sheet
        .columns
        .iter()
        .map(|c| {
            let word = c.vi.split_whitespace().map(|w| w.chars().count()).max();
            let third = c.vi.chars().count().div_ceil(3);
            word.unwrap_or(0).max(third).max(8)
        })
        .collect();
    for cells in rows {
        for ((w, cell), col) in widths.iter_mut().zip(cells).zip(&sheet.columns) {
            *w = (*w).max(shown_len(cell, col.kind));
        }
    }
    // two characters of room, and one for the indent that keeps a number
    // off the text of the next column
    widths.iter().map(|w| (w + 3).min(MAX_WIDTH)).collect()
}

fn shown_len(cell: &Cell, kind: Kind) -> usize {
    match cell {
        Cell::Empty => 0,
        Cell::Text(s) => s.chars().count(),
        Cell::Number(v) => format_vi(*v, kind).chars().count(),
        Cell::Date(_) => 10,
    }
}

/// Per column, how its text, numbers and dates look (bold in the totals).
/// Text is indented from the left and numbers from the right, so that a
/// number never runs into the text of the next column when printed.
struct CellFormats {
    text: Format,
    number: Format,
    date: Format,
    /// A [`xlsx_print::NUMERIC_ID_KEYS`] column: `Some`, the format of its
    /// ids stored as numbers (no thousands separator).
    id: Option<Format>,
}

fn cell_formats(columns: &[Column], bold: bool) -> Vec<CellFormats> {
    let mut base = Format::new().set_border(FormatBorder::Thin);
    if bold {
        base = base.set_bold();
    }
    columns
        .iter()
        .map(|c| {
            let right = base.clone().set_align(FormatAlign::Right).set_indent(1);
            let number = match number_format(c.kind) {
                Some(f) => right.clone().set_num_format(f),
                None => right.clone(),
            };
            let id = xlsx_print::NUMERIC_ID_KEYS
                .contains(&c.key.as_str())
                .then(|| right.clone().set_num_format("0"));
            CellFormats {
                text: base.clone().set_align(FormatAlign::Left).set_indent(1),
                id,
                number,
                date: base
                    .clone()
                    .set_num_format("dd/mm/yyyy")
                    .set_align(FormatAlign::Center),
            }
        })
        .collect()
}

fn number_format(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Count | Kind::Money => Some("#,##0"),
        Kind::Area => Some("#,##0.0"),
        Kind::Length => Some("#,##0.00"),
        Kind::Percent => Some("0.0%"),
        Kind::Text | Kind::Date => None,
    }
}

/// One cell per column: numbers as numbers, dates as Excel dates.
fn write_row(
    ws: &mut Worksheet,
    row: RowNum,
    cells: &[Cell],
    formats: &[CellFormats],
) -> Result<(), XlsxError> {
    for (i, f) in formats.iter().enumerate() {
        let col = i as ColNum;
        match cells.get(i).unwrap_or(&Cell::Empty) {
            Cell::Text(s) => match (&f.id, xlsx_print::numeric_id(s)) {
                (Some(id), Some(n)) => ws.write_number_with_format(row, col, n, id)?,
                _ => ws.write_string_with_format(row, col, s, &f.text)?,
            },
            Cell::Number(v) if v.is_finite() => {
                ws.write_number_with_format(row, col, *v, &f.number)?
            }
            Cell::Date(d) => ws.write_datetime_with_format(row, col, excel_date(*d)?, &f.date)?,
            Cell::Empty | Cell::Number(_) => ws.write_blank(row, col, &f.text)?,
        };
    }
    Ok(())
}

/// The notes from `row`; returns the last row written.
fn notes(
    ws: &mut Worksheet,
    row: RowNum,
    notes: &[String],
    page: &Page,
) -> Result<RowNum, XlsxError> {
    if notes.is_empty() {
        return Ok(0);
    }
    ws.write_string_with_format(row, 0, "Ghi chú / Notes:", &Format::new().set_bold())?;
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    for (i, note) in notes.iter().enumerate() {
        banner(
            ws,
            row + 1 + i as RowNum,
            &format!("- {note}"),
            &wrap,
            page,
            1.0,
        )?;
    }
    Ok(row + notes.len() as RowNum)
}

/// Excel counts from 1900: an earlier (or later than 9999) date is refused.
fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(d.year()).unwrap_or(0);
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};
    use std::io::Cursor;

    fn col(key: &str, vi: &str, en: &str, kind: Kind) -> Column {
        Column {
            key: key.into(),
            vi: vi.into(),
            en: en.into(),
            kind,
        }
    }

    fn date(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn named(name: &str) -> Sheet {
        Sheet {
            key: "k".into(),
            name: name.into(),
            title: name.into(),
            columns: vec![col("a", "A", "A", Kind::Count)],
            rows: vec![vec![1.0.into()]],
            total: None,
        }
    }

    fn report() -> Report {
        let groups = Sheet {
            key: "group".into(),
            name: "Theo tổ dân phố".into(),
            title: "Tiến độ theo tổ dân phố".into(),
            columns: vec![
                col("group", "Tổ dân phố", "Residential group", Kind::Text),
                col(
                    "households",
                    "Số hộ đã hiến",
                    "Households donating",
                    Kind::Count,
                ),
                col(
                    "area_m2",
                    "Diện tích đã bàn giao (m²)",
                    "Area handed over (m²)",
                    Kind::Area,
                ),
                col("share", "Tỷ lệ", "Share", Kind::Percent),
                col("value_vnd", "Giá trị (đồng)", "Value (VND)", Kind::Money),
                col(
                    "handed_over_on",
                    "Ngày bàn giao",
                    "Handed over on",
                    Kind::Date,
                ),
                col("status", "Trạng thái", "Status", Kind::Text),
            ],
            rows: vec![
                vec![
                    "Tổ dân phố số 5".into(),
                    12.0.into(),
                    1234.5.into(),
                    0.4523.into(),
                    1_500_000.0.into(),
                    date(11, 28).into(),
                    "Đã bàn giao".into(),
                ],
                vec!["Tổ dân phố số 6".into(), 3.0.into(), 10.0.into()],
            ],
            total: Some(vec![Cell::Empty, 15.0.into(), 1244.5.into()]),
        };
        let segments = Sheet {
            key: "segment".into(),
            name: "Theo đoạn đường".into(),
            title: "Tiến độ theo đoạn đường".into(),
            columns: vec![
                col("segment", "Đoạn đường", "Segment", Kind::Text),
                col("length_m", "Chiều dài (m)", "Length (m)", Kind::Length),
            ],
            rows: vec![vec!["Ngõ 12".into(), 250.75.into()]],
            total: None,
        };
        Report {
            ward: "Phường Ngọc Sơn".into(),
            committee: "Đảng ủy phường Ngọc Sơn".into(),
            title: "Báo cáo tiến độ hiến đất mở rộng đường theo tổ dân phố".into(),
            title_en: "Progress of land donation for road widening".into(),
            as_of: date(11, 28),
            from: None,
            issued_on: None,
            sheets: vec![groups, segments],
            notes: vec!["Số liệu mẫu.".into()],
            periodic: None,
        }
    }

    fn read(report: &Report) -> Xlsx<Cursor<Vec<u8>>> {
        open_workbook_from_rs(Cursor::new(write(report).unwrap())).unwrap()
    }

    /// Where a string cell holds `text`, as (row, column).
    fn find(range: &Range<Data>, text: &str) -> (usize, usize) {
        range
            .cells()
            .find(|(_, _, v)| matches!(v, Data::String(s) if s == text))
            .map(|(r, c, _)| (r, c))
            .unwrap_or_else(|| panic!("no cell {text:?}"))
    }

    #[test]
    fn numbers_dates_and_text_read_back_typed() {
        let mut wb = read(&report());
        assert_eq!(wb.sheet_names(), ["Theo tổ dân phố", "Theo đoạn đường"]);
        let range = wb.worksheet_range("Theo tổ dân phố").unwrap();
        let (r, c) = find(&range, "Tổ dân phố số 5");
        let at = |dc: usize| range.get((r, c + dc)).unwrap();
        assert_eq!(at(1), &Data::Float(12.0));
        assert_eq!(at(2), &Data::Float(1234.5));
        assert_eq!(at(3), &Data::Float(0.4523));
        assert_eq!(at(4), &Data::Float(1_500_000.0));
        match at(5) {
            Data::DateTime(dt) => {
                assert!(dt.is_datetime());
                let (y, m, d, ..) = dt.to_ymd_hms_milli();
                assert_eq!((y, m, d), (2026, 11, 28));
            }
            other => panic!("not a date: {other:?}"),
        }
        assert_eq!(at(6), &Data::String("Đã bàn giao".into()));
        // headers: Vietnamese, then English under it
        let (hr, hc) = find(&range, "Diện tích đã bàn giao (m²)");
        assert_eq!(
            range.get((hr + 1, hc)),
            Some(&Data::String("Area handed over (m²)".into()))
        );
        assert_eq!(hr + 2, r);

        let segments = wb.worksheet_range("Theo đoạn đường").unwrap();
        let (r, c) = find(&segments, "Ngõ 12");
        assert_eq!(segments.get((r, c + 1)), Some(&Data::Float(250.75)));
    }

    #[test]
    fn a_name_that_looks_like_a_formula_stays_a_string() {
        // write_string never makes a formula: the cell holds the text as
        // typed, and the only formulas are the totals row's SUMs.
        let name = "=HYPERLINK(\"http://x\",\"y\")";
        let mut r = report();
        r.sheets[0].rows[0][0] = name.into();
        r.sheets[0].rows[0][6] = "+1-2".into();
        let mut wb = read(&r);
        let range = wb.worksheet_range("Theo tổ dân phố").unwrap();
        find(&range, name);
        find(&range, "+1-2");
        let formulas = wb.worksheet_formula("Theo tổ dân phố").unwrap();
        let written: Vec<&String> = formulas
            .cells()
            .map(|(_, _, f)| f)
            .filter(|f| !f.is_empty())
            .collect();
        assert_eq!(written, ["SUM(B10:B11)", "SUM(C10:C11)"]);
    }

    #[test]
    fn header_block_totals_and_notes() {
        let mut wb = read(&report());
        let range = wb.worksheet_range("Theo tổ dân phố").unwrap();
        assert_eq!(find(&range, "ĐẢNG ỦY PHƯỜNG NGỌC SƠN"), (0, 0));
        assert_eq!(find(&range, "Phường Ngọc Sơn").0, 0);
        find(
            &range,
            "Báo cáo tiến độ hiến đất mở rộng đường theo tổ dân phố",
        );
        find(&range, "Progress of land donation for road widening");
        find(&range, "Tính đến ngày 28/11/2026");
        find(&range, "Tiến độ theo tổ dân phố");
        let (r, c) = find(&range, "Tổng cộng");
        let (last, _) = find(&range, "Tổ dân phố số 6");
        assert_eq!((r, c), (last + 1, 0));
        assert_eq!(range.get((r, 1)), Some(&Data::Float(15.0)));
        assert_eq!(range.get((r, 2)), Some(&Data::Float(1244.5)));
        let (n, _) = find(&range, "Ghi chú / Notes:");
        assert_eq!(
            range.get((n + 1, 0)),
            Some(&Data::String("- Số liệu mẫu.".into()))
        );
        // every sheet carries the header block
        let segments = wb.worksheet_range("Theo đoạn đường").unwrap();
        find(&segments, "ĐẢNG ỦY PHƯỜNG NGỌC SƠN");
        find(&segments, "Tính đến ngày 28/11/2026");
    }

    #[test]
    fn period_and_frozen_lines() {
        let mut r = report();
        r.from = Some(date(11, 1));
        r.issued_on = Some(date(12, 1));
        let mut wb = read(&r);
        let range = wb.worksheet_range("Theo tổ dân phố").unwrap();
        find(&range, "Từ ngày 01/11/2026 đến ngày 28/11/2026");
        find(
            &range,
            "Ban hành ngày 01/12/2026 (báo cáo đã chốt — frozen)",
        );
        // dated by the report, not the clock: the same bytes twice
        assert_eq!(write(&r).unwrap(), write(&r).unwrap());
    }

    /// The XML of worksheet `n` (1-based).
    fn sheet_xml(bytes: &[u8], n: usize) -> String {
        let mut z = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
        let mut f = z.by_name(&format!("xl/worksheets/sheet{n}.xml")).unwrap();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut f, &mut s).unwrap();
        s
    }

    #[test]
    fn ids_as_numbers_sums_filter_and_page() {
        let mut r = report();
        let g = &mut r.sheets[0];
        g.columns[6] = col("map_sheet", "Tờ bản đồ", "Map sheet", Kind::Text);
        g.rows[0][6] = "12".into();
        g.rows[1].extend([Cell::Empty, Cell::Empty, Cell::Empty, "05".into()]);
        // a total that is not its column's sum (shared parcels) stays a value
        g.total.as_mut().unwrap()[2] = 1200.0.into();
        let bytes = write(&r).unwrap();
        let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.clone())).unwrap();
        let range = wb.worksheet_range("Theo tổ dân phố").unwrap();
        let (row, c) = find(&range, "Tổ dân phố số 5");
        assert_eq!(range.get((row, c + 6)), Some(&Data::Float(12.0)));
        assert_eq!(
            range.get((row + 1, c + 6)),
            Some(&Data::String("05".into()))
        );
        // the cached totals are the report's
        assert_eq!(range.get((row + 2, 1)), Some(&Data::Float(15.0)));
        assert_eq!(range.get((row + 2, 2)), Some(&Data::Float(1200.0)));
        let formulas = wb.worksheet_formula("Theo tổ dân phố").unwrap();
        let written: Vec<&String> = formulas
            .cells()
            .map(|(_, _, f)| f)
            .filter(|f| !f.is_empty())
            .collect();
        assert_eq!(written, ["SUM(B10:B11)"]);

        let xml = sheet_xml(&bytes, 1);
        // the filter on the English header row (9) over the data (10, 11)
        assert!(xml.contains(r#"<autoFilter ref="A9:G11"/>"#), "{xml}");
        assert!(
            xml.contains(r#"<pageSetup paperSize="9" orientation="landscape""#),
            "{xml}"
        );
        assert!(!xml.contains("fitToPage"), "{xml}");
        // numbers indented from the right, text from the left
        let styles = {
            let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
            let mut f = z.by_name("xl/styles.xml").unwrap();
            let mut s = String::new();
            std::io::Read::read_to_string(&mut f, &mut s).unwrap();
            s
        };
        assert!(
            styles.contains(r#"horizontal="right" indent="1""#),
            "{styles}"
        );
        assert!(
            styles.contains(r#"horizontal="left" indent="1""#),
            "{styles}"
        );
    }

    #[test]
    fn sheet_names_are_cut_cleaned_and_unique() {
        let long = "Danh sách hộ chậm tiến độ theo tổ dân phố số 5";
        let sheets: Vec<Sheet> = [
            long,
            long,
            "Theo tổ",
            "THEO TỔ",
            "a/b: [c]?",
            "'x'",
            "",
            "History",
        ]
        .map(named)
        .to_vec();
        let names = sheet_names(&sheets);
        assert_eq!(
            names,
            [
                "Danh sách hộ chậm tiến độ theo",
                "Danh sách hộ chậm tiến độ t (2)",
                "Theo tổ",
                "THEO TỔ (2)",
                "a-b- (c)-",
                "x",
                "Bảng 7",
                "History (2)",
            ]
        );
        assert!(names.iter().all(|n| n.encode_utf16().count() <= MAX_NAME));
        // Excel (and the writer) accept them, and they read back as given
        let mut r = report();
        r.sheets = sheets;
        let wb = read(&r);
        assert_eq!(wb.sheet_names(), names);
    }
}
