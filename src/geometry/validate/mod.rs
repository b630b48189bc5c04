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

use std::collections::HashSet;
use std::fmt;

use rayon::prelude::*;

use super::input::{CorridorInput, FeatureId, ParcelInput, SegmentInput};

mod coordinates;
mod dataset;
mod features;
mod repair;
mod rings;
#[cfg(test)]
mod tests;

use dataset::{duplicate_ids, far_away, fnv};
use features::{check_corridor, check_parcel, check_segment, corridor_id, corridor_issue};
pub use repair::repair;

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
