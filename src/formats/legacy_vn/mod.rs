//! Pre-Unicode Vietnamese 8-bit encodings → Unicode: TCVN3 ("ABC", TCVN
//! 5712:1993, fonts `.VnTime`) and VNI-Windows (fonts `VNI-Times`), the
//! encodings of land-office .dbf files from the MicroStation/Famis era; plus
//! Windows-1252 and Windows-1258, the other single-byte code pages a .cpg
//! may name.
//!
//! - **TCVN3** is one byte per letter, precomposed. The ABC fonts (the VN3
//!   subset of the standard) have lower-case toned letters and the
//!   upper-case *untoned* Ă Â Ê Ô Ơ Ư Đ only; upper-case toned letters were
//!   typed with the lower-case byte in a `.VnTimeH` font, which draws
//!   capitals. [`decode`] reads the full standard (VN1: the upper-case toned
//!   letters at 0x01–0x17 and 0x80–0xFF, the combining marks 0xB0–0xB4), and
//!   upper-cases a lower-case letter of a word whose other letters are all
//!   capitals (`LîI` → `LỢI`; a word with fewer than two other letters
//!   follows the rest of the text: `Hµ NéI` → `HÀ NỘI`). What it
//!   cannot recover: a capital written with the lower-case byte among
//!   lower-case letters (`ấp` for `Ấp`), and all-capital text typed wholly
//!   with lower-case bytes, which decodes lower-case.
//!   [`encode`] writes upper-case toned letters at their VN1 positions, so
//!   every letter round-trips.
//! - **VNI** is a base letter followed by a mark byte (`a` + `ù` = `á`,
//!   `a` + `á` = `ấ`); `i` toned, `ỵ`, `ơ`, `ư`, `đ` are single bytes.
//!   Other bytes read as Windows-1252.
//!
//! Output is NFC (precomposed). [`detect`] guesses the encoding of a
//! table's text by decoding it both ways and counting well-formed
//! Vietnamese syllables (initial, vowel group, final, tone rules); it
//! never claims ASCII or UTF-8, and is built not to claim Windows-1252
//! Latin text (French, German: tested).
//!
//! Left out: VISCII, VPS, BK HCM and the Unicode-font "VNI for Mac" layouts,
//! and VIQR (ASCII transliteration).

use std::collections::HashMap;
use std::sync::OnceLock;

/// A legacy Vietnamese 8-bit encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Legacy {
    Tcvn3,
    Vni,
}

#[cfg(test)]
mod tests;

impl Legacy {
    pub fn name(self) -> &'static str {
        match self {
            Legacy::Tcvn3 => "TCVN3",
            Legacy::Vni => "VNI",
        }
    }
}

// ---------------------------------------------------------------------------
// Letters

/// The 12 Vietnamese vowels, each toneless then grave, hook, tilde, acute,
/// dot below (the TCVN3 and VNI tone order).
const VOWELS: [[&str; 12]; 2] = [
    [
        "aàảãáạ",
        "ăằẳẵắặ",
        "âầẩẫấậ",
        "eèẻẽéẹ",
        "êềểễếệ",
        "iìỉĩíị",
        "oòỏõóọ",
        "ôồổỗốộ",
        "ơờởỡớợ",
        "uùủũúụ",
        "ưừửữứự",
        "yỳỷỹýỵ",
    ],
    [
        "AÀẢÃÁẠ",
        "ĂẰẲẴẮẶ",
        "ÂẦẨẪẤẬ",
        "EÈẺẼÉẸ",
        "ÊỀỂỄẾỆ",
        "IÌỈĨÍỊ",
        "OÒỎÕÓỌ",
        "ÔỒỔỖỐỘ",
        "ƠỜỞỠỚỢ",
        "UÙỦŨÚỤ",
        "ƯỪỬỮỨỰ",
        "YỲỶỸÝỴ",
    ],
];
const A: usize = 0;
const A_BREVE: usize = 1;
const A_CIRC: usize = 2;
const E: usize = 3;
const E_CIRC: usize = 4;
const I: usize = 5;
const O: usize = 6;
const O_CIRC: usize = 7;
const O_HORN: usize = 8;
const U: usize = 9;
const U_HORN: usize = 10;
const Y: usize = 11;
/// Pseudo-vowel index for đ/Đ in [`Letter`].
const D_STROKE: usize = 12;
const BASE_CHARS: [char; 13] = [
    'a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y', 'đ',
];

