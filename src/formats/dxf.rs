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
//! mirrored (0,0,-1) case is handled), binary DXF, writing HATCH fills.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{BufWriter, Write};

use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

use super::layer::FormatError;
use super::layer::{Feature, Field, FieldKind, GeomKind, Geometry, Layer, Pt, Value};

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

// ---------------------------------------------------------------------------
// Writer
// ---------------------------------------------------------------------------

// Fixed handles of the drawing skeleton (hex in the file). Entities and user
// layers are numbered from FIRST_FREE on.
const H_BLOCK_RECORD_TABLE: u64 = 0x1;
const H_LAYER_TABLE: u64 = 0x2;
const H_STYLE_TABLE: u64 = 0x3;
const H_LTYPE_TABLE: u64 = 0x5;
const H_VIEW_TABLE: u64 = 0x6;
const H_UCS_TABLE: u64 = 0x7;
const H_VPORT_TABLE: u64 = 0x8;
const H_APPID_TABLE: u64 = 0x9;
const H_DIMSTYLE_TABLE: u64 = 0xA;
const H_ROOT_DICT: u64 = 0xC;
const H_GROUP_DICT: u64 = 0xD;
const H_PLOTSTYLE_DICT: u64 = 0xE;
const H_PLOTSTYLE_NORMAL: u64 = 0xF;
const H_LAYER_0: u64 = 0x10;
const H_STYLE_STANDARD: u64 = 0x11;
const H_APPID_ACAD: u64 = 0x12;
const H_APPID_HIENDAT: u64 = 0x13;
const H_LTYPE_BYBLOCK: u64 = 0x14;
const H_LTYPE_BYLAYER: u64 = 0x15;
const H_LTYPE_CONTINUOUS: u64 = 0x16;
const H_LAYOUT_DICT: u64 = 0x1A;
const H_PS_RECORD: u64 = 0x1B;
const H_PS_BLOCK: u64 = 0x1C;
const H_PS_ENDBLK: u64 = 0x1D;
const H_PS_LAYOUT: u64 = 0x1E;
const H_MS_RECORD: u64 = 0x1F;
const H_MS_BLOCK: u64 = 0x20;
const H_MS_ENDBLK: u64 = 0x21;
const H_MS_LAYOUT: u64 = 0x22;
const H_DIMSTYLE_STANDARD: u64 = 0x27;
const H_VPORT_ACTIVE: u64 = 0x29;
const FIRST_FREE: u64 = 0x30;

/// ACI colours handed to classes in turn: the primaries first, then
/// well-separated hues of the 10..249 wheel.
const CLASS_COLOURS: [i16; 24] = [
    1, 3, 5, 30, 6, 4, 2, 140, 200, 40, 90, 170, 230, 10, 60, 110, 150, 190, 210, 20, 70, 130, 240,
    50,
];

/// A DXF layer to declare.
struct DxfLayer {
    name: String,
    colour: i16,
    handle: u64,
}

/// What the first pass learns: layers, per-feature DXF layer, extents and
/// how many handles the entities take.
struct Plan {
    layers: Vec<DxfLayer>,
    /// Per input layer, per feature: index into `layers`.
    feature_layer: Vec<Vec<usize>>,
    /// Per input layer: index of its label layer, if it has labels.
    label_layer: Vec<Option<usize>>,
    min: Pt,
    max: Pt,
    entities: u64,
}

/// ASCII DXF, AutoCAD R2000 (AC1015), coordinates as given (VN-2000 metres).
pub fn write<W: Write>(w: W, layers: &[Layer]) -> Result<(), FormatError> {
    let plan = plan(layers)?;
    let mut o = Out {
        w: BufWriter::with_capacity(1 << 18, w),
        buf: Vec::with_capacity(256),
    };
    let handseed = FIRST_FREE + plan.layers.len() as u64 + plan.entities;
    write_header(&mut o, &plan, handseed)?;
    write_tables(&mut o, &plan)?;
    write_blocks(&mut o)?;
    o.s(0, "SECTION")?;
    o.s(2, "ENTITIES")?;
    let mut next = FIRST_FREE + plan.layers.len() as u64;
    for (li, layer) in layers.iter().enumerate() {
        write_layer_entities(&mut o, &plan, li, layer, &mut next)?;
    }
    o.s(0, "ENDSEC")?;
    write_objects(&mut o)?;
    o.s(0, "EOF")?;
    o.w.flush()?;
    Ok(())
}

fn plan(layers: &[Layer]) -> Result<Plan, FormatError> {
    let mut plan = Plan {
        layers: Vec::new(),
        feature_layer: Vec::with_capacity(layers.len()),
        label_layer: Vec::with_capacity(layers.len()),
        min: [f64::INFINITY; 2],
        max: [f64::NEG_INFINITY; 2],
        entities: 0,
    };
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut add_layer = |plan: &mut Plan, name: String, colour: i16| -> usize {
        if let Some(&i) = by_name.get(&name) {
            return i;
        }
        let i = plan.layers.len();
        plan.layers.push(DxfLayer {
            name: name.clone(),
            colour,
            handle: FIRST_FREE + i as u64,
        });
        by_name.insert(name, i);
        i
    };
    for layer in layers {
        let base = layer_name_part(&layer.name);
        let base = if base.is_empty() {
            "HIENDAT".to_string()
        } else {
            base
        };
        let mut classes: HashMap<String, usize> = HashMap::new();
        let mut per_feature = Vec::with_capacity(layer.features.len());
        let mut has_label = false;
        for (fi, f) in layer.features.iter().enumerate() {
            let class = layer
                .class_field
                .and_then(|c| f.values.get(c))
                .and_then(|v| v.as_text());
            let idx = match class {
                None => add_layer(&mut plan, base.clone(), 7),
                Some(c) => match classes.get(c.as_ref()) {
                    Some(&i) => i,
                    None => {
                        let colour = CLASS_COLOURS[classes.len() % CLASS_COLOURS.len()];
                        let part = layer_name_part(&c);
                        let name = if part.is_empty() {
                            base.clone()
                        } else {
                            format!("{base}_{part}")
                        };
                        let i = add_layer(&mut plan, name, colour);
                        classes.insert(c.into_owned(), i);
                        i
                    }
                },
            };
            per_feature.push(idx);
            let label = label_of(layer, f).is_some();
            let n = count_entities(&f.geometry);
            if n > 0 && label {
                has_label = true;
                plan.entities += 1;
            }
            plan.entities += n;
            for part in geometry_parts(&f.geometry) {
                for p in part {
                    if !(p[0].is_finite() && p[1].is_finite()) {
                        return Err(FormatError::invalid(format!(
                            "đối tượng {} của lớp {} có tọa độ không hữu hạn / feature {} of layer {} has a non-finite coordinate",
                            fi + 1,
                            layer.name,
                            fi + 1,
                            layer.name
                        )));
                    }
                    extend(&mut plan.min, &mut plan.max, *p);
                }
            }
            if label && let Geometry::Point(p) = f.geometry {
                extend(&mut plan.min, &mut plan.max, point_label_at(p));
            }
        }
        let label_layer = has_label.then(|| add_layer(&mut plan, format!("{base}_LABEL"), 7));
        plan.feature_layer.push(per_feature);
        plan.label_layer.push(label_layer);
    }
    Ok(plan)
}

fn extend(min: &mut Pt, max: &mut Pt, p: Pt) {
    min[0] = min[0].min(p[0]);
    min[1] = min[1].min(p[1]);
    max[0] = max[0].max(p[0]);
    max[1] = max[1].max(p[1]);
}

/// Every point list of a geometry (rings, line parts, the point).
fn geometry_parts(g: &Geometry) -> Box<dyn Iterator<Item = &[Pt]> + '_> {
    match g {
        Geometry::Point(p) => Box::new(std::iter::once(std::slice::from_ref(p))),
        Geometry::Lines(ls) => Box::new(ls.iter().map(|l| l.as_slice())),
        Geometry::Polygons(ps) => Box::new(ps.iter().flatten().map(|r| r.as_slice())),
    }
}

/// Entities a geometry becomes (without its label).
fn count_entities(g: &Geometry) -> u64 {
    match g {
        Geometry::Point(_) => 1,
        Geometry::Lines(ls) => ls.iter().filter(|l| l.len() >= 2).count() as u64,
        Geometry::Polygons(ps) => ps
            .iter()
            .flatten()
            .filter(|r| ring_open_len(r) >= 2)
            .count() as u64,
    }
}

/// Vertices of a ring without its closing repeat.
fn ring_open_len(r: &[Pt]) -> usize {
    match (r.first(), r.last()) {
        (Some(a), Some(b)) if r.len() > 1 && a == b => r.len() - 1,
        _ => r.len(),
    }
}

fn label_of<'a>(layer: &Layer, f: &'a Feature) -> Option<Cow<'a, str>> {
    layer
        .label_field
        .and_then(|i| f.values.get(i))
        .and_then(|v| v.as_text())
}

/// Where a point's label goes: up and to the right of it.
fn point_label_at(p: Pt) -> Pt {
    [p[0] + 0.5 * TEXT_HEIGHT, p[1] + 0.5 * TEXT_HEIGHT]
}

/// An ASCII layer-name part: Vietnamese letters without their marks,
/// upper case, anything but letters, digits, `-` and `_` as `_`.
fn layer_name_part(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars() {
        let c = fold_vietnamese(c);
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            out.push(c.to_ascii_uppercase());
        } else {
            out.push('_');
        }
    }
    out
}

/// A Vietnamese letter without its diacritics (`ệ` → `e`, `Đ` → `D`); other
/// characters unchanged.
fn fold_vietnamese(c: char) -> char {
    const GROUPS: [(&str, char); 14] = [
        ("àáảãạăằắẳẵặâầấẩẫậ", 'a'),
        ("ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ", 'A'),
        ("èéẻẽẹêềếểễệ", 'e'),
        ("ÈÉẺẼẸÊỀẾỂỄỆ", 'E'),
        ("ìíỉĩị", 'i'),
        ("ÌÍỈĨỊ", 'I'),
        ("òóỏõọôồốổỗộơờớởỡợ", 'o'),
        ("ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ", 'O'),
        ("ùúủũụưừứửữự", 'u'),
        ("ÙÚỦŨỤƯỪỨỬỮỰ", 'U'),
        ("ỳýỷỹỵ", 'y'),
        ("ỲÝỶỸỴ", 'Y'),
        ("đ", 'd'),
        ("Đ", 'D'),
    ];
    if c.is_ascii() {
        return c;
    }
    GROUPS
        .iter()
        .find(|(set, _)| set.contains(c))
        .map_or(c, |&(_, base)| base)
}

/// The group-code writer.
struct Out<W: Write> {
    w: BufWriter<W>,
    buf: Vec<u8>,
}

impl<W: Write> Out<W> {
    fn code(&mut self, code: i32) -> std::io::Result<()> {
        // AutoCAD's layout: codes right-aligned in three columns
        if (0..10).contains(&code) {
            self.w.write_all(b"  ")?;
        } else if (10..100).contains(&code) {
            self.w.write_all(b" ")?;
        }
        let mut b = itoa::Buffer::new();
        self.w.write_all(b.format(code).as_bytes())?;
        self.w.write_all(b"\n")
    }

    /// A string value, written as is (must be ASCII without line breaks).
    fn s(&mut self, code: i32, v: &str) -> std::io::Result<()> {
        self.code(code)?;
        self.w.write_all(v.as_bytes())?;
        self.w.write_all(b"\n")
    }

    /// Free text: non-ASCII as `\U+XXXX`, line breaks as spaces, at most
    /// `max` bytes.
    fn text(&mut self, code: i32, v: &str, max: usize) -> std::io::Result<()> {
        self.buf.clear();
        escape_into(v, &mut self.buf, max);
        self.code(code)?;
        self.w.write_all(&self.buf)?;
        self.w.write_all(b"\n")
    }

    fn i(&mut self, code: i32, v: i64) -> std::io::Result<()> {
        self.code(code)?;
        let mut b = itoa::Buffer::new();
        self.w.write_all(b.format(v).as_bytes())?;
        self.w.write_all(b"\n")
    }

    /// A handle (hex).
    fn h(&mut self, code: i32, v: u64) -> std::io::Result<()> {
        self.code(code)?;
        writeln!(self.w, "{v:X}")
    }

    /// A real in its shortest exact form (header and table values).
    fn f(&mut self, code: i32, v: f64) -> std::io::Result<()> {
        self.code(code)?;
        if v.fract() == 0.0 && v.abs() < 1e15 {
            writeln!(self.w, "{v:.1}")
        } else {
            let mut b = ryu::Buffer::new();
            self.w.write_all(b.format(v).as_bytes())?;
            self.w.write_all(b"\n")
        }
    }

    /// A coordinate with 4 decimals (0.1 mm), by integer arithmetic: this is
    /// most of the file.
    fn c(&mut self, code: i32, v: f64) -> std::io::Result<()> {
        self.code(code)?;
        let n = (v * 1e4).round();
        if n.abs() >= 9e18 {
            return writeln!(self.w, "{v:.4}");
        }
        let n = n as i64;
        if n < 0 {
            self.w.write_all(b"-")?;
        }
        let a = n.unsigned_abs();
        let mut b = itoa::Buffer::new();
        self.w.write_all(b.format(a / 10_000).as_bytes())?;
        let frac = (a % 10_000) as u32;
        let digits = [
            b'.',
            b'0' + (frac / 1000) as u8,
            b'0' + (frac / 100 % 10) as u8,
            b'0' + (frac / 10 % 10) as u8,
            b'0' + (frac % 10) as u8,
            b'\n',
        ];
        self.w.write_all(&digits)
    }

    fn xy(&mut self, p: Pt) -> std::io::Result<()> {
        self.c(10, p[0])?;
        self.c(20, p[1])
    }

    fn xyz(&mut self, base: i32, p: Pt) -> std::io::Result<()> {
        self.c(base, p[0])?;
        self.c(base + 10, p[1])?;
        self.c(base + 20, 0.0)
    }

    /// Start of a symbol table.
    fn table(&mut self, name: &str, handle: u64, count: i64) -> std::io::Result<()> {
        self.s(0, "TABLE")?;
        self.s(2, name)?;
        self.h(5, handle)?;
        self.h(330, 0)?;
        self.s(100, "AcDbSymbolTable")?;
        self.i(70, count)
    }

    /// Start of a symbol table record.
    fn record(&mut self, kind: &str, handle: u64, owner: u64, sub: &str) -> std::io::Result<()> {
        self.s(0, kind)?;
        self.h(5, handle)?;
        self.h(330, owner)?;
        self.s(100, "AcDbSymbolTableRecord")?;
        self.s(100, sub)
    }

    /// Start of a model-space entity.
    fn entity(&mut self, kind: &str, handle: u64, layer: &str) -> std::io::Result<()> {
        self.s(0, kind)?;
        self.h(5, handle)?;
        self.h(330, H_MS_RECORD)?;
        self.s(100, "AcDbEntity")?;
        self.s(8, layer)
    }

    /// A dictionary object owned by `owner`, with its entries.
    fn dictionary(
        &mut self,
        handle: u64,
        owner: u64,
        entries: &[(&str, u64)],
    ) -> std::io::Result<()> {
        self.s(0, "DICTIONARY")?;
        self.h(5, handle)?;
        if owner != 0 {
            self.s(102, "{ACAD_REACTORS")?;
            self.h(330, owner)?;
            self.s(102, "}")?;
        }
        self.h(330, owner)?;
        self.s(100, "AcDbDictionary")?;
        self.i(281, 1)?;
        for (name, h) in entries {
            self.s(3, name)?;
            self.h(350, *h)?;
        }
        Ok(())
    }
}

