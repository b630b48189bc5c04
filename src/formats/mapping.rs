//! From a surveyor's layer to hiendat's segments and parcels: which field
//! is the map sheet, the parcel number, the owner... by the user's
//! `--field name=FIELD` pairs (or a mapping file of such lines) first, then
//! by the names Vietnamese cadastral files use (SoTo, SoThua, TenChu,
//! MaLoaiDat...), then hiendat's own export names.
//!
//! Field names match ignoring case, diacritics, spaces and underscores
//! (`Số_Thửa` matches `sothua`).

use super::layer::{FormatError, GeomKind, Geometry, Layer, Value};
use crate::campaign::{FeatureId, ParcelInput, SegmentInput, fold};
use std::collections::{HashMap, HashSet};

/// hiendat's parcel attributes and the field names that mean them.
const PARCEL_NAMES: &[(&str, &[&str])] = &[
    ("id", &["id", "parcelid", "mathua", "ma"]),
    (
        "map_sheet",
        &[
            "mapsheet",
            "soto",
            "sotobando",
            "tobando",
            "shbando",
            "sohieutobando",
            "sotobd",
        ],
    ),
    (
        "parcel_no",
        &[
            "parcelno",
            "sothua",
            "sohieuthua",
            "thuaso",
            "sothuadat",
            "label",
            "thua",
        ],
    ),
    (
        "owner",
        &[
            "owner",
            "tenchu",
            "chusudung",
            "tenchusudung",
            "chusd",
            "tenchusd",
            "hoten",
        ],
    ),
    (
        "residential_group",
        &[
            "residentialgroup",
            "resgroup",
            "todanpho",
            "tdp",
            "khupho",
            "thon",
            "to",
        ],
    ),
    (
        "land_use",
        &[
            "landuse",
            "maloaidat",
            "loaidat",
            "mucdichsudung",
            "kyhieumucdich",
            "mucdich",
            "mdsd",
        ],
    ),
    (
        "area",
        &["dientich", "dientichphaply", "area", "legalaream2", "dtich"],
    ),
];

/// hiendat's segment attributes and the field names that mean them.
const SEGMENT_NAMES: &[(&str, &[&str])] = &[
    ("id", &["id", "segmentid", "madoan", "ma"]),
    ("name", &["name", "ten", "tenduong", "tendoan", "duong"]),
    (
        "current_width_m",
        &[
            "currentwidthm",
            "curwm",
            "currentwidth",
            "ronghientai",
            "mathientai",
        ],
    ),
    (
        "planned_width_m",
        &[
            "plannedwidthm",
            "planwm",
            "plannedwidth",
            "logioi",
            "rongquyhoach",
            "chigioi",
        ],
    ),
    (
        "planned_left_m",
        &["plannedleftm", "planlm", "logioitrai", "bentrai"],
    ),
    (
        "planned_right_m",
        &["plannedrightm", "planrm", "logioiphai", "benphai"],
    ),
];

/// The user's choices: hiendat attribute → the file's field name.
#[derive(Debug, Clone, Default)]
pub struct FieldMap(Vec<(String, String)>);

impl FieldMap {
    /// From `name=FIELD` pairs (flags) and the lines of a mapping file
    /// (same form; `#` starts a comment; blank lines skipped).
    pub fn parse<'a>(pairs: impl IntoIterator<Item = &'a str>) -> Result<FieldMap, String> {
        let known: HashSet<&str> = PARCEL_NAMES
            .iter()
            .chain(SEGMENT_NAMES)
            .map(|(n, _)| *n)
            .collect();
        let mut out = Vec::new();
        for raw in pairs {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let (k, v) = line.split_once('=').ok_or_else(|| {
                format!("--field {line:?}: cần dạng tên=TRƯỜNG / expected name=FIELD, e.g. parcel_no=SoThua")
            })?;
            let (k, v) = (k.trim(), v.trim());
            if !known.contains(k) {
                let mut names: Vec<&str> = known.into_iter().collect();
                names.sort();
                return Err(format!(
                    "--field {k}: không phải thuộc tính của hiendat / not a hiendat attribute ({})",
                    names.join(", ")
                ));
            }
            out.push((k.to_string(), v.to_string()));
        }
        Ok(FieldMap(out))
    }
}

