//! The periodic report's narrative against the read model, on a small ward.

use super::*;
use crate::campaign::events::Timeline;
use crate::campaign::figures::{
    CellFacts, LeadFacts, MemberFacts, ParcelFacts, SegmentFacts, Ward,
};
use crate::campaign::structures::{StructureKind, StructureLine, StructureTally};
use crate::geometry::input::FeatureId;

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

fn parcel(
    key: i64,
    group: &str,
    donations: Vec<(usize, f64)>,
    line: Vec<(NaiveDate, Status)>,
    member_family: bool,
) -> ParcelFacts {
    let mut structures = StructureTally::default();
    structures.add(StructureKind::Wall, 1, 1, 1_500_000);
    structures.add(StructureKind::Tree, 1, 0, 0);
    ParcelFacts {
        key,
        id: FeatureId::Number(key.to_string()),
        map_sheet: None,
        parcel_no: None,
        group: Some(group.into()),
        head: None,
        address: None,
        member_family,
        may_be_named: false,
        donations,
        timeline: Timeline(line),
        structures: StructureLine::flat(structures),
        assignments: Vec::new(),
        contacts: Vec::new(),
    }
}

/// Two roads, three groups, one cell; two members' families.
fn ward() -> Ward {
    use Status::*;
    let seg = |key: i64, name: &str| SegmentFacts {
        key,
        id: key.to_string(),
        name: name.into(),
        groups: Vec::new(),
    };
    Ward {
        name: "Ngọc Sơn".into(),
        demo: false,
        segments: vec![seg(1, "Phố Trường Thi"), seg(2, "Đường Cao Thắng")],
        groups: vec!["Tổ 1".into(), "Tổ 2".into(), "Tổ 3".into()],
        parcels: vec![
            parcel(
                1,
                "Tổ 1",
                vec![(0, 10.0)],
                vec![
                    (day(10, 2), Persuading),
                    (day(11, 5), Agreed),
                    (day(11, 9), Signed),
                    (day(11, 12), HandedOver),
                ],
                true,
            ),
            parcel(
                2,
                "Tổ 1",
                vec![(0, 4.0), (1, 6.25)],
                vec![(day(10, 3), Agreed), (day(11, 8), Declined)],
                false,
            ),
            parcel(3, "Tổ 2", vec![(1, 20.0)], vec![], false),
            parcel(
                4,
                "Tổ 2",
                vec![(1, 5.0)],
                vec![(day(10, 1), Agreed), (day(10, 20), Signed)],
                true,
            ),
            parcel(5, "Tổ 3", vec![], vec![], false),
        ],
        cells: vec![CellFacts {
            code: "CB1".into(),
            name: "Chi bộ 1".into(),
            groups: vec!["Tổ 1".into(), "Tổ 2".into()],
        }],
        members: vec![
            MemberFacts {
                code: "DV1".into(),
                name: "Lê Văn A".into(),
                cell: 0,
                household: None,
            },
            MemberFacts {
                code: "DV2".into(),
                name: "Lê Thị B".into(),
                cell: 0,
                household: None,
            },
        ],
        leads: vec![LeadFacts {
            name: "Nguyễn Văn C".into(),
            title: None,
            of: LeadOf::Group("Tổ 2".into()),
        }],
        lookups: Default::default(),
    }
}

fn november() -> Options {
    let mut o = Options::new(day(11, 30));
    o.from = Some(day(11, 1));
    o
}

fn head() -> Letterhead {
    Letterhead {
        province: Some("Thanh Hóa".into()),
        ward: None,
    }
}

fn section(r: &Report, n: &str) -> String {
    let p = r.periodic.as_ref().unwrap();
    let s = p
        .sections
        .iter()
        .find(|s| s.heading.starts_with(&format!("{n}. ")))
        .unwrap_or_else(|| panic!("no section {n}"));
    s.paragraphs.join("\n")
}