/// Appends `s` as DXF text: printable ASCII as is, other characters as
/// `\U+XXXX` (outside the BMP: `?`), controls as spaces; stops before
/// `max` bytes, never inside an escape.
fn escape_into(s: &str, out: &mut Vec<u8>, max: usize) {
    for c in s.chars() {
        let start = out.len();
        match c {
            ' '..='~' => out.push(c as u8),
            c if c.is_control() => out.push(b' '),
            c if (c as u32) <= 0xFFFF => {
                let _ = write!(out, "\\U+{:04X}", c as u32);
            }
            _ => out.push(b'?'),
        }
        if out.len() > max {
            out.truncate(start);
            break;
        }
    }
}

fn write_header<W: Write>(o: &mut Out<W>, plan: &Plan, handseed: u64) -> std::io::Result<()> {
    let (min, max) = extents(plan);
    o.s(0, "SECTION")?;
    o.s(2, "HEADER")?;
    o.s(9, "$ACADVER")?;
    o.s(1, "AC1015")?;
    o.s(9, "$ACADMAINTVER")?;
    o.i(70, 6)?;
    o.s(9, "$DWGCODEPAGE")?;
    // The text is ASCII (\U+ escapes), so the code page only labels it; not
    // ANSI_1258: GDAL's iconv recoding from CP1258 drops every string's
    // last character.
    o.s(3, "ANSI_1252")?;
    o.s(9, "$INSBASE")?;
    o.xyz(10, [0.0, 0.0])?;
    o.s(9, "$EXTMIN")?;
    o.xyz(10, min)?;
    o.s(9, "$EXTMAX")?;
    o.xyz(10, max)?;
    o.s(9, "$LIMMIN")?;
    o.xy(min)?;
    o.s(9, "$LIMMAX")?;
    o.xy(max)?;
    for (name, v) in [
        ("$ORTHOMODE", 0),
        ("$REGENMODE", 1),
        ("$FILLMODE", 1),
        ("$QTEXTMODE", 0),
        ("$MIRRTEXT", 0),
        ("$ATTMODE", 1),
    ] {
        o.s(9, name)?;
        o.i(70, v)?;
    }
    o.s(9, "$LTSCALE")?;
    o.f(40, 1.0)?;
    o.s(9, "$TEXTSIZE")?;
    o.f(40, TEXT_HEIGHT)?;
    o.s(9, "$TEXTSTYLE")?;
    o.s(7, "Standard")?;
    o.s(9, "$CLAYER")?;
    o.s(8, "0")?;
    o.s(9, "$CELTYPE")?;
    o.s(6, "ByLayer")?;
    o.s(9, "$CECOLOR")?;
    o.i(62, 256)?;
    o.s(9, "$CELTSCALE")?;
    o.f(40, 1.0)?;
    // decimal units, 4 decimals, degrees: what VN-2000 surveyors use
    for (name, v) in [
        ("$LUNITS", 2),
        ("$LUPREC", 4),
        ("$AUNITS", 0),
        ("$AUPREC", 4),
    ] {
        o.s(9, name)?;
        o.i(70, v)?;
    }
    o.s(9, "$MENU")?;
    o.s(1, ".")?;
    o.s(9, "$ELEVATION")?;
    o.f(40, 0.0)?;
    // survey points drawn as a circled cross 0.5 m wide
    o.s(9, "$PDMODE")?;
    o.i(70, 34)?;
    o.s(9, "$PDSIZE")?;
    o.f(40, 0.5)?;
    o.s(9, "$HANDSEED")?;
    o.h(5, handseed)?;
    o.s(9, "$TILEMODE")?;
    o.i(70, 1)?;
    o.s(9, "$PLINEGEN")?;
    o.i(70, 0)?;
    o.s(9, "$MEASUREMENT")?;
    o.i(70, 1)?;
    o.s(9, "$CELWEIGHT")?;
    o.i(370, -1)?;
    o.s(9, "$INSUNITS")?;
    o.i(70, 6)?;
    o.s(9, "$PSTYLEMODE")?;
    o.i(290, 1)?;
    o.s(9, "$EXTNAMES")?;
    o.i(290, 1)?;
    o.s(0, "ENDSEC")?;
    // CLASSES: the non-builtin object types the OBJECTS section uses
    o.s(0, "SECTION")?;
    o.s(2, "CLASSES")?;
    for (name, cpp) in [
        ("ACDBDICTIONARYWDFLT", "AcDbDictionaryWithDefault"),
        ("ACDBPLACEHOLDER", "AcDbPlaceHolder"),
        ("LAYOUT", "AcDbLayout"),
    ] {
        o.s(0, "CLASS")?;
        o.s(1, name)?;
        o.s(2, cpp)?;
        o.s(3, "ObjectDBX Classes")?;
        o.i(90, 0)?;
        o.i(280, 0)?;
        o.i(281, 0)?;
    }
    o.s(0, "ENDSEC")
}

/// Drawing extents, a 1 m box at the origin for an empty drawing.
fn extents(plan: &Plan) -> (Pt, Pt) {
    if plan.min[0].is_finite() && plan.max[0].is_finite() {
        (plan.min, plan.max)
    } else {
        ([0.0, 0.0], [1.0, 1.0])
    }
}

fn write_tables<W: Write>(o: &mut Out<W>, plan: &Plan) -> std::io::Result<()> {
    let (min, max) = extents(plan);
    let w = (max[0] - min[0]).max(1.0);
    let h = (max[1] - min[1]).max(1.0);
    o.s(0, "SECTION")?;
    o.s(2, "TABLES")?;

    // VPORT: the active view zoomed to the data
    o.table("VPORT", H_VPORT_TABLE, 1)?;
    o.record(
        "VPORT",
        H_VPORT_ACTIVE,
        H_VPORT_TABLE,
        "AcDbViewportTableRecord",
    )?;
    o.s(2, "*Active")?;
    o.i(70, 0)?;
    o.f(10, 0.0)?;
    o.f(20, 0.0)?;
    o.f(11, 1.0)?;
    o.f(21, 1.0)?;
    o.c(12, (min[0] + max[0]) / 2.0)?;
    o.c(22, (min[1] + max[1]) / 2.0)?;
    for (code, v) in [
        (13, 0.0),
        (23, 0.0),
        (14, 1.0),
        (24, 1.0),
        (15, 10.0),
        (25, 10.0),
        (16, 0.0),
        (26, 0.0),
        (36, 1.0),
        (17, 0.0),
        (27, 0.0),
        (37, 0.0),
    ] {
        o.f(code, v)?;
    }
    o.c(40, h * 1.1)?;
    o.f(41, (w / h).clamp(0.1, 10.0))?;
    for (code, v) in [(42, 50.0), (43, 0.0), (44, 0.0), (50, 0.0), (51, 0.0)] {
        o.f(code, v)?;
    }
    for (code, v) in [
        (71, 0),
        (72, 1000),
        (73, 1),
        (74, 3),
        (75, 0),
        (76, 0),
        (77, 0),
        (78, 0),
        (281, 0),
        (65, 1),
    ] {
        o.i(code, v)?;
    }
    for (code, v) in [
        (110, 0.0),
        (120, 0.0),
        (130, 0.0),
        (111, 1.0),
        (121, 0.0),
        (131, 0.0),
        (112, 0.0),
        (122, 1.0),
        (132, 0.0),
    ] {
        o.f(code, v)?;
    }
    o.i(79, 0)?;
    o.f(146, 0.0)?;
    o.s(0, "ENDTAB")?;

    o.table("LTYPE", H_LTYPE_TABLE, 3)?;
    for (handle, name, descr) in [
        (H_LTYPE_BYBLOCK, "ByBlock", ""),
        (H_LTYPE_BYLAYER, "ByLayer", ""),
        (H_LTYPE_CONTINUOUS, "Continuous", "Solid line"),
    ] {
        o.record("LTYPE", handle, H_LTYPE_TABLE, "AcDbLinetypeTableRecord")?;
        o.s(2, name)?;
        o.i(70, 0)?;
        o.s(3, descr)?;
        o.i(72, 65)?;
        o.i(73, 0)?;
        o.f(40, 0.0)?;
    }
    o.s(0, "ENDTAB")?;

    o.table("LAYER", H_LAYER_TABLE, 1 + plan.layers.len() as i64)?;
    let zero = DxfLayer {
        name: "0".into(),
        colour: 7,
        handle: H_LAYER_0,
    };
    for l in std::iter::once(&zero).chain(&plan.layers) {
        o.record("LAYER", l.handle, H_LAYER_TABLE, "AcDbLayerTableRecord")?;
        o.s(2, &l.name)?;
        o.i(70, 0)?;
        o.i(62, i64::from(l.colour))?;
        o.s(6, "Continuous")?;
        o.i(370, -3)?;
        o.h(390, H_PLOTSTYLE_NORMAL)?;
    }
    o.s(0, "ENDTAB")?;

    // a TrueType font, so that Vietnamese letters show (txt.shx has none)
    o.table("STYLE", H_STYLE_TABLE, 1)?;
    o.record(
        "STYLE",
        H_STYLE_STANDARD,
        H_STYLE_TABLE,
        "AcDbTextStyleTableRecord",
    )?;
    o.s(2, "Standard")?;
    o.i(70, 0)?;
    o.f(40, 0.0)?;
    o.f(41, 1.0)?;
    o.f(50, 0.0)?;
    o.i(71, 0)?;
    o.f(42, TEXT_HEIGHT)?;
    o.s(3, "arial.ttf")?;
    o.s(4, "")?;
    o.s(0, "ENDTAB")?;

    o.table("VIEW", H_VIEW_TABLE, 0)?;
    o.s(0, "ENDTAB")?;
    o.table("UCS", H_UCS_TABLE, 0)?;
    o.s(0, "ENDTAB")?;

    o.table("APPID", H_APPID_TABLE, 2)?;
    for (handle, name) in [(H_APPID_ACAD, "ACAD"), (H_APPID_HIENDAT, APP)] {
        o.record("APPID", handle, H_APPID_TABLE, "AcDbRegAppTableRecord")?;
        o.s(2, name)?;
        o.i(70, 0)?;
    }
    o.s(0, "ENDTAB")?;

    // DIMSTYLE: its table has an extra subclass; its records use 105
    o.table("DIMSTYLE", H_DIMSTYLE_TABLE, 1)?;
    o.s(100, "AcDbDimStyleTable")?;
    o.s(0, "DIMSTYLE")?;
    o.h(105, H_DIMSTYLE_STANDARD)?;
    o.h(330, H_DIMSTYLE_TABLE)?;
    o.s(100, "AcDbSymbolTableRecord")?;
    o.s(100, "AcDbDimStyleTableRecord")?;
    o.s(2, "Standard")?;
    o.i(70, 0)?;
    o.h(340, H_STYLE_STANDARD)?;
    o.s(0, "ENDTAB")?;

    o.table("BLOCK_RECORD", H_BLOCK_RECORD_TABLE, 2)?;
    for (handle, name, layout) in [
        (H_MS_RECORD, "*Model_Space", H_MS_LAYOUT),
        (H_PS_RECORD, "*Paper_Space", H_PS_LAYOUT),
    ] {
        o.record(
            "BLOCK_RECORD",
            handle,
            H_BLOCK_RECORD_TABLE,
            "AcDbBlockTableRecord",
        )?;
        o.s(2, name)?;
        o.h(340, layout)?;
    }
    o.s(0, "ENDTAB")?;
    o.s(0, "ENDSEC")
}

fn write_blocks<W: Write>(o: &mut Out<W>) -> std::io::Result<()> {
    o.s(0, "SECTION")?;
    o.s(2, "BLOCKS")?;
    for (block, endblk, record, name, paper) in [
        (H_MS_BLOCK, H_MS_ENDBLK, H_MS_RECORD, "*Model_Space", false),
        (H_PS_BLOCK, H_PS_ENDBLK, H_PS_RECORD, "*Paper_Space", true),
    ] {
        o.s(0, "BLOCK")?;
        o.h(5, block)?;
        o.h(330, record)?;
        o.s(100, "AcDbEntity")?;
        if paper {
            o.i(67, 1)?;
        }
        o.s(8, "0")?;
        o.s(100, "AcDbBlockBegin")?;
        o.s(2, name)?;
        o.i(70, 0)?;
        o.xyz(10, [0.0, 0.0])?;
        o.s(3, name)?;
        o.s(1, "")?;
        o.s(0, "ENDBLK")?;
        o.h(5, endblk)?;
        o.h(330, record)?;
        o.s(100, "AcDbEntity")?;
        if paper {
            o.i(67, 1)?;
        }
        o.s(8, "0")?;
        o.s(100, "AcDbBlockEnd")?;
    }
    o.s(0, "ENDSEC")
}

fn write_objects<W: Write>(o: &mut Out<W>) -> std::io::Result<()> {
    o.s(0, "SECTION")?;
    o.s(2, "OBJECTS")?;
    o.dictionary(
        H_ROOT_DICT,
        0,
        &[
            ("ACAD_GROUP", H_GROUP_DICT),
            ("ACAD_LAYOUT", H_LAYOUT_DICT),
            ("ACAD_PLOTSTYLENAME", H_PLOTSTYLE_DICT),
        ],
    )?;
    o.dictionary(H_GROUP_DICT, H_ROOT_DICT, &[])?;
    o.dictionary(
        H_LAYOUT_DICT,
        H_ROOT_DICT,
        &[("Layout1", H_PS_LAYOUT), ("Model", H_MS_LAYOUT)],
    )?;
    o.s(0, "ACDBDICTIONARYWDFLT")?;
    o.h(5, H_PLOTSTYLE_DICT)?;
    o.s(102, "{ACAD_REACTORS")?;
    o.h(330, H_ROOT_DICT)?;
    o.s(102, "}")?;
    o.h(330, H_ROOT_DICT)?;
    o.s(100, "AcDbDictionary")?;
    o.i(281, 1)?;
    o.s(3, "Normal")?;
    o.h(350, H_PLOTSTYLE_NORMAL)?;
    o.s(100, "AcDbDictionaryWithDefault")?;
    o.h(340, H_PLOTSTYLE_NORMAL)?;
    o.s(0, "ACDBPLACEHOLDER")?;
    o.h(5, H_PLOTSTYLE_NORMAL)?;
    o.s(102, "{ACAD_REACTORS")?;
    o.h(330, H_PLOTSTYLE_DICT)?;
    o.s(102, "}")?;
    o.h(330, H_PLOTSTYLE_DICT)?;
    for (handle, name, record, paper) in [
        (H_PS_LAYOUT, "Layout1", H_PS_RECORD, true),
        (H_MS_LAYOUT, "Model", H_MS_RECORD, false),
    ] {
        o.s(0, "LAYOUT")?;
        o.h(5, handle)?;
        o.s(102, "{ACAD_REACTORS")?;
        o.h(330, H_LAYOUT_DICT)?;
        o.s(102, "}")?;
        o.h(330, H_LAYOUT_DICT)?;
        o.s(100, "AcDbPlotSettings")?;
        o.s(1, "")?;
        o.s(2, "none_device")?;
        o.s(4, "")?;
        o.s(6, "")?;
        for code in [40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 140, 141] {
            o.f(code, 0.0)?;
        }
        o.f(142, 1.0)?;
        o.f(143, 1.0)?;
        o.i(70, if paper { 688 } else { 1712 })?;
        o.i(72, 0)?;
        o.i(73, 0)?;
        o.i(74, if paper { 5 } else { 0 })?;
        o.s(7, "")?;
        o.i(75, if paper { 16 } else { 0 })?;
        o.i(76, 0)?;
        o.i(77, 2)?;
        o.i(78, 300)?;
        o.f(147, 1.0)?;
        o.f(148, 0.0)?;
        o.f(149, 0.0)?;
        o.s(100, "AcDbLayout")?;
        o.s(1, name)?;
        o.i(70, 1)?;
        o.i(71, if paper { 1 } else { 0 })?;
        for (code, v) in [
            (10, 0.0),
            (20, 0.0),
            (11, 420.0),
            (21, 297.0),
            (12, 0.0),
            (22, 0.0),
            (32, 0.0),
            (14, 1e20),
            (24, 1e20),
            (34, 1e20),
            (15, -1e20),
            (25, -1e20),
            (35, -1e20),
            (146, 0.0),
            (13, 0.0),
            (23, 0.0),
            (33, 0.0),
            (16, 1.0),
            (26, 0.0),
            (36, 0.0),
            (17, 0.0),
            (27, 1.0),
            (37, 0.0),
        ] {
            o.f(code, v)?;
        }
        o.i(76, 0)?;
        o.h(330, record)?;
        if !paper {
            o.h(331, H_VPORT_ACTIVE)?;
        }
    }
    o.s(0, "ENDSEC")
}

