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
//! WGS 84, in metres. Left out: other datums, projections and units, vertical
//! and compound CRSs beyond their horizontal part, PROJJSON.

use std::fmt::Write as _;

use crate::formats::layer::{FormatError, Srs};
use crate::geometry::crs::{Crs, CrsError, VN2000_TM3_ZONES};

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

// ---------------------------------------------------------------------------
// Writing

const GEOGCS_WGS84: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]"#;

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
fn geogcs_vn2000() -> String {
    format!(
        r#"GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],TOWGS84[{VN2000_TOWGS84_WKT}],AUTHORITY["EPSG","6756"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4756"]]"#
    )
}

/// Transverse Mercator parameters, in degrees and metres.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Tm {
    lat_0: f64,
    lon_0: f64,
    k: f64,
    x_0: f64,
    y_0: f64,
}

impl Tm {
    fn tm3(lon_0: f64) -> Tm {
        Tm {
            lat_0: 0.0,
            lon_0,
            k: 0.9999,
            x_0: 500_000.0,
            y_0: 0.0,
        }
    }

    fn utm(zone: u32, south: bool) -> Tm {
        Tm {
            lat_0: 0.0,
            lon_0: -183.0 + 6.0 * zone as f64,
            k: 0.9996,
            x_0: 500_000.0,
            y_0: if south { 10_000_000.0 } else { 0.0 },
        }
    }

    fn same(&self, o: &Tm) -> bool {
        (self.lat_0 - o.lat_0).abs() < 1e-9
            && (self.lon_0 - o.lon_0).abs() < 1e-9
            && (self.k - o.k).abs() < 1e-10
            && (self.x_0 - o.x_0).abs() < 1e-6
            && (self.y_0 - o.y_0).abs() < 1e-6
    }

    fn proj_params(&self) -> String {
        format!(
            "+proj=tmerc +lat_0={} +lon_0={} +k={} +x_0={} +y_0={}",
            self.lat_0, self.lon_0, self.k, self.x_0, self.y_0
        )
    }

    fn wkt_params(&self) -> String {
        format!(
            r#"PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",{}],PARAMETER["central_meridian",{}],PARAMETER["scale_factor",{}],PARAMETER["false_easting",{}],PARAMETER["false_northing",{}],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH]"#,
            self.lat_0, self.lon_0, self.k, self.x_0, self.y_0
        )
    }
}

/// The datum of a projected CRS hiendat knows by EPSG code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Datum {
    Vn2000,
    Wgs84,
}

