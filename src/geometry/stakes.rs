//! The new right-of-way edges and the staking points along them (cọc mốc
//! giải phóng mặt bằng): what a surveyor takes to the field.
//!
//! An edge is the centerline offset by the half width on its side, joined
//! the way [`super::corridor`] builds the corridor: mitred up to GEOS's
//! mitre limit, bevelled beyond it. So the edges are the corridor's sides,
//! and a stake set on them marks the corridor's boundary.

use super::clip::P;
use super::corridor::MITRE_LIMIT;

/// Which side of the centerline, looking along it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Left,
    Right,
}

impl Side {
    /// The code surveyors write before a stake's number: T (trái) or P (phải).
    pub fn letter(self) -> &'static str {
        match self {
            Side::Left => "T",
            Side::Right => "P",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
        }
    }

    /// Vietnamese.
    pub fn vi(self) -> &'static str {
        match self {
            Side::Left => "trái",
            Side::Right => "phải",
        }
    }
}

fn unit_normal_left(a: P, b: P) -> Option<P> {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len = dx.hypot(dy);
    (len > 1e-9).then(|| [-dy / len, dx / len])
}

/// The line offset by `d` metres to `side`: one point per vertex where the
/// join is mitred, two where the mitre would pass the limit (a bevel).
/// Repeated vertices are skipped; a line with no length gives nothing.
pub fn offset(line: &[P], d: f64, side: Side) -> Vec<P> {
    let mut pts: Vec<P> = Vec::with_capacity(line.len());
    for &p in line {
        if pts
            .last()
            .is_none_or(|q: &P| (q[0] - p[0]).hypot(q[1] - p[1]) > 1e-9)
        {
            pts.push(p);
        }
    }
    if pts.len() < 2 {
        return Vec::new();
    }
    let s = if side == Side::Left { d } else { -d };
    let normals: Vec<P> = pts
        .windows(2)
        .filter_map(|w| unit_normal_left(w[0], w[1]))
        .collect();
    let at = |p: P, n: P, k: f64| [p[0] + k * n[0], p[1] + k * n[1]];
    let mut out = Vec::with_capacity(pts.len() + 4);
    out.push(at(pts[0], normals[0], s));
    for i in 1..pts.len() - 1 {
        let (n1, n2, v) = (normals[i - 1], normals[i], pts[i]);
        // A left turn puts the right side outside the bend.
        let left_turn = n1[0] * n2[1] - n1[1] * n2[0] > 0.0;
        let outer = left_turn == (side == Side::Right);
        let bis = [n1[0] + n2[0], n1[1] + n2[1]];
        let bl = bis[0].hypot(bis[1]);
        if bl < 1e-12 {
            // A full reversal: both ends of the bevel.
            out.push(at(v, n1, s));
            out.push(at(v, n2, s));
            continue;
        }
        // The mitre reaches d / cos(δ/2) along the bisector.
        let cos_half = bl / 2.0;
        let b = [bis[0] / bl, bis[1] / bl];
        if 1.0 / cos_half <= MITRE_LIMIT {
            out.push(at(v, b, s / cos_half));
        } else if !outer {
            // Inside a hairpin the offset lines meet far beyond the bend.
            out.push(at(v, n1, s));
            out.push(at(v, n2, s));
        } else {
            // GEOS's limited mitre, as the corridor's wedge: a bevel 2 d long
            // across the bisector at the limit, cut by the two offset lines
            // (a plain bevel where it misses one of them).
            let sign = s.signum();
            let dir = [b[0] * sign, b[1] * sign];
            let mid = at(v, dir, d * MITRE_LIMIT);
            let perp = [-dir[1], dir[0]];
            let cut = |n: P| {
                let m = [n[0] * sign, n[1] * sign];
                (d - d * MITRE_LIMIT * (m[0] * dir[0] + m[1] * dir[1]))
                    / (m[0] * perp[0] + m[1] * perp[1])
            };
            let (t1, t2) = (cut(n1), cut(n2));
            if t1.abs() <= d && t2.abs() <= d {
                out.extend([at(mid, perp, t1), at(mid, perp, t2)]);
            } else {
                out.push(at(v, n1, s));
                out.push(at(v, n2, s));
            }
        }
    }
    out.push(at(pts[pts.len() - 1], normals[normals.len() - 1], s));
    out
}

