//! The layers point one way (DESIGN.md, "Shape of the code"): the doors
//! (`api`, `main.rs`) → the use cases (`ops`, `demo`) → `report` and the
//! domain (`campaign`) → `geometry`; `store` and `formats` below the use
//! cases, persisting and reading files, measuring and rendering nothing.
//! This test reads every source file and fails on an import that reaches a
//! layer it may not, naming the file and the line. Test modules (`tests.rs`,
//! and what follows `#[cfg(test)]`) may reach further: they build fixtures.

use std::path::{Path, PathBuf};

/// What each top-level module may import from the crate (besides itself).
const ALLOWED: &[(&str, &[&str])] = &[
    ("geometry", &[]),
    ("campaign", &["geometry"]),
    ("report", &["campaign", "geometry"]),
    ("store", &["campaign", "geometry"]),
    ("formats", &["campaign", "geometry"]),
    (
        "ops",
        &["campaign", "geometry", "report", "store", "formats"],
    ),
    (
        "demo",
        &["campaign", "geometry", "report", "store", "formats", "ops"],
    ),
    (
        "api",
        &[
            "campaign", "geometry", "report", "store", "formats", "ops", "demo",
        ],
    ),
    (
        "main",
        &[
            "api", "campaign", "geometry", "report", "store", "formats", "ops", "demo",
        ],
    ),
];

const MODULES: [&str; 8] = [
    "geometry", "campaign", "report", "store", "formats", "ops", "demo", "api",
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file of `src/` belongs to.
fn layer(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.trim_end_matches(".rs");
    (name != "lib").then(|| name.to_string())
}

/// `crate::X` (or, in the binary, `hiendat::X`) on each line before the
/// first `#[cfg(test)]`: (line number, X).
fn imports(text: &str, prefix: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find(prefix) {
            let after = &rest[at + prefix.len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.push((i + 1, name));
            rest = after;
        }
    }
    out
}

fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    sources(src, &mut files);
    files.sort();
    let mut bad = Vec::new();
    for f in files {
        // test modules (`tests.rs`, `wards_tests.rs`, …) build fixtures
        if f.file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with("tests.rs"))
        {
            continue;
        }
        let Some(me) = layer(src, &f) else { continue };
        let Some((_, allowed)) = ALLOWED.iter().find(|(m, _)| *m == me) else {
            bad.push(format!(
                "{}: a module with no place among the layers",
                f.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(&f).unwrap();
        let prefix = if me == "main" { "hiendat::" } else { "crate::" };
        for (line, used) in imports(&text, prefix) {
            if used != me && MODULES.contains(&used.as_str()) && !allowed.contains(&used.as_str()) {
                bad.push(format!("{}:{line}: {me} imports {used}", f.display()));
            }
        }
    }
    bad
}

#[test]
fn no_module_imports_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let bad = violations(&src);
    assert!(
        bad.is_empty(),
        "imports that reach up a layer:\n  {}",
        bad.join("\n  ")
    );
}

#[test]
fn the_check_sees_an_import_that_reaches_up() {
    // a store that renders, a geometry that knows the domain: both caught
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("architecture-src");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("store")).unwrap();
    std::fs::create_dir_all(dir.join("geometry")).unwrap();
    std::fs::write(
        dir.join("store/mod.rs"),
        "use crate::campaign::FeatureId;\nuse crate::report::Report; // renders\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("geometry/x.rs"),
        "fn f() -> crate::campaign::FeatureId { todo!() }\n#[cfg(test)]\nmod tests { use crate::ops; }\n",
    )
    .unwrap();
    std::fs::write(dir.join("store/tests.rs"), "use crate::ops::import;\n").unwrap();
    let bad = violations(&dir);
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert!(
        bad[0].ends_with("geometry/x.rs:1: geometry imports campaign"),
        "{bad:?}"
    );
    assert!(
        bad[1].ends_with("store/mod.rs:2: store imports report"),
        "{bad:?}"
    );
}

/// Where the database engine may be named: the store, and the GeoPackage
/// reader and writer (a GeoPackage is an SQLite file the users hand in or
/// take away, not the store). Everything above the store sees its methods
/// and plain rows only, so another store (PostGIS, docs/province.md) is a
/// new module under `store/`, not a change to the layers above it.
const ENGINE_ALLOWED: [&str; 2] = ["store/", "formats/gpkg/"];

fn engine_leaks(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    sources(src, &mut files);
    files.sort();
    let mut bad = Vec::new();
    for f in files {
        let rel = f
            .strip_prefix(src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel.ends_with("tests.rs") || ENGINE_ALLOWED.iter().any(|a| rel.starts_with(a)) {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("#[cfg(test)]") {
                break;
            }
            let code = line.split("//").next().unwrap_or("");
            if code.contains("rusqlite") {
                bad.push(format!("{rel}:{}: names rusqlite", i + 1));
            }
        }
    }
    bad
}

#[test]
fn the_database_engine_stays_in_the_store() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let bad = engine_leaks(&src);
    assert!(
        bad.is_empty(),
        "SQLite named above the store:\n  {}",
        bad.join("\n  ")
    );
}

#[test]
fn the_engine_check_sees_a_leak() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("architecture-engine");
    let _ = std::fs::remove_dir_all(&dir);
    for d in ["store", "ops", "formats/gpkg"] {
        std::fs::create_dir_all(dir.join(d)).unwrap();
    }
    std::fs::write(dir.join("store/mod.rs"), "use rusqlite::Connection;\n").unwrap();
    std::fs::write(
        dir.join("formats/gpkg/mod.rs"),
        "use rusqlite::Connection;\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("ops/x.rs"),
        "// rusqlite in a comment is fine\nfn f(e: rusqlite::Error) {}\n#[cfg(test)]\nmod t { use rusqlite::Connection; }\n",
    )
    .unwrap();
    std::fs::write(dir.join("ops/tests.rs"), "use rusqlite::Connection;\n").unwrap();
    assert_eq!(engine_leaks(&dir), ["ops/x.rs:2: names rusqlite"]);
}
