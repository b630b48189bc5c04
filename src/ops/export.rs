//! What surveyors take away: the store's segments and parcels as layers
//! ([`crate::formats::layer`]) in VN-2000 (or WGS84), written by the format
//! modules.
//!
//! Layers:
//! - `parcels`: every parcel with its measures and current status (as the
//!   request's [`Audience`] may read it);
//! - `strips`: each donated strip (parcel ∩ corridor), per parcel and segment;
//! - `corridors`: each segment's corridor outline with its progress;
//! - `centerlines`: each segment's centerline with its widths and progress;
//! - `edges`: the new right-of-way edges, left and right of each centerline
//!   (a given right-of-way polygon's boundary instead, where there is one);
//! - `stakes`: staking points along the edges, at every vertex and every
//!   `interval_m`, numbered per segment and side (T = trái/left, P =
//!   phải/right, B = boundary), with X (northing) and Y (easting).
//!
//! Every measure is taken in the measuring CRS (the one the donations were
//! computed in), whatever CRS the coordinates are written in. Field names
//! are at most 10 characters so that a shapefile keeps them.

use crate::campaign::events::{Audience, Status};
use crate::campaign::figures::round;
use crate::campaign::{FeatureId, ParcelInput};
use crate::formats::layer::{
    Feature, Field, FieldKind, FormatError, GeomKind, Geometry, Layer, Pt, Value,
};
use crate::geometry::area::polygon_area;
use crate::geometry::crs::{Crs, CrsError, DEFAULT_CRS};
use crate::geometry::outline::{self, Rings};
use crate::geometry::stakes::{self, Side};
use crate::ops::compute;
use crate::store::{ParcelFilter, Store, StoreError};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// The layers one can export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LayerKind {
    Parcels,
    Strips,
    Corridors,
    Centerlines,
    Edges,
    Stakes,
}

impl LayerKind {
    pub const ALL: [LayerKind; 6] = [
        LayerKind::Parcels,
        LayerKind::Strips,
        LayerKind::Corridors,
        LayerKind::Centerlines,
        LayerKind::Edges,
        LayerKind::Stakes,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LayerKind::Parcels => "parcels",
            LayerKind::Strips => "strips",
            LayerKind::Corridors => "corridors",
            LayerKind::Centerlines => "centerlines",
            LayerKind::Edges => "edges",
            LayerKind::Stakes => "stakes",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            LayerKind::Parcels => "Thửa đất / Parcels",
            LayerKind::Strips => "Phần đất hiến / Donated strips",
            LayerKind::Corridors => "Hành lang mở rộng / Corridors",
            LayerKind::Centerlines => "Tim đường / Centerlines",
            LayerKind::Edges => "Chỉ giới mới / New right-of-way edges",
            LayerKind::Stakes => "Cọc mốc / Staking points",
        }
    }

    /// The fields whose values name a feature in a coordinate table.
    pub fn key_fields(self) -> &'static [&'static str] {
        match self {
            LayerKind::Parcels => &["id", "map_sheet", "parcel_no"],
            LayerKind::Strips => &["parcel_id", "segment_id", "map_sheet", "parcel_no"],
            LayerKind::Corridors | LayerKind::Centerlines => &["id", "name"],
            LayerKind::Edges => &["segment_id", "side"],
            LayerKind::Stakes => &["segment_id", "side", "no", "code", "chainage"],
        }
    }

    pub fn parse(s: &str) -> Option<LayerKind> {
        LayerKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

/// The CRS coordinates are written in.
#[allow(clippy::large_enum_variant)] // one per request, never in a collection
pub enum Target {
    Projected(Crs),
    Wgs84,
}

impl Target {
    /// `EPSG:4326` (or `WGS84`) for longitude/latitude, else a projected CRS
    /// as [`Crs::parse`] takes it.
    pub fn parse(name: &str) -> Result<Target, CrsError> {
        Ok(match crate::formats::srs::SourceCrs::parse(name)? {
            crate::formats::srs::SourceCrs::Wgs84 => Target::Wgs84,
            // written coordinates are metres: a CRS in feet would be
            // labelled feet and hold metres (its WKT is not written either)
            crate::formats::srs::SourceCrs::Projected(c) if c.to_meter() != 1.0 => {
                return Err(CrsError::NotMetres(name.to_string(), c.to_meter()));
            }
            crate::formats::srs::SourceCrs::Projected(c) => Target::Projected(c),
            crate::formats::srs::SourceCrs::Geographic(_) => {
                return Err(CrsError::NotProjected(name.to_string()));
            }
        })
    }
}

/// What to export.
pub struct Request {
    pub layers: Vec<LayerKind>,
    /// Only this segment (its id) and the parcels donating to it.
    pub segment: Option<String>,
    /// Only this residential group's parcels and the segments through it.
    pub group: Option<String>,
    /// The output CRS; `None`: the measuring CRS.
    pub target: Option<Target>,
    /// Owners' names (personal data) on parcels.
    pub personal: bool,
    /// Whom the statuses are written for: the public reads declined and
    /// being persuaded as `not_yet` ([`Audience`]).
    pub audience: Audience,
    /// Metres between staking points (besides the vertices).
    pub interval_m: f64,
    /// How much work and output one export may make.
    pub limits: Limits,
}

/// The default distance between staking points.
pub const DEFAULT_INTERVAL_M: f64 = 10.0;

/// The shortest distance between staking points: below a decimetre a stake
/// sets out nothing a surveyor can use. Not lifted by [`Limits::NONE`].
pub const MIN_INTERVAL_M: f64 = 0.1;

/// Bounds on one export, checked before the work ([`build`]) and while
/// writing ([`write_file`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Staking points in the `stakes` layer.
    pub max_stakes: u64,
    /// Features in all the layers together.
    pub max_features: u64,
    /// Bytes of the written file.
    pub max_bytes: u64,
}

