//! The donation record (biên bản hiến đất) of one household: a printable A4
//! HTML page, pre-filled from the parcel, its donation, its structures and
//! its record, with a sketch of the parcel and the donated strip and the
//! VN-2000 coordinates of the strip's corners (X = northing, Y = easting).

use super::html::escape as esc;
use chrono::NaiveDate;
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

mod corners;
mod sketch;
#[cfg(test)]
mod tests;
mod text;

use corners::coordinates_section;
use sketch::{legend, sketch_svg};
/// Vietnamese numbers (1.234,5), for the other printed pages too.
pub(crate) use text::num_vi;
use text::{area_m2, blank, blank_date, date_words, money_vnd, quantity, value_or_blank};

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
    // The closing sentence and the signatures stay together on one page:
    // the signatures never stand alone on a page of their own.
    h.push_str("<div class=\"closing\">\n");
    agreement(&mut h, doc);
    signatures(&mut h, doc);
    h.push_str("</div>\n");
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
tr, .sk, .sig, .closing { break-inside: avoid; page-break-inside: avoid }
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
.closing { display: block }
.sig { display: flex; flex-wrap: wrap; padding-top: 1mm; row-gap: 4mm }
.sig > div { flex: 1 1 0; text-align: center; padding: 0 1mm }
.sig.two > div { flex: 0 0 50% }
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
         <title>Biên bản hiến đất — {}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n",
        parcel_name(doc)
    );
}

/// "tờ 7, thửa 245": the parcel as the land register names it, never by the
/// store's internal id.
fn parcel_name(doc: &RecordDoc) -> String {
    match (doc.map_sheet.as_deref(), doc.parcel_no.as_deref()) {
        (Some(t), Some(n)) => format!("tờ {}, thửa {}", esc(t.trim()), esc(n.trim())),
        (None, Some(n)) => format!("thửa {}", esc(n.trim())),
        (Some(t), None) => format!("tờ {}", esc(t.trim())),
        (None, None) => "thửa đất".to_string(),
    }
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
         <p>Diện tích theo Giấy chứng nhận: {}; diện tích đo đạc: {}</p>\n",
        value_or_blank(doc.map_sheet.as_deref(), 4),
        value_or_blank(doc.parcel_no.as_deref(), 4),
        value_or_blank(doc.land_use.as_deref(), 8),
        doc.legal_area_m2
            .map_or_else(|| format!("{} m²", blank(6)), area_m2),
        area_m2(doc.parcel_area_m2),
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

/// Một ô ký cho mỗi người ký có tên trong biên bản, cho đại diện UBND phường
/// và cho người làm chứng. One signature block per signatory named in the
/// text, one for the ward's representative (blank when no signatory is the
/// ward's) and one for the witness.
fn signatures(h: &mut String, doc: &RecordDoc) {
    let blocks = signature_blocks(doc);
    // Three blocks side by side; four or more in rows of two, so that the
    // roles and names do not wrap in narrow columns.
    h.push_str(if blocks.len() > 3 {
        "<div class=\"sig two\">\n"
    } else {
        "<div class=\"sig\">\n"
    });
    for (role, name) in blocks {
        h.push_str(&signature_cell(role, &name));
    }
    h.push_str("</div>\n");
}

const HOUSEHOLD: &str = "ĐẠI DIỆN HỘ GIA ĐÌNH";
const SIGNATORY: &str = "NGƯỜI KÝ BIÊN BẢN";
const WARD_REP: &str = "ĐẠI DIỆN UBND PHƯỜNG";
const WITNESS: &str = "NGƯỜI LÀM CHỨNG";

/// The signature blocks in order (role, escaped name): the household's, the
/// other signatories', the ward's representative, the witness.
fn signature_blocks(doc: &RecordDoc) -> Vec<(&'static str, String)> {
    let signatories: Vec<&str> = doc
        .record
        .as_ref()
        .map(|r| {
            r.signatories
                .iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let (ward, others): (Vec<&str>, Vec<&str>) =
        signatories.into_iter().partition(|s| of_the_ward(s));
    let mut blocks = Vec::new();
    let mut others = others.into_iter();
    match others.next() {
        Some(first) => blocks.push((HOUSEHOLD, esc(first))),
        None => blocks.push((HOUSEHOLD, named(doc.owner.as_deref()))),
    }
    blocks.extend(others.map(|s| (SIGNATORY, esc(s))));
    if ward.is_empty() {
        blocks.push((WARD_REP, String::new()));
    }
    blocks.extend(ward.into_iter().map(|s| (WARD_REP, esc(s))));
    blocks.push((
        WITNESS,
        named(doc.record.as_ref().map(|r| r.witness.as_str())),
    ));
    blocks
}

/// A signatory who signs for the ward's People's Committee.
fn of_the_ward(s: &str) -> bool {
    let l = s.to_lowercase();
    l.contains("ubnd") || l.contains("ủy ban nhân dân") || l.contains("uỷ ban nhân dân")
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
