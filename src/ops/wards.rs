//! Which ward a command works on (`--ward CODE|NAME`), with the meaning
//! `--ward` had before a database held several wards (it named the one
//! ward) kept where it is safe (issue 18, item 2):
//!
//! - `--ward` names a ward by its code, or its name compared without case,
//!   diacritics or a leading "Phường"/"Xã"/"Thị trấn";
//! - without `--ward`, the only ward; on a database of several, `report`
//!   and `export` refuse, listing the wards;
//! - `report --ward X` naming no ward, on a one-ward database: the print's
//!   name, as before (a read: safe), with a note to use `--ward-name`.
//!
//! `import` has its own rules, where it writes
//! ([`crate::ops::import::select_ward`]).

use crate::campaign::fold;
use crate::store::WardRow;


/// What the command does with the ward it works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// `report`: reads it and prints its name.
    Report,
    /// `export`: reads it.
    Read,
    /// `serve`, `user add`: none means the province.
    Optional,
}

/// The ward chosen, and what `--ward` said beside choosing it.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// None: the province (only for [`Use::Optional`]).
    pub ward: Option<WardRow>,
    /// `report --ward X` naming no ward of a one-ward database: the
    /// print's name.
    pub print_name: Option<String>,
    /// Said on stderr.
    pub note: Option<String>,
}

/// A name or code folded for comparison ("Phường Ngọc Sơn", "ngoc-son",
/// "NGỌC SƠN" → "ngocson").
/// (As [`crate::store::Store::use_ward_named`] compares them.)
fn key(s: &str) -> String {
    let f = fold(s);
    ["phuong", "thitran", "xa"]
        .iter()
        .find_map(|p| f.strip_prefix(p).filter(|rest| !rest.is_empty()))
        .map_or(f.clone(), str::to_string)
}

/// The ward `given` names: its code exactly, else its name folded.
pub fn find<'a>(wards: &'a [WardRow], given: &str) -> Option<&'a WardRow> {
    let g = given.trim();
    wards.iter().find(|w| w.code == g).or_else(|| {
        let k = key(g);
        (!k.is_empty())
            .then(|| wards.iter().find(|w| key(&w.name) == k || fold(&w.code) == k))
            .flatten()
    })
}

/// The wards, one a line: "code — name" (for errors that list them).
pub fn listing(wards: &[WardRow]) -> String {
    wards
        .iter()
        .map(|w| format!("  {} — {}", w.code, w.name))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The ward a command works on (see the module's text).
pub fn choose(wards: &[WardRow], given: Option<&str>, usage: Use) -> Result<Choice, String> {
    let choice = |w: &WardRow| Choice {
        ward: Some(w.clone()),
        print_name: None,
        note: None,
    };
    let given = given.map(str::trim).filter(|g| !g.is_empty());
    let Some(g) = given else {
        return match (wards, usage) {
            ([only], _) => Ok(choice(only)),
            (_, Use::Optional) => Ok(Choice {
                ward: None,
                        print_name: None,
                note: None,
            }),
            _ => Err(format!(
                "--ward: cơ sở dữ liệu có {n} phường/xã, hãy chọn một / the database holds {n} wards, choose one:\n{}",
                listing(wards),
                n = wards.len()
            )),
        };
    };
    if let Some(w) = find(wards, g) {
        return Ok(choice(w));
    }
    match (wards, usage) {
        ([only], Use::Report) => Ok(Choice {
            print_name: Some(g.to_string()),
            note: Some(format!(
                "--ward {g}: không có phường/xã này, dùng làm tên trên bản in; hãy dùng --ward-name / no such ward: used as this print's name; use --ward-name"
            )),
            ..choice(only)
        }),
        _ => Err(format!(
            "--ward {g}: không có phường/xã này / no such ward; the wards:\n{}",
            listing(wards)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{WardId, WardKind};

    fn ward(id: i64, code: &str, name: &str) -> WardRow {
        WardRow {
            id: WardId(id),
            code: code.into(),
            name: name.into(),
            kind: WardKind::Phuong,
            town: None,
            bounds: None,
        }
    }

    #[test]
    fn a_ward_is_named_by_its_code_or_its_name_without_case_marks_or_level() {
        let w = [ward(1, "ngoc-son", "Ngọc Sơn"), ward(2, "qt", "Quảng Tâm")];
        for given in ["ngoc-son", "Ngọc Sơn", "phường ngoc son", "NGOC SON"] {
            assert_eq!(find(&w, given).map(|w| w.id), Some(WardId(1)), "{given}");
        }
        assert_eq!(find(&w, "Xã Quảng Tâm").map(|w| w.id), Some(WardId(2)));
        assert_eq!(find(&w, "xa quang tam").map(|w| w.id), Some(WardId(2)));
        assert_eq!(find(&w, "Hàm Rồng"), None);
    }

    #[test]
    fn several_wards_need_a_ward_and_one_ward_keeps_the_old_meanings() {
        let two = [ward(1, "a", "An"), ward(2, "b", "Bình")];
        let err = choose(&two, None, Use::Report).unwrap_err();
        assert!(err.contains("--ward") && err.contains("a — An") && err.contains("b — Bình"), "{err}");
        assert!(choose(&two, None, Use::Read).is_err());
        assert_eq!(choose(&two, None, Use::Optional).unwrap().ward, None);
        assert!(choose(&two, Some("c"), Use::Report).is_err());
        // one ward: another name is refused for an export...
        let named = [ward(1, "ham-rong", "Hàm Rồng")];
        let err = choose(&named, Some("Đông Hương"), Use::Read).unwrap_err();
        assert!(err.contains("Đông Hương") && err.contains("ham-rong"), "{err}");
        // ...and names one print of a report
        let c = choose(&named, Some("Đông Hương"), Use::Report).unwrap();
        assert_eq!(c.print_name.as_deref(), Some("Đông Hương"));
        assert!(c.note.unwrap().contains("--ward-name"));
        // the ward itself, by name
        let c = choose(&named, Some("Hàm Rồng"), Use::Report).unwrap();
        assert_eq!((c.ward.map(|w| w.id), c.print_name), (Some(WardId(1)), None));
    }
}
