//! Clipping of polygon rings by half-planes, and their area moments.
//!
//! Rings are open (no repeated closing point), exteriors counter-clockwise and
//! holes clockwise, so that summed signed areas give the area of a polygon
//! with holes. Sutherland–Hodgman against a single half-plane keeps the
//! winding number inside the half-plane and zeroes it outside, even for
//! concave rings (where it may leave zero-width slivers along the clip line,
//! which carry no area); so clipping by the half-planes of a convex piece in
//! turn gives exact areas of `polygon ∩ piece`.

/// A point in projected metres, relative to the data's local origin.
pub type P = [f64; 2];

/// The closed half-plane `n · p <= c`, with `n` a unit vector.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HalfPlane {
    pub n: P,
    pub c: f64,
}

impl HalfPlane {
    /// The half-plane to the left of the directed line `a → b`.
    pub fn left_of(a: P, b: P) -> HalfPlane {
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let len = dx.hypot(dy);
        let n = [dy / len, -dx / len];
        HalfPlane {
            n,
            c: n[0] * a[0] + n[1] * a[1],
        }
    }

    /// Signed distance: negative inside, positive outside.
    #[inline]
    pub fn eval(&self, p: P) -> f64 {
        self.n[0] * p[0] + self.n[1] * p[1] - self.c
    }

    /// The complementary (open) half-plane.
    pub fn flip(&self) -> HalfPlane {
        HalfPlane {
            n: [-self.n[0], -self.n[1]],
            c: -self.c,
        }
    }
}

/// A set of rings stored flat: `pts[starts[i]..starts[i+1]]` is ring `i`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shape {
    pub pts: Vec<P>,
    pub starts: Vec<u32>,
}

impl Shape {
    pub fn new() -> Shape {
        Shape {
            pts: Vec::new(),
            starts: vec![0],
        }
    }

    pub fn from_rings<'a>(rings: impl IntoIterator<Item = &'a [P]>) -> Shape {
        let mut s = Shape::new();
        for r in rings {
            s.push_ring(r);
        }
        s
    }

    pub fn push_ring(&mut self, ring: &[P]) {
        self.pts.extend_from_slice(ring);
        self.starts.push(self.pts.len() as u32);
    }

    pub fn clear(&mut self) {
        self.pts.clear();
        self.starts.clear();
        self.starts.push(0);
    }

    /// Copies `r` into `self`, reusing its buffers.
    pub fn set(&mut self, r: ShapeRef) {
        self.clear();
        for ring in r.rings() {
            self.push_ring(ring);
        }
    }

    pub fn as_ref(&self) -> ShapeRef<'_> {
        ShapeRef {
            pts: &self.pts,
            starts: &self.starts,
            base: 0,
        }
    }

    pub fn rings(&self) -> impl Iterator<Item = &[P]> {
        self.starts
            .windows(2)
            .map(|w| &self.pts[w[0] as usize..w[1] as usize])
    }

    pub fn is_empty(&self) -> bool {
        self.pts.is_empty()
    }

    /// Signed area (positive for counter-clockwise exteriors).
    pub fn area(&self) -> f64 {
        self.as_ref().area()
    }

    /// Area and area-weighted centroid; `None` when the area vanishes.
    pub fn area_centroid(&self) -> (f64, Option<P>) {
        self.as_ref().area_centroid()
    }

    pub fn bbox(&self) -> Option<[P; 2]> {
        bbox(&self.pts)
    }

    /// Clips every ring by `h` into `out` (cleared first).
    pub fn clip_into(&self, h: &HalfPlane, out: &mut Shape) {
        self.as_ref().clip_into(h, out)
    }

    /// Clips by every half-plane in turn (a convex piece), using `tmp` as scratch.
    pub fn clip_convex(&self, hs: &[HalfPlane], out: &mut Shape, tmp: &mut Shape) {
        self.as_ref().clip_convex(hs, out, tmp)
    }
}

/// A borrowed [`Shape`], possibly a slice of a larger store: ring `i` is
/// `pts[starts[i] - base..starts[i + 1] - base]`.
#[derive(Debug, Clone, Copy)]
pub struct ShapeRef<'a> {
    pub pts: &'a [P],
    pub starts: &'a [u32],
    pub base: u32,
}

/// How a shape lies against a convex piece.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Outside,
    Inside,
    Straddles,
}

impl<'a> ShapeRef<'a> {
    pub fn rings(&self) -> impl Iterator<Item = &'a [P]> + use<'a> {
        let (pts, base) = (self.pts, self.base);
        self.starts
            .windows(2)
            .map(move |w| &pts[(w[0] - base) as usize..(w[1] - base) as usize])
    }

    pub fn area(&self) -> f64 {
        self.rings().map(ring_area).sum()
    }

    pub fn area_centroid(&self) -> (f64, Option<P>) {
        let (mut a, mut mx, mut my) = (0.0, 0.0, 0.0);
        for r in self.rings() {
            let (ra, rx, ry) = ring_moments(r);
            a += ra;
            mx += rx;
            my += ry;
        }
        if a.abs() < 1e-12 {
            (a, None)
        } else {
            (a, Some([mx / a, my / a]))
        }
    }

    pub fn bbox(&self) -> Option<[P; 2]> {
        bbox(self.pts)
    }

    /// Whether every vertex is outside one half-plane (then the shape misses
    /// the piece), inside all of them (then it lies within), or neither.
    /// Exact for the convex piece: vertices decide for polygons.
    pub fn side_of(&self, hs: &[HalfPlane]) -> Side {
        let mut all_inside = true;
        for h in hs {
            let mut any_in = false;
            for p in self.pts {
                let d = h.eval(*p);
                if d <= 0.0 {
                    any_in = true;
                } else {
                    all_inside = false;
                }
                if any_in && !all_inside {
                    break;
                }
            }
            if !any_in {
                return Side::Outside;
            }
        }
        if all_inside {
            Side::Inside
        } else {
            Side::Straddles
        }
    }

