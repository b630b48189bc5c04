//! One figure, one number: on a demo ward, for the latest state and three past
//! dates, every figure that the API's summaries, the reports (xlsx read back
//! with calamine), the group outlines and the parcels export show agree cell by
//! cell, and each also equals a tally made here from the parcels' statuses
//! (`/api/parcels`) and the store's assignments, by hand.

use calamine::{Data, Reader};
use hiendat::api::{AppState, router};
use hiendat::store::{ParcelFilter, Role, Store};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const EDITOR: (&str, &str) = ("lan", "mật khẩu của Lan");

/// The demo's "today": its history runs up to the day before.
const TODAY: &str = "2026-11-29";

struct Server {
    base: String,
    db: PathBuf,
    client: reqwest::Client,
}

impl Server {
    async fn start() -> Server {
        let db = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("one-source-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&db);
        hiendat::demo::database::create_demo_as_of(&db, 3, 800, TODAY.parse().unwrap()).unwrap();
        Store::open(&db)
            .unwrap()
            .add_user(EDITOR.0, Role::Editor, EDITOR.1)
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = router(AppState::new(db.clone(), false));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let r = client
            .post(format!("http://{addr}/api/login"))
            .json(&json!({ "name": EDITOR.0, "password": EDITOR.1 }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        Server {
            base: format!("http://{addr}"),
            db,
            client,
        }
    }

    async fn bytes(&self, path: &str) -> Vec<u8> {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        r.bytes().await.unwrap().to_vec()
    }

    async fn json(&self, path: &str) -> Value {
        serde_json::from_slice(&self.bytes(path).await).unwrap()
    }
}

/// A sheet of the workbook: the header row (Vietnamese) and the rows under
/// it, by their first cell.
struct Sheet {
    header: Vec<String>,
    rows: HashMap<String, Vec<Data>>,
    total: Vec<Data>,
}

impl Sheet {
    fn read(xlsx: &[u8], name: &str, first: &str) -> Sheet {
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.to_vec())).unwrap();
        let range = wb.worksheet_range(name).unwrap();
        let all: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
        let head = all
            .iter()
            .position(|r| text(&r[0]) == first)
            .unwrap_or_else(|| panic!("{name}: no header {first}"));
        let header = all[head].iter().map(text).collect();
        let mut rows = HashMap::new();
        let mut total = Vec::new();
        // the English header row follows the Vietnamese one
        for r in &all[head + 2..] {
            match text(&r[0]).as_str() {
                "" => {}
                "Tổng cộng" => total = r.clone(),
                k => {
                    rows.insert(k.to_string(), r.clone());
                }
            }
        }
        Sheet {
            header,
            rows,
            total,
        }
    }

    fn at(&self, row: &[Data], column: &str) -> f64 {
        let i = self
            .header
            .iter()
            .position(|h| h == column)
            .unwrap_or_else(|| panic!("no column {column}: {:?}", self.header));
        match &row[i] {
            Data::Float(f) => *f,
            Data::Int(n) => *n as f64,
            Data::Empty => 0.0,
            other => panic!("{column}: not a number: {other:?}"),
        }
    }
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(n) => n.to_string(),
        _ => String::new(),
    }
}

/// The figures an API summary row and a report row share: (report column,
/// the API's value).
fn shared(api: &Value) -> Vec<(&'static str, f64)> {
    let f = |v: &Value| v.as_f64().unwrap_or_else(|| panic!("{v}"));
    let h = &api["households"];
    let r = &api["households_reached"];
    vec![
        ("Số hộ ảnh hưởng", f(&api["parcels_affected"])),
        ("Diện tích cần hiến (m²)", f(&api["donated_area_m2"])),
        ("Chưa tiếp cận (hộ)", f(&h["not_contacted"])),
        ("Đang vận động (hộ)", f(&h["persuading"])),
        ("Chưa đồng ý (hộ)", f(&h["declined"])),
        ("Đã đồng ý trở lên (hộ)", f(&r["agreed"])),
        ("Đã ký trở lên (hộ)", f(&r["signed"])),
        ("Đã bàn giao (hộ)", f(&h["handed_over"])),
        ("Diện tích đã bàn giao (m²)", f(&api["handed_over_area_m2"])),
        ("Công trình đã hiến", f(&api["structures_donated"])),
        (
            "Giá trị công trình đã hiến (đồng)",
            f(&api["structures_donated_value_vnd"]),
        ),
    ]
}

