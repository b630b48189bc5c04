//! RFC 7946 GeoJSON writing of campaign input types.
//!
//! One feature per line, as `shared/bench/gen_ward.py` writes them:
//!
//! ```text
//! {"type":"FeatureCollection","features":[
//! {"type":"Feature","id":1,"properties":{"id":1,...},"geometry":{...}}
//! ,{"type":"Feature","id":2,...}
//! ]}
//! ```
//!
//! Ids are written back as given (a [`FeatureId::Number`] as its raw text,
//! unquoted; a [`FeatureId::Text`] as a string), both as the feature's `id` and
//! as the first property. Properties that are `None` are left out. Coordinates
//! get at most 8 decimals (about 1 mm), other numbers their shortest exact
//! form. Strings are JSON-escaped with UTF-8 kept as it is. Features are
//! formatted in parallel chunks and written in order.

use std::io::{self, Write};

use rayon::prelude::*;

use crate::campaign::{FeatureId, ParcelInput, SegmentInput};
use crate::formats::layer::{Geometry, Layer, Value};

/// Decimals written for a coordinate (1e-8° is about 1 mm).
pub const COORD_DECIMALS: u32 = 8;

/// Features formatted per parallel task.
const CHUNK: usize = 2048;
/// Chunks formatted before they are written out (bounds the buffered bytes).
const WINDOW: usize = 32;

/// Writes road segments as a FeatureCollection of LineStrings (MultiLineString
/// when a segment has several parts; `null` geometry when it has none), with
/// properties `id, name, current_width_m, planned_width_m, planned_left_m,
/// planned_right_m`.
pub fn write_segments<W: Write>(w: W, segs: &[SegmentInput]) -> io::Result<()> {
    write_collection(w, segs, segment_feature)
}

/// Writes parcels as a FeatureCollection of Polygons (MultiPolygon when a
/// parcel has several; `null` geometry when it has none), with properties
/// `id, map_sheet, parcel_no, owner, residential_group, land_use`.
///
/// `map_sheet` and `parcel_no` are cadastral numbers: written as JSON numbers
/// when they are plain integers (`12`, not `012`), as in the survey files and
/// `gen_ward.py`, else as strings.
pub fn write_parcels<W: Write>(w: W, parcels: &[ParcelInput]) -> io::Result<()> {
    write_collection(w, parcels, parcel_feature)
}

