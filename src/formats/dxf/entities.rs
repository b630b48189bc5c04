//! The writer's ENTITIES: one layer's polylines, points, labels and XDATA.

use super::*;

pub(super) fn write_layer_entities<W: Write>(
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

pub(super) fn take(next: &mut u64) -> u64 {
    let h = *next;
    *next += 1;
    h
}

pub(super) fn lwpolyline<W: Write>(
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
pub(super) fn write_xdata<W: Write>(
    o: &mut Out<W>,
    layer: &Layer,
    f: &Feature,
) -> std::io::Result<()> {
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
pub(super) fn write_link<W: Write>(o: &mut Out<W>, key: &str, to: u64) -> std::io::Result<()> {
    o.s(1001, APP)?;
    o.code(1000)?;
    writeln!(o.w, "{key}={to:X}")
}

/// A point inside a polygon geometry (its largest part): the middle of the
/// widest horizontal chord at the height of the part's centroid.
pub(super) fn label_point(g: &Geometry) -> Pt {
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
pub(super) fn chord_middle(rings: &[Vec<Pt>], y: f64) -> Option<Pt> {
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
