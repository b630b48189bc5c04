//! From raw members to the campaign input types.

use super::*;

/// The text of a JSON string value, unescaped; `None` if it is not valid
/// UTF-8 or has a bad escape.
pub(super) fn string_of(raw: &[u8]) -> Option<String> {
    let inner = &raw[1..raw.len() - 1];
    if memchr::memchr(b'\\', inner).is_none() {
        std::str::from_utf8(inner).ok().map(str::to_string)
    } else {
        serde_json::from_slice::<String>(raw).ok()
    }
}

/// Raw text known to be ASCII (a number, a literal).
pub(super) fn ascii(raw: &[u8]) -> String {
    std::str::from_utf8(raw)
        .map_or_else(|_| String::from_utf8_lossy(raw).into_owned(), str::to_owned)
}

pub(super) fn kind_of(raw: &[u8]) -> JsonKind {
    JsonKind::of_first_byte(raw[0])
}

/// A number or string id, numbers kept as written.
pub(super) fn id_of(raw: &[u8]) -> Result<FeatureId, ProblemKind> {
    match kind_of(raw) {
        JsonKind::Number => Ok(FeatureId::Number(ascii(raw))),
        JsonKind::Text => string_of(raw)
            .map(FeatureId::Text)
            .ok_or(ProblemKind::BadText),
        other => Err(ProblemKind::WrongType {
            expected: Expected::NumberOrText,
            found: other,
        }),
    }
}

/// The feature's id: `properties.id`, else the feature's own `id`.
pub(super) fn feature_id(
    f: &RawFeature<'_>,
    found: &mut Problems,
    required: bool,
) -> Option<FeatureId> {
    let Some(raw) = f.props.id.or(f.id) else {
        if required {
            found.push("id", ProblemKind::MissingField);
        }
        return None;
    };
    match id_of(raw) {
        Ok(id) => Some(id),
        Err(kind) => {
            found.push("id", kind);
            None
        }
    }
}

/// A text property: strings unescaped, numbers as written.
pub(super) fn text_prop(
    raw: Option<&[u8]>,
    field: &'static str,
    found: &mut Problems,
) -> Option<String> {
    let raw = raw?;
    let kind = match kind_of(raw) {
        JsonKind::Text => match string_of(raw) {
            Some(s) => return Some(s),
            None => ProblemKind::BadText,
        },
        JsonKind::Number => return Some(ascii(raw)),
        other => ProblemKind::WrongType {
            expected: Expected::NumberOrText,
            found: other,
        },
    };
    found.push(field, kind);
    None
}

/// A numeric property: numbers, or strings holding a number ("10.5", also
/// "10,5" with a decimal comma); an empty string is absent.
pub(super) fn number_prop(
    raw: Option<&[u8]>,
    field: &'static str,
    found: &mut Problems,
) -> Option<f64> {
    let raw = raw?;
    let text = match kind_of(raw) {
        JsonKind::Number => ascii(raw),
        JsonKind::Text => match string_of(raw) {
            Some(s) => s,
            None => {
                found.push(field, ProblemKind::BadText);
                return None;
            }
        },
        other => {
            found.push(
                field,
                ProblemKind::WrongType {
                    expected: Expected::Number,
                    found: other,
                },
            );
            return None;
        }
    };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return None;
    }
    let parsed = trimmed.parse::<f64>().ok().or_else(|| {
        if trimmed.contains('.') {
            None
        } else {
            trimmed.replacen(',', ".", 1).parse().ok()
        }
    });
    match parsed {
        Some(v) if v.is_finite() => Some(v),
        _ => {
            found.push(field, ProblemKind::NotANumber { text });
            None
        }
    }
}

/// Checks `type` and `properties` shared by all layers; returns the id
/// (`properties.id`, else the feature's `id`), which may be `required`.
pub(super) fn common(
    f: &RawFeature<'_>,
    found: &mut Problems,
    required: bool,
) -> Option<FeatureId> {
    if let Some(kind) = f.kind
        && kind != b"\"Feature\""
    {
        found.push(
            "type",
            ProblemKind::NotAFeature {
                found: String::from_utf8_lossy(kind).into_owned(),
            },
        );
    }
    if let Some(k) = f.props_not_object {
        found.push(
            "properties",
            ProblemKind::WrongType {
                expected: Expected::Object,
                found: k,
            },
        );
    }
    feature_id(f, found, required)
}

/// `Some(())` when the feature had no problem; else keeps its id for the
/// problem reports.
pub(super) fn clean(found: &mut Problems, id: &mut Option<FeatureId>) -> Option<()> {
    if found.list.is_empty() {
        Some(())
    } else {
        found.id = id.take();
        None
    }
}

