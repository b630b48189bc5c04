//! A small reader for the CSV tables people keep in Excel (the organisation
//! files): UTF-8 with or without a byte-order mark, a header row naming the
//! columns in any order (case and surrounding spaces do not matter), blank
//! rows skipped. Every problem is collected with its file, line and column,
//! so that a file is reported whole, not one error per run.

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
}

impl Row {
    /// The column's text, `None` when empty or absent.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.cells
            .get(column)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }
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
            Some(d) => Ok(Some(d)),
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
    let at = |line: u64, column: Option<&str>, vi: String, en: String| CellError {
        file: file.to_string(),
        line,
        column: column.map(str::to_string),
        vi,
        en,
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
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
    };
    // Line numbers count blank lines too (the csv crate's skip them).
    let newlines: Vec<usize> = memchr::memchr_iter(b'\n', text.as_bytes()).collect();
    let line_of = |p: Option<&csv::Position>| -> u64 {
        p.map_or(0, |p| {
            let mut byte = p.byte() as usize;
            while matches!(text.as_bytes().get(byte), Some(b'\n' | b'\r')) {
                byte += 1;
            }
            newlines.partition_point(|&i| i < byte) as u64 + 1
        })
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = rdr.records();
    let header = match records.next() {
        None => {
            errors.push(at(
                1,
                None,
                "tệp trống, thiếu dòng tiêu đề".into(),
                "empty file: no header row".into(),
            ));
            return Err(errors);
        }
        Some(Err(e)) => {
            errors.push(at(
                1,
                None,
                format!("lỗi cú pháp CSV: {e}"),
                format!("CSV syntax error: {e}"),
            ));
            return Err(errors);
        }
        Some(Ok(h)) => h,
    };
    let mut index: Vec<(usize, &'static str)> = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim().to_lowercase();
        match columns.iter().find(|c| **c == name) {
            Some(c) if index.iter().any(|(_, k)| k == c) => errors.push(at(
                1,
                Some(c),
                "cột bị lặp".into(),
                "column given twice".into(),
            )),
            Some(c) => index.push((i, c)),
            None if name.is_empty() => {}
            None => errors.push(at(
                1,
                Some(&name),
                format!("cột không xác định (các cột: {})", columns.join(", ")),
                format!("unknown column (columns: {})", columns.join(", ")),
            )),
        }
    }
    for r in required {
        if !index.iter().any(|(_, k)| k == r) {
            errors.push(at(
                1,
                Some(r),
                "thiếu cột bắt buộc".into(),
                "required column missing".into(),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut rows = Vec::new();
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = line_of(e.position());
                errors.push(at(
                    line,
                    None,
                    format!("lỗi cú pháp CSV: {e}"),
                    format!("CSV syntax error: {e}"),
                ));
                continue;
            }
        };
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let line = line_of(rec.position());
        if rec.len() != header.len() {
            errors.push(at(
                line,
                None,
                format!("dòng có {} trường, tiêu đề có {}", rec.len(), header.len()),
                format!("row has {} fields, the header {}", rec.len(), header.len()),
            ));
            continue;
        }
        let cells = index
            .iter()
            .map(|&(i, k)| (k, rec.get(i).unwrap_or("").trim().to_string()))
            .collect();
        rows.push(Row { line, cells });
    }
    errors.or(Table {
        file: file.to_string(),
        rows,
    })
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
