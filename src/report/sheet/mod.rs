//! The map sheet of one residential group or one road segment (bản đồ hiến
//! đất): a printable HTML page, A4 or A3 landscape, whose map the server
//! draws as inline SVG in the ward's projected CRS (VN-2000), so that the
//! scale on paper is exact. Page one: the title with the area's name and the
//! date, the map at 1:500, 1:1000, 1:2000 or 1:5000 ([`scale::choose`]) with
//! its coordinate grid ([`grid`]), parcel numbers, the corridor and the
//! centerline ([`svg`]), and beside it the legend, the numeric scale, the
//! scale bar, the north arrow and the map sheet numbers. Then the tables of
//! that area only: its figures (from the read model) and its parcels.
//! Pure: the page is built from the [`SheetDoc`] it is given.

pub mod grid;
pub mod scale;
mod svg;

use super::html::escape as esc;
use super::record::num_vi;
use chrono::NaiveDate;
use grid::Window;
use scale::Paper;
use std::fmt::Write as _;

/// Writing to a `String` cannot fail.
macro_rules! w {
    ($dst:expr, $($arg:tt)*) => {
        let _ = write!($dst, $($arg)*);
    };
}
pub(crate) use w;

/// Projected polygons: rings of `[easting, northing]` metres, shell first.
pub type Polygons = Vec<Vec<Vec<[f64; 2]>>>;

/// What the sheet is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaKind {
    Group,
    Segment,
}

/// Everything the page shows; coordinates in the ward's projected CRS.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetDoc {
    /// "Phường Ngọc Sơn".
    pub ward: String,
    pub kind: AreaKind,
    /// The group's name, or the segment's name.
    pub name: String,
    /// The segment's id (as the files gave it).
    pub segment_id: Option<String>,
    /// "VN-2000, kinh tuyến trục 105°00′, múi chiếu 3°".
    pub crs_name: String,
    /// The state shown: end of this day.
    pub as_of: NaiveDate,
    pub printed_on: NaiveDate,
    pub window: Window,
    pub paper: Paper,
    /// Statuses as the public reads them (the legend's four steps).
    pub public: bool,
    /// The parcels table has a column of owners' names.
    pub names: bool,
    /// The area's parcels, drawn coloured and numbered.
    pub parcels: Vec<SheetParcel>,
    /// Other parcels in the window: outlines only, no number.
    pub neighbours: Polygons,
    /// Planned corridors (right-of-way) in the window.
    pub corridors: Polygons,
    /// Centerlines of other segments in the window.
    pub centerlines: Vec<Vec<[f64; 2]>>,
    /// The segment's own centerline (a segment sheet), drawn bold.
    pub own_centerline: Vec<Vec<[f64; 2]>>,
    /// Neighbours left undrawn past the bound.
    pub neighbours_left_out: usize,
    pub figures: SheetFigures,
    /// The affected parcels of the area, in map sheet and number order.
    pub rows: Vec<SheetRow>,
    /// Grid north's angle from true north at the centre (degrees, east
    /// positive), when known.
    pub convergence_deg: Option<f64>,
    pub demo: bool,
}

/// One parcel of the area on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetParcel {
    pub id: String,
    pub parcel_no: Option<String>,
    /// Its status's code as the reader may see it (`not_yet` for the
    /// public); none when it is not affected.
    pub status: Option<&'static str>,
    pub polygons: Polygons,
}

/// The area's figures (households are parcels), from the read model.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SheetFigures {
    pub affected: usize,
    /// Reached agreement (agreed, signed or handed over).
    pub agreed: usize,
    /// Signed or handed over.
    pub signed: usize,
    pub handed_over: usize,
    /// Not yet (not contacted, being persuaded, declined: one number).
    pub not_yet: usize,
    pub donated_area_m2: f64,
    pub handed_over_area_m2: f64,
}

/// One line of the parcels table.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    pub map_sheet: Option<String>,
    pub parcel_no: Option<String>,
    /// Only for readers allowed the name of this household.
    pub owner: Option<String>,
    /// Vietnamese, as the reader may see it ("Chưa hiến" for the public).
    pub status_vi: &'static str,
    /// The area to donate (to this segment, on a segment's sheet).
    pub area_m2: f64,
}

