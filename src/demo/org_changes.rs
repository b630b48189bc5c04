//! The organisation's history in the demo ward (issue 13, item 7): after
//! the import, the office edited it from the page, so the "Tổ chức" section
//! shows who changed what, and when, at first sight. Only roles change:
//! every figure stays the import's.

use crate::store::{MemberEdit, OrgAuthor, Store, StoreError};
use chrono::NaiveDate;

/// Two members of the first cell took a new role in the cell, in effect a
/// few days apart before `today` (entered by the office now).
pub fn record(store: &mut Store, today: NaiveDate) -> Result<(), StoreError> {
    let members = store.members()?;
    let first = members.first().map(|m| m.cell.clone()).unwrap_or_default();
    let roles = ["Phó bí thư", "Chi ủy viên"];
    let picked = members.iter().filter(|m| m.cell == first).skip(1).take(2);
    for ((m, role), days) in picked.zip(roles).zip([12u64, 5]) {
        let on = today - chrono::Days::new(days);
        let version = store.org_version(crate::store::OrgWhat::Member, &m.code)?;
        let edit = MemberEdit {
            code: m.code.clone(),
            name: m.name.clone(),
            cell: m.cell.clone(),
            role: Some(role.to_string()),
            household: m.household.as_ref().map(|(_, id)| id.clone()),
        };
        store.edit_member(&edit, version, &OrgAuthor::now("canbo.lan", on))?;
    }
    Ok(())
}
