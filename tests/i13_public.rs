//! Issue 13, item 8: no public refusals. To anonymous visitors, households
//! not contacted, being persuaded and declined all read as one public
//! status, `not_yet` ("chưa hiến"), on every door they may open (parcels,
//! replays, summaries, the progress series, every export and report a
//! visitor may download); logged-in roles see each step. The real server on
//! 127.0.0.1:0 over a copy of the demo ward.

mod common;

use hiendat::api::AppState;

use common::{Demo, Server};
use hiendat::store::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::Read;
use std::path::PathBuf;
use std::sync::OnceLock;

const EDITOR: (&str, &str) = ("lan", "mật khẩu của Lan");
const VIEWER: (&str, &str) = ("minh", "mật khẩu của Minh");
/// A past day of the demo's campaign, for the replays.
const PAST: &str = "2026-10-20";

/// What the public must never read: the steps it sees as "not yet", as
/// codes and as labels, Vietnamese and English (lower case).
const PRIVATE: [&str; 9] = [
    "declined",
    "persuading",
    "not_contacted",
    "chưa đồng ý",
    "đang vận động",
    "chưa tiếp cận",
    "being persuaded",
    "not contacted",
    "từ chối",
];

fn demo_template() -> &'static PathBuf {
    static T: OnceLock<PathBuf> = OnceLock::new();
    T.get_or_init(|| {
        Demo {
            prefix: "i13pub-",
            seed: 3,
            parcels: 800,
            users: &[
                (EDITOR.0, Role::Editor, EDITOR.1),
                (VIEWER.0, Role::Viewer, VIEWER.1),
            ],
            scoped: None,
        }
        .build()
    })
}
/// A server on a fresh copy of the ward, served as a demo ward (as
/// `hiendat serve` serves one).
async fn start() -> Server {
    Server::start_with(demo_template(), "i13pub-", |db| AppState::new(db, true)).await
}

impl Server {
    /// The answer's status and its text: a zip (Shapefile, xlsx) unpacked,
    /// every file of it; any other body as it is (a GeoPackage's text sits
    /// in its pages as written).
    async fn read(&self, c: &reqwest::Client, path: &str) -> (StatusCode, String) {
        let r = c.get(self.url(path)).send().await.unwrap();
        let status = r.status();
        let bytes = r.bytes().await.unwrap().to_vec();
        (status, text_of(&bytes))
    }

    async fn json(&self, c: &reqwest::Client, path: &str) -> Value {
        let (status, body) = self.read(c, path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        serde_json::from_str(&body).unwrap()
    }
}

fn text_of(bytes: &[u8]) -> String {
    if !bytes.starts_with(b"PK\x03\x04") {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = String::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut b = Vec::new();
        f.read_to_end(&mut b).unwrap();
        out.push_str(&String::from_utf8_lossy(&b));
        out.push('\n');
    }
    out
}

/// The private words `text` holds.
fn private_words(text: &str) -> Vec<&'static str> {
    let lower = text.to_lowercase();
    PRIVATE.into_iter().filter(|w| lower.contains(w)).collect()
}

fn id_of(f: &Value) -> String {
    match &f["properties"]["id"] {
        Value::String(t) => t.clone(),
        other => other.to_string(),
    }
}

