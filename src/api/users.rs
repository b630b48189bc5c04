//! User management for admins: `GET/POST /api/users`,
//! `PATCH/DELETE /api/users/{name}`, `POST /api/users/{name}/unlock`.
//! Changing a role or a password ends that user's sessions. The list shows
//! each user's failed logins and lockout (kept in memory, see
//! [`super::guard`]).

use super::auth::user_json;
use super::{ApiError, AppState, Caller};
use crate::store::{Action, Role};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

/// The user routes (admin).
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/users", get(list).post(add))
        .route("/api/users/{name}", patch(change).delete(remove))
        .route("/api/users/{name}/unlock", post(unlock))
}

/// A user with their failed logins and lockout (admin's view).
fn with_lock(state: &AppState, u: &crate::store::User) -> Value {
    let mut v = user_json(u);
    let l = state.guard.lock_state(&u.name);
    v["failed_logins"] = l.failures.into();
    v["locked_until"] = l
        .locked_until
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .into();
    v
}

/// `GET /api/users`: every user and their role (never a password hash).
async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require_to(Action::ManageUsers)?;
    let users = state.blocking(|s| Ok(s.users()?)).await?;
    Ok(Json(Value::Array(
        users.iter().map(|u| with_lock(&state, u)).collect(),
    )))
}

/// `POST /api/users/{name}/unlock`: forgets the name's failed logins, so a
/// locked user may log in at once.
async fn unlock(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require_to(Action::ManageUsers)?;
    let u = state.blocking(move |s| Ok(s.user(&name)?)).await?;
    state.guard.unlock(&u.name);
    Ok(Json(with_lock(&state, &u)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    name: String,
    role: String,
    password: String,
    /// The party member's code a secretary or member acts as.
    member: Option<String>,
}

/// `POST /api/users` with `{"name", "role", "password"}` (and `member`, a
/// party member's code, for a secretary or a member).
async fn add(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<NewUser>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require_to(Action::ManageUsers)?;
    let Json(b) = body?;
    let role: Role = b.role.parse()?;
    let permit = state.guard.hash_permit().await?;
    state
        .blocking(move |s| {
            let _hashing = permit;
            let u = s.add_user_as(&b.name, role, &b.password, b.member.as_deref())?;
            Ok((StatusCode::CREATED, Json(user_json(&u))))
        })
        .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Change {
    role: Option<String>,
    password: Option<String>,
    /// The party member's code, with a secretary's or member's role.
    member: Option<String>,
}

/// `PATCH /api/users/{name}` with a new `role` (and `member` for a
/// secretary or a member) and/or `password`.
async fn change(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    body: Result<Json<Change>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require_to(Action::ManageUsers)?;
    let Json(b) = body?;
    let role: Option<Role> = b.role.as_deref().map(str::parse).transpose()?;
    if role.is_none() && b.password.is_none() && b.member.is_none() {
        return Err(ApiError::Unprocessable(
            "invalid_input",
            "cần role, member hoặc password / give a role, a member or a password".into(),
        ));
    }
    // Only a new password is hashed: a role change waits for no permit.
    let permit = match b.password {
        Some(_) => Some(state.guard.hash_permit().await?),
        None => None,
    };
    state
        .blocking(move |s| {
            let _hashing = permit;
            // Check the user first: a password for nobody is not set.
            let before = s.user(&name)?;
            // the role and member before the password: a bad member changes nothing
            if role.is_some() || b.member.is_some() {
                s.set_role_as(&name, role.unwrap_or(before.role), b.member.as_deref())?;
            }
            if let Some(p) = &b.password {
                s.set_password(&name, p)?;
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
    caller.require_to(Action::ManageUsers)?;
    state
        .blocking(move |s| {
            s.remove_user(&name)?;
            Ok(StatusCode::NO_CONTENT)
        })
        .await
}
