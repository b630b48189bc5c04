//! Issue 13, item 7 (second half): the organisation edited from the page —
//! party cells, members, area leads added, edited and removed, households
//! re-assigned to a member in bulk — each change kept in the append-only
//! organisation history with a version, a stale version refused (409),
//! bad input refused naming the field (422) with nothing written.

mod common;

use common::{DEMO_TODAY, Demo, Server};
use hiendat::store::Role;
use reqwest::Method;
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
            prefix: "i13o-",
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

/// The organisation as the editing page reads it.
async fn current(s: &Server, c: &reqwest::Client) -> Value {
    s.get(c, "/api/org/current").await
}

async fn history(s: &Server, c: &reqwest::Client, q: &str) -> Vec<Value> {
    s.get(c, &format!("/api/org/history?{q}")).await["history"]
        .as_array()
        .unwrap()
        .clone()
}

fn find<'a>(list: &'a Value, key: &str, val: &Value) -> Option<&'a Value> {
    list.as_array().unwrap().iter().find(|x| &x[key] == val)
}

fn message(v: &Value) -> &str {
    v["error"]["message"].as_str().unwrap_or_default()
}

/// A parcel id as the API writes it, as text.
fn pid(v: &Value) -> String {
    match v {
        Value::String(t) => t.clone(),
        other => other.to_string(),
    }
}

