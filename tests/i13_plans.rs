//! Issue 13, item 3: plans and targets — set, edited with a version (a
//! stale one is 409), cancelled, never deleted; plan versus actual from the
//! read model (the same figures as the groups' summary), milestones met,
//! missed or pending, the projection; 422 naming the field with nothing
//! written; viewers read but do not write; anonymous callers read nothing;
//! the `plan` report cut. The hand-computed fixture is the domain's
//! (`campaign::plans` tests); here the figures follow the server's.

mod common;

use common::{Demo, Server};
use hiendat::store::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::OnceLock;

const EDITOR: (&str, &str) = ("lan", "mật khẩu của Lan");
const VIEWER: (&str, &str) = ("minh", "mật khẩu của Minh");
const ADMIN: (&str, &str) = ("quan", "mật khẩu của Quân");

fn demo_template() -> &'static PathBuf {
    static T: OnceLock<PathBuf> = OnceLock::new();
    T.get_or_init(|| {
        Demo {
            prefix: "i13p-",
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

/// A residential group with affected households, some not contacted yet,
/// from the groups' summary: (name, affected, reached agreement, handed-over m², to donate m²).
async fn a_group(s: &Server, c: &reqwest::Client) -> (String, u64, u64, f64, f64) {
    let rows = s.get(c, "/api/summary/groups").await;
    let g = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|g| {
            g["residential_group"].is_string()
                && g["parcels_affected"].as_u64().unwrap() >= 4
                && g["households"]["not_contacted"].as_u64().unwrap() >= 1
        })
        .expect("a demo group with a household not contacted");
    (
        g["residential_group"].as_str().unwrap().to_string(),
        g["parcels_affected"].as_u64().unwrap(),
        g["households_reached"]["agreed"].as_u64().unwrap(),
        g["handed_over_area_m2"].as_f64().unwrap(),
        g["donated_area_m2"].as_f64().unwrap(),
    )
}

fn body(group: &str, milestones: Value) -> Value {
    json!({
        "area_kind": "group", "area_code": group,
        "title": "Hoàn thành vận động trước Tết", "note": "thử",
        "milestones": milestones,
    })
}

fn plan_of(list: &Value, id: i64) -> &Value {
    list["plans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .expect("the plan in the list")
}

fn today() -> chrono::NaiveDate {
    hiendat::campaign::clock::today()
}

#[tokio::test]
async fn a_plan_is_set_read_against_the_read_model_and_its_milestones_judged() {
    let s = Server::start(demo_template(), "i13p-").await;
    let c = s.login(EDITOR).await;
    let (group, affected, agreed, handed, _) = a_group(&s, &c).await;
    let past = today() - chrono::Days::new(3);
    let ahead = today() + chrono::Days::new(40);
    let (st, p) = s
        .send(
            &c,
            reqwest::Method::POST,
            "/api/plans",
            body(
                &group,
                json!([
                    // the later first: the server puts them in date order
                    { "due": ahead.to_string(), "households": affected, "area_m2": 0.0 },
                    { "due": past.to_string(), "households": agreed + 1 },
                ]),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    assert_eq!(p["version"], 1);
    assert_eq!(p["area"]["name"], group.as_str());
    assert_eq!(p["set_by"], EDITOR.0);
    // plan versus actual: the groups' summary's figures, the same read model
    assert_eq!(p["actual"]["households"].as_f64().unwrap(), agreed as f64);
    assert!((p["actual"]["area_m2"].as_f64().unwrap() - handed).abs() < 0.01);
    assert_eq!(p["totals"]["households"].as_f64().unwrap(), affected as f64);
    let ms = p["milestones"].as_array().unwrap();
    assert_eq!(ms[0]["due"], past.to_string());
    assert_eq!(ms[0]["state"], "missed");
    assert_eq!(ms[0]["days_overdue"], 3);
    assert_eq!(
        ms[0]["state_label"],
        "chưa đạt - quá hạn / missed - overdue"
    );
    assert_eq!(
        ms[1]["state"],
        if agreed == affected { "met" } else { "pending" }
    );
    assert_eq!(p["overdue"], true);
    let id = p["id"].as_i64().unwrap();

    // a household of the group agrees today: one more, but the milestone,
    // judged on its due date (as the evaluation's "plan met" is), stays missed
    let parcels = s
        .get(
            &c,
            &format!(
                "/api/parcels?group={}&status=not_contacted",
                urlencode(&group)
            ),
        )
        .await;
    let parcel = parcels["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["donated_area_m2"].as_f64().unwrap_or(0.0) > 0.0)
        .map(|f| match &f["properties"]["id"] {
            Value::String(t) => t.clone(),
            other => other.to_string(),
        })
        .expect("a not-contacted affected parcel of the group");
    for status in ["persuading", "agreed"] {
        let (st, e) = s
            .send(
                &c,
                reqwest::Method::POST,
                &format!("/api/parcels/{parcel}/events"),
                json!({ "status": status, "occurred_on": today().to_string() }),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{e}");
    }
    let list = s.get(&c, "/api/plans").await;
    let p2 = plan_of(&list, id);
    assert_eq!(
        p2["actual"]["households"].as_f64().unwrap(),
        (agreed + 1) as f64
    );
    assert_eq!(p2["milestones"][0]["state"], "missed");
    assert_eq!(p2["milestones"][0]["days_overdue"], 3);
    assert_eq!(p2["overdue"], true);
    // the recent rate counts the step: at least 1/30 a day, so a projection
    assert!(p2["rate_per_day"]["households"].as_f64().unwrap() >= 1.0 / 30.0 - 1e-9);
    assert!(matches!(
        p2["projection"]["kind"].as_str(),
        Some("on" | "reached")
    ));
    // a day before the step replays the plan as it stood
    let before = today() - chrono::Days::new(1);
    let old = s.get(&c, &format!("/api/plans?as_of={before}")).await;
    assert_eq!(
        plan_of(&old, id)["actual"]["households"].as_f64().unwrap(),
        agreed as f64
    );
    // the areas of the form, with their totals
    let areas = list["areas"].as_array().unwrap();
    assert!(areas.iter().any(|a| a["kind"] == "group"
        && a["code"] == group.as_str()
        && a["totals"]["households"].as_u64() == Some(affected)));
    assert!(areas.iter().any(|a| a["kind"] == "cell"));
    assert!(areas.iter().any(|a| a["kind"] == "segment"));
    assert_eq!(list["may_plan"], true);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn an_edit_from_a_stale_screen_is_409_and_the_newer_version_stays() {
    let s = Server::start(demo_template(), "i13p-").await;
    let c = s.login(EDITOR).await;
    let a = s.login(ADMIN).await;
    let (group, _, _, _, _) = a_group(&s, &c).await;
    let due = (today() + chrono::Days::new(30)).to_string();
    let (_, p) = s
        .send(
            &c,
            reqwest::Method::POST,
            "/api/plans",
            body(&group, json!([{ "due": due, "households": 1 }])),
        )
        .await;
    let id = p["id"].as_i64().unwrap();
    let mut b = body(&group, json!([{ "due": due, "households": 2 }]));
    b["version"] = json!(1);
    let (st, p2) = s
        .send(
            &a,
            reqwest::Method::PUT,
            &format!("/api/plans/{id}"),
            b.clone(),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p2}");
    assert_eq!(
        (p2["version"].as_i64(), p2["updated_by"].as_str()),
        (Some(2), Some(ADMIN.0))
    );
    // the editor's screen still shows version 1
    b["milestones"] = json!([{ "due": due, "households": 3 }]);
    let (st, e) = s
        .send(
            &c,
            reqwest::Method::PUT,
            &format!("/api/plans/{id}"),
            b.clone(),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("phiên bản 2") && msg.contains("version 2"),
        "{msg}"
    );
    let list = s.get(&c, "/api/plans").await;
    assert_eq!(plan_of(&list, id)["milestones"][0]["households"], 2);
    // no version at all: 422 naming it
    b.as_object_mut().unwrap().remove("version");
    let (st, e) = s
        .send(&c, reqwest::Method::PUT, &format!("/api/plans/{id}"), b)
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("version:")
    );
    // cancel: stale is 409, current cancels; the plan stays, cancelled
    let (st, _) = s
        .send(
            &c,
            reqwest::Method::POST,
            &format!("/api/plans/{id}/cancel"),
            json!({ "version": 1 }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, x) = s
        .send(
            &c,
            reqwest::Method::POST,
            &format!("/api/plans/{id}/cancel"),
            json!({ "version": 2 }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{x}");
    assert_eq!(
        (x["status"].as_str(), x["version"].as_i64()),
        (Some("cancelled"), Some(3))
    );
    let list = s.get(&c, "/api/plans").await;
    assert_eq!(plan_of(&list, id)["status"], "cancelled");
}

#[tokio::test]
async fn bad_plans_are_422_naming_the_field_and_nothing_is_written() {
    let s = Server::start(demo_template(), "i13p-").await;
    let c = s.login(EDITOR).await;
    let (group, affected, _, _, to_donate) = a_group(&s, &c).await;
    let n_before = s.get(&c, "/api/plans").await["plans"]
        .as_array()
        .unwrap()
        .len();
    let due = (today() + chrono::Days::new(30)).to_string();
    let many: Vec<Value> = (0..25)
        .map(
            |i| json!({ "due": (today() + chrono::Days::new(i + 1)).to_string(), "households": 1 }),
        )
        .collect();
    let cases: Vec<(Value, &str)> = vec![
        (
            {
                let mut b = body(&group, json!([{ "due": due, "households": 1 }]));
                b["area_code"] = json!("Tổ không có");
                b
            },
            "area:",
        ),
        (
            {
                let mut b = body(&group, json!([{ "due": due, "households": 1 }]));
                b["area_kind"] = json!("ward");
                b
            },
            "area_kind:",
        ),
        (
            body(&group, json!([{ "due": due, "households": affected + 1 }])),
            "milestones[0].households:",
        ),
        (
            body(&group, json!([{ "due": due, "households": -1 }])),
            "milestones[0].households:",
        ),
        (
            body(&group, json!([{ "due": due, "households": 1.5 }])),
            "milestones[0].households:",
        ),
        (
            body(&group, json!([{ "due": due, "area_m2": to_donate + 10.0 }])),
            "milestones[0].area_m2:",
        ),
        (
            body(&group, json!([{ "due": due, "area_m2": -5.0 }])),
            "milestones[0].area_m2:",
        ),
        (
            body(&group, json!([{ "due": due }])),
            "milestones[0].households:",
        ),
        (
            body(&group, json!([{ "due": "31/12/2026", "households": 1 }])),
            "milestones[0].due",
        ),
        (
            body(&group, json!([{ "due": "2101-01-01", "households": 1 }])),
            "milestones[0].due:",
        ),
        (body(&group, json!([])), "milestones:"),
        (body(&group, Value::Array(many)), "milestones:"),
        (
            {
                let mut b = body(&group, json!([{ "due": due, "households": 1 }]));
                b["title"] = json!("x".repeat(201));
                b
            },
            "title:",
        ),
        (
            {
                let mut b = body(&group, json!([{ "due": due, "households": 1 }]));
                b["title"] = json!("   ");
                b
            },
            "title:",
        ),
        (
            {
                let mut b = body(&group, json!([{ "due": due, "households": 1 }]));
                b["note"] = json!("x".repeat(2001));
                b
            },
            "note:",
        ),
    ];
    for (b, field) in cases {
        let (st, e) = s
            .send(&c, reqwest::Method::POST, "/api/plans", b.clone())
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b} → {e}");
        let msg = e["error"]["message"].as_str().unwrap();
        assert!(msg.contains(field), "{field} not named in {msg}");
        assert!(msg.contains(" / "), "Vietnamese then English: {msg}");
    }
    let n_after = s.get(&c, "/api/plans").await["plans"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(n_before, n_after);
}

#[tokio::test]
async fn viewers_read_plans_but_may_not_write_and_anonymous_callers_read_nothing() {
    let s = Server::start(demo_template(), "i13p-").await;
    let v = s.login(VIEWER).await;
    let list = s.get(&v, "/api/plans").await;
    assert_eq!(list["may_plan"], false);
    // the demo's plans: some milestone missed, some met
    let states: Vec<&str> = list["plans"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["milestones"].as_array().unwrap())
        .filter_map(|m| m["state"].as_str())
        .collect();
    assert!(
        states.contains(&"missed") && states.contains(&"met"),
        "{states:?}"
    );
    let group = list["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "group")
        .unwrap()["code"]
        .clone();
    let b = json!({ "area_kind": "group", "area_code": group, "title": "x",
        "milestones": [{ "due": "2027-01-31", "households": 0 }] });
    let (st, _) = s
        .send(&v, reqwest::Method::POST, "/api/plans", b.clone())
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let anon = reqwest::Client::new();
    let r = anon.get(s.url("/api/plans")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let text = r.text().await.unwrap();
    assert!(!text.contains("declined") && !text.contains("persuading"));
    let r = anon
        .post(s.url("/api/plans"))
        .json(&b)
        .send()
        .await
        .unwrap();
    assert!(
        matches!(r.status(), StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN),
        "{}",
        r.status()
    );
    let r = anon
        .get(s.url("/api/reports?by=plan&format=csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // the viewer's read is in the access log
    let a = s.login(ADMIN).await;
    let log = s.get(&a, "/api/access-log").await;
    let text = log.to_string();
    assert!(text.contains("plans") && text.contains(VIEWER.0), "{text}");
}

#[tokio::test]
async fn the_plan_report_has_a_row_per_plan_and_milestone_in_every_format() {
    let s = Server::start(demo_template(), "i13p-").await;
    let v = s.login(VIEWER).await;
    let list = s.get(&v, "/api/plans").await;
    let active: Vec<&Value> = list["plans"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["status"] == "active")
        .collect();
    let rows: usize = active
        .iter()
        .map(|p| p["milestones"].as_array().unwrap().len())
        .sum();
    assert!(rows > 0);
    let csv = s.text(&v, "/api/reports?by=plan&format=csv").await;
    let lines: Vec<&str> = csv.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(
        lines[0].contains("target_households") && lines[0].contains("projected_completion"),
        "{}",
        lines[0]
    );
    // plain numbers in CSV, a row per milestone
    let body_rows = lines
        .iter()
        .filter(|l| {
            l.contains("đang thực hiện") || l.contains("chưa đạt - quá hạn") || l.contains(",đạt,")
        })
        .count();
    assert_eq!(body_rows, rows, "{csv}");
    let html = s.text(&v, "/api/reports?by=plan&format=html").await;
    assert!(html.contains("Kế hoạch, chỉ tiêu") && html.contains("chưa đạt - quá hạn"));
    for f in ["xlsx", "docx"] {
        let r = v
            .get(s.url(&format!("/api/reports?by=plan&format={f}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{f}");
        assert!(r.bytes().await.unwrap().len() > 1000);
    }
}
