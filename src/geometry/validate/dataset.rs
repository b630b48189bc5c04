//! Checks across features: ids used twice, and features far from the rest
//! of the data.

use std::collections::HashMap;

use rayon::prelude::*;

use super::coordinates::metres_per_degree;
use super::{Centres, FeatureId, Layer};

/// Pairs (first position, later position) of features sharing an id,
/// ordered by the later position. Linear time: (hash, position) entries are
/// spread into buckets by the hash's top bits (one pass to count, one to
/// place), then each bucket is sorted and scanned, in parallel.
pub(super) fn duplicate_ids<'a>(
    hashes: &[u64],
    id: impl Fn(usize) -> &'a FeatureId + Sync,
) -> Vec<(usize, usize)> {
    let n = hashes.len();
    if n < 2 {
        return Vec::new();
    }
    const BITS: u32 = 16;
    let bucket = |h: u64| usize::try_from(h >> (64 - BITS)).unwrap_or(0);
    let mut starts = vec![0usize; (1 << BITS) + 1];
    for &h in hashes {
        starts[bucket(h) + 1] += 1;
    }
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    let mut entries = vec![(0u64, 0usize); n];
    let mut fill = starts.clone();
    for (i, &h) in hashes.iter().enumerate() {
        let b = bucket(h);
        entries[fill[b]] = (h, i);
        fill[b] += 1;
    }
    let mut buckets: Vec<&mut [(u64, usize)]> = Vec::with_capacity(1 << BITS);
    let mut rest = entries.as_mut_slice();
    for b in 0..1 << BITS {
        let (head, tail) = rest.split_at_mut(starts[b + 1] - starts[b]);
        buckets.push(head);
        rest = tail;
    }
    let mut pairs: Vec<(usize, usize)> = buckets
        .into_par_iter()
        .flat_map_iter(|members| {
            // By hash, then position: equal ids are adjacent runs.
            members.sort_unstable();
            let mut pairs = Vec::new();
            let mut start = 0;
            while start < members.len() {
                let mut end = start + 1;
                while end < members.len() && members[end].0 == members[start].0 {
                    end += 1;
                }
                if end - start > 1 {
                    // Same hash: group by id (almost always one group).
                    let run = &members[start..end];
                    if run.len() <= 32 {
                        for (k, &(_, i)) in run.iter().enumerate() {
                            if let Some(&(_, first)) =
                                run[..k].iter().find(|&&(_, j)| id(j) == id(i))
                            {
                                pairs.push((first, i));
                            }
                        }
                    } else {
                        let mut firsts: HashMap<&FeatureId, usize> = HashMap::new();
                        for &(_, i) in run {
                            let first = *firsts.entry(id(i)).or_insert(i);
                            if first != i {
                                pairs.push((first, i));
                            }
                        }
                    }
                }
                start = end;
            }
            pairs
        })
        .collect();
    pairs.par_sort_unstable_by_key(|&(_, again)| again);
    pairs
}

/// FNV-1a over an id's kind and text.
pub(super) fn fnv(id: &FeatureId) -> u64 {
    let (tag, text) = match id {
        FeatureId::Number(s) => (1u8, s),
        FeatureId::Text(s) => (2u8, s),
    };
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in std::iter::once(&tag).chain(text.as_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Far-away rule: features more than this from the median centre...
const FAR_MIN_M: f64 = 20_000.0;
/// ...and more than this many times the median distance.
const FAR_MEDIAN_FACTOR: f64 = 5.0;
/// Medians are taken over at most this many features.
const MEDIAN_SAMPLE: usize = 100_000;

/// Features whose centre is far from the median centre of all:
/// (layer, index, distance, limit, centre).
pub(super) fn far_away(centres: &[(Layer, Centres)]) -> Vec<(Layer, usize, f64, f64, [f64; 2])> {
    let total: usize = centres
        .iter()
        .map(|(_, c)| c.iter().filter(|p| !p[0].is_nan()).count())
        .sum();
    if total == 0 {
        return Vec::new();
    }
    let median = |mut v: Vec<f64>| {
        let mid = v.len() / 2;
        *v.select_nth_unstable_by(mid, f64::total_cmp).1
    };
    // Medians over at most MEDIAN_SAMPLE features evenly spaced through
    // the input: as robust, and cheap for a million parcels.
    let step = total.div_ceil(MEDIAN_SAMPLE);
    let sample: Vec<[f64; 2]> = centres
        .iter()
        .flat_map(|(_, list)| list.iter().filter(|p| !p[0].is_nan()))
        .step_by(step)
        .copied()
        .collect();
    let mid = [
        median(sample.iter().map(|p| p[0]).collect()),
        median(sample.iter().map(|p| p[1]).collect()),
    ];
    let (kx, ky) = metres_per_degree(mid[1]);
    let distance = |p: [f64; 2]| {
        let (dx, dy) = ((p[0] - mid[0]) * kx, (p[1] - mid[1]) * ky);
        (dx * dx + dy * dy).sqrt()
    };
    let distances = sample.iter().map(|&p| distance(p)).collect();
    let limit = FAR_MIN_M.max(FAR_MEDIAN_FACTOR * median(distances));
    let mut far = Vec::new();
    for (layer, list) in centres {
        far.par_extend(list.par_iter().enumerate().filter_map(|(i, &p)| {
            let d = distance(p);
            // NaN distances (unusable features) compare false.
            (d > limit).then_some((*layer, i, d, limit, p))
        }));
    }
    far
}
