//! The used blocks by offset: an open-addressing hash table from a block's
//! offset to its id.
//!
//! `free(offset)` starts here, so it is on every free's path. Keys and values
//! sit together in one slot (8 bytes), so a lookup usually reads one cache
//! line; `std`'s map keeps control bytes and entries apart (two). Linear
//! probing with Fibonacci hashing; removal shifts later entries back instead
//! of leaving tombstones, so probe runs stay short however long the table
//! lives.

/// Slots per entry at least: the table is at most half full.
const SLOTS_PER_ENTRY: usize = 2;

/// Marks an empty slot (offsets are below 2^30, so never a key).
const EMPTY: u32 = u32::MAX;

/// Offset → block id.
#[derive(Clone, Debug)]
pub(crate) struct OffsetMap {
    /// `(offset, id)` pairs; `offset == EMPTY` for a free slot. The length is
    /// a power of two and more than twice `len` (load at most 1/2), so every
    /// probe run ends at an empty slot.
    slots: Vec<(u32, u32)>,
    /// Number of entries.
    len: usize,
    /// `32 - log2(slots.len())`: the hash keeps the product's top bits.
    shift: u32,
}

impl Default for OffsetMap {
    fn default() -> Self {
        OffsetMap {
            slots: vec![(EMPTY, 0); 16],
            len: 0,
            shift: 28,
        }
    }
}

impl OffsetMap {
    /// An upper bound on the bytes `k` more entries may add: the table they
    /// would grow it to (see [`headroom`](crate::headroom)). O(log k).
    pub(crate) fn growth(&self, k: usize) -> usize {
        let need = self.len.saturating_add(k).saturating_mul(SLOTS_PER_ENTRY);
        let mut slots = self.slots.len();
        if need <= slots {
            return 0;
        }
        while slots < need {
            slots = slots.saturating_mul(2);
        }
        slots.saturating_mul(std::mem::size_of::<(u32, u32)>())
    }

    /// Number of entries. O(1).
    pub fn len(&self) -> usize {
        self.len
    }

    #[inline]
    fn home(&self, key: u32) -> usize {
        (key.wrapping_mul(0x9E37_79B9) >> self.shift) as usize
    }

    #[inline]
    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// The id stored for `offset`. O(1) expected.
    #[inline]
    pub fn get(&self, offset: usize) -> Option<u32> {
        let key = u32::try_from(offset).ok().filter(|&k| k != EMPTY)?;
        let mut i = self.home(key);
        loop {
            let (k, v) = self.slots[i];
            if k == key {
                return Some(v);
            }
            if k == EMPTY {
                return None;
            }
            i = (i + 1) & self.mask();
        }
    }

    /// Stores `id` for `offset` (an offset below 2^30 that is not yet a key).
    /// O(1) amortized.
    pub fn insert(&mut self, offset: usize, id: u32) {
        debug_assert!(offset < EMPTY as usize && self.get(offset).is_none());
        if SLOTS_PER_ENTRY * (self.len + 1) > self.slots.len() {
            self.grow();
        }
        self.put(offset as u32, id);
        self.len += 1;
    }

    fn put(&mut self, key: u32, id: u32) {
        let mut i = self.home(key);
        while self.slots[i].0 != EMPTY {
            i = (i + 1) & self.mask();
        }
        self.slots[i] = (key, id);
    }

    #[cold]
    fn grow(&mut self) {
        let bigger = vec![(EMPTY, 0); 2 * self.slots.len()];
        let old = std::mem::replace(&mut self.slots, bigger);
        self.shift -= 1;
        for (k, v) in old {
            if k != EMPTY {
                self.put(k, v);
            }
        }
    }

    /// Removes `offset` and returns its id. O(1) expected: the entries after
    /// it in its probe run move back to where a lookup will find them.
    pub fn remove(&mut self, offset: usize) -> Option<u32> {
        let key = u32::try_from(offset).ok().filter(|&k| k != EMPTY)?;
        let mask = self.mask();
        let mut i = self.home(key);
        loop {
            let k = self.slots[i].0;
            if k == EMPTY {
                return None;
            }
            if k == key {
                break;
            }
            i = (i + 1) & mask;
        }
        let id = self.slots[i].1;
        // Backward shift: fill the hole with the next entry whose home does
        // not lie cyclically in (hole, its slot].
        let mut hole = i;
        let mut j = i;
        loop {
            j = (j + 1) & mask;
            let (k, _) = self.slots[j];
            if k == EMPTY {
                break;
            }
            let h = self.home(k);
            if (j.wrapping_sub(h) & mask) >= (j.wrapping_sub(hole) & mask) {
                self.slots[hole] = self.slots[j];
                hole = j;
            }
        }
        self.slots[hole] = (EMPTY, 0);
        self.len -= 1;
        Some(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Random inserts, removes and lookups against `std`'s map, with keys
    /// that collide a lot (multiples of 8 in a small range) and keys spread
    /// over the whole 2^30 range, through several rounds of growth.
    #[test]
    fn matches_a_hash_map() {
        let mut rng = crate::workload::Rng::new(7);
        let mut m = OffsetMap::default();
        let mut want: HashMap<usize, u32> = HashMap::new();
        for step in 0..200_000u32 {
            let r = rng.next_u64();
            let key = if r % 3 == 0 {
                (r >> 8) as usize % (1 << 30)
            } else {
                8 * ((r >> 8) as usize % 4096)
            };
            if rng.percent(55) {
                if let std::collections::hash_map::Entry::Vacant(e) = want.entry(key) {
                    e.insert(step);
                    m.insert(key, step);
                }
            } else {
                assert_eq!(m.remove(key), want.remove(&key), "step {step}");
            }
            let probe = 8 * (rng.next_u64() as usize % 4096);
            assert_eq!(m.get(probe), want.get(&probe).copied(), "step {step}");
            assert_eq!(m.len(), want.len());
        }
        for (&k, &v) in &want {
            assert_eq!(m.get(k), Some(v));
        }
        assert_eq!(m.get(usize::MAX), None);
        assert_eq!(m.get(EMPTY as usize), None);
        assert_eq!(m.remove(EMPTY as usize), None);
    }
}
