//! Per-feature checks: a segment's lines and widths, a parcel's and a
//! corridor's polygons.

use super::coordinates::{Bounds, check_positions};
use super::rings::check_polygons;
use super::{CorridorInput, FeatureId, ParcelInput, SegmentInput};
use super::{Found, Issue, Layer, Part, Reason};

pub(super) fn check_segment(i: usize, s: &SegmentInput, out: &mut Found) -> Option<[f64; 2]> {
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
            let side_ok = |v: f64| v.is_finite() && v >= 0.0;
            let mut sides_ok = true;
            for (field, v) in [("planned_left_m", left), ("planned_right_m", right)] {
                if let Some(v) = v
                    && !side_ok(v)
                {
                    report(Reason::BadWidth { field, value: v });
                    sides_ok = false;
                }
            }
            // a side not given is half the width (as the corridor takes it),
            // so one given side must agree with the width too
            let (l, r) = (left.unwrap_or(w / 2.0), right.unwrap_or(w / 2.0));
            if (left.is_some() || right.is_some())
                && sides_ok
                && valid(w)
                && (l + r - w).abs() > 0.01
            {
                report(Reason::WidthsDisagree {
                    planned_m: w,
                    left_right_m: l + r,
                });
            }
            (valid(w) && sides_ok).then_some(w)
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

pub(super) fn check_parcel(i: usize, p: &ParcelInput, out: &mut Found) -> Option<[f64; 2]> {
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

pub(super) fn corridor_id(c: &CorridorInput) -> FeatureId {
    c.feature_id.clone().unwrap_or_else(|| c.segment_id.clone())
}

pub(super) fn corridor_issue(
    i: usize,
    c: &CorridorInput,
    reason: Reason,
    at: Option<[f64; 2]>,
) -> Issue {
    Issue {
        layer: Layer::Corridor,
        id: corridor_id(c),
        index: i,
        reason,
        at,
    }
}

pub(super) fn check_corridor(i: usize, c: &CorridorInput, out: &mut Found) -> Option<[f64; 2]> {
    check_polygons(&c.polygons, &mut |reason: Reason, at: Option<[f64; 2]>| {
        out.push(corridor_issue(i, c, reason, at));
    })
    .map(|(centre, _)| centre)
}
