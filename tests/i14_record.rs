//! Issue 14, item 2: the donation record (biên bản) fit to sign — its
//! structures as agreed (as the read model counts them), a signature block per
//! signatory, for the ward and for the witness, no internal ids, and, printed
//! by Chromium and read back with pdftotext, one or two A4 pages with the
//! signatures never alone on a page.
//!
//! The PDF test needs Debian's `chromium` and poppler's `pdftotext`, as
//! tests/browser.rs does (`.ci/run` installs them).

use chrono::{NaiveDate, Utc};
use hiendat::campaign::events::{Event, Status};
use hiendat::formats::structures::read_structures;
use hiendat::geometry::crs::Crs;
use hiendat::ops::import::{self, ImportInput};
use hiendat::ops::record::record_doc;
use hiendat::report::record::{RecordDoc, RecordInfo, RecordStructure, render};
use hiendat::store::Store;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const CHROMIUM: &str = "/usr/bin/chromium";
/// The demo's "today": its history runs up to the day before.
const TODAY: &str = "2026-11-29";

fn today() -> NaiveDate {
    TODAY.parse().unwrap()
}

fn tmp(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("i14rec-{}-{name}", std::process::id()))
}

/// A small demo ward, made once; each test copies it.
fn demo() -> PathBuf {
    static T: OnceLock<PathBuf> = OnceLock::new();
    T.get_or_init(|| {
        let path = tmp("template.db");
        let _ = std::fs::remove_file(&path);
        hiendat::demo::database::create_demo_as_of(&path, 3, 800, today()).unwrap();
        path
    })
    .clone()
}

fn fresh(name: &str) -> Store {
    let path = tmp(name);
    let _ = std::fs::remove_file(&path);
    std::fs::copy(demo(), &path).unwrap();
    Store::open(&path).unwrap()
}

/// Donated / not donated, read from the page's structures table.
fn donated_column(page: &str) -> Vec<&str> {
    let table = page
        .split("<h2>III.")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .unwrap_or("");
    table
        .split("<td class=\"c\">")
        .skip(1)
        .filter_map(|c| c.split("</td>").next())
        .collect()
}

#[test]
fn structures_count_as_donated_on_the_record_as_the_figures_count_them() {
    let mut store = fresh("agreed.db");
    let ward = store.ward().unwrap();
    // An affected parcel still being persuaded, with no record on file.
    let p = ward
        .parcels
        .iter()
        .find(|p| p.affected() && p.status_on(today()) == Status::Persuading)
        .expect("a demo parcel being persuaded")
        .clone();
    // Its household will donate its wall and gate: both marked donated.
    let csv = format!(
        "parcel_id,kind,quantity,unit,value_vnd,donated\n{id},Tường rào,\"12,5\",m,5.000.000,có\n{id},gate,1,cái,3000000,có\n",
        id = p.id
    );
    let structures = read_structures(csv.as_bytes()).unwrap();
    let input = ImportInput {
        structures: Some(&structures),
        ..ImportInput::default()
    };
    import::import(&mut store, &Crs::vn2000_thanh_hoa(), input, false).unwrap();
    let donated = |store: &Store| store.ward().unwrap().ward_tally(today()).structures.donated;
    let before = donated(&store);

    // Not agreed yet: the figures do not count them, nor does the record.
    let id = p.id.to_string();
    let page = render(&record_doc(&store, &id, today()).unwrap());
    assert_eq!(
        donated_column(&page),
        ["Không hiến", "Không hiến"],
        "before agreement"
    );

    // The household agrees: the figures count both, and so does the record.
    store
        .append_event(&Event {
            parcel: p.id.clone(),
            status: Status::Agreed,
            occurred_on: today(),
            entered_at: Utc::now(),
            entered_by: "test".into(),
            party_member: None,
            note: None,
            corrects: None,
        })
        .unwrap();
    assert_eq!(
        donated(&store),
        before + 2,
        "the read model counts the wall and gate"
    );
    let page = render(&record_doc(&store, &id, today()).unwrap());
    assert_eq!(donated_column(&page), ["Hiến", "Hiến"], "after agreement");
    assert!(page.contains("cùng các tài sản ghi “Hiến” tại mục III"));
}

