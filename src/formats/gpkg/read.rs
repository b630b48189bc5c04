//! Reading the feature tables of a GeoPackage, its SRS, and GeoPackage
//! binary / WKB decoding.

use super::wkb::parse_blob_with;
use super::*;
use crate::formats::curve::{self, Linearizer, Unit};
use crate::formats::limits::Limits;
use rusqlite::OptionalExtension;
use rusqlite::limits::Limit;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Instant;

/// Reads every feature table of the GeoPackage at `path` into a layer, in
/// `gpkg_contents` order, within the default [`Limits`].
pub fn read(path: &Path) -> Result<Vec<Layer>, FormatError> {
    read_within(path, &Limits::DEFAULT)
}

/// [`read`] within `limits`: the file's size; the file opened read-only
/// (no trigger can run) with `trusted_schema` off; only real tables read
/// (a layer or GeoPackage table that is a view or a virtual table is
/// refused: a view is a query, possibly a recursive one); each value's
/// length bounded; and SQLite's work bounded by a progress handler (steps
/// and wall time), so that no query can hang or grow without end.
pub fn read_within(path: &Path, limits: &Limits) -> Result<Vec<Layer>, FormatError> {
    let file = file_label(path);
    if !path.is_file() {
        return Err(FormatError::Io(io::Error::new(
            io::ErrorKind::NotFound,
            format!("không tìm thấy tệp {file} / file {file} not found"),
        )));
    }
    crate::formats::limits::check_size(path, limits.gpkg_bytes)?;
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| not_sqlite(&file, e))?;
    let setup = |e: rusqlite::Error| sql_error(&file, "mở", "opening", e);
    conn.pragma_update(None, "trusted_schema", "OFF")
        .map_err(setup)?;
    conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, limits.sqlite_value_bytes)
        .map_err(setup)?;
    // Which limit stopped SQLite, if one did: 1 steps, 2 time.
    let stopped = Arc::new(AtomicU8::new(0));
    {
        let (stopped, max_calls, max_time) = (
            stopped.clone(),
            limits.sqlite_steps / PROGRESS_OPS as u64,
            limits.sqlite_time,
        );
        let (start, mut calls) = (Instant::now(), 0u64);
        conn.progress_handler(
            PROGRESS_OPS,
            Some(move || {
                calls += 1;
                let why = if calls > max_calls {
                    1
                } else if start.elapsed() > max_time {
                    2
                } else {
                    0
                };
                stopped.store(why, Ordering::Relaxed);
                why != 0
            }),
        )
        .map_err(setup)?;
    }
    let mut lin = Linearizer::new(
        curve::TOLERANCE_M,
        limits.arc_segments,
        limits.curve_vertices,
    );
    read_open(&conn, &file, &mut lin).map_err(|e| match stopped.load(Ordering::Relaxed) {
        1 => FormatError::invalid(format!(
            "đọc {file} vượt giới hạn {} bước SQLite / reading {file} exceeds the limit of {} \
             SQLite steps",
            limits.sqlite_steps, limits.sqlite_steps
        )),
        2 => FormatError::invalid(format!(
            "đọc {file} vượt giới hạn thời gian {} giây / reading {file} exceeds the time limit \
             of {} s",
            limits.sqlite_time.as_secs_f64(),
            limits.sqlite_time.as_secs_f64()
        )),
        _ => e,
    })
}

/// SQLite instructions between two calls of the progress handler.
const PROGRESS_OPS: i32 = 1000;

/// How `name` is stored: `Some("table")` for a real table, `Some("view")`,
/// `Some("virtual table")`, or `None` when there is no such table.
fn stored_as(conn: &Connection, name: &str) -> rusqlite::Result<Option<&'static str>> {
    let found: Option<(String, Option<String>)> = conn
        .query_row(
            "SELECT type, sql FROM sqlite_master WHERE type IN ('table', 'view')
             AND name = ?1 COLLATE NOCASE",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(found.map(|(ty, sql)| {
        let virt = sql.is_some_and(|s| {
            s.trim_start()
                .get(..20)
                .is_some_and(|h| h.eq_ignore_ascii_case("CREATE VIRTUAL TABLE"))
        });
        match ty.as_str() {
            "view" => "view",
            _ if virt => "virtual table",
            _ => "table",
        }
    }))
}

