//! The donation of each parcel to each segment whose corridor it meets.
//! (One file of ~850 lines, a third of it tests: the engine is one algorithm
//! whose steps share their state; split, it would read worse.)
//!
//!
//! For a parcel and each corridor piece it meets, the parcel is clipped to the
//! piece; the part is then split against the other pieces it overlaps:
//! against an earlier piece of the same corridor it is dropped (that piece
//! counts it), against another segment's piece it becomes an overlap, which
//! goes to the segment whose centerline is nearest its centroid (ties to the
//! smaller id). The parts therefore partition the parcel's donated area and
//! no area is ever counted twice.

use super::clip::{HalfPlane, P, Shape, ShapeRef, Side, ring_area};
use super::corridor::{Centerline, Frame, Piece, dist, offset_pieces, polygon_pieces, union_area};
use super::project::ParcelStore;
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use smallvec::{SmallVec, smallvec};

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
    ///
    /// Parcels are taken in runs of [`RUN`]: one R-tree query for the run's
    /// bounding box gives the candidates of all of them (parcels of a ward
    /// come in map-sheet order, so a run is compact); a run whose box holds
    /// too many pieces falls back to one query per parcel.
    pub fn measure_all(&self, parcels: &ParcelStore) -> Vec<Donation> {
        let n = parcels.len();
        // Enough tasks to balance the cores, few enough to amortise each.
        let chunk = (n / (rayon::current_num_threads() * 8)).clamp(256, 4096);
        let chunks: Vec<Vec<Donation>> = (0..n.div_ceil(chunk))
            .into_par_iter()
            .map(|c| {
                let (lo, hi) = (c * chunk, ((c + 1) * chunk).min(n));
                let mut out = Vec::with_capacity((hi - lo) + (hi - lo) / 8);
                let mut s = Scratch::default();
                let mut run_cands: Vec<(u32, [P; 2])> = Vec::new();
                for r in (lo..hi).step_by(RUN) {
                    let run = r..(r + RUN).min(hi);
                    let boxes: Vec<Option<[P; 2]>> =
                        run.clone().map(|i| parcels.get(i).bbox()).collect();
                    let Some(rb) = boxes.iter().flatten().copied().reduce(merge_bbox) else {
                        continue;
                    };
                    run_cands.clear();
                    run_cands.extend(
                        self.tree
                            .locate_in_envelope_intersecting(AABB::from_corners(rb[0], rb[1]))
                            .map(|e| (e.data, self.pieces[e.data as usize].bbox)),
                    );
                    let shared = run_cands.len() <= MAX_RUN_CANDIDATES;
                    for (i, b) in run.zip(boxes) {
                        let Some(b) = b else { continue };
                        s.cands.clear();
                        if shared {
                            s.cands.extend(
                                run_cands
                                    .iter()
                                    .filter(|(_, pb)| boxes_meet(pb, &b))
                                    .map(|(k, _)| *k),
                            );
                        } else {
                            s.cands.extend(
                                self.tree
                                    .locate_in_envelope_intersecting(AABB::from_corners(b[0], b[1]))
                                    .map(|e| e.data),
                            );
                        }
                        self.measure_into(i as u32, parcels.get(i), &mut s, &mut out);
                    }
                }
                out
            })
            .collect();
        chunks.concat()
    }

    /// Measures one parcel against every corridor it meets.
    pub fn measure(&self, parcel_index: u32, parcel: &Shape) -> Vec<Donation> {
        let mut out = Vec::new();
        let mut s = Scratch::default();
        if let Some(b) = parcel.bbox() {
            s.cands.extend(
                self.tree
                    .locate_in_envelope_intersecting(AABB::from_corners(b[0], b[1]))
                    .map(|e| e.data),
            );
            self.measure_into(parcel_index, parcel.as_ref(), &mut s, &mut out);
        }
        out
    }

    /// Measures a parcel against the candidate pieces in `s.cands`.
    fn measure_into(
        &self,
        parcel_index: u32,
        parcel: ShapeRef,
        s: &mut Scratch,
        out: &mut Vec<Donation>,
    ) {
        if s.cands.is_empty() {
            return;
        }
        s.cands.sort_unstable();
        // Which candidate pieces the parcel really meets, and how.
        s.meets.clear();
        for &c in &s.cands {
            match parcel.side_of(&self.pieces[c as usize].halfplanes) {
                Side::Outside => {}
                side => s.meets.push((c, side)),
            }
        }
        if s.meets.is_empty() {
            return;
        }
        s.accs.clear();
        s.intervals.iter_mut().for_each(Vec::clear);
        for mi in 0..s.meets.len() {
            let (ai, side) = s.meets[mi];
            let a = &self.pieces[ai as usize];
            let mut base = s.take();
            if side == Side::Inside {
                base.set(parcel);
            } else {
                parcel.clip_convex(&a.halfplanes, &mut base, &mut s.tmp);
            }
            let base_area = base.area();
            if base_area.abs() <= EPS_AREA {
                s.give(base);
                continue;
            }
            let slot = match s.accs.iter().position(|x| x.segment == a.segment) {
                Some(k) => k,
                None => {
                    s.accs.push(Acc::new(a.segment));
                    if s.intervals.len() < s.accs.len() {
                        s.intervals.push(Vec::new());
                    }
                    s.accs.len() - 1
                }
            };
            // Split the base part against the other pieces it meets: each
            // region carries the segments whose corridors hold it.
            s.regions.clear();
            s.regions.push((base, smallvec![a.segment]));
            for mj in 0..s.meets.len() {
                let bi = s.meets[mj].0;
                let b = &self.pieces[bi as usize];
                if mj == mi || (b.segment == a.segment && bi > ai) {
                    continue;
                }
                let drop_inside = b.segment == a.segment;
                // Regions made by this split are never split again by the same
                // piece: their vertices lie on its edges, where rounding could
                // make them straddle it forever.
                let mut regions = std::mem::replace(&mut s.regions, std::mem::take(&mut s.spare));
                for (r, mut segs) in regions.drain(..) {
                    match r.as_ref().side_of(&b.halfplanes) {
                        Side::Outside => s.regions.push((r, segs)),
                        Side::Inside if drop_inside => s.give(r),
                        Side::Inside => {
                            add_segment(&mut segs, b.segment);
                            s.regions.push((r, segs));
                        }
                        Side::Straddles => {
                            s.split(
                                &r,
                                &b.halfplanes,
                                &segs,
                                if drop_inside { None } else { Some(b.segment) },
                            );
                            s.give(r);
                        }
                    }
                }
                s.spare = regions;
            }
            let mut regions = std::mem::take(&mut s.regions);
            for (r, mut segs) in regions.drain(..) {
                let (area, centroid) = r.area_centroid();
                if area.abs() > EPS_AREA {
                    s.accs[slot].in_corridor += area;
                    if segs.len() == 1 {
                        self.account(
                            a,
                            r.as_ref(),
                            area,
                            centroid,
                            &mut s.accs[slot],
                            &mut s.intervals[slot],
                        );
                    } else {
                        // An overlap: who gets it is settled once all of the
                        // parcel's overlaps with this label are known.
                        segs.sort_unstable();
                        let mut part = Acc::new(a.segment);
                        let mut iv = Vec::new();
                        self.account(a, r.as_ref(), area, centroid, &mut part, &mut iv);
                        let c = centroid.unwrap_or([0.0, 0.0]);
                        s.cells.push(Cell {
                            slot,
                            label: segs,
                            moments: [area, area * c[0], area * c[1]],
                            part,
                            intervals: iv,
                        });
                    }
                }
                s.give(r);
            }
            s.regions = regions;
        }
        self.settle_overlaps(s);
        let first = out.len();
        for (acc, iv) in s.accs.iter().zip(s.intervals.iter_mut()) {
            if acc.in_corridor <= EPS_AREA {
                continue;
            }
            let frontage = union_length(iv);
            let seg = &self.segments[acc.segment as usize];
            let full = if seg.given.is_some() {
                f64::INFINITY
            } else {
                seg.left_m + seg.right_m
            };
            let depth = if acc.side_moment >= 0.0 {
                acc.depth_left
            } else {
                acc.depth_right
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
                depth_max_m: depth.clamp(0.0, full),
            });
        }
        out[first..].sort_by_key(|d| self.ranks[d.segment as usize]);
    }

    /// Gives each overlap to the segment whose centerline is nearest the
    /// centroid of the whole overlap: the part of the parcel held by exactly
    /// the corridors of its label. Its moments are taken from one member's
    /// cells (the smallest index), so every member reaches the same verdict
    /// whatever pieces the overlap was cut into.
    fn settle_overlaps(&self, s: &mut Scratch) {
        if s.cells.is_empty() {
            return;
        }
        let mut cells = std::mem::take(&mut s.cells);
        cells.sort_by(|x, y| x.label.cmp(&y.label));
        let mut i = 0;
        while i < cells.len() {
            let mut j = i;
            let mut m = [0.0; 3];
            while j < cells.len() && cells[j].label == cells[i].label {
                if cells[j].part.segment == cells[i].label[0] {
                    for (k, v) in cells[j].moments.iter().enumerate() {
                        m[k] += v;
                    }
                }
                j += 1;
            }
            let winner = if m[0].abs() > EPS_AREA {
                self.nearest([m[1] / m[0], m[2] / m[0]], &cells[i].label)
            } else {
                cells[i].label[0]
            };
            for c in &mut cells[i..j] {
                if c.part.segment == winner {
                    let acc = &mut s.accs[c.slot];
                    acc.attributed += c.part.attributed;
                    acc.side_moment += c.part.side_moment;
                    acc.depth_left = acc.depth_left.max(c.part.depth_left);
                    acc.depth_right = acc.depth_right.max(c.part.depth_right);
                    s.intervals[c.slot].append(&mut c.intervals);
                }
            }
            i = j;
        }
        cells.clear();
        s.cells = cells;
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

    /// Adds an attributed part of piece `a` to the pair's measures.
    fn account(
        &self,
        a: &Piece,
        r: ShapeRef,
        area: f64,
        centroid: Option<P>,
        acc: &mut Acc,
        iv: &mut Vec<[f64; 2]>,
    ) {
        acc.attributed += area;
        let seg = &self.segments[a.segment as usize];
        // Depth from the left edge and from the right edge; the side the
        // parcel lies on (by its area-weighted offset) picks one at the end.
        let (mut dl, mut dr) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        let mut offset = 0.0;
        // Frontage: the extent along the centerline of each outer ring (holes
        // lie within their ring's extent, and a region may hold several rings).
        for ring in r.rings() {
            let ra = ring_area(ring);
            if ra.abs() <= EPS_AREA {
                continue;
            }
            let (mut smin, mut smax) = (f64::INFINITY, f64::NEG_INFINITY);
            match a.frame {
                Frame::Edge { p0, u, len, s0 } => {
                    for q in ring {
                        let (x, y) = (q[0] - p0[0], q[1] - p0[1]);
                        let t = (x * u[0] + y * u[1]).clamp(0.0, len);
                        let o = u[0] * y - u[1] * x;
                        smin = smin.min(s0 + t);
                        smax = smax.max(s0 + t);
                        dl = dl.max(seg.left_m - o);
                        dr = dr.max(seg.right_m + o);
                    }
                }
                Frame::Joint { v, s, side } => {
                    smin = s;
                    smax = s;
                    let w = if side > 0.0 { seg.left_m } else { seg.right_m };
                    let d = ring
                        .iter()
                        .map(|q| w - dist(*q, v))
                        .fold(f64::NEG_INFINITY, f64::max);
                    if side > 0.0 {
                        dl = dl.max(d);
                    } else {
                        dr = dr.max(d);
                    }
                }
                Frame::Filled => {
                    for q in ring {
                        let (_, sq) = seg.centerline.locate(*q);
                        smin = smin.min(sq);
                        smax = smax.max(sq);
                        let o = seg.centerline.side_of(*q);
                        dl = dl.max(seg.left_m - o);
                        dr = dr.max(seg.right_m + o);
                    }
                }
                Frame::Free => {
                    let polys = seg.given.as_deref().unwrap_or(&[]);
                    for q in ring {
                        let (_, sq) = seg.centerline.locate(*q);
                        smin = smin.min(sq);
                        smax = smax.max(sq);
                        let d = boundary_distance(polys, *q);
                        dl = dl.max(d);
                        dr = dr.max(d);
                    }
                }
            }
            if ra > 0.0 && smax >= smin {
                iv.push([smin, smax]);
            }
        }
        if let Some(c) = centroid {
            offset = match a.frame {
                Frame::Edge { p0, u, .. } => u[0] * (c[1] - p0[1]) - u[1] * (c[0] - p0[0]),
                Frame::Joint { side, .. } => side,
                Frame::Free | Frame::Filled => seg.centerline.side_of(c),
            };
        }
        acc.side_moment += offset * area;
        acc.depth_left = acc.depth_left.max(dl);
        acc.depth_right = acc.depth_right.max(dr);
    }
}

