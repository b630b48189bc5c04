//! Login sessions: an HttpOnly, SameSite=Strict cookie holding a random
//! token; the store keeps only its hash.

use super::guard::ClientIp;
use super::{ApiError, AppState};
use crate::campaign::events::Audience;
use crate::campaign::scope::Scope;
use crate::store::{Action, Role, Store, StoreError, User};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::Extension;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequestParts, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::sync::OnceLock;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "hiendat_session";

/// How long a session lasts.
const SESSION_HOURS: i64 = 12;

/// Who is calling: a logged-in user, or `None` for an anonymous visitor.
#[derive(Debug, Clone)]
pub struct Caller(pub Option<User>);

impl Caller {
    /// Whether personal data (names, phones, notes) may be shown.
    pub fn sees_names(&self) -> bool {
        self.0.is_some()
    }

    /// Whom the answer's statuses are for: any logged-in role sees each
    /// household's step; anonymous visitors the public one, where declined
    /// and being persuaded read "chưa hiến" ([`Audience`]).
    pub fn audience(&self) -> Audience {
        if self.0.is_some() {
            Audience::Staff
        } else {
            Audience::Public
        }
    }

    /// The user, when their role may see political and persuasion data
    /// (party-member flags, assignments, contacts, grievances, notes).
    pub fn sees_sensitive(&self) -> Option<&User> {
        self.0
            .as_ref()
            .filter(|u| u.role.may(Action::ReadSensitive))
    }

    /// The user, if their role may do `action`: 401 when anonymous, 403
    /// when the role may not.
    pub fn require_to(&self, action: Action) -> Result<&User, ApiError> {
        match &self.0 {
            None => Err(ApiError::Unauthorized),
            Some(u) if u.role.may(action) => Ok(u),
            Some(_) => Err(ApiError::Forbidden),
        }
    }
}

/// What a caller may read of one household ([`Caller::on_parcel`]).
#[derive(Debug, Clone)]
pub(super) struct HouseholdView {
    /// Names, phones, paperwork.
    pub names: bool,
    /// Political and persuasion data, for this user (whose read is logged).
    pub sensitive: Option<User>,
    /// How its status reads.
    pub audience: Audience,
}

/// The 403 for a household outside the caller's scope.
fn out_of_scope(what: &str) -> ApiError {
    ApiError::OutOfScope(format!(
        "{what} ngoài phạm vi phụ trách của bạn (chi bộ, hộ được phân công) / {what} is outside your scope (your cell, your assigned households)"
    ))
}

impl Caller {
    /// The caller's reach among the households today: `None` for an
    /// anonymous visitor (who reads no household by name).
    pub(super) fn scope(&self, s: &Store) -> Result<Option<Scope>, ApiError> {
        match &self.0 {
            None => Ok(None),
            Some(u) => Ok(Some(s.scope_of(u, crate::campaign::clock::today())?)),
        }
    }

    /// Whether the caller's role is scoped (a secretary, a member): it reads
    /// no ward-wide list of names (the sensitive report cuts, exports with
    /// owners, the summaries' member lists).
    pub(super) fn scoped(&self) -> bool {
        self.0.as_ref().is_some_and(|u| u.role.scoped())
    }

    /// [`Caller::sees_sensitive`] for ward-wide data: `None` for a scoped role.
    pub(super) fn sees_sensitive_ward(&self) -> Option<&User> {
        self.sees_sensitive().filter(|u| !u.role.scoped())
    }

    /// A ward-wide read of names: 403 for a scoped role.
    pub(super) fn require_ward(&self, what: &str) -> Result<(), ApiError> {
        if self.scoped() {
            return Err(ApiError::OutOfScope(format!(
                "{what}: cả phường, ngoài phạm vi phụ trách của bạn / {what}: the whole ward, outside your scope"
            )));
        }
        Ok(())
    }

