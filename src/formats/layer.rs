//! Layers: the one shape every surveyor format (GeoPackage, Shapefile, DXF,
//! KML, GeoJSON, CSV) is written from and read into. Export builds layers
//! from the store; import reads layers and maps their fields onto hiendat's
//! segments and parcels. Keeping the formats on this neutral shape means a
//! format module knows nothing of the campaign, and every format gets the
//! same fields.

use std::borrow::Cow;
use std::fmt;

use crate::geometry::area::polygon_area;

/// A point: `[x, y]`, i.e. `[easting, northing]` in metres for a projected
/// CRS, `[lon, lat]` in degrees for WGS84.
pub type Pt = [f64; 2];

/// A field's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Real,
    Integer,
}

/// A named, typed column. Names written by hiendat are at most 10 ASCII
/// characters so that they survive a .dbf unchanged.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub kind: FieldKind,
}

impl Field {
    pub fn new(name: &str, kind: FieldKind) -> Field {
        Field {
            name: name.to_string(),
            kind,
        }
    }
}

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Text(String),
    Real(f64),
    Integer(i64),
}

impl Value {
    /// The value as text (numbers as written by Rust, plain decimal point);
    /// `None` for null and for empty or blank text.
    pub fn as_text(&self) -> Option<Cow<'_, str>> {
        match self {
            Value::Null => None,
            Value::Text(s) if s.trim().is_empty() => None,
            Value::Text(s) => Some(Cow::Borrowed(s.trim())),
            Value::Real(x) => Some(Cow::Owned(format_real(*x))),
            Value::Integer(i) => Some(Cow::Owned(i.to_string())),
        }
    }

    /// The value as a number, when it is one or is text that reads as one
    /// (a decimal comma accepted).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Real(x) => Some(*x),
            Value::Integer(i) => Some(*i as f64),
            Value::Text(s) => {
                let t = s.trim();
                t.parse()
                    .ok()
                    .or_else(|| t.replace(',', ".").parse().ok())
                    .filter(|x: &f64| x.is_finite())
            }
            Value::Null => None,
        }
    }
}

/// A real without a spurious fraction: `12` for 12.0, else the shortest
/// round-trip form.
pub fn format_real(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_text() {
            Some(t) => f.write_str(&t),
            None => Ok(()),
        }
    }
}

/// What kind of geometry a layer holds. Every layer holds one kind; lines
/// and polygons may be multi-part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeomKind {
    Point,
    Line,
    Polygon,
}

/// A feature's geometry.
#[derive(Debug, Clone, PartialEq)]
pub enum Geometry {
    Point(Pt),
    /// One or more line strings (a MultiLineString when more than one).
    Lines(Vec<Vec<Pt>>),
    /// One or more polygons, each its exterior ring then its holes. Rings
    /// are closed (first point repeated last); exteriors counter-clockwise
    /// and holes clockwise when written by hiendat, any orientation when read.
    Polygons(Vec<Vec<Vec<Pt>>>),
}

impl Geometry {
    pub fn kind(&self) -> GeomKind {
        match self {
            Geometry::Point(_) => GeomKind::Point,
            Geometry::Lines(_) => GeomKind::Line,
            Geometry::Polygons(_) => GeomKind::Polygon,
        }
    }

    /// Every coordinate, mutably (for reprojection).
    pub fn points_mut(&mut self) -> Vec<&mut [Pt]> {
        match self {
            Geometry::Point(p) => vec![std::slice::from_mut(p)],
            Geometry::Lines(ls) => ls.iter_mut().map(|l| l.as_mut_slice()).collect(),
            Geometry::Polygons(ps) => ps.iter_mut().flatten().map(|r| r.as_mut_slice()).collect(),
        }
    }

    /// Plane area (polygons; 0 otherwise), exterior minus holes, measured
    /// from the first point so large projected coordinates lose nothing.
    pub fn area(&self) -> f64 {
        let Geometry::Polygons(ps) = self else {
            return 0.0;
        };
        ps.iter().map(|p| polygon_area(p)).sum()
    }
}

