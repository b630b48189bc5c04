//! Totals per segment and per residential group: the numbers the committee reads.

use crate::geometry::donation::Donation;
use std::collections::{BTreeMap, HashMap};

/// Donation totals of one segment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SegmentTotal {
    pub length_m: f64,
    pub corridor_area_m2: f64,
    pub parcels_affected: usize,
    pub donated_area_m2: f64,
    pub frontage_m: f64,
    /// Donated area ÷ frontage over the whole segment.
    pub depth_mean_m: f64,
    pub depth_max_m: f64,
}

/// Donation totals of one residential group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupTotal {
    pub parcels: usize,
    pub parcels_affected: usize,
    pub segments: usize,
    pub donated_area_m2: f64,
    pub frontage_m: f64,
    pub depth_mean_m: f64,
    pub depth_max_m: f64,
}

fn mean_depth(area: f64, frontage: f64) -> f64 {
    if frontage > 1e-9 {
        area / frontage
    } else {
        0.0
    }
}

/// Sums pairs per segment. A parcel is affected when it has a pair with the segment.
pub fn segment_totals(
    pairs: &[Donation],
    lengths: &[f64],
    corridor_areas: &[f64],
) -> Vec<SegmentTotal> {
    let mut t: Vec<SegmentTotal> = lengths
        .iter()
        .zip(corridor_areas)
        .map(|(&length_m, &corridor_area_m2)| SegmentTotal {
            length_m,
            corridor_area_m2,
            ..Default::default()
        })
        .collect();
    for d in pairs {
        let s = &mut t[d.segment as usize];
        s.parcels_affected += 1;
        s.donated_area_m2 += d.attributed_area_m2;
        s.frontage_m += d.frontage_m;
        s.depth_max_m = s.depth_max_m.max(d.depth_max_m);
    }
    for s in &mut t {
        s.depth_mean_m = mean_depth(s.donated_area_m2, s.frontage_m);
    }
    t
}

/// Sums pairs per residential group (`group_of[parcel]`, `None` for parcels without one,
/// which are gathered under the empty name).
pub fn group_totals(pairs: &[Donation], group_of: &[Option<&str>]) -> BTreeMap<String, GroupTotal> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut slot_of: Vec<usize> = Vec::with_capacity(group_of.len());
    // Parcels of a group usually come together: skip the hash for a repeat.
    let mut last: Option<(&str, usize)> = None;
    for g in group_of {
        let name = g.unwrap_or("");
        let k = match last {
            Some((l, k)) if l == name => k,
            _ => {
                let n = index.len();
                *index.entry(name).or_insert(n)
            }
        };
        last = Some((name, k));
        slot_of.push(k);
    }
    let mut t = vec![GroupTotal::default(); index.len()];
    for &k in &slot_of {
        t[k].parcels += 1;
    }
    let mut segs: Vec<Vec<u32>> = vec![Vec::new(); index.len()];
    let mut last_parcel = None;
    for d in pairs {
        let k = slot_of[d.parcel as usize];
        let g = &mut t[k];
        if last_parcel != Some(d.parcel) {
            g.parcels_affected += 1;
            last_parcel = Some(d.parcel);
        }
        g.donated_area_m2 += d.attributed_area_m2;
        g.frontage_m += d.frontage_m;
        g.depth_max_m = g.depth_max_m.max(d.depth_max_m);
        segs[k].push(d.segment);
    }
    for (g, mut s) in t.iter_mut().zip(segs) {
        s.sort_unstable();
        s.dedup();
        g.segments = s.len();
        g.depth_mean_m = mean_depth(g.donated_area_m2, g.frontage_m);
    }
    index
        .into_iter()
        .map(|(name, k)| (name.to_string(), t[k].clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(parcel: u32, segment: u32, area: f64, frontage: f64, depth: f64) -> Donation {
        Donation {
            parcel,
            segment,
            area_in_corridor_m2: area,
            attributed_area_m2: area,
            frontage_m: frontage,
            depth_mean_m: area / frontage,
            depth_max_m: depth,
        }
    }

    #[test]
    fn segment_totals_sum_their_pairs_and_take_the_deepest() {
        let pairs = [
            pair(0, 0, 10.0, 5.0, 2.5),
            pair(1, 0, 6.0, 4.0, 1.5),
            pair(1, 1, 3.0, 3.0, 1.0),
        ];
        let t = segment_totals(&pairs, &[100.0, 50.0], &[1000.0, 400.0]);
        assert_eq!(t[0].parcels_affected, 2);
        assert!((t[0].donated_area_m2 - 16.0).abs() < 1e-12);
        assert!((t[0].depth_mean_m - 16.0 / 9.0).abs() < 1e-12);
        assert_eq!(t[0].depth_max_m, 2.5);
        assert_eq!(t[1].corridor_area_m2, 400.0);
    }

    #[test]
    fn a_corner_parcel_counts_once_in_its_group_but_both_segments_count() {
        let pairs = [
            pair(0, 0, 10.0, 5.0, 2.0),
            pair(0, 1, 4.0, 2.0, 2.0),
            pair(1, 0, 1.0, 1.0, 1.0),
        ];
        let groups = [Some("Tổ dân phố 1"), Some("Tổ dân phố 2"), None];
        let t = group_totals(&pairs, &groups);
        let g1 = &t["Tổ dân phố 1"];
        assert_eq!((g1.parcels, g1.parcels_affected, g1.segments), (1, 1, 2));
        assert!((g1.donated_area_m2 - 14.0).abs() < 1e-12);
        assert_eq!(t[""].parcels_affected, 0);
    }
}
