//! The report engine against a small ward whose figures are worked out by
//! hand: 2 road segments, 12 parcels in 3 residential groups, 2 party cells,
//! 4 party members, and a scripted campaign over September–November 2026.
//!
//! What is hand-computed and what is read back:
//! - AREAS: each parcel's attributed area per segment is read back ONCE
//!   from the engine (`Store::donations()`, the `Areas` below); every area
//!   figure a report shows (sums, handed-over areas, shares, period deltas)
//!   is then put together by hand from those per-parcel areas. The
//!   geometry is tied to something known by hand in
//!   `the_ward_is_measured_as_drawn` (a parcel wholly inside a corridor
//!   donates its whole area; a strip's depth is the half width minus the
//!   parcel's distance from the centerline; a parcel outside every corridor
//!   is not affected), and the layout makes the order of the areas plain
//!   (the commendation order is hand-known, not read back).
//! - EVERYTHING ELSE is hand-computed from the scripted events below:
//!   counts per status, agreed/signed/handed-over counts, households'
//!   shares, structures and their values, per-member counts, period deltas,
//!   lagging days, the commendation list's membership and order. The
//!   per-parcel status table in `script()`'s comment is the source of all
//!   of them.
//!
//! Lot 104 donates to both roads: each segment row counts it with its
//! strip on that road, the group and cell rows with both strips, and the
//! segment sheet's totals row counts it once (one affected household).

use chrono::{NaiveDate, TimeZone, Utc};
use hiendat::campaign::events::{Event, Status};
use hiendat::campaign::org::{Area, AssignmentInput, CellInput, LeadInput, MemberInput, Org};
use hiendat::campaign::structures::{StructureInput, StructureKind, Unit};
use hiendat::campaign::{FeatureId, HouseholdInput, ParcelInput, SegmentInput};
use hiendat::geometry::crs::Crs;
use hiendat::ops::import::{self, ImportInput};
use hiendat::report::campaign::{self as reports, Cut, Options};
use hiendat::report::{Cell, Report, Sheet};
use hiendat::store::{ParcelFilter, RecordInput, Store};
use std::collections::HashMap;

// ---------------------------------------------------------------- the ward

/// South-west reference of the layout; lots are placed in steps of
/// 1e-5° (`U` east, about 1.05 m; `V` north, about 1.11 m).
const LON0: f64 = 105.7990;
const LAT0: f64 = 19.5100;
const STEP: f64 = 1e-5;

/// Road 1 ("LL-01"): along LAT0, planned 10 m (corridor ±5 m).
/// Road 2 ("TP-01"): along LAT0 + 30 V (≈ 33.2 m north), planned 12 m
/// (corridor ±6 m, i.e. from ≈ 27.2 m to ≈ 39.2 m north of road 1).
fn segments() -> Vec<SegmentInput> {
    let road = |id: &str, name: &str, dy: f64, w: f64| SegmentInput {
        id: FeatureId::from(id),
        name: name.into(),
        current_width_m: Some(w / 2.0),
        planned_width_m: Some(w),
        planned_left_m: None,
        planned_right_m: None,
        lines: vec![vec![
            [LON0, LAT0 + dy * STEP],
            [LON0 + 400.0 * STEP, LAT0 + dy * STEP],
        ]],
    };
    vec![
        road("LL-01", "Đường Lê Lợi", 0.0, 10.0),
        road("TP-01", "Đường Trần Phú", 30.0, 12.0),
    ]
}

/// (id, group, x0, x1, y0, y1) in steps from (LON0, LAT0).
const LOTS: [(i64, &str, f64, f64, f64, f64); 12] = [
    // Tổ 1: north of road 1, 2 V..14 V: strip 2 V..5 m deep into corridor 1
    (101, "Tổ 1", 10.0, 26.0, 2.0, 14.0),
    (102, "Tổ 1", 28.0, 38.0, 2.0, 14.0),
    (103, "Tổ 1", 40.0, 52.0, 2.0, 14.0),
    // a deep lot reaching both corridors (2 V..27 V): donates to both roads
    (104, "Tổ 1", 54.0, 62.0, 2.0, 27.0),
    // Tổ 2: south of road 1 (−14 V..−3 V), a kiosk lot wholly inside
    // corridor 1 (−4 V..4 V, i.e. ±4.43 m < 5 m), and one lot between the
    // roads reaching neither corridor (8 V..20 V = 8.9..22.1 m)
    (105, "Tổ 2", 10.0, 20.0, -14.0, -3.0),
    (106, "Tổ 2", 22.0, 34.0, -14.0, -3.0),
    (107, "Tổ 2", 80.0, 86.0, -4.0, 4.0),
    (108, "Tổ 2", 64.0, 74.0, 8.0, 20.0),
    // Tổ 3: south of road 2 (16 V..28 V): strip from ≈ 27.2 m to 28 V
    (109, "Tổ 3", 90.0, 96.0, 16.0, 28.0),
    (110, "Tổ 3", 98.0, 108.0, 16.0, 28.0),
    (111, "Tổ 3", 110.0, 122.0, 16.0, 28.0),
    (112, "Tổ 3", 124.0, 140.0, 16.0, 28.0),
];

fn parcels() -> Vec<ParcelInput> {
    LOTS.iter()
        .map(|&(id, group, x0, x1, y0, y1)| {
            let p = |x: f64, y: f64| [LON0 + x * STEP, LAT0 + y * STEP];
            ParcelInput {
                id: FeatureId::from(id),
                map_sheet: Some("7".into()),
                parcel_no: Some((id - 100).to_string()),
                owner: None,
                residential_group: Some(group.into()),
                land_use: Some("ODT".into()),
                polygons: vec![vec![vec![
                    p(x0, y0),
                    p(x1, y0),
                    p(x1, y1),
                    p(x0, y1),
                    p(x0, y0),
                ]]],
            }
        })
        .collect()
}

/// Heads of household; member families: 103 (flagged), 108 (flagged, not
/// affected), 109 (DV04's own household), 111 (its second household is
/// flagged), 112 (flagged). May be named: 101, 107, 109, 112.
fn households() -> Vec<HouseholdInput> {
    let h = |id: i64, head: &str, member: bool, named: bool| HouseholdInput {
        parcel: FeatureId::from(id),
        head_name: head.into(),
        address: Some(format!("Số {}, phường Ngọc Sơn", id - 100)),
        phone: None,
        is_member_family: member,
        may_be_named: named,
        note: None,
    };
    vec![
        h(101, "Nguyễn Văn Hải", false, true),
        h(102, "Trần Văn Bảo", false, false),
        h(103, "Lê Thị Cúc", true, false),
        h(104, "Phạm Văn Đức", false, false),
        h(105, "Hoàng Văn Giang", false, false),
        h(106, "Vũ Thị Hà", false, false),
        h(107, "Đặng Văn Khoa", false, true),
        h(108, "Bùi Thị Liên", true, false),
        h(109, "Phạm Thị Dung", false, true),
        h(110, "Ngô Văn Nam", false, false),
        h(111, "Đinh Văn Phúc", false, false),
        h(111, "Đinh Thị Quế", true, false),
        h(112, "Lý Văn Sơn", true, true),
    ]
}

