//! Issue 13, item 7: roles that match the organisation. A cell secretary
//! reads and acts on their cell's households only, a party member on the
//! households assigned to them only; outside, a household reads as it
//! does to an anonymous visitor, and writes are 403; every sensitive read
//! of theirs is logged; anonymous answers are unchanged.

mod common;

use common::{DEMO_TODAY, Demo, Server};
use hiendat::store::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::OnceLock;

const ADMIN: (&str, &str) = ("quan", "mật khẩu của Quân");
const SECRETARY: (&str, &str) = ("bithu", "mật khẩu bí thư");
const MEMBER: (&str, &str) = ("dangvien", "mật khẩu đảng viên");

fn demo_template() -> &'static PathBuf {
    static T: OnceLock<PathBuf> = OnceLock::new();
    T.get_or_init(|| {
        Demo {
            prefix: "i13r-",
            seed: 3,
            parcels: 800,
            users: &[(ADMIN.0, Role::Admin, ADMIN.1)],
            scoped: Some((SECRETARY.1, MEMBER.1)),
        }
        .build()
    })
}
impl Server {
    async fn post(&self, c: &reqwest::Client, path: &str, body: Value) -> (StatusCode, Value) {
        let r = c.post(self.url(path)).json(&body).send().await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn status_of(&self, c: &reqwest::Client, path: &str) -> (StatusCode, Value) {
        let r = c.get(self.url(path)).send().await.unwrap();
        let status = r.status();
        let body = r.text().await.unwrap();
        (status, serde_json::from_str(&body).unwrap_or(Value::Null))
    }

    /// The caller's scope: its kind and its parcels' ids.
    async fn scope(&self, c: &reqwest::Client) -> (String, HashSet<String>) {
        let me = self.get(c, "/api/me").await;
        let scope = &me["user"]["scope"];
        let parcels = scope["parcels"]
            .as_array()
            .expect("a scoped user's parcels")
            .iter()
            .map(id)
            .collect();
        (scope["kind"].as_str().unwrap().to_string(), parcels)
    }

    /// Every parcel id of the ward.
    async fn all_ids(&self) -> Vec<String> {
        let list = self
            .get(&reqwest::Client::new(), "/api/parcels?fields=id")
            .await;
        list["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| id(&f["properties"]["id"]))
            .collect()
    }
}

fn id(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The access log's reads by `user`, as "what" strings.
async fn reads_by(server: &Server, user: &str) -> Vec<String> {
    let admin = server.login(ADMIN).await;
    let log = server.get(&admin, "/api/access-log?limit=5000").await;
    log["reads"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["user"] == user)
        .map(|r| r["what"].as_str().unwrap().to_string())
        .collect()
}

const PRIVATE: [&str; 2] = ["declined", "persuading"];

#[tokio::test]
async fn a_secretary_cannot_read_another_cells_households() {
    let server = Server::start(demo_template(), "i13r-").await;
    let sec = server.login(SECRETARY).await;
    let (kind, mine) = server.scope(&sec).await;
    assert_eq!(kind, "cell");
    let all = server.all_ids().await;
    let inside = all
        .iter()
        .find(|p| mine.contains(*p))
        .expect("a household of the cell");
    let outside = all
        .iter()
        .find(|p| !mine.contains(*p))
        .expect("another cell's household");

    // detail: theirs with names and the sensitive part, the other as the public reads it
    let d = server.get(&sec, &format!("/api/parcels/{inside}")).await;
    assert!(d["properties"]["households"].is_array(), "{d}");
    assert!(d["properties"]["assignments"].is_array(), "{d}");
    let d = server.get(&sec, &format!("/api/parcels/{outside}")).await;
    let p = &d["properties"];
    for key in [
        "households",
        "assignments",
        "contacts",
        "owner",
        "records",
        "next_statuses",
    ] {
        assert!(
            p.get(key).is_none(),
            "{key} of another cell's household: {p}"
        );
    }
    assert!(!PRIVATE.contains(&p["status"].as_str().unwrap()));
    let s = server
        .get(&sec, &format!("/api/parcels/{outside}/structures"))
        .await;
    assert!(s.get("history").is_none(), "structures' authors: {s}");

    // list: names and private steps only on the cell's households
    let list = server.get(&sec, "/api/parcels").await;
    let mut named = 0;
    for f in list["features"].as_array().unwrap() {
        let p = &f["properties"];
        let ours = mine.contains(&id(&p["id"]));
        assert_eq!(p.get("owner").is_some(), ours, "{p}");
        if !ours {
            assert!(!PRIVATE.contains(&p["status"].as_str().unwrap()), "{p}");
        } else {
            named += 1;
        }
    }
    assert_eq!(named, mine.len());
    // filtering by a private step points at their own households only
    let declined = server
        .get(&sec, "/api/parcels?status=declined&fields=id")
        .await;
    for f in declined["features"].as_array().unwrap() {
        assert!(mine.contains(&id(&f["properties"]["id"])), "{f}");
    }

    // ward-wide name lists: exports with owners, the member and cell reports
    for path in [
        "/api/export?format=geojson&personal=1",
        "/api/reports?by=member&format=csv",
        "/api/reports?by=cell&format=csv",
    ] {
        let (status, body) = server.status_of(&sec, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(body["error"]["code"], "out_of_scope", "{path}: {body}");
        let m = body["error"]["message"].as_str().unwrap();
        assert!(
            m.contains("ngoài phạm vi") && m.contains("outside your scope"),
            "{m}"
        );
    }
    // the org: their cell's members only
    let org = server.get(&sec, "/api/org").await;
    let cell = server.get(&sec, "/api/me").await["user"]["scope"]["cell"].clone();
    let members = org["members"].as_array().unwrap();
    assert!(!members.is_empty());
    assert!(members.iter().all(|m| m["cell"] == cell), "{members:?}");

    // a write on another cell's household: 403, nothing written
    let (status, body) = server
        .post(
            &sec,
            &format!("/api/parcels/{outside}/contacts"),
            json!({ "contacted_on": DEMO_TODAY, "member": "DV001", "summary": "thăm hộ" }),
        )
        .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (StatusCode::FORBIDDEN, &json!("out_of_scope"))
    );
    let admin = server.login(ADMIN).await;
    let d = server.get(&admin, &format!("/api/parcels/{outside}")).await;
    assert!(
        d["properties"]["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["summary"] != "thăm hộ"),
        "nothing written"
    );

    // the sensitive reads are logged: the cell's household and the org
    let reads = reads_by(&server, SECRETARY.0).await;
    assert!(reads.contains(&format!("parcel {inside}")), "{reads:?}");
    assert!(reads.contains(&"org".to_string()), "{reads:?}");
    assert!(
        !reads.contains(&format!("parcel {outside}")),
        "read as the public: {reads:?}"
    );
}

#[tokio::test]
async fn a_member_sees_and_records_on_assigned_households_only() {
    let server = Server::start(demo_template(), "i13r-").await;
    let dv = server.login(MEMBER).await;
    let (kind, mine) = server.scope(&dv).await;
    assert_eq!(kind, "assigned");
    assert!(!mine.is_empty());
    let all = server.all_ids().await;

    // the list names the assigned households only
    let list = server.get(&dv, "/api/parcels").await;
    let named: HashSet<String> = list["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"].get("owner").is_some())
        .map(|f| id(&f["properties"]["id"]))
        .collect();
    assert_eq!(named, mine);

    // an event on an assigned household is recorded...
    let mut target = None;
    for p in all.iter().filter(|p| mine.contains(*p)) {
        let d = server.get(&dv, &format!("/api/parcels/{p}")).await;
        let next: Vec<String> = d["properties"]["next_statuses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect();
        if let Some(n) = next
            .iter()
            .find(|n| ["persuading", "agreed", "declined"].contains(&n.as_str()))
        {
            target = Some((p.clone(), n.clone()));
            break;
        }
    }
    let (p, next) = target.expect("an assigned household with a next step");
    let today = hiendat::campaign::clock::today().to_string();
    let (status, body) = server
        .post(
            &dv,
            &format!("/api/parcels/{p}/events"),
            json!({ "status": next, "occurred_on": today }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["entered_by"], MEMBER.0);

    // ...one on another household is refused, and nothing is written
    let other = all.iter().find(|q| !mine.contains(*q)).unwrap();
    let admin = server.login(ADMIN).await;
    let before =
        server.get(&admin, &format!("/api/parcels/{other}")).await["properties"]["history"]
            .as_array()
            .unwrap()
            .len();
    let (status, body) = server
        .post(
            &dv,
            &format!("/api/parcels/{other}/events"),
            json!({ "status": "persuading", "occurred_on": today }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "out_of_scope");
    let after = server.get(&admin, &format!("/api/parcels/{other}")).await["properties"]["history"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after, "nothing written");
    // nor a structure, a grievance or a household flag
    for (path, body) in [
        (
            format!("/api/parcels/{other}/grievances"),
            json!({ "raised_on": today, "raised_by": "x", "content": "y" }),
        ),
        (
            format!("/api/parcels/{other}/structures"),
            json!({ "kind": "wall", "quantity": 1, "unit": "m", "note": "z" }),
        ),
    ] {
        let (status, _) = server.post(&dv, &path, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    let r = dv
        .patch(server.url(&format!("/api/parcels/{other}/household")))
        .json(&json!({ "may_be_named": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // a member edits no organisation
    let (status, _) = server
        .post(
            &dv,
            &format!("/api/parcels/{p}/assignment"),
            json!({ "member": "DV001", "from": today }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // the detail of another household reads as the public's, unlogged;
    // theirs is logged
    let d = server.get(&dv, &format!("/api/parcels/{other}")).await;
    assert!(d["properties"].get("households").is_none());
    let reads = reads_by(&server, MEMBER.0).await;
    assert!(reads.contains(&format!("parcel {p}")), "{reads:?}");
    assert!(!reads.contains(&format!("parcel {other}")), "{reads:?}");

    // what the page needs: the role's actions
    let me = server.get(&dv, "/api/me").await;
    assert_eq!(me["user"]["role"], "member");
    assert_eq!(
        me["user"]["actions"],
        json!(["read_names", "read_sensitive", "record"])
    );
}

#[tokio::test]
async fn anonymous_answers_are_unchanged() {
    let server = Server::start(demo_template(), "i13r-").await;
    let anon = reqwest::Client::new();
    assert_eq!(server.get(&anon, "/api/me").await, json!({ "user": null }));
    let all = server.all_ids().await;
    let d = server.get(&anon, &format!("/api/parcels/{}", all[0])).await;
    assert!(d["properties"].get("households").is_none());
    let list = server.get(&anon, "/api/parcels").await;
    for f in list["features"].as_array().unwrap() {
        let p = &f["properties"];
        assert!(p.get("owner").is_none());
        assert!(!PRIVATE.contains(&p["status"].as_str().unwrap()));
    }
}

#[tokio::test]
async fn a_secretary_or_member_user_needs_a_party_members_code() {
    let server = Server::start(demo_template(), "i13r-").await;
    let admin = server.login(ADMIN).await;
    let (status, body) = server
        .post(
            &admin,
            "/api/users",
            json!({ "name": "tu", "role": "member", "password": "mật khẩu dài" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("member:"),
        "{body}"
    );
    let (status, _) = server
        .post(&admin, "/api/users", json!({ "name": "tu", "role": "member", "password": "mật khẩu dài", "member": "KHONG-CO" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let users = server.get(&admin, "/api/users").await;
    assert!(
        users.as_array().unwrap().iter().all(|u| u["name"] != "tu"),
        "nothing written"
    );
    let (status, body) = server
        .post(&admin, "/api/users", json!({ "name": "tu", "role": "secretary", "password": "mật khẩu dài", "member": "DV001" }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        (&body["role"], &body["member"]),
        (&json!("secretary"), &json!("DV001"))
    );
}

#[tokio::test]
async fn a_secretary_plans_for_their_own_cell_only_and_neither_edits_the_organisation_nor_reads_the_wards_party_lists()
 {
    let server = Server::start(demo_template(), "i13r-").await;
    let sec = server.login(SECRETARY).await;
    let admin = server.login(ADMIN).await;
    let me = server.get(&sec, "/api/me").await;
    let own = me["user"]["scope"]["cell"].as_str().unwrap().to_string();
    let (_, mine) = server.scope(&sec).await;
    let org = server.get(&admin, "/api/org").await;
    let cells: Vec<String> = org["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_string())
        .collect();
    let other = cells.iter().find(|c| **c != own).expect("another cell");
    let member = org["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["cell"].as_str() == Some(own.as_str()))
        .map(|m| m["code"].as_str().unwrap().to_string())
        .expect("a member of the cell");
    let outside = server
        .all_ids()
        .await
        .into_iter()
        .find(|p| !mine.contains(p))
        .unwrap();
    let url = server.url("/api/org/history?limit=500");
    let history = |c: reqwest::Client| {
        let url = url.clone();
        async move {
            let r = c.get(url).send().await.unwrap();
            r.json::<Value>().await.unwrap()["history"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    let before = history(admin.clone()).await;
    let refused = |(status, body): (StatusCode, Value)| {
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["error"]["code"], "out_of_scope", "{body}");
    };
    // the organisation: edited by ward roles only (a secretary's edit
    // could widen their own reach)
    refused(
        server
            .post(
                &sec,
                "/api/org/assignments",
                json!({ "member": member, "parcels": [outside] }),
            )
            .await,
    );
    refused(
        server
            .post(
                &sec,
                "/api/org/leads",
                json!({ "name": "Ai đó", "group": "Tổ dân phố 1" }),
            )
            .await,
    );
    assert_eq!(history(admin.clone()).await, before, "nothing written");
    for path in [
        "/api/org/current",
        "/api/org/history",
        "/api/party/first",
        "/api/evaluation?year=2026",
    ] {
        refused(server.status_of(&sec, path).await);
    }
    // plans: their own cell's, not another's
    let plan = |cell: &str| {
        json!({ "area_kind": "cell", "area_code": cell, "title": "Kế hoạch quý I",
                "milestones": [{ "due": "2027-03-31", "households": 1 }] })
    };
    refused(server.post(&sec, "/api/plans", plan(other)).await);
    let (status, body) = server.post(&sec, "/api/plans", plan(&own)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // the commendation: the public list, as the reports give a scoped role
    let public = server
        .get(&reqwest::Client::new(), "/api/party/commendation")
        .await;
    let theirs = server.get(&sec, "/api/party/commendation").await;
    assert_eq!(theirs["public"], true, "{theirs}");
    assert_eq!(theirs["rows"], public["rows"]);
    let internal = server.get(&admin, "/api/party/commendation").await;
    assert_eq!(internal["public"], false);

    // a frozen plan report needs a login, as the live one does
    let (status, frozen) = server
        .post(
            &admin,
            "/api/reports/frozen",
            json!({ "by": "plan", "as_of": DEMO_TODAY }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{frozen}");
    let r = reqwest::get(server.url(&format!("/api/reports/frozen/{}?format=csv", frozen["id"])))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}
