//! Corridors (planned right-of-way) as sets of convex pieces.
//!
//! A centerline offset by its left and right half widths, with flat ends and
//! mitred joins (mitre limit 5, bevelled beyond it as GEOS does), is the union
//! of one rectangle per centerline edge and one wedge on the outer side of
//! each bend. A given right-of-way polygon is cut into triangles. Either way
//! every piece is convex, so a parcel is clipped against it exactly by
//! half-planes ([`crate::geometry::clip`]); pieces of one corridor may
//! overlap (rectangles on the inner side of a bend), and
//! [`crate::geometry::donation`] counts such overlaps once.

use super::buffer_curve;
use super::clip::{HalfPlane, P, Shape, bbox, ring_area};
use geo::TriangulateEarcut;

/// GEOS's default mitre limit: the mitre may reach 5 × the half width.
pub const MITRE_LIMIT: f64 = 5.0;

/// How a point of a piece maps to a position along the centerline and a
/// depth into the corridor.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// The rectangle along centerline edge `p0 → p0 + u·len`, starting at arc length `s0`.
    Edge { p0: P, u: P, len: f64, s0: f64 },
    /// The wedge on the outer side (`side` +1 left, −1 right) of the bend at `v`.
    Joint { v: P, s: f64, side: f64 },
    /// A triangle of a given right-of-way polygon: measured against the
    /// centerline and the polygon's boundary.
    Free,
    /// A triangle of the corridor of a centerline whose outline GEOS draws
    /// differently from rectangles and wedges (see [`offset_pieces`]):
    /// measured against the centerline and its half widths.
    Filled,
}

/// One convex piece of a segment's corridor.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    /// Index of the segment this piece belongs to.
    pub segment: u32,
    /// Counter-clockwise convex polygon.
    pub ring: Vec<P>,
    pub halfplanes: Vec<HalfPlane>,
    pub bbox: [P; 2],
    pub frame: Frame,
}

impl Piece {
    fn new(segment: u32, mut ring: Vec<P>, frame: Frame) -> Option<Piece> {
        let a = ring_area(&ring);
        if a.abs() < 1e-12 {
            return None;
        }
        if a < 0.0 {
            ring.reverse();
        }
        let halfplanes = (0..ring.len())
            .map(|i| HalfPlane::left_of(ring[i], ring[(i + 1) % ring.len()]))
            .collect();
        let bbox = bbox(&ring)?;
        Some(Piece {
            segment,
            ring,
            halfplanes,
            bbox,
            frame,
        })
    }

    pub fn intersects_bbox(&self, b: &[P; 2]) -> bool {
        self.bbox[0][0] <= b[1][0]
            && b[0][0] <= self.bbox[1][0]
            && self.bbox[0][1] <= b[1][1]
            && b[0][1] <= self.bbox[1][1]
    }
}

/// A centerline in projected metres with its arc lengths.
#[derive(Debug, Clone, PartialEq)]
pub struct Centerline {
    /// The parts (a MultiLineString has several), consecutive duplicate points removed.
    pub parts: Vec<Vec<P>>,
    /// Arc length at each vertex, continuing from one part to the next.
    pub cum: Vec<Vec<f64>>,
}

impl Centerline {
    pub fn new(parts: Vec<Vec<P>>) -> Centerline {
        let mut total = 0.0;
        let mut out = Vec::with_capacity(parts.len());
        let mut cum = Vec::with_capacity(parts.len());
        for part in parts {
            let mut p: Vec<P> = Vec::with_capacity(part.len());
            for q in part {
                if p.last() != Some(&q) {
                    p.push(q);
                }
            }
            let mut c = Vec::with_capacity(p.len());
            for (i, q) in p.iter().enumerate() {
                if i > 0 {
                    total += dist(p[i - 1], *q);
                }
                c.push(total);
            }
            out.push(p);
            cum.push(c);
        }
        Centerline { parts: out, cum }
    }

    pub fn length(&self) -> f64 {
        self.cum
            .iter()
            .rev()
            .find_map(|c| c.last().copied())
            .unwrap_or(0.0)
    }

