//! A report as a Word document (.docx) the office can edit further: A4,
//! Times New Roman, the margins of the Party's format (top and bottom 20 mm,
//! left 30 mm, right 15 mm), page numbers at the top from the second page.
//! A periodic report ([`Periodic`]) prints its letterhead, narrative,
//! appendix tables, recipients and signature; any other report its issuer,
//! title and tables, as the A4 HTML page does. Vietnamese only, like the
//! official print. A table wider than [`LANDSCAPE`] columns gets its own
//! landscape section.
//!
//! Written as WordprocessingML directly rather than with the docx-rs crate:
//! docx-rs 0.4 cannot mark a table's header row to repeat on each page
//! (`w:tblHeader`), which a long appendix needs. Deterministic: the same
//! report gives the same bytes.

mod table;
mod xml;

use super::{Periodic, Report, Sheet, date_vi, long_date, place, roman};
use std::fmt::Write as _;
use std::io::Write as _;
use table::{data_table, layout_table};
use xml::{Font, Para, para};

/// Tables with more columns than this (TT not counted) are set on A4
/// landscape pages: portrait would squeeze them unreadably.
pub const LANDSCAPE: usize = 8;

/// `v` millimetres in twips (twentieths of a point), Word's unit of length.
fn mm(v: u32) -> u32 {
    (f64::from(v) * 1440.0 / 25.4).round() as u32
}

/// A4 in twips.
const A4_SHORT: u32 = 11906;
const A4_LONG: u32 = 16838;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Orient {
    Portrait,
    Landscape,
}

impl Orient {
    /// Top, right, bottom, left margins in mm. Landscape pages keep the
    /// binding edge (30 mm) where it is on the portrait pages they are bound
    /// with: their top.
    fn margins(self) -> [u32; 4] {
        match self {
            Orient::Portrait => [20, 15, 20, 30],
            Orient::Landscape => [30, 20, 15, 20],
        }
    }

    /// The width between the margins, in twips.
    fn text_width(self) -> u32 {
        let [_, right, _, left] = self.margins();
        let page = match self {
            Orient::Portrait => A4_SHORT,
            Orient::Landscape => A4_LONG,
        };
        page - mm(right) - mm(left)
    }

    fn of(sheet: &Sheet) -> Orient {
        if sheet.columns.len() > LANDSCAPE {
            Orient::Landscape
        } else {
            Orient::Portrait
        }
    }
}

