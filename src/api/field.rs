//! Field mode (issue 15): `GET /api/my/households?member=CODE`, the party
//! member's list of households for the phone ("Việc của tôi").
//!
//! Who: a user with a member code (member, secretary) reads the households
//! assigned to that code today and their own family's; a ward role that
//! reads sensitive data may name any member (`member=`); a scoped role
//! naming another member is 403 `out_of_scope`; anonymous 401. Every answer
//! is a sensitive read and is logged in the access log.
//!
//! The statuses, dates and areas are the read model's
//! ([`crate::campaign::figures`]); the next step and the order are
//! [`crate::campaign::field`]'s; the phone and the last visit the store's.

use super::geojson::r4;
use super::json::Out;
use super::versions::etag;
use super::{ApiError, AppState, Caller, campaign};
use crate::campaign::field::{DEFAULT_IDLE_DAYS, MAX_HOUSEHOLDS, field_state};
use crate::campaign::figures::ParcelFacts;
use crate::store::Action;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use serde::Deserialize;
use std::collections::HashMap;

/// The field routes.
pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/my/households", get(my_households))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MyQuery {
    member: Option<String>,
}

/// Whose list the caller asks for: their own member code, or (a ward role
/// reading sensitive data) the one `member=` names.
fn whose(caller: &Caller, asked: Option<&str>) -> Result<String, ApiError> {
    let user = caller.0.as_ref().ok_or(ApiError::Unauthorized)?;
    let asked = asked.map(str::trim).filter(|c| !c.is_empty());
    let own = user.member_code.as_deref();
    match (asked, own) {
        (Some(code), _) if user.role.scoped() => {
            if Some(code) == own {
                Ok(code.to_string())
            } else {
                Err(ApiError::OutOfScope(format!(
                    "member: danh sách của đảng viên {code} ngoài phạm vi phụ trách của bạn / member: party member {code}'s list is outside your scope"
                )))
            }
        }
        (Some(code), _) => {
            caller.require_to(Action::ReadSensitive)?;
            Ok(code.to_string())
        }
        (None, Some(code)) => Ok(code.to_string()),
        (None, None) => Err(ApiError::Unprocessable(
            "missing_member",
            "member: tài khoản của bạn không gắn với đảng viên nào, hãy chỉ rõ mã đảng viên (member=) / member: your account is not a party member's, name one (member=)".into(),
        )),
    }
}

/// `GET /api/my/households?member=`: the member's households as GeoJSON,
/// ordered by what needs doing first (`priority`), then by parcel.
async fn my_households(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<MyQuery>, QueryRejection>,
) -> Result<Out, ApiError> {
    let q = q?.0;
    let code = whose(&caller, q.member.as_deref())?;
    let facts = state.facts();
    let demo = state.demo;
    let user = caller.0.clone().ok_or(ApiError::Unauthorized)?;
    state
        .blocking(move |s| {
            let kept = facts.get(s)?;
            let ward = kept.ward();
            let today = crate::campaign::clock::today();
            let (mi, member) = ward
                .members
                .iter()
                .enumerate()
                .find(|(_, m)| m.code == code)
                .ok_or_else(|| {
                    ApiError::NotFound(format!(
                        "member: không có đảng viên {code} / member: no party member {code}"
                    ))
                })?;
            campaign::log_read(s, &user, "my households", Some(&code))?;
            let idle_days = DEFAULT_IDLE_DAYS;
            // The households assigned to the member today, and their own.
            let mut mine: Vec<(&ParcelFacts, bool)> = Vec::new();
            for (i, p) in ward.parcels.iter().enumerate() {
                let own = member.household == Some(i);
                if own || p.member_on(today) == Some(mi) {
                    mine.push((p, own));
                }
            }
            let mut rows: Vec<_> = mine
                .into_iter()
                .map(|(p, own)| {
                    (
                        p,
                        own,
                        field_state(&p.timeline, &p.contacts, today, idle_days),
                    )
                })
                .collect();
            rows.sort_by(|a, b| {
                (a.2.next_step.priority(), &a.0.id).cmp(&(b.2.next_step.priority(), &b.0.id))
            });
            let total = rows.len();
            rows.truncate(MAX_HOUSEHOLDS);
            let keys: Vec<i64> = rows.iter().map(|r| r.0.key).collect();
            let polygons: HashMap<i64, _> = s
                .parcels_by_keys(&keys)?
                .into_iter()
                .map(|p| (p.key, p.polygons))
                .collect();
            let details = s.field_details(&keys)?;
            let versions = s.parcel_versions_of(&keys)?;
            let cell = ward.cells.get(member.cell).map(|c| c.code.as_str());
            let mut o = Out::with_capacity(1500 * rows.len() + 256);
            o.begin_object();
            o.field("type", "FeatureCollection");
            o.field("demo", demo);
            o.key("member");
            o.begin_object();
            o.field("code", &member.code);
            o.field("name", &member.name);
            o.field("cell", cell);
            o.end_object();
            o.field("as_of", today.to_string());
            o.field("idle_days", idle_days);
            o.field("total", total);
            o.field("limit", MAX_HOUSEHOLDS);
            o.field("truncated", total > MAX_HOUSEHOLDS);
            o.key("features");
            o.begin_array();
            for (p, own, st) in &rows {
                let d = details.get(&p.key).cloned().unwrap_or_default();
                let version = versions.get(&p.key).copied().unwrap_or(1);
                super::geojson::feature(
                    &mut o,
                    |o| match polygons.get(&p.key) {
                        Some(polys) => o.multi_polygon(polys),
                        None => o.value(None::<f64>),
                    },
                    |o| {
                        o.field("parcel", &p.id);
                        o.field("map_sheet", &p.map_sheet);
                        o.field("parcel_no", &p.parcel_no);
                        o.field("group", &p.group);
                        o.field("head_name", &p.head);
                        o.field("address", &p.address);
                        o.field("phone", &d.phone);
                        o.field("own_family", *own);
                        o.field("status", st.status.as_str());
                        o.field("status_since", st.status_since.map(|d| d.to_string()));
                        o.key("last_contact");
                        match &d.last_contact {
                            Some(c) => {
                                o.begin_object();
                                o.field("on", c.on.to_string());
                                o.field("by", &c.by);
                                o.field("summary", &c.summary);
                                o.end_object();
                            }
                            None => o.value(None::<f64>),
                        }
                        o.field("days_since_contact", st.days_since_contact);
                        o.field("next_step", st.next_step.as_str());
                        o.field("priority", st.next_step.priority());
                        o.field("donated_area_m2", r4(p.area()));
                        o.field("version", version);
                        o.field("etag", etag(p.key, version));
                    },
                );
            }
            o.end_array();
            o.end_object();
            Ok(o)
        })
        .await
}
