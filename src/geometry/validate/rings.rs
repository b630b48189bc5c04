//! Ring checks: closure, size, self-intersection (edge against edge,
//! exact orientation tests) and holes outside their shell.

use geo::algorithm::kernels::{Kernel, Orientation, RobustKernel};
use geo::algorithm::line_intersection::{LineIntersection, line_intersection};
use geo::{Coord, Line};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use super::coordinates::{Bounds, check_positions, metres_per_degree};
use super::{Part, Reason};
use crate::geometry::area::signed_ring_area;

/// Checks every ring; returns the centre of the bounding box when all
/// coordinates are usable, and the area (approximate m²) when all rings are
/// also simple.
pub(super) fn check_polygons(
    polygons: &[Vec<Vec<[f64; 2]>>],
    report: &mut impl FnMut(Reason, Option<[f64; 2]>),
) -> Option<([f64; 2], Option<f64>)> {
    if polygons.is_empty() || polygons.iter().all(Vec::is_empty) {
        report(Reason::NoGeometry, None);
        return None;
    }
    let mut bounds = Bounds::default();
    let mut usable = true;
    let mut all_simple = true;
    let mut area_deg2 = 0.0;
    for (pi, rings) in polygons.iter().enumerate() {
        if rings.is_empty() {
            report(
                Reason::TooFewPoints {
                    part: Part::Ring {
                        polygon: pi,
                        ring: 0,
                    },
                    found: 0,
                    needed: 4,
                },
                None,
            );
            continue;
        }
        let mut shell_ok = false;
        for (ri, ring) in rings.iter().enumerate() {
            let part = Part::Ring {
                polygon: pi,
                ring: ri,
            };
            if !check_positions(part, ring, report) {
                usable = false;
                continue;
            }
            bounds.extend(ring);
            let simple = check_ring(part, ring, report);
            all_simple &= simple;
            if ri == 0 {
                shell_ok = simple;
                area_deg2 += signed_ring_area(ring).abs();
            } else {
                area_deg2 -= signed_ring_area(ring).abs();
                if shell_ok && simple {
                    let shell = &rings[0];
                    if let Some(at) = hole_outside(shell, ring) {
                        report(Reason::HoleOutsideShell { part }, Some(at));
                    }
                }
            }
        }
    }
    if !usable {
        return None;
    }
    let centre = bounds.centre()?;
    // Only small areas need converting: a square degree is over 10^10 m².
    let area_m2 = all_simple.then(|| {
        let area_deg2 = area_deg2.abs();
        if area_deg2 > 1e-9 {
            f64::INFINITY
        } else {
            let (kx, ky) = metres_per_degree(centre[1]);
            area_deg2 * kx * ky
        }
    });
    Some((centre, area_m2))
}

/// Checks a ring's closure, size and simplicity; `true` if it is a valid
/// simple ring.
fn check_ring(
    part: Part,
    ring: &[[f64; 2]],
    report: &mut impl FnMut(Reason, Option<[f64; 2]>),
) -> bool {
    let mut ok = true;
    let closed = ring.len() >= 2 && ring.first() == ring.last();
    if !ring.is_empty() && !closed {
        report(Reason::RingNotClosed { part }, ring.last().copied());
        ok = false;
    }
    with_corners(ring, |corners| {
        if ring.len() < 4 || corners.len() < 3 {
            report(
                Reason::TooFewPoints {
                    part,
                    found: ring.len(),
                    needed: 4,
                },
                ring.first().copied(),
            );
            ok = false;
            return;
        }
        for (edges, at) in self_intersections(corners, usize::MAX) {
            report(Reason::SelfIntersection { part, edges }, Some(at));
            ok = false;
        }
    });
    ok
}

/// Calls `f` with the ring's corners: consecutive repeats dropped, and the
/// closing position dropped (the ring is treated as closed). Copies only
/// when there are repeats.
pub(super) fn with_corners<R>(ring: &[[f64; 2]], f: impl FnOnce(&[[f64; 2]]) -> R) -> R {
    let unclosed = |r: &[[f64; 2]]| r.len() > 1 && r.first() == r.last();
    if !ring.windows(2).any(|w| w[0] == w[1]) {
        let corners = if unclosed(ring) {
            &ring[..ring.len() - 1]
        } else {
            ring
        };
        return f(corners);
    }
    let mut corners = ring.to_vec();
    corners.dedup();
    if unclosed(&corners) {
        corners.pop();
    }
    f(&corners)
}

/// Rings of up to this many edges are checked pair by pair.
const PAIRWISE_EDGES: usize = 32;