/// A Vietnamese letter beyond ASCII (or a plain vowel): which vowel
/// (or [`D_STROKE`]), which tone, which case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Letter {
    vowel: usize,
    tone: usize,
    upper: bool,
}

struct Tables {
    grid: [[[char; 6]; 12]; 2],
    letters: HashMap<char, Letter>,
    tcvn3_decode: [char; 256],
    tcvn3_encode: HashMap<char, u8>,
}

/// TCVN3 bytes, `[vowel][tone]`, lower case (VN3, the ABC fonts).
const TCVN3_LOWER: [[u8; 6]; 12] = [
    [b'a', 0xB5, 0xB6, 0xB7, 0xB8, 0xB9],
    [0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6],
    [0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB],
    [b'e', 0xCC, 0xCE, 0xCF, 0xD0, 0xD1],
    [0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6],
    [b'i', 0xD7, 0xD8, 0xDC, 0xDD, 0xDE],
    [b'o', 0xDF, 0xE1, 0xE2, 0xE3, 0xE4],
    [0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9],
    [0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE],
    [b'u', 0xEF, 0xF1, 0xF2, 0xF3, 0xF4],
    [0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9],
    [b'y', 0xFA, 0xFB, 0xFC, 0xFD, 0xFE],
];
/// Upper case: untoned from VN3, toned from VN1 (the full standard).
const TCVN3_UPPER: [[u8; 6]; 12] = [
    [b'A', 0x80, 0x81, 0x82, 0x83, 0x84],
    [0xA1, 0xAF, 0xBA, 0xBF, 0xC0, 0x85],
    [0xA2, 0xC1, 0xC2, 0xC3, 0xC4, 0x86],
    [b'E', 0x87, 0x88, 0x89, 0x8A, 0x8B],
    [0xA3, 0xC5, 0xCD, 0xD9, 0xDA, 0x8C],
    [b'I', 0x8D, 0x8E, 0x8F, 0x90, 0x91],
    [b'O', 0x92, 0x93, 0x94, 0x95, 0x96],
    [0xA4, 0xDB, 0xE0, 0xF0, 0xFF, 0x97],
    [0xA5, 0x98, 0x99, 0x9A, 0x9B, 0x9C],
    [b'U', 0x9D, 0x9E, 0x9F, 0x01, 0x02],
    [0xA6, 0x04, 0x05, 0x06, 0x11, 0x12],
    [b'Y', 0x13, 0x14, 0x15, 0x16, 0x17],
];
const TCVN3_D: [u8; 2] = [0xAE, 0xA7];
/// TCVN3 0xB0..=0xB4: combining grave, hook, tilde, acute, dot below.
const COMBINING: [char; 5] = ['\u{300}', '\u{309}', '\u{303}', '\u{301}', '\u{323}'];

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let mut grid = [[['\0'; 6]; 12]; 2];
        let mut letters = HashMap::new();
        for (case, row) in VOWELS.iter().enumerate() {
            for (v, s) in row.iter().enumerate() {
                for (t, c) in s.chars().enumerate() {
                    grid[case][v][t] = c;
                    let upper = case == 1;
                    letters.insert(
                        c,
                        Letter {
                            vowel: v,
                            tone: t,
                            upper,
                        },
                    );
                }
            }
        }
        for (c, upper) in [('đ', false), ('Đ', true)] {
            letters.insert(
                c,
                Letter {
                    vowel: D_STROKE,
                    tone: 0,
                    upper,
                },
            );
        }
        let mut tcvn3_decode = ['\0'; 256];
        for (b, slot) in tcvn3_decode.iter_mut().enumerate().take(0x80) {
            *slot = char::from(b as u8);
        }
        tcvn3_decode[0xA0] = '\u{A0}';
        let mut tcvn3_encode = HashMap::new();
        for (case, codes) in [TCVN3_LOWER, TCVN3_UPPER].iter().enumerate() {
            for v in 0..12 {
                for t in 0..6 {
                    let (b, c) = (codes[v][t], grid[case][v][t]);
                    tcvn3_decode[usize::from(b)] = c;
                    tcvn3_encode.insert(c, b);
                }
            }
            let d = if case == 0 { 'đ' } else { 'Đ' };
            tcvn3_decode[usize::from(TCVN3_D[case])] = d;
            tcvn3_encode.insert(d, TCVN3_D[case]);
        }
        for (i, c) in COMBINING.iter().enumerate() {
            tcvn3_decode[0xB0 + i] = *c;
        }
        Tables {
            grid,
            letters,
            tcvn3_decode,
            tcvn3_encode,
        }
    })
}

