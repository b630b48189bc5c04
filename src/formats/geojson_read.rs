//! Fast RFC 7946 GeoJSON reading into campaign input types.
//!
//! A ward's parcel file can hold a million features (~400 MB), so the reader
//! never builds a `serde_json::Value` tree. Instead:
//!
//! 1. one sequential pass ([`scan`]) finds the top-level `features` array and
//!    the byte range of each feature, tracking only strings (and their
//!    escapes) and braces, jumping between them with `memchr`;
//! 2. as ranges are found they are handed, in batches, to rayon workers that
//!    parse each feature with `serde_json` into borrowed, purpose-built
//!    visitors (coordinates straight into `Vec<[f64; 2]>`, properties as raw
//!    slices interpreted on demand, unknown members skipped);
//! 3. the batches are put back in file order.
//!
//! Problems are collected, not thrown: every feature that cannot be read
//! is named in [`ReadError::Features`] with its position and id. A file that
//! is not JSON, or not a `FeatureCollection`, is a single top-level error
//! carrying the line and column.
//!
//! Geometry is read faithfully (rings exactly as written, closing point
//! included); its shape is checked by [`crate::geometry::validate`].

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::sync::Mutex;

use memchr::{memchr2, memchr3};
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::campaign::{CorridorInput, FeatureId, ParcelInput, SegmentInput};

/// Reads road segments: `properties.id`, `name`, `current_width_m`,
/// `planned_width_m`, `planned_left_m`, `planned_right_m`; geometry
/// `LineString` or `MultiLineString`.
pub fn read_segments(bytes: &[u8]) -> Result<Vec<SegmentInput>, ReadError> {
    read_layer(bytes, build_segment)
}

/// Reads land parcels: `properties.id`, `map_sheet`, `parcel_no`, `owner`,
/// `residential_group`, `land_use`; geometry `Polygon` or `MultiPolygon`.
pub fn read_parcels(bytes: &[u8]) -> Result<Vec<ParcelInput>, ReadError> {
    read_layer(bytes, build_parcel)
}

