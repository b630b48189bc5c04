//! One feature: a small hand-written JSON parser over the bytes.

use super::*;

/// Malformed JSON at a byte offset.
#[derive(Debug, Clone, Copy)]
pub(super) struct Syn {
    pub(super) at: usize,
    pub(super) what: &'static str,
}

/// Member names we look at; everything else is skipped.
#[derive(Clone, Copy)]
pub(super) enum Key {
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
pub(super) struct RawFeature<'a> {
    pub(super) kind: Option<&'a [u8]>,
    pub(super) id: Option<&'a [u8]>,
    pub(super) props: RawProps<'a>,
    /// `properties` was something other than an object or null.
    pub(super) props_not_object: Option<JsonKind>,
    /// The feature has a `geometry` member (even null).
    pub(super) has_geometry: bool,
    pub(super) geometry: GeometrySlot<'a>,
}

#[derive(Default)]
pub(super) struct RawProps<'a> {
    pub(super) id: Option<&'a [u8]>,
    pub(super) name: Option<&'a [u8]>,
    pub(super) current_width_m: Option<&'a [u8]>,
    pub(super) planned_width_m: Option<&'a [u8]>,
    pub(super) planned_left_m: Option<&'a [u8]>,
    pub(super) planned_right_m: Option<&'a [u8]>,
    pub(super) map_sheet: Option<&'a [u8]>,
    pub(super) parcel_no: Option<&'a [u8]>,
    pub(super) owner: Option<&'a [u8]>,
    pub(super) residential_group: Option<&'a [u8]>,
    pub(super) land_use: Option<&'a [u8]>,
    pub(super) segment_id: Option<&'a [u8]>,
}

#[derive(Default)]
pub(super) enum GeometrySlot<'a> {
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
pub(super) enum AnyCoords {
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
pub(super) fn parse_feature<'a>(
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
pub(super) const MAX_DEPTH: u32 = 128;

pub(super) fn is_number_start(c: u8) -> bool {
    c == b'-' || c.is_ascii_digit()
}

/// Exact powers of ten for the fast float path.
pub(super) const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A mask with the high bit set in the first byte of a little-endian word
/// that is `"` or `\\` (bits above it may be set too); 0 if there is none.
#[inline]
pub(super) fn quote_or_backslash(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let q = word ^ (ONES * u64::from(b'"'));
    let s = word ^ (ONES * u64::from(b'\\'));
    ((q.wrapping_sub(ONES) & !q) | (s.wrapping_sub(ONES) & !s)) & HIGHS
}

/// The value of eight ASCII digits read as a little-endian word, or `None`
/// if any byte is not a digit (SWAR, as in fast_float).
#[inline]
pub(super) fn eight_digits(word: u64) -> Option<u64> {
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

pub(super) struct Cur<'a> {
    pub(super) b: &'a [u8],
    pub(super) p: usize,
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
    pub(super) fn string(&mut self) -> Result<&'a [u8], Syn> {
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
    pub(super) fn float(&mut self) -> Result<f64, Syn> {
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
    pub(super) fn skip(&mut self, depth: u32) -> Result<&'a [u8], Syn> {
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
