//! Reports as downloads: `GET /api/reports` (any date or period, any cut),
//! frozen reports (`POST /api/reports/frozen` keeps one as issued), and the
//! donation record page of a parcel.

use super::campaign::log_read;
use super::params::{flag, past_date};
use super::{ApiError, AppState, Caller};
use crate::ops::reports::FrozenReports;
use crate::report::Report;
use crate::report::campaign::{self as reports, Cut, Options};
use crate::report::format::{self, Format};
use crate::store::Role;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::campaign::clock::today as today_vn;

/// The report routes: periodic reports, frozen reports, a parcel's
/// donation record page.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/reports", get(report))
        .route("/api/reports/frozen", get(frozen_list).post(freeze))
        .route("/api/reports/frozen/{id}", get(frozen))
        .route("/api/parcels/{id}/record", get(record_page))
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ReportQuery {
    /// segment, group, cell, member, lagging, commendation or all; commas.
    by: Option<String>,
    format: Option<String>,
    as_of: Option<String>,
    from: Option<String>,
    lag_days: Option<u32>,
    min_area: Option<f64>,
    min_value: Option<i64>,
    /// `1`: the commendation list names every donor (viewer+).
    internal: Option<String>,
}

fn bad(msg: String) -> ApiError {
    ApiError::Unprocessable("invalid_report", msg)
}

fn cuts(by: &str) -> Result<Vec<Cut>, ApiError> {
    if by == "all" {
        return Ok(Cut::ALL.to_vec());
    }
    by.split(',')
        .map(|c| {
            Cut::parse(c.trim()).ok_or_else(|| {
                bad(format!(
                    "by: không biết cách cắt {c:?} / unknown cut {c:?} (segment, group, cell, member, lagging, commendation, all)"
                ))
            })
        })
        .collect()
}

fn options(q: &ReportQuery) -> Result<Options, ApiError> {
    let mut o = Options::new(match &q.as_of {
        Some(d) => past_date("as_of", d)?,
        None => today_vn(),
    });
    o.from = q
        .from
        .as_deref()
        .filter(|f| !f.is_empty())
        .map(|d| past_date("from", d))
        .transpose()?;
    if let Some(f) = o.from
        && f > o.as_of
    {
        return Err(bad(format!(
            "from {f} sau as_of {} / from is after as_of",
            o.as_of
        )));
    }
    if let Some(l) = q.lag_days {
        o.lag_days = l;
    }
    if let Some(a) = q.min_area {
        if !(a >= 0.0 && a.is_finite()) {
            return Err(bad(format!(
                "min_area {a}: cần số không âm / must be a non-negative number"
            )));
        }
        o.min_area_m2 = a;
    }
    if let Some(v) = q.min_value {
        o.min_value_vnd = v.max(0);
    }
    o.public = !flag(q.internal.as_deref());
    Ok(o)
}

fn fmt(name: Option<&str>) -> Result<Format, ApiError> {
    let n = name.unwrap_or("xlsx");
    Format::parse(n).ok_or_else(|| {
        bad(format!(
            "format: không biết định dạng {n:?} / unknown format {n:?} (xlsx, html, csv, docx)"
        ))
    })
}

/// Who may see which cuts: party cells and members are sensitive (editor+);
/// an internal commendation list names every donor (viewer+).
fn check_access(caller: &Caller, cuts: &[Cut], public: bool) -> Result<(), ApiError> {
    if cuts.iter().any(|c| c.is_sensitive()) && caller.sees_sensitive().is_none() {
        return Err(if caller.0.is_none() {
            ApiError::Unauthorized
        } else {
            ApiError::Forbidden
        });
    }
    if !public {
        caller.require(Role::Viewer)?;
    }
    Ok(())
}

