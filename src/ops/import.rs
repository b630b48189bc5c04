//! Importing segments, parcels (with their corridors), households,
//! structures and the organisation: the one place the steps are put
//! together, for the CLI ([`import_files`]), the demo and the tests
//! ([`import`]).
//!
//! The input is validated first ([`compute::check`]: every error at once,
//! nothing written). Then, in the store's one transaction ([`ImportTx`]),
//! residential groups, segments, parcels and households are upserted, keyed
//! by the ids the files give, and each feature is counted as added, updated
//! or unchanged. Features that are in the database but not in the files are
//! left as they are. Structures on the land are replaced per parcel: every
//! parcel the structures file names gets exactly the file's rows (a parcel
//! whose rows are the same is left as it is); parcels it does not name keep
//! theirs. A failure anywhere drops the transaction: nothing is written.
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
//!    generous box around the new corridor ([`search_box`]), found in the
//!    store's R*Tree;
//! 3. every parcel, when the CRS differs from the one the donations were
//!    measured in.
//!
//! Those parcels are measured against every segment in the database (after
//! the upsert) with [`compute::project`] and [`compute::measure`], and the
//! store replaces their donation rows. A superset is harmless: measuring a
//! parcel again gives the same figures.
//!
//! ## Partial imports
//!
//! Either layer may come alone (issue 17, item 7), under the same rules: the
//! features the files name are upserted by id (events, histories, versions
//! and households of a parcel are its row's and stay), the others are kept
//! as they are, and the parcels above are measured again.
//!
//! - Parcels alone (a surveyor's corrected parcel file): the stored segments
//!   are kept; the new and reshaped parcels are measured against them (rule 1:
//!   a parcel's donation depends on nothing else).
//! - Segments alone: the stored parcels are kept; those near a new or
//!   changed segment are measured again (rule 2: every parcel whose pairs can
//!   change, found through the R*Tree, not the whole ward).
//! - Parcels alone into a ward without segments are refused
//!   ([`ImportError::NoSegments`]): there is nothing to measure them against,
//!   and a missing `--segments` is the likelier mistake. Segments alone into an
//!   empty ward are taken: a segment with no parcels is a road whose
//!   survey has not come yet (0 m² to donate, not complete), and a later
//!   parcels-alone import measures against it.
//!
//! The summary says what was kept (stored features the files did not name)
//! and whose donations moved: the parcels whose (segment, attributed area)
//! pairs differ from those stored before by more than [`MOVED_M2`] (a new
//! parcel's, from none), and how the total donated area changed with them.

use super::compute::{self, ComputeError};
use super::files::read;
use crate::campaign::org::Org;
use crate::campaign::structures::StructureInput;
use crate::campaign::{CorridorInput, FeatureId, HouseholdInput, ParcelInput, SegmentInput};
use crate::geometry::crs::{Crs, DEFAULT_CRS};
use crate::geometry::outline::{self, Rings};
use crate::geometry::project::{lonlat_box, search_box};
use crate::geometry::validate::{Issue, Reason};
use crate::store::{ImportTx, LayerCounts, OrgCounts, Store, StoreError, StructureCounts};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

/// A donated area that changed by less than this (m², a 10 × 10 cm square)
/// did not move: measuring a parcel again may differ in the last bits.
pub const MOVED_M2: f64 = 0.01;

/// How far (m) a partially imported feature may lie from the extent of the
/// layer kept before it is named (the validator's floor for "far from the
/// rest of the data").
const FAR_FROM_WARD_M: f64 = 20_000.0;

/// How many ids of parcels whose donations moved the summary lists.
const MOVED_LISTED: usize = 20;