/// Writes an exported layer (WGS84 only, as RFC 7946 requires) as a
/// FeatureCollection with a foreign member `name`; every field a property
/// (nulls as `null`), coordinates in their shortest exact form so that a
/// round trip loses nothing.
pub fn write_layer<W: Write>(mut w: W, layer: &Layer) -> io::Result<()> {
    if !layer.srs.as_ref().is_some_and(|s| s.geographic) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "GeoJSON (RFC 7946) chỉ dùng WGS84 / GeoJSON is WGS84 only: export it with --crs EPSG:4326",
        ));
    }
    w.write_all(b"{\"type\":\"FeatureCollection\",\"name\":")?;
    let mut head = Vec::new();
    push_str(&mut head, &layer.name);
    w.write_all(&head)?;
    w.write_all(b",\"features\":[\n")?;
    let mut buf = Vec::with_capacity(1 << 16);
    for (k, f) in layer.features.iter().enumerate() {
        buf.clear();
        if k > 0 {
            buf.push(b',');
        }
        buf.extend_from_slice(b"{\"type\":\"Feature\",\"properties\":{");
        for (i, (field, v)) in layer.fields.iter().zip(&f.values).enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            push_str(&mut buf, &field.name);
            buf.push(b':');
            match v {
                Value::Null => buf.extend_from_slice(b"null"),
                Value::Text(t) => push_str(&mut buf, t),
                Value::Integer(n) => buf.extend_from_slice(n.to_string().as_bytes()),
                Value::Real(x) => {
                    if push_number(&mut buf, *x).is_err() {
                        buf.extend_from_slice(b"null");
                    }
                }
            }
        }
        buf.extend_from_slice(b"},\"geometry\":");
        let bad = |v: f64| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{}: đối tượng {} có tọa độ {v} / feature {} has coordinate {v}",
                    layer.name,
                    k + 1,
                    k + 1
                ),
            )
        };
        let exact = |out: &mut Vec<u8>, pts: &[[f64; 2]]| -> Result<(), f64> {
            out.push(b'[');
            for (j, p) in pts.iter().enumerate() {
                if j > 0 {
                    out.push(b',');
                }
                out.push(b'[');
                push_number(out, p[0]).map_err(|()| p[0])?;
                out.push(b',');
                push_number(out, p[1]).map_err(|()| p[1])?;
                out.push(b']');
            }
            out.push(b']');
            Ok(())
        };
        let list = |out: &mut Vec<u8>, items: &[Vec<[f64; 2]>]| -> Result<(), f64> {
            out.push(b'[');
            for (j, r) in items.iter().enumerate() {
                if j > 0 {
                    out.push(b',');
                }
                exact(out, r)?;
            }
            out.push(b']');
            Ok(())
        };
        match &f.geometry {
            Geometry::Point(p) => {
                buf.extend_from_slice(b"{\"type\":\"Point\",\"coordinates\":");
                let mut one = Vec::new();
                exact(&mut one, std::slice::from_ref(p)).map_err(bad)?;
                // [[x,y]] → [x,y]
                buf.extend_from_slice(&one[1..one.len() - 1]);
            }
            Geometry::Lines(ls) if ls.len() == 1 => {
                buf.extend_from_slice(b"{\"type\":\"LineString\",\"coordinates\":");
                exact(&mut buf, &ls[0]).map_err(bad)?;
            }
            Geometry::Lines(ls) => {
                buf.extend_from_slice(b"{\"type\":\"MultiLineString\",\"coordinates\":");
                list(&mut buf, ls).map_err(bad)?;
            }
            Geometry::Polygons(ps) if ps.len() == 1 => {
                buf.extend_from_slice(b"{\"type\":\"Polygon\",\"coordinates\":");
                list(&mut buf, &ps[0]).map_err(bad)?;
            }
            Geometry::Polygons(ps) => {
                buf.extend_from_slice(b"{\"type\":\"MultiPolygon\",\"coordinates\":[");
                for (j, p) in ps.iter().enumerate() {
                    if j > 0 {
                        buf.push(b',');
                    }
                    list(&mut buf, p).map_err(bad)?;
                }
                buf.push(b']');
            }
        }
        buf.extend_from_slice(b"}}\n");
        w.write_all(&buf)?;
    }
    w.write_all(b"]}\n")?;
    w.flush()
}

fn write_collection<W, T, F>(mut w: W, items: &[T], feature: F) -> io::Result<()>
where
    W: Write,
    T: Sync,
    F: Fn(&mut Vec<u8>, &T) -> Result<(), String> + Sync,
{
    w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
    let mut first = true;
    for window in items.chunks(CHUNK * WINDOW) {
        let bufs: Vec<Result<Vec<u8>, String>> = window
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut buf = Vec::with_capacity(chunk.len() * 400);
                for item in chunk {
                    feature(&mut buf, item)?;
                }
                Ok(buf)
            })
            .collect();
        for buf in bufs {
            let buf = buf.map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            if buf.is_empty() {
                continue;
            }
            // every feature starts with ",{"; the very first one loses its comma
            if first {
                w.write_all(&buf[1..])?;
                first = false;
            } else {
                w.write_all(&buf)?;
            }
        }
    }
    w.write_all(b"]}\n")?;
    w.flush()
}

fn segment_feature(out: &mut Vec<u8>, s: &SegmentInput) -> Result<(), String> {
    feature_head(out, &s.id)?;
    out.extend_from_slice(b",\"name\":");
    push_str(out, &s.name);
    for (key, v) in [
        ("current_width_m", s.current_width_m),
        ("planned_width_m", s.planned_width_m),
        ("planned_left_m", s.planned_left_m),
        ("planned_right_m", s.planned_right_m),
    ] {
        if let Some(v) = v {
            out.push(b',');
            push_str(out, key);
            out.push(b':');
            push_number(out, v).map_err(|()| bad_number(&s.id, key, v))?;
        }
    }
    out.extend_from_slice(b"},\"geometry\":");
    let bad = |v: f64| bad_number(&s.id, "coordinates", v);
    match s.lines.as_slice() {
        [] => out.extend_from_slice(b"null"),
        [line] => {
            out.extend_from_slice(b"{\"type\":\"LineString\",\"coordinates\":");
            push_points(out, line).map_err(bad)?;
            out.push(b'}');
        }
        lines => {
            out.extend_from_slice(b"{\"type\":\"MultiLineString\",\"coordinates\":[");
            for (k, line) in lines.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                push_points(out, line).map_err(bad)?;
            }
            out.extend_from_slice(b"]}");
        }
    }
    out.extend_from_slice(b"}\n");
    Ok(())
}