    /// What the caller may read of the household of the parcel `key` within
    /// `scope` ([`Caller::scope`]): outside it, a household reads as it
    /// does to an anonymous visitor (the public status, no names).
    pub(super) fn view_of(&self, scope: Option<&Scope>, key: i64) -> HouseholdView {
        let inside = scope.is_some_and(|sc| sc.covers(key));
        HouseholdView {
            names: inside && self.sees_names(),
            sensitive: self.sees_sensitive().filter(|_| inside).cloned(),
            audience: if inside {
                Audience::Staff
            } else {
                Audience::Public
            },
        }
    }

    /// [`Caller::view_of`] the parcel `key`, the scope read for it.
    pub(super) fn on_parcel(&self, s: &Store, key: i64) -> Result<HouseholdView, ApiError> {
        let scope = self.scope(s)?;
        Ok(self.view_of(scope.as_ref(), key))
    }

    /// The user, if their role may do `action` on the household of the
    /// parcel `id` (as the files name it): 401 anonymous, 403 when the role
    /// may not, 403 `out_of_scope` outside a secretary's cell or a member's
    /// assigned households, 404 for no such parcel. Handlers of writes on a
    /// household (and any other door: plans, org) call it before writing.
    pub fn require_on_parcel(&self, s: &Store, action: Action, id: &str) -> Result<User, ApiError> {
        let user = self.require_to(action)?.clone();
        if user.role.scoped() {
            let key = s.parcel_row_id(id)?;
            if !s
                .scope_of(&user, crate::campaign::clock::today())?
                .covers(key)
            {
                return Err(out_of_scope(&format!("thửa {id} / parcel {id}")));
            }
        }
        Ok(user)
    }

    /// The user, if their role may do `action` on the party cell `cell` (a
    /// code) as a whole: a secretary on their own cell only, a member on
    /// none (403 `out_of_scope`), the ward's roles on any.
    pub fn require_on_cell(&self, s: &Store, action: Action, cell: &str) -> Result<User, ApiError> {
        let user = self.require_to(action)?.clone();
        if user.role.scoped()
            && !s
                .scope_of(&user, crate::campaign::clock::today())?
                .covers_cell(cell)
        {
            return Err(out_of_scope(&format!("chi bộ {cell} / cell {cell}")));
        }
        Ok(user)
    }
}

/// What `role` may do, by [`Action`] name (for `GET /api/me`).
fn actions(role: Role) -> Vec<&'static str> {
    use Action::*;
    [
        (ReadNames, "read_names"),
        (ReadSensitive, "read_sensitive"),
        (Record, "record"),
        (Report, "report"),
        (Plan, "plan"),
        (Inspect, "inspect"),
        (Evaluate, "evaluate"),
        (EditOrg, "edit_org"),
        (ManageUsers, "manage_users"),
    ]
    .into_iter()
    .filter(|(a, _)| role.may(*a))
    .map(|(_, n)| n)
    .collect()
}

pub(super) fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

impl Caller {
    /// The caller of a request with these headers (its session cookie).
    pub(super) async fn of(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
        let Some(token) = session_token(headers) else {
            return Ok(Caller(None));
        };
        let user = state.blocking(move |s| Ok(s.session_user(&token)?)).await?;
        Ok(Caller(user))
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    /// The caller [`super::guard`] found already (writes, limited reads),
    /// else read from the session cookie.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        if let Some(c) = parts.extensions.get::<Caller>() {
            return Ok(c.clone());
        }
        Caller::of(state, &parts.headers).await
    }
}

/// An argon2 hash of nothing anyone knows, with the parameters of the
/// stored ones: an unknown name is verified against it, so that it costs
/// the time a known one does and the answer's time does not tell names.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        let mut bytes = [0u8; 16];
        let _ = getrandom::fill(&mut bytes);
        Argon2::default()
            .hash_password(&bytes)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// The work of a password check for a name that does not exist.
fn verify_nobody(password: &str) {
    if let Ok(parsed) = PasswordHash::new(dummy_hash()) {
        let _ = Argon2::default().verify_password(password.as_bytes(), &parsed);
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    name: String,
    password: String,
}

/// The session cookie; `Secure` when the request reached a TLS proxy in
/// front of hiendat (`X-Forwarded-Proto: https`), which is how an office
/// serves it beyond localhost.
fn cookie(token: &str, max_age: i64, headers: &HeaderMap) -> String {
    let https = headers
        .get("x-forwarded-proto")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let secure = if https { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}"
    )
}

