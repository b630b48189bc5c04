//! The periodic report (báo cáo định kỳ) as the Party writes it: the
//! letterhead, a narrative in four parts (I. situation, II. results, III.
//! shortcomings and causes, IV. tasks for the next period) with the figures
//! of the date and of the period written into sentences, the recipients and
//! the signature, then a compact appendix of tables. Every figure comes from
//! the read model ([`crate::campaign::figures`]); the appendix tables are
//! columns chosen from the cuts [`super::campaign::build`] lays out, so a
//! number reads the same here as in every other report.
//!
//! The narrative is a draft: the office edits it before printing ([`Edit`]),
//! and a frozen report keeps the edited text.

use super::campaign::{self, Cut, Options};
use super::{Cell, Kind, Periodic, Report, Section, Sheet, date_vi, format_vi};
use crate::campaign::events::Status;
use crate::campaign::figures::{Lagging, LeadOf, Tally, Ward};
use chrono::{Datelike, Days, NaiveDate};
use serde::Deserialize;
use std::collections::BTreeSet;

/// The cut's name on the command line and in the API (`by=periodic`).
pub const CUT: &str = "periodic";

/// Who issues the report, as configured (`hiendat import --province
/// --ward`), or given for one print.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Letterhead {
    /// The province ("Thanh Hóa"): its Party organisation is the superior
    /// committee. None: a line left to fill in, and a note saying so.
    pub province: Option<String>,
    /// The ward's name ("Ngọc Sơn"); none: the read model's.
    pub ward: Option<String>,
}

/// "ĐẢNG BỘ TỈNH THANH HÓA" for "Thanh Hóa" (or "Tỉnh Thanh Hóa");
/// "ĐẢNG BỘ THÀNH PHỐ HÀ NỘI" for "Thành phố Hà Nội". None: the line with
/// room to write the name in.
pub fn superior_line(province: Option<&str>) -> String {
    let Some(p) = province.map(str::trim).filter(|p| !p.is_empty()) else {
        return UNSET_SUPERIOR.to_string();
    };
    for (prefix, kind) in [
        ("thành phố ", "THÀNH PHỐ"),
        ("tp. ", "THÀNH PHỐ"),
        ("tỉnh ", "TỈNH"),
    ] {
        // compared char by char on the name as given: lowercasing may change
        // a string's length in bytes, so no offset of the lowered text is
        // one of the original's
        let n = prefix.chars().count();
        let head: String = p.chars().take(n).flat_map(char::to_lowercase).collect();
        if head == prefix {
            let name: String = p.chars().skip(n).collect();
            return format!("ĐẢNG BỘ {kind} {}", name.trim().to_uppercase());
        }
    }
    format!("ĐẢNG BỘ TỈNH {}", p.to_uppercase())
}

/// A province's name as given (trimmed), or why it cannot be one: blank,
/// over 100 characters, or more than one line.
pub fn province_name(name: &str) -> Result<String, String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 100 || n.chars().any(char::is_control) {
        return Err(format!(
            "province {n:?}: cần tên tỉnh, một dòng, tối đa 100 ký tự / a province name, one line, at most 100 characters"
        ));
    }
    Ok(n.to_string())
}

/// The superior committee's line when no province is configured.
pub const UNSET_SUPERIOR: &str = "ĐẢNG BỘ TỈNH ……………";

/// The levels of a commune-level unit, as its name begins: (the word in
/// a sentence, the word starting a line). A name that says none is a
/// phường.
const LEVELS: [(&str, &str); 3] = [("phường", "Phường"), ("xã", "Xã"), ("thị trấn", "Thị trấn")];

/// The ward's level and its name without it: "Xã Quảng Tâm" → (("xã",
/// "Xã"), "Quảng Tâm"); "Ngọc Sơn" → (("phường", "Phường"), "Ngọc Sơn").
pub fn ward_level(name: &str) -> ((&'static str, &'static str), &str) {
    let n = name.trim();
    for level in LEVELS {
        let k = level.0.chars().count() + 1;
        let head: String = n.chars().take(k).flat_map(char::to_lowercase).collect();
        if head == format!("{} ", level.0) {
            let at = n.char_indices().nth(k).map_or(n.len(), |(i, _)| i);
            return (level, n[at..].trim());
        }
    }
    (LEVELS[0], n)
}

