//! WordprocessingML as text: paragraphs and runs, and the fixed parts of
//! the package (content types, relationships, styles, settings, the header
//! with the page number).

use std::fmt::Write as _;

/// A run's look. `size` in half-points, 0 for the body size.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Font {
    bold: bool,
    italic: bool,
    underline: bool,
    size: u32,
}

impl Font {
    pub(super) fn plain() -> Font {
        Font::default()
    }
    pub(super) fn bold() -> Font {
        Font {
            bold: true,
            ..Font::default()
        }
    }
    pub(super) fn italic() -> Font {
        Font {
            italic: true,
            ..Font::default()
        }
    }
    pub(super) fn italic_too(mut self) -> Font {
        self.italic = true;
        self
    }
    pub(super) fn underline(mut self) -> Font {
        self.underline = true;
        self
    }
    pub(super) fn size(mut self, half_points: u32) -> Font {
        self.size = half_points;
        self
    }
}

/// A paragraph's layout; spacing in points.
#[derive(Debug, Clone, Copy)]
pub(super) struct Para {
    jc: &'static str,
    before: u32,
    after: u32,
    first_line: u32,
    keep_next: bool,
    page_break: bool,
}

impl Para {
    pub(super) fn aligned(jc: &'static str) -> Para {
        Para {
            jc,
            before: 0,
            after: 0,
            first_line: 0,
            keep_next: false,
            page_break: false,
        }
    }
    pub(super) fn left() -> Para {
        Para::aligned("left")
    }
    pub(super) fn center() -> Para {
        Para::aligned("center")
    }
    pub(super) fn right() -> Para {
        Para::aligned("right")
    }
    pub(super) fn justified() -> Para {
        Para::aligned("both")
    }
    pub(super) fn before(mut self, pt: u32) -> Para {
        self.before = pt;
        self
    }
    pub(super) fn after(mut self, pt: u32) -> Para {
        self.after = pt;
        self
    }
    /// First-line indent in twips.
    pub(super) fn first_line(mut self, twips: u32) -> Para {
        self.first_line = twips;
        self
    }
    /// Starts a new page when `yes`.
    pub(super) fn page_break(mut self, yes: bool) -> Para {
        self.page_break = yes;
        self
    }
    pub(super) fn keep_next(mut self) -> Para {
        self.keep_next = true;
        self
    }
}

pub(super) fn para(x: &mut String, p: Para, runs: &[(&str, Font)]) {
    x.push_str("<w:p><w:pPr>");
    if p.keep_next {
        x.push_str("<w:keepNext/>");
    }
    if p.page_break {
        x.push_str("<w:pageBreakBefore/>");
    }
    let _ = write!(
        x,
        "<w:spacing w:before=\"{}\" w:after=\"{}\"/>",
        p.before * 20,
        p.after * 20
    );
    if p.first_line > 0 {
        let _ = write!(x, "<w:ind w:firstLine=\"{}\"/>", p.first_line);
    }
    let _ = write!(x, "<w:jc w:val=\"{}\"/>", p.jc);
    // the paragraph mark takes the size of its text, so that an empty line
    // is as tall as a line of it
    if let Some((_, f)) = runs.first()
        && f.size > 0
    {
        let _ = write!(
            x,
            "<w:rPr><w:sz w:val=\"{0}\"/><w:szCs w:val=\"{0}\"/></w:rPr>",
            f.size
        );
    }
    x.push_str("</w:pPr>");
    for (text, f) in runs {
        run(x, text, *f);
    }
    x.push_str("</w:p>");
}

/// One run of text, its line breaks and tabs as Word's.
fn run(x: &mut String, text: &str, f: Font) {
    if text.is_empty() {
        return;
    }
    x.push_str("<w:r><w:rPr>");
    if f.bold {
        x.push_str("<w:b/><w:bCs/>");
    }
    if f.italic {
        x.push_str("<w:i/><w:iCs/>");
    }
    if f.size > 0 {
        let _ = write!(x, "<w:sz w:val=\"{0}\"/><w:szCs w:val=\"{0}\"/>", f.size);
    }
    if f.underline {
        x.push_str("<w:u w:val=\"single\"/>");
    }
    x.push_str("</w:rPr>");
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            x.push_str("<w:br/>");
        }
        for (j, part) in line.split('\t').enumerate() {
            if j > 0 {
                x.push_str("<w:tab/>");
            }
            let _ = write!(x, "<w:t xml:space=\"preserve\">{}</w:t>", escape(part));
        }
    }
    x.push_str("</w:r>");
}

/// Text as XML character data: markup escaped, characters XML 1.0 cannot
/// hold (control characters, stray carriage returns) dropped.
pub(super) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' | '\t' => out.push(' '),
            c if allowed_in_xml(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// XML 1.0's Char production, less the line ends (a run breaks lines itself).
fn allowed_in_xml(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

pub(super) fn core_properties(title: &str) -> String {
    let t = escape(title);
    format!(
        "{DECL}<cp:coreProperties \
         xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\
         <dc:title>{t}</dc:title><dc:language>vi-VN</dc:language><dc:creator>hiendat</dc:creator>\
         </cp:coreProperties>"
    )
}

pub(super) const DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
pub(super) const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
pub(super) const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

pub(super) const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>\
<Override PartName=\"/word/header1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
</Types>";

pub(super) const PACKAGE_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
</Relationships>";

pub(super) const DOCUMENT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
<Relationship Id=\"rIdSettings\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/>\
<Relationship Id=\"rIdHeader\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/header\" Target=\"header1.xml\"/>\
</Relationships>";

/// Times New Roman 14 pt everywhere, Vietnamese, single spacing.
pub(super) const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:docDefaults><w:rPrDefault><w:rPr>\
<w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"Times New Roman\" w:cs=\"Times New Roman\"/>\
<w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/><w:lang w:val=\"vi-VN\" w:eastAsia=\"vi-VN\" w:bidi=\"ar-SA\"/>\
</w:rPr></w:rPrDefault>\
<w:pPrDefault><w:pPr><w:spacing w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault>\
</w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>\
<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/>\
<w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/>\
<w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Header\"><w:name w:val=\"header\"/><w:basedOn w:val=\"Normal\"/></w:style>\
</w:styles>";

pub(super) const SETTINGS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:zoom w:percent=\"100\"/><w:defaultTabStop w:val=\"720\"/>\
<w:characterSpacingControl w:val=\"doNotCompress\"/>\
<w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat>\
</w:settings>";

/// The page number, centred at the top, 13 pt.
pub(super) const HEADER: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:hdr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:p><w:pPr><w:pStyle w:val=\"Header\"/><w:jc w:val=\"center\"/></w:pPr>\
<w:fldSimple w:instr=\" PAGE \"><w:r><w:rPr><w:sz w:val=\"26\"/><w:szCs w:val=\"26\"/></w:rPr><w:t>2</w:t></w:r></w:fldSimple>\
</w:p></w:hdr>";
