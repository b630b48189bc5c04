//! Users (argon2 password hashes) and login sessions (only a SHA-256 of each
//! session token is stored).

use super::user_wards::ward_for;
use super::{Result, Store, StoreError, WardId, What};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rusqlite::OptionalExtension;
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// A user's place in the ward's organisation; what it may do is
/// [`Role::may`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Sees names and phones, records nothing.
    Viewer,
    /// Planning staff: records the campaign and keeps the maps.
    Editor,
    /// Manages users, and may do everything.
    Admin,
    /// Ban Thường vụ: all campaign data, plans, the annual evaluation, the
    /// organisation.
    Standing,
    /// Ủy ban Kiểm tra: inspections, and reads what it inspects.
    Inspection,
    /// Bí thư chi bộ: their cell's members and households (a party member's
    /// code ties the user to the cell).
    Secretary,
    /// Đảng viên: the households assigned to them only (the field worker).
    Member,
}

/// What a request asks to do; each door checks one with
/// `Caller::require_to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Names and phones: any logged-in user.
    ReadNames,
    /// Political and persuasion data: party-member flags, assignments,
    /// contacts, grievances, notes.
    ReadSensitive,
    /// Records the campaign: events, contacts, records, structures, frozen
    /// reports.
    Record,
    /// Sets plans, targets and milestones.
    Plan,
    /// Records inspections and their follow-up.
    Inspect,
    /// Reads inspections, their findings and the proposals whom to inspect.
    ReadInspections,
    /// Edits, previews and freezes reports (the party office).
    Report,
    /// Decides the annual evaluation.
    Evaluate,
    /// Edits cells, members, leads and assignments.
    EditOrg,
    /// Adds, changes and removes users.
    ManageUsers,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Viewer,
        Role::Editor,
        Role::Admin,
        Role::Standing,
        Role::Inspection,
        Role::Secretary,
        Role::Member,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
            Role::Standing => "standing",
            Role::Inspection => "inspection",
            Role::Secretary => "secretary",
            Role::Member => "member",
        }
    }

    /// Whether the role acts for one party member (and so needs their code):
    /// its reach is a scope (a cell, the assigned households), not the ward.
    pub fn scoped(self) -> bool {
        matches!(self, Role::Secretary | Role::Member)
    }

    /// Whether the role may do `action` at all (a scoped role may still be
    /// refused for a household outside its scope).
    pub fn may(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Admin => true,
            Role::Viewer => matches!(action, ReadNames),
            Role::Editor => matches!(
                action,
                ReadNames | ReadSensitive | Record | Report | Plan | EditOrg
            ),
            Role::Standing => matches!(
                action,
                ReadNames | ReadSensitive | Report | Plan | Evaluate | EditOrg | ReadInspections
            ),
            Role::Inspection => {
                matches!(
                    action,
                    ReadNames | ReadSensitive | Inspect | ReadInspections
                )
            }
            // within their cell
            Role::Secretary => {
                matches!(action, ReadNames | ReadSensitive | Record | Plan | EditOrg)
            }
            // within the households assigned to them
            Role::Member => matches!(action, ReadNames | ReadSensitive | Record),
        }
    }

    /// Whether the role may write anything (checked before a write's body
    /// is read).
    pub fn writes(self) -> bool {
        self != Role::Viewer
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Role> {
        match s {
            "viewer" => Ok(Role::Viewer),
            "editor" => Ok(Role::Editor),
            "admin" => Ok(Role::Admin),
            "standing" => Ok(Role::Standing),
            "inspection" => Ok(Role::Inspection),
            "secretary" => Ok(Role::Secretary),
            "member" => Ok(Role::Member),
            _ => Err(StoreError::BadInput(format!(
                "vai trò không hợp lệ: {s:?} / unknown role {s:?} ({})",
                Role::ALL.map(Role::as_str).join(", ")
            ))),
        }
    }
}

/// A user as the rest of hiendat sees it (never the hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// The party member (`party_members.code`) a secretary or member acts
    /// as; `None` for the other roles.
    pub member_code: Option<String>,
    /// The ward the user works in: their role holds there only (a
    /// secretary's or member's code is that ward's); `None` for a
    /// province-level user, who reaches every ward.
    pub ward: Option<WardId>,
}