/// Donated structures with values (and a few not donated, or on parcels
/// that are not signed on 28/11, which must not count then).
fn structures() -> Vec<StructureInput> {
    let s = |id: i64, kind, q: f64, unit, value: Option<i64>, donated| StructureInput {
        parcel: FeatureId::from(id),
        kind,
        quantity: q,
        unit,
        value_vnd: value,
        donated,
        line: None,
    };
    use StructureKind::*;
    use Unit::*;
    vec![
        s(101, Wall, 16.0, M, Some(15_000_000), true),
        s(102, Gate, 1.0, Item, Some(5_000_000), true),
        s(104, Wall, 8.0, M, Some(6_000_000), true),
        s(107, Awning, 12.0, M2, Some(8_000_000), true),
        s(107, Yard, 20.0, M2, Some(3_000_000), false),
        s(109, HouseFront, 6.0, M, Some(20_000_000), true),
        s(110, Wall, 10.0, M, Some(4_000_000), true),
        s(112, Tree, 2.0, Item, Some(2_000_000), true),
        s(112, Well, 1.0, Item, None, true),
    ]
}

fn org() -> Org {
    let cell = |code: &str, name: &str, groups: &[&str], line| CellInput {
        code: code.into(),
        name: name.into(),
        groups: groups.iter().map(|g| g.to_string()).collect(),
        secretary: None,
        line,
    };
    let member = |code: &str, name: &str, cell: &str, household: Option<i64>, line| MemberInput {
        code: code.into(),
        name: name.into(),
        cell: cell.into(),
        role: None,
        household: household.map(FeatureId::from),
        line,
    };
    let assign = |m: &str, p: i64, from: NaiveDate, to: Option<NaiveDate>, line| AssignmentInput {
        member: m.into(),
        parcel: FeatureId::from(p),
        from,
        to,
        line,
    };
    let lead = |name: &str, area: Area, line| LeadInput {
        name: name.into(),
        title: Some("Đảng ủy viên".into()),
        area,
        line,
    };
    let sep1 = day(9, 1);
    Org {
        cells: vec![
            cell("CB1", "Chi bộ 1", &["Tổ 1", "Tổ 2"], 2),
            cell("CB2", "Chi bộ 2", &["Tổ 3"], 3),
        ],
        members: vec![
            member("DV01", "Nguyễn Văn An", "CB1", None, 2),
            member("DV02", "Trần Thị Bình", "CB1", None, 3),
            member("DV03", "Lê Văn Cường", "CB2", None, 4),
            member("DV04", "Phạm Thị Dung", "CB2", Some(109), 5),
        ],
        assignments: vec![
            assign("DV01", 101, sep1, None, 2),
            // the re-assignment: A (DV01) until 15/10, then B (DV02)
            assign("DV01", 102, sep1, Some(day(10, 15)), 3),
            assign("DV02", 102, day(10, 15), None, 4),
            assign("DV02", 103, sep1, None, 5),
            assign("DV01", 104, sep1, None, 6),
            assign("DV02", 105, sep1, None, 7),
            assign("DV02", 106, sep1, None, 8),
            assign("DV01", 107, sep1, None, 9),
            // 108 is not affected: nobody is assigned to it
            assign("DV03", 109, sep1, None, 10),
            assign("DV03", 110, sep1, None, 11),
            assign("DV04", 111, sep1, None, 12),
            assign("DV04", 112, sep1, None, 13),
        ],
        leads: vec![
            lead("Đỗ Văn Hùng", Area::Group("Tổ 1".into()), 2),
            lead("Hoàng Thị Lan", Area::Group("Tổ 2".into()), 3),
            lead("Vũ Văn Minh", Area::Group("Tổ 3".into()), 4),
            lead("Ngô Thị Nga", Area::Segment(FeatureId::from("TP-01")), 5),
        ],
    }
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

/// The campaign, parcel by parcel. Status on 01/10 (replay), on 31/10 (the
/// day before the period) and on 28/11 (the report date):
///
/// | parcel | events | 01/10 | 31/10 | 28/11 |
/// |---|---|---|---|---|
/// | 101 | 05/09 P, 20/09 A, 05/10 S, 20/10 H | A | H | H |
/// | 102 | 10/09 P, 10/10 A, 05/11 S, 20/11 H | P | A | H |
/// | 103 | 12/09 P, 01/10 D, 10/11 P | D | D | P |
/// | 104 | 15/09 A, 25/09 S, 10/10 D (withdrawn) | S | D | D |
/// | 105 | — (a visit logged 12/11) | N | N | N |
/// | 106 | 08/09 P, 20/10 A | P | A | A |
/// | 107 | 20/09 A, 02/10 S, 29/10 H | A | H | H |
/// | 108 | — (not affected) | | | |
/// | 109 | 03/09 P, 18/09 A, 08/10 S, 02/11 H | A | S | H |
/// | 110 | 25/09 D, 03/12 P (after the report date) | D | D | D |
/// | 111 | 15/10 P, 25/11 A | N | P | A |
/// | 112 | 10/09 A, 28/09 S | S | S | S |
///
/// (N not contacted, P persuading, D declined, A agreed, S signed,
/// H handed over.) Logged visits: 103 on 20/10, 105 on 12/11, 110 on 05/11
/// and 03/12.
fn script(store: &mut Store) {
    use Status::*;
    let line: &[(i64, Status, (u32, u32))] = &[
        (101, Persuading, (9, 5)),
        (101, Agreed, (9, 20)),
        (101, Signed, (10, 5)),
        (101, HandedOver, (10, 20)),
        (102, Persuading, (9, 10)),
        (102, Agreed, (10, 10)),
        (102, Signed, (11, 5)),
        (102, HandedOver, (11, 20)),
        (103, Persuading, (9, 12)),
        (103, Declined, (10, 1)),
        (103, Persuading, (11, 10)),
        (104, Agreed, (9, 15)),
        (104, Signed, (9, 25)),
        (104, Declined, (10, 10)),
        (106, Persuading, (9, 8)),
        (106, Agreed, (10, 20)),
        (107, Agreed, (9, 20)),
        (107, Signed, (10, 2)),
        (107, HandedOver, (10, 29)),
        (109, Persuading, (9, 3)),
        (109, Agreed, (9, 18)),
        (109, Signed, (10, 8)),
        (109, HandedOver, (11, 2)),
        (110, Declined, (9, 25)),
        (110, Persuading, (12, 3)),
        (111, Persuading, (10, 15)),
        (111, Agreed, (11, 25)),
        (112, Agreed, (9, 10)),
        (112, Signed, (9, 28)),
    ];
    for (i, &(parcel, status, (m, d))) in line.iter().enumerate() {
        let on = day(m, d);
        if status == Signed {
            // a `signed` event needs the signed record on file first
            store
                .add_record(
                    &FeatureId::from(parcel),
                    &RecordInput {
                        number: format!("{}/BB-HĐ", parcel - 100),
                        signed_on: on,
                        signatories: vec!["Chủ hộ".into()],
                        witness: "Tổ trưởng tổ dân phố".into(),
                        attachment: None,
                    },
                    "canbo",
                )
                .unwrap();
        }
        store
            .append_event(&Event {
                parcel: FeatureId::from(parcel),
                status,
                occurred_on: on,
                entered_at: Utc.with_ymd_and_hms(2026, 12, 10, 8, 0, 0).unwrap()
                    + chrono::Duration::seconds(i as i64),
                entered_by: "canbo".into(),
                party_member: None,
                note: None,
                corrects: None,
            })
            .unwrap_or_else(|e| panic!("{parcel} {status} {on}: {e}"));
    }
    for (parcel, (m, d), member) in [
        (103, (10, 20), "Trần Thị Bình"),
        (105, (11, 12), "Trần Thị Bình"),
        (110, (11, 5), "Lê Văn Cường"),
        (110, (12, 3), "Lê Văn Cường"),
    ] {
        store
            .add_contact(
                &FeatureId::from(parcel),
                day(m, d),
                member,
                "Gặp chủ hộ, trao đổi về phương án hiến đất",
                "canbo",
            )
            .unwrap();
    }
}

/// Each parcel's attributed area per segment, read back from the engine:
/// the only figures of this file not worked out by hand.
struct Areas(HashMap<(i64, String), f64>);

impl Areas {
    /// On one segment (0 when none).
    fn on(&self, parcel: i64, segment: &str) -> f64 {
        self.0
            .get(&(parcel, segment.to_string()))
            .copied()
            .unwrap_or(0.0)
    }

    /// A parcel's total attributed area.
    fn of(&self, parcel: i64) -> f64 {
        self.on(parcel, "LL-01") + self.on(parcel, "TP-01")
    }

    fn sum(&self, parcels: &[i64]) -> f64 {
        parcels.iter().map(|&p| self.of(p)).sum()
    }
}

fn ward() -> (Store, Areas) {
    let mut store = Store::open_in_memory().unwrap();
    store.set_meta("ward", "Ngọc Sơn").unwrap();
    let (s, p, h, st) = (segments(), parcels(), households(), structures());
    import::import(
        &mut store,
        &Crs::vn2000_thanh_hoa(),
        ImportInput {
            segments: &s,
            parcels: &p,
            households: Some(&h),
            structures: Some(&st),
            ..ImportInput::default()
        },
        false,
    )
    .unwrap();
    store.import_org(&org()).unwrap();
    script(&mut store);
    let fid: HashMap<i64, i64> = store
        .parcels(&ParcelFilter::default())
        .unwrap()
        .into_iter()
        .map(|r| (r.key, r.id.as_str().parse().unwrap()))
        .collect();
    let seg: HashMap<i64, String> = store
        .segments()
        .unwrap()
        .into_iter()
        .map(|s| (s.key, s.id.as_str().to_string()))
        .collect();
    let areas = store
        .donations()
        .unwrap()
        .into_iter()
        .map(|d| {
            (
                (fid[&d.parcel], seg[&d.segment].clone()),
                d.attributed_area_m2,
            )
        })
        .collect();
    (store, Areas(areas))
}

fn report(store: &Store, cuts: &[Cut], opt: &Options) -> Report {
    reports::build(&store.ward().unwrap(), cuts, opt)
}

fn as_of(d: NaiveDate) -> Options {
    Options {
        as_of: d,
        from: None,
        lag_days: 30,
        min_area_m2: 0.0,
        min_value_vnd: 0,
        public: true,
        name_members: false,
    }
}

/// The report date, 28/11/2026.
fn nov28() -> Options {
    as_of(day(11, 28))
}

/// The period 01/11–28/11/2026.
fn november() -> Options {
    Options {
        from: Some(day(11, 1)),
        ..nov28()
    }
}

// ---------------------------------------------------------------- helpers

/// The index of the column `key`.
fn col(sheet: &Sheet, key: &str) -> usize {
    sheet
        .columns
        .iter()
        .position(|c| c.key == key)
        .unwrap_or_else(|| panic!("sheet {}: no column {key}", sheet.key))
}

/// The row whose first cell reads `first`.
fn row<'a>(sheet: &'a Sheet, first: &str) -> &'a Vec<Cell> {
    sheet
        .rows
        .iter()
        .find(|r| matches!(&r[0], Cell::Text(t) if t == first))
        .unwrap_or_else(|| panic!("sheet {}: no row {first:?}", sheet.key))
}

