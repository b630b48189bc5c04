//! The reader's errors, each worded in Vietnamese and English.

use super::*;

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReadError {
    /// The bytes are not JSON (or are cut short). Line and column as
    /// `serde_json` reports them (1-based).
    #[error(
        "tệp không phải JSON hợp lệ (dòng {line}, cột {column}): {message} / \
         the file is not valid JSON (line {line}, column {column}): {message}"
    )]
    NotJson {
        line: usize,
        column: usize,
        message: String,
    },
    /// Valid JSON, but not a GeoJSON `FeatureCollection`.
    #[error(
        "tệp không phải GeoJSON FeatureCollection (dòng {line}, cột {column}): {} / \
         the file is not a GeoJSON FeatureCollection (line {line}, column {column}): {}",
        .reason.vi(), .reason.en()
    )]
    NotFeatureCollection {
        line: usize,
        column: usize,
        reason: NotCollection,
    },
    /// Every feature that could not be read, in file order.
    #[error("{}", ProblemList(.0))]
    Features(Vec<FeatureProblem>),
}

/// Why a JSON document is not a `FeatureCollection`.
#[derive(Debug, Clone, PartialEq)]
pub enum NotCollection {
    /// The top-level value is not an object.
    NotAnObject(JsonKind),
    /// `type` is absent.
    MissingType,
    /// `type` is something else (as written in the file).
    WrongType(String),
    /// There is no `features` member.
    MissingFeatures,
    /// `features` is not an array.
    FeaturesNotArray(JsonKind),
    /// `features` appears twice.
    DuplicateFeatures,
}

impl NotCollection {
    fn vi(&self) -> String {
        match self {
            NotCollection::NotAnObject(k) => {
                format!("giá trị gốc là {}, không phải đối tượng", k.vi())
            }
            NotCollection::MissingType => "thiếu trường 'type'".into(),
            NotCollection::WrongType(t) => format!("'type' là {t}, cần \"FeatureCollection\""),
            NotCollection::MissingFeatures => "thiếu trường 'features'".into(),
            NotCollection::FeaturesNotArray(k) => {
                format!("'features' là {}, không phải mảng", k.vi())
            }
            NotCollection::DuplicateFeatures => "trường 'features' xuất hiện hai lần".into(),
        }
    }

    fn en(&self) -> String {
        match self {
            NotCollection::NotAnObject(k) => {
                format!("the top-level value is {}, not an object", k.en())
            }
            NotCollection::MissingType => "missing field 'type'".into(),
            NotCollection::WrongType(t) => format!("'type' is {t}, expected \"FeatureCollection\""),
            NotCollection::MissingFeatures => "missing field 'features'".into(),
            NotCollection::FeaturesNotArray(k) => format!("'features' is {}, not an array", k.en()),
            NotCollection::DuplicateFeatures => "field 'features' appears twice".into(),
        }
    }
}

/// One feature that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureProblem {
    /// Position in the `features` array, counted from 0.
    pub index: usize,
    /// The feature's id, when it could be read.
    pub id: Option<FeatureId>,
    /// The member at fault: a property name (`planned_width_m`), `id`,
    /// `geometry`, `geometry.type`, `geometry.coordinates`, or empty for the
    /// feature as a whole.
    pub field: String,
    /// What is wrong, in English (the Vietnamese text is in `Display`).
    pub message: String,
    /// What is wrong, typed.
    pub kind: ProblemKind,
}

impl FeatureProblem {
    pub(super) fn new(index: usize, id: Option<FeatureId>, field: &str, kind: ProblemKind) -> Self {
        let message = kind.en(field);
        FeatureProblem {
            index,
            id,
            field: field.to_string(),
            message,
            kind,
        }
    }
}

impl fmt::Display for FeatureProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = match &self.id {
            Some(id) => format!(" (id {id})"),
            None => String::new(),
        };
        write!(
            f,
            "đối tượng #{i}{id}: {vi} / feature #{i}{id}: {en}",
            i = self.index,
            vi = self.kind.vi(&self.field),
            en = self.message,
        )
    }
}

/// The kinds of problem a single feature can have.
#[derive(Debug, Clone, PartialEq)]
pub enum ProblemKind {
    /// A required member is absent or null.
    MissingField,
    /// A member holds the wrong JSON type.
    WrongType { expected: Expected, found: JsonKind },
    /// A numeric member holds a string that is not a number.
    NotANumber { text: String },
    /// A string is not valid UTF-8 or has a bad escape.
    BadText,
    /// The element of `features` is not an object.
    NotAnObject { found: JsonKind },
    /// The feature's `type` is not `"Feature"` (as written).
    NotAFeature { found: String },
    /// `geometry` is null or absent.
    NoGeometry,
    /// The geometry type is not one this layer accepts.
    WrongGeometryType {
        found: String,
        expected: &'static [&'static str],
    },
    /// The coordinates are not arrays of numbers nested as the type needs.
    BadCoordinates(CoordProblem),
    /// The feature is not well-formed JSON.
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
}