/// The refusal of `name` (a layer or GeoPackage table) when it is not a real
/// table.
fn not_a_table(file: &str, name: &str, what: &str) -> FormatError {
    let vi = if what == "view" {
        "một view (truy vấn)"
    } else {
        "một bảng ảo"
    };
    FormatError::invalid(format!(
        "lớp {name} của {file} là {vi}, không phải bảng thật: chỉ đọc bảng thật / layer {name} \
         of {file} is a {what}, not a real table: only real tables are read"
    ))
}

fn read_open(
    conn: &Connection,
    file: &str,
    lin: &mut Linearizer,
) -> Result<Vec<Layer>, FormatError> {
    // The first statement is where SQLite notices a file that is not a
    // database.
    let mut missing = false;
    for name in [
        "gpkg_contents",
        "gpkg_geometry_columns",
        "gpkg_spatial_ref_sys",
    ] {
        match stored_as(conn, name).map_err(|e| not_sqlite(file, e))? {
            None => missing = true,
            Some("table") => {}
            Some(what) => return Err(not_a_table(file, name, what)),
        }
    }
    if missing {
        return Err(FormatError::invalid(format!(
            "{file} là tệp SQLite nhưng không phải GeoPackage (thiếu gpkg_contents, \
             gpkg_geometry_columns hoặc gpkg_spatial_ref_sys) / {file} is an SQLite file but \
             not a GeoPackage (no gpkg_contents, gpkg_geometry_columns or gpkg_spatial_ref_sys)"
        )));
    }
    let file = &file.to_string();
    let r = |e: rusqlite::Error| sql_error(file, "đọc", "reading", e);
    let tables: Vec<TableInfo> = {
        let mut stmt = conn
            .prepare(
                "SELECT c.table_name, c.identifier, g.column_name, g.geometry_type_name, g.srs_id
                 FROM gpkg_contents c
                 JOIN gpkg_geometry_columns g ON lower(g.table_name) = lower(c.table_name)
                 WHERE lower(c.data_type) = 'features'
                 ORDER BY c.rowid",
            )
            .map_err(r)?;
        stmt.query_map([], |row| {
            Ok(TableInfo {
                name: row.get(0)?,
                title: row.get(1)?,
                geom: row.get(2)?,
                geom_type: row.get(3)?,
                srs_id: row.get(4)?,
            })
        })
        .map_err(r)?
        .collect::<Result<_, _>>()
        .map_err(r)?
    };
    if tables.is_empty() {
        return Err(FormatError::invalid(format!(
            "{file} không có bảng đối tượng (features) nào / {file} has no feature tables"
        )));
    }
    let wkt2 = conn
        .query_row(
            "SELECT count(*) FROM pragma_table_info('gpkg_spatial_ref_sys')
             WHERE name = 'definition_12_063'",
            [],
            |row| row.get::<_, i64>(0),
        )
        .map_err(r)?
        > 0;
    tables
        .iter()
        .map(|t| read_table(conn, file, t, wkt2, lin))
        .collect()
}

pub(super) struct TableInfo {
    name: String,
    title: Option<String>,
    geom: String,
    geom_type: String,
    srs_id: Option<i64>,
}

