//! Vector tiles of the campaign (`GET /tiles/{layer}/{z}/{x}/{y}.mvt`):
//! parcels with their status, segments and residential groups with their
//! progress, from the store's geometry and the read model's figures,
//! brought into the tile by [`crate::geometry::tile`] and written by
//! [`crate::formats::mvt`].
//!
//! Every tile's work is bounded: parcels only from [`PARCELS_FROM`] (a
//! tile there holds a few thousand in the densest ward), segments and
//! groups from [`AREAS_FROM`] (a province's view), and at most
//! [`MAX_FEATURES`] features in one tile. Lower zooms answer an empty tile.

use crate::campaign::FeatureId;
use crate::campaign::events::Status;
use crate::campaign::figures::Kept;
use crate::formats::mvt::{LayerWriter, Value, encode};
use crate::geometry::tile::{EXTENT, TileId};
use crate::store::{Result, Store};
use chrono::NaiveDate;
use geo::Geometry;
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};
use std::collections::HashMap;

/// The zoom from which the parcels layer has features (the page's
/// `PARCEL_MIN_ZOOM`).
pub const PARCELS_FROM: u8 = 15;
/// The zoom from which segments and groups have features.
pub const AREAS_FROM: u8 = 10;
/// The most features one tile carries (past it the tile is cut short and
/// says so: [`Built::truncated`]).
pub const MAX_FEATURES: usize = 20_000;

/// A tile layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    Parcels,
    Segments,
    Groups,
    /// Each segment's planned right-of-way polygon (its corridor).
    Corridors,
}

impl Layer {
    /// The layer named in a tile URL.
    pub fn parse(s: &str) -> Option<Layer> {
        match s {
            "parcels" => Some(Layer::Parcels),
            "segments" => Some(Layer::Segments),
            "groups" => Some(Layer::Groups),
            "corridors" => Some(Layer::Corridors),
            _ => None,
        }
    }

    /// Its name (in URLs and inside the tile).
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Parcels => "parcels",
            Layer::Segments => "segments",
            Layer::Groups => "groups",
            Layer::Corridors => "corridors",
        }
    }

    /// The lowest zoom at which it has features.
    pub fn min_zoom(self) -> u8 {
        match self {
            Layer::Parcels => PARCELS_FROM,
            Layer::Segments | Layer::Groups | Layer::Corridors => AREAS_FROM,
        }
    }
}

type Boxed = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// A segment's line, as tiles need it.
struct SegmentLine {
    key: i64,
    id: FeatureId,
    name: String,
    lines: Vec<Vec<[f64; 2]>>,
}

/// A residential group's outline.
struct GroupOutline {
    name: String,
    polygons: Vec<Vec<Vec<[f64; 2]>>>,
    /// Where its name is written: a point inside its largest polygon.
    label: Option<[f64; 2]>,
}

/// A segment's corridor: the segment's id and road name, and its polygons.
struct Corridor {
    segment: FeatureId,
    name: String,
    polygons: Vec<Vec<Vec<[f64; 2]>>>,
}

/// The name of the groups tile's layer of label points: one point a group,
/// in the one tile that holds it (so that a name is written once, not once
/// per tile its outline crosses).
pub const GROUP_LABELS: &str = "group_labels";

/// A point inside the largest of `polygons` (lon/lat rings: shell, holes).
fn label_point(polygons: &[Vec<Vec<[f64; 2]>>]) -> Option<[f64; 2]> {
    use geo::{Area, InteriorPoint};
    let ring = |r: &Vec<[f64; 2]>| {
        geo::LineString::from(r.iter().map(|c| (c[0], c[1])).collect::<Vec<_>>())
    };
    polygons
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| geo::Polygon::new(ring(&p[0]), p[1..].iter().map(ring).collect()))
        .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))
        .and_then(|p| p.interior_point())
        .map(|c| [c.x(), c.y()])
}

/// The segments' and groups' geometry with a spatial index, read once per
/// import (geometry changes only with imports).
pub struct Sources {
    segments: Vec<SegmentLine>,
    segment_index: RTree<Boxed>,
    groups: Vec<GroupOutline>,
    group_index: RTree<Boxed>,
    corridors: Vec<Corridor>,
    corridor_index: RTree<Boxed>,
}

fn rect_of<'a>(points: impl Iterator<Item = &'a [f64; 2]>) -> Option<Rectangle<[f64; 2]>> {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for p in points {
        b = [
            b[0].min(p[0]),
            b[1].min(p[1]),
            b[2].max(p[0]),
            b[3].max(p[1]),
        ];
    }
    (b[0] <= b[2]).then(|| Rectangle::from_corners([b[0], b[1]], [b[2], b[3]]))
}

