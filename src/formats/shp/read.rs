//! Reading shapefiles (a zip, a folder or a .shp): the sources and the
//! .shp records.

use super::*;
use crate::formats::limits::{self, Limits};

// ===========================================================================
// Reading

/// One shapefile's parts, read into memory.
pub(super) struct Source {
    /// The layer name: the file stem.
    pub(super) stem: String,
    pub(super) shp: Vec<u8>,
    pub(super) dbf: Vec<u8>,
    pub(super) prj: Option<Vec<u8>>,
    pub(super) cpg: Option<Vec<u8>>,
}

/// Reads shapefiles: `path` is a .zip (it may hold several shapefiles,
/// possibly in sub-folders), a folder (its .shp files, not its
/// sub-folders), or a .shp (or its .dbf). `encoding`: the .dbf text
/// encoding forced by the user, else the .cpg's, else detected. One layer
/// per shapefile, ordered by path.
pub fn read(path: &Path, encoding: Option<Encoding>) -> Result<Vec<Layer>, FormatError> {
    let shown = path.display().to_string();
    let open_err = |e: std::io::Error| {
        invalid(
            format!("không mở được {shown}: {e}"),
            format!("cannot open {shown}: {e}"),
        )
    };
    let meta = std::fs::metadata(path).map_err(open_err)?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let sources = if meta.is_dir() {
        dir_sources(path)?
    } else if ext == "zip" {
        let limits = &Limits::DEFAULT;
        limits::check_size(path, limits.zip_bytes)?;
        let f = std::fs::File::open(path).map_err(open_err)?;
        return read_zip_within(
            std::io::BufReader::new(f),
            &file_name(path),
            encoding,
            limits,
        );
    } else if ext == "shp" || ext == "dbf" {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let siblings = siblings(dir)?;
        let src = siblings
            .into_iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(stem))
            .map(|(k, parts)| parts_to_source(&k, parts))
            .unwrap_or_else(|| {
                Err(invalid(
                    format!("thiếu tệp {stem}.shp"),
                    format!("{stem}.shp is missing"),
                ))
            })?;
        vec![src]
    } else {
        return Err(invalid(
            format!("{shown} không phải tệp .zip, .shp hay thư mục"),
            format!("{shown} is not a .zip, a .shp or a folder"),
        ));
    };
    sources
        .into_iter()
        .map(|s| layer_from(s, encoding))
        .collect()
}

/// Reads the shapefiles of a zip (e.g. an upload); `name` names it in
/// messages. The default [`Limits`] hold.
pub fn read_zip<R: Read + Seek>(
    r: R,
    name: &str,
    encoding: Option<Encoding>,
) -> Result<Vec<Layer>, FormatError> {
    read_zip_within(r, name, encoding, &Limits::DEFAULT)
}

