//! The `hiendat` binary end to end: demo → compute, bad input, options.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn hiendat(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hiendat"))
        .args(args)
        .output()
        .expect("runs")
}

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("hiendat-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A FeatureCollection of parcels given as (id JSON, ring) pairs.
fn parcels_json(items: &[(&str, &str)]) -> String {
    let feats: Vec<String> = items
        .iter()
        .map(|(id, ring)| {
            format!(
                r#"{{"type":"Feature","properties":{{"id":{id},"residential_group":"Tổ dân phố 3","owner":"Lê Thị Hoa"}},"geometry":{{"type":"Polygon","coordinates":[{ring}]}}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        feats.join(",")
    )
}

/// An east–west road in phường Ngọc Sơn, 10 m planned.
const ROAD: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"QL-1A","name":"Đường Lê Lợi","current_width_m":5,"planned_width_m":10},"geometry":{"type":"LineString","coordinates":[[105.7990,19.5100],[105.8010,19.5100]]}}]}"#;

/// A lot just north of ROAD reaching into its corridor (1e-5° ≈ 1.1 m).
const LOT: &str = "[[105.8000,19.51002],[105.80006,19.51002],[105.80006,19.51020],[105.8000,19.51020],[105.8000,19.51002]]";
/// A bow-tie: its edges cross.
const BOWTIE: &str = "[[105.8002,19.51002],[105.80026,19.51020],[105.80026,19.51002],[105.8002,19.51020],[105.8002,19.51002]]";

