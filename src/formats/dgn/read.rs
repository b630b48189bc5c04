//! Walking the elements: the level filter, complex chains and shapes with
//! their components, cells and theirs, into outlines, lines and texts.

use std::collections::BTreeMap;
use std::iter::Peekable;

use super::element::*;
use super::geom::{self, TextBytes};
use super::{FormatError, Limits, Pt, ReadOptions};

/// A closed outline: a shape (6), complex shape (14) or ellipse (15).
pub(super) struct Outline {
    pub(super) offset: usize,
    pub(super) level: u8,
    /// Closed: first point repeated last.
    pub(super) ring: Vec<Pt>,
    /// Marked a hole (properties bit 15).
    pub(super) hole: bool,
    /// The cell it is a component of (its holes belong to it).
    pub(super) cell: Option<usize>,
}

/// An open line: line, line string, curve, arc, complex chain.
pub(super) struct Line {
    pub(super) offset: usize,
    pub(super) level: u8,
    pub(super) pts: Vec<Pt>,
}

pub(super) struct Text<'a> {
    pub(super) at: Pt,
    pub(super) bytes: TextBytes<'a>,
}

/// What was read, and what was counted for the report.
#[derive(Default)]
pub(super) struct Drawing<'a> {
    pub(super) outlines: Vec<Outline>,
    pub(super) lines: Vec<Line>,
    pub(super) texts: Vec<Text<'a>>,
    /// Graphic elements per level (every level, selected or not):
    /// (outlines, lines, texts).
    pub(super) levels: BTreeMap<u8, [usize; 3]>,
    pub(super) deleted: usize,
    pub(super) cells: usize,
    pub(super) arcs: usize,
    pub(super) other: usize,
    pub(super) degenerate: usize,
}

/// Reads every element after the TCB.
pub(super) fn walk<'a>(
    d: &Design,
    elements: &mut Peekable<Elements<'a>>,
    opts: &ReadOptions,
    limits: &Limits,
) -> Result<Drawing<'a>, FormatError> {
    let wanted = |level: u8| opts.levels.is_empty() || opts.levels.contains(&level);
    let mut out = Drawing::default();
    let mut budget = limits.curve_vertices;
    // the cell whose components are being read: (its number, its level)
    let mut cell: Option<(usize, u8)> = None;
    while let Some(e) = elements.next() {
        let e = e?;
        if !e.complex() {
            cell = None;
        }
        if e.deleted() {
            out.deleted += 1;
            continue;
        }
        // a component on level 0 (none) takes its cell's
        let level = match (e.level(), cell) {
            (0, Some((_, l))) => l,
            (l, _) => l,
        };
        let kind = e.kind();
        let slot = |out: &mut Drawing, k: usize| {
            out.levels.entry(level).or_default()[k] += 1;
        };
        match kind {
            CELL_HEADER => {
                out.cells += 1;
                cell = Some((out.cells, e.level()));
            }
            COMPLEX_CHAIN | COMPLEX_SHAPE => {
                let pts = components(d, &e, elements, limits, &mut budget, &mut out)?;
                let closed = kind == COMPLEX_SHAPE;
                slot(&mut out, if closed { 0 } else { 1 });
                if !wanted(level) {
                    continue;
                }
                push(&mut out, &e, level, pts, closed, cell.map(|c| c.0));
            }
            LINE | LINE_STRING | SHAPE | CURVE | ELLIPSE | ARC => {
                if matches!(kind, ELLIPSE | ARC) {
                    out.arcs += 1;
                }
                let closed = matches!(kind, SHAPE | ELLIPSE);
                slot(&mut out, if closed { 0 } else { 1 });
                if !wanted(level) {
                    continue;
                }
                let pts = geom::path(d, &e, limits.arc_segments, &mut budget)?.unwrap_or_default();
                push(&mut out, &e, level, pts, closed, cell.map(|c| c.0));
            }
            TEXT => {
                slot(&mut out, 2);
                if !wanted(level) {
                    continue;
                }
                let (at, bytes) = geom::text(d, &e)?;
                out.texts.push(Text { at, bytes });
            }
            TCB => {}
            _ => out.other += 1,
        }
    }
    Ok(out)
}

fn push(
    out: &mut Drawing,
    e: &Raw,
    level: u8,
    mut pts: Vec<Pt>,
    closed: bool,
    cell: Option<usize>,
) {
    pts.dedup();
    if closed {
        if pts.first() != pts.last()
            && let Some(&f) = pts.first()
        {
            pts.push(f);
        }
        if pts.len() < 4 {
            out.degenerate += 1;
            return;
        }
        out.outlines.push(Outline {
            offset: e.offset,
            level,
            ring: pts,
            hole: e.properties() & HOLE != 0,
            cell,
        });
    } else {
        if pts.len() < 2 {
            out.degenerate += 1;
            return;
        }
        out.lines.push(Line {
            offset: e.offset,
            level,
            pts,
        });
    }
}

/// The components of a complex chain or shape (the elements after it with
/// the complex bit, as many as its header says at byte 38), chained into
/// one run of vertices: each component's first vertex is dropped when it
/// repeats the last, and a component drawn the other way round is turned.
fn components(
    d: &Design,
    head: &Raw,
    elements: &mut Peekable<Elements>,
    limits: &Limits,
    budget: &mut u64,
    out: &mut Drawing,
) -> Result<Vec<Pt>, FormatError> {
    let n = head.u16(38)?;
    let mut pts: Vec<Pt> = Vec::new();
    for k in 0..n {
        let next = match elements.peek() {
            Some(Ok(c)) if c.complex() => *c,
            Some(Err(_)) => return Err(elements.next().and_then(Result::err).expect("an error")),
            _ => {
                return Err(head.bad(
                    &format!("khai {n} thành phần nhưng chỉ có {k} theo sau"),
                    &format!("announces {n} components but only {k} follow"),
                ));
            }
        };
        elements.next();
        if next.deleted() {
            continue;
        }
        if matches!(next.kind(), ELLIPSE | ARC) {
            out.arcs += 1;
        }
        let Some(mut part) = geom::path(d, &next, limits.arc_segments, budget)? else {
            out.other += 1;
            continue;
        };
        if let (Some(&last), Some(&first), Some(&end)) = (pts.last(), part.first(), part.last())
            && last != first
            && near(last, end) < near(last, first)
        {
            part.reverse();
        }
        let skip = usize::from(pts.last().is_some() && pts.last() == part.first());
        pts.extend(part.into_iter().skip(skip));
    }
    Ok(pts)
}

fn near(a: Pt, b: Pt) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}