    /// Distance from `p` to the centerline and the arc length of its nearest point.
    pub fn locate(&self, p: P) -> (f64, f64) {
        let mut best = (f64::INFINITY, 0.0);
        for (part, cum) in self.parts.iter().zip(&self.cum) {
            if part.len() == 1 {
                let d = dist(part[0], p);
                if d < best.0 {
                    best = (d, cum[0]);
                }
            }
            for i in 1..part.len() {
                let (a, b) = (part[i - 1], part[i]);
                let len = cum[i] - cum[i - 1];
                let u = [(b[0] - a[0]) / len, (b[1] - a[1]) / len];
                let t = ((p[0] - a[0]) * u[0] + (p[1] - a[1]) * u[1]).clamp(0.0, len);
                let d = dist([a[0] + u[0] * t, a[1] + u[1] * t], p);
                if d < best.0 {
                    best = (d, cum[i - 1] + t);
                }
            }
        }
        best
    }

    /// Signed offset of `p` from the nearest centerline edge (positive on the left).
    pub fn side_of(&self, p: P) -> f64 {
        let mut best = (f64::INFINITY, 0.0);
        for part in &self.parts {
            for w in part.windows(2) {
                let (a, b) = (w[0], w[1]);
                let len = dist(a, b);
                let u = [(b[0] - a[0]) / len, (b[1] - a[1]) / len];
                let t = ((p[0] - a[0]) * u[0] + (p[1] - a[1]) * u[1]).clamp(0.0, len);
                let d = dist([a[0] + u[0] * t, a[1] + u[1] * t], p);
                if d < best.0 {
                    best = (d, u[0] * (p[1] - a[1]) - u[1] * (p[0] - a[0]));
                }
            }
        }
        best.1
    }
}

pub fn dist(a: P, b: P) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

fn left_normal(u: P) -> P {
    [-u[1], u[0]]
}

fn add(a: P, b: P, k: f64) -> P {
    [a[0] + b[0] * k, a[1] + b[1] * k]
}

/// The pieces of the corridor of `centerline` offset `left` metres to its left
/// and `right` metres to its right, flat ends, mitred joins: the corridor
/// GEOS draws for `ST_Buffer(line, w, 'endcap=flat join=mitre mitre_limit=5')`.
///
/// Each part is first cut into one rectangle per edge and one wedge per bend.
/// That union is GEOS's buffer on clean lines, but not on digitized ones: GEOS
/// simplifies each side of the line before offsetting it (a vertex turning
/// toward that side, within 1% of the half width of its neighbours' chord and
/// of the vertex before it, is dropped), and it keeps only the points its
/// offset curve winds around, so a back-step of a few millimetres at a bend
/// does not push a limited mitre 25 m out of the road. So the part's outline
/// is also traced as GEOS traces it ([`buffer_curve::line_region`]); where
/// the two differ (by more than 10⁻⁴ m² + 10⁻⁹ of the area) the part's pieces
/// are trapezoids of GEOS's outline instead ([`Frame::Filled`]).
///
/// ```
/// use hiendat::geometry::corridor::{Centerline, offset_pieces};
/// let c = Centerline::new(vec![vec![[0.0, 0.0], [40.0, 0.0]]]);
/// let pieces = offset_pieces(0, &c, 5.0, 5.0);
/// assert_eq!(pieces.len(), 1);
/// assert_eq!(pieces[0].bbox, [[0.0, -5.0], [40.0, 5.0]]);
/// ```
pub fn offset_pieces(segment: u32, c: &Centerline, left: f64, right: f64) -> Vec<Piece> {
    let mut pieces = Vec::new();
    for (part, cum) in c.parts.iter().zip(&c.cum) {
        let quick = part_pieces(segment, part, cum, left, right);
        let region = buffer_curve::line_region(part, left, right);
        if same_region(&quick, &region) {
            pieces.extend(quick);
        } else {
            for rings in &region {
                pieces.extend(
                    trapezoids(rings)
                        .into_iter()
                        .filter_map(|t| Piece::new(segment, t, Frame::Filled)),
                );
            }
        }
    }
    pieces
}

/// Differences GEOS's own rounding heuristics make (it merges offset points
/// closer than w / 1000) are below this; the rectangles and wedges are kept.
const SAME_REGION_M2: f64 = 1e-4;

