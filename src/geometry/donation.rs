//! The donation of each parcel to each segment whose corridor it meets.
//!
//! For a parcel and each corridor piece it meets, the parcel is clipped to the
//! piece; the part is then split against the other pieces it overlaps:
//! against an earlier piece of the same corridor it is dropped (that piece
//! counts it), against another segment's piece it becomes an overlap, which
//! goes to the segment whose centerline is nearest its centroid (ties to the
//! smaller id). The parts therefore partition the parcel's donated area and
//! no area is ever counted twice.

use super::clip::{P, Shape};
use super::corridor::{
    Centerline, Frame, Piece, dist, offset_pieces, polygon_pieces, subtract_convex, union_area,
};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

/// A segment ready for measuring, in projected metres.
#[derive(Debug, Clone)]
pub struct SegmentGeom {
    pub centerline: Centerline,
    /// Half widths to the left and right of the centerline's direction.
    pub left_m: f64,
    pub right_m: f64,
    /// The planned right-of-way polygons when given (each: exterior, then holes).
    pub given: Option<Vec<Vec<Vec<P>>>>,
}

/// One parcel's donation to one segment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Donation {
    pub parcel: u32,
    pub segment: u32,
    pub area_in_corridor_m2: f64,
    pub attributed_area_m2: f64,
    pub frontage_m: f64,
    pub depth_mean_m: f64,
    pub depth_max_m: f64,
}

type Entry = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// Corridors of all segments, indexed for candidate search.
pub struct Engine {
    pub segments: Vec<SegmentGeom>,
    pub pieces: Vec<Piece>,
    /// Start of each segment's pieces in `pieces` (segments' pieces are contiguous).
    pub piece_start: Vec<u32>,
    /// Rank of each segment by id: ties in overlaps go to the smaller.
    ranks: Vec<u32>,
    tree: RTree<Entry>,
}

const EPS_AREA: f64 = 1e-10;

/// Per-parcel accumulator for one segment.
#[derive(Clone, Copy)]
struct Acc {
    segment: u32,
    in_corridor: f64,
    attributed: f64,
    /// Deepest reach measured from the left edge and from the right edge.
    depth_left: f64,
    depth_right: f64,
    /// Area-weighted offset from the centerline: its sign tells the parcel's side.
    side_moment: f64,
}

impl Engine {
    /// Builds every segment's corridor. `ranks[i]` orders segment `i` by id.
    pub fn new(segments: Vec<SegmentGeom>, ranks: Vec<u32>) -> Engine {
        let per_segment: Vec<Vec<Piece>> = segments
            .par_iter()
            .enumerate()
            .map(|(i, s)| match &s.given {
                Some(polys) => polys
                    .iter()
                    .flat_map(|rings| polygon_pieces(i as u32, rings))
                    .collect(),
                None => offset_pieces(i as u32, &s.centerline, s.left_m, s.right_m),
            })
            .collect();
        let mut pieces = Vec::new();
        let mut piece_start = Vec::with_capacity(segments.len() + 1);
        for p in per_segment {
            piece_start.push(pieces.len() as u32);
            pieces.extend(p);
        }
        piece_start.push(pieces.len() as u32);
        let entries = pieces
            .iter()
            .enumerate()
            .map(|(i, p)| Entry::new(Rectangle::from_corners(p.bbox[0], p.bbox[1]), i as u32))
            .collect();
        Engine {
            segments,
            pieces,
            piece_start,
            ranks,
            tree: RTree::bulk_load(entries),
        }
    }

    /// Area of each segment's corridor (m²).
    pub fn corridor_areas(&self) -> Vec<f64> {
        (0..self.segments.len())
            .into_par_iter()
            .map(|i| {
                let (a, b) = (
                    self.piece_start[i] as usize,
                    self.piece_start[i + 1] as usize,
                );
                union_area(&self.pieces[a..b])
            })
            .collect()
    }

    /// Measures every parcel (rings oriented: exteriors counter-clockwise),
    /// in parcel order, then segment rank.
    pub fn measure_all(&self, parcels: &[Shape]) -> Vec<Donation> {
        let chunks: Vec<Vec<Donation>> = parcels
            .par_chunks(4096)
            .enumerate()
            .map(|(c, chunk)| {
                let mut out = Vec::with_capacity(chunk.len() + chunk.len() / 8);
                let mut scratch = Scratch::default();
                for (k, p) in chunk.iter().enumerate() {
                    self.measure_into((c * 4096 + k) as u32, p, &mut scratch, &mut out);
                }
                out
            })
            .collect();
        chunks.concat()
    }

    /// Measures one parcel against every corridor it meets.
    pub fn measure(&self, parcel_index: u32, parcel: &Shape) -> Vec<Donation> {
        let mut out = Vec::new();
        self.measure_into(parcel_index, parcel, &mut Scratch::default(), &mut out);
        out
    }