/// Where the closed ring through `corners` (no repeats, not closed) crosses
/// or touches itself: edge pairs (edge k runs from corner k to k + 1) and a
/// location, at most `limit` of them.
pub(super) fn self_intersections(
    corners: &[[f64; 2]],
    limit: usize,
) -> Vec<((usize, usize), [f64; 2])> {
    let m = corners.len();
    let mut found = Vec::new();
    if m < 3 {
        return found;
    }
    let next = |k: usize| if k + 1 == m { 0 } else { k + 1 };
    let edge = |k: usize| (c(corners[k]), c(corners[next(k)]));
    // Turns at each corner. Between adjacent edges only a fold-back (the
    // ring retracing its path) is wrong. Also count how often the edges'
    // x direction flips: with every turn one way, twice means the ring goes
    // round once, so it is convex and simple (more would be a star).
    let (mut left, mut right) = (0, 0);
    let (mut flips, mut first_dir, mut last_dir) = (0, 0i8, 0i8);
    for k in 0..m {
        let prev = if k == 0 { m - 1 } else { k - 1 };
        let (a, s, b) = (c(corners[prev]), c(corners[k]), c(corners[next(k)]));
        match RobustKernel::orient2d(a, s, b) {
            Orientation::CounterClockwise => left += 1,
            Orientation::Clockwise => right += 1,
            Orientation::Collinear => {
                if (a.x - s.x) * (b.x - s.x) + (a.y - s.y) * (b.y - s.y) > 0.0 {
                    found.push(((prev, k), [s.x, s.y]));
                    if found.len() >= limit {
                        return found;
                    }
                }
            }
        }
        let dir = i8::from(b.x > s.x) - i8::from(b.x < s.x);
        if dir != 0 {
            flips += i32::from(last_dir != 0 && dir != last_dir);
            if first_dir == 0 {
                first_dir = dir;
            }
            last_dir = dir;
        }
    }
    flips += i32::from(first_dir != last_dir);
    if found.is_empty() && (left == 0 || right == 0) && flips <= 2 {
        return found;
    }
    let test = |i: usize, j: usize, found: &mut Vec<_>| {
        // Skip adjacent pairs (handled above).
        if j == i + 1 || (i == 0 && j == m - 1) {
            return;
        }
        let (p1, p2) = edge(i);
        let (q1, q2) = edge(j);
        if !segments_meet(p1, p2, q1, q2) {
            return;
        }
        let at = match line_intersection(Line::new(p1, p2), Line::new(q1, q2)) {
            Some(LineIntersection::SinglePoint { intersection, .. }) => intersection,
            Some(LineIntersection::Collinear { intersection }) => intersection.start,
            None => p1,
        };
        found.push(((i, j), [at.x, at.y]));
    };
    if m <= PAIRWISE_EDGES {
        for i in 0..m {
            for j in i + 2..m {
                test(i, j, &mut found);
                if found.len() >= limit {
                    return found;
                }
            }
        }
    } else {
        let boxes: Vec<GeomWithData<Rectangle<[f64; 2]>, usize>> = (0..m)
            .map(|k| {
                let (a, b) = edge(k);
                GeomWithData::new(Rectangle::from_corners([a.x, a.y], [b.x, b.y]), k)
            })
            .collect();
        let tree = RTree::bulk_load(boxes);
        for i in 0..m {
            let (a, b) = edge(i);
            let mut near: Vec<usize> = tree
                .locate_in_envelope_intersecting(AABB::from_corners([a.x, a.y], [b.x, b.y]))
                .map(|g| g.data)
                .filter(|&j| j > i + 1)
                .collect();
            near.sort_unstable();
            for j in near {
                test(i, j, &mut found);
                if found.len() >= limit {
                    return found;
                }
            }
        }
    }
    found
}

/// Whether segments p1–p2 and q1–q2 share any point (exact predicates).
fn segments_meet(p1: Coord<f64>, p2: Coord<f64>, q1: Coord<f64>, q2: Coord<f64>) -> bool {
    if p1.x.max(p2.x) < q1.x.min(q2.x)
        || q1.x.max(q2.x) < p1.x.min(p2.x)
        || p1.y.max(p2.y) < q1.y.min(q2.y)
        || q1.y.max(q2.y) < p1.y.min(p2.y)
    {
        return false;
    }
    let side = |a, b, p| match RobustKernel::orient2d(a, b, p) {
        Orientation::CounterClockwise => 1i8,
        Orientation::Clockwise => -1,
        Orientation::Collinear => 0,
    };
    let (d1, d2) = (side(p1, p2, q1), side(p1, p2, q2));
    if d1 * d2 > 0 {
        return false;
    }
    let (d3, d4) = (side(q1, q2, p1), side(q1, q2, p2));
    if d3 * d4 > 0 {
        return false;
    }
    if d1 * d2 < 0 && d3 * d4 < 0 {
        return true;
    }
    // Some endpoint is on the other segment's line: it meets if it lies
    // within that segment's box (the boxes overlap, checked above).
    let within = |a: Coord<f64>, b: Coord<f64>, p: Coord<f64>| {
        p.x >= a.x.min(b.x) && p.x <= a.x.max(b.x) && p.y >= a.y.min(b.y) && p.y <= a.y.max(b.y)
    };
    (d1 == 0 && within(p1, p2, q1))
        || (d2 == 0 && within(p1, p2, q2))
        || (d3 == 0 && within(q1, q2, p1))
        || (d4 == 0 && within(q1, q2, p2))
}

pub(super) fn c([x, y]: [f64; 2]) -> Coord<f64> {
    Coord { x, y }
}

/// A corner of `hole` strictly outside `shell`, if the hole is outside.
pub(super) fn hole_outside(shell: &[[f64; 2]], hole: &[[f64; 2]]) -> Option<[f64; 2]> {
    for &p in hole {
        match winding(shell, p) {
            Some(0) => return Some(p),
            Some(_) => return None,
            None => {} // on the boundary: try the next corner
        }
    }
    None
}

/// Winding number of `ring` around `p`; `None` if `p` is on the ring.
fn winding(ring: &[[f64; 2]], p: [f64; 2]) -> Option<i32> {
    let pc = c(p);
    let mut w = 0;
    let n = ring.len();
    for k in 0..n {
        let a = c(ring[k]);
        let b = c(ring[(k + 1) % n]);
        if a == b {
            continue;
        }
        let o = RobustKernel::orient2d(a, b, pc);
        if o == Orientation::Collinear
            && pc.x >= a.x.min(b.x)
            && pc.x <= a.x.max(b.x)
            && pc.y >= a.y.min(b.y)
            && pc.y <= a.y.max(b.y)
        {
            return None;
        }
        if a.y <= pc.y {
            if b.y > pc.y && o == Orientation::CounterClockwise {
                w += 1;
            }
        } else if b.y <= pc.y && o == Orientation::Clockwise {
            w -= 1;
        }
    }
    Some(w)
}