/// How far (degrees, about 1 m) a group's drawn outline may stray from
/// its parcels' edges: enough to drop the vertices of every back fence.
const GROUP_TOLERANCE_DEG: f64 = 1e-5;

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The input failed validation: every error, nothing written.
    #[error(
        "{} lỗi trong dữ liệu, không nhập gì / {} errors in the input, nothing imported",
        .0.len(),
        .0.len()
    )]
    Invalid(Vec<Issue>),
    #[error(transparent)]
    Compute(#[from] ComputeError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file that cannot be read, or a flag that cannot be taken.
    #[error("{0}")]
    Files(String),
    /// Parcels alone into a ward that has no segments (a partial import
    /// needs the other layer stored).
    #[error(
        "chưa có đoạn tuyến nào trong cơ sở dữ liệu: thửa đất nhập riêng được đo với các đoạn tuyến đã nhập trước; hãy nhập --segments cùng --parcels, không ghi gì / the database has no segments yet: parcels imported alone are measured against the segments imported before; import --segments with --parcels (nothing written)"
    )]
    NoSegments,
    /// A partial import whose ids are the file's positions 1..N (no id
    /// field, no usable parcel numbers) and name stored features: they would
    /// be overwritten by whatever shapes came in that order.
    #[error("{0}")]
    PositionIds(String),
}

/// Which layers' ids are their features' positions in the file (1..N): a
/// surveyor's file without an id field ([`crate::formats::mapping::Mapped`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct PositionIds {
    pub segments: bool,
    pub parcels: bool,
}

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
    pub org: Option<&'a Org>,
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
    pub org: Option<OrgCounts>,
    /// Parcels whose donations were measured again.
    pub parcels_measured: usize,
    /// Donation rows written for them.
    pub donations_written: usize,
    /// Stored segments the files did not name, kept as they are (all of
    /// them when the segments did not come).
    pub segments_kept: usize,
    /// Stored parcels the files did not name, kept as they are.
    pub parcels_kept: usize,
    /// Parcels whose donations moved (see the module docs), and the first
    /// [`MOVED_LISTED`] of their ids (by row id).
    pub donations_moved: usize,
    pub moved_ids: Vec<FeatureId>,
    /// How much the total donated (attributed) area changed, m²: the sum
    /// over the parcels whose donations moved.
    pub donated_change_m2: f64,
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
        if self.segments_kept > 0 {
            writeln!(
                f,
                "Giữ nguyên {n} đoạn tuyến không có trong tệp / kept {n} segment{} not in the files",
                plural(self.segments_kept),
                n = self.segments_kept
            )?;
        }
        writeln!(f, "thửa đất / parcels: {}", self.parcels)?;
        if self.parcels_kept > 0 {
            writeln!(
                f,
                "Giữ nguyên {n} thửa đất không có trong tệp / kept {n} parcel{} not in the files",
                plural(self.parcels_kept),
                n = self.parcels_kept
            )?;
        }
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
        if self.parcels_measured > 0 {
            use crate::report::{Kind, format_vi};
            let sign = if self.donated_change_m2 > 0.0 {
                "+"
            } else {
                ""
            };
            writeln!(
                f,
                "diện tích hiến thay đổi ở {n} thửa, tổng {sign}{a} m² / donations moved on {n} parcel{}, {sign}{a} m² in total",
                plural(self.donations_moved),
                n = self.donations_moved,
                a = format_vi(self.donated_change_m2, Kind::Area)
            )?;
            if !self.moved_ids.is_empty() {
                let ids: Vec<String> = self.moved_ids.iter().map(|i| i.to_string()).collect();
                let more = self.donations_moved - self.moved_ids.len();
                write!(f, "  thửa / parcels: {}", ids.join(", "))?;
                if more > 0 {
                    write!(f, " … và {more} thửa khác / and {more} more")?;
                }
                writeln!(f)?;
            }
        }
        if !self.warnings.is_empty() {
            writeln!(f, "cảnh báo / warnings: {}", self.warnings.len())?;
        }
        Ok(())
    }
}

/// The English plural's "s" for `n` things.
fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Imports segments, parcels, corridors, households, structures and the
/// organisation into `store` (see the module docs); with `dry_run`
/// everything is done and counted, then rolled back.
pub fn import(
    store: &mut Store,
    crs: &Crs,
    input: ImportInput<'_>,
    dry_run: bool,
) -> Result<ImportSummary, ImportError> {
    import_with(store, crs, input, PositionIds::default(), dry_run)
}

