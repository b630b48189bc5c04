//! Fast RFC 7946 GeoJSON reading into campaign input types.
//!
//! A ward's parcel file can hold a million features (~400 MB), so the reader
//! never builds a `serde_json::Value` tree, and never reads the file twice:
//!
//! 1. the top-level object is walked to the `features` array;
//! 2. the array is cut into byte chunks (8 per rayon thread, 1 MB at
//!    least); for each cut the next feature start is guessed (a `{` after a
//!    `,` that parses as a feature) and the chunks are parsed in parallel by
//!    a small hand-written JSON parser that reads just the members we use
//!    (coordinates straight into `Vec<[f64; 2]>` with an exact fast float
//!    path, property values kept as raw text until read, the rest skipped
//!    but still checked to be JSON);
//! 3. each chunk's start is checked against where the previous chunk
//!    stopped, so a wrong guess is caught and the gap re-read in sequence:
//!    the result is always the one a single sequential pass would give, in
//!    file order. Each chunk collects its own features; the kept chunks'
//!    vectors are then appended in order.
//!
//! `serde_json` is used only to unescape strings holding `\` escapes and to
//! describe what is wrong with a file that is not JSON.
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

use memchr::memchr3;
use serde::de::IgnoredAny;

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
// The driver: split `features` into chunks, parse them in parallel, stitch
// ---------------------------------------------------------------------------
//
// The `features` array is cut into byte chunks. For each cut we guess where
// the next feature starts (a `{` after a `,` that parses as a feature and is
// followed by `,` or `]`). Chunk k is parsed from its guess until the first
// feature start at or past the guess of chunk k + 1. Parsing from a true
// feature start is exact, and chunk 0 starts at the true first feature, so
// stitching checks each chunk's start against where the previous chunk
// stopped; a wrong guess (possible only with odd input, e.g. arrays of
// objects inside properties) is discarded and the gap parsed again in
// sequence. The result is the same as one sequential pass.

/// Smallest chunk worth a parallel task.
const MIN_CHUNK_BYTES: usize = 1 << 20;
/// Chunks per rayon thread, for load balance.
const CHUNKS_PER_THREAD: usize = 8;

/// How one run over the `features` array ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// At the start of the next feature, at or past the run's limit.
    Next(usize),
    /// Past the closing `]` of the array.
    End(usize),
    /// The array itself is malformed here (not a single feature).
    Broken(usize),
}

/// The features read by one run, in order.
struct Run<T> {
    start: usize,
    count: usize,
    items: Vec<T>,
    /// Problems with `index` counted from the run's first feature.
    problems: Vec<FeatureProblem>,
    /// For syntax problems: (position in `problems`, byte offset in file).
    syntax_at: Vec<(usize, usize)>,
    stop: Stop,
}