fn agree(what: &str, sheet: &Sheet, row: &[Data], api: &Value) {
    for (column, want) in shared(api) {
        let got = sheet.at(row, column);
        // the API rounds areas to 4 decimals
        assert!(
            (got - want).abs() < 1e-3,
            "{what}, {column}: report {got}, API {want}"
        );
    }
    let pct = sheet.at(row, "Tiến độ theo diện tích") * 100.0;
    let want = api["progress_pct"].as_f64().unwrap();
    assert!(
        (pct - want).abs() < 0.006,
        "{what}: progress {pct} vs {want}"
    );
}

const STEPS: [&str; 6] = [
    "not_contacted",
    "persuading",
    "declined",
    "agreed",
    "signed",
    "handed_over",
];

#[tokio::test]
async fn every_figure_agrees_across_the_api_the_reports_and_the_exports() {
    let s = Server::start().await;
    let store = Store::open(&s.db).unwrap();
    let keys: HashMap<i64, String> = store
        .parcels(&ParcelFilter::default())
        .unwrap()
        .into_iter()
        .map(|p| (p.key, p.id.to_string()))
        .collect();
    let members = store.members().unwrap();
    let assignments = store.assignments(None).unwrap();
    let cells = store.cells().unwrap();
    let mut checked = 0;
    for date in ["2026-11-28", "2026-11-01", "2026-10-01", "2026-09-15"] {
        let q = format!("as_of={date}");
        let groups = s.json(&format!("/api/summary/groups?{q}")).await;
        let segments = s.json(&format!("/api/summary/segments?{q}")).await;
        let outlines = s.json(&format!("/api/groups?{q}")).await;
        let parcels = s
            .json(&format!(
                "/api/parcels?{q}&fields=id,status,residential_group,donated_area_m2"
            ))
            .await;
        let xlsx = s
            .bytes(&format!(
                "/api/reports?by=segment,group,cell,member&format=xlsx&{q}"
            ))
            .await;

        // Statuses on the day, parcel by parcel, and a tally of them by hand.
        let status: HashMap<String, String> = parcels["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let p = &f["properties"];
                (
                    p["id"].to_string().trim_matches('"').to_string(),
                    p["status"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let mut by_group: HashMap<String, [usize; 6]> = HashMap::new();
        for f in parcels["features"].as_array().unwrap() {
            let p = &f["properties"];
            if p["donated_area_m2"].as_f64().unwrap() > 0.0 {
                let g = p["residential_group"].as_str().unwrap_or("").to_string();
                let i = STEPS.iter().position(|x| *x == p["status"]).unwrap();
                by_group.entry(g).or_default()[i] += 1;
            }
        }

        // Groups: the summary, the outlines, the report and the hand tally.
        let sheet = Sheet::read(&xlsx, "Theo tổ dân phố", "Tổ dân phố");
        let api_groups = groups.as_array().unwrap();
        for g in api_groups {
            let name = g["residential_group"].as_str().unwrap_or("");
            let reached = g["households_reached"]["agreed"].as_u64().unwrap();
            assert!(
                reached > 0 || g["structures_donated"] == json!(0),
                "{date} {name}: structures donated while no household agreed: {g}"
            );
            let outline = outlines["features"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["properties"]["residential_group"] == g["residential_group"]);
            if let Some(o) = outline {
                assert_eq!(&o["properties"], g, "{date} {name}: outline and summary");
            }
            if g["parcels_affected"] == json!(0) {
                assert!(!sheet.rows.contains_key(name), "{date} {name}: no row");
                continue;
            }
            let row = &sheet.rows[name];
            agree(&format!("{date} group {name}"), &sheet, row, g);
            let hand = by_group.get(name).copied().unwrap_or_default();
            for (i, step) in STEPS.iter().enumerate() {
                assert_eq!(
                    g["households"][step],
                    json!(hand[i]),
                    "{date} {name} {step}"
                );
            }
            checked += 1;
        }
        // the totals row adds the groups up
        let total: Value = {
            let sum = |k: &str| {
                api_groups
                    .iter()
                    .map(|g| g[k].as_f64().unwrap())
                    .sum::<f64>()
            };
            let sum2 = |o: &str, k: &str| {
                api_groups
                    .iter()
                    .map(|g| g[o][k].as_f64().unwrap())
                    .sum::<f64>()
            };
            let steps: serde_json::Map<String, Value> = STEPS
                .iter()
                .map(|k| (k.to_string(), json!(sum2("households", k))))
                .collect();
            let reached: serde_json::Map<String, Value> = ["agreed", "signed", "handed_over"]
                .iter()
                .map(|k| (k.to_string(), json!(sum2("households_reached", k))))
                .collect();
            json!({
                "parcels_affected": sum("parcels_affected"),
                "donated_area_m2": sum("donated_area_m2"),
                "handed_over_area_m2": sum("handed_over_area_m2"),
                "structures_donated": sum("structures_donated"),
                "structures_donated_value_vnd": sum("structures_donated_value_vnd"),
                "households": steps,
                "households_reached": reached,
            })
        };
        for (column, want) in shared(&total) {
            let got = sheet.at(&sheet.total, column);
            assert!(
                (got - want).abs() < 1e-2,
                "{date} group total {column}: {got} vs {want}"
            );
        }

        // Segments: the summary and the report, row by row.
        let sheet = Sheet::read(&xlsx, "Theo đoạn tuyến", "Mã đoạn");
        for seg in segments.as_array().unwrap() {
            let id = seg["id"].to_string().trim_matches('"').to_string();
            if seg["parcels_affected"] == json!(0) {
                continue;
            }
            agree(
                &format!("{date} segment {id}"),
                &sheet,
                &sheet.rows[&id],
                seg,
            );
            let complete = text(
                &sheet.rows[&id][sheet.header.iter().position(|h| h == "Hoàn thành").unwrap()],
            );
            assert_eq!(
                complete == "Hoàn thành",
                seg["complete"] == json!(true),
                "{date} segment {id}"
            );
            checked += 1;
        }

        // Cells: each the sum of the groups it covers.
        let sheet = Sheet::read(&xlsx, "Theo chi bộ", "Chi bộ");
        for c in &cells {
            let mine: Vec<&Value> = api_groups
                .iter()
                .filter(|g| c.groups.iter().any(|n| g["residential_group"] == json!(n)))
                .collect();
            let affected: f64 = mine
                .iter()
                .map(|g| g["parcels_affected"].as_f64().unwrap())
                .sum();
            if affected == 0.0 {
                continue;
            }
            let row = &sheet.rows[&c.name];
            for (column, _) in shared(mine[0]) {
                let want: f64 = mine
                    .iter()
                    .map(|g| shared(g).into_iter().find(|x| x.0 == column).unwrap().1)
                    .sum();
                let got = sheet.at(row, column);
                assert!(
                    (got - want).abs() < 1e-2,
                    "{date} cell {}: {column} {got} vs {want}",
                    c.name
                );
            }
            checked += 1;
        }

        // Members: the households assigned on the day and where they stand,
        // tallied here from the assignments and the parcels' statuses.
        let sheet = Sheet::read(&xlsx, "Theo đảng viên", "Mã đảng viên");
        let day: chrono::NaiveDate = date.parse().unwrap();
        for m in &members {
            let mine: Vec<&str> = assignments
                .iter()
                .filter(|a| a.member_code == m.code && a.holds_on(day))
                .map(|a| status[&keys[&a.parcel]].as_str())
                .collect();
            let count = |f: &dyn Fn(&str) -> bool| mine.iter().filter(|s| f(s)).count() as f64;
            let row = &sheet.rows[&m.code];
            let want = [
                ("Hộ được phân công", mine.len() as f64),
                (
                    "Đã đồng ý trở lên",
                    count(&|s| ["agreed", "signed", "handed_over"].contains(&s)),
                ),
                (
                    "Đã ký trở lên",
                    count(&|s| ["signed", "handed_over"].contains(&s)),
                ),
                ("Đã bàn giao", count(&|s| s == "handed_over")),
                ("Chưa đồng ý", count(&|s| s == "declined")),
            ];
            for (column, want) in want {
                assert_eq!(
                    sheet.at(row, column),
                    want,
                    "{date} member {} {column}",
                    m.code
                );
            }
            checked += 1;
        }
    }

    // The parcels export (the latest state) names the statuses and areas the
    // API gives.
    let latest = s
        .json("/api/parcels?fields=id,status,donated_area_m2")
        .await;
    let export = s.json("/api/export?format=geojson&layers=parcels").await;
    let api: HashMap<String, (Value, f64)> = latest["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            (
                p["id"].to_string().trim_matches('"').to_string(),
                (p["status"].clone(), p["donated_area_m2"].as_f64().unwrap()),
            )
        })
        .collect();
    let features = export["features"].as_array().unwrap();
    assert_eq!(features.len(), api.len());
    for f in features {
        let p = &f["properties"];
        let id = p["id"].to_string().trim_matches('"').to_string();
        let (status, area) = &api[&id];
        assert_eq!(&p["status"], status, "export, parcel {id}");
        assert!(
            (p["donate_m2"].as_f64().unwrap() - area).abs() < 1e-3,
            "export, parcel {id}"
        );
    }
    assert!(checked > 100, "{checked} rows compared");
}
