//! The wards (phường, xã, thị trấn) one database holds (issue 18, item 2;
//! migration 0016). Every ward-scoped row names its ward, directly (the
//! root tables: parcels, segments, residential groups, party cells and
//! members, records, evaluations, and the histories that name no parcel)
//! or through a parcel, segment, cell, plan or inspection row id.
//!
//! A [`Store`] works in one ward at a time, its *current* ward
//! ([`Store::use_ward`]; [`Store::open`] starts in the lowest-numbered
//! one): the store's methods keep their signatures and read or write that
//! ward's rows only. The current ward is also kept in the connection's
//! `temp.ward_in_use`, so that SQL run on a bare connection or transaction
//! (the import's upserts, the organisation's inserts, the version
//! counters) writes the same ward: [`CURRENT`].

use super::{Result, Store, StoreError, What};
use rusqlite::{Connection, OptionalExtension, Row};
use serde::Serialize;
use std::fmt;

/// The current ward's id as SQL: a subquery on the connection's
/// `temp.ward_in_use`, set by [`Store::use_ward`].
pub(super) const CURRENT: &str = "(SELECT id FROM temp.ward_in_use)";

/// The name of a ward nobody has named yet (a new database's ward 1).
pub const UNNAMED: &str = "(chưa đặt tên)";

/// A ward's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct WardId(pub i64);

impl fmt::Display for WardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What kind of commune-level unit a ward is: it names the party committee
/// (Đảng ủy phường / xã / thị trấn) and the letterhead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WardKind {
    /// Phường (urban ward).
    Phuong,
    /// Xã (rural commune).
    Xa,
    /// Thị trấn (township).
    ThiTran,
}

impl WardKind {
    /// As stored and as the API spells it: `phuong`, `xa`, `thi_tran`.
    pub fn as_str(self) -> &'static str {
        match self {
            WardKind::Phuong => "phuong",
            WardKind::Xa => "xa",
            WardKind::ThiTran => "thi_tran",
        }
    }

    /// The Vietnamese word: "Phường", "Xã", "Thị trấn".
    pub fn vi(self) -> &'static str {
        match self {
            WardKind::Phuong => "Phường",
            WardKind::Xa => "Xã",
            WardKind::ThiTran => "Thị trấn",
        }
    }

    /// From its stored or typed form (`phuong`, `xa`, `thi_tran` or
    /// `thi-tran`, also with diacritics: "Thị trấn"); an unknown kind is
    /// [`StoreError::BadInput`] naming the field.
    pub fn parse(s: &str) -> Result<WardKind> {
        match crate::campaign::fold(s).as_str() {
            "phuong" => Ok(WardKind::Phuong),
            "xa" => Ok(WardKind::Xa),
            "thitran" => Ok(WardKind::ThiTran),
            _ => Err(StoreError::BadInput(format!(
                "kind: loại đơn vị \"{s}\" không có (phuong, xa, thi-tran) / no such ward kind \"{s}\" (phuong, xa, thi-tran)"
            ))),
        }
    }
}

/// A ward as the province view and the CLI list it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WardRow {
    pub id: WardId,
    /// In URLs (`/w/{code}/`) and `--ward`: `ngoc-son`.
    pub code: String,
    /// "Ngọc Sơn": headers, letterhead.
    pub name: String,
    pub kind: WardKind,
    /// Thành phố / thị xã / huyện: groups the province view.
    pub town: Option<String>,
    /// The parcels' lon/lat extent `[min_lon, min_lat, max_lon, max_lat]`,
    /// kept by imports; `None` before the first.
    pub bounds: Option<[f64; 4]>,
}

const ROW_COLUMNS: &str = "id, code, name, kind, town, min_lon, min_lat, max_lon, max_lat";

fn ward_row(r: &Row<'_>) -> rusqlite::Result<WardRow> {
    let kind: String = r.get(3)?;
    let b: [Option<f64>; 4] = [r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?];
    Ok(WardRow {
        id: WardId(r.get(0)?),
        code: r.get(1)?,
        name: r.get(2)?,
        kind: WardKind::parse(&kind).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, e.into())
        })?,
        town: r.get(4)?,
        bounds: match b {
            [Some(a), Some(b), Some(c), Some(d)] => Some([a, b, c, d]),
            _ => None,
        },
    })
}

/// A ward's code from its name: lower-case ASCII letters and digits,
/// Vietnamese letters folded to their base letter, every other run of
/// characters one `-` ("Ngọc Sơn" → `ngoc-son`, "Phường 3" → `phuong-3`),
/// at most 40 characters. Empty when the name has no letter or digit.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in name.chars() {
        // combining marks (a name typed decomposed) belong to their letter
        if ('\u{300}'..='\u{36f}').contains(&c) {
            continue;
        }
        let base = crate::campaign::fold(c.encode_utf8(&mut [0; 4]));
        if base.is_empty() {
            dash = !out.is_empty();
        } else {
            if dash {
                out.push('-');
                dash = false;
            }
            out.push_str(&base);
        }
    }
    while out.len() > 40 {
        out.pop();
    }
    out.trim_end_matches('-').to_string()
}

