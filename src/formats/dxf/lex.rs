//! The reader's groundwork: group-code tags, text decoding, numbers, the
//! entity an error names.

use super::*;

/// Which DXF layers to read.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions<'a> {
    /// Only entities on DXF layers whose name starts with one of these
    /// (case-insensitive); empty = all.
    pub layer_prefixes: &'a [String],
}

/// One group code and its value.
#[derive(Clone, Copy)]
pub(super) struct Tag<'a> {
    pub(super) code: i32,
    pub(super) value: &'a [u8],
    /// 1-based line of the value.
    pub(super) line: usize,
}

/// Splits the file into tags.
pub(super) struct Lexer<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> Lexer<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        let start = if bytes.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        Lexer {
            bytes,
            pos: start,
            line: 0,
        }
    }

    fn next_line(&mut self) -> Option<&'a [u8]> {
        let rest = self.bytes.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        self.line += 1;
        let (line, adv) = match memchr::memchr(b'\n', rest) {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        self.pos += adv;
        Some(line.strip_suffix(b"\r").unwrap_or(line))
    }

    pub(super) fn next_tag(&mut self) -> Result<Option<Tag<'a>>, FormatError> {
        let Some(code_line) = self.next_line() else {
            return Ok(None);
        };
        // blank lines at the very end are not tags
        if code_line.trim_ascii().is_empty() && self.at_blank_end() {
            return Ok(None);
        }
        let code_line_no = self.line;
        let code: i32 = std::str::from_utf8(code_line.trim_ascii())
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| {
                FormatError::invalid(format!(
                    "dòng {code_line_no} của tệp DXF: mã nhóm «{}» không phải số nguyên / line {code_line_no} of the DXF file: group code «{}» is not an integer",
                    lossy_short(code_line),
                    lossy_short(code_line)
                ))
            })?;
        let Some(value) = self.next_line() else {
            return Err(truncated(
                &format!("sau mã nhóm {code} ở dòng {code_line_no}"),
                &format!("after group code {code} on line {code_line_no}"),
            ));
        };
        Ok(Some(Tag {
            code,
            value,
            line: self.line,
        }))
    }

    fn at_blank_end(&self) -> bool {
        self.bytes
            .get(self.pos..)
            .is_none_or(|r| r.trim_ascii().is_empty())
    }
}

pub(super) fn lossy_short(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    s.chars().take(40).collect()
}

pub(super) fn truncated(vi: &str, en: &str) -> FormatError {
    FormatError::invalid(format!(
        "tệp DXF bị cắt cụt ({vi}) / the DXF file is truncated ({en})"
    ))
}

/// How a ring relates to others, from hiendat's XDATA.
#[derive(Clone, PartialEq)]
pub(super) enum Link {
    None,
    /// A further polygon of the feature whose first entity has this handle.
    Part(String),
    /// A hole of the ring whose entity has this handle.
    Hole(String),
}

/// One closed shape found in the drawing.
pub(super) struct Shape {
    pub(super) handle: Option<String>,
    /// Index into the reader's layer names.
    pub(super) layer: usize,
    /// Exterior(s) then holes: for a hatch, its paths; else one ring.
    pub(super) rings: Vec<Vec<Pt>>,
    pub(super) xdata: Vec<(usize, String)>,
    pub(super) link: Link,
    pub(super) hatch: bool,
}

/// A label candidate.
pub(super) struct Label {
    pub(super) at: Pt,
    pub(super) text: String,
}

/// What the reader counts for its notes.
#[derive(Default)]
pub(super) struct Counts {
    pub(super) inserts: usize,
    pub(super) paper: usize,
    pub(super) other: usize,
    pub(super) bulges: usize,
    pub(super) splines: usize,
    pub(super) degenerate: usize,
    pub(super) duplicates: usize,
    pub(super) hatch_merged: usize,
    pub(super) texts_outside: usize,
    pub(super) texts_ambiguous: usize,
    pub(super) several_texts: usize,
    pub(super) converted: bool,
}

/// Text decoding per the drawing's code page.
pub(super) struct Decoder {
    pub(super) enc: Option<&'static encoding_rs::Encoding>,
    pub(super) codepage: String,
}

