//! WKT for the CRSs hiendat writes (WGS 84, VN-2000, UTM zones, custom).

use super::*;

pub(super) const GEOGCS_WGS84: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]"#;

/// WGS 84 longitude/latitude (EPSG:4326), as GDAL writes it.
pub fn wgs84() -> Srs {
    Srs {
        epsg: Some(4326),
        name: "WGS 84".into(),
        wkt: r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]"#.into(),
        geographic: true,
    }
}

/// The VN-2000 geographic CRS with the official shift (Position Vector signs).
pub(super) fn geogcs_vn2000() -> String {
    format!(
        r#"GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],TOWGS84[{VN2000_TOWGS84_WKT}],AUTHORITY["EPSG","6756"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4756"]]"#
    )
}

/// OGC WKT 1 of one of hiendat's projected CRSs: the VN-2000 TM-3 zones,
/// VN-2000 UTM (3405, 3406), WGS 84 UTM (326NN, 327NN), each with its EPSG
/// authority, or a `+proj=tmerc`/`+proj=utm` PROJ string ("Custom TM", no
/// EPSG code). VN-2000 carries the official `TOWGS84` (Position Vector).
///
/// A PROJ string on the WGS 84 ellipsoid without `+towgs84` is written on
/// the WGS 84 datum: that is how hiendat transforms it (no shift), so GDAL
/// places the coordinates where hiendat does.
pub fn for_crs(crs: &Crs) -> Result<Srs, SrsError> {
    let name = crs.name().trim();
    let code = name
        .strip_prefix("EPSG:")
        .or_else(|| name.strip_prefix("epsg:"))
        .and_then(|c| c.trim().parse::<u32>().ok())
        .or_else(|| code_of_proj(crs.proj_string()));
    if let Some(code) = code
        && known(code).is_none()
        && let Some(srs) = table_wkt(crs, code)
    {
        return Ok(srs);
    }
    if let Some(code) = code {
        let (name, datum, tm) = known(code).ok_or_else(|| {
            SrsError::Unrecognised(format!(
                "không có định nghĩa WKT cho EPSG:{code} / no WKT definition for EPSG:{code}"
            ))
        })?;
        let geog = match datum {
            Datum::Vn2000 => geogcs_vn2000(),
            Datum::Wgs84 => GEOGCS_WGS84.to_string(),
        };
        let wkt = format!(
            r#"PROJCS["{name}",{geog},{},AUTHORITY["EPSG","{code}"]]"#,
            tm.wkt_params()
        );
        return Ok(Srs {
            epsg: Some(code),
            name,
            wkt,
            geographic: false,
        });
    }
    custom_wkt(crs.proj_string())
}

/// The EPSG code whose definition is exactly this PROJ string (a database
/// records the string, not the code it came from).
pub(super) fn code_of_proj(proj: &str) -> Option<u32> {
    let p = proj.trim();
    crate::geometry::crs::VN2000_TM3_ZONES
        .iter()
        .map(|(c, _)| *c)
        .chain([3405, 3406])
        .chain(32601..=32660)
        .chain(32701..=32760)
        .find(|c| crate::geometry::crs::resolve(&format!("EPSG:{c}")).is_ok_and(|r| r == p))
}

