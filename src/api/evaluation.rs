//! The annual evaluation (đánh giá, xếp loại): `GET /api/evaluation?year=`
//! (each member's and cell's criteria, the suggested band, the decided one;
//! roles that read sensitive data, logged), `PUT
//! /api/evaluation/thresholds?year=` (the bands' minimums, with the
//! `version` they were made from: a newer one is a 409) and `POST
//! /api/evaluation/ratings` (a decided band and note, with the subject's
//! rating `version`), both for roles that evaluate (the Standing
//! Committee, admins).

use super::params::non_empty;
use super::{ApiError, AppState, Caller};
use crate::campaign::evaluation::{Band, Bar, Rating, Shares, SubjectKind, Suggestion, Thresholds};
use crate::campaign::figures::Ward;
use crate::ops::evaluation as ops;
use crate::store::{Action, RatingInput};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::Datelike;
use serde::Deserialize;
use serde_json::{Value, json};

/// Longest note on a rating (characters).
pub const MAX_NOTE_CHARS: usize = 2000;
/// Longest subject code (characters).
const MAX_CODE_CHARS: usize = 64;

// One route a line: the OpenAPI test reads each `.route(` line.
#[rustfmt::skip]
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/evaluation", get(read))
        .route("/api/evaluation/thresholds", put(set_thresholds))
        .route("/api/evaluation/ratings", post(rate))
}

fn unprocessable(code: &'static str, msg: String) -> ApiError {
    ApiError::Unprocessable(code, msg)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct YearQuery {
    year: Option<String>,
}

/// `year` (default: this year in the ward), refused when not a number.
fn year_of(q: Result<Query<YearQuery>, QueryRejection>) -> Result<i32, ApiError> {
    match q?
        .0
        .year
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Ok(crate::campaign::clock::today().year()),
        Some(s) => s.parse().map_err(|_| {
            unprocessable(
                "bad_year",
                format!("year: {s:?} không phải là năm / is not a year"),
            )
        }),
    }
}

fn bad_year(e: crate::store::StoreError) -> ApiError {
    unprocessable("bad_year", e.to_string())
}

fn bar_json(b: &Bar) -> Value {
    json!(b)
}

fn shares_json(s: &Shares) -> Value {
    json!({
        "households": s.households, "families_first": s.families_first,
        "contacted": s.contacted, "agreed": s.agreed, "handed_over": s.handed_over,
        "plan_met": s.plan_met,
    })
}

fn suggestion_json(s: &Suggestion) -> Value {
    json!({
        "band": s.band.code(), "label": s.band.label(),
        "short_of": s.short_of.map(|c| c.code()),
        "short_of_label": s.short_of.map(|c| c.label()),
    })
}

fn rating_json(r: Option<&Rating>) -> Value {
    r.map_or(Value::Null, |r| {
        json!({
            "band": r.band.code(), "label": r.band.label(), "note": r.note,
            "decided_by": r.decided_by, "decided_at": r.decided_at, "version": r.version,
        })
    })
}