#[tokio::test]
async fn cells_members_and_leads_are_added_edited_and_removed_with_their_history() {
    let s = Server::start(demo_template(), "i13o-").await;
    let c = s.login(EDITOR).await;
    let org = current(&s, &c).await;
    assert_eq!(org["may_edit"], true);
    let group = org["groups"][0].clone();
    let parcel =
        s.get(&c, "/api/parcels?fields=id").await["features"][0]["properties"]["id"].clone();

    // a cell: added, edited, a stale edit refused naming who changed it
    let (st, r) = s
        .send(
            &c,
            Method::POST,
            "/api/org/cells",
            json!({ "code": "CB99", "name": "Chi bộ thử", "secretary": "Bà Thử" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    let v1 = r["version"].as_i64().unwrap();
    let (st, r) = s
        .send(&c, Method::PUT, "/api/org/cells/CB99", json!({ "name": "Chi bộ thử nghiệm", "secretary": "Bà Thử", "groups": [], "version": v1 }))
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let v2 = r["version"].as_i64().unwrap();
    assert!(v2 > v1);
    let (st, r) = s
        .send(
            &c,
            Method::PUT,
            "/api/org/cells/CB99",
            json!({ "name": "Chi bộ cũ", "groups": [], "version": v1 }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{r}");
    let m = message(&r);
    assert!(
        m.contains("chi bộ CB99")
            && m.contains(EDITOR.0)
            && m.contains("cell CB99 was changed by lan"),
        "{m}"
    );
    let now = current(&s, &c).await;
    let cell = find(&now["cells"], "code", &json!("CB99")).unwrap();
    assert_eq!(
        cell["name"], "Chi bộ thử nghiệm",
        "the stale edit wrote nothing"
    );
    assert_eq!(cell["version"], v2);
    assert_eq!(cell["changed_by"], EDITOR.0);

    // a member of it, with the own household's parcel
    let (st, r) = s
        .send(&c, Method::POST, "/api/org/members", json!({ "code": "DV900", "name": "Ông Thử", "cell": "CB99", "role": "Đảng viên", "household": parcel }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    let mv = r["version"].as_i64().unwrap();
    let (st, r) = s
        .send(
            &c,
            Method::PUT,
            "/api/org/members/DV900",
            json!({ "name": "Ông Thử", "cell": "CB99", "role": "Phó bí thư", "version": mv }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let mv2 = r["version"].as_i64().unwrap();
    let now = current(&s, &c).await;
    let member = find(&now["members"], "code", &json!("DV900")).unwrap();
    assert_eq!(member["role"], "Phó bí thư");
    assert_eq!(member["household_parcel"], Value::Null);
    assert_eq!(member["assigned"], 0);
    assert_eq!(
        find(&now["cells"], "code", &json!("CB99")).unwrap()["members"],
        1
    );

    // the cell cannot go while it has a member: said so, naming them
    let cv = find(&now["cells"], "code", &json!("CB99")).unwrap()["version"].clone();
    let (st, r) = s
        .send(
            &c,
            Method::DELETE,
            "/api/org/cells/CB99",
            json!({ "version": cv }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert!(
        message(&r).starts_with("code: chi bộ CB99 còn 1 đảng viên (DV900)"),
        "{r}"
    );

    // an area lead: added, edited, removed
    let (st, r) = s
        .send(
            &c,
            Method::POST,
            "/api/org/leads",
            json!({ "name": "Đ/c Thử", "title": "Ủy viên BTV", "group": group }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    let (lid, lv) = (r["id"].as_i64().unwrap(), r["version"].as_i64().unwrap());
    let (st, r) = s
        .send(
            &c,
            Method::PUT,
            &format!("/api/org/leads/{lid}"),
            json!({ "name": "Đ/c Thử", "title": "Phó Bí thư", "group": group, "version": lv }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let lv2 = r["version"].as_i64().unwrap();
    let now = current(&s, &c).await;
    assert_eq!(
        find(&now["leads"], "id", &json!(lid)).unwrap()["title"],
        "Phó Bí thư"
    );
    let (st, _) = s
        .send(
            &c,
            Method::DELETE,
            &format!("/api/org/leads/{lid}"),
            json!({ "version": lv }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "a stale removal");
    let (st, r) = s
        .send(
            &c,
            Method::DELETE,
            &format!("/api/org/leads/{lid}"),
            json!({ "version": lv2 }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert!(find(&current(&s, &c).await["leads"], "id", &json!(lid)).is_none());

    // the member, then the cell, removed
    let (st, r) = s
        .send(
            &c,
            Method::DELETE,
            "/api/org/members/DV900",
            json!({ "version": mv2 }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let cv =
        find(&current(&s, &c).await["cells"], "code", &json!("CB99")).unwrap()["version"].clone();
    let (st, r) = s
        .send(
            &c,
            Method::DELETE,
            "/api/org/cells/CB99",
            json!({ "version": cv }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let now = current(&s, &c).await;
    assert!(find(&now["cells"], "code", &json!("CB99")).is_none());
    assert!(find(&now["members"], "code", &json!("DV900")).is_none());

    // the history of each, newest first, with who, the values before and after
    let h = history(&s, &c, "what=cell&code=CB99").await;
    let changes: Vec<&str> = h.iter().map(|r| r["change"].as_str().unwrap()).collect();
    assert_eq!(changes, ["removed", "edited", "added"]);
    assert!(
        h.iter()
            .all(|r| r["entered_by"] == EDITOR.0 && r["what"] == "cell" && r["item"] == "CB99")
    );
    assert_eq!(h[1]["before"]["name"], "Chi bộ thử");
    assert_eq!(h[1]["after"]["name"], "Chi bộ thử nghiệm");
    assert_eq!(h[0]["after"], Value::Null);
    let today = s.get(&c, "/api/config").await["today"].clone();
    assert_eq!(h[2]["effective"], today, "today in the ward by default");
    let h = history(&s, &c, "what=member&code=DV900").await;
    let changes: Vec<&str> = h.iter().map(|r| r["change"].as_str().unwrap()).collect();
    assert_eq!(changes, ["removed", "edited", "added"]);
    assert_eq!(h[2]["after"]["household"], json!(pid(&parcel)));
    assert_eq!(h[1]["after"]["role"], "Phó bí thư");
    let h = history(&s, &c, &format!("what=lead&code={lid}")).await;
    assert_eq!(h.len(), 3);
    assert_eq!(h[1]["before"]["title"], "Ủy viên BTV");
    assert_eq!(h[1]["after"]["group"], group);
}

#[tokio::test]
async fn bad_input_is_refused_naming_the_field_and_nothing_is_written() {
    let s = Server::start(demo_template(), "i13o-").await;
    let c = s.login(EDITOR).await;
    let org = current(&s, &c).await;
    let existing = org["cells"][0]["code"].as_str().unwrap().to_string();
    let covered = org["cells"][0]["groups"][0].clone();
    let busy = org["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["assigned"].as_u64().unwrap() > 0)
        .expect("a demo member with households")
        .clone();
    let count = |h: &Vec<Value>| h.len();
    let before = count(&history(&s, &c, "limit=500").await);
    let cases = [
        (
            Method::POST,
            "/api/org/cells".to_string(),
            json!({ "code": "CB98", "name": "X", "groups": ["Tổ không có"] }),
            "groups: không có tổ dân phố \"Tổ không có\"",
        ),
        (
            Method::POST,
            "/api/org/cells".to_string(),
            json!({ "code": existing, "name": "X" }),
            "code: mã chi bộ",
        ),
        (
            Method::POST,
            "/api/org/cells".to_string(),
            json!({ "code": "CB98", "name": "X", "groups": [covered] }),
            "groups: tổ dân phố",
        ),
        (
            Method::POST,
            "/api/org/cells".to_string(),
            json!({ "code": "CB98", "name": " " }),
            "name: không được để trống",
        ),
        (
            Method::POST,
            "/api/org/cells".to_string(),
            json!({ "code": "CB98", "name": "x".repeat(201) }),
            "name: dài 201 ký tự",
        ),
        (
            Method::POST,
            "/api/org/members".to_string(),
            json!({ "code": "DV901", "name": "X", "cell": "CB00" }),
            "cell: không có chi bộ \"CB00\"",
        ),
        (
            Method::POST,
            "/api/org/members".to_string(),
            json!({ "code": "DV901", "name": "X", "cell": existing, "household": "không-có" }),
            "household: không có thửa đất không-có",
        ),
        (
            Method::POST,
            "/api/org/members".to_string(),
            json!({ "code": busy["code"], "name": "X", "cell": existing }),
            "code: mã đảng viên",
        ),
        (
            Method::POST,
            "/api/org/leads".to_string(),
            json!({ "name": "X", "group": "Tổ không có" }),
            "group: không có tổ dân phố",
        ),
        (
            Method::POST,
            "/api/org/leads".to_string(),
            json!({ "name": "X" }),
            "group: cần đúng một",
        ),
        (
            Method::POST,
            "/api/org/assignments".to_string(),
            json!({ "member": busy["code"], "parcels": ["không-có", "cũng-không"] }),
            "parcels: không có thửa đất không-có, cũng-không",
        ),
        (
            Method::POST,
            "/api/org/assignments".to_string(),
            json!({ "member": "DV000", "parcels": [1] }),
            "member: không có đảng viên \"DV000\"",
        ),
        (
            Method::POST,
            "/api/org/assignments".to_string(),
            json!({ "member": busy["code"], "parcels": (0..501).collect::<Vec<_>>() }),
            "parcels: tối đa 500",
        ),
        (
            Method::PUT,
            format!("/api/org/cells/{existing}"),
            json!({ "name": "X" }),
            "version: thiếu phiên bản",
        ),
        (
            Method::DELETE,
            format!("/api/org/members/{}", busy["code"].as_str().unwrap()),
            json!({ "version": busy["version"] }),
            "code: đảng viên",
        ),
    ];
    for (method, path, body, start) in cases {
        let (st, r) = s.send(&c, method.clone(), &path, body.clone()).await;
        assert_eq!(
            st,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{method} {path} {body}: {r}"
        );
        assert!(
            message(&r).starts_with(start),
            "{method} {path}: {}",
            message(&r)
        );
    }
    // the member still assigned households: said so, in both languages
    let (_, r) = s
        .send(
            &c,
            Method::DELETE,
            &format!("/api/org/members/{}", busy["code"].as_str().unwrap()),
            json!({ "version": busy["version"] }),
        )
        .await;
    let m = message(&r);
    assert!(
        m.contains("hãy phân công lại")
            && m.contains("re-assign them to another member before removing"),
        "{m}"
    );
    assert_eq!(
        count(&history(&s, &c, "limit=500").await),
        before,
        "nothing written"
    );
    assert_eq!(current(&s, &c).await["cells"], org["cells"]);
    assert_eq!(current(&s, &c).await["members"], org["members"]);
    // a missing item is a 404
    let (st, _) = s
        .send(
            &c,
            Method::PUT,
            "/api/org/cells/CB77",
            json!({ "name": "X", "version": 0 }),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn households_are_reassigned_in_bulk_the_read_model_counts_them_and_the_history_keeps_who_had_them()
 {
    let s = Server::start(demo_template(), "i13o-").await;
    let c = s.login(EDITOR).await;
    let org = current(&s, &c).await;
    let cell = org["cells"][0]["code"].clone();
    // the households the import assigned, still open
    let imported = history(&s, &c, "what=assignment&limit=500").await;
    let open: Vec<&Value> = imported
        .iter()
        .filter(|r| r["change"] == "imported" && r["after"]["to"].is_null())
        .collect();
    let from_member = open[0]["after"]["member"].clone();
    let two: Vec<String> = open
        .iter()
        .filter(|r| r["after"]["member"] == from_member)
        .take(2)
        .map(|r| r["item"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(two.len(), 2, "a demo member with two households");
    let had = find(&org["members"], "code", &from_member).unwrap()["assigned"]
        .as_u64()
        .unwrap();
    let (st, r) = s
        .send(
            &c,
            Method::POST,
            "/api/org/members",
            json!({ "code": "DV902", "name": "Bà Mới", "cell": cell }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    let (st, r) = s
        .send(
            &c,
            Method::POST,
            "/api/org/assignments",
            json!({ "member": "DV902", "parcels": two, "from": DEMO_TODAY }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    assert_eq!(r["parcels"].as_array().unwrap().len(), 2);
    let now = current(&s, &c).await;
    assert_eq!(
        find(&now["members"], "code", &json!("DV902")).unwrap()["assigned"],
        2
    );
    assert_eq!(
        find(&now["members"], "code", &from_member).unwrap()["assigned"]
            .as_u64()
            .unwrap(),
        had - 2
    );
    // the parcel's own assignment list follows
    let p = s.get(&c, &format!("/api/parcels/{}", two[0])).await;
    let text = p.to_string();
    assert!(text.contains("DV902"), "{text}");
    // the history of each parcel: who had it, who has it, from when
    let h = history(&s, &c, &format!("what=assignment&code={}", two[0])).await;
    assert_eq!(h[0]["change"], "edited");
    assert_eq!(h[0]["before"]["member"], from_member);
    assert_eq!(h[0]["after"]["member"], "DV902");
    assert_eq!(h[0]["effective"], DEMO_TODAY);
    assert_eq!(h[0]["entered_by"], EDITOR.0);
    // again to the same member: refused, all or none
    let (st, r) = s
        .send(
            &c,
            Method::POST,
            "/api/org/assignments",
            json!({ "member": "DV902", "parcels": [two[1].clone()] }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    // the new member can't go while the households are theirs
    let v = find(&now["members"], "code", &json!("DV902")).unwrap()["version"].clone();
    let (st, r) = s
        .send(
            &c,
            Method::DELETE,
            "/api/org/members/DV902",
            json!({ "version": v }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert!(message(&r).contains("còn được phân công 2 hộ"), "{r}");
    // the single re-assignment of the parcel panel is kept in the history too
    let (st, r) = s
        .send(
            &c,
            Method::POST,
            &format!("/api/parcels/{}/assignment", two[0]),
            json!({ "member": from_member, "from": DEMO_TODAY }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "same day as the last: {r}");
}

#[tokio::test]
async fn a_viewer_gets_403_and_nothing_changes() {
    let s = Server::start(demo_template(), "i13o-").await;
    let c = s.login(EDITOR).await;
    let v = s.login(VIEWER).await;
    let before = current(&s, &c).await;
    let n = history(&s, &c, "limit=500").await.len();
    let cell = before["cells"][0]["code"].as_str().unwrap().to_string();
    for (m, path, body) in [
        (
            Method::POST,
            "/api/org/cells".to_string(),
            json!({ "code": "CB97", "name": "X" }),
        ),
        (
            Method::PUT,
            format!("/api/org/cells/{cell}"),
            json!({ "name": "X", "version": before["cells"][0]["version"] }),
        ),
        (
            Method::DELETE,
            format!("/api/org/cells/{cell}"),
            json!({ "version": before["cells"][0]["version"] }),
        ),
        (
            Method::POST,
            "/api/org/members".to_string(),
            json!({ "code": "DV903", "name": "X", "cell": cell }),
        ),
        (
            Method::POST,
            "/api/org/leads".to_string(),
            json!({ "name": "X", "group": before["groups"][0] }),
        ),
        (
            Method::POST,
            "/api/org/assignments".to_string(),
            json!({ "member": before["members"][0]["code"], "parcels": [1] }),
        ),
    ] {
        let (st, _) = s.send(&v, m.clone(), &path, body).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{m} {path}");
    }
    for path in ["/api/org/history", "/api/org/current"] {
        let r = v.get(s.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        let r = reqwest::get(s.url(path)).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path} anonymous");
    }
    assert_eq!(current(&s, &c).await["cells"], before["cells"]);
    assert_eq!(history(&s, &c, "limit=500").await.len(), n);
}

#[tokio::test]
async fn reading_the_history_is_logged_and_the_import_left_imported_rows() {
    let s = Server::start(demo_template(), "i13o-").await;
    let c = s.login(EDITOR).await;
    let a = s.login(ADMIN).await;
    let h = history(&s, &c, "what=cell&limit=500").await;
    let org = current(&s, &c).await;
    // every cell and member the demo's `import --org` wrote starts its history there
    for (what, list) in [("cell", &org["cells"]), ("member", &org["members"])] {
        for item in list.as_array().unwrap() {
            let code = item["code"].as_str().unwrap();
            let rows = history(&s, &c, &format!("what={what}&code={code}")).await;
            let first = rows.last().unwrap();
            assert_eq!(first["change"], "imported", "{what} {code}");
            assert_eq!(first["entered_by"], "hiendat import");
            assert_eq!(first["effective"], Value::Null);
            assert_eq!(first["after"]["code"], code);
            assert_eq!(
                item["version"], rows[0]["id"],
                "the version is the last row's id"
            );
            // after it, only the demo office's edits of the roles
            for r in &rows[..rows.len() - 1] {
                assert_eq!(
                    (r["change"].as_str(), r["entered_by"].as_str()),
                    (Some("edited"), Some("canbo.lan"))
                );
                assert_ne!(r["before"]["role"], r["after"]["role"]);
            }
        }
    }
    assert_eq!(h.len(), org["cells"].as_array().unwrap().len());
    let edited = history(&s, &c, "what=member&limit=500").await;
    assert_eq!(
        edited.iter().filter(|r| r["change"] == "edited").count(),
        2,
        "the demo's story"
    );
    let log = s.get(&a, "/api/access-log").await;
    let reads: Vec<&Value> = log["reads"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["what"] == "org history" && r["user"] == EDITOR.0)
        .collect();
    assert!(!reads.is_empty(), "{log}");
    assert!(
        reads.iter().any(|r| r["detail"] == "what=cell code="),
        "{reads:?}"
    );
    // a bad kind is named
    let r = c
        .get(s.url("/api/org/history?what=nhóm"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = r.json().await.unwrap();
    assert!(message(&v).starts_with("what: không có loại"), "{v}");
}