/// Builds the periodic report of the ward for `opt` (its date or period,
/// and the days without progress that make an area lagging).
pub fn build(data: &Ward, opt: &Options, head: &Letterhead) -> Report {
    let ((level, level_line), ward) = ward_level(head.ward.as_deref().unwrap_or(&data.name));
    let ward = ward.to_string();
    let mut f = Figures::of(data, opt);
    f.level = level;
    let mut sheets = campaign::build(data, &[Cut::Segment, Cut::Group, Cut::Cell], opt).sheets;
    let period = opt.from.is_some();
    let mut appendix = Vec::new();
    for (s, title, keys) in [
        (
            sheets.remove(0),
            "Kết quả theo đoạn tuyến",
            &SEGMENT_COLUMNS[..],
        ),
        (
            sheets.remove(0),
            "Kết quả theo tổ dân phố",
            &GROUP_COLUMNS[..],
        ),
        (
            sheets.remove(0),
            "Kết quả theo chi bộ và “Đảng viên đi trước”",
            &CELL_COLUMNS[..],
        ),
    ] {
        appendix.push(pick(s, title, keys, period));
    }
    if !f.lagging.is_empty() {
        let s = campaign::build(data, &[Cut::Lagging], opt).sheets.remove(0);
        appendix.push(pick(s, "Địa bàn chậm tiến độ", &LAGGING_COLUMNS, period));
    }
    let mut notes = vec![
        "Hộ ảnh hưởng: thửa đất có phần diện tích nằm trong chỉ giới đường đỏ; diện tích đo trong hệ VN-2000. Đã đồng ý: hộ đã đồng ý, đã ký biên bản hoặc đã bàn giao mặt bằng; đã ký: đã ký biên bản hoặc đã bàn giao. Công trình đã hiến: công trình hộ hiến, tính từ khi hộ đồng ý.".to_string(),
        format!(
            "Chậm tiến độ: địa bàn chưa hoàn thành, không có hộ nào đồng ý, ký hoặc bàn giao mới trong {} ngày.",
            opt.lag_days
        ),
    ];
    if head.province.as_deref().is_none_or(|p| p.trim().is_empty()) {
        notes.push(
            "Chưa đặt tên tỉnh cho dòng tên cấp ủy cấp trên (hiendat import --province …).".into(),
        );
    }
    if data.demo {
        notes.push("DỮ LIỆU MẪU — không phải số liệu thật.".into());
    }
    let committee = format!("Đảng ủy {level} {ward}");
    Report {
        ward: format!("{level_line} {ward}"),
        committee: committee.clone(),
        title: "Kết quả thực hiện công tác vận động nhân dân hiến đất mở rộng đường".into(),
        title_en: "Results of the road-widening land donation campaign".into(),
        as_of: opt.as_of,
        from: opt.from,
        issued_on: None,
        sheets: appendix,
        notes,
        periodic: Some(Periodic {
            superior: superior_line(head.province.as_deref()),
            committee: committee.to_uppercase(),
            number: None,
            place: ward,
            sections: f.sections(opt),
            recipients: vec![
                "Ban Thường vụ Tỉnh ủy (để báo cáo)".into(),
                "Các đồng chí Ủy viên Ban Chấp hành Đảng bộ".into(),
                "Các chi bộ trực thuộc".into(),
                "Lưu Văn phòng Đảng ủy".into(),
            ],
            on_behalf: "T/M BAN THƯỜNG VỤ".into(),
            signer_title: "BÍ THƯ".into(),
            signer_name: None,
        }),
    }
}

