//! Many wards in one service over HTTP (issue 18, item 2): two wards
//! imported into one database with the same parcel and segment ids, each
//! served under `/w/{code}/`; a ward's users kept to their ward; the public
//! figures per ward; `/api/wards` giving the figures each ward's own
//! summaries give; reports and frozen reports per ward; an event in one
//! ward moving only its version; pooled connections alternating wards.

mod common;

use common::cli::{ok, s, scratch};
use common::{Demo, Server};
use hiendat::store::{Role, Store};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::OnceLock;

const PREFIX: &str = "i18w-";
const ADMIN: (&str, &str) = ("tinh", "mat-khau-tinh-1");
const EDITOR_A: (&str, &str) = ("bien-tap-a", "mat-khau-a-123");
const EDITOR_B: (&str, &str) = ("bien-tap-b", "mat-khau-b-123");
const B: &str = "binh-minh";
const PARCELS: usize = 300;

/// Ward A: the demo (seed 3) with its history; ward B ("Xã Bình Minh"):
/// the same demo's files imported again, so the same ids, no events.
/// Users: a province admin, an editor of each ward.
fn template() -> &'static PathBuf {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let users = [
            (ADMIN.0, Role::Admin, ADMIN.1),
            (EDITOR_A.0, Role::Editor, EDITOR_A.1),
            (EDITOR_B.0, Role::Editor, EDITOR_B.1),
        ];
        let mut demo = Demo::new(PREFIX, &users);
        demo.parcels = PARCELS;
        let db = demo.build();
        let dir = scratch(PREFIX, "files");
        ok(&[
            "demo",
            "--out",
            s(&dir),
            "--parcels",
            &PARCELS.to_string(),
            "--seed",
            "3",
        ]);
        ok(&[
            "ward",
            "add",
            "--db",
            s(&db),
            "--code",
            B,
            "--name",
            "Bình Minh",
            "--kind",
            "xa",
        ]);
        ok(&[
            "import",
            "--db",
            s(&db),
            "--ward",
            B,
            "--segments",
            s(&dir.join("segments.geojson")),
            "--parcels",
            s(&dir.join("parcels.geojson")),
        ]);
        let c = rusqlite::Connection::open(&db).unwrap();
        let a: i64 = c
            .query_row("SELECT min(id) FROM wards", [], |r| r.get(0))
            .unwrap();
        let b: i64 = c
            .query_row("SELECT id FROM wards WHERE code = ?1", [B], |r| r.get(0))
            .unwrap();
        c.execute("UPDATE users SET ward = NULL WHERE name = ?1", [ADMIN.0])
            .unwrap();
        c.execute(
            "UPDATE users SET ward = ?1 WHERE name = ?2",
            (a, EDITOR_A.0),
        )
        .unwrap();
        c.execute(
            "UPDATE users SET ward = ?1 WHERE name = ?2",
            (b, EDITOR_B.0),
        )
        .unwrap();
        drop(c);
        drop(Store::open(&db).unwrap());
        db
    })
}

async fn start() -> Server {
    Server::start(template(), PREFIX).await
}

fn anon() -> reqwest::Client {
    reqwest::Client::new()
}

