//! Reading surveyors' files (Shapefile, GeoPackage, DXF, KML, CSV with WKT)
//! into hiendat's segments and parcels: the format is chosen by the file's
//! extension, the layer by geometry and name, the CRS from the file (.prj,
//! GeoPackage SRS) or from `--crs`, and the fields by [`super::mapping`].
//! GeoJSON keeps its own reader ([`super::geojson_read`]).

use super::layer::{FormatError, GeomKind, Layer};
use super::limits::{self, Limits};
use super::mapping::{self, FieldMap, Mapped};
use super::srs::{self, SourceCrs};
use super::{csv_wkt, dgn, dxf, gpkg, kml, shp};
use crate::campaign::{ParcelInput, SegmentInput};
use std::path::Path;

/// A file's format, from its extension (a folder is a shapefile folder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Geojson,
    Gpkg,
    Shapefile,
    Dxf,
    Kml,
    Csv,
    Dgn,
}

impl Source {
    pub fn of(path: &Path) -> Result<Source, FormatError> {
        if path.is_dir() {
            return Ok(Source::Shapefile);
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        Ok(match ext.as_str() {
            "geojson" | "json" => Source::Geojson,
            "gpkg" => Source::Gpkg,
            "shp" | "zip" => Source::Shapefile,
            "dxf" => Source::Dxf,
            "kml" | "kmz" => Source::Kml,
            "csv" | "txt" => Source::Csv,
            "dgn" => Source::Dgn,
            _ => {
                return Err(FormatError::invalid(format!(
                    "{}: không nhận ra định dạng theo đuôi tệp / unknown format by extension: use .geojson, .gpkg, .shp/.zip (or a folder), .dxf, .kml, .csv, .dgn",
                    path.display()
                )));
            }
        })
    }
}

/// How to read: the user's flags.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// `--crs`: the CRS of files that state none (and WGS84 as EPSG:4326).
    pub crs: Option<String>,
    pub fields: FieldMap,
    /// `--encoding` for .dbf text.
    pub encoding: Option<shp::Encoding>,
    /// `--dxf-layer`: only DXF layers whose names start with these.
    pub dxf_layers: Vec<String>,
    /// `--dgn-level`: only DGN elements on these levels (empty: all).
    pub dgn_levels: Vec<u8>,
    /// `--segments-layer` / `--parcels-layer`: the layer to take from a
    /// file holding several.
    pub layer: Option<String>,
}

/// Road segments from a line layer of `path`, in WGS84.
pub fn read_segments(path: &Path, o: &ReadOptions) -> Result<Mapped<SegmentInput>, FormatError> {
    let (layer, mut notes) = read_layer(path, o, GeomKind::Line, &["centerlines", "segments"])?;
    let mut m = mapping::segments(&layer, &o.fields)?;
    notes.append(&mut m.notes);
    m.notes = notes;
    Ok(m)
}

/// Parcels from a polygon layer of `path`, in WGS84.
pub fn read_parcels(path: &Path, o: &ReadOptions) -> Result<Mapped<ParcelInput>, FormatError> {
    let (layer, mut notes) = read_layer(path, o, GeomKind::Polygon, &["parcels"])?;
    let mut m = mapping::parcels(&layer, &o.fields)?;
    notes.append(&mut m.notes);
    m.notes = notes;
    Ok(m)
}

