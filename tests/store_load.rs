//! Writes that wait instead of failing (issue 16): the real server on
//! 127.0.0.1 with 8 editors posting events and 16 readers at once for a
//! few seconds answers no error at all, and every event it acknowledged
//! is in the database. (Before every write transaction began with
//! `BEGIN IMMEDIATE`, about a third of such writes answered 500 "database
//! is locked".) The figures for speed come from `bench/load.sh`, which
//! runs the same driver for 30 s.

#[path = "../examples/load/driver.rs"]
#[allow(dead_code)]
mod driver;

use hiendat::api::{AppState, router};
use hiendat::store::{Role, Store};
use std::path::Path;
use std::time::Duration;

const EDITOR: (&str, &str) = ("lan", "mật khẩu của Lan");

fn event_count(db: &Path) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_editors_and_sixteen_readers_at_once_get_no_error_and_no_write_is_lost() {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("store-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("ward.db");
    hiendat::demo::database::create_demo_as_of(&db, 7, 300, hiendat::campaign::clock::today())
        .unwrap();
    Store::open(&db)
        .unwrap()
        .add_user(EDITOR.0, Role::Editor, EDITOR.1)
        .unwrap();
    let before = event_count(&db);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(AppState::new(db.clone(), true));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let load = driver::Load {
        base: format!("http://{addr}"),
        editor: (EDITOR.0.into(), EDITOR.1.into()),
        editors: 8,
        readers: 16,
        duration: Duration::from_secs(4),
    };
    let out = driver::run(&load).await.unwrap();
    let table = out.table(4.0);
    eprintln!("{table}");
    assert_eq!(out.server_errors(), 0, "{table}");
    assert_eq!(out.error_count(), 0, "{table}");
    let written = out.count("POST /api/parcels/{id}/events");
    assert!(written >= 8, "every editor wrote: {table}");
    assert!(out.count("GET /api/parcels/{id}") > 0, "{table}");
    // every acknowledged event is there, and nothing else
    assert_eq!(event_count(&db), before + written as i64, "{table}");
    let _ = std::fs::remove_dir_all(&dir);
}
