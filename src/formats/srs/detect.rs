//! Interpreting a parsed WKT: recognising VN-2000 (and which), WGS 84 and
//! their projections.

use super::*;

/// Letters and digits only, lower case: "D_Vietnam_2000" → "dvietnam2000".
pub(super) fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

pub(super) const PROJ_KEYS: &[&str] = &["PROJCS", "PROJCRS", "PROJECTEDCRS"];
pub(super) const GEOG_KEYS: &[&str] = &[
    "GEOGCS",
    "GEOGCRS",
    "GEOGRAPHICCRS",
    "BASEGEOGCRS",
    "BASEGEODCRS",
    "GEODCRS",
    "GEODETICCRS",
];
pub(super) const DEG: f64 = 0.017_453_292_519_943_295;
pub(super) const ARCSEC: f64 = DEG / 3600.0;

/// Projection parameters, in degrees and the file's lengths.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Params {
    pub(super) lat_0: f64,
    pub(super) lon_0: f64,
    pub(super) k: f64,
    pub(super) x_0: f64,
    pub(super) y_0: f64,
    pub(super) lat_1: Option<f64>,
    pub(super) lat_2: Option<f64>,
}

/// What a definition says, as far as hiendat cares.
#[derive(Debug, Default)]
pub(super) struct Facts {
    pub(super) name: String,
    pub(super) projected: bool,
    pub(super) epsg: Option<u32>,
    pub(super) geog_name: String,
    pub(super) geog_epsg: Option<u32>,
    pub(super) datum: String,
    pub(super) datum_epsg: Option<u32>,
    /// Semi-major axis and inverse flattening.
    pub(super) ellipsoid: Option<(f64, f64)>,
    pub(super) prime_meridian: f64,
    /// The degree in radians, for angles in WKT 1 parameters.
    pub(super) angle_unit: f64,
    pub(super) method: String,
    pub(super) method_epsg: Option<u32>,
    pub(super) tm: Option<Tm>,
    /// Metres per unit of the projected axes.
    pub(super) linear_unit: Option<f64>,
    /// Position Vector convention.
    pub(super) towgs84: Option<[f64; 7]>,
    /// Every projection parameter hiendat reads (degrees; metres when
    /// `xy0_in_metres`, else in the projected unit).
    pub(super) params: Params,
    pub(super) xy0_in_metres: bool,
}

