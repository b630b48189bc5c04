//! The `hiendat` command line: a thin layer over the library.
//! (About 930 lines: one argument struct and one short run function per
//! command, in the order `--help` lists them.)
//!

use clap::{Parser, Subcommand};
use hiendat::api::{self, AppState};
use hiendat::formats::{csv_out, geojson_read};
use hiendat::geometry::crs::{Crs, DEFAULT_CRS};
use hiendat::geometry::validate;
use hiendat::ops::compute::{self, Timings};
use hiendat::ops::files::read;
use hiendat::ops::reports::FrozenReports;
use hiendat::store::{Role, Store, StoreError};
use std::fs::File;
use std::io::BufWriter;
use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

// mimalloc: a million parcels are millions of small allocations, and the
// system allocator spends a seventh of the parse on them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "hiendat",
    version,
    about = "Hiến đất mở đường — theo dõi vận động hiến đất làm đường của phường.\nRoad-widening land donation campaigns: corridors, donated areas and progress."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Đặt đồng hồ / run the clock from this instant (RFC 3339, e.g.
    /// 2026-12-04T17:30:00Z): "today" is the ward's date (Asia/Ho_Chi_Minh) then; for tests
    #[arg(long, global = true, env = "HIENDAT_NOW", value_name = "INSTANT")]
    now: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Tính diện tích hiến theo thửa và đoạn tuyến / compute donated areas per parcel and segment
    Compute(ComputeArgs),
    /// Tạo phường mẫu / write a synthetic demo ward (phường Ngọc Sơn) as GeoJSON
    Demo(DemoArgs),
    /// Nhập đoạn tuyến và thửa đất vào cơ sở dữ liệu / import segments and parcels into the database
    Import(ImportArgs),
    /// Xuất dữ liệu cho đo đạc / export for surveyors (coordinate tables in VN-2000)
    Export(ExportArgs),
    /// Lập báo cáo định kỳ / periodic reports (xlsx, printable A4 HTML, CSV, Word) for a date or a period
    Report(ReportArgs),
    /// Chạy máy chủ / serve the HTTP API (a missing database is created with the demo ward)
    Serve(ServeArgs),
    /// Quản lý người dùng / manage users
    #[command(subcommand)]
    User(UserCommand),
    /// Sao lưu cơ sở dữ liệu khi máy chủ vẫn chạy / back up the database, consistent while the server writes
    Backup(BackupArgs),
    /// Khôi phục từ bản sao lưu (dừng máy chủ trước) / restore the database from a backup (stop the server first)
    Restore(RestoreArgs),
    /// Phường, xã trong cơ sở dữ liệu / the wards (phường, xã, thị trấn) one database holds
    #[command(subcommand)]
    Ward(WardCommand),
}

#[derive(Subcommand)]
enum WardCommand {
    /// Thêm phường/xã / add a ward (then `hiendat import --ward CODE`)
    Add(WardAddArgs),
    /// Liệt kê / list the wards: code, name, kind, parcels, segments, users
    List(WardDbArgs),
    /// Đổi tên / rename a ward
    Rename(WardRenameArgs),
}

#[derive(clap::Args)]
struct WardDbArgs {
    /// The database file
    #[arg(long, env = "HIENDAT_DB", default_value = "hiendat.db")]
    db: PathBuf,
}

#[derive(clap::Args)]
struct WardAddArgs {
    /// Its code in URLs (/w/CODE/) and --ward: lowercase letters, digits and -, e.g. ngoc-son
    #[arg(long)]
    code: String,
    /// Its name: "Ngọc Sơn"
    #[arg(long)]
    name: String,
    /// phuong, xa or thi-tran (the report's committee: Đảng ủy phường/xã/thị trấn)
    #[arg(long, default_value = "phuong")]
    kind: String,
    /// The town or district it belongs to (groups the province view)
    #[arg(long)]
    town: Option<String>,
    /// The CRS its donations are measured in (default: as imports decide)
    #[arg(long)]
    crs: Option<String>,
    #[command(flatten)]
    db: WardDbArgs,
}

#[derive(clap::Args)]
struct WardRenameArgs {
    /// The ward: its code or name
    ward: String,
    /// The new name
    #[arg(long)]
    name: String,
    #[command(flatten)]
    db: WardDbArgs,
}

#[derive(clap::Args)]
struct BackupArgs {
    /// The database file to back up (a server may be writing to it)
    #[arg(long, env = "HIENDAT_DB", default_value = "hiendat.db")]
    db: PathBuf,
    /// The backup file to write (one self-contained SQLite file)
    #[arg(long)]
    out: PathBuf,
    /// Overwrite --out if it exists
    #[arg(long)]
    force: bool,
}

#[derive(clap::Args)]
struct RestoreArgs {
    /// The backup file (checked before anything is replaced)
    #[arg(long)]
    from: PathBuf,
    /// The database file to replace (refused while a server runs on it); the old one is kept, complete, as <db>.before-restore
    #[arg(long, env = "HIENDAT_DB", default_value = "hiendat.db")]
    db: PathBuf,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// The database file; when it does not exist, the demo ward is generated into it
    #[arg(long, env = "HIENDAT_DB", default_value = "hiendat.db")]
    db: PathBuf,
    /// Address to listen on
    #[arg(long, env = "HIENDAT_ADDR", default_value = "127.0.0.1:8080")]
    addr: String,
    /// The map page's folder (with its `npm ci` done), served at /
    #[arg(long, env = "HIENDAT_WEB", default_value = "web")]
    web: PathBuf,
    /// Optional online base map: a raster tile URL such as
    /// https://tile.openstreetmap.org/{z}/{x}/{y}.png, or a MapLibre style URL (.json);
    /// without one the map works offline on a quiet background
    #[arg(long, env = "HIENDAT_BASEMAP")]
    basemap: Option<String>,
    /// The ward of unprefixed URLs for visitors and province-level users (code or name); each ward is also at /w/CODE/
    #[arg(long, env = "HIENDAT_WARD")]
    ward: Option<String>,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Thêm người dùng / add a user; the password is read from stdin (one line) or a prompt
    Add(UserAddArgs),
}

