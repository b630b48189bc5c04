//! Writing a layer as a zipped .shp/.shx/.dbf/.prj/.cpg.

use super::*;

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

pub(super) fn zip_err(e: zip::result::ZipError) -> FormatError {
    match e {
        zip::result::ZipError::Io(e) => FormatError::Io(e),
        e => invalid(format!("lỗi tệp nén: {e}"), format!("zip error: {e}")),
    }
}

/// The files of one shapefile, in memory.
pub(super) struct Files {
    pub(super) shp: Vec<u8>,
    pub(super) shx: Vec<u8>,
    pub(super) dbf: Vec<u8>,
    pub(super) cpg: &'static str,
    pub(super) prj: Option<String>,
    notes: Vec<String>,
}

/// Builds the files of a layer; text in UTF-8, or in `legacy` (for test
/// fixtures of old land-office files; no .cpg then).
pub(super) fn build(layer: &Layer, legacy: Option<Legacy>) -> Result<Files, FormatError> {
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
pub(super) fn feature_name(layer: &Layer, i: usize) -> String {
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

pub(super) fn write_shapes(layer: &Layer) -> Result<(Vec<u8>, Vec<u8>), FormatError> {
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
                        let ccw = signed_ring_area(&ring) > 0.0;
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
pub(super) const REAL_WIDTH: usize = 19;
pub(super) const REAL_DECIMALS: usize = 6;
pub(super) const INT_WIDTH: usize = 18;
pub(super) const MAX_TEXT: usize = 254;

/// The longest prefix of `s` of at most `max` bytes ending on a character
/// boundary.
pub(super) fn cut_utf8(s: &str, max: usize) -> &str {
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
pub(super) fn text_bytes<'a>(
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

pub(super) fn write_dbf(
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
    let today = crate::campaign::clock::today();
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
pub(super) fn number(v: &Value, what: &dyn Fn() -> String) -> Result<Option<f64>, FormatError> {
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