/// [`import`], told which layers' ids are file positions: a partial import
/// of such a layer must not meet stored ids ([`ids::positions_meet_stored`]).
fn import_with(
    store: &mut Store,
    crs: &Crs,
    input: ImportInput<'_>,
    positions: PositionIds,
    dry_run: bool,
) -> Result<ImportSummary, ImportError> {
    let step = |s: ImportStep| {
        if let Some(p) = input.progress {
            p(s)
        }
    };
    step(ImportStep::Validate);
    let mut report = compute::check(input.segments, input.parcels, input.corridors);
    report.errors.extend(ids::same_text(&input));
    if !report.errors.is_empty() {
        return Err(ImportError::Invalid(report.errors));
    }
    let mut tx = store.begin_import()?;
    let (stored_segments, stored_parcels) = tx.layer_totals()?;
    if input.segments.is_empty() && !input.parcels.is_empty() && stored_segments == 0 {
        return Err(ImportError::NoSegments);
    }
    ids::positions_meet_stored(&tx, &input, positions)?;
    let mut warnings = report.warnings;
    // each far feature named once: the file's own check may have found it
    let named: std::collections::HashSet<_> = warnings
        .iter()
        .filter(|w| matches!(w.reason, Reason::FarFromData { .. }))
        .map(|w| (w.layer, w.index))
        .collect();
    let far = far_from_ward(&tx, &input)?;
    warnings.extend(
        far.into_iter()
            .filter(|w| !named.contains(&(w.layer, w.index))),
    );
    let mut summary = ImportSummary {
        dry_run,
        warnings,
        ..ImportSummary::default()
    };
    step(ImportStep::Write);
    let up = tx.upsert_layers(input.segments, input.parcels, input.corridors)?;
    summary.groups_added = up.groups_added;
    summary.segments = up.segments;
    summary.parcels = up.parcels;
    // ids are unique in the files, by the text the store keys rows with
    // (validated, [`ids::same_text`]): the stored features they named are
    // the updated and unchanged ones
    let kept = |stored: usize, c: LayerCounts| {
        stored.saturating_sub(c.updated).saturating_sub(c.unchanged)
    };
    summary.segments_kept = kept(stored_segments, up.segments);
    summary.parcels_kept = kept(stored_parcels, up.parcels);
    let mut affected = up.changed_parcels;
    let parcels_changed = summary.parcels.added + summary.parcels.updated > 0;
    let mut corridors_changed = !up.changed_segments.is_empty();
    if tx.measured_in()?.as_deref() != Some(crs.proj_string()) {
        affected.extend(tx.parcel_keys()?);
        tx.set_measured_in(crs.proj_string())?;
        corridors_changed = true;
    }
    affected.extend(tx.parcels_near(&search_boxes(&input, &up.changed_segments))?);
    step(ImportStep::Measure);
    remeasure(&tx, crs, input.parcels, &affected, &mut summary)?;
    if let Some(h) = input.households {
        step(ImportStep::Households);
        summary.households = Some(tx.upsert_households(h)?);
    }
    if let Some(st) = input.structures {
        step(ImportStep::Structures);
        summary.structures = Some(tx.replace_structures(st)?);
    }
    if let Some(org) = input.org {
        step(ImportStep::Organisation);
        summary.org = Some(tx.replace_org(org)?);
    }
    step(ImportStep::Summarise);
    if corridors_changed {
        corridor_outlines(&tx, crs)?;
    }
    if parcels_changed || summary.parcels_measured > 0 {
        tx.refresh_segment_groups()?;
    }
    if parcels_changed {
        group_outlines(&tx)?;
    }
    if !summary.is_unchanged() {
        tx.count_import()?;
    }
    step(ImportStep::Commit);
    tx.finish(dry_run)?;
    Ok(summary)
}