fn write_layer_entities<W: Write>(
    o: &mut Out<W>,
    plan: &Plan,
    li: usize,
    layer: &Layer,
    next: &mut u64,
) -> std::io::Result<()> {
    let empty = Vec::new();
    let per_feature = plan.feature_layer.get(li).unwrap_or(&empty);
    let label_layer = plan
        .label_layer
        .get(li)
        .copied()
        .flatten()
        .and_then(|i| plan.layers.get(i))
        .map(|l| l.name.as_str());
    for (fi, f) in layer.features.iter().enumerate() {
        let Some(dl) = per_feature.get(fi).and_then(|&i| plan.layers.get(i)) else {
            continue;
        };
        let name = dl.name.as_str();
        let mut first: Option<u64> = None;
        match &f.geometry {
            Geometry::Point(p) => {
                let h = take(next);
                o.entity("POINT", h, name)?;
                o.s(100, "AcDbPoint")?;
                o.xyz(10, *p)?;
                write_xdata(o, layer, f)?;
                first = Some(h);
            }
            Geometry::Lines(ls) => {
                for l in ls.iter().filter(|l| l.len() >= 2) {
                    let h = take(next);
                    lwpolyline(o, h, name, l, false)?;
                    match first {
                        None => {
                            write_xdata(o, layer, f)?;
                            first = Some(h);
                        }
                        Some(h0) => write_link(o, "_part", h0)?,
                    }
                }
            }
            Geometry::Polygons(ps) => {
                for p in ps {
                    let mut exterior: Option<u64> = None;
                    for r in p.iter().filter(|r| ring_open_len(r) >= 2) {
                        let h = take(next);
                        lwpolyline(o, h, name, &r[..ring_open_len(r)], true)?;
                        match (first, exterior) {
                            (None, _) => {
                                write_xdata(o, layer, f)?;
                                first = Some(h);
                                exterior = Some(h);
                            }
                            (Some(h0), None) => {
                                write_link(o, "_part", h0)?;
                                exterior = Some(h);
                            }
                            (_, Some(he)) => write_link(o, "_hole", he)?,
                        }
                    }
                }
            }
        }
        if first.is_none() {
            continue;
        }
        if let (Some(text), Some(ll)) = (label_of(layer, f), label_layer) {
            let h = take(next);
            // points: beside them; polygons: centred on a point inside
            let (at, centred) = match &f.geometry {
                Geometry::Point(p) => (point_label_at(*p), false),
                g => (label_point(g), true),
            };
            if text.is_ascii() {
                o.entity("TEXT", h, ll)?;
                o.s(100, "AcDbText")?;
                o.xyz(10, at)?;
                o.f(40, TEXT_HEIGHT)?;
                o.text(1, &text, 250)?;
                if centred {
                    o.i(72, 1)?;
                    o.xyz(11, at)?;
                }
                o.s(100, "AcDbText")?;
                if centred {
                    o.i(73, 2)?;
                }
            } else {
                // GDAL decodes \U+ in MTEXT only: Vietnamese labels go as MTEXT
                o.entity("MTEXT", h, ll)?;
                o.s(100, "AcDbMText")?;
                o.xyz(10, at)?;
                o.f(40, TEXT_HEIGHT)?;
                o.i(71, if centred { 5 } else { 7 })?;
                o.i(72, 1)?;
                o.buf.clear();
                let mut piece = Vec::with_capacity(8);
                for c in text.chars() {
                    piece.clear();
                    if matches!(c, '\\' | '{' | '}') {
                        piece.push(b'\\');
                    }
                    escape_into(c.encode_utf8(&mut [0; 4]), &mut piece, usize::MAX);
                    // one group-1 string holds at most 250 bytes
                    if o.buf.len() + piece.len() > 250 {
                        break;
                    }
                    o.buf.extend_from_slice(&piece);
                }
                o.code(1)?;
                o.w.write_all(&o.buf)?;
                o.w.write_all(b"\n")?;
                o.s(7, "Standard")?;
            }
        }
    }
    Ok(())
}

fn take(next: &mut u64) -> u64 {
    let h = *next;
    *next += 1;
    h
}

fn lwpolyline<W: Write>(
    o: &mut Out<W>,
    handle: u64,
    layer: &str,
    pts: &[Pt],
    closed: bool,
) -> std::io::Result<()> {
    o.entity("LWPOLYLINE", handle, layer)?;
    o.s(100, "AcDbPolyline")?;
    o.i(90, pts.len() as i64)?;
    o.i(70, i64::from(closed))?;
    o.f(43, 0.0)?;
    for p in pts {
        o.xy(*p)?;
    }
    Ok(())
}

/// The feature's attributes as XDATA: one `name=value` string per non-null
/// field; a value too long for one string goes as a `1002 {…}` list of
/// pieces that the reader joins.
fn write_xdata<W: Write>(o: &mut Out<W>, layer: &Layer, f: &Feature) -> std::io::Result<()> {
    o.s(1001, APP)?;
    for (field, v) in layer.fields.iter().zip(&f.values) {
        let Some(t) = v.as_text() else { continue };
        o.buf.clear();
        escape_into(&field.name, &mut o.buf, XSTR_MAX);
        o.buf.push(b'=');
        escape_into(&t, &mut o.buf, usize::MAX);
        if o.buf.len() <= XSTR_MAX {
            o.code(1000)?;
            o.w.write_all(&o.buf)?;
            o.w.write_all(b"\n")?;
            continue;
        }
        o.s(1002, "{")?;
        let buf = std::mem::take(&mut o.buf);
        let mut rest: &[u8] = &buf;
        while !rest.is_empty() {
            let mut cut = rest.len().min(XSTR_MAX);
            // never split a \U+XXXX escape
            if let Some(bs) = rest[..cut].iter().rposition(|&b| b == b'\\')
                && cut < rest.len()
                && cut - bs < 7
            {
                cut = bs.max(1);
            }
            let (piece, tail) = rest.split_at(cut);
            o.code(1000)?;
            o.w.write_all(piece)?;
            o.w.write_all(b"\n")?;
            rest = tail;
        }
        o.buf = buf;
        o.s(1002, "}")?;
    }
    Ok(())
}

/// XDATA tying a further ring or part to the entity of handle `to`.
fn write_link<W: Write>(o: &mut Out<W>, key: &str, to: u64) -> std::io::Result<()> {
    o.s(1001, APP)?;
    o.code(1000)?;
    writeln!(o.w, "{key}={to:X}")
}

/// A point inside a polygon geometry (its largest part): the middle of the
/// widest horizontal chord at the height of the part's centroid.
fn label_point(g: &Geometry) -> Pt {
    let Geometry::Polygons(ps) = g else {
        return match g {
            Geometry::Point(p) => *p,
            Geometry::Lines(ls) => ls
                .first()
                .and_then(|l| l.get(l.len() / 2))
                .copied()
                .unwrap_or([0.0, 0.0]),
            Geometry::Polygons(_) => [0.0, 0.0],
        };
    };
    let part = ps
        .iter()
        .max_by(|a, b| {
            let aa = Geometry::Polygons(vec![(*a).clone()]).area();
            let bb = Geometry::Polygons(vec![(*b).clone()]).area();
            aa.total_cmp(&bb)
        })
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let Some(ext) = part.first() else {
        return [0.0, 0.0];
    };
    let Some(&o) = ext.first() else {
        return [0.0, 0.0];
    };
    // centroid of the exterior, relative to its first point
    let (mut a2, mut cy) = (0.0, 0.0);
    for w in ext.windows(2) {
        let (p, q) = (
            [w[0][0] - o[0], w[0][1] - o[1]],
            [w[1][0] - o[0], w[1][1] - o[1]],
        );
        let cross = p[0] * q[1] - q[0] * p[1];
        a2 += cross;
        cy += (p[1] + q[1]) * cross;
    }
    let y = if a2.abs() > 1e-12 {
        o[1] + cy / (3.0 * a2)
    } else {
        o[1]
    };
    chord_middle(part, y).unwrap_or(o)
}

/// The middle of the widest inside stretch of the line at height `y`
/// through a polygon (rings closed), by the even-odd rule.
fn chord_middle(rings: &[Vec<Pt>], y: f64) -> Option<Pt> {
    let mut xs: Vec<f64> = Vec::new();
    for r in rings {
        for w in r.windows(2) {
            let (a, b) = (w[0], w[1]);
            if (a[1] > y) != (b[1] > y) {
                xs.push(a[0] + (y - a[1]) / (b[1] - a[1]) * (b[0] - a[0]));
            }
        }
    }
    xs.sort_by(f64::total_cmp);
    xs.chunks_exact(2)
        .max_by(|a, b| (a[1] - a[0]).total_cmp(&(b[1] - b[0])))
        .map(|c| [(c[0] + c[1]) / 2.0, y])
}

// ---------------------------------------------------------------------------
// Reader
// ---------------------------------------------------------------------------

/// Which DXF layers to read.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions<'a> {
    /// Only entities on DXF layers whose name starts with one of these
    /// (case-insensitive); empty = all.
    pub layer_prefixes: &'a [String],
}

/// One group code and its value.
#[derive(Clone, Copy)]
struct Tag<'a> {
    code: i32,
    value: &'a [u8],
    /// 1-based line of the value.
    line: usize,
}

/// Splits the file into tags.
struct Lexer<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> Lexer<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        let start = if bytes.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        Lexer {
            bytes,
            pos: start,
            line: 0,
        }
    }

    fn next_line(&mut self) -> Option<&'a [u8]> {
        let rest = self.bytes.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        self.line += 1;
        let (line, adv) = match memchr::memchr(b'\n', rest) {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        self.pos += adv;
        Some(line.strip_suffix(b"\r").unwrap_or(line))
    }

    fn next_tag(&mut self) -> Result<Option<Tag<'a>>, FormatError> {
        let Some(code_line) = self.next_line() else {
            return Ok(None);
        };
        // blank lines at the very end are not tags
        if code_line.trim_ascii().is_empty() && self.at_blank_end() {
            return Ok(None);
        }
        let code_line_no = self.line;
        let code: i32 = std::str::from_utf8(code_line.trim_ascii())
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| {
                FormatError::invalid(format!(
                    "dòng {code_line_no} của tệp DXF: mã nhóm «{}» không phải số nguyên / line {code_line_no} of the DXF file: group code «{}» is not an integer",
                    lossy_short(code_line),
                    lossy_short(code_line)
                ))
            })?;
        let Some(value) = self.next_line() else {
            return Err(truncated(
                &format!("sau mã nhóm {code} ở dòng {code_line_no}"),
                &format!("after group code {code} on line {code_line_no}"),
            ));
        };
        Ok(Some(Tag {
            code,
            value,
            line: self.line,
        }))
    }

    fn at_blank_end(&self) -> bool {
        self.bytes
            .get(self.pos..)
            .is_none_or(|r| r.trim_ascii().is_empty())
    }
}

fn lossy_short(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    s.chars().take(40).collect()
}

fn truncated(vi: &str, en: &str) -> FormatError {
    FormatError::invalid(format!(
        "tệp DXF bị cắt cụt ({vi}) / the DXF file is truncated ({en})"
    ))
}

/// How a ring relates to others, from hiendat's XDATA.
#[derive(Clone, PartialEq)]
enum Link {
    None,
    /// A further polygon of the feature whose first entity has this handle.
    Part(String),
    /// A hole of the ring whose entity has this handle.
    Hole(String),
}

/// One closed shape found in the drawing.
struct Shape {
    handle: Option<String>,
    /// Index into the reader's layer names.
    layer: usize,
    /// Exterior(s) then holes: for a hatch, its paths; else one ring.
    rings: Vec<Vec<Pt>>,
    xdata: Vec<(usize, String)>,
    link: Link,
    hatch: bool,
}

/// A label candidate.
struct Label {
    at: Pt,
    text: String,
}

/// What the reader counts for its notes.
#[derive(Default)]
struct Counts {
    inserts: usize,
    paper: usize,
    other: usize,
    bulges: usize,
    splines: usize,
    degenerate: usize,
    duplicates: usize,
    hatch_merged: usize,
    texts_outside: usize,
    texts_ambiguous: usize,
    several_texts: usize,
    converted: bool,
}

/// Text decoding per the drawing's code page.
struct Decoder {
    enc: Option<&'static encoding_rs::Encoding>,
    codepage: String,
}

impl Decoder {
    /// Takes `$DWGCODEPAGE` (`ANSI_1258` → windows-1258).
    fn set_codepage(&mut self, cp: &str) {
        let n = cp.trim().to_ascii_lowercase();
        let n = n.strip_prefix("ansi_").unwrap_or(&n);
        self.enc = encoding_rs::Encoding::for_label(format!("windows-{n}").as_bytes())
            .or_else(|| encoding_rs::Encoding::for_label(format!("cp{n}").as_bytes()));
        self.codepage = cp.trim().to_string();
    }

    /// R2007 and later are UTF-8 whatever their code page says.
    fn set_utf8(&mut self) {
        self.enc = Some(encoding_rs::UTF_8);
        self.codepage = "UTF-8".into();
    }

    /// A raw value as text: UTF-8 when it is, else per `$DWGCODEPAGE`.
    fn raw<'a>(&self, v: &'a [u8], counts: &mut Counts) -> Cow<'a, str> {
        match std::str::from_utf8(v) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => {
                counts.converted = true;
                let enc = self.enc.unwrap_or(encoding_rs::WINDOWS_1252);
                let (s, _, _) = enc.decode(v);
                s
            }
        }
    }

    /// A value as text with `\U+XXXX` escapes decoded.
    fn text(&self, v: &[u8], counts: &mut Counts) -> String {
        decode_unicode_escapes(&self.raw(v, counts))
    }
}

