//! Recording a status change: `POST /api/parcels/{id}/events` (editor+).

use super::read::{id_json, parse_date};
use super::{ApiError, AppState, Caller};
use crate::campaign::FeatureId;
use crate::campaign::events::{Event, Status, UnknownStatus};
use crate::store::Role;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

/// The body: the new status and the date it happened; a note, the party
/// member involved and the id of an event this one corrects are optional.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewEvent {
    status: String,
    occurred_on: String,
    note: Option<String>,
    party_member: Option<String>,
    corrects: Option<i64>,
    /// With `signed`: the donation record, filed in the same transaction
    /// (a parcel is signed only with a record on file).
    record: Option<super::campaign::NewRecord>,
}

/// 422 when `d` (the body's `field`) is after today in Vietnam.
pub(super) fn not_future(field: &str, d: chrono::NaiveDate) -> Result<chrono::NaiveDate, ApiError> {
    if d > crate::campaign::clock::today() {
        return Err(ApiError::Unprocessable(
            "future_date",
            format!("{field}: ngày {d} ở tương lai / {d} is in the future"),
        ));
    }
    Ok(d)
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

pub(super) async fn post_event(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<NewEvent>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = caller.require(Role::Editor)?.clone();
    let Json(b) = body?;
    let status: Status = b
        .status
        .parse()
        .map_err(|e: UnknownStatus| ApiError::Unprocessable("unknown_status", e.to_string()))?;
    let occurred_on = parse_date("occurred_on", &b.occurred_on)?;
    let record = b
        .record
        .map(super::campaign::NewRecord::parse)
        .transpose()?;
    if record.is_some() && status != Status::Signed {
        return Err(ApiError::Unprocessable(
            "record_without_signing",
            "biên bản (record) chỉ đi kèm trạng thái \"Đã ký biên bản\" (signed) / a record (record) goes with status signed only".into(),
        ));
    }
    let now = crate::campaign::clock::now();
    not_future("occurred_on", occurred_on)?;
    state
        .blocking(move |s| {
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
