//! Writing KML: styles, schemas, folders of placemarks.

use super::*;

/// What the whole file is called in Google Earth's Places panel.
pub struct KmlOptions<'a> {
    pub document_name: &'a str,
}

/// Campaign statuses → web map colour (`web/src/config.js`, STATUS_COLOR).
pub(super) const STATUS_COLORS: &[(&str, [u8; 3])] = &[
    ("not_contacted", [0xc8, 0xc8, 0xc8]),
    ("persuading", [0x56, 0xb4, 0xe9]),
    ("declined", [0xcc, 0x79, 0xa7]),
    ("agreed", [0xf0, 0xe4, 0x42]),
    ("signed", [0x00, 0x72, 0xb2]),
    ("handed_over", [0x00, 0x9e, 0x73]),
];
/// Any other class value: the web map's fallback grey.
pub(super) const OTHER_COLOR: [u8; 3] = [0xc8, 0xc8, 0xc8];
/// Fill opacity (of 255): the map below stays visible.
pub(super) const FILL_ALPHA: u8 = 0x80;

/// Features formatted per parallel task.
pub(super) const CHUNK: usize = 2048;

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
pub(super) fn style_into(buf: &mut Vec<u8>, id: &str, [r, g, b]: [u8; 3]) {
    let solid = format!("ff{b:02x}{g:02x}{r:02x}");
    let fill = format!("{FILL_ALPHA:02x}{b:02x}{g:02x}{r:02x}");
    let _ = write!(
        buf,
        "<Style id=\"{id}\"><IconStyle><color>{solid}</color></IconStyle><LineStyle><color>{solid}</color><width>2</width></LineStyle><PolyStyle><color>{fill}</color></PolyStyle></Style>"
    );
    buf.push(b'\n');
}

pub(super) fn placemark(
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
pub(super) fn coords_into(buf: &mut Vec<u8>, pts: &[Pt]) {
    for (i, p) in pts.iter().enumerate() {
        if i > 0 {
            buf.push(b' ');
        }
        fixed9(buf, p[0]);
        buf.push(b',');
        fixed9(buf, p[1]);
    }
}

pub(super) fn fixed9(buf: &mut Vec<u8>, x: f64) {
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
pub(super) fn escape_into(buf: &mut Vec<u8>, s: &str) {
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
pub(super) fn html_escape_into(buf: &mut Vec<u8>, s: &str) {
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
pub(super) fn xml_id(s: &str) -> String {
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
