//! Issue 14, item 1: the periodic report (báo cáo định kỳ) in the Party's
//! format, printed by Chromium to PDF and read back with pdftotext: the
//! letterhead (superior committee, ward committee, "*", "Số …-BC/ĐU",
//! "ĐẢNG CỘNG SẢN VIỆT NAM"), the four parts I.–IV. with the API's figures
//! in their sentences, Vietnamese only, text on page 1, about ten pages for
//! the demo ward; the office's edited narrative frozen and printed the same
//! again; a bad edit refused naming its field.
//!
//! The PDF tests need Debian's `chromium` and poppler's `pdftotext`, as
//! tests/browser.rs does (`.ci/run` installs them).

use hiendat::api::{AppState, router};
use hiendat::store::{Role, Store};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

const CHROMIUM: &str = "/usr/bin/chromium";
const EDITOR: (&str, &str) = ("lan", "mật khẩu của Lan");
const ADMIN: (&str, &str) = ("quan", "mật khẩu của Quân");
/// The demo's "today": its history runs up to the day before.
const DEMO_TODAY: &str = "2026-11-29";
const AS_OF: &str = "2026-11-28";
const FROM: &str = "2026-11-01";

fn tmp(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("i14p-{}-{name}", std::process::id()))
}

/// The demo ward at its full size (as `hiendat serve` makes it), made once.
fn demo() -> &'static PathBuf {
    static T: OnceLock<PathBuf> = OnceLock::new();
    T.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
        // Files left behind by earlier runs of this file.
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if e.file_name().to_string_lossy().starts_with("i14p-") {
                let p = e.path();
                let _ = std::fs::remove_file(&p).or_else(|_| std::fs::remove_dir_all(&p));
            }
        }
        let path = tmp("demo.db");
        hiendat::demo::database::create_demo_as_of(
            &path,
            1,
            hiendat::demo::database::DEMO_PARCELS,
            DEMO_TODAY.parse().unwrap(),
        )
        .unwrap();
        let mut store = Store::open(&path).unwrap();
        store.add_user(EDITOR.0, Role::Editor, EDITOR.1).unwrap();
        store.add_user(ADMIN.0, Role::Admin, ADMIN.1).unwrap();
        path
    })
}

fn copy(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let p = tmp(&format!("{name}-{}.db", N.fetch_add(1, Ordering::SeqCst)));
    std::fs::copy(demo(), &p).unwrap();
    p
}