fn tone_of_combining(c: char) -> Option<usize> {
    COMBINING.iter().position(|&m| m == c).map(|i| i + 1)
}

/// Appends `c`, composing a combining tone mark with a toneless vowel
/// before it (NFC for the Vietnamese letters).
fn push_composed(out: &mut String, c: char) {
    if let Some(tone) = tone_of_combining(c)
        && let Some(prev) = out.chars().next_back()
        && let Some(l) = tables().letters.get(&prev)
        && l.vowel < 12
        && l.tone == 0
    {
        out.pop();
        out.push(tables().grid[usize::from(l.upper)][l.vowel][tone]);
        return;
    }
    out.push(c);
}

// ---------------------------------------------------------------------------
// Windows code pages

/// Windows-1252 0x80..=0x9F (others are Latin-1); undefined bytes map to
/// the C1 control of the same value, as Windows does.
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

fn cp1252_char(b: u8) -> char {
    match b {
        0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// Decodes Windows-1252 (a superset of the printable Latin-1).
pub fn decode_windows1252(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| cp1252_char(b)).collect()
}

/// Decodes Windows-1258 (Vietnamese Windows: base letters plus combining
/// tone marks) into NFC.
pub fn decode_windows1258(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 2);
    for &b in bytes {
        let c = match b {
            0x8A | 0x8E | 0x9A | 0x9E => char::from(b),
            0xC3 => 'Ă',
            0xCC => '\u{300}',
            0xD0 => 'Đ',
            0xD2 => '\u{309}',
            0xD5 => 'Ơ',
            0xDD => 'Ư',
            0xDE => '\u{303}',
            0xE3 => 'ă',
            0xEC => '\u{301}',
            0xF0 => 'đ',
            0xF2 => '\u{323}',
            0xF5 => 'ơ',
            0xFD => 'ư',
            0xFE => '₫',
            _ => cp1252_char(b),
        };
        push_composed(&mut out, c);
    }
    out
}

// ---------------------------------------------------------------------------
// VNI

