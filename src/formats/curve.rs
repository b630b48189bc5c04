//! Circular arcs as chords: how a reader turns the curves of a file
//! (GeoPackage's CircularString, CompoundCurve, CurvePolygon, MultiCurve,
//! MultiSurface) into the straight segments of a [`super::layer::Layer`].
//!
//! An arc is given as OGC gives it: three points, start, any point on the
//! arc, end. The chords start and end exactly at the arc's start and end;
//! between them every vertex lies on the circle, and each chord is as long
//! as [`Linearizer::tolerance`] allows: the largest distance between an arc
//! and its chord (the sagitta, `r·(1 − cos(Δ/2))` for a chord spanning `Δ`)
//! stays within it. A chord lies inside its arc, so a polygon bounded by
//! arcs loses at most about `⅔ · tolerance · arc length` of area (the
//! segments cut off), never gains.
//!
//! - start == end: a full circle, through the middle point opposite the
//!   start (the circle's diameter), counter-clockwise;
//! - three collinear points (or a radius too large to compute): the
//!   straight line through them;
//! - the direction (clockwise or counter-clockwise) is the one that passes
//!   through the middle point.
//!
//! The work is bounded: at most [`Linearizer::max_segments`] chords per arc
//! (a wider arc gets that many, and the sagitta it reached is reported), and
//! at most a budget of vertices for a whole file.

use super::layer::Pt;

/// The sagitta allowed between an arc and its chords, in metres: 1 mm, the
/// precision of a survey (and what the DXF reader's bulges keep). A parcel
/// corner rounded with a 5 m radius becomes 40 chords and loses less than
/// 0.01 m².
pub const TOLERANCE_M: f64 = 0.001;

/// Metres in a degree of latitude: the tolerance of a lon/lat layer in
/// degrees (a degree of longitude is shorter, so the sagitta only gets
/// smaller).
pub const METRES_PER_DEGREE: f64 = 111_320.0;

/// The unit of the coordinates an arc is given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Metres,
    Degrees,
    /// Unknown (a layer without a CRS): degrees when the arc's start is
    /// within lon/lat range, else metres.
    Guess,
}

/// Turns arcs into chords, counting what it did for the reader's notes.
#[derive(Debug, Clone)]
pub struct Linearizer {
    /// The largest sagitta, in metres.
    pub tolerance: f64,
    /// The unit of the coordinates.
    pub unit: Unit,
    /// Chords one arc may become.
    pub max_segments: usize,
    /// Vertices the arcs may still produce (for the whole file).
    pub budget: u64,
    /// Arcs linearised.
    pub arcs: usize,
    /// Arcs that needed more than `max_segments` chords, and the largest
    /// sagitta (in metres) one of them kept.
    pub capped: usize,
    pub worst_sagitta: f64,
}

/// Why an arc could not be linearised.
#[derive(Debug, Clone, PartialEq)]
pub enum CurveError {
    /// The file's arcs need more vertices than the budget.
    Budget(u64),
}

impl Linearizer {
    /// `tolerance` in metres; coordinates in metres until [`Self::unit`]
    /// says otherwise.
    pub fn new(tolerance: f64, max_segments: usize, budget: u64) -> Linearizer {
        Linearizer {
            tolerance,
            unit: Unit::Metres,
            max_segments: max_segments.max(1),
            budget,
            arcs: 0,
            capped: 0,
            worst_sagitta: 0.0,
        }
    }

