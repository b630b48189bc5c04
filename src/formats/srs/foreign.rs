//! CRSs other than hiendat's own VN-2000 and WGS 84 definitions: by EPSG
//! code (the `crs-definitions` table, see [`crate::geometry::crs`]), or, when
//! a file gives none (an ESRI .prj), from the WKT's projection, parameters,
//! ellipsoid, datum shift and unit, written as a PROJ string for proj4rs.
//!
//! The datum shift comes from the file's `TOWGS84`; without one, from the
//! EPSG geographic CRS the file names by code or by datum or geographic CRS
//! name (ESRI's `D_`/`GCS_` names included); a datum with no known shift is
//! refused rather than taken as WGS 84, which would place points up to
//! hundreds of metres off.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::*;

/// How a file states its CRS, for the statement: Vietnamese, English.
type How = (&'static str, &'static str);

/// The EPSG definition of `code` as the file's CRS.
pub(super) fn from_table(code: u32, name: &str, how: How) -> Result<Detected, SrsError> {
    let Some(proj) = crate::geometry::crs::epsg_table(code) else {
        return Err(refused(name, &format!("EPSG:{code}")));
    };
    let crs = Crs::from_definition(&format!("EPSG:{code}"), &proj)?;
    let label = if name.is_empty() {
        hn72_name(code).unwrap_or_default()
    } else {
        name.to_string()
    };
    let label = if label.is_empty() {
        format!("EPSG:{code}")
    } else {
        format!("{label} (EPSG:{code})")
    };
    Ok(detected(crs, &label, how, &proj, ("", "")))
}

fn hn72_name(code: u32) -> Option<String> {
    Some(
        match code {
            4147 => "Hanoi 1972",
            2044 => "Hanoi 1972 / Gauss-Kruger zone 18",
            2045 => "Hanoi 1972 / Gauss-Kruger zone 19",
            2093 => "Hanoi 1972 / GK 106 NE",
            _ => return None,
        }
        .to_string(),
    )
}

/// `note`: what was done with the file's definition (Vietnamese, English,
/// each empty or starting "; ").
fn detected(crs: Crs, label: &str, how: How, proj: &str, note: (&str, &str)) -> Detected {
    let unit = if crs.to_meter() == 1.0 {
        (String::new(), String::new())
    } else {
        let u = crs.to_meter();
        (
            format!("; đơn vị {} m, đã đổi ra mét", vi_number(u)),
            format!("; unit {u} m, converted to metres"),
        )
    };
    let hn72 = proj.contains(crate::geometry::crs::HN72_TOWGS84.trim_start_matches('+'));
    let (hv, he) = if hn72 {
        (
            " (HN-72, elipxoit Krasovsky 1940, chuyển sang WGS 84 theo EPSG:1544)",
            " (HN-72, Krasovsky 1940 ellipsoid, shifted to WGS 84 by EPSG:1544)",
        )
    } else {
        ("", "")
    };
    let statement = format!(
        "{label}{hv} theo {}{}{} / {label}{he} by {}{}{}",
        how.0, unit.0, note.0, how.1, unit.1, note.1
    );
    let crs = if crs.is_geographic() {
        SourceCrs::Geographic(crs)
    } else {
        SourceCrs::Projected(crs)
    };
    Detected {
        crs,
        statement,
        variant: None,
    }
}

/// 0.3048006096 → "0,3048006096".
fn vi_number(x: f64) -> String {
    x.to_string().replace('.', ",")
}

/// The refusal that names the CRS and says what hiendat accepts; `why` is
/// "Vietnamese / English", or one word for both.
pub(super) fn refused(name: &str, why: &str) -> SrsError {
    let (vi, en) = why.split_once(" / ").unwrap_or((why, why));
    use crate::geometry::crs::{ACCEPTED_EN, ACCEPTED_VI};
    SrsError::Unrecognised(format!(
        "hệ tọa độ không nhận ra: {name} ({vi}). {ACCEPTED_VI} / unrecognised CRS: {name} ({en}). {ACCEPTED_EN}"
    ))
}