impl Limits {
    /// The service's and the CLI's bounds. A whole 100,000-parcel demo ward
    /// with all six layers (stakes every 10 m) stays below them: 299,368
    /// features, 87,934 stakes, 418 MiB as KML (the largest format), 181
    /// MiB as DXF, 74 MiB as GeoPackage.
    pub const DEFAULT: Limits = Limits {
        max_stakes: 200_000,
        max_features: 1_000_000,
        max_bytes: 512 << 20,
    };
    /// No bound but the staking interval's (`hiendat export --no-limits`).
    pub const NONE: Limits = Limits {
        max_stakes: u64::MAX,
        max_features: u64::MAX,
        max_bytes: u64::MAX,
    };
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::DEFAULT
    }
}

/// `n` with thousands separated: `1.234.567` (Vietnamese) and `1,234,567`
/// (English).
fn thousands(n: u64, sep: char) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// Both spellings of a count: `1.234.567`, `1,234,567`.
fn vi_en(n: u64) -> (String, String) {
    (thousands(n, '.'), thousands(n, ','))
}

/// An estimate (a float: it may be huge) as a count.
fn as_count(x: f64) -> u64 {
    if x.is_finite() && x < u64::MAX as f64 {
        x.max(0.0) as u64
    } else {
        u64::MAX
    }
}

/// A size in whole MiB (what people call MB).
fn mib(bytes: u64) -> u64 {
    bytes >> 20
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Compute(#[from] compute::ComputeError),
    #[error("{0}")]
    Crs(#[from] CrsError),
    #[error("{0}")]
    Srs(#[from] crate::formats::srs::SrsError),
    #[error("không có đoạn tuyến nào có mã {0:?} / no segment with id {0:?}")]
    UnknownSegment(String),
    #[error("không có tổ dân phố nào tên {0:?} / no residential group named {0:?}")]
    UnknownGroup(String),
    #[error(
        "không có gì để xuất / nothing to export: the selection holds no segment and no parcel"
    )]
    Empty,
    #[error(
        "interval: khoảng cách cọc phải từ 0,1 m / interval must be at least 0.1 m (a finite number of metres), got {0}"
    )]
    Interval(f64),
    #[error(
        "interval: quá nhiều cọc: {} > {}; hãy tăng khoảng cách cọc (interval) hoặc xuất từng đoạn tuyến / too many stakes: {} > {}: raise interval or export one segment at a time",
        vi_en(*.0).0, vi_en(*.1).0, vi_en(*.0).1, vi_en(*.1).1
    )]
    TooManyStakes(u64, u64),
    #[error(
        "layers: quá nhiều đối tượng: {} > {}; hãy xuất ít lớp hơn, từng đoạn tuyến (segment) hoặc từng tổ (group) / too many features: {} > {}: export fewer layers, one segment or one group",
        vi_en(*.0).0, vi_en(*.1).0, vi_en(*.0).1, vi_en(*.1).1
    )]
    TooManyFeatures(u64, u64),
    #[error(
        "tệp xuất vượt quá {} MB, đã dừng ghi; hãy xuất ít lớp hơn, từng đoạn tuyến hoặc từng tổ / the export exceeds the {} MB size limit, writing stopped: export fewer layers, one segment or one group",
        mib(*.0), mib(*.0)
    )]
    TooLarge(u64),
    #[error("{0}")]
    Format(#[from] FormatError),
}

