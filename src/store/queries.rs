//! Read queries for the API: segments, parcels (with the R*Tree for
//! viewports), donations, households and every parcel's status timeline.
//! Plain rows out; the API builds its answers from them.

use super::{Result, Store, StoreError, What, feature_id, wkb};
use crate::campaign::FeatureId;
use crate::campaign::events::{self, Event, Logged};
use crate::campaign::structures::{StructureKind, Unit};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

type Ring = Vec<[f64; 2]>;

/// A stored segment.
#[derive(Debug, Clone)]
pub struct SegmentRow {
    /// The store's row id.
    pub key: i64,
    pub id: FeatureId,
    pub name: String,
    pub current_width_m: Option<f64>,
    pub planned_width_m: Option<f64>,
    pub planned_left_m: Option<f64>,
    pub planned_right_m: Option<f64>,
    /// WGS84 lon/lat lines.
    pub centerline: Vec<Ring>,
}

/// A stored parcel.
#[derive(Debug, Clone)]
pub struct ParcelRow {
    pub key: i64,
    pub id: FeatureId,
    pub map_sheet: Option<String>,
    pub parcel_no: Option<String>,
    /// Personal data: the owner's name.
    pub owner: Option<String>,
    pub land_use: Option<String>,
    pub legal_area_m2: Option<f64>,
    pub residential_group: Option<String>,
    /// WGS84 lon/lat polygons (shell then holes).
    pub polygons: Vec<Vec<Ring>>,
}

/// A parcel's donation to a segment (row ids).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DonationRow {
    pub parcel: i64,
    pub segment: i64,
    pub area_in_corridor_m2: f64,
    pub attributed_area_m2: f64,
    pub frontage_m: f64,
    pub depth_mean_m: f64,
    pub depth_max_m: f64,
}

/// A household (all personal data).
#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdRow {
    pub parcel: i64,
    pub head_name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub is_member_family: bool,
    pub note: Option<String>,
}

/// A structure on a parcel's land.
#[derive(Debug, Clone, PartialEq)]
pub struct StructureRow {
    pub kind: StructureKind,
    pub quantity: Option<f64>,
    pub unit: Option<Unit>,
    pub value_vnd: Option<i64>,
    pub donated: bool,
}

/// Which parcels to list; every given condition must hold.
#[derive(Debug, Clone, Default)]
pub struct ParcelFilter {
    /// Lon/lat box `[min_lon, min_lat, max_lon, max_lat]` the parcel's box meets.
    pub bbox: Option<[f64; 4]>,
    /// A segment id (as the files gave it) the parcel donates to.
    pub segment: Option<String>,
    /// A residential group name.
    pub group: Option<String>,
}

pub use crate::campaign::events::Timeline;

pub(super) const PARCEL_COLUMNS: &str =
    "p.id, p.fid, p.fid_is_number, p.map_sheet, p.parcel_no, p.owner,
     p.land_use, p.legal_area_m2, g.name, p.geometry";

pub(super) fn parcel_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(ParcelRow, Vec<u8>)> {
    Ok((
        ParcelRow {
            key: r.get(0)?,
            id: feature_id(r.get(1)?, r.get(2)?),
            map_sheet: r.get(3)?,
            parcel_no: r.get(4)?,
            owner: r.get(5)?,
            land_use: r.get(6)?,
            legal_area_m2: r.get(7)?,
            residential_group: r.get(8)?,
            polygons: Vec::new(),
        },
        r.get(9)?,
    ))
}

pub(super) fn with_geometry(rows: Vec<(ParcelRow, Vec<u8>)>) -> Result<Vec<ParcelRow>> {
    rows.into_iter()
        .map(|(mut p, blob)| {
            p.polygons = wkb::read_multi_polygon(&blob)?;
            Ok(p)
        })
        .collect()
}

/// A `WHERE` clause on `parcel` for a selection of parcel row ids (passed
/// as one JSON array, read with `json_each`), or for every parcel the
/// condition `all` (the current ward's: [`Store::ward_parcels`]).
fn selection(parcels: Option<&[i64]>, all: &str) -> (String, Option<String>) {
    match parcels {
        None => (format!("WHERE {all}"), None),
        Some(keys) => (
            "WHERE parcel IN (SELECT value FROM json_each(?1))".to_string(),
            Some(serde_json::to_string(keys).unwrap_or_else(|_| "[]".into())),
        ),
    }
}

impl Store {
    /// Every segment, by row id.
    pub fn segments(&self) -> Result<Vec<SegmentRow>> {
        self.segment_rows(true)
    }

    /// Every segment, by row id, with an empty `centerline`.
    pub fn segments_without_geometry(&self) -> Result<Vec<SegmentRow>> {
        self.segment_rows(false)
    }