/// Ward A's code (the demo's ward, as the migration named it).
async fn code_a(s: &Server) -> String {
    let w = s.get(&anon(), "/api/wards").await;
    let codes: Vec<&str> = w["wards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 2, "{w}");
    codes.into_iter().find(|c| *c != B).unwrap().to_string()
}

/// The error code of an answer.
async fn refused(c: &reqwest::Client, s: &Server, path: &str) -> (StatusCode, String) {
    let r = c.get(s.url(path)).send().await.unwrap();
    let status = r.status();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    (
        status,
        v["error"]["code"].as_str().unwrap_or("").to_string(),
    )
}

/// A parcel id both wards hold (the first affected one of ward A's summary).
async fn shared_parcel(s: &Server, a: &str) -> String {
    let p = s
        .get(&anon(), &format!("/w/{a}/api/parcels?fields=id"))
        .await;
    p["features"][0]["properties"]["id"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| p["features"][0]["properties"]["id"].to_string())
}

#[tokio::test]
async fn two_wards_with_the_same_ids_each_answer_their_own() {
    let s = start().await;
    let a = code_a(&s).await;
    let id = shared_parcel(&s, &a).await;
    let pa = s.get(&anon(), &format!("/w/{a}/api/parcels/{id}")).await;
    let pb = s.get(&anon(), &format!("/w/{B}/api/parcels/{id}")).await;
    assert_eq!(pa["properties"]["id"], pb["properties"]["id"]);
    // ward B has no history: every one of its households not yet asked
    let tb = s.get(&anon(), &format!("/w/{B}/api/progress")).await;
    assert_eq!(tb.as_array().unwrap().len(), 0, "{tb}");
    let ta = s.get(&anon(), &format!("/w/{a}/api/progress")).await;
    assert!(!ta.as_array().unwrap().is_empty());
    // each ward's page set-up names it
    let ca = s.get(&anon(), &format!("/w/{a}/api/config")).await;
    let cb = s.get(&anon(), &format!("/w/{B}/api/config")).await;
    assert_eq!(
        (ca["view"].as_str(), ca["ward_code"].as_str()),
        (Some("ward"), Some(a.as_str()))
    );
    assert_eq!(
        (cb["view"].as_str(), cb["ward_code"].as_str()),
        (Some("ward"), Some(B))
    );
    assert_eq!(cb["ward"], "Bình Minh");
    assert_eq!(cb["wards"].as_array().unwrap().len(), 2);
    // unprefixed, nobody's ward: the province's view
    let cp = s.get(&anon(), "/api/config").await;
    assert_eq!(cp["view"], "province");
    assert_eq!(
        refused(&anon(), &s, "/api/summary/groups").await,
        (StatusCode::BAD_REQUEST, "ward_required".into())
    );
    assert_eq!(
        refused(&anon(), &s, "/w/khong-co/api/summary/groups").await,
        (StatusCode::NOT_FOUND, "no_such_ward".into())
    );
}

#[tokio::test]
async fn a_wards_user_works_in_their_ward_and_is_refused_the_other() {
    let s = start().await;
    let a = code_a(&s).await;
    let eb = s.login(EDITOR_B).await;
    assert_eq!(
        refused(&eb, &s, &format!("/w/{a}/api/summary/groups")).await,
        (StatusCode::FORBIDDEN, "out_of_ward".into())
    );
    // unprefixed: their own ward
    let own = s.get(&eb, "/api/summary/groups").await;
    let prefixed = s.get(&eb, &format!("/w/{B}/api/summary/groups")).await;
    assert_eq!(own, prefixed);
    let me = s.get(&eb, "/api/me").await;
    assert_eq!(me["user"]["ward"]["code"], B);
    let cfg = s.get(&eb, "/api/config").await;
    assert_eq!(
        cfg["wards"].as_array().unwrap().len(),
        1,
        "only their ward: {cfg}"
    );
    // a write into the other ward is refused, nothing written
    let id = shared_parcel(&s, &a).await;
    let before = s.count("SELECT count(*) FROM events");
    let (code, body) = s
        .send(
            &eb,
            Method::POST,
            &format!("/w/{a}/api/parcels/{id}/events"),
            json!({ "status": "persuading", "occurred_on": "2026-11-20" }),
        )
        .await;
    assert_eq!(code, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(s.count("SELECT count(*) FROM events"), before);
    // the province admin opens both, and has no ward of their own
    let admin = s.login(ADMIN).await;
    assert_eq!(s.get(&admin, "/api/me").await["user"]["ward"], Value::Null);
    s.get(&admin, &format!("/w/{a}/api/summary/groups")).await;
    s.get(&admin, &format!("/w/{B}/api/summary/groups")).await;
    assert_eq!(
        refused(&admin, &s, "/api/summary/groups").await,
        (StatusCode::BAD_REQUEST, "ward_required".into())
    );
}

/// A sum over a summary's rows.
fn sum(rows: &Value, f: impl Fn(&Value) -> f64) -> f64 {
    rows.as_array().unwrap().iter().map(f).sum()
}

#[tokio::test]
async fn the_provinces_figures_are_each_wards_own_summaries() {
    let s = start().await;
    let admin = s.login(ADMIN).await;
    for (c, public) in [(anon(), true), (admin, false)] {
        let all = s.get(&c, "/api/wards").await;
        let wards = all["wards"].as_array().unwrap();
        assert_eq!(wards.len(), 2);
        let mut affected = 0.0;
        for w in wards {
            let code = w["code"].as_str().unwrap();
            assert_eq!(w["url"], format!("/w/{code}/"));
            let groups = s.get(&c, &format!("/w/{code}/api/summary/groups")).await;
            let segments = s.get(&c, &format!("/w/{code}/api/summary/segments")).await;
            let progress = s.get(&c, &format!("/w/{code}/api/progress")).await;
            let n = sum(&groups, |g| g["parcels_affected"].as_f64().unwrap());
            assert_eq!(w["parcels_affected"].as_f64().unwrap(), n, "{code}");
            affected += n;
            let handed = sum(&groups, |g| g["handed_over_area_m2"].as_f64().unwrap());
            assert!(
                (w["handed_over_area_m2"].as_f64().unwrap() - handed).abs() < 0.01,
                "{code}"
            );
            let area = sum(&groups, |g| g["donated_area_m2"].as_f64().unwrap());
            assert!(
                (w["donated_area_m2"].as_f64().unwrap() - area).abs() < 0.01,
                "{code}"
            );
            for (k, v) in w["households"].as_object().unwrap() {
                let n = sum(&groups, |g| g["households"][k].as_f64().unwrap());
                assert_eq!(v.as_f64().unwrap(), n, "{code} {k}");
            }
            assert_eq!(
                w["segments"].as_u64().unwrap() as usize,
                segments.as_array().unwrap().len()
            );
            let complete = segments
                .as_array()
                .unwrap()
                .iter()
                .filter(|x| x["complete"] == true)
                .count();
            assert_eq!(
                w["segments_complete"].as_u64().unwrap() as usize,
                complete,
                "{code}"
            );
            // the progress chart's last point is the ward's figure today
            if let Some(last) = progress.as_array().unwrap().last() {
                assert_eq!(last["progress_pct"], w["progress_pct"], "{code}");
                assert_eq!(last["households"], w["households"], "{code}");
            } else {
                assert_eq!(w["progress_pct"].as_f64(), Some(0.0));
            }
            if public {
                let h = w["households"].as_object().unwrap();
                assert!(
                    !h.contains_key("declined") && !h.contains_key("persuading"),
                    "{w}"
                );
                assert!(
                    w.get("first").is_none(),
                    "no members' families for the public: {w}"
                );
            } else {
                assert!(w["first"]["families"].is_u64(), "{w}");
            }
        }
        assert_eq!(
            all["totals"]["parcels_affected"].as_f64().unwrap(),
            affected
        );
        assert_eq!(all["totals"]["wards"], 2);
        assert_eq!(all["as_of"], all["today"], "{all}");
    }
    let outlines = s.get(&anon(), "/api/wards/outlines").await;
    assert!(
        outlines["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["properties"]["code"] == B)
    );
}

#[tokio::test]
async fn an_event_in_one_ward_moves_its_figures_and_version_only() {
    let s = start().await;
    let a = code_a(&s).await;
    let eb = s.login(EDITOR_B).await;
    let version = |w: String| {
        let s = &s;
        async move { s.get(&anon(), &format!("/w/{w}/api/version")).await["version"].clone() }
    };
    let (va, vb) = (version(a.clone()).await, version(B.into()).await);
    let wards = s.get(&anon(), "/api/wards").await;
    let id = shared_parcel(&s, &a).await;
    let before_a = s.get(&anon(), &format!("/w/{a}/api/parcels/{id}")).await;
    let (code, body) = s
        .send(
            &eb,
            Method::POST,
            &format!("/w/{B}/api/parcels/{id}/events"),
            json!({ "status": "agreed", "occurred_on": "2026-11-20" }),
        )
        .await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
    assert_eq!(version(a.clone()).await, va, "ward A's version stays");
    assert_ne!(version(B.into()).await, vb, "ward B's version moves");
    assert_eq!(
        s.get(&anon(), &format!("/w/{a}/api/parcels/{id}")).await,
        before_a
    );
    let pb = s.get(&anon(), &format!("/w/{B}/api/parcels/{id}")).await;
    assert_eq!(pb["properties"]["status"], "agreed", "{pb}");
    let after = s.get(&anon(), "/api/wards").await;
    let of = |v: &Value, code: &str| {
        v["wards"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["code"] == code)
            .unwrap()
            .clone()
    };
    assert_eq!(of(&after, &a), of(&wards, &a));
    assert_eq!(
        of(&after, B)["households"]["agreed"].as_u64().unwrap(),
        of(&wards, B)["households"]["agreed"].as_u64().unwrap() + 1
    );
    assert_ne!(after["version"], wards["version"]);
}

#[tokio::test]
async fn reports_and_frozen_reports_are_each_wards() {
    let s = start().await;
    let a = code_a(&s).await;
    let eb = s.login(EDITOR_B).await;
    let html = s
        .text(
            &eb,
            &format!("/w/{B}/api/reports?by=periodic&format=html&as_of=2026-11-28"),
        )
        .await;
    assert!(
        html.contains("ĐẢNG ỦY XÃ BÌNH MINH"),
        "the commune's committee issues it"
    );
    let ea = s.login(EDITOR_A).await;
    let html = s
        .text(
            &ea,
            &format!("/w/{a}/api/reports?by=periodic&format=html&as_of=2026-11-28"),
        )
        .await;
    assert!(html.contains("ĐẢNG ỦY PHƯỜNG"), "ward A stays a phường");
    let listed = |w: String| {
        let s = &s;
        async move {
            s.get(&anon(), &format!("/w/{w}/api/reports/frozen")).await["reports"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    let (na, nb) = (listed(a.clone()).await, listed(B.into()).await);
    let (code, body) = s
        .send(
            &eb,
            Method::POST,
            "/api/reports/frozen",
            json!({ "by": "group", "as_of": "2026-11-28" }),
        )
        .await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
    let id = body["id"].as_i64().unwrap();
    assert_eq!(listed(B.into()).await, nb + 1);
    assert_eq!(listed(a.clone()).await, na);
    assert_eq!(
        s.status(
            &anon(),
            &format!("/w/{B}/api/reports/frozen/{id}?format=csv")
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(
        s.status(
            &anon(),
            &format!("/w/{a}/api/reports/frozen/{id}?format=csv")
        )
        .await,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn pooled_connections_alternating_wards_answer_each_wards_figures() {
    let s = start().await;
    let a = code_a(&s).await;
    let ga = s.get(&anon(), &format!("/w/{a}/api/summary/groups")).await;
    let gb = s.get(&anon(), &format!("/w/{B}/api/summary/groups")).await;
    assert_ne!(ga, gb, "the wards differ");
    let ca = s.get(&anon(), &format!("/w/{a}/api/config")).await["ward"].clone();
    let cb = s.get(&anon(), &format!("/w/{B}/api/config")).await["ward"].clone();
    // one client, one connection after another from the pool: never the
    // previous request's ward
    let c = anon();
    for i in 0..12 {
        let (w, g, name) = if i % 2 == 0 {
            (&a, &ga, &ca)
        } else {
            (&B.to_string(), &gb, &cb)
        };
        let got = (
            s.get(&c, &format!("/w/{w}/api/summary/groups")).await,
            s.get(&c, &format!("/w/{w}/api/config")).await["ward"].clone(),
        );
        assert_eq!((&got.0, &got.1), (g, name), "round {i}");
    }
}

#[tokio::test]
async fn an_idempotency_key_is_never_replayed_into_another_ward() {
    let s = start().await;
    let a = code_a(&s).await;
    let admin = s.login(ADMIN).await;
    let p = s
        .get(
            &admin,
            &format!("/w/{a}/api/parcels?status=not_contacted&fields=id"),
        )
        .await;
    let id = p["features"][0]["properties"]["id"]
        .to_string()
        .trim_matches('"')
        .to_string();
    let before = s.count("SELECT count(*) FROM events");
    let send = |w: String, key: &'static str| {
        let (admin, url) = (
            admin.clone(),
            s.url(&format!("/w/{w}/api/parcels/{id}/events")),
        );
        async move {
            let r = admin
                .post(url)
                .header("Idempotency-Key", key)
                .json(&json!({ "status": "persuading", "occurred_on": "2026-11-20" }))
                .send()
                .await
                .unwrap();
            let replayed = r.headers().get("idempotent-replayed").is_some();
            let status = r.status();
            let body: Value = r.json().await.unwrap();
            (
                status,
                replayed,
                body["error"]["code"].as_str().map(String::from),
            )
        }
    };
    assert_eq!(
        send(a.clone(), "k-ward-1").await,
        (StatusCode::CREATED, false, None)
    );
    // the same key and body sent to the other ward is another request:
    // refused, never answered with ward A's answer
    assert_eq!(
        send(B.into(), "k-ward-1").await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            false,
            Some("idempotency_key_reused".into())
        )
    );
    assert_eq!(s.count("SELECT count(*) FROM events"), before + 1);
    // in its own ward, the retry is the replay; ward B's own key writes there
    assert_eq!(
        send(a.clone(), "k-ward-1").await,
        (StatusCode::CREATED, true, None)
    );
    assert_eq!(
        send(B.into(), "k-ward-2").await,
        (StatusCode::CREATED, false, None)
    );
    assert_eq!(s.count("SELECT count(*) FROM events"), before + 2);
    let pb = s.get(&admin, &format!("/w/{B}/api/parcels/{id}")).await;
    assert_eq!(pb["properties"]["status"], "persuading");
}

/// The ids and progress of a segments tile's features.
fn segment_progress(bytes: &[u8]) -> Vec<(String, f64)> {
    use mvt_reader::feature::Value as V;
    let reader = mvt_reader::Reader::new(bytes.to_vec()).expect("a vector tile");
    let names = reader.get_layer_names().unwrap();
    let i = names
        .iter()
        .position(|n| n == "segments")
        .expect("a segments layer");
    reader
        .get_features(i)
        .unwrap()
        .into_iter()
        .map(|f| {
            let p = f.properties.unwrap_or_default();
            let name = match p.get("id") {
                Some(V::String(s)) => s.clone(),
                Some(V::Int(x) | V::SInt(x)) => x.to_string(),
                Some(V::UInt(x)) => x.to_string(),
                other => panic!("id: {other:?}"),
            };
            let progress = match p.get("progress_pct") {
                Some(V::Float(x)) => f64::from(*x),
                Some(V::Double(x)) => *x,
                Some(V::Int(x)) => *x as f64,
                Some(V::UInt(x)) => *x as f64,
                Some(V::SInt(x)) => *x as f64,
                other => panic!("progress_pct: {other:?}"),
            };
            (name, progress)
        })
        .collect()
}

/// Two wards whose data versions begin alike ("1.…": one import each)
/// held one tile source and one set of figures between them: a segments
/// tile of one ward drew the other's progress.
#[tokio::test]
async fn a_wards_segment_tiles_carry_its_own_progress() {
    let s = start().await;
    let a = code_a(&s).await;
    // the bare ward's import counted as often as the other's (as two wards
    // each imported a few times would be)
    rusqlite::Connection::open(&s.db)
        .unwrap()
        .execute(
            "UPDATE wards SET imports = (SELECT max(imports) FROM wards) WHERE code = ?1",
            [B],
        )
        .unwrap();
    let (va, vb) = (
        s.get(&anon(), &format!("/w/{a}/api/version")).await,
        s.get(&anon(), &format!("/w/{B}/api/version")).await,
    );
    let generation = |v: &Value| {
        v["version"]
            .as_str()
            .unwrap_or("")
            .split('.')
            .next()
            .map(str::to_string)
    };
    assert_eq!(
        generation(&va),
        generation(&vb),
        "both wards one import in: {va} {vb}"
    );
    let bounds = s.get(&anon(), &format!("/w/{a}/api/config")).await["bounds"].clone();
    let b: Vec<f64> = bounds
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    let (lon, lat) = ((b[0] + b[2]) / 2.0, ((b[1] + b[3]) / 2.0_f64).to_radians());
    let z = 14u32;
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n).floor();
    let y = ((1.0 - lat.tan().asinh() / std::f64::consts::PI) / 2.0 * n).floor();
    let tile = |w: &str| s.url(&format!("/w/{w}/tiles/segments/{z}/{x}/{y}.mvt"));
    // the bare ward first, then the one with a history (same ids, same lines)
    let bare = anon()
        .get(tile(B))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let lived = anon()
        .get(tile(&a))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let (bare, lived) = (segment_progress(&bare), segment_progress(&lived));
    assert!(
        !bare.is_empty() && !lived.is_empty(),
        "segments on the tile"
    );
    assert!(
        bare.iter().all(|(_, p)| *p == 0.0),
        "ward {B} has no step: {bare:?}"
    );
    assert!(
        lived.iter().any(|(_, p)| *p > 0.0),
        "ward {a}'s progress: {lived:?}"
    );
    // and each figure is the ward's own summary's
    let summary = s
        .get(&anon(), &format!("/w/{a}/api/summary/segments"))
        .await;
    for (name, p) in &lived {
        let row = summary
            .as_array()
            .unwrap()
            .iter()
            .find(|r| {
                r["id"]
                    .as_str()
                    .map_or_else(|| r["id"].to_string(), str::to_string)
                    == *name
            })
            .unwrap_or_else(|| panic!("{name} in the summary"));
        assert!(
            (row["progress_pct"].as_f64().unwrap() - p).abs() < 0.01,
            "{name}: {row} vs {p}"
        );
    }
}

/// `/w/{code}` without its slash is sent to `/w/{code}/` (the page's
/// relative addresses resolve under it), its query kept; an address that
/// cannot be a ward's is not.
#[tokio::test]
async fn a_wards_address_without_its_slash_is_sent_to_the_page() {
    let s = start().await;
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (path, to) in [
        (format!("/w/{B}"), format!("/w/{B}/")),
        (format!("/w/{B}?lang=en"), format!("/w/{B}/?lang=en")),
    ] {
        let r = c.get(s.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::PERMANENT_REDIRECT, "{path}");
        assert_eq!(r.headers()["location"], to.as_str(), "{path}");
        // (this server has no page files: the address is routed, not sent on)
        let page = c.get(s.url(&to)).send().await.unwrap();
        assert!(!page.status().is_redirection(), "{to}: {}", page.status());
    }
    let r = c.get(s.url("/w/Not%20A%20Code")).send().await.unwrap();
    assert_ne!(r.status(), StatusCode::PERMANENT_REDIRECT);
}