pub(super) fn facts(top: &Node) -> Result<Facts, SrsError> {
    let mut f = Facts {
        angle_unit: DEG,
        ..Facts::default()
    };
    let mut crs = top;
    // BOUNDCRS: the source CRS plus a transformation to WGS 84 (WKT 2 for WKT 1's TOWGS84).
    if top.key == "BOUNDCRS" {
        crs = top
            .child(&["SOURCECRS"])
            .and_then(|s| s.nodes().next())
            .ok_or_else(|| malformed("BOUNDCRS thiếu SOURCECRS", "BOUNDCRS without SOURCECRS"))?;
        if let Some(t) = top.child(&["ABRIDGEDTRANSFORMATION"]) {
            f.towgs84 = Some(abridged(t)?);
        }
    } else if matches!(top.key.as_str(), "COMPD_CS" | "COMPOUNDCRS") {
        crs = top
            .nodes()
            .find(|n| PROJ_KEYS.contains(&n.key.as_str()) || GEOG_KEYS.contains(&n.key.as_str()))
            .ok_or_else(|| {
                SrsError::Unrecognised(format!(
                    "hệ tọa độ ghép không có phần ngang / compound CRS without a horizontal part: {}",
                    top.name()
                ))
            })?;
    }
    f.name = crs.name().to_string();
    f.epsg = crs.epsg();
    let geog = if PROJ_KEYS.contains(&crs.key.as_str()) {
        f.projected = true;
        crs.child(GEOG_KEYS).ok_or_else(|| {
            malformed(
                &format!("{} thiếu hệ tọa độ địa lý gốc", f.name),
                &format!("{} has no base geographic CRS", f.name),
            )
        })?
    } else if GEOG_KEYS.contains(&crs.key.as_str()) {
        crs
    } else {
        return Err(SrsError::Unrecognised(format!(
            "hệ tọa độ không nhận ra: {} {} / unrecognised CRS: {} {}",
            crs.key, f.name, crs.key, f.name
        )));
    };
    f.geog_name = geog.name().to_string();
    f.geog_epsg = geog.epsg();
    if let Some(d) = geog.child(&["DATUM", "GEODETICDATUM", "TRF", "ENSEMBLE"]) {
        f.datum = d.name().to_string();
        f.datum_epsg = d.epsg();
        if let Some(e) = d.child(&["SPHEROID", "ELLIPSOID"])
            && let (Some(a), Some(rf)) = (e.num(0), e.num(1))
        {
            f.ellipsoid = Some((a, rf));
        }
        if let Some(t) = d.child(&["TOWGS84"]) {
            f.towgs84 = Some(seven(&t.nums()).ok_or_else(|| {
                malformed(
                    "TOWGS84 phải có 3 hoặc 7 số",
                    "TOWGS84 must hold 3 or 7 numbers",
                )
            })?);
        }
    }
    if let Some(pm) = geog.child(&["PRIMEM", "PRIMEMERIDIAN"]) {
        f.prime_meridian = pm.num(0).unwrap_or(0.0);
    }
    if let Some(u) = geog.child(&["UNIT", "ANGLEUNIT"])
        && let Some(x) = u.num(0)
    {
        f.angle_unit = x;
    }
    if !f.projected {
        return Ok(f);
    }
    // WKT 1 puts the method and its parameters on the PROJCS, WKT 2 in a CONVERSION.
    let conv = crs
        .child(&["CONVERSION", "DERIVINGCONVERSION"])
        .unwrap_or(crs);
    if let Some(m) = conv.child(&["PROJECTION", "METHOD"]) {
        f.method = m.name().to_string();
        f.method_epsg = m.epsg();
    }
    let mut tm = Tm {
        lat_0: 0.0,
        lon_0: 0.0,
        k: 1.0,
        x_0: 0.0,
        y_0: 0.0,
    };
    for p in conv.children(&["PARAMETER"]) {
        let Some(mut v) = p.num(0) else {
            return Err(malformed(
                &format!("tham số {} không có giá trị số", p.name()),
                &format!("parameter {} has no numeric value", p.name()),
            ));
        };
        // WKT 2 gives each parameter its unit; WKT 1 angles are in the GEOGCS unit.
        let unit = p
            .child(&["ANGLEUNIT", "LENGTHUNIT", "SCALEUNIT", "UNIT"])
            .and_then(|u| u.num(0));
        let key = match p.epsg() {
            Some(8801 | 8821) => "latitudeoforigin".to_string(),
            Some(8802 | 8822) => "centralmeridian".to_string(),
            Some(8805) => "scalefactor".to_string(),
            Some(8806 | 8826) => "falseeasting".to_string(),
            Some(8807 | 8827) => "falsenorthing".to_string(),
            Some(8823) => "standardparallel1".to_string(),
            Some(8824) => "standardparallel2".to_string(),
            _ => norm(p.name()),
        };
        let angle = |v: f64| v * degrees(unit.unwrap_or(f.angle_unit));
        match key.as_str() {
            "latitudeoforigin" | "latitudeofnaturalorigin" | "latitudeoffalseorigin" => {
                tm.lat_0 = angle(v)
            }
            "centralmeridian"
            | "longitudeofnaturalorigin"
            | "longitudeoforigin"
            | "longitudeoffalseorigin" => tm.lon_0 = angle(v),
            "scalefactor" | "scalefactoratnaturalorigin" => {
                tm.k = v * unit.unwrap_or(1.0);
            }
            "standardparallel1" | "latitudeof1ststandardparallel" => {
                f.params.lat_1 = Some(angle(v))
            }
            "standardparallel2" | "latitudeof2ndstandardparallel" => {
                f.params.lat_2 = Some(angle(v))
            }
            "falseeasting" | "falsenorthing" | "eastingatfalseorigin" | "northingatfalseorigin" => {
                // WKT 1 lengths are in the projected unit, checked below.
                if let Some(u) = unit {
                    v *= u;
                    f.xy0_in_metres = true;
                }
                if key.contains("easting") {
                    tm.x_0 = v;
                } else {
                    tm.y_0 = v;
                }
            }
            _ => {}
        }
    }
    f.tm = Some(tm);
    f.params = Params {
        lat_0: tm.lat_0,
        lon_0: tm.lon_0,
        k: tm.k,
        x_0: tm.x_0,
        y_0: tm.y_0,
        ..f.params
    };
    // The projected unit: WKT 1 UNIT on the PROJCS; WKT 2 LENGTHUNIT on the
    // CRS or on its axes.
    f.linear_unit = crs
        .child(&["UNIT", "LENGTHUNIT"])
        .and_then(|u| u.num(0))
        .or_else(|| {
            crs.children(&["AXIS"])
                .find_map(|a| a.child(&["LENGTHUNIT", "UNIT"]).and_then(|u| u.num(0)))
        });
    Ok(f)
}

