//! ESRI Shapefile: writes a [`Layer`] as a zip of `.shp/.shx/.dbf/.prj/.cpg`
//! and reads shapefiles (a zip, a folder or a `.shp`) back into layers.
//!
//! The three binary files are hand-written (they are short, fixed formats:
//! the ESRI Shapefile Technical Description, 1998, and dBASE III): the
//! `shapefile`/`dbase` crates decode text themselves, so the raw .dbf bytes
//! could not be read as TCVN3/VNI, and a hand-written pass is also what
//! makes a 100k-parcel ward fast (one buffer per file, no per-value
//! allocation when writing). The `zip` crate does the archive.
//!
//! Writing: polygons → shape type 5 (exterior rings clockwise, holes
//! counter-clockwise, as the spec wants: rings are reversed as needed),
//! lines → 3, points → 1. dBASE III table: Text → `C` as wide as the
//! longest value in bytes (≤ 254; longer values are cut at a character
//! boundary, with a note), Real → `N(19,6)` (0.000001: below 0.01 m² for
//! areas, ~0.1 m for degrees; whole part up to 12 digits), Integer →
//! `N(18,0)`; nulls blank; language driver byte 0 plus a `.cpg` saying
//! UTF-8, which is what GDAL/QGIS/ArcGIS look for. `.prj` is `srs.wkt` as
//! given. Empty strings are written blank and so read back as null.
//!
//! Reading: shape types 1/3/5/8 and their Z and M variants (x, y kept);
//! polygon rings grouped as GDAL does (clockwise rings are exteriors; a
//! counter-clockwise ring is a hole of the smallest exterior holding it,
//! else a polygon of its own); a MultiPoint record becomes one feature per
//! point (a note says so). `.dbf` fields: `C` → Text (trimmed; blank → null),
//! `N`/`F` → Integer when 0 decimals and width ≤ 18, else Real (blank or
//! `*`-filled, GDAL's null, → null), `L` →
//! Integer 0/1, `D` → Text `YYYY-MM-DD`; other types (memo, binary) are
//! skipped with a note; deleted records are skipped with their shapes.
//! Text encoding: forced by the caller, else the `.cpg`, else UTF-8 when
//! all text is valid UTF-8, else TCVN3/VNI when [`legacy_vn::detect`]
//! recognises it, else Windows-1252, each non-UTF-8 choice with a note.
//!
//! Left out: writing multipoints, Z/M values, null shapes (a feature
//! without geometry is an error), .shx-based random access (the .shp is
//! read in sequence; a missing .shx is fine), .sbn/.qix indexes, .dbt memo
//! files, the dBASE language-driver byte as an encoding hint (legacy
//! Vietnamese files carry 0 or 0x57 whatever their encoding).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::layer::{
    Feature, Field, FieldKind, FormatError, GeomKind, Geometry, Layer, Pt, Srs, Value,
};
use super::legacy_vn::{self, Legacy};

/// The text encoding of a .dbf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Legacy(Legacy),
    /// Windows-1252 (a superset of printable ISO-8859-1).
    Latin1,
    /// Windows-1258, Vietnamese Windows (combining tone marks).
    Cp1258,
}

impl Encoding {
    /// Reads an encoding name as a user flag or a .cpg gives it: `UTF-8`,
    /// `65001`, `1252`, `LATIN1`, `ISO-8859-1`, `1258`, `TCVN3`, `ABC`,
    /// `VNI`, … (case and punctuation ignored).
    pub fn from_name(name: &str) -> Option<Encoding> {
        let n: String = name
            .trim()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        Some(match n.as_str() {
            "UTF8" | "65001" | "UNICODE" => Encoding::Utf8,
            "1252" | "CP1252" | "WINDOWS1252" | "ANSI1252" | "LATIN1" | "ISO88591" | "88591" => {
                Encoding::Latin1
            }
            "1258" | "CP1258" | "WINDOWS1258" | "ANSI1258" => Encoding::Cp1258,
            _ if n.contains("TCVN") || n == "ABC" || n == "VN3" => Encoding::Legacy(Legacy::Tcvn3),
            _ if n.starts_with("VNI") => Encoding::Legacy(Legacy::Vni),
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Legacy(l) => l.name(),
            Encoding::Latin1 => "Windows-1252",
            Encoding::Cp1258 => "Windows-1258",
        }
    }

    fn decode(self, bytes: &[u8]) -> String {
        match self {
            Encoding::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            Encoding::Legacy(l) => legacy_vn::decode(bytes, l),
            Encoding::Latin1 => legacy_vn::decode_windows1252(bytes),
            Encoding::Cp1258 => legacy_vn::decode_windows1258(bytes),
        }
    }
}

fn invalid(vi: impl AsRef<str>, en: impl AsRef<str>) -> FormatError {
    FormatError::Invalid(format!("{} / {}", vi.as_ref(), en.as_ref()))
}

// ===========================================================================
// Writing

/// A zip holding `<layer.name>.shp/.shx/.dbf/.cpg` and `.prj` (when the
/// layer has a CRS). Notes about the written data (text cut to 254 bytes)
/// are dropped: use [`write_zip_layers`] to get them.
pub fn write_zip<W: Write + Seek>(w: W, layer: &Layer) -> Result<(), FormatError> {
    write_zip_layers(w, &[layer]).map(|_| ())
}

/// A zip holding one shapefile per layer (distinct names needed). Returns
/// notes for the user, in Vietnamese then English.
pub fn write_zip_layers<W: Write + Seek>(
    w: W,
    layers: &[&Layer],
) -> Result<Vec<String>, FormatError> {
    let mut zip = zip::ZipWriter::new(w);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        // fast deflate: the files are compressible and the zip is a
        // transport, not an archive
        .compression_level(Some(1));
    let mut notes = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for layer in layers {
        let name = &layer.name;
        if name.is_empty() || name.contains(['/', '\\', '\0']) || name.starts_with('.') {
            return Err(invalid(
                format!("tên lớp \"{name}\" không dùng được làm tên tệp"),
                format!("layer name \"{name}\" cannot be a file name"),
            ));
        }
        if names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            return Err(invalid(
                format!("hai lớp cùng tên \"{name}\""),
                format!("two layers named \"{name}\""),
            ));
        }
        names.push(name.clone());
        let files = build(layer, None)?;
        notes.extend(files.notes);
        let mut parts: Vec<(&str, &[u8])> = vec![
            ("shp", &files.shp),
            ("shx", &files.shx),
            ("dbf", &files.dbf),
            ("cpg", files.cpg.as_bytes()),
        ];
        if let Some(prj) = &files.prj {
            parts.push(("prj", prj.as_bytes()));
        }
        for (ext, bytes) in parts {
            let big = bytes.len() as u64 >= zip::ZIP64_BYTES_THR;
            zip.start_file(format!("{name}.{ext}"), opts.large_file(big))
                .map_err(zip_err)?;
            zip.write_all(bytes)?;
        }
    }
    zip.finish().map_err(zip_err)?;
    Ok(notes)
}

fn zip_err(e: zip::result::ZipError) -> FormatError {
    match e {
        zip::result::ZipError::Io(e) => FormatError::Io(e),
        e => invalid(format!("lỗi tệp nén: {e}"), format!("zip error: {e}")),
    }
}

/// The files of one shapefile, in memory.
struct Files {
    shp: Vec<u8>,
    shx: Vec<u8>,
    dbf: Vec<u8>,
    cpg: &'static str,
    prj: Option<String>,
    notes: Vec<String>,
}

/// Builds the files of a layer; text in UTF-8, or in `legacy` (for test
/// fixtures of old land-office files; no .cpg then).
fn build(layer: &Layer, legacy: Option<Legacy>) -> Result<Files, FormatError> {
    let (shp, shx) = write_shapes(layer)?;
    let mut notes = Vec::new();
    let dbf = write_dbf(layer, legacy, &mut notes)?;
    Ok(Files {
        shp,
        shx,
        dbf,
        cpg: if legacy.is_some() { "" } else { "UTF-8" },
        prj: layer.srs.as_ref().map(|s| s.wkt.clone()),
        notes,
    })
}

/// Feature number as the user sees it (1-based) and its label, if any.
fn feature_name(layer: &Layer, i: usize) -> String {
    let label = layer.label_field.and_then(|f| {
        layer
            .features
            .get(i)?
            .values
            .get(f)?
            .as_text()
            .map(|t| t.into_owned())
    });
    match label {
        Some(l) => format!("{} ({l})", i + 1),
        None => (i + 1).to_string(),
    }
}

/// Twice the signed area (positive: counter-clockwise, y up), from the
/// first point so projected coordinates keep their precision.
fn signed_area2(r: &[Pt]) -> f64 {
    let Some(&o) = r.first() else { return 0.0 };
    let mut s = 0.0;
    for w in r.windows(2) {
        let (a, b) = (w[0], w[1]);
        s += (a[0] - o[0]) * (b[1] - o[1]) - (b[0] - o[0]) * (a[1] - o[1]);
    }
    s
}

