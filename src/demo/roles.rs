//! The demo ward's scoped users, so that the roles can be tried at once: a
//! cell secretary (`bithu`, the secretary of the first cell) and a party
//! member (`dangvien`, the member with the most households assigned today).
//! `hiendat serve` on the demo ward gives each a fresh password and prints
//! it, as it does the demo admin's. Both are users of the store's current
//! ward (the demo's): a scoped role acts for one ward's party member.

use crate::store::{Result, Role, Store};
use chrono::NaiveDate;
use std::collections::HashMap;

/// Login name of the demo cell secretary.
pub const SECRETARY_USER: &str = "bithu";
/// Login name of the demo party member.
pub const MEMBER_USER: &str = "dangvien";

/// The demo's scoped users: login name, role and the party member's code
/// (none when the ward has no such member).
pub fn scoped_users(store: &Store, today: NaiveDate) -> Result<Vec<(&'static str, Role, String)>> {
    let members = store.members()?;
    let mut out = Vec::new();
    if let Some(m) = members
        .iter()
        .find(|m| m.role.as_deref() == Some("Bí thư chi bộ"))
    {
        out.push((SECRETARY_USER, Role::Secretary, m.code.clone()));
    }
    let mut assigned: HashMap<&str, usize> = HashMap::new();
    let assignments = store.assignments(None)?;
    for a in assignments.iter().filter(|a| a.holds_on(today)) {
        *assigned.entry(a.member_code.as_str()).or_default() += 1;
    }
    // the most households, the first code on a tie
    if let Some(m) = members
        .iter()
        .filter(|m| m.role.as_deref() != Some("Bí thư chi bộ"))
        .max_by_key(|m| {
            (
                assigned.get(m.code.as_str()).copied().unwrap_or(0),
                std::cmp::Reverse(m.code.clone()),
            )
        })
    {
        out.push((MEMBER_USER, Role::Member, m.code.clone()));
    }
    Ok(out)
}

/// Adds the user to the store's current ward or, when it exists, gives it
/// `password`, `role`, `member` and that ward.
pub fn ensure_user(
    store: &mut Store,
    name: &str,
    role: Role,
    member: &str,
    password: &str,
) -> Result<()> {
    let ward = store.ward_id();
    match store.user(name) {
        Ok(u) => {
            store.set_password(name, password)?;
            // the role first when the member is no party member of this
            // ward: a role without a member can move anywhere
            if u.ward.as_ref().is_none_or(|w| w.0 != ward.0) {
                store.set_role(name, Role::Viewer)?;
                store.set_user_ward(name, Some(ward))?;
            }
            store.set_role_as(name, role, Some(member))
        }
        Err(crate::store::StoreError::NotFound { .. }) => store
            .add_user_as(name, role, password, Some(member), Some(ward))
            .map(|_| ()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_ward_has_a_secretary_and_a_member_with_households() {
        let dir = std::env::temp_dir().join(format!("hiendat-demo-roles-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("demo.db");
        let _ = std::fs::remove_file(&db);
        crate::demo::database::create_demo(&db, 1).unwrap();
        let mut s = Store::open(&db).unwrap();
        let today = crate::campaign::clock::today();
        let users = scoped_users(&s, today).unwrap();
        assert_eq!(
            users.iter().map(|u| (u.0, u.1)).collect::<Vec<_>>(),
            [
                (SECRETARY_USER, Role::Secretary),
                (MEMBER_USER, Role::Member)
            ]
        );
        for (name, role, code) in &users {
            ensure_user(&mut s, name, *role, code, "mật khẩu dài lắm").unwrap();
            // twice: the second run only changes the password
            ensure_user(&mut s, name, *role, code, "mật khẩu khác nữa").unwrap();
            let u = s.verify(name, "mật khẩu khác nữa").unwrap().unwrap();
            assert_eq!(u.member_code.as_deref(), Some(code.as_str()));
            assert_eq!(
                u.ward.as_ref().map(|w| w.0),
                Some(s.ward_id().0),
                "{name}: the demo ward's"
            );
            let scope = s.scope_of(&u, today).unwrap();
            assert!(
                scope.parcels().is_some_and(|p| !p.is_empty()),
                "{name} reaches households"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
