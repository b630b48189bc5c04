//! From outlines, lines and texts to hiendat's layers: holes (the shapes
//! marked as holes, and outlines lying wholly inside another), the parcel
//! number and map sheet from the texts inside each parcel, the notes.

use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, Envelope, PointDistance, RTree, RTreeObject, SelectionFunction};

use super::read::{Drawing, Outline, Text};
use super::{FormatError, Pt};
use crate::campaign::fold;
use crate::formats::layer::{Feature, Field, FieldKind, GeomKind, Geometry, Layer, Value};
use crate::formats::legacy_vn;
use crate::geometry::area::signed_ring_area;

fn bbox(r: &[Pt]) -> ([f64; 2], [f64; 2]) {
    let mut min = [f64::INFINITY; 2];
    let mut max = [f64::NEG_INFINITY; 2];
    for p in r {
        min = [min[0].min(p[0]), min[1].min(p[1])];
        max = [max[0].max(p[0]), max[1].max(p[1])];
    }
    (min, max)
}

/// Even-odd: whether `p` is inside the closed rings.
pub(super) fn inside<R: AsRef<[Pt]>>(rings: &[R], p: Pt) -> bool {
    let mut c = false;
    for r in rings {
        for w in r.as_ref().windows(2) {
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

/// Vertices of an outline tested against a container: outlines of a
/// cadastral sheet do not cross, so a few spread along it decide, and the
/// work stays bounded for outlines of thousands of vertices.
const PROBES: usize = 32;

/// Whether the vertices of `inner` (up to [`PROBES`] of them, spread
/// evenly) are inside `outer` (a closed ring).
fn within(outer: &[Pt], inner: &[Pt]) -> bool {
    let step = inner.len().div_ceil(PROBES).max(1);
    inner
        .iter()
        .step_by(step)
        .all(|&p| inside(std::slice::from_ref(&outer), p))
}

/// At most this many other outlines may hold one outline within their
/// boxes: on a cadastral sheet a parcel lies in the boxes of a few (its
/// enclosing parcel, the sheet frame, a long neighbour); a file beyond is
/// refused, so that the work stays linear in the outlines (N nested
/// squares made it quadratic).
pub(super) const MAX_CONTAINERS: usize = 100;

/// Selects the boxes holding a box (and the tree's nodes that may).
struct Holding(AABB<[f64; 2]>);

type Boxed = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// An outline's index and its rings (exterior, then holes).
pub(super) type Polygon = (usize, Vec<Vec<Pt>>);

impl SelectionFunction<Boxed> for Holding {
    fn should_unpack_parent(&self, envelope: &AABB<[f64; 2]>) -> bool {
        envelope.contains_envelope(&self.0)
    }

    fn should_unpack_leaf(&self, leaf: &Boxed) -> bool {
        leaf.envelope().contains_envelope(&self.0)
    }
}

/// Parcels: every outline not marked a hole, each with the holes it holds:
/// the marked holes of its cell inside it, then any outline (marked or not)
/// whose smallest container it is. An unmarked outline inside another stays
/// a parcel too (a parcel enclosed by another: it is cut out of it).
/// Refused when an outline lies in the boxes of more than
/// [`MAX_CONTAINERS`] others.
pub(super) fn polygons(d: &Drawing, notes: &mut Vec<String>) -> Result<Vec<Polygon>, FormatError> {
    let outlines = &d.outlines;
    let area: Vec<f64> = outlines
        .iter()
        .map(|o| signed_ring_area(&o.ring).abs())
        .collect();
    // each outline's box, once
    let boxes: Vec<AABB<[f64; 2]>> = outlines
        .iter()
        .map(|o| {
            let (min, max) = bbox(&o.ring);
            AABB::from_corners(min, max)
        })
        .collect();
    let solids: Vec<usize> = (0..outlines.len()).filter(|&i| !outlines[i].hole).collect();
    let tree = RTree::bulk_load(
        solids
            .iter()
            .map(|&i| {
                GeomWithData::new(
                    Rectangle::from_corners(boxes[i].lower(), boxes[i].upper()),
                    i,
                )
            })
            .collect(),
    );
    let mut holes: Vec<Vec<usize>> = vec![Vec::new(); outlines.len()];
    let (mut orphans, mut enclosed) = (0usize, 0usize);
    for (i, o) in outlines.iter().enumerate() {
        // the outlines whose boxes hold this one's (no more than
        // MAX_CONTAINERS looked at), larger ones by increasing area
        let mut held_by = 0usize;
        let mut c: Vec<usize> = Vec::new();
        for b in tree.locate_with_selection_function(Holding(boxes[i])) {
            if b.data == i {
                continue;
            }
            held_by += 1;
            if held_by > MAX_CONTAINERS {
                return Err(FormatError::invalid(format!(
                    "hình khép kín ở byte {} nằm trong khung bao của hơn {MAX_CONTAINERS} hình khác: không phải bản đồ địa chính / the closed shape at byte {} lies within the boxes of more than {MAX_CONTAINERS} other shapes: not a cadastral sheet",
                    o.offset, o.offset
                )));
            }
            if area[b.data] > area[i] {
                c.push(b.data);
            }
        }
        c.sort_by(|&a, &b| area[a].total_cmp(&area[b]));
        // the smallest container: the first holding it (so nested
        // outlines cost one test each)
        let container = |same_cell: bool| {
            c.iter()
                .copied()
                .filter(|&j| !same_cell || (o.cell.is_some() && outlines[j].cell == o.cell))
                .find(|&j| within(&outlines[j].ring, &o.ring))
        };
        let found = if o.hole {
            container(true).or_else(|| container(false))
        } else {
            container(false)
        };
        match found {
            Some(j) => {
                holes[j].push(i);
                if !o.hole {
                    enclosed += 1;
                }
            }
            None if o.hole => orphans += 1,
            None => {}
        }
    }
    let mut note = |n: usize, vi: &str, en: &str| {
        if n > 0 {
            notes.push(format!("{n} {vi} / {n} {en}"));
        }
    };
    note(
        enclosed,
        "thửa nằm trọn trong thửa khác được khoét ra khỏi thửa chứa nó",
        "parcels lying wholly inside another were cut out of it",
    );
    note(
        orphans,
        "hình đánh dấu lỗ không nằm trong thửa nào bị bỏ qua",
        "shapes marked as holes inside no parcel ignored",
    );
    Ok(solids
        .into_iter()
        .map(|i| {
            let mut rings = vec![outlines[i].ring.clone()];
            rings.extend(holes[i].iter().map(|&h| outlines[h].ring.clone()));
            (i, rings)
        })
        .collect())
}

/// The texts of the file, decoded: ASCII and UTF-8 as they are, 8-bit
/// Vietnamese as the legacy encoding the texts read as (TCVN3 or VNI),
/// else as Windows-1258.
pub(super) fn decode_texts(texts: &[Text], notes: &mut Vec<String>) -> Vec<String> {
    let samples: Vec<&[u8]> = texts
        .iter()
        .filter_map(|t| match &t.bytes {
            super::geom::TextBytes::Bytes(b) => Some(*b),
            super::geom::TextBytes::Unicode(_) => None,
        })
        .collect();
    let legacy = legacy_vn::detect(&samples);
    let mut converted = false;
    let out = texts
        .iter()
        .map(|t| {
            let s = match &t.bytes {
                super::geom::TextBytes::Unicode(s) => s.clone(),
                super::geom::TextBytes::Bytes(b) => match std::str::from_utf8(b) {
                    Ok(s) => s.to_string(),
                    Err(_) => {
                        converted = true;
                        match legacy {
                            Some(enc) => legacy_vn::decode(b, enc),
                            None => legacy_vn::decode_windows1258(b),
                        }
                    }
                },
            };
            s.split_whitespace().collect::<Vec<_>>().join(" ")
        })
        .collect();
    if converted {
        let name = legacy.map_or("Windows-1258", legacy_vn::Legacy::name);
        notes.push(format!(
            "chữ 8 bit được đọc theo bảng mã {name} / 8-bit texts read as {name}"
        ));
    }
    out
}

/// What a text says: a parcel number and a map sheet. "Thửa 12", "Tờ 5",
/// "tờ bản đồ số 5 thửa 12" say which is which; a bare integer ("12") or
/// one before a slash or parenthesis ("12/150.5", "12(150,5)") is a parcel
/// number.
pub(super) fn parse_label(text: &str) -> (Option<String>, Option<String>) {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(fold)
        .collect();
    let number = |w: &str| !w.is_empty() && w.len() <= 9 && w.bytes().all(|b| b.is_ascii_digit());
    let (mut parcel, mut sheet) = (None, None);
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        let is_sheet = matches!(w, "to" | "tobando" | "tobd" | "tbd" | "toso");
        let is_parcel = matches!(w, "thua" | "thuaso" | "thuadat");
        if is_sheet || is_parcel {
            // skip "bản đồ", "số", "đất"
            let mut j = i + 1;
            while j < words.len() && matches!(words[j].as_str(), "ban" | "do" | "so" | "dat" | "bd")
            {
                j += 1;
            }
            if let Some(n) = words.get(j).filter(|n| number(n)) {
                let v = n.trim_start_matches('0');
                let v = if v.is_empty() { "0" } else { v }.to_string();
                if is_sheet {
                    sheet.get_or_insert(v);
                } else {
                    parcel.get_or_insert(v);
                }
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    if parcel.is_none() && sheet.is_none() {
        let t = text.trim();
        let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
        let rest = t[digits.len()..].trim_start();
        if number(&digits) && (rest.is_empty() || rest.starts_with(['/', '('])) {
            parcel = Some(digits);
        }
    }
    (parcel, sheet)
}

/// The parcels layer: level, element offset, the texts inside, the parcel
/// number and map sheet they give.
pub(super) fn parcels_layer(
    d: &Drawing,
    polys: Vec<(usize, Vec<Vec<Pt>>)>,
    texts: &[String],
    notes: &mut Vec<String>,
) -> Layer {
    let fields = vec![
        Field::new("dgn_level", FieldKind::Integer),
        Field::new("dgn_offset", FieldKind::Integer),
        Field::new("label", FieldKind::Text),
        Field::new("parcel_no", FieldKind::Text),
        Field::new("map_sheet", FieldKind::Text),
    ];
    let tree = RTree::bulk_load(
        polys
            .iter()
            .enumerate()
            .map(|(k, (_, rings))| {
                let (min, max) = bbox(&rings[0]);
                GeomWithData::new(Rectangle::from_corners(min, max), k)
            })
            .collect(),
    );
    let mut inside_texts: Vec<Vec<usize>> = vec![Vec::new(); polys.len()];
    let (mut outside, mut ambiguous) = (0usize, 0usize);
    let mut sheet_titles: Vec<String> = Vec::new();
    for (ti, t) in d.texts.iter().enumerate() {
        if texts[ti].is_empty() {
            continue;
        }
        let hits: Vec<usize> = tree
            .locate_all_at_point(t.at)
            .map(|c| c.data)
            .filter(|&k| inside(&polys[k].1, t.at))
            .collect();
        match hits.as_slice() {
            [k] => inside_texts[*k].push(ti),
            [] => {
                outside += 1;
                if let (None, Some(s)) = parse_label(&texts[ti]) {
                    sheet_titles.push(s);
                }
            }
            _ => ambiguous += 1,
        }
    }
    sheet_titles.sort();
    sheet_titles.dedup();
    let file_sheet = match sheet_titles.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    };
    let (mut unnumbered, mut several) = (0usize, 0usize);
    let mut layer = Layer::new("parcels", "Thửa đất / Parcels", GeomKind::Polygon, fields);
    layer.label_field = Some(2);
    for (k, (i, rings)) in polys.into_iter().enumerate() {
        let o: &Outline = &d.outlines[i];
        let (mut parcel, mut sheet, mut candidates) = (None, None, 0);
        for &ti in &inside_texts[k] {
            let (p, s) = parse_label(&texts[ti]);
            if let Some(p) = p {
                candidates += 1;
                parcel.get_or_insert(p);
            }
            if let Some(s) = s {
                sheet.get_or_insert(s);
            }
        }
        if parcel.is_none() {
            unnumbered += 1;
        }
        if candidates > 1 {
            several += 1;
        }
        let label = inside_texts[k]
            .iter()
            .map(|&ti| texts[ti].as_str())
            .collect::<Vec<_>>()
            .join(" | ");
        let text = |v: Option<String>| v.map_or(Value::Null, Value::Text);
        layer.features.push(Feature {
            geometry: Geometry::Polygons(vec![rings]),
            values: vec![
                Value::Integer(i64::from(o.level)),
                Value::Integer(o.offset as i64),
                if label.is_empty() {
                    Value::Null
                } else {
                    Value::Text(label)
                },
                text(parcel),
                text(sheet.or_else(|| file_sheet.clone())),
            ],
        });
    }
    if let Some(s) = &file_sheet {
        notes.push(format!(
            "tờ bản đồ số {s} (theo chữ ngoài các thửa) cho các thửa không ghi tờ / map sheet {s} (from a text outside the parcels) given to the parcels that state none"
        ));
    }
    let mut note = |n: usize, vi: &str, en: &str| {
        if n > 0 {
            notes.push(format!("{n} {vi} / {n} {en}"));
        }
    };
    note(
        unnumbered,
        "thửa không có chữ số thửa bên trong",
        "parcels with no parcel number text inside",
    );
    note(
        several,
        "thửa có nhiều số thửa bên trong (giữ số đầu tiên)",
        "parcels with several parcel numbers inside (the first kept)",
    );
    note(
        outside,
        "chữ không nằm trong thửa nào",
        "texts inside no parcel",
    );
    note(
        ambiguous,
        "chữ nằm trong nhiều thửa chồng nhau bị bỏ qua",
        "texts inside several overlapping parcels ignored",
    );
    layer
}

/// A text's words and numbers: letters folded (lower case, no
/// diacritics), numbers with a decimal point or comma ("13,5").
enum Token {
    Word(String),
    Num(f64),
}

fn tokens(text: &str) -> Vec<(usize, Token)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if c.is_ascii_digit() {
            let mut j = i;
            let mut s = String::new();
            while j < chars.len() && chars[j].1.is_ascii_digit() {
                s.push(chars[j].1);
                j += 1;
            }
            if j + 1 < chars.len()
                && matches!(chars[j].1, '.' | ',')
                && chars[j + 1].1.is_ascii_digit()
            {
                s.push('.');
                j += 1;
                while j < chars.len() && chars[j].1.is_ascii_digit() {
                    s.push(chars[j].1);
                    j += 1;
                }
            }
            if let Ok(v) = s.parse() {
                out.push((at, Token::Num(v)));
            }
            i = j;
        } else if c.is_alphabetic() {
            let mut j = i;
            let mut w = String::new();
            while j < chars.len() && chars[j].1.is_alphabetic() {
                w.push(chars[j].1);
                j += 1;
            }
            out.push((at, Token::Word(fold(&w))));
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// A road label's name and widths: "Đường Lê Lợi, lộ giới 20m", "LG 13,5",
/// "B = 20 m", "hiện trạng 8m" / "HT 8". `None` when the text is no road
/// label (neither a width nor a word such as "đường", "phố", "ngõ" first).
pub(super) fn parse_road_label(text: &str) -> Option<(Option<String>, Option<f64>, Option<f64>)> {
    const PLANNED: &[&[&str]] = &[
        &["lo", "gioi"],
        &["logioi"],
        &["lg"],
        &["b"],
        &["chi", "gioi"],
        &["mat", "cat"],
        &["mc"],
        &["quy", "hoach"],
        &["qh"],
    ];
    const CURRENT: &[&[&str]] = &[&["hien", "trang"], &["ht"]];
    const ROADS: &[&str] = &[
        "duong", "pho", "ngo", "ngach", "hem", "kiet", "quoc", "tinh", "ql", "tl", "dt",
    ];
    let toks = tokens(text);
    let word = |k: usize| match toks.get(k) {
        Some((_, Token::Word(w))) => Some(w.as_str()),
        _ => None,
    };
    let (mut planned, mut current, mut first_key) = (None, None, None);
    let mut k = 0;
    while k < toks.len() {
        let mut hit = None;
        for (keys, is_planned) in PLANNED
            .iter()
            .map(|k| (k, true))
            .chain(CURRENT.iter().map(|k| (k, false)))
        {
            if keys.iter().enumerate().all(|(n, w)| word(k + n) == Some(w)) {
                hit = Some((keys.len(), is_planned));
                break;
            }
        }
        if let Some((len, is_planned)) = hit
            && let Some((_, Token::Num(v))) = toks.get(k + len)
            && *v > 0.0
            && *v < 1000.0
        {
            first_key.get_or_insert(toks[k].0);
            if is_planned {
                planned.get_or_insert(*v);
            } else {
                current.get_or_insert(*v);
            }
            k += len + 1;
            continue;
        }
        k += 1;
    }
    let road = word(0).is_some_and(|w| ROADS.contains(&w));
    if planned.is_none() && current.is_none() && !road {
        return None;
    }
    let name = text[..first_key.unwrap_or(text.len())]
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ',' | '-' | ':' | ';' | '('))
        .trim();
    let name = (road && !name.is_empty()).then(|| name.to_string());
    Some((name, planned, current))
}

/// How far (m) a road label may stand from its line.
const ROAD_LABEL_M: f64 = 20.0;

/// At most this many line segments are measured for one road label: more
/// within [`ROAD_LABEL_M`] of it (no drawn road is so dense) and the label
/// is given to no line, so that the work stays linear in the labels.
pub(super) const MAX_LABEL_SEGMENTS: usize = 1000;

/// The lines layer (segments): one feature per line, its level and offset,
/// and what the nearest road label (within [`ROAD_LABEL_M`]) says: name,
/// planned and current width.
pub(super) fn lines_layer(d: Drawing, texts: &[String], notes: &mut Vec<String>) -> Layer {
    let fields = vec![
        Field::new("dgn_level", FieldKind::Integer),
        Field::new("dgn_offset", FieldKind::Integer),
        Field::new("label", FieldKind::Text),
        Field::new("name", FieldKind::Text),
        Field::new("planned_width_m", FieldKind::Real),
        Field::new("current_width_m", FieldKind::Real),
    ];
    // every segment of every line: a label is measured against the
    // segments near it, no more than MAX_LABEL_SEGMENTS of them
    let tree = RTree::bulk_load(
        d.lines
            .iter()
            .enumerate()
            .flat_map(|(k, l)| {
                l.pts
                    .windows(2)
                    .map(move |w| GeomWithData::new(rstar::primitives::Line::new(w[0], w[1]), k))
            })
            .collect(),
    );
    let mut said: Vec<Vec<usize>> = vec![Vec::new(); d.lines.len()];
    let (mut labels, mut crowded) = (0, 0);
    for (ti, t) in d.texts.iter().enumerate() {
        if parse_road_label(&texts[ti]).is_none() {
            continue;
        }
        let r = ROAD_LABEL_M;
        let near =
            rstar::AABB::from_corners([t.at[0] - r, t.at[1] - r], [t.at[0] + r, t.at[1] + r]);
        let segments: Vec<_> = tree
            .locate_in_envelope_intersecting(near)
            .take(MAX_LABEL_SEGMENTS + 1)
            .collect();
        if segments.len() > MAX_LABEL_SEGMENTS {
            crowded += 1;
            continue;
        }
        let best = segments
            .into_iter()
            .map(|c| (c.data, c.geom().distance_2(&t.at)))
            .filter(|(_, d2)| *d2 <= r * r)
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((k, _)) = best {
            said[k].push(ti);
            labels += 1;
        }
    }
    if crowded > 0 {
        notes.push(format!(
            "{crowded} nhãn đường có hơn {MAX_LABEL_SEGMENTS} đoạn thẳng trong {ROAD_LABEL_M} m quanh nó không gán cho đường nào / {crowded} road labels with more than {MAX_LABEL_SEGMENTS} line segments within {ROAD_LABEL_M} m given to no line"
        ));
    }
    if labels > 0 {
        notes.push(format!(
            "{labels} nhãn đường (tên, lộ giới, hiện trạng) gán cho đường gần nhất trong {ROAD_LABEL_M} m / {labels} road labels (name, planned and current width) given to the nearest line within {ROAD_LABEL_M} m"
        ));
    }
    let mut layer = Layer::new("lines", "Đường / Lines", GeomKind::Line, fields);
    layer.label_field = Some(2);
    for (l, tis) in d.lines.into_iter().zip(said) {
        let (mut name, mut planned, mut current) = (None, None, None);
        for &ti in &tis {
            if let Some((n, p, c)) = parse_road_label(&texts[ti]) {
                name = name.or(n);
                planned = planned.or(p);
                current = current.or(c);
            }
        }
        let label = tis
            .iter()
            .map(|&ti| texts[ti].as_str())
            .collect::<Vec<_>>()
            .join(" | ");
        layer.features.push(Feature {
            geometry: Geometry::Lines(vec![l.pts]),
            values: vec![
                Value::Integer(i64::from(l.level)),
                Value::Integer(l.offset as i64),
                if label.is_empty() {
                    Value::Null
                } else {
                    Value::Text(label)
                },
                name.map_or(Value::Null, Value::Text),
                planned.map_or(Value::Null, Value::Real),
                current.map_or(Value::Null, Value::Real),
            ],
        });
    }
    layer
}

/// Nothing of the kind asked for on the selected levels: the levels that
/// have some, so the user can pick.
pub(super) fn nothing(d: &Drawing, polygons: bool, levels: &[u8]) -> FormatError {
    let k = if polygons { 0 } else { 1 };
    let have: Vec<String> = d
        .levels
        .iter()
        .filter(|(_, c)| c[k] > 0)
        .map(|(l, c)| format!("{l} ({})", c[k]))
        .collect();
    let have = if have.is_empty() {
        "—".to_string()
    } else {
        have.join(", ")
    };
    let asked = if levels.is_empty() {
        String::new()
    } else {
        let l: Vec<String> = levels.iter().map(u8::to_string).collect();
        format!(" (--dgn-level {})", l.join(","))
    };
    let (vi, en) = if polygons {
        (
            "hình khép kín (shape, complex shape, ellipse)",
            "closed shapes (shape, complex shape, ellipse)",
        )
    } else {
        (
            "đường (line, line string, complex chain, arc)",
            "lines (line, line string, complex chain, arc)",
        )
    };
    // parcels drawn only as boundary lines (as Famis keeps them before its
    // topology is built) need their shapes made first
    let lines_only =
        polygons && d.levels.values().all(|c| c[0] == 0) && d.levels.values().any(|c| c[1] > 0);
    let (hint_vi, hint_en) = if lines_only {
        (
            "; tệp chỉ có đường ranh: hãy tạo vùng thửa (shape) trong MicroStation/Famis (tạo topology) rồi lưu lại",
            "; the file has boundary lines only: build the parcels' shapes in MicroStation/Famis (topology) and save again",
        )
    } else {
        ("", "")
    };
    FormatError::invalid(format!(
        "không có {vi} nào trên các level đã chọn{asked}; các level có: {have}{hint_vi} / no {en} on the selected levels{asked}; levels that have some: {have}{hint_en}"
    ))
}
