//! `GET /api/progress`: the campaign's progress over time, one point per
//! date with a change (of a status or of a structure), from the same read
//! model as every other figure, with the ward's structures on that day.

use super::geojson::write_tally;
use super::json::Out;
use super::params::AsOf;
use super::{ApiError, AppState, Caller};
use crate::campaign::events::Audience;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;

/// The progress route.
pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/progress", get(progress))
}

/// `GET /api/progress`: the campaign's progress on each date with a change.
async fn progress(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<AsOf>, QueryRejection>,
) -> Result<Out, ApiError> {
    let date = q?.0.date()?;
    let audience = caller.audience();
    state
        .figures_on("progress", date, audience, move |_, ward| {
            let points = match audience {
                Audience::Staff => ward.ward().series(date),
                Audience::Public => ward.ward().public_series(date),
            };
            let mut o = Out::with_capacity(300 * points.len());
            o.begin_array();
            for (d, t) in &points {
                o.begin_object();
                o.field("date", d.to_string());
                write_tally(&mut o, t, audience);
                // the ward's structures on the day (the page's totals)
                o.field("structures", t.structures.structures);
                o.field("structures_donated", t.structures.donated);
                o.field(
                    "structures_donated_value_vnd",
                    t.structures.donated_value_vnd,
                );
                o.end_object();
            }
            o.end_array();
            Ok(o)
        })
        .await
}
