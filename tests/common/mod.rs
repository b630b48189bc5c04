//! What the HTTP tests share: a demo ward built once per test binary and
//! copied for each test, a real server on 127.0.0.1 (a free port) per test,
//! logins with a cookie, and JSON requests.
//!
//! Each test binary compiles this module on its own and uses a part of it.
#![allow(dead_code)]

pub mod cli;

use hiendat::api::{AppState, router};
use hiendat::store::{Role, Store};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The demo ward's "today": its history ends the day before.
pub const DEMO_TODAY: &str = "2026-11-29";

/// The ward a test binary starts from.
pub struct Demo<'a> {
    /// Names this binary's database files in the shared temporary folder,
    /// so that a rerun removes what an earlier run left.
    pub prefix: &'a str,
    pub seed: u64,
    pub parcels: usize,
    /// Ward logins: (name, role, password).
    pub users: &'a [(&'a str, Role, &'a str)],
    /// The demo's secretaries' and members' logins, with these passwords
    /// (secretary, member).
    pub scoped: Option<(&'a str, &'a str)>,
}

impl Demo<'_> {
    /// The demo with seed 3 and 800 parcels.
    pub fn new<'a>(prefix: &'a str, users: &'a [(&'a str, Role, &'a str)]) -> Demo<'a> {
        Demo {
            prefix,
            seed: 3,
            parcels: 800,
            users,
            scoped: None,
        }
    }

    /// Builds the ward: call once per binary (behind a `OnceLock`).
    pub fn build(&self) -> PathBuf {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if e.file_name().to_string_lossy().starts_with(self.prefix) {
                let _ = std::fs::remove_file(e.path());
            }
        }
        let path = dir.join(format!("{}demo-{}.db", self.prefix, std::process::id()));
        hiendat::demo::database::create_demo_as_of(
            &path,
            self.seed,
            self.parcels,
            DEMO_TODAY.parse().unwrap(),
        )
        .unwrap();
        let mut store = Store::open(&path).unwrap();
        for (name, role, password) in self.users {
            store.add_user(name, *role, password).unwrap();
        }
        if let Some((secretary, member)) = self.scoped {
            let today = hiendat::campaign::clock::today();
            for (name, role, code) in hiendat::demo::roles::scoped_users(&store, today).unwrap() {
                let password = if role == Role::Secretary {
                    secretary
                } else {
                    member
                };
                hiendat::demo::roles::ensure_user(&mut store, name, role, &code, password).unwrap();
            }
        }
        path
    }
}

/// A server on a copy of a built ward.
pub struct Server {
    pub base: String,
    /// The copy it serves.
    pub db: PathBuf,
}

impl Server {
    /// Serves a fresh copy of `template` (ward roles see names).
    pub async fn start(template: &Path, prefix: &str) -> Server {
        Server::start_with(template, prefix, |db| AppState::new(db, false)).await
    }

    /// Serves a fresh copy of `template` with the state `state` makes of it.
    pub async fn start_with(
        template: &Path,
        prefix: &str,
        state: impl FnOnce(PathBuf) -> AppState,
    ) -> Server {
        static N: AtomicUsize = AtomicUsize::new(0);
        let db = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "{prefix}{}-{}.db",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::copy(template, &db).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = router(state(db.clone()));
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .unwrap()
        });
        Server {
            base: format!("http://{addr}"),
            db,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client logged in as `who` (name, password).
    pub async fn login(&self, who: (&str, &str)) -> reqwest::Client {
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let r = c
            .post(self.url("/api/login"))
            .json(&json!({ "name": who.0, "password": who.1 }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "login {}", who.0);
        c
    }

    /// `method path` with a JSON body: the status and the JSON answer
    /// (null when the answer is not JSON).
    pub async fn send(
        &self,
        c: &reqwest::Client,
        method: Method,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let r = c
            .request(method, self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// A JSON answer that must be 200.
    pub async fn get(&self, c: &reqwest::Client, path: &str) -> Value {
        let r = c.get(self.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        r.json().await.unwrap()
    }

    /// A text answer that must be 200.
    pub async fn text(&self, c: &reqwest::Client, path: &str) -> String {
        let r = c.get(self.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        r.text().await.unwrap()
    }

    /// The status of a GET.
    pub async fn status(&self, c: &reqwest::Client, path: &str) -> StatusCode {
        c.get(self.url(path)).send().await.unwrap().status()
    }

    /// A count straight from the database.
    pub fn count(&self, sql: &str) -> i64 {
        let c = rusqlite::Connection::open(&self.db).unwrap();
        c.query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

impl Drop for Server {
    /// The copy goes with its test; the built ward stays for the others.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.db);
    }
}
