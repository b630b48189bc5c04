//! `GET /api/export`: the surveyor files of `hiendat export`, as a download.
//! Owners' names only for a logged-in caller who asks (`personal=1`);
//! anonymous visitors get the public statuses (`not_yet` for declined and
//! being persuaded).

use super::guard::ClientIp;
use super::params::flag;
use super::{ApiError, AppState, Caller};
use crate::ops::export::{self, Format, Request, Target};
use axum::Router;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, SemaphorePermit};
use tokio_util::io::ReaderStream;

/// Exports built at once; the others wait their turn (within the route's
/// time limit).
static EXPORTS: Semaphore = Semaphore::const_new(2);

/// How long an export waits for its turn before it is sent away.
const TURN_WAIT: Duration = Duration::from_secs(60);

/// One export at a time per client: a client's exports queue behind each
/// other, so one client never holds every turn of [`EXPORTS`].
static PER_CLIENT: Mutex<Option<HashMap<IpAddr, Arc<Semaphore>>>> = Mutex::new(None);

fn client_turns(ip: IpAddr) -> Arc<Semaphore> {
    let mut map = PER_CLIENT.lock().unwrap_or_else(|e| e.into_inner());
    let map = map.get_or_insert_with(HashMap::new);
    if map.len() >= 1_000 {
        // Forget the clients with nothing running or waiting.
        map.retain(|_, s| Arc::strong_count(s) > 1);
    }
    Arc::clone(map.entry(ip).or_insert_with(|| Arc::new(Semaphore::new(1))))
}

/// The turns of one export: the client's and one of the server's.
async fn turn(ip: IpAddr) -> Result<(OwnedSemaphorePermit, SemaphorePermit<'static>), ApiError> {
    let busy = || {
        ApiError::TooMany {
        retry_after: 30,
        message: "máy chủ đang bận xuất tệp, thử lại sau 30 giây / the server is busy with other exports, try again in 30 s".into(),
    }
    };
    let wait = async {
        let mine = client_turns(ip)
            .acquire_owned()
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let server = EXPORTS
            .acquire()
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        Ok((mine, server))
    };
    tokio::time::timeout(TURN_WAIT, wait)
        .await
        .map_err(|_| busy())?
}

/// The export route.
pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/export", get(export))
}

#[derive(Debug, Deserialize)]
struct ExportQuery {
    format: String,
    /// Comma-separated layer names (default: parcels).
    layers: Option<String>,
    segment: Option<String>,
    group: Option<String>,
    crs: Option<String>,
    interval: Option<f64>,
    personal: Option<String>,
}

fn bad(msg: String) -> ApiError {
    ApiError::Unprocessable("invalid_export", msg)
}

/// 422 `export_limit`: the export would pass one of its bounds.
fn limit(e: export::ExportError) -> ApiError {
    ApiError::Unprocessable("export_limit", e.to_string())
}

