//! The DXF reader: model-space entities to parcels, labels and fields.

use super::*;

/// Parcels from a drawing, ASCII or binary: one polygon Layer named
/// "parcels", within the default [`Limits`].
pub fn read(bytes: &[u8], opts: &ReadOptions) -> Result<Layer, FormatError> {
    read_within(bytes, opts, &Limits::DEFAULT)
}

/// [`read`] within `limits`: a binary DXF is read as the ASCII DXF it
/// stands for (module `binary`), which must fit a DXF file's limit.
pub fn read_within(
    bytes: &[u8],
    opts: &ReadOptions,
    limits: &Limits,
) -> Result<Layer, FormatError> {
    if bytes.starts_with(binary::SENTINEL) {
        let ascii = binary::to_ascii(bytes, limits.text_bytes)?;
        let mut layer = read_ascii(&ascii, opts).map_err(|e| match e {
            FormatError::Invalid(m) => FormatError::invalid(format!(
                "DXF nhị phân (số dòng là của bản DXF ASCII tương đương) / binary DXF (line numbers are those of the equivalent ASCII DXF): {m}"
            )),
            e => e,
        })?;
        layer.notes.insert(
            0,
            "DXF nhị phân, đọc như DXF ASCII / a binary DXF, read as ASCII DXF".into(),
        );
        return Ok(layer);
    }
    if bytes.starts_with(b"AutoCAD Binary DXF") {
        return Err(FormatError::invalid(
            "tệp bắt đầu như DXF nhị phân nhưng dấu hiệu đầu tệp (AutoCAD Binary DXF\\r\\n\\x1a\\0) bị hỏng / the file starts like a binary DXF but its sentinel (AutoCAD Binary DXF\\r\\n\\x1a\\0) is damaged",
        ));
    }
    read_ascii(bytes, opts)
}

/// An ASCII DXF's parcels.
fn read_ascii(bytes: &[u8], opts: &ReadOptions) -> Result<Layer, FormatError> {
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

pub(super) fn not_dxf() -> FormatError {
    FormatError::invalid(
        "không phải tệp DXF: không có SECTION nào / not a DXF file: it has no SECTION",
    )
}

/// Where entities go while the file is read.
pub(super) struct EntityCtx<'c, F: Fn(&str) -> bool> {
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
pub(super) struct Parcel {
    handle: Option<String>,
    layer: usize,
    polys: Vec<Vec<Vec<Pt>>>,
    xdata: Vec<(usize, String)>,
    hatch: bool,
    alive: bool,
}

/// Hatch paths as polygons: by decreasing area, a path inside an odd
/// number of earlier paths is a hole of the smallest exterior holding it.
pub(super) fn hatch_polygons(rings: Vec<Vec<Pt>>) -> Vec<Vec<Vec<Pt>>> {
    let mut rings: Vec<(f64, Vec<Pt>)> = rings
        .into_iter()
        .map(|r| (signed_ring_area(&r).abs(), r))
        .collect();
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
pub(super) fn ring_key(r: &[Pt], k: &mut Vec<[i64; 2]>) {
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

pub(super) fn assemble(shapes: Vec<Shape>, counts: &mut Counts) -> Vec<Parcel> {
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

pub(super) fn build_layer(
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

pub(super) fn notes(notes: &mut Vec<String>, c: &Counts, dec: &Decoder) {
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