/// [`read_zip`] within `limits`: the members read (.shp, .dbf, .prj, .cpg)
/// are checked from the central directory before anything is unpacked (each
/// member's size, the sum, the unpacked/packed ratio, the number of
/// members), and unpacking stops at the size a member's header declares (a
/// zip that lies about it is refused).
pub fn read_zip_within<R: Read + Seek>(
    mut r: R,
    name: &str,
    encoding: Option<Encoding>,
    limits: &Limits,
) -> Result<Vec<Layer>, FormatError> {
    let bad = |e: zip::result::ZipError| {
        invalid(
            format!("{name} không phải tệp nén zip đọc được: {e}"),
            format!("{name} is not a readable zip: {e}"),
        )
    };
    // A member's packed bytes are within the zip, whatever its header says.
    let zip_len = r
        .seek(std::io::SeekFrom::End(0))
        .and_then(|n| r.seek(std::io::SeekFrom::Start(0)).map(|_| n))
        .map_err(|e| bad(zip::result::ZipError::Io(e)))?;
    let mut zip = zip::ZipArchive::new(r).map_err(bad)?;
    if zip.len() > limits.zip_entries {
        let (n, max) = (zip.len(), limits.zip_entries);
        return Err(invalid(
            format!("{name}: {n} tệp bên trong, vượt giới hạn {max}"),
            format!("{name}: {n} members, over the limit of {max}"),
        ));
    }
    // group entries by path without extension (case-insensitive)
    let mut groups: BTreeMap<String, (String, BTreeMap<String, usize>)> = BTreeMap::new();
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(bad)?;
        if entry.is_dir() {
            continue;
        }
        let Ok(path) = entry.name().map(|n| n.into_owned()) else {
            continue;
        };
        let base = path.rsplit('/').next().unwrap_or(&path);
        if path.starts_with("__MACOSX/") || base.starts_with("._") {
            continue;
        }
        let Some((stem_path, ext)) = path.rsplit_once('.') else {
            continue;
        };
        let stem = stem_path
            .rsplit('/')
            .next()
            .unwrap_or(stem_path)
            .to_string();
        let g = groups
            .entry(stem_path.to_lowercase())
            .or_insert_with(|| (stem, BTreeMap::new()));
        g.1.insert(ext.to_ascii_lowercase(), i);
    }
    // Every member to be read, checked from the central directory first.
    let mut unpacked = 0u64;
    for (_, parts) in groups.values() {
        if !parts.contains_key("shp") {
            continue;
        }
        for ext in ["shp", "dbf", "prj", "cpg"] {
            if let Some(&i) = parts.get(ext) {
                let e = zip.by_index_raw(i).map_err(bad)?;
                let member = e.name().unwrap_or_default().into_owned();
                let packed = e.compressed_size().min(zip_len);
                limits::check_member(name, &member, e.size(), packed, limits)?;
                unpacked = unpacked.saturating_add(e.size());
                if unpacked > limits.unpacked_bytes {
                    let max = limits::size(limits.unpacked_bytes);
                    return Err(invalid(
                        format!("{name}: các tệp bên trong giải nén ra quá giới hạn {max}"),
                        format!("{name}: its members unpack to more than the {max} limit"),
                    ));
                }
            }
        }
    }
    let mut sources = Vec::new();
    for (_, (stem, parts)) in groups {
        let Some(&shp_i) = parts.get("shp") else {
            continue;
        };
        let Some(&dbf_i) = parts.get("dbf") else {
            return Err(invalid(
                format!("{name}: thiếu tệp {stem}.dbf đi kèm {stem}.shp"),
                format!("{name}: {stem}.dbf is missing next to {stem}.shp"),
            ));
        };
        let mut read_entry = |i: usize| -> Result<Vec<u8>, FormatError> {
            let e = zip.by_index(i).map_err(bad)?;
            let member = e.name().unwrap_or_default().into_owned();
            // checked above: within the limits
            let declared = e.size();
            let mut v = Vec::with_capacity(usize::try_from(declared).unwrap_or(0).min(1 << 20));
            e.take(declared.saturating_add(1))
                .read_to_end(&mut v)
                .map_err(|err| {
                    invalid(
                        format!("{name}: không giải nén được {stem}: {err}"),
                        format!("{name}: cannot unzip {stem}: {err}"),
                    )
                })?;
            if v.len() as u64 > declared {
                return Err(invalid(
                    format!(
                        "{name}: {member} giải nén ra nhiều hơn {declared} bytes như tiêu đề ghi (tệp nén hỏng hoặc độc hại)"
                    ),
                    format!(
                        "{name}: {member} unpacks to more than the {declared} bytes its header declares (a broken or hostile zip)"
                    ),
                ));
            }
            Ok(v)
        };
        sources.push(Source {
            shp: read_entry(shp_i)?,
            dbf: read_entry(dbf_i)?,
            prj: parts.get("prj").map(|&i| read_entry(i)).transpose()?,
            cpg: parts.get("cpg").map(|&i| read_entry(i)).transpose()?,
            stem,
        });
    }
    if sources.is_empty() {
        return Err(invalid(
            format!("tệp nén {name} không chứa tệp .shp nào"),
            format!("zip {name} holds no .shp file"),
        ));
    }
    sources
        .into_iter()
        .map(|s| layer_from(s, encoding))
        .collect()
}

