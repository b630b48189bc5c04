//! MicroStation DGN V7 (ISFF, "Intergraph Standard File Format"): the
//! design files Vietnamese cadastral maps (bản đồ địa chính) are drawn in
//! with Famis, TMV.Map or VILIS. Read only.
//!
//! Written here after the layout GDAL's DGN driver documents (`dgnread.cpp`,
//! `dgnopen.cpp`, `dgnhelp.cpp`): no maintained Rust crate reads V7 alone
//! (the one DGN crate, `cadkit-dgn`, is a young 20 000-line V7+V8 reader
//! with its own document model, more than this needs).
//!
//! - The file: elements one after another, each a 4-byte header (level,
//!   complex and deleted flags, type, words to follow), 2D or 3D by the
//!   first byte (0x08 / 0xC8). The first is the TCB: sub-units per master
//!   unit, UOR per sub-unit, the master unit's name and the global origin,
//!   which make design coordinates (UOR) metres:
//!   `(uor − origin) / (UOR per master) × metres per master unit`.
//! - Parcels: shapes (6), complex shapes (14, their components chained)
//!   and ellipses (15) on the selected levels (`--dgn-level`, all by
//!   default; a component on level 0 takes its cell's). Holes: shapes
//!   marked as holes (properties bit 15, as GDAL writes a polygon's inner
//!   rings in a cell) go to the outline of their cell, else the smallest
//!   outline holding them; an unmarked outline wholly inside another is
//!   cut out of it and stays a parcel itself (an enclosed parcel).
//! - Texts (17) inside exactly one parcel give its number ("12", "12/150,5",
//!   "Thửa 12") and map sheet ("Tờ 5"); a sheet title outside the parcels
//!   ("Tờ bản đồ số 5", the only one) is the sheet of parcels that state
//!   none. 8-bit texts in TCVN3 or VNI are recognised and decoded.
//! - Segments: lines (3), line strings (4), curves (11, through their
//!   points), arcs (16) and complex chains (12); a road label within 20 m
//!   ("Đường Lê Lợi, lộ giới 20m", "LG 13,5", "hiện trạng 8m") gives the
//!   nearest line its name and planned and current widths.
//! - Cells (2) are read through: their components are elements like any.
//!
//! DGN states no CRS: `--crs` is required. DGN V8 (an OLE compound file) is
//! refused with how to save it as V7. A malformed file is refused with the
//! byte offset of the element at fault; the work is bounded by the file
//! size and, for arcs, by [`Limits::curve_vertices`]; it stays linear on
//! hostile files: a shape within the boxes of more than 100 others is
//! refused, a road label among more than 1000 line segments is given to
//! no line (both said).
//!
//! Left out: 3D rotations (quaternions) of ellipses and arcs (as GDAL),
//! B-splines (21, 24–28), text nodes' layout, shared cells (35), the
//! sub-UOR vertex deltas of linkage 0x51A9, reference files.

use super::layer::{FormatError, GeomKind, Layer, Pt};
use super::limits::Limits;

mod build;
mod element;
mod geom;
mod read;
#[cfg(test)]
mod tests;

/// How to read.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions<'a> {
    /// Only elements on these levels (1–63); empty = all.
    pub levels: &'a [u8],
    /// Parcels (polygons) or segments (lines).
    pub kind: GeomKind,
}

/// The parcels (`kind` Polygon: layer "parcels") or lines (`kind` Line:
/// layer "lines") of a DGN V7 file, in metres, within the default
/// [`Limits`].
pub fn read(bytes: &[u8], opts: &ReadOptions) -> Result<Layer, FormatError> {
    read_within(bytes, opts, &Limits::DEFAULT)
}

/// [`read`] within `limits`.
pub fn read_within(
    bytes: &[u8],
    opts: &ReadOptions,
    limits: &Limits,
) -> Result<Layer, FormatError> {
    read_in(bytes, opts, limits, false)
}

