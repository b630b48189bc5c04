//! WGS84 lon/lat ↔ the ward's projected CRS (VN-2000 TM-3 by default).
//!
//! Backed by proj4rs (pure Rust). The VN-2000 datum shift is the 7-parameter
//! transformation of Decision 05/2007/QĐ-BTNMT (EPSG:6960), written in PROJ's
//! Position Vector convention: the decision states Coordinate Frame rotations,
//! so the three rotation signs are flipped here (see shared/reference/README.md).

use proj4rs::Proj;
use proj4rs::transform::{Transform, TransformClosure, transform};

/// EPSG:6960 as a `+towgs84` (Position Vector) string.
pub const VN2000_TOWGS84: &str = "+towgs84=-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278";

/// The default CRS: VN-2000 / TM-3 zone 482, central meridian 105°00' (Thanh Hóa).
pub const DEFAULT_CRS: &str = "EPSG:5897";

/// VN-2000 / TM-3 zones: EPSG code → central meridian in degrees.
pub const VN2000_TM3_ZONES: &[(u32, f64)] = &[
    (5896, 102.0),
    (9205, 103.0),
    (9206, 104.0),
    (9207, 104.5),
    (9208, 104.75),
    (5897, 105.0),
    (9209, 105.5),
    (9210, 105.75),
    (9211, 106.0),
    (9212, 106.25),
    (9213, 106.5),
    (9214, 107.0),
    (9215, 107.25),
    (9216, 107.5),
    (5899, 107.75),
    (5898, 108.0),
    (9217, 108.25),
    (9218, 108.5),
];

#[derive(Debug, thiserror::Error)]
pub enum CrsError {
    #[error(
        "hệ tọa độ không được hỗ trợ / unsupported CRS '{0}': use EPSG:5897 and the other VN-2000 TM-3 zones, EPSG:3405/3406, EPSG:326NN/327NN, or a PROJ string"
    )]
    Unsupported(String),
    #[error("chuỗi PROJ không hợp lệ / invalid PROJ string '{0}': {1}")]
    BadProjString(String, String),
    #[error(
        "hệ tọa độ '{0}' không phải hệ phẳng / CRS '{0}' is not projected: measurements need metres"
    )]
    NotProjected(String),
    #[error("không chuyển được tọa độ / cannot transform ({0}, {1}): {2}")]
    Transform(f64, f64, String),
}

/// A projected CRS together with the WGS84 geographic CRS it converts from.
pub struct Crs {
    name: String,
    proj_string: String,
    wgs84: Proj,
    projected: Proj,
}

impl std::fmt::Debug for Crs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crs")
            .field("name", &self.name)
            .field("proj_string", &self.proj_string)
            .finish()
    }
}

/// The PROJ string for a VN-2000 TM-3 zone with the given central meridian.
pub fn vn2000_tm3(lon_0: f64) -> String {
    format!(
        "+proj=tmerc +lat_0=0 +lon_0={lon_0} +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 {VN2000_TOWGS84} +units=m +no_defs"
    )
}

/// Resolves a configured CRS name to a PROJ string.
///
/// Accepts `EPSG:NNNN` for the VN-2000 TM-3 zones, VN-2000 UTM (3405, 3406),
/// WGS84 UTM (326NN, 327NN), or any PROJ string (starting with `+`).
pub fn resolve(name: &str) -> Result<String, CrsError> {
    let s = name.trim();
    if s.starts_with('+') {
        return Ok(s.to_string());
    }
    let code = s
        .strip_prefix("EPSG:")
        .or_else(|| s.strip_prefix("epsg:"))
        .and_then(|c| c.trim().parse::<u32>().ok())
        .ok_or_else(|| CrsError::Unsupported(s.to_string()))?;
    if let Some((_, lon_0)) = VN2000_TM3_ZONES.iter().find(|(c, _)| *c == code) {
        return Ok(vn2000_tm3(*lon_0));
    }
    match code {
        3405 | 3406 => {
            let zone = if code == 3405 { 48 } else { 49 };
            Ok(format!(
                "+proj=utm +zone={zone} +ellps=WGS84 {VN2000_TOWGS84} +units=m +no_defs"
            ))
        }
        32601..=32660 => Ok(format!(
            "+proj=utm +zone={} +datum=WGS84 +units=m +no_defs",
            code - 32600
        )),
        32701..=32760 => Ok(format!(
            "+proj=utm +zone={} +south +datum=WGS84 +units=m +no_defs",
            code - 32700
        )),
        _ => Err(CrsError::Unsupported(s.to_string())),
    }
}

