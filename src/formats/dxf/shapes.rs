//! Geometry of the entities read: XDATA, polyline vertices and bulges,
//! HATCH boundary paths, splines.

use super::*;

/// hiendat's XDATA of an entity: its `name=value` pairs (names interned in
/// `keys`) and its link.
pub(super) fn hiendat_xdata(
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
pub(super) fn lw_vertices(
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

pub(super) fn missing_y(what: &EntityRef, line: usize) -> FormatError {
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
pub(super) fn arc_chords(radius: f64, span_deg: f64) -> usize {
    let step = if radius > ARC_SAGITTA {
        (2.0 * (1.0 - ARC_SAGITTA / radius).acos()).to_degrees()
    } else {
        5.0
    };
    let step = step.clamp(1.0, 5.0);
    ((span_deg.abs() / step).ceil() as usize).clamp(1, 360)
}

/// Points along a bulged segment from `p` to `q`, both ends excluded.
pub(super) fn bulge_points(p: Pt, q: Pt, b: f64, out: &mut Vec<Pt>) {
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
pub(super) fn ring_with_bulges(pts: &[Pt], bulges: &[f64], counts: &mut Counts) -> Vec<Pt> {
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

pub(super) fn same(a: Pt, b: Pt) -> bool {
    (a[0] - b[0]).abs() <= SAME_PT && (a[1] - b[1]).abs() <= SAME_PT
}

/// Drops a near-duplicate closing point and repeats the first exactly.
pub(super) fn close_ring(ring: &mut Vec<Pt>) {
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
pub(super) fn ring_size(r: &[Pt]) -> usize {
    r.len().saturating_sub(1)
}

/// Even-odd point in rings (any number of closed rings).
pub(super) fn inside(rings: &[Vec<Pt>], p: Pt) -> bool {
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

/// A HATCH tag cursor.
pub(super) struct Cursor<'t, 'a> {
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
pub(super) fn arc_points(c: Pt, major: Pt, ratio: f64, start: f64, end: f64, ccw: bool) -> Vec<Pt> {
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
pub(super) fn hatch_rings(
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
pub(super) fn spline_control_points(
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
pub(super) struct PendingPolyline {
    pub(super) handle: Option<String>,
    pub(super) layer: usize,
    pub(super) line: usize,
    pub(super) closed: bool,
    pub(super) skip: bool,
    pub(super) pts: Vec<Pt>,
    pub(super) bulges: Vec<f64>,
    pub(super) xdata: Vec<(usize, String)>,
    pub(super) link: Link,
}
