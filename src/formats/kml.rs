//! KML 2.2 for Google Earth: writing layers as folders of placemarks, and
//! reading placemarks back into layers.
//!
//! Written: one `Document` holding a `Style` per class value (campaign
//! statuses in the web map's colours), a `Schema` per layer, and a `Folder`
//! per layer with a `Placemark` per feature: `<name>` from the label field,
//! an HTML table of the fields as `<description>`, the typed fields as
//! `ExtendedData/SchemaData` (so GDAL and QGIS read them as columns), and the
//! geometry with `lon,lat` to 9 decimals. Layers must be WGS 84 lon/lat.
//!
//! Read: Placemarks with Point, LineString, LinearRing, Polygon and
//! MultiGeometry; one layer per Folder (or per Document for placemarks
//! outside folders), split by geometry kind when mixed; fields from
//! `SchemaData/SimpleData` (typed by their `Schema`) and `Data/value` (text);
//! the placemark's `<name>` as the label. Left out: KMZ archives (refused
//! with a message), NetworkLinks, GroundOverlays, gx:Track, styles on read,
//! and altitudes (dropped, with a note).

use std::collections::HashMap;
use std::io::{BufWriter, Write};

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use rayon::prelude::*;

use crate::formats::layer::{
    Feature, Field, FieldKind, FormatError, GeomKind, Geometry, Layer, Pt, Value,
};
use crate::formats::srs;

/// The KML 2.2 namespace.
pub const KML_NS: &str = "http://www.opengis.net/kml/2.2";

/// What the whole file is called in Google Earth's Places panel.
pub struct KmlOptions<'a> {
    pub document_name: &'a str,
}

/// Campaign statuses → web map colour (`web/src/config.js`, STATUS_COLOR).
const STATUS_COLORS: &[(&str, [u8; 3])] = &[
    ("not_contacted", [0xc8, 0xc8, 0xc8]),
    ("persuading", [0x56, 0xb4, 0xe9]),
    ("declined", [0xcc, 0x79, 0xa7]),
    ("agreed", [0xf0, 0xe4, 0x42]),
    ("signed", [0x00, 0x72, 0xb2]),
    ("handed_over", [0x00, 0x9e, 0x73]),
];
/// Any other class value: the web map's fallback grey.
const OTHER_COLOR: [u8; 3] = [0xc8, 0xc8, 0xc8];
/// Fill opacity (of 255): the map below stays visible.
const FILL_ALPHA: u8 = 0x80;

/// Features formatted per parallel task.
const CHUNK: usize = 2048;

/// Writes layers (WGS 84 lon/lat) as a KML 2.2 document.
pub fn write<W: Write>(w: W, layers: &[Layer], opts: &KmlOptions) -> Result<(), FormatError> {
    for l in layers {
        if !l.srs.as_ref().is_some_and(|s| s.geographic) {
            return Err(FormatError::invalid(format!(
                "lớp {} phải ở tọa độ WGS 84 (kinh độ/vĩ độ) để ghi KML / layer {} must be in WGS 84 lon/lat to be written as KML",
                l.name, l.name
            )));
        }
    }
    let mut w = BufWriter::with_capacity(1 << 16, w);
    let mut head = Vec::with_capacity(4096);
    head.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"");
    head.extend_from_slice(KML_NS.as_bytes());
    head.extend_from_slice(b"\">\n<Document>\n<name>");
    escape_into(&mut head, opts.document_name);
    head.extend_from_slice(b"</name>\n");

    // One style per class value, in order of first appearance.
    let mut styles: HashMap<String, String> = HashMap::new();
    for l in layers {
        let Some(ci) = l.class_field else { continue };
        for f in &l.features {
            let Some(v) = f.values.get(ci).and_then(Value::as_text) else {
                continue;
            };
            if styles.contains_key(v.as_ref()) {
                continue;
            }
            let id = format!("st{}_{}", styles.len(), xml_id(&v));
            let rgb = STATUS_COLORS
                .iter()
                .find(|(s, _)| *s == v.as_ref())
                .map_or(OTHER_COLOR, |(_, c)| *c);
            style_into(&mut head, &id, rgb);
            styles.insert(v.into_owned(), id);
        }
    }

    let mut schema_ids: Vec<String> = Vec::with_capacity(layers.len());
    for l in layers {
        let mut id = xml_id(&l.name);
        while schema_ids.contains(&id) {
            id.push('_');
        }
        head.extend_from_slice(b"<Schema name=\"");
        escape_into(&mut head, &l.name);
        head.extend_from_slice(b"\" id=\"");
        head.extend_from_slice(id.as_bytes());
        head.extend_from_slice(b"\">\n");
        for f in &l.fields {
            head.extend_from_slice(b"<SimpleField name=\"");
            escape_into(&mut head, &f.name);
            head.extend_from_slice(match f.kind {
                FieldKind::Text => b"\" type=\"string\"></SimpleField>\n".as_slice(),
                FieldKind::Real => b"\" type=\"double\"></SimpleField>\n",
                FieldKind::Integer => b"\" type=\"int\"></SimpleField>\n",
            });
        }
        head.extend_from_slice(b"</Schema>\n");
        schema_ids.push(id);
    }
    w.write_all(&head)?;

    for (l, schema_id) in layers.iter().zip(&schema_ids) {
        let mut buf = Vec::with_capacity(256);
        buf.extend_from_slice(b"<Folder>\n<name>");
        escape_into(&mut buf, &l.title);
        buf.extend_from_slice(b"</name>\n");
        w.write_all(&buf)?;
        // Chunks formatted in parallel, written in order; a window of them at a time.
        for (wi, window) in l.features.chunks(CHUNK * 16).enumerate() {
            let bufs: Vec<Result<Vec<u8>, String>> = window
                .par_chunks(CHUNK)
                .enumerate()
                .map(|(ci, chunk)| {
                    let mut buf = Vec::with_capacity(chunk.len() * 1024);
                    for (k, f) in chunk.iter().enumerate() {
                        let n = wi * CHUNK * 16 + ci * CHUNK + k + 1;
                        placemark(&mut buf, l, schema_id, &styles, n, f)?;
                    }
                    Ok(buf)
                })
                .collect();
            for b in bufs {
                w.write_all(&b.map_err(FormatError::Invalid)?)?;
            }
        }
        w.write_all(b"</Folder>\n")?;
    }
    w.write_all(b"</Document>\n</kml>\n")?;
    w.flush()?;
    Ok(())
}

/// A `Style` with the colour as a solid outline, a translucent fill and a
/// matching point icon. KML colours are `aabbggrr`.
fn style_into(buf: &mut Vec<u8>, id: &str, [r, g, b]: [u8; 3]) {
    let solid = format!("ff{b:02x}{g:02x}{r:02x}");
    let fill = format!("{FILL_ALPHA:02x}{b:02x}{g:02x}{r:02x}");
    let _ = write!(
        buf,
        "<Style id=\"{id}\"><IconStyle><color>{solid}</color></IconStyle><LineStyle><color>{solid}</color><width>2</width></LineStyle><PolyStyle><color>{fill}</color></PolyStyle></Style>"
    );
    buf.push(b'\n');
}

