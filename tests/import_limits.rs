//! The importers' bounds (issue 16, item 9), each with a small hostile file
//! built here: a zip member declaring a huge size, a zip bomb by ratio, a
//! zip whose header lies about a member's size, a CSV with a huge line or
//! too many columns, a file over its kind's size limit, a GeoPackage whose
//! layer (or whose own table) is a recursive view, and a GeoPackage read
//! stopped by the SQLite step and time limits. Each gives its error at once,
//! naming the file and the limit.

use hiendat::formats::gpkg;
use hiendat::formats::layer::{Feature, Field, FieldKind, GeomKind, Geometry, Layer, Value};
use hiendat::formats::limits::Limits;
use hiendat::formats::{csv_wkt, households, shp, structures};
use std::io::{Cursor, Write};
use std::path::PathBuf;
use std::time::Duration;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("hiendat-import-limits-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// A zip of `a.shp` (`shp`, deflated) and a tiny `a.dbf`.
fn zip_of(shp: &[u8]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file("a.shp", o).unwrap();
    w.write_all(shp).unwrap();
    w.start_file("a.dbf", o).unwrap();
    w.write_all(b"\x03\x7e\x01\x01\0\0\0\0\x21\0\x01\0")
        .unwrap();
    w.finish().unwrap().into_inner()
}

/// Sets the declared unpacked size of member `name` in both its local and
/// its central header.
fn declare_size(zip: &mut [u8], name: &[u8], size: u32) {
    let mut patched = 0;
    for i in 0..zip.len().saturating_sub(46) {
        let sig = &zip[i..i + 4];
        let (size_at, name_at) = if sig == b"PK\x03\x04" {
            (22, 30)
        } else if sig == b"PK\x01\x02" {
            (24, 46)
        } else {
            continue;
        };
        if zip.get(i + name_at..i + name_at + name.len()) == Some(name) {
            zip[i + size_at..i + size_at + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "both headers of the member");
}

fn zip_error(bytes: Vec<u8>) -> String {
    match shp::read_zip(Cursor::new(bytes), "parcels.zip", None) {
        Ok(_) => panic!("the zip was read"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn zip_member_declaring_a_huge_size_is_refused_from_the_central_directory() {
    let mut z = zip_of(&[7u8; 1000]);
    declare_size(&mut z, b"a.shp", 0xFFFF_FF00);
    let e = zip_error(z);
    assert!(
        e.contains("parcels.zip: a.shp giải nén ra 4096.0 MB, vượt giới hạn 1024 MB mỗi tệp")
            && e.contains("over the 1024 MB limit per member"),
        "{e}"
    );
}

#[test]
fn zip_bomb_by_ratio_is_refused_before_unpacking() {
    let e = zip_error(zip_of(&vec![0u8; 8 << 20]));
    assert!(
        e.contains("parcels.zip: a.shp nén") && e.contains("ratio limit of 200"),
        "{e}"
    );
}

#[test]
fn zip_member_unpacking_past_its_declared_size_is_stopped() {
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let mut z = zip_of(&data);
    declare_size(&mut z, b"a.shp", 1000);
    // the zip crate stops there too; either refusal names the zip
    let e = zip_error(z);
    assert!(
        e.starts_with("parcels.zip: ") && e.contains("declare"),
        "{e}"
    );
}

#[test]
fn zip_limits_are_the_callers_to_choose() {
    let z = zip_of(&[7u8; 5000]);
    let small = Limits {
        member_bytes: 4096,
        ..Limits::DEFAULT
    };
    let e = shp::read_zip_within(Cursor::new(z), "p.zip", None, &small)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("vượt giới hạn 4 KB mỗi tệp"), "{e}");
}

#[test]
fn csv_with_a_huge_line_is_refused_naming_the_line_and_the_limit() {
    // 5 MB of fields, each shorter than the field limit
    let mut csv = b"parcel_id,head_name\n1,An\n2".to_vec();
    for _ in 0..200 {
        csv.push(b',');
        csv.extend(std::iter::repeat_n(b'x', 26_000));
    }
    csv.push(b'\n');
    let e = households::read_households(&csv).unwrap_err().to_string();
    assert!(
        e.contains("dòng 3: dòng dài quá giới hạn 4 MB") && e.contains("4 MB limit"),
        "{e}"
    );
    let e = structures::read_structures(&csv).unwrap_err().to_string();
    assert!(e.contains("dòng dài quá giới hạn 4 MB"), "{e}");
    let e = csv_wkt::read(&csv, "parcels").unwrap_err().to_string();
    assert!(
        e.contains("parcels: dòng 3: dòng dài quá giới hạn 4 MB"),
        "{e}"
    );
}

#[test]
fn sparse_csv_is_refused_by_its_columns_and_its_problems_are_capped() {
    // the shape of the 2 GB sparse file: rows of nothing but separators
    let mut csv = b"parcel_id,head_name\n".to_vec();
    csv.extend(std::iter::repeat_n(b',', 300));
    let e = households::read_households(&csv).unwrap_err().to_string();
    assert!(e.contains("dòng 2: quá giới hạn 256 cột"), "{e}");
    // a row with the wrong field count, again and again: 1000 problems, then a stop
    let mut csv = b"parcel_id,head_name\n".to_vec();
    for _ in 0..5000 {
        csv.extend_from_slice(b"1,2,3\n");
    }
    let e = households::read_households(&csv).unwrap_err();
    assert_eq!(e.0.len(), 1001, "{}", e.0.len());
    assert!(
        e.to_string()
            .contains("more than the limit of 1000 problems: reading stopped"),
        "{e}"
    );
}

#[test]
fn a_file_over_its_kinds_limit_is_refused_by_name_without_reading_it() {
    let p = tmp("parcels.csv");
    let f = std::fs::File::create(&p).unwrap();
    f.set_len(201 << 20).unwrap(); // sparse: no disk used
    let e = hiendat::ops::files::read(&p).err().unwrap();
    assert!(
        e.contains("parcels.csv (201 MB) vượt giới hạn 200 MB")
            && e.contains("exceeds the 200 MB limit"),
        "{e}"
    );
    let o = hiendat::formats::surveyor::ReadOptions::default();
    let e = hiendat::formats::surveyor::read_parcels(&p, &o)
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("tệp parcels.csv (201 MB) vượt giới hạn 200 MB"),
        "{e}"
    );
    std::fs::remove_file(&p).unwrap();
}

/// A GeoPackage of `n` square parcels.
fn gpkg_of(name: &str, n: usize) -> PathBuf {
    let mut l = Layer::new(
        "parcels",
        "parcels",
        GeomKind::Polygon,
        vec![Field::new("id", FieldKind::Integer)],
    );
    for i in 0..n {
        let (x, y) = (105.8 + i as f64 * 1e-4, 21.0);
        let ring = vec![
            [x, y],
            [x + 1e-5, y],
            [x + 1e-5, y + 1e-5],
            [x, y + 1e-5],
            [x, y],
        ];
        l.features.push(Feature {
            geometry: Geometry::Polygons(vec![vec![ring]]),
            values: vec![Value::Integer(i as i64)],
        });
    }
    l.srs = Some(hiendat::formats::srs::wgs84());
    let p = tmp(name);
    let _ = std::fs::remove_file(&p);
    gpkg::write(&p, &[l]).unwrap();
    p
}

const RECURSIVE: &str = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)";

#[test]
fn gpkg_layer_that_is_a_recursive_view_is_refused() {
    let p = gpkg_of("view.gpkg", 3);
    let c = rusqlite::Connection::open(&p).unwrap();
    c.execute_batch(&format!(
        "PRAGMA foreign_keys = OFF;
         CREATE VIEW parcels_view AS {RECURSIVE} SELECT n AS fid, geom, id FROM r, parcels;
         UPDATE gpkg_contents SET table_name = 'parcels_view';
         UPDATE gpkg_geometry_columns SET table_name = 'parcels_view';"
    ))
    .unwrap();
    drop(c);
    let e = gpkg::read(&p).unwrap_err().to_string();
    assert!(
        e.contains("lớp parcels_view của view.gpkg là một view (truy vấn), không phải bảng thật")
            && e.contains("is a view, not a real table"),
        "{e}"
    );
}

#[test]
fn gpkg_whose_contents_table_is_a_recursive_view_is_refused() {
    let p = gpkg_of("contents.gpkg", 3);
    let c = rusqlite::Connection::open(&p).unwrap();
    c.execute_batch(&format!(
        "ALTER TABLE gpkg_contents RENAME TO old_contents;
         CREATE VIEW gpkg_contents AS {RECURSIVE} SELECT o.* FROM r, old_contents o;"
    ))
    .unwrap();
    drop(c);
    let e = gpkg::read(&p).unwrap_err().to_string();
    assert!(
        e.contains("lớp gpkg_contents của contents.gpkg là một view"),
        "{e}"
    );
}

#[test]
fn gpkg_read_stops_at_the_step_and_time_limits() {
    let p = gpkg_of("steps.gpkg", 5000);
    assert_eq!(gpkg::read(&p).unwrap()[0].features.len(), 5000);
    let steps = Limits {
        sqlite_steps: 10_000,
        ..Limits::DEFAULT
    };
    let e = gpkg::read_within(&p, &steps).unwrap_err().to_string();
    assert!(
        e.contains("đọc steps.gpkg vượt giới hạn 10000 bước SQLite"),
        "{e}"
    );
    let time = Limits {
        sqlite_time: Duration::ZERO,
        ..Limits::DEFAULT
    };
    let e = gpkg::read_within(&p, &time).unwrap_err().to_string();
    assert!(e.contains("vượt giới hạn thời gian 0 giây"), "{e}");
}

#[test]
fn gpkg_values_longer_than_the_limit_are_refused() {
    let p = gpkg_of("long.gpkg", 3);
    let c = rusqlite::Connection::open(&p).unwrap();
    // a default is what the rows read (an update would run the R-tree triggers)
    let long = "x".repeat(100_000);
    c.execute_batch(&format!(
        "ALTER TABLE parcels ADD COLUMN note TEXT DEFAULT '{long}';"
    ))
    .unwrap();
    drop(c);
    let small = Limits {
        sqlite_value_bytes: 50_000,
        ..Limits::DEFAULT
    };
    assert!(gpkg::read_within(&p, &small).is_err());
    assert!(gpkg::read(&p).is_ok());
}

#[test]
fn the_import_command_and_the_organisation_folder_apply_the_limits() {
    use hiendat::ops::import::{FileImport, ImportFiles, import_files};
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus/geojson");
    let big = tmp("households.csv");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(300 << 20)
        .unwrap();
    let files = ImportFiles {
        segments: Some(corpus.join("segments.geojson")),
        parcels: Some(corpus.join("parcels.geojson")),
        households: Some(big.clone()),
        ..ImportFiles::default()
    };
    let db = tmp("limits.db");
    let e = import_files(&FileImport {
        db: &db,
        files: &files,
        org: None,
        ward: None,
        ward_name: None,
        dry_run: true,
        note: &|_| {},
        progress: None,
    })
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("households.csv (300 MB) vượt giới hạn 200 MB"),
        "{e}"
    );
    std::fs::remove_file(&big).unwrap();

    let org = tmp("org");
    std::fs::create_dir_all(&org).unwrap();
    std::fs::File::create(org.join("cells.csv"))
        .unwrap()
        .set_len(201 << 20)
        .unwrap();
    let e = hiendat::formats::org::read_dir(&org)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("cells.csv, dòng 0: tệp (201 MB) vượt giới hạn 200 MB"),
        "{e}"
    );
    std::fs::remove_dir_all(&org).unwrap();
}