/// The appendix's columns, by the cut's keys (the period's only in a
/// period report).
const SEGMENT_COLUMNS: [&str; 10] = [
    "segment_id",
    "segment",
    "affected",
    "agreed",
    "handed_over",
    "area_m2",
    "handed_over_m2",
    "progress_area",
    "period_handed_over_m2",
    "complete",
];
const GROUP_COLUMNS: [&str; 9] = [
    "group",
    "cell",
    "affected",
    "agreed",
    "handed_over",
    "area_m2",
    "handed_over_m2",
    "progress_area",
    "period_handed_over_m2",
];
const CELL_COLUMNS: [&str; 9] = [
    "cell",
    "members",
    "affected",
    "agreed",
    "handed_over",
    "progress_area",
    "member_families",
    "member_families_donated",
    "member_families_share",
];
const LAGGING_COLUMNS: [&str; 8] = [
    "kind",
    "area",
    "affected",
    "handed_over",
    "progress_area",
    "last_step",
    "days_without_progress",
    "lead",
];

/// `sheet` with only the columns `keys` names (in that order), the same
/// cells under them.
fn pick(sheet: Sheet, title: &str, keys: &[&str], period: bool) -> Sheet {
    let at: Vec<usize> = keys
        .iter()
        .filter(|k| period || !k.starts_with("period_"))
        .filter_map(|k| sheet.columns.iter().position(|c| c.key == *k))
        .collect();
    let row = |r: &[Cell]| -> Vec<Cell> {
        at.iter()
            .map(|&i| r.get(i).cloned().unwrap_or(Cell::Empty))
            .collect()
    };
    let mut total = sheet.total.as_deref().map(row);
    if let Some(t) = &mut total
        && t.first() == Some(&Cell::Empty)
    {
        t[0] = "Tổng cộng".into();
    }
    Sheet {
        key: sheet.key,
        name: sheet.name,
        title: title.into(),
        columns: at.iter().map(|&i| sheet.columns[i].clone()).collect(),
        rows: sheet.rows.iter().map(|r| row(r)).collect(),
        total,
    }
}

/// Members' families: affected, reached agreement, donated (signed or
/// handed over).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Families {
    affected: usize,
    agreed: usize,
    donated: usize,
}

/// The figures the narrative writes, on the day and the day before the
/// period.
struct Figures {
    now: Tally,
    before: Option<Tally>,
    /// Segments with affected parcels; of them complete (now, before).
    segments: usize,
    complete: Vec<usize>,
    complete_before: Option<usize>,
    segment_names: Vec<(String, String)>,
    groups: usize,
    cells: usize,
    members: usize,
    leads: usize,
    assigned: usize,
    families: Families,
    families_before: Option<Families>,
    lagging: Vec<(String, Lagging)>,
    lag_days: u32,
    /// "phường", "xã" or "thị trấn" ([`ward_level`]).
    level: &'static str,
}

impl Figures {
    fn of(data: &Ward, opt: &Options) -> Figures {
        let before_day = opt.from.and_then(|f| f.pred_opt());
        let segs = data.segment_tallies(opt.as_of);
        let complete: Vec<usize> = (0..segs.len()).filter(|&i| segs[i].complete()).collect();
        let complete_before = before_day.map(|d| {
            data.segment_tallies(d)
                .iter()
                .filter(|t| t.complete())
                .count()
        });
        let families = |day: NaiveDate| {
            data.cell_figures(day)
                .iter()
                .fold(Families::default(), |f, c| Families {
                    affected: f.affected + c.member_families,
                    agreed: f.agreed + c.member_families_agreed,
                    donated: f.donated + c.member_families_donated,
                })
        };
        let lagging = data
            .lagging(opt.as_of, opt.lag_days)
            .into_iter()
            .map(|l| {
                let name = match &l.area {
                    LeadOf::Group(g) => g.clone(),
                    LeadOf::Segment(i) => data.segments[*i].name.clone(),
                };
                (name, l)
            })
            .collect();
        let leads: BTreeSet<&str> = data.leads.iter().map(|l| l.name.as_str()).collect();
        Figures {
            level: LEVELS[0].0,
            now: data.ward_tally(opt.as_of),
            before: before_day.map(|d| data.ward_tally(d)),
            segments: segs.iter().filter(|t| t.affected > 0).count(),
            complete,
            complete_before,
            segment_names: data
                .segments
                .iter()
                .map(|s| (s.name.clone(), s.id.clone()))
                .collect(),
            groups: data
                .group_figures(opt.as_of)
                .iter()
                .filter(|g| g.name.is_some() && g.tally.affected > 0)
                .count(),
            cells: data.cells.len(),
            members: data.members.len(),
            leads: leads.len(),
            assigned: data
                .member_figures(opt.as_of, None)
                .iter()
                .map(|m| m.assigned)
                .sum(),
            families: families(opt.as_of),
            families_before: before_day.map(families),
            lagging,
            lag_days: opt.lag_days,
        }
    }

