//! WGS84 lon/lat ↔ the ward's projected CRS (VN-2000 TM-3 by default), and
//! any other CRS a file states ↔ WGS84.
//!
//! Backed by proj4rs (pure Rust). The VN-2000 datum shift is the 7-parameter
//! transformation of Decision 05/2007/QĐ-BTNMT (EPSG:6960), written in PROJ's
//! Position Vector convention: the decision states Coordinate Frame rotations,
//! so the three rotation signs are flipped here (see shared/reference/README.md).
//!
//! Other EPSG codes come from the `crs-definitions` table (EPSG → PROJ
//! string, the one proj4rs itself can use): any projection proj4rs has
//! (tmerc, utm, lcc, sterea, omerc, somerc, krovak...) on a datum with a
//! Helmert shift to WGS 84. Refused: definitions that need a grid file
//! (`+nadgrids`, which proj4rs would skip silently, placing points metres
//! off), axes other than east/north, geocentric CRSs.
//!
//! A [`Crs`] always works in metres: a definition in feet (US State Plane)
//! is measured in metres, and [`Crs::unproject_file_in_place`] converts a
//! file's own units first.

use proj4rs::Proj;
use proj4rs::transform::{Transform, TransformClosure, transform};

/// EPSG:6960 as a `+towgs84` (Position Vector) string.
pub const VN2000_TOWGS84: &str = "+towgs84=-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278";

/// EPSG:1544, Hanoi 1972 to WGS 84 (1): what EPSG, PROJ 9.5 and the
/// `crs-definitions` table use for HN-72 (3 parameters, accuracy 5 m).
pub const HN72_TOWGS84: &str = "+towgs84=-17.51,-108.32,-62.39,0,0,0,0";

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

/// What hiendat accepts, for messages (Vietnamese).
pub const ACCEPTED_VI: &str = "hiendat nhận: mã EPSG của hệ phẳng hoặc địa lý có tham số chuyển sang WGS 84 (VN-2000, HN-72, UTM, Lambert, State Plane...), chuỗi PROJ, WKT có mã EPSG hoặc đủ phép chiếu, elipxoit, TOWGS84 và đơn vị";
/// What hiendat accepts, for messages (English).
pub const ACCEPTED_EN: &str = "hiendat accepts: an EPSG code of a projected or geographic CRS with a shift to WGS 84 (VN-2000, HN-72, UTM, Lambert, State Plane...), a PROJ string, WKT with an EPSG code or with its projection, ellipsoid, TOWGS84 and unit";

#[derive(Debug, thiserror::Error)]
pub enum CrsError {
    #[error(
        "hệ tọa độ không được hỗ trợ: '{0}'. {ACCEPTED_VI} / unsupported CRS '{0}'. {ACCEPTED_EN}"
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
    /// A CRS in feet (or another unit) asked for output: hiendat writes
    /// projected coordinates in metres only.
    #[error(
        "hệ tọa độ '{0}' tính bằng feet (đơn vị {1} m), không xuất được: hiendat chỉ xuất tọa độ phẳng bằng mét / CRS '{0}' is in feet (unit {1} m): CRSs in feet are not exported, metres only"
    )]
    NotMetres(String, f64),
}

/// A CRS together with the WGS84 geographic CRS it converts from: projected
/// (in metres, whatever unit its definition states) or, for files only,
/// geographic (degrees).
pub struct Crs {
    name: String,
    /// The definition, in metres.
    proj_string: String,
    wgs84: Proj,
    projected: Proj,
    /// Metres per unit of the definition as stated (0.3048 for the foot).
    to_meter: f64,
    geographic: bool,
}

impl std::fmt::Debug for Crs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crs")
            .field("name", &self.name)
            .field("proj_string", &self.proj_string)
            .field("to_meter", &self.to_meter)
            .finish()
    }
}

/// The PROJ string for a VN-2000 TM-3 zone with the given central meridian.
pub fn vn2000_tm3(lon_0: f64) -> String {
    format!(
        "+proj=tmerc +lat_0=0 +lon_0={lon_0} +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 {VN2000_TOWGS84} +units=m +no_defs"
    )
}