/// Decodes AutoCAD's `\U+XXXX` escapes (surrogate pairs joined); the rest
/// as is.
fn decode_unicode_escapes(s: &str) -> String {
    if !s.contains("\\U+") && !s.contains("\\u+") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut high: Option<u32> = None;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let hex = tail
            .get(1..3)
            .filter(|p| p.eq_ignore_ascii_case("U+"))
            .and_then(|_| tail.get(3..7))
            .and_then(|h| u32::from_str_radix(h, 16).ok());
        match hex {
            Some(u) => {
                if (0xD800..0xDC00).contains(&u) {
                    high = Some(u);
                } else if let (Some(h), true) = (high.take(), (0xDC00..0xE000).contains(&u)) {
                    let c = 0x10000 + ((h - 0xD800) << 10) + (u - 0xDC00);
                    out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                } else {
                    out.push(char::from_u32(u).unwrap_or('\u{FFFD}'));
                }
                rest = &tail[7..];
            }
            None => {
                out.push('\\');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `%%d`, `%%c`, `%%p` as their symbols, `%%%` as `%`, underline and
/// overline toggles dropped.
fn decode_percent_codes(s: &str) -> String {
    if !s.contains("%%") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("%%") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 2..];
        let mut chars = tail.chars();
        match chars.next().map(|c| c.to_ascii_lowercase()) {
            Some('d') => out.push('°'),
            Some('c') => out.push('Ø'),
            Some('p') => out.push('±'),
            Some('%') => out.push('%'),
            Some('u') | Some('o') | Some('k') => {}
            Some(c) if c.is_ascii_digit() => {
                // %%nnn: a character by its code
                let digits: String = tail
                    .chars()
                    .take(3)
                    .take_while(char::is_ascii_digit)
                    .collect();
                if let Some(ch) = digits.parse::<u32>().ok().and_then(char::from_u32) {
                    out.push(ch);
                }
                rest = &tail[digits.len()..];
                continue;
            }
            Some(c) => {
                out.push_str("%%");
                out.push(c);
            }
            None => {
                out.push_str("%%");
                rest = "";
                continue;
            }
        }
        rest = chars.as_str();
    }
    out.push_str(rest);
    out
}

/// MTEXT contents without formatting: `\P` as a space, `{` `}` groups
/// opened, `\f…;`-style codes dropped, `\S a^b;` stacks as `a/b`.
fn strip_mtext(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '{' | '}' => {}
            '\\' => match it.next() {
                Some('P') | Some('n') | Some('~') => out.push(' '),
                Some(c @ ('\\' | '{' | '}')) => out.push(c),
                Some('S') => {
                    for c in it.by_ref() {
                        match c {
                            ';' => break,
                            '^' | '#' => out.push('/'),
                            c => out.push(c),
                        }
                    }
                }
                Some(
                    'f' | 'F' | 'H' | 'h' | 'W' | 'w' | 'Q' | 'q' | 'T' | 't' | 'A' | 'a' | 'C'
                    | 'c' | 'p',
                ) => {
                    for c in it.by_ref() {
                        if c == ';' {
                            break;
                        }
                    }
                }
                Some('L' | 'l' | 'O' | 'o' | 'K' | 'k' | 'X') => {}
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    out
}

/// Parses a number tag; an error names the entity and the line.
fn num(t: &Tag, what: &EntityRef) -> Result<f64, FormatError> {
    std::str::from_utf8(t.value)
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|x| x.is_finite())
        .ok_or_else(|| {
            FormatError::invalid(format!(
                "{} {}: giá trị «{}» của mã nhóm {} ở dòng {} không phải số / {} {}: value «{}» of group code {} on line {} is not a number",
                what.kind,
                what.vi(),
                lossy_short(t.value),
                t.code,
                t.line,
                what.kind,
                what.en(),
                lossy_short(t.value),
                t.code,
                t.line
            ))
        })
}

fn int(t: &Tag, what: &EntityRef) -> Result<i64, FormatError> {
    std::str::from_utf8(t.value)
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .ok_or_else(|| {
            FormatError::invalid(format!(
                "{} {}: giá trị «{}» của mã nhóm {} ở dòng {} không phải số nguyên / {} {}: value «{}» of group code {} on line {} is not an integer",
                what.kind,
                what.vi(),
                lossy_short(t.value),
                t.code,
                t.line,
                what.kind,
                what.en(),
                lossy_short(t.value),
                t.code,
                t.line
            ))
        })
}

/// An entity as named in messages.
struct EntityRef<'a> {
    kind: &'a str,
    handle: Option<&'a str>,
    line: usize,
}

impl EntityRef<'_> {
    fn vi(&self) -> String {
        match self.handle {
            Some(h) => format!("handle {h}"),
            None => format!("không có handle, dòng {}", self.line),
        }
    }
    fn en(&self) -> String {
        match self.handle {
            Some(h) => format!("handle {h}"),
            None => format!("no handle, line {}", self.line),
        }
    }
}

/// The properties every entity has.
struct Common<'a> {
    handle: Option<&'a str>,
    layer: &'a [u8],
    paper: bool,
    /// Mirrored OCS (extrusion 0,0,-1): x is negated.
    mirrored: bool,
    /// Index of the first XDATA tag.
    xdata_at: usize,
}

fn common<'a>(tags: &[Tag<'a>]) -> Common<'a> {
    let mut c = Common {
        handle: None,
        layer: b"0",
        paper: false,
        mirrored: false,
        xdata_at: tags.len(),
    };
    for (i, t) in tags.iter().enumerate() {
        match t.code {
            5 => c.handle = std::str::from_utf8(t.value).ok().map(str::trim),
            8 => c.layer = t.value,
            67 => c.paper = t.value.trim_ascii() == b"1",
            230 => {
                c.mirrored = std::str::from_utf8(t.value)
                    .ok()
                    .and_then(|s| s.trim().parse::<f64>().ok())
                    .is_some_and(|z| z < 0.0)
            }
            1001 => {
                c.xdata_at = i;
                break;
            }
            _ => {}
        }
    }
    c
}

/// Names interned in order of first sight (XDATA keys, DXF layers): one
/// allocation per distinct name, not per entity.
#[derive(Default)]
struct Names {
    index: HashMap<String, usize>,
    names: Vec<String>,
}

impl Names {
    fn id(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), self.names.len() - 1);
        self.names.len() - 1
    }

    fn name(&self, i: usize) -> &str {
        self.names.get(i).map_or("", String::as_str)
    }
}

/// hiendat's XDATA of an entity: its `name=value` pairs (names interned in
/// `keys`) and its link.
fn hiendat_xdata(
    tags: &[Tag],
    dec: &Decoder,
    counts: &mut Counts,
    keys: &mut Names,
) -> (Vec<(usize, String)>, Link) {
    let mut pairs = Vec::new();
    let mut link = Link::None;
    let mut ours = false;
    let mut group: Option<String> = None;
    let mut push = |mut s: String, pairs: &mut Vec<(usize, String)>, link: &mut Link| {
        let Some(eq) = s.find('=') else {
            return;
        };
        match &s[..eq] {
            "_part" => *link = Link::Part(s[eq + 1..].trim().to_string()),
            "_hole" => *link = Link::Hole(s[eq + 1..].trim().to_string()),
            k => {
                let id = keys.id(k);
                // the value in place of the whole string: no new allocation
                s.replace_range(..=eq, "");
                pairs.push((id, s));
            }
        }
    };
    for t in tags {
        match t.code {
            1001 => {
                ours = t.value.trim_ascii().eq_ignore_ascii_case(APP.as_bytes());
            }
            _ if !ours => {}
            1002 if t.value.trim_ascii() == b"{" => group = Some(String::new()),
            1002 => {
                if let Some(s) = group.take() {
                    push(decode_unicode_escapes(&s), &mut pairs, &mut link);
                }
            }
            1000 => {
                let raw = dec.raw(t.value, counts);
                match group.as_mut() {
                    // pieces may split nothing but whole escapes: join first
                    Some(g) => g.push_str(&raw),
                    None => push(decode_unicode_escapes(&raw), &mut pairs, &mut link),
                }
            }
            _ => {}
        }
    }
    (pairs, link)
}

/// Reads polyline vertices `10/20[/42]` from tags; bulges become chords
/// along their arc.
fn lw_vertices(
    tags: &[Tag],
    what: &EntityRef,
    mirrored: bool,
) -> Result<(Vec<Pt>, Vec<f64>), FormatError> {
    let mut pts: Vec<Pt> = Vec::new();
    let mut bulges: Vec<f64> = Vec::new();
    let mut pending_x: Option<f64> = None;
    for t in tags {
        match t.code {
            10 => {
                if pending_x.is_some() {
                    return Err(missing_y(what, t.line));
                }
                pending_x = Some(num(t, what)?);
            }
            20 => {
                let Some(x) = pending_x.take() else { continue };
                let x = if mirrored { -x } else { x };
                pts.push([x, num(t, what)?]);
                bulges.push(0.0);
            }
            42 => {
                let b = num(t, what)?;
                if let Some(last) = bulges.last_mut() {
                    *last = if mirrored { -b } else { b };
                }
            }
            _ => {}
        }
    }
    if pending_x.is_some() {
        return Err(missing_y(what, what.line));
    }
    Ok((pts, bulges))
}

fn missing_y(what: &EntityRef, line: usize) -> FormatError {
    FormatError::invalid(format!(
        "{} {}: đỉnh thiếu tọa độ Y (mã 20) gần dòng {line} / {} {}: a vertex lacks its Y coordinate (code 20) near line {line}",
        what.kind,
        what.vi(),
        what.kind,
        what.en()
    ))
}

/// Chords for an arc of this radius and span (degrees): each within
/// ARC_SAGITTA of the arc, at most 5° and at least 1° wide.
fn arc_chords(radius: f64, span_deg: f64) -> usize {
    let step = if radius > ARC_SAGITTA {
        (2.0 * (1.0 - ARC_SAGITTA / radius).acos()).to_degrees()
    } else {
        5.0
    };
    let step = step.clamp(1.0, 5.0);
    ((span_deg.abs() / step).ceil() as usize).clamp(1, 360)
}

/// Points along a bulged segment from `p` to `q`, both ends excluded.
fn bulge_points(p: Pt, q: Pt, b: f64, out: &mut Vec<Pt>) {
    let (dx, dy) = (q[0] - p[0], q[1] - p[1]);
    let d = dx.hypot(dy);
    if b.abs() < 1e-9 || d < 1e-12 {
        return;
    }
    let theta = 4.0 * b.atan();
    let r = d / (2.0 * (theta / 2.0).sin());
    let h = r * (theta / 2.0).cos();
    let mid = [(p[0] + q[0]) / 2.0, (p[1] + q[1]) / 2.0];
    let c = [mid[0] - dy / d * h, mid[1] + dx / d * h];
    let a0 = (p[1] - c[1]).atan2(p[0] - c[0]);
    let rr = r.abs();
    let n = arc_chords(rr, theta.abs().to_degrees());
    for k in 1..n {
        let a = a0 + theta * k as f64 / n as f64;
        out.push([c[0] + rr * a.cos(), c[1] + rr * a.sin()]);
    }
}

/// A ring from vertices and bulges: closed (first point repeated last).
fn ring_with_bulges(pts: &[Pt], bulges: &[f64], counts: &mut Counts) -> Vec<Pt> {
    let mut ring = Vec::with_capacity(pts.len() + 1);
    let n = pts.len();
    for i in 0..n {
        let p = pts[i];
        ring.push(p);
        let b = bulges.get(i).copied().unwrap_or(0.0);
        if b != 0.0 {
            counts.bulges += 1;
            bulge_points(p, pts[(i + 1) % n], b, &mut ring);
        }
    }
    close_ring(&mut ring);
    ring
}

fn same(a: Pt, b: Pt) -> bool {
    (a[0] - b[0]).abs() <= SAME_PT && (a[1] - b[1]).abs() <= SAME_PT
}

/// Drops a near-duplicate closing point and repeats the first exactly.
fn close_ring(ring: &mut Vec<Pt>) {
    while ring.len() > 1
        && let (Some(&f), Some(&l)) = (ring.first(), ring.last())
        && same(f, l)
    {
        ring.pop();
    }
    if let Some(&f) = ring.first() {
        ring.push(f);
    }
}

/// Distinct vertices of a closed ring (without the closing repeat).
fn ring_size(r: &[Pt]) -> usize {
    r.len().saturating_sub(1)
}

/// Even-odd point in rings (any number of closed rings).
fn inside(rings: &[Vec<Pt>], p: Pt) -> bool {
    let mut c = false;
    for r in rings {
        for w in r.windows(2) {
            let (a, b) = (w[0], w[1]);
            if (a[1] > p[1]) != (b[1] > p[1])
                && p[0] < a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0])
            {
                c = !c;
            }
        }
    }
    c
}

fn ring_area(r: &[Pt]) -> f64 {
    Geometry::Polygons(vec![vec![r.to_vec()]]).area()
}

/// A HATCH tag cursor.
struct Cursor<'t, 'a> {
    tags: &'t [Tag<'a>],
    i: usize,
}

impl<'a> Cursor<'_, 'a> {
    fn peek(&self) -> Option<Tag<'a>> {
        self.tags.get(self.i).copied()
    }
    fn next(&mut self) -> Option<Tag<'a>> {
        let t = self.peek();
        if t.is_some() {
            self.i += 1;
        }
        t
    }
    /// The next tag if it has this code.
    fn take(&mut self, code: i32) -> Option<Tag<'a>> {
        match self.peek() {
            Some(t) if t.code == code => self.next(),
            _ => None,
        }
    }
    /// The next tag, which must have this code.
    fn expect(&mut self, code: i32, what: &EntityRef) -> Result<Tag<'a>, FormatError> {
        self.take(code).ok_or_else(|| {
            let line = self.peek().map_or(what.line, |t| t.line);
            FormatError::invalid(format!(
                "{} {}: thiếu mã nhóm {code} ở dòng {line} trong đường bao / {} {}: group code {code} missing on line {line} in a boundary path",
                what.kind,
                what.vi(),
                what.kind,
                what.en()
            ))
        })
    }
    fn xy(&mut self, cx: i32, what: &EntityRef, mirrored: bool) -> Result<Pt, FormatError> {
        let x = num(&self.expect(cx, what)?, what)?;
        let y = num(&self.expect(cx + 10, what)?, what)?;
        Ok([if mirrored { -x } else { x }, y])
    }
}

/// Points of an arc (angles in degrees; `ccw` as the hatch edge says, whose
/// clockwise angles are stored mirrored).
fn arc_points(c: Pt, major: Pt, ratio: f64, start: f64, end: f64, ccw: bool) -> Vec<Pt> {
    let mut span = (end - start).rem_euclid(360.0);
    if span < 1e-9 {
        span = 360.0;
    }
    let sign = if ccw { 1.0 } else { -1.0 };
    let minor = [-major[1] * ratio, major[0] * ratio];
    let n = arc_chords(major[0].hypot(major[1]), span);
    (0..=n)
        .map(|k| {
            let t = (sign * (start + span * k as f64 / n as f64)).to_radians();
            [
                c[0] + major[0] * t.cos() + minor[0] * t.sin(),
                c[1] + major[1] * t.cos() + minor[1] * t.sin(),
            ]
        })
        .collect()
}

