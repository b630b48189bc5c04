//! User management for admins: `GET/POST /api/users`,
//! `PATCH/DELETE /api/users/{name}`, `POST /api/users/{name}/unlock`.
//! Changing a role or a password ends that user's sessions. The list shows
//! each user's failed logins and lockout (kept in memory, see
//! [`super::guard`]) and ward (`null`: province-level).
//!
//! A province-level admin manages every user; a ward's admin only that
//! ward's ([`crate::store::Store::users_managed_by`]): another ward's user
//! (or a province-level one) is 404 to them, and the users they add are
//! their ward's.

use super::auth::user_json;
use super::{ApiError, AppState, Caller};
use crate::store::{Action, Role, Store, User, WardId};
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

/// A user with their ward's code, failed logins and lockout (admin's view).
fn with_lock(state: &AppState, u: &(User, Option<String>)) -> Value {
    let (u, ward) = u;
    let mut v = user_json(u);
    v["ward"] = ward.clone().into();
    let l = state.guard.lock_state(&u.name);
    v["failed_logins"] = l.failures.into();
    v["locked_until"] = l
        .locked_until
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .into();
    v
}

/// The user with their ward's code.
fn with_ward(s: &Store, u: User) -> Result<(User, Option<String>), ApiError> {
    let code = match &u.ward {
        Some(w) => s
            .wards()?
            .into_iter()
            .find(|r| r.id.0 == w.0)
            .map(|r| r.code),
        None => None,
    };
    Ok((u, code))
}

/// The user as JSON with their ward's code.
fn json_with_ward(s: &Store, u: User) -> Result<Value, ApiError> {
    let (u, code) = with_ward(s, u)?;
    let mut v = user_json(&u);
    v["ward"] = code.into();
    Ok(v)
}

/// `GET /api/users`: every user the caller manages, with their role and
/// ward (never a password hash).
async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    let manager = caller.require_to(Action::ManageUsers)?.clone();
    let users = state
        .blocking(move |s| {
            let wards = s.wards()?;
            Ok(s.users_managed_by(&manager)?
                .into_iter()
                .map(|u| {
                    let code = u
                        .ward
                        .as_ref()
                        .and_then(|w| wards.iter().find(|r| r.id.0 == w.0))
                        .map(|r| r.code.clone());
                    (u, code)
                })
                .collect::<Vec<_>>())
        })
        .await?;
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
    let manager = caller.require_to(Action::ManageUsers)?.clone();
    let u = state
        .blocking(move |s| with_ward(s, s.managed_user(&manager, &name)?))
        .await?;
    state.guard.unlock(&u.0.name);
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
    /// The user's ward (its code), or `null` for a province-level user.
    #[serde(default, deserialize_with = "present")]
    ward: Option<Option<String>>,
}

/// A field given, even as `null` (`Some(None)`), told from one left out
/// (`None`, by `#[serde(default)]`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// The new user's ward: a ward admin's own, always; for a province-level
/// admin the one `ward` names (`null`: province-level), else the request's
/// ward for every role but admin (as the upgrade placed the ward's staff).
fn new_users_ward(
    s: &Store,
    manager: &User,
    role: Role,
    ward: Option<Option<String>>,
    in_a_ward: bool,
) -> Result<Option<WardId>, ApiError> {
    let named = match &ward {
        Some(Some(code)) => Some(
            s.wards()?
                .into_iter()
                .find(|w| &w.code == code)
                .map(|w| w.id)
                .ok_or_else(|| {
                    ApiError::Unprocessable(
                        "invalid_input",
                        format!("ward: không có phường/xã mã {code:?} / ward: no ward with code {code:?}"),
                    )
                })?,
        ),
        _ => None,
    };
    match (manager.ward, ward) {
        (Some(own), None) => Ok(Some(own)),
        (Some(own), Some(_)) if named.is_some_and(|w| w.0 == own.0) => Ok(Some(own)),
        (Some(_), Some(_)) => Err(ApiError::Unprocessable(
            "invalid_input",
            "ward: quản trị viên phường chỉ thêm người dùng của phường mình / ward: a ward's admin adds users of their own ward only".into(),
        )),
        (None, Some(_)) => Ok(named),
        (None, None) if role == Role::Admin => Ok(None),
        // asked under /w/{code}/, or the database's only ward
        (None, None) if in_a_ward || s.only_ward() => Ok(Some(s.ward_id())),
        // never a ward the province's admin did not choose
        (None, None) => Err(ApiError::Unprocessable(
            "invalid_input",
            "ward: cần chọn phường/xã của người dùng (mã phường, hoặc null cho cấp tỉnh) / ward: name the user's ward (a ward's code, or null for province-level)".into(),
        )),
    }
}

/// `POST /api/users` with `{"name", "role", "password"}` (and `member`, a
/// party member's code, for a secretary or a member; `ward`, a ward's code
/// or `null`, see [`new_users_ward`]).
async fn add(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<NewUser>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let manager = caller.require_to(Action::ManageUsers)?.clone();
    let Json(b) = body?;
    let role: Role = b.role.parse()?;
    let in_a_ward = super::wards::WARD.try_with(|_| ()).is_ok();
    let permit = state.guard.hash_permit().await?;
    state
        .blocking(move |s| {
            let _hashing = permit;
            let ward = new_users_ward(s, &manager, role, b.ward, in_a_ward)?;
            let u = s.add_user_as(&b.name, role, &b.password, b.member.as_deref(), ward)?;
            Ok((StatusCode::CREATED, Json(json_with_ward(s, u)?)))
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
    let manager = caller.require_to(Action::ManageUsers)?.clone();
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
            // Check the user first: a password for nobody (or for a user
            // of another ward than the admin's) is not set.
            let before = s.managed_user(&manager, &name)?;
            // the role and member before the password: a bad member changes nothing
            if role.is_some() || b.member.is_some() {
                s.set_role_as(&name, role.unwrap_or(before.role), b.member.as_deref())?;
            }
            if let Some(p) = &b.password {
                s.set_password(&name, p)?;
            }
            Ok(Json(json_with_ward(s, s.user(&name)?)?))
        })
        .await
}

/// `DELETE /api/users/{name}`: the events they entered keep their name.
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    let manager = caller.require_to(Action::ManageUsers)?.clone();
    state
        .blocking(move |s| {
            s.managed_user(&manager, &name)?;
            s.remove_user(&name)?;
            Ok(StatusCode::NO_CONTENT)
        })
        .await
}
