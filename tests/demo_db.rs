//! The demo database: a ~3,000-parcel ward of phường Ngọc Sơn with six months
//! of history, created in a temporary directory and read back with SQL.

use chrono::NaiveDate;
use hiendat::campaign::FeatureId;
use hiendat::campaign::events::Status;
use hiendat::demo::database::{DemoInfo, create_demo, create_demo_as_of};
use hiendat::store::Store;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Instant;

fn fresh_path(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("demo-db-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("hiendat.db")
}

fn demo() -> &'static (PathBuf, DemoInfo) {
    static DEMO: OnceLock<(PathBuf, DemoInfo)> = OnceLock::new();
    DEMO.get_or_init(|| {
        let path = fresh_path("main");
        let t = Instant::now();
        let info = create_demo(&path, 1).expect("demo database");
        eprintln!("demo database in {:.2?}: {info:?}", t.elapsed());
        (path, info)
    })
}

fn count(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn the_demo_database_holds_a_believable_ward() {
    let (path, info) = demo();
    assert_eq!(info.parcels, 3000);
    assert!((20..=80).contains(&info.segments), "{info:?}");
    assert!((10..=40).contains(&info.groups), "{info:?}");
    assert!(info.events > 1000, "{info:?}");
    assert!(info.complete_segments >= 1, "{info:?}");
    assert!(info.complete_segments < info.segments, "{info:?}");

    let conn = rusqlite::Connection::open(path).unwrap();
    assert_eq!(count(&conn, "SELECT count(*) FROM parcels"), 3000);
    assert_eq!(count(&conn, "SELECT count(*) FROM households"), 3000);
    assert_eq!(
        count(&conn, "SELECT count(*) FROM segments"),
        info.segments as i64
    );
    assert_eq!(
        count(&conn, "SELECT count(*) FROM residential_groups"),
        info.groups as i64
    );
    assert_eq!(
        count(&conn, "SELECT count(*) FROM events"),
        info.events as i64
    );
    assert!(count(&conn, "SELECT count(*) FROM donations") >= 3000);
    let members = count(
        &conn,
        "SELECT count(*) FROM households WHERE is_member_family = 1",
    );
    assert!((50..300).contains(&members), "{members}");
    let addr: String = conn
        .query_row("SELECT address FROM households LIMIT 1", [], |r| r.get(0))
        .unwrap();
    assert!(
        addr.starts_with("Số ") && addr.ends_with("phường Ngọc Sơn"),
        "{addr}"
    );
    // nothing happened today or later
    let today = hiendat::campaign::clock::today().to_string();
    let future: i64 = conn
        .query_row(
            "SELECT count(*) FROM events WHERE occurred_on >= ?1",
            [&today],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(future, 0);
    // a segment whose every affected parcel is handed over, read back from SQL
    let complete = count(
        &conn,
        "SELECT count(*) FROM (
           SELECT d.segment FROM donations d
           LEFT JOIN (SELECT e.parcel, e.status FROM events e
                      WHERE NOT EXISTS (SELECT 1 FROM events f WHERE f.parcel = e.parcel
                        AND (f.occurred_on, f.entered_at) > (e.occurred_on, e.entered_at))) last
             ON last.parcel = d.parcel
           GROUP BY d.segment
           HAVING sum(coalesce(last.status, '') = 'handed_over') = count(*))",
    );
    assert_eq!(complete, info.complete_segments as i64);
    let untouched = count(
        &conn,
        "SELECT count(*) FROM (SELECT d.segment FROM donations d GROUP BY d.segment
           HAVING sum(EXISTS (SELECT 1 FROM events e WHERE e.parcel = d.parcel)) = 0)",
    );
    assert!(untouched >= 1, "untouched segments: {untouched}");
    assert!(
        count(
            &conn,
            "SELECT count(*) FROM events WHERE status = 'declined'"
        ) > 0,
        "some declines"
    );
}

