//! Audit over HTTP (issue 16): a change of a household's flags or consent
//! is kept with its author and time and shows in the parcel's detail for
//! logged-in roles only; the access log records the date a read looked at.

use hiendat::api::{AppState, router};
use hiendat::store::{Role, Store};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::path::Path;

const EDITOR: (&str, &str) = ("lan", "mật khẩu của Lan");
const VIEWER: (&str, &str) = ("minh", "mật khẩu của Minh");
const ADMIN: (&str, &str) = ("hoa", "mật khẩu của Hoa");

async fn login(base: &str, (name, password): (&str, &str)) -> Client {
    let c = Client::builder().cookie_store(true).build().unwrap();
    let r = c
        .post(format!("{base}/api/login"))
        .header("origin", base)
        .json(&json!({ "name": name, "password": password }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    c
}

async fn get(c: &Client, url: String) -> Value {
    let r = c.get(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{url}");
    r.json().await.unwrap()
}

#[tokio::test]
async fn consent_changes_show_with_author_and_time_and_reads_log_their_date() {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("store-audit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("ward.db");
    hiendat::demo::database::create_demo_as_of(&db, 3, 300, hiendat::campaign::clock::today())
        .unwrap();
    let mut s = Store::open(&db).unwrap();
    for (u, role) in [
        (EDITOR, Role::Editor),
        (VIEWER, Role::Viewer),
        (ADMIN, Role::Admin),
    ] {
        s.add_user(u.0, role, u.1).unwrap();
    }
    drop(s);
    let (parcel, named): (String, bool) = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT p.fid, h.may_be_named FROM households h JOIN parcels p ON p.id = h.parcel
             WHERE (SELECT count(*) FROM households x WHERE x.parcel = h.parcel) = 1 LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = router(AppState::new(db.clone(), true));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let editor = login(&base, EDITOR).await;
    let r = editor
        .patch(format!("{base}/api/parcels/{parcel}/household"))
        .header("origin", &base)
        .json(&json!({ "may_be_named": !named }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());

    let viewer = login(&base, VIEWER).await;
    let detail = get(&viewer, format!("{base}/api/parcels/{parcel}")).await;
    let changes = detail["properties"]["household_changes"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("{detail}"));
    assert_eq!(changes.len(), 1, "{changes:?}");
    let c = &changes[0];
    assert_eq!(c["field"], "may_be_named");
    assert_eq!(
        (c["from"].as_bool(), c["to"].as_bool()),
        (Some(named), Some(!named))
    );
    assert_eq!(c["by"], "lan");
    assert!(c["at"].as_str().is_some_and(|t| t.ends_with('Z')), "{c}");
    // nothing of it for anonymous callers
    let public = get(&Client::new(), format!("{base}/api/parcels/{parcel}")).await;
    assert!(
        !public.to_string().contains("household_changes"),
        "{public}"
    );

    // a read of a past day is logged with its date, a read of now without
    get(
        &editor,
        format!("{base}/api/parcels/{parcel}?as_of=2026-10-01"),
    )
    .await;
    get(&editor, format!("{base}/api/parcels/{parcel}")).await;
    let admin = login(&base, ADMIN).await;
    let log = get(&admin, format!("{base}/api/access-log")).await;
    let reads: Vec<&Value> = log["reads"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["user"] == "lan" && r["what"] == format!("parcel {parcel}"))
        .collect();
    assert_eq!(reads.len(), 2, "{log}");
    assert_eq!(reads[0]["as_of"], Value::Null, "newest first: {log}");
    assert_eq!(reads[1]["as_of"], "2026-10-01", "{log}");
    let _ = std::fs::remove_dir_all(&dir);
}
