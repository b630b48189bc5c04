//! Read handlers: GeoJSON of segments and parcels, summaries, the progress
//! series, one parcel with its history. Anonymous callers get geometry,
//! measures and progress, never names, phones or notes.

use super::progress::{Tally, round, series, status_of};
use super::{ApiError, AppState, Caller};
use crate::campaign::FeatureId;
use crate::campaign::events::Status;
use crate::store::{AreaTally, DonationRow, ParcelFilter, ParcelRow, SegmentRow, Store, Timeline};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};

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

fn as_of_json(d: NaiveDate) -> Value {
    if d == NaiveDate::MAX {
        Value::Null
    } else {
        json!(d.to_string())
    }
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

fn feature(geometry: Value, properties: Map<String, Value>) -> Value {
    json!({ "type": "Feature", "geometry": geometry, "properties": properties })
}

fn collection(features: Vec<Value>, demo: bool, as_of: NaiveDate) -> Value {
    json!({ "type": "FeatureCollection", "demo": demo, "as_of": as_of_json(as_of), "features": features })
}

/// Everything the progress figures need, loaded in one blocking call.
struct Campaign {
    donations: Vec<DonationRow>,
    timelines: HashMap<i64, crate::store::Timeline>,
}

fn load(s: &Store) -> Result<Campaign, ApiError> {
    Ok(Campaign {
        donations: s.donations()?,
        timelines: s.timelines()?,
    })
}

fn tally(t: AreaTally) -> Tally {
    Tally {
        donated_area_m2: t.donated_area_m2,
        handed_over_area_m2: t.handed_over_area_m2,
        counts: t.counts,
    }
}

/// Per segment row id: its tally on `as_of`, summed by SQL from the
/// materialised current statuses when they hold on `as_of`, else replayed.
fn segment_tallies(s: &Store, as_of: NaiveDate) -> Result<HashMap<i64, Tally>, ApiError> {
    if s.current_status_holds_on(as_of)? {
        Ok(s.current_segment_tallies()?
            .into_iter()
            .map(|(k, t)| (k, tally(t)))
            .collect())
    } else {
        Ok(load(s)?.segment_tallies(as_of))
    }
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

fn segment_properties(s: &SegmentRow, t: &Tally) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), id_json(&s.id));
    m.insert("name".into(), json!(s.name));
    m.insert("current_width_m".into(), json!(s.current_width_m));
    m.insert("planned_width_m".into(), json!(s.planned_width_m));
    m.insert("planned_left_m".into(), json!(s.planned_left_m));
    m.insert("planned_right_m".into(), json!(s.planned_right_m));
    t.write(&mut m);
    m
}

impl Campaign {
    /// Per segment row id: its tally on `as_of`.
    fn segment_tallies(&self, as_of: NaiveDate) -> HashMap<i64, Tally> {
        let mut out: HashMap<i64, Tally> = HashMap::new();
        for d in &self.donations {
            out.entry(d.segment).or_default().add(
                d.attributed_area_m2,
                status_of(&self.timelines, d.parcel, as_of),
            );
        }
        out
    }

    /// Per affected parcel row id: its donated area over all segments.
    fn parcel_areas(&self) -> HashMap<i64, f64> {
        let mut out: HashMap<i64, f64> = HashMap::new();
        for d in &self.donations {
            *out.entry(d.parcel).or_default() += d.attributed_area_m2;
        }
        out
    }
}

fn line_geometry(lines: &[Vec<[f64; 2]>]) -> Value {
    json!({ "type": "MultiLineString", "coordinates": lines })
}

fn polygon_geometry(polys: &[Vec<Vec<[f64; 2]>>]) -> Value {
    json!({ "type": "MultiPolygon", "coordinates": polys })
}

/// `GET /api/segments`: every segment with its donated area and progress.
pub(super) async fn segments(
    State(state): State<AppState>,
    q: Result<Query<AsOf>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let date = as_of(&q?.0)?;
    let demo = state.demo;
    state
        .blocking(move |s| {
            let segments = s.segments()?;
            let tallies = segment_tallies(s, date)?;
            let features = segments
                .iter()
                .map(|seg| {
                    let t = tallies.get(&seg.key).cloned().unwrap_or_default();
                    feature(line_geometry(&seg.centerline), segment_properties(seg, &t))
                })
                .collect();
            Ok(Json(collection(features, demo, date)))
        })
        .await
}

/// `GET /api/summary/segments`: the segments' figures without geometry.
pub(super) async fn summary_segments(
    State(state): State<AppState>,
    q: Result<Query<AsOf>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let date = as_of(&q?.0)?;
    state
        .blocking(move |s| {
            // No geometry here: the rows carry none.
            let segments = s.segments_without_geometry()?;
            let tallies = segment_tallies(s, date)?;
            let rows: Vec<Value> = segments
                .iter()
                .map(|seg| {
                    let t = tallies.get(&seg.key).cloned().unwrap_or_default();
                    Value::Object(segment_properties(seg, &t))
                })
                .collect();
            Ok(Json(Value::Array(rows)))
        })
        .await
}