fn n(v: f64) -> Cell {
    Cell::Number(v)
}

fn t(s: &str) -> Cell {
    Cell::Text(s.into())
}

const E: Cell = Cell::Empty;

/// Checks every cell of `r` against `want`, which must name every column
/// of the sheet; numbers to 1e-6 (areas are sums of floats).
fn expect(sheet: &Sheet, what: &str, r: &[Cell], want: &[(&str, Cell)]) {
    let mut keys: Vec<&str> = want.iter().map(|w| w.0).collect();
    keys.sort_unstable();
    let mut all: Vec<&str> = sheet.columns.iter().map(|c| c.key.as_str()).collect();
    all.sort_unstable();
    assert_eq!(keys, all, "sheet {} {what}: the columns checked", sheet.key);
    assert_eq!(r.len(), sheet.columns.len(), "sheet {} {what}", sheet.key);
    let wrong: Vec<String> = want
        .iter()
        .filter(|(k, w)| {
            let got = &r[col(sheet, k)];
            match (got, w) {
                (Cell::Number(a), Cell::Number(b)) => (a - b).abs() > 1e-6,
                _ => got != w,
            }
        })
        .map(|(k, w)| format!("{k}: got {:?}, want {w:?}", r[col(sheet, k)]))
        .collect();
    assert!(
        wrong.is_empty(),
        "sheet {} {what}:\n  {}",
        sheet.key,
        wrong.join("\n  ")
    );
}

fn sheet<'a>(r: &'a Report, key: &str) -> &'a Sheet {
    r.sheets
        .iter()
        .find(|s| s.key == key)
        .unwrap_or_else(|| panic!("no sheet {key}"))
}

/// Hand counts for the progress columns of an area cut (segment, group,
/// cell). `agreed` counts agreed + signed + handed over, `signed` counts
/// signed + handed over; structures and their value count from the
/// household's agreement (agreed, signed, handed over).
#[derive(Clone, Copy)]
struct Progress {
    affected: usize,
    area: f64,
    nc: usize,
    persuading: usize,
    declined: usize,
    agreed: usize,
    signed: usize,
    handed: usize,
    handed_m2: f64,
    structures: usize,
    value: i64,
}

/// The period columns: newly agreed, newly handed over, area newly handed over.
type Period = (f64, f64, f64);

