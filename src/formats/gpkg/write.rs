//! Writing layers to a new GeoPackage, the R-tree bulk load and WKB encoding.

use super::*;

/// Writes `layers` to a new GeoPackage at `path`, which must not exist (the
/// caller writes to a temporary name and renames). Every layer needs an
/// `srs`; its features must match its kind and field count. On error the
/// partly written file is removed.
pub fn write(path: &Path, layers: &[Layer]) -> Result<(), FormatError> {
    write_limited(path, layers, u64::MAX)
}

/// [`write`], stopping (SQLite's `max_page_count`: "database or disk is
/// full") once the file would grow past `max_bytes`.
pub fn write_limited(path: &Path, layers: &[Layer], max_bytes: u64) -> Result<(), FormatError> {
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
    let result = write_new(path, &file, layers, max_bytes);
    if result.is_err() {
        let _ = std::fs::remove_file(path);
    }
    result
}

/// Checks what SQL would reject late or a reader would misread: names, SRS,
/// distinct titles, field names.
pub(super) fn check_layers(file: &str, layers: &[Layer]) -> Result<(), FormatError> {
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

pub(super) fn write_new(
    path: &Path,
    file: &str,
    layers: &[Layer],
    max_bytes: u64,
) -> Result<(), FormatError> {
    let w = |e: rusqlite::Error| sql_error(file, "ghi", "writing", e);
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(w)?;
    // SQLite counts at most 2³² - 2 pages: beyond, no bound to set.
    let page_size: u64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get::<_, i64>(0))
        .map_err(w)?
        .max(512) as u64;
    let pages = max_bytes / page_size;
    if pages < u32::MAX as u64 - 1 {
        conn.execute_batch(&format!("PRAGMA max_page_count = {}", pages.max(1)))
            .map_err(w)?;
    }
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

    let filled = (|| {
        let srs_ids = insert_srs(&conn, layers).map_err(w)?;
        let mut blob = Vec::with_capacity(4096);
        for (layer, &srs_id) in layers.iter().zip(&srs_ids) {
            write_layer(&conn, file, layer, srs_id, &mut blob)?;
        }
        conn.execute_batch("COMMIT;").map_err(w)
    })();
    if let Err(e) = filled {
        // Stopped by max_page_count: SQLite answers SQLITE_FULL ("database
        // or disk is full") and rolls the transaction back.
        let capped = pages < u32::MAX as u64 - 1;
        if capped && e.to_string().contains("database or disk is full") {
            return Err(FormatError::Io(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!("{file} vượt quá {max_bytes} byte / {file} exceeds {max_bytes} bytes"),
            )));
        }
        return Err(e);
    }
    conn.close().map_err(|(_, e)| w(e))?;
    Ok(())
}

/// Inserts one `gpkg_spatial_ref_sys` row per distinct SRS (by EPSG code,
/// else by WKT) and returns each layer's `srs_id`.
pub(super) fn insert_srs(conn: &Connection, layers: &[Layer]) -> rusqlite::Result<Vec<i64>> {
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

pub(super) fn write_layer(
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

pub(super) enum BindError {
    Sql(rusqlite::Error),
    /// The value cannot be stored in the field's type.
    Type,
}

/// Binds a value as the field's type: numbers in a text field become text,
/// numeric text in a number field a number; non-finite reals become NULL.
pub(super) fn bind_value(
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
pub(super) type Cell = (i64, [f32; 4]);

/// A bound rounded down to f32, as SQLite's R-tree stores it.
pub(super) fn f32_down(d: f64) -> f32 {
    let f = d as f32;
    if f64::from(f) > d { f.next_down() } else { f }
}

/// A bound rounded up to f32.
pub(super) fn f32_up(d: f64) -> f32 {
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
pub(super) fn bulk_load_rtree(
    conn: &Connection,
    name: &str,
    cells: Vec<Cell>,
) -> rusqlite::Result<()> {
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
pub(super) fn union(cells: &[Cell]) -> [f32; 4] {
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
pub(super) fn str_pack(mut cells: Vec<Cell>, m: usize) -> Vec<Vec<Cell>> {
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
pub(super) fn rtree_triggers(t: &str, c: &str, i: &str) -> String {
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
pub(super) enum Unwritable {
    Empty,
    NotFinite,
}

pub(super) const WKB_POINT: u32 = 1;
pub(super) const WKB_LINE_STRING: u32 = 2;
pub(super) const WKB_POLYGON: u32 = 3;
pub(super) const WKB_MULTI_LINE_STRING: u32 = 5;
pub(super) const WKB_MULTI_POLYGON: u32 = 6;

/// Encodes `g` into `out` as a GeoPackage geometry blob (little-endian
/// header with an [minx, maxx, miny, maxy] envelope, then little-endian ISO
/// WKB: Point, MultiLineString or MultiPolygon) and returns the envelope.
pub(super) fn encode(out: &mut Vec<u8>, g: &Geometry, srs_id: i32) -> Result<[f64; 4], Unwritable> {
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
pub(super) struct Encoder<'a> {
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
