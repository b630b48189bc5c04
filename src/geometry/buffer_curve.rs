//! The outline GEOS draws around a centerline (flat ends, mitred joins, mitre
//! limit 5), so that a corridor can be made equal to `ST_Buffer(line, w,
//! 'endcap=flat join=mitre mitre_limit=5')` on real, noisy centerlines.
//!
//! GEOS does not buffer a line as a union of rectangles and wedges: it traces
//! one closed "raw offset curve" (the left offset of the line, the end cap, the
//! right offset walked backwards, the start cap), then keeps the points around
//! which that curve winds at least once clockwise. On clean lines that is the
//! union of [`crate::geometry::corridor::offset_pieces`]; on digitized lines
//! with back-steps (two vertices millimetres apart, the second behind the
//! first) the raw curve makes loops whose inside has winding 0, and GEOS drops
//! wedges the union would keep. This module traces the same curve so that
//! [`crate::geometry::corridor`] can fill it with the same rule.
//!
//! Written in our own words after reading GEOS 3.11's `OffsetCurveBuilder`,
//! `OffsetSegmentGenerator` and `BufferInputLineSimplifier` (LGPL); no code is
//! copied. What we reproduce, step by step:
//!
//! 1. Each side is traced from its own simplified copy of the line
//!    ([`simplify_side`]): with tolerance `t = w / 100`, a vertex is dropped when
//!    the line turns toward that side there (the side is on the inside of the
//!    turn), the vertex lies within `t` of the chord joining its neighbours, and
//!    within `t` of the vertex before it (GEOS's sampled check reduces to
//!    that). The window starts at the second vertex, so the first two vertices
//!    and the last are always kept and the flat ends sit on the original
//!    endpoints. Passes repeat until nothing changes.
//! 2. Joins: a turn away from the side gets a mitre, limited at 5 w by a bevel
//!    across the outer bisector whose ends lie on the extended offset lines (a
//!    plain bevel when that bevel misses them); a turn toward the side joins
//!    the offset segments at their crossing, or, when they do not cross, through
//!    two points halfway to the vertex; a full reversal is bevelled.
//! 3. Flat caps, perpendicular to the simplified line's end segments (the
//!    left side's last segment at the end, the first segment at the start).
//! 4. A closed line is a ring: no caps, one curve per side ([`ring_curves`]).
//!
//! Left and right half widths may differ (GEOS has one): each side is traced
//! with its own width, its own tolerance and its own mitre limit.

use super::clip::P;
use super::corridor::MITRE_LIMIT;

/// GEOS's simplification factor: the tolerance is 1% of the half width.
pub const SIMPLIFY_FACTOR: f64 = 100.0;

/// Offset endpoints closer than this × w are taken as one point.
const OFFSET_SEPARATION: f64 = 1e-3;
/// Raw-curve points closer than this × w to the previous one are dropped.
const VERTEX_SNAP: f64 = 1e-6;

/// Sign of the turn `a → b → c`: +1 left (counter-clockwise), −1 right, 0 straight, exactly.
pub fn orientation(a: P, b: P, c: P) -> i32 {
    use geo::Coord;
    use geo::kernels::{Kernel, Orientation, RobustKernel};
    let c2 = |p: P| Coord { x: p[0], y: p[1] };
    match RobustKernel::orient2d(c2(a), c2(b), c2(c)) {
        Orientation::CounterClockwise => 1,
        Orientation::Clockwise => -1,
        Orientation::Collinear => 0,
    }
}

fn sub(a: P, b: P) -> P {
    [a[0] - b[0], a[1] - b[1]]
}

fn len(a: P) -> f64 {
    a[0].hypot(a[1])
}

fn dist(a: P, b: P) -> f64 {
    len(sub(a, b))
}

/// Distance from `p` to the segment `a–b`.
pub fn point_segment_distance(p: P, a: P, b: P) -> f64 {
    let d = sub(b, a);
    let l2 = d[0] * d[0] + d[1] * d[1];
    if l2 == 0.0 {
        return dist(p, a);
    }
    let t = (((p[0] - a[0]) * d[0] + (p[1] - a[1]) * d[1]) / l2).clamp(0.0, 1.0);
    dist(p, [a[0] + t * d[0], a[1] + t * d[1]])
}