/// Degrees per angle unit (given in radians), exactly 1 for the degree as
/// WKT rounds it, so that 105.75 stays 105.75.
pub(super) fn degrees(unit: f64) -> f64 {
    if (unit / DEG - 1.0).abs() < 1e-12 {
        1.0
    } else {
        unit / DEG
    }
}

/// A WKT 2 ABRIDGEDTRANSFORMATION → TOWGS84 numbers (Position Vector).
pub(super) fn abridged(t: &Node) -> Result<[f64; 7], SrsError> {
    let method = t.child(&["METHOD"]);
    let method_name = method.map(|m| norm(m.name())).unwrap_or_default();
    let method_epsg = method.and_then(|m| m.epsg());
    let mut v = [0.0; 7];
    for p in t.children(&["PARAMETER"]) {
        let Some(x) = p.num(0) else { continue };
        let unit = p
            .child(&["ANGLEUNIT", "LENGTHUNIT", "SCALEUNIT", "UNIT"])
            .and_then(|u| u.num(0));
        let slot = match p.epsg() {
            Some(c @ 8605..=8611) => (c - 8605) as usize,
            _ => match norm(p.name()).as_str() {
                "xaxistranslation" => 0,
                "yaxistranslation" => 1,
                "zaxistranslation" => 2,
                "xaxisrotation" => 3,
                "yaxisrotation" => 4,
                "zaxisrotation" => 5,
                "scaledifference" => 6,
                _ => continue,
            },
        };
        v[slot] = match slot {
            0..=2 => x * unit.unwrap_or(1.0),
            3..=5 => x * unit.unwrap_or(ARCSEC) / ARCSEC,
            // GDAL writes the scale as the factor 1 + ds·10⁻⁶, unit-less.
            _ => match unit {
                None if (x - 1.0).abs() < 0.01 => (x - 1.0) * 1e6,
                None => x,
                Some(u) if (x * u - 1.0).abs() < 0.01 => (x * u - 1.0) * 1e6,
                Some(u) => x * u * 1e6,
            },
        };
    }
    let cf = method_name.contains("coordinateframe")
        || matches!(method_epsg, Some(9607) | Some(1032) | Some(9633));
    Ok(if cf { flip_rotations(&v) } else { v })
}

/// EPSG codes that identify VN-2000: its datum, geographic CRS and the
/// projected CRSs hiendat knows.
pub(super) fn vn2000_code(code: u32) -> bool {
    code == 6756 || code == 4756 || known(code).is_some_and(|(_, d, _)| d == Datum::Vn2000)
}

pub(super) fn is_vn2000(f: &Facts) -> bool {
    let names = ["vn2000", "vietnam2000", "dvietnam2000", "dvn2000"];
    names.contains(&norm(&f.datum).as_str())
        || [f.datum_epsg, f.geog_epsg]
            .into_iter()
            .flatten()
            .any(vn2000_code)
}

pub(super) fn is_wgs84(f: &Facts) -> bool {
    let names = [
        "wgs84",
        "wgs1984",
        "dwgs1984",
        "worldgeodeticsystem1984",
        "worldgeodeticsystem1984ensemble",
    ];
    names.contains(&norm(&f.datum).as_str())
        || matches!(f.datum_epsg, Some(6326))
        || matches!(f.geog_epsg, Some(4326))
}

