//! The features geometry measures, as read from files (WGS84 lon/lat):
//! road segments, parcels, given right-of-way polygons, and the ids that
//! name them. Geometry's own types, so that it depends on nothing of the
//! crate above it; the domain (`campaign`) re-exports them.

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