fn progress(p: Progress, period: Option<Period>) -> Vec<(&'static str, Cell)> {
    let share = |a: f64, b: f64| if b > 0.0 { n(a / b) } else { E };
    let mut v = vec![
        ("affected", n(p.affected as f64)),
        ("area_m2", n(p.area)),
        ("not_contacted", n(p.nc as f64)),
        ("persuading", n(p.persuading as f64)),
        ("declined", n(p.declined as f64)),
        ("agreed", n(p.agreed as f64)),
        ("signed", n(p.signed as f64)),
        ("handed_over", n(p.handed as f64)),
        ("handed_over_m2", n(p.handed_m2)),
        ("progress_area", share(p.handed_m2, p.area)),
        (
            "progress_households",
            share(p.handed as f64, p.affected as f64),
        ),
        ("structures_donated", n(p.structures as f64)),
        ("structures_value_vnd", n(p.value as f64)),
    ];
    if let Some((a, h, m2)) = period {
        v.push(("period_agreed", n(a)));
        v.push(("period_handed_over", n(h)));
        v.push(("period_handed_over_m2", n(m2)));
    }
    v
}

fn with(mut a: Vec<(&'static str, Cell)>, b: &[(&'static str, Cell)]) -> Vec<(&'static str, Cell)> {
    a.extend(b.iter().cloned());
    a
}

// ---------------------------------------------------------------- geometry

/// Metres per degree of latitude and of longitude at `lat` on the WGS84
/// ellipsoid (VN-2000 uses the same one). The TM-3 scale here (k0 = 0.9999,
/// ≈ 84 km east of the 105° meridian: k ≈ 0.99999) changes areas by less
/// than 0.01 %.
fn metres_per_degree(lat: f64) -> (f64, f64) {
    let (a, e2) = (6_378_137.0_f64, 0.006_694_379_990_14_f64);
    let s = lat.to_radians().sin();
    let w = 1.0 - e2 * s * s;
    let m = a * (1.0 - e2) / w.powf(1.5);
    let nn = a / w.sqrt();
    (
        m * std::f64::consts::PI / 180.0,
        nn * lat.to_radians().cos() * std::f64::consts::PI / 180.0,
    )
}

#[test]
fn the_ward_is_measured_as_drawn() {
    let (_, areas) = ward();
    let (per_lat, per_lon) = metres_per_degree(LAT0);
    let (u, v) = (STEP * per_lon, STEP * per_lat); // ≈ 1.049 m, ≈ 1.107 m
    let close = |got: f64, want: f64| (got - want).abs() <= 0.005 * want;
    // HAND: lot 107 lies wholly inside corridor 1 (±4 V ≈ ±4.43 m < 5 m):
    // it donates its whole area, 6 U × 8 V ≈ 55.7 m².
    let whole = 6.0 * u * 8.0 * v;
    assert!(
        close(areas.on(107, "LL-01"), whole),
        "{} vs {whole}",
        areas.on(107, "LL-01")
    );
    // HAND: lot 101 starts 2 V north of the centerline; the corridor's edge
    // is 5 m out (half of 10 m): a strip (5 m − 2 V) deep, 16 U long.
    let strip = (5.0 - 2.0 * v) * 16.0 * u;
    assert!(
        close(areas.on(101, "LL-01"), strip),
        "{} vs {strip}",
        areas.on(101, "LL-01")
    );
    // HAND: lot 108 lies between the corridors, in neither; lot 104
    // reaches both; every other lot donates to its own road only.
    assert_eq!(areas.of(108), 0.0);
    assert!(!areas.0.keys().any(|k| k.0 == 108));
    assert!(areas.on(104, "LL-01") > 0.0 && areas.on(104, "TP-01") > 0.0);
    for p in [101, 102, 103, 105, 106, 107] {
        assert!(
            areas.on(p, "LL-01") > 0.0 && areas.on(p, "TP-01") == 0.0,
            "{p}"
        );
    }
    for p in [109, 110, 111, 112] {
        assert!(
            areas.on(p, "TP-01") > 0.0 && areas.on(p, "LL-01") == 0.0,
            "{p}"
        );
    }
    assert_eq!(areas.0.len(), 12);
    // HAND: the order the commendation list relies on (strip depths ×
    // lengths: 112 ≈ 63.6, 107 ≈ 55.7, 101 ≈ 46.8, 102 ≈ 29.2, 109 ≈ 23.8 m²).
    let order = [112, 107, 101, 102, 109];
    assert!(
        order
            .windows(2)
            .all(|w| areas.of(w[0]) > 1.05 * areas.of(w[1])),
        "{:?}",
        order.map(|p| areas.of(p))
    );
    assert!(areas.of(101) > 40.0 && areas.of(109) < 40.0 && areas.of(102) < 40.0);
}

// ---------------------------------------------------------------- cuts

#[test]
fn by_segment_on_28_11_and_for_november() {
    let (store, a) = ward();
    // Road 1: 101 H, 102 H, 103 P, 104 D (its road-1 strip only), 105 N,
    // 106 A, 107 H. On 31/10: 101 H, 102 A, 103 D, 104 D, 105 N, 106 A,
    // 107 H → agreed 4 → 4, handed over 2 → 3 (102).
    let road1 = Progress {
        affected: 7,
        area: a.sum(&[101, 102, 103, 105, 106, 107]) + a.on(104, "LL-01"),
        nc: 1,
        persuading: 1,
        declined: 1,
        agreed: 4,
        signed: 3,
        handed: 3,
        handed_m2: a.sum(&[101, 102, 107]),
        structures: 3,     // wall 101, gate 102, awning 107 (not 107's yard)
        value: 28_000_000, // 15 + 5 + 8 million
    };
    let road1_period = (0.0, 1.0, a.of(102));
    // Road 2: 104 D (its road-2 strip), 109 H, 110 D, 111 A, 112 S. On
    // 31/10: 104 D, 109 S, 110 D, 111 P, 112 S → agreed 2 → 3, handed 0 → 1.
    let road2 = Progress {
        affected: 5,
        area: a.sum(&[109, 110, 111, 112]) + a.on(104, "TP-01"),
        nc: 0,
        persuading: 0,
        declined: 2,
        agreed: 3,
        signed: 2,
        handed: 1,
        handed_m2: a.of(109),
        structures: 3,     // house front 109; tree and well 112 (no value)
        value: 22_000_000, // 20 + 2 million (110's wall: declined)
    };
    let road2_period = (1.0, 1.0, a.of(109));
    // The ward: 11 households (104 once), 50 million of structures.
    let ward = Progress {
        affected: 11,
        area: a.sum(&[101, 102, 103, 104, 105, 106, 107, 109, 110, 111, 112]),
        nc: 1,
        persuading: 1,
        declined: 2,
        agreed: 7,
        signed: 5,
        handed: 4,
        handed_m2: a.sum(&[101, 102, 107, 109]),
        structures: 6,
        value: 50_000_000,
    };
    // On 31/10 the ward had 6 agreed (101, 102, 106, 107, 109, 112) and 2
    // handed over (101, 107).
    let ward_period = (1.0, 2.0, a.sum(&[102, 109]));
    for (opt, period) in [(nov28(), false), (november(), true)] {
        let r = report(&store, &[Cut::Segment], &opt);
        let s = sheet(&r, "segment");
        assert_eq!(s.columns.len(), if period { 20 } else { 17 });
        assert_eq!(s.rows.len(), 2);
        assert_eq!(s.rows[0][0], t("LL-01"), "in import order");
        let p = |x: Period| period.then_some(x);
        expect(
            s,
            "LL-01",
            row(s, "LL-01"),
            &with(
                progress(road1, p(road1_period)),
                &[
                    ("segment_id", t("LL-01")),
                    ("segment", t("Đường Lê Lợi")),
                    ("complete", t("Chưa")),
                    // named for no one: the leads of Tổ 1 and Tổ 2, which it runs through
                    ("lead", t("Đỗ Văn Hùng; Hoàng Thị Lan")),
                ],
            ),
        );
        expect(
            s,
            "TP-01",
            row(s, "TP-01"),
            &with(
                progress(road2, p(road2_period)),
                &[
                    ("segment_id", t("TP-01")),
                    ("segment", t("Đường Trần Phú")),
                    ("complete", t("Chưa")),
                    ("lead", t("Ngô Thị Nga")),
                ],
            ),
        );
        expect(
            s,
            "total",
            s.total.as_ref().unwrap(),
            &with(
                progress(ward, p(ward_period)),
                &[
                    ("segment_id", t("Tổng cộng")),
                    ("segment", E),
                    ("complete", E),
                    ("lead", E),
                ],
            ),
        );
    }
}

