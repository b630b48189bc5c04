//! The inspection report: the inspections held in the report's period (or
//! up to its date) as the store holds them, laid out by
//! [`crate::report::inspection`].

use crate::report::Report;
use crate::report::campaign::Options;
use crate::store::{Result, Store};

/// Most inspections one report lists.
pub const MAX_REPORTED: usize = 5000;

/// The inspection report for `opt`: inspections held from `opt.from` (or
/// ever) to `opt.as_of`, their actions' states on `opt.as_of`.
pub fn report(store: &Store, opt: &Options) -> Result<Report> {
    let mut list = store.inspections(opt.from, Some(opt.as_of), MAX_REPORTED)?;
    list.reverse(); // oldest first, as a report reads
    Ok(crate::report::inspection::build(
        &store.ward_name()?,
        store.is_demo()?,
        &list,
        opt,
    ))
}
