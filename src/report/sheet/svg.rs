//! The map of the sheet as inline SVG in millimetres of paper: the window
//! ([`Window`]) maps the projected CRS's metres at the chosen scale, north up
//! (grid north). The frame carries the grid ticks labelled in VN-2000 metres
//! (X northing on the left and right edges, Y easting along the top and
//! bottom) and crosses where the grid lines meet; inside, the neighbours'
//! outlines, the area's parcels coloured by status and numbered, the
//! corridors and the centerlines. Beside it, in HTML, the legend.

use super::grid::{self, Window};
use super::scale;
use super::{AreaKind, SheetDoc, w};
use crate::report::html::escape as esc;
use crate::report::record::num_vi;
use std::fmt::Write as _;

/// Status colours, as the web map's (web/src/config.js), with each status's
/// labels: (code, colour, Vietnamese, English).
const STATUSES: [(&str, &str, &str, &str); 7] = [
    ("not_yet", "#c8c8c8", "Chưa hiến", "Not yet"),
    ("not_contacted", "#c8c8c8", "Chưa tiếp cận", "Not contacted"),
    ("persuading", "#56b4e9", "Đang vận động", "Being persuaded"),
    ("declined", "#cc79a7", "Chưa đồng ý", "Declined"),
    ("agreed", "#f0e442", "Đã đồng ý", "Agreed"),
    ("signed", "#0072b2", "Đã ký biên bản", "Signed"),
    (
        "handed_over",
        "#009e73",
        "Đã bàn giao mặt bằng",
        "Handed over",
    ),
];
/// A parcel of the area that gives no land.
const UNAFFECTED: &str = "#ffffff";
const CORRIDOR: &str = "#b3261e";
const CENTERLINE: &str = "#1565c0";
const CENTERLINE_DASH: &str = "4 1.2 0.8 1.2";

fn colour(code: Option<&str>) -> &'static str {
    code.and_then(|c| STATUSES.iter().find(|s| s.0 == c))
        .map_or(UNAFFECTED, |s| s.1)
}

/// "M x y L … Z" of a ring on paper, to 0,01 mm.
fn path(win: &Window, ring: &[[f64; 2]], close: bool, d: &mut String) {
    let mut first = true;
    for p in ring.iter().filter(|p| p[0].is_finite() && p[1].is_finite()) {
        let (x, y) = win.pt(*p);
        w!(d, "{}{x:.2} {y:.2}", if first { 'M' } else { 'L' });
        first = false;
    }
    if close && !first {
        d.push('Z');
    }
}

fn polygons_d(win: &Window, polys: &[Vec<Vec<[f64; 2]>>]) -> String {
    let mut d = String::new();
    for ring in polys.iter().flatten() {
        path(win, ring, true, &mut d);
    }
    d
}

/// Where a parcel's number goes: the area-weighted centre of its largest
/// shell, and the shell's width and height on paper (mm).
fn label_point(win: &Window, polys: &[Vec<Vec<[f64; 2]>>]) -> Option<((f64, f64), [f64; 2])> {
    let shell = polys
        .iter()
        .filter_map(|p| p.first())
        .max_by(|a, b| ring_area(a).abs().total_cmp(&ring_area(b).abs()))?;
    let (min, max) = super::bounds(shell.iter())?;
    let a = ring_area(shell);
    let o = min;
    let (mut cx, mut cy) = (0.0, 0.0);
    for w in shell.windows(2) {
        let (p, q) = (
            [w[0][0] - o[0], w[0][1] - o[1]],
            [w[1][0] - o[0], w[1][1] - o[1]],
        );
        let c = p[0] * q[1] - q[0] * p[1];
        cx += (p[0] + q[0]) * c;
        cy += (p[1] + q[1]) * c;
    }
    let centre = if a.abs() > 1e-9 {
        [o[0] + cx / (6.0 * a), o[1] + cy / (6.0 * a)]
    } else {
        [(min[0] + max[0]) / 2.0, (min[1] + max[1]) / 2.0]
    };
    let size = [(max[0] - min[0]) / win.k(), (max[1] - min[1]) / win.k()];
    Some((win.pt(centre), size))
}

