//! The campaign's own CSV tables, as people keep them in Excel: households,
//! structures on the land, and the organisation (cells, members,
//! assignments, leads), all read through [`table`].

pub mod households;
pub mod org;
pub mod structures;
pub mod table;