#[test]
fn a_demo_ward_computes_into_sorted_pairs_and_totals() {
    let d = tmpdir("demo");
    let o = hiendat(&["demo", "--parcels", "2000", "--seed", "3", "--out", s(&d)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (pairs, segs, groups) = (
        d.join("pairs.csv"),
        d.join("segments.csv"),
        d.join("groups.csv"),
    );
    let o = hiendat(&[
        "compute",
        "--segments",
        s(&d.join("segments.geojson")),
        "--parcels",
        s(&d.join("parcels.geojson")),
        "--out",
        s(&pairs),
        "--segments-out",
        s(&segs),
        "--groups-out",
        s(&groups),
        "--timings",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for phase in ["read", "validate", "project", "compute", "write"] {
        assert!(
            stderr(&o)
                .lines()
                .any(|l| l.starts_with(phase) && l.ends_with(" s")),
            "{phase}: {}",
            stderr(&o)
        );
    }
    let text = std::fs::read_to_string(&pairs).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "parcel_id,segment_id,area_in_corridor_m2,attributed_area_m2,frontage_m,depth_mean_m,depth_max_m"
        )
    );
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    assert!(
        rows.len() >= 2000,
        "every demo lot fronts a road: {} pairs",
        rows.len()
    );
    let keys: Vec<(u64, u64)> = rows
        .iter()
        .map(|r| (r[0].parse().unwrap(), r[1].parse().unwrap()))
        .collect();
    assert!(
        keys.windows(2).all(|w| w[0] < w[1]),
        "sorted by parcel then segment"
    );
    for r in &rows {
        for v in &r[2..] {
            assert!(
                v.split('.').nth(1).is_some_and(|f| f.len() >= 4),
                "{v}: at least 4 decimals"
            );
        }
        assert!(r[2].parse::<f64>().unwrap() > 1e-4);
    }
    // the segment totals add up the pairs' attributed areas
    let seg_text = std::fs::read_to_string(&segs).unwrap();
    let total_segs: f64 = seg_text
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(9).unwrap().parse::<f64>().unwrap())
        .sum();
    let total_pairs: f64 = rows.iter().map(|r| r[3].parse::<f64>().unwrap()).sum();
    assert!(
        (total_segs - total_pairs).abs() < 1e-3,
        "{total_segs} vs {total_pairs}"
    );
    let group_text = std::fs::read_to_string(&groups).unwrap();
    assert!(group_text.lines().nth(1).unwrap().starts_with("Tổ dân phố"));
}

#[test]
fn bad_parcels_are_all_named_and_nothing_is_written() {
    let d = tmpdir("bad");
    std::fs::write(d.join("s.geojson"), ROAD).unwrap();
    std::fs::write(
        d.join("p.geojson"),
        parcels_json(&[
            ("1", LOT),
            ("2", BOWTIE),
            ("1", LOT),
            (
                r#""T-9""#,
                "[[19.51002,105.8],[19.51002,105.80006],[19.5102,105.80006],[19.51002,105.8]]",
            ),
        ]),
    )
    .unwrap();
    let out = d.join("pairs.csv");
    let o = hiendat(&[
        "compute",
        "--segments",
        s(&d.join("s.geojson")),
        "--parcels",
        s(&d.join("p.geojson")),
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("id 2") && err.to_lowercase().contains("self-intersect"),
        "{err}"
    );
    assert!(
        err.contains("id 1") && err.contains("same id as feature #0"),
        "{err}"
    );
    assert!(
        err.contains("T-9") && err.to_lowercase().contains("swap"),
        "{err}"
    );
    assert!(!out.exists(), "no output after a refused input");
    assert!(!d.join("pairs.csv.tmp").exists());
}

#[test]
fn repair_fixes_a_bow_tie_and_says_what_it_changed() {
    let d = tmpdir("repair");
    std::fs::write(d.join("s.geojson"), ROAD).unwrap();
    std::fs::write(
        d.join("p.geojson"),
        parcels_json(&[("1", LOT), ("2", BOWTIE)]),
    )
    .unwrap();
    let out = d.join("pairs.csv");
    let (sp, pp) = (d.join("s.geojson"), d.join("p.geojson"));
    let o = hiendat(&[
        "compute",
        "--segments",
        s(&sp),
        "--parcels",
        s(&pp),
        "--out",
        s(&out),
        "--repair",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("id 2"), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.lines().any(|l| l.starts_with("2,QL-1A,")), "{text}");
}

#[test]
fn string_ids_are_written_back_as_given_and_a_given_corridor_is_used() {
    let d = tmpdir("ids");
    std::fs::write(d.join("s.geojson"), ROAD).unwrap();
    std::fs::write(
        d.join("p.geojson"),
        parcels_json(&[(r#""Tờ 5, thửa 12""#, LOT)]),
    )
    .unwrap();
    let out = d.join("pairs.csv");
    let o = hiendat(&[
        "compute",
        "--segments",
        s(&d.join("s.geojson")),
        "--parcels",
        s(&d.join("p.geojson")),
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).unwrap();
    let row = text.lines().nth(1).unwrap();
    assert!(row.starts_with("\"Tờ 5, thửa 12\",QL-1A,"), "{row}");
    let offset_area: f64 = row.rsplit(',').nth(4).unwrap().parse().unwrap();

    // a right-of-way polygon reaching 8 m north instead of 5 m takes more of the lot
    let corridor = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"segment_id":"QL-1A"},"geometry":{"type":"Polygon","coordinates":[[[105.7990,19.50995],[105.8010,19.50995],[105.8010,19.510072],[105.7990,19.510072],[105.7990,19.50995]]]}}]}"#;
    std::fs::write(d.join("c.geojson"), corridor).unwrap();
    let o = hiendat(&[
        "compute",
        "--segments",
        s(&d.join("s.geojson")),
        "--parcels",
        s(&d.join("p.geojson")),
        "--corridors",
        s(&d.join("c.geojson")),
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).unwrap();
    let given_area: f64 = text
        .lines()
        .nth(1)
        .unwrap()
        .rsplit(',')
        .nth(4)
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        given_area > offset_area + 10.0,
        "{given_area} vs {offset_area}"
    );
}

#[test]
fn the_crs_is_configuration_and_an_unknown_one_is_refused() {
    let d = tmpdir("crs");
    std::fs::write(d.join("s.geojson"), ROAD).unwrap();
    std::fs::write(d.join("p.geojson"), parcels_json(&[("1", LOT)])).unwrap();
    let area = |crs: &str| -> Result<f64, String> {
        let out = d.join(format!("{}.csv", crs.replace([':', ' ', '+', '='], "_")));
        let o = hiendat(&[
            "compute",
            "--segments",
            s(&d.join("s.geojson")),
            "--parcels",
            s(&d.join("p.geojson")),
            "--out",
            s(&out),
            "--crs",
            crs,
        ]);
        if !o.status.success() {
            return Err(stderr(&o));
        }
        let text = std::fs::read_to_string(&out).unwrap();
        Ok(text
            .lines()
            .nth(1)
            .unwrap()
            .split(',')
            .nth(2)
            .unwrap()
            .parse()
            .unwrap())
    };
    let tm3 = area("EPSG:5897").unwrap();
    let utm = area("EPSG:32648").unwrap();
    // the same strip measured in UTM (k 0.9996, 80 km off its meridian) differs slightly
    assert!(
        (tm3 - utm).abs() > 1e-4 && (tm3 - utm).abs() / tm3 < 1e-3,
        "{tm3} vs {utm}"
    );
    let err = area("EPSG:1234").unwrap_err();
    assert!(err.contains("EPSG:1234"), "{err}");
}

#[test]
fn a_missing_file_is_named() {
    let o = hiendat(&[
        "compute",
        "--segments",
        "/nonexistent/s.geojson",
        "--parcels",
        "/nonexistent/p.geojson",
        "--out",
        "/tmp/x.csv",
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("/nonexistent/s.geojson"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn import_writes_the_database_then_reimport_changes_nothing_and_a_bad_file_is_refused() {
    let d = tmpdir("import");
    let (seg, par, db) = (d.join("s.geojson"), d.join("p.geojson"), d.join("w.db"));
    std::fs::write(&seg, ROAD).unwrap();
    std::fs::write(&par, parcels_json(&[("1", LOT)])).unwrap();
    let args = [
        "import",
        "--db",
        s(&db),
        "--segments",
        s(&seg),
        "--parcels",
        s(&par),
    ];
    let dry = hiendat(&[&args[..], &["--dry-run"]].concat());
    assert!(dry.status.success(), "{}", stderr(&dry));
    let out = String::from_utf8_lossy(&dry.stdout).into_owned();
    assert!(
        out.contains("dry run") && out.contains("parcels: thêm / added 1"),
        "{out}"
    );

    let first = hiendat(&args);
    assert!(first.status.success(), "{}", stderr(&first));
    let out = String::from_utf8_lossy(&first.stdout).into_owned();
    assert!(out.contains("segments: thêm / added 1"), "{out}");
    assert!(out.contains("1 thửa / parcels, 1 dòng / rows"), "{out}");

    let again = hiendat(&args);
    let out = String::from_utf8_lossy(&again.stdout).into_owned();
    assert!(
        out.contains("parcels: thêm / added 0, cập nhật / updated 0, không đổi / unchanged 1"),
        "{out}"
    );
    assert!(out.contains("0 thửa / parcels"), "{out}");

    std::fs::write(&par, parcels_json(&[("1", LOT), ("2", BOWTIE)])).unwrap();
    let bad = hiendat(&args);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("id 2"), "{}", stderr(&bad));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn households_come_in_with_the_import_and_a_bad_row_refuses_the_whole_file() {
    let d = tmpdir("households");
    let (seg, par, db, hh) = (
        d.join("s.geojson"),
        d.join("p.geojson"),
        d.join("w.db"),
        d.join("h.csv"),
    );
    std::fs::write(&seg, ROAD).unwrap();
    std::fs::write(&par, parcels_json(&[("1", LOT)])).unwrap();
    std::fs::write(
        &hh,
        "\u{feff}parcel_id,head_name,address,phone,is_member_family\n1,Nguyễn Văn Hùng,\"Số 12, Đường Lê Lợi\",0912 345 678,có\n",
    )
    .unwrap();
    let args = |h: &Path| {
        vec![
            "import".to_string(),
            "--db".into(),
            s(&db).into(),
            "--segments".into(),
            s(&seg).into(),
            "--parcels".into(),
            s(&par).into(),
            "--households".into(),
            s(h).into(),
        ]
    };
    let run = |h: &Path| {
        let a = args(h);
        hiendat(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let ok = run(&hh);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let out = String::from_utf8_lossy(&ok.stdout).into_owned();
    assert!(
        out.contains("hộ gia đình / households: thêm / added 1"),
        "{out}"
    );

    // an unknown yes/no value on line 2: refused, named, the database untouched
    let bad = d.join("bad.csv");
    std::fs::write(
        &bad,
        "parcel_id,head_name,is_member_family\n1,Lê Thị Hoa,có lẽ\n",
    )
    .unwrap();
    let before = std::fs::metadata(&db).unwrap().len();
    let o = run(&bad);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("bad.csv") && err.contains('2'), "{err}");
    assert_eq!(std::fs::metadata(&db).unwrap().len(), before);
}

#[test]
fn structures_come_in_with_the_import_replace_a_parcels_own_and_bad_files_change_nothing() {
    let d = tmpdir("structures");
    let (seg, par, db) = (d.join("s.geojson"), d.join("p.geojson"), d.join("w.db"));
    std::fs::write(&seg, ROAD).unwrap();
    std::fs::write(&par, parcels_json(&[("1", LOT)])).unwrap();
    let run = |csv: &str| {
        let f = d.join("c.csv");
        std::fs::write(&f, csv).unwrap();
        hiendat(&[
            "import",
            "--db",
            s(&db),
            "--segments",
            s(&seg),
            "--parcels",
            s(&par),
            "--structures",
            s(&f),
        ])
    };
    let ok = run(
        "\u{feff}parcel_id,kind,quantity,unit,value_vnd,donated,note\n\
         1,Tường rào,\"6,5\",m,3.900.000,có,\n\
         1,Cổng,1,cái,,không,Cổng sắt\n",
    );
    assert!(ok.status.success(), "{}", stderr(&ok));
    let out = String::from_utf8_lossy(&ok.stdout).into_owned();
    assert!(
        out.contains(
            "công trình trên đất / structures: thêm / added 2, xóa / removed 0, không đổi / unchanged 0"
        ),
        "{out}"
    );
    let again = run("parcel_id,kind,quantity,unit,donated\n1,wall,8,m,1\n");
    let out = String::from_utf8_lossy(&again.stdout).into_owned();
    assert!(out.contains("thêm / added 1, xóa / removed 2"), "{out}");

    // bad rows: every one named, nothing written
    let before = std::fs::read(&db).unwrap();
    let bad = run("parcel_id,kind,quantity,unit,donated\n1,nhà kho,1,m,1\n1,wall,-1,km,1\n");
    assert!(!bad.status.success());
    let err = stderr(&bad);
    assert!(
        err.contains("dòng 2, cột kind")
            && err.contains("dòng 3, cột quantity")
            && err.contains("dòng 3, cột unit"),
        "{err}"
    );
    // an unknown parcel on line 3: refused, the database untouched
    let unknown = run("parcel_id,kind,quantity,unit,donated\n1,gate,1,item,1\n7,gate,1,item,1\n");
    assert!(!unknown.status.success());
    let err = stderr(&unknown);
    assert!(err.contains("dòng 3: không tìm thấy thửa đất 7"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_coordinate_table_lists_a_groups_parcels_in_vn2000_north_first() {
    use hiendat::geometry::crs::Crs;
    use hiendat::store::{ParcelFilter, Store};
    let d = tmpdir("export");
    let db = d.join("w.db");
    let o = hiendat(&["demo", "--parcels", "500", "--db", s(&db)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let store = Store::open(&db).unwrap();
    let group = store.group_names().unwrap()[0].clone();
    let want = store
        .parcels(&ParcelFilter {
            group: Some(group.clone()),
            ..ParcelFilter::default()
        })
        .unwrap();
    drop(store);
    let out = d.join("toa-do.csv");
    let o = hiendat(&[
        "export",
        "--db",
        s(&db),
        "--format",
        "csv",
        "--layer",
        "parcels",
        "--group",
        &group,
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let ids: std::collections::BTreeSet<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(ids.len(), want.len());

    // The first parcel's exterior, point by point, against PROJ's transform.
    let crs = Crs::vn2000_thanh_hoa();
    let p = &want[0];
    let ring = &p.polygons[0][0];
    let mine: Vec<&csv::StringRecord> = rows
        .iter()
        .filter(|r| &r[0] == p.id.as_str() && &r[3] == "1" && &r[4] == "1")
        .collect();
    assert_eq!(mine.len(), ring.len() - 1, "closing point dropped");
    let num = |r: &csv::StringRecord, i: usize| r[i].parse::<f64>().unwrap();
    for (k, r) in mine.iter().enumerate() {
        assert_eq!(num(r, 5) as usize, k + 1);
        let [e, n] = crs.to_projected(ring[k][0], ring[k][1]).unwrap();
        assert!(
            (num(r, 6) - n).abs() < 0.001 && (num(r, 7) - e).abs() < 0.001,
            "{r:?}"
        );
        let next = mine[(k + 1) % mine.len()];
        let side = (num(next, 6) - num(r, 6)).hypot(num(next, 7) - num(r, 7));
        assert!((num(r, 8) - side).abs() < 0.002, "{r:?}");
    }

    // Nothing to export: an error, and no file.
    let none = d.join("none.csv");
    let o = hiendat(&[
        "export",
        "--db",
        s(&db),
        "--format",
        "csv",
        "--layer",
        "parcels",
        "--group",
        "Tổ 999",
        "--out",
        s(&none),
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("no residential group named \"Tổ 999\""),
        "{}",
        stderr(&o)
    );
    assert!(!none.exists());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn the_organisation_imports_from_its_folder_and_reports_come_out_in_three_formats() {
    let dir = tmpdir("org");
    let db = dir.join("ward.db");
    let made = hiendat(&["demo", "--db", s(&db), "--parcels", "800"]);
    assert!(made.status.success(), "{}", stderr(&made));
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/data/org-sample");
    // a broken copy: a member's parcel and a lead's group the ward lacks
    let broken = dir.join("org-broken");
    std::fs::create_dir_all(&broken).unwrap();
    for f in ["cells.csv", "members.csv", "assignments.csv", "leads.csv"] {
        std::fs::copy(Path::new(sample).join(f), broken.join(f)).unwrap();
    }
    let members = std::fs::read_to_string(broken.join("members.csv")).unwrap();
    std::fs::write(
        broken.join("members.csv"),
        members.replace(",15\n", ",99999\n"),
    )
    .unwrap();
    let leads = std::fs::read_to_string(broken.join("leads.csv")).unwrap();
    std::fs::write(
        broken.join("leads.csv"),
        leads.replace("Tổ dân phố 3", "Tổ dân phố 33"),
    )
    .unwrap();
    let before = std::fs::read(&db).unwrap();
    let out = hiendat(&["import", "--db", s(&db), "--org", s(&broken)]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("members.csv, dòng 4: không có thửa đất 99999"),
        "{err}"
    );
    assert!(
        err.contains("leads.csv, line 3: no residential group \"Tổ dân phố 33\""),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "a failed import changes nothing"
    );
    let out = hiendat(&[
        "import",
        "--db",
        s(&db),
        "--org",
        sample,
        "--ward",
        "Ngọc Sơn",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("2 chi bộ, 4 đảng viên, 6 phân công, 3 ủy viên phụ trách"),
        "{said}"
    );

    let report = |args: &[&str]| {
        let mut all = vec!["report", "--db", s(&db), "--as-of", "28/11/2026"];
        all.extend_from_slice(args);
        let out = hiendat(&all);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        out
    };
    let xlsx = dir.join("r.xlsx");
    report(&["--by", "all", "--format", "xlsx", "--out", s(&xlsx)]);
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
    let html = dir.join("r.html");
    report(&[
        "--by",
        "cell,member",
        "--from",
        "2026-11-01",
        "--format",
        "html",
        "--out",
        s(&html),
    ]);
    let page = std::fs::read_to_string(&html).unwrap();
    for want in [
        "ĐẢNG ỦY PHƯỜNG NGỌC SƠN",
        "Chi bộ Khu phố 1",
        "Trần Văn Minh",
        "Từ ngày 01/11/2026 đến ngày 28/11/2026",
    ] {
        assert!(page.contains(want), "{want}");
    }
    let csv = dir.join("r.csv");
    report(&["--by", "member", "--format", "csv", "--out", s(&csv)]);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("\u{feff}member_code,member,cell,assigned"),
        "{text}"
    );
    // DV002 has parcels 2 (since 15/08) and 3
    assert!(
        text.lines()
            .any(|l| l.starts_with("DV002,Trần Văn Minh,Chi bộ Khu phố 1,2,")),
        "{text}"
    );
    // several cuts as CSV: a zip
    let zip = dir.join("r.zip");
    report(&["--by", "group,segment", "--format", "csv", "--out", s(&zip)]);
    assert!(std::fs::read(&zip).unwrap().starts_with(b"PK"));

    // freezing keeps the report as issued
    let frozen = report(&[
        "--by",
        "group",
        "--format",
        "csv",
        "--freeze",
        "--out",
        s(&csv),
    ]);
    assert!(
        stderr(&frozen).contains("đã chốt báo cáo số 2"),
        "{}",
        stderr(&frozen)
    );
    let listed = report(&["--list-frozen"]);
    assert_eq!(String::from_utf8_lossy(&listed.stdout).lines().count(), 2);
    let again = dir.join("again.csv");
    report(&["--frozen", "2", "--format", "csv", "--out", s(&again)]);
    assert_eq!(std::fs::read(&again).unwrap(), std::fs::read(&csv).unwrap());

    let out = hiendat(&["report", "--db", s(&db), "--by", "street"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("--by street: không biết cách cắt"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_export_in_a_crs_in_feet_is_refused_as_feet_not_as_unknown() {
    let d = tmpdir("export-feet");
    let out = d.join("ny.gpkg");
    // New York State Plane, US survey feet: read from files, never written
    let o = hiendat(&[
        "export",
        "--db",
        s(&d.join("none.db")),
        "--format",
        "gpkg",
        "--crs",
        "EPSG:2263",
        "--out",
        s(&out),
    ]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("--crs")
            && e.contains("EPSG:2263")
            && e.contains("feet are not exported, metres only"),
        "{e}"
    );
    assert!(e.contains("bằng mét"), "{e}");
    assert!(!e.contains("no WKT definition"), "{e}");
    assert!(!out.exists());
}