/// Signed shoelace area of a ring, about its first point (no precision lost
/// on 10⁶ m coordinates).
fn ring_area(r: &[[f64; 2]]) -> f64 {
    let Some(o) = r.first() else { return 0.0 };
    r.windows(2)
        .map(|w| (w[0][0] - o[0]) * (w[1][1] - o[1]) - (w[1][0] - o[0]) * (w[0][1] - o[1]))
        .sum::<f64>()
        / 2.0
}

/// The number's size on paper (mm) at each scale: legible at 1:500, small
/// enough not to cover a 20 m parcel at 1:5000.
fn label_size(s: u32) -> f64 {
    match s {
        0..=500 => 2.6,
        501..=1000 => 2.2,
        1001..=2000 => 1.8,
        _ => 1.3,
    }
}

/// The framed map: `<svg class="map">`.
pub(super) fn map(h: &mut String, doc: &SheetDoc) {
    let win = &doc.window;
    let [fw, fh] = doc.paper.frame_mm();
    let (bx, by, bw, bh) = (win.x0_mm, win.y0_mm, win.w_mm, win.h_mm);
    w!(
        h,
        "<svg class=\"map\" viewBox=\"0 0 {fw} {fh}\" width=\"{fw}mm\" height=\"{fh}mm\" role=\"img\" \
         aria-label=\"Bản đồ {} tỷ lệ 1:{} / Map at 1:{}\" \
         font-family=\"Times New Roman, Liberation Serif, DejaVu Serif, serif\">\n\
         <defs><clipPath id=\"box\"><rect x=\"{bx}\" y=\"{by}\" width=\"{bw}\" height=\"{bh}\"/></clipPath>\
         <pattern id=\"hatch\" patternUnits=\"userSpaceOnUse\" width=\"1.4\" height=\"1.4\" \
         patternTransform=\"rotate(45)\"><rect width=\"1.4\" height=\"1.4\" fill=\"#cc79a7\"/>\
         <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1.4\" stroke=\"#7d2f5c\" stroke-width=\"0.4\"/></pattern></defs>\n\
         <g clip-path=\"url(#box)\">\n",
        esc(&doc.name),
        win.scale,
        win.scale
    );
    // neighbours: outlines only
    let d = polygons_d(win, &doc.neighbours);
    if !d.is_empty() {
        w!(
            h,
            "<path class=\"neighbours\" d=\"{d}\" fill=\"#fafafa\" fill-rule=\"evenodd\" stroke=\"#9a9a9a\" stroke-width=\"0.12\"/>\n"
        );
    }
    for p in &doc.parcels {
        let fill = if p.status == Some("declined") {
            "url(#hatch)"
        } else {
            colour(p.status)
        };
        w!(
            h,
            "<path class=\"parcel\" data-id=\"{}\" d=\"{}\" fill=\"{fill}\" fill-rule=\"evenodd\" stroke=\"#222\" stroke-width=\"0.18\"/>\n",
            esc(&p.id),
            polygons_d(win, &p.polygons)
        );
    }
    for poly in &doc.corridors {
        let d = polygons_d(win, std::slice::from_ref(poly));
        w!(
            h,
            "<path class=\"corridor\" d=\"{d}\" fill=\"none\" stroke=\"{CORRIDOR}\" stroke-width=\"0.4\" stroke-dasharray=\"2.4 1.2\"/>\n"
        );
    }
    for (lines, width) in [(&doc.centerlines, 0.3), (&doc.own_centerline, 0.6)] {
        for l in lines {
            let mut d = String::new();
            path(win, l, false, &mut d);
            w!(
                h,
                "<path class=\"centerline\" d=\"{d}\" fill=\"none\" stroke=\"{CENTERLINE}\" stroke-width=\"{width}\" stroke-dasharray=\"{CENTERLINE_DASH}\"/>\n"
            );
        }
    }
    grid_crosses(h, win);
    parcel_numbers(h, doc);
    h.push_str("</g>\n");
    w!(
        h,
        "<rect x=\"{bx}\" y=\"{by}\" width=\"{bw}\" height=\"{bh}\" fill=\"none\" stroke=\"#000\" stroke-width=\"0.3\"/>\n\
         <rect x=\"0.4\" y=\"0.4\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" stroke=\"#000\" stroke-width=\"0.7\"/>\n",
        fw - 0.8,
        fh - 0.8
    );
    grid_ticks(h, win);
    h.push_str("</svg>\n");
}