fn read_layer(
    path: &Path,
    o: &ReadOptions,
    kind: GeomKind,
    preferred: &[&str],
) -> Result<(Layer, Vec<String>), FormatError> {
    let at = |e: FormatError| match e {
        FormatError::Io(e) => FormatError::invalid(format!("{}: {e}", path.display())),
        FormatError::Invalid(m) if m.contains(&*path.to_string_lossy()) => FormatError::Invalid(m),
        FormatError::Invalid(m) => FormatError::invalid(format!("{}: {m}", path.display())),
    };
    let layers = match Source::of(path)? {
        Source::Geojson => {
            return Err(FormatError::invalid(
                "GeoJSON đọc bằng bộ đọc riêng / GeoJSON has its own reader",
            ));
        }
        Source::Gpkg => gpkg::read(path).map_err(at)?,
        Source::Shapefile => shp::read(path, o.encoding).map_err(at)?,
        Source::Dxf => {
            if kind != GeomKind::Polygon {
                return Err(FormatError::invalid(format!(
                    "{}: từ DXF chỉ nhập thửa đất (đa tuyến khép kín) / from DXF only parcels (closed polylines) are imported: give the segments as GeoJSON, GeoPackage, Shapefile, KML or CSV",
                    path.display()
                )));
            }
            let bytes = limits::read(path, &Limits::DEFAULT).map_err(at)?;
            vec![
                dxf::read(
                    &bytes,
                    &dxf::ReadOptions {
                        layer_prefixes: &o.dxf_layers,
                    },
                )
                .map_err(at)?,
            ]
        }
        Source::Dgn => {
            if o.crs.is_none() {
                return Err(at(FormatError::invalid(
                    "tệp DGN không ghi hệ tọa độ: hãy cho --crs, ví dụ --crs EPSG:5897 (VN-2000 TM-3 105°) / a DGN file states no CRS: give --crs, e.g. --crs EPSG:5897",
                )));
            }
            let bytes = limits::read(path, &Limits::DEFAULT).map_err(at)?;
            let opts = dgn::ReadOptions {
                levels: &o.dgn_levels,
                kind,
            };
            // a CRS in feet converts the master units itself, as in GDAL;
            // a CRS in metres takes the reader's metres
            let in_feet = o
                .crs
                .as_deref()
                .and_then(|c| SourceCrs::parse(c).ok())
                .is_some_and(|c| matches!(c, SourceCrs::Projected(c) if c.to_meter() != 1.0));
            let read = if in_feet {
                dgn::read_in_master_units
            } else {
                dgn::read
            };
            vec![read(&bytes, &opts).map_err(at)?]
        }
        Source::Kml => kml::read(&limits::read(path, &Limits::DEFAULT).map_err(at)?).map_err(at)?,
        Source::Csv => {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("csv");
            let bytes = limits::read(path, &Limits::DEFAULT).map_err(at)?;
            vec![csv_wkt::read(&bytes, stem).map_err(at)?]
        }
    };
    let mut layer = pick(layers, kind, o.layer.as_deref(), preferred).map_err(at)?;
    let mut notes = std::mem::take(&mut layer.notes);
    notes.push(to_wgs84(&mut layer, o.crs.as_deref()).map_err(at)?);
    Ok((layer, notes))
}

