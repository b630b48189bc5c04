//! ESRI Shapefile: writes a [`Layer`] as a zip of `.shp/.shx/.dbf/.prj/.cpg`
//! and reads shapefiles (a zip, a folder or a `.shp`) back into layers.
//!
//! The three binary files are hand-written (they are short, fixed formats:
//! the ESRI Shapefile Technical Description, 1998, and dBASE III): the
//! `shapefile`/`dbase` crates decode text themselves, so the raw .dbf bytes
//! could not be read as TCVN3/VNI, and a hand-written pass is also what
//! makes a 100k-parcel ward fast (one buffer per file, no per-value
//! allocation when writing). The `zip` crate does the archive.
//!
//! Writing: polygons → shape type 5 (exterior rings clockwise, holes
//! counter-clockwise, as the spec wants: rings are reversed as needed),
//! lines → 3, points → 1. dBASE III table: Text → `C` as wide as the
//! longest value in bytes (≤ 254; longer values are cut at a character
//! boundary, with a note), Real → `N(19,6)` (0.000001: below 0.01 m² for
//! areas, ~0.1 m for degrees; whole part up to 12 digits), Integer →
//! `N(18,0)`; nulls blank; language driver byte 0 plus a `.cpg` saying
//! UTF-8, which is what GDAL/QGIS/ArcGIS look for. `.prj` is `srs.wkt` as
//! given. Empty strings are written blank and so read back as null.
//!
//! Reading: shape types 1/3/5/8 and their Z and M variants (x, y kept);
//! polygon rings grouped as GDAL does (clockwise rings are exteriors; a
//! counter-clockwise ring is a hole of the smallest exterior holding it,
//! else a polygon of its own); a MultiPoint record becomes one feature per
//! point (a note says so). `.dbf` fields: `C` → Text (trimmed; blank → null),
//! `N`/`F` → Integer when 0 decimals and width ≤ 18, else Real (blank or
//! `*`-filled, GDAL's null, → null), `L` →
//! Integer 0/1, `D` → Text `YYYY-MM-DD`; other types (memo, binary) are
//! skipped with a note; deleted records are skipped with their shapes.
//! Text encoding: forced by the caller, else the `.cpg`, else UTF-8 when
//! all text is valid UTF-8, else TCVN3/VNI when [`legacy_vn::detect`]
//! recognises it, else Windows-1252, each non-UTF-8 choice with a note.
//!
//! Left out: writing multipoints, Z/M values, null shapes (a feature
//! without geometry is an error), .shx-based random access (the .shp is
//! read in sequence; a missing .shx is fine), .sbn/.qix indexes, .dbt memo
//! files, the dBASE language-driver byte as an encoding hint (legacy
//! Vietnamese files carry 0 or 0x57 whatever their encoding).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::layer::{
    Feature, Field, FieldKind, FormatError, GeomKind, Geometry, Layer, Pt, Srs, Value,
};
use super::legacy_vn::{self, Legacy};
use crate::geometry::area::signed_ring_area;

/// The text encoding of a .dbf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Legacy(Legacy),
    /// Windows-1252 (a superset of printable ISO-8859-1).
    Latin1,
    /// Windows-1258, Vietnamese Windows (combining tone marks).
    Cp1258,
}

mod dbf;
mod read;
#[cfg(test)]
mod tests;
mod write;

use self::dbf::*;
pub use self::read::*;
pub use self::write::*;

impl Encoding {
    /// Reads an encoding name as a user flag or a .cpg gives it: `UTF-8`,
    /// `65001`, `1252`, `LATIN1`, `ISO-8859-1`, `1258`, `TCVN3`, `ABC`,
    /// `VNI`, … (case and punctuation ignored).
    pub fn from_name(name: &str) -> Option<Encoding> {
        let n: String = name
            .trim()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        Some(match n.as_str() {
            "UTF8" | "65001" | "UNICODE" => Encoding::Utf8,
            "1252" | "CP1252" | "WINDOWS1252" | "ANSI1252" | "LATIN1" | "ISO88591" | "88591" => {
                Encoding::Latin1
            }
            "1258" | "CP1258" | "WINDOWS1258" | "ANSI1258" => Encoding::Cp1258,
            _ if n.contains("TCVN") || n == "ABC" || n == "VN3" => Encoding::Legacy(Legacy::Tcvn3),
            _ if n.starts_with("VNI") => Encoding::Legacy(Legacy::Vni),
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Legacy(l) => l.name(),
            Encoding::Latin1 => "Windows-1252",
            Encoding::Cp1258 => "Windows-1258",
        }
    }

    fn decode(self, bytes: &[u8]) -> String {
        match self {
            Encoding::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            Encoding::Legacy(l) => legacy_vn::decode(bytes, l),
            Encoding::Latin1 => legacy_vn::decode_windows1252(bytes),
            Encoding::Cp1258 => legacy_vn::decode_windows1258(bytes),
        }
    }
}

fn invalid(vi: impl AsRef<str>, en: impl AsRef<str>) -> FormatError {
    FormatError::Invalid(format!("{} / {}", vi.as_ref(), en.as_ref()))
}
