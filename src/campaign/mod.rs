//! The domain: road segments, parcels and their identities; households and
//! the structures on the land ([`structures`]).

use std::cmp::Ordering;

/// The input types are geometry's own (it measures them and depends on
/// nothing above it); the domain names them here too.
pub use crate::geometry::input::{CorridorInput, FeatureId, ParcelInput, SegmentInput};

/// A household living on a parcel, as read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdInput {
    /// The parcel's id, as in the parcels layer.
    pub parcel: FeatureId,
    pub head_name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    /// A household of a cadre or party member (gia đình cán bộ, đảng viên).
    pub is_member_family: bool,
    /// Agreed to be named on a public commendation list (biểu dương);
    /// without it the household is left off the public list (it still
    /// appears on the internal one).
    pub may_be_named: bool,
    /// Free text from the file (personal data: shown to logged-in users only).
    pub note: Option<String>,
}

pub mod clock;
pub mod evaluation;
pub mod events;
pub mod field;
pub mod figures;
pub mod first;
pub mod inspection;
pub mod org;
pub mod plans;
pub mod province;
pub mod responsibility;
pub mod scope;
pub mod structures;
pub mod totals;

/// Orders names as people read them: digit runs by value, so that
/// "Tổ dân phố 2" comes before "Tổ dân phố 10".
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) if p.is_ascii_digit() && q.is_ascii_digit() => {
                let dx = x.iter().take_while(|c| c.is_ascii_digit()).count();
                let dy = y.iter().take_while(|c| c.is_ascii_digit()).count();
                let (nx, ny) = (trim_zeros(&x[..dx]), trim_zeros(&y[..dy]));
                let o = nx.len().cmp(&ny.len()).then_with(|| nx.cmp(ny));
                if o != Ordering::Equal {
                    return o;
                }
                x = &x[dx..];
                y = &y[dy..];
            }
            (Some(p), Some(q)) => {
                if p != q {
                    return p.cmp(q);
                }
                x = &x[1..];
                y = &y[1..];
            }
        }
    }
}

/// The first characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell made safe for spreadsheets (OWASP "CSV injection"): a cell
/// starting with `=`, `+`, `-`, `@`, a tab or a carriage return would be
/// read by Excel or LibreOffice as a formula, so it gets a leading `'`.
/// Every CSV the product writes (exports, reports, the `compute` outputs)
/// passes its text cells through here; numbers it formats itself (a
/// negative coordinate or area) are written as they are, and stay numbers.
pub fn neutralise_cell(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(FORMULA_STARTS) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// A cell read back from a CSV the product wrote: the quote that
/// [`neutralise_cell`] put in front of formula-looking text comes off, so
/// a re-import gets the text as it was.
pub fn restore_cell(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => s,
    }
}

/// Lowercase ASCII letters and digits only, Vietnamese letters folded to
/// their base letter ("Số_Thửa" → "sothua"): for matching names people
/// type with or without diacritics.
pub fn fold(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| {
            let base = match c {
                'à' | 'á' | 'ả' | 'ã' | 'ạ' | 'ă' | 'ằ' | 'ắ' | 'ẳ' | 'ẵ' | 'ặ' | 'â' | 'ầ'
                | 'ấ' | 'ẩ' | 'ẫ' | 'ậ' => 'a',
                'è' | 'é' | 'ẻ' | 'ẽ' | 'ẹ' | 'ê' | 'ề' | 'ế' | 'ể' | 'ễ' | 'ệ' => {
                    'e'
                }
                'ì' | 'í' | 'ỉ' | 'ĩ' | 'ị' => 'i',
                'ò' | 'ó' | 'ỏ' | 'õ' | 'ọ' | 'ô' | 'ồ' | 'ố' | 'ổ' | 'ỗ' | 'ộ' | 'ơ' | 'ờ'
                | 'ớ' | 'ở' | 'ỡ' | 'ợ' => 'o',
                'ù' | 'ú' | 'ủ' | 'ũ' | 'ụ' | 'ư' | 'ừ' | 'ứ' | 'ử' | 'ữ' | 'ự' => {
                    'u'
                }
                'ỳ' | 'ý' | 'ỷ' | 'ỹ' | 'ỵ' => 'y',
                'đ' => 'd',
                c if c.is_ascii_alphanumeric() => c,
                _ => return None,
            };
            Some(base)
        })
        .collect()
}

fn trim_zeros(d: &[u8]) -> &[u8] {
    let k = d.iter().take_while(|&&c| c == b'0').count();
    &d[k..]
}

#[cfg(test)]
mod natural_tests {
    use super::natural_cmp;

    #[test]
    fn residential_groups_sort_by_their_numbers() {
        let mut g = [
            "Tổ dân phố 10",
            "Tổ dân phố 2",
            "Tổ dân phố 1",
            "Khu phố Hải Ninh",
            "Tổ dân phố 02a",
        ];
        g.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            g,
            [
                "Khu phố Hải Ninh",
                "Tổ dân phố 1",
                "Tổ dân phố 2",
                "Tổ dân phố 02a",
                "Tổ dân phố 10"
            ]
        );
    }
}