/// VNI mark bytes by tone, lower then upper case: a tone alone (after a e
/// o u y ơ ư), circumflex + tone (after a e o), breve + tone (after a).
const VNI_TONE: [[u8; 6]; 2] = [
    [0, 0xF8, 0xFB, 0xF5, 0xF9, 0xEF],
    [0, 0xD8, 0xDB, 0xD5, 0xD9, 0xCF],
];
const VNI_CIRC: [[u8; 6]; 2] = [
    [0xE2, 0xE0, 0xE5, 0xE3, 0xE1, 0xE4],
    [0xC2, 0xC0, 0xC5, 0xC3, 0xC1, 0xC4],
];
const VNI_BREVE: [[u8; 6]; 2] = [
    [0xEA, 0xE8, 0xFA, 0xFC, 0xE9, 0xEB],
    [0xCA, 0xC8, 0xDA, 0xDC, 0xC9, 0xCB],
];
/// Single-byte letters: i with its tones, then ỵ ơ ư đ.
const VNI_I: [[u8; 6]; 2] = [
    [b'i', 0xEC, 0xE6, 0xF3, 0xED, 0xF2],
    [b'I', 0xCC, 0xC6, 0xD3, 0xCD, 0xD2],
];
const VNI_Y_DOT: [u8; 2] = [0xEE, 0xCE];
const VNI_O_HORN: [u8; 2] = [0xF4, 0xD4];
const VNI_U_HORN: [u8; 2] = [0xF6, 0xD6];
const VNI_D: [u8; 2] = [0xF1, 0xD1];

#[derive(Clone, Copy)]
enum Mark {
    Tone(usize),
    Circ(usize),
    Breve(usize),
}

struct VniTables {
    marks: [Option<Mark>; 256],
    singles: [Option<char>; 256],
}

fn vni_tables() -> &'static VniTables {
    static T: OnceLock<VniTables> = OnceLock::new();
    T.get_or_init(|| {
        let g = &tables().grid;
        let mut marks = [None; 256];
        let mut singles = [None; 256];
        for case in 0..2 {
            for t in 0..6 {
                if t > 0 {
                    marks[usize::from(VNI_TONE[case][t])] = Some(Mark::Tone(t));
                }
                marks[usize::from(VNI_CIRC[case][t])] = Some(Mark::Circ(t));
                marks[usize::from(VNI_BREVE[case][t])] = Some(Mark::Breve(t));
                if t > 0 {
                    singles[usize::from(VNI_I[case][t])] = Some(g[case][I][t]);
                }
            }
            singles[usize::from(VNI_Y_DOT[case])] = Some(g[case][Y][5]);
            singles[usize::from(VNI_O_HORN[case])] = Some(g[case][O_HORN][0]);
            singles[usize::from(VNI_U_HORN[case])] = Some(g[case][U_HORN][0]);
            singles[usize::from(VNI_D[case])] = Some(if case == 0 { 'đ' } else { 'Đ' });
        }
        VniTables { marks, singles }
    })
}

/// The vowel a VNI base byte stands for (before any mark), and its case.
fn vni_base(b: u8) -> Option<(usize, bool)> {
    let upper = b.is_ascii_uppercase() || b == VNI_O_HORN[1] || b == VNI_U_HORN[1];
    let v = match b.to_ascii_lowercase() {
        b'a' => A,
        b'e' => E,
        b'o' => O,
        b'u' => U,
        b'y' => Y,
        _ if b == VNI_O_HORN[0] || b == VNI_O_HORN[1] => O_HORN,
        _ if b == VNI_U_HORN[0] || b == VNI_U_HORN[1] => U_HORN,
        _ => return None,
    };
    Some((v, upper))
}

fn decode_vni(bytes: &[u8]) -> String {
    let (g, vt) = (&tables().grid, vni_tables());
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 2);
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if let Some((v, upper)) = vni_base(b) {
            let case = usize::from(upper);
            let combined = bytes
                .get(i + 1)
                .and_then(|&m| vt.marks[usize::from(m)])
                .and_then(|m| match (v, m) {
                    (A | E | O | U | Y | O_HORN | U_HORN, Mark::Tone(t)) => Some(g[case][v][t]),
                    (A, Mark::Circ(t)) => Some(g[case][A_CIRC][t]),
                    (E, Mark::Circ(t)) => Some(g[case][E_CIRC][t]),
                    (O, Mark::Circ(t)) => Some(g[case][O_CIRC][t]),
                    (A, Mark::Breve(t)) => Some(g[case][A_BREVE][t]),
                    _ => None,
                });
            match combined {
                Some(c) => {
                    out.push(c);
                    i += 2;
                }
                None => {
                    out.push(g[case][v][0]);
                    i += 1;
                }
            }
            continue;
        }
        out.push(vt.singles[usize::from(b)].unwrap_or_else(|| cp1252_char(b)));
        i += 1;
    }
    out
}

