use std::collections::{HashMap, HashSet};

use geo::{Area, BooleanOps, BoundingRect, Coord, LineString, Polygon};

use super::model::{self, LotKind};
use super::plane::{P, ring_is_simple, signed_ring_area, sub};
use super::*;

fn center() -> P {
    let [lon, lat] = CENTER_LON_LAT;
    Crs::vn2000_thanh_hoa().to_projected(lon, lat).unwrap()
}

fn exterior(p: &ParcelInput) -> &[[f64; 2]] {
    assert_eq!(p.polygons.len(), 1, "parcel {} is one polygon", p.id);
    assert_eq!(p.polygons[0].len(), 1, "parcel {} has no holes", p.id);
    &p.polygons[0][0]
}

/// Lon/lat → projected metres.
fn projected(crs: &Crs, pts: &[[f64; 2]]) -> Vec<P> {
    let mut v = pts.to_vec();
    crs.project_in_place(&mut v).unwrap();
    v
}

fn dist_to_polyline(p: P, line: &[P]) -> f64 {
    line.windows(2)
        .map(|w| {
            let (a, b) = (w[0], w[1]);
            let ab = sub(b, a);
            let t =
                ((p[0] - a[0]) * ab[0] + (p[1] - a[1]) * ab[1]) / (ab[0] * ab[0] + ab[1] * ab[1]);
            let t = t.clamp(0.0, 1.0);
            let q = [a[0] + t * ab[0], a[1] + t * ab[1]];
            (p[0] - q[0]).hypot(p[1] - q[1])
        })
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn the_same_seed_gives_the_same_ward_and_another_seed_another() {
    let a = generate(2500, 7);
    let b = generate(2500, 7);
    assert_eq!(a.parcels, b.parcels);
    assert_eq!(a.segments, b.segments);
    assert_eq!(a.info, b.info);
    let c = generate(2500, 8);
    assert_ne!(a.parcels, c.parcels);
    assert_ne!(a.segments[0].lines, c.segments[0].lines);
}

#[test]
fn the_ward_has_exactly_the_parcels_asked_for_numbered_from_one() {
    for n in [1, 2, 37, 411, 3000] {
        let ward = generate(n, 3);
        assert_eq!(ward.parcels.len(), n);
        for (k, p) in ward.parcels.iter().enumerate() {
            assert_eq!(p.id, FeatureId::from(k as i64 + 1));
        }
        for (k, s) in ward.segments.iter().enumerate() {
            assert_eq!(s.id, FeatureId::from(k as i64 + 1));
        }
        assert!(!ward.segments.is_empty());
        let info = &ward.info;
        assert_eq!(info.lots + info.corner_lots + info.l_shaped_lots, n);
    }
    assert!(generate(0, 1).parcels.is_empty());
}

#[test]
fn road_widths_are_in_range_and_planned_is_wider() {
    let ward = generate(20_000, 5);
    let mut classes = HashSet::new();
    for s in &ward.segments {
        let (cur, plan) = (s.current_width_m.unwrap(), s.planned_width_m.unwrap());
        assert!((3.0..=6.0).contains(&cur), "{}: current {cur}", s.id);
        assert!((6.0..=13.0).contains(&plan), "{}: planned {plan}", s.id);
        assert!(plan >= cur + 1.0, "{}: {cur} → {plan}", s.id);
        classes.insert(s.name.split(' ').next().unwrap().to_string());
        let line = &s.lines[0];
        assert!(
            (2..=6).contains(&line.len()),
            "{}: {} vertices",
            s.id,
            line.len()
        );
    }
    for class in ["Đường", "Phố", "Ngõ"] {
        assert!(classes.contains(class), "{class} in {classes:?}");
    }
}

#[test]
fn lots_are_tube_houses_with_realistic_frontage_and_depth() {
    let m = model::build(20_000, 11, center());
    let mut regular = Vec::new();
    for (k, meta) in m.lots.meta.iter().enumerate() {
        let f = f64::from(meta.frontage);
        // the last lot of a row takes what is left of the street
        if meta.kind == LotKind::Corner {
            assert!((4.0..=25.0).contains(&f), "corner lot {k}: {f}");
        } else if meta.wide {
            assert!((10.0..=25.0).contains(&f), "wide lot {k}: {f}");
        } else {
            assert!((4.0..=12.0).contains(&f), "lot {k}: {f}");
            regular.push(f);
        }
        // streets run east-west, so the depth is the north-south extent
        let ring = m.lots.ring(k);
        let (lo, hi) = ring.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
            (lo.min(p[1]), hi.max(p[1]))
        });
        let depth = hi - lo;
        // the front lot of an L-shaped pair gave its rear part to its neighbour
        let min = if meta.kind == LotKind::L { 6.0 } else { 15.0 };
        assert!(
            (min..=30.0).contains(&depth),
            "{:?} lot {k}: depth {depth}",
            meta.kind
        );
    }
    let in_4_8 = regular
        .iter()
        .filter(|&&f| (4.0..=8.0).contains(&f))
        .count();
    assert!(in_4_8 as f64 > 0.98 * regular.len() as f64);
    let wide = m.lots.meta.iter().filter(|m| m.wide).count();
    assert!(wide > 100 && wide < 1000, "{wide} wide lots");
    let kinds: HashSet<_> = m.lots.meta.iter().map(|m| m.kind).collect();
    assert_eq!(kinds.len(), 3, "ordinary, corner and L-shaped lots");
}

