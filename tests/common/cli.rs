//! What the command-line tests share: the built binary, run and checked,
//! GDAL's tools, and a scratch folder per test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `hiendat` binary cargo built for the tests.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_hiendat")
}

/// Runs hiendat with `args`.
pub fn run(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .output()
        .expect("hiendat runs")
}

/// Runs hiendat, which must succeed; what it said on stderr (the report).
pub fn ok(args: &[&str]) -> String {
    let o = run(args);
    assert!(
        o.status.success(),
        "hiendat {args:?} failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs a GDAL tool (`ogr2ogr`, `ogrinfo`), which must succeed: its stdout.
pub fn gdal(name: &str, args: &[&str]) -> String {
    let o = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} is needed (Debian's gdal-bin): {e}"));
    assert!(
        o.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// An empty folder `{prefix}{name}` in the tests' temporary folder (what
/// an earlier run left there goes).
pub fn scratch(prefix: &str, name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{prefix}{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A path as an argument.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}
