//! Reading KML placemarks back into layers.

use super::*;

/// KML namespaces accepted as the root's: OGC's and Google's older ones.
pub(super) fn is_kml_ns(ns: &str) -> bool {
    ns == KML_NS || ns.starts_with("http://earth.google.com/kml/")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum El {
    Kml,
    Document,
    Folder,
    Placemark,
    Name,
    Schema,
    SimpleField,
    SchemaData,
    SimpleData,
    Data,
    Value,
    Point,
    LineString,
    LinearRing,
    Polygon,
    Outer,
    Inner,
    MultiGeometry,
    Coordinates,
    Other,
}

impl El {
    fn of(local: &str) -> El {
        match local {
            "kml" => El::Kml,
            "Document" => El::Document,
            "Folder" => El::Folder,
            "Placemark" => El::Placemark,
            "name" => El::Name,
            "Schema" => El::Schema,
            "SimpleField" => El::SimpleField,
            "SchemaData" => El::SchemaData,
            "SimpleData" => El::SimpleData,
            "Data" => El::Data,
            "value" => El::Value,
            "Point" => El::Point,
            "LineString" => El::LineString,
            "LinearRing" => El::LinearRing,
            "Polygon" => El::Polygon,
            "outerBoundaryIs" => El::Outer,
            "innerBoundaryIs" => El::Inner,
            "MultiGeometry" => El::MultiGeometry,
            "coordinates" => El::Coordinates,
            _ => El::Other,
        }
    }
}

/// A `Schema`: its id, name and typed fields.
pub(super) struct Schema {
    id: String,
    name: String,
    fields: Vec<(String, Option<FieldKind>)>,
}

/// A Folder or Document: its name and what its placemarks make.
#[derive(Default)]
pub(super) struct Container {
    name: Option<String>,
    /// Per geometry kind, in order of first appearance.
    parts: Vec<RawLayer>,
}

pub(super) struct RawLayer {
    kind: GeomKind,
    fields: Vec<String>,
    index: HashMap<String, usize>,
    /// Declared type, when a Schema gave one.
    kinds: Vec<Option<FieldKind>>,
    rows: Vec<RawRow>,
    schema: Option<usize>,
    has_z: bool,
    split: bool,
}

pub(super) struct RawRow {
    geometry: Geometry,
    values: Vec<Option<String>>,
    name: Option<String>,
}

/// The placemark being read.
#[derive(Default)]
pub(super) struct Pm {
    name: Option<String>,
    values: Vec<(String, String, Option<FieldKind>)>,
    schema: Option<usize>,
    points: Vec<Pt>,
    lines: Vec<Vec<Pt>>,
    polygons: Vec<Vec<Vec<Pt>>>,
    /// Outer ring and holes of the Polygon being read.
    outer: Option<Vec<Pt>>,
    holes: Vec<Vec<Pt>>,
    has_z: bool,
    error: Option<(String, String)>,
}

impl Pm {
    fn fail(&mut self, vi: String, en: String) {
        if self.error.is_none() {
            self.error = Some((vi, en));
        }
    }
}

pub(super) fn xml_error(e: impl std::fmt::Display, pos: u64) -> FormatError {
    FormatError::invalid(format!(
        "tệp KML không phải XML hợp lệ (byte {pos}): {e} / the KML file is not well-formed XML (byte {pos}): {e}"
    ))
}

pub(super) fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == key).then(|| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_or_else(|_| a.value.to_string(), |v| v.into_owned())
        })
    })
}