/// A CRS that is neither hiendat's VN-2000 nor WGS 84: by its EPSG code,
/// else by its parameters.
pub(super) fn foreign(f: &Facts) -> Result<Detected, SrsError> {
    if let Some(code) = f.epsg
        && crate::geometry::crs::epsg_table(code).is_some()
    {
        return from_table(
            code,
            &f.name,
            ("mã EPSG trong tệp", "the EPSG code in the file"),
        );
    }
    let proj = proj_string(f)?;
    let crs = Crs::from_definition(&f.name, &proj)?;
    let label = if f.datum.is_empty() {
        f.name.clone()
    } else {
        format!("{} ({})", f.name, f.datum)
    };
    Ok(detected(
        crs,
        &label,
        (
            "phép chiếu, tham số, elipxoit và mốc trong tệp",
            "the projection, parameters, ellipsoid and datum in the file",
        ),
        &proj,
        if cf_signed_vn2000(f) {
            CF_SIGNS_NOTE
        } else {
            ("", "")
        },
    ))
}

/// A VN-2000 shift written with the Decision's Coordinate Frame rotation
/// signs (epsg.io's WKT): read with the Position Vector signs `TOWGS84`
/// means, as [`vn2000_projected`] does (geographic VN-2000, or VN-2000 not
/// in Transverse Mercator or not in metres, comes here).
fn cf_signed_vn2000(f: &Facts) -> bool {
    is_vn2000(f)
        && f.towgs84
            .is_some_and(|t| same_shift(&t, &flip_rotations(&VN2000_TOWGS84_PV)))
}

/// The PROJ string of a definition without a usable EPSG code.
fn proj_string(f: &Facts) -> Result<String, SrsError> {
    let why = |vi: &str, en: &str| refused(&f.name, &format!("{vi} / {en}"));
    let datum = datum_part(f)?;
    let mut out = if f.projected {
        projection(f)?
    } else {
        if (f.angle_unit - DEG).abs() > 1e-12 {
            return Err(why("đơn vị góc không phải độ", "angles not in degrees"));
        }
        "+proj=longlat".to_string()
    };
    out.push(' ');
    out.push_str(&datum);
    if f.prime_meridian.abs() > 1e-12 {
        out.push_str(&format!(
            " +pm={}",
            f.prime_meridian * degrees(f.angle_unit)
        ));
    }
    if f.projected {
        out.push_str(&format!(" +to_meter={}", f.linear_unit.unwrap_or(1.0)));
    }
    out.push_str(" +no_defs");
    Ok(out)
}

/// `+proj=... +lat_0=...` with false easting/northing in metres.
fn projection(f: &Facts) -> Result<String, SrsError> {
    let p = f.params;
    let unit = f.linear_unit.unwrap_or(1.0);
    if !(unit.is_finite() && unit > 0.0) {
        return Err(refused(&f.name, "UNIT"));
    }
    // WKT 1 states false easting/northing in the projected unit; PROJ wants metres.
    let (x_0, y_0) = if f.xy0_in_metres {
        (p.x_0, p.y_0)
    } else {
        (p.x_0 * unit, p.y_0 * unit)
    };
    let method = norm(&f.method);
    let m = f.method_epsg;
    let tail = format!("+x_0={x_0} +y_0={y_0}");
    Ok(
        if matches!(method.as_str(), "transversemercator" | "gausskruger") || m == Some(9807) {
            format!(
                "+proj=tmerc +lat_0={} +lon_0={} +k={} {tail}",
                p.lat_0, p.lon_0, p.k
            )
        } else if method.starts_with("lambertconformalconic") || matches!(m, Some(9801 | 9802)) {
            if method.contains("belgium") || method.contains("michigan") {
                return Err(refused(&f.name, &f.method));
            }
            match (p.lat_1, p.lat_2) {
                (Some(lat_1), Some(lat_2)) if method != "lambertconformalconic1sp" => format!(
                    "+proj=lcc +lat_1={lat_1} +lat_2={lat_2} +lat_0={} +lon_0={} {tail}",
                    p.lat_0, p.lon_0
                ),
                (lat_1, _) => {
                    let lat_1 = lat_1.unwrap_or(p.lat_0);
                    format!(
                        "+proj=lcc +lat_1={lat_1} +lat_0={lat_1} +lon_0={} +k_0={} {tail}",
                        p.lon_0, p.k
                    )
                }
            }
        } else if matches!(
            method.as_str(),
            "obliquestereographic" | "doublestereographic"
        ) || m == Some(9809)
        {
            format!(
                "+proj=sterea +lat_0={} +lon_0={} +k={} {tail}",
                p.lat_0, p.lon_0, p.k
            )
        } else {
            return Err(refused(
                &f.name,
                &format!(
                    "phép chiếu {} chưa được hỗ trợ / projection {} is not supported",
                    f.method, f.method
                ),
            ));
        },
    )
}