impl ProblemKind {
    fn vi(&self, field: &str) -> String {
        match self {
            ProblemKind::MissingField => format!("thiếu trường '{field}'"),
            ProblemKind::WrongType { expected, found } => {
                format!(
                    "trường '{field}' phải là {}, không phải {}",
                    expected.vi(),
                    found.vi()
                )
            }
            ProblemKind::NotANumber { text } => {
                format!("trường '{field}' không phải số: {text:?}")
            }
            ProblemKind::BadText => {
                format!("trường '{field}' có chuỗi sai (không phải UTF-8 hoặc ký tự thoát sai)")
            }
            ProblemKind::NotAnObject { found } => {
                format!("không phải đối tượng Feature mà là {}", found.vi())
            }
            ProblemKind::NotAFeature { found } => {
                format!("'type' là {found}, cần \"Feature\"")
            }
            ProblemKind::NoGeometry => "không có hình học (geometry rỗng hoặc thiếu)".into(),
            ProblemKind::WrongGeometryType { found, expected } => format!(
                "kiểu hình học '{found}' không dùng được, cần {}",
                expected.join(" hoặc ")
            ),
            ProblemKind::BadCoordinates(p) => format!("tọa độ sai: {}", p.vi()),
            ProblemKind::Syntax {
                line,
                column,
                message,
            } => format!("JSON sai cú pháp (dòng {line}, cột {column}): {message}"),
        }
    }

    pub(super) fn en(&self, field: &str) -> String {
        match self {
            ProblemKind::MissingField => format!("missing field '{field}'"),
            ProblemKind::WrongType { expected, found } => {
                format!(
                    "field '{field}' must be {}, not {}",
                    expected.en(),
                    found.en()
                )
            }
            ProblemKind::NotANumber { text } => {
                format!("field '{field}' is not a number: {text:?}")
            }
            ProblemKind::BadText => {
                format!("field '{field}' holds a bad string (not UTF-8, or a bad escape)")
            }
            ProblemKind::NotAnObject { found } => {
                format!("is {}, not a Feature object", found.en())
            }
            ProblemKind::NotAFeature { found } => {
                format!("'type' is {found}, expected \"Feature\"")
            }
            ProblemKind::NoGeometry => "has no geometry (geometry is null or missing)".into(),
            ProblemKind::WrongGeometryType { found, expected } => format!(
                "geometry type '{found}' is not accepted, expected {}",
                expected.join(" or ")
            ),
            ProblemKind::BadCoordinates(p) => format!("bad coordinates: {}", p.en()),
            ProblemKind::Syntax {
                line,
                column,
                message,
            } => format!("malformed JSON (line {line}, column {column}): {message}"),
        }
    }
}

/// What a member should have held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    Number,
    NumberOrText,
    Object,
}

impl Expected {
    fn vi(self) -> &'static str {
        match self {
            Expected::Number => "một số",
            Expected::NumberOrText => "một số hoặc một chuỗi",
            Expected::Object => "một đối tượng",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Expected::Number => "a number",
            Expected::NumberOrText => "a number or a string",
            Expected::Object => "an object",
        }
    }
}

/// The JSON type of a value that was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    Null,
    Bool,
    Number,
    Text,
    Array,
    Object,
}

impl JsonKind {
    pub(super) fn of_first_byte(b: u8) -> JsonKind {
        match b {
            b'"' => JsonKind::Text,
            b'{' => JsonKind::Object,
            b'[' => JsonKind::Array,
            b't' | b'f' => JsonKind::Bool,
            b'n' => JsonKind::Null,
            _ => JsonKind::Number,
        }
    }

    fn vi(self) -> &'static str {
        match self {
            JsonKind::Null => "null",
            JsonKind::Bool => "giá trị đúng/sai",
            JsonKind::Number => "một số",
            JsonKind::Text => "một chuỗi",
            JsonKind::Array => "một mảng",
            JsonKind::Object => "một đối tượng",
        }
    }

    fn en(self) -> &'static str {
        match self {
            JsonKind::Null => "null",
            JsonKind::Bool => "a boolean",
            JsonKind::Number => "a number",
            JsonKind::Text => "a string",
            JsonKind::Array => "an array",
            JsonKind::Object => "an object",
        }
    }
}

/// What is wrong with a `coordinates` member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoordProblem {
    /// `coordinates` is absent or null.
    Missing,
    /// A coordinate is not a number (a string, `true`, an object...).
    NotNumber,
    /// A position has fewer than two numbers.
    ShortPosition,
    /// Arrays are nested unevenly, or not as deep as the geometry type needs.
    WrongNesting,
}

impl CoordProblem {
    fn vi(self) -> &'static str {
        match self {
            CoordProblem::Missing => "thiếu 'coordinates'",
            CoordProblem::NotNumber => "có tọa độ không phải số",
            CoordProblem::ShortPosition => "có điểm ít hơn hai số",
            CoordProblem::WrongNesting => "các mảng lồng nhau không đúng với kiểu hình học",
        }
    }

    fn en(self) -> &'static str {
        match self {
            CoordProblem::Missing => "'coordinates' is missing",
            CoordProblem::NotNumber => "a coordinate is not a number",
            CoordProblem::ShortPosition => "a position has fewer than two numbers",
            CoordProblem::WrongNesting => "arrays are not nested as the geometry type requires",
        }
    }
}

pub(super) struct ProblemList<'a>(&'a [FeatureProblem]);

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            [one] => write!(f, "{one}"),
            all => {
                let n = all.len();
                write!(f, "{n} đối tượng có lỗi / {n} features have problems:")?;
                for p in all {
                    write!(f, "\n  {p}")?;
                }
                Ok(())
            }
        }
    }
}