/// Parses a KML document's text into layers.
pub(super) fn parse(text: &str) -> Result<Vec<Layer>, FormatError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut r = NsReader::from_str(text);
    r.config_mut().expand_empty_elements = true;

    let mut stack: Vec<El> = Vec::with_capacity(32);
    let mut root_ns: Option<Option<String>> = None;
    // containers[0] holds placemarks outside any Document/Folder
    let mut containers: Vec<Container> = vec![Container::default()];
    let mut open: Vec<usize> = vec![0];
    let mut schemas: Vec<Schema> = Vec::new();
    let mut schema: Option<Schema> = None;
    let mut pm: Option<Pm> = None;
    let mut pm_count = 0usize;
    let mut no_geometry = 0usize;
    let mut data_name: Option<String> = None;
    let mut simple_name: Option<String> = None;
    // text of the element being captured (name, SimpleData, value, coordinates)
    let mut capture: Option<String> = None;

    loop {
        let pos = r.buffer_position();
        let (ns, ev) = r.read_resolved_event().map_err(|e| xml_error(e, pos))?;
        // borrowed: no allocation per event
        let ns: Option<&str> = match &ns {
            ResolveResult::Bound(n) => Some(n.0),
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(_) => Some("?"),
        };
        match ev {
            Event::Start(e) => {
                let local = e.local_name();
                let local = local.as_ref();
                let Some(kml_ns) = &root_ns else {
                    if local != "kml" || !ns.is_none_or(is_kml_ns) {
                        return Err(FormatError::invalid(format!(
                            "không phải tệp KML: phần tử gốc là <{local}> (namespace {}) / not a KML file: the root element is <{local}> (namespace {})",
                            ns.unwrap_or("-"),
                            ns.unwrap_or("-")
                        )));
                    }
                    root_ns = Some(ns.map(str::to_string));
                    stack.push(El::Kml);
                    continue;
                };
                let el = if ns == kml_ns.as_deref() {
                    El::of(local)
                } else {
                    El::Other
                };
                let parent = stack.last().copied().unwrap_or(El::Other);
                match el {
                    El::Document | El::Folder => {
                        containers.push(Container::default());
                        open.push(containers.len() - 1);
                    }
                    El::Placemark => {
                        pm_count += 1;
                        pm = Some(Pm::default());
                    }
                    El::Name if matches!(parent, El::Placemark | El::Folder | El::Document) => {
                        capture = Some(String::new());
                    }
                    El::Schema => {
                        schema = Some(Schema {
                            id: attr(&e, "id").unwrap_or_default(),
                            name: attr(&e, "name").unwrap_or_default(),
                            fields: Vec::new(),
                        });
                    }
                    El::SimpleField => {
                        if let (Some(s), Some(name)) = (schema.as_mut(), attr(&e, "name")) {
                            let kind = match attr(&e, "type").as_deref().map(str::trim) {
                                Some("int" | "uint" | "short" | "ushort") => {
                                    Some(FieldKind::Integer)
                                }
                                Some("float" | "double") => Some(FieldKind::Real),
                                Some("string") => Some(FieldKind::Text),
                                _ => None,
                            };
                            s.fields.push((name, kind));
                        }
                    }
                    El::SchemaData => {
                        if let (Some(p), Some(url)) = (pm.as_mut(), attr(&e, "schemaUrl")) {
                            let id = url.rsplit('#').next().unwrap_or("");
                            p.schema = schemas.iter().position(|s| s.id == id || s.name == id);
                        }
                    }
                    El::SimpleData if pm.is_some() => {
                        simple_name = attr(&e, "name");
                        capture = Some(String::new());
                    }
                    El::Data if pm.is_some() => data_name = attr(&e, "name"),
                    El::Value if parent == El::Data && pm.is_some() => {
                        capture = Some(String::new());
                    }
                    El::Coordinates if pm.is_some() => capture = Some(String::new()),
                    El::Polygon => {
                        if let Some(p) = pm.as_mut() {
                            p.outer = None;
                            p.holes.clear();
                        }
                    }
                    _ => {}
                }
                stack.push(el);
            }
            Event::Text(t) => {
                if let Some(c) = capture.as_mut() {
                    c.push_str(&t.xml10_content());
                } else if root_ns.is_none() && !t.trim().is_empty() {
                    return Err(FormatError::invalid(
                        "không phải tệp KML: có văn bản trước phần tử gốc / not a KML file: text before the root element",
                    ));
                }
            }
            Event::CData(t) => {
                if let Some(c) = capture.as_mut() {
                    c.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(g) => {
                if let Some(c) = capture.as_mut() {
                    let ch = g.resolve_char_ref().map_err(|e| xml_error(e, pos))?;
                    match ch {
                        Some(ch) => c.push(ch),
                        None => match quick_xml::escape::resolve_predefined_entity(&g) {
                            Some(s) => c.push_str(s),
                            None => {
                                return Err(xml_error(
                                    format!("thực thể không biết / unknown entity &{};", &*g),
                                    pos,
                                ));
                            }
                        },
                    }
                }
            }
            Event::End(_) => {
                let Some(el) = stack.pop() else {
                    return Err(xml_error("unexpected end tag", pos));
                };
                let parent = stack.last().copied().unwrap_or(El::Other);
                match el {
                    El::Document | El::Folder => {
                        open.pop();
                    }
                    El::Name => {
                        if let Some(text) = capture.take() {
                            let text = text.trim().to_string();
                            if parent == El::Placemark {
                                if let Some(p) = pm.as_mut() {
                                    p.name = Some(text);
                                }
                            } else if let Some(c) = open.last().and_then(|i| containers.get_mut(*i))
                            {
                                c.name.get_or_insert(text);
                            }
                        }
                    }
                    El::Schema => {
                        if let Some(s) = schema.take() {
                            schemas.push(s);
                        }
                    }
                    El::SimpleData => {
                        if let (Some(p), Some(text), Some(name)) =
                            (pm.as_mut(), capture.take(), simple_name.take())
                        {
                            let kind = p.schema.and_then(|s| schemas.get(s)).and_then(|s| {
                                s.fields.iter().find(|f| f.0 == name).and_then(|f| f.1)
                            });
                            p.values.push((name, text, kind));
                        }
                    }
                    El::Value => {
                        if let (Some(p), Some(text)) = (pm.as_mut(), capture.take())
                            && let Some(name) = data_name.clone()
                        {
                            // untyped: kept as text (a parcel number "012" keeps its zero)
                            p.values.push((name, text, Some(FieldKind::Text)));
                        }
                    }
                    El::Data => data_name = None,
                    El::Coordinates => {
                        if let (Some(p), Some(text)) = (pm.as_mut(), capture.take()) {
                            coordinates_end(p, parent, stack.iter().rev().nth(1).copied(), &text);
                        }
                    }
                    El::Polygon => {
                        if let Some(p) = pm.as_mut() {
                            match p.outer.take() {
                                Some(outer) => {
                                    let mut rings = vec![outer];
                                    rings.append(&mut p.holes);
                                    p.polygons.push(rings);
                                }
                                None => p.fail(
                                    "Polygon không có outerBoundaryIs".into(),
                                    "a Polygon without outerBoundaryIs".into(),
                                ),
                            }
                        }
                    }
                    El::Placemark => {
                        if let Some(p) = pm.take() {
                            let c = open.last().copied().unwrap_or(0);
                            if let Some(c) = containers.get_mut(c)
                                && !placemark_end(c, p, pm_count, &schemas)?
                            {
                                no_geometry += 1;
                            }
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(xml_error(
            format!(
                "thiếu {} thẻ đóng / {} end tags missing",
                stack.len(),
                stack.len()
            ),
            text.len() as u64,
        ));
    }
    if root_ns.is_none() {
        return Err(FormatError::invalid(
            "không phải tệp KML: không có phần tử <kml> / not a KML file: no <kml> element",
        ));
    }
    Ok(finish(containers, &schemas, no_geometry))
}

/// Parses "lon,lat[,alt] ..." (tuples separated by white space) into points.
pub(super) fn parse_coordinates(text: &str, has_z: &mut bool) -> Result<Vec<Pt>, String> {
    let mut pts = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while b.get(*i).is_some_and(|c| c.is_ascii_whitespace()) {
            *i += 1;
        }
    };
    let number = |i: &mut usize| -> Result<f64, String> {
        let start = *i;
        while b
            .get(*i)
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E'))
        {
            *i += 1;
        }
        let t = &text[start..*i];
        t.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| {
                let end = text[start..]
                    .find(|c: char| c.is_whitespace() || c == ',')
                    .map_or(text.len(), |e| start + e);
                let shown: String = text[start..end].chars().take(40).collect();
                format!("'{shown}'")
            })
    };
    loop {
        skip_ws(&mut i);
        if i >= b.len() {
            break;
        }
        let lon = number(&mut i)?;
        skip_ws(&mut i);
        if b.get(i) != Some(&b',') {
            return Err(format!(
                "thiếu vĩ độ sau {lon} / missing latitude after {lon}"
            ));
        }
        i += 1;
        skip_ws(&mut i);
        let lat = number(&mut i)?;
        // an optional altitude: ",alt" (white space may precede the comma)
        let save = i;
        skip_ws(&mut i);
        if b.get(i) == Some(&b',') {
            i += 1;
            skip_ws(&mut i);
            number(&mut i)?;
            *has_z = true;
        } else {
            i = save;
        }
        if lon.abs() > 180.0 || lat.abs() > 90.0 {
            return Err(format!(
                "({lon}, {lat}) ngoài phạm vi kinh độ/vĩ độ / ({lon}, {lat}) is out of lon/lat range"
            ));
        }
        pts.push([lon, lat]);
        if i < b.len() && !b[i].is_ascii_whitespace() {
            let shown: String = text[i..].chars().take(20).collect();
            return Err(format!("ký tự thừa '{shown}' / unexpected '{shown}'"));
        }
    }
    Ok(pts)
}

/// Stores a `<coordinates>` into the placemark by what holds it.
pub(super) fn coordinates_end(p: &mut Pm, holder: El, grand: Option<El>, text: &str) {
    let pts = match parse_coordinates(text, &mut p.has_z) {
        Ok(pts) => pts,
        Err(e) => {
            let (vi, en) = e.split_once(" / ").unwrap_or((&e, &e));
            let (vi, en) = (vi.to_string(), en.to_string());
            p.fail(
                format!("tọa độ không hợp lệ: {vi}"),
                format!("bad coordinates: {en}"),
            );
            return;
        }
    };
    match holder {
        El::Point => match pts.as_slice() {
            [pt] => p.points.push(*pt),
            _ => p.fail(
                format!("Point có {} điểm thay vì 1", pts.len()),
                format!("a Point with {} positions instead of 1", pts.len()),
            ),
        },
        El::LineString => {
            if pts.len() < 2 {
                p.fail(
                    "LineString có ít hơn 2 điểm".into(),
                    "a LineString with fewer than 2 positions".into(),
                );
            } else {
                p.lines.push(pts);
            }
        }
        El::LinearRing => {
            let mut ring = pts;
            if let (Some(f), Some(l)) = (ring.first().copied(), ring.last().copied())
                && f != l
            {
                ring.push(f);
            }
            if ring.len() < 4 {
                p.fail(
                    "vòng LinearRing có ít hơn 3 điểm".into(),
                    "a LinearRing with fewer than 3 positions".into(),
                );
                return;
            }
            match grand {
                Some(El::Outer) if p.outer.is_none() => p.outer = Some(ring),
                Some(El::Outer) | Some(El::Inner) => p.holes.push(ring),
                // a bare LinearRing is a closed line
                _ => p.lines.push(ring),
            }
        }
        _ => {}
    }
}

/// Files a finished placemark into its container; false when it has no geometry.
pub(super) fn placemark_end(
    c: &mut Container,
    p: Pm,
    number: usize,
    schemas: &[Schema],
) -> Result<bool, FormatError> {
    if let Some((vi, en)) = &p.error {
        let name = p.name.as_deref().unwrap_or("");
        return Err(FormatError::invalid(format!(
            "placemark {number} («{name}»): {vi} / placemark {number} (\"{name}\"): {en}"
        )));
    }
    let mut geoms = Vec::with_capacity(1);
    if !p.polygons.is_empty() {
        geoms.push(Geometry::Polygons(p.polygons));
    }
    if !p.lines.is_empty() {
        geoms.push(Geometry::Lines(p.lines));
    }
    // a layer holds single points: a multi-point placemark gives a feature per point
    geoms.extend(p.points.into_iter().map(Geometry::Point));
    if geoms.is_empty() {
        return Ok(false);
    }
    let split = geoms.len() > 1;
    let last = geoms.len() - 1;
    let mut pvalues = p.values;
    let mut pname = p.name;
    for (gi, g) in geoms.into_iter().enumerate() {
        // the last (usually only) geometry takes the values, the others copy them
        let (vals, name) = if gi == last {
            (std::mem::take(&mut pvalues), pname.take())
        } else {
            (pvalues.clone(), pname.clone())
        };
        let kind = g.kind();
        let part = match c.parts.iter().position(|r| r.kind == kind) {
            Some(i) => i,
            None => {
                c.parts.push(RawLayer {
                    kind,
                    fields: Vec::new(),
                    index: HashMap::new(),
                    kinds: Vec::new(),
                    rows: Vec::new(),
                    schema: None,
                    has_z: false,
                    split: false,
                });
                c.parts.len() - 1
            }
        };
        let Some(raw) = c.parts.get_mut(part) else {
            continue;
        };
        raw.has_z |= p.has_z;
        raw.split |= split;
        if raw.schema.is_none() {
            raw.schema = p.schema;
            // fields in the schema's order, so columns come out as declared
            if let Some(s) = p.schema.and_then(|s| schemas.get(s)) {
                for (name, kind) in &s.fields {
                    field_slot(raw, name, *kind);
                }
            }
        }
        let mut values: Vec<Option<String>> = vec![None; raw.fields.len()];
        for (fname, text, kind) in vals {
            let i = field_slot(raw, &fname, kind);
            if values.len() <= i {
                values.resize(i + 1, None);
            }
            if let Some(v) = values.get_mut(i) {
                *v = Some(text);
            }
        }
        raw.rows.push(RawRow {
            geometry: g,
            values,
            name,
        });
    }
    Ok(true)
}

pub(super) fn field_slot(raw: &mut RawLayer, name: &str, kind: Option<FieldKind>) -> usize {
    if let Some(i) = raw.index.get(name) {
        return *i;
    }
    raw.fields.push(name.to_string());
    raw.kinds.push(kind);
    raw.index.insert(name.to_string(), raw.fields.len() - 1);
    raw.fields.len() - 1
}

/// Turns the containers' placemarks into layers.
pub(super) fn finish(
    containers: Vec<Container>,
    schemas: &[Schema],
    no_geometry: usize,
) -> Vec<Layer> {
    let mut layers: Vec<Layer> = Vec::new();
    for c in containers {
        let title = c.name.clone().unwrap_or_else(|| "KML".into());
        let several = c.parts.len() > 1;
        for raw in c.parts {
            let base = raw
                .schema
                .and_then(|s| schemas.get(s))
                .map(|s| s.name.clone())
                .filter(|n| !n.trim().is_empty())
                .or_else(|| c.name.clone())
                .unwrap_or_else(|| "kml".into());
            let mut name = ascii_name(&base);
            if several {
                name.push_str(match raw.kind {
                    GeomKind::Point => "_points",
                    GeomKind::Line => "_lines",
                    GeomKind::Polygon => "_polygons",
                });
            }
            while layers.iter().any(|l| l.name == name) {
                name.push_str("_2");
            }
            layers.push(build_layer(name, &title, raw, several));
        }
    }
    if no_geometry > 0
        && let Some(l) = layers.first_mut()
    {
        l.notes.push(format!(
            "{no_geometry} placemark không có hình học đã bị bỏ qua / {no_geometry} placemarks without geometry were skipped"
        ));
    }
    layers
}

pub(super) fn build_layer(name: String, title: &str, raw: RawLayer, several: bool) -> Layer {
    let n = raw.fields.len();
    let mut notes = Vec::new();
    // Final kinds: the declared one unless a value does not fit (then wider).
    let mut kinds: Vec<FieldKind> = raw
        .kinds
        .iter()
        .map(|k| k.unwrap_or(FieldKind::Text))
        .collect();
    for (i, kind) in kinds.iter_mut().enumerate() {
        let declared = *kind;
        for row in &raw.rows {
            let Some(t) = row.values.get(i).and_then(|v| v.as_deref()) else {
                continue;
            };
            let t = t.trim();
            if t.is_empty() {
                continue;
            }
            if *kind == FieldKind::Integer && t.parse::<i64>().is_err() {
                *kind = FieldKind::Real;
            }
            if *kind == FieldKind::Real && t.parse::<f64>().is_err() {
                *kind = FieldKind::Text;
                break;
            }
        }
        if *kind != declared {
            let f = &raw.fields[i];
            notes.push(format!(
                "trường {f} khai báo kiểu số nhưng có giá trị khác, đã đọc thành {kind:?} / field {f} is declared numeric but holds other values: read as {kind:?}"
            ));
        }
    }
    let mut fields: Vec<Field> = raw
        .fields
        .iter()
        .zip(&kinds)
        .map(|(f, k)| Field::new(f, *k))
        .collect();
    let convert = |t: &str, k: FieldKind| -> Value {
        let s = t.trim();
        match k {
            _ if s.is_empty() => Value::Null,
            FieldKind::Text => Value::Text(t.to_string()),
            FieldKind::Integer => s.parse().map_or(Value::Null, Value::Integer),
            FieldKind::Real => s.parse().map_or(Value::Null, Value::Real),
        }
    };
    let named = raw.rows.iter().any(|r| r.name.is_some());
    // The placemark name is the label: a field already holding it, else a "name" field.
    let label = named
        .then(|| {
            (0..n).find(|&i| {
                raw.rows.iter().all(|r| {
                    let v = r.values.get(i).and_then(|v| v.as_deref()).map(str::trim);
                    v.unwrap_or("") == r.name.as_deref().unwrap_or("")
                })
            })
        })
        .flatten();
    let add_name = named && label.is_none() && !raw.fields.iter().any(|f| f == "name");
    if add_name {
        fields.push(Field::new("name", FieldKind::Text));
    }
    let label_field = label.or_else(|| {
        named
            .then(|| fields.iter().position(|f| f.name == "name"))
            .flatten()
    });
    let features = raw
        .rows
        .into_iter()
        .map(|row| {
            let mut values: Vec<Value> = (0..n)
                .map(|i| {
                    row.values
                        .get(i)
                        .and_then(|v| v.as_deref())
                        .map_or(Value::Null, |t| convert(t, kinds[i]))
                })
                .collect();
            if add_name {
                values.push(row.name.map_or(Value::Null, Value::Text));
            }
            Feature {
                geometry: row.geometry,
                values,
            }
        })
        .collect();
    if raw.has_z {
        notes.push(
            "độ cao (tọa độ thứ ba) đã bị bỏ qua / altitudes (third coordinate) were dropped"
                .into(),
        );
    }
    if several && raw.split {
        notes.push(format!(
            "placemark có nhiều loại hình học đã được tách theo loại (lớp {name}) / placemarks mixing geometry kinds were split by kind (layer {name})"
        ));
    }
    Layer {
        name,
        title: title.to_string(),
        kind: raw.kind,
        fields,
        features,
        srs: Some(srs::wgs84()),
        class_field: None,
        label_field,
        notes,
    }
}
