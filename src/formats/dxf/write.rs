//! The DXF writer: the plan (a DXF layer per hiendat layer and class, the
//! fixed handles) and the group-code output.

use super::*;

// Fixed handles of the drawing skeleton (hex in the file). Entities and user
// layers are numbered from FIRST_FREE on.
pub(super) const H_BLOCK_RECORD_TABLE: u64 = 0x1;
pub(super) const H_LAYER_TABLE: u64 = 0x2;
pub(super) const H_STYLE_TABLE: u64 = 0x3;
pub(super) const H_LTYPE_TABLE: u64 = 0x5;
pub(super) const H_VIEW_TABLE: u64 = 0x6;
pub(super) const H_UCS_TABLE: u64 = 0x7;
pub(super) const H_VPORT_TABLE: u64 = 0x8;
pub(super) const H_APPID_TABLE: u64 = 0x9;
pub(super) const H_DIMSTYLE_TABLE: u64 = 0xA;
pub(super) const H_ROOT_DICT: u64 = 0xC;
pub(super) const H_GROUP_DICT: u64 = 0xD;
pub(super) const H_PLOTSTYLE_DICT: u64 = 0xE;
pub(super) const H_PLOTSTYLE_NORMAL: u64 = 0xF;
pub(super) const H_LAYER_0: u64 = 0x10;
pub(super) const H_STYLE_STANDARD: u64 = 0x11;
pub(super) const H_APPID_ACAD: u64 = 0x12;
pub(super) const H_APPID_HIENDAT: u64 = 0x13;
pub(super) const H_LTYPE_BYBLOCK: u64 = 0x14;
pub(super) const H_LTYPE_BYLAYER: u64 = 0x15;
pub(super) const H_LTYPE_CONTINUOUS: u64 = 0x16;
pub(super) const H_LAYOUT_DICT: u64 = 0x1A;
pub(super) const H_PS_RECORD: u64 = 0x1B;
pub(super) const H_PS_BLOCK: u64 = 0x1C;
pub(super) const H_PS_ENDBLK: u64 = 0x1D;
pub(super) const H_PS_LAYOUT: u64 = 0x1E;
pub(super) const H_MS_RECORD: u64 = 0x1F;
pub(super) const H_MS_BLOCK: u64 = 0x20;
pub(super) const H_MS_ENDBLK: u64 = 0x21;
pub(super) const H_MS_LAYOUT: u64 = 0x22;
pub(super) const H_DIMSTYLE_STANDARD: u64 = 0x27;
pub(super) const H_VPORT_ACTIVE: u64 = 0x29;
pub(super) const FIRST_FREE: u64 = 0x30;

/// ACI colours handed to classes in turn: the primaries first, then
/// well-separated hues of the 10..249 wheel.
pub(super) const CLASS_COLOURS: [i16; 24] = [
    1, 3, 5, 30, 6, 4, 2, 140, 200, 40, 90, 170, 230, 10, 60, 110, 150, 190, 210, 20, 70, 130, 240,
    50,
];

/// A DXF layer to declare.
pub(super) struct DxfLayer {
    pub(super) name: String,
    pub(super) colour: i16,
    pub(super) handle: u64,
}

/// What the first pass learns: layers, per-feature DXF layer, extents and
/// how many handles the entities take.
pub(super) struct Plan {
    pub(super) layers: Vec<DxfLayer>,
    /// Per input layer, per feature: index into `layers`.
    pub(super) feature_layer: Vec<Vec<usize>>,
    /// Per input layer: index of its label layer, if it has labels.
    pub(super) label_layer: Vec<Option<usize>>,
    pub(super) min: Pt,
    pub(super) max: Pt,
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

pub(super) fn plan(layers: &[Layer]) -> Result<Plan, FormatError> {
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

/// Every point list of a geometry (rings, line parts, the point).
pub(super) fn geometry_parts(g: &Geometry) -> Box<dyn Iterator<Item = &[Pt]> + '_> {
    match g {
        Geometry::Point(p) => Box::new(std::iter::once(std::slice::from_ref(p))),
        Geometry::Lines(ls) => Box::new(ls.iter().map(|l| l.as_slice())),
        Geometry::Polygons(ps) => Box::new(ps.iter().flatten().map(|r| r.as_slice())),
    }
}

/// Entities a geometry becomes (without its label).
pub(super) fn count_entities(g: &Geometry) -> u64 {
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
pub(super) fn ring_open_len(r: &[Pt]) -> usize {
    match (r.first(), r.last()) {
        (Some(a), Some(b)) if r.len() > 1 && a == b => r.len() - 1,
        _ => r.len(),
    }
}

pub(super) fn label_of<'a>(layer: &Layer, f: &'a Feature) -> Option<Cow<'a, str>> {
    layer
        .label_field
        .and_then(|i| f.values.get(i))
        .and_then(|v| v.as_text())
}