/// `+a=… +rf=… +towgs84=…` or `+datum=…`: the ellipsoid and the shift to WGS 84.
fn datum_part(f: &Facts) -> Result<String, SrsError> {
    let ellps = match f.ellipsoid {
        Some((a, rf)) if a > 6_000_000.0 && a < 7_000_000.0 && rf == 0.0 => {
            format!("+a={a} +b={a}")
        }
        Some((a, rf)) if a > 6_000_000.0 && a < 7_000_000.0 && rf > 1.0 => {
            format!("+a={a} +rf={rf}")
        }
        _ => {
            return Err(refused(
                &f.name,
                "thiếu hoặc sai elipxoit / missing or bad ellipsoid",
            ));
        }
    };
    if let Some(t) = f.towgs84 {
        let t = if cf_signed_vn2000(f) {
            VN2000_TOWGS84_PV
        } else {
            t
        };
        let list = t.map(|x| x.to_string()).join(",");
        return Ok(format!("{ellps} +towgs84={list}"));
    }
    if is_wgs84(f) {
        return Ok(format!("{ellps} +towgs84=0,0,0,0,0,0,0"));
    }
    let by_code = [f.geog_epsg, f.datum_epsg.and_then(geog_of_datum)]
        .into_iter()
        .flatten()
        .find_map(|c| crate::geometry::crs::epsg_table(c).and_then(|p| shift_of(&p)));
    let by_name = || {
        let index = datum_index();
        [&f.datum, &f.geog_name]
            .into_iter()
            .map(|n| esri_name(n))
            .find_map(|n| index.get(&n).cloned())
    };
    match by_code.or_else(by_name) {
        Some(shift) if shift.starts_with("+datum=") => Ok(shift),
        Some(shift) => Ok(format!("{ellps} {shift}")),
        None => Err(refused(
            &f.name,
            &format!(
                "mốc {} không có TOWGS84 và không có trong bảng EPSG / datum {} has no TOWGS84 and is not in the EPSG table",
                f.datum, f.datum
            ),
        )),
    }
}

/// The geographic CRS of an EPSG datum code (6xxx → 4xxx by EPSG's numbering).
fn geog_of_datum(datum: u32) -> Option<u32> {
    (6001..=6999).contains(&datum).then(|| datum - 2000)
}

/// `+towgs84=…` or `+datum=…` of a table definition: its shift to WGS 84.
fn shift_of(proj: &str) -> Option<String> {
    proj.split_whitespace()
        .find(|t| t.starts_with("+towgs84=") || t.starts_with("+datum="))
        .map(str::to_string)
}

/// A datum or geographic CRS name as EPSG would normalise it: ESRI's `D_`
/// and `GCS_` prefixes dropped, and the few ESRI names EPSG spells otherwise.
fn esri_name(name: &str) -> String {
    let n = name.trim();
    let n = n
        .strip_prefix("D_")
        .or_else(|| n.strip_prefix("GCS_"))
        .unwrap_or(n);
    let n = norm(n);
    match n.as_str() {
        "belge1972" => "reseaunationalbelge1972".into(),
        "northamerican1983" => "northamericandatum1983".into(),
        "northamerican1927" => "northamericandatum1927".into(),
        "etrs1989" => "europeanterrestrialreferencesystem1989".into(),
        "rgf1993" => "rgf93".into(),
        "gda1994" => "gda94".into(),
        _ => n,
    }
}

/// Datum names and geographic CRS names of the EPSG table → their shift.
fn datum_index() -> &'static HashMap<String, String> {
    static INDEX: OnceLock<HashMap<String, String>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = HashMap::new();
        for code in 4000..=4999u16 {
            let Some(def) = crs_definitions::from_code(code) else {
                continue;
            };
            if !def.proj4.starts_with("+proj=longlat") {
                continue;
            }
            let Some(shift) = crate::geometry::crs::epsg_table(code as u32)
                .as_deref()
                .and_then(shift_of)
            else {
                continue;
            };
            let quoted = |key: &str| {
                let start = def.wkt.find(key)? + key.len();
                let end = def.wkt[start..].find('"')?;
                Some(norm(&def.wkt[start..start + end]))
            };
            for name in [quoted("DATUM[\""), quoted("GEOGCS[\"")]
                .into_iter()
                .flatten()
            {
                index.entry(name).or_insert_with(|| shift.clone());
            }
        }
        index
    })
}
