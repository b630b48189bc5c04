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

use super::compute::{self, ComputeError};
use super::files::read;
use crate::campaign::org::Org;
use crate::campaign::structures::StructureInput;
use crate::campaign::{CorridorInput, FeatureId, HouseholdInput, ParcelInput, SegmentInput};
use crate::geometry::crs::{Crs, DEFAULT_CRS};
use crate::geometry::outline::{self, Rings};
use crate::geometry::project::search_box;
use crate::geometry::validate::Issue;
use crate::store::{ImportTx, LayerCounts, OrgCounts, Store, StoreError, StructureCounts};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

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

/// Imports segments, parcels, corridors, households, structures and the
/// organisation into `store` (see the module docs); with `dry_run`
/// everything is done and counted, then rolled back.
pub fn import(
    store: &mut Store,
    crs: &Crs,
    input: ImportInput<'_>,
    dry_run: bool,
) -> Result<ImportSummary, ImportError> {
    let step = |s: ImportStep| {
        if let Some(p) = input.progress {
            p(s)
        }
    };
    step(ImportStep::Validate);
    let report = compute::check(input.segments, input.parcels, input.corridors);
    if !report.errors.is_empty() {
        return Err(ImportError::Invalid(report.errors));
    }
    let mut tx = store.begin_import()?;
    let mut summary = ImportSummary {
        dry_run,
        warnings: report.warnings,
        ..ImportSummary::default()
    };
    step(ImportStep::Write);
    let up = tx.upsert_layers(input.segments, input.parcels, input.corridors)?;
    summary.groups_added = up.groups_added;
    summary.segments = up.segments;
    summary.parcels = up.parcels;
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
    if segs.is_empty() {
        tx.replace_donations(&keys, &seg_keys, &[])?;
        return Ok(());
    }
    let projected = compute::project(crs, &segs, &parcels, &corridors)?;
    let measured = compute::measure(projected, &segs, &parcels);
    tx.replace_donations(&keys, &seg_keys, &measured.pairs)?;
    summary.donations_written = measured.pairs.len();
    Ok(())
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

/// The files of an import and how to read them (the CLI's flags).
#[derive(Debug, Clone, Default)]
pub struct ImportFiles {
    pub segments: PathBuf,
    pub parcels: PathBuf,
    /// Planned right-of-way polygons (GeoJSON, each with `segment_id`).
    pub corridors: Option<PathBuf>,
    pub households: Option<PathBuf>,
    pub structures: Option<PathBuf>,
    /// CRS of files that state none; when projected, also the CRS donations
    /// are measured in (default: the database's, else [`DEFAULT_CRS`]).
    pub crs: Option<String>,
    /// `NAME=FIELD` pairs.
    pub fields: Vec<String>,
    /// A file of `NAME=FIELD` lines.
    pub mapping: Option<PathBuf>,
    /// Text encoding of .dbf files.
    pub encoding: Option<String>,
    pub dxf_layers: Vec<String>,
    pub segments_layer: Option<String>,
    pub parcels_layer: Option<String>,
}

/// An import of files into a database file.
pub struct FileImport<'a> {
    pub db: &'a Path,
    pub files: &'a ImportFiles,
    /// The organisation, already read (and checked) by the caller.
    pub org: Option<&'a Org>,
    /// The ward's name for report headers (not stored on a dry run).
    pub ward: Option<&'a str>,
    pub dry_run: bool,
    /// Told what the readers noticed (a guessed encoding, a layer chosen...).
    pub note: &'a dyn Fn(&str),
    /// Told each step as it starts.
    pub progress: Option<&'a dyn Fn(ImportStep)>,
}

