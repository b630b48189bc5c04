//! Coordinate reference systems in files: the OGC WKT 1 that hiendat writes
//! into a .prj or a GeoPackage for its CRSs ([`wgs84`], [`for_crs`]), and the
//! reading of what a file states back into a hiendat CRS ([`detect`]).
//!
//! The trap this module exists for: VN-2000 circulates in two variants. "Hội
//! nhập" carries the 7-parameter shift of Decision 05/2007/QĐ-BTNMT
//! (EPSG:6960); "nội bộ" has none, so its coordinates sit ~230 m off Google
//! Earth. A WKT 1 `TOWGS84` is in the Position Vector convention while the
//! Decision writes Coordinate Frame rotations, so the three rotation signs
//! must be flipped — and many definitions in circulation (epsg.io's among
//! them) keep the Decision's signs. [`detect`] recognises both sign
//! conventions, always uses the correct one and says what it found.
//!
//! Parsed: WKT 1 (OGC and ESRI flavours) and WKT 2 (including GDAL's
//! `BOUNDCRS` with an abridged 7-parameter transformation). Recognised:
//! WGS 84 lon/lat, and Transverse Mercator (TM-3, UTM, custom) on VN-2000 or
//! WGS 84 as hiendat's own; any other CRS by its EPSG code, or by its
//! parameters (Transverse Mercator/Gauss–Krüger, Lambert Conformal Conic 1SP
//! and 2SP, Oblique/Double Stereographic; any ellipsoid; a TOWGS84 or a
//! datum EPSG knows; any linear unit) in [`foreign`]: HN-72 among them.
//! Left out: other projections without an EPSG code, datums without a known
//! shift, vertical and compound CRSs beyond their horizontal part, PROJJSON.

use std::fmt::Write as _;

use crate::formats::layer::{FormatError, Srs};
use crate::geometry::crs::{Crs, CrsError, VN2000_TM3_ZONES};

mod detect;
mod foreign;
#[cfg(test)]
mod foreign_tests;
mod geojson_crs;
mod known;
mod parse;
#[cfg(test)]
mod tests;
mod write;

pub use self::detect::*;
use self::foreign::*;
pub use self::geojson_crs::*;
use self::known::*;
use self::parse::*;
pub use self::write::*;

/// EPSG:6960 in the Position Vector convention (what WKT 1 `TOWGS84` and
/// PROJ `+towgs84` mean): dx, dy, dz (m), rx, ry, rz (arc-seconds), ds (ppm).
pub const VN2000_TOWGS84_PV: [f64; 7] = [
    -191.90441429,
    -39.30318279,
    -111.45032835,
    0.00928836,
    -0.01975479,
    0.00427372,
    0.252906278,
];

/// The same written as `TOWGS84[...]` numbers.
const VN2000_TOWGS84_WKT: &str =
    "-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278";

/// What a layer's coordinates are in, as read from a file.
// One per file read: its size does not matter, a plain `Crs` is simpler to use.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum SourceCrs {
    /// WGS 84 longitude/latitude in degrees.
    Wgs84,
    /// Projected metres.
    Projected(Crs),
    /// Longitude/latitude in degrees on a datum other than WGS 84 (HN-72,
    /// EPSG:4147; VN-2000, EPSG:4756): converted by
    /// [`Crs::unproject_file_in_place`], never measured in.
    Geographic(Crs),
}

impl SourceCrs {
    /// The CRS a name such as `--crs` gives: `EPSG:4326` (or `WGS84`) for
    /// longitude/latitude, else a projected CRS as [`Crs::parse`] takes it.
    /// Also the URN and URL forms a GeoJSON `crs` member holds
    /// (`urn:ogc:def:crs:EPSG::2044`, `urn:ogc:def:crs:OGC:1.3:CRS84`), and
    /// any EPSG code [`crate::geometry::crs::resolve`] takes, geographic ones
    /// included (`EPSG:4147`, HN-72).
    pub fn parse(name: &str) -> Result<SourceCrs, CrsError> {
        let n = name.trim();
        let crs84 = n
            .to_ascii_lowercase()
            .replace("::", ":")
            .ends_with(":crs84");
        if crs84
            || n.eq_ignore_ascii_case("WGS84")
            || crate::geometry::crs::epsg_code(n) == Some(4326)
        {
            return Ok(SourceCrs::Wgs84);
        }
        let crs = Crs::parse_source(n)?;
        Ok(if crs.is_geographic() {
            SourceCrs::Geographic(crs)
        } else {
            SourceCrs::Projected(crs)
        })
    }
}

/// Which VN-2000 a file's definition is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// With the official 7-parameter shift to WGS 84.
    HoiNhap,
    /// Without any shift: coordinates taken as they are on the WGS 84 ellipsoid.
    NoiBo,
}

/// What [`detect`] made of a file's CRS definition.
#[derive(Debug)]
pub struct Detected {
    pub crs: SourceCrs,
    /// What was recognised, for the user: Vietnamese, " / ", English.
    pub statement: String,
    /// `Some` for VN-2000 only.
    pub variant: Option<Variant>,
}

/// A CRS definition that cannot be written or recognised.
#[derive(Debug, thiserror::Error)]
pub enum SrsError {
    /// Not WKT, or WKT that cannot be read.
    #[error("định nghĩa hệ tọa độ hỏng: {0}")]
    Malformed(String),
    /// Readable, but not a CRS hiendat handles.
    #[error("{0}")]
    Unrecognised(String),
    #[error("{0}")]
    Crs(#[from] CrsError),
}

impl From<SrsError> for FormatError {
    fn from(e: SrsError) -> FormatError {
        FormatError::Invalid(e.to_string())
    }
}

fn malformed(vi: &str, en: &str) -> SrsError {
    SrsError::Malformed(format!("{vi} / malformed CRS definition: {en}"))
}
