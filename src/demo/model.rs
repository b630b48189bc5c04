//! The ward in projected metres: a jittered street grid, its segments, and
//! rows of tube-house lots between the streets.
//!
//! Streets: "frontage" streets run east-west every 43-58 m (street `j` at
//! `y[j]`), "cross" streets run north-south every 200-320 m (street `i` at
//! `x[i]`); intersection `(i, j)` is jittered by up to 0.75 m. East-west
//! segments run intersection to intersection with 0-4 slight bends;
//! north-south segments span 1-5 blocks. Block `(i, j)` lies between cross
//! streets `i`, `i + 1` and frontage streets `j`, `j + 1`, and holds two
//! back-to-back rows of lots: the south row fronts street `j`, the north row
//! street `j + 1`. Lots start at the current road edge, so the planned
//! corridor cuts a strip off their front.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::names::STREET_NAMES;
use super::plane::{
    P, Polyline, add, dedupe_ring, dot, lerp, line_x_line, offset_polyline, ring_is_simple, scale,
    signed_ring_area, sub, unit,
};
use super::rng::{Rng, Stream};

/// Half the widest current road: the street lines are this far from the lots'
/// nominal rear lines.
const MAX_HALF_CURRENT: f64 = 3.0;

/// Street class, which sets the current and planned widths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Duong,
    Pho,
    Ngo,
}

impl Class {
    fn label(self) -> &'static str {
        match self {
            Class::Duong => "Đường",
            Class::Pho => "Phố",
            Class::Ngo => "Ngõ",
        }
    }

    /// (current widths, planned widths) to choose from, metres.
    fn widths(self) -> (&'static [f64], &'static [f64]) {
        match self {
            Class::Duong => (&[5.0, 5.5, 6.0], &[10.5, 11.0, 11.5, 12.0, 13.0]),
            Class::Pho => (&[4.0, 4.5, 5.0, 5.5], &[7.5, 8.0, 9.0, 10.0, 10.5, 12.0]),
            Class::Ngo => (&[3.0, 3.5, 4.0], &[6.0, 6.5, 7.0, 7.5, 8.0]),
        }
    }
}

/// East-west (frontage) or north-south (cross) street.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dir {
    East = 0,
    North = 1,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum LotKind {
    Lot,
    Corner,
    /// One of a pair of lots where one took the rear part of the other.
    L,
}

/// What a lot is, besides its ring.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LotMeta {
    /// Block column and row.
    pub(crate) col: u32,
    pub(crate) row: u32,
    /// Fronts street `row + 1` (on its south side) rather than street `row`.
    pub(crate) north: bool,
    /// First / last lot of its row: bounded by cross street `col` / `col + 1`.
    pub(crate) left_corner: bool,
    pub(crate) right_corner: bool,
    /// One of the rare 10-20 m lots (shops, schools, temples...).
    pub(crate) wide: bool,
    pub(crate) kind: LotKind,
    /// Nominal frontage width along the front line, metres.
    #[cfg_attr(not(test), expect(dead_code, reason = "checked by the tests"))]
    pub(crate) frontage: f32,
}

impl LotMeta {
    /// The east-west street the lot fronts.
    pub(crate) fn street(&self) -> u32 {
        self.row + u32::from(self.north)
    }
}

/// Lots as open counter-clockwise rings in one flat array.
#[derive(Default)]
pub(crate) struct Lots {
    pub(crate) pts: Vec<P>,
    /// Ring `k` is `pts[start[k]..start[k + 1]]`.
    pub(crate) start: Vec<usize>,
    pub(crate) meta: Vec<LotMeta>,
}

impl Lots {
    pub(crate) fn len(&self) -> usize {
        self.meta.len()
    }

    pub(crate) fn ring(&self, k: usize) -> &[P] {
        &self.pts[self.start[k]..self.start[k + 1]]
    }
}

