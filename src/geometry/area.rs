//! The one plane area of the crate: the shoelace sum, taken about the ring's
//! first vertex. VN-2000 coordinates are ~10⁶ m, so raw products are ~10¹²
//! and would lose ~10⁻⁴ m² of a parcel; differences from a local origin keep
//! every digit. Rings may be open or closed (a closing vertex equal to the
//! first adds nothing).

/// Signed area of a ring in the units of its coordinates squared: positive
/// when counter-clockwise (x east, y north).
///
/// ```
/// use hiendat::geometry::area::signed_ring_area;
/// // a 20 × 30 m parcel at VN-2000 magnitudes, counter-clockwise
/// let r = [[580_000.0, 2_190_000.0], [580_020.0, 2_190_000.0],
///          [580_020.0, 2_190_030.0], [580_000.0, 2_190_030.0]];
/// assert_eq!(signed_ring_area(&r), 600.0);
/// let mut cw = r.to_vec();
/// cw.reverse();
/// assert_eq!(signed_ring_area(&cw), -600.0);
/// ```
pub fn signed_ring_area(ring: &[[f64; 2]]) -> f64 {
    let Some(&[x0, y0]) = ring.first() else {
        return 0.0;
    };
    let mut twice = 0.0;
    for w in ring.windows(2) {
        let (ax, ay) = (w[0][0] - x0, w[0][1] - y0);
        let (bx, by) = (w[1][0] - x0, w[1][1] - y0);
        twice += ax * by - bx * ay;
    }
    twice / 2.0
}

/// Area of a polygon given as rings (shell first, then holes): the shell's
/// area less its holes', whatever their orientation.
pub fn polygon_area<R: AsRef<[[f64; 2]]>>(rings: &[R]) -> f64 {
    let mut it = rings.iter().map(|r| signed_ring_area(r.as_ref()).abs());
    let shell = it.next().unwrap_or(0.0);
    shell - it.sum::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_and_closed_rings_have_the_same_area() {
        let open = [[0.0, 0.0], [4.0, 0.0], [4.0, 3.0]];
        let closed = [[0.0, 0.0], [4.0, 0.0], [4.0, 3.0], [0.0, 0.0]];
        assert_eq!(signed_ring_area(&open), 6.0);
        assert_eq!(signed_ring_area(&closed), 6.0);
        assert_eq!(signed_ring_area(&open[..2]), 0.0);
    }

    #[test]
    fn holes_are_taken_away_whatever_their_orientation() {
        let shell = vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]];
        let hole = vec![[2.0, 2.0], [4.0, 2.0], [4.0, 4.0], [2.0, 4.0]];
        let mut hole_cw = hole.clone();
        hole_cw.reverse();
        assert_eq!(polygon_area(&[shell.clone(), hole]), 96.0);
        assert_eq!(polygon_area(&[shell, hole_cw]), 96.0);
    }

    #[test]
    fn vn2000_magnitudes_lose_nothing() {
        // a 3 × 40 m strip far from the origin: raw products would be ~10¹²
        let (x, y) = (587_123.456, 2_156_789.123);
        let r = [[x, y], [x + 3.0, y], [x + 3.0, y + 40.0], [x, y + 40.0]];
        assert!((signed_ring_area(&r) - 120.0).abs() < 1e-9);
    }
}
