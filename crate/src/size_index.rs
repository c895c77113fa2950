//! The size index of best fit: free blocks by size, then by address.
//!
//! Sizes map to buckets of the blocks of exactly that size, ordered by
//! address. A few blocks of one size are kept inline, sorted; more, in a
//! B-tree. A size shared by many blocks (say 32,768
//! equal holes) costs the outer map one entry, so a search or an update
//! elsewhere does not slow down as those blocks multiply.
//!
//! # Complexity
//! With `s` distinct free sizes and `k` blocks of one size: insert, remove and
//! [`best_fit`](SizeIndex::best_fit) are O(log s + log k) (an inline bucket
//! holds at most [`FEW`] blocks).

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

/// The most blocks a bucket keeps inline; a B-tree bucket that shrinks to
/// half of it goes back inline. (Inline, so that a size gaining and losing a
/// second block allocates nothing.)
const FEW: usize = 6;

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

/// Free blocks by (size, address).
#[derive(Clone, Debug, Default)]
pub(crate) struct SizeIndex {
    /// The bucket of each size present, by its slot in `buckets` (small
    /// values keep the B-tree's nodes cheap to shift).
    map: BTreeMap<u32, u32>,
    /// Buckets by slot; never empty while in `map`.
    buckets: Vec<Bucket>,
    /// Slots of `buckets` that no size uses.
    spare: Vec<u32>,
    /// Number of blocks.
    len: usize,
}

impl SizeIndex {
    /// Number of blocks indexed.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Drops every block.
    pub fn clear(&mut self) {
        self.map.clear();
        self.buckets.clear();
        self.spare.clear();
        self.len = 0;
    }

    /// Adds block `id` of `size` bytes at `offset` (not already indexed).
    pub fn insert(&mut self, size: usize, offset: usize, id: u32) {
        let (size, offset) = (size as u32, offset as u32);
        self.len += 1;
        match self.map.entry(size) {
            Entry::Vacant(v) => {
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
                v.insert(slot);
            }
            Entry::Occupied(o) => {
                let b = &mut self.buckets[*o.get() as usize];
                match b {
                    Bucket::Few { len, items } if (*len as usize) < FEW => {
                        let n = *len as usize;
                        let at = items[..n].partition_point(|&(o, _)| o < offset);
                        items.copy_within(at..n, at + 1);
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
        }
    }

    /// Removes the block of `size` bytes at `offset` (which must be indexed).
    pub fn remove(&mut self, size: usize, offset: usize) {
        let (size, offset) = (size as u32, offset as u32);
        self.len -= 1;
        let Entry::Occupied(e) = self.map.entry(size) else {
            debug_assert!(false, "size {size} is indexed");
            return;
        };
        let slot = *e.get();
        let b = &mut self.buckets[slot as usize];
        match b {
            Bucket::Few { len: 1, .. } => {
                // The slot keeps its stale contents (nothing on the heap) until reused.
                e.remove();
                self.spare.push(slot);
            }
            Bucket::Few { len, items } => {
                let n = *len as usize;
                let at = items[..n].partition_point(|&(o, _)| o < offset);
                items.copy_within(at + 1..n, at);
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
        let size = u32::try_from(size).ok()?;
        let (_, &slot) = self.map.range(size..).next()?;
        match &self.buckets[slot as usize] {
            Bucket::Few { items, .. } => Some(items[0].1),
            Bucket::Many(m) => m.values().next().copied(),
        }
    }

    /// The id of the block of `size` bytes at `offset`, if indexed.
    pub fn get(&self, size: usize, offset: usize) -> Option<u32> {
        let (size, offset) = (u32::try_from(size).ok()?, u32::try_from(offset).ok()?);
        match &self.buckets[*self.map.get(&size)? as usize] {
            Bucket::Few { len, items } => items[..*len as usize]
                .iter()
                .find(|&&(o, _)| o == offset)
                .map(|&(_, i)| i),
            Bucket::Many(m) => m.get(&offset).copied(),
        }
    }

    /// Checks the bucket shapes (an inline bucket holds 1 ..= FEW blocks in
    /// address order, a B-tree bucket more than FEW / 2) and the count.
    pub fn check(&self) -> Result<(), String> {
        let mut n = 0;
        for (s, &slot) in &self.map {
            let b = &self.buckets[slot as usize];
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
        if self.map.len() + self.spare.len() != self.buckets.len() {
            return Err("size index: bucket slots leak".into());
        }
        if n != self.len {
            return Err(format!("size index: len {} but {n} blocks", self.len));
        }
        Ok(())
    }
}