/// Reads the files (GeoJSON, or any surveyor's format), opens the database
/// and imports them: the `hiendat import` command.
pub fn import_files(req: &FileImport) -> Result<ImportSummary, ImportError> {
    use crate::formats::mapping::FieldMap;
    use crate::formats::surveyor::{self, ReadOptions, Source};
    use crate::formats::{geojson_read, households, shp, srs, structures};
    let a = req.files;
    let bad = ImportError::Files;
    let mut pairs: Vec<String> = a.fields.clone();
    if let Some(m) = &a.mapping {
        let bytes = super::files::read_within(m, crate::formats::limits::Limits::DEFAULT.csv_bytes)
            .map_err(bad)?;
        let text = std::str::from_utf8(&bytes).map_err(|e| bad(format!("{}: {e}", m.display())))?;
        pairs.extend(text.lines().map(str::to_string));
    }
    let fields = FieldMap::parse(pairs.iter().map(String::as_str)).map_err(bad)?;
    let encoding = match &a.encoding {
        Some(e) => Some(shp::Encoding::from_name(e).ok_or_else(|| {
            bad(format!("--encoding {e}: không biết bảng mã / unknown encoding (utf8, tcvn3, vni, 1252, 1258)"))
        })?),
        None => None,
    };
    // The measuring CRS: a projected --crs, else the database's, else the default.
    // (a geographic --crs, WGS 84 or HN-72's EPSG:4147, is the files' only)
    let crs = match a.crs.as_deref().map(crate::formats::srs::SourceCrs::parse) {
        Some(Ok(crate::formats::srs::SourceCrs::Projected(c))) => c,
        Some(Err(e)) => return Err(bad(format!("--crs: {e}"))),
        _ => {
            let stored = if req.db.exists() {
                Store::open(req.db)?.meta("crs")?
            } else {
                None
            };
            Crs::parse(stored.as_deref().unwrap_or(DEFAULT_CRS)).map_err(|e| bad(e.to_string()))?
        }
    };
    let opts = |layer: &Option<String>| ReadOptions {
        crs: a.crs.clone(),
        fields: fields.clone(),
        encoding,
        dxf_layers: a.dxf_layers.clone(),
        layer: layer.clone(),
    };
    let say = |notes: &[String]| {
        for n in notes {
            (req.note)(n);
        }
    };
    let file = |p: &Path| read(p).map_err(bad);
    let named = |p: &Path, e: geojson_read::ReadError| bad(format!("{}: {e}", p.display()));
    let source = |p: &Path| Source::of(p).map_err(|e| bad(e.to_string()));
    // A GeoJSON `crs` member (urn:ogc:def:crs:EPSG::N): converted like any file's CRS.
    let stated = |p: &Path, r: Result<Option<String>, String>| match r {
        Ok(said) => {
            say(&said.into_iter().collect::<Vec<_>>());
            Ok(())
        }
        Err(e) => Err(bad(format!("{}: {e}", p.display()))),
    };
    let segments = if source(&a.segments)? == Source::Geojson {
        let bytes = file(&a.segments)?;
        let mut v = geojson_read::read_segments(&bytes).map_err(|e| named(&a.segments, e))?;
        let parts = v
            .iter_mut()
            .map(|f| (f.id.to_string(), f.lines.iter_mut().collect()));
        stated(&a.segments, srs::geojson_to_wgs84(&bytes, parts))?;
        v
    } else {
        let m = surveyor::read_segments(&a.segments, &opts(&a.segments_layer))
            .map_err(|e| bad(e.to_string()))?;
        say(&m.notes);
        m.features
    };
    let parcels = if source(&a.parcels)? == Source::Geojson {
        let bytes = file(&a.parcels)?;
        let mut v = geojson_read::read_parcels(&bytes).map_err(|e| named(&a.parcels, e))?;
        let parts = v
            .iter_mut()
            .map(|f| (f.id.to_string(), f.polygons.iter_mut().flatten().collect()));
        stated(&a.parcels, srs::geojson_to_wgs84(&bytes, parts))?;
        v
    } else {
        let m = surveyor::read_parcels(&a.parcels, &opts(&a.parcels_layer))
            .map_err(|e| bad(e.to_string()))?;
        say(&m.notes);
        m.features
    };
    let corridors = match &a.corridors {
        Some(p) => {
            let bytes = file(p)?;
            let mut v = geojson_read::read_corridors(&bytes).map_err(|e| named(p, e))?;
            let parts = v.iter_mut().map(|f| {
                (
                    f.segment_id.to_string(),
                    f.polygons.iter_mut().flatten().collect(),
                )
            });
            stated(p, srs::geojson_to_wgs84(&bytes, parts))?;
            v
        }
        None => Vec::new(),
    };
    let households = match &a.households {
        Some(p) => Some(
            households::read_households(&file(p)?)
                .map_err(|e| bad(format!("{}: {e}", p.display())))?,
        ),
        None => None,
    };
    let structures = match &a.structures {
        Some(p) => Some(
            structures::read_structures(&file(p)?)
                .map_err(|e| bad(format!("{}: {e}", p.display())))?,
        ),
        None => None,
    };
    let mut store = open(req.db)?;
    if let Some(w) = req.ward
        && !req.dry_run
    {
        store.set_meta("ward", w.trim())?;
    }
    let input = ImportInput {
        segments: &segments,
        parcels: &parcels,
        corridors: &corridors,
        households: households.as_deref(),
        structures: structures.as_deref(),
        org: req.org,
        progress: req.progress,
    };
    import(&mut store, &crs, input, req.dry_run)
}