fn write_shapes(layer: &Layer) -> Result<(Vec<u8>, Vec<u8>), FormatError> {
    let n = layer.features.len();
    let shape_type: i32 = match layer.kind {
        GeomKind::Point => 1,
        GeomKind::Line => 3,
        GeomKind::Polygon => 5,
    };
    let file = format!("{}.shp", layer.name);
    let mut shp = Vec::with_capacity(100 + n * 200);
    let mut shx = Vec::with_capacity(100 + n * 8);
    shp.resize(100, 0);
    shx.resize(100, 0);
    let mut bbox = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    // one ring/line, oriented and closed as written
    let mut parts: Vec<Cow<'_, [Pt]>> = Vec::new();
    for (i, f) in layer.features.iter().enumerate() {
        let what = || feature_name(layer, i);
        if f.geometry.kind() != layer.kind {
            return Err(invalid(
                format!("đối tượng {} của {file} có hình khác kiểu của lớp", what()),
                format!(
                    "feature {} of {file} has a geometry of another kind than its layer",
                    what()
                ),
            ));
        }
        parts.clear();
        match &f.geometry {
            Geometry::Point(_) => {}
            Geometry::Lines(ls) => {
                for l in ls {
                    if l.len() < 2 {
                        return Err(invalid(
                            format!("đối tượng {} của {file}: đường có ít hơn 2 điểm", what()),
                            format!(
                                "feature {} of {file}: a line with fewer than 2 points",
                                what()
                            ),
                        ));
                    }
                    parts.push(Cow::Borrowed(l.as_slice()));
                }
            }
            Geometry::Polygons(ps) => {
                for p in ps {
                    for (k, r) in p.iter().enumerate() {
                        let mut ring = Cow::Borrowed(r.as_slice());
                        if let (Some(a), Some(b)) = (r.first(), r.last())
                            && a != b
                        {
                            ring.to_mut().push(*a);
                        }
                        if ring.len() < 4 {
                            return Err(invalid(
                                format!("đối tượng {} của {file}: vòng có ít hơn 3 đỉnh", what()),
                                format!(
                                    "feature {} of {file}: a ring with fewer than 3 vertices",
                                    what()
                                ),
                            ));
                        }
                        // exterior clockwise, holes counter-clockwise
                        let ccw = signed_area2(&ring) > 0.0;
                        if ccw == (k == 0) {
                            ring.to_mut().reverse();
                        }
                        parts.push(ring);
                    }
                }
            }
        }
        let offset = shp.len();
        let mut rb = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        let mut grow = |p: &Pt| -> bool {
            rb = [
                rb[0].min(p[0]),
                rb[1].min(p[1]),
                rb[2].max(p[0]),
                rb[3].max(p[1]),
            ];
            p[0].is_finite() && p[1].is_finite()
        };
        let finite = match &f.geometry {
            Geometry::Point(p) => grow(p),
            _ => parts.iter().flat_map(|r| r.iter()).all(&mut grow),
        };
        if !finite {
            return Err(invalid(
                format!("đối tượng {} của {file} có tọa độ không hữu hạn", what()),
                format!("feature {} of {file} has a non-finite coordinate", what()),
            ));
        }
        if parts.is_empty() && !matches!(f.geometry, Geometry::Point(_)) {
            return Err(invalid(
                format!("đối tượng {} của {file} không có hình", what()),
                format!("feature {} of {file} has no geometry", what()),
            ));
        }
        bbox = [
            bbox[0].min(rb[0]),
            bbox[1].min(rb[1]),
            bbox[2].max(rb[2]),
            bbox[3].max(rb[3]),
        ];
        let n_points: usize = parts.iter().map(|r| r.len()).sum();
        let content = match f.geometry {
            Geometry::Point(_) => 20,
            _ => 44 + 4 * parts.len() + 16 * n_points,
        };
        let (Ok(rec_no), Ok(len_words), Ok(off_words)) = (
            i32::try_from(i + 1),
            i32::try_from(content / 2),
            i32::try_from(offset / 2),
        ) else {
            return Err(invalid(
                format!("{file} vượt quá giới hạn 4 GB của shapefile"),
                format!("{file} exceeds the shapefile limit of 4 GB"),
            ));
        };
        shx.extend(off_words.to_be_bytes());
        shx.extend(len_words.to_be_bytes());
        shp.extend(rec_no.to_be_bytes());
        shp.extend(len_words.to_be_bytes());
        shp.extend(shape_type.to_le_bytes());
        match &f.geometry {
            Geometry::Point(p) => {
                shp.extend(p[0].to_le_bytes());
                shp.extend(p[1].to_le_bytes());
            }
            _ => {
                for v in rb {
                    shp.extend(v.to_le_bytes());
                }
                shp.extend((parts.len() as i32).to_le_bytes());
                shp.extend((n_points as i32).to_le_bytes());
                let mut start = 0i32;
                for r in &parts {
                    shp.extend(start.to_le_bytes());
                    start += r.len() as i32;
                }
                for p in parts.iter().flat_map(|r| r.iter()) {
                    shp.extend(p[0].to_le_bytes());
                    shp.extend(p[1].to_le_bytes());
                }
            }
        }
    }
    if n == 0 {
        bbox = [0.0; 4];
    }
    let shp_words = i32::try_from(shp.len() / 2).map_err(|_| {
        invalid(
            format!("{file} vượt quá giới hạn 4 GB của shapefile"),
            format!("{file} exceeds the shapefile limit of 4 GB"),
        )
    })?;
    let shx_words = (shx.len() / 2) as i32;
    for (buf, words) in [(&mut shp, shp_words), (&mut shx, shx_words)] {
        let mut h = [0u8; 100];
        h[0..4].copy_from_slice(&9994i32.to_be_bytes());
        h[24..28].copy_from_slice(&words.to_be_bytes());
        h[28..32].copy_from_slice(&1000i32.to_le_bytes());
        h[32..36].copy_from_slice(&shape_type.to_le_bytes());
        for (k, v) in bbox.iter().enumerate() {
            h[36 + 8 * k..44 + 8 * k].copy_from_slice(&v.to_le_bytes());
        }
        buf[..100].copy_from_slice(&h);
    }
    Ok((shp, shx))
}

/// DBF widths: text as needed (≤ 254), reals N(19,6), integers N(18,0).
const REAL_WIDTH: usize = 19;
const REAL_DECIMALS: usize = 6;
const INT_WIDTH: usize = 18;
const MAX_TEXT: usize = 254;

/// The longest prefix of `s` of at most `max` bytes ending on a character
/// boundary.
fn cut_utf8(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A text cell's bytes in the table's encoding (`None` when blank).
fn text_bytes<'a>(
    v: &'a Value,
    legacy: Option<Legacy>,
    what: &dyn Fn() -> String,
) -> Result<Option<Cow<'a, [u8]>>, FormatError> {
    let Some(t) = v.as_text() else {
        return Ok(None);
    };
    Ok(Some(match (legacy, t) {
        (None, Cow::Borrowed(s)) => Cow::Borrowed(s.as_bytes()),
        (None, Cow::Owned(s)) => Cow::Owned(s.into_bytes()),
        (Some(l), t) => Cow::Owned(legacy_vn::encode(&t, l).ok_or_else(|| {
            invalid(
                format!("{}: không mã hóa được bằng {}", what(), l.name()),
                format!("{}: cannot be encoded in {}", what(), l.name()),
            )
        })?),
    }))
}

fn write_dbf(
    layer: &Layer,
    legacy: Option<Legacy>,
    notes: &mut Vec<String>,
) -> Result<Vec<u8>, FormatError> {
    let file = format!("{}.dbf", layer.name);
    // field names
    for (k, f) in layer.fields.iter().enumerate() {
        let bad =
            f.name.is_empty() || f.name.len() > 10 || !f.name.is_ascii() || f.name.contains('\0');
        if bad {
            return Err(invalid(
                format!(
                    "tên trường \"{}\" của {file} phải gồm 1–10 ký tự ASCII",
                    f.name
                ),
                format!(
                    "field name \"{}\" of {file} must be 1–10 ASCII characters",
                    f.name
                ),
            ));
        }
        if layer.fields[..k]
            .iter()
            .any(|g| g.name.eq_ignore_ascii_case(&f.name))
        {
            return Err(invalid(
                format!("trường \"{}\" của {file} bị trùng tên", f.name),
                format!("field \"{}\" of {file} appears twice", f.name),
            ));
        }
    }
    for (i, feat) in layer.features.iter().enumerate() {
        if feat.values.len() != layer.fields.len() {
            return Err(invalid(
                format!(
                    "đối tượng {} của {file} có {} giá trị cho {} trường",
                    feature_name(layer, i),
                    feat.values.len(),
                    layer.fields.len()
                ),
                format!(
                    "feature {} of {file} has {} values for {} fields",
                    feature_name(layer, i),
                    feat.values.len(),
                    layer.fields.len()
                ),
            ));
        }
    }
    let cell_name = |i: usize, k: usize| {
        let f = &layer.fields[k].name;
        format!(
            "đối tượng {}, trường {f} / feature {}, field {f}",
            feature_name(layer, i),
            feature_name(layer, i)
        )
    };
    // widths: text fields as wide as their longest value
    let mut widths = Vec::with_capacity(layer.fields.len());
    for (k, f) in layer.fields.iter().enumerate() {
        widths.push(match f.kind {
            FieldKind::Real => REAL_WIDTH,
            FieldKind::Integer => INT_WIDTH,
            FieldKind::Text => {
                let mut w = 1;
                let mut cut = 0usize;
                for (i, feat) in layer.features.iter().enumerate() {
                    let what = || cell_name(i, k);
                    if let Some(b) = text_bytes(&feat.values[k], legacy, &what)? {
                        cut += usize::from(b.len() > MAX_TEXT);
                        w = w.max(b.len().min(MAX_TEXT));
                    }
                }
                if cut > 0 {
                    notes.push(format!(
                        "{file}: {cut} giá trị của trường {0} dài quá 254 byte, đã bị cắt / \
                         {file}: {cut} values of field {0} longer than 254 bytes were cut",
                        f.name
                    ));
                }
                w
            }
        });
    }
    let header_len = 32 + 32 * layer.fields.len() + 1;
    let rec_len = 1 + widths.iter().sum::<usize>();
    let (Ok(header_len16), Ok(rec_len16), Ok(n_records)) = (
        u16::try_from(header_len),
        u16::try_from(rec_len),
        u32::try_from(layer.features.len()),
    ) else {
        return Err(invalid(
            format!("{file}: quá nhiều trường hoặc bản ghi quá dài cho dBASE"),
            format!("{file}: too many fields or records too long for dBASE"),
        ));
    };
    let mut out = Vec::with_capacity(header_len + rec_len * layer.features.len() + 1);
    let today = chrono::Utc::now().date_naive();
    use chrono::Datelike;
    out.push(0x03);
    out.push(u8::try_from(today.year() - 1900).unwrap_or(0));
    out.push(today.month() as u8);
    out.push(today.day() as u8);
    out.extend(n_records.to_le_bytes());
    out.extend(header_len16.to_le_bytes());
    out.extend(rec_len16.to_le_bytes());
    out.extend([0u8; 20]); // reserved; byte 29 (language driver) = 0
    for (f, &w) in layer.fields.iter().zip(&widths) {
        let mut d = [0u8; 32];
        d[..f.name.len()].copy_from_slice(f.name.as_bytes());
        let (t, dec) = match f.kind {
            FieldKind::Text => (b'C', 0),
            FieldKind::Real => (b'N', REAL_DECIMALS as u8),
            FieldKind::Integer => (b'N', 0),
        };
        d[11] = t;
        d[16] = w as u8;
        d[17] = dec;
        out.extend(d);
    }
    out.push(0x0D);
    let mut num = String::with_capacity(32);
    for (i, feat) in layer.features.iter().enumerate() {
        out.push(b' ');
        for (k, (f, &w)) in layer.fields.iter().zip(&widths).enumerate() {
            let v = &feat.values[k];
            let what = || cell_name(i, k);
            num.clear();
            match f.kind {
                FieldKind::Text => {
                    let b = text_bytes(v, legacy, &what)?;
                    let b: &[u8] = match &b {
                        None => b"",
                        Some(b) if legacy.is_none() => {
                            // valid UTF-8 by construction
                            let s = std::str::from_utf8(b).unwrap_or("");
                            cut_utf8(s, MAX_TEXT).as_bytes()
                        }
                        Some(b) => &b[..b.len().min(MAX_TEXT)],
                    };
                    out.extend_from_slice(b);
                    out.resize(out.len() + (w - b.len()), b' ');
                    continue;
                }
                FieldKind::Real => {
                    if let Some(x) = number(v, &what)?.filter(|x| x.is_finite()) {
                        let _ = write!(num, "{x:>REAL_WIDTH$.REAL_DECIMALS$}");
                    }
                }
                FieldKind::Integer => match v {
                    Value::Integer(n) => {
                        let _ = write!(num, "{n:>INT_WIDTH$}");
                    }
                    _ => {
                        if let Some(x) = number(v, &what)? {
                            if x.fract() != 0.0 || x.abs() >= 1e17 {
                                return Err(invalid(
                                    format!("{}: {x} không phải số nguyên", what()),
                                    format!("{}: {x} is not an integer", what()),
                                ));
                            }
                            let _ = write!(num, "{:>INT_WIDTH$}", x as i64);
                        }
                    }
                },
            }
            if num.len() > w {
                return Err(invalid(
                    format!("{}: {} quá lớn cho trường {w} ký tự", what(), num.trim()),
                    format!(
                        "{}: {} is too large for a {w}-character field",
                        what(),
                        num.trim()
                    ),
                ));
            }
            out.resize(out.len() + (w - num.len()), b' ');
            out.extend_from_slice(num.as_bytes());
        }
    }
    out.push(0x1A);
    Ok(out)
}

