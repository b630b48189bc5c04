//! The organisation edited from the page (issue 13, item 7): party cells,
//! party members, area leads added, edited and removed, households
//! re-assigned to a member in bulk, each change kept in the organisation's
//! history ([`crate::store::OrgChangeRow`]).
//!
//! | route | who | what |
//! |---|---|---|
//! | `GET /api/org/current?as_of=` | editor+ (logged) | every item with its version and last change, each member's assigned households (the read model's), whether the caller may edit |
//! | `GET /api/org/history?what=&code=&limit=` | editor+ (logged) | the history, newest first |
//! | `POST /api/org/cells`, `PUT/DELETE /api/org/cells/{code}` | `EditOrg` | a party cell |
//! | `POST /api/org/members`, `PUT/DELETE /api/org/members/{code}` | `EditOrg` | a party member |
//! | `POST /api/org/leads`, `PUT/DELETE /api/org/leads/{id}` | `EditOrg` | an area lead |
//! | `POST /api/org/assignments` | `EditOrg` | households re-assigned to a member from a date |
//!
//! An edit or removal names the `version` it was made from (from
//! `GET /api/org/current`): a newer one is a 409 naming who changed the item
//! last. A cell secretary may edit only their own cell: [`may_edit_cell`].

use super::params::{self, AsOf, non_empty};
use super::{ApiError, AppState, Caller};
use crate::campaign::FeatureId;
use crate::campaign::org::Area;
use crate::store::{
    Action, CellEdit, LeadEdit, MemberEdit, OrgAuthor, OrgChangeRow, OrgWhat, Store, User,
};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Longest code (of a cell, a member).
const MAX_CODE: usize = 32;
/// Longest name, title, role or secretary.
const MAX_TEXT: usize = 200;
/// Most groups a cell covers in one request.
const MAX_GROUPS: usize = 100;
/// Most households re-assigned in one request.
pub const MAX_PARCELS: usize = 500;
/// Most history rows in one answer.
const MAX_HISTORY: usize = 500;

// One route a line: the OpenAPI test reads each `.route(` line.
#[rustfmt::skip]
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/org/current", get(current))
        .route("/api/org/history", get(history))
        .route("/api/org/cells", post(add_cell))
        .route("/api/org/cells/{code}", put(edit_cell).delete(remove_cell))
        .route("/api/org/members", post(add_member))
        .route("/api/org/members/{code}", put(edit_member).delete(remove_member))
        .route("/api/org/leads", post(add_lead))
        .route("/api/org/leads/{id}", put(edit_lead).delete(remove_lead))
        .route("/api/org/assignments", post(reassign))
}

/// Whether `user` may edit the cell `cell_code` (its members and their
/// assignments too). The one place that decides it: the organisation is
/// edited here by ward roles only (editor, standing, admin). A cell
/// secretary's edits could widen their own reach (groups added to their
/// cell, any parcel made a member's household or assigned to one), so a
/// secretary re-assigns their cell's households from the parcel panel
/// (`POST /api/parcels/{id}/assignment`, checked against their scope).
pub fn may_edit_cell(user: &User, _cell_code: &str) -> bool {
    !user.role.scoped()
}

fn unprocessable(code: &'static str, msg: String) -> ApiError {
    ApiError::Unprocessable(code, msg)
}

/// A required text field: trimmed, not empty, at most `max` characters.
fn text(field: &str, s: Option<&str>, max: usize) -> Result<String, ApiError> {
    let s = s.map(str::trim).unwrap_or_default();
    if s.is_empty() {
        return Err(unprocessable(
            "missing_field",
            format!("{field}: không được để trống / must not be empty"),
        ));
    }
    limited(field, s, max)
}

fn limited(field: &str, s: &str, max: usize) -> Result<String, ApiError> {
    let n = s.chars().count();
    if n > max {
        return Err(unprocessable(
            "too_long",
            format!("{field}: dài {n} ký tự, tối đa {max} / {n} characters long, at most {max}"),
        ));
    }
    Ok(s.to_string())
}

