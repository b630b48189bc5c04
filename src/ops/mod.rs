//! The use cases: each reads through the store, asks the domain and the
//! geometry, and writes through the store. Orchestration lives here and
//! nowhere else; the doors (`api`, the CLI) parse, call one use case and
//! answer.
//!
//! - [`backup`]: copies of the live database, and putting one back;
//! - [`compute`]: validate, project, measure, tally (the `compute` command,
//!   the benchmark, and every other use case that measures);
//! - [`import`]: files into the store (reading, validation, upserts,
//!   donations measured again, outlines), and opening a store;
//! - [`files`]: input files, mapped;
//! - [`export`]: the surveyors' layers built from the store, and the format choice;
//! - [`record`]: the donation record's content, its strip cut in VN-2000;
//! - [`reports`]: the periodic reports from the read model, and reports kept as
//!   issued (frozen);
//! - [`sheet`]: the map sheet of a group or a segment, drawn in VN-2000.

pub mod backup;
pub mod compute;
pub mod evaluation;
pub mod export;
pub mod files;
pub mod import;
pub mod inspections;
pub mod record;
pub mod reports;
pub mod sheet;
pub mod tiles;
pub mod wards;