/// Tổ 1: 101 H, 102 H, 103 P, 104 D (both strips). On 31/10: 101 H,
/// 102 A, 103 D, 104 D.
fn to1(a: &Areas) -> (Progress, Period) {
    (
        Progress {
            affected: 4,
            area: a.sum(&[101, 102, 103, 104]),
            nc: 0,
            persuading: 1,
            declined: 1,
            agreed: 2,
            signed: 2,
            handed: 2,
            handed_m2: a.sum(&[101, 102]),
            structures: 2, // 104's wall: withdrawn
            value: 20_000_000,
        },
        (0.0, 1.0, a.of(102)),
    )
}

/// Tổ 2: 105 N, 106 A, 107 H (108 not affected). Same on 31/10.
fn to2(a: &Areas) -> (Progress, Period) {
    (
        Progress {
            affected: 3,
            area: a.sum(&[105, 106, 107]),
            nc: 1,
            persuading: 0,
            declined: 0,
            agreed: 2,
            signed: 1,
            handed: 1,
            handed_m2: a.of(107),
            structures: 1,
            value: 8_000_000,
        },
        (0.0, 0.0, 0.0),
    )
}

/// Tổ 3: 109 H, 110 D, 111 A, 112 S. On 31/10: 109 S, 110 D, 111 P, 112 S.
fn to3(a: &Areas) -> (Progress, Period) {
    (
        Progress {
            affected: 4,
            area: a.sum(&[109, 110, 111, 112]),
            nc: 0,
            persuading: 0,
            declined: 1,
            agreed: 3,
            signed: 2,
            handed: 1,
            handed_m2: a.of(109),
            structures: 3,
            value: 22_000_000,
        },
        (1.0, 1.0, a.of(109)),
    )
}

fn ward_total(a: &Areas) -> (Progress, Period) {
    (
        Progress {
            affected: 11,
            area: a.sum(&[101, 102, 103, 104, 105, 106, 107, 109, 110, 111, 112]),
            nc: 1,
            persuading: 1,
            declined: 2,
            agreed: 7,
            signed: 5,
            handed: 4,
            handed_m2: a.sum(&[101, 102, 107, 109]),
            structures: 6,
            value: 50_000_000,
        },
        (1.0, 2.0, a.sum(&[102, 109])),
    )
}

#[test]
fn by_group_on_28_11_and_for_november() {
    let (store, a) = ward();
    for (opt, period) in [(nov28(), false), (november(), true)] {
        let r = report(&store, &[Cut::Group], &opt);
        let s = sheet(&r, "group");
        assert_eq!(s.columns.len(), if period { 19 } else { 16 });
        let firsts: Vec<&Cell> = s.rows.iter().map(|r| &r[0]).collect();
        assert_eq!(firsts, [&t("Tổ 1"), &t("Tổ 2"), &t("Tổ 3")]);
        let p = |(x, y): (Progress, Period)| progress(x, period.then_some(y));
        for (g, fig, cell, lead) in [
            ("Tổ 1", to1(&a), "Chi bộ 1", "Đỗ Văn Hùng"),
            ("Tổ 2", to2(&a), "Chi bộ 1", "Hoàng Thị Lan"),
            ("Tổ 3", to3(&a), "Chi bộ 2", "Vũ Văn Minh"),
        ] {
            expect(
                s,
                g,
                row(s, g),
                &with(
                    p(fig),
                    &[("group", t(g)), ("cell", t(cell)), ("lead", t(lead))],
                ),
            );
        }
        expect(
            s,
            "total",
            s.total.as_ref().unwrap(),
            &with(
                p(ward_total(&a)),
                &[("group", t("Tổng cộng")), ("cell", E), ("lead", E)],
            ),
        );
    }
}

#[test]
fn by_cell_on_28_11_and_for_november() {
    let (store, a) = ward();
    // CB1 = Tổ 1 + Tổ 2 (101–107); CB2 = Tổ 3.
    let (g1, p1) = to1(&a);
    let (g2, p2) = to2(&a);
    let cb1 = Progress {
        affected: g1.affected + g2.affected,
        area: g1.area + g2.area,
        nc: 1,
        persuading: 1,
        declined: 1,
        agreed: 4,
        signed: 3,
        handed: 3,
        handed_m2: a.sum(&[101, 102, 107]),
        structures: 3,
        value: 28_000_000,
    };
    let cb1_period = (p1.0 + p2.0, p1.1 + p2.1, p1.2 + p2.2);
    let (cb2, cb2_period) = to3(&a);
    // Members' and cadres' families among the affected: CB1 has 103
    // (flagged; persuading) — 108 is flagged but not affected; CB2 has 109
    // (DV04's own, H), 111 (its second household is flagged, A) and 112
    // (flagged, S): 3, of which 3 agreed and 2 donated.
    for (opt, period) in [(nov28(), false), (november(), true)] {
        let r = report(&store, &[Cut::Cell], &opt);
        let s = sheet(&r, "cell");
        assert_eq!(s.columns.len(), if period { 27 } else { 24 });
        assert_eq!(s.rows.len(), 2);
        let p = |x: Progress, y: Period| progress(x, period.then_some(y));
        expect(
            s,
            "CB1",
            row(s, "Chi bộ 1"),
            &with(
                p(cb1, cb1_period),
                &[
                    ("cell", t("Chi bộ 1")),
                    ("groups", t("Tổ 1; Tổ 2")),
                    ("members", n(2.0)),
                    ("member_families", n(1.0)),
                    ("member_families_agreed", n(0.0)),
                    ("member_families_donated", n(0.0)),
                    ("member_families_share", n(0.0)),
                    // no member of CB1 has a household on record
                    ("own_families", n(0.0)),
                    ("own_families_first", n(0.0)),
                    ("own_families_first_share", E),
                    ("members_not_yet", E),
                ],
            ),
        );
        expect(
            s,
            "CB2",
            row(s, "Chi bộ 2"),
            &with(
                p(cb2, cb2_period),
                &[
                    ("cell", t("Chi bộ 2")),
                    ("groups", t("Tổ 3")),
                    ("members", n(2.0)),
                    ("member_families", n(3.0)),
                    ("member_families_agreed", n(3.0)),
                    ("member_families_donated", n(2.0)),
                    ("member_families_share", n(2.0 / 3.0)),
                    // DV04's own 109 agreed on 18/09, when of Tổ 3's four
                    // households only 112 (10/09) had: it went first
                    ("own_families", n(1.0)),
                    ("own_families_first", n(1.0)),
                    ("own_families_first_share", n(1.0)),
                    ("members_not_yet", E),
                ],
            ),
        );
        let (w, wp) = ward_total(&a);
        expect(
            s,
            "total",
            s.total.as_ref().unwrap(),
            &with(
                p(w, wp),
                &[
                    ("cell", t("Tổng cộng")),
                    ("groups", E),
                    ("members", n(4.0)),
                    ("member_families", n(4.0)),
                    ("member_families_agreed", n(3.0)),
                    ("member_families_donated", n(2.0)),
                    ("member_families_share", n(0.5)),
                    ("own_families", n(1.0)),
                    ("own_families_first", n(1.0)),
                    ("own_families_first_share", n(1.0)),
                    ("members_not_yet", E),
                ],
            ),
        );
    }
}

