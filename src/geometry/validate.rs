//! Validation of input features, naming the culprit.
//!
//! Pure functions over the campaign's input types, in WGS84 lon/lat degrees.
//! [`validate`] reports every problem it finds — never only the first — as
//! an [`Issue`] naming the layer, the feature (position and id), a typed
//! [`Reason`] and, where it helps, the place (`at`, lon/lat). [`repair`]
//! fixes what can be fixed without guessing (open rings, repeated points,
//! self-intersecting rings) and says what it changed.
//!
//! Errors:
//! - a coordinate that is NaN or infinite; outside lon ±180 / lat ±90; or
//!   plainly swapped (`[lat, lon]`: the second value outside ±90 but within
//!   ±180 and the first within ±90 — a point of Vietnam written as
//!   `[19.5, 105.8]` is the usual case);
//! - a ring that is not closed, has fewer than 4 positions (3 distinct
//!   corners), crosses or touches itself (a proper crossing of two edges, a
//!   corner lying on another edge, two corners at one place, or an edge
//!   folding back on the previous one), or — for a hole — lies outside its
//!   exterior ring;
//! - a line with fewer than 2 distinct points; a feature with no geometry;
//! - two parcels (or two segments) with the same id: both positions named;
//! - a segment without a usable planned width: `planned_width_m`, or both
//!   `planned_left_m` and `planned_right_m`, in (0, 100] m;
//! - a corridor whose `segment_id` names no segment.
//!
//! Warnings:
//! - a feature far from the rest of the data: the centre of its bounding box
//!   is more than `max(20 km, 5 × the median distance)` from the median
//!   centre of all features (the median of longitudes and of latitudes,
//!   taken separately, over at most 100 000 features evenly spaced through
//!   the input). Medians ignore a minority of stray features, so one
//!   mistyped parcel cannot move the centre it is measured from; the
//!   5 × median term keeps a district-wide file from being flagged;
//! - a planned width not larger than the current width; `planned_width_m`
//!   differing from `planned_left_m + planned_right_m` by more than 1 cm;
//! - a parcel whose area is zero (under 0.01 m²).
//!
//! Self-intersection is checked edge against edge: every pair for rings of
//! up to 32 edges (the 4–7 corner parcels of a ward cost a few dozen
//! orientation tests), an R-tree of edge boxes above that. Orientation tests
//! are exact (robust predicates), so a corner lying on an edge is found
//! however the floating point falls.

use std::collections::{HashMap, HashSet};
use std::fmt;

use geo::algorithm::kernels::{Kernel, Orientation, RobustKernel};
use geo::algorithm::line_intersection::{LineIntersection, line_intersection};
use geo::{Coord, Line, LineString, MakeValid, MultiPolygon, Polygon};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use super::area::signed_ring_area;
use super::input::{CorridorInput, FeatureId, ParcelInput, SegmentInput};

// ---------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------

/// Everything [`validate`] found, in input order within each layer
/// (segments, then parcels, then corridors).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub errors: Vec<Issue>,
    pub warnings: Vec<Issue>,
}

impl Report {
    /// No errors (warnings allowed).
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// One problem with one feature.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub layer: Layer,
    /// The feature's id (a corridor without its own id: its `segment_id`).
    pub id: FeatureId,
    /// The feature's position in its input slice, from 0.
    pub index: usize,
    pub reason: Reason,
    /// Where, as `[lon, lat]`: the crossing of a self-intersection, the
    /// corner of an open ring, a feature's centre... For a swapped
    /// coordinate, the point as it was probably meant (`[second, first]`).
    pub at: Option<[f64; 2]>,
}

/// The three input layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    Segment,
    Parcel,
    Corridor,
}

impl Layer {
    fn vi(self) -> &'static str {
        match self {
            Layer::Segment => "đoạn tuyến",
            Layer::Parcel => "thửa đất",
            Layer::Corridor => "chỉ giới (hành lang)",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Layer::Segment => "segment",
            Layer::Parcel => "parcel",
            Layer::Corridor => "corridor",
        }
    }
}

/// Which part of a feature's geometry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Line `line` (from 0) of a segment's centerline.
    Line { line: usize },
    /// Ring `ring` (0 = exterior, then holes) of polygon `polygon` (from 0).
    Ring { polygon: usize, ring: usize },
}

impl Part {
    fn vi(self) -> String {
        match self {
            Part::Line { line } => format!("đường {line}"),
            Part::Ring { polygon, ring: 0 } => format!("vòng ngoài của đa giác {polygon}"),
            Part::Ring { polygon, ring } => format!("lỗ {ring} của đa giác {polygon}"),
        }
    }

    fn en(self) -> String {
        match self {
            Part::Line { line } => format!("line {line}"),
            Part::Ring { polygon, ring: 0 } => format!("exterior ring of polygon {polygon}"),
            Part::Ring { polygon, ring } => format!("hole {ring} of polygon {polygon}"),
        }
    }
}

/// What is wrong. Errors first, then warnings (see [`Reason::is_error`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// A coordinate is NaN or infinite (`count` such positions in the part,
    /// the first at `vertex`).
    NonFiniteCoordinate {
        part: Part,
        vertex: usize,
        count: usize,
    },
    /// A position is outside lon ±180 / lat ±90 and does not look swapped.
    OutOfRange {
        part: Part,
        vertex: usize,
        count: usize,
        lon: f64,
        lat: f64,
    },
    /// Positions written as `[lat, lon]`.
    SwappedLatLon {
        part: Part,
        vertex: usize,
        count: usize,
    },
    /// A ring whose last position is not its first.
    RingNotClosed { part: Part },
    /// Too few positions: `found` where `needed` are required (for rings,
    /// positions including the closing one; for lines, distinct points).
    TooFewPoints {
        part: Part,
        found: usize,
        needed: usize,
    },
    /// No geometry at all (no line, no polygon, or a polygon without rings).
    NoGeometry,
    /// Edges `edges.0` and `edges.1` of the ring cross, touch or overlap.
    SelfIntersection { part: Part, edges: (usize, usize) },
    /// A hole lying outside its exterior ring.
    HoleOutsideShell { part: Part },
    /// The id is also used by the feature at position `first`.
    DuplicateId { first: usize },
    /// No `planned_width_m`, nor both `planned_left_m` and `planned_right_m`.
    NoUsableWidth,
    /// A width that is not a number, not positive, or over 100 m.
    BadWidth { field: &'static str, value: f64 },
    /// The corridor's `segment_id` names no segment.
    UnknownSegment { segment_id: FeatureId },
    /// Warning: far from the rest of the data.
    FarFromData { distance_m: f64, limit_m: f64 },
    /// Warning: the planned width is not larger than the current width.
    NotWider { current_m: f64, planned_m: f64 },
    /// Warning: `planned_width_m` ≠ `planned_left_m + planned_right_m`.
    WidthsDisagree { planned_m: f64, left_right_m: f64 },
    /// Warning: the parcel's area is zero.
    ZeroArea { area_m2: f64 },
}

impl Reason {
    /// Errors stop a computation; warnings are for a person to look at.
    pub fn is_error(&self) -> bool {
        !matches!(
            self,
            Reason::FarFromData { .. }
                | Reason::NotWider { .. }
                | Reason::WidthsDisagree { .. }
                | Reason::ZeroArea { .. }
        )
    }

