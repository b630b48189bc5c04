//! User management for admins: `GET/POST /api/users`,
//! `PATCH/DELETE /api/users/{name}`. Changing a role or a password ends
//! that user's sessions.

use super::auth::user_json;
use super::{ApiError, AppState, Caller};
use crate::store::Role;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

/// The user routes (admin).
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/users", get(list).post(add))
        .route("/api/users/{name}", patch(change).delete(remove))
}

/// `GET /api/users`: every user and their role (never a password hash).
async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Admin)?;
    state
        .blocking(|s| {
            Ok(Json(Value::Array(
                s.users()?.iter().map(user_json).collect(),
            )))
        })
        .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    name: String,
    role: String,
    password: String,
}

/// `POST /api/users` with `{"name", "role", "password"}`.
async fn add(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<NewUser>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(Role::Admin)?;
    let Json(b) = body?;
    let role: Role = b.role.parse()?;
    state
        .blocking(move |s| {
            let u = s.add_user(&b.name, role, &b.password)?;
            Ok((StatusCode::CREATED, Json(user_json(&u))))
        })
        .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Change {
    role: Option<String>,
    password: Option<String>,
}

/// `PATCH /api/users/{name}` with a new `role` and/or `password`.
async fn change(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    body: Result<Json<Change>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Admin)?;
    let Json(b) = body?;
    let role: Option<Role> = b.role.as_deref().map(str::parse).transpose()?;
    if role.is_none() && b.password.is_none() {
        return Err(ApiError::Unprocessable(
            "invalid_input",
            "cần role hoặc password / give a role or a password".into(),
        ));
    }
    state
        .blocking(move |s| {
            // Check the user first: a password for nobody is not set.
            s.user(&name)?;
            if let Some(p) = &b.password {
                s.set_password(&name, p)?;
            }
            if let Some(r) = role {
                s.set_role(&name, r)?;
            }
            Ok(Json(user_json(&s.user(&name)?)))
        })
        .await
}

/// `DELETE /api/users/{name}`: the events they entered keep their name.
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(Role::Admin)?;
    state
        .blocking(move |s| {
            s.remove_user(&name)?;
            Ok(StatusCode::NO_CONTENT)
        })
        .await
}
