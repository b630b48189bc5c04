//! Inspection and supervision (kiểm tra, giám sát) by the Inspection
//! Committee: `GET /api/inspections` (the list with required actions and
//! overdue flags), `GET /api/inspections/proposals?idle_days=` (whom to
//! inspect, and why), `POST /api/inspections`, `PUT /api/inspections/{id}`
//! (a stale `version` is 409), `POST …/{id}/actions`, `PUT
//! …/{id}/actions/{aid}` (follow-up, done), `POST …/{id}/attachments`
//! (the file as the body) and `GET …/{id}/attachments/{att}`.
//!
//! Reads need [`Action::ReadInspections`] (inspection committee, standing
//! committee, admin) and are logged in the access log; writes need
//! [`Action::Inspect`]. Bad input is a 422 naming the field, with nothing
//! written.

use super::campaign::log_read;
use super::params::{parse_date, past_date};
use super::{ApiError, AppState, Caller};
use crate::campaign::clock::today;
use crate::campaign::events::dmy;
use crate::campaign::inspection::{
    AttachmentInfo, DEFAULT_IDLE_DAYS, Inspection, InspectionKind, InspectionValues, MAX_ACTIONS,
    Proposal, Reason, RequiredAction, SubjectKind, text_field,
};
use crate::store::Action;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};

/// Longest subject code accepted (characters).
const MAX_CODE: usize = 64;
/// Most inspections one list answers.
const MAX_LIST: usize = 1000;
/// The longest idle threshold of the proposals (days).
const MAX_IDLE_DAYS: u32 = 3650;

// One route a line: the OpenAPI test reads each `.route(` line.
#[rustfmt::skip]
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/inspections", get(list).post(add))
        .route("/api/inspections/proposals", get(proposed))
        .route("/api/inspections/{id}", put(edit))
        .route("/api/inspections/{id}/actions", post(add_action))
        .route("/api/inspections/{id}/actions/{aid}", put(follow_up))
        .route("/api/inspections/{id}/attachments/{att}", get(attachment))
}

/// The upload, apart: it takes larger bodies ([`super::router`] gives it
/// the attachments' limit).
pub(super) fn upload_router() -> Router<AppState> {
    Router::new().route("/api/inspections/{id}/attachments", post(upload))
}

fn unprocessable(code: &'static str, msg: String) -> ApiError {
    ApiError::Unprocessable(code, msg)
}

fn action_json(a: &RequiredAction, day: NaiveDate) -> Value {
    let st = a.state_on(day);
    json!({
        "id": a.id, "text": a.text,
        "deadline": a.deadline.to_string(), "deadline_vn": dmy(a.deadline),
        "done_on": a.done_on.map(|d| d.to_string()), "done_on_vn": a.done_on.map(dmy),
        "follow_up": a.follow_up, "version": a.version,
        "state": st.code(), "state_label": st.label(),
        "overdue": st == crate::campaign::inspection::ActionState::Overdue,
    })
}

fn attachment_json(id: i64, a: &AttachmentInfo) -> Value {
    json!({
        "id": a.id, "file_name": a.file_name, "media_type": a.media_type,
        "size_bytes": a.size_bytes, "sha256": a.sha256,
        "uploaded_at": a.uploaded_at, "uploaded_by": a.uploaded_by,
        "url": format!("/api/inspections/{id}/attachments/{}", a.id),
    })
}

fn inspection_json(i: &Inspection, day: NaiveDate) -> Value {
    let v = &i.values;
    let actions: Vec<Value> = i.actions.iter().map(|a| action_json(a, day)).collect();
    let overdue = actions.iter().filter(|a| a["overdue"] == true).count();
    json!({
        "id": i.id,
        "subject_kind": v.subject_kind.code(), "subject_label": v.subject_kind.label(),
        "subject_code": v.subject_code, "subject_name": i.subject_name,
        "kind": v.kind.code(), "kind_label": v.kind.label(),
        "held_on": v.held_on.to_string(), "held_on_vn": dmy(v.held_on),
        "scope": v.scope, "findings": v.findings, "conclusion": v.conclusion,
        "entered_at": i.entered_at, "entered_by": i.entered_by, "version": i.version,
        "actions": actions, "overdue": overdue,
        "attachments": i.attachments.iter().map(|a| attachment_json(i.id, a)).collect::<Vec<_>>(),
    })
}