/// Every GET an anonymous visitor may make that carries a status or a
/// count of households, on the demo ward (parcels found by the editor),
/// and whether it shows a logged-in user each step (a coordinate table
/// names its features by id, sheet and number only).
async fn doors(s: &Server, editor: &reqwest::Client) -> Vec<(String, bool)> {
    let config = s.json(editor, "/api/config").await;
    let b: Vec<f64> = config["bounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    let bbox = format!("{},{},{},{}", b[0], b[1], b[2], b[3]);
    let some = |status: &'static str| {
        let path = format!("/api/parcels?status={status}&fields=id");
        async move {
            let list = s.json(editor, &path).await;
            let f = list["features"].as_array().unwrap();
            assert!(!f.is_empty(), "the demo has {status} households");
            id_of(&f[0])
        }
    };
    let declined = some("declined").await;
    let persuading = some("persuading").await;
    // the declined household's segment and group
    let p = s.json(editor, &format!("/api/parcels/{declined}")).await;
    let segment = match &p["properties"]["donations"][0]["segment"] {
        Value::String(t) => t.clone(),
        other => other.to_string(),
    };
    let group = p["properties"]["residential_group"]
        .as_str()
        .unwrap()
        .to_string();
    let g = group.replace(' ', "%20");
    let mut d = vec![
        "/api/parcels".to_string(),
        format!("/api/parcels?bbox={bbox}"),
        format!("/api/parcels?bbox={bbox}&fields=id,status,status_label,parcel_no"),
        format!("/api/parcels?as_of={PAST}"),
        format!("/api/parcels?bbox={bbox}&as_of={PAST}"),
        format!("/api/parcels?segment={segment}"),
        format!("/api/parcels?group={g}&as_of={PAST}"),
        "/api/parcels?status=not_yet".to_string(),
        format!("/api/parcels/{declined}"),
        format!("/api/parcels/{persuading}"),
        format!("/api/parcels/{declined}?as_of={PAST}"),
        "/api/segments".to_string(),
        format!("/api/segments?as_of={PAST}"),
        "/api/summary/segments".to_string(),
        format!("/api/summary/segments?as_of={PAST}"),
        "/api/groups".to_string(),
        format!("/api/groups?as_of={PAST}"),
        "/api/summary/groups".to_string(),
        format!("/api/summary/groups?as_of={PAST}"),
        "/api/progress".to_string(),
        format!("/api/progress?as_of={PAST}"),
    ];
    for format in ["geojson", "csv", "shp"] {
        for layer in ["parcels", "strips"] {
            d.push(format!("/api/export?format={format}&layers={layer}"));
        }
    }
    let mut d: Vec<(String, bool)> = d
        .into_iter()
        .map(|p| {
            let steps = !p.contains("format=csv&layers");
            (p, steps)
        })
        .collect();
    let mut d2 = Vec::new();
    for format in ["kml", "gpkg", "dxf"] {
        d2.push(format!(
            "/api/export?format={format}&layers=parcels,strips,centerlines"
        ));
    }
    d2.push(format!(
        "/api/export?format=geojson&layers=parcels&segment={segment}"
    ));
    d2.push(format!("/api/export?format=kml&layers=parcels&group={g}"));
    for format in ["csv", "html", "xlsx", "docx"] {
        d2.push(format!(
            "/api/reports?by=segment,group,lagging,commendation&format={format}"
        ));
        d2.push(format!(
            "/api/reports?by=segment,group&format={format}&as_of={PAST}&from=2026-10-01"
        ));
    }
    // the reports as issued that a visitor may open
    let frozen = s.json(editor, "/api/reports/frozen").await;
    for r in frozen["reports"].as_array().unwrap() {
        for format in ["csv", "html", "xlsx", "docx"] {
            d2.push(format!("/api/reports/frozen/{}?format={format}", r["id"]));
        }
    }
    d.extend(d2.into_iter().map(|p| (p, true)));
    d
}