/// Whether `code` may name a ward: 1 to 40 of `a-z`, `0-9`, `-`.
pub fn valid_ward_code(code: &str) -> bool {
    (1..=40).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// [`valid_ward_code`], or the error naming the field.
fn check_code(code: &str) -> Result<()> {
    if valid_ward_code(code) {
        Ok(())
    } else {
        Err(StoreError::BadInput(format!(
            "code: mã phường \"{code}\" phải gồm 1 đến 40 chữ thường không dấu, chữ số hoặc dấu '-' (ví dụ ngoc-son) / the ward code \"{code}\" must be 1 to 40 lower-case ASCII letters, digits or '-' (e.g. ngoc-son)"
        )))
    }
}

/// A ward's name, trimmed; an empty one is refused.
fn check_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::BadInput(
            "name: tên phường không được để trống / the ward's name must not be empty".into(),
        ));
    }
    Ok(name)
}

/// After migration 0016 (the database's one ward became ward 1): its code
/// from its name when it had one (else `1`), its extent from the parcels.
pub(super) fn on_upgrade(conn: &Connection) -> Result<()> {
    let name: String = conn.query_row("SELECT name FROM wards WHERE id = 1", [], |r| r.get(0))?;
    let code = slug(&name);
    if name != UNNAMED && !code.is_empty() {
        conn.execute("UPDATE wards SET code = ?1 WHERE id = 1", [&code])?;
    }
    refresh_extent(conn, 1)
}

/// Sets a ward's extent from its parcels' boxes (R*Tree), after an import.
pub(super) fn refresh_extent(conn: &Connection, ward: i64) -> Result<()> {
    conn.execute(
        "UPDATE wards SET (min_lon, min_lat, max_lon, max_lat) =
           (SELECT min(b.min_lon), min(b.min_lat), max(b.max_lon), max(b.max_lat)
            FROM parcel_bbox b JOIN parcels p ON p.id = b.id WHERE p.ward = ?1)
         WHERE id = ?1",
        [ward],
    )?;
    Ok(())
}

/// Puts `ward` in the connection's `temp.ward_in_use` ([`CURRENT`]).
pub(super) fn set_current(conn: &Connection, ward: WardId) -> Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS ward_in_use (id INTEGER NOT NULL);
         DELETE FROM temp.ward_in_use;",
    )?;
    conn.execute("INSERT INTO temp.ward_in_use (id) VALUES (?1)", [ward.0])?;
    Ok(())
}

/// The lowest-numbered ward: the one a store opens in.
pub(super) fn first(conn: &Connection) -> Result<WardId> {
    conn.query_row("SELECT min(id) FROM wards", [], |r| {
        r.get::<_, Option<i64>>(0)
    })?
    .map(WardId)
    .ok_or_else(|| StoreError::Corrupt("không có phường nào / no ward in the database".into()))
}

/// Whether the database holds one ward only.
pub(super) fn only_one(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row("SELECT count(*) = 1 FROM wards", [], |r| r.get(0))?)
}

impl Store {
    /// Works in ward `w` from now on (every ward-scoped read and write).
    /// A ward that does not exist is [`StoreError::NotFound`].
    pub fn use_ward(&mut self, w: WardId) -> Result<()> {
        let exists = self
            .conn
            .prepare_cached("SELECT 1 FROM wards WHERE id = ?1")?
            .query_row([w.0], |_| Ok(()))
            .optional()?
            .is_some();
        if !exists {
            return Err(StoreError::NotFound {
                what: What::Ward,
                id: w.to_string(),
            });
        }
        if w != self.ward {
            set_current(&self.conn, w)?;
            self.ward = w;
        }
        self.only_ward = only_one(&self.conn)?;
        Ok(())
    }

    /// Works in the ward named by its code, or by its name compared
    /// without case or diacritics and without a leading "Phường", "Xã"
    /// or "Thị trấn" ("ngoc-son", "Ngọc Sơn", "phuong ngoc son").
    pub fn use_ward_named(&mut self, code_or_name: &str) -> Result<WardRow> {
        let want = code_or_name.trim();
        let folded = |s: &str| {
            let f = crate::campaign::fold(s);
            ["phuong", "thitran", "xa"]
                .iter()
                .find_map(|p| f.strip_prefix(p).filter(|rest| !rest.is_empty()))
                .map_or(f.clone(), str::to_string)
        };
        let wards = self.wards()?;
        let found = wards
            .iter()
            .find(|w| w.code == want)
            .or_else(|| {
                let f = folded(want);
                let mut named = wards.iter().filter(|w| folded(&w.name) == f);
                match (named.next(), named.next()) {
                    (Some(w), None) => Some(w),
                    _ => None,
                }
            })
            .cloned()
            .ok_or_else(|| StoreError::NotFound {
                what: What::Ward,
                id: want.to_string(),
            })?;
        self.use_ward(found.id)?;
        Ok(found)
    }

    /// The current ward.
    pub fn ward_id(&self) -> WardId {
        self.ward
    }