    fn vi(&self) -> String {
        match self {
            Reason::NonFiniteCoordinate { part, vertex, count } => format!(
                "{}: tọa độ không phải số hữu hạn (NaN/vô cực) ở điểm {vertex}{}",
                part.vi(),
                more_vi(*count)
            ),
            Reason::OutOfRange {
                part,
                vertex,
                count,
                lon,
                lat,
            } => format!(
                "{}: tọa độ ngoài phạm vi kinh độ ±180 / vĩ độ ±90 ở điểm {vertex} ({lon}, {lat}){}",
                part.vi(),
                more_vi(*count)
            ),
            Reason::SwappedLatLon { part, vertex, count } => format!(
                "{}: kinh độ và vĩ độ bị đảo chỗ (ghi [vĩ độ, kinh độ]) từ điểm {vertex}{}",
                part.vi(),
                more_vi(*count)
            ),
            Reason::RingNotClosed { part } => {
                format!("{}: vòng không khép kín (điểm cuối khác điểm đầu)", part.vi())
            }
            Reason::TooFewPoints { part, found, needed } => {
                format!("{}: quá ít điểm ({found}, cần ít nhất {needed})", part.vi())
            }
            Reason::NoGeometry => "không có hình học".into(),
            Reason::SelfIntersection { part, edges } => format!(
                "{}: tự cắt (cạnh {} và cạnh {} cắt hoặc chạm nhau)",
                part.vi(),
                edges.0,
                edges.1
            ),
            Reason::HoleOutsideShell { part } => format!("{}: lỗ nằm ngoài vòng ngoài", part.vi()),
            Reason::DuplicateId { first } => {
                format!("trùng mã với đối tượng #{first}")
            }
            Reason::NoUsableWidth => "thiếu bề rộng quy hoạch (planned_width_m, hoặc cả planned_left_m và planned_right_m)".into(),
            Reason::BadWidth { field, value } => {
                format!("bề rộng '{field}' = {value} không hợp lệ (cần trong khoảng (0, 100] m)")
            }
            Reason::UnknownSegment { segment_id } => {
                format!("segment_id {segment_id} không khớp đoạn tuyến nào")
            }
            Reason::FarFromData {
                distance_m,
                limit_m,
            } => format!(
                "nằm xa phần còn lại của dữ liệu ({:.1} km, ngưỡng {:.1} km)",
                distance_m / 1000.0,
                limit_m / 1000.0
            ),
            Reason::NotWider {
                current_m,
                planned_m,
            } => format!("bề rộng quy hoạch {planned_m} m không lớn hơn hiện trạng {current_m} m"),
            Reason::WidthsDisagree {
                planned_m,
                left_right_m,
            } => format!(
                "planned_width_m = {planned_m} m khác planned_left_m + planned_right_m = {left_right_m} m"
            ),
            Reason::ZeroArea { area_m2 } => format!("diện tích bằng 0 ({area_m2:.4} m²)"),
        }
    }

    fn en(&self) -> String {
        match self {
            Reason::NonFiniteCoordinate {
                part,
                vertex,
                count,
            } => format!(
                "{}: coordinate is not a finite number (NaN/infinite) at position {vertex}{}",
                part.en(),
                more_en(*count)
            ),
            Reason::OutOfRange {
                part,
                vertex,
                count,
                lon,
                lat,
            } => format!(
                "{}: coordinate outside lon ±180 / lat ±90 at position {vertex} ({lon}, {lat}){}",
                part.en(),
                more_en(*count)
            ),
            Reason::SwappedLatLon {
                part,
                vertex,
                count,
            } => format!(
                "{}: latitude and longitude are swapped (written [lat, lon]) from position {vertex}{}",
                part.en(),
                more_en(*count)
            ),
            Reason::RingNotClosed { part } => {
                format!(
                    "{}: ring is not closed (last position differs from first)",
                    part.en()
                )
            }
            Reason::TooFewPoints {
                part,
                found,
                needed,
            } => {
                format!(
                    "{}: too few points ({found}, at least {needed} needed)",
                    part.en()
                )
            }
            Reason::NoGeometry => "has no geometry".into(),
            Reason::SelfIntersection { part, edges } => format!(
                "{}: self-intersection (edges {} and {} cross or touch)",
                part.en(),
                edges.0,
                edges.1
            ),
            Reason::HoleOutsideShell { part } => {
                format!("{}: hole lies outside the exterior ring", part.en())
            }
            Reason::DuplicateId { first } => format!("same id as feature #{first}"),
            Reason::NoUsableWidth => {
                "no planned width (planned_width_m, or both planned_left_m and planned_right_m)"
                    .into()
            }
            Reason::BadWidth { field, value } => {
                format!("width '{field}' = {value} is not valid (must be in (0, 100] m)")
            }
            Reason::UnknownSegment { segment_id } => {
                format!("segment_id {segment_id} names no segment")
            }
            Reason::FarFromData {
                distance_m,
                limit_m,
            } => format!(
                "lies far from the rest of the data ({:.1} km, limit {:.1} km)",
                distance_m / 1000.0,
                limit_m / 1000.0
            ),
            Reason::NotWider {
                current_m,
                planned_m,
            } => format!("planned width {planned_m} m is not larger than current {current_m} m"),
            Reason::WidthsDisagree {
                planned_m,
                left_right_m,
            } => format!(
                "planned_width_m = {planned_m} m differs from planned_left_m + planned_right_m = {left_right_m} m"
            ),
            Reason::ZeroArea { area_m2 } => format!("area is zero ({area_m2:.4} m²)"),
        }
    }
}

fn more_vi(count: usize) -> String {
    if count > 1 {
        format!(" (tổng cộng {count} điểm)")
    } else {
        String::new()
    }
}

fn more_en(count: usize) -> String {
    if count > 1 {
        format!(" ({count} positions in all)")
    } else {
        String::new()
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (at_vi, at_en) = match self.at {
            Some([lon, lat]) => (
                format!(" tại ({lon:.7}, {lat:.7})"),
                format!(" at ({lon:.7}, {lat:.7})"),
            ),
            None => (String::new(), String::new()),
        };
        let (lvl_vi, lvl_en) = if self.reason.is_error() {
            ("lỗi", "error")
        } else {
            ("cảnh báo", "warning")
        };
        write!(
            f,
            "{lvl_vi}: {} #{} (id {}): {}{at_vi} / {lvl_en}: {} #{} (id {}): {}{at_en}",
            self.layer.vi(),
            self.index,
            self.id,
            self.reason.vi(),
            self.layer.en(),
            self.index,
            self.id,
            self.reason.en(),
        )
    }
}

/// One change made by [`repair`].
#[derive(Debug, Clone, PartialEq)]
pub struct Repair {
    pub layer: Layer,
    pub id: FeatureId,
    /// The feature's position in its input slice, from 0.
    pub index: usize,
    pub action: RepairAction,
}

/// What [`repair`] did to one part of a feature.
#[derive(Debug, Clone, PartialEq)]
pub enum RepairAction {
    /// Removed `count` positions that repeated the one before.
    DroppedRepeatedPoints { part: Part, count: usize },
    /// Appended the first position to close the ring.
    ClosedRing { part: Part },
    /// Removed a hole with fewer than 3 distinct corners.
    DroppedDegenerateHole { part: Part },
    /// Rebuilt a self-intersecting polygon (or one with a hole outside its
    /// shell) as `parts` valid polygons (odd-even rule: the areas a walk
    /// along the boundary encloses an odd number of times).
    MadeValid { polygon: usize, parts: usize },
    /// Could not rebuild the polygon; it is left as it was.
    CouldNotRepair { polygon: usize, why: String },
}

impl fmt::Display for Repair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (vi, en) = match &self.action {
            RepairAction::DroppedRepeatedPoints { part, count } => (
                format!("{}: bỏ {count} điểm lặp liên tiếp", part.vi()),
                format!("{}: dropped {count} repeated consecutive points", part.en()),
            ),
            RepairAction::ClosedRing { part } => (
                format!("{}: khép kín vòng (thêm điểm đầu vào cuối)", part.vi()),
                format!("{}: closed the ring (appended its first point)", part.en()),
            ),
            RepairAction::DroppedDegenerateHole { part } => (
                format!("{}: bỏ lỗ suy biến (dưới 3 đỉnh phân biệt)", part.vi()),
                format!(
                    "{}: dropped a degenerate hole (under 3 distinct corners)",
                    part.en()
                ),
            ),
            RepairAction::MadeValid { polygon, parts } => (
                format!("đa giác {polygon}: sửa tự cắt, tách thành {parts} đa giác hợp lệ"),
                format!("polygon {polygon}: fixed self-intersection, now {parts} valid polygon(s)"),
            ),
            RepairAction::CouldNotRepair { polygon, why } => (
                format!("đa giác {polygon}: không sửa được ({why})"),
                format!("polygon {polygon}: could not repair ({why})"),
            ),
        };
        write!(
            f,
            "{} #{} (id {}): {vi} / {} #{} (id {}): {en}",
            self.layer.vi(),
            self.index,
            self.id,
            self.layer.en(),
            self.index,
            self.id,
        )
    }
}

// ---------------------------------------------------------------------------
// validate
// ---------------------------------------------------------------------------