/// A numeric cell's number; `None` when null or blank.
fn number(v: &Value, what: &dyn Fn() -> String) -> Result<Option<f64>, FormatError> {
    match v {
        Value::Null => Ok(None),
        Value::Text(s) if s.trim().is_empty() => Ok(None),
        _ => v.as_f64().map(Some).ok_or_else(|| {
            invalid(
                format!("{}: \"{v}\" không phải số", what()),
                format!("{}: \"{v}\" is not a number", what()),
            )
        }),
    }
}

// ===========================================================================
// Reading

/// One shapefile's parts, read into memory.
struct Source {
    /// The layer name: the file stem.
    stem: String,
    shp: Vec<u8>,
    dbf: Vec<u8>,
    prj: Option<Vec<u8>>,
    cpg: Option<Vec<u8>>,
}

/// Reads shapefiles: `path` is a .zip (it may hold several shapefiles,
/// possibly in sub-folders), a folder (its .shp files, not its
/// sub-folders), or a .shp (or its .dbf). `encoding`: the .dbf text
/// encoding forced by the user, else the .cpg's, else detected. One layer
/// per shapefile, ordered by path.
pub fn read(path: &Path, encoding: Option<Encoding>) -> Result<Vec<Layer>, FormatError> {
    let shown = path.display().to_string();
    let open_err = |e: std::io::Error| {
        invalid(
            format!("không mở được {shown}: {e}"),
            format!("cannot open {shown}: {e}"),
        )
    };
    let meta = std::fs::metadata(path).map_err(open_err)?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let sources = if meta.is_dir() {
        dir_sources(path)?
    } else if ext == "zip" {
        let f = std::fs::File::open(path).map_err(open_err)?;
        return read_zip(std::io::BufReader::new(f), &file_name(path), encoding);
    } else if ext == "shp" || ext == "dbf" {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let siblings = siblings(dir)?;
        let src = siblings
            .into_iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(stem))
            .map(|(k, parts)| parts_to_source(&k, parts))
            .unwrap_or_else(|| {
                Err(invalid(
                    format!("thiếu tệp {stem}.shp"),
                    format!("{stem}.shp is missing"),
                ))
            })?;
        vec![src]
    } else {
        return Err(invalid(
            format!("{shown} không phải tệp .zip, .shp hay thư mục"),
            format!("{shown} is not a .zip, a .shp or a folder"),
        ));
    };
    sources
        .into_iter()
        .map(|s| layer_from(s, encoding))
        .collect()
}

/// Reads the shapefiles of a zip (e.g. an upload); `name` names it in
/// messages.
pub fn read_zip<R: Read + Seek>(
    r: R,
    name: &str,
    encoding: Option<Encoding>,
) -> Result<Vec<Layer>, FormatError> {
    let bad = |e: zip::result::ZipError| {
        invalid(
            format!("{name} không phải tệp nén zip đọc được: {e}"),
            format!("{name} is not a readable zip: {e}"),
        )
    };
    let mut zip = zip::ZipArchive::new(r).map_err(bad)?;
    // group entries by path without extension (case-insensitive)
    let mut groups: BTreeMap<String, (String, BTreeMap<String, usize>)> = BTreeMap::new();
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(bad)?;
        if entry.is_dir() {
            continue;
        }
        let Ok(path) = entry.name().map(|n| n.into_owned()) else {
            continue;
        };
        let base = path.rsplit('/').next().unwrap_or(&path);
        if path.starts_with("__MACOSX/") || base.starts_with("._") {
            continue;
        }
        let Some((stem_path, ext)) = path.rsplit_once('.') else {
            continue;
        };
        let stem = stem_path
            .rsplit('/')
            .next()
            .unwrap_or(stem_path)
            .to_string();
        let g = groups
            .entry(stem_path.to_lowercase())
            .or_insert_with(|| (stem, BTreeMap::new()));
        g.1.insert(ext.to_ascii_lowercase(), i);
    }
    let mut sources = Vec::new();
    for (_, (stem, parts)) in groups {
        let Some(&shp_i) = parts.get("shp") else {
            continue;
        };
        let Some(&dbf_i) = parts.get("dbf") else {
            return Err(invalid(
                format!("{name}: thiếu tệp {stem}.dbf đi kèm {stem}.shp"),
                format!("{name}: {stem}.dbf is missing next to {stem}.shp"),
            ));
        };
        let mut read_entry = |i: usize| -> Result<Vec<u8>, FormatError> {
            let mut e = zip.by_index(i).map_err(bad)?;
            let mut v = Vec::with_capacity(usize::try_from(e.size()).unwrap_or(0).min(1 << 28));
            e.read_to_end(&mut v).map_err(|err| {
                invalid(
                    format!("{name}: không giải nén được {stem}: {err}"),
                    format!("{name}: cannot unzip {stem}: {err}"),
                )
            })?;
            Ok(v)
        };
        sources.push(Source {
            shp: read_entry(shp_i)?,
            dbf: read_entry(dbf_i)?,
            prj: parts.get("prj").map(|&i| read_entry(i)).transpose()?,
            cpg: parts.get("cpg").map(|&i| read_entry(i)).transpose()?,
            stem,
        });
    }
    if sources.is_empty() {
        return Err(invalid(
            format!("tệp nén {name} không chứa tệp .shp nào"),
            format!("zip {name} holds no .shp file"),
        ));
    }
    sources
        .into_iter()
        .map(|s| layer_from(s, encoding))
        .collect()
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// A folder's files grouped by stem: stem → extension (lower case) → path.
fn siblings(dir: &Path) -> Result<BTreeMap<String, BTreeMap<String, PathBuf>>, FormatError> {
    let shown = dir.display();
    let rd = std::fs::read_dir(dir).map_err(|e| {
        invalid(
            format!("không đọc được thư mục {shown}: {e}"),
            format!("cannot read folder {shown}: {e}"),
        )
    })?;
    let mut out: BTreeMap<String, BTreeMap<String, PathBuf>> = BTreeMap::new();
    for e in rd.flatten() {
        let p = e.path();
        if !p.is_file() {
            continue;
        }
        let (Some(stem), Some(ext)) = (
            p.file_stem().and_then(|s| s.to_str()),
            p.extension().and_then(|s| s.to_str()),
        ) else {
            continue;
        };
        // group case-insensitively, keeping the .shp's spelling of the stem
        let key = out
            .keys()
            .find(|k| k.eq_ignore_ascii_case(stem))
            .cloned()
            .unwrap_or_else(|| stem.to_string());
        let mut group = out.remove(&key).unwrap_or_default();
        let ext = ext.to_ascii_lowercase();
        let key = if ext == "shp" { stem.to_string() } else { key };
        group.insert(ext, p);
        out.insert(key, group);
    }
    Ok(out)
}

fn dir_sources(dir: &Path) -> Result<Vec<Source>, FormatError> {
    let mut sources = Vec::new();
    for (stem, parts) in siblings(dir)? {
        if parts.contains_key("shp") {
            sources.push(parts_to_source(&stem, parts)?);
        }
    }
    if sources.is_empty() {
        let shown = dir.display();
        return Err(invalid(
            format!("thư mục {shown} không chứa tệp .shp nào"),
            format!("folder {shown} holds no .shp file"),
        ));
    }
    Ok(sources)
}

fn parts_to_source(stem: &str, parts: BTreeMap<String, PathBuf>) -> Result<Source, FormatError> {
    let read = |p: &PathBuf| {
        std::fs::read(p).map_err(|e| {
            let shown = p.display();
            invalid(
                format!("không đọc được {shown}: {e}"),
                format!("cannot read {shown}: {e}"),
            )
        })
    };
    let need = |ext: &str| {
        parts.get(ext).ok_or_else(|| {
            invalid(
                format!("thiếu tệp {stem}.{ext}"),
                format!("{stem}.{ext} is missing"),
            )
        })
    };
    Ok(Source {
        stem: stem.to_string(),
        shp: read(need("shp")?)?,
        dbf: read(need("dbf")?)?,
        prj: parts.get("prj").map(read).transpose()?,
        cpg: parts.get("cpg").map(read).transpose()?,
    })
}

// ---------------------------------------------------------------------------
// .shp

