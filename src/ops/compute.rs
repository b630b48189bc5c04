//! The `compute` pipeline: read, validate, project, compute, write.
//!
//! Each phase is a function so the CLI, the benchmark and the tests share
//! them; [`Timings`] records the wall time of each.

use crate::campaign::totals::{GroupTotal, SegmentTotal, group_totals, segment_totals};
use crate::campaign::{CorridorInput, FeatureId, ParcelInput, SegmentInput};
use crate::geometry::corridor;
use crate::geometry::crs::{Crs, CrsError};
use crate::geometry::donation::{Donation, Engine, SegmentGeom};
use crate::geometry::outline;
pub use crate::geometry::project::half_widths;
use crate::geometry::project::{self, Origin, ParcelStore, Projector};
use crate::geometry::validate::{self, Layer, Reason, Report};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

/// Rings (exterior, then holes) in projected metres.
type Polygon = Vec<Vec<[f64; 2]>>;

/// Pairs with less area in the corridor than this are not reported (m²).
pub const MIN_PAIR_AREA_M2: f64 = 1e-4;

#[derive(Debug, thiserror::Error)]
pub enum ComputeError {
    #[error("{0}")]
    Crs(#[from] CrsError),
    #[error(
        "thửa đất {id}: không chiếu được sang hệ tọa độ phẳng / parcel {id}: cannot be projected: {source}"
    )]
    ParcelProjection { id: FeatureId, source: CrsError },
    #[error(
        "đoạn tuyến {id}: không chiếu được sang hệ tọa độ phẳng / segment {id}: cannot be projected: {source}"
    )]
    SegmentProjection { id: FeatureId, source: CrsError },
    #[error(
        "hành lang của đoạn tuyến {0} không khớp đoạn tuyến nào / corridor for segment {0}: no segment has that id"
    )]
    UnknownCorridorSegment(FeatureId),
    #[error("không có dữ liệu / no data: the input has no parcels and no segments")]
    Empty,
}

