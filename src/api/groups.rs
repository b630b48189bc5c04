//! Residential groups: `GET /api/summary/groups` (each group's parcels and
//! progress, its party cell, the committee member in charge and how long
//! it has stood still; the members assigned to its households for editors
//! and admins) and `GET /api/groups` (the same as GeoJSON, each group the
//! outline of its parcels).

use super::geojson::{
    begin_collection, end_collection, feature, write_responsibility, write_structures, write_tally,
};
use super::json::Out;
use super::params::AsOf;
use super::{ApiError, AppState, Caller};
use crate::campaign::events::Audience;
use crate::campaign::figures::{GroupFigures, Kept, LeadOf};
use crate::campaign::responsibility::Responsibility;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use chrono::NaiveDate;
use std::collections::HashMap;

/// The group routes.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/summary/groups", get(summary_groups))
        .route("/api/groups", get(groups))
}

/// Every residential group's figures on `date`, sorted by name (the
/// parcels without a group first).
fn group_rows(ward: &Kept, date: NaiveDate) -> Vec<GroupFigures> {
    let mut rows = ward.group_figures(date);
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    rows
}

/// Whom a group answer is for, and the responsibility figures it shows.
struct View<'a> {
    ward: &'a Kept,
    audience: Audience,
    /// Editors and admins: the assigned members.
    members: bool,
    resp: Responsibility,
}

impl View<'_> {
    fn write_group(&self, o: &mut Out, g: &GroupFigures) {
        let ward = self.ward.ward();
        o.field("residential_group", &g.name);
        o.field("parcels", g.parcels);
        o.field("cell", g.name.as_deref().and_then(|n| ward.cell_name_of(n)));
        let leads = match &g.name {
            Some(n) => ward.leads_of(&LeadOf::Group(n.clone())),
            None => Vec::new(),
        };
        let area = g.name.as_deref().and_then(|n| self.resp.groups.get(n));
        write_responsibility(
            o,
            ward,
            &leads,
            area.map(|a| a.0).unwrap_or_default(),
            area.map(|a| &a.1).filter(|_| self.members),
        );
        write_tally(o, &g.tally, self.audience);
        write_structures(o, &g.tally.structures);
    }
}

/// The day idle days count to: the date asked for, or today.
pub(super) fn idle_day(date: NaiveDate) -> NaiveDate {
    if date == NaiveDate::MAX {
        crate::campaign::clock::today()
    } else {
        date
    }
}

/// `GET /api/summary/groups`: per residential group, its parcels and the
/// progress of those affected.
async fn summary_groups(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<AsOf>, QueryRejection>,
) -> Result<Out, ApiError> {
    let date = q?.0.date()?;
    let audience = caller.audience();
    // a secretary or member reads no ward-wide member list
    let members = caller.sees_sensitive_ward().is_some();
    let day = idle_day(date);
    let what = format!("summary_groups {day} {members}");
    state
        .figures_on(&what, date, audience, move |_, ward| {
            let rows = group_rows(ward, date);
            let view = View {
                ward,
                audience,
                members,
                resp: ward.ward().responsibility(day),
            };
            let mut o = Out::with_capacity(400 * rows.len());
            o.begin_array();
            for row in &rows {
                o.begin_object();
                view.write_group(&mut o, row);
                o.end_object();
            }
            o.end_array();
            Ok(o)
        })
        .await
}

/// `GET /api/groups`: the residential groups as GeoJSON (each the outline
/// of its parcels) with the figures of `/api/summary/groups`.
async fn groups(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<AsOf>, QueryRejection>,
) -> Result<Out, ApiError> {
    let date = q?.0.date()?;
    let demo = state.demo;
    let audience = caller.audience();
    // a secretary or member reads no ward-wide member list
    let members = caller.sees_sensitive_ward().is_some();
    let day = idle_day(date);
    let what = format!("groups {day} {members}");
    state
        .figures_on(&what, date, audience, move |s, ward| {
            let rows: HashMap<Option<String>, GroupFigures> = group_rows(ward, date)
                .into_iter()
                .map(|r| (r.name.clone(), r))
                .collect();
            let view = View {
                ward,
                audience,
                members,
                resp: ward.ward().responsibility(day),
            };
            let outlines = s.group_outlines()?;
            let mut o = Out::with_capacity(64 * 1024);
            begin_collection(&mut o, demo, date);
            for g in &outlines {
                if let Some(row) = rows.get(&Some(g.name.clone())) {
                    feature(
                        &mut o,
                        |o| o.multi_polygon(&g.polygons),
                        |o| view.write_group(o, row),
                    );
                }
            }
            end_collection(&mut o);
            Ok(o)
        })
        .await
}
