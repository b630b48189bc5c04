//! Outlines the map draws: corridors and residential groups (see migration
//! 0004). Derived by `ops::import` from the stored geometry, kept here, read
//! back by the API.

use super::import::all_segments;
use super::{Result, Store, wkb};
use crate::campaign::natural_cmp;
use crate::campaign::{CorridorInput, FeatureId, SegmentInput};
use crate::geometry::outline::Rings;
use rusqlite::{Connection, OptionalExtension};
use std::collections::{BTreeMap, HashMap};

/// WKB MultiPolygon geometry with what it belongs to.
pub struct Outline<K> {
    pub key: K,
    pub name: String,
    pub polygons: Vec<Vec<Vec<[f64; 2]>>>,
}

use super::wards::CURRENT as WARD;

/// Stores each segment's corridor outline, by row id.
pub(super) fn write_corridors(
    conn: &Connection,
    keys: &[i64],
    outlines: &[Vec<Rings>],
) -> Result<()> {
    let mut st = conn.prepare("UPDATE segments SET outline = ?2 WHERE id = ?1")?;
    for (k, o) in keys.iter().zip(outlines) {
        st.execute((k, wkb::multi_polygon(o)))?;
    }
    Ok(())
}

/// Every residential group's parcels' polygons, by the group's row id
/// (the current ward's).
pub(super) fn group_parcels(conn: &Connection) -> Result<BTreeMap<i64, Vec<Rings>>> {
    let mut parcels: BTreeMap<i64, Vec<Rings>> = BTreeMap::new();
    let mut st = conn.prepare(&format!(
        "SELECT residential_group, geometry FROM parcels
         WHERE residential_group IS NOT NULL AND ward = {WARD}"
    ))?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let polys = wkb::read_multi_polygon(&r.get::<_, Vec<u8>>(1)?)?;
        parcels.entry(r.get(0)?).or_default().extend(polys);
    }
    Ok(parcels)
}

/// Replaces every residential group's outline (the current ward's): the
/// groups named get theirs, the others none.
pub(super) fn write_groups(conn: &Connection, outlines: &[(i64, Vec<Rings>)]) -> Result<()> {
    conn.execute(
        &format!("UPDATE residential_groups SET outline = NULL WHERE ward = {WARD}"),
        [],
    )?;
    let mut st = conn.prepare("UPDATE residential_groups SET outline = ?2 WHERE id = ?1")?;
    for (g, o) in outlines {
        st.execute((g, wkb::multi_polygon(o)))?;
    }
    Ok(())
}

/// Rebuilds `segment_groups` from the donations (the current ward's).
pub(super) fn refresh_segment_groups(conn: &Connection) -> Result<()> {
    conn.execute_batch(&format!(
        "DELETE FROM segment_groups WHERE segment IN (SELECT id FROM segments WHERE ward = {WARD});
         INSERT INTO segment_groups (segment, residential_group)
           SELECT DISTINCT d.segment, p.residential_group
           FROM donations d JOIN parcels p ON p.id = d.parcel
           WHERE p.residential_group IS NOT NULL AND p.ward = {WARD};"
    ))?;
    Ok(())
}

/// A file that predates the outlines (schema 4, one ward, no `wards` table
/// yet): `segment_groups` is rebuilt here (it is SQL), the outlines are
/// marked to be derived by the layer that measures (`ops::import::open`),
/// in the CRS the donations were measured in. (Migration 0016 carries the
/// mark into the ward's `outlines_stale`.)
pub(super) fn mark_on_upgrade(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "DELETE FROM segment_groups;
         INSERT INTO segment_groups (segment, residential_group)
           SELECT DISTINCT d.segment, p.residential_group
           FROM donations d JOIN parcels p ON p.id = d.parcel
           WHERE p.residential_group IS NOT NULL;",
    )?;
    // A new file has nothing to draw (and must not look stale).
    let has_data: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM segments) OR EXISTS (SELECT 1 FROM parcels)",
        [],
        |r| r.get(0),
    )?;
    if has_data {
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('outlines_stale', '1')",
            [],
        )?;
    }
    Ok(())
}

/// Whether the current ward's outlines wait to be derived.
pub(super) fn stale(conn: &Connection) -> Result<bool> {
    Ok(conn
        .query_row(
            &format!("SELECT outlines_stale FROM wards WHERE id = {WARD}"),
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(false))
}

/// The current ward's outlines are derived.
pub(super) fn derived(conn: &Connection) -> Result<()> {
    conn.execute(
        &format!("UPDATE wards SET outlines_stale = 0 WHERE id = {WARD}"),
        [],
    )?;
    Ok(())
}

impl Store {
    /// Every segment's corridor outline (segments without one are left out).
    pub fn corridor_outlines(&self) -> Result<Vec<Outline<FeatureId>>> {
        let mut st = self.conn.prepare_cached(
            "SELECT fid, fid_is_number, name, outline FROM segments
             WHERE outline IS NOT NULL AND ward = ?1 ORDER BY id",
        )?;
        let mut rows = st.query([self.ward.0])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(Outline {
                key: super::feature_id(r.get(0)?, r.get(1)?),
                name: r.get(2)?,
                polygons: wkb::read_multi_polygon(&r.get::<_, Vec<u8>>(3)?)?,
            });
        }
        Ok(out)
    }

    /// Per segment row id, the residential groups of its donating parcels
    /// in natural order ("Tổ dân phố 2" before "Tổ dân phố 10").
    /// Every segment as the engine takes it, with its given right-of-way
    /// polygons, and each segment's row id (same order).
    pub fn segment_inputs(&self) -> Result<(Vec<i64>, Vec<SegmentInput>, Vec<CorridorInput>)> {
        all_segments(&self.conn)
    }

    pub fn segment_groups(&self) -> Result<HashMap<i64, Vec<String>>> {
        let mut st = self.conn.prepare_cached(
            "SELECT sg.segment, g.name FROM segment_groups sg
             JOIN residential_groups g ON g.id = sg.residential_group WHERE g.ward = ?1",
        )?;
        let mut out: HashMap<i64, Vec<String>> = HashMap::new();
        let mut rows = st.query([self.ward.0])?;
        while let Some(r) = rows.next()? {
            out.entry(r.get(0)?).or_default().push(r.get(1)?);
        }
        for names in out.values_mut() {
            names.sort_by(|a, b| natural_cmp(a, b));
        }
        Ok(out)
    }

    /// Every residential group's outline, by name.
    pub fn group_outlines(&self) -> Result<Vec<Outline<()>>> {
        let mut st = self.conn.prepare_cached(
            "SELECT name, outline FROM residential_groups WHERE outline IS NOT NULL AND ward = ?1",
        )?;
        let mut rows = st.query([self.ward.0])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(Outline {
                key: (),
                name: r.get(0)?,
                polygons: wkb::read_multi_polygon(&r.get::<_, Vec<u8>>(1)?)?,
            });
        }
        Ok(out)
    }
}
