use super::*;
use crate::formats::testing::gdal as run;
use std::path::PathBuf;
fn tmp(tag: &str) -> PathBuf {
    crate::formats::testing::tmp("srs", tag)
}

fn gdal_proj4(wkt: &str) -> String {
    run("gdalsrsinfo", &["-o", "proj4", wkt]).trim().to_string()
}

fn srs_of(wkt: &str) -> Srs {
    Srs {
        epsg: None,
        name: String::new(),
        wkt: wkt.to_string(),
        geographic: false,
    }
}

fn projected(d: &Detected) -> &Crs {
    match &d.crs {
        SourceCrs::Projected(c) => c,
        _ => panic!("expected a projected CRS: {}", d.statement),
    }
}

/// The PROJ 9.5 reference points: lon, lat → easting, northing on EPSG:5897.
fn oracle() -> Vec<[f64; 4]> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/vn2000-oracle.csv");
    let text = std::fs::read_to_string(p).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Vec<f64> = l.split(',').map(|x| x.trim().parse().unwrap()).collect();
            [v[0], v[1], v[2], v[3]]
        })
        .collect()
}

/// Worst distance of the CRS's projection from the reference, in metres.
fn worst_vs_oracle(crs: &Crs) -> f64 {
    oracle()
        .iter()
        .map(|[lon, lat, x, y]| {
            let [e, n] = crs.to_projected(*lon, *lat).unwrap();
            (e - x).hypot(n - y)
        })
        .fold(0.0, f64::max)
}

const TOWGS84_PROJ: &str = "+towgs84=-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278";

#[test]
fn for_crs_writes_wkt_that_gdal_reads_with_the_right_shift_and_zone() {
    for (code, lon_0) in [
        ("EPSG:5897", "+lon_0=105 "),
        ("EPSG:9210", "+lon_0=105.75 "),
    ] {
        let srs = for_crs(&Crs::parse(code).unwrap()).unwrap();
        let p = gdal_proj4(&srs.wkt);
        assert!(p.contains(TOWGS84_PROJ), "{code}: {p}");
        assert!(p.contains(lon_0) && p.contains("+k=0.9999 "), "{code}: {p}");
        assert_eq!(srs.epsg.map(|c| format!("EPSG:{c}")).as_deref(), Some(code));
    }
    let srs = for_crs(&Crs::parse("EPSG:9210").unwrap()).unwrap();
    assert_eq!(srs.name, "VN-2000 / TM-3 105-45");
    let srs = for_crs(&Crs::parse("EPSG:3405").unwrap()).unwrap();
    assert_eq!(srs.name, "VN-2000 / UTM zone 48N");
    let p = gdal_proj4(&srs.wkt);
    assert!(
        p.contains("+proj=utm +zone=48") && p.contains(TOWGS84_PROJ),
        "{p}"
    );
    let srs = for_crs(&Crs::parse("EPSG:32648").unwrap()).unwrap();
    assert_eq!(srs.name, "WGS 84 / UTM zone 48N");
    let p = gdal_proj4(&srs.wkt);
    assert!(p.contains("+proj=utm +zone=48 +datum=WGS84"), "{p}");
    // the names are EPSG's own
    for code in [
        "5896", "5897", "5898", "5899", "9205", "9210", "9218", "3406", "32748",
    ] {
        let srs = for_crs(&Crs::parse(&format!("EPSG:{code}")).unwrap()).unwrap();
        let gdal = run("gdalsrsinfo", &["-o", "wkt1", &format!("EPSG:{code}")]);
        assert!(
            gdal.contains(&format!("[\"{}\",", srs.name)),
            "{code}: {}",
            srs.name
        );
    }

    let custom = Crs::parse(&format!(
            "+proj=tmerc +lat_0=0 +lon_0=105.5 +k=0.9999 +x_0=600000 +y_0=0 +ellps=WGS84 {TOWGS84_PROJ} +units=m +no_defs"
        ))
        .unwrap();
    let srs = for_crs(&custom).unwrap();
    assert_eq!((srs.epsg, srs.name.as_str()), (None, "Custom TM"));
    let p = gdal_proj4(&srs.wkt);
    assert!(
        p.contains("+lon_0=105.5 ") && p.contains(TOWGS84_PROJ),
        "{p}"
    );
    let utm = Crs::parse("+proj=utm +zone=49 +south +datum=WGS84 +units=m").unwrap();
    let p = gdal_proj4(&for_crs(&utm).unwrap().wkt);
    assert!(p.contains("+proj=utm +zone=49 +south +datum=WGS84"), "{p}");
    // no shift in hiendat → WGS 84 datum for GDAL
    let bare = Crs::parse("+proj=tmerc +lon_0=105 +k=0.9999 +x_0=500000 +ellps=WGS84").unwrap();
    let p = gdal_proj4(&for_crs(&bare).unwrap().wkt);
    assert!(p.contains("+datum=WGS84") && !p.contains("towgs84"), "{p}");
    let lcc = Crs::parse("+proj=lcc +lat_1=20 +lat_2=21 +lon_0=105 +ellps=WGS84").unwrap();
    assert!(for_crs(&lcc).is_err());
}