#[test]
fn every_demo_record_agrees_with_the_read_model_and_names_no_internal_id() {
    let store = fresh("all.db");
    let ward = store.ward().unwrap();
    let mut checked = 0;
    for p in ward
        .parcels
        .iter()
        .filter(|p| p.affected() && p.structures_on(today()).structures > 0)
    {
        let doc = record_doc(&store, &p.id.to_string(), today()).unwrap();
        let day = doc.record.as_ref().map_or(today(), |r| r.signed_on);
        let shown = doc.structures.iter().filter(|s| s.donated).count();
        let counted = if p.status_on(day).reached_agreement() {
            p.structures_on(day).donated
        } else {
            0
        };
        assert_eq!(shown, counted, "parcel {}", p.id);
        let page = render(&doc);
        assert!(
            !page.contains("mã thửa"),
            "internal id on the record of {}",
            p.id
        );
        checked += 1;
    }
    assert!(checked > 20, "only {checked} demo parcels with structures");
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A signed record from the demo, with `rows` structures and three signatories.
fn long_record(rows: usize) -> RecordDoc {
    let store = fresh(&format!("long-{rows}.db"));
    let ward = store.ward().unwrap();
    let p = ward
        .parcels
        .iter()
        .find(|p| p.affected() && p.status_on(today()) == Status::Signed)
        .expect("a signed demo parcel");
    let mut doc = record_doc(&store, &p.id.to_string(), today()).unwrap();
    doc.structures = (0..rows)
        .map(|i| RecordStructure {
            kind: if i % 2 == 0 {
                "Tường rào"
            } else {
                "Cổng"
            }
            .into(),
            quantity: Some(1.0 + i as f64),
            unit: Some("m".into()),
            value_vnd: Some(1_000_000),
            donated: i % 3 != 0,
        })
        .collect();
    doc.record = Some(RecordInfo {
        number: "15/BB-HĐ".into(),
        signed_on: date(2026, 11, 20),
        signatories: vec![
            "Nguyễn Văn Kiểm".into(),
            "Nguyễn Thị Hoa".into(),
            "Lê Văn Tâm — Phó Chủ tịch UBND phường".into(),
        ],
        witness: "Chủ tịch Ủy ban MTTQ phường".into(),
    });
    doc
}

#[test]
fn a_block_per_signatory_for_the_ward_and_the_witness() {
    let page = render(&long_record(1));
    let sig = page
        .split("<div class=\"sig two\">")
        .nth(1)
        .expect("blocks in rows of two");
    let sig = sig.split("</div>\n</div>").next().unwrap();
    for (role, name) in [
        ("ĐẠI DIỆN HỘ GIA ĐÌNH", "Nguyễn Văn Kiểm"),
        ("NGƯỜI KÝ BIÊN BẢN", "Nguyễn Thị Hoa"),
        (
            "ĐẠI DIỆN UBND PHƯỜNG",
            "Lê Văn Tâm — Phó Chủ tịch UBND phường",
        ),
        ("NGƯỜI LÀM CHỨNG", "Chủ tịch Ủy ban MTTQ phường"),
    ] {
        let block = format!("<b>{role}</b>");
        let at = sig
            .find(&block)
            .unwrap_or_else(|| panic!("no block {role}"));
        let after = &sig[at..];
        let name_at = after.find(&format!("<b>{name}</b>"));
        assert!(name_at.is_some(), "{name} not under {role}");
    }
    assert_eq!(sig.matches("(Ký, ghi rõ họ tên)").count(), 4);
    // The closing sentence and the signatures are kept together.
    let closing = page
        .split("<div class=\"closing\">")
        .nth(1)
        .expect("a closing wrapper");
    assert!(
        closing
            .trim_start()
            .starts_with("<p><b>Các bên cùng thống nhất:</b>")
    );
    assert!(closing.contains("<div class=\"sig two\">"));
    assert!(
        page.contains(".closing { break-inside: avoid")
            || page.contains(", .closing { break-inside: avoid")
    );
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

#[test]
fn printed_the_record_fits_two_pages_and_never_leaves_the_signatures_alone() {
    // From a short record to one whose signatures reach the foot of page 1.
    let mut two_pages = false;
    for rows in [0, 4, 8, 10, 12, 14, 16, 20] {
        let doc = long_record(rows);
        let pages = printed_pages(&render(&doc), &format!("rec-{rows}"));
        let all: String = pages.concat();
        assert!(
            (1..=2).contains(&pages.len()),
            "{rows} rows: {} pages",
            pages.len()
        );
        two_pages |= pages.len() == 2;
        assert!(!all.contains("mã thửa"), "{rows} rows: internal id printed");
        // Every signature block ("Ký, ghi rõ họ tên") on the page of the
        // closing text, with the names under them.
        let sign = "(Ký, ghi rõ họ tên)";
        let with_blocks: Vec<&String> = pages.iter().filter(|p| p.contains(sign)).collect();
        assert_eq!(
            with_blocks.len(),
            1,
            "{rows} rows: signature blocks on several pages"
        );
        let page = with_blocks[0];
        assert_eq!(
            page.matches(sign).count(),
            4,
            "{rows} rows: four signature blocks"
        );
        assert!(
            page.contains("Các bên cùng thống nhất"),
            "{rows} rows: the signatures are on a page without the closing text:\n{page}"
        );
        for name in [
            "Nguyễn Văn Kiểm",
            "Nguyễn Thị Hoa",
            "Lê Văn Tâm",
            "Chủ tịch Ủy ban MTTQ",
        ] {
            assert!(
                page.contains(name),
                "{rows} rows: {name} not under a signature"
            );
        }
        // The structures' donated column as agreed, row by row.
        let marks: Vec<&str> = all
            .lines()
            .filter(|l| l.contains("Tường rào") || l.trim_start().starts_with("Cổng"))
            .map(|l| {
                if l.contains("Không hiến") {
                    "Không hiến"
                } else if l.contains("Hiến") {
                    "Hiến"
                } else {
                    "?"
                }
            })
            .collect();
        let expected: Vec<&str> = doc
            .structures
            .iter()
            .map(|s| if s.donated { "Hiến" } else { "Không hiến" })
            .collect();
        assert_eq!(marks, expected, "{rows} rows: the donated column");
    }
    assert!(two_pages, "no record long enough to reach page 2");
}