    fn measure_into(
        &self,
        parcel_index: u32,
        parcel: &Shape,
        s: &mut Scratch,
        out: &mut Vec<Donation>,
    ) {
        let Some(pb) = parcel.bbox() else { return };
        s.cands.clear();
        s.cands.extend(
            self.tree
                .locate_in_envelope_intersecting(AABB::from_corners(pb[0], pb[1]))
                .map(|e| e.data),
        );
        if s.cands.is_empty() {
            return;
        }
        s.cands.sort_unstable();
        s.accs.clear();
        s.intervals.clear();
        for ci in 0..s.cands.len() {
            let a = &self.pieces[s.cands[ci] as usize];
            parcel.clip_convex(&a.halfplanes, &mut s.base, &mut s.tmp);
            let base_area = s.base.area();
            if base_area.abs() <= EPS_AREA {
                continue;
            }
            let acc_idx = match s.accs.iter().position(|x| x.segment == a.segment) {
                Some(i) => i,
                None => {
                    s.accs.push(Acc {
                        segment: a.segment,
                        in_corridor: 0.0,
                        attributed: 0.0,
                        depth_left: 0.0,
                        depth_right: 0.0,
                        side_moment: 0.0,
                    });
                    s.intervals.push(Vec::new());
                    s.accs.len() - 1
                }
            };
            // Regions of the base part, each with the segments whose corridors hold it.
            s.regions.clear();
            let base_bbox = s.base.bbox().unwrap_or(pb);
            let mut split = false;
            for cj in 0..s.cands.len() {
                let bi = s.cands[cj];
                let b = &self.pieces[bi as usize];
                if cj == ci
                    || (b.segment == a.segment && bi > s.cands[ci])
                    || !b.intersects_bbox(&base_bbox)
                {
                    continue;
                }
                if !split {
                    s.regions.push((s.base.clone(), vec![a.segment]));
                    split = true;
                }
                let mut next = Vec::with_capacity(s.regions.len() + 2);
                for (r, segs) in s.regions.drain(..) {
                    let mut outside = Vec::new();
                    subtract_convex(&r, &b.halfplanes, &mut outside, &mut s.inside, &mut s.tmp);
                    next.extend(outside.into_iter().map(|o| (o, segs.clone())));
                    if b.segment != a.segment && s.inside.area().abs() > EPS_AREA {
                        let mut segs = segs;
                        if !segs.contains(&b.segment) {
                            segs.push(b.segment);
                        }
                        next.push((s.inside.clone(), segs));
                    }
                }
                s.regions = next;
            }
            if !split {
                let base = std::mem::take(&mut s.base);
                self.account(
                    a,
                    &base,
                    base_area,
                    &mut s.accs[acc_idx],
                    &mut s.intervals[acc_idx],
                );
                s.base = base;
                continue;
            }
            let regions = std::mem::take(&mut s.regions);
            for (r, segs) in &regions {
                let (area, centroid) = r.area_centroid();
                if area.abs() <= EPS_AREA {
                    continue;
                }
                s.accs[acc_idx].in_corridor += area;
                let winner = match centroid {
                    Some(c) if segs.len() > 1 => self.nearest(c, segs),
                    _ => a.segment,
                };
                if winner == a.segment {
                    self.account_attributed(
                        a,
                        r,
                        area,
                        &mut s.accs[acc_idx],
                        &mut s.intervals[acc_idx],
                    );
                }
            }
            s.regions = regions;
        }
        let mut found: Vec<(Acc, f64)> = Vec::with_capacity(s.accs.len());
        for (acc, iv) in s.accs.iter().zip(s.intervals.iter_mut()) {
            if acc.in_corridor <= EPS_AREA {
                continue;
            }
            found.push((*acc, union_length(iv)));
        }
        found.sort_by_key(|(a, _)| self.ranks[a.segment as usize]);
        for (acc, frontage) in found {
            let seg = &self.segments[acc.segment as usize];
            let full = if seg.given.is_some() {
                f64::INFINITY
            } else {
                seg.left_m + seg.right_m
            };
            out.push(Donation {
                parcel: parcel_index,
                segment: acc.segment,
                area_in_corridor_m2: acc.in_corridor,
                attributed_area_m2: acc.attributed,
                frontage_m: frontage,
                depth_mean_m: if frontage > 1e-9 {
                    acc.attributed / frontage
                } else {
                    0.0
                },
                depth_max_m: if acc.side_moment >= 0.0 {
                    acc.depth_left
                } else {
                    acc.depth_right
                }
                .clamp(0.0, full),
            });
        }
    }

