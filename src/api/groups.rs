//! Residential groups: `GET /api/summary/groups` (each group's parcels and
//! progress) and `GET /api/groups` (the same as GeoJSON, each group the
//! outline of its parcels).

use super::geojson::{begin_collection, end_collection, feature, write_structures, write_tally};
use super::json::Out;
use super::params::AsOf;
use super::{ApiError, AppState, Caller};
use crate::campaign::events::Audience;
use crate::campaign::figures::{GroupFigures, Kept};
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

fn write_group(o: &mut Out, g: &GroupFigures, audience: Audience) {
    o.field("residential_group", &g.name);
    o.field("parcels", g.parcels);
    write_tally(o, &g.tally, audience);
    write_structures(o, &g.tally.structures);
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
    state
        .figures_on("summary_groups", date, audience, move |_, ward| {
            let rows = group_rows(ward, date);
            let mut o = Out::with_capacity(400 * rows.len());
            o.begin_array();
            for row in &rows {
                o.begin_object();
                write_group(&mut o, row, audience);
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
    state
        .figures_on("groups", date, audience, move |s, ward| {
            let rows: HashMap<Option<String>, GroupFigures> = group_rows(ward, date)
                .into_iter()
                .map(|r| (r.name.clone(), r))
                .collect();
            let outlines = s.group_outlines()?;
            let mut o = Out::with_capacity(64 * 1024);
            begin_collection(&mut o, demo, date);
            for g in &outlines {
                if let Some(row) = rows.get(&Some(g.name.clone())) {
                    feature(
                        &mut o,
                        |o| o.multi_polygon(&g.polygons),
                        |o| write_group(o, row, audience),
                    );
                }
            }
            end_collection(&mut o);
            Ok(o)
        })
        .await
}