    fn sections(&self, opt: &Options) -> Vec<Section> {
        vec![
            Section {
                heading: "I. TÌNH HÌNH CHUNG".into(),
                paragraphs: self.situation(),
            },
            Section {
                heading: "II. KẾT QUẢ THỰC HIỆN".into(),
                paragraphs: self.results(opt),
            },
            Section {
                heading: "III. HẠN CHẾ, NGUYÊN NHÂN".into(),
                paragraphs: self.shortcomings(),
            },
            Section {
                heading: "IV. NHIỆM VỤ TRỌNG TÂM KỲ TỚI".into(),
                paragraphs: self.tasks(opt),
            },
        ]
    }

    fn situation(&self) -> Vec<String> {
        let t = &self.now;
        let mut p = vec![format!(
            "Thực hiện chủ trương của Ban Thường vụ Đảng ủy về vận động nhân dân hiến đất mở rộng, chỉnh trang các tuyến đường, toàn {} có {} đoạn tuyến cần mở rộng đi qua {} tổ dân phố, với {} hộ gia đình có đất nằm trong chỉ giới đường đỏ; tổng diện tích đất cần hiến {} m², trên phần đất này có {} công trình, vật kiến trúc.",
            self.level,
            count(self.segments),
            count(self.groups),
            count(t.affected),
            area(t.donated_area_m2),
            count(t.structures.structures),
        )];
        let mut org = Vec::new();
        if self.leads > 0 {
            org.push(format!(
                "Ban Thường vụ Đảng ủy phân công {} đồng chí ủy viên phụ trách địa bàn",
                count(self.leads)
            ));
        }
        if self.cells > 0 {
            org.push(format!(
                "{} chi bộ với {} đảng viên được giao trực tiếp vận động {} hộ",
                count(self.cells),
                count(self.members),
                count(self.assigned)
            ));
        }
        let mut second = org.join("; ");
        if !second.is_empty() {
            second.push_str(". ");
        }
        second.push_str(&format!(
            "Trong số hộ bị ảnh hưởng có {} hộ gia đình cán bộ, đảng viên.",
            count(self.families.affected)
        ));
        p.push(second);
        p
    }