#[test]
fn the_letterhead_names_the_superior_and_the_ward_committee() {
    let r = build(&ward(), &november(), &head());
    let p = r.periodic.as_ref().unwrap();
    assert_eq!(p.superior, "ĐẢNG BỘ TỈNH THANH HÓA");
    assert_eq!(p.committee, "ĐẢNG ỦY PHƯỜNG NGỌC SƠN");
    assert_eq!(p.place, "Ngọc Sơn");
    assert_eq!(p.number, None);
    assert_eq!(p.on_behalf, "T/M BAN THƯỜNG VỤ");
    let headings: Vec<&str> = p.sections.iter().map(|s| s.heading.as_str()).collect();
    assert_eq!(
        headings,
        [
            "I. TÌNH HÌNH CHUNG",
            "II. KẾT QUẢ THỰC HIỆN",
            "III. HẠN CHẾ, NGUYÊN NHÂN",
            "IV. NHIỆM VỤ TRỌNG TÂM KỲ TỚI"
        ]
    );
    assert!(!r.notes.iter().any(|n| n.contains("--province")));
    // the ward given for one print
    let other = Letterhead {
        province: Some("Thành phố Hà Nội".into()),
        ward: Some("Phường Ba Đình".into()),
    };
    let r = build(&ward(), &november(), &other);
    let p = r.periodic.as_ref().unwrap();
    assert_eq!(p.superior, "ĐẢNG BỘ THÀNH PHỐ HÀ NỘI");
    assert_eq!(p.committee, "ĐẢNG ỦY PHƯỜNG BA ĐÌNH");
    assert_eq!(r.ward, "Phường Ba Đình");
}

#[test]
fn an_unset_province_leaves_a_line_to_fill_and_says_so() {
    let r = build(&ward(), &november(), &Letterhead::default());
    assert_eq!(r.periodic.as_ref().unwrap().superior, UNSET_SUPERIOR);
    assert!(r.notes.iter().any(|n| n.contains("--province")));
    assert_eq!(superior_line(Some("  ")), UNSET_SUPERIOR);
    assert_eq!(superior_line(Some("tỉnh Nghệ An")), "ĐẢNG BỘ TỈNH NGHỆ AN");
    assert_eq!(superior_line(Some("TỈNH Nghệ An")), "ĐẢNG BỘ TỈNH NGHỆ AN");
    // lowercasing changes these letters' length in bytes: no slicing by the
    // lowered text's offsets
    assert_eq!(superior_line(Some("Tỉnh ȺȺȺȺ")), "ĐẢNG BỘ TỈNH ȺȺȺȺ");
    assert_eq!(superior_line(Some("ȺȺȺȺȺȺȺȺ")), "ĐẢNG BỘ TỈNH ȺȺȺȺȺȺȺȺ");
}

#[test]
fn the_results_write_the_read_models_figures_of_the_date_and_the_period() {
    let data = ward();
    let opt = november();
    let r = build(&data, &opt, &head());
    let now = data.ward_tally(opt.as_of);
    let before = data.ward_tally(day(10, 31));
    let ii = section(&r, "II");
    let n = |x: usize| format_vi(x as f64, Kind::Count);
    let d = |s: Status| format_vi((now.reached(s) - before.reached(s)) as f64, Kind::Count);
    // the period
    assert!(
        ii.contains("từ ngày 01/11/2026 đến ngày 30/11/2026"),
        "{ii}"
    );
    assert!(ii.contains(&format!(
        "có thêm {} hộ đồng ý hiến đất, {} hộ ký biên bản hiến đất, {} hộ bàn giao mặt bằng với diện tích {} m²",
        d(Status::Agreed),
        d(Status::Signed),
        d(Status::HandedOver),
        format_vi(now.handed_over_area_m2 - before.handed_over_area_m2, Kind::Area)
    )), "{ii}");
    // to date
    assert!(ii.contains(&format!(
        "{}/{} hộ đã đồng ý hiến đất",
        n(now.reached(Status::Agreed)),
        n(now.affected)
    )));
    assert!(ii.contains(&format!(
        "diện tích đã bàn giao {} m²/{} m²",
        format_vi(now.handed_over_area_m2, Kind::Area),
        format_vi(now.donated_area_m2, Kind::Area)
    )));
    assert!(ii.contains(&format!(
        "đã hiến {} công trình, vật kiến trúc trên đất, trị giá {} đồng",
        n(now.structures.donated),
        format_vi(now.structures.donated_value_vnd as f64, Kind::Money)
    )));
    // on this ward: 2 of 4 agreed, 10 of 45,25 m² handed over, 2 walls
    assert!(ii.contains("2/4 hộ đã đồng ý hiến đất (50,0%)"), "{ii}");
    assert!(
        ii.contains("10,0 m²/45,3 m² (22,1% diện tích cần hiến)"),
        "{ii}"
    );
    assert!(ii.contains("trị giá 3.000.000 đồng"), "{ii}");
    // the members' families went first: both agreed, one of them in November
    let fam = data.cell_figures(opt.as_of);
    assert!(
        ii.contains(&format!(
            "{}/{} hộ gia đình cán bộ, đảng viên bị ảnh hưởng đã đồng ý hiến đất, trong đó {} hộ",
            fam[0].member_families_agreed, fam[0].member_families, fam[0].member_families_donated
        )),
        "{ii}"
    );
    assert!(ii.contains("“Đảng viên đi trước, làng nước theo sau”"));
    assert!(ii.contains("trong kỳ có thêm 1 hộ đồng ý"), "{ii}");
    assert!(ii.contains("0/2 đoạn tuyến đã hoàn thành"), "{ii}");
    // the situation: the ward's totals
    let i = section(&r, "I");
    assert!(i.contains(&format!(
        "{} hộ gia đình có đất nằm trong chỉ giới đường đỏ; tổng diện tích đất cần hiến {} m², trên phần đất này có {} công trình",
        n(now.affected),
        format_vi(now.donated_area_m2, Kind::Area),
        n(now.structures.structures)
    )), "{i}");
    assert!(i.contains("1 chi bộ với 2 đảng viên"), "{i}");
    // the same figures as the appendix's totals row
    let seg = &r.sheets[0];
    let at = |key: &str| seg.columns.iter().position(|c| c.key == key).unwrap();
    let total = seg.total.as_ref().unwrap();
    assert_eq!(total[at("affected")], Cell::Number(now.affected as f64));
    assert_eq!(
        total[at("handed_over_m2")],
        Cell::Number(now.handed_over_area_m2)
    );
}