/// A partial import's features that lie more than [`FAR_FROM_WARD_M`] from
/// the kept layer's extent (the stored segments' for parcels alone, the
/// stored parcels' for segments alone): warnings, as the validator's "far
/// from the rest of the data" (a file in another zone or CRS, say), which a
/// file of one layer cannot find alone.
fn far_from_ward(tx: &ImportTx, input: &ImportInput) -> Result<Vec<Issue>, ImportError> {
    use crate::geometry::validate::Layer;
    type Box = Option<[[f64; 2]; 2]>;
    let (layer, extent, boxes): (Layer, Box, Vec<(&FeatureId, Box)>) =
        match (input.segments.is_empty(), input.parcels.is_empty()) {
            (true, false) => {
                let (_, segs, _) = tx.segments()?;
                let extent = lonlat_box(segs.iter().flat_map(|s| s.lines.iter().flatten()));
                let boxes = input
                    .parcels
                    .iter()
                    .map(|p| (&p.id, lonlat_box(p.polygons.iter().flatten().flatten())))
                    .collect();
                (Layer::Parcel, extent, boxes)
            }
            (false, true) => {
                let boxes = input
                    .segments
                    .iter()
                    .map(|s| (&s.id, lonlat_box(s.lines.iter().flatten())))
                    .collect();
                (Layer::Segment, tx.parcels_extent()?, boxes)
            }
            _ => return Ok(Vec::new()),
        };
    let Some([lo, hi]) = extent else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (index, (id, b)) in boxes.into_iter().enumerate() {
        let Some([a, b]) = b else { continue };
        let c = [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
        // metres per degree, near enough at ward scale
        let (kx, ky) = (111_320.0 * c[1].to_radians().cos(), 110_574.0);
        let dx = (lo[0] - c[0]).max(c[0] - hi[0]).max(0.0) * kx;
        let dy = (lo[1] - c[1]).max(c[1] - hi[1]).max(0.0) * ky;
        let distance_m = dx.hypot(dy);
        if distance_m > FAR_FROM_WARD_M {
            out.push(Issue {
                layer,
                id: id.clone(),
                index,
                reason: Reason::FarFromData {
                    distance_m,
                    limit_m: FAR_FROM_WARD_M,
                },
                at: Some(c),
            });
        }
    }
    Ok(out)
}

/// The lon/lat search boxes of the changed segments (row id, input position).
fn search_boxes(input: &ImportInput, changed: &[(i64, usize)]) -> Vec<(i64, [[f64; 2]; 2])> {
    if changed.is_empty() {
        return Vec::new();
    }
    let mut given: HashMap<&FeatureId, Vec<&CorridorInput>> = HashMap::new();
    for c in input.corridors {
        given.entry(&c.segment_id).or_default().push(c);
    }
    changed
        .iter()
        .map(|&(key, i)| {
            let s = &input.segments[i];
            let pts = given
                .get(&s.id)
                .into_iter()
                .flatten()
                .flat_map(|c| c.polygons.iter().flatten().flatten());
            (key, search_box(s, pts))
        })
        .collect()
}

/// Measures the `affected` parcels (row ids) again against every stored
/// segment; the store replaces their donation rows.
fn remeasure(
    tx: &ImportTx,
    crs: &Crs,
    input: &[ParcelInput],
    affected: &BTreeSet<i64>,
    summary: &mut ImportSummary,
) -> Result<(), ImportError> {
    if affected.is_empty() {
        return Ok(());
    }
    let (seg_keys, segs, corridors) = tx.segments()?;
    let by_fid: HashMap<&str, &ParcelInput> = input.iter().map(|p| (p.id.as_str(), p)).collect();
    let keys: Vec<i64> = affected.iter().copied().collect();
    let mut parcels = Vec::with_capacity(keys.len());
    for &k in &keys {
        let id = tx.parcel_id(k)?;
        parcels.push(match by_fid.get(id.as_str()) {
            Some(p) => (*p).clone(),
            None => tx.stored_parcel(k)?,
        });
    }
    summary.parcels_measured = parcels.len();
    let before = tx.attributed_of(&keys)?;
    let pairs = if segs.is_empty() {
        Vec::new()
    } else {
        let projected = compute::project(crs, &segs, &parcels, &corridors)?;
        compute::measure(projected, &segs, &parcels).pairs
    };
    tx.replace_donations(&keys, &seg_keys, &pairs)?;
    summary.donations_written = pairs.len();
    let after: Vec<(i64, i64, f64)> = pairs
        .iter()
        .map(|d| {
            (
                keys[d.parcel as usize],
                seg_keys[d.segment as usize],
                d.attributed_area_m2,
            )
        })
        .collect();
    let moved = moved(&before, &after);
    summary.donations_moved = moved.len();
    summary.donated_change_m2 = moved.values().sum();
    // `keys` is sorted: the first ids by row id
    let index: HashMap<i64, usize> = keys.iter().enumerate().map(|(i, &k)| (k, i)).collect();
    summary.moved_ids = moved
        .keys()
        .take(MOVED_LISTED)
        .map(|k| parcels[index[k]].id.clone())
        .collect();
    Ok(())
}

/// The parcels (row ids) whose donations moved from `before` to `after`
/// (both (parcel, segment, attributed m²)): a pair that appears or goes, or
/// whose area changes by [`MOVED_M2`] or more; with each one's change of
/// its total (m²).
fn moved(before: &[(i64, i64, f64)], after: &[(i64, i64, f64)]) -> BTreeMap<i64, f64> {
    // (parcel, segment, before?, area), sorted: a parcel's pairs together,
    // each pair's before and after side by side
    let mut rows: Vec<(i64, i64, bool, f64)> = before
        .iter()
        .map(|&(p, s, a)| (p, s, true, a))
        .chain(after.iter().map(|&(p, s, a)| (p, s, false, a)))
        .collect();
    rows.sort_unstable_by_key(|&(p, s, is_before, _)| (p, s, !is_before));
    let mut out = BTreeMap::new();
    for parcel in rows.chunk_by(|x, y| x.0 == y.0) {
        let mut moves = false;
        for pair in parcel.chunk_by(|x, y| x.1 == y.1) {
            moves |= match pair {
                [(.., true, b), (.., false, a)] => (a - b).abs() >= MOVED_M2,
                _ => true, // there before only, or after only
            };
        }
        if moves {
            let change: f64 = parcel
                .iter()
                .map(|&(.., is_before, a)| if is_before { -a } else { a })
                .sum();
            out.insert(parcel[0].0, change);
        }
    }
    out
}

/// Derives every segment's corridor outline again, in `crs`.
fn corridor_outlines(tx: &ImportTx, crs: &Crs) -> Result<(), ImportError> {
    let (keys, segs, corridors) = tx.segments()?;
    let outlines = compute::corridor_outlines(crs, &segs, &corridors)?;
    tx.write_corridor_outlines(&keys, &outlines)?;
    Ok(())
}

/// Derives every residential group's outline again: its parcels merged.
fn group_outlines(tx: &ImportTx) -> Result<(), ImportError> {
    let parcels = tx.group_parcels()?;
    let outlines: Vec<(i64, Vec<Rings>)> = parcels
        .par_iter()
        .map(|(g, polys)| {
            let mut merged = outline::union(polys.iter().map(Vec::as_slice), GROUP_TOLERANCE_DEG);
            for p in &mut merged {
                // The courtyards and slivers between lots are the
                // group's too: the exterior alone is its outline.
                p.truncate(1);
                for pt in p.iter_mut().flatten() {
                    *pt = pt.map(|v| (v * 1e7).round() / 1e7);
                }
            }
            (*g, merged)
        })
        .collect();
    tx.write_group_outlines(&outlines)?;
    Ok(())
}

/// Opens the database file (creating it if needed, bringing it up to the
/// current schema) and derives the outlines a file that predates them
/// lacks, in the CRS its donations were measured in (none yet: no
/// corridors to draw).
pub fn open(path: impl AsRef<Path>) -> Result<Store, ImportError> {
    let mut store = Store::open(path)?;
    fill_outlines(&mut store)?;
    Ok(store)
}

/// Derives the outlines if the store says they wait to be.
fn fill_outlines(store: &mut Store) -> Result<(), ImportError> {
    let tx = store.begin_import()?;
    if !tx.outlines_stale()? {
        return Ok(());
    }
    if let Some(crs) = tx.measured_in()? {
        let crs = Crs::parse(&crs).map_err(|e| StoreError::Corrupt(format!("crs: {e}")))?;
        corridor_outlines(&tx, &crs)?;
    }
    group_outlines(&tx)?;
    tx.outlines_derived()?;
    tx.finish(false)?;
    Ok(())
}

#[path = "import_files.rs"]
mod files_in;
pub use files_in::{FileImport, ImportFiles, import_files, select_ward};

#[path = "import_ids.rs"]
mod ids;

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;