fn timestamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The fewest characters a password may have.
pub const PASSWORD_MIN_CHARS: usize = 10;

/// The password policy of [`Store::add_user`] and [`Store::set_password`]:
/// at least [`PASSWORD_MIN_CHARS`] characters.
fn password_policy(password: &str) -> Result<()> {
    let n = password.chars().count();
    if n < PASSWORD_MIN_CHARS {
        return Err(StoreError::BadInput(format!(
            "mật khẩu quá ngắn ({n} ký tự), cần ít nhất {PASSWORD_MIN_CHARS} ký tự / password too short ({n} characters), at least {PASSWORD_MIN_CHARS} needed"
        )));
    }
    Ok(())
}

fn hash_password(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Corrupt(format!("argon2: {e}")))
}

impl Store {
    /// Adds a province-level user (no ward: every ward, choosing one by the
    /// URL) with an argon2 hash of `password`; a name already taken is a
    /// [`StoreError::Conflict`].
    pub fn add_user(&mut self, name: &str, role: Role, password: &str) -> Result<User> {
        self.add_user_as(name, role, password, None, None)
    }

    /// [`Store::add_user`] of the ward `ward` (`None`: province-level),
    /// acting as the party member `member` (a code of that ward's): both
    /// required for a secretary or a member, the member refused for the
    /// other roles.
    pub fn add_user_as(
        &mut self,
        name: &str,
        role: Role,
        password: &str,
        member: Option<&str>,
        ward: Option<WardId>,
    ) -> Result<User> {
        let ward = ward_for(&self.conn, role, ward)?;
        let member = member_for(&self.conn, role, member, ward)?;
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::BadInput(
                "tên người dùng trống / empty user name".into(),
            ));
        }
        password_policy(password)?;
        let taken: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM users WHERE name = ?1)",
            [name],
            |r| r.get(0),
        )?;
        if taken {
            return Err(StoreError::Conflict(format!(
                "người dùng {name:?} đã có / user {name:?} already exists"
            )));
        }
        let hash = hash_password(password)?;
        self.conn.execute(
            "INSERT INTO users (name, role, password_hash, member_code, ward) VALUES (?1, ?2, ?3, ?4, ?5)",
            (name, role.as_str(), hash, &member, ward),
        )?;
        self.user(name)
    }

    /// The user if `password` is theirs; `None` for an unknown name or a
    /// wrong password alike.
    pub fn verify(&self, name: &str, password: &str) -> Result<Option<User>> {
        let row: Option<(Result<User>, String)> = self
            .conn
            .query_row(
                "SELECT id, name, role, member_code, ward, password_hash FROM users WHERE name = ?1",
                [name.trim()],
                |r| Ok((user_row(r)?, r.get(5)?)),
            )
            .optional()?;
        let Some((user, hash)) = row else {
            return Ok(None);
        };
        let user = user?;
        let parsed = PasswordHash::new(&hash)
            .map_err(|e| StoreError::Corrupt(format!("user {}: password hash: {e}", user.id)))?;
        if Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_err()
        {
            return Ok(None);
        }
        Ok(Some(user))
    }

    /// Opens a session for `user` lasting `ttl` and returns its token (32
    /// random bytes, hex); only the token's hash is stored.
    pub fn create_session(&mut self, user: &User, ttl: Duration) -> Result<String> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| StoreError::Corrupt(format!("no randomness: {e}")))?;
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let now = crate::campaign::clock::now();
        self.conn.execute(
            "DELETE FROM sessions WHERE expires_at < ?1",
            [timestamp(&now)],
        )?;
        self.conn.execute(
            "INSERT INTO sessions (token_hash, user, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
            (
                token_hash(&token),
                user.id,
                timestamp(&now),
                timestamp(&(now + ttl)),
            ),
        )?;
        Ok(token)
    }

    /// The user of a session that has not expired.
    pub fn session_user(&self, token: &str) -> Result<Option<User>> {
        self.conn
            .query_row(
                "SELECT u.id, u.name, u.role, u.member_code, u.ward FROM sessions s JOIN users u ON u.id = s.user
                 WHERE s.token_hash = ?1 AND s.expires_at > ?2",
                (token_hash(token), timestamp(&crate::campaign::clock::now())),
                user_row,
            )
            .optional()?
            .transpose()
    }

    /// Ends a session (nothing happens for an unknown token).
    pub fn end_session(&mut self, token: &str) -> Result<()> {
        self.conn.execute(
            "DELETE FROM sessions WHERE token_hash = ?1",
            [token_hash(token)],
        )?;
        Ok(())
    }

    /// Replaces a user's password (and ends their sessions).
    pub fn set_password(&mut self, name: &str, password: &str) -> Result<()> {
        password_policy(password)?;
        let user = self.user(name)?;
        let hash = hash_password(password)?;
        let tx = self.write()?;
        tx.execute(
            "UPDATE users SET password_hash = ?1 WHERE id = ?2",
            (hash, user.id),
        )?;
        tx.execute("DELETE FROM sessions WHERE user = ?1", [user.id])?;
        tx.commit()?;
        Ok(())
    }

    /// Every user, by name.
    pub fn users(&self) -> Result<Vec<User>> {
        let mut st = self
            .conn
            .prepare("SELECT id, name, role, member_code, ward FROM users ORDER BY name")?;
        let rows = st
            .query_map([], user_row)?
            .collect::<Result<Vec<Result<User>>, _>>()?;
        rows.into_iter().collect()
    }

    /// Gives a user another role (and ends their sessions, so the new role
    /// holds from their next login). The last admin keeps the role.
    pub fn set_role(&mut self, name: &str, role: Role) -> Result<()> {
        self.set_role_as(name, role, None)
    }

    /// [`Store::set_role`] acting as the party member `member` (a code of
    /// the user's ward): required for a secretary or a member (who also
    /// need a ward), refused for the other roles. The user's ward stays.
    pub fn set_role_as(&mut self, name: &str, role: Role, member: Option<&str>) -> Result<()> {
        let user = self.user(name)?;
        let ward = ward_for(&self.conn, role, user.ward)?;
        let member = member_for(&self.conn, role, member, ward)?;
        let tx = self.write()?;
        if user.role == Role::Admin && role != Role::Admin {
            last_admin_guard(&tx, name, user.ward.is_none())?;
        }
        tx.execute(
            "UPDATE users SET role = ?1, member_code = ?3 WHERE id = ?2",
            (role.as_str(), user.id, &member),
        )?;
        tx.execute("DELETE FROM sessions WHERE user = ?1", [user.id])?;
        tx.commit()?;
        Ok(())
    }

    /// Removes a user and their sessions; the events they entered keep
    /// their name. The last admin cannot be removed.
    pub fn remove_user(&mut self, name: &str) -> Result<()> {
        let user = self.user(name)?;
        let tx = self.write()?;
        if user.role == Role::Admin {
            last_admin_guard(&tx, name, user.ward.is_none())?;
        }
        tx.execute("DELETE FROM sessions WHERE user = ?1", [user.id])?;
        // a later user may get the same row id: never their answers
        tx.execute("DELETE FROM idempotency_keys WHERE user = ?1", [user.id])?;
        tx.execute("DELETE FROM users WHERE id = ?1", [user.id])?;
        tx.commit()?;
        Ok(())
    }

    /// A user by name.
    pub fn user(&self, name: &str) -> Result<User> {
        self.conn
            .query_row(
                "SELECT id, name, role, member_code, ward FROM users WHERE name = ?1",
                [name],
                user_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: What::User,
                id: name.to_string(),
            })?
    }
}

