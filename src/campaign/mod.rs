//! The domain: road segments, parcels and their identities; households and
//! the structures on the land ([`structures`]).

use std::cmp::Ordering;
use std::fmt;

/// A feature id as the input gave it: a JSON number (kept as written, so it is
/// written back unchanged) or a string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FeatureId {
    Number(String),
    Text(String),
}

impl FeatureId {
    fn numeric(&self) -> Option<f64> {
        match self {
            FeatureId::Number(s) => s.parse().ok(),
            FeatureId::Text(_) => None,
        }
    }

    /// The digits of a non-negative integer id, if it is one.
    fn plain_integer(&self) -> Option<&str> {
        match self {
            FeatureId::Number(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                Some(s)
            }
            _ => None,
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            FeatureId::Number(s) | FeatureId::Text(s) => s,
        }
    }
}

impl From<i64> for FeatureId {
    fn from(n: i64) -> Self {
        FeatureId::Number(n.to_string())
    }
}

impl From<&str> for FeatureId {
    fn from(s: &str) -> Self {
        FeatureId::Text(s.to_string())
    }
}

impl fmt::Display for FeatureId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Numbers first in numeric order, then strings in byte order: what a
/// reader of a sorted CSV expects of `1, 2, 10` or `A-1, A-2`.
impl Ord for FeatureId {
    fn cmp(&self, other: &Self) -> Ordering {
        // JSON integers have no leading zeros: longer means larger.
        if let (Some(a), Some(b)) = (self.plain_integer(), other.plain_integer()) {
            return a.len().cmp(&b.len()).then_with(|| a.cmp(b));
        }
        match (self.numeric(), other.numeric()) {
            (Some(a), Some(b)) => a
                .partial_cmp(&b)
                .unwrap_or(Ordering::Equal)
                .then_with(|| self.as_str().cmp(other.as_str())),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => self.as_str().cmp(other.as_str()),
        }
    }
}

impl PartialOrd for FeatureId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A road segment as read from a file (coordinates WGS84 lon/lat).
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentInput {
    pub id: FeatureId,
    pub name: String,
    pub current_width_m: Option<f64>,
    pub planned_width_m: Option<f64>,
    pub planned_left_m: Option<f64>,
    pub planned_right_m: Option<f64>,
    /// The centerline, `[lon, lat]` (a LineString; MultiLineString parts are kept apart).
    pub lines: Vec<Vec<[f64; 2]>>,
}

/// A land parcel as read from a file (coordinates WGS84 lon/lat).
#[derive(Debug, Clone, PartialEq)]
pub struct ParcelInput {
    pub id: FeatureId,
    pub map_sheet: Option<String>,
    pub parcel_no: Option<String>,
    pub owner: Option<String>,
    pub residential_group: Option<String>,
    pub land_use: Option<String>,
    /// Polygons, each a list of rings (exterior first), each ring `[lon, lat]` points.
    pub polygons: Vec<Vec<Vec<[f64; 2]>>>,
}

/// A planned right-of-way polygon given for a segment.
#[derive(Debug, Clone, PartialEq)]
pub struct CorridorInput {
    /// The feature's own id, when it has one (for error messages).
    pub feature_id: Option<FeatureId>,
    pub segment_id: FeatureId,
    pub polygons: Vec<Vec<Vec<[f64; 2]>>>,
}

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
pub mod events;
pub mod figures;
pub mod org;
pub mod structures;
pub mod totals;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_numbers_numerically_before_text() {
        let mut ids = [
            FeatureId::from("A-2"),
            FeatureId::Number("10".into()),
            FeatureId::Number("9".into()),
            FeatureId::Number("-1".into()),
            FeatureId::Number("2.5".into()),
            FeatureId::from("A-10"),
            FeatureId::from("10"),
        ];
        ids.sort();
        let got: Vec<&str> = ids.iter().map(FeatureId::as_str).collect();
        assert_eq!(got, ["-1", "2.5", "9", "10", "10", "A-10", "A-2"]);
        assert!(matches!(ids[3], FeatureId::Number(_)) && matches!(ids[4], FeatureId::Text(_)));
    }
}

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