/// A member's own family as the member sheet shows it on `d`: only DV04
/// has one on record, 109 (P 03/09, A 18/09, S 08/10, H 02/11), and it went
/// first (on 17/09 only 112 of Tổ 3's four households had agreed).
fn family(code: &str, d: NaiveDate) -> [Cell; 3] {
    if code != "DV04" {
        return [t("Chưa ghi hộ gia đình"), E, E];
    }
    let signed = day(10, 8);
    [
        t("Đi trước"),
        Cell::Date(day(9, 18)),
        if d >= signed { Cell::Date(signed) } else { E },
    ]
}

/// A member's row: (assigned, contacted, agreed, signed, handed over,
/// declined, visits in the period), on `d`.
fn member_row(
    code: &str,
    name: &str,
    cell: &str,
    c: [usize; 7],
    period: bool,
    d: NaiveDate,
) -> Vec<(&'static str, Cell)> {
    let mut v = vec![
        ("member_code", t(code)),
        ("member", t(name)),
        ("cell", t(cell)),
        ("assigned", n(c[0] as f64)),
        ("contacted", n(c[1] as f64)),
        ("agreed", n(c[2] as f64)),
        ("signed", n(c[3] as f64)),
        ("handed_over", n(c[4] as f64)),
        ("declined", n(c[5] as f64)),
    ];
    if period {
        v.push(("period_contacts", n(c[6] as f64)));
    }
    let [state, agreed, signed] = family(code, d);
    v.push(("family_state", state));
    v.push(("family_agreed_on", agreed));
    v.push(("family_signed_on", signed));
    v
}

#[test]
fn by_member_on_28_11_and_for_november() {
    let (store, _) = ward();
    // Assignments holding on 28/11:
    // DV01: 101 H, 104 D, 107 H (102 went to DV02 on 15/10)
    // DV02: 102 H, 103 P, 105 N but visited 12/11 (contacted), 106 A;
    //       one visit in November (105; 103's was in October)
    // DV03: 109 H, 110 D; one visit in November (110 on 05/11; 03/12 is
    //       after the report date)
    // DV04: 111 A, 112 S (its own household 109 is DV03's to persuade)
    let rows = [
        ("DV01", "Nguyễn Văn An", "Chi bộ 1", [3, 3, 2, 2, 2, 1, 0]),
        ("DV02", "Trần Thị Bình", "Chi bộ 1", [4, 4, 2, 1, 1, 0, 1]),
        ("DV03", "Lê Văn Cường", "Chi bộ 2", [2, 2, 1, 1, 1, 1, 1]),
        ("DV04", "Phạm Thị Dung", "Chi bộ 2", [2, 2, 2, 1, 0, 0, 0]),
    ];
    for (opt, period) in [(nov28(), false), (november(), true)] {
        let r = report(&store, &[Cut::Member], &opt);
        let s = sheet(&r, "member");
        assert_eq!(s.columns.len(), if period { 13 } else { 12 });
        let codes: Vec<&Cell> = s.rows.iter().map(|r| &r[0]).collect();
        assert_eq!(
            codes,
            [&t("DV01"), &t("DV02"), &t("DV03"), &t("DV04")],
            "by cell, then code"
        );
        for (code, name, cell, c) in rows {
            expect(
                s,
                code,
                row(s, code),
                &member_row(code, name, cell, c, period, day(11, 28)),
            );
        }
        let mut total = member_row(
            "Tổng cộng",
            "",
            "",
            [11, 11, 7, 5, 4, 2, 2],
            period,
            day(11, 28),
        );
        total[1].1 = E;
        total[2].1 = E;
        let k = total.len() - 3;
        total[k].1 = E;
        expect(s, "total", s.total.as_ref().unwrap(), &total);
    }
}

/// A lagging area: (kind, name), (affected, handed over, progress by
/// area), the last step forward and the days since (none: never moved),
/// and its lead.
fn lagging_row(
    (kind, area): (&str, &str),
    (affected, handed, share): (usize, usize, f64),
    last: Option<(NaiveDate, f64)>,
    lead: Cell,
) -> Vec<(&'static str, Cell)> {
    vec![
        ("kind", t(kind)),
        ("area", t(area)),
        ("affected", n(affected as f64)),
        ("handed_over", n(handed as f64)),
        ("progress_area", n(share)),
        ("last_step", last.map_or(E, |l| Cell::Date(l.0))),
        ("days_without_progress", last.map_or(E, |l| n(l.1))),
        ("lead", lead),
    ]
}

