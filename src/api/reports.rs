//! Reports as downloads: `GET /api/reports` (any date or period, any cut,
//! or `by=periodic`: the Party's periodic report), frozen reports (`POST
//! /api/reports/frozen` keeps one as issued, a periodic one with the
//! office's edited narrative), the periodic report's generated narrative
//! (`GET /api/reports/periodic`) and its preview with edits (`POST
//! /api/reports/preview`), and the donation record page of a parcel.

use super::campaign::{log_read, log_read_as_of};
use super::params::{flag, past_date};
use super::{ApiError, AppState, Caller};
use crate::campaign::events::Audience;
use crate::ops::reports::FrozenReports;
use crate::report::Report;
use crate::report::campaign::{self as reports, Cut, Options};
use crate::report::format::{self, Format};
use crate::report::html_party::{self, Lang};
use crate::report::periodic::{self, Edit, Letterhead};
use crate::store::Action;
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
        .route("/api/reports/periodic", get(narrative))
        .route("/api/reports/preview", axum::routing::post(preview))
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
    /// `1`: the periodic report's HTML with English subtitles (the screen
    /// version); without it the official print, Vietnamese only.
    bilingual: Option<String>,
    /// With `by=evaluation`: the year evaluated (default: this year).
    year: Option<String>,
}

fn bad(msg: String) -> ApiError {
    ApiError::Unprocessable("invalid_report", msg)
}

/// What a report holds: tables of cuts, or the periodic report.
#[derive(Debug, Clone, PartialEq)]
enum What {
    Cuts(Vec<Cut>),
    Periodic,
    /// The annual evaluation of a year.
    Evaluation(i32),
    /// The Inspection Committee's inspections (`by=inspection`).
    Inspection,
}

impl What {
    fn parse(by: &str) -> Result<What, ApiError> {
        if by == periodic::CUT {
            return Ok(What::Periodic);
        }
        if by == crate::report::evaluation::CUT {
            return Ok(What::Evaluation(chrono::Datelike::year(&today_vn())));
        }
        if by == Cut::Inspection.as_str() {
            return Ok(What::Inspection);
        }
        cuts(by).map(What::Cuts)
    }

    /// The cuts whose data it shows: the periodic report's appendix names
    /// party cells and the members' families (editor+).
    fn shows(&self) -> Vec<Cut> {
        match self {
            What::Cuts(c) => c.clone(),
            What::Periodic => vec![Cut::Segment, Cut::Group, Cut::Cell],
            What::Evaluation(_) => vec![Cut::Cell, Cut::Member],
            What::Inspection => vec![Cut::Inspection],
        }
    }

    /// The report from the ward's facts; the periodic one with the
    /// letterhead the store holds.
    fn build(
        &self,
        s: &crate::store::Store,
        ward: &crate::campaign::figures::Ward,
        opt: &Options,
    ) -> Result<Report, ApiError> {
        Ok(match self {
            What::Cuts(c) if c.contains(&Cut::Plan) => {
                reports::build_with_plans(ward, c, opt, &s.plans()?)
            }
            What::Cuts(c) => reports::build(ward, c, opt),
            What::Periodic => {
                let head = crate::ops::reports::letterhead(s, &Letterhead::default())?;
                periodic::build(ward, opt, &head)
            }
            What::Evaluation(y) => crate::ops::evaluation::report(s, ward, *y, today_vn())
                .map_err(|e| match e {
                    crate::store::StoreError::BadInput(m) => ApiError::Unprocessable("bad_year", m),
                    e => e.into(),
                })?,
            What::Inspection => crate::ops::inspections::report(s, opt)?,
        })
    }
}

fn cuts(by: &str) -> Result<Vec<Cut>, ApiError> {
    if by == "all" {
        return Ok(Cut::ALL.to_vec());
    }
    by.split(',')
        .map(|c| {
            Cut::parse(c.trim()).ok_or_else(|| {
                bad(format!(
                    "by: không biết cách cắt {c:?} / unknown cut {c:?} (segment, group, cell, member, lagging, commendation, exemplary, plan, all, periodic, inspection)"
                ))
            })
        })
        .collect::<Result<Vec<Cut>, ApiError>>()
        .and_then(|c| {
            if c.contains(&Cut::Inspection) {
                return Err(bad(
                    "by: inspection là báo cáo riêng, không ghép với cách cắt khác / inspection is a report of its own, not combined with other cuts".into(),
                ));
            }
            Ok(c)
        })
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
    // the cells' and members' cuts and the internal list name the whole
    // ward's people: not a secretary's or member's to read
    if cuts.iter().any(|c| c.is_sensitive()) || !public {
        caller.require_ward("báo cáo / report")?;
    }
    if cuts.contains(&Cut::Inspection) {
        caller.require_to(Action::ReadInspections)?;
    }
    if cuts.iter().any(|c| c.is_sensitive()) && caller.sees_sensitive().is_none() {
        return Err(if caller.0.is_none() {
            ApiError::Unauthorized
        } else {
            ApiError::Forbidden
        });
    }
    if !public || cuts.iter().any(|c| c.needs_login()) {
        caller.require_to(Action::ReadNames)?;
    }
    Ok(())
}