#[test]
fn every_coordinate_is_inside_the_ward() {
    let ward = generate(20_000, 2);
    let inside =
        |p: &[f64; 2]| (105.74..=105.86).contains(&p[0]) && (19.47..=19.55).contains(&p[1]);
    for p in &ward.parcels {
        assert!(exterior(p).iter().all(inside), "parcel {}", p.id);
        for q in exterior(p) {
            for v in q {
                assert_eq!((v * 1e8).round() / 1e8, *v, "8 decimals");
            }
        }
    }
    for s in &ward.segments {
        assert!(s.lines[0].iter().all(inside), "segment {}", s.id);
    }
}

#[test]
fn parcel_rings_are_closed_simple_counter_clockwise_without_repeats() {
    let ward = generate(5000, 9);
    let mut vertices = HashMap::new();
    for p in &ward.parcels {
        let ring = exterior(p);
        assert_eq!(ring.first(), ring.last(), "parcel {} closed", p.id);
        let open = &ring[..ring.len() - 1];
        assert!(
            (4..=7).contains(&open.len()),
            "parcel {}: {} vertices",
            p.id,
            open.len()
        );
        *vertices.entry(open.len()).or_insert(0) += 1;
        let distinct: HashSet<_> = open
            .iter()
            .map(|q| (q[0].to_bits(), q[1].to_bits()))
            .collect();
        assert_eq!(
            distinct.len(),
            open.len(),
            "parcel {} repeats a vertex",
            p.id
        );
        assert!(
            ring_is_simple(open),
            "parcel {} self-intersects: {open:?}",
            p.id
        );
        assert!(signed_ring_area(open) > 0.0, "parcel {} is clockwise", p.id);
    }
    assert!(vertices.len() >= 3, "{vertices:?}");
}

#[test]
fn parcels_do_not_overlap() {
    let m = model::build(3000, 4, center());
    let polys: Vec<Polygon> = (0..m.lots.len())
        .map(|k| {
            let ring: Vec<Coord> = m
                .lots
                .ring(k)
                .iter()
                .map(|p| Coord { x: p[0], y: p[1] })
                .collect();
            Polygon::new(LineString::new(ring), vec![])
        })
        .collect();
    let mut boxes: Vec<(f64, f64, f64, f64, usize)> = polys
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let r = p.bounding_rect().unwrap();
            (r.min().x, r.max().x, r.min().y, r.max().y, k)
        })
        .collect();
    boxes.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut pairs = 0;
    for (n, a) in boxes.iter().enumerate() {
        for b in &boxes[n + 1..] {
            if b.0 > a.1 {
                break;
            }
            if b.2 > a.3 || a.2 > b.3 {
                continue;
            }
            pairs += 1;
            let overlap = polys[a.4].intersection(&polys[b.4]).unsigned_area();
            assert!(
                overlap < 1e-6,
                "lots {} and {} overlap by {overlap} m²",
                a.4,
                b.4
            );
        }
    }
    assert!(pairs > 3000, "neighbours checked: {pairs}");
}

