//! CRSs other than hiendat's own: every way a file states one reaches the
//! same definition, and places points where PROJ does
//! (tests/fixtures/crs-oracle.csv, made by crs-oracle.py beside it).
//!
//! Tolerance: 1 cm. hiendat and PROJ use the same Helmert shifts here
//! (EPSG:1544 for HN-72, EPSG:6960 for VN-2000...), so what remains is the
//! projections' arithmetic: sub-millimetre.

use super::*;
use crate::formats::testing::gdal as run;

fn srs_of(wkt: &str) -> Srs {
    Srs {
        epsg: None,
        name: String::new(),
        wkt: wkt.to_string(),
        geographic: false,
    }
}

fn crs_of(s: &SourceCrs) -> &Crs {
    match s {
        SourceCrs::Projected(c) | SourceCrs::Geographic(c) => c,
        SourceCrs::Wgs84 => panic!("expected a CRS other than WGS 84"),
    }
}

struct Row {
    source: String,
    target: String,
    x: f64,
    y: f64,
    tx: f64,
    ty: f64,
}

fn oracle() -> Vec<Row> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/crs-oracle.csv");
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("source") && !l.trim().is_empty())
        .map(|l| {
            let v: Vec<&str> = l.split(',').collect();
            let n = |i: usize| v[i].trim().parse::<f64>().unwrap();
            Row {
                source: v[0].to_string(),
                target: v[1].to_string(),
                x: n(2),
                y: n(3),
                tx: n(4),
                ty: n(5),
            }
        })
        .collect()
}

/// How far (metres) `source` places the oracle's points from PROJ's.
fn worst(source: &Crs, code: &str) -> f64 {
    let rows: Vec<Row> = oracle().into_iter().filter(|r| r.source == code).collect();
    assert!(!rows.is_empty(), "{code} has oracle rows");
    rows.iter()
        .map(|r| {
            let mut p = [[r.x, r.y]];
            source.unproject_file_in_place(&mut p).unwrap();
            let [lon, lat] = p[0];
            if r.target == "EPSG:4326" {
                let m = 111_320.0;
                ((lon - r.tx) * m * lat.to_radians().cos()).hypot((lat - r.ty) * m)
            } else {
                let [e, n] = Crs::parse(&r.target)
                    .unwrap()
                    .to_projected(lon, lat)
                    .unwrap();
                (e - r.tx).hypot(n - r.ty)
            }
        })
        .fold(0.0, f64::max)
}

const CODES: &[&str] = &[
    "EPSG:2044",
    "EPSG:2093",
    "EPSG:4147",
    "EPSG:31370",
    "EPSG:27700",
    "EPSG:2263",
    "EPSG:2227",
    "EPSG:28992",
    "EPSG:2154",
];

/// Projections hiendat reads by EPSG code only (not built from WKT parameters).
const BY_CODE_ONLY: &[&str] = &["EPSG:2056", "EPSG:29873"];

#[test]
fn an_epsg_code_places_points_where_proj_does_within_a_centimetre() {
    for code in CODES.iter().chain(BY_CODE_ONLY) {
        let s = SourceCrs::parse(code).unwrap();
        let w = worst(crs_of(&s), code);
        eprintln!("{code}: worst {:.2} mm from PROJ", w * 1000.0);
        assert!(w < 0.01, "{code}: {w} m");
    }
}

#[test]
fn hn72_is_krasovsky_with_epsg_1544_and_its_lon_lat_is_geographic() {
    for code in ["EPSG:2044", "EPSG:2045", "EPSG:2093", "EPSG:4147"] {
        let p = crate::geometry::crs::resolve(code).unwrap();
        assert!(p.contains("+ellps=krass"), "{code}: {p}");
        assert!(
            p.contains(crate::geometry::crs::HN72_TOWGS84.trim_start_matches('+')),
            "{code}: {p}"
        );
    }
    assert!(matches!(
        SourceCrs::parse("EPSG:4147").unwrap(),
        SourceCrs::Geographic(_)
    ));
    // a geographic CRS is never a measuring one
    assert!(matches!(
        Crs::parse("EPSG:4147"),
        Err(CrsError::NotProjected(_))
    ));
    // HN-72 and VN-2000 differ by tens of metres around Hà Nội: the shift is applied
    let hn72 = SourceCrs::parse("EPSG:4147").unwrap();
    let mut p = [[105.83, 21.03]];
    crs_of(&hn72).unproject_file_in_place(&mut p).unwrap();
    let off = ((p[0][0] - 105.83) * 104_000.0).hypot((p[0][1] - 21.03) * 110_700.0);
    assert!(off > 20.0 && off < 300.0, "{off} m");
}

