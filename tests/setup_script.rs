//! The README's test command, `./test`, sets up a fresh machine: it is run here with
//! `--setup-only` against stub commands (a PATH of a temp folder: stub `apt-get`, `npm`,
//! `id`, `dpkg-query`, the stub binaries the packages bring, and links to the few real tools
//! the script uses), on a temp copy of web/package-lock.json. The real system and the real
//! web/node_modules are never touched.

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// The real tools the script and the stubs call.
const REAL_TOOLS: &[&str] = &[
    "bash",
    "env",
    "sh",
    "sha256sum",
    "cat",
    "mkdir",
    "touch",
    "chmod",
];

/// What the stub `apt-get install` brings, per package: commands (empty for the fonts,
/// which the stub `dpkg-query` reports).
const PACKAGES: &[(&str, &[&str])] = &[
    ("chromium", &["chromium"]),
    ("fonts-noto-core", &[]),
    ("gdal-bin", &["ogrinfo"]),
    ("poppler-utils", &["pdftotext"]),
    ("libgeos-dev", &["geos-config"]),
    ("nodejs", &["node"]),
    ("npm", &["npm"]),
    ("gcc", &["cc"]),
    ("libc6-dev", &[]),
];

/// A machine: `bin/` is its whole PATH, `installed/` the packages dpkg knows, `apt.log` and
/// `npm.log` what those stubs were asked, `web/` the page's folder.
struct Machine {
    dir: PathBuf,
}

impl Machine {
    /// A machine where the commands of `installed` packages are there.
    fn new(name: &str, installed: &[&str]) -> Machine {
        let dir = std::env::temp_dir().join(format!("hiendat-setup-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for sub in ["bin", "installed", "web"] {
            fs::create_dir_all(dir.join(sub)).unwrap();
        }
        fs::copy(
            Path::new(REPO).join("web/package-lock.json"),
            dir.join("web/package-lock.json"),
        )
        .unwrap();
        let m = Machine { dir };
        for tool in REAL_TOOLS {
            symlink(real(tool), m.dir.join("bin").join(tool)).unwrap();
        }
        // apt-get logs each call; `install` brings the packages' commands (npm its stub).
        let mut cases = String::new();
        for (package, commands) in PACKAGES {
            let mut body = format!("touch \"$STUB/installed/{package}\";");
            for c in *commands {
                body += &format!(" install_cmd {c};");
            }
            cases += &format!("      {package}) {body} ;;\n");
        }
        m.script(
            "apt-get",
            &format!(
                r#"echo "$*" >>"$STUB/apt.log"
install_cmd() {{
  if [ "$1" = npm ]; then cat "$STUB/npm.stub" >"$STUB/bin/npm"; else printf '#!/bin/sh\n' >"$STUB/bin/$1"; fi
  chmod +x "$STUB/bin/$1"
}}
[ "$1" = install ] || exit 0
for p in "$@"; do
  case "$p" in
{cases}      -*|install) ;;
      *) echo "stub apt-get: unknown package $p" >&2; exit 100 ;;
  esac
done
"#
            ),
        );
        let npm = r#"#!/bin/sh
echo "$*" >>"$STUB/npm.log"
[ "$1" = ci ] && [ "$2" = --prefix ] || { echo "stub npm: unexpected $*" >&2; exit 1; }
mkdir -p "$3/node_modules"
"#;
        fs::write(m.dir.join("npm.stub"), npm).unwrap();
        m.script("id", r#"[ "$1" = -u ] && echo "$STUB_UID""#);
        m.script(
            "dpkg-query",
            r#"for last; do :; done
if [ -f "$STUB/installed/$last" ]; then printf 'install ok installed'; else echo "dpkg-query: no packages found matching $last" >&2; exit 1; fi"#,
        );
        for (package, commands) in PACKAGES {
            if installed.contains(package) {
                fs::write(m.dir.join("installed").join(package), "").unwrap();
                for c in *commands {
                    if *c == "npm" {
                        fs::copy(m.dir.join("npm.stub"), m.dir.join("bin/npm")).unwrap();
                        chmod_x(&m.dir.join("bin/npm"));
                    } else {
                        m.script(c, "");
                    }
                }
            }
        }
        m
    }

    fn script(&self, name: &str, body: &str) {
        let p = self.dir.join("bin").join(name);
        fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        chmod_x(&p);
    }

    /// `./test --setup-only` on this machine as the user `uid`.
    fn run(&self, uid: u32) -> Output {
        Command::new(Path::new(REPO).join("test"))
            .arg("--setup-only")
            .env_clear()
            .env("PATH", self.dir.join("bin"))
            .env("STUB", &self.dir)
            .env("STUB_UID", uid.to_string())
            .env("HIENDAT_WEB_DIR", self.dir.join("web"))
            .output()
            .expect("./test runs")
    }