#[test]
fn every_parcel_loses_a_strip_to_a_planned_corridor() {
    let ward = generate(3000, 6);
    let crs = Crs::vn2000_thanh_hoa();
    let segs: Vec<(Vec<P>, f64, f64)> = ward
        .segments
        .iter()
        .map(|s| {
            let line = projected(&crs, &s.lines[0]);
            (line, s.current_width_m.unwrap(), s.planned_width_m.unwrap())
        })
        .collect();
    for p in &ward.parcels {
        let ring = projected(&crs, exterior(p));
        // the deepest cut: how far the corridor edge reaches past the nearest vertex
        let cut = segs
            .iter()
            .map(|(line, _, plan)| {
                let d = ring
                    .iter()
                    .map(|&q| dist_to_polyline(q, line))
                    .fold(f64::MAX, f64::min);
                plan / 2.0 - d
            })
            .fold(f64::MIN, f64::max);
        assert!(cut >= 0.3, "parcel {}: corridor cuts {cut} m", p.id);
        // and no lot reaches into the current road by more than its jitter
        for (line, cur, _) in &segs {
            for &q in &ring {
                let d = dist_to_polyline(q, line);
                assert!(
                    d > cur / 2.0 - 0.2,
                    "parcel {} is {d} m from a {cur} m road",
                    p.id
                );
            }
        }
    }
}

#[test]
fn names_are_vietnamese_with_diacritics() {
    let ward = generate(3000, 1);
    let has_diacritics = |s: &str| !s.is_ascii();
    let seg_names = ward
        .segments
        .iter()
        .filter(|s| has_diacritics(&s.name))
        .count();
    assert!(seg_names * 10 > ward.segments.len() * 9, "{seg_names}");
    for p in &ward.parcels {
        let owner = p.owner.as_deref().unwrap();
        assert!(owner.split(' ').count() >= 3, "{owner}");
        let lu = p.land_use.as_deref().unwrap();
        assert!(
            [
                "ODT", "ODT+CLN", "TMD", "CLN", "SKC", "DGD", "DYT", "TSC", "TON"
            ]
            .contains(&lu),
            "{lu}"
        );
    }
    let owners = ward
        .parcels
        .iter()
        .filter(|p| has_diacritics(p.owner.as_deref().unwrap()));
    assert!(owners.count() > 2900);
    assert!(
        ward.parcels
            .iter()
            .any(|p| p.owner.as_deref().unwrap().contains(" và "))
    );
}

#[test]
fn groups_and_map_sheets_number_the_ward() {
    let ward = generate(3000, 1);
    let groups: HashSet<&str> = ward
        .parcels
        .iter()
        .map(|p| p.residential_group.as_deref().unwrap())
        .collect();
    assert!(groups.len() >= 10, "{} groups", groups.len());
    assert_eq!(groups.len(), ward.info.residential_groups);
    for n in 1..=groups.len() {
        assert!(
            groups.contains(format!("Tổ dân phố {n}").as_str()),
            "group {n}"
        );
    }
    let mut seen = HashSet::new();
    let mut sheets = HashSet::new();
    for p in &ward.parcels {
        let sheet: u32 = p.map_sheet.as_deref().unwrap().parse().unwrap();
        let no: u32 = p.parcel_no.as_deref().unwrap().parse().unwrap();
        assert!(sheet >= 1 && no >= 1);
        assert!(seen.insert((sheet, no)), "sheet {sheet} parcel {no} twice");
        sheets.insert(sheet);
    }
    assert_eq!(sheets.len(), ward.info.map_sheets);
    assert!(sheets.len() >= 4);
}

#[test]
fn write_produces_geojson_and_a_manifest() {
    let ward = generate(800, 12);
    let dir = std::env::temp_dir().join(format!("hiendat-demo-test-{}", std::process::id()));
    write(&ward, &dir).unwrap();
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(&fs::read_to_string(dir.join(name)).unwrap()).unwrap()
    };
    let parcels = read("parcels.geojson");
    let f = parcels["features"].as_array().unwrap();
    assert_eq!(f.len(), 800);
    assert_eq!(f[0]["properties"]["id"], 1);
    assert!(f[0]["properties"]["map_sheet"].is_u64());
    assert!(f[0]["properties"]["owner"].is_string());
    assert_eq!(f[0]["geometry"]["type"], "Polygon");
    let segments = read("segments.geojson");
    let s = segments["features"].as_array().unwrap();
    assert_eq!(s.len(), ward.segments.len());
    assert_eq!(s[0]["geometry"]["type"], "LineString");
    assert!(s[0]["properties"]["planned_width_m"].is_f64());
    let manifest = read("manifest.json");
    assert_eq!(manifest["parcels"], 800);
    assert_eq!(manifest["seed"], 12);
    assert_eq!(manifest["segments"], ward.segments.len());
    assert_eq!(manifest["version"], GENERATOR_VERSION);
    fs::remove_dir_all(&dir).unwrap();
}