/// Whether the union of `pieces` is `region` (polygons: exterior, then holes),
/// within [`SAME_REGION_M2`].
fn same_region(pieces: &[Piece], region: &[Vec<Vec<P>>]) -> bool {
    let a_region: f64 = region.iter().flatten().map(|r| ring_area(r)).sum();
    let a_union = union_area(pieces);
    let eps = SAME_REGION_M2 + 1e-9 * a_union.abs().max(a_region.abs());
    if (a_region - a_union).abs() > eps {
        return false;
    }
    // the part of the region inside the union, each point counted once
    let (mut inside, mut tmp, mut discard) = (Shape::new(), Shape::new(), Vec::new());
    let mut common = 0.0;
    for rings in region {
        let shape = Shape::from_rings(rings.iter().map(Vec::as_slice));
        for (k, p) in pieces.iter().enumerate() {
            subtract_convex(&shape, &p.halfplanes, &mut discard, &mut inside, &mut tmp);
            discard.clear();
            let mut parts = vec![inside.clone()];
            for q in &pieces[..k] {
                if !q.intersects_bbox(&p.bbox) {
                    continue;
                }
                let mut next = Vec::new();
                for r in &parts {
                    subtract_convex(r, &q.halfplanes, &mut next, &mut inside, &mut tmp);
                }
                parts = next;
            }
            common += parts.iter().map(Shape::area).sum::<f64>();
        }
    }
    (common - a_region).abs() <= eps
}

/// The rectangles and wedges of one part of a centerline.
fn part_pieces(segment: u32, part: &[P], cum: &[f64], left: f64, right: f64) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut dirs = Vec::with_capacity(part.len());
    for i in 1..part.len() {
        let len = cum[i] - cum[i - 1];
        let (a, b) = (part[i - 1], part[i]);
        let u = [(b[0] - a[0]) / len, (b[1] - a[1]) / len];
        dirs.push(u);
        let n = left_normal(u);
        let ring = vec![
            add(a, n, -right),
            add(b, n, -right),
            add(b, n, left),
            add(a, n, left),
        ];
        let frame = Frame::Edge {
            p0: a,
            u,
            len,
            s0: cum[i - 1],
        };
        pieces.extend(Piece::new(segment, ring, frame));
    }
    for k in 1..dirs.len() {
        let (u0, u1) = (dirs[k - 1], dirs[k]);
        let turn = u0[0] * u1[1] - u0[1] * u1[0];
        let dot = u0[0] * u1[0] + u0[1] * u1[1];
        if turn.abs() < 1e-12 && dot > 0.0 {
            continue;
        }
        // A left turn opens the right side, and the reverse.
        let side = if turn > 0.0 { -1.0 } else { 1.0 };
        let w = if side > 0.0 { left } else { right };
        if w <= 0.0 {
            continue;
        }
        let v = part[k];
        let n0 = left_normal(u0);
        let n1 = left_normal(u1);
        let a = add(v, n0, side * w);
        let b = add(v, n1, side * w);
        // Outer bisector and the half deflection angle δ/2 between the edges.
        let bis = [n0[0] + n1[0], n0[1] + n1[1]];
        let bl = bis[0].hypot(bis[1]);
        let frame = Frame::Joint { v, s: cum[k], side };
        let ring = if bl < 1e-12 {
            // a full reversal: GEOS caps it with the bevel
            vec![v, a, b]
        } else {
            let d = [side * bis[0] / bl, side * bis[1] / bl];
            let cos_half = (d[0] * n0[0] + d[1] * n0[1]) * side;
            let ratio = 1.0 / cos_half;
            if ratio <= MITRE_LIMIT {
                vec![v, a, add(v, d, w * ratio), b]
            } else {
                // GEOS's limited mitre: a bevel of length 2 w across the
                // bisector, 5 w from the vertex, cut by the two offset lines
                // (where it misses one of them, a plain bevel).
                let mitre_dist = MITRE_LIMIT * w;
                let mid = add(v, d, mitre_dist);
                let perp = left_normal(d);
                // where the bevel line meets the offset line of normal `n`
                let cut = |n: P| {
                    let n = [side * n[0], side * n[1]];
                    let np = n[0] * perp[0] + n[1] * perp[1];
                    (w - mitre_dist * (n[0] * d[0] + n[1] * d[1])) / np
                };
                let (t0, t1) = (cut(n0), cut(n1));
                if t0.abs() <= w && t1.abs() <= w {
                    vec![v, a, add(mid, perp, t0), add(mid, perp, t1), b]
                } else {
                    vec![v, a, b]
                }
            }
        };
        pieces.extend(Piece::new(segment, ring, frame));
    }
    pieces
}

/// The pieces of a given right-of-way polygon (rings: exterior then holes).
pub fn polygon_pieces(segment: u32, rings: &[Vec<P>]) -> Vec<Piece> {
    triangles(segment, rings, Frame::Free)
}

