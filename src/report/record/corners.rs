//! The strip's corners, numbered as the sketch and the table share them,
//! and the table of their VN-2000 coordinates.

use std::fmt::Write as _;

use super::text::{area_m2, coord_vi, num_vi};
use super::{RecordDoc, esc};
use crate::geometry::area::signed_ring_area;

/// Bảng tọa độ: X là tọa độ Bắc (northing), Y là tọa độ Đông (easting), theo
/// cách ghi của ngành đo đạc Việt Nam — the reverse of the `[x, y]` order of
/// the geometry.
pub(super) fn coordinates_section(h: &mut String, doc: &RecordDoc) {
    w!(
        h,
        "<h3>Bảng tọa độ các điểm góc phần đất hiến (hệ VN-2000{}) \
         <span class=\"en\">Corner coordinates of the donated strip</span></h3>\n",
        crs_suffix(&doc.crs_name)
    );
    let pieces = corners(&doc.strips);
    if pieces.is_empty() {
        h.push_str("<p>Không có phần đất hiến.</p>\n");
        return;
    }
    let many = pieces.len() > 1;
    for (i, piece) in pieces.iter().enumerate() {
        coordinates_table(h, piece, many.then_some(i + 1));
    }
}

/// "VN-2000, kinh tuyến trục 105°00′…" would repeat the system's name after
/// "hệ VN-2000"; keep only what follows it.
fn crs_suffix(crs_name: &str) -> String {
    let rest = crs_name.trim();
    let rest = rest.strip_prefix("VN-2000").unwrap_or(rest);
    let rest = rest.trim_start_matches([',', ' ', '/']).trim();
    if rest.is_empty() {
        String::new()
    } else {
        format!(", {}", esc(rest))
    }
}

fn coordinates_table(h: &mut String, piece: &[(usize, [f64; 2])], number: Option<usize>) {
    h.push_str("<div class=\"coord\">\n");
    if let Some(n) = number {
        let ring: Vec<[f64; 2]> = piece.iter().map(|&(_, p)| p).collect();
        w!(
            h,
            "<p>Phần {n} — diện tích {}</p>\n",
            area_m2(signed_ring_area(&ring).abs())
        );
    }
    h.push_str(
        "<table class=\"g\"><thead><tr><th>Điểm</th><th>X (m)</th>\
         <th>Y (m)</th><th>Cạnh</th><th>Dài (m)</th></tr></thead>\n<tbody>\n",
    );
    for (k, &(n, p)) in piece.iter().enumerate() {
        let (m, q) = piece[(k + 1) % piece.len()];
        w!(
            h,
            "<tr class=\"pt\"><td class=\"c\">{n}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"c\">{n}-{m}</td><td class=\"n\">{}</td></tr>\n",
            coord_vi(p[1]),
            coord_vi(p[0]),
            num_vi(dist(p, q), 2)
        );
    }
    h.push_str("</tbody></table>\n</div>\n");
}
/// Các điểm góc của từng phần đất hiến, đánh số liên tục 1, 2, 3… qua các
/// phần; bỏ điểm đóng vòng (trùng điểm đầu) và điểm không hữu hạn. The
/// numbering the sketch and the table share.
pub(super) fn corners(strips: &[Vec<[f64; 2]>]) -> Vec<Vec<(usize, [f64; 2])>> {
    let mut next = 1;
    let mut out = Vec::new();
    for ring in strips {
        let mut pts: Vec<[f64; 2]> = ring.iter().copied().filter(|p| finite(*p)).collect();
        if pts.len() > 1
            && pts
                .first()
                .zip(pts.last())
                .is_some_and(|(a, b)| dist(*a, *b) < 1e-6)
        {
            pts.pop();
        }
        if pts.is_empty() {
            continue;
        }
        let piece: Vec<(usize, [f64; 2])> =
            pts.into_iter().zip(next..).map(|(p, k)| (k, p)).collect();
        next += piece.len();
        out.push(piece);
    }
    out
}

pub(super) fn finite(p: [f64; 2]) -> bool {
    p[0].is_finite() && p[1].is_finite()
}

pub(super) fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
    (b[0] - a[0]).hypot(b[1] - a[1])
}