/// A staking point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stake {
    pub at: P,
    /// Distance along its edge from the edge's start, metres.
    pub chainage_m: f64,
    /// At a vertex of the edge (a corner to set out), not between.
    pub vertex: bool,
}

/// How many stakes [`stakes`] gives for `line` at `interval` (at most; an
/// interval stake within 1 cm of a vertex is skipped), without making them.
pub fn count(line: &[P], interval: f64) -> f64 {
    let length: f64 = line
        .windows(2)
        .map(|w| (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]))
        .sum();
    let between = if interval > 0.0 {
        (length / interval).floor()
    } else {
        0.0
    };
    line.len() as f64 + between
}

/// Stakes along `line`: at every vertex, and every `interval` metres of
/// chainage between them (none between when `interval` is not positive).
/// A point on the interval that falls within 1 cm of a vertex is that vertex.
pub fn stakes(line: &[P], interval: f64) -> Vec<Stake> {
    let mut out = Vec::new();
    let Some(&first) = line.first() else {
        return out;
    };
    out.push(Stake {
        at: first,
        chainage_m: 0.0,
        vertex: true,
    });
    let mut chainage = 0.0;
    // The k-th stake's chainage is k × interval, counted by an integer: the
    // loop advances even where adding the interval would no longer move a
    // float (an interval of 1e-20 m). Callers bound the count
    // ([`count`]) before asking.
    let usable = interval > 0.0 && interval.is_finite();
    let mut k: u64 = 1;
    let at_k = |k: u64| {
        if usable {
            k as f64 * interval
        } else {
            f64::INFINITY
        }
    };
    for w in line.windows(2) {
        let (a, b) = (w[0], w[1]);
        let len = (b[0] - a[0]).hypot(b[1] - a[1]);
        if len <= 1e-9 {
            continue;
        }
        let end = chainage + len;
        while at_k(k) < end - 0.01 {
            let next = at_k(k);
            let t = (next - chainage) / len;
            out.push(Stake {
                at: [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])],
                chainage_m: next,
                vertex: false,
            });
            k += 1;
        }
        if at_k(k) <= end + 0.01 {
            k += 1;
        }
        chainage = end;
        out.push(Stake {
            at: b,
            chainage_m: chainage,
            vertex: true,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: P, b: P) -> bool {
        (a[0] - b[0]).abs() < 1e-9 && (a[1] - b[1]).abs() < 1e-9
    }

    #[test]
    fn a_right_angle_is_mitred_on_both_sides() {
        // East 100 m, then north 50 m; 6 m left, 4 m right.
        let line = [[0.0, 0.0], [100.0, 0.0], [100.0, 50.0]];
        let left = offset(&line, 6.0, Side::Left);
        assert_eq!(left.len(), 3);
        assert!(close(left[0], [0.0, 6.0]));
        assert!(close(left[1], [94.0, 6.0]), "{:?}", left[1]);
        assert!(close(left[2], [94.0, 50.0]));
        let right = offset(&line, 4.0, Side::Right);
        assert!(close(right[1], [104.0, -4.0]), "{:?}", right[1]);
    }

    #[test]
    fn a_hairpin_is_bevelled_past_the_mitre_limit() {
        let line = [[0.0, 0.0], [100.0, 0.0], [0.0, 1.0]];
        let right = offset(&line, 5.0, Side::Right);
        assert_eq!(right.len(), 4, "two points at the bevel: {right:?}");
        // The bevel crosses the bisector at 5 half widths past the vertex.
        let mid = [
            (right[1][0] + right[2][0]) / 2.0,
            (right[1][1] + right[2][1]) / 2.0,
        ];
        assert!(
            ((mid[0] - 100.0).hypot(mid[1]) - 25.0).abs() < 1e-9,
            "{mid:?}"
        );
        assert!(mid[0] > 100.0);
        let left = offset(&line, 5.0, Side::Left);
        assert_eq!(left.len(), 4);
    }

    #[test]
    fn a_tiny_interval_still_advances_and_count_bounds_the_stakes() {
        // 1 m at 1e-3 m: each stake moves on, the loop ends, and `count`
        // says at most how many there are before any is made.
        let line = [[1.0e6, 0.0], [1.0e6 + 1.0, 0.0]];
        let s = stakes(&line, 1e-3);
        assert!(s.len() as f64 <= count(&line, 1e-3));
        assert!(s.len() > 900, "{}", s.len());
        assert!(s.windows(2).all(|w| w[1].chainage_m > w[0].chainage_m));
        assert_eq!(count(&line, 1e-20), 2.0 + 1e20);
    }

    #[test]
    fn stakes_fall_at_vertices_and_every_interval() {
        let line = [[0.0, 0.0], [25.0, 0.0], [25.0, 20.0]];
        let s = stakes(&line, 10.0);
        let ch: Vec<f64> = s.iter().map(|s| s.chainage_m).collect();
        assert_eq!(ch, [0.0, 10.0, 20.0, 25.0, 30.0, 40.0, 45.0]);
        assert_eq!(s.iter().filter(|s| s.vertex).count(), 3);
        assert!(close(s[4].at, [25.0, 5.0]));
    }

    #[test]
    fn an_interval_landing_on_a_vertex_is_not_doubled() {
        let s = stakes(&[[0.0, 0.0], [20.0, 0.0], [20.0, 10.0]], 10.0);
        let ch: Vec<f64> = s.iter().map(|s| s.chainage_m).collect();
        assert_eq!(ch, [0.0, 10.0, 20.0, 30.0]);
    }

    /// Distance from `p` to the nearest side of any ring.
    fn to_boundary(p: P, rings: &[Vec<P>]) -> f64 {
        let mut best = f64::INFINITY;
        for r in rings {
            for w in r.windows(2) {
                let (a, b) = (w[0], w[1]);
                let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
                let t = (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy))
                    .clamp(0.0, 1.0);
                best = best.min((a[0] + t * dx - p[0]).hypot(a[1] + t * dy - p[1]));
            }
        }
        best
    }

    #[test]
    fn the_edges_run_along_the_corridors_boundary() {
        use crate::geometry::corridor::{Centerline, offset_pieces};
        use crate::geometry::outline;
        // Gentle and sharp bends both ways.
        let line = vec![
            [0.0, 0.0],
            [80.0, 10.0],
            [150.0, -20.0],
            [160.0, 60.0],
            [60.0, 90.0],
        ];
        let (l, r) = (7.0, 4.5);
        let pieces = offset_pieces(0, &Centerline::new(vec![line.clone()]), l, r);
        let rings: Vec<Vec<P>> =
            outline::union(pieces.iter().map(|p| std::slice::from_ref(&p.ring)), 0.0)
                .into_iter()
                .flatten()
                .collect();
        for (side, d) in [(Side::Left, l), (Side::Right, r)] {
            let edge = offset(&line, d, side);
            assert_eq!(edge.len(), line.len());
            for p in &edge {
                let gap = to_boundary(*p, &rings);
                assert!(gap < 1e-6, "{side:?} {p:?} off by {gap}");
            }
        }
    }
    #[test]
    fn around_a_hairpin_the_edges_run_along_the_corridors_limited_mitre() {
        use crate::geometry::corridor::{Centerline, offset_pieces};
        use crate::geometry::outline;
        // a 168° left turn: GEOS cuts the right side's mitre 5 half widths out
        let line = vec![[0.0, 0.0], [40.0, 0.0], [0.0, 8.5]];
        let (l, r) = (1.5, 1.2);
        let pieces = offset_pieces(0, &Centerline::new(vec![line.clone()]), l, r);
        let rings: Vec<Vec<P>> =
            outline::union(pieces.iter().map(|p| std::slice::from_ref(&p.ring)), 0.0)
                .into_iter()
                .flatten()
                .collect();
        let edge = offset(&line, r, Side::Right);
        assert_eq!(edge.len(), 4);
        for p in &edge {
            let gap = to_boundary(*p, &rings);
            assert!(gap < 1e-6, "{p:?} off by {gap}");
        }
    }
}
