//! The CRS a GeoJSON file states in its (pre-RFC 7946, 2008) top-level
//! `crs` member, as GDAL and QGIS still write it:
//! `"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2044"}}`.
//! It reaches the same resolver as `--crs` ([`SourceCrs::parse`]).
//!
//! Only the members before `features` are looked at (GDAL writes `crs`
//! first), so a large file is not walked twice; a `crs` after the features
//! is not seen, and the coordinates are then taken as RFC 7946's WGS 84.

use super::*;

/// The `crs` member's name, when the top-level object has one before its
/// `features`.
pub fn geojson_crs_name(bytes: &[u8]) -> Option<String> {
    let mut p = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    p = ws(bytes, p);
    if bytes.get(p) != Some(&b'{') {
        return None;
    }
    p = ws(bytes, p + 1);
    loop {
        if bytes.get(p) != Some(&b'"') {
            return None;
        }
        let key_end = end(bytes, p)?;
        let key: String = serde_json::from_slice(&bytes[p..key_end]).ok()?;
        p = ws(bytes, key_end);
        if bytes.get(p) != Some(&b':') {
            return None;
        }
        p = ws(bytes, p + 1);
        if key == "features" {
            return None;
        }
        let value_end = end(bytes, p)?;
        if key == "crs" {
            let v: serde_json::Value = serde_json::from_slice(&bytes[p..value_end]).ok()?;
            return v["properties"]["name"].as_str().map(str::to_string);
        }
        p = ws(bytes, value_end);
        match bytes.get(p) {
            Some(b',') => p = ws(bytes, p + 1),
            _ => return None,
        }
    }
}

/// The CRS a GeoJSON file states, when it is not WGS 84: `None` for none
/// stated or WGS 84 (CRS84, EPSG:4326).
pub fn geojson_source(bytes: &[u8]) -> Result<Option<(Crs, String)>, SrsError> {
    let Some(name) = geojson_crs_name(bytes) else {
        return Ok(None);
    };
    // A file names its CRS: an EPSG code or OGC's CRS84, never a PROJ
    // string (`+to_meter=1e-300`), which only the user's --crs may give.
    let crs84 = name
        .trim()
        .to_ascii_lowercase()
        .replace("::", ":")
        .ends_with(":crs84");
    if !crs84 && crate::geometry::crs::epsg_code(&name).is_none() {
        return Err(SrsError::Unrecognised(format!(
            "\"crs\" {name:?}: tệp chỉ được ghi hệ tọa độ bằng mã EPSG (urn:ogc:def:crs:EPSG::N) hoặc CRS84; hãy bỏ \"crs\" và cho --crs / a file may state its CRS only by an EPSG code (urn:ogc:def:crs:EPSG::N) or CRS84: drop \"crs\" and give --crs"
        )));
    }
    let statement = format!("hệ tọa độ theo \"crs\" {name} / CRS from \"crs\" {name}");
    Ok(match SourceCrs::parse(&name)? {
        SourceCrs::Wgs84 => None,
        SourceCrs::Projected(c) | SourceCrs::Geographic(c) => Some((c, statement)),
    })
}

/// Converts features' points (their id, their lines or rings) to WGS 84
/// lon/lat from the CRS the GeoJSON file states; `None` when it states none
/// or WGS 84, else what was done, for the import report. An error names the
/// feature.
pub fn geojson_to_wgs84<'a>(
    bytes: &[u8],
    features: impl Iterator<Item = (String, Vec<&'a mut Vec<[f64; 2]>>)>,
) -> Result<Option<String>, String> {
    let Some((crs, statement)) = geojson_source(bytes).map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    for (id, parts) in features {
        for pts in parts {
            crs.unproject_file_in_place(pts)
                .map_err(|e| format!("đối tượng {id}: {e} / feature {id}"))?;
        }
    }
    Ok(Some(statement))
}

fn ws(b: &[u8], mut p: usize) -> usize {
    while b.get(p).is_some_and(|c| c.is_ascii_whitespace()) {
        p += 1;
    }
    p
}

/// Just past the JSON value starting at `p` (strings, nesting; scalars up
/// to the next `,`, `}` or `]`).
fn end(b: &[u8], p: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = p;
    let mut in_str = false;
    while let Some(&c) = b.get(i) {
        if in_str {
            match c {
                b'\\' => i += 1,
                b'"' => {
                    in_str = false;
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                _ => {}
            }
        } else {
            match c {
                b'"' => in_str = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' if depth == 0 => return Some(i),
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                b',' if depth == 0 => return Some(i),
                _ => {}
            }
        }
        i += 1;
    }
    (depth == 0 && !in_str).then_some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crs_member_gdal_writes_is_read_and_wgs84_needs_nothing() {
        let hn72 = br#"{"type": "FeatureCollection", "name": "thua", "crs": { "type": "name", "properties": { "name": "urn:ogc:def:crs:EPSG::2044" } }, "features": []}"#;
        assert_eq!(
            geojson_crs_name(hn72).as_deref(),
            Some("urn:ogc:def:crs:EPSG::2044")
        );
        let (crs, said) = geojson_source(hn72).unwrap().unwrap();
        assert_eq!(
            crs.proj_string(),
            crate::geometry::crs::resolve("EPSG:2044").unwrap()
        );
        assert!(said.contains("EPSG::2044"), "{said}");
        let crs84 = br#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[]}"#;
        assert!(geojson_source(crs84).unwrap().is_none());
        // none stated, or stated only after the features: RFC 7946's WGS 84
        assert!(
            geojson_source(br#"{"type":"FeatureCollection","features":[]}"#)
                .unwrap()
                .is_none()
        );
        let late = br#"{"type":"FeatureCollection","features":[{"a":"}"}],"crs":{"type":"name","properties":{"name":"EPSG:2044"}}}"#;
        assert!(geojson_crs_name(late).is_none());
        // an unknown one is refused by name
        let bad = br#"{"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::1"}},"features":[]}"#;
        let e = geojson_source(bad).unwrap_err().to_string();
        assert!(
            e.contains("EPSG::1") && e.contains("hiendat accepts"),
            "{e}"
        );
    }

    #[test]
    fn a_crs_member_names_a_code_never_a_proj_string() {
        let with = |name: &str| {
            format!(
                r#"{{"crs":{{"type":"name","properties":{{"name":{}}}}},"features":[]}}"#,
                serde_json::to_string(name).unwrap()
            )
        };
        for raw in [
            "+proj=tmerc +lat_0=0 +lon_0=105 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +to_meter=1e-300 +no_defs",
            "+proj=longlat +ellps=WGS84 +no_defs",
        ] {
            let e = geojson_source(with(raw).as_bytes())
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("mã EPSG") && e.contains("only by an EPSG code") && e.contains("--crs"),
                "{e}"
            );
        }
        // every way of naming a code or CRS84 is still taken
        for (name, wgs84) in [
            ("EPSG:2044", false),
            ("urn:ogc:def:crs:EPSG::5897", false),
            ("http://www.opengis.net/def/crs/EPSG/0/4147", false),
            ("urn:ogc:def:crs:OGC:1.3:CRS84", true),
            ("OGC:CRS84", true),
        ] {
            let got =
                geojson_source(with(name).as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(got.is_none(), wgs84, "{name}");
        }
    }
}