/// The layer asked for by name, else the one of the right geometry, else
/// the one of the right geometry with a preferred name.
fn pick(
    layers: Vec<Layer>,
    kind: GeomKind,
    wanted: Option<&str>,
    preferred: &[&str],
) -> Result<Layer, FormatError> {
    let names = || {
        layers
            .iter()
            .map(|l| l.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(w) = wanted {
        return match layers.iter().position(|l| l.name.eq_ignore_ascii_case(w)) {
            Some(i) => Ok(layers.into_iter().nth(i).expect("found above")),
            None => Err(FormatError::invalid(format!(
                "không có lớp {w:?} / no layer {w:?}; layers: {}",
                names()
            ))),
        };
    }
    let fit: Vec<usize> = (0..layers.len())
        .filter(|&i| layers[i].kind == kind)
        .collect();
    let chosen = match fit.as_slice() {
        [i] => Some(*i),
        [] => None,
        many => many.iter().copied().find(|&i| {
            preferred
                .iter()
                .any(|p| layers[i].name.eq_ignore_ascii_case(p))
        }),
    };
    let what = if kind == GeomKind::Line {
        "đường (đoạn tuyến) / lines (segments)"
    } else {
        "vùng (thửa đất) / polygons (parcels)"
    };
    match chosen {
        Some(i) => Ok(layers.into_iter().nth(i).expect("an index of layers")),
        None if fit.is_empty() => Err(FormatError::invalid(format!(
            "không có lớp {what} / no layer of {what}; layers: {}",
            names()
        ))),
        None => Err(FormatError::invalid(format!(
            "có nhiều lớp {what}, hãy chọn bằng --segments-layer / --parcels-layer / several layers of {what}: pick one with --segments-layer or --parcels-layer; layers: {}",
            names()
        ))),
    }
}

/// Converts the layer's coordinates to WGS84 lon/lat from the CRS the file
/// states, or `--crs` when it states none. Says which CRS was used.
pub fn to_wgs84(layer: &mut Layer, crs_flag: Option<&str>) -> Result<String, FormatError> {
    let (source, statement) = match &layer.srs {
        Some(s) => {
            let d = srs::detect(s)
                .map_err(|e| FormatError::invalid(format!("lớp / layer {}: {e}", layer.name)))?;
            (d.crs, d.statement)
        }
        None => {
            let Some(flag) = crs_flag else {
                return Err(FormatError::invalid(format!(
                    "lớp {} không ghi hệ tọa độ (thiếu .prj hoặc SRS); hãy cho --crs, ví dụ --crs EPSG:5897 (VN-2000 TM-3 105°) / layer {} states no CRS (no .prj or SRS): give --crs, e.g. --crs EPSG:5897",
                    layer.name, layer.name
                )));
            };
            let source =
                SourceCrs::parse(flag).map_err(|e| FormatError::invalid(format!("--crs: {e}")))?;
            (
                source,
                format!("hệ tọa độ theo --crs {flag} / CRS from --crs {flag}"),
            )
        }
    };
    // Coordinates that cannot be what the CRS says: lon/lat read as metres
    // or the reverse (the commonest mistake with a wrong --crs).
    let looks_lonlat = layer.features.iter().take(100).all(|f| {
        let mut g = f.geometry.clone();
        g.points_mut()
            .iter()
            .flat_map(|s| s.iter())
            .all(|p| p[0].abs() <= 180.0 && p[1].abs() <= 90.0)
    });
    match &source {
        SourceCrs::Wgs84 | SourceCrs::Geographic(_) if !looks_lonlat => {
            let crs = match &source {
                SourceCrs::Geographic(c) => c.name(),
                _ => "WGS84",
            };
            return Err(FormatError::invalid(format!(
                "lớp {}: tọa độ không phải kinh độ, vĩ độ dù hệ tọa độ là {crs} / layer {}: coordinates are not longitude/latitude although the CRS is {crs}",
                layer.name, layer.name
            )));
        }
        SourceCrs::Projected(_) if looks_lonlat && !layer.features.is_empty() => {
            return Err(FormatError::invalid(format!(
                "lớp {}: tọa độ trông như kinh độ, vĩ độ nhưng hệ tọa độ là hệ phẳng; dùng --crs EPSG:4326 / layer {}: coordinates look like longitude/latitude but the CRS is projected; use --crs EPSG:4326",
                layer.name, layer.name
            )));
        }
        _ => {}
    }
    if let SourceCrs::Projected(c) | SourceCrs::Geographic(c) = &source {
        for (k, f) in layer.features.iter_mut().enumerate() {
            for pts in f.geometry.points_mut() {
                c.unproject_file_in_place(pts).map_err(|e| {
                    FormatError::invalid(format!(
                        "lớp {}, đối tượng {}: {e} / layer {}, feature {}",
                        layer.name,
                        k + 1,
                        layer.name,
                        k + 1
                    ))
                })?;
            }
        }
    }
    layer.srs = Some(srs::wgs84());
    Ok(format!("{}: {statement}", layer.name))
}
