//! Pure geometry: CRS transforms, corridors, donation measures. No I/O.

pub mod area;
pub mod buffer_curve;
pub mod clip;
pub mod corridor;
pub mod crs;
pub mod donation;
pub mod input;
pub mod outline;
pub mod project;
pub mod stakes;
pub mod tile;
pub mod validate;