fn encode_vni(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c as u8);
            continue;
        }
        let l = *tables().letters.get(&c)?;
        let case = usize::from(l.upper);
        let base = |ch: u8| if l.upper { ch.to_ascii_uppercase() } else { ch };
        let tone = |out: &mut Vec<u8>| {
            if l.tone > 0 {
                out.push(VNI_TONE[case][l.tone]);
            }
        };
        match l.vowel {
            D_STROKE => out.push(VNI_D[case]),
            I => out.push(VNI_I[case][l.tone]),
            Y if l.tone == 5 => out.push(VNI_Y_DOT[case]),
            O_HORN => {
                out.push(VNI_O_HORN[case]);
                tone(&mut out);
            }
            U_HORN => {
                out.push(VNI_U_HORN[case]);
                tone(&mut out);
            }
            A_BREVE => out.extend([base(b'a'), VNI_BREVE[case][l.tone]]),
            A_CIRC => out.extend([base(b'a'), VNI_CIRC[case][l.tone]]),
            E_CIRC => out.extend([base(b'e'), VNI_CIRC[case][l.tone]]),
            O_CIRC => out.extend([base(b'o'), VNI_CIRC[case][l.tone]]),
            v => {
                out.push(base(BASE_CHARS[v] as u8));
                tone(&mut out);
            }
        }
    }
    Some(out)
}

// ---------------------------------------------------------------------------
// TCVN3

fn decode_tcvn3(bytes: &[u8]) -> String {
    let t = tables();
    // each char, and whether it is a lower-case letter from a high byte:
    // the ones a .VnTimeH font would have drawn as capitals
    let mut chars: Vec<(char, bool)> = Vec::with_capacity(bytes.len());
    for &b in bytes {
        let c = t.tcvn3_decode[usize::from(b)];
        if let Some(tone) = tone_of_combining(c)
            && let Some((prev, _)) = chars.last_mut()
            && let Some(l) = t.letters.get(prev)
            && l.vowel < 12
            && l.tone == 0
        {
            *prev = t.grid[usize::from(l.upper)][l.vowel][tone];
            continue;
        }
        chars.push((c, b >= 0x80 && c.is_lowercase()));
    }
    if chars.iter().any(|&(_, amb)| amb) {
        recover_capitals(&mut chars);
    }
    chars.into_iter().map(|(c, _)| c).collect()
}

/// Upper-cases the ambiguous letters of a word whose other letters are
/// all capitals (at least two of them), or, for a word with fewer, of a
/// text whose other letters all are.
fn recover_capitals(chars: &mut [(char, bool)]) {
    // (capitals, letters) among the unambiguous letters
    let count = |cs: &[(char, bool)]| {
        cs.iter()
            .filter(|(c, amb)| !amb && c.is_alphabetic())
            .fold((0usize, 0usize), |(u, n), (c, _)| {
                (u + usize::from(c.is_uppercase()), n + 1)
            })
    };
    let (tu, tn) = count(chars);
    let text_caps = tn >= 2 && tu == tn;
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        while chars.get(i).is_some_and(|(c, _)| c.is_alphabetic()) {
            i += 1;
        }
        if i == start {
            i += 1;
            continue;
        }
        let word = &mut chars[start..i];
        let (u, n) = count(word);
        if (n >= 2 && u == n) || (n < 2 && text_caps) {
            for (c, amb) in word.iter_mut() {
                if *amb {
                    *c = c.to_uppercase().next().unwrap_or(*c);
                }
            }
        }
    }
}