/// Parcels sharing one candidate query.
const RUN: usize = 32;
/// A run whose box meets more pieces than this queries parcel by parcel.
const MAX_RUN_CANDIDATES: usize = 256;

fn merge_bbox(a: [P; 2], b: [P; 2]) -> [P; 2] {
    [
        [a[0][0].min(b[0][0]), a[0][1].min(b[0][1])],
        [a[1][0].max(b[1][0]), a[1][1].max(b[1][1])],
    ]
}

fn boxes_meet(a: &[P; 2], b: &[P; 2]) -> bool {
    a[0][0] <= b[1][0] && b[0][0] <= a[1][0] && a[0][1] <= b[1][1] && b[0][1] <= a[1][1]
}

type Segs = SmallVec<[u32; 4]>;

fn add_segment(segs: &mut Segs, s: u32) {
    if !segs.contains(&s) {
        segs.push(s);
    }
}

impl Acc {
    fn new(segment: u32) -> Acc {
        Acc {
            segment,
            in_corridor: 0.0,
            attributed: 0.0,
            depth_left: 0.0,
            depth_right: 0.0,
            side_moment: 0.0,
        }
    }
}

/// Buffers reused from parcel to parcel, so the hot loop does not allocate.
#[derive(Default)]
struct Scratch {
    cands: Vec<u32>,
    meets: Vec<(u32, Side)>,
    accs: Vec<Acc>,
    intervals: Vec<Vec<[f64; 2]>>,
    tmp: Shape,
    regions: Vec<(Shape, Segs)>,
    /// An empty vector kept for its capacity.
    spare: Vec<(Shape, Segs)>,
    pool: Vec<Shape>,
    cells: Vec<Cell>,
}