fn file(doc: &Report, cut: &str, f: Format) -> Result<Response, ApiError> {
    let bytes = format::write(doc, f).map_err(ApiError::Internal)?;
    let name = format::file_name(doc, cut, f);
    let disposition = if f == Format::Html {
        format!("inline; filename=\"{name}\"")
    } else {
        format!("attachment; filename=\"{name}\"")
    };
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(f.media_type(doc)),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .map_err(|e| ApiError::Internal(e.to_string()))?,
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /api/reports?by=&format=&as_of=&from=&lag_days=&min_area=&min_value=&internal=`.
async fn report(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let q = q?.0;
    let by = q.by.clone().unwrap_or_else(|| "all".into());
    let cuts = cuts(&by)?;
    let opt = options(&q)?;
    let f = fmt(q.format.as_deref())?;
    check_access(&caller, &cuts, opt.public)?;
    let reader = caller
        .sees_sensitive()
        .cloned()
        .filter(|_| cuts.iter().any(|c| c.is_sensitive()));
    let facts = state.facts();
    let doc = state
        .blocking(move |s| {
            if let Some(u) = &reader {
                super::campaign::log_read_as_of(
                    s,
                    u,
                    &format!("report {by}"),
                    Some(&format!("as_of={} from={:?}", opt.as_of, opt.from)),
                    Some(opt.as_of),
                )?;
            }
            // the same facts, and so the same figures, as every other answer
            Ok(reports::build(facts.get(s)?.ward(), &cuts, &opt))
        })
        .await?;
    file(
        &doc,
        &q.by.unwrap_or_else(|| "all".into()).replace(',', "-"),
        f,
    )
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Freeze {
    by: Option<String>,
    as_of: String,
    from: Option<String>,
    lag_days: Option<u32>,
    min_area: Option<f64>,
    min_value: Option<i64>,
}

/// `POST /api/reports/frozen`: keeps a report as issued today (editor+).
async fn freeze(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<Freeze>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = caller.require(Role::Editor)?.clone();
    let Json(b) = body?;
    let by = b.by.unwrap_or_else(|| "all".into());
    let cuts = cuts(&by)?;
    let q = ReportQuery {
        as_of: Some(b.as_of),
        from: b.from,
        lag_days: b.lag_days,
        min_area: b.min_area,
        min_value: b.min_value,
        ..ReportQuery::default()
    };
    let opt = options(&q)?;
    let today = today_vn();
    if opt.as_of > today {
        return Err(bad(format!(
            "as_of {} ở tương lai / is in the future",
            opt.as_of
        )));
    }
    let facts = state.facts();
    state
        .blocking(move |s| {
            let mut doc = reports::build(facts.get(s)?.ward(), &cuts, &opt);
            doc.issued_on = Some(today);
            let id = s.freeze_report(&by, &doc, today, &user.name)?;
            Ok((
                StatusCode::CREATED,
                Json(json!({ "id": id, "issued_on": today.to_string(), "title": doc.title })),
            ))
        })
        .await
}

/// `GET /api/reports/frozen`: the reports as issued, newest first; who
/// issued them only for logged-in callers (a login name is personal).
async fn frozen_list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    let names = caller.sees_names();
    state
        .blocking(move |s| {
            let list: Vec<Value> = s
                .frozen_reports()?
                .into_iter()
                .map(|f| {
                    json!({
                        "id": f.id, "by": f.cut, "title": f.title, "as_of": f.as_of.to_string(),
                        "from": f.from.map(|d| d.to_string()), "issued_on": f.issued_on.to_string(), "issued_by": names.then_some(f.issued_by),
                    })
                })
                .collect();
            Ok(Json(json!({ "reports": list })))
        })
        .await
}

#[derive(Debug, Deserialize)]
struct FrozenQuery {
    format: Option<String>,
}

/// `GET /api/reports/frozen/{id}?format=`: exactly as issued.
async fn frozen(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    q: Result<Query<FrozenQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let f = fmt(q?.0.format.as_deref())?;
    let doc = state.blocking(move |s| Ok(s.frozen_report(id)?)).await?;
    let sensitive: Vec<Cut> = doc
        .sheets
        .iter()
        .filter_map(|s| Cut::parse(&s.key))
        .filter(|c| c.is_sensitive())
        .collect();
    check_access(&caller, &sensitive, true)?;
    if let Some(u) = caller
        .sees_sensitive()
        .cloned()
        .filter(|_| !sensitive.is_empty())
    {
        state
            .blocking(move |s| log_read(s, &u, &format!("frozen report {id}"), None))
            .await?;
    }
    file(&doc, &format!("da-chot-{id}"), f)
}

/// `GET /api/parcels/{id}/record`: the donation record page, pre-filled
/// (viewer+: it names the household).
async fn record_page(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require(Role::Viewer)?;
    let html = state
        .blocking(move |s| {
            let doc = crate::ops::record::record_doc(s, &id, today_vn()).map_err(|e| match e {
                crate::ops::record::RecordError::Store(e) => ApiError::from(e),
                e => ApiError::Internal(e.to_string()),
            })?;
            Ok(crate::report::record::render(&doc))
        })
        .await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        html,
    )
        .into_response())
}