/// One .shp record.
enum Shape {
    Null,
    Geom(Geometry),
    MultiPoint(Vec<Pt>),
}

fn be_i32(d: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_be_bytes(d.get(at..at + 4)?.try_into().ok()?))
}
fn le_i32(d: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_le_bytes(d.get(at..at + 4)?.try_into().ok()?))
}
fn le_f64(d: &[u8], at: usize) -> Option<f64> {
    Some(f64::from_le_bytes(d.get(at..at + 8)?.try_into().ok()?))
}

/// The family of a shape type: 1 point, 3 line, 5 polygon, 8 multipoint
/// (Z and M variants folded); `None` for null (0) and others.
fn family(t: i32) -> Option<i32> {
    match t {
        1 | 11 | 21 => Some(1),
        3 | 13 | 23 => Some(3),
        5 | 15 | 25 => Some(5),
        8 | 18 | 28 => Some(8),
        _ => None,
    }
}

fn parse_shp(data: &[u8], file: &str) -> Result<(GeomKind, Vec<Shape>), FormatError> {
    let header = (be_i32(data, 0), be_i32(data, 24), le_i32(data, 32));
    let (Some(9994), Some(words), Some(ty)) = header else {
        return Err(invalid(
            format!("{file} không phải tệp shapefile (tiêu đề sai hoặc thiếu)"),
            format!("{file} is not a shapefile (bad or missing header)"),
        ));
    };
    let fam = family(ty).ok_or_else(|| {
        invalid(
            format!("{file}: kiểu hình {ty} không được hỗ trợ"),
            format!("{file}: shape type {ty} is not supported"),
        )
    })?;
    let kind = match fam {
        1 | 8 => GeomKind::Point,
        3 => GeomKind::Line,
        _ => GeomKind::Polygon,
    };
    let declared = usize::try_from(words)
        .unwrap_or(0)
        .saturating_mul(2)
        .max(100);
    let end = declared.min(data.len());
    let mut shapes = Vec::with_capacity((end / 64).min(1 << 20));
    let mut pos = 100;
    let mut n = 0usize;
    let truncated = |n: usize| {
        invalid(
            format!("bản ghi {n} của {file} bị cắt cụt"),
            format!("record {n} of {file} is truncated"),
        )
    };
    while pos < end {
        n += 1;
        let len = be_i32(data, pos + 4).ok_or_else(|| truncated(n))?;
        let len = usize::try_from(len).map_err(|_| {
            invalid(
                format!("bản ghi {n} của {file} có độ dài âm"),
                format!("record {n} of {file} has a negative length"),
            )
        })?;
        let start = pos + 8;
        let content = start
            .checked_add(len * 2)
            .and_then(|e| data.get(start..e))
            .ok_or_else(|| truncated(n))?;
        shapes.push(parse_record(content, fam, n, file)?);
        pos = start + len * 2;
    }
    if declared > data.len() {
        return Err(truncated(n + 1));
    }
    Ok((kind, shapes))
}

fn parse_record(c: &[u8], fam: i32, n: usize, file: &str) -> Result<Shape, FormatError> {
    let bad = |what: &str, en: &str| {
        invalid(
            format!("bản ghi {n} của {file} {what}"),
            format!("record {n} of {file} {en}"),
        )
    };
    let short = || bad("bị cắt cụt", "is truncated");
    let ty = le_i32(c, 0).ok_or_else(short)?;
    if ty == 0 {
        return Ok(Shape::Null);
    }
    if family(ty) != Some(fam) {
        return Err(bad(
            &format!("có kiểu hình {ty}, khác kiểu của tệp"),
            &format!("has shape type {ty}, not the file's"),
        ));
    }
    let finite = |p: &Pt| p[0].is_finite() && p[1].is_finite();
    let nonfinite = || bad("có tọa độ không hữu hạn", "has a non-finite coordinate");
    let points = |at: usize, count: usize| -> Result<Vec<Pt>, FormatError> {
        let bytes = count
            .checked_mul(16)
            .and_then(|l| c.get(at..at.checked_add(l)?))
            .ok_or_else(short)?;
        let pts: Vec<Pt> = bytes
            .chunks_exact(16)
            .map(|b| {
                let x = le_f64(b, 0).unwrap_or(f64::NAN);
                let y = le_f64(b, 8).unwrap_or(f64::NAN);
                [x, y]
            })
            .collect();
        if pts.iter().all(finite) {
            Ok(pts)
        } else {
            Err(nonfinite())
        }
    };
    let count = |at: usize| -> Result<usize, FormatError> {
        let v = le_i32(c, at).ok_or_else(short)?;
        usize::try_from(v).map_err(|_| bad("có số phần/điểm âm", "has a negative part/point count"))
    };
    match fam {
        1 => {
            let p = [
                le_f64(c, 4).ok_or_else(short)?,
                le_f64(c, 12).ok_or_else(short)?,
            ];
            if !finite(&p) {
                return Err(nonfinite());
            }
            Ok(Shape::Geom(Geometry::Point(p)))
        }
        8 => {
            let np = count(36)?;
            Ok(Shape::MultiPoint(points(40, np)?))
        }
        _ => {
            let (nparts, np) = (count(36)?, count(40)?);
            if nparts == 0 || np == 0 {
                return Ok(Shape::Null);
            }
            let at = nparts
                .checked_mul(4)
                .and_then(|l| l.checked_add(44))
                .ok_or_else(short)?;
            let pts = points(at, np)?;
            let mut starts = Vec::with_capacity(nparts + 1);
            for k in 0..nparts {
                starts.push(count(44 + 4 * k)?);
            }
            starts.push(np);
            if starts[0] != 0 || starts.windows(2).any(|w| w[0] >= w[1]) {
                return Err(bad(
                    "có chỉ số phần không hợp lệ",
                    "has invalid part indexes",
                ));
            }
            let parts: Vec<Vec<Pt>> = starts
                .windows(2)
                .map(|w| pts[w[0]..w[1]].to_vec())
                .collect();
            if fam == 3 {
                if parts.iter().any(|p| p.len() < 2) {
                    return Err(bad(
                        "có đường ít hơn 2 điểm",
                        "has a line of fewer than 2 points",
                    ));
                }
                Ok(Shape::Geom(Geometry::Lines(parts)))
            } else {
                let mut rings = parts;
                for r in &mut rings {
                    if let (Some(&a), Some(&b)) = (r.first(), r.last())
                        && a != b
                    {
                        r.push(a);
                    }
                    if r.len() < 4 {
                        return Err(bad(
                            "có vòng ít hơn 3 đỉnh",
                            "has a ring of fewer than 3 vertices",
                        ));
                    }
                }
                Ok(Shape::Geom(Geometry::Polygons(group_rings(rings))))
            }
        }
    }
}

fn bbox(r: &[Pt]) -> [f64; 4] {
    r.iter().fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        |b, p| {
            [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ]
        },
    )
}

/// Where `p` lies against a closed ring: `Some(inside)`, or `None` when on
/// its boundary.
fn locate(p: Pt, ring: &[Pt]) -> Option<bool> {
    let mut inside = false;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        let cross = (b[0] - a[0]) * (p[1] - a[1]) - (p[0] - a[0]) * (b[1] - a[1]);
        let scale = (b[0] - a[0]).abs() + (b[1] - a[1]).abs();
        let within = p[0] >= a[0].min(b[0])
            && p[0] <= a[0].max(b[0])
            && p[1] >= a[1].min(b[1])
            && p[1] <= a[1].max(b[1]);
        if within && cross.abs() <= 1e-12 * scale * scale.max(1.0) {
            return None;
        }
        if (a[1] > p[1]) != (b[1] > p[1]) {
            let x = a[0] + (p[1] - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
            if p[0] < x {
                inside = !inside;
            }
        }
    }
    Some(inside)
}

/// Groups a polygon record's rings into polygons: clockwise rings are
/// exteriors; a counter-clockwise ring is a hole of the smallest exterior
/// that holds it, else an exterior of its own (GDAL's reading).
fn group_rings(rings: Vec<Vec<Pt>>) -> Vec<Vec<Vec<Pt>>> {
    if rings.len() == 1 {
        return vec![rings];
    }
    let areas: Vec<f64> = rings.iter().map(|r| signed_area2(r)).collect();
    let boxes: Vec<[f64; 4]> = rings.iter().map(|r| bbox(r)).collect();
    let exteriors: Vec<usize> = (0..rings.len()).filter(|&i| areas[i] <= 0.0).collect();
    // polygon of each ring: its own index for exteriors, the host's for holes
    let mut owner: Vec<usize> = (0..rings.len()).collect();
    for h in (0..rings.len()).filter(|&i| areas[i] > 0.0) {
        let hb = boxes[h];
        let host = exteriors
            .iter()
            .copied()
            .filter(|&e| {
                let eb = boxes[e];
                eb[0] <= hb[0] && eb[1] <= hb[1] && eb[2] >= hb[2] && eb[3] >= hb[3]
            })
            .filter(|&e| {
                rings[h]
                    .iter()
                    .find_map(|&p| locate(p, &rings[e]))
                    .unwrap_or(true)
            })
            .min_by(|&a, &b| areas[a].abs().total_cmp(&areas[b].abs()));
        if let Some(e) = host {
            owner[h] = e;
        }
    }
    let mut polys: Vec<Vec<Vec<Pt>>> = Vec::new();
    let mut slot: Vec<Option<usize>> = vec![None; rings.len()];
    // exteriors (and orphan holes) first, in file order, then holes
    for i in 0..rings.len() {
        if owner[i] == i {
            slot[i] = Some(polys.len());
            polys.push(Vec::with_capacity(1));
        }
    }
    let mut rings: Vec<Option<Vec<Pt>>> = rings.into_iter().map(Some).collect();
    for i in 0..rings.len() {
        if owner[i] == i
            && let (Some(s), Some(r)) = (slot[i], rings[i].take())
        {
            polys[s].push(r);
        }
    }
    for i in 0..rings.len() {
        if let (Some(s), Some(r)) = (slot[owner[i]], rings[i].take()) {
            polys[s].push(r);
        }
    }
    polys
}

// ---------------------------------------------------------------------------
// .dbf

struct DbfField<'a> {
    name: &'a [u8],
    kind: u8,
    offset: usize,
    len: usize,
    decimals: u8,
}

