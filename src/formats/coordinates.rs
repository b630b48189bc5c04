//! Coordinate tables (bảng tọa độ) for surveyors: every vertex of every
//! parcel, numbered, with X (northing) and Y (easting) in the projected CRS
//! as Vietnamese cadastral practice writes them, and the length of the side
//! to the next vertex. UTF-8 with a byte-order mark, so that Excel shows
//! Vietnamese names; plain decimal points (a machine format).

use super::layer::{FormatError, Geometry, Layer, Pt, Value};
use std::io::Write;

/// A key cell: text [`neutralise`](super::csv_out::neutralise)d and
/// quoted as needed; numbers as written.
fn field(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::Text(s)) => super::csv_out::text_field(s.trim()).into_owned(),
        Some(v) => v.to_string(),
    }
}

/// Points of a ring or line without a repeated closing point.
fn open_points(pts: &[Pt]) -> &[Pt] {
    if pts.len() > 1 && pts.first() == pts.last() {
        &pts[..pts.len() - 1]
    } else {
        pts
    }
}

/// Writes a projected layer as a coordinate table: the `keys` fields that
/// name each feature, then
/// - polygons: `part,ring,point,x_north_m,y_east_m,side_to_next_m` (parts and
///   rings numbered from 1, ring 1 the exterior; the side closes the ring);
/// - lines: `part,point,x_north_m,y_east_m,side_to_next_m` (empty on the last
///   point);
/// - points: `x_north_m,y_east_m`.
///
/// Coordinates to the millimetre, X (northing) before Y (easting) as
/// Vietnamese surveyors write them.
pub fn write_layer<W: Write>(mut out: W, layer: &Layer, keys: &[&str]) -> Result<(), FormatError> {
    if layer.srs.as_ref().is_some_and(|s| s.geographic) {
        return Err(FormatError::invalid(
            "bảng tọa độ ghi X, Y theo hệ phẳng (VN-2000), không theo kinh độ, vĩ độ / a coordinate table is in projected metres (VN-2000), not longitude/latitude: leave --crs out or give a VN-2000 CRS",
        ));
    }
    let idx: Vec<usize> = keys
        .iter()
        .map(|k| {
            layer.field(k).ok_or_else(|| {
                FormatError::invalid(format!(
                    "lớp {} không có trường {k} / layer {} has no field {k}",
                    layer.name, layer.name
                ))
            })
        })
        .collect::<Result<_, _>>()?;
    out.write_all(b"\xEF\xBB\xBF")?;
    let tail = match layer.kind {
        super::layer::GeomKind::Polygon => "part,ring,point,x_north_m,y_east_m,side_to_next_m",
        super::layer::GeomKind::Line => "part,point,x_north_m,y_east_m,side_to_next_m",
        super::layer::GeomKind::Point => "x_north_m,y_east_m",
    };
    writeln!(out, "{},{tail}", keys.join(","))?;
    for f in &layer.features {
        let head: Vec<String> = idx.iter().map(|&i| field(f.values.get(i))).collect();
        let head = head.join(",");
        match &f.geometry {
            Geometry::Point([e, n]) => writeln!(out, "{head},{n:.3},{e:.3}")?,
            Geometry::Lines(lines) => {
                for (part, line) in lines.iter().enumerate() {
                    for (i, &[e, n]) in line.iter().enumerate() {
                        write!(out, "{head},{},{},{n:.3},{e:.3},", part + 1, i + 1)?;
                        match line.get(i + 1) {
                            Some(&[e2, n2]) => writeln!(out, "{:.3}", (e2 - e).hypot(n2 - n))?,
                            None => writeln!(out)?,
                        }
                    }
                }
            }
            Geometry::Polygons(polys) => {
                for (part, rings) in polys.iter().enumerate() {
                    for (ring, pts) in rings.iter().enumerate() {
                        let pts = open_points(pts);
                        for (i, &[e, n]) in pts.iter().enumerate() {
                            let [e2, n2] = pts[(i + 1) % pts.len()];
                            writeln!(
                                out,
                                "{head},{},{},{},{n:.3},{e:.3},{:.3}",
                                part + 1,
                                ring + 1,
                                i + 1,
                                (e2 - e).hypot(n2 - n)
                            )?;
                        }
                    }
                }
            }
        }
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::layer::{Feature, Field, FieldKind, GeomKind, Srs, Value};

    fn srs() -> Option<Srs> {
        Some(Srs {
            epsg: Some(5897),
            name: "VN-2000 / TM-3 zone 482".into(),
            wkt: String::new(),
            geographic: false,
        })
    }

    #[test]
    fn a_square_lot_lists_its_corners_north_first_with_its_sides() {
        let mut l = Layer::new(
            "parcels",
            "Thửa đất",
            GeomKind::Polygon,
            vec![
                Field::new("id", FieldKind::Text),
                Field::new("map_sheet", FieldKind::Text),
                Field::new("parcel_no", FieldKind::Text),
            ],
        );
        l.srs = srs();
        l.features.push(Feature {
            geometry: Geometry::Polygons(vec![vec![vec![
                [500_000.0, 2_150_000.0],
                [500_004.0, 2_150_000.0],
                [500_004.0, 2_150_003.0],
                [500_000.0, 2_150_003.0],
                [500_000.0, 2_150_000.0],
            ]]]),
            values: vec![
                Value::Text("7".into()),
                Value::Integer(12),
                Value::Text("Thửa 3, góc".into()),
            ],
        });
        let mut buf = Vec::new();
        write_layer(&mut buf, &l, &["id", "map_sheet", "parcel_no"]).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let lines: Vec<&str> = text.strip_prefix('\u{feff}').unwrap().lines().collect();
        assert_eq!(
            lines[0],
            "id,map_sheet,parcel_no,part,ring,point,x_north_m,y_east_m,side_to_next_m"
        );
        assert_eq!(lines.len(), 5, "four corners, the closing point dropped");
        assert_eq!(
            lines[1],
            "7,12,\"Thửa 3, góc\",1,1,1,2150000.000,500000.000,4.000"
        );
        assert_eq!(
            lines[4],
            "7,12,\"Thửa 3, góc\",1,1,4,2150003.000,500000.000,3.000"
        );
    }

    #[test]
    fn stakes_list_x_then_y_and_lines_leave_the_last_side_empty() {
        let mut l = Layer::new(
            "stakes",
            "Cọc",
            GeomKind::Point,
            vec![Field::new("code", FieldKind::Text)],
        );
        l.srs = srs();
        l.features.push(Feature {
            geometry: Geometry::Point([580_001.25, 2_155_002.5]),
            values: vec![Value::Text("T1".into())],
        });
        let mut buf = Vec::new();
        write_layer(&mut buf, &l, &["code"]).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(
            text.ends_with("code,x_north_m,y_east_m\nT1,2155002.500,580001.250\n"),
            "{text}"
        );

        let mut e = Layer::new(
            "edges",
            "",
            GeomKind::Line,
            vec![Field::new("side", FieldKind::Text)],
        );
        e.srs = srs();
        e.features.push(Feature {
            geometry: Geometry::Lines(vec![vec![[0.0, 0.0], [3.0, 4.0]]]),
            values: vec![Value::Text("T".into())],
        });
        let mut buf = Vec::new();
        write_layer(&mut buf, &e, &["side"]).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(
            text.ends_with("T,1,1,0.000,0.000,5.000\nT,1,2,4.000,3.000,\n"),
            "{text}"
        );
        let mut g = e.clone();
        g.srs.as_mut().unwrap().geographic = true;
        assert!(write_layer(Vec::new(), &g, &["side"]).is_err());
        assert!(
            write_layer(Vec::new(), &e, &["nope"])
                .unwrap_err()
                .to_string()
                .contains("nope")
        );
    }
}
