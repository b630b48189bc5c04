//! Input features (WGS84 lon/lat) to measurable shapes (projected metres).
//!
//! Coordinates are shifted to a local origin right after projection: a
//! shoelace sum over raw VN-2000 coordinates (products ~10¹²) would lose
//! ~10⁻⁴ m², a tenth of the tolerance.

use super::clip::{P, Shape, ShapeRef, ring_area};
use super::corridor::Centerline;
use super::crs::{Crs, CrsError, Grid};
use super::input::{ParcelInput, SegmentInput};
use rayon::prelude::*;

/// The local origin subtracted from every projected coordinate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Origin(pub P);

impl Origin {
    /// A round origin near a lon/lat point: projected, to the kilometre.
    pub fn near(crs: &Crs, lonlat: P) -> Result<Origin, CrsError> {
        let [x, y] = crs.to_projected(lonlat[0], lonlat[1])?;
        Ok(Origin([
            (x / 1000.0).round() * 1000.0,
            (y / 1000.0).round() * 1000.0,
        ]))
    }

    pub fn to_world(&self, p: P) -> P {
        [p[0] + self.0[0], p[1] + self.0[1]]
    }
}

/// Lon/lat → projected metres relative to an [`Origin`]: through a [`Grid`]
/// over the data when one can be built, else exactly.
pub struct Projector<'a> {
    crs: &'a Crs,
    pub origin: Origin,
    grid: Option<Grid<'a>>,
}

impl<'a> Projector<'a> {
    /// A projector for data within `bbox` (lon/lat degrees `[min, max]`).
    pub fn new(crs: &'a Crs, bbox: [P; 2]) -> Result<Projector<'a>, CrsError> {
        let centre = [
            (bbox[0][0] + bbox[1][0]) / 2.0,
            (bbox[0][1] + bbox[1][1]) / 2.0,
        ];
        let origin = Origin::near(crs, centre)?;
        let grid = Grid::new(crs, bbox[0], bbox[1], origin.0);
        Ok(Projector { crs, origin, grid })
    }

    /// An exact projector (no grid).
    pub fn exact(crs: &'a Crs, origin: Origin) -> Projector<'a> {
        Projector {
            crs,
            origin,
            grid: None,
        }
    }

    pub fn project_in_place(&self, pts: &mut [P]) -> Result<(), CrsError> {
        match &self.grid {
            Some(g) => g.project_in_place(pts),
            None => {
                self.crs.project_in_place(pts)?;
                for p in pts.iter_mut() {
                    *p = [p[0] - self.origin.0[0], p[1] - self.origin.0[1]];
                }
                Ok(())
            }
        }
    }

    /// Projects rings, dropping consecutive duplicate points.
    fn rings(&self, rings: &[Vec<[f64; 2]>]) -> Result<Vec<Vec<P>>, CrsError> {
        rings
            .iter()
            .map(|r| {
                let mut ring = r.clone();
                self.project_in_place(&mut ring)?;
                ring.dedup();
                Ok(ring)
            })
            .collect()
    }
}

/// The lon/lat bounding box of all finite coordinates, in parallel.
pub fn lonlat_bbox(segments: &[SegmentInput], parcels: &[ParcelInput]) -> Option<[P; 2]> {
    fn merge(a: Option<[P; 2]>, b: Option<[P; 2]>) -> Option<[P; 2]> {
        match (a, b) {
            (Some(a), Some(b)) => Some([
                [a[0][0].min(b[0][0]), a[0][1].min(b[0][1])],
                [a[1][0].max(b[1][0]), a[1][1].max(b[1][1])],
            ]),
            (a, None) => a,
            (None, b) => b,
        }
    }
    fn of<'a>(pts: impl Iterator<Item = &'a [f64; 2]>) -> Option<[P; 2]> {
        pts.filter(|p| p[0].is_finite() && p[1].is_finite())
            .fold(None, |acc, p| merge(acc, Some([*p, *p])))
    }
    let a = parcels
        .par_iter()
        .map(|p| of(p.polygons.iter().flatten().flatten()))
        .reduce(|| None, merge);
    let b = segments
        .par_iter()
        .map(|s| of(s.lines.iter().flatten()))
        .reduce(|| None, merge);
    merge(a, b)
}

/// `(min, max)` lon/lat of points.
pub fn lonlat_box<'a>(pts: impl Iterator<Item = &'a [f64; 2]>) -> Option<[P; 2]> {
    pts.fold(None, |b, p| {
        Some(match b {
            None => [*p, *p],
            Some([lo, hi]) => [
                [lo[0].min(p[0]), lo[1].min(p[1])],
                [hi[0].max(p[0]), hi[1].max(p[1])],
            ],
        })
    })
}

