//! The projected CRSs hiendat knows (Transverse Mercator parameters and
//! datums) and the comparison of 7-parameter shifts: what writing and
//! detecting share.

use super::*;

/// Transverse Mercator parameters, in degrees and metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Tm {
    pub(super) lat_0: f64,
    pub(super) lon_0: f64,
    pub(super) k: f64,
    pub(super) x_0: f64,
    pub(super) y_0: f64,
}

impl Tm {
    pub(super) fn tm3(lon_0: f64) -> Tm {
        Tm {
            lat_0: 0.0,
            lon_0,
            k: 0.9999,
            x_0: 500_000.0,
            y_0: 0.0,
        }
    }

    pub(super) fn utm(zone: u32, south: bool) -> Tm {
        Tm {
            lat_0: 0.0,
            lon_0: -183.0 + 6.0 * zone as f64,
            k: 0.9996,
            x_0: 500_000.0,
            y_0: if south { 10_000_000.0 } else { 0.0 },
        }
    }

    pub(super) fn same(&self, o: &Tm) -> bool {
        (self.lat_0 - o.lat_0).abs() < 1e-9
            && (self.lon_0 - o.lon_0).abs() < 1e-9
            && (self.k - o.k).abs() < 1e-10
            && (self.x_0 - o.x_0).abs() < 1e-6
            && (self.y_0 - o.y_0).abs() < 1e-6
    }

    pub(super) fn proj_params(&self) -> String {
        format!(
            "+proj=tmerc +lat_0={} +lon_0={} +k={} +x_0={} +y_0={}",
            self.lat_0, self.lon_0, self.k, self.x_0, self.y_0
        )
    }

    pub(super) fn wkt_params(&self) -> String {
        format!(
            r#"PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",{}],PARAMETER["central_meridian",{}],PARAMETER["scale_factor",{}],PARAMETER["false_easting",{}],PARAMETER["false_northing",{}],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH]"#,
            self.lat_0, self.lon_0, self.k, self.x_0, self.y_0
        )
    }
}

/// The datum of a projected CRS hiendat knows by EPSG code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Datum {
    Vn2000,
    Wgs84,
}

/// A projected CRS hiendat knows by EPSG code: its EPSG name, datum and parameters.
pub(super) fn known(code: u32) -> Option<(String, Datum, Tm)> {
    if let Some((_, lon_0)) = VN2000_TM3_ZONES.iter().find(|(c, _)| *c == code) {
        // EPSG names the first zones by their old sheet numbers, the later ones by meridian.
        let name = match code {
            5896 => "VN-2000 / TM-3 zone 481".to_string(),
            5897 => "VN-2000 / TM-3 zone 482".to_string(),
            5898 => "VN-2000 / TM-3 zone 491".to_string(),
            _ => format!(
                "VN-2000 / TM-3 {}-{:02}",
                lon_0.trunc(),
                (lon_0.fract() * 60.0).round()
            ),
        };
        return Some((name, Datum::Vn2000, Tm::tm3(*lon_0)));
    }
    match code {
        3405 | 3406 => {
            let zone = code - 3405 + 48;
            Some((
                format!("VN-2000 / UTM zone {zone}N"),
                Datum::Vn2000,
                Tm::utm(zone, false),
            ))
        }
        32601..=32660 => Some((
            format!("WGS 84 / UTM zone {}N", code - 32600),
            Datum::Wgs84,
            Tm::utm(code - 32600, false),
        )),
        32701..=32760 => Some((
            format!("WGS 84 / UTM zone {}S", code - 32700),
            Datum::Wgs84,
            Tm::utm(code - 32700, true),
        )),
        _ => None,
    }
}

pub(super) fn seven(nums: &[f64]) -> Option<[f64; 7]> {
    match nums.len() {
        3 => Some([nums[0], nums[1], nums[2], 0.0, 0.0, 0.0, 0.0]),
        7 => {
            let mut t = [0.0; 7];
            t.copy_from_slice(nums);
            Some(t)
        }
        _ => None,
    }
}

pub(super) fn flip_rotations(t: &[f64; 7]) -> [f64; 7] {
    [t[0], t[1], t[2], -t[3], -t[4], -t[5], t[6]]
}

/// Two shifts that place points within a centimetre of each other: rounded
/// copies of the official parameters count as the official ones.
pub(super) fn same_shift(a: &[f64; 7], b: &[f64; 7]) -> bool {
    (0..3).all(|i| (a[i] - b[i]).abs() < 0.01)
        && (3..6).all(|i| (a[i] - b[i]).abs() < 1e-4)
        && (a[6] - b[6]).abs() < 1e-3
}
