//! The sketch of the parcel and the donated strip: inline SVG in millimetres,
//! north up, with a scale bar, a north arrow and the corners numbered.

use std::fmt::Write as _;

use super::corners::{corners, dist, finite};
use super::text::num_vi;
use super::{CENTERLINE_COLOR, CENTERLINE_DASH, RecordDoc, STRIP_COLOR};

/// The sketch's largest box in millimetres (SVG user units). The box shrinks
/// to the drawing, so that a deep parcel leaves room for the coordinate table
/// beside it. 100 mm rather than 110 mm high: at 12 pt, a 110 mm sketch
/// pushed the signatures of a four-corner record onto a second page.
pub(super) const SK_MAX: [f64; 2] = [160.0, 100.0];
/// The smallest box: room for the scale bar and the north arrow.
const SK_MIN: [f64; 2] = [64.0, 44.0];
/// Around the drawing, for the corner numbers.
pub(super) const MARGIN: f64 = 7.0;
/// The north arrow's column on the right.
pub(super) const ARROW_COL: f64 = 14.0;
/// The scale bar's row at the bottom.
pub(super) const BAR_ROW: f64 = 10.0;

/// Map metres to sketch millimetres: equal scale on both axes, y flipped
/// because northing grows upwards and SVG y downwards.
pub(super) struct Fit {
    min_e: f64,
    max_n: f64,
    /// Millimetres per metre.
    pub(super) s: f64,
    ox: f64,
    oy: f64,
    /// The box.
    pub(super) w: f64,
    pub(super) h: f64,
}

impl Fit {
    pub(super) fn new(points: impl Iterator<Item = [f64; 2]>) -> Option<Fit> {
        let mut b = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for p in points.filter(|p| finite(*p)) {
            b = [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ];
        }
        if !b[0].is_finite() {
            return None;
        }
        let (dx, dy) = (b[2] - b[0], b[3] - b[1]);
        let aw = SK_MAX[0] - MARGIN - ARROW_COL;
        let ah = SK_MAX[1] - MARGIN - BAR_ROW;
        // A single point: any scale will do.
        let s = if dx.max(dy) < 1e-6 {
            1.0
        } else {
            (aw / dx).min(ah / dy)
        };
        let (dw, dh) = (dx * s, dy * s);
        let w = round_up_tenth((MARGIN + dw + ARROW_COL).max(SK_MIN[0]));
        let h = round_up_tenth((MARGIN + dh + BAR_ROW).max(SK_MIN[1]));
        Some(Fit {
            min_e: b[0],
            max_n: b[3],
            s,
            ox: MARGIN + (w - ARROW_COL - MARGIN - dw) / 2.0,
            oy: MARGIN + (h - BAR_ROW - MARGIN - dh) / 2.0,
            w,
            h,
        })
    }

    pub(super) fn pt(&self, p: [f64; 2]) -> (f64, f64) {
        (
            self.ox + (p[0] - self.min_e) * self.s,
            self.oy + (self.max_n - p[1]) * self.s,
        )
    }

    /// "M x y L x y …" of finite points; `close` for rings.
    fn path(&self, ring: &[[f64; 2]], close: bool) -> String {
        let mut d = String::new();
        for (i, p) in ring.iter().filter(|p| finite(**p)).enumerate() {
            let (x, y) = self.pt(*p);
            w!(d, "{}{x:.2} {y:.2} ", if i == 0 { 'M' } else { 'L' });
        }
        if close && !d.is_empty() {
            d.push('Z');
        }
        d
    }
}

