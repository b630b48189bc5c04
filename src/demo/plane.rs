//! Plane geometry the ward model is drawn with (projected metres).

pub(crate) type P = [f64; 2];

pub(crate) fn add(a: P, b: P) -> P {
    [a[0] + b[0], a[1] + b[1]]
}

pub(crate) fn sub(a: P, b: P) -> P {
    [a[0] - b[0], a[1] - b[1]]
}

pub(crate) fn scale(a: P, k: f64) -> P {
    [a[0] * k, a[1] * k]
}

pub(crate) fn dot(a: P, b: P) -> f64 {
    a[0] * b[0] + a[1] * b[1]
}

pub(crate) fn unit(d: P) -> P {
    let n = d[0].hypot(d[1]);
    [d[0] / n, d[1] / n]
}

/// `a + t (b - a)`.
pub(crate) fn lerp(a: P, b: P, t: f64) -> P {
    [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]
}

/// Intersection of the lines `p + t d` and `q + s e`.
pub(crate) fn line_x_line(p: P, d: P, q: P, e: P) -> P {
    let den = d[0] * e[1] - d[1] * e[0];
    let t = ((q[0] - p[0]) * e[1] - (q[1] - p[1]) * e[0]) / den;
    [p[0] + t * d[0], p[1] + t * d[1]]
}

/// A polyline offset by `h` to its left (`h < 0`: right), mitred joins.
pub(crate) fn offset_polyline(pts: &[P], h: f64) -> Vec<P> {
    let n = pts.len();
    let norms: Vec<P> = pts
        .windows(2)
        .map(|w| {
            let u = unit(sub(w[1], w[0]));
            [-u[1], u[0]]
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    out.push(add(pts[0], scale(norms[0], h)));
    for k in 1..n - 1 {
        let m = unit(add(norms[k - 1], norms[k]));
        let cos_half = dot(m, norms[k]);
        out.push(add(pts[k], scale(m, h / cos_half)));
    }
    out.push(add(pts[n - 1], scale(norms[n - 2], h)));
    out
}

pub(crate) use crate::geometry::area::signed_ring_area;

/// Drops repeated vertices (closer than `eps` in both axes), including a
/// closing vertex equal to the first.
pub(crate) fn dedupe_ring(ring: &mut Vec<P>, eps: f64) {
    let close = |a: P, b: P| (a[0] - b[0]).abs() < eps && (a[1] - b[1]).abs() < eps;
    ring.dedup_by(|b, a| close(*a, *b));
    while ring.len() > 1 && close(ring[0], ring[ring.len() - 1]) {
        ring.pop();
    }
}

fn orient(p: P, q: P, r: P) -> i8 {
    let v = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]);
    if v > 1e-12 {
        1
    } else if v < -1e-12 {
        -1
    } else {
        0
    }
}

fn on_segment(p: P, q: P, r: P) -> bool {
    r[0] >= p[0].min(q[0])
        && r[0] <= p[0].max(q[0])
        && r[1] >= p[1].min(q[1])
        && r[1] <= p[1].max(q[1])
}

/// Whether the closed segments `ab` and `cd` share a point.
pub(crate) fn segments_touch(a: P, b: P, c: P, d: P) -> bool {
    let (o1, o2, o3, o4) = (
        orient(a, b, c),
        orient(a, b, d),
        orient(c, d, a),
        orient(c, d, b),
    );
    if o1 != o2 && o3 != o4 {
        return true;
    }
    (o1 == 0 && on_segment(a, b, c))
        || (o2 == 0 && on_segment(a, b, d))
        || (o3 == 0 && on_segment(c, d, a))
        || (o4 == 0 && on_segment(c, d, b))
}

