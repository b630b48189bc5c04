//! Any CRS a surveyor's file states (issue 17, item 2): a ward's road and
//! parcels made in a metric reference CRS, reprojected by GDAL
//! (`ogr2ogr -t_srs EPSG:N`) into a foreign CRS (HN-72 Gauss–Krüger, British
//! National Grid, Belgian Lambert 72, New York State Plane in US survey
//! feet), written as a GeoPackage, a GeoJSON with a `crs` member, or (the
//! parcels) a shapefile (ESRI .prj, no EPSG code), and imported through the
//! binary. The donated areas must equal those of
//! the same data imported in the reference CRS within 0.01 m², and GDAL's
//! own reading of the foreign file (feature count; areas after reprojecting
//! it back) must agree with hiendat's.
//!
//! The measuring CRS is the reference one (`--crs`): VN-2000 TM-3 105° for
//! HN-72, the local WGS 84 UTM zone abroad.

mod common;

use common::cli::{gdal, ok, run, s};
use std::path::{Path, PathBuf};

fn dir(name: &str) -> PathBuf {
    common::cli::scratch("i17crs-", name)
}

/// A road and three parcels around (x, y) in a metric CRS `srs`, as two
/// GeoPackages made by GDAL from CSV.
fn ward(d: &Path, srs: &str, x: f64, y: f64) -> (PathBuf, PathBuf) {
    let ring = |r: &[[f64; 2]]| {
        let mut pts: Vec<String> = r
            .iter()
            .map(|p| format!("{} {}", x + p[0], y + p[1]))
            .collect();
        pts.push(pts[0].clone());
        pts.join(",")
    };
    let parcels = [
        vec![[0.0, 0.0], [20.5, 0.0], [20.5, 15.25], [0.0, 15.25]],
        vec![[20.5, 0.0], [41.0, 0.125], [41.0, 15.25], [20.5, 15.25]],
        vec![[41.0, 0.125], [60.0, 0.0], [60.0, 15.25], [41.0, 15.25]],
    ];
    let rows: Vec<String> = parcels
        .iter()
        .enumerate()
        .map(|(i, r)| format!("P{},5,{},\"POLYGON(({}))\"", i + 1, 12 + i, ring(r)))
        .collect();
    let p = csv_to_gpkg(d, "thua", "id,map_sheet,parcel_no", &rows, srs);
    let seg = format!(
        "S1,Đường Trần Phú,4,8,\"LINESTRING({} {},{} {})\"",
        x - 5.0,
        y - 1.0,
        x + 65.0,
        y - 1.0
    );
    let sg = csv_to_gpkg(
        d,
        "segs",
        "id,name,current_width_m,planned_width_m",
        &[seg],
        srs,
    );
    (sg, p)
}

fn csv_to_gpkg(d: &Path, name: &str, header: &str, rows: &[String], srs: &str) -> PathBuf {
    let csv = d.join(format!("{name}.csv"));
    std::fs::write(&csv, format!("{header},wkt\n{}\n", rows.join("\n"))).unwrap();
    let out = d.join(format!("{name}.gpkg"));
    gdal(
        "ogr2ogr",
        &[
            "-f",
            "GPKG",
            s(&out),
            s(&csv),
            "-oo",
            "GEOM_POSSIBLE_NAMES=wkt",
            "-oo",
            "KEEP_GEOM_COLUMNS=NO",
            "-oo",
            "AUTODETECT_TYPE=YES",
            "-a_srs",
            srs,
            "-nln",
            name,
        ],
    );
    out
}

/// `src` reprojected by GDAL to `srs`, as a GeoPackage, a shapefile or a
/// GeoJSON (which then states its CRS in a `crs` member), by `ext`.
fn reproject(src: &Path, srs: &str, ext: &str) -> PathBuf {
    let stem = src.file_stem().unwrap().to_str().unwrap();
    let tag = srs.replace(':', "");
    let driver = match ext {
        "shp" => "ESRI Shapefile",
        "geojson" => "GeoJSON",
        _ => "GPKG",
    };
    let out = src.with_file_name(format!("{stem}-{tag}.{ext}"));
    gdal(
        "ogr2ogr",
        &["-f", driver, s(&out), s(src), "-t_srs", srs, "-nln", stem],
    );
    out
}

/// Imports into a fresh database measured in `crs`; the report and each
/// parcel's (area, donated area), by id.
fn import(
    d: &Path,
    tag: &str,
    segs: &Path,
    parcels: &Path,
    crs: &str,
) -> (String, Vec<(String, f64, f64)>) {
    let db = d.join(format!("{tag}.db"));
    let said = ok(&[
        "import",
        "--db",
        s(&db),
        "--segments",
        s(segs),
        "--parcels",
        s(parcels),
        "--crs",
        crs,
    ]);
    let out = d.join(format!("{tag}.geojson"));
    ok(&[
        "export",
        "--db",
        s(&db),
        "--format",
        "geojson",
        "--layer",
        "parcels",
        "--out",
        s(&out),
    ]);
    let j: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let mut v: Vec<(String, f64, f64)> = j["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            (
                p["id"].as_str().unwrap().to_string(),
                p["area_m2"].as_f64().unwrap(),
                p["donate_m2"].as_f64().unwrap(),
            )
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    (said, v)
}

