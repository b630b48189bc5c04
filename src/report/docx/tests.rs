//! Each document is read back twice: with docx-rs's reader (a parser that is
//! not ours) for its text, and its `word/document.xml` and `word/styles.xml`
//! unzipped for the page set-up and the fonts.

use super::*;
use crate::report::{Cell, Column, Kind, Section};
use chrono::NaiveDate;
use serde_json::Value;
use std::io::Read;

fn date(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

fn col(key: &str, vi: &str, en: &str, kind: Kind) -> Column {
    Column {
        key: key.into(),
        vi: vi.into(),
        en: en.into(),
        kind,
    }
}

/// A sheet of `extra` more count columns after the usual seven.
fn sheet(key: &str, title: &str, extra: usize) -> Sheet {
    let mut columns = vec![
        col("group", "Tổ dân phố", "Residential group", Kind::Text),
        col("households", "Số hộ", "Households", Kind::Count),
        col("area_m2", "Diện tích (m²)", "Area (m²)", Kind::Area),
        col("frontage_m", "Mặt tiền (m)", "Frontage (m)", Kind::Length),
        col("share", "Tỷ lệ", "Share", Kind::Percent),
        col("value_vnd", "Giá trị (đồng)", "Value (VND)", Kind::Money),
        col("on", "Ngày bàn giao", "Handed over on", Kind::Date),
    ];
    let mut row: Vec<Cell> = vec![
        "Tổ dân phố số 5".into(),
        1234.0.into(),
        1234.5.into(),
        (-12.345).into(),
        0.4523.into(),
        1_500_000.0.into(),
        date(11, 28).into(),
    ];
    for i in 0..extra {
        columns.push(col(
            &format!("x{i}"),
            &format!("Cột {i}"),
            "Extra",
            Kind::Count,
        ));
        row.push((i as f64).into());
    }
    Sheet {
        key: key.into(),
        name: title.into(),
        title: title.into(),
        columns,
        rows: vec![row, vec!["Tổ 6".into(), 0.0.into()]],
        total: Some(vec![Cell::Empty, 1234.0.into(), 1234.5.into()]),
    }
}

fn plain_report() -> Report {
    Report {
        ward: "Phường Ngọc Sơn".into(),
        committee: "Đảng ủy phường Ngọc Sơn".into(),
        title: "Báo cáo tiến độ hiến đất mở rộng đường theo tổ dân phố".into(),
        title_en: "Progress of land donation by residential group".into(),
        as_of: date(11, 28),
        from: None,
        issued_on: None,
        sheets: vec![sheet("group", "Theo tổ dân phố", 0)],
        notes: vec![
            "Diện tích tính theo VN-2000. / Areas measured in VN-2000.".into(),
            "Tổ 5 / Tổ 6 gộp".into(),
        ],
        periodic: None,
    }
}

fn periodic_report() -> Report {
    let mut r = plain_report();
    r.title = "Kết quả vận động nhân dân hiến đất mở rộng đường".into();
    r.from = Some(date(11, 1));
    r.issued_on = Some(date(12, 5));
    r.sheets = vec![
        sheet("group", "Theo tổ dân phố", 0),
        sheet("segment", "Theo đoạn tuyến", 3),
        sheet("cell", "Theo chi bộ", 1),
    ];
    r.periodic = Some(Periodic {
        superior: "ĐẢNG BỘ TỈNH THANH HÓA".into(),
        committee: "ĐẢNG ỦY PHƯỜNG NGỌC SƠN".into(),
        number: Some("12".into()),
        place: "Ngọc Sơn".into(),
        sections: vec![
            Section {
                heading: "I. TÌNH HÌNH CHUNG".into(),
                paragraphs: vec![
                    "Thực hiện Nghị quyết của Đảng ủy, các chi bộ đã vận động nhân dân.".into(),
                    "Đảng viên đi trước, làng nước theo sau.".into(),
                ],
            },
            Section {
                heading: "II. KẾT QUẢ".into(),
                paragraphs: vec!["Đã bàn giao 1.234,5 m² mặt bằng.".into()],
            },
        ],
        recipients: vec![
            "Ban Thường vụ Tỉnh ủy (để b/c)".into(),
            "Các chi bộ;".into(),
            "- Lưu VP.".into(),
        ],
        on_behalf: "T/M BAN THƯỜNG VỤ".into(),
        signer_title: "BÍ THƯ".into(),
        signer_name: Some("Nguyễn Văn An".into()),
    });
    r
}

/// The text of every paragraph, in order (table cells one paragraph each),
/// as docx-rs reads it.
fn lines(bytes: &[u8]) -> Vec<String> {
    let docx = docx_rs::read_docx(bytes).expect("docx-rs reads the file");
    let json: Value = serde_json::from_str(&docx.json()).unwrap();
    let mut out = Vec::new();
    paragraphs(&json["document"], &mut out);
    out
}

fn paragraphs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) if m.get("type").and_then(Value::as_str) == Some("paragraph") => {
            let mut s = String::new();
            texts(&m["data"]["children"], &mut s);
            out.push(s);
        }
        Value::Object(m) => m.values().for_each(|v| paragraphs(v, out)),
        Value::Array(a) => a.iter().for_each(|v| paragraphs(v, out)),
        _ => {}
    }
}