/// Reads planned right-of-way polygons: `properties.segment_id` (required),
/// optional own `id`; geometry `Polygon` or `MultiPolygon`.
pub fn read_corridors(bytes: &[u8]) -> Result<Vec<CorridorInput>, ReadError> {
    read_layer(bytes, build_corridor)
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

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
    fn new(index: usize, id: Option<FeatureId>, field: &str, kind: ProblemKind) -> Self {
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

    fn en(&self, field: &str) -> String {
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
    Text,
    NumberOrText,
    Object,
}

impl Expected {
    fn vi(self) -> &'static str {
        match self {
            Expected::Number => "một số",
            Expected::Text => "một chuỗi",
            Expected::NumberOrText => "một số hoặc một chuỗi",
            Expected::Object => "một đối tượng",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Expected::Number => "a number",
            Expected::Text => "a string",
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
    fn of_first_byte(b: u8) -> JsonKind {
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

struct ProblemList<'a>(&'a [FeatureProblem]);

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

// ---------------------------------------------------------------------------
// The driver: scan, parse in parallel batches, reassemble in order
// ---------------------------------------------------------------------------

/// Features per parallel batch, and bytes per batch, whichever comes first.
const BATCH_FEATURES: usize = 4096;
const BATCH_BYTES: usize = 1 << 20;

struct Batch<T> {
    items: Vec<T>,
    problems: Vec<FeatureProblem>,
    /// For syntax problems: (position in `problems`, byte offset in file).
    syntax_at: Vec<(usize, usize)>,
}

type Build<T> = fn(RawFeature<'_>, &mut Problems) -> Option<T>;

fn read_layer<T: Send>(bytes: &[u8], build: Build<T>) -> Result<Vec<T>, ReadError> {
    let results: Mutex<Vec<(usize, Batch<T>)>> = Mutex::new(Vec::new());
    let scanned = rayon::scope(|s| {
        let results = &results;
        let mut spans: Vec<Range<usize>> = Vec::with_capacity(BATCH_FEATURES);
        let mut span_bytes = 0usize;
        let mut next_index = 0usize;
        let mut batch_no = 0usize;
        let mut flush = |spans: &mut Vec<Range<usize>>, span_bytes: &mut usize| {
            if spans.is_empty() {
                return;
            }
            let todo = std::mem::replace(spans, Vec::with_capacity(BATCH_FEATURES));
            let first = next_index;
            let no = batch_no;
            next_index += todo.len();
            batch_no += 1;
            *span_bytes = 0;
            s.spawn(move |_| {
                let batch = parse_batch(bytes, first, &todo, build);
                results
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push((no, batch));
            });
        };
        let outcome = scan(bytes, |span| {
            span_bytes += span.len();
            spans.push(span);
            if spans.len() >= BATCH_FEATURES || span_bytes >= BATCH_BYTES {
                flush(&mut spans, &mut span_bytes);
            }
        });
        flush(&mut spans, &mut span_bytes);
        outcome
    });
    if let Err(e) = scanned {
        return Err(scan_error(bytes, e));
    }

    let mut batches = results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    batches.sort_unstable_by_key(|(no, _)| *no);
    let total: usize = batches.iter().map(|(_, b)| b.items.len()).sum();
    let mut problems = Vec::new();
    let mut syntax_at = Vec::new();
    for (_, b) in &mut batches {
        let base = problems.len();
        syntax_at.extend(b.syntax_at.iter().map(|&(i, off)| (base + i, off)));
        problems.append(&mut b.problems);
    }
    if !problems.is_empty() {
        locate_syntax_problems(bytes, &mut problems, &mut syntax_at);
        return Err(ReadError::Features(problems));
    }
    let mut out = Vec::with_capacity(total);
    for (_, b) in batches {
        out.extend(b.items);
    }
    Ok(out)
}

fn parse_batch<T>(bytes: &[u8], first: usize, spans: &[Range<usize>], build: Build<T>) -> Batch<T> {
    let mut batch = Batch {
        items: Vec::with_capacity(spans.len()),
        problems: Vec::new(),
        syntax_at: Vec::new(),
    };
    let mut found = Problems::default();
    for (k, span) in spans.iter().enumerate() {
        let index = first + k;
        let slice = &bytes[span.clone()];
        match serde_json::from_slice::<FeatureSlot<'_>>(slice) {
            Ok(FeatureSlot::Feature(raw)) => {
                found.id = None;
                found.list.clear();
                let item = build(raw, &mut found);
                match item {
                    Some(item) if found.list.is_empty() => batch.items.push(item),
                    _ => {
                        for (field, kind) in found.list.drain(..) {
                            batch.problems.push(FeatureProblem::new(
                                index,
                                found.id.clone(),
                                field,
                                kind,
                            ));
                        }
                    }
                }
            }
            Ok(FeatureSlot::NotObject(kind)) => batch.problems.push(FeatureProblem::new(
                index,
                None,
                "",
                ProblemKind::NotAnObject { found: kind },
            )),
            Err(e) => {
                let offset = span.start + offset_in(slice, e.line(), e.column());
                batch.syntax_at.push((batch.problems.len(), offset));
                batch.problems.push(FeatureProblem::new(
                    index,
                    None,
                    "",
                    ProblemKind::Syntax {
                        line: 0,
                        column: 0,
                        message: bare_message(&e),
                    },
                ));
            }
        }
    }
    batch
}

/// Problems found in one feature, with the id once it is known.
#[derive(Default)]
struct Problems {
    id: Option<FeatureId>,
    list: Vec<(&'static str, ProblemKind)>,
}

impl Problems {
    fn push(&mut self, field: &'static str, kind: ProblemKind) {
        self.list.push((field, kind));
    }
}

/// serde_json's message without its " at line L column C" suffix.
fn bare_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    match full.rfind(" at line ") {
        Some(cut) => full[..cut].to_string(),
        None => full,
    }
}

/// Byte offset in `slice` of a 1-based line and column.
fn offset_in(slice: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match memchr::memchr(b'\n', &slice[start..]) {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    (start + column.saturating_sub(1)).min(slice.len())
}

/// 1-based line and column of a byte offset (column counted in bytes, as
/// serde_json does).
fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let offset = offset.min(bytes.len());
    let before = &bytes[..offset];
    let line = 1 + memchr::memchr_iter(b'\n', before).count();
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    (line, offset - line_start + 1)
}

/// Fills in line/column of syntax problems in one pass over the file.
fn locate_syntax_problems(
    bytes: &[u8],
    problems: &mut [FeatureProblem],
    at: &mut [(usize, usize)],
) {
    at.sort_unstable_by_key(|&(_, off)| off);
    let mut line = 1;
    let mut line_start = 0;
    let mut pos = 0;
    for &(i, off) in at.iter() {
        for nl in memchr::memchr_iter(b'\n', &bytes[pos..off]) {
            line += 1;
            line_start = pos + nl + 1;
        }
        pos = off;
        if let ProblemKind::Syntax {
            line: l, column: c, ..
        } = &mut problems[i].kind
        {
            *l = line;
            *c = off - line_start + 1;
        }
        let p = &mut problems[i];
        p.message = p.kind.en(&p.field);
    }
}

// ---------------------------------------------------------------------------
// The scanner: find `features` and each feature's byte range
// ---------------------------------------------------------------------------

#[derive(Debug)]
enum ScanError {
    /// Malformed JSON near this offset.
    Syntax(usize),
    /// Well-formed so far, but not a FeatureCollection.
    Shape(NotCollection, usize),
}

fn scan_error(bytes: &[u8], e: ScanError) -> ReadError {
    // serde_json knows best what is wrong with malformed JSON: ask it.
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(err) = serde_json::from_slice::<IgnoredAny>(body) {
        return ReadError::NotJson {
            line: err.line(),
            column: err.column(),
            message: bare_message(&err),
        };
    }
    match e {
        ScanError::Shape(reason, at) => {
            let (line, column) = line_column(bytes, at);
            ReadError::NotFeatureCollection {
                line,
                column,
                reason,
            }
        }
        ScanError::Syntax(at) => {
            let (line, column) = line_column(bytes, at);
            ReadError::NotJson {
                line,
                column,
                message: "unexpected character".into(),
            }
        }
    }
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

fn skip_ws(b: &[u8], mut p: usize) -> usize {
    while p < b.len() && is_ws(b[p]) {
        p += 1;
    }
    p
}

fn byte_at(b: &[u8], p: usize) -> Result<u8, ScanError> {
    b.get(p).copied().ok_or(ScanError::Syntax(p))
}

/// `b[p]` is `"`; returns the offset just past the closing quote.
fn string_end(b: &[u8], p: usize) -> Result<usize, ScanError> {
    let mut i = p + 1;
    loop {
        match memchr2(b'"', b'\\', &b[i.min(b.len())..]) {
            Some(k) if b[i + k] == b'"' => return Ok(i + k + 1),
            Some(k) => i += k + 2,
            None => return Err(ScanError::Syntax(b.len())),
        }
    }
}

/// `b[p]` is `{`; returns the offset just past the matching `}`. Only
/// braces and strings are tracked: brackets inside are checked by the
/// feature's own parse.
fn object_end(b: &[u8], p: usize) -> Result<usize, ScanError> {
    let mut depth = 0usize;
    let mut i = p;
    loop {
        let Some(k) = memchr3(b'"', b'{', b'}', &b[i..]) else {
            return Err(ScanError::Syntax(b.len()));
        };
        let at = i + k;
        match b[at] {
            b'"' => i = string_end(b, at)?,
            b'{' => {
                depth += 1;
                i = at + 1;
            }
            _ => {
                depth -= 1;
                i = at + 1;
                if depth == 0 {
                    return Ok(i);
                }
            }
        }
    }
}

/// Returns the offset just past the value starting at `p`.
fn value_end(b: &[u8], p: usize) -> Result<usize, ScanError> {
    match byte_at(b, p)? {
        b'"' => string_end(b, p),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = p;
            while i < b.len() {
                match b[i] {
                    b'"' => {
                        i = string_end(b, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            Err(ScanError::Syntax(b.len()))
        }
        _ => {
            let mut i = p;
            while i < b.len() && !matches!(b[i], b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')
            {
                i += 1;
            }
            if i == p {
                Err(ScanError::Syntax(p))
            } else {
                Ok(i)
            }
        }
    }
}

/// Walks the top-level object, calling `feature` with the byte range of each
/// element of `features`, in order.
fn scan(b: &[u8], mut feature: impl FnMut(Range<usize>)) -> Result<(), ScanError> {
    let mut p = if b.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    p = skip_ws(b, p);
    let first = byte_at(b, p)?;
    if first != b'{' {
        value_end(b, p)?;
        return Err(ScanError::Shape(
            NotCollection::NotAnObject(JsonKind::of_first_byte(first)),
            p,
        ));
    }
    let top = p;
    p = skip_ws(b, p + 1);
    let mut type_value: Option<Range<usize>> = None;
    let mut saw_features = false;
    if byte_at(b, p)? == b'}' {
        p += 1;
    } else {
        loop {
            if byte_at(b, p)? != b'"' {
                return Err(ScanError::Syntax(p));
            }
            let key_end = string_end(b, p)?;
            let key = decode_key(&b[p..key_end]);
            p = skip_ws(b, key_end);
            if byte_at(b, p)? != b':' {
                return Err(ScanError::Syntax(p));
            }
            p = skip_ws(b, p + 1);
            match key.as_deref() {
                Some("features") => {
                    if saw_features {
                        value_end(b, p)?;
                        return Err(ScanError::Shape(NotCollection::DuplicateFeatures, p));
                    }
                    saw_features = true;
                    let open = byte_at(b, p)?;
                    if open != b'[' {
                        value_end(b, p)?;
                        return Err(ScanError::Shape(
                            NotCollection::FeaturesNotArray(JsonKind::of_first_byte(open)),
                            p,
                        ));
                    }
                    p = skip_ws(b, p + 1);
                    if byte_at(b, p)? == b']' {
                        p += 1;
                    } else {
                        loop {
                            let end = if byte_at(b, p)? == b'{' {
                                object_end(b, p)?
                            } else {
                                value_end(b, p)?
                            };
                            feature(p..end);
                            p = skip_ws(b, end);
                            match byte_at(b, p)? {
                                b',' => p = skip_ws(b, p + 1),
                                b']' => {
                                    p += 1;
                                    break;
                                }
                                _ => return Err(ScanError::Syntax(p)),
                            }
                        }
                    }
                }
                Some("type") => {
                    let end = value_end(b, p)?;
                    type_value = Some(p..end);
                    p = end;
                }
                _ => p = value_end(b, p)?,
            }
            p = skip_ws(b, p);
            match byte_at(b, p)? {
                b',' => p = skip_ws(b, p + 1),
                b'}' => {
                    p += 1;
                    break;
                }
                _ => return Err(ScanError::Syntax(p)),
            }
        }
    }
    p = skip_ws(b, p);
    if p != b.len() {
        return Err(ScanError::Syntax(p));
    }
    match type_value {
        None => return Err(ScanError::Shape(NotCollection::MissingType, top)),
        Some(r) if &b[r.clone()] != b"\"FeatureCollection\"" => {
            let written = String::from_utf8_lossy(&b[r.clone()]).into_owned();
            return Err(ScanError::Shape(NotCollection::WrongType(written), r.start));
        }
        Some(_) => {}
    }
    if !saw_features {
        return Err(ScanError::Shape(NotCollection::MissingFeatures, top));
    }
    Ok(())
}

/// A top-level key, unescaped; `None` if it is not a valid string.
fn decode_key(quoted: &[u8]) -> Option<Cow<'_, str>> {
    let inner = &quoted[1..quoted.len() - 1];
    if memchr::memchr(b'\\', inner).is_none() {
        std::str::from_utf8(inner).ok().map(Cow::Borrowed)
    } else {
        serde_json::from_slice::<String>(quoted)
            .ok()
            .map(Cow::Owned)
    }
}

// ---------------------------------------------------------------------------
// One feature: borrowed visitors
// ---------------------------------------------------------------------------

/// Member names we look at; everything else is skipped.
enum Key {
    Type,
    Id,
    Properties,
    Geometry,
    Coordinates,
    Name,
    CurrentWidth,
    PlannedWidth,
    PlannedLeft,
    PlannedRight,
    MapSheet,
    ParcelNo,
    Owner,
    ResidentialGroup,
    LandUse,
    SegmentId,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key, E> {
                Ok(match s {
                    "type" => Key::Type,
                    "id" => Key::Id,
                    "properties" => Key::Properties,
                    "geometry" => Key::Geometry,
                    "coordinates" => Key::Coordinates,
                    "name" => Key::Name,
                    "current_width_m" => Key::CurrentWidth,
                    "planned_width_m" => Key::PlannedWidth,
                    "planned_left_m" => Key::PlannedLeft,
                    "planned_right_m" => Key::PlannedRight,
                    "map_sheet" => Key::MapSheet,
                    "parcel_no" => Key::ParcelNo,
                    "owner" => Key::Owner,
                    "residential_group" => Key::ResidentialGroup,
                    "land_use" => Key::LandUse,
                    "segment_id" => Key::SegmentId,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

/// Drains a sequence so serde_json sees it consumed.
fn drain_seq<'de, A: SeqAccess<'de>>(seq: &mut A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_map<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

/// A value of any JSON type other than an object, answered with its kind.
/// Used by visitors that want an object but must not fail on the rest.
macro_rules! non_object_visits {
    ($make:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($make(JsonKind::Bool))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($make(JsonKind::Number))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($make(JsonKind::Number))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($make(JsonKind::Number))
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($make(JsonKind::Text))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            drain_seq(&mut seq)?;
            Ok($make(JsonKind::Array))
        }
    };
}

/// An element of `features`.
enum FeatureSlot<'a> {
    Feature(RawFeature<'a>),
    NotObject(JsonKind),
}

#[derive(Default)]
struct RawFeature<'a> {
    kind: Option<&'a RawValue>,
    id: Option<&'a RawValue>,
    props: RawProps<'a>,
    /// `properties` was something other than an object or null.
    props_not_object: Option<JsonKind>,
    geometry: GeometrySlot<'a>,
}

#[derive(Default)]
struct RawProps<'a> {
    id: Option<&'a RawValue>,
    name: Option<&'a RawValue>,
    current_width_m: Option<&'a RawValue>,
    planned_width_m: Option<&'a RawValue>,
    planned_left_m: Option<&'a RawValue>,
    planned_right_m: Option<&'a RawValue>,
    map_sheet: Option<&'a RawValue>,
    parcel_no: Option<&'a RawValue>,
    owner: Option<&'a RawValue>,
    residential_group: Option<&'a RawValue>,
    land_use: Option<&'a RawValue>,
    segment_id: Option<&'a RawValue>,
}

#[derive(Default)]
enum GeometrySlot<'a> {
    #[default]
    Null,
    NotObject(JsonKind),
    Geometry {
        kind: Option<&'a RawValue>,
        coords: Option<AnyCoords>,
    },
}

impl<'de: 'a, 'a> Deserialize<'de> for FeatureSlot<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = FeatureSlot<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a GeoJSON Feature")
            }
            non_object_visits!(FeatureSlot::NotObject);
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(FeatureSlot::NotObject(JsonKind::Null))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut f = RawFeature::default();
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Type => f.kind = map.next_value()?,
                        Key::Id => f.id = map.next_value()?,
                        Key::Properties => match map.next_value::<PropsSlot<'a>>()? {
                            PropsSlot::Props(p) => f.props = p,
                            PropsSlot::Null => {}
                            PropsSlot::NotObject(k) => f.props_not_object = Some(k),
                        },
                        Key::Geometry => f.geometry = map.next_value()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(FeatureSlot::Feature(f))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

enum PropsSlot<'a> {
    Props(RawProps<'a>),
    Null,
    NotObject(JsonKind),
}

impl<'de: 'a, 'a> Deserialize<'de> for PropsSlot<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = PropsSlot<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a properties object")
            }
            non_object_visits!(PropsSlot::NotObject);
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(PropsSlot::Null)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut p = RawProps::default();
                while let Some(key) = map.next_key::<Key>()? {
                    let slot = match key {
                        Key::Id => &mut p.id,
                        Key::Name => &mut p.name,
                        Key::CurrentWidth => &mut p.current_width_m,
                        Key::PlannedWidth => &mut p.planned_width_m,
                        Key::PlannedLeft => &mut p.planned_left_m,
                        Key::PlannedRight => &mut p.planned_right_m,
                        Key::MapSheet => &mut p.map_sheet,
                        Key::ParcelNo => &mut p.parcel_no,
                        Key::Owner => &mut p.owner,
                        Key::ResidentialGroup => &mut p.residential_group,
                        Key::LandUse => &mut p.land_use,
                        Key::SegmentId => &mut p.segment_id,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    *slot = map.next_value()?;
                }
                Ok(PropsSlot::Props(p))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for GeometrySlot<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = GeometrySlot<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a GeoJSON geometry")
            }
            non_object_visits!(GeometrySlot::NotObject);
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(GeometrySlot::Null)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut kind = None;
                let mut coords = None;
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Type => kind = map.next_value()?,
                        Key::Coordinates => coords = map.next_value()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(GeometrySlot::Geometry { kind, coords })
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// Coordinates of any nesting depth, read without knowing the geometry type
/// (`coordinates` may come before `type`).
#[derive(Debug)]
enum AnyCoords {
    /// `[]`
    Empty,
    /// A list of `n` empty lists: `[[], []]`.
    Empties(usize),
    Num(f64),
    Pos([f64; 2]),
    L1(Vec<[f64; 2]>),
    L2(Vec<Vec<[f64; 2]>>),
    L3(Vec<Vec<Vec<[f64; 2]>>>),
    Bad(CoordProblem),
}

impl<'de> Deserialize<'de> for AnyCoords {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CoordsVisitor)
    }
}

struct CoordsVisitor;

impl<'de> Visitor<'de> for CoordsVisitor {
    type Value = AnyCoords;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GeoJSON coordinates")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<AnyCoords, E> {
        Ok(AnyCoords::Num(v))
    }
    #[allow(clippy::cast_precision_loss)]
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<AnyCoords, E> {
        Ok(AnyCoords::Num(v as f64))
    }
    #[allow(clippy::cast_precision_loss)]
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<AnyCoords, E> {
        Ok(AnyCoords::Num(v as f64))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<AnyCoords, E> {
        Ok(AnyCoords::Bad(CoordProblem::NotNumber))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<AnyCoords, E> {
        Ok(AnyCoords::Bad(CoordProblem::NotNumber))
    }
    fn visit_unit<E: de::Error>(self) -> Result<AnyCoords, E> {
        Ok(AnyCoords::Bad(CoordProblem::NotNumber))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AnyCoords, A::Error> {
        drain_map(&mut map)?;
        Ok(AnyCoords::Bad(CoordProblem::NotNumber))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AnyCoords, A::Error> {
        use AnyCoords as C;
        let mut leading_empty = 0usize;
        let first = loop {
            match seq.next_element::<C>()? {
                None if leading_empty == 0 => return Ok(C::Empty),
                None => return Ok(C::Empties(leading_empty)),
                Some(C::Empty) => leading_empty += 1,
                Some(other) => break other,
            }
        };
        let bad = |seq: &mut A, why| -> Result<AnyCoords, A::Error> {
            drain_seq(seq)?;
            Ok(C::Bad(why))
        };
        match first {
            C::Num(x) => {
                if leading_empty > 0 {
                    return bad(&mut seq, CoordProblem::WrongNesting);
                }
                let y = match seq.next_element::<C>()? {
                    Some(C::Num(y)) => y,
                    None => return Ok(C::Bad(CoordProblem::ShortPosition)),
                    Some(C::Bad(why)) => return bad(&mut seq, why),
                    Some(_) => return bad(&mut seq, CoordProblem::NotNumber),
                };
                // Altitude and beyond are allowed and dropped.
                let mut why = None;
                while let Some(extra) = seq.next_element::<C>()? {
                    match extra {
                        C::Num(_) => {}
                        C::Bad(w) => why = why.or(Some(w)),
                        _ => why = why.or(Some(CoordProblem::NotNumber)),
                    }
                }
                Ok(why.map_or(C::Pos([x, y]), C::Bad))
            }
            C::Pos(p) => {
                if leading_empty > 0 {
                    return bad(&mut seq, CoordProblem::ShortPosition);
                }
                let mut line = Vec::with_capacity(8);
                line.push(p);
                loop {
                    match seq.next_element::<C>()? {
                        None => return Ok(C::L1(line)),
                        Some(C::Pos(q)) => line.push(q),
                        Some(C::Bad(why)) => return bad(&mut seq, why),
                        Some(C::Empty) => return bad(&mut seq, CoordProblem::ShortPosition),
                        Some(_) => return bad(&mut seq, CoordProblem::WrongNesting),
                    }
                }
            }
            C::L1(l) => {
                let mut lines = Vec::with_capacity(leading_empty + 1);
                lines.resize_with(leading_empty, Vec::new);
                lines.push(l);
                loop {
                    match seq.next_element::<C>()? {
                        None => return Ok(C::L2(lines)),
                        Some(C::L1(l)) => lines.push(l),
                        Some(C::Empty) => lines.push(Vec::new()),
                        Some(C::Bad(why)) => return bad(&mut seq, why),
                        Some(_) => return bad(&mut seq, CoordProblem::WrongNesting),
                    }
                }
            }
            C::L2(_) | C::Empties(_) => {
                let mut polys = Vec::with_capacity(leading_empty + 1);
                polys.resize_with(leading_empty, Vec::new);
                let mut next = Some(first);
                loop {
                    match next {
                        None => return Ok(C::L3(polys)),
                        Some(C::L2(rings)) => polys.push(rings),
                        Some(C::Empties(n)) => polys.push(vec![Vec::new(); n]),
                        Some(C::Empty) => polys.push(Vec::new()),
                        Some(C::Bad(why)) => return bad(&mut seq, why),
                        Some(_) => return bad(&mut seq, CoordProblem::WrongNesting),
                    }
                    next = seq.next_element::<C>()?;
                }
            }
            C::L3(_) => bad(&mut seq, CoordProblem::WrongNesting),
            C::Bad(why) => bad(&mut seq, why),
            C::Empty => unreachable!("empty elements are counted above"),
        }
    }
}

// ---------------------------------------------------------------------------
// From raw members to input types
// ---------------------------------------------------------------------------

/// The text of a JSON string value, unescaped.
fn string_of(raw: &RawValue) -> Option<String> {
    let text = raw.get();
    let inner = &text[1..text.len() - 1];
    if memchr::memchr(b'\\', inner.as_bytes()).is_none() {
        Some(inner.to_string())
    } else {
        serde_json::from_str::<String>(text).ok()
    }
}

fn kind_of(raw: &RawValue) -> JsonKind {
    JsonKind::of_first_byte(raw.get().as_bytes()[0])
}

/// A number or string id, numbers kept as written.
fn id_of(raw: &RawValue) -> Result<FeatureId, JsonKind> {
    match kind_of(raw) {
        JsonKind::Number => Ok(FeatureId::Number(raw.get().to_string())),
        JsonKind::Text => string_of(raw).map(FeatureId::Text).ok_or(JsonKind::Text),
        other => Err(other),
    }
}

/// The feature's id: `properties.id`, else the feature's own `id`.
fn feature_id(f: &RawFeature<'_>, found: &mut Problems) -> Option<FeatureId> {
    let raw = f.props.id.or(f.id)?;
    match id_of(raw) {
        Ok(id) => Some(id),
        Err(kind) => {
            found.push(
                "id",
                ProblemKind::WrongType {
                    expected: Expected::NumberOrText,
                    found: kind,
                },
            );
            None
        }
    }
}

/// A text property: strings unescaped, numbers as written.
fn text_prop(raw: Option<&RawValue>, field: &'static str, found: &mut Problems) -> Option<String> {
    let raw = raw?;
    match kind_of(raw) {
        JsonKind::Text => string_of(raw),
        JsonKind::Number => Some(raw.get().to_string()),
        other => {
            found.push(
                field,
                ProblemKind::WrongType {
                    expected: Expected::NumberOrText,
                    found: other,
                },
            );
            None
        }
    }
}

/// A numeric property: numbers, or strings holding a number ("10.5", also
/// "10,5" with a decimal comma); an empty string is absent.
fn number_prop(raw: Option<&RawValue>, field: &'static str, found: &mut Problems) -> Option<f64> {
    let raw = raw?;
    match kind_of(raw) {
        JsonKind::Number => match raw.get().parse::<f64>() {
            Ok(v) if v.is_finite() => Some(v),
            _ => {
                found.push(
                    field,
                    ProblemKind::NotANumber {
                        text: raw.get().to_string(),
                    },
                );
                None
            }
        },
        JsonKind::Text => {
            let text = string_of(raw).unwrap_or_default();
            let trimmed = text.trim();
            if trimmed.is_empty() {
                return None;
            }
            let parsed = trimmed.parse::<f64>().ok().or_else(|| {
                let comma = trimmed.replacen(',', ".", 1);
                if trimmed.contains('.') {
                    None
                } else {
                    comma.parse().ok()
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
        other => {
            found.push(
                field,
                ProblemKind::WrongType {
                    expected: Expected::Number,
                    found: other,
                },
            );
            None
        }
    }
}

/// Checks `type` and `properties` shared by all layers; returns the id.
fn common(f: &RawFeature<'_>, found: &mut Problems) -> Option<FeatureId> {
    if let Some(kind) = f.kind
        && kind.get() != "\"Feature\""
    {
        found.push(
            "type",
            ProblemKind::NotAFeature {
                found: kind.get().to_string(),
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
    let id = feature_id(f, found);
    found.id.clone_from(&id);
    id
}

/// The geometry's type (as written, unquoted) and coordinates, or a problem.
fn geometry<'f>(
    f: &'f mut RawFeature<'_>,
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
                _ => kind.get().to_string(),
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

fn nesting(found: &mut Problems) {
    found.push(
        "geometry.coordinates",
        ProblemKind::BadCoordinates(CoordProblem::WrongNesting),
    );
}

const LINE_TYPES: &[&str] = &["LineString", "MultiLineString"];
const AREA_TYPES: &[&str] = &["Polygon", "MultiPolygon"];

fn lines_of(kind: &str, coords: AnyCoords, found: &mut Problems) -> Option<Vec<Vec<[f64; 2]>>> {
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

type Polygons = Vec<Vec<Vec<[f64; 2]>>>;

fn polygons_of(kind: &str, coords: AnyCoords, found: &mut Problems) -> Option<Polygons> {
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

fn build_segment(mut f: RawFeature<'_>, found: &mut Problems) -> Option<SegmentInput> {
    let id = common(&f, found);
    if id.is_none() && found.list.is_empty() {
        found.push("id", ProblemKind::MissingField);
    }
    let p = &f.props;
    let name = text_prop(p.name, "name", found);
    let current_width_m = number_prop(p.current_width_m, "current_width_m", found);
    let planned_width_m = number_prop(p.planned_width_m, "planned_width_m", found);
    let planned_left_m = number_prop(p.planned_left_m, "planned_left_m", found);
    let planned_right_m = number_prop(p.planned_right_m, "planned_right_m", found);
    let lines = geometry(&mut f, found, LINE_TYPES).and_then(|(k, c)| lines_of(&k, c, found));
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

fn build_parcel(mut f: RawFeature<'_>, found: &mut Problems) -> Option<ParcelInput> {
    let id = common(&f, found);
    if id.is_none() && found.list.is_empty() {
        found.push("id", ProblemKind::MissingField);
    }
    let p = &f.props;
    let map_sheet = text_prop(p.map_sheet, "map_sheet", found);
    let parcel_no = text_prop(p.parcel_no, "parcel_no", found);
    let owner = text_prop(p.owner, "owner", found);
    let residential_group = text_prop(p.residential_group, "residential_group", found);
    let land_use = text_prop(p.land_use, "land_use", found);
    let polygons = geometry(&mut f, found, AREA_TYPES).and_then(|(k, c)| polygons_of(&k, c, found));
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

fn build_corridor(mut f: RawFeature<'_>, found: &mut Problems) -> Option<CorridorInput> {
    let feature_id = common(&f, found);
    let segment_id = match f.props.segment_id.map(id_of) {
        Some(Ok(id)) => Some(id),
        Some(Err(kind)) => {
            found.push(
                "segment_id",
                ProblemKind::WrongType {
                    expected: Expected::NumberOrText,
                    found: kind,
                },
            );
            None
        }
        None => {
            found.push("segment_id", ProblemKind::MissingField);
            None
        }
    };
    let polygons = geometry(&mut f, found, AREA_TYPES).and_then(|(k, c)| polygons_of(&k, c, found));
    Some(CorridorInput {
        feature_id,
        segment_id: segment_id?,
        polygons: polygons?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fc(features: &str) -> String {
        format!(r#"{{"type":"FeatureCollection","features":[{features}]}}"#)
    }

    fn parcel(id: &str, geometry: &str) -> String {
        format!(r#"{{"type":"Feature","properties":{{"id":{id}}},"geometry":{geometry}}}"#)
    }

    const SQUARE: &str = r#"{"type":"Polygon","coordinates":[[[105.8,19.51],[105.8001,19.51],[105.8001,19.5101],[105.8,19.51]]]}"#;

    fn problems(e: ReadError) -> Vec<FeatureProblem> {
        match e {
            ReadError::Features(p) => p,
            other => panic!("expected feature problems, got {other}"),
        }
    }

    #[test]
    fn numeric_ids_are_kept_exactly_as_written_and_strings_as_strings() {
        let text = fc(&[
            parcel("1", SQUARE),
            parcel("12.0", SQUARE),
            parcel("-3e2", SQUARE),
            parcel(r#""A-7""#, SQUARE),
        ]
        .join(","));
        let parcels = read_parcels(text.as_bytes()).unwrap();
        let ids: Vec<_> = parcels.iter().map(|p| p.id.clone()).collect();
        assert_eq!(
            ids,
            vec![
                FeatureId::Number("1".into()),
                FeatureId::Number("12.0".into()),
                FeatureId::Number("-3e2".into()),
                FeatureId::Text("A-7".into()),
            ]
        );
    }

    #[test]
    fn the_feature_id_is_used_when_properties_have_none() {
        let text = fc(&format!(
            r#"{{"type":"Feature","id":57,"properties":{{"owner":"x"}},"geometry":{SQUARE}}},
               {{"type":"Feature","id":"top","properties":{{"id":"inner"}},"geometry":{SQUARE}}}"#
        ));
        let parcels = read_parcels(text.as_bytes()).unwrap();
        assert_eq!(parcels[0].id, FeatureId::Number("57".into()));
        assert_eq!(parcels[1].id, FeatureId::Text("inner".into()));
    }

    #[test]
    fn vietnamese_text_with_diacritics_and_escapes_is_unescaped() {
        let text = fc(&format!(
            r#"{{"type":"Feature","properties":{{"id":1,"owner":"Nguy\u1ec5n Th\u1ecb Y\u1ebfn","residential_group":"Tổ dân phố 21","land_use":"ODT \"mới\"","map_sheet":26,"parcel_no":"308a"}},"geometry":{SQUARE}}}"#
        ));
        let p = &read_parcels(text.as_bytes()).unwrap()[0];
        assert_eq!(p.owner.as_deref(), Some("Nguyễn Thị Yến"));
        assert_eq!(p.residential_group.as_deref(), Some("Tổ dân phố 21"));
        assert_eq!(p.land_use.as_deref(), Some("ODT \"mới\""));
        assert_eq!(p.map_sheet.as_deref(), Some("26"));
        assert_eq!(p.parcel_no.as_deref(), Some("308a"));
    }

    #[test]
    fn a_multipolygon_with_holes_keeps_every_ring_as_written() {
        let geometry = r#"{"coordinates":[
            [[[105.80,19.51],[105.81,19.51],[105.81,19.52],[105.80,19.52],[105.80,19.51]],
             [[105.802,19.512],[105.802,19.514],[105.804,19.514],[105.802,19.512]]],
            [[[105.82,19.51],[105.83,19.51],[105.83,19.52],[105.82,19.51]]]
        ],"type":"MultiPolygon"}"#;
        let text = fc(&parcel("9", geometry));
        let p = &read_parcels(text.as_bytes()).unwrap()[0];
        assert_eq!(p.polygons.len(), 2);
        assert_eq!(p.polygons[0].len(), 2);
        assert_eq!(p.polygons[0][0].len(), 5);
        assert_eq!(
            p.polygons[0][1],
            vec![
                [105.802, 19.512],
                [105.802, 19.514],
                [105.804, 19.514],
                [105.802, 19.512]
            ]
        );
        assert_eq!(p.polygons[1][0].first(), p.polygons[1][0].last());
    }

    #[test]
    fn segments_read_widths_from_numbers_and_numeric_strings() {
        let text = fc(
            r#"{"type":"Feature","properties":{"id":3,"name":"Phố Hàng Đồng","current_width_m":"5,5","planned_width_m":"10.5","planned_left_m":null,"planned_right_m":4},
            "geometry":{"type":"MultiLineString","coordinates":[[[105.80,19.51],[105.81,19.51,2.0]],[[105.81,19.51],[105.82,19.52]]]}}"#,
        );
        let s = &read_segments(text.as_bytes()).unwrap()[0];
        assert_eq!(s.name, "Phố Hàng Đồng");
        assert_eq!(s.current_width_m, Some(5.5));
        assert_eq!(s.planned_width_m, Some(10.5));
        assert_eq!(s.planned_left_m, None);
        assert_eq!(s.planned_right_m, Some(4.0));
        assert_eq!(s.lines.len(), 2);
        assert_eq!(s.lines[0][1], [105.81, 19.51]);
    }

    #[test]
    fn corridors_need_a_segment_id() {
        let text = fc(&format!(
            r#"{{"type":"Feature","id":"c1","properties":{{"segment_id":7}},"geometry":{SQUARE}}},
               {{"type":"Feature","id":"c2","properties":{{}},"geometry":{SQUARE}}}"#
        ));
        let p = problems(read_corridors(text.as_bytes()).unwrap_err());
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].index, 1);
        assert_eq!(p[0].id, Some(FeatureId::Text("c2".into())));
        assert_eq!(p[0].field, "segment_id");
        let ok = fc(&format!(
            r#"{{"type":"Feature","properties":{{"segment_id":"7"}},"geometry":{SQUARE}}}"#
        ));
        let c = &read_corridors(ok.as_bytes()).unwrap()[0];
        assert_eq!(c.segment_id, FeatureId::Text("7".into()));
        assert_eq!(c.feature_id, None);
    }

    #[test]
    fn every_bad_feature_is_reported_at_once_by_position_and_id() {
        let text = fc(&[
            parcel("1", SQUARE),
            parcel("57", r#"{"type":"LineString","coordinates":[[105.8,19.51],[105.9,19.6]]}"#),
            parcel("2", SQUARE),
            parcel(r#""B-9""#, r#"{"type":"Polygon","coordinates":[[["105.8",19.51],[105.8001,19.51],[105.8001,19.5101],[105.8,19.51]]]}"#),
            parcel("3", "null"),
        ]
        .join(",\n"));
        let p = problems(read_parcels(text.as_bytes()).unwrap_err());
        assert_eq!(p.len(), 3, "{p:?}");
        assert_eq!(
            (p[0].index, p[0].id.clone()),
            (1, Some(FeatureId::Number("57".into())))
        );
        assert_eq!(p[0].field, "geometry.type");
        assert_eq!(
            (p[1].index, p[1].id.clone()),
            (3, Some(FeatureId::Text("B-9".into())))
        );
        assert_eq!(
            p[1].kind,
            ProblemKind::BadCoordinates(CoordProblem::NotNumber)
        );
        assert_eq!(p[2].kind, ProblemKind::NoGeometry);
        let shown = ReadError::Features(p).to_string();
        assert!(
            shown.contains("đối tượng #1 (id 57): kiểu hình học 'LineString'"),
            "{shown}"
        );
        assert!(
            shown.contains("feature #3 (id B-9): bad coordinates"),
            "{shown}"
        );
    }

    #[test]
    fn a_missing_id_and_a_bad_width_are_named() {
        let text = fc(
            r#"{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"LineString","coordinates":[[105.8,19.51],[105.81,19.51]]}},
            {"type":"Feature","properties":{"id":57,"planned_width_m":"rộng"},"geometry":{"type":"LineString","coordinates":[[105.8,19.51],[105.81,19.51]]}}"#,
        );
        let p = problems(read_segments(text.as_bytes()).unwrap_err());
        assert_eq!(p.len(), 2);
        assert_eq!(
            p[0].to_string(),
            "đối tượng #0: thiếu trường 'id' / feature #0: missing field 'id'"
        );
        assert_eq!(p[1].field, "planned_width_m");
        assert!(
            p[1].to_string()
                .starts_with("đối tượng #1 (id 57): trường 'planned_width_m' không phải số")
        );
    }

    #[test]
    fn malformed_json_inside_one_feature_names_it_with_line_and_column() {
        let text = format!(
            "{{\"type\":\"FeatureCollection\",\"features\":[\n{},\n{{\"type\":\"Feature\",\"properties\":{{\"id\":2}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[[1,2],}}}}\n]}}",
            parcel("1", SQUARE)
        );
        let p = problems(read_parcels(text.as_bytes()).unwrap_err());
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].index, 1);
        match &p[0].kind {
            ProblemKind::Syntax { line, column, .. } => {
                assert_eq!(*line, 3);
                assert!(*column > 60, "{column}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_file_that_is_not_a_feature_collection_is_one_error() {
        let e = read_parcels(br#"{"type":"Feature","geometry":null,"properties":{}}"#).unwrap_err();
        assert!(matches!(
            e,
            ReadError::NotFeatureCollection {
                reason: NotCollection::WrongType(_),
                ..
            }
        ));
        let e = read_parcels(b"[1,2]").unwrap_err();
        assert!(matches!(
            e,
            ReadError::NotFeatureCollection {
                reason: NotCollection::NotAnObject(JsonKind::Array),
                line: 1,
                column: 1
            }
        ));
        let e = read_parcels(br#"{"type":"FeatureCollection"}"#).unwrap_err();
        assert!(e.to_string().contains("thiếu trường 'features' / "), "{e}");
        let e = read_parcels(br#"{"type":"FeatureCollection","features":{}}"#).unwrap_err();
        assert!(matches!(
            e,
            ReadError::NotFeatureCollection {
                reason: NotCollection::FeaturesNotArray(JsonKind::Object),
                ..
            }
        ));
    }

    #[test]
    fn truncated_json_is_reported_with_line_and_column() {
        let full = fc(&[parcel("1", SQUARE), parcel("2", SQUARE)].join(",\n"));
        let cut = &full.as_bytes()[..full.len() - 40];
        let e = read_parcels(cut).unwrap_err();
        match &e {
            ReadError::NotJson {
                line,
                column,
                message,
            } => {
                assert_eq!(*line, 2);
                assert!(*column > 1);
                assert!(message.contains("EOF"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(
            e.to_string()
                .starts_with("tệp không phải JSON hợp lệ (dòng 2")
        );
        assert!(matches!(
            read_parcels(b"not json").unwrap_err(),
            ReadError::NotJson { .. }
        ));
        assert!(matches!(
            read_parcels(b"").unwrap_err(),
            ReadError::NotJson { .. }
        ));
    }

    #[test]
    fn order_is_kept_across_many_batches() {
        let n = BATCH_FEATURES * 2 + 17;
        let features: Vec<String> = (0..n).map(|i| parcel(&i.to_string(), SQUARE)).collect();
        let text = format!(
            "\u{feff}{{\"bbox\":[1,2,3,4],\"features\":[{}],\"crs\":{{\"a\":\"}}\"}},\"type\":\"FeatureCollection\"}}\n",
            features.join(",")
        );
        let parcels = read_parcels(text.as_bytes()).unwrap();
        assert_eq!(parcels.len(), n);
        for (i, p) in parcels.iter().enumerate() {
            assert_eq!(p.id, FeatureId::Number(i.to_string()));
        }
    }

    #[test]
    fn braces_inside_strings_do_not_confuse_the_scanner() {
        let text = fc(&format!(
            r#"{{"type":"Feature","properties":{{"id":"{{\"}}","owner":"a\\"}},"geometry":{SQUARE}}}"#
        ));
        let p = &read_parcels(text.as_bytes()).unwrap()[0];
        assert_eq!(p.id, FeatureId::Text("{\"}".into()));
        assert_eq!(p.owner.as_deref(), Some("a\\"));
    }
}
