//! OGC GeoPackage (1.3) vector layers: writing [`Layer`]s to a new `.gpkg`
//! and reading the feature tables of any GeoPackage back into layers.
//!
//! The writer builds a minimal, valid GeoPackage in one transaction: the
//! core tables (`gpkg_spatial_ref_sys` with its three mandatory rows,
//! `gpkg_contents`, `gpkg_geometry_columns`, `gpkg_extensions`), one feature
//! table per layer (`fid`, `geom` as POINT / MULTILINESTRING / MULTIPOLYGON,
//! then the fields) and an R-tree spatial index per table
//! (`gpkg_rtree_index`). The R-tree is bulk-loaded from the envelopes
//! computed here, and its triggers (which call `ST_*` functions that only GeoPackage
//! aware clients such as GDAL provide) are created after the data, so that
//! the writer needs no SQL functions of its own.
//!
//! The reader takes every `features` table of `gpkg_contents` that has a row
//! in `gpkg_geometry_columns`, decodes the GeoPackage binary header and ISO
//! WKB in either byte order (Z and M dropped), and maps the geometry onto
//! [`Geometry`]: points, lines or polygons, multi or single, or collections
//! of one of those.
//!
//! Left out: tiles and attribute-only tables (skipped on read), curve
//! geometries (an error), the extended geometry header, BLOB fields (skipped
//! with a note), and the R-tree on read (a full scan is what import needs).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io;
use std::path::Path;

use rusqlite::types::{Null, ValueRef};
use rusqlite::{Connection, OpenFlags, Statement};

use super::layer::{
    Feature, Field, FieldKind, FormatError, GeomKind, Geometry, Layer, Pt, Srs, Value, format_real,
};

/// 'GPKG' in `PRAGMA application_id`.
const APPLICATION_ID: i32 = 0x4750_4B47;
/// GeoPackage 1.3.0 in `PRAGMA user_version`.
const USER_VERSION: i32 = 10300;
/// The geometry column of the tables we write.
const GEOM: &str = "geom";
/// First `srs_id` given to a coordinate system without an EPSG code.
const FIRST_CUSTOM_SRS: i64 = 100_000;
/// Nesting allowed in a geometry collection (guards the stack on bad blobs).
const MAX_DEPTH: u32 = 16;

const WGS84_WKT: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]"#;

const CORE_TABLES: &str = "
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL,
  description TEXT
);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY,
  data_type TEXT NOT NULL,
  identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE,
  min_y DOUBLE,
  max_x DOUBLE,
  max_y DOUBLE,
  srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL,
  z TINYINT NOT NULL,
  m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
);
CREATE TABLE gpkg_extensions (
  table_name TEXT,
  column_name TEXT,
  extension_name TEXT NOT NULL,
  definition TEXT NOT NULL,
  scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name)
);
";

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

/// Writes `layers` to a new GeoPackage at `path`, which must not exist (the
/// caller writes to a temporary name and renames). Every layer needs an
/// `srs`; its features must match its kind and field count. On error the
/// partly written file is removed.
pub fn write(path: &Path, layers: &[Layer]) -> Result<(), FormatError> {
    let file = file_label(path);
    check_layers(&file, layers)?;
    // create_new: refuse an existing file atomically, then let SQLite fill
    // the empty file.
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            FormatError::Io(io::Error::new(
                e.kind(),
                format!("không tạo được tệp {file}: {e} / cannot create file {file}: {e}"),
            ))
        })?;
    let result = write_new(path, &file, layers);
    if result.is_err() {
        let _ = std::fs::remove_file(path);
    }
    result
}

/// Checks what SQL would reject late or a reader would misread: names, SRS,
/// distinct titles, field names.
fn check_layers(file: &str, layers: &[Layer]) -> Result<(), FormatError> {
    let mut names: Vec<String> = Vec::new();
    let mut titles: Vec<&str> = Vec::new();
    for l in layers {
        let n = &l.name;
        let lower = n.to_ascii_lowercase();
        if n.is_empty()
            || !n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            || lower.starts_with("gpkg")
            || lower.starts_with("rtree_")
            || lower.starts_with("sqlite")
        {
            return Err(FormatError::invalid(format!(
                "tên lớp '{n}' không dùng được làm tên bảng GeoPackage (cần chữ ASCII, số, '_', \
                 không bắt đầu bằng gpkg/rtree_/sqlite) trong {file} / layer name '{n}' cannot be \
                 a GeoPackage table name (ASCII letters, digits, '_', not starting with \
                 gpkg/rtree_/sqlite) in {file}"
            )));
        }
        if names.contains(&lower) {
            return Err(FormatError::invalid(format!(
                "hai lớp cùng tên '{n}' trong {file} / two layers named '{n}' in {file}"
            )));
        }
        names.push(lower);
        if titles.contains(&l.title.as_str()) {
            return Err(FormatError::invalid(format!(
                "hai lớp cùng tiêu đề '{}' trong {file} (gpkg_contents.identifier phải khác nhau) \
                 / two layers titled '{}' in {file} (gpkg_contents.identifier must be unique)",
                l.title, l.title
            )));
        }
        titles.push(&l.title);
        if l.srs.is_none() {
            return Err(FormatError::invalid(format!(
                "lớp {n} không có hệ tọa độ, không ghi được vào {file} / layer {n} has no \
                 coordinate reference system and cannot be written to {file}"
            )));
        }
        let mut seen: Vec<String> = vec!["fid".into(), GEOM.into()];
        for f in &l.fields {
            let fl = f.name.to_lowercase();
            if f.name.is_empty() || f.name.contains('\0') || seen.contains(&fl) {
                return Err(FormatError::invalid(format!(
                    "trường '{}' của lớp {n} rỗng, trùng tên, hoặc trùng với fid/geom trong {file} \
                     / field '{}' of layer {n} is empty, duplicated, or clashes with fid/geom in \
                     {file}",
                    f.name, f.name
                )));
            }
            seen.push(fl);
        }
    }
    Ok(())
}

fn write_new(path: &Path, file: &str, layers: &[Layer]) -> Result<(), FormatError> {
    let w = |e: rusqlite::Error| sql_error(file, "ghi", "writing", e);
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(w)?;
    // The file is new and is removed on failure: no journal, no syncs; the
    // caller's rename makes it durable as a whole.
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;
         PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {USER_VERSION};
         BEGIN;"
    ))
    .map_err(w)?;
    conn.execute_batch(CORE_TABLES).map_err(w)?;
    conn.execute_batch(&format!(
        "INSERT INTO gpkg_spatial_ref_sys VALUES
           ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined',
            'undefined cartesian coordinate reference system'),
           ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined',
            'undefined geographic coordinate reference system'),
           ('WGS 84 geodetic', 4326, 'EPSG', 4326, '{WGS84_WKT}',
            'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');"
    ))
    .map_err(w)?;

    let srs_ids = insert_srs(&conn, layers).map_err(w)?;
    let mut blob = Vec::with_capacity(4096);
    for (layer, &srs_id) in layers.iter().zip(&srs_ids) {
        write_layer(&conn, file, layer, srs_id, &mut blob)?;
    }
    conn.execute_batch("COMMIT;").map_err(w)?;
    conn.close().map_err(|(_, e)| w(e))?;
    Ok(())
}