#[derive(clap::Args)]
struct UserAddArgs {
    /// Login name
    name: String,
    /// admin (manages users), editor (records events), viewer (sees names), standing, inspection, secretary (a cell's households) or member (their assigned households)
    #[arg(long, default_value = "viewer")]
    role: String,
    /// The party member's code (party_members.code) a secretary or member acts as
    #[arg(long)]
    member: Option<String>,
    /// The user's ward (code or name); without it, on a database of several wards, a province-level user
    #[arg(long)]
    ward: Option<String>,
    /// The database file (created if missing)
    #[arg(long, env = "HIENDAT_DB", default_value = "hiendat.db")]
    db: PathBuf,
}

#[derive(clap::Args)]
struct ImportArgs {
    /// The database file (created if missing)
    #[arg(long, env = "HIENDAT_DB", default_value = "hiendat.db")]
    db: PathBuf,
    /// Road segments (lines): GeoJSON, GeoPackage (.gpkg, curves linearised), Shapefile (.shp, .zip or a folder), KML/KMZ (any declared encoding) or CSV with WKT. Alone: the stored parcels are kept, those near changed segments measured again
    #[arg(long, required_unless_present_any = ["org", "ward", "ward_name", "province", "parcels"])]
    segments: Option<PathBuf>,
    /// Land parcels (polygons): GeoJSON, GeoPackage (curves linearised), Shapefile, DXF (ASCII or binary; closed polylines, hatches), KML/KMZ or CSV with WKT. Alone: the stored segments are kept and the parcels measured against them
    #[arg(long, required_unless_present_any = ["org", "ward", "ward_name", "province", "segments"])]
    parcels: Option<PathBuf>,
    /// The organisation: a folder with cells.csv, members.csv, assignments.csv, leads.csv (see data/org-sample); it replaces the stored cells, members, assignments and area leads
    #[arg(long)]
    org: Option<PathBuf>,
    /// The ward imported into (code or name; see `hiendat ward list`); on a database whose one ward is unnamed, its name ("Ngọc Sơn")
    #[arg(long)]
    ward: Option<String>,
    /// Renames the ward imported into (report headers)
    #[arg(long)]
    ward_name: Option<String>,
    /// The province ("Thanh Hóa"): the periodic report's superior committee line, ĐẢNG BỘ TỈNH THANH HÓA
    #[arg(long)]
    province: Option<String>,
    /// Planned right-of-way polygons (GeoJSON, each with segment_id); they replace the offset centerline
    #[arg(long, requires = "segments")]
    corridors: Option<PathBuf>,
    /// CRS of files that state none (a shapefile without .prj, DXF, CSV): EPSG:5897 or another VN-2000 zone, or EPSG:4326; when projected, also the CRS donations are measured in (default: the database's, else EPSG:5897)
    #[arg(long, env = "HIENDAT_CRS")]
    crs: Option<String>,
    /// Households CSV: parcel_id, head_name, address, phone, is_member_family, note
    #[arg(long)]
    households: Option<PathBuf>,
    /// Structures on the land CSV: parcel_id, kind, quantity, unit, value_vnd, donated, note; they replace the stored ones of every parcel the file names
    #[arg(long)]
    structures: Option<PathBuf>,
    /// Field mapping, repeatable: hiendat name = the file's field, e.g. --field parcel_no=SoThua --field owner=ChuSD
    #[arg(long = "field", value_name = "NAME=FIELD")]
    fields: Vec<String>,
    /// A mapping file: one NAME=FIELD per line (# comments)
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// Text encoding of .dbf files: utf8, tcvn3, vni, 1252, 1258 (default: the .cpg, else detected)
    #[arg(long)]
    encoding: Option<String>,
    /// DXF: only entities on layers whose names start with this (repeatable)
    #[arg(long = "dxf-layer")]
    dxf_layers: Vec<String>,
    /// DGN: only elements on these levels (1–63), comma-separated or repeated, e.g. --dgn-level 10,13
    #[arg(long = "dgn-level", value_delimiter = ',', value_parser = clap::value_parser!(u8).range(1..=63))]
    dgn_levels: Vec<u8>,
    /// The layer holding the segments, in a file with several (GeoPackage, KML, zip)
    #[arg(long)]
    segments_layer: Option<String>,
    /// The layer holding the parcels, in a file with several
    #[arg(long)]
    parcels_layer: Option<String>,
    /// Check and count what would change, then write nothing
    #[arg(long)]
    dry_run: bool,
}