pub(super) fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// A folder's files grouped by stem: stem → extension (lower case) → path.
pub(super) fn siblings(
    dir: &Path,
) -> Result<BTreeMap<String, BTreeMap<String, PathBuf>>, FormatError> {
    let shown = dir.display();
    let rd = std::fs::read_dir(dir).map_err(|e| {
        invalid(
            format!("không đọc được thư mục {shown}: {e}"),
            format!("cannot read folder {shown}: {e}"),
        )
    })?;
    let mut out: BTreeMap<String, BTreeMap<String, PathBuf>> = BTreeMap::new();
    for e in rd.flatten() {
        let p = e.path();
        if !p.is_file() {
            continue;
        }
        let (Some(stem), Some(ext)) = (
            p.file_stem().and_then(|s| s.to_str()),
            p.extension().and_then(|s| s.to_str()),
        ) else {
            continue;
        };
        // group case-insensitively, keeping the .shp's spelling of the stem
        let key = out
            .keys()
            .find(|k| k.eq_ignore_ascii_case(stem))
            .cloned()
            .unwrap_or_else(|| stem.to_string());
        let mut group = out.remove(&key).unwrap_or_default();
        let ext = ext.to_ascii_lowercase();
        let key = if ext == "shp" { stem.to_string() } else { key };
        group.insert(ext, p);
        out.insert(key, group);
    }
    Ok(out)
}

pub(super) fn dir_sources(dir: &Path) -> Result<Vec<Source>, FormatError> {
    let mut sources = Vec::new();
    for (stem, parts) in siblings(dir)? {
        if parts.contains_key("shp") {
            sources.push(parts_to_source(&stem, parts)?);
        }
    }
    if sources.is_empty() {
        let shown = dir.display();
        return Err(invalid(
            format!("thư mục {shown} không chứa tệp .shp nào"),
            format!("folder {shown} holds no .shp file"),
        ));
    }
    Ok(sources)
}

pub(super) fn parts_to_source(
    stem: &str,
    parts: BTreeMap<String, PathBuf>,
) -> Result<Source, FormatError> {
    let read = |p: &PathBuf| {
        limits::check_size(p, Limits::DEFAULT.zip_bytes)?;
        std::fs::read(p).map_err(|e| {
            let shown = p.display();
            invalid(
                format!("không đọc được {shown}: {e}"),
                format!("cannot read {shown}: {e}"),
            )
        })
    };
    let need = |ext: &str| {
        parts.get(ext).ok_or_else(|| {
            invalid(
                format!("thiếu tệp {stem}.{ext}"),
                format!("{stem}.{ext} is missing"),
            )
        })
    };
    Ok(Source {
        stem: stem.to_string(),
        shp: read(need("shp")?)?,
        dbf: read(need("dbf")?)?,
        prj: parts.get("prj").map(read).transpose()?,
        cpg: parts.get("cpg").map(read).transpose()?,
    })
}

// ---------------------------------------------------------------------------
// .shp

/// One .shp record.
pub(super) enum Shape {
    Null,
    Geom(Geometry),
    MultiPoint(Vec<Pt>),
}

pub(super) fn be_i32(d: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_be_bytes(d.get(at..at + 4)?.try_into().ok()?))
}
pub(super) fn le_i32(d: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_le_bytes(d.get(at..at + 4)?.try_into().ok()?))
}
pub(super) fn le_f64(d: &[u8], at: usize) -> Option<f64> {
    Some(f64::from_le_bytes(d.get(at..at + 8)?.try_into().ok()?))
}

/// The family of a shape type: 1 point, 3 line, 5 polygon, 8 multipoint
/// (Z and M variants folded); `None` for null (0) and others.
pub(super) fn family(t: i32) -> Option<i32> {
    match t {
        1 | 11 | 21 => Some(1),
        3 | 13 | 23 => Some(3),
        5 | 15 | 25 => Some(5),
        8 | 18 | 28 => Some(8),
        _ => None,
    }
}

