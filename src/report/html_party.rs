//! The periodic report ([`super::Periodic`]) as one printable A4 page in the
//! Party's format (Hướng dẫn về thể thức văn bản của Đảng): left the
//! superior committee, the issuing committee, "*" and "Số 12-BC/ĐU"; right
//! "ĐẢNG CỘNG SẢN VIỆT NAM" underlined and the place and date in italics;
//! the title; the narrative; "Nơi nhận" and the signature; then the
//! appendix tables, each headed "PHỤ LỤC n", from a new page (portrait, set
//! so that road names wrap to two lines at most).
//!
//! The official print is Vietnamese only. [`Lang::Bilingual`] adds the
//! English subtitles under titles and column headers, for the screen.
//! Self-contained and deterministic, as [`super::html`] is: the same report
//! gives the same bytes, so a frozen report prints the same forever.

use super::html::escape;
use super::{Cell, Column, Kind, Periodic, Report, Sheet, date_vi, format_vi, long_date};
use std::fmt::Write;

/// Tables of at most this many rows are kept whole on one page.
const KEEP_ROWS: usize = 20;

/// Which words the page carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// The official print: Vietnamese only.
    Vi,
    /// Vietnamese with English subtitles (`bilingual=1`, `--bilingual`).
    Bilingual,
}

