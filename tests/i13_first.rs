//! Issue 13, items 2 and 6: "Đảng viên đi trước" (each member's own family,
//! each cell's going-first share and the members whose families have not
//! agreed) and the commendation of collectives and individuals, as the API
//! (the party tab) and the reports give them: the same figures, shown only
//! to those who may read them, a public list that names no party member, no
//! household that did not agree to be named and nobody who declined.

mod common;

use common::{DEMO_TODAY, Demo, Server};
use hiendat::store::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

const EDITOR: (&str, &str) = ("lan", "mật khẩu của Lan");
const VIEWER: (&str, &str) = ("minh", "mật khẩu của Minh");
const ADMIN: (&str, &str) = ("quan", "mật khẩu của Quân");

fn demo_template() -> &'static PathBuf {
    static T: OnceLock<PathBuf> = OnceLock::new();
    T.get_or_init(|| {
        Demo {
            prefix: "i13f-",
            seed: 3,
            parcels: 800,
            users: &[
                (EDITOR.0, Role::Editor, EDITOR.1),
                (VIEWER.0, Role::Viewer, VIEWER.1),
                (ADMIN.0, Role::Admin, ADMIN.1),
            ],
            scoped: None,
        }
        .build()
    })
}

/// A CSV report's rows as maps from column key to value.
fn csv_rows(text: &str) -> Vec<HashMap<String, String>> {
    let mut r = csv_reader(text);
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            head.iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
}

fn st(v: &Value) -> String {
    v.as_str().map(String::from).unwrap_or_default()
}