/// Checks all three layers and reports every error and warning found.
///
/// ```
/// use hiendat::geometry::input::{FeatureId, ParcelInput};
/// use hiendat::geometry::validate::{validate, Reason};
///
/// // A bow-tie in phường Ngọc Sơn: its edges cross in the middle.
/// let parcel = ParcelInput {
///     id: FeatureId::from(7),
///     map_sheet: None, parcel_no: None, owner: None, residential_group: None, land_use: None,
///     polygons: vec![vec![vec![
///         [105.8000, 19.5100], [105.8002, 19.5102], [105.8002, 19.5100],
///         [105.8000, 19.5102], [105.8000, 19.5100],
///     ]]],
/// };
/// let report = validate(&[], &[parcel], &[]);
/// assert!(matches!(report.errors[0].reason, Reason::SelfIntersection { .. }));
/// let [lon, lat] = report.errors[0].at.unwrap();
/// assert!((lon - 105.8001).abs() < 1e-9 && (lat - 19.5101).abs() < 1e-9);
/// ```
pub fn validate(
    segments: &[SegmentInput],
    parcels: &[ParcelInput],
    corridors: &[CorridorInput],
) -> Report {
    let segment_id = |s: &SegmentInput| Some(fnv(&s.id));
    let (segment_found, segment_centres, segment_hashes) =
        per_feature(segments, segment_id, check_segment);
    let parcel_id = |p: &ParcelInput| Some(fnv(&p.id));
    let (parcel_found, parcel_centres, parcel_hashes) =
        per_feature(parcels, parcel_id, check_parcel);
    let segment_ids: HashSet<&FeatureId> = segments.iter().map(|s| &s.id).collect();
    let (corridor_found, corridor_centres, _) = per_feature(
        corridors,
        |_| None,
        |i, c, out| {
            if !segment_ids.contains(&c.segment_id) {
                out.push(corridor_issue(
                    i,
                    c,
                    Reason::UnknownSegment {
                        segment_id: c.segment_id.clone(),
                    },
                    None,
                ));
            }
            check_corridor(i, c, out)
        },
    );

    let mut all = Found::default();
    for mut found in [segment_found, parcel_found, corridor_found] {
        all.errors.append(&mut found.errors);
        all.warnings.append(&mut found.warnings);
    }
    for (layer, dups) in [
        (
            Layer::Segment,
            duplicate_ids(&segment_hashes, |i| &segments[i].id),
        ),
        (
            Layer::Parcel,
            duplicate_ids(&parcel_hashes, |i| &parcels[i].id),
        ),
    ] {
        for (first, again) in dups {
            let id = match layer {
                Layer::Segment => &segments[again].id,
                _ => &parcels[again].id,
            };
            all.errors.push(Issue {
                layer,
                id: id.clone(),
                index: again,
                reason: Reason::DuplicateId { first },
                at: None,
            });
        }
    }

    let centres = [
        (Layer::Segment, segment_centres),
        (Layer::Parcel, parcel_centres),
        (Layer::Corridor, corridor_centres),
    ];
    for (layer, index, distance_m, limit_m, at) in far_away(&centres) {
        let id = match layer {
            Layer::Segment => segments[index].id.clone(),
            Layer::Parcel => parcels[index].id.clone(),
            Layer::Corridor => corridor_id(&corridors[index]),
        };
        all.warnings.push(Issue {
            layer,
            id,
            index,
            reason: Reason::FarFromData {
                distance_m,
                limit_m,
            },
            at: Some(at),
        });
    }
    // Stable: each feature's issues keep the order they were found in.
    all.errors.sort_by_key(|i| (i.layer, i.index));
    all.warnings.sort_by_key(|i| (i.layer, i.index));
    Report {
        errors: all.errors,
        warnings: all.warnings,
    }
}

/// Issues found for a run of features, split by severity.
#[derive(Default)]
struct Found {
    errors: Vec<Issue>,
    warnings: Vec<Issue>,
}

impl Found {
    fn push(&mut self, issue: Issue) {
        if issue.reason.is_error() {
            self.errors.push(issue);
        } else {
            self.warnings.push(issue);
        }
    }

    fn append(mut self, mut other: Found) -> Found {
        self.errors.append(&mut other.errors);
        self.warnings.append(&mut other.warnings);
        self
    }
}

/// Features' centres by position, `[lon, lat]`; NaN where unusable.
type Centres = Vec<[f64; 2]>;

/// Polygons, each a list of rings, each a list of `[lon, lat]`.
type Polygons = Vec<Vec<Vec<[f64; 2]>>>;

/// Runs `check` on every feature in parallel, keeping input order; `check`
/// returns the feature's centre when its coordinates are all usable (else
/// the centre is left NaN). Also hashes each feature's id with `hash` (in
/// the same pass, while the feature is in cache).
fn per_feature<T: Sync>(
    items: &[T],
    hash: impl Fn(&T) -> Option<u64> + Sync,
    check: impl Fn(usize, &T, &mut Found) -> Option<[f64; 2]> + Sync,
) -> (Found, Centres, Vec<u64>) {
    let mut centres = vec![[f64::NAN; 2]; items.len()];
    let mut hashes = vec![0; items.len()];
    let found = centres
        .par_iter_mut()
        .zip(hashes.par_iter_mut())
        .zip(items.par_iter())
        .enumerate()
        .fold(Found::default, |mut found, (i, ((centre, h), item))| {
            if let Some(c) = check(i, item, &mut found) {
                *centre = c;
            }
            if let Some(v) = hash(item) {
                *h = v;
            }
            found
        })
        .reduce(Found::default, Found::append);
    (found, centres, hashes)
}

fn check_segment(i: usize, s: &SegmentInput, out: &mut Found) -> Option<[f64; 2]> {
    let issue = |reason, at| Issue {
        layer: Layer::Segment,
        id: s.id.clone(),
        index: i,
        reason,
        at,
    };
    check_widths(s, &mut |reason| out.push(issue(reason, None)));

    if s.lines.is_empty() {
        out.push(issue(Reason::NoGeometry, None));
        return None;
    }
    let mut bounds = Bounds::default();
    let mut usable = true;
    for (l, line) in s.lines.iter().enumerate() {
        let part = Part::Line { line: l };
        if !check_positions(part, line, &mut |r, at| out.push(issue(r, at))) {
            usable = false;
            continue;
        }
        let distinct = 1 + line.windows(2).filter(|w| w[0] != w[1]).count();
        if line.is_empty() || distinct < 2 {
            let found = if line.is_empty() { 0 } else { distinct };
            out.push(issue(
                Reason::TooFewPoints {
                    part,
                    found,
                    needed: 2,
                },
                line.first().copied(),
            ));
        }
        bounds.extend(line);
    }
    if usable { bounds.centre() } else { None }
}

/// The width rules of a segment.
fn check_widths(s: &SegmentInput, report: &mut impl FnMut(Reason)) {
    let valid = |v: f64| v.is_finite() && v > 0.0 && v <= MAX_WIDTH_M;
    let planned = match (s.planned_width_m, s.planned_left_m, s.planned_right_m) {
        (Some(w), left, right) => {
            if !valid(w) {
                report(Reason::BadWidth {
                    field: "planned_width_m",
                    value: w,
                });
            }
            if let (Some(l), Some(r)) = (left, right)
                && valid(w)
                && (l + r - w).abs() > 0.01
            {
                report(Reason::WidthsDisagree {
                    planned_m: w,
                    left_right_m: l + r,
                });
            }
            valid(w).then_some(w)
        }
        (None, Some(l), Some(r)) => {
            let side_ok = |v: f64| v.is_finite() && v >= 0.0;
            let mut ok = true;
            for (field, v) in [("planned_left_m", l), ("planned_right_m", r)] {
                if !side_ok(v) {
                    report(Reason::BadWidth { field, value: v });
                    ok = false;
                }
            }
            if ok && !valid(l + r) {
                report(Reason::BadWidth {
                    field: "planned_left_m + planned_right_m",
                    value: l + r,
                });
                ok = false;
            }
            ok.then_some(l + r)
        }
        _ => {
            report(Reason::NoUsableWidth);
            None
        }
    };
    if let Some(current) = s.current_width_m {
        if !current.is_finite() || current < 0.0 {
            report(Reason::BadWidth {
                field: "current_width_m",
                value: current,
            });
        } else if let Some(planned) = planned
            && planned <= current
        {
            report(Reason::NotWider {
                current_m: current,
                planned_m: planned,
            });
        }
    }
}

/// Widest planned cross-section accepted, in metres.
const MAX_WIDTH_M: f64 = 100.0;

fn check_parcel(i: usize, p: &ParcelInput, out: &mut Found) -> Option<[f64; 2]> {
    let mut report = |reason: Reason, at: Option<[f64; 2]>| {
        out.push(Issue {
            layer: Layer::Parcel,
            id: p.id.clone(),
            index: i,
            reason,
            at,
        });
    };
    let (centre, area_m2) = check_polygons(&p.polygons, &mut report)?;
    if let Some(area_m2) = area_m2
        && area_m2 < ZERO_AREA_M2
    {
        report(Reason::ZeroArea { area_m2 }, Some(centre));
    }
    Some(centre)
}

