//! Road segments: `GET /api/segments` (GeoJSON with donated area and
//! progress), `GET /api/summary/segments` (the same figures without
//! geometry) and `GET /api/corridors` (each segment's planned corridor).

use super::geojson::{
    begin_collection, end_collection, feature, write_responsibility, write_structures, write_tally,
};
use super::groups::idle_day;
use super::json::Out;
use super::params::AsOf;
use super::{ApiError, AppState, Caller};
use crate::campaign::events::Audience;
use crate::campaign::figures::{Kept, LeadOf, Tally};
use crate::campaign::responsibility::Responsibility;
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

/// Whom a segment answer is for, and the responsibility figures it shows.
struct View<'a> {
    ward: &'a Kept,
    audience: Audience,
    /// Editors and admins: the assigned members.
    members: bool,
    resp: Responsibility,
    /// Row id → index in the ward's segments.
    index: HashMap<i64, usize>,
}

impl<'a> View<'a> {
    fn new(ward: &'a Kept, audience: Audience, members: bool, day: NaiveDate) -> View<'a> {
        let w = ward.ward();
        View {
            ward,
            audience,
            members,
            resp: w.responsibility(day),
            index: w
                .segments
                .iter()
                .enumerate()
                .map(|(i, s)| (s.key, i))
                .collect(),
        }
    }

    fn write_segment(
        &self,
        o: &mut Out,
        s: &SegmentRow,
        t: &Tally,
        groups: &HashMap<i64, Vec<String>>,
    ) {
        let ward = self.ward.ward();
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
        let i = self.index.get(&s.key).copied();
        // the party cells of the groups it runs through
        o.key("cells");
        o.begin_array();
        for c in i.map(|i| ward.segment_cells(i)).unwrap_or_default() {
            o.value(c);
        }
        o.end_array();
        let leads = i.map_or_else(Vec::new, |i| ward.leads_of(&LeadOf::Segment(i)));
        let area = i.and_then(|i| self.resp.segments.get(i));
        write_responsibility(
            o,
            ward,
            &leads,
            area.map(|a| a.0).unwrap_or_default(),
            area.map(|a| &a.1).filter(|_| self.members),
        );
        write_tally(o, t, self.audience);
    }
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
    // a secretary or member reads no ward-wide member list
    let members = caller.sees_sensitive_ward().is_some();
    let day = idle_day(date);
    let what = format!("segments {day} {members}");
    state
        .figures_on(&what, date, audience, move |s, ward| {
            let view = View::new(ward, audience, members, day);
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
                    |o| view.write_segment(o, seg, &t, &groups),
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
    // a secretary or member reads no ward-wide member list
    let members = caller.sees_sensitive_ward().is_some();
    let day = idle_day(date);
    let what = format!("summary_segments {day} {members}");
    state
        .figures_on(&what, date, audience, move |s, ward| {
            let view = View::new(ward, audience, members, day);
            // No geometry here: the rows carry none.
            let segments = s.segments_without_geometry()?;
            let tallies = segment_tallies(ward, date);
            let groups = s.segment_groups()?;
            let mut o = Out::with_capacity(500 * segments.len());
            o.begin_array();
            for seg in &segments {
                let t = tallies.get(&seg.key).cloned().unwrap_or_default();
                o.begin_object();
                view.write_segment(&mut o, seg, &t, &groups);
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
