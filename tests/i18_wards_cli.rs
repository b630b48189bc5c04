//! The command line of a database of several wards (issue 18, item 2):
//! `hiendat ward add|list|rename`, `--ward` choosing the ward of `import`,
//! `report`, `export`, and what `--ward` meant before (the one ward's
//! name) kept where it is safe.

mod common;

use common::cli::{ok, run, s, scratch};
use std::path::Path;

const PREFIX: &str = "i18c-";

/// The demo ward's files (seed 3, 120 parcels) in `dir`.
fn demo_files(dir: &Path) -> (String, String) {
    ok(&["demo", "--out", s(dir), "--parcels", "120", "--seed", "3"]);
    (
        s(&dir.join("segments.geojson")).to_string(),
        s(&dir.join("parcels.geojson")).to_string(),
    )
}

fn stdout(args: &[&str]) -> String {
    let o = run(args);
    assert!(
        o.status.success(),
        "hiendat {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Runs hiendat, which must fail: what it said on stderr.
fn fails(args: &[&str]) -> String {
    let o = run(args);
    assert!(!o.status.success(), "hiendat {args:?} should fail");
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn two_wards_with_the_same_ids_import_report_and_export_each_their_own() {
    let dir = scratch(PREFIX, "two");
    let (seg, par) = demo_files(&dir);
    let db = dir.join("tinh.db");
    let db = s(&db);
    // the first ward: a new database's one ward, named by --ward as before
    ok(&[
        "import",
        "--db",
        db,
        "--ward",
        "Ngọc Sơn",
        "--segments",
        &seg,
        "--parcels",
        &par,
    ]);
    let said = stdout(&[
        "ward",
        "add",
        "--db",
        db,
        "--code",
        "binh-minh",
        "--name",
        "Bình Minh",
        "--kind",
        "xa",
    ]);
    assert!(
        said.contains("binh-minh") && said.contains("/w/binh-minh/"),
        "{said}"
    );
    // the same files again, into the second ward: the same parcel ids
    ok(&[
        "import",
        "--db",
        db,
        "--ward",
        "binh-minh",
        "--segments",
        &seg,
        "--parcels",
        &par,
    ]);
    let list = stdout(&["ward", "list", "--db", db]);
    let rows: Vec<Vec<&str>> = list
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), 2, "{list}");
    assert_eq!(rows[0][1], "Ngọc Sơn");
    assert_eq!(
        (rows[1][0], rows[1][1], rows[1][2]),
        ("binh-minh", "Bình Minh", "xa")
    );
    assert_eq!(rows[0][3], rows[1][3], "the same parcels in both: {list}");
    assert_ne!(rows[0][3], "0");
    // several wards: a report or an export must say which
    let err = fails(&["report", "--db", db, "--by", "group", "--format", "csv"]);
    assert!(
        err.contains("--ward") && err.contains("binh-minh") && err.contains("Ngọc Sơn"),
        "{err}"
    );
    let err = fails(&[
        "export",
        "--db",
        db,
        "--format",
        "geojson",
        "--out",
        s(&dir.join("x.geojson")),
    ]);
    assert!(err.contains("--ward"), "{err}");
    // by name, without diacritics or the word "xã"
    let html = dir.join("b.html");
    ok(&[
        "report",
        "--db",
        db,
        "--ward",
        "xa binh minh",
        "--by",
        "periodic",
        "--format",
        "html",
        "--as-of",
        "2026-11-28",
        "--out",
        s(&html),
    ]);
    let html = std::fs::read_to_string(&html).unwrap();
    assert!(
        html.contains("ĐẢNG ỦY XÃ BÌNH MINH"),
        "the commune's committee"
    );
    let a = dir.join("a.html");
    ok(&[
        "report",
        "--db",
        db,
        "--ward",
        "ngoc son",
        "--by",
        "periodic",
        "--format",
        "html",
        "--as-of",
        "2026-11-28",
        "--out",
        s(&a),
    ]);
    assert!(
        std::fs::read_to_string(&a)
            .unwrap()
            .contains("ĐẢNG ỦY PHƯỜNG NGỌC SƠN")
    );
    let out = dir.join("b.geojson");
    ok(&[
        "export",
        "--db",
        db,
        "--ward",
        "binh-minh",
        "--format",
        "geojson",
        "--out",
        s(&out),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(
        v["features"].as_array().unwrap().len().to_string(),
        rows[1][3]
    );
    // an unknown ward is refused, listing the wards
    let err = fails(&[
        "export",
        "--db",
        db,
        "--ward",
        "khong-co",
        "--format",
        "geojson",
        "--out",
        s(&out),
    ]);
    assert!(
        err.contains("khong-co") && err.contains("binh-minh"),
        "{err}"
    );
    // rename
    stdout(&[
        "ward",
        "rename",
        "binh-minh",
        "--name",
        "Bình Minh Mới",
        "--db",
        db,
    ]);
    assert!(stdout(&["ward", "list", "--db", db]).contains("Bình Minh Mới"));
}

#[test]
fn a_ward_option_never_renames_a_named_ward_and_names_a_print_as_before() {
    let dir = scratch(PREFIX, "compat");
    let (seg, par) = demo_files(&dir);
    let db = dir.join("phuong.db");
    let db = s(&db);
    ok(&[
        "import",
        "--db",
        db,
        "--ward",
        "Hàm Rồng",
        "--segments",
        &seg,
        "--parcels",
        &par,
    ]);
    assert!(stdout(&["ward", "list", "--db", db]).contains("Hàm Rồng"));
    // another name on a named ward: refused, nothing written
    let before = std::fs::read(db).unwrap();
    let err = fails(&[
        "import",
        "--db",
        db,
        "--ward",
        "Phường Khác",
        "--parcels",
        &par,
    ]);
    assert!(
        err.contains("hiendat ward add") && err.contains("--ward-name"),
        "{err}"
    );
    assert_eq!(std::fs::read(db).unwrap(), before, "nothing written");
    // the same ward by its name: imports
    ok(&[
        "import",
        "--db",
        db,
        "--ward",
        "Hàm Rồng",
        "--parcels",
        &par,
    ]);
    // --ward-name renames
    ok(&["import", "--db", db, "--ward-name", "Đông Hương"]);
    assert!(stdout(&["ward", "list", "--db", db]).contains("Đông Hương"));
    // a report's --ward that is no ward: this print's name, with a note
    let html = dir.join("r.html");
    let o = run(&[
        "report",
        "--db",
        db,
        "--ward",
        "Tân Sơn",
        "--by",
        "periodic",
        "--format",
        "html",
        "--as-of",
        "2026-11-28",
        "--out",
        s(&html),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--ward-name"));
    assert!(
        std::fs::read_to_string(&html)
            .unwrap()
            .contains("ĐẢNG ỦY PHƯỜNG TÂN SƠN")
    );
    // bad kind, bad code: refused naming the option
    let err = fails(&[
        "ward", "add", "--db", db, "--code", "x", "--name", "X", "--kind", "huyen",
    ]);
    assert!(err.contains("--kind"), "{err}");
    let err = fails(&["ward", "add", "--db", db, "--code", "Có Dấu", "--name", "X"]);
    assert!(err.to_lowercase().contains("code"), "{err}");
    assert_eq!(
        stdout(&["ward", "list", "--db", db]).lines().count(),
        2,
        "nothing added"
    );
}