    fn results(&self, opt: &Options) -> Vec<String> {
        let t = &self.now;
        let mut p = Vec::new();
        let mut n = 1;
        if let (Some(b), Some(from)) = (&self.before, opt.from) {
            let d = |s: Status| t.reached(s) as i64 - b.reached(s) as i64;
            p.push(format!(
                "{n}. Kết quả trong kỳ (từ ngày {} đến ngày {}): có thêm {} hộ đồng ý hiến đất, {} hộ ký biên bản hiến đất, {} hộ bàn giao mặt bằng với diện tích {} m²; các hộ hiến thêm {} công trình, vật kiến trúc, trị giá {} đồng; {} đoạn tuyến hoàn thành bàn giao mặt bằng.",
                date_vi(from),
                date_vi(opt.as_of),
                signed_count(d(Status::Agreed)),
                signed_count(d(Status::Signed)),
                signed_count(d(Status::HandedOver)),
                area(t.handed_over_area_m2 - b.handed_over_area_m2),
                signed_count(t.structures.donated as i64 - b.structures.donated as i64),
                money(t.structures.donated_value_vnd - b.structures.donated_value_vnd),
                signed_count(
                    self.complete.len() as i64 - self.complete_before.unwrap_or(0) as i64
                ),
            ));
            n += 1;
        }
        p.push(format!(
            "{n}. Lũy kế đến ngày {}: {}/{} hộ đã đồng ý hiến đất ({}), trong đó {} hộ đã ký biên bản và {} hộ đã bàn giao mặt bằng ({} số hộ); diện tích đã bàn giao {} m²/{} m² ({} diện tích cần hiến). Các hộ đã hiến {} công trình, vật kiến trúc trên đất, trị giá {} đồng.",
            date_vi(opt.as_of),
            count(t.reached(Status::Agreed)),
            count(t.affected),
            share(t.reached(Status::Agreed), t.affected),
            count(t.reached(Status::Signed)),
            count(t.at(Status::HandedOver)),
            share(t.at(Status::HandedOver), t.affected),
            area(t.handed_over_area_m2),
            area(t.donated_area_m2),
            percent(t.progress_by_area()),
            count(t.structures.donated),
            money(t.structures.donated_value_vnd),
        ));
        let mut done = format!(
            "{}/{} đoạn tuyến đã hoàn thành bàn giao mặt bằng",
            count(self.complete.len()),
            count(self.segments)
        );
        if !self.complete.is_empty() && self.complete.len() <= 20 {
            done.push_str(": ");
            done.push_str(&self.by_road(self.complete.iter().copied()));
        }
        done.push('.');
        p.push(done);
        let fam = &self.families;
        if fam.affected == 0 {
            p.push("Thực hiện phương châm “Đảng viên đi trước, làng nước theo sau”: không có hộ gia đình cán bộ, đảng viên nào bị ảnh hưởng.".into());
        } else {
            let mut s = format!(
                "Thực hiện phương châm “Đảng viên đi trước, làng nước theo sau”: {}/{} hộ gia đình cán bộ, đảng viên bị ảnh hưởng đã đồng ý hiến đất, trong đó {} hộ đã ký biên bản hoặc bàn giao mặt bằng ({})",
                count(fam.agreed),
                count(fam.affected),
                count(fam.donated),
                share(fam.donated, fam.affected),
            );
            if let Some(b) = &self.families_before {
                s.push_str(&format!(
                    "; trong kỳ có thêm {} hộ đồng ý",
                    signed_count(fam.agreed as i64 - b.agreed as i64)
                ));
            }
            s.push('.');
            p.push(s);
        }
        p
    }

