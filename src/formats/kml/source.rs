//! Reading a KML as it comes: the document inside a KMZ, and its bytes
//! decoded by the encoding its byte-order mark or XML declaration states
//! (UTF-8, UTF-16, ISO-8859-1, windows-1252, windows-1258 and whatever else
//! `encoding_rs` knows by name).

use std::borrow::Cow;
use std::io::Read;

use crate::formats::layer::{FormatError, Layer};
use crate::formats::legacy_vn;
use crate::formats::limits::{self, Limits};

/// Reads a KML document, or the KML inside a KMZ, into layers (WGS 84
/// lon/lat), within the default [`Limits`].
pub fn read(bytes: &[u8]) -> Result<Vec<Layer>, FormatError> {
    read_within(bytes, &Limits::DEFAULT)
}

/// [`read`] within `limits` (those of a zip's member, for a KMZ). The text
/// is decoded as its byte-order mark or XML declaration says (see
/// [`super::decode`]); the layers' notes say which KML of a KMZ was
/// read and in what encoding, when not UTF-8.
pub fn read_within(bytes: &[u8], limits: &Limits) -> Result<Vec<Layer>, FormatError> {
    if is_zip(bytes) {
        let (member, kml, count) = kml_of_kmz(bytes, limits)?;
        if is_zip(&kml) {
            return Err(FormatError::invalid(format!(
                "{member} trong tệp KMZ lại là một tệp nén / {member} in the KMZ is itself a zip"
            )));
        }
        let mut layers = read_kml(&kml).map_err(|e| match e {
            FormatError::Invalid(m) => {
                FormatError::invalid(format!("{member} trong tệp KMZ / {member} in the KMZ: {m}"))
            }
            e => e,
        })?;
        if let Some(l) = layers.first_mut() {
            l.notes.insert(
                0,
                if count > 1 {
                    format!(
                        "tệp KMZ có {count} tệp KML: đã đọc {member} / the KMZ holds {count} KML files: {member} was read"
                    )
                } else {
                    format!("đã đọc {member} trong tệp KMZ / read {member} from the KMZ")
                },
            );
        }
        return Ok(layers);
    }
    read_kml(bytes)
}

fn read_kml(bytes: &[u8]) -> Result<Vec<Layer>, FormatError> {
    let (text, encoding) = decode(bytes)?;
    let mut layers = super::read::parse(&text)?;
    if let (Some(enc), Some(l)) = (encoding, layers.first_mut()) {
        l.notes.push(format!(
            "tệp KML mã hóa {enc}, đã chuyển sang Unicode / the KML file is encoded in {enc}, converted to Unicode"
        ));
    }
    Ok(layers)
}