/// `GET /api/summary/groups`: per residential group, its parcels and the
/// progress of those affected.
pub(super) async fn summary_groups(
    State(state): State<AppState>,
    q: Result<Query<AsOf>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let date = as_of(&q?.0)?;
    state
        .blocking(move |s| {
            let mut groups: BTreeMap<Option<String>, (usize, Tally)> = s
                .group_names()?
                .into_iter()
                .map(|g| (Some(g), (0, Tally::default())))
                .collect();
            if s.current_status_holds_on(date)? {
                for (group, n, t) in s.current_group_tallies()? {
                    groups.insert(group, (n, tally(t)));
                }
            } else {
                let c = load(s)?;
                let areas = c.parcel_areas();
                for (key, group) in s.parcel_groups()? {
                    let entry = groups.entry(group).or_default();
                    entry.0 += 1;
                    if let Some(a) = areas.get(&key) {
                        entry.1.add(*a, status_of(&c.timelines, key, date));
                    }
                }
            }
            let rows = groups
                .into_iter()
                .map(|(name, (n, t))| {
                    let mut m = Map::new();
                    m.insert("residential_group".into(), json!(name));
                    m.insert("parcels".into(), json!(n));
                    t.write(&mut m);
                    Value::Object(m)
                })
                .collect();
            Ok(Json(Value::Array(rows)))
        })
        .await
}

/// `GET /api/progress`: the campaign's progress on each date with a change.
pub(super) async fn progress(
    State(state): State<AppState>,
    q: Result<Query<AsOf>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let date = as_of(&q?.0)?;
    state
        .blocking(move |s| {
            let c = load(s)?;
            let points: Vec<Value> = series(&c.parcel_areas(), &c.timelines, date)
                .into_iter()
                .map(|(d, t)| {
                    let mut m = Map::new();
                    m.insert("date".into(), json!(d.to_string()));
                    t.write(&mut m);
                    Value::Object(m)
                })
                .collect();
            Ok(Json(Value::Array(points)))
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

/// A parcel's properties: measures and status always, the owner only for a
/// logged-in caller.
fn parcel_properties(
    p: &ParcelRow,
    donations: &[&DonationRow],
    segment_ids: &HashMap<i64, Value>,
    status: Status,
    names: bool,
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), id_json(&p.id));
    m.insert("map_sheet".into(), json!(p.map_sheet));
    m.insert("parcel_no".into(), json!(p.parcel_no));
    m.insert("land_use".into(), json!(p.land_use));
    m.insert("legal_area_m2".into(), json!(p.legal_area_m2));
    m.insert("residential_group".into(), json!(p.residential_group));
    if names {
        m.insert("owner".into(), json!(p.owner));
    }
    m.insert("status".into(), json!(status.as_str()));
    m.insert("status_label".into(), json!(status.label_vi()));
    let total: f64 = donations.iter().map(|d| d.attributed_area_m2).sum();
    m.insert("donated_area_m2".into(), json!(round(total, 4)));
    let list: Vec<Value> = donations
        .iter()
        .map(|d| {
            json!({
                "segment": segment_ids.get(&d.segment).cloned().unwrap_or(Value::Null),
                "area_in_corridor_m2": round(d.area_in_corridor_m2, 4),
                "attributed_area_m2": round(d.attributed_area_m2, 4),
                "frontage_m": round(d.frontage_m, 4),
                "depth_mean_m": round(d.depth_mean_m, 4),
                "depth_max_m": round(d.depth_max_m, 4),
            })
        })
        .collect();
    m.insert("donations".into(), Value::Array(list));
    m
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
) -> Result<Json<Value>, ApiError> {
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
            let segment_ids: HashMap<i64, Value> = s
                .segment_ids()?
                .iter()
                .map(|(key, id)| (*key, id_json(id)))
                .collect();
            let donations = by_parcel(&donations);
            let features = parcels
                .iter()
                .filter_map(|p| {
                    let status = status_of(&timelines, p.key, date);
                    if wanted.is_some_and(|w| w != status) {
                        return None;
                    }
                    let d = donations.get(&p.key).map_or(&[][..], |v| &v[..]);
                    Some(feature(
                        polygon_geometry(&p.polygons),
                        parcel_properties(p, d, &segment_ids, status, names),
                    ))
                })
                .collect();
            Ok(Json(collection(features, demo, date)))
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
) -> Result<Json<Value>, ApiError> {
    let date = as_of(&q?.0)?;
    let names = caller.sees_names();
    state
        .blocking(move |s| {
            let p = s.parcel(&id)?;
            let segment_ids: HashMap<i64, Value> = s
                .segment_ids()?
                .iter()
                .map(|(key, id)| (*key, id_json(id)))
                .collect();
            let donations = s.donations_of(&[p.key])?;
            let mine: Vec<&DonationRow> = donations.iter().collect();
            let status = status_of(&timelines_for(s, Some(&[p.key]), date)?, p.key, date);
            let mut props = parcel_properties(&p, &mine, &segment_ids, status, names);
            let history: Vec<Value> = s
                .events(&p.id)?
                .iter()
                .map(|l| {
                    let e = &l.event;
                    let mut m = Map::new();
                    m.insert("id".into(), json!(l.id));
                    m.insert("status".into(), json!(e.status.as_str()));
                    m.insert("occurred_on".into(), json!(e.occurred_on.to_string()));
                    m.insert("entered_at".into(), json!(e.entered_at.to_rfc3339()));
                    m.insert("corrects".into(), json!(e.corrects));
                    if names {
                        m.insert("entered_by".into(), json!(e.entered_by));
                        m.insert("party_member".into(), json!(e.party_member));
                        m.insert("note".into(), json!(e.note));
                    }
                    Value::Object(m)
                })
                .collect();
            props.insert("history".into(), Value::Array(history));
            if names {
                let households: Vec<Value> = s
                    .households_of(p.key)?
                    .into_iter()
                    .map(|h| {
                        json!({
                            "head_name": h.head_name,
                            "address": h.address,
                            "phone": h.phone,
                            "is_member_family": h.is_member_family,
                        })
                    })
                    .collect();
                props.insert("households".into(), Value::Array(households));
            }
            Ok(Json(feature(polygon_geometry(&p.polygons), props)))
        })
        .await
}
