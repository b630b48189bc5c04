//! Outlines for the map: the union of many polygons as one MultiPolygon,
//! by geo's boolean operations (i_overlay). Display only: nothing is
//! measured on them.

use super::clip::P;
use geo::orient::{Direction, Orient};
use geo::{BooleanOps, Coord, LineString, MultiPolygon, Polygon, Simplify, unary_union};

/// Rings of one polygon: exterior, then holes; each closed.
pub type Rings = Vec<Vec<P>>;

fn ring(r: &[P]) -> LineString {
    LineString(r.iter().map(|&[x, y]| Coord { x, y }).collect())
}

/// The union of `polygons` (rings in any orientation, closed or not),
/// simplified (Ramer–Douglas–Peucker) to within `tolerance` when it is
/// positive: a group's outline needs not every vertex of its back fences.
pub fn union<'a>(polygons: impl IntoIterator<Item = &'a [Vec<P>]>, tolerance: f64) -> Vec<Rings> {
    // unary_union picks its fill rule from the first ring's winding: give
    // every polygon the same orientation.
    let owned: Vec<Rings> = polygons.into_iter().map(<[Vec<P>]>::to_vec).collect();
    let MultiPolygon(polys) = multi(&owned);
    if polys.is_empty() {
        return Vec::new();
    }
    let mut merged = unary_union(&polys);
    if tolerance > 0.0 {
        merged = merged.simplify(tolerance);
    }
    rings_of(&merged)
}

fn multi(polys: &[Rings]) -> MultiPolygon {
    MultiPolygon(
        polys
            .iter()
            .filter_map(|rings| {
                let (ext, holes) = rings.split_first()?;
                (ext.len() >= 3).then(|| {
                    Polygon::new(ring(ext), holes.iter().map(|h| ring(h)).collect())
                        .orient(Direction::Default)
                })
            })
            .collect(),
    )
}

fn rings_of(m: &MultiPolygon) -> Vec<Rings> {
    m.0.iter()
        .map(|p| {
            std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(|r| r.coords().map(|c| [c.x, c.y]).collect())
                .collect()
        })
        .collect()
}

/// The part of `a` inside `b` (a parcel's donated strip: the parcel and its
/// corridor). Rings in any orientation; the result's exteriors are
/// counter-clockwise, holes clockwise, rings closed.
pub fn intersection(a: &[Rings], b: &[Rings]) -> Vec<Rings> {
    let (a, b) = (multi(a), multi(b));
    if a.0.is_empty() || b.0.is_empty() {
        return Vec::new();
    }
    rings_of(&a.intersection(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(rings: &Rings) -> f64 {
        crate::geometry::area::polygon_area(rings)
    }

    #[test]
    fn touching_squares_of_either_winding_merge_and_a_far_one_stays_apart() {
        let a = vec![vec![[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0]]];
        // Clockwise, sharing a's right edge.
        let b = vec![vec![[4.0, 0.0], [4.0, 4.0], [8.0, 4.0], [8.0, 0.0]]];
        let c = vec![vec![[20.0, 0.0], [21.0, 0.0], [21.0, 1.0], [20.0, 1.0]]];
        let u = union([a.as_slice(), b.as_slice(), c.as_slice()], 0.0);
        assert_eq!(u.len(), 2);
        let mut areas: Vec<f64> = u.iter().map(area).collect();
        areas.sort_by(f64::total_cmp);
        assert!(
            (areas[0] - 1.0).abs() < 1e-9 && (areas[1] - 32.0).abs() < 1e-9,
            "{areas:?}"
        );
        assert!(
            u.iter().all(|p| p[0].first() == p[0].last()),
            "closed rings"
        );
    }

    #[test]
    fn a_ring_of_parcels_keeps_its_courtyard_as_a_hole() {
        let sq =
            |x: f64, y: f64| vec![vec![[x, y], [x + 1.0, y], [x + 1.0, y + 1.0], [x, y + 1.0]]];
        let cells: Vec<Rings> = (0..3)
            .flat_map(|i| (0..3).map(move |j| (i, j)))
            .filter(|&(i, j)| (i, j) != (1, 1))
            .map(|(i, j)| sq(i as f64, j as f64))
            .collect();
        let u = union(cells.iter().map(Vec::as_slice), 0.0);
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].len(), 2, "exterior and one hole");
        assert!((area(&u[0]) - 8.0).abs() < 1e-9);
    }

    #[test]
    fn simplifying_drops_the_vertices_of_a_nearly_straight_edge() {
        let jagged = vec![vec![
            [0.0, 0.0],
            [5.0, 0.01],
            [10.0, 0.0],
            [10.0, 10.0],
            [0.0, 10.0],
        ]];
        let exact = union([jagged.as_slice()], 0.0);
        let simple = union([jagged.as_slice()], 0.1);
        assert_eq!(exact[0][0].len(), 6);
        assert_eq!(simple[0][0].len(), 5);
    }
}