/// Whether `bytes` are a zip (a KMZ).
pub(super) fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// The KML inside a KMZ: `doc.kml` at its root, else its first `.kml` (as
/// Google Earth opens it). Returns the member's name, its bytes and how many
/// `.kml` the archive holds. The member is checked against `limits` (size,
/// unpacked/packed ratio, and a KML file's size) before it is unpacked.
pub(super) fn kml_of_kmz(
    bytes: &[u8],
    limits: &Limits,
) -> Result<(String, Vec<u8>, usize), FormatError> {
    let bad = |e: zip::result::ZipError| {
        FormatError::invalid(format!(
            "tệp KMZ không phải tệp nén zip đọc được: {e} / the KMZ is not a readable zip: {e}"
        ))
    };
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(bad)?;
    if zip.len() > limits.zip_entries {
        let (n, max) = (zip.len(), limits.zip_entries);
        return Err(FormatError::invalid(format!(
            "tệp KMZ có {n} tệp bên trong, vượt giới hạn {max} / the KMZ holds {n} members, over \
             the limit of {max}"
        )));
    }
    let mut kmls: Vec<(usize, String)> = Vec::new();
    for i in 0..zip.len() {
        let e = zip.by_index_raw(i).map_err(bad)?;
        let Ok(name) = e.name().map(|n| n.into_owned()) else {
            continue;
        };
        let base = name.rsplit('/').next().unwrap_or(&name);
        if e.is_dir() || name.starts_with("__MACOSX/") || base.starts_with("._") {
            continue;
        }
        if base.to_ascii_lowercase().ends_with(".kml") {
            kmls.push((i, name));
        }
    }
    let Some((index, member)) = kmls
        .iter()
        .find(|(_, n)| n.eq_ignore_ascii_case("doc.kml"))
        .or_else(|| kmls.first())
        .cloned()
    else {
        return Err(FormatError::invalid(
            "tệp KMZ không chứa tệp .kml nào / the KMZ holds no .kml file",
        ));
    };
    let declared = {
        let e = zip.by_index_raw(index).map_err(bad)?;
        let packed = e.compressed_size().min(bytes.len() as u64);
        limits::check_member("KMZ", &member, e.size(), packed, limits)?;
        if e.size() > limits.text_bytes {
            return Err(limits::too_large(&member, e.size(), limits.text_bytes));
        }
        e.size()
    };
    let e = zip.by_index(index).map_err(bad)?;
    let mut v = Vec::with_capacity(usize::try_from(declared).unwrap_or(0).min(1 << 20));
    e.take(declared.saturating_add(1))
        .read_to_end(&mut v)
        .map_err(|err| {
            FormatError::invalid(format!(
                "không giải nén được {member} trong tệp KMZ: {err} / cannot unzip {member} from \
                 the KMZ: {err}"
            ))
        })?;
    if v.len() as u64 > declared {
        return Err(FormatError::invalid(format!(
            "{member} trong tệp KMZ giải nén ra nhiều hơn {declared} bytes như tiêu đề ghi (tệp \
             nén hỏng hoặc độc hại) / {member} in the KMZ unpacks to more than the {declared} \
             bytes its header declares (a broken or hostile zip)"
        )));
    }
    Ok((member, v, kmls.len()))
}

/// A KML's text, and the encoding it was read in when not UTF-8 (for the
/// notes). The byte-order mark decides, then a UTF-16 `<?` without one, then
/// the XML declaration's `encoding`; none of those: UTF-8.
pub(super) fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, Option<&'static str>), FormatError> {
    use encoding_rs::{UTF_16BE, UTF_16LE};
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(rest, None).map(|t| (t, None));
    }
    if bytes.starts_with(b"\0\0\xFE\xFF") || bytes.starts_with(b"\xFF\xFE\0\0") {
        return Err(FormatError::invalid(
            "tệp KML mã hóa UTF-32 không được hỗ trợ: hãy lưu lại dạng UTF-8 / UTF-32 KML files \
             are not supported: save it as UTF-8",
        ));
    }
    let utf16 = if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        Some((UTF_16LE, rest))
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        Some((UTF_16BE, rest))
    } else if bytes.starts_with(b"<\0?\0") {
        Some((UTF_16LE, bytes))
    } else if bytes.starts_with(b"\0<\0?") {
        Some((UTF_16BE, bytes))
    } else {
        None
    };
    if let Some((enc, rest)) = utf16 {
        let name = if enc == UTF_16LE {
            "UTF-16LE"
        } else {
            "UTF-16BE"
        };
        if rest.len() % 2 != 0 {
            return Err(FormatError::invalid(format!(
                "tệp KML mã hóa {name} có số byte lẻ (bị cắt cụt?) / the {name} KML file has an \
                 odd number of bytes (truncated?)"
            )));
        }
        return match enc.decode_without_bom_handling_and_without_replacement(rest) {
            Some(t) => Ok((Cow::Owned(t.into_owned()), Some(name))),
            None => Err(FormatError::invalid(format!(
                "tệp KML không phải {name} hợp lệ (có nửa cặp thay thế lẻ loi) / the KML file is \
                 not valid {name} (an unpaired surrogate)"
            ))),
        };
    }
    let Some(label) = declared_encoding(bytes) else {
        return utf8(bytes, None).map(|t| (t, None));
    };
    let lower = label.to_ascii_lowercase();
    match lower.as_str() {
        "utf-8" | "utf8" => utf8(bytes, Some(&label)).map(|t| (t, None)),
        // declared UTF-16 without its byte-order mark or its <? in two
        // bytes: mislabelled; read as what it is if it is UTF-8
        "utf-16" | "utf-16le" | "utf-16be" => utf8(bytes, Some(&label)).map(|t| (t, None)),
        // Latin-1 exactly: every byte the code point of its value
        "iso-8859-1" | "iso8859-1" | "iso_8859-1" | "latin1" | "latin-1" | "l1" | "cp819"
        | "ibm819" | "iso-ir-100" | "csisolatin1" => Ok((
            Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
            Some("ISO-8859-1"),
        )),
        // Vietnamese: the tone marks composed (NFC), as the rest of hiendat keeps text
        "windows-1258" | "cp1258" | "x-cp1258" => Ok((
            Cow::Owned(legacy_vn::decode_windows1258(bytes)),
            Some("windows-1258"),
        )),
        "us-ascii" | "ascii" => utf8(bytes, Some(&label)).map(|t| (t, None)),
        _ => {
            let Some(enc) = encoding_rs::Encoding::for_label(label.as_bytes()) else {
                return Err(FormatError::invalid(format!(
                    "tệp KML khai báo bảng mã «{label}» không được hỗ trợ: hãy lưu lại dạng UTF-8 \
                     / the KML file declares the encoding «{label}», which is not supported: save \
                     it as UTF-8"
                )));
            };
            match enc.decode_without_bom_handling_and_without_replacement(bytes) {
                Some(t) => Ok((Cow::Owned(t.into_owned()), Some(enc.name()))),
                None => Err(FormatError::invalid(format!(
                    "tệp KML không phải {} hợp lệ như nó khai báo / the KML file is not valid {} \
                     as it declares",
                    enc.name(),
                    enc.name()
                ))),
            }
        }
    }
}