/// Layer names (`parcels,strips`) as layers, each once, in the order first
/// named: `parcels,parcels` is one layer.
pub fn parse_layers<'a>(
    names: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<LayerKind>, String> {
    let mut out = Vec::new();
    for l in names.into_iter().filter(|s| !s.trim().is_empty()) {
        let kind = LayerKind::parse(l).ok_or_else(|| {
            format!(
                "không có lớp {l:?} / no layer {l:?} (parcels, strips, corridors, centerlines, edges, stakes)"
            )
        })?;
        if !out.contains(&kind) {
            out.push(kind);
        }
    }
    Ok(out)
}

/// The staking interval, checked: finite and at least [`MIN_INTERVAL_M`].
pub fn check_interval(interval_m: f64) -> Result<f64, ExportError> {
    if interval_m.is_finite() && interval_m >= MIN_INTERVAL_M {
        Ok(interval_m)
    } else {
        Err(ExportError::Interval(interval_m))
    }
}

/// Builds the requested layers, in the order asked.
pub fn build(store: &Store, req: &Request) -> Result<Vec<Layer>, ExportError> {
    check_interval(req.interval_m)?;
    // Each layer once, whatever the caller passed.
    let mut kinds: Vec<LayerKind> = Vec::new();
    for k in &req.layers {
        if !kinds.contains(k) {
            kinds.push(*k);
        }
    }
    let crs = Crs::parse(&store.ward_crs()?.unwrap_or_else(|| DEFAULT_CRS.into()))?;
    let (keys, segments, corridors) = store.segment_inputs()?;
    // Which segments.
    let chosen: Vec<usize> = if let Some(id) = &req.segment {
        let i = segments
            .iter()
            .position(|s| s.id.as_str() == id)
            .ok_or_else(|| ExportError::UnknownSegment(id.clone()))?;
        vec![i]
    } else if let Some(g) = &req.group {
        if !store.group_names()?.iter().any(|n| n == g) {
            return Err(ExportError::UnknownGroup(g.clone()));
        }
        let groups = store.segment_groups()?;
        (0..keys.len())
            .filter(|&i| groups.get(&keys[i]).is_some_and(|n| n.contains(g)))
            .collect()
    } else {
        (0..keys.len()).collect()
    };
    let seg_keys: Vec<i64> = chosen.iter().map(|&i| keys[i]).collect();
    let segs: Vec<_> = chosen.iter().map(|&i| segments[i].clone()).collect();
    let chosen_ids: HashSet<&FeatureId> = segs.iter().map(|s| &s.id).collect();
    let corrs: Vec<_> = corridors
        .into_iter()
        .filter(|c| chosen_ids.contains(&c.segment_id))
        .collect();

    let rows = store.parcels(&ParcelFilter {
        bbox: None,
        segment: req.segment.clone(),
        group: req.group.clone(),
    })?;
    if rows.is_empty() && segs.is_empty() {
        return Err(ExportError::Empty);
    }
    let parcel_keys: Vec<i64> = rows.iter().map(|p| p.key).collect();
    let seg_index: HashMap<i64, usize> =
        seg_keys.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let donations: Vec<_> = store
        .donations_of(&parcel_keys)?
        .into_iter()
        .filter(|d| seg_index.contains_key(&d.segment))
        .collect();
    // Statuses and progress from the read model: the same figures as the
    // page, the API and the reports.
    let ward = store.ward_now()?;
    let today = crate::campaign::clock::today();
    let status = |key: i64| {
        ward.parcel(key)
            .map_or(Status::NotContacted, |p| p.status_on(today))
    };
    let inputs: Vec<ParcelInput> = rows
        .iter()
        .map(|p| ParcelInput {
            id: p.id.clone(),
            map_sheet: p.map_sheet.clone(),
            parcel_no: p.parcel_no.clone(),
            owner: None,
            residential_group: p.residential_group.clone(),
            land_use: p.land_use.clone(),
            polygons: p.polygons.clone(),
        })
        .collect();
    let projected = compute::project(&crs, &segs, &inputs, &corrs)?;
    let origin = projected.origin;
    let wants = |k: LayerKind| kinds.contains(&k);
    let outlines: Vec<Vec<Rings>> =
        if wants(LayerKind::Corridors) || wants(LayerKind::Strips) || !corrs.is_empty() {
            projected
                .segments
                .par_iter()
                .map(compute::corridor_outline)
                .collect()
        } else {
            vec![Vec::new(); segs.len()]
        };
    let given: HashSet<&FeatureId> = corrs.iter().map(|c| &c.segment_id).collect();

    // Local (projected, origin-relative) to output coordinates.
    let out_srs = match &req.target {
        None => crate::formats::srs::for_crs(&crs)?,
        Some(Target::Wgs84) => crate::formats::srs::wgs84(),
        Some(Target::Projected(t)) => crate::formats::srs::for_crs(t)?,
    };
    let place = |pts: &mut [Pt]| -> Result<(), CrsError> {
        for p in pts.iter_mut() {
            *p = origin.to_world(*p);
        }
        match &req.target {
            None => Ok(()),
            Some(Target::Wgs84) => crs.unproject_in_place(pts),
            Some(Target::Projected(t)) if t.proj_string() == crs.proj_string() => Ok(()),
            Some(Target::Projected(t)) => {
                crs.unproject_in_place(pts)?;
                t.project_in_place(pts)
            }
        }
    };
    // Stored lon/lat to output coordinates (exact, no local grid).
    let place_lonlat = |pts: &mut [Pt]| -> Result<(), CrsError> {
        match &req.target {
            None => crs.project_in_place(pts),
            Some(Target::Wgs84) => Ok(()),
            Some(Target::Projected(t)) => t.project_in_place(pts),
        }
    };

    // Per-segment tallies, for progress.
    let tallies: HashMap<i64, crate::campaign::figures::Tally> = ward
        .segments
        .iter()
        .zip(ward.segment_tallies(today))
        .map(|(seg, t)| (seg.key, t))
        .collect();
    let progress = |key: i64| -> (f64, bool, usize) {
        tallies.get(&key).map_or((0.0, false, 0), |t| {
            (t.progress_pct(), t.complete(), t.affected)
        })
    };

    // The edges, made once: counted for the bounds, then written.
    let edges: Vec<Vec<Edge>> = if wants(LayerKind::Edges) || wants(LayerKind::Stakes) {
        segs.iter()
            .enumerate()
            .map(|(si, s)| {
                segment_edges(
                    &projected.segments[si],
                    &outlines[si],
                    given.contains(&s.id),
                )
            })
            .collect()
    } else {
        vec![Vec::new(); segs.len()]
    };
    // The bounds, before the work: stakes (vertices plus length / interval)
    // and features in all layers.
    let mut features = 0.0_f64;
    for kind in &kinds {
        features += match kind {
            LayerKind::Parcels => rows.len() as f64,
            LayerKind::Strips => donations.len() as f64,
            LayerKind::Corridors | LayerKind::Centerlines => segs.len() as f64,
            LayerKind::Edges => edges.iter().map(Vec::len).sum::<usize>() as f64,
            LayerKind::Stakes => {
                let n: f64 = edges
                    .iter()
                    .flatten()
                    .map(|e| stakes::count(&e.line, req.interval_m))
                    .sum();
                if as_count(n) > req.limits.max_stakes {
                    return Err(ExportError::TooManyStakes(
                        as_count(n),
                        req.limits.max_stakes,
                    ));
                }
                n
            }
        };
    }
    if as_count(features) > req.limits.max_features {
        return Err(ExportError::TooManyFeatures(
            as_count(features),
            req.limits.max_features,
        ));
    }

    let mut layers = Vec::new();
    for kind in &kinds {
        let mut layer = match kind {
            LayerKind::Parcels => {
                let mut by_parcel: HashMap<i64, Vec<&crate::store::DonationRow>> = HashMap::new();
                for d in &donations {
                    by_parcel.entry(d.parcel).or_default().push(d);
                }
                let mut fields = vec![
                    Field::new("id", FieldKind::Text),
                    Field::new("map_sheet", FieldKind::Text),
                    Field::new("parcel_no", FieldKind::Text),
                ];
                if req.personal {
                    fields.push(Field::new("owner", FieldKind::Text));
                }
                fields.extend([
                    Field::new("res_group", FieldKind::Text),
                    Field::new("land_use", FieldKind::Text),
                    Field::new("area_m2", FieldKind::Real),
                    Field::new("donate_m2", FieldKind::Real),
                    Field::new("frontage_m", FieldKind::Real),
                    Field::new("depth_m", FieldKind::Real),
                    Field::new("depth_max", FieldKind::Real),
                    Field::new("segments", FieldKind::Text),
                    Field::new("status", FieldKind::Text),
                    Field::new("status_vi", FieldKind::Text),
                ]);
                let mut l = Layer::new(kind.as_str(), kind.title(), GeomKind::Polygon, fields);
                for (i, p) in rows.iter().enumerate() {
                    let ds = by_parcel.get(&p.key).map_or(&[][..], Vec::as_slice);
                    let donated: f64 = ds.iter().map(|d| d.attributed_area_m2).sum();
                    let front: f64 = ds.iter().map(|d| d.frontage_m).sum();
                    let depth_max = ds.iter().map(|d| d.depth_max_m).fold(0.0, f64::max);
                    let seg_ids: Vec<&str> = ds
                        .iter()
                        .map(|d| segs[seg_index[&d.segment]].id.as_str())
                        .collect();
                    let s = status(p.key);
                    let mut polygons = p.polygons.clone();
                    for r in polygons.iter_mut().flatten() {
                        place_lonlat(r).map_err(ExportError::Crs)?;
                    }
                    let mut values = vec![id_value(&p.id), text(&p.map_sheet), text(&p.parcel_no)];
                    if req.personal {
                        values.push(text(&p.owner));
                    }
                    values.extend([
                        text(&p.residential_group),
                        text(&p.land_use),
                        Value::Real(round(projected.parcels.get(i).area(), 4)),
                        Value::Real(round(donated, 4)),
                        Value::Real(round(front, 3)),
                        Value::Real(if front > 0.0 {
                            round(donated / front, 3)
                        } else {
                            0.0
                        }),
                        Value::Real(round(depth_max, 3)),
                        Value::Text(seg_ids.join(",")),
                        Value::Text(req.audience.code(s).into()),
                        Value::Text(req.audience.label_vi(s).into()),
                    ]);
                    l.features.push(Feature {
                        geometry: Geometry::Polygons(polygons),
                        values,
                    });
                }
                l.class_field = l.field("status");
                l.label_field = l.field("parcel_no");
                l
            }
            LayerKind::Strips => {
                let index: HashMap<i64, usize> =
                    rows.iter().enumerate().map(|(i, p)| (p.key, i)).collect();
                // The parcels in local coordinates, exactly (not through the
                // engine's interpolation grid), polygon by polygon.
                let local: Vec<Vec<Rings>> = rows
                    .par_iter()
                    .map(|p| {
                        let mut polys = p.polygons.clone();
                        for r in polys.iter_mut().flatten() {
                            crs.project_in_place(r)?;
                            for q in r.iter_mut() {
                                *q = [q[0] - origin.0[0], q[1] - origin.0[1]];
                            }
                        }
                        Ok(polys)
                    })
                    .collect::<Result<_, CrsError>>()?;
                let made: Vec<Option<(Vec<Rings>, usize, usize)>> = donations
                    .par_iter()
                    .map(|d| {
                        let pi = *index.get(&d.parcel)?;
                        let si = seg_index[&d.segment];
                        let strip = outline::intersection(&local[pi], &outlines[si]);
                        (!strip.is_empty()).then_some((strip, pi, si))
                    })
                    .collect();
                let mut l = Layer::new(
                    kind.as_str(),
                    kind.title(),
                    GeomKind::Polygon,
                    vec![
                        Field::new("parcel_id", FieldKind::Text),
                        Field::new("segment_id", FieldKind::Text),
                        Field::new("map_sheet", FieldKind::Text),
                        Field::new("parcel_no", FieldKind::Text),
                        Field::new("area_m2", FieldKind::Real),
                        Field::new("corr_m2", FieldKind::Real),
                        Field::new("attrib_m2", FieldKind::Real),
                        Field::new("frontage_m", FieldKind::Real),
                        Field::new("depth_m", FieldKind::Real),
                        Field::new("depth_max", FieldKind::Real),
                        Field::new("status", FieldKind::Text),
                    ],
                );
                for (d, m) in donations.iter().zip(made) {
                    let Some((mut strip, pi, si)) = m else {
                        continue;
                    };
                    let area = rings_area(&strip);
                    for r in strip.iter_mut().flatten() {
                        place(r)?;
                    }
                    let p = &rows[pi];
                    l.features.push(Feature {
                        geometry: Geometry::Polygons(strip),
                        values: vec![
                            id_value(&p.id),
                            id_value(&segs[si].id),
                            text(&p.map_sheet),
                            text(&p.parcel_no),
                            Value::Real(round(area, 4)),
                            Value::Real(round(d.area_in_corridor_m2, 4)),
                            Value::Real(round(d.attributed_area_m2, 4)),
                            Value::Real(round(d.frontage_m, 3)),
                            Value::Real(round(d.depth_mean_m, 3)),
                            Value::Real(round(d.depth_max_m, 3)),
                            Value::Text(req.audience.code(status(p.key)).into()),
                        ],
                    });
                }
                l.class_field = l.field("status");
                l.label_field = l.field("parcel_no");
                l
            }
            LayerKind::Corridors | LayerKind::Centerlines => {
                let lines = *kind == LayerKind::Centerlines;
                let mut fields = vec![
                    Field::new("id", FieldKind::Text),
                    Field::new("name", FieldKind::Text),
                ];
                if lines {
                    fields.extend([
                        Field::new("cur_w_m", FieldKind::Real),
                        Field::new("plan_w_m", FieldKind::Real),
                        Field::new("plan_l_m", FieldKind::Real),
                        Field::new("plan_r_m", FieldKind::Real),
                        Field::new("length_m", FieldKind::Real),
                    ]);
                } else {
                    fields.extend([
                        Field::new("left_m", FieldKind::Real),
                        Field::new("right_m", FieldKind::Real),
                        Field::new("area_m2", FieldKind::Real),
                    ]);
                }
                fields.extend([
                    Field::new("parcels", FieldKind::Integer),
                    Field::new("progress", FieldKind::Real),
                    Field::new("complete", FieldKind::Integer),
                ]);
                let geom = if lines {
                    GeomKind::Line
                } else {
                    GeomKind::Polygon
                };
                let mut l = Layer::new(kind.as_str(), kind.title(), geom, fields);
                for (si, s) in segs.iter().enumerate() {
                    let g = &projected.segments[si];
                    let (pct, complete, n) = progress(seg_keys[si]);
                    let mut values = vec![id_value(&s.id), Value::Text(s.name.clone())];
                    let geometry = if lines {
                        let length: f64 = g
                            .centerline
                            .parts
                            .iter()
                            .map(|p| p.windows(2).map(|w| dist(w[0], w[1])).sum::<f64>())
                            .sum();
                        values.extend([
                            real(s.current_width_m),
                            real(s.planned_width_m),
                            real(s.planned_left_m),
                            real(s.planned_right_m),
                            Value::Real(round(length, 3)),
                        ]);
                        let mut ls = s.lines.clone();
                        for line in &mut ls {
                            place_lonlat(line)?;
                        }
                        Geometry::Lines(ls)
                    } else {
                        let mut o = outlines[si].clone();
                        let area = rings_area(&o);
                        for r in o.iter_mut().flatten() {
                            place(r)?;
                        }
                        let given_polygon = given.contains(&s.id);
                        values.extend([
                            if given_polygon {
                                Value::Null
                            } else {
                                Value::Real(g.left_m)
                            },
                            if given_polygon {
                                Value::Null
                            } else {
                                Value::Real(g.right_m)
                            },
                            Value::Real(round(area, 4)),
                        ]);
                        Geometry::Polygons(o)
                    };
                    values.extend([
                        Value::Integer(n as i64),
                        Value::Real(pct),
                        Value::Integer(complete as i64),
                    ]);
                    l.features.push(Feature { geometry, values });
                }
                l.label_field = l.field("name");
                l
            }
            LayerKind::Edges | LayerKind::Stakes => {
                let stakes_layer = *kind == LayerKind::Stakes;
                let fields = if stakes_layer {
                    vec![
                        Field::new("segment_id", FieldKind::Text),
                        Field::new("side", FieldKind::Text),
                        Field::new("no", FieldKind::Integer),
                        Field::new("code", FieldKind::Text),
                        Field::new("x_north", FieldKind::Real),
                        Field::new("y_east", FieldKind::Real),
                        Field::new("chainage", FieldKind::Real),
                        Field::new("vertex", FieldKind::Integer),
                    ]
                } else {
                    vec![
                        Field::new("segment_id", FieldKind::Text),
                        Field::new("name", FieldKind::Text),
                        Field::new("side", FieldKind::Text),
                        Field::new("side_vi", FieldKind::Text),
                        Field::new("offset_m", FieldKind::Real),
                        Field::new("length_m", FieldKind::Real),
                    ]
                };
                let geom = if stakes_layer {
                    GeomKind::Point
                } else {
                    GeomKind::Line
                };
                let mut l = Layer::new(kind.as_str(), kind.title(), geom, fields);
                for (si, s) in segs.iter().enumerate() {
                    for edge in &edges[si] {
                        let length: f64 = edge.line.windows(2).map(|w| dist(w[0], w[1])).sum();
                        if stakes_layer {
                            for (n, st) in stakes::stakes(&edge.line, req.interval_m)
                                .iter()
                                .enumerate()
                            {
                                // X, Y in the measuring CRS whatever the output.
                                let [y_east, x_north] = origin.to_world(st.at);
                                let mut pt = [st.at];
                                place(&mut pt)?;
                                l.features.push(Feature {
                                    geometry: Geometry::Point(pt[0]),
                                    values: vec![
                                        id_value(&s.id),
                                        Value::Text(edge.side_code.into()),
                                        Value::Integer(n as i64 + 1),
                                        Value::Text(format!("{}{}", edge.side_code, n + 1)),
                                        Value::Real(round(x_north, 3)),
                                        Value::Real(round(y_east, 3)),
                                        Value::Real(round(st.chainage_m, 3)),
                                        Value::Integer(st.vertex as i64),
                                    ],
                                });
                            }
                        } else {
                            let mut line = edge.line.clone();
                            place(&mut line)?;
                            l.features.push(Feature {
                                geometry: Geometry::Lines(vec![line]),
                                values: vec![
                                    id_value(&s.id),
                                    Value::Text(s.name.clone()),
                                    Value::Text(edge.side_code.into()),
                                    Value::Text(edge.side_vi.into()),
                                    edge.offset.map_or(Value::Null, Value::Real),
                                    Value::Real(round(length, 3)),
                                ],
                            });
                        }
                    }
                }
                l.label_field = l.field(if stakes_layer { "code" } else { "name" });
                l
            }
        };
        layer.srs = Some(out_srs.clone());
        layers.push(layer);
    }
    Ok(layers)
}

