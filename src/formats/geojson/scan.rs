//! The driver (split `features` into chunks, parse them in parallel,
//! stitch) and the top-level scan to `features`.

use super::*;

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
pub(super) const MIN_CHUNK_BYTES: usize = 1 << 20;
/// Chunks per rayon thread, for load balance.
pub(super) const CHUNKS_PER_THREAD: usize = 8;

/// How one run over the `features` array ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stop {
    /// At the start of the next feature, at or past the run's limit.
    Next(usize),
    /// Past the closing `]` of the array.
    End(usize),
    /// The array itself is malformed here (not a single feature).
    Broken(usize),
}

/// The features read by one run, in order.
pub(super) struct Run<T> {
    start: usize,
    count: usize,
    items: Vec<T>,
    /// Problems with `index` counted from the run's first feature.
    problems: Vec<FeatureProblem>,
    /// For syntax problems: (position in `problems`, byte offset in file).
    syntax_at: Vec<(usize, usize)>,
    stop: Stop,
}

pub(super) type Build<T> = fn(RawFeature<'_>, &mut Problems) -> Option<T>;

pub(super) fn read_layer<T: Send>(bytes: &[u8], build: Build<T>) -> Result<Vec<T>, ReadError> {
    read_layer_in_chunks(bytes, build, MIN_CHUNK_BYTES)
}

pub(super) fn read_layer_in_chunks<T: Send>(
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
pub(super) fn parse_features<T: Send>(
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
pub(super) fn run_features<T>(b: &[u8], start: usize, limit: usize, build: Build<T>) -> Run<T> {
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
pub(super) fn guess_feature_start(b: &[u8], from: usize) -> Option<usize> {
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
pub(super) struct Problems {
    pub(super) id: Option<FeatureId>,
    pub(super) list: Vec<(&'static str, ProblemKind)>,
}

impl Problems {
    pub(super) fn push(&mut self, field: &'static str, kind: ProblemKind) {
        self.list.push((field, kind));
    }
}

/// serde_json's message without its " at line L column C" suffix.
pub(super) fn bare_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    match full.rfind(" at line ") {
        Some(cut) => full[..cut].to_string(),
        None => full,
    }
}

/// 1-based line and column of a byte offset (column counted in bytes, as
/// serde_json does).
pub(super) fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let offset = offset.min(bytes.len());
    let before = &bytes[..offset];
    let line = 1 + memchr::memchr_iter(b'\n', before).count();
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    (line, offset - line_start + 1)
}

/// Fills in line/column of syntax problems in one pass over the file.
pub(super) fn locate_syntax_problems(
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
pub(super) enum ScanError {
    /// Malformed JSON near this offset.
    Syntax(usize),
    /// Well-formed so far, but not a FeatureCollection.
    Shape(NotCollection, usize),
}

pub(super) fn scan_error(bytes: &[u8], e: ScanError) -> ReadError {
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

pub(super) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

pub(super) fn skip_ws(b: &[u8], mut p: usize) -> usize {
    while p < b.len() && is_ws(b[p]) {
        p += 1;
    }
    p
}

pub(super) fn byte_at(b: &[u8], p: usize) -> Result<u8, ScanError> {
    b.get(p).copied().ok_or(ScanError::Syntax(p))
}

/// `b[p]` is `{`; returns the offset just past the matching `}`, tracking
/// only strings and braces. Used to step over a malformed feature.
pub(super) fn object_end(b: &[u8], p: usize) -> Result<usize, ScanError> {
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
pub(super) fn value_end(b: &[u8], p: usize) -> Result<usize, ScanError> {
    let mut cur = Cur { b, p };
    cur.skip(0).map_err(|e| ScanError::Syntax(e.at))?;
    Ok(cur.p)
}

/// Walks the top-level object; `features` is handed the offset of the
/// array's `[` and returns the offset just past its `]`.
pub(super) fn walk_top_level(
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
pub(super) fn decode_key(quoted: &[u8]) -> Option<Cow<'_, str>> {
    let inner = &quoted[1..quoted.len() - 1];
    if memchr::memchr(b'\\', inner).is_none() {
        std::str::from_utf8(inner).ok().map(Cow::Borrowed)
    } else {
        serde_json::from_slice::<String>(quoted)
            .ok()
            .map(Cow::Owned)
    }
}
