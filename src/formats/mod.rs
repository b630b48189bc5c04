//! Reading and writing files: one folder per format (reader and writer
//! side by side), the neutral [`layer`] shape they share, and the small
//! helpers (field mapping, CRS definitions) around them.

pub mod campaign_csv;
pub mod coordinates;
pub mod csv_out;
pub mod csv_wkt;
pub mod curve;
pub mod dgn;
pub mod dxf;
pub mod geojson;
pub mod gpkg;
pub mod kml;
pub mod layer;
pub mod legacy_vn;
pub mod limits;
pub mod mapping;
pub mod mvt;
pub mod shp;
pub mod srs;
pub mod surveyor;
#[cfg(test)]
mod testing;

// The paths these modules had before they moved into folders.
pub use campaign_csv::{households, org, structures, table};
pub use geojson as geojson_read;
pub use geojson::write as geojson_write;