/// One edge of a segment's corridor, in local coordinates.
#[derive(Clone)]
struct Edge {
    line: Vec<Pt>,
    side_code: &'static str,
    side_vi: &'static str,
    offset: Option<f64>,
}

/// The left and right edges of each centerline part; for a given
/// right-of-way polygon, its outline's rings (side B, biên).
fn segment_edges(
    g: &crate::geometry::donation::SegmentGeom,
    outline: &[Rings],
    given: bool,
) -> Vec<Edge> {
    if given {
        return outline
            .iter()
            .flatten()
            .map(|r| Edge {
                line: r.clone(),
                side_code: "B",
                side_vi: "biên",
                offset: None,
            })
            .collect();
    }
    let mut out = Vec::new();
    for (side, d) in [(Side::Left, g.left_m), (Side::Right, g.right_m)] {
        for part in &g.centerline.parts {
            let line = stakes::offset(part, d, side);
            if line.len() >= 2 {
                out.push(Edge {
                    line,
                    side_code: side.letter(),
                    side_vi: side.vi(),
                    offset: Some(d),
                });
            }
        }
    }
    out
}

fn rings_area(polys: &[Rings]) -> f64 {
    polys.iter().map(|p| polygon_area(p)).sum()
}

fn dist(a: Pt, b: Pt) -> f64 {
    (b[0] - a[0]).hypot(b[1] - a[1])
}

