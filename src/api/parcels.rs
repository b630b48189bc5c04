//! Parcels: `GET /api/parcels` (GeoJSON with measures and status,
//! filtered), `GET /api/parcels/{id}` (one parcel with its history) and
//! `POST /api/parcels/{id}/events` (record a status change, editor+).
//! Anonymous callers get geometry, measures and the public status (declined
//! and being persuaded read `not_yet`, "chưa hiến"), never names, phones,
//! notes or who entered what.

use super::geojson::{begin_collection, end_collection, feature, r4};
use super::json::Out;
use super::params::{
    self, AsOf, id_json, non_empty, parse_bbox, parse_status, parse_status_filter,
};
use super::{ApiError, AppState, Caller, campaign};
use crate::campaign::FeatureId;
use crate::campaign::events::{Audience, Event, Status, Timeline, public_history};
use crate::campaign::structures::structures_on;
use crate::store::{Action, DonationRow, ParcelFilter, ParcelRow, Store};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The parcel routes (the campaign's paperwork on a parcel is
/// [`super::campaign`]'s, its record page [`super::reports`]').
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/parcels", get(parcels))
        .route("/api/parcels/{id}", get(parcel))
        .route("/api/parcels/{id}/events", post(post_event))
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

#[derive(Debug, Default, Deserialize)]
struct ParcelQuery {
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
/// A parcel's properties, in the open object: measures and status always
/// (as `audience` may read it), the owner only for a logged-in caller.
fn write_parcel(
    o: &mut Out,
    p: &ParcelRow,
    donations: &[&DonationRow],
    segment_ids: &HashMap<i64, FeatureId>,
    status: Status,
    audience: Audience,
    fields: Fields,
) {
    let names = audience == Audience::Staff;
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
    put("status", o, &|o| o.value(audience.code(status)));
    put("status_label", o, &|o| o.value(audience.label_vi(status)));
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
async fn parcels(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<ParcelQuery>, QueryRejection>,
) -> Result<Out, ApiError> {
    let q = q?.0;
    let date = params::as_of(q.as_of.as_deref())?;
    let filter = ParcelFilter {
        bbox: q.bbox.as_deref().map(parse_bbox).transpose()?,
        segment: q.segment.clone(),
        group: q.group.clone(),
    };
    let audience = caller.audience();
    let wanted = q
        .status
        .as_deref()
        .map(|w| parse_status_filter(w, audience))
        .transpose()?;
    let fields = q.fields.as_deref().map_or(Ok(Fields::ALL), Fields::parse)?;
    let demo = state.demo;
    state
        .blocking(move |s| {
            // A secretary or member reads the households outside their
            // scope as the public does.
            let scope = caller.scope(s)?;
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
                let audience = match audience {
                    Audience::Staff => caller.view_of(scope.as_ref(), p.key).audience,
                    public => public,
                };
                if wanted.is_some_and(|w| !w.keeps_for(status, audience)) {
                    continue;
                }
                let d = donations.get(&p.key).map_or(&[][..], |v| &v[..]);
                feature(
                    &mut o,
                    |o| o.multi_polygon(&p.polygons),
                    |o| write_parcel(o, p, d, &segment_ids, status, audience, fields),
                );
            }
            end_collection(&mut o);
            Ok(o)
        })
        .await
}

/// `GET /api/parcels/{id}`: one parcel as a GeoJSON Feature, with its
/// history (and, for a logged-in caller, its households and the notes).
/// Now (not an `as_of` replay), it carries the parcel's version: header
/// `ETag` and `"version"` (at the Feature's top and in its properties).
async fn parcel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    q: Result<Query<AsOf>, QueryRejection>,
) -> Result<Response, ApiError> {
    let date = q?.0.date()?;
    let (out, etag) = state
        .blocking(move |s| parcel_answer(s, &caller, &id, date))
        .await?;
    let mut r = out.into_response();
    if let Some(tag) = etag.and_then(|t| HeaderValue::from_str(&t).ok()) {
        r.headers_mut().insert(header::ETAG, tag);
    }
    Ok(r)
}

/// The body of `GET /api/parcels/{id}` for `caller` on `date`, and the
/// parcel's `ETag` when `date` is now (also the `current` of a 412).
pub(super) fn parcel_answer(
    s: &Store,
    caller: &Caller,
    id: &str,
    date: NaiveDate,
) -> Result<(Out, Option<String>), ApiError> {
    let p = s.parcel(id)?;
    // outside a secretary's or member's scope: as the public reads it
    let view = caller.on_parcel(s, p.key)?;
    // The version moves with visits and grievances too: only those who
    // read them (and may write) get it, the public never sees activity.
    let version = if date == NaiveDate::MAX && view.sensitive.is_some() {
        Some(s.parcel_version(p.key)?.version)
    } else {
        None
    };
    let (names, audience, sensitive) = (view.names, view.audience, view.sensitive);
    let paperwork = if names {
        Some(campaign::paperwork_json(s, p.key)?)
    } else {
        None
    };
    let private = match &sensitive {
        Some(u) => {
            let as_of = (date != NaiveDate::MAX).then_some(date);
            campaign::log_read_as_of(s, u, &format!("parcel {}", p.id), None, as_of)?;
            Some(campaign::sensitive_json(s, p.key)?)
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
    // as they stood on the day asked for (their history replayed)
    let structures = structures_on(
        &s.structures_now(p.key)?,
        &s.structure_changes(p.key)?,
        date,
    );
    let households = if names {
        s.households_of(p.key)?
    } else {
        Vec::new()
    };
    let mut o = Out::with_capacity(4096);
    o.begin_object();
    o.field("type", "Feature");
    if let Some(v) = version {
        o.field("version", v);
    }
    o.key("geometry");
    o.multi_polygon(&p.polygons);
    o.key("properties");
    o.begin_object();
    write_parcel(
        &mut o,
        &p,
        &mine,
        &segment_ids,
        status,
        audience,
        Fields::ALL,
    );
    if let Some(v) = version {
        o.field("version", v);
    }
    // What an event recorded today may move it to (for the
    // status form; they would tell a declined household
    // from one being persuaded, so not for the public).
    if names {
        o.key("next_statuses");
        o.begin_array();
        for n in status_of(&current, p.key, NaiveDate::MAX).next() {
            o.value(n.as_str());
        }
        o.end_array();
    }
    // Not personal data: anyone may see them.
    o.key("structures");
    o.begin_array();
    // (their ids and versions: GET /api/parcels/{id}/structures)
    for st in &structures {
        o.json(&super::structures::values_json(&st.values));
    }
    o.end_array();
    o.key("history");
    o.begin_array();
    if !names {
        // the public's: the changes of the public status only
        for (on, st) in public_history(&history) {
            o.begin_object();
            o.field("status", st.as_str());
            o.field("occurred_on", on.to_string());
            o.end_object();
        }
    }
    for l in history.iter().filter(|_| names) {
        let e = &l.event;
        o.begin_object();
        o.field("id", l.id);
        o.field("status", e.status.as_str());
        o.field("occurred_on", e.occurred_on.to_string());
        o.field("entered_at", e.entered_at.to_rfc3339());
        o.field("corrects", e.corrects);
        o.field("entered_by", &e.entered_by);
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
    o.end_object();
    o.end_object();
    let etag = version.map(|v| super::versions::etag(p.key, v));
    Ok((o, etag))
}

/// The body of `POST /api/parcels/{id}/events`: the new status and the date
/// it happened; a note, the party member involved and the id of an event
/// this one corrects are optional.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewEvent {
    status: String,
    occurred_on: String,
    note: Option<String>,
    party_member: Option<String>,
    corrects: Option<i64>,
    /// With `signed`: the donation record, filed in the same transaction
    /// (a parcel is signed only with a record on file).
    record: Option<campaign::NewRecord>,
}

/// `POST /api/parcels/{id}/events`: records a status change (editor+).
async fn post_event(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<NewEvent>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require_to(Action::Record)?;
    let Json(b) = body?;
    let status = parse_status(&b.status)?;
    let occurred_on = params::past_date("occurred_on", &b.occurred_on)?;
    let record = b.record.map(campaign::NewRecord::parse).transpose()?;
    if record.is_some() && status != Status::Signed {
        return Err(ApiError::Unprocessable(
            "record_without_signing",
            "biên bản (record) chỉ đi kèm trạng thái \"Đã ký biên bản\" (signed) / a record (record) goes with status signed only".into(),
        ));
    }
    let now = crate::campaign::clock::now();
    state
        .blocking(move |s| {
            // a secretary's cell, a member's assigned households only
            let user = caller.require_on_parcel(s, Action::Record, &id)?;
            // One transaction: the parcel looked up once (no geometry), its
            // log read and replayed once.
            let event = Event {
                parcel: FeatureId::Text(id),
                status,
                occurred_on,
                entered_at: now,
                entered_by: user.name.clone(),
                party_member: non_empty(b.party_member),
                note: non_empty(b.note),
                corrects: b.corrects,
            };
            let done = s.record_event(&event, record.as_ref())?;
            Ok((
                StatusCode::CREATED,
                Json(json!({
                    "id": done.id,
                    "parcel": id_json(&done.parcel),
                    "status": status.as_str(),
                    "occurred_on": occurred_on.to_string(),
                    "entered_by": user.name,
                    "parcel_status": done.status.as_str(),
                    "parcel_version": done.version,
                })),
            ))
        })
        .await
}