    pub fn clip_into(&self, h: &HalfPlane, out: &mut Shape) {
        out.clear();
        for r in self.rings() {
            let before = out.pts.len();
            clip_ring(r, h, &mut out.pts);
            if out.pts.len() - before >= 3 {
                out.starts.push(out.pts.len() as u32);
            } else {
                out.pts.truncate(before);
            }
        }
    }

    pub fn clip_convex(&self, hs: &[HalfPlane], out: &mut Shape, tmp: &mut Shape) {
        let Some((first, rest)) = hs.split_first() else {
            out.set(*self);
            return;
        };
        self.clip_into(first, out);
        for h in rest {
            if out.is_empty() {
                break;
            }
            out.clip_into(h, tmp);
            std::mem::swap(out, tmp);
        }
    }
}

/// Bounding box `[min, max]` of points.
pub fn bbox(pts: &[P]) -> Option<[P; 2]> {
    let first = *pts.first()?;
    let mut b = [first, first];
    for p in &pts[1..] {
        b[0][0] = b[0][0].min(p[0]);
        b[0][1] = b[0][1].min(p[1]);
        b[1][0] = b[1][0].max(p[0]);
        b[1][1] = b[1][1].max(p[1]);
    }
    Some(b)
}

/// Sutherland–Hodgman of one open ring against one half-plane, appended to `out`.
#[inline]
pub fn clip_ring(ring: &[P], h: &HalfPlane, out: &mut Vec<P>) {
    let Some(&last) = ring.last() else { return };
    let mut prev = last;
    let mut dp = h.eval(prev);
    for &cur in ring {
        let dc = h.eval(cur);
        if dc <= 0.0 {
            if dp > 0.0 {
                out.push(cross_point(prev, cur, dp, dc));
            }
            out.push(cur);
        } else if dp <= 0.0 {
            out.push(cross_point(prev, cur, dp, dc));
        }
        prev = cur;
        dp = dc;
    }
}

#[inline]
fn cross_point(a: P, b: P, da: f64, db: f64) -> P {
    let t = da / (da - db);
    [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]
}

/// Signed shoelace area of an open ring (see [`super::area`]).
pub fn ring_area(r: &[P]) -> f64 {
    super::area::signed_ring_area(r)
}

/// Signed area and first moments (area × centroid) of an open ring.
pub fn ring_moments(r: &[P]) -> (f64, f64, f64) {
    if r.len() < 3 {
        return (0.0, 0.0, 0.0);
    }
    let o = r[0];
    let (mut a, mut mx, mut my) = (0.0, 0.0, 0.0);
    for w in r[1..].windows(2) {
        let (x1, y1) = (w[0][0] - o[0], w[0][1] - o[1]);
        let (x2, y2) = (w[1][0] - o[0], w[1][1] - o[1]);
        let c = x1 * y2 - x2 * y1;
        a += c;
        mx += (x1 + x2) * c;
        my += (y1 + y2) * c;
    }
    let a2 = 0.5 * a;
    // moments about the origin o, shifted back
    (a2, mx / 6.0 + o[0] * a2, my / 6.0 + o[1] * a2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x0: f64, y0: f64, s: f64) -> Vec<P> {
        vec![[x0, y0], [x0 + s, y0], [x0 + s, y0 + s], [x0, y0 + s]]
    }

    #[test]
    fn a_square_clipped_by_a_half_plane_keeps_the_inside_part() {
        let sq = Shape::from_rings([square(0.0, 0.0, 10.0).as_slice()]);
        // left of the upward line x = 4 keeps x <= 4
        let h = HalfPlane::left_of([4.0, 0.0], [4.0, 1.0]);
        let mut out = Shape::new();
        sq.clip_into(&h, &mut out);
        assert!((out.area() - 40.0).abs() < 1e-12);
    }

    #[test]
    fn a_concave_u_clipped_across_its_arms_keeps_both_arms_area() {
        // U shape: 30 wide, arms 10 wide and 20 high, base 10 high
        let u = vec![
            [0.0, 0.0],
            [30.0, 0.0],
            [30.0, 30.0],
            [20.0, 30.0],
            [20.0, 10.0],
            [10.0, 10.0],
            [10.0, 30.0],
            [0.0, 30.0],
        ];
        let s = Shape::from_rings([u.as_slice()]);
        // keep y >= 20: the two arm tips, 2 × 10 × 10
        let h = HalfPlane::left_of([30.0, 20.0], [0.0, 20.0]).flip();
        let mut out = Shape::new();
        s.clip_into(&h, &mut out);
        assert!((out.area() - 200.0).abs() < 1e-9, "{}", out.area());
    }

    #[test]
    fn holes_subtract_and_centroids_are_area_weighted() {
        let mut hole = square(2.0, 2.0, 2.0);
        hole.reverse();
        let s = Shape::from_rings([square(0.0, 0.0, 10.0).as_slice(), hole.as_slice()]);
        let (a, c) = s.area_centroid();
        assert!((a - 96.0).abs() < 1e-12);
        let c = c.unwrap();
        let want = (100.0 * 5.0 - 4.0 * 3.0) / 96.0;
        assert!((c[0] - want).abs() < 1e-12 && (c[1] - want).abs() < 1e-12);
    }

    #[test]
    fn shoelace_about_the_first_vertex_is_exact_at_vn2000_magnitudes() {
        let r = square(581_102.243_5, 2_191_076.730_8, 3.0);
        assert!((ring_area(&r) - 9.0).abs() < 1e-9);
    }
}