    /// Appends to `out` the chords of the arc from `p0` through `p1` to
    /// `p2`: the points after `p0`, ending with `p2` itself.
    pub fn arc(&mut self, p0: Pt, p1: Pt, p2: Pt, out: &mut Vec<Pt>) -> Result<(), CurveError> {
        self.arcs += 1;
        let Some(circle) = Circle::through(p0, p1, p2) else {
            // a straight line through the points (a point when all are one)
            self.spend(2)?;
            if p1 != p0 && p1 != p2 {
                out.push(p1);
            }
            out.push(p2);
            return Ok(());
        };
        let degrees = match self.unit {
            Unit::Metres => false,
            Unit::Degrees => true,
            Unit::Guess => p0[0].abs() <= 180.0 && p0[1].abs() <= 90.0,
        };
        let metres = if degrees { METRES_PER_DEGREE } else { 1.0 };
        let n = segments(circle.r, circle.sweep.abs(), self.tolerance / metres);
        let n = if n > self.max_segments {
            self.capped += 1;
            let s = sagitta(circle.r, circle.sweep.abs() / self.max_segments as f64);
            self.worst_sagitta = self.worst_sagitta.max(s * metres);
            self.max_segments
        } else {
            n
        };
        self.spend(n as u64)?;
        out.reserve(n);
        for k in 1..n {
            let a = circle.a0 + circle.sweep * k as f64 / n as f64;
            out.push([
                p0[0] + circle.c[0] + circle.r * a.cos(),
                p0[1] + circle.c[1] + circle.r * a.sin(),
            ]);
        }
        out.push(p2);
        Ok(())
    }

    /// A CircularString's points (start, then a middle and an end per arc)
    /// as a line: its first point, then each arc's chords.
    pub fn string(&mut self, pts: &[Pt], out: &mut Vec<Pt>) -> Result<(), CurveError> {
        let Some(&first) = pts.first() else {
            return Ok(());
        };
        if out.last() != Some(&first) {
            self.spend(1)?;
            out.push(first);
        }
        let mut start = first;
        for w in pts[1..].chunks_exact(2) {
            self.arc(start, w[0], w[1], out)?;
            start = w[1];
        }
        Ok(())
    }

    fn spend(&mut self, n: u64) -> Result<(), CurveError> {
        if n > self.budget {
            self.budget = 0;
            return Err(CurveError::Budget(n));
        }
        self.budget -= n;
        Ok(())
    }
}

/// The chords an arc of radius `r` spanning `sweep` radians needs so that
/// none is farther than `tolerance` from it: at least 1, and at least 4 to
/// a full circle.
pub fn segments(r: f64, sweep: f64, tolerance: f64) -> usize {
    if !(r.is_finite() && sweep.is_finite()) || r <= 0.0 || sweep <= 0.0 {
        return 1;
    }
    // the widest chord within the tolerance, at most a quarter circle
    let step = if tolerance >= r {
        std::f64::consts::FRAC_PI_2
    } else {
        (2.0 * (1.0 - tolerance / r).acos()).min(std::f64::consts::FRAC_PI_2)
    };
    if step <= 0.0 || !step.is_finite() {
        return usize::MAX;
    }
    let n = (sweep / step).ceil();
    if n >= usize::MAX as f64 {
        usize::MAX
    } else {
        (n as usize).max(1)
    }
}

/// The sagitta of a chord spanning `delta` radians of a circle of radius `r`.
pub fn sagitta(r: f64, delta: f64) -> f64 {
    r * (1.0 - (delta / 2.0).cos())
}

/// The circle of an arc, relative to its start point (so that projected
/// coordinates of millions of metres keep their precision).
struct Circle {
    /// Centre minus start.
    c: Pt,
    r: f64,
    /// Angle of the start seen from the centre.
    a0: f64,
    /// Signed angle from start to end: positive counter-clockwise.
    sweep: f64,
}