/// Wall time of each phase, in the order run.
#[derive(Debug, Default, Clone)]
pub struct Timings(pub Vec<(&'static str, Duration)>);

impl Timings {
    /// Runs `f`, recording its wall time under `phase`.
    pub fn time<T>(&mut self, phase: &'static str, f: impl FnOnce() -> T) -> T {
        let t0 = Instant::now();
        let out = f();
        self.0.push((phase, t0.elapsed()));
        out
    }

    /// One `phase seconds s` line per phase.
    pub fn report(&self) -> String {
        self.0
            .iter()
            .map(|(p, d)| format!("{p} {:.3} s\n", d.as_secs_f64()))
            .collect()
    }
}

/// Validates the input as `compute` needs it: a segment whose right-of-way
/// polygon is given needs no width.
pub fn check(
    segments: &[SegmentInput],
    parcels: &[ParcelInput],
    corridors: &[CorridorInput],
) -> Report {
    let mut report = validate::validate(segments, parcels, corridors);
    if !corridors.is_empty() {
        let given: HashSet<&FeatureId> = corridors.iter().map(|c| &c.segment_id).collect();
        report.errors.retain(|e| {
            !(e.layer == Layer::Segment
                && e.reason == Reason::NoUsableWidth
                && given.contains(&e.id))
        });
    }
    report
}

/// Everything the engine needs, projected.
pub struct Projected {
    pub origin: Origin,
    pub segments: Vec<SegmentGeom>,
    pub parcels: ParcelStore,
}

/// Projects segments (with their given corridors) and parcels into `crs`.
pub fn project(
    crs: &Crs,
    segments: &[SegmentInput],
    parcels: &[ParcelInput],
    corridors: &[CorridorInput],
) -> Result<Projected, ComputeError> {
    let bbox = project::lonlat_bbox(segments, parcels).ok_or(ComputeError::Empty)?;
    let proj = Projector::new(crs, bbox)?;
    let origin = proj.origin;
    let index: HashMap<&FeatureId, usize> = segments
        .iter()
        .enumerate()
        .map(|(i, s)| (&s.id, i))
        .collect();
    let mut given: Vec<Option<Vec<Polygon>>> = vec![None; segments.len()];
    for c in corridors {
        let i = *index
            .get(&c.segment_id)
            .ok_or_else(|| ComputeError::UnknownCorridorSegment(c.segment_id.clone()))?;
        let polys = project::polygons(&proj, &c.polygons).map_err(|source| {
            ComputeError::SegmentProjection {
                id: c.segment_id.clone(),
                source,
            }
        })?;
        given[i].get_or_insert_with(Vec::new).extend(polys);
    }
    let segs = segments
        .par_iter()
        .zip(given)
        .map(|(s, given)| {
            let centerline = project::centerline(&proj, s).map_err(|source| {
                ComputeError::SegmentProjection {
                    id: s.id.clone(),
                    source,
                }
            })?;
            let (left_m, right_m) = half_widths(s);
            Ok(SegmentGeom {
                centerline,
                left_m,
                right_m,
                given,
            })
        })
        .collect::<Result<Vec<_>, ComputeError>>()?;
    let shapes = ParcelStore::build(&proj, parcels).map_err(|(i, source)| {
        ComputeError::ParcelProjection {
            id: parcels[i].id.clone(),
            source,
        }
    })?;
    Ok(Projected {
        origin,
        segments: segs,
        parcels: shapes,
    })
}

/// Each segment's corridor as a lon/lat outline for the map: the union of
/// its pieces (or its given right-of-way polygons), unprojected from `crs`.
pub fn corridor_outlines(
    crs: &Crs,
    segments: &[SegmentInput],
    corridors: &[CorridorInput],
) -> Result<Vec<Vec<outline::Rings>>, ComputeError> {
    if segments.is_empty() {
        return Ok(Vec::new());
    }
    let projected = project(crs, segments, &[], corridors)?;
    let origin = projected.origin;
    projected
        .segments
        .par_iter()
        .zip(segments)
        .map(|(g, s)| {
            let mut polys = corridor_outline(g);
            for ring in polys.iter_mut().flatten() {
                for p in ring.iter_mut() {
                    *p = origin.to_world(*p);
                }
                crs.unproject_in_place(ring)
                    .map_err(|source| ComputeError::SegmentProjection {
                        id: s.id.clone(),
                        source,
                    })?;
            }
            Ok(polys)
        })
        .collect()
}

/// A segment's corridor as one outline, in the projection's local
/// coordinates: the union of its pieces, or of its given polygons.
pub fn corridor_outline(g: &SegmentGeom) -> Vec<outline::Rings> {
    match &g.given {
        Some(given) => outline::union(given.iter().map(Vec::as_slice), 0.0),
        None => {
            let pieces = corridor::offset_pieces(0, &g.centerline, g.left_m, g.right_m);
            outline::union(pieces.iter().map(|p| std::slice::from_ref(&p.ring)), 0.0)
        }
    }
}

/// Ranks of ids: `ranks[i]` is the position of `ids[i]` in sorted order.
pub fn ranks(ids: &[&FeatureId]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..ids.len() as u32).collect();
    order.par_sort_by(|&a, &b| ids[a as usize].cmp(ids[b as usize]));
    let mut r = vec![0u32; ids.len()];
    for (pos, &i) in order.iter().enumerate() {
        r[i as usize] = pos as u32;
    }
    r
}

/// The pairs, and what the totals need from the engine.
pub struct Measured {
    /// Pairs above [`MIN_PAIR_AREA_M2`], sorted by parcel id then segment id.
    pub pairs: Vec<Donation>,
    pub lengths: Vec<f64>,
    pub corridor_areas: Vec<f64>,
}

/// Corridors, candidate search, clipping and measuring: the phase the peers
/// call "compute".
pub fn measure(
    projected: Projected,
    segments: &[SegmentInput],
    parcels: &[ParcelInput],
) -> Measured {
    let seg_ids: Vec<&FeatureId> = segments.iter().map(|s| &s.id).collect();
    let lengths: Vec<f64> = projected
        .segments
        .iter()
        .map(|s| s.centerline.length())
        .collect();
    let engine = Engine::new(projected.segments, ranks(&seg_ids));
    let mut pairs = engine.measure_all(&projected.parcels);
    pairs.retain(|d| d.area_in_corridor_m2 > MIN_PAIR_AREA_M2);
    let sorted = parcels.par_windows(2).all(|w| w[0].id <= w[1].id);
    if !sorted {
        let parcel_ids: Vec<&FeatureId> = parcels.iter().map(|p| &p.id).collect();
        let pr = ranks(&parcel_ids);
        let sr = ranks(&seg_ids);
        pairs.par_sort_by_key(|d| (pr[d.parcel as usize], sr[d.segment as usize]));
    }
    Measured {
        pairs,
        lengths,
        corridor_areas: engine.corridor_areas(),
    }
}

/// The results of a computation.
pub struct Computed {
    /// Pairs above [`MIN_PAIR_AREA_M2`], sorted by parcel id then segment id.
    pub pairs: Vec<Donation>,
    pub segment_totals: Vec<SegmentTotal>,
    pub group_totals: BTreeMap<String, GroupTotal>,
}

/// Totals per segment and per residential group.
pub fn totals(m: Measured, parcels: &[ParcelInput]) -> Computed {
    let groups: Vec<Option<&str>> = parcels
        .iter()
        .map(|p| p.residential_group.as_deref())
        .collect();
    Computed {
        segment_totals: segment_totals(&m.pairs, &m.lengths, &m.corridor_areas),
        group_totals: group_totals(&m.pairs, &groups),
        pairs: m.pairs,
    }
}

/// [`measure`], then [`totals`].
pub fn compute(
    projected: Projected,
    segments: &[SegmentInput],
    parcels: &[ParcelInput],
) -> Computed {
    totals(measure(projected, segments, parcels), parcels)
}
