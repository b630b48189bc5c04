//! A ward's database made by an earlier version opens, migrates and keeps
//! its data. `tests/fixtures/vN-demo.db` were made by `hiendat demo --parcels
//! 300 --db` of the version with schema N (5: the version before the read
//! model; 6: 2026-12-04; 7: the audit tables, 2026-12-04, with one household
//! flag change and one logged read made over the API, and written out by
//! `hiendat backup`; 8: structures with their history, 2026-12-05: a
//! structure added and marked donated and an imported one edited over the
//! API, a household change, a logged read and a periodic report frozen with
//! the office's edits, made by `fixtures/make-v8.sh`; 13: the party's work,
//! 2026-12-05: the demo's plans, inspections, evaluation and organisation
//! history, with a plan edited, a rating decided, a member added and a
//! secretary user over the API, made by `fixtures/make-v13.sh`; 15: the
//! field work, 2026-12-05: the same with a party member's visit and
//! agreement sent with `If-Match` and an `Idempotency-Key` (one replayed),
//! so parcel versions have moved and keys are kept, made by
//! `fixtures/make-v15.sh`; 16 and 17: two wards in one file, `fixtures/make-wards.sh`), and
//! `vN-demo.summary-*.json` are that version's own
//! API answers on it. After the upgrade every event and every
//! frozen report is there byte for byte, and every figure is the same number
//! — but for schema 5 the structures donated, which now count from the
//! household's agreement instead of whatever the status: those are left out.
//! A later version adds its own fixture here.