/// The session routes.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/login", post(login))
        .route("/api/logout", post(logout))
        .route("/api/me", get(me))
}

pub(super) fn user_json(u: &User) -> serde_json::Value {
    json!({ "name": u.name, "role": u.role.as_str(), "member": u.member_code })
}

/// `POST /api/login` with `{"name", "password"}`: sets the session cookie.
/// Limited per name and per client, hashed on a bounded pool ([`super::guard`]).
async fn login(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    body: Result<Json<Login>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(login) = body?;
    let name = login.name.trim().to_string();
    state.guard.login_allowed(ip, &name)?;
    let permit = state.guard.hash_permit().await?;
    let checked = state
        .blocking(move |s| {
            let _hashing = permit;
            let user = match s.user(login.name.trim()) {
                Ok(_) => s.verify(&login.name, &login.password)?,
                Err(StoreError::NotFound { .. }) => {
                    verify_nobody(&login.password);
                    None
                }
                Err(e) => return Err(e.into()),
            };
            let user = user.ok_or(ApiError::BadLogin)?;
            let token = s.create_session(&user, chrono::Duration::hours(SESSION_HOURS))?;
            Ok((user, token))
        })
        .await;
    let (user, token) = match checked {
        Err(ApiError::BadLogin) => {
            state.guard.login_failed(ip, &name);
            return Err(ApiError::BadLogin);
        }
        other => other?,
    };
    state.guard.login_succeeded(ip, &name);
    Ok((
        [(SET_COOKIE, cookie(&token, SESSION_HOURS * 3600, &headers))],
        Json(user_json(&user)),
    )
        .into_response())
}

/// `POST /api/logout`: ends the session and clears the cookie, and has the
/// browser forget what the field page kept on the device (households,
/// phones, visits, the unsent queue: `Clear-Site-Data: "storage"` drops the
/// caches, IndexedDB and the service worker), whichever page logs out.
async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = session_token(&headers) {
        state.blocking(move |s| Ok(s.end_session(&token)?)).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [
            (SET_COOKIE, cookie("", 0, &headers)),
            (
                HeaderName::from_static("clear-site-data"),
                "\"storage\"".to_string(),
            ),
        ],
    )
        .into_response())
}

/// `GET /api/me`: the logged-in user, or `null`; with their `ward`
/// (`{code, name, url}`, `null` for a province-level user), what their role may
/// do (`actions`) and how far it reaches (`scope`: `ward`, or a secretary's
/// `cell` and a member's `assigned` households, with their parcels' ids).
async fn me(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Some(user) = caller.0.clone() else {
        return Ok(Json(json!({ "user": null })));
    };
    let mut u = user_json(&user);
    u["actions"] = json!(actions(user.role));
    let of = user.ward;
    // the user's ward (`null`: province-level, every ward)
    u["ward"] = state
        .blocking(move |s| {
            Ok(match of {
                Some(w) => s
                    .wards()?
                    .into_iter()
                    .find(|x| x.id == w)
                    .map_or(serde_json::Value::Null, |x| {
                        json!({ "code": x.code, "name": x.name, "url": super::wards::ward_url(&x.code) })
                    }),
                None => serde_json::Value::Null,
            })
        })
        .await?;
    u["scope"] = state
        .blocking(move |s| {
            let scope = s.scope_of(&user, crate::campaign::clock::today())?;
            let parcels = match scope.parcels() {
                Some(keys) => Some(
                    s.parcel_ids_of(&keys)?
                        .iter()
                        .map(super::params::id_json)
                        .collect::<Vec<_>>(),
                ),
                None => None,
            };
            let (cell, member) = match &scope {
                Scope::Ward => (None, None),
                Scope::Cell { cell, .. } => (Some(cell.clone()), None),
                Scope::Assigned { member, cell, .. } => (Some(cell.clone()), Some(member.clone())),
            };
            Ok(json!({ "kind": scope.kind(), "cell": cell, "member": member, "parcels": parcels }))
        })
        .await?;
    Ok(Json(json!({ "user": u })))
}