/// 105.75 → "105°45'".
pub(super) fn dms(lon: f64) -> String {
    let minutes = (lon * 60.0).round() as i64;
    let (d, m) = (minutes.div_euclid(60), minutes.rem_euclid(60));
    if m == 0 {
        format!("{d}°")
    } else {
        format!("{d}°{m:02}'")
    }
}

/// Reads a file's CRS definition (a .prj, a GeoPackage's
/// `gpkg_spatial_ref_sys.definition`) and says what it is in hiendat's terms.
/// With no WKT, `srs.epsg` alone is used; with WKT lacking any EPSG
/// authority, `srs.epsg` stands in for one.
pub fn detect(srs: &Srs) -> Result<Detected, SrsError> {
    if srs.wkt.trim().trim_start_matches('\u{feff}').is_empty() {
        return match srs.epsg {
            Some(4326) => Ok(wgs84_detected()),
            Some(code) if known(code).is_some() => from_code(code, "mã EPSG", "EPSG code"),
            Some(code) => from_table(code, &srs.name, ("mã EPSG", "the EPSG code")),
            None => Err(malformed("trống", "empty")),
        };
    }
    let top = parse_wkt(&srs.wkt)?;
    let mut f = facts(&top)?;
    if f.epsg.is_none() && f.geog_epsg.is_none() && f.datum_epsg.is_none() {
        f.epsg = srs.epsg;
    }
    let unrecognised = |f: &Facts| {
        let what = if f.projected {
            format!("{} (mốc {}, phép chiếu {})", f.name, f.datum, f.method)
        } else {
            format!("{} (mốc {})", f.name, f.datum)
        };
        let what_en = if f.projected {
            format!("{} (datum {}, projection {})", f.name, f.datum, f.method)
        } else {
            format!("{} (datum {})", f.name, f.datum)
        };
        SrsError::Unrecognised(format!(
            "hệ tọa độ không nhận ra: {what} / unrecognised CRS: {what_en}"
        ))
    };
    let vn = is_vn2000(&f);
    let wgs = !vn && is_wgs84(&f);
    if !vn && !wgs {
        // HN-72, Lambert 72, British National Grid, State Plane...
        return foreign(&f);
    }
    let wgs84_ellipsoid = f.ellipsoid.is_none_or(|(a, rf)| {
        (a - 6_378_137.0).abs() < 1e-3 && (rf - 298.257_223_563).abs() < 1e-6
    });
    if !wgs84_ellipsoid || f.prime_meridian.abs() > 1e-12 {
        return Err(unrecognised(&f));
    }
    if !f.projected {
        if wgs && (f.angle_unit - DEG).abs() < 1e-12 {
            return Ok(wgs84_detected());
        }
        // VN-2000 longitude/latitude (EPSG:4756)
        return foreign(&f);
    }
    let method = norm(&f.method);
    let is_tm = matches!(method.as_str(), "transversemercator" | "gausskruger")
        || f.method_epsg == Some(9807);
    let metres = f.linear_unit.is_none_or(|u| (u - 1.0).abs() <= 1e-12);
    let Some(tm) = f.tm.filter(|_| is_tm && metres) else {
        // another projection (Lambert, Web Mercator) or unit on VN-2000 or WGS 84
        return foreign(&f);
    };
    if wgs {
        return wgs84_projected(&f, tm);
    }
    vn2000_projected(&f, tm)
}

pub(super) fn wgs84_detected() -> Detected {
    Detected {
        crs: SourceCrs::Wgs84,
        statement: "WGS 84 kinh độ/vĩ độ (EPSG:4326) / WGS 84 longitude/latitude (EPSG:4326)"
            .into(),
        variant: None,
    }
}