fn trim_bytes(b: &[u8]) -> &[u8] {
    let is_pad = |c: &u8| *c == b' ' || *c == 0;
    let start = b.iter().position(|c| !is_pad(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !is_pad(c)).map_or(start, |e| e + 1);
    &b[start..end]
}

/// Parses the header: fields, record length, and the records' bytes.
#[allow(clippy::type_complexity)]
fn parse_dbf_header<'a>(
    data: &'a [u8],
    file: &str,
) -> Result<(Vec<DbfField<'a>>, usize, usize, &'a [u8]), FormatError> {
    let bad = |vi: &str, en: &str| invalid(format!("{file}: {vi}"), format!("{file}: {en}"));
    let (Some(n4), Some(h2), Some(r2)) = (data.get(4..8), data.get(8..10), data.get(10..12)) else {
        return Err(bad("tiêu đề bị cắt cụt", "header is truncated"));
    };
    let n_records = u32::from_le_bytes([n4[0], n4[1], n4[2], n4[3]]) as usize;
    let header_len = usize::from(u16::from_le_bytes([h2[0], h2[1]]));
    let rec_len = usize::from(u16::from_le_bytes([r2[0], r2[1]]));
    if header_len < 33 || header_len > data.len() || rec_len == 0 {
        return Err(bad("tiêu đề không hợp lệ", "invalid header"));
    }
    let mut fields = Vec::new();
    let mut offset = 1;
    let mut at = 32;
    while at + 32 <= header_len && data.get(at) != Some(&0x0D) {
        let d = &data[at..at + 32];
        let name_end = d[..11].iter().position(|&c| c == 0).unwrap_or(11);
        let len = usize::from(d[16]);
        let f = DbfField {
            name: trim_bytes(&d[..name_end]),
            kind: d[11].to_ascii_uppercase(),
            offset,
            len,
            decimals: d[17],
        };
        offset += len;
        if offset > rec_len {
            return Err(bad(
                &format!(
                    "trường {} vượt quá độ dài bản ghi",
                    String::from_utf8_lossy(f.name)
                ),
                &format!(
                    "field {} runs past the record length",
                    String::from_utf8_lossy(f.name)
                ),
            ));
        }
        fields.push(f);
        at += 32;
    }
    let body = &data[header_len..];
    let complete = body.len() / rec_len;
    if complete < n_records {
        return Err(invalid(
            format!("bản ghi {} của {file} bị cắt cụt", complete + 1),
            format!("record {} of {file} is truncated", complete + 1),
        ));
    }
    Ok((fields, n_records, rec_len, &body[..n_records * rec_len]))
}

/// Chooses the text encoding; returns it and the notes to give.
fn choose_encoding(
    forced: Option<Encoding>,
    cpg: Option<&[u8]>,
    texts: &mut dyn Iterator<Item = &[u8]>,
    file: &str,
) -> (Encoding, Vec<String>) {
    let mut notes = Vec::new();
    let from_cpg = cpg.map(|c| {
        let s = String::from_utf8_lossy(c);
        (Encoding::from_name(&s), s.trim().to_string())
    });
    let mut check_utf8 = false;
    if let Some(e) = forced {
        return (e, legacy_note(e).into_iter().collect());
    }
    match from_cpg {
        Some((Some(Encoding::Utf8), _)) => check_utf8 = true,
        Some((Some(e), _)) => return (e, legacy_note(e).into_iter().collect()),
        Some((None, s)) if !s.is_empty() => notes.push(format!(
            "{file}: không hiểu mã \"{s}\" trong tệp .cpg, tự nhận dạng / \
             {file}: unknown code page \"{s}\" in the .cpg, detecting"
        )),
        _ => {}
    }
    // sample the non-ASCII values; all of them for the UTF-8 check
    let mut sample: Vec<&[u8]> = Vec::new();
    let mut all_utf8 = true;
    for t in texts.filter(|t| !t.is_ascii()) {
        all_utf8 &= std::str::from_utf8(t).is_ok();
        if sample.len() < 4000 {
            sample.push(t);
        }
        if !all_utf8 && sample.len() >= 4000 {
            break;
        }
    }
    if all_utf8 {
        return (Encoding::Utf8, notes);
    }
    if check_utf8 {
        notes.push(format!(
            "{file}: tệp .cpg ghi UTF-8 nhưng dữ liệu không phải UTF-8, tự nhận dạng / \
             {file}: the .cpg says UTF-8 but the data is not, detecting"
        ));
    }
    let e = match legacy_vn::detect(&sample) {
        Some(l) => Encoding::Legacy(l),
        None => {
            notes.push(format!(
                "bảng thuộc tính {file} không phải UTF-8 và không nhận ra TCVN3/VNI, đã đọc theo \
                 Windows-1252 / attribute table {file} is not UTF-8 nor recognisably TCVN3/VNI, \
                 read as Windows-1252"
            ));
            Encoding::Latin1
        }
    };
    notes.extend(legacy_note(e));
    (e, notes)
}

fn legacy_note(e: Encoding) -> Option<String> {
    match e {
        Encoding::Legacy(l) => {
            let n = l.name();
            Some(format!(
                "bảng thuộc tính mã hóa {n}, đã chuyển sang Unicode / attribute table in {n}, \
                 converted to Unicode"
            ))
        }
        Encoding::Cp1258 => Some(
            "bảng thuộc tính mã hóa Windows-1258, đã chuyển sang Unicode / attribute table in \
             Windows-1258, converted to Unicode"
                .to_string(),
        ),
        _ => None,
    }
}

fn layer_from(src: Source, forced: Option<Encoding>) -> Result<Layer, FormatError> {
    let shp_name = format!("{}.shp", src.stem);
    let dbf_name = format!("{}.dbf", src.stem);
    let (kind, shapes) = parse_shp(&src.shp, &shp_name)?;
    let (dfields, n_records, rec_len, body) = parse_dbf_header(&src.dbf, &dbf_name)?;
    if n_records != shapes.len() {
        return Err(invalid(
            format!(
                "{dbf_name} có {n_records} bản ghi, {shp_name} có {}",
                shapes.len()
            ),
            format!(
                "{dbf_name} has {n_records} records, {shp_name} has {}",
                shapes.len()
            ),
        ));
    }
    let mut notes = Vec::new();
    // fields we read, with their kind
    let mut kept: Vec<(&DbfField, FieldKind)> = Vec::new();
    for f in &dfields {
        let kind = match f.kind {
            b'C' | b'D' => FieldKind::Text,
            b'L' => FieldKind::Integer,
            b'N' | b'F' if f.decimals == 0 && f.len <= 18 => FieldKind::Integer,
            b'N' | b'F' => FieldKind::Real,
            other => {
                let name = String::from_utf8_lossy(f.name);
                let t = char::from(other);
                notes.push(format!(
                    "{dbf_name}: bỏ qua trường {name} kiểu {t} / {dbf_name}: skipped field {name} of type {t}"
                ));
                continue;
            }
        };
        kept.push((f, kind));
    }
    let records = || {
        body.chunks_exact(rec_len)
            .filter(|r| r.first() != Some(&b'*'))
    };
    let mut texts = records().flat_map(|r| {
        kept.iter()
            .filter(|(f, _)| f.kind == b'C')
            .filter_map(move |(f, _)| r.get(f.offset..f.offset + f.len).map(trim_bytes))
    });
    let mut texts_and_names = dfields.iter().map(|f| f.name).chain(&mut texts);
    let (enc, enc_notes) =
        choose_encoding(forced, src.cpg.as_deref(), &mut texts_and_names, &dbf_name);
    notes.extend(enc_notes);
    let fields: Vec<Field> = kept
        .iter()
        .map(|(f, k)| Field {
            name: enc.decode(f.name),
            kind: *k,
        })
        .collect();
    let mut features = Vec::with_capacity(shapes.len());
    let (mut deleted, mut split) = (0usize, 0usize);
    for (i, (rec, shape)) in body.chunks_exact(rec_len).zip(shapes).enumerate() {
        let n = i + 1;
        if rec.first() == Some(&b'*') {
            deleted += 1;
            continue;
        }
        let mut values = Vec::with_capacity(kept.len());
        for (f, kind) in &kept {
            let raw = rec
                .get(f.offset..f.offset + f.len)
                .map(trim_bytes)
                .unwrap_or(b"");
            values.push(read_value(raw, f, *kind, enc).map_err(|(vi, en)| {
                let name = enc.decode(f.name);
                let shown = String::from_utf8_lossy(raw);
                invalid(
                    format!("bản ghi {n} của {dbf_name}, trường {name}: \"{shown}\" {vi}"),
                    format!("record {n} of {dbf_name}, field {name}: \"{shown}\" {en}"),
                )
            })?);
        }
        match shape {
            Shape::Geom(geometry) => features.push(Feature { geometry, values }),
            Shape::MultiPoint(pts) if !pts.is_empty() => {
                split += usize::from(pts.len() > 1);
                for p in pts {
                    features.push(Feature {
                        geometry: Geometry::Point(p),
                        values: values.clone(),
                    });
                }
            }
            Shape::Null | Shape::MultiPoint(_) => {
                return Err(invalid(
                    format!("bản ghi {n} của {shp_name} không có hình (null)"),
                    format!("record {n} of {shp_name} has no geometry (null shape)"),
                ));
            }
        }
    }
    if deleted > 0 {
        notes.push(format!(
            "{dbf_name}: bỏ qua {deleted} bản ghi đã xóa / {dbf_name}: skipped {deleted} deleted records"
        ));
    }
    if split > 0 {
        notes.push(format!(
            "{shp_name}: {split} bản ghi nhiều điểm (MultiPoint) đã tách thành từng điểm / \
             {shp_name}: {split} MultiPoint records split into single points"
        ));
    }
    let srs = src
        .prj
        .as_deref()
        .map(|p| {
            String::from_utf8_lossy(p)
                .trim_start_matches('\u{feff}')
                .trim()
                .to_string()
        })
        .filter(|w| !w.is_empty())
        .map(|wkt| Srs {
            epsg: None,
            name: String::new(),
            geographic: wkt.starts_with("GEOGCS") || wkt.starts_with("GEOGCRS"),
            wkt,
        });
    if srs.is_none() {
        notes.push(format!(
            "{}: không có tệp .prj, chưa rõ hệ tọa độ / {}: no .prj file, coordinate system unknown",
            src.stem, src.stem
        ));
    }
    Ok(Layer {
        name: src.stem.clone(),
        title: src.stem,
        kind,
        fields,
        features,
        srs,
        class_field: None,
        label_field: None,
        notes,
    })
}