/// WKT 1 for a `+proj=tmerc`/`+proj=utm` string.
pub(super) fn custom_wkt(proj: &str) -> Result<Srs, SrsError> {
    let unsupported = |what: &str, en: &str| {
        SrsError::Unrecognised(format!(
            "chuỗi PROJ '{proj}': {what} / PROJ string '{proj}': {en}"
        ))
    };
    let mut kv: Vec<(&str, Option<&str>)> = Vec::new();
    for tok in proj.split_whitespace() {
        let tok = tok.trim_start_matches('+');
        match tok.split_once('=') {
            Some((k, v)) => kv.push((k, Some(v))),
            None => kv.push((tok, None)),
        }
    }
    let get = |k: &str| kv.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
    let num = |k: &str, default: f64| -> Result<f64, SrsError> {
        match get(k) {
            None => Ok(default),
            Some(v) => v
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|x| x.is_finite())
                .ok_or_else(|| {
                    unsupported(
                        &format!("giá trị +{k} không hợp lệ"),
                        &format!("invalid +{k} value"),
                    )
                }),
        }
    };
    let tm = match get("proj").flatten() {
        Some("tmerc") => Tm {
            lat_0: num("lat_0", 0.0)?,
            lon_0: num("lon_0", 0.0)?,
            k: match get("k_0") {
                Some(_) => num("k_0", 1.0)?,
                None => num("k", 1.0)?,
            },
            x_0: num("x_0", 0.0)?,
            y_0: num("y_0", 0.0)?,
        },
        Some("utm") => {
            let zone = get("zone")
                .flatten()
                .and_then(|z| z.parse::<u32>().ok())
                .filter(|z| (1..=60).contains(z))
                .ok_or_else(|| unsupported("thiếu +zone hợp lệ", "missing a valid +zone"))?;
            Tm::utm(zone, get("south").is_some())
        }
        _ => {
            return Err(unsupported(
                "chỉ hỗ trợ +proj=tmerc và +proj=utm",
                "only +proj=tmerc and +proj=utm are supported",
            ));
        }
    };
    if !matches!(get("units"), None | Some(Some("m"))) || get("to_meter").is_some() {
        return Err(unsupported(
            "chỉ hỗ trợ đơn vị mét",
            "only metre units are supported",
        ));
    }
    let datum = get("datum").flatten();
    let ellps = get("ellps").flatten();
    let wgs84_ellps = datum == Some("WGS84") || (datum.is_none() && ellps == Some("WGS84"));
    if !wgs84_ellps || get("a").is_some() || get("rf").is_some() || get("b").is_some() {
        return Err(unsupported(
            "chỉ hỗ trợ elipxoit WGS84",
            "only the WGS84 ellipsoid is supported",
        ));
    }
    let towgs84 = match get("towgs84") {
        None => None,
        Some(v) => Some(
            parse_towgs84_list(v.unwrap_or(""))
                .ok_or_else(|| unsupported("+towgs84 không hợp lệ", "invalid +towgs84"))?,
        ),
    };
    let geog = match (datum, towgs84) {
        (Some(_), _) | (None, None) => GEOGCS_WGS84.to_string(),
        (None, Some(t)) if same_shift(&t, &VN2000_TOWGS84_PV) => geogcs_vn2000(),
        (None, Some(t)) => {
            // Written as given (the Decision's signs included): that is what hiendat computes with.
            let name = if same_shift(&t, &flip_rotations(&VN2000_TOWGS84_PV)) {
                "Vietnam_2000"
            } else {
                "unknown"
            };
            let mut nums = String::new();
            for (i, x) in t.iter().enumerate() {
                let _ = write!(nums, "{}{x}", if i > 0 { "," } else { "" });
            }
            format!(
                r#"GEOGCS["unknown",DATUM["{name}",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],TOWGS84[{nums}]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]]]"#
            )
        }
    };
    Ok(Srs {
        epsg: None,
        name: "Custom TM".into(),
        wkt: format!(r#"PROJCS["Custom TM",{geog},{}]"#, tm.wkt_params()),
        geographic: false,
    })
}

/// "a,b,c" or "a,b,c,d,e,f,g" → 7 numbers (3 → no rotation, no scale).
pub(super) fn parse_towgs84_list(v: &str) -> Option<[f64; 7]> {
    let nums: Vec<f64> = v
        .split(',')
        .map(|s| s.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect::<Option<_>>()?;
    seven(&nums)
}

/// The EPSG table's WKT 1 of a code hiendat measures in as the table
/// defines it (metres only: hiendat's coordinates are always metres).
pub(super) fn table_wkt(crs: &Crs, code: u32) -> Option<Srs> {
    if crs.is_geographic() || crs.to_meter() != 1.0 {
        return None;
    }
    if crate::geometry::crs::epsg_table(code).as_deref() != Some(crs.proj_string()) {
        return None;
    }
    let def = crs_definitions::from_code(u16::try_from(code).ok()?)?;
    let name = def.wkt.split('"').nth(1).unwrap_or_default().to_string();
    Some(Srs {
        epsg: Some(code),
        name,
        wkt: def.wkt.to_string(),
        geographic: false,
    })
}
