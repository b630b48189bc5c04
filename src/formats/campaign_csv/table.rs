//! A small reader for the CSV tables people keep in Excel (the organisation,
//! households and structures files): UTF-8 with or without a byte-order
//! mark, a header row naming the columns in any order (case and surrounding
//! spaces do not matter), blank rows skipped. Every problem is collected with
//! its line (blank lines counted) and column, so that a file is reported
//! whole, not one error per run: [`rows`] gives the problems as values,
//! [`read`] as messages naming the file.

use crate::formats::limits::{self, Limits};
use std::collections::HashMap;
use std::fmt;

/// One problem: where, and why in Vietnamese and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    pub file: String,
    /// 1 = the header.
    pub line: u64,
    pub column: Option<String>,
    pub vi: String,
    pub en: String,
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (file, l) = (&self.file, self.line);
        match &self.column {
            Some(c) => write!(
                f,
                "{file}, dòng {l}, cột {c}: {} / {file}, line {l}, column {c}: {}",
                self.vi, self.en
            ),
            None => write!(
                f,
                "{file}, dòng {l}: {} / {file}, line {l}: {}",
                self.vi, self.en
            ),
        }
    }
}

/// Every problem found, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CellErrors(pub Vec<CellError>);

impl fmt::Display for CellErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(f, "{n} lỗi, không nhập gì / {n} errors, nothing imported")?;
        for e in &self.0 {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CellErrors {}

impl CellErrors {
    pub fn push(&mut self, e: CellError) {
        self.0.push(e);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(v)` when nothing was found wrong.
    pub fn or<T>(self, v: T) -> Result<T, CellErrors> {
        if self.0.is_empty() { Ok(v) } else { Err(self) }
    }
}

/// A data row: its line and its trimmed cells by column name.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: u64,
    cells: HashMap<&'static str, String>,
    /// Columns whose cell is not UTF-8 (a problem [`rows`] reported).
    unreadable: Vec<&'static str>,
}

impl Row {
    /// The column's text, `None` when empty, absent or not UTF-8.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.cells
            .get(column)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    /// Whether the column's cell is not UTF-8, a problem already reported:
    /// callers do not report it again as empty.
    pub fn is_unreadable(&self, column: &str) -> bool {
        self.unreadable.contains(&column)
    }
}

/// What [`rows`] finds wrong with the file, the header or a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// No header row.
    NoHeader,
    /// The CSV itself cannot be read (unbalanced quotes...).
    Syntax(String),
    /// Not valid UTF-8.
    NotUtf8,
    /// A header names a column the table does not have.
    UnknownColumn,
    /// The header names a column twice.
    DuplicateColumn,
    /// A required column is not in the header.
    MissingColumn,
    /// The row has another number of fields than the header.
    FieldCount { found: usize, expected: usize },
    /// A bound of [`crate::formats::limits`] is broken (the reading
    /// stops): why, in Vietnamese and English, the limit named.
    Limit { vi: String, en: String },
}

/// A [`Problem`] and where: the line (1 = the header, blank lines counted)
/// and the column when it is about one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub line: u64,
    pub column: Option<String>,
    pub problem: Problem,
}

/// A file read: its name (for messages) and its rows.
#[derive(Debug, Clone)]
pub struct Table {
    pub file: String,
    pub rows: Vec<Row>,
}

impl Table {
    /// An error about `column` of `row`.
    pub fn error(&self, row: &Row, column: &str, vi: String, en: String) -> CellError {
        CellError {
            file: self.file.clone(),
            line: row.line,
            column: Some(column.to_string()),
            vi,
            en,
        }
    }

    /// The column's text, or an "empty" error recorded in `errors`.
    pub fn required<'r>(
        &self,
        row: &'r Row,
        column: &str,
        errors: &mut CellErrors,
    ) -> Option<&'r str> {
        let v = row.get(column);
        if v.is_none() {
            errors.push(self.error(
                row,
                column,
                "giá trị bắt buộc bị để trống".into(),
                "required value is empty".into(),
            ));
        }
        v
    }

    /// A date column: `YYYY-MM-DD` or `DD/MM/YYYY`, as Vietnamese
    /// spreadsheets write it; `None` when empty; an error when unreadable.
    pub fn date(
        &self,
        row: &Row,
        column: &str,
        errors: &mut CellErrors,
    ) -> Result<Option<chrono::NaiveDate>, Reported> {
        let Some(v) = row.get(column) else {
            return Ok(None);
        };
        match parse_date(v) {
            // The same era as every date entering over the API.
            Some(d) => match crate::campaign::clock::in_era(column, d) {
                Ok(d) => Ok(Some(d)),
                Err(e) => {
                    errors.push(self.error(
                        row,
                        column,
                        format!(
                            "ngày {v:?} phải từ 01/01/2000 đến hôm nay ({})",
                            e.today.format("%d/%m/%Y")
                        ),
                        format!(
                            "date {v:?} must be between 2000-01-01 and today ({})",
                            e.today
                        ),
                    ));
                    Err(Reported)
                }
            },
            None => {
                errors.push(self.error(
                    row,
                    column,
                    format!("ngày {v:?} không hợp lệ (dùng 28/11/2026 hoặc 2026-11-28)"),
                    format!("invalid date {v:?} (use 28/11/2026 or 2026-11-28)"),
                ));
                Err(Reported)
            }
        }
    }
}

/// A problem already recorded in the [`CellErrors`] passed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reported;

/// `YYYY-MM-DD` or `D/M/YYYY`.
pub fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    let s = s.trim();
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| chrono::NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
}

/// Reads `bytes` (named `file` in messages), whose header may name any of
/// `columns` and must name every one of `required`.
pub fn read(
    file: &str,
    bytes: &[u8],
    columns: &[&'static str],
    required: &[&'static str],
) -> Result<Table, CellErrors> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut errors = CellErrors::default();
    let at = |line: u64, column: Option<String>, vi: String, en: String| CellError {
        file: file.to_string(),
        line,
        column,
        vi,
        en,
    };
    if let Err(e) = std::str::from_utf8(bytes) {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64
            + 1;
        errors.push(at(
            line,
            None,
            "không phải UTF-8 (hãy lưu tệp dạng CSV UTF-8)".into(),
            "not valid UTF-8 (save the file as CSV UTF-8)".into(),
        ));
        return Err(errors);
    }
    let (rows, found) = rows(bytes, columns, required);
    for f in found {
        let (vi, en) = match f.problem {
            Problem::NoHeader => (
                "tệp trống, thiếu dòng tiêu đề".into(),
                "empty file: no header row".into(),
            ),
            Problem::Syntax(e) => (
                format!("lỗi cú pháp CSV: {e}"),
                format!("CSV syntax error: {e}"),
            ),
            // the whole file is UTF-8 (checked above)
            Problem::NotUtf8 => (
                "không phải UTF-8 (hãy lưu tệp dạng CSV UTF-8)".into(),
                "not valid UTF-8 (save the file as CSV UTF-8)".into(),
            ),
            Problem::DuplicateColumn => ("cột bị lặp".into(), "column given twice".into()),
            Problem::UnknownColumn => (
                format!("cột không xác định (các cột: {})", columns.join(", ")),
                format!("unknown column (columns: {})", columns.join(", ")),
            ),
            Problem::MissingColumn => (
                "thiếu cột bắt buộc".into(),
                "required column missing".into(),
            ),
            Problem::FieldCount { found, expected } => (
                format!("dòng có {found} trường, tiêu đề có {expected}"),
                format!("row has {found} fields, the header {expected}"),
            ),
            Problem::Limit { vi, en } => (vi, en),
        };
        errors.push(at(f.line, f.column, vi, en));
    }
    errors.or(Table {
        file: file.to_string(),
        rows,
    })
}

/// The rows of `bytes`, whose header may name any of `columns` and must name
/// every one of `required`, and every problem found, in file order (within a
/// row, cells in the order of `columns`). Problems with the header end the
/// reading: no rows then. A row with a problem other than a cell that is not
/// UTF-8 is left out.
pub fn rows(
    bytes: &[u8],
    columns: &[&'static str],
    required: &[&'static str],
) -> (Vec<Row>, Vec<Found>) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut found = Vec::new();
    let at = |line: u64, column: Option<&str>, problem: Problem| Found {
        line,
        column: column.map(str::to_string),
        problem,
    };
    let limits = &Limits::DEFAULT;
    if let Err(l) = limits::check_csv(bytes, b',', limits) {
        let problem = Problem::Limit { vi: l.vi, en: l.en };
        return (Vec::new(), vec![at(l.line, None, problem)]);
    }
    // Line numbers count blank lines too (the csv crate's skip them);
    // records come in file order, so the newlines are counted on from the
    // last position asked for.
    let counted = std::cell::Cell::new((0usize, 1u64));
    let line_of = |p: Option<&csv::Position>| -> u64 {
        p.map_or(0, |p| {
            // a record's position may be at the blank lines before it
            let mut byte = (p.byte() as usize).min(bytes.len());
            while matches!(bytes.get(byte), Some(b'\n' | b'\r')) {
                byte += 1;
            }
            let (mut from, mut line) = counted.get();
            if byte < from {
                (from, line) = (0, 1);
            }
            line += memchr::memchr_iter(b'\n', &bytes[from..byte]).count() as u64;
            counted.set((byte, line));
            line
        })
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = rdr.byte_records();
    let header = match records.next() {
        None => return (Vec::new(), vec![at(1, None, Problem::NoHeader)]),
        Some(Err(e)) => {
            return (
                Vec::new(),
                vec![at(1, None, Problem::Syntax(e.to_string()))],
            );
        }
        Some(Ok(h)) => h,
    };
    let mut index: Vec<(usize, &'static str)> = Vec::new();
    for (i, raw) in header.iter().enumerate() {
        let Ok(name) = std::str::from_utf8(raw) else {
            found.push(at(1, Some(&format!("#{}", i + 1)), Problem::NotUtf8));
            continue;
        };
        let name = name.trim().to_lowercase();
        match columns.iter().find(|c| **c == name) {
            Some(c) if index.iter().any(|(_, k)| k == c) => {
                found.push(at(1, Some(c), Problem::DuplicateColumn));
            }
            Some(c) => index.push((i, c)),
            None if name.is_empty() => {}
            None => found.push(at(1, Some(&name), Problem::UnknownColumn)),
        }
    }
    for r in required {
        if !index.iter().any(|(_, k)| k == r) {
            found.push(at(1, Some(r), Problem::MissingColumn));
        }
    }
    if !found.is_empty() {
        return (Vec::new(), found);
    }
    index.sort_by_key(|&(_, k)| columns.iter().position(|c| *c == k));
    let mut rows = Vec::new();
    for rec in records {
        if found.len() >= limits.csv_problems {
            let n = limits.csv_problems;
            let line = found.last().map_or(1, |f: &Found| f.line);
            found.push(at(
                line,
                None,
                Problem::Limit {
                    vi: format!("quá giới hạn {n} lỗi, ngừng đọc"),
                    en: format!("more than the limit of {n} problems: reading stopped"),
                },
            ));
            break;
        }
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                found.push(at(
                    line_of(e.position()),
                    None,
                    Problem::Syntax(e.to_string()),
                ));
                continue;
            }
        };
        if rec
            .iter()
            .all(|f| String::from_utf8_lossy(f).trim().is_empty())
        {
            continue;
        }
        let line = line_of(rec.position());
        if rec.len() != header.len() {
            let (found_n, expected) = (rec.len(), header.len());
            found.push(at(
                line,
                None,
                Problem::FieldCount {
                    found: found_n,
                    expected,
                },
            ));
            continue;
        }
        let mut cells = HashMap::new();
        let mut unreadable = Vec::new();
        for &(i, k) in &index {
            match std::str::from_utf8(rec.get(i).unwrap_or(b"")) {
                Ok(s) => {
                    cells.insert(k, s.trim().to_string());
                }
                Err(_) => {
                    found.push(at(line, Some(k), Problem::NotUtf8));
                    unreadable.push(k);
                }
            }
        }
        rows.push(Row {
            line,
            cells,
            unreadable,
        });
    }
    (rows, found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows_with_their_lines_past_blank_ones() {
        let t = read(
            "cells.csv",
            "\u{feff}Code, Name\nCB1,Chi bộ 1\n\n\nCB2,\"Chi bộ 2, khu B\"\n".as_bytes(),
            &["code", "name", "groups"],
            &["code"],
        )
        .unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[1].line, 5);
        assert_eq!(t.rows[1].get("name"), Some("Chi bộ 2, khu B"));
        assert_eq!(t.rows[0].get("groups"), None);
    }

    #[test]
    fn reports_every_header_problem_at_once() {
        let e = read("m.csv", b"name,name,colour\n", &["code", "name"], &["code"]).unwrap_err();
        let text = e.to_string();
        assert_eq!(e.0.len(), 3, "{text}");
        assert!(
            text.contains("m.csv, dòng 1, cột name: cột bị lặp"),
            "{text}"
        );
        assert!(text.contains("column colour: unknown column"), "{text}");
        assert!(text.contains("cột code: thiếu cột bắt buộc"), "{text}");
    }

    #[test]
    fn names_a_short_row_and_bad_utf8() {
        let e = read("a.csv", b"code,name\nX\n", &["code", "name"], &[]).unwrap_err();
        assert!(
            e.to_string().contains("a.csv, dòng 2: dòng có 1 trường"),
            "{e}"
        );
        let e = read("a.csv", b"code\nok\n\xff\n", &["code"], &[]).unwrap_err();
        assert!(
            e.to_string().contains("a.csv, dòng 3: không phải UTF-8"),
            "{e}"
        );
    }

    #[test]
    fn dates_in_either_form() {
        assert_eq!(
            parse_date("28/11/2026"),
            chrono::NaiveDate::from_ymd_opt(2026, 11, 28)
        );
        assert_eq!(
            parse_date("2026-11-28"),
            chrono::NaiveDate::from_ymd_opt(2026, 11, 28)
        );
        assert_eq!(parse_date("31/02/2026"), None);
    }
}