/// Why no sheet can be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SheetError {
    #[error(
        "khu vực rộng {0:.0} × {1:.0} m, không vừa khổ {2} ở tỷ lệ 1:5000; hãy chọn paper=a3 hoặc một khu vực nhỏ hơn / the area, {0:.0} × {1:.0} m, does not fit {2} at 1:5000; choose paper=a3 or a smaller area"
    )]
    TooLarge(f64, f64, &'static str),
    #[error(
        "khu vực không có thửa đất hay tim đường nào để vẽ / the area has no parcel or centerline to draw"
    )]
    Empty,
}

/// The map window for an area whose ground box is `min`–`max` (e, n): the
/// largest scale at which it fits the paper, centred on it.
pub fn frame(min: [f64; 2], max: [f64; 2], paper: Paper) -> Result<Window, SheetError> {
    if !(min.iter().chain(&max).all(|v| v.is_finite()) && max[0] >= min[0] && max[1] >= min[1]) {
        return Err(SheetError::Empty);
    }
    let extent = [max[0] - min[0], max[1] - min[1]];
    let map = paper.map_mm();
    let s = scale::choose(extent, map).ok_or(SheetError::TooLarge(
        extent[0],
        extent[1],
        paper.name(),
    ))?;
    let centre = [(min[0] + max[0]) / 2.0, (min[1] + max[1]) / 2.0];
    let m = scale::TICK_MARGIN_MM;
    Ok(Window::centred(centre, map, s, [m, m]))
}

/// The bounding box (min, max) of some projected points.
pub fn bounds<'a>(points: impl Iterator<Item = &'a [f64; 2]>) -> Option<([f64; 2], [f64; 2])> {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for p in points.filter(|p| p[0].is_finite() && p[1].is_finite()) {
        b = [
            b[0].min(p[0]),
            b[1].min(p[1]),
            b[2].max(p[0]),
            b[3].max(p[1]),
        ];
    }
    b[0].is_finite().then_some(([b[0], b[1]], [b[2], b[3]]))
}

/// "Tổ dân phố 3" / "đoạn tuyến Lê Lợi (S12)": the area as the title names it.
fn area_title(doc: &SheetDoc) -> (String, String) {
    match doc.kind {
        AreaKind::Group => (doc.name.clone(), format!("residential group {}", doc.name)),
        AreaKind::Segment => {
            let id = doc
                .segment_id
                .as_deref()
                .map(|i| format!(" ({i})"))
                .unwrap_or_default();
            (
                format!("Đoạn tuyến {}{id}", doc.name),
                format!("road segment {}{id}", doc.name),
            )
        }
    }
}

/// The map sheet numbers of the area's parcels, in natural order.
fn map_sheets(doc: &SheetDoc) -> Vec<String> {
    let mut v: Vec<String> = doc
        .rows
        .iter()
        .filter_map(|r| r.map_sheet.clone())
        .collect();
    v.sort_by(|a, b| crate::campaign::natural_cmp(a, b));
    v.dedup();
    v
}

fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The sheet as a self-contained HTML page (CSS, inline SVG, no script);
/// the same document always gives the same bytes.
pub fn render(doc: &SheetDoc) -> String {
    let mut h = String::with_capacity(64 * 1024 + 160 * doc.parcels.len());
    let (vi, en) = area_title(doc);
    let [pw, _] = doc.paper.size_mm();
    let [_, fh] = doc.paper.frame_mm();
    let [cw, _] = doc.paper.content_mm();
    w!(
        h,
        "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Bản đồ hiến đất — {t} / Land donation map sheet</title>\n<style>\n\
         @page {{ size: {p} landscape; margin: {m}mm; }}\n\
         * {{ box-sizing: border-box; }}\n\
         body {{ margin: 0; font-family: \"Times New Roman\", \"Liberation Serif\", \"DejaVu Serif\", serif; \
         font-size: 10.5pt; color: #000; }}\n\
         @media screen {{ body {{ width: {pw}mm; margin: 8mm auto; padding: {m}mm; \
         box-shadow: 0 0 3mm #bbb; }} }}\n\
         .page1 {{ width: {cw}mm; break-after: page; page-break-after: always; }}\n\
         header {{ height: {hd}mm; text-align: center; }}\n\
         header .ward {{ font-weight: bold; font-size: 10pt; margin: 0; }}\n\
         h1 {{ font-size: 15pt; margin: 0.5mm 0 0; }}\n\
         header .en {{ font-style: italic; font-size: 10pt; margin: 0; }}\n\
         header .date {{ font-size: 10pt; margin: 0.5mm 0 0; }}\n\
         .row {{ display: flex; gap: 2mm; height: {fh}mm; }}\n\
         svg.map {{ flex: none; }}\n\
         aside {{ width: {lw}mm; font-size: 8.5pt; line-height: 1.25; overflow: hidden; }}\n\
         aside h2 {{ font-size: 9.5pt; margin: 1.5mm 0 0.5mm; }}\n\
         aside p {{ margin: 0.6mm 0; }}\n\
         aside .scale {{ font-size: 13pt; font-weight: bold; margin: 0; }}\n\
         .en {{ font-style: italic; color: #333; }}\n\
         ul.lg {{ list-style: none; margin: 0; padding: 0; }}\n\
         ul.lg li {{ display: flex; align-items: center; gap: 1.5mm; margin: 0.5mm 0; }}\n\
         ul.lg svg {{ flex: none; }}\n\
         h2.t {{ font-size: 12pt; margin: 4mm 0 1.5mm; break-after: avoid; page-break-after: avoid; }}\n\
         table {{ width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 9.5pt; }}\n\
         thead {{ display: table-header-group; }}\n\
         tr {{ break-inside: avoid; page-break-inside: avoid; }}\n\
         th, td {{ border: 0.5pt solid #000; padding: 0.8mm 1.2mm; vertical-align: top; \
         overflow-wrap: anywhere; }}\n\
         th {{ text-align: center; vertical-align: middle; }}\n\
         th .en {{ display: block; font-size: 8pt; font-weight: normal; }}\n\
         td.num {{ text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }}\n\
         td.c {{ text-align: center; }}\n\
         tr.total td {{ font-weight: bold; }}\n\
         .note {{ font-size: 9pt; margin: 1.5mm 0 0; }}\n\
         .demo {{ font-weight: bold; }}\n\
         </style>\n</head>\n<body>\n",
        t = esc(&vi),
        p = doc.paper.name(),
        m = scale::PAGE_MARGIN_MM,
        hd = scale::HEADER_MM,
        lw = scale::LEGEND_MM - 2.0,
    );
    h.push_str("<section class=\"page1\">\n<header>\n");
    w!(
        h,
        "<p class=\"ward\">{}</p>\n<h1>BẢN ĐỒ HIẾN ĐẤT MỞ RỘNG ĐƯỜNG — {}</h1>\n\
         <p class=\"en\">Land donation map sheet — {}</p>\n\
         <p class=\"date\">Tình trạng ngày {} / State on {} · In ngày {} / Printed {}{}</p>\n",
        esc(&doc.ward.to_uppercase()),
        esc(&vi.to_uppercase()),
        esc(&en),
        dmy(doc.as_of),
        dmy(doc.as_of),
        dmy(doc.printed_on),
        dmy(doc.printed_on),
        if doc.demo {
            " · <span class=\"demo\">DỮ LIỆU MẪU / Demo data</span>"
        } else {
            ""
        }
    );
    h.push_str("</header>\n<div class=\"row\">\n");
    svg::map(&mut h, doc);
    svg::legend(&mut h, doc, &map_sheets(doc));
    h.push_str("</div>\n</section>\n");
    figures_table(&mut h, doc, &vi);
    parcels_table(&mut h, doc);
    h.push_str("</body>\n</html>\n");
    h
}

