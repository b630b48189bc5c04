//! Input features (WGS84 lon/lat) to measurable shapes (projected metres).
//!
//! Coordinates are shifted to a local origin right after projection: a
//! shoelace sum over raw VN-2000 coordinates (products ~10¹²) would lose
//! ~10⁻⁴ m², a tenth of the tolerance.

use super::clip::{P, Shape, ring_area};
use super::corridor::Centerline;
use super::crs::{Crs, CrsError, Grid};
use crate::campaign::{ParcelInput, SegmentInput};
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

/// Every parcel's shape, in parallel, in input order; a failure names its parcel index.
pub fn parcel_shapes(
    proj: &Projector,
    parcels: &[ParcelInput],
) -> Result<Vec<Shape>, (usize, CrsError)> {
    parcels
        .par_iter()
        .enumerate()
        .map(|(i, p)| parcel_shape(proj, p).map_err(|e| (i, e)))
        .collect()
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