/// A road segment in projected metres.
pub(crate) struct SegmentModel {
    pub(crate) name: String,
    pub(crate) current: f64,
    pub(crate) planned: f64,
    pub(crate) pts: Vec<P>,
}

pub(crate) struct Model {
    pub(crate) lots: Lots,
    pub(crate) segments: Vec<SegmentModel>,
    /// Names of the east-west streets, by index.
    pub(crate) east_names: Vec<String>,
    pub(crate) block_columns: usize,
    pub(crate) block_rows: usize,
    pub(crate) groups_per_ward: usize,
}

/// Builds `n` lots (exactly) and the segments they front, around `center`.
pub(crate) fn build(n: usize, seed: u64, center: P) -> Model {
    let mut grid = Grid::new(n, seed, center);
    let mut rows: Vec<Lots> = Vec::new();
    let mut count = 0;
    let mut j = 0;
    while count < n {
        // a little fewer rows than expected (about 84 lots per block), then the rest
        let batch = (n - count) / (grid.nx * 90) + 1;
        grid.ensure_rows(j + batch + 1);
        let built: Vec<Lots> = (j..j + batch)
            .into_par_iter()
            .map(|jj| {
                let mut out = Lots::default();
                for i in 0..grid.nx {
                    grid.build_block(i, jj, &mut out);
                }
                out
            })
            .collect();
        for row in built {
            if count >= n {
                break;
            }
            count += row.len();
            rows.push(row);
        }
        j += batch;
    }

    let total_pts: usize = rows.iter().map(|r| r.pts.len()).sum();
    let mut lots = Lots {
        pts: Vec::with_capacity(total_pts),
        start: Vec::with_capacity(count + 1),
        meta: Vec::with_capacity(count),
    };
    lots.start.push(0);
    for row in rows {
        let base = lots.pts.len();
        lots.start
            .extend(row.start.iter().skip(1).map(|&s| s + base));
        lots.pts.extend_from_slice(&row.pts);
        lots.meta.extend_from_slice(&row.meta);
    }
    lots.meta.truncate(n);
    lots.start.truncate(n + 1);
    lots.pts.truncate(lots.start[n]);

    // the segments the lots front, in the order east-west (by street, west to
    // east) then north-south (by street, south to north)
    let mut used: BTreeMap<(Dir2, u32, u32), u32> = BTreeMap::new();
    let mut last_block = None;
    for m in &lots.meta {
        if last_block != Some((m.row, m.col, m.north)) {
            last_block = Some((m.row, m.col, m.north));
            used.entry((Dir2::East, m.street(), m.col)).or_insert(m.row);
        }
        for (corner, i) in [(m.left_corner, m.col), (m.right_corner, m.col + 1)] {
            if corner {
                let (j0, _) = grid.north_run(i as usize, m.row as usize);
                let last = used.entry((Dir2::North, i, j0 as u32)).or_insert(m.row);
                *last = (*last).max(m.row);
            }
        }
    }
    let segments = used
        .into_par_iter()
        .map(|((dir, a, b), last_row)| match dir {
            Dir2::East => {
                let (j, i) = (a as usize, b as usize);
                let (pts, current, planned) = grid.east(i, j);
                let name = grid.street_name(Dir::East, j);
                SegmentModel {
                    name,
                    current,
                    planned,
                    pts,
                }
            }
            Dir2::North => {
                let (i, j0) = (a as usize, b as usize);
                let (_, j1) = grid.north_run(i, j0);
                let (current, planned) = grid.north_widths(i, j0);
                // a run may reach past the last row with lots: cut it there
                let j_end = j1.min(last_row as usize + 1);
                let pts = (j0..=j_end).map(|jj| grid.p(i, jj)).collect();
                let name = grid.street_name(Dir::North, i);
                SegmentModel {
                    name,
                    current,
                    planned,
                    pts,
                }
            }
        })
        .collect();

    let block_rows = lots
        .meta
        .iter()
        .map(|m| m.row as usize + 1)
        .max()
        .unwrap_or(0);
    let east_names = (0..=block_rows)
        .map(|j| grid.street_name(Dir::East, j))
        .collect();
    Model {
        lots,
        segments,
        east_names,
        block_columns: grid.nx,
        block_rows,
        groups_per_ward: grid.groups_per_ward,
    }
}

