//! Vietnamese street names, owner names and land-use codes (the lists of
//! `shared/bench/gen_ward.py`).

use super::rng::Rng;

#[rustfmt::skip]
pub(crate) const STREET_NAMES: &[&str] = &[
    "Lê Lợi", "Trần Phú", "Quang Trung", "Lê Hoàn", "Hàm Nghi", "Bà Triệu",
    "Nguyễn Trãi", "Phan Chu Trinh", "Hạc Thành", "Lê Lai", "Trường Thi",
    "Đào Duy Từ", "Tống Duy Tân", "Nguyễn Du", "Triệu Quốc Đạt",
    "Lý Thường Kiệt", "Trần Hưng Đạo", "Lê Thánh Tông", "Hải Thượng Lãn Ông",
    "Dương Đình Nghệ", "Lê Quý Đôn", "Nguyễn Chí Thanh", "Tô Vĩnh Diện",
    "Phan Bội Châu", "Cao Thắng", "Đinh Công Tráng", "Bến Ngự", "Lê Hữu Lập",
    "Nguyễn Tĩnh", "Tản Đà", "Đội Cung", "Trần Khát Chân", "Lò Chum",
    "Nguyễn Văn Cừ", "Lê Thị Hoa", "Mai An Tiêm", "Ngô Từ", "Phú Thọ",
    "Đông Tác", "Hàng Đồng", "Lê Văn Hưu", "Nguyễn Sơn", "Bùi Khắc Nhất",
    "Lạc Long Quân", "Âu Cơ", "Cửa Hữu", "Cửa Tả", "Tây Sơn", "Nguyễn Huệ",
    "Phú Sơn", "Trần Xuân Soạn", "Lê Đình Chinh", "Hoàng Văn Thụ",
    "Võ Thị Sáu", "Nguyễn Thị Minh Khai", "Ngọc Hà", "Đình Hương",
    "Cầu Đống", "Bà Bang Nhãn", "Trịnh Khả", "Lam Sơn", "Đào Duy Anh",
];

#[rustfmt::skip]
const SURNAMES: &[(&str, u32)] = &[
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 10), ("Phạm", 7), ("Hoàng", 5),
    ("Vũ", 4), ("Đỗ", 3), ("Bùi", 3), ("Đặng", 2), ("Ngô", 2),
    ("Hồ", 2), ("Dương", 2), ("Lý", 1), ("Mai", 2), ("Trịnh", 2),
    ("Đinh", 2), ("Lương", 1), ("Cao", 1), ("Hà", 1), ("Lại", 1),
];
#[rustfmt::skip]
const MALE_MID: &[&str] = &[
    "Văn", "Đức", "Hữu", "Minh", "Quang", "Thành", "Xuân", "Công", "Ngọc", "Đình",
];
#[rustfmt::skip]
const FEMALE_MID: &[&str] = &[
    "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Phương",
];
#[rustfmt::skip]
const MALE_GIVEN: &[&str] = &[
    "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Huy", "Khánh",
    "Long", "Nam", "Phong", "Quân", "Sơn", "Thắng", "Tuấn", "Việt",
    "Hiếu", "Trung", "Tùng", "Lâm", "Kiên", "Thịnh", "Hoàng", "Tú",
];
#[rustfmt::skip]
const FEMALE_GIVEN: &[&str] = &[
    "Hà", "Hạnh", "Hương", "Lan", "Linh", "Mai", "Nga", "Ngân",
    "Nhung", "Phương", "Thảo", "Thủy", "Trang", "Yến", "Hoa",
    "Hằng", "Huyền", "Loan", "Oanh", "Vân", "Dung", "Liên",
];

/// Land-use codes of the Vietnamese cadastre, for ordinary lots...
#[rustfmt::skip]
pub(crate) const LAND_USE_LOT: &[(&str, u32)] = &[
    ("ODT", 89), ("ODT+CLN", 5), ("TMD", 3), ("CLN", 2), ("SKC", 1),
];
/// ...and for the rare wide lots.
#[rustfmt::skip]
pub(crate) const LAND_USE_WIDE: &[(&str, u32)] = &[
    ("TMD", 40), ("DGD", 15), ("DYT", 8), ("TSC", 12), ("TON", 5),
    ("SKC", 10), ("ODT", 10),
];

fn institution(land_use: &str) -> Option<&'static str> {
    match land_use {
        "DGD" => Some("Trường Tiểu học"),
        "DYT" => Some("Trạm Y tế"),
        "TSC" => Some("UBND phường"),
        "TON" => Some("Chùa"),
        _ => None,
    }
}

fn person_name(r: &mut Rng, out: &mut String) {
    let male = r.chance(0.55);
    out.push_str(r.weighted(SURNAMES));
    out.push(' ');
    out.push_str(r.pick(if male { MALE_MID } else { FEMALE_MID }));
    out.push(' ');
    out.push_str(r.pick(if male { MALE_GIVEN } else { FEMALE_GIVEN }));
}

/// The name on the land-use certificate: a person, a married couple, a
/// company, or the institution using the land (named after its street).
pub(crate) fn owner_name(r: &mut Rng, land_use: &str, street: &str) -> String {
    let mut s = String::with_capacity(48);
    if let Some(kind) = institution(land_use) {
        s.push_str(kind);
        s.push(' ');
        s.push_str(street);
    } else if matches!(land_use, "SKC" | "TMD") && r.chance(0.35) {
        s.push_str("Công ty TNHH ");
        s.push_str(r.pick(MALE_GIVEN));
        s.push(' ');
        s.push_str(r.pick(FEMALE_GIVEN));
    } else if r.chance(0.30) {
        // a married couple on the certificate
        person_name(r, &mut s);
        s.push_str(" và ");
        person_name(r, &mut s);
    } else {
        person_name(r, &mut s);
    }
    s
}