/// The line simplified for tracing one side: `side` +1 for the left, −1 for
/// the right; `tol` the tolerance (w / 100). See the module notes, step 1.
pub fn simplify_side(line: &[P], tol: f64, side: i32) -> Vec<P> {
    let n = line.len();
    let mut deleted = vec![false; n];
    let next = |deleted: &[bool], i: usize| {
        let mut j = i + 1;
        while j < n && deleted[j] {
            j += 1;
        }
        j
    };
    loop {
        let mut changed = false;
        // The window starts at the second vertex: the first segment is never touched.
        let mut i0 = 1;
        let mut i1 = next(&deleted, i0);
        let mut i2 = next(&deleted, i1);
        while i2 < n {
            let (p0, p1, p2) = (line[i0], line[i1], line[i2]);
            let deletable = orientation(p0, p1, p2) == side
                && point_segment_distance(p1, p0, p2) < tol
                && dist(p0, p1) < tol;
            if deletable {
                deleted[i1] = true;
                changed = true;
                i0 = i2;
            } else {
                i0 = i1;
            }
            i1 = next(&deleted, i0);
            i2 = next(&deleted, i1);
        }
        if !changed {
            break;
        }
    }
    line.iter()
        .zip(&deleted)
        .filter(|(_, d)| !**d)
        .map(|(p, _)| *p)
        .collect()
}

/// The offset of segment `a → b`, `w` to its left.
fn offset_left(a: P, b: P, w: f64) -> [P; 2] {
    let d = sub(b, a);
    let l = len(d);
    let (ux, uy) = (w * d[0] / l, w * d[1] / l);
    [[a[0] - uy, a[1] + ux], [b[0] - uy, b[1] + ux]]
}

/// Intersection of the infinite lines through `a0 a1` and `b0 b1`, if not parallel.
fn line_intersection(a0: P, a1: P, b0: P, b1: P) -> Option<P> {
    let r = sub(a1, a0);
    let s = sub(b1, b0);
    let den = r[0] * s[1] - r[1] * s[0];
    if den == 0.0 || !den.is_finite() {
        return None;
    }
    let t = ((b0[0] - a0[0]) * s[1] - (b0[1] - a0[1]) * s[0]) / den;
    let p = [a0[0] + t * r[0], a0[1] + t * r[1]];
    (p[0].is_finite() && p[1].is_finite()).then_some(p)
}

/// Intersection point of the closed segments `a0 a1` and `b0 b1`, if any
/// (for collinear overlapping segments, an endpoint of the overlap).
fn segment_intersection(a0: P, a1: P, b0: P, b1: P) -> Option<P> {
    let o1 = orientation(a0, a1, b0);
    let o2 = orientation(a0, a1, b1);
    let o3 = orientation(b0, b1, a0);
    let o4 = orientation(b0, b1, a1);
    if o1 * o2 > 0 || o3 * o4 > 0 {
        return None;
    }
    if o1 == 0 && o2 == 0 && o3 == 0 && o4 == 0 {
        // collinear: the first endpoint lying on the other segment
        let on = |p: P, a: P, b: P| {
            p[0] >= a[0].min(b[0])
                && p[0] <= a[0].max(b[0])
                && p[1] >= a[1].min(b[1])
                && p[1] <= a[1].max(b[1])
        };
        return [b0, b1, a0, a1]
            .into_iter()
            .enumerate()
            .find(|(k, p)| {
                if *k < 2 {
                    on(*p, a0, a1)
                } else {
                    on(*p, b0, b1)
                }
            })
            .map(|(_, p)| p);
    }
    // an endpoint touching the other segment is the intersection itself
    if o1 == 0 {
        return Some(b0);
    }
    if o2 == 0 {
        return Some(b1);
    }
    if o3 == 0 {
        return Some(a0);
    }
    if o4 == 0 {
        return Some(a1);
    }
    line_intersection(a0, a1, b0, b1)
}

