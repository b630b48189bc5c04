use super::sketch::{
    ARROW_COL, BAR_ROW, Fit, MARGIN, SK_MAX, nearest_centerline_point, round_length,
};
use super::text::{blank, coord_vi, date_words, money_vnd, num_vi, quantity};
use super::*;
use chrono::NaiveDate;

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

#[test]
fn the_parcel_is_named_by_sheet_and_number_never_by_its_internal_id() {
    let mut doc = sample();
    let page = render(&doc);
    assert!(page.contains("<title>Biên bản hiến đất — tờ 12, thửa 345</title>"));
    assert!(!page.contains("NS-0345") && !page.contains("mã thửa"));
    doc.parcel_no = None;
    doc.map_sheet = None;
    let page = render(&doc);
    assert!(page.contains("<title>Biên bản hiến đất — thửa đất</title>"));
    assert!(!page.contains("NS-0345"));
}

#[test]
fn a_ward_signatory_signs_in_the_ward_block_and_the_owner_for_the_household() {
    // The sample's only signatory is the ward's chairwoman: the household's
    // block carries the owner, the ward's block her name; three in a row.
    let page = render(&sample());
    assert!(page.contains("<div class=\"sig\">"));
    assert_eq!(page.matches("(Ký, ghi rõ họ tên)").count(), 3);
    assert!(page.contains(
        "<b>ĐẠI DIỆN HỘ GIA ĐÌNH</b><br><span class=\"i\">(Ký, ghi rõ họ tên)</span>\
         <div class=\"space\"></div><b>Nguyễn Văn An</b>"
    ));
    assert!(page.contains(
        "<b>ĐẠI DIỆN UBND PHƯỜNG</b><br><span class=\"i\">(Ký, ghi rõ họ tên)</span>\
         <div class=\"space\"></div><b>Trần Thị Bình — Chủ tịch UBND phường</b>"
    ));
    assert!(page.contains("<div class=\"space\"></div><b>Lê Văn Cường</b>"));
}
