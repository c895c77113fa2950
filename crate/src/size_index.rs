//! The size index of best fit: free blocks by size, then by address.
//!
//! Sizes map to buckets of the blocks of exactly that size, ordered by
//! address. A few blocks of one size are kept inline, sorted; more, in a
//! B-tree. A size shared by many blocks (say 32,768 equal holes) costs one
//! entry, so a search or an update elsewhere does not slow down as those
//! blocks multiply. Sizes below [`SMALL`] find their bucket through a direct
//! table, and the next size present through a two-level bitmap (one word,
//! then the summary: a few `trailing_zeros`); larger sizes through a B-tree.
//!
//! # Complexity
//! With `s` distinct large free sizes and `k` blocks of one size: insert,
//! remove and [`best_fit`](SizeIndex::best_fit) are O(1) for small sizes and
//! O(log s) for large ones, plus O(log k) in a bucket (an inline bucket holds
//! at most [`FEW`] blocks).

use std::collections::BTreeMap;

/// The most blocks a bucket keeps inline; a B-tree bucket that shrinks to
/// half of it goes back inline. (Inline, so that a size gaining and losing a
/// block allocates nothing; 16, because a sorted array that short is quicker
/// to update than a B-tree: best fit 68 → 65 ns/op on a 5M-op run with
/// sizes ≤ 256, where each size has tens of free blocks.)
const FEW: usize = 16;

/// The blocks of one size.
#[derive(Clone, Debug)]
enum Bucket {
    /// 1 ..= [`FEW`] blocks: `(offset, id)` in `items[..len]`, sorted by
    /// offset (the rest is stale).
    Few { len: u8, items: [(u32, u32); FEW] },
    /// More than [`FEW`] / 2 blocks: id by offset.
    Many(BTreeMap<u32, u32>),
}

impl Bucket {
    fn one(offset: u32, id: u32) -> Self {
        let mut items = [(0, 0); FEW];
        items[0] = (offset, id);
        Bucket::Few { len: 1, items }
    }
}

/// What an entry costs a B-tree (`large`, or a bucket's) at most: the key
/// and value, and its share of a node (nodes are at least half full).
const BTREE_ENTRY_BYTES: usize = 64;
/// What one insert may allocate at once in a B-tree when it splits a node
/// on each level up to the root: 16 levels of nodes of about 200 bytes, more
/// than a tree of 2^30 entries has.
const BTREE_SPLIT_BYTES: usize = 16 * 256;

/// Sizes below this are found through a direct table and a two-level
/// bitmap (64 KiB of table, 2 KiB of bits); larger ones through a B-tree.
const SMALL: usize = 1 << 14;
/// Words in the bitmap over small sizes.
const WORDS: usize = SMALL / 64;
const NO_SLOT: u32 = u32::MAX;

/// Free blocks by (size, address).
#[derive(Clone, Debug, Default)]
pub(crate) struct SizeIndex {
    /// The bucket slot of each size below [`SMALL`], [`NO_SLOT`] where no
    /// block has that size; empty until the first small block arrives.
    small: Vec<u32>,
    /// Bit `s % 64` of word `s / 64` is set iff size `s` has a bucket in `small`.
    bits: Vec<u64>,
    /// Bit `w % 64` of word `w / 64` is set iff `bits[w]` is not zero.
    summary: [u64; WORDS / 64],
    /// The bucket slot of each size of at least [`SMALL`] present.
    large: BTreeMap<u32, u32>,
    /// Buckets by slot; never empty while a size refers to them.
    buckets: Vec<Bucket>,
    /// Slots of `buckets` that no size uses.
    spare: Vec<u32>,
    /// Number of blocks.
    len: usize,
}

impl SizeIndex {
    /// An upper bound on the bytes `k` more blocks may add (see
    /// [`headroom`](crate::headroom)): a bucket each, the direct table and
    /// bitmap once, and B-tree nodes: a few words per entry, and a node per
    /// level when an insert splits its way up to the root. O(1).
    pub(crate) fn growth(&self, k: usize) -> usize {
        use crate::headroom::{bound, vec_growth};
        let tables = if self.small.is_empty() {
            SMALL * std::mem::size_of::<u32>() + WORDS * std::mem::size_of::<u64>()
        } else {
            0
        };
        bound(k, BTREE_ENTRY_BYTES, vec_growth(&self.buckets, k))
            .saturating_add(vec_growth(&self.spare, k))
            .saturating_add(tables)
            .saturating_add(BTREE_SPLIT_BYTES)
    }

