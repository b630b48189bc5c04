//! The element layer of a V7 design file: the file's signature, the element
//! headers (level, type, complex and deleted flags, words to follow), the
//! TCB's units and global origin, and the numbers elements are made of
//! (middle-endian 32-bit integers, VAX D-float doubles).
//!
//! Every read is checked against the element's own length: a short or
//! overrunning element is refused with its byte offset, never read past.

use super::super::layer::FormatError;
use super::Pt;

/// Element types this reader knows.
pub(super) const CELL_HEADER: u8 = 2;
pub(super) const LINE: u8 = 3;
pub(super) const LINE_STRING: u8 = 4;
pub(super) const SHAPE: u8 = 6;
pub(super) const TCB: u8 = 9;
pub(super) const CURVE: u8 = 11;
pub(super) const COMPLEX_CHAIN: u8 = 12;
pub(super) const COMPLEX_SHAPE: u8 = 14;
pub(super) const ELLIPSE: u8 = 15;
pub(super) const ARC: u8 = 16;
pub(super) const TEXT: u8 = 17;

/// The "hole" bit of an element's properties (a shape cut out of the solid
/// it is grouped with).
pub(super) const HOLE: u16 = 0x8000;

/// The start of an OLE compound file: a DGN V8 (or any Office document).
const OLE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Whether the file is a 3D design (`true`) or 2D, from its first bytes;
/// anything but a V7 design file is refused, V8 with how to convert it.
pub(super) fn signature(bytes: &[u8]) -> Result<bool, FormatError> {
    if bytes.starts_with(&OLE) {
        return Err(FormatError::invalid(
            "đây là DGN V8 (tệp OLE), chưa đọc được: Lưu lại dạng V7 trong MicroStation (File > Save As > V7) / this is a DGN V8 file (an OLE compound file), which is not read: save as V7 in MicroStation (File > Save As > V7)",
        ));
    }
    if bytes.starts_with(&[0x08, 0x05, 0x17, 0x00]) {
        return Err(FormatError::invalid(
            "đây là thư viện cell của MicroStation, không phải bản vẽ / this is a MicroStation cell library, not a design file",
        ));
    }
    match bytes.get(..4) {
        Some([0x08, 0x09, 0xFE, 0x02]) => Ok(false),
        Some([0xC8, 0x09, 0xFE, 0x02]) => Ok(true),
        _ => Err(FormatError::invalid(
            "không phải tệp DGN V7: thiếu phần đầu thiết kế (TCB) / not a DGN V7 file: no design file header (TCB)",
        )),
    }
}

/// One element as stored: its byte offset in the file and its bytes (the
/// 4-byte header included).
#[derive(Clone, Copy)]
pub(super) struct Raw<'a> {
    pub(super) offset: usize,
    pub(super) bytes: &'a [u8],
}

impl<'a> Raw<'a> {
    pub(super) fn level(&self) -> u8 {
        self.bytes[0] & 0x3f
    }
    pub(super) fn complex(&self) -> bool {
        self.bytes[0] & 0x80 != 0
    }
    pub(super) fn kind(&self) -> u8 {
        self.bytes[1] & 0x7f
    }
    pub(super) fn deleted(&self) -> bool {
        self.bytes[1] & 0x80 != 0
    }
    /// The properties word of the display header (0 when there is none).
    pub(super) fn properties(&self) -> u16 {
        self.u16_at(32).unwrap_or(0)
    }

    /// The refusal of this element: `vi` / `en` say what is wrong.
    pub(super) fn bad(&self, vi: &str, en: &str) -> FormatError {
        FormatError::invalid(format!(
            "phần tử loại {} ở byte {}: {vi} / element of type {} at byte {}: {en}",
            self.kind(),
            self.offset,
            self.kind(),
            self.offset
        ))
    }