#[derive(clap::Args)]
struct ReportArgs {
    /// The database file
    #[arg(long, env = "HIENDAT_DB", default_value = "hiendat.db")]
    db: PathBuf,
    /// The state reported, end of this day: 2026-11-28 or 28/11/2026 (default: today in Vietnam)
    #[arg(long)]
    as_of: Option<String>,
    /// A period report from this day to --as-of, with what changed in it
    #[arg(long)]
    from: Option<String>,
    /// segment, group, cell, member, lagging, commendation, exemplary (collectives and individuals commended for the period, this month by default), plan (plans and targets), or all; several separated by commas; or periodic (the Party's periodic report: letterhead, narrative, appendix); or evaluation (the annual evaluation of members and cells, with --year); or inspection (the Inspection Committee's inspections held from --from to --as-of, their required actions and their state)
    #[arg(long, default_value = "all")]
    by: String,
    /// With --by evaluation: the year evaluated (default: this year)
    #[arg(long)]
    year: Option<i32>,
    /// Periodic report: the province for this print (default: as `hiendat import --province` stored it)
    #[arg(long)]
    province: Option<String>,
    /// The ward reported (code or name); on a one-ward database a name that is no ward's is this print's name, as --ward-name
    #[arg(long)]
    ward: Option<String>,
    /// Periodic report: the ward's name for this print (default: as stored)
    #[arg(long)]
    ward_name: Option<String>,
    /// Periodic report as html: English subtitles under titles and columns (for the screen; the official print is Vietnamese only)
    #[arg(long)]
    bilingual: bool,
    /// xlsx (one sheet per cut), html (printable A4), csv (a zip of one file per cut when several) or docx (Word, to edit further)
    #[arg(long, default_value = "xlsx")]
    format: String,
    /// Lagging: no step forward for this many days
    #[arg(long, default_value_t = 30)]
    lag_days: u32,
    /// Commendation: at least this many m² donated...
    #[arg(long, default_value_t = 0.0)]
    min_area: f64,
    /// ...or structures worth at least this many đồng
    #[arg(long, default_value_t = 0)]
    min_value: i64,
    /// Commendation: list every donor by name (an internal list); by default only households that agreed to be named are listed
    #[arg(long)]
    internal: bool,
    /// Keep the report as issued today (frozen: it never changes), and print its number
    #[arg(long)]
    freeze: bool,
    /// Write frozen report N exactly as it was issued (other choices are ignored)
    #[arg(long)]
    frozen: Option<i64>,
    /// List the frozen reports
    #[arg(long)]
    list_frozen: bool,
    /// The file to write (default: bao-cao-<cut>-<date>.<ext> here)
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(clap::Args)]
struct ExportArgs {
    /// The database file
    #[arg(long, env = "HIENDAT_DB", default_value = "hiendat.db")]
    db: PathBuf,
    /// gpkg (GeoPackage, every layer in one file), shp (a zipped shapefile per layer), dxf (AutoCAD R2000), kml (Google Earth, WGS84), geojson (RFC 7946, WGS84), csv (bảng tọa độ: X north, Y east, side lengths)
    #[arg(long)]
    format: String,
    /// Layers, comma-separated: parcels, strips, corridors, centerlines, edges, stakes (default: parcels; gpkg, dxf and kml hold several)
    #[arg(long, value_delimiter = ',', default_value = "parcels")]
    layer: Vec<String>,
    /// Only this segment (its id) and the parcels donating to it
    #[arg(long, conflicts_with = "group")]
    segment: Option<String>,
    /// Only this residential group (its name): its parcels and the segments through it
    #[arg(long)]
    group: Option<String>,
    /// The ward exported (code or name), on a database of several
    #[arg(long)]
    ward: Option<String>,
    /// CRS of the coordinates: a VN-2000 EPSG code (EPSG:5897...) or EPSG:4326; default: the one the donations were measured in (WGS84 for kml and geojson)
    #[arg(long)]
    crs: Option<String>,
    /// Metres between staking points along the new edges (besides every vertex)
    #[arg(long, default_value_t = hiendat::ops::export::DEFAULT_INTERVAL_M)]
    interval: f64,
    /// Include owners' names (personal data)
    #[arg(long)]
    personal: bool,
    /// Bỏ giới hạn số cọc, số đối tượng và dung lượng tệp (200.000 cọc, 1.000.000 đối tượng, 512 MB) / lift the bounds on stakes, features and file size (200,000 stakes, 1,000,000 features, 512 MB); the interval stays at least 0.1 m
    #[arg(long)]
    no_limits: bool,
    /// The file to write
    #[arg(long)]
    out: PathBuf,
}

#[derive(clap::Args)]
struct ComputeArgs {
    /// Road segments (GeoJSON LineStrings: id, name, current_width_m, planned_width_m, ...)
    #[arg(long)]
    segments: PathBuf,
    /// Land parcels (GeoJSON Polygons: id, map_sheet, parcel_no, owner, residential_group, land_use)
    #[arg(long)]
    parcels: PathBuf,
    /// Planned right-of-way polygons (GeoJSON, each with segment_id); they replace the offset centerline
    #[arg(long)]
    corridors: Option<PathBuf>,
    /// Projected CRS for measuring: EPSG:5897 (VN-2000 TM-3 105°, Thanh Hóa), other VN-2000 zones, UTM, or a PROJ string
    #[arg(long, env = "HIENDAT_CRS", default_value = DEFAULT_CRS)]
    crs: String,
    /// Pairs CSV: parcel_id,segment_id,area_in_corridor_m2,attributed_area_m2,frontage_m,depth_mean_m,depth_max_m
    #[arg(long)]
    out: PathBuf,
    /// Per-segment totals CSV
    #[arg(long)]
    segments_out: Option<PathBuf>,
    /// Per-residential-group totals CSV
    #[arg(long)]
    groups_out: Option<PathBuf>,
    /// Fix what can be fixed (open rings, duplicate points, self-intersections) and say what changed
    #[arg(long)]
    repair: bool,
    /// Print each phase's wall time to stderr
    #[arg(long)]
    timings: bool,
}

