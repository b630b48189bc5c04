//! Read handlers: GeoJSON of segments and parcels, summaries, the progress
//! series, one parcel with its history. Anonymous callers get geometry,
//! measures and progress, never names, phones or notes. Answers are
//! written with [`Out`] straight into the response body.

use super::json::Out;
use super::{ApiError, AppState, Caller};
use crate::campaign::FeatureId;
use crate::campaign::events::{Status, Timeline};
use crate::campaign::figures::{GroupFigures, Tally, Ward, round};
use crate::campaign::structures::{StructureKind, StructureTally};
use crate::store::{DonationRow, ParcelFilter, ParcelRow, SegmentRow, Store};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

/// `as_of=YYYY-MM-DD` (end of that day); absent: everything recorded.
#[derive(Debug, Default, Deserialize)]
pub(super) struct AsOf {
    as_of: Option<String>,
}

pub(super) fn parse_date(field: &str, s: &str) -> Result<NaiveDate, ApiError> {
    s.parse().map_err(|_| {
        ApiError::Unprocessable(
            "bad_date",
            format!("{field}: ngày không hợp lệ {s:?}, cần YYYY-MM-DD / bad date {s:?}, expected YYYY-MM-DD"),
        )
    })
}

fn as_of(q: &AsOf) -> Result<NaiveDate, ApiError> {
    q.as_of
        .as_deref()
        .map_or(Ok(NaiveDate::MAX), |s| parse_date("as_of", s))
}

/// A feature id as the files gave it: a number stays a number.
pub(super) fn id_json(id: &FeatureId) -> Value {
    match id {
        FeatureId::Number(s) => {
            serde_json::from_str::<serde_json::Number>(s).map_or_else(|_| json!(s), Value::Number)
        }
        FeatureId::Text(s) => json!(s),
    }
}

/// Opens a FeatureCollection (`demo`, `as_of`) up to its feature array.
fn begin_collection(o: &mut Out, demo: bool, date: NaiveDate) {
    o.begin_object();
    o.field("type", "FeatureCollection");
    o.field("demo", demo);
    o.field("as_of", (date != NaiveDate::MAX).then(|| date.to_string()));
    o.key("features");
    o.begin_array();
}

fn end_collection(o: &mut Out) {
    o.end_array();
    o.end_object();
}

