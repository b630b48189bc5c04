//! ASCII DXF for surveyors' CAD (AutoCAD, MicroStation), coordinates as
//! given: VN-2000 metres, no CRS (DXF has none).
//!
//! Writer: AutoCAD R2000 (AC1015), hand-written after the structure of
//! GDAL's `header.dxf`/`trailer.dxf` and ezdxf's "minimal DXF content"
//! notes: every table, block record, block, root dictionary, ACAD_GROUP,
//! layouts and the plot-style placeholder, each with its handle, owner (330)
//! and subclass markers (100). A DXF layer per hiendat layer and class
//! (`PARCELS_SIGNED`), a distinct colour per class, labels on
//! `<NAME>_LABEL`; polygon rings as closed LWPOLYLINEs, lines as open ones,
//! points as POINT. Every feature's attributes ride as XDATA of app HIENDAT
//! on its first entity (`name=value` strings); its further rings point back
//! to it (`_part=H`, `_hole=H`) so that the reader rebuilds the same
//! polygons. Non-ASCII text is written as `\U+XXXX`, so the file is ASCII
//! and `$DWGCODEPAGE` is ANSI_1252: GDAL's CP1258 recoding (glibc iconv)
//! drops the last character of every string. Labels are TEXT when ASCII and
//! MTEXT otherwise, because GDAL decodes `\U+XXXX` in MTEXT only.
//!
//! Reader: parcels from a drawing's ENTITIES (model space): closed
//! LWPOLYLINE, closed 2D POLYLINE and HATCH boundaries (polyline and edge
//! paths; arcs, ellipses and bulges as chords, splines through their control
//! points), TEXT/MTEXT as labels, HIENDAT XDATA as fields.
//!
//! Left out: blocks (INSERTs are counted, not exploded), paper space,
//! CIRCLE/ELLIPSE/SPLINE entities as parcels, 3D/tilted extrusions (only the
//! mirrored (0,0,-1) case is handled), writing HATCH fills.
//!
//! Binary DXF (R12's one-byte group codes and R13+'s two) is read as the
//! ASCII DXF it stands for, by the same reader (module `binary`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{BufWriter, Write};

use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

use super::layer::FormatError;
use super::layer::{Feature, Field, FieldKind, GeomKind, Geometry, Layer, Pt, Value};
use super::limits::Limits;
use crate::geometry::area::signed_ring_area;

mod binary;
mod entities;
mod lex;
mod read;
mod shapes;
mod skeleton;
#[cfg(test)]
mod tests;
mod write;

use self::entities::*;
pub use self::lex::*;
pub use self::read::*;
use self::shapes::*;
use self::skeleton::*;
pub use self::write::*;

/// The XDATA application name of hiendat's attributes.
const APP: &str = "HIENDAT";
/// Longest XDATA string AutoCAD keeps (bytes).
const XSTR_MAX: usize = 255;
/// Label text height (m).
const TEXT_HEIGHT: f64 = 1.0;
/// Largest distance (m) between an arc and the chords replacing it.
const ARC_SAGITTA: f64 = 0.001;
/// Two points this close (m) are the same point (below the 0.1 mm we write).
const SAME_PT: f64 = 1e-4;

fn extend(min: &mut Pt, max: &mut Pt, p: Pt) {
    min[0] = min[0].min(p[0]);
    min[1] = min[1].min(p[1]);
    max[0] = max[0].max(p[0]);
    max[1] = max[1].max(p[1]);
}