/// Đưa đoạn tim đường gần nhất vào khung để thấy thửa nằm bên nào đường.
/// The point of the centerlines nearest the parcel's centre, when it lies
/// close enough to be drawn: the sketch then shows which side of the road
/// the parcel is on, without shrinking a small parcel for a far road.
pub(super) fn nearest_centerline_point(
    points: &[[f64; 2]],
    lines: &[Vec<[f64; 2]>],
) -> Option<[f64; 2]> {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for p in points.iter().filter(|p| finite(**p)) {
        b = [
            b[0].min(p[0]),
            b[1].min(p[1]),
            b[2].max(p[0]),
            b[3].max(p[1]),
        ];
    }
    if !b[0].is_finite() {
        return None;
    }
    let c = [(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0];
    let reach = ((b[2] - b[0]).max(b[3] - b[1]) / 2.0).max(5.0);
    let outside = |p: [f64; 2]| {
        let dx = (b[0] - p[0]).max(p[0] - b[2]).max(0.0);
        let dy = (b[1] - p[1]).max(p[1] - b[3]).max(0.0);
        dx.hypot(dy)
    };
    lines
        .iter()
        .flat_map(|l| l.windows(2))
        .filter_map(|w| closest_on_segment(c, w[0], w[1]))
        .min_by(|p, q| dist(c, *p).total_cmp(&dist(c, *q)))
        .filter(|p| outside(*p) <= reach)
}

fn closest_on_segment(c: [f64; 2], a: [f64; 2], b: [f64; 2]) -> Option<[f64; 2]> {
    if !(finite(a) && finite(b)) {
        return None;
    }
    let (vx, vy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = vx * vx + vy * vy;
    let t = if len2 > 0.0 {
        (((c[0] - a[0]) * vx + (c[1] - a[1]) * vy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    Some([a[0] + t * vx, a[1] + t * vy])
}

fn round_up_tenth(v: f64) -> f64 {
    (v * 10.0).ceil() / 10.0
}

pub(super) fn sketch_svg(doc: &RecordDoc) -> String {
    let points: Vec<[f64; 2]> = doc
        .parcel
        .iter()
        .chain(&doc.strips)
        .flatten()
        .copied()
        .collect();
    let road = nearest_centerline_point(&points, &doc.centerlines);
    let fit = Fit::new(points.into_iter().chain(road));
    let (w, h) = fit.as_ref().map_or((SK_MAX[0], SK_MIN[1]), |f| (f.w, f.h));
    let mut g = String::with_capacity(4096);
    w!(
        g,
        "<svg viewBox=\"0 0 {w} {h}\" width=\"{w}mm\" height=\"{h}mm\" role=\"img\" \
         aria-label=\"Sơ đồ thửa đất và phần đất hiến\" \
         font-family=\"Times New Roman, Liberation Serif, DejaVu Serif, serif\">\n"
    );
    svg_defs(&mut g, w, h);
    w!(
        g,
        "<rect x=\"0.3\" y=\"0.3\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" \
         stroke=\"#000\" stroke-width=\"0.3\"/>\n",
        w - 0.6,
        h - 0.6
    );
    let pieces = corners(&doc.strips);
    if let Some(fit) = &fit {
        draw_parcel(&mut g, fit, &doc.parcel);
        draw_centerlines(&mut g, fit, &doc.centerlines);
        draw_strips(&mut g, fit, &doc.strips, &pieces);
        north_arrow(&mut g, w);
        scale_bar(&mut g, fit);
    }
    if pieces.is_empty() {
        w!(
            g,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"4.5\" fill=\"#444\" \
             stroke=\"#fff\" stroke-width=\"1\" paint-order=\"stroke\">Không có phần đất hiến</text>\n",
            w / 2.0,
            h / 2.0
        );
    }
    g.push_str("</svg>\n");
    g
}

/// The hatch of the strip, and the clip that keeps centerlines, which run far
/// beyond the parcel, inside the drawing.
fn svg_defs(g: &mut String, w: f64, h: f64) {
    w!(
        g,
        "<defs>\n<pattern id=\"rec-hatch\" patternUnits=\"userSpaceOnUse\" width=\"1.6\" \
         height=\"1.6\" patternTransform=\"rotate(45)\">\
         <rect width=\"1.6\" height=\"1.6\" fill=\"#fbe3e1\"/>\
         <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1.6\" stroke=\"{STRIP_COLOR}\" stroke-width=\"0.45\"/>\
         </pattern>\n<clipPath id=\"rec-clip\"><rect x=\"1\" y=\"1\" width=\"{:.1}\" \
         height=\"{:.1}\"/></clipPath>\n</defs>\n",
        w - ARROW_COL - 1.0,
        h - BAR_ROW - 1.0
    );
}

fn draw_parcel(g: &mut String, fit: &Fit, rings: &[Vec<[f64; 2]>]) {
    let d: Vec<String> = rings.iter().map(|r| fit.path(r, true)).collect();
    let d = d.join(" ");
    if !d.trim().is_empty() {
        w!(
            g,
            "<path class=\"parcel\" d=\"{d}\" fill=\"#f6f6f1\" fill-rule=\"evenodd\" \
             stroke=\"#000\" stroke-width=\"0.4\"/>\n"
        );
    }
}

fn draw_centerlines(g: &mut String, fit: &Fit, lines: &[Vec<[f64; 2]>]) {
    if lines.is_empty() {
        return;
    }
    g.push_str("<g clip-path=\"url(#rec-clip)\">\n");
    for line in lines {
        let d = fit.path(line, false);
        if !d.is_empty() {
            w!(
                g,
                "<path class=\"centerline\" d=\"{d}\" fill=\"none\" stroke=\"{CENTERLINE_COLOR}\" \
                 stroke-width=\"0.35\" stroke-dasharray=\"{CENTERLINE_DASH}\"/>\n"
            );
        }
    }
    g.push_str("</g>\n");
}

/// The strip, hatched, with its corners numbered as in the coordinate table;
/// each number is pushed away from its piece's centre so it sits outside.
fn draw_strips(
    g: &mut String,
    fit: &Fit,
    rings: &[Vec<[f64; 2]>],
    pieces: &[Vec<(usize, [f64; 2])>],
) {
    for ring in rings {
        let d = fit.path(ring, true);
        if !d.is_empty() {
            w!(
                g,
                "<path class=\"strip\" d=\"{d}\" fill=\"url(#rec-hatch)\" stroke=\"{STRIP_COLOR}\" \
                 stroke-width=\"0.45\"/>\n"
            );
        }
    }
    for piece in pieces {
        let n = piece.len() as f64;
        let (cx, cy) = piece.iter().fold((0.0, 0.0), |(x, y), (_, p)| {
            let (px, py) = fit.pt(*p);
            (x + px / n, y + py / n)
        });
        for &(k, p) in piece {
            let (x, y) = fit.pt(p);
            let (dx, dy) = (x - cx, y - cy);
            let len = dx.hypot(dy);
            let (ux, uy) = if len > 1e-9 {
                (dx / len, dy / len)
            } else {
                (0.7, -0.7)
            };
            w!(
                g,
                "<circle cx=\"{x:.2}\" cy=\"{y:.2}\" r=\"0.6\" fill=\"{STRIP_COLOR}\"/>\
                 <text class=\"corner\" x=\"{:.2}\" y=\"{:.2}\" font-size=\"3.2\" \
                 text-anchor=\"middle\" dominant-baseline=\"central\">{k}</text>\n",
                x + ux * 3.0,
                y + uy * 3.0
            );
        }
    }
}

/// Up is north (the y axis is flipped), so the arrow always points up.
fn north_arrow(g: &mut String, w: f64) {
    let x = w - ARROW_COL / 2.0;
    w!(
        g,
        "<g class=\"north-arrow\"><path d=\"M{x:.1} 8 L{:.1} 20 L{x:.1} 17 L{:.1} 20 Z\" \
         fill=\"#000\"/><text x=\"{x:.1}\" y=\"6.5\" font-size=\"4\" text-anchor=\"middle\" \
         font-weight=\"bold\">B</text></g>\n",
        x + 3.5,
        x - 3.5
    );
}

/// A bar of a round length (1, 2, 5 × 10ⁿ m) no longer than 40 mm.
fn scale_bar(g: &mut String, fit: &Fit) {
    let max_mm = (fit.w - ARROW_COL - MARGIN - 3.0).min(40.0);
    let len = round_length(max_mm / fit.s);
    let mm = len * fit.s;
    if !(mm.is_finite() && mm > 0.0) {
        return;
    }
    let decimals = (-len.log10().floor()).max(0.0) as usize;
    let (x, y) = (MARGIN, fit.h - 4.5);
    let half = mm / 2.0;
    w!(
        g,
        "<g class=\"scale-bar\" font-size=\"3\" stroke-width=\"0.2\">\
         <rect x=\"{x}\" y=\"{y:.1}\" width=\"{half:.2}\" height=\"1.2\" fill=\"#000\" stroke=\"#000\"/>\
         <rect x=\"{:.2}\" y=\"{y:.1}\" width=\"{half:.2}\" height=\"1.2\" fill=\"#fff\" stroke=\"#000\"/>\
         <text x=\"{x}\" y=\"{:.1}\" text-anchor=\"middle\">0</text>\
         <text x=\"{:.2}\" y=\"{:.1}\" text-anchor=\"middle\">{} m</text></g>\n",
        x + half,
        y - 1.0,
        x + mm,
        y - 1.0,
        num_vi(len, decimals)
    );
}

/// The largest of 1, 2, 5 × 10ⁿ not above `max`.
pub(super) fn round_length(max: f64) -> f64 {
    if !(max.is_finite() && max > 0.0) {
        return 1.0;
    }
    let base = 10f64.powf(max.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * base)
        .find(|&l| l <= max * (1.0 + 1e-9))
        .unwrap_or(base)
}

/// Chú giải, bằng HTML ở đầu cột bảng tọa độ: cạnh sơ đồ hẹp, dưới sơ đồ
/// rộng. HTML at the head of the coordinate column, so that it costs no
/// height beside a narrow sketch and wraps; its swatches draw their own hatch
/// rather than refer to the sketch's pattern.
pub(super) fn legend(h: &mut String, centerlines: bool) {
    w!(
        h,
        "<div class=\"lg\"><span><svg width=\"6mm\" height=\"3.5mm\" viewBox=\"0 0 6 3.5\">\
         <rect x=\"0.2\" y=\"0.2\" width=\"5.6\" height=\"3.1\" fill=\"#fbe3e1\" \
         stroke=\"{STRIP_COLOR}\" stroke-width=\"0.3\"/><path d=\"M0.5 3.3 L3.3 0.5 M2.7 3.3 \
         L5.5 0.5\" stroke=\"{STRIP_COLOR}\" stroke-width=\"0.4\"/></svg> Phần đất hiến</span> \
         <span><svg width=\"7mm\" height=\"3.5mm\" viewBox=\"0 0 7 3.5\"><path d=\"M0 1.75 H7\" \
         stroke=\"#000\" stroke-width=\"0.4\"/></svg> Ranh thửa</span>"
    );
    if centerlines {
        w!(
            h,
            " <span><svg width=\"10mm\" height=\"3.5mm\" viewBox=\"0 0 10 3.5\">\
             <path d=\"M0 1.75 H10\" stroke=\"{CENTERLINE_COLOR}\" stroke-width=\"0.35\" \
             stroke-dasharray=\"{CENTERLINE_DASH}\"/></svg> Tim đường</span>"
        );
    }
    h.push_str("</div>\n");
}
