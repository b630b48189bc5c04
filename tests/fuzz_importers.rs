//! Fuzzing every importer (issue 16, item 11): bytes mutated from the seed
//! corpus (`tests/fuzz-corpus/<format>/`: small valid files and hostile
//! ones; since issue 17 also binary DXF, GeoPackage curves, KML in
//! windows-1258, ISO-8859-1 and UTF-16, and a KMZ; DGN V7 2D and 3D) go through the reader, then through the field mapping and the CRS
//! conversion the import applies. No input may panic (errors only), and no
//! call may allocate more than [`BOUND_FACTOR`] times its input plus
//! [`BOUND_BASE`] at its peak (a counting global allocator measures it).
//!
//! A bounded time per target: `FUZZ_SECONDS` in total (default 24 s, about
//! 2 s a target), e.g. `FUZZ_SECONDS=600 cargo test --release --test
//! fuzz_importers` for a longer run; `FUZZ_SEED` picks another sequence. An
//! input that panics or breaks the bound is written to
//! `target/fuzz-failures/` and named in the failure.

use hiendat::formats::layer::Layer;
use hiendat::formats::legacy_vn::{self, Legacy};
use hiendat::formats::limits::Limits;
use hiendat::formats::mapping::{self, FieldMap};
use hiendat::formats::{
    csv_wkt, dgn, dxf, geojson_read, gpkg, households, kml, org, shp, structures, surveyor,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------
// Counting allocator

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(l.size(), Ordering::Relaxed) + l.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        CURRENT.fetch_sub(l.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            if new > l.size() {
                let now = CURRENT.fetch_add(new - l.size(), Ordering::Relaxed) + new - l.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(l.size() - new, Ordering::Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Bytes a target measured itself for its last call (SQLite's own heap).
static EXTRA: AtomicUsize = AtomicUsize::new(0);

/// One target at a time: the peak is the call's own.
static SERIAL: Mutex<()> = Mutex::new(());

/// A call may allocate at most this many times its input...
const BOUND_FACTOR: usize = 64;
/// ...plus this (tables, the first buffers).
const BOUND_BASE: usize = 4 << 20;
/// Inputs are cut to this length.
const MAX_INPUT: usize = 256 << 10;

// ---------------------------------------------------------------------------
// Mutation

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Tokens that matter to some reader.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b",",
    b";",
    b"\n",
    b"\r\n",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b"-1e999",
    b"1e308",
    b"NaN",
    b"0",
    b"-0",
    b"18446744073709551616",
    b"<",
    b">",
    b"</",
    b"/>",
    b"<Placemark>",
    b"<coordinates>",
    b"0,0 1,1",
    b"\x00",
    b"\xff\xff\xff\xff",
    b"\x7f\xff\xff\xff",
    b"\xc3",
    b"POLYGON((",
    b"))",
    b"EMPTY",
    b"  0\nSECTION\n",
    b"  0\nLWPOLYLINE\n",
    b" 90\n",
    b" 10\n",
    b"\"type\":\"Polygon\"",
    b"\"coordinates\"",
    b"null",
    b"PK\x03\x04",
    b"PK\x01\x02",
];

fn mutate(r: &mut Rng, seeds: &[Vec<u8>], out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(&seeds[r.below(seeds.len())]);
    for _ in 0..1 + r.below(8) {
        let n = out.len();
        match r.below(9) {
            0 if n > 0 => {
                let i = r.below(n);
                out[i] ^= 1 << r.below(8);
            }
            1 if n > 0 => {
                let i = r.below(n);
                out[i] = r.next() as u8;
            }
            2 => {
                let t = TOKENS[r.below(TOKENS.len())];
                let i = r.below(n + 1);
                out.splice(i..i, t.iter().copied());
            }
            3 if n > 0 => {
                let i = r.below(n);
                let j = (i + 1 + r.below(64)).min(n);
                out.drain(i..j);
            }
            4 if n > 0 => {
                // a piece repeated: long lines, deep nesting, many records
                let i = r.below(n);
                let j = (i + 1 + r.below(256)).min(n);
                let piece = out[i..j].to_vec();
                for _ in 0..1 + r.below(64) {
                    out.splice(j..j, piece.iter().copied());
                }
            }
            5 => {
                // splice in part of another seed
                let o = &seeds[r.below(seeds.len())];
                if !o.is_empty() {
                    let a = r.below(o.len());
                    let b = (a + r.below(o.len() - a + 1)).min(o.len());
                    let i = r.below(n + 1);
                    out.splice(i..i, o[a..b].iter().copied());
                }
            }
            6 if n > 0 => out.truncate(r.below(n)),
            7 if n >= 4 => {
                // a 32-bit field set to an extreme (sizes, counts, offsets)
                let i = r.below(n - 3);
                let v: u32 = [0, 1, 0x7fff_ffff, 0xffff_ffff, 0x8000_0000][r.below(5)];
                out[i..i + 4].copy_from_slice(&v.to_le_bytes());
            }
            _ if n >= 4 => {
                let i = r.below(n - 3);
                let v: u32 = [0x7fff_ffff, 0xffff_ffff, 0x0100_0000][r.below(3)];
                out[i..i + 4].copy_from_slice(&v.to_be_bytes());
            }
            _ => {}
        }
    }
    out.truncate(MAX_INPUT);
}

// ---------------------------------------------------------------------------
// Running a target

fn corpus_dir(format: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-corpus")
        .join(format)
}

fn seeds(format: &str) -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir(format))
        .unwrap_or_else(|e| panic!("tests/fuzz-corpus/{format}: {e}"))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let s: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).unwrap()).collect();
    assert!(!s.is_empty(), "tests/fuzz-corpus/{format} is empty");
    s
}