fn placemark(
    buf: &mut Vec<u8>,
    l: &Layer,
    schema_id: &str,
    styles: &HashMap<String, String>,
    n: usize,
    f: &Feature,
) -> Result<(), String> {
    buf.extend_from_slice(b"<Placemark>\n");
    if let Some(v) = l
        .label_field
        .and_then(|i| f.values.get(i))
        .and_then(Value::as_text)
    {
        buf.extend_from_slice(b"<name>");
        escape_into(buf, &v);
        buf.extend_from_slice(b"</name>\n");
    }
    // The description is HTML inside CDATA: escaping < > & keeps "]]>" out of it.
    buf.extend_from_slice(b"<description><![CDATA[<table>");
    for (field, v) in l.fields.iter().zip(&f.values) {
        let Some(t) = v.as_text() else { continue };
        buf.extend_from_slice(b"<tr><th align=\"left\">");
        html_escape_into(buf, &field.name);
        buf.extend_from_slice(b"</th><td>");
        html_escape_into(buf, &t);
        buf.extend_from_slice(b"</td></tr>");
    }
    buf.extend_from_slice(b"</table>]]></description>\n");
    if let Some(id) = l
        .class_field
        .and_then(|i| f.values.get(i))
        .and_then(Value::as_text)
        .and_then(|v| styles.get(v.as_ref()))
    {
        buf.extend_from_slice(b"<styleUrl>#");
        buf.extend_from_slice(id.as_bytes());
        buf.extend_from_slice(b"</styleUrl>\n");
    }
    buf.extend_from_slice(b"<ExtendedData><SchemaData schemaUrl=\"#");
    buf.extend_from_slice(schema_id.as_bytes());
    buf.extend_from_slice(b"\">");
    for (field, v) in l.fields.iter().zip(&f.values) {
        let Some(t) = v.as_text() else { continue };
        buf.extend_from_slice(b"<SimpleData name=\"");
        escape_into(buf, &field.name);
        buf.extend_from_slice(b"\">");
        escape_into(buf, &t);
        buf.extend_from_slice(b"</SimpleData>");
    }
    buf.extend_from_slice(b"</SchemaData></ExtendedData>\n");
    let bad = |what: &str| {
        format!(
            "đối tượng {n} của lớp {} có tọa độ {what} / feature {n} of layer {} has {what_en} coordinates",
            l.name,
            l.name,
            what_en = if what == "không hợp lệ" {
                "invalid"
            } else {
                "out-of-range"
            }
        )
    };
    let check = |pts: &[Pt]| -> Result<(), String> {
        for p in pts {
            if !(p[0].is_finite() && p[1].is_finite()) {
                return Err(bad("không hợp lệ"));
            }
            if p[0].abs() > 180.0 || p[1].abs() > 90.0 {
                return Err(bad("ngoài phạm vi kinh độ/vĩ độ"));
            }
        }
        Ok(())
    };
    match &f.geometry {
        Geometry::Point(p) => {
            check(std::slice::from_ref(p))?;
            buf.extend_from_slice(b"<Point><coordinates>");
            coords_into(buf, std::slice::from_ref(p));
            buf.extend_from_slice(b"</coordinates></Point>\n");
        }
        Geometry::Lines(ls) => {
            let multi = ls.len() != 1;
            if multi {
                buf.extend_from_slice(b"<MultiGeometry>");
            }
            for line in ls {
                check(line)?;
                buf.extend_from_slice(b"<LineString><tessellate>1</tessellate><coordinates>");
                coords_into(buf, line);
                buf.extend_from_slice(b"</coordinates></LineString>");
            }
            if multi {
                buf.extend_from_slice(b"</MultiGeometry>");
            }
            buf.push(b'\n');
        }
        Geometry::Polygons(ps) => {
            let multi = ps.len() != 1;
            if multi {
                buf.extend_from_slice(b"<MultiGeometry>");
            }
            for poly in ps {
                buf.extend_from_slice(b"<Polygon>");
                for (i, ring) in poly.iter().enumerate() {
                    check(ring)?;
                    buf.extend_from_slice(if i == 0 {
                        b"<outerBoundaryIs><LinearRing><coordinates>".as_slice()
                    } else {
                        b"<innerBoundaryIs><LinearRing><coordinates>"
                    });
                    coords_into(buf, ring);
                    buf.extend_from_slice(if i == 0 {
                        b"</coordinates></LinearRing></outerBoundaryIs>".as_slice()
                    } else {
                        b"</coordinates></LinearRing></innerBoundaryIs>"
                    });
                }
                buf.extend_from_slice(b"</Polygon>");
            }
            if multi {
                buf.extend_from_slice(b"</MultiGeometry>");
            }
            buf.push(b'\n');
        }
    }
    buf.extend_from_slice(b"</Placemark>\n");
    Ok(())
}

/// "lon,lat lon,lat ..." with 9 decimals (0.1 mm), formatted as integers:
/// several times faster than `{:.9}`.
fn coords_into(buf: &mut Vec<u8>, pts: &[Pt]) {
    for (i, p) in pts.iter().enumerate() {
        if i > 0 {
            buf.push(b' ');
        }
        fixed9(buf, p[0]);
        buf.push(b',');
        fixed9(buf, p[1]);
    }
}

fn fixed9(buf: &mut Vec<u8>, x: f64) {
    let v = (x * 1e9).round() as i64;
    if v < 0 {
        buf.push(b'-');
    }
    let a = v.unsigned_abs();
    let mut ib = itoa::Buffer::new();
    buf.extend_from_slice(ib.format(a / 1_000_000_000).as_bytes());
    buf.push(b'.');
    let frac = ib.format(a % 1_000_000_000 + 1_000_000_000);
    // the leading "1" pads the fraction to 9 digits
    buf.extend_from_slice(&frac.as_bytes()[1..]);
}

/// XML-escapes text for element content and attribute values.
fn escape_into(buf: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    let mut last = 0;
    for (i, c) in b.iter().enumerate() {
        let rep: &[u8] = match c {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&apos;",
            // control characters are not allowed in XML 1.0
            0..=8 | 11 | 12 | 14..=31 => b" ",
            _ => continue,
        };
        buf.extend_from_slice(&b[last..i]);
        buf.extend_from_slice(rep);
        last = i + 1;
    }
    buf.extend_from_slice(&b[last..]);
}

/// Escapes text for HTML element content (the description): HTML 4 knows
/// no `&apos;`, and quotes need no escaping there.
fn html_escape_into(buf: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    let mut last = 0;
    for (i, c) in b.iter().enumerate() {
        let rep: &[u8] = match c {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            0..=8 | 11 | 12 | 14..=31 => b" ",
            _ => continue,
        };
        buf.extend_from_slice(&b[last..i]);
        buf.extend_from_slice(rep);
        last = i + 1;
    }
    buf.extend_from_slice(&b[last..]);
}

/// An XML id from any text: ASCII letters, digits, `_`, `-`, `.`, not
/// starting with a digit.
fn xml_id(s: &str) -> String {
    let mut id = ascii_name(s);
    if id.starts_with(|c: char| c.is_ascii_digit()) {
        id.insert(0, '_');
    }
    id
}

