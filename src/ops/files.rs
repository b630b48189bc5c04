//! Reading input files for the use cases.

use crate::formats::limits::{self, Limits};
use std::fs::File;
use std::path::Path;

/// A file's bytes, mapped rather than copied: inputs run to hundreds of MB.
/// A file larger than the limit of its kind ([`Limits::for_path`]; an
/// extension no importer knows is held to the GeoJSON one) is refused,
/// naming the file and the limit.
pub fn read(path: &Path) -> Result<Input, String> {
    let limits = &Limits::DEFAULT;
    read_within(path, limits.for_path(path).unwrap_or(limits.geojson_bytes))
}

/// [`read`] with the size limit given.
pub fn read_within(path: &Path, limit: u64) -> Result<Input, String> {
    let err = |e: std::io::Error| format!("không đọc được / cannot read {}: {e}", path.display());
    let file = File::open(path).map_err(err)?;
    let len = file.metadata().map_err(err)?.len();
    if len > limit {
        return Err(limits::too_large(&path.display().to_string(), len, limit).to_string());
    }
    if len == 0 {
        return Ok(Input::Empty);
    }
    // SAFETY: the map is read-only and lives while we parse; a file truncated
    // underneath us by another process is the one case it cannot guard
    // against, as with any mapped read.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(err)?;
    Ok(Input::Mapped(map))
}

/// A file's bytes (see [`read`]).
pub enum Input {
    Empty,
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for Input {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Input::Empty => &[],
            Input::Mapped(m) => m,
        }
    }
}