/// A polygon (rings that do not cross: exterior then holes) cut into
/// trapezoids by vertical lines through its vertices: exact and robust where
/// ear clipping is not (the winding fill's holes may touch its exterior).
fn trapezoids(rings: &[Vec<P>]) -> Vec<Vec<P>> {
    let edges: Vec<(P, P)> = rings
        .iter()
        .flat_map(|r| (0..r.len()).map(move |i| (r[i], r[(i + 1) % r.len()])))
        .filter(|(a, b)| a[0] != b[0])
        .map(|(a, b)| if a[0] < b[0] { (a, b) } else { (b, a) })
        .collect();
    let mut xs: Vec<f64> = rings.iter().flatten().map(|p| p[0]).collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    let y_at = |(a, b): (P, P), x: f64| {
        if x <= a[0] {
            a[1]
        } else if x >= b[0] {
            b[1]
        } else {
            a[1] + (b[1] - a[1]) * ((x - a[0]) / (b[0] - a[0]))
        }
    };
    let mut out = Vec::new();
    let mut cut: Vec<[f64; 3]> = Vec::new();
    for s in xs.windows(2) {
        let (x0, x1) = (s[0], s[1]);
        let xm = 0.5 * (x0 + x1);
        cut.clear();
        for e in &edges {
            if e.0[0] <= x0 && e.1[0] >= x1 {
                cut.push([y_at(*e, xm), y_at(*e, x0), y_at(*e, x1)]);
            }
        }
        cut.sort_by(|a, b| a[0].total_cmp(&b[0]));
        // inside between the first and second crossing, the third and fourth...
        for pair in cut.chunks_exact(2) {
            let (lo, hi) = (pair[0], pair[1]);
            let mut t = vec![
                [x0, lo[1]],
                [x1, lo[2]],
                [x1, hi[2].max(lo[2])],
                [x0, hi[1].max(lo[1])],
            ];
            t.dedup();
            if t.len() > 1 && t.first() == t.last() {
                t.pop();
            }
            if t.len() >= 3 {
                out.push(t);
            }
        }
    }
    out
}

/// A polygon (rings: exterior then holes) cut into triangles.
fn triangles(segment: u32, rings: &[Vec<P>], frame: Frame) -> Vec<Piece> {
    let Some(ext) = rings.first() else {
        return Vec::new();
    };
    let to_ls =
        |r: &Vec<P>| geo::LineString::from(r.iter().map(|p| (p[0], p[1])).collect::<Vec<_>>());
    let poly = geo::Polygon::new(to_ls(ext), rings[1..].iter().map(to_ls).collect());
    poly.earcut_triangles()
        .into_iter()
        .filter_map(|t| {
            let (a, b, c) = (t.v1(), t.v2(), t.v3());
            let ring = vec![[a.x, a.y], [b.x, b.y], [c.x, c.y]];
            Piece::new(segment, ring, frame.clone())
        })
        .collect()
}

/// Area of the union of a corridor's pieces (overlaps counted once).
pub fn union_area(pieces: &[Piece]) -> f64 {
    let mut total = 0.0;
    let (mut out, mut tmp) = (Shape::new(), Shape::new());
    for (k, p) in pieces.iter().enumerate() {
        let mut regions = vec![Shape::from_rings([p.ring.as_slice()])];
        for q in &pieces[..k] {
            if !q.intersects_bbox(&p.bbox) {
                continue;
            }
            let mut next = Vec::new();
            for r in &regions {
                subtract_convex(r, &q.halfplanes, &mut next, &mut out, &mut tmp);
            }
            regions = next;
        }
        total += regions.iter().map(Shape::area).sum::<f64>();
    }
    total
}

