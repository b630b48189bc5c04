//! Importing segments, parcels (with their corridors) and households.
//!
//! The input is validated first ([`compute::check`]: every error at once,
//! nothing written). Then one transaction upserts residential groups,
//! segments, parcels and households, keyed by the ids the files give, and
//! counts each feature as added, updated or unchanged (attributes compared
//! field by field, geometry by its [`wkb::fingerprint`]). Features that are in
//! the database but not in the files are left as they are. Structures on the
//! land are replaced per parcel: every parcel the structures file names
//! gets exactly the file's rows (a parcel whose rows are the same is left
//! as it is); parcels it does not name keep theirs.
//!
//! ## Which donations are recomputed
//!
//! A parcel's donation depends only on its own geometry and on the corridors
//! of the segments it meets (overlaps between two corridors are settled
//! between those two). So the parcels measured again are:
//!
//! 1. every parcel that is new or whose geometry changed;
//! 2. for every segment that is new or whose centerline, corridor polygon or
//!    planned widths changed: the parcels that had a donation to it (they
//!    met the old corridor) and the parcels whose bounding box meets a
//!    generous box around the new corridor (the centerline's box widened by
//!    five times its larger half width, the mitre limit, plus a metre; and
//!    the corridor polygon's box), found in the R*Tree;
//! 3. every parcel, when the CRS differs from the one the donations were
//!    measured in.
//!
//! Those parcels are measured against every segment in the database (after
//! the upsert) with [`compute::project`] and [`compute::measure`], their old
//! donation rows replaced. A superset is harmless: measuring a parcel again
//! gives the same figures.

use super::wkb::{self, fingerprint};
use super::{Result, Store, StoreError, What, feature_id};
use crate::campaign::structures::StructureInput;
use crate::campaign::{CorridorInput, FeatureId, HouseholdInput, ParcelInput, SegmentInput};
use crate::compute;
use crate::geometry::crs::Crs;
use crate::geometry::validate::Issue;
use rusqlite::{OptionalExtension, Transaction};
use std::collections::{BTreeSet, HashMap};
use std::fmt;

/// What to import. `corridors` are planned right-of-way polygons that
/// replace a segment's offset centerline.
#[derive(Clone, Copy, Default)]
pub struct ImportInput<'a> {
    pub segments: &'a [SegmentInput],
    pub parcels: &'a [ParcelInput],
    pub corridors: &'a [CorridorInput],
    /// Households to upsert (keyed by parcel and head of household), if given.
    pub households: Option<&'a [HouseholdInput]>,
    /// Structures on the land; they replace the stored ones of every parcel
    /// they name, if given.
    pub structures: Option<&'a [StructureInput]>,
    /// The organisation (cells, members, assignments, area leads); it
    /// replaces the stored one, if given.
    pub org: Option<&'a crate::campaign::org::Org>,
    /// Told each step as it starts (the CLI's progress display).
    pub progress: Option<&'a dyn Fn(ImportStep)>,
}

impl fmt::Debug for ImportInput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImportInput")
            .field("segments", &self.segments.len())
            .field("parcels", &self.parcels.len())
            .field("corridors", &self.corridors.len())
            .field("households", &self.households.map(<[_]>::len))
            .field("structures", &self.structures.map(<[_]>::len))
            .field("org", &self.org.is_some())
            .finish()
    }
}

/// The steps of an import, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportStep {
    Validate,
    Write,
    Measure,
    Households,
    Structures,
    Organisation,
    Summarise,
    Commit,
}

impl ImportStep {
    /// Its position (1-based) and the number of steps.
    pub fn position(self) -> (usize, usize) {
        (self as usize + 1, 8)
    }

    /// What the step does, in Vietnamese then English.
    pub fn label(self) -> &'static str {
        match self {
            ImportStep::Validate => "kiểm tra dữ liệu / validating",
            ImportStep::Write => "ghi đoạn tuyến, thửa đất / writing segments and parcels",
            ImportStep::Measure => "tính diện tích hiến / measuring donations",
            ImportStep::Households => "ghi hộ gia đình / writing households",
            ImportStep::Structures => "ghi công trình trên đất / writing structures on the land",
            ImportStep::Organisation => {
                "ghi tổ chức: chi bộ, đảng viên, phân công / writing the organisation"
            }
            ImportStep::Summarise => "tổng hợp, đường bao / tallies and outlines",
            ImportStep::Commit => "lưu / committing",
        }
    }
}

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

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportSummary {
    pub dry_run: bool,
    pub groups_added: usize,
    pub segments: LayerCounts,
    pub parcels: LayerCounts,
    pub households: Option<LayerCounts>,
    pub structures: Option<StructureCounts>,
    /// The organisation, when given (it is replaced whole).
    pub org: Option<super::OrgCounts>,
    /// Parcels whose donations were measured again.
    pub parcels_measured: usize,
    /// Donation rows written for them.
    pub donations_written: usize,
    /// Validation warnings (the import went ahead).
    pub warnings: Vec<Issue>,
}

