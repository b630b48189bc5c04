//! Pure geometry: CRS transforms, corridors, donation measures. No I/O.

pub mod crs;
pub mod validate;
