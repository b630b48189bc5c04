//! The event log in the store: appended, never updated or deleted (the
//! schema's triggers refuse both).

use super::{Result, Store, StoreError};
use crate::campaign::FeatureId;
use crate::campaign::events::{
    self, Clash, Event, Logged, Status, TransitionContext, check_transition, dmy,
};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension};
use std::collections::HashMap;
use std::collections::hash_map::Entry;

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
        Ok(self.record_event(e, None)?.id)
    }

    /// [`Store::append_event`], filing `record` first in the same
    /// transaction (the `signed` event and its record land together or not
    /// at all). The parcel is looked up once and its log read and replayed
    /// once; the answer says where the parcel stands now.
    pub fn record_event(
        &mut self,
        e: &Event,
        record: Option<&super::RecordInput>,
    ) -> Result<Recorded> {
        let tx = self.write()?;
        let (key, parcel, name) = lookup(&tx, &e.parcel)?;
        if let Some(r) = record {
            super::consent::insert_record(&tx, key, r, &e.entered_by)?;
        }
        let (id, status, version) = append(&tx, key, &name, e)?;
        tx.commit()?;
        Ok(Recorded {
            id,
            parcel,
            status,
            version,
        })
    }

    /// Appends `events` in order, each checked as [`Store::append_event`]
    /// checks it, in one transaction: all or none (the way to load a long
    /// history, the demo's six months).
    pub fn append_events(&mut self, events: &[Event]) -> Result<usize> {
        let tx = self.write()?;
        // Each parcel is looked up and its log read once: the transaction
        // is the only writer, so the log is what was read plus what this
        // loop appended (kept without names and notes, which no check
        // reads: a million parcels' history stays a few hundred MB).
        let mut logs: HashMap<&str, (i64, ParcelName, Vec<Logged>)> = HashMap::new();
        // A ward without an event yet (a campaign's history loaded at once,
        // the demo's): every log starts empty, and is not looked for.
        let fresh: bool = tx.query_row(
            "SELECT last_event = 0 FROM wards WHERE id = (SELECT id FROM temp.ward_in_use)",
            [],
            |r| r.get(0),
        )?;
        for e in events {
            let (key, name, log) = match logs.entry(e.parcel.as_str()) {
                Entry::Occupied(o) => o.into_mut(),
                Entry::Vacant(v) => {
                    let (key, parcel, name) = lookup(&tx, &e.parcel)?;
                    let log = if fresh {
                        Vec::new()
                    } else {
                        load(&tx, key, &parcel)?
                    };
                    v.insert((key, name, log))
                }
            };
            insert_checked(&tx, *key, name, e, log)?;
            if let Some(last) = log.last_mut() {
                last.event.parcel = FeatureId::Number(String::new());
                last.event.entered_by = String::new();
                last.event.party_member = None;
                last.event.note = None;
            }
        }
        // each parcel's current status once, from its whole log (not once
        // per event: a million parcels' history is millions of events)
        for (key, _, log) in logs.values() {
            set_status(&tx, *key, last_of(log))?;
        }
        tx.commit()?;
        Ok(events.len())
    }
}

/// An event recorded: its id, its parcel (the id as the files gave it),
/// the parcel's status now and its version (the number of its events, which
/// every new event moves on).
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub id: i64,
    pub parcel: FeatureId,
    pub status: Status,
    pub version: usize,
}

/// How people name a parcel in a message: by map sheet and parcel number
/// ("tờ 7, thửa 245" / "sheet 7, parcel 245"), or by its id when the
/// files gave neither.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParcelName {
    pub vi: String,
    pub en: String,
}

impl ParcelName {
    pub fn new(id: &str, map_sheet: Option<&str>, parcel_no: Option<&str>) -> ParcelName {
        fn some(v: Option<&str>) -> Option<&str> {
            v.map(str::trim).filter(|v| !v.is_empty())
        }
        match (some(map_sheet), some(parcel_no)) {
            (Some(t), Some(n)) => ParcelName {
                vi: format!("tờ {t}, thửa {n}"),
                en: format!("sheet {t}, parcel {n}"),
            },
            (None, Some(n)) => ParcelName {
                vi: format!("thửa {n}"),
                en: format!("parcel {n}"),
            },
            _ => ParcelName {
                vi: format!("thửa đất {id}"),
                en: format!("parcel {id}"),
            },
        }
    }
}

/// The name ([`ParcelName`]) of the parcel with row id `key`.
pub(super) fn parcel_name(conn: &Connection, key: i64) -> Result<ParcelName> {
    Ok(conn
        .prepare_cached("SELECT fid, map_sheet, parcel_no FROM parcels WHERE id = ?1")?
        .query_row([key], |r| {
            Ok(ParcelName::new(
                &r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?.as_deref(),
                r.get::<_, Option<String>>(2)?.as_deref(),
            ))
        })?)
}

/// The row id, the id as the files gave it and the name of the parcel `id`
/// names.
fn lookup(tx: &Connection, id: &FeatureId) -> Result<(i64, FeatureId, ParcelName)> {
    tx.prepare_cached(
        "SELECT id, fid, fid_is_number, map_sheet, parcel_no FROM parcels
         WHERE ward = (SELECT id FROM temp.ward_in_use) AND fid = ?1",
    )?
    .query_row([id.as_str()], |r| {
        let fid: String = r.get(1)?;
        let name = ParcelName::new(
            &fid,
            r.get::<_, Option<String>>(3)?.as_deref(),
            r.get::<_, Option<String>>(4)?.as_deref(),
        );
        Ok((r.get(0)?, super::feature_id(fid, r.get(2)?), name))
    })
    .optional()?
    .ok_or_else(|| StoreError::NotFound {
        what: super::What::Parcel,
        id: id.to_string(),
    })
}

