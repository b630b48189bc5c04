//! Issue 13, item 5: the annual evaluation (đánh giá, xếp loại) — each
//! member's and cell's criteria from the record, a suggested band from the
//! year's thresholds, the band the Standing Committee decides with its
//! note; versions against stale screens, fields named when refused, reads
//! logged, and the report as an xlsx ready to attach.

mod common;

use common::{Demo, Server};
use hiendat::store::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const STANDING: (&str, &str) = ("hoa", "mật khẩu của Hòa");
const EDITOR: (&str, &str) = ("lan", "mật khẩu của Lan");
const VIEWER: (&str, &str) = ("minh", "mật khẩu của Minh");
const ADMIN: (&str, &str) = ("quan", "mật khẩu của Quân");

fn demo_template() -> &'static PathBuf {
    static T: OnceLock<PathBuf> = OnceLock::new();
    T.get_or_init(|| {
        Demo {
            prefix: "i13e-",
            seed: 5,
            parcels: 800,
            users: &[
                (STANDING.0, Role::Standing, STANDING.1),
                (EDITOR.0, Role::Editor, EDITOR.1),
                (VIEWER.0, Role::Viewer, VIEWER.1),
                (ADMIN.0, Role::Admin, ADMIN.1),
            ],
            scoped: None,
        }
        .build()
    })
}

fn year() -> i32 {
    chrono::Datelike::year(&hiendat::campaign::clock::today())
}

