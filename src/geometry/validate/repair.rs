//! [`repair`]: fixes what can be fixed without guessing, and says what it
//! changed.

use geo::{LineString, MakeValid, MultiPolygon, Polygon};
use rayon::prelude::*;

use super::features::corridor_id;
use super::rings::{c, hole_outside, self_intersections, with_corners};
use super::{CorridorInput, FeatureId, Layer, ParcelInput, Part, Polygons, Repair, RepairAction};

/// Repairs parcels and corridors in place: drops repeated consecutive
/// points, closes open rings, drops holes with under 3 distinct corners,
/// and rebuilds self-intersecting polygons (or ones with a hole outside
/// the shell) as valid polygons with geo's `MakeValid` (odd-even rule: a
/// bow-tie becomes two triangles touching at the crossing). Coordinates that
/// are not finite or out of range are left alone: they need a person.
/// Returns every change, in input order.
pub fn repair(parcels: &mut [ParcelInput], corridors: &mut [CorridorInput]) -> Vec<Repair> {
    let mut done: Vec<Repair> = parcels
        .par_iter_mut()
        .enumerate()
        .flat_map_iter(|(i, p)| {
            let actions = repair_polygons(&mut p.polygons);
            named(Layer::Parcel, i, &p.id, actions)
        })
        .collect();
    done.par_extend(
        corridors
            .par_iter_mut()
            .enumerate()
            .flat_map_iter(|(i, c)| {
                let actions = repair_polygons(&mut c.polygons);
                named(Layer::Corridor, i, &corridor_id(c), actions)
            }),
    );
    done
}

fn named(layer: Layer, index: usize, id: &FeatureId, actions: Vec<RepairAction>) -> Vec<Repair> {
    actions
        .into_iter()
        .map(|action| Repair {
            layer,
            id: id.clone(),
            index,
            action,
        })
        .collect()
}

fn repair_polygons(polygons: &mut Polygons) -> Vec<RepairAction> {
    let mut actions = Vec::new();
    let mut rebuilt: Vec<(usize, Polygons)> = Vec::new();
    for (pi, rings) in polygons.iter_mut().enumerate() {
        let usable = rings
            .iter()
            .all(|r| r.iter().all(|&[x, y]| x.is_finite() && y.is_finite()));
        if !usable {
            continue;
        }
        for (ri, ring) in rings.iter_mut().enumerate() {
            let part = Part::Ring {
                polygon: pi,
                ring: ri,
            };
            let before = ring.len();
            ring.dedup();
            if ring.len() < before {
                actions.push(RepairAction::DroppedRepeatedPoints {
                    part,
                    count: before - ring.len(),
                });
            }
            if ring.len() >= 2 && ring.first() != ring.last() {
                ring.push(ring[0]);
                actions.push(RepairAction::ClosedRing { part });
            }
        }
        // Holes too small to be rings go; a too-small shell stays (named by
        // validate).
        let mut ri = 1;
        let mut original = 1;
        while ri < rings.len() {
            if rings[ri].len() < 4 {
                rings.remove(ri);
                actions.push(RepairAction::DroppedDegenerateHole {
                    part: Part::Ring {
                        polygon: pi,
                        ring: original,
                    },
                });
            } else {
                ri += 1;
            }
            original += 1;
        }
        let Some(shell) = rings.first() else { continue };
        if shell.len() < 4 {
            continue;
        }
        let crossing = rings
            .iter()
            .any(|r| with_corners(r, |cs| !self_intersections(cs, 1).is_empty()));
        let stray_hole = rings[1..].iter().any(|h| hole_outside(shell, h).is_some());
        if !(crossing || stray_hole) {
            continue;
        }
        // Work in a local frame of about a metre per unit: the boolean
        // operations behind MakeValid drop slivers they judge too thin,
        // and a parcel spans only ~1e-4 degrees.
        let o = shell[0];
        let to_local = |r: &[[f64; 2]]| -> Vec<[f64; 2]> {
            r.iter()
                .map(|p| [(p[0] - o[0]) * LOCAL_SCALE, (p[1] - o[1]) * LOCAL_SCALE])
                .collect()
        };
        let polygon = Polygon::new(
            to_line_string(&to_local(shell)),
            rings[1..]
                .iter()
                .map(|r| to_line_string(&to_local(r)))
                .collect(),
        );
        match polygon.make_valid() {
            Ok(valid) if !valid.0.is_empty() => {
                let mut parts = from_multi_polygon(&valid);
                for p in parts.iter_mut().flatten().flatten() {
                    *p = [p[0] / LOCAL_SCALE + o[0], p[1] / LOCAL_SCALE + o[1]];
                }
                actions.push(RepairAction::MadeValid {
                    polygon: pi,
                    parts: parts.len(),
                });
                rebuilt.push((pi, parts));
            }
            Ok(_) => actions.push(RepairAction::CouldNotRepair {
                polygon: pi,
                why: "nothing valid is left of it / không còn phần hợp lệ".into(),
            }),
            Err(e) => actions.push(RepairAction::CouldNotRepair {
                polygon: pi,
                why: e.to_string(),
            }),
        }
    }
    // Replace rebuilt polygons, last first so earlier indices hold.
    for (pi, parts) in rebuilt.into_iter().rev() {
        polygons.splice(pi..=pi, parts);
    }
    actions
}

/// Degrees to roughly metres, for [`repair`]'s local frame.
const LOCAL_SCALE: f64 = 1e5;

fn to_line_string(ring: &[[f64; 2]]) -> LineString<f64> {
    LineString::new(ring.iter().map(|&p| c(p)).collect())
}

fn from_multi_polygon(mp: &MultiPolygon<f64>) -> Polygons {
    mp.0.iter()
        .map(|poly| {
            std::iter::once(poly.exterior())
                .chain(poly.interiors())
                .map(|ring| ring.0.iter().map(|p| [p.x, p.y]).collect())
                .collect()
        })
        .collect()
}