/// An optional text field: blank is absent.
fn optional(field: &str, s: Option<String>, max: usize) -> Result<Option<String>, ApiError> {
    non_empty(s).map(|s| limited(field, &s, max)).transpose()
}

/// A code: no spaces or control characters.
fn code(field: &str, s: Option<&str>) -> Result<String, ApiError> {
    let c = text(field, s, MAX_CODE)?;
    if c.chars().any(|ch| ch.is_whitespace() || ch.is_control()) {
        return Err(unprocessable(
            "bad_code",
            format!(
                "{field}: mã {c:?} không được có khoảng trắng / code {c:?} must have no spaces"
            ),
        ));
    }
    Ok(c)
}

fn version(v: Option<i64>) -> Result<i64, ApiError> {
    v.ok_or_else(|| {
        unprocessable(
            "missing_version",
            "version: thiếu phiên bản của mục đang sửa (trong GET /api/org/current) / missing: the version of the item edited (from GET /api/org/current)".into(),
        )
    })
}

/// `effective`, or today in the ward.
fn effective(s: Option<&str>) -> Result<NaiveDate, ApiError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => params::past_date("effective", s),
        None => Ok(crate::campaign::clock::today()),
    }
}

/// A parcel id given as a string or a number.
fn parcel_id(v: &Value) -> Result<FeatureId, ApiError> {
    match v {
        Value::String(s) if !s.trim().is_empty() && s.len() <= 64 => {
            Ok(FeatureId::Text(s.trim().to_string()))
        }
        Value::Number(n) => Ok(FeatureId::Text(n.to_string())),
        other => Err(unprocessable(
            "bad_parcel",
            format!("parcels: mã thửa không hợp lệ {other} / bad parcel id {other}"),
        )),
    }
}

fn forbidden_cell() -> ApiError {
    ApiError::Forbidden
}