impl Sources {
    /// Reads the segments' lines and the groups' outlines.
    pub fn load(s: &Store) -> Result<Sources> {
        let segments: Vec<SegmentLine> = s
            .segments()?
            .into_iter()
            .map(|r| SegmentLine {
                key: r.key,
                id: r.id,
                name: r.name,
                lines: r.centerline,
            })
            .collect();
        let groups: Vec<GroupOutline> = s
            .group_outlines()?
            .into_iter()
            .map(|o| GroupOutline {
                label: label_point(&o.polygons),
                name: o.name,
                polygons: o.polygons,
            })
            .collect();
        let corridors: Vec<_> = s
            .corridor_outlines()?
            .into_iter()
            .map(|o| Corridor {
                segment: o.key,
                name: o.name,
                polygons: o.polygons,
            })
            .collect();
        let index = |rects: Vec<Option<Rectangle<[f64; 2]>>>| {
            RTree::bulk_load(
                rects
                    .into_iter()
                    .enumerate()
                    .filter_map(|(i, r)| Some(GeomWithData::new(r?, i)))
                    .collect(),
            )
        };
        Ok(Sources {
            segment_index: index(
                segments
                    .iter()
                    .map(|g| rect_of(g.lines.iter().flatten()))
                    .collect(),
            ),
            group_index: index(
                groups
                    .iter()
                    .map(|g| rect_of(g.polygons.iter().flatten().flatten()))
                    .collect(),
            ),
            corridor_index: index(
                corridors
                    .iter()
                    .map(|c| rect_of(c.polygons.iter().flatten().flatten()))
                    .collect(),
            ),
            segments,
            groups,
            corridors,
        })
    }

    /// Indexes of what meets `bbox`, in order.
    fn meeting(index: &RTree<Boxed>, bbox: [f64; 4]) -> Vec<usize> {
        let env = rstar::AABB::from_corners([bbox[0], bbox[1]], [bbox[2], bbox[3]]);
        let mut out: Vec<usize> = index
            .locate_in_envelope_intersecting(env)
            .map(|g| g.data)
            .collect();
        out.sort_unstable();
        out
    }
}

/// The read model's figures that the segment and group layers carry, on
/// one day: per segment row id and per group name, progress by area (%)
/// and whether complete.
#[derive(Default)]
pub struct Figures {
    segments: HashMap<i64, (f64, bool)>,
    groups: HashMap<String, (f64, bool)>,
}

impl Figures {
    /// The figures on `date` (`NaiveDate::MAX`: now).
    pub fn of(ward: &Kept, date: NaiveDate) -> Figures {
        let segments = ward
            .ward()
            .segments
            .iter()
            .zip(ward.segment_tallies(date))
            .map(|(s, t)| (s.key, (t.progress_pct(), t.complete())))
            .collect();
        let groups = ward
            .group_figures(date)
            .into_iter()
            .filter_map(|g| Some((g.name?, (g.tally.progress_pct(), g.tally.complete()))))
            .collect();
        Figures { segments, groups }
    }
}

/// A tile's bytes and what went into it.
#[derive(Debug, Clone)]
pub struct Built {
    /// The encoded tile (empty: nothing on it).
    pub bytes: Vec<u8>,
    pub features: usize,
    /// [`MAX_FEATURES`] was reached: some features were left out.
    pub truncated: bool,
}

/// A feature id as a tile property: a number when the files gave one.
fn id_value(id: &FeatureId) -> Value {
    match id {
        FeatureId::Number(s) => s
            .parse::<i64>()
            .map(Value::Int)
            .or_else(|_| s.parse::<f64>().map(Value::Float))
            .unwrap_or_else(|_| Value::Str(s.clone())),
        FeatureId::Text(s) => Value::Str(s.clone()),
    }
}

fn encoding(e: String) -> crate::store::StoreError {
    crate::store::StoreError::Corrupt(format!("vector tile: {e}"))
}

/// What a tile is built from besides the store.
#[derive(Clone, Copy)]
pub struct Inputs<'a> {
    /// The day shown (`NaiveDate::MAX`: now).
    pub date: NaiveDate,
    /// The read model (statuses).
    pub ward: &'a Kept,
    pub sources: &'a Sources,
    /// The figures on `date`.
    pub figures: &'a Figures,
    /// How the caller reads a parcel's status (the public's `not_yet` or
    /// the staff's own step): the same rule as every other answer's.
    pub status_code: &'a dyn Fn(i64, Status) -> &'static str,
}

