//! The store's side of the field worker's list (`GET /api/my/households`):
//! for the parcels the read model put on it, their polygons, the phone on
//! file and the last logged visit. Measures and decides nothing.

use super::queries::{PARCEL_COLUMNS, ParcelRow, parcel_row, with_geometry};
use super::{Result, Store};
use chrono::NaiveDate;
use std::collections::HashMap;

/// The last logged visit to a household.
#[derive(Debug, Clone, PartialEq)]
pub struct LastContact {
    pub on: NaiveDate,
    /// Who visited (a member's name or code, as logged).
    pub by: String,
    pub summary: String,
}

/// What the list shows of a household beyond the read model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldDetail {
    /// The first household's phone, as stored.
    pub phone: Option<String>,
    pub last_contact: Option<LastContact>,
}

impl Store {
    /// These parcels (row ids) with their polygons, by row id.
    pub fn parcels_by_keys(&self, keys: &[i64]) -> Result<Vec<ParcelRow>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {PARCEL_COLUMNS} FROM parcels p LEFT JOIN residential_groups g ON g.id = p.residential_group
             WHERE p.id = ?1"
        ))?;
        let mut rows = Vec::with_capacity(keys.len());
        for &k in keys {
            for row in st.query_map([k], parcel_row)? {
                rows.push(row?);
            }
        }
        with_geometry(rows)
    }

    /// The phone and last visit of these parcels (row ids).
    pub fn field_details(&self, keys: &[i64]) -> Result<HashMap<i64, FieldDetail>> {
        let mut phone = self.conn.prepare_cached(
            "SELECT phone FROM households WHERE parcel = ?1 ORDER BY phone IS NULL, id LIMIT 1",
        )?;
        let mut contact = self.conn.prepare_cached(
            "SELECT contacted_on, member, summary FROM contacts WHERE parcel = ?1
             ORDER BY contacted_on DESC, id DESC LIMIT 1",
        )?;
        let mut out = HashMap::with_capacity(keys.len());
        for &k in keys {
            let phone: Option<String> = phone
                .query_map([k], |r| r.get(0))?
                .next()
                .transpose()?
                .flatten();
            let last_contact = contact
                .query_map([k], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })?
                .next()
                .transpose()?
                .map(|(on, by, summary)| -> Result<LastContact> {
                    Ok(LastContact {
                        on: on.parse().map_err(|_| {
                            super::StoreError::Corrupt(format!("contacted_on {on:?}"))
                        })?,
                        by,
                        summary,
                    })
                })
                .transpose()?;
            out.insert(
                k,
                FieldDetail {
                    phone,
                    last_contact,
                },
            );
        }
        Ok(out)
    }
}