/// Below this a parcel's area counts as zero, in m².
const ZERO_AREA_M2: f64 = 0.01;

fn corridor_id(c: &CorridorInput) -> FeatureId {
    c.feature_id.clone().unwrap_or_else(|| c.segment_id.clone())
}

fn corridor_issue(i: usize, c: &CorridorInput, reason: Reason, at: Option<[f64; 2]>) -> Issue {
    Issue {
        layer: Layer::Corridor,
        id: corridor_id(c),
        index: i,
        reason,
        at,
    }
}

fn check_corridor(i: usize, c: &CorridorInput, out: &mut Found) -> Option<[f64; 2]> {
    check_polygons(&c.polygons, &mut |reason: Reason, at: Option<[f64; 2]>| {
        out.push(corridor_issue(i, c, reason, at));
    })
    .map(|(centre, _)| centre)
}

/// Checks every ring; returns the centre of the bounding box when all
/// coordinates are usable, and the area (approximate m²) when all rings are
/// also simple.
fn check_polygons(
    polygons: &[Vec<Vec<[f64; 2]>>],
    report: &mut impl FnMut(Reason, Option<[f64; 2]>),
) -> Option<([f64; 2], Option<f64>)> {
    if polygons.is_empty() || polygons.iter().all(Vec::is_empty) {
        report(Reason::NoGeometry, None);
        return None;
    }
    let mut bounds = Bounds::default();
    let mut usable = true;
    let mut all_simple = true;
    let mut area_deg2 = 0.0;
    for (pi, rings) in polygons.iter().enumerate() {
        if rings.is_empty() {
            report(
                Reason::TooFewPoints {
                    part: Part::Ring {
                        polygon: pi,
                        ring: 0,
                    },
                    found: 0,
                    needed: 4,
                },
                None,
            );
            continue;
        }
        let mut shell_ok = false;
        for (ri, ring) in rings.iter().enumerate() {
            let part = Part::Ring {
                polygon: pi,
                ring: ri,
            };
            if !check_positions(part, ring, report) {
                usable = false;
                continue;
            }
            bounds.extend(ring);
            let simple = check_ring(part, ring, report);
            all_simple &= simple;
            if ri == 0 {
                shell_ok = simple;
                area_deg2 += signed_ring_area(ring).abs();
            } else {
                area_deg2 -= signed_ring_area(ring).abs();
                if shell_ok && simple {
                    let shell = &rings[0];
                    if let Some(at) = hole_outside(shell, ring) {
                        report(Reason::HoleOutsideShell { part }, Some(at));
                    }
                }
            }
        }
    }
    if !usable {
        return None;
    }
    let centre = bounds.centre()?;
    // Only small areas need converting: a square degree is over 10^10 m².
    let area_m2 = all_simple.then(|| {
        let area_deg2 = area_deg2.abs();
        if area_deg2 > 1e-9 {
            f64::INFINITY
        } else {
            let (kx, ky) = metres_per_degree(centre[1]);
            area_deg2 * kx * ky
        }
    });
    Some((centre, area_m2))
}

/// Checks each position's numbers; `false` if any is unusable (further
/// checks on the part are then skipped).
fn check_positions(
    part: Part,
    points: &[[f64; 2]],
    report: &mut impl FnMut(Reason, Option<[f64; 2]>),
) -> bool {
    // Fast path: all finite and in range.
    if points
        .iter()
        .all(|&[x, y]| (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y))
    {
        return true;
    }
    let mut non_finite = (0, usize::MAX);
    let mut swapped = (0, usize::MAX);
    let mut out_of_range = (0, usize::MAX);
    for (v, &[x, y]) in points.iter().enumerate() {
        let first = |(n, at): (usize, usize)| (n + 1, at.min(v));
        if !x.is_finite() || !y.is_finite() {
            non_finite = first(non_finite);
        } else if (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y) {
        } else if (-90.0..=90.0).contains(&x) && (-180.0..=180.0).contains(&y) {
            swapped = first(swapped);
        } else {
            out_of_range = first(out_of_range);
        }
    }
    if non_finite.0 > 0 {
        report(
            Reason::NonFiniteCoordinate {
                part,
                vertex: non_finite.1,
                count: non_finite.0,
            },
            None,
        );
    }
    if swapped.0 > 0 {
        let [x, y] = points[swapped.1];
        report(
            Reason::SwappedLatLon {
                part,
                vertex: swapped.1,
                count: swapped.0,
            },
            Some([y, x]),
        );
    }
    if out_of_range.0 > 0 {
        let [lon, lat] = points[out_of_range.1];
        report(
            Reason::OutOfRange {
                part,
                vertex: out_of_range.1,
                count: out_of_range.0,
                lon,
                lat,
            },
            None,
        );
    }
    false
}

/// Checks a ring's closure, size and simplicity; `true` if it is a valid
/// simple ring.
fn check_ring(
    part: Part,
    ring: &[[f64; 2]],
    report: &mut impl FnMut(Reason, Option<[f64; 2]>),
) -> bool {
    let mut ok = true;
    let closed = ring.len() >= 2 && ring.first() == ring.last();
    if !ring.is_empty() && !closed {
        report(Reason::RingNotClosed { part }, ring.last().copied());
        ok = false;
    }
    with_corners(ring, |corners| {
        if ring.len() < 4 || corners.len() < 3 {
            report(
                Reason::TooFewPoints {
                    part,
                    found: ring.len(),
                    needed: 4,
                },
                ring.first().copied(),
            );
            ok = false;
            return;
        }
        for (edges, at) in self_intersections(corners, usize::MAX) {
            report(Reason::SelfIntersection { part, edges }, Some(at));
            ok = false;
        }
    });
    ok
}

/// Calls `f` with the ring's corners: consecutive repeats dropped, and the
/// closing position dropped (the ring is treated as closed). Copies only
/// when there are repeats.
fn with_corners<R>(ring: &[[f64; 2]], f: impl FnOnce(&[[f64; 2]]) -> R) -> R {
    let unclosed = |r: &[[f64; 2]]| r.len() > 1 && r.first() == r.last();
    if !ring.windows(2).any(|w| w[0] == w[1]) {
        let corners = if unclosed(ring) {
            &ring[..ring.len() - 1]
        } else {
            ring
        };
        return f(corners);
    }
    let mut corners = ring.to_vec();
    corners.dedup();
    if unclosed(&corners) {
        corners.pop();
    }
    f(&corners)
}

/// Rings of up to this many edges are checked pair by pair.
const PAIRWISE_EDGES: usize = 32;

/// Where the closed ring through `corners` (no repeats, not closed) crosses
/// or touches itself: edge pairs (edge k runs from corner k to k + 1) and a
/// location, at most `limit` of them.
fn self_intersections(corners: &[[f64; 2]], limit: usize) -> Vec<((usize, usize), [f64; 2])> {
    let m = corners.len();
    let mut found = Vec::new();
    if m < 3 {
        return found;
    }
    let next = |k: usize| if k + 1 == m { 0 } else { k + 1 };
    let edge = |k: usize| (c(corners[k]), c(corners[next(k)]));
    // Turns at each corner. Between adjacent edges only a fold-back (the
    // ring retracing its path) is wrong. Also count how often the edges'
    // x direction flips: with every turn one way, twice means the ring goes
    // round once, so it is convex and simple (more would be a star).
    let (mut left, mut right) = (0, 0);
    let (mut flips, mut first_dir, mut last_dir) = (0, 0i8, 0i8);
    for k in 0..m {
        let prev = if k == 0 { m - 1 } else { k - 1 };
        let (a, s, b) = (c(corners[prev]), c(corners[k]), c(corners[next(k)]));
        match RobustKernel::orient2d(a, s, b) {
            Orientation::CounterClockwise => left += 1,
            Orientation::Clockwise => right += 1,
            Orientation::Collinear => {
                if (a.x - s.x) * (b.x - s.x) + (a.y - s.y) * (b.y - s.y) > 0.0 {
                    found.push(((prev, k), [s.x, s.y]));
                    if found.len() >= limit {
                        return found;
                    }
                }
            }
        }
        let dir = i8::from(b.x > s.x) - i8::from(b.x < s.x);
        if dir != 0 {
            flips += i32::from(last_dir != 0 && dir != last_dir);
            if first_dir == 0 {
                first_dir = dir;
            }
            last_dir = dir;
        }
    }
    flips += i32::from(first_dir != last_dir);
    if found.is_empty() && (left == 0 || right == 0) && flips <= 2 {
        return found;
    }
    let test = |i: usize, j: usize, found: &mut Vec<_>| {
        // Skip adjacent pairs (handled above).
        if j == i + 1 || (i == 0 && j == m - 1) {
            return;
        }
        let (p1, p2) = edge(i);
        let (q1, q2) = edge(j);
        if !segments_meet(p1, p2, q1, q2) {
            return;
        }
        let at = match line_intersection(Line::new(p1, p2), Line::new(q1, q2)) {
            Some(LineIntersection::SinglePoint { intersection, .. }) => intersection,
            Some(LineIntersection::Collinear { intersection }) => intersection.start,
            None => p1,
        };
        found.push(((i, j), [at.x, at.y]));
    };
    if m <= PAIRWISE_EDGES {
        for i in 0..m {
            for j in i + 2..m {
                test(i, j, &mut found);
                if found.len() >= limit {
                    return found;
                }
            }
        }
    } else {
        let boxes: Vec<GeomWithData<Rectangle<[f64; 2]>, usize>> = (0..m)
            .map(|k| {
                let (a, b) = edge(k);
                GeomWithData::new(Rectangle::from_corners([a.x, a.y], [b.x, b.y]), k)
            })
            .collect();
        let tree = RTree::bulk_load(boxes);
        for i in 0..m {
            let (a, b) = edge(i);
            let mut near: Vec<usize> = tree
                .locate_in_envelope_intersecting(AABB::from_corners([a.x, a.y], [b.x, b.y]))
                .map(|g| g.data)
                .filter(|&j| j > i + 1)
                .collect();
            near.sort_unstable();
            for j in near {
                test(i, j, &mut found);
                if found.len() >= limit {
                    return found;
                }
            }
        }
    }
    found
}

