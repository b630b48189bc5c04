//! A synthetic but realistic ward in phường Ngọc Sơn (Thanh Hóa), for demos
//! and benchmarks: the model of `shared/bench/gen_ward.py`, with the same
//! files and the same property schema (not byte-identical output).
//!
//! - a jittered street grid with gentle bends: cross streets every 200-320 m,
//!   frontage streets every 43-58 m, segments intersection to intersection
//!   (north-south ones spanning 1-5 blocks);
//! - current roads 3-6 m, planned 6-13 m (always at least 1 m wider), by class
//!   Đường / Phố / Ngõ;
//! - tube-house lots 4-8 m wide (a few 10-20 m), 15-30 m deep, some L-shaped,
//!   corner lots touching two roads (half of them chamfered), 4-7 vertices,
//!   starting at the current road edge so the planned corridor cuts a strip
//!   off their front;
//! - 20-40 residential groups per 25,000 parcels (10-15 in a smaller ward) as spatial cells, 250 m map
//!   sheets with parcels numbered from the north-west;
//! - built in VN-2000 / TM-3 105° metres around (105.80, 19.51), converted to
//!   WGS84 lon/lat and rounded to 8 decimals.
//!
//! The ward is a pure function of `(parcels, seed)`: every part draws from its
//! own keyed random stream, so rows are built in parallel.
//!
//! ```
//! let ward = hiendat::demo::generate(500, 1);
//! assert_eq!(ward.parcels.len(), 500);
//! assert!(ward.segments.iter().all(|s| s.planned_width_m > s.current_width_m));
//! ```

pub mod database;
mod evaluation;
pub mod history;
pub mod inspections;
mod model;
mod names;
mod org;
mod org_changes;
mod plane;
mod plans;
mod rng;
pub mod roles;
mod structures;

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use rayon::prelude::*;

use crate::campaign::{FeatureId, ParcelInput, SegmentInput};
use crate::formats::geojson_write;
use crate::geometry::crs::Crs;
use model::{LotKind, Model};
use plane::P;
use rng::{Rng, Stream};

/// Version of the ward model (changes when the same seed gives another ward).
pub const GENERATOR_VERSION: &str = "1";
/// Where the ward is placed: phường Ngọc Sơn (approximately), lon/lat.
pub const CENTER_LON_LAT: [f64; 2] = [105.80, 19.51];
/// Decimals of the lon/lat coordinates (1e-8° is about 1 mm).
pub const COORD_DECIMALS: i32 = 8;
/// The residential-group count scales per this many parcels.
const PARCELS_PER_WARD: usize = 25_000;
/// A cadastral map sheet is a square tile this wide (about a 1:500 sheet).
const SHEET_SIZE_M: f64 = 250.0;

/// A generated ward: road segments and parcels in WGS84 lon/lat, as if read
/// from survey files.
#[derive(Debug, Clone)]
pub struct Ward {
    pub segments: Vec<SegmentInput>,
    pub parcels: Vec<ParcelInput>,
    pub info: WardInfo,
}

/// How the ward was made and what it holds (for `manifest.json`).
#[derive(Debug, Clone, PartialEq)]
pub struct WardInfo {
    pub seed: u64,
    /// The projected CRS the ward was drawn in.
    pub crs: String,
    pub crs_proj_string: String,
    pub residential_groups: usize,
    pub map_sheets: usize,
    pub block_columns: usize,
    pub block_rows: usize,
    /// Ordinary lots, corner lots, lots of L-shaped pairs.
    pub lots: usize,
    pub corner_lots: usize,
    pub l_shaped_lots: usize,
}

