//! Curved geometries in GeoPackages: WKB built by hand (every curve type,
//! both byte orders, Z and M) and files made by GDAL from WKT, their areas
//! against the exact circle-segment areas and against GDAL's own.

use super::*;
use crate::formats::curve::{TOLERANCE_M, segments};
use crate::formats::limits::Limits;
use crate::formats::testing::{gdal, tmp};
use std::f64::consts::PI;
use std::path::PathBuf;

/// A WKB writer: `le` byte order, `extra` ordinates (Z, M) per point.
struct W {
    b: Vec<u8>,
    le: bool,
    extra: usize,
}

impl W {
    fn new(le: bool, extra: usize) -> W {
        W {
            b: Vec::new(),
            le,
            extra,
        }
    }
    fn u32(&mut self, v: u32) -> &mut Self {
        let bytes = if self.le {
            v.to_le_bytes()
        } else {
            v.to_be_bytes()
        };
        self.b.extend_from_slice(&bytes);
        self
    }
    fn head(&mut self, ty: u32) -> &mut Self {
        self.b.push(u8::from(self.le));
        let dims = match self.extra {
            0 => 0,
            1 => 1000,
            _ => 3000,
        };
        self.u32(ty + dims)
    }
    fn pts(&mut self, pts: &[Pt]) -> &mut Self {
        self.u32(pts.len() as u32);
        for p in pts {
            for c in [p[0], p[1], 7.0, 9.0].iter().take(2 + self.extra) {
                let bytes = if self.le {
                    c.to_le_bytes()
                } else {
                    c.to_be_bytes()
                };
                self.b.extend_from_slice(&bytes);
            }
        }
        self
    }
}

fn blob(w: &W) -> Vec<u8> {
    let mut b = vec![b'G', b'P', 0, 1, 0, 0, 0, 0];
    b.extend_from_slice(&w.b);
    b
}

/// A 20 × 16 m parcel at (x, y) whose north-east corner is rounded with a
/// 5 m radius: line, arc, line.
fn rounded(x: f64, y: f64) -> (Pt, Pt, Pt, Vec<Pt>, Vec<Pt>) {
    let h = 5.0 * (PI / 4.0).sin();
    let (a, m, b) = (
        [x + 20.0, y + 11.0],
        [x + 15.0 + h, y + 11.0 + h],
        [x + 15.0, y + 16.0],
    );
    (
        a,
        m,
        b,
        vec![[x, y], [x + 20.0, y], a],
        vec![b, [x, y + 16.0], [x, y]],
    )
}

fn rounded_area() -> f64 {
    320.0 - 25.0 + 25.0 * PI / 4.0
}

/// The most a polygon's area may lose (or a hole's gain) to chords within
/// the tolerance, for arcs `length` metres long in all.
fn bound(length: f64) -> f64 {
    2.0 / 3.0 * TOLERANCE_M * length
}

#[test]
fn a_curve_polygon_of_a_compound_curve_is_linearised_through_its_points() {
    let (x, y) = (580_000.0, 2_155_000.0);
    let (a, m, b, first, last) = rounded(x, y);
    for (le, extra) in [(true, 0), (false, 1), (true, 2)] {
        let mut w = W::new(le, extra);
        w.head(10).u32(1).head(9).u32(3);
        w.head(2).pts(&first);
        w.head(8).pts(&[a, m, b]);
        w.head(2).pts(&last);
        let g = parse_blob(&blob(&w)).unwrap();
        let Geometry::Polygons(polys) = &g else {
            panic!("{g:?}")
        };
        let ring = &polys[0][0];
        // the arc's ends are vertices, once each; the ring is closed
        assert_eq!(ring.iter().filter(|p| **p == a).count(), 1);
        assert_eq!(ring.iter().filter(|p| **p == b).count(), 1);
        assert_eq!(ring.first(), ring.last());
        let arc = ring.iter().position(|p| *p == a).unwrap();
        let end = ring.iter().position(|p| *p == b).unwrap();
        assert_eq!(end - arc, segments(5.0, PI / 2.0, TOLERANCE_M));
        for p in &ring[arc..=end] {
            let d = (p[0] - (x + 15.0)).hypot(p[1] - (y + 11.0));
            assert!((d - 5.0).abs() < 1e-6, "{p:?} off the circle");
        }
        let lost = rounded_area() - g.area();
        assert!(lost > 0.0 && lost <= bound(2.5 * PI), "{lost}");
        assert!(lost < 0.01, "{lost} m² lost to the chords");
    }
}

