//! Fast RFC 7946 GeoJSON reading into campaign input types.
//!
//! A ward's parcel file can hold a million features (~400 MB), so the reader
//! never builds a `serde_json::Value` tree, and never reads the file twice:
//!
//! 1. the top-level object is walked to the `features` array;
//! 2. the array is cut into byte chunks (8 per rayon thread, 1 MB at
//!    least); for each cut the next feature start is guessed (a `{` after a
//!    `,` that parses as a feature) and the chunks are parsed in parallel by
//!    a small hand-written JSON parser that reads just the members we use
//!    (coordinates straight into `Vec<[f64; 2]>` with an exact fast float
//!    path, property values kept as raw text until read, the rest skipped
//!    but still checked to be JSON);
//! 3. each chunk's start is checked against where the previous chunk
//!    stopped, so a wrong guess is caught and the gap re-read in sequence:
//!    the result is always the one a single sequential pass would give, in
//!    file order. Each chunk collects its own features; the kept chunks'
//!    vectors are then appended in order.
//!
//! `serde_json` is used only to unescape strings holding `\` escapes and to
//! describe what is wrong with a file that is not JSON.
//!
//! Problems are collected, not thrown: every feature that cannot be read
//! is named in [`ReadError::Features`] with its position and id. A file that
//! is not JSON, or not a `FeatureCollection`, is a single top-level error
//! carrying the line and column.
//!
//! Geometry is read faithfully (rings exactly as written, closing point
//! included); its shape is checked by [`crate::geometry::validate`].

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use memchr::memchr3;
use serde::de::IgnoredAny;

use crate::campaign::{CorridorInput, FeatureId, ParcelInput, SegmentInput};

pub mod write;

mod build;
mod error;
mod feature;
mod scan;
#[cfg(test)]
mod tests;

use self::build::*;
pub use self::error::*;
use self::feature::*;
use self::scan::*;

/// Reads road segments: `properties.id`, `name`, `current_width_m`,
/// `planned_width_m`, `planned_left_m`, `planned_right_m`; geometry
/// `LineString` or `MultiLineString`.
pub fn read_segments(bytes: &[u8]) -> Result<Vec<SegmentInput>, ReadError> {
    read_layer(bytes, build_segment)
}

/// Reads land parcels: `properties.id`, `map_sheet`, `parcel_no`, `owner`,
/// `residential_group`, `land_use`; geometry `Polygon` or `MultiPolygon`.
pub fn read_parcels(bytes: &[u8]) -> Result<Vec<ParcelInput>, ReadError> {
    read_layer(bytes, build_parcel)
}

/// Reads planned right-of-way polygons: `properties.segment_id` (required),
/// optional own `id`; geometry `Polygon` or `MultiPolygon`.
pub fn read_corridors(bytes: &[u8]) -> Result<Vec<CorridorInput>, ReadError> {
    read_layer(bytes, build_corridor)
}