#[test]
fn lagging_areas_on_28_11() {
    let (store, a) = ward();
    // The last step forward (agreed, signed, handed over) on or before
    // 28/11: Tổ 1 20/11 (102 H), Tổ 2 29/10 (107 H; 106 agreed 20/10),
    // Tổ 3 25/11 (111 A), road 1 20/11, road 2 25/11. None is complete.
    // With 30 days, only Tổ 2 lags: 29/10 → 28/11 is 30 days without a
    // step (30 days do not count as "within" 30).
    let to2 = lagging_row(
        ("Tổ dân phố", "Tổ 2"),
        (3, 1, a.of(107) / a.sum(&[105, 106, 107])),
        Some((day(10, 29), 30.0)),
        t("Hoàng Thị Lan"),
    );
    for opt in [nov28(), november()] {
        let r = report(&store, &[Cut::Lagging], &opt);
        let s = sheet(&r, "lagging");
        assert_eq!(s.rows.len(), 1, "{:?}", s.rows);
        assert!(s.total.is_none());
        expect(s, "Tổ 2", &s.rows[0], &to2);
    }
    // 31 days: nothing lags.
    let r = report(
        &store,
        &[Cut::Lagging],
        &Options {
            lag_days: 31,
            ..nov28()
        },
    );
    assert!(sheet(&r, "lagging").rows.is_empty());
    // 5 days: Tổ 2 (30 days), then Tổ 1 and road 1 (8 days each: groups
    // before segments); Tổ 3 and road 2 (3 days) do not lag.
    let r = report(
        &store,
        &[Cut::Lagging],
        &Options {
            lag_days: 5,
            ..nov28()
        },
    );
    let s = sheet(&r, "lagging");
    assert_eq!(s.rows.len(), 3, "{:?}", s.rows);
    expect(s, "Tổ 2", &s.rows[0], &to2);
    expect(
        s,
        "Tổ 1",
        &s.rows[1],
        &lagging_row(
            ("Tổ dân phố", "Tổ 1"),
            (4, 2, a.sum(&[101, 102]) / a.sum(&[101, 102, 103, 104])),
            Some((day(11, 20), 8.0)),
            t("Đỗ Văn Hùng"),
        ),
    );
    expect(
        s,
        "road 1",
        &s.rows[2],
        &lagging_row(
            ("Đoạn tuyến", "Đường Lê Lợi (mã LL-01)"),
            (
                7,
                3,
                a.sum(&[101, 102, 107])
                    / (a.sum(&[101, 102, 103, 105, 106, 107]) + a.on(104, "LL-01")),
            ),
            Some((day(11, 20), 8.0)),
            // the leads of the groups it runs through
            t("Đỗ Văn Hùng; Hoàng Thị Lan"),
        ),
    );
}

/// A commendation row as the public or the full list shows it.
fn commended(
    a: &Areas,
    parcel: i64,
    head: Option<&str>,
    group: &str,
    structures: usize,
    value: i64,
    status: &str,
) -> Vec<(&'static str, Cell)> {
    vec![
        ("household", head.map_or(E, t)),
        (
            "address",
            head.map_or(E, |_| t(&format!("Số {}, phường Ngọc Sơn", parcel - 100))),
        ),
        ("group", t(group)),
        ("map_sheet", t("7")),
        ("parcel_no", t(&(parcel - 100).to_string())),
        ("area_m2", n(a.of(parcel))),
        ("structures_donated", n(structures as f64)),
        ("structures_value_vnd", n(value as f64)),
        ("status", t(status)),
    ]
}

#[test]
fn the_commendation_list_on_28_11() {
    let (store, a) = ward();
    // Signed or handed over on 28/11: 101 H, 102 H, 107 H, 109 H, 112 S
    // (104 withdrew). By area: 112, 107, 101, 102, 109 (see the geometry
    // test). 102 did not agree to be named.
    const H: &str = "Đã bàn giao mặt bằng";
    const S: &str = "Đã ký biên bản";
    let r112 = commended(&a, 112, Some("Lý Văn Sơn"), "Tổ 3", 2, 2_000_000, S);
    let r107 = commended(&a, 107, Some("Đặng Văn Khoa"), "Tổ 2", 1, 8_000_000, H);
    let r101 = commended(&a, 101, Some("Nguyễn Văn Hải"), "Tổ 1", 1, 15_000_000, H);
    let r102 = commended(&a, 102, Some("Trần Văn Bảo"), "Tổ 1", 1, 5_000_000, H);
    let r109 = commended(&a, 109, Some("Phạm Thị Dung"), "Tổ 3", 1, 20_000_000, H);
    let check = |opt: &Options, want: &[&Vec<(&'static str, Cell)>]| {
        let r = report(&store, &[Cut::Commendation], opt);
        let s = sheet(&r, "commendation");
        assert_eq!(s.rows.len(), want.len(), "{:?}", s.rows);
        assert!(s.total.is_none());
        for (i, w) in want.iter().enumerate() {
            expect(s, &format!("row {i}"), &s.rows[i], w);
        }
    };
    // The internal list (not public): every donor, by name.
    let internal = Options {
        public: false,
        ..nov28()
    };
    check(&internal, &[&r112, &r107, &r101, &r102, &r109]);
    // The public list (the default) lists only the households that agreed
    // to be named: 102 is left out (as `hiendat report --internal` says).
    for opt in [nov28(), november()] {
        check(&opt, &[&r112, &r107, &r101, &r109]);
    }
    // From 40 m²: 112, 107, 101 (102 and 109 are smaller).
    let big = Options {
        min_area_m2: 40.0,
        ..nov28()
    };
    check(&big, &[&r112, &r107, &r101]);
    // ... or structures worth 10 million: 109 (20 million) comes back, 102
    // (5 million) does not, even on the internal list.
    for public in [true, false] {
        let opt = Options {
            min_value_vnd: 10_000_000,
            public,
            ..big.clone()
        };
        check(&opt, &[&r112, &r107, &r101, &r109]);
    }
    // 5 million lets 102 back onto the internal list only.
    let five = |public| Options {
        min_value_vnd: 5_000_000,
        public,
        ..big.clone()
    };
    check(&five(false), &[&r112, &r107, &r101, &r102, &r109]);
    check(&five(true), &[&r112, &r107, &r101, &r109]);
}

#[test]
fn a_whole_report_has_its_header_and_every_sheet() {
    let (store, _) = ward();
    let r = report(&store, &Cut::ALL, &november());
    assert_eq!(r.ward, "Phường Ngọc Sơn");
    assert_eq!(r.committee, "Đảng ủy phường Ngọc Sơn");
    assert_eq!((r.as_of, r.from), (day(11, 28), Some(day(11, 1))));
    assert_eq!(r.date_line(), "Từ ngày 01/11/2026 đến ngày 28/11/2026");
    let keys: Vec<&str> = r.sheets.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "segment",
            "group",
            "cell",
            "member",
            "lagging",
            "commendation",
            "exemplary"
        ]
    );
    // every sheet is the same as when built alone
    for (s, cut) in r.sheets.iter().zip(Cut::ALL) {
        assert_eq!(s, &report(&store, &[cut], &november()).sheets[0]);
    }
}

// ---------------------------------------------------------------- replay