    /// Segments named by road: "Phố Mai An Tiêm (mã 43, 44), Phố Hàm Nghi (mã 59)".
    fn by_road(&self, segments: impl Iterator<Item = usize>) -> String {
        let mut roads: Vec<(String, Vec<String>)> = Vec::new();
        for i in segments {
            let (name, id) = &self.segment_names[i];
            match roads.iter_mut().find(|r| &r.0 == name) {
                Some(r) => r.1.push(id.clone()),
                None => roads.push((name.clone(), vec![id.clone()])),
            }
        }
        roads
            .iter()
            .map(|(name, ids)| format!("{name} (mã {})", ids.join(", ")))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn shortcomings(&self) -> Vec<String> {
        let t = &self.now;
        let open = t.affected - t.reached(Status::Agreed);
        let mut p = vec![format!(
            "1. Hạn chế: còn {} hộ chưa đồng ý hiến đất ({} hộ chưa tiếp cận, {} hộ đang vận động, {} hộ chưa đồng ý); {} hộ đã đồng ý nhưng chưa ký biên bản, {} hộ đã ký biên bản nhưng chưa bàn giao mặt bằng.",
            count(open),
            count(t.at(Status::NotContacted)),
            count(t.at(Status::Persuading)),
            count(t.at(Status::Declined)),
            count(t.at(Status::Agreed)),
            count(t.at(Status::Signed)),
        )];
        if self.lagging.is_empty() {
            p.push(format!(
                "Không có địa bàn nào chậm tiến độ (quá {} ngày không có hộ đồng ý, ký hoặc bàn giao mới).",
                self.lag_days
            ));
        } else {
            let groups: Vec<String> = self
                .lagging
                .iter()
                .filter(|(_, l)| matches!(l.area, LeadOf::Group(_)))
                .map(|(name, l)| {
                    format!(
                        "{name} (đạt {} diện tích)",
                        percent(l.tally.progress_by_area())
                    )
                })
                .collect();
            let segments = self.by_road(self.lagging.iter().filter_map(|(_, l)| match l.area {
                LeadOf::Segment(i) => Some(i),
                LeadOf::Group(_) => None,
            }));
            let mut named = Vec::new();
            if !groups.is_empty() {
                named.push(format!("tổ dân phố: {}", groups.join(", ")));
            }
            if !segments.is_empty() {
                named.push(format!("đoạn tuyến: {segments}"));
            }
            p.push(format!(
                "Có {} địa bàn chậm tiến độ, quá {} ngày không có hộ nào đồng ý, ký hoặc bàn giao mới: {} (chi tiết tại Phụ lục).",
                count(self.lagging.len()),
                self.lag_days,
                named.join("; ")
            ));
        }
        let fam_open = self.families.affected - self.families.agreed;
        if fam_open > 0 {
            p.push(format!(
                "Còn {} hộ gia đình cán bộ, đảng viên chưa đồng ý hiến đất, chưa thể hiện vai trò gương mẫu “đi trước”.",
                count(fam_open)
            ));
        }
        p.push("2. Nguyên nhân: một số hộ còn băn khoăn về diện tích đất còn lại và công trình trên đất sau khi hiến; công tác tuyên truyền, vận động ở một số chi bộ, tổ dân phố chưa thường xuyên, chưa sát với từng hộ; sự phối hợp giữa chi bộ, Ban công tác Mặt trận và tổ dân phố có nơi chưa chặt chẽ.".into());
        p
    }

    fn tasks(&self, opt: &Options) -> Vec<String> {
        let (start, end) = next_period(opt.from, opt.as_of);
        let t = &self.now;
        let open = t.affected - t.reached(Status::Agreed);
        let mut p = vec![format!(
            "Từ ngày {} đến ngày {}, Ban Thường vụ Đảng ủy yêu cầu các chi bộ, đảng viên tập trung thực hiện tốt các nhiệm vụ sau:",
            date_vi(start),
            date_vi(end)
        )];
        let mut first = format!(
            "1. Các chi bộ, đảng viên được phân công tiếp tục vận động {} hộ chưa đồng ý hiến đất",
            count(open)
        );
        if !self.lagging.is_empty() {
            first.push_str(", tập trung vào các địa bàn chậm tiến độ nêu tại mục III");
        }
        first.push_str("; các đồng chí ủy viên phụ trách địa bàn trực tiếp nắm tình hình, kịp thời tháo gỡ vướng mắc.");
        p.push(first);
        p.push(format!(
            "2. Hoàn thành ký biên bản hiến đất với {} hộ đã đồng ý và bàn giao mặt bằng với {} hộ đã ký biên bản trước ngày {}.",
            count(t.at(Status::Agreed)),
            count(t.at(Status::Signed)),
            date_vi(end)
        ));
        let fam_open = self.families.affected - self.families.donated;
        let mut n = 3;
        if fam_open > 0 {
            p.push(format!(
                "{n}. {} hộ gia đình cán bộ, đảng viên chưa ký biên bản gương mẫu hoàn thành hiến đất trước ngày {}.",
                count(fam_open),
                date_vi(end)
            ));
            n += 1;
        }
        p.push(format!(
            "{n}. Kịp thời biểu dương các tập thể, hộ gia đình tiêu biểu; các chi bộ báo cáo kết quả về Văn phòng Đảng ủy trước ngày {}.",
            date_vi(end)
        ));
        p
    }
}

/// The next period: the next calendar month after a month's report (or a
/// report as of a month's last day), else as many days as this period (30
/// without one), from the day after `as_of`.
fn next_period(from: Option<NaiveDate>, as_of: NaiveDate) -> (NaiveDate, NaiveDate) {
    let start = as_of + Days::new(1);
    let month_end = start.day() == 1 && from.is_none_or(|f| f.day() == 1);
    if month_end {
        let next = start
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(start);
        return (start, next.pred_opt().unwrap_or(next));
    }
    let days = from.map_or(30, |f| (as_of - f).num_days() + 1).max(1) as u64;
    (start, as_of + Days::new(days))
}

fn count(n: usize) -> String {
    format_vi(n as f64, Kind::Count)
}

/// A change over the period (can be negative after corrections).
fn signed_count(n: i64) -> String {
    format_vi(n as f64, Kind::Count)
}

fn area(m2: f64) -> String {
    format_vi(m2, Kind::Area)
}

fn money(v: i64) -> String {
    format_vi(v as f64, Kind::Money)
}

/// "45,2%" (a sentence writes the sign close to the number); none: "0%".
fn percent(x: Option<f64>) -> String {
    format_vi(x.unwrap_or(0.0), Kind::Percent).replace(" %", "%")
}

fn share(part: usize, whole: usize) -> String {
    percent((whole > 0).then(|| part as f64 / whole as f64))
}

/// What the office changes before printing: the number, the narrative, the
/// recipients, the signer. Plain text (the page escapes it). Absent fields
/// keep the generated ones.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edit {
    pub number: Option<String>,
    pub sections: Option<Vec<EditSection>>,
    pub recipients: Option<Vec<String>>,
    pub signer_title: Option<String>,
    pub signer_name: Option<String>,
}

