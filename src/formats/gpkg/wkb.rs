//! Decoding GeoPackage geometry blobs: the binary header, then ISO WKB in
//! either byte order (EWKB's Z/M/SRID flags too), curves linearised.

use super::*;
use crate::formats::curve::{CurveError, Linearizer};
#[cfg(test)]
use crate::formats::limits::Limits;

/// What is wrong with a geometry blob, in Vietnamese and English.
#[derive(Debug)]
pub(super) struct Bad {
    pub(super) vi: String,
    pub(super) en: String,
}

pub(super) fn bad(vi: impl Into<String>, en: impl Into<String>) -> Bad {
    Bad {
        vi: vi.into(),
        en: en.into(),
    }
}

pub(super) fn truncated() -> Bad {
    bad("BLOB hình học bị cắt cụt", "geometry BLOB is truncated")
}

/// Decodes a GeoPackage geometry blob, arcs linearised within the default
/// limits.
#[cfg(test)]
pub(super) fn parse_blob(b: &[u8]) -> Result<Geometry, Bad> {
    let l = &Limits::DEFAULT;
    parse_blob_with(
        b,
        &mut Linearizer::new(
            crate::formats::curve::TOLERANCE_M,
            l.arc_segments,
            l.curve_vertices,
        ),
    )
}

/// Decodes a GeoPackage geometry blob, arcs linearised by `lin`.
pub(super) fn parse_blob_with(b: &[u8], lin: &mut Linearizer) -> Result<Geometry, Bad> {
    let [g, p, _version, flags, ..] = *b else {
        return Err(truncated());
    };
    if [g, p] != *b"GP" {
        return Err(bad(
            "BLOB không bắt đầu bằng 'GP' (không phải hình học GeoPackage)",
            "BLOB does not start with 'GP' (not a GeoPackage geometry)",
        ));
    }
    if flags & 0b0010_0000 != 0 {
        return Err(bad(
            "hình học GeoPackage mở rộng không được hỗ trợ",
            "extended GeoPackage geometry is not supported",
        ));
    }
    if flags & 0b0001_0000 != 0 {
        return Err(bad("hình học rỗng", "empty geometry"));
    }
    let env = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        n => {
            return Err(bad(
                format!("mã bao hình (envelope) sai: {n}"),
                format!("invalid envelope indicator {n}"),
            ));
        }
    };
    let wkb = b.get(8 + env..).ok_or_else(truncated)?;
    let mut r = Wkb(wkb);
    let mut parts = Parts::default();
    r.geometry(&mut parts, 0, lin)?;
    if !r.0.is_empty() {
        return Err(bad(
            format!("thừa {} byte sau WKB", r.0.len()),
            format!("{} stray bytes after the WKB", r.0.len()),
        ));
    }
    parts.into_geometry()
}

/// What a WKB holds, flattened.
#[derive(Default)]
pub(super) struct Parts {
    points: Vec<Pt>,
    lines: Vec<Vec<Pt>>,
    polys: Vec<Vec<Vec<Pt>>>,
}

impl Parts {
    fn into_geometry(self) -> Result<Geometry, Bad> {
        let (np, nl, na) = (self.points.len(), self.lines.len(), self.polys.len());
        match (np, nl, na) {
            (0, 0, 0) => Err(bad("hình học rỗng", "empty geometry")),
            (0, 0, _) => Ok(Geometry::Polygons(self.polys)),
            (0, _, 0) => Ok(Geometry::Lines(self.lines)),
            (1, 0, 0) => Ok(Geometry::Point(self.points[0])),
            (_, 0, 0) => Err(bad(
                format!("MultiPoint có {np} điểm, chỉ đọc được một điểm"),
                format!("MultiPoint of {np} points; only a single point can be read"),
            )),
            _ => Err(bad(
                format!("trộn lẫn {np} điểm, {nl} đường, {na} vùng"),
                format!("mixes {np} points, {nl} lines, {na} polygons"),
            )),
        }
    }
}

/// ISO WKB (each geometry with its own byte order).
pub(super) struct Wkb<'a>(&'a [u8]);