pub(super) fn parse_shp(data: &[u8], file: &str) -> Result<(GeomKind, Vec<Shape>), FormatError> {
    let header = (be_i32(data, 0), be_i32(data, 24), le_i32(data, 32));
    let (Some(9994), Some(words), Some(ty)) = header else {
        return Err(invalid(
            format!("{file} không phải tệp shapefile (tiêu đề sai hoặc thiếu)"),
            format!("{file} is not a shapefile (bad or missing header)"),
        ));
    };
    let fam = family(ty).ok_or_else(|| {
        invalid(
            format!("{file}: kiểu hình {ty} không được hỗ trợ"),
            format!("{file}: shape type {ty} is not supported"),
        )
    })?;
    let kind = match fam {
        1 | 8 => GeomKind::Point,
        3 => GeomKind::Line,
        _ => GeomKind::Polygon,
    };
    let declared = usize::try_from(words)
        .unwrap_or(0)
        .saturating_mul(2)
        .max(100);
    let end = declared.min(data.len());
    let mut shapes = Vec::with_capacity((end / 64).min(1 << 20));
    let mut pos = 100;
    let mut n = 0usize;
    let truncated = |n: usize| {
        invalid(
            format!("bản ghi {n} của {file} bị cắt cụt"),
            format!("record {n} of {file} is truncated"),
        )
    };
    while pos < end {
        n += 1;
        let len = be_i32(data, pos + 4).ok_or_else(|| truncated(n))?;
        let len = usize::try_from(len).map_err(|_| {
            invalid(
                format!("bản ghi {n} của {file} có độ dài âm"),
                format!("record {n} of {file} has a negative length"),
            )
        })?;
        let start = pos + 8;
        let content = start
            .checked_add(len * 2)
            .and_then(|e| data.get(start..e))
            .ok_or_else(|| truncated(n))?;
        shapes.push(parse_record(content, fam, n, file)?);
        pos = start + len * 2;
    }
    if declared > data.len() {
        return Err(truncated(n + 1));
    }
    Ok((kind, shapes))
}

pub(super) fn parse_record(c: &[u8], fam: i32, n: usize, file: &str) -> Result<Shape, FormatError> {
    let bad = |what: &str, en: &str| {
        invalid(
            format!("bản ghi {n} của {file} {what}"),
            format!("record {n} of {file} {en}"),
        )
    };
    let short = || bad("bị cắt cụt", "is truncated");
    let ty = le_i32(c, 0).ok_or_else(short)?;
    if ty == 0 {
        return Ok(Shape::Null);
    }
    if family(ty) != Some(fam) {
        return Err(bad(
            &format!("có kiểu hình {ty}, khác kiểu của tệp"),
            &format!("has shape type {ty}, not the file's"),
        ));
    }
    let finite = |p: &Pt| p[0].is_finite() && p[1].is_finite();
    let nonfinite = || bad("có tọa độ không hữu hạn", "has a non-finite coordinate");
    let points = |at: usize, count: usize| -> Result<Vec<Pt>, FormatError> {
        let bytes = count
            .checked_mul(16)
            .and_then(|l| c.get(at..at.checked_add(l)?))
            .ok_or_else(short)?;
        let pts: Vec<Pt> = bytes
            .chunks_exact(16)
            .map(|b| {
                let x = le_f64(b, 0).unwrap_or(f64::NAN);
                let y = le_f64(b, 8).unwrap_or(f64::NAN);
                [x, y]
            })
            .collect();
        if pts.iter().all(finite) {
            Ok(pts)
        } else {
            Err(nonfinite())
        }
    };
    let count = |at: usize| -> Result<usize, FormatError> {
        let v = le_i32(c, at).ok_or_else(short)?;
        usize::try_from(v).map_err(|_| bad("có số phần/điểm âm", "has a negative part/point count"))
    };
    match fam {
        1 => {
            let p = [
                le_f64(c, 4).ok_or_else(short)?,
                le_f64(c, 12).ok_or_else(short)?,
            ];
            if !finite(&p) {
                return Err(nonfinite());
            }
            Ok(Shape::Geom(Geometry::Point(p)))
        }
        8 => {
            let np = count(36)?;
            Ok(Shape::MultiPoint(points(40, np)?))
        }
        _ => {
            let (nparts, np) = (count(36)?, count(40)?);
            if nparts == 0 || np == 0 {
                return Ok(Shape::Null);
            }
            let at = nparts
                .checked_mul(4)
                .and_then(|l| l.checked_add(44))
                .ok_or_else(short)?;
            let pts = points(at, np)?;
            let mut starts = Vec::with_capacity(nparts + 1);
            for k in 0..nparts {
                starts.push(count(44 + 4 * k)?);
            }
            starts.push(np);
            if starts[0] != 0 || starts.windows(2).any(|w| w[0] >= w[1]) {
                return Err(bad(
                    "có chỉ số phần không hợp lệ",
                    "has invalid part indexes",
                ));
            }
            let parts: Vec<Vec<Pt>> = starts
                .windows(2)
                .map(|w| pts[w[0]..w[1]].to_vec())
                .collect();
            if fam == 3 {
                if parts.iter().any(|p| p.len() < 2) {
                    return Err(bad(
                        "có đường ít hơn 2 điểm",
                        "has a line of fewer than 2 points",
                    ));
                }
                Ok(Shape::Geom(Geometry::Lines(parts)))
            } else {
                let mut rings = parts;
                for r in &mut rings {
                    if let (Some(&a), Some(&b)) = (r.first(), r.last())
                        && a != b
                    {
                        r.push(a);
                    }
                    if r.len() < 4 {
                        return Err(bad(
                            "có vòng ít hơn 3 đỉnh",
                            "has a ring of fewer than 3 vertices",
                        ));
                    }
                }
                Ok(Shape::Geom(Geometry::Polygons(group_rings(rings))))
            }
        }
    }
}