/// One row: its geometry and one value per field of its layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub geometry: Geometry,
    pub values: Vec<Value>,
}

/// The coordinate reference system of a layer's coordinates.
#[derive(Debug, Clone, PartialEq)]
pub struct Srs {
    /// EPSG code, when it has one (4326 for WGS84 lon/lat, 5897 for
    /// VN-2000 / TM-3 105°).
    pub epsg: Option<u32>,
    /// Its name, e.g. "VN-2000 / TM-3 zone 482".
    pub name: String,
    /// OGC WKT 1 definition: what a .prj file and a GeoPackage's
    /// `gpkg_spatial_ref_sys.definition` hold. For VN-2000 it carries the
    /// 7-parameter TOWGS84 in the Position Vector convention.
    pub wkt: String,
    /// Degrees of longitude/latitude (WGS84) rather than projected metres.
    pub geographic: bool,
}

/// A table of features of one geometry kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// Table, file or DXF-layer stem: ASCII, e.g. "parcels".
    pub name: String,
    /// What it is, for people: "Thửa đất / Parcels".
    pub title: String,
    pub kind: GeomKind,
    pub fields: Vec<Field>,
    pub features: Vec<Feature>,
    /// `None` when read from a file that states none (a shapefile without
    /// .prj, a DXF). Read from a file: whatever the file states (`wkt` as
    /// found; `epsg` when the file gives one), to be interpreted by the
    /// importer.
    pub srs: Option<Srs>,
    /// The field that classes features (their status): a DXF layer per
    /// class, a KML style per class.
    pub class_field: Option<usize>,
    /// The field that labels features (parcel number, staking point
    /// number): DXF TEXT, KML `<name>`.
    pub label_field: Option<usize>,
    /// What a reader did that the user should be told (an encoding
    /// converted, entities skipped), in Vietnamese then English.
    pub notes: Vec<String>,
}

impl Layer {
    pub fn new(name: &str, title: &str, kind: GeomKind, fields: Vec<Field>) -> Layer {
        Layer {
            name: name.to_string(),
            title: title.to_string(),
            kind,
            fields,
            features: Vec::new(),
            srs: None,
            class_field: None,
            label_field: None,
            notes: Vec::new(),
        }
    }

    /// The index of a field by name, ignoring ASCII case.
    pub fn field(&self, name: &str) -> Option<usize> {
        self.fields
            .iter()
            .position(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// A feature's value of a field, by name.
    pub fn value<'a>(&self, f: &'a Feature, name: &str) -> Option<&'a Value> {
        self.field(name).and_then(|i| f.values.get(i))
    }
}

/// A file that cannot be read or written. The message names the file part,
/// feature or field at fault, in Vietnamese then English.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Invalid(String),
}

impl FormatError {
    pub fn invalid(msg: impl Into<String>) -> FormatError {
        FormatError::Invalid(msg.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_subtracts_holes_and_ignores_orientation() {
        let sq = |x0: f64, y0: f64, s: f64| {
            vec![
                [x0, y0],
                [x0 + s, y0],
                [x0 + s, y0 + s],
                [x0, y0 + s],
                [x0, y0],
            ]
        };
        let mut hole = sq(500_002.0, 2_150_002.0, 2.0);
        hole.reverse();
        let g = Geometry::Polygons(vec![vec![sq(500_000.0, 2_150_000.0, 10.0), hole]]);
        assert!((g.area() - 96.0).abs() < 1e-9);
    }

    #[test]
    fn values_read_as_text_and_numbers() {
        assert_eq!(Value::Real(12.0).as_text().as_deref(), Some("12"));
        assert_eq!(Value::Real(1.5).as_text().as_deref(), Some("1.5"));
        assert_eq!(Value::Text("  ".into()).as_text(), None);
        assert_eq!(Value::Text("12,5".into()).as_f64(), Some(12.5));
        assert_eq!(Value::Integer(3).as_f64(), Some(3.0));
    }
}
