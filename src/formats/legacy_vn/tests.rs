use super::*;

/// Every Vietnamese letter, lower and upper case, all tones.
fn all_letters() -> Vec<char> {
    let mut v: Vec<char> = VOWELS.iter().flatten().flat_map(|s| s.chars()).collect();
    v.extend(['đ', 'Đ']);
    v
}

#[test]
fn tables_are_whole() {
    for row in VOWELS.iter().flatten() {
        assert_eq!(row.chars().count(), 6, "{row}");
    }
    assert_eq!(all_letters().len(), 146);
    assert_eq!(tables().letters.len(), 146);
}

#[test]
fn every_letter_round_trips() {
    for enc in [Legacy::Tcvn3, Legacy::Vni] {
        for c in all_letters() {
            let s = c.to_string();
            let bytes = encode(&s, enc).unwrap_or_else(|| panic!("{c} {enc:?}"));
            assert_eq!(decode(&bytes, enc), s, "{c} in {enc:?}: {bytes:02X?}");
            // and inside a word, where VNI marks follow their base
            let w = format!("x{c}n {c}");
            assert_eq!(decode(&encode(&w, enc).unwrap(), enc), w, "{w} {enc:?}");
        }
    }
}

#[test]
fn tcvn3_matches_iconv_tcvn5712() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    // glibc's TCVN5712-1 is the full standard (VN1): our table must
    // agree with it byte for byte; one byte per line so that the
    // combining marks stand alone
    let bytes: Vec<u8> = (1u8..=255).filter(|&b| b != b'\n').collect();
    let input: Vec<u8> = bytes.iter().flat_map(|&b| [b, b'\n']).collect();
    let mut child = Command::new("iconv")
        .args(["-f", "TCVN5712-1", "-t", "UTF-8"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("iconv runs");
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let theirs: Vec<&str> = text.split('\n').collect();
    for (b, t) in bytes.iter().zip(&theirs) {
        let ours = tables().tcvn3_decode[usize::from(*b)].to_string();
        assert_eq!(*t, ours, "byte {b:02X}");
    }
}

#[test]
fn real_words_decode() {
    let words = [
        "Nguyễn Thị Hường",
        "Trường Thi",
        "ĐƯỜNG LÊ LỢI",
        "Tổ dân phố 5",
        "Hải Châu",
        "đất ở",
    ];
    for w in words {
        for enc in [Legacy::Tcvn3, Legacy::Vni] {
            assert_eq!(decode(&encode(w, enc).unwrap(), enc), w, "{enc:?}");
        }
    }
    // as typed with the ABC keyboard and VNI fonts (bytes seen in files)
    let abc: &[(&[u8], &str)] = &[
        (b"Nguy\xd4n Th\xde H\xad\xeang", "Nguyễn Thị Hường"),
        (b"\xa7\xa6\xeaNG L\xa3 L\xeeI", "ĐƯỜNG LÊ LỢI"),
        (b"H\xb5 N\xe9I", "HÀ NỘI"),
        (b"T\xe6 d\xa9n ph\xe8 5", "Tổ dân phố 5"),
        (b"B\xb8t X\xb8t", "Bát Xát"),
        (b"\xae\xcat \xeb", "đất ở"),
    ];
    for (bytes, want) in abc {
        assert_eq!(decode(bytes, Legacy::Tcvn3), *want);
    }
    let vni: &[(&[u8], &str)] = &[
        (b"Nguye\xe3n Th\xf2 H\xf6\xf4\xf8ng", "Nguyễn Thị Hường"),
        (b"Xin cha\xf8o ca\xf9c ba\xefn", "Xin chào các bạn"),
        (b"\xd1\xd6\xd4\xd8NG LE\xc2 L\xd4\xcfI", "ĐƯỜNG LÊ LỢI"),
        (b"Ha\xfbi Cha\xe2u", "Hải Châu"),
    ];
    for (bytes, want) in vni {
        assert_eq!(decode(bytes, Legacy::Vni), *want);
    }
}

#[test]
fn unmappable_text_is_refused() {
    assert_eq!(encode("Müller", Legacy::Tcvn3), None);
    assert_eq!(encode("Straße", Legacy::Vni), None);
    assert_eq!(encode("Café", Legacy::Tcvn3).unwrap(), b"Caf\xd0");
}

#[test]
fn detects_legacy_and_not_latin() {
    let texts = [
        "Nguyễn Thị Hường",
        "Trường Thi",
        "ĐƯỜNG LÊ LỢI",
        "Tổ dân phố 5",
        "Hải Châu",
        "đất ở",
        "Lê Văn Tám",
    ];
    for enc in [Legacy::Tcvn3, Legacy::Vni] {
        let bytes: Vec<Vec<u8>> = texts.iter().map(|t| encode(t, enc).unwrap()).collect();
        let refs: Vec<&[u8]> = bytes.iter().map(|b| b.as_slice()).collect();
        assert_eq!(detect(&refs), Some(enc));
        // a single value is enough
        assert_eq!(detect(&refs[..1]), Some(enc), "{enc:?}");
    }
    let utf8: Vec<&[u8]> = texts.iter().map(|t| t.as_bytes()).collect();
    assert_eq!(detect(&utf8), None);
    assert_eq!(detect(&[b"Tan Binh", b"123"]), None);
    let latin: &[&[u8]] = &[
        b"Caf\xe9 M\xfcller",
        b"Stra\xdfe",
        b"Fran\xe7ois",
        b"Paris \xe0 Lyon",
        b"r\xe9sum\xe9",
        b"\xc9cole",
        b"\x93quoted\x94",
    ];
    assert_eq!(detect(latin), None);
    for l in latin {
        assert_eq!(detect(&[l]), None, "{}", decode_windows1252(l));
    }
}

#[test]
fn windows_code_pages() {
    assert_eq!(decode_windows1252(b"\x80 caf\xe9"), "€ café");
    // Windows-1258: base letter + combining mark, composed
    assert_eq!(decode_windows1258(b"Nguy\xea\xden"), "Nguyễn");
    assert_eq!(decode_windows1258(b"\xd0\xfd\xf5\xccng"), "Đường");
}

#[test]
fn syllables() {
    let l = &tables().letters;
    for w in [
        "nguyễn", "Thị", "HƯỜNG", "gì", "quốc", "giữa", "khuyên", "đất", "ở",
    ] {
        assert!(is_syllable(w, l), "{w}");
    }
    for w in ["Cafộ", "Mỹller", "ThỊ", "đấtt", "bàt", "ộtộ", "Nguyễnn"] {
        assert!(!is_syllable(w, l), "{w}");
    }
}
