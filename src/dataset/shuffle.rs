//! Seeded randomness for datasets: sampling episodes and shuffled
//! minibatches. The same seed gives the same result on every platform and
//! in every version of this crate that documents no change here (SplitMix64,
//! then a Fisher–Yates shuffle).

use super::columns::{Columns, Float};

/// SplitMix64: small, fast, and the same everywhere.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform integer in `0..bound` (`bound` > 0), without modulo bias.
    fn below(&mut self, bound: u64) -> u64 {
        let zone = u64::MAX - (u64::MAX % bound);
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % bound;
            }
        }
    }

    /// Shuffles `items` (Fisher–Yates); with `take`, only the first `take`
    /// places are drawn, which is a uniform sample of that many.
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T], take: usize) {
        let n = items.len();
        for i in 0..take.min(n.saturating_sub(1)) {
            // i < n, so n - i > 0 and the draw stays below n.
            let j = i + self.below((n - i) as u64) as usize;
            items.swap(i, j);
        }
    }
}

/// One minibatch: the rows it holds, gathered into contiguous arrays.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Minibatch<T> {
    /// The dataset rows gathered here, in batch order.
    pub rows: Vec<usize>,
    /// `observations` of those rows (`rows.len() × obs_dim`).
    pub observations: Vec<T>,
    /// `actions` of those rows (`rows.len() × act_dim`).
    pub actions: Vec<T>,
    /// `next_observations` of those rows (`rows.len() × obs_dim`).
    pub next_observations: Vec<T>,
    /// `rewards` of those rows.
    pub rewards: Vec<T>,
    /// `terminals` of those rows.
    pub terminals: Vec<bool>,
    /// `timeouts` of those rows.
    pub timeouts: Vec<bool>,
}

/// Shuffled minibatches over a dataset's rows; made by
/// [`Columns::minibatches`]. Every row appears in exactly one batch; the last
/// batch may be smaller.
#[derive(Debug)]
pub struct Minibatches<'a, T> {
    columns: &'a Columns<T>,
    order: Vec<usize>,
    size: usize,
    at: usize,
}

impl<T: Float> Columns<T> {
    /// Returns the rows in batches of `batch_size` (at least 1), shuffled
    /// with `seed`: the same seed gives the same batches.
    pub fn minibatches(&self, batch_size: usize, seed: u64) -> Minibatches<'_, T> {
        let mut order: Vec<usize> = (0..self.len()).collect();
        Rng::new(seed).shuffle(&mut order, usize::MAX);
        Minibatches {
            columns: self,
            order,
            size: batch_size.max(1),
            at: 0,
        }
    }
}

impl<T: Float> Iterator for Minibatches<'_, T> {
    type Item = Minibatch<T>;

    fn next(&mut self) -> Option<Minibatch<T>> {
        let end = self.at.saturating_add(self.size).min(self.order.len());
        let rows = self.order.get(self.at..end)?.to_vec();
        if rows.is_empty() {
            return None;
        }
        self.at = end;
        let c = self.columns;
        let gather = |column: &super::columns::Column<T>| -> Vec<T> {
            rows.iter()
                .filter_map(|&r| column.row(r))
                .flatten()
                .copied()
                .collect()
        };
        let pick = |values: &[T]| -> Vec<T> {
            rows.iter()
                .filter_map(|&r| values.get(r))
                .copied()
                .collect()
        };
        let flags = |values: &[bool]| -> Vec<bool> {
            rows.iter()
                .filter_map(|&r| values.get(r))
                .copied()
                .collect()
        };
        Some(Minibatch {
            observations: gather(c.observations()),
            actions: gather(c.actions()),
            next_observations: gather(c.next_observations()),
            rewards: pick(c.rewards()),
            terminals: flags(c.terminals()),
            timeouts: flags(c.timeouts()),
            rows,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.order.len() - self.at;
        let batches = left.div_ceil(self.size);
        (batches, Some(batches))
    }
}

impl<T: Float> ExactSizeIterator for Minibatches<'_, T> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_order() {
        let mut a: Vec<u32> = (0..100).collect();
        let mut b = a.clone();
        Rng::new(7).shuffle(&mut a, usize::MAX);
        Rng::new(7).shuffle(&mut b, usize::MAX);
        assert_eq!(a, b);
        let mut c: Vec<u32> = (0..100).collect();
        Rng::new(8).shuffle(&mut c, usize::MAX);
        assert_ne!(a, c);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..100).collect::<Vec<_>>());
        // Pinned: the order must not change between versions.
        assert_eq!(&a[..6], &[87, 34, 58, 70, 62, 5]);
    }

    #[test]
    fn every_place_is_reached_about_evenly() {
        let mut counts = [0u32; 5];
        let mut rng = Rng::new(1);
        for _ in 0..50_000 {
            let mut items = [0, 1, 2, 3, 4];
            rng.shuffle(&mut items, 1);
            counts[items[0]] += 1;
        }
        for count in counts {
            assert!((9_000..11_000).contains(&count), "{counts:?}");
        }
    }
}