/// Which field of `layer` holds each attribute, and a line saying so.
fn resolve(
    layer: &Layer,
    names: &[(&'static str, &[&str])],
    map: &FieldMap,
) -> Result<(HashMap<&'static str, usize>, String), FormatError> {
    let folded: Vec<String> = layer.fields.iter().map(|f| fold(&f.name)).collect();
    let mut out = HashMap::new();
    for (attr, aliases) in names {
        let chosen = map.0.iter().find(|(k, _)| k == attr);
        let i = match chosen {
            Some((_, field)) => Some(layer.field(field).ok_or_else(|| {
                FormatError::invalid(format!(
                    "{}: không có trường {field:?} cho {attr} / no field {field:?} for {attr}; fields: {}",
                    layer.name,
                    layer.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")
                ))
            })?),
            None => aliases
                .iter()
                .find_map(|a| folded.iter().position(|f| f == a)),
        };
        if let Some(i) = i {
            out.insert(*attr, i);
        }
    }
    let mut used: Vec<(&str, usize)> = out.iter().map(|(k, v)| (*k, *v)).collect();
    used.sort_by_key(|(_, i)| *i);
    let said = used
        .iter()
        .map(|(k, i)| format!("{k} ← {}", layer.fields[*i].name))
        .collect::<Vec<_>>()
        .join(", ");
    Ok((out, format!("{}: {said}", layer.name)))
}

/// An id from a cell: a plain integer (however typed) as a number id,
/// other text as a text id.
fn feature_id(v: &Value) -> Option<FeatureId> {
    match v {
        Value::Integer(n) => Some(FeatureId::from(*n)),
        Value::Real(x) if x.fract() == 0.0 && x.abs() < 9e15 => Some(FeatureId::from(*x as i64)),
        _ => {
            let t = v.as_text()?;
            let plain = !t.is_empty()
                && t.bytes().all(|b| b.is_ascii_digit())
                && (t.len() == 1 || !t.starts_with('0'));
            Some(if plain {
                FeatureId::Number(t.into_owned())
            } else {
                FeatureId::Text(t.into_owned())
            })
        }
    }
}

fn text_of(f: &[Value], i: Option<&usize>) -> Option<String> {
    i.and_then(|&i| f.get(i))
        .and_then(|v| v.as_text())
        .map(|t| t.into_owned())
}

/// What a mapping produced, and what the user should be told.
#[derive(Debug)]
pub struct Mapped<T> {
    pub features: Vec<T>,
    pub notes: Vec<String>,
    /// The ids are the features' positions 1..N (the file has no id field,
    /// nor usable parcel numbers): they name nothing outside the file.
    pub ids_are_positions: bool,
}

fn need(layer: &Layer, kind: GeomKind, what: &str) -> Result<(), FormatError> {
    if layer.kind == kind {
        return Ok(());
    }
    let got = match layer.kind {
        GeomKind::Point => "điểm / points",
        GeomKind::Line => "đường / lines",
        GeomKind::Polygon => "vùng / polygons",
    };
    Err(FormatError::invalid(format!(
        "lớp {} chứa {got}, không dùng làm {what} được / layer {} holds {got}, not usable as {what}",
        layer.name, layer.name
    )))
}

/// Parcels from a polygon layer in WGS84 lon/lat. Without an id field, the
/// id is `map_sheet-parcel_no` when those are unique together, else the
/// parcel number when unique, else the feature's position (said in a note).
pub fn parcels(layer: &Layer, map: &FieldMap) -> Result<Mapped<ParcelInput>, FormatError> {
    need(layer, GeomKind::Polygon, "thửa đất / parcels")?;
    let (ix, said) = resolve(layer, PARCEL_NAMES, map)?;
    let mut notes = vec![format!("trường / fields {said}")];
    let mut ids_are_positions = false;
    let ids: Vec<FeatureId> = match ix.get("id") {
        Some(&i) => layer
            .features
            .iter()
            .enumerate()
            .map(|(k, f)| {
                f.values.get(i).and_then(feature_id).ok_or_else(|| {
                    FormatError::invalid(format!(
                        "{}: đối tượng {} không có mã ({}) / feature {} has no id ({})",
                        layer.name,
                        k + 1,
                        layer.fields[i].name,
                        k + 1,
                        layer.fields[i].name
                    ))
                })
            })
            .collect::<Result<_, _>>()?,
        None => {
            let sheet_no: Vec<Option<String>> = layer
                .features
                .iter()
                .map(|f| {
                    let no = text_of(&f.values, ix.get("parcel_no"))?;
                    Some(match text_of(&f.values, ix.get("map_sheet")) {
                        Some(s) => format!("{s}-{no}"),
                        None => no,
                    })
                })
                .collect();
            let unique = sheet_no.iter().all(Option::is_some)
                && sheet_no.iter().collect::<HashSet<_>>().len() == sheet_no.len();
            if unique {
                notes.push(format!(
                    "{}: không có trường mã, dùng tờ-thửa làm mã / no id field: ids are map sheet-parcel number",
                    layer.name
                ));
                sheet_no
                    .into_iter()
                    .flatten()
                    .map(FeatureId::Text)
                    .collect()
            } else {
                notes.push(format!(
                    "{}: không có trường mã và số thửa trùng, dùng số thứ tự làm mã / no id field and parcel numbers repeat: ids are feature positions 1..{} (use --field id=FIELD)",
                    layer.name,
                    layer.features.len()
                ));
                ids_are_positions = true;
                (1..=layer.features.len() as i64)
                    .map(FeatureId::from)
                    .collect()
            }
        }
    };
    let mut area_off = Vec::new();
    let mut out = Vec::with_capacity(layer.features.len());
    for (f, id) in layer.features.iter().zip(ids) {
        let Geometry::Polygons(polygons) = &f.geometry else {
            continue;
        };
        if let Some(declared) = ix
            .get("area")
            .and_then(|&i| f.values.get(i))
            .and_then(Value::as_f64)
        {
            area_off.push((id.clone(), declared));
        }
        out.push(ParcelInput {
            id,
            map_sheet: text_of(&f.values, ix.get("map_sheet")),
            parcel_no: text_of(&f.values, ix.get("parcel_no")),
            owner: text_of(&f.values, ix.get("owner")),
            residential_group: text_of(&f.values, ix.get("residential_group")),
            land_use: text_of(&f.values, ix.get("land_use")),
            polygons: polygons.clone(),
        });
    }
    if !area_off.is_empty() {
        notes.push(format!(
            "{}: diện tích ghi trong tệp ({}) chỉ để đối chiếu; hiendat đo trên hình / the file's area field ({}) is for reference only; hiendat measures the geometry",
            layer.name,
            layer.fields[ix["area"]].name,
            layer.fields[ix["area"]].name
        ));
    }
    Ok(Mapped {
        features: out,
        notes,
        ids_are_positions,
    })
}

/// Road segments from a line layer in WGS84 lon/lat.
pub fn segments(layer: &Layer, map: &FieldMap) -> Result<Mapped<SegmentInput>, FormatError> {
    need(layer, GeomKind::Line, "đoạn tuyến / segments")?;
    let (ix, said) = resolve(layer, SEGMENT_NAMES, map)?;
    let notes = vec![format!("trường / fields {said}")];
    let id_field = ix.get("id").copied();
    let mut out = Vec::with_capacity(layer.features.len());
    for (k, f) in layer.features.iter().enumerate() {
        let Geometry::Lines(lines) = &f.geometry else {
            continue;
        };
        let id = match id_field {
            Some(i) => f.values.get(i).and_then(feature_id).ok_or_else(|| {
                FormatError::invalid(format!(
                    "{}: đối tượng {} không có mã / feature {} has no id",
                    layer.name,
                    k + 1,
                    k + 1
                ))
            })?,
            None => FeatureId::from(k as i64 + 1),
        };
        let num = |attr: &str| -> Result<Option<f64>, FormatError> {
            let Some(v) = ix.get(attr).and_then(|&i| f.values.get(i)) else {
                return Ok(None);
            };
            if v.as_text().is_none() {
                return Ok(None);
            }
            v.as_f64().map(Some).ok_or_else(|| {
                FormatError::invalid(format!(
                    "{}: đoạn {id}, trường {}: {v:?} không phải số / segment {id}, field {}: not a number",
                    layer.name,
                    layer.fields[ix[attr]].name,
                    layer.fields[ix[attr]].name
                ))
            })
        };
        out.push(SegmentInput {
            name: text_of(&f.values, ix.get("name")).unwrap_or_else(|| id.to_string()),
            current_width_m: num("current_width_m")?,
            planned_width_m: num("planned_width_m")?,
            planned_left_m: num("planned_left_m")?,
            planned_right_m: num("planned_right_m")?,
            lines: lines.clone(),
            id,
        });
    }
    Ok(Mapped {
        features: out,
        notes,
        ids_are_positions: id_field.is_none(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::layer::{Feature, Field, FieldKind};

    fn square() -> Geometry {
        Geometry::Polygons(vec![vec![vec![
            [105.8, 19.5],
            [105.8001, 19.5],
            [105.8001, 19.5001],
            [105.8, 19.5],
        ]]])
    }

    fn cadastral() -> Layer {
        let mut l = Layer::new(
            "thua",
            "thua",
            GeomKind::Polygon,
            vec![
                Field::new("SoTo", FieldKind::Integer),
                Field::new("Số_Thửa", FieldKind::Text),
                Field::new("TenChu", FieldKind::Text),
                Field::new("MaLoaiDat", FieldKind::Text),
                Field::new("DienTich", FieldKind::Real),
                Field::new("GhiChu", FieldKind::Text),
            ],
        );
        for (no, owner) in [("12", "Nguyễn Văn An"), ("13", "Lê Thị Hoa")] {
            l.features.push(Feature {
                geometry: square(),
                values: vec![
                    Value::Integer(7),
                    Value::Text(no.into()),
                    Value::Text(owner.into()),
                    Value::Text("ODT".into()),
                    Value::Real(120.5),
                    Value::Null,
                ],
            });
        }
        l
    }

    #[test]
    fn vietnamese_cadastral_field_names_map_by_default() {
        let m = parcels(&cadastral(), &FieldMap::default()).unwrap();
        let p = &m.features[1];
        assert_eq!(p.id, FeatureId::Text("7-13".into()));
        assert_eq!(p.map_sheet.as_deref(), Some("7"));
        assert_eq!(p.parcel_no.as_deref(), Some("13"));
        assert_eq!(p.owner.as_deref(), Some("Lê Thị Hoa"));
        assert_eq!(p.land_use.as_deref(), Some("ODT"));
        assert!(m.notes[0].contains("parcel_no ← Số_Thửa"), "{:?}", m.notes);
        assert!(m.notes.iter().any(|n| n.contains("DienTich")));
    }

    #[test]
    fn the_users_pairs_win_and_unknown_names_are_refused() {
        let map =
            FieldMap::parse(["owner = GhiChu # chủ ở cột ghi chú", "", "id=Số_Thửa"]).unwrap();
        let m = parcels(&cadastral(), &map).unwrap();
        assert_eq!(m.features[0].owner, None);
        assert_eq!(m.features[0].id, FeatureId::Number("12".into()));
        let e = FieldMap::parse(["chu=TenChu"]).unwrap_err();
        assert!(e.contains("parcel_no"), "{e}");
        assert!(FieldMap::parse(["parcel_no"]).is_err());
        let e = parcels(&cadastral(), &FieldMap::parse(["owner=Chu"]).unwrap()).unwrap_err();
        assert!(e.to_string().contains("\"Chu\""), "{e}");
    }

    #[test]
    fn repeated_parcel_numbers_fall_back_to_positions() {
        let mut l = cadastral();
        l.fields.remove(0);
        for f in &mut l.features {
            f.values.remove(0);
            f.values[0] = Value::Text("5".into());
        }
        let m = parcels(&l, &FieldMap::default()).unwrap();
        assert_eq!(m.features[1].id, FeatureId::from(2));
        assert!(m.notes.iter().any(|n| n.contains("--field id=")));
    }

    #[test]
    fn segments_read_widths_and_refuse_text_in_them() {
        let mut l = Layer::new(
            "duong",
            "duong",
            GeomKind::Line,
            vec![
                Field::new("TenDuong", FieldKind::Text),
                Field::new("LoGioi", FieldKind::Text),
                Field::new("plan_l_m", FieldKind::Real),
            ],
        );
        l.features.push(Feature {
            geometry: Geometry::Lines(vec![vec![[105.8, 19.5], [105.81, 19.5]]]),
            values: vec![
                Value::Text("Trường Thi".into()),
                Value::Text("13,5".into()),
                Value::Real(6.0),
            ],
        });
        let s = &segments(&l, &FieldMap::default()).unwrap().features[0];
        assert_eq!(s.id, FeatureId::from(1));
        assert_eq!(s.name, "Trường Thi");
        assert_eq!(s.planned_width_m, Some(13.5));
        assert_eq!(s.planned_left_m, Some(6.0));
        l.features[0].values[1] = Value::Text("rộng".into());
        let e = segments(&l, &FieldMap::default()).err().unwrap();
        assert!(e.to_string().contains("LoGioi"), "{e}");
        assert!(
            parcels(&l, &FieldMap::default()).is_err(),
            "lines are not parcels"
        );
    }
}