/// The bytes as UTF-8; the refusal says where they stop being it, and
/// what the file declared.
fn utf8<'a>(bytes: &'a [u8], declared: Option<&str>) -> Result<Cow<'a, str>, FormatError> {
    std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| {
        let at = e.valid_up_to();
        let (vi, en) = match declared {
            Some(d) => (
                format!("khai báo bảng mã «{d}»"),
                format!("it declares the encoding «{d}»"),
            ),
            None => (
                "không khai báo bảng mã khác trong <?xml … encoding=\"…\"?>".to_string(),
                "it declares no other encoding in <?xml … encoding=\"…\"?>".to_string(),
            ),
        };
        FormatError::invalid(format!(
            "tệp KML không phải UTF-8 (byte {at}) và {vi}: hãy lưu lại dạng UTF-8 / the KML file \
             is not UTF-8 (byte {at}) and {en}: save it as UTF-8"
        ))
    })
}

/// The `encoding` of the XML declaration that opens `bytes` (an 8-bit or
/// UTF-8 text), if it has one.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = bytes.get(..bytes.len().min(1024))?;
    let rest = head.strip_prefix(b"<?xml")?;
    if !rest.first().is_some_and(u8::is_ascii_whitespace) {
        return None;
    }
    let end = rest.windows(2).position(|w| w == b"?>")?;
    let decl = &rest[..end];
    let at = decl.windows(8).position(|w| w == b"encoding")?;
    let mut r = decl[at + 8..].trim_ascii_start();
    r = r.strip_prefix(b"=")?.trim_ascii_start();
    let quote = *r.first().filter(|q| **q == b'"' || **q == b'\'')?;
    let value = &r[1..];
    let close = value.iter().position(|&b| b == quote)?;
    let label = std::str::from_utf8(&value[..close]).ok()?.trim();
    (!label.is_empty()).then(|| label.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(decl: &str, body: &str) -> String {
        format!("<?xml version=\"1.0\" encoding=\"{decl}\"?>\n<kml>{body}</kml>")
    }

    #[test]
    fn the_declaration_names_the_encoding() {
        // windows-1258 as Windows writes it: base letters, then tone marks
        let mut f = doc("windows-1258", "").into_bytes();
        let at = f.len() - "</kml>".len();
        f.splice(
            at..at,
            b"Nguy\xEA\xDEn H\xFD\xF5\xCCng \xD0\xFD\xECc"
                .iter()
                .copied(),
        );
        let (text, enc) = decode(&f).unwrap();
        assert!(text.contains("Nguyễn Hường Đức"), "{text}");
        assert_eq!(enc, Some("windows-1258"));

        // ISO-8859-1: Latin-1 exactly (0x80–0x9F are no windows-1252 letters)
        let mut f = doc("ISO-8859-1", "").into_bytes();
        f.extend_from_slice(b"Jos\xe9 \x80");
        let (text, enc) = decode(&f).unwrap();
        assert!(text.ends_with("José \u{80}"), "{text}");
        assert_eq!(enc, Some("ISO-8859-1"));

        // windows-1252 through encoding_rs, single quotes and spaces allowed
        let mut f = b"<?xml version='1.0' encoding = 'Windows-1252' ?><kml>".to_vec();
        f.extend_from_slice(b"\x80 caf\xe9</kml>");
        let (text, enc) = decode(&f).unwrap();
        assert!(text.contains("€ café"), "{text}");
        assert_eq!(enc, Some("windows-1252"));
    }

    #[test]
    fn utf16_is_known_by_its_bom_or_its_first_two_characters() {
        let text = doc("UTF-16", "Hường");
        for (bom, le) in [(true, true), (true, false), (false, true), (false, false)] {
            let mut f: Vec<u8> = match (bom, le) {
                (true, true) => vec![0xFF, 0xFE],
                (true, false) => vec![0xFE, 0xFF],
                _ => vec![],
            };
            for u in text.encode_utf16() {
                f.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
            }
            let (t, enc) = decode(&f).unwrap();
            assert_eq!(t, text);
            assert_eq!(enc, Some(if le { "UTF-16LE" } else { "UTF-16BE" }));
        }
        let e = decode(b"\xFF\xFE<\0k\0m").unwrap_err().to_string();
        assert!(e.contains("odd number of bytes"), "{e}");
    }

    #[test]
    fn undeclared_or_unknown_encodings_are_refused_with_the_byte_and_the_label() {
        let e = decode(b"<kml>caf\xe9</kml>").unwrap_err().to_string();
        assert!(
            e.contains("not UTF-8 (byte 8)") && e.contains("declares no other"),
            "{e}"
        );
        let f = doc("x-klingon", "");
        let e = decode(f.as_bytes()).unwrap_err().to_string();
        assert!(
            e.contains("«x-klingon»") && e.contains("not supported"),
            "{e}"
        );
        // a UTF-8 BOM wins over the declaration
        let mut f = b"\xEF\xBB\xBF".to_vec();
        f.extend_from_slice(doc("ISO-8859-1", "Hường").as_bytes());
        assert!(decode(&f).unwrap().0.contains("Hường"));
        // no declaration, UTF-8: borrowed as is
        assert!(matches!(decode(b"<kml/>").unwrap().0, Cow::Borrowed(_)));
    }

    fn kmz(members: &[(&str, &[u8])]) -> Vec<u8> {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in members {
            w.start_file(*name, o).unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn a_kmz_is_held_to_the_zip_limits_before_it_is_unpacked() {
        // 4 MB of white space around a placemark: a ratio far above 200
        let mut doc = b"<kml>".to_vec();
        doc.resize(4 << 20, b' ');
        doc.extend_from_slice(b"</kml>");
        let bomb = kmz(&[("doc.kml", &doc)]);
        let e = read(&bomb).unwrap_err().to_string();
        assert!(e.contains("doc.kml") && e.contains("a zip bomb?"), "{e}");
        // a KML larger than a KML file may be
        let small = Limits {
            text_bytes: 1000,
            ..Limits::DEFAULT
        };
        let e = read_within(&kmz(&[("a/b.kml", &doc[..2000])]), &small)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("b.kml") && e.contains("exceeds the 1000 bytes limit"),
            "{e}"
        );
        // too many members
        let few = Limits {
            zip_entries: 1,
            ..Limits::DEFAULT
        };
        let two = kmz(&[("doc.kml", b"<kml/>"), ("x.png", b"")]);
        let e = read_within(&two, &few).unwrap_err().to_string();
        assert!(e.contains("2 members, over the limit of 1"), "{e}");
        // a KML in a KMZ in a KMZ is not unpacked again
        let inner = kmz(&[("doc.kml", b"<kml/>")]);
        let e = read(&kmz(&[("doc.kml", &inner)])).unwrap_err().to_string();
        assert!(e.contains("is itself a zip"), "{e}");
    }
}
