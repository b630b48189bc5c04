//! The writes of an import, in one transaction ([`ImportTx`]): residential
//! groups, segments, parcels and households upserted by the ids the files
//! give, each feature counted as added, updated or unchanged (attributes
//! compared field by field, geometry by its [`wkb::fingerprint`]);
//! structures replaced per parcel; donation rows and outlines replaced by
//! the measured ones the caller hands over. Features in the database but not
//! in the files are left as they are.
//!
//! The store measures nothing: which parcels to measure again, and the
//! measuring, are `ops::import`'s. An [`ImportTx`] dropped without
//! [`ImportTx::finish`] rolls back, so a failed import changes nothing.

use super::org::OrgCounts;
use super::wkb::{self, fingerprint};
use super::{Result, Store, StoreError, What, feature_id};
use crate::campaign::org::Org;
use crate::campaign::structures::{StructureInput, StructureValues};
use crate::campaign::{CorridorInput, FeatureId, HouseholdInput, ParcelInput, SegmentInput};
use crate::geometry::donation::Donation;
use crate::geometry::outline::Rings;
use crate::geometry::project::lonlat_box;
use rusqlite::{Connection, OptionalExtension, Transaction};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

#[path = "import_partial.rs"]
mod partial;

/// Features of one layer by what the import did to them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LayerCounts {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl LayerCounts {
    fn count(&mut self, c: Change) {
        match c {
            Change::Added => self.added += 1,
            Change::Updated => self.updated += 1,
            Change::Unchanged => self.unchanged += 1,
        }
    }
}

impl fmt::Display for LayerCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "thêm / added {}, cập nhật / updated {}, không đổi / unchanged {}",
            self.added, self.updated, self.unchanged
        )
    }
}

/// Structures on the land by what the import did to them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StructureCounts {
    /// Rows written for parcels whose structures changed.
    pub added: usize,
    /// Rows removed from them.
    pub removed: usize,
    /// Rows of parcels the file names whose structures were already the same.
    pub unchanged: usize,
    /// Parcels whose structures were replaced.
    pub parcels_replaced: usize,
}

impl fmt::Display for StructureCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "thêm / added {}, xóa / removed {}, không đổi / unchanged {} ({} thửa thay mới / parcels replaced)",
            self.added, self.removed, self.unchanged, self.parcels_replaced
        )
    }
}

/// What [`ImportTx::upsert_layers`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Upserted {
    pub groups_added: usize,
    pub segments: LayerCounts,
    pub parcels: LayerCounts,
    /// Segments whose centerline, corridor polygon or planned widths are
    /// new or changed: their row id and position in the input.
    pub changed_segments: Vec<(i64, usize)>,
    /// Parcels that are new or whose geometry changed (row ids).
    pub changed_parcels: BTreeSet<i64>,
}

/// One import's writes (or an outline refresh's), in one transaction:
/// dropped without [`ImportTx::finish`], it rolls back and nothing stays.
pub struct ImportTx<'a> {
    tx: Transaction<'a>,
    /// The ward imported into: the store's current ward when it began.
    ward: i64,
}

impl Store {
    /// Starts the writes of an import.
    pub fn begin_import(&mut self) -> Result<ImportTx<'_>> {
        let ward = self.ward.0;
        Ok(ImportTx {
            tx: self.write()?,
            ward,
        })
    }
}