async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    q: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let q = q?.0;
    let format = Format::parse(&q.format).ok_or_else(|| {
        bad(format!(
            "không biết định dạng {:?} / unknown format {:?} (gpkg, shp, dxf, kml, geojson, csv)",
            q.format, q.format
        ))
    })?;
    // Each layer once: `parcels,parcels` is one layer.
    let layers = export::parse_layers(q.layers.as_deref().unwrap_or("parcels").split(','))
        .map_err(|e| bad(format!("layers: {e}")))?;
    let interval_m = export::check_interval(q.interval.unwrap_or(export::DEFAULT_INTERVAL_M))
        .map_err(|e| bad(e.to_string()))?;
    let target = match q.crs.as_deref().filter(|c| !c.trim().is_empty()) {
        Some(c) => Some(Target::parse(c).map_err(|e| bad(e.to_string()))?),
        None => None,
    };
    let target = export::default_target(format, target);
    export::check_request(format, &layers, &target).map_err(bad)?;
    let personal = flag(q.personal.as_deref());
    if personal && !caller.sees_names() {
        return Err(ApiError::Unauthorized);
    }
    if personal {
        // owners' names of the whole ward (or of a segment, a group)
        caller.require_ward("xuất tệp có tên chủ hộ / export with owners' names")?;
    }
    let name = match (&q.segment, &q.group) {
        (Some(s), _) => format!("doan-{s}"),
        (None, Some(g)) => crate::campaign::fold(g),
        (None, None) => "phuong".into(),
    };
    let file_name = format!(
        "hiendat-{name}-{}-{}.{}",
        layers
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>()
            .join("-"),
        crs_tag(target.as_ref()),
        format.extension()
    );
    let req = Request {
        layers,
        segment: q.segment,
        group: q.group,
        target,
        personal,
        // a secretary's or member's export is the public's: each parcel's
        // step is theirs to read within their scope only (the map, the panel)
        audience: if caller.scoped() {
            crate::campaign::events::Audience::Public
        } else {
            caller.audience()
        },
        interval_m,
        limits: export::Limits::DEFAULT,
    };
    // Exports at once are few: each holds its layers in memory while it
    // writes. The permit travels with the work, so a request that timed
    // out still holds it until its blocking task ends.
    let permit = turn(ip).await?;
    let (file, size) = state
        .blocking(move |s| {
            let _permit = permit;
            let built = export::build(s, &req).map_err(|e| match e {
                export::ExportError::Store(e) => ApiError::from(e),
                export::ExportError::UnknownSegment(_) | export::ExportError::UnknownGroup(_) => {
                    ApiError::NotFound(e.to_string())
                }
                e @ (export::ExportError::TooManyStakes(..)
                | export::ExportError::TooManyFeatures(..)) => limit(e),
                e => bad(e.to_string()),
            })?;
            // GeoPackage is a database file: built in a temporary file.
            let dir = std::env::temp_dir().join(format!(
                "hiendat-export-{}-{}",
                std::process::id(),
                rand_suffix()
            ));
            std::fs::create_dir_all(&dir).map_err(|e| ApiError::Internal(e.to_string()))?;
            let path = dir.join("out");
            let written = export::write_file(format, &built, &path, req.limits.max_bytes);
            drop(built);
            // The answer streams from the file, opened before its folder is
            // removed: the open handle keeps it until the last byte is sent.
            let opened = written
                .map_err(|e| match e {
                    e @ export::ExportError::TooLarge(_) => limit(e),
                    e => ApiError::Internal(e.to_string()),
                })
                .and_then(|()| {
                    let f = std::fs::File::open(&path)
                        .map_err(|e| ApiError::Internal(e.to_string()))?;
                    let size = f
                        .metadata()
                        .map_err(|e| ApiError::Internal(e.to_string()))?
                        .len();
                    Ok((f, size))
                });
            let _ = std::fs::remove_dir_all(&dir);
            opened
        })
        .await?;
    let body = Body::from_stream(ReaderStream::with_capacity(
        tokio::fs::File::from_std(file),
        256 << 10,
    ));
    let disposition = format!("attachment; filename=\"{file_name}\"");
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.media_type()),
            ),
            (header::CONTENT_LENGTH, HeaderValue::from(size)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
            ),
        ],
        body,
    )
        .into_response())
}

/// The CRS a file is written in, as its name carries it: `vn2000` (the
/// ward's measuring CRS, the default), `wgs84`, or for another projected
/// CRS asked for its EPSG code (`vn2000-epsg9210`, `epsg32648`).
fn crs_tag(target: Option<&Target>) -> String {
    let c = match target {
        None => return "vn2000".into(),
        Some(Target::Wgs84) => return "wgs84".into(),
        Some(Target::Projected(c)) => c,
    };
    let vn2000 = c
        .proj_string()
        .contains(crate::geometry::crs::VN2000_TOWGS84);
    let name = c.name().trim();
    let code = name
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("EPSG:"))
        .and_then(|_| name[5..].trim().parse::<u32>().ok());
    match (vn2000, code) {
        (true, Some(code)) => format!("vn2000-epsg{code}"),
        (true, None) => "vn2000".into(),
        (false, Some(code)) => format!("epsg{code}"),
        (false, None) => "projected".into(),
    }
}

/// A process-unique suffix for temporary names.
fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_file_name_carries_the_crs_it_is_written_in() {
        use super::{Target, crs_tag};
        assert_eq!(crs_tag(None), "vn2000");
        assert_eq!(crs_tag(Some(&Target::Wgs84)), "wgs84");
        assert_eq!(crs_tag(Some(&Target::parse("EPSG:4326").unwrap())), "wgs84");
        let tag = |c: &str| crs_tag(Some(&Target::parse(c).unwrap()));
        assert_eq!(tag("EPSG:5897"), "vn2000-epsg5897");
        assert_eq!(tag("EPSG:32648"), "epsg32648");
    }

    use super::*;
    use std::net::Ipv4Addr;

    #[tokio::test]
    async fn a_client_gets_one_export_turn_and_two_run_at_once() {
        let a = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
        let b = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));
        let c = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 3));
        let soon = Duration::from_millis(100);
        let first = turn(a).await.unwrap();
        // A's second export waits for its first, though a server turn is free.
        assert!(tokio::time::timeout(soon, turn(a)).await.is_err());
        let other = turn(b).await.unwrap();
        // Both server turns are taken: C waits too.
        assert!(tokio::time::timeout(soon, turn(c)).await.is_err());
        drop(first);
        let again = tokio::time::timeout(soon, turn(a)).await;
        assert!(again.is_ok(), "A's turn is back once its export ended");
        drop((other, again));
    }
}