/// Writes one Feature: its geometry by `geometry`, then its properties by
/// `properties` (inside the open properties object).
fn feature(o: &mut Out, geometry: impl FnOnce(&mut Out), properties: impl FnOnce(&mut Out)) {
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
fn r4(x: f64) -> f64 {
    round(x, 4) + 0.0
}

/// A tally's fields, in the open object: `households` counts those at each
/// step, `households_reached` those that reached agreement, signing and
/// hand-over (README, "Glossary").
fn write_tally(o: &mut Out, t: &Tally) {
    o.field("donated_area_m2", r4(t.donated_area_m2));
    o.field("handed_over_area_m2", r4(t.handed_over_area_m2));
    o.field("progress_pct", t.progress_pct() + 0.0);
    o.field("parcels_affected", t.affected);
    o.key("households");
    o.begin_object();
    for (s, n) in Status::ALL.iter().zip(t.at_step) {
        o.field(s.as_str(), n);
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
fn write_structures(o: &mut Out, t: &StructureTally) {
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

/// Per segment row id: its tally on `date`, from the read model.
fn segment_tallies(ward: &Ward, date: NaiveDate) -> HashMap<i64, Tally> {
    ward.segments
        .iter()
        .zip(ward.segment_tallies(date))
        .map(|(seg, t)| (seg.key, t))
        .collect()
}

/// A parcel's status on `as_of` from the timelines (no events: not contacted).
fn status_of(timelines: &HashMap<i64, Timeline>, parcel: i64, as_of: NaiveDate) -> Status {
    timelines
        .get(&parcel)
        .map_or(Status::NotContacted, |t| t.status_on(as_of))
}

/// The timelines of every parcel, or of these row ids, good for `as_of`:
/// the materialised current statuses when they hold on it, else the log's.
fn timelines_for(
    s: &Store,
    parcels: Option<&[i64]>,
    as_of: NaiveDate,
) -> Result<HashMap<i64, Timeline>, ApiError> {
    Ok(if s.current_status_holds_on(as_of)? {
        s.current_timelines(parcels)?
    } else {
        match parcels {
            None => s.timelines()?,
            Some(keys) => s.timelines_of(keys)?,
        }
    })
}

fn write_segment(o: &mut Out, s: &SegmentRow, t: &Tally, groups: &HashMap<i64, Vec<String>>) {
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
    write_tally(o, t);
}

/// Runs a read of the figures on `date` (computed from the ward's facts,
/// kept in memory until the data changes); its answer is cached per date.
async fn read_on<F>(state: &AppState, what: &str, date: NaiveDate, f: F) -> Result<Out, ApiError>
where
    F: FnOnce(&mut Store, &Ward) -> Result<Out, ApiError> + Send + 'static,
{
    let facts = state.facts();
    state
        .cached(format!("{what} {date}"), move |s| {
            let ward = facts.get(s)?;
            f(s, &ward)
        })
        .await
}

/// `GET /api/segments`: every segment with its donated area and progress.
pub(super) async fn segments(
    State(state): State<AppState>,
    q: Result<Query<AsOf>, QueryRejection>,
) -> Result<Out, ApiError> {
    let date = as_of(&q?.0)?;
    let demo = state.demo;
    read_on(&state, "segments", date, move |s, ward| {
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
                |o| write_segment(o, seg, &t, &groups),
            );
        }
        end_collection(&mut o);
        Ok(o)
    })
    .await
}

/// `GET /api/summary/segments`: the segments' figures without geometry.
pub(super) async fn summary_segments(
    State(state): State<AppState>,
    q: Result<Query<AsOf>, QueryRejection>,
) -> Result<Out, ApiError> {
    let date = as_of(&q?.0)?;
    read_on(&state, "summary_segments", date, move |s, ward| {
        // No geometry here: the rows carry none.
        let segments = s.segments_without_geometry()?;
        let tallies = segment_tallies(ward, date);
        let groups = s.segment_groups()?;
        let mut o = Out::with_capacity(500 * segments.len());
        o.begin_array();
        for seg in &segments {
            let t = tallies.get(&seg.key).cloned().unwrap_or_default();
            o.begin_object();
            write_segment(&mut o, seg, &t, &groups);
            write_structures(&mut o, &t.structures);
            o.end_object();
        }
        o.end_array();
        Ok(o)
    })
    .await
}

/// Every residential group's figures on `date`, sorted by name (the
/// parcels without a group first).
fn group_rows(ward: &Ward, date: NaiveDate) -> Vec<GroupFigures> {
    let mut rows = ward.group_figures(date);
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    rows
}

fn write_group(o: &mut Out, g: &GroupFigures) {
    o.field("residential_group", &g.name);
    o.field("parcels", g.parcels);
    write_tally(o, &g.tally);
    write_structures(o, &g.tally.structures);
}

/// `GET /api/summary/groups`: per residential group, its parcels and the
/// progress of those affected.
pub(super) async fn summary_groups(
    State(state): State<AppState>,
    q: Result<Query<AsOf>, QueryRejection>,
) -> Result<Out, ApiError> {
    let date = as_of(&q?.0)?;
    read_on(&state, "summary_groups", date, move |_, ward| {
        let rows = group_rows(ward, date);
        let mut o = Out::with_capacity(400 * rows.len());
        o.begin_array();
        for row in &rows {
            o.begin_object();
            write_group(&mut o, row);
            o.end_object();
        }
        o.end_array();
        Ok(o)
    })
    .await
}

/// `GET /api/groups`: the residential groups as GeoJSON (each the outline
/// of its parcels) with the figures of `/api/summary/groups`.
pub(super) async fn groups(
    State(state): State<AppState>,
    q: Result<Query<AsOf>, QueryRejection>,
) -> Result<Out, ApiError> {
    let date = as_of(&q?.0)?;
    let demo = state.demo;
    read_on(&state, "groups", date, move |s, ward| {
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
                    |o| write_group(o, row),
                );
            }
        }
        end_collection(&mut o);
        Ok(o)
    })
    .await
}

