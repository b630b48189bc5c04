//! Road segments: `GET /api/segments` (GeoJSON with donated area and
//! progress), `GET /api/summary/segments` (the same figures without
//! geometry) and `GET /api/corridors` (each segment's planned corridor).

use super::geojson::{begin_collection, end_collection, feature, write_structures, write_tally};
use super::json::Out;
use super::params::AsOf;
use super::{ApiError, AppState, Caller};
use crate::campaign::events::Audience;
use crate::campaign::figures::{Kept, Tally};
use crate::store::SegmentRow;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use chrono::NaiveDate;
use std::collections::HashMap;

/// The segment routes.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/segments", get(segments))
        .route("/api/summary/segments", get(summary_segments))
        .route("/api/corridors", get(corridors))
}

/// Per segment row id: its tally on `date`, from the read model.
fn segment_tallies(ward: &Kept, date: NaiveDate) -> HashMap<i64, Tally> {
    ward.ward()
        .segments
        .iter()
        .zip(ward.segment_tallies(date))
        .map(|(seg, t)| (seg.key, t))
        .collect()
}

fn write_segment(
    o: &mut Out,
    s: &SegmentRow,
    t: &Tally,
    groups: &HashMap<i64, Vec<String>>,
    audience: Audience,
) {
    o.field("id", &s.id);
    o.field("name", &s.name);
    o.key("groups");
    o.begin_array();
    for g in groups.get(&s.key).into_iter().flatten() {
        o.value(g);
    }
    o.end_array();
    o.field("current_width_m", s.current_width_m);
    o.field("planned_width_m", s.planned_width_m);
    o.field("planned_left_m", s.planned_left_m);
    o.field("planned_right_m", s.planned_right_m);
    write_tally(o, t, audience);
}

/// `GET /api/segments`: every segment with its donated area and progress.
async fn segments(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<AsOf>, QueryRejection>,
) -> Result<Out, ApiError> {
    let date = q?.0.date()?;
    let demo = state.demo;
    let audience = caller.audience();
    state
        .figures_on("segments", date, audience, move |s, ward| {
            let segments = s.segments()?;
            let tallies = segment_tallies(ward, date);
            let groups = s.segment_groups()?;
            let mut o = Out::with_capacity(1024 * segments.len());
            begin_collection(&mut o, demo, date);
            for seg in &segments {
                let t = tallies.get(&seg.key).cloned().unwrap_or_default();
                feature(
                    &mut o,
                    |o| o.multi_lines(&seg.centerline),
                    |o| write_segment(o, seg, &t, &groups, audience),
                );
            }
            end_collection(&mut o);
            Ok(o)
        })
        .await
}

/// `GET /api/summary/segments`: the segments' figures without geometry.
async fn summary_segments(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<AsOf>, QueryRejection>,
) -> Result<Out, ApiError> {
    let date = q?.0.date()?;
    let audience = caller.audience();
    state
        .figures_on("summary_segments", date, audience, move |s, ward| {
            // No geometry here: the rows carry none.
            let segments = s.segments_without_geometry()?;
            let tallies = segment_tallies(ward, date);
            let groups = s.segment_groups()?;
            let mut o = Out::with_capacity(500 * segments.len());
            o.begin_array();
            for seg in &segments {
                let t = tallies.get(&seg.key).cloned().unwrap_or_default();
                o.begin_object();
                write_segment(&mut o, seg, &t, &groups, audience);
                write_structures(&mut o, &t.structures);
                o.end_object();
            }
            o.end_array();
            Ok(o)
        })
        .await
}

/// `GET /api/corridors`: each segment's planned corridor (right-of-way) as
/// a GeoJSON polygon.
async fn corridors(State(state): State<AppState>) -> Result<Out, ApiError> {
    let demo = state.demo;
    state
        .blocking(move |s| {
            let outlines = s.corridor_outlines()?;
            let mut o = Out::with_capacity(64 * 1024);
            begin_collection(&mut o, demo, NaiveDate::MAX);
            for c in &outlines {
                feature(
                    &mut o,
                    |o| o.multi_polygon(&c.polygons),
                    |o| {
                        o.field("segment", &c.key);
                        o.field("name", &c.name);
                    },
                );
            }
            end_collection(&mut o);
            Ok(o)
        })
        .await
}
