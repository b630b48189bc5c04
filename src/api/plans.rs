//! Plans and targets (kế hoạch, chỉ tiêu, mốc): `GET /api/plans?as_of=`
//! (logged-in roles: plans are internal; each read logged) answers every
//! plan with its figures on the day ([`crate::campaign::plans`]) and the
//! areas a plan may be set for; `POST /api/plans` adds one, `PUT
//! /api/plans/{id}` replaces it (naming the `version` it was made from: a
//! newer one is 409) and `POST /api/plans/{id}/cancel` cancels it (with its
//! version), for roles that may plan ([`Action::Plan`]). A plan is never
//! deleted; every version is kept.

use super::params::AsOf;
use super::{ApiError, AppState, Caller};
use crate::campaign::figures::Ward;
use crate::campaign::plans::{
    self, AreaKind, MAX_MILESTONES, Milestone, Plan, PlanArea, PlanDraft, PlanFigures, Projection,
};
use crate::campaign::scope::Scope;
use crate::store::{Action, User};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};

// One route a line: the OpenAPI test reads each `.route(` line.
#[rustfmt::skip]
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/plans", get(list).post(add))
        .route("/api/plans/{id}", put(edit))
        .route("/api/plans/{id}/cancel", post(cancel))
}

/// Whether a caller of `scope` may set plans for `area`: a ward role any
/// area; a cell secretary their own cell's plan and its groups' (not a
/// segment's: a road runs through other cells' groups); a member none.
pub(super) fn may_plan_for(scope: &Scope, ward: &Ward, area: &PlanArea) -> bool {
    match scope {
        Scope::Ward => true,
        Scope::Cell { cell, .. } => match area.kind {
            plans::AreaKind::Cell => area.code == *cell,
            plans::AreaKind::Group => ward
                .cell_of_group()
                .get(area.code.as_str())
                .is_some_and(|&i| ward.cells.get(i).is_some_and(|c| c.code == *cell)),
            plans::AreaKind::Segment => false,
        },
        Scope::Assigned { .. } => false,
    }
}

fn out_of_scope_plan(area: &PlanArea) -> ApiError {
    ApiError::OutOfScope(format!(
        "area_code: kế hoạch cho {} {:?} ngoài phạm vi phụ trách của bạn / a plan for {} {:?} is outside your scope",
        area.kind.label(),
        area.code,
        area.kind.english(),
        area.code
    ))
}

fn unprocessable(field: &str, vi: &str, en: &str) -> ApiError {
    ApiError::Unprocessable("invalid_plan", format!("{field}: {vi} / {en}"))
}

/// A milestone as sent: `due` YYYY-MM-DD, targets optional.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MilestoneBody {
    due: String,
    households: Option<f64>,
    area_m2: Option<f64>,
}

/// The body of `POST` and `PUT`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanBody {
    area_kind: String,
    area_code: String,
    title: String,
    note: Option<String>,
    milestones: Vec<MilestoneBody>,
    version: Option<i64>,
}

/// The body of `POST …/cancel`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CancelBody {
    version: Option<i64>,
}

fn version(v: Option<i64>) -> Result<i64, ApiError> {
    v.ok_or_else(|| {
        unprocessable(
            "version",
            "thiếu phiên bản của kế hoạch đang sửa (trong GET /api/plans)",
            "missing: the version of the plan edited (from GET /api/plans)",
        )
    })
}