/// A HATCH's boundary paths as closed rings.
fn hatch_rings(
    tags: &[Tag],
    what: &EntityRef,
    mirrored: bool,
    counts: &mut Counts,
) -> Result<Vec<Vec<Pt>>, FormatError> {
    let Some(start) = tags.iter().position(|t| t.code == 91) else {
        return Ok(Vec::new());
    };
    let mut cur = Cursor { tags, i: start };
    let n_paths = int(&cur.expect(91, what)?, what)?.max(0);
    let mut rings = Vec::new();
    for _ in 0..n_paths {
        let flags = int(&cur.expect(92, what)?, what)?;
        let mut ring: Vec<Pt> = Vec::new();
        if flags & 2 != 0 {
            let has_bulge = cur
                .take(72)
                .map(|t| int(&t, what))
                .transpose()?
                .unwrap_or(0)
                != 0;
            cur.take(73);
            let n = int(&cur.expect(93, what)?, what)?.max(0);
            let mut pts = Vec::new();
            let mut bulges = Vec::new();
            for _ in 0..n {
                pts.push(cur.xy(10, what, mirrored)?);
                let b = if has_bulge {
                    cur.take(42)
                        .map(|t| num(&t, what))
                        .transpose()?
                        .unwrap_or(0.0)
                } else {
                    0.0
                };
                bulges.push(if mirrored { -b } else { b });
            }
            ring = ring_with_bulges(&pts, &bulges, counts);
        } else {
            let n = int(&cur.expect(93, what)?, what)?.max(0);
            for _ in 0..n {
                let kind = int(&cur.expect(72, what)?, what)?;
                let mut pts = match kind {
                    1 => vec![cur.xy(10, what, mirrored)?, cur.xy(11, what, mirrored)?],
                    2 | 3 => {
                        // computed in the entity's plane, then mirrored
                        let c = cur.xy(10, what, false)?;
                        let (major, ratio) = if kind == 3 {
                            let m = cur.xy(11, what, false)?;
                            (m, num(&cur.expect(40, what)?, what)?)
                        } else {
                            let r = num(&cur.expect(40, what)?, what)?;
                            ([r, 0.0], 1.0)
                        };
                        let s = num(&cur.expect(50, what)?, what)?;
                        let e = num(&cur.expect(51, what)?, what)?;
                        let ccw = cur
                            .take(73)
                            .map(|t| int(&t, what))
                            .transpose()?
                            .unwrap_or(1)
                            != 0;
                        let mut pts = arc_points(c, major, ratio, s, e, ccw);
                        if mirrored {
                            for p in &mut pts {
                                p[0] = -p[0];
                            }
                        }
                        pts
                    }
                    4 => {
                        counts.splines += 1;
                        spline_control_points(&mut cur, what, mirrored)?
                    }
                    _ => {
                        return Err(FormatError::invalid(format!(
                            "{} {}: loại cạnh {kind} không hợp lệ trong đường bao / {} {}: invalid edge type {kind} in a boundary path",
                            what.kind,
                            what.vi(),
                            what.kind,
                            what.en()
                        )));
                    }
                };
                // chain edges whatever their stored direction
                if let (Some(&last), Some(&a), Some(&b)) = (ring.last(), pts.first(), pts.last())
                    && !same(last, a)
                    && same(last, b)
                {
                    pts.reverse();
                }
                if let (Some(&last), Some(&a)) = (ring.last(), pts.first())
                    && same(last, a)
                {
                    ring.extend_from_slice(&pts[1..]);
                } else {
                    ring.extend_from_slice(&pts);
                }
            }
            close_ring(&mut ring);
        }
        // source boundary objects
        if let Some(t) = cur.take(97) {
            let n = int(&t, what)?.max(0);
            for _ in 0..n {
                if cur.take(330).is_none() {
                    break;
                }
            }
        }
        if ring_size(&ring) >= 3 {
            rings.push(ring);
        } else {
            counts.degenerate += 1;
        }
    }
    Ok(rings)
}

/// A spline edge's control points (its fit data skipped): a coarse but
/// closed approximation.
fn spline_control_points(
    cur: &mut Cursor,
    what: &EntityRef,
    mirrored: bool,
) -> Result<Vec<Pt>, FormatError> {
    cur.take(94);
    let rational = cur
        .take(73)
        .map(|t| int(&t, what))
        .transpose()?
        .unwrap_or(0)
        != 0;
    cur.take(74);
    let n_knots = int(&cur.expect(95, what)?, what)?.max(0);
    let n_ctrl = int(&cur.expect(96, what)?, what)?.max(0);
    for _ in 0..n_knots {
        cur.expect(40, what)?;
    }
    let mut pts = Vec::new();
    for _ in 0..n_ctrl {
        pts.push(cur.xy(10, what, mirrored)?);
        if rational {
            cur.take(42);
        }
    }
    // R2010+ fit data: 97 n, then n × 11/21, then 12/22 and 13/23
    if let Some(t) = cur.peek()
        && t.code == 97
        && cur
            .tags
            .get(cur.i + 1)
            .is_some_and(|t| matches!(t.code, 11 | 12))
    {
        cur.next();
        while let Some(t) = cur.peek() {
            if matches!(t.code, 11 | 21 | 12 | 22 | 13 | 23) {
                cur.next();
            } else {
                break;
            }
        }
    }
    Ok(pts)
}

/// The open old-style POLYLINE being read (between POLYLINE and SEQEND).
struct PendingPolyline {
    handle: Option<String>,
    layer: usize,
    line: usize,
    closed: bool,
    skip: bool,
    pts: Vec<Pt>,
    bulges: Vec<f64>,
    xdata: Vec<(usize, String)>,
    link: Link,
}

/// Parcels from a drawing: one polygon Layer named "parcels".
pub fn read(bytes: &[u8], opts: &ReadOptions) -> Result<Layer, FormatError> {
    if bytes.starts_with(b"AutoCAD Binary DXF") {
        return Err(FormatError::invalid(
            "DXF nhị phân chưa được hỗ trợ: hãy lưu lại dạng DXF ASCII / binary DXF is not supported: save the drawing as ASCII DXF",
        ));
    }
    if bytes.starts_with(b"AC10") {
        return Err(FormatError::invalid(
            "đây là tệp DWG, không phải DXF: hãy xuất sang DXF / this is a DWG file, not a DXF: export it to DXF",
        ));
    }
    let prefixes: Vec<String> = opts
        .layer_prefixes
        .iter()
        .map(|p| p.trim().to_lowercase())
        .filter(|p| !p.is_empty())
        .collect();
    let wanted = |layer: &str| {
        prefixes.is_empty() || {
            let l = layer.to_lowercase();
            prefixes.iter().any(|p| l.starts_with(p.as_str()))
        }
    };

    let mut lx = Lexer::new(bytes);
    let mut dec = Decoder {
        enc: None,
        codepage: String::new(),
    };
    let mut counts = Counts::default();
    let mut section: Option<&[u8]> = None;
    let mut section_line = 0usize;
    let mut saw_section = false;
    let mut saw_entities = false;
    let mut entity_tags: Vec<Tag> = Vec::with_capacity(64);
    let mut entity_kind: &[u8] = b"";
    let mut shapes: Vec<Shape> = Vec::new();
    let mut labels: Vec<Label> = Vec::new();
    let mut open: Vec<String> = Vec::new();
    let mut pending: Option<PendingPolyline> = None;
    let mut keys = Names::default();
    let mut layers = Names::default();
    let mut layer_cache: HashMap<Vec<u8>, (usize, bool)> = HashMap::new();
    let mut utf8 = false;

    let mut ctx = EntityCtx {
        dec: &mut dec,
        counts: &mut counts,
        shapes: &mut shapes,
        labels: &mut labels,
        open: &mut open,
        pending: &mut pending,
        keys: &mut keys,
        layers: &mut layers,
        layer_cache: &mut layer_cache,
        wanted: &wanted,
    };

    loop {
        let t = match lx.next_tag() {
            Ok(Some(t)) => t,
            Ok(None) => break,
            // garbage before any section: not a drawing at all
            Err(_) if !saw_section => return Err(not_dxf()),
            Err(e) => return Err(e),
        };
        if t.code == 0 {
            let v = t.value.trim_ascii();
            if section == Some(b"ENTITIES".as_slice()) && !entity_kind.is_empty() {
                ctx.entity(entity_kind, &entity_tags)?;
                entity_kind = b"";
            }
            match v {
                b"SECTION" => {
                    let name = lx
                        .next_tag()?
                        .ok_or_else(|| truncated("sau SECTION", "after SECTION"))?;
                    section = Some(name.value.trim_ascii());
                    section_line = t.line;
                    saw_section = true;
                    if section == Some(b"ENTITIES".as_slice()) {
                        saw_entities = true;
                    }
                }
                b"ENDSEC" => {
                    if section == Some(b"ENTITIES".as_slice()) {
                        ctx.flush_pending()?;
                    }
                    section = None;
                }
                b"EOF" => break,
                kind if section == Some(b"ENTITIES".as_slice()) => {
                    entity_kind = kind;
                    entity_tags.clear();
                    entity_tags.push(t);
                }
                _ => {}
            }
            continue;
        }
        match section {
            Some(b"ENTITIES") if !entity_kind.is_empty() => entity_tags.push(t),
            Some(b"HEADER") if t.code == 9 => {
                let name = t.value.trim_ascii();
                if name == b"$DWGCODEPAGE" || name == b"$ACADVER" {
                    let Some(v) = lx.next_tag()? else {
                        return Err(truncated("trong HEADER", "in the HEADER"));
                    };
                    let v = String::from_utf8_lossy(v.value.trim_ascii()).into_owned();
                    if name == b"$ACADVER" {
                        // R2007 (AC1021) and later are UTF-8 throughout
                        utf8 = v.as_str() >= "AC1021";
                        if utf8 {
                            ctx.dec.set_utf8();
                        }
                    } else if !utf8 {
                        ctx.dec.set_codepage(&v);
                    }
                }
            }
            _ => {}
        }
    }
    if !saw_section {
        return Err(not_dxf());
    }
    if let Some(name) = section {
        return Err(truncated(
            &format!(
                "mục {} mở ở dòng {section_line} không có ENDSEC",
                String::from_utf8_lossy(name)
            ),
            &format!(
                "section {} opened on line {section_line} has no ENDSEC",
                String::from_utf8_lossy(name)
            ),
        ));
    }
    if !saw_entities {
        return Err(FormatError::invalid(
            "tệp DXF không có mục ENTITIES / the DXF file has no ENTITIES section",
        ));
    }

    if !open.is_empty() {
        let n = open.len();
        let shown = open.iter().take(20).cloned().collect::<Vec<_>>().join(", ");
        let (more_vi, more_en) = if n > 20 {
            (
                format!(" và {} nữa", n - 20),
                format!(" and {} more", n - 20),
            )
        } else {
            (String::new(), String::new())
        };
        return Err(FormatError::invalid(format!(
            "{n} đường polyline hở trên các lớp đã chọn (handle {shown}{more_vi}): hãy khép kín chúng trong CAD, hoặc chọn đúng lớp thửa đất bằng --dxf-layer / {n} open polylines on the selected layers (handles {shown}{more_en}): close them in CAD, or pick the parcel layers with --dxf-layer"
        )));
    }

    let parcels = assemble(shapes, &mut counts);
    if parcels.is_empty() {
        let seen = if layers.names.is_empty() {
            "—".to_string()
        } else {
            let mut v: Vec<&str> = layers.names.iter().take(100).map(String::as_str).collect();
            if layers.names.len() > 100 {
                v.push("…");
            }
            v.join(", ")
        };
        return Err(FormatError::invalid(format!(
            "không tìm thấy thửa đất nào (polyline khép kín hoặc HATCH) trên các lớp đã chọn; các lớp có đối tượng: {seen} / no parcel (closed polyline or HATCH) found on the selected layers; layers with entities: {seen}"
        )));
    }
    build_layer(parcels, labels, counts, &dec, &keys, &layers)
}

fn not_dxf() -> FormatError {
    FormatError::invalid(
        "không phải tệp DXF: không có SECTION nào / not a DXF file: it has no SECTION",
    )
}

/// Where entities go while the file is read.
struct EntityCtx<'c, F: Fn(&str) -> bool> {
    dec: &'c mut Decoder,
    counts: &'c mut Counts,
    shapes: &'c mut Vec<Shape>,
    labels: &'c mut Vec<Label>,
    open: &'c mut Vec<String>,
    pending: &'c mut Option<PendingPolyline>,
    keys: &'c mut Names,
    layers: &'c mut Names,
    /// Raw layer name → (index in `layers`, selected).
    layer_cache: &'c mut HashMap<Vec<u8>, (usize, bool)>,
    wanted: &'c F,
}

