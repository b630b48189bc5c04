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

/// A demo ward with an editor, served on a free port of 127.0.0.1.
async fn serve(name: &str, parcels: usize) -> (std::path::PathBuf, std::path::PathBuf, String) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("store-load-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("ward.db");
    hiendat::demo::database::create_demo_as_of(&db, 7, parcels, hiendat::campaign::clock::today())
        .unwrap();
    Store::open(&db)
        .unwrap()
        .add_user(EDITOR.0, Role::Editor, EDITOR.1)
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(AppState::new(db.clone(), true));
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap()
    });
    (dir, db, format!("http://{addr}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_editors_and_sixteen_readers_at_once_get_no_error_and_no_write_is_lost() {
    let (dir, db, base) = serve("page", 300).await;
    let before = event_count(&db);

    let load = driver::Load {
        base,
        editor: (EDITOR.0.into(), EDITOR.1.into()),
        editors: 8,
        readers: 16,
        duration: Duration::from_secs(4),
        reads: driver::Reads::Page,
        write_every: Duration::ZERO,
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

/// Item 4 of issue 18 measures one server with readers panning a map of
/// vector tiles while editors write: the driver's tile readers ask every
/// zoom's tiles of both layers, each pan settles, and nothing fails —
/// the 32 readers of `bench/load.sh --reads tiles` are 32 clients, not
/// one address over its tile limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tile_readers_pan_every_zoom_while_editors_write_without_error() {
    let (dir, db, base) = serve("tiles", 300).await;
    let before = event_count(&db);
    let load = driver::Load {
        base,
        editor: (EDITOR.0.into(), EDITOR.1.into()),
        editors: 2,
        readers: 8,
        duration: Duration::from_secs(3),
        reads: driver::Reads::Tiles {
            layers: &["parcels", "segments"],
            pan_every: Duration::from_millis(150),
        },
        write_every: Duration::from_millis(20),
    };
    let out = driver::run(&load).await.unwrap();
    let table = out.table(3.0);
    eprintln!("{table}");
    assert_eq!(out.error_count(), 0, "{table}");
    for kind in [
        "GET /tiles/parcels/15",
        "GET /tiles/parcels/16",
        "GET /tiles/parcels/17",
        "GET /tiles/segments/15-17",
    ] {
        assert!(out.count(kind) > 0, "{kind}: {table}");
    }
    // 12 tiles a layer a pan
    let pans = out.count("pan settled (all tiles)");
    assert!(pans >= 8, "{table}");
    let tiles: usize = ["15", "16", "17"]
        .iter()
        .map(|z| out.count(&format!("GET /tiles/parcels/{z}")))
        .sum();
    assert_eq!(tiles, 12 * pans, "{table}");
    let written = out.count("POST /api/parcels/{id}/events");
    assert_eq!(event_count(&db), before + written as i64, "{table}");
    let _ = std::fs::remove_dir_all(&dir);
}