/// Inserts one `gpkg_spatial_ref_sys` row per distinct SRS (by EPSG code,
/// else by WKT) and returns each layer's `srs_id`.
fn insert_srs(conn: &Connection, layers: &[Layer]) -> rusqlite::Result<Vec<i64>> {
    let mut by_key: HashMap<Cow<'_, str>, i64> = HashMap::new();
    by_key.insert(Cow::Borrowed("EPSG:4326"), 4326);
    let mut used: Vec<i64> = layers
        .iter()
        .filter_map(|l| l.srs.as_ref()?.epsg.map(i64::from))
        .collect();
    let mut next_custom = FIRST_CUSTOM_SRS;
    let mut stmt = conn.prepare(
        "INSERT INTO gpkg_spatial_ref_sys
           (srs_name, srs_id, organization, organization_coordsys_id, definition, description)
         VALUES (?1, ?2, ?3, ?2, ?4, NULL)",
    )?;
    let mut ids = Vec::with_capacity(layers.len());
    for l in layers {
        // check_layers made sure every layer has one.
        let Some(srs) = &l.srs else {
            ids.push(-1);
            continue;
        };
        let key = match srs.epsg {
            Some(code) if code > 0 => Cow::Owned(format!("EPSG:{code}")),
            _ => Cow::Borrowed(srs.wkt.as_str()),
        };
        if let Some(&id) = by_key.get(&key) {
            ids.push(id);
            continue;
        }
        let (id, org) = match srs.epsg {
            Some(code) if code > 0 => (i64::from(code), "EPSG"),
            _ => {
                while used.contains(&next_custom) {
                    next_custom += 1;
                }
                used.push(next_custom);
                (next_custom, "NONE")
            }
        };
        let definition = if srs.wkt.trim().is_empty() {
            "undefined"
        } else {
            srs.wkt.as_str()
        };
        stmt.execute((&srs.name, id, org, definition))?;
        by_key.insert(key, id);
        ids.push(id);
    }
    Ok(ids)
}

fn quote(id: &str) -> String {
    format!("\"{}\"", id.replace('"', "\"\""))
}

fn write_layer(
    conn: &Connection,
    file: &str,
    layer: &Layer,
    srs_id: i64,
    blob: &mut Vec<u8>,
) -> Result<(), FormatError> {
    let w = |e: rusqlite::Error| {
        FormatError::invalid(format!(
            "lỗi SQLite khi ghi lớp {} vào {file}: {e} / SQLite error writing layer {} to {file}: {e}",
            layer.name, layer.name
        ))
    };
    let table = &layer.name;
    let geom_type = match layer.kind {
        GeomKind::Point => "POINT",
        GeomKind::Line => "MULTILINESTRING",
        GeomKind::Polygon => "MULTIPOLYGON",
    };
    let mut create = format!(
        "CREATE TABLE {} (\"fid\" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \"{GEOM}\" {geom_type}",
        quote(table)
    );
    for f in &layer.fields {
        let t = match f.kind {
            FieldKind::Text => "TEXT",
            FieldKind::Real => "REAL",
            FieldKind::Integer => "INTEGER",
        };
        create.push_str(&format!(", {} {t}", quote(&f.name)));
    }
    create.push(')');
    conn.execute_batch(&create).map_err(w)?;
    conn.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)
         VALUES (?1, 'features', ?2, ?2, ?3)",
        (table, &layer.title, srs_id),
    )
    .map_err(w)?;
    conn.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, ?2, ?3, ?4, 0, 0)",
        (table, GEOM, geom_type, srs_id),
    )
    .map_err(w)?;
    let rtree = format!("rtree_{table}_{GEOM}");
    conn.execute_batch(&format!(
        "CREATE VIRTUAL TABLE \"{rtree}\" USING rtree(id, minx, maxx, miny, maxy)"
    ))
    .map_err(w)?;
    conn.execute(
        "INSERT INTO gpkg_extensions VALUES (?1, ?2, 'gpkg_rtree_index',
           'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
        (table, GEOM),
    )
    .map_err(w)?;

    let cols: String = layer
        .fields
        .iter()
        .map(|f| format!(", {}", quote(&f.name)))
        .collect();
    let marks: String = (0..layer.fields.len())
        .map(|i| format!(", ?{}", i + 3))
        .collect();
    let mut insert = conn
        .prepare(&format!(
            "INSERT INTO {} (\"fid\", \"{GEOM}\"{cols}) VALUES (?1, ?2{marks})",
            quote(table)
        ))
        .map_err(w)?;
    let mut boxes: Vec<Cell> = Vec::with_capacity(layer.features.len());

    let mut extent: Option<[f64; 4]> = None;
    for (i, feature) in layer.features.iter().enumerate() {
        let fid = i as i64 + 1;
        let at = |vi: &str, en: &str| {
            FormatError::invalid(format!(
                "đối tượng {fid} của lớp {table} ({file}): {vi} / feature {fid} of layer {table} \
                 ({file}): {en}"
            ))
        };
        if feature.geometry.kind() != layer.kind {
            return Err(at(
                "kiểu hình học khác kiểu của lớp",
                "geometry type differs from the layer's",
            ));
        }
        if feature.values.len() != layer.fields.len() {
            return Err(at(
                &format!(
                    "có {} giá trị cho {} trường",
                    feature.values.len(),
                    layer.fields.len()
                ),
                &format!(
                    "has {} values for {} fields",
                    feature.values.len(),
                    layer.fields.len()
                ),
            ));
        }
        let env = match encode(blob, &feature.geometry, srs_id as i32) {
            Ok(env) => env,
            Err(Unwritable::Empty) => return Err(at("hình học rỗng", "empty geometry")),
            Err(Unwritable::NotFinite) => {
                return Err(at(
                    "tọa độ không phải số hữu hạn",
                    "a coordinate is not a finite number",
                ));
            }
        };
        extent = Some(match extent {
            None => env,
            Some(e) => [
                e[0].min(env[0]),
                e[1].max(env[1]),
                e[2].min(env[2]),
                e[3].max(env[3]),
            ],
        });
        insert.raw_bind_parameter(1, fid).map_err(w)?;
        insert.raw_bind_parameter(2, blob.as_slice()).map_err(w)?;
        for (k, (v, f)) in feature.values.iter().zip(&layer.fields).enumerate() {
            bind_value(&mut insert, k + 3, v, f.kind).map_err(|e| match e {
                BindError::Sql(e) => w(e),
                BindError::Type => at(
                    &format!("giá trị '{v}' của trường {} không đúng kiểu", f.name),
                    &format!("value '{v}' of field {} has the wrong type", f.name),
                ),
            })?;
        }
        insert.raw_execute().map_err(w)?;
        boxes.push((
            fid,
            [
                f32_down(env[0]),
                f32_up(env[1]),
                f32_down(env[2]),
                f32_up(env[3]),
            ],
        ));
    }
    drop(insert);
    bulk_load_rtree(conn, &rtree, boxes).map_err(w)?;

    if let Some([minx, maxx, miny, maxy]) = extent {
        conn.execute(
            "UPDATE gpkg_contents SET min_x = ?2, min_y = ?3, max_x = ?4, max_y = ?5
             WHERE table_name = ?1",
            (table, minx, miny, maxx, maxy),
        )
        .map_err(w)?;
    }
    conn.execute_batch(&rtree_triggers(table, GEOM, "fid"))
        .map_err(w)?;
    Ok(())
}

enum BindError {
    Sql(rusqlite::Error),
    /// The value cannot be stored in the field's type.
    Type,
}

/// Binds a value as the field's type: numbers in a text field become text,
/// numeric text in a number field a number; non-finite reals become NULL.
fn bind_value(
    stmt: &mut Statement<'_>,
    i: usize,
    v: &Value,
    kind: FieldKind,
) -> Result<(), BindError> {
    let r = match (v, kind) {
        (Value::Null, _) => stmt.raw_bind_parameter(i, Null),
        (Value::Text(s), FieldKind::Text) => stmt.raw_bind_parameter(i, s.as_str()),
        (Value::Real(x), FieldKind::Text) => stmt.raw_bind_parameter(i, format_real(*x)),
        (Value::Integer(n), FieldKind::Text) => stmt.raw_bind_parameter(i, n),
        (Value::Integer(n), FieldKind::Integer) => stmt.raw_bind_parameter(i, n),
        (Value::Real(x), FieldKind::Integer) if x.fract() == 0.0 && x.abs() < 9.0e15 => {
            stmt.raw_bind_parameter(i, *x as i64)
        }
        (Value::Text(s), FieldKind::Integer) => match s.trim() {
            "" => stmt.raw_bind_parameter(i, Null),
            t => match t.parse::<i64>() {
                Ok(n) => stmt.raw_bind_parameter(i, n),
                Err(_) => return Err(BindError::Type),
            },
        },
        (Value::Real(_), FieldKind::Integer) => return Err(BindError::Type),
        (_, FieldKind::Real) => match v.as_f64() {
            Some(x) if x.is_finite() => stmt.raw_bind_parameter(i, x),
            Some(_) => stmt.raw_bind_parameter(i, Null),
            None if v.as_text().is_none() => stmt.raw_bind_parameter(i, Null),
            None => return Err(BindError::Type),
        },
    };
    r.map_err(BindError::Sql)
}