/// The EPSG code in `EPSG:N`, `EPSG::N`, `urn:ogc:def:crs:EPSG::N` (or with
/// a version, `urn:ogc:def:crs:EPSG:9.8:N`) and
/// `http://www.opengis.net/def/crs/EPSG/0/N`.
pub fn epsg_code(name: &str) -> Option<u32> {
    let s = name.trim();
    let lower = s.to_ascii_lowercase();
    let rest = if let Some(r) = lower.strip_prefix("urn:ogc:def:crs:epsg:") {
        r.rsplit(':').next()?
    } else if let Some(r) = lower
        .strip_prefix("http://www.opengis.net/def/crs/epsg/")
        .or_else(|| lower.strip_prefix("https://www.opengis.net/def/crs/epsg/"))
    {
        r.rsplit('/').next()?
    } else {
        lower.strip_prefix("epsg:")?.trim_start_matches(':')
    };
    rest.trim().parse::<u32>().ok().filter(|c| *c > 0)
}

/// Resolves a configured CRS name to a PROJ string.
///
/// Accepts `EPSG:NNNN` (and its URN/URL forms, see [`epsg_code`]) for the
/// VN-2000 TM-3 zones, VN-2000 UTM (3405, 3406), WGS84 UTM (326NN, 327NN)
/// with hiendat's own definitions, any other EPSG code the `crs-definitions`
/// table has and proj4rs can use, or any PROJ string (starting with `+`).
pub fn resolve(name: &str) -> Result<String, CrsError> {
    let s = name.trim();
    if s.starts_with('+') {
        return Ok(s.to_string());
    }
    let code = epsg_code(s).ok_or_else(|| CrsError::Unsupported(s.to_string()))?;
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
        _ => epsg_table(code).ok_or_else(|| CrsError::Unsupported(s.to_string())),
    }
}

/// The `crs-definitions` PROJ string of an EPSG code, when proj4rs can use it.
pub fn epsg_table(code: u32) -> Option<String> {
    let def = crs_definitions::from_code(u16::try_from(code).ok()?)?;
    let proj = def.proj4.trim();
    usable(proj).ok()?;
    Some(proj.to_string())
}

/// Why proj4rs cannot place a definition's points correctly, if it cannot.
fn usable(proj: &str) -> Result<(), String> {
    for tok in proj.split_whitespace() {
        let (k, v) = tok
            .trim_start_matches('+')
            .split_once('=')
            .unwrap_or((tok.trim_start_matches('+'), ""));
        match k {
            // proj4rs skips a missing optional grid (`@name`) silently
            "nadgrids" if v != "@null" => return Err(format!("+nadgrids={v}")),
            "geoidgrids" => return Err(format!("+geoidgrids={v}")),
            // proj4rs defines NAD27 by optional grids it does not ship
            "datum" if v.eq_ignore_ascii_case("NAD27") => return Err(format!("+datum={v}")),
            "axis" if v != "enu" => return Err(format!("+axis={v}")),
            "proj" if v == "geocent" || v == "pipeline" => return Err(format!("+proj={v}")),
            _ => {}
        }
    }
    Ok(())
}

