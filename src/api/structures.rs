//! Structures on a parcel's land (công trình trên đất), recorded from the
//! page: `GET /api/parcels/{id}/structures?as_of=` (anyone, as the parcel
//! detail shows them; the last change's author and the history for
//! logged-in callers, its notes for editors and admins), `POST` (add),
//! `PUT …/{sid}` (edit, the donated flag with it) and `DELETE …/{sid}`
//! (remove), editors and admins. Every change is kept with the day it took
//! effect, who entered it and when ([`crate::store::StructureEdit`]); an
//! edit or removal names the structure's `version` it was made from, and a
//! newer one is a 409, never overwritten.

use super::params::{self, AsOf, id_json, non_empty};
use super::{ApiError, AppState, Caller};
use crate::campaign::FeatureId;
use crate::campaign::structures::{
    ChangeKind, MAX_VALUE_VND, StructureChange, StructureKind, StructureValues, Unit, structures_on,
};
use crate::store::{Action, StructureEdit, StructureRecorded};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};

// One route a line: the OpenAPI test reads each `.route(` line.
#[rustfmt::skip]
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/parcels/{id}/structures", get(list).post(add))
        .route("/api/parcels/{id}/structures/{sid}", put(edit).delete(remove))
}

/// `GET /api/parcels/{id}/structures?as_of=`: the structures as they stand
/// (or stood at the end of `as_of`), each with its version and, for a
/// logged-in caller, its last change; the history for logged-in callers.
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    q: Result<Query<AsOf>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let date = q?.0.date()?;
    state
        .blocking(move |s| {
            let p = s.parcel(&id)?;
            // outside a secretary's or member's scope: as the public reads it
            let view = caller.on_parcel(s, p.key)?;
            let (names, sensitive) = (view.names, view.sensitive);
            let notes = sensitive.is_some();
            // the changes' notes may name people: read as the parcel's are
            if let Some(u) = &sensitive {
                let as_of = (date != NaiveDate::MAX).then_some(date);
                super::campaign::log_read_as_of(
                    s,
                    u,
                    &format!("structures of parcel {}", p.id),
                    None,
                    as_of,
                )?;
            }
            let now = s.structures_now(p.key)?;
            let changes = s.structure_changes(p.key)?;
            let change_json = |c: &StructureChange| {
                let mut v = json!({
                    "what": c.what.code(), "what_label": c.what.label(),
                    "effective": c.effective.map(|d| d.to_string()),
                    "entered_at": c.entered_at, "entered_by": c.entered_by,
                });
                if notes {
                    v["note"] = json!(c.note);
                }
                v
            };
            let list: Vec<Value> = structures_on(&now, &changes, date)
                .into_iter()
                .map(|st| {
                    let mine: Vec<&StructureChange> =
                        changes.iter().filter(|c| c.structure == st.id).collect();
                    let mut v = values_json(&st.values);
                    v["id"] = json!(st.id);
                    v["version"] = json!(mine.len());
                    if names {
                        v["last_change"] = mine
                            .iter()
                            .rev()
                            .find(|c| c.effective.is_none_or(|e| e <= date))
                            .map_or(Value::Null, |c| change_json(c));
                    }
                    v
                })
                .collect();
            let mut out = json!({
                "parcel": id_json(&p.id),
                "as_of": (date != NaiveDate::MAX).then(|| date.to_string()),
                "structures": list,
            });
            if names {
                out["history"] = changes
                    .iter()
                    .map(|c| {
                        let mut v = change_json(c);
                        v["structure"] = json!(c.structure);
                        v["values"] = values_json(&c.values);
                        v
                    })
                    .collect();
            }
            Ok(Json(out))
        })
        .await
}

/// A structure's values as answers write them (also the parcel detail's).
pub(super) fn values_json(v: &StructureValues) -> Value {
    json!({
        "kind": v.kind.code(), "label": v.kind.label(),
        "quantity": v.quantity,
        "unit": v.unit.map(Unit::code), "unit_label": v.unit.map(Unit::label),
        "value_vnd": v.value_vnd, "donated": v.donated,
    })
}

/// The body of `POST` and `PUT`: the full values, the day they take effect
/// (default: today in the ward), a note; `PUT` names the version it edits.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StructureBody {
    kind: String,
    quantity: f64,
    unit: String,
    value_vnd: Option<i64>,
    #[serde(default)]
    donated: bool,
    effective: Option<String>,
    note: Option<String>,
    version: Option<usize>,
}

/// The body of `DELETE`: the version removed, from which day, why.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RemoveBody {
    version: Option<usize>,
    effective: Option<String>,
    note: Option<String>,
}

fn unprocessable(code: &'static str, msg: String) -> ApiError {
    ApiError::Unprocessable(code, msg)
}

/// `effective`, or today in the ward.
fn effective(s: Option<&str>) -> Result<NaiveDate, ApiError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => params::past_date("effective", s),
        None => Ok(crate::campaign::clock::today()),
    }
}