/// An R-tree cell: a feature id (leaf) or child node (inner), and its box
/// [minx, maxx, miny, maxy].
type Cell = (i64, [f32; 4]);

/// A bound rounded down to f32, as SQLite's R-tree stores it.
fn f32_down(d: f64) -> f32 {
    let f = d as f32;
    if f64::from(f) > d { f.next_down() } else { f }
}

/// A bound rounded up to f32.
fn f32_up(d: f64) -> f32 {
    let f = d as f32;
    if f64::from(f) < d { f.next_up() } else { f }
}

/// Fills the new, empty 2-D SQLite R-tree `name` with `cells` by
/// Sort-Tile-Recursive packing, writing its shadow tables (`_node`,
/// `_rowid`, `_parent`) directly, as GDAL does: row-by-row inserts cost
/// about as much as all the rest of the file. Node layout (SQLite's
/// rtree.c): fixed-size blobs, big-endian; u16 tree depth (root only), u16
/// cell count, then cells of i64 id and four f32; node 1 is the root.
/// SQLite's `rtreecheck()` checks the result in the tests.
fn bulk_load_rtree(conn: &Connection, name: &str, cells: Vec<Cell>) -> rusqlite::Result<()> {
    if cells.is_empty() {
        return Ok(());
    }
    // The node size SQLite chose for this page size, from the empty root
    // it created.
    let node_size: u32 = conn.query_row(
        &format!("SELECT length(data) FROM \"{name}_node\" WHERE nodeno = 1"),
        [],
        |r| r.get(0),
    )?;
    let node_size = node_size as usize;
    let max_cells = node_size.saturating_sub(4) / 24;
    if max_cells < 2 {
        return Err(rusqlite::Error::InvalidQuery);
    }

    // levels[0] are leaves (ids are fids); levels[k] hold indices into
    // levels[k - 1]; the last level is the single root.
    let mut levels = vec![str_pack(cells, max_cells)];
    while let Some(top) = levels.last()
        && top.len() > 1
    {
        let parents = top
            .iter()
            .enumerate()
            .map(|(i, node)| (i as i64, union(node)))
            .collect();
        levels.push(str_pack(parents, max_cells));
    }
    let depth = levels.len() - 1;
    // Node numbers: the root is 1, then level by level downwards.
    let mut numbers: Vec<Vec<i64>> = vec![Vec::new(); levels.len()];
    let mut next = 1;
    for (k, level) in levels.iter().enumerate().rev() {
        numbers[k] = (next..next + level.len() as i64).collect();
        next += level.len() as i64;
    }

    let mut node = conn.prepare(&format!(
        "INSERT OR REPLACE INTO \"{name}_node\" (nodeno, data) VALUES (?1, ?2)"
    ))?;
    let mut rowid = conn.prepare(&format!(
        "INSERT INTO \"{name}_rowid\" (rowid, nodeno) VALUES (?1, ?2)"
    ))?;
    let mut parent = conn.prepare(&format!(
        "INSERT INTO \"{name}_parent\" (nodeno, parentnode) VALUES (?1, ?2)"
    ))?;
    let mut blob = vec![0u8; node_size];
    for (k, level) in levels.iter().enumerate() {
        for (i, cells) in level.iter().enumerate() {
            let nodeno = numbers[k][i];
            blob.fill(0);
            if k == depth {
                blob[0..2].copy_from_slice(&(depth as u16).to_be_bytes());
            }
            blob[2..4].copy_from_slice(&(cells.len() as u16).to_be_bytes());
            for (c, &(id, b)) in cells.iter().enumerate() {
                let id = if k == 0 {
                    rowid.execute((id, nodeno))?;
                    id
                } else {
                    let child = numbers[k - 1][id as usize];
                    parent.execute((child, nodeno))?;
                    child
                };
                let at = 4 + 24 * c;
                blob[at..at + 8].copy_from_slice(&id.to_be_bytes());
                for (j, v) in b.iter().enumerate() {
                    blob[at + 8 + 4 * j..at + 12 + 4 * j].copy_from_slice(&v.to_be_bytes());
                }
            }
            node.execute((nodeno, blob.as_slice()))?;
        }
    }
    Ok(())
}

/// The box around a node's cells.
fn union(cells: &[Cell]) -> [f32; 4] {
    cells.iter().fold(
        [
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::INFINITY,
            f32::NEG_INFINITY,
        ],
        |u, (_, b)| {
            [
                u[0].min(b[0]),
                u[1].max(b[1]),
                u[2].min(b[2]),
                u[3].max(b[3]),
            ]
        },
    )
}

/// Sort-Tile-Recursive: cells into nodes of at most `m`, in vertical slices
/// by x centre, each slice cut by y centre.
fn str_pack(mut cells: Vec<Cell>, m: usize) -> Vec<Vec<Cell>> {
    let nodes = cells.len().div_ceil(m);
    let slices = (nodes as f64).sqrt().ceil() as usize;
    let centre = |b: &[f32; 4], k: usize| f64::from(b[k]) + f64::from(b[k + 1]);
    cells.sort_unstable_by(|a, b| centre(&a.1, 0).total_cmp(&centre(&b.1, 0)));
    let mut out = Vec::with_capacity(nodes);
    for slice in cells.chunks_mut(slices.max(1) * m) {
        slice.sort_unstable_by(|a, b| centre(&a.1, 2).total_cmp(&centre(&b.1, 2)));
        out.extend(slice.chunks(m).map(<[Cell]>::to_vec));
    }
    out
}

/// The GeoPackage spec's R-tree triggers (1.3, `update1`..`update4`).
fn rtree_triggers(t: &str, c: &str, i: &str) -> String {
    let r = format!("rtree_{t}_{c}");
    let values = format!(
        "INSERT OR REPLACE INTO \"{r}\" VALUES (NEW.\"{i}\", ST_MinX(NEW.\"{c}\"), \
         ST_MaxX(NEW.\"{c}\"), ST_MinY(NEW.\"{c}\"), ST_MaxY(NEW.\"{c}\"));"
    );
    format!(
        "CREATE TRIGGER \"{r}_insert\" AFTER INSERT ON \"{t}\"
  WHEN (new.\"{c}\" NOT NULL AND NOT ST_IsEmpty(NEW.\"{c}\"))
BEGIN
  {values}
END;
CREATE TRIGGER \"{r}_update1\" AFTER UPDATE OF \"{c}\" ON \"{t}\"
  WHEN OLD.\"{i}\" = NEW.\"{i}\" AND (NEW.\"{c}\" NOTNULL AND NOT ST_IsEmpty(NEW.\"{c}\"))
BEGIN
  {values}
END;
CREATE TRIGGER \"{r}_update2\" AFTER UPDATE OF \"{c}\" ON \"{t}\"
  WHEN OLD.\"{i}\" = NEW.\"{i}\" AND (NEW.\"{c}\" ISNULL OR ST_IsEmpty(NEW.\"{c}\"))
BEGIN
  DELETE FROM \"{r}\" WHERE id = OLD.\"{i}\";
END;
CREATE TRIGGER \"{r}_update3\" AFTER UPDATE ON \"{t}\"
  WHEN OLD.\"{i}\" != NEW.\"{i}\" AND (NEW.\"{c}\" NOTNULL AND NOT ST_IsEmpty(NEW.\"{c}\"))
BEGIN
  DELETE FROM \"{r}\" WHERE id = OLD.\"{i}\";
  {values}
END;
CREATE TRIGGER \"{r}_update4\" AFTER UPDATE ON \"{t}\"
  WHEN OLD.\"{i}\" != NEW.\"{i}\" AND (NEW.\"{c}\" ISNULL OR ST_IsEmpty(NEW.\"{c}\"))
BEGIN
  DELETE FROM \"{r}\" WHERE id IN (OLD.\"{i}\", NEW.\"{i}\");
END;
CREATE TRIGGER \"{r}_delete\" AFTER DELETE ON \"{t}\"
  WHEN old.\"{c}\" NOT NULL
BEGIN
  DELETE FROM \"{r}\" WHERE id = OLD.\"{i}\";
END;
"
    )
}

/// Why a geometry cannot be written.
#[derive(Debug)]
enum Unwritable {
    Empty,
    NotFinite,
}

const WKB_POINT: u32 = 1;
const WKB_LINE_STRING: u32 = 2;
const WKB_POLYGON: u32 = 3;
const WKB_MULTI_LINE_STRING: u32 = 5;
const WKB_MULTI_POLYGON: u32 = 6;

/// Encodes `g` into `out` as a GeoPackage geometry blob (little-endian
/// header with an [minx, maxx, miny, maxy] envelope, then little-endian ISO
/// WKB: Point, MultiLineString or MultiPolygon) and returns the envelope.
fn encode(out: &mut Vec<u8>, g: &Geometry, srs_id: i32) -> Result<[f64; 4], Unwritable> {
    out.clear();
    out.extend_from_slice(b"GP");
    out.push(0); // version 1
    out.push(0b0000_0011); // little-endian, 32-byte envelope, not empty
    out.extend_from_slice(&srs_id.to_le_bytes());
    let env_at = out.len();
    out.extend_from_slice(&[0; 32]);

    let mut e = Encoder {
        out,
        env: [
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ],
        finite: true,
    };
    match g {
        Geometry::Point(p) => {
            e.head(WKB_POINT);
            e.point(*p);
        }
        Geometry::Lines(ls) => {
            e.head(WKB_MULTI_LINE_STRING);
            e.count(ls.len());
            for l in ls {
                e.head(WKB_LINE_STRING);
                e.points(l);
            }
        }
        Geometry::Polygons(ps) => {
            e.head(WKB_MULTI_POLYGON);
            e.count(ps.len());
            for p in ps {
                e.head(WKB_POLYGON);
                e.count(p.len());
                for r in p {
                    e.points(r);
                }
            }
        }
    }
    let (env, finite) = (e.env, e.finite);
    if !finite {
        return Err(Unwritable::NotFinite);
    }
    if env[0] > env[1] {
        return Err(Unwritable::Empty);
    }
    for (k, v) in env.iter().enumerate() {
        let at = env_at + 8 * k;
        out[at..at + 8].copy_from_slice(&v.to_le_bytes());
    }
    Ok(env)
}

/// Little-endian WKB into a buffer, tracking the envelope.
struct Encoder<'a> {
    out: &'a mut Vec<u8>,
    env: [f64; 4],
    finite: bool,
}