const CSS: &str = r#"@page { size: A4; margin: 20mm 15mm 20mm 30mm; }
* { box-sizing: border-box; }
body { font-family: "Times New Roman", "Liberation Serif", "DejaVu Serif", serif;
  font-size: 14pt; line-height: 1.25; color: #000; margin: 0; }
@media screen { body { max-width: 165mm; margin: 10mm auto; padding: 0 5mm; } }
p { margin: 0; }
.layout { width: 100%; border-collapse: collapse; }
.layout td { vertical-align: top; text-align: center; padding: 0; }
.head td.left { width: 47%; }
.head p { white-space: nowrap; }
.head .org { font-weight: bold; }
.head .star { margin: 0.5mm 0 1mm; }
.motto { font-weight: bold; font-size: 15pt; text-decoration: underline; }
.place { font-style: italic; margin-top: 5mm; }
h1 { font-size: 15pt; text-align: center; margin: 8mm 0 0; }
.title { font-weight: bold; text-align: center; }
.title-en { font-size: 11pt; font-style: italic; text-align: center; }
.dash { text-align: center; margin: 0 0 4mm; }
.en { font-size: 9pt; font-weight: normal; font-style: italic; color: #555; }
/* padding, not margin, above: the stacked accents of a heading moved to the
   next page are drawn inside its box, not left at the foot of the page before */
.narrative h2 { font-size: 14pt; margin: 1.5mm 0 1mm; padding-top: 1.5mm; text-indent: 10mm;
  break-after: avoid; page-break-after: avoid; }
.narrative p { text-align: justify; text-indent: 10mm; margin: 0 0 1.5mm; }
.end { margin-top: 6mm; break-inside: avoid; page-break-inside: avoid; }
.end td { width: 50%; }
.layout td.recipients { text-align: left; font-size: 12pt; }
.recipients .label { font-weight: bold; font-style: italic; }
.recipients p { font-size: 11pt; }
.sign { font-weight: bold; }
.sign .room { height: 25mm; }
section.appendix { margin-top: 8mm; }
section.appendix.keep { break-inside: avoid; page-break-inside: avoid; }
section.appendix.first { break-before: page; page-break-before: always; margin-top: 0; }
.ap-label { font-weight: bold; text-align: center; }
.ap-title { font-weight: bold; text-align: center; text-transform: uppercase; }
.ap-ref, .ap-date { font-style: italic; text-align: center; font-size: 12pt; }
.ap-date { margin-bottom: 2mm; }
table.data { width: 100%; border-collapse: collapse; font-size: 10pt; line-height: 1.2; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
.data th, .data td { border: 0.5pt solid #000; padding: 0.6mm 1mm; vertical-align: top; }
.data th { text-align: center; vertical-align: middle; font-size: 9pt; }
.data th .en { display: block; font-size: 7.5pt; }
.data col.tt { width: 7mm; }
.data col.id { width: 9mm; }
.data col.name { width: 42mm; }
.data col.group { width: 27mm; }
.data col.flag { width: 17mm; }
td.nw { white-space: nowrap; }
.data col.lead { width: 30mm; }
td.tt, td.date { text-align: center; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; }
.notes { margin-top: 4mm; font-size: 11pt; break-inside: avoid; page-break-inside: avoid; }
.notes ul { margin: 1mm 0 0; padding-left: 6mm; }
"#;

/// The whole document.
pub fn render(report: &Report, p: &Periodic, lang: Lang) -> String {
    let mut h = String::with_capacity(32 * 1024);
    h.push_str("<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(h, "<title>Báo cáo {}</title>", escape(&report.title));
    let _ = writeln!(h, "<style>\n{CSS}</style>\n</head>\n<body>");
    letterhead(&mut h, report, p);
    title(&mut h, report, lang);
    h.push_str("<div class=\"narrative\">\n");
    for s in &p.sections {
        let _ = writeln!(h, "<h2>{}</h2>", escape(&s.heading));
        for t in &s.paragraphs {
            let _ = writeln!(h, "<p>{}</p>", escape(t));
        }
    }
    h.push_str("</div>\n");
    ending(&mut h, p);
    for (i, sheet) in report.sheets.iter().enumerate() {
        appendix(&mut h, report, p, i, sheet, lang);
    }
    notes(&mut h, &report.notes);
    h.push_str("</body>\n</html>\n");
    h
}

/// "Số 12-BC/ĐU"; without a number, room to write it by hand.
pub fn number_line(p: &Periodic) -> String {
    match p.number.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => format!("Số {n}-BC/ĐU"),
        None => "Số\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}-BC/ĐU".to_string(),
    }
}

fn letterhead(h: &mut String, r: &Report, p: &Periodic) {
    let date = r.issued_on.unwrap_or(r.as_of);
    let _ = write!(
        h,
        "<table class=\"layout head\" role=\"presentation\"><tr>\n\
         <td class=\"left\"><p class=\"superior\">{}</p><p class=\"org\">{}</p>\
         <p class=\"star\">*</p><p class=\"number\">{}</p></td>\n\
         <td class=\"right\"><p class=\"motto\">ĐẢNG CỘNG SẢN VIỆT NAM</p>\
         <p class=\"place\">{}, {}</p></td>\n</tr></table>\n",
        escape(&p.superior),
        escape(&p.committee),
        escape(&number_line(p)),
        escape(&p.place),
        long_date(date),
    );
}

fn title(h: &mut String, r: &Report, lang: Lang) {
    let _ = write!(
        h,
        "<h1>BÁO CÁO</h1>\n<p class=\"title\">{}</p>\n",
        escape(&lower_first(&r.title)),
    );
    if lang == Lang::Bilingual {
        let _ = writeln!(h, "<p class=\"title-en\">{}</p>", escape(&r.title_en));
    }
    let _ = writeln!(
        h,
        "<p class=\"title\">{}</p>\n<p class=\"dash\">-----</p>",
        escape(&lower_first(&r.date_line()))
    );
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Recipients bottom left, the signature bottom right, kept together.
fn ending(h: &mut String, p: &Periodic) {
    h.push_str(
        "<table class=\"layout end\" role=\"presentation\"><tr>\n\
         <td class=\"recipients\"><p class=\"label\">Nơi nhận:</p>",
    );
    let n = p.recipients.len();
    for (i, r) in p.recipients.iter().enumerate() {
        let end = if i + 1 == n { "." } else { "," };
        let _ = write!(
            h,
            "<p>- {}{end}</p>",
            escape(r.trim_end_matches([',', '.', ';']))
        );
    }
    let _ = write!(
        h,
        "</td>\n<td class=\"sign\"><p class=\"on-behalf\">{}</p><p class=\"signer-title\">{}</p>\
         <div class=\"room\"></div><p class=\"signer\">{}</p></td>\n</tr></table>\n",
        escape(&p.on_behalf),
        escape(&p.signer_title),
        escape(p.signer_name.as_deref().unwrap_or("")),
    );
}

fn appendix(h: &mut String, r: &Report, p: &Periodic, i: usize, sheet: &Sheet, lang: Lang) {
    let first = if i == 0 { " first" } else { "" };
    // a short table is kept on one page with its heading
    let first = if sheet.rows.len() <= KEEP_ROWS {
        format!("{first} keep")
    } else {
        first.to_string()
    };
    let number = match p.number.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => format!("số {}-BC/ĐU", escape(n)),
        None => "số\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}-BC/ĐU".into(),
    };
    let date = date_vi(r.issued_on.unwrap_or(r.as_of));
    let _ = write!(
        h,
        "<section class=\"appendix{first}\">\n<p class=\"ap-label\">PHỤ LỤC {}</p>\n\
         <p class=\"ap-title\">{}</p>\n",
        i + 1,
        escape(&sheet.title),
    );
    if lang == Lang::Bilingual
        && let Some(en) = english_title(&sheet.key)
    {
        let _ = writeln!(h, "<p class=\"title-en\">{en}</p>");
    }
    let _ = write!(
        h,
        "<p class=\"ap-ref\">(Kèm theo Báo cáo {number}, ngày {date} của Ban Thường vụ {})</p>\n\
         <p class=\"ap-date\">{}</p>\n",
        escape(&r.committee),
        escape(&r.date_line()),
    );
    table(h, sheet, lang);
    h.push_str("</section>\n");
}

fn english_title(key: &str) -> Option<&'static str> {
    Some(match key {
        "segment" => "Results by road segment",
        "group" => "Results by residential group",
        "cell" => "Results by party cell, and members' own households",
        "lagging" => "Lagging areas",
        _ => return None,
    })
}

/// The class of a column's width: the names wide enough that a road's name
/// takes two lines at most.
fn width(c: &Column) -> &'static str {
    match c.key.as_str() {
        "segment_id" => "id",
        "segment" | "cell" | "area" => "name",
        "group" => "group",
        "complete" => "flag",
        "lead" => "lead",
        _ => "",
    }
}

fn table(h: &mut String, sheet: &Sheet, lang: Lang) {
    h.push_str("<table class=\"data\">\n<colgroup><col class=\"tt\">");
    for c in &sheet.columns {
        match width(c) {
            "" => h.push_str("<col>"),
            w => {
                let _ = write!(h, "<col class=\"{w}\">");
            }
        }
    }
    h.push_str("</colgroup>\n<thead><tr><th>TT</th>");
    for c in &sheet.columns {
        let _ = write!(h, "<th>{}", escape(&c.vi));
        if lang == Lang::Bilingual {
            let _ = write!(h, "<span class=\"en\">{}</span>", escape(&c.en));
        }
        h.push_str("</th>");
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for (i, row) in sheet.rows.iter().enumerate() {
        let _ = write!(h, "<tr><td class=\"tt\">{}</td>", i + 1);
        cells(h, &sheet.columns, row, 0);
        h.push_str("</tr>\n");
    }
    if let Some(total) = &sheet.total {
        let label = match total.first() {
            Some(Cell::Text(s)) if !s.trim().is_empty() => s.as_str(),
            _ => "Tổng cộng",
        };
        // the label spans the TT column, the first and the blank text
        // columns after it (a segment's id and name)
        let mut span = 1;
        while span < sheet.columns.len()
            && sheet.columns[span].kind == Kind::Text
            && matches!(total.get(span), None | Some(Cell::Empty))
        {
            span += 1;
        }
        let _ = write!(
            h,
            "<tr class=\"total\"><td colspan=\"{}\" class=\"nw\">{}</td>",
            span + 1,
            escape(label)
        );
        cells(h, &sheet.columns, total, span);
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
}

/// The row's cells from column `from` on, one per column (missing: blank).
fn cells(h: &mut String, columns: &[Column], row: &[Cell], from: usize) {
    for (i, col) in columns.iter().enumerate().skip(from) {
        match row.get(i).unwrap_or(&Cell::Empty) {
            Cell::Empty => h.push_str("<td></td>"),
            Cell::Text(s) if width(col) == "flag" => {
                let _ = write!(h, "<td class=\"nw\">{}</td>", escape(s));
            }
            Cell::Text(s) => {
                let _ = write!(h, "<td>{}</td>", escape(s));
            }
            Cell::Number(v) => {
                let kind = if col.kind == Kind::Text {
                    Kind::Count
                } else {
                    col.kind
                };
                let _ = write!(h, "<td class=\"num\">{}</td>", format_vi(*v, kind));
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
    h.push_str("<section class=\"notes\">\n<p><b>Ghi chú:</b></p>\n<ul>\n");
    for n in notes {
        let _ = writeln!(h, "<li>{}</li>", escape(n));
    }
    h.push_str("</ul>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Section;
    use chrono::NaiveDate;

    fn report() -> Report {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        Report {
            ward: "Phường Ngọc Sơn".into(),
            committee: "Đảng ủy phường Ngọc Sơn".into(),
            title: "Kết quả thực hiện công tác vận động".into(),
            title_en: "Results of the campaign".into(),
            as_of: d(11, 30),
            from: Some(d(11, 1)),
            issued_on: Some(d(12, 5)),
            sheets: vec![Sheet {
                key: "group".into(),
                name: "Theo tổ dân phố".into(),
                title: "Kết quả theo tổ dân phố".into(),
                columns: vec![
                    Column {
                        key: "group".into(),
                        vi: "Tổ dân phố".into(),
                        en: "Residential group".into(),
                        kind: Kind::Text,
                    },
                    Column {
                        key: "area_m2".into(),
                        vi: "Diện tích (m²)".into(),
                        en: "Area (m²)".into(),
                        kind: Kind::Area,
                    },
                ],
                rows: vec![vec!["Tổ 1 <i>".into(), 1234.5.into()]],
                total: Some(vec!["Tổng cộng".into(), 1234.5.into()]),
            }],
            notes: vec!["Ghi chú một.".into()],
            periodic: Some(Periodic {
                superior: "ĐẢNG BỘ TỈNH THANH HÓA".into(),
                committee: "ĐẢNG ỦY PHƯỜNG NGỌC SƠN".into(),
                number: Some("12".into()),
                place: "Ngọc Sơn".into(),
                sections: vec![Section {
                    heading: "I. TÌNH HÌNH CHUNG".into(),
                    paragraphs: vec!["Đoạn <script>alert(1)</script> một.".into()],
                }],
                recipients: vec!["Ban Thường vụ Tỉnh ủy (để báo cáo)".into(), "Lưu VP".into()],
                on_behalf: "T/M BAN THƯỜNG VỤ".into(),
                signer_title: "BÍ THƯ".into(),
                signer_name: Some("Lê Văn Đức".into()),
            }),
        }
    }

    #[test]
    fn the_letterhead_title_narrative_and_signature_in_the_partys_format() {
        let r = report();
        let h = render(&r, r.periodic.as_ref().unwrap(), Lang::Vi);
        for s in [
            "<p class=\"superior\">ĐẢNG BỘ TỈNH THANH HÓA</p><p class=\"org\">ĐẢNG ỦY PHƯỜNG NGỌC SƠN</p><p class=\"star\">*</p><p class=\"number\">Số 12-BC/ĐU</p>",
            "<p class=\"motto\">ĐẢNG CỘNG SẢN VIỆT NAM</p>",
            "text-decoration: underline",
            "<p class=\"place\">Ngọc Sơn, ngày 05 tháng 12 năm 2026</p>",
            "<h1>BÁO CÁO</h1>\n<p class=\"title\">kết quả thực hiện công tác vận động</p>",
            "<p class=\"title\">từ ngày 01/11/2026 đến ngày 30/11/2026</p>",
            "<h2>I. TÌNH HÌNH CHUNG</h2>\n<p>Đoạn &lt;script&gt;alert(1)&lt;/script&gt; một.</p>",
            "<p>- Ban Thường vụ Tỉnh ủy (để báo cáo),</p><p>- Lưu VP.</p>",
            "<p class=\"on-behalf\">T/M BAN THƯỜNG VỤ</p><p class=\"signer-title\">BÍ THƯ</p><div class=\"room\"></div><p class=\"signer\">Lê Văn Đức</p>",
            "<p class=\"ap-label\">PHỤ LỤC 1</p>",
            "(Kèm theo Báo cáo số 12-BC/ĐU, ngày 05/12/2026 của Ban Thường vụ Đảng ủy phường Ngọc Sơn)",
            "<td>Tổ 1 &lt;i&gt;</td><td class=\"num\">1.234,5</td>",
            "<tr class=\"total\"><td colspan=\"2\" class=\"nw\">Tổng cộng</td><td class=\"num\">1.234,5</td>",
        ] {
            assert!(h.contains(s), "missing {s}");
        }
        assert!(!h.contains("<script>"));
        assert!(!h.contains("Số: ……/BC-ĐU"));
        // the narrative and signature come before the appendix
        assert!(h.find("T/M BAN THƯỜNG VỤ").unwrap() < h.find("PHỤ LỤC 1").unwrap());
        assert_eq!(h, render(&r, r.periodic.as_ref().unwrap(), Lang::Vi));
    }

    #[test]
    fn the_official_print_is_vietnamese_only_and_the_screen_version_bilingual() {
        let r = report();
        let p = r.periodic.as_ref().unwrap();
        let vi = render(&r, p, Lang::Vi);
        for en in [
            "Residential group",
            "Area (m²)",
            "Results of the campaign",
            "Results by",
        ] {
            assert!(!vi.contains(en), "{en} in the official print");
        }
        let both = render(&r, p, Lang::Bilingual);
        for en in [
            "Residential group",
            "Area (m²)",
            "Results of the campaign",
            "Results by residential group",
        ] {
            assert!(both.contains(en), "{en} missing on screen");
        }
    }

    #[test]
    fn the_total_label_spans_the_blank_name_columns() {
        let mut r = report();
        let col = |key: &str, kind| Column {
            key: key.into(),
            vi: key.into(),
            en: key.into(),
            kind,
        };
        r.sheets[0].columns = vec![
            col("segment_id", Kind::Text),
            col("segment", Kind::Text),
            col("affected", Kind::Count),
        ];
        r.sheets[0].rows = vec![vec!["1".into(), "Phố Trường Thi".into(), 41.0.into()]];
        r.sheets[0].total = Some(vec!["Tổng cộng".into(), Cell::Empty, 41.0.into()]);
        let h = render(&r, r.periodic.as_ref().unwrap(), Lang::Vi);
        assert!(h.contains(
            "<tr class=\"total\"><td colspan=\"3\" class=\"nw\">Tổng cộng</td><td class=\"num\">41</td></tr>"
        ));
        assert!(h.contains("<col class=\"tt\"><col class=\"id\"><col class=\"name\"><col>"));
    }

    #[test]
    fn no_number_leaves_room_to_write_it() {
        let mut r = report();
        r.periodic.as_mut().unwrap().number = None;
        let line = number_line(r.periodic.as_ref().unwrap());
        assert!(line.starts_with("Số\u{a0}") && line.ends_with("\u{a0}-BC/ĐU"));
    }

    #[test]
    fn a_number_is_escaped_wherever_it_is_printed() {
        // a frozen report keeps whatever it was given: the print escapes it
        let mut r = report();
        r.periodic.as_mut().unwrap().number = Some("<svg onload=x>".into());
        let p = r.periodic.clone().unwrap();
        let h = render(&r, &p, Lang::Vi);
        assert!(!h.contains("<svg"), "{h}");
        assert!(h.contains("Số &lt;svg onload=x&gt;-BC/ĐU"));
        assert!(h.contains("số &lt;svg onload=x&gt;-BC/ĐU"));
    }
}
