//! Issue 14, item 3: structures on the land recorded from the page and the
//! API — added, edited, marked donated and removed by editors, each change
//! kept with its day, author and entry time, replayed on past dates; the
//! totals and the donation record follow at once.

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
            prefix: "i14s-",
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
impl Server {
    /// An affected parcel whose household has agreed (its structures marked
    /// donated count as donated): its id.
    async fn agreed_parcel(&self, c: &reqwest::Client) -> String {
        let list = self.get(c, "/api/parcels?status=agreed").await;
        let f = list["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["properties"]["donated_area_m2"].as_f64().unwrap_or(0.0) > 0.0)
            .expect("an agreed affected demo parcel");
        match &f["properties"]["id"] {
            Value::String(t) => t.clone(),
            other => other.to_string(),
        }
    }

    /// The ward's structures from the groups' summary (each parcel once):
    /// (structures, donated, donated value).
    async fn totals(&self, c: &reqwest::Client) -> (i64, i64, i64) {
        let rows = self.get(c, "/api/summary/groups").await;
        let sum = |k: &str| {
            rows.as_array()
                .unwrap()
                .iter()
                .map(|r| r[k].as_i64().unwrap())
                .sum::<i64>()
        };
        (
            sum("structures"),
            sum("structures_donated"),
            sum("structures_donated_value_vnd"),
        )
    }
}

use reqwest::Method;

fn well(donated: bool, effective: &str) -> Value {
    json!({ "kind": "Giếng", "quantity": 1, "unit": "cái", "value_vnd": 7_300_000,
            "donated": donated, "effective": effective, "note": "giếng khoan trong chỉ giới" })
}

/// The "Hiến" cells of the record's structures table.
fn donated_cells(page: &str) -> usize {
    page.split("<h2>III.")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .unwrap_or("")
        .matches("<td class=\"c\">Hiến</td>")
        .count()
}

#[tokio::test]
async fn an_editor_adds_marks_donated_and_removes_a_structure_and_the_record_and_totals_follow() {
    let srv = Server::start(demo_template(), "i14s-").await;
    let c = srv.login(EDITOR).await;
    let id = srv.agreed_parcel(&c).await;
    let base = format!("/api/parcels/{id}/structures");
    let before = srv.totals(&c).await;
    let record_before = donated_cells(&srv.text(&c, &format!("/api/parcels/{id}/record")).await);

    // added on 01/11, not donated yet
    let (st, added) = srv
        .send(&c, Method::POST, &base, well(false, "2026-11-01"))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{added}");
    let sid = added["id"].as_i64().unwrap();
    assert_eq!(added["version"], 1);
    assert_eq!(added["structure"]["kind"], "well");
    let after_add = srv.totals(&c).await;
    assert_eq!(
        after_add,
        (before.0 + 1, before.1, before.2),
        "counted, not donated"
    );

    // marked donated from 10/11
    let (st, marked) = srv
        .send(
            &c,
            Method::PUT,
            &format!("{base}/{sid}"),
            json!({ "version": 1, "effective": "2026-11-10", "kind": "well", "quantity": 1, "unit": "item", "value_vnd": 7_300_000, "donated": true }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{marked}");
    assert_eq!(marked["version"], 2);
    assert_eq!(
        srv.totals(&c).await,
        (before.0 + 1, before.1 + 1, before.2 + 7_300_000),
        "the totals follow at once"
    );
    // the progress series' last point too (the page's ward totals)
    let series = srv.get(&c, "/api/progress").await;
    let last = series.as_array().unwrap().last().unwrap();
    assert_eq!(last["structures_donated"], before.1 + 1);
    assert_eq!(last["structures_donated_value_vnd"], before.2 + 7_300_000);
    let page = srv.text(&c, &format!("/api/parcels/{id}/record")).await;
    assert_eq!(
        donated_cells(&page),
        record_before + 1,
        "the record says Hiến"
    );
    assert!(page.contains("Giếng"));
    assert!(page.contains("7.300.000"));

    // the list, with the last change and the history
    let now = srv.get(&c, &base).await;
    let mine = now["structures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == sid)
        .unwrap()
        .clone();
    assert_eq!(mine["donated"], true);
    assert_eq!(mine["version"], 2);
    assert_eq!(mine["last_change"]["what"], "edited");
    assert_eq!(mine["last_change"]["effective"], "2026-11-10");
    assert_eq!(mine["last_change"]["entered_by"], EDITOR.0);
    let history: Vec<&Value> = now["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["structure"] == sid)
        .collect();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["what"], "added");
    assert_eq!(history[0]["note"], "giếng khoan trong chỉ giới");
    assert_eq!(history[0]["values"]["donated"], false);
    // the parcel's detail lists it too
    let detail = srv.get(&c, &format!("/api/parcels/{id}")).await;
    assert!(
        detail["properties"]["structures"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["kind"] == "well" && s["value_vnd"] == 7_300_000 && s["donated"] == true)
    );

    // replayed on past days
    let on = |day: &str| format!("{base}?as_of={day}");
    let find = |v: &Value| {
        v["structures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == sid)
            .cloned()
    };
    assert!(find(&srv.get(&c, &on("2026-10-31")).await).is_none());
    assert_eq!(
        find(&srv.get(&c, &on("2026-11-05")).await).unwrap()["donated"],
        false
    );
    assert_eq!(
        find(&srv.get(&c, &on("2026-11-15")).await).unwrap()["donated"],
        true
    );
    let detail = srv
        .get(&c, &format!("/api/parcels/{id}?as_of=2026-11-05"))
        .await;
    assert!(
        detail["properties"]["structures"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["kind"] == "well" && s["value_vnd"] == 7_300_000 && s["donated"] == false)
    );

    // removed (recorded as a change): gone now, still there on 15/11
    let (st, gone) = srv
        .send(
            &c,
            Method::DELETE,
            &format!("{base}/{sid}"),
            json!({ "version": 2, "note": "ghi nhầm" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{gone}");
    assert_eq!(gone["version"], 3);
    assert!(find(&srv.get(&c, &base).await).is_none());
    assert!(find(&srv.get(&c, &on("2026-11-15")).await).is_some());
    assert_eq!(
        srv.totals(&c).await,
        before,
        "the totals follow the removal"
    );
    let history = srv.get(&c, &base).await["history"].clone();
    assert_eq!(
        history
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["structure"] == sid)
            .map(|h| h["what"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["added", "edited", "removed"]
    );
    // the changes' notes may name people: the editor's reads are logged
    let admin = srv.login(ADMIN).await;
    let log = srv.get(&admin, "/api/access-log").await;
    let what = format!("structures of parcel {id}");
    assert!(
        log["reads"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["user"] == EDITOR.0 && r["what"] == what),
        "{log}"
    );
}

#[tokio::test]
async fn refusals_name_the_role_the_field_or_the_newer_version() {
    let srv = Server::start(demo_template(), "i14s-").await;
    let c = srv.login(EDITOR).await;
    let id = srv.agreed_parcel(&c).await;
    let base = format!("/api/parcels/{id}/structures");

    // anonymous and viewers may read, not write
    let anon = reqwest::Client::new();
    let (st, _) = srv
        .send(&anon, Method::POST, &base, well(true, "2026-11-01"))
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let viewer = srv.login(VIEWER).await;
    let (st, _) = srv
        .send(&viewer, Method::POST, &base, well(true, "2026-11-01"))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let public = srv.get(&anon, &base).await;
    assert!(public.get("history").is_none(), "no authors for the public");
    assert!(
        public["structures"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s.get("last_change").is_none())
    );
    let seen = srv.get(&viewer, &base).await;
    assert!(seen.get("history").is_some());

    // bad fields: 422 naming the field, in both languages
    let tomorrow = (hiendat::campaign::clock::today().succ_opt().unwrap()).to_string();
    for (field, body) in [
        (
            "quantity",
            json!({ "kind": "wall", "quantity": -2, "unit": "m" }),
        ),
        (
            "quantity",
            json!({ "kind": "wall", "quantity": 0, "unit": "m" }),
        ),
        (
            "kind",
            json!({ "kind": "nhà kho", "quantity": 2, "unit": "m" }),
        ),
        (
            "unit",
            json!({ "kind": "wall", "quantity": 2, "unit": "km" }),
        ),
        (
            "value_vnd",
            json!({ "kind": "wall", "quantity": 2, "unit": "m", "value_vnd": -5 }),
        ),
        (
            // two of these would overflow every total the ward shows
            "value_vnd",
            json!({ "kind": "wall", "quantity": 2, "unit": "m", "value_vnd": i64::MAX, "donated": true }),
        ),
        (
            "effective",
            json!({ "kind": "wall", "quantity": 2, "unit": "m", "effective": tomorrow }),
        ),
        (
            "effective",
            json!({ "kind": "wall", "quantity": 2, "unit": "m", "effective": "1999-12-31" }),
        ),
    ] {
        let (st, e) = srv.send(&c, Method::POST, &base, body.clone()).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {e}");
        let msg = e["error"]["message"].as_str().unwrap();
        assert!(msg.contains(field), "{body}: {msg}");
        assert!(msg.contains(" / "), "both languages: {msg}");
    }
    let (_, e) = srv
        .send(
            &c,
            Method::POST,
            &base,
            json!({ "kind": "wall", "quantity": -2, "unit": "m" }),
        )
        .await;
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("quantity: phải là số dương"),
        "{e}"
    );
    // nothing was written
    let n = srv.get(&c, &base).await["history"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(
        n, 0,
        "the demo's structures have no history; no refused write added one"
    );

    // a stale write: two editors open version 1, the second save is refused
    let (_, added) = srv
        .send(&c, Method::POST, &base, well(false, "2026-11-01"))
        .await;
    let sid = added["id"].as_i64().unwrap();
    let edit = |v: i64, donated: bool| json!({ "version": v, "kind": "well", "quantity": 1, "unit": "item", "donated": donated, "effective": "2026-11-12" });
    let (st, _) = srv
        .send(&c, Method::PUT, &format!("{base}/{sid}"), edit(1, true))
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, e) = srv
        .send(&c, Method::PUT, &format!("{base}/{sid}"), edit(1, false))
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(msg.contains(&format!("công trình {sid} (Giếng)")), "{msg}");
    assert!(msg.contains(&format!("structure {sid} (well)")), "{msg}");
    let (st, e) = srv
        .send(
            &c,
            Method::DELETE,
            &format!("{base}/{sid}"),
            json!({ "version": 1 }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
    let (st, e) = srv
        .send(
            &c,
            Method::PUT,
            &format!("{base}/{sid}"),
            json!({ "kind": "well", "quantity": 1, "unit": "item" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("version: "),
        "{e}"
    );
    // a change may not take effect before the structure's last one
    let (st, e) = srv
        .send(&c, Method::PUT, &format!("{base}/{sid}"), {
            let mut b = edit(2, false);
            b["effective"] = json!("2026-11-05");
            b
        })
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("effective: "),
        "{e}"
    );
    // still marked donated, as the first save left it
    let now = srv.get(&c, &base).await;
    let mine = now["structures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == sid)
        .unwrap()
        .clone();
    assert_eq!(
        (mine["donated"].clone(), mine["version"].clone()),
        (json!(true), json!(2))
    );
    // unknown structure or parcel: 404
    let (st, _) = srv
        .send(&c, Method::PUT, &format!("{base}/999999"), edit(0, true))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = srv
        .send(
            &c,
            Method::POST,
            "/api/parcels/no-such-parcel/structures",
            well(true, "2026-11-01"),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_signed_record_shows_the_structures_as_they_stood_on_its_date() {
    let srv = Server::start(demo_template(), "i14s-").await;
    let c = srv.login(EDITOR).await;
    // a signed parcel with its record on file
    let list = srv.get(&c, "/api/parcels?status=signed").await;
    let mut found = None;
    for f in list["features"].as_array().unwrap().iter().take(40) {
        let id = match &f["properties"]["id"] {
            Value::String(t) => t.clone(),
            other => other.to_string(),
        };
        let d = srv.get(&c, &format!("/api/parcels/{id}")).await;
        if let Some(r) = d["properties"]["records"].as_array().and_then(|r| r.last()) {
            found = Some((id, r["signed_on"].as_str().unwrap().to_string()));
            break;
        }
    }
    let (id, signed_on) = found.expect("a signed demo parcel with a record");
    let signed: chrono::NaiveDate = signed_on.parse().unwrap();
    let today = hiendat::campaign::clock::today();
    assert!(signed < today, "the demo's records are before today");
    let base = format!("/api/parcels/{id}/structures");
    let record = format!("/api/parcels/{id}/record");
    let page = || srv.text(&c, &record);
    let before = donated_cells(&page().await);

    // a well on the land before the signing, kept; marked donated only today
    let (st, added) = srv
        .send(
            &c,
            Method::POST,
            &base,
            well(false, &signed.pred_opt().unwrap().to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{added}");
    let sid = added["id"].as_i64().unwrap();
    let (st, marked) = srv
        .send(
            &c,
            Method::PUT,
            &format!("{base}/{sid}"),
            json!({ "version": 1, "kind": "well", "quantity": 1, "unit": "item", "value_vnd": 7_300_000, "donated": true, "effective": today.to_string() }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{marked}");
    // the record, of its signing day: the well stands, not donated then
    let html = page().await;
    assert!(
        html.contains("Giếng") && html.contains("7.300.000"),
        "the well is on the record"
    );
    assert_eq!(donated_cells(&html), before, "not donated on {signed_on}");
    // as the replay says for that day
    let then = srv.get(&c, &format!("{base}?as_of={signed_on}")).await;
    let well_then = then["structures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == sid)
        .unwrap()
        .clone();
    assert_eq!(well_then["donated"], false);
    assert_eq!(well_then["last_change"]["what"], "added");
}