impl Encoder<'_> {
    fn head(&mut self, t: u32) {
        self.out.push(1);
        self.out.extend_from_slice(&t.to_le_bytes());
    }

    fn count(&mut self, n: usize) {
        self.out.extend_from_slice(&(n as u32).to_le_bytes());
    }

    fn point(&mut self, p: Pt) {
        self.finite &= p[0].is_finite() && p[1].is_finite();
        self.env[0] = self.env[0].min(p[0]);
        self.env[1] = self.env[1].max(p[0]);
        self.env[2] = self.env[2].min(p[1]);
        self.env[3] = self.env[3].max(p[1]);
        self.out.extend_from_slice(&p[0].to_le_bytes());
        self.out.extend_from_slice(&p[1].to_le_bytes());
    }

    fn points(&mut self, ps: &[Pt]) {
        self.count(ps.len());
        for p in ps {
            self.point(*p);
        }
    }
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

/// Reads every feature table of the GeoPackage at `path` into a layer, in
/// `gpkg_contents` order.
pub fn read(path: &Path) -> Result<Vec<Layer>, FormatError> {
    let file = file_label(path);
    if !path.is_file() {
        return Err(FormatError::Io(io::Error::new(
            io::ErrorKind::NotFound,
            format!("không tìm thấy tệp {file} / file {file} not found"),
        )));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| not_sqlite(&file, e))?;
    // The first statement is where SQLite notices a file that is not a
    // database.
    let has = |name: &str| -> Result<bool, FormatError> {
        conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view')
             AND name = ?1 COLLATE NOCASE",
            [name],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n > 0)
        .map_err(|e| not_sqlite(&file, e))
    };
    if !has("gpkg_contents")? || !has("gpkg_geometry_columns")? || !has("gpkg_spatial_ref_sys")? {
        return Err(FormatError::invalid(format!(
            "{file} là tệp SQLite nhưng không phải GeoPackage (thiếu gpkg_contents, \
             gpkg_geometry_columns hoặc gpkg_spatial_ref_sys) / {file} is an SQLite file but \
             not a GeoPackage (no gpkg_contents, gpkg_geometry_columns or gpkg_spatial_ref_sys)"
        )));
    }
    let r = |e: rusqlite::Error| sql_error(&file, "đọc", "reading", e);
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
        .map(|t| read_table(&conn, &file, t, wkt2))
        .collect()
}

struct TableInfo {
    name: String,
    title: Option<String>,
    geom: String,
    geom_type: String,
    srs_id: Option<i64>,
}

fn read_table(
    conn: &Connection,
    file: &str,
    t: &TableInfo,
    wkt2: bool,
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
    let mut notes = Vec::new();
    let srs = read_srs(conn, file, t, wkt2, &mut notes).map_err(r)?;

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
            ValueRef::Blob(b) => parse_blob(b).map_err(|e| at(&e.vi, &e.en))?,
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

fn kind_name(k: GeomKind) -> &'static str {
    match k {
        GeomKind::Point => "Point",
        GeomKind::Line => "Line",
        GeomKind::Polygon => "Polygon",
    }
}

/// A cell as its field's kind where SQLite's loose typing allows it.
fn cell(v: ValueRef<'_>, kind: FieldKind) -> Value {
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
fn read_srs(
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

/// What is wrong with a geometry blob, in Vietnamese and English.
#[derive(Debug)]
struct Bad {
    vi: String,
    en: String,
}

fn bad(vi: impl Into<String>, en: impl Into<String>) -> Bad {
    Bad {
        vi: vi.into(),
        en: en.into(),
    }
}

fn truncated() -> Bad {
    bad("BLOB hình học bị cắt cụt", "geometry BLOB is truncated")
}

/// Decodes a GeoPackage geometry blob.
fn parse_blob(b: &[u8]) -> Result<Geometry, Bad> {
    let [g, p, _version, flags, ..] = *b else {
        return Err(truncated());
    };
    if [g, p] != *b"GP" {
        return Err(bad(
            "BLOB không bắt đầu bằng 'GP' (không phải hình học GeoPackage)",
            "BLOB does not start with 'GP' (not a GeoPackage geometry)",
        ));
    }
    if flags & 0b0010_0000 != 0 {
        return Err(bad(
            "hình học GeoPackage mở rộng không được hỗ trợ",
            "extended GeoPackage geometry is not supported",
        ));
    }
    if flags & 0b0001_0000 != 0 {
        return Err(bad("hình học rỗng", "empty geometry"));
    }
    let env = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        n => {
            return Err(bad(
                format!("mã bao hình (envelope) sai: {n}"),
                format!("invalid envelope indicator {n}"),
            ));
        }
    };
    let wkb = b.get(8 + env..).ok_or_else(truncated)?;
    let mut r = Wkb(wkb);
    let mut parts = Parts::default();
    r.geometry(&mut parts, 0)?;
    if !r.0.is_empty() {
        return Err(bad(
            format!("thừa {} byte sau WKB", r.0.len()),
            format!("{} stray bytes after the WKB", r.0.len()),
        ));
    }
    parts.into_geometry()
}

/// What a WKB holds, flattened.
#[derive(Default)]
struct Parts {
    points: Vec<Pt>,
    lines: Vec<Vec<Pt>>,
    polys: Vec<Vec<Vec<Pt>>>,
}

impl Parts {
    fn into_geometry(self) -> Result<Geometry, Bad> {
        let (np, nl, na) = (self.points.len(), self.lines.len(), self.polys.len());
        match (np, nl, na) {
            (0, 0, 0) => Err(bad("hình học rỗng", "empty geometry")),
            (0, 0, _) => Ok(Geometry::Polygons(self.polys)),
            (0, _, 0) => Ok(Geometry::Lines(self.lines)),
            (1, 0, 0) => Ok(Geometry::Point(self.points[0])),
            (_, 0, 0) => Err(bad(
                format!("MultiPoint có {np} điểm, chỉ đọc được một điểm"),
                format!("MultiPoint of {np} points; only a single point can be read"),
            )),
            _ => Err(bad(
                format!("trộn lẫn {np} điểm, {nl} đường, {na} vùng"),
                format!("mixes {np} points, {nl} lines, {na} polygons"),
            )),
        }
    }
}

/// ISO WKB (each geometry with its own byte order).
struct Wkb<'a>(&'a [u8]);