fn text(s: &Option<String>) -> Value {
    s.as_ref().map_or(Value::Null, |s| Value::Text(s.clone()))
}

fn real(x: Option<f64>) -> Value {
    x.map_or(Value::Null, Value::Real)
}

fn id_value(id: &FeatureId) -> Value {
    Value::Text(id.as_str().to_string())
}

/// The file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Gpkg,
    Shp,
    Dxf,
    Kml,
    Geojson,
    Csv,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Gpkg,
        Format::Shp,
        Format::Dxf,
        Format::Kml,
        Format::Geojson,
        Format::Csv,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Gpkg => "gpkg",
            Format::Shp => "shp",
            Format::Dxf => "dxf",
            Format::Kml => "kml",
            Format::Geojson => "geojson",
            Format::Csv => "csv",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == s.trim())
    }

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Shp => "zip",
            f => f.as_str(),
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::Gpkg => "application/geopackage+sqlite3",
            Format::Shp => "application/zip",
            Format::Dxf => "image/vnd.dxf",
            Format::Kml => "application/vnd.google-earth.kml+xml",
            Format::Geojson => "application/geo+json",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }

    /// Holds several layers in one file.
    pub fn many_layers(self) -> bool {
        matches!(self, Format::Gpkg | Format::Dxf | Format::Kml)
    }

    /// Longitude/latitude only (KML, RFC 7946 GeoJSON).
    pub fn wgs84_only(self) -> bool {
        matches!(self, Format::Kml | Format::Geojson)
    }
}

