//! The event log in the store: appended, never updated or deleted (the
//! schema's triggers refuse both).

use super::{Result, Store, StoreError};
use crate::campaign::FeatureId;
use crate::campaign::events::{self, Event, Logged, Status, check_transition};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension};

/// Timestamps are written in one fixed form (UTC, microseconds, `Z`), so
/// that they sort as text.
fn timestamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

impl Store {
    /// A parcel's events, in the order they were entered.
    pub fn events(&self, parcel: &FeatureId) -> Result<Vec<Logged>> {
        let key = self.parcel_key(parcel)?;
        load(&self.conn, key, parcel)
    }

    /// A parcel's status at the end of `as_of`.
    pub fn status_as_of(&self, parcel: &FeatureId, as_of: NaiveDate) -> Result<Status> {
        Ok(events::replay(&self.events(parcel)?, as_of))
    }

    /// Appends an event and returns its id.
    ///
    /// An ordinary event must follow the transition table from the status
    /// the parcel had just before it (by `occurred_on`, then entry), and the
    /// event that comes after it, if it is back-dated, must follow from it.
    /// A correction is not bound by the table (it puts the record right),
    /// but must name an event of the same parcel that still counts.
    pub fn append_event(&mut self, e: &Event) -> Result<i64> {
        let tx = self.conn.transaction()?;
        let key: i64 = tx
            .query_row(
                "SELECT id FROM parcels WHERE fid = ?1",
                [e.parcel.as_str()],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: super::What::Parcel,
                id: e.parcel.to_string(),
            })?;
        let log = load(&tx, key, &e.parcel)?;
        match e.corrects {
            Some(c) => {
                if !log.iter().any(|l| l.id == c) {
                    return Err(StoreError::Correction(format!(
                        "sự kiện {c} không thuộc thửa đất {p} / event {c} is not an event of parcel {p}",
                        p = e.parcel
                    )));
                }
                if events::voided(&log).contains(&c) {
                    return Err(StoreError::Correction(format!(
                        "sự kiện {c} đã được đính chính / event {c} has already been corrected"
                    )));
                }
            }
            None => {
                let live = events::effective(&log, NaiveDate::MAX);
                let key_of = |l: &Logged| (l.event.occurred_on, l.event.entered_at);
                let here = (e.occurred_on, e.entered_at);
                let split = live.partition_point(|l| key_of(l) <= here);
                let before = split
                    .checked_sub(1)
                    .map_or(Status::NotContacted, |i| live[i].event.status);
                check_transition(before, e.status)?;
                if let Some(after) = live.get(split) {
                    check_transition(e.status, after.event.status)?;
                }
            }
        }
        tx.execute(
            "INSERT INTO events (parcel, status, occurred_on, entered_at, entered_by, party_member, note, corrects)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            (
                key,
                e.status.as_str(),
                e.occurred_on.to_string(),
                timestamp(&e.entered_at),
                &e.entered_by,
                &e.party_member,
                &e.note,
                e.corrects,
            ),
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(id)
    }
}

/// The events of the parcel with row id `key`, by id.
fn load(conn: &Connection, key: i64, parcel: &FeatureId) -> Result<Vec<Logged>> {
    let mut st = conn.prepare_cached(
        "SELECT id, status, occurred_on, entered_at, entered_by, party_member, note, corrects
         FROM events WHERE parcel = ?1 ORDER BY id",
    )?;
    let rows = st.query_map([key], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, Option<String>>(6)?,
            r.get::<_, Option<i64>>(7)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, status, on, at, by, member, note, corrects) = row?;
        let bad = |what: &str, v: &str| StoreError::Corrupt(format!("event {id}: {what} {v:?}"));
        out.push(Logged {
            id,
            event: Event {
                parcel: parcel.clone(),
                status: status.parse()?,
                occurred_on: on.parse().map_err(|_| bad("occurred_on", &on))?,
                entered_at: DateTime::parse_from_rfc3339(&at)
                    .map_err(|_| bad("entered_at", &at))?
                    .with_timezone(&Utc),
                entered_by: by,
                party_member: member,
                note,
                corrects,
            },
        });
    }
    Ok(out)
}
