//! The campaign's people and paperwork: the organisation, assignments,
//! donation records, persuasion contacts, grievances, attachments and the
//! access log. Political and persuasion data (members, assignments,
//! contacts, grievances) is sensitive: editors and admins only, and every
//! read is logged ([`log_read`]).

use super::params::{id_json, past_date};
use super::{ApiError, AppState, Caller};
use crate::campaign::org::Area;
use crate::store::{Action, RecordInput, Store, User};
use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

/// The campaign routes: the organisation, the paperwork and people on a
/// parcel, grievances, attachments (read) and the access log. The upload
/// is [`upload_router`]'s: it takes larger bodies.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/org", get(org))
        .route("/api/parcels/{id}/assignment", post(assign))
        .route("/api/parcels/{id}/household", patch(household_flags))
        .route("/api/parcels/{id}/records", post(add_record))
        .route("/api/parcels/{id}/contacts", post(add_contact))
        .route("/api/parcels/{id}/grievances", post(add_grievance))
        .route("/api/grievances/{id}/answer", post(answer_grievance))
        .route("/api/attachments/{id}", get(attachment))
        .route("/api/access-log", get(access_log))
}

/// `POST /api/parcels/{id}/attachments`, apart from [`router`]: a scan is
/// larger than any other request body, so [`super::router`] gives this
/// route its own body limit instead of the shared one.
pub(super) fn upload_router() -> Router<AppState> {
    Router::new().route("/api/parcels/{id}/attachments", post(upload))
}

/// Records that `user` read sensitive data (`what`: "parcel 12", "org").
pub(super) fn log_read(
    s: &Store,
    user: &User,
    what: &str,
    detail: Option<&str>,
) -> Result<(), ApiError> {
    log_read_as_of(s, user, what, detail, None)
}

/// [`log_read`] of data as it stood at the end of `as_of` (`None`: now).
pub(super) fn log_read_as_of(
    s: &Store,
    user: &User,
    what: &str,
    detail: Option<&str>,
    as_of: Option<chrono::NaiveDate>,
) -> Result<(), ApiError> {
    Ok(s.log_access(&user.name, user.role.as_str(), what, detail, as_of)?)
}

/// `GET /api/org`: cells and their groups, area leads (public offices);
/// the members with their households for editors and admins (logged).
async fn org(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    let sensitive = caller.sees_sensitive().cloned();
    state
        .blocking(move |s| {
            let cells: Vec<Value> = s
                .cells()?
                .into_iter()
                .map(|c| json!({ "code": c.code, "name": c.name, "secretary": c.secretary, "groups": c.groups, "members": c.members }))
                .collect();
            let leads: Vec<Value> = s
                .leads()?
                .into_iter()
                .map(|l| {
                    let (group, segment) = match &l.area {
                        Area::Group(g) => (Some(g.clone()), None),
                        Area::Segment(id) => (None, Some(id_json(id))),
                    };
                    json!({ "name": l.name, "title": l.title, "group": group, "segment": segment })
                })
                .collect();
            let mut out = json!({ "cells": cells, "leads": leads });
            if let Some(user) = sensitive {
                log_read(s, &user, "org", None)?;
                // a secretary reads their cell's members, a member themselves
                let scope = s.scope_of(&user, crate::campaign::clock::today())?;
                out["members"] = s
                    .members()?
                    .into_iter()
                    .filter(|m| scope.covers_member(&m.code, &m.cell))
                    .map(|m| {
                        json!({
                            "code": m.code, "name": m.name, "cell": m.cell, "role": m.role,
                            "household_parcel": m.household.map(|(_, id)| id_json(&id)),
                        })
                    })
                    .collect();
            }
            Ok(Json(out))
        })
        .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAssignment {
    member: String,
    from: String,
}

/// `POST /api/parcels/{id}/assignment`: re-assigns the household; the old
/// assignment ends that day, so the history stays.
async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<NewAssignment>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require_to(Action::EditOrg)?;
    let Json(b) = body?;
    let from = past_date("from", &b.from)?;
    state
        .blocking(move |s| {
            let user = caller.require_on_parcel(s, Action::EditOrg, &id)?;
            // a secretary assigns their own cell's members only
            if user.role.scoped() {
                let scope = s.scope_of(&user, crate::campaign::clock::today())?;
                let cell = s
                    .members()?
                    .into_iter()
                    .find(|m| m.code == b.member.trim())
                    .map(|m| m.cell);
                if cell.is_some_and(|c| !scope.covers_cell(&c)) {
                    return Err(ApiError::OutOfScope(format!(
                        "member: đảng viên {0:?} không thuộc chi bộ của bạn / member: party member {0:?} is not of your cell",
                        b.member.trim()
                    )));
                }
            }
            let p = s.parcel(&id)?;
            s.assign(&p.id, b.member.trim(), from, &user.name)?;
            Ok((StatusCode::CREATED, Json(json!({ "parcel": id_json(&p.id), "member": b.member.trim(), "from": from.to_string() }))))
        })
        .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HouseholdFlags {
    is_member_family: Option<bool>,
    may_be_named: Option<bool>,
}

/// `PATCH /api/parcels/{id}/household`: flags the household as a family of
/// a cadre or party member, or records its consent to be named publicly.
async fn household_flags(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<HouseholdFlags>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require_to(Action::Record)?;
    let Json(b) = body?;
    if b.is_member_family.is_none() && b.may_be_named.is_none() {
        return Err(ApiError::Unprocessable(
            "nothing_to_change",
            "cần is_member_family hoặc may_be_named / give is_member_family or may_be_named".into(),
        ));
    }
    state
        .blocking(move |s| {
            let user = caller.require_on_parcel(s, Action::Record, &id)?;
            let p = s.parcel(&id)?;
            let n = s.set_household_flags(&p.id, b.is_member_family, b.may_be_named, &user.name)?;
            Ok(Json(json!({ "parcel": id_json(&p.id), "households": n })))
        })
        .await
}

/// A donation record as the API takes it (also inside a `signed` event).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewRecord {
    number: String,
    signed_on: String,
    signatories: Vec<String>,
    witness: String,
    attachment: Option<i64>,
}

