//! A sheet as machine CSV: column keys as the header, plain decimal points,
//! ISO dates, no totals row (a program adds up itself). UTF-8 with a BOM,
//! because without it Excel reads Vietnamese text as mojibake.

use super::{Cell, Decimal, Kind, Report, Sheet};
use std::io::Write;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The sheet's rows under a header of its column keys.
pub fn write(sheet: &Sheet) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(BOM.to_vec());
    // writing to memory: the only possible error is a ragged record, and
    // every record has one field per column
    const OK: &str = "CSV to memory";
    w.write_record(sheet.columns.iter().map(|c| c.key.as_str()))
        .expect(OK);
    for row in &sheet.rows {
        let fields = sheet.columns.iter().enumerate().map(|(i, col)| {
            let cell = row.get(i).unwrap_or(&Cell::Empty);
            field(cell, col.kind)
        });
        w.write_record(fields).expect(OK);
    }
    w.into_inner().expect(OK)
}

/// One `<sheet.key>.csv` per sheet: a report with several cuts in one file.
pub fn write_zip(report: &Report) -> Result<Vec<u8>, zip::result::ZipError> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for sheet in &report.sheets {
        zip.start_file(format!("{}.csv", sheet.key), opts)?;
        zip.write_all(&write(sheet))?;
    }
    Ok(zip.finish()?.into_inner())
}

fn field(cell: &Cell, kind: Kind) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) => crate::campaign::neutralise_cell(s).into_owned(),
        Cell::Number(v) => plain(*v, kind),
        Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
    }
}

/// Counts and money whole, areas and lengths to at most 2 decimals (to the
/// centimetre), percentages as a fraction to 4 decimals (0.4523).
fn plain(v: f64, kind: Kind) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let (places, trim) = match kind {
        Kind::Count | Kind::Money => (0, false),
        Kind::Area | Kind::Length => (2, true),
        Kind::Percent => (4, false),
        Kind::Text | Kind::Date => return v.to_string(),
    };
    let d = Decimal::round(v, 0, places);
    let frac = if trim {
        d.frac.trim_end_matches('0')
    } else {
        &d.frac
    };
    let sign = if d.negative { "-" } else { "" };
    match frac {
        "" => format!("{sign}{}", d.int),
        f => format!("{sign}{}.{f}", d.int),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Column;
    use chrono::NaiveDate;
    use std::io::Read;

    fn col(key: &str, kind: Kind) -> Column {
        Column {
            key: key.into(),
            vi: key.into(),
            en: key.into(),
            kind,
        }
    }

    fn sheet(key: &str) -> Sheet {
        let date = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        Sheet {
            key: key.into(),
            name: "Theo tổ dân phố".into(),
            title: "Tiến độ theo tổ dân phố".into(),
            columns: vec![
                col("group", Kind::Text),
                col("households", Kind::Count),
                col("area_m2", Kind::Area),
                col("frontage_m", Kind::Length),
                col("share", Kind::Percent),
                col("value_vnd", Kind::Money),
                col("handed_over_on", Kind::Date),
            ],
            rows: vec![
                vec![
                    "Tổ dân phố số 5, khu \"A\"".into(),
                    12.0.into(),
                    1234.5.into(),
                    12.345.into(),
                    0.45234.into(),
                    1_500_000.0.into(),
                    date.into(),
                ],
                vec![
                    "Tổ 6".into(),
                    Cell::Empty,
                    (-0.25).into(),
                    3.0.into(),
                    1.0.into(),
                    Cell::Empty,
                    Cell::Empty,
                ],
            ],
            total: Some(vec!["Tổng cộng".into(), 12.0.into()]),
        }
    }

    #[test]
    fn bom_keys_plain_numbers_iso_dates() {
        let bytes = write(&sheet("group"));
        assert!(bytes.starts_with(BOM));
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "group,households,area_m2,frontage_m,share,value_vnd,handed_over_on"
        );
        assert_eq!(
            lines[1],
            "\"Tổ dân phố số 5, khu \"\"A\"\"\",12,1234.5,12.35,0.4523,1500000,2026-11-28"
        );
        assert_eq!(lines[2], "Tổ 6,,-0.25,3,1.0000,,");
        // no totals row
        assert_eq!(lines.len(), 3);
        assert!(!text.contains("Tổng cộng"));
    }

    #[test]
    fn text_cells_that_look_like_formulas_are_neutralised_numbers_stay() {
        let mut s = sheet("group");
        s.rows[0][0] = "=HYPERLINK(\"http://x\",\"y\")".into();
        s.rows[1][0] = "-Tổ 6".into();
        let bytes = write(&s);
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[1].starts_with("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",12,"),
            "{}",
            lines[1]
        );
        assert_eq!(lines[2], "'-Tổ 6,,-0.25,3,1.0000,,");
    }

    #[test]
    fn zip_holds_one_csv_per_sheet() {
        let report = Report {
            ward: "Phường Ngọc Sơn".into(),
            committee: "Đảng ủy phường Ngọc Sơn".into(),
            title: "Báo cáo".into(),
            title_en: "Report".into(),
            as_of: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
            from: None,
            issued_on: None,
            sheets: vec![sheet("group"), sheet("segment")],
            notes: vec![],
            periodic: None,
        };
        let bytes = write_zip(&report).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(zip.len(), 2);
        let mut names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
        names.sort_unstable();
        assert_eq!(names, ["group.csv", "segment.csv"]);
        let mut got = Vec::new();
        zip.by_name("segment.csv")
            .unwrap()
            .read_to_end(&mut got)
            .unwrap();
        assert_eq!(got, write(&report.sheets[1]));
    }
}