    /// Number of blocks indexed.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Number of distinct sizes indexed.
    fn sizes(&self) -> usize {
        self.bits
            .iter()
            .map(|w| w.count_ones() as usize)
            .sum::<usize>()
            + self.large.len()
    }

    /// Drops every block.
    pub fn clear(&mut self) {
        self.small.clear();
        self.bits.clear();
        self.summary = [0; WORDS / 64];
        self.large.clear();
        self.buckets.clear();
        self.spare.clear();
        self.len = 0;
    }

    /// The bucket slot of `size`, if any block has it.
    #[inline]
    fn slot(&self, size: u32) -> Option<u32> {
        if (size as usize) < SMALL {
            self.small
                .get(size as usize)
                .copied()
                .filter(|&k| k != NO_SLOT)
        } else {
            self.large.get(&size).copied()
        }
    }

    fn set_slot(&mut self, size: u32, slot: u32) {
        let s = size as usize;
        if s >= SMALL {
            self.large.insert(size, slot);
            return;
        }
        if self.small.is_empty() {
            self.small = vec![NO_SLOT; SMALL];
            self.bits = vec![0; WORDS];
        }
        self.small[s] = slot;
        self.bits[s / 64] |= 1 << (s % 64);
        self.summary[s / 4096] |= 1 << ((s / 64) % 64);
    }

    fn unset_slot(&mut self, size: u32) {
        let s = size as usize;
        if s >= SMALL {
            self.large.remove(&size);
            return;
        }
        self.small[s] = NO_SLOT;
        let w = &mut self.bits[s / 64];
        *w &= !(1 << (s % 64));
        if *w == 0 {
            self.summary[s / 4096] &= !(1 << ((s / 64) % 64));
        }
    }

    /// The smallest size `>= from` (below [`SMALL`]) that has a bucket.
    /// O(1): at most one bitmap word, then the summary words.
    #[inline]
    fn next_small(&self, from: usize) -> Option<usize> {
        if self.bits.is_empty() {
            return None;
        }
        let w = from / 64;
        let here = self.bits[w] & (!0u64 << (from % 64));
        if here != 0 {
            return Some(w * 64 + here.trailing_zeros() as usize);
        }
        // The next non-empty word after `w`, through the summary.
        let mut g = w / 64;
        let mut mask = (!0u64).checked_shl((w % 64) as u32 + 1).unwrap_or(0);
        while g < WORDS / 64 {
            let m = self.summary[g] & mask;
            if m != 0 {
                let w = g * 64 + m.trailing_zeros() as usize;
                return Some(w * 64 + self.bits[w].trailing_zeros() as usize);
            }
            g += 1;
            mask = !0;
        }
        None
    }

    /// Adds block `id` of `size` bytes at `offset` (not already indexed).
    pub fn insert(&mut self, size: usize, offset: usize, id: u32) {
        let (size, offset) = (size as u32, offset as u32);
        self.len += 1;
        let Some(slot) = self.slot(size) else {
            let slot = match self.spare.pop() {
                // A spare slot holds an inline bucket (only those empty):
                // reuse it in place rather than move a new one in.
                Some(k) => match &mut self.buckets[k as usize] {
                    Bucket::Few { len, items } => {
                        *len = 1;
                        items[0] = (offset, id);
                        k
                    }
                    b @ Bucket::Many(_) => {
                        *b = Bucket::one(offset, id);
                        k
                    }
                },
                None => {
                    self.buckets.push(Bucket::one(offset, id));
                    (self.buckets.len() - 1) as u32
                }
            };
            self.set_slot(size, slot);
            return;
        };
        let b = &mut self.buckets[slot as usize];
        match b {
            Bucket::Few { len, items } if (*len as usize) < FEW => {
                let n = *len as usize;
                let at = items[..n].partition_point(|&(o, _)| o < offset);
                // An element loop, not `copy_within`: wasm's `memory.copy`
                // costs a call into the engine, more than these few moves.
                let mut j = n;
                while j > at {
                    items[j] = items[j - 1];
                    j -= 1;
                }
                items[at] = (offset, id);
                *len += 1;
            }
            Bucket::Few { items, .. } => {
                // Inserted one by one: `collect` would sort first (and
                // pull a sort into the wasm).
                let mut m = BTreeMap::new();
                for &(o, i) in items.iter() {
                    m.insert(o, i);
                }
                m.insert(offset, id);
                *b = Bucket::Many(m);
            }
            Bucket::Many(m) => {
                m.insert(offset, id);
            }
        }
    }