    /// The segment among `segs` whose centerline is nearest `p`; ties to the smaller id.
    fn nearest(&self, p: P, segs: &[u32]) -> u32 {
        let mut best = (f64::INFINITY, u32::MAX, 0u32);
        for &sg in segs {
            let d = self.segments[sg as usize].centerline.locate(p).0;
            let rank = self.ranks[sg as usize];
            if d < best.0 - 1e-9 || ((d - best.0).abs() <= 1e-9 && rank < best.1) {
                best = (d, rank, sg);
            }
        }
        best.2
    }

    /// A part wholly in piece `a` and no other corridor.
    fn account(&self, a: &Piece, r: &Shape, area: f64, acc: &mut Acc, iv: &mut Vec<[f64; 2]>) {
        acc.in_corridor += area;
        self.account_attributed(a, r, area, acc, iv);
    }

    fn account_attributed(
        &self,
        a: &Piece,
        r: &Shape,
        area: f64,
        acc: &mut Acc,
        iv: &mut Vec<[f64; 2]>,
    ) {
        acc.attributed += area;
        let seg = &self.segments[a.segment as usize];
        let (mut smin, mut smax) = (f64::INFINITY, f64::NEG_INFINITY);
        // depth measured from the left edge and from the right edge; the side
        // the part lies on (by its area-weighted offset) picks one.
        let (mut dl, mut dr) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        let mut offset_sum = 0.0;
        match a.frame {
            Frame::Edge { p0, u, len, s0 } => {
                for q in &r.pts {
                    let (x, y) = (q[0] - p0[0], q[1] - p0[1]);
                    let t = (x * u[0] + y * u[1]).clamp(0.0, len);
                    let o = u[0] * y - u[1] * x;
                    smin = smin.min(s0 + t);
                    smax = smax.max(s0 + t);
                    dl = dl.max(seg.left_m - o);
                    dr = dr.max(seg.right_m + o);
                }
                if let (_, Some(c)) = r.area_centroid() {
                    offset_sum = u[0] * (c[1] - p0[1]) - u[1] * (c[0] - p0[0]);
                }
            }
            Frame::Joint { v, s, side } => {
                smin = s;
                smax = s;
                let w = if side > 0.0 { seg.left_m } else { seg.right_m };
                let d = r
                    .pts
                    .iter()
                    .map(|q| w - dist(*q, v))
                    .fold(f64::NEG_INFINITY, f64::max);
                if side > 0.0 {
                    dl = d;
                } else {
                    dr = d;
                }
                offset_sum = side;
            }
            Frame::Free => {
                let rings = seg.given.as_deref().unwrap_or(&[]);
                for q in &r.pts {
                    let (_, sq) = seg.centerline.locate(*q);
                    smin = smin.min(sq);
                    smax = smax.max(sq);
                    let d = boundary_distance(rings, *q);
                    dl = dl.max(d);
                    dr = dr.max(d);
                }
                if let (_, Some(c)) = r.area_centroid() {
                    offset_sum = seg.centerline.side_of(c);
                }
            }
        }
        acc.side_moment += offset_sum * area;
        acc.depth_left = acc.depth_left.max(dl);
        acc.depth_right = acc.depth_right.max(dr);
        if smax >= smin {
            iv.push([smin, smax]);
        }
    }
}

#[derive(Default)]
struct Scratch {
    cands: Vec<u32>,
    accs: Vec<Acc>,
    intervals: Vec<Vec<[f64; 2]>>,
    base: Shape,
    tmp: Shape,
    inside: Shape,
    regions: Vec<(Shape, Vec<u32>)>,
}

/// Total length of the union of intervals.
fn union_length(iv: &mut [[f64; 2]]) -> f64 {
    iv.sort_by(|a, b| a[0].total_cmp(&b[0]));
    let mut total = 0.0;
    let mut cur: Option<[f64; 2]> = None;
    for &[a, b] in iv.iter() {
        match cur {
            Some([ca, cb]) if a <= cb => cur = Some([ca, cb.max(b)]),
            Some([ca, cb]) => {
                total += cb - ca;
                cur = Some([a, b]);
            }
            None => cur = Some([a, b]),
        }
    }
    if let Some([a, b]) = cur {
        total += b - a;
    }
    total
}

/// Distance from `p` to the nearest boundary edge of the given polygons.
fn boundary_distance(polys: &[Vec<Vec<P>>], p: P) -> f64 {
    let mut best = f64::INFINITY;
    for ring in polys.iter().flatten() {
        for i in 0..ring.len() {
            let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
            let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
            let l2 = dx * dx + dy * dy;
            let t = if l2 > 0.0 {
                (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            best = best.min(dist([a[0] + t * dx, a[1] + t * dy], p));
        }
    }
    best
}