    fn short(&self, need: usize) -> FormatError {
        let n = self.bytes.len();
        self.bad(
            &format!("cần {need} byte nhưng phần tử chỉ dài {n} byte"),
            &format!("needs {need} bytes but the element is only {n} bytes long"),
        )
    }

    pub(super) fn byte(&self, at: usize) -> Result<u8, FormatError> {
        self.bytes
            .get(at)
            .copied()
            .ok_or_else(|| self.short(at + 1))
    }

    pub(super) fn u16_at(&self, at: usize) -> Option<u16> {
        let b = self.bytes.get(at..at + 2)?;
        Some(u16::from_le_bytes([b[0], b[1]]))
    }

    pub(super) fn u16(&self, at: usize) -> Result<u16, FormatError> {
        self.u16_at(at).ok_or_else(|| self.short(at + 2))
    }

    /// A signed 32-bit integer stored as two little-endian 16-bit words,
    /// the high word first (the PDP-11 order of the ISFF).
    pub(super) fn i32(&self, at: usize) -> Result<i32, FormatError> {
        let b = self
            .bytes
            .get(at..at + 4)
            .ok_or_else(|| self.short(at + 4))?;
        Ok(i32::from_le_bytes([b[2], b[3], b[0], b[1]]))
    }

    /// A VAX D-float (8 bytes in four little-endian 16-bit words, the sign,
    /// exponent and high mantissa first) as an IEEE double.
    pub(super) fn vax(&self, at: usize) -> Result<f64, FormatError> {
        let b = self
            .bytes
            .get(at..at + 8)
            .ok_or_else(|| self.short(at + 8))?;
        Ok(vax_to_f64(b))
    }

    pub(super) fn slice(&self, at: usize, len: usize) -> Result<&'a [u8], FormatError> {
        self.bytes
            .get(at..at + len)
            .ok_or_else(|| self.short(at + len))
    }
}

/// A VAX D-float as an IEEE double: value = 0.1m × 2^(e − 128), i.e.
/// (1 + m / 2^55) × 2^(e − 129); exponent 0 is zero (and the reserved
/// operand, read as zero too).
pub(super) fn vax_to_f64(b: &[u8]) -> f64 {
    let w = |i: usize| u64::from(u16::from_le_bytes([b[2 * i], b[2 * i + 1]]));
    let bits = (w(0) << 48) | (w(1) << 32) | (w(2) << 16) | w(3);
    let exp = ((bits >> 55) & 0xff) as i32;
    if exp == 0 {
        return 0.0;
    }
    let mantissa = bits & ((1u64 << 55) - 1);
    let v = (1.0 + mantissa as f64 / (1u64 << 55) as f64) * 2f64.powi(exp - 129);
    if bits >> 63 == 1 { -v } else { v }
}

/// The elements of a file, in order, up to the end-of-design marker
/// (0xFFFF) or the end of the bytes.
pub(super) struct Elements<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Elements<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Elements<'a> {
        Elements { bytes, pos: 0 }
    }
}

impl<'a> Iterator for Elements<'a> {
    type Item = Result<Raw<'a>, FormatError>;

    fn next(&mut self) -> Option<Self::Item> {
        let o = self.pos;
        let head = self.bytes.get(o..o + 4)?;
        if head[0] == 0xff && head[1] == 0xff {
            return None;
        }
        let len = 4 + 2 * usize::from(u16::from_le_bytes([head[2], head[3]]));
        let Some(bytes) = self.bytes.get(o..o + len) else {
            // stop for good after the refusal
            self.pos = self.bytes.len();
            return Some(Err(FormatError::invalid(format!(
                "phần tử loại {} ở byte {o} khai dài {len} byte nhưng tệp hết ở byte {} (tệp bị cắt?) / element of type {} at byte {o} declares {len} bytes but the file ends at byte {} (truncated file?)",
                head[1] & 0x7f,
                self.bytes.len(),
                head[1] & 0x7f,
                self.bytes.len()
            ))));
        };
        self.pos = o + len;
        Some(Ok(Raw { offset: o, bytes }))
    }
}

