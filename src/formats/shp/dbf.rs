//! Reading the .dbf table and choosing its text encoding.

use super::*;

pub(super) struct DbfField<'a> {
    pub(super) name: &'a [u8],
    pub(super) kind: u8,
    pub(super) offset: usize,
    pub(super) len: usize,
    pub(super) decimals: u8,
}

pub(super) fn trim_bytes(b: &[u8]) -> &[u8] {
    let is_pad = |c: &u8| *c == b' ' || *c == 0;
    let start = b.iter().position(|c| !is_pad(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !is_pad(c)).map_or(start, |e| e + 1);
    &b[start..end]
}

/// Parses the header: fields, record length, and the records' bytes.
#[allow(clippy::type_complexity)]
pub(super) fn parse_dbf_header<'a>(
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
pub(super) fn choose_encoding(
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

pub(super) fn legacy_note(e: Encoding) -> Option<String> {
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

pub(super) fn layer_from(src: Source, forced: Option<Encoding>) -> Result<Layer, FormatError> {
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
pub(super) fn read_value(
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
