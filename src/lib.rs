//! hiendat — road-widening campaigns for Vietnamese wards.
//!
//! Where to start reading: [`geometry`] holds the pure, fast measures (CRS,
//! corridors, donations); [`campaign`] the domain data; [`formats`] reading and
//! writing files; [`demo`] the synthetic ward; [`ops`] the use cases that tie them
//! together (compute, import, frozen reports); [`store`] keeps a ward in SQLite.

pub mod api;
pub mod campaign;
pub mod demo;
pub mod formats;
pub mod geometry;
pub mod ops;
pub mod report;
pub mod store;