/// Whether segments p1–p2 and q1–q2 share any point (exact predicates).
fn segments_meet(p1: Coord<f64>, p2: Coord<f64>, q1: Coord<f64>, q2: Coord<f64>) -> bool {
    if p1.x.max(p2.x) < q1.x.min(q2.x)
        || q1.x.max(q2.x) < p1.x.min(p2.x)
        || p1.y.max(p2.y) < q1.y.min(q2.y)
        || q1.y.max(q2.y) < p1.y.min(p2.y)
    {
        return false;
    }
    let side = |a, b, p| match RobustKernel::orient2d(a, b, p) {
        Orientation::CounterClockwise => 1i8,
        Orientation::Clockwise => -1,
        Orientation::Collinear => 0,
    };
    let (d1, d2) = (side(p1, p2, q1), side(p1, p2, q2));
    if d1 * d2 > 0 {
        return false;
    }
    let (d3, d4) = (side(q1, q2, p1), side(q1, q2, p2));
    if d3 * d4 > 0 {
        return false;
    }
    if d1 * d2 < 0 && d3 * d4 < 0 {
        return true;
    }
    // Some endpoint is on the other segment's line: it meets if it lies
    // within that segment's box (the boxes overlap, checked above).
    let within = |a: Coord<f64>, b: Coord<f64>, p: Coord<f64>| {
        p.x >= a.x.min(b.x) && p.x <= a.x.max(b.x) && p.y >= a.y.min(b.y) && p.y <= a.y.max(b.y)
    };
    (d1 == 0 && within(p1, p2, q1))
        || (d2 == 0 && within(p1, p2, q2))
        || (d3 == 0 && within(q1, q2, p1))
        || (d4 == 0 && within(q1, q2, p2))
}

fn c([x, y]: [f64; 2]) -> Coord<f64> {
    Coord { x, y }
}

/// Metres per degree of longitude and of latitude near latitude `lat`
/// (WGS84 ellipsoid, good to 0.1 % — for thresholds, not measurements).
fn metres_per_degree(lat: f64) -> (f64, f64) {
    let phi = lat.to_radians();
    let lon = 111_412.84 * phi.cos() - 93.5 * (3.0 * phi).cos();
    let lat = 111_132.92 - 559.82 * (2.0 * phi).cos() + 1.175 * (4.0 * phi).cos();
    (lon, lat)
}

/// A corner of `hole` strictly outside `shell`, if the hole is outside.
fn hole_outside(shell: &[[f64; 2]], hole: &[[f64; 2]]) -> Option<[f64; 2]> {
    for &p in hole {
        match winding(shell, p) {
            Some(0) => return Some(p),
            Some(_) => return None,
            None => {} // on the boundary: try the next corner
        }
    }
    None
}

/// Winding number of `ring` around `p`; `None` if `p` is on the ring.
fn winding(ring: &[[f64; 2]], p: [f64; 2]) -> Option<i32> {
    let pc = c(p);
    let mut w = 0;
    let n = ring.len();
    for k in 0..n {
        let a = c(ring[k]);
        let b = c(ring[(k + 1) % n]);
        if a == b {
            continue;
        }
        let o = RobustKernel::orient2d(a, b, pc);
        if o == Orientation::Collinear
            && pc.x >= a.x.min(b.x)
            && pc.x <= a.x.max(b.x)
            && pc.y >= a.y.min(b.y)
            && pc.y <= a.y.max(b.y)
        {
            return None;
        }
        if a.y <= pc.y {
            if b.y > pc.y && o == Orientation::CounterClockwise {
                w += 1;
            }
        } else if b.y <= pc.y && o == Orientation::Clockwise {
            w -= 1;
        }
    }
    Some(w)
}

#[derive(Clone, Copy)]
struct Bounds {
    min: [f64; 2],
    max: [f64; 2],
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            min: [f64::INFINITY; 2],
            max: [f64::NEG_INFINITY; 2],
        }
    }
}

impl Bounds {
    fn extend(&mut self, points: &[[f64; 2]]) {
        for &[x, y] in points {
            self.min[0] = self.min[0].min(x);
            self.min[1] = self.min[1].min(y);
            self.max[0] = self.max[0].max(x);
            self.max[1] = self.max[1].max(y);
        }
    }

    fn centre(&self) -> Option<[f64; 2]> {
        (self.min[0] <= self.max[0]).then(|| {
            [
                (self.min[0] + self.max[0]) / 2.0,
                (self.min[1] + self.max[1]) / 2.0,
            ]
        })
    }
}

/// Pairs (first position, later position) of features sharing an id,
/// ordered by the later position. Linear time: (hash, position) entries are
/// spread into buckets by the hash's top bits (one pass to count, one to
/// place), then each bucket is sorted and scanned, in parallel.
fn duplicate_ids<'a>(
    hashes: &[u64],
    id: impl Fn(usize) -> &'a FeatureId + Sync,
) -> Vec<(usize, usize)> {
    let n = hashes.len();
    if n < 2 {
        return Vec::new();
    }
    const BITS: u32 = 16;
    let bucket = |h: u64| usize::try_from(h >> (64 - BITS)).unwrap_or(0);
    let mut starts = vec![0usize; (1 << BITS) + 1];
    for &h in hashes {
        starts[bucket(h) + 1] += 1;
    }
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    let mut entries = vec![(0u64, 0usize); n];
    let mut fill = starts.clone();
    for (i, &h) in hashes.iter().enumerate() {
        let b = bucket(h);
        entries[fill[b]] = (h, i);
        fill[b] += 1;
    }
    let mut buckets: Vec<&mut [(u64, usize)]> = Vec::with_capacity(1 << BITS);
    let mut rest = entries.as_mut_slice();
    for b in 0..1 << BITS {
        let (head, tail) = rest.split_at_mut(starts[b + 1] - starts[b]);
        buckets.push(head);
        rest = tail;
    }
    let mut pairs: Vec<(usize, usize)> = buckets
        .into_par_iter()
        .flat_map_iter(|members| {
            // By hash, then position: equal ids are adjacent runs.
            members.sort_unstable();
            let mut pairs = Vec::new();
            let mut start = 0;
            while start < members.len() {
                let mut end = start + 1;
                while end < members.len() && members[end].0 == members[start].0 {
                    end += 1;
                }
                if end - start > 1 {
                    // Same hash: group by id (almost always one group).
                    let run = &members[start..end];
                    if run.len() <= 32 {
                        for (k, &(_, i)) in run.iter().enumerate() {
                            if let Some(&(_, first)) =
                                run[..k].iter().find(|&&(_, j)| id(j) == id(i))
                            {
                                pairs.push((first, i));
                            }
                        }
                    } else {
                        let mut firsts: HashMap<&FeatureId, usize> = HashMap::new();
                        for &(_, i) in run {
                            let first = *firsts.entry(id(i)).or_insert(i);
                            if first != i {
                                pairs.push((first, i));
                            }
                        }
                    }
                }
                start = end;
            }
            pairs
        })
        .collect();
    pairs.par_sort_unstable_by_key(|&(_, again)| again);
    pairs
}