impl NewRecord {
    pub(super) fn parse(self) -> Result<RecordInput, ApiError> {
        Ok(RecordInput {
            number: self.number,
            signed_on: past_date("record.signed_on", &self.signed_on)?,
            signatories: self.signatories,
            witness: self.witness,
            attachment: self.attachment,
        })
    }
}

/// `POST /api/parcels/{id}/records`: files a signed donation record.
async fn add_record(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<NewRecord>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require_to(Action::Record)?;
    let Json(b) = body?;
    let r = b.parse()?;
    state
        .blocking(move |s| {
            let user = caller.require_on_parcel(s, Action::Record, &id)?;
            let p = s.parcel(&id)?;
            let rid = s.add_record(&p.id, &r, &user.name)?;
            Ok((
                StatusCode::CREATED,
                Json(json!({ "id": rid, "parcel": id_json(&p.id), "number": r.number.trim() })),
            ))
        })
        .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewContact {
    contacted_on: String,
    member: String,
    summary: String,
}

/// `POST /api/parcels/{id}/contacts`: logs a persuasion visit (kept apart
/// from consent: a visit changes no status).
async fn add_contact(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<NewContact>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require_to(Action::Record)?;
    let Json(b) = body?;
    let on = past_date("contacted_on", &b.contacted_on)?;
    state
        .blocking(move |s| {
            let user = caller.require_on_parcel(s, Action::Record, &id)?;
            let p = s.parcel(&id)?;
            let cid = s.add_contact(&p.id, on, &b.member, &b.summary, &user.name)?;
            Ok((StatusCode::CREATED, Json(json!({ "id": cid }))))
        })
        .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewGrievance {
    raised_on: String,
    raised_by: String,
    content: String,
}

/// `POST /api/parcels/{id}/grievances`: records a grievance (kiến nghị).
async fn add_grievance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<NewGrievance>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require_to(Action::Record)?;
    let Json(b) = body?;
    let on = past_date("raised_on", &b.raised_on)?;
    state
        .blocking(move |s| {
            let user = caller.require_on_parcel(s, Action::Record, &id)?;
            let p = s.parcel(&id)?;
            let gid = s.add_grievance(&p.id, on, &b.raised_by, &b.content, &user.name)?;
            Ok((StatusCode::CREATED, Json(json!({ "id": gid }))))
        })
        .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Answer {
    answered_on: String,
    answer: String,
}

/// `POST /api/grievances/{id}/answer`: answers it, once.
async fn answer_grievance(
    State(state): State<AppState>,
    caller: Caller,
    Path(gid): Path<i64>,
    body: Result<Json<Answer>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require_to(Action::Record)?;
    let Json(b) = body?;
    let on = past_date("answered_on", &b.answered_on)?;
    state
        .blocking(move |s| {
            // the grievance's household must be within a scoped role's reach
            let user = match s.grievance_parcel(gid)? {
                Some(parcel) => caller.require_on_parcel(s, Action::Record, &parcel)?,
                None => caller.require_to(Action::Record)?.clone(),
            };
            s.answer_grievance(gid, on, &b.answer, &user.name)?;
            Ok(Json(json!({ "id": gid, "answered_on": on.to_string() })))
        })
        .await
}

#[derive(Debug, Deserialize)]
struct Upload {
    name: Option<String>,
    caption: Option<String>,
}

/// `POST /api/parcels/{id}/attachments?name=&caption=` with the file as the
/// body: a scan or photo, checked by its bytes (PDF, JPEG, PNG, WebP) and
/// size, stored with its SHA-256.
async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    q: Result<Query<Upload>, QueryRejection>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require_to(Action::Record)?;
    let q = q?.0;
    let max = crate::store::ATTACHMENT_MAX_BYTES >> 20;
    let too_large = || {
        ApiError::TooLarge(format!(
            "tệp quá giới hạn {max} MB / the file is over the {max} MB limit"
        ))
    };
    let body = match body {
        Ok(b) if b.len() > crate::store::ATTACHMENT_MAX_BYTES => return Err(too_large()),
        Ok(b) => b,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
        Err(e) => return Err(ApiError::BadRequest("bad_body", e.body_text())),
    };
    state
        .blocking(move |s| {
            let user = caller.require_on_parcel(s, Action::Record, &id)?;
            let p = s.parcel(&id)?;
            let name = q.name.unwrap_or_else(|| "tep-dinh-kem".into());
            let a = s.add_attachment(&p.id, &name, &body, q.caption.as_deref(), &user.name)?;
            Ok((StatusCode::CREATED, Json(attachment_json(&a))))
        })
        .await
}

pub(super) fn attachment_json(a: &crate::store::AttachmentRow) -> Value {
    json!({
        "id": a.id, "file_name": a.file_name, "media_type": a.media_type, "size_bytes": a.size_bytes,
        "sha256": a.sha256, "caption": a.caption, "uploaded_at": a.uploaded_at, "uploaded_by": a.uploaded_by,
        "url": format!("/api/attachments/{}", a.id),
    })
}

/// `GET /api/attachments/{id}`: the file (viewer+: scans carry names).
async fn attachment(
    State(state): State<AppState>,
    caller: Caller,
    Path(aid): Path<i64>,
) -> Result<Response, ApiError> {
    caller.require_to(Action::ReadNames)?;
    let (a, bytes) = state
        .blocking(move |s| {
            // a scan is personal only: 403 outside a scoped role's reach
            if caller.scoped()
                && let Some(parcel) = s.attachment_parcel(aid)?
            {
                caller.require_on_parcel(s, Action::ReadNames, &parcel)?;
            }
            Ok(s.attachment(aid)?)
        })
        .await?;
    let ascii: String = crate::campaign::fold(&a.file_name);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_str(&a.media_type)
                    .map_err(|e| ApiError::Internal(e.to_string()))?,
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("inline; filename=\"{ascii}\""))
                    .map_err(|e| ApiError::Internal(e.to_string()))?,
            ),
            (
                header::ETAG,
                HeaderValue::from_str(&format!("\"{}\"", a.sha256))
                    .map_err(|e| ApiError::Internal(e.to_string()))?,
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
struct LogQuery {
    limit: Option<usize>,
}

/// `GET /api/access-log?limit=`: who read sensitive data, newest first (admin).
async fn access_log(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<LogQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require_to(Action::ManageUsers)?;
    let limit = q?.0.limit.unwrap_or(200).min(5000);
    state
        .blocking(move |s| {
            let rows: Vec<Value> = s
                .access_log(limit)?
                .into_iter()
                .map(|r| json!({ "at": r.at, "user": r.user, "role": r.role, "what": r.what, "detail": r.detail, "as_of": r.as_of.map(|d| d.to_string()) }))
                .collect();
            Ok(Json(json!({ "reads": rows })))
        })
        .await
}

/// The sensitive part of a parcel's detail (editor+): who is assigned, the
/// contacts and grievances. Written into the parcel's JSON by `parcels::parcel`.
pub(super) fn sensitive_json(s: &Store, key: i64) -> Result<Value, ApiError> {
    let assignments: Vec<Value> = s
        .assignments(Some(key))?
        .into_iter()
        .map(|a| json!({ "member_code": a.member_code, "member": a.member_name, "from": a.from.to_string(), "to": a.to.map(|d| d.to_string()) }))
        .collect();
    let contacts: Vec<Value> = s
        .contacts(Some(key))?
        .into_iter()
        .map(|(_, c)| json!({ "id": c.id, "contacted_on": c.contacted_on.to_string(), "member": c.member, "summary": c.summary, "entered_by": c.entered_by }))
        .collect();
    let grievances: Vec<Value> = s
        .grievances(Some(key))?
        .into_iter()
        .map(|(_, g)| {
            json!({
                "id": g.id, "raised_on": g.raised_on.to_string(), "raised_by": g.raised_by, "content": g.content,
                "answer": g.answer, "answered_on": g.answered_on.map(|d| d.to_string()), "answered_by": g.answered_by,
            })
        })
        .collect();
    Ok(json!({ "assignments": assignments, "contacts": contacts, "grievances": grievances }))
}

/// Records, attachments and the history of the households' flags of a
/// parcel (viewer+: they carry names).
pub(super) fn paperwork_json(s: &Store, key: i64) -> Result<Value, ApiError> {
    let records: Vec<Value> = s
        .records_of(key)?
        .into_iter()
        .map(|r| {
            json!({
                "id": r.id, "number": r.number, "signed_on": r.signed_on.to_string(), "signatories": r.signatories,
                "witness": r.witness, "attachment": r.attachment, "entered_by": r.entered_by,
            })
        })
        .collect();
    let attachments: Vec<Value> = s.attachments_of(key)?.iter().map(attachment_json).collect();
    // Who changed a household's flags or consent, when, from what to what.
    let household_changes: Vec<Value> = s
        .household_changes(key)?
        .into_iter()
        .map(|c| {
            json!({
                "head_name": c.head_name, "field": c.field, "from": c.from, "to": c.to,
                "at": c.at, "by": c.by,
            })
        })
        .collect();
    Ok(
        json!({ "records": records, "attachments": attachments, "household_changes": household_changes }),
    )
}