#[tokio::test]
async fn anonymous_answers_never_tell_declined_or_persuading_households_apart() {
    let s = start().await;
    let editor = s.login(EDITOR).await;
    let anonymous = reqwest::Client::new();
    // a report of the public cuts, issued: a visitor may open it
    let r = editor
        .post(s.url("/api/reports/frozen"))
        .json(&json!({ "by": "segment,group", "as_of": PAST }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let doors = doors(&s, &editor).await;
    let mut opened = 0;
    for (path, steps) in &doors {
        let (status, text) = s.read(&anonymous, path).await;
        if status == StatusCode::UNAUTHORIZED && path.starts_with("/api/reports/frozen/") {
            continue; // a frozen report of party cells or members: not public at all
        }
        assert_eq!(status, StatusCode::OK, "{path}: {text}");
        assert!(
            private_words(&text).is_empty(),
            "{path} tells the public {:?}",
            private_words(&text)
        );
        // and the same door, logged in, does tell the steps apart
        let (status, staff) = s.read(&editor, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(
            !private_words(&staff).is_empty(),
            *steps,
            "{path}: the editor should see each step"
        );
        opened += 1;
    }
    // all but the demo's own issued report (it holds the party's cuts)
    assert_eq!(opened, doors.len() - 4, "{opened} doors opened");
    assert!(opened >= 40, "{opened} doors opened");
}

#[tokio::test]
async fn the_public_counts_join_the_private_steps_into_not_yet() {
    let s = start().await;
    let viewer = s.login(VIEWER).await;
    let anonymous = reqwest::Client::new();
    for path in [
        "/api/summary/groups".to_string(),
        format!("/api/summary/segments?as_of={PAST}"),
        "/api/progress".to_string(),
    ] {
        let public = s.json(&anonymous, &path).await;
        let staff = s.json(&viewer, &path).await;
        let (mut public, mut staff) = (
            public.as_array().unwrap().clone(),
            staff.as_array().unwrap().clone(),
        );
        if path == "/api/progress" {
            // the public series skips the days only private steps moved:
            // the last point is today's in both
            assert!(
                public.len() < staff.len(),
                "{} {}",
                public.len(),
                staff.len()
            );
            public = public.split_off(public.len() - 1);
            staff = staff.split_off(staff.len() - 1);
        }
        assert_eq!(public.len(), staff.len());
        let mut hidden = 0;
        for (p, st) in public.iter().zip(staff) {
            let (ph, sh) = (&p["households"], &st["households"]);
            let n = |v: &Value, k: &str| v[k].as_u64().unwrap();
            let three = n(sh, "not_contacted") + n(sh, "persuading") + n(sh, "declined");
            hidden += n(sh, "persuading") + n(sh, "declined");
            assert_eq!(n(ph, "not_yet"), three, "{path}");
            for k in ["agreed", "signed", "handed_over"] {
                assert_eq!(n(ph, k), n(sh, k), "{path} {k}");
            }
            assert_eq!(ph.as_object().unwrap().len(), 4, "{path}: {ph}");
            assert_eq!(p["households_reached"], st["households_reached"]);
            assert_eq!(p["progress_pct"], st["progress_pct"]);
        }
        assert!(hidden > 0, "{path}: the demo has households to hide");
    }
}

#[tokio::test]
async fn visitors_filter_by_not_yet_but_not_by_the_private_steps() {
    let s = start().await;
    let editor = s.login(EDITOR).await;
    let anonymous = reqwest::Client::new();
    for private in ["declined", "persuading", "not_contacted"] {
        let (status, body) = s
            .read(&anonymous, &format!("/api/parcels?status={private}"))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{private}: {body}");
    }
    let (status, body) = s.read(&anonymous, "/api/parcels?status=done").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(private_words(&body).is_empty(), "{body}");
    let count = |v: Value| v["features"].as_array().unwrap().len();
    let public = count(s.json(&anonymous, "/api/parcels?status=not_yet").await);
    let mut three = 0;
    for st in ["not_contacted", "persuading", "declined"] {
        three += count(s.json(&editor, &format!("/api/parcels?status={st}")).await);
    }
    assert_eq!(public, three);
    // logged in, not_yet means the same three
    assert_eq!(
        count(s.json(&editor, "/api/parcels?status=not_yet").await),
        three
    );
}

#[tokio::test]
async fn a_parcel_shows_the_public_its_public_history_and_no_next_steps() {
    let s = start().await;
    let editor = s.login(EDITOR).await;
    let anonymous = reqwest::Client::new();
    // a household that agreed and withdrew, or declined: the editor's list
    let list = s
        .json(&editor, "/api/parcels?status=declined&fields=id")
        .await;
    let mut checked = 0;
    for f in list["features"].as_array().unwrap().iter().take(12) {
        let id = id_of(f);
        let public = s.json(&anonymous, &format!("/api/parcels/{id}")).await;
        let staff = s.json(&editor, &format!("/api/parcels/{id}")).await;
        let (pp, sp) = (&public["properties"], &staff["properties"]);
        assert_eq!(pp["status"], "not_yet");
        assert_eq!(pp["status_label"], "Chưa hiến");
        assert_eq!(sp["status"], "declined");
        assert!(pp.get("next_statuses").is_none(), "{pp}");
        assert!(sp["next_statuses"].is_array());
        // each entry a change of the public status: never two alike in a row
        let h: Vec<&str> = pp["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["status"].as_str().unwrap())
            .collect();
        assert!(h.windows(2).all(|w| w[0] != w[1]), "{h:?}");
        assert!(h.first() != Some(&"not_yet"), "{h:?}");
        for e in pp["history"].as_array().unwrap() {
            let keys: Vec<&String> = e.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["occurred_on", "status"], "{e}");
        }
        checked += 1;
    }
    assert!(checked > 0);
}

// Issue 13, item 1: responsibility shown everywhere.

#[tokio::test]
async fn groups_and_segments_name_their_cell_and_lead_to_everyone_and_members_to_editors() {
    let s = start().await;
    let anonymous = reqwest::Client::new();
    let viewer = s.login(VIEWER).await;
    let editor = s.login(EDITOR).await;
    let groups = s.json(&anonymous, "/api/summary/groups").await;
    let mut named = 0;
    for g in groups.as_array().unwrap() {
        if g["residential_group"].is_null() {
            continue;
        }
        // public offices: the party cell and the committee member in charge
        assert!(g["cell"].as_str().is_some_and(|c| !c.is_empty()), "{g}");
        assert!(g["lead"].as_str().is_some_and(|c| !c.is_empty()), "{g}");
        assert!(
            g.get("members").is_none(),
            "members shown to the public: {g}"
        );
        named += 1;
    }
    assert!(named >= 10, "{named} groups");
    // the demo's four committee members share the groups
    let leads: std::collections::BTreeSet<&str> = groups
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|g| g["lead"].as_str())
        .collect();
    assert_eq!(leads.len(), 4, "{leads:?}");
    for g in s
        .json(&viewer, "/api/summary/groups")
        .await
        .as_array()
        .unwrap()
    {
        assert!(g.get("members").is_none(), "members shown to a viewer: {g}");
    }
    let staff = s.json(&editor, "/api/summary/groups").await;
    let mut assigned = 0;
    for g in staff.as_array().unwrap() {
        let Some(list) = g["members"].as_array() else {
            continue;
        };
        let n: u64 = list.iter().map(|m| m["assigned"].as_u64().unwrap()).sum();
        assert!(n <= g["parcels_affected"].as_u64().unwrap(), "{g}");
        for m in list {
            assert!(m["name"].as_str().is_some_and(|x| !x.is_empty()), "{m}");
            assert!(m["agreed"].as_u64().unwrap() <= m["assigned"].as_u64().unwrap());
        }
        assigned += n;
    }
    assert!(assigned > 0, "no assigned member in any group");
    // segments: the committee members of the groups they run through
    let segments = s.json(&anonymous, "/api/summary/segments").await;
    for seg in segments.as_array().unwrap() {
        if seg["parcels_affected"].as_u64() == Some(0) {
            continue;
        }
        assert!(seg["lead"].as_str().is_some_and(|c| !c.is_empty()), "{seg}");
        assert!(!seg["cells"].as_array().unwrap().is_empty(), "{seg}");
        assert!(seg.get("members").is_none(), "{seg}");
        for g in seg["groups"].as_array().unwrap() {
            let row = groups
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["residential_group"] == *g)
                .unwrap();
            let lead = row["lead"].as_str().unwrap();
            assert!(seg["lead"].as_str().unwrap().contains(lead), "{seg}");
        }
    }
    let staff = s.json(&editor, "/api/summary/segments").await;
    assert!(
        staff
            .as_array()
            .unwrap()
            .iter()
            .any(|seg| seg["members"].as_array().is_some_and(|m| !m.is_empty()))
    );
}

#[tokio::test]
async fn the_segment_report_names_the_committee_member_in_charge_of_every_segment() {
    let s = start().await;
    let anonymous = reqwest::Client::new();
    let (status, csv) = s
        .read(&anonymous, "/api/reports?by=segment&format=csv")
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let lead = header.iter().position(|h| *h == "lead").unwrap();
    let mut rows = 0;
    for l in lines.filter(|l| !l.starts_with("Tổng cộng")) {
        let cells: Vec<&str> = l.split(',').collect();
        assert!(!cells[lead].trim().is_empty(), "no lead: {l}");
        rows += 1;
    }
    assert!(rows > 10, "{rows} rows");
}

#[tokio::test]
async fn a_groups_idle_days_count_from_its_last_step_forward_on_the_day_asked() {
    let s = start().await;
    let anonymous = reqwest::Client::new();
    let day: chrono::NaiveDate = PAST.parse().unwrap();
    let groups = s
        .json(&anonymous, &format!("/api/summary/groups?as_of={PAST}"))
        .await;
    let mut checked = 0;
    for g in groups.as_array().unwrap().iter().take(4) {
        let Some(name) = g["residential_group"].as_str() else {
            continue;
        };
        // the last forward step of any of its parcels, from their histories
        let list = s
            .json(
                &anonymous,
                &format!("/api/parcels?group={}&fields=id", name.replace(' ', "%20")),
            )
            .await;
        let mut last: Option<chrono::NaiveDate> = None;
        for f in list["features"].as_array().unwrap() {
            let p = s
                .json(&anonymous, &format!("/api/parcels/{}", id_of(f)))
                .await;
            for e in p["properties"]["history"].as_array().unwrap() {
                let on: chrono::NaiveDate = e["occurred_on"].as_str().unwrap().parse().unwrap();
                if on <= day && e["status"] != "not_yet" {
                    last = last.max(Some(on));
                }
            }
        }
        assert_eq!(
            g["last_step"].as_str(),
            last.map(|d| d.to_string()).as_deref(),
            "{name}"
        );
        let idle = last.map(|d| (day - d).num_days());
        assert_eq!(g["idle_days"].as_i64(), idle, "{name}");
        checked += 1;
    }
    assert!(checked > 0);
}
