//! CSV with a WKT geometry column (what Excel users and `ogr2ogr -f CSV
//! -lco GEOMETRY=AS_WKT` give): one layer, every other column a text field.
//! The CSV says nothing of its CRS: the importer applies `--crs`.
//!
//! The geometry column is the first one named `wkt`, `geometry`, `geom`,
//! `the_geom` or `shape` (any case). A UTF-8 byte-order mark is dropped;
//! `;` is taken as the separator when the header holds more of them than
//! commas (Excel with a Vietnamese locale writes `;`).

use super::layer::{Feature, Field, FieldKind, FormatError, GeomKind, Geometry, Layer, Pt, Value};
use geo_types::Geometry as G;
use std::str::FromStr;

const GEOMETRY_COLUMNS: [&str; 5] = ["wkt", "geometry", "geom", "the_geom", "shape"];

/// Reads the CSV as one layer named `name`.
pub fn read(bytes: &[u8], name: &str) -> Result<Layer, FormatError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        FormatError::invalid(format!(
            "{name}: không phải UTF-8 (byte {}) / not UTF-8 (byte {}): save the CSV as UTF-8",
            e.valid_up_to(),
            e.valid_up_to()
        ))
    })?;
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| {
            FormatError::invalid(format!("{name}: dòng tiêu đề hỏng / bad header row: {e}"))
        })?
        .clone();
    let geom_col = headers
        .iter()
        .position(|h| {
            GEOMETRY_COLUMNS
                .iter()
                .any(|g| h.trim().eq_ignore_ascii_case(g))
        })
        .ok_or_else(|| {
            FormatError::invalid(format!(
                "{name}: không có cột hình học (WKT) / no geometry column: name one of {}",
                GEOMETRY_COLUMNS.join(", ")
            ))
        })?;
    let fields: Vec<Field> = headers
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != geom_col)
        .map(|(_, h)| Field::new(h.trim(), FieldKind::Text))
        .collect();
    let mut features = Vec::new();
    let mut kind: Option<GeomKind> = None;
    for (k, rec) in rdr.records().enumerate() {
        let line = k + 2;
        let rec = rec.map_err(|e| {
            FormatError::invalid(format!(
                "{name}: dòng {line} hỏng / line {line} is malformed: {e}"
            ))
        })?;
        let wkt = rec.get(geom_col).unwrap_or("").trim();
        let geometry = parse(wkt).map_err(|why| {
            FormatError::invalid(format!(
                "{name}: dòng {line}, cột {}: {why}",
                &headers[geom_col]
            ))
        })?;
        match kind {
            None => kind = Some(geometry.kind()),
            Some(k) if k != geometry.kind() => {
                return Err(FormatError::invalid(format!(
                    "{name}: dòng {line} có loại hình học khác các dòng trước / line {line} has another geometry type than the lines before it"
                )));
            }
            _ => {}
        }
        let values = rec
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != geom_col)
            .map(|(_, v)| {
                if v.trim().is_empty() {
                    Value::Null
                } else {
                    Value::Text(v.to_string())
                }
            })
            .collect();
        features.push(Feature { geometry, values });
    }
    let Some(kind) = kind else {
        return Err(FormatError::invalid(format!(
            "{name}: không có dòng dữ liệu nào / no data rows"
        )));
    };
    let mut layer = Layer::new(name, name, kind, fields);
    layer.features = features;
    Ok(layer)
}

fn ring(l: &geo_types::LineString<f64>) -> Vec<Pt> {
    l.0.iter().map(|c| [c.x, c.y]).collect()
}

fn polygon(p: &geo_types::Polygon<f64>) -> Vec<Vec<Pt>> {
    std::iter::once(p.exterior())
        .chain(p.interiors())
        .map(ring)
        .collect()
}