/// A cell's value; the error is what is wrong with it (vi, en).
fn read_value(
    raw: &[u8],
    f: &DbfField,
    kind: FieldKind,
    enc: Encoding,
) -> Result<Value, (&'static str, &'static str)> {
    if raw.is_empty() {
        return Ok(Value::Null);
    }
    const NAN: (&str, &str) = ("không phải là số", "is not a number");
    match f.kind {
        b'C' => Ok(Value::Text(enc.decode(raw))),
        b'D' => match std::str::from_utf8(raw) {
            _ if raw.iter().all(|&c| c == b'0') => Ok(Value::Null),
            Ok(d) if d.len() == 8 && d.bytes().all(|c| c.is_ascii_digit()) => {
                Ok(Value::Text(format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..])))
            }
            _ => Err(("không phải ngày YYYYMMDD", "is not a YYYYMMDD date")),
        },
        b'L' => match raw {
            [b'T' | b't' | b'Y' | b'y'] => Ok(Value::Integer(1)),
            [b'F' | b'f' | b'N' | b'n'] => Ok(Value::Integer(0)),
            [b'?'] => Ok(Value::Null),
            _ => Err(("không phải giá trị logic", "is not a logical value")),
        },
        // shapelib (GDAL) writes a null number as a field of '*'
        _ if raw.iter().all(|&c| c == b'*') => Ok(Value::Null),
        _ => {
            let s = std::str::from_utf8(raw).map_err(|_| NAN)?;
            let x: f64 = match s.parse() {
                Ok(x) => x,
                Err(_) => s.replace(',', ".").parse().map_err(|_| NAN)?,
            };
            if !x.is_finite() {
                return Err(NAN);
            }
            match kind {
                FieldKind::Integer => match s.parse::<i64>() {
                    Ok(i) => Ok(Value::Integer(i)),
                    Err(_) if x.fract() == 0.0 && x.abs() < 9.2e18 => Ok(Value::Integer(x as i64)),
                    Err(_) => Ok(Value::Real(x)),
                },
                _ => Ok(Value::Real(x)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testing::{VN2000_WKT, gdal, square};
    use std::io::Cursor;
    fn tmp(name: &str) -> std::path::PathBuf {
        crate::formats::testing::tmp("shp", name)
    }

    fn rev(mut r: Vec<Pt>) -> Vec<Pt> {
        r.reverse();
        r
    }

    fn vn2000() -> Srs {
        Srs {
            epsg: Some(5897),
            name: "VN-2000 / TM-3 zone 482".into(),
            wkt: VN2000_WKT.into(),
            geographic: false,
        }
    }

    /// Parcels: a square with a hole, a multipolygon, a triangle; text,
    /// reals, integers, nulls.
    fn parcels() -> Layer {
        let mut l = Layer::new(
            "parcels",
            "Thửa đất / Parcels",
            GeomKind::Polygon,
            vec![
                Field::new("so_thua", FieldKind::Integer),
                Field::new("chu", FieldKind::Text),
                Field::new("dien_tich", FieldKind::Real),
                Field::new("ghi_chu", FieldKind::Text),
            ],
        );
        l.srs = Some(vn2000());
        let (x, y) = (580_000.0, 2_155_000.0);
        let g1 = Geometry::Polygons(vec![vec![
            square(x, y, 20.0),
            rev(square(x + 5.0, y + 5.0, 4.0)),
        ]]);
        let g2 = Geometry::Polygons(vec![
            vec![square(x + 100.0, y, 10.0)],
            vec![square(x + 120.0, y, 5.0)],
        ]);
        let g3 = Geometry::Polygons(vec![vec![vec![
            [x + 200.125, y + 0.375],
            [x + 231.5, y + 3.25],
            [x + 210.75, y + 27.625],
            [x + 200.125, y + 0.375],
        ]]]);
        let vals = [
            (1, "Nguyễn Thị Hường", Some(384.0), "Trường Thi"),
            (2, "Trần Văn Ơn", Some(125.0), ""),
            (3, "ĐƯỜNG LÊ LỢI", None, "Tổ dân phố 5, Hải Châu, đất ở"),
        ];
        for (g, (n, owner, area, note)) in [g1, g2, g3].into_iter().zip(vals) {
            l.features.push(Feature {
                geometry: g,
                values: vec![
                    Value::Integer(n),
                    Value::Text(owner.into()),
                    area.map_or(Value::Null, Value::Real),
                    Value::Text(note.into()),
                ],
            });
        }
        l
    }

    /// The layer as a shapefile gives it back: exteriors clockwise, holes
    /// counter-clockwise, empty text null, no title/class/label, srs as WKT.
    fn as_read(l: &Layer) -> Layer {
        let mut r = l.clone();
        r.title = r.name.clone();
        r.class_field = None;
        r.label_field = None;
        r.srs = l.srs.as_ref().map(|s| Srs {
            epsg: None,
            name: String::new(),
            wkt: s.wkt.clone(),
            geographic: s.geographic,
        });
        for f in &mut r.features {
            if let Geometry::Polygons(ps) = &mut f.geometry {
                for p in ps {
                    for (k, ring) in p.iter_mut().enumerate() {
                        if (signed_area2(ring) > 0.0) == (k == 0) {
                            ring.reverse();
                        }
                    }
                }
            }
            for v in &mut f.values {
                if matches!(v, Value::Text(s) if s.is_empty()) {
                    *v = Value::Null;
                }
            }
        }
        r
    }

    fn zip_bytes(layers: &[&Layer]) -> Vec<u8> {
        let mut buf = Cursor::new(Vec::new());
        write_zip_layers(&mut buf, layers).unwrap();
        buf.into_inner()
    }

    fn write_files(dir: &Path, stem: &str, f: &Files) {
        std::fs::write(dir.join(format!("{stem}.shp")), &f.shp).unwrap();
        std::fs::write(dir.join(format!("{stem}.shx")), &f.shx).unwrap();
        std::fs::write(dir.join(format!("{stem}.dbf")), &f.dbf).unwrap();
        if !f.cpg.is_empty() {
            std::fs::write(dir.join(format!("{stem}.cpg")), f.cpg).unwrap();
        }
        if let Some(p) = &f.prj {
            std::fs::write(dir.join(format!("{stem}.prj")), p).unwrap();
        }
    }

    fn err_text(r: Result<Vec<Layer>, FormatError>) -> String {
        match r {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.to_string(),
        }
    }

    /// `name (Real) = value` lines of an ogrinfo dump, in order.
    fn ogr_values(out: &str, name: &str) -> Vec<String> {
        out.lines()
            .filter_map(|l| {
                let l = l.trim();
                l.starts_with(&format!("{name} ("))
                    .then(|| l.split_once(" = ").map(|(_, v)| v.to_string()))
                    .flatten()
            })
            .collect()
    }

    #[test]
    fn gdal_reads_written_zip() {
        let dir = tmp("gdal-reads");
        let layer = parcels();
        let zip = dir.join("ward.zip");
        let f = std::fs::File::create(&zip).unwrap();
        write_zip(f, &layer).unwrap();
        let vsi = format!("/vsizip/{}", zip.display());
        let so = gdal("ogrinfo", &["-ro", "-al", "-so", &vsi]);
        assert!(so.contains("Layer name: parcels"), "{so}");
        assert!(so.contains("Geometry: Polygon"), "{so}");
        assert!(so.contains("Feature Count: 3"), "{so}");
        assert!(so.contains("VN-2000 / TM-3 zone 482"), "{so}");
        assert!(so.contains("ID[\"EPSG\",5897]"), "{so}");
        assert!(so.contains("so_thua: Integer64 (18.0)"), "{so}");
        assert!(so.contains("dien_tich: Real (19.6)"), "{so}");
        // width = longest value in bytes
        let longest = "Tổ dân phố 5, Hải Châu, đất ở".len();
        assert!(
            so.contains(&format!("ghi_chu: String ({longest}.0)")),
            "{so}"
        );
        let all = gdal("ogrinfo", &["-ro", "-al", &vsi]);
        assert_eq!(
            ogr_values(&all, "chu"),
            ["Nguyễn Thị Hường", "Trần Văn Ơn", "ĐƯỜNG LÊ LỢI"]
        );
        assert_eq!(
            ogr_values(&all, "dien_tich"),
            ["384.000000", "125.000000", "(null)"]
        );
        assert_eq!(ogr_values(&all, "ghi_chu")[1], "(null)");
        // areas, holes and parts as GDAL reads them
        let sql = gdal(
            "ogrinfo",
            &[
                "-ro",
                "-dialect",
                "sqlite",
                "-sql",
                "SELECT ST_Area(geometry) AS a, ST_NumInteriorRing(ST_GeometryN(geometry, 1)) AS h, \
                 ST_NumGeometries(geometry) AS g FROM parcels",
                &vsi,
            ],
        );
        let areas: Vec<f64> = ogr_values(&sql, "a")
            .iter()
            .map(|a| a.parse().unwrap())
            .collect();
        assert_eq!(areas.len(), 3);
        for (a, f) in areas.iter().zip(&layer.features) {
            assert!(
                (a - f.geometry.area()).abs() < 0.01,
                "{a} vs {}",
                f.geometry.area()
            );
        }
        assert!((areas[0] - 384.0).abs() < 0.01);
        assert_eq!(ogr_values(&sql, "h")[0], "1");
        assert_eq!(ogr_values(&sql, "g")[1], "2");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn round_trip() {
        let layer = parcels();
        let bytes = zip_bytes(&[&layer]);
        let got = read_zip(Cursor::new(bytes), "ward.zip", None).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0], as_read(&layer));
        assert!(got[0].notes.is_empty(), "{:?}", got[0].notes);
        // from a folder and from the .shp too
        let dir = tmp("round-trip");
        write_files(&dir, "parcels", &build(&layer, None).unwrap());
        assert_eq!(read(&dir, None).unwrap(), got);
        assert_eq!(read(&dir.join("parcels.shp"), None).unwrap(), got);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn lines_and_points_in_one_zip() {
        let mut roads = Layer::new(
            "roads",
            "Đường",
            GeomKind::Line,
            vec![
                Field::new("ten", FieldKind::Text),
                Field::new("rong", FieldKind::Real),
            ],
        );
        roads.features.push(Feature {
            geometry: Geometry::Lines(vec![
                vec![[580_000.0, 2_155_000.0], [580_050.5, 2_155_010.25]],
                vec![
                    [580_060.0, 2_155_000.0],
                    [580_070.0, 2_155_020.0],
                    [580_090.0, 2_155_020.0],
                ],
            ]),
            values: vec![Value::Text("Lê Lợi".into()), Value::Real(7.5)],
        });
        let mut pts = Layer::new(
            "stakes",
            "Mốc",
            GeomKind::Point,
            vec![Field::new("so", FieldKind::Integer)],
        );
        for i in 0..3 {
            pts.features.push(Feature {
                geometry: Geometry::Point([580_000.0 + f64::from(i), 2_155_000.5]),
                values: vec![Value::Integer(i64::from(i) - 1)],
            });
        }
        let dir = tmp("lines-points");
        let zip = dir.join("two.zip");
        std::fs::write(&zip, zip_bytes(&[&roads, &pts])).unwrap();
        let vsi = format!("/vsizip/{}", zip.display());
        let so = gdal("ogrinfo", &["-ro", "-al", "-so", &vsi]);
        assert!(so.contains("Geometry: Line String"), "{so}");
        assert!(so.contains("Geometry: Point"), "{so}");
        let wkt = gdal(
            "ogr2ogr",
            &[
                "-f",
                "CSV",
                "/vsistdout/",
                &vsi,
                "roads",
                "-lco",
                "GEOMETRY=AS_WKT",
            ],
        );
        assert!(
            wkt.contains("MULTILINESTRING ((580000 2155000,580050.5 2155010.25)"),
            "{wkt}"
        );
        let got = read(&zip, None).unwrap();
        let names: Vec<&str> = got.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["roads", "stakes"]);
        let mut want = as_read(&roads);
        want.notes.push("roads: không có tệp .prj, chưa rõ hệ tọa độ / roads: no .prj file, coordinate system unknown".into());
        assert_eq!(got[0], want);
        assert_eq!(got[1].features, as_read(&pts).features);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn reads_shapefiles_made_by_gdal() {
        let dir = tmp("from-gdal");
        let gj = dir.join("in.geojson");
        // around [580000, 2155000] in VN-2000 / TM-3 105°
        std::fs::write(
            &gj,
            r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"chu":"Nguyễn Thị Hường","so":7,"dt":12.5,"ghi":null},
 "geometry":{"type":"Polygon","coordinates":[[[105.77,19.48],[105.771,19.48],[105.771,19.481],[105.77,19.481],[105.77,19.48]],
   [[105.7702,19.4802],[105.7702,19.4804],[105.7704,19.4804],[105.7704,19.4802],[105.7702,19.4802]]]}},
{"type":"Feature","properties":{"chu":"Hải Châu","so":8,"dt":null,"ghi":"đất ở"},
 "geometry":{"type":"MultiPolygon","coordinates":[[[[105.78,19.48],[105.781,19.48],[105.781,19.481],[105.78,19.48]]],
   [[[105.79,19.48],[105.791,19.48],[105.791,19.481],[105.79,19.48]]]]}}]}"#,
        )
        .unwrap();
        let gj = gj.to_str().unwrap();
        let shp_dir = dir.join("shp");
        std::fs::create_dir_all(&shp_dir).unwrap();
        let wgs = shp_dir.join("wgs.shp");
        let vn = shp_dir.join("vn.shp");
        let (wgs, vn) = (wgs.to_str().unwrap(), vn.to_str().unwrap());
        gdal(
            "ogr2ogr",
            &["-f", "ESRI Shapefile", wgs, gj, "-lco", "ENCODING=UTF-8"],
        );
        gdal(
            "ogr2ogr",
            &[
                "-f",
                "ESRI Shapefile",
                vn,
                gj,
                "-t_srs",
                "EPSG:5897",
                "-lco",
                "ENCODING=UTF-8",
            ],
        );
        let layers = read(&shp_dir, None).unwrap();
        assert_eq!(layers.len(), 2);
        let (vn_l, wgs_l) = (&layers[0], &layers[1]);
        assert_eq!((vn_l.name.as_str(), wgs_l.name.as_str()), ("vn", "wgs"));
        assert!(wgs_l.srs.as_ref().unwrap().geographic);
        let vsrs = vn_l.srs.as_ref().unwrap();
        assert!(
            !vsrs.geographic && vsrs.wkt.starts_with("PROJCS[\"VN_2000"),
            "{vsrs:?}"
        );
        for l in &layers {
            assert_eq!(l.kind, GeomKind::Polygon);
            assert!(l.notes.is_empty(), "{:?}", l.notes);
            let kinds: Vec<(&str, FieldKind)> =
                l.fields.iter().map(|f| (f.name.as_str(), f.kind)).collect();
            assert_eq!(
                kinds,
                [
                    ("chu", FieldKind::Text),
                    ("so", FieldKind::Integer),
                    ("dt", FieldKind::Real),
                    ("ghi", FieldKind::Text)
                ]
            );
            let f = &l.features;
            assert_eq!(f.len(), 2);
            assert_eq!(f[0].values[0], Value::Text("Nguyễn Thị Hường".into()));
            assert_eq!(f[0].values[1], Value::Integer(7));
            assert_eq!(f[0].values[2], Value::Real(12.5));
            assert_eq!(f[0].values[3], Value::Null);
            assert_eq!(f[1].values[2], Value::Null);
            assert_eq!(f[1].values[3], Value::Text("đất ở".into()));
            let Geometry::Polygons(p0) = &f[0].geometry else {
                panic!()
            };
            assert_eq!((p0.len(), p0[0].len()), (1, 2), "a polygon with its hole");
            let Geometry::Polygons(p1) = &f[1].geometry else {
                panic!()
            };
            assert_eq!(p1.len(), 2, "a multipolygon");
        }
        // areas agree with GDAL's
        let sql = gdal(
            "ogrinfo",
            &[
                "-ro",
                "-dialect",
                "sqlite",
                "-sql",
                "SELECT ST_Area(geometry) AS a FROM vn",
                vn,
            ],
        );
        let areas: Vec<f64> = ogr_values(&sql, "a")
            .iter()
            .map(|a| a.parse().unwrap())
            .collect();
        for (a, f) in areas.iter().zip(&vn_l.features) {
            assert!(
                (a - f.geometry.area()).abs() < 0.01,
                "{a} vs {}",
                f.geometry.area()
            );
        }
        assert!(vn_l.features[0].values.len() == 4 && areas[0] > 10_000.0);
        // GDAL's default encoding (no .cpg, LDID 87) with ASCII text, and
        // a MultiPoint layer
        std::fs::write(
            dir.join("mp.geojson"),
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"n":"A"},
 "geometry":{"type":"MultiPoint","coordinates":[[105.77,19.48],[105.78,19.49]]}}]}"#,
        )
        .unwrap();
        let mp = dir.join("mp.shp");
        gdal(
            "ogr2ogr",
            &[
                "-f",
                "ESRI Shapefile",
                mp.to_str().unwrap(),
                dir.join("mp.geojson").to_str().unwrap(),
            ],
        );
        let l = read(&mp, None).unwrap();
        assert_eq!(l[0].kind, GeomKind::Point);
        assert_eq!(l[0].features.len(), 2);
        assert_eq!(l[0].features[1].geometry, Geometry::Point([105.78, 19.49]));
        assert!(
            l[0].notes.iter().any(|n| n.contains("MultiPoint")),
            "{:?}",
            l[0].notes
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn legacy_dbf_is_decoded() {
        let layer = parcels();
        for enc in [Legacy::Tcvn3, Legacy::Vni] {
            let dir = tmp(&format!("legacy-{}", enc.name()));
            let files = build(&layer, Some(enc)).unwrap();
            // the bytes really are legacy, not UTF-8
            let owner = legacy_vn::encode("Nguyễn Thị Hường", enc).unwrap();
            assert!(
                files
                    .dbf
                    .windows(owner.len())
                    .any(|w| w == owner.as_slice())
            );
            write_files(&dir, "parcels", &files);
            let got = read(&dir, None).unwrap();
            let mut want = as_read(&layer);
            let note = format!(
                "bảng thuộc tính mã hóa {0}, đã chuyển sang Unicode / attribute table in {0}, \
                 converted to Unicode",
                enc.name()
            );
            want.notes.push(note.clone());
            assert_eq!(got[0], want, "{enc:?}");
            // GDAL opens it too (as Latin-1, garbled: why we decode)
            let so = gdal("ogrinfo", &["-ro", "-al", "-so", dir.to_str().unwrap()]);
            assert!(so.contains("Feature Count: 3"), "{so}");
            // a .cpg naming the encoding; a forced encoding wins over it
            std::fs::write(dir.join("parcels.cpg"), enc.name()).unwrap();
            assert_eq!(read(&dir, None).unwrap()[0], want);
            let forced = read(&dir, Some(Encoding::Latin1)).unwrap();
            assert_ne!(forced[0].features[0].values[1], want.features[0].values[1]);
            let _ = std::fs::remove_dir_all(&dir);
        }
    }

    #[test]
    fn latin1_dbf_falls_back_with_a_note() {
        let mut l = Layer::new(
            "t",
            "t",
            GeomKind::Point,
            vec![Field::new("ten", FieldKind::Text)],
        );
        l.features.push(Feature {
            geometry: Geometry::Point([1.0, 2.0]),
            values: vec![Value::Text("Cafe Muller".into())],
        });
        let mut files = build(&l, None).unwrap();
        let at = files.dbf.windows(4).position(|w| w == b"Cafe").unwrap();
        files.dbf[at + 3] = 0xE9;
        files.dbf[at + 6] = 0xFC;
        files.cpg = "";
        let dir = tmp("latin1");
        write_files(&dir, "t", &files);
        let r = read(&dir, None).unwrap();
        assert_eq!(
            r[0].features[0].values[0],
            Value::Text("Café Müller".into())
        );
        assert!(
            r[0].notes.iter().any(|n| n.contains("Windows-1252")),
            "{:?}",
            r[0].notes
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn truncated_shp_names_the_record() {
        let layer = parcels();
        let files = build(&layer, None).unwrap();
        let dir = tmp("truncated");
        // record 2 starts after the header and record 1
        let rec1_len = 8 + 2 * be_i32(&files.shp, 104).unwrap() as usize;
        for cut in [100 + rec1_len + 20, 100 + rec1_len, 100 + rec1_len + 4] {
            let mut f = build(&layer, None).unwrap();
            f.shp.truncate(cut);
            write_files(&dir, "parcels", &f);
            let e = err_text(read(&dir, None));
            assert!(
                e.contains("bản ghi 2 của parcels.shp bị cắt cụt"),
                "{cut}: {e}"
            );
            assert!(e.contains("record 2 of parcels.shp is truncated"), "{e}");
        }
        // no prefix or corruption of the .shp panics
        for cut in 0..files.shp.len() {
            let _ = parse_shp(&files.shp[..cut], "x.shp");
        }
        for i in 100..files.shp.len() {
            let mut s = files.shp.clone();
            s[i] ^= 0x80;
            let _ = parse_shp(&s, "x.shp");
            s[i] = 0xFF;
            let _ = parse_shp(&s, "x.shp");
        }
        for cut in 0..files.dbf.len() {
            let _ = parse_dbf_header(&files.dbf[..cut], "x.dbf");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn dbf_with_fewer_records_is_refused() {
        let layer = parcels();
        let mut two = layer.clone();
        two.features.pop();
        let mut files = build(&layer, None).unwrap();
        files.dbf = build(&two, None).unwrap().dbf;
        let dir = tmp("fewer");
        write_files(&dir, "parcels", &files);
        let e = err_text(read(&dir, None));
        assert!(
            e.contains("parcels.dbf có 2 bản ghi, parcels.shp có 3"),
            "{e}"
        );
        // and a .dbf cut short
        let mut files = build(&layer, None).unwrap();
        files.dbf.truncate(files.dbf.len() - 10);
        write_files(&dir, "parcels", &files);
        let e = err_text(read(&dir, None));
        assert!(e.contains("bản ghi 3 của parcels.dbf bị cắt cụt"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn bad_numbers_deleted_records_and_missing_parts() {
        let layer = parcels();
        let dir = tmp("bad");
        let files = build(&layer, None).unwrap();
        // record 2's so_thua (N 18) becomes "12a"
        let (header_len, rec_len) = (
            usize::from(u16::from_le_bytes([files.dbf[8], files.dbf[9]])),
            usize::from(u16::from_le_bytes([files.dbf[10], files.dbf[11]])),
        );
        let cell = header_len + rec_len + 1;
        let mut bad = build(&layer, None).unwrap();
        bad.dbf[cell..cell + 18].copy_from_slice(b"               12a");
        write_files(&dir, "parcels", &bad);
        let e = err_text(read(&dir, None));
        assert!(
            e.contains("bản ghi 2 của parcels.dbf, trường so_thua: \"12a\" không phải là số"),
            "{e}"
        );
        assert!(e.contains("record 2 of parcels.dbf, field so_thua: \"12a\" is not a number"));
        // a deleted record is skipped with its shape
        let mut del = build(&layer, None).unwrap();
        del.dbf[header_len + rec_len] = b'*';
        write_files(&dir, "parcels", &del);
        let r = read(&dir, None).unwrap();
        assert_eq!(r[0].features.len(), 2);
        assert_eq!(r[0].features[1].values[0], Value::Integer(3));
        assert!(
            r[0].notes.iter().any(|n| n.contains("1 deleted")),
            "{:?}",
            r[0].notes
        );
        // missing .dbf
        std::fs::remove_file(dir.join("parcels.dbf")).unwrap();
        let e = err_text(read(&dir, None));
        assert!(e.contains("thiếu tệp parcels.dbf"), "{e}");
        // missing .shp, given the .dbf
        write_files(&dir, "parcels", &files);
        std::fs::remove_file(dir.join("parcels.shp")).unwrap();
        let e = err_text(read(&dir.join("parcels.dbf"), None));
        assert!(e.contains("thiếu tệp parcels.shp"), "{e}");
        let e = err_text(read(&dir, None));
        assert!(e.contains("không chứa tệp .shp nào"), "{e}");
        // a zip without any .shp
        let mut buf = Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut buf);
        z.start_file("readme.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(b"hello").unwrap();
        z.finish().unwrap();
        let e = err_text(read_zip(Cursor::new(buf.into_inner()), "x.zip", None));
        assert!(e.contains("tệp nén x.zip không chứa tệp .shp nào"), "{e}");
        assert!(e.contains("zip x.zip holds no .shp file"), "{e}");
        let e = err_text(read_zip(Cursor::new(b"PK junk".to_vec()), "y.zip", None));
        assert!(e.contains("y.zip"), "{e}");
        // a null shape
        let mut null = build(&layer, None).unwrap();
        null.shp[108..112].copy_from_slice(&0i32.to_le_bytes());
        write_files(&dir, "parcels", &null);
        let e = err_text(read(&dir, None));
        assert!(e.contains("bản ghi 1 của parcels.shp không có hình"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn zip_with_subfolders_and_junk() {
        let a = parcels();
        let mut b = parcels();
        b.name = "Thua_2".into();
        b.features.truncate(1);
        let mut buf = Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut buf);
        let o = zip::write::SimpleFileOptions::default();
        for (dir, l) in [("data/", &a), ("data/old/", &b)] {
            let f = build(l, None).unwrap();
            let parts: [(&str, &[u8]); 4] = [
                ("SHP", &f.shp),
                ("shx", &f.shx),
                ("DBF", &f.dbf),
                ("cpg", f.cpg.as_bytes()),
            ];
            for (ext, bytes) in parts {
                z.start_file(format!("{dir}{}.{ext}", l.name), o).unwrap();
                z.write_all(bytes).unwrap();
            }
        }
        z.start_file("__MACOSX/data/._parcels.shp", o).unwrap();
        z.write_all(b"junk").unwrap();
        z.finish().unwrap();
        let layers = read_zip(Cursor::new(buf.into_inner()), "up.zip", None).unwrap();
        let names: Vec<&str> = layers.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["Thua_2", "parcels"]);
        assert_eq!(layers[0].features.len(), 1);
        assert_eq!(layers[1].features, as_read(&a).features);
    }

    #[test]
    fn writer_refuses_bad_layers_and_cuts_long_text() {
        let mut l = parcels();
        l.fields[1].name = "chu_so_huu_dat".into();
        let e = write_zip(Cursor::new(Vec::new()), &l)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("\"chu_so_huu_dat\"") && e.contains("1–10 ASCII"),
            "{e}"
        );
        let mut l = parcels();
        l.features[1].values[0] = Value::Real(2.5);
        let e = write_zip(Cursor::new(Vec::new()), &l)
            .unwrap_err()
            .to_string();
        assert!(e.contains("đối tượng 2, trường so_thua"), "{e}");
        let mut l = parcels();
        l.features[0].geometry = Geometry::Point([1.0, 2.0]);
        assert!(write_zip(Cursor::new(Vec::new()), &l).is_err());
        let mut l = parcels();
        l.features[2].values[2] = Value::Real(1e13);
        let e = write_zip(Cursor::new(Vec::new()), &l)
            .unwrap_err()
            .to_string();
        assert!(e.contains("quá lớn"), "{e}");
        // 300 bytes of "ư" (2 bytes each) are cut to 254 bytes, 127 letters
        let mut l = parcels();
        l.features[0].values[3] = Value::Text("ư".repeat(150));
        let mut buf = Cursor::new(Vec::new());
        let notes = write_zip_layers(&mut buf, &[&l]).unwrap();
        assert!(
            notes[0].contains("longer than 254 bytes were cut"),
            "{notes:?}"
        );
        let r = read_zip(Cursor::new(buf.into_inner()), "z", None).unwrap();
        assert_eq!(r[0].features[0].values[3], Value::Text("ư".repeat(127)));
    }

    #[test]
    fn dbf_cell_types() {
        let field = |kind: u8, decimals: u8| DbfField {
            name: b"x",
            kind,
            offset: 1,
            len: 8,
            decimals,
        };
        let (d, l) = (field(b'D', 0), field(b'L', 0));
        let (n, f) = (field(b'N', 0), field(b'F', 3));
        let v = |raw: &[u8], f: &DbfField, k| read_value(raw, f, k, Encoding::Utf8);
        let text = FieldKind::Text;
        let int = FieldKind::Integer;
        assert_eq!(
            v(b"20240501", &d, text),
            Ok(Value::Text("2024-05-01".into()))
        );
        assert_eq!(v(b"00000000", &d, text), Ok(Value::Null));
        assert!(v(b"2024-5-1", &d, text).is_err());
        assert_eq!(v(b"T", &l, int), Ok(Value::Integer(1)));
        assert_eq!(v(b"n", &l, int), Ok(Value::Integer(0)));
        assert_eq!(v(b"?", &l, int), Ok(Value::Null));
        assert!(v(b"X", &l, int).is_err());
        assert_eq!(v(b"-42", &n, int), Ok(Value::Integer(-42)));
        assert_eq!(v(b"12,5", &f, FieldKind::Real), Ok(Value::Real(12.5)));
        assert_eq!(v(b"********", &f, FieldKind::Real), Ok(Value::Null));
        assert!(v(b"1.2.3", &f, FieldKind::Real).is_err());
        assert!(v(b"inf", &f, FieldKind::Real).is_err());
    }

    #[test]
    fn encoding_names() {
        assert_eq!(Encoding::from_name("UTF-8\r\n"), Some(Encoding::Utf8));
        assert_eq!(Encoding::from_name("65001"), Some(Encoding::Utf8));
        assert_eq!(Encoding::from_name("1252"), Some(Encoding::Latin1));
        assert_eq!(Encoding::from_name("ISO-8859-1"), Some(Encoding::Latin1));
        assert_eq!(Encoding::from_name("cp1258"), Some(Encoding::Cp1258));
        assert_eq!(
            Encoding::from_name("TCVN3"),
            Some(Encoding::Legacy(Legacy::Tcvn3))
        );
        assert_eq!(
            Encoding::from_name("tcvn-5712"),
            Some(Encoding::Legacy(Legacy::Tcvn3))
        );
        assert_eq!(
            Encoding::from_name("VNI-Windows"),
            Some(Encoding::Legacy(Legacy::Vni))
        );
        assert_eq!(Encoding::from_name("Big5"), None);
    }
}