/// A projected CRS hiendat knows by EPSG code: its EPSG name, datum and parameters.
fn known(code: u32) -> Option<(String, Datum, Tm)> {
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
fn code_of_proj(proj: &str) -> Option<u32> {
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
fn custom_wkt(proj: &str) -> Result<Srs, SrsError> {
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
fn parse_towgs84_list(v: &str) -> Option<[f64; 7]> {
    let nums: Vec<f64> = v
        .split(',')
        .map(|s| s.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect::<Option<_>>()?;
    seven(&nums)
}

fn seven(nums: &[f64]) -> Option<[f64; 7]> {
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

fn flip_rotations(t: &[f64; 7]) -> [f64; 7] {
    [t[0], t[1], t[2], -t[3], -t[4], -t[5], t[6]]
}

/// Two shifts that place points within a centimetre of each other: rounded
/// copies of the official parameters count as the official ones.
fn same_shift(a: &[f64; 7], b: &[f64; 7]) -> bool {
    (0..3).all(|i| (a[i] - b[i]).abs() < 0.01)
        && (3..6).all(|i| (a[i] - b[i]).abs() < 1e-4)
        && (a[6] - b[6]).abs() < 1e-3
}

// ---------------------------------------------------------------------------
// Parsing WKT

#[derive(Debug)]
enum Arg {
    Text(String),
    Num(f64),
    Word(String),
    Node(Node),
}

#[derive(Debug)]
struct Node {
    /// Upper-cased keyword.
    key: String,
    args: Vec<Arg>,
}

impl Node {
    fn name(&self) -> &str {
        match self.args.first() {
            Some(Arg::Text(s)) | Some(Arg::Word(s)) => s,
            _ => "",
        }
    }

    fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.args.iter().filter_map(|a| match a {
            Arg::Node(n) => Some(n),
            _ => None,
        })
    }

    fn child(&self, keys: &[&str]) -> Option<&Node> {
        self.nodes().find(|n| keys.contains(&n.key.as_str()))
    }

    fn children<'a>(&'a self, keys: &'a [&'a str]) -> impl Iterator<Item = &'a Node> + 'a {
        self.nodes().filter(move |n| keys.contains(&n.key.as_str()))
    }

    fn nums(&self) -> Vec<f64> {
        self.args
            .iter()
            .filter_map(|a| match a {
                Arg::Num(x) => Some(*x),
                _ => None,
            })
            .collect()
    }

    fn num(&self, i: usize) -> Option<f64> {
        self.nums().get(i).copied()
    }

    /// The EPSG code of its AUTHORITY (WKT 1) or ID (WKT 2).
    fn epsg(&self) -> Option<u32> {
        self.children(&["AUTHORITY", "ID"]).find_map(|a| {
            if !a.name().eq_ignore_ascii_case("EPSG") {
                return None;
            }
            match a.args.get(1) {
                Some(Arg::Text(s)) => s.trim().parse().ok(),
                Some(Arg::Num(x)) if x.fract() == 0.0 && *x > 0.0 && *x < 1e9 => Some(*x as u32),
                _ => None,
            }
        })
    }
}

/// Nesting deeper than this is not a CRS (and would exhaust the stack).
const MAX_DEPTH: usize = 32;

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self
            .s
            .get(self.i)
            .is_some_and(|c| c.is_ascii_whitespace() || *c == 0)
        {
            self.i += 1;
        }
    }

    fn err(&self, vi: &str, en: &str) -> SrsError {
        malformed(
            &format!("{vi} tại ký tự {}", self.i + 1),
            &format!("{en} at character {}", self.i + 1),
        )
    }

    fn word(&mut self) -> &str {
        let start = self.i;
        while self
            .s
            .get(self.i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            self.i += 1;
        }
        std::str::from_utf8(&self.s[start..self.i]).unwrap_or("")
    }

    fn node(&mut self, key: String, depth: usize) -> Result<Node, SrsError> {
        if depth > MAX_DEPTH {
            return Err(self.err("lồng quá sâu", "nested too deep"));
        }
        let close = match self.s.get(self.i) {
            Some(b'[') => b']',
            Some(b'(') => b')',
            _ => return Err(self.err("thiếu '['", "'[' expected")),
        };
        self.i += 1;
        let mut args = Vec::new();
        loop {
            self.ws();
            match self.s.get(self.i) {
                None => return Err(self.err("thiếu ']' ở cuối", "missing closing ']'")),
                Some(c) if *c == close && args.is_empty() => {
                    self.i += 1;
                    break;
                }
                _ => {}
            }
            args.push(self.arg(depth)?);
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(c) if *c == close => {
                    self.i += 1;
                    break;
                }
                None => return Err(self.err("thiếu ']' ở cuối", "missing closing ']'")),
                _ => return Err(self.err("thiếu ',' hoặc ']'", "',' or ']' expected")),
            }
        }
        Ok(Node { key, args })
    }

    fn arg(&mut self, depth: usize) -> Result<Arg, SrsError> {
        match self.s.get(self.i) {
            Some(b'"') => {
                self.i += 1;
                let mut out = Vec::new();
                loop {
                    match self.s.get(self.i) {
                        None => return Err(self.err("chuỗi chưa đóng", "unterminated string")),
                        // WKT escapes a quote by doubling it
                        Some(b'"') if self.s.get(self.i + 1) == Some(&b'"') => {
                            out.push(b'"');
                            self.i += 2;
                        }
                        Some(b'"') => {
                            self.i += 1;
                            break;
                        }
                        Some(c) => {
                            out.push(*c);
                            self.i += 1;
                        }
                    }
                }
                Ok(Arg::Text(String::from_utf8_lossy(&out).into_owned()))
            }
            Some(c) if c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.') => {
                let start = self.i;
                while self.s.get(self.i).is_some_and(|c| {
                    c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E')
                }) {
                    self.i += 1;
                }
                std::str::from_utf8(&self.s[start..self.i])
                    .ok()
                    .and_then(|t| t.parse::<f64>().ok())
                    .filter(|x| x.is_finite())
                    .map(Arg::Num)
                    .ok_or_else(|| self.err("số không hợp lệ", "invalid number"))
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let w = self.word().to_string();
                self.ws();
                if matches!(self.s.get(self.i), Some(b'[') | Some(b'(')) {
                    Ok(Arg::Node(self.node(w.to_ascii_uppercase(), depth + 1)?))
                } else {
                    Ok(Arg::Word(w))
                }
            }
            _ => Err(self.err("ký tự không mong đợi", "unexpected character")),
        }
    }
}