/// Pushes the parts of `r` outside the convex piece `hs` into `out_parts`, as
/// disjoint shapes: outside the first half-plane; inside it but outside the second...
/// Returns what is inside the piece, in `inside`.
pub fn subtract_convex(
    r: &Shape,
    hs: &[HalfPlane],
    out_parts: &mut Vec<Shape>,
    inside: &mut Shape,
    tmp: &mut Shape,
) {
    inside.clone_from(r);
    for h in hs {
        let mut outside = Shape::new();
        inside.clip_into(&h.flip(), &mut outside);
        if outside.area().abs() > 1e-12 {
            out_parts.push(outside);
        }
        inside.clip_into(h, tmp);
        std::mem::swap(inside, tmp);
        if inside.is_empty() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_straight_corridor_is_one_rectangle_with_flat_ends() {
        let c = Centerline::new(vec![vec![[0.0, 0.0], [40.0, 0.0]]]);
        let p = offset_pieces(0, &c, 3.0, 2.0);
        assert_eq!(p.len(), 1);
        assert!((union_area(&p) - 200.0).abs() < 1e-9);
    }

    #[test]
    fn a_right_angle_bend_gets_a_square_mitre_and_counts_the_inner_overlap_once() {
        // east 40 m then north 40 m, half width 5: two 10 × 40 rectangles
        // overlapping in a 5 × 5 square on the inside, plus a 5 × 5 mitre outside.
        let c = Centerline::new(vec![vec![[0.0, 0.0], [40.0, 0.0], [40.0, 40.0]]]);
        let p = offset_pieces(0, &c, 5.0, 5.0);
        assert_eq!(p.len(), 3);
        let want = 400.0 + 400.0 - 25.0 + 25.0;
        assert!((union_area(&p) - want).abs() < 1e-9, "{}", union_area(&p));
    }

    #[test]
    fn a_hairpin_beyond_the_mitre_limit_is_bevelled() {
        let c = Centerline::new(vec![vec![[0.0, 0.0], [40.0, 0.0], [0.0, 1.0]]]);
        let p = offset_pieces(0, &c, 1.0, 1.0);
        let wedge = p
            .iter()
            .find(|q| matches!(q.frame, Frame::Joint { .. }))
            .unwrap();
        // the bevel crosses the bisector 5 half widths from the vertex (an
        // unlimited mitre would reach ~80 m), its ends at most one half width aside
        let reach = wedge
            .ring
            .iter()
            .map(|q| dist(*q, [40.0, 0.0]))
            .fold(0.0, f64::max);
        assert!(reach <= 26f64.sqrt() + 1e-9 && reach > 4.0, "{reach}");
        assert_eq!(wedge.ring.len(), 5);
    }

    #[test]
    fn a_limited_mitre_ends_on_the_two_offset_lines_as_in_geos() {
        // a 168° turn: the mitre would reach ~9.6 half widths, so it is cut at 5
        let (w, line) = (1.5, vec![[0.0, 0.0], [40.0, 0.0], [0.0, 8.5]]);
        let p = offset_pieces(0, &Centerline::new(vec![line.clone()]), w, w);
        let wedge = p
            .iter()
            .find(|q| q.ring.len() == 5)
            .expect("a limited mitre");
        // off the line through edge i, on the outer (right) side
        let off = |q: P, i: usize| {
            let (a, b) = (line[i], line[i + 1]);
            let u = [(b[0] - a[0]) / dist(a, b), (b[1] - a[1]) / dist(a, b)];
            u[1] * (q[0] - a[0]) - u[0] * (q[1] - a[1])
        };
        let (e0, e1) = (wedge.ring[2], wedge.ring[3]);
        assert!((off(e0, 0) - w).abs() < 1e-9, "{e0:?}");
        assert!((off(e1, 1) - w).abs() < 1e-9, "{e1:?}");
        // and the bevel crosses the bisector 5 half widths out
        let mid = [(e0[0] + e1[0]) / 2.0, (e0[1] + e1[1]) / 2.0];
        assert!((dist(mid, [40.0, 0.0]) - MITRE_LIMIT * w).abs() < 1e-9);
    }

    #[test]
    fn a_part_whose_outline_geos_draws_differently_is_cut_from_that_outline() {
        // an 8 mm back-step at a bend: rectangles and wedges would push a mitre
        // 14 m beyond the corner; GEOS's outline is the plain corner
        let c = Centerline::new(vec![vec![
            [0.0, 0.0],
            [50.0, 0.0],
            [49.994, 0.005],
            [50.0, 40.0],
        ]]);
        let p = offset_pieces(0, &c, 5.0, 5.0);
        assert!(p.iter().all(|q| q.frame == Frame::Filled));
        let east = p
            .iter()
            .flat_map(|q| q.ring.iter())
            .map(|q| q[0])
            .fold(f64::NEG_INFINITY, f64::max);
        assert!(east <= 55.0 + 1e-9, "{east}");
        // 500 + 400 less the inner overlap, plus the outer corner, plus GEOS's
        // slivers along the back-step (0.09 m²)
        let a = union_area(&p);
        assert!((a - 900.0919).abs() < 1e-3, "{a}");
    }

    #[test]
    fn a_given_polygon_is_cut_into_triangles_of_the_same_area() {
        let l = vec![
            [0.0, 0.0],
            [20.0, 0.0],
            [20.0, 4.0],
            [4.0, 4.0],
            [4.0, 18.0],
            [0.0, 18.0],
        ];
        let p = polygon_pieces(0, std::slice::from_ref(&l));
        assert_eq!(p.len(), 4);
        assert!((union_area(&p) - ring_area(&l)).abs() < 1e-9);
    }
}
