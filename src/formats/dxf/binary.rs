//! Binary DXF as the ASCII DXF it stands for: the same group codes and
//! values, written as the ASCII reader reads them, so that a binary drawing
//! is read by the same code, to the same parcels.
//!
//! After the sentinel `AutoCAD Binary DXF\r\n\x1a\0` come group codes, two
//! bytes little-endian from R13 on, one byte up to R12 (255 then two bytes
//! for the codes above 254: the 1000s of XDATA). Each value is typed by its
//! code, as the DXF reference's "group code value types" (and ezdxf's
//! reader) give them: doubles (8 bytes), 16-, 32- and 64-bit integers,
//! booleans (1 byte), binary chunks (a length byte, then the bytes; written
//! as hex as ASCII DXF has them) and NUL-terminated strings (their bytes as
//! they are: the code page still applies). Nothing after `0 EOF` is read.

use super::*;

/// What starts every binary DXF.
pub const SENTINEL: &[u8; 22] = b"AutoCAD Binary DXF\r\n\x1a\0";

/// How a value is stored, by its group code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Double,
    I16,
    I32,
    I64,
    Bool,
    Chunk,
    Str,
}

fn ty(code: u16) -> Ty {
    match code {
        10..=59 | 110..=149 | 210..=239 | 460..=469 | 1010..=1059 => Ty::Double,
        60..=79 | 170..=179 | 270..=289 | 370..=389 | 400..=409 | 1060..=1070 => Ty::I16,
        90..=99 | 420..=429 | 440..=459 | 1071 => Ty::I32,
        160..=169 => Ty::I64,
        290..=299 => Ty::Bool,
        310..=319 | 1004 => Ty::Chunk,
        _ => Ty::Str,
    }
}

/// Whether the group codes take two bytes: the first code (0, SECTION) in
/// two bytes, else `$ACADVER` at R13 (AC1012) or later.
fn two_byte_codes(b: &[u8]) -> bool {
    match (b.get(22), b.get(23)) {
        (Some(0), Some(0)) => true,
        (Some(0), Some(_)) => false,
        _ => {
            let head = &b[..b.len().min(1024)];
            let Some(at) = head.windows(8).position(|w| w == b"$ACADVER") else {
                return false;
            };
            // "$ACADVER\0", a 1-byte code and "AC10..", or a 2-byte code
            let v = at + 10;
            match b.get(v) {
                Some(b'A') => false,
                _ => b
                    .get(v + 1..v + 7)
                    .is_some_and(|ver| ver >= b"AC1012".as_slice()),
            }
        }
    }
}

