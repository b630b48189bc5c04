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
        self.append_event_with_record(e, None)
    }

    /// [`Store::append_event`], filing `record` first in the same
    /// transaction (the `signed` event and its record land together or not
    /// at all).
    pub fn append_event_with_record(
        &mut self,
        e: &Event,
        record: Option<&super::RecordInput>,
    ) -> Result<i64> {
        let tx = self.conn.transaction()?;
        if let Some(r) = record {
            let key = tx
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
            super::consent::insert_record(&tx, key, r, &e.entered_by)?;
        }
        let (id, key) = append(&tx, e)?;
        retally(&tx, Some(key))?;
        tx.commit()?;
        Ok(id)
    }

    /// Appends `events` in order, each checked as [`Store::append_event`]
    /// checks it, in one transaction: all or none. The tallies are summed
    /// once at the end, which makes this the way to load a long history
    /// (the demo's six months).
    pub fn append_events(&mut self, events: &[Event]) -> Result<usize> {
        let tx = self.conn.transaction()?;
        for e in events {
            append(&tx, e)?;
        }
        retally(&tx, None)?;
        tx.commit()?;
        Ok(events.len())
    }
}

/// Checks and appends one event, and sets its parcel's current status;
/// returns the event's id and the parcel's row id.
fn append(tx: &Connection, e: &Event) -> Result<(i64, i64)> {
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
    let log = load(tx, key, &e.parcel)?;
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
    // Consent is a signed record: no `signed` without one on file by that day.
    if e.status == Status::Signed && !super::consent::has_record(tx, key, e.occurred_on)? {
        if let Some(later) = super::consent::first_record_date(tx, key)? {
            return Err(StoreError::NoRecord(format!(
                "biên bản hiến đất của thửa đất {p} ký ngày {later}, sau ngày {d} ghi \"Đã ký biên bản\": hãy ghi đúng ngày ký / the donation record of parcel {p} was signed on {later}, after {d}: record the signing on its date",
                p = e.parcel,
                d = e.occurred_on
            )));
        }
        return Err(StoreError::NoRecord(format!(
            "thửa đất {p} chưa có biên bản hiến đất ký đến ngày {d} (số, ngày ký, người ký, người làm chứng): hãy nhập biên bản trước / parcel {p} has no donation record signed by {d} (number, date, signatories, witness): file the record first",
            p = e.parcel,
            d = e.occurred_on
        )));
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
    let mut log = log;
    log.push(Logged {
        id,
        event: e.clone(),
    });
    let last = events::effective(&log, NaiveDate::MAX)
        .last()
        .map(|l| (l.event.occurred_on, l.event.status));
    set_status(tx, key, last)?;
    Ok((id, key))
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
    for (key, line) in super::queries::timelines_in(conn, None)? {
        set_status(conn, key, line.0.last().copied())?;
    }
    retally(conn, None)
}

/// Recomputes `segment_tally` and `group_tally` from `parcel_status` and
/// `donations`: all of them, or only the rows of the segments and the group
/// of the parcel with row id `parcel`.
pub(super) fn retally(conn: &Connection, parcel: Option<i64>) -> Result<()> {
    let group: Option<i64> = match parcel {
        Some(key) => conn.query_row(
            "SELECT residential_group FROM parcels WHERE id = ?1",
            [key],
            |r| r.get(0),
        )?,
        None => None,
    };
    let (seg_where, grp_where) = if parcel.is_some() {
        (
            "WHERE d.segment IN (SELECT segment FROM donations WHERE parcel = ?1)",
            "WHERE p.residential_group IS ?2",
        )
    } else {
        ("", "")
    };
    let (seg_delete, grp_delete) = if parcel.is_some() {
        (
            "DELETE FROM segment_tally WHERE segment IN (SELECT segment FROM donations WHERE parcel = ?1)",
            "DELETE FROM group_tally WHERE grp = coalesce(?2, 0)",
        )
    } else {
        ("DELETE FROM segment_tally", "DELETE FROM group_tally")
    };
    let args: Vec<rusqlite::types::Value> = match parcel {
        Some(key) => vec![key.into(), group.into()],
        None => Vec::new(),
    };
    let run = |sql: &str, n: usize| -> Result<()> {
        conn.prepare_cached(sql)?
            .execute(rusqlite::params_from_iter(&args[..args.len().min(n)]))?;
        Ok(())
    };
    let (n1, n2) = if parcel.is_some() { (1, 2) } else { (0, 0) };
    run(seg_delete, n1)?;
    run(
        &format!(
            "INSERT INTO segment_tally (segment, status, parcels, area_m2)
             SELECT d.segment, coalesce(ps.status, 'not_contacted'), count(*), total(d.attributed_area_m2)
             FROM donations d LEFT JOIN parcel_status ps ON ps.parcel = d.parcel
             {seg_where} GROUP BY 1, 2"
        ),
        n1,
    )?;
    run(grp_delete, n2)?;
    run(
        &format!(
            "INSERT INTO group_tally (grp, status, parcels, affected, area_m2)
             SELECT coalesce(a.residential_group, 0), coalesce(ps.status, 'not_contacted'),
                    count(*), count(a.area), total(a.area)
             FROM (SELECT p.id, p.residential_group,
                          (SELECT sum(d.attributed_area_m2) FROM donations d WHERE d.parcel = p.id) AS area
                   FROM parcels p {grp_where}) a
             LEFT JOIN parcel_status ps ON ps.parcel = a.id
             GROUP BY 1, 2"
        ),
        n2,
    )?;
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