/// A slice of `[x, y]` pairs as proj4rs sees it, converting degrees at the edges.
struct Points<'a> {
    pts: &'a mut [[f64; 2]],
}

impl Transform for Points<'_> {
    fn transform_coordinates<F: TransformClosure>(
        &mut self,
        f: &mut F,
    ) -> proj4rs::errors::Result<()> {
        for p in self.pts.iter_mut() {
            let (x, y, _) = f(p[0], p[1], 0.0)?;
            *p = [x, y];
        }
        Ok(())
    }
}

impl Crs {
    /// Parses a CRS from configuration (`EPSG:5897`, a PROJ string...).
    ///
    /// ```
    /// use hiendat::geometry::crs::Crs;
    /// let crs = Crs::parse("EPSG:5897").unwrap();
    /// // Thanh Hóa city centre, checked against PROJ 9.5 (shared/reference/vn2000-oracle.csv)
    /// let [e, n] = crs.to_projected(105.72, 19.75).unwrap();
    /// assert!((e - 575261.9538).abs() < 1e-3 && (n - 2184741.0561).abs() < 1e-3);
    /// ```
    pub fn parse(name: &str) -> Result<Crs, CrsError> {
        let proj_string = resolve(name)?;
        let projected = Proj::from_proj_string(&proj_string)
            .map_err(|e| CrsError::BadProjString(proj_string.clone(), e.to_string()))?;
        if projected.is_latlong() || projected.is_geocent() {
            return Err(CrsError::NotProjected(name.to_string()));
        }
        // `+datum=WGS84`, not just `+ellps=WGS84`: without a datum proj4rs skips the shift.
        let wgs84 = Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs")
            .map_err(|e| CrsError::BadProjString("WGS84".into(), e.to_string()))?;
        Ok(Crs {
            name: name.trim().to_string(),
            proj_string,
            wgs84,
            projected,
        })
    }

    /// The default CRS (EPSG:5897, VN-2000 TM-3 105°).
    pub fn vn2000_thanh_hoa() -> Crs {
        Crs::parse(DEFAULT_CRS).expect("the built-in CRS parses")
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn proj_string(&self) -> &str {
        &self.proj_string
    }

    /// Projects WGS84 lon/lat (degrees) in place to easting/northing (metres).
    pub fn project_in_place(&self, pts: &mut [[f64; 2]]) -> Result<(), CrsError> {
        for p in pts.iter_mut() {
            p[0] = p[0].to_radians();
            p[1] = p[1].to_radians();
        }
        let first = pts.first().copied().unwrap_or([0.0, 0.0]);
        transform(&self.wgs84, &self.projected, &mut Points { pts }).map_err(|e| {
            CrsError::Transform(first[0].to_degrees(), first[1].to_degrees(), e.to_string())
        })
    }

    /// Converts easting/northing (metres) in place to WGS84 lon/lat (degrees).
    pub fn unproject_in_place(&self, pts: &mut [[f64; 2]]) -> Result<(), CrsError> {
        let first = pts.first().copied().unwrap_or([0.0, 0.0]);
        transform(&self.projected, &self.wgs84, &mut Points { pts: &mut *pts })
            .map_err(|e| CrsError::Transform(first[0], first[1], e.to_string()))?;
        for p in pts.iter_mut() {
            p[0] = p[0].to_degrees();
            p[1] = p[1].to_degrees();
        }
        Ok(())
    }

    /// One point, WGS84 lon/lat degrees → projected metres.
    pub fn to_projected(&self, lon: f64, lat: f64) -> Result<[f64; 2], CrsError> {
        let mut p = [[lon, lat]];
        self.project_in_place(&mut p)?;
        Ok(p[0])
    }

    /// One point, projected metres → WGS84 lon/lat degrees.
    pub fn to_wgs84(&self, x: f64, y: f64) -> Result<[f64; 2], CrsError> {
        let mut p = [[x, y]];
        self.unproject_in_place(&mut p)?;
        Ok(p[0])
    }
}