impl ImportTx<'_> {
    /// Upserts residential groups, segments (with their given corridor
    /// polygons) and parcels.
    pub fn upsert_layers(
        &mut self,
        segments: &[SegmentInput],
        parcels: &[ParcelInput],
        corridors: &[CorridorInput],
    ) -> Result<Upserted> {
        let mut out = Upserted::default();
        let groups = upsert_groups(&self.tx, parcels, &mut out.groups_added)?;
        out.changed_segments = upsert_segments(&self.tx, segments, corridors, &mut out.segments)?;
        out.changed_parcels = upsert_parcels(&self.tx, parcels, &groups, &mut out.parcels)?;
        Ok(out)
    }

    /// The CRS (PROJ string) the ward's stored donations were measured in.
    pub fn measured_in(&self) -> Result<Option<String>> {
        Ok(self
            .tx
            .query_row("SELECT crs FROM wards WHERE id = ?1", [self.ward], |r| {
                r.get(0)
            })
            .optional()?
            .flatten())
    }

    /// Records the CRS the ward's donations are measured in from now on.
    pub fn set_measured_in(&self, proj: &str) -> Result<()> {
        self.tx
            .execute("UPDATE wards SET crs = ?2 WHERE id = ?1", (self.ward, proj))?;
        Ok(())
    }

    /// Every parcel's row id (the ward's).
    pub fn parcel_keys(&self) -> Result<Vec<i64>> {
        let mut st = self.tx.prepare("SELECT id FROM parcels WHERE ward = ?1")?;
        let all = st.query_map([self.ward], |r| r.get::<_, i64>(0))?;
        Ok(all.collect::<rusqlite::Result<_>>()?)
    }

    /// The parcels that had a donation to one of the segments (by row id),
    /// or whose bounding box meets the lon/lat box given with it.
    pub fn parcels_near(&self, segments: &[(i64, [[f64; 2]; 2])]) -> Result<BTreeSet<i64>> {
        parcels_near(&self.tx, segments)
    }

    /// Every segment of the ward, with its given corridor, and each
    /// segment's row id (same order).
    pub fn segments(&self) -> Result<(Vec<i64>, Vec<SegmentInput>, Vec<CorridorInput>)> {
        all_segments(&self.tx)
    }

    /// A parcel's id, by row id.
    pub fn parcel_id(&self, key: i64) -> Result<FeatureId> {
        let mut st = self
            .tx
            .prepare_cached("SELECT fid, fid_is_number FROM parcels WHERE id = ?1")?;
        Ok(st.query_row([key], |r| Ok(feature_id(r.get(0)?, r.get(1)?)))?)
    }

    /// A parcel as stored (geometry only), by row id.
    pub fn stored_parcel(&self, key: i64) -> Result<ParcelInput> {
        let mut st = self
            .tx
            .prepare_cached("SELECT fid, fid_is_number, geometry FROM parcels WHERE id = ?1")?;
        let (fid, is_number, geometry): (String, bool, Vec<u8>) =
            st.query_row([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(ParcelInput {
            id: feature_id(fid, is_number),
            map_sheet: None,
            parcel_no: None,
            owner: None,
            residential_group: None,
            land_use: None,
            polygons: wkb::read_multi_polygon(&geometry)?,
        })
    }

    /// Replaces the donation rows of `parcels` (row ids) by `pairs`, whose
    /// `parcel` and `segment` index `parcels` and `segments` (row ids).
    pub fn replace_donations(
        &self,
        parcels: &[i64],
        segments: &[i64],
        pairs: &[Donation],
    ) -> Result<()> {
        let mut clear = self
            .tx
            .prepare_cached("DELETE FROM donations WHERE parcel = ?1")?;
        for k in parcels {
            clear.execute([k])?;
        }
        let mut ins = self.tx.prepare(
            "INSERT INTO donations (parcel, segment, area_in_corridor_m2, attributed_area_m2,
               frontage_m, depth_mean_m, depth_max_m)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for d in pairs {
            ins.execute((
                parcels[d.parcel as usize],
                segments[d.segment as usize],
                d.area_in_corridor_m2,
                d.attributed_area_m2,
                d.frontage_m,
                d.depth_mean_m,
                d.depth_max_m,
            ))?;
        }
        Ok(())
    }

    /// Upserts households, keyed by parcel and head of household.
    pub fn upsert_households(&self, households: &[HouseholdInput]) -> Result<LayerCounts> {
        upsert_households(&self.tx, households)
    }

    /// Replaces the structures of every parcel `structures` names.
    pub fn replace_structures(&self, structures: &[StructureInput]) -> Result<StructureCounts> {
        replace_structures(&self.tx, structures)
    }

    /// Replaces the organisation.
    pub fn replace_org(&self, org: &Org) -> Result<OrgCounts> {
        super::org::replace_org(&self.tx, self.ward, org)
    }

    /// Stores each segment's corridor outline (lon/lat), by row id.
    pub fn write_corridor_outlines(&self, keys: &[i64], outlines: &[Vec<Rings>]) -> Result<()> {
        super::outlines::write_corridors(&self.tx, keys, outlines)
    }

    /// Every residential group's parcels' polygons, by the group's row id.
    pub fn group_parcels(&self) -> Result<BTreeMap<i64, Vec<Rings>>> {
        super::outlines::group_parcels(&self.tx)
    }

    /// Stores the residential groups' outlines (lon/lat); groups not named
    /// have none.
    pub fn write_group_outlines(&self, outlines: &[(i64, Vec<Rings>)]) -> Result<()> {
        super::outlines::write_groups(&self.tx, outlines)
    }

    /// The ward's groups' stored outlines (lon/lat), each a multipolygon.
    pub fn stored_group_outlines(&self) -> Result<Vec<Vec<Rings>>> {
        let mut st = self.tx.prepare(
            "SELECT outline FROM residential_groups WHERE ward = ?1 AND outline IS NOT NULL",
        )?;
        let mut rows = st.query([self.ward])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(wkb::read_multi_polygon(&r.get::<_, Vec<u8>>(0)?)?);
        }
        Ok(out)
    }

    /// Whether the ward lacks its outline while its groups have theirs (a
    /// file from before wards).
    pub fn ward_outline_missing(&self) -> Result<bool> {
        Ok(self.tx.query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM ward_outlines WHERE ward = ?1)
                AND EXISTS (SELECT 1 FROM residential_groups WHERE ward = ?1 AND outline IS NOT NULL)",
            [self.ward],
            |r| r.get(0),
        )?)
    }

    /// Stores the ward's outline (lon/lat; the province map draws it).
    pub fn write_ward_outline(&self, outline: &[Rings]) -> Result<()> {
        self.tx.execute(
            "INSERT OR REPLACE INTO ward_outlines (ward, outline) VALUES (?1, ?2)",
            (self.ward, wkb::multi_polygon(outline)),
        )?;
        Ok(())
    }

    /// Rebuilds which residential groups each segment's donating parcels are in.
    pub fn refresh_segment_groups(&self) -> Result<()> {
        super::outlines::refresh_segment_groups(&self.tx)
    }

    /// Whether the outlines wait to be derived (a file that predates them).
    pub fn outlines_stale(&self) -> Result<bool> {
        super::outlines::stale(&self.tx)
    }

    /// The outlines are derived: clears [`ImportTx::outlines_stale`].
    pub fn outlines_derived(&self) -> Result<()> {
        super::outlines::derived(&self.tx)
    }

    /// Counts an import that changed something: pages polling
    /// [`Store::data_version`] reload. Also keeps the ward's extent.
    pub fn count_import(&self) -> Result<()> {
        self.tx.execute(
            "UPDATE wards SET imports = imports + 1 WHERE id = ?1",
            [self.ward],
        )?;
        super::wards::refresh_extent(&self.tx, self.ward)
    }

    /// Commits, or with `dry_run` rolls back.
    pub fn finish(self, dry_run: bool) -> Result<()> {
        if dry_run {
            self.tx.rollback()?;
        } else {
            self.tx.commit()?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Added,
    Updated,
    Unchanged,
}

/// Planned widths as bytes, for the segment's geometry fingerprint.
fn width_bytes(s: &SegmentInput) -> Vec<u8> {
    let mut b = Vec::with_capacity(27);
    for w in [s.planned_width_m, s.planned_left_m, s.planned_right_m] {
        match w {
            Some(x) => {
                b.push(1);
                b.extend_from_slice(&x.to_le_bytes());
            }
            None => b.push(0),
        }
    }
    b
}

/// A stored segment's row.
struct SegmentRow {
    key: i64,
    name: String,
    current_width_m: Option<f64>,
    hash: i64,
}

/// A stored parcel's row.
struct ParcelRow {
    key: i64,
    map_sheet: Option<String>,
    parcel_no: Option<String>,
    owner: Option<String>,
    land_use: Option<String>,
    group: Option<i64>,
    hash: i64,
}

fn upsert_groups(
    tx: &Transaction,
    parcels: &[ParcelInput],
    added: &mut usize,
) -> Result<HashMap<String, i64>> {
    let mut groups: HashMap<String, i64> = HashMap::new();
    {
        let mut st = tx.prepare("SELECT name, id FROM residential_groups WHERE ward = (SELECT id FROM temp.ward_in_use)")?;
        for row in st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))? {
            let (name, id) = row?;
            groups.insert(name, id);
        }
    }
    let mut ins = tx.prepare("INSERT INTO residential_groups (ward, name) VALUES ((SELECT id FROM temp.ward_in_use), ?1)")?;
    for name in parcels
        .iter()
        .filter_map(|p| p.residential_group.as_deref())
    {
        if !groups.contains_key(name) {
            ins.execute([name])?;
            groups.insert(name.to_string(), tx.last_insert_rowid());
            *added += 1;
        }
    }
    Ok(groups)
}