fn year_json(ward: &Ward, y: &ops::Year) -> Value {
    let e = &y.evaluation;
    let members: Vec<Value> = e
        .members
        .iter()
        .map(|m| {
            let f = &ward.members[m.member];
            let rating = y.decided.get(&(SubjectKind::Member, f.code.clone()));
            json!({
                "code": f.code, "name": f.name,
                "cell": ward.cells.get(f.cell).map(|c| c.code.as_str()),
                "cell_name": ward.cells.get(f.cell).map(|c| c.name.as_str()),
                "own_family": m.own.map(|o| json!({
                    "parcel": super::params::id_json(&ward.parcels[o.parcel].id),
                    "agreed_on": o.agreed_on.map(|d| d.to_string()),
                    "went_first": o.went_first,
                })),
                "assigned": m.figures.assigned, "contacted": m.figures.contacted,
                "agreed": m.figures.agreed, "handed_over": m.figures.handed_over,
                "visits": m.figures.period_contacts,
                "shares": shares_json(&m.shares),
                "suggested": suggestion_json(&m.suggested),
                "decided": rating_json(rating),
            })
        })
        .collect();
    let cells: Vec<Value> = e
        .cells
        .iter()
        .map(|c| {
            let f = &ward.cells[c.cell];
            let rating = y.decided.get(&(SubjectKind::Cell, f.code.clone()));
            json!({
                "code": f.code, "name": f.name, "members": c.member_count,
                "families": c.families, "families_first": c.families_first,
                "affected": c.tally.affected,
                "agreed": c.tally.reached(crate::campaign::events::Status::Agreed),
                "handed_over": c.tally.at(crate::campaign::events::Status::HandedOver),
                "assigned": c.members.assigned, "contacted": c.members.contacted,
                "visits": c.members.period_contacts,
                "shares": shares_json(&c.shares),
                "suggested": suggestion_json(&c.suggested),
                "decided": rating_json(rating),
            })
        })
        .collect();
    let t = &e.thresholds;
    json!({
        "year": e.year,
        "as_of": e.as_of.to_string(),
        "thresholds": {
            "excellent": bar_json(&t.excellent), "good": bar_json(&t.good),
            "completed": bar_json(&t.completed),
            "version": y.set.as_ref().map_or(0, |s| s.version),
            "defaults": y.set.is_none(),
            "set_by": y.set.as_ref().map(|s| s.set_by.as_str()),
            "set_at": y.set.as_ref().map(|s| s.set_at.as_str()),
        },
        "bands": Band::ALL.iter().map(|b| json!({ "band": b.code(), "label": b.label() })).collect::<Vec<_>>(),
        "members": members,
        "cells": cells,
        "demo": ward.demo,
    })
}