impl Decoder {
    /// Takes `$DWGCODEPAGE` (`ANSI_1258` → windows-1258).
    pub(super) fn set_codepage(&mut self, cp: &str) {
        let n = cp.trim().to_ascii_lowercase();
        let n = n.strip_prefix("ansi_").unwrap_or(&n);
        self.enc = encoding_rs::Encoding::for_label(format!("windows-{n}").as_bytes())
            .or_else(|| encoding_rs::Encoding::for_label(format!("cp{n}").as_bytes()));
        self.codepage = cp.trim().to_string();
    }

    /// R2007 and later are UTF-8 whatever their code page says.
    pub(super) fn set_utf8(&mut self) {
        self.enc = Some(encoding_rs::UTF_8);
        self.codepage = "UTF-8".into();
    }

    /// A raw value as text: UTF-8 when it is, else per `$DWGCODEPAGE`.
    pub(super) fn raw<'a>(&self, v: &'a [u8], counts: &mut Counts) -> Cow<'a, str> {
        match std::str::from_utf8(v) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => {
                counts.converted = true;
                let enc = self.enc.unwrap_or(encoding_rs::WINDOWS_1252);
                let (s, _, _) = enc.decode(v);
                s
            }
        }
    }

    /// A value as text with `\U+XXXX` escapes decoded.
    pub(super) fn text(&self, v: &[u8], counts: &mut Counts) -> String {
        decode_unicode_escapes(&self.raw(v, counts))
    }
}

/// Decodes AutoCAD's `\U+XXXX` escapes (surrogate pairs joined); the rest
/// as is.
pub(super) fn decode_unicode_escapes(s: &str) -> String {
    if !s.contains("\\U+") && !s.contains("\\u+") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut high: Option<u32> = None;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let hex = tail
            .get(1..3)
            .filter(|p| p.eq_ignore_ascii_case("U+"))
            .and_then(|_| tail.get(3..7))
            .and_then(|h| u32::from_str_radix(h, 16).ok());
        match hex {
            Some(u) => {
                if (0xD800..0xDC00).contains(&u) {
                    high = Some(u);
                } else if let (Some(h), true) = (high.take(), (0xDC00..0xE000).contains(&u)) {
                    let c = 0x10000 + ((h - 0xD800) << 10) + (u - 0xDC00);
                    out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                } else {
                    out.push(char::from_u32(u).unwrap_or('\u{FFFD}'));
                }
                rest = &tail[7..];
            }
            None => {
                out.push('\\');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `%%d`, `%%c`, `%%p` as their symbols, `%%%` as `%`, underline and
/// overline toggles dropped.
pub(super) fn decode_percent_codes(s: &str) -> String {
    if !s.contains("%%") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("%%") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 2..];
        let mut chars = tail.chars();
        match chars.next().map(|c| c.to_ascii_lowercase()) {
            Some('d') => out.push('°'),
            Some('c') => out.push('Ø'),
            Some('p') => out.push('±'),
            Some('%') => out.push('%'),
            Some('u') | Some('o') | Some('k') => {}
            Some(c) if c.is_ascii_digit() => {
                // %%nnn: a character by its code
                let digits: String = tail
                    .chars()
                    .take(3)
                    .take_while(char::is_ascii_digit)
                    .collect();
                if let Some(ch) = digits.parse::<u32>().ok().and_then(char::from_u32) {
                    out.push(ch);
                }
                rest = &tail[digits.len()..];
                continue;
            }
            Some(c) => {
                out.push_str("%%");
                out.push(c);
            }
            None => {
                out.push_str("%%");
                rest = "";
                continue;
            }
        }
        rest = chars.as_str();
    }
    out.push_str(rest);
    out
}

/// MTEXT contents without formatting: `\P` as a space, `{` `}` groups
/// opened, `\f…;`-style codes dropped, `\S a^b;` stacks as `a/b`.
pub(super) fn strip_mtext(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '{' | '}' => {}
            '\\' => match it.next() {
                Some('P') | Some('n') | Some('~') => out.push(' '),
                Some(c @ ('\\' | '{' | '}')) => out.push(c),
                Some('S') => {
                    for c in it.by_ref() {
                        match c {
                            ';' => break,
                            '^' | '#' => out.push('/'),
                            c => out.push(c),
                        }
                    }
                }
                Some(
                    'f' | 'F' | 'H' | 'h' | 'W' | 'w' | 'Q' | 'q' | 'T' | 't' | 'A' | 'a' | 'C'
                    | 'c' | 'p',
                ) => {
                    for c in it.by_ref() {
                        if c == ';' {
                            break;
                        }
                    }
                }
                Some('L' | 'l' | 'O' | 'o' | 'K' | 'k' | 'X') => {}
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    out
}

/// Parses a number tag; an error names the entity and the line.
pub(super) fn num(t: &Tag, what: &EntityRef) -> Result<f64, FormatError> {
    std::str::from_utf8(t.value)
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|x| x.is_finite())
        .ok_or_else(|| {
            FormatError::invalid(format!(
                "{} {}: giá trị «{}» của mã nhóm {} ở dòng {} không phải số / {} {}: value «{}» of group code {} on line {} is not a number",
                what.kind,
                what.vi(),
                lossy_short(t.value),
                t.code,
                t.line,
                what.kind,
                what.en(),
                lossy_short(t.value),
                t.code,
                t.line
            ))
        })
}

pub(super) fn int(t: &Tag, what: &EntityRef) -> Result<i64, FormatError> {
    std::str::from_utf8(t.value)
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .ok_or_else(|| {
            FormatError::invalid(format!(
                "{} {}: giá trị «{}» của mã nhóm {} ở dòng {} không phải số nguyên / {} {}: value «{}» of group code {} on line {} is not an integer",
                what.kind,
                what.vi(),
                lossy_short(t.value),
                t.code,
                t.line,
                what.kind,
                what.en(),
                lossy_short(t.value),
                t.code,
                t.line
            ))
        })
}

/// An entity as named in messages.
pub(super) struct EntityRef<'a> {
    pub(super) kind: &'a str,
    pub(super) handle: Option<&'a str>,
    pub(super) line: usize,
}