/// Where a point's label goes: up and to the right of it.
pub(super) fn point_label_at(p: Pt) -> Pt {
    [p[0] + 0.5 * TEXT_HEIGHT, p[1] + 0.5 * TEXT_HEIGHT]
}

/// An ASCII layer-name part: Vietnamese letters without their marks,
/// upper case, anything but letters, digits, `-` and `_` as `_`.
pub(super) fn layer_name_part(s: &str) -> String {
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
pub(super) fn fold_vietnamese(c: char) -> char {
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
pub(super) struct Out<W: Write> {
    pub(super) w: BufWriter<W>,
    pub(super) buf: Vec<u8>,
}

impl<W: Write> Out<W> {
    pub(super) fn code(&mut self, code: i32) -> std::io::Result<()> {
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
    pub(super) fn s(&mut self, code: i32, v: &str) -> std::io::Result<()> {
        self.code(code)?;
        self.w.write_all(v.as_bytes())?;
        self.w.write_all(b"\n")
    }

    /// Free text: non-ASCII as `\U+XXXX`, line breaks as spaces, at most
    /// `max` bytes.
    pub(super) fn text(&mut self, code: i32, v: &str, max: usize) -> std::io::Result<()> {
        self.buf.clear();
        escape_into(v, &mut self.buf, max);
        self.code(code)?;
        self.w.write_all(&self.buf)?;
        self.w.write_all(b"\n")
    }

    pub(super) fn i(&mut self, code: i32, v: i64) -> std::io::Result<()> {
        self.code(code)?;
        let mut b = itoa::Buffer::new();
        self.w.write_all(b.format(v).as_bytes())?;
        self.w.write_all(b"\n")
    }

    /// A handle (hex).
    pub(super) fn h(&mut self, code: i32, v: u64) -> std::io::Result<()> {
        self.code(code)?;
        writeln!(self.w, "{v:X}")
    }

    /// A real in its shortest exact form (header and table values).
    pub(super) fn f(&mut self, code: i32, v: f64) -> std::io::Result<()> {
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
    pub(super) fn c(&mut self, code: i32, v: f64) -> std::io::Result<()> {
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

    pub(super) fn xy(&mut self, p: Pt) -> std::io::Result<()> {
        self.c(10, p[0])?;
        self.c(20, p[1])
    }

    pub(super) fn xyz(&mut self, base: i32, p: Pt) -> std::io::Result<()> {
        self.c(base, p[0])?;
        self.c(base + 10, p[1])?;
        self.c(base + 20, 0.0)
    }

    /// Start of a symbol table.
    pub(super) fn table(&mut self, name: &str, handle: u64, count: i64) -> std::io::Result<()> {
        self.s(0, "TABLE")?;
        self.s(2, name)?;
        self.h(5, handle)?;
        self.h(330, 0)?;
        self.s(100, "AcDbSymbolTable")?;
        self.i(70, count)
    }

    /// Start of a symbol table record.
    pub(super) fn record(
        &mut self,
        kind: &str,
        handle: u64,
        owner: u64,
        sub: &str,
    ) -> std::io::Result<()> {
        self.s(0, kind)?;
        self.h(5, handle)?;
        self.h(330, owner)?;
        self.s(100, "AcDbSymbolTableRecord")?;
        self.s(100, sub)
    }

    /// Start of a model-space entity.
    pub(super) fn entity(&mut self, kind: &str, handle: u64, layer: &str) -> std::io::Result<()> {
        self.s(0, kind)?;
        self.h(5, handle)?;
        self.h(330, H_MS_RECORD)?;
        self.s(100, "AcDbEntity")?;
        self.s(8, layer)
    }

    /// A dictionary object owned by `owner`, with its entries.
    pub(super) fn dictionary(
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
pub(super) fn escape_into(s: &str, out: &mut Vec<u8>, max: usize) {
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