pub(super) fn read_table(
    conn: &Connection,
    file: &str,
    t: &TableInfo,
    wkt2: bool,
    lin: &mut Linearizer,
) -> Result<Layer, FormatError> {
    let table = &t.name;
    let r = |e: rusqlite::Error| {
        FormatError::invalid(format!(
            "lỗi SQLite khi đọc bảng {table} của {file}: {e} / SQLite error reading table \
             {table} of {file}: {e}"
        ))
    };
    let declared = match t.geom_type.to_ascii_uppercase().as_str() {
        "POINT" | "MULTIPOINT" => Some(GeomKind::Point),
        "LINESTRING" | "MULTILINESTRING" | "CURVE" | "MULTICURVE" | "COMPOUNDCURVE"
        | "CIRCULARSTRING" => Some(GeomKind::Line),
        "POLYGON" | "MULTIPOLYGON" | "SURFACE" | "MULTISURFACE" | "CURVEPOLYGON" => {
            Some(GeomKind::Polygon)
        }
        "GEOMETRY" | "GEOMETRYCOLLECTION" => None,
        other => {
            return Err(FormatError::invalid(format!(
                "bảng {table} của {file} có kiểu hình học không hỗ trợ {other} / table {table} \
                 of {file} has unsupported geometry type {other}"
            )));
        }
    };
    match stored_as(conn, table).map_err(r)? {
        Some("table") => {}
        Some(what) => return Err(not_a_table(file, table, what)),
        None => {
            return Err(FormatError::invalid(format!(
                "lớp {table} của {file} không có bảng / layer {table} of {file} has no table"
            )));
        }
    }
    let mut notes = Vec::new();
    let srs = read_srs(conn, file, t, wkt2, &mut notes).map_err(r)?;
    lin.unit = match &srs {
        Some(s) if s.geographic => Unit::Degrees,
        Some(_) => Unit::Metres,
        None => Unit::Guess,
    };
    let (arcs, capped, worst) = (lin.arcs, lin.capped, lin.worst_sagitta);
    lin.worst_sagitta = 0.0;

    // Columns: the integer primary key is the fid, the geometry column is
    // read apart, the rest are fields.
    let columns: Vec<(String, String, i64)> = {
        let mut stmt = conn
            .prepare("SELECT name, type, pk FROM pragma_table_info(?1) ORDER BY cid")
            .map_err(r)?;
        stmt.query_map([table], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .map_err(r)?
            .collect::<Result<_, _>>()
            .map_err(r)?
    };
    if !columns.iter().any(|c| c.0.eq_ignore_ascii_case(&t.geom)) {
        return Err(FormatError::invalid(format!(
            "bảng {table} của {file} không có cột hình học {} / table {table} of {file} has no \
             geometry column {}",
            t.geom, t.geom
        )));
    }
    let pks: Vec<&(String, String, i64)> = columns.iter().filter(|c| c.2 > 0).collect();
    let fid_col = match pks.as_slice() {
        [c] if c.1.eq_ignore_ascii_case("INTEGER") => Some(c.0.clone()),
        _ => None,
    };
    let mut fields = Vec::new();
    let mut select = format!(
        "SELECT {}, {}",
        fid_col.as_deref().map_or("NULL".to_string(), quote),
        quote(&t.geom)
    );
    for (name, ty, _) in &columns {
        if name.eq_ignore_ascii_case(&t.geom) || fid_col.as_deref() == Some(name.as_str()) {
            continue;
        }
        let base = ty
            .split('(')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_uppercase();
        let kind = match base.as_str() {
            "REAL" | "FLOAT" | "DOUBLE" => FieldKind::Real,
            "INTEGER" | "INT" | "MEDIUMINT" | "SMALLINT" | "TINYINT" | "BOOLEAN" => {
                FieldKind::Integer
            }
            "BLOB" => {
                notes.push(format!(
                    "bỏ qua trường nhị phân {name} của bảng {table} / skipped binary field \
                     {name} of table {table}"
                ));
                continue;
            }
            // TEXT, DATE, DATETIME and anything unknown.
            _ => FieldKind::Text,
        };
        select.push_str(&format!(", {}", quote(name)));
        fields.push(Field {
            name: name.clone(),
            kind,
        });
    }
    select.push_str(&format!(" FROM {}", quote(table)));
    if let Some(f) = &fid_col {
        select.push_str(&format!(" ORDER BY {}", quote(f)));
    }

    let mut kind = declared;
    let mut features = Vec::new();
    let mut stmt = conn.prepare(&select).map_err(r)?;
    let mut rows = stmt.raw_query();
    let mut ordinal = 0i64;
    while let Some(row) = rows.next().map_err(r)? {
        ordinal += 1;
        let fid = match row.get_ref(0).map_err(r)? {
            ValueRef::Integer(n) => n,
            _ => ordinal,
        };
        let at = |vi: &str, en: &str| {
            FormatError::invalid(format!(
                "đối tượng fid {fid} của bảng {table} trong {file}: {vi} / feature fid {fid} of \
                 table {table} in {file}: {en}"
            ))
        };
        let geometry = match row.get_ref(1).map_err(r)? {
            ValueRef::Blob(b) => parse_blob_with(b, lin).map_err(|e| at(&e.vi, &e.en))?,
            ValueRef::Null => {
                return Err(at("không có hình học (NULL)", "has no geometry (NULL)"));
            }
            _ => {
                return Err(at(
                    "hình học không phải BLOB GeoPackage",
                    "geometry is not a GeoPackage BLOB",
                ));
            }
        };
        let k = *kind.get_or_insert(geometry.kind());
        if geometry.kind() != k {
            return Err(at(
                &format!(
                    "hình học {} trong bảng kiểu {}",
                    kind_name(geometry.kind()),
                    kind_name(k)
                ),
                &format!(
                    "{} geometry in a {} table",
                    kind_name(geometry.kind()),
                    kind_name(k)
                ),
            ));
        }
        let mut values = Vec::with_capacity(fields.len());
        for (i, f) in fields.iter().enumerate() {
            values.push(cell(row.get_ref(i + 2).map_err(r)?, f.kind));
        }
        features.push(Feature { geometry, values });
    }
    drop(rows);
    drop(stmt);
    curve_notes(table, lin, arcs, capped, &mut notes);
    lin.worst_sagitta = lin.worst_sagitta.max(worst);

    let kind = kind.unwrap_or_else(|| {
        notes.push(format!(
            "bảng {table} rỗng và không khai báo kiểu hình học cụ thể: coi là vùng / table \
             {table} is empty and declares no specific geometry type: taken as polygons"
        ));
        GeomKind::Polygon
    });
    let mut layer = Layer::new(
        table,
        t.title
            .as_deref()
            .filter(|s| !s.is_empty())
            .unwrap_or(table),
        kind,
        fields,
    );
    layer.features = features;
    layer.srs = srs;
    layer.notes = notes;
    Ok(layer)
}

/// What the linearisation of a table's arcs did (counts since `arcs` and
/// `capped`), for the import report.
fn curve_notes(table: &str, lin: &Linearizer, arcs: usize, capped: usize, notes: &mut Vec<String>) {
    let (n, c) = (lin.arcs - arcs, lin.capped - capped);
    if n == 0 {
        return;
    }
    let mm = curve::TOLERANCE_M * 1000.0;
    notes.push(format!(
        "bảng {table}: {n} cung tròn (CircularString, CompoundCurve, CurvePolygon, MultiCurve, \
         MultiSurface) đã được nắn thành các đoạn thẳng, mỗi dây cung cách cung không quá {mm} \
         mm / table {table}: {n} circular arcs (CircularString, CompoundCurve, CurvePolygon, \
         MultiCurve, MultiSurface) were linearised into straight chords, each at most {mm} mm \
         from its arc"
    ));
    if c > 0 {
        let (max, worst) = (lin.max_segments, lin.worst_sagitta);
        notes.push(format!(
            "bảng {table}: {c} cung cần hơn {max} đoạn thẳng: đã dùng {max} đoạn, dây cung cách \
             cung tới {worst:.3} m / table {table}: {c} arcs needed more than {max} chords: {max} \
             were used, up to {worst:.3} m from the arc"
        ));
    }
}

pub(super) fn kind_name(k: GeomKind) -> &'static str {
    match k {
        GeomKind::Point => "Point",
        GeomKind::Line => "Line",
        GeomKind::Polygon => "Polygon",
    }
}

