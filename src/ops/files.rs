//! Reading input files for the use cases.

use std::fs::File;
use std::path::Path;

/// A file's bytes, mapped rather than copied: inputs run to hundreds of MB.
pub fn read(path: &Path) -> Result<Input, String> {
    let err = |e: std::io::Error| format!("không đọc được / cannot read {}: {e}", path.display());
    let file = File::open(path).map_err(err)?;
    if file.metadata().map_err(err)?.len() == 0 {
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