/// One edited section.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditSection {
    pub heading: String,
    pub paragraphs: Vec<String>,
}

/// Limits on an edit: enough for any real report, small enough to print.
pub const MAX_SECTIONS: usize = 12;
pub const MAX_PARAGRAPHS: usize = 40;
pub const MAX_PARAGRAPH_CHARS: usize = 4000;
pub const MAX_HEADING_CHARS: usize = 200;
pub const MAX_TOTAL_CHARS: usize = 40_000;
pub const MAX_RECIPIENTS: usize = 20;
pub const MAX_LINE_CHARS: usize = 200;
pub const MAX_NUMBER_CHARS: usize = 20;

/// `field`: the text checked as a line of plain text of at most `max`
/// characters (no control characters), trimmed.
fn line(field: &str, s: &str, max: usize, empty_ok: bool) -> Result<String, String> {
    let s = s.trim();
    if !empty_ok && s.is_empty() {
        return Err(format!("{field}: trống / empty"));
    }
    let n = s.chars().count();
    if n > max {
        return Err(format!(
            "{field}: {n} ký tự, tối đa {max} / {n} characters, at most {max}"
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(format!(
            "{field}: có ký tự điều khiển (xuống dòng, tab) / holds a control character (line break, tab)"
        ));
    }
    Ok(s.to_string())
}

impl Edit {
    /// Checks the edit and writes it into `p`; the error names the field
    /// (`periodic.sections[1].heading`) and nothing is changed.
    pub fn apply(&self, p: &mut Periodic) -> Result<(), String> {
        let mut out = p.clone();
        if let Some(n) = &self.number {
            let n = line("periodic.number", n, MAX_NUMBER_CHARS, true)?;
            // a register number: digits, perhaps a letter ("12", "12a");
            // never markup, nor the "-BC/ĐU" the print adds
            if !n.is_empty()
                && (!n.starts_with(|c: char| c.is_ascii_digit())
                    || !n.chars().all(char::is_alphanumeric))
            {
                return Err("periodic.number: chỉ ghi số (12), không ghi “-BC/ĐU” / the number alone (12), without “-BC/ĐU”".into());
            }
            out.number = (!n.is_empty()).then_some(n);
        }
        if let Some(sections) = &self.sections {
            if sections.is_empty() || sections.len() > MAX_SECTIONS {
                return Err(format!(
                    "periodic.sections: {} phần, cần 1–{MAX_SECTIONS} / {} sections, 1 to {MAX_SECTIONS} allowed",
                    sections.len(),
                    sections.len()
                ));
            }
            let mut total = 0;
            out.sections = Vec::with_capacity(sections.len());
            for (i, s) in sections.iter().enumerate() {
                let f = format!("periodic.sections[{i}]");
                let heading = line(
                    &format!("{f}.heading"),
                    &s.heading,
                    MAX_HEADING_CHARS,
                    false,
                )?;
                if s.paragraphs.len() > MAX_PARAGRAPHS {
                    return Err(format!(
                        "{f}.paragraphs: {} đoạn, tối đa {MAX_PARAGRAPHS} / {} paragraphs, at most {MAX_PARAGRAPHS}",
                        s.paragraphs.len(),
                        s.paragraphs.len()
                    ));
                }
                let mut paragraphs = Vec::new();
                for (j, t) in s.paragraphs.iter().enumerate() {
                    let t = line(
                        &format!("{f}.paragraphs[{j}]"),
                        t,
                        MAX_PARAGRAPH_CHARS,
                        true,
                    )?;
                    total += t.chars().count();
                    if !t.is_empty() {
                        paragraphs.push(t);
                    }
                }
                total += heading.chars().count();
                out.sections.push(Section {
                    heading,
                    paragraphs,
                });
            }
            if total > MAX_TOTAL_CHARS {
                return Err(format!(
                    "periodic.sections: {total} ký tự, tối đa {MAX_TOTAL_CHARS} / {total} characters, at most {MAX_TOTAL_CHARS}"
                ));
            }
        }
        if let Some(r) = &self.recipients {
            if r.len() > MAX_RECIPIENTS {
                return Err(format!(
                    "periodic.recipients: {} dòng, tối đa {MAX_RECIPIENTS} / {} lines, at most {MAX_RECIPIENTS}",
                    r.len(),
                    r.len()
                ));
            }
            out.recipients = r
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    line(
                        &format!("periodic.recipients[{i}]"),
                        x,
                        MAX_LINE_CHARS,
                        false,
                    )
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some(t) = &self.signer_title {
            out.signer_title = line("periodic.signer_title", t, MAX_LINE_CHARS, false)?;
        }
        if let Some(n) = &self.signer_name {
            let n = line("periodic.signer_name", n, MAX_LINE_CHARS, true)?;
            out.signer_name = (!n.is_empty()).then_some(n);
        }
        *p = out;
        Ok(())
    }
}

#[cfg(test)]
#[path = "periodic_tests.rs"]
mod tests;

#[cfg(test)]
mod level_tests {
    use super::*;

    #[test]
    fn a_wards_level_is_read_from_its_name() {
        assert_eq!(ward_level("Xã Quảng Tâm"), (("xã", "Xã"), "Quảng Tâm"));
        assert_eq!(
            ward_level("THỊ TRẤN Rừng Thông"),
            (("thị trấn", "Thị trấn"), "Rừng Thông")
        );
        assert_eq!(
            ward_level(" phường Ngọc Sơn "),
            (("phường", "Phường"), "Ngọc Sơn")
        );
        assert_eq!(ward_level("Ngọc Sơn"), (("phường", "Phường"), "Ngọc Sơn"));
        // a name that only begins like a level keeps it
        assert_eq!(ward_level("Xãnh"), (("phường", "Phường"), "Xãnh"));
    }

    #[test]
    fn a_communes_report_is_issued_by_the_communes_committee() {
        let data = Ward {
            name: "Ngọc Sơn".into(),
            ..Ward::default()
        };
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let head = Letterhead {
            province: Some("Thanh Hóa".into()),
            ward: Some("Xã Quảng Tâm".into()),
        };
        let r = build(&data, &Options::new(day), &head);
        let p = r.periodic.as_ref().unwrap();
        assert_eq!(p.committee, "ĐẢNG ỦY XÃ QUẢNG TÂM");
        assert_eq!(r.ward, "Xã Quảng Tâm");
        assert_eq!(p.place, "Quảng Tâm");
        assert!(
            p.sections[0].paragraphs[0].contains("toàn xã có"),
            "{:?}",
            p.sections[0]
        );
        // no level given: a phường, as before
        let r = build(&data, &Options::new(day), &Letterhead::default());
        assert_eq!(r.periodic.unwrap().committee, "ĐẢNG ỦY PHƯỜNG NGỌC SƠN");
        assert_eq!(r.ward, "Phường Ngọc Sơn");
    }
}