/// A reason: its code, its text (Vietnamese / English) and its figures.
fn reason_json(r: &Reason) -> Value {
    let mut v = json!({ "code": r.code(), "text": r.text() });
    match r {
        Reason::Idle {
            households,
            assigned,
            longest_days,
            threshold,
        } => {
            v["households"] = json!(households);
            v["assigned"] = json!(assigned);
            v["longest_days"] = json!(longest_days);
            v["idle_days"] = json!(threshold);
        }
        Reason::OwnFamily { status } => v["status"] = json!(status.as_str()),
        Reason::BehindPlan { .. } => {}
    }
    v
}

fn proposal_json(p: &Proposal) -> Value {
    json!({
        "subject_kind": p.kind.code(), "subject_label": p.kind.label(),
        "subject_code": p.code, "subject_name": p.name, "cell": p.cell,
        "reasons": p.reasons.iter().map(reason_json).collect::<Vec<_>>(),
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    from: Option<String>,
    to: Option<String>,
    as_of: Option<String>,
    limit: Option<usize>,
}

/// `GET /api/inspections?from=&to=&as_of=&limit=`: the inspections held in
/// the period (all by default), newest first, each action's state on
/// `as_of` (default today).
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let user = caller.require_to(Action::ReadInspections)?.clone();
    let q = q?.0;
    let day = q
        .as_of
        .as_deref()
        .map(|d| past_date("as_of", d))
        .transpose()?
        .unwrap_or_else(today);
    let from = q
        .from
        .as_deref()
        .map(|d| parse_date("from", d))
        .transpose()?;
    let to = q.to.as_deref().map(|d| parse_date("to", d)).transpose()?;
    let limit = q.limit.unwrap_or(200).clamp(1, MAX_LIST);
    state
        .blocking(move |s| {
            log_read(
                s,
                &user,
                "inspections",
                Some(&format!("from={from:?} to={to:?} as_of={day}")),
            )?;
            let list = s.inspections(from, to, limit)?;
            let out: Vec<Value> = list.iter().map(|i| inspection_json(i, day)).collect();
            let overdue: usize = out
                .iter()
                .map(|i| i["overdue"].as_u64().unwrap_or(0) as usize)
                .sum();
            Ok(Json(json!({
                "as_of": day.to_string(), "as_of_vn": dmy(day),
                "inspections": out, "overdue_actions": overdue,
                "may_write": user.role.may(Action::Inspect),
            })))
        })
        .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProposalQuery {
    idle_days: Option<u32>,
    as_of: Option<String>,
}

/// `GET /api/inspections/proposals?idle_days=&as_of=`: whom hiendat
/// proposes to inspect, and why (figures from the read model).
async fn proposed(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<ProposalQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let user = caller.require_to(Action::ReadInspections)?.clone();
    let q = q?.0;
    let idle_days = q.idle_days.unwrap_or(DEFAULT_IDLE_DAYS);
    if idle_days == 0 || idle_days > MAX_IDLE_DAYS {
        return Err(unprocessable(
            "bad_idle_days",
            format!(
                "idle_days: cần từ 1 đến {MAX_IDLE_DAYS} ngày, không phải {idle_days} / must be 1 to {MAX_IDLE_DAYS} days, got {idle_days}"
            ),
        ));
    }
    let day = q
        .as_of
        .as_deref()
        .map(|d| past_date("as_of", d))
        .transpose()?
        .unwrap_or_else(today);
    let facts = state.facts();
    state
        .blocking(move |s| {
            log_read(
                s,
                &user,
                "inspection proposals",
                Some(&format!("idle_days={idle_days} as_of={day}")),
            )?;
            let kept = facts.get(s)?;
            let list = crate::ops::inspections::proposals(s, kept.ward(), day, idle_days)?;
            Ok(Json(json!({
                "as_of": day.to_string(), "as_of_vn": dmy(day), "idle_days": idle_days,
                "proposals": list.iter().map(proposal_json).collect::<Vec<_>>(),
            })))
        })
        .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionBody {
    text: String,
    deadline: String,
}

/// The body of `POST` and `PUT`: the full values; `PUT` names the version
/// it edits; `POST` may bring the first required actions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InspectionBody {
    subject_kind: String,
    subject_code: String,
    kind: String,
    held_on: String,
    scope: String,
    findings: String,
    conclusion: Option<String>,
    actions: Option<Vec<ActionBody>>,
    version: Option<i64>,
}

impl InspectionBody {
    fn values(&self) -> Result<InspectionValues, ApiError> {
        let subject_kind = SubjectKind::parse(self.subject_kind.trim()).ok_or_else(|| {
            unprocessable(
                "bad_subject_kind",
                format!(
                    "subject_kind: phải là cell (chi bộ) hoặc member (đảng viên), không phải {:?} / must be cell or member, got {:?}",
                    self.subject_kind, self.subject_kind
                ),
            )
        })?;
        let code = self.subject_code.trim();
        if code.is_empty() || code.chars().count() > MAX_CODE {
            return Err(unprocessable(
                "bad_subject_code",
                format!(
                    "subject_code: cần mã chi bộ hoặc đảng viên (1 đến {MAX_CODE} ký tự) / the cell's or member's code (1 to {MAX_CODE} characters)"
                ),
            ));
        }
        let kind = InspectionKind::parse(self.kind.trim()).ok_or_else(|| {
            unprocessable(
                "bad_kind",
                format!(
                    "kind: phải là inspection (kiểm tra) hoặc supervision (giám sát), không phải {:?} / must be inspection or supervision, got {:?}",
                    self.kind, self.kind
                ),
            )
        })?;
        let text = |field: &str, s: &str, required: bool| {
            text_field(field, s, required).map_err(|m| unprocessable("bad_text", m))
        };
        Ok(InspectionValues {
            subject_kind,
            subject_code: code.to_string(),
            kind,
            held_on: past_date("held_on", self.held_on.trim())?,
            scope: text("scope", &self.scope, true)?,
            findings: text("findings", &self.findings, true)?,
            conclusion: text(
                "conclusion",
                self.conclusion.as_deref().unwrap_or(""),
                false,
            )?,
        })
    }
}

impl ActionBody {
    fn parse(&self, field: &str) -> Result<(String, NaiveDate), ApiError> {
        let text = text_field(&format!("{field}text"), &self.text, true)
            .map_err(|m| unprocessable("bad_text", m))?;
        let deadline = parse_date(&format!("{field}deadline"), self.deadline.trim())?;
        Ok((text, deadline))
    }
}

/// `POST /api/inspections`: records an inspection (Inspect).
async fn add(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<InspectionBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = caller.require_to(Action::Inspect)?.clone();
    let Json(b) = body?;
    let values = b.values()?;
    let given = b.actions.as_deref().unwrap_or(&[]);
    if given.len() > MAX_ACTIONS {
        return Err(unprocessable(
            "too_many_actions",
            format!(
                "actions: {} yêu cầu, tối đa {MAX_ACTIONS} / {} actions, at most {MAX_ACTIONS}",
                given.len(),
                given.len()
            ),
        ));
    }
    let actions = given
        .iter()
        .enumerate()
        .map(|(i, a)| a.parse(&format!("actions[{i}].")))
        .collect::<Result<Vec<_>, _>>()?;
    state
        .blocking(move |s| {
            let i = s.add_inspection(&values, &actions, &user.name)?;
            Ok((StatusCode::CREATED, Json(inspection_json(&i, today()))))
        })
        .await
}

fn version(v: Option<i64>) -> Result<i64, ApiError> {
    v.ok_or_else(|| {
        unprocessable(
            "missing_version",
            "version: thiếu phiên bản đang sửa (trong GET /api/inspections) / missing: the version edited (from GET /api/inspections)".into(),
        )
    })
}

/// `PUT /api/inspections/{id}`: new values from `version` (Inspect).
async fn edit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: Result<Json<InspectionBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let user = caller.require_to(Action::Inspect)?.clone();
    let Json(b) = body?;
    let values = b.values()?;
    let v = version(b.version)?;
    if b.actions.is_some() {
        return Err(unprocessable(
            "bad_actions",
            "actions: thêm yêu cầu qua POST /api/inspections/{id}/actions / add actions with POST /api/inspections/{id}/actions".into(),
        ));
    }
    state
        .blocking(move |s| {
            let i = s.edit_inspection(id, v, &values, &user.name)?;
            Ok(Json(inspection_json(&i, today())))
        })
        .await
}

/// `POST /api/inspections/{id}/actions`: a required action (Inspect).
async fn add_action(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: Result<Json<ActionBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = caller.require_to(Action::Inspect)?.clone();
    let Json(b) = body?;
    let (text, deadline) = b.parse("")?;
    state
        .blocking(move |s| {
            let a = s.add_inspection_action(id, &text, deadline, &user.name)?;
            Ok((StatusCode::CREATED, Json(action_json(&a, today()))))
        })
        .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FollowUpBody {
    version: Option<i64>,
    follow_up: Option<String>,
    done_on: Option<String>,
}

/// `PUT /api/inspections/{id}/actions/{aid}`: the follow-up note and the
/// day it was done (blank: not yet), from `version` (Inspect).
async fn follow_up(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, aid)): Path<(i64, i64)>,
    body: Result<Json<FollowUpBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let user = caller.require_to(Action::Inspect)?.clone();
    let Json(b) = body?;
    let v = version(b.version)?;
    let note = text_field("follow_up", b.follow_up.as_deref().unwrap_or(""), false)
        .map_err(|m| unprocessable("bad_text", m))?;
    let done_on = b
        .done_on
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| past_date("done_on", d))
        .transpose()?;
    state
        .blocking(move |s| {
            let a = s.follow_up_action(id, aid, v, &note, done_on, &user.name)?;
            Ok(Json(action_json(&a, today())))
        })
        .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UploadQuery {
    name: Option<String>,
}