/// GDAL's reading of a file: feature count (`ogrinfo -al -so`) and each
/// polygon's area after reprojecting to `back` (m²), in file order.
fn gdal_reading(file: &Path, back: &str) -> (usize, Vec<f64>) {
    let info = gdal("ogrinfo", &["-al", "-so", s(file)]);
    let count = info
        .lines()
        .find_map(|l| l.strip_prefix("Feature Count: "))
        .and_then(|c| c.trim().parse().ok())
        .unwrap_or_else(|| panic!("{info}"));
    let metric = file.with_file_name(format!(
        "{}-back.gpkg",
        file.file_stem().unwrap().to_str().unwrap()
    ));
    gdal(
        "ogr2ogr",
        &[
            "-f",
            "GPKG",
            s(&metric),
            s(file),
            "-t_srs",
            back,
            "-nln",
            "back",
        ],
    );
    let out = gdal(
        "ogrinfo",
        &[
            "-dialect",
            "SQLite",
            "-sql",
            "SELECT ST_Area(geom) AS a FROM back",
            s(&metric),
        ],
    );
    let areas = out
        .lines()
        .filter_map(|l| l.trim().strip_prefix("a (Real) = "))
        .map(|a| a.trim().parse().unwrap())
        .collect();
    (count, areas)
}

/// The whole check for one foreign CRS.
fn same_as_in_reference(
    tag: &str,
    reference: &str,
    at: [f64; 2],
    foreign: &str,
    ext: &str,
    said_has: &str,
) {
    let d = dir(tag);
    let (segs, parcels) = ward(&d, reference, at[0], at[1]);
    let (_, want) = import(&d, "reference", &segs, &parcels, reference);
    assert_eq!(want.len(), 3);
    assert!(want.iter().all(|p| p.2 > 10.0), "donations: {want:?}");

    // segments always as a GeoPackage: a .dbf cuts planned_width_m's name
    let fsegs = reproject(&segs, foreign, if ext == "shp" { "gpkg" } else { ext });
    let fparcels = reproject(&parcels, foreign, ext);
    let (said, got) = import(&d, "foreign", &fsegs, &fparcels, reference);
    assert!(said.contains(said_has), "{tag}: {said}");
    for (w, g) in want.iter().zip(&got) {
        assert_eq!(w.0, g.0);
        assert!(
            (w.2 - g.2).abs() < 0.01,
            "{tag} {}: donated {} vs {}",
            w.0,
            g.2,
            w.2
        );
        assert!(
            (w.1 - g.1).abs() < 0.01,
            "{tag} {}: area {} vs {}",
            w.0,
            g.1,
            w.1
        );
    }
    // GDAL's own reading of the foreign file
    let (count, areas) = gdal_reading(&fparcels, reference);
    assert_eq!(count, got.len(), "{tag}");
    let mut gdal_areas = areas.clone();
    gdal_areas.sort_by(f64::total_cmp);
    let mut ours: Vec<f64> = got.iter().map(|p| p.1).collect();
    ours.sort_by(f64::total_cmp);
    for (a, b) in gdal_areas.iter().zip(&ours) {
        assert!((a - b).abs() < 0.01, "{tag}: GDAL {a} m², hiendat {b} m²");
    }
}

#[test]
fn a_hn72_gauss_kruger_shapefile_measures_as_its_vn2000_original() {
    // ESRI .prj: Hanoi_1972_GK_Zone_18, D_Hanoi_1972, no EPSG code
    same_as_in_reference(
        "hn72",
        "EPSG:5897",
        [580_000.0, 2_155_000.0],
        "EPSG:2044",
        "shp",
        "HN-72",
    );
}

#[test]
fn a_hn72_geopackage_by_its_epsg_code_measures_as_its_vn2000_original() {
    same_as_in_reference(
        "hn72-gpkg",
        "EPSG:9210",
        [586_000.0, 2_326_000.0],
        "EPSG:2044",
        "gpkg",
        "EPSG:2044",
    );
}

#[test]
fn british_national_grid_measures_as_in_utm() {
    same_as_in_reference(
        "bng",
        "EPSG:32630",
        [699_000.0, 5_710_000.0],
        "EPSG:27700",
        "gpkg",
        "EPSG:27700",
    );
}