/// [`read`] for a CRS whose unit is not the metre (US survey feet, feet):
/// coordinates in the design's master units, for the CRS to convert, as
/// GDAL reads them (the master unit's two-letter name cannot tell the
/// international foot from the US survey foot; the CRS can). Measures made
/// while reading (how far a road label may stand) stay in metres.
pub fn read_in_master_units(bytes: &[u8], opts: &ReadOptions) -> Result<Layer, FormatError> {
    read_in(bytes, opts, &Limits::DEFAULT, true)
}

fn read_in(
    bytes: &[u8],
    opts: &ReadOptions,
    limits: &Limits,
    master_units: bool,
) -> Result<Layer, FormatError> {
    let three_d = element::signature(bytes)?;
    let mut elements = element::Elements::new(bytes).peekable();
    let tcb = match elements.next() {
        Some(e) => e?,
        None => return Err(FormatError::invalid("tệp DGN rỗng / empty DGN file")),
    };
    let design = element::Design::from_tcb(&tcb, three_d)?;
    let drawing = read::walk(&design, &mut elements, opts, limits)?;
    let mut notes = vec![format!(
        "DGN V7 {}: {} UOR = 1 {} ({}), gốc tọa độ / global origin ({}, {}) UOR",
        if three_d { "3D" } else { "2D" },
        build_number(design.uor_per_master),
        master_name(&design),
        match design.unit_m {
            Some(1.0) => "m".to_string(),
            Some(m) => format!("{} m", build_number(m)),
            None => "không rõ đơn vị, coi là mét / unknown unit, taken as metres".to_string(),
        },
        build_number(design.origin[0]),
        build_number(design.origin[1]),
    )];
    let polygons = opts.kind == GeomKind::Polygon;
    counts(&drawing, &mut notes);
    let mut layer = if polygons {
        if drawing.outlines.iter().all(|o| o.hole) {
            return Err(build::nothing(&drawing, true, opts.levels));
        }
        let texts = build::decode_texts(&drawing.texts, &mut notes);
        let polys = build::polygons(&drawing, &mut notes)?;
        build::parcels_layer(&drawing, polys, &texts, &mut notes)
    } else {
        if drawing.lines.is_empty() {
            return Err(build::nothing(&drawing, false, opts.levels));
        }
        let texts = build::decode_texts(&drawing.texts, &mut notes);
        build::lines_layer(drawing, &texts, &mut notes)
    };
    if master_units {
        // back from metres to master units (as GDAL gives them)
        let per_master = design.unit_m.unwrap_or(1.0);
        if per_master != 1.0 {
            for f in &mut layer.features {
                for pts in f.geometry.points_mut() {
                    for p in pts.iter_mut() {
                        *p = [p[0] / per_master, p[1] / per_master];
                    }
                }
            }
        }
        notes.push(format!(
            "tọa độ theo đơn vị chính của tệp ({}), đổi ra mét theo đơn vị của hệ tọa độ / coordinates in the file's master unit ({}), converted to metres by the CRS's unit",
            master_name(&design),
            master_name(&design),
        ));
    }
    layer.notes = notes;
    Ok(layer)
}

fn master_name(d: &element::Design) -> &str {
    if d.master_name.is_empty() {
        "?"
    } else {
        &d.master_name
    }
}

fn counts(d: &read::Drawing, notes: &mut Vec<String>) {
    let mut note = |n: usize, vi: &str, en: &str| {
        if n > 0 {
            notes.push(format!("{n} {vi} / {n} {en}"));
        }
    };
    note(
        d.deleted,
        "phần tử đã xóa bị bỏ qua",
        "deleted elements skipped",
    );
    note(
        d.arcs,
        "cung tròn / ellipse được thay bằng các dây cung (sai lệch ≤ 1 mm)",
        "arcs / ellipses approximated by chords (within 1 mm)",
    );
    note(
        d.other,
        "phần tử loại khác bị bỏ qua",
        "elements of other types skipped",
    );
    note(
        d.degenerate,
        "hình suy biến bị bỏ qua",
        "degenerate elements skipped",
    );
}

/// A number as short as it reads: `100`, `0.001`.
fn build_number(x: f64) -> String {
    super::layer::format_real(x)
}