fn texts(v: &Value, s: &mut String) {
    match v {
        Value::Object(m) => {
            if m.get("type").and_then(Value::as_str) == Some("text") {
                s.push_str(m["data"]["text"].as_str().unwrap_or(""));
            } else {
                m.values().for_each(|v| texts(v, s));
            }
        }
        Value::Array(a) => a.iter().for_each(|v| texts(v, s)),
        _ => {}
    }
}

/// The tables as docx-rs reads them: rows of cell texts.
fn tables(bytes: &[u8]) -> Vec<Vec<Vec<String>>> {
    let docx = docx_rs::read_docx(bytes).unwrap();
    let json: Value = serde_json::from_str(&docx.json()).unwrap();
    let mut out = Vec::new();
    for child in json["document"]["children"].as_array().unwrap() {
        if child["type"] == "table" {
            let rows = child["data"]["rows"].as_array().unwrap();
            out.push(
                rows.iter()
                    .map(|r| {
                        r["data"]["cells"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|c| {
                                let mut s = String::new();
                                texts(&c["data"]["children"], &mut s);
                                s
                            })
                            .collect()
                    })
                    .collect(),
            );
        }
    }
    out
}

fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// Where `want` first appears at or after `from`: panics naming it if it
/// does not.
fn find(lines: &[String], want: &str, from: usize) -> usize {
    lines[from..]
        .iter()
        .position(|l| l == want)
        .map(|i| i + from)
        .unwrap_or_else(|| panic!("{want:?} not found after line {from} in {lines:#?}"))
}

/// The orientation of each section in order, from the `w:pgSz` of each
/// `w:sectPr`, and the text that precedes each section's end.
fn sections(xml: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find("<w:sectPr>") {
        let end = rest[i..].find("</w:sectPr>").unwrap() + i;
        let landscape = rest[i..end].contains("w:orient=\"landscape\"");
        out.push((landscape, rest[..i].to_string()));
        rest = &rest[end..];
    }
    out
}

