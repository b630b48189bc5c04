//! Issue 13, item 4: inspection and supervision (kiểm tra, giám sát) by the
//! Inspection Committee — proposals whom to inspect, recorded inspections
//! with required actions and their follow-up, versions (409), validation
//! (422 naming the field), who may read and write, reads logged, the
//! report cut `inspection`.

mod common;

use common::{DEMO_TODAY, Demo, Server};
use hiendat::store::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const INSPECTOR: (&str, &str) = ("hoa", "mật khẩu của Hoa");
const STANDING: (&str, &str) = ("son", "mật khẩu của Sơn");
const EDITOR: (&str, &str) = ("lan", "mật khẩu của Lan");
const ADMIN: (&str, &str) = ("quan", "mật khẩu của Quân");

fn demo_template() -> &'static PathBuf {
    static T: OnceLock<PathBuf> = OnceLock::new();
    T.get_or_init(|| {
        Demo {
            prefix: "i13i-",
            seed: 3,
            parcels: 800,
            users: &[
                (INSPECTOR.0, Role::Inspection, INSPECTOR.1),
                (STANDING.0, Role::Standing, STANDING.1),
                (EDITOR.0, Role::Editor, EDITOR.1),
                (ADMIN.0, Role::Admin, ADMIN.1),
            ],
            scoped: None,
        }
        .build()
    })
}

/// The first member of the demo's organisation (its code).
async fn a_member(s: &Server, c: &reqwest::Client) -> String {
    let org = s.get(c, "/api/org").await;
    org["members"][0]["code"].as_str().unwrap().to_string()
}

fn new_inspection(member: &str) -> Value {
    json!({
        "subject_kind": "member", "subject_code": member, "kind": "inspection",
        "held_on": "2026-11-20", "scope": "Việc vận động các hộ được phân công",
        "findings": "Chưa đến đủ các hộ", "conclusion": "Cần khắc phục",
        "actions": [
            { "text": "Đến từng hộ", "deadline": "2026-11-25" },
            { "text": "Báo cáo chi bộ", "deadline": "2026-12-20" },
        ],
    })
}

#[tokio::test]
async fn an_inspection_is_recorded_edited_from_its_version_and_a_stale_edit_is_409() {
    let s = Server::start(demo_template(), "i13i-").await;
    let c = s.login(INSPECTOR).await;
    let m = a_member(&s, &c).await;
    let (st, made) = s
        .send(&c, Method::POST, "/api/inspections", new_inspection(&m))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{made}");
    assert_eq!(made["version"], 1);
    assert_eq!(made["subject_code"], m.as_str());
    assert!(made["subject_name"].as_str().is_some_and(|n| !n.is_empty()));
    assert_eq!(made["held_on_vn"], "20/11/2026");
    assert_eq!(made["actions"].as_array().unwrap().len(), 2);
    let id = made["id"].as_i64().unwrap();
    let mut edit = new_inspection(&m);
    edit.as_object_mut().unwrap().remove("actions");
    edit["findings"] = json!("Đã đến 3/5 hộ");
    edit["version"] = json!(1);
    let (st, v2) = s
        .send(
            &c,
            Method::PUT,
            &format!("/api/inspections/{id}"),
            edit.clone(),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v2}");
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["findings"], "Đã đến 3/5 hộ");
    // the same edit again, from version 1: refused, nothing replaced
    edit["findings"] = json!("Bản cũ");
    let (st, e) = s
        .send(&c, Method::PUT, &format!("/api/inspections/{id}"), edit)
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("phiên bản 2") && msg.contains("version 2"),
        "{msg}"
    );
    let list = s.get(&c, "/api/inspections").await;
    let got = list["inspections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap();
    assert_eq!(got["findings"], "Đã đến 3/5 hộ");
    assert_eq!(got["version"], 2);
}