impl Wkb<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], Bad> {
        let (a, rest) = self.0.split_first_chunk::<N>().ok_or_else(truncated)?;
        self.0 = rest;
        Ok(*a)
    }

    fn u32(&mut self, le: bool) -> Result<u32, Bad> {
        let b = self.take()?;
        Ok(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn f64(&mut self, le: bool) -> Result<f64, Bad> {
        let b = self.take()?;
        Ok(if le {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        })
    }

    /// A count of items at least `min` bytes each, checked against what is
    /// left so a corrupt count cannot ask for a huge allocation.
    fn count(&mut self, le: bool, min: usize) -> Result<usize, Bad> {
        let n = self.u32(le)? as usize;
        if n.saturating_mul(min) > self.0.len() {
            return Err(truncated());
        }
        Ok(n)
    }

    fn point(&mut self, le: bool, dims: usize) -> Result<Pt, Bad> {
        let x = self.f64(le)?;
        let y = self.f64(le)?;
        for _ in 2..dims {
            self.f64(le)?;
        }
        Ok([x, y])
    }

    fn points(&mut self, le: bool, dims: usize) -> Result<Vec<Pt>, Bad> {
        let n = self.count(le, 8 * dims)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(self.point(le, dims)?);
        }
        Ok(v)
    }

    /// A geometry's header: byte order, coordinates per point, type code
    /// (Z and M taken off), and the raw type for messages.
    fn header(&mut self) -> Result<(bool, usize, u32, u32), Bad> {
        let le = match self.take::<1>()? {
            [0] => false,
            [1] => true,
            [o] => {
                return Err(bad(
                    format!("thứ tự byte WKB sai: {o}"),
                    format!("invalid WKB byte order {o}"),
                ));
            }
        };
        let raw = self.u32(le)?;
        let mut dims = 2;
        // EWKB-style flags, then the ISO thousands.
        dims += usize::from(raw & 0x8000_0000 != 0) + usize::from(raw & 0x4000_0000 != 0);
        if raw & 0x2000_0000 != 0 {
            self.u32(le)?; // an EWKB SRID: not GeoPackage, harmless to skip
        }
        let code = raw & 0x0FFF_FFFF;
        dims += match code / 1000 {
            0 => 0,
            1 | 2 => 1,
            3 => 2,
            _ => 9,
        };
        if dims > 4 {
            return Err(unsupported(raw));
        }
        Ok((le, dims, code % 1000, raw))
    }

    fn geometry(&mut self, out: &mut Parts, depth: u32, lin: &mut Linearizer) -> Result<(), Bad> {
        if depth > MAX_DEPTH {
            return Err(bad(
                "tập hợp hình học lồng nhau quá sâu",
                "geometry collections nested too deep",
            ));
        }
        let (le, dims, code, raw) = self.header()?;
        match code {
            1 => {
                let p = self.point(le, dims)?;
                // An empty point is NaN, NaN.
                if !(p[0].is_nan() && p[1].is_nan()) {
                    out.points.push(p);
                }
            }
            // LineString, CircularString, CompoundCurve
            2 | 8 | 9 => {
                let l = self.curve_body(le, dims, code, raw, lin)?;
                if !l.is_empty() {
                    out.lines.push(l);
                }
            }
            3 => {
                let n = self.count(le, 4)?;
                let mut rings = Vec::with_capacity(n);
                for _ in 0..n {
                    let mut ring = self.points(le, dims)?;
                    // The layer contract wants closed rings.
                    close(&mut ring);
                    if !ring.is_empty() {
                        rings.push(ring);
                    }
                }
                if !rings.is_empty() {
                    out.polys.push(rings);
                }
            }
            // CurvePolygon: rings that are curves, each with its header
            10 => {
                let n = self.count(le, 9)?;
                let mut rings = Vec::with_capacity(n);
                for _ in 0..n {
                    let mut ring = self.curve(depth + 1, lin)?;
                    close(&mut ring);
                    if !ring.is_empty() {
                        rings.push(ring);
                    }
                }
                if !rings.is_empty() {
                    out.polys.push(rings);
                }
            }
            // Multi*, GeometryCollection, MultiCurve, MultiSurface
            4..=7 | 11 | 12 => {
                let n = self.count(le, 5)?;
                for _ in 0..n {
                    self.geometry(out, depth + 1, lin)?;
                }
            }
            _ => return Err(unsupported(raw)),
        }
        Ok(())
    }

    /// A curve with its header: a LineString, CircularString or
    /// CompoundCurve, as a line.
    fn curve(&mut self, depth: u32, lin: &mut Linearizer) -> Result<Vec<Pt>, Bad> {
        if depth > MAX_DEPTH {
            return Err(bad(
                "hình học lồng nhau quá sâu",
                "geometry nested too deep",
            ));
        }
        let (le, dims, code, raw) = self.header()?;
        match code {
            2 | 8 | 9 => self.curve_body(le, dims, code, raw, lin),
            _ => Err(bad(
                format!("vòng của CurvePolygon có kiểu WKB {raw:#x}, không phải đường cong"),
                format!("a CurvePolygon ring of WKB type {raw:#x}, which is no curve"),
            )),
        }
    }

    /// The body of a LineString (2), CircularString (8) or CompoundCurve
    /// (9): its points, arcs linearised.
    fn curve_body(
        &mut self,
        le: bool,
        dims: usize,
        code: u32,
        raw: u32,
        lin: &mut Linearizer,
    ) -> Result<Vec<Pt>, Bad> {
        match code {
            2 => self.points(le, dims),
            8 => {
                let pts = self.points(le, dims)?;
                if pts.is_empty() {
                    return Ok(pts);
                }
                if pts.len() < 3 || pts.len() % 2 == 0 {
                    return Err(bad(
                        format!(
                            "CircularString có {} điểm (cần 3, 5, 7...: điểm đầu rồi từng cặp điểm giữa, điểm cuối)",
                            pts.len()
                        ),
                        format!(
                            "a CircularString of {} points (3, 5, 7... are needed: a start, then a middle and an end per arc)",
                            pts.len()
                        ),
                    ));
                }
                let mut out = Vec::with_capacity(pts.len());
                lin.string(&pts, &mut out).map_err(too_many)?;
                Ok(out)
            }
            9 => {
                let n = self.count(le, 9)?;
                let mut out: Vec<Pt> = Vec::new();
                for i in 0..n {
                    let (le, dims, code, raw) = self.header()?;
                    let part = match code {
                        2 => self.points(le, dims)?,
                        8 => self.curve_body(le, dims, code, raw, lin)?,
                        _ => {
                            return Err(bad(
                                format!(
                                    "phần {} của CompoundCurve có kiểu WKB {raw:#x}, không phải LineString hay CircularString",
                                    i + 1
                                ),
                                format!(
                                    "part {} of a CompoundCurve has WKB type {raw:#x}, neither LineString nor CircularString",
                                    i + 1
                                ),
                            ));
                        }
                    };
                    // each part starts where the last ended: that point once
                    let skip = usize::from(out.last().is_some() && out.last() == part.first());
                    out.extend_from_slice(part.get(skip..).unwrap_or_default());
                }
                Ok(out)
            }
            _ => Err(unsupported(raw)),
        }
    }
}

fn unsupported(raw: u32) -> Bad {
    bad(
        format!("kiểu WKB không hỗ trợ {raw:#x}"),
        format!("unsupported WKB type {raw:#x}"),
    )
}

fn too_many(e: CurveError) -> Bad {
    let CurveError::Budget(_) = e;
    bad(
        "các cung tròn của tệp cần quá nhiều đỉnh khi nắn thẳng (vượt giới hạn của một tệp)",
        "the file's circular arcs need too many vertices once linearised (over the limit of a file)",
    )
}

/// Closes a ring (the layer contract wants closed rings).
fn close(ring: &mut Vec<Pt>) {
    if let (Some(&f), Some(&l)) = (ring.first(), ring.last())
        && f != l
    {
        ring.push(f);
    }
}
