//! What one element draws: the vertices of lines, line strings, shapes and
//! curves, ellipses and arcs as chords, and texts with their origin.

use super::element::*;
use super::{FormatError, Pt};

/// Largest distance (m) between an ellipse or arc and its chords.
pub(super) const SAGITTA: f64 = 0.001;

/// A text's bytes as stored: 8-bit (ASCII or a Vietnamese legacy encoding,
/// decoded once the whole file's texts are known) or 16-bit.
pub(super) enum TextBytes<'a> {
    Bytes(&'a [u8]),
    Unicode(String),
}

/// The vertices an element of a line kind draws, in metres: line (3), line
/// string (4), shape (6), curve (11, through its points), ellipse (15,
/// closed) and arc (16) as chords. `None` for other kinds. `budget` is the
/// vertices arcs may still become in this file.
pub(super) fn path(
    d: &Design,
    e: &Raw,
    arc_segments: usize,
    budget: &mut u64,
) -> Result<Option<Vec<Pt>>, FormatError> {
    let ps = d.point_size();
    Ok(Some(match e.kind() {
        LINE => vec![d.vertex(e, 36)?, d.vertex(e, 36 + ps)?],
        LINE_STRING | SHAPE | CURVE => {
            let n = usize::from(e.u16(36)?);
            if n < 2 {
                return Err(e.bad(
                    &format!("chỉ có {n} đỉnh"),
                    &format!("has only {n} vertices"),
                ));
            }
            let end = 38 + n * ps;
            if end > e.bytes.len() {
                return Err(e.bad(
                    &format!(
                        "khai {n} đỉnh ({end} byte) nhưng phần tử chỉ dài {} byte",
                        e.bytes.len()
                    ),
                    &format!(
                        "declares {n} vertices ({end} bytes) but the element is only {} bytes long",
                        e.bytes.len()
                    ),
                ));
            }
            (0..n)
                .map(|i| d.vertex(e, 38 + i * ps))
                .collect::<Result<_, _>>()?
        }
        ELLIPSE | ARC => arc(d, e, arc_segments, budget)?,
        _ => return Ok(None),
    }))
}

/// An ellipse (15) or arc (16) as chords within [`SAGITTA`]. Angles are
/// stored in 1/360000 degree; an arc's sweep in sign-and-magnitude, 0 for
/// a full turn. Axes and origin are VAX doubles in UOR. In 3D files the
/// rotation is a quaternion, which (as GDAL does) is not applied.
fn arc(d: &Design, e: &Raw, max_segments: usize, budget: &mut u64) -> Result<Vec<Pt>, FormatError> {
    let is_arc = e.kind() == ARC;
    let base = if is_arc { 44 } else { 36 };
    let (start, sweep) = if is_arc {
        let start = f64::from(e.i32(36)?) / 360_000.0;
        let raw = e.i32(40)?;
        // sign and magnitude: the top bit is the sign
        let mag = f64::from(raw & 0x7fff_ffff);
        let sweep = if mag == 0.0 {
            360.0
        } else if raw < 0 {
            -mag / 360_000.0
        } else {
            mag / 360_000.0
        };
        (start, sweep)
    } else {
        (0.0, 360.0)
    };
    let a = e.vax(base)? * d.scale;
    let b = e.vax(base + 8)? * d.scale;
    let (rotation, origin_at) = if d.three_d {
        (0.0, base + 16 + 16)
    } else {
        (f64::from(e.i32(base + 16)?) / 360_000.0, base + 20)
    };
    let c = d.point(e.vax(origin_at)?, e.vax(origin_at + 8)?);
    let sane = |v: f64| v.is_finite() && v.abs() < 1e9;
    if !(sane(a) && sane(b) && sane(c[0]) && sane(c[1]) && sweep.abs() <= 360.0 * 1.0001) {
        return Err(e.bad(
            "trục, tâm hoặc góc không hợp lệ",
            "invalid axes, centre or angles",
        ));
    }
    let r = a.abs().max(b.abs());
    let step = if r > SAGITTA {
        (2.0 * (1.0 - SAGITTA / r).acos()).to_degrees().max(0.01)
    } else {
        90.0
    };
    let n = ((sweep.abs() / step).ceil() as usize).clamp(4, max_segments.max(4));
    let need = n as u64 + 1;
    if need > *budget {
        return Err(e.bad(
            "các cung và ellipse của tệp vượt giới hạn số đỉnh khi chia dây cung",
            "the file's arcs and ellipses exceed the vertex limit when turned into chords",
        ));
    }
    *budget -= need;
    let (sr, cr) = rotation.to_radians().sin_cos();
    Ok((0..=n)
        .map(|k| {
            let t = (start + sweep * k as f64 / n as f64).to_radians();
            let (x, y) = (a * t.cos(), b * t.sin());
            [c[0] + x * cr - y * sr, c[1] + x * sr + y * cr]
        })
        .collect())
}

/// A text element's origin (metres) and characters: 2D files keep the
/// count at byte 58, the origin at 50 and the characters from 60; 3D files
/// at 74, 62 and 76. Characters starting 0xFF 0xFD are 16-bit.
pub(super) fn text<'a>(d: &Design, e: &Raw<'a>) -> Result<(Pt, TextBytes<'a>), FormatError> {
    let (count_at, origin_at, chars_at) = if d.three_d {
        (74, 62, 76)
    } else {
        (58, 50, 60)
    };
    let n = usize::from(e.byte(count_at)?);
    let at = d.vertex(e, origin_at)?;
    let raw = e.slice(chars_at, n)?;
    if let [0xFF, 0xFD, rest @ ..] = raw {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        return Ok((at, TextBytes::Unicode(String::from_utf16_lossy(&units))));
    }
    // the characters stop at the first NUL
    let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
    Ok((at, TextBytes::Bytes(&raw[..end])))
}