/// `POST /api/inspections/{id}/attachments?name=` with the file as the
/// body: a scan or photo of the minutes (Inspect).
async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    q: Result<Query<UploadQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = caller.require_to(Action::Inspect)?.clone();
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
            let name = q.name.unwrap_or_else(|| "bien-ban-kiem-tra".into());
            let a = s.add_inspection_attachment(id, &name, &body, &user.name)?;
            Ok((StatusCode::CREATED, Json(attachment_json(id, &a))))
        })
        .await
}

/// `GET /api/inspections/{id}/attachments/{att}`: the file (logged).
async fn attachment(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, att)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    let user = caller.require_to(Action::ReadInspections)?.clone();
    let (a, bytes) = state
        .blocking(move |s| {
            log_read(
                s,
                &user,
                &format!("inspection {id}"),
                Some(&format!("attachment {att}")),
            )?;
            Ok(s.inspection_attachment(id, att)?)
        })
        .await?;
    let ascii: String = crate::campaign::fold(&a.file_name);
    let value = |s: &str| HeaderValue::from_str(s).map_err(|e| ApiError::Internal(e.to_string()));
    Ok((
        [
            (header::CONTENT_TYPE, value(&a.media_type)?),
            (
                header::CONTENT_DISPOSITION,
                value(&format!("inline; filename=\"{ascii}\""))?,
            ),
            (header::ETAG, value(&format!("\"{}\"", a.sha256))?),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// This module's routes described for `GET /api/openapi.json` (merged into
/// the paths by [`super::openapi`]).
pub(super) fn openapi_paths() -> Value {
    let err = || json!({ "description": "{\"error\": {\"code\", \"message\"}}" });
    let id =
        json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } });
    let aid =
        json!({ "name": "aid", "in": "path", "required": true, "schema": { "type": "integer" } });
    let att =
        json!({ "name": "att", "in": "path", "required": true, "schema": { "type": "integer" } });
    let q = |name: &str, d: &str| json!({ "name": name, "in": "query", "required": false, "description": d, "schema": { "type": "string" } });
    let body = |schema: &str| json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } });
    let reads = json!({ "200": { "description": "OK" }, "401": err(), "403": err(), "422": err() });
    let writes = |ok: &str| json!({ ok: { "description": "OK" }, "401": err(), "403": err(), "404": err(), "409": err(), "415": err(), "422": err() });
    json!({
        "/api/inspections": {
            "get": { "summary": "Kiểm tra, giám sát / the inspections held in the period, newest first, with their required actions (state on as_of: done, overdue, open) and attachments (inspection, standing, admin; logged)",
                "parameters": [q("from", "YYYY-MM-DD"), q("to", "YYYY-MM-DD"), q("as_of", "YYYY-MM-DD"), q("limit", "at most 1000")], "responses": reads },
            "post": { "summary": "Ghi cuộc kiểm tra / record an inspection with its first required actions (inspection, admin)",
                "requestBody": body("InspectionBody"), "responses": writes("201") } },
        "/api/inspections/proposals": {
            "get": { "summary": "Đề xuất kiểm tra / whom to inspect and why: members whose assigned households not yet agreed saw no visit or step for idle_days, members whose own household has not agreed (inspection, standing, admin; logged)",
                "parameters": [q("idle_days", "1 to 3650, default 30"), q("as_of", "YYYY-MM-DD")], "responses": reads } },
        "/api/inspections/{id}": {
            "put": { "summary": "Sửa cuộc kiểm tra / new values from `version` (a newer one: 409) (inspection, admin)",
                "parameters": [id.clone()], "requestBody": body("InspectionBody"), "responses": writes("200") } },
        "/api/inspections/{id}/actions": {
            "post": { "summary": "Thêm yêu cầu khắc phục / a required action with its deadline (not before the inspection) (inspection, admin)",
                "parameters": [id.clone()], "requestBody": body("InspectionAction"), "responses": writes("201") } },
        "/api/inspections/{id}/actions/{aid}": {
            "put": { "summary": "Theo dõi yêu cầu / the follow-up note and the day it was done, from `version` (inspection, admin)",
                "parameters": [id.clone(), aid], "requestBody": body("InspectionFollowUp"), "responses": writes("200") } },
        "/api/inspections/{id}/attachments": {
            "post": { "summary": "Đính kèm biên bản / a scan or photo as the raw body (PDF, JPEG, PNG, WebP; 10 MB) (inspection, admin)",
                "parameters": [id.clone(), q("name", "file name")],
                "requestBody": { "required": true, "content": { "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } } },
                "responses": writes("201") } },
        "/api/inspections/{id}/attachments/{att}": {
            "get": { "summary": "Tệp đính kèm của cuộc kiểm tra / the file (inspection, standing, admin; logged)",
                "parameters": [id, att], "responses": { "200": { "description": "The file" }, "401": err(), "403": err(), "404": err() } } },
    })
}

/// The request bodies of [`openapi_paths`].
pub(super) fn openapi_schemas() -> Value {
    let text = json!({ "type": "string", "maxLength": crate::campaign::inspection::MAX_TEXT });
    json!({
        "InspectionBody": { "type": "object", "additionalProperties": false,
            "required": ["subject_kind", "subject_code", "kind", "held_on", "scope", "findings"],
            "properties": {
                "subject_kind": { "type": "string", "enum": ["cell", "member"] },
                "subject_code": { "type": "string", "maxLength": MAX_CODE },
                "kind": { "type": "string", "enum": ["inspection", "supervision"] },
                "held_on": { "type": "string", "format": "date" },
                "scope": text, "findings": text, "conclusion": text,
                "actions": { "type": "array", "maxItems": MAX_ACTIONS, "description": "POST only", "items": { "$ref": "#/components/schemas/InspectionAction" } },
                "version": { "type": "integer", "description": "PUT: the version as read (required)" } } },
        "InspectionAction": { "type": "object", "additionalProperties": false, "required": ["text", "deadline"],
            "properties": { "text": text, "deadline": { "type": "string", "format": "date" } } },
        "InspectionFollowUp": { "type": "object", "additionalProperties": false, "required": ["version"],
            "properties": { "version": { "type": "integer" }, "follow_up": text, "done_on": { "type": ["string", "null"], "format": "date" } } },
    })
}