#[test]
fn a_report_for_a_date_has_no_period_paragraph() {
    let data = ward();
    let r = build(&data, &Options::new(day(11, 30)), &head());
    let ii = section(&r, "II");
    assert!(ii.starts_with("1. Lũy kế đến ngày 30/11/2026"), "{ii}");
    assert!(!ii.contains("trong kỳ"));
    // and its tables have no period columns
    assert!(
        r.sheets
            .iter()
            .all(|s| s.columns.iter().all(|c| !c.key.starts_with("period_")))
    );
}

#[test]
fn the_shortcomings_name_every_lagging_area_of_the_read_model() {
    let data = ward();
    let opt = november();
    let r = build(&data, &opt, &head());
    let iii = section(&r, "III");
    let lagging = data.lagging(opt.as_of, opt.lag_days);
    assert!(!lagging.is_empty(), "the fixture has lagging areas");
    assert!(
        iii.contains(&format!("Có {} địa bàn chậm tiến độ", lagging.len())),
        "{iii}"
    );
    for l in &lagging {
        let name = match &l.area {
            LeadOf::Group(g) => g.clone(),
            LeadOf::Segment(i) => {
                format!("{} (mã {})", data.segments[*i].name, data.segments[*i].id)
            }
        };
        assert!(iii.contains(&name), "{name} not named in: {iii}");
    }
    let now = data.ward_tally(opt.as_of);
    assert!(iii.contains(&format!(
        "còn {} hộ chưa đồng ý hiến đất ({} hộ chưa tiếp cận, {} hộ đang vận động, {} hộ chưa đồng ý)",
        now.affected - now.reached(Status::Agreed),
        now.at(Status::NotContacted),
        now.at(Status::Persuading),
        now.at(Status::Declined)
    )), "{iii}");
    assert!(iii.contains("2. Nguyên nhân"));
    // the appendix lists them too
    let sheet = r.sheets.iter().find(|s| s.key == "lagging").unwrap();
    assert_eq!(sheet.rows.len(), lagging.len());
    // with no lagging area: said so
    let mut none = opt.clone();
    none.lag_days = 10_000;
    let r = build(&data, &none, &head());
    assert!(section(&r, "III").contains("Không có địa bàn nào chậm tiến độ"));
    assert!(r.sheets.iter().all(|s| s.key != "lagging"));
}

