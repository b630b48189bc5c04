//! The periodic reports: [`periodic`] lays out the read model's figures of
//! the ward as the store holds it.
//!
//! Reports kept as issued: the document is serialised here (JSON of
//! [`Report`], as every stored frozen report is) and the store keeps its
//! text.
//!
//! [`FrozenReports`] gives [`Store`] `freeze_report` and `frozen_report`
//! over [`Store::freeze_document`] and [`Store::frozen_document`], so the
//! doors call them as store methods with this trait in scope.

use crate::report::Report;
use crate::store::{FrozenDocument, Result, Store, StoreError};
use chrono::NaiveDate;

/// The report of `cuts` for `opt`, from the ward as the store holds it.
pub fn periodic(
    store: &Store,
    cuts: &[crate::report::campaign::Cut],
    opt: &crate::report::campaign::Options,
) -> Result<Report> {
    Ok(crate::report::campaign::build(&store.ward()?, cuts, opt))
}

/// Freezing and reading back [`Report`]s.
pub trait FrozenReports {
    /// Keeps a report as issued; returns its id.
    fn freeze_report(
        &mut self,
        cut: &str,
        doc: &Report,
        issued_on: NaiveDate,
        by: &str,
    ) -> Result<i64>;

    /// A frozen report's document, exactly as issued.
    fn frozen_report(&self, id: i64) -> Result<Report>;
}

impl FrozenReports for Store {
    fn freeze_report(
        &mut self,
        cut: &str,
        doc: &Report,
        issued_on: NaiveDate,
        by: &str,
    ) -> Result<i64> {
        let text = serde_json::to_string(doc).map_err(|e| StoreError::BadInput(e.to_string()))?;
        let frozen = FrozenDocument {
            title: doc.title.clone(),
            as_of: doc.as_of,
            from: doc.from,
            text,
        };
        self.freeze_document(cut, &frozen, issued_on, by)
    }

    fn frozen_report(&self, id: i64) -> Result<Report> {
        let text = self.frozen_document(id)?;
        serde_json::from_str(&text)
            .map_err(|e| StoreError::Corrupt(format!("frozen report {id}: {e}")))
    }
}