use hiendat::api::{AppState, router};
use hiendat::store::SCHEMA_VERSION;
use serde_json::Value;
use std::path::{Path, PathBuf};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn copy_of_fixture(name: &str) -> PathBuf {
    let db = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("upgrade-{name}-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&db);
    std::fs::copy(Path::new(FIXTURES).join(format!("{name}.db")), &db).unwrap();
    db
}

/// The schema version a database file is at.
fn user_version(db: &Path) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

/// Every row of `sql`'s answer, as text.
fn rows(db: &Path, sql: &str) -> Vec<String> {
    let c = rusqlite::Connection::open(db).unwrap();
    let rows = |sql: &str| -> Vec<String> {
        let mut st = c.prepare(sql).unwrap();
        let n = st.column_count();
        st.query_map([], |r| {
            Ok((0..n)
                .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                .collect::<Vec<_>>()
                .join("|"))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    };
    rows(sql)
}

/// Every row of `table` in `order`, as text, without the `ward` column
/// that schema 16 adds (the columns it had before, byte for byte).
fn all_but_ward(db: &Path, table: &str, order: &str) -> Vec<String> {
    rows(
        db,
        &format!(
            "SELECT {} FROM {table} ORDER BY {order}",
            old_columns(db, table)
        ),
    )
}

/// `table`'s columns but `ward`, in their order, for a SELECT.
fn old_columns(db: &Path, table: &str) -> String {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut st = c
        .prepare("SELECT name FROM pragma_table_info(?1) WHERE name <> 'ward' ORDER BY cid")
        .unwrap();
    st.query_map([table], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
        .join(", ")
}

/// Every event, and every frozen report's row, as text.
fn kept(db: &Path) -> (Vec<String>, Vec<String>) {
    (
        rows(db, "SELECT * FROM events ORDER BY id"),
        all_but_ward(db, "frozen_reports", "id"),
    )
}

/// The audit trail (schema 7 on): the households' flag changes and the
/// access log, as text.
fn audit(db: &Path) -> (Vec<String>, Vec<String>) {
    (
        rows(db, "SELECT * FROM household_changes ORDER BY id"),
        all_but_ward(db, "access_log", "id"),
    )
}

fn fixture_json(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(Path::new(FIXTURES).join(name)).unwrap()).unwrap()
}

/// The structures as they stand and their history (schema 8 on), as text.
fn structures(db: &Path) -> (Vec<String>, Vec<String>) {
    (
        rows(db, "SELECT * FROM structures ORDER BY id"),
        rows(db, "SELECT * FROM structure_changes ORDER BY id"),
    )
}

/// The figures whose definition is the same in both versions.
const SAME: [&str; 6] = [
    "donated_area_m2",
    "handed_over_area_m2",
    "progress_pct",
    "parcels_affected",
    "households",
    "complete",
];

/// Figures that also compare when the fixture's version defined them as now.
const STRUCTURES: [&str; 4] = [
    "structures",
    "structures_donated",
    "structures_donated_value_vnd",
    "structures_by_kind",
];

fn compare(what: &str, old: &Value, new: &Value, key: &str, all: bool) {
    let old = old.as_array().unwrap();
    let new = new.as_array().unwrap();
    assert_eq!(old.len(), new.len(), "{what}: rows");
    for o in old {
        let n = new
            .iter()
            .find(|n| n[key] == o[key])
            .unwrap_or_else(|| panic!("{what}: no row {}", o[key]));
        let also: &[&str] = if all { &STRUCTURES } else { &[] };
        for f in SAME.iter().chain(also) {
            assert_eq!(n[f], o[f], "{what} {}: {f}", o[key]);
        }
        if o.get("parcels").is_some() {
            assert_eq!(n["parcels"], o["parcels"], "{what} {}: parcels", o[key]);
        }
    }
}

/// A server on `db` and a GET of its JSON answers as `name` logged in
/// (every answer must be a 2xx).
async fn serve_logged_in(
    db: &Path,
    name: &str,
    password: &str,
) -> impl Fn(String) -> std::pin::Pin<Box<dyn std::future::Future<Output = Value>>> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(AppState::new(db.to_path_buf(), true));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let r = client
        .post(format!("http://{addr}/api/login"))
        .json(&serde_json::json!({ "name": name, "password": password }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "login");
    move |path: String| {
        let client = client.clone();
        Box::pin(async move {
            let r = client
                .get(format!("http://{addr}{path}"))
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "{path}: {}", r.status());
            r.json::<Value>().await.unwrap()
        })
    }
}

#[tokio::test]
async fn a_database_of_schema_5_upgrades_and_keeps_its_figures_history_and_reports() {
    upgrade("v5-demo", 5, false).await;
}

#[tokio::test]
async fn a_database_of_schema_6_opens_and_keeps_its_figures_history_and_reports() {
    upgrade("v6-demo", 6, true).await;
}

#[tokio::test]
async fn a_database_of_schema_7_opens_and_keeps_its_figures_history_reports_and_audit_trail() {
    let trail = audit(&Path::new(FIXTURES).join("v7-demo.db"));
    assert!(
        !trail.0.is_empty() && !trail.1.is_empty(),
        "the fixture holds a household change and a logged read"
    );
    upgrade("v7-demo", 7, true).await;
}

#[tokio::test]
async fn a_database_of_schema_8_opens_and_keeps_its_structures_history_and_periodic_report() {
    let db = Path::new(FIXTURES).join("v8-demo.db");
    let (now, history) = structures(&db);
    let count = |sql: &str| -> i64 {
        rusqlite::Connection::open(&db)
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    };
    assert!(
        history.len() >= 4
            && count("SELECT count(*) FROM structure_changes WHERE what = 'imported'") > 0,
        "the fixture holds structure changes, an imported baseline among them"
    );
    assert_eq!(
        count("SELECT count(*) FROM frozen_reports WHERE cut = 'periodic'"),
        1,
        "the fixture holds a frozen periodic report"
    );
    let copy = copy_of_fixture("v8-demo");
    drop(hiendat::ops::import::open(&copy).unwrap());
    assert_eq!(
        structures(&copy),
        (now, history),
        "structures byte for byte"
    );
    // schema 10: the organisation already there starts its history as imported
    let upgraded = |sql: &str| -> i64 {
        rusqlite::Connection::open(&copy)
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(
        upgraded(
            "SELECT count(*) FROM org_changes WHERE what = 'cell' AND change = 'imported' AND entered_by = 'hiendat import'"
        ),
        count("SELECT count(*) FROM party_cells"),
    );
    assert_eq!(
        upgraded("SELECT count(*) FROM org_changes WHERE what = 'member' AND change = 'imported'"),
        count("SELECT count(*) FROM party_members"),
    );
    let _ = std::fs::remove_file(&copy);
    upgrade("v8-demo", 8, true).await;
}

/// The party's work (schema 9-13): plans, inspections, the evaluation,
/// the organisation's history and the users tied to party members.
fn party_work(db: &Path) -> Vec<Vec<String>> {
    let mut work: Vec<Vec<String>> = [
        "SELECT * FROM plan_milestones ORDER BY plan, seq",
        "SELECT * FROM plan_history ORDER BY id",
        "SELECT * FROM inspection_actions ORDER BY id",
        "SELECT * FROM inspection_history ORDER BY id",
        "SELECT id, name, role, member_code FROM users ORDER BY id",
    ]
    .iter()
    .map(|q| rows(db, q))
    .collect();
    // the tables schema 16 gives a ward: their columns from before
    for t in [
        "plans",
        "inspections",
        "evaluation_thresholds",
        "evaluation_ratings",
        "org_changes",
    ] {
        work.push(all_but_ward(db, t, "id"));
    }
    work
}

#[tokio::test]
async fn a_database_of_schema_13_opens_and_keeps_the_partys_work() {
    let db = Path::new(FIXTURES).join("v13-demo.db");
    let before = party_work(&db);
    assert!(
        before.iter().all(|t| !t.is_empty()),
        "the fixture holds plans, inspections, an evaluation, the organisation's history and users"
    );
    let count = |sql: &str| -> i64 {
        rusqlite::Connection::open(&db)
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(
        count("SELECT count(*) FROM plan_history WHERE what = 'edited'"),
        1,
        "a plan edited over the API"
    );
    assert_eq!(
        count("SELECT count(*) FROM evaluation_ratings WHERE note = 'đề nghị của chi bộ'"),
        1,
        "a rating decided over the API"
    );
    assert_eq!(
        count("SELECT count(*) FROM org_changes WHERE item = 'DV900' AND change = 'added'"),
        1,
        "a member added over the API"
    );
    assert_eq!(
        count("SELECT count(*) FROM users WHERE role = 'secretary' AND member_code IS NOT NULL"),
        1,
        "a secretary tied to a party member"
    );
    let copy = copy_of_fixture("v13-demo");
    drop(hiendat::ops::import::open(&copy).unwrap());
    assert_eq!(party_work(&copy), before, "the party's work byte for byte");
    let _ = std::fs::remove_file(&copy);
    upgrade("v13-demo", 13, true).await;
}

#[tokio::test]
async fn a_database_of_schema_15_keeps_its_parcel_versions_and_idempotency_keys() {
    let db = Path::new(FIXTURES).join("v15-demo.db");
    let field = |db: &Path| -> Vec<Vec<String>> {
        [
            "SELECT * FROM parcel_versions ORDER BY parcel",
            "SELECT * FROM idempotency_keys ORDER BY user, key",
        ]
        .iter()
        .map(|q| rows(db, q))
        .collect()
    };
    let before = field(&db);
    assert_eq!(before[1].len(), 2, "the visit and the agreement's keys");
    assert_ne!(
        rows(
            &db,
            "SELECT count(*) FROM parcel_versions WHERE version > 1"
        ),
        ["Integer(0)"],
        "parcel versions have moved"
    );
    let before_party = party_work(&db);
    let copy = copy_of_fixture("v15-demo");
    drop(hiendat::ops::import::open(&copy).unwrap());
    assert_eq!(field(&copy), before, "versions and keys byte for byte");
    assert_eq!(
        party_work(&copy),
        before_party,
        "the party's work byte for byte"
    );
    let _ = std::fs::remove_file(&copy);
    upgrade("v15-demo", 15, true).await;
}

async fn upgrade(name: &str, schema: i64, all: bool) {
    let db = copy_of_fixture(name);
    let before = kept(&db);
    let trail = (schema >= 7).then(|| audit(&db));
    assert!(
        before.0.len() > 600 && !before.1.is_empty(),
        "the fixture holds a history and a frozen report"
    );
    let version: i64 = user_version(&db);
    assert_eq!(version, schema, "the fixture's schema");

    drop(hiendat::ops::import::open(&db).unwrap());
    let version: i64 = user_version(&db);
    assert_eq!(version, SCHEMA_VERSION);
    // every parcel of an earlier schema starts at version 1 (issue 15:
    // parcel versions); a later one keeps its own (checked by its test)
    let (parcels, at_one): (i64, i64) = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT (SELECT count(*) FROM parcels),
                    (SELECT count(*) FROM parcel_versions v JOIN parcels p ON p.id = v.parcel WHERE v.version = 1)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(parcels > 0);
    if schema < 14 {
        assert_eq!(
            at_one, parcels,
            "every parcel at version 1 after the upgrade"
        );
    }
    assert_eq!(kept(&db), before, "events and frozen reports byte for byte");
    if let Some(trail) = trail {
        assert_eq!(audit(&db), trail, "the audit trail byte for byte");
    }

    // the figures were recorded with each step apart: read them logged in
    // (the public reads not contacted, persuading and declined as one)
    hiendat::store::Store::open(&db)
        .unwrap()
        .add_user("kiemthu", hiendat::store::Role::Viewer, "mật khẩu kiểm thử")
        .unwrap();
    let get = serve_logged_in(&db, "kiemthu", "mật khẩu kiểm thử").await;
    compare(
        "groups",
        &fixture_json(&format!("{name}.summary-groups.json")),
        &get("/api/summary/groups".into()).await,
        "residential_group",
        all,
    );
    compare(
        "groups on 01/10",
        &fixture_json(&format!("{name}.summary-groups-2026-10-01.json")),
        &get("/api/summary/groups?as_of=2026-10-01".into()).await,
        "residential_group",
        all,
    );
    compare(
        "segments",
        &fixture_json(&format!("{name}.summary-segments.json")),
        &get("/api/summary/segments".into()).await,
        "id",
        all,
    );
    // the frozen report still reads as issued
    let frozen = get("/api/reports/frozen".into()).await;
    assert_eq!(
        frozen["reports"].as_array().map(Vec::len),
        Some(before.1.len()),
        "{frozen}"
    );
    let _ = std::fs::remove_file(&db);
}

/// The tables schema 16 gives a `ward` column: rebuilt (their text ids
/// become unique per ward) or altered (a column added).
const WARD_TABLES: [&str; 14] = [
    "residential_groups",
    "segments",
    "parcels",
    "party_cells",
    "party_members",
    "records",
    "evaluation_thresholds",
    "evaluation_ratings",
    "frozen_reports",
    "access_log",
    "plans",
    "inspections",
    "org_changes",
    "users",
];

/// The triggers schema 16 adds: the ward's last event, and the checks that
/// keep features in their ward and links within one ward.
const WARD_TRIGGERS: [&str; 14] = [
    "assignments_one_ward",
    "cell_groups_one_ward",
    "donations_one_ward",
    "events_ward_last",
    "parcels_group_one_ward",
    "parcels_group_one_ward_edit",
    "parcels_ward_fixed",
    "party_cells_ward_fixed",
    "party_members_one_ward",
    "party_members_one_ward_edit",
    "party_members_ward_fixed",
    "records_one_ward",
    "residential_groups_ward_fixed",
    "segments_ward_fixed",
];

fn triggers(db: &Path) -> Vec<String> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut st = c
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name")
        .unwrap();
    st.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// `data_version` as schema 15 computed it: `imports.events.paperwork`
/// from `meta` and the log.
fn old_data_version(db: &Path) -> String {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(
            "SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'imports'), 0)
                 || '.' || (SELECT coalesce(max(id), 0) FROM events)
                 || '.' || coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'paperwork'), 0)",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_database_of_schema_15_becomes_ward_1_of_a_database_of_wards_and_keeps_every_row() {
    let fixture = Path::new(FIXTURES).join("v15-demo.db");
    let before: Vec<Vec<String>> = WARD_TABLES
        .iter()
        .map(|t| all_but_ward(&fixture, t, "1"))
        .collect();
    assert!(
        before.iter().all(|t| !t.is_empty()),
        "the fixture holds rows in every table that gets a ward"
    );
    let old_triggers = triggers(&fixture);
    let version = old_data_version(&fixture);
    let old_crs: Option<String> = rusqlite::Connection::open(&fixture)
        .unwrap()
        .query_row("SELECT value FROM meta WHERE key = 'crs'", [], |r| r.get(0))
        .ok();
    assert!(old_crs.is_some(), "the fixture's CRS");

    let db = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("upgrade-wards-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&db);
    std::fs::copy(&fixture, &db).unwrap();
    drop(hiendat::ops::import::open(&db).unwrap());
    for (t, rows_before) in WARD_TABLES.iter().zip(&before) {
        assert_eq!(
            &all_but_ward(&db, t, "1"),
            rows_before,
            "{t}: every row's old columns byte for byte"
        );
    }
    for t in WARD_TABLES {
        let outside = match t {
            // admins (whoever set the database up) become province-level
            "users" => "SELECT count(*) FROM users
                        WHERE ward IS NOT (CASE role WHEN 'admin' THEN NULL ELSE 1 END)"
                .to_string(),
            _ => format!("SELECT count(*) FROM {t} WHERE ward IS NOT 1"),
        };
        assert_eq!(rows(&db, &outside), ["Integer(0)"], "{t}: all in ward 1");
    }
    assert_eq!(
        rows(
            &db,
            "SELECT count(*) FROM users WHERE ward IS NULL AND role = 'admin'"
        ),
        rows(&fixture, "SELECT count(*) FROM users WHERE role = 'admin'"),
    );
    assert!(
        rows(&db, "SELECT * FROM pragma_foreign_key_check").is_empty(),
        "every reference holds"
    );
    // every trigger of schema 15 (those dropped with a rebuilt table made
    // again) and the new ones
    let mut expected = old_triggers.clone();
    expected.extend(WARD_TRIGGERS.iter().map(|t| t.to_string()));
    expected.sort();
    assert_eq!(triggers(&db), expected, "the triggers after the upgrade");
    let fresh = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("upgrade-fresh-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&fresh);
    drop(hiendat::store::Store::open(&fresh).unwrap());
    assert_eq!(triggers(&fresh), expected, "a new database's triggers");
    let _ = std::fs::remove_file(&fresh);

    // the ward: named, coded and measured as meta said; its version as before
    let store = hiendat::store::Store::open(&db).unwrap();
    assert_eq!(store.data_version().unwrap(), version);
    let wards = store.wards().unwrap();
    assert_eq!(wards.len(), 1);
    assert_eq!(wards[0].id, hiendat::store::WardId(1));
    assert_eq!(wards[0].code, "ngoc-son");
    assert_eq!(wards[0].name, "Ngọc Sơn");
    assert_eq!(store.ward_name().unwrap(), "Ngọc Sơn");
    let b = wards[0].bounds.expect("the ward's extent");
    assert!(
        b[0] < b[2] && b[1] < b[3] && (100.0..110.0).contains(&b[0]),
        "{b:?}"
    );
    assert_eq!(store.ward_crs().unwrap(), old_crs, "the CRS measured in");
    let outline = store
        .ward_outline(hiendat::store::WardId(1))
        .unwrap()
        .expect("the ward's outline, from its groups'");
    assert!(!outline.is_empty());
    drop(store);
    assert_eq!(
        rows(
            &db,
            "SELECT count(*) FROM meta WHERE key IN ('ward', 'crs', 'imports', 'paperwork', 'outlines_stale')"
        ),
        ["Integer(0)"],
        "the ward's own keys moved from meta to wards"
    );
    let _ = std::fs::remove_file(&db);
}

/// The figures of `/api/wards` compared, per ward and in total.
const WARD_FIGURES: [&str; 8] = [
    "parcels_affected",
    "households",
    "donated_area_m2",
    "handed_over_area_m2",
    "progress_pct",
    "segments",
    "segments_complete",
    "lagging",
];

/// Schema 16 (`fixtures/make-wards.sh 16`, 2026-12-05): two wards in one
/// file whose files numbered their features alike, an agreement recorded in
/// the commune and a plan edited in the ward over the API. It opens, keeps
/// every event, frozen report and plan history byte for byte, and each
/// ward's figures and the province's are those that version answered. Its
/// wards' outlines leave their rows for `ward_outlines` (schema 17) byte for
/// byte.
#[tokio::test]
async fn a_database_of_two_wards_of_schema_16_keeps_each_wards_figures() {
    two_wards_keep_their_figures("v16-wards", 16).await;
}

/// Schema 17 (`fixtures/make-wards.sh 17`, 2026-12-05): the same two wards
/// made by the version whose wards keep their outlines apart.
#[tokio::test]
async fn a_database_of_two_wards_of_schema_17_keeps_each_wards_figures() {
    two_wards_keep_their_figures("v17-wards", 17).await;
}

async fn two_wards_keep_their_figures(fixture: &str, schema: i64) {
    let db = copy_of_fixture(fixture);
    let before = kept(&db);
    let plans = rows(&db, "SELECT * FROM plan_history ORDER BY id");
    let outlines = if schema < 17 {
        "SELECT id, outline FROM wards WHERE outline IS NOT NULL ORDER BY id"
    } else {
        "SELECT ward, outline FROM ward_outlines ORDER BY ward"
    };
    let outlines_before = rows(&db, outlines);
    assert_eq!(outlines_before.len(), 2, "both wards' outlines");
    let version: i64 = user_version(&db);
    assert_eq!(version, schema, "the fixture's schema");
    assert_eq!(
        rows(&db, "SELECT group_concat(code, ' ') FROM wards ORDER BY id"),
        rows(&db, "SELECT 'ngoc-son quang-hung'"),
    );
    assert_eq!(
        rows(
            &db,
            "SELECT count(DISTINCT ward) FROM parcels WHERE fid = '1'"
        ),
        ["Integer(2)"],
        "both wards have a parcel 1"
    );
    drop(hiendat::ops::import::open(&db).unwrap());
    let version: i64 = user_version(&db);
    assert_eq!(version, SCHEMA_VERSION);
    assert_eq!(kept(&db), before, "events and frozen reports byte for byte");
    assert_eq!(
        rows(&db, "SELECT * FROM plan_history ORDER BY id"),
        plans,
        "the plans' history byte for byte"
    );
    assert_eq!(
        rows(&db, "SELECT ward, outline FROM ward_outlines ORDER BY ward"),
        outlines_before,
        "the wards' outlines byte for byte"
    );

    let get = serve_logged_in(&db, "quantri", "mật khẩu quản trị tỉnh").await;
    for w in ["ngoc-son", "quang-hung"] {
        compare(
            &format!("{w}: groups"),
            &fixture_json(&format!("{fixture}.{w}.summary-groups.json")),
            &get(format!("/w/{w}/api/summary/groups")).await,
            "residential_group",
            true,
        );
        compare(
            &format!("{w}: groups on 01/10"),
            &fixture_json(&format!("{fixture}.{w}.summary-groups-2026-10-01.json")),
            &get(format!("/w/{w}/api/summary/groups?as_of=2026-10-01")).await,
            "residential_group",
            true,
        );
        compare(
            &format!("{w}: segments"),
            &fixture_json(&format!("{fixture}.{w}.summary-segments.json")),
            &get(format!("/w/{w}/api/summary/segments")).await,
            "id",
            true,
        );
    }
    let old = fixture_json(&format!("{fixture}.wards.json"));
    let new = get("/api/wards?as_of=2026-12-05".into()).await;
    for f in [
        "parcels_affected",
        "households",
        "donated_area_m2",
        "progress_pct",
    ] {
        assert_eq!(new["totals"][f], old["totals"][f], "province: {f}");
    }
    let (old, new) = (
        old["wards"].as_array().unwrap(),
        new["wards"].as_array().unwrap(),
    );
    assert_eq!(old.len(), 2);
    assert_eq!(new.len(), old.len());
    for (o, n) in old.iter().zip(new) {
        assert_eq!(n["code"], o["code"]);
        for f in WARD_FIGURES {
            assert_eq!(n[f], o[f], "{}: {f}", o["code"]);
        }
    }
    // the commune's own agreement, not the ward's parcel of the same id
    let xa = get("/w/quang-hung/api/parcels/1".into()).await;
    assert_eq!(xa["properties"]["status"], "agreed", "{xa}");
    let _ = std::fs::remove_file(&db);
}