/// An open ring (no repeated closing vertex) is simple: at least three
/// distinct vertices, no two edges meeting except neighbours at their shared
/// vertex, and no spike folding back along its neighbour.
pub(crate) fn ring_is_simple(ring: &[P]) -> bool {
    let n = ring.len();
    if n < 3 {
        return false;
    }
    for i in 0..n {
        let (a, b) = (ring[i], ring[(i + 1) % n]);
        if a == b {
            return false;
        }
        // a neighbour folding back onto this edge
        let c = ring[(i + 2) % n];
        if orient(a, b, c) == 0 && dot(sub(b, a), sub(c, b)) < 0.0 {
            return false;
        }
        for j in i + 2..n {
            if i == 0 && j == n - 1 {
                continue;
            }
            if segments_touch(a, b, ring[j], ring[(j + 1) % n]) {
                return false;
            }
        }
    }
    true
}

/// An open polyline parametrised by arclength.
pub(crate) struct Polyline {
    pts: Vec<P>,
    cum: Vec<f64>,
    pub(crate) length: f64,
}

impl Polyline {
    pub(crate) fn new(pts: Vec<P>) -> Polyline {
        let mut cum = Vec::with_capacity(pts.len());
        cum.push(0.0);
        for w in pts.windows(2) {
            let d = sub(w[1], w[0]);
            cum.push(cum[cum.len() - 1] + d[0].hypot(d[1]));
        }
        let length = cum[cum.len() - 1];
        Polyline { pts, cum, length }
    }

    fn seg(&self, s: f64) -> usize {
        let last = self.pts.len() - 2;
        let mut k = 0;
        while k < last && self.cum[k + 1] <= s {
            k += 1;
        }
        k
    }

    pub(crate) fn at(&self, s: f64) -> P {
        let k = self.seg(s);
        let t = (s - self.cum[k]) / (self.cum[k + 1] - self.cum[k]);
        lerp(self.pts[k], self.pts[k + 1], t)
    }

    pub(crate) fn direction(&self, s: f64) -> P {
        let k = self.seg(s);
        unit(sub(self.pts[k + 1], self.pts[k]))
    }

    /// Vertices with arclength strictly inside `(s0 + margin, s1 - margin)`.
    pub(crate) fn inner_vertices(
        &self,
        s0: f64,
        s1: f64,
        margin: f64,
    ) -> impl Iterator<Item = P> + '_ {
        (1..self.pts.len() - 1)
            .filter(move |&k| s0 + margin < self.cum[k] && self.cum[k] < s1 - margin)
            .map(|k| self.pts[k])
    }

    pub(crate) fn near_vertex(&self, s: f64, dist: f64) -> bool {
        (1..self.pts.len() - 1).any(|k| (self.cum[k] - s).abs() < dist)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_rings_and_bow_ties() {
        let square = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
        assert!(ring_is_simple(&square));
        assert!((signed_ring_area(&square) - 1.0).abs() < 1e-12);
        let bow_tie = [[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0]];
        assert!(!ring_is_simple(&bow_tie));
        let touching = [[0.0, 0.0], [2.0, 0.0], [1.0, 0.0], [1.0, 1.0]];
        assert!(!ring_is_simple(&touching));
        let repeated = [[0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]];
        assert!(!ring_is_simple(&repeated));
    }

    #[test]
    fn offset_keeps_the_distance_at_mitred_joins() {
        let line = [[0.0, 0.0], [10.0, 0.0], [20.0, 2.0]];
        let left = offset_polyline(&line, 3.0);
        assert_eq!(left[0], [0.0, 3.0]);
        let pl = Polyline::new(line.to_vec());
        assert!((pl.at(10.0)[0] - 10.0).abs() < 1e-12);
        assert!(pl.near_vertex(10.5, 1.0) && !pl.near_vertex(12.0, 1.0));
        assert_eq!(pl.inner_vertices(0.0, 20.0, 0.05).count(), 1);
    }

    #[test]
    fn dedupe_drops_repeats_and_the_closing_vertex() {
        let mut ring = vec![[0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]];
        dedupe_ring(&mut ring, 1e-6);
        assert_eq!(ring, vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]]);
    }
}