/// Builds one side of the raw curve, always as the left offset of the
/// direction it is walked in (as GEOS does: the right side is the left side
/// of the reversed line), so the corridor always lies to the curve's right.
struct Tracer {
    w: f64,
    pts: Vec<P>,
    s0: P,
    s1: P,
    s2: P,
    off0: [P; 2],
    off1: [P; 2],
}

impl Tracer {
    fn new() -> Tracer {
        Tracer {
            w: 0.0,
            pts: Vec::new(),
            s0: [0.0; 2],
            s1: [0.0; 2],
            s2: [0.0; 2],
            off0: [[0.0; 2]; 2],
            off1: [[0.0; 2]; 2],
        }
    }

    fn add(&mut self, p: P) {
        if let Some(last) = self.pts.last()
            && dist(*last, p) < self.w * VERTEX_SNAP
        {
            return;
        }
        self.pts.push(p);
    }

    fn start_side(&mut self, a: P, b: P, w: f64) {
        self.w = w;
        self.s1 = a;
        self.s2 = b;
        self.off1 = offset_left(a, b, w);
    }

    fn next(&mut self, p: P) {
        if self.s2 == p {
            return;
        }
        self.s0 = self.s1;
        self.s1 = self.s2;
        self.s2 = p;
        self.off0 = offset_left(self.s0, self.s1, self.w);
        self.off1 = offset_left(self.s1, self.s2, self.w);
        match orientation(self.s0, self.s1, self.s2) {
            0 => {
                // straight on: nothing; straight back: a bevel across the reversal
                let d0 = sub(self.s1, self.s0);
                let d1 = sub(self.s2, self.s1);
                if d0[0] * d1[0] + d0[1] * d1[1] < 0.0 {
                    self.add(self.off0[1]);
                    self.add(self.off1[0]);
                }
            }
            -1 => self.outside_turn(),
            _ => self.inside_turn(),
        }
    }

    fn last_segment(&mut self) {
        self.add(self.off1[1]);
    }

    fn outside_turn(&mut self) {
        let (o0, o1) = (self.off0, self.off1);
        if dist(o0[1], o1[0]) < self.w * OFFSET_SEPARATION {
            self.add(o0[1]);
            return;
        }
        let limit = MITRE_LIMIT * self.w;
        if let Some(x) = line_intersection(o0[0], o0[1], o1[0], o1[1])
            && dist(x, self.s1) <= limit
        {
            self.add(x);
            return;
        }
        if point_segment_distance(self.s1, o0[1], o1[0]) >= limit {
            self.add(o0[1]);
            self.add(o1[0]);
            return;
        }
        self.limited_mitre(limit);
    }

    /// A bevel of length 2 w across the outer bisector, `limit` from the
    /// vertex, cut by the offset lines (extended by twice the limit); a plain
    /// bevel when it misses them.
    fn limited_mitre(&mut self, limit: f64) {
        let (o0, o1, w) = (self.off0, self.off1, self.w);
        let c = self.s1;
        let pi = std::f64::consts::PI;
        let angle = |p: P| (p[1] - c[1]).atan2(p[0] - c[0]);
        let normalize = |mut a: f64| {
            while a > pi {
                a -= std::f64::consts::TAU;
            }
            while a <= -pi {
                a += std::f64::consts::TAU;
            }
            a
        };
        // oriented interior angle from the edge back to the edge ahead, halved
        let interior = normalize(angle(self.s2) - angle(self.s0));
        let dir_out = normalize(normalize(angle(self.s0) + interior / 2.0) + pi);
        let mid = [c[0] + limit * dir_out.cos(), c[1] + limit * dir_out.sin()];
        let dir_bevel = normalize(dir_out + pi / 2.0);
        let b0 = [mid[0] + w * dir_bevel.cos(), mid[1] + w * dir_bevel.sin()];
        let b1 = [
            mid[0] + w * (dir_bevel + pi).cos(),
            mid[1] + w * (dir_bevel + pi).sin(),
        ];
        let reach = 2.0 * limit.max(w);
        let along = |a: P, b: P, f: f64| [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])];
        let e0 = along(o0[0], o0[1], 1.0 + reach / dist(o0[0], o0[1]));
        let e1 = along(o1[0], o1[1], -reach / dist(o1[0], o1[1]));
        let i0 = segment_intersection(b0, b1, o0[0], e0);
        let i1 = segment_intersection(b0, b1, e1, o1[1]);
        match (i0, i1) {
            (Some(p), Some(q)) => {
                self.add(p);
                self.add(q);
            }
            _ => {
                self.add(o0[1]);
                self.add(o1[0]);
            }
        }
    }

    fn inside_turn(&mut self) {
        let (o0, o1) = (self.off0, self.off1);
        if let Some(x) = segment_intersection(o0[0], o0[1], o1[0], o1[1]) {
            self.add(x);
            return;
        }
        if dist(o0[1], o1[0]) < self.w * OFFSET_SEPARATION {
            self.add(o0[1]);
            return;
        }
        // closing segments through points halfway to the vertex
        let c = self.s1;
        self.add(o0[1]);
        self.add([(o0[1][0] + c[0]) / 2.0, (o0[1][1] + c[1]) / 2.0]);
        self.add([(o1[0][0] + c[0]) / 2.0, (o1[0][1] + c[1]) / 2.0]);
        self.add(o1[0]);
    }

    /// Flat cap at `b`, the end of `a → b`: the point `left` to its left,
    /// then the point `right` to its right.
    fn flat_cap(&mut self, a: P, b: P, left: f64, right: f64) {
        let l = offset_left(a, b, left);
        let r = offset_left(b, a, right);
        self.w = left.min(right);
        self.add(l[1]);
        self.add(r[0]);
    }
}