/// The report as `caller` may read it: for the public, the households not
/// contacted, being persuaded and declined are one "chưa hiến" count.
fn shown_to(caller: &Caller, doc: Report) -> Report {
    match caller.audience() {
        Audience::Staff => doc,
        Audience::Public => crate::report::public::for_public(doc),
    }
}

fn file(doc: &Report, cut: &str, f: Format, bilingual: bool) -> Result<Response, ApiError> {
    let bytes = match (&doc.periodic, f) {
        (Some(p), Format::Html) if bilingual => {
            html_party::render(doc, p, Lang::Bilingual).into_bytes()
        }
        _ => format::write(doc, f).map_err(ApiError::Internal)?,
    };
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
    let what = match (What::parse(&by)?, q.year.as_deref().map(str::trim)) {
        (What::Evaluation(y), None | Some("")) => What::Evaluation(y),
        (What::Evaluation(_), Some(y)) => What::Evaluation(y.parse().map_err(|_| {
            ApiError::Unprocessable(
                "bad_year",
                format!("year: {y:?} không phải là năm / is not a year"),
            )
        })?),
        (w, None) => w,
        (_, Some(_)) => {
            return Err(bad(
                "year: chỉ dùng với by=evaluation / only with by=evaluation".into(),
            ));
        }
    };
    let cuts = what.shows();
    let mut opt = options(&q)?;
    let f = fmt(q.format.as_deref())?;
    let bilingual = flag(q.bilingual.as_deref());
    check_access(&caller, &cuts, opt.public)?;
    // an internal list of exemplary individuals names party members only
    // to those who read sensitive data (and the read is logged)
    opt.name_members = caller.sees_sensitive().is_some();
    let names_members = !opt.public && cuts.contains(&Cut::Exemplary);
    let reader = caller
        .sees_sensitive()
        .cloned()
        .filter(|_| names_members || cuts.iter().any(|c| c.is_sensitive()));
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
            let kept = facts.get(s)?;
            what.build(s, kept.ward(), &opt)
        })
        .await?;
    let doc = shown_to(&caller, doc);
    file(
        &doc,
        &q.by.unwrap_or_else(|| "all".into()).replace(',', "-"),
        f,
        bilingual,
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
    /// With `by: "periodic"`: the office's edits (number, narrative,
    /// recipients, signer) that replace the generated ones.
    periodic: Option<Edit>,
}

/// A freeze or preview body made into the report it asks for (editor+):
/// the periodic report with the office's edits written in, as issued
/// `today`.
async fn edited(
    state: &AppState,
    caller: &Caller,
    b: Freeze,
    today: chrono::NaiveDate,
) -> Result<(String, Report), ApiError> {
    caller.require_to(Action::Report)?;
    let by = b.by.unwrap_or_else(|| "all".into());
    let mut what = What::parse(&by)?;
    check_access(caller, &what.shows(), true)?;
    let q = ReportQuery {
        as_of: Some(b.as_of),
        from: b.from,
        lag_days: b.lag_days,
        min_area: b.min_area,
        min_value: b.min_value,
        ..ReportQuery::default()
    };
    let opt = options(&q)?;
    if let What::Evaluation(y) = &mut what {
        // a frozen evaluation is of the year of its date
        *y = chrono::Datelike::year(&opt.as_of);
    }
    if opt.as_of > today {
        return Err(bad(format!(
            "as_of {} ở tương lai / is in the future",
            opt.as_of
        )));
    }
    if b.periodic.is_some() && what != What::Periodic {
        return Err(bad(
            "periodic: chỉ dùng với by=periodic / only with by=periodic".into(),
        ));
    }
    // the preview shows what a GET of the same cuts shows: logged alike
    let reader = caller
        .sees_sensitive()
        .cloned()
        .filter(|_| what.shows().iter().any(|c| c.is_sensitive()));
    let facts = state.facts();
    let edit = b.periodic;
    let logged = by.clone();
    let doc = state
        .blocking(move |s| {
            if let Some(u) = &reader {
                super::campaign::log_read_as_of(
                    s,
                    u,
                    &format!("report {logged}"),
                    Some(&format!("as_of={} from={:?}", opt.as_of, opt.from)),
                    Some(opt.as_of),
                )?;
            }
            let kept = facts.get(s)?;
            let mut doc = what.build(s, kept.ward(), &opt)?;
            doc.issued_on = Some(today);
            if let (Some(e), Some(p)) = (&edit, doc.periodic.as_mut()) {
                e.apply(p).map_err(bad)?;
            }
            Ok(doc)
        })
        .await?;
    Ok((by, doc))
}