/// A user from `id, name, role, member_code, ward`.
pub(super) fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<User>> {
    let (id, name, role, member_code, ward): (i64, String, String, Option<String>, Option<i64>) =
        (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
    Ok(role.parse().map(|role| User {
        id,
        name,
        role,
        member_code,
        ward: ward.map(WardId),
    }))
}

/// The member code a user of `role` in `ward` is stored with: a secretary
/// or a member needs the code of an existing party member of their ward,
/// the other roles none.
pub(super) fn member_for(
    conn: &rusqlite::Connection,
    role: Role,
    member: Option<&str>,
    ward: Option<i64>,
) -> Result<Option<String>> {
    let member = member.map(str::trim).filter(|m| !m.is_empty());
    match (role.scoped(), member) {
        (false, None) => Ok(None),
        (false, Some(_)) => Err(StoreError::BadInput(format!(
            "member: vai trò {role} không gắn với đảng viên nào / member: the role {role} is not tied to a party member"
        ))),
        (true, None) => Err(StoreError::BadInput(format!(
            "member: vai trò {role} cần mã đảng viên (member) / member: the role {role} needs a party member's code"
        ))),
        (true, Some(code)) => {
            let known: bool = conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM party_members WHERE code = ?1 AND ward IS ?2)",
                (code, ward),
                |r| r.get(0),
            )?;
            if !known {
                return Err(StoreError::BadInput(format!(
                    "member: không có đảng viên mã {code:?} / member: no party member with code {code:?}"
                )));
            }
            Ok(Some(code.to_string()))
        }
    }
}