    /// The lines of apt.log or npm.log (empty when the stub was never called); clears it.
    fn take_log(&self, name: &str) -> Vec<String> {
        let p = self.dir.join(name);
        let text = fs::read_to_string(&p).unwrap_or_default();
        let _ = fs::remove_file(&p);
        text.lines().map(str::to_owned).collect()
    }
}

impl Drop for Machine {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn chmod_x(p: &Path) {
    fs::set_permissions(p, fs::Permissions::from_mode(0o755)).unwrap();
}

/// A real tool's path, from the PATH the test runs with.
fn real(tool: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(tool))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("`{tool}` is not on PATH"))
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const NPM_CI: &str = "--no-audit --no-fund";

#[test]
fn a_fresh_machine_gets_what_it_lacks_and_a_second_run_changes_nothing() {
    // This project's kind of machine: Rust, gcc, node and npm; no chromium, fonts, GDAL, poppler.
    let m = Machine::new("fresh", &["gcc", "libc6-dev", "nodejs", "npm"]);
    let web = m.dir.join("web");

    let o = m.run(0);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        m.take_log("apt.log"),
        [
            "update",
            "install -y --no-install-recommends chromium fonts-noto-core gdal-bin poppler-utils libgeos-dev"
        ],
        "{}",
        text(&o)
    );
    assert_eq!(
        m.take_log("npm.log"),
        [format!("ci --prefix {} {NPM_CI}", web.display())],
        "{}",
        text(&o)
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("installing chromium fonts-noto-core gdal-bin poppler-utils libgeos-dev"),
        "{}",
        text(&o)
    );

    // Second run: nothing to install, node_modules up to date.
    let o = m.run(0);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(m.take_log("apt.log"), Vec::<String>::new(), "{}", text(&o));
    assert_eq!(m.take_log("npm.log"), Vec::<String>::new(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("nothing to install"),
        "{}",
        text(&o)
    );

    // A changed lock file makes node_modules stale: npm ci again, still no apt-get.
    let lock = web.join("package-lock.json");
    let mut changed = fs::read_to_string(&lock).unwrap();
    changed.push('\n');
    fs::write(&lock, changed).unwrap();
    let o = m.run(0);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(m.take_log("apt.log"), Vec::<String>::new(), "{}", text(&o));
    assert_eq!(m.take_log("npm.log").len(), 1, "{}", text(&o));
}

#[test]
fn a_bare_machine_gets_everything() {
    let m = Machine::new("bare", &[]);
    let o = m.run(0);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        m.take_log("apt.log"),
        [
            "update",
            "install -y --no-install-recommends gcc libc6-dev nodejs npm chromium fonts-noto-core gdal-bin poppler-utils libgeos-dev"
        ],
        "{}",
        text(&o)
    );
    assert_eq!(m.take_log("npm.log").len(), 1, "{}", text(&o));
    let o = m.run(0);
    assert!(o.status.success(), "{}", text(&o));
    assert!(m.take_log("apt.log").is_empty(), "{}", text(&o));
    assert!(m.take_log("npm.log").is_empty(), "{}", text(&o));
}

#[test]
fn not_root_it_prints_the_command_and_fails() {
    let m = Machine::new("user", &["gcc", "libc6-dev", "nodejs", "npm", "chromium"]);
    let o = m.run(1000);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(m.take_log("apt.log").is_empty(), "{}", text(&o));
    assert!(m.take_log("npm.log").is_empty(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(
            "sudo apt-get update && sudo apt-get install -y --no-install-recommends fonts-noto-core gdal-bin poppler-utils libgeos-dev"
        ),
        "{}",
        text(&o)
    );

    // With everything there, a user needs no root: only npm ci.
    let m = Machine::new(
        "user-ready",
        &PACKAGES.iter().map(|p| p.0).collect::<Vec<_>>(),
    );
    let o = m.run(1000);
    assert!(o.status.success(), "{}", text(&o));
    assert!(m.take_log("apt.log").is_empty(), "{}", text(&o));
    assert_eq!(m.take_log("npm.log").len(), 1, "{}", text(&o));
}

#[test]
fn a_failing_apt_get_fails_the_command() {
    let m = Machine::new("apt-fails", &["gcc", "libc6-dev", "nodejs", "npm"]);
    m.script("apt-get", r#"echo "$*" >>"$STUB/apt.log"; exit 100"#);
    let o = m.run(0);
    assert_eq!(o.status.code(), Some(100), "{}", text(&o));
    assert_eq!(m.take_log("apt.log"), ["update"], "{}", text(&o));
    assert!(m.take_log("npm.log").is_empty(), "{}", text(&o));
}