/// A piece of an overlap between corridors, measured for its segment and
/// waiting to learn whether that segment gets it.
struct Cell {
    slot: usize,
    /// The segments whose corridors hold it, sorted.
    label: Segs,
    /// Area and first moments.
    moments: [f64; 3],
    part: Acc,
    intervals: Vec<[f64; 2]>,
}

impl Scratch {
    fn take(&mut self) -> Shape {
        self.pool.pop().unwrap_or_default()
    }

    fn give(&mut self, s: Shape) {
        self.pool.push(s);
    }

    /// Splits `r` by the convex piece `hs` into disjoint regions pushed onto
    /// `self.regions`: the parts outside the first half-plane, inside it but
    /// outside the second, ...; and, when `inside_seg` is given, the part
    /// inside the piece, which that segment's corridor also holds.
    fn split(&mut self, r: &Shape, hs: &[HalfPlane], segs: &Segs, inside_seg: Option<u32>) {
        let mut inside = self.take();
        inside.set(r.as_ref());
        for h in hs {
            let mut outside = self.take();
            inside.clip_into(&h.flip(), &mut outside);
            if outside.area().abs() > EPS_AREA {
                self.regions.push((outside, segs.clone()));
            } else {
                self.give(outside);
            }
            inside.clip_into(h, &mut self.tmp);
            std::mem::swap(&mut inside, &mut self.tmp);
            if inside.is_empty() {
                break;
            }
        }
        match inside_seg {
            Some(sg) if inside.area().abs() > EPS_AREA => {
                let mut segs = segs.clone();
                add_segment(&mut segs, sg);
                self.regions.push((inside, segs));
            }
            _ => self.give(inside),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    // Real VN-2000 magnitudes: a street in phường Ngọc Sơn, shifted to a local origin.
    const O: P = [581_000.0, 2_158_000.0];

    fn local(p: P) -> P {
        [p[0] - O[0], p[1] - O[1]]
    }

    fn seg(line: &[P], left: f64, right: f64) -> SegmentGeom {
        SegmentGeom {
            centerline: Centerline::new(vec![line.iter().map(|p| local(*p)).collect()]),
            left_m: left,
            right_m: right,
            given: None,
        }
    }

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Shape {
        let r = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]].map(local);
        Shape::from_rings([r.as_slice()])
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn a_tube_house_loses_its_front_strip_to_a_straight_road() {
        // centerline along y = 2 158 000, planned 10 m: the lot starts 3 m from it.
        let e = Engine::new(
            vec![seg(
                &[[580_900.0, 2_158_000.0], [581_100.0, 2_158_000.0]],
                5.0,
                5.0,
            )],
            vec![0],
        );
        let d = e.measure(0, &rect(581_000.0, 2_158_003.0, 581_006.0, 2_158_023.0));
        assert_eq!(d.len(), 1);
        let d = d[0];
        assert!(
            close(d.area_in_corridor_m2, 12.0) && close(d.attributed_area_m2, 12.0),
            "{d:?}"
        );
        assert!(
            close(d.frontage_m, 6.0) && close(d.depth_mean_m, 2.0) && close(d.depth_max_m, 2.0),
            "{d:?}"
        );
    }

    #[test]
    fn a_lot_on_the_right_is_measured_from_the_right_edge() {
        // westward centerline: its right is north. 4 m to the right, 6 m to the left.
        let e = Engine::new(
            vec![seg(
                &[[581_100.0, 2_158_000.0], [580_900.0, 2_158_000.0]],
                6.0,
                4.0,
            )],
            vec![0],
        );
        let d = e.measure(0, &rect(581_000.0, 2_158_001.5, 581_005.0, 2_158_020.0))[0];
        assert!(close(d.area_in_corridor_m2, 12.5), "{d:?}");
        assert!(
            close(d.depth_max_m, 2.5) && close(d.frontage_m, 5.0),
            "{d:?}"
        );
    }

    #[test]
    fn a_corner_lot_donates_to_both_roads_and_the_overlap_goes_to_the_nearer_centerline() {
        // EW road on y = 0 (half 5 m), NS road on x = 0 (half 4 m), lot 20 × 20 from (2, 2).
        let ew = seg(
            &[[580_950.0, 2_158_000.0], [581_050.0, 2_158_000.0]],
            5.0,
            5.0,
        );
        let ns = seg(
            &[[581_000.0, 2_157_950.0], [581_000.0, 2_158_050.0]],
            4.0,
            4.0,
        );
        let e = Engine::new(vec![ew, ns], vec![0, 1]);
        let d = e.measure(0, &rect(581_002.0, 2_158_002.0, 581_022.0, 2_158_022.0));
        assert_eq!(d.len(), 2);
        let (ew, ns) = (d[0], d[1]);
        assert!(close(ew.area_in_corridor_m2, 60.0) && close(ns.area_in_corridor_m2, 40.0));
        // the 2 × 3 overlap has its centroid at (3, 3.5): 3 m from NS, 3.5 from EW
        assert!(
            close(ew.attributed_area_m2, 54.0) && close(ns.attributed_area_m2, 40.0),
            "{d:?}"
        );
        assert!(
            close(ew.frontage_m, 18.0) && close(ns.frontage_m, 20.0),
            "{d:?}"
        );
        assert!(
            close(ew.depth_max_m, 3.0) && close(ns.depth_max_m, 2.0),
            "{d:?}"
        );
    }

    #[test]
    fn an_overlap_equidistant_from_two_centerlines_goes_to_the_smaller_id() {
        let ew = seg(
            &[[580_950.0, 2_158_000.0], [581_050.0, 2_158_000.0]],
            5.0,
            5.0,
        );
        let ns = seg(
            &[[581_000.0, 2_157_950.0], [581_000.0, 2_158_050.0]],
            5.0,
            5.0,
        );
        // segment 0 has the larger id (rank 1)
        let e = Engine::new(vec![ew, ns], vec![1, 0]);
        let d = e.measure(0, &rect(581_001.0, 2_158_001.0, 581_021.0, 2_158_021.0));
        // sorted by rank: NS (rank 0) first
        assert_eq!((d[0].segment, d[1].segment), (1, 0));
        assert!(
            close(d[0].attributed_area_m2, 80.0) && close(d[1].attributed_area_m2, 64.0),
            "{d:?}"
        );
    }

    #[test]
    fn a_lot_inside_a_bend_is_counted_once_where_the_rectangles_overlap() {
        // east then north: the inner corner (north-west of the bend) is covered by both rectangles
        let s = seg(
            &[
                [580_960.0, 2_158_000.0],
                [581_000.0, 2_158_000.0],
                [581_000.0, 2_158_040.0],
            ],
            5.0,
            5.0,
        );
        let e = Engine::new(vec![s], vec![0]);
        let d = e.measure(0, &rect(580_990.0, 2_158_000.0, 581_000.0, 2_158_010.0))[0];
        // the lot lies in the corridor up to 5 m from each centerline leg: 10 × 10 minus the 5 × 5 beyond both
        assert!(close(d.area_in_corridor_m2, 75.0), "{d:?}");
        assert!(close(d.attributed_area_m2, 75.0));
    }

    #[test]
    fn holes_and_multipolygons_are_measured() {
        let e = Engine::new(
            vec![seg(
                &[[580_900.0, 2_158_000.0], [581_100.0, 2_158_000.0]],
                5.0,
                5.0,
            )],
            vec![0],
        );
        // a 10 × 10 lot from y = 0 with a 2 × 2 hole inside the corridor, plus a second 2 × 2 island
        let outer = [
            [581_000.0, 2_158_000.0],
            [581_010.0, 2_158_000.0],
            [581_010.0, 2_158_010.0],
            [581_000.0, 2_158_010.0],
        ]
        .map(local);
        let hole = [
            [581_002.0, 2_158_001.0],
            [581_002.0, 2_158_003.0],
            [581_004.0, 2_158_003.0],
            [581_004.0, 2_158_001.0],
        ]
        .map(local);
        let island = [
            [581_020.0, 2_158_001.0],
            [581_022.0, 2_158_001.0],
            [581_022.0, 2_158_003.0],
            [581_020.0, 2_158_003.0],
        ]
        .map(local);
        let s = Shape::from_rings([outer.as_slice(), hole.as_slice(), island.as_slice()]);
        let d = e.measure(0, &s)[0];
        assert!(close(d.area_in_corridor_m2, 50.0 - 4.0 + 4.0), "{d:?}");
        assert!(close(d.frontage_m, 12.0), "{d:?}");
    }

    #[test]
    fn a_given_right_of_way_polygon_replaces_the_offset_centerline() {
        let mut s = seg(
            &[[580_900.0, 2_158_000.0], [581_100.0, 2_158_000.0]],
            5.0,
            5.0,
        );
        // the planned line widens to 8 m on the north side only
        let poly = [
            [580_900.0, 2_157_995.0],
            [581_100.0, 2_157_995.0],
            [581_100.0, 2_158_008.0],
            [580_900.0, 2_158_008.0],
        ]
        .map(local);
        s.given = Some(vec![vec![poly.to_vec()]]);
        let e = Engine::new(vec![s], vec![0]);
        let d = e.measure(0, &rect(581_000.0, 2_158_003.0, 581_006.0, 2_158_023.0))[0];
        assert!(close(d.area_in_corridor_m2, 30.0), "{d:?}");
        assert!(
            close(d.frontage_m, 6.0) && close(d.depth_max_m, 5.0),
            "{d:?}"
        );
    }

    #[test]
    fn a_lot_on_a_noisy_centerline_is_measured_against_the_centerline_and_its_widths() {
        // an 8 mm back-step at the bend: the corridor is GEOS's outline, in
        // trapezoids; the lot north of the first leg reaches 3 m into it
        let s = seg(
            &[
                [580_950.0, 2_158_000.0],
                [581_000.0, 2_158_000.0],
                [580_999.994, 2_158_000.005],
                [581_000.0, 2_158_040.0],
            ],
            5.0,
            5.0,
        );
        let e = Engine::new(vec![s], vec![0]);
        assert!(e.pieces.iter().all(|p| p.frame == Frame::Filled));
        let d = e.measure(0, &rect(580_960.0, 2_158_002.0, 580_970.0, 2_158_020.0))[0];
        assert!(close(d.area_in_corridor_m2, 30.0), "{d:?}");
        assert!(
            close(d.frontage_m, 10.0) && close(d.depth_max_m, 3.0) && close(d.depth_mean_m, 3.0),
            "{d:?}"
        );
    }

    #[test]
    fn a_parcel_away_from_every_corridor_has_no_pairs() {
        let e = Engine::new(
            vec![seg(
                &[[580_900.0, 2_158_000.0], [581_100.0, 2_158_000.0]],
                5.0,
                5.0,
            )],
            vec![0],
        );
        assert!(
            e.measure(0, &rect(581_000.0, 2_158_005.0, 581_006.0, 2_158_025.0))
                .is_empty()
        );
    }
}