#[test]
fn multi_surfaces_and_multi_curves_hold_curved_and_straight_members() {
    // a MultiSurface of a Polygon and a CurvePolygon with a circular hole,
    // clockwise (big-endian members inside a little-endian collection)
    let sq = |x: f64, s: f64| vec![[x, 0.0], [x, s], [x + s, s], [x + s, 0.0], [x, 0.0]];
    let mut w = W::new(true, 0);
    w.head(12).u32(2);
    w.head(3).u32(1).pts(&sq(0.0, 10.0));
    let mut inner = W::new(false, 1);
    inner.head(10).u32(2);
    inner.head(2).pts(&sq(100.0, 30.0));
    // a full circle of radius 4 around (115, 15)
    inner
        .head(8)
        .pts(&[[119.0, 15.0], [111.0, 15.0], [119.0, 15.0]]);
    w.b.extend_from_slice(&inner.b);
    let g = parse_blob(&blob(&w)).unwrap();
    let Geometry::Polygons(polys) = &g else {
        panic!("{g:?}")
    };
    assert_eq!(polys.len(), 2);
    assert_eq!(polys[1].len(), 2, "the hole is kept");
    let exact = 100.0 + 900.0 - 16.0 * PI;
    let gained = g.area() - exact;
    assert!(gained >= 0.0 && gained <= bound(8.0 * PI), "{gained}");

    // a MultiCurve of a LineString, a CircularString Z of two arcs and a
    // CompoundCurve: a layer of lines
    let mut w = W::new(true, 1);
    w.head(11).u32(3);
    w.head(2).pts(&[[0.0, 0.0], [1.0, 1.0]]);
    w.head(8).pts(&[
        [0.0, 0.0],
        [10.0, 10.0],
        [20.0, 0.0],
        [30.0, -10.0],
        [40.0, 0.0],
    ]);
    w.head(9).u32(2);
    w.head(8).pts(&[[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]]);
    w.head(2).pts(&[[2.0, 0.0], [5.0, 0.0]]);
    let g = parse_blob(&blob(&w)).unwrap();
    let Geometry::Lines(lines) = &g else {
        panic!("{g:?}")
    };
    assert_eq!(lines.len(), 3);
    let s = &lines[1];
    assert_eq!((s[0], *s.last().unwrap()), ([0.0, 0.0], [40.0, 0.0]));
    assert!(
        s.contains(&[20.0, 0.0]),
        "the arcs meet at their control point"
    );
    // an S: the first arc above, the second below
    assert!(s.iter().any(|p| p[0] < 20.0 && p[1] > 9.99));
    assert!(s.iter().any(|p| p[0] > 20.0 && p[1] < -9.99));
    let c = &lines[2];
    assert_eq!(c.iter().filter(|p| **p == [2.0, 0.0]).count(), 1);
    assert_eq!(*c.last().unwrap(), [5.0, 0.0]);
}

#[test]
fn bad_curves_are_refused_with_their_reason() {
    let mut w = W::new(true, 0);
    w.head(8)
        .pts(&[[0.0, 0.0], [1.0, 1.0], [2.0, 0.0], [3.0, 3.0]]);
    let e = parse_blob(&blob(&w)).unwrap_err();
    assert!(e.en.contains("CircularString of 4 points"), "{}", e.en);
    let mut w = W::new(true, 0);
    w.head(10).u32(1).head(1).pts(&[[0.0, 0.0]]);
    let e = parse_blob(&blob(&w)).unwrap_err();
    assert!(e.en.contains("which is no curve"), "{}", e.en);
    let mut w = W::new(true, 0);
    w.head(9).u32(1).head(3).u32(0);
    let e = parse_blob(&blob(&w)).unwrap_err();
    assert!(e.en.contains("part 1 of a CompoundCurve"), "{}", e.en);
    // a CompoundCurve nested in itself: bounded
    let mut w = W::new(true, 0);
    w.head(10).u32(1);
    for _ in 0..40 {
        w.head(9).u32(1);
    }
    assert!(parse_blob(&blob(&w)).is_err());
    // an empty CircularString is an empty geometry
    let mut w = W::new(true, 0);
    w.head(8).u32(0);
    assert!(parse_blob(&blob(&w)).unwrap_err().en.contains("empty"));
}

