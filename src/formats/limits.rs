//! The bounds every importer keeps, so that no input file, however made,
//! can take the memory or the time of the machine: the size of each kind of
//! file, of each member unpacked from a zip and its unpacked/packed ratio,
//! the rows, columns, fields and lines of a CSV, the SQLite work of a
//! GeoPackage read, and the chords its circular arcs become. Every refusal
//! names the file (or layer) and the limit, in Vietnamese then English.

use super::layer::FormatError;
use std::path::Path;
use std::time::Duration;

const MB: u64 = 1 << 20;

/// The bounds. [`Limits::DEFAULT`] is what the importers use; tests give
/// smaller ones.
#[derive(Debug, Clone)]
pub struct Limits {
    /// A CSV file (households, structures, organisation, WKT or coordinate table).
    pub csv_bytes: u64,
    /// A GeoJSON file.
    pub geojson_bytes: u64,
    /// A KML, DXF or DGN file.
    pub text_bytes: u64,
    /// A GeoPackage file.
    pub gpkg_bytes: u64,
    /// A zip file (packed) and each part of a shapefile on disk.
    pub zip_bytes: u64,
    /// Each member of a zip, unpacked.
    pub member_bytes: u64,
    /// All the members read from one zip, unpacked.
    pub unpacked_bytes: u64,
    /// Unpacked/packed size of a member larger than [`Self::RATIO_FLOOR`].
    pub ratio: u64,
    /// Members in a zip.
    pub zip_entries: usize,
    /// Data rows of a CSV.
    pub csv_rows: u64,
    /// Fields in one CSV row.
    pub csv_columns: usize,
    /// Bytes of one CSV field.
    pub csv_field_bytes: usize,
    /// Bytes of one CSV line (a row, quoted line breaks included).
    pub csv_line_bytes: usize,
    /// Problems listed for one CSV before the reading stops.
    pub csv_problems: usize,
    /// SQLite virtual-machine steps for a GeoPackage read.
    pub sqlite_steps: u64,
    /// Wall time of a GeoPackage read.
    pub sqlite_time: Duration,
    /// Bytes of one value (text or blob) in a GeoPackage.
    pub sqlite_value_bytes: i32,
    /// Chords one circular arc may become (see [`super::curve`]).
    pub arc_segments: usize,
    /// Vertices the arcs of one file may become.
    pub curve_vertices: u64,
}

impl Limits {
    /// Members unpacking to less than this are not held to the ratio.
    pub const RATIO_FLOOR: u64 = MB;

    pub const DEFAULT: Limits = Limits {
        csv_bytes: 200 * MB,
        geojson_bytes: 512 * MB,
        text_bytes: 512 * MB,
        gpkg_bytes: 2048 * MB,
        zip_bytes: 1024 * MB,
        member_bytes: 1024 * MB,
        unpacked_bytes: 2048 * MB,
        ratio: 200,
        zip_entries: 10_000,
        csv_rows: 1_000_000,
        csv_columns: 256,
        csv_field_bytes: MB as usize,
        csv_line_bytes: 4 * MB as usize,
        csv_problems: 1000,
        sqlite_steps: 2_000_000_000,
        sqlite_time: Duration::from_secs(60),
        sqlite_value_bytes: 64 * MB as i32,
        arc_segments: 4096,
        curve_vertices: 4_000_000,
    };

    /// The size limit of a file, by its extension (`None`: a folder or an
    /// extension no importer reads, left to the reader to refuse).
    pub fn for_path(&self, path: &Path) -> Option<u64> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" | "txt" => self.csv_bytes,
            "geojson" | "json" => self.geojson_bytes,
            "kml" | "kmz" | "dxf" | "dgn" => self.text_bytes,
            "gpkg" => self.gpkg_bytes,
            "zip" | "shp" | "dbf" | "prj" | "cpg" => self.zip_bytes,
            _ => return None,
        })
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::DEFAULT
    }
}

