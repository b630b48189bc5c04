//! Coordinate tables (bảng tọa độ) for surveyors: every vertex of every
//! parcel, numbered, with X (northing) and Y (easting) in the projected CRS
//! as Vietnamese cadastral practice writes them, and the length of the side
//! to the next vertex. UTF-8 with a byte-order mark, so that Excel shows
//! Vietnamese names; plain decimal points (a machine format).

use crate::campaign::FeatureId;
use std::io::{self, Write};

/// One parcel to tabulate: its rings already projected, `[easting, northing]`.
pub struct TableParcel<'a> {
    pub id: &'a FeatureId,
    pub map_sheet: Option<&'a str>,
    pub parcel_no: Option<&'a str>,
    /// Polygons, each exterior then holes; a closing point is dropped.
    pub polygons: &'a [Vec<Vec<[f64; 2]>>],
}

/// The header row.
pub const HEADER: &str =
    "parcel_id,map_sheet,parcel_no,part,ring,point,x_north_m,y_east_m,side_to_next_m";

fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Writes the table: parts and rings numbered from 1 (ring 1 is the
/// exterior), points numbered along each ring, coordinates to the millimetre.
pub fn write_table<'a, W: Write>(
    mut out: W,
    parcels: impl IntoIterator<Item = TableParcel<'a>>,
) -> io::Result<()> {
    out.write_all(b"\xEF\xBB\xBF")?;
    writeln!(out, "{HEADER}")?;
    for p in parcels {
        let id = field(p.id.as_str());
        let sheet = field(p.map_sheet.unwrap_or(""));
        let no = field(p.parcel_no.unwrap_or(""));
        for (part, rings) in p.polygons.iter().enumerate() {
            for (ring, pts) in rings.iter().enumerate() {
                let n = if pts.len() > 1 && pts.first() == pts.last() {
                    pts.len() - 1
                } else {
                    pts.len()
                };
                for i in 0..n {
                    let [e, north] = pts[i];
                    let [e2, n2] = pts[(i + 1) % n];
                    let side = (e2 - e).hypot(n2 - north);
                    writeln!(
                        out,
                        "{id},{sheet},{no},{},{},{},{north:.3},{e:.3},{side:.3}",
                        part + 1,
                        ring + 1,
                        i + 1
                    )?;
                }
            }
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_square_lot_lists_its_corners_north_first_with_its_sides() {
        let poly = vec![vec![vec![
            [500_000.0, 2_150_000.0],
            [500_004.0, 2_150_000.0],
            [500_004.0, 2_150_003.0],
            [500_000.0, 2_150_003.0],
            [500_000.0, 2_150_000.0],
        ]]];
        let id = FeatureId::from(7);
        let mut buf = Vec::new();
        write_table(
            &mut buf,
            [TableParcel {
                id: &id,
                map_sheet: Some("12"),
                parcel_no: Some("Thửa 3, góc"),
                polygons: &poly,
            }],
        )
        .unwrap();
        let text = String::from_utf8(buf).unwrap();
        let lines: Vec<&str> = text.strip_prefix('\u{feff}').unwrap().lines().collect();
        assert_eq!(lines[0], HEADER);
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
}