/// Generates a ward of exactly `parcels` parcels (ids `1..=parcels`) and the
/// segments they front (ids `1..`), deterministically for `seed`.
///
/// A million parcels take a few seconds on two cores.
pub fn generate(parcels: usize, seed: u64) -> Ward {
    let crs = Crs::vn2000_thanh_hoa();
    let [lon, lat] = CENTER_LON_LAT;
    let center = crs
        .to_projected(lon, lat)
        .expect("the ward centre projects");
    let model = model::build(parcels, seed, center);
    let attrs = Attributes::assign(&model);
    let kinds = |kind| model.lots.meta.iter().filter(|m| m.kind == kind).count();
    let info = WardInfo {
        seed,
        crs: crs.name().to_string(),
        crs_proj_string: crs.proj_string().to_string(),
        residential_groups: attrs.groups,
        map_sheets: attrs.sheets,
        block_columns: model.block_columns,
        block_rows: model.block_rows,
        lots: kinds(LotKind::Lot),
        corner_lots: kinds(LotKind::Corner),
        l_shaped_lots: kinds(LotKind::L),
    };

    let Model {
        mut lots,
        segments: seg_models,
        east_names,
        ..
    } = model;
    to_lon_lat(&crs, &mut lots.pts);
    let parcels: Vec<ParcelInput> = (0..lots.len())
        .into_par_iter()
        .map(|k| {
            let meta = &lots.meta[k];
            let mut r = Rng::new(seed, Stream::Attributes, &[k as u64]);
            let table = if meta.wide {
                names::LAND_USE_WIDE
            } else {
                names::LAND_USE_LOT
            };
            let land_use = r.weighted(table);
            let owner = names::owner_name(&mut r, land_use, &east_names[meta.street() as usize]);
            let open = lots.ring(k);
            let mut ring = Vec::with_capacity(open.len() + 1);
            ring.extend_from_slice(open);
            ring.push(open[0]);
            ParcelInput {
                id: FeatureId::from(k as i64 + 1),
                map_sheet: Some(attrs.sheet[k].to_string()),
                parcel_no: Some(attrs.parcel_no[k].to_string()),
                owner: Some(owner),
                residential_group: Some(format!("Tổ dân phố {}", attrs.group[k])),
                land_use: Some(land_use.to_string()),
                polygons: vec![vec![ring]],
            }
        })
        .collect();
    drop(lots);

    let mut seg_pts: Vec<P> = seg_models
        .iter()
        .flat_map(|s| s.pts.iter().copied())
        .collect();
    to_lon_lat(&crs, &mut seg_pts);
    let mut rest = seg_pts.as_slice();
    let segments = seg_models
        .into_iter()
        .enumerate()
        .map(|(k, s)| {
            let (line, tail) = rest.split_at(s.pts.len());
            rest = tail;
            SegmentInput {
                id: FeatureId::from(k as i64 + 1),
                name: s.name,
                current_width_m: Some(s.current),
                planned_width_m: Some(s.planned),
                planned_left_m: None,
                planned_right_m: None,
                lines: vec![line.to_vec()],
            }
        })
        .collect();
    Ward {
        segments,
        parcels,
        info,
    }
}

/// Projected metres → lon/lat degrees rounded to [`COORD_DECIMALS`], in
/// parallel batches. Neighbouring lots share their corners, so each batch
/// converts its distinct points only (about half of them).
fn to_lon_lat(crs: &Crs, pts: &mut [P]) {
    let k = 10f64.powi(COORD_DECIMALS);
    pts.par_chunks_mut(1 << 14).for_each(|chunk| {
        let mut keys: Vec<(u64, u64, u32)> = chunk
            .iter()
            .enumerate()
            .map(|(i, p)| (p[0].to_bits(), p[1].to_bits(), i as u32))
            .collect();
        keys.sort_unstable();
        let mut distinct: Vec<P> = Vec::with_capacity(chunk.len() / 2);
        let mut slot = vec![0u32; chunk.len()];
        let mut prev = None;
        for &(x, y, i) in &keys {
            if prev != Some((x, y)) {
                prev = Some((x, y));
                distinct.push([f64::from_bits(x), f64::from_bits(y)]);
            }
            slot[i as usize] = (distinct.len() - 1) as u32;
        }
        crs.unproject_in_place(&mut distinct)
            .expect("the ward's points convert to WGS84");
        for p in &mut distinct {
            *p = [(p[0] * k).round() / k, (p[1] * k).round() / k];
        }
        for (p, &s) in chunk.iter_mut().zip(&slot) {
            *p = distinct[s as usize];
        }
    });
}

/// Map sheet, parcel number and residential group of every lot.
struct Attributes {
    sheet: Vec<u32>,
    parcel_no: Vec<u32>,
    group: Vec<u32>,
    sheets: usize,
    groups: usize,
}

