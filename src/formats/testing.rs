//! What the format modules' tests share: a scratch folder, GDAL's tools,
//! a square ring and hiendat's VN-2000 definition.

use super::layer::Pt;
use std::path::PathBuf;
use std::process::{Command, Output};

/// EPSG:5897 as `srs::for_crs` writes it (Position Vector TOWGS84 signs).
pub const VN2000_WKT: &str = r#"PROJCS["VN-2000 / TM-3 zone 482",GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],TOWGS84[-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278],AUTHORITY["EPSG","6756"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4756"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",105],PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","5897"]]"#;

/// A fresh, empty scratch folder for one test of one module.
pub fn tmp(module: &str, name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("hiendat-{module}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn tool(name: &str, args: &[&str]) -> Output {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} (Debian's gdal-bin) must be installed: {e}"));
    assert!(
        out.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs a GDAL tool that must succeed; its stdout.
pub fn gdal(name: &str, args: &[&str]) -> String {
    String::from_utf8_lossy(&tool(name, args).stdout).into_owned()
}

/// Runs a GDAL tool that must succeed without a word on stderr (GDAL
/// warns there about what it finds wrong in a file); its stdout.
pub fn gdal_quiet(name: &str, args: &[&str]) -> String {
    let out = tool(name, args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.trim().is_empty(),
        "{name} {args:?} complained: {stderr}"
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A closed square ring, counter-clockwise.
pub fn square(x: f64, y: f64, s: f64) -> Vec<Pt> {
    vec![[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]
}