type Build<T> = fn(RawFeature<'_>, &mut Problems) -> Option<T>;

fn read_layer<T: Send>(bytes: &[u8], build: Build<T>) -> Result<Vec<T>, ReadError> {
    read_layer_in_chunks(bytes, build, MIN_CHUNK_BYTES)
}

fn read_layer_in_chunks<T: Send>(
    bytes: &[u8],
    build: Build<T>,
    min_chunk: usize,
) -> Result<Vec<T>, ReadError> {
    let mut parsed: Option<(Vec<T>, Vec<Run<T>>)> = None;
    let walked = walk_top_level(bytes, |open| {
        let (items, runs) = parse_features(bytes, open, build, min_chunk);
        let stop = runs.last().map(|r| r.stop);
        parsed = Some((items, runs));
        match stop {
            Some(Stop::End(end)) => Ok(end),
            Some(Stop::Broken(at)) => Err(ScanError::Syntax(at)),
            _ => Err(ScanError::Syntax(bytes.len())),
        }
    });
    if let Err(e) = walked {
        return Err(scan_error(bytes, e));
    }
    let (items, runs) = parsed.unwrap_or_default();

    let mut problems = Vec::new();
    let mut syntax_at = Vec::new();
    let mut base = 0;
    for run in runs {
        let first = problems.len();
        syntax_at.extend(run.syntax_at.iter().map(|&(i, off)| (first + i, off)));
        for mut p in run.problems {
            p.index += base;
            problems.push(p);
        }
        base += run.count;
    }
    if !problems.is_empty() {
        locate_syntax_problems(bytes, &mut problems, &mut syntax_at);
        return Err(ReadError::Features(problems));
    }
    Ok(items)
}

/// Parses the array whose `[` is at `open`: the features in file order, and
/// the runs that read them (their problems and where they stopped; the last
/// one ends with `End` or `Broken`).
fn parse_features<T: Send>(
    b: &[u8],
    open: usize,
    build: Build<T>,
    min_chunk: usize,
) -> (Vec<T>, Vec<Run<T>>) {
    use rayon::prelude::*;

    let first = skip_ws(b, open + 1);
    if b.get(first) == Some(&b']') {
        return (Vec::new(), vec![Run::empty(first, Stop::End(first + 1))]);
    }
    let span = b.len() - first;
    let chunks =
        (span / min_chunk.max(1)).clamp(1, rayon::current_num_threads() * CHUNKS_PER_THREAD);
    let chunk = span / chunks;
    let mut starts = vec![first];
    for k in 1..chunks {
        let from = (first + k * chunk).max(*starts.last().unwrap_or(&first) + 1);
        if let Some(s) = guess_feature_start(b, from) {
            starts.push(s);
        }
    }
    starts.dedup();
    if starts.len() == 1 {
        let mut run = run_features(b, first, usize::MAX, build);
        return (std::mem::take(&mut run.items), vec![run]);
    }

    let speculative: Vec<Run<T>> = (0..starts.len())
        .into_par_iter()
        .map(|k| {
            let limit = starts.get(k + 1).copied().unwrap_or(usize::MAX);
            run_features(b, starts[k], limit, build)
        })
        .collect();

    // Stitch: keep runs that start where the true path is, re-read gaps.
    let mut kept = Vec::with_capacity(speculative.len());
    let mut discarded = Vec::new();
    let mut pos = Some(first);
    for run in speculative {
        let Some(at) = pos else {
            discarded.push(run);
            continue;
        };
        if run.start > at {
            let gap = run_features(b, at, run.start, build);
            pos = match gap.stop {
                Stop::Next(q) => Some(q),
                Stop::End(_) | Stop::Broken(_) => None,
            };
            kept.push(gap);
        }
        if pos == Some(run.start) {
            pos = match run.stop {
                Stop::Next(q) => Some(q),
                Stop::End(_) | Stop::Broken(_) => None,
            };
            kept.push(run);
        } else {
            discarded.push(run);
        }
    }
    if let Some(at) = pos {
        kept.push(run_features(b, at, usize::MAX, build));
    }
    drop(discarded);
    let total = kept.iter().map(|r| r.items.len()).sum();
    let mut items = Vec::with_capacity(total);
    for run in &mut kept {
        items.append(&mut run.items);
    }
    (items, kept)
}

impl<T> Run<T> {
    fn empty(start: usize, stop: Stop) -> Self {
        Run {
            start,
            count: 0,
            items: Vec::new(),
            problems: Vec::new(),
            syntax_at: Vec::new(),
            stop,
        }
    }
}

/// Reads features from `start` (a feature's first byte) until the first
/// feature start at or past `limit`, or the end of the array, into the
/// run's own vector.
fn run_features<T>(b: &[u8], start: usize, limit: usize, build: Build<T>) -> Run<T> {
    let mut run = Run::empty(start, Stop::Broken(start));
    let mut found = Problems::default();
    let mut scratch = Vec::with_capacity(64);
    let mut p = start;
    run.stop = loop {
        if p >= limit {
            break Stop::Next(p);
        }
        let index = run.count;
        let end = match b.get(p) {
            Some(b'{') => match parse_feature(b, p, &mut scratch) {
                Ok((raw, end)) => {
                    found.id = None;
                    found.list.clear();
                    match build(raw, &mut found) {
                        Some(item) if found.list.is_empty() => run.items.push(item),
                        _ => {
                            for (field, kind) in found.list.drain(..) {
                                run.problems.push(FeatureProblem::new(
                                    index,
                                    found.id.clone(),
                                    field,
                                    kind,
                                ));
                            }
                        }
                    }
                    end
                }
                Err(syn) => {
                    // Malformed inside: find its end by braces, name it, go on.
                    let Ok(end) = object_end(b, p) else {
                        break Stop::Broken(syn.at);
                    };
                    run.syntax_at.push((run.problems.len(), syn.at));
                    run.problems.push(FeatureProblem::new(
                        index,
                        None,
                        "",
                        ProblemKind::Syntax {
                            line: 0,
                            column: 0,
                            message: syn.what.to_string(),
                        },
                    ));
                    end
                }
            },
            Some(&c) => {
                let mut cur = Cur { b, p };
                if cur.skip(0).is_err() {
                    break Stop::Broken(p);
                }
                run.problems.push(FeatureProblem::new(
                    index,
                    None,
                    "",
                    ProblemKind::NotAnObject {
                        found: JsonKind::of_first_byte(c),
                    },
                ));
                cur.p
            }
            None => break Stop::Broken(p),
        };
        run.count += 1;
        p = skip_ws(b, end);
        match b.get(p) {
            Some(b',') => p = skip_ws(b, p + 1),
            Some(b']') => break Stop::End(p + 1),
            _ => break Stop::Broken(p),
        }
    };
    run
}

/// A likely feature start at or after `from`: a `{` after a `,` that parses
/// as a feature-like object followed by `,` or `]`.
fn guess_feature_start(b: &[u8], from: usize) -> Option<usize> {
    let mut q = from;
    let mut scratch = Vec::new();
    for _ in 0..256 {
        let k = q + memchr::memchr(b'{', b.get(q..)?)?;
        let before = b[..k].iter().rposition(|&c| !is_ws(c));
        if before.map(|i| b[i]) == Some(b',')
            && let Ok((raw, end)) = parse_feature(b, k, &mut scratch)
            && (raw.kind.is_some() || raw.has_geometry)
            && matches!(b.get(skip_ws(b, end)), Some(b',' | b']'))
        {
            return Some(k);
        }
        q = k + 1;
    }
    None
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
        let off = off.min(bytes.len());
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
// The top level: find `features`, check `type`
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

/// `b[p]` is `{`; returns the offset just past the matching `}`, tracking
/// only strings and braces. Used to step over a malformed feature.
fn object_end(b: &[u8], p: usize) -> Result<usize, ScanError> {
    let mut depth = 0usize;
    let mut i = p;
    loop {
        let Some(k) = memchr3(b'"', b'{', b'}', &b[i..]) else {
            return Err(ScanError::Syntax(b.len()));
        };
        let at = i + k;
        match b[at] {
            b'"' => {
                let mut cur = Cur { b, p: at };
                cur.string().map_err(|e| ScanError::Syntax(e.at))?;
                i = cur.p;
            }
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
    let mut cur = Cur { b, p };
    cur.skip(0).map_err(|e| ScanError::Syntax(e.at))?;
    Ok(cur.p)
}

/// Walks the top-level object; `features` is handed the offset of the
/// array's `[` and returns the offset just past its `]`.
fn walk_top_level(
    b: &[u8],
    mut features: impl FnMut(usize) -> Result<usize, ScanError>,
) -> Result<(), ScanError> {
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
            let key_end = value_end(b, p)?;
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
                    p = features(p)?;
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

/// A key, unescaped; `None` if it is not a valid string.
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
// One feature: a small hand-written JSON parser over the bytes
// ---------------------------------------------------------------------------

/// Malformed JSON at a byte offset.
#[derive(Debug, Clone, Copy)]
struct Syn {
    at: usize,
    what: &'static str,
}

/// Member names we look at; everything else is skipped.
#[derive(Clone, Copy)]
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

impl Key {
    fn of_name(name: &[u8]) -> Key {
        match name {
            b"type" => Key::Type,
            b"id" => Key::Id,
            b"properties" => Key::Properties,
            b"geometry" => Key::Geometry,
            b"coordinates" => Key::Coordinates,
            b"name" => Key::Name,
            b"current_width_m" | b"cur_w_m" => Key::CurrentWidth,
            b"planned_width_m" | b"plan_w_m" => Key::PlannedWidth,
            b"planned_left_m" | b"plan_l_m" => Key::PlannedLeft,
            b"planned_right_m" | b"plan_r_m" => Key::PlannedRight,
            b"map_sheet" => Key::MapSheet,
            b"parcel_no" => Key::ParcelNo,
            b"owner" => Key::Owner,
            b"residential_group" | b"res_group" => Key::ResidentialGroup,
            b"land_use" => Key::LandUse,
            b"segment_id" => Key::SegmentId,
            _ => Key::Other,
        }
    }
}

/// The members of a feature we use, as raw JSON text (`null` left out).
#[derive(Default)]
struct RawFeature<'a> {
    kind: Option<&'a [u8]>,
    id: Option<&'a [u8]>,
    props: RawProps<'a>,
    /// `properties` was something other than an object or null.
    props_not_object: Option<JsonKind>,
    /// The feature has a `geometry` member (even null).
    has_geometry: bool,
    geometry: GeometrySlot<'a>,
}

#[derive(Default)]
struct RawProps<'a> {
    id: Option<&'a [u8]>,
    name: Option<&'a [u8]>,
    current_width_m: Option<&'a [u8]>,
    planned_width_m: Option<&'a [u8]>,
    planned_left_m: Option<&'a [u8]>,
    planned_right_m: Option<&'a [u8]>,
    map_sheet: Option<&'a [u8]>,
    parcel_no: Option<&'a [u8]>,
    owner: Option<&'a [u8]>,
    residential_group: Option<&'a [u8]>,
    land_use: Option<&'a [u8]>,
    segment_id: Option<&'a [u8]>,
}

#[derive(Default)]
enum GeometrySlot<'a> {
    #[default]
    Null,
    NotObject(JsonKind),
    Geometry {
        kind: Option<&'a [u8]>,
        coords: Option<AnyCoords>,
    },
}

/// Coordinates of any nesting depth, read without knowing the geometry type
/// (`coordinates` may come before `type`).
#[derive(Debug)]
enum AnyCoords {
    /// `[]`
    Empty,
    /// A list of `n` empty lists: `[[], []]`.
    Empties(usize),
    Pos([f64; 2]),
    L1(Vec<[f64; 2]>),
    L2(Vec<Vec<[f64; 2]>>),
    L3(Vec<Vec<Vec<[f64; 2]>>>),
    Bad(CoordProblem),
}

/// Parses the feature object whose `{` is at `start`; returns its members
/// and the offset just past its `}`.
fn parse_feature<'a>(
    b: &'a [u8],
    start: usize,
    scratch: &mut Vec<[f64; 2]>,
) -> Result<(RawFeature<'a>, usize), Syn> {
    let mut c = Cur { b, p: start };
    let mut f = RawFeature::default();
    c.members(|c, key| {
        match key {
            Key::Type => f.kind = c.raw()?,
            Key::Id => f.id = c.raw()?,
            Key::Properties => match c.peek() {
                b'{' => c.members(|c, key| {
                    let slot = match key {
                        Key::Id => &mut f.props.id,
                        Key::Name => &mut f.props.name,
                        Key::CurrentWidth => &mut f.props.current_width_m,
                        Key::PlannedWidth => &mut f.props.planned_width_m,
                        Key::PlannedLeft => &mut f.props.planned_left_m,
                        Key::PlannedRight => &mut f.props.planned_right_m,
                        Key::MapSheet => &mut f.props.map_sheet,
                        Key::ParcelNo => &mut f.props.parcel_no,
                        Key::Owner => &mut f.props.owner,
                        Key::ResidentialGroup => &mut f.props.residential_group,
                        Key::LandUse => &mut f.props.land_use,
                        Key::SegmentId => &mut f.props.segment_id,
                        _ => {
                            c.skip(1)?;
                            return Ok(());
                        }
                    };
                    *slot = c.raw()?;
                    Ok(())
                })?,
                b'n' => {
                    c.skip(1)?;
                }
                other => {
                    c.skip(1)?;
                    f.props_not_object = Some(JsonKind::of_first_byte(other));
                }
            },
            Key::Geometry => {
                f.has_geometry = true;
                f.geometry = match c.peek() {
                    b'{' => {
                        let mut kind = None;
                        let mut coords = None;
                        c.members(|c, key| {
                            match key {
                                Key::Type => kind = c.raw()?,
                                Key::Coordinates => coords = c.coordinates(scratch)?,
                                _ => {
                                    c.skip(2)?;
                                }
                            }
                            Ok(())
                        })?;
                        GeometrySlot::Geometry { kind, coords }
                    }
                    b'n' => {
                        c.skip(1)?;
                        GeometrySlot::Null
                    }
                    other => {
                        c.skip(1)?;
                        GeometrySlot::NotObject(JsonKind::of_first_byte(other))
                    }
                };
            }
            _ => {
                c.skip(1)?;
            }
        }
        Ok(())
    })?;
    Ok((f, c.p))
}

/// Deepest nesting `skip` follows (as serde_json's default).
const MAX_DEPTH: u32 = 128;

fn is_number_start(c: u8) -> bool {
    c == b'-' || c.is_ascii_digit()
}

/// Exact powers of ten for the fast float path.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A mask with the high bit set in the first byte of a little-endian word
/// that is `"` or `\\` (bits above it may be set too); 0 if there is none.
#[inline]
fn quote_or_backslash(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let q = word ^ (ONES * u64::from(b'"'));
    let s = word ^ (ONES * u64::from(b'\\'));
    ((q.wrapping_sub(ONES) & !q) | (s.wrapping_sub(ONES) & !s)) & HIGHS
}

/// The value of eight ASCII digits read as a little-endian word, or `None`
/// if any byte is not a digit (SWAR, as in fast_float).
#[inline]
fn eight_digits(word: u64) -> Option<u64> {
    let low = word.wrapping_sub(0x3030_3030_3030_3030);
    let high = word.wrapping_add(0x4646_4646_4646_4646);
    if (low | high) & 0x8080_8080_8080_8080 != 0 {
        return None;
    }
    let v = low.wrapping_mul(10).wrapping_add(low >> 8);
    let v = (v & 0x0000_00FF_0000_00FF)
        .wrapping_mul(0x000F_4240_0000_0064)
        .wrapping_add(((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(0x0000_2710_0000_0001))
        >> 32;
    Some(v & 0xFFFF_FFFF)
}

struct Cur<'a> {
    b: &'a [u8],
    p: usize,
}

impl<'a> Cur<'a> {
    #[inline]
    fn ws(&mut self) {
        while self.p < self.b.len() && is_ws(self.b[self.p]) {
            self.p += 1;
        }
    }

    /// The byte at the cursor, 0 at the end.
    #[inline]
    fn peek(&self) -> u8 {
        self.b.get(self.p).copied().unwrap_or(0)
    }

    fn fail<T>(&self, what: &'static str) -> Result<T, Syn> {
        Err(Syn { at: self.p, what })
    }

    /// The cursor is on `{`: calls `member` with the cursor on each value
    /// (whitespace skipped); `member` must consume the value.
    #[inline]
    fn members(
        &mut self,
        mut member: impl FnMut(&mut Self, Key) -> Result<(), Syn>,
    ) -> Result<(), Syn> {
        self.p += 1;
        self.ws();
        if self.peek() == b'}' {
            self.p += 1;
            return Ok(());
        }
        loop {
            if self.peek() != b'"' {
                return self.fail("expected a member name");
            }
            let key = self.key()?;
            self.ws();
            if self.peek() != b':' {
                return self.fail("expected ':'");
            }
            self.p += 1;
            self.ws();
            member(self, key)?;
            self.ws();
            match self.peek() {
                b',' => {
                    self.p += 1;
                    self.ws();
                }
                b'}' => {
                    self.p += 1;
                    return Ok(());
                }
                _ => return self.fail("expected ',' or '}'"),
            }
        }
    }

    /// The cursor is on `"`: returns the whole string, quotes included.
    #[inline]
    fn string(&mut self) -> Result<&'a [u8], Syn> {
        self.string_escaped().map(|(s, _)| s)
    }

    /// As [`Cur::string`], also telling whether it holds a `\\` escape.
    #[inline]
    fn string_escaped(&mut self) -> Result<(&'a [u8], bool), Syn> {
        let b = self.b;
        let start = self.p;
        let mut i = start + 1;
        let mut escaped = false;
        loop {
            // Eight bytes at a time up to a quote or a backslash.
            while let Some(eight) = b.get(i..i + 8) {
                let hits =
                    quote_or_backslash(u64::from_le_bytes(eight.try_into().unwrap_or_default()));
                if hits != 0 {
                    i += (hits.trailing_zeros() / 8) as usize;
                    break;
                }
                i += 8;
            }
            match b.get(i) {
                Some(b'"') => {
                    self.p = i + 1;
                    return Ok((&b[start..self.p], escaped));
                }
                Some(b'\\') => {
                    escaped = true;
                    i += 2;
                }
                Some(_) => i += 1,
                None => {
                    self.p = b.len();
                    return self.fail("unterminated string");
                }
            }
        }
    }

    /// The cursor is on a member name: which one.
    #[inline]
    fn key(&mut self) -> Result<Key, Syn> {
        let (quoted, escaped) = self.string_escaped()?;
        if escaped {
            return Ok(match decode_key(quoted) {
                Some(k) => Key::of_name(k.as_bytes()),
                None => Key::Other,
            });
        }
        Ok(Key::of_name(&quoted[1..quoted.len() - 1]))
    }

    /// Returns the raw text of the value at the cursor; `None` for `null`.
    #[inline]
    fn raw(&mut self) -> Result<Option<&'a [u8]>, Syn> {
        let v = self.skip(1)?;
        Ok(if v == b"null" { None } else { Some(v) })
    }

    /// The cursor is on a number: checks JSON's number grammar, returns it.
    fn number(&mut self) -> Result<&'a [u8], Syn> {
        let b = self.b;
        let start = self.p;
        let mut i = start;
        let digits = |i: &mut usize| {
            let s = *i;
            while *i < b.len() && b[*i].is_ascii_digit() {
                *i += 1;
            }
            *i > s
        };
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        if b.get(i) == Some(&b'0') {
            i += 1;
        } else if !digits(&mut i) {
            self.p = i;
            return self.fail("invalid number");
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            if !digits(&mut i) {
                self.p = i;
                return self.fail("invalid number");
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if !digits(&mut i) {
                self.p = i;
                return self.fail("invalid number");
            }
        }
        self.p = i;
        Ok(&b[start..i])
    }

    /// The cursor is on a number: its value, correctly rounded. Plain
    /// decimals of up to 19 digits with at most 22 after the point (every
    /// coordinate in practice) take an exact fast path: the digits as an
    /// integer below 2^53, divided once by an exact power of ten; anything
    /// else goes to the standard library's parser.
    #[inline]
    #[allow(clippy::cast_precision_loss)]
    fn float(&mut self) -> Result<f64, Syn> {
        let b = self.b;
        let start = self.p;
        let neg = b.get(start) == Some(&b'-');
        let int_start = start + usize::from(neg);
        let mut i = int_start;
        let mut mantissa: u64 = 0;
        while let Some(&c) = b.get(i) {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
            i += 1;
        }
        let int_digits = i - int_start;
        let mut frac_digits = 0;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let frac_start = i;
            if int_digits <= 11
                && let Some(eight) = b.get(i..i + 8)
                && let Some(value) =
                    eight_digits(u64::from_le_bytes(eight.try_into().unwrap_or_default()))
            {
                mantissa = mantissa * 100_000_000 + value;
                i += 8;
            }
            while let Some(&c) = b.get(i) {
                let d = c.wrapping_sub(b'0');
                if d > 9 {
                    break;
                }
                mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
                i += 1;
            }
            frac_digits = i - frac_start;
            if frac_digits == 0 {
                return self.float_slow(start);
            }
        }
        let fast = int_digits > 0
            && int_digits + frac_digits <= 19
            && frac_digits <= 22
            && mantissa <= 1 << 53
            && (int_digits == 1 || b[int_start] != b'0')
            && !matches!(b.get(i), Some(b'e' | b'E'));
        if !fast {
            return self.float_slow(start);
        }
        self.p = i;
        let v = mantissa as f64 / POW10[frac_digits];
        Ok(if neg { -v } else { v })
    }

    #[cold]
    fn float_slow(&mut self, start: usize) -> Result<f64, Syn> {
        self.p = start;
        let text = self.number()?;
        std::str::from_utf8(text)
            .ok()
            .and_then(|t| t.parse::<f64>().ok())
            .ok_or(Syn {
                at: start,
                what: "invalid number",
            })
    }

    /// Skips the value at the cursor (checking it is well-formed JSON) and
    /// returns its raw text.
    fn skip(&mut self, depth: u32) -> Result<&'a [u8], Syn> {
        let start = self.p;
        match self.peek() {
            b'"' => {
                self.string()?;
            }
            b'{' => {
                if depth > MAX_DEPTH {
                    return self.fail("nested too deep");
                }
                self.members(|c, _| c.skip(depth + 1).map(|_| ()))?;
            }
            b'[' => {
                if depth > MAX_DEPTH {
                    return self.fail("nested too deep");
                }
                self.p += 1;
                self.ws();
                if self.peek() == b']' {
                    self.p += 1;
                } else {
                    loop {
                        self.skip(depth + 1)?;
                        self.ws();
                        match self.peek() {
                            b',' => {
                                self.p += 1;
                                self.ws();
                            }
                            b']' => {
                                self.p += 1;
                                break;
                            }
                            _ => return self.fail("expected ',' or ']'"),
                        }
                    }
                }
            }
            b't' => self.literal(b"true")?,
            b'f' => self.literal(b"false")?,
            b'n' => self.literal(b"null")?,
            c if is_number_start(c) => {
                self.number()?;
            }
            0 => return self.fail("unexpected end of input"),
            _ => return self.fail("expected a value"),
        }
        Ok(&self.b[start..self.p])
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), Syn> {
        if self.b[self.p..].starts_with(word) {
            self.p += word.len();
            Ok(())
        } else {
            self.fail("expected a value")
        }
    }

    /// The `coordinates` member: `None` for null; shape problems become
    /// `AnyCoords::Bad` once the value is known to be well-formed JSON.
    fn coordinates(&mut self, scratch: &mut Vec<[f64; 2]>) -> Result<Option<AnyCoords>, Syn> {
        let start = self.p;
        let parsed = match self.peek() {
            b'[' => self.coords(scratch, 0),
            b'n' => {
                self.skip(1)?;
                return Ok(None);
            }
            _ => Err(CoordProblem::WrongNesting),
        };
        match parsed {
            Ok(c) => Ok(Some(c)),
            Err(why) => {
                self.p = start;
                self.skip(1)?;
                Ok(Some(AnyCoords::Bad(why)))
            }
        }
    }

    /// The cursor is on `[`. Any failure is reported as a coordinate
    /// problem; the caller re-reads the value to tell bad JSON apart.
    fn coords(
        &mut self,
        scratch: &mut Vec<[f64; 2]>,
        depth: u32,
    ) -> Result<AnyCoords, CoordProblem> {
        use AnyCoords as C;
        if depth > 4 {
            return Err(CoordProblem::WrongNesting);
        }
        self.p += 1;
        self.ws();
        let c = self.peek();
        if c == b']' {
            self.p += 1;
            return Ok(C::Empty);
        }
        if is_number_start(c) {
            return self.position().map(C::Pos);
        }
        let mut leading_empty = 0usize;
        let first = loop {
            if self.peek() != b'[' {
                return Err(Self::not_a_list(self.peek()));
            }
            match self.coords(scratch, depth + 1)? {
                C::Empty => {
                    leading_empty += 1;
                    if !self.next_element()? {
                        return Ok(C::Empties(leading_empty));
                    }
                }
                other => break other,
            }
        };
        match first {
            C::Pos(p) => {
                if leading_empty > 0 {
                    return Err(CoordProblem::ShortPosition);
                }
                scratch.clear();
                scratch.push(p);
                while self.next_element()? {
                    if self.peek() != b'[' {
                        return Err(Self::not_a_list(self.peek()));
                    }
                    self.p += 1;
                    self.ws();
                    match self.peek() {
                        c if is_number_start(c) => scratch.push(self.position()?),
                        b']' => return Err(CoordProblem::ShortPosition),
                        b'[' => return Err(CoordProblem::WrongNesting),
                        _ => return Err(CoordProblem::NotNumber),
                    }
                }
                Ok(C::L1(scratch.as_slice().to_vec()))
            }
            C::L1(line) => {
                let mut lines = Vec::with_capacity(leading_empty + 1);
                lines.resize_with(leading_empty, Vec::new);
                lines.push(line);
                while self.next_element()? {
                    if self.peek() != b'[' {
                        return Err(Self::not_a_list(self.peek()));
                    }
                    match self.coords(scratch, depth + 1)? {
                        C::L1(line) => lines.push(line),
                        C::Empty => lines.push(Vec::new()),
                        _ => return Err(CoordProblem::WrongNesting),
                    }
                }
                Ok(C::L2(lines))
            }
            C::L2(_) | C::Empties(_) => {
                let mut polys = Vec::with_capacity(leading_empty + 1);
                polys.resize_with(leading_empty, Vec::new);
                let mut next = first;
                loop {
                    match next {
                        C::L2(rings) => polys.push(rings),
                        C::Empties(n) => polys.push(vec![Vec::new(); n]),
                        C::Empty => polys.push(Vec::new()),
                        _ => return Err(CoordProblem::WrongNesting),
                    }
                    if !self.next_element()? {
                        return Ok(C::L3(polys));
                    }
                    if self.peek() != b'[' {
                        return Err(Self::not_a_list(self.peek()));
                    }
                    next = self.coords(scratch, depth + 1)?;
                }
            }
            C::L3(_) | C::Empty | C::Bad(_) => Err(CoordProblem::WrongNesting),
        }
    }

    fn not_a_list(c: u8) -> CoordProblem {
        if is_number_start(c) {
            CoordProblem::WrongNesting
        } else {
            CoordProblem::NotNumber
        }
    }

    /// After a list element: `true` if a `,` follows (cursor on the next
    /// element), `false` past the closing `]`.
    #[inline]
    fn next_element(&mut self) -> Result<bool, CoordProblem> {
        self.ws();
        match self.peek() {
            b',' => {
                self.p += 1;
                self.ws();
                Ok(true)
            }
            b']' => {
                self.p += 1;
                Ok(false)
            }
            _ => Err(CoordProblem::NotNumber),
        }
    }

    /// The cursor is on the first number of a position (its `[` consumed).
    #[inline]
    fn position(&mut self) -> Result<[f64; 2], CoordProblem> {
        let x = self.float().map_err(|_| CoordProblem::NotNumber)?;
        self.ws();
        match self.peek() {
            b',' => self.p += 1,
            b']' => return Err(CoordProblem::ShortPosition),
            _ => return Err(CoordProblem::NotNumber),
        }
        self.ws();
        if !is_number_start(self.peek()) {
            return Err(CoordProblem::NotNumber);
        }
        let y = self.float().map_err(|_| CoordProblem::NotNumber)?;
        // Altitude and beyond are allowed and dropped.
        while self.next_element()? {
            if !is_number_start(self.peek()) {
                return Err(CoordProblem::NotNumber);
            }
            self.float().map_err(|_| CoordProblem::NotNumber)?;
        }
        Ok([x, y])
    }
}