impl Circle {
    /// `None` when the points are collinear (or too nearly so to give a
    /// finite centre).
    fn through(p0: Pt, p1: Pt, p2: Pt) -> Option<Circle> {
        let tau = std::f64::consts::TAU;
        let a = [p1[0] - p0[0], p1[1] - p0[1]];
        if p0 == p2 {
            // a full circle: p1 is opposite the start
            if a == [0.0, 0.0] {
                return None;
            }
            let c = [a[0] / 2.0, a[1] / 2.0];
            let r = c[0].hypot(c[1]);
            let a0 = (-c[1]).atan2(-c[0]);
            return (r.is_finite() && r > 0.0).then_some(Circle {
                c,
                r,
                a0,
                sweep: tau,
            });
        }
        let b = [p2[0] - p0[0], p2[1] - p0[1]];
        let cross = a[0] * b[1] - a[1] * b[0];
        // collinear when the middle point is within a part in 10¹² of the
        // chord's length of the line through the ends
        let (la, lb) = (a[0].hypot(a[1]), b[0].hypot(b[1]));
        if cross.abs().partial_cmp(&(1e-12 * la * lb)) != Some(std::cmp::Ordering::Greater) {
            return None;
        }
        let (aa, bb) = (a[0] * a[0] + a[1] * a[1], b[0] * b[0] + b[1] * b[1]);
        let d = 2.0 * cross;
        let c = [(b[1] * aa - a[1] * bb) / d, (a[0] * bb - b[0] * aa) / d];
        let r = c[0].hypot(c[1]);
        if !(r.is_finite() && r > 0.0) {
            return None;
        }
        let a0 = (-c[1]).atan2(-c[0]);
        let a2 = (b[1] - c[1]).atan2(b[0] - c[0]);
        // p0 → p1 → p2 turning left: counter-clockwise
        let sweep = if cross > 0.0 {
            let s = (a2 - a0).rem_euclid(tau);
            if s == 0.0 { tau } else { s }
        } else {
            let s = (a0 - a2).rem_euclid(tau);
            -(if s == 0.0 { tau } else { s })
        };
        Some(Circle { c, r, a0, sweep })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::area::signed_ring_area;
    use std::f64::consts::PI;

    fn lin() -> Linearizer {
        Linearizer::new(TOLERANCE_M, 4096, 1_000_000)
    }

    /// Every vertex's distance from the centre, and the largest distance
    /// between a chord's middle and the circle.
    fn check_on_circle(pts: &[Pt], c: Pt, r: f64, tol: f64) {
        for p in pts {
            let d = (p[0] - c[0]).hypot(p[1] - c[1]);
            assert!(
                (d - r).abs() < 1e-6,
                "{p:?} is {d} from the centre, not {r}"
            );
        }
        for w in pts.windows(2) {
            let m = [(w[0][0] + w[1][0]) / 2.0, (w[0][1] + w[1][1]) / 2.0];
            let s = r - (m[0] - c[0]).hypot(m[1] - c[1]);
            assert!(s <= tol + 1e-9, "a chord {s} m from its arc");
        }
    }

    #[test]
    fn an_arc_ends_exactly_at_its_control_points_within_the_sagitta() {
        // a quarter circle of radius 5 m around a VN-2000 point, both ways
        let (cx, cy, r) = (580_015.0, 2_155_011.0, 5.0);
        let h = r * (PI / 4.0).cos();
        let (p0, p1, p2) = ([cx + r, cy], [cx + h, cy + h], [cx, cy + r]);
        for (a, b) in [(p0, p2), (p2, p0)] {
            let mut out = vec![a];
            let mut l = lin();
            l.arc(a, p1, b, &mut out).unwrap();
            assert_eq!(out.first(), Some(&a));
            assert_eq!(out.last(), Some(&b), "ends exactly at the end point");
            check_on_circle(&out, [cx, cy], r, TOLERANCE_M);
            // the chord count the tolerance asks for, no more
            let n = out.len() - 1;
            assert_eq!(n, segments(r, PI / 2.0, TOLERANCE_M));
            assert!(sagitta(r, PI / 2.0 / (n - 1) as f64) > TOLERANCE_M);
            // it goes through the middle point's side of the circle
            assert!(out.iter().all(|p| p[0] >= cx - 1e-9 && p[1] >= cy - 1e-9));
        }
    }

    #[test]
    fn clockwise_and_counter_clockwise_arcs_take_the_middle_points_way() {
        // start and end the same, the middle above or below: a half circle each way
        let (p0, p2) = ([0.0, 0.0], [10.0, 0.0]);
        for (mid, above) in [([5.0, 5.0], true), ([5.0, -5.0], false)] {
            let mut out = vec![p0];
            lin().arc(p0, mid, p2, &mut out).unwrap();
            assert!(
                out[1..out.len() - 1].iter().all(|p| (p[1] > 0.0) == above),
                "{mid:?}"
            );
        }
        // a three-quarter arc: the middle point on the far side
        let mut out = vec![[5.0, 0.0]];
        lin()
            .arc([5.0, 0.0], [-5.0, 0.0], [0.0, -5.0], &mut out)
            .unwrap();
        // counter-clockwise through (−5, 0): passes (0, 5)
        assert!(out.iter().any(|p| p[1] > 4.99 && p[0].abs() < 0.1));
        let sweep = (out.len() - 1) as f64;
        assert_eq!(sweep as usize, segments(5.0, 1.5 * PI, TOLERANCE_M));
    }

    #[test]
    fn a_full_circle_closes_and_its_area_is_within_the_bound() {
        let r = 3.0;
        let (p0, p1) = ([580_100.0, 2_155_000.0], [580_106.0, 2_155_000.0]);
        let mut ring = vec![p0];
        let mut l = lin();
        l.string(&[p0, p1, p0], &mut ring).unwrap();
        assert_eq!(ring.last(), Some(&p0));
        check_on_circle(&ring, [580_103.0, 2_155_000.0], r, TOLERANCE_M);
        let area = signed_ring_area(&ring);
        let exact = PI * r * r;
        assert!(area > 0.0, "counter-clockwise");
        let lost = exact - area;
        assert!(
            lost > 0.0 && lost <= 2.0 / 3.0 * TOLERANCE_M * 2.0 * PI * r,
            "{lost}"
        );
    }

    #[test]
    fn collinear_points_are_a_straight_line_and_degenerate_arcs_a_point() {
        let mut out = vec![[0.0, 0.0]];
        let mut l = lin();
        l.arc([0.0, 0.0], [5.0, 5.0], [10.0, 10.0], &mut out)
            .unwrap();
        assert_eq!(out, vec![[0.0, 0.0], [5.0, 5.0], [10.0, 10.0]]);
        let mut out = vec![[1.0, 1.0]];
        l.arc([1.0, 1.0], [1.0, 1.0], [1.0, 1.0], &mut out).unwrap();
        assert_eq!(out, vec![[1.0, 1.0], [1.0, 1.0]]);
        // NaN in, no panic, a line out
        let mut out = vec![];
        l.arc([f64::NAN, 0.0], [1.0, 2.0], [3.0, 0.0], &mut out)
            .unwrap();
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn arcs_are_capped_per_arc_and_per_file() {
        // degrees: 1 mm is about 9·10⁻⁹°
        let mut l = lin();
        l.unit = Unit::Degrees;
        let mut out = vec![];
        l.arc([105.0, 20.0], [105.0002, 20.0], [105.0, 20.0], &mut out)
            .unwrap();
        let r = 0.0001;
        assert_eq!(
            out.len(),
            segments(r, 2.0 * PI, TOLERANCE_M / METRES_PER_DEGREE)
        );
        assert!(out.len() > 200, "{}", out.len());
        l.unit = Unit::Guess;
        let before = l.arcs;
        let mut guessed = vec![];
        l.arc([105.0, 20.0], [105.0002, 20.0], [105.0, 20.0], &mut guessed)
            .unwrap();
        assert_eq!((guessed.len(), l.arcs), (out.len(), before + 1));

        // a 100 km circle: 1 mm needs far more than 64 chords
        let mut l = Linearizer::new(TOLERANCE_M, 64, 1_000);
        let mut out = vec![];
        l.arc([0.0, 0.0], [200_000.0, 0.0], [0.0, 0.0], &mut out)
            .unwrap();
        assert_eq!(out.len(), 64);
        assert_eq!(l.capped, 1);
        assert!((l.worst_sagitta - sagitta(100_000.0, 2.0 * PI / 64.0)).abs() < 1e-6);
        // the budget runs out on a further arc
        let e = (0..20)
            .try_for_each(|_| l.arc([0.0, 0.0], [200_000.0, 0.0], [0.0, 0.0], &mut out))
            .unwrap_err();
        assert_eq!(e, CurveError::Budget(64));
        assert!(out.len() <= 1_000);
    }
}