/// Prints `html` with headless Chromium to an A4 PDF and reads it back as
/// pdftotext's layout text, one string per page.
fn printed_pages(html: &str, name: &str) -> Vec<String> {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: run `apt-get install -y --no-install-recommends chromium fonts-noto-core` first (CI's .ci/run does)"
    );
    let src = tmp(&format!("{name}.html"));
    let pdf = tmp(&format!("{name}.pdf"));
    std::fs::write(&src, html).unwrap();
    let _ = std::fs::remove_file(&pdf);
    let profile = tmp(&format!("{name}-profile"));
    let out = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", src.display()))
        .output()
        .expect("chromium runs");
    assert!(
        pdf.exists(),
        "no PDF: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = Command::new("pdftotext")
        .arg("-layout")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("`pdftotext` is missing: run `apt-get install -y --no-install-recommends poppler-utils` first");
    let _ = std::fs::remove_dir_all(&profile);
    let text = String::from_utf8(text.stdout).unwrap();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// The text with every run of white space made one space: sentences read
/// whole across the printed lines.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// "Số" and "-BC/ĐU" with only the number (or room for it) between, on one
/// line: the Party's form, not the state's "Số: …/BC-…".
fn number_form(page: &str) -> Option<String> {
    page.lines().find_map(|l| {
        let at = l.find("Số")?;
        let rest = &l[at + "Số".len()..];
        let end = rest.find("-BC/ĐU")?;
        let between = rest[..end].trim();
        between
            .chars()
            .all(|c| c.is_ascii_digit())
            .then(|| between.to_string())
    })
}

/// What every official print of the periodic report shows.
fn check_official_print(pages: &[String], what: &str) {
    let first = &pages[0];
    let lines: Vec<&str> = first.lines().map(str::trim).collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("ĐẢNG BỘ TỈNH THANH HÓA")),
        "{what}: superior committee line:\n{first}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("ĐẢNG ỦY PHƯỜNG NGỌC SƠN")),
        "{what}: ward committee line:\n{first}"
    );
    // the star under the committee (the date may share its printed line)
    assert!(
        lines
            .iter()
            .any(|l| l.split_whitespace().next() == Some("*")),
        "{what}: the star:\n{first}"
    );
    assert!(
        number_form(first).is_some(),
        "{what}: the number as “Số …-BC/ĐU”:\n{first}"
    );
    assert!(
        !first.contains("Số:") && !first.contains("/BC-"),
        "{what}: state-style number"
    );
    assert!(
        lines.iter().any(|l| l.ends_with("ĐẢNG CỘNG SẢN VIỆT NAM")),
        "{what}: the Party's name:\n{first}"
    );
    assert!(first.contains("Ngọc Sơn, ngày"), "{what}: place and date");
    // page 1 carries the title and the narrative, not only the header
    let page1 = flat(first);
    assert!(page1.contains("BÁO CÁO"), "{what}: title on page 1");
    assert!(
        page1.contains("I. TÌNH HÌNH CHUNG")
            && page1.contains("hộ gia đình có đất nằm trong chỉ giới đường đỏ"),
        "{what}: page 1 has no narrative:\n{first}"
    );
    let all = flat(&pages.concat());
    let at = |h: &str| {
        all.find(h)
            .unwrap_or_else(|| panic!("{what}: no heading {h}"))
    };
    let (i, ii, iii, iv) = (
        at("I. TÌNH HÌNH CHUNG"),
        at("II. KẾT QUẢ THỰC HIỆN"),
        at("III. HẠN CHẾ, NGUYÊN NHÂN"),
        at("IV. NHIỆM VỤ TRỌNG TÂM KỲ TỚI"),
    );
    assert!(i < ii && ii < iii && iii < iv, "{what}: parts in order");
    let sign = at("T/M BAN THƯỜNG VỤ");
    assert!(
        iv < sign && sign < at("PHỤ LỤC 1"),
        "{what}: signature, then appendix"
    );
    assert!(all.contains("Nơi nhận:"));
    // Vietnamese only: none of the bilingual version's English
    for en in [
        "Residential group",
        "Road segment",
        "Area",
        "Affected households",
        "Progress by",
        "Total",
        "Notes",
        "Frozen report",
        "Results of",
    ] {
        assert!(
            !all.contains(en),
            "{what}: English “{en}” in the official print"
        );
    }
}

#[test]
fn the_cli_prints_the_demo_wards_periodic_report_in_the_partys_format_in_about_ten_pages() {
    let db = copy("cli");
    let out = tmp("cli.html");
    let started = Instant::now();
    let run = Command::new(env!("CARGO_BIN_EXE_hiendat"))
        .args(["report", "--by", "periodic", "--format", "html"])
        .args(["--as-of", AS_OF, "--from", FROM])
        .arg("--db")
        .arg(&db)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let html = std::fs::read_to_string(&out).unwrap();
    let pages = printed_pages(&html, "cli");
    println!(
        "demo ward ({} parcels): periodic report built in {took:?}, printed on {} A4 pages",
        hiendat::demo::database::DEMO_PARCELS,
        pages.len()
    );
    check_official_print(&pages, "CLI");
    assert!(
        pages.len() <= 12,
        "the demo ward's report runs to {} pages",
        pages.len()
    );
    // No road name is broken over three lines in the appendix: each is
    // whole on a printed line of the segments' table, or split over two.
    let all = pages.concat();
    let table = all
        .split("PHỤ LỤC 1")
        .nth(1)
        .and_then(|t| t.split("PHỤ LỤC 2").next())
        .expect("the segments' appendix");
    let lines: Vec<&str> = table.lines().collect();
    let ward = Store::open(&db).unwrap().ward().unwrap();
    for s in &ward.segments {
        let words: Vec<&str> = s.name.split_whitespace().collect();
        let whole = lines.iter().any(|l| l.contains(&s.name));
        let two = (1..words.len()).any(|k| {
            let (a, b) = (words[..k].join(" "), words[k..].join(" "));
            lines
                .windows(2)
                .any(|w| w[0].contains(&format!("{a} ")) && w[1].contains(&b))
        });
        assert!(
            whole || two,
            "segment name {} is broken over more than two lines:\n{table}",
            s.name
        );
    }
}