    /// The current ward's row.
    pub fn ward_row(&self) -> Result<WardRow> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {ROW_COLUMNS} FROM wards WHERE id = ?1"))?
            .query_row([self.ward.0], ward_row)?)
    }

    /// Every ward, by id (province-level).
    pub fn wards(&self) -> Result<Vec<WardRow>> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {ROW_COLUMNS} FROM wards ORDER BY id"))?
            .query_map([], ward_row)?
            .collect::<Result<_, _>>()?)
    }

    /// Adds a ward (empty: its land comes with `hiendat import --ward`).
    /// A bad code or an empty name is [`StoreError::BadInput`] naming the
    /// field; a code already taken is [`StoreError::Conflict`]. `crs` is
    /// the PROJ string its donations will be measured in. The current
    /// ward does not change.
    pub fn add_ward(
        &mut self,
        code: &str,
        name: &str,
        kind: WardKind,
        town: Option<&str>,
        crs: Option<&str>,
    ) -> Result<WardRow> {
        let code = code.trim();
        check_code(code)?;
        let name = check_name(name)?;
        let town = town.map(str::trim).filter(|t| !t.is_empty());
        let crs = crs.map(str::trim).filter(|t| !t.is_empty());
        let tx = self.write()?;
        let taken = tx
            .query_row("SELECT 1 FROM wards WHERE code = ?1", [code], |_| Ok(()))
            .optional()?
            .is_some();
        if taken {
            return Err(StoreError::Conflict(format!(
                "code: mã phường \"{code}\" đã có / the ward code \"{code}\" is taken"
            )));
        }
        tx.execute(
            "INSERT INTO wards (code, name, kind, town, crs, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
            (code, name, kind.as_str(), town, crs),
        )?;
        let id = tx.last_insert_rowid();
        let row = tx.query_row(
            &format!("SELECT {ROW_COLUMNS} FROM wards WHERE id = ?1"),
            [id],
            ward_row,
        )?;
        tx.commit()?;
        self.only_ward = false;
        Ok(row)
    }

    /// Renames the current ward (was `set_meta("ward", …)`). A ward never
    /// named before (code `1`, its id) also gets its code from the name
    /// when that code is free, so its pages read `/w/ngoc-son/`.
    pub fn rename_ward(&mut self, name: &str) -> Result<()> {
        self.rename_current(name)
    }

    pub(super) fn rename_current(&self, name: &str) -> Result<()> {
        let name = check_name(name)?;
        let (code, old): (String, String) = self.conn.query_row(
            "SELECT code, name FROM wards WHERE id = ?1",
            [self.ward.0],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let slug = slug(name);
        let new_code = if code == self.ward.0.to_string() && old == UNNAMED && !slug.is_empty() {
            let free = self
                .conn
                .query_row("SELECT 1 FROM wards WHERE code = ?1", [&slug], |_| Ok(()))
                .optional()?
                .is_none();
            if free { slug } else { code }
        } else {
            code
        };
        // the name is in every header: pages reload
        self.conn.execute(
            "UPDATE wards SET name = ?2, code = ?3, imports = imports + (name IS NOT ?2)
             WHERE id = ?1",
            (self.ward.0, name, new_code),
        )?;
        Ok(())
    }

    /// The PROJ string the current ward's donations are measured in (was
    /// `meta("crs")`), if an import set one.
    pub fn ward_crs(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT crs FROM wards WHERE id = ?1")?
            .query_row([self.ward.0], |r| r.get(0))?)
    }

    /// A token that changes whenever the data of any ward may have: the
    /// number of wards, the sums of their import and paperwork counters
    /// and the log's last id (the province view's caches).
    pub fn province_version(&self) -> Result<String> {
        let (n, imports, events, paperwork): (i64, i64, i64, i64) = self.conn.query_row(
            "SELECT count(*), coalesce(sum(imports), 0), coalesce(max(last_event), 0),
                    coalesce(sum(paperwork), 0) FROM wards",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        Ok(format!("{n}.{imports}.{events}.{paperwork}"))
    }

    /// An SQL condition: the parcel row id in column `col` is one of the
    /// current ward's parcels (`1`, always true, when the database holds
    /// one ward: whole-table reads keep their plans).
    pub(super) fn ward_parcels(&self, col: &str) -> String {
        if self.only_ward {
            "1".to_string()
        } else {
            format!("{col} IN (SELECT id FROM parcels WHERE ward = {CURRENT})")
        }
    }

    /// Ward `w`'s outline (lon/lat polygons, the union of its residential
    /// groups' as the last import left them), if derived.
    pub fn ward_outline(&self, w: WardId) -> Result<Option<Vec<crate::geometry::outline::Rings>>> {
        let blob: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT outline FROM ward_outlines WHERE ward = ?1",
                [w.0],
                |r| r.get(0),
            )
            .optional()?;
        Ok(blob
            .map(|b| super::wkb::read_multi_polygon(&b))
            .transpose()?)
    }

    /// Whether the database holds one ward only (whole-table reads then
    /// need no ward filter). Refreshed by [`Store::use_ward`].
    pub fn only_ward(&self) -> bool {
        self.only_ward
    }
}
