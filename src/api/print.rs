//! `GET /api/print?group=|segment=&as_of=&paper=`: the printable map sheet
//! of one residential group or one road segment (an A4 or A3 HTML page the
//! browser prints to PDF), drawn by [`crate::ops::sheet`]. Anyone may print
//! it: anonymous readers get the public statuses and no names; a logged-in
//! reader sees each household as [`Caller::view_of`] allows.

use super::params::as_of;
use super::{ApiError, AppState, Caller};
use crate::ops::sheet::{Area, SheetOpError, Viewer};
use crate::report::sheet::scale::Paper;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/print", get(print))
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PrintQuery {
    group: Option<String>,
    segment: Option<String>,
    as_of: Option<String>,
    paper: Option<String>,
}

fn bad(code: &'static str, msg: &str) -> ApiError {
    ApiError::Unprocessable(code, msg.to_string())
}

impl PrintQuery {
    fn area(&self) -> Result<Area, ApiError> {
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(String::from)
        };
        match (given(&self.group), given(&self.segment)) {
            (Some(g), None) => Ok(Area::Group(g)),
            (None, Some(s)) => Ok(Area::Segment(s)),
            (Some(_), Some(_)) => Err(bad(
                "bad_area",
                "group, segment: chỉ chọn một, tổ dân phố hoặc đoạn tuyến / group, segment: give one, not both",
            )),
            (None, None) => Err(bad(
                "bad_area",
                "group hoặc segment: cần chọn một tổ dân phố hoặc một đoạn tuyến (bản đồ cả phường in từ trang bản đồ) / group or segment: choose a residential group or a road segment (the ward's sheet is printed from the map page)",
            )),
        }
    }

    fn paper(&self) -> Result<Paper, ApiError> {
        match self.paper.as_deref() {
            None | Some("") => Ok(Paper::A4),
            Some(p) => Paper::parse(p).ok_or_else(|| {
                bad(
                    "bad_paper",
                    &format!("paper: khổ giấy {p:?} không hỗ trợ, chọn a4 hoặc a3 / paper: {p:?} is not supported, choose a4 or a3"),
                )
            }),
        }
    }
}

/// `GET /api/print`: the map sheet page.
async fn print(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<PrintQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let q = q?.0;
    let area = q.area()?;
    let paper = q.paper()?;
    let date = as_of(q.as_of.as_deref())?;
    let facts = state.facts();
    let html = state
        .blocking(move |s| {
            let kept = facts.get(s)?;
            let scope = caller.scope(s)?;
            let household = |key: i64| {
                let v = caller.view_of(scope.as_ref(), key);
                (v.names, v.audience)
            };
            let viewer = Viewer {
                names: caller.sees_names(),
                audience: caller.audience(),
                household: &household,
            };
            let today = crate::campaign::clock::today();
            let doc =
                crate::ops::sheet::sheet_doc(s, kept.ward(), &area, date, today, paper, &viewer)
                    .map_err(|e| match e {
                        SheetOpError::Store(e) => ApiError::from(e),
                        SheetOpError::NotFound(m) => ApiError::NotFound(m),
                        e @ (SheetOpError::Sheet(_) | SheetOpError::TooManyParcels(_)) => {
                            ApiError::Unprocessable("sheet_too_large", e.to_string())
                        }
                        e => ApiError::Internal(e.to_string()),
                    })?;
            Ok(crate::report::sheet::render(&doc))
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