/// The report as the bytes of a .docx file.
pub fn write(report: &Report) -> Result<Vec<u8>, zip::result::ZipError> {
    let document = document(report);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let core = xml::core_properties(&report.title);
    let parts: [(&str, &str); 8] = [
        ("[Content_Types].xml", xml::CONTENT_TYPES),
        ("_rels/.rels", xml::PACKAGE_RELS),
        ("docProps/core.xml", &core),
        ("word/_rels/document.xml.rels", xml::DOCUMENT_RELS),
        ("word/document.xml", &document),
        ("word/styles.xml", xml::STYLES),
        ("word/settings.xml", xml::SETTINGS),
        ("word/header1.xml", xml::HEADER),
    ];
    for (name, xml) in parts {
        zip.start_file(name, opts)?;
        zip.write_all(xml.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

/// `word/document.xml`.
fn document(r: &Report) -> String {
    // The letterhead and the narrative are portrait; a report without them
    // starts in the orientation of its first table, so that its title is not
    // left alone on a portrait page.
    let first = match (&r.periodic, r.sheets.first()) {
        (None, Some(s)) => Orient::of(s),
        _ => Orient::Portrait,
    };
    let mut b = Body::new(first);
    match &r.periodic {
        Some(p) => periodic(&mut b, r, p),
        None => plain(&mut b, r),
    }
    let mut x = b.finish();
    x.push_str("</w:body></w:document>");
    x
}

/// The body as it is written, section by section.
struct Body {
    xml: String,
    orient: Orient,
    first_section: bool,
}

impl Body {
    fn new(orient: Orient) -> Body {
        let mut xml = String::with_capacity(64 * 1024);
        let _ = write!(
            xml,
            "{}<w:document xmlns:w=\"{}\" xmlns:r=\"{}\"><w:body>",
            xml::DECL,
            xml::W_NS,
            xml::R_NS
        );
        Body {
            xml,
            orient,
            first_section: true,
        }
    }

    /// What follows is set in `o`: a new section (on a new page) when the
    /// orientation changes.
    fn turn(&mut self, o: Orient) {
        if o != self.orient {
            self.xml.push_str("<w:p><w:pPr>");
            sect_pr(&mut self.xml, self.orient, self.first_section);
            self.xml.push_str("</w:pPr></w:p>");
            self.first_section = false;
            self.orient = o;
        }
    }

    fn width(&self) -> u32 {
        self.orient.text_width()
    }

    fn p(&mut self, p: Para, runs: &[(&str, Font)]) {
        para(&mut self.xml, p, runs);
    }

    fn finish(mut self) -> String {
        let (orient, first) = (self.orient, self.first_section);
        sect_pr(&mut self.xml, orient, first);
        self.xml
    }
}

/// The periodic report: letterhead, title, narrative, notes, recipients and
/// signature, then the appendices.
fn periodic(b: &mut Body, r: &Report, p: &Periodic) {
    let number = match p.number.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => format!("Số {n}-BC/ĐU"),
        _ => "Số     -BC/ĐU".to_string(),
    };
    let date = r.issued_on.unwrap_or(r.as_of);
    let at = match p.place.trim() {
        "" => place(&r.ward),
        given => given,
    };
    let dateline = format!("{at}, {}", long_date(date));
    letterhead(b, &p.superior, &p.committee, &number, &dateline);
    title(b, r);
    for s in &p.sections {
        b.p(
            Para::left().before(12).after(6).keep_next(),
            &[(&s.heading, Font::bold())],
        );
        for text in &s.paragraphs {
            b.p(
                Para::justified().after(6).first_line(mm(10)),
                &[(text, Font::plain())],
            );
        }
    }
    notes(b, &r.notes);
    let right = [
        (p.on_behalf.as_str(), Font::bold()),
        (p.signer_title.as_str(), Font::bold()),
    ];
    ending(b, &p.recipients, &right, p.signer_name.as_deref());
    // Appendices follow the signature, as the Party's documents attach them
    // and as the A4 print (html_party) sets them: each "PHỤ LỤC n", with
    // the report it goes with.
    let reference = format!(
        "(Kèm theo Báo cáo {}, ngày {} của Ban Thường vụ {})",
        number.replacen("Số", "số", 1),
        date_vi(date),
        r.committee
    );
    for (i, sheet) in r.sheets.iter().enumerate() {
        let o = Orient::of(sheet);
        let new_page = o == b.orient;
        b.turn(o);
        b.p(
            Para::center().after(0).keep_next().page_break(new_page),
            &[(&format!("PHỤ LỤC {}", i + 1), Font::bold())],
        );
        b.p(
            Para::center().after(0).keep_next(),
            &[(&sheet.title, Font::bold())],
        );
        b.p(
            Para::center().after(6).keep_next(),
            &[(&reference, Font::italic().size(24))],
        );
        let w = b.width();
        data_table(&mut b.xml, sheet, w);
    }
    if !r.sheets.is_empty() {
        // Word ends a body with a paragraph, never a table
        b.p(Para::left(), &[("", Font::plain().size(2))]);
    }
}

/// Any other report: issuer, title, its tables numbered I, II…, notes, and
/// the same ending as the A4 page.
fn plain(b: &mut Body, r: &Report) {
    let date = r.issued_on.unwrap_or(r.as_of);
    let dateline = format!("{}, {}", place(&r.ward), long_date(date));
    letterhead(
        b,
        "",
        &r.committee.to_uppercase(),
        "Số: ……/BC-ĐU",
        &dateline,
    );
    title(b, r);
    if let Some(d) = r.issued_on {
        b.p(
            Para::center().before(6),
            &[(
                &format!("Báo cáo đã chốt ngày {} — không sửa đổi", date_vi(d)),
                Font::italic().size(22),
            )],
        );
    }
    for (i, sheet) in r.sheets.iter().enumerate() {
        b.turn(Orient::of(sheet));
        table_section(b, &format!("{}. {}", roman(i + 1), sheet.title), sheet);
    }
    notes(b, &r.notes);
    let recipients = [
        "Ban Thường vụ Đảng ủy;".to_string(),
        "Các chi bộ;".to_string(),
        "Lưu VP.".to_string(),
    ];
    let right = [
        ("T/M ĐẢNG ỦY", Font::bold()),
        ("(Ký, ghi rõ họ tên)", Font::italic()),
    ];
    ending(b, &recipients, &right, None);
}

/// Left the superior and the issuing committee, "*" and the number; right
/// the Party's name and the place and date: a borderless table.
fn letterhead(b: &mut Body, superior: &str, committee: &str, number: &str, dateline: &str) {
    let w = b.width();
    let left = w / 2;
    let mut l = String::new();
    if !superior.trim().is_empty() {
        para(&mut l, Para::center(), &[(superior, Font::plain())]);
    }
    para(&mut l, Para::center(), &[(committee, Font::bold())]);
    para(&mut l, Para::center(), &[("*", Font::plain())]);
    para(&mut l, Para::center(), &[(number, Font::plain())]);
    let mut rt = String::new();
    para(
        &mut rt,
        Para::center(),
        &[("ĐẢNG CỘNG SẢN VIỆT NAM", Font::bold().underline().size(30))],
    );
    if !superior.trim().is_empty() {
        // the dateline faces the number, one line lower than the committee
        para(&mut rt, Para::center(), &[("", Font::plain())]);
    }
    para(
        &mut rt,
        Para::center().before(6),
        &[(dateline, Font::italic())],
    );
    layout_table(&mut b.xml, &[(left, l), (w - left, rt)]);
}

fn title(b: &mut Body, r: &Report) {
    b.p(
        Para::center().before(18),
        &[("BÁO CÁO", Font::bold().size(32))],
    );
    b.p(Para::center(), &[(&r.title, Font::bold())]);
    b.p(
        Para::center().after(12),
        &[(&r.date_line(), Font::italic())],
    );
}

/// A sheet's heading and its table.
fn table_section(b: &mut Body, heading: &str, sheet: &Sheet) {
    b.p(
        Para::left().before(12).after(6).keep_next(),
        &[(heading, Font::bold())],
    );
    let w = b.width();
    data_table(&mut b.xml, sheet, w);
}

fn notes(b: &mut Body, notes: &[String]) {
    if notes.is_empty() {
        return;
    }
    b.p(
        Para::left().before(12).keep_next(),
        &[("Ghi chú:", Font::bold().size(24))],
    );
    for n in notes {
        b.p(
            Para::justified(),
            &[(&format!("- {}", vietnamese(n)), Font::italic().size(24))],
        );
    }
}

/// The Vietnamese of a "tiếng Việt / English" line: the text before the
/// last " / " when all that follows it is ASCII (the English); any other
/// line as it is.
fn vietnamese(line: &str) -> &str {
    match line.rsplit_once(" / ") {
        Some((vi, en)) if en.is_ascii() && !vi.is_ascii() => vi.trim_end(),
        _ => line,
    }
}

/// Recipients bottom left ("Nơi nhận:", one line each), the signature
/// bottom right: on whose behalf, the signer's office, room to sign, name.
fn ending(b: &mut Body, recipients: &[String], right: &[(&str, Font)], name: Option<&str>) {
    let w = b.width();
    let left = w * 9 / 20;
    let mut l = String::new();
    para(
        &mut l,
        Para::left(),
        &[("Nơi nhận:", Font::bold().italic_too().size(24))],
    );
    for line in recipients {
        let line = line.trim();
        let text = if line.starts_with('-') {
            line.to_string()
        } else {
            format!("- {line}")
        };
        para(&mut l, Para::left(), &[(&text, Font::plain().size(22))]);
    }
    let mut rt = String::new();
    for (text, font) in right {
        para(&mut rt, Para::center(), &[(text, *font)]);
    }
    for _ in 0..4 {
        para(&mut rt, Para::center(), &[("", Font::plain())]);
    }
    para(
        &mut rt,
        Para::center(),
        &[(name.unwrap_or(""), Font::bold())],
    );
    b.p(Para::left().before(12).keep_next(), &[("", Font::plain())]);
    layout_table(&mut b.xml, &[(left, l), (w - left, rt)]);
    // Word ends a body with a paragraph, never a table
    b.p(Para::left(), &[("", Font::plain().size(2))]);
}

/// A section's page: A4 in `o` with its margins; the page number at the top
/// (header1.xml), except on the document's first page.
fn sect_pr(x: &mut String, o: Orient, first: bool) {
    x.push_str("<w:sectPr><w:headerReference w:type=\"default\" r:id=\"rIdHeader\"/>");
    x.push_str("<w:type w:val=\"nextPage\"/>");
    match o {
        Orient::Portrait => {
            let _ = write!(x, "<w:pgSz w:w=\"{A4_SHORT}\" w:h=\"{A4_LONG}\"/>");
        }
        Orient::Landscape => {
            let _ = write!(
                x,
                "<w:pgSz w:w=\"{A4_LONG}\" w:h=\"{A4_SHORT}\" w:orient=\"landscape\"/>"
            );
        }
    }
    let [top, right, bottom, left] = o.margins().map(mm);
    let _ = write!(
        x,
        "<w:pgMar w:top=\"{top}\" w:right=\"{right}\" w:bottom=\"{bottom}\" w:left=\"{left}\" \
         w:header=\"{}\" w:footer=\"{}\" w:gutter=\"0\"/>",
        mm(10),
        mm(10)
    );
    if first {
        x.push_str("<w:pgNumType w:start=\"1\"/>");
    }
    x.push_str("<w:cols w:space=\"708\"/>");
    if first {
        x.push_str("<w:titlePg/>");
    }
    x.push_str("</w:sectPr>");
}

#[cfg(test)]
mod tests;