/// `POST /api/reports/preview`: the report a freeze body would keep, as its
/// HTML page, kept nowhere (editor+): the office reads its edits before
/// freezing.
async fn preview(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<Freeze>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(b) = body?;
    let (by, doc) = edited(&state, &caller, b, today_vn()).await?;
    file(&doc, &format!("xem-truoc-{by}"), Format::Html, false)
}

/// `GET /api/reports/periodic?as_of=&from=&lag_days=`: the periodic report's
/// letterhead and generated narrative as JSON, for the office to edit
/// (editor+).
async fn narrative(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let user = caller.require_to(Action::Report)?.clone();
    let q = q?.0;
    let opt = options(&q)?;
    let facts = state.facts();
    let doc = state
        .blocking(move |s| {
            log_read_as_of(
                s,
                &user,
                "report periodic",
                Some(&format!("as_of={} from={:?}", opt.as_of, opt.from)),
                Some(opt.as_of),
            )?;
            let kept = facts.get(s)?;
            What::Periodic.build(s, kept.ward(), &opt)
        })
        .await?;
    Ok(Json(json!({
        "title": doc.title,
        "as_of": doc.as_of.to_string(),
        "from": doc.from.map(|d| d.to_string()),
        "periodic": doc.periodic,
        "limits": {
            "sections": periodic::MAX_SECTIONS,
            "paragraphs": periodic::MAX_PARAGRAPHS,
            "paragraph_chars": periodic::MAX_PARAGRAPH_CHARS,
            "heading_chars": periodic::MAX_HEADING_CHARS,
            "total_chars": periodic::MAX_TOTAL_CHARS,
        },
    })))
}

/// `POST /api/reports/frozen`: keeps a report as issued today (editor+); a
/// periodic one with the office's edits.
async fn freeze(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<Freeze>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = caller.require_to(Action::Report)?.clone();
    let Json(b) = body?;
    let today = today_vn();
    let (by, doc) = edited(&state, &caller, b, today).await?;
    state
        .blocking(move |s| {
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
    /// `1`: a periodic report's HTML with English subtitles.
    bilingual: Option<String>,
}

/// `GET /api/reports/frozen/{id}?format=`: exactly as issued.
async fn frozen(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    q: Result<Query<FrozenQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let q = q?.0;
    let f = fmt(q.format.as_deref())?;
    let bilingual = flag(q.bilingual.as_deref());
    let doc = state.blocking(move |s| Ok(s.frozen_report(id)?)).await?;
    let doc = shown_to(&caller, doc);
    // a periodic report speaks of the cells and the members' families in
    // its narrative too
    let sensitive: Vec<Cut> = doc
        .sheets
        .iter()
        .filter_map(|s| Cut::parse(&s.key))
        .chain(doc.periodic.as_ref().map(|_| Cut::Cell))
        // the evaluation's sheets name members and cells
        .chain(
            doc.sheets
                .iter()
                .any(|s| crate::report::evaluation::SHEET_KEYS.contains(&s.key.as_str()))
                .then_some(Cut::Member),
        )
        .filter(|c| c.is_sensitive() || c.needs_login())
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
    file(&doc, &format!("da-chot-{id}"), f, bilingual)
}

/// `GET /api/parcels/{id}/record`: the donation record page, pre-filled
/// (viewer+: it names the household).
async fn record_page(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require_to(Action::ReadNames)?;
    let html = state
        .blocking(move |s| {
            // it names the household: 403 outside a scoped role's reach
            caller.require_on_parcel(s, Action::ReadNames, &id)?;
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