/// Builds one tile of `layer`.
pub fn build(s: &Store, layer: Layer, t: TileId, inp: &Inputs<'_>) -> Result<Built> {
    let Inputs {
        date,
        ward,
        sources,
        figures,
        status_code,
    } = *inp;
    let mut out = LayerWriter::new(layer.as_str(), EXTENT);
    let mut labels = LayerWriter::new(GROUP_LABELS, EXTENT);
    let mut truncated = false;
    if t.z >= layer.min_zoom() {
        let bbox = t.bbox();
        match layer {
            Layer::Parcels => {
                let parcels = s.tile_parcels(bbox, MAX_FEATURES + 1)?;
                truncated = parcels.len() > MAX_FEATURES;
                let keys: Vec<i64> = parcels.iter().map(|p| p.key).collect();
                // donated area and depth as /api/parcels sums them
                let mut measures: HashMap<i64, (f64, f64)> = HashMap::new();
                for d in s.donations_of(&keys)? {
                    let m = measures.entry(d.parcel).or_default();
                    m.0 += d.attributed_area_m2;
                    m.1 = m.1.max(d.depth_max_m);
                }
                for p in parcels.iter().take(MAX_FEATURES) {
                    let Some(g) = t.polygons(&p.polygons) else {
                        continue;
                    };
                    let status = ward
                        .ward()
                        .parcel(p.key)
                        .map_or(Status::NotContacted, |f| f.status_on(date));
                    let m = measures.get(&p.key);
                    out.add(
                        &Geometry::MultiPolygon(g),
                        u64::try_from(p.key).ok(),
                        &[
                            ("id", Some(id_value(&p.id))),
                            (
                                "status",
                                Some(Value::Str(status_code(p.key, status).into())),
                            ),
                            ("parcel_no", p.parcel_no.clone().map(Value::Str)),
                            ("donated_area_m2", m.map(|m| Value::Float(r2(m.0)))),
                            ("depth_max_m", m.map(|m| Value::Float(r2(m.1)))),
                        ],
                    )
                    .map_err(encoding)?;
                }
            }
            Layer::Segments => {
                let hits = Sources::meeting(&sources.segment_index, bbox);
                truncated = hits.len() > MAX_FEATURES;
                for i in hits.into_iter().take(MAX_FEATURES) {
                    let seg = &sources.segments[i];
                    let Some(g) = t.lines(&seg.lines) else {
                        continue;
                    };
                    let f = figures.segments.get(&seg.key).copied();
                    out.add(
                        &Geometry::MultiLineString(g),
                        u64::try_from(seg.key).ok(),
                        &[
                            ("id", Some(id_value(&seg.id))),
                            ("name", Some(Value::Str(seg.name.clone()))),
                            (
                                "progress_pct",
                                Some(Value::Float(f.map_or(0.0, |f| f.0) + 0.0)),
                            ),
                            ("complete", Some(Value::Bool(f.is_some_and(|f| f.1)))),
                        ],
                    )
                    .map_err(encoding)?;
                }
            }
            Layer::Corridors => {
                let hits = Sources::meeting(&sources.corridor_index, bbox);
                truncated = hits.len() > MAX_FEATURES;
                for i in hits.into_iter().take(MAX_FEATURES) {
                    let cor = &sources.corridors[i];
                    let Some(g) = t.polygons(&cor.polygons) else {
                        continue;
                    };
                    out.add(
                        &Geometry::MultiPolygon(g),
                        Some(i as u64 + 1),
                        &[
                            ("segment", Some(id_value(&cor.segment))),
                            ("name", Some(Value::Str(cor.name.clone()))),
                        ],
                    )
                    .map_err(encoding)?;
                }
            }
            Layer::Groups => {
                let hits = Sources::meeting(&sources.group_index, bbox);
                truncated = hits.len() > MAX_FEATURES;
                for i in hits.into_iter().take(MAX_FEATURES) {
                    let grp = &sources.groups[i];
                    let f = figures.groups.get(&grp.name).copied();
                    let e = f64::from(EXTENT);
                    if let Some(c) = grp.label.map(|p| t.project(p))
                        && (0.0..e).contains(&c.x)
                        && (0.0..e).contains(&c.y)
                    {
                        let point = geo::Point::new(c.x.floor(), c.y.floor());
                        labels
                            .add(
                                &Geometry::Point(point),
                                Some(i as u64 + 1),
                                &[("residential_group", Some(Value::Str(grp.name.clone())))],
                            )
                            .map_err(encoding)?;
                    }
                    let Some(g) = t.polygons(&grp.polygons) else {
                        continue;
                    };
                    out.add(
                        &Geometry::MultiPolygon(g),
                        Some(i as u64 + 1),
                        &[
                            ("residential_group", Some(Value::Str(grp.name.clone()))),
                            (
                                "progress_pct",
                                Some(Value::Float(f.map_or(0.0, |f| f.0) + 0.0)),
                            ),
                            ("complete", Some(Value::Bool(f.is_some_and(|f| f.1)))),
                        ],
                    )
                    .map_err(encoding)?;
                }
            }
        }
    }
    let features = out.len();
    Ok(Built {
        bytes: encode(vec![out, labels]),
        features,
        truncated,
    })
}

/// Rounded to centimetres (m) or hundredths of a m²: what a label shows.
fn r2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0 + 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_groups_label_point_is_inside_its_largest_polygon() {
        // an L-shaped group (its centroid falls outside it) and a small island
        let l = vec![vec![
            [0.0, 0.0],
            [10.0, 0.0],
            [10.0, 1.0],
            [1.0, 1.0],
            [1.0, 10.0],
            [0.0, 10.0],
            [0.0, 0.0],
        ]];
        let island = vec![vec![[20.0, 20.0], [21.0, 20.0], [21.0, 21.0], [20.0, 20.0]]];
        let [x, y] = label_point(&[island.clone(), l]).unwrap();
        assert!(
            (x <= 1.0 && (0.0..=10.0).contains(&y)) || (y <= 1.0 && (0.0..=10.0).contains(&x)),
            "({x}, {y}) is not inside the L"
        );
        assert!(label_point(&[island]).is_some());
        assert_eq!(label_point(&[]), None);
    }
}
