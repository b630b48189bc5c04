//! The pieces the GeoJSON and figures answers are written with, straight
//! into the body by [`Out`]: a FeatureCollection's frame, one Feature, a
//! tally's fields and the structures on the affected land. Shared by the
//! segment, group and parcel routers so that a figure is written the same
//! way on every answer.

use super::json::Out;
use crate::campaign::events::{Audience, PublicStatus, Status};
use crate::campaign::figures::{Tally, Ward, round};
use crate::campaign::responsibility::{AreaMembers, Stillness};
use crate::campaign::structures::{StructureKind, StructureTally};
use chrono::NaiveDate;

/// Opens a FeatureCollection (`demo`, `as_of`) up to its feature array.
pub(super) fn begin_collection(o: &mut Out, demo: bool, date: NaiveDate) {
    o.begin_object();
    o.field("type", "FeatureCollection");
    o.field("demo", demo);
    o.field("as_of", (date != NaiveDate::MAX).then(|| date.to_string()));
    o.key("features");
    o.begin_array();
}

/// Closes what [`begin_collection`] opened.
pub(super) fn end_collection(o: &mut Out) {
    o.end_array();
    o.end_object();
}

/// Writes one Feature: its geometry by `geometry`, then its properties by
/// `properties` (inside the open properties object).
pub(super) fn feature(
    o: &mut Out,
    geometry: impl FnOnce(&mut Out),
    properties: impl FnOnce(&mut Out),
) {
    o.begin_object();
    o.field("type", "Feature");
    o.key("geometry");
    geometry(o);
    o.key("properties");
    o.begin_object();
    properties(o);
    o.end_object();
    o.end_object();
}

/// Rounded for the answer; `+ 0.0` turns a rounded −0 into 0.
pub(super) fn r4(x: f64) -> f64 {
    round(x, 4) + 0.0
}

/// A tally's fields, in the open object: `households` counts those at each
/// step, `households_reached` those that reached agreement, signing and
/// hand-over (README, "Glossary"). For the public, `households` counts the
/// public steps: `not_yet` joins not contacted, persuading and declined, so
/// that no count (of a small group, or moving on one day) points at a
/// household that declined.
pub(super) fn write_tally(o: &mut Out, t: &Tally, audience: Audience) {
    o.field("donated_area_m2", r4(t.donated_area_m2));
    o.field("handed_over_area_m2", r4(t.handed_over_area_m2));
    o.field("progress_pct", t.progress_pct() + 0.0);
    o.field("parcels_affected", t.affected);
    o.key("households");
    o.begin_object();
    match audience {
        Audience::Staff => {
            for (s, n) in Status::ALL.iter().zip(t.at_step) {
                o.field(s.as_str(), n);
            }
        }
        Audience::Public => {
            for p in PublicStatus::ALL {
                o.field(p.as_str(), t.public_at(p));
            }
        }
    }
    o.end_object();
    o.key("households_reached");
    o.begin_object();
    for s in [Status::Agreed, Status::Signed, Status::HandedOver] {
        o.field(s.as_str(), t.reached(s));
    }
    o.end_object();
    o.field("complete", t.complete());
}

/// The structures on the affected land: how many, how many donated, the
/// value of those donated, and the count of each kind present.
pub(super) fn write_structures(o: &mut Out, t: &StructureTally) {
    o.field("structures", t.structures);
    o.field("structures_donated", t.donated);
    o.field("structures_donated_value_vnd", t.donated_value_vnd);
    o.key("structures_by_kind");
    o.begin_object();
    for k in StructureKind::ALL {
        let n = t.by_kind[k.index()];
        if n > 0 {
            o.field(k.code(), n);
        }
    }
    o.end_object();
}

/// Who answers for an area, in the open object: `lead`, the committee
/// members in charge (public offices: everyone sees them; `null` when none),
/// `last_step` and `idle_days` (its last step forward and the days since,
/// `null` when it never moved); with `members` (editors and admins: who
/// persuades whom is sensitive), the party members assigned to its
/// households, each with where those households stand.
pub(super) fn write_responsibility(
    o: &mut Out,
    ward: &Ward,
    leads: &[&str],
    still: Stillness,
    members: Option<&AreaMembers>,
) {
    o.field("lead", (!leads.is_empty()).then(|| leads.join("; ")));
    o.field("last_step", still.last_step.map(|d| d.to_string()));
    o.field("idle_days", still.idle_days);
    let Some(list) = members else { return };
    o.key("members");
    o.begin_array();
    for (i, f) in list {
        let m = &ward.members[*i];
        o.begin_object();
        o.field("code", &m.code);
        o.field("name", &m.name);
        o.field("cell", ward.cells.get(m.cell).map(|c| c.name.as_str()));
        o.field("assigned", f.assigned);
        o.field("contacted", f.contacted);
        o.field("agreed", f.agreed);
        o.field("signed", f.signed);
        o.field("handed_over", f.handed_over);
        o.field("declined", f.declined);
        o.end_object();
    }
    o.end_array();
}