fn parcel_numbers(h: &mut String, doc: &SheetDoc) {
    let win = &doc.window;
    let size = label_size(win.scale);
    h.push_str(&format!(
        "<g class=\"numbers\" font-size=\"{size}\" text-anchor=\"middle\" dominant-baseline=\"central\" \
         stroke=\"#fff\" stroke-width=\"0.5\" paint-order=\"stroke\">\n"
    ));
    for p in &doc.parcels {
        let Some(no) = p.parcel_no.as_deref() else {
            continue;
        };
        let Some(((x, y), [bw, bh])) = label_point(win, &p.polygons) else {
            continue;
        };
        // the number across the parcel where it fits, along a narrow deep
        // one, else not on the map (the table lists it)
        let long = no.chars().count() as f64 * 0.55 * size;
        if bw >= long && bh >= size {
            w!(
                h,
                "<text class=\"pno\" x=\"{x:.2}\" y=\"{y:.2}\">{}</text>\n",
                esc(no)
            );
        } else if bh >= long && bw >= size {
            w!(
                h,
                "<text class=\"pno\" transform=\"translate({x:.2} {y:.2}) rotate(-90)\">{}</text>\n",
                esc(no)
            );
        }
    }
    h.push_str("</g>\n");
}

/// A cross where grid lines meet, as on cadastral sheets.
fn grid_crosses(h: &mut String, win: &Window) {
    let step = grid::interval_m(win.scale);
    let max = win.max();
    let mut d = String::new();
    for e in grid::ticks(win.min_e, max[0], step) {
        for n in grid::ticks(win.min_n, max[1], step) {
            let (x, y) = win.pt([e, n]);
            w!(
                d,
                "M{:.2} {y:.2}H{:.2}M{x:.2} {:.2}V{:.2}",
                x - 1.5,
                x + 1.5,
                y - 1.5,
                y + 1.5
            );
        }
    }
    if !d.is_empty() {
        w!(
            h,
            "<path class=\"grid\" d=\"{d}\" stroke=\"#000\" stroke-width=\"0.15\"/>\n"
        );
    }
}

/// Ticks on the map box's edges, labelled: Y (easting) top and bottom, X
/// (northing) left and right, read from the outside.
fn grid_ticks(h: &mut String, win: &Window) {
    let step = grid::interval_m(win.scale);
    let max = win.max();
    let (bx, by, bw, bh) = (win.x0_mm, win.y0_mm, win.w_mm, win.h_mm);
    h.push_str("<g class=\"ticks\" font-size=\"2.4\" stroke-width=\"0.2\">\n");
    for e in grid::ticks(win.min_e, max[0], step) {
        let (x, _) = win.pt([e, win.min_n]);
        let l = grid::label(e);
        w!(
            h,
            "<path d=\"M{x:.2} {by}v-1.5M{x:.2} {:.2}v1.5\" stroke=\"#000\"/>\
             <text x=\"{x:.2}\" y=\"{:.2}\" text-anchor=\"middle\">Y {l}</text>\
             <text x=\"{x:.2}\" y=\"{:.2}\" text-anchor=\"middle\">Y {l}</text>\n",
            by + bh,
            by - 2.6,
            by + bh + 4.4
        );
    }
    for n in grid::ticks(win.min_n, max[1], step) {
        let (_, y) = win.pt([win.min_e, n]);
        let l = grid::label(n);
        w!(
            h,
            "<path d=\"M{bx} {y:.2}h-1.5M{:.2} {y:.2}h1.5\" stroke=\"#000\"/>\
             <text transform=\"translate({:.2} {y:.2}) rotate(-90)\" text-anchor=\"middle\">X {l}</text>\
             <text transform=\"translate({:.2} {y:.2}) rotate(-90)\" text-anchor=\"middle\">X {l}</text>\n",
            bx + bw,
            bx - 2.6,
            bx + bw + 4.4
        );
    }
    h.push_str("</g>\n");
}

