//! Input features (WGS84 lon/lat) to measurable shapes (projected metres).
//!
//! Coordinates are shifted to a local origin right after projection: a
//! shoelace sum over raw VN-2000 coordinates (products ~10¹²) would lose
//! ~10⁻⁴ m², a tenth of the tolerance.

use super::clip::{P, Shape, ring_area};
use super::corridor::Centerline;
use super::crs::{Crs, CrsError};
use crate::campaign::{ParcelInput, SegmentInput};
use rayon::prelude::*;

/// The local origin subtracted from every projected coordinate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Origin(pub P);

impl Origin {
    /// A round origin near the data: the first coordinate, projected, to the kilometre.
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

/// Projects rings in place and shifts them to the origin.
fn project_rings(
    crs: &Crs,
    origin: Origin,
    rings: &[Vec<[f64; 2]>],
) -> Result<Vec<Vec<P>>, CrsError> {
    let mut flat: Vec<P> = rings.iter().flatten().copied().collect();
    crs.project_in_place(&mut flat)?;
    let mut out = Vec::with_capacity(rings.len());
    let mut k = 0;
    for r in rings {
        let mut ring: Vec<P> = flat[k..k + r.len()]
            .iter()
            .map(|p| [p[0] - origin.0[0], p[1] - origin.0[1]])
            .collect();
        k += r.len();
        ring.dedup();
        out.push(ring);
    }
    Ok(out)
}

/// A parcel as a [`Shape`]: closing points dropped, exteriors counter-clockwise, holes clockwise.
pub fn parcel_shape(crs: &Crs, origin: Origin, parcel: &ParcelInput) -> Result<Shape, CrsError> {
    let mut shape = Shape::new();
    for poly in &parcel.polygons {
        for (k, mut ring) in project_rings(crs, origin, poly)?.into_iter().enumerate() {
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

/// Every parcel's shape, in parallel, in input order; the first failure names its parcel index.
pub fn parcel_shapes(
    crs: &Crs,
    origin: Origin,
    parcels: &[ParcelInput],
) -> Result<Vec<Shape>, (usize, CrsError)> {
    parcels
        .par_iter()
        .enumerate()
        .map(|(i, p)| parcel_shape(crs, origin, p).map_err(|e| (i, e)))
        .collect()
}

/// A segment's centerline in projected metres.
pub fn centerline(crs: &Crs, origin: Origin, seg: &SegmentInput) -> Result<Centerline, CrsError> {
    Ok(Centerline::new(project_rings(crs, origin, &seg.lines)?))
}

/// Polygons (rings as given, closing point dropped) in projected metres.
pub fn polygons(
    crs: &Crs,
    origin: Origin,
    polys: &[Vec<Vec<[f64; 2]>>],
) -> Result<Vec<Vec<Vec<P>>>, CrsError> {
    polys
        .iter()
        .map(|poly| {
            let mut rings = project_rings(crs, origin, poly)?;
            for r in &mut rings {
                if r.len() > 1 && r.first() == r.last() {
                    r.pop();
                }
            }
            Ok(rings)
        })
        .collect()
}