#[derive(clap::Args)]
struct DemoArgs {
    /// Number of parcels
    #[arg(long, default_value_t = 3000)]
    parcels: usize,
    /// Random seed: the same seed gives the same ward
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output folder (segments.geojson, parcels.geojson, manifest.json)
    #[arg(long, required_unless_present = "db", conflicts_with = "db")]
    out: Option<PathBuf>,
    /// Or a new database file: the ward imported with six months of
    /// campaign history, as `serve` creates it (for benchmarks at any size)
    #[arg(long)]
    db: Option<PathBuf>,
    /// With --db: print each phase's wall time and the peak memory to stderr
    #[arg(long, requires = "db")]
    timings: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(at) = &cli.now {
        match hiendat::campaign::clock::parse_instant(at) {
            Some(t) => hiendat::campaign::clock::set_now(t),
            None => {
                eprintln!(
                    "lỗi / error: --now {at}: cần thời điểm RFC 3339, ví dụ 2026-12-04T17:30:00Z / expected an RFC 3339 instant"
                );
                return ExitCode::from(2);
            }
        }
    }
    let result = match cli.command {
        Command::Compute(a) => run_compute(a),
        Command::Demo(a) => run_demo(a),
        Command::Import(a) => run_import(a),
        Command::Export(a) => run_export(a),
        Command::Report(a) => run_report(a),
        Command::Serve(a) => run_serve(a),
        Command::User(UserCommand::Add(a)) => run_user_add(a),
        Command::Backup(a) => run_backup(a),
        Command::Restore(a) => run_restore(a),
        Command::Ward(c) => run_ward(c),
    };
    match result {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("lỗi / error: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// Writes `path`'s content to a temporary file beside it, recorded in `done`.
fn write_new(
    path: &Path,
    done: &mut Vec<(PathBuf, PathBuf)>,
    f: impl FnOnce(BufWriter<File>) -> std::io::Result<()>,
) -> Result<(), String> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let err = |e: std::io::Error| format!("không ghi được / cannot write {}: {e}", path.display());
    let file = File::create(&tmp).map_err(err)?;
    done.push((tmp, path.to_path_buf()));
    f(BufWriter::with_capacity(1 << 20, file)).map_err(err)
}

/// After [`write_new`]: renames every file into place if all were written,
/// else removes them, so that no half-written file is left under its name.
fn finish_new(done: &[(PathBuf, PathBuf)], result: Result<(), String>) -> Result<(), String> {
    match result {
        Ok(()) => {
            for (tmp, path) in done {
                std::fs::rename(tmp, path).map_err(|e| {
                    format!("không ghi được / cannot write {}: {e}", path.display())
                })?;
            }
            Ok(())
        }
        Err(e) => {
            for (tmp, _) in done {
                let _ = std::fs::remove_file(tmp);
            }
            Err(e)
        }
    }
}

fn run_compute(a: ComputeArgs) -> Result<ExitCode, String> {
    let mut t = Timings::default();
    let crs = Crs::parse(&a.crs).map_err(|e| e.to_string())?;
    let (segments, parcels, corridors) = t.time("read", || -> Result<_, String> {
        let named = |p: &Path, e: geojson_read::ReadError| format!("{}: {e}", p.display());
        let (sb, pb) = (read(&a.segments)?, read(&a.parcels)?);
        let (segments, parcels) = rayon::join(
            || geojson_read::read_segments(&sb),
            || geojson_read::read_parcels(&pb),
        );
        let segments = segments.map_err(|e| named(&a.segments, e))?;
        let parcels = parcels.map_err(|e| named(&a.parcels, e))?;
        let corridors = match &a.corridors {
            Some(p) => geojson_read::read_corridors(&read(p)?).map_err(|e| named(p, e))?,
            None => Vec::new(),
        };
        Ok((segments, parcels, corridors))
    })?;
    let (mut segments, mut parcels, mut corridors) = (segments, parcels, corridors);
    let report = t.time("validate", || {
        if a.repair {
            for r in validate::repair(&mut parcels, &mut corridors) {
                eprintln!("sửa / repaired: {r}");
            }
        }
        compute::check(&segments, &parcels, &corridors)
    });
    for w in &report.warnings {
        eprintln!("{w}");
    }
    if !report.errors.is_empty() {
        for e in &report.errors {
            eprintln!("{e}");
        }
        eprintln!(
            "{} lỗi, không tính toán; sửa dữ liệu hoặc thử --repair / {} errors, nothing computed; fix the input or try --repair",
            report.errors.len(),
            report.errors.len()
        );
        return Ok(ExitCode::from(2));
    }
    segments.shrink_to_fit();
    let projected = t
        .time("project", || {
            compute::project(&crs, &segments, &parcels, &corridors)
        })
        .map_err(|e| e.to_string())?;
    let measured = t.time("compute", || {
        compute::measure(projected, &segments, &parcels)
    });
    let computed = t.time("totals", || compute::totals(measured, &parcels));
    t.time("write", || -> Result<(), String> {
        // Every file is written beside its name and renamed into place once
        // all are complete, so a failure leaves no half-written output.
        let mut done = Vec::new();
        let result = (|| {
            write_new(&a.out, &mut done, |w| {
                csv_out::write_pairs(
                    w,
                    &computed.pairs,
                    |i| &parcels[i as usize].id,
                    |i| &segments[i as usize].id,
                )
            })?;
            if let Some(p) = &a.segments_out {
                write_new(p, &mut done, |w| {
                    csv_out::write_segments(w, &segments, &computed.segment_totals)
                })?;
            }
            if let Some(p) = &a.groups_out {
                write_new(p, &mut done, |w| {
                    csv_out::write_groups(w, &computed.group_totals)
                })?;
            }
            Ok(())
        })();
        finish_new(&done, result)
    })?;
    if a.timings {
        eprint!("{}", t.report());
    }
    // The process ends here: freeing a million parcels one by one would
    // only delay the exit.
    std::mem::forget((segments, parcels, corridors, computed));
    Ok(ExitCode::SUCCESS)
}

fn run_demo(a: DemoArgs) -> Result<ExitCode, String> {
    if a.parcels == 0 {
        return Err("--parcels phải lớn hơn 0 / --parcels must be at least 1".into());
    }
    if let Some(db) = &a.db {
        let today = hiendat::campaign::clock::today();
        let info =
            hiendat::demo::database::create_demo_timed(db, a.seed, a.parcels, today, a.timings)?;
        eprintln!(
            "đã tạo / created {}: {} thửa / parcels, {} đoạn tuyến / segments, {} tổ dân phố / groups, {} sự kiện / events",
            db.display(),
            info.parcels,
            info.segments,
            info.groups,
            info.events
        );
        return Ok(ExitCode::SUCCESS);
    }
    let out = a.out.expect("clap requires --out without --db");
    let ward = hiendat::demo::generate(a.parcels, a.seed);
    hiendat::demo::write(&ward, &out).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!(
        "đã ghi / wrote {} thửa đất / parcels, {} đoạn tuyến / segments, {} tổ dân phố / residential groups → {}",
        ward.parcels.len(),
        ward.segments.len(),
        ward.info.residential_groups,
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn run_export(a: ExportArgs) -> Result<ExitCode, String> {
    use hiendat::ops::export::{self, Format, Request, Target};
    let format = Format::parse(&a.format).ok_or_else(|| {
        format!(
            "--format: không biết định dạng {:?} / unknown format {:?} (gpkg, shp, dxf, kml, geojson, csv)",
            a.format, a.format
        )
    })?;
    let layers = export::parse_layers(a.layer.iter().map(String::as_str))
        .map_err(|e| format!("--layer: {e}"))?;
    export::check_interval(a.interval).map_err(|e| format!("--{e}"))?;
    let limits = if a.no_limits {
        export::Limits::NONE
    } else {
        export::Limits::DEFAULT
    };
    let target = match &a.crs {
        Some(c) => Some(Target::parse(c).map_err(|e| format!("--crs: {e}"))?),
        None => None,
    };
    let target = export::default_target(format, target);
    export::check_request(format, &layers, &target)?;
    if !a.db.exists() {
        return Err(format!(
            "{}: không có cơ sở dữ liệu / no such database",
            a.db.display()
        ));
    }
    let mut store = Store::open(&a.db).map_err(|e| format!("{}: {e}", a.db.display()))?;
    select_ward(&mut store, a.ward.as_deref(), hiendat::ops::wards::Use::Read)?;
    let built = export::build(
        &store,
        &Request {
            layers,
            segment: a.segment.clone(),
            group: a.group.clone(),
            target,
            personal: a.personal,
            // whoever holds the database file is staff
            audience: hiendat::campaign::events::Audience::Staff,
            interval_m: a.interval,
            limits,
        },
    )
    .map_err(|e| match e {
        e @ (export::ExportError::TooManyStakes(..) | export::ExportError::TooManyFeatures(..)) => {
            format!("--{e} (--no-limits)").replacen("--layers:", "--layer:", 1)
        }
        e => e.to_string(),
    })?;
    if built.iter().all(|l| l.features.is_empty()) {
        return Err("không có đối tượng nào khớp / no feature matches".into());
    }
    // Written beside its name, renamed into place when whole.
    let mut tmp = a.out.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let _ = std::fs::remove_file(&tmp);
    let written = export::write_file(format, &built, &tmp, limits.max_bytes).map_err(|e| match e {
        e @ export::ExportError::TooLarge(_) => format!("{}: {e} (--no-limits)", a.out.display()),
        e => format!("{}: {e}", a.out.display()),
    });
    finish_new(&[(tmp, a.out.clone())], written)?;
    let counts: Vec<String> = built
        .iter()
        .map(|l| format!("{} {}", l.features.len(), l.name))
        .collect();
    let crs_name = built
        .first()
        .and_then(|l| l.srs.as_ref())
        .map_or(String::new(), |s| s.name.clone());
    eprintln!(
        "đã ghi / wrote {} ({crs_name}) → {}",
        counts.join(", "),
        a.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn run_import(a: ImportArgs) -> Result<ExitCode, String> {
    // the organisation files are read (and every problem reported) before
    // anything is written
    let org = match &a.org {
        Some(dir) => Some(hiendat::formats::org::read_dir(dir).map_err(|e| e.to_string())?),
        None => None,
    };
    if let Some(p) = &a.province {
        hiendat::report::periodic::province_name(p).map_err(|e| format!("--{e}"))?;
    }
    if a.segments.is_none() && a.parcels.is_none() {
        let mut store =
            hiendat::ops::import::open(&a.db).map_err(|e| format!("{}: {e}", a.db.display()))?;
        let name = hiendat::ops::import::select_ward(&mut store, a.ward.as_deref())
            .map_err(|e| e.to_string())?;
        if let Some(w) = a.ward_name.as_ref().or(name.as_ref()) {
            store.rename_ward(w.trim()).map_err(|e| e.to_string())?;
            println!("tên phường / ward: {}", w.trim());
        }
        if let Some(p) = &a.province {
            let p = hiendat::ops::reports::set_province(&store, p).map_err(|e| e.to_string())?;
            println!("tỉnh / province: {p}");
        }
        if let Some(org) = &org {
            let counts = store.import_org(org).map_err(|e| e.to_string())?;
            println!("tổ chức / organisation: {counts}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    run_import_layers(a, org)
}

fn run_import_layers(
    a: ImportArgs,
    org: Option<hiendat::campaign::org::Org>,
) -> Result<ExitCode, String> {
    use hiendat::ops::import::{self, FileImport, ImportError, ImportFiles, ImportStep};
    let files = ImportFiles {
        segments: a.segments.clone(),
        parcels: a.parcels.clone(),
        corridors: a.corridors.clone(),
        households: a.households.clone(),
        structures: a.structures.clone(),
        crs: a.crs.clone(),
        fields: a.fields.clone(),
        mapping: a.mapping.clone(),
        encoding: a.encoding.clone(),
        dxf_layers: a.dxf_layers.clone(),
        dgn_levels: a.dgn_levels.clone(),
        segments_layer: a.segments_layer.clone(),
        parcels_layer: a.parcels_layer.clone(),
    };
    // On a terminal: the step under way and the time so far (hidden when
    // stderr is a file or a pipe).
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{elapsed}] {prefix} {msg}")
            .expect("a valid template"),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let show = |s: ImportStep| {
        let (i, n) = s.position();
        bar.set_prefix(format!("{i}/{n}"));
        bar.set_message(s.label());
    };
    let note = |n: &str| bar.suspend(|| eprintln!("{n}"));
    let result = import::import_files(&FileImport {
        db: &a.db,
        files: &files,
        org: org.as_ref(),
        ward: a.ward.as_deref(),
        ward_name: a.ward_name.as_deref(),
        dry_run: a.dry_run,
        note: &note,
        progress: Some(&show),
    });
    bar.finish_and_clear();
    match result {
        Ok(summary) => {
            for w in &summary.warnings {
                eprintln!("{w}");
            }
            print!("{summary}");
            if let Some(p) = a.province.as_deref().filter(|_| !a.dry_run) {
                let store = Store::open(&a.db).map_err(|e| format!("{}: {e}", a.db.display()))?;
                let p =
                    hiendat::ops::reports::set_province(&store, p).map_err(|e| e.to_string())?;
                println!("tỉnh / province: {p}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(ImportError::Invalid(issues)) => {
            for e in &issues {
                eprintln!("{e}");
            }
            eprintln!(
                "{} lỗi, không nhập gì / {} errors, nothing imported",
                issues.len(),
                issues.len()
            );
            Ok(ExitCode::from(2))
        }
        Err(ImportError::Files(msg)) => Err(msg),
        Err(e) => Err(format!("{}: {e}", a.db.display())),
    }
}

use hiendat::campaign::clock::today as today_vn;

fn run_report(a: ReportArgs) -> Result<ExitCode, String> {
    use hiendat::report::campaign::{Cut, Options};
    use hiendat::report::format::{self, Format};
    use hiendat::report::periodic;
    let date = |flag: &str, v: &str| {
        let d = hiendat::formats::table::parse_date(v)
            .ok_or_else(|| format!("--{flag} {v}: ngày không hợp lệ (dùng 28/11/2026 hoặc 2026-11-28) / invalid date (use 28/11/2026 or 2026-11-28)"))?;
        hiendat::campaign::clock::in_era(flag, d).map_err(|e| format!("--{flag}: {e}"))
    };
    let fmt = Format::parse(&a.format).ok_or_else(|| {
        format!(
            "--format {}: không biết định dạng / unknown format (xlsx, html, csv, docx)",
            a.format
        )
    })?;
    if !a.db.exists() {
        return Err(format!(
            "{}: không có cơ sở dữ liệu / no such database",
            a.db.display()
        ));
    }
    let mut store = Store::open(&a.db).map_err(|e| format!("{}: {e}", a.db.display()))?;
    let choice = select_ward(&mut store, a.ward.as_deref(), hiendat::ops::wards::Use::Report)?;
    let print_name = a.ward_name.clone().or(choice.print_name);
    if a.list_frozen {
        for f in store.frozen_reports().map_err(|e| e.to_string())? {
            let period = f.from.map(|d| format!("{d} – ")).unwrap_or_default();
            println!(
                "{}\t{}\t{}{}\t{} ({})\t{}",
                f.id, f.issued_on, period, f.as_of, f.cut, f.issued_by, f.title
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (doc, cut) = if let Some(id) = a.frozen {
        (
            store.frozen_report(id).map_err(|e| e.to_string())?,
            format!("da-chot-{id}"),
        )
    } else {
        let mut opt = Options::new(match &a.as_of {
            Some(v) => date("as-of", v)?,
            None => today_vn(),
        });
        opt.from = a.from.as_deref().map(|v| date("from", v)).transpose()?;
        if let Some(f) = opt.from
            && f > opt.as_of
        {
            return Err(format!(
                "--from {f} sau --as-of {} / --from is after --as-of",
                opt.as_of
            ));
        }
        opt.lag_days = a.lag_days;
        opt.min_area_m2 = a.min_area;
        opt.min_value_vnd = a.min_value;
        opt.public = !a.internal;
        opt.name_members = a.internal;
        if a.year.is_some() && a.by != hiendat::report::evaluation::CUT {
            return Err("--year: chỉ dùng với --by evaluation / only with --by evaluation".into());
        }
        let mut doc = if a.by == hiendat::report::evaluation::CUT {
            let year = a
                .year
                .unwrap_or_else(|| chrono::Datelike::year(&today_vn()));
            let ward = store.ward().map_err(|e| e.to_string())?;
            hiendat::ops::evaluation::report(&store, &ward, year, today_vn())
                .map_err(|e| e.to_string())?
        } else if a.by == periodic::CUT {
            let given = periodic::Letterhead {
                province: a
                    .province
                    .as_deref()
                    .map(periodic::province_name)
                    .transpose()
                    .map_err(|e| format!("--{e}"))?,
                ward: print_name.as_deref().map(str::trim).map(str::to_string),
            };
            let doc = hiendat::ops::reports::party_report(&store, &opt, &given)
                .map_err(|e| e.to_string())?;
            if doc
                .periodic
                .as_ref()
                .is_some_and(|p| p.superior == periodic::UNSET_SUPERIOR)
            {
                eprintln!(
                    "chưa đặt tên tỉnh (dòng “ĐẢNG BỘ TỈNH …” để trống): hiendat import --province \"Thanh Hóa\" / no province set (the superior committee line is left blank): hiendat import --province …"
                );
            }
            doc
        } else if a.by == Cut::Inspection.as_str() {
            hiendat::ops::inspections::report(&store, &opt).map_err(|e| e.to_string())?
        } else {
            let cuts: Vec<Cut> = if a.by == "all" {
                Cut::ALL.to_vec()
            } else {
                a.by.split(',')
                    .map(|c| {
                        Cut::parse(c.trim()).ok_or_else(|| {
                            format!("--by {c}: không biết cách cắt / unknown cut (segment, group, cell, member, lagging, commendation, exemplary, plan, all, periodic, inspection)")
                        })
                    })
                    .collect::<Result<_, _>>()?
            };
            hiendat::ops::reports::periodic(&store, &cuts, &opt).map_err(|e| e.to_string())?
        };
        if a.freeze {
            doc.issued_on = Some(today_vn());
            let user = std::env::var("USER").unwrap_or_else(|_| "cli".into());
            let id = store
                .freeze_report(&a.by, &doc, today_vn(), &format!("cli:{user}"))
                .map_err(|e| e.to_string())?;
            eprintln!("đã chốt báo cáo số {id} / frozen as report {id}");
        }
        (doc, a.by.replace(',', "-"))
    };
    let bytes = match (&doc.periodic, fmt, a.bilingual) {
        (Some(p), Format::Html, true) => hiendat::report::html_party::render(
            &doc,
            p,
            hiendat::report::html_party::Lang::Bilingual,
        )
        .into_bytes(),
        _ => format::write(&doc, fmt)?,
    };
    // on a database of several wards, the file says whose report it is
    let cut = match (&choice.ward, store.wards().map_err(|e| e.to_string())?.len()) {
        (Some(w), n) if n > 1 => format!("{}-{cut}", w.code),
        _ => cut,
    };
    let out = a
        .out
        .unwrap_or_else(|| PathBuf::from(format::file_name(&doc, &cut, fmt)));
    std::fs::write(&out, bytes).map_err(|e| format!("{}: {e}", out.display()))?;
    println!("{}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// The name of the demo login (an admin) created with the demo ward.
const DEMO_USER: &str = "demo";

/// The demo's Inspection Committee login (role inspection).
const DEMO_INSPECTOR: &str = "ukt";

fn run_serve(a: ServeArgs) -> Result<ExitCode, String> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    // Held until the server stops: `restore` refuses to run meanwhile.
    let _serving = hiendat::ops::backup::serving(&a.db)?;
    let at = |e: StoreError| format!("{}: {e}", a.db.display());
    if !a.db.exists() {
        println!(
            "{} chưa có: tạo phường mẫu (dữ liệu DEMO, không phải số liệu thật) / {} does not exist: generating the demo ward (DEMO data, not real figures)...",
            a.db.display(),
            a.db.display()
        );
        let info = hiendat::demo::database::create_demo(&a.db, 1)?;
        println!(
            "phường mẫu / demo ward: {} thửa / parcels, {} đoạn tuyến / segments, {} tổ dân phố / groups, {} sự kiện / events",
            info.parcels, info.segments, info.groups, info.events
        );
    }
    let mut store =
        hiendat::ops::import::open(&a.db).map_err(|e| format!("{}: {e}", a.db.display()))?;
    let demo = store.is_demo().map_err(at)?;
    if demo {
        let password = random_password()?;
        match store.user(DEMO_USER) {
            Ok(_) => store.set_password(DEMO_USER, &password),
            Err(StoreError::NotFound { .. }) => store
                .add_user(DEMO_USER, Role::Admin, &password)
                .map(|_| ()),
            Err(e) => Err(e),
        }
        .map_err(at)?;
        println!("DỮ LIỆU DEMO / DEMO DATA — đăng nhập / login: {DEMO_USER} / {password} (admin)");
        demo_scoped_users(&mut store).map_err(at)?;
        // the Inspection Committee's login: its section of "Công tác Đảng"
        let password = random_password()?;
        match store.user(DEMO_INSPECTOR) {
            Ok(_) => store.set_password(DEMO_INSPECTOR, &password),
            Err(StoreError::NotFound { .. }) => store
                .add_user(DEMO_INSPECTOR, Role::Inspection, &password)
                .map(|_| ()),
            Err(e) => Err(e),
        }
        .map_err(at)?;
        println!(
            "Ủy ban Kiểm tra / Inspection Committee — đăng nhập / login: {DEMO_INSPECTOR} / {password} (inspection)"
        );
    }
    let default_ward = match &a.ward {
        Some(_) => select_ward(&mut store, a.ward.as_deref(), hiendat::ops::wards::Use::Optional)?
            .ward
            .map(|w| w.id),
        None => None,
    };
    drop(store);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&a.addr)
            .await
            .map_err(|e| format!("{}: {e}", a.addr))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        let state = AppState::new(a.db.clone(), demo)
            .with_web(a.web.clone())
            .with_basemap(a.basemap.clone())
            .with_default_ward(default_ward);
        // the facts every figure is computed from, read before the first request
        state
            .warm()
            .await
            .map_err(|e| format!("{}: {e}", a.db.display()))?;
        println!("hiendat: http://{local}/ ({})", a.db.display());
        if !a.web.join("node_modules/maplibre-gl").is_dir() {
            eprintln!(
                "cảnh báo / warning: {} thiếu thư viện bản đồ, hãy chạy / lacks the map library, run: npm ci --prefix {}",
                a.web.display(),
                a.web.display()
            );
        }
        axum::serve(
            listener,
            api::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| e.to_string())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The demo's cell secretary and party member, each with a fresh password,
/// printed (see `hiendat::demo::roles`).
fn demo_scoped_users(store: &mut Store) -> Result<(), StoreError> {
    let today = hiendat::campaign::clock::today();
    for (name, role, code) in hiendat::demo::roles::scoped_users(store, today)? {
        let password = random_password().map_err(StoreError::BadInput)?;
        hiendat::demo::roles::ensure_user(store, name, role, &code, &password)?;
        println!("  đăng nhập / login: {name} / {password} ({role}, {code})");
    }
    Ok(())
}

/// Twelve characters from an alphabet without look-alikes.
fn random_password() -> Result<String, String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect())
}

fn run_user_add(a: UserAddArgs) -> Result<ExitCode, String> {
    let role: Role = a.role.parse().map_err(|e: StoreError| e.to_string())?;
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("mật khẩu cho / password for {}: ", a.name);
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("stdin: {e}"))?;
    let password = line.trim_end_matches(['\r', '\n']);
    let mut store = Store::open(&a.db).map_err(|e| format!("{}: {e}", a.db.display()))?;
    let choice = select_ward(&mut store, a.ward.as_deref(), hiendat::ops::wards::Use::Optional)?;
    let ward = match (&a.ward, choice.ward) {
        (Some(_), Some(w)) => Some(w.id),
        // the only ward's user, as the upgrade placed the ward's staff; an
        // admin is province-level
        (None, Some(w)) => (role != Role::Admin).then_some(w.id),
        (_, None) => None,
    };
    let user = store
        .add_user_as(&a.name, role, password, a.member.as_deref(), ward)
        .map_err(|e| e.to_string())?;
    println!("đã thêm / added {} ({})", user.name, user.role.as_str());
    Ok(ExitCode::SUCCESS)
}

fn run_backup(a: BackupArgs) -> Result<ExitCode, String> {
    let done = hiendat::ops::backup::backup(&a.db, &a.out, a.force)?;
    println!(
        "đã sao lưu / backed up {} → {} ({} sự kiện / events, {} bytes)",
        a.db.display(),
        a.out.display(),
        done.events,
        done.bytes
    );
    Ok(ExitCode::SUCCESS)
}

fn run_restore(a: RestoreArgs) -> Result<ExitCode, String> {
    let done = hiendat::ops::backup::restore(&a.from, &a.db)?;
    println!(
        "đã khôi phục / restored {} → {} (lược đồ / schema {})",
        a.from.display(),
        a.db.display(),
        done.schema_version
    );
    if let Some(p) = done.previous {
        println!(
            "bản cũ giữ tại / the replaced database is kept at {}",
            p.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Puts `store` in the ward `--ward` names, by the rules of
/// [`hiendat::ops::wards`] for `usage`; says its note on stderr.
fn select_ward(
    store: &mut Store,
    given: Option<&str>,
    usage: hiendat::ops::wards::Use,
) -> Result<hiendat::ops::wards::Choice, String> {
    let wards = store.wards().map_err(|e| e.to_string())?;
    let choice = hiendat::ops::wards::choose(&wards, given, usage)?;
    if let Some(w) = &choice.ward {
        store.use_ward(w.id).map_err(|e| e.to_string())?;
    }
    if let Some(n) = &choice.note {
        eprintln!("{n}");
    }
    Ok(choice)
}

fn run_ward(c: WardCommand) -> Result<ExitCode, String> {
    use hiendat::store::WardKind;
    match c {
        WardCommand::Add(a) => {
            let mut store = hiendat::ops::import::open(&a.db.db)
                .map_err(|e| format!("{}: {e}", a.db.db.display()))?;
            let kind = WardKind::parse(&a.kind).map_err(|e| format!("--{e}"))?;
            let w = store
                .add_ward(a.code.trim(), a.name.trim(), kind, a.town.as_deref(), a.crs.as_deref())
                .map_err(|e| e.to_string())?;
            println!("đã thêm / added {} — {} (/w/{}/)", w.code, w.name, w.code);
            let province: Vec<String> = store
                .users()
                .map_err(|e| e.to_string())?
                .into_iter()
                .filter(|u| u.ward.is_none())
                .map(|u| format!("{} ({})", u.name, u.role.as_str()))
                .collect();
            if !province.is_empty() {
                println!(
                    "người dùng cấp tỉnh, nay cũng vào được phường này / province-level users, who now reach this ward too: {}",
                    province.join(", ")
                );
            }
        }
        WardCommand::List(a) => {
            let mut store =
                Store::open(&a.db).map_err(|e| format!("{}: {e}", a.db.display()))?;
            let users = store.users().map_err(|e| e.to_string())?;
            println!("mã / code\ttên / name\tloại / kind\tthửa / parcels\tđoạn / segments\tngười dùng / users");
            for w in store.wards().map_err(|e| e.to_string())? {
                store.use_ward(w.id).map_err(|e| e.to_string())?;
                let parcels = store
                    .parcels_in_bbox([-180.0, -90.0], [180.0, 90.0])
                    .map_err(|e| e.to_string())?
                    .len();
                let segments = store.segment_ids().map_err(|e| e.to_string())?.len();
                let n = users.iter().filter(|u| u.ward.as_ref() == Some(&w.id)).count();
                println!(
                    "{}\t{}\t{}\t{parcels}\t{segments}\t{n}",
                    w.code,
                    w.name,
                    w.kind.as_str()
                );
            }
        }
        WardCommand::Rename(a) => {
            let mut store =
                Store::open(&a.db.db).map_err(|e| format!("{}: {e}", a.db.db.display()))?;
            let w = select_ward(&mut store, Some(&a.ward), hiendat::ops::wards::Use::Read)?
                .ward
                .ok_or("--ward")?;
            store.rename_ward(a.name.trim()).map_err(|e| e.to_string())?;
            println!("{}: {} → {}", w.code, w.name, a.name.trim());
        }
    }
    Ok(ExitCode::SUCCESS)
}