/// Vietnamese (or any) text → a lower-case ASCII name: "Thửa đất / Parcels"
/// → "thua_dat_parcels".
pub fn ascii_name(s: &str) -> String {
    const GROUPS: &[(&str, char)] = &[
        ("àáảãạăằắẳẵặâầấẩẫậ", 'a'),
        ("èéẻẽẹêềếểễệ", 'e'),
        ("ìíỉĩị", 'i'),
        ("òóỏõọôồốổỗộơờớởỡợ", 'o'),
        ("ùúủũụưừứửữự", 'u'),
        ("ỳýỷỹỵ", 'y'),
        ("đ", 'd'),
    ];
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let c = if c.is_ascii() {
            c
        } else {
            GROUPS
                .iter()
                .find(|(g, _)| g.contains(c))
                .map_or('_', |(_, b)| *b)
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("layer");
    }
    out
}

// ---------------------------------------------------------------------------
// Reading

/// KML namespaces accepted as the root's: OGC's and Google's older ones.
fn is_kml_ns(ns: &str) -> bool {
    ns == KML_NS || ns.starts_with("http://earth.google.com/kml/")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum El {
    Kml,
    Document,
    Folder,
    Placemark,
    Name,
    Schema,
    SimpleField,
    SchemaData,
    SimpleData,
    Data,
    Value,
    Point,
    LineString,
    LinearRing,
    Polygon,
    Outer,
    Inner,
    MultiGeometry,
    Coordinates,
    Other,
}

impl El {
    fn of(local: &str) -> El {
        match local {
            "kml" => El::Kml,
            "Document" => El::Document,
            "Folder" => El::Folder,
            "Placemark" => El::Placemark,
            "name" => El::Name,
            "Schema" => El::Schema,
            "SimpleField" => El::SimpleField,
            "SchemaData" => El::SchemaData,
            "SimpleData" => El::SimpleData,
            "Data" => El::Data,
            "value" => El::Value,
            "Point" => El::Point,
            "LineString" => El::LineString,
            "LinearRing" => El::LinearRing,
            "Polygon" => El::Polygon,
            "outerBoundaryIs" => El::Outer,
            "innerBoundaryIs" => El::Inner,
            "MultiGeometry" => El::MultiGeometry,
            "coordinates" => El::Coordinates,
            _ => El::Other,
        }
    }
}

/// A `Schema`: its id, name and typed fields.
struct Schema {
    id: String,
    name: String,
    fields: Vec<(String, Option<FieldKind>)>,
}

/// A Folder or Document: its name and what its placemarks make.
#[derive(Default)]
struct Container {
    name: Option<String>,
    /// Per geometry kind, in order of first appearance.
    parts: Vec<RawLayer>,
}

struct RawLayer {
    kind: GeomKind,
    fields: Vec<String>,
    index: HashMap<String, usize>,
    /// Declared type, when a Schema gave one.
    kinds: Vec<Option<FieldKind>>,
    rows: Vec<RawRow>,
    schema: Option<usize>,
    has_z: bool,
    split: bool,
}

struct RawRow {
    geometry: Geometry,
    values: Vec<Option<String>>,
    name: Option<String>,
}

/// The placemark being read.
#[derive(Default)]
struct Pm {
    name: Option<String>,
    values: Vec<(String, String, Option<FieldKind>)>,
    schema: Option<usize>,
    points: Vec<Pt>,
    lines: Vec<Vec<Pt>>,
    polygons: Vec<Vec<Vec<Pt>>>,
    /// Outer ring and holes of the Polygon being read.
    outer: Option<Vec<Pt>>,
    holes: Vec<Vec<Pt>>,
    has_z: bool,
    error: Option<(String, String)>,
}

impl Pm {
    fn fail(&mut self, vi: String, en: String) {
        if self.error.is_none() {
            self.error = Some((vi, en));
        }
    }
}

fn xml_error(e: impl std::fmt::Display, pos: u64) -> FormatError {
    FormatError::invalid(format!(
        "tệp KML không phải XML hợp lệ (byte {pos}): {e} / the KML file is not well-formed XML (byte {pos}): {e}"
    ))
}

fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == key).then(|| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_or_else(|_| a.value.to_string(), |v| v.into_owned())
        })
    })
}