/// `GET /api/corridors`: each segment's planned corridor (right-of-way) as
/// a GeoJSON polygon.
pub(super) async fn corridors(State(state): State<AppState>) -> Result<Out, ApiError> {
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

/// `GET /api/progress`: the campaign's progress on each date with a change.
pub(super) async fn progress(
    State(state): State<AppState>,
    q: Result<Query<AsOf>, QueryRejection>,
) -> Result<Out, ApiError> {
    let date = as_of(&q?.0)?;
    read_on(&state, "progress", date, move |_, ward| {
        let points = ward.series(date);
        let mut o = Out::with_capacity(300 * points.len());
        o.begin_array();
        for (d, t) in &points {
            o.begin_object();
            o.field("date", d.to_string());
            write_tally(&mut o, t);
            o.end_object();
        }
        o.end_array();
        Ok(o)
    })
    .await
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ParcelQuery {
    bbox: Option<String>,
    segment: Option<String>,
    group: Option<String>,
    status: Option<String>,
    as_of: Option<String>,
    fields: Option<String>,
}

/// The parcel properties an answer may be cut down to (`fields=`).
const PARCEL_FIELDS: [&str; 11] = [
    "id",
    "map_sheet",
    "parcel_no",
    "land_use",
    "legal_area_m2",
    "residential_group",
    "owner",
    "status",
    "status_label",
    "donated_area_m2",
    "donations",
];

/// Which parcel properties to write: all, or those `fields=` names (a map
/// viewport needs three of eleven, a quarter of the bytes).
#[derive(Debug, Clone, Copy)]
struct Fields(u16);

impl Fields {
    const ALL: Fields = Fields(u16::MAX);

    fn parse(s: &str) -> Result<Fields, ApiError> {
        let mut mask = 0;
        for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let i = PARCEL_FIELDS.iter().position(|f| *f == name).ok_or_else(|| {
                ApiError::Unprocessable(
                    "unknown_field",
                    format!(
                        "fields: không có thuộc tính {name:?} / no property {name:?} (có / known: {})",
                        PARCEL_FIELDS.join(", ")
                    ),
                )
            })?;
            mask |= 1 << i;
        }
        Ok(Fields(mask))
    }

    fn has(self, name: &str) -> bool {
        PARCEL_FIELDS
            .iter()
            .position(|f| *f == name)
            .is_some_and(|i| self.0 & (1 << i) != 0)
    }
}

fn parse_bbox(s: &str) -> Result<[f64; 4], ApiError> {
    let bad = || {
        ApiError::Unprocessable(
            "bad_bbox",
            format!(
                "bbox không hợp lệ {s:?}, cần minlon,minlat,maxlon,maxlat / bad bbox {s:?}, expected minlon,minlat,maxlon,maxlat"
            ),
        )
    };
    let v: Vec<f64> = s
        .split(',')
        .map(|x| x.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    match v[..] {
        [a, b, c, d] if v.iter().all(|x| x.is_finite()) && a <= c && b <= d => Ok([a, b, c, d]),
        _ => Err(bad()),
    }
}

fn parse_status(s: &str) -> Result<Status, ApiError> {
    s.parse()
        .map_err(|e: crate::campaign::events::UnknownStatus| {
            ApiError::Unprocessable("unknown_status", e.to_string())
        })
}

/// A parcel's properties, in the open object: measures and status always,
/// the owner only for a logged-in caller.
fn write_parcel(
    o: &mut Out,
    p: &ParcelRow,
    donations: &[&DonationRow],
    segment_ids: &HashMap<i64, FeatureId>,
    status: Status,
    names: bool,
    fields: Fields,
) {
    let put = |name: &str, o: &mut Out, write: &dyn Fn(&mut Out)| {
        if fields.has(name) {
            o.key(name);
            write(o);
        }
    };
    put("id", o, &|o| o.value(&p.id));
    put("map_sheet", o, &|o| o.value(&p.map_sheet));
    put("parcel_no", o, &|o| o.value(&p.parcel_no));
    put("land_use", o, &|o| o.value(&p.land_use));
    put("legal_area_m2", o, &|o| o.value(p.legal_area_m2));
    put("residential_group", o, &|o| o.value(&p.residential_group));
    if names {
        put("owner", o, &|o| o.value(&p.owner));
    }
    put("status", o, &|o| o.value(status.as_str()));
    put("status_label", o, &|o| o.value(status.label_vi()));
    put("donated_area_m2", o, &|o| {
        o.value(r4(donations.iter().map(|d| d.attributed_area_m2).sum()))
    });
    put("donations", o, &|o| {
        o.begin_array();
        for d in donations {
            o.begin_object();
            o.field("segment", segment_ids.get(&d.segment));
            o.field("area_in_corridor_m2", r4(d.area_in_corridor_m2));
            o.field("attributed_area_m2", r4(d.attributed_area_m2));
            o.field("frontage_m", r4(d.frontage_m));
            o.field("depth_mean_m", r4(d.depth_mean_m));
            o.field("depth_max_m", r4(d.depth_max_m));
            o.end_object();
        }
        o.end_array();
    });
}

fn by_parcel(donations: &[DonationRow]) -> HashMap<i64, Vec<&DonationRow>> {
    let mut out: HashMap<i64, Vec<&DonationRow>> = HashMap::new();
    for d in donations {
        out.entry(d.parcel).or_default().push(d);
    }
    out
}

/// `GET /api/parcels`: parcels with their measures and status, filtered.
pub(super) async fn parcels(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<ParcelQuery>, QueryRejection>,
) -> Result<Out, ApiError> {
    let q = q?.0;
    let date = as_of(&AsOf {
        as_of: q.as_of.clone(),
    })?;
    let filter = ParcelFilter {
        bbox: q.bbox.as_deref().map(parse_bbox).transpose()?,
        segment: q.segment.clone(),
        group: q.group.clone(),
    };
    let wanted = q.status.as_deref().map(parse_status).transpose()?;
    let fields = q.fields.as_deref().map_or(Ok(Fields::ALL), Fields::parse)?;
    let names = caller.sees_names();
    let demo = state.demo;
    state
        .blocking(move |s| {
            // Only the selected parcels' donations and events are read.
            let parcels = s.parcels(&filter)?;
            let keys: Vec<i64> = parcels.iter().map(|p| p.key).collect();
            let all = filter.bbox.is_none() && filter.segment.is_none() && filter.group.is_none();
            let (donations, timelines) = if all {
                (s.donations()?, timelines_for(s, None, date)?)
            } else {
                (s.donations_of(&keys)?, timelines_for(s, Some(&keys), date)?)
            };
            let segment_ids: HashMap<i64, FeatureId> = s.segment_ids()?.into_iter().collect();
            let donations = by_parcel(&donations);
            let mut o = Out::with_capacity(700 * parcels.len() + 128);
            begin_collection(&mut o, demo, date);
            for p in &parcels {
                let status = status_of(&timelines, p.key, date);
                if wanted.is_some_and(|w| w != status) {
                    continue;
                }
                let d = donations.get(&p.key).map_or(&[][..], |v| &v[..]);
                feature(
                    &mut o,
                    |o| o.multi_polygon(&p.polygons),
                    |o| write_parcel(o, p, d, &segment_ids, status, names, fields),
                );
            }
            end_collection(&mut o);
            Ok(o)
        })
        .await
}

/// `GET /api/parcels/{id}`: one parcel as a GeoJSON Feature, with its
/// history (and, for a logged-in caller, its households and the notes).
pub(super) async fn parcel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    q: Result<Query<AsOf>, QueryRejection>,
) -> Result<Out, ApiError> {
    let date = as_of(&q?.0)?;
    let names = caller.sees_names();
    let sensitive = caller.sees_sensitive().cloned();
    state
        .blocking(move |s| {
            let p = s.parcel(&id)?;
            let paperwork = if names {
                Some(super::campaign::paperwork_json(s, p.key)?)
            } else {
                None
            };
            let private = match &sensitive {
                Some(u) => {
                    super::campaign::log_read(s, u, &format!("parcel {}", p.id), None)?;
                    Some(super::campaign::sensitive_json(s, p.key)?)
                }
                None => None,
            };
            let segment_ids: HashMap<i64, FeatureId> = s.segment_ids()?.into_iter().collect();
            let donations = s.donations_of(&[p.key])?;
            let mine: Vec<&DonationRow> = donations.iter().collect();
            let current = timelines_for(s, Some(&[p.key]), NaiveDate::MAX)?;
            let status = if date == NaiveDate::MAX {
                status_of(&current, p.key, date)
            } else {
                status_of(&timelines_for(s, Some(&[p.key]), date)?, p.key, date)
            };
            let history = s.events(&p.id)?;
            let structures = s.structures_of(p.key)?;
            let households = if names {
                s.households_of(p.key)?
            } else {
                Vec::new()
            };
            let mut o = Out::with_capacity(4096);
            feature(
                &mut o,
                |o| o.multi_polygon(&p.polygons),
                |o| {
                    write_parcel(o, &p, &mine, &segment_ids, status, names, Fields::ALL);
                    // What an event recorded today may move it to.
                    o.key("next_statuses");
                    o.begin_array();
                    for n in status_of(&current, p.key, NaiveDate::MAX).next() {
                        o.value(n.as_str());
                    }
                    o.end_array();
                    // Not personal data: anyone may see them.
                    o.key("structures");
                    o.begin_array();
                    for st in &structures {
                        o.begin_object();
                        o.field("kind", st.kind.code());
                        o.field("label", st.kind.label());
                        o.field("quantity", st.quantity);
                        o.field("unit", st.unit.map(|u| u.code()));
                        o.field("unit_label", st.unit.map(|u| u.label()));
                        o.field("value_vnd", st.value_vnd);
                        o.field("donated", st.donated);
                        o.end_object();
                    }
                    o.end_array();
                    o.key("history");
                    o.begin_array();
                    for l in &history {
                        let e = &l.event;
                        o.begin_object();
                        o.field("id", l.id);
                        o.field("status", e.status.as_str());
                        o.field("occurred_on", e.occurred_on.to_string());
                        o.field("entered_at", e.entered_at.to_rfc3339());
                        o.field("corrects", e.corrects);
                        if names {
                            o.field("entered_by", &e.entered_by);
                        }
                        // who persuaded, and what was said: sensitive
                        if private.is_some() {
                            o.field("party_member", &e.party_member);
                            o.field("note", &e.note);
                        }
                        o.end_object();
                    }
                    o.end_array();
                    if names {
                        o.key("households");
                        o.begin_array();
                        for h in &households {
                            o.begin_object();
                            o.field("head_name", &h.head_name);
                            o.field("address", &h.address);
                            o.field("phone", &h.phone);
                            if private.is_some() {
                                o.field("is_member_family", h.is_member_family);
                                o.field("note", &h.note);
                            }
                            o.end_object();
                        }
                        o.end_array();
                    }
                    for part in [&paperwork, &private].into_iter().flatten() {
                        if let Value::Object(m) = part {
                            for (k, v) in m {
                                o.key(k);
                                o.json(v);
                            }
                        }
                    }
                },
            );
            Ok(o)
        })
        .await
}
