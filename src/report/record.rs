//! The donation record (biên bản hiến đất) of one household: a printable A4
//! HTML page, pre-filled from the parcel, its donation, its structures and
//! its record, with a sketch of the parcel and the donated strip and the
//! VN-2000 coordinates of the strip's corners (X = northing, Y = easting).

use super::html::escape as esc;
use crate::geometry::area::signed_ring_area;
use chrono::{Datelike, NaiveDate};
use std::fmt::Write as _;

/// Everything the page shows. Coordinates are in the ward's projected CRS
/// (VN-2000 / TM-3), as `[easting, northing]` metres.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordDoc {
    /// "Phường Ngọc Sơn".
    pub ward: String,
    /// "VN-2000, kinh tuyến trục 105°00′, múi chiếu 3°".
    pub crs_name: String,
    pub parcel_id: String,
    pub map_sheet: Option<String>,
    pub parcel_no: Option<String>,
    pub address: Option<String>,
    /// The head of household (chủ hộ), when known.
    pub owner: Option<String>,
    pub residential_group: Option<String>,
    pub land_use: Option<String>,
    /// The area on the land-use certificate.
    pub legal_area_m2: Option<f64>,
    /// The parcel's area as measured from its geometry.
    pub parcel_area_m2: f64,
    /// One line per segment the parcel donates to.
    pub donations: Vec<RecordDonation>,
    pub structures: Vec<RecordStructure>,
    /// The record itself when one is on file (number, date, signatories,
    /// witness); otherwise the page leaves blanks to fill in by hand.
    pub record: Option<RecordInfo>,
    /// The parcel's rings (exterior first per polygon).
    pub parcel: Vec<Vec<[f64; 2]>>,
    /// The donated strip: the parcel inside the corridors, one exterior
    /// ring per piece (corners numbered in this order in the table).
    pub strips: Vec<Vec<[f64; 2]>>,
    /// Centerline pieces near the parcel, for orientation on the sketch.
    pub centerlines: Vec<Vec<[f64; 2]>>,
    pub printed_on: NaiveDate,
    /// Demo data: the page says so.
    pub demo: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordDonation {
    pub segment: String,
    pub area_m2: f64,
    pub frontage_m: f64,
    pub depth_mean_m: f64,
    pub depth_max_m: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordStructure {
    /// Vietnamese label: "Tường rào".
    pub kind: String,
    pub quantity: Option<f64>,
    /// "m", "m²", "cái".
    pub unit: Option<String>,
    pub value_vnd: Option<i64>,
    pub donated: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordInfo {
    pub number: String,
    pub signed_on: NaiveDate,
    pub signatories: Vec<String>,
    pub witness: String,
}

/// Writing to a `String` cannot fail; this keeps the page code free of
/// `Result`s that are always `Ok`.
macro_rules! w {
    ($dst:expr, $($arg:tt)*) => {
        let _ = write!($dst, $($arg)*);
    };
}

/// Phần đất hiến — the strip's colour on the sketch and in the legend.
const STRIP_COLOR: &str = "#c62828";
/// Tim đường, nét chấm gạch như trên bản đồ. Dash-dot, as on maps.
const CENTERLINE_COLOR: &str = "#1565c0";
const CENTERLINE_DASH: &str = "4 1.2 0.8 1.2";

/// Biên bản hiến đất của một hộ: một trang HTML tự chứa (CSS, SVG nội tuyến,
/// không script, không tài nguyên ngoài) để in trên một tờ A4 đứng.
/// The household's donation record as a self-contained A4 page; the same
/// document always gives the same bytes (no clock is read).
pub fn render(doc: &RecordDoc) -> String {
    let mut h = String::with_capacity(24 * 1024);
    head(&mut h, doc);
    header(&mut h, doc);
    if doc.demo {
        h.push_str(
            "<div class=\"demo\">DỮ LIỆU MẪU — không có giá trị pháp lý / Demo data</div>\n",
        );
    }
    title(&mut h);
    parties(&mut h, doc);
    parcel_section(&mut h, doc);
    donations_section(&mut h, doc);
    structures_section(&mut h, doc);
    sketch_section(&mut h, doc);
    agreement(&mut h, doc);
    signatures(&mut h, doc);
    w!(
        h,
        "<p class=\"foot\">In ngày {} từ hiendat</p>\n</body>\n</html>\n",
        doc.printed_on.format("%d/%m/%Y")
    );
    h
}

// ---------------------------------------------------------------- page parts

const CSS: &str = r#"@page { size: A4; margin: 15mm 15mm 15mm 20mm }
* { box-sizing: border-box }
body { font-family: "Times New Roman", "Liberation Serif", "DejaVu Serif", serif;
  font-size: 12pt; line-height: 1.15; color: #000; margin: 0 }
@media screen { body { max-width: 175mm; margin: 10mm auto } }
p { margin: 0.3mm 0 }
.hd { width: 100%; border-collapse: collapse }
.hd td { text-align: center; vertical-align: top; padding: 0 }
.hd .l { width: 40% } .hd .r { width: 60% }
.u { text-decoration: underline }
.rule { width: 30mm; margin: 0.8mm auto; border-top: 1px solid #000 }
h1 { font-size: 13pt; text-align: center; margin: 2mm 0 0 }
.sub { text-align: center; font-weight: bold; font-size: 13pt; margin: 0 }
.en { font-size: 9.5pt; font-style: italic; font-weight: normal; color: #333 }
p.en { text-align: center; margin: 0 0 1.5mm }
/* Padding, not margin, above what may start a page: a margin is dropped at
   a page break and the stacked accents of the first line (Ể, Ỗ) would then
   be painted at the foot of the previous page. */
h2, h3 { font-size: 12pt; margin: 0 0 0.5mm; padding-top: 1mm; break-after: avoid;
  page-break-after: avoid }
h3 { padding-top: 0.5mm }
p.h { margin: 0; padding-top: 1mm }
table.g { width: 100%; border-collapse: collapse; margin: 0.5mm 0 1mm }
.g th, .g td { border: 1px solid #000; padding: 0.2mm 1.5mm; vertical-align: middle }
.g th { text-align: center; padding-top: 0.5mm }
.g td.n { text-align: right; white-space: nowrap }
.g td.c { text-align: center; white-space: nowrap }
.g th.nw { white-space: nowrap; width: 1% }
.g tr.t td { font-weight: bold }
tr, .sk, .sig { break-inside: avoid; page-break-inside: avoid }
thead { display: table-header-group }
.skrow { display: flex; flex-wrap: wrap; gap: 1mm 5mm; align-items: flex-start }
.sk { flex: 0 0 auto; margin: 0 auto }
.sk svg { display: block }
.lg { font-size: 9.5pt; display: flex; flex-wrap: wrap; gap: 0 3mm; margin-bottom: 1mm }
.lg svg { vertical-align: middle }
.coords { flex: 1 1 92mm }
.coords .g { width: auto }
.coord { padding-top: 0.5mm }
.coord p { margin: 0; break-after: avoid; page-break-after: avoid }
.sig { display: flex; padding-top: 1mm }
.sig > div { flex: 1 1 0; text-align: center; padding: 0 1mm }
.sig .space { height: 15mm }
.i { font-style: italic }
.demo { border: 2px solid #b71c1c; color: #b71c1c; font-weight: bold; text-align: center;
  padding: 0.3mm; margin: 1mm 0 0 }
.foot { font-size: 9.5pt; color: #444; margin-top: 1mm; text-align: right }
"#;

fn head(h: &mut String, doc: &RecordDoc) {
    w!(
        h,
        "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Biên bản hiến đất — thửa {}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n",
        esc(doc.parcel_no.as_deref().unwrap_or(&doc.parcel_id))
    );
}

/// Quốc hiệu, tiêu ngữ và cơ quan lập biên bản theo thể thức văn bản hành chính.
fn header(h: &mut String, doc: &RecordDoc) {
    let ward = if doc.ward.trim().is_empty() {
        blank(8)
    } else {
        esc(&doc.ward.to_uppercase())
    };
    w!(
        h,
        "<table class=\"hd\"><tr>\n<td class=\"l\">ỦY BAN NHÂN DÂN<br><b>{ward}</b>\
         <div class=\"rule\"></div>Số: {}</td>\n\
         <td class=\"r\"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br>\
         <b class=\"u\">Độc lập - Tự do - Hạnh phúc</b></td>\n</tr></table>\n",
        record_number(doc.record.as_ref())
    );
}

/// Số biên bản: "12" thành "12/BB-HĐ"; một số đã có ký hiệu ("12/BB-UBND")
/// được giữ nguyên. A number that already has its symbol is kept as is.
fn record_number(record: Option<&RecordInfo>) -> String {
    match record.map(|r| r.number.trim()).filter(|n| !n.is_empty()) {
        Some(n) if n.contains('/') => esc(n),
        Some(n) => format!("{}/BB-HĐ", esc(n)),
        None => format!("{}/BB-HĐ", blank(2)),
    }
}

fn title(h: &mut String) {
    h.push_str(
        "<h1>BIÊN BẢN</h1>\n\
         <p class=\"sub\">Về việc tự nguyện hiến đất, tài sản trên đất để mở rộng đường</p>\n\
         <p class=\"en\">Record of voluntary donation of land and structures for road widening</p>\n",
    );
}

/// Ngày lập, bên hiến đất và thành phần tham gia; chỗ nào chưa có thì để
/// dòng chấm để điền tay.
fn parties(h: &mut String, doc: &RecordDoc) {
    let date = doc
        .record
        .as_ref()
        .map_or_else(blank_date, |r| date_words(r.signed_on));
    let place = if doc.ward.trim().is_empty() {
        blank(10)
    } else {
        esc(doc.ward.trim())
    };
    w!(
        h,
        "<p>Hôm nay, {date}, tại {place}, chúng tôi gồm:</p>\n\
         <p><b>1. Bên hiến đất (hộ gia đình):</b> Ông/Bà {} (chủ hộ); số CCCD: {}</p>\n\
         <p>Địa chỉ: {}; tổ dân phố: {}</p>\n",
        value_or_blank(doc.owner.as_deref(), 8),
        blank(6),
        value_or_blank(doc.address.as_deref(), 16),
        value_or_blank(doc.residential_group.as_deref(), 6),
    );
    participants(h, doc.record.as_ref());
}

/// Người ký biên bản, nối trên một dòng cho gọn trang. The signatories, on
/// one line (they wrap when many) so that the record keeps to one page.
fn participants(h: &mut String, record: Option<&RecordInfo>) {
    let names: Vec<String> = record
        .map(|r| {
            r.signatories
                .iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .map(|s| format!("Ông/Bà {}", esc(s)))
                .collect()
        })
        .unwrap_or_default();
    let names = if names.is_empty() {
        blank(16)
    } else {
        names.join("; ")
    };
    let witness = record.map(|r| r.witness.as_str());
    w!(
        h,
        "<p><b>2. Những người ký biên bản:</b> {names}</p>\n\
         <p><b>3. Người làm chứng:</b> {}</p>\n",
        value_or_blank(witness, 20)
    );
}

fn parcel_section(h: &mut String, doc: &RecordDoc) {
    w!(
        h,
        "<p class=\"h\"><b>I. Thửa đất</b> <span class=\"en\">Land parcel</span>: \
         tờ bản đồ số: {}; thửa đất số: {}; mục đích sử dụng: {}</p>\n\
         <p>Diện tích theo Giấy chứng nhận: {}; diện tích đo đạc: {} \
         <span class=\"en\">(mã thửa {})</span></p>\n",
        value_or_blank(doc.map_sheet.as_deref(), 4),
        value_or_blank(doc.parcel_no.as_deref(), 4),
        value_or_blank(doc.land_use.as_deref(), 8),
        doc.legal_area_m2
            .map_or_else(|| format!("{} m²", blank(6)), area_m2),
        area_m2(doc.parcel_area_m2),
        esc(&doc.parcel_id),
    );
}

fn donations_section(h: &mut String, doc: &RecordDoc) {
    h.push_str(
        "<h2>II. Phần diện tích hiến <span class=\"en\">Donated area</span></h2>\n\
         <table class=\"g\"><thead><tr><th>Đoạn đường</th><th class=\"nw\">Diện tích (m²)</th>\
         <th class=\"nw\">Mặt tiền (m)</th><th class=\"nw\">Sâu TB (m)</th>\
         <th class=\"nw\">Sâu lớn nhất (m)</th></tr></thead>\n<tbody>\n",
    );
    for d in &doc.donations {
        w!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
            esc(&d.segment),
            num_vi(d.area_m2, 1),
            num_vi(d.frontage_m, 2),
            num_vi(d.depth_mean_m, 2),
            num_vi(d.depth_max_m, 2)
        );
    }
    if doc.donations.is_empty() {
        h.push_str("<tr><td colspan=\"5\" class=\"c\">Không có</td></tr>\n");
    } else if doc.donations.len() > 1 {
        donations_total(h, &doc.donations);
    }
    h.push_str("</tbody></table>\n");
}

/// Cộng diện tích và mặt tiền; chiều sâu trung bình không cộng được nên để
/// trống, chiều sâu lớn nhất lấy giá trị lớn nhất.
fn donations_total(h: &mut String, donations: &[RecordDonation]) {
    let area: f64 = donations.iter().map(|d| d.area_m2).sum();
    let frontage: f64 = donations.iter().map(|d| d.frontage_m).sum();
    let depth = donations
        .iter()
        .map(|d| d.depth_max_m)
        .fold(f64::NEG_INFINITY, f64::max);
    w!(
        h,
        "<tr class=\"t\"><td>Tổng cộng</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
         <td></td><td class=\"n\">{}</td></tr>\n",
        num_vi(area, 1),
        num_vi(frontage, 2),
        num_vi(depth, 2)
    );
}

fn structures_section(h: &mut String, doc: &RecordDoc) {
    h.push_str(
        "<h2>III. Tài sản, công trình trên đất <span class=\"en\">Structures on the land</span></h2>\n",
    );
    if doc.structures.is_empty() {
        h.push_str("<p>Không có.</p>\n");
        return;
    }
    h.push_str(
        "<table class=\"g\"><thead><tr><th>Loại tài sản</th><th>Khối lượng</th>\
         <th>Giá trị ước tính</th><th>Hiến / Không hiến</th></tr></thead>\n<tbody>\n",
    );
    for s in &doc.structures {
        let qty = match (s.quantity, s.unit.as_deref()) {
            (Some(q), Some(u)) => format!("{} {}", quantity(q), esc(u)),
            (Some(q), None) => quantity(q),
            (None, _) => "—".to_string(),
        };
        w!(
            h,
            "<tr><td>{}</td><td class=\"n\">{qty}</td><td class=\"n\">{}</td>\
             <td class=\"c\">{}</td></tr>\n",
            esc(&s.kind),
            s.value_vnd.map_or_else(|| "—".to_string(), money_vnd),
            if s.donated { "Hiến" } else { "Không hiến" }
        );
    }
    h.push_str("</tbody></table>\n");
}

/// Sơ đồ và bảng tọa độ cạnh nhau khi đủ chỗ (thửa sâu), bảng xuống dưới khi
/// sơ đồ rộng. Side by side when the sketch is narrow, stacked otherwise.
fn sketch_section(h: &mut String, doc: &RecordDoc) {
    h.push_str(
        "<h2>IV. Sơ đồ <span class=\"en\">Sketch</span></h2>\n\
         <div class=\"skrow\">\n<div class=\"sk\">\n",
    );
    h.push_str(&sketch_svg(doc));
    h.push_str("</div>\n<div class=\"coords\">\n");
    legend(h, !doc.centerlines.is_empty());
    coordinates_section(h, doc);
    h.push_str("</div>\n</div>\n");
}

/// Bảng tọa độ: X là tọa độ Bắc (northing), Y là tọa độ Đông (easting), theo
/// cách ghi của ngành đo đạc Việt Nam — the reverse of the `[x, y]` order of
/// the geometry.
fn coordinates_section(h: &mut String, doc: &RecordDoc) {
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

/// Một câu: tự nguyện, không yêu cầu bồi thường — what the record is for.
fn agreement(h: &mut String, doc: &RecordDoc) {
    let area: f64 = doc.donations.iter().map(|d| d.area_m2).sum();
    let area = if doc.donations.is_empty() {
        format!("{} m²", blank(6))
    } else {
        area_m2(area)
    };
    let assets = if doc.structures.iter().any(|s| s.donated) {
        " cùng các tài sản ghi “Hiến” tại mục III"
    } else {
        ""
    };
    w!(
        h,
        "<p><b>Các bên cùng thống nhất:</b> hộ gia đình tự nguyện hiến {area} đất{assets} \
         để mở rộng đường, không yêu cầu bồi thường, hỗ trợ.</p>\n"
    );
}

fn signatures(h: &mut String, doc: &RecordDoc) {
    let owner = named(doc.owner.as_deref());
    let witness = named(doc.record.as_ref().map(|r| r.witness.as_str()));
    w!(
        h,
        "<div class=\"sig\">\n{}{}{}</div>\n",
        signature_cell("ĐẠI DIỆN HỘ GIA ĐÌNH", &owner),
        signature_cell("NGƯỜI LÀM CHỨNG", &witness),
        signature_cell("ĐẠI DIỆN UBND PHƯỜNG", "")
    );
}

fn signature_cell(role: &str, name: &str) -> String {
    format!(
        "<div><b>{role}</b><br><span class=\"i\">(Ký, ghi rõ họ tên)</span>\
         <div class=\"space\"></div><b>{name}</b></div>\n"
    )
}

/// A name to pre-fill under a signature, escaped; empty when unknown.
fn named(v: Option<&str>) -> String {
    v.map(str::trim).map(esc).unwrap_or_default()
}

// -------------------------------------------------------------------- sketch

/// The sketch's largest box in millimetres (SVG user units). The box shrinks
/// to the drawing, so that a deep parcel leaves room for the coordinate table
/// beside it. 100 mm rather than 110 mm high: at 12 pt, a 110 mm sketch
/// pushed the signatures of a four-corner record onto a second page.
const SK_MAX: [f64; 2] = [160.0, 100.0];
/// The smallest box: room for the scale bar and the north arrow.
const SK_MIN: [f64; 2] = [64.0, 44.0];
/// Around the drawing, for the corner numbers.
const MARGIN: f64 = 7.0;
/// The north arrow's column on the right.
const ARROW_COL: f64 = 14.0;
/// The scale bar's row at the bottom.
const BAR_ROW: f64 = 10.0;

/// Map metres to sketch millimetres: equal scale on both axes, y flipped
/// because northing grows upwards and SVG y downwards.
struct Fit {
    min_e: f64,
    max_n: f64,
    /// Millimetres per metre.
    s: f64,
    ox: f64,
    oy: f64,
    /// The box.
    w: f64,
    h: f64,
}

impl Fit {
    fn new(points: impl Iterator<Item = [f64; 2]>) -> Option<Fit> {
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

    fn pt(&self, p: [f64; 2]) -> (f64, f64) {
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
fn nearest_centerline_point(points: &[[f64; 2]], lines: &[Vec<[f64; 2]>]) -> Option<[f64; 2]> {
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

fn sketch_svg(doc: &RecordDoc) -> String {
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
fn round_length(max: f64) -> f64 {
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
fn legend(h: &mut String, centerlines: bool) {
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

// ------------------------------------------------------------------ geometry

/// Các điểm góc của từng phần đất hiến, đánh số liên tục 1, 2, 3… qua các
/// phần; bỏ điểm đóng vòng (trùng điểm đầu) và điểm không hữu hạn. The
/// numbering the sketch and the table share.
fn corners(strips: &[Vec<[f64; 2]>]) -> Vec<Vec<(usize, [f64; 2])>> {
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

fn finite(p: [f64; 2]) -> bool {
    p[0].is_finite() && p[1].is_finite()
}

fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
    (b[0] - a[0]).hypot(b[1] - a[1])
}

// ------------------------------------------------------------ text and numbers

/// Dòng chấm để điền tay. Dots to fill in by hand.
fn blank(n: usize) -> String {
    "…".repeat(n)
}

fn value_or_blank(v: Option<&str>, dots: usize) -> String {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => format!("<b>{}</b>", esc(s)),
        None => blank(dots),
    }
}

fn blank_date() -> String {
    format!("ngày {0} tháng {0} năm {0}", blank(2))
}

/// "ngày 05 tháng 01 năm 2027": ngày dưới 10 và tháng 1, 2 viết thêm số 0
/// (thể thức văn bản hành chính, Nghị định 30/2020/NĐ-CP) so that no digit
/// can be added by hand.
fn date_words(d: NaiveDate) -> String {
    let (day, month) = (d.day(), d.month());
    let day = if day < 10 {
        format!("0{day}")
    } else {
        day.to_string()
    };
    let month = if month < 3 {
        format!("0{month}")
    } else {
        month.to_string()
    };
    format!("ngày {day} tháng {month} năm {}", d.year())
}

fn area_m2(v: f64) -> String {
    format!("{} m²", num_vi(v, 1))
}

/// "1.500.000 ₫".
fn money_vnd(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    format!("{sign}{} ₫", grouped(&v.unsigned_abs().to_string()))
}

/// A quantity without trailing zeros: "25", "12,5", "3,25".
fn quantity(v: f64) -> String {
    let s = num_vi(v, 2);
    match s.find(',') {
        Some(_) => s.trim_end_matches('0').trim_end_matches(',').to_string(),
        None => s,
    }
}

/// Số kiểu Việt Nam: nghìn "." và thập phân ",", làm tròn nửa xa số 0
/// (1234.5 → "1.234,5"). Vietnamese number: thousands ".", decimal ",",
/// halves rounded away from zero.
fn num_vi(v: f64, decimals: usize) -> String {
    decimal_vi(v, decimals, true)
}

/// Tọa độ đến mm, dấu phẩy thập phân, không phân cách nghìn: "2192345,678".
fn coord_vi(v: f64) -> String {
    decimal_vi(v, 3, false)
}

fn decimal_vi(v: f64, decimals: usize, group: bool) -> String {
    if !v.is_finite() {
        return "—".to_string();
    }
    let (int, frac) = round_half_away(v.abs(), decimals);
    let zero = int.bytes().chain(frac.bytes()).all(|b| b == b'0');
    let mut out = String::new();
    if v < 0.0 && !zero {
        out.push('-');
    }
    out.push_str(&if group { grouped(&int) } else { int });
    if decimals > 0 {
        out.push(',');
        out.push_str(&frac);
    }
    out
}

/// Rounds the shortest decimal form of `v` (12.345, as typed) rather than its
/// binary value (12.34499…), so that halves round away from zero as on paper.
/// `v` is finite and not negative; returns the integer and fraction digits.
fn round_half_away(v: f64, decimals: usize) -> (String, String) {
    // Display never uses an exponent and gives the shortest round-trip form.
    let s = format!("{v}");
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let kept = frac.bytes().chain(std::iter::repeat(b'0')).take(decimals);
    let mut digits: Vec<u8> = int.bytes().chain(kept).collect();
    if frac.as_bytes().get(decimals).is_some_and(|&d| d >= b'5') {
        carry(&mut digits);
    }
    let split = digits.len() - decimals;
    let text = |d: &[u8]| d.iter().map(|&b| char::from(b)).collect::<String>();
    (text(&digits[..split]), text(&digits[split..]))
}

/// Adds one to the last digit, carrying to the left ("999" → "1000").
fn carry(digits: &mut Vec<u8>) {
    for d in digits.iter_mut().rev() {
        if *d == b'9' {
            *d = b'0';
        } else {
            *d += 1;
            return;
        }
    }
    digits.insert(0, b'1');
}

/// "1500000" → "1.500.000".
fn grouped(int: &str) -> String {
    let n = int.len();
    let mut out = String::with_capacity(n + n / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const E: f64 = 587_000.0;
    const N: f64 = 2_192_000.0;

    fn rect(e: f64, n: f64, w: f64, d: f64) -> Vec<[f64; 2]> {
        vec![[e, n], [e + w, n], [e + w, n + d], [e, n + d], [e, n]]
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// A 10 m × 20 m parcel whose front 2 m along the road are donated.
    fn sample() -> RecordDoc {
        RecordDoc {
            ward: "Phường Ngọc Sơn".into(),
            crs_name: "VN-2000, kinh tuyến trục 105°00′, múi chiếu 3°".into(),
            parcel_id: "NS-0345".into(),
            map_sheet: Some("12".into()),
            parcel_no: Some("345".into()),
            address: Some("18 Lê Lợi".into()),
            owner: Some("Nguyễn Văn An".into()),
            residential_group: Some("Tổ 3".into()),
            land_use: Some("ODT".into()),
            legal_area_m2: Some(201.3),
            parcel_area_m2: 200.0,
            donations: vec![RecordDonation {
                segment: "Đường Lê Lợi (Km0–Km1)".into(),
                area_m2: 20.0,
                frontage_m: 10.0,
                depth_mean_m: 2.0,
                depth_max_m: 2.0,
            }],
            structures: vec![RecordStructure {
                kind: "Tường rào".into(),
                quantity: Some(10.0),
                unit: Some("m".into()),
                value_vnd: Some(1_500_000),
                donated: true,
            }],
            record: Some(RecordInfo {
                number: "12".into(),
                signed_on: date(2026, 11, 28),
                signatories: vec!["Trần Thị Bình — Chủ tịch UBND phường".into()],
                witness: "Lê Văn Cường".into(),
            }),
            parcel: vec![rect(E, N, 10.0, 20.0)],
            strips: vec![rect(E, N, 10.0, 2.0)],
            centerlines: vec![vec![[E - 30.0, N - 5.0], [E + 40.0, N - 5.0]]],
            printed_on: date(2026, 11, 29),
            demo: false,
        }
    }

    fn points(page: &str) -> usize {
        page.matches("<tr class=\"pt\">").count()
    }

    #[test]
    fn number_formatter_cases() {
        assert_eq!(num_vi(1234.5, 1), "1.234,5");
        assert_eq!(num_vi(12.345, 2), "12,35");
        assert_eq!(num_vi(-12.345, 2), "-12,35");
        assert_eq!(num_vi(1_500_000.0, 0), "1.500.000");
        assert_eq!(num_vi(999.96, 1), "1.000,0");
        assert_eq!(num_vi(0.5, 0), "1");
        assert_eq!(num_vi(-0.001, 2), "0,00");
        assert_eq!(num_vi(f64::NAN, 1), "—");
        assert_eq!(coord_vi(2_192_345.678_5), "2192345,679");
        assert_eq!(money_vnd(1_500_000), "1.500.000 ₫");
        assert_eq!(quantity(12.5), "12,5");
        assert_eq!(quantity(25.0), "25");
    }

    #[test]
    fn page_has_the_record() {
        let page = render(&sample());
        assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"vi\">"));
        assert!(page.contains("<meta charset=\"utf-8\">"));
        assert!(page.contains("@page { size: A4; margin: 15mm 15mm 15mm 20mm }"));
        assert!(page.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
        assert!(page.contains("PHƯỜNG NGỌC SƠN"));
        assert!(page.contains("Số: 12/BB-HĐ"));
        assert!(page.contains("Hôm nay, ngày 28 tháng 11 năm 2026"));
        assert!(page.contains("thửa đất số: <b>345</b>"));
        assert!(page.contains("tờ bản đồ số: <b>12</b>"));
        assert!(page.contains("201,3 m²"));
        assert!(page.contains("1.500.000 ₫"));
        assert!(page.contains(">Hiến<"));
        assert!(page.contains("ký biên bản:</b> Ông/Bà Trần Thị Bình — Chủ tịch UBND phường</p>"));
        assert!(page.contains("Người làm chứng:</b> <b>Lê Văn Cường</b>"));
        assert!(page.contains("tự nguyện hiến 20,0 m² đất"));
        assert!(page.contains("không yêu cầu bồi thường"));
        assert!(page.contains("In ngày 29/11/2026 từ hiendat"));
        assert!(!page.contains("DỮ LIỆU MẪU"));
        assert!(!page.contains("Tổng cộng"), "one segment, no total");
        // Self-contained: no script, no external address (inline SVG needs no xmlns).
        assert!(!page.contains("<script"));
        assert!(!page.contains("http"));
        assert_eq!(page, render(&sample()), "deterministic");
    }

    #[test]
    fn coordinates_are_northing_then_easting_without_the_closing_vertex() {
        let page = render(&sample());
        assert!(page.contains("(hệ VN-2000, kinh tuyến trục 105°00′, múi chiếu 3°)"));
        assert_eq!(points(&page), 4);
        // Corner 3 is [E + 10, N + 2]: X = northing, Y = easting.
        assert!(page.contains(
            "<td class=\"c\">3</td><td class=\"n\">2192002,000</td><td class=\"n\">587010,000</td>"
        ));
        assert!(page.contains("<td class=\"c\">1-2</td><td class=\"n\">10,00</td>"));
        assert!(page.contains("<td class=\"c\">2-3</td><td class=\"n\">2,00</td>"));
        assert!(page.contains("<td class=\"c\">4-1</td><td class=\"n\">2,00</td>"));
        assert!(!page.contains("<td class=\"c\">5</td>"));
    }

    #[test]
    fn sketch_has_hatch_clip_north_arrow_scale_and_corners() {
        let page = render(&sample());
        assert!(page.contains("<svg viewBox=\"0 0 "));
        assert!(page.contains("<pattern id=\"rec-hatch\""));
        assert!(page.contains("fill=\"url(#rec-hatch)\""));
        assert!(page.contains("<clipPath id=\"rec-clip\">"));
        assert!(page.contains("<g clip-path=\"url(#rec-clip)\">\n<path class=\"centerline\""));
        assert!(page.contains("class=\"north-arrow\""));
        assert!(page.contains("class=\"scale-bar\""));
        assert_eq!(page.matches("<text class=\"corner\"").count(), 4);
        assert!(!page.contains("Không có phần đất hiến"));
    }

    #[test]
    fn sketch_keeps_the_aspect_ratio_and_flips_north_up() {
        let doc = sample();
        let fit = Fit::new(doc.parcel.iter().flatten().copied()).unwrap();
        let (x0, y0) = fit.pt([E, N]);
        let (x1, y1) = fit.pt([E + 10.0, N + 20.0]);
        assert!((x1 - x0 - 10.0 * fit.s).abs() < 1e-9);
        assert!((y0 - y1 - 20.0 * fit.s).abs() < 1e-9, "north is up");
        assert!(x0 >= MARGIN && x1 <= fit.w - ARROW_COL && y1 >= MARGIN && y0 <= fit.h - BAR_ROW);
        let ah = SK_MAX[1] - MARGIN - BAR_ROW;
        assert!(
            (y0 - y1 - ah).abs() < 1e-9,
            "a deep parcel fills the height"
        );
        assert!(fit.w < 80.0, "and leaves room beside it: {}", fit.w);

        let wide = Fit::new(rect(E, N, 40.0, 8.0).into_iter()).unwrap();
        assert_eq!(wide.w, SK_MAX[0], "a wide one fills the width");
        assert!(wide.h < SK_MAX[1]);
    }

    #[test]
    fn a_near_road_is_drawn_a_far_one_is_not() {
        let doc = sample();
        let parcel: Vec<[f64; 2]> = doc.parcel.concat();
        let near = nearest_centerline_point(&parcel, &doc.centerlines);
        assert_eq!(near, Some([E + 5.0, N - 5.0]));
        let far = vec![vec![[E - 30.0, N - 1000.0], [E + 40.0, N - 1000.0]]];
        assert_eq!(nearest_centerline_point(&parcel, &far), None);
        assert_eq!(nearest_centerline_point(&[], &doc.centerlines), None);
    }

    #[test]
    fn scale_bar_lengths_are_round() {
        assert_eq!(round_length(40.0 / 4.4), 5.0);
        assert_eq!(round_length(19.0), 10.0);
        assert_eq!(round_length(20.0), 20.0);
        assert_eq!(round_length(0.7), 0.5);
        assert_eq!(round_length(f64::INFINITY), 1.0);
    }

    #[test]
    fn text_is_escaped() {
        let mut doc = sample();
        doc.owner = Some("Nguyễn <Văn> & \"An\" 'Tư'".into());
        doc.structures[0].kind = "<script>".into();
        let page = render(&doc);
        assert!(page.contains("Nguyễn &lt;Văn&gt; &amp; &quot;An&quot; &#39;Tư&#39;"));
        assert!(!page.contains("<Văn>"));
        assert!(page.contains("&lt;script&gt;"));
        assert!(!page.contains("<script"));
    }

    #[test]
    fn blanks_without_a_record_or_owner() {
        let mut doc = sample();
        doc.record = None;
        doc.owner = None;
        doc.demo = true;
        let page = render(&doc);
        assert!(page.contains("Số: ……/BB-HĐ"));
        assert!(page.contains("Hôm nay, ngày …… tháng …… năm ……"));
        assert!(page.contains(&format!("Ông/Bà {} (chủ hộ)", blank(8))));
        assert!(page.contains("DỮ LIỆU MẪU — không có giá trị pháp lý / Demo data"));
        // No names under the owner's and the witness's signatures.
        assert_eq!(
            page.matches("<div class=\"space\"></div><b></b>").count(),
            3
        );
    }

    #[test]
    fn date_has_leading_zeros_for_short_days_and_months() {
        assert_eq!(date_words(date(2027, 1, 5)), "ngày 05 tháng 01 năm 2027");
        assert_eq!(date_words(date(2027, 3, 15)), "ngày 15 tháng 3 năm 2027");
    }

    #[test]
    fn no_strip_says_so() {
        let mut doc = sample();
        doc.strips.clear();
        let page = render(&doc);
        assert!(page.contains("Không có phần đất hiến</text>"));
        assert!(page.contains("<p>Không có phần đất hiến.</p>"));
        assert_eq!(points(&page), 0);

        doc.parcel.clear();
        doc.centerlines.clear();
        doc.donations.clear();
        doc.structures.clear();
        let page = render(&doc);
        assert!(page.contains("Không có phần đất hiến</text>"));
        assert!(page.contains("<p>Không có.</p>"));
    }

    #[test]
    fn degenerate_geometry_does_not_panic() {
        let mut doc = sample();
        doc.parcel = vec![vec![], vec![[E, N]]];
        doc.strips = vec![vec![[E, N], [E, N]], vec![[f64::NAN, N]], vec![]];
        let page = render(&doc);
        assert_eq!(points(&page), 1, "a single point is one corner");
        assert!(page.contains("<td class=\"c\">1-1</td><td class=\"n\">0,00</td>"));
    }

    #[test]
    fn two_pieces_number_corners_on() {
        let mut doc = sample();
        doc.strips = vec![rect(E, N, 10.0, 2.0), rect(E, N + 18.0, 10.0, 2.0)];
        doc.donations.push(RecordDonation {
            segment: "Ngõ 5".into(),
            area_m2: 20.0,
            frontage_m: 10.0,
            depth_mean_m: 2.0,
            depth_max_m: 2.5,
        });
        let page = render(&doc);
        assert_eq!(points(&page), 8);
        assert_eq!(page.matches("<text class=\"corner\"").count(), 8);
        assert!(page.contains("<p>Phần 1 — diện tích 20,0 m²</p>"));
        assert!(page.contains("<p>Phần 2 — diện tích 20,0 m²</p>"));
        assert!(page.contains("<td class=\"c\">5</td><td class=\"n\">2192018,000</td>"));
        assert!(page.contains("<td class=\"c\">8-5</td>"));
        assert!(page.contains(
            "<tr class=\"t\"><td>Tổng cộng</td><td class=\"n\">40,0</td><td class=\"n\">20,00</td>\
             <td></td><td class=\"n\">2,50</td></tr>"
        ));
    }
}