impl ImportSummary {
    /// Nothing added or updated.
    pub fn is_unchanged(&self) -> bool {
        let none = |c: &LayerCounts| c.added == 0 && c.updated == 0;
        self.groups_added == 0
            && none(&self.segments)
            && none(&self.parcels)
            && self.households.as_ref().is_none_or(none)
            && self
                .structures
                .as_ref()
                .is_none_or(|c| c.parcels_replaced == 0)
            && self.org.is_none()
            && self.parcels_measured == 0
    }
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.dry_run {
            writeln!(
                f,
                "chạy thử, không ghi gì / dry run, nothing written (what an import would do):"
            )?;
        }
        writeln!(
            f,
            "tổ dân phố / residential groups: thêm / added {}",
            self.groups_added
        )?;
        writeln!(f, "đoạn tuyến / segments: {}", self.segments)?;
        writeln!(f, "thửa đất / parcels: {}", self.parcels)?;
        if let Some(h) = &self.households {
            writeln!(f, "hộ gia đình / households: {h}")?;
        }
        if let Some(c) = &self.structures {
            writeln!(f, "công trình trên đất / structures: {c}")?;
        }
        if let Some(o) = &self.org {
            writeln!(f, "tổ chức / organisation: {o}")?;
        }
        writeln!(
            f,
            "tính lại diện tích hiến / donations measured again: {} thửa / parcels, {} dòng / rows",
            self.parcels_measured, self.donations_written
        )?;
        if !self.warnings.is_empty() {
            writeln!(f, "cảnh báo / warnings: {}", self.warnings.len())?;
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

/// `(min, max)` lon/lat of points.
fn lonlat_box<'a>(pts: impl Iterator<Item = &'a [f64; 2]>) -> Option<[[f64; 2]; 2]> {
    pts.fold(None, |b, p| {
        Some(match b {
            None => [*p, *p],
            Some([lo, hi]) => [
                [lo[0].min(p[0]), lo[1].min(p[1])],
                [hi[0].max(p[0]), hi[1].max(p[1])],
            ],
        })
    })
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

impl Store {
    /// Imports segments, parcels, corridors and households (see the module
    /// docs); with `dry_run` everything is done and counted, then rolled back.
    pub fn import(
        &mut self,
        crs: &Crs,
        input: ImportInput<'_>,
        dry_run: bool,
    ) -> Result<ImportSummary> {
        let step = |s: ImportStep| {
            if let Some(p) = input.progress {
                p(s)
            }
        };
        step(ImportStep::Validate);
        let report = compute::check(input.segments, input.parcels, input.corridors);
        if !report.errors.is_empty() {
            return Err(StoreError::Invalid(report.errors));
        }
        let tx = self.conn.transaction()?;
        let mut summary = ImportSummary {
            dry_run,
            warnings: report.warnings,
            ..ImportSummary::default()
        };
        step(ImportStep::Write);
        let groups = upsert_groups(&tx, input.parcels, &mut summary)?;
        let changed_segments = upsert_segments(&tx, &input, &mut summary)?;
        let mut affected = upsert_parcels(&tx, input.parcels, &groups, &mut summary)?;
        let parcels_changed = summary.parcels.added + summary.parcels.updated > 0;
        let mut corridors_changed = !changed_segments.is_empty();
        let measured_in: Option<String> = tx
            .query_row("SELECT value FROM meta WHERE key = 'crs'", [], |r| r.get(0))
            .optional()?;
        if measured_in.as_deref() != Some(crs.proj_string()) {
            let mut st = tx.prepare("SELECT id FROM parcels")?;
            let all = st.query_map([], |r| r.get::<_, i64>(0))?;
            for k in all {
                affected.insert(k?);
            }
            tx.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('crs', ?1)",
                [crs.proj_string()],
            )?;
            corridors_changed = true;
        }
        affected.extend(parcels_near(&tx, &changed_segments)?);
        step(ImportStep::Measure);
        remeasure(&tx, crs, input.parcels, &affected, &mut summary)?;
        if let Some(h) = input.households {
            step(ImportStep::Households);
            summary.households = Some(upsert_households(&tx, h)?);
        }
        if let Some(st) = input.structures {
            step(ImportStep::Structures);
            summary.structures = Some(replace_structures(&tx, st)?);
        }
        if let Some(org) = input.org {
            step(ImportStep::Organisation);
            summary.org = Some(super::org::replace_org(&tx, org)?);
        }
        step(ImportStep::Summarise);
        if corridors_changed {
            super::outlines::refresh_corridors(&tx, crs)?;
        }
        if parcels_changed || summary.parcels_measured > 0 {
            super::outlines::refresh_segment_groups(&tx)?;
        }
        if parcels_changed {
            super::outlines::refresh_groups(&tx)?;
        }
        if !summary.is_unchanged() {
            // Pages polling Store::data_version reload.
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('imports', '1')
                 ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
                [],
            )?;
        }
        step(ImportStep::Commit);
        if dry_run {
            tx.rollback()?;
        } else {
            tx.commit()?;
        }
        Ok(summary)
    }
}