/// The column beside the map: scale, scale bar, north arrow, map sheets,
/// the legend, the coordinate system.
pub(super) fn legend(h: &mut String, doc: &SheetDoc, sheets: &[String]) {
    let s = doc.window.scale;
    h.push_str("<aside>\n");
    w!(
        h,
        "<p class=\"scale\">Tỷ lệ 1:{s}</p><p class=\"en\">Scale 1:{s} (on {} paper)</p>\n",
        doc.paper.name()
    );
    scale_bar(h, s);
    north_arrow(h, doc.convergence_deg);
    let sheets = if sheets.is_empty() {
        "—".to_string()
    } else {
        sheets.iter().map(|t| esc(t)).collect::<Vec<_>>().join(", ")
    };
    w!(
        h,
        "<h2>Tờ bản đồ số <span class=\"en\">/ Map sheet no.</span></h2><p class=\"sheets\">{sheets}</p>\n\
         <h2>Chú giải <span class=\"en\">/ Legend</span></h2>\n<ul class=\"lg\">\n"
    );
    let shown: &[&str] = if doc.public {
        &["not_yet", "agreed", "signed", "handed_over"]
    } else {
        &[
            "not_contacted",
            "persuading",
            "declined",
            "agreed",
            "signed",
            "handed_over",
        ]
    };
    for code in shown {
        let Some((_, c, vi, en)) = STATUSES.iter().find(|x| x.0 == *code) else {
            continue;
        };
        let fill = if *code == "declined" {
            "url(#hatch)"
        } else {
            c
        };
        w!(
            h,
            "<li><svg width=\"6mm\" height=\"3.5mm\" viewBox=\"0 0 6 3.5\"><rect x=\"0.2\" y=\"0.2\" \
             width=\"5.6\" height=\"3.1\" fill=\"{fill}\" stroke=\"#222\" stroke-width=\"0.2\"/></svg>\
             <span>{vi} <span class=\"en\">/ {en}</span></span></li>\n"
        );
    }
    w!(
        h,
        "<li><svg width=\"6mm\" height=\"3.5mm\" viewBox=\"0 0 6 3.5\"><rect x=\"0.2\" y=\"0.2\" width=\"5.6\" \
         height=\"3.1\" fill=\"{UNAFFECTED}\" stroke=\"#222\" stroke-width=\"0.2\"/></svg><span>Thửa không bị ảnh hưởng \
         <span class=\"en\">/ Parcel not affected</span></span></li>\n\
         <li><svg width=\"6mm\" height=\"3.5mm\" viewBox=\"0 0 6 3.5\"><rect x=\"0.2\" y=\"0.2\" width=\"5.6\" \
         height=\"3.1\" fill=\"#fafafa\" stroke=\"#9a9a9a\" stroke-width=\"0.2\"/></svg><span>Thửa ngoài khu vực \
         <span class=\"en\">/ Parcel outside the area</span></span></li>\n\
         <li><svg width=\"6mm\" height=\"3.5mm\" viewBox=\"0 0 6 3.5\"><path d=\"M0 1.75H6\" stroke=\"{CORRIDOR}\" \
         stroke-width=\"0.4\" stroke-dasharray=\"2.4 1.2\"/></svg><span>Chỉ giới đường đỏ \
         <span class=\"en\">/ Planned right-of-way</span></span></li>\n\
         <li><svg width=\"10mm\" height=\"3.5mm\" viewBox=\"0 0 10 3.5\"><path d=\"M0 1.75H10\" stroke=\"{CENTERLINE}\" \
         stroke-width=\"{}\" stroke-dasharray=\"{CENTERLINE_DASH}\"/></svg><span>Tim đường{} \
         <span class=\"en\">/ Centerline{}</span></span></li>\n\
         <li><svg width=\"6mm\" height=\"3.5mm\" viewBox=\"0 0 6 3.5\"><text x=\"3\" y=\"2.7\" font-size=\"2.6\" \
         text-anchor=\"middle\">12</text></svg><span>Số thửa <span class=\"en\">/ Parcel number</span></span></li>\n\
         </ul>\n",
        if doc.kind == AreaKind::Segment {
            0.6
        } else {
            0.3
        },
        if doc.kind == AreaKind::Segment {
            " (đoạn này in đậm)"
        } else {
            ""
        },
        if doc.kind == AreaKind::Segment {
            " (this segment bold)"
        } else {
            ""
        },
    );
    w!(
        h,
        "<h2>Hệ tọa độ <span class=\"en\">/ Coordinates</span></h2>\
         <p>{}. Lưới ô {} m; X: tọa độ Bắc, Y: tọa độ Đông (m). \
         <span class=\"en\">Grid every {} m; X northing, Y easting (metres).</span></p>\n</aside>\n",
        esc(&doc.crs_name),
        num_vi(grid::interval_m(s), 0),
        num_vi(grid::interval_m(s), 0),
    );
}