fn figures_table(h: &mut String, doc: &SheetDoc, area: &str) {
    let f = &doc.figures;
    w!(
        h,
        "<h2 class=\"t\">1. Kết quả — {} <span class=\"en\">/ Figures of this area</span></h2>\n",
        esc(area)
    );
    h.push_str("<table class=\"figures\"><thead><tr>");
    for (vi, en) in [
        ("Hộ bị ảnh hưởng", "Affected households"),
        (
            "Hộ đã đồng ý (kể cả đã ký, đã bàn giao)",
            "Agreed (incl. later steps)",
        ),
        (
            "Hộ đã ký biên bản (kể cả đã bàn giao)",
            "Signed (incl. handed over)",
        ),
        ("Hộ đã bàn giao mặt bằng", "Handed over"),
        ("Hộ chưa hiến", "Not yet"),
        ("Diện tích phải hiến (m²)", "Area to donate (m²)"),
        ("Diện tích đã bàn giao (m²)", "Area handed over (m²)"),
        ("Tiến độ theo diện tích", "Progress by area"),
    ] {
        w!(h, "<th>{vi}<span class=\"en\">{en}</span></th>");
    }
    let pct = if f.donated_area_m2 > 0.0 {
        format!(
            "{} %",
            num_vi(100.0 * f.handed_over_area_m2 / f.donated_area_m2, 1)
        )
    } else {
        "—".into()
    };
    w!(
        h,
        "</tr></thead><tbody><tr><td class=\"num\">{}</td><td class=\"num\">{}</td>\
         <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
         <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\
         </tbody></table>\n",
        num_vi(f.affected as f64, 0),
        num_vi(f.agreed as f64, 0),
        num_vi(f.signed as f64, 0),
        num_vi(f.handed_over as f64, 0),
        num_vi(f.not_yet as f64, 0),
        num_vi(f.donated_area_m2, 1),
        num_vi(f.handed_over_area_m2, 1),
        pct
    );
}

fn parcels_table(h: &mut String, doc: &SheetDoc) {
    let area_head = match doc.kind {
        AreaKind::Segment => (
            "Diện tích hiến cho đoạn này (m²)",
            "Area to donate to this segment (m²)",
        ),
        AreaKind::Group => ("Diện tích hiến (m²)", "Area to donate (m²)"),
    };
    w!(
        h,
        "<h2 class=\"t\">2. Các thửa bị ảnh hưởng ({}) <span class=\"en\">/ Affected parcels</span></h2>\n",
        num_vi(doc.rows.len() as f64, 0)
    );
    h.push_str("<table class=\"parcels\"><colgroup><col style=\"width:10mm\"><col style=\"width:22mm\"><col style=\"width:22mm\">");
    if doc.names {
        h.push_str("<col>");
    }
    h.push_str("<col><col style=\"width:40mm\"></colgroup><thead><tr>");
    let mut heads = vec![
        ("STT", "No."),
        ("Tờ bản đồ", "Map sheet"),
        ("Số thửa", "Parcel no."),
    ];
    if doc.names {
        heads.push(("Chủ hộ", "Head of household"));
    }
    heads.push(("Tình trạng", "Status"));
    heads.push(area_head);
    for (vi, en) in heads {
        w!(h, "<th>{vi}<span class=\"en\">{en}</span></th>");
    }
    h.push_str("</tr></thead><tbody>\n");
    let opt = |s: &Option<String>| s.as_deref().map(esc).unwrap_or_default();
    for (i, r) in doc.rows.iter().enumerate() {
        w!(
            h,
            "<tr><td class=\"c\">{}</td><td class=\"c\">{}</td><td class=\"c\">{}</td>",
            i + 1,
            opt(&r.map_sheet),
            opt(&r.parcel_no)
        );
        if doc.names {
            w!(h, "<td>{}</td>", opt(&r.owner));
        }
        w!(
            h,
            "<td>{}</td><td class=\"num\">{}</td></tr>\n",
            r.status_vi,
            num_vi(r.area_m2, 1)
        );
    }
    let total: f64 = doc.rows.iter().map(|r| r.area_m2).sum();
    w!(
        h,
        "<tr class=\"total\"><td colspan=\"{}\">Tổng cộng / Total</td><td class=\"num\">{}</td></tr>\n\
         </tbody></table>\n",
        if doc.names { 5 } else { 4 },
        num_vi(total, 1)
    );
    if !doc.names {
        h.push_str(
            "<p class=\"note\">Tình trạng như công khai (không nêu bước vận động của \
             từng hộ); không có tên chủ hộ. / Statuses as published (no household's persuasion step); \
             no owners' names.</p>\n",
        );
    }
    if doc.neighbours_left_out > 0 {
        w!(
            h,
            "<p class=\"note\">{} thửa lân cận không vẽ (quá giới hạn) / neighbouring parcels not drawn (over the limit).</p>\n",
            num_vi(doc.neighbours_left_out as f64, 0)
        );
    }
}

#[cfg(test)]
mod tests;