#[test]
fn a_periodic_report_reads_back_in_the_partys_order() {
    let bytes = write(&periodic_report()).unwrap();
    let l = lines(&bytes);
    let mut at = 0;
    for want in [
        "ĐẢNG BỘ TỈNH THANH HÓA",
        "ĐẢNG ỦY PHƯỜNG NGỌC SƠN",
        "*",
        "Số 12-BC/ĐU",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        // issued on 5 December: the dateline's date, not the period's end
        "Ngọc Sơn, ngày 05 tháng 12 năm 2026",
        "BÁO CÁO",
        "Kết quả vận động nhân dân hiến đất mở rộng đường",
        "Từ ngày 01/11/2026 đến ngày 28/11/2026",
        "I. TÌNH HÌNH CHUNG",
        "Thực hiện Nghị quyết của Đảng ủy, các chi bộ đã vận động nhân dân.",
        "Đảng viên đi trước, làng nước theo sau.",
        "II. KẾT QUẢ",
        "Ghi chú:",
        "- Diện tích tính theo VN-2000.",
        // not English after the slash: kept whole
        "- Tổ 5 / Tổ 6 gộp",
        "Nơi nhận:",
        "- Ban Thường vụ Tỉnh ủy (để b/c)",
        "- Các chi bộ;",
        "- Lưu VP.",
        "T/M BAN THƯỜNG VỤ",
        "BÍ THƯ",
        "Nguyễn Văn An",
        // the appendices after the signature, as the A4 print sets them
        "PHỤ LỤC 1",
        "Theo tổ dân phố",
        "(Kèm theo Báo cáo số 12-BC/ĐU, ngày 05/12/2026 của Ban Thường vụ Đảng ủy phường Ngọc Sơn)",
        "PHỤ LỤC 2",
        "Theo đoạn tuyến",
        "PHỤ LỤC 3",
        "Theo chi bộ",
    ] {
        at = find(&l, want, at);
    }
    // Vietnamese only: no English title, column header or "Total"
    for english in [
        "Progress of land",
        "Households",
        "Total",
        "Notes",
        "Areas measured",
    ] {
        assert!(
            !l.iter().any(|s| s.contains(english)),
            "{english:?} in {l:#?}"
        );
    }
}

#[test]
fn the_tables_show_vietnamese_numbers_right_aligned_and_bold_totals() {
    let bytes = write(&periodic_report()).unwrap();
    let t = tables(&bytes);
    // letterhead, recipients and signature, then the three sheets
    assert_eq!(t.len(), 5, "{t:#?}");
    let group = &t[2];
    assert_eq!(
        group[0],
        [
            "TT",
            "Tổ dân phố",
            "Số hộ",
            "Diện tích (m²)",
            "Mặt tiền (m)",
            "Tỷ lệ",
            "Giá trị (đồng)",
            "Ngày bàn giao"
        ]
    );
    assert_eq!(
        group[1],
        [
            "1",
            "Tổ dân phố số 5",
            "1.234",
            "1.234,5",
            "-12,35",
            "45,2 %",
            "1.500.000",
            "28/11/2026"
        ]
    );
    // a short row is padded with blanks
    assert_eq!(group[2], ["2", "Tổ 6", "0", "", "", "", "", ""]);
    // "Tổng cộng" spans TT and the first column
    assert_eq!(group[3], ["Tổng cộng", "1.234", "1.234,5", "", "", "", ""]);

    let xml = part(&bytes, "word/document.xml");
    let para_of = |text: &str| {
        let at = xml.find(&format!(">{text}</w:t>")).unwrap();
        let start = xml[..at].rfind("<w:p>").unwrap();
        xml[start..at].to_string()
    };
    assert!(para_of("1.234,5").contains("<w:jc w:val=\"right\"/>"));
    assert!(para_of("Tổ dân phố số 5").contains("<w:jc w:val=\"left\"/>"));
    assert!(para_of("Tổng cộng").contains("<w:b/>"));
    assert!(!para_of("Tổ dân phố số 5").contains("<w:b/>"));
    // the header row of each sheet repeats on every page, and no other row
    assert_eq!(xml.matches("<w:tblHeader/>").count(), 3);
    for table in xml.split("<w:tbl>").skip(1) {
        let first_row = table.split("</w:tr>").next().unwrap();
        assert_eq!(
            first_row.contains("<w:tblHeader/>"),
            first_row.contains(">TT</w:t>")
        );
    }
}