/// The ASCII DXF of a binary one (`bytes` starting with [`SENTINEL`]), at
/// most `max` bytes long; the refusal says where the binary breaks off.
pub(super) fn to_ascii(bytes: &[u8], max: u64) -> Result<Vec<u8>, FormatError> {
    let two = two_byte_codes(bytes);
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len().saturating_mul(2).min(1 << 24));
    let mut i = SENTINEL.len();
    let cut = |at: usize, code: Option<u16>| {
        let (vi, en) = match code {
            Some(c) => (
                format!("DXF nhị phân dừng giữa giá trị của mã nhóm {c} ở byte {at}"),
                format!("the binary DXF breaks off in the value of group code {c} at byte {at}"),
            ),
            None => (
                format!("DXF nhị phân dừng giữa một mã nhóm ở byte {at}"),
                format!("the binary DXF breaks off in a group code at byte {at}"),
            ),
        };
        truncated(&vi, &en)
    };
    let mut ryu = ryu::Buffer::new();
    let mut ints = itoa::Buffer::new();
    while i < bytes.len() {
        let at = i;
        let code: u16 = if two {
            let c = bytes.get(i..i + 2).ok_or_else(|| cut(at, None))?;
            i += 2;
            u16::from_le_bytes([c[0], c[1]])
        } else {
            match bytes[i] {
                255 => {
                    let c = bytes.get(i + 1..i + 3).ok_or_else(|| cut(at, None))?;
                    i += 3;
                    u16::from_le_bytes([c[0], c[1]])
                }
                c => {
                    i += 1;
                    u16::from(c)
                }
            }
        };
        let vat = i;
        let mut fixed = |n: usize| -> Result<&[u8], FormatError> {
            let v = bytes.get(i..i + n).ok_or_else(|| cut(vat, Some(code)))?;
            i += n;
            Ok(v)
        };
        out.extend_from_slice(ints.format(code).as_bytes());
        out.push(b'\n');
        let mut eof = false;
        match ty(code) {
            Ty::Double => {
                let v = fixed(8)?;
                let x = f64::from_le_bytes(v.try_into().unwrap_or_default());
                out.extend_from_slice(ryu.format(x).as_bytes());
            }
            Ty::I16 => {
                let v = fixed(2)?;
                out.extend_from_slice(ints.format(i16::from_le_bytes([v[0], v[1]])).as_bytes());
            }
            Ty::I32 => {
                let v = fixed(4)?;
                let n = i32::from_le_bytes(v.try_into().unwrap_or_default());
                out.extend_from_slice(ints.format(n).as_bytes());
            }
            Ty::I64 => {
                let v = fixed(8)?;
                let n = i64::from_le_bytes(v.try_into().unwrap_or_default());
                out.extend_from_slice(ints.format(n).as_bytes());
            }
            Ty::Bool => {
                let v = fixed(1)?;
                out.extend_from_slice(ints.format(v[0]).as_bytes());
            }
            Ty::Chunk => {
                let n = usize::from(fixed(1)?[0]);
                for b in fixed(n)? {
                    out.extend_from_slice(&[HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
                }
            }
            Ty::Str => {
                let rest = bytes.get(i..).unwrap_or_default();
                let n = memchr::memchr(0, rest).ok_or_else(|| cut(vat, Some(code)))?;
                let s = &rest[..n];
                i += n + 1;
                // a line break would end the value early in ASCII: a space
                out.extend(s.iter().map(|&b| match b {
                    b'\r' | b'\n' => b' ',
                    b => b,
                }));
                eof = code == 0 && s == b"EOF";
            }
        }
        out.push(b'\n');
        if out.len() as u64 > max {
            return Err(FormatError::invalid(format!(
                "DXF nhị phân, viết thành DXF ASCII, vượt giới hạn {} của một tệp DXF / the binary \
                 DXF, written as ASCII DXF, exceeds the {} limit of a DXF file",
                crate::formats::limits::size(max),
                crate::formats::limits::size(max)
            )));
        }
        if eof {
            break;
        }
    }
    Ok(out)
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

#[cfg(test)]
mod tests {
    use super::*;

    /// A binary DXF of `tags`, group codes in two bytes (R13+) or one (R12).
    fn binary(tags: &[(u16, &[u8])], two: bool) -> Vec<u8> {
        let mut b = SENTINEL.to_vec();
        for (code, v) in tags {
            if two {
                b.extend_from_slice(&code.to_le_bytes());
            } else if *code < 255 {
                b.push(*code as u8);
            } else {
                b.push(255);
                b.extend_from_slice(&code.to_le_bytes());
            }
            b.extend_from_slice(v);
        }
        b
    }

    #[test]
    fn every_value_type_reads_as_its_ascii_text() {
        let x = 580_123.456_789_f64.to_le_bytes();
        let (i32s, i16s) = ((-7i32).to_le_bytes(), 1i16.to_le_bytes());
        let (i64s, big) = ((1i64 << 40).to_le_bytes(), 70_000i32.to_le_bytes());
        let tags: Vec<(u16, &[u8])> = vec![
            (0, b"SECTION\0"),
            (2, b"ENTITIES\0"),
            (0, b"LWPOLYLINE\0"),
            (5, b"2A\0"),
            (8, b"TH\xD6A\0"),
            (90, &i32s),
            (70, &i16s),
            (10, &x),
            (160, &i64s),
            (290, &[1]),
            (310, &[3, 0xAB, 0x01, 0xFF]),
            (1000, b"so_thua=12\nb\0"),
            (1071, &big),
            (0, b"EOF\0"),
        ];
        let want = "0\nSECTION\n2\nENTITIES\n0\nLWPOLYLINE\n5\n2A\n8\nTH\u{FFFD}A\n90\n-7\n70\n1\n\
                    10\n580123.456789\n160\n1099511627776\n290\n1\n310\nAB01FF\n1000\nso_thua=12 b\n\
                    1071\n70000\n0\nEOF\n";
        for two in [true, false] {
            let mut b = binary(&tags, two);
            b.extend_from_slice(b"trailing bytes after EOF are not read");
            let a = to_ascii(&b, u64::MAX).unwrap();
            // the string's own bytes are kept (code page 1258 here)
            assert!(a.windows(4).any(|w| w == b"TH\xD6A"));
            assert_eq!(String::from_utf8_lossy(&a), want, "two-byte codes: {two}");
        }
    }

    #[test]
    fn a_cut_binary_names_the_byte_and_the_code() {
        let b = binary(&[(0, b"SECTION\0"), (10, &1.5f64.to_le_bytes())], true);
        let e = to_ascii(&b[..b.len() - 3], u64::MAX)
            .unwrap_err()
            .to_string();
        assert!(e.contains("group code 10 at byte 34"), "{e}");
        let e = to_ascii(&b[..b.len() - 9], u64::MAX)
            .unwrap_err()
            .to_string();
        assert!(e.contains("breaks off in a group code at byte 32"), "{e}");
        let b = binary(&[(0, b"SECTION")], true);
        let e = to_ascii(&b, u64::MAX).unwrap_err().to_string();
        assert!(e.contains("group code 0 at byte 24"), "{e}");
        let b = binary(&[(0, b"SECTION\0"), (2, b"ENTITIES\0")], true);
        let e = to_ascii(&b, 20).unwrap_err().to_string();
        assert!(e.contains("exceeds the 20 bytes limit"), "{e}");
    }

    #[test]
    fn the_code_width_follows_the_first_code_or_the_version() {
        assert!(two_byte_codes(&binary(&[(0, b"SECTION\0")], true)));
        assert!(!two_byte_codes(&binary(&[(0, b"SECTION\0")], false)));
        // a comment first: the version decides
        let r14 = binary(&[(999, b"x\0"), (9, b"$ACADVER\0"), (1, b"AC1014\0")], true);
        assert!(two_byte_codes(&r14));
        let r12 = binary(
            &[(999, b"x\0"), (9, b"$ACADVER\0"), (1, b"AC1009\0")],
            false,
        );
        assert!(!two_byte_codes(&r12));
    }
}
