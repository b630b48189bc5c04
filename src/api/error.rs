//! The one error type of the API: JSON `{"error": {"code", "message"}}` with
//! the right status. 4xx are answered quietly with their reason; 5xx are
//! logged and answered with a generic message.

use crate::store::StoreError;
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// What a 503 [`ApiError::Busy`] asks the client to wait (seconds) before
/// sending the same request again.
pub const RETRY_AFTER_SECONDS: u32 = 2;

/// Everything a handler can answer instead of what was asked.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 404.
    #[error("{0}")]
    NotFound(String),
    /// 400: a request that cannot be read (bad JSON, bad query).
    #[error("{1}")]
    BadRequest(&'static str, String),
    /// 422: readable, but not acceptable (unknown status, bad date).
    #[error("{1}")]
    Unprocessable(&'static str, String),
    /// 409: conflicts with what is stored (a transition the log refuses).
    #[error("{1}")]
    Conflict(&'static str, String),
    /// 413: a body over its route's limit.
    #[error("{0}")]
    TooLarge(String),
    /// 401: log in first.
    #[error("cần đăng nhập / login required")]
    Unauthorized,
    /// 401 on a login that fails.
    #[error("sai tên hoặc mật khẩu / wrong name or password")]
    BadLogin,
    /// 403: logged in, but the role does not allow it.
    #[error("không có quyền / not allowed for your role")]
    Forbidden,
    /// 403: the role may do it, but not on this household or cell (outside
    /// a secretary's cell, a member's assigned households).
    #[error("{0}")]
    OutOfScope(String),
    /// 503 with `Retry-After`: the database stayed busy (another writer)
    /// past the store's busy timeout; nothing was written.
    #[error("cơ sở dữ liệu đang bận, xin thử lại / database busy, retry")]
    Busy,
    /// 500: logged, never shown.
    #[error("{0}")]
    Internal(String),
    /// 429 with `Retry-After`: too many attempts or requests.
    #[error("{message}")]
    TooMany { retry_after: u64, message: String },
    /// 403: a write sent from another site's page.
    #[error("yêu cầu từ trang khác bị từ chối / cross-origin request refused")]
    CrossOrigin,
    /// 415: a body of another type than its route takes.
    #[error("{0}")]
    UnsupportedType(String),
    /// 412: the parcel changed since the writer read it (`If-Match`);
    /// nothing was written ([`super::versions`] answers the full body).
    #[error("thửa đất đã được người khác sửa / the parcel was changed by someone else")]
    Stale,
    /// 503: the request ran past its route's time limit (seconds).
    #[error(
        "yêu cầu quá thời gian cho phép ({0} giây) / the request took longer than its {0} s limit"
    )]
    TimedOut(u64),
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::BadRequest(c, _) => (StatusCode::BAD_REQUEST, c),
            ApiError::Unprocessable(c, _) => (StatusCode::UNPROCESSABLE_ENTITY, c),
            ApiError::Conflict(c, _) => (StatusCode::CONFLICT, c),
            ApiError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::BadLogin => (StatusCode::UNAUTHORIZED, "bad_login"),
            ApiError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::OutOfScope(_) => (StatusCode::FORBIDDEN, "out_of_scope"),
            ApiError::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            ApiError::TooMany { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many"),
            ApiError::CrossOrigin => (StatusCode::FORBIDDEN, "cross_origin"),
            ApiError::UnsupportedType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_type")
            }
            ApiError::TimedOut(_) => (StatusCode::SERVICE_UNAVAILABLE, "timeout"),
            ApiError::Stale => (StatusCode::PRECONDITION_FAILED, "stale"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = if let ApiError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
            "lỗi máy chủ / internal server error".to_string()
        } else {
            self.to_string()
        };
        let mut r = (
            status,
            Json(json!({ "error": { "code": code, "message": message } })),
        )
            .into_response();
        let retry_after = match self {
            ApiError::TooMany { retry_after, .. } => Some(retry_after),
            ApiError::Busy => {
                tracing::warn!("database busy past the timeout: answered 503");
                Some(u64::from(RETRY_AFTER_SECONDS))
            }
            _ => None,
        };
        if let Some(seconds) = retry_after {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        r
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => ApiError::NotFound(e.to_string()),
            StoreError::Transition(t) => ApiError::Conflict("invalid_transition", t.to_string()),
            StoreError::Correction(m) => ApiError::Conflict("invalid_correction", m),
            StoreError::Conflict(m) => ApiError::Conflict("conflict", m),
            StoreError::NoRecord(m) => ApiError::Conflict("no_record", m),
            StoreError::BadInput(m) => ApiError::Unprocessable("invalid_input", m),
            StoreError::Busy => ApiError::Busy,
            StoreError::Stale(_) => ApiError::Stale,
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        let msg = format!(
            "nội dung yêu cầu không hợp lệ / bad request body: {}",
            r.body_text()
        );
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            let mb = super::BODY_LIMIT >> 20;
            ApiError::TooLarge(format!(
                "nội dung yêu cầu quá giới hạn {mb} MB / the request body is over the {mb} MB limit"
            ))
        } else if r.status() == StatusCode::UNPROCESSABLE_ENTITY {
            ApiError::Unprocessable("bad_body", msg)
        } else {
            ApiError::BadRequest("bad_body", msg)
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::BadRequest(
            "bad_query",
            format!("tham số không hợp lệ / bad query: {}", r.body_text()),
        )
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        ApiError::Internal(format!("blocking task failed: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::FeatureId;
    use crate::campaign::events::{Event, Status};
    use crate::store::Store;
    use std::time::Duration;

    /// A writer that cannot get the lock within its (short) timeout
    /// answers 503 with Retry-After and the JSON error, not 500.
    #[tokio::test]
    async fn a_database_still_busy_after_the_timeout_answers_503_with_retry_after() {
        let dir = std::env::temp_dir().join(format!("hiendat-busy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("busy.db");
        let _ = std::fs::remove_file(&db);
        let holder = Store::open(&db).unwrap();
        let mut waiter = Store::open(&db).unwrap();
        waiter.set_busy_timeout(Duration::from_millis(50)).unwrap();
        let lock = holder.hold_write_lock_for_tests().unwrap();
        let err = waiter
            .append_event(&Event {
                parcel: FeatureId::Text("1".into()),
                status: Status::Persuading,
                occurred_on: "2026-11-01".parse().unwrap(),
                entered_at: chrono::Utc::now(),
                entered_by: "lan".into(),
                party_member: None,
                note: None,
                corrects: None,
            })
            .unwrap_err();
        drop(lock);
        assert!(matches!(err, StoreError::Busy), "{err:?}");
        let r = ApiError::from(err).into_response();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.headers()[header::RETRY_AFTER], "2");
        let body = axum::body::to_bytes(r.into_body(), 1 << 16).await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"]["code"], "busy");
        assert_eq!(
            v["error"]["message"],
            "cơ sở dữ liệu đang bận, xin thử lại / database busy, retry"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
