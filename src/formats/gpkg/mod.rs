//! OGC GeoPackage (1.3) vector layers: writing [`Layer`]s to a new `.gpkg`
//! and reading the feature tables of any GeoPackage back into layers.
//!
//! The writer builds a minimal, valid GeoPackage in one transaction: the
//! core tables (`gpkg_spatial_ref_sys` with its three mandatory rows,
//! `gpkg_contents`, `gpkg_geometry_columns`, `gpkg_extensions`), one feature
//! table per layer (`fid`, `geom` as POINT / MULTILINESTRING / MULTIPOLYGON,
//! then the fields) and an R-tree spatial index per table
//! (`gpkg_rtree_index`). The R-tree is bulk-loaded from the envelopes
//! computed here, and its triggers (which call `ST_*` functions that only GeoPackage
//! aware clients such as GDAL provide) are created after the data, so that
//! the writer needs no SQL functions of its own.
//!
//! The reader takes every `features` table of `gpkg_contents` that has a row
//! in `gpkg_geometry_columns`, decodes the GeoPackage binary header and ISO
//! WKB in either byte order (Z and M dropped), and maps the geometry onto
//! [`Geometry`]: points, lines or polygons, multi or single, or collections
//! of one of those. Curves (CircularString, CompoundCurve, CurvePolygon,
//! MultiCurve, MultiSurface) are linearised by [`crate::formats::curve`],
//! within 1 mm of the arc, and the layer's notes say so.
//!
//! Left out: tiles and attribute-only tables (skipped on read), the abstract
//! Curve/Surface and the polyhedral types (an error), the extended geometry
//! header, BLOB fields (skipped with a note), and the R-tree on read (a full
//! scan is what import needs).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io;
use std::path::Path;

use rusqlite::types::{Null, ValueRef};
use rusqlite::{Connection, OpenFlags, Statement};

use super::layer::{
    Feature, Field, FieldKind, FormatError, GeomKind, Geometry, Layer, Pt, Srs, Value, format_real,
};

#[cfg(test)]
mod curve_tests;
mod read;
#[cfg(test)]
mod tests;
mod wkb;
mod write;

pub use self::read::*;
#[cfg(test)]
use self::wkb::*;
pub use self::write::*;

/// 'GPKG' in `PRAGMA application_id`.
const APPLICATION_ID: i32 = 0x4750_4B47;
/// GeoPackage 1.3.0 in `PRAGMA user_version`.
const USER_VERSION: i32 = 10300;
/// The geometry column of the tables we write.
const GEOM: &str = "geom";
/// First `srs_id` given to a coordinate system without an EPSG code.
const FIRST_CUSTOM_SRS: i64 = 100_000;
/// Nesting allowed in a geometry collection (guards the stack on bad blobs).
const MAX_DEPTH: u32 = 16;

const WGS84_WKT: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]"#;

const CORE_TABLES: &str = "
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL,
  description TEXT
);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY,
  data_type TEXT NOT NULL,
  identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE,
  min_y DOUBLE,
  max_x DOUBLE,
  max_y DOUBLE,
  srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL,
  z TINYINT NOT NULL,
  m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
);
CREATE TABLE gpkg_extensions (
  table_name TEXT,
  column_name TEXT,
  extension_name TEXT NOT NULL,
  definition TEXT NOT NULL,
  scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name)
);
";

fn quote(id: &str) -> String {
    format!("\"{}\"", id.replace('"', "\"\""))
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// The file's name for messages.
fn file_label(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// An SQLite file damaged inside (SQLite found a page that contradicts
/// another): said as such, whatever the reader was doing.
fn corrupt(file: &str, e: &rusqlite::Error) -> Option<FormatError> {
    (e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseCorrupt)).then(|| {
        FormatError::invalid(format!(
            "tệp {file} bị hỏng, hãy xuất lại từ QGIS hoặc phần mềm đã tạo ra nó (SQLite: {e}) / \
             {file} is corrupt: export it again from QGIS or the program that made it (SQLite: {e})"
        ))
    })
}

fn sql_error(file: &str, vi: &str, en: &str, e: rusqlite::Error) -> FormatError {
    if let Some(c) = corrupt(file, &e) {
        return c;
    }
    FormatError::invalid(format!(
        "lỗi SQLite khi {vi} {file}: {e} / SQLite error {en} {file}: {e}"
    ))
}

fn not_sqlite(file: &str, e: rusqlite::Error) -> FormatError {
    if let Some(c) = corrupt(file, &e) {
        return c;
    }
    FormatError::invalid(format!(
        "{file} không phải GeoPackage (không mở được như cơ sở dữ liệu SQLite: {e}) / {file} is \
         not a GeoPackage (cannot be opened as an SQLite database: {e})"
    ))
}
