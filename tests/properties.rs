//! Properties of the donation engine on random roads and parcels.

use geo::{Area, BooleanOps, LineString, MultiPolygon, Polygon};
use hiendat::campaign::totals::segment_totals;
use hiendat::geometry::clip::{Shape, ring_area};
use hiendat::geometry::corridor::Centerline;
use hiendat::geometry::donation::{Engine, SegmentGeom};
use hiendat::geometry::project::ParcelStore;
use proptest::prelude::*;

/// A star-shaped (so simple, often concave) ring around `c`.
fn star(c: [f64; 2], radii: &[f64]) -> Vec<[f64; 2]> {
    let n = radii.len();
    radii
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let t = std::f64::consts::TAU * i as f64 / n as f64 + 0.1;
            [c[0] + r * t.cos(), c[1] + r * t.sin()]
        })
        .collect()
}

fn segment_strategy() -> impl Strategy<Value = (Vec<[f64; 2]>, f64, f64)> {
    (
        prop::collection::vec((-40.0..40.0f64, -40.0..40.0f64), 2..5),
        1.0..7.0f64,
        1.0..7.0f64,
    )
        .prop_map(|(pts, l, r)| {
            (
                pts.into_iter().map(|(x, y)| [x, y]).collect::<Vec<_>>(),
                l,
                r,
            )
        })
        .prop_filter("edges long enough", |(pts, _, _)| {
            pts.windows(2)
                .all(|w| (w[0][0] - w[1][0]).hypot(w[0][1] - w[1][1]) > 1.0)
        })
}

fn parcel_strategy() -> impl Strategy<Value = Vec<[f64; 2]>> {
    (
        (-30.0..30.0f64, -30.0..30.0f64),
        prop::collection::vec(2.0..15.0f64, 3..8),
    )
        .prop_map(|((x, y), radii)| star([x, y], &radii))
}

fn to_geo(ring: &[[f64; 2]]) -> Polygon {
    Polygon::new(
        LineString::from(ring.iter().map(|p| (p[0], p[1])).collect::<Vec<_>>()),
        vec![],
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn attributed_areas_partition_the_donated_part_and_totals_sum_the_pairs(
        segs in prop::collection::vec(segment_strategy(), 1..4),
        parcels in prop::collection::vec(parcel_strategy(), 1..6),
    ) {
        let geoms: Vec<SegmentGeom> = segs
            .iter()
            .map(|(pts, l, r)| SegmentGeom {
                centerline: Centerline::new(vec![pts.clone()]),
                left_m: *l,
                right_m: *r,
                given: None,
            })
            .collect();
        let ranks = (0..geoms.len() as u32).collect();
        let engine = Engine::new(geoms, ranks);
        let shapes: Vec<Shape> = parcels.iter().map(|r| Shape::from_rings([r.as_slice()])).collect();
        let store = ParcelStore::from_shapes(&shapes);
        let pairs = engine.measure_all(&store);

        // the union of all corridors, by GEOS-like boolean ops, as an independent check
        let mut union = MultiPolygon::new(vec![]);
        for p in &engine.pieces {
            union = union.union(&MultiPolygon::new(vec![to_geo(&p.ring)]));
        }
        for (i, ring) in parcels.iter().enumerate() {
            let area = ring_area(ring);
            let mine: Vec<_> = pairs.iter().filter(|d| d.parcel == i as u32).collect();
            let attributed: f64 = mine.iter().map(|d| d.attributed_area_m2).sum();
            prop_assert!(attributed <= area + 1e-6, "parcel {i}: {attributed} > {area}");
            for d in &mine {
                prop_assert!(d.attributed_area_m2 <= d.area_in_corridor_m2 + 1e-9);
                prop_assert!(d.area_in_corridor_m2 <= area + 1e-6);
                prop_assert!(d.depth_max_m >= 0.0 && d.frontage_m >= 0.0);
            }
            let donated = to_geo(ring).intersection(&union).unsigned_area();
            prop_assert!((attributed - donated).abs() <= 1e-6 * area.max(1.0), "parcel {i}: {attributed} vs union {donated}");
        }

        let lengths = vec![0.0; engine.segments.len()];
        let totals = segment_totals(&pairs, &lengths, &engine.corridor_areas());
        for (k, t) in totals.iter().enumerate() {
            let sum: f64 = pairs.iter().filter(|d| d.segment == k as u32).map(|d| d.attributed_area_m2).sum();
            prop_assert!((t.donated_area_m2 - sum).abs() < 1e-9);
            prop_assert_eq!(t.parcels_affected, pairs.iter().filter(|d| d.segment == k as u32).count());
        }
    }
}