/// The same definition in metres: `+units`/`+to_meter` dropped.
fn in_metres(proj: &str) -> String {
    let mut out: Vec<&str> = proj
        .split_whitespace()
        .filter(|t| !t.starts_with("+units=") && !t.starts_with("+to_meter="))
        .collect();
    let defs = out.iter().position(|t| *t == "+no_defs");
    match defs {
        Some(i) => out.insert(i, "+units=m"),
        None => out.push("+units=m"),
    }
    out.join(" ")
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
    /// Parses a CRS from configuration (`EPSG:5897`, a PROJ string...): a
    /// projected CRS, the one measurements are made in (in metres).
    ///
    /// ```
    /// use hiendat::geometry::crs::Crs;
    /// let crs = Crs::parse("EPSG:5897").unwrap();
    /// // Thanh Hóa city centre, checked against PROJ 9.5 (shared/reference/vn2000-oracle.csv)
    /// let [e, n] = crs.to_projected(105.72, 19.75).unwrap();
    /// assert!((e - 575261.9538).abs() < 1e-3 && (n - 2184741.0561).abs() < 1e-3);
    /// ```
    pub fn parse(name: &str) -> Result<Crs, CrsError> {
        let crs = Crs::parse_source(name)?;
        if crs.geographic {
            return Err(CrsError::NotProjected(name.to_string()));
        }
        Ok(crs)
    }

    /// Like [`Crs::parse`], also taking a geographic CRS (HN-72 lon/lat,
    /// EPSG:4147): what a file's coordinates may be in.
    pub fn parse_source(name: &str) -> Result<Crs, CrsError> {
        Crs::from_definition(name, &resolve(name)?)
    }

    /// A CRS from its PROJ string, named `name` for people.
    pub fn from_definition(name: &str, definition: &str) -> Result<Crs, CrsError> {
        let bad = |e: String| CrsError::BadProjString(definition.to_string(), e);
        usable(definition).map_err(|e| bad(format!("{e}: không dùng được / cannot be used")))?;
        let stated = Proj::from_proj_string(definition).map_err(|e| bad(e.to_string()))?;
        if stated.is_geocent() {
            return Err(CrsError::NotProjected(name.to_string()));
        }
        let geographic = stated.is_latlong();
        let (proj_string, projected, to_meter) = if geographic || stated.to_meter() == 1.0 {
            (definition.trim().to_string(), stated, 1.0)
        } else {
            let metric = in_metres(definition);
            let projected = Proj::from_proj_string(&metric).map_err(|e| bad(e.to_string()))?;
            (metric, projected, stated.to_meter())
        };
        if !(to_meter.is_finite() && to_meter > 0.0) {
            return Err(bad("+to_meter".into()));
        }
        // `+datum=WGS84`, not just `+ellps=WGS84`: without a datum proj4rs skips the shift.
        let wgs84 = Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs")
            .map_err(|e| CrsError::BadProjString("WGS84".into(), e.to_string()))?;
        Ok(Crs {
            name: name.trim().to_string(),
            proj_string,
            wgs84,
            projected,
            to_meter,
            geographic,
        })
    }

    /// Longitude/latitude in degrees (a file's CRS only, never a measuring one).
    pub fn is_geographic(&self) -> bool {
        self.geographic
    }

    /// Metres per unit of the definition as stated: 1 for the metre, 0.3048
    /// for the foot, 1200/3937 for the US survey foot.
    pub fn to_meter(&self) -> f64 {
        self.to_meter
    }

    /// Converts a file's coordinates in place to WGS84 lon/lat (degrees):
    /// in the definition's own unit (feet for a State Plane, degrees for a
    /// geographic CRS).
    pub fn unproject_file_in_place(&self, pts: &mut [[f64; 2]]) -> Result<(), CrsError> {
        if self.geographic {
            let first = pts.first().copied().unwrap_or([0.0, 0.0]);
            for p in pts.iter_mut() {
                p[0] = p[0].to_radians();
                p[1] = p[1].to_radians();
            }
            transform(&self.projected, &self.wgs84, &mut Points { pts: &mut *pts })
                .map_err(|e| CrsError::Transform(first[0], first[1], e.to_string()))?;
            for p in pts.iter_mut() {
                p[0] = p[0].to_degrees();
                p[1] = p[1].to_degrees();
            }
            return Ok(());
        }
        if self.to_meter != 1.0 {
            for p in pts.iter_mut() {
                p[0] *= self.to_meter;
                p[1] *= self.to_meter;
            }
        }
        self.unproject_in_place(pts)
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

/// A fast lon/lat → projected transform over a bounded area: exact transforms
/// on a grid of nodes, bicubic (tensor Lagrange) interpolation between them.
///
/// The projection is smooth, so the interpolation error is of the order of
/// `R·h⁴` (h the node spacing in radians): a few nanometres at the 0.005°
/// spacing used here, against a millimetre tolerance. [`Grid::new`] checks
/// this on every cell centre of a sample and refuses a grid that is off by
/// more than 1 µm, so callers fall back to the exact transform. Points
/// outside the grid are transformed exactly.
pub struct Grid<'a> {
    crs: &'a Crs,
    lon0: f64,
    lat0: f64,
    step: f64,
    nx: usize,
    ny: usize,
    /// Node values, row-major (`iy * nx + ix`), minus `origin`.
    nodes: Vec<[f64; 2]>,
    origin: [f64; 2],
}

/// Node spacing in degrees.
const GRID_STEP: f64 = 0.005;
/// Largest grid built (nodes); beyond it every point is transformed exactly.
const GRID_MAX_NODES: usize = 400_000;

impl<'a> Grid<'a> {
    /// A grid covering `[min, max]` (lon/lat degrees), with results relative to `origin`.
    /// `None` when the area is too large or the interpolation fails its check.
    pub fn new(crs: &'a Crs, min: [f64; 2], max: [f64; 2], origin: [f64; 2]) -> Option<Grid<'a>> {
        if !(min[0].is_finite() && min[1].is_finite() && max[0].is_finite() && max[1].is_finite()) {
            return None;
        }
        let step = GRID_STEP;
        // two spare nodes on each side for the 4 × 4 stencil
        let lon0 = (min[0] / step).floor() * step - 2.0 * step;
        let lat0 = (min[1] / step).floor() * step - 2.0 * step;
        let nx = ((max[0] - lon0) / step).ceil() as usize + 3;
        let ny = ((max[1] - lat0) / step).ceil() as usize + 3;
        if nx.checked_mul(ny)? > GRID_MAX_NODES || max[1] + 3.0 * step > 89.0 || lat0 < -89.0 {
            return None;
        }
        use rayon::prelude::*;
        let nodes: Vec<[f64; 2]> = (0..ny)
            .into_par_iter()
            .map(|iy| {
                let mut row: Vec<[f64; 2]> = (0..nx)
                    .map(|ix| [lon0 + ix as f64 * step, lat0 + iy as f64 * step])
                    .collect();
                crs.project_in_place(&mut row).ok()?;
                Some(
                    row.into_iter()
                        .map(|p| [p[0] - origin[0], p[1] - origin[1]])
                        .collect::<Vec<_>>(),
                )
            })
            .collect::<Option<Vec<_>>>()?
            .concat();
        let grid = Grid {
            crs,
            lon0,
            lat0,
            step,
            nx,
            ny,
            nodes,
            origin,
        };
        grid.check().then_some(grid)
    }

    /// Compares the interpolation with the exact transform at up to 400 cell centres.
    fn check(&self) -> bool {
        let cells_x = self.nx - 3;
        let cells_y = self.ny - 3;
        let sx = (cells_x / 20).max(1);
        let sy = (cells_y / 20).max(1);
        let mut pts = Vec::new();
        for iy in (1..cells_y).step_by(sy) {
            for ix in (1..cells_x).step_by(sx) {
                pts.push([
                    self.lon0 + (ix as f64 + 0.5) * self.step,
                    self.lat0 + (iy as f64 + 0.5) * self.step,
                ]);
            }
        }
        let mut exact = pts.clone();
        if self.crs.project_in_place(&mut exact).is_err() {
            return false;
        }
        pts.iter()
            .zip(&exact)
            .all(|(p, e)| match self.interpolate(*p) {
                Some(q) => {
                    (q[0] + self.origin[0] - e[0]).abs() < 1e-6
                        && (q[1] + self.origin[1] - e[1]).abs() < 1e-6
                }
                None => true,
            })
    }

    #[inline]
    fn interpolate(&self, p: [f64; 2]) -> Option<[f64; 2]> {
        let fx = (p[0] - self.lon0) / self.step;
        let fy = (p[1] - self.lat0) / self.step;
        let (ix, iy) = (fx.floor(), fy.floor());
        if !(ix >= 1.0 && iy >= 1.0 && (ix as usize) + 2 < self.nx && (iy as usize) + 2 < self.ny) {
            return None;
        }
        let wx = lagrange(fx - ix);
        let wy = lagrange(fy - iy);
        let (ix, iy) = (ix as usize - 1, iy as usize - 1);
        let mut out = [0.0, 0.0];
        for (j, wyj) in wy.iter().enumerate() {
            let row = &self.nodes[(iy + j) * self.nx + ix..(iy + j) * self.nx + ix + 4];
            let mut r = [0.0, 0.0];
            for (n, w) in row.iter().zip(wx) {
                r[0] += w * n[0];
                r[1] += w * n[1];
            }
            out[0] += wyj * r[0];
            out[1] += wyj * r[1];
        }
        Some(out)
    }

    /// Projects lon/lat points in place, relative to the grid's origin.
    pub fn project_in_place(&self, pts: &mut [[f64; 2]]) -> Result<(), CrsError> {
        for p in pts.iter_mut() {
            match self.interpolate(*p) {
                Some(q) => *p = q,
                None => {
                    let [x, y] = self.crs.to_projected(p[0], p[1])?;
                    *p = [x - self.origin[0], y - self.origin[1]];
                }
            }
        }
        Ok(())
    }
}

/// Cubic Lagrange weights of the nodes −1, 0, 1, 2 at `t` ∈ [0, 1).
#[inline]
fn lagrange(t: f64) -> [f64; 4] {
    let (tm1, tm2, tp1) = (t - 1.0, t - 2.0, t + 1.0);
    [
        -t * tm1 * tm2 / 6.0,
        tp1 * tm1 * tm2 / 2.0,
        -tp1 * t * tm2 / 2.0,
        tp1 * t * tm1 / 6.0,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_matches_the_exact_transform_to_a_micrometre_over_ngoc_son() {
        let crs = Crs::vn2000_thanh_hoa();
        let origin = [580_000.0, 2_158_000.0];
        let grid =
            Grid::new(&crs, [105.74, 19.47], [105.86, 19.55], origin).expect("a ward-sized grid");
        let mut worst: f64 = 0.0;
        for i in 0..500 {
            // a low-discrepancy walk over the ward
            let lon = 105.74 + 0.12 * ((i as f64 * 0.618_033_988_7) % 1.0);
            let lat = 19.47 + 0.08 * ((i as f64 * 0.414_213_562_3) % 1.0);
            let mut p = [[lon, lat]];
            grid.project_in_place(&mut p).unwrap();
            let [x, y] = crs.to_projected(lon, lat).unwrap();
            worst = worst
                .max((p[0][0] + origin[0] - x).abs())
                .max((p[0][1] + origin[1] - y).abs());
        }
        assert!(worst < 1e-6, "worst {worst} m");
    }

    #[test]
    fn points_off_the_grid_are_transformed_exactly() {
        let crs = Crs::vn2000_thanh_hoa();
        let grid = Grid::new(&crs, [105.74, 19.47], [105.86, 19.55], [0.0, 0.0]).unwrap();
        let mut p = [[104.40, 20.45]];
        grid.project_in_place(&mut p).unwrap();
        assert_eq!(p[0], crs.to_projected(104.40, 20.45).unwrap());
    }

    #[test]
    fn a_province_sized_area_still_gets_a_grid_and_a_continent_does_not() {
        let crs = Crs::vn2000_thanh_hoa();
        assert!(Grid::new(&crs, [104.3, 19.2], [106.1, 20.6], [0.0, 0.0]).is_some());
        assert!(Grid::new(&crs, [90.0, 0.0], [120.0, 30.0], [0.0, 0.0]).is_none());
    }

    #[test]
    fn epsg_codes_resolve_to_the_right_zones() {
        assert!(resolve("EPSG:9210").unwrap().contains("+lon_0=105.75"));
        assert!(resolve("EPSG:3405").unwrap().contains("+zone=48"));
        let north = resolve("EPSG:32648").unwrap();
        assert!(north.contains("+zone=48 +datum=WGS84"), "{north}");
        assert!(resolve("EPSG:32748").unwrap().contains("+zone=48 +south"));
        assert!(matches!(
            resolve("EPSG:4326x"),
            Err(CrsError::Unsupported(_))
        ));
        assert!(matches!(resolve("EPSG:1"), Err(CrsError::Unsupported(_))));
        // any other code from the EPSG table; grid-based ones refused
        assert!(resolve("EPSG:2044").unwrap().contains("+ellps=krass"));
        assert!(
            resolve("urn:ogc:def:crs:EPSG::27700")
                .unwrap()
                .contains("OSGB36")
        );
        assert!(matches!(
            resolve("EPSG:26718"),
            Err(CrsError::Unsupported(_))
        ));
        assert!(matches!(
            Crs::parse("+proj=longlat +datum=WGS84"),
            Err(CrsError::NotProjected(_))
        ));
    }

    #[test]
    fn vn2000_utm_48_agrees_with_the_tm3_zone_on_the_datum() {
        // Same datum, different projection: a 1 km square keeps its area within 0.1%.
        let utm = Crs::parse("EPSG:3405").unwrap();
        let [x, y] = utm.to_projected(105.0, 19.5).unwrap();
        // UTM zone 48 central meridian 105°, false easting 500 km, k 0.9996
        assert!((x - 500_000.0).abs() < 300.0, "{x}");
        assert!(y > 2_150_000.0 && y < 2_160_000.0, "{y}");
    }
}
