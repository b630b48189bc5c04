//! Issue 21, item 3: a real map sheet. `GET /api/print?group=|segment=`
//! answers a printable page for that area only: its name in the title, the
//! numeric scale, its parcel numbers (and no other area's), its figures and
//! parcels; anonymous readers get no names and no private steps; bad input
//! is refused naming the parameter; printed to PDF by headless Chromium, the
//! text holds the title, the scale and a parcel number.

mod common;

use common::{Demo, Server};
use hiendat::store::Role;
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const VIEWER: (&str, &str) = ("minh", "mật khẩu của Minh");

fn demo_template() -> &'static PathBuf {
    static T: OnceLock<PathBuf> = OnceLock::new();
    T.get_or_init(|| {
        Demo {
            prefix: "i21sheet-",
            seed: 3,
            parcels: 800,
            users: &[(VIEWER.0, Role::Viewer, VIEWER.1)],
            scoped: None,
        }
        .build()
    })
}
impl Server {
    async fn page(&self, c: &reqwest::Client, path: &str) -> String {
        let r = c.get(self.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert!(
            r.headers()[reqwest::header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        r.text().await.unwrap()
    }

    /// The parcels (id, parcel_no) the filter selects, as the API lists them.
    async fn parcels(&self, c: &reqwest::Client, query: &str) -> Vec<(String, String)> {
        let fc = self.get(c, &format!("/api/parcels?{query}")).await;
        fc["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let p = &f["properties"];
                let id = match &p["id"] {
                    Value::String(s) => s.clone(),
                    v => v.to_string(),
                };
                (id, p["parcel_no"].as_str().unwrap_or_default().to_string())
            })
            .collect()
    }
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

/// The ids of the parcels drawn in the area (`data-id` of `class="parcel"`).
fn drawn(html: &str) -> HashSet<String> {
    html.split("<path class=\"parcel\" data-id=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect()
}

/// The parcel numbers written on the map.
fn numbers(html: &str) -> Vec<String> {
    html.split("<text class=\"pno\" ")
        .skip(1)
        .map(|s| {
            s.split('>')
                .nth(1)
                .unwrap()
                .split('<')
                .next()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn affected_count(html: &str) -> usize {
    let s = html
        .split("2. Các thửa bị ảnh hưởng (")
        .nth(1)
        .expect("parcels table");
    s.split(')')
        .next()
        .unwrap()
        .replace('.', "")
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_groups_sheet_names_the_group_draws_only_its_parcels_and_tables_its_figures() {
    let srv = Server::start(demo_template(), "i21sheet-").await;
    let anon = reqwest::Client::new();
    let groups = srv.get(&anon, "/api/summary/groups").await;
    let rows = groups.as_array().unwrap();
    let g = &rows[0];
    let other = &rows[1];
    let name = g["residential_group"].as_str().unwrap();
    let other_name = other["residential_group"].as_str().unwrap();
    let html = srv
        .page(&anon, &format!("/api/print?group={}", enc(name)))
        .await;
    assert!(
        html.contains(&format!("— {}", name.to_uppercase())),
        "title names the group"
    );
    assert!(html.contains("Tỷ lệ 1:"));
    let scale: u32 = html
        .split("Tỷ lệ 1:")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!([500, 1000, 2000, 5000].contains(&scale), "{scale}");
    // every parcel of the group is drawn, none of the other group's
    let mine = srv.parcels(&anon, &format!("group={}", enc(name))).await;
    let theirs = srv
        .parcels(&anon, &format!("group={}", enc(other_name)))
        .await;
    let ids = drawn(&html);
    assert_eq!(ids.len(), mine.len());
    assert!(mine.iter().all(|(id, _)| ids.contains(id)));
    assert!(theirs.iter().all(|(id, _)| !ids.contains(id)));
    // the numbers on the map are this group's
    let nos: HashSet<String> = mine.iter().map(|p| p.1.clone()).collect();
    let on_map = numbers(&html);
    assert!(!on_map.is_empty());
    assert!(
        on_map.iter().all(|n| nos.contains(n)),
        "a number not of this group"
    );
    // the tables are the group's: its affected households, its area
    let affected = g["parcels_affected"].as_u64().unwrap() as usize;
    assert_eq!(affected_count(&html), affected);
    assert_eq!(html.matches("<tr><td class=\"c\">").count(), affected);
    let figures = html.split("<table class=\"figures\">").nth(1).unwrap();
    let first_cell = figures.split("<td class=\"num\">").nth(1).unwrap();
    assert!(
        first_cell.starts_with(&format!("{affected}<")),
        "{first_cell:.40}"
    );
    // the map sheet numbers in the legend
    assert!(html.contains("Tờ bản đồ số"));
    // a group asked for by its number is the same sheet
    let number = name.rsplit(' ').next().unwrap();
    let by_number = srv.page(&anon, &format!("/api/print?group={number}")).await;
    assert_eq!(drawn(&by_number), ids);
}

#[tokio::test]
async fn a_segments_sheet_draws_its_donating_parcels_and_its_own_figures() {
    let srv = Server::start(demo_template(), "i21sheet-").await;
    let anon = reqwest::Client::new();
    let segs = srv.get(&anon, "/api/segments").await;
    let feats = segs["features"].as_array().unwrap();
    // a segment with affected parcels
    let f = feats
        .iter()
        .find(|f| f["properties"]["parcels_affected"].as_u64().unwrap_or(0) > 3)
        .unwrap();
    let p = &f["properties"];
    let id = match &p["id"] {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    };
    let html = srv
        .page(&anon, &format!("/api/print?segment={}&paper=a3", enc(&id)))
        .await;
    let name = p["name"].as_str().unwrap();
    assert!(html.contains(&format!("ĐOẠN TUYẾN {} ({id})", name.to_uppercase())));
    assert!(html.contains("Tỷ lệ 1:"));
    assert!(html.contains("size: A3 landscape"));
    let mine = srv.parcels(&anon, &format!("segment={}", enc(&id))).await;
    let ids = drawn(&html);
    assert_eq!(ids.len(), mine.len());
    assert!(mine.iter().all(|(i, _)| ids.contains(i)));
    // a parcel that donates to no segment is never one of a segment's
    let all = srv.parcels(&anon, "").await;
    let mine_ids: HashSet<&String> = mine.iter().map(|p| &p.0).collect();
    assert!(
        all.iter()
            .filter(|p| !mine_ids.contains(&p.0))
            .all(|p| !ids.contains(&p.0))
    );
    assert_eq!(
        affected_count(&html),
        p["parcels_affected"].as_u64().unwrap() as usize
    );
    assert!(html.contains("Diện tích hiến cho đoạn này"));
    assert!(html.contains("class=\"centerline\" d=\"M"));
}

#[tokio::test]
async fn anonymous_readers_get_no_names_and_no_declined_and_logged_in_readers_do() {
    let srv = Server::start(demo_template(), "i21sheet-").await;
    let viewer = srv.login(VIEWER).await;
    let anon = reqwest::Client::new();
    // a declined household, its group and its head's name
    let declined = srv.get(&viewer, "/api/parcels?status=declined").await;
    let f = &declined["features"][0]["properties"];
    let id = match &f["id"] {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    };
    let group = f["residential_group"].as_str().unwrap().to_string();
    let one = srv
        .get(&viewer, &format!("/api/parcels/{}", enc(&id)))
        .await;
    let head = one["properties"]["households"][0]["head_name"]
        .as_str()
        .expect("a demo household has a head")
        .to_string();
    let path = format!("/api/print?group={}", enc(&group));
    let public = srv.page(&anon, &path).await;
    let staff = srv.page(&viewer, &path).await;
    for bad in [
        "Chưa đồng ý",
        "Đang vận động",
        "declined",
        "persuading",
        "Chủ hộ",
    ] {
        assert!(!public.contains(bad), "public page shows {bad}");
    }
    assert!(public.contains("Chưa hiến"));
    assert!(staff.contains("Chưa đồng ý"));
    assert!(staff.contains("Chủ hộ"));
    assert!(staff.contains(&head), "the viewer reads {head}");
    assert!(!public.contains(&head), "the public reads {head}");
}

#[tokio::test]
async fn bad_print_requests_are_refused_naming_the_parameter() {
    let srv = Server::start(demo_template(), "i21sheet-").await;
    let anon = reqwest::Client::new();
    for (q, status, word) in [
        ("", 422, "group"),
        ("?group=1&segment=1", 422, "segment"),
        ("?group=T%E1%BB%95%2099", 404, "group"),
        ("?segment=nope", 404, "segment"),
        ("?group=1&paper=a5", 422, "paper"),
        ("?group=1&as_of=2099-01-01", 422, "as_of"),
        ("?group=1&scale=1", 400, ""),
    ] {
        let r = anon
            .get(srv.url(&format!("/api/print{q}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), status, "{q}");
        let body: Value = r.json().await.unwrap();
        let msg = body["error"]["message"].as_str().unwrap_or_default();
        assert!(msg.contains(word), "{q}: {msg}");
    }
}

#[tokio::test]
async fn the_sheet_printed_to_pdf_by_chromium_holds_the_title_the_scale_and_a_parcel_number() {
    let srv = Server::start(demo_template(), "i21sheet-").await;
    let anon = reqwest::Client::new();
    let groups = srv.get(&anon, "/api/summary/groups").await;
    let name = groups[0]["residential_group"].as_str().unwrap().to_string();
    let path = format!("/api/print?group={}", enc(&name));
    let html = srv.page(&anon, &path).await;
    let number = numbers(&html)
        .into_iter()
        .next()
        .expect("a number on the map");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let pdf = dir.join(format!("i21sheet-{}.pdf", std::process::id()));
    let _ = std::fs::remove_file(&pdf);
    let url = srv.url(&path);
    let out = tokio::task::spawn_blocking({
        let pdf = pdf.clone();
        move || {
            std::process::Command::new("chromium")
                .args([
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-pdf-header-footer",
                    &format!("--print-to-pdf={}", pdf.display()),
                    &url,
                ])
                .output()
        }
    })
    .await
    .unwrap()
    .expect("chromium runs");
    assert!(
        pdf.exists(),
        "no PDF: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::process::Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext runs");
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains(&name.to_uppercase()), "title in the PDF");
    assert!(text.contains("Tỷ lệ 1:"), "scale in the PDF");
    assert!(
        text.split_whitespace().any(|w| w == number),
        "parcel number {number} in the PDF"
    );
    let info = std::process::Command::new("pdfinfo")
        .arg(&pdf)
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains("841.92 x 594.96"), "A4 landscape: {info}");
    let _ = std::fs::remove_file(&pdf);
}

#[tokio::test]
async fn a_sheet_on_a_past_date_shows_the_area_as_it_stood_then() {
    let srv = Server::start(demo_template(), "i21sheet-").await;
    let anon = reqwest::Client::new();
    let groups = srv.get(&anon, "/api/summary/groups").await;
    let g = groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["households"]["handed_over"].as_u64().unwrap_or(0) > 0)
        .expect("a group with households handed over");
    let name = g["residential_group"].as_str().unwrap();
    // the day before the campaign's first step: nobody has handed over
    let first = srv.get(&anon, "/api/progress").await[0]["date"]
        .as_str()
        .unwrap()
        .parse::<chrono::NaiveDate>()
        .unwrap();
    let before = first.pred_opt().unwrap();
    let figures = |html: &str| -> Vec<String> {
        html.split("<table class=\"figures\">")
            .nth(1)
            .unwrap()
            .split("<td class=\"num\">")
            .skip(1)
            .map(|c| c.split('<').next().unwrap().to_string())
            .collect()
    };
    let now = srv
        .page(&anon, &format!("/api/print?group={}", enc(name)))
        .await;
    let then = srv
        .page(
            &anon,
            &format!("/api/print?group={}&as_of={before}", enc(name)),
        )
        .await;
    assert!(then.contains(&format!("Tình trạng ngày {}", before.format("%d/%m/%Y"))));
    // households handed over (4th figure): some now, none then
    let handed = g["households"]["handed_over"].as_u64().unwrap().to_string();
    assert_eq!(figures(&now)[3], handed);
    assert_eq!(figures(&then)[3], "0");
    // parcels drawn green (handed over) now, none then
    let green = "fill=\"#009e73\" fill-rule";
    assert!(now.contains(green), "handed over parcels now");
    assert!(!then.contains(green), "no parcel handed over then");
}
