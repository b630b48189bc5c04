//! The party tab's "Đảng viên đi trước" and "Biểu dương" sections:
//! `GET /api/party/first?as_of=` (each member's own family and each cell's
//! going-first share; roles that read sensitive data, logged) and
//! `GET /api/party/commendation?as_of=&from=` (the collectives and
//! individuals commended for a period, this month by default; party members
//! named only to roles that read sensitive data, logged; households that
//! did not agree to be named only to logged-in roles that read names).
//! The figures are the read model's ([`crate::campaign::first`]), laid out
//! with the reports' words ([`crate::report::commend`]): page, API and
//! reports agree.

use super::campaign::log_read_as_of;
use super::params::past_date;
use super::{ApiError, AppState, Caller};
use crate::campaign::clock::today as today_vn;
use crate::report::campaign::Options;
use crate::report::commend;
use crate::store::Action;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/party/first", get(first))
        .route("/api/party/commendation", get(commendation))
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Q {
    as_of: Option<String>,
    from: Option<String>,
}

/// `as_of` (default today) and `from` (not after it).
fn dates(q: &Q) -> Result<(chrono::NaiveDate, Option<chrono::NaiveDate>), ApiError> {
    let as_of = match q.as_of.as_deref().filter(|s| !s.is_empty()) {
        Some(d) => past_date("as_of", d)?,
        None => today_vn(),
    };
    let from = q
        .from
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|d| past_date("from", d))
        .transpose()?;
    if from.is_some_and(|f| f > as_of) {
        return Err(ApiError::Unprocessable(
            "bad_period",
            "from: sau as_of / from is after as_of".into(),
        ));
    }
    Ok((as_of, from))
}

fn opt_date(d: Option<chrono::NaiveDate>) -> Value {
    d.map_or(Value::Null, |d| json!(d.to_string()))
}

/// `GET /api/party/first?as_of=`.
async fn first(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<Q>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let q = q?.0;
    if q.from.is_some() {
        return Err(ApiError::Unprocessable(
            "invalid_query",
            "from: không dùng ở đây / not used here".into(),
        ));
    }
    let (as_of, _) = dates(&q)?;
    let user = caller.require_to(Action::ReadSensitive)?.clone();
    // every cell's members and their families: the ward's, not a scoped role's
    caller.require_ward("đảng viên đi trước / members going first")?;
    let facts = state.facts();
    state
        .blocking(move |s| {
            log_read_as_of(s, &user, "party first", None, Some(as_of))?;
            let kept = facts.get(s)?;
            let w = kept.ward();
            let f = w.members_first(as_of);
            let members: Vec<Value> = f
                .members
                .iter()
                .map(|x| {
                    let m = &w.members[x.member];
                    let (vi, en) = x.state();
                    json!({
                        "code": m.code, "name": m.name, "cell": w.cells.get(m.cell).map(|c| c.code.clone()),
                        "family_parcel": x.parcel.map(|i| w.parcels[i].id.as_str().to_string()),
                        "affected": x.affected,
                        "status": x.status.map(|s| s.as_str()),
                        "agreed_on": opt_date(x.agreed_on),
                        "signed_on": opt_date(x.signed_on),
                        "went_first": x.went_first,
                        "state": vi, "state_en": en,
                    })
                })
                .collect();
            let cells: Vec<Value> = f
                .cells
                .iter()
                .map(|c| {
                    let cell = &w.cells[c.cell];
                    json!({
                        "code": cell.code, "name": cell.name,
                        "families": c.families, "agreed": c.agreed, "went_first": c.went_first,
                        "share": c.share(),
                        "not_yet": c.not_yet.iter().map(|&m| json!({ "code": w.members[m].code, "name": w.members[m].name })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            Ok(Json(json!({ "as_of": as_of.to_string(), "cells": cells, "members": members })))
        })
        .await
}

/// `GET /api/party/commendation?as_of=&from=`.
async fn commendation(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<Q>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let q = q?.0;
    let (as_of, from) = dates(&q)?;
    let mut opt = Options::new(as_of);
    opt.from = from;
    // the internal list names every donor of the ward: not a scoped
    // role's to read (they get the public list, as the reports' rule is)
    let names = caller
        .0
        .as_ref()
        .is_some_and(|u| u.role.may(Action::ReadNames) && !u.role.scoped());
    opt.public = !names;
    // members are named to ward-wide readers of sensitive data only
    let reader = caller.sees_sensitive_ward().cloned();
    opt.name_members = reader.is_some();
    let period = commend::period_of(&opt);
    let facts = state.facts();
    state
        .blocking(move |s| {
            if let Some(u) = &reader {
                log_read_as_of(
                    s,
                    u,
                    "party commendation",
                    Some(&format!("from={} to={}", period.from, period.to)),
                    Some(as_of),
                )?;
            }
            let kept = facts.get(s)?;
            let w = kept.ward();
            let rows: Vec<Value> = commend::list(w, &opt)
                .iter()
                .map(|c| {
                    let (kind, kind_en) = c.who.kind();
                    json!({
                        "collective": c.who.collective(),
                        "type": kind, "type_en": kind_en,
                        "name": c.who.name(w),
                        "criteria": c.criteria.iter().map(|k| {
                            let (vi, en) = commend::criterion_text(k);
                            json!({ "vi": vi, "en": en })
                        }).collect::<Vec<_>>(),
                    })
                })
                .collect();
            Ok(Json(json!({
                "from": period.from.to_string(), "to": period.to.to_string(),
                "public": opt.public, "members_named": period.members,
                "rows": rows,
            })))
        })
        .await
}
