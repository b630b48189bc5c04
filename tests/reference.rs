//! hiendat against the PROJ/GEOS reference figures in ../shared/reference.

use hiendat::formats::geojson_read;
use hiendat::geometry::clip::ring_area;
use hiendat::geometry::crs::Crs;
use hiendat::ops::compute;
use std::collections::HashMap;
use std::path::PathBuf;

fn reference(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/reference")
        .join(name)
}

fn oracle_points() -> Vec<[f64; 4]> {
    let text = std::fs::read_to_string(reference("vn2000-oracle.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let v: Vec<f64> = l.split(',').map(|x| x.parse().unwrap()).collect();
            [v[0], v[1], v[2], v[3]]
        })
        .collect()
}

#[test]
fn every_oracle_point_projects_to_vn2000_within_a_millimetre() {
    let crs = Crs::parse("EPSG:5897").unwrap();
    let pts = oracle_points();
    assert_eq!(pts.len(), 22);
    for [lon, lat, e, n] in pts {
        let [x, y] = crs.to_projected(lon, lat).unwrap();
        assert!(
            (x - e).abs() < 1e-3 && (y - n).abs() < 1e-3,
            "({lon}, {lat}) -> ({x}, {y}), PROJ says ({e}, {n})"
        );
    }
}

#[test]
fn every_oracle_point_comes_back_from_vn2000_within_two_millimetres() {
    let crs = Crs::vn2000_thanh_hoa();
    for [lon, lat, e, n] in oracle_points() {
        let [lo, la] = crs.to_wgs84(e, n).unwrap();
        // back into metres to compare in metres
        let [x, y] = crs.to_projected(lo, la).unwrap();
        assert!(
            (x - e).abs() < 2e-3 && (y - n).abs() < 2e-3,
            "({e}, {n}) -> ({lo}, {la})"
        );
        assert!(
            (lo - lon).abs() < 3e-8 && (la - lat).abs() < 3e-8,
            "({e}, {n}) -> ({lo}, {la}) vs ({lon}, {lat})"
        );
    }
}

#[test]
fn a_proj_string_with_the_decisions_unflipped_signs_is_measurably_off() {
    // The trap of shared/reference/README.md: Coordinate Frame signs read as Position Vector.
    let wrong = Crs::parse("+proj=tmerc +lat_0=0 +lon_0=105 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +towgs84=-191.90441429,-39.30318279,-111.45032835,-0.00928836,0.01975479,-0.00427372,0.252906278 +units=m +no_defs").unwrap();
    let [lon, lat, e, n] = oracle_points()[0];
    let [x, y] = wrong.to_projected(lon, lat).unwrap();
    let off = (x - e).hypot(y - n);
    assert!(off > 0.5 && off < 1.0, "{off}");
}

#[test]
fn every_oracle_polygon_has_the_vn2000_plane_area_within_1e_4_m2() {
    let text = std::fs::read_to_string(reference("vn2000-area-oracle.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let crs = Crs::vn2000_thanh_hoa();
    let polys = v["polygons"].as_array().unwrap();
    assert_eq!(polys.len(), 5);
    for p in polys {
        let mut ring: Vec<[f64; 2]> = p["wgs84_ring"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()])
            .collect();
        ring.pop();
        crs.project_in_place(&mut ring).unwrap();
        let area = ring_area(&ring).abs();
        let want = p["area_vn2000_m2"].as_f64().unwrap();
        assert!(
            (area - want).abs() < 1e-4,
            "{}: {area} vs {want}",
            p["name"]
        );
    }
}

fn load_pairs(path: PathBuf) -> HashMap<(String, String), f64> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            ((f[0].to_string(), f[1].to_string()), f[2].parse().unwrap())
        })
        .collect()
}

#[test]
fn every_pair_of_the_10k_ward_agrees_with_postgis_and_shapely() {
    let segs = geojson_read::read_segments(
        &std::fs::read(reference("ward-10k/segments.geojson")).unwrap(),
    )
    .unwrap();
    let parcels =
        geojson_read::read_parcels(&std::fs::read(reference("ward-10k/parcels.geojson")).unwrap())
            .unwrap();
    let crs = Crs::vn2000_thanh_hoa();
    let projected = compute::project(&crs, &segs, &parcels, &[]).unwrap();
    let computed = compute::compute(projected, &segs, &parcels);
    let ours: HashMap<(String, String), f64> = computed
        .pairs
        .iter()
        .map(|d| {
            let key = (
                parcels[d.parcel as usize].id.to_string(),
                segs[d.segment as usize].id.to_string(),
            );
            (key, d.area_in_corridor_m2)
        })
        .collect();
    for peer in ["postgis.csv", "shapely.csv"] {
        let theirs = load_pairs(reference(&format!("ward-10k/{peer}")));
        assert_eq!(theirs.len(), 10_557);
        for (k, &want) in &theirs {
            match ours.get(k) {
                Some(&got) => assert!(
                    (got - want).abs() <= 1e-3 + 1e-6 * want,
                    "{peer} {k:?}: {got} vs {want}"
                ),
                None => assert!(want <= 0.01, "{peer} {k:?} ({want} m²) is missing"),
            }
        }
        for (k, &got) in &ours {
            assert!(
                theirs.contains_key(k) || got <= 0.01,
                "{k:?} ({got} m²) is not in {peer}"
            );
        }
    }
    // sorted by parcel id then segment id, numerically
    let keys: Vec<(i64, i64)> = computed
        .pairs
        .iter()
        .map(|d| {
            (
                parcels[d.parcel as usize].id.as_str().parse().unwrap(),
                segs[d.segment as usize].id.as_str().parse().unwrap(),
            )
        })
        .collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]));
}
