//! `hiendat import`'s files: read in any format hiendat knows (GeoJSON and
//! the surveyors' formats), with the CLI's field mapping, encoding, layers
//! and CRS, then imported by [`super::import`].

use super::*;

/// The files of an import and how to read them (the CLI's flags).
#[derive(Debug, Clone, Default)]
pub struct ImportFiles {
    /// Either may be absent (a partial import: see the module docs), not both.
    pub segments: Option<PathBuf>,
    pub parcels: Option<PathBuf>,
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
    /// `--dgn-level`: only DGN elements on these levels.
    pub dgn_levels: Vec<u8>,
    pub segments_layer: Option<String>,
    pub parcels_layer: Option<String>,
}

/// An import of files into a database file.
pub struct FileImport<'a> {
    pub db: &'a Path,
    pub files: &'a ImportFiles,
    /// The organisation, already read (and checked) by the caller.
    pub org: Option<&'a Org>,
    /// The ward imported into, by code or name ([`select_ward`]; none:
    /// the database's only ward). On a database whose only ward is
    /// unnamed, a name no ward has names it (not stored on a dry run).
    pub ward: Option<&'a str>,
    /// A new name for the ward imported into (not stored on a dry run).
    pub ward_name: Option<&'a str>,
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
        let bytes =
            crate::ops::files::read_within(m, crate::formats::limits::Limits::DEFAULT.csv_bytes)
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
                let mut store = Store::open(req.db)?;
                select_ward(&mut store, req.ward)?;
                store.ward_crs()?
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
        dgn_levels: a.dgn_levels.clone(),
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
    if a.segments.is_none() && a.parcels.is_none() {
        return Err(bad(
            "cần --segments, --parcels hoặc cả hai / --segments, --parcels or both are needed"
                .into(),
        ));
    }
    // parcels alone into a database not made yet: refused before the file
    // is created
    if a.segments.is_none() && !req.db.exists() {
        return Err(ImportError::NoSegments);
    }
    // A GeoJSON `crs` member (urn:ogc:def:crs:EPSG::N): converted like any file's CRS.
    let stated = |p: &Path, r: Result<Option<String>, String>| match r {
        Ok(said) => {
            say(&said.into_iter().collect::<Vec<_>>());
            Ok(())
        }
        Err(e) => Err(bad(format!("{}: {e}", p.display()))),
    };
    let mut positions = PositionIds::default();
    let segments = match &a.segments {
        None => Vec::new(),
        Some(p) if source(p)? == Source::Geojson => {
            let bytes = file(p)?;
            let mut v = geojson_read::read_segments(&bytes).map_err(|e| named(p, e))?;
            let parts = v
                .iter_mut()
                .map(|f| (f.id.to_string(), f.lines.iter_mut().collect()));
            stated(p, srs::geojson_to_wgs84(&bytes, parts))?;
            v
        }
        Some(p) => {
            let m = surveyor::read_segments(p, &opts(&a.segments_layer))
                .map_err(|e| bad(e.to_string()))?;
            say(&m.notes);
            positions.segments = m.ids_are_positions;
            m.features
        }
    };
    let parcels = match &a.parcels {
        None => Vec::new(),
        Some(p) if source(p)? == Source::Geojson => {
            let bytes = file(p)?;
            let mut v = geojson_read::read_parcels(&bytes).map_err(|e| named(p, e))?;
            let parts = v
                .iter_mut()
                .map(|f| (f.id.to_string(), f.polygons.iter_mut().flatten().collect()));
            stated(p, srs::geojson_to_wgs84(&bytes, parts))?;
            v
        }
        Some(p) => {
            let m = surveyor::read_parcels(p, &opts(&a.parcels_layer))
                .map_err(|e| bad(e.to_string()))?;
            say(&m.notes);
            positions.parcels = m.ids_are_positions;
            m.features
        }
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
    let name = select_ward(&mut store, req.ward)?;
    let input = ImportInput {
        segments: &segments,
        parcels: &parcels,
        corridors: &corridors,
        households: households.as_deref(),
        structures: structures.as_deref(),
        org: req.org,
        progress: req.progress,
    };
    let summary = import_with(&mut store, &crs, input, positions, req.dry_run)?;
    // after the import: one that fails leaves the name as it was too
    if let Some(w) = req.ward_name.or(name.as_deref())
        && !req.dry_run
    {
        store.rename_ward(w)?;
    }
    Ok(summary)
}

/// Makes the ward `ward` names (its code, or its name without case,
/// diacritics or a leading "Phường"/"Xã") the store's current ward; none
/// named: the database's only ward. Returns the name to give the ward
/// after the import when `ward` names none but the database's only ward
/// is still unnamed (`hiendat import --ward "Ngọc Sơn"` on a new file, as
/// before wards). Refused, naming `--ward` and the wards there are: no
/// ward named on a database of several, or a name no ward has otherwise
/// (never a rename: the same command with another ward's parcels would
/// overwrite same-numbered ones).
pub fn select_ward(store: &mut Store, ward: Option<&str>) -> Result<Option<String>, ImportError> {
    let wards = store.wards()?;
    let list = || {
        wards
            .iter()
            .map(|w| format!("{} ({})", w.code, w.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(want) = ward.map(str::trim).filter(|w| !w.is_empty()) else {
        if wards.len() > 1 {
            return Err(ImportError::Files(format!(
                "--ward: cơ sở dữ liệu có {n} phường/xã, hãy chọn một: {l} / the database holds {n} wards, choose one: {l}",
                n = wards.len(),
                l = list()
            )));
        }
        return Ok(None);
    };
    match store.use_ward_named(want) {
        Ok(_) => Ok(None),
        Err(StoreError::NotFound { .. })
            if wards.len() == 1 && wards[0].name == crate::store::UNNAMED_WARD =>
        {
            store.use_ward(wards[0].id)?;
            Ok(Some(want.to_string()))
        }
        Err(StoreError::NotFound { .. }) => Err(ImportError::Files(format!(
            "--ward {want}: phường/xã \"{want}\" chưa có (có: {l}); thêm bằng `hiendat ward add`, hoặc đổi tên bằng --ward-name / no ward \"{want}\" (there are: {l}); add it with `hiendat ward add`, or rename with --ward-name",
            l = list()
        ))),
        Err(e) => Err(e.into()),
    }
}
