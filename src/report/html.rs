//! A report as one printable A4 HTML page in the layout of a report of a
//! ward Party committee (báo cáo của Đảng ủy): issuer and national motto,
//! title, numbered sections of tables, notes, recipients and signature.
//! Self-contained (inline CSS, no scripts, fonts or links), so that it opens
//! and prints the same offline, and deterministic: the same report gives the
//! same bytes.

use super::{Cell, Column, Report, Sheet, date_vi, format_vi, long_date, place, roman};
use std::fmt::Write;

/// Tables wider than this many columns get a smaller font to fit A4 portrait.
const WIDE: usize = 7;

/// Tables wider than this many columns are printed on A4 landscape pages
/// (the progress cuts have up to 17): portrait would cut the last columns.
const LANDSCAPE: usize = 10;

const CSS: &str = r#"@page { size: A4; margin: 20mm 15mm 20mm 25mm; }
@page landscape { size: A4 landscape; margin: 15mm 12mm 15mm 15mm; }
section.landscape { page: landscape; }
section.landscape table.data { font-size: 8.5pt; }
section.landscape th .en { font-size: 7pt; }
* { box-sizing: border-box; }
body { font-family: "Times New Roman", "Liberation Serif", "DejaVu Serif", serif;
  font-size: 13pt; line-height: 1.3; color: #000; margin: 0; }
@media screen { body { max-width: 170mm; margin: 10mm auto; padding: 0 5mm; } }
p { margin: 0; }
.layout { width: 100%; border-collapse: collapse; }
.layout td { vertical-align: top; text-align: center; padding: 0; }
.org { font-weight: bold; }
.rule { width: 30mm; margin: 1mm auto 1.5mm; border-top: 0.75pt solid #000; }
.motto { font-weight: bold; text-decoration: underline; }
.place { font-style: italic; margin-top: 3mm; }
h1 { font-size: 14pt; text-align: center; margin: 8mm 0 0; }
.title { font-weight: bold; text-align: center; }
.title-en { font-size: 11pt; font-style: italic; text-align: center; }
.date-line { font-style: italic; text-align: center; margin-top: 1mm; }
.frozen { border: 0.75pt solid #000; padding: 1mm 3mm; margin: 3mm auto 0;
  width: fit-content; font-size: 11pt; }
h2 { font-size: 13pt; margin: 6mm 0 2mm; break-after: avoid; page-break-after: avoid; }
table.data { width: 100%; border-collapse: collapse; font-size: 11pt; }
table.data.wide { font-size: 9.5pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
.data th, .data td { border: 0.5pt solid #000; padding: 1mm 1.5mm; vertical-align: top; }
.data th { text-align: center; vertical-align: middle; }
th .en { display: block; font-size: 8.5pt; font-weight: normal; font-style: italic; color: #555; }
td.tt, td.date { text-align: center; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; }
tr.total .en { font-weight: normal; font-style: italic; font-size: 9pt; }
.notes { margin-top: 5mm; break-inside: avoid; page-break-inside: avoid; }
.notes ul { margin: 1mm 0 0; padding-left: 6mm; }
.end { margin-top: 8mm; break-inside: avoid; page-break-inside: avoid; }
.end td { width: 50%; padding-top: 2mm; }
.layout td.recipients { text-align: left; font-size: 11pt; }
.recipients .label { font-weight: bold; font-style: italic; font-size: 12pt; }
.sign .on-behalf { font-weight: bold; }
.sign .how { font-style: italic; }
.sign .room { height: 28mm; }
"#;

/// The whole document; a periodic report (with [`super::Periodic`]) in the
/// Party's format, Vietnamese only ([`super::html_party`]).
pub fn render(report: &Report) -> String {
    if let Some(p) = &report.periodic {
        return super::html_party::render(report, p, super::html_party::Lang::Vi);
    }
    let mut h = String::with_capacity(16 * 1024);
    h.push_str("<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(h, "<title>{}</title>", escape(&report.title));
    let _ = writeln!(h, "<style>\n{CSS}</style>\n</head>\n<body>");
    issuer(&mut h, report);
    title(&mut h, report);
    for (i, sheet) in report.sheets.iter().enumerate() {
        section(&mut h, i + 1, sheet);
    }
    notes(&mut h, &report.notes);
    ending(&mut h);
    h.push_str("</body>\n</html>\n");
    h
}

/// Left the issuing committee and the document number, right the Party's
/// name and the place and date, as every Party document starts.
fn issuer(h: &mut String, r: &Report) {
    let date = r.issued_on.unwrap_or(r.as_of);
    let _ = write!(
        h,
        "<table class=\"layout head\" role=\"presentation\"><tr>\n\
         <td><p class=\"org\">{}</p><div class=\"rule\"></div><p>Số: ……/BC-ĐU</p></td>\n\
         <td><p class=\"motto\">ĐẢNG CỘNG SẢN VIỆT NAM</p>\
         <p class=\"place\">{}, {}</p></td>\n</tr></table>\n",
        escape(&r.committee.to_uppercase()),
        escape(place(&r.ward)),
        long_date(date),
    );
}

fn title(h: &mut String, r: &Report) {
    let _ = write!(
        h,
        "<h1>BÁO CÁO</h1>\n<p class=\"title\">{}</p>\n<p class=\"title-en\">{}</p>\n\
         <p class=\"date-line\">{}</p>\n",
        escape(&r.title),
        escape(&r.title_en),
        escape(&r.date_line()),
    );
    if let Some(d) = r.issued_on {
        let _ = writeln!(
            h,
            "<p class=\"frozen\">Báo cáo đã chốt ngày {} — không sửa đổi / Frozen report</p>",
            date_vi(d)
        );
    }
}

fn section(h: &mut String, n: usize, sheet: &Sheet) {
    let class = if sheet.columns.len() > LANDSCAPE {
        " class=\"landscape\""
    } else {
        ""
    };
    let _ = writeln!(
        h,
        "<section{class}>\n<h2>{}. {}</h2>",
        roman(n),
        escape(&sheet.title)
    );
    let wide = if sheet.columns.len() > WIDE {
        " wide"
    } else {
        ""
    };
    let _ = write!(
        h,
        "<table class=\"data{wide}\">\n<thead><tr><th>TT<span class=\"en\">No.</span></th>"
    );
    for c in &sheet.columns {
        let _ = write!(
            h,
            "<th>{}<span class=\"en\">{}</span></th>",
            escape(&c.vi),
            escape(&c.en)
        );
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for (i, row) in sheet.rows.iter().enumerate() {
        let _ = write!(h, "<tr><td class=\"tt\">{}</td>", i + 1);
        cells(h, &sheet.columns, row, 0);
        h.push_str("</tr>\n");
    }
    if let Some(total) = &sheet.total {
        total_row(h, &sheet.columns, total);
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

/// "Tổng cộng" spans the TT column and the first column when that one holds
/// a label (or nothing); a numeric first column keeps its total.
fn total_row(h: &mut String, columns: &[Column], total: &[Cell]) {
    let label = |text: &str| format!("{}<span class=\"en\"> / Total</span>", escape(text));
    h.push_str("<tr class=\"total\">");
    match total.first() {
        Some(Cell::Number(_) | Cell::Date(_)) => {
            let _ = write!(h, "<td>{}</td>", label("Tổng cộng"));
            cells(h, columns, total, 0);
        }
        first => {
            let text = match first {
                Some(Cell::Text(s)) if !s.trim().is_empty() => s.as_str(),
                _ => "Tổng cộng",
            };
            let _ = write!(h, "<td colspan=\"2\">{}</td>", label(text));
            cells(h, columns, total, 1);
        }
    }
    h.push_str("</tr>\n");
}

/// The row's cells from column `from` on, one per column (missing: blank).
fn cells(h: &mut String, columns: &[Column], row: &[Cell], from: usize) {
    for (i, col) in columns.iter().enumerate().skip(from) {
        match row.get(i).unwrap_or(&Cell::Empty) {
            Cell::Empty => h.push_str("<td></td>"),
            Cell::Text(s) => {
                let _ = write!(h, "<td>{}</td>", escape(s));
            }
            Cell::Number(v) => {
                let _ = write!(h, "<td class=\"num\">{}</td>", format_vi(*v, col.kind));
            }
            Cell::Date(d) => {
                let _ = write!(h, "<td class=\"date\">{}</td>", date_vi(*d));
            }
        }
    }
}

fn notes(h: &mut String, notes: &[String]) {
    if notes.is_empty() {
        return;
    }
    h.push_str("<section class=\"notes\">\n<p><b>Ghi chú / Notes</b></p>\n<ul>\n");
    for n in notes {
        let _ = writeln!(h, "<li>{}</li>", escape(n));
    }
    h.push_str("</ul>\n</section>\n");
}

/// Recipients bottom left, the committee's signature bottom right.
fn ending(h: &mut String) {
    h.push_str(
        "<table class=\"layout end\" role=\"presentation\"><tr>\n\
         <td class=\"recipients\"><p class=\"label\">Nơi nhận:</p>\
         <p>- Ban Thường vụ Đảng ủy;</p><p>- Các chi bộ;</p><p>- Lưu VP.</p></td>\n\
         <td class=\"sign\"><p class=\"on-behalf\">T/M ĐẢNG ỦY</p>\
         <p class=\"how\">(Ký, ghi rõ họ tên)</p><div class=\"room\"></div></td>\n\
         </tr></table>\n",
    );
}

/// Text as HTML, quotes included, so that it is safe in attributes too.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Kind;
    use chrono::NaiveDate;

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

    fn report() -> Report {
        let sheet = |key: &str, title: &str| Sheet {
            key: key.into(),
            name: title.into(),
            title: title.into(),
            columns: vec![
                col("group", "Tổ dân phố", "Residential group", Kind::Text),
                col("households", "Số hộ", "Households", Kind::Count),
                col("area_m2", "Diện tích (m²)", "Area (m²)", Kind::Area),
                col("frontage_m", "Mặt tiền (m)", "Frontage (m)", Kind::Length),
                col("share", "Tỷ lệ", "Share", Kind::Percent),
                col("value_vnd", "Giá trị (đồng)", "Value (VND)", Kind::Money),
                col("on", "Ngày bàn giao", "Handed over on", Kind::Date),
            ],
            rows: vec![
                vec![
                    "Tổ dân phố số 5 <b>&".into(),
                    1234.0.into(),
                    1234.5.into(),
                    (-12.345).into(),
                    0.4523.into(),
                    1_500_000.0.into(),
                    date(11, 28).into(),
                ],
                vec!["Tổ 6".into(), 0.0.into()],
            ],
            total: Some(vec![
                Cell::Empty,
                1234.0.into(),
                1234.5.into(),
                Cell::Empty,
                0.4523.into(),
                1_500_000.0.into(),
                Cell::Empty,
            ]),
        };
        Report {
            ward: "Phường Ngọc Sơn".into(),
            committee: "Đảng ủy phường Ngọc Sơn".into(),
            title: "Báo cáo tiến độ hiến đất mở rộng đường theo tổ dân phố".into(),
            title_en: "Progress of land donation for road widening".into(),
            as_of: date(11, 28),
            from: None,
            issued_on: None,
            sheets: vec![
                sheet("group", "Theo tổ dân phố"),
                sheet("segment", "Theo đoạn đường"),
                sheet("cell", "Theo chi bộ"),
            ],
            notes: vec!["Số liệu mẫu 'demo' — không dùng thật.".into()],
            periodic: None,
        }
    }

    #[test]
    fn document_header_and_signature() {
        let h = render(&report());
        assert!(h.starts_with("<!DOCTYPE html>\n<html lang=\"vi\">"));
        assert!(h.contains("<meta charset=\"utf-8\">"));
        assert!(h.contains("@page { size: A4; margin: 20mm 15mm 20mm 25mm; }"));
        assert!(h.contains("thead { display: table-header-group; }"));
        assert!(h.contains(">ĐẢNG ỦY PHƯỜNG NGỌC SƠN<"));
        assert!(h.contains("Số: ……/BC-ĐU"));
        assert!(h.contains("<p class=\"motto\">ĐẢNG CỘNG SẢN VIỆT NAM</p>"));
        assert!(h.contains("Ngọc Sơn, ngày 28 tháng 11 năm 2026"));
        assert!(h.contains("<h1>BÁO CÁO</h1>"));
        assert!(h.contains("Báo cáo tiến độ hiến đất mở rộng đường theo tổ dân phố"));
        assert!(h.contains("Progress of land donation for road widening"));
        assert!(h.contains("Tính đến ngày 28/11/2026"));
        assert!(!h.contains("Từ ngày"));
        assert!(!h.contains("đã chốt"));
        assert!(h.contains("T/M ĐẢNG ỦY"));
        assert!(h.contains("(Ký, ghi rõ họ tên)"));
        assert!(h.contains("Nơi nhận:"));
        assert!(h.contains("- Ban Thường vụ Đảng ủy;"));
        assert!(h.contains("- Lưu VP."));
        assert!(h.contains("Ghi chú / Notes"));
        // self-contained and deterministic
        assert!(!h.contains("<script") && !h.contains("http") && !h.contains("url("));
        assert_eq!(h, render(&report()));
    }

    #[test]
    fn tables_numbers_escaping_totals() {
        let h = render(&report());
        assert!(h.contains("<h2>I. Theo tổ dân phố</h2>"));
        assert!(h.contains("<h2>II. Theo đoạn đường</h2>"));
        assert!(h.contains("<h2>III. Theo chi bộ</h2>"));
        assert!(h.contains("<th>Số hộ<span class=\"en\">Households</span></th>"));
        for n in [
            "1.234",
            "1.234,5",
            "-12,35",
            "45,2 %",
            "1.500.000",
            "28/11/2026",
        ] {
            assert!(h.contains(&format!(">{n}</td>")), "{n}");
        }
        assert!(h.contains("<td class=\"tt\">1</td><td>Tổ dân phố số 5 &lt;b&gt;&amp;</td>"));
        assert!(!h.contains("<b>&"));
        assert!(h.contains("Số liệu mẫu &#39;demo&#39;"));
        // a short row is padded with blank cells
        assert!(h.contains(
            "<td class=\"tt\">2</td><td>Tổ 6</td><td class=\"num\">0</td>\
             <td></td><td></td><td></td><td></td><td></td></tr>"
        ));
        assert!(h.contains(
            "<tr class=\"total\"><td colspan=\"2\">Tổng cộng<span class=\"en\"> / Total</span></td>\
             <td class=\"num\">1.234</td>"
        ));
    }

    #[test]
    fn period_and_frozen_report() {
        let mut r = report();
        r.from = Some(date(1, 1));
        r.issued_on = Some(date(2, 5));
        r.as_of = date(1, 31);
        let h = render(&r);
        assert!(h.contains("Từ ngày 01/01/2026 đến ngày 31/01/2026"));
        assert!(h.contains("Ngọc Sơn, ngày 05 tháng 02 năm 2026"));
        assert!(h.contains("Báo cáo đã chốt ngày 05/02/2026 — không sửa đổi / Frozen report"));
    }

    #[test]
    fn helpers() {
        let numerals: Vec<String> = [1, 2, 3, 4, 9, 14, 40].map(roman).to_vec();
        assert_eq!(numerals, ["I", "II", "III", "IV", "IX", "XIV", "XL"]);
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(place("Phường Ngọc Sơn"), "Ngọc Sơn");
        assert_eq!(place("Xã Tân Lập"), "Xã Tân Lập");
        assert_eq!(long_date(date(12, 1)), "ngày 01 tháng 12 năm 2026");
    }
}