fn encode_tcvn3(text: &str) -> Option<Vec<u8>> {
    let t = tables();
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        let b = match t.tcvn3_encode.get(&c) {
            Some(&b) => b,
            // ASCII, except the control bytes VN1 gives to capitals
            None if c.is_ascii() && t.tcvn3_decode[c as usize] == c => c as u8,
            None => return None,
        };
        out.push(b);
    }
    Some(out)
}

// ---------------------------------------------------------------------------
// Public API

/// Decodes legacy bytes to NFC Unicode. Never fails: bytes without a
/// meaning in the encoding are read as Windows-1252.
pub fn decode(bytes: &[u8], enc: Legacy) -> String {
    if bytes.iter().all(|b| (0x20..0x80).contains(b)) {
        // both keep printable ASCII as is (VNI marks are all high bytes;
        // TCVN3 gives only some control bytes to capitals)
        return bytes.iter().map(|&b| char::from(b)).collect();
    }
    match enc {
        Legacy::Tcvn3 => decode_tcvn3(bytes),
        Legacy::Vni => decode_vni(bytes),
    }
}

/// Encodes NFC text; `None` when a character has no code in the encoding.
pub fn encode(text: &str, enc: Legacy) -> Option<Vec<u8>> {
    match enc {
        Legacy::Tcvn3 => encode_tcvn3(text),
        Legacy::Vni => encode_vni(text),
    }
}

/// Guesses the legacy encoding of a table's text values. `None` when the
/// bytes are plain ASCII, valid UTF-8, or neither encoding reads them as
/// Vietnamese (e.g. Windows-1252 French or German).
pub fn detect(samples: &[&[u8]]) -> Option<Legacy> {
    let high: Vec<&[u8]> = samples.iter().copied().filter(|s| !s.is_ascii()).collect();
    if high.is_empty() || high.iter().all(|s| std::str::from_utf8(s).is_ok()) {
        return None;
    }
    let score = |enc| {
        let mut s = Score::default();
        for bytes in &high {
            s.add(&decode(bytes, enc));
        }
        s
    };
    let (t, v) = (score(Legacy::Tcvn3), score(Legacy::Vni));
    match (t.plausible(), v.plausible()) {
        (true, false) => Some(Legacy::Tcvn3),
        (false, true) => Some(Legacy::Vni),
        (true, true) if t.value() > v.value() => Some(Legacy::Tcvn3),
        (true, true) if v.value() > t.value() => Some(Legacy::Vni),
        _ => None,
    }
}

/// How Vietnamese a decoded text looks.
#[derive(Debug, Default)]
struct Score {
    /// Words (runs of letters) and how many are well-formed syllables.
    words: usize,
    valid: usize,
    /// The same for words holding a non-ASCII letter.
    high_words: usize,
    high_valid: usize,
    /// Non-ASCII characters, and those that are not Vietnamese letters
    /// (symbols, controls: what a wrong decoding produces).
    high_chars: usize,
    odd: usize,
}

impl Score {
    fn add(&mut self, text: &str) {
        let letters = &tables().letters;
        let mut word = String::new();
        let flush = |w: &mut String, s: &mut Score| {
            if w.is_empty() {
                return;
            }
            let high = !w.is_ascii();
            let ok = is_syllable(w, letters);
            s.words += 1;
            s.valid += usize::from(ok);
            if high {
                s.high_words += 1;
                s.high_valid += usize::from(ok);
            }
            w.clear();
        };
        for c in text.chars() {
            let viet = c.is_ascii_alphabetic() || letters.contains_key(&c);
            if !c.is_ascii() {
                self.high_chars += 1;
                self.odd += usize::from(!viet);
            } else if c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r') {
                self.odd += 1;
            }
            if c.is_alphabetic() {
                word.push(c);
            } else {
                flush(&mut word, self);
            }
        }
        flush(&mut word, self);
    }

    fn plausible(&self) -> bool {
        self.high_words > 0
            && self.high_valid * 10 >= self.high_words * 7
            && self.valid * 2 >= self.words
            && self.odd * 10 <= self.high_chars
    }

    fn value(&self) -> i64 {
        self.high_valid as i64 * 2
            - (self.high_words - self.high_valid) as i64
            - 3 * self.odd as i64
    }
}

