//! Writing the computed measures as CSV (plain decimal points, UTF-8).
//!
//! Rows are formatted in parallel chunks with a fixed-point writer: at a
//! million pairs `format!("{:.6}")` alone would cost more than the geometry.

use crate::campaign::totals::{GroupTotal, SegmentTotal};
use crate::campaign::{FeatureId, SegmentInput, natural_cmp};
use crate::geometry::donation::Donation;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Decimals written for areas and lengths: 1 µm², well past the 1e-4 m² asked.
pub const DECIMALS: u32 = 6;

pub const PAIRS_HEADER: &str = "parcel_id,segment_id,area_in_corridor_m2,attributed_area_m2,frontage_m,depth_mean_m,depth_max_m";

/// Appends `v` with exactly `decimals` decimals (non-finite values as empty fields).
pub fn push_fixed(buf: &mut Vec<u8>, v: f64, decimals: u32) {
    if !v.is_finite() {
        return;
    }
    let scale = 10u64.pow(decimals) as f64;
    let scaled = (v.abs() * scale).round();
    if scaled >= 9.0e18 {
        // beyond u64: fall back to the standard formatter
        let _ = write!(buf, "{v:.*}", decimals as usize);
        return;
    }
    let n = scaled as u64;
    if v < 0.0 && n != 0 {
        buf.push(b'-');
    }
    let p = 10u64.pow(decimals);
    let mut ib = itoa::Buffer::new();
    buf.extend_from_slice(ib.format(n / p).as_bytes());
    if decimals > 0 {
        buf.push(b'.');
        let frac = ib.format(n % p).as_bytes();
        buf.extend(std::iter::repeat_n(b'0', decimals as usize - frac.len()));
        buf.extend_from_slice(frac);
    }
}

/// A text cell made safe for spreadsheets: [`crate::campaign::neutralise_cell`],
/// the one function every CSV writer of the product passes text through.
pub use crate::campaign::neutralise_cell as neutralise;

/// A text field as one CSV field: [`neutralise`]d, then quoted when it has
/// to be.
pub fn text_field(s: &str) -> std::borrow::Cow<'_, str> {
    let s = neutralise(s);
    if s.contains([',', '"', '\n', '\r']) {
        std::borrow::Cow::Owned(format!("\"{}\"", s.replace('"', "\"\"")))
    } else {
        s
    }
}

/// Appends a feature id: a number as written, text as [`push_field`].
pub fn push_id(buf: &mut Vec<u8>, id: &FeatureId) {
    match id {
        FeatureId::Number(n) => buf.extend_from_slice(n.as_bytes()),
        FeatureId::Text(s) => push_field(buf, s),
    }
}

/// Appends a text field, [`neutralise`]d and quoted when it has to be.
pub fn push_field(buf: &mut Vec<u8>, s: &str) {
    let s = neutralise(s);
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        buf.push(b'"');
        for b in s.bytes() {
            if b == b'"' {
                buf.push(b'"');
            }
            buf.push(b);
        }
        buf.push(b'"');
    } else {
        buf.extend_from_slice(s.as_bytes());
    }
}

/// Writes `pairs.csv`: one row per pair, in the order given.
pub fn write_pairs<'a, W: Write>(
    mut w: W,
    pairs: &[Donation],
    parcel_id: impl Fn(u32) -> &'a FeatureId + Sync,
    segment_id: impl Fn(u32) -> &'a FeatureId + Sync,
) -> io::Result<()> {
    w.write_all(PAIRS_HEADER.as_bytes())?;
    w.write_all(b"\n")?;
    let chunks: Vec<Vec<u8>> = pairs
        .par_chunks(16_384)
        .map(|chunk| {
            let mut buf = Vec::with_capacity(chunk.len() * 72);
            for d in chunk {
                push_id(&mut buf, parcel_id(d.parcel));
                buf.push(b',');
                push_id(&mut buf, segment_id(d.segment));
                for v in [
                    d.area_in_corridor_m2,
                    d.attributed_area_m2,
                    d.frontage_m,
                    d.depth_mean_m,
                    d.depth_max_m,
                ] {
                    buf.push(b',');
                    push_fixed(&mut buf, v, DECIMALS);
                }
                buf.push(b'\n');
            }
            buf
        })
        .collect();
    for c in chunks {
        w.write_all(&c)?;
    }
    w.flush()
}

fn push_opt(buf: &mut Vec<u8>, v: Option<f64>) {
    if let Some(v) = v {
        push_fixed(buf, v, 3);
    }
}