impl PlanBody {
    /// The draft, each field read and named when refused (the ward's
    /// checks follow in [`plans::check`]).
    fn draft(self) -> Result<PlanDraft, ApiError> {
        let kind = AreaKind::parse(self.area_kind.trim()).ok_or_else(|| {
            unprocessable(
                "area_kind",
                &format!(
                    "không có loại địa bàn {:?} (group, segment, cell)",
                    self.area_kind
                ),
                &format!("no area kind {:?} (group, segment, cell)", self.area_kind),
            )
        })?;
        if self.area_code.chars().count() > 200 {
            return Err(unprocessable("area_code", "quá dài", "too long"));
        }
        if self.milestones.len() > MAX_MILESTONES {
            return Err(unprocessable(
                "milestones",
                &format!(
                    "tối đa {MAX_MILESTONES} mốc, không phải {}",
                    self.milestones.len()
                ),
                &format!(
                    "at most {MAX_MILESTONES} milestones, not {}",
                    self.milestones.len()
                ),
            ));
        }
        let milestones = self
            .milestones
            .into_iter()
            .enumerate()
            .map(|(i, m)| {
                let due = super::params::parse_date(&format!("milestones[{i}].due"), m.due.trim())?;
                let households = m
                    .households
                    .map(|h| {
                        if h.is_finite() && h >= 0.0 && h.fract() == 0.0 && h <= f64::from(u32::MAX)
                        {
                            Ok(h as u32)
                        } else {
                            Err(unprocessable(
                                &format!("milestones[{i}].households"),
                                &format!("số hộ phải là số nguyên không âm, không phải {h}"),
                                &format!("must be a whole non-negative number, not {h}"),
                            ))
                        }
                    })
                    .transpose()?;
                Ok(Milestone {
                    due,
                    households,
                    area_m2: m.area_m2,
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        Ok(PlanDraft {
            area: PlanArea {
                kind,
                code: self.area_code.trim().to_string(),
            },
            area_name: String::new(),
            title: self.title,
            note: self.note,
            milestones,
        })
    }
}

fn measures_json(m: &plans::Measures) -> Value {
    // households are whole: counted, not measured
    json!({ "households": m.households.round() as i64, "area_m2": crate::campaign::figures::round(m.area_m2, 2) })
}

/// A plan with its figures, as the page and the API read it.
fn plan_json(p: &Plan, f: &PlanFigures) -> Value {
    let milestones: Vec<Value> = f
        .milestones
        .iter()
        .map(|m| {
            json!({
                "due": m.milestone.due.to_string(),
                "households": m.milestone.households,
                "area_m2": m.milestone.area_m2,
                "state": m.state.code(),
                "state_label": format!("{} / {}", m.state.label(), m.state.english()),
                "days_overdue": m.days_overdue,
            })
        })
        .collect();
    let (projection, date) = match f.projection {
        Projection::Reached => ("reached", None),
        Projection::On(d) => ("on", Some(d.to_string())),
        Projection::NoTrend => ("no_trend", None),
    };
    json!({
        "id": p.id,
        "version": p.version,
        "area": { "kind": p.draft.area.kind.code(), "code": p.draft.area.code, "name": p.draft.area_name },
        "title": p.draft.title,
        "note": p.draft.note,
        "status": p.status.code(),
        "set_by": p.set_by,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
        "updated_by": p.updated_by,
        "totals": f.totals.as_ref().map(measures_json),
        "actual": measures_json(&f.actual),
        "rate_per_day": { "households": f.rate.households, "area_m2": f.rate.area_m2 },
        "milestones": milestones,
        "overdue": f.overdue(),
        "projection": { "kind": projection, "date": date, "late": f.late },
    })
}

/// `GET /api/plans?as_of=`: every plan (active first, then cancelled) on
/// the day, the areas with their totals (the form's choices), whether the
/// caller may plan.
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<AsOf>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let user = caller.require_to(Action::ReadNames)?.clone();
    let asked = q?.0.date()?;
    let day = if asked == NaiveDate::MAX {
        crate::campaign::clock::today()
    } else {
        asked
    };
    let facts = state.facts();
    state
        .blocking(move |s| {
            super::campaign::log_read_as_of(
                s,
                &user,
                "plans",
                None,
                (asked != NaiveDate::MAX).then_some(asked),
            )?;
            let kept = facts.get(s)?;
            let ward = kept.ward();
            let scope = s.scope_of(&user, day)?;
            let mut all = s.plans()?;
            // active first, each kind newest first
            all.sort_by_key(|p| (p.status != plans::PlanStatus::Active, -p.id));
            let figures = plans::all_figures(ward, &all, day);
            let list: Vec<Value> = all
                .iter()
                .zip(&figures)
                .map(|(p, f)| {
                    let mut v = plan_json(p, f);
                    v["may_edit"] = json!(
                        user.role.may(Action::Plan) && may_plan_for(&scope, ward, &p.draft.area)
                    );
                    v
                })
                .collect();
            let areas: Vec<Value> = plans::areas(ward)
                .into_iter()
                .map(|(a, name, t)| {
                    json!({ "kind": a.kind.code(), "code": a.code, "name": name, "totals": measures_json(&t) })
                })
                .collect();
            Ok(Json(json!({
                "as_of": day.to_string(),
                "trend_days": plans::TREND_DAYS,
                "max_milestones": MAX_MILESTONES,
                "may_plan": user.role.may(Action::Plan),
                "plans": list,
                "areas": areas,
            })))
        })
        .await
}

/// Checks `body` against the ward and writes it with `write`, answering
/// the plan with its figures today.
async fn save<F>(
    state: AppState,
    user: User,
    body: PlanBody,
    status: StatusCode,
    write: F,
) -> Result<(StatusCode, Json<Value>), ApiError>
where
    F: FnOnce(&mut crate::store::Store, &PlanDraft, &str, &str) -> Result<Plan, ApiError>
        + Send
        + 'static,
{
    let mut draft = body.draft()?;
    let facts = state.facts();
    state
        .blocking(move |s| {
            let kept = facts.get(s)?;
            let ward = kept.ward();
            plans::check(ward, &mut draft)
                .map_err(|i| ApiError::Unprocessable("invalid_plan", i.to_string()))?;
            let scope = s.scope_of(&user, crate::campaign::clock::today())?;
            if !may_plan_for(&scope, ward, &draft.area) {
                return Err(out_of_scope_plan(&draft.area));
            }
            let at = crate::campaign::clock::now().to_rfc3339();
            let plan = write(s, &draft, &user.name, &at)?;
            let day = crate::campaign::clock::today();
            let f = plans::all_figures(ward, std::slice::from_ref(&plan), day);
            Ok((status, Json(plan_json(&plan, &f[0]))))
        })
        .await
}

/// `POST /api/plans`: a new plan.
async fn add(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<PlanBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = caller.require_to(Action::Plan)?.clone();
    let Json(b) = body?;
    save(state, user, b, StatusCode::CREATED, |s, d, by, at| {
        Ok(s.add_plan(d, by, at)?)
    })
    .await
}

/// `PUT /api/plans/{id}`: the plan replaced, from `version`.
async fn edit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: Result<Json<PlanBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = caller.require_to(Action::Plan)?.clone();
    let Json(b) = body?;
    let v = version(b.version)?;
    let scoped = user.role.scoped();
    save(state, user, b, StatusCode::OK, move |s, d, by, at| {
        // the new area was checked against the scope; a scoped role keeps
        // the plan's area, so the old one is within it too
        let old = s.plan(id)?;
        if scoped && old.draft.area != d.area {
            return Err(out_of_scope_plan(&old.draft.area));
        }
        Ok(s.edit_plan(id, v, d, by, at)?)
    })
    .await
}

/// `POST /api/plans/{id}/cancel` with `{"version"}`.
async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: Result<Json<CancelBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let user = caller.require_to(Action::Plan)?.clone();
    let Json(b) = body?;
    let v = version(b.version)?;
    let facts = state.facts();
    state
        .blocking(move |s| {
            let kept = facts.get(s)?;
            let old = s.plan(id)?;
            let scope = s.scope_of(&user, crate::campaign::clock::today())?;
            if !may_plan_for(&scope, kept.ward(), &old.draft.area) {
                return Err(out_of_scope_plan(&old.draft.area));
            }
            let at = crate::campaign::clock::now().to_rfc3339();
            let plan = s.cancel_plan(id, v, &user.name, &at)?;
            let f = plans::all_figures(
                kept.ward(),
                std::slice::from_ref(&plan),
                crate::campaign::clock::today(),
            );
            Ok(Json(plan_json(&plan, &f[0])))
        })
        .await
}