impl Wkb<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], Bad> {
        let (a, rest) = self.0.split_first_chunk::<N>().ok_or_else(truncated)?;
        self.0 = rest;
        Ok(*a)
    }

    fn u32(&mut self, le: bool) -> Result<u32, Bad> {
        let b = self.take()?;
        Ok(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn f64(&mut self, le: bool) -> Result<f64, Bad> {
        let b = self.take()?;
        Ok(if le {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        })
    }

    /// A count of items at least `min` bytes each, checked against what is
    /// left so a corrupt count cannot ask for a huge allocation.
    fn count(&mut self, le: bool, min: usize) -> Result<usize, Bad> {
        let n = self.u32(le)? as usize;
        if n.saturating_mul(min) > self.0.len() {
            return Err(truncated());
        }
        Ok(n)
    }

    fn point(&mut self, le: bool, dims: usize) -> Result<Pt, Bad> {
        let x = self.f64(le)?;
        let y = self.f64(le)?;
        for _ in 2..dims {
            self.f64(le)?;
        }
        Ok([x, y])
    }

    fn points(&mut self, le: bool, dims: usize) -> Result<Vec<Pt>, Bad> {
        let n = self.count(le, 8 * dims)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(self.point(le, dims)?);
        }
        Ok(v)
    }

    fn geometry(&mut self, out: &mut Parts, depth: u32) -> Result<(), Bad> {
        if depth > MAX_DEPTH {
            return Err(bad(
                "tập hợp hình học lồng nhau quá sâu",
                "geometry collections nested too deep",
            ));
        }
        let le = match self.take::<1>()? {
            [0] => false,
            [1] => true,
            [o] => {
                return Err(bad(
                    format!("thứ tự byte WKB sai: {o}"),
                    format!("invalid WKB byte order {o}"),
                ));
            }
        };
        let raw = self.u32(le)?;
        let mut dims = 2;
        // EWKB-style flags, then the ISO thousands.
        dims += usize::from(raw & 0x8000_0000 != 0) + usize::from(raw & 0x4000_0000 != 0);
        if raw & 0x2000_0000 != 0 {
            self.u32(le)?; // an EWKB SRID: not GeoPackage, harmless to skip
        }
        let code = raw & 0x0FFF_FFFF;
        dims += match code / 1000 {
            0 => 0,
            1 | 2 => 1,
            3 => 2,
            _ => 9,
        };
        let unsupported = || {
            bad(
                format!("kiểu WKB không hỗ trợ {raw:#x}"),
                format!("unsupported WKB type {raw:#x}"),
            )
        };
        if dims > 4 {
            return Err(unsupported());
        }
        match code % 1000 {
            1 => {
                let p = self.point(le, dims)?;
                // An empty point is NaN, NaN.
                if !(p[0].is_nan() && p[1].is_nan()) {
                    out.points.push(p);
                }
            }
            2 => {
                let l = self.points(le, dims)?;
                if !l.is_empty() {
                    out.lines.push(l);
                }
            }
            3 => {
                let n = self.count(le, 4)?;
                let mut rings = Vec::with_capacity(n);
                for _ in 0..n {
                    let mut ring = self.points(le, dims)?;
                    // The layer contract wants closed rings.
                    if let (Some(&f), Some(&l)) = (ring.first(), ring.last())
                        && f != l
                    {
                        ring.push(f);
                    }
                    if !ring.is_empty() {
                        rings.push(ring);
                    }
                }
                if !rings.is_empty() {
                    out.polys.push(rings);
                }
            }
            4..=7 => {
                let n = self.count(le, 5)?;
                for _ in 0..n {
                    self.geometry(out, depth + 1)?;
                }
            }
            _ => return Err(unsupported()),
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// The file's name for messages.
fn file_label(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn sql_error(file: &str, vi: &str, en: &str, e: rusqlite::Error) -> FormatError {
    FormatError::invalid(format!(
        "lỗi SQLite khi {vi} {file}: {e} / SQLite error {en} {file}: {e}"
    ))
}

fn not_sqlite(file: &str, e: rusqlite::Error) -> FormatError {
    FormatError::invalid(format!(
        "{file} không phải GeoPackage (không mở được như cơ sở dữ liệu SQLite: {e}) / {file} is \
         not a GeoPackage (cannot be opened as an SQLite database: {e})"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::process::Command;

    use crate::formats::testing::VN2000_WKT;
    const OWNER: &str = "Nguyễn Thị Hường";

    /// A fresh, empty scratch folder for one test.
    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("hiendat-gpkg-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// Runs a GDAL tool; returns (stdout, stderr), asserting success.
    fn gdal(tool: &str, args: &[&str]) -> (String, String) {
        let out = Command::new(tool)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{tool} must be installed (gdal-bin): {e}"));
        let (so, se) = (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        );
        assert!(out.status.success(), "{tool} {args:?} failed:\n{so}\n{se}");
        (so, se)
    }

    fn vn2000() -> Srs {
        Srs {
            epsg: Some(5897),
            name: "VN-2000 / TM-3 zone 482".into(),
            wkt: VN2000_WKT.into(),
            geographic: false,
        }
    }

    fn square(x0: f64, y0: f64, w: f64, h: f64) -> Vec<Pt> {
        vec![
            [x0, y0],
            [x0 + w, y0],
            [x0 + w, y0 + h],
            [x0, y0 + h],
            [x0, y0],
        ]
    }

    fn sample() -> Vec<Layer> {
        let (x, y) = (580_000.0, 2_155_000.0);
        let mut parcels = Layer::new(
            "parcels",
            "Thửa đất / Parcels",
            GeomKind::Polygon,
            vec![
                Field::new("so_thua", FieldKind::Integer),
                Field::new("chu", FieldKind::Text),
                Field::new("dien_tich", FieldKind::Real),
                Field::new("ghi_chu", FieldKind::Text),
            ],
        );
        let mut hole = square(x + 5.0, y + 5.0, 4.0, 4.0);
        hole.reverse();
        parcels.features = vec![
            Feature {
                geometry: Geometry::Polygons(vec![vec![square(x, y, 20.0, 30.0), hole]]),
                values: vec![
                    Value::Integer(17),
                    Value::Text(OWNER.into()),
                    Value::Real(584.0),
                    Value::Null,
                ],
            },
            Feature {
                geometry: Geometry::Polygons(vec![
                    vec![square(x + 30.0, y, 10.0, 10.0)],
                    vec![square(x + 45.0, y + 0.5, 12.5, 8.25)],
                ]),
                values: vec![
                    Value::Integer(-3),
                    Value::Text("Trần Văn Đức \"Út\"".into()),
                    Value::Real(203.125),
                    Value::Text("hiến 2,5 m".into()),
                ],
            },
            Feature {
                geometry: Geometry::Polygons(vec![vec![vec![
                    [x + 0.123, y + 100.456],
                    [x + 7.891, y + 100.0],
                    [x + 3.0, y + 109.75],
                    [x + 0.123, y + 100.456],
                ]]]),
                values: vec![Value::Null, Value::Null, Value::Null, Value::Null],
            },
        ];
        parcels.srs = Some(vn2000());

        let mut roads = Layer::new(
            "roads",
            "Tuyến đường / Roads",
            GeomKind::Line,
            vec![
                Field::new("ten", FieldKind::Text),
                Field::new("rong", FieldKind::Real),
            ],
        );
        roads.features = vec![
            Feature {
                geometry: Geometry::Lines(vec![vec![[x, y - 5.0], [x + 60.0, y - 5.0]]]),
                values: vec![
                    Value::Text("Ngõ 12 Hoàng Hoa Thám".into()),
                    Value::Real(3.5),
                ],
            },
            Feature {
                geometry: Geometry::Lines(vec![
                    vec![[x, y - 10.0], [x + 10.0, y - 12.0], [x + 20.0, y - 10.0]],
                    vec![[x + 25.0, y - 10.0], [x + 40.0, y - 10.0]],
                ]),
                values: vec![Value::Null, Value::Real(6.0)],
            },
        ];
        roads.srs = Some(vn2000());

        let mut stakes = Layer::new(
            "stakes",
            "Mốc giới / Stakes",
            GeomKind::Point,
            vec![
                Field::new("so", FieldKind::Integer),
                Field::new("ten", FieldKind::Text),
            ],
        );
        stakes.features = vec![
            Feature {
                geometry: Geometry::Point([x + 1.25, y - 2.5]),
                values: vec![Value::Integer(1), Value::Text("M1".into())],
            },
            Feature {
                geometry: Geometry::Point([x + 61.0, y - 2.5]),
                values: vec![Value::Integer(2), Value::Null],
            },
        ];
        stakes.srs = Some(vn2000());
        vec![parcels, roads, stakes]
    }

    /// `ogrinfo -so` output of one layer.
    fn section<'a>(info: &'a str, layer: &str) -> &'a str {
        let start = info
            .find(&format!("Layer name: {layer}\n"))
            .unwrap_or_else(|| panic!("layer {layer} missing from:\n{info}"));
        let rest = &info[start + 12..];
        &info[start..start + 12 + rest.find("Layer name: ").unwrap_or(rest.len())]
    }

    #[test]
    fn gdal_reads_what_we_write() {
        let dir = scratch("gdal");
        let path = dir.join("ward.gpkg");
        let layers = sample();
        write(&path, &layers).unwrap();
        let p = path.to_str().unwrap();

        let (info, err) = gdal("ogrinfo", &["-ro", "-al", "-so", p]);
        assert_eq!(err, "", "GDAL warned:\n{err}");
        for (name, geom, count) in [
            ("parcels", "Multi Polygon", 3),
            ("roads", "Multi Line String", 2),
            ("stakes", "Point", 2),
        ] {
            let s = section(&info, name);
            assert!(s.contains(&format!("Geometry: {geom}\n")), "{s}");
            assert!(s.contains(&format!("Feature Count: {count}\n")), "{s}");
            assert!(s.contains("VN-2000 / TM-3 zone 482"), "{s}");
            assert!(s.contains("ID[\"EPSG\",5897]"), "{s}");
        }
        assert!(section(&info, "parcels").contains("chu: String"), "{info}");
        assert!(
            section(&info, "parcels").contains("dien_tich: Real"),
            "{info}"
        );

        // Every feature decodes without a warning.
        let (all, err) = gdal("ogrinfo", &["-ro", "-al", p]);
        assert_eq!(err, "", "GDAL warned:\n{err}");
        assert!(all.contains("POINT (580001.25 2154997.5)"), "{all}");

        // Areas as GDAL computes them.
        let (out, err) = gdal(
            "ogrinfo",
            &[
                "-ro",
                "-dialect",
                "sqlite",
                "-sql",
                "SELECT fid AS n, ST_Area(geom) AS a FROM parcels ORDER BY fid",
                p,
            ],
        );
        assert_eq!(err, "", "GDAL warned:\n{err}");
        let areas: Vec<f64> = out
            .lines()
            .filter_map(|l| l.trim().strip_prefix("a (Real) = "))
            .map(|a| a.parse().unwrap())
            .collect();
        let expected: Vec<f64> = layers[0]
            .features
            .iter()
            .map(|f| f.geometry.area())
            .collect();
        assert_eq!(areas.len(), expected.len(), "{out}");
        for (a, e) in areas.iter().zip(&expected) {
            assert!((a - e).abs() < 0.01, "GDAL area {a}, ours {e}");
        }
        assert!((expected[0] - 584.0).abs() < 1e-6);

        // Vietnamese text intact.
        let (csv, err) = gdal(
            "ogr2ogr",
            &[
                "-f",
                "CSV",
                "/vsistdout/",
                p,
                "parcels",
                "-lco",
                "GEOMETRY=AS_WKT",
            ],
        );
        assert_eq!(err, "");
        assert!(csv.contains(OWNER), "{csv}");
        assert!(csv.contains("hiến 2,5 m"), "{csv}");

        // The R-tree answers a spatial filter (only the second parcel).
        let (out, err) = gdal(
            "ogrinfo",
            &[
                "-ro", "-so", "-spat", "580032", "2155002", "580034", "2155004", p, "parcels",
            ],
        );
        assert_eq!(err, "");
        assert!(out.contains("Feature Count: 1\n"), "{out}");

        // The spec's own checks on the SQLite side.
        let conn = Connection::open(&path).unwrap();
        let app: i64 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .unwrap();
        assert_eq!(app, 0x4750_4B47);
        let ok: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
        let fk: i64 = conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(fk, 0);
        let srs_rows: i64 = conn
            .query_row("SELECT count(*) FROM gpkg_spatial_ref_sys", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(srs_rows, 4, "-1, 0, 4326 and one shared 5897");
        for t in ["parcels", "roads", "stakes"] {
            let ok: String = conn
                .query_row(&format!("SELECT rtreecheck('rtree_{t}_geom')"), [], |r| {
                    r.get(0)
                })
                .unwrap();
            assert_eq!(ok, "ok", "{t}");
        }
        drop(conn);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn rtree_of_many_features() {
        let dir = scratch("rtree");
        let path = dir.join("pts.gpkg");
        let mut l = Layer::new("pts", "Điểm", GeomKind::Point, vec![]);
        l.srs = Some(vn2000());
        let mut seed: u64 = 12345;
        let mut rand = |span: f64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) % 100_000) as f64 / 100_000.0 * span
        };
        for _ in 0..6000 {
            let p = [
                580_000.5 + rand(999.0).floor(),
                2_155_000.5 + rand(999.0).floor(),
            ];
            l.features.push(Feature {
                geometry: Geometry::Point(p),
                values: vec![],
            });
        }
        write(&path, std::slice::from_ref(&l)).unwrap();
        let conn = Connection::open(&path).unwrap();
        let ok: String = conn
            .query_row("SELECT rtreecheck('rtree_pts_geom')", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
        let depth: Vec<u8> = conn
            .query_row(
                "SELECT substr(data, 1, 2) FROM rtree_pts_geom_node WHERE nodeno = 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(depth, [0, 2], "6000 points in nodes of 51: three levels");
        let (x0, y0, x1, y1) = (580_100.0, 2_155_200.0, 580_350.0, 2_155_420.0);
        let inside = |p: &Pt| p[0] >= x0 && p[0] <= x1 && p[1] >= y0 && p[1] <= y1;
        let want = l
            .features
            .iter()
            .filter(|f| matches!(&f.geometry, Geometry::Point(p) if inside(p)))
            .count();
        let n: u32 = conn
            .query_row(
                "SELECT count(*) FROM rtree_pts_geom
                 WHERE minx >= ?1 AND maxx <= ?3 AND miny >= ?2 AND maxy <= ?4",
                (x0, y0, x1, y1),
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n as usize, want);
        let (out, err) = gdal(
            "ogrinfo",
            &[
                "-ro",
                "-so",
                "-spat",
                &x0.to_string(),
                &y0.to_string(),
                &x1.to_string(),
                &y1.to_string(),
                path.to_str().unwrap(),
                "pts",
            ],
        );
        assert_eq!(err, "");
        assert!(out.contains(&format!("Feature Count: {want}\n")), "{out}");
        drop(conn);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn round_trip() {
        let dir = scratch("round");
        let path = dir.join("ward.gpkg");
        let mut layers = sample();
        // A layer without an EPSG code, in WGS84, and an empty one.
        let mut local = Layer::new("local", "Lưới địa phương", GeomKind::Point, vec![]);
        local.srs = Some(Srs {
            epsg: None,
            name: "Lưới công trình".into(),
            wkt: r#"LOCAL_CS["Luoi cong trinh",UNIT["metre",1]]"#.into(),
            geographic: false,
        });
        local.features.push(Feature {
            geometry: Geometry::Point([12.5, -3.0]),
            values: vec![],
        });
        layers.push(local);
        let mut wgs = Layer::new(
            "wgs",
            "WGS84",
            GeomKind::Line,
            vec![Field::new("n", FieldKind::Integer)],
        );
        wgs.srs = Some(Srs {
            epsg: Some(4326),
            name: "WGS 84 geodetic".into(),
            wkt: WGS84_WKT.into(),
            geographic: true,
        });
        layers.push(wgs);

        write(&path, &layers).unwrap();
        let back = read(&path).unwrap();
        assert_eq!(back, layers);
        let (_, err) = gdal("ogrinfo", &["-ro", "-al", "-so", path.to_str().unwrap()]);
        assert_eq!(err, "", "GDAL warned:\n{err}");

        // The path must not exist; the existing file is left alone.
        let e = write(&path, &layers).unwrap_err().to_string();
        assert!(e.contains("ward.gpkg"), "{e}");
        assert_eq!(read(&path).unwrap().len(), layers.len());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn write_refuses_bad_layers() {
        let dir = scratch("refuse");
        let path = dir.join("bad.gpkg");
        let check = |layers: &[Layer], needle: &str| {
            let e = write(&path, layers).unwrap_err().to_string();
            assert!(e.contains(needle), "{e}");
            assert!(e.contains(" / "), "{e}");
            assert!(!path.exists(), "partial file left behind");
        };
        let mut l = sample();
        l[1].srs = None;
        check(&l, "roads");
        let mut l = sample();
        l[0].features[1].values.pop();
        check(&l, "feature 2 of layer parcels");
        let mut l = sample();
        l[0].features[2].geometry = Geometry::Polygons(vec![]);
        check(&l, "feature 3 of layer parcels");
        let mut l = sample();
        l[2].features[0].geometry = Geometry::Point([f64::NAN, 1.0]);
        check(&l, "feature 1 of layer stakes");
        let mut l = sample();
        l[0].features[0].values[2] = Value::Text("abc".into());
        check(&l, "dien_tich");
        let mut l = sample();
        l[1].name = "gpkg_roads".into();
        check(&l, "gpkg_roads");
        let mut l = sample();
        l[0].fields[1].name = "GEOM".into();
        check(&l, "GEOM");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A small WGS84 GeoJSON near Hà Nội, as a surveyor might send.
    const GEOJSON: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"so_thua":5,"chu":"Nguyễn Thị Hường","dt":120.5,"ngay":"2024-05-01"},
 "geometry":{"type":"Polygon","coordinates":[[[105.78,21.03],[105.7802,21.03],[105.7802,21.0302],[105.78,21.0302],[105.78,21.03]]]}},
{"type":"Feature","properties":{"so_thua":6,"chu":null,"dt":null,"ngay":null},
 "geometry":{"type":"MultiPolygon","coordinates":[[[[105.781,21.03],[105.7812,21.03],[105.7812,21.0302],[105.781,21.03]]],[[[105.782,21.03],[105.7822,21.03],[105.7822,21.0302],[105.782,21.03]]]]}}
]}"#;

    #[test]
    fn reads_gdal_geopackages() {
        let dir = scratch("ogr");
        let json = dir.join("thua.geojson");
        std::fs::write(&json, GEOJSON).unwrap();
        let (j, wgs, vn) = (
            json.to_str().unwrap(),
            dir.join("wgs.gpkg"),
            dir.join("vn.gpkg"),
        );
        gdal(
            "ogr2ogr",
            &["-f", "GPKG", wgs.to_str().unwrap(), j, "-nln", "thua"],
        );
        gdal(
            "ogr2ogr",
            &[
                "-f",
                "GPKG",
                vn.to_str().unwrap(),
                j,
                "-nln",
                "thua",
                "-t_srs",
                "EPSG:5897",
            ],
        );

        let l = read(&wgs).unwrap();
        assert_eq!(l.len(), 1);
        let l = &l[0];
        assert_eq!((l.name.as_str(), l.kind), ("thua", GeomKind::Polygon));
        let srs = l.srs.as_ref().unwrap();
        assert_eq!(srs.epsg, Some(4326));
        assert!(srs.geographic);
        let kinds: Vec<(&str, FieldKind)> =
            l.fields.iter().map(|f| (f.name.as_str(), f.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("so_thua", FieldKind::Integer),
                ("chu", FieldKind::Text),
                ("dt", FieldKind::Real),
                ("ngay", FieldKind::Text),
            ]
        );
        assert_eq!(l.features.len(), 2);
        let f = &l.features[0];
        assert_eq!(
            f.values,
            [
                Value::Integer(5),
                Value::Text(OWNER.into()),
                Value::Real(120.5),
                Value::Text("2024-05-01".into()),
            ]
        );
        let Geometry::Polygons(p) = &f.geometry else {
            panic!("{:?}", f.geometry)
        };
        assert_eq!(p[0][0][1], [105.7802, 21.03]);
        assert_eq!(l.features[1].values[1], Value::Null);
        let Geometry::Polygons(p) = &l.features[1].geometry else {
            panic!()
        };
        assert_eq!(p.len(), 2);

        let l = read(&vn).unwrap().remove(0);
        let srs = l.srs.as_ref().unwrap();
        assert_eq!(srs.epsg, Some(5897));
        assert!(!srs.geographic);
        assert!(srs.wkt.starts_with("PROJCS"), "{}", srs.wkt);
        let Geometry::Polygons(p) = &l.features[0].geometry else {
            panic!()
        };
        let [e, n] = p[0][0][0];
        assert!((580_000.0..585_000.0).contains(&e), "{e}");
        assert!((2_320_000.0..2_330_000.0).contains(&n), "{n}");
        // GDAL's and our areas agree on the reprojected parcel.
        let (out, _) = gdal(
            "ogrinfo",
            &[
                "-ro",
                "-dialect",
                "sqlite",
                "-sql",
                "SELECT ST_Area(geom) AS a FROM thua WHERE fid = 1",
                vn.to_str().unwrap(),
            ],
        );
        let a: f64 = out
            .lines()
            .find_map(|l| l.trim().strip_prefix("a (Real) = "))
            .unwrap()
            .parse()
            .unwrap();
        assert!((a - l.features[0].geometry.area()).abs() < 0.01);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn undefined_and_custom_srs() {
        let dir = scratch("srs");
        // A CSV with WKT geometry has no CRS: GDAL writes an undefined srs_id.
        let csv = dir.join("pts.csv");
        std::fs::write(&csv, "WKT,ten\n\"POINT (1 2)\",a\n\"POINT (3 4)\",b\n").unwrap();
        let none = dir.join("none.gpkg");
        gdal(
            "ogr2ogr",
            &["-f", "GPKG", none.to_str().unwrap(), csv.to_str().unwrap()],
        );
        let l = read(&none).unwrap().remove(0);
        assert_eq!(l.srs, None);
        assert_eq!(l.kind, GeomKind::Point);
        assert_eq!(l.features[1].geometry, Geometry::Point([3.0, 4.0]));
        assert!(l.notes.iter().any(|n| n.contains("--crs")), "{:?}", l.notes);

        // Our file with its SRS row replaced by an unknown custom definition.
        let custom = dir.join("custom.gpkg");
        write(&custom, &sample()).unwrap();
        let conn = Connection::open(&custom).unwrap();
        conn.execute(
            "UPDATE gpkg_spatial_ref_sys SET organization = 'NONE', srs_name = 'Lưới riêng',
             definition = 'LOCAL_CS[\"x\",UNIT[\"metre\",1]]' WHERE srs_id = 5897",
            [],
        )
        .unwrap();
        drop(conn);
        let l = read(&custom).unwrap();
        let srs = l[0].srs.as_ref().unwrap();
        assert_eq!(srs.epsg, None);
        assert_eq!(srs.wkt, "LOCAL_CS[\"x\",UNIT[\"metre\",1]]");
        assert_eq!(srs.name, "Lưới riêng");

        // And pointed at srs_id 0.
        let conn = Connection::open(&custom).unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             UPDATE gpkg_geometry_columns SET srs_id = 0 WHERE table_name = 'roads';",
        )
        .unwrap();
        drop(conn);
        let l = read(&custom).unwrap();
        assert_eq!(l[1].srs, None);
        assert!(l[1].notes[0].contains("roads"), "{:?}", l[1].notes);
        assert!(l[0].srs.is_some());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Our file with the R-tree triggers dropped, so plain SQLite (without
    /// GDAL's ST_ functions) can edit the geometry column.
    fn editable(dir: &Path) -> (PathBuf, Connection) {
        let path = dir.join("ward.gpkg");
        write(&path, &sample()).unwrap();
        let conn = Connection::open(&path).unwrap();
        let triggers: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for t in triggers {
            conn.execute_batch(&format!("DROP TRIGGER \"{t}\""))
                .unwrap();
        }
        (path, conn)
    }

    #[test]
    fn corrupt_geometry_names_the_feature() {
        let dir = scratch("corrupt");
        let cases: [(&str, &str); 5] = [
            ("substr(geom, 1, 60)", "truncated"),
            ("NULL", "NULL"),
            ("X'00010203040506070809'", "'GP'"),
            // Header flags: empty.
            ("X'4750001100000000'", "empty"),
            // An unknown WKB type (curve polygon).
            ("X'4750000100000000010A00000000000000'", "unsupported"),
        ];
        for (blob, needle) in cases {
            let (path, conn) = editable(&dir);
            conn.execute(
                &format!("UPDATE parcels SET geom = {blob} WHERE fid = 2"),
                [],
            )
            .unwrap();
            drop(conn);
            let e = read(&path).unwrap_err().to_string();
            assert!(e.contains("fid 2") && e.contains("parcels"), "{e}");
            assert!(e.contains(needle), "{blob}: {e}");
            std::fs::remove_file(&path).unwrap();
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn not_a_geopackage() {
        let dir = scratch("notgpkg");
        let text = dir.join("notes.gpkg");
        std::fs::write(
            &text,
            "đây không phải cơ sở dữ liệu, chỉ là văn bản dài ".repeat(40),
        )
        .unwrap();
        let e = read(&text).unwrap_err().to_string();
        assert!(
            e.contains("notes.gpkg") && e.contains("not a GeoPackage"),
            "{e}"
        );

        let plain = dir.join("plain.sqlite");
        Connection::open(&plain)
            .unwrap()
            .execute_batch("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1);")
            .unwrap();
        let e = read(&plain).unwrap_err().to_string();
        assert!(
            e.contains("plain.sqlite") && e.contains("not a GeoPackage"),
            "{e}"
        );

        // A GeoPackage whose only table is attributes.
        let attrs = dir.join("attrs.gpkg");
        let (_, conn) = editable(&dir);
        conn.execute_batch("UPDATE gpkg_contents SET data_type = 'attributes'")
            .unwrap();
        drop(conn);
        std::fs::rename(dir.join("ward.gpkg"), &attrs).unwrap();
        let e = read(&attrs).unwrap_err().to_string();
        assert!(e.contains("no feature tables"), "{e}");

        let e = read(&dir.join("missing.gpkg")).unwrap_err();
        assert!(matches!(e, FormatError::Io(_)), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn le_head(out: &mut Vec<u8>, t: u32) {
        out.push(1);
        out.extend_from_slice(&t.to_le_bytes());
    }

    fn be_head(out: &mut Vec<u8>, t: u32) {
        out.push(0);
        out.extend_from_slice(&t.to_be_bytes());
    }

    fn gp(flags: u8, env: usize, wkb: &[u8]) -> Vec<u8> {
        let mut b = vec![b'G', b'P', 0, flags, 0, 0, 0, 0];
        b.extend(std::iter::repeat_n(0u8, env));
        b.extend_from_slice(wkb);
        b
    }

    #[test]
    fn parses_wkb_variants() {
        // Big-endian PolygonZ (ISO 1003), unclosed ring, behind a 48-byte
        // XYZ envelope.
        let mut w = Vec::new();
        be_head(&mut w, 1003);
        w.extend_from_slice(&1u32.to_be_bytes());
        w.extend_from_slice(&3u32.to_be_bytes());
        for p in [[0.0, 0.0, 9.0], [4.0, 0.0, 9.0], [0.0, 3.0, 9.0]] {
            for c in p {
                w.extend_from_slice(&f64::to_be_bytes(c));
            }
        }
        let g = parse_blob(&gp(0b0000_0100, 48, &w)).unwrap();
        assert_eq!(
            g,
            Geometry::Polygons(vec![vec![vec![
                [0.0, 0.0],
                [4.0, 0.0],
                [0.0, 3.0],
                [0.0, 0.0]
            ]]])
        );
        assert!((g.area() - 6.0).abs() < 1e-12);

        // MultiPoint M (EWKB flag) with one point -> Point.
        let mut w = Vec::new();
        le_head(&mut w, 4 | 0x4000_0000);
        w.extend_from_slice(&1u32.to_le_bytes());
        le_head(&mut w, 1 | 0x4000_0000);
        for c in [7.0, 8.0, 1.0] {
            w.extend_from_slice(&f64::to_le_bytes(c));
        }
        assert_eq!(
            parse_blob(&gp(1, 0, &w)).unwrap(),
            Geometry::Point([7.0, 8.0])
        );

        // GeometryCollection ZM of a LineString and a MultiLineString.
        let mut w = Vec::new();
        le_head(&mut w, 3007);
        w.extend_from_slice(&2u32.to_le_bytes());
        le_head(&mut w, 3002);
        w.extend_from_slice(&2u32.to_le_bytes());
        for c in [1.0, 2.0, 0.0, 0.0, 3.0, 4.0, 0.0, 0.0] {
            w.extend_from_slice(&f64::to_le_bytes(c));
        }
        be_head(&mut w, 3005);
        w.extend_from_slice(&1u32.to_be_bytes());
        be_head(&mut w, 3002);
        w.extend_from_slice(&2u32.to_be_bytes());
        for c in [5.0, 6.0, 0.0, 0.0, 7.0, 8.0, 0.0, 0.0] {
            w.extend_from_slice(&f64::to_be_bytes(c));
        }
        assert_eq!(
            parse_blob(&gp(0b0000_1001, 64, &w)).unwrap(),
            Geometry::Lines(vec![
                vec![[1.0, 2.0], [3.0, 4.0]],
                vec![[5.0, 6.0], [7.0, 8.0]]
            ])
        );

        // Bad inputs: errors, never panics.
        let mut two = Vec::new();
        le_head(&mut two, 4);
        two.extend_from_slice(&2u32.to_le_bytes());
        for p in [[1.0, 2.0], [3.0, 4.0]] {
            le_head(&mut two, 1);
            two.extend_from_slice(&f64::to_le_bytes(p[0]));
            two.extend_from_slice(&f64::to_le_bytes(p[1]));
        }
        assert!(
            parse_blob(&gp(1, 0, &two))
                .unwrap_err()
                .en
                .contains("MultiPoint of 2")
        );
        let mut huge = Vec::new();
        le_head(&mut huge, 2);
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(
            parse_blob(&gp(1, 0, &huge))
                .unwrap_err()
                .en
                .contains("truncated")
        );
        let mut deep = Vec::new();
        for _ in 0..100 {
            le_head(&mut deep, 7);
            deep.extend_from_slice(&1u32.to_le_bytes());
        }
        assert!(
            parse_blob(&gp(1, 0, &deep))
                .unwrap_err()
                .en
                .contains("deep")
        );
        assert!(parse_blob(&gp(0b1010, 0, &two)).is_err()); // envelope code 5
        assert!(parse_blob(b"GP").is_err());
        let mut trailing = gp(1, 0, &two[..0]);
        le_head(&mut trailing, 1);
        trailing.extend_from_slice(&[0; 17]);
        assert!(parse_blob(&trailing).unwrap_err().en.contains("stray"));
        // Every prefix of a good blob fails cleanly.
        let mut good = Vec::new();
        encode(&mut good, &sample()[0].features[0].geometry, 5897).unwrap();
        for n in 0..good.len() {
            assert!(parse_blob(&good[..n]).is_err());
        }
        assert_eq!(parse_blob(&good).unwrap(), sample()[0].features[0].geometry);
    }
}