/// Checks a format against the layers and CRS asked for, before any work.
pub fn check_request(
    format: Format,
    layers: &[LayerKind],
    target: &Option<Target>,
) -> Result<(), String> {
    if layers.is_empty() {
        return Err("chưa chọn lớp nào / no layer chosen".into());
    }
    if layers.len() > 1 && !format.many_layers() {
        return Err(format!(
            "định dạng {0} chỉ chứa một lớp; hãy xuất từng lớp / format {0} holds one layer: export the layers one by one (gpkg, dxf and kml hold several)",
            format.as_str()
        ));
    }
    match (format.wgs84_only(), target) {
        (true, Some(Target::Projected(_))) => Err(format!(
            "{0} dùng kinh độ, vĩ độ WGS84 / {0} is longitude/latitude (WGS84) only: leave --crs out",
            format.as_str()
        )),
        (false, Some(Target::Wgs84)) if matches!(format, Format::Csv | Format::Dxf) => {
            Err(format!(
                "{0} ghi tọa độ phẳng VN-2000 (mét) / {0} is written in projected metres (VN-2000): leave --crs out or give a VN-2000 CRS",
                format.as_str()
            ))
        }
        _ => Ok(()),
    }
}

/// The output CRS a format takes when none is asked for.
pub fn default_target(format: Format, target: Option<Target>) -> Option<Target> {
    match target {
        None if format.wgs84_only() => Some(Target::Wgs84),
        t => t,
    }
}