pub(super) fn bbox(r: &[Pt]) -> [f64; 4] {
    r.iter().fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        |b, p| {
            [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ]
        },
    )
}

/// Where `p` lies against a closed ring: `Some(inside)`, or `None` when on
/// its boundary.
pub(super) fn locate(p: Pt, ring: &[Pt]) -> Option<bool> {
    let mut inside = false;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        let cross = (b[0] - a[0]) * (p[1] - a[1]) - (p[0] - a[0]) * (b[1] - a[1]);
        let scale = (b[0] - a[0]).abs() + (b[1] - a[1]).abs();
        let within = p[0] >= a[0].min(b[0])
            && p[0] <= a[0].max(b[0])
            && p[1] >= a[1].min(b[1])
            && p[1] <= a[1].max(b[1]);
        if within && cross.abs() <= 1e-12 * scale * scale.max(1.0) {
            return None;
        }
        if (a[1] > p[1]) != (b[1] > p[1]) {
            let x = a[0] + (p[1] - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
            if p[0] < x {
                inside = !inside;
            }
        }
    }
    Some(inside)
}

/// Groups a polygon record's rings into polygons: clockwise rings are
/// exteriors; a counter-clockwise ring is a hole of the smallest exterior
/// that holds it, else an exterior of its own (GDAL's reading).
pub(super) fn group_rings(rings: Vec<Vec<Pt>>) -> Vec<Vec<Vec<Pt>>> {
    if rings.len() == 1 {
        return vec![rings];
    }
    let areas: Vec<f64> = rings.iter().map(|r| signed_ring_area(r)).collect();
    let boxes: Vec<[f64; 4]> = rings.iter().map(|r| bbox(r)).collect();
    let exteriors: Vec<usize> = (0..rings.len()).filter(|&i| areas[i] <= 0.0).collect();
    // polygon of each ring: its own index for exteriors, the host's for holes
    let mut owner: Vec<usize> = (0..rings.len()).collect();
    for h in (0..rings.len()).filter(|&i| areas[i] > 0.0) {
        let hb = boxes[h];
        let host = exteriors
            .iter()
            .copied()
            .filter(|&e| {
                let eb = boxes[e];
                eb[0] <= hb[0] && eb[1] <= hb[1] && eb[2] >= hb[2] && eb[3] >= hb[3]
            })
            .filter(|&e| {
                rings[h]
                    .iter()
                    .find_map(|&p| locate(p, &rings[e]))
                    .unwrap_or(true)
            })
            .min_by(|&a, &b| areas[a].abs().total_cmp(&areas[b].abs()));
        if let Some(e) = host {
            owner[h] = e;
        }
    }
    let mut polys: Vec<Vec<Vec<Pt>>> = Vec::new();
    let mut slot: Vec<Option<usize>> = vec![None; rings.len()];
    // exteriors (and orphan holes) first, in file order, then holes
    for i in 0..rings.len() {
        if owner[i] == i {
            slot[i] = Some(polys.len());
            polys.push(Vec::with_capacity(1));
        }
    }
    let mut rings: Vec<Option<Vec<Pt>>> = rings.into_iter().map(Some).collect();
    for i in 0..rings.len() {
        if owner[i] == i
            && let (Some(s), Some(r)) = (slot[i], rings[i].take())
        {
            polys[s].push(r);
        }
    }
    for i in 0..rings.len() {
        if let (Some(s), Some(r)) = (slot[owner[i]], rings[i].take()) {
            polys[s].push(r);
        }
    }
    polys
}