#[test]
fn the_tasks_run_over_the_next_period() {
    let r = build(&ward(), &november(), &head());
    let iv = section(&r, "IV");
    assert!(
        iv.starts_with("Từ ngày 01/12/2026 đến ngày 31/12/2026"),
        "{iv}"
    );
    assert!(iv.contains("tập trung vào các địa bàn chậm tiến độ nêu tại mục III"));
    assert_eq!(
        next_period(Some(day(11, 1)), day(11, 30)),
        (day(12, 1), day(12, 31))
    );
    assert_eq!(
        next_period(Some(day(11, 10)), day(11, 16)),
        (day(11, 17), day(11, 23))
    );
    assert_eq!(next_period(None, day(11, 16)), (day(11, 17), day(12, 16)));
    assert_eq!(next_period(None, day(1, 31)), (day(2, 1), day(2, 28)));
}

#[test]
fn the_appendix_keeps_compact_columns_with_the_cuts_cells() {
    let data = ward();
    let opt = november();
    let r = build(&data, &opt, &head());
    let keys: Vec<&str> = r.sheets.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, ["segment", "group", "cell", "lagging"]);
    let full = campaign::build(&data, &[Cut::Group], &opt).sheets.remove(0);
    let short = &r.sheets[1];
    assert!(short.columns.len() <= 10);
    for (j, c) in short.columns.iter().enumerate() {
        let k = full.columns.iter().position(|x| x.key == c.key).unwrap();
        for (a, b) in short.rows.iter().zip(&full.rows) {
            assert_eq!(a[j], b[k], "{}", c.key);
        }
    }
}

#[test]
fn an_edit_replaces_the_narrative_and_a_bad_one_names_its_field() {
    let r = build(&ward(), &november(), &head());
    let generated = r.periodic.clone().unwrap();
    let mut p = generated.clone();
    let edit = Edit {
        number: Some(" 12 ".into()),
        sections: Some(vec![EditSection {
            heading: "I. TÌNH HÌNH".into(),
            paragraphs: vec!["Câu đã sửa <b>.".into(), "  ".into()],
        }]),
        recipients: Some(vec!["Ban Thường vụ Tỉnh ủy".into()]),
        signer_title: None,
        signer_name: Some("Lê Văn Đức".into()),
    };
    edit.apply(&mut p).unwrap();
    assert_eq!(p.number.as_deref(), Some("12"));
    assert_eq!(p.sections.len(), 1);
    assert_eq!(p.sections[0].paragraphs, ["Câu đã sửa <b>."]);
    assert_eq!(p.signer_name.as_deref(), Some("Lê Văn Đức"));
    assert_eq!(p.signer_title, generated.signer_title);
    let bad = |e: Edit, field: &str| {
        let mut q = generated.clone();
        let err = e.apply(&mut q).unwrap_err();
        assert!(err.starts_with(field), "{err} does not name {field}");
        assert_eq!(q, generated, "nothing changed");
    };
    let sections = |heading: &str, text: &str| Edit {
        sections: Some(vec![
            EditSection {
                heading: "I. A".into(),
                paragraphs: vec![],
            },
            EditSection {
                heading: heading.into(),
                paragraphs: vec!["x".into(), text.into()],
            },
        ]),
        ..Edit::default()
    };
    bad(sections(" ", "y"), "periodic.sections[1].heading: trống");
    bad(
        sections("II", "a\u{7}b"),
        "periodic.sections[1].paragraphs[1]",
    );
    bad(
        sections("II", &"x".repeat(MAX_PARAGRAPH_CHARS + 1)),
        "periodic.sections[1].paragraphs[1]",
    );
    bad(
        Edit {
            sections: Some(vec![]),
            ..Edit::default()
        },
        "periodic.sections",
    );
    bad(
        Edit {
            sections: Some(vec![EditSection::default(); MAX_SECTIONS + 1]),
            ..Edit::default()
        },
        "periodic.sections: 13",
    );
    bad(
        Edit {
            number: Some("12-BC/ĐU".into()),
            ..Edit::default()
        },
        "periodic.number",
    );
    for markup in ["<svg onload=alert``>", "12<b>", "12 a", "a12"] {
        bad(
            Edit {
                number: Some(markup.into()),
                ..Edit::default()
            },
            "periodic.number",
        );
    }
    bad(
        Edit {
            recipients: Some(vec!["a".into(), "".into()]),
            ..Edit::default()
        },
        "periodic.recipients[1]",
    );
}