/// The official definition of a known code.
pub(super) fn from_code(code: u32, how_vi: &str, how_en: &str) -> Result<Detected, SrsError> {
    let Some((name, datum, tm)) = known(code) else {
        return Err(SrsError::Unrecognised(format!(
            "hệ tọa độ không nhận ra / unrecognised CRS: EPSG:{code}"
        )));
    };
    let crs = Crs::parse(&format!("EPSG:{code}"))?;
    Ok(match datum {
        Datum::Wgs84 => Detected {
            crs: SourceCrs::Projected(crs),
            statement: format!("{name} (EPSG:{code}) / {name} (EPSG:{code})"),
            variant: None,
        },
        Datum::Vn2000 => {
            let (vi, en) = describe_vn(&tm, Some(code));
            Detected {
                crs: SourceCrs::Projected(crs),
                statement: format!(
                    "{vi}, hội nhập (có 7 tham số; theo {how_vi}) / {en}, with the 7-parameter shift (by its {how_en})"
                ),
                variant: Some(Variant::HoiNhap),
            }
        }
    })
}

/// "VN-2000 / TM-3 kinh tuyến trục 105° (EPSG:5897)" and its English.
pub(super) fn describe_vn(tm: &Tm, code: Option<u32>) -> (String, String) {
    let cm = dms(tm.lon_0);
    let code = code.map(|c| format!(" (EPSG:{c})")).unwrap_or_default();
    if tm.same(&Tm::tm3(tm.lon_0)) {
        (
            format!("VN-2000 / TM-3 kinh tuyến trục {cm}{code}"),
            format!("VN-2000 TM-3 central meridian {cm}{code}"),
        )
    } else if (tm.k - 0.9996).abs() < 1e-10 && tm.x_0 == 500_000.0 && tm.lat_0 == 0.0 {
        (
            format!("VN-2000 / UTM kinh tuyến trục {cm}{code}"),
            format!("VN-2000 UTM central meridian {cm}{code}"),
        )
    } else {
        let p = format!(
            "k={}, x_0={}, y_0={}, lat_0={}",
            tm.k, tm.x_0, tm.y_0, tm.lat_0
        );
        (
            format!("VN-2000 / TM kinh tuyến trục {cm} ({p}){code}"),
            format!("VN-2000 TM central meridian {cm} ({p}){code}"),
        )
    }
}

/// The known code whose parameters these are, preferring the file's own code.
pub(super) fn matching_code(f: &Facts, tm: &Tm, datum: Datum) -> Option<u32> {
    let fits = |c: u32| known(c).is_some_and(|(_, d, t)| d == datum && t.same(tm));
    if let Some(c) = f.epsg.filter(|c| fits(*c)) {
        return Some(c);
    }
    VN2000_TM3_ZONES
        .iter()
        .map(|(c, _)| *c)
        .chain([3405, 3406])
        .chain(32601..=32660)
        .chain(32701..=32760)
        .find(|c| fits(*c))
}

pub(super) fn wgs84_projected(f: &Facts, tm: Tm) -> Result<Detected, SrsError> {
    if let Some(code) = matching_code(f, &tm, Datum::Wgs84) {
        return from_code(code, "", "");
    }
    let proj = format!("{} +datum=WGS84 +units=m +no_defs", tm.proj_params());
    let crs = Crs::parse(&proj)?;
    Ok(Detected {
        crs: SourceCrs::Projected(crs),
        statement: format!(
            "WGS 84 / TM kinh tuyến trục {} ({}) / WGS 84 TM central meridian {} ({})",
            dms(tm.lon_0),
            f.name,
            dms(tm.lon_0),
            f.name
        ),
        variant: None,
    })
}

/// What is said of a VN-2000 shift written with the Decision's rotation
/// signs: Vietnamese, English.
pub(super) const CF_SIGNS_NOTE: (&str, &str) = (
    "; dấu góc xoay theo quy ước Coordinate Frame, đã dùng đúng quy ước Position Vector",
    "; rotation signs in the Coordinate Frame convention (as epsg.io writes them); read with the correct Position Vector signs",
);

