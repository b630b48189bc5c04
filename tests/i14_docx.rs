//! Issue 14, item 6: the report as a Word document (.docx), from the API
//! (live and frozen reports) and from the CLI, opened with docx-rs's reader
//! and its tables checked against the report the read model gives.

use hiendat::api::{AppState, router};
use hiendat::report::campaign::{Cut, Options};
use hiendat::report::{Cell, Report, date_vi, format_vi};
use hiendat::store::{Role, Store};
use reqwest::StatusCode;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

const DEMO_TODAY: &str = "2026-11-29";
const AS_OF: &str = "2026-11-28";
const EDITOR: (&str, &str) = ("lan", "mật khẩu của Lan");
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

fn tmp(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("i14d-{}-{name}", std::process::id()))
}

fn demo_template() -> &'static PathBuf {
    static T: OnceLock<PathBuf> = OnceLock::new();
    T.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
        // Files left behind by earlier runs of this file.
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if e.file_name().to_string_lossy().starts_with("i14d-") {
                let _ = std::fs::remove_file(e.path());
            }
        }
        let path = tmp("demo.db");
        hiendat::demo::database::create_demo_as_of(&path, 3, 800, DEMO_TODAY.parse().unwrap())
            .unwrap();
        let mut store = Store::open(&path).unwrap();
        store.add_user(EDITOR.0, Role::Editor, EDITOR.1).unwrap();
        path
    })
}

/// A copy of the demo ward, removed when dropped.
struct Db(PathBuf);