/// Reads a KML document into layers (WGS 84 lon/lat).
pub fn read(bytes: &[u8]) -> Result<Vec<Layer>, FormatError> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(FormatError::invalid(
            "tệp KMZ (nén zip) chưa được hỗ trợ: hãy giải nén và nhập tệp doc.kml bên trong / KMZ (zipped) files are not supported: unzip it and import the doc.kml inside",
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        FormatError::invalid(format!(
            "tệp KML không phải UTF-8 (byte {}) / the KML file is not UTF-8 (byte {})",
            e.valid_up_to(),
            e.valid_up_to()
        ))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut r = NsReader::from_str(text);
    r.config_mut().expand_empty_elements = true;

    let mut stack: Vec<El> = Vec::with_capacity(32);
    let mut root_ns: Option<Option<String>> = None;
    // containers[0] holds placemarks outside any Document/Folder
    let mut containers: Vec<Container> = vec![Container::default()];
    let mut open: Vec<usize> = vec![0];
    let mut schemas: Vec<Schema> = Vec::new();
    let mut schema: Option<Schema> = None;
    let mut pm: Option<Pm> = None;
    let mut pm_count = 0usize;
    let mut no_geometry = 0usize;
    let mut data_name: Option<String> = None;
    let mut simple_name: Option<String> = None;
    // text of the element being captured (name, SimpleData, value, coordinates)
    let mut capture: Option<String> = None;

    loop {
        let pos = r.buffer_position();
        let (ns, ev) = r.read_resolved_event().map_err(|e| xml_error(e, pos))?;
        // borrowed: no allocation per event
        let ns: Option<&str> = match &ns {
            ResolveResult::Bound(n) => Some(n.0),
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(_) => Some("?"),
        };
        match ev {
            Event::Start(e) => {
                let local = e.local_name();
                let local = local.as_ref();
                let Some(kml_ns) = &root_ns else {
                    if local != "kml" || !ns.is_none_or(is_kml_ns) {
                        return Err(FormatError::invalid(format!(
                            "không phải tệp KML: phần tử gốc là <{local}> (namespace {}) / not a KML file: the root element is <{local}> (namespace {})",
                            ns.unwrap_or("-"),
                            ns.unwrap_or("-")
                        )));
                    }
                    root_ns = Some(ns.map(str::to_string));
                    stack.push(El::Kml);
                    continue;
                };
                let el = if ns == kml_ns.as_deref() {
                    El::of(local)
                } else {
                    El::Other
                };
                let parent = stack.last().copied().unwrap_or(El::Other);
                match el {
                    El::Document | El::Folder => {
                        containers.push(Container::default());
                        open.push(containers.len() - 1);
                    }
                    El::Placemark => {
                        pm_count += 1;
                        pm = Some(Pm::default());
                    }
                    El::Name if matches!(parent, El::Placemark | El::Folder | El::Document) => {
                        capture = Some(String::new());
                    }
                    El::Schema => {
                        schema = Some(Schema {
                            id: attr(&e, "id").unwrap_or_default(),
                            name: attr(&e, "name").unwrap_or_default(),
                            fields: Vec::new(),
                        });
                    }
                    El::SimpleField => {
                        if let (Some(s), Some(name)) = (schema.as_mut(), attr(&e, "name")) {
                            let kind = match attr(&e, "type").as_deref().map(str::trim) {
                                Some("int" | "uint" | "short" | "ushort") => {
                                    Some(FieldKind::Integer)
                                }
                                Some("float" | "double") => Some(FieldKind::Real),
                                Some("string") => Some(FieldKind::Text),
                                _ => None,
                            };
                            s.fields.push((name, kind));
                        }
                    }
                    El::SchemaData => {
                        if let (Some(p), Some(url)) = (pm.as_mut(), attr(&e, "schemaUrl")) {
                            let id = url.rsplit('#').next().unwrap_or("");
                            p.schema = schemas.iter().position(|s| s.id == id || s.name == id);
                        }
                    }
                    El::SimpleData if pm.is_some() => {
                        simple_name = attr(&e, "name");
                        capture = Some(String::new());
                    }
                    El::Data if pm.is_some() => data_name = attr(&e, "name"),
                    El::Value if parent == El::Data && pm.is_some() => {
                        capture = Some(String::new());
                    }
                    El::Coordinates if pm.is_some() => capture = Some(String::new()),
                    El::Polygon => {
                        if let Some(p) = pm.as_mut() {
                            p.outer = None;
                            p.holes.clear();
                        }
                    }
                    _ => {}
                }
                stack.push(el);
            }
            Event::Text(t) => {
                if let Some(c) = capture.as_mut() {
                    c.push_str(&t.xml10_content());
                } else if root_ns.is_none() && !t.trim().is_empty() {
                    return Err(FormatError::invalid(
                        "không phải tệp KML: có văn bản trước phần tử gốc / not a KML file: text before the root element",
                    ));
                }
            }
            Event::CData(t) => {
                if let Some(c) = capture.as_mut() {
                    c.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(g) => {
                if let Some(c) = capture.as_mut() {
                    let ch = g.resolve_char_ref().map_err(|e| xml_error(e, pos))?;
                    match ch {
                        Some(ch) => c.push(ch),
                        None => match quick_xml::escape::resolve_predefined_entity(&g) {
                            Some(s) => c.push_str(s),
                            None => {
                                return Err(xml_error(
                                    format!("thực thể không biết / unknown entity &{};", &*g),
                                    pos,
                                ));
                            }
                        },
                    }
                }
            }
            Event::End(_) => {
                let Some(el) = stack.pop() else {
                    return Err(xml_error("unexpected end tag", pos));
                };
                let parent = stack.last().copied().unwrap_or(El::Other);
                match el {
                    El::Document | El::Folder => {
                        open.pop();
                    }
                    El::Name => {
                        if let Some(text) = capture.take() {
                            let text = text.trim().to_string();
                            if parent == El::Placemark {
                                if let Some(p) = pm.as_mut() {
                                    p.name = Some(text);
                                }
                            } else if let Some(c) = open.last().and_then(|i| containers.get_mut(*i))
                            {
                                c.name.get_or_insert(text);
                            }
                        }
                    }
                    El::Schema => {
                        if let Some(s) = schema.take() {
                            schemas.push(s);
                        }
                    }
                    El::SimpleData => {
                        if let (Some(p), Some(text), Some(name)) =
                            (pm.as_mut(), capture.take(), simple_name.take())
                        {
                            let kind = p.schema.and_then(|s| schemas.get(s)).and_then(|s| {
                                s.fields.iter().find(|f| f.0 == name).and_then(|f| f.1)
                            });
                            p.values.push((name, text, kind));
                        }
                    }
                    El::Value => {
                        if let (Some(p), Some(text)) = (pm.as_mut(), capture.take())
                            && let Some(name) = data_name.clone()
                        {
                            // untyped: kept as text (a parcel number "012" keeps its zero)
                            p.values.push((name, text, Some(FieldKind::Text)));
                        }
                    }
                    El::Data => data_name = None,
                    El::Coordinates => {
                        if let (Some(p), Some(text)) = (pm.as_mut(), capture.take()) {
                            coordinates_end(p, parent, stack.iter().rev().nth(1).copied(), &text);
                        }
                    }
                    El::Polygon => {
                        if let Some(p) = pm.as_mut() {
                            match p.outer.take() {
                                Some(outer) => {
                                    let mut rings = vec![outer];
                                    rings.append(&mut p.holes);
                                    p.polygons.push(rings);
                                }
                                None => p.fail(
                                    "Polygon không có outerBoundaryIs".into(),
                                    "a Polygon without outerBoundaryIs".into(),
                                ),
                            }
                        }
                    }
                    El::Placemark => {
                        if let Some(p) = pm.take() {
                            let c = open.last().copied().unwrap_or(0);
                            if let Some(c) = containers.get_mut(c)
                                && !placemark_end(c, p, pm_count, &schemas)?
                            {
                                no_geometry += 1;
                            }
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(xml_error(
            format!(
                "thiếu {} thẻ đóng / {} end tags missing",
                stack.len(),
                stack.len()
            ),
            text.len() as u64,
        ));
    }
    if root_ns.is_none() {
        return Err(FormatError::invalid(
            "không phải tệp KML: không có phần tử <kml> / not a KML file: no <kml> element",
        ));
    }
    Ok(finish(containers, &schemas, no_geometry))
}

/// Parses "lon,lat[,alt] ..." (tuples separated by white space) into points.
fn parse_coordinates(text: &str, has_z: &mut bool) -> Result<Vec<Pt>, String> {
    let mut pts = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while b.get(*i).is_some_and(|c| c.is_ascii_whitespace()) {
            *i += 1;
        }
    };
    let number = |i: &mut usize| -> Result<f64, String> {
        let start = *i;
        while b
            .get(*i)
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E'))
        {
            *i += 1;
        }
        let t = &text[start..*i];
        t.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| {
                let end = text[start..]
                    .find(|c: char| c.is_whitespace() || c == ',')
                    .map_or(text.len(), |e| start + e);
                let shown: String = text[start..end].chars().take(40).collect();
                format!("'{shown}'")
            })
    };
    loop {
        skip_ws(&mut i);
        if i >= b.len() {
            break;
        }
        let lon = number(&mut i)?;
        skip_ws(&mut i);
        if b.get(i) != Some(&b',') {
            return Err(format!(
                "thiếu vĩ độ sau {lon} / missing latitude after {lon}"
            ));
        }
        i += 1;
        skip_ws(&mut i);
        let lat = number(&mut i)?;
        // an optional altitude: ",alt" (white space may precede the comma)
        let save = i;
        skip_ws(&mut i);
        if b.get(i) == Some(&b',') {
            i += 1;
            skip_ws(&mut i);
            number(&mut i)?;
            *has_z = true;
        } else {
            i = save;
        }
        if lon.abs() > 180.0 || lat.abs() > 90.0 {
            return Err(format!(
                "({lon}, {lat}) ngoài phạm vi kinh độ/vĩ độ / ({lon}, {lat}) is out of lon/lat range"
            ));
        }
        pts.push([lon, lat]);
        if i < b.len() && !b[i].is_ascii_whitespace() {
            let shown: String = text[i..].chars().take(20).collect();
            return Err(format!("ký tự thừa '{shown}' / unexpected '{shown}'"));
        }
    }
    Ok(pts)
}

/// Stores a `<coordinates>` into the placemark by what holds it.
fn coordinates_end(p: &mut Pm, holder: El, grand: Option<El>, text: &str) {
    let pts = match parse_coordinates(text, &mut p.has_z) {
        Ok(pts) => pts,
        Err(e) => {
            let (vi, en) = e.split_once(" / ").unwrap_or((&e, &e));
            let (vi, en) = (vi.to_string(), en.to_string());
            p.fail(
                format!("tọa độ không hợp lệ: {vi}"),
                format!("bad coordinates: {en}"),
            );
            return;
        }
    };
    match holder {
        El::Point => match pts.as_slice() {
            [pt] => p.points.push(*pt),
            _ => p.fail(
                format!("Point có {} điểm thay vì 1", pts.len()),
                format!("a Point with {} positions instead of 1", pts.len()),
            ),
        },
        El::LineString => {
            if pts.len() < 2 {
                p.fail(
                    "LineString có ít hơn 2 điểm".into(),
                    "a LineString with fewer than 2 positions".into(),
                );
            } else {
                p.lines.push(pts);
            }
        }
        El::LinearRing => {
            let mut ring = pts;
            if let (Some(f), Some(l)) = (ring.first().copied(), ring.last().copied())
                && f != l
            {
                ring.push(f);
            }
            if ring.len() < 4 {
                p.fail(
                    "vòng LinearRing có ít hơn 3 điểm".into(),
                    "a LinearRing with fewer than 3 positions".into(),
                );
                return;
            }
            match grand {
                Some(El::Outer) if p.outer.is_none() => p.outer = Some(ring),
                Some(El::Outer) | Some(El::Inner) => p.holes.push(ring),
                // a bare LinearRing is a closed line
                _ => p.lines.push(ring),
            }
        }
        _ => {}
    }
}

/// Files a finished placemark into its container; false when it has no geometry.
fn placemark_end(
    c: &mut Container,
    p: Pm,
    number: usize,
    schemas: &[Schema],
) -> Result<bool, FormatError> {
    if let Some((vi, en)) = &p.error {
        let name = p.name.as_deref().unwrap_or("");
        return Err(FormatError::invalid(format!(
            "placemark {number} («{name}»): {vi} / placemark {number} (\"{name}\"): {en}"
        )));
    }
    let mut geoms = Vec::with_capacity(1);
    if !p.polygons.is_empty() {
        geoms.push(Geometry::Polygons(p.polygons));
    }
    if !p.lines.is_empty() {
        geoms.push(Geometry::Lines(p.lines));
    }
    // a layer holds single points: a multi-point placemark gives a feature per point
    geoms.extend(p.points.into_iter().map(Geometry::Point));
    if geoms.is_empty() {
        return Ok(false);
    }
    let split = geoms.len() > 1;
    let last = geoms.len() - 1;
    let mut pvalues = p.values;
    let mut pname = p.name;
    for (gi, g) in geoms.into_iter().enumerate() {
        // the last (usually only) geometry takes the values, the others copy them
        let (vals, name) = if gi == last {
            (std::mem::take(&mut pvalues), pname.take())
        } else {
            (pvalues.clone(), pname.clone())
        };
        let kind = g.kind();
        let part = match c.parts.iter().position(|r| r.kind == kind) {
            Some(i) => i,
            None => {
                c.parts.push(RawLayer {
                    kind,
                    fields: Vec::new(),
                    index: HashMap::new(),
                    kinds: Vec::new(),
                    rows: Vec::new(),
                    schema: None,
                    has_z: false,
                    split: false,
                });
                c.parts.len() - 1
            }
        };
        let Some(raw) = c.parts.get_mut(part) else {
            continue;
        };
        raw.has_z |= p.has_z;
        raw.split |= split;
        if raw.schema.is_none() {
            raw.schema = p.schema;
            // fields in the schema's order, so columns come out as declared
            if let Some(s) = p.schema.and_then(|s| schemas.get(s)) {
                for (name, kind) in &s.fields {
                    field_slot(raw, name, *kind);
                }
            }
        }
        let mut values: Vec<Option<String>> = vec![None; raw.fields.len()];
        for (fname, text, kind) in vals {
            let i = field_slot(raw, &fname, kind);
            if values.len() <= i {
                values.resize(i + 1, None);
            }
            if let Some(v) = values.get_mut(i) {
                *v = Some(text);
            }
        }
        raw.rows.push(RawRow {
            geometry: g,
            values,
            name,
        });
    }
    Ok(true)
}

fn field_slot(raw: &mut RawLayer, name: &str, kind: Option<FieldKind>) -> usize {
    if let Some(i) = raw.index.get(name) {
        return *i;
    }
    raw.fields.push(name.to_string());
    raw.kinds.push(kind);
    raw.index.insert(name.to_string(), raw.fields.len() - 1);
    raw.fields.len() - 1
}

/// Turns the containers' placemarks into layers.
fn finish(containers: Vec<Container>, schemas: &[Schema], no_geometry: usize) -> Vec<Layer> {
    let mut layers: Vec<Layer> = Vec::new();
    for c in containers {
        let title = c.name.clone().unwrap_or_else(|| "KML".into());
        let several = c.parts.len() > 1;
        for raw in c.parts {
            let base = raw
                .schema
                .and_then(|s| schemas.get(s))
                .map(|s| s.name.clone())
                .filter(|n| !n.trim().is_empty())
                .or_else(|| c.name.clone())
                .unwrap_or_else(|| "kml".into());
            let mut name = ascii_name(&base);
            if several {
                name.push_str(match raw.kind {
                    GeomKind::Point => "_points",
                    GeomKind::Line => "_lines",
                    GeomKind::Polygon => "_polygons",
                });
            }
            while layers.iter().any(|l| l.name == name) {
                name.push_str("_2");
            }
            layers.push(build_layer(name, &title, raw, several));
        }
    }
    if no_geometry > 0
        && let Some(l) = layers.first_mut()
    {
        l.notes.push(format!(
            "{no_geometry} placemark không có hình học đã bị bỏ qua / {no_geometry} placemarks without geometry were skipped"
        ));
    }
    layers
}

fn build_layer(name: String, title: &str, raw: RawLayer, several: bool) -> Layer {
    let n = raw.fields.len();
    let mut notes = Vec::new();
    // Final kinds: the declared one unless a value does not fit (then wider).
    let mut kinds: Vec<FieldKind> = raw
        .kinds
        .iter()
        .map(|k| k.unwrap_or(FieldKind::Text))
        .collect();
    for (i, kind) in kinds.iter_mut().enumerate() {
        let declared = *kind;
        for row in &raw.rows {
            let Some(t) = row.values.get(i).and_then(|v| v.as_deref()) else {
                continue;
            };
            let t = t.trim();
            if t.is_empty() {
                continue;
            }
            if *kind == FieldKind::Integer && t.parse::<i64>().is_err() {
                *kind = FieldKind::Real;
            }
            if *kind == FieldKind::Real && t.parse::<f64>().is_err() {
                *kind = FieldKind::Text;
                break;
            }
        }
        if *kind != declared {
            let f = &raw.fields[i];
            notes.push(format!(
                "trường {f} khai báo kiểu số nhưng có giá trị khác, đã đọc thành {kind:?} / field {f} is declared numeric but holds other values: read as {kind:?}"
            ));
        }
    }
    let mut fields: Vec<Field> = raw
        .fields
        .iter()
        .zip(&kinds)
        .map(|(f, k)| Field::new(f, *k))
        .collect();
    let convert = |t: &str, k: FieldKind| -> Value {
        let s = t.trim();
        match k {
            _ if s.is_empty() => Value::Null,
            FieldKind::Text => Value::Text(t.to_string()),
            FieldKind::Integer => s.parse().map_or(Value::Null, Value::Integer),
            FieldKind::Real => s.parse().map_or(Value::Null, Value::Real),
        }
    };
    let named = raw.rows.iter().any(|r| r.name.is_some());
    // The placemark name is the label: a field already holding it, else a "name" field.
    let label = named
        .then(|| {
            (0..n).find(|&i| {
                raw.rows.iter().all(|r| {
                    let v = r.values.get(i).and_then(|v| v.as_deref()).map(str::trim);
                    v.unwrap_or("") == r.name.as_deref().unwrap_or("")
                })
            })
        })
        .flatten();
    let add_name = named && label.is_none() && !raw.fields.iter().any(|f| f == "name");
    if add_name {
        fields.push(Field::new("name", FieldKind::Text));
    }
    let label_field = label.or_else(|| {
        named
            .then(|| fields.iter().position(|f| f.name == "name"))
            .flatten()
    });
    let features = raw
        .rows
        .into_iter()
        .map(|row| {
            let mut values: Vec<Value> = (0..n)
                .map(|i| {
                    row.values
                        .get(i)
                        .and_then(|v| v.as_deref())
                        .map_or(Value::Null, |t| convert(t, kinds[i]))
                })
                .collect();
            if add_name {
                values.push(row.name.map_or(Value::Null, Value::Text));
            }
            Feature {
                geometry: row.geometry,
                values,
            }
        })
        .collect();
    if raw.has_z {
        notes.push(
            "độ cao (tọa độ thứ ba) đã bị bỏ qua / altitudes (third coordinate) were dropped"
                .into(),
        );
    }
    if several && raw.split {
        notes.push(format!(
            "placemark có nhiều loại hình học đã được tách theo loại (lớp {name}) / placemarks mixing geometry kinds were split by kind (layer {name})"
        ));
    }
    Layer {
        name,
        title: title.to_string(),
        kind: raw.kind,
        fields,
        features,
        srs: Some(srs::wgs84()),
        class_field: None,
        label_field,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testing::{gdal as run, square};
    use std::path::{Path, PathBuf};
    fn tmp(tag: &str) -> PathBuf {
        crate::formats::testing::tmp("kml", tag)
    }

    /// Parcels (a holed polygon, a multipolygon), road segments and stakes in phường Ngọc Sơn.
    fn sample() -> Vec<Layer> {
        let mut parcels = Layer::new(
            "parcels",
            "Thửa đất / Parcels",
            GeomKind::Polygon,
            vec![
                Field::new("parcel_no", FieldKind::Integer),
                Field::new("owner", FieldKind::Text),
                Field::new("area_m2", FieldKind::Real),
                Field::new("status", FieldKind::Text),
            ],
        );
        let mut hole = square(105.80012, 19.50012, 0.00005);
        hole.reverse();
        parcels.features.push(Feature {
            geometry: Geometry::Polygons(vec![vec![square(105.8001, 19.5001, 0.0002), hole]]),
            values: vec![
                Value::Integer(12),
                Value::Text("Nguyễn Thị Hằng & \"Đức\" <Lê> 'ông'".into()),
                Value::Real(612.25),
                Value::Text("signed".into()),
            ],
        });
        parcels.features.push(Feature {
            geometry: Geometry::Polygons(vec![
                vec![square(105.8101, 19.5101, 0.0001)],
                vec![square(105.8111, 19.5111, 0.0001)],
            ]),
            values: vec![
                Value::Integer(13),
                Value::Text("Trần Văn Bảy ]]> x".into()),
                Value::Real(0.123456789),
                Value::Text("declined".into()),
            ],
        });
        parcels.features.push(Feature {
            geometry: Geometry::Polygons(vec![vec![square(-0.5, -0.5, 0.123456789)]]),
            values: vec![
                Value::Integer(-7),
                Value::Null,
                Value::Real(-1.5),
                Value::Text("persuading".into()),
            ],
        });
        parcels.class_field = Some(3);
        parcels.label_field = Some(0);
        parcels.srs = Some(srs::wgs84());

        let mut segments = Layer::new(
            "segments",
            "Đoạn đường / Road segments",
            GeomKind::Line,
            vec![
                Field::new("name", FieldKind::Text),
                Field::new("width_m", FieldKind::Real),
            ],
        );
        segments.features.push(Feature {
            geometry: Geometry::Lines(vec![vec![[105.8, 19.5], [105.81, 19.505], [105.82, 19.5]]]),
            values: vec![Value::Text("Đường Nghi Sơn".into()), Value::Real(7.5)],
        });
        segments.features.push(Feature {
            geometry: Geometry::Lines(vec![
                vec![[105.83, 19.5], [105.84, 19.5]],
                vec![[105.85, 19.5], [105.86, 19.51]],
            ]),
            values: vec![Value::Text("Ngõ 3".into()), Value::Real(3.0)],
        });
        segments.label_field = Some(0);
        segments.srs = Some(srs::wgs84());

        let mut stakes = Layer::new(
            "stakes",
            "Mốc giới / Stakes",
            GeomKind::Point,
            vec![Field::new("stake_no", FieldKind::Text)],
        );
        for (i, p) in [[105.80001, 19.50001], [105.80002, 19.50002]]
            .into_iter()
            .enumerate()
        {
            stakes.features.push(Feature {
                geometry: Geometry::Point(p),
                values: vec![Value::Text(format!("M{}", i + 1))],
            });
        }
        stakes.label_field = Some(0);
        stakes.srs = Some(srs::wgs84());
        vec![parcels, segments, stakes]
    }

    fn written(layers: &[Layer]) -> Vec<u8> {
        let mut out = Vec::new();
        write(
            &mut out,
            layers,
            &KmlOptions {
                document_name: "Phường Ngọc Sơn",
            },
        )
        .unwrap();
        out
    }

    fn close_pts(a: &[Pt], b: &[Pt]) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(p, q)| (p[0] - q[0]).abs() <= 1e-9 && (p[1] - q[1]).abs() <= 1e-9)
    }

    fn same_geometry(a: &Geometry, b: &Geometry) -> bool {
        match (a, b) {
            (Geometry::Point(p), Geometry::Point(q)) => close_pts(&[*p], &[*q]),
            (Geometry::Lines(x), Geometry::Lines(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(l, m)| close_pts(l, m))
            }
            (Geometry::Polygons(x), Geometry::Polygons(y)) => {
                x.len() == y.len()
                    && x.iter().zip(y).all(|(p, q)| {
                        p.len() == q.len() && p.iter().zip(q).all(|(r, s)| close_pts(r, s))
                    })
            }
            _ => false,
        }
    }

    #[test]
    fn writes_well_formed_kml_22_with_styles_schemas_and_escaping() {
        let out = written(&sample());
        let text = std::str::from_utf8(&out).unwrap();
        let mut r = NsReader::from_str(text);
        let mut root = None;
        let mut placemarks = 0;
        loop {
            match r.read_resolved_event().unwrap() {
                (ns, Event::Start(e)) => {
                    if root.is_none() {
                        root = Some((format!("{ns:?}"), e.local_name().as_ref().to_string()));
                    }
                    placemarks += usize::from(e.local_name().as_ref() == "Placemark");
                }
                (_, Event::Eof) => break,
                _ => {}
            }
        }
        let (ns, name) = root.unwrap();
        assert_eq!(name, "kml");
        assert!(ns.contains(KML_NS), "{ns}");
        assert_eq!(placemarks, 7);
        // the web map's "signed" blue #0072b2 as aabbggrr, solid outline and translucent fill
        assert!(
            text.contains("<LineStyle><color>ffb27200</color>"),
            "{text}"
        );
        assert!(text.contains("<PolyStyle><color>80b27200</color>"));
        assert!(text.contains("<SimpleField name=\"parcel_no\" type=\"int\">"));
        assert!(text.contains("<SimpleField name=\"area_m2\" type=\"double\">"));
        assert!(text.contains("<name>12</name>"));
        assert!(text.contains("Nguyễn Thị Hằng &amp; &quot;Đức&quot; &lt;Lê&gt; &apos;ông&apos;"));
        assert!(
            text.contains("<coordinates>-0.500000000,-0.500000000 -0.376543211,-0.500000000"),
            "{text}"
        );
        assert!(text.contains("<td>612.25</td>") && text.contains("<td>12</td>"));
        // "]]>" in a value cannot close the description's CDATA
        assert_eq!(text.matches("]]>").count(), placemarks);
    }

    #[test]
    fn gdal_lists_the_folders_as_layers_with_counts_and_fields() {
        let dir = tmp("ogr");
        let path = dir.join("ward.kml");
        std::fs::write(&path, written(&sample())).unwrap();
        let p = path.to_str().unwrap();
        // GDAL 3.6's ogrinfo has no -if: skip the other driver instead
        for (driver, skip) in [("KML", "LIBKML"), ("LIBKML", "KML")] {
            let info = run(
                "ogrinfo",
                &["--config", "GDAL_SKIP", skip, "-ro", "-al", "-so", p],
            );
            assert!(
                info.contains(&format!("using driver `{driver}' successful")),
                "{info}"
            );
            for (title, count) in [
                ("Thửa đất / Parcels", 3),
                ("Đoạn đường / Road segments", 2),
                ("Mốc giới / Stakes", 2),
            ] {
                let at = info
                    .find(&format!("Layer name: {title}"))
                    .unwrap_or_else(|| panic!("{driver}: no layer {title}:\n{info}"));
                let rest = &info[at..];
                let rest = &rest[..rest[1..].find("Layer name:").map_or(rest.len(), |e| e + 1)];
                assert!(
                    rest.contains(&format!("Feature Count: {count}")),
                    "{driver} {title}:\n{rest}"
                );
                // GDAL 3.6's KML driver reads only Name and Description; LIBKML reads the schema
                if title.starts_with("Thửa") && driver == "LIBKML" {
                    assert!(rest.contains("parcel_no: Integer"), "{driver}:\n{rest}");
                    assert!(rest.contains("area_m2: Real"), "{driver}:\n{rest}");
                    assert!(rest.contains("owner: String"), "{driver}:\n{rest}");
                }
            }
        }
        let kml_driver = run(
            "ogr2ogr",
            &[
                "--config",
                "GDAL_SKIP",
                "LIBKML",
                "-f",
                "CSV",
                "/vsistdout/",
                p,
                "Thửa đất / Parcels",
            ],
        );
        assert!(
            kml_driver.contains("\"12\",\"<table>")
                && kml_driver
                    .contains("<td>Nguyễn Thị Hằng &amp; \"\"Đức\"\" &lt;Lê&gt; 'ông'</td>"),
            "{kml_driver}"
        );
        // the values, Vietnamese intact
        let csv = run(
            "ogr2ogr",
            &[
                "--config",
                "GDAL_SKIP",
                "KML",
                "-f",
                "CSV",
                "/vsistdout/",
                p,
                "Thửa đất / Parcels",
                "-lco",
                "GEOMETRY=AS_WKT",
            ],
        );
        assert!(
            csv.contains("Nguyễn Thị Hằng & \"\"Đức\"\" <Lê> 'ông'"),
            "{csv}"
        );
        assert!(csv.contains("612.25"));
        // the hole and the multipolygon survive
        assert!(
            csv.contains("\"POLYGON ((105.8001 19.5001,105.8003 19.5001,"),
            "{csv}"
        );
        assert!(csv.contains(",105.80012 19.50012))"), "{csv}");
        assert!(csv.contains("\"MULTIPOLYGON (((105.8101 19.5101,"), "{csv}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn round_trip_keeps_values_and_coordinates() {
        let layers = sample();
        let back = read(&written(&layers)).unwrap();
        assert_eq!(back.len(), 3);
        for (a, b) in layers.iter().zip(&back) {
            assert_eq!(b.name, a.name);
            assert_eq!(b.title, a.title);
            assert_eq!(b.kind, a.kind);
            assert_eq!(b.fields, a.fields);
            assert_eq!(b.label_field, a.label_field, "{}", a.name);
            assert_eq!(b.srs, Some(srs::wgs84()));
            assert_eq!(b.features.len(), a.features.len());
            for (f, g) in a.features.iter().zip(&b.features) {
                assert_eq!(g.values, f.values);
                assert!(
                    same_geometry(&f.geometry, &g.geometry),
                    "{:?} vs {:?}",
                    f.geometry,
                    g.geometry
                );
            }
        }
    }

    fn geojson(dir: &Path) -> PathBuf {
        let gj = dir.join("in.geojson");
        std::fs::write(
            &gj,
            r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"so_thua":12,"chu":"Lê Thị Thu Hà","dt":612.5},"geometry":{"type":"Polygon","coordinates":[[[105.8,19.5],[105.8002,19.5],[105.8002,19.5002],[105.8,19.5002],[105.8,19.5]],[[105.80005,19.50005],[105.80005,19.50010],[105.80010,19.50010],[105.80010,19.50005],[105.80005,19.50005]]]}},
{"type":"Feature","properties":{"so_thua":13,"chu":"Đỗ Văn Bình","dt":88.0},"geometry":{"type":"MultiPolygon","coordinates":[[[[105.81,19.51],[105.8101,19.51],[105.8101,19.5101],[105.81,19.51]]],[[[105.82,19.52],[105.8201,19.52],[105.8201,19.5201],[105.82,19.52]]]]}}
]}"#,
        )
        .unwrap();
        gj
    }

    #[test]
    fn reads_what_gdal_writes_with_both_drivers() {
        let dir = tmp("gdal-in");
        let gj = geojson(&dir);
        for driver in ["KML", "LIBKML"] {
            let out = dir.join(format!("{driver}.kml"));
            run(
                "ogr2ogr",
                &[
                    "-f",
                    driver,
                    out.to_str().unwrap(),
                    gj.to_str().unwrap(),
                    "-nln",
                    "Thửa đất",
                ],
            );
            let layers =
                read(&std::fs::read(&out).unwrap()).unwrap_or_else(|e| panic!("{driver}: {e}"));
            let l = layers
                .iter()
                .find(|l| l.kind == GeomKind::Polygon)
                .unwrap_or_else(|| panic!("{driver}: {layers:?}"));
            assert_eq!(l.features.len(), 2, "{driver}");
            assert_eq!(l.srs, Some(srs::wgs84()));
            let so = l
                .field("so_thua")
                .unwrap_or_else(|| panic!("{driver}: {:?}", l.fields));
            assert_eq!(l.fields[so].kind, FieldKind::Integer, "{driver}");
            let chu = l.field("chu").unwrap();
            let dt = l.field("dt").unwrap();
            assert_eq!(l.fields[dt].kind, FieldKind::Real, "{driver}");
            assert_eq!(l.features[0].values[so], Value::Integer(12));
            assert_eq!(
                l.features[0].values[chu],
                Value::Text("Lê Thị Thu Hà".into())
            );
            assert_eq!(l.features[1].values[dt], Value::Real(88.0));
            assert!(
                l.name.is_ascii() && l.name.starts_with("thua_dat"),
                "{driver}: {}",
                l.name
            );
            let Geometry::Polygons(p) = &l.features[0].geometry else {
                panic!()
            };
            assert_eq!((p.len(), p[0].len(), p[0][0].len()), (1, 2, 5), "{driver}");
            assert!((p[0][0][1][0] - 105.8002).abs() < 1e-9);
            let Geometry::Polygons(p) = &l.features[1].geometry else {
                panic!()
            };
            assert_eq!(p.len(), 2, "{driver}");
            assert!((l.features[0].geometry.area() - 0.0002f64.powi(2) * 0.9375).abs() < 1e-15);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn reads_plain_data_folders_mixed_geometries_and_altitudes() {
        let kml = r#"<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">
<Document><name>Khảo sát</name>
<Placemark><name>Cột điện &amp; trạm</name>
<ExtendedData><Data name="ghi_chu"><value>gần &lt;chợ&gt; &#7889;</value></Data><Data name="so"><value>012</value></Data></ExtendedData>
<Point><coordinates> 105.8 , 19.5 , 12.5 </coordinates></Point></Placemark>
<Folder><name>Hàng rào</name>
<Placemark><name>R1</name><MultiGeometry>
 <LineString><coordinates>105.8,19.5,0
   105.81,19.51,0</coordinates></LineString>
 <Point><coordinates>105.9,19.6</coordinates></Point>
 <gx:Track><gx:coord>1 2 3</gx:coord></gx:Track>
</MultiGeometry></Placemark>
<Placemark><name>trống</name></Placemark>
</Folder>
</Document></kml>"#;
        let layers = read(kml.as_bytes()).unwrap();
        let names: Vec<_> = layers
            .iter()
            .map(|l| (l.name.as_str(), l.title.as_str(), l.kind))
            .collect();
        assert_eq!(
            names,
            [
                ("khao_sat", "Khảo sát", GeomKind::Point),
                ("hang_rao_lines", "Hàng rào", GeomKind::Line),
                ("hang_rao_points", "Hàng rào", GeomKind::Point),
            ]
        );
        let p = &layers[0];
        assert_eq!(
            p.value(&p.features[0], "ghi_chu"),
            Some(&Value::Text("gần <chợ> ố".into()))
        );
        assert_eq!(
            p.value(&p.features[0], "so"),
            Some(&Value::Text("012".into()))
        );
        assert_eq!(
            p.value(&p.features[0], "name"),
            Some(&Value::Text("Cột điện & trạm".into()))
        );
        assert_eq!(p.label_field, p.field("name"));
        assert_eq!(p.features[0].geometry, Geometry::Point([105.8, 19.5]));
        assert!(
            p.notes.iter().any(|n| n.contains("altitudes")),
            "{:?}",
            p.notes
        );
        assert!(
            p.notes
                .iter()
                .any(|n| n.contains("1 placemarks without geometry")),
            "{:?}",
            p.notes
        );
        assert!(layers[1].notes.iter().any(|n| n.contains("split")));
    }

    #[test]
    fn malformed_input_is_an_error_naming_what_is_wrong() {
        let err = |b: &[u8]| read(b).unwrap_err().to_string();
        let e = err(b"this is not xml");
        assert!(
            e.contains("not a KML file") || e.contains("not well-formed"),
            "{e}"
        );
        let e =
            err(b"<?xml version=\"1.0\"?><gpx xmlns=\"http://www.topografix.com/GPX/1/1\"></gpx>");
        assert!(e.contains("<gpx>") && e.contains(" / "), "{e}");
        let e = err(b"<kml xmlns=\"http://example.com/other\"></kml>");
        assert!(e.contains("http://example.com/other"), "{e}");
        let e = err(
            b"<kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document><Placemark></Document></kml>",
        );
        assert!(e.contains("not well-formed XML"), "{e}");
        let e = err(b"<kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document>");
        assert!(e.contains("not well-formed XML"), "{e}");
        assert!(err(b"").contains("no <kml> element"));
        assert!(err(b"PK\x03\x04rest").contains("KMZ"));
        assert!(err(b"<kml>\xff\xfe</kml>").contains("not UTF-8"));
        let e = err(b"<kml><Placemark><name>x</name><Point><coordinates>1,2</coordinates></Point><name>&bogus;</name></Placemark></kml>");
        assert!(e.contains("bogus"), "{e}");
        for (coords, why) in [
            ("105.8;19.5", "missing latitude"),
            ("105.8", "missing latitude"),
            ("abc,19.5", "'abc"),
            ("200,19.5", "out of lon/lat range"),
            ("105.8,19.5 105.9", "missing latitude"),
            ("1e999,1", "'1e999"),
        ] {
            let kml = format!(
                "<kml xmlns=\"http://www.opengis.net/kml/2.2\"><Placemark><name>ok</name><Point><coordinates>1,1</coordinates></Point></Placemark><Placemark><name>Thửa 7</name><Point><coordinates>{coords}</coordinates></Point></Placemark></kml>"
            );
            let e = err(kml.as_bytes());
            assert!(
                e.contains("placemark 2 («Thửa 7»)")
                    && e.contains("placemark 2 (\"Thửa 7\"): bad coordinates")
                    && e.contains(why),
                "{coords}: {e}"
            );
        }
        let e = err(b"<kml><Placemark><Polygon><innerBoundaryIs><LinearRing><coordinates>0,0 1,0 1,1 0,0</coordinates></LinearRing></innerBoundaryIs></Polygon></Placemark></kml>");
        assert!(e.contains("outerBoundaryIs"), "{e}");
        let e = err(b"<kml><Placemark><LineString><coordinates>0,0</coordinates></LineString></Placemark></kml>");
        assert!(e.contains("fewer than 2"), "{e}");
    }

    #[test]
    fn writing_refuses_projected_layers_and_bad_coordinates() {
        let mut layers = sample();
        layers[1].srs = None;
        let e = write(Vec::new(), &layers, &KmlOptions { document_name: "x" })
            .unwrap_err()
            .to_string();
        assert!(e.contains("segments") && e.contains("WGS 84"), "{e}");
        let mut layers = sample();
        layers[2].features[1].geometry = Geometry::Point([f64::NAN, 19.5]);
        let e = write(Vec::new(), &layers, &KmlOptions { document_name: "x" })
            .unwrap_err()
            .to_string();
        assert!(e.contains("feature 2 of layer stakes"), "{e}");
    }

    #[test]
    fn names_become_ascii() {
        assert_eq!(ascii_name("Thửa đất / Parcels"), "thua_dat_parcels");
        assert_eq!(ascii_name("ĐƯỜNG Ỷ LAN"), "duong_y_lan");
        assert_eq!(ascii_name("///"), "layer");
        assert_eq!(xml_id("12 ab"), "_12_ab");
    }
}
