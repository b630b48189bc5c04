//! Coordinate checks: non-finite, out-of-range and swapped lat/lon
//! positions; bounding boxes and metres per degree.

use super::{Part, Reason};

/// Checks each position's numbers; `false` if any is unusable (further
/// checks on the part are then skipped).
pub(super) fn check_positions(
    part: Part,
    points: &[[f64; 2]],
    report: &mut impl FnMut(Reason, Option<[f64; 2]>),
) -> bool {
    // Fast path: all finite and in range.
    if points
        .iter()
        .all(|&[x, y]| (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y))
    {
        return true;
    }
    let mut non_finite = (0, usize::MAX);
    let mut swapped = (0, usize::MAX);
    let mut out_of_range = (0, usize::MAX);
    for (v, &[x, y]) in points.iter().enumerate() {
        let first = |(n, at): (usize, usize)| (n + 1, at.min(v));
        if !x.is_finite() || !y.is_finite() {
            non_finite = first(non_finite);
        } else if (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y) {
        } else if (-90.0..=90.0).contains(&x) && (-180.0..=180.0).contains(&y) {
            swapped = first(swapped);
        } else {
            out_of_range = first(out_of_range);
        }
    }
    if non_finite.0 > 0 {
        report(
            Reason::NonFiniteCoordinate {
                part,
                vertex: non_finite.1,
                count: non_finite.0,
            },
            None,
        );
    }
    if swapped.0 > 0 {
        let [x, y] = points[swapped.1];
        report(
            Reason::SwappedLatLon {
                part,
                vertex: swapped.1,
                count: swapped.0,
            },
            Some([y, x]),
        );
    }
    if out_of_range.0 > 0 {
        let [lon, lat] = points[out_of_range.1];
        report(
            Reason::OutOfRange {
                part,
                vertex: out_of_range.1,
                count: out_of_range.0,
                lon,
                lat,
            },
            None,
        );
    }
    false
}

/// Metres per degree of longitude and of latitude near latitude `lat`
/// (WGS84 ellipsoid, good to 0.1 % — for thresholds, not measurements).
pub(super) fn metres_per_degree(lat: f64) -> (f64, f64) {
    let phi = lat.to_radians();
    let lon = 111_412.84 * phi.cos() - 93.5 * (3.0 * phi).cos();
    let lat = 111_132.92 - 559.82 * (2.0 * phi).cos() + 1.175 * (4.0 * phi).cos();
    (lon, lat)
}

#[derive(Clone, Copy)]
pub(super) struct Bounds {
    min: [f64; 2],
    max: [f64; 2],
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            min: [f64::INFINITY; 2],
            max: [f64::NEG_INFINITY; 2],
        }
    }
}

impl Bounds {
    pub(super) fn extend(&mut self, points: &[[f64; 2]]) {
        for &[x, y] in points {
            self.min[0] = self.min[0].min(x);
            self.min[1] = self.min[1].min(y);
            self.max[0] = self.max[0].max(x);
            self.max[1] = self.max[1].max(y);
        }
    }

    pub(super) fn centre(&self) -> Option<[f64; 2]> {
        (self.min[0] <= self.max[0]).then(|| {
            [
                (self.min[0] + self.max[0]) / 2.0,
                (self.min[1] + self.max[1]) / 2.0,
            ]
        })
    }
}
