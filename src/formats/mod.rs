//! Reading and writing files.

pub mod coordinates;
pub mod csv_out;
pub mod geojson_read;
pub mod geojson_write;
pub mod households;
pub mod layer;
