//! The parcels a scoped user reaches ([`Scope`]): a cell secretary's cell,
//! a party member's assigned households.

use super::{Result, Store, StoreError, User};
use crate::campaign::scope::Scope;
use chrono::NaiveDate;
use rusqlite::OptionalExtension;
use std::collections::HashSet;

impl Store {
    /// How far `user` reaches on `day`: the ward for the unscoped roles; a
    /// secretary their member's cell (the parcels of the groups it covers,
    /// those assigned on `day` to its members, its members' own); a member
    /// the parcels assigned to them on `day` (assignments from on or before
    /// it, to after it or open) and their own. A scoped user whose member
    /// is gone (an org import dropped the code) reaches nothing.
    ///
    /// The ward is the store's current one: a user of another ward is
    /// refused here (the doors answer 403 before asking), so that a scope
    /// never reaches into a ward that is not the user's. Member and cell
    /// codes are the current ward's (another ward may use the same ones).
    pub fn scope_of(&self, user: &User, day: NaiveDate) -> Result<Scope> {
        let ward = self.ward_key();
        if let Some(w) = &user.ward
            && w.0 != ward
        {
            return Err(StoreError::BadInput(format!(
                "ward: người dùng {name:?} thuộc phường khác / ward: user {name:?} belongs to another ward",
                name = user.name
            )));
        }
        if !user.role.scoped() {
            return Ok(Scope::Ward);
        }
        let code = user.member_code.clone().unwrap_or_default();
        let cell: Option<String> = self
            .conn
            .query_row(
                "SELECT c.code FROM party_members m JOIN party_cells c ON c.id = m.cell
                 WHERE m.ward = ?2 AND m.code = ?1",
                (&code, ward),
                |r| r.get(0),
            )
            .optional()?;
        let day = day.to_string();
        let cell_code = cell.clone().unwrap_or_default();
        let parcels: HashSet<i64> = if user.role == super::Role::Secretary {
            let mut st = self.conn.prepare_cached(
                "SELECT p.id FROM parcels p
                   JOIN cell_groups cg ON cg.residential_group = p.residential_group
                   JOIN party_cells c ON c.id = cg.cell WHERE c.ward = ?3 AND c.code = ?1
                 UNION
                 SELECT a.parcel FROM assignments a
                   JOIN party_members m ON m.id = a.member JOIN party_cells c ON c.id = m.cell
                  WHERE c.ward = ?3 AND c.code = ?1
                    AND a.from_date <= ?2 AND (a.to_date IS NULL OR a.to_date > ?2)
                 UNION
                 SELECT m.household FROM party_members m JOIN party_cells c ON c.id = m.cell
                  WHERE c.ward = ?3 AND c.code = ?1 AND m.household IS NOT NULL",
            )?;
            st.query_map((&cell_code, &day, ward), |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        } else {
            let mut st = self.conn.prepare_cached(
                "SELECT a.parcel FROM assignments a JOIN party_members m ON m.id = a.member
                  WHERE m.ward = ?3 AND m.code = ?1
                    AND a.from_date <= ?2 AND (a.to_date IS NULL OR a.to_date > ?2)
                 UNION
                 SELECT household FROM party_members
                  WHERE ward = ?3 AND code = ?1 AND household IS NOT NULL",
            )?;
            st.query_map((&code, &day, ward), |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        Ok(if user.role == super::Role::Secretary {
            Scope::Cell {
                cell: cell_code,
                parcels,
            }
        } else {
            Scope::Assigned {
                member: code,
                cell: cell_code,
                parcels,
            }
        })
    }
}

impl Store {
    /// The row id of the parcel the files name `id` (no geometry read).
    pub fn parcel_row_id(&self, id: &str) -> Result<i64> {
        self.parcel_key(&crate::campaign::FeatureId::Text(id.to_string()))
    }

    /// The ids (as the files gave them) of the parcels with these row ids,
    /// in their order; unknown ones are left out.
    pub fn parcel_ids_of(&self, keys: &[i64]) -> Result<Vec<crate::campaign::FeatureId>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT fid, fid_is_number FROM parcels WHERE id = ?1")?;
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            if let Some(id) = st
                .query_row([k], |r| Ok(super::feature_id(r.get(0)?, r.get(1)?)))
                .optional()?
            {
                out.push(id);
            }
        }
        Ok(out)
    }
}

impl Store {
    /// The id of the parcel a grievance was raised on (`None`: no such
    /// grievance in the current ward).
    pub fn grievance_parcel(&self, grievance: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT p.fid FROM grievances g JOIN parcels p ON p.id = g.parcel
                 WHERE g.id = ?1 AND p.ward = ?2",
                (grievance, self.ward.0),
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The id of the parcel an attachment belongs to (`None`: no such
    /// attachment, or one of no parcel).
    pub fn attachment_parcel(&self, attachment: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT p.fid FROM attachments a JOIN parcels p ON p.id = a.parcel
                 WHERE a.id = ?1 AND p.ward = ?2",
                (attachment, self.ward.0),
                |r| r.get(0),
            )
            .optional()?)
    }
}