/// Upserts the segments; returns the keys and input positions of those
/// whose geometry is new or changed.
fn upsert_segments(
    tx: &Transaction,
    segments: &[SegmentInput],
    corridors: &[CorridorInput],
    counts: &mut LayerCounts,
) -> Result<Vec<(i64, usize)>> {
    let mut existing: HashMap<String, SegmentRow> = HashMap::new();
    {
        let mut st =
            tx.prepare("SELECT fid, id, name, current_width_m, geometry_hash FROM segments WHERE ward = (SELECT id FROM temp.ward_in_use)")?;
        for row in st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                SegmentRow {
                    key: r.get(1)?,
                    name: r.get(2)?,
                    current_width_m: r.get(3)?,
                    hash: r.get(4)?,
                },
            ))
        })? {
            let (fid, s) = row?;
            existing.insert(fid, s);
        }
    }
    let mut given: HashMap<&FeatureId, Vec<Vec<Vec<[f64; 2]>>>> = HashMap::new();
    for c in corridors {
        given
            .entry(&c.segment_id)
            .or_default()
            .extend(c.polygons.iter().cloned());
    }
    let mut insert = tx.prepare(
        "INSERT INTO segments (ward, fid, fid_is_number, name, current_width_m, planned_width_m,
           planned_left_m, planned_right_m, centerline, corridor, geometry_hash)
         VALUES ((SELECT id FROM temp.ward_in_use), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut update = tx.prepare(
        "UPDATE segments SET name = ?2, current_width_m = ?3, planned_width_m = ?4,
           planned_left_m = ?5, planned_right_m = ?6, centerline = ?7, corridor = ?8,
           geometry_hash = ?9
         WHERE id = ?1",
    )?;
    let mut changed = Vec::new();
    for (i, s) in segments.iter().enumerate() {
        let centerline = wkb::multi_line_string(&s.lines);
        let corridor = given.get(&s.id).map(|p| wkb::multi_polygon(p));
        let hash = fingerprint(&[
            &centerline,
            corridor.as_deref().unwrap_or(&[]),
            &width_bytes(s),
        ]);
        let (key, change) = match existing.get(s.id.as_str()) {
            None => {
                insert.execute((
                    s.id.as_str(),
                    matches!(s.id, FeatureId::Number(_)),
                    &s.name,
                    s.current_width_m,
                    s.planned_width_m,
                    s.planned_left_m,
                    s.planned_right_m,
                    &centerline,
                    &corridor,
                    hash,
                ))?;
                (tx.last_insert_rowid(), Change::Added)
            }
            Some(row) => {
                let change = if row.hash != hash
                    || row.name != s.name
                    || row.current_width_m != s.current_width_m
                {
                    Change::Updated
                } else {
                    Change::Unchanged
                };
                if change == Change::Updated {
                    update.execute((
                        row.key,
                        &s.name,
                        s.current_width_m,
                        s.planned_width_m,
                        s.planned_left_m,
                        s.planned_right_m,
                        &centerline,
                        &corridor,
                        hash,
                    ))?;
                }
                (row.key, change)
            }
        };
        counts.count(change);
        let geometry_changed = existing.get(s.id.as_str()).is_none_or(|r| r.hash != hash);
        if geometry_changed {
            changed.push((key, i));
        }
    }
    Ok(changed)
}