/// `GET /api/org/current?as_of=`: the organisation as the editing page
/// shows it.
async fn current(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<AsOf>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let user = caller.require_to(Action::ReadSensitive)?.clone();
    caller.require_ward("tổ chức / organisation")?;
    let date = q?.0.date()?;
    let day = if date == NaiveDate::MAX {
        crate::campaign::clock::today()
    } else {
        date
    };
    let may_edit = user.role.may(Action::EditOrg);
    let facts = state.facts();
    state
        .blocking(move |s| {
            super::campaign::log_read(s, &user, "org", Some("org editing"))?;
            let kept = facts.get(s)?;
            let ward = kept.ward();
            let figures = ward.member_figures(day, None);
            let assigned: HashMap<&str, usize> = ward
                .members
                .iter()
                .zip(&figures)
                .map(|(m, f)| (m.code.as_str(), f.assigned))
                .collect();
            let versions = s.org_versions()?;
            let stamp = |what: OrgWhat, item: &str, v: &mut Value| {
                let (n, by, at) = versions
                    .get(&(what.code().to_string(), item.to_string()))
                    .cloned()
                    .unwrap_or((0, String::new(), String::new()));
                v["version"] = json!(n);
                v["changed_by"] = json!((!by.is_empty()).then_some(by));
                v["changed_at"] = json!((!at.is_empty()).then_some(at));
            };
            let cells: Vec<Value> = s
                .cells()?
                .into_iter()
                .map(|c| {
                    let mut v = json!({
                        "code": c.code, "name": c.name, "secretary": c.secretary,
                        "groups": c.groups, "members": c.members,
                        "may_edit": may_edit && may_edit_cell(&user, &c.code),
                    });
                    stamp(OrgWhat::Cell, &c.code, &mut v);
                    v
                })
                .collect();
            let members: Vec<Value> = s
                .members()?
                .into_iter()
                .map(|m| {
                    let mut v = json!({
                        "code": m.code, "name": m.name, "cell": m.cell, "role": m.role,
                        "household_parcel": m.household.map(|(_, id)| params::id_json(&id)),
                        "assigned": assigned.get(m.code.as_str()).copied().unwrap_or(0),
                    });
                    stamp(OrgWhat::Member, &m.code, &mut v);
                    v
                })
                .collect();
            let leads: Vec<Value> = s
                .lead_ids()?
                .into_iter()
                .zip(s.leads()?)
                .map(|(id, l)| {
                    let (group, segment) = match &l.area {
                        Area::Group(g) => (Some(g.clone()), None),
                        Area::Segment(sid) => (None, Some(params::id_json(sid))),
                    };
                    let mut v = json!({ "id": id, "name": l.name, "title": l.title, "group": group, "segment": segment });
                    stamp(OrgWhat::Lead, &id.to_string(), &mut v);
                    v
                })
                .collect();
            let segments: Vec<Value> = ward
                .segments
                .iter()
                .map(|sg| json!({ "id": sg.id, "name": sg.name }))
                .collect();
            Ok(Json(json!({
                "as_of": day.to_string(),
                "may_edit": may_edit,
                "cells": cells, "members": members, "leads": leads,
                "groups": ward.groups, "segments": segments,
            })))
        })
        .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryQuery {
    what: Option<String>,
    code: Option<String>,
    limit: Option<usize>,
}

/// A history row as answers write it.
fn change_json(c: &OrgChangeRow) -> Value {
    let parse = |s: &Option<String>| {
        s.as_deref()
            .and_then(|t| serde_json::from_str::<Value>(t).ok())
            .unwrap_or(Value::Null)
    };
    let label = match c.change.as_str() {
        "added" => "thêm / added",
        "edited" => "sửa / edited",
        "removed" => "xóa / removed",
        _ => "nhập tệp / imported",
    };
    json!({
        "id": c.id, "what": c.what, "item": c.item, "change": c.change, "change_label": label,
        "before": parse(&c.before), "after": parse(&c.after), "effective": c.effective,
        "entered_at": c.entered_at, "entered_by": c.entered_by,
    })
}

/// `GET /api/org/history?what=&code=&limit=`: the organisation's history,
/// newest first (sensitive: the read is logged).
async fn history(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<HistoryQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let user = caller.require_to(Action::ReadSensitive)?.clone();
    caller.require_ward("tổ chức / organisation")?;
    let q = q?.0;
    let what = match q.what.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(w) => Some(OrgWhat::parse(w).ok_or_else(|| {
            unprocessable(
                "bad_what",
                format!("what: không có loại {w:?} (có: cell, member, lead, assignment) / no kind {w:?} (known: cell, member, lead, assignment)"),
            )
        })?),
        None => None,
    };
    let item = optional("code", q.code, 64)?;
    let limit = q.limit.unwrap_or(200);
    if limit == 0 || limit > MAX_HISTORY {
        return Err(unprocessable(
            "bad_limit",
            format!("limit: từ 1 đến {MAX_HISTORY} / from 1 to {MAX_HISTORY}"),
        ));
    }
    state
        .blocking(move |s| {
            let detail = format!(
                "what={} code={}",
                what.map_or("", OrgWhat::code),
                item.as_deref().unwrap_or("")
            );
            super::campaign::log_read(s, &user, "org history", Some(&detail))?;
            let rows = s.org_history(what, item.as_deref(), limit)?;
            Ok(Json(
                json!({ "history": rows.iter().map(change_json).collect::<Vec<_>>() }),
            ))
        })
        .await
}

/// The body of a remove: the version removed, from which day.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RemoveBody {
    version: Option<i64>,
    effective: Option<String>,
}

fn written(status: StatusCode, v: Value) -> (StatusCode, Json<Value>) {
    (status, Json(v))
}