/// Writes the layers to `path` (a new file: the caller renames it into
/// place when whole). Writing stops with [`ExportError::TooLarge`] (and the
/// file is removed) once it would grow past `max_bytes`.
pub fn write_file(
    format: Format,
    layers: &[Layer],
    path: &std::path::Path,
    max_bytes: u64,
) -> Result<(), ExportError> {
    let over = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let written = write_limited(format, layers, path, max_bytes, &over);
    let too_large = over.load(std::sync::atomic::Ordering::Relaxed)
        || matches!(&written, Err(FormatError::Io(e)) if e.kind() == std::io::ErrorKind::FileTooLarge)
        || std::fs::metadata(path).is_ok_and(|m| m.len() > max_bytes);
    if too_large {
        let _ = std::fs::remove_file(path);
        return Err(ExportError::TooLarge(max_bytes));
    }
    written.map_err(ExportError::Format)
}

fn write_limited(
    format: Format,
    layers: &[Layer],
    path: &std::path::Path,
    max_bytes: u64,
    over: &std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> Result<(), FormatError> {
    use crate::formats;
    use std::io::BufWriter;
    let create = || -> Result<BufWriter<Limited<std::fs::File>>, FormatError> {
        Ok(BufWriter::with_capacity(
            1 << 20,
            Limited::new(std::fs::File::create(path)?, max_bytes, over.clone()),
        ))
    };
    match format {
        Format::Geojson => formats::geojson_write::write_layer(create()?, &layers[0])?,
        Format::Csv => {
            let kind = LayerKind::parse(&layers[0].name).unwrap_or(LayerKind::Parcels);
            formats::coordinates::write_layer(create()?, &layers[0], kind.key_fields())?
        }
        Format::Shp => formats::shp::write_zip(create()?, &layers[0])?,
        Format::Gpkg => formats::gpkg::write_limited(path, layers, max_bytes)?,
        Format::Kml => formats::kml::write(
            create()?,
            layers,
            &formats::kml::KmlOptions {
                document_name: "hiendat",
            },
        )?,
        Format::Dxf => formats::dxf::write(create()?, layers)?,
    }
    Ok(())
}

/// A writer that refuses to grow past `limit` bytes, raising `over`: the
/// export's size bound, checked as it is written (a file's size is the
/// furthest position written, seeks included).
struct Limited<W> {
    inner: W,
    pos: u64,
    limit: u64,
    over: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl<W> Limited<W> {
    fn new(inner: W, limit: u64, over: std::sync::Arc<std::sync::atomic::AtomicBool>) -> Self {
        Limited {
            inner,
            pos: 0,
            limit,
            over,
        }
    }
}

impl<W: std::io::Write> std::io::Write for Limited<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.pos.saturating_add(buf.len() as u64) > self.limit {
            self.over.store(true, std::sync::atomic::Ordering::Relaxed);
            return Err(std::io::Error::other(
                "tệp xuất quá lớn / the export is too large",
            ));
        }
        let n = self.inner.write(buf)?;
        self.pos += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<W: std::io::Seek> std::io::Seek for Limited<W> {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        self.pos = self.inner.seek(to)?;
        Ok(self.pos)
    }
}
