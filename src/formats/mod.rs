//! Reading and writing files.

pub mod coordinates;
pub mod csv_out;
pub mod csv_wkt;
pub mod dxf;
pub mod geojson_read;
pub mod geojson_write;
pub mod gpkg;
pub mod households;
pub mod kml;
pub mod layer;
pub mod legacy_vn;
pub mod mapping;
pub mod org;
pub mod shp;
pub mod srs;
pub mod structures;
pub mod surveyor;
pub mod table;
#[cfg(test)]
mod testing;