/// One WKT geometry (2D; Z and M dropped) as a layer geometry.
fn parse(wkt: &str) -> Result<Geometry, String> {
    if wkt.is_empty() {
        return Err("trống / empty geometry".into());
    }
    let w = wkt::Wkt::<f64>::from_str(wkt).map_err(|e| format!("WKT hỏng / malformed WKT: {e}"))?;
    let g: G<f64> =
        G::try_from(w).map_err(|e| format!("WKT không dùng được / unusable WKT: {e}"))?;
    let bad = || "hình học trống / empty geometry".to_string();
    let several =
        |t: &str| format!("{t}: mỗi dòng một đối tượng / one feature per line, not a {t}");
    let geometry = match g {
        G::Point(p) => Geometry::Point([p.x(), p.y()]),
        G::MultiPoint(m) if m.0.len() == 1 => Geometry::Point([m.0[0].x(), m.0[0].y()]),
        G::LineString(l) => Geometry::Lines(vec![ring(&l)]),
        G::MultiLineString(m) => Geometry::Lines(m.0.iter().map(ring).collect()),
        G::Polygon(p) => Geometry::Polygons(vec![polygon(&p)]),
        G::MultiPolygon(m) => Geometry::Polygons(m.0.iter().map(polygon).collect()),
        G::MultiPoint(_) => return Err(several("MultiPoint")),
        G::GeometryCollection(_) => return Err(several("GeometryCollection")),
        _ => {
            return Err(
                "loại hình học không dùng được / unsupported geometry type (use POINT, LINESTRING, POLYGON or their MULTI forms)".into(),
            );
        }
    };
    let empty = match &geometry {
        Geometry::Point(p) => !p[0].is_finite() || !p[1].is_finite(),
        Geometry::Lines(l) => l.iter().all(Vec::is_empty),
        Geometry::Polygons(p) => p.iter().all(|r| r.first().is_none_or(Vec::is_empty)),
    };
    if empty { Err(bad()) } else { Ok(geometry) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_polygons_with_holes_and_every_other_column_as_text() {
        let csv = "\u{feff}SoThua,WKT,TenChu\n\
                   12,\"POLYGON ((580000 2155000,580010 2155000,580010 2155010,580000 2155010,580000 2155000),(580002 2155002,580002 2155004,580004 2155004,580002 2155002))\",Nguyễn Thị Hường\n\
                   13,\"MULTIPOLYGON (((0 0,1 0,1 1,0 0)),((5 5,6 5,6 6,5 5)))\",\n";
        let l = read(csv.as_bytes(), "parcels").unwrap();
        assert_eq!(l.kind, GeomKind::Polygon);
        assert_eq!(l.fields.len(), 2);
        assert_eq!(l.fields[1].name, "TenChu");
        assert_eq!(l.features.len(), 2);
        assert!((l.features[0].geometry.area() - 98.0).abs() < 1e-9);
        assert_eq!(
            l.features[0].values[1],
            Value::Text("Nguyễn Thị Hường".into())
        );
        assert_eq!(l.features[1].values[1], Value::Null);
        let Geometry::Polygons(p) = &l.features[1].geometry else {
            panic!()
        };
        assert_eq!(p.len(), 2);
    }

    #[test]
    fn semicolons_and_z_coordinates_are_accepted() {
        let csv = "id;geometry\n1;LINESTRING Z (0 0 5,3 4 6)\n";
        let l = read(csv.as_bytes(), "segments").unwrap();
        assert_eq!(
            l.features[0].geometry,
            Geometry::Lines(vec![vec![[0.0, 0.0], [3.0, 4.0]]])
        );
    }

    #[test]
    fn bad_rows_are_named_by_line_and_column() {
        let e = read(b"id,wkt\n1,POINT (1 2)\n2,\"POLYGON ((0 0,1 0\"\n", "x").unwrap_err();
        assert!(e.to_string().contains("dòng 3, cột wkt"), "{e}");
        let e = read(b"id,name\n1,a\n", "x").unwrap_err();
        assert!(e.to_string().contains("no geometry column"), "{e}");
        let e = read(b"id,wkt\n1,POINT (1 2)\n2,LINESTRING (0 0,1 1)\n", "x").unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
        let e = read(b"id,wkt\n1,POLYGON EMPTY\n", "x").unwrap_err();
        assert!(e.to_string().contains("empty"), "{e}");
        assert!(read(b"id,wkt\n", "x").is_err());
        assert!(
            read(b"id,wkt\n1,\xff\n", "x")
                .unwrap_err()
                .to_string()
                .contains("UTF-8")
        );
    }
}