fn parcel_feature(out: &mut Vec<u8>, p: &ParcelInput) -> Result<(), String> {
    feature_head(out, &p.id)?;
    for (key, v, numeric) in [
        ("map_sheet", &p.map_sheet, true),
        ("parcel_no", &p.parcel_no, true),
        ("owner", &p.owner, false),
        ("residential_group", &p.residential_group, false),
        ("land_use", &p.land_use, false),
    ] {
        if let Some(v) = v {
            out.push(b',');
            push_str(out, key);
            out.push(b':');
            if numeric && is_plain_integer(v) {
                out.extend_from_slice(v.as_bytes());
            } else {
                push_str(out, v);
            }
        }
    }
    out.extend_from_slice(b"},\"geometry\":");
    let bad = |v: f64| bad_number(&p.id, "coordinates", v);
    match p.polygons.as_slice() {
        [] => out.extend_from_slice(b"null"),
        [poly] => {
            out.extend_from_slice(b"{\"type\":\"Polygon\",\"coordinates\":");
            push_rings(out, poly).map_err(bad)?;
            out.push(b'}');
        }
        polys => {
            out.extend_from_slice(b"{\"type\":\"MultiPolygon\",\"coordinates\":[");
            for (k, poly) in polys.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                push_rings(out, poly).map_err(bad)?;
            }
            out.extend_from_slice(b"]}");
        }
    }
    out.extend_from_slice(b"}\n");
    Ok(())
}

/// `,{"type":"Feature","id":ID,"properties":{"id":ID` (the leading comma is
/// dropped for the first feature of the file).
fn feature_head(out: &mut Vec<u8>, id: &FeatureId) -> Result<(), String> {
    out.extend_from_slice(b",{\"type\":\"Feature\",\"id\":");
    push_id(out, id)?;
    out.extend_from_slice(b",\"properties\":{\"id\":");
    push_id(out, id)
}

fn push_id(out: &mut Vec<u8>, id: &FeatureId) -> Result<(), String> {
    match id {
        FeatureId::Number(raw) => {
            if !is_json_number(raw) {
                return Err(format!(
                    "mã đối tượng không phải số JSON / feature id '{raw}' is not a JSON number"
                ));
            }
            out.extend_from_slice(raw.as_bytes());
        }
        FeatureId::Text(s) => push_str(out, s),
    }
    Ok(())
}

fn bad_number(id: &FeatureId, key: &str, v: f64) -> String {
    format!(
        "đối tượng {id}: giá trị không hợp lệ / feature {id}: {key} has the non-finite value {v}"
    )
}

fn push_points(out: &mut Vec<u8>, pts: &[[f64; 2]]) -> Result<(), f64> {
    out.push(b'[');
    for (k, p) in pts.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        out.push(b'[');
        push_coord(out, p[0])?;
        out.push(b',');
        push_coord(out, p[1])?;
        out.push(b']');
    }
    out.push(b']');
    Ok(())
}

fn push_rings(out: &mut Vec<u8>, rings: &[Vec<[f64; 2]>]) -> Result<(), f64> {
    out.push(b'[');
    for (k, ring) in rings.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        push_points(out, ring)?;
    }
    out.push(b']');
    Ok(())
}

/// A coordinate rounded to [`COORD_DECIMALS`] decimals, trailing zeros dropped.
fn push_coord(out: &mut Vec<u8>, v: f64) -> Result<(), f64> {
    if !v.is_finite() {
        return Err(v);
    }
    const SCALE: f64 = 1e8;
    let scaled = (v * SCALE).round();
    // integers up to 2^53 are exact; beyond that fall back to the shortest form
    if scaled.abs() >= 9.0e15 {
        return push_number(out, v).map_err(|()| v);
    }
    let mut u = scaled.abs() as u64;
    if scaled < 0.0 && u != 0 {
        out.push(b'-');
    }
    let int = u / 100_000_000;
    u %= 100_000_000;
    push_u64(out, int);
    if u != 0 {
        let mut digits = [b'0'; 8];
        for d in digits.iter_mut().rev() {
            *d = b'0' + (u % 10) as u8;
            u /= 10;
        }
        let len = 8 - digits.iter().rev().take_while(|&&d| d == b'0').count();
        out.push(b'.');
        out.extend_from_slice(&digits[..len]);
    }
    Ok(())
}

fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// A finite number in its shortest exact form (`5.0`, `10.5`, `0.1`).
fn push_number(out: &mut Vec<u8>, v: f64) -> Result<(), ()> {
    if !v.is_finite() {
        return Err(());
    }
    let start = out.len();
    // Display of f64 is the shortest round-tripping decimal, never in exponent form
    write!(out, "{v}").map_err(|_| ())?;
    if !out[start..].contains(&b'.') {
        out.extend_from_slice(b".0");
    }
    Ok(())
}

/// A JSON string: `"`, `\` and control characters escaped, UTF-8 kept.
fn push_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0x00..=0x1f => &[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xf) as usize],
            ],
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(esc);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// `0` or digits without a leading zero, short enough to stay an exact integer.
fn is_plain_integer(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 15
        && b.iter().all(u8::is_ascii_digit)
        && (b[0] != b'0' || b.len() == 1)
}

/// The JSON number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let s = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > s
    };
    if b.first() == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn segment(id: FeatureId, name: &str) -> SegmentInput {
        SegmentInput {
            id,
            name: name.to_string(),
            current_width_m: Some(5.0),
            planned_width_m: Some(10.5),
            planned_left_m: None,
            planned_right_m: None,
            lines: vec![vec![[105.8, 19.51], [105.80123456789, 19.5100000049]]],
        }
    }

    fn parcel(id: FeatureId) -> ParcelInput {
        ParcelInput {
            id,
            map_sheet: Some("12".into()),
            parcel_no: Some("012".into()),
            owner: Some("Nguyễn Văn \"Tí\" \\ và\tcon\u{1}".into()),
            residential_group: Some("Tổ dân phố 3".into()),
            land_use: None,
            polygons: vec![vec![vec![
                [105.8, 19.5],
                [105.8001, 19.5],
                [105.8001, 19.5001],
                [105.8, 19.5],
            ]]],
        }
    }

    fn to_string(f: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        f(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn segments_round_trip_through_a_json_parser() {
        let segs = vec![
            segment(FeatureId::Number("1".into()), "Phố Lê Lợi"),
            segment(FeatureId::Number("2.50".into()), "Ngõ 12 Trần Phú"),
            segment(FeatureId::Text("A-1".into()), "Đường số 3"),
        ];
        let text = to_string(|w| write_segments(w, &segs));
        assert_eq!(text.lines().count(), 5, "one feature per line:\n{text}");
        assert!(text.contains("\"id\":2.50,"), "raw number id kept: {text}");
        assert!(text.contains("Phố Lê Lợi"), "UTF-8 not escaped");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["type"], "FeatureCollection");
        let f = v["features"].as_array().unwrap();
        assert_eq!(f.len(), 3);
        assert_eq!(f[0]["id"], 1);
        assert_eq!(f[0]["properties"]["id"], 1);
        assert_eq!(f[2]["id"], "A-1");
        assert_eq!(f[2]["properties"]["id"], "A-1");
        assert_eq!(f[1]["properties"]["name"], "Ngõ 12 Trần Phú");
        assert_eq!(f[0]["properties"]["current_width_m"], 5.0);
        assert_eq!(f[0]["properties"]["planned_width_m"], 10.5);
        assert!(f[0]["properties"].get("planned_left_m").is_none());
        assert_eq!(f[0]["geometry"]["type"], "LineString");
        let c = &f[0]["geometry"]["coordinates"];
        assert_eq!(c[0][0], 105.8);
        assert_eq!(c[1][0], 105.80123457, "rounded to 8 decimals");
        assert_eq!(c[1][1], 19.51, "trailing zeros dropped");
    }

    #[test]
    fn parcels_round_trip_and_omit_missing_properties() {
        let parcels = vec![parcel(FeatureId::Number("7".into())), {
            let mut p = parcel(FeatureId::Number("8".into()));
            p.polygons.push(p.polygons[0].clone());
            p.owner = None;
            p
        }];
        let text = to_string(|w| write_parcels(w, &parcels));
        let v: Value = serde_json::from_str(&text).unwrap();
        let f = v["features"].as_array().unwrap();
        let p = &f[0]["properties"];
        assert_eq!(f[0]["id"], 7);
        assert_eq!(p["id"], 7);
        assert_eq!(p["map_sheet"], 12, "plain integer written as a number");
        assert_eq!(p["parcel_no"], "012", "leading zero kept as a string");
        assert_eq!(p["owner"], "Nguyễn Văn \"Tí\" \\ và\tcon\u{1}");
        assert_eq!(p["residential_group"], "Tổ dân phố 3");
        assert!(p.get("land_use").is_none());
        assert_eq!(f[0]["geometry"]["type"], "Polygon");
        let ring = f[0]["geometry"]["coordinates"][0].as_array().unwrap();
        assert_eq!(ring.len(), 4);
        assert_eq!(ring[1][0], 105.8001);
        assert_eq!(f[1]["geometry"]["type"], "MultiPolygon");
        assert_eq!(f[1]["geometry"]["coordinates"].as_array().unwrap().len(), 2);
        assert!(f[1]["properties"].get("owner").is_none());
    }

    #[test]
    fn strings_are_escaped_but_utf8_is_kept() {
        let mut out = Vec::new();
        push_str(&mut out, "a\"b\\c\nd\re\tf\u{8}\u{c}\u{0}\u{1f}ệ/");
        let s = String::from_utf8(out).unwrap();
        assert_eq!(
            s, r#""a\"b\\c\nd\re\tf\b\f\u0000\u001fệ/""#,
            "JSON escapes, UTF-8 kept"
        );
        let back: String = serde_json::from_str(&s).unwrap();
        assert_eq!(back, "a\"b\\c\nd\re\tf\u{8}\u{c}\u{0}\u{1f}ệ/");
    }

    #[test]
    fn coordinates_have_at_most_eight_decimals() {
        let cases = [
            (105.8, "105.8"),
            (-0.000000004, "0"),
            (-0.5, "-0.5"),
            (19.123456789, "19.12345679"),
            (0.0, "0"),
            (-105.00000001, "-105.00000001"),
            (12345.0, "12345"),
        ];
        for (v, want) in cases {
            let mut out = Vec::new();
            push_coord(&mut out, v).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), want, "{v}");
        }
        assert!(push_coord(&mut Vec::new(), f64::NAN).is_err());
    }

    #[test]
    fn non_finite_numbers_and_bad_ids_are_errors_naming_the_feature() {
        let mut s = segment(FeatureId::Number("9".into()), "x");
        s.planned_width_m = Some(f64::INFINITY);
        let err = write_segments(Vec::new(), &[s]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("feature 9"), "{err}");
        let s = segment(FeatureId::Number("12a".into()), "x");
        let err = write_segments(Vec::new(), &[s]).unwrap_err();
        assert!(err.to_string().contains("12a"), "{err}");
    }

    #[test]
    fn empty_collections_and_empty_geometries_are_valid_json() {
        let text = to_string(|w| write_parcels(w, &[]));
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["features"].as_array().unwrap().len(), 0);
        let mut s = segment(FeatureId::Number("1".into()), "x");
        s.lines.clear();
        let text = to_string(|w| write_segments(w, &[s]));
        let v: Value = serde_json::from_str(&text).unwrap();
        assert!(v["features"][0]["geometry"].is_null());
    }

    #[test]
    fn many_features_keep_their_order_across_chunks() {
        let n = CHUNK * 3 + 17;
        let parcels: Vec<ParcelInput> = (1..=n as i64).map(|k| parcel(k.into())).collect();
        let text = to_string(|w| write_parcels(w, &parcels));
        let v: Value = serde_json::from_str(&text).unwrap();
        let f = v["features"].as_array().unwrap();
        assert_eq!(f.len(), n);
        for (k, ft) in f.iter().enumerate() {
            assert_eq!(ft["id"], k as i64 + 1);
        }
    }

    #[test]
    fn json_number_grammar() {
        for ok in ["0", "-1", "12", "1.5", "1e5", "-0.25E-3", "2.50"] {
            assert!(is_json_number(ok), "{ok}");
        }
        for bad in ["", "-", "01", "1.", ".5", "1e", "+1", "12a", "NaN", "0x1"] {
            assert!(!is_json_number(bad), "{bad}");
        }
    }
}