/// The raw offset curve of an open line (at least two points, no two
/// consecutive ones equal) with half widths `left` and `right` (GEOS has one
/// width; two are traced the same way, each side with its own): a closed
/// ring (first point not repeated) that runs clockwise around the corridor.
pub fn line_curve(line: &[P], left: f64, right: f64) -> Vec<P> {
    let mut t = Tracer::new();
    let l = simplify_side(line, left / SIMPLIFY_FACTOR, 1);
    let n = l.len() - 1;
    t.start_side(l[0], l[1], left);
    for p in &l[2..] {
        t.next(*p);
    }
    t.last_segment();
    t.flat_cap(l[n - 1], l[n], left, right);

    let r = simplify_side(line, right / SIMPLIFY_FACTOR, -1);
    let m = r.len() - 1;
    t.start_side(r[m], r[m - 1], right);
    for p in r[..m - 1].iter().rev() {
        t.next(*p);
    }
    t.last_segment();
    t.flat_cap(r[1], r[0], right, left);
    if t.pts.len() > 1 && t.pts.first() == t.pts.last() {
        t.pts.pop();
    }
    t.pts
}

/// The corridor GEOS would draw around `line`: the points around which
/// [`line_curve`] winds clockwise at least once, as polygons (rings open,
/// exteriors counter-clockwise, holes clockwise).
///
/// The winding fill is done by `geo`'s boolean operations, which snap to a
/// grid of about extent / 2³⁰; every vertex of the result is then put back on
/// the curve's own vertex or on the exact crossing of the two curve edges it
/// came from, so the polygons are exact in floating point.
pub fn line_region(line: &[P], left: f64, right: f64) -> Vec<Vec<Vec<P>>> {
    if line.len() < 2 || left + right <= 0.0 {
        return Vec::new();
    }
    if line.len() >= 4 && line.first() == line.last() {
        return fill_clockwise(&ring_curves(line, left, right));
    }
    fill_clockwise(&[line_curve(line, left, right)])
}