/// Segment ordering key: all east-west segments before the north-south ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Dir2 {
    East,
    North,
}

struct Grid {
    seed: u64,
    nx: usize,
    /// Cross streets `0..=nx`.
    x: Vec<f64>,
    /// Frontage streets built so far.
    y: Vec<f64>,
    /// Inner depth of block row `j` (between the street lines, less 6 m).
    d: Vec<f64>,
    name_order: Vec<usize>,
    groups_per_ward: usize,
    /// Per cross street: the rows where its segments start (1-5 blocks each).
    runs: Vec<Vec<u32>>,
    run_rng: Vec<Rng>,
}

impl Grid {
    fn new(n: usize, seed: u64, center: P) -> Grid {
        let mut r = Rng::new(seed, Stream::Ward, &[]);
        // roughly square: blocks ~260 m x ~56 m with ~80 lots each
        let nx = ((n as f64 / 372.0).sqrt().round() as usize).max(1);
        let ny_est = (n as f64 / (nx as f64 * 80.0)).ceil().max(1.0);
        let widths: Vec<f64> = (0..nx)
            .map(|i| Rng::new(seed, Stream::Column, &[i as u64]).uniform(200.0, 320.0))
            .collect();
        let width: f64 = widths.iter().sum();
        let height = ny_est * (2.0 * MAX_HALF_CURRENT + 44.5);
        // a whole-metre origin keeps the grid easy to read
        let x0 = (center[0] - width / 2.0).round();
        let y0 = (center[1] - height / 2.0).round();
        let mut x = Vec::with_capacity(nx + 1);
        x.push(x0);
        for w in widths {
            x.push(x[x.len() - 1] + w);
        }
        let mut name_order: Vec<usize> = (0..STREET_NAMES.len()).collect();
        r.shuffle(&mut name_order);
        let groups_per_ward = 20 + r.below(21);
        Grid {
            seed,
            nx,
            x,
            y: vec![y0],
            d: Vec::new(),
            name_order,
            groups_per_ward,
            runs: vec![vec![0]; nx + 1],
            run_rng: (0..=nx)
                .map(|i| Rng::new(seed, Stream::NorthRun, &[i as u64]))
                .collect(),
        }
    }

    /// Makes rows `0..=rows` buildable: their depths, street lines and the
    /// north-south runs covering them (with the street lines those reach).
    fn ensure_rows(&mut self, rows: usize) {
        let mut top = rows + 1;
        for (runs, r) in self.runs.iter_mut().zip(&mut self.run_rng) {
            while runs[runs.len() - 1] as usize <= rows {
                let next = runs[runs.len() - 1] + 1 + r.below(5) as u32;
                runs.push(next);
            }
            top = top.max(runs[runs.len() - 1] as usize);
        }
        while self.y.len() <= top {
            let j = self.d.len();
            let d = Rng::new(self.seed, Stream::Row, &[j as u64]).uniform(37.0, 52.0);
            self.d.push(d);
            self.y.push(self.y[j] + 2.0 * MAX_HALF_CURRENT + d);
        }
    }

    /// Intersection of cross street `i` and frontage street `j`.
    fn p(&self, i: usize, j: usize) -> P {
        let mut r = Rng::new(self.seed, Stream::Point, &[i as u64, j as u64]);
        let dx = r.uniform(-0.75, 0.75);
        let dy = r.uniform(-0.75, 0.75);
        [self.x[i] + dx, self.y[j] + dy]
    }

    fn base_name(&self, k: usize) -> String {
        match self.name_order.get(k) {
            Some(&n) => STREET_NAMES[n].to_string(),
            None => format!("số {}", k - STREET_NAMES.len() + 1),
        }
    }