impl<F: Fn(&str) -> bool> EntityCtx<'_, F> {
    fn entity(&mut self, kind: &[u8], tags: &[Tag]) -> Result<(), FormatError> {
        let c = common(tags);
        let line = tags.first().map_or(0, |t| t.line);
        let kind_str = std::str::from_utf8(kind).unwrap_or("?");
        let what = EntityRef {
            kind: kind_str,
            handle: c.handle,
            line,
        };
        match kind {
            b"VERTEX" => {
                if let Some(p) = self.pending.as_mut()
                    && !p.skip
                {
                    let head = tags.get(..c.xdata_at).unwrap_or(tags);
                    let flags = match head.iter().find(|t| t.code == 70) {
                        Some(t) => int(t, &what)?,
                        None => 0,
                    };
                    // spline frame control points and polyface records are no outline
                    if flags & (16 | 128) == 0 {
                        let (pts, bulges) = lw_vertices(head, &what, c.mirrored)?;
                        if let (Some(&pt), Some(&b)) = (pts.first(), bulges.first()) {
                            p.pts.push(pt);
                            p.bulges.push(b);
                        }
                    }
                }
                return Ok(());
            }
            b"SEQEND" => return self.flush_pending(),
            _ => self.flush_pending()?,
        }
        if c.paper {
            self.counts.paper += 1;
            return Ok(());
        }
        let (layer, selected) = match self.layer_cache.get(c.layer) {
            Some(&v) => v,
            None => {
                let name = self.dec.text(c.layer, self.counts);
                let v = (self.layers.id(&name), (self.wanted)(&name));
                self.layer_cache.insert(c.layer.to_vec(), v);
                v
            }
        };
        if !selected {
            return Ok(());
        }
        let head = tags.get(..c.xdata_at).unwrap_or(tags);
        let xtags = tags.get(c.xdata_at..).unwrap_or(&[]);
        let flags = |what: &EntityRef| -> Result<i64, FormatError> {
            match head.iter().find(|t| t.code == 70) {
                Some(t) => int(t, what),
                None => Ok(0),
            }
        };
        match kind {
            b"LWPOLYLINE" => {
                let closed = flags(&what)? & 1 != 0;
                let (pts, bulges) = lw_vertices(head, &what, c.mirrored)?;
                let (xdata, link) = hiendat_xdata(xtags, self.dec, self.counts, self.keys);
                self.polyline(PendingPolyline {
                    handle: c.handle.map(str::to_string),
                    layer,
                    line,
                    closed,
                    skip: false,
                    pts,
                    bulges,
                    xdata,
                    link,
                });
            }
            b"POLYLINE" => {
                let f = flags(&what)?;
                // polygon meshes and polyface meshes are not outlines
                let skip = f & (16 | 64) != 0;
                if skip {
                    self.counts.other += 1;
                }
                let (xdata, link) = hiendat_xdata(xtags, self.dec, self.counts, self.keys);
                *self.pending = Some(PendingPolyline {
                    handle: c.handle.map(str::to_string),
                    layer,
                    line,
                    closed: f & 1 != 0,
                    skip,
                    pts: Vec::new(),
                    bulges: Vec::new(),
                    xdata,
                    link,
                });
            }
            b"HATCH" => {
                let rings = hatch_rings(head, &what, c.mirrored, self.counts)?;
                if rings.is_empty() {
                    self.counts.degenerate += 1;
                    return Ok(());
                }
                let (xdata, link) = hiendat_xdata(xtags, self.dec, self.counts, self.keys);
                self.shapes.push(Shape {
                    handle: c.handle.map(str::to_string),
                    layer,
                    rings,
                    xdata,
                    link,
                    hatch: true,
                });
            }
            b"TEXT" | b"MTEXT" => {
                let mtext = kind == b"MTEXT";
                let (mut at, mut align, mut justified) = (None, None, false);
                let (mut x, mut x1) = (None, None);
                let mut text = String::new();
                let mut last = String::new();
                for t in head {
                    match t.code {
                        10 => x = Some(num(t, &what)?),
                        20 => {
                            at = x
                                .map(|x| Ok::<Pt, FormatError>([x, num(t, &what)?]))
                                .transpose()?
                        }
                        11 => x1 = Some(num(t, &what)?),
                        21 => {
                            align = x1
                                .map(|x| Ok::<Pt, FormatError>([x, num(t, &what)?]))
                                .transpose()?
                        }
                        72 | 73 if !mtext => justified |= int(t, &what)? != 0,
                        3 if mtext => text.push_str(&self.dec.raw(t.value, self.counts)),
                        1 => last = self.dec.raw(t.value, self.counts).into_owned(),
                        _ => {}
                    }
                }
                text.push_str(&last);
                let at = if justified { align.or(at) } else { at };
                let Some(mut at) = at else { return Ok(()) };
                if c.mirrored {
                    at[0] = -at[0];
                }
                let text = if mtext { strip_mtext(&text) } else { text };
                let text = decode_percent_codes(&decode_unicode_escapes(&text));
                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                if !text.is_empty() {
                    self.labels.push(Label { at, text });
                }
            }
            b"INSERT" => self.counts.inserts += 1,
            _ => self.counts.other += 1,
        }
        Ok(())
    }

    fn flush_pending(&mut self) -> Result<(), FormatError> {
        if let Some(p) = self.pending.take()
            && !p.skip
        {
            self.polyline(p);
        }
        Ok(())
    }

    /// A polyline: a parcel ring when closed, an offender when open.
    fn polyline(&mut self, p: PendingPolyline) {
        let (Some(&first), Some(&last)) = (p.pts.first(), p.pts.last()) else {
            self.counts.degenerate += 1;
            return;
        };
        if p.pts.len() < 2 {
            self.counts.degenerate += 1;
            return;
        }
        if !p.closed && !same(first, last) {
            self.open.push(
                p.handle
                    .clone()
                    .unwrap_or_else(|| format!("(dòng/line {})", p.line)),
            );
            return;
        }
        let ring = ring_with_bulges(&p.pts, &p.bulges, self.counts);
        if ring_size(&ring) < 3 {
            self.counts.degenerate += 1;
            return;
        }
        self.shapes.push(Shape {
            handle: p.handle,
            layer: p.layer,
            rings: vec![ring],
            xdata: p.xdata,
            link: p.link,
            hatch: false,
        });
    }
}

/// A parcel being assembled.
struct Parcel {
    handle: Option<String>,
    layer: usize,
    polys: Vec<Vec<Vec<Pt>>>,
    xdata: Vec<(usize, String)>,
    hatch: bool,
    alive: bool,
}

/// Hatch paths as polygons: by decreasing area, a path inside an odd
/// number of earlier paths is a hole of the smallest exterior holding it.
fn hatch_polygons(rings: Vec<Vec<Pt>>) -> Vec<Vec<Vec<Pt>>> {
    let mut rings: Vec<(f64, Vec<Pt>)> = rings.into_iter().map(|r| (ring_area(&r), r)).collect();
    rings.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut polys: Vec<Vec<Vec<Pt>>> = Vec::new();
    // (polygon index, is exterior) per accepted ring, in area order
    let mut placed: Vec<(usize, bool, Vec<Pt>)> = Vec::new();
    for (_, r) in rings {
        let Some(&probe) = r.first() else { continue };
        let holders: Vec<&(usize, bool, Vec<Pt>)> = placed
            .iter()
            .filter(|(_, _, h)| inside(std::slice::from_ref(h), probe))
            .collect();
        let innermost_ext = holders.iter().rev().find(|(_, ext, _)| *ext).map(|h| h.0);
        match innermost_ext {
            Some(pi) if holders.len() % 2 == 1 => {
                if let Some(p) = polys.get_mut(pi) {
                    p.push(r.clone());
                }
                placed.push((pi, false, r));
            }
            _ => {
                polys.push(vec![r.clone()]);
                placed.push((polys.len() - 1, true, r));
            }
        }
    }
    polys
}

/// A ring's key for spotting the same outline drawn twice: vertices to the
/// millimetre, counter-clockwise, from the smallest (into `k`).
fn ring_key(r: &[Pt], k: &mut Vec<[i64; 2]>) {
    let n = ring_size(r);
    k.clear();
    k.extend(r.iter().take(n).map(|p| {
        [
            (p[0] * 1000.0).round() as i64,
            (p[1] * 1000.0).round() as i64,
        ]
    }));
    let Some(&o) = r.first() else { return };
    let mut s = 0.0;
    for w in r.windows(2) {
        s += (w[0][0] - o[0]) * (w[1][1] - o[1]) - (w[1][0] - o[0]) * (w[0][1] - o[1]);
    }
    if s < 0.0 {
        k.reverse();
    }
    if let Some(min) = k
        .iter()
        .enumerate()
        .min_by_key(|(_, p)| **p)
        .map(|(i, _)| i)
    {
        k.rotate_left(min);
    }
}

fn assemble(shapes: Vec<Shape>, counts: &mut Counts) -> Vec<Parcel> {
    let mut parcels: Vec<Parcel> = Vec::with_capacity(shapes.len());
    // handle → (parcel, polygon) of exterior rings
    let mut exteriors: HashMap<String, (usize, usize)> = HashMap::new();
    let mut parts = Vec::new();
    let mut holes = Vec::new();
    let new_parcel =
        |s: Shape, parcels: &mut Vec<Parcel>, exteriors: &mut HashMap<String, (usize, usize)>| {
            let polys = if s.hatch {
                hatch_polygons(s.rings)
            } else {
                vec![s.rings]
            };
            if let Some(h) = &s.handle {
                exteriors.insert(h.clone(), (parcels.len(), 0));
            }
            parcels.push(Parcel {
                handle: s.handle,
                layer: s.layer,
                polys,
                xdata: s.xdata,
                hatch: s.hatch,
                alive: true,
            });
        };
    for s in shapes {
        match &s.link {
            Link::None => new_parcel(s, &mut parcels, &mut exteriors),
            Link::Part(_) => parts.push(s),
            Link::Hole(_) => holes.push(s),
        }
    }
    for s in parts {
        let Link::Part(to) = &s.link else { continue };
        match exteriors.get(to).copied() {
            Some((pi, _)) if !s.hatch => {
                if let Some(p) = parcels.get_mut(pi) {
                    if let Some(h) = &s.handle {
                        exteriors.insert(h.clone(), (pi, p.polys.len()));
                    }
                    p.polys.push(s.rings);
                }
            }
            _ => new_parcel(s, &mut parcels, &mut exteriors),
        }
    }
    for s in holes {
        let Link::Hole(to) = &s.link else { continue };
        match exteriors.get(to).copied() {
            Some((pi, k)) if !s.hatch => {
                if let Some(poly) = parcels.get_mut(pi).and_then(|p| p.polys.get_mut(k)) {
                    poly.extend(s.rings);
                }
            }
            _ => new_parcel(s, &mut parcels, &mut exteriors),
        }
    }

    // the same outline twice (a hatch over its boundary, a copy): one parcel
    let hasher = std::collections::hash_map::RandomState::new();
    let mut seen: HashMap<u64, usize> = HashMap::with_capacity(parcels.len());
    let (mut key, mut other) = (Vec::new(), Vec::new());
    for i in 0..parcels.len() {
        match parcels[i].polys.as_slice() {
            [only] => match only.first() {
                Some(ext) => ring_key(ext, &mut key),
                None => continue,
            },
            _ => continue,
        }
        let h = std::hash::BuildHasher::hash_one(&hasher, &key);
        let Some(&j) = seen.get(&h) else {
            seen.insert(h, i);
            continue;
        };
        // a hash collision is no duplicate
        match parcels[j].polys.first().and_then(|p| p.first()) {
            Some(ext) => ring_key(ext, &mut other),
            None => continue,
        }
        if key != other {
            continue;
        }
        // keep the polyline (the boundary people edit), take the hatch's holes
        let (keep, drop) = if parcels[j].hatch && !parcels[i].hatch {
            seen.insert(h, i);
            (i, j)
        } else {
            (j, i)
        };
        if parcels[keep].hatch != parcels[drop].hatch {
            counts.hatch_merged += 1;
        } else {
            counts.duplicates += 1;
        }
        let dropped = std::mem::replace(
            &mut parcels[drop],
            Parcel {
                handle: None,
                layer: 0,
                polys: Vec::new(),
                xdata: Vec::new(),
                hatch: false,
                alive: false,
            },
        );
        let kept = &mut parcels[keep];
        if let (Some(kp), Some(dp)) = (kept.polys.first_mut(), dropped.polys.into_iter().next())
            && kp.len() == 1
            && dp.len() > 1
        {
            kp.extend(dp.into_iter().skip(1));
        }
        for (k, v) in dropped.xdata {
            if !kept.xdata.iter().any(|(k2, _)| *k2 == k) {
                kept.xdata.push((k, v));
            }
        }
    }
    parcels.retain(|p| p.alive);
    parcels
}

fn build_layer(
    parcels: Vec<Parcel>,
    labels: Vec<Label>,
    mut counts: Counts,
    dec: &Decoder,
    keys: &Names,
    layers: &Names,
) -> Result<Layer, FormatError> {
    const BASE: [&str; 3] = ["handle", "dxf_layer", "label"];
    let mut fields: Vec<Field> = BASE
        .iter()
        .map(|n| Field::new(n, FieldKind::Text))
        .collect();
    // XDATA key i is field BASE.len() + i
    for k in &keys.names {
        let clash = BASE.iter().any(|r| r.eq_ignore_ascii_case(k));
        let name = if clash { format!("x_{k}") } else { k.clone() };
        fields.push(Field::new(&name, FieldKind::Text));
    }

    // labels: the text inside exactly one parcel
    let tree = RTree::bulk_load(
        parcels
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let mut min = [f64::INFINITY; 2];
                let mut max = [f64::NEG_INFINITY; 2];
                for q in p.polys.iter().filter_map(|poly| poly.first()).flatten() {
                    extend(&mut min, &mut max, *q);
                }
                min[0]
                    .is_finite()
                    .then(|| GeomWithData::new(Rectangle::from_corners(min, max), i))
            })
            .collect(),
    );
    let mut label_of: Vec<Option<String>> = vec![None; parcels.len()];
    for l in labels {
        let mut hit = None;
        let mut n = 0;
        for cand in tree.locate_all_at_point(l.at) {
            let i = cand.data;
            if parcels
                .get(i)
                .is_some_and(|p| p.polys.iter().any(|poly| inside(poly, l.at)))
            {
                n += 1;
                hit = Some(i);
            }
        }
        match (n, hit) {
            (1, Some(i)) => match label_of.get_mut(i) {
                Some(slot @ None) => *slot = Some(l.text),
                _ => counts.several_texts += 1,
            },
            (0, _) => counts.texts_outside += 1,
            _ => counts.texts_ambiguous += 1,
        }
    }

    let n_fields = fields.len();
    let mut layer = Layer::new("parcels", "Thửa đất / Parcels", GeomKind::Polygon, fields);
    layer.label_field = Some(2);
    layer.features.reserve(parcels.len());
    for (p, label) in parcels.into_iter().zip(label_of) {
        let mut values = vec![Value::Null; n_fields];
        values[0] = p.handle.map_or(Value::Null, Value::Text);
        values[1] = Value::Text(layers.name(p.layer).to_string());
        values[2] = label.map_or(Value::Null, Value::Text);
        for (k, v) in p.xdata {
            if let Some(slot) = values.get_mut(BASE.len() + k) {
                *slot = Value::Text(v);
            }
        }
        layer.features.push(Feature {
            geometry: Geometry::Polygons(p.polys),
            values,
        });
    }
    notes(&mut layer.notes, &counts, dec);
    Ok(layer)
}