/// Left and right half widths: `planned_left_m`/`planned_right_m` where given,
/// else half of `planned_width_m` (0 when unknown: validation refuses that
/// unless a corridor polygon is given).
pub fn half_widths(s: &SegmentInput) -> (f64, f64) {
    let half = s.planned_width_m.map(|w| w / 2.0);
    (
        s.planned_left_m.or(half).unwrap_or(0.0),
        s.planned_right_m.or(half).unwrap_or(0.0),
    )
}

/// A lon/lat box that holds the segment's corridor, generously: the
/// centerline's box widened by five times its larger half width (the mitre
/// limit) plus a metre, and the box of the given corridor polygons' points.
pub fn search_box<'a>(s: &SegmentInput, given: impl Iterator<Item = &'a P>) -> [P; 2] {
    let mut b = lonlat_box(s.lines.iter().flatten()).unwrap_or([[0.0; 2]; 2]);
    let (l, r) = half_widths(s);
    let reach_m = 5.0 * l.max(r) + 1.0;
    let dlat = reach_m / 110_000.0;
    let dlon = dlat
        / b[1][1]
            .abs()
            .max(b[0][1].abs())
            .to_radians()
            .cos()
            .max(0.01);
    b = [
        [b[0][0] - dlon, b[0][1] - dlat],
        [b[1][0] + dlon, b[1][1] + dlat],
    ];
    if let Some(c) = lonlat_box(given) {
        b = [
            [b[0][0].min(c[0][0]), b[0][1].min(c[0][1])],
            [b[1][0].max(c[1][0]), b[1][1].max(c[1][1])],
        ];
    }
    b
}

/// A parcel as a [`Shape`]: closing points dropped, exteriors counter-clockwise, holes clockwise.
pub fn parcel_shape(proj: &Projector, parcel: &ParcelInput) -> Result<Shape, CrsError> {
    let mut shape = Shape::new();
    for poly in &parcel.polygons {
        for (k, mut ring) in proj.rings(poly)?.into_iter().enumerate() {
            if ring.len() > 1 && ring.first() == ring.last() {
                ring.pop();
            }
            let a = ring_area(&ring);
            if (k == 0 && a < 0.0) || (k > 0 && a > 0.0) {
                ring.reverse();
            }
            shape.push_ring(&ring);
        }
    }
    Ok(shape)
}

/// All parcels' rings in three flat arrays, so that a million parcels cost a
/// handful of allocations instead of millions.
#[derive(Debug, Default)]
pub struct ParcelStore {
    pts: Vec<P>,
    /// Ring `k` is `pts[ring_starts[k]..ring_starts[k + 1]]`.
    ring_starts: Vec<u32>,
    /// Parcel `i` has rings `first_ring[i]..first_ring[i + 1]`.
    first_ring: Vec<u32>,
}