/// A bar of a round length, about 5 cm, cut in parts, black and white.
fn scale_bar(h: &mut String, s: u32) {
    let (len, parts) = scale::bar(s, 50.0);
    let mm = len / scale::metres_per_mm(s);
    let part = mm / f64::from(parts);
    let width = mm + 8.0;
    w!(
        h,
        "<svg class=\"scale-bar\" width=\"{width:.1}mm\" height=\"8mm\" viewBox=\"0 0 {width:.1} 8\" \
         font-size=\"2.6\" font-family=\"Times New Roman, Liberation Serif, serif\">"
    );
    for i in 0..parts {
        let fill = if i % 2 == 0 { "#000" } else { "#fff" };
        w!(
            h,
            "<rect x=\"{:.2}\" y=\"4\" width=\"{part:.2}\" height=\"1.4\" fill=\"{fill}\" stroke=\"#000\" stroke-width=\"0.2\"/>",
            2.0 + f64::from(i) * part
        );
    }
    let decimals = if len < 1.0 { 1 } else { 0 };
    w!(
        h,
        "<text x=\"2\" y=\"3.2\" text-anchor=\"middle\">0</text>\
         <text x=\"{:.2}\" y=\"3.2\" text-anchor=\"middle\">{}</text>\
         <text x=\"{:.2}\" y=\"3.2\" text-anchor=\"middle\">{} m</text></svg>\n",
        2.0 + mm / 2.0,
        num_vi(len / 2.0, decimals + usize::from(len / 2.0 < 1.0)),
        2.0 + mm,
        num_vi(len, decimals)
    );
}

/// Up the page is grid north; the note gives its angle to true north.
fn north_arrow(h: &mut String, convergence: Option<f64>) {
    h.push_str(
        "<div class=\"north\" style=\"display:flex;align-items:center;gap:2mm\">\
         <svg width=\"9mm\" height=\"14mm\" viewBox=\"0 0 9 14\" style=\"flex:none\"><text x=\"4.5\" y=\"3.4\" font-size=\"3.4\" \
         font-weight=\"bold\" text-anchor=\"middle\">B</text><path d=\"M4.5 4.5 L8 13 L4.5 10.8 Z\" fill=\"#000\"/>\
         <path d=\"M4.5 4.5 L1 13 L4.5 10.8 Z\" fill=\"#fff\" stroke=\"#000\" stroke-width=\"0.3\"/></svg>",
    );
    let conv = convergence
        .map(|g| {
            let (deg, min) = (g.abs().trunc(), ((g.abs() - g.abs().trunc()) * 60.0).round());
            let side = if g >= 0.0 { ("Đông", "east") } else { ("Tây", "west") };
            format!(
                " Lệch {deg:.0}°{min:02.0}′ về phía {} so với Bắc thật. <span class=\"en\">{deg:.0}°{min:02.0}′ {} of true north.</span>",
                side.0, side.1
            )
        })
        .unwrap_or_default();
    w!(
        h,
        "<p>Hướng Bắc lưới tọa độ (VN-2000). <span class=\"en\">Grid north.</span>{conv}</p></div>\n"
    );
}