#[test]
fn an_earlier_date_replays_the_statuses_of_that_day() {
    let (store, a) = ward();
    // On 01/10 (see the table in `script`): 101 A, 102 P, 103 D, 104 S,
    // 105 N, 106 P, 107 A, 109 A, 110 D, 111 N, 112 S — nothing handed
    // over yet; 104 had not withdrawn, so its wall counts, and 101 had
    // agreed, so its wall counts too (structures count from agreement).
    let opt = as_of(day(10, 1));
    let r = report(&store, &Cut::ALL, &opt);

    let s = sheet(&r, "group");
    let g = |affected, area, nc, pe, de, ag, si, structures, value| Progress {
        affected,
        area,
        nc,
        persuading: pe,
        declined: de,
        agreed: ag,
        signed: si,
        handed: 0,
        handed_m2: 0.0,
        structures,
        value,
    };
    for (name, fig, cell, lead) in [
        (
            "Tổ 1",
            // 101 A (wall 15 million), 102 P, 103 D, 104 S (wall 6 million)
            g(
                4,
                a.sum(&[101, 102, 103, 104]),
                0,
                1,
                1,
                2,
                1,
                2,
                21_000_000,
            ),
            "Chi bộ 1",
            "Đỗ Văn Hùng",
        ),
        (
            "Tổ 2",
            // 105 N, 106 P, 107 A (awning 8 million)
            g(3, a.sum(&[105, 106, 107]), 1, 1, 0, 1, 0, 1, 8_000_000),
            "Chi bộ 1",
            "Hoàng Thị Lan",
        ),
        (
            "Tổ 3",
            // 109 A (house front 20 million), 110 D, 111 N, 112 S (tree
            // and well: 2 million)
            g(
                4,
                a.sum(&[109, 110, 111, 112]),
                1,
                0,
                1,
                2,
                1,
                3,
                22_000_000,
            ),
            "Chi bộ 2",
            "Vũ Văn Minh",
        ),
    ] {
        expect(
            s,
            name,
            row(s, name),
            &with(
                progress(fig, None),
                &[("group", t(name)), ("cell", t(cell)), ("lead", t(lead))],
            ),
        );
    }
    // The ward on 01/10: 11 households, 5 agreed or signed (101, 104,
    // 107, 109, 112): 6 structures worth 51 million.
    let ward = g(
        11,
        a.sum(&[101, 102, 103, 104, 105, 106, 107, 109, 110, 111, 112]),
        2,
        2,
        2,
        5,
        2,
        6,
        51_000_000,
    );
    expect(
        s,
        "total",
        s.total.as_ref().unwrap(),
        &with(
            progress(ward, None),
            &[("group", t("Tổng cộng")), ("cell", E), ("lead", E)],
        ),
    );

    // Both roads hold 104 (S), each with its own strip.
    let s = sheet(&r, "segment");
    expect(
        s,
        "TP-01",
        row(s, "TP-01"),
        &with(
            progress(
                // 104 S (wall 6 million), 109 A (house front 20 million),
                // 110 D, 111 N, 112 S (tree and well 2 million)
                g(
                    5,
                    a.sum(&[109, 110, 111, 112]) + a.on(104, "TP-01"),
                    1,
                    0,
                    1,
                    3,
                    2,
                    4,
                    28_000_000,
                ),
                None,
            ),
            &[
                ("segment_id", t("TP-01")),
                ("segment", t("Đường Trần Phú")),
                ("complete", t("Chưa")),
                ("lead", t("Ngô Thị Nga")),
            ],
        ),
    );
    expect(
        s,
        "LL-01",
        row(s, "LL-01"),
        &with(
            progress(
                // 101 A (wall 15 million), 102 P, 103 D, 104 S (wall 6 million),
                // 105 N, 106 P, 107 A (awning 8 million)
                g(
                    7,
                    a.sum(&[101, 102, 103, 105, 106, 107]) + a.on(104, "LL-01"),
                    1,
                    2,
                    1,
                    3,
                    1,
                    3,
                    29_000_000,
                ),
                None,
            ),
            &[
                ("segment_id", t("LL-01")),
                ("segment", t("Đường Lê Lợi")),
                ("complete", t("Chưa")),
                ("lead", t("Đỗ Văn Hùng; Hoàng Thị Lan")),
            ],
        ),
    );
    // 104, signed on both roads, is one household of the ward: its wall is
    // counted once.
    expect(
        s,
        "total",
        s.total.as_ref().unwrap(),
        &with(
            progress(ward, None),
            &[
                ("segment_id", t("Tổng cộng")),
                ("segment", E),
                ("complete", E),
                ("lead", E),
            ],
        ),
    );

    // Members: 102 was still DV01's (re-assigned on 15/10); 105's visit and
    // 103's were later.
    let s = sheet(&r, "member");
    for (code, name, cell, c) in [
        // 101 A, 102 P, 104 S, 107 A
        ("DV01", "Nguyễn Văn An", "Chi bộ 1", [4, 4, 3, 1, 0, 0, 0]),
        // 103 D, 105 N (not visited yet), 106 P
        ("DV02", "Trần Thị Bình", "Chi bộ 1", [3, 2, 0, 0, 0, 1, 0]),
        // 109 A, 110 D
        ("DV03", "Lê Văn Cường", "Chi bộ 2", [2, 2, 1, 0, 0, 1, 0]),
        // 111 N, 112 S
        ("DV04", "Phạm Thị Dung", "Chi bộ 2", [2, 1, 1, 1, 0, 0, 0]),
    ] {
        expect(
            s,
            code,
            row(s, code),
            &member_row(code, name, cell, c, false, day(10, 1)),
        );
    }

    // Commendation: 104 (≈ 45.9 m² on both roads) and 112 (≈ 63.6 m²) had
    // signed; 104 (not to be named) is on the internal list only.
    const S: &str = "Đã ký biên bản";
    let r112 = commended(&a, 112, Some("Lý Văn Sơn"), "Tổ 3", 2, 2_000_000, S);
    let r104 = commended(&a, 104, Some("Phạm Văn Đức"), "Tổ 1", 1, 6_000_000, S);
    let s = sheet(&r, "commendation");
    assert_eq!(s.rows.len(), 1, "{:?}", s.rows);
    expect(s, "row 0", &s.rows[0], &r112);
    let internal = Options {
        public: false,
        ..opt.clone()
    };
    let ri = report(&store, &[Cut::Commendation], &internal);
    let s = sheet(&ri, "commendation");
    assert_eq!(s.rows.len(), 2, "{:?}", s.rows);
    expect(s, "row 0", &s.rows[0], &r112);
    expect(s, "row 1", &s.rows[1], &r104);

    // Lagging on 01/10 (30 days): every area has stepped since 01/09.
    assert!(sheet(&r, "lagging").rows.is_empty());
    // On 09/09 nobody had agreed yet: every area lags, never having moved
    // (no date), groups first, then segments.
    let r = report(&store, &[Cut::Lagging], &as_of(day(9, 9)));
    let s = sheet(&r, "lagging");
    let areas: Vec<(&Cell, &Cell, &Cell)> = s.rows.iter().map(|r| (&r[1], &r[5], &r[6])).collect();
    assert_eq!(
        areas,
        [
            (&t("Tổ 1"), &E, &E),
            (&t("Tổ 2"), &E, &E),
            (&t("Tổ 3"), &E, &E),
            (&t("Đường Lê Lợi (mã LL-01)"), &E, &E),
            (&t("Đường Trần Phú (mã TP-01)"), &E, &E),
        ]
    );
    // ...and the store agrees on a status replayed, not current
    assert_eq!(
        store
            .status_as_of(&FeatureId::from(104), day(10, 1))
            .unwrap(),
        Status::Signed
    );
}