#[test]
fn belgian_lambert_72_shapefile_measures_as_in_utm() {
    same_as_in_reference(
        "lambert72",
        "EPSG:32631",
        [595_000.0, 5_634_000.0],
        "EPSG:31370",
        "shp",
        "Belge_Lambert_1972",
    );
}

#[test]
fn new_york_state_plane_in_us_feet_measures_in_square_metres() {
    same_as_in_reference(
        "stateplane",
        "EPSG:32618",
        [585_000.0, 4_511_000.0],
        "EPSG:2263",
        "shp",
        "converted to metres",
    );
}

#[test]
fn a_geojson_stating_hn72_in_its_crs_member_measures_as_its_vn2000_original() {
    // GDAL writes "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2044"}}
    same_as_in_reference(
        "hn72-geojson",
        "EPSG:9210",
        [586_000.0, 2_326_000.0],
        "EPSG:2044",
        "geojson",
        "urn:ogc:def:crs:EPSG::2044",
    );
}

#[test]
fn hn72_longitude_latitude_given_by_crs_for_a_file_stating_none() {
    let d = dir("hn72-lonlat");
    let (segs, parcels) = ward(&d, "EPSG:5897", 580_000.0, 2_155_000.0);
    let (_, want) = import(&d, "reference", &segs, &parcels, "EPSG:5897");
    // the road as a GeoPackage stating EPSG:4147; the parcels as a
    // shapefile whose .prj is lost: --crs EPSG:4147 says what it is
    let fsegs = reproject(&segs, "EPSG:4147", "gpkg");
    let fparcels = reproject(&parcels, "EPSG:4147", "shp");
    std::fs::remove_file(fparcels.with_extension("prj")).unwrap();
    let db = d.join("lonlat.db");
    let said = ok(&[
        "import",
        "--db",
        s(&db),
        "--segments",
        s(&fsegs),
        "--parcels",
        s(&fparcels),
        "--crs",
        "EPSG:4147",
    ]);
    assert!(said.contains("--crs EPSG:4147"), "{said}");
    assert!(said.contains("EPSG:4147"), "{said}");
    let out = d.join("lonlat.geojson");
    ok(&[
        "export",
        "--db",
        s(&db),
        "--format",
        "geojson",
        "--layer",
        "parcels",
        "--out",
        s(&out),
    ]);
    let j: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let mut got: Vec<(String, f64)> = j["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            (
                p["id"].as_str().unwrap().to_string(),
                p["donate_m2"].as_f64().unwrap(),
            )
        })
        .collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(got.len(), want.len());
    for (w, g) in want.iter().zip(&got) {
        // measured in the default EPSG:5897, like the reference
        assert!((w.2 - g.1).abs() < 0.01, "{}: {} vs {}", w.0, g.1, w.2);
    }
}

#[test]
fn an_unrecognised_crs_is_refused_by_name_and_nothing_is_written() {
    let d = dir("refused");
    let (segs, parcels) = ward(&d, "EPSG:5897", 580_000.0, 2_155_000.0);
    let local = reproject(&parcels, "EPSG:2044", "shp");
    // a datum EPSG does not know, with no TOWGS84
    let prj = local.with_extension("prj");
    let text = std::fs::read_to_string(&prj).unwrap();
    std::fs::write(
        &prj,
        text.replace("D_Hanoi_1972", "D_Ward_Local_1990")
            .replace("GCS_Hanoi_1972", "GCS_Ward_Local_1990")
            .replace("Hanoi_1972_GK_Zone_18", "Ward_Local_Grid"),
    )
    .unwrap();
    let db = d.join("ward.db");
    let o = run(&[
        "import",
        "--db",
        s(&db),
        "--segments",
        s(&segs),
        "--parcels",
        s(&local),
    ]);
    assert!(!o.status.success());
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("Ward_Local_Grid"), "{e}");
    assert!(e.contains("thua"), "{e}");
    assert!(e.contains("hiendat accepts"), "{e}");
    assert!(!db.exists(), "nothing written");
}

#[test]
fn metres_in_a_file_stating_a_geographic_crs_are_refused_naming_that_crs() {
    let d = dir("metres-as-lonlat");
    // VN-2000 metres in files that say they are HN-72 longitude/latitude
    let (segs, parcels) = ward(&d, "EPSG:4147", 580_000.0, 2_155_000.0);
    let db = d.join("ward.db");
    let o = run(&[
        "import",
        "--db",
        s(&db),
        "--segments",
        s(&segs),
        "--parcels",
        s(&parcels),
    ]);
    assert!(!o.status.success());
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("dù hệ tọa độ là EPSG:4147") && e.contains("although the CRS is EPSG:4147"),
        "{e}"
    );
    assert!(!e.contains("WGS84"), "{e}");
    assert!(!db.exists(), "nothing written");
}
