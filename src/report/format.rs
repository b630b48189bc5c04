//! The four ways a report leaves hiendat, chosen by name.

use super::Report;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Html,
    Csv,
    /// Word, for the office to edit further.
    Docx,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "xlsx" => Some(Format::Xlsx),
            "html" => Some(Format::Html),
            "csv" => Some(Format::Csv),
            "docx" => Some(Format::Docx),
            _ => None,
        }
    }

    /// The file extension of `report` in this format: several sheets of
    /// CSV come as a zip of one file each.
    pub fn extension(self, report: &Report) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Html => "html",
            Format::Csv if report.sheets.len() == 1 => "csv",
            Format::Csv => "zip",
            Format::Docx => "docx",
        }
    }

    pub fn media_type(self, report: &Report) -> &'static str {
        match self.extension(report) {
            "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "html" => "text/html; charset=utf-8",
            "csv" => "text/csv; charset=utf-8",
            "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            _ => "application/zip",
        }
    }
}

/// The report's bytes in `format`.
pub fn write(report: &Report, format: Format) -> Result<Vec<u8>, String> {
    match format {
        Format::Xlsx => super::xlsx::write(report).map_err(|e| format!("xlsx: {e}")),
        Format::Html => Ok(super::html::render(report).into_bytes()),
        Format::Csv if report.sheets.len() == 1 => Ok(super::csv::write(&report.sheets[0])),
        Format::Csv => super::csv::write_zip(report).map_err(|e| format!("zip: {e}")),
        Format::Docx => super::docx::write(report).map_err(|e| format!("docx: {e}")),
    }
}

/// A file name for the report: `bao-cao-group-2026-11-28.xlsx`.
pub fn file_name(report: &Report, cut: &str, format: Format) -> String {
    let period = match report.from {
        Some(f) => format!("{f}-{}", report.as_of),
        None => report.as_of.to_string(),
    };
    format!("bao-cao-{cut}-{period}.{}", format.extension(report))
}