/// A cell as its field's kind where SQLite's loose typing allows it.
pub(super) fn cell(v: ValueRef<'_>, kind: FieldKind) -> Value {
    match (v, kind) {
        (ValueRef::Null, _) => Value::Null,
        (ValueRef::Integer(n), FieldKind::Real) => Value::Real(n as f64),
        (ValueRef::Integer(n), FieldKind::Text) => Value::Text(n.to_string()),
        (ValueRef::Integer(n), FieldKind::Integer) => Value::Integer(n),
        (ValueRef::Real(x), FieldKind::Integer) if x.fract() == 0.0 && x.abs() < 9.0e15 => {
            Value::Integer(x as i64)
        }
        (ValueRef::Real(x), FieldKind::Text) => Value::Text(format_real(x)),
        (ValueRef::Real(x), _) => Value::Real(x),
        (ValueRef::Text(s) | ValueRef::Blob(s), _) => {
            Value::Text(String::from_utf8_lossy(s).into_owned())
        }
    }
}

/// The layer's SRS from `gpkg_spatial_ref_sys`; `None` (and a note) when
/// the table states none.
pub(super) fn read_srs(
    conn: &Connection,
    file: &str,
    t: &TableInfo,
    wkt2: bool,
    notes: &mut Vec<String>,
) -> rusqlite::Result<Option<Srs>> {
    let table = &t.name;
    let undefined = |notes: &mut Vec<String>, why_vi: &str, why_en: &str| {
        notes.push(format!(
            "bảng {table} của {file} không xác định hệ tọa độ ({why_vi}): cần chỉ định --crs / \
             table {table} of {file} has no defined coordinate reference system ({why_en}): \
             specify --crs"
        ));
        None
    };
    let id = match t.srs_id {
        Some(id) if id != 0 && id != -1 => id,
        Some(id) => {
            return Ok(undefined(
                notes,
                &format!("srs_id {id}"),
                &format!("srs_id {id}"),
            ));
        }
        None => return Ok(undefined(notes, "srs_id NULL", "srs_id NULL")),
    };
    let sql = if wkt2 {
        "SELECT srs_name, organization, organization_coordsys_id, definition, definition_12_063
         FROM gpkg_spatial_ref_sys WHERE srs_id = ?1"
    } else {
        "SELECT srs_name, organization, organization_coordsys_id, definition, NULL
         FROM gpkg_spatial_ref_sys WHERE srs_id = ?1"
    };
    let row = conn.query_row(sql, [id], |row| {
        Ok((
            row.get::<_, Option<String>>(0)?,
            row.get::<_, Option<String>>(1)?,
            row.get::<_, Option<i64>>(2)?,
            row.get::<_, Option<String>>(3)?,
            row.get::<_, Option<String>>(4)?,
        ))
    });
    let (name, org, code, def, def2) = match row {
        Ok(r) => r,
        Err(rusqlite::Error::QueryReturnedNoRows) => {
            return Ok(undefined(
                notes,
                &format!("srs_id {id} không có trong gpkg_spatial_ref_sys"),
                &format!("srs_id {id} missing from gpkg_spatial_ref_sys"),
            ));
        }
        Err(e) => return Err(e),
    };
    let usable = |d: &Option<String>| {
        d.as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty() && !d.eq_ignore_ascii_case("undefined"))
            .map(str::to_string)
    };
    let Some(wkt) = usable(&def).or_else(|| usable(&def2)) else {
        return Ok(undefined(
            notes,
            &format!("srs_id {id}: định nghĩa 'undefined'"),
            &format!("srs_id {id}: definition 'undefined'"),
        ));
    };
    let epsg = match (org.as_deref(), code) {
        (Some(o), Some(c)) if o.eq_ignore_ascii_case("EPSG") => u32::try_from(c).ok(),
        _ => None,
    }
    .filter(|&c| c > 0);
    let head = wkt.get(..7).unwrap_or(&wkt).to_ascii_uppercase();
    let geographic =
        epsg == Some(4326) || head.starts_with("GEOGCS") || head.starts_with("GEOGCRS");
    Ok(Some(Srs {
        epsg,
        name: name.unwrap_or_default(),
        wkt,
        geographic,
    }))
}