    /// Removes the block of `size` bytes at `offset` (which must be indexed).
    pub fn remove(&mut self, size: usize, offset: usize) {
        let (size, offset) = (size as u32, offset as u32);
        let Some(slot) = self.slot(size) else {
            debug_assert!(false, "size {size} is indexed");
            return;
        };
        self.len -= 1;
        let b = &mut self.buckets[slot as usize];
        match b {
            Bucket::Few { len: 1, .. } => {
                // The slot keeps its stale contents (nothing on the heap) until reused.
                self.unset_slot(size);
                self.spare.push(slot);
            }
            Bucket::Few { len, items } => {
                let n = *len as usize;
                let at = items[..n].partition_point(|&(o, _)| o < offset);
                // (As in `insert`: moves, not `memory.copy`.)
                for j in at..n - 1 {
                    items[j] = items[j + 1];
                }
                *len -= 1;
            }
            Bucket::Many(m) => {
                m.remove(&offset);
                if m.len() <= FEW / 2 {
                    let mut items = [(0, 0); FEW];
                    for (slot, (&o, &i)) in items.iter_mut().zip(m.iter()) {
                        *slot = (o, i);
                    }
                    *b = Bucket::Few {
                        len: m.len() as u8,
                        items,
                    };
                }
            }
        }
    }

    /// The smallest block of at least `size` bytes, the lowest-addressed of
    /// equals: best fit.
    pub fn best_fit(&self, size: usize) -> Option<u32> {
        let size32 = u32::try_from(size).ok()?;
        let slot = if size < SMALL {
            match self.next_small(size) {
                Some(s) => self.small[s],
                None => *self.large.values().next()?,
            }
        } else {
            *self.large.range(size32..).next()?.1
        };
        match &self.buckets[slot as usize] {
            Bucket::Few { items, .. } => Some(items[0].1),
            Bucket::Many(m) => m.values().next().copied(),
        }
    }

    /// Size of the largest block (0 when none). O(1): the B-tree's last key,
    /// else one summary word and one bitmap word from the top.
    pub fn max_size(&self) -> usize {
        if let Some((&s, _)) = self.large.last_key_value() {
            return s as usize;
        }
        for g in (0..WORDS / 64).rev() {
            let m = self.summary[g];
            if m != 0 {
                let w = g * 64 + 63 - m.leading_zeros() as usize;
                return w * 64 + 63 - self.bits[w].leading_zeros() as usize;
            }
        }
        0
    }

    /// The id of the block of `size` bytes at `offset`, if indexed.
    pub fn get(&self, size: usize, offset: usize) -> Option<u32> {
        let (size, offset) = (u32::try_from(size).ok()?, u32::try_from(offset).ok()?);
        match &self.buckets[self.slot(size)? as usize] {
            Bucket::Few { len, items } => items[..*len as usize]
                .iter()
                .find(|&&(o, _)| o == offset)
                .map(|&(_, i)| i),
            Bucket::Many(m) => m.get(&offset).copied(),
        }
    }