fn upsert_groups(
    tx: &Transaction,
    parcels: &[ParcelInput],
    summary: &mut ImportSummary,
) -> Result<HashMap<String, i64>> {
    let mut groups: HashMap<String, i64> = HashMap::new();
    {
        let mut st = tx.prepare("SELECT name, id FROM residential_groups")?;
        for row in st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))? {
            let (name, id) = row?;
            groups.insert(name, id);
        }
    }
    let mut ins = tx.prepare("INSERT INTO residential_groups (name) VALUES (?1)")?;
    for name in parcels
        .iter()
        .filter_map(|p| p.residential_group.as_deref())
    {
        if !groups.contains_key(name) {
            ins.execute([name])?;
            groups.insert(name.to_string(), tx.last_insert_rowid());
            summary.groups_added += 1;
        }
    }
    Ok(groups)
}

/// Upserts the segments; returns the keys and lon/lat search boxes of those
/// whose geometry is new or changed.
fn upsert_segments(
    tx: &Transaction,
    input: &ImportInput,
    summary: &mut ImportSummary,
) -> Result<Vec<(i64, [[f64; 2]; 2])>> {
    let mut existing: HashMap<String, SegmentRow> = HashMap::new();
    {
        let mut st =
            tx.prepare("SELECT fid, id, name, current_width_m, geometry_hash FROM segments")?;
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
    for c in input.corridors {
        given
            .entry(&c.segment_id)
            .or_default()
            .extend(c.polygons.iter().cloned());
    }
    let mut insert = tx.prepare(
        "INSERT INTO segments (fid, fid_is_number, name, current_width_m, planned_width_m,
           planned_left_m, planned_right_m, centerline, corridor, geometry_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut update = tx.prepare(
        "UPDATE segments SET name = ?2, current_width_m = ?3, planned_width_m = ?4,
           planned_left_m = ?5, planned_right_m = ?6, centerline = ?7, corridor = ?8,
           geometry_hash = ?9
         WHERE id = ?1",
    )?;
    let mut changed = Vec::new();
    for s in input.segments {
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
        summary.segments.count(change);
        let geometry_changed = existing.get(s.id.as_str()).is_none_or(|r| r.hash != hash);
        if geometry_changed {
            changed.push((key, search_box(s, given.get(&s.id))));
        }
    }
    Ok(changed)
}

/// A lon/lat box that holds the segment's corridor, generously.
fn search_box(s: &SegmentInput, given: Option<&Vec<Vec<Vec<[f64; 2]>>>>) -> [[f64; 2]; 2] {
    let mut b = lonlat_box(s.lines.iter().flatten()).unwrap_or([[0.0; 2]; 2]);
    let (l, r) = compute::half_widths(s);
    let reach_m = 5.0 * l.max(r) + 1.0;
    let dlat = reach_m / 110_000.0;
    let dlon = dlat
        / b[1][1]
            .abs()
            .max(b[0][1].abs())
            .to_radians()
            .cos()
            .max(0.01);
    b = [
        [b[0][0] - dlon, b[0][1] - dlat],
        [b[1][0] + dlon, b[1][1] + dlat],
    ];
    if let Some(c) = given.and_then(|p| lonlat_box(p.iter().flatten().flatten())) {
        b = [
            [b[0][0].min(c[0][0]), b[0][1].min(c[0][1])],
            [b[1][0].max(c[1][0]), b[1][1].max(c[1][1])],
        ];
    }
    b
}

/// Upserts the parcels; returns the keys of those that are new or whose
/// geometry changed.
fn upsert_parcels(
    tx: &Transaction,
    parcels: &[ParcelInput],
    groups: &HashMap<String, i64>,
    summary: &mut ImportSummary,
) -> Result<BTreeSet<i64>> {
    let mut existing: HashMap<String, ParcelRow> = HashMap::new();
    {
        let mut st = tx.prepare(
            "SELECT fid, id, map_sheet, parcel_no, owner, land_use, residential_group, geometry_hash
             FROM parcels",
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
        "INSERT INTO parcels (fid, fid_is_number, map_sheet, parcel_no, owner, land_use,
           residential_group, geometry, geometry_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
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
        summary.parcels.count(change);
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
fn parcels_near(tx: &Transaction, segments: &[(i64, [[f64; 2]; 2])]) -> Result<BTreeSet<i64>> {
    let mut out = BTreeSet::new();
    let mut old = tx.prepare("SELECT parcel FROM donations WHERE segment = ?1")?;
    let mut near = tx.prepare(
        "SELECT id FROM parcel_bbox
         WHERE max_lon >= ?1 AND min_lon <= ?2 AND max_lat >= ?3 AND min_lat <= ?4",
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
         FROM segments ORDER BY id",
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

/// Measures the `affected` parcels again and replaces their donation rows.
fn remeasure(
    tx: &Transaction,
    crs: &Crs,
    input: &[ParcelInput],
    affected: &BTreeSet<i64>,
    summary: &mut ImportSummary,
) -> Result<()> {
    if affected.is_empty() {
        return Ok(());
    }
    let (seg_keys, segs, corridors) = all_segments(tx)?;
    let by_fid: HashMap<&str, &ParcelInput> = input.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut keys = Vec::with_capacity(affected.len());
    let mut parcels = Vec::with_capacity(affected.len());
    {
        let mut st =
            tx.prepare_cached("SELECT fid, fid_is_number, geometry FROM parcels WHERE id = ?1")?;
        let mut clear = tx.prepare_cached("DELETE FROM donations WHERE parcel = ?1")?;
        for &k in affected {
            clear.execute([k])?;
            let (fid, is_number): (String, bool) =
                st.query_row([k], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let p = match by_fid.get(fid.as_str()) {
                Some(p) => (*p).clone(),
                None => {
                    let geometry: Vec<u8> = st.query_row([k], |r| r.get(2))?;
                    ParcelInput {
                        id: feature_id(fid, is_number),
                        map_sheet: None,
                        parcel_no: None,
                        owner: None,
                        residential_group: None,
                        land_use: None,
                        polygons: wkb::read_multi_polygon(&geometry)?,
                    }
                }
            };
            keys.push(k);
            parcels.push(p);
        }
    }
    summary.parcels_measured = parcels.len();
    if segs.is_empty() {
        return Ok(());
    }
    let projected = compute::project(crs, &segs, &parcels, &corridors)?;
    let measured = compute::measure(projected, &segs, &parcels);
    let mut ins = tx.prepare(
        "INSERT INTO donations (parcel, segment, area_in_corridor_m2, attributed_area_m2,
           frontage_m, depth_mean_m, depth_max_m)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for d in &measured.pairs {
        ins.execute((
            keys[d.parcel as usize],
            seg_keys[d.segment as usize],
            d.area_in_corridor_m2,
            d.attributed_area_m2,
            d.frontage_m,
            d.depth_mean_m,
            d.depth_max_m,
        ))?;
    }
    summary.donations_written = measured.pairs.len();
    Ok(())
}

fn upsert_households(tx: &Transaction, households: &[HouseholdInput]) -> Result<LayerCounts> {
    let mut counts = LayerCounts::default();
    let mut parcel = tx.prepare_cached("SELECT id FROM parcels WHERE fid = ?1")?;
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
    let mut parcel = tx.prepare_cached("SELECT id FROM parcels WHERE fid = ?1")?;
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
    let mut insert = tx.prepare_cached(
        "INSERT INTO structures (parcel, kind, quantity, unit, value_vnd, donated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for k in order {
        let rows = &by_parcel[&k];
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
        counts.removed += clear.execute([k])?;
        for s in rows {
            insert.execute((
                k,
                s.kind.code(),
                s.quantity,
                s.unit.code(),
                s.value_vnd,
                s.donated,
            ))?;
        }
        counts.added += rows.len();
        counts.parcels_replaced += 1;
    }
    Ok(counts)
}
