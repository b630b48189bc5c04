//! The inspection report: the inspections held in the report's period (or
//! up to its date) as the store holds them, laid out by
//! [`crate::report::inspection`].

use crate::report::Report;
use crate::report::campaign::Options;
use crate::store::{Result, Store};

/// Whom to inspect on `day` ([`crate::campaign::inspection::proposals`]),
/// with the cells answering for areas behind their plans.
pub fn proposals(
    store: &Store,
    ward: &crate::campaign::figures::Ward,
    day: chrono::NaiveDate,
    idle_days: u32,
) -> Result<Vec<crate::campaign::inspection::Proposal>> {
    use crate::campaign::{inspection, plans};
    let behind = plans::behind(ward, &store.plans()?, day);
    let behind = inspection::behind_plan(ward, &behind);
    Ok(inspection::proposals(ward, day, idle_days, &behind))
}

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