fn parse_wkt(text: &str) -> Result<Node, SrsError> {
    let text = text.trim_start_matches('\u{feff}');
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    p.ws();
    if !p.s.get(p.i).is_some_and(|c| c.is_ascii_alphabetic()) {
        return Err(if p.i >= p.s.len() {
            malformed("trống", "empty")
        } else {
            p.err("không phải WKT", "not WKT")
        });
    }
    let key = p.word().to_ascii_uppercase();
    p.ws();
    let node = p.node(key, 0)?;
    p.ws();
    if p.i < p.s.len() {
        return Err(p.err("dư nội dung sau WKT", "trailing content after the WKT"));
    }
    Ok(node)
}

// ---------------------------------------------------------------------------
// Interpreting

/// Letters and digits only, lower case: "D_Vietnam_2000" → "dvietnam2000".
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

const PROJ_KEYS: &[&str] = &["PROJCS", "PROJCRS", "PROJECTEDCRS"];
const GEOG_KEYS: &[&str] = &[
    "GEOGCS",
    "GEOGCRS",
    "GEOGRAPHICCRS",
    "BASEGEOGCRS",
    "BASEGEODCRS",
    "GEODCRS",
    "GEODETICCRS",
];
const DEG: f64 = 0.017_453_292_519_943_295;
const ARCSEC: f64 = DEG / 3600.0;

/// What a definition says, as far as hiendat cares.
#[derive(Debug, Default)]
struct Facts {
    name: String,
    projected: bool,
    epsg: Option<u32>,
    geog_name: String,
    geog_epsg: Option<u32>,
    datum: String,
    datum_epsg: Option<u32>,
    /// Semi-major axis and inverse flattening.
    ellipsoid: Option<(f64, f64)>,
    prime_meridian: f64,
    /// The degree in radians, for angles in WKT 1 parameters.
    angle_unit: f64,
    method: String,
    method_epsg: Option<u32>,
    tm: Option<Tm>,
    /// Metres per unit of the projected axes.
    linear_unit: Option<f64>,
    /// Position Vector convention.
    towgs84: Option<[f64; 7]>,
}

fn facts(top: &Node) -> Result<Facts, SrsError> {
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
            Some(8801) => "latitudeoforigin".to_string(),
            Some(8802) => "centralmeridian".to_string(),
            Some(8805) => "scalefactor".to_string(),
            Some(8806) => "falseeasting".to_string(),
            Some(8807) => "falsenorthing".to_string(),
            _ => norm(p.name()),
        };
        let angle = |v: f64| v * degrees(unit.unwrap_or(f.angle_unit));
        match key.as_str() {
            "latitudeoforigin" | "latitudeofnaturalorigin" => tm.lat_0 = angle(v),
            "centralmeridian" | "longitudeofnaturalorigin" | "longitudeoforigin" => {
                tm.lon_0 = angle(v)
            }
            "scalefactor" | "scalefactoratnaturalorigin" => {
                tm.k = v * unit.unwrap_or(1.0);
            }
            "falseeasting" | "falsenorthing" => {
                // WKT 1 lengths are in the projected unit, checked below.
                if let Some(u) = unit {
                    v *= u;
                }
                if key == "falseeasting" {
                    tm.x_0 = v;
                } else {
                    tm.y_0 = v;
                }
            }
            _ => {}
        }
    }
    f.tm = Some(tm);
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
fn degrees(unit: f64) -> f64 {
    if (unit / DEG - 1.0).abs() < 1e-12 {
        1.0
    } else {
        unit / DEG
    }
}