fn version(v: Option<usize>) -> Result<usize, ApiError> {
    v.ok_or_else(|| {
        unprocessable(
            "missing_version",
            "version: thiếu phiên bản của công trình đang sửa (trong GET …/structures) / missing: the version of the structure edited (from GET …/structures)".into(),
        )
    })
}

impl StructureBody {
    /// The values, each field checked and named when refused.
    fn values(&self) -> Result<StructureValues, ApiError> {
        let kinds = StructureKind::ALL
            .iter()
            .map(|k| format!("{} ({})", k.label(), k.code()))
            .collect::<Vec<_>>()
            .join(", ");
        let kind = self.kind.parse::<StructureKind>().map_err(|_| {
            unprocessable(
                "bad_kind",
                format!(
                    "kind: không có loại công trình {:?} / no structure kind {:?} (có / known: {kinds})",
                    self.kind, self.kind
                ),
            )
        })?;
        if !(self.quantity.is_finite() && self.quantity > 0.0) {
            return Err(unprocessable(
                "bad_quantity",
                format!(
                    "quantity: phải là số dương, không phải {} / must be a positive number, got {}",
                    self.quantity, self.quantity
                ),
            ));
        }
        let unit = self.unit.parse::<Unit>().map_err(|_| {
            unprocessable(
                "bad_unit",
                format!(
                    "unit: không có đơn vị {:?} / no unit {:?} (có / known: m, m² (m2), cái (item))",
                    self.unit, self.unit
                ),
            )
        })?;
        if let Some(v) = self.value_vnd.filter(|v| !(0..=MAX_VALUE_VND).contains(v)) {
            return Err(unprocessable(
                "bad_value",
                format!(
                    "value_vnd: phải là số đồng nguyên từ 0 đến 1.000.000.000.000, không phải {v} / must be a whole number of đồng from 0 to 1,000,000,000,000, got {v}"
                ),
            ));
        }
        Ok(StructureValues {
            kind,
            quantity: Some(self.quantity),
            unit: Some(unit),
            value_vnd: self.value_vnd,
            donated: self.donated,
        })
    }
}

/// Records `edit` on parcel `id`, answering `status` with the structure.
async fn record(
    state: AppState,
    caller: Caller,
    id: String,
    edit: StructureEdit,
    status: StatusCode,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    state
        .blocking(move |s| {
            // a secretary's cell, a member's assigned households only
            caller.require_on_parcel(s, Action::Record, &id)?;
            let StructureRecorded {
                structure,
                version,
                parcel,
            } = s.change_structure(&FeatureId::Text(id), &edit)?;
            let mut out = json!({
                "parcel": id_json(&parcel),
                "id": structure,
                "version": version,
                "what": edit.what.code(),
                "effective": edit.effective.to_string(),
                "entered_by": edit.entered_by,
            });
            if let Some(v) = &edit.values {
                out["structure"] = values_json(v);
            }
            Ok((status, Json(out)))
        })
        .await
}

fn edit_of(
    what: ChangeKind,
    structure: Option<i64>,
    expected: Option<usize>,
    values: Option<StructureValues>,
    effective: NaiveDate,
    by: &str,
    note: Option<String>,
) -> StructureEdit {
    StructureEdit {
        what,
        structure,
        expected,
        values,
        effective,
        entered_at: crate::campaign::clock::now().to_rfc3339(),
        entered_by: by.to_string(),
        note: non_empty(note),
    }
}

/// `POST /api/parcels/{id}/structures`: adds a structure (editor+).
async fn add(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<StructureBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = caller.require_to(Action::Record)?.clone();
    let Json(b) = body?;
    let values = b.values()?;
    let on = effective(b.effective.as_deref())?;
    let e = edit_of(
        ChangeKind::Added,
        None,
        None,
        Some(values),
        on,
        &user.name,
        b.note,
    );
    record(state, caller, id, e, StatusCode::CREATED).await
}

/// `PUT /api/parcels/{id}/structures/{sid}`: new values, the donated flag
/// among them (editor+).
async fn edit(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, sid)): Path<(String, i64)>,
    body: Result<Json<StructureBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = caller.require_to(Action::Record)?.clone();
    let Json(b) = body?;
    let values = b.values()?;
    let v = version(b.version)?;
    let on = effective(b.effective.as_deref())?;
    let e = edit_of(
        ChangeKind::Edited,
        Some(sid),
        Some(v),
        Some(values),
        on,
        &user.name,
        b.note,
    );
    record(state, caller, id, e, StatusCode::OK).await
}

/// `DELETE /api/parcels/{id}/structures/{sid}` with `{"version", "effective",
/// "note"}`: the structure is gone from that day; its history stays
/// (editor+).
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, sid)): Path<(String, i64)>,
    body: Result<Json<RemoveBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = caller.require_to(Action::Record)?.clone();
    let Json(b) = body?;
    let v = version(b.version)?;
    let on = effective(b.effective.as_deref())?;
    let e = edit_of(
        ChangeKind::Removed,
        Some(sid),
        Some(v),
        None,
        on,
        &user.name,
        b.note,
    );
    record(state, caller, id, e, StatusCode::OK).await
}