/// `GET /api/evaluation?year=`: the year's evaluation (roles that read
/// sensitive data; the read is logged).
async fn read(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<YearQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let user = caller.require_to(Action::ReadSensitive)?.clone();
    // every member's and cell's record: the ward's, not a scoped role's
    caller.require_ward("đánh giá, xếp loại / evaluation")?;
    let year = year_of(q)?;
    let today = crate::campaign::clock::today();
    let day = ops::day_of(year, today).map_err(bad_year)?;
    let facts = state.facts();
    state
        .blocking(move |s| {
            super::campaign::log_read_as_of(
                s,
                &user,
                &format!("evaluation {year}"),
                None,
                Some(day),
            )?;
            let kept = facts.get(s)?;
            let y = ops::year(s, kept.ward(), year, today)?;
            Ok(Json(year_json(kept.ward(), &y)))
        })
        .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThresholdsBody {
    /// The version the screen showed (0: the defaults).
    version: Option<usize>,
    excellent: Bar,
    good: Bar,
    completed: Bar,
}

fn version(v: Option<usize>) -> Result<usize, ApiError> {
    v.ok_or_else(|| {
        unprocessable(
            "missing_version",
            "version: thiếu phiên bản đang sửa (trong GET /api/evaluation) / missing: the version edited (from GET /api/evaluation)".into(),
        )
    })
}

/// `PUT /api/evaluation/thresholds?year=`: the year's thresholds (roles that
/// evaluate); a stale `version` is a 409.
async fn set_thresholds(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<YearQuery>, QueryRejection>,
    body: Result<Json<ThresholdsBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let user = caller.require_to(Action::Evaluate)?.clone();
    let year = year_of(q)?;
    let Json(b) = body?;
    let expected = version(b.version)?;
    let t = Thresholds {
        excellent: b.excellent,
        good: b.good,
        completed: b.completed,
    };
    t.check()
        .map_err(|(_, m)| unprocessable("bad_thresholds", m))?;
    ops::day_of(year, crate::campaign::clock::today()).map_err(bad_year)?;
    let at = crate::campaign::clock::now().to_rfc3339();
    state
        .blocking(move |s| {
            let v = s.set_evaluation_thresholds(year, &t, expected, &user.name, &at)?;
            Ok(Json(
                json!({ "year": year, "version": v, "set_by": user.name, "set_at": at }),
            ))
        })
        .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RatingBody {
    year: Option<i32>,
    /// `member` or `cell`.
    kind: Option<String>,
    /// The member's or cell's code.
    subject: Option<String>,
    band: Option<String>,
    note: Option<String>,
    /// The subject's rating version the screen showed (0: none yet).
    version: Option<usize>,
}

fn missing(field: &str) -> ApiError {
    unprocessable("missing_field", format!("{field}: thiếu / missing"))
}

/// `POST /api/evaluation/ratings`: the band the committee decided for a
/// member or cell, with its note (roles that evaluate); a stale `version`
/// is a 409; a year not begun, an unknown subject or band a 422.
async fn rate(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<RatingBody>, JsonRejection>,
) -> Result<(axum::http::StatusCode, Json<Value>), ApiError> {
    let user = caller.require_to(Action::Evaluate)?.clone();
    let Json(b) = body?;
    let year = b.year.ok_or_else(|| missing("year"))?;
    ops::day_of(year, crate::campaign::clock::today()).map_err(bad_year)?;
    let kind_s = b.kind.ok_or_else(|| missing("kind"))?;
    let kind = SubjectKind::parse(&kind_s).ok_or_else(|| {
        unprocessable(
            "bad_kind",
            format!("kind: {kind_s:?} không phải member (đảng viên) hay cell (chi bộ) / must be member or cell"),
        )
    })?;
    let subject = b
        .subject
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| missing("subject"))?;
    if subject.chars().count() > MAX_CODE_CHARS {
        return Err(unprocessable(
            "bad_subject",
            format!(
                "subject: dài quá {MAX_CODE_CHARS} ký tự / longer than {MAX_CODE_CHARS} characters"
            ),
        ));
    }
    let band_s = b.band.ok_or_else(|| missing("band"))?;
    let band = Band::parse(&band_s).ok_or_else(|| {
        unprocessable(
            "bad_band",
            format!("band: không có mức {band_s:?} / no band {band_s:?} (excellent, good, completed, not_completed)"),
        )
    })?;
    let note = non_empty(b.note.map(|n| n.trim().to_string()));
    if note
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS)
    {
        return Err(unprocessable(
            "bad_note",
            format!(
                "note: dài quá {MAX_NOTE_CHARS} ký tự / longer than {MAX_NOTE_CHARS} characters"
            ),
        ));
    }
    let expected = version(b.version)?;
    let facts = state.facts();
    let at = crate::campaign::clock::now().to_rfc3339();
    state
        .blocking(move |s| {
            let kept = facts.get(s)?;
            let w = kept.ward();
            let known = match kind {
                SubjectKind::Member => w.members.iter().any(|m| m.code == subject),
                SubjectKind::Cell => w.cells.iter().any(|c| c.code == subject),
            };
            if !known {
                return Err(unprocessable(
                    "bad_subject",
                    format!(
                        "subject: không có {} mã {subject:?} / no {} with code {subject:?}",
                        if kind == SubjectKind::Member {
                            "đảng viên"
                        } else {
                            "chi bộ"
                        },
                        if kind == SubjectKind::Member {
                            "party member"
                        } else {
                            "party cell"
                        }
                    ),
                ));
            }
            let r = RatingInput {
                year,
                kind,
                subject: subject.clone(),
                band,
                note: note.clone(),
                expected,
                by: user.name.clone(),
                at: at.clone(),
            };
            let v = s.rate(&r)?;
            Ok((
                axum::http::StatusCode::CREATED,
                Json(json!({
                    "year": year, "kind": kind.code(), "subject": subject,
                    "band": band.code(), "label": band.label(), "note": note,
                    "decided_by": user.name, "decided_at": at, "version": v,
                })),
            ))
        })
        .await
}