impl Attributes {
    fn assign(model: &Model) -> Attributes {
        let lots = &model.lots;
        let n = lots.len();
        let centroids: Vec<P> = (0..n)
            .into_par_iter()
            .map(|k| {
                let ring = lots.ring(k);
                let s = ring
                    .iter()
                    .fold([0.0, 0.0], |a, p| [a[0] + p[0], a[1] + p[1]]);
                [s[0] / ring.len() as f64, s[1] / ring.len() as f64]
            })
            .collect();
        let (mut xmin, mut xmax, mut ymin, mut ymax) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for c in &centroids {
            xmin = xmin.min(c[0]);
            xmax = xmax.max(c[0]);
            ymin = ymin.min(c[1]);
            ymax = ymax.max(c[1]);
        }

        // map sheets: tiles numbered row by row from the north-west; parcels
        // numbered within a sheet from the north-west
        let mut order: Vec<(u32, u32, i64, i64, u32)> = centroids
            .par_iter()
            .enumerate()
            .map(|(k, c)| {
                let row = ((ymax - c[1]) / SHEET_SIZE_M).floor() as u32;
                let col = ((c[0] - xmin) / SHEET_SIZE_M).floor() as u32;
                let ky = (-c[1] * 1000.0).round() as i64;
                let kx = (c[0] * 1000.0).round() as i64;
                (row, col, ky, kx, k as u32)
            })
            .collect();
        order.par_sort_unstable();
        let mut sheet = vec![0u32; n];
        let mut parcel_no = vec![0u32; n];
        let mut sheets = 0;
        let mut num = 0;
        let mut tile = None;
        for &(row, col, _, _, k) in &order {
            if tile != Some((row, col)) {
                tile = Some((row, col));
                sheets += 1;
                num = 0;
            }
            num += 1;
            sheet[k as usize] = sheets;
            parcel_no[k as usize] = num;
        }
        drop(order);

        // residential groups: a grid of cells over the ward, numbered from the
        // north-west, the empty ones skipped
        // 20-40 groups per 25,000 parcels, but a smaller ward (the 3,000
        // parcels `serve` builds) still has 10-15: a group is a
        // neighbourhood of a few hundred households, not a street.
        let per_ward = model.groups_per_ward as f64 * n as f64 / PARCELS_PER_WARD as f64;
        let total = per_ward
            .max((10 + model.groups_per_ward % 4) as f64)
            .round();
        let (w, h) = ((xmax - xmin).max(1.0), (ymax - ymin).max(1.0));
        let gx = ((total * w / h).sqrt().round() as usize).max(1);
        let gy = ((total / gx as f64).ceil() as usize).max(1);
        let cells: Vec<usize> = centroids
            .par_iter()
            .map(|c| {
                let row = (((ymax - c[1]) / h * gy as f64) as usize).min(gy - 1);
                let col = (((c[0] - xmin) / w * gx as f64) as usize).min(gx - 1);
                row * gx + col
            })
            .collect();
        let mut number = vec![0u32; gx * gy];
        for &c in &cells {
            number[c] = 1;
        }
        let mut groups = 0;
        for v in &mut number {
            if *v > 0 {
                groups += 1;
                *v = groups;
            }
        }
        let group = cells.iter().map(|&c| number[c]).collect();
        Attributes {
            sheet,
            parcel_no,
            group,
            sheets: sheets as usize,
            groups: groups as usize,
        }
    }
}

/// Writes `segments.geojson`, `parcels.geojson` and `manifest.json` into
/// `dir` (created if missing). Each file is written beside its final name and
/// renamed into place, so a reader never sees half a file.
pub fn write(ward: &Ward, dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    write_atomically(&dir.join("segments.geojson"), |w| {
        geojson_write::write_segments(w, &ward.segments)
    })?;
    write_atomically(&dir.join("parcels.geojson"), |w| {
        geojson_write::write_parcels(w, &ward.parcels)
    })?;
    let manifest = serde_json::to_string_pretty(&manifest(ward)).map_err(io::Error::other)?;
    write_atomically(&dir.join("manifest.json"), |w| {
        w.write_all(manifest.as_bytes())?;
        w.write_all(b"\n")
    })
}

fn write_atomically(
    path: &Path,
    f: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = Path::new(&tmp);
    let mut w = BufWriter::with_capacity(1 << 20, File::create(tmp)?);
    f(&mut w)?;
    w.into_inner().map_err(|e| e.into_error())?;
    fs::rename(tmp, path)
}

/// Counts, seed, CRS and generator version, in the shape of `gen_ward.py`'s
/// manifest.
fn manifest(ward: &Ward) -> serde_json::Value {
    let info = &ward.info;
    let mut bbox = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    let mut parcel_vertices = std::collections::BTreeMap::<usize, usize>::new();
    for p in &ward.parcels {
        for poly in &p.polygons {
            for ring in poly {
                for q in ring {
                    bbox = [
                        bbox[0].min(q[0]),
                        bbox[1].min(q[1]),
                        bbox[2].max(q[0]),
                        bbox[3].max(q[1]),
                    ];
                }
            }
            if let Some(ext) = poly.first() {
                *parcel_vertices
                    .entry(ext.len().saturating_sub(1))
                    .or_default() += 1;
            }
        }
    }
    let mut segment_vertices = std::collections::BTreeMap::<usize, usize>::new();
    for s in &ward.segments {
        for line in &s.lines {
            *segment_vertices.entry(line.len()).or_default() += 1;
        }
    }
    let histogram = |h: std::collections::BTreeMap<usize, usize>| {
        h.into_iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::from(v)))
            .collect::<serde_json::Map<_, _>>()
    };
    serde_json::json!({
        "generator": "hiendat demo",
        "version": GENERATOR_VERSION,
        "parcels": ward.parcels.len(),
        "segments": ward.segments.len(),
        "seed": info.seed,
        "residential_groups": info.residential_groups,
        "map_sheets": info.map_sheets,
        "block_columns": info.block_columns,
        "block_rows": info.block_rows,
        "crs": info.crs,
        "project_crs": info.crs_proj_string,
        "bbox_lonlat": if ward.parcels.is_empty() { serde_json::Value::Null } else { bbox.into() },
        "parcel_vertex_histogram": histogram(parcel_vertices),
        "parcel_kinds": {"corner": info.corner_lots, "lot": info.lots, "L": info.l_shaped_lots},
        "segment_vertex_histogram": histogram(segment_vertices),
        "coord_decimals": COORD_DECIMALS,
    })
}

#[cfg(test)]
mod tests;
