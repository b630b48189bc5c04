//! Issue 21, item 4: reports that print well from Excel or LibreOffice.
//! Every cut of the demo ward's report, read back from the API's xlsx: the
//! page set-up prints no text under 8 pt (paper, scale, column ranges that
//! fit the page), map sheet and parcel numbers are numbers, each table has
//! an autofilter on its header row, and the totals that add a column up are
//! SUM formulas whose cached values are the read model's totals.

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use hiendat::api::{AppState, router};
use hiendat::report::campaign::{Cut, Options};
use hiendat::report::xlsx_print::{MIN_PRINTED_PT, Paper, column_letters};
use hiendat::report::{Cell, Kind, Report};
use hiendat::store::{Role, Store};
use reqwest::StatusCode;
use serde_json::json;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

const ADMIN: (&str, &str) = ("quan", "mật khẩu của Quân");
const DEMO_TODAY: &str = "2026-11-29";
const AS_OF: &str = "2026-11-28";

fn demo_template() -> &'static PathBuf {
    static T: OnceLock<PathBuf> = OnceLock::new();
    T.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if e.file_name().to_string_lossy().starts_with("i21x-") {
                let _ = std::fs::remove_file(e.path());
            }
        }
        let path = dir.join(format!("i21x-demo-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        hiendat::demo::database::create_demo_as_of(&path, 3, 800, DEMO_TODAY.parse().unwrap())
            .unwrap();
        let mut store = Store::open(&path).unwrap();
        store.add_user(ADMIN.0, Role::Admin, ADMIN.1).unwrap();
        path
    })
}

struct Server {
    base: String,
    db: PathBuf,
}

