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
    if let Err(l) = super::limits::check_csv(bytes, delimiter, &super::limits::Limits::DEFAULT) {
        let line = l.line;
        return Err(FormatError::invalid(format!(
            "{name}: dòng {line}: {} / line {line}: {}",
            l.vi, l.en
        )));
    }
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
    let geom_col = headers.iter().position(|h| {
        GEOMETRY_COLUMNS
            .iter()
            .any(|g| h.trim().eq_ignore_ascii_case(g))
    });
    let has = |c: &str| headers.iter().any(|h| h.trim() == c);
    if geom_col.is_none() && has("x_north_m") && has("y_east_m") {
        return read_table(rdr, &headers, name);
    }
    let geom_col = geom_col.ok_or_else(|| {
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
                    Value::Text(crate::campaign::restore_cell(v).to_string())
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

/// A coordinate table as `hiendat export --format csv` writes it (bảng tọa
/// độ): the columns before `part` (or before `x_north_m` for points) name
/// the feature; rows of one feature are consecutive; X is the northing.
fn read_table(
    mut rdr: csv::Reader<&[u8]>,
    headers: &csv::StringRecord,
    name: &str,
) -> Result<Layer, FormatError> {
    let col = |c: &str| headers.iter().position(|h| h.trim() == c);
    let (x, y) = (col("x_north_m"), col("y_east_m"));
    let (Some(x), Some(y)) = (x, y) else {
        unreachable!("checked by the caller")
    };
    let (part, ring) = (col("part"), col("ring"));
    let keys = part.unwrap_or(x.min(y));
    let kind = match (part, ring) {
        (Some(_), Some(_)) => GeomKind::Polygon,
        (Some(_), None) => GeomKind::Line,
        _ => GeomKind::Point,
    };
    let fields: Vec<Field> = headers
        .iter()
        .take(keys)
        .map(|h| Field::new(h.trim(), FieldKind::Text))
        .collect();
    let mut layer = Layer::new(name, name, kind, fields);
    let mut last_key: Option<Vec<String>> = None;
    let mut parts: Vec<Vec<Vec<Pt>>> = Vec::new();
    let mut at = (0usize, 0usize);
    let flush = |layer: &mut Layer, key: &Option<Vec<String>>, parts: &mut Vec<Vec<Vec<Pt>>>| {
        let Some(key) = key else { return };
        let values = key
            .iter()
            .map(|v| {
                if v.is_empty() {
                    Value::Null
                } else {
                    Value::Text(v.clone())
                }
            })
            .collect();
        let mut polys = std::mem::take(parts);
        let geometry = match kind {
            GeomKind::Polygon => {
                for r in polys.iter_mut().flatten() {
                    if r.first() != r.last()
                        && let Some(&f) = r.first()
                    {
                        r.push(f);
                    }
                }
                Geometry::Polygons(polys)
            }
            GeomKind::Line => Geometry::Lines(polys.into_iter().flatten().collect()),
            GeomKind::Point => match polys
                .first()
                .and_then(|p| p.first())
                .and_then(|r| r.first())
            {
                Some(p) => Geometry::Point(*p),
                None => return,
            },
        };
        layer.features.push(Feature { geometry, values });
    };
    for (k, rec) in rdr.records().enumerate() {
        let line = k + 2;
        let rec = rec.map_err(|e| {
            FormatError::invalid(format!(
                "{name}: dòng {line} hỏng / line {line} is malformed: {e}"
            ))
        })?;
        let num = |i: usize| -> Result<f64, FormatError> {
            let t = rec.get(i).unwrap_or("").trim();
            t.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
                FormatError::invalid(format!(
                    "{name}: dòng {line}, cột {}: {t:?} không phải số / line {line}, column {}: not a number",
                    &headers[i], &headers[i]
                ))
            })
        };
        let key: Vec<String> = (0..keys)
            .map(|i| crate::campaign::restore_cell(rec.get(i).unwrap_or("")).to_string())
            .collect();
        let pt = [num(y)?, num(x)?];
        let p = part.map(num).transpose()?.unwrap_or(1.0) as usize;
        let r = ring.map(num).transpose()?.unwrap_or(1.0) as usize;
        if last_key.as_ref() != Some(&key) || kind == GeomKind::Point {
            flush(&mut layer, &last_key, &mut parts);
            last_key = Some(key);
            at = (0, 0);
        }
        if parts.is_empty() || p != at.0 {
            parts.push(Vec::new());
            at = (p, 0);
        }
        let cur = parts.last_mut().expect("pushed above");
        if cur.is_empty() || r != at.1 {
            cur.push(Vec::new());
            at.1 = r;
        }
        cur.last_mut().expect("pushed above").push(pt);
    }
    flush(&mut layer, &last_key, &mut parts);
    if layer.features.is_empty() {
        return Err(FormatError::invalid(format!(
            "{name}: không có dòng dữ liệu nào / no data rows"
        )));
    }
    layer.notes.push(format!(
        "{name}: bảng tọa độ (X bắc, Y đông) / a coordinate table (X north, Y east)"
    ));
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
    fn a_coordinate_table_reads_back_as_polygons_with_x_north() {
        let csv = "\u{feff}id,map_sheet,parcel_no,part,ring,point,x_north_m,y_east_m,side_to_next_m\n\
                   7,12,3,1,1,1,2150000.000,500000.000,4.000\n\
                   7,12,3,1,1,2,2150000.000,500004.000,3.000\n\
                   7,12,3,1,1,3,2150003.000,500004.000,5.000\n\
                   8,12,4,1,1,1,0,0,1\n8,12,4,1,1,2,0,1,1\n8,12,4,1,1,3,1,1,1\n\
                   8,12,4,2,1,1,5,5,1\n8,12,4,2,1,2,5,6,1\n8,12,4,2,1,3,6,6,1\n";
        let l = read(csv.as_bytes(), "parcels").unwrap();
        assert_eq!(l.kind, GeomKind::Polygon);
        assert_eq!(l.fields.len(), 3);
        assert_eq!(l.features.len(), 2);
        let Geometry::Polygons(p) = &l.features[0].geometry else {
            panic!()
        };
        assert_eq!(p[0][0][1], [500_004.0, 2_150_000.0], "[easting, northing]");
        assert_eq!(p[0][0].len(), 4, "the ring is closed again");
        assert!((l.features[0].geometry.area() - 6.0).abs() < 1e-9);
        let Geometry::Polygons(p) = &l.features[1].geometry else {
            panic!()
        };
        assert_eq!(p.len(), 2, "two parts");
        let e = read(b"code,x_north_m,y_east_m\nT1,abc,5\n", "stakes").unwrap_err();
        assert!(e.to_string().contains("x_north_m"), "{e}");
    }

    #[test]
    fn cells_neutralised_on_export_read_back_as_they_were() {
        let csv = "id,owner,note,wkt\n1,'=HYPERLINK(\"x\"),'nhà góc,\"POINT (1 2)\"\n";
        let l = read(csv.as_bytes(), "points").unwrap();
        let text = |i: usize| match &l.features[0].values[i] {
            Value::Text(t) => t.clone(),
            v => panic!("{v:?}"),
        };
        assert_eq!(text(1), "=HYPERLINK(\"x\")");
        assert_eq!(text(2), "'nhà góc", "a quote the product did not add stays");
        let table = "id,owner,x_north_m,y_east_m\n'-7,'@lan,2150000,500000\n";
        let l = read(table.as_bytes(), "stakes").unwrap();
        assert!(
            matches!(&l.features[0].values[0], Value::Text(t) if t == "-7"),
            "{:?}",
            l.features[0].values
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