/// Where GDAL puts the point (580000, 2160000) of a one-point file in
/// this CRS, in WGS 84 lon/lat.
fn gdal_places(file: &std::path::Path) -> [f64; 2] {
    let csv = run(
        "ogr2ogr",
        &[
            "-f",
            "CSV",
            "/vsistdout/",
            file.to_str().unwrap(),
            "-t_srs",
            "EPSG:4326",
            "-lco",
            "GEOMETRY=AS_XY",
        ],
    );
    let row = csv.lines().nth(1).unwrap();
    let v: Vec<f64> = row.split(',').take(2).map(|x| x.parse().unwrap()).collect();
    [v[0], v[1]]
}

#[test]
fn a_geopackage_carrying_the_wkt_is_read_by_gdal_and_detected_back() {
    let dir = tmp("gpkg");
    let gj = dir.join("p.geojson");
    std::fs::write(&gj, r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":1},"geometry":{"type":"Point","coordinates":[580000,2160000]}}]}"#).unwrap();
    let custom = format!(
        "+proj=tmerc +lat_0=0 +lon_0=105.5 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 {TOWGS84_PROJ} +units=m +no_defs"
    );
    for (i, def) in ["EPSG:5897", &custom, "EPSG:32648"].into_iter().enumerate() {
        let crs = Crs::parse(def).unwrap();
        let srs = for_crs(&crs).unwrap();
        let wkt_file = dir.join(format!("{i}.wkt"));
        std::fs::write(&wkt_file, &srs.wkt).unwrap();
        let gpkg = dir.join(format!("{i}.gpkg"));
        run(
            "ogr2ogr",
            &[
                "-f",
                "GPKG",
                "-a_srs",
                wkt_file.to_str().unwrap(),
                gpkg.to_str().unwrap(),
                gj.to_str().unwrap(),
            ],
        );
        let info = run("ogrinfo", &["-ro", "-al", "-so", gpkg.to_str().unwrap()]);
        assert!(
            info.contains(&format!("PROJCRS[\"{}\"", srs.name)),
            "{info}"
        );
        if let Some(code) = srs.epsg {
            assert!(info.contains(&format!("ID[\"EPSG\",{code}]]")), "{info}");
        }
        // GDAL and hiendat place the point within a millimetre of each other
        let [lon, lat] = gdal_places(&gpkg);
        let [hlon, hlat] = crs.to_wgs84(580_000.0, 2_160_000.0).unwrap();
        assert!(
            (lon - hlon).abs() < 1e-8 && (lat - hlat).abs() < 1e-8,
            "{def}: {lon} {lat} vs {hlon} {hlat}"
        );

        // what GDAL stored as the definition reads back as the same CRS
        let db = rusqlite::Connection::open(&gpkg).unwrap();
        let (def_text, code): (String, i64) = db
                .query_row(
                    "SELECT s.definition, s.organization_coordsys_id FROM gpkg_spatial_ref_sys s JOIN gpkg_geometry_columns g USING (srs_id)",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap();
        let d = detect(&Srs {
            epsg: u32::try_from(code).ok(),
            ..srs_of(&def_text)
        })
        .unwrap();
        assert_eq!(
            projected(&d).proj_string(),
            crs.proj_string(),
            "{}",
            d.statement
        );
        if i < 2 {
            assert!(def_text.contains("TOWGS84[-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278]"), "{def_text}");
            assert_eq!(d.variant, Some(Variant::HoiNhap));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_crs_given_as_its_zones_proj_string_gets_the_zones_code() {
    // A database records the PROJ string, not the name it was given by.
    let proj = crate::geometry::crs::resolve("EPSG:9210").unwrap();
    let s = for_crs(&Crs::parse(&proj).unwrap()).unwrap();
    assert_eq!(s.epsg, Some(9210));
    assert!(s.name.starts_with("VN-2000"), "{}", s.name);
    let custom = for_crs(&Crs::parse(&proj.replace("+k=0.9999", "+k=1")).unwrap()).unwrap();
    assert_eq!(custom.epsg, None);
}

#[test]
fn detect_reads_back_what_for_crs_writes() {
    for code in [
        "EPSG:5897",
        "EPSG:9210",
        "EPSG:5899",
        "EPSG:3405",
        "EPSG:32648",
        "EPSG:32748",
    ] {
        let d = detect(&for_crs(&Crs::parse(code).unwrap()).unwrap()).unwrap();
        assert_eq!(projected(&d).name(), code, "{}", d.statement);
    }
    let d = detect(&wgs84()).unwrap();
    assert!(matches!(d.crs, SourceCrs::Wgs84));
    let proj = format!(
        "+proj=tmerc +lat_0=0 +lon_0=105.5 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 {TOWGS84_PROJ} +units=m +no_defs"
    );
    let d = detect(&for_crs(&Crs::parse(&proj).unwrap()).unwrap()).unwrap();
    assert_eq!(d.variant, Some(Variant::HoiNhap));
    assert_eq!(projected(&d).name(), "EPSG:9209", "{}", d.statement);
    let odd = proj.replace("+x_0=500000", "+x_0=400000");
    let d = detect(&for_crs(&Crs::parse(&odd).unwrap()).unwrap()).unwrap();
    assert_eq!(projected(&d).proj_string(), odd);
}

#[test]
fn detect_reads_gdals_wkt1_esri_and_wkt2_of_epsg_5897_as_hoi_nhap() {
    for flavour in ["wkt1", "wkt_esri", "wkt2", "wkt2_2015"] {
        let wkt = run("gdalsrsinfo", &["-o", flavour, "EPSG:5897"]);
        let d = detect(&srs_of(&wkt)).unwrap_or_else(|e| panic!("{flavour}: {e}"));
        assert_eq!(
            d.variant,
            Some(Variant::HoiNhap),
            "{flavour}: {}",
            d.statement
        );
        let crs = projected(&d);
        assert_eq!(crs.name(), "EPSG:5897", "{flavour}");
        assert!(worst_vs_oracle(crs) < 1e-3, "{flavour}");
        assert!(
            d.statement
                .contains("VN-2000 / TM-3 kinh tuyến trục 105° (EPSG:5897), hội nhập"),
            "{}",
            d.statement
        );
    }
    // GDAL's WKT 2 of our own definition is a BOUNDCRS with the shift
    let ours = for_crs(&Crs::parse("EPSG:9210").unwrap()).unwrap();
    let wkt2 = run("gdalsrsinfo", &["-o", "wkt2", &ours.wkt]);
    assert!(
        wkt2.starts_with("\nBOUNDCRS") || wkt2.trim_start().starts_with("BOUNDCRS"),
        "{wkt2}"
    );
    let d = detect(&srs_of(&wkt2)).unwrap();
    assert_eq!(projected(&d).name(), "EPSG:9210");
    assert_eq!(d.variant, Some(Variant::HoiNhap));
}

#[test]
fn detect_reads_the_prj_gdal_writes_for_a_shapefile() {
    let dir = tmp("prj");
    let gj = dir.join("p.geojson");
    std::fs::write(&gj, r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":1},"geometry":{"type":"Point","coordinates":[580000,2160000]}}]}"#).unwrap();
    for epsg in ["EPSG:5897", "EPSG:4326"] {
        let out = dir.join(epsg.replace(':', "_"));
        run(
            "ogr2ogr",
            &["-a_srs", epsg, out.to_str().unwrap(), gj.to_str().unwrap()],
        );
        let prj = std::fs::read_to_string(out.join("p.prj")).unwrap();
        let d = detect(&srs_of(&prj)).unwrap();
        match epsg {
            "EPSG:4326" => assert!(matches!(d.crs, SourceCrs::Wgs84)),
            _ => {
                assert_eq!(projected(&d).name(), "EPSG:5897", "{}", d.statement);
                assert_eq!(d.variant, Some(Variant::HoiNhap));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn epsg_io_signs_are_corrected_and_said() {
    // epsg.io's WKT 1: the Decision's (Coordinate Frame) rotation signs in a TOWGS84.
    let wkt = r#"PROJCS["VN-2000 / TM-3 zone 482",GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],TOWGS84[-191.90441429,-39.30318279,-111.45032835,-0.00928836,0.01975479,-0.00427372,0.252906278],AUTHORITY["EPSG","6756"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4756"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",105],PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","5897"]]"#;
    let d = detect(&srs_of(wkt)).unwrap();
    assert_eq!(d.variant, Some(Variant::HoiNhap));
    assert!(
        d.statement.contains("Coordinate Frame") && d.statement.contains("Position Vector"),
        "{}",
        d.statement
    );
    let (vi, en) = d.statement.split_once(" / ").unwrap();
    assert!(
        vi.contains("dấu góc xoay") && en.contains("rotation signs"),
        "{}",
        d.statement
    );
    assert!(worst_vs_oracle(projected(&d)) < 1e-3);
    // the wrong signs themselves would be ~0.7 m off
    let wrong = Crs::parse(
            "+proj=tmerc +lat_0=0 +lon_0=105 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +towgs84=-191.90441429,-39.30318279,-111.45032835,-0.00928836,0.01975479,-0.00427372,0.252906278 +units=m"
        )
        .unwrap();
    assert!(worst_vs_oracle(&wrong) > 0.5);
}

#[test]
fn vn2000_without_shift_or_authority_is_noi_bo_and_200_m_off() {
    let wkt = r#"PROJCS["VN-2000 mui 3 KTT 105",GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",105],PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1]]"#;
    let d = detect(&srs_of(wkt)).unwrap();
    assert_eq!(d.variant, Some(Variant::NoiBo), "{}", d.statement);
    let crs = projected(&d);
    assert!(!crs.proj_string().contains("towgs84"));
    assert!(
        d.statement.contains("nội bộ") && d.statement.contains("230 m"),
        "{}",
        d.statement
    );
    let off = worst_vs_oracle(crs);
    assert!(off > 200.0 && off < 260.0, "{off}");
    // the same as ESRI writes it
    let esri = wkt.replace(
        "\"VN-2000\",DATUM[\"Vietnam_2000\"",
        "\"GCS_VN_2000\",DATUM[\"D_Vietnam_2000\"",
    );
    assert_eq!(
        detect(&srs_of(&esri)).unwrap().variant,
        Some(Variant::NoiBo)
    );
    // a GeoPackage's EPSG code stands in for a missing authority
    let d = detect(&Srs {
        epsg: Some(5897),
        ..srs_of(wkt)
    })
    .unwrap();
    assert_eq!(d.variant, Some(Variant::HoiNhap));
}

#[test]
fn crss_once_refused_are_now_read_by_their_epsg_code() {
    // Lambert-93, Indian 1960 / UTM 48N, VN-2000 lon/lat: refused before
    // issue 17, now read from the EPSG table.
    for code in ["EPSG:2154", "EPSG:3148", "EPSG:4756"] {
        let wkt = run("gdalsrsinfo", &["-o", "wkt1", code]);
        let d = detect(&srs_of(&wkt)).unwrap_or_else(|e| panic!("{code}: {e}"));
        assert!(d.statement.contains(code), "{code}: {}", d.statement);
    }
    // Lambert on VN-2000: built from its parameters, with the official shift
    let wkt = run(
        "gdalsrsinfo",
        &[
            "-o",
            "wkt1",
            "+proj=lcc +lat_1=20 +lat_2=21 +lat_0=20 +lon_0=105 +ellps=WGS84 +towgs84=-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278",
        ],
    );
    let d = detect(&srs_of(&wkt.replace("\"unknown\"", "\"Vietnam_2000\"")))
        .unwrap_or_else(|e| panic!("{e}"));
    let SourceCrs::Projected(c) = &d.crs else {
        panic!("projected")
    };
    assert!(
        c.proj_string().starts_with("+proj=lcc")
            && c.proj_string()
                .contains(TOWGS84_PROJ.trim_start_matches('+')),
        "{}",
        c.proj_string()
    );
}

#[test]
fn malformed_definitions_are_errors() {
    for bad in [
        "",
        "   ",
        "not wkt at all",
        "PROJCS[\"x\",GEOGCS[\"y\"",
        "PROJCS[\"x\" GEOGCS]",
        "PROJCS[\"x\",GEOGCS[\"unterminated]]",
        "GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",TOWGS84[1,2]]]",
        "PROJCS[\"x\",PARAMETER[\"central_meridian\",1e999]]",
        "GEOGCS[\"WGS 84\"]] trailing",
        "]",
    ] {
        assert!(detect(&srs_of(bad)).is_err(), "{bad:?}");
    }
    let deep = "A[".repeat(10_000);
    let e = detect(&srs_of(&deep)).unwrap_err().to_string();
    assert!(e.contains(" / malformed CRS definition"), "{e}");
    // the messages are bilingual
    let e = detect(&srs_of("PROJCS[\"x\"")).unwrap_err().to_string();
    assert!(
        e.starts_with("định nghĩa hệ tọa độ hỏng") && e.contains(" / "),
        "{e}"
    );
}

#[test]
fn an_epsg_code_alone_is_enough() {
    let d = detect(&Srs {
        epsg: Some(9218),
        ..srs_of("")
    })
    .unwrap();
    assert_eq!(projected(&d).name(), "EPSG:9218");
    assert!(d.statement.contains("108°30'"), "{}", d.statement);
    assert!(matches!(
        detect(&Srs {
            epsg: Some(4326),
            ..srs_of("")
        })
        .unwrap()
        .crs,
        SourceCrs::Wgs84
    ));
    assert!(
        detect(&Srs {
            epsg: Some(1),
            ..srs_of("")
        })
        .is_err()
    );
}