#[tokio::test]
async fn bad_input_is_422_naming_the_field_and_writes_nothing() {
    let s = Server::start(demo_template(), "i13i-").await;
    let c = s.login(INSPECTOR).await;
    let m = a_member(&s, &c).await;
    let before = s.get(&c, "/api/inspections").await["inspections"]
        .as_array()
        .unwrap()
        .len();
    let cases: Vec<(&str, Value)> = vec![
        ("subject_code", json!({ "subject_code": "KHONG-CO" })),
        ("subject_kind", json!({ "subject_kind": "group" })),
        ("kind", json!({ "kind": "audit" })),
        ("held_on", json!({ "held_on": "2099-01-01" })),
        ("scope", json!({ "scope": "   " })),
        ("findings", json!({ "findings": "x".repeat(4001) })),
        (
            "deadline",
            json!({ "actions": [{ "text": "Sớm quá", "deadline": "2026-11-01" }] }),
        ),
        (
            "actions[0].text",
            json!({ "actions": [{ "text": "", "deadline": "2026-12-01" }] }),
        ),
    ];
    for (field, patch) in cases {
        let mut body = new_inspection(&m);
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (st, e) = s.send(&c, Method::POST, "/api/inspections", body).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {e}");
        let msg = e["error"]["message"].as_str().unwrap();
        assert!(msg.contains(field), "{field}: {msg}");
        assert!(msg.contains(" / "), "Vietnamese / English: {msg}");
    }
    let after = s.get(&c, "/api/inspections").await["inspections"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(after, before);
}

#[tokio::test]
async fn actions_are_followed_up_and_flagged_overdue_after_their_deadline() {
    let s = Server::start(demo_template(), "i13i-").await;
    let c = s.login(INSPECTOR).await;
    let m = a_member(&s, &c).await;
    let (_, made) = s
        .send(&c, Method::POST, "/api/inspections", new_inspection(&m))
        .await;
    let id = made["id"].as_i64().unwrap();
    let path = format!("/api/inspections?as_of={DEMO_TODAY}&from=2026-11-20&to=2026-11-20");
    let list = s.get(&c, &path).await;
    let mine = &list["inspections"][0];
    assert_eq!(mine["id"], id);
    // 25/11 is past on 29/11; 20/12 is not
    let states: Vec<&str> = mine["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["overdue", "open"]);
    assert_eq!(mine["overdue"], 1);
    // a day before the deadline it was still open
    let early = s
        .get(
            &c,
            "/api/inspections?as_of=2026-11-24&from=2026-11-20&to=2026-11-20",
        )
        .await;
    assert_eq!(early["inspections"][0]["overdue"], 0);
    // follow-up: done on 27/11
    let aid = mine["actions"][0]["id"].as_i64().unwrap();
    let apath = format!("/api/inspections/{id}/actions/{aid}");
    let (st, done) = s
        .send(
            &c,
            Method::PUT,
            &apath,
            json!({ "version": 1, "follow_up": "Đã đến đủ 5 hộ", "done_on": "2026-11-27" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{done}");
    assert_eq!(done["state"], "done");
    assert_eq!(done["version"], 2);
    // a stale follow-up is 409; a done date before the inspection is 422
    let (st, _) = s
        .send(
            &c,
            Method::PUT,
            &apath,
            json!({ "version": 1, "follow_up": "cũ" }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, e) = s
        .send(
            &c,
            Method::PUT,
            &apath,
            json!({ "version": 2, "done_on": "2026-11-01" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"]["message"].as_str().unwrap().contains("done_on"));
    let list = s.get(&c, &path).await;
    assert_eq!(list["inspections"][0]["overdue"], 0);
    assert_eq!(
        list["inspections"][0]["actions"][0]["follow_up"],
        "Đã đến đủ 5 hộ"
    );
    // a new action; its deadline may not precede the inspection
    let (st, a) = s
        .send(
            &c,
            Method::POST,
            &format!("/api/inspections/{id}/actions"),
            json!({ "text": "Họp chi bộ", "deadline": "2026-12-05" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    assert_eq!(a["state"], "open");
    let (st, _) = s
        .send(
            &c,
            Method::POST,
            &format!("/api/inspections/{id}/actions"),
            json!({ "text": "Họp", "deadline": "2026-11-19" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn an_editor_may_neither_read_nor_write_inspections_the_standing_committee_reads_only() {
    let s = Server::start(demo_template(), "i13i-").await;
    let ed = s.login(EDITOR).await;
    assert_eq!(
        s.status(&ed, "/api/inspections").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.status(&ed, "/api/inspections/proposals").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.status(&ed, "/api/reports?by=inspection&format=csv").await,
        StatusCode::FORBIDDEN
    );
    let m = a_member(&s, &ed).await;
    let (st, _) = s
        .send(&ed, Method::POST, "/api/inspections", new_inspection(&m))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let anon = reqwest::Client::new();
    assert_eq!(
        s.status(&anon, "/api/inspections").await,
        StatusCode::UNAUTHORIZED
    );
    let standing = s.login(STANDING).await;
    assert_eq!(
        s.status(&standing, "/api/inspections").await,
        StatusCode::OK
    );
    let (st, _) = s
        .send(
            &standing,
            Method::POST,
            "/api/inspections",
            new_inspection(&m),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn every_read_is_logged_in_the_access_log() {
    let s = Server::start(demo_template(), "i13i-").await;
    let c = s.login(INSPECTOR).await;
    s.get(&c, "/api/inspections").await;
    s.get(&c, "/api/inspections/proposals?idle_days=45").await;
    let admin = s.login(ADMIN).await;
    let log = s.get(&admin, "/api/access-log?limit=50").await;
    let mine: Vec<(&str, &str)> = log["reads"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["user"] == INSPECTOR.0)
        .map(|r| {
            (
                r["what"].as_str().unwrap(),
                r["detail"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(mine.iter().any(|(w, _)| *w == "inspections"), "{mine:?}");
    assert!(
        mine.iter()
            .any(|(w, d)| *w == "inspection proposals" && d.contains("idle_days=45")),
        "{mine:?}"
    );
}

#[tokio::test]
async fn proposals_name_members_with_idle_households_or_undecided_families_and_say_why() {
    let s = Server::start(demo_template(), "i13i-").await;
    let c = s.login(INSPECTOR).await;
    let path = |n: u32| format!("/api/inspections/proposals?idle_days={n}&as_of={DEMO_TODAY}");
    let p30 = s.get(&c, &path(30)).await;
    let list = p30["proposals"].as_array().unwrap();
    assert!(!list.is_empty(), "the demo proposes someone");
    let org = s.get(&c, "/api/org").await;
    for p in list {
        let reasons = p["reasons"].as_array().unwrap();
        assert!(!reasons.is_empty());
        for r in reasons {
            let text = r["text"].as_str().unwrap();
            assert!(text.contains(" / "), "Vietnamese / English: {text}");
            if r["code"] == "idle" {
                let (h, a) = (
                    r["households"].as_u64().unwrap(),
                    r["assigned"].as_u64().unwrap(),
                );
                assert!(h >= 1 && h <= a, "{r}");
                assert!(r["longest_days"].as_i64().unwrap() >= 30, "{r}");
                assert!(text.starts_with(&format!("{h}/{a} hộ")), "{text}");
            }
            if r["code"] == "own_family" {
                // the member's own household, read from its parcel: not agreed
                let m = org["members"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|m| m["code"] == p["subject_code"])
                    .unwrap();
                let parcel = &m["household_parcel"];
                let id = parcel
                    .as_str()
                    .map_or_else(|| parcel.to_string(), str::to_string);
                let detail = s
                    .get(&c, &format!("/api/parcels/{id}?as_of={DEMO_TODAY}"))
                    .await;
                let status = detail["properties"]["status"]
                    .as_str()
                    .or_else(|| detail["status"].as_str())
                    .unwrap_or_default()
                    .to_string();
                assert!(
                    ["not_contacted", "persuading", "declined"].contains(&status.as_str()),
                    "{id}: {status}"
                );
                assert_eq!(r["status"], status.as_str(), "{r}");
            }
        }
    }
    // a longer idle threshold: the idle reasons are a subset
    let idle = |v: &Value| -> Vec<String> {
        v["proposals"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| {
                p["reasons"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r["code"] == "idle")
            })
            .map(|p| p["subject_code"].as_str().unwrap().to_string())
            .collect()
    };
    let p90 = s.get(&c, &path(90)).await;
    let (a, b) = (idle(&p30), idle(&p90));
    assert!(b.iter().all(|m| a.contains(m)), "{b:?} ⊄ {a:?}");
    assert!(b.len() <= a.len());
    // a bad threshold names the parameter
    let r = c
        .get(s.url("/api/inspections/proposals?idle_days=0"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("idle_days"));
}

#[tokio::test]
async fn the_inspection_report_lists_findings_and_action_states_for_the_committee() {
    let s = Server::start(demo_template(), "i13i-").await;
    let c = s.login(INSPECTOR).await;
    let m = a_member(&s, &c).await;
    s.send(&c, Method::POST, "/api/inspections", new_inspection(&m))
        .await;
    let r = c
        .get(s.url(&format!(
            "/api/reports?by=inspection&format=csv&from=2026-11-01&as_of={DEMO_TODAY}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap();
    // several sheets: a zip of CSV files; find our findings in it
    let text = if bytes.starts_with(b"PK") {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let mut all = String::new();
        for i in 0..z.len() {
            use std::io::Read;
            z.by_index(i).unwrap().read_to_string(&mut all).unwrap();
        }
        all
    } else {
        String::from_utf8(bytes.to_vec()).unwrap()
    };
    assert!(text.contains("Chưa đến đủ các hộ"), "{text}");
    assert!(text.contains("Quá hạn / Overdue"), "{text}");
    assert!(text.contains("2026-11-25"), "plain dates in CSV: {text}");
    for f in ["xlsx", "html", "docx"] {
        let r = c
            .get(s.url(&format!("/api/reports?by=inspection&format={f}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{f}");
    }
    let html = c
        .get(s.url(&format!(
            "/api/reports?by=inspection&format=html&as_of={DEMO_TODAY}"
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("25/11/2026"), "Vietnamese dates in HTML");
    // inspection is a report of its own
    let r = c
        .get(s.url("/api/reports?by=segment,inspection&format=csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_scan_is_attached_and_read_back_and_a_text_file_is_refused() {
    let s = Server::start(demo_template(), "i13i-").await;
    let c = s.login(INSPECTOR).await;
    let m = a_member(&s, &c).await;
    let (_, made) = s
        .send(&c, Method::POST, "/api/inspections", new_inspection(&m))
        .await;
    let id = made["id"].as_i64().unwrap();
    let pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n".to_vec();
    let r = c
        .post(s.url(&format!(
            "/api/inspections/{id}/attachments?name=bien-ban.pdf"
        )))
        .header("content-type", "application/pdf")
        .body(pdf.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let a: Value = r.json().await.unwrap();
    let back = c
        .get(s.url(a["url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), StatusCode::OK);
    assert_eq!(back.bytes().await.unwrap().to_vec(), pdf);
    let r = c
        .post(s.url(&format!("/api/inspections/{id}/attachments?name=x.txt")))
        .header("content-type", "application/octet-stream")
        .body(b"hello".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let list = s.get(&c, "/api/inspections").await;
    let got = list["inspections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap();
    assert_eq!(got["attachments"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_demo_holds_inspections_with_one_action_overdue() {
    let s = Server::start(demo_template(), "i13i-").await;
    let c = s.login(INSPECTOR).await;
    let list = s
        .get(&c, &format!("/api/inspections?as_of={DEMO_TODAY}"))
        .await;
    let all = list["inspections"].as_array().unwrap();
    assert!(all.len() >= 2, "{list}");
    assert_eq!(list["overdue_actions"], 1);
    assert!(
        all.iter()
            .flat_map(|i| i["actions"].as_array().unwrap())
            .any(|a| a["state"] == "done" && !a["follow_up"].as_str().unwrap().is_empty())
    );
}

#[test]
fn the_cli_writes_the_inspection_report_for_a_period() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let db = dir.join(format!("i13i-cli-{}.db", std::process::id()));
    std::fs::copy(demo_template(), &db).unwrap();
    let out = dir.join(format!("i13i-cli-{}.csv", std::process::id()));
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_hiendat"))
        .args(["report", "--db"])
        .arg(&db)
        .args([
            "--by",
            "inspection",
            "--format",
            "csv",
            "--from",
            "01/09/2026",
        ])
        .args(["--as-of", "29/11/2026", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let bytes = std::fs::read(&out).unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut all = String::new();
    for i in 0..z.len() {
        use std::io::Read;
        z.by_index(i).unwrap().read_to_string(&mut all).unwrap();
    }
    // the demo's three inspections, one action overdue on 29/11
    assert_eq!(all.matches("Quá hạn / Overdue").count(), 1, "{all}");
    assert!(all.contains("Kiểm tra / Inspection") && all.contains("Giám sát / Supervision"));
    let _ = std::fs::remove_file(&db);
    let _ = std::fs::remove_file(&out);
}