    /// Checks the bucket shapes (an inline bucket holds 1 ..= FEW blocks in
    /// address order, a B-tree bucket more than FEW / 2), the bitmaps against
    /// the table, and the count.
    pub fn check(&self) -> Result<(), String> {
        let small = self
            .small
            .iter()
            .enumerate()
            .filter(|&(_, &k)| k != NO_SLOT)
            .map(|(s, &k)| (s as u32, k));
        let mut n = 0;
        for (s, slot) in small.chain(self.large.iter().map(|(&s, &k)| (s, k))) {
            let b = self
                .buckets
                .get(slot as usize)
                .ok_or(format!("size index: size {s} has no bucket"))?;
            let ok = match b {
                Bucket::Few { len, items } => {
                    let n = *len as usize;
                    (1..=FEW).contains(&n) && items[..n].windows(2).all(|w| w[0].0 < w[1].0)
                }
                Bucket::Many(m) => m.len() > FEW / 2,
            };
            if !ok {
                return Err(format!("size index: bucket of size {s} is misshapen"));
            }
            n += match b {
                Bucket::Few { len, .. } => *len as usize,
                Bucket::Many(m) => m.len(),
            };
        }
        if self.large.keys().any(|&s| (s as usize) < SMALL) {
            return Err("size index: a small size in the B-tree".into());
        }
        for (w, &bits) in self.bits.iter().enumerate() {
            for b in 0..64 {
                if (bits >> b & 1 == 1) != (self.small[w * 64 + b] != NO_SLOT) {
                    return Err(format!("size index: bit of size {} is wrong", w * 64 + b));
                }
            }
            if (self.summary[w / 64] >> (w % 64) & 1 == 1) != (bits != 0) {
                return Err(format!("size index: summary bit of word {w} is wrong"));
            }
        }
        if self.bits.is_empty() && self.summary.iter().any(|&s| s != 0) {
            return Err("size index: summary without bits".into());
        }
        if self.sizes() + self.spare.len() != self.buckets.len() {
            return Err("size index: bucket slots leak".into());
        }
        if n != self.len {
            return Err(format!("size index: len {} but {n} blocks", self.len));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Random inserts and removes against a sorted set of (size, offset):
    /// best fit is its first entry at or above the request. Sizes cluster
    /// around the table's edges (bitmap words, summary groups, [`SMALL`]) and
    /// repeat, so that buckets fill, spill into B-trees and drain.
    #[test]
    fn best_fit_matches_a_sorted_set() {
        let mut rng = crate::workload::Rng::new(0x2545_F491_4F6C_DD1D);
        let mut next = move || rng.next_u64();
        let edges = [
            1usize,
            63,
            64,
            65,
            4095,
            4096,
            4097,
            8191,
            SMALL - 1,
            SMALL,
            SMALL + 1,
            1 << 20,
        ];
        let mut ix = SizeIndex::default();
        let mut set: BTreeSet<(usize, usize)> = BTreeSet::new();
        for step in 0..40_000u32 {
            let r = next();
            let size = match r % 4 {
                0 => edges[(r >> 8) as usize % edges.len()],
                1 => 1 + (r >> 8) as usize % 96,
                2 => 1 + (r >> 8) as usize % SMALL,
                _ => 1 + (r >> 8) as usize % (4 * SMALL),
            };
            if next() % 100 < 55 || set.is_empty() {
                let offset = (next() % 1_000_000) as usize;
                if set.iter().all(|&(_, o)| o != offset) {
                    set.insert((size, offset));
                    ix.insert(size, offset, offset as u32);
                }
            } else {
                let k = next() as usize % set.len();
                let &(s, o) = set.iter().nth(k).unwrap();
                set.remove(&(s, o));
                ix.remove(s, o);
            }
            let want = set.range((size, 0)..).next().map(|&(_, o)| o as u32);
            assert_eq!(ix.best_fit(size), want, "step {step}, size {size}");
            let largest = set.iter().map(|&(s, _)| s).max().unwrap_or(0);
            assert_eq!(ix.max_size(), largest, "step {step}");
            if step % 97 == 0 {
                ix.check().unwrap();
                assert_eq!(ix.len(), set.len());
                for &(s, o) in set.iter().take(50) {
                    assert_eq!(ix.get(s, o), Some(o as u32));
                }
            }
        }
        ix.check().unwrap();
        ix.clear();
        ix.check().unwrap();
        assert_eq!(ix.best_fit(1), None);
        assert_eq!(ix.max_size(), 0);
    }
}