/// Upserts the parcels; returns the keys of those that are new or whose
/// geometry changed.
fn upsert_parcels(
    tx: &Transaction,
    parcels: &[ParcelInput],
    groups: &HashMap<String, i64>,
    counts: &mut LayerCounts,
) -> Result<BTreeSet<i64>> {
    let mut existing: HashMap<String, ParcelRow> = HashMap::new();
    {
        let mut st = tx.prepare(
            "SELECT fid, id, map_sheet, parcel_no, owner, land_use, residential_group, geometry_hash
             FROM parcels WHERE ward = (SELECT id FROM temp.ward_in_use)",
        )?;
        for row in st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                ParcelRow {
                    key: r.get(1)?,
                    map_sheet: r.get(2)?,
                    parcel_no: r.get(3)?,
                    owner: r.get(4)?,
                    land_use: r.get(5)?,
                    group: r.get(6)?,
                    hash: r.get(7)?,
                },
            ))
        })? {
            let (fid, p) = row?;
            existing.insert(fid, p);
        }
    }
    let mut insert = tx.prepare(
        "INSERT INTO parcels (ward, fid, fid_is_number, map_sheet, parcel_no, owner, land_use,
           residential_group, geometry, geometry_hash)
         VALUES ((SELECT id FROM temp.ward_in_use), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let mut update_attrs = tx.prepare(
        "UPDATE parcels SET map_sheet = ?2, parcel_no = ?3, owner = ?4, land_use = ?5,
           residential_group = ?6
         WHERE id = ?1",
    )?;
    let mut update_geometry =
        tx.prepare("UPDATE parcels SET geometry = ?2, geometry_hash = ?3 WHERE id = ?1")?;
    let mut bbox = tx.prepare(
        "INSERT OR REPLACE INTO parcel_bbox (id, min_lon, max_lon, min_lat, max_lat)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut changed = BTreeSet::new();
    for p in parcels {
        let geometry = wkb::multi_polygon(&p.polygons);
        let hash = fingerprint(&[&geometry]);
        let group = p.residential_group.as_deref().map(|g| groups[g]);
        let (key, change, geometry_changed) = match existing.get(p.id.as_str()) {
            None => {
                insert.execute((
                    p.id.as_str(),
                    matches!(p.id, FeatureId::Number(_)),
                    &p.map_sheet,
                    &p.parcel_no,
                    &p.owner,
                    &p.land_use,
                    group,
                    &geometry,
                    hash,
                ))?;
                (tx.last_insert_rowid(), Change::Added, true)
            }
            Some(row) => {
                let attrs_changed = row.map_sheet != p.map_sheet
                    || row.parcel_no != p.parcel_no
                    || row.owner != p.owner
                    || row.land_use != p.land_use
                    || row.group != group;
                if attrs_changed {
                    update_attrs.execute((
                        row.key,
                        &p.map_sheet,
                        &p.parcel_no,
                        &p.owner,
                        &p.land_use,
                        group,
                    ))?;
                }
                let geometry_changed = row.hash != hash;
                if geometry_changed {
                    update_geometry.execute((row.key, &geometry, hash))?;
                }
                let change = if attrs_changed || geometry_changed {
                    Change::Updated
                } else {
                    Change::Unchanged
                };
                (row.key, change, geometry_changed)
            }
        };
        counts.count(change);
        if geometry_changed {
            if let Some([lo, hi]) = lonlat_box(p.polygons.iter().flatten().flatten()) {
                bbox.execute((key, lo[0], hi[0], lo[1], hi[1]))?;
            }
            changed.insert(key);
        }
    }
    Ok(changed)
}

/// Parcels that may meet the old or the new corridor of changed segments.
fn parcels_near(tx: &Connection, segments: &[(i64, [[f64; 2]; 2])]) -> Result<BTreeSet<i64>> {
    let mut out = BTreeSet::new();
    let mut old = tx.prepare("SELECT parcel FROM donations WHERE segment = ?1")?;
    let mut near = tx.prepare(
        "SELECT b.id FROM parcel_bbox b CROSS JOIN parcels p ON p.id = b.id
         WHERE b.max_lon >= ?1 AND b.min_lon <= ?2 AND b.max_lat >= ?3 AND b.min_lat <= ?4
           AND p.ward = (SELECT id FROM temp.ward_in_use)",
    )?;
    for (key, [lo, hi]) in segments {
        for k in old.query_map([key], |r| r.get::<_, i64>(0))? {
            out.insert(k?);
        }
        for k in near.query_map((lo[0], hi[0], lo[1], hi[1]), |r| r.get::<_, i64>(0))? {
            out.insert(k?);
        }
    }
    Ok(out)
}

/// Every segment in the database (after the upsert), with its given corridor.
pub(super) fn all_segments(
    tx: &rusqlite::Connection,
) -> Result<(Vec<i64>, Vec<SegmentInput>, Vec<CorridorInput>)> {
    let mut st = tx.prepare(
        "SELECT id, fid, fid_is_number, name, current_width_m, planned_width_m, planned_left_m,
           planned_right_m, centerline, corridor
         FROM segments WHERE ward = (SELECT id FROM temp.ward_in_use) ORDER BY id",
    )?;
    let mut rows = st.query([])?;
    let (mut keys, mut segs, mut corridors) = (Vec::new(), Vec::new(), Vec::new());
    while let Some(r) = rows.next()? {
        let id = feature_id(r.get(1)?, r.get(2)?);
        let corridor: Option<Vec<u8>> = r.get(9)?;
        if let Some(c) = corridor {
            corridors.push(CorridorInput {
                feature_id: None,
                segment_id: id.clone(),
                polygons: wkb::read_multi_polygon(&c)?,
            });
        }
        keys.push(r.get(0)?);
        segs.push(SegmentInput {
            id,
            name: r.get(3)?,
            current_width_m: r.get(4)?,
            planned_width_m: r.get(5)?,
            planned_left_m: r.get(6)?,
            planned_right_m: r.get(7)?,
            lines: wkb::read_multi_line_string(&r.get::<_, Vec<u8>>(8)?)?,
        });
    }
    Ok((keys, segs, corridors))
}

fn upsert_households(tx: &Transaction, households: &[HouseholdInput]) -> Result<LayerCounts> {
    let mut counts = LayerCounts::default();
    let mut parcel = tx.prepare_cached(
        "SELECT id FROM parcels WHERE ward = (SELECT id FROM temp.ward_in_use) AND fid = ?1",
    )?;
    let mut find = tx.prepare_cached(
        "SELECT id, address, phone, is_member_family, note, may_be_named FROM households
         WHERE parcel = ?1 AND head_name = ?2",
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO households (parcel, head_name, address, phone, is_member_family, note, may_be_named)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut update = tx.prepare_cached(
        "UPDATE households SET address = ?2, phone = ?3, is_member_family = ?4, note = ?5, may_be_named = ?6
         WHERE id = ?1",
    )?;
    // A flag or consent that an import changes is kept in the households'
    // history too, by the import.
    let mut changed = tx.prepare_cached(
        "INSERT INTO household_changes (parcel, head_name, field, old_value, new_value, changed_at, changed_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'hiendat import')",
    )?;
    let at = super::consent::now();
    for h in households {
        let key: i64 = parcel
            .query_row([h.parcel.as_str()], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: What::Parcel,
                id: h.parcel.to_string(),
            })?;
        type Row = (
            i64,
            Option<String>,
            Option<String>,
            bool,
            Option<String>,
            bool,
        );
        let row: Option<Row> = find
            .query_row((key, &h.head_name), |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .optional()?;
        match row {
            None => {
                insert.execute((
                    key,
                    &h.head_name,
                    &h.address,
                    &h.phone,
                    h.is_member_family,
                    &h.note,
                    h.may_be_named,
                ))?;
                counts.count(Change::Added);
            }
            Some((id, address, phone, member, note, named)) => {
                if address != h.address
                    || phone != h.phone
                    || member != h.is_member_family
                    || note != h.note
                    || named != h.may_be_named
                {
                    update.execute((
                        id,
                        &h.address,
                        &h.phone,
                        h.is_member_family,
                        &h.note,
                        h.may_be_named,
                    ))?;
                    for (field, old, new) in [
                        ("is_member_family", member, h.is_member_family),
                        ("may_be_named", named, h.may_be_named),
                    ] {
                        if old != new {
                            changed.execute((key, &h.head_name, field, old, new, &at))?;
                        }
                    }
                    counts.count(Change::Updated);
                } else {
                    counts.count(Change::Unchanged);
                }
            }
        }
    }
    Ok(counts)
}

/// A structure row as compared: kind, quantity (bits), unit, value, donated.
type StructureKey = (String, u64, String, Option<i64>, bool);

fn structure_key(s: &StructureInput) -> StructureKey {
    (
        s.kind.code().to_string(),
        s.quantity.to_bits(),
        s.unit.code().to_string(),
        s.value_vnd,
        s.donated,
    )
}

/// Replaces the structures of every parcel `structures` names by its rows
/// there; an id naming no parcel (every such line is listed) refuses the
/// whole import.
fn replace_structures(tx: &Transaction, structures: &[StructureInput]) -> Result<StructureCounts> {
    let mut counts = StructureCounts::default();
    let mut parcel = tx.prepare_cached(
        "SELECT id FROM parcels WHERE ward = (SELECT id FROM temp.ward_in_use) AND fid = ?1",
    )?;
    // The file's rows per parcel key, in file order of first mention.
    let mut order: Vec<i64> = Vec::new();
    let mut by_parcel: HashMap<i64, Vec<&StructureInput>> = HashMap::new();
    let mut keys: HashMap<&str, Option<i64>> = HashMap::new();
    let mut unknown: Vec<String> = Vec::new();
    for s in structures {
        let id = s.parcel.as_str();
        let key = match keys.get(id) {
            Some(k) => *k,
            None => {
                let k: Option<i64> = parcel.query_row([id], |r| r.get(0)).optional()?;
                keys.insert(id, k);
                k
            }
        };
        match key {
            Some(k) => {
                let rows = by_parcel.entry(k).or_default();
                if rows.is_empty() {
                    order.push(k);
                }
                rows.push(s);
            }
            None => unknown.push(match s.line {
                Some(l) => format!(
                    "công trình trên đất, dòng {l}: không tìm thấy thửa đất {id} / structures, line {l}: parcel {id} not found"
                ),
                None => format!(
                    "công trình trên đất: không tìm thấy thửa đất {id} / structures: parcel {id} not found"
                ),
            }),
        }
    }
    if !unknown.is_empty() {
        return Err(StoreError::BadInput(unknown.join("\n")));
    }
    let mut stored = tx.prepare_cached(
        "SELECT kind, quantity, unit, value_vnd, donated FROM structures WHERE parcel = ?1",
    )?;
    let mut clear = tx.prepare_cached("DELETE FROM structures WHERE parcel = ?1")?;
    let today = crate::campaign::clock::today();
    let at = crate::campaign::clock::now().to_rfc3339();
    let mut insert = tx.prepare_cached(
        "INSERT INTO structures (parcel, kind, quantity, unit, value_vnd, donated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    // A ward without structures or their history yet (its first import):
    // nothing stored to compare with, clear, or record the replacement of.
    let fresh: bool = tx.query_row(
        "SELECT NOT EXISTS (SELECT 1 FROM structures s CROSS JOIN parcels p ON p.id = s.parcel
                            WHERE p.ward = (SELECT id FROM temp.ward_in_use))
            AND NOT EXISTS (SELECT 1 FROM structure_changes c CROSS JOIN parcels p ON p.id = c.parcel
                            WHERE p.ward = (SELECT id FROM temp.ward_in_use))",
        [],
        |r| r.get(0),
    )?;
    for k in order {
        let rows = &by_parcel[&k];
        let history = if fresh {
            false
        } else {
            let mut old: Vec<StructureKey> = stored
                .query_map([k], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<f64>>(1)?.unwrap_or(0.0).to_bits(),
                        r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                        r.get(3)?,
                        r.get(4)?,
                    ))
                })?
                .collect::<Result<_, _>>()?;
            let mut new: Vec<StructureKey> = rows.iter().map(|s| structure_key(s)).collect();
            old.sort();
            new.sort();
            if old == new {
                counts.unchanged += new.len();
                continue;
            }
            // a parcel whose structures have a history: the replacement is
            // recorded in it, from today (store::structures::import_replaces)
            let history = super::structures::import_replaces(tx, k, today, &at)?;
            counts.removed += clear.execute([k])?;
            history
        };
        for s in rows {
            insert.execute((
                k,
                s.kind.code(),
                s.quantity,
                s.unit.code(),
                s.value_vnd,
                s.donated,
            ))?;
            if history {
                let values = StructureValues {
                    kind: s.kind,
                    quantity: Some(s.quantity),
                    unit: Some(s.unit),
                    value_vnd: s.value_vnd,
                    donated: s.donated,
                };
                let id = tx.last_insert_rowid();
                super::structures::import_added(tx, k, id, &values, today, &at)?;
            }
        }
        counts.added += rows.len();
        counts.parcels_replaced += 1;
    }
    Ok(counts)
}