/// `n` bytes for people: "200 MB", "4 MB", "1500 bytes".
pub fn size(n: u64) -> String {
    if n >= MB && n.is_multiple_of(MB) {
        format!("{} MB", n / MB)
    } else if n >= MB {
        format!("{:.1} MB", n as f64 / MB as f64)
    } else if n >= 1024 && n.is_multiple_of(1024) {
        format!("{} KB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

/// The refusal of a file larger than `limit` bytes.
pub fn too_large(file: &str, len: u64, limit: u64) -> FormatError {
    FormatError::invalid(format!(
        "tệp {file} ({}) vượt giới hạn {} / file {file} ({}) exceeds the {} limit",
        size(len),
        size(limit),
        size(len),
        size(limit)
    ))
}

/// Checks the size of the file at `path` against `limit` (by its metadata:
/// nothing is read).
pub fn check_size(path: &Path, limit: u64) -> Result<(), FormatError> {
    let len = std::fs::metadata(path)?.len();
    if len > limit {
        return Err(too_large(&name(path), len, limit));
    }
    Ok(())
}

/// Reads the file at `path` whole, after checking its size against the
/// limit of its kind (see [`Limits::for_path`]).
pub fn read(path: &Path, limits: &Limits) -> Result<Vec<u8>, FormatError> {
    if let Some(limit) = limits.for_path(path) {
        check_size(path, limit)?;
    }
    Ok(std::fs::read(path)?)
}

/// Checks a zip member, from the zip's central directory, before it is
/// unpacked: its unpacked `size` against [`Limits::member_bytes`], and its
/// unpacked/`packed` ratio against [`Limits::ratio`] (above
/// [`Limits::RATIO_FLOOR`]). `zip` and `member` name them in the refusal.
pub fn check_member(
    zip: &str,
    member: &str,
    size: u64,
    packed: u64,
    limits: &Limits,
) -> Result<(), FormatError> {
    if size > limits.member_bytes {
        let (len, max) = (self::size(size), self::size(limits.member_bytes));
        return Err(FormatError::invalid(format!(
            "{zip}: {member} giải nén ra {len}, vượt giới hạn {max} mỗi tệp / {zip}: {member} \
             unpacks to {len}, over the {max} limit per member"
        )));
    }
    let ratio = size / packed.max(1);
    if size > Limits::RATIO_FLOOR && ratio > limits.ratio {
        let max = limits.ratio;
        return Err(FormatError::invalid(format!(
            "{zip}: {member} nén {ratio} lần, vượt giới hạn tỉ lệ giải nén/nén {max} (nghi là bom \
             zip) / {zip}: {member} is compressed {ratio} times, over the unpacked/packed ratio \
             limit of {max} (a zip bomb?)"
        )));
    }
    Ok(())
}

/// A file's name for messages (its last part).
pub fn name(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// A CSV bound broken: the line (1 = the first) and why, in Vietnamese and
/// English, the limit named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvLimit {
    pub line: u64,
    pub vi: String,
    pub en: String,
}

/// Checks the rows, fields per row, field and line lengths of CSV `bytes`
/// (separated by `delimiter`) against `limits` before any of it is parsed:
/// one pass, nothing allocated. The quoting follows the `csv` crate's (a
/// quote opens a quoted field only at its start, `""` inside is a quote),
/// so the rows counted are the rows it reads; a `\r`, `\n` or `\r\n` ends a
/// row.
pub fn check_csv(bytes: &[u8], delimiter: u8, limits: &Limits) -> Result<(), CsvLimit> {
    #[derive(Clone, Copy, PartialEq)]
    enum St {
        FieldStart,
        Field,
        Quoted,
        QuoteInQuoted,
    }
    let mut st = St::FieldStart;
    let mut line = 1u64;
    let (mut row_start_line, mut row_bytes, mut field_bytes, mut fields) = (1u64, 0usize, 0, 1);
    let mut rows = 0u64;
    let mut blank = true;
    let fail = |line: u64, vi: String, en: String| Err(CsvLimit { line, vi, en });
    for &b in bytes {
        let newline = b == b'\n' || b == b'\r';
        if b == b'\n' {
            line += 1;
        }
        let in_quotes = st == St::Quoted;
        if newline && !in_quotes {
            // the row ends (a blank line is no row)
            if !blank {
                rows += 1;
                if rows > limits.csv_rows.saturating_add(1) {
                    return fail(
                        row_start_line,
                        format!("quá giới hạn {} dòng dữ liệu", limits.csv_rows),
                        format!("more than the limit of {} data rows", limits.csv_rows),
                    );
                }
            }
            st = St::FieldStart;
            row_bytes = 0;
            field_bytes = 0;
            fields = 1;
            blank = true;
            row_start_line = line;
            continue;
        }
        blank = false;
        row_bytes += 1;
        if row_bytes > limits.csv_line_bytes {
            return fail(
                row_start_line,
                format!(
                    "dòng dài quá giới hạn {}",
                    size(limits.csv_line_bytes as u64)
                ),
                format!(
                    "line longer than the {} limit",
                    size(limits.csv_line_bytes as u64)
                ),
            );
        }
        match (st, b) {
            (St::FieldStart | St::Field | St::QuoteInQuoted, d) if d == delimiter => {
                fields += 1;
                field_bytes = 0;
                st = St::FieldStart;
                if fields > limits.csv_columns {
                    return fail(
                        row_start_line,
                        format!("quá giới hạn {} cột", limits.csv_columns),
                        format!("more than the limit of {} columns", limits.csv_columns),
                    );
                }
                continue;
            }
            (St::FieldStart, b'"') => st = St::Quoted,
            (St::FieldStart, _) => st = St::Field,
            (St::Quoted, b'"') => st = St::QuoteInQuoted,
            (St::QuoteInQuoted, b'"') => st = St::Quoted,
            (St::QuoteInQuoted, _) => st = St::Field,
            _ => {}
        }
        field_bytes += 1;
        if field_bytes > limits.csv_field_bytes {
            return fail(
                row_start_line,
                format!("ô dài quá giới hạn {}", size(limits.csv_field_bytes as u64)),
                format!(
                    "field longer than the {} limit",
                    size(limits.csv_field_bytes as u64)
                ),
            );
        }
    }
    if !blank {
        rows += 1;
        if rows > limits.csv_rows.saturating_add(1) {
            return fail(
                row_start_line,
                format!("quá giới hạn {} dòng dữ liệu", limits.csv_rows),
                format!("more than the limit of {} data rows", limits.csv_rows),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Limits {
        Limits {
            csv_rows: 2,
            csv_columns: 3,
            csv_field_bytes: 5,
            csv_line_bytes: 12,
            ..Limits::DEFAULT
        }
    }

    #[test]
    fn csv_within_bounds_passes_quoted_breaks_and_blank_lines_included() {
        let ok = b"a,b,c\r\n\n\"x\ny\",\"\"\"\",z\n1,2,3";
        assert_eq!(check_csv(ok, b',', &small()), Ok(()));
    }

    #[test]
    fn csv_bounds_name_the_line_and_the_limit() {
        let l = small();
        let e = check_csv(b"a,b,c\n1,2,3,4\n", b',', &l).unwrap_err();
        assert_eq!(
            (e.line, e.en.as_str()),
            (2, "more than the limit of 3 columns")
        );
        let e = check_csv(b"a\n123456\n", b',', &l).unwrap_err();
        assert_eq!((e.line, e.vi.as_str()), (2, "ô dài quá giới hạn 5 bytes"));
        let e = check_csv(b"a\n1\n2\n\n3\n", b',', &l).unwrap_err();
        assert_eq!(
            (e.line, e.en.as_str()),
            (5, "more than the limit of 2 data rows")
        );
        let long = Limits {
            csv_field_bytes: 100,
            ..small()
        };
        let e = check_csv(b"a\n\"1,2,3,4,5,6,7,8\"\n", b';', &long).unwrap_err();
        assert!(
            e.en.contains("line longer than the 12 bytes limit"),
            "{e:?}"
        );
        // a comma inside quotes is no separator
        assert_eq!(
            check_csv(
                b"\",,,,\"\n",
                b',',
                &Limits {
                    csv_field_bytes: 9,
                    ..l
                }
            ),
            Ok(())
        );
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size(200 * MB), "200 MB");
        assert_eq!(size(1536), "1536 bytes");
        assert_eq!(size(4096), "4 KB");
    }
}
