//! hiendat — road-widening campaigns for Vietnamese wards.
//!
//! Where to start reading: [`geometry`] holds the pure, fast measures (CRS,
//! corridors, donations); [`campaign`] the domain data; [`formats`] reading and
//! writing files; [`demo`] the synthetic ward; [`compute`] ties them together
//! for the `hiendat compute` command; [`store`] keeps a ward in SQLite.

pub mod api;
pub mod campaign;
pub mod compute;
pub mod demo;
pub mod export;
pub mod formats;
pub mod geometry;
pub mod record;
pub mod report;
pub mod store;