#[test]
fn the_demo_database_has_structures_on_affected_land_donated_as_the_status_goes() {
    let (path, _) = demo();
    let conn = rusqlite::Connection::open(path).unwrap();
    let total = count(&conn, "SELECT count(*) FROM structures");
    let parcels = count(&conn, "SELECT count(DISTINCT parcel) FROM structures");
    let affected = count(&conn, "SELECT count(DISTINCT parcel) FROM donations");
    assert!(
        total > parcels && parcels > affected / 2,
        "{total} {parcels} {affected}"
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM structures s
             WHERE NOT EXISTS (SELECT 1 FROM donations d WHERE d.parcel = s.parcel)"
        ),
        0,
        "only affected parcels"
    );
    for kind in ["wall", "gate", "house_front", "awning", "tree"] {
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM structures WHERE kind = ?1",
                [kind],
                |r| r.get(0),
            )
            .unwrap();
        assert!(n > 0, "{kind}");
    }
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM structures WHERE kind NOT IN
               ('wall','gate','house_front','awning','yard','tree','well','other')
               OR unit NOT IN ('m','m2','item') OR quantity <= 0 OR value_vnd < 0"
        ),
        0
    );
    let share = |status: &str| -> f64 {
        conn.query_row(
            "SELECT avg(s.donated) FROM structures s JOIN parcel_status p ON p.parcel = s.parcel
             WHERE p.status = ?1",
            [status],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert!(share("handed_over") > 0.8, "{}", share("handed_over"));
    assert!(share("persuading") < 0.5, "{}", share("persuading"));
}

#[test]
fn the_demo_database_is_marked_as_demo_and_replays() {
    let (path, info) = demo();
    let store = Store::open(path).unwrap();
    assert!(store.is_demo().unwrap());
    let marker = store.meta(hiendat::store::meta::DEMO_KEY).unwrap().unwrap();
    assert!(marker.contains("seed=1"), "{marker}");
    // long before the campaign everything was untouched
    let then = info.today - chrono::Days::new(200);
    let mut handed_now = 0;
    for id in 1..=3000 {
        let p = FeatureId::from(id);
        assert_eq!(store.status_as_of(&p, then).unwrap(), Status::NotContacted);
        if id % 10 == 0 && store.status_as_of(&p, info.today).unwrap() == Status::HandedOver {
            handed_now += 1;
        }
    }
    assert!(handed_now > 0);
}

#[test]
fn an_existing_file_is_not_overwritten_and_a_fixed_day_is_deterministic() {
    let path = fresh_path("exists");
    std::fs::write(&path, b"not a database").unwrap();
    let e = create_demo(&path, 1).unwrap_err();
    assert!(e.contains("already exists"), "{e}");
    assert_eq!(std::fs::read(&path).unwrap(), b"not a database");

    let today = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
    let a = create_demo_as_of(&fresh_path("a"), 5, 600, today).unwrap();
    let b = create_demo_as_of(&fresh_path("b"), 5, 600, today).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.today, today);
}

#[test]
fn the_demo_database_has_the_campaigns_people_and_paperwork() {
    let (path, _) = demo();
    let conn = rusqlite::Connection::open(path).unwrap();
    let groups = count(&conn, "SELECT count(*) FROM residential_groups");
    // a cell per two groups, each covering its groups
    assert_eq!(
        count(&conn, "SELECT count(*) FROM party_cells"),
        (groups + 1) / 2
    );
    assert_eq!(count(&conn, "SELECT count(*) FROM cell_groups"), groups);
    // the members who visit are the members the history names
    assert_eq!(
        count(
            &conn,
            "SELECT count(DISTINCT party_member) FROM events WHERE party_member IS NOT NULL
                      AND party_member NOT IN (SELECT name FROM party_members)"
        ),
        0
    );
    assert!(
        count(
            &conn,
            "SELECT count(*) FROM party_members WHERE household IS NOT NULL"
        ) >= 4
    );
    // every parcel with history is assigned; some were re-assigned
    assert_eq!(
        count(&conn, "SELECT count(DISTINCT parcel) FROM events"),
        count(&conn, "SELECT count(DISTINCT parcel) FROM assignments")
    );
    assert!(
        count(
            &conn,
            "SELECT count(*) FROM assignments WHERE to_date IS NOT NULL"
        ) > 10
    );
    // every signing has its record, signed by that day
    assert_eq!(
        count(&conn, "SELECT count(*) FROM events e WHERE status = 'signed' AND NOT EXISTS
                      (SELECT 1 FROM records r WHERE r.parcel = e.parcel AND r.signed_on <= e.occurred_on)"),
        0
    );
    assert!(count(&conn, "SELECT count(*) FROM contacts") > 1000);
    assert_eq!(count(&conn, "SELECT count(*) FROM grievances"), 2);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM grievances WHERE answer IS NOT NULL"
        ),
        1
    );
    assert!(count(&conn, "SELECT count(*) FROM area_leads") >= groups);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM frozen_reports WHERE cut = 'all'"
        ),
        1
    );
    let named = count(
        &conn,
        "SELECT count(*) FROM households WHERE may_be_named = 1",
    );
    let all = count(&conn, "SELECT count(*) FROM households");
    assert!(named > all / 2 && named < all, "{named} of {all}");
}