impl Server {
    async fn start() -> Server {
        static N: AtomicUsize = AtomicUsize::new(0);
        let db = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "i21x-{}-{}.db",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::copy(demo_template(), &db).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = router(AppState::new(db.clone(), false));
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
            .json(&json!({ "name": ADMIN.0, "password": ADMIN.1 }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        c
    }

    async fn bytes(&self, c: &reqwest::Client, path: &str) -> Vec<u8> {
        let r = c.get(format!("{}{path}", self.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        r.bytes().await.unwrap().to_vec()
    }
}

fn zip_text(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// The value of attribute `name` in the first `<tag ...>` of `xml`.
fn attr(xml: &str, tag: &str, name: &str) -> Option<String> {
    let start = xml.find(&format!("<{tag} "))?;
    let el = &xml[start..start + xml[start..].find('>')?];
    let at = el.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(el[at..at + el[at..].find('"')?].to_string())
}

/// Column widths in characters, as `<col min max width>` say.
fn widths(xml: &str) -> Vec<f64> {
    let mut w = Vec::new();
    for part in xml.split("<col ").skip(1) {
        let el = format!("<col {}>", &part[..part.find('>').unwrap()]);
        let min: usize = attr(&el, "col", "min").unwrap().parse().unwrap();
        let max: usize = attr(&el, "col", "max").unwrap().parse().unwrap();
        let width: f64 = attr(&el, "col", "width").unwrap().parse().unwrap();
        w.resize(max, 0.0);
        for c in &mut w[min - 1..max] {
            *c = width;
        }
    }
    w
}

/// The report the API answers for these cuts, from the read model.
fn model(db: &Path, cuts: &[Cut], from: Option<&str>) -> Report {
    let store = Store::open(db).unwrap();
    let mut opt = Options::new(AS_OF.parse().unwrap());
    opt.from = from.map(|f| f.parse().unwrap());
    opt.public = false;
    opt.name_members = true;
    hiendat::ops::reports::periodic(&store, cuts, &opt).unwrap()
}

/// Everything this issue asks of one workbook; returns the number of SUM
/// formulas and (sheet, printed size of its smallest font).
fn check(bytes: &[u8], report: &Report) -> (usize, Vec<(String, f64)>) {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let styles = zip_text(bytes, "xl/styles.xml");
    let smallest = styles
        .split("<sz val=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse::<f64>().unwrap())
        .fold(f64::INFINITY, f64::min);
    assert!(smallest >= 10.0, "{smallest}");
    let names = wb.sheet_names();
    assert_eq!(names.len(), report.sheets.len());
    let mut sums = 0;
    let mut printed = Vec::new();
    for (n, (name, sheet)) in names.iter().zip(&report.sheets).enumerate() {
        let xml = zip_text(bytes, &format!("xl/worksheets/sheet{}.xml", n + 1));
        // page set-up: landscape, A4 or A3, a scale, every range on its page
        assert_eq!(
            attr(&xml, "pageSetup", "orientation").as_deref(),
            Some("landscape")
        );
        let paper = match attr(&xml, "pageSetup", "paperSize").as_deref() {
            Some("9") => Paper::A4,
            Some("8") => Paper::A3,
            other => panic!("{name}: paper {other:?}"),
        };
        assert!(!xml.contains("fitToPage"), "{name}: fitted, scale unknown");
        let scale: f64 = attr(&xml, "pageSetup", "scale").map_or(100.0, |s| s.parse().unwrap());
        let pt = smallest * scale / 100.0;
        assert!(pt >= MIN_PRINTED_PT, "{name}: {pt} pt");
        printed.push((name.clone(), pt));
        let w = widths(&xml);
        assert_eq!(w.len(), sheet.columns.len(), "{name}");
        // Excel's pixels: the width in characters counts its 5 px of padding
        let px: Vec<u32> = w.iter().map(|&c| (c * 7.0).round() as u32).collect();
        let mut starts = vec![0usize];
        starts.extend(
            xml.split("<brk id=\"")
                .skip(1)
                .map(|s| s[..s.find('"').unwrap()].parse::<usize>().unwrap()),
        );
        for (k, &s) in starts.iter().enumerate() {
            let end = starts.get(k + 1).copied().unwrap_or(px.len());
            let mut range: u32 = px[s..end].iter().sum();
            if k > 0 {
                // the first column, repeated on every page
                range += px[0];
            }
            let on_paper = f64::from(range) * scale / 100.0;
            assert!(
                on_paper <= f64::from(paper.printable_px()),
                "{name}: range {k} is {on_paper} px on {paper:?}"
            );
        }

        // the table: where its header is, typed cells, filter, totals
        let range = wb.worksheet_range(name).unwrap();
        let head = range
            .rows()
            .position(|r| r.first() == Some(&Data::String(sheet.columns[0].vi.clone())))
            .unwrap_or_else(|| panic!("{name}: no header"));
        let (h0, _) = range.start().unwrap();
        let head = head + h0 as usize;
        let first = head + 2;
        let last_col = column_letters((sheet.columns.len() - 1) as u16);
        let end = first + sheet.rows.len();
        assert_eq!(
            attr(&xml, "autoFilter", "ref"),
            Some(format!("A{}:{last_col}{end}", head + 2)),
            "{name}"
        );
        for (r, cells) in sheet.rows.iter().enumerate() {
            for (c, (cell, col)) in cells.iter().zip(&sheet.columns).enumerate() {
                let got = range.get_value(((first + r) as u32, c as u32));
                match cell {
                    Cell::Number(v) => assert_eq!(got, Some(&Data::Float(*v)), "{name}"),
                    Cell::Text(t)
                        if ["map_sheet", "parcel_no"].contains(&col.key.as_str())
                            && !t.starts_with('0')
                            && t.parse::<u32>().is_ok() =>
                    {
                        assert_eq!(got, Some(&Data::Float(t.parse().unwrap())), "{name}")
                    }
                    Cell::Text(t) => assert_eq!(got, Some(&Data::String(t.clone())), "{name}"),
                    _ => {}
                }
            }
        }
        let formulas = wb.worksheet_formula(name).unwrap();
        let Some(total) = &sheet.total else { continue };
        for (c, (cell, col)) in total.iter().zip(&sheet.columns).enumerate() {
            let Cell::Number(t) = cell else { continue };
            let at = (end as u32, c as u32);
            assert_eq!(range.get_value(at), Some(&Data::Float(*t)), "{name}");
            let sum: f64 = sheet
                .rows
                .iter()
                .map(|r| match r.get(c) {
                    Some(Cell::Number(v)) => *v,
                    _ => 0.0,
                })
                .sum();
            let adds = matches!(
                col.kind,
                Kind::Count | Kind::Area | Kind::Length | Kind::Money
            ) && (sum - t).abs() <= 1e-6 * t.abs().max(1.0);
            let f = formulas
                .get_value((end as u32, c as u32))
                .cloned()
                .unwrap_or_default();
            if adds && !sheet.rows.is_empty() {
                let l = column_letters(c as u16);
                assert_eq!(f, format!("SUM({l}{}:{l}{end})", first + 1), "{name}");
                sums += 1;
            } else {
                assert_eq!(f, "", "{name} {}", col.key);
            }
        }
    }
    (sums, printed)
}

#[tokio::test]
async fn every_cut_prints_at_eight_points_with_numbers_filters_and_sums() {
    let s = Server::start().await;
    let c = s.login().await;
    let cuts = "segment,group,cell,member,lagging,commendation,exemplary,plan";
    let bytes = s
        .bytes(
            &c,
            &format!("/api/reports?by={cuts}&internal=1&format=xlsx&as_of={AS_OF}"),
        )
        .await;
    let all: Vec<Cut> = cuts.split(',').map(|c| Cut::parse(c).unwrap()).collect();
    let report = model(&s.db, &all, None);
    let (sums, printed) = check(&bytes, &report);
    // the area cuts and the members' cut add up with formulas
    assert!(sums >= 20, "{sums}");
    let commendation = report.sheets.iter().find(|x| x.key == "commendation");
    assert!(commendation.is_some_and(|x| !x.rows.is_empty()));

    // a period report: the widest cut (27 columns by party cell) is split
    // into column ranges on A3, each at 8 pt or more
    let bytes = s
        .bytes(
            &c,
            &format!("/api/reports?by=cell,group&from=2026-11-01&format=xlsx&as_of={AS_OF}"),
        )
        .await;
    let report = model(&s.db, &[Cut::Cell, Cut::Group], Some("2026-11-01"));
    assert!(report.sheets[0].columns.len() >= 25);
    let (sums, period) = check(&bytes, &report);
    assert!(sums >= 20, "{sums}");
    let cell = zip_text(&bytes, "xl/worksheets/sheet1.xml");
    assert!(cell.contains("<brk id="), "{cell}");
    assert!(zip_text(&bytes, "xl/workbook.xml").contains("_xlnm.Print_Titles"));
    for (name, pt) in printed.iter().chain(&period) {
        eprintln!("{name}: smallest text printed at {pt:.1} pt");
    }
}