impl Db {
    fn copy() -> Db {
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = tmp(&format!("{}.db", N.fetch_add(1, Ordering::SeqCst)));
        std::fs::copy(demo_template(), &path).unwrap();
        Db(path)
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

struct Server {
    base: String,
    db: Db,
}

impl Server {
    async fn start() -> Server {
        let db = Db::copy();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = router(AppState::new(db.0.clone(), false));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Server {
            base: format!("http://{addr}"),
            db,
        }
    }

    async fn login(&self) -> reqwest::Client {
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let r = c
            .post(format!("{}/api/login", self.base))
            .json(&serde_json::json!({ "name": EDITOR.0, "password": EDITOR.1 }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        c
    }

    /// Status, Content-Type, Content-Disposition and body, asked anonymously.
    async fn get(&self, path: &str) -> (StatusCode, String, String, Vec<u8>) {
        self.get_as(&reqwest::Client::new(), path).await
    }

    async fn get_as(
        &self,
        c: &reqwest::Client,
        path: &str,
    ) -> (StatusCode, String, String, Vec<u8>) {
        let r = c.get(format!("{}{path}", self.base)).send().await.unwrap();
        let header = |name: &str| {
            r.headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default()
        };
        let (ct, cd) = (header("content-type"), header("content-disposition"));
        (r.status(), ct, cd, r.bytes().await.unwrap().to_vec())
    }
}

/// docx-rs's reading of the document, as JSON.
fn read(bytes: &[u8]) -> Value {
    let docx = docx_rs::read_docx(bytes).expect("docx-rs reads the file");
    serde_json::from_str(&docx.json()).unwrap()
}

fn texts(v: &Value, s: &mut String) {
    match v {
        Value::Object(m) if m.get("type").and_then(Value::as_str) == Some("text") => {
            s.push_str(m["data"]["text"].as_str().unwrap_or(""));
        }
        Value::Object(m) => m.values().for_each(|v| texts(v, s)),
        Value::Array(a) => a.iter().for_each(|v| texts(v, s)),
        _ => {}
    }
}

/// The text of the paragraphs outside tables, in order.
fn paragraphs(doc: &Value) -> Vec<String> {
    doc["document"]["children"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "paragraph")
        .map(|c| {
            let mut s = String::new();
            texts(&c["data"]["children"], &mut s);
            s
        })
        .collect()
}

/// The tables: rows of cell texts.
fn tables(doc: &Value) -> Vec<Vec<Vec<String>>> {
    doc["document"]["children"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "table")
        .map(|t| {
            t["data"]["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    r["data"]["cells"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|c| {
                            let mut s = String::new();
                            texts(&c["data"]["children"], &mut s);
                            s
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// The rows a sheet of `report` should show: TT, then each cell as a
/// Vietnamese reader writes it.
fn expected_rows(report: &Report, sheet: usize) -> Vec<Vec<String>> {
    let s = &report.sheets[sheet];
    s.rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut out = vec![(i + 1).to_string()];
            for (j, c) in s.columns.iter().enumerate() {
                out.push(match row.get(j).unwrap_or(&Cell::Empty) {
                    Cell::Empty => String::new(),
                    Cell::Text(t) => t.clone(),
                    Cell::Number(v) => format_vi(*v, c.kind),
                    Cell::Date(d) => date_vi(*d),
                });
            }
            out
        })
        .collect()
}

fn group_report(db: &Path) -> Report {
    let store = Store::open(db).unwrap();
    let opt = Options::new(AS_OF.parse().unwrap());
    hiendat::ops::reports::periodic(&store, &[Cut::Group], &opt).unwrap()
}

#[tokio::test]
async fn the_group_report_downloads_as_a_word_document_of_its_figures() {
    let s = Server::start().await;
    // logged in: the report as the CLI lays it out, each step apart (the
    // public's joins the steps before agreement: tests/i13_public.rs)
    let c = s.login().await;
    let (code, ct, cd, bytes) = s
        .get_as(
            &c,
            &format!("/api/reports?by=group&format=docx&as_of={AS_OF}"),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(ct, DOCX);
    assert_eq!(
        cd,
        format!("attachment; filename=\"bao-cao-group-{AS_OF}.docx\"")
    );
    let doc = read(&bytes);
    let report = group_report(&s.db.0);
    let p = paragraphs(&doc);
    for want in [
        "BÁO CÁO".to_string(),
        report.title.clone(),
        "Tính đến ngày 28/11/2026".to_string(),
        format!("I. {}", report.sheets[0].title),
    ] {
        assert!(p.contains(&want), "{want:?} not in {p:#?}");
    }
    let t = tables(&doc);
    // the issuer, the group table, recipients and signature
    assert_eq!(t.len(), 3, "{t:#?}");
    let rows = &t[1];
    let want = expected_rows(&report, 0);
    assert!(!want.is_empty());
    assert_eq!(rows[0][0], "TT");
    assert_eq!(rows[0].len(), report.sheets[0].columns.len() + 1);
    assert_eq!(&rows[1..=want.len()], &want[..]);
    // the totals row closes the table
    assert!(report.sheets[0].total.is_some());
    assert_eq!(rows.len(), want.len() + 2);
    // numbers as Vietnamese write them: a decimal comma somewhere
    assert!(rows.iter().flatten().any(|c| c.contains(',')), "{rows:#?}");

    // an unknown format names docx among the known ones
    let (code, _, _, body) = s.get("/api/reports?by=group&format=pdf").await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(String::from_utf8_lossy(&body).contains("xlsx, html, csv, docx"));
}

#[tokio::test]
async fn a_frozen_report_downloads_as_a_word_document_as_issued() {
    let s = Server::start().await;
    // its cell and member cuts are for editors
    let editor = s.login().await;
    let (code, _, _, list) = s.get("/api/reports/frozen").await;
    assert_eq!(code, StatusCode::OK);
    let list: Value = serde_json::from_slice(&list).unwrap();
    // the demo ward comes with last month's report, issued
    let first = &list["reports"][0];
    let id = first["id"].as_i64().unwrap();
    let (code, _, _, _) = s
        .get(&format!("/api/reports/frozen/{id}?format=docx"))
        .await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    let (code, ct, cd, bytes) = s
        .get_as(&editor, &format!("/api/reports/frozen/{id}?format=docx"))
        .await;
    assert_eq!(code, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(ct, DOCX);
    assert!(
        cd.starts_with(&format!("attachment; filename=\"bao-cao-da-chot-{id}-"))
            && cd.ends_with(".docx\""),
        "{cd}"
    );
    let p = paragraphs(&read(&bytes));
    let issued: chrono::NaiveDate = first["issued_on"].as_str().unwrap().parse().unwrap();
    for want in [
        first["title"].as_str().unwrap().to_string(),
        format!("Báo cáo đã chốt ngày {} — không sửa đổi", date_vi(issued)),
    ] {
        assert!(p.contains(&want), "{want:?} not in {p:#?}");
    }
}

#[tokio::test]
async fn the_cli_writes_the_same_document_the_api_serves() {
    let s = Server::start().await;
    let c = s.login().await;
    let (code, _, _, served) = s
        .get_as(
            &c,
            &format!("/api/reports?by=group&format=docx&as_of={AS_OF}"),
        )
        .await;
    assert_eq!(code, StatusCode::OK);
    let out = tmp("group.docx");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_hiendat"))
        .arg("report")
        .arg("--db")
        .arg(&s.db.0)
        .args([
            "--by", "group", "--format", "docx", "--as-of", AS_OF, "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let written = std::fs::read(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    let doc = read(&written);
    assert_eq!(
        tables(&doc)[1][1..=1],
        expected_rows(&group_report(&s.db.0), 0)[..1]
    );
    // the writer is deterministic: the same report, the same bytes
    assert_eq!(written, served);

    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_hiendat"))
        .arg("report")
        .arg("--db")
        .arg(&s.db.0)
        .args(["--by", "group", "--format", "odt"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("xlsx, html, csv, docx"));
}