    fn street_rng(&self, dir: Dir, idx: usize) -> (Rng, Class) {
        let mut r = Rng::new(self.seed, Stream::Street, &[dir as u64, idx as u64]);
        let u = r.f64();
        let class = if u < 0.25 {
            Class::Duong
        } else if u < 0.70 {
            Class::Pho
        } else {
            Class::Ngo
        };
        (r, class)
    }

    fn street_class(&self, dir: Dir, idx: usize) -> Class {
        self.street_rng(dir, idx).1
    }

    fn street_name(&self, dir: Dir, idx: usize) -> String {
        let (mut r, class) = self.street_rng(dir, idx);
        // interleave the two directions so both get names from the list
        let base = self.base_name(2 * idx + dir as usize);
        if class == Class::Ngo {
            format!("Ngõ {} {base}", 2 + r.below(300))
        } else if base.starts_with("số ") {
            format!("Đường {base}")
        } else {
            format!("{} {base}", class.label())
        }
    }

    fn widths(r: &mut Rng, class: Class) -> (f64, f64) {
        let (current, planned) = class.widths();
        let cur = r.pick(current);
        let wider: Vec<f64> = planned
            .iter()
            .copied()
            .filter(|&p| p >= cur + 1.0)
            .collect();
        (cur, r.pick(&wider))
    }

    /// East-west segment of street `j` between cross streets `i` and `i + 1`:
    /// (points, current width, planned width).
    fn east(&self, i: usize, j: usize) -> (Vec<P>, f64, f64) {
        let mut r = Rng::new(self.seed, Stream::East, &[i as u64, j as u64]);
        let (a, b) = (self.p(i, j), self.p(i + 1, j));
        let u = r.f64();
        let bends = [0.35, 0.65, 0.85, 0.95]
            .iter()
            .take_while(|&&p| u >= p)
            .count();
        let (lo, hi) = (a[0] + 22.0, b[0] - 22.0);
        let mut xs: Vec<f64> = Vec::with_capacity(bends);
        for _ in 0..bends {
            for _ in 0..20 {
                let x = r.uniform(lo, hi);
                if xs.iter().all(|o| (x - o).abs() >= 26.0) {
                    xs.push(x);
                    break;
                }
            }
        }
        xs.sort_by(f64::total_cmp);
        let mut pts = Vec::with_capacity(xs.len() + 2);
        pts.push(a);
        for x in xs {
            let t = (x - a[0]) / (b[0] - a[0]);
            pts.push([x, a[1] + t * (b[1] - a[1]) + r.uniform(-1.0, 1.0)]);
        }
        pts.push(b);
        let (cur, plan) = Grid::widths(&mut r, self.street_class(Dir::East, j));
        (pts, cur, plan)
    }

    /// The rows `(j0, j1)` spanned by the north-south segment of cross street
    /// `i` that covers block row `j`.
    fn north_run(&self, i: usize, j: usize) -> (usize, usize) {
        let runs = &self.runs[i];
        let k = runs.partition_point(|&s| s as usize <= j) - 1;
        (runs[k] as usize, runs[k + 1] as usize)
    }

    fn north_widths(&self, i: usize, j0: usize) -> (f64, f64) {
        let mut r = Rng::new(self.seed, Stream::North, &[i as u64, j0 as u64]);
        Grid::widths(&mut r, self.street_class(Dir::North, i))
    }

    fn north_current(&self, i: usize, j: usize) -> f64 {
        let (j0, _) = self.north_run(i, j);
        self.north_widths(i, j0).0
    }