fn budget() -> Duration {
    let total: f64 = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(24.0);
    Duration::from_secs_f64(total / TARGETS as f64)
}

const TARGETS: usize = 13;

/// Mutates the corpus of `format` for the budget, calling `f` on each
/// input (the seeds first, unchanged): no panic, the allocation bound held.
fn fuzz(format: &str, f: impl Fn(&[u8])) {
    fuzz_within(format, BOUND_FACTOR, f)
}

/// [`fuzz`] with another allocation factor (a zip may unpack to its ratio
/// limit, 200, times its size).
fn fuzz_within(format: &str, factor: usize, f: impl Fn(&[u8])) {
    fuzz_named(format, format, factor, f)
}

/// [`fuzz_within`] under another name than the corpus's.
fn fuzz_named(name: &str, format: &str, factor: usize, f: impl Fn(&[u8])) {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let seeds = seeds(format);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x9E37_79B9_7F4A_7C15);
    let mixed = name
        .bytes()
        .fold(seed, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01B3));
    let mut r = Rng(mixed | 1);
    let (start, budget) = (Instant::now(), budget());
    let mut input = Vec::new();
    let (mut runs, mut worst) = (0usize, (0usize, 0usize));
    while runs < seeds.len() || start.elapsed() < budget {
        if runs < seeds.len() {
            input = seeds[runs].clone();
        } else {
            mutate(&mut r, &seeds, &mut input);
        }
        runs += 1;
        let base = CURRENT.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&input)));
        let used =
            PEAK.load(Ordering::Relaxed).saturating_sub(base) + EXTRA.swap(0, Ordering::Relaxed);
        if used > worst.0 {
            worst = (used, input.len());
        }
        let bound = BOUND_BASE + factor * input.len();
        if result.is_err() || used > bound {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-failures");
            std::fs::create_dir_all(&dir).unwrap();
            let p = dir.join(format!("{name}-{runs}.bin"));
            std::fs::write(&p, &input).unwrap();
            match result {
                Err(_) => panic!("{name}: the reader panicked on {}", p.display()),
                Ok(()) => panic!(
                    "{name}: {used} bytes allocated for {} bytes of input (bound {bound}): {}",
                    input.len(),
                    p.display()
                ),
            }
        }
    }
    eprintln!(
        "{name}: {runs} inputs in {:.1} s, peak allocation {} KB (for an input of {} KB)",
        start.elapsed().as_secs_f64(),
        worst.0 >> 10,
        worst.1 >> 10
    );
}

/// What the import does with a layer after reading it.
fn map_layers(layers: Vec<Layer>) {
    let fields = FieldMap::default();
    for mut l in layers {
        let _ = mapping::parcels(&l, &fields);
        let _ = mapping::segments(&l, &fields);
        let _ = surveyor::to_wgs84(&mut l, Some("EPSG:5897"));
    }
}

// ---------------------------------------------------------------------------
// The targets

#[test]
fn geojson() {
    fuzz("geojson", |b| {
        let _ = geojson_read::read_segments(b);
        let _ = geojson_read::read_parcels(b);
        let _ = geojson_read::read_corridors(b);
    });
}

#[test]
fn shapefile_zip() {
    fuzz_within("shp", 512, |b| {
        if let Ok(l) = shp::read_zip(std::io::Cursor::new(b), "fuzz.zip", None) {
            map_layers(l);
        }
    });
}

#[test]
fn dxf() {
    fuzz("dxf", |b| {
        let o = dxf::ReadOptions {
            layer_prefixes: &[],
        };
        if let Ok(l) = dxf::read(b, &o) {
            map_layers(vec![l]);
        }
    });
}

#[test]
fn dgn() {
    use hiendat::formats::layer::GeomKind;
    // the default limits but for the arcs' vertices (as for GeoPackage)
    let limits = Limits {
        curve_vertices: 20_000,
        ..Limits::DEFAULT
    };
    fuzz("dgn", |b| {
        for kind in [GeomKind::Polygon, GeomKind::Line] {
            let o = dgn::ReadOptions { levels: &[], kind };
            if let Ok(l) = dgn::read_within(b, &o, &limits) {
                map_layers(vec![l]);
            }
        }
    });
}