pub(super) fn vn2000_projected(f: &Facts, tm: Tm) -> Result<Detected, SrsError> {
    let code = matching_code(f, &tm, Datum::Vn2000);
    // The shift as the file gives it, and how to say what was done with it.
    let (shift, note_vi, note_en) = match f.towgs84 {
        Some(t) if same_shift(&t, &VN2000_TOWGS84_PV) => (Some(VN2000_TOWGS84_PV), "", ""),
        Some(t) if same_shift(&t, &flip_rotations(&VN2000_TOWGS84_PV)) => {
            (Some(VN2000_TOWGS84_PV), CF_SIGNS_NOTE.0, CF_SIGNS_NOTE.1)
        }
        Some(t) if t.iter().all(|x| *x == 0.0) => (None, "", ""),
        Some(t) => (Some(t), "", ""),
        None => (None, "", ""),
    };
    let official = shift == Some(VN2000_TOWGS84_PV);
    if official || (f.towgs84.is_none() && vn2000_identified(f, code)) {
        let how = if f.towgs84.is_some() {
            ("7 tham số trong tệp", "the 7 parameters in the file")
        } else if f.epsg.is_some_and(vn2000_code)
            || f.geog_epsg.is_some_and(vn2000_code)
            || f.datum_epsg.is_some_and(vn2000_code)
        {
            ("mã EPSG trong tệp", "EPSG code in the file")
        } else {
            ("tên EPSG của hệ", "EPSG name of the CRS")
        };
        if let Some(code) = code {
            let mut d = from_code(code, how.0, how.1)?;
            if !note_vi.is_empty() {
                d.statement = add_note(&d.statement, note_vi, note_en);
            }
            return Ok(d);
        }
        let proj = format!(
            "{} +ellps=WGS84 +towgs84={VN2000_TOWGS84_WKT} +units=m +no_defs",
            tm.proj_params()
        );
        let (vi, en) = describe_vn(&tm, None);
        return Ok(Detected {
            crs: SourceCrs::Projected(Crs::parse(&proj)?),
            statement: add_note(
                &format!(
                    "{vi}, hội nhập (có 7 tham số; theo {}) / {en}, with the 7-parameter shift (by the {})",
                    how.0, how.1
                ),
                note_vi,
                note_en,
            ),
            variant: Some(Variant::HoiNhap),
        });
    }
    let (vi, en) = describe_vn(&tm, None);
    if let Some(t) = shift {
        // A shift other than the Decision's: used as the file gives it.
        let list = t.map(|x| x.to_string()).join(",");
        let proj = format!(
            "{} +ellps=WGS84 +towgs84={list} +units=m +no_defs",
            tm.proj_params()
        );
        return Ok(Detected {
            crs: SourceCrs::Projected(Crs::parse(&proj)?),
            statement: format!(
                "{vi}, có tham số chuyển đổi khác Quyết định 05/2007/QĐ-BTNMT ({list}), dùng đúng như trong tệp / {en}, with a datum shift other than Decision 05/2007/QĐ-BTNMT's ({list}), used as the file gives it"
            ),
            variant: Some(Variant::HoiNhap),
        });
    }
    let proj = format!("{} +ellps=WGS84 +units=m +no_defs", tm.proj_params());
    Ok(Detected {
        crs: SourceCrs::Projected(Crs::parse(&proj)?),
        statement: format!(
            "{vi}, nội bộ (không có 7 tham số): tọa độ được lấy nguyên trên elipxoit WGS84, lệch khoảng 230 m so với Google Earth / {en}, local variant (no 7-parameter shift): coordinates are taken as they are on the WGS84 ellipsoid, about 230 m off Google Earth"
        ),
        variant: Some(Variant::NoiBo),
    })
}

/// Without TOWGS84, VN-2000 is the official one when the file names an EPSG
/// VN-2000 CRS: by an authority code, or by the exact EPSG name of a known
/// zone whose parameters it has (as GDAL writes an ESRI .prj: GDAL itself
/// identifies such a file as that EPSG CRS and applies EPSG's shift).
pub(super) fn vn2000_identified(f: &Facts, code: Option<u32>) -> bool {
    if [f.epsg, f.geog_epsg, f.datum_epsg]
        .into_iter()
        .flatten()
        .any(vn2000_code)
    {
        return true;
    }
    code.and_then(known)
        .is_some_and(|(name, _, _)| norm(&name) == norm(&f.name))
}

pub(super) fn add_note(statement: &str, vi: &str, en: &str) -> String {
    match statement.split_once(" / ") {
        Some((a, b)) if !vi.is_empty() => format!("{a}{vi} / {b}{en}"),
        _ => statement.to_string(),
    }
}
