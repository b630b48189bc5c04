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
use crate::report::campaign::Options;
use crate::report::periodic::Letterhead;
use crate::store::{FrozenDocument, Result, Store, StoreError};
use chrono::NaiveDate;

/// The report of `cuts` for `opt`, from the ward as the store holds it.
pub fn periodic(
    store: &Store,
    cuts: &[crate::report::campaign::Cut],
    opt: &crate::report::campaign::Options,
) -> Result<Report> {
    let plans = if cuts.contains(&crate::report::campaign::Cut::Plan) {
        store.plans()?
    } else {
        Vec::new()
    };
    Ok(crate::report::campaign::build_with_plans(
        &store.ward()?,
        cuts,
        opt,
        &plans,
    ))
}

/// The meta key of the province whose Party organisation is the ward
/// committee's superior ("Thanh Hóa"): `hiendat import --province`.
pub const PROVINCE_KEY: &str = "province";

/// The letterhead as configured (`hiendat import --province --ward`), with
/// what `given` names instead (one print's `--province`, `--ward-name`).
/// A xã's or thị trấn's name is given its level ("Xã Quảng Tâm"), so that
/// its own committee issues the report (Đảng ủy xã …).
pub fn letterhead(store: &Store, given: &Letterhead) -> Result<Letterhead> {
    let level = match store.ward_row()?.kind.as_str() {
        "xa" => Some("Xã"),
        "thi_tran" => Some("Thị trấn"),
        _ => None,
    };
    let ward = match (&given.ward, level) {
        (Some(w), _) => Some(w.clone()),
        (None, Some(_)) => Some(store.ward_name()?),
        (None, None) => None,
    };
    let ward = ward.map(|n| match level {
        // a name that says no level of its own
        Some(l) if crate::report::periodic::ward_level(&n).1 == n.trim() => format!("{l} {}", n.trim()),
        _ => n,
    });
    Ok(Letterhead {
        province: match &given.province {
            Some(p) => Some(p.clone()),
            None => store.meta(PROVINCE_KEY)?,
        },
        ward,
    })
}

/// Stores the province's name for the letterhead; a blank, over-long or
/// multi-line name is refused with nothing stored.
pub fn set_province(store: &Store, name: &str) -> Result<String> {
    let n = crate::report::periodic::province_name(name).map_err(StoreError::BadInput)?;
    store.set_meta(PROVINCE_KEY, &n)?;
    Ok(n)
}

/// The periodic report in the Party's format (báo cáo định kỳ: letterhead,
/// narrative, appendix) for `opt`, from the ward as the store holds it.
pub fn party_report(store: &Store, opt: &Options, given: &Letterhead) -> Result<Report> {
    let head = letterhead(store, given)?;
    Ok(crate::report::periodic::build(&store.ward()?, opt, &head))
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