#[test]
fn wide_tables_are_set_on_landscape_sections() {
    let bytes = write(&periodic_report()).unwrap();
    let xml = part(&bytes, "word/document.xml");
    let s = sections(&xml);
    // group (7 columns): portrait with the narrative; segment (10): landscape;
    // cell (8): portrait again, to the end
    let orient: Vec<bool> = s.iter().map(|(l, _)| *l).collect();
    assert_eq!(orient, [false, true, false], "{xml}");
    assert!(s[0].1.contains(">Nơi nhận:<"));
    assert!(s[0].1.contains(">PHỤ LỤC 1<"));
    assert!(!s[0].1.contains(">PHỤ LỤC 2<"));
    assert!(s[1].1.contains(">PHỤ LỤC 2<"));
    assert!(!s[1].1.contains(">PHỤ LỤC 3<"));
    assert!(s[2].1.contains(">PHỤ LỤC 3<"));
    // landscape A4 is 297 mm wide, portrait 210
    assert!(xml.contains("<w:pgSz w:w=\"16838\" w:h=\"11906\" w:orient=\"landscape\"/>"));
    assert!(xml.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"));
    // the appendix starts on a new page when no section break makes one
    assert!(xml.contains("<w:pageBreakBefore/><w:spacing w:before=\"0\" w:after=\"0\"/><w:jc w:val=\"center\"/></w:pPr><w:r><w:rPr><w:b/><w:bCs/></w:rPr><w:t xml:space=\"preserve\">PHỤ LỤC 1</w:t>"));
}

#[test]
fn times_new_roman_14_on_the_partys_margins() {
    let bytes = write(&periodic_report()).unwrap();
    let styles = part(&bytes, "word/styles.xml");
    assert!(styles.contains("w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\""));
    assert!(styles.contains("<w:sz w:val=\"28\"/>"));
    assert!(styles.contains("<w:lang w:val=\"vi-VN\""));
    let xml = part(&bytes, "word/document.xml");
    // portrait: top 20 mm, right 15, bottom 20, left 30 (in twips)
    assert!(
        xml.contains("<w:pgMar w:top=\"1134\" w:right=\"850\" w:bottom=\"1134\" w:left=\"1701\"")
    );
    // landscape: the 30 mm binding edge at the top
    assert!(
        xml.contains("<w:pgMar w:top=\"1701\" w:right=\"1134\" w:bottom=\"850\" w:left=\"1134\"")
    );
    // the narrative: justified, first line indented 10 mm
    let at = xml.find(">Đảng viên đi trước").unwrap();
    let p = &xml[xml[..at].rfind("<w:p>").unwrap()..at];
    assert!(p.contains("<w:ind w:firstLine=\"567\"/><w:jc w:val=\"both\"/>"));
    // the page number at the top of every page but the first
    assert!(part(&bytes, "word/header1.xml").contains("w:instr=\" PAGE \""));
    assert_eq!(xml.matches("<w:titlePg/>").count(), 1);
}

#[test]
fn a_number_not_yet_given_leaves_room_to_write_it() {
    let mut r = periodic_report();
    let p = r.periodic.as_mut().unwrap();
    p.number = None;
    p.signer_name = None;
    // no place given: the ward's
    p.place = " ".into();
    r.issued_on = None;
    let l = lines(&write(&r).unwrap());
    assert!(l.contains(&"Số     -BC/ĐU".to_string()), "{l:#?}");
    // not issued yet: dated the day reported
    assert!(l.contains(&"Ngọc Sơn, ngày 28 tháng 11 năm 2026".to_string()));
    assert!(!l.iter().any(|s| s.contains("Nguyễn Văn An")));
    assert!(l.contains(&"BÍ THƯ".to_string()));
}

#[test]
fn any_other_report_prints_its_issuer_title_tables_and_notes() {
    let r = plain_report();
    let bytes = write(&r).unwrap();
    let l = lines(&bytes);
    let mut at = 0;
    for want in [
        "ĐẢNG ỦY PHƯỜNG NGỌC SƠN",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Ngọc Sơn, ngày 28 tháng 11 năm 2026",
        "BÁO CÁO",
        "Báo cáo tiến độ hiến đất mở rộng đường theo tổ dân phố",
        "Tính đến ngày 28/11/2026",
        "I. Theo tổ dân phố",
        "1.234,5",
        "Ghi chú:",
        "- Diện tích tính theo VN-2000.",
        "Nơi nhận:",
        "T/M ĐẢNG ỦY",
    ] {
        at = find(&l, want, at);
    }
    assert!(!l.iter().any(|s| s.contains("PHỤ LỤC")));
    assert!(!l.iter().any(|s| s.contains("Progress")));
    // a frozen one says so under its title
    let mut frozen = r.clone();
    frozen.issued_on = Some(date(12, 1));
    let l = lines(&write(&frozen).unwrap());
    assert!(l.contains(&"Báo cáo đã chốt ngày 01/12/2026 — không sửa đổi".to_string()));
    assert!(l.contains(&"Ngọc Sơn, ngày 01 tháng 12 năm 2026".to_string()));
}

#[test]
fn a_report_whose_first_table_is_wide_starts_landscape() {
    let mut r = plain_report();
    r.sheets = vec![sheet("segment", "Theo đoạn tuyến", 5)];
    let xml = part(&write(&r).unwrap(), "word/document.xml");
    let s = sections(&xml);
    // one section: the title is not left alone on a portrait page
    assert_eq!(s.len(), 1);
    assert!(s[0].0);
}

#[test]
fn an_empty_table_says_so_and_text_xml_cannot_hold_is_dropped() {
    let mut r = plain_report();
    r.sheets[0].rows = vec![vec!["Tổ <5> & \"Ngõ\"\u{1}\u{b}\nhai dòng".into()]];
    r.sheets.push(Sheet {
        rows: vec![],
        total: None,
        ..sheet("lagging", "Hộ chậm tiến độ", 0)
    });
    let bytes = write(&r).unwrap();
    let t = tables(&bytes);
    assert_eq!(t[1][1][1], "Tổ <5> & \"Ngõ\"hai dòng");
    assert_eq!(t[2][1], ["Không có số liệu"]);
    let xml = part(&bytes, "word/document.xml");
    assert!(xml.contains("Ngõ&quot;</w:t><w:br/><w:t xml:space=\"preserve\">hai dòng"));
}

#[test]
fn the_same_report_gives_the_same_bytes_and_a_docx_file_name() {
    use crate::report::format::{self, Format};
    let r = periodic_report();
    let f = Format::parse("DOCX").unwrap();
    let a = format::write(&r, f).unwrap();
    assert_eq!(a, format::write(&r, f).unwrap());
    assert_eq!(a, write(&r).unwrap());
    assert_eq!(
        format::file_name(&r, "dinh-ky", f),
        "bao-cao-dinh-ky-2026-11-01-2026-11-28.docx"
    );
    assert_eq!(
        f.media_type(&r),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let core = part(&a, "docProps/core.xml");
    assert!(core.contains("<dc:title>Kết quả vận động nhân dân hiến đất mở rộng đường</dc:title>"));
}

#[test]
fn a_wide_table_keeps_every_number_whole_and_fills_the_page() {
    let mut r = plain_report();
    let mut s = sheet("segment", "Theo đoạn tuyến", 13);
    for row in &mut s.rows {
        row.resize(20, Cell::Empty);
        for c in row.iter_mut().skip(7) {
            *c = 1_234_567.0.into();
        }
    }
    for c in &mut s.columns[7..] {
        c.kind = Kind::Money;
    }
    r.sheets = vec![s];
    let xml = part(&write(&r).unwrap(), "word/document.xml");
    let table = xml.split("<w:tbl>").nth(2).unwrap();
    let grid: Vec<u32> = table
        .split("<w:gridCol w:w=\"")
        .skip(1)
        .map(|g| g.split('"').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(grid.len(), 21);
    // landscape A4 less 20 mm each side
    assert_eq!(grid.iter().sum::<u32>(), Orient::Landscape.text_width());
    let size: u32 = table
        .split("<w:sz w:val=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(size < 26, "20 columns in a smaller type: {size}");
    // "1.234.567": seven digits of half an em and two stops, with the cell's
    // margins, in twips (an em is `size` × 10 twips)
    let least = ((7.0 * 0.5 + 2.0 * 0.3) * f64::from(size) * 10.0) as u32 + 114;
    for w in &grid[8..] {
        assert!(*w >= least, "{w} < {least} in {grid:?}");
    }
    // a short table in the large type
    let xml = part(&write(&plain_report()).unwrap(), "word/document.xml");
    let table = xml.split("<w:tbl>").nth(2).unwrap();
    assert!(table.contains("<w:sz w:val=\"24\"/>"), "7 columns: 12 pt");
}