/// The answer to an organisation write: what was written (`key`: its code
/// or id) and its new version.
fn saved(status: StatusCode, key: &str, id: Value, version: i64) -> (StatusCode, Json<Value>) {
    written(status, json!({ key: id, "version": version }))
}

/// The caller, when they may edit the ward's organisation.
fn org_editor(caller: &Caller) -> Result<User, ApiError> {
    let user = caller.require_to(Action::EditOrg)?.clone();
    caller.require_ward("tổ chức / organisation")?;
    Ok(user)
}

/// Who writes, and from which day (`effective`, default today).
fn author(user: &User, effective_day: Option<&str>) -> Result<OrgAuthor, ApiError> {
    Ok(OrgAuthor::now(&user.name, effective(effective_day)?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CellBody {
    code: Option<String>,
    name: Option<String>,
    secretary: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
    version: Option<i64>,
    effective: Option<String>,
}

impl CellBody {
    fn edit(self, code: String) -> Result<CellEdit, ApiError> {
        if self.groups.len() > MAX_GROUPS {
            return Err(unprocessable(
                "too_many",
                format!("groups: tối đa {MAX_GROUPS} tổ / at most {MAX_GROUPS} groups"),
            ));
        }
        Ok(CellEdit {
            code,
            name: text("name", self.name.as_deref(), MAX_TEXT)?,
            secretary: optional("secretary", self.secretary, MAX_TEXT)?,
            groups: self
                .groups
                .iter()
                .map(|g| text("groups", Some(g), MAX_TEXT))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// `POST /api/org/cells`: a new party cell.
async fn add_cell(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<CellBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = org_editor(&caller)?;
    let Json(b) = body?;
    let code = code("code", b.code.as_deref())?;
    if !may_edit_cell(&user, &code) {
        return Err(forbidden_cell());
    }
    let a = author(&user, b.effective.as_deref())?;
    let edit = b.edit(code)?;
    state
        .blocking(move |s| {
            let v = s.add_cell(&edit, &a)?;
            Ok(saved(StatusCode::CREATED, "code", json!(edit.code), v))
        })
        .await
}

/// `PUT /api/org/cells/{code}`: a cell's name, secretary and groups.
async fn edit_cell(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    body: Result<Json<CellBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = org_editor(&caller)?;
    if !may_edit_cell(&user, &code) {
        return Err(forbidden_cell());
    }
    let Json(b) = body?;
    if b.code.as_deref().is_some_and(|c| c.trim() != code) {
        return Err(unprocessable(
            "bad_code",
            "code: không đổi được mã chi bộ; hãy thêm chi bộ mới / a cell's code cannot change: add a new cell".into(),
        ));
    }
    let expected = version(b.version)?;
    let a = author(&user, b.effective.as_deref())?;
    let edit = b.edit(code)?;
    state
        .blocking(move |s| {
            let v = s.edit_cell(&edit, expected, &a)?;
            Ok(saved(StatusCode::OK, "code", json!(edit.code), v))
        })
        .await
}

/// `DELETE /api/org/cells/{code}`: a cell without members.
async fn remove_cell(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    body: Result<Json<RemoveBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = org_editor(&caller)?;
    if !may_edit_cell(&user, &code) {
        return Err(forbidden_cell());
    }
    let Json(b) = body?;
    let expected = version(b.version)?;
    let a = author(&user, b.effective.as_deref())?;
    state
        .blocking(move |s| {
            let v = s.remove_cell(&code, expected, &a)?;
            Ok(saved(StatusCode::OK, "code", json!(code), v))
        })
        .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberBody {
    code: Option<String>,
    name: Option<String>,
    cell: Option<String>,
    role: Option<String>,
    household: Option<Value>,
    version: Option<i64>,
    effective: Option<String>,
}

impl MemberBody {
    fn edit(self, code: String) -> Result<MemberEdit, ApiError> {
        let household = match self.household.as_ref().unwrap_or(&Value::Null) {
            Value::Null => None,
            Value::String(s) if s.trim().is_empty() => None,
            v => Some(parcel_id(v).map_err(|_| {
                unprocessable(
                    "bad_parcel",
                    format!("household: mã thửa không hợp lệ {v} / bad parcel id {v}"),
                )
            })?),
        };
        Ok(MemberEdit {
            code,
            name: text("name", self.name.as_deref(), MAX_TEXT)?,
            cell: text("cell", self.cell.as_deref(), MAX_CODE)?,
            role: optional("role", self.role, MAX_TEXT)?,
            household,
        })
    }
}

/// The cell of the member `code` now (None: no such member).
fn cell_of_member(s: &Store, code: &str) -> Result<Option<String>, ApiError> {
    Ok(s.members()?
        .into_iter()
        .find(|m| m.code == code)
        .map(|m| m.cell))
}

/// `POST /api/org/members`: a new party member.
async fn add_member(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<MemberBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = org_editor(&caller)?;
    let Json(b) = body?;
    let code = code("code", b.code.as_deref())?;
    let a = author(&user, b.effective.as_deref())?;
    let edit = b.edit(code)?;
    if !may_edit_cell(&user, &edit.cell) {
        return Err(forbidden_cell());
    }
    state
        .blocking(move |s| {
            let v = s.add_member(&edit, &a)?;
            Ok(saved(StatusCode::CREATED, "code", json!(edit.code), v))
        })
        .await
}

/// `PUT /api/org/members/{code}`: a member's name, cell, role, household.
async fn edit_member(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    body: Result<Json<MemberBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = org_editor(&caller)?;
    let Json(b) = body?;
    if b.code.as_deref().is_some_and(|c| c.trim() != code) {
        return Err(unprocessable(
            "bad_code",
            "code: không đổi được mã đảng viên / a member's code cannot change".into(),
        ));
    }
    let expected = version(b.version)?;
    let a = author(&user, b.effective.as_deref())?;
    let edit = b.edit(code)?;
    state
        .blocking(move |s| {
            let old = cell_of_member(s, &edit.code)?;
            if !may_edit_cell(&user, &edit.cell) || old.is_some_and(|c| !may_edit_cell(&user, &c)) {
                return Err(forbidden_cell());
            }
            let v = s.edit_member(&edit, expected, &a)?;
            Ok(saved(StatusCode::OK, "code", json!(edit.code), v))
        })
        .await
}

/// `DELETE /api/org/members/{code}`: a member no household is assigned to.
async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    body: Result<Json<RemoveBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = org_editor(&caller)?;
    let Json(b) = body?;
    let expected = version(b.version)?;
    let a = author(&user, b.effective.as_deref())?;
    state
        .blocking(move |s| {
            if cell_of_member(s, &code)?.is_some_and(|c| !may_edit_cell(&user, &c)) {
                return Err(forbidden_cell());
            }
            let v = s.remove_member(&code, expected, &a)?;
            Ok(saved(StatusCode::OK, "code", json!(code), v))
        })
        .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LeadBody {
    name: Option<String>,
    title: Option<String>,
    group: Option<String>,
    segment: Option<Value>,
    version: Option<i64>,
    effective: Option<String>,
}

impl LeadBody {
    fn edit(self) -> Result<LeadEdit, ApiError> {
        let group = non_empty(self.group);
        let segment = match self.segment.as_ref().unwrap_or(&Value::Null) {
            Value::Null => None,
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => Some(FeatureId::Text(s.trim().to_string())),
            Value::Number(n) => Some(FeatureId::Text(n.to_string())),
            other => {
                return Err(unprocessable(
                    "bad_segment",
                    format!("segment: mã đoạn tuyến không hợp lệ {other} / bad segment id {other}"),
                ));
            }
        };
        let area = match (group, segment) {
            (Some(g), None) => Area::Group(limited("group", &g, MAX_TEXT)?),
            (None, Some(s)) => Area::Segment(s),
            _ => {
                return Err(unprocessable(
                    "bad_area",
                    "group: cần đúng một trong hai: tổ dân phố (group) hoặc đoạn tuyến (segment) / give exactly one of a residential group (group) or a segment (segment)".into(),
                ));
            }
        };
        Ok(LeadEdit {
            name: text("name", self.name.as_deref(), MAX_TEXT)?,
            title: optional("title", self.title, MAX_TEXT)?,
            area,
        })
    }
}

/// `POST /api/org/leads`: a committee member in charge of an area.
async fn add_lead(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<LeadBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = org_editor(&caller)?;
    let Json(b) = body?;
    let a = author(&user, b.effective.as_deref())?;
    let edit = b.edit()?;
    state
        .blocking(move |s| {
            let (id, v) = s.add_lead(&edit, &a)?;
            Ok(saved(StatusCode::CREATED, "id", json!(id), v))
        })
        .await
}

/// `PUT /api/org/leads/{id}`.
async fn edit_lead(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: Result<Json<LeadBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = org_editor(&caller)?;
    let Json(b) = body?;
    let expected = version(b.version)?;
    let a = author(&user, b.effective.as_deref())?;
    let edit = b.edit()?;
    state
        .blocking(move |s| {
            let v = s.edit_lead(id, &edit, expected, &a)?;
            Ok(saved(StatusCode::OK, "id", json!(id), v))
        })
        .await
}

/// `DELETE /api/org/leads/{id}`.
async fn remove_lead(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: Result<Json<RemoveBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = org_editor(&caller)?;
    let Json(b) = body?;
    let expected = version(b.version)?;
    let a = author(&user, b.effective.as_deref())?;
    state
        .blocking(move |s| {
            let v = s.remove_lead(id, expected, &a)?;
            Ok(saved(StatusCode::OK, "id", json!(id), v))
        })
        .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReassignBody {
    member: Option<String>,
    #[serde(default)]
    parcels: Vec<Value>,
    from: Option<String>,
    /// parcel id → the assignment's version the screen showed.
    #[serde(default)]
    versions: HashMap<String, i64>,
}

/// `POST /api/org/assignments` with `{"member", "parcels": [...], "from"}`:
/// the households of the parcels are the member's from that day (default
/// today); each one's assignment then ends that day. All or none.
async fn reassign(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<ReassignBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = org_editor(&caller)?;
    let Json(b) = body?;
    let member = code("member", b.member.as_deref())?;
    if b.parcels.is_empty() {
        return Err(unprocessable(
            "missing_field",
            "parcels: cần ít nhất một thửa / give at least one parcel".into(),
        ));
    }
    if b.parcels.len() > MAX_PARCELS || b.versions.len() > MAX_PARCELS {
        return Err(unprocessable(
            "too_many",
            format!(
                "parcels: tối đa {MAX_PARCELS} thửa mỗi lần / at most {MAX_PARCELS} parcels at a time"
            ),
        ));
    }
    let parcels: Vec<FeatureId> = b.parcels.iter().map(parcel_id).collect::<Result<_, _>>()?;
    let from = match b.from.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => params::past_date("from", s)?,
        None => crate::campaign::clock::today(),
    };
    let a = OrgAuthor::now(&user.name, from);
    let versions = b.versions;
    state
        .blocking(move |s| {
            if cell_of_member(s, &member)?.is_some_and(|c| !may_edit_cell(&user, &c)) {
                return Err(forbidden_cell());
            }
            let v = s.reassign(&member, &parcels, &versions, &a)?;
            let out: Vec<Value> = parcels
                .iter()
                .zip(v)
                .map(|(p, v)| json!({ "parcel": p.as_str(), "version": v }))
                .collect();
            Ok(written(
                StatusCode::CREATED,
                json!({ "member": member, "from": from.to_string(), "parcels": out }),
            ))
        })
        .await
}