fn message(v: &Value) -> String {
    v["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A member's figures counted by hand in the database: (assigned,
/// contacted, agreed, handed over, visits in the year).
fn member_by_hand(db: &Path, code: &str, as_of: &str, year: i32) -> (i64, i64, i64, i64, i64) {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut st = c
        .prepare(
            "SELECT a.parcel, coalesce(s.status, 'not_contacted') FROM assignments a
             JOIN party_members m ON m.id = a.member
             LEFT JOIN parcel_status s ON s.parcel = a.parcel
             WHERE m.code = ?1 AND a.from_date <= ?2 AND (a.to_date IS NULL OR a.to_date > ?2)",
        )
        .unwrap();
    let rows: Vec<(i64, String)> = st
        .query_map((code, as_of), |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let (mut contacted, mut agreed, mut handed, mut visits) = (0, 0, 0, 0);
    for (p, s) in &rows {
        let seen: i64 = c
            .query_row(
                "SELECT count(*) FROM contacts WHERE parcel = ?1 AND contacted_on <= ?2",
                (p, as_of),
                |r| r.get(0),
            )
            .unwrap();
        let in_year: i64 = c
            .query_row(
                "SELECT count(*) FROM contacts WHERE parcel = ?1 AND contacted_on <= ?2 AND contacted_on >= ?3",
                (p, as_of, format!("{year}-01-01")),
                |r| r.get(0),
            )
            .unwrap();
        contacted += i64::from(s != "not_contacted" || seen > 0);
        agreed += i64::from(matches!(s.as_str(), "agreed" | "signed" | "handed_over"));
        handed += i64::from(s == "handed_over");
        visits += in_year;
    }
    (rows.len() as i64, contacted, agreed, handed, visits)
}

/// A cell's affected households and those that reached agreement, counted
/// by hand.
fn cell_by_hand(db: &Path, code: &str) -> (i64, i64) {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row(
        "SELECT count(*), coalesce(sum(coalesce(s.status, '') IN ('agreed', 'signed', 'handed_over')), 0)
         FROM parcels p
         JOIN cell_groups g ON g.residential_group = p.residential_group
         JOIN party_cells c ON c.id = g.cell
         LEFT JOIN parcel_status s ON s.parcel = p.id
         WHERE c.code = ?1 AND EXISTS (SELECT 1 FROM donations d WHERE d.parcel = p.id)",
        [code],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

#[tokio::test]
async fn a_members_and_a_cells_criteria_are_those_counted_by_hand() {
    let s = Server::start(demo_template(), "i13e-").await;
    let c = s.login(STANDING).await;
    let y = year();
    let e = s.get(&c, &format!("/api/evaluation?year={y}")).await;
    let as_of = e["as_of"].as_str().unwrap().to_string();
    let members = e["members"].as_array().unwrap();
    let m = members
        .iter()
        .find(|m| m["assigned"].as_i64().unwrap() >= 3 && m["agreed"].as_i64().unwrap() >= 1)
        .expect("a demo member with households assigned");
    let code = m["code"].as_str().unwrap();
    let (assigned, contacted, agreed, handed, visits) = member_by_hand(&s.db, code, &as_of, y);
    assert_eq!(m["assigned"].as_i64().unwrap(), assigned, "{m}");
    assert_eq!(m["contacted"].as_i64().unwrap(), contacted, "{m}");
    assert_eq!(m["agreed"].as_i64().unwrap(), agreed, "{m}");
    assert_eq!(m["handed_over"].as_i64().unwrap(), handed, "{m}");
    assert_eq!(m["visits"].as_i64().unwrap(), visits, "{m}");
    let share = m["shares"]["agreed"].as_f64().unwrap();
    assert!((share - agreed as f64 / assigned as f64).abs() < 1e-12);

    let cell = &e["cells"][0];
    let (affected, reached) = cell_by_hand(&s.db, cell["code"].as_str().unwrap());
    assert!(affected > 0);
    assert_eq!(cell["affected"].as_i64().unwrap(), affected);
    assert_eq!(cell["agreed"].as_i64().unwrap(), reached);
    // the cell's members' figures, summed
    let of_cell: Vec<&Value> = members
        .iter()
        .filter(|m| m["cell"] == cell["code"])
        .collect();
    assert_eq!(cell["members"].as_u64().unwrap() as usize, of_cell.len());
    let sum = |k: &str| of_cell.iter().map(|m| m[k].as_i64().unwrap()).sum::<i64>();
    assert_eq!(cell["assigned"].as_i64().unwrap(), sum("assigned"));
    assert_eq!(cell["visits"].as_i64().unwrap(), sum("visits"));
    let went_first = of_cell
        .iter()
        .filter(|m| m["own_family"]["went_first"] == json!(true))
        .count();
    assert_eq!(
        cell["families_first"].as_u64().unwrap() as usize,
        went_first
    );
    // the demo decided some ratings; nothing in the answer names a
    // household's refusal
    assert!(members.iter().any(|m| !m["decided"].is_null()));
    let text = e.to_string();
    assert!(!text.contains("declined") && !text.contains("persuading"));
}

#[tokio::test]
async fn the_suggested_band_moves_at_the_edge_of_a_threshold() {
    let s = Server::start(demo_template(), "i13e-").await;
    let c = s.login(STANDING).await;
    let y = year();
    let e = s.get(&c, &format!("/api/evaluation?year={y}")).await;
    let m = e["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| {
            let a = m["shares"]["agreed"].as_f64().unwrap_or(0.0);
            a > 0.0 && a < 1.0
        })
        .expect("a member with some households agreed")
        .clone();
    let code = m["code"].as_str().unwrap();
    let sh = &m["shares"];
    // the bands above ask all of it agreed: "agreed" is what holds it back
    let top = json!({ "families_first": 0.0, "contacted": sh["contacted"], "agreed": 1.0, "handed_over": 1.0, "plan_met": true });
    let at_edge = |agreed: f64| {
        json!({
            "version": 0, "excellent": top, "good": top,
            "completed": { "families_first": 0.0, "contacted": sh["contacted"], "agreed": agreed,
                           "handed_over": sh["handed_over"], "plan_met": false },
        })
    };
    let version = e["thresholds"]["version"].as_u64().unwrap();
    let mut body = at_edge(sh["agreed"].as_f64().unwrap());
    body["version"] = json!(version);
    let path = format!("/api/evaluation/thresholds?year={y}");
    let (st, r) = s.send(&c, Method::PUT, &path, body).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let band = |e: &Value| {
        let m = e["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["code"] == code)
            .unwrap()
            .clone();
        (
            m["suggested"]["band"].clone(),
            m["suggested"]["short_of"].clone(),
        )
    };
    let now = s.get(&c, &format!("/api/evaluation?year={y}")).await;
    assert_eq!(band(&now), (json!("completed"), json!("agreed")));
    let mut body = at_edge(sh["agreed"].as_f64().unwrap() + 1e-9);
    body["version"] = json!(version + 1);
    let (st, r) = s.send(&c, Method::PUT, &path, body).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let now = s.get(&c, &format!("/api/evaluation?year={y}")).await;
    assert_eq!(band(&now), (json!("not_completed"), json!("agreed")));
    assert_eq!(now["thresholds"]["version"], json!(version + 2));
    assert_eq!(now["thresholds"]["set_by"], json!(STANDING.0));
}

#[tokio::test]
async fn stale_versions_are_409_and_bad_fields_422_with_nothing_written() {
    let s = Server::start(demo_template(), "i13e-").await;
    let c = s.login(STANDING).await;
    let y = year();
    let e = s.get(&c, &format!("/api/evaluation?year={y}")).await;
    let version = e["thresholds"]["version"].as_u64().unwrap();
    assert!(version >= 1, "the demo set the year's thresholds");
    let bar = |x: f64, plan: bool| json!({ "families_first": x, "contacted": x, "agreed": x, "handed_over": x, "plan_met": plan });
    let path = format!("/api/evaluation/thresholds?year={y}");
    let body = |v: u64| json!({ "version": v, "excellent": bar(0.9, true), "good": bar(0.6, true), "completed": bar(0.3, false) });
    // a screen that read the defaults, after the committee set its own
    let (st, r) = s.send(&c, Method::PUT, &path, body(version - 1)).await;
    assert_eq!(st, StatusCode::CONFLICT, "{r}");
    let mut bad = body(version);
    bad["good"]["agreed"] = json!(1.5);
    let (st, r) = s.send(&c, Method::PUT, &path, bad).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(&r).contains("good.agreed"), "{r}");
    let mut bad = body(version);
    bad["completed"]["contacted"] = json!(0.95);
    let (st, r) = s.send(&c, Method::PUT, &path, bad).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(&r).contains("completed.contacted"), "{r}");
    let (st, r) = s
        .send(
            &c,
            Method::PUT,
            &format!("/api/evaluation/thresholds?year={}", y + 1),
            body(0),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(&r).starts_with("year"), "{r}");
    let again = s.get(&c, &format!("/api/evaluation?year={y}")).await;
    assert_eq!(again["thresholds"], e["thresholds"]);

    // ratings
    let undecided = e["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["decided"].is_null())
        .unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string();
    let rating = |v: u64| json!({ "year": y, "kind": "member", "subject": undecided, "band": "good", "note": "Tích cực vận động", "version": v });
    for (field, mut b) in [
        ("band", rating(0)),
        ("subject", rating(0)),
        ("kind", rating(0)),
        ("year", rating(0)),
        ("note", rating(0)),
        ("version", rating(0)),
    ] {
        match field {
            "band" => b["band"] = json!("great"),
            "subject" => b["subject"] = json!("DV-none"),
            "kind" => b["kind"] = json!("group"),
            "year" => b["year"] = json!(y + 1),
            "note" => b["note"] = json!("x".repeat(2001)),
            _ => b
                .as_object_mut()
                .unwrap()
                .remove("version")
                .map(drop)
                .unwrap(),
        }
        let (st, r) = s.send(&c, Method::POST, "/api/evaluation/ratings", b).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {r}");
        assert!(message(&r).starts_with(field), "{field}: {r}");
    }
    let (st, r) = s
        .send(&c, Method::POST, "/api/evaluation/ratings", rating(0))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    assert_eq!(r["version"], json!(1));
    // a second screen, still at version 0, does not replace it
    let mut late = rating(0);
    late["band"] = json!("excellent");
    let (st, r) = s
        .send(&c, Method::POST, "/api/evaluation/ratings", late)
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{r}");
    let now = s.get(&c, &format!("/api/evaluation?year={y}")).await;
    let m = now["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == json!(undecided))
        .unwrap()
        .clone();
    assert_eq!(m["decided"]["band"], json!("good"));
    assert_eq!(m["decided"]["note"], json!("Tích cực vận động"));
    assert_eq!(m["decided"]["decided_by"], json!(STANDING.0));
    assert_eq!(m["decided"]["version"], json!(1));
}

#[tokio::test]
async fn only_the_committee_decides_and_only_sensitive_readers_read_logged() {
    let s = Server::start(demo_template(), "i13e-").await;
    let y = year();
    let anon = reqwest::Client::new();
    let path = format!("/api/evaluation?year={y}");
    assert_eq!(s.status(&anon, &path).await, StatusCode::UNAUTHORIZED);
    let viewer = s.login(VIEWER).await;
    assert_eq!(s.status(&viewer, &path).await, StatusCode::FORBIDDEN);
    let editor = s.login(EDITOR).await;
    // editors read (sensitive data) but do not decide
    let e = s.get(&editor, &path).await;
    let code = e["members"][0]["code"].clone();
    let body =
        json!({ "year": y, "kind": "member", "subject": code, "band": "good", "version": 0 });
    for c in [&viewer, &editor] {
        let (st, _) = s
            .send(c, Method::POST, "/api/evaluation/ratings", body.clone())
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _) = s
            .send(
                c,
                Method::PUT,
                &format!("/api/evaluation/thresholds?year={y}"),
                json!({}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    }
    // the report too
    let rp = format!("/api/reports?by=evaluation&year={y}&format=csv");
    assert_eq!(s.status(&anon, &rp).await, StatusCode::UNAUTHORIZED);
    assert_eq!(s.status(&viewer, &rp).await, StatusCode::FORBIDDEN);
    assert_eq!(s.status(&editor, &rp).await, StatusCode::OK);
    let admin = s.login(ADMIN).await;
    let log = s.get(&admin, "/api/access-log").await;
    let reads: Vec<&Value> = log["reads"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["user"] == json!(EDITOR.0))
        .collect();
    assert!(
        reads
            .iter()
            .any(|r| r["what"] == json!(format!("evaluation {y}"))),
        "{reads:?}"
    );
    assert!(
        reads
            .iter()
            .any(|r| r["what"] == json!("report evaluation")),
        "{reads:?}"
    );
}

fn xlsx_sheet(bytes: &[u8], name: &str) -> Vec<Vec<calamine::Data>> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range(name).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

fn zip_text(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut f = z.by_name(name).unwrap();
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    s
}

#[tokio::test]
async fn the_evaluation_xlsx_reads_back_ready_to_attach() {
    let s = Server::start(demo_template(), "i13e-").await;
    let c = s.login(STANDING).await;
    let y = year();
    let e = s.get(&c, &format!("/api/evaluation?year={y}")).await;
    let r = c
        .get(s.url(&format!("/api/reports?by=evaluation&year={y}&format=xlsx")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap();
    let rows = xlsx_sheet(&bytes, "Đánh giá đảng viên");
    let head = rows
        .iter()
        .position(|r| matches!(r.first(), Some(calamine::Data::String(s)) if s == "Mã đảng viên"))
        .expect("the members' header row");
    // one row per member, in the answer's order, with the same figures
    let members = e["members"].as_array().unwrap();
    for (i, m) in members.iter().enumerate() {
        let row = &rows[head + 2 + i];
        assert_eq!(
            row[0],
            calamine::Data::String(m["code"].as_str().unwrap().into())
        );
        let assigned = match &row[5] {
            calamine::Data::Float(f) => *f as i64,
            calamine::Data::Int(n) => *n,
            other => panic!("{other:?}"),
        };
        assert_eq!(assigned, m["assigned"].as_i64().unwrap());
    }
    let decided = members
        .iter()
        .find(|m| m["decided"]["note"].is_string())
        .unwrap();
    let note = decided["decided"]["note"].as_str().unwrap();
    assert!(
        rows.iter()
            .flatten()
            .any(|c| *c == calamine::Data::String(note.into()))
    );
    let cells = xlsx_sheet(&bytes, "Đánh giá chi bộ");
    assert!(
        cells
            .iter()
            .any(|r| matches!(r.first(), Some(calamine::Data::String(s)) if s == "Mã chi bộ"))
    );
    // printed landscape on A4 or A3, at a scale that keeps its smallest
    // text (10 pt) at 8 pt or more (issue 21), header rows repeated
    let sheet = zip_text(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("orientation=\"landscape\""), "{sheet}");
    assert!(sheet.contains("paperSize=\"9\"") || sheet.contains("paperSize=\"8\""));
    let scale: u32 = sheet
        .split(" scale=\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .map_or(100, |n| n.parse().unwrap());
    assert!((80..=100).contains(&scale), "{scale}");
    assert!(zip_text(&bytes, "xl/workbook.xml").contains("_xlnm.Print_Titles"));
    // the other formats from the same writers
    for f in ["html", "csv", "docx"] {
        let st = s
            .status(
                &c,
                &format!("/api/reports?by=evaluation&year={y}&format={f}"),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{f}");
    }
    let html = c
        .get(s.url(&format!("/api/reports?by=evaluation&year={y}&format=html")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Hoàn thành"));
    // a year not begun, or a year with another cut, is refused
    assert_eq!(
        s.status(&c, &format!("/api/reports?by=evaluation&year={}", y + 1))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        s.status(&c, &format!("/api/reports?by=segment&year={y}"))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[test]
fn the_cli_writes_the_evaluation_report_of_a_year() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let db = dir.join(format!("i13e-cli-{}.db", std::process::id()));
    std::fs::copy(demo_template(), &db).unwrap();
    let out = dir.join(format!("i13e-cli-{}.xlsx", std::process::id()));
    let y = year().to_string();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_hiendat"))
            .arg("report")
            .arg("--db")
            .arg(&db)
            .args(args)
            .output()
            .unwrap()
    };
    let o = run(&[
        "--by",
        "evaluation",
        "--year",
        &y,
        "--format",
        "xlsx",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(&out).unwrap();
    let rows = xlsx_sheet(&bytes, "Đánh giá đảng viên");
    assert!(
        rows.iter()
            .flatten()
            .any(|c| matches!(c, calamine::Data::String(s) if s.contains(&format!("năm {y}"))))
    );
    assert!(!xlsx_sheet(&bytes, "Đánh giá chi bộ").is_empty());
    // a year not begun, and a year with another cut, are refused
    let next = (year() + 1).to_string();
    let o = run(&["--by", "evaluation", "--year", &next]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("year"));
    let o = run(&["--by", "segment", "--year", &y]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--year"));
    let _ = std::fs::remove_file(&out);
    let _ = std::fs::remove_file(&db);
}

#[tokio::test]
async fn a_frozen_evaluation_stays_for_sensitive_readers_only() {
    let s = Server::start(demo_template(), "i13e-").await;
    let c = s.login(STANDING).await;
    let today = hiendat::campaign::clock::today().to_string();
    let (st, r) = s
        .send(
            &c,
            Method::POST,
            "/api/reports/frozen",
            json!({ "by": "evaluation", "as_of": today }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    assert!(
        r["title"]
            .as_str()
            .unwrap()
            .starts_with("Đánh giá, xếp loại")
    );
    let path = format!("/api/reports/frozen/{}?format=csv", r["id"]);
    assert_eq!(
        s.status(&reqwest::Client::new(), &path).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        s.status(&s.login(VIEWER).await, &path).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(s.status(&c, &path).await, StatusCode::OK);
}