#[test]
fn kml() {
    fuzz("kml", |b| {
        if let Ok(l) = kml::read(b) {
            map_layers(l);
        }
    });
}

/// What SQLite may allocate for one damaged cell beyond the bound: a cursor
/// sizes its list of overflow pages from the payload length the cell
/// states (at most 2³² bytes) before it follows the chain and finds it
/// short (`corrupt-overflow.gpkg` in the corpus). Two page numbers of 4
/// bytes per overflow page of the smallest pages (512 bytes, 508 usable
/// for payload): at most about 68 MB however the file is damaged, released
/// when the reader refuses the file.
const SQLITE_OVERFLOW_LIST: usize = (u32::MAX as usize / (512 - 4) + 1) * 8;

#[test]
fn geopackage() {
    let path = std::env::temp_dir().join(format!("hiendat-fuzz-{}.gpkg", std::process::id()));
    fuzz("gpkg", |b| {
        std::fs::write(&path, b).unwrap();
        // SQLite allocates on its own heap: its high-water mark is counted too
        let before = unsafe { rusqlite::ffi::sqlite3_memory_used() };
        unsafe { rusqlite::ffi::sqlite3_memory_highwater(1) };
        // the default limits but for the arcs' vertices, which a file may
        // turn into 4096 chords each: a cap this bound can hold
        let limits = Limits {
            curve_vertices: 20_000,
            ..Limits::DEFAULT
        };
        if let Ok(l) = gpkg::read_within(&path, &limits) {
            map_layers(l);
        }
        let high = unsafe { rusqlite::ffi::sqlite3_memory_highwater(0) };
        let sqlite = (high - before).max(0) as usize;
        EXTRA.store(
            sqlite.saturating_sub(SQLITE_OVERFLOW_LIST),
            Ordering::Relaxed,
        );
    });
    let _ = std::fs::remove_file(&path);
}

#[test]
fn households_csv() {
    fuzz("households", |b| {
        let _ = households::read_households(b);
    });
}

#[test]
fn structures_csv() {
    fuzz("structures", |b| {
        let _ = structures::read_structures(b);
    });
}

#[test]
fn organisation_csv() {
    fuzz("org", |b| {
        // the input as each of the four tables, and split in two
        let _ = org::read(b, Some(b), Some(b), Some(b));
        let (x, y) = b.split_at(b.len() / 2);
        let _ = org::read(x, Some(y), Some(x), Some(y));
    });
}

#[test]
fn wkt_and_coordinate_table_csv() {
    fuzz("csv", |b| {
        if let Ok(l) = csv_wkt::read(b, "fuzz") {
            map_layers(vec![l]);
        }
    });
}

#[test]
fn legacy_vietnamese_text() {
    fuzz("legacy_vn", |b| {
        let _ = legacy_vn::detect(&[b, &b[b.len() / 2..]]);
        for enc in [Legacy::Tcvn3, Legacy::Vni] {
            let text = legacy_vn::decode(b, enc);
            let _ = legacy_vn::encode(&text, enc);
        }
        let _ = legacy_vn::decode_windows1252(b);
        let _ = legacy_vn::decode_windows1258(b);
    });
}

#[test]
fn shapefile_dbf_encodings() {
    // the .dbf text under every encoding the importer may force
    fuzz_named("shp-encodings", "shp", 512, |b| {
        for name in ["tcvn3", "vni", "1252", "1258"] {
            let enc = shp::Encoding::from_name(name);
            let _ = shp::read_zip(std::io::Cursor::new(b), "fuzz.zip", enc);
        }
    });
}

#[test]
fn shapefile_parts() {
    // the .shp and .dbf themselves (a byte changed in a zip mostly breaks
    // its checksum): an input that starts as a .shp does is the .shp, else
    // the .dbf, beside the other part of the corpus's parcels, stored unpacked
    let dir = corpus_dir("shp-parts");
    let shp_seed = std::fs::read(dir.join("parcels.shp")).unwrap();
    let dbf_seed = std::fs::read(dir.join("parcels.dbf")).unwrap();
    fuzz_within("shp-parts", 512, |b| {
        let (shp, dbf) = if b.starts_with(&[0, 0, 0x27, 0x0a]) {
            (b, &dbf_seed[..])
        } else {
            (&shp_seed[..], b)
        };
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, part) in [("p.shp", shp), ("p.dbf", dbf)] {
            w.start_file(name, o).unwrap();
            std::io::Write::write_all(&mut w, part).unwrap();
        }
        let z = w.finish().unwrap().into_inner();
        if let Ok(l) = shp::read_zip(std::io::Cursor::new(z), "fuzz.zip", None) {
            map_layers(l);
        }
    });
}