#[test]
fn wkt_with_its_authority_reads_as_the_epsg_code() {
    for code in CODES {
        let wkt = run("gdalsrsinfo", &["-o", "wkt1", code]);
        let d = detect(&srs_of(&wkt)).unwrap_or_else(|e| panic!("{code}: {e}"));
        assert!(d.statement.contains(code), "{code}: {}", d.statement);
        let w = worst(crs_of(&d.crs), code);
        assert!(w < 0.01, "{code} WKT 1: {w} m");
        let wkt2 = run("gdalsrsinfo", &["-o", "wkt2", code]);
        let d = detect(&srs_of(&wkt2)).unwrap_or_else(|e| panic!("{code} WKT 2: {e}"));
        let w = worst(crs_of(&d.crs), code);
        assert!(w < 0.01, "{code} WKT 2: {w} m");
    }
}

#[test]
fn an_esri_prj_without_authority_is_matched_by_name_and_parameters() {
    // What ogr2ogr writes into a shapefile's .prj: no EPSG code, no TOWGS84,
    // ESRI's names (D_Hanoi_1972, Gauss_Kruger, Double_Stereographic,
    // US survey foot...).
    for code in CODES {
        let esri = run("gdalsrsinfo", &["-o", "wkt_esri", code]);
        assert!(!esri.contains("AUTHORITY"), "{esri}");
        let d = detect(&srs_of(&esri)).unwrap_or_else(|e| panic!("{code}: {e}"));
        let w = worst(crs_of(&d.crs), code);
        assert!(w < 0.01, "{code} ESRI: {w} m; {}", d.statement);
    }
    let feet = detect(&srs_of(&run(
        "gdalsrsinfo",
        &["-o", "wkt_esri", "EPSG:2263"],
    )))
    .unwrap();
    let c = crs_of(&feet.crs);
    assert!(
        (c.to_meter() - 1200.0 / 3937.0).abs() < 1e-12,
        "{}",
        c.to_meter()
    );
    assert!(feet.statement.contains("0,3048006"), "{}", feet.statement);
    // the measuring side works in metres
    assert!(c.proj_string().contains("+units=m"), "{}", c.proj_string());
}

#[test]
fn a_hn72_zone_without_its_prefix_is_read_from_its_parameters() {
    // Vietnamese HN-72 sheets: Gauss–Krüger 105°, false easting 500 km (no
    // zone prefix), Krasovsky, EPSG:1544's TOWGS84, no authority.
    let wkt = r#"PROJCS["HN-72 / GK 105",GEOGCS["HN-72",DATUM["Hanoi_1972",SPHEROID["Krassowsky 1940",6378245,298.3],TOWGS84[-17.51,-108.32,-62.39,0,0,0,0]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",105],PARAMETER["scale_factor",1],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1]]"#;
    let d = detect(&srs_of(wkt)).unwrap();
    assert!(d.statement.contains("HN-72"), "{}", d.statement);
    // the oracle's zone 18 points, without the 18 000 000 m prefix
    let w = oracle()
        .iter()
        .filter(|r| r.source == "EPSG:2044")
        .map(|r| {
            let mut p = [[r.x - 18_000_000.0, r.y]];
            crs_of(&d.crs).unproject_file_in_place(&mut p).unwrap();
            let [e, n] = Crs::parse(&r.target)
                .unwrap()
                .to_projected(p[0][0], p[0][1])
                .unwrap();
            (e - r.tx).hypot(n - r.ty)
        })
        .fold(0.0, f64::max);
    assert!(w < 0.01, "{w} m");
    // the same without TOWGS84: the datum's name finds EPSG:1544
    let bare = wkt.replace(",TOWGS84[-17.51,-108.32,-62.39,0,0,0,0]", "");
    let d2 = detect(&srs_of(&bare)).unwrap();
    let (a, b) = (crs_of(&d.crs), crs_of(&d2.crs));
    let mut p = [[583_179.75, 2_323_326.42]];
    let mut q = p;
    a.unproject_file_in_place(&mut p).unwrap();
    b.unproject_file_in_place(&mut q).unwrap();
    assert!((p[0][0] - q[0][0]).abs() < 1e-9 && (p[0][1] - q[0][1]).abs() < 1e-9);
}