// ---------------------------------------------------------------------------
// From raw members to input types
// ---------------------------------------------------------------------------

/// The text of a JSON string value, unescaped; `None` if it is not valid
/// UTF-8 or has a bad escape.
fn string_of(raw: &[u8]) -> Option<String> {
    let inner = &raw[1..raw.len() - 1];
    if memchr::memchr(b'\\', inner).is_none() {
        std::str::from_utf8(inner).ok().map(str::to_string)
    } else {
        serde_json::from_slice::<String>(raw).ok()
    }
}

/// Raw text known to be ASCII (a number, a literal).
fn ascii(raw: &[u8]) -> String {
    std::str::from_utf8(raw)
        .map_or_else(|_| String::from_utf8_lossy(raw).into_owned(), str::to_owned)
}

fn kind_of(raw: &[u8]) -> JsonKind {
    JsonKind::of_first_byte(raw[0])
}

/// A number or string id, numbers kept as written.
fn id_of(raw: &[u8]) -> Result<FeatureId, ProblemKind> {
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
fn feature_id(f: &RawFeature<'_>, found: &mut Problems, required: bool) -> Option<FeatureId> {
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
fn text_prop(raw: Option<&[u8]>, field: &'static str, found: &mut Problems) -> Option<String> {
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
fn number_prop(raw: Option<&[u8]>, field: &'static str, found: &mut Problems) -> Option<f64> {
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
fn common(f: &RawFeature<'_>, found: &mut Problems, required: bool) -> Option<FeatureId> {
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
fn clean(found: &mut Problems, id: &mut Option<FeatureId>) -> Option<()> {
    if found.list.is_empty() {
        Some(())
    } else {
        found.id = id.take();
        None
    }
}

/// The geometry's type (as written, unquoted) and coordinates, or a problem.
fn geometry(
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

fn build_parcel(mut f: RawFeature<'_>, found: &mut Problems) -> Option<ParcelInput> {
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

fn build_corridor(mut f: RawFeature<'_>, found: &mut Problems) -> Option<CorridorInput> {
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
    fn order_is_kept_across_many_chunks() {
        let n = 5000;
        let features: Vec<String> = (0..n).map(|i| parcel(&i.to_string(), SQUARE)).collect();
        let text = format!(
            "\u{feff}{{\"bbox\":[1,2,3,4],\"features\":[{}],\"crs\":{{\"a\":\"}}\"}},\"type\":\"FeatureCollection\"}}\n",
            features.join(",\n")
        );
        for chunk in [1, 100, 997, 1 << 20] {
            let parcels = read_layer_in_chunks(text.as_bytes(), build_parcel, chunk).unwrap();
            assert_eq!(parcels.len(), n);
            for (i, p) in parcels.iter().enumerate() {
                assert_eq!(p.id, FeatureId::Number(i.to_string()));
            }
        }
    }

    #[test]
    fn objects_that_look_like_features_inside_properties_do_not_break_the_order() {
        let decoy = r#"{"type":"Feature","geometry":null}"#;
        let features: Vec<String> = (0..300)
            .map(|i| {
                format!(
                    r#"{{"type":"Feature","properties":{{"id":{i},"history":[{decoy},{decoy},{{"note":"x,{{\"type\":1}}"}}]}},"geometry":{SQUARE}}}"#
                )
            })
            .collect();
        let text = fc(&features.join(","));
        for chunk in [1, 50, 333, 4096] {
            let parcels = read_layer_in_chunks(text.as_bytes(), build_parcel, chunk).unwrap();
            let ids: Vec<String> = parcels.iter().map(|p| p.id.to_string()).collect();
            let want: Vec<String> = (0..300).map(|i| i.to_string()).collect();
            assert_eq!(ids, want, "chunk {chunk}");
        }
    }

    /// Counts live values, to check every feature read is dropped exactly
    /// once, also when chunks are re-read or the read fails.
    static LIVE: std::sync::atomic::AtomicIsize = std::sync::atomic::AtomicIsize::new(0);

    #[derive(Debug)]
    struct Counted(String);

    impl Drop for Counted {
        fn drop(&mut self) {
            LIVE.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    fn build_counted(f: RawFeature<'_>, found: &mut Problems) -> Option<Counted> {
        let id = common(&f, found, true)?;
        LIVE.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Some(Counted(id.to_string()))
    }

    #[test]
    fn uneven_features_and_wrong_guesses_keep_order_and_drop_each_feature_once() {
        let decoy = r#"{"type":"Feature","geometry":null}"#;
        let big: String = (0..400).map(|k| format!("[105.8{k:04},19.51],")).collect();
        let features: Vec<String> = (0..600)
            .map(|i| {
                let extra = if i > 300 && i % 3 == 0 { big.as_str() } else { "" };
                format!(
                    r#"{{"type":"Feature","properties":{{"id":{i},"h":[{decoy},{decoy}]}},"geometry":{{"type":"Polygon","coordinates":[[{extra}[105.8,19.51],[105.8001,19.51],[105.8001,19.5101],[105.8,19.51]]]}}}}"#
                )
            })
            .collect();
        let text = fc(&features.join(","));
        for chunk in [1, 500, 5000, 1 << 20] {
            let got = read_layer_in_chunks(text.as_bytes(), build_counted, chunk).unwrap();
            let ids: Vec<String> = got.iter().map(|c| c.0.clone()).collect();
            let want: Vec<String> = (0..600).map(|i| i.to_string()).collect();
            assert_eq!(ids, want, "chunk {chunk}");
            drop(got);
            assert_eq!(
                LIVE.load(std::sync::atomic::Ordering::SeqCst),
                0,
                "chunk {chunk}"
            );
        }
        // Even features slide down in place.
        let even: Vec<String> = (0..3000).map(|i| parcel(&i.to_string(), SQUARE)).collect();
        let text_even = fc(&even.join(","));
        let got = read_layer_in_chunks(text_even.as_bytes(), build_counted, 10_000).unwrap();
        assert!(got.iter().enumerate().all(|(i, c)| c.0 == i.to_string()));
        drop(got);
        assert_eq!(LIVE.load(std::sync::atomic::Ordering::SeqCst), 0);
        // And on the error path.
        let mut broken = features.clone();
        broken[450] = r#"{"type":"Feature","properties":{},"geometry":null}"#.into();
        let text = fc(&broken.join(","));
        for chunk in [1, 500, 1 << 20] {
            assert!(read_layer_in_chunks(text.as_bytes(), build_counted, chunk).is_err());
            assert_eq!(
                LIVE.load(std::sync::atomic::Ordering::SeqCst),
                0,
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn problems_are_numbered_by_file_position_across_chunks() {
        let features: Vec<String> = (0..400)
            .map(|i| {
                if i % 100 == 7 {
                    parcel(&i.to_string(), "null")
                } else {
                    parcel(&i.to_string(), SQUARE)
                }
            })
            .collect();
        let text = fc(&features.join(","));
        for chunk in [1, 200, 1 << 20] {
            let p =
                problems(read_layer_in_chunks(text.as_bytes(), build_parcel, chunk).unwrap_err());
            let at: Vec<usize> = p.iter().map(|p| p.index).collect();
            assert_eq!(at, vec![7, 107, 207, 307]);
        }
    }

    #[test]
    fn floats_are_read_exactly_as_the_standard_library_reads_them() {
        let mut texts: Vec<String> = [
            "0",
            "-0",
            "0.0",
            "1",
            "-1",
            "105.79443827",
            "19.50434227",
            "-105.123456789012345",
            "0.1",
            "0.30000000000000004",
            "9007199254740993",
            "12345678901234567890",
            "1e5",
            "1.5E-3",
            "-2.5e+2",
            "123456789012.12345678",
            "0.000000000000000000001234",
            "1.7976931348623157e308",
            "5e-324",
            "105.7944382700000000000001",
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let int = x % 1000;
            let frac = (x >> 20) % 10u64.pow(((x >> 60) % 16) as u32 + 1);
            let width = ((x >> 56) % 16) as usize + 1;
            texts.push(format!("{int}.{frac:0width$}"));
        }
        for text in &texts {
            let mut cur = Cur {
                b: text.as_bytes(),
                p: 0,
            };
            let got = cur.float().unwrap();
            let want: f64 = text.parse().unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{text}");
            assert_eq!(cur.p, text.len(), "{text}");
        }
        for bad in ["-", "1.", ".5", "01", "1e", "--1"] {
            let mut cur = Cur {
                b: bad.as_bytes(),
                p: 0,
            };
            let ok = cur.float().is_ok() && cur.p == bad.len();
            assert!(!ok, "{bad}");
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