#[test]
fn the_province_and_ward_come_from_import_and_a_print_may_name_others() {
    let db = copy("names");
    let hiendat = env!("CARGO_BIN_EXE_hiendat");
    let report = |extra: &[&str], name: &str| -> String {
        let out = tmp(name);
        let run = Command::new(hiendat)
            .args([
                "report", "--by", "periodic", "--format", "html", "--as-of", AS_OF,
            ])
            .args(extra)
            .arg("--db")
            .arg(&db)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        std::fs::read_to_string(out).unwrap()
    };
    let run = Command::new(hiendat)
        .args(["import", "--province", "  Nghệ An "])
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let h = report(&[], "names-1.html");
    assert!(h.contains(">ĐẢNG BỘ TỈNH NGHỆ AN<"));
    assert!(h.contains(">ĐẢNG ỦY PHƯỜNG NGỌC SƠN<"));
    let h = report(
        &["--province", "Thanh Hóa", "--ward", "Hàm Rồng"],
        "names-2.html",
    );
    assert!(h.contains(">ĐẢNG BỘ TỈNH THANH HÓA<"));
    assert!(h.contains(">ĐẢNG ỦY PHƯỜNG HÀM RỒNG<"));
    assert!(h.contains("Hàm Rồng, ngày 28 tháng 11 năm 2026"));
    // the one print changed nothing stored
    assert!(report(&[], "names-3.html").contains(">ĐẢNG BỘ TỈNH NGHỆ AN<"));
    // a bad name is refused, nothing stored
    let run = Command::new(hiendat)
        .args(["import", "--province", "Thanh\nHóa"])
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("province"));
    assert!(report(&[], "names-4.html").contains(">ĐẢNG BỘ TỈNH NGHỆ AN<"));
    // no province at all: the line left to fill in, and said so
    Store::open(&db).unwrap().set_meta("province", "").unwrap();
    let h = report(&[], "names-5.html");
    assert!(h.contains(">ĐẢNG BỘ TỈNH ……………<"), "placeholder");
    assert!(h.contains("Chưa đặt tên tỉnh"));
}

struct Server {
    base: String,
}