/// The geometry's type (as written, unquoted) and coordinates, or a problem.
pub(super) fn geometry(
    f: &mut RawFeature<'_>,
    found: &mut Problems,
    accepted: &'static [&'static str],
) -> Option<(String, AnyCoords)> {
    match std::mem::take(&mut f.geometry) {
        GeometrySlot::Null => {
            found.push("geometry", ProblemKind::NoGeometry);
            None
        }
        GeometrySlot::NotObject(k) => {
            found.push(
                "geometry",
                ProblemKind::WrongType {
                    expected: Expected::Object,
                    found: k,
                },
            );
            None
        }
        GeometrySlot::Geometry { kind, coords } => {
            let Some(kind) = kind else {
                found.push("geometry.type", ProblemKind::MissingField);
                return None;
            };
            let name = match kind_of(kind) {
                JsonKind::Text => string_of(kind).unwrap_or_default(),
                _ => String::from_utf8_lossy(kind).into_owned(),
            };
            if !accepted.contains(&name.as_str()) {
                found.push(
                    "geometry.type",
                    ProblemKind::WrongGeometryType {
                        found: name,
                        expected: accepted,
                    },
                );
                return None;
            }
            match coords {
                None => {
                    found.push(
                        "geometry.coordinates",
                        ProblemKind::BadCoordinates(CoordProblem::Missing),
                    );
                    None
                }
                Some(AnyCoords::Bad(why)) => {
                    found.push("geometry.coordinates", ProblemKind::BadCoordinates(why));
                    None
                }
                Some(c) => Some((name, c)),
            }
        }
    }
}

pub(super) fn nesting(found: &mut Problems) {
    found.push(
        "geometry.coordinates",
        ProblemKind::BadCoordinates(CoordProblem::WrongNesting),
    );
}

pub(super) const LINE_TYPES: &[&str] = &["LineString", "MultiLineString"];
pub(super) const AREA_TYPES: &[&str] = &["Polygon", "MultiPolygon"];

pub(super) fn lines_of(
    kind: &str,
    coords: AnyCoords,
    found: &mut Problems,
) -> Option<Vec<Vec<[f64; 2]>>> {
    use AnyCoords as C;
    let multi = kind == "MultiLineString";
    let lines = match (multi, coords) {
        (false, C::L1(l)) => vec![l],
        (false, C::Empty) => vec![Vec::new()],
        (true, C::L2(ls)) => ls,
        (true, C::Empty) => Vec::new(),
        (true, C::Empties(n)) => vec![Vec::new(); n],
        _ => {
            nesting(found);
            return None;
        }
    };
    Some(lines)
}

pub(super) type Polygons = Vec<Vec<Vec<[f64; 2]>>>;

pub(super) fn polygons_of(kind: &str, coords: AnyCoords, found: &mut Problems) -> Option<Polygons> {
    use AnyCoords as C;
    let multi = kind == "MultiPolygon";
    let polygons = match (multi, coords) {
        (false, C::L2(rings)) => vec![rings],
        (false, C::Empties(n)) => vec![vec![Vec::new(); n]],
        (false, C::Empty) => vec![Vec::new()],
        (true, C::L3(polys)) => polys,
        (true, C::Empties(n)) => vec![Vec::new(); n],
        (true, C::Empty) => Vec::new(),
        _ => {
            nesting(found);
            return None;
        }
    };
    Some(polygons)
}

pub(super) fn build_segment(mut f: RawFeature<'_>, found: &mut Problems) -> Option<SegmentInput> {
    let mut id = common(&f, found, true);
    let p = &f.props;
    let name = text_prop(p.name, "name", found);
    let current_width_m = number_prop(p.current_width_m, "current_width_m", found);
    let planned_width_m = number_prop(p.planned_width_m, "planned_width_m", found);
    let planned_left_m = number_prop(p.planned_left_m, "planned_left_m", found);
    let planned_right_m = number_prop(p.planned_right_m, "planned_right_m", found);
    let lines = geometry(&mut f, found, LINE_TYPES).and_then(|(k, c)| lines_of(&k, c, found));
    clean(found, &mut id)?;
    Some(SegmentInput {
        id: id?,
        name: name.unwrap_or_default(),
        current_width_m,
        planned_width_m,
        planned_left_m,
        planned_right_m,
        lines: lines?,
    })
}

pub(super) fn build_parcel(mut f: RawFeature<'_>, found: &mut Problems) -> Option<ParcelInput> {
    let mut id = common(&f, found, true);
    let p = &f.props;
    let map_sheet = text_prop(p.map_sheet, "map_sheet", found);
    let parcel_no = text_prop(p.parcel_no, "parcel_no", found);
    let owner = text_prop(p.owner, "owner", found);
    let residential_group = text_prop(p.residential_group, "residential_group", found);
    let land_use = text_prop(p.land_use, "land_use", found);
    let polygons = geometry(&mut f, found, AREA_TYPES).and_then(|(k, c)| polygons_of(&k, c, found));
    clean(found, &mut id)?;
    Some(ParcelInput {
        id: id?,
        map_sheet,
        parcel_no,
        owner,
        residential_group,
        land_use,
        polygons: polygons?,
    })
}

pub(super) fn build_corridor(mut f: RawFeature<'_>, found: &mut Problems) -> Option<CorridorInput> {
    let feature_id = common(&f, found, false);
    let segment_id = match f.props.segment_id.map(id_of) {
        Some(Ok(id)) => Some(id),
        Some(Err(kind)) => {
            found.push("segment_id", kind);
            None
        }
        None => {
            found.push("segment_id", ProblemKind::MissingField);
            None
        }
    };
    let polygons = geometry(&mut f, found, AREA_TYPES).and_then(|(k, c)| polygons_of(&k, c, found));
    if !found.list.is_empty() {
        // Name a corridor without its own id by its segment's.
        found.id = feature_id.or(segment_id);
        return None;
    }
    Some(CorridorInput {
        feature_id,
        segment_id: segment_id?,
        polygons: polygons?,
    })
}