impl ParcelStore {
    /// Projects every parcel, in parallel, in input order; a failure names its parcel index.
    pub fn build(
        proj: &Projector,
        parcels: &[ParcelInput],
    ) -> Result<ParcelStore, (usize, CrsError)> {
        let parts: Vec<ParcelStore> = parcels
            .par_chunks(8192)
            .enumerate()
            .map(|(c, chunk)| {
                let mut part = ParcelStore::default();
                part.ring_starts.push(0);
                part.first_ring.push(0);
                for (k, p) in chunk.iter().enumerate() {
                    for poly in &p.polygons {
                        for (r, ring) in poly.iter().enumerate() {
                            let start = part.pts.len();
                            part.pts.extend_from_slice(ring);
                            let tail = &mut part.pts[start..];
                            proj.project_in_place(tail).map_err(|e| (c * 8192 + k, e))?;
                            let n = normalise_ring(tail, r == 0);
                            part.pts.truncate(start + n);
                            part.ring_starts.push(part.pts.len() as u32);
                        }
                    }
                    part.first_ring.push(part.ring_starts.len() as u32 - 1);
                }
                Ok(part)
            })
            .collect::<Result<_, _>>()?;
        let mut all = ParcelStore {
            pts: Vec::with_capacity(parts.iter().map(|p| p.pts.len()).sum()),
            ring_starts: vec![0],
            first_ring: vec![0],
        };
        for part in parts {
            let (pts_off, ring_off) = (all.pts.len() as u32, all.ring_starts.len() as u32 - 1);
            all.pts.extend_from_slice(&part.pts);
            all.ring_starts
                .extend(part.ring_starts[1..].iter().map(|s| s + pts_off));
            all.first_ring
                .extend(part.first_ring[1..].iter().map(|r| r + ring_off));
        }
        Ok(all)
    }

    /// A store of already projected shapes.
    pub fn from_shapes<'a>(shapes: impl IntoIterator<Item = &'a Shape>) -> ParcelStore {
        let mut all = ParcelStore {
            pts: Vec::new(),
            ring_starts: vec![0],
            first_ring: vec![0],
        };
        for s in shapes {
            for r in s.rings() {
                all.pts.extend_from_slice(r);
                all.ring_starts.push(all.pts.len() as u32);
            }
            all.first_ring.push(all.ring_starts.len() as u32 - 1);
        }
        all
    }

    pub fn len(&self) -> usize {
        self.first_ring.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Parcel `i`'s rings.
    pub fn get(&self, i: usize) -> ShapeRef<'_> {
        let (r0, r1) = (self.first_ring[i] as usize, self.first_ring[i + 1] as usize);
        let starts = &self.ring_starts[r0..=r1];
        let (p0, p1) = (starts[0], starts[starts.len() - 1]);
        ShapeRef {
            pts: &self.pts[p0 as usize..p1 as usize],
            starts,
            base: p0,
        }
    }
}

/// Drops repeated and closing points and orients the ring (exterior
/// counter-clockwise, hole clockwise), in place; returns its new length.
fn normalise_ring(ring: &mut [P], exterior: bool) -> usize {
    let mut n = 0;
    for i in 0..ring.len() {
        if n == 0 || ring[i] != ring[n - 1] {
            ring[n] = ring[i];
            n += 1;
        }
    }
    while n > 1 && ring[0] == ring[n - 1] {
        n -= 1;
    }
    let a = ring_area(&ring[..n]);
    if (exterior && a < 0.0) || (!exterior && a > 0.0) {
        ring[..n].reverse();
    }
    n
}

/// A segment's centerline in projected metres.
pub fn centerline(proj: &Projector, seg: &SegmentInput) -> Result<Centerline, CrsError> {
    Ok(Centerline::new(proj.rings(&seg.lines)?))
}

/// Polygons (rings as given, closing point dropped) in projected metres.
pub fn polygons(
    proj: &Projector,
    polys: &[Vec<Vec<[f64; 2]>>],
) -> Result<Vec<Vec<Vec<P>>>, CrsError> {
    polys
        .iter()
        .map(|poly| {
            let mut rings = proj.rings(poly)?;
            for r in &mut rings {
                if r.len() > 1 && r.first() == r.last() {
                    r.pop();
                }
            }
            Ok(rings)
        })
        .collect()
}