/// FNV-1a over an id's kind and text.
fn fnv(id: &FeatureId) -> u64 {
    let (tag, text) = match id {
        FeatureId::Number(s) => (1u8, s),
        FeatureId::Text(s) => (2u8, s),
    };
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in std::iter::once(&tag).chain(text.as_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Far-away rule: features more than this from the median centre...
const FAR_MIN_M: f64 = 20_000.0;
/// ...and more than this many times the median distance.
const FAR_MEDIAN_FACTOR: f64 = 5.0;
/// Medians are taken over at most this many features.
const MEDIAN_SAMPLE: usize = 100_000;

/// Features whose centre is far from the median centre of all:
/// (layer, index, distance, limit, centre).
fn far_away(centres: &[(Layer, Centres)]) -> Vec<(Layer, usize, f64, f64, [f64; 2])> {
    let total: usize = centres
        .iter()
        .map(|(_, c)| c.iter().filter(|p| !p[0].is_nan()).count())
        .sum();
    if total == 0 {
        return Vec::new();
    }
    let median = |mut v: Vec<f64>| {
        let mid = v.len() / 2;
        *v.select_nth_unstable_by(mid, f64::total_cmp).1
    };
    // Medians over at most MEDIAN_SAMPLE features evenly spaced through
    // the input: as robust, and cheap for a million parcels.
    let step = total.div_ceil(MEDIAN_SAMPLE);
    let sample: Vec<[f64; 2]> = centres
        .iter()
        .flat_map(|(_, list)| list.iter().filter(|p| !p[0].is_nan()))
        .step_by(step)
        .copied()
        .collect();
    let mid = [
        median(sample.iter().map(|p| p[0]).collect()),
        median(sample.iter().map(|p| p[1]).collect()),
    ];
    let (kx, ky) = metres_per_degree(mid[1]);
    let distance = |p: [f64; 2]| {
        let (dx, dy) = ((p[0] - mid[0]) * kx, (p[1] - mid[1]) * ky);
        (dx * dx + dy * dy).sqrt()
    };
    let distances = sample.iter().map(|&p| distance(p)).collect();
    let limit = FAR_MIN_M.max(FAR_MEDIAN_FACTOR * median(distances));
    let mut far = Vec::new();
    for (layer, list) in centres {
        far.par_extend(list.par_iter().enumerate().filter_map(|(i, &p)| {
            let d = distance(p);
            // NaN distances (unusable features) compare false.
            (d > limit).then_some((*layer, i, d, limit, p))
        }));
    }
    far
}

// ---------------------------------------------------------------------------
// repair
// ---------------------------------------------------------------------------

/// Repairs parcels and corridors in place: drops repeated consecutive
/// points, closes open rings, drops holes with under 3 distinct corners,
/// and rebuilds self-intersecting polygons (or ones with a hole outside
/// the shell) as valid polygons with geo's `MakeValid` (odd-even rule: a
/// bow-tie becomes two triangles touching at the crossing). Coordinates that
/// are not finite or out of range are left alone: they need a person.
/// Returns every change, in input order.
pub fn repair(parcels: &mut [ParcelInput], corridors: &mut [CorridorInput]) -> Vec<Repair> {
    let mut done: Vec<Repair> = parcels
        .par_iter_mut()
        .enumerate()
        .flat_map_iter(|(i, p)| {
            let actions = repair_polygons(&mut p.polygons);
            named(Layer::Parcel, i, &p.id, actions)
        })
        .collect();
    done.par_extend(
        corridors
            .par_iter_mut()
            .enumerate()
            .flat_map_iter(|(i, c)| {
                let actions = repair_polygons(&mut c.polygons);
                named(Layer::Corridor, i, &corridor_id(c), actions)
            }),
    );
    done
}

fn named(layer: Layer, index: usize, id: &FeatureId, actions: Vec<RepairAction>) -> Vec<Repair> {
    actions
        .into_iter()
        .map(|action| Repair {
            layer,
            id: id.clone(),
            index,
            action,
        })
        .collect()
}

fn repair_polygons(polygons: &mut Polygons) -> Vec<RepairAction> {
    let mut actions = Vec::new();
    let mut rebuilt: Vec<(usize, Polygons)> = Vec::new();
    for (pi, rings) in polygons.iter_mut().enumerate() {
        let usable = rings
            .iter()
            .all(|r| r.iter().all(|&[x, y]| x.is_finite() && y.is_finite()));
        if !usable {
            continue;
        }
        for (ri, ring) in rings.iter_mut().enumerate() {
            let part = Part::Ring {
                polygon: pi,
                ring: ri,
            };
            let before = ring.len();
            ring.dedup();
            if ring.len() < before {
                actions.push(RepairAction::DroppedRepeatedPoints {
                    part,
                    count: before - ring.len(),
                });
            }
            if ring.len() >= 2 && ring.first() != ring.last() {
                ring.push(ring[0]);
                actions.push(RepairAction::ClosedRing { part });
            }
        }
        // Holes too small to be rings go; a too-small shell stays (named by
        // validate).
        let mut ri = 1;
        let mut original = 1;
        while ri < rings.len() {
            if rings[ri].len() < 4 {
                rings.remove(ri);
                actions.push(RepairAction::DroppedDegenerateHole {
                    part: Part::Ring {
                        polygon: pi,
                        ring: original,
                    },
                });
            } else {
                ri += 1;
            }
            original += 1;
        }
        let Some(shell) = rings.first() else { continue };
        if shell.len() < 4 {
            continue;
        }
        let crossing = rings
            .iter()
            .any(|r| with_corners(r, |cs| !self_intersections(cs, 1).is_empty()));
        let stray_hole = rings[1..].iter().any(|h| hole_outside(shell, h).is_some());
        if !(crossing || stray_hole) {
            continue;
        }
        // Work in a local frame of about a metre per unit: the boolean
        // operations behind MakeValid drop slivers they judge too thin,
        // and a parcel spans only ~1e-4 degrees.
        let o = shell[0];
        let to_local = |r: &[[f64; 2]]| -> Vec<[f64; 2]> {
            r.iter()
                .map(|p| [(p[0] - o[0]) * LOCAL_SCALE, (p[1] - o[1]) * LOCAL_SCALE])
                .collect()
        };
        let polygon = Polygon::new(
            to_line_string(&to_local(shell)),
            rings[1..]
                .iter()
                .map(|r| to_line_string(&to_local(r)))
                .collect(),
        );
        match polygon.make_valid() {
            Ok(valid) if !valid.0.is_empty() => {
                let mut parts = from_multi_polygon(&valid);
                for p in parts.iter_mut().flatten().flatten() {
                    *p = [p[0] / LOCAL_SCALE + o[0], p[1] / LOCAL_SCALE + o[1]];
                }
                actions.push(RepairAction::MadeValid {
                    polygon: pi,
                    parts: parts.len(),
                });
                rebuilt.push((pi, parts));
            }
            Ok(_) => actions.push(RepairAction::CouldNotRepair {
                polygon: pi,
                why: "nothing valid is left of it / không còn phần hợp lệ".into(),
            }),
            Err(e) => actions.push(RepairAction::CouldNotRepair {
                polygon: pi,
                why: e.to_string(),
            }),
        }
    }
    // Replace rebuilt polygons, last first so earlier indices hold.
    for (pi, parts) in rebuilt.into_iter().rev() {
        polygons.splice(pi..=pi, parts);
    }
    actions
}

/// Degrees to roughly metres, for [`repair`]'s local frame.
const LOCAL_SCALE: f64 = 1e5;

fn to_line_string(ring: &[[f64; 2]]) -> LineString<f64> {
    LineString::new(ring.iter().map(|&p| c(p)).collect())
}

fn from_multi_polygon(mp: &MultiPolygon<f64>) -> Polygons {
    mp.0.iter()
        .map(|poly| {
            std::iter::once(poly.exterior())
                .chain(poly.interiors())
                .map(|ring| ring.0.iter().map(|p| [p.x, p.y]).collect())
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Around phường Ngọc Sơn: lon 105.80, lat 19.51. 1e-4° ≈ 10.5 m east, 11 m north.
    const X: f64 = 105.8000;
    const Y: f64 = 19.5100;

    fn square(x: f64, y: f64, d: f64) -> Vec<[f64; 2]> {
        vec![[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
    }

    fn parcel(id: i64, rings: Vec<Vec<[f64; 2]>>) -> ParcelInput {
        ParcelInput {
            id: FeatureId::from(id),
            map_sheet: Some("26".into()),
            parcel_no: Some(id.to_string()),
            owner: None,
            residential_group: None,
            land_use: Some("ODT".into()),
            polygons: vec![rings],
        }
    }

    fn segment(id: i64, width: Option<f64>) -> SegmentInput {
        SegmentInput {
            id: FeatureId::from(id),
            name: "Phố Hàng Đồng".into(),
            current_width_m: Some(5.5),
            planned_width_m: width,
            planned_left_m: None,
            planned_right_m: None,
            lines: vec![vec![[X, Y], [X + 0.002, Y]]],
        }
    }

    fn bow_tie() -> Vec<[f64; 2]> {
        vec![
            [X, Y],
            [X + 0.0002, Y + 0.0002],
            [X + 0.0002, Y],
            [X, Y + 0.0002],
            [X, Y],
        ]
    }

    fn reasons(issues: &[Issue]) -> Vec<&Reason> {
        issues.iter().map(|i| &i.reason).collect()
    }

    #[test]
    fn good_data_has_no_issues() {
        let parcels: Vec<_> = (0..50)
            .map(|i| parcel(i, vec![square(X + i as f64 * 0.0002, Y + 0.0001, 0.0001)]))
            .collect();
        let r = validate(&[segment(1, Some(10.0))], &parcels, &[]);
        assert!(r.errors.is_empty() && r.warnings.is_empty(), "{r:#?}");
    }

    #[test]
    fn a_bow_tie_is_flagged_with_the_crossing_location() {
        let r = validate(&[], &[parcel(57, vec![bow_tie()])], &[]);
        assert_eq!(r.errors.len(), 1, "{r:#?}");
        let issue = &r.errors[0];
        assert_eq!(issue.id, FeatureId::from(57));
        assert!(matches!(
            issue.reason,
            Reason::SelfIntersection { edges: (0, 2), .. }
        ));
        let [lon, lat] = issue.at.unwrap();
        assert!((lon - (X + 0.0001)).abs() < 1e-10 && (lat - (Y + 0.0001)).abs() < 1e-10);
        let shown = issue.to_string();
        assert!(
            shown.starts_with("lỗi: thửa đất #0 (id 57): vòng ngoài của đa giác 0: tự cắt"),
            "{shown}"
        );
        assert!(
            shown.contains(
                " / error: parcel #0 (id 57): exterior ring of polygon 0: self-intersection"
            ),
            "{shown}"
        );
        assert!(shown.contains("at (105.8001000, 19.5101000)"), "{shown}");
    }

    #[test]
    fn a_corner_touching_another_edge_and_a_fold_back_are_self_intersections() {
        // Corner 3 lies on edge 0 → 1.
        let touching = vec![
            [X, Y],
            [X + 0.0002, Y],
            [X + 0.0002, Y + 0.0002],
            [X + 0.0001, Y],
            [X, Y + 0.0002],
            [X, Y],
        ];
        // Goes out and straight back along the same line.
        let spike = vec![
            [X, Y],
            [X + 0.0002, Y],
            [X + 0.0003, Y],
            [X + 0.0002, Y],
            [X + 0.0002, Y + 0.0001],
            [X, Y],
        ];
        let r = validate(
            &[],
            &[parcel(1, vec![touching]), parcel(2, vec![spike])],
            &[],
        );
        let ids: Vec<_> = r.errors.iter().map(|i| i.id.to_string()).collect();
        assert!(
            ids.contains(&"1".to_string()) && ids.contains(&"2".to_string()),
            "{r:#?}"
        );
        assert!(
            r.errors
                .iter()
                .all(|i| matches!(i.reason, Reason::SelfIntersection { .. }))
        );
    }

    #[test]
    fn a_big_self_intersecting_ring_is_found_through_the_index() {
        // A 200-corner zig-zag closed by a return edge that crosses it.
        let mut ring: Vec<[f64; 2]> = (0..200)
            .map(|k| {
                [
                    X + f64::from(k) * 1e-6,
                    Y + if k % 2 == 0 { 0.0 } else { 1e-5 },
                ]
            })
            .collect();
        ring.push([X + 100e-6, Y - 1e-5]);
        ring.push([X + 100e-6, Y + 2e-5]);
        ring.push([X, Y]);
        let r = validate(&[], &[parcel(9, vec![ring.clone()])], &[]);
        assert!(
            r.errors
                .iter()
                .any(|i| matches!(i.reason, Reason::SelfIntersection { .. })),
            "{r:#?}"
        );
        // The same ring without the crossing return is fine.
        let mut ok: Vec<[f64; 2]> = ring[..200].to_vec();
        ok.push([X + 199e-6, Y + 5e-5]);
        ok.push([X, Y + 5e-5]);
        ok.push([X, Y]);
        assert!(validate(&[], &[parcel(9, vec![ok])], &[]).errors.is_empty());
    }

    #[test]
    fn an_open_ring_is_named() {
        let mut open = square(X, Y, 0.0001);
        open.pop();
        let r = validate(&[], &[parcel(3, vec![open])], &[]);
        assert_eq!(
            reasons(&r.errors),
            vec![&Reason::RingNotClosed {
                part: Part::Ring {
                    polygon: 0,
                    ring: 0
                }
            }]
        );
    }

    #[test]
    fn swapped_lat_lon_is_named_with_where_it_was_meant() {
        let swapped: Vec<[f64; 2]> = square(X, Y, 0.0001).iter().map(|&[x, y]| [y, x]).collect();
        let r = validate(&[], &[parcel(4, vec![swapped])], &[]);
        assert_eq!(r.errors.len(), 1, "{r:#?}");
        assert!(matches!(
            r.errors[0].reason,
            Reason::SwappedLatLon {
                vertex: 0,
                count: 5,
                ..
            }
        ));
        assert_eq!(r.errors[0].at, Some([X, Y]));
        assert!(r.errors[0].to_string().contains("đảo chỗ"));
    }

    #[test]
    fn nan_and_out_of_range_coordinates_are_errors() {
        let mut nan = square(X, Y, 0.0001);
        nan[2] = [f64::NAN, Y];
        let projected = square(587_000.0, 2_157_000.0, 10.0);
        let r = validate(
            &[],
            &[parcel(5, vec![nan]), parcel(6, vec![projected])],
            &[],
        );
        assert!(matches!(
            r.errors[0].reason,
            Reason::NonFiniteCoordinate {
                vertex: 2,
                count: 1,
                ..
            }
        ));
        assert!(matches!(
            r.errors[1].reason,
            Reason::OutOfRange { count: 5, .. }
        ));
        assert_eq!(r.errors.len(), 2);
    }

    #[test]
    fn too_few_points_are_errors() {
        let r = validate(
            &[SegmentInput {
                lines: vec![vec![[X, Y], [X, Y]]],
                ..segment(1, Some(8.0))
            }],
            &[parcel(1, vec![vec![[X, Y], [X + 0.0001, Y], [X, Y]]])],
            &[],
        );
        assert!(matches!(
            r.errors[0].reason,
            Reason::TooFewPoints {
                needed: 2,
                found: 1,
                ..
            }
        ));
        assert!(matches!(
            r.errors[1].reason,
            Reason::TooFewPoints {
                needed: 4,
                found: 3,
                ..
            }
        ));
    }

    #[test]
    fn duplicate_ids_name_both_positions() {
        let parcels = vec![
            parcel(10, vec![square(X, Y, 0.0001)]),
            parcel(11, vec![square(X + 0.0002, Y, 0.0001)]),
            parcel(10, vec![square(X + 0.0004, Y, 0.0001)]),
        ];
        let r = validate(
            &[segment(1, Some(9.0)), segment(1, Some(9.0))],
            &parcels,
            &[],
        );
        let dup: Vec<_> = r
            .errors
            .iter()
            .filter(|i| matches!(i.reason, Reason::DuplicateId { .. }))
            .map(|i| (i.layer, i.index, i.reason.clone()))
            .collect();
        assert_eq!(
            dup,
            vec![
                (Layer::Segment, 1, Reason::DuplicateId { first: 0 }),
                (Layer::Parcel, 2, Reason::DuplicateId { first: 0 }),
            ]
        );
        let shown = r
            .errors
            .iter()
            .find(|i| i.layer == Layer::Parcel)
            .unwrap()
            .to_string();
        assert!(
            shown.contains("thửa đất #2 (id 10): trùng mã với đối tượng #0"),
            "{shown}"
        );
    }

    #[test]
    fn many_copies_of_one_id_all_name_the_first() {
        let parcels: Vec<_> = (0..100)
            .map(|i| parcel(1, vec![square(X + i as f64 * 0.0002, Y, 0.0001)]))
            .collect();
        let r = validate(&[], &parcels, &[]);
        let got: Vec<_> = r
            .errors
            .iter()
            .map(|i| (i.index, i.reason.clone()))
            .collect();
        let want: Vec<_> = (1..100)
            .map(|k| (k, Reason::DuplicateId { first: 0 }))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_segment_without_a_usable_width_is_an_error() {
        let mut sides = segment(3, None);
        sides.planned_left_m = Some(4.0);
        sides.planned_right_m = Some(5.0);
        let mut one_side = segment(4, None);
        one_side.planned_left_m = Some(4.0);
        let r = validate(
            &[
                segment(1, None),
                segment(2, Some(-3.0)),
                sides,
                one_side,
                segment(5, Some(150.0)),
                segment(6, Some(f64::NAN)),
            ],
            &[],
            &[],
        );
        let got: Vec<_> = r
            .errors
            .iter()
            .map(|i| (i.id.to_string(), i.reason.clone()))
            .collect();
        assert_eq!(got.len(), 5, "{got:#?}");
        assert_eq!(got[0], ("1".into(), Reason::NoUsableWidth));
        assert!(
            matches!(got[1], (ref id, Reason::BadWidth { field: "planned_width_m", value }) if id == "2" && value == -3.0)
        );
        assert_eq!(got[2], ("4".into(), Reason::NoUsableWidth));
        assert!(
            matches!(got[3], (ref id, Reason::BadWidth { value, .. }) if id == "5" && value == 150.0)
        );
        assert!(
            matches!(got[4], (ref id, Reason::BadWidth { value, .. }) if id == "6" && value.is_nan())
        );
    }

    #[test]
    fn a_width_not_larger_than_current_is_a_warning() {
        let r = validate(&[segment(1, Some(5.0))], &[], &[]);
        assert!(r.errors.is_empty());
        assert!(matches!(r.warnings[0].reason, Reason::NotWider { .. }));
    }

    #[test]
    fn a_far_away_parcel_is_a_warning() {
        let mut parcels: Vec<_> = (0..20)
            .map(|i| parcel(i, vec![square(X + i as f64 * 0.0002, Y, 0.0001)]))
            .collect();
        // 106.8 for 105.8: about 105 km east.
        parcels.push(parcel(99, vec![square(X + 1.0, Y, 0.0001)]));
        let r = validate(&[segment(1, Some(10.0))], &parcels, &[]);
        assert!(r.errors.is_empty(), "{r:#?}");
        assert_eq!(r.warnings.len(), 1, "{r:#?}");
        let w = &r.warnings[0];
        assert_eq!(
            (w.layer, w.index, w.id.clone()),
            (Layer::Parcel, 20, FeatureId::from(99))
        );
        assert!(
            matches!(w.reason, Reason::FarFromData { distance_m, .. } if distance_m > 100_000.0)
        );
        assert!(
            w.to_string()
                .starts_with("cảnh báo: thửa đất #20 (id 99): nằm xa")
        );
    }

    #[test]
    fn a_zero_area_parcel_is_a_warning() {
        let flat = vec![[X, Y], [X + 0.0001, Y], [X + 0.0002, Y + 1e-12], [X, Y]];
        let r = validate(&[], &[parcel(1, vec![flat])], &[]);
        assert!(
            r.warnings
                .iter()
                .any(|w| matches!(w.reason, Reason::ZeroArea { .. })),
            "{r:#?}"
        );
    }

    #[test]
    fn a_hole_outside_its_shell_is_an_error() {
        let r = validate(
            &[],
            &[parcel(
                1,
                vec![square(X, Y, 0.0001), square(X + 0.001, Y, 0.00005)],
            )],
            &[],
        );
        assert_eq!(
            reasons(&r.errors),
            vec![&Reason::HoleOutsideShell {
                part: Part::Ring {
                    polygon: 0,
                    ring: 1
                }
            }]
        );
        let inside = validate(
            &[],
            &[parcel(
                1,
                vec![
                    square(X, Y, 0.0001),
                    square(X + 0.00002, Y + 0.00002, 0.00005),
                ],
            )],
            &[],
        );
        assert!(inside.errors.is_empty(), "{inside:#?}");
    }

    #[test]
    fn a_corridor_naming_no_segment_is_an_error() {
        let corridors = vec![
            CorridorInput {
                feature_id: None,
                segment_id: FeatureId::from(1),
                polygons: vec![vec![square(X, Y, 0.0001)]],
            },
            CorridorInput {
                feature_id: Some("c2".into()),
                segment_id: FeatureId::from(2),
                polygons: vec![vec![square(X, Y, 0.0001)]],
            },
        ];
        let r = validate(&[segment(1, Some(10.0))], &[], &corridors);
        assert_eq!(r.errors.len(), 1);
        assert_eq!(r.errors[0].id, FeatureId::Text("c2".into()));
        assert!(
            matches!(&r.errors[0].reason, Reason::UnknownSegment { segment_id } if *segment_id == FeatureId::from(2))
        );
    }

    #[test]
    fn several_problems_in_one_input_are_all_reported() {
        let mut open = square(X + 0.0004, Y, 0.0001);
        open.pop();
        let mut nan = square(X + 0.0006, Y, 0.0001);
        nan[1][1] = f64::NAN;
        let parcels = vec![
            parcel(1, vec![bow_tie()]),
            parcel(2, vec![open]),
            parcel(3, vec![nan]),
            parcel(1, vec![square(X + 0.0008, Y, 0.0001)]),
        ];
        let r = validate(&[segment(7, None)], &parcels, &[]);
        let got: Vec<_> = r.errors.iter().map(|i| (i.layer, i.index)).collect();
        assert_eq!(
            got,
            vec![
                (Layer::Segment, 0),
                (Layer::Parcel, 0),
                (Layer::Parcel, 1),
                (Layer::Parcel, 2),
                (Layer::Parcel, 3)
            ],
            "{r:#?}"
        );
    }

    #[test]
    fn repair_of_a_bow_tie_gives_valid_polygons_and_a_report_line() {
        let mut parcels = vec![
            parcel(57, vec![bow_tie()]),
            parcel(58, vec![square(X, Y + 0.001, 0.0001)]),
        ];
        let done = repair(&mut parcels, &mut []);
        assert_eq!(done.len(), 1, "{done:#?}");
        assert_eq!(
            done[0].action,
            RepairAction::MadeValid {
                polygon: 0,
                parts: 2
            }
        );
        let line = done[0].to_string();
        assert!(line.starts_with("thửa đất #0 (id 57): đa giác 0: sửa tự cắt, tách thành 2 đa giác hợp lệ / parcel #0 (id 57)"), "{line}");
        assert_eq!(parcels[0].polygons.len(), 2);
        let area: f64 = parcels[0]
            .polygons
            .iter()
            .map(|p| signed_ring_area(&p[0]).abs())
            .sum();
        assert!((area - 2.0 * 0.0002 * 0.0001 / 2.0).abs() < 1e-15, "{area}");
        assert!(validate(&[], &parcels, &[]).errors.is_empty());
        assert_eq!(
            parcels[1].polygons,
            vec![vec![square(X, Y + 0.001, 0.0001)]]
        );
    }

    #[test]
    fn repair_closes_rings_and_drops_repeated_points() {
        let mut ring = square(X, Y, 0.0001);
        ring.pop();
        ring.insert(1, ring[0]);
        let mut corridors = vec![CorridorInput {
            feature_id: None,
            segment_id: FeatureId::from(3),
            polygons: vec![vec![ring, vec![[X, Y], [X, Y]]]],
        }];
        let done = repair(&mut [], &mut corridors);
        let actions: Vec<_> = done.iter().map(|r| r.action.clone()).collect();
        let shell = Part::Ring {
            polygon: 0,
            ring: 0,
        };
        assert_eq!(
            actions,
            vec![
                RepairAction::DroppedRepeatedPoints {
                    part: shell,
                    count: 1
                },
                RepairAction::ClosedRing { part: shell },
                RepairAction::DroppedRepeatedPoints {
                    part: Part::Ring {
                        polygon: 0,
                        ring: 1
                    },
                    count: 1
                },
                RepairAction::DroppedDegenerateHole {
                    part: Part::Ring {
                        polygon: 0,
                        ring: 1
                    }
                },
            ]
        );
        assert_eq!(corridors[0].polygons, vec![vec![square(X, Y, 0.0001)]]);
        assert!(
            done.iter()
                .all(|r| r.id == FeatureId::from(3) && r.layer == Layer::Corridor)
        );
        assert!(
            validate(&[segment(3, Some(8.0))], &[], &corridors)
                .errors
                .is_empty()
        );
    }
}