/// Writes `segments.csv`: one row per segment with its totals.
pub fn write_segments<W: Write>(
    mut w: W,
    segs: &[SegmentInput],
    totals: &[SegmentTotal],
) -> io::Result<()> {
    let mut buf = b"segment_id,name,length_m,current_width_m,planned_width_m,planned_left_m,planned_right_m,corridor_area_m2,parcels_affected,donated_area_m2,frontage_m,depth_mean_m,depth_max_m\n".to_vec();
    for (s, t) in segs.iter().zip(totals) {
        push_id(&mut buf, &s.id);
        buf.push(b',');
        push_field(&mut buf, &s.name);
        buf.push(b',');
        push_fixed(&mut buf, t.length_m, DECIMALS);
        for v in [
            s.current_width_m,
            s.planned_width_m,
            s.planned_left_m,
            s.planned_right_m,
        ] {
            buf.push(b',');
            push_opt(&mut buf, v);
        }
        buf.push(b',');
        push_fixed(&mut buf, t.corridor_area_m2, DECIMALS);
        buf.push(b',');
        buf.extend_from_slice(itoa::Buffer::new().format(t.parcels_affected).as_bytes());
        for v in [
            t.donated_area_m2,
            t.frontage_m,
            t.depth_mean_m,
            t.depth_max_m,
        ] {
            buf.push(b',');
            push_fixed(&mut buf, v, DECIMALS);
        }
        buf.push(b'\n');
    }
    w.write_all(&buf)?;
    w.flush()
}

/// Writes `groups.csv`: one row per residential group with its totals.
pub fn write_groups<W: Write>(mut w: W, totals: &BTreeMap<String, GroupTotal>) -> io::Result<()> {
    let mut buf = b"residential_group,parcels,parcels_affected,segments,donated_area_m2,frontage_m,depth_mean_m,depth_max_m\n".to_vec();
    let mut ib = itoa::Buffer::new();
    let mut rows: Vec<(&String, &GroupTotal)> = totals.iter().collect();
    rows.sort_by(|a, b| natural_cmp(a.0, b.0));
    for (name, t) in rows {
        push_field(&mut buf, name);
        for n in [t.parcels, t.parcels_affected, t.segments] {
            buf.push(b',');
            buf.extend_from_slice(ib.format(n).as_bytes());
        }
        for v in [
            t.donated_area_m2,
            t.frontage_m,
            t.depth_mean_m,
            t.depth_max_m,
        ] {
            buf.push(b',');
            push_fixed(&mut buf, v, DECIMALS);
        }
        buf.push(b'\n');
    }
    w.write_all(&buf)?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(v: f64, d: u32) -> String {
        let mut b = Vec::new();
        push_fixed(&mut b, v, d);
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn fixed_point_matches_the_standard_formatter() {
        for v in [
            0.0,
            1.5,
            -2.25,
            12.734467453367833,
            0.0000004,
            -0.0000004,
            123456.7890125,
            1e-7,
        ] {
            // the last digit may differ at an exact half, where scaling rounds first
            let got: f64 = fixed(v, 6).parse().unwrap();
            assert!((got - v).abs() <= 0.5e-6 + 1e-9, "{v} -> {got}");
            assert_eq!(fixed(v, 6).split('.').nth(1).unwrap().len(), 6);
        }
        assert_eq!(fixed(5.0, 3), "5.000");
        assert_eq!(fixed(-0.0000001, 6), "0.000000");
        assert_eq!(fixed(12.734467453367833, 6), "12.734467");
    }

    #[test]
    fn formula_cells_are_neutralised_numbers_are_not() {
        for (s, want) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
            ),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "\"'\rx\""),
            ("Nguyễn Văn A", "Nguyễn Văn A"),
            ("a=b", "a=b"),
        ] {
            let mut b = Vec::new();
            push_field(&mut b, s);
            assert_eq!(String::from_utf8(b).unwrap(), want, "{s:?}");
            assert_eq!(text_field(s), want, "{s:?}");
        }
        // numbers the product writes stay numbers
        let mut b = Vec::new();
        push_fixed(&mut b, -12.5, 3);
        b.push(b',');
        push_id(&mut b, &FeatureId::Number("-7".into()));
        b.push(b',');
        push_id(&mut b, &FeatureId::Text("-7".into()));
        assert_eq!(String::from_utf8(b).unwrap(), "-12.500,-7,'-7");
    }

    #[test]
    fn fields_with_commas_or_quotes_are_quoted() {
        let mut b = Vec::new();
        push_field(&mut b, "Nguyễn Văn \"Ba\", Tổ 5");
        assert_eq!(
            String::from_utf8(b).unwrap(),
            "\"Nguyễn Văn \"\"Ba\"\", Tổ 5\""
        );
    }
}
