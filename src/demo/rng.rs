//! Small keyed random streams: every stream is a pure function of the seed and
//! a key (`row 12`, `block (3, 12)`...), so any part of the ward can be built
//! on its own, in any order, on any thread, and come out the same.

/// What a stream is for (part of its key).
#[derive(Clone, Copy)]
pub(crate) enum Stream {
    Ward = 1,
    Column,
    Row,
    Point,
    Street,
    East,
    NorthRun,
    North,
    RowLots,
    Block,
    Attributes,
    Structures,
    Organisation,
}

/// SplitMix64: 64 bits of state, passes BigCrush, plenty for a synthetic map.
#[derive(Clone)]
pub(crate) struct Rng(u64);

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

impl Rng {
    pub(crate) fn new(seed: u64, stream: Stream, key: &[u64]) -> Rng {
        let mut h = mix(seed.wrapping_add(GOLDEN));
        h = mix(h ^ (stream as u64).wrapping_mul(GOLDEN));
        for &k in key {
            h = mix(h.wrapping_add(GOLDEN) ^ k);
        }
        Rng(h)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }

    /// Uniform in [0, 1).
    pub(crate) fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [a, b).
    pub(crate) fn uniform(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.f64()
    }

    /// Uniform index below `n` (> 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((self.f64() * n as f64) as usize).min(n - 1)
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// A value from `(value, weight)` pairs.
    pub(crate) fn weighted<T: Copy>(&mut self, table: &[(T, u32)]) -> T {
        let total: u32 = table.iter().map(|&(_, w)| w).sum();
        let mut r = self.f64() * f64::from(total);
        for &(v, w) in table {
            r -= f64::from(w);
            if r < 0.0 {
                return v;
            }
        }
        table[table.len() - 1].0
    }

    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_depend_on_seed_kind_and_key() {
        let a = Rng::new(1, Stream::Row, &[3]).next_u64();
        assert_eq!(a, Rng::new(1, Stream::Row, &[3]).next_u64());
        assert_ne!(a, Rng::new(2, Stream::Row, &[3]).next_u64());
        assert_ne!(a, Rng::new(1, Stream::Column, &[3]).next_u64());
        assert_ne!(a, Rng::new(1, Stream::Row, &[4]).next_u64());
        assert_ne!(
            Rng::new(1, Stream::Point, &[1, 2]).next_u64(),
            Rng::new(1, Stream::Point, &[2, 1]).next_u64()
        );
    }

    #[test]
    fn uniform_draws_cover_the_interval() {
        let mut r = Rng::new(7, Stream::Ward, &[]);
        let xs: Vec<f64> = (0..10_000).map(|_| r.uniform(4.0, 8.0)).collect();
        assert!(xs.iter().all(|&x| (4.0..8.0).contains(&x)));
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        assert!((mean - 6.0).abs() < 0.05, "{mean}");
        assert!(xs.iter().any(|&x| x < 4.01) && xs.iter().any(|&x| x > 7.99));
    }
}