#[tokio::test]
async fn members_going_first_is_for_readers_of_sensitive_data_and_each_read_is_logged() {
    let s = Server::start(demo_template(), "i13f-").await;
    let anon = reqwest::Client::new();
    let viewer = s.login(VIEWER).await;
    let editor = s.login(EDITOR).await;
    let q = format!("/api/party/first?as_of={DEMO_TODAY}");
    assert_eq!(s.status(&anon, &q).await, StatusCode::UNAUTHORIZED);
    assert_eq!(s.status(&viewer, &q).await, StatusCode::FORBIDDEN);
    let first = s.get(&editor, &q).await;
    assert!(!first["members"].as_array().unwrap().is_empty());
    let admin = s.login(ADMIN).await;
    let log = s.get(&admin, "/api/access-log").await;
    assert!(
        log["reads"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["user"] == EDITOR.0 && r["what"] == "party first"),
        "{log}"
    );
    // bad input names the field
    let r = editor
        .get(s.url("/api/party/first?as_of=29/11/2026"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("as_of"));
    let r = editor
        .get(s.url("/api/party/commendation?from=2026-11-20&as_of=2026-11-10"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("from"));
}

#[tokio::test]
async fn the_api_and_every_report_give_the_same_family_states_dates_and_shares() {
    let s = Server::start(demo_template(), "i13f-").await;
    let editor = s.login(EDITOR).await;
    let first = s
        .get(&editor, &format!("/api/party/first?as_of={DEMO_TODAY}"))
        .await;
    let members = csv_rows(
        &s.text(
            &editor,
            &format!("/api/reports?by=member&format=csv&as_of={DEMO_TODAY}"),
        )
        .await,
    );
    let by_code: HashMap<String, &HashMap<String, String>> = members
        .iter()
        .filter(|r| !r["member_code"].is_empty() && r["member_code"] != "Tổng cộng")
        .map(|r| (r["member_code"].clone(), r))
        .collect();
    let api_members = first["members"].as_array().unwrap();
    assert_eq!(by_code.len(), api_members.len());
    let mut dated = 0;
    for m in api_members {
        let r = by_code[&st(&m["code"])];
        assert_eq!(r["family_state"], st(&m["state"]), "{m}");
        assert_eq!(r["family_agreed_on"], st(&m["agreed_on"]), "{m}");
        assert_eq!(r["family_signed_on"], st(&m["signed_on"]), "{m}");
        dated += usize::from(!m["agreed_on"].is_null());
    }
    assert!(dated > 0, "some demo families agreed");
    let cells = csv_rows(
        &s.text(
            &editor,
            &format!("/api/reports?by=cell&format=csv&as_of={DEMO_TODAY}"),
        )
        .await,
    );
    let mut listed = 0;
    for c in first["cells"].as_array().unwrap() {
        let Some(r) = cells.iter().find(|r| r["cell"] == st(&c["name"])) else {
            // a cell without affected parcels has no row
            assert_eq!(c["families"], 0, "{c}");
            continue;
        };
        assert_eq!(r["own_families"], c["families"].to_string(), "{c}");
        assert_eq!(r["own_families_first"], c["went_first"].to_string(), "{c}");
        let names: Vec<String> = c["not_yet"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| st(&m["name"]))
            .collect();
        assert_eq!(r["members_not_yet"], names.join("; "), "{c}");
        listed += names.len();
        // the share is the count of families that went first over the families
        let went = api_members
            .iter()
            .filter(|m| m["cell"] == c["code"] && m["went_first"] == true)
            .count();
        assert_eq!(c["went_first"], went, "{c}");
    }
    assert!(
        listed > 0,
        "the demo has members whose families have not agreed"
    );
    // the other formats carry the same list
    let html = s
        .text(
            &editor,
            &format!("/api/reports?by=cell&format=html&as_of={DEMO_TODAY}"),
        )
        .await;
    for c in first["cells"].as_array().unwrap() {
        for m in c["not_yet"].as_array().unwrap() {
            assert!(html.contains(&st(&m["name"])), "{m}");
        }
    }
    for f in ["xlsx", "docx"] {
        let r = editor
            .get(s.url(&format!(
                "/api/reports?by=cell,member&format={f}&as_of={DEMO_TODAY}"
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{f}");
    }
}

#[tokio::test]
async fn a_family_agreeing_is_dated_leaves_the_not_yet_list_and_counts_by_hand() {
    let s = Server::start(demo_template(), "i13f-").await;
    let editor = s.login(EDITOR).await;
    let q = format!("/api/party/first?as_of={DEMO_TODAY}");
    let before = s.get(&editor, &q).await;
    // a member whose family has not agreed, in a cell with such members
    let cell = before["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| !c["not_yet"].as_array().unwrap().is_empty())
        .expect("a cell with a family not yet agreed")
        .clone();
    let code = st(&cell["not_yet"][0]["code"]);
    let member = before["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| st(&m["code"]) == code)
        .unwrap()
        .clone();
    let parcel = st(&member["family_parcel"]);
    if member["status"] == "not_contacted" {
        let (sc, body) = s
            .send(
                &editor,
                reqwest::Method::POST,
                &format!("/api/parcels/{parcel}/events"),
                json!({ "status": "persuading", "occurred_on": "2026-11-28" }),
            )
            .await;
        assert_eq!(sc, StatusCode::CREATED, "{body}");
    }
    let (sc, body) = s
        .send(
            &editor,
            reqwest::Method::POST,
            &format!("/api/parcels/{parcel}/events"),
            json!({ "status": "agreed", "occurred_on": DEMO_TODAY }),
        )
        .await;
    assert_eq!(sc, StatusCode::CREATED, "{body}");
    let after = s.get(&editor, &q).await;
    let m = after["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| st(&m["code"]) == code)
        .unwrap();
    assert_eq!(m["agreed_on"], DEMO_TODAY);
    assert_eq!(m["signed_on"], Value::Null);
    let c = after["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == cell["code"])
        .unwrap();
    assert!(
        !c["not_yet"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| st(&x["code"]) == code)
    );
    assert_eq!(
        c["agreed"].as_u64().unwrap(),
        cell["agreed"].as_u64().unwrap() + 1
    );
    // By hand: it went first only if fewer than half of the households of
    // the cell's groups stood at agreement or later the day before.
    let groups = s.get(&editor, "/api/summary/groups?as_of=2026-11-28").await;
    let cells_groups = s.get(&editor, "/api/org").await;
    let names: Vec<String> = cells_groups["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == cell["code"])
        .unwrap()["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(st)
        .collect();
    let (mut affected, mut agreed) = (0, 0);
    for g in groups.as_array().unwrap() {
        if names.contains(&st(&g["residential_group"])) {
            affected += g["parcels_affected"].as_u64().unwrap();
            agreed += g["households_reached"]["agreed"].as_u64().unwrap();
        }
    }
    assert!(affected > 0);
    assert_eq!(
        m["went_first"],
        2 * agreed < affected,
        "{agreed}/{affected}"
    );
    let share = c["share"].as_f64().unwrap();
    let families = c["families"].as_f64().unwrap();
    assert!((share - c["went_first"].as_f64().unwrap() / families).abs() < 1e-12);
}

#[tokio::test]
async fn the_public_commendation_names_no_member_no_unconsenting_and_no_declined_household() {
    let s = Server::start(demo_template(), "i13f-").await;
    let anon = reqwest::Client::new();
    let viewer = s.login(VIEWER).await;
    let editor = s.login(EDITOR).await;
    let q = format!("/api/party/commendation?as_of={DEMO_TODAY}");
    let internal = s.get(&editor, &q).await;
    let public = s.get(&anon, &q).await;
    let seen_by_viewer = s.get(&viewer, &q).await;
    assert_eq!(
        (internal["from"].as_str(), internal["to"].as_str()),
        (Some("2026-11-01"), Some(DEMO_TODAY))
    );
    let rows = |v: &Value| v["rows"].as_array().unwrap().clone();
    // the demo commends collectives this month, at first sight
    assert!(
        rows(&public).iter().any(|r| r["collective"] == true),
        "{public}"
    );
    assert!(
        rows(&internal).iter().any(|r| r["type"] == "Đảng viên"),
        "{internal}"
    );
    // members: never on the public list, nor for a viewer
    let members: Vec<String> = s
        .get(&editor, &format!("/api/party/first?as_of={DEMO_TODAY}"))
        .await["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| st(&m["name"]))
        .collect();
    for v in [&public, &seen_by_viewer] {
        assert_eq!(v["members_named"], false);
        for r in rows(v) {
            assert_ne!(r["type"], "Đảng viên");
            assert!(!r.to_string().contains("declined") && !r.to_string().contains("persuading"));
        }
        // (a household may share a member's name: its own row may carry it)
        for r in rows(v).iter().filter(|r| r["type"] != "Hộ gia đình") {
            assert!(!members.contains(&st(&r["name"])), "{r} names a member");
        }
    }
    // households: on the public list only those that agreed to be named
    // (the public commendation list's own rule), never one that declined
    let consenting = s
        .text(
            &anon,
            &format!("/api/reports?by=commendation&format=csv&as_of={DEMO_TODAY}"),
        )
        .await;
    let list = s
        .get(&editor, "/api/parcels?status=declined&fields=id")
        .await;
    let mut declined: Vec<String> = Vec::new();
    for f in list["features"].as_array().unwrap() {
        let id = match &f["properties"]["id"] {
            Value::String(t) => t.clone(),
            other => other.to_string(),
        };
        let p = s.get(&editor, &format!("/api/parcels/{id}")).await;
        for h in p["properties"]["households"].as_array().unwrap() {
            declined.push(st(&h["head_name"]));
        }
    }
    assert!(
        !declined.is_empty(),
        "the demo has households that declined"
    );
    let public_households: Vec<String> = rows(&public)
        .iter()
        .filter(|r| r["type"] == "Hộ gia đình")
        .map(|r| st(&r["name"]))
        .collect();
    assert!(
        rows(&internal)
            .iter()
            .filter(|r| r["type"] == "Hộ gia đình")
            .count()
            >= public_households.len()
    );
    for h in &public_households {
        assert!(
            consenting.contains(h.as_str()),
            "{h} did not agree to be named"
        );
        assert!(!declined.contains(h), "{h} declined");
    }
    // the exemplary report: the same rows as the page's list
    let csv = csv_rows(
        &s.text(
            &anon,
            &format!("/api/reports?by=exemplary&format=csv&as_of={DEMO_TODAY}"),
        )
        .await,
    );
    let names: Vec<String> = csv.iter().map(|r| r["name"].clone()).collect();
    let api_names: Vec<String> = rows(&public).iter().map(|r| st(&r["name"])).collect();
    assert_eq!(names, api_names);
    for (r, a) in csv.iter().zip(rows(&public)) {
        let vi: Vec<String> = a["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| st(&c["vi"]))
            .collect();
        assert_eq!(r["criteria"], vi.join("; "));
    }
    let full = s
        .text(
            &editor,
            &format!("/api/reports?by=exemplary&format=csv&internal=1&as_of={DEMO_TODAY}"),
        )
        .await;
    assert_eq!(csv_rows(&full).len(), rows(&internal).len());
    // a viewer's internal report names households but no member
    let viewer_full = s
        .text(
            &viewer,
            &format!("/api/reports?by=exemplary&format=csv&internal=1&as_of={DEMO_TODAY}"),
        )
        .await;
    for r in csv_rows(&viewer_full) {
        assert_ne!(r["type"], "Đảng viên", "{r:?}");
    }
    assert!(csv_rows(&full).iter().any(|r| r["type"] == "Đảng viên"));
}