/// Checks and appends one event of the parcel with row id `key`, and sets
/// its current status; returns the event's id, the parcel's status after it
/// and the parcel's number of events.
fn append(tx: &Connection, key: i64, name: &ParcelName, e: &Event) -> Result<(i64, Status, usize)> {
    let mut log = load(tx, key, &e.parcel)?;
    append_to(tx, key, name, e, &mut log)
}

/// [`append`] to the parcel's log as read (`log`, by id), which the new
/// event joins.
fn append_to(
    tx: &Connection,
    key: i64,
    name: &ParcelName,
    e: &Event,
    log: &mut Vec<Logged>,
) -> Result<(i64, Status, usize)> {
    let id = insert_checked(tx, key, name, e, log)?;
    let last = last_of(log);
    set_status(tx, key, last)?;
    Ok((id, last.map_or(Status::NotContacted, |l| l.1), log.len()))
}

/// The date and status of the last event of `log` that counts.
fn last_of(log: &[Logged]) -> Option<(NaiveDate, Status)> {
    events::effective(log, NaiveDate::MAX)
        .last()
        .map(|l| (l.event.occurred_on, l.event.status))
}

/// Checks and inserts one event of the parcel with row id `key` into the
/// log (its current status is left to the caller); returns its id.
fn insert_checked(
    tx: &Connection,
    key: i64,
    name: &ParcelName,
    e: &Event,
    log: &mut Vec<Logged>,
) -> Result<i64> {
    let (pv, pe) = (&name.vi, &name.en);
    match e.corrects {
        Some(c) => {
            if !log.iter().any(|l| l.id == c) {
                return Err(StoreError::Correction(format!(
                    "sự kiện {c} không thuộc {pv} / event {c} is not an event of {pe}"
                )));
            }
            if events::voided(log).contains(&c) {
                return Err(StoreError::Correction(format!(
                    "sự kiện {c} của {pv} đã được đính chính / event {c} of {pe} has already been corrected"
                )));
            }
        }
        None => {
            let live = events::effective(log, NaiveDate::MAX);
            let key_of = |l: &Logged| (l.event.occurred_on, l.event.entered_at);
            let here = (e.occurred_on, e.entered_at);
            let split = live.partition_point(|l| key_of(l) <= here);
            let before = split
                .checked_sub(1)
                .map_or(Status::NotContacted, |i| live[i].event.status);
            let context = |clash| TransitionContext {
                parcel_vi: pv.clone(),
                parcel_en: pe.clone(),
                on: e.occurred_on,
                clash,
            };
            // The state on that date is what the date's replay gives; the
            // change after it is named so the user can pick the right date.
            check_transition(before, e.status).map_err(|t| {
                let next = live
                    .iter()
                    .find(|l| l.event.occurred_on > e.occurred_on)
                    .map(|l| (l.event.occurred_on, l.event.status));
                t.explained(context(Clash::Before { next }))
            })?;
            if let Some(after) = live.get(split) {
                check_transition(e.status, after.event.status).map_err(|t| {
                    t.explained(context(Clash::After {
                        on: after.event.occurred_on,
                    }))
                })?;
            }
        }
    }
    // Consent is a signed record: no `signed` without one on file by that day.
    if e.status == Status::Signed && !super::consent::has_record(tx, key, e.occurred_on)? {
        if let Some(later) = super::consent::first_record_date(tx, key)? {
            return Err(StoreError::NoRecord(format!(
                "biên bản hiến đất của {pv} ký ngày {later}, sau ngày {d} ghi \"Đã ký biên bản\": hãy ghi đúng ngày ký / the donation record of {pe} was signed on {later}, after {d}: record the signing on its date",
                later = dmy(later),
                d = dmy(e.occurred_on)
            )));
        }
        return Err(StoreError::NoRecord(format!(
            "{pv} chưa có biên bản hiến đất ký đến ngày {d} (số, ngày ký, người ký, người làm chứng): hãy nhập biên bản trước / {pe} has no donation record signed by {d} (number, date, signatories, witness): file the record first",
            d = dmy(e.occurred_on)
        )));
    }
    tx.prepare_cached(
        "INSERT INTO events (parcel, status, occurred_on, entered_at, entered_by, party_member, note, corrects)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute((
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
    log.push(Logged {
        id,
        event: e.clone(),
    });
    Ok(id)
}

/// Records the current status of the parcel with row id `key` in
/// `parcel_status`: the date and status of its last event that counts, or
/// none (no row: not contacted).
fn set_status(conn: &Connection, key: i64, last: Option<(NaiveDate, Status)>) -> Result<()> {
    match last {
        Some((on, status)) => {
            conn.prepare_cached(
                "INSERT INTO parcel_status (parcel, status, status_on) VALUES (?1, ?2, ?3)
                 ON CONFLICT (parcel) DO UPDATE SET status = excluded.status, status_on = excluded.status_on",
            )?
            .execute((key, status.as_str(), on.to_string()))?;
        }
        None => {
            conn.prepare_cached("DELETE FROM parcel_status WHERE parcel = ?1")?
                .execute([key])?;
        }
    }
    Ok(())
}

/// Fills `parcel_status` afresh from the whole event log.
pub(super) fn rebuild_parcel_status(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM parcel_status", [])?;
    for (key, line) in super::queries::timelines_in(conn, None, "1")? {
        set_status(conn, key, line.0.last().copied())?;
    }
    Ok(())
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
