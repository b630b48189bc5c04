//! Outlines the map draws: corridors and residential groups (see migration
//! 0004). Derived here from the stored geometry, read back by the API.

use super::import::all_segments;
use super::{Result, Store, StoreError, wkb};
use crate::campaign::natural_cmp;
use crate::campaign::{CorridorInput, FeatureId, SegmentInput};
use crate::compute;
use crate::geometry::crs::Crs;
use crate::geometry::outline;
use rusqlite::{Connection, OptionalExtension};
use std::collections::{BTreeMap, HashMap};

/// How far (degrees, about 1 m) a group's drawn outline may stray from
/// its parcels' edges: enough to drop the vertices of every back fence.
const GROUP_TOLERANCE_DEG: f64 = 1e-5;

/// WKB MultiPolygon geometry with what it belongs to.
pub struct Outline<K> {
    pub key: K,
    pub name: String,
    pub polygons: Vec<Vec<Vec<[f64; 2]>>>,
}

/// Derives every segment's corridor outline again.
pub(super) fn refresh_corridors(conn: &Connection, crs: &Crs) -> Result<()> {
    let (keys, segs, corridors) = all_segments(conn)?;
    let outlines = compute::corridor_outlines(crs, &segs, &corridors)?;
    let mut st = conn.prepare("UPDATE segments SET outline = ?2 WHERE id = ?1")?;
    for (k, o) in keys.iter().zip(&outlines) {
        st.execute((k, wkb::multi_polygon(o)))?;
    }
    Ok(())
}

/// Derives every residential group's outline again: its parcels merged.
pub(super) fn refresh_groups(conn: &Connection) -> Result<()> {
    let mut parcels: BTreeMap<i64, Vec<Vec<Vec<[f64; 2]>>>> = BTreeMap::new();
    {
        let mut st = conn.prepare(
            "SELECT residential_group, geometry FROM parcels WHERE residential_group IS NOT NULL",
        )?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let polys = wkb::read_multi_polygon(&r.get::<_, Vec<u8>>(1)?)?;
            parcels.entry(r.get(0)?).or_default().extend(polys);
        }
    }
    let outlines: Vec<(i64, Vec<u8>)> = {
        use rayon::prelude::*;
        parcels
            .par_iter()
            .map(|(g, polys)| {
                let mut merged =
                    outline::union(polys.iter().map(Vec::as_slice), GROUP_TOLERANCE_DEG);
                for p in &mut merged {
                    // The courtyards and slivers between lots are the
                    // group's too: the exterior alone is its outline.
                    p.truncate(1);
                    for pt in p.iter_mut().flatten() {
                        *pt = pt.map(|v| (v * 1e7).round() / 1e7);
                    }
                }
                (*g, wkb::multi_polygon(&merged))
            })
            .collect()
    };
    conn.execute("UPDATE residential_groups SET outline = NULL", [])?;
    let mut st = conn.prepare("UPDATE residential_groups SET outline = ?2 WHERE id = ?1")?;
    for (g, o) in outlines {
        st.execute((g, o))?;
    }
    Ok(())
}

/// Rebuilds `segment_groups` from the donations.
pub(super) fn refresh_segment_groups(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "DELETE FROM segment_groups;
         INSERT INTO segment_groups (segment, residential_group)
           SELECT DISTINCT d.segment, p.residential_group
           FROM donations d JOIN parcels p ON p.id = d.parcel
           WHERE p.residential_group IS NOT NULL;",
    )?;
    Ok(())
}

/// Fills the outlines of a file that predates them, in the CRS its
/// donations were measured in (none yet: nothing to fill).
pub(super) fn fill_on_upgrade(conn: &Connection) -> Result<()> {
    let crs: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'crs'", [], |r| r.get(0))
        .optional()?;
    if let Some(crs) = crs {
        let crs = Crs::parse(&crs).map_err(|e| StoreError::Corrupt(format!("crs: {e}")))?;
        refresh_corridors(conn, &crs)?;
    }
    refresh_segment_groups(conn)?;
    refresh_groups(conn)
}

impl Store {
    /// Every segment's corridor outline (segments without one are left out).
    pub fn corridor_outlines(&self) -> Result<Vec<Outline<FeatureId>>> {
        let mut st = self.conn.prepare_cached(
            "SELECT fid, fid_is_number, name, outline FROM segments
             WHERE outline IS NOT NULL ORDER BY id",
        )?;
        let mut rows = st.query([])?;
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
             JOIN residential_groups g ON g.id = sg.residential_group",
        )?;
        let mut out: HashMap<i64, Vec<String>> = HashMap::new();
        let mut rows = st.query([])?;
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
            "SELECT name, outline FROM residential_groups WHERE outline IS NOT NULL",
        )?;
        let mut rows = st.query([])?;
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