/// Refuses to take away the admin `name` when no other admin is left: for
/// a province-level admin, no other province-level one (a ward's admin
/// cannot manage the province's users, nor another ward's).
pub(super) fn last_admin_guard(
    conn: &rusqlite::Connection,
    name: &str,
    province_level: bool,
) -> Result<()> {
    let others: i64 = conn.query_row(
        "SELECT count(*) FROM users WHERE role = 'admin' AND name <> ?1 AND (ward IS NULL OR NOT ?2)",
        (name, province_level),
        |r| r.get(0),
    )?;
    if others == 0 {
        return Err(StoreError::Conflict(format!(
            "{name:?} là quản trị viên cuối cùng / {name:?} is the last admin"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_logs_in_with_their_password_only() {
        let mut s = Store::open_in_memory().unwrap();
        let u = s.add_user("lan", Role::Editor, "mật khẩu của Lan").unwrap();
        assert_eq!(
            s.verify("lan", "mật khẩu của Lan").unwrap(),
            Some(u.clone())
        );
        assert_eq!(s.verify("lan", "sai").unwrap(), None);
        assert_eq!(s.verify("ai", "mật khẩu của Lan").unwrap(), None);
        assert!(matches!(
            s.add_user("lan", Role::Viewer, "mật khẩu khác"),
            Err(StoreError::Conflict(_))
        ));
        let token = s.create_session(&u, Duration::hours(1)).unwrap();
        assert_eq!(s.session_user(&token).unwrap(), Some(u));
        s.end_session(&token).unwrap();
        assert_eq!(s.session_user(&token).unwrap(), None);
    }

    #[test]
    fn a_password_has_at_least_ten_characters() {
        let mut s = Store::open_in_memory().unwrap();
        for short in ["", "x", "mật khẩu!"] {
            let Err(StoreError::BadInput(m)) = s.add_user("lan", Role::Viewer, short) else {
                panic!("{short:?} accepted")
            };
            assert!(
                m.contains("mật khẩu quá ngắn") && m.contains("at least 10"),
                "{m}"
            );
        }
        // ten characters, not ten bytes
        s.add_user("lan", Role::Viewer, "mật khẩu ơi").unwrap();
        assert!(matches!(
            s.set_password("lan", "ngắn"),
            Err(StoreError::BadInput(_))
        ));
        s.set_password("lan", "0123456789").unwrap();
        assert!(s.verify("lan", "0123456789").unwrap().is_some());
    }

    #[test]
    fn each_role_may_do_its_part_only() {
        use Action::*;
        let may = |r: Role| {
            [
                ReadNames,
                ReadSensitive,
                Record,
                Report,
                Plan,
                Inspect,
                Evaluate,
                EditOrg,
                ManageUsers,
            ]
            .into_iter()
            .filter(|a| r.may(*a))
            .count()
        };
        assert_eq!(may(Role::Admin), 9);
        assert!(Role::Viewer.may(ReadNames) && !Role::Viewer.may(ReadSensitive));
        assert!(!Role::Viewer.writes());
        assert!(Role::Inspection.may(Inspect) && !Role::Inspection.may(Record));
        assert!(!Role::Inspection.may(Evaluate) && !Role::Editor.may(Inspect));
        assert!(Role::Standing.may(Evaluate) && !Role::Standing.may(Record));
        assert!(!Role::Editor.may(Evaluate) && !Role::Standing.may(ManageUsers));
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
    }

    #[test]
    fn inspections_are_read_by_the_inspection_and_standing_committees_and_admins_only() {
        let readers: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.may(Action::ReadInspections))
            .collect();
        assert_eq!(readers, [Role::Admin, Role::Standing, Role::Inspection]);
        assert!(!Role::Standing.may(Action::Inspect));
    }

    #[test]
    fn the_new_roles_are_stored_and_an_upgraded_file_keeps_its_users_and_sessions() {
        let mut s = Store::open_in_memory().unwrap();
        let u = s
            .add_user("kiểm tra", Role::Inspection, "mật khẩu dài")
            .unwrap();
        let token = s.create_session(&u, Duration::hours(1)).unwrap();
        assert_eq!(
            s.session_user(&token).unwrap().unwrap().role,
            Role::Inspection
        );
        s.set_role("kiểm tra", Role::Standing).unwrap();
        assert_eq!(s.user("kiểm tra").unwrap().role, Role::Standing);

        // A schema 8 file with a user logged in: the rebuilt table keeps
        // both, foreign keys on.
        let dir = std::env::temp_dir().join(format!("hiendat-roles-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("v8.db");
        let _ = std::fs::remove_file(&path);
        let token = {
            let mut old = Store::open_in_memory().unwrap();
            let lan = old.add_user("lan", Role::Editor, "mật khẩu dài").unwrap();
            let token = old.create_session(&lan, Duration::hours(1)).unwrap();
            let c = rusqlite::Connection::open(&path).unwrap();
            c.pragma_update(None, "foreign_keys", true).unwrap();
            for sql in &super::super::MIGRATIONS[..8] {
                c.execute_batch(sql).unwrap();
            }
            c.pragma_update(None, "user_version", 8).unwrap();
            let (hash, session): (String, (String, String, String)) = (
                old.conn
                    .query_row("SELECT password_hash FROM users", [], |r| r.get(0))
                    .unwrap(),
                old.conn
                    .query_row(
                        "SELECT token_hash, created_at, expires_at FROM sessions",
                        [],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .unwrap(),
            );
            c.execute(
                "INSERT INTO users (id, name, role, password_hash) VALUES (7, 'lan', 'editor', ?1)",
                [hash],
            )
            .unwrap();
            c.execute(
                "INSERT INTO sessions VALUES (?1, 7, ?2, ?3)",
                (session.0, session.1, session.2),
            )
            .unwrap();
            token
        };
        let upgraded = Store::open(&path).unwrap();
        assert_eq!(
            upgraded.schema_version().unwrap(),
            super::super::SCHEMA_VERSION
        );
        let lan = upgraded
            .session_user(&token)
            .unwrap()
            .expect("still logged in");
        assert_eq!(
            (lan.id, lan.name.as_str(), lan.role),
            (7, "lan", Role::Editor)
        );
        assert!(upgraded.verify("lan", "mật khẩu dài").unwrap().is_some());
        let fk: i64 = upgraded
            .conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(fk, 0);
        drop(upgraded);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_secretary_or_member_needs_an_existing_party_members_code_and_others_none() {
        let mut s = Store::open_in_memory().unwrap();
        s.conn
            .execute_batch(
                "INSERT INTO party_cells (id, ward, code, name) VALUES (1, 1, 'CB01', 'Chi bộ 1');
                 INSERT INTO party_members (ward, code, name, cell) VALUES (1, 'DV001', 'Lê Văn A', 1);",
            )
            .unwrap();
        for (role, member) in [
            (Role::Member, None),
            (Role::Secretary, Some("  ")),
            (Role::Member, Some("DV999")),
            (Role::Editor, Some("DV001")),
        ] {
            let Err(StoreError::BadInput(m)) =
                s.add_user_as("an", role, "mật khẩu dài", member, Some(WardId(1)))
            else {
                panic!("{role} {member:?} accepted")
            };
            assert!(m.starts_with("member: "), "{m}");
        }
        assert!(s.users().unwrap().is_empty(), "nothing written");
        let u = s
            .add_user_as(
                "an",
                Role::Member,
                "mật khẩu dài",
                Some(" DV001 "),
                Some(WardId(1)),
            )
            .unwrap();
        assert_eq!(u.member_code.as_deref(), Some("DV001"));
        assert_eq!(s.user("an").unwrap(), u);
        let token = s.create_session(&u, Duration::hours(1)).unwrap();
        assert_eq!(s.session_user(&token).unwrap(), Some(u.clone()));
        assert_eq!(s.verify("an", "mật khẩu dài").unwrap(), Some(u));
        // a change to a role without a member drops the code; back needs one
        s.set_role("an", Role::Viewer).unwrap();
        assert_eq!(s.user("an").unwrap().member_code, None);
        assert!(matches!(
            s.set_role("an", Role::Secretary),
            Err(StoreError::BadInput(_))
        ));
        assert_eq!(s.user("an").unwrap().role, Role::Viewer, "unchanged");
        s.set_role_as("an", Role::Secretary, Some("DV001")).unwrap();
        let an = s.user("an").unwrap();
        assert_eq!(
            (an.role, an.member_code.as_deref()),
            (Role::Secretary, Some("DV001"))
        );
    }

    #[test]
    fn secretaries_and_members_record_but_neither_report_nor_evaluate() {
        use Action::*;
        for r in [Role::Secretary, Role::Member] {
            assert!(r.scoped() && r.writes());
            assert!(r.may(ReadNames) && r.may(ReadSensitive) && r.may(Record));
            assert!(!r.may(Report) && !r.may(Evaluate) && !r.may(Inspect) && !r.may(ManageUsers));
        }
        assert!(Role::Secretary.may(Plan) && Role::Secretary.may(EditOrg));
        assert!(!Role::Member.may(Plan) && !Role::Member.may(EditOrg));
        assert!(Role::ALL.iter().filter(|r| r.scoped()).count() == 2);
    }

    #[test]
    fn an_expired_session_has_no_user() {
        let mut s = Store::open_in_memory().unwrap();
        let u = s.add_user("lan", Role::Viewer, "mật khẩu dài").unwrap();
        let token = s.create_session(&u, Duration::seconds(-1)).unwrap();
        assert_eq!(s.session_user(&token).unwrap(), None);
    }

    #[test]
    fn roles_change_users_go_and_the_last_admin_stays() {
        let mut s = Store::open_in_memory().unwrap();
        let admin = s.add_user("an", Role::Admin, "mật khẩu dài").unwrap();
        let lan = s.add_user("lan", Role::Viewer, "mật khẩu dài").unwrap();
        let token = s.create_session(&lan, Duration::hours(1)).unwrap();
        s.set_role("lan", Role::Editor).unwrap();
        assert_eq!(s.user("lan").unwrap().role, Role::Editor);
        assert_eq!(s.session_user(&token).unwrap(), None, "logged out");
        assert!(matches!(
            s.set_role("an", Role::Editor),
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(s.remove_user("an"), Err(StoreError::Conflict(_))));
        s.set_role("lan", Role::Admin).unwrap();
        s.set_role("an", Role::Viewer).unwrap();
        let an = s.user("an").unwrap().id;
        let answer = crate::store::Stored {
            fingerprint: "f".into(),
            status: 201,
            content_type: None,
            etag: None,
            body: b"{}".to_vec(),
        };
        s.keep_idempotent(an, "k1", &answer).unwrap();
        s.remove_user("an").unwrap();
        assert!(
            s.idempotent(an, "k1").unwrap().is_none(),
            "a later user with the same row id never gets their answers"
        );
        let names: Vec<String> = s.users().unwrap().into_iter().map(|u| u.name).collect();
        assert_eq!(names, ["lan"]);
        assert!(matches!(
            s.remove_user("an"),
            Err(StoreError::NotFound { .. })
        ));
        let _ = admin;
    }
}