/// GEOS buffers a closed line (at least 4 points, the last equal to the
/// first) as a ring: no caps, a join at the closing vertex, one curve per
/// side, each simplified for its side and traced with the corridor on its
/// right. A side's curve that has turned inside out (every point of it
/// nearer the ring than 0.99 w, on rings of fewer than 9 points) is dropped,
/// as GEOS drops it.
pub fn ring_curves(ring: &[P], left: f64, right: f64) -> Vec<Vec<P>> {
    let mut curves = Vec::new();
    for (side, w) in [(1, left), (-1, right)] {
        let simp = simplify_side(ring, w / SIMPLIFY_FACTOR, side);
        let pts: Vec<P> = if side > 0 {
            simp
        } else {
            simp.into_iter().rev().collect()
        };
        let n = pts.len() - 1;
        if n < 2 {
            continue;
        }
        let mut t = Tracer::new();
        t.start_side(pts[n - 1], pts[0], w);
        for p in &pts[1..=n] {
            t.next(*p);
        }
        let mut curve = t.pts;
        if curve.len() > 1 && curve.first() == curve.last() {
            curve.pop();
        }
        let inverted = ring.len() < 9
            && curve.len() < 4 * ring.len()
            && curve.iter().all(|q| {
                ring.windows(2)
                    .map(|e| point_segment_distance(*q, e[0], e[1]))
                    .fold(f64::INFINITY, f64::min)
                    < 0.99 * w
            });
        if !inverted && curve.len() >= 3 {
            curves.push(curve);
        }
    }
    curves
}

/// The points around which `curves` wind clockwise at least once (winding
/// numbers added over the curves).
fn fill_clockwise(curves: &[Vec<P>]) -> Vec<Vec<Vec<P>>> {
    use geo::algorithm::bool_ops::{BooleanOps, FillRule, OpType};
    use geo::{LineString, MultiPolygon, Polygon};
    let curves: Vec<&Vec<P>> = curves.iter().filter(|c| c.len() >= 3).collect();
    if curves.is_empty() {
        return Vec::new();
    }
    let ls = |c: &Vec<P>| LineString::from(c.iter().map(|p| (p[0], p[1])).collect::<Vec<_>>());
    // every curve a path of the subject; the fill rule adds their windings
    let poly = Polygon::new(ls(curves[0]), curves[1..].iter().map(|c| ls(c)).collect());
    let filled = poly.boolean_op_with_fill_rule(
        &MultiPolygon::<f64>::new(vec![]),
        OpType::Union,
        FillRule::Negative,
    );
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for p in curves.iter().copied().flatten() {
        for k in 0..2 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    }
    let half = ((hi[0] - lo[0]).max(hi[1] - lo[1]) / 2.0).max(f64::MIN_POSITIVE);
    let grid = 2f64.powi(half.log2() as i32 - 29);
    let radius = 8.0 * grid;
    let edges: Vec<(P, P)> = curves
        .iter()
        .flat_map(|c| (0..c.len()).map(move |i| (c[i], c[(i + 1) % c.len()])))
        .collect();
    let ring_of = |ls: &LineString<f64>, ccw: bool| {
        let mut r: Vec<P> =
            ls.0.iter()
                .map(|c| unsnap([c.x, c.y], &edges, radius))
                .collect();
        if r.len() > 1 && r.first() == r.last() {
            r.pop();
        }
        r.dedup();
        if (super::clip::ring_area(&r) > 0.0) != ccw {
            r.reverse();
        }
        r
    };
    filled
        .0
        .iter()
        .map(|p| {
            let mut rings = vec![ring_of(p.exterior(), true)];
            rings.extend(p.interiors().iter().map(|h| ring_of(h, false)));
            rings
        })
        .filter(|rings| rings[0].len() >= 3)
        .collect()
}

/// `q` (a snapped vertex of the filled curves) put back on the curve vertex
/// it came from, or on the crossing of the two curve edges it came from.
fn unsnap(q: P, edges: &[(P, P)], radius: f64) -> P {
    let mut best = (radius, None);
    for (p, _) in edges {
        let d = dist(*p, q);
        if d <= best.0 {
            best = (d, Some(*p));
        }
    }
    if let (_, Some(p)) = best {
        return p;
    }
    let mut near: Vec<(f64, usize)> = edges
        .iter()
        .enumerate()
        .map(|(i, e)| (point_segment_distance(q, e.0, e.1), i))
        .filter(|(d, _)| *d <= radius)
        .collect();
    near.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (k, &(_, i)) in near.iter().enumerate() {
        for &(_, j) in &near[k + 1..] {
            let (a, b) = (edges[i], edges[j]);
            if let Some(x) = line_intersection(a.0, a.1, b.0, b.1)
                && dist(x, q) <= radius
            {
                return x;
            }
        }
    }
    q
}