/// The design's coordinate system, from its TCB: design coordinates (UOR,
/// units of resolution) to metres.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Design {
    pub(super) three_d: bool,
    /// Metres per UOR: 1 / (UOR per sub-unit × sub-units per master unit) ×
    /// metres per master unit.
    pub(super) scale: f64,
    /// The global origin, in UOR: subtracted from every coordinate.
    pub(super) origin: Pt,
    pub(super) master_name: String,
    pub(super) sub_name: String,
    pub(super) uor_per_master: f64,
    /// Metres in one master unit, when its name says so (`None`: not
    /// recognised, taken as metres).
    pub(super) unit_m: Option<f64>,
}

impl Design {
    /// The TCB (the file's first element, type 9): sub-units per master unit
    /// at byte 1112, UOR per sub-unit at 1116, the units' two-letter names
    /// at 1120 and 1122, the global origin (VAX doubles, UOR) at 1240.
    pub(super) fn from_tcb(tcb: &Raw, three_d: bool) -> Result<Design, FormatError> {
        if tcb.kind() != TCB {
            return Err(tcb.bad(
                "tệp phải bắt đầu bằng TCB (loại 9)",
                "the file must start with its TCB (type 9)",
            ));
        }
        let sub_per_master = tcb.i32(1112)?;
        let uor_per_sub = tcb.i32(1116)?;
        if sub_per_master <= 0 || uor_per_sub <= 0 {
            return Err(tcb.bad(
                &format!(
                    "đơn vị không hợp lệ: {sub_per_master} đơn vị phụ mỗi đơn vị chính, {uor_per_sub} UOR mỗi đơn vị phụ"
                ),
                &format!(
                    "invalid units: {sub_per_master} sub-units per master unit, {uor_per_sub} UOR per sub-unit"
                ),
            ));
        }
        let name = |at: usize| -> Result<String, FormatError> {
            let b = tcb.slice(at, 2)?;
            Ok(b.iter()
                .take_while(|&&c| c != 0)
                .map(|&c| char::from(c))
                .filter(|c| c.is_ascii_graphic())
                .collect())
        };
        let master_name = name(1120)?;
        let sub_name = name(1122)?;
        let uor_per_master = f64::from(sub_per_master) * f64::from(uor_per_sub);
        let origin = [tcb.vax(1240)?, tcb.vax(1248)?];
        if !origin.iter().all(|v| v.is_finite()) {
            return Err(tcb.bad("gốc tọa độ không hợp lệ", "invalid global origin"));
        }
        let unit_m = unit_metres(&master_name);
        Ok(Design {
            three_d,
            scale: unit_m.unwrap_or(1.0) / uor_per_master,
            origin,
            master_name,
            sub_name,
            uor_per_master,
            unit_m,
        })
    }

    /// Bytes of one stored vertex.
    pub(super) fn point_size(&self) -> usize {
        if self.three_d { 12 } else { 8 }
    }

    /// A design point (UOR, z dropped) in metres.
    pub(super) fn point(&self, x: f64, y: f64) -> Pt {
        [
            (x - self.origin[0]) * self.scale,
            (y - self.origin[1]) * self.scale,
        ]
    }

    /// The vertex stored at `at`.
    pub(super) fn vertex(&self, e: &Raw, at: usize) -> Result<Pt, FormatError> {
        Ok(self.point(f64::from(e.i32(at)?), f64::from(e.i32(at + 4)?)))
    }
}

/// Metres in a master unit by its (two-letter) name.
fn unit_metres(name: &str) -> Option<f64> {
    Some(match name.to_ascii_lowercase().as_str() {
        "m" | "mt" | "me" => 1.0,
        "mm" => 0.001,
        "cm" => 0.01,
        "dm" => 0.1,
        "km" => 1000.0,
        "ft" => 0.3048,
        "in" => 0.0254,
        _ => return None,
    })
}
