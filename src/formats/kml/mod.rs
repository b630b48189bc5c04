//! KML 2.2 for Google Earth: writing layers as folders of placemarks, and
//! reading placemarks back into layers.
//!
//! Written: one `Document` holding a `Style` per class value (campaign
//! statuses in the web map's colours), a `Schema` per layer, and a `Folder`
//! per layer with a `Placemark` per feature: `<name>` from the label field,
//! an HTML table of the fields as `<description>`, the typed fields as
//! `ExtendedData/SchemaData` (so GDAL and QGIS read them as columns), and the
//! geometry with `lon,lat` to 9 decimals. Layers must be WGS 84 lon/lat.
//!
//! Read: Placemarks with Point, LineString, LinearRing, Polygon and
//! MultiGeometry; one layer per Folder (or per Document for placemarks
//! outside folders), split by geometry kind when mixed; fields from
//! `SchemaData/SimpleData` (typed by their `Schema`) and `Data/value` (text);
//! the placemark's `<name>` as the label. KMZ archives are read directly
//! (their `doc.kml`, else their first `.kml`), and the text is decoded as
//! its byte-order mark or XML declaration says (UTF-8, UTF-16, ISO-8859-1,
//! windows-1252/1258...). Left out: NetworkLinks, GroundOverlays, gx:Track,
//! styles on read, and altitudes (dropped, with a note).

use std::collections::HashMap;
use std::io::{BufWriter, Write};

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use rayon::prelude::*;

use crate::formats::layer::{
    Feature, Field, FieldKind, FormatError, GeomKind, Geometry, Layer, Pt, Value,
};
use crate::formats::srs;

mod read;
mod source;
#[cfg(test)]
mod tests;
mod write;

pub use self::source::{read, read_within};
pub use self::write::*;

/// The KML 2.2 namespace.
pub const KML_NS: &str = "http://www.opengis.net/kml/2.2";