    fn build_block(&self, i: usize, j: usize, out: &mut Lots) {
        let mut r = Rng::new(self.seed, Stream::Block, &[i as u64, j as u64]);
        let d = self.d[j];
        // the two rows share their rear line, or leave a 1-4 m gap between them
        let gap = if r.chance(0.65) {
            0.0
        } else {
            r.uniform(1.0, 4.0f64.min(d - 35.0))
        };
        let lo = 17.0f64.max(d - gap - 26.0);
        let hi = 27.0f64.min(d - gap - 18.0);
        let d1 = r.uniform(lo, hi);
        let (a, b) = (self.p(i, j), self.p(i + 1, j));
        let ra = [a[0], a[1] + MAX_HALF_CURRENT + d1];
        let rb = [b[0], b[1] + MAX_HALF_CURRENT + d1];
        let rdir = unit(sub(rb, ra));
        self.build_row(i, j, false, (ra, rdir), out);
        self.build_row(i, j, true, ([ra[0], ra[1] + gap], rdir), out);
    }

    /// One row of lots in block `(i, j)`: the row fronting street `j` (on its
    /// north side) or, `north_row`, the row fronting street `j + 1` (on its
    /// south side). `rear` is the straight rear line (point, direction).
    fn build_row(&self, i: usize, j: usize, north_row: bool, rear: (P, P), out: &mut Lots) {
        let mut r = Rng::new(
            self.seed,
            Stream::RowLots,
            &[i as u64, j as u64, u64::from(north_row)],
        );
        let (street_pts, cur, _) = self.east(i, if north_row { j + 1 } else { j });
        let half = cur / 2.0;
        let front_full = offset_polyline(&street_pts, if north_row { -half } else { half });
        // cross-street edges, straight within a block row
        let (pl0, pl1) = (self.p(i, j), self.p(i, j + 1));
        let dl = unit(sub(pl1, pl0));
        let ql = add(pl0, scale([dl[1], -dl[0]], self.north_current(i, j) / 2.0));
        let (pr0, pr1) = (self.p(i + 1, j), self.p(i + 1, j + 1));
        let dr = unit(sub(pr1, pr0));
        let qr = add(
            pr0,
            scale([-dr[1], dr[0]], self.north_current(i + 1, j) / 2.0),
        );
        // the front line between the two cross-street edges
        let m = front_full.len();
        let fs = line_x_line(front_full[0], sub(front_full[1], front_full[0]), ql, dl);
        let fe = line_x_line(
            front_full[m - 2],
            sub(front_full[m - 1], front_full[m - 2]),
            qr,
            dr,
        );
        let mut fpts = Vec::with_capacity(m);
        fpts.push(fs);
        fpts.extend_from_slice(&front_full[1..m - 1]);
        fpts.push(fe);
        let front = Polyline::new(fpts);
        let (rp, rd) = rear;
        let rs = line_x_line(ql, dl, rp, rd);
        let re = line_x_line(qr, dr, rp, rd);
        let total = front.length;

        // frontage widths: corner lot 5-10 m, tube houses 4-8 m, rare wide lots
        let mut widths: Vec<f64> = Vec::with_capacity((total / 5.5) as usize + 2);
        let mut wide: Vec<bool> = Vec::with_capacity(widths.capacity());
        let mut s = 0.0;
        while s < total {
            let (w, is_wide) = if widths.is_empty() {
                (r.uniform(5.0, 10.0), false)
            } else if r.chance(0.035) {
                (r.uniform(10.0, 20.0), true)
            } else {
                (r.uniform(4.0, 8.0), false)
            };
            widths.push(w);
            wide.push(is_wide);
            s += w;
        }
        let last = widths.len() - 1;
        widths[last] -= s - total;
        if widths[last] < 5.0 && widths.len() > 1 {
            // the last (corner) lot would be too small: give it to its neighbour
            let rem = widths.pop().unwrap_or_default();
            wide.pop();
            let last = widths.len() - 1;
            widths[last] += rem;
            if widths[last] > 12.0 && !wide[last] {
                widths[last] /= 2.0;
                widths.push(widths[last]);
                wide.push(false);
            }
        }
        let n = widths.len();
        let mut pos = Vec::with_capacity(n + 1);
        pos.push(0.0);
        for w in &widths {
            pos.push(pos[pos.len() - 1] + w);
        }
        pos[n] = total;

        // side lines k = 0..=n from the front point F[k] to the rear point R[k]
        let inward = if north_row { -1.0 } else { 1.0 };
        let mut f = vec![[0.0; 2]; n + 1];
        let mut rr = vec![[0.0; 2]; n + 1];
        let mut kink: Vec<Option<(f64, P)>> = vec![None; n + 1];
        (f[0], rr[0], f[n], rr[n]) = (fs, rs, fe, re);
        let rear_t = |p: P| dot(sub(p, rp), rd);
        let mut prev_t = rear_t(rs);
        for k in 1..n {
            let s_k = pos[k];
            let base = front.at(s_k);
            let u = front.direction(s_k);
            let nrm = [-u[1] * inward, u[0] * inward];
            let mut jit = r.uniform(-0.15, 0.15);
            if front.near_vertex(s_k, 1.0) {
                jit = 0.0; // keep fronts straight next to a bend
            }
            let fk = add(base, scale(nrm, jit));
            let mut alpha = r.uniform(-2.5, 2.5).to_radians();
            let (mut rk, mut t_k) = (fk, prev_t);
            for _ in 0..2 {
                let (sa, ca) = alpha.sin_cos();
                let d = [nrm[0] * ca - nrm[1] * sa, nrm[0] * sa + nrm[1] * ca];
                rk = line_x_line(fk, d, rp, rd);
                t_k = rear_t(rk);
                if t_k - prev_t >= 2.5 {
                    break;
                }
                alpha = 0.0;
            }
            f[k] = fk;
            rr[k] = rk;
            prev_t = t_k;
            if r.chance(0.06) && !wide[k - 1] && !wide[k] {
                let tk = r.uniform(0.35, 0.65);
                let sign = if r.chance(0.5) { -1.0 } else { 1.0 };
                let off = sign * r.uniform(0.2, 0.5);
                let p = lerp(fk, rk, tk);
                let su = unit(sub(rk, fk));
                kink[k] = Some((tk, [p[0] - su[1] * off, p[1] + su[0] * off]));
            }
        }
        let side = Side {
            f: &f,
            r: &rr,
            kink: &kink,
        };
        let front_pts = |s0: f64, s1: f64| -> Vec<P> {
            let mut v = vec![front.at(s0)];
            v.extend(front.inner_vertices(s0, s1, 0.05));
            v.push(front.at(s1));
            v
        };

        // chamfers of the two corner lots
        let cham0 = if r.chance(0.5) {
            r.uniform(1.5, 3.0)
        } else {
            0.0
        };
        let cham1 = if r.chance(0.5) {
            r.uniform(1.5, 3.0)
        } else {
            0.0
        };
        // L-shaped pairs: one lot takes the rear part of its neighbour
        let mut lshape: Vec<Option<(bool, f64)>> = vec![None; n];
        let mut k = 1;
        while k + 2 < n {
            if r.chance(0.045)
                && !wide[k]
                && !wide[k + 1]
                && kink[k].is_none()
                && kink[k + 1].is_none()
                && kink[k + 2].is_none()
            {
                lshape[k] = Some((r.chance(0.5), r.uniform(0.45, 0.75)));
                k += 3;
            } else {
                k += 1;
            }
        }

        let mut rings: Vec<Vec<P>> = vec![Vec::new(); n];
        for k in 0..n {
            if let Some((owner_first, tc)) = lshape[k] {
                let a = k;
                let (c0, c1, c2) = (side.at(a, tc), side.at(a + 1, tc), side.at(a + 2, tc));
                let fa = front_pts(pos[a], pos[a + 1]);
                let fb = front_pts(pos[a + 1], pos[a + 2]);
                let inner = |v: &[P]| v[1..v.len() - 1].to_vec();
                let mut first = vec![f[a]];
                first.extend(inner(&fa));
                let mut second = vec![f[a + 1]];
                second.extend(inner(&fb));
                if owner_first {
                    first.extend([f[a + 1], c1, c2, rr[a + 2], rr[a]]);
                    second.extend([f[a + 2], c2, c1]);
                } else {
                    first.extend([f[a + 1], c1, c0]);
                    second.extend([f[a + 2], rr[a + 2], rr[a], c0, c1]);
                }
                rings[a] = first;
                rings[a + 1] = second;
                continue;
            }
            if !rings[k].is_empty() {
                continue;
            }
            let (mut s0, mut s1) = (pos[k], pos[k + 1]);
            let mut head = None;
            let mut tail = None;
            if k == 0 && cham0 > 0.0 {
                s0 = cham0;
                tail = Some(add(f[0], scale(unit(sub(rr[0], f[0])), cham0)));
            }
            if k == n - 1 && cham1 > 0.0 && n > 1 {
                s1 = total - cham1;
                head = Some(add(f[n], scale(unit(sub(rr[n], f[n])), cham1)));
            }
            let mut ring = front_pts(s0, s1);
            if s0 == pos[k] {
                ring[0] = f[k];
            }
            if s1 == pos[k + 1] {
                let l = ring.len() - 1;
                ring[l] = f[k + 1];
            }
            ring.extend(head);
            ring.extend_from_slice(&side.pts(k + 1, 0.0, 1.0)[1..]);
            let back = side.pts(k, 1.0, 0.0);
            ring.extend_from_slice(&back[..back.len() - 1]);
            ring.extend(tail);
            rings[k] = ring;
        }

        for (k, mut ring) in rings.into_iter().enumerate() {
            dedupe_ring(&mut ring, 1e-6);
            if signed_ring_area(&ring) < 0.0 {
                ring.reverse();
            }
            assert!(
                (4..=7).contains(&ring.len())
                    && ring_is_simple(&ring)
                    && signed_ring_area(&ring) >= 30.0,
                "internal error: bad lot {k} in block ({i}, {j}), north row {north_row}, seed {}: {ring:?}",
                self.seed
            );
            let corner = k == 0 || k == n - 1;
            let in_l = lshape[k].is_some() || (k > 0 && lshape[k - 1].is_some());
            out.pts.extend_from_slice(&ring);
            if out.start.is_empty() {
                out.start.push(0);
            }
            out.start.push(out.pts.len());
            out.meta.push(LotMeta {
                col: i as u32,
                row: j as u32,
                north: north_row,
                left_corner: k == 0,
                right_corner: k == n - 1,
                wide: wide[k],
                kind: if corner {
                    LotKind::Corner
                } else if in_l {
                    LotKind::L
                } else {
                    LotKind::Lot
                },
                frontage: widths[k] as f32,
            });
        }
    }
}

/// The side lines of a row: from front point `f[k]` to rear point `r[k]`,
/// through an optional kink at parameter `t`.
struct Side<'a> {
    f: &'a [P],
    r: &'a [P],
    kink: &'a [Option<(f64, P)>],
}

impl Side<'_> {
    fn at(&self, k: usize, t: f64) -> P {
        let (fk, rk) = (self.f[k], self.r[k]);
        match self.kink[k] {
            None => lerp(fk, rk, t),
            Some((tk, kp)) if t <= tk => lerp(fk, kp, t / tk),
            Some((tk, kp)) => lerp(kp, rk, (t - tk) / (1.0 - tk)),
        }
    }

    /// Vertices of side line `k` from parameter `t0` to `t1` (either order).
    fn pts(&self, k: usize, t0: f64, t1: f64) -> Vec<P> {
        let mut v = vec![self.at(k, t0)];
        if let Some((tk, kp)) = self.kink[k]
            && t0.min(t1) < tk
            && tk < t0.max(t1)
        {
            v.push(kp);
        }
        v.push(self.at(k, t1));
        v
    }
}