/// The GeoPackage GDAL writes from WKT `rows` (id, WKT) as `nlt` in
/// VN-2000.
fn gdal_gpkg(dir: &Path, name: &str, nlt: &str, rows: &[(i32, String)]) -> PathBuf {
    let csv = dir.join(format!("{name}.csv"));
    let mut text = String::from("id,wkt\n");
    for (id, wkt) in rows {
        text.push_str(&format!("{id},\"{wkt}\"\n"));
    }
    std::fs::write(&csv, text).unwrap();
    let out = dir.join(format!("{name}.gpkg"));
    gdal(
        "ogr2ogr",
        &[
            "-f",
            "GPKG",
            out.to_str().unwrap(),
            csv.to_str().unwrap(),
            "-oo",
            "GEOM_POSSIBLE_NAMES=wkt",
            "-oo",
            "KEEP_GEOM_COLUMNS=NO",
            "-nlt",
            nlt,
            "-a_srs",
            "EPSG:5897",
            "-nln",
            name,
        ],
    );
    out
}

/// GDAL's area of each feature (`OGR_GEOM_AREA`), arcs as chords of
/// `step` degrees.
fn gdal_areas(gpkg: &Path, layer: &str, step: &str) -> Vec<f64> {
    let out = gdal(
        "ogrinfo",
        &[
            "--config",
            "OGR_ARC_STEPSIZE",
            step,
            gpkg.to_str().unwrap(),
            "-dialect",
            "OGRSQL",
            "-sql",
            &format!("SELECT OGR_GEOM_AREA AS a FROM {layer}"),
        ],
    );
    out.lines()
        .filter_map(|l| l.trim().strip_prefix("a (Real) = "))
        .map(|v| v.parse().unwrap())
        .collect()
}