impl EntityRef<'_> {
    pub(super) fn vi(&self) -> String {
        match self.handle {
            Some(h) => format!("handle {h}"),
            None => format!("không có handle, dòng {}", self.line),
        }
    }
    pub(super) fn en(&self) -> String {
        match self.handle {
            Some(h) => format!("handle {h}"),
            None => format!("no handle, line {}", self.line),
        }
    }
}

/// The properties every entity has.
pub(super) struct Common<'a> {
    pub(super) handle: Option<&'a str>,
    pub(super) layer: &'a [u8],
    pub(super) paper: bool,
    /// Mirrored OCS (extrusion 0,0,-1): x is negated.
    pub(super) mirrored: bool,
    /// Index of the first XDATA tag.
    pub(super) xdata_at: usize,
}

pub(super) fn common<'a>(tags: &[Tag<'a>]) -> Common<'a> {
    let mut c = Common {
        handle: None,
        layer: b"0",
        paper: false,
        mirrored: false,
        xdata_at: tags.len(),
    };
    for (i, t) in tags.iter().enumerate() {
        match t.code {
            5 => c.handle = std::str::from_utf8(t.value).ok().map(str::trim),
            8 => c.layer = t.value,
            67 => c.paper = t.value.trim_ascii() == b"1",
            230 => {
                c.mirrored = std::str::from_utf8(t.value)
                    .ok()
                    .and_then(|s| s.trim().parse::<f64>().ok())
                    .is_some_and(|z| z < 0.0)
            }
            1001 => {
                c.xdata_at = i;
                break;
            }
            _ => {}
        }
    }
    c
}

/// Names interned in order of first sight (XDATA keys, DXF layers): one
/// allocation per distinct name, not per entity.
#[derive(Default)]
pub(super) struct Names {
    index: HashMap<String, usize>,
    pub(super) names: Vec<String>,
}

impl Names {
    pub(super) fn id(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), self.names.len() - 1);
        self.names.len() - 1
    }

    pub(super) fn name(&self, i: usize) -> &str {
        self.names.get(i).map_or("", String::as_str)
    }
}