/// A WKT 2 ABRIDGEDTRANSFORMATION → TOWGS84 numbers (Position Vector).
fn abridged(t: &Node) -> Result<[f64; 7], SrsError> {
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
fn vn2000_code(code: u32) -> bool {
    code == 6756 || code == 4756 || known(code).is_some_and(|(_, d, _)| d == Datum::Vn2000)
}

fn is_vn2000(f: &Facts) -> bool {
    let names = ["vn2000", "vietnam2000", "dvietnam2000", "dvn2000"];
    names.contains(&norm(&f.datum).as_str())
        || [f.datum_epsg, f.geog_epsg]
            .into_iter()
            .flatten()
            .any(vn2000_code)
}

fn is_wgs84(f: &Facts) -> bool {
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
fn dms(lon: f64) -> String {
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
            Some(code) => Err(SrsError::Unrecognised(format!(
                "hệ tọa độ không nhận ra / unrecognised CRS: EPSG:{code}"
            ))),
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
        return Err(unrecognised(&f));
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
        return Err(SrsError::Unrecognised(format!(
            "hệ tọa độ địa lý {} không được hỗ trợ (chỉ WGS 84 độ, hoặc VN-2000 phẳng) / geographic CRS {} is not supported (only WGS 84 degrees, or projected VN-2000)",
            f.name, f.name
        )));
    }
    let method = norm(&f.method);
    let is_tm = matches!(method.as_str(), "transversemercator" | "gausskruger")
        || f.method_epsg == Some(9807);
    let Some(tm) = f.tm.filter(|_| is_tm) else {
        return Err(unrecognised(&f));
    };
    if f.linear_unit.is_some_and(|u| (u - 1.0).abs() > 1e-12) {
        return Err(SrsError::Unrecognised(format!(
            "{}: đơn vị không phải mét / {}: the unit is not the metre",
            f.name, f.name
        )));
    }
    if wgs {
        return wgs84_projected(&f, tm);
    }
    vn2000_projected(&f, tm)
}

fn wgs84_detected() -> Detected {
    Detected {
        crs: SourceCrs::Wgs84,
        statement: "WGS 84 kinh độ/vĩ độ (EPSG:4326) / WGS 84 longitude/latitude (EPSG:4326)"
            .into(),
        variant: None,
    }
}

/// The official definition of a known code.
fn from_code(code: u32, how_vi: &str, how_en: &str) -> Result<Detected, SrsError> {
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
fn describe_vn(tm: &Tm, code: Option<u32>) -> (String, String) {
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
fn matching_code(f: &Facts, tm: &Tm, datum: Datum) -> Option<u32> {
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

fn wgs84_projected(f: &Facts, tm: Tm) -> Result<Detected, SrsError> {
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

fn vn2000_projected(f: &Facts, tm: Tm) -> Result<Detected, SrsError> {
    let code = matching_code(f, &tm, Datum::Vn2000);
    // The shift as the file gives it, and how to say what was done with it.
    let (shift, note_vi, note_en) = match f.towgs84 {
        Some(t) if same_shift(&t, &VN2000_TOWGS84_PV) => (Some(VN2000_TOWGS84_PV), "", ""),
        Some(t) if same_shift(&t, &flip_rotations(&VN2000_TOWGS84_PV)) => (
            Some(VN2000_TOWGS84_PV),
            "; dấu góc xoay theo quy ước Coordinate Frame, đã dùng đúng quy ước Position Vector",
            "; rotation signs in the Coordinate Frame convention (as epsg.io writes them); read with the correct Position Vector signs",
        ),
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
fn vn2000_identified(f: &Facts, code: Option<u32>) -> bool {
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

fn add_note(statement: &str, vi: &str, en: &str) -> String {
    match statement.split_once(" / ") {
        Some((a, b)) if !vi.is_empty() => format!("{a}{vi} / {b}{en}"),
        _ => statement.to_string(),
    }
}

#[cfg(test)]
mod tests {
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
            SourceCrs::Wgs84 => panic!("expected a projected CRS: {}", d.statement),
        }
    }

    /// The PROJ 9.5 reference points: lon, lat → easting, northing on EPSG:5897.
    fn oracle() -> Vec<[f64; 4]> {
        let p =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/vn2000-oracle.csv");
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
    fn other_crss_are_refused_by_name() {
        for (code, name) in [
            ("EPSG:2154", "RGF93"),
            ("EPSG:3148", "Indian 1960"),
            ("EPSG:4756", "VN-2000"),
        ] {
            let wkt = run("gdalsrsinfo", &["-o", "wkt1", code]);
            let e = detect(&srs_of(&wkt)).unwrap_err().to_string();
            assert!(e.contains(name) && e.contains(" / "), "{code}: {e}");
        }
        let e = detect(&srs_of(&run("gdalsrsinfo", &["-o", "wkt1", "EPSG:3148"])))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("hệ tọa độ không nhận ra") && e.contains("unrecognised CRS"),
            "{e}"
        );
        // Lambert on VN-2000
        let wkt = run(
            "gdalsrsinfo",
            &[
                "-o",
                "wkt1",
                "+proj=lcc +lat_1=20 +lat_2=21 +lat_0=20 +lon_0=105 +ellps=WGS84 +towgs84=-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278",
            ],
        );
        let e = detect(&srs_of(&wkt.replace("\"unknown\"", "\"Vietnam_2000\"")))
            .unwrap_err()
            .to_string();
        assert!(e.contains("Lambert"), "{e}");
        // feet
        let wkt = run("gdalsrsinfo", &["-o", "wkt1", "EPSG:2227"]);
        assert!(detect(&srs_of(&wkt)).is_err());
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
                epsg: Some(2154),
                ..srs_of("")
            })
            .is_err()
        );
    }
}