fn notes(notes: &mut Vec<String>, c: &Counts, dec: &Decoder) {
    let mut note = |n: usize, vi: &str, en: &str| {
        if n > 0 {
            notes.push(format!("{n} {vi} / {n} {en}"));
        }
    };
    note(
        c.inserts,
        "khối (INSERT) bị bỏ qua: hãy phá khối (EXPLODE) nếu thửa nằm trong khối",
        "block references (INSERT) skipped: explode them if parcels are inside blocks",
    );
    note(
        c.paper,
        "đối tượng trong paper space bị bỏ qua",
        "paper-space entities skipped",
    );
    note(
        c.other,
        "đối tượng khác (LINE, ARC, CIRCLE, …) bị bỏ qua",
        "other entities (LINE, ARC, CIRCLE, …) skipped",
    );
    note(
        c.bulges,
        "đoạn cong (bulge) được thay bằng các dây cung",
        "bulged (arc) segments approximated by chords",
    );
    note(
        c.splines,
        "cạnh spline của HATCH được thay bằng đường qua các điểm điều khiển",
        "HATCH spline edges approximated through their control points",
    );
    note(
        c.degenerate,
        "đường bao suy biến (dưới 3 đỉnh) bị bỏ qua",
        "degenerate outlines (under 3 vertices) skipped",
    );
    note(
        c.hatch_merged,
        "HATCH trùng đường bao polyline được gộp làm một thửa",
        "HATCHes on the same outline as a polyline merged into one parcel",
    );
    note(
        c.duplicates,
        "đường bao vẽ trùng được gộp làm một thửa",
        "outlines drawn twice merged into one parcel",
    );
    note(
        c.texts_outside,
        "chữ (TEXT/MTEXT) không nằm trong thửa nào bị bỏ qua",
        "texts (TEXT/MTEXT) inside no parcel ignored",
    );
    note(
        c.texts_ambiguous,
        "chữ nằm trong nhiều thửa chồng nhau bị bỏ qua",
        "texts inside several overlapping parcels ignored",
    );
    note(
        c.several_texts,
        "chữ thừa (thửa đã có nhãn, giữ chữ đầu tiên) bị bỏ qua",
        "extra texts (parcel already labelled, the first kept) ignored",
    );
    if c.converted {
        notes.push(format!(
            "văn bản không phải UTF-8 được chuyển mã từ {} / non-UTF-8 text converted from {}",
            if dec.codepage.is_empty() {
                "ANSI_1252"
            } else {
                &dec.codepage
            },
            if dec.codepage.is_empty() {
                "ANSI_1252"
            } else {
                &dec.codepage
            },
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testing::{gdal_quiet as gdal, square};
    use std::path::{Path, PathBuf};
    fn temp_dir(name: &str) -> PathBuf {
        crate::formats::testing::tmp("dxf", name)
    }

    const OWNER: &str = "Nguyễn Thị Hường";

    /// Parcels near [580000, 2155000]: a plain one, one with a hole, a
    /// concave (U) one, a two-part one, one without label or class.
    fn parcels() -> Layer {
        let mut l = Layer::new(
            "parcels",
            "Thửa đất / Parcels",
            GeomKind::Polygon,
            vec![
                Field::new("parcel_no", FieldKind::Text),
                Field::new("status", FieldKind::Text),
                Field::new("owner", FieldKind::Text),
                Field::new("area_m2", FieldKind::Real),
                Field::new("note", FieldKind::Text),
            ],
        );
        l.class_field = Some(1);
        l.label_field = Some(0);
        let (x, y) = (580_000.0, 2_155_000.0);
        let mut hole = square(x + 32.0, y + 2.0, 4.0);
        hole.reverse();
        let u = vec![
            [x + 60.0, y],
            [x + 75.0, y],
            [x + 75.0, y + 20.0],
            [x + 70.0, y + 20.0],
            [x + 70.0, y + 5.0],
            [x + 65.0, y + 5.0],
            [x + 65.0, y + 20.0],
            [x + 60.0, y + 20.0],
            [x + 60.0, y],
        ];
        let long = "Hường ".repeat(80);
        let rows: Vec<(Geometry, [Value; 5])> = vec![
            (
                Geometry::Polygons(vec![vec![vec![
                    [x + 0.1234, y + 0.5678],
                    [x + 20.25, y + 1.75],
                    [x + 18.5, y + 15.125],
                    [x + 1.0, y + 12.0],
                    [x + 0.1234, y + 0.5678],
                ]]]),
                [
                    Value::Text("12".into()),
                    Value::Text("signed".into()),
                    Value::Text(OWNER.into()),
                    Value::Real(250.5),
                    Value::Null,
                ],
            ),
            (
                Geometry::Polygons(vec![vec![square(x + 30.0, y, 10.0), hole]]),
                [
                    Value::Text("Đất công 3".into()),
                    Value::Text("handed_over".into()),
                    Value::Text("UBND phường".into()),
                    Value::Integer(84),
                    Value::Text(long),
                ],
            ),
            (
                Geometry::Polygons(vec![vec![u]]),
                [
                    Value::Text("14".into()),
                    Value::Text("signed".into()),
                    Value::Text("Trần Văn Ân".into()),
                    Value::Null,
                    Value::Null,
                ],
            ),
            (
                Geometry::Polygons(vec![
                    vec![square(x + 80.0, y, 5.0)],
                    vec![square(x + 90.0, y, 3.0)],
                ]),
                [
                    Value::Text("15".into()),
                    Value::Text("đang vận động".into()),
                    Value::Null,
                    Value::Null,
                    Value::Null,
                ],
            ),
            (
                Geometry::Polygons(vec![vec![square(x + 100.0, y, 6.0)]]),
                [
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Null,
                ],
            ),
        ];
        for (geometry, values) in rows {
            l.features.push(Feature {
                geometry,
                values: values.to_vec(),
            });
        }
        l
    }

    fn lines() -> Layer {
        let mut l = Layer::new(
            "segments",
            "Đoạn đường / Segments",
            GeomKind::Line,
            vec![Field::new("name", FieldKind::Text)],
        );
        l.features.push(Feature {
            geometry: Geometry::Lines(vec![
                vec![[580_000.0, 2_154_990.0], [580_050.0, 2_154_990.0]],
                vec![[580_050.0, 2_154_990.0], [580_100.0, 2_154_992.0]],
            ]),
            values: vec![Value::Text("Đường Lê Lợi".into())],
        });
        l
    }

    fn points() -> Layer {
        let mut l = Layer::new(
            "stakes",
            "Mốc / Stakes",
            GeomKind::Point,
            vec![Field::new("no", FieldKind::Text)],
        );
        l.label_field = Some(0);
        for (i, name) in ["M1", "Mốc 2"].iter().enumerate() {
            l.features.push(Feature {
                geometry: Geometry::Point([580_000.0 + 10.0 * i as f64, 2_154_995.0]),
                values: vec![Value::Text(name.to_string())],
            });
        }
        l
    }

    fn write_file(dir: &Path, layers: &[Layer]) -> PathBuf {
        let path = dir.join("out.dxf");
        let f = std::fs::File::create(&path).unwrap();
        write(f, layers).unwrap();
        path
    }

    fn ring_areas(l: &Layer) -> Vec<f64> {
        let mut v: Vec<f64> = l
            .features
            .iter()
            .flat_map(|f| match &f.geometry {
                Geometry::Polygons(ps) => ps.iter().flatten().map(|r| ring_area(r)).collect(),
                _ => Vec::new(),
            })
            .collect();
        v.sort_by(f64::total_cmp);
        v
    }

    fn csv_rows(text: &str) -> Vec<Vec<String>> {
        let mut r = csv::Reader::from_reader(text.as_bytes());
        r.records()
            .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
            .collect()
    }

    #[test]
    fn gdal_reads_the_written_drawing() {
        let dir = temp_dir("gdal-reads");
        let layers = [parcels(), lines(), points()];
        let path = write_file(&dir, &layers);
        let p = path.to_str().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.is_ascii(), "non-ASCII must be escaped");
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("AC1015") && text.contains("$DWGCODEPAGE"));
        assert!(text.contains("Nguy\\U+1EC5n Th\\U+1ECB H\\U+01B0\\U+1EDDng"));

        // rings (1 + 2 + 1 + 2 + 1) + parcel labels 4 + line parts 2 + points 2 + point labels 2
        let info = gdal("ogrinfo", &["-ro", "-al", "-so", p]);
        assert!(info.contains("Layer name: entities"), "{info}");
        assert!(info.contains("Feature Count: 17"), "{info}");

        // DXF_CLOSED_POLYLINES_AS_POLYGONS is unknown to GDAL 3.6 (closed
        // polylines stay LINESTRINGs there): make the polygon in SQL then
        const AREA: &str = "ST_Area(CASE WHEN ST_GeometryType(geometry) LIKE '%LINESTRING%' \
                            THEN MakePolygon(geometry) ELSE geometry END)";
        let sql = format!(
            "SELECT Layer, {AREA} AS a FROM entities \
             WHERE Layer LIKE 'PARCELS%' AND Layer <> 'PARCELS_LABEL' ORDER BY a"
        );
        let out = gdal(
            "ogr2ogr",
            &[
                "--config",
                "DXF_CLOSED_POLYLINES_AS_POLYGONS",
                "TRUE",
                "-f",
                "CSV",
                "/vsistdout/",
                p,
                "-dialect",
                "sqlite",
                "-sql",
                &sql,
            ],
        );
        let rows = csv_rows(&out);
        let got: Vec<f64> = rows.iter().map(|r| r[1].parse().unwrap()).collect();
        let want = ring_areas(&layers[0]);
        assert_eq!(got.len(), want.len(), "{out}");
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 0.01, "area {g} vs {w}");
        }
        let mut names: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(
            names,
            [
                "PARCELS",
                "PARCELS_DANG_VAN_DONG",
                "PARCELS_HANDED_OVER",
                "PARCELS_SIGNED"
            ]
        );
        // the same area with ogrinfo's sqlite dialect, the plain polygon
        let one = gdal(
            "ogrinfo",
            &[
                "-ro",
                "--config",
                "DXF_CLOSED_POLYLINES_AS_POLYGONS",
                "TRUE",
                "-dialect",
                "sqlite",
                "-sql",
                &format!("SELECT SUM({AREA}) AS s FROM entities WHERE Layer = 'PARCELS_SIGNED'"),
                p,
            ],
        );
        let want: f64 =
            layers[0].features[0].geometry.area() + layers[0].features[2].geometry.area();
        let s: f64 = one
            .lines()
            .find_map(|l| l.trim().strip_prefix("s (Real) = "))
            .unwrap_or_else(|| panic!("{one}"))
            .parse()
            .unwrap();
        assert!((s - want).abs() < 0.01, "{s} vs {want}");

        let out = gdal(
            "ogr2ogr",
            &[
                "-f",
                "CSV",
                "/vsistdout/",
                p,
                "-dialect",
                "sqlite",
                "-sql",
                "SELECT Layer, Text FROM entities WHERE Text IS NOT NULL ORDER BY Text",
            ],
        );
        let texts: Vec<(String, String)> = csv_rows(&out)
            .into_iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect();
        let mut want: Vec<(String, String)> = [
            ("PARCELS_LABEL", "12"),
            ("PARCELS_LABEL", "14"),
            ("PARCELS_LABEL", "15"),
            ("PARCELS_LABEL", "Đất công 3"),
            ("STAKES_LABEL", "M1"),
            ("STAKES_LABEL", "Mốc 2"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        want.sort_by(|a, b| a.1.cmp(&b.1));
        let mut texts = texts;
        texts.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(texts, want);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn labels_sit_inside_concave_and_holed_polygons() {
        let l = parcels();
        for f in &l.features {
            let at = label_point(&f.geometry);
            let Geometry::Polygons(ps) = &f.geometry else {
                unreachable!()
            };
            assert!(ps.iter().any(|p| inside(p, at)), "{at:?} outside");
        }
    }

    #[test]
    fn round_trip_keeps_parcels_labels_fields_and_areas() {
        let src = parcels();
        let mut buf = Vec::new();
        write(&mut buf, std::slice::from_ref(&src)).unwrap();
        let back = read(&buf, &ReadOptions::default()).unwrap();
        assert_eq!(back.name, "parcels");
        assert_eq!(back.kind, GeomKind::Polygon);
        assert!(back.srs.is_none());
        assert_eq!(back.features.len(), src.features.len(), "{:?}", back.notes);
        let names: Vec<&str> = back.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "handle",
                "dxf_layer",
                "label",
                "parcel_no",
                "status",
                "owner",
                "area_m2",
                "note"
            ]
        );
        for (a, b) in src.features.iter().zip(&back.features) {
            assert!((a.geometry.area() - b.geometry.area()).abs() < 0.01);
            let (Geometry::Polygons(pa), Geometry::Polygons(pb)) = (&a.geometry, &b.geometry)
            else {
                panic!()
            };
            assert_eq!(pa.len(), pb.len());
            for (x, y) in pa.iter().zip(pb) {
                assert_eq!(x.len(), y.len(), "rings of a polygon");
            }
            for (i, f) in src.fields.iter().enumerate() {
                let want = a.values[i].as_text().map(|c| c.into_owned());
                let got = back
                    .value(b, &f.name)
                    .and_then(|v| v.as_text())
                    .map(|c| c.into_owned());
                assert_eq!(got, want, "field {}", f.name);
            }
            let label = back
                .value(b, "label")
                .and_then(|v| v.as_text())
                .map(|c| c.into_owned());
            assert_eq!(label, a.values[0].as_text().map(|c| c.into_owned()));
        }
        assert_eq!(
            back.value(&back.features[0], "owner"),
            Some(&Value::Text(OWNER.into()))
        );
        assert_eq!(
            back.value(&back.features[0], "dxf_layer"),
            Some(&Value::Text("PARCELS_SIGNED".into()))
        );
        // only the label layer's texts, none left over
        assert!(back.notes.is_empty(), "{:?}", back.notes);
    }

    #[test]
    fn reads_a_drawing_written_by_gdal() {
        let dir = temp_dir("from-gdal");
        let gj = dir.join("in.geojson");
        std::fs::write(
            &gj,
            r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"Layer":"THUA"},"geometry":{"type":"Polygon","coordinates":[[[580000,2155000],[580020,2155000],[580020,2155010],[580000,2155010],[580000,2155000]]]}},
{"type":"Feature","properties":{"Layer":"THUA"},"geometry":{"type":"Polygon","coordinates":[[[580030,2155000],[580050,2155000],[580050,2155020],[580030,2155020],[580030,2155000]],[[580035,2155005],[580035,2155010],[580040,2155010],[580040,2155005],[580035,2155005]]]}},
{"type":"Feature","properties":{"Layer":"RANH"},"geometry":{"type":"LineString","coordinates":[[580060,2155000],[580070,2155005],[580060,2155010],[580060,2155000]]}}
]}"#,
        )
        .unwrap();
        let out = dir.join("gdal.dxf");
        gdal(
            "ogr2ogr",
            &["-f", "DXF", out.to_str().unwrap(), gj.to_str().unwrap()],
        );
        let bytes = std::fs::read(&out).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        // GDAL 3.6 writes polygons as HATCH, the closed line as LWPOLYLINE
        assert!(text.contains("HATCH"), "GDAL wrote no HATCH");
        let l = read(&bytes, &ReadOptions::default()).unwrap();
        let mut areas: Vec<f64> = l.features.iter().map(|f| f.geometry.area()).collect();
        areas.sort_by(f64::total_cmp);
        let want = [50.0, 200.0, 375.0];
        assert_eq!(areas.len(), 3, "{:?}", l.notes);
        for (a, w) in areas.iter().zip(want) {
            assert!((a - w).abs() < 0.01, "{a} vs {w}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A drawing as a CAD program might write it: CRLF, indented group
    /// codes, a header code page.
    fn drawing(entities: &str) -> Vec<u8> {
        let body = format!(
            "0\nSECTION\n2\nHEADER\n9\n$ACADVER\n1\nAC1015\n9\n$DWGCODEPAGE\n3\nANSI_1258\n0\nENDSEC\n\
             0\nSECTION\n2\nBLOCKS\n0\nBLOCK\n8\n0\n2\nB1\n0\nLWPOLYLINE\n8\n0\n90\n2\n10\n0\n20\n0\n10\n1\n20\n1\n0\nENDBLK\n0\nENDSEC\n\
             0\nSECTION\n2\nENTITIES\n{entities}0\nENDSEC\n0\nEOF\n"
        );
        body.lines()
            .map(|l| {
                // right-align group codes as AutoCAD does
                if l.parse::<i32>().is_ok() && l.len() < 3 {
                    format!("{l:>3}\r\n")
                } else {
                    format!("{l}\r\n")
                }
            })
            .collect::<String>()
            .into_bytes()
    }

    fn lw(handle: &str, layer: &str, closed: bool, pts: &[Pt]) -> String {
        let mut s = format!(
            "0\nLWPOLYLINE\n5\n{handle}\n100\nAcDbEntity\n8\n{layer}\n100\nAcDbPolyline\n90\n{}\n70\n{}\n",
            pts.len(),
            i32::from(closed)
        );
        for p in pts {
            s += &format!("10\n{}\n20\n{}\n", p[0], p[1]);
        }
        s
    }

    #[test]
    fn reads_hatches_texts_mtexts_and_old_polylines() {
        let a = square(1000.0, 2000.0, 10.0);
        let mut ents = String::new();
        // parcel A: a closed polyline and a hatch over it (one parcel)
        ents += &lw("A1", "RANH_THUA", true, &a[..4]);
        ents += "0\nHATCH\n5\nA2\n8\nRANH_THUA\n100\nAcDbHatch\n10\n0\n20\n0\n30\n0\n2\nSOLID\n70\n1\n71\n0\n91\n1\n\
                 92\n3\n72\n0\n73\n1\n93\n4\n10\n1010\n20\n2000\n10\n1010\n20\n2010\n10\n1000\n20\n2010\n10\n1000\n20\n2000\n97\n1\n330\nA1\n\
                 75\n0\n76\n1\n98\n1\n10\n1005\n20\n2005\n";
        // parcel B: a hatch of line edges and an arc, with a square hole
        ents += "0\nHATCH\n5\nB1\n8\nRANH_THUA\n100\nAcDbHatch\n10\n0\n20\n0\n30\n0\n2\nSOLID\n70\n1\n71\n0\n91\n2\n\
                 92\n1\n93\n3\n72\n1\n10\n1020\n20\n2000\n11\n1040\n20\n2000\n";
        // (the line above misses its 21: fixed below by a full edge list)
        let ents_b_ok = "0\nHATCH\n5\nB1\n8\nRANH_THUA\n100\nAcDbHatch\n10\n0\n20\n0\n30\n0\n2\nSOLID\n70\n1\n71\n0\n91\n2\n\
                 92\n1\n93\n3\n\
                 72\n1\n10\n1020\n20\n2000\n11\n1040\n21\n2000\n\
                 72\n2\n10\n1030\n20\n2000\n40\n10\n50\n0\n51\n180\n73\n1\n\
                 72\n1\n10\n1020\n20\n2000\n11\n1020\n21\n2000\n\
                 97\n0\n\
                 92\n16\n93\n4\n\
                 72\n1\n10\n1028\n20\n2001\n11\n1032\n21\n2001\n\
                 72\n1\n10\n1032\n20\n2001\n11\n1032\n21\n2003\n\
                 72\n1\n10\n1032\n20\n2003\n11\n1028\n21\n2003\n\
                 72\n1\n10\n1028\n20\n2003\n11\n1028\n21\n2001\n\
                 97\n0\n75\n0\n76\n1\n98\n0\n";
        ents.truncate(ents.find("0\nHATCH\n5\nB1").unwrap());
        ents += ents_b_ok;
        // parcel C: an old-style closed POLYLINE
        ents += "0\nPOLYLINE\n5\nC1\n8\nRANH_THUA\n66\n1\n70\n1\n\
                 0\nVERTEX\n5\nC2\n8\nRANH_THUA\n10\n1050\n20\n2000\n\
                 0\nVERTEX\n5\nC3\n8\nRANH_THUA\n10\n1060\n20\n2000\n\
                 0\nVERTEX\n5\nC4\n8\nRANH_THUA\n10\n1060\n20\n2008\n\
                 0\nSEQEND\n5\nC5\n8\nRANH_THUA\n";
        // labels
        ents += "0\nTEXT\n5\nT1\n8\nSO_THUA\n10\n1004\n20\n2004\n40\n1\n1\n12\n";
        ents += "0\nMTEXT\n5\nT2\n8\nSO_THUA\n10\n1030\n20\n2006\n40\n1\n\
                 1\n{\\fArial|b0|i0;Th\\U+1EED{\\H0.7x;a}} 7\\P\\A1;%%c5\n";
        ents += "0\nTEXT\n5\nT3\n8\nSO_THUA\n10\n1057\n20\n2002\n40\n1\n72\n1\n11\n1058\n21\n2001\n1\nC%%%\n";
        ents += "0\nTEXT\n5\nT4\n8\nSO_THUA\n10\n5000\n20\n5000\n40\n1\n1\nngoài\n";
        // a text in B's hole: inside no parcel
        ents += "0\nTEXT\n5\nT5\n8\nSO_THUA\n10\n1030\n20\n2002\n40\n1\n1\nlỗ\n";
        ents += "0\nINSERT\n5\nI1\n8\n0\n2\nB1\n10\n0\n20\n0\n";
        ents += "0\nLINE\n5\nL1\n8\n0\n10\n0\n20\n0\n11\n1\n21\n1\n";

        let l = read(&drawing(&ents), &ReadOptions::default()).unwrap();
        assert_eq!(l.features.len(), 3, "{:?}", l.notes);
        let get = |f: &Feature, k: &str| {
            l.value(f, k)
                .and_then(|v| v.as_text())
                .map(|c| c.into_owned())
        };
        let a = &l.features[0];
        assert_eq!(get(a, "handle").as_deref(), Some("A1"));
        assert_eq!(get(a, "dxf_layer").as_deref(), Some("RANH_THUA"));
        assert_eq!(get(a, "label").as_deref(), Some("12"));
        assert!((a.geometry.area() - 100.0).abs() < 1e-9);
        let b = &l.features[1];
        assert_eq!(get(b, "handle").as_deref(), Some("B1"));
        assert_eq!(get(b, "label").as_deref(), Some("Thửa 7 Ø5"));
        // a half disc of radius 10 minus a 4 × 2 hole
        let half_disc = std::f64::consts::PI * 100.0 / 2.0;
        assert!(
            (b.geometry.area() - (half_disc - 8.0)).abs() < 0.6,
            "{}",
            b.geometry.area()
        );
        let Geometry::Polygons(pb) = &b.geometry else {
            panic!()
        };
        assert_eq!(pb.len(), 1);
        assert_eq!(pb[0].len(), 2, "hole kept");
        let c = &l.features[2];
        assert_eq!(get(c, "handle").as_deref(), Some("C1"));
        assert_eq!(get(c, "label").as_deref(), Some("C%"));
        assert!((c.geometry.area() - 40.0).abs() < 1e-9);
        let notes = l.notes.join("\n");
        assert!(notes.contains("1 khối (INSERT)"), "{notes}");
        assert!(
            notes.contains("2 chữ (TEXT/MTEXT) không nằm trong thửa nào"),
            "{notes}"
        );
        assert!(notes.contains("1 HATCH trùng đường bao"), "{notes}");
        assert!(notes.contains("1 đối tượng khác"), "{notes}");

        // layer filter: nothing on "QH" → no parcel
        let only = ["qh".to_string()];
        let e = read(
            &drawing(&ents),
            &ReadOptions {
                layer_prefixes: &only,
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("không tìm thấy thửa đất"), "{e}");
        assert!(e.to_string().contains("RANH_THUA"), "{e}");
        // "ranh" selects the parcels but not the texts on SO_THUA
        let ranh = ["ranh".to_string()];
        let l = read(
            &drawing(&ents),
            &ReadOptions {
                layer_prefixes: &ranh,
            },
        )
        .unwrap();
        assert_eq!(l.features.len(), 3);
        assert!(l.features.iter().all(|f| f.values[2] == Value::Null));
    }

    #[test]
    fn open_polylines_are_listed_by_handle() {
        let mut ents = lw("1F0", "RANH", true, &square(0.0, 0.0, 5.0)[..4]);
        ents += &lw("2A", "RANH", false, &[[0.0, 0.0], [5.0, 0.0], [5.0, 5.0]]);
        // first point repeated: closed
        ents += &lw("2B", "RANH", false, &square(10.0, 0.0, 5.0));
        for i in 0..22 {
            ents += &lw(
                &format!("3{i:02X}"),
                "DUONG",
                false,
                &[[0.0, 0.0], [9.0, 9.0]],
            );
        }
        let e = read(&drawing(&ents), &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("23 đường polyline hở"), "{e}");
        assert!(e.contains("2A, 300"), "{e}");
        assert!(e.contains("và 3 nữa") && e.contains("and 3 more"), "{e}");
        assert!(!e.contains("2B") && !e.contains("1F0"), "{e}");
        assert!(e.contains("--dxf-layer"), "{e}");
        let ranh = ["RANH".to_string()];
        let e = read(
            &drawing(&ents),
            &ReadOptions {
                layer_prefixes: &ranh,
            },
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("1 đường polyline hở") && e.contains("2A"), "{e}");
        // the open one dropped: two parcels
        let ents = ents.replace(
            &lw("2A", "RANH", false, &[[0.0, 0.0], [5.0, 0.0], [5.0, 5.0]]),
            "",
        );
        let l = read(
            &drawing(&ents),
            &ReadOptions {
                layer_prefixes: &ranh,
            },
        )
        .unwrap();
        assert_eq!(l.features.len(), 2);
    }

    #[test]
    fn truncated_files_are_errors() {
        let mut buf = Vec::new();
        write(&mut buf, &[parcels()]).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let mid = text.find("LWPOLYLINE").unwrap() + 200;
        // cut inside ENTITIES, at a line end and in the middle of a tag
        let cut_at_line = &text[..text[..mid].rfind('\n').unwrap() + 1];
        for cut in [cut_at_line, &text[..mid]] {
            let e = read(cut.as_bytes(), &ReadOptions::default())
                .unwrap_err()
                .to_string();
            assert!(e.contains("bị cắt cụt") && e.contains("truncated"), "{e}");
        }
        // a code line without its value
        let e = read(b"0\nSECTION\n2\nENTITIES\n0", &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("cắt cụt"), "{e}");
    }

    #[test]
    fn bad_numbers_name_the_handle_and_line() {
        let ents = lw("7C", "RANH", true, &square(0.0, 0.0, 5.0)[..4]).replacen(
            "20\n0\n",
            "20\n0,5m\n",
            1,
        );
        let bytes = drawing(&ents);
        let e = read(&bytes, &ReadOptions::default())
            .unwrap_err()
            .to_string();
        let line = String::from_utf8(bytes)
            .unwrap()
            .lines()
            .position(|l| l == "0,5m")
            .unwrap()
            + 1;
        assert!(e.contains("handle 7C"), "{e}");
        assert!(
            e.contains(&format!("dòng {line}")) && e.contains(&format!("line {line}")),
            "{e}"
        );
        assert!(e.contains("0,5m"), "{e}");

        let e = read(b"  0\nSECTION\nxx\nENTITIES\n", &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("dòng 3") && e.contains("group code"), "{e}");
    }

    #[test]
    fn not_a_dxf_and_empty_drawings_are_errors() {
        for bytes in [&b""[..], b"hello\nworld\n", b"999\ncomment only\n"] {
            let e = read(bytes, &ReadOptions::default())
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("không phải tệp DXF") && e.contains("not a DXF"),
                "{e}"
            );
        }
        let e = read(b"AC1015\0\0binary", &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("DWG"), "{e}");
        let e = read(b"AutoCAD Binary DXF\r\n\x1a\0", &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("binary DXF"), "{e}");
        let ents = "0\nTEXT\n5\n1\n8\n0\n10\n0\n20\n0\n40\n1\n1\nx\n";
        let e = read(&drawing(ents), &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("no parcel"), "{e}");
        // written points and lines only: no parcel either
        let mut buf = Vec::new();
        write(&mut buf, &[points()]).unwrap();
        let e = read(&buf, &ReadOptions::default()).unwrap_err().to_string();
        assert!(e.contains("no parcel"), "{e}");
    }

    #[test]
    fn text_codes_decode() {
        assert_eq!(decode_unicode_escapes("Nguy\\U+1EC5n \\u+0110"), "Nguyễn Đ");
        assert_eq!(decode_unicode_escapes("a\\b\\U+12"), "a\\b\\U+12");
        assert_eq!(decode_unicode_escapes("\\U+D83D\\U+DE00"), "😀");
        assert_eq!(
            decode_percent_codes("45%%d %%p1 %%c2 100%%% %%u x%%"),
            "45° ±1 Ø2 100%  x%%"
        );
        assert_eq!(
            strip_mtext("{\\fTimes New Roman|b1;12}\\P\\A1;\\S1^2; a\\~b \\{x\\}"),
            "12 1/2 a b {x}"
        );
        let mut b = Vec::new();
        escape_into("Hường\n", &mut b, 255);
        assert_eq!(b, b"H\\U+01B0\\U+1EDDng ");
        let mut b = Vec::new();
        escape_into("abcĐ", &mut b, 5);
        assert_eq!(b, b"abc");
        assert_eq!(layer_name_part("Đã bàn giao"), "DA_BAN_GIAO");
        assert_eq!(layer_name_part("handed_over"), "HANDED_OVER");
    }

    #[test]
    fn coordinates_have_four_decimals() {
        let mut o = Out {
            w: BufWriter::new(Vec::new()),
            buf: Vec::new(),
        };
        for v in [580_000.123_45, -0.00004, -12.5, 2_155_000.999_96, 0.0] {
            o.c(10, v).unwrap();
        }
        let s = String::from_utf8(o.w.into_inner().unwrap()).unwrap();
        assert_eq!(
            s,
            " 10\n580000.1235\n 10\n0.0000\n 10\n-12.5000\n 10\n2155001.0000\n 10\n0.0000\n"
        );
    }

    #[test]
    fn long_xdata_values_are_split_and_joined() {
        let mut l = Layer::new(
            "p",
            "p",
            GeomKind::Polygon,
            vec![Field::new("note", FieldKind::Text)],
        );
        let long = "Đường số 7 — ".repeat(60);
        l.features.push(Feature {
            geometry: Geometry::Polygons(vec![vec![square(0.0, 0.0, 1.0)]]),
            values: vec![Value::Text(long.clone())],
        });
        let mut buf = Vec::new();
        write(&mut buf, &[l]).unwrap();
        let text = String::from_utf8(buf.clone()).unwrap();
        let mut lines = text.lines();
        while let (Some(c), Some(v)) = (lines.next(), lines.next()) {
            if c.trim() == "1000" {
                assert!(v.len() <= XSTR_MAX, "{}", v.len());
            }
        }
        let back = read(&buf, &ReadOptions::default()).unwrap();
        assert_eq!(
            back.value(&back.features[0], "note"),
            Some(&Value::Text(long.trim().into()))
        );
    }

    #[test]
    fn clockwise_arc_edges_and_mirrored_polylines() {
        // a 10 × 10 square whose right side is a half circle bulging out,
        // drawn clockwise (angles stored as 270..450), as ezdxf writes it;
        // then a square drawn in a mirrored plane (extrusion 0,0,-1)
        let ents = "0\nHATCH\n5\n2F\n8\nT\n100\nAcDbHatch\n10\n0\n20\n0\n30\n0\n210\n0\n220\n0\n230\n1\n\
                    2\nSOLID\n70\n1\n71\n0\n91\n1\n92\n1\n93\n4\n\
                    72\n1\n10\n0\n20\n0\n11\n0\n21\n10\n\
                    72\n1\n10\n0\n20\n10\n11\n10\n21\n10\n\
                    72\n2\n10\n10\n20\n5\n40\n5\n50\n270\n51\n450\n73\n0\n\
                    72\n1\n10\n10\n20\n0\n11\n0\n21\n0\n97\n0\n75\n0\n76\n1\n98\n0\n\
                    0\nLWPOLYLINE\n5\n40\n8\nT\n90\n4\n70\n1\n10\n100\n20\n0\n10\n110\n20\n0\n\
                    10\n110\n20\n10\n10\n100\n20\n10\n210\n0\n220\n0\n230\n-1\n";
        let l = read(&drawing(ents), &ReadOptions::default()).unwrap();
        assert_eq!(l.features.len(), 2);
        let want = 100.0 + std::f64::consts::PI * 25.0 / 2.0;
        let a = &l.features[0].geometry;
        assert!((a.area() - want).abs() < 0.02, "{}", a.area());
        let Geometry::Polygons(ps) = a else { panic!() };
        assert!(ps[0][0].iter().any(|p| p[0] > 14.9), "bulges to the right");
        let Geometry::Polygons(ps) = &l.features[1].geometry else {
            panic!()
        };
        assert!(ps[0][0].iter().all(|p| p[0] <= -100.0 && p[0] >= -110.0));
    }
}