/// Vowel groups of a syllable (after its initial consonant; `qu` and `gi`
/// keep their u and i), toneless.
const NUCLEI: &[&str] = &[
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ai", "ao", "au", "ay", "âu", "ây",
    "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe", "oi", "oo", "ôi", "ôô", "ơi", "ua", "uâ", "uê",
    "ui", "uô", "uơ", "uy", "ưa", "ưi", "ươ", "ưu", "yê", "iêu", "oai", "oao", "oay", "oeo", "uây",
    "uôi", "uya", "uyê", "uyu", "ươi", "ươu", "yêu",
];
const INITIALS: &[&str] = &[
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "đ", "g",
    "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
];
const FINALS: &[&str] = &["", "c", "ch", "m", "n", "ng", "nh", "p", "t"];

/// Whether a word is one well-formed Vietnamese syllable: consistent case,
/// initial + vowel group + final from the tables, at most one tone, and
/// only the acute or dot tone before c, ch, p, t. An ASCII word is checked
/// with its vowels' diacritics ignored (Vietnamese written without them).
fn is_syllable(word: &str, letters: &HashMap<char, Letter>) -> bool {
    let mut base = String::with_capacity(word.len());
    let mut tones = 0;
    let mut tone = 0;
    let mut uppers = Vec::with_capacity(8);
    for c in word.chars() {
        if let Some(l) = letters.get(&c) {
            base.push(BASE_CHARS[l.vowel]);
            if l.tone > 0 {
                tones += 1;
                tone = l.tone;
            }
            uppers.push(l.upper);
        } else if c.is_ascii_alphabetic() {
            base.push(c.to_ascii_lowercase());
            uppers.push(c.is_ascii_uppercase());
        } else {
            return false;
        }
    }
    let n_up = uppers.iter().filter(|&&u| u).count();
    let case_ok = n_up == 0 || n_up == uppers.len() || (n_up == 1 && uppers[0]);
    if !case_ok || tones > 1 || base.len() > 12 {
        return false;
    }
    let relaxed = word.is_ascii();
    let strip = |s: &str| -> String {
        s.chars()
            .map(|c| match c {
                'ă' | 'â' => 'a',
                'ê' => 'e',
                'ô' | 'ơ' => 'o',
                'ư' => 'u',
                'đ' => 'd',
                c => c,
            })
            .collect()
    };
    let is_vowel = |c: char| "aăâeêioôơuưy".contains(c);
    let mut candidates: Vec<&str> = INITIALS
        .iter()
        .copied()
        .filter(|i| base.starts_with(i))
        .collect();
    candidates.push("");
    // longest initial first; "gi"/"qu" fall back to "g" when nothing follows
    candidates.iter().any(|init| {
        let rest = &base[init.len()..];
        let nuc_len: usize = rest
            .chars()
            .take_while(|&c| is_vowel(c))
            .map(char::len_utf8)
            .sum();
        if nuc_len == 0 {
            return false;
        }
        if init.is_empty() && base.starts_with(|c: char| !is_vowel(c)) {
            return false;
        }
        let (nuc, fin) = rest.split_at(nuc_len);
        let nuc_ok = if relaxed {
            NUCLEI.iter().any(|n| strip(n) == nuc)
        } else {
            NUCLEI.contains(&nuc)
        };
        let stop = matches!(fin, "c" | "ch" | "p" | "t");
        nuc_ok && FINALS.contains(&fin) && (!stop || tones == 0 && relaxed || matches!(tone, 4 | 5))
    })
}