#[test]
fn curved_geopackages_made_by_gdal_read_with_areas_as_exact_as_the_tolerance() {
    let dir = tmp("gpkg", "curves");
    let (x, y) = (580_000.0, 2_155_000.0);
    let (a, m, b, first, last) = rounded(x, y);
    let ls = |p: &[Pt]| {
        p.iter()
            .map(|q| format!("{} {}", q[0], q[1]))
            .collect::<Vec<_>>()
            .join(",")
    };
    let rows = vec![
        (
            1,
            format!(
                "CURVEPOLYGON(COMPOUNDCURVE(({}),CIRCULARSTRING({}),({})))",
                ls(&first),
                ls(&[a, m, b]),
                ls(&last)
            ),
        ),
        // a full circle, radius 3
        (
            2,
            format!(
                "CURVEPOLYGON(CIRCULARSTRING({} {},{} {},{} {}))",
                x + 100.0,
                y,
                x + 106.0,
                y,
                x + 100.0,
                y
            ),
        ),
        // a square whose south side bulges out in a half circle, clockwise
        (
            3,
            format!(
                "CURVEPOLYGON(COMPOUNDCURVE(({} {},{} {},{} {},{} {}),CIRCULARSTRING({} {},{} {},{} {})))",
                x + 200.0,
                y,
                x + 200.0,
                y + 10.0,
                x + 210.0,
                y + 10.0,
                x + 210.0,
                y,
                x + 210.0,
                y,
                x + 205.0,
                y - 5.0,
                x + 200.0,
                y
            ),
        ),
    ];
    let exact = [rounded_area(), 9.0 * PI, 100.0 + 12.5 * PI];
    let arcs = [2.5 * PI, 6.0 * PI, 5.0 * PI];
    let gpkg = gdal_gpkg(&dir, "thua", "CURVEPOLYGON", &rows);
    let layers = read(&gpkg).unwrap();
    let l = &layers[0];
    assert_eq!(l.kind, GeomKind::Polygon);
    assert_eq!(l.srs.as_ref().and_then(|s| s.epsg), Some(5897));
    // said in the import report: what was linearised, and how closely
    assert!(
        l.notes
            .iter()
            .any(|n| n.contains("3 circular arcs") && n.contains("at most 1 mm")),
        "{:?}",
        l.notes
    );
    let fine = gdal_areas(&gpkg, "thua", "0.05");
    let default = gdal_areas(&gpkg, "thua", "4");
    for (i, f) in l.features.iter().enumerate() {
        let ours = f.geometry.area();
        eprintln!(
            "feature {}: exact {:.4}, ours {:.4} ({:+.4}), GDAL 0.05° {:.4}, GDAL 4° (default) {:.4}",
            i + 1,
            exact[i],
            ours,
            ours - exact[i],
            fine[i],
            default[i]
        );
        assert!(
            (exact[i] - ours) >= 0.0 && exact[i] - ours <= bound(arcs[i]),
            "feature {}: {ours} against {}",
            i + 1,
            exact[i]
        );
        assert!(
            (fine[i] - ours).abs() <= bound(arcs[i]).max(0.01),
            "feature {}: {ours} against GDAL's {}",
            i + 1,
            fine[i]
        );
    }

    // MultiSurface and a line layer of CompoundCurves (MultiCurve)
    let ms = gdal_gpkg(&dir, "ms", "MULTISURFACE", &rows[..2]);
    let l = read(&ms).unwrap().remove(0);
    assert_eq!(l.features.len(), 2);
    assert!((l.features[1].geometry.area() - 9.0 * PI).abs() <= bound(6.0 * PI));
    let lines = vec![(
        1,
        format!(
            "COMPOUNDCURVE(({}),CIRCULARSTRING({}))",
            ls(&first),
            ls(&[a, m, b])
        ),
    )];
    let mc = gdal_gpkg(&dir, "tim", "MULTICURVE", &lines);
    let l = read(&mc).unwrap().remove(0);
    assert_eq!(l.kind, GeomKind::Line);
    let Geometry::Lines(tim) = &l.features[0].geometry else {
        panic!()
    };
    assert_eq!((tim[0][0], *tim[0].last().unwrap()), (first[0], b));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_arcs_of_a_file_stay_within_the_limits() {
    let dir = tmp("gpkg", "curve-limits");
    let (x, y) = (580_000.0, 2_155_000.0);
    let circle = |r: f64| {
        format!(
            "CURVEPOLYGON(CIRCULARSTRING({x} {y},{} {y},{x} {y}))",
            x + 2.0 * r
        )
    };
    let rows: Vec<(i32, String)> = (1..=3).map(|i| (i, circle(3.0))).collect();
    let gpkg = gdal_gpkg(&dir, "thua", "CURVEPOLYGON", &rows);
    let per_circle = segments(3.0, 2.0 * PI, TOLERANCE_M) as u64;
    // room for two circles, not three: the third names its feature
    let limits = Limits {
        curve_vertices: 2 * (per_circle + 1) + 1,
        ..Limits::DEFAULT
    };
    let e = read_within(&gpkg, &limits).unwrap_err().to_string();
    assert!(
        e.contains("fid 3") && e.contains("thua.gpkg") && e.contains("too many vertices"),
        "{e}"
    );
    // few chords an arc: the arc gets that many, and the notes say how far
    let limits = Limits {
        arc_segments: 16,
        ..Limits::DEFAULT
    };
    let l = read_within(&gpkg, &limits).unwrap().remove(0);
    let Geometry::Polygons(p) = &l.features[0].geometry else {
        panic!()
    };
    assert_eq!(p[0][0].len(), 17);
    let worst = 3.0 * (1.0 - (PI / 16.0).cos());
    assert!(
        l.notes
            .iter()
            .any(|n| n.contains("3 arcs needed more than 16 chords")
                && n.contains(&format!("{worst:.3} m"))),
        "{:?}",
        l.notes
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
