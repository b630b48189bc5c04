//! Users scoped to a ward (issue 18, item 2): `users.ward` is the ward a
//! user works in, `NULL` for a province-level user. A secretary or a
//! member needs a ward (their member code is that ward's); a ward's admin
//! manages that ward's users only.

use super::users::{member_for, user_row};
use super::{Result, Role, Store, StoreError, User, WardId, What};

impl Store {
    /// The users `manager` (an admin) manages, by name: every user for a
    /// province-level admin, their ward's own for a ward's admin.
    pub fn users_managed_by(&self, manager: &User) -> Result<Vec<User>> {
        let Some(w) = &manager.ward else {
            return self.users();
        };
        let mut st = self.conn.prepare(
            "SELECT id, name, role, member_code, ward FROM users WHERE ward = ?1 ORDER BY name",
        )?;
        let rows = st
            .query_map([w.0], user_row)?
            .collect::<Result<Vec<Result<User>>, _>>()?;
        rows.into_iter().collect()
    }

    /// The user `name` when `manager` (an admin) manages them
    /// ([`Store::users_managed_by`]); not found otherwise, as an unknown
    /// name is: a ward's admin learns nothing of other wards' users. The
    /// doors ask it before every change of a user.
    pub fn managed_user(&self, manager: &User, name: &str) -> Result<User> {
        let u = self.user(name)?;
        match (&manager.ward, &u.ward) {
            (None, _) => Ok(u),
            (Some(m), Some(w)) if m.0 == w.0 => Ok(u),
            _ => Err(StoreError::NotFound {
                what: What::User,
                id: name.to_string(),
            }),
        }
    }

    /// Moves a user to the ward `ward` (`None`: province-level) and ends
    /// their sessions; a secretary's or member's code must name a party
    /// member of the new ward, and they need one.
    pub fn set_user_ward(&mut self, name: &str, ward: Option<WardId>) -> Result<()> {
        let user = self.user(name)?;
        let ward = ward_for(&self.conn, user.role, ward)?;
        member_for(&self.conn, user.role, user.member_code.as_deref(), ward)?;
        let tx = self.write()?;
        if user.role == Role::Admin && user.ward.is_none() && ward.is_some() {
            super::users::last_admin_guard(&tx, name, true)?;
        }
        tx.execute("UPDATE users SET ward = ?1 WHERE id = ?2", (ward, user.id))?;
        tx.execute("DELETE FROM sessions WHERE user = ?1", [user.id])?;
        tx.commit()?;
        Ok(())
    }
}

/// The ward a user of `role` is stored with, as the column holds it: one
/// that exists; a secretary or a member needs one (their member code is the
/// ward's), the other roles may be province-level (`None`).
pub(super) fn ward_for(
    conn: &rusqlite::Connection,
    role: Role,
    ward: Option<WardId>,
) -> Result<Option<i64>> {
    match ward {
        None if role.scoped() => Err(StoreError::BadInput(format!(
            "ward: vai trò {role} cần một phường/xã (--ward) / ward: the role {role} needs a ward (--ward)"
        ))),
        None => Ok(None),
        Some(w) => {
            let known: bool = conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM wards WHERE id = ?1)",
                [w.0],
                |r| r.get(0),
            )?;
            if !known {
                return Err(StoreError::BadInput(format!(
                    "ward: không có phường/xã số {n} / ward: no ward {n}",
                    n = w.0
                )));
            }
            Ok(Some(w.0))
        }
    }
}