    fn segment_rows(&self, geometry: bool) -> Result<Vec<SegmentRow>> {
        let mut st = self.conn.prepare_cached(if geometry {
            "SELECT id, fid, fid_is_number, name, current_width_m, planned_width_m,
                    planned_left_m, planned_right_m, centerline
             FROM segments WHERE ward = (SELECT id FROM temp.ward_in_use) ORDER BY id"
        } else {
            "SELECT id, fid, fid_is_number, name, current_width_m, planned_width_m,
                    planned_left_m, planned_right_m, NULL
             FROM segments WHERE ward = (SELECT id FROM temp.ward_in_use) ORDER BY id"
        })?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    SegmentRow {
                        key: r.get(0)?,
                        id: feature_id(r.get(1)?, r.get(2)?),
                        name: r.get(3)?,
                        current_width_m: r.get(4)?,
                        planned_width_m: r.get(5)?,
                        planned_left_m: r.get(6)?,
                        planned_right_m: r.get(7)?,
                        centerline: Vec::new(),
                    },
                    r.get::<_, Option<Vec<u8>>>(8)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(mut s, blob)| {
                if let Some(blob) = blob {
                    s.centerline = wkb::read_multi_line_string(&blob)?;
                }
                Ok(s)
            })
            .collect()
    }

    /// The parcels the filter selects, by row id (the bbox through the R*Tree).
    pub fn parcels(&self, f: &ParcelFilter) -> Result<Vec<ParcelRow>> {
        // A box goes through the R*Tree first (CROSS JOIN fixes the order):
        // left to itself, SQLite walks the whole ward and looks each parcel
        // up in the tree.
        let from = if f.bbox.is_some() {
            "parcel_bbox b CROSS JOIN parcels p ON p.id = b.id"
        } else {
            "parcels p"
        };
        let mut sql = format!(
            "SELECT {PARCEL_COLUMNS} FROM {from} LEFT JOIN residential_groups g ON g.id = p.residential_group"
        );
        let mut conds: Vec<String> = vec![format!("p.ward = {}", super::wards::CURRENT)];
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        if let Some([min_lon, min_lat, max_lon, max_lat]) = f.bbox {
            conds.push(format!(
                "b.max_lon >= ?{} AND b.min_lon <= ?{} AND b.max_lat >= ?{} AND b.min_lat <= ?{}",
                args.len() + 1,
                args.len() + 2,
                args.len() + 3,
                args.len() + 4
            ));
            args.extend([min_lon, max_lon, min_lat, max_lat].map(rusqlite::types::Value::Real));
        }
        if let Some(seg) = &f.segment {
            conds.push(format!(
                "p.id IN (SELECT d.parcel FROM donations d JOIN segments s ON s.id = d.segment WHERE s.ward = p.ward AND s.fid = ?{})",
                args.len() + 1
            ));
            args.push(rusqlite::types::Value::Text(seg.clone()));
        }
        if let Some(group) = &f.group {
            conds.push(format!("g.name = ?{}", args.len() + 1));
            args.push(rusqlite::types::Value::Text(group.clone()));
        }
        sql.push_str(" WHERE ");
        sql.push_str(&conds.join(" AND "));
        sql.push_str(" ORDER BY p.id");
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st
            .query_map(rusqlite::params_from_iter(args), parcel_row)?
            .collect::<Result<Vec<_>, _>>()?;
        with_geometry(rows)
    }

    /// One parcel of the current ward by the id the files gave it.
    pub fn parcel(&self, id: &str) -> Result<ParcelRow> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {PARCEL_COLUMNS} FROM parcels p LEFT JOIN residential_groups g ON g.id = p.residential_group
             WHERE p.ward = ?2 AND p.fid = ?1"
        ))?;
        let rows = st
            .query_map((id, self.ward.0), parcel_row)?
            .collect::<Result<Vec<_>, _>>()?;
        with_geometry(rows)?
            .pop()
            .ok_or_else(|| StoreError::NotFound {
                what: What::Parcel,
                id: id.to_string(),
            })
    }

    /// Every donation row of the current ward (parcel and segment as row ids).
    pub fn donations(&self) -> Result<Vec<DonationRow>> {
        self.donations_where(None)
    }

    /// The donation rows of the parcels with these row ids.
    pub fn donations_of(&self, parcels: &[i64]) -> Result<Vec<DonationRow>> {
        self.donations_where(Some(parcels))
    }

    fn donations_where(&self, parcels: Option<&[i64]>) -> Result<Vec<DonationRow>> {
        let (filter, arg) = selection(parcels, &self.ward_parcels("parcel"));
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT parcel, segment, area_in_corridor_m2, attributed_area_m2, frontage_m,
                    depth_mean_m, depth_max_m
             FROM donations {filter} ORDER BY parcel, segment"
        ))?;
        let rows = st
            .query_map(rusqlite::params_from_iter(arg), |r| {
                Ok(DonationRow {
                    parcel: r.get(0)?,
                    segment: r.get(1)?,
                    area_in_corridor_m2: r.get(2)?,
                    attributed_area_m2: r.get(3)?,
                    frontage_m: r.get(4)?,
                    depth_mean_m: r.get(5)?,
                    depth_max_m: r.get(6)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Every parcel's row id and residential group name (no geometry),
    /// the current ward's.
    pub fn parcel_groups(&self) -> Result<Vec<(i64, Option<String>)>> {
        let mut st = self.conn.prepare_cached(
            "SELECT p.id, g.name FROM parcels p
             LEFT JOIN residential_groups g ON g.id = p.residential_group
             WHERE p.ward = ?1 ORDER BY p.id",
        )?;
        let rows = st
            .query_map([self.ward.0], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Every residential group name, sorted by row id.
    pub fn group_names(&self) -> Result<Vec<String>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT name FROM residential_groups WHERE ward = ?1 ORDER BY id")?;
        let rows = st
            .query_map([self.ward.0], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(rows)
    }

    /// The households of a parcel (row id).
    pub fn households_of(&self, parcel: i64) -> Result<Vec<HouseholdRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT parcel, head_name, address, phone, is_member_family, note
             FROM households WHERE parcel = ?1 ORDER BY id",
        )?;
        let rows = st
            .query_map([parcel], |r| {
                Ok(HouseholdRow {
                    parcel: r.get(0)?,
                    head_name: r.get(1)?,
                    address: r.get(2)?,
                    phone: r.get(3)?,
                    is_member_family: r.get(4)?,
                    note: r.get(5)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// The structures on a parcel's land (row id), in the order imported.
    pub fn structures_of(&self, parcel: i64) -> Result<Vec<StructureRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT kind, quantity, unit, value_vnd, donated
             FROM structures WHERE parcel = ?1 ORDER BY id",
        )?;
        let rows = st
            .query_map([parcel], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<f64>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, bool>(4)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(kind, quantity, unit, value_vnd, donated)| {
                Ok(StructureRow {
                    kind: parse_kind(&kind)?,
                    quantity,
                    unit: unit
                        .map(|u| {
                            u.parse::<Unit>()
                                .map_err(|_| StoreError::Corrupt(format!("structure unit {u:?}")))
                        })
                        .transpose()?,
                    value_vnd,
                    donated,
                })
            })
            .collect()
    }

    /// Every segment's row id and id as the files gave it (no geometry).
    pub fn segment_ids(&self) -> Result<Vec<(i64, FeatureId)>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, fid, fid_is_number FROM segments WHERE ward = ?1 ORDER BY id",
        )?;
        let rows = st
            .query_map([self.ward.0], |r| {
                Ok((r.get(0)?, feature_id(r.get(1)?, r.get(2)?)))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Whether the materialised current statuses (`parcel_status`) are every
    /// parcel's status on `as_of`: no event that counts happened after it.
    pub fn current_status_holds_on(&self, as_of: NaiveDate) -> Result<bool> {
        if as_of == NaiveDate::MAX {
            return Ok(true);
        }
        let last: Option<String> =
            self.conn
                .query_row("SELECT max(status_on) FROM parcel_status", [], |r| r.get(0))?;
        match last {
            None => Ok(true),
            Some(d) => {
                let d: NaiveDate = d
                    .parse()
                    .map_err(|_| StoreError::Corrupt(format!("parcel_status: status_on {d:?}")))?;
                Ok(d <= as_of)
            }
        }
    }

    /// The current statuses (from `parcel_status`) of every parcel, or of
    /// these row ids, as one-entry timelines: they answer
    /// [`Timeline::status_on`] for any date on which
    /// [`Store::current_status_holds_on`] holds.
    pub fn current_timelines(&self, parcels: Option<&[i64]>) -> Result<HashMap<i64, Timeline>> {
        let (filter, arg) = selection(parcels, &self.ward_parcels("parcel"));
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT parcel, status, status_on FROM parcel_status {filter}"
        ))?;
        let rows = st
            .query_map(rusqlite::params_from_iter(arg), |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(parcel, status, on)| {
                let on: NaiveDate = on.parse().map_err(|_| {
                    StoreError::Corrupt(format!("parcel_status {parcel}: status_on {on:?}"))
                })?;
                Ok((parcel, Timeline(vec![(on, status.parse()?)])))
            })
            .collect()
    }

    /// The parcels (row ids) of the current ward with an event entered
    /// after the event `id` (other wards' events in between are skipped).
    pub fn parcels_with_events_after(&self, id: i64) -> Result<Vec<i64>> {
        // A range of the rowid, deduplicated here: with DISTINCT or ORDER BY
        // SQLite walks the whole (parcel, date) index instead.
        let mut st = self
            .conn
            .prepare_cached("SELECT parcel FROM events WHERE id > ?1")?;
        let mut rows = st
            .query_map([id], |r| r.get(0))?
            .collect::<Result<Vec<i64>, _>>()?;
        rows.sort_unstable();
        rows.dedup();
        if !self.only_ward {
            let mut mine = self
                .conn
                .prepare_cached("SELECT 1 FROM parcels WHERE id = ?1 AND ward = ?2")?;
            let mut kept = Vec::with_capacity(rows.len());
            for p in rows {
                if mine.exists((p, self.ward.0))? {
                    kept.push(p);
                }
            }
            rows = kept;
        }
        Ok(rows)
    }

    /// Every parcel's status timeline (by row id; parcels without events are
    /// absent), corrections applied as [`events::effective`] does.
    pub fn timelines(&self) -> Result<HashMap<i64, Timeline>> {
        self.timelines_where(None)
    }

    /// [`Store::timelines`] of the parcels with these row ids only.
    pub fn timelines_of(&self, parcels: &[i64]) -> Result<HashMap<i64, Timeline>> {
        self.timelines_where(Some(parcels))
    }

    fn timelines_where(&self, parcels: Option<&[i64]>) -> Result<HashMap<i64, Timeline>> {
        timelines_in(&self.conn, parcels, &self.ward_parcels("parcel"))
    }
}

/// [`Store::timelines`] on a connection (the parcels `all` selects, or
/// these row ids).
pub(super) fn timelines_in(
    conn: &rusqlite::Connection,
    parcels: Option<&[i64]>,
    all: &str,
) -> Result<HashMap<i64, Timeline>> {
    {
        let (filter, arg) = selection(parcels, all);
        // Each parcel's events must come in id order; for all parcels the
        // table's own (rowid = id) order gives it without a sort or an
        // index lookup per row.
        let order = if parcels.is_some() {
            "parcel, id"
        } else {
            "id"
        };
        let mut st = conn.prepare_cached(&format!(
            "SELECT parcel, id, status, occurred_on, entered_at, corrects FROM events {filter}
             ORDER BY {order}"
        ))?;
        // Rows are read as they come, each kept in a few machine words (a
        // million parcels' 2.3 million events: ~100 MB, not a gigabyte of
        // strings), and each parcel's log is replayed by the one rule
        // (`events::effective`) only once all of it is in.
        let mut logs: HashMap<i64, Vec<Compact>> = HashMap::new();
        let mut rows = st.query(rusqlite::params_from_iter(arg))?;
        while let Some(r) = rows.next()? {
            let parcel: i64 = r.get(0)?;
            let id: i64 = r.get(1)?;
            let text = |i: usize| -> Result<&str> {
                r.get_ref(i)?
                    .as_str()
                    .map_err(|e| StoreError::Corrupt(format!("event {id}: {e}")))
            };
            let bad =
                |what: &str, v: &str| StoreError::Corrupt(format!("event {id}: {what} {v:?}"));
            let (on, at) = (text(3)?, text(4)?);
            logs.entry(parcel).or_default().push(Compact {
                id,
                status: text(2)?.parse()?,
                occurred_on: on.parse().map_err(|_| bad("occurred_on", on))?,
                entered_at: DateTime::parse_from_rfc3339(at)
                    .map_err(|_| bad("entered_at", at))?
                    .with_timezone(&Utc),
                corrects: r.get(5)?,
            });
        }
        Ok(logs
            .into_iter()
            .map(|(parcel, log)| (parcel, timeline(parcel, &log)))
            .collect())
    }
}

/// An event as a timeline needs it: no names or notes.
struct Compact {
    id: i64,
    status: events::Status,
    occurred_on: NaiveDate,
    entered_at: DateTime<Utc>,
    corrects: Option<i64>,
}

/// The status changes that count of one parcel's log (in id order).
fn timeline(parcel: i64, log: &[Compact]) -> Timeline {
    let parcel = FeatureId::Number(parcel.to_string());
    let logged: Vec<Logged> = log
        .iter()
        .map(|c| Logged {
            id: c.id,
            event: Event {
                parcel: parcel.clone(),
                status: c.status,
                occurred_on: c.occurred_on,
                entered_at: c.entered_at,
                entered_by: String::new(),
                party_member: None,
                note: None,
                corrects: c.corrects,
            },
        })
        .collect();
    Timeline(
        events::effective(&logged, NaiveDate::MAX)
            .into_iter()
            .map(|l| (l.event.occurred_on, l.event.status))
            .collect(),
    )
}

fn parse_kind(kind: &str) -> Result<StructureKind> {
    kind.parse()
        .map_err(|_| StoreError::Corrupt(format!("structure kind {kind:?}")))
}