impl Server {
    async fn start() -> Server {
        let db = copy("api");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = router(AppState::new(db, false));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Server {
            base: format!("http://{addr}"),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn login(&self) -> reqwest::Client {
        self.login_as(EDITOR).await
    }

    async fn login_as(&self, who: (&str, &str)) -> reqwest::Client {
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
        assert_eq!(r.status(), StatusCode::OK);
        c
    }

    async fn text(&self, c: &reqwest::Client, path: &str) -> String {
        let r = c.get(self.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        r.text().await.unwrap()
    }

    async fn post(&self, c: &reqwest::Client, path: &str, body: &Value) -> (StatusCode, String) {
        let r = c.post(self.url(path)).json(body).send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    }
}

/// The ward's tally on `date` as `GET /api/progress` gives it (its last
/// point on or before the date).
async fn progress_on(s: &Server, c: &reqwest::Client, date: &str) -> Value {
    let series: Value =
        serde_json::from_str(&s.text(c, &format!("/api/progress?as_of={date}")).await).unwrap();
    series.as_array().unwrap().last().unwrap().clone()
}

fn vi(n: &Value) -> String {
    hiendat::report::format_vi(n.as_u64().unwrap() as f64, hiendat::report::Kind::Count)
}

fn area(v: &Value) -> String {
    hiendat::report::format_vi(v.as_f64().unwrap(), hiendat::report::Kind::Area)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_periodic_report_writes_the_apis_figures_vietnamese_only() {
    let s = Server::start().await;
    let anon = reqwest::Client::new();
    let q = format!("/api/reports?by=periodic&format=html&as_of={AS_OF}&from={FROM}");
    let r = anon.get(s.url(&q)).send().await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "the cells' figures are for editors"
    );
    let c = s.login().await;
    let html = s.text(&c, &q).await;
    let pages = printed_pages(&html, "api");
    check_official_print(&pages, "API");
    let all = flat(&pages.concat());
    let now = progress_on(&s, &c, AS_OF).await;
    let before = progress_on(&s, &c, "2026-10-31").await;
    let reached = |t: &Value, k: &str| t["households_reached"][k].as_u64().unwrap();
    let cumulative = format!(
        "Lũy kế đến ngày 28/11/2026: {}/{} hộ đã đồng ý hiến đất",
        vi(&now["households_reached"]["agreed"]),
        vi(&now["parcels_affected"])
    );
    assert!(all.contains(&cumulative), "{cumulative} not in:\n{all}");
    let handed = format!(
        "{} hộ đã ký biên bản và {} hộ đã bàn giao mặt bằng",
        vi(&now["households_reached"]["signed"]),
        vi(&now["households"]["handed_over"])
    );
    assert!(all.contains(&handed), "{handed}");
    let area_line = format!(
        "diện tích đã bàn giao {} m²/{} m²",
        area(&now["handed_over_area_m2"]),
        area(&now["donated_area_m2"])
    );
    assert!(all.contains(&area_line), "{area_line}");
    let period = format!(
        "có thêm {} hộ đồng ý hiến đất, {} hộ ký biên bản hiến đất, {} hộ bàn giao mặt bằng",
        reached(&now, "agreed") - reached(&before, "agreed"),
        reached(&now, "signed") - reached(&before, "signed"),
        reached(&now, "handed_over") - reached(&before, "handed_over"),
    );
    assert!(all.contains(&period), "{period}");
    assert!(all.contains(&format!(
        "với {} hộ gia đình có đất nằm trong chỉ giới đường đỏ; tổng diện tích đất cần hiến {} m²",
        vi(&now["parcels_affected"]),
        area(&now["donated_area_m2"])
    )));
    assert!(all.contains("“Đảng viên đi trước, làng nước theo sau”"));
    // lagging areas named, next period's tasks dated
    assert!(all.contains("địa bàn chậm tiến độ"));
    assert!(
        all.contains("Từ ngày 29/11/2026 đến ngày 26/12/2026"),
        "next period"
    );
    // the screen version, on request, is bilingual
    let both = s.text(&c, &format!("{q}&bilingual=1")).await;
    assert!(both.contains("Residential group") && both.contains("Results of the road-widening"));
    assert!(!html.contains("Residential group"));
}

fn edit() -> Value {
    json!({
        "number": "15",
        "sections": [
            { "heading": "I. TÌNH HÌNH CHUNG", "paragraphs": ["Câu do Văn phòng Đảng ủy viết lại <b>đậm</b>."] },
            { "heading": "II. KẾT QUẢ THỰC HIỆN", "paragraphs": ["Kết quả như phụ lục.", "Đoạn thứ hai."] },
            { "heading": "III. HẠN CHẾ, NGUYÊN NHÂN", "paragraphs": ["Không."] },
            { "heading": "IV. NHIỆM VỤ TRỌNG TÂM KỲ TỚI", "paragraphs": ["Tiếp tục vận động."] }
        ],
        "recipients": ["Ban Thường vụ Tỉnh ủy (để báo cáo)", "Lưu Văn phòng Đảng ủy"],
        "signer_name": "Lê Văn Đức"
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edited_narrative_is_frozen_and_prints_the_same_later() {
    let s = Server::start().await;
    let c = s.login().await;
    // the generated narrative, to edit
    let generated: Value = serde_json::from_str(
        &s.text(
            &c,
            &format!("/api/reports/periodic?as_of={AS_OF}&from={FROM}"),
        )
        .await,
    )
    .unwrap();
    assert_eq!(
        generated["periodic"]["sections"].as_array().unwrap().len(),
        4
    );
    assert_eq!(generated["periodic"]["superior"], "ĐẢNG BỘ TỈNH THANH HÓA");
    let body = json!({ "by": "periodic", "as_of": AS_OF, "from": FROM, "periodic": edit() });
    let (st, preview) = s.post(&c, "/api/reports/preview", &body).await;
    assert_eq!(st, StatusCode::OK, "{preview}");
    // a preview shows what a GET of its cuts shows (here the member list):
    // the narrative's read and both previews are in the access log
    let member = json!({ "by": "member", "as_of": AS_OF });
    let (st, _) = s.post(&c, "/api/reports/preview", &member).await;
    assert_eq!(st, StatusCode::OK);
    let admin = s.login_as(ADMIN).await;
    let log: Value = serde_json::from_str(&s.text(&admin, "/api/access-log").await).unwrap();
    let reads = |what: &str| {
        log["reads"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["user"] == EDITOR.0 && r["what"] == what)
            .count()
    };
    assert_eq!(reads("report periodic"), 2, "{log}");
    assert_eq!(reads("report member"), 1, "{log}");
    let (st, frozen) = s.post(&c, "/api/reports/frozen", &body).await;
    assert_eq!(st, StatusCode::CREATED, "{frozen}");
    let id = serde_json::from_str::<Value>(&frozen).unwrap()["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/reports/frozen/{id}?format=html");
    let first = s.text(&c, &path).await;
    let again = s.text(&c, &path).await;
    assert_eq!(first, again, "a frozen report prints the same");
    assert_eq!(first, preview, "the preview is what was frozen");
    assert!(first.contains("Câu do Văn phòng Đảng ủy viết lại &lt;b&gt;đậm&lt;/b&gt;."));
    let pages = printed_pages(&first, "frozen");
    let page1 = flat(&pages[0]);
    assert_eq!(
        number_form(&pages[0]).as_deref(),
        Some("15"),
        "{}",
        pages[0]
    );
    assert!(
        page1.contains("Câu do Văn phòng Đảng ủy viết lại <b>đậm</b>."),
        "{page1}"
    );
    let all = flat(&pages.concat());
    assert!(all.contains("Lê Văn Đức"));
    assert!(
        !all.contains("Các chi bộ trực thuộc"),
        "the recipients as edited"
    );
    assert!(all.contains("(Kèm theo Báo cáo số 15-BC/ĐU"));
    // the data moves on; the frozen report does not
    let list: Value = serde_json::from_str(&s.text(&c, "/api/reports/frozen").await).unwrap();
    let row = list["reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(row["by"], "periodic");
    // the anonymous public cannot read it (it speaks of the cells)
    let r = reqwest::Client::new()
        .get(s.url(&path))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_periodic_body_is_refused_naming_the_field_and_nothing_is_frozen() {
    let s = Server::start().await;
    let c = s.login().await;
    let count = |v: &str| {
        serde_json::from_str::<Value>(v).unwrap()["reports"]
            .as_array()
            .unwrap()
            .len()
    };
    let before = count(&s.text(&c, "/api/reports/frozen").await);
    let mut e = edit();
    e["sections"][1]["heading"] = json!("   ");
    let mut ctrl = edit();
    ctrl["sections"][0]["paragraphs"][0] = json!("a\u{0}b");
    let mut long = edit();
    long["sections"] = json!(vec![json!({ "heading": "I.", "paragraphs": [] }); 13]);
    let mut number = edit();
    number["number"] = json!("15-BC/ĐU");
    for (body, field) in [
        (
            json!({ "by": "periodic", "as_of": AS_OF, "periodic": e }),
            "periodic.sections[1].heading",
        ),
        (
            json!({ "by": "periodic", "as_of": AS_OF, "periodic": ctrl }),
            "periodic.sections[0].paragraphs[0]",
        ),
        (
            json!({ "by": "periodic", "as_of": AS_OF, "periodic": long }),
            "periodic.sections",
        ),
        (
            json!({ "by": "periodic", "as_of": AS_OF, "periodic": number }),
            "periodic.number",
        ),
        (
            json!({ "by": "group", "as_of": AS_OF, "periodic": edit() }),
            "periodic",
        ),
        (
            json!({ "by": "periodic", "as_of": AS_OF, "periodic": { "sectons": [] } }),
            "sectons",
        ),
    ] {
        for path in ["/api/reports/frozen", "/api/reports/preview"] {
            let (st, text) = s.post(&c, path, &body).await;
            assert_eq!(
                st,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path} {field}: {text}"
            );
            let v: Value = serde_json::from_str(&text).unwrap();
            let msg = v["error"]["message"].as_str().unwrap();
            assert!(msg.contains(field), "{path}: {msg} does not name {field}");
        }
    }
    assert_eq!(
        count(&s.text(&c, "/api/reports/frozen").await),
        before,
        "nothing frozen"
    );
}