#[test]
fn every_way_of_stating_an_epsg_code_reaches_the_same_definition() {
    let want = crate::geometry::crs::resolve("EPSG:31370").unwrap();
    for name in [
        "EPSG:31370",
        "epsg:31370",
        "EPSG::31370",
        "urn:ogc:def:crs:EPSG::31370",
        "urn:ogc:def:crs:EPSG:9.8.15:31370",
        "http://www.opengis.net/def/crs/EPSG/0/31370",
    ] {
        let s = SourceCrs::parse(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(crs_of(&s).proj_string(), want, "{name}");
    }
    // a GeoPackage's organization_coordsys_id, with or without a definition
    let by_code = detect(&Srs {
        epsg: Some(31370),
        ..srs_of("")
    })
    .unwrap();
    assert_eq!(crs_of(&by_code.crs).proj_string(), want);
    let esri = run("gdalsrsinfo", &["-o", "wkt_esri", "EPSG:31370"]);
    let with_code = detect(&Srs {
        epsg: Some(31370),
        ..srs_of(&esri)
    })
    .unwrap();
    assert_eq!(crs_of(&with_code.crs).proj_string(), want);
    for wgs in [
        "urn:ogc:def:crs:OGC:1.3:CRS84",
        "urn:ogc:def:crs:EPSG::4326",
    ] {
        assert!(matches!(SourceCrs::parse(wgs).unwrap(), SourceCrs::Wgs84));
    }
}

#[test]
fn what_cannot_be_placed_is_refused_by_name_with_what_is_accepted() {
    let cases = [
        // a datum with no TOWGS84 that EPSG does not know
        r#"PROJCS["Ward grid 1990",GEOGCS["Local",DATUM["Made_up_1990",SPHEROID["Krassowsky 1940",6378245,298.3]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["central_meridian",105],PARAMETER["scale_factor",1],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1]]"#.to_string(),
        // a projection hiendat does not build from parameters
        r#"PROJCS["Odd polyconic",GEOGCS["HN-72",DATUM["Hanoi_1972",SPHEROID["Krassowsky 1940",6378245,298.3],TOWGS84[-17.51,-108.32,-62.39,0,0,0,0]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Polyconic"],PARAMETER["central_meridian",105],PARAMETER["false_easting",0],PARAMETER["false_northing",0],UNIT["metre",1]]"#.to_string(),
        // NAD27: proj4rs would need grid files it does not have
        run("gdalsrsinfo", &["-o", "wkt1", "EPSG:26718"]),
    ];
    for wkt in &cases {
        let name = wkt.split('"').nth(1).unwrap();
        let e = detect(&srs_of(wkt)).unwrap_err().to_string();
        assert!(e.contains(name), "{name}: {e}");
        assert!(
            e.contains("hiendat nhận") && e.contains("hiendat accepts"),
            "{e}"
        );
    }
    // an EPSG code the table lacks, and a grid-shifted one
    for code in ["EPSG:1", "EPSG:26718"] {
        let e = SourceCrs::parse(code).unwrap_err().to_string();
        assert!(e.contains(code) && e.contains("hiendat accepts"), "{e}");
    }
}

/// Where PROJ (through GDAL) puts `p` of `source` in WGS 84 lon/lat.
fn gdal_to_wgs84(source: &str, p: [f64; 2]) -> [f64; 2] {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("gdaltransform")
        .args(["-s_srs", source, "-t_srs", "EPSG:4326", "-output_xy"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("gdaltransform (Debian's gdal-bin) must be installed");
    writeln!(child.stdin.take().unwrap(), "{} {}", p[0], p[1]).unwrap();
    let out = String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap();
    let v: Vec<f64> = out.split_whitespace().map(|x| x.parse().unwrap()).collect();
    [v[0], v[1]]
}

#[test]
fn geographic_vn2000_with_epsg_io_rotation_signs_is_read_with_the_correct_ones() {
    // VN-2000 lon/lat without an AUTHORITY goes by its parameters, not by
    // hiendat's TM path: the Decision's Coordinate Frame signs (as epsg.io
    // writes them) are 0.73 m off here if taken as TOWGS84's Position Vector
    let wkt = |t: [f64; 7]| {
        format!(
            r#"GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,298.257223563],TOWGS84[{}]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]"#,
            t.map(|x| x.to_string()).join(",")
        )
    };
    let at = [105.794_414_21, 19.504_317_48];
    let proj = gdal_to_wgs84("EPSG:4756", at);
    for (t, flipped) in [
        (flip_rotations(&VN2000_TOWGS84_PV), true),
        (VN2000_TOWGS84_PV, false),
    ] {
        let d = detect(&srs_of(&wkt(t))).unwrap();
        assert!(matches!(d.crs, SourceCrs::Geographic(_)), "{}", d.statement);
        let mut p = [at];
        crs_of(&d.crs).unproject_file_in_place(&mut p).unwrap();
        let off = ((p[0][0] - proj[0]) * 111_320.0 * at[1].to_radians().cos())
            .hypot((p[0][1] - proj[1]) * 110_574.0);
        assert!(off < 0.01, "flipped {flipped}: {off} m from PROJ");
        assert_eq!(
            d.statement.contains("Coordinate Frame") && d.statement.contains("Position Vector"),
            flipped,
            "{}",
            d.statement
        );
    }
}
