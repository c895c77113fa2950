//! The free-list allocator: splitting, coalescing by address, four placement
//! strategies, alignment, realloc and calloc.

use crate::arena::Arena;
use crate::free_tree::{FreeTree, NIL};
use crate::headroom;
use crate::offset_map::OffsetMap;
use crate::size_index::SizeIndex;
use crate::stats::{self, Stats};
use crate::{AllocError, Block, ListOrder, Result, Strategy};

/// Entries out of place that a size order's sort finds by comparing ids
/// rather than by their bits (see `dirty_positions`).
const FEW_DIRTY: usize = 4;

/// How to build a [`FreeListAllocator`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    /// Size of the arena in bytes, 1 ..= 1 GiB, a multiple of `align` unless
    /// there is a `header`.
    pub arena_size: usize,
    /// The placement strategy (switchable later with `set_strategy`).
    pub strategy: Strategy,
    /// Granularity: a power of two ≥ 1. Every block offset and size is a
    /// multiple of it, and requests are rounded up to it. With a `header`,
    /// it rounds requests only (see there).
    pub align: usize,
    /// Whether `free` merges a block with free neighbours (a teaching toggle).
    pub coalesce: bool,
    /// Bytes of header in front of each allocated block's payload, counted as
    /// `malloc.py -H` counts them: a request of n bytes takes n rounded up to
    /// `align`, plus the header. With a header blocks start anywhere (the
    /// granularity is 1, as in `malloc.py`), and the arena size need not be a
    /// multiple of `align`. 0 (none) by default; one larger than the arena
    /// only makes every request fail, as in `malloc.py`.
    #[serde(default)]
    pub header: usize,
}

impl Default for Config {
    /// 1024 bytes, first fit, align 8, coalescing on.
    fn default() -> Self {
        Config {
            arena_size: 1024,
            strategy: Strategy::FirstFit,
            align: 8,
            coalesce: true,
            header: 0,
        }
    }
}

/// The largest power of two that divides `arena_size` and is at most
/// `align`: the alignment an arena of that size takes when `align` does not
/// divide it (the page and links pick it, the error below suggests it). 1 for
/// a size of 0 or an `align` of 0.
///
/// # Complexity
/// O(1).
pub fn align_dividing(arena_size: usize, align: usize) -> usize {
    if arena_size == 0 || align == 0 {
        return 1;
    }
    let fits = 1usize << arena_size.trailing_zeros();
    // (The largest power of two at most `align`.)
    let cap = 1usize << (usize::BITS - 1 - align.leading_zeros());
    fits.min(cap)
}

/// The error for an arena size out of range (0, or above
/// [`MAX_ARENA`](crate::MAX_ARENA)): one wording, also for a number too large
/// for a `usize` that a binding was given.
pub fn arena_size_out_of_range(size: impl std::fmt::Display) -> AllocError {
    AllocError::bad_config(format!(
        "arena size {size} is out of range (1 to {} bytes)",
        crate::MAX_ARENA
    ))
}

impl Config {
    /// Checks the configuration.
    ///
    /// # Errors
    /// [`AllocError::BadConfig`] naming the first problem.
    pub fn validate(&self) -> Result<()> {
        if self.arena_size == 0 || self.arena_size > crate::MAX_ARENA {
            return Err(arena_size_out_of_range(self.arena_size));
        }
        if !self.align.is_power_of_two() {
            return Err(AllocError::bad_config(format!(
                "align {} is not a power of two",
                self.align
            )));
        }
        if self.header == 0 && self.arena_size % self.align != 0 {
            // Say what would fit: the nearest multiples, or the largest
            // alignment that divides the size (below `align`, as it is not one).
            let (size, align) = (self.arena_size, self.align);
            let below = size - size % align;
            let sizes = if below == 0 {
                format!("{}", align)
            } else {
                format!("{below} or {}", below + align)
            };
            return Err(AllocError::bad_config(format!(
                "arena size {size} is not a multiple of align {align}: make it {sizes}, or set align to {}",
                align_dividing(size, align)
            )));
        }
        Ok(())
    }
}

/// The allocator's record of one block, kept outside the arena.
#[derive(Clone, Copy, Debug)]
struct Rec {
    offset: usize,
    size: usize,
    /// Bytes asked for; 0 while free.
    requested: usize,
    /// Number of the request that created the block; meaningless while free.
    seq: u64,
    /// Physical neighbours by address ([`NIL`] at the ends of the arena).
    prev: u32,
    next: u32,
    free: bool,
    /// A free block left in front of an aligned allocation (cleared by any merge or reuse).
    padding: bool,
    /// A used block that carries the config's header (every allocation but
    /// a slab's own block); meaningless while free.
    headed: bool,
}

/// A first/next/best/worst-fit allocator over a fixed arena.
///
/// Blocks tile the arena. A free block is split at the front on allocation and
/// merged with free neighbours on free. Nothing ever moves, and `alloc`/`free`
/// never touch the arena bytes.
///
/// ```
/// use alloc_playground::{Config, FreeListAllocator, Strategy};
/// let mut a = FreeListAllocator::new(Config { arena_size: 100, strategy: Strategy::BestFit, align: 1, coalesce: true, header: 0 })?;
/// let off = a.alloc(10)?;
/// assert_eq!(off, 0);
/// a.free(off)?;
/// assert_eq!(a.blocks().count(), 1);
/// # Ok::<(), alloc_playground::AllocError>(())
/// ```
#[derive(Clone, Debug)]
pub struct FreeListAllocator {
    config: Config,
    arena: Arena,
    /// Block records by id. Ids of merged-away blocks are recycled through `spare`.
    recs: Vec<Rec>,
    /// Ids in `recs` that describe no block.
    spare: Vec<u32>,
    /// Id of the block at offset 0.
    head: u32,
    /// Every free block, by address, summarised for the fit searches (first,
    /// next and worst fit, the searched counts). Kept only while the strategy
    /// is not best fit (`!sized`), empty otherwise.
    tree: FreeTree,
    /// Every free block by size, then address: best fit. Kept only while best
    /// fit is the strategy (`sized`), empty otherwise. So every free block is
    /// in exactly one index, and each op updates one.
    by_size: SizeIndex,
    /// Whether `by_size` (rather than `tree`) is maintained.
    sized: bool,
    /// Under best fit, the last block of the arena when it is free (the top),
    /// kept out of `by_size`: carving from it or merging into it then updates
    /// one record. [`NIL`] when the last block is used, and always [`NIL`]
    /// under the other strategies (the address tree keeps a top of its own).
    top: u32,
    /// Every used block by offset.
    used: OffsetMap,
    /// End of the previous strategy-placed allocation: where next fit starts.
    rover: usize,
    /// The block that followed the last strategy-placed allocation (so began
    /// at the rover), or [`NIL`]: next fit's first guess, trusted only while
    /// its record says it is free, holds the rover and is big enough.
    rover_hint: u32,
    /// Number the next allocation request gets.
    next_seq: u64,
    /// Sum of the sizes of used blocks.
    used_bytes: usize,
    /// Sum of `requested` over used blocks.
    requested_bytes: usize,
    /// Σ size² over free blocks, for the L2 fragmentation. At most
    /// (Σ size)² ≤ (2^30)² = 2^60, so a `u64` holds it (a `u128` product is a
    /// library call in wasm32).
    free_sq: u64,
    peak_used: usize,
    peak_requested: usize,
    /// The highest end any block has had while used. Bytes are written only
    /// inside used blocks, so every byte at or above it is still 0.
    high_water: usize,
    failed_allocs: u64,
    last_searched: usize,
    /// The free list's order (`malloc.py`'s `-l`).
    order: ListOrder,
    /// Under any order but [`ListOrder::Address`] (`listed`), every free
    /// block's id, once each, front to back: the list the fit searches walk.
    /// Empty under the address order, where the indexes above are the list.
    list: Vec<u32>,
    /// Next fit under a list order: the entry its next search starts at
    /// (the remainder of the last placement, or the entry after it when
    /// there is none, or the block a merge took it into), or [`NIL`] for the
    /// front.
    list_rover: u32,
    /// Whether two entries next to each other in `list` may be next to each
    /// other in memory (the first ends where the second starts), which
    /// `malloc.py`'s coalescing pass would merge. False means none are: the
    /// pass, which walks the whole list, has nothing to do. Every change to
    /// the list checks the pairs it makes and sets it when one touches; a
    /// pass and [`coalesce_all`](Self::coalesce_all) clear it. (No other
    /// change makes a pair touch: a free block only loses bytes at its front,
    /// to a used block.)
    list_merge_due: bool,
    /// Under a size order: the entries whose key may have changed since the
    /// list was last sorted (a split or a merge resized them, or they are
    /// new, or the heap grew past them), each once (`list_dirty_bits` by
    /// id). Every other entry is in sorted order, so a sort re-places these
    /// alone.
    list_dirty: Vec<u32>,
    /// A bit per record id: whether it is in `list_dirty`.
    list_dirty_bits: Vec<u64>,
    /// Whether the heap grows with `sbrk` (as CS:APP's malloc lab's does)
    /// rather than being the whole arena: the heap is the arena below the
    /// high-water mark, and the bytes above it are not yet part of it. The
    /// fit searches see every free block only below the mark (only the last
    /// block can reach above it); when nothing fits there, the heap grows:
    /// the last block, when free, is taken as a whole. Off (a fixed arena)
    /// by default; the free tree's `brk` follows the mark while it is on.
    sbrk: bool,
}

impl FreeListAllocator {
    /// Builds an allocator whose arena is one free block.
    ///
    /// # Errors
    /// [`AllocError::BadConfig`] when [`Config::validate`] fails,
    /// [`AllocError::HostMemory`] when the host cannot provide the arena.
    ///
    /// # Complexity
    /// O(arena size) to zero the bytes once.
    pub fn new(config: Config) -> Result<Self> {
        config.validate()?;
        Ok(Self::with_arena(config, Arena::new(config.arena_size)?))
    }

    /// Starts over as [`new`](Self::new) would with `config` (validated
    /// before, with this arena's size), reusing the arena's bytes: zeroed up
    /// to the high-water mark (nothing above it was ever written), with no
    /// second arena allocated.
    ///
    /// # Complexity
    /// O(high-water mark).
    pub(crate) fn reset(&mut self, config: Config) {
        debug_assert_eq!(config.arena_size, self.arena.len());
        *self = Self::with_arena(config, self.arena.take_zeroed(self.high_water));
    }

    /// The allocator over `arena` (zeroed, of `config.arena_size` bytes; the
    /// config validated) as one free block.
    fn with_arena(config: Config, arena: Arena) -> Self {
        let mut a = FreeListAllocator {
            config,
            arena,
            recs: Vec::new(),
            spare: Vec::new(),
            head: 0,
            tree: FreeTree::default(),
            by_size: SizeIndex::default(),
            sized: false,
            top: NIL,
            used: OffsetMap::default(),
            rover: 0,
            rover_hint: NIL,
            next_seq: 0,
            used_bytes: 0,
            requested_bytes: 0,
            free_sq: 0,
            peak_used: 0,
            peak_requested: 0,
            high_water: 0,
            failed_allocs: 0,
            last_searched: 0,
            order: ListOrder::Address,
            list: Vec::new(),
            list_rover: NIL,
            list_merge_due: false,
            list_dirty: Vec::new(),
            list_dirty_bits: Vec::new(),
            sbrk: false,
        };
        let id = a.new_rec(Rec {
            offset: 0,
            size: config.arena_size,
            requested: 0,
            seq: 0,
            prev: NIL,
            next: NIL,
            free: true,
            padding: false,
            headed: false,
        });
        a.head = id;
        a.index_free(id);
        a.set_strategy(config.strategy);
        a
    }

    /// The configuration, with the current strategy and coalescing flag.
    pub fn config(&self) -> Config {
        self.config
    }

    /// The current strategy.
    pub fn strategy(&self) -> Strategy {
        self.config.strategy
    }

    /// Switches the strategy; the blocks and the next-fit rover are kept.
    ///
    /// # Complexity
    /// O(n log n) when switching to or from best fit (one free-block index is
    /// built from the other then), else O(1).
    pub fn set_strategy(&mut self, strategy: Strategy) {
        self.config.strategy = strategy;
        let sized = strategy == Strategy::BestFit;
        if sized != self.sized {
            let ids = self.free_ids();
            if sized {
                // Inserted one by one: `collect` would sort first (and pull a sort into the wasm).
                for id in ids {
                    let Rec { offset, size, .. } = self.recs[id as usize];
                    self.size_index_add(id, offset, size);
                }
                self.tree.clear();
            } else {
                for id in ids {
                    let Rec { offset, size, .. } = self.recs[id as usize];
                    self.tree.insert(id, offset, size);
                }
                self.by_size.clear();
                self.top = NIL;
            }
        }
        self.sized = sized;
    }

    /// The order the free list is kept in.
    pub fn list_order(&self) -> ListOrder {
        self.order
    }

    /// Keeps the free list in `order` from now on: the free blocks are put
    /// in that order at once (by address, then sorted by size, stably, for
    /// the size orders; by address for the insertion orders). The blocks do
    /// not move. Back to the address order with coalescing on, adjacent free
    /// blocks that another order left are merged at once (as
    /// [`set_coalesce`](Self::set_coalesce) promises for that order).
    ///
    /// # Complexity
    /// O(n²) for the size orders (a whole insertion sort), O(n log n) otherwise; the
    /// heap sets it once, on an arena that is one free block.
    pub fn set_list_order(&mut self, order: ListOrder) {
        self.order = order;
        self.list_rover = NIL;
        self.list = if order == ListOrder::Address {
            Vec::new()
        } else {
            self.free_ids()
        };
        if self.size_ordered() {
            let mut list = std::mem::take(&mut self.list);
            insertion_sort(
                &mut list,
                |id| self.list_key(id),
                |a, b| self.sorts_after(a, b),
            );
            self.list = list;
        }
        // (The blocks in a new order: any pair may touch.)
        self.list_merge_due = true;
        if order == ListOrder::Address && self.config.coalesce {
            self.coalesce_all();
        }
    }

    /// Whether the list entries at `i` and `i + 1` touch in memory (false
    /// when either is missing).
    fn touching(&self, i: usize) -> bool {
        let (Some(&a), Some(&b)) = (self.list.get(i), self.list.get(i + 1)) else {
            return false;
        };
        let ra = &self.recs[a as usize];
        ra.offset + ra.size == self.recs[b as usize].offset
    }

    /// Notes the pairs around list position `i` (with the entry before it
    /// and the one after it) that a change there made: see
    /// [`list_merge_due`](Self::list_merge_due).
    fn check_pairs_at(&mut self, i: usize) {
        if self.list_merge_due {
            return;
        }
        self.list_merge_due = (i > 0 && self.touching(i - 1)) || self.touching(i);
    }

    /// Whether the heap grows with `sbrk` (see [`set_sbrk`](Self::set_sbrk)).
    pub fn sbrk(&self) -> bool {
        self.sbrk
    }

    /// Makes the heap grow with `sbrk` (`on`), as CS:APP's malloc lab heap
    /// does, or be the whole arena (off, the default). With it on the heap is
    /// the arena below the high-water mark: every strategy searches the free
    /// blocks there (the last block only for its bytes below the mark), and
    /// only when none fits does the heap grow, into the last block when it is
    /// free (as `mm_malloc` calls `extend_heap`, by just the bytes needed).
    /// So the high-water mark is the heap each policy needs. The blocks do
    /// not change; the heap sets it once, on an arena that is one free block.
    ///
    /// # Complexity
    /// O(1).
    pub fn set_sbrk(&mut self, on: bool) {
        self.sbrk = on;
        self.tree
            .set_brk(if on { self.high_water } else { usize::MAX });
    }

    /// The end of the heap the fit searches see: the high-water mark when
    /// the heap grows with `sbrk`, else no end.
    #[inline(always)]
    fn heap_end(&self) -> usize {
        if self.sbrk {
            self.high_water
        } else {
            usize::MAX
        }
    }

    /// The bytes of a free block at `offset` of `size` bytes that the fit
    /// searches see: all of them, or those below the heap's end.
    #[inline(always)]
    fn in_heap(&self, offset: usize, size: usize) -> usize {
        size.min(self.heap_end().saturating_sub(offset))
    }

    /// Whether a list other than the address order is kept.
    #[inline(always)]
    fn listed(&self) -> bool {
        self.order != ListOrder::Address
    }

    /// The key a size order sorts entry `id` by: its bytes as the searches
    /// see them (with sbrk, the last block's in the heap; a split's remainder
    /// keeps its place until the next free re-sorts it, and so does a top
    /// the heap grew past).
    fn list_key(&self, id: u32) -> usize {
        let r = &self.recs[id as usize];
        self.in_heap(r.offset, r.size)
    }

    /// Whether key `a` sorts strictly after key `b` in this size order.
    fn sorts_after(&self, a: usize, b: usize) -> bool {
        if self.order == ListOrder::SizeDescending {
            a < b
        } else {
            a > b
        }
    }

    /// Whether the list is kept sorted by size.
    #[inline(always)]
    fn size_ordered(&self) -> bool {
        matches!(
            self.order,
            ListOrder::SizeAscending | ListOrder::SizeDescending
        )
    }

    /// Notes that the key of entry `id` may have changed (or that it is
    /// new), under a size order: the next sort re-places it.
    #[inline(always)]
    fn mark_unsorted(&mut self, id: u32) {
        // (One test on the fit strategies' path; the rest out of line.)
        if self.size_ordered() {
            self.mark_unsorted_listed(id);
        }
    }

    #[inline(never)]
    fn mark_unsorted_listed(&mut self, id: u32) {
        let (w, b) = (id as usize / 64, id as usize % 64);
        if self.list_dirty_bits.len() <= w {
            self.list_dirty_bits.resize(w + 1, 0);
        }
        if self.list_dirty_bits[w] & (1 << b) == 0 {
            self.list_dirty_bits[w] |= 1 << b;
            self.list_dirty.push(id);
        }
    }

    /// Sorts the list by size as a size order keeps it (a stable sort, as
    /// Python's: equal sizes keep their places). Only the entries a split or
    /// a merge resized since the last sort, or new ones, can be out of
    /// place (`list_dirty`): they are taken out and put back where a stable
    /// sort of the whole list puts them (after the equal sizes before them
    /// in the list, before those after), found by binary search. The list
    /// is rearranged in place: only the entries from the first one moved
    /// shift, by memory moves.
    ///
    /// # Complexity
    /// O(n + k log n + k²) for k entries out of place: a scan that finds
    /// them (comparisons only, for up to [`FEW_DIRTY`] of them) and the
    /// shifts.
    fn sort_list(&mut self) {
        if !self.size_ordered() || self.list_dirty.is_empty() {
            return;
        }
        let at = self.dirty_positions();
        if at.is_empty() {
            // (Those marked have all left the list since.)
            self.clear_dirty();
            return;
        }
        let recs = &self.recs;
        let key = |id: u32| self.list_key(id);
        let later = |a: usize, b: usize| self.sorts_after(a, b);
        let list = &self.list;
        // The entries out of place, as (key, index in the list, id).
        let mut moved: Vec<(usize, usize, u32)> =
            at.iter().map(|&i| (key(list[i]), i, list[i])).collect();
        // The index in the list of clean entry `q` (the q-th entry not
        // moved): q plus the moved entries before it, the t with
        // at[t] - t <= q (at[t] - t never falls).
        let list_index = |q: usize| {
            let (mut lo, mut hi) = (0, at.len());
            while lo < hi {
                let mid = (lo + hi) / 2;
                if at[mid] - mid <= q {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            q + lo
        };
        let clean_len = list.len() - at.len();
        // The moved entries in sorted order: by key, ties by index.
        for x in 1..moved.len() {
            let m = moved[x];
            let mut y = x;
            while y > 0
                && (later(moved[y - 1].0, m.0) || (moved[y - 1].0 == m.0 && moved[y - 1].1 > m.1))
            {
                moved[y] = moved[y - 1];
                y -= 1;
            }
            moved[y] = m;
        }
        // Where each goes among the clean entries: after those that sort
        // before it (a key before its own, or an equal key earlier in the list).
        let goes_before = |q: usize, k: usize, i: usize| {
            let li = list_index(q);
            let kc = key(list[li]);
            later(k, kc) || (kc == k && li < i)
        };
        let place: Vec<usize> = moved
            .iter()
            .map(|&(k, i, _)| {
                let (mut lo, mut hi) = (0, clean_len);
                while lo < hi {
                    let mid = (lo + hi) / 2;
                    if goes_before(mid, k, i) {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                lo
            })
            .collect();
        #[cfg(debug_assertions)]
        let reference = {
            let mut reference = list.clone();
            insertion_sort(&mut reference, key, later);
            reference
        };
        // Take the moved entries out (shifting the clean ones after the
        // first down), then put them in from the back (shifting the clean
        // ones after each up).
        let list = &mut self.list;
        let n = list.len();
        let mut w = at[0];
        for (t, &i) in at.iter().enumerate() {
            let end = at.get(t + 1).copied().unwrap_or(n);
            list.copy_within(i + 1..end, w);
            w += end - i - 1;
        }
        debug_assert_eq!(w, clean_len);
        let mut end = clean_len;
        for (t, (&p, m)) in place.iter().zip(&moved).enumerate().rev() {
            list.copy_within(p..end, p + t + 1);
            list[p + t] = m.2;
            end = p;
        }
        #[cfg(debug_assertions)]
        debug_assert_eq!(*list, reference, "the re-placed list is the stable sort");
        let out = &self.list;
        // The pairs the moves made (see `list_merge_due`): around each moved
        // entry's new place, and where each left a gap (the clean entry
        // before it there and whatever follows that entry now).
        let touch = |x: usize| {
            x + 1 < out.len() && {
                let ra = &recs[out[x] as usize];
                ra.offset + ra.size == recs[out[x + 1] as usize].offset
            }
        };
        let mut due = false;
        for (n, &p) in place.iter().enumerate() {
            let f = p + n;
            due = due || (f > 0 && touch(f - 1)) || touch(f);
        }
        for (t, &i) in at.iter().enumerate() {
            if due {
                break;
            }
            if i > 0 && (t == 0 || at[t - 1] != i - 1) {
                // The clean entry before the gap, and its place now.
                let q = i - 1 - t;
                let f = q + place.partition_point(|&p| p <= q);
                due = touch(f);
            }
        }
        self.list_merge_due |= due;
        self.clear_dirty();
    }

    /// Unmarks every entry marked out of place.
    fn clear_dirty(&mut self) {
        for id in std::mem::take(&mut self.list_dirty) {
            if let Some(w) = self.list_dirty_bits.get_mut(id as usize / 64) {
                *w &= !(1 << (id as usize % 64));
            }
        }
    }

    /// The indices in the list of the entries marked out of place
    /// (`list_dirty`), ascending. Up to [`FEW_DIRTY`] of them are found by
    /// comparing every entry with each (branch-free over blocks of entries,
    /// which compilers turn into vector compares); more, by their bits.
    fn dirty_positions(&self) -> Vec<usize> {
        let d = &self.list_dirty;
        let mut at = Vec::with_capacity(d.len());
        if d.len() <= FEW_DIRTY {
            let mut want = [d[0]; FEW_DIRTY];
            want[..d.len()].copy_from_slice(d);
            let hit = |x: u32| want.iter().fold(false, |h, &y| h | (x == y));
            const BLOCK: usize = 32;
            for (b, chunk) in self.list.chunks(BLOCK).enumerate() {
                if chunk.iter().fold(false, |h, &x| h | hit(x)) {
                    at.extend(
                        chunk
                            .iter()
                            .enumerate()
                            .filter(|&(_, &x)| hit(x))
                            .map(|(i, _)| b * BLOCK + i),
                    );
                }
            }
        } else {
            let bits = &self.list_dirty_bits;
            let is_dirty = |id: u32| {
                bits.get(id as usize / 64)
                    .is_some_and(|w| w & (1 << (id as usize % 64)) != 0)
            };
            at.extend(
                self.list
                    .iter()
                    .enumerate()
                    .filter(|&(_, &id)| is_dirty(id))
                    .map(|(i, _)| i),
            );
        }
        at
    }

    /// Puts the new free block `id` in the list as `malloc.py`'s `free`
    /// does: at the front or the back, or (size orders) at the back and
    /// then the whole list sorted.
    fn list_insert(&mut self, id: u32) {
        if self.order == ListOrder::InsertFront {
            self.list.insert(0, id);
            self.check_pairs_at(0);
        } else {
            self.list.push(id);
            self.check_pairs_at(self.list.len() - 1);
            self.mark_unsorted(id);
            self.sort_list();
        }
    }

    /// Takes `id` out of the list; next fit's start moves to the entry after
    /// it.
    fn list_remove(&mut self, id: u32) {
        if let Some(i) = self.list.iter().position(|&x| x == id) {
            self.list.remove(i);
            if i > 0 {
                // (The entries on either side are neighbours now.)
                self.check_pairs_at(i - 1);
            }
            if self.list_rover == id {
                self.list_rover = self.list.get(i).copied().unwrap_or(NIL);
            }
        }
    }

    /// `malloc.py`'s coalescing pass: front to back, an entry that starts
    /// where the one before it in the list ends is merged into it.
    fn list_coalesce(&mut self) {
        // Nothing touches: the pass would merge nothing (it walks the whole
        // list, O(n), on every free).
        if !self.list_merge_due {
            return;
        }
        let mut i = 0;
        while i + 1 < self.list.len() {
            let (a, b) = (self.list[i], self.list[i + 1]);
            let ra = self.recs[a as usize];
            if ra.offset + ra.size == self.recs[b as usize].offset {
                debug_assert_eq!(ra.next, b, "contiguous blocks are neighbours");
                if self.list_rover == b {
                    self.list_rover = a;
                }
                self.absorb_next(a);
            } else {
                i += 1;
            }
        }
        self.list_merge_due = false;
    }

    /// Turns coalescing on or off. Turning it on merges every run of adjacent
    /// free blocks at once (as [`coalesce_all`](Self::coalesce_all)), so that,
    /// under the address order, no two free blocks are ever adjacent while it
    /// is on. Under another list order later frees merge as `malloc.py -C`
    /// does, only blocks next to each other in the list, so adjacent free
    /// blocks can remain.
    ///
    /// # Complexity
    /// O(n log n) when turning it on, O(1) otherwise.
    pub fn set_coalesce(&mut self, on: bool) {
        self.config.coalesce = on;
        if on {
            self.coalesce_all();
        }
    }

    /// The arena bytes.
    pub fn arena(&self) -> &Arena {
        &self.arena
    }

    /// Number the next allocation request will get (see [`Block::seq`]).
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Bytes in used blocks. O(1).
    pub(crate) fn used_bytes(&self) -> usize {
        self.used_bytes
    }

    /// Requested bytes in used blocks. O(1).
    pub(crate) fn requested_bytes(&self) -> usize {
        self.requested_bytes
    }

    /// Free blocks examined by the last allocation request.
    pub fn last_searched(&self) -> usize {
        self.last_searched
    }

    /// Size of the largest free block; when the heap grows with `sbrk`
    /// ([`set_sbrk`](Self::set_sbrk)), the largest in the heap (the last
    /// block counted below the high-water mark only). O(1).
    #[inline]
    pub fn largest_free(&self) -> usize {
        if self.sized {
            let top = self
                .recs
                .get(self.top as usize)
                .map_or(0, |t| self.in_heap(t.offset, t.size));
            self.by_size.max_size().max(top)
        } else {
            self.tree.fit_max()
        }
    }

    /// Size of the largest free block as a whole, above the heap's end too
    /// (what a request may grow the heap into). O(1).
    fn largest_block(&self) -> usize {
        if self.sized {
            self.by_size.max_size().max(self.top_size())
        } else {
            self.tree.max_size()
        }
    }

    /// With `sbrk`: the last block when it is free and all of it is above
    /// the high-water mark, so not part of the heap yet. O(1).
    fn beyond(&self) -> Option<u32> {
        if !self.sbrk {
            return None;
        }
        let w = self.wilderness()?;
        (self.recs[w as usize].offset >= self.high_water).then_some(w)
    }

    /// With `sbrk`: the free bytes above the high-water mark (of the last
    /// block), which are not part of the heap yet; 0 otherwise. O(1).
    pub(crate) fn beyond_bytes(&self) -> usize {
        if !self.sbrk {
            return 0;
        }
        self.wilderness().map_or(0, |w| {
            let r = self.recs[w as usize];
            (r.offset + r.size).saturating_sub(self.high_water.max(r.offset))
        })
    }

    /// The most blocks the arena can hold: one per granule. O(1).
    pub(crate) fn max_blocks(&self) -> usize {
        self.config.arena_size / self.granularity()
    }

    /// Block records held, free ids included (at least the blocks). O(1).
    pub(crate) fn records(&self) -> usize {
        self.recs.len()
    }

    /// An upper bound on the bytes `k` more blocks may add to the records
    /// outside the arena (see [`headroom`](crate::headroom)): each vector or
    /// table that would outgrow its room counts the room it would grow to.
    /// `switch`: a change of strategy may come, to or from best fit, which
    /// builds the other index over every free block.
    ///
    /// # Complexity
    /// O(1).
    pub(crate) fn growth(&self, k: usize, switch: bool) -> usize {
        let recs = self.recs.len().saturating_add(k);
        let mut bytes = headroom::vec_growth(&self.recs, k)
            .saturating_add(headroom::vec_growth(&self.spare, k))
            .saturating_add(self.used.growth(k));
        if self.listed() {
            bytes = bytes.saturating_add(headroom::vec_growth(&self.list, k));
        }
        if self.size_ordered() {
            // A sort's work space (`sort_list`, which rearranges the list
            // in place): per entry out of place its key, index, place and
            // position (at most six words) and id; the ids and bits that mark them.
            let n = self.list.len().saturating_add(k);
            let per = std::mem::size_of::<u32>() + 6 * std::mem::size_of::<usize>();
            bytes = headroom::bound(n, per + std::mem::size_of::<u32>(), bytes);
            bytes = headroom::bound(recs / 64 + 1, std::mem::size_of::<u64>(), bytes);
        }
        let free = self.indexed_free_blocks().saturating_add(k);
        // The free blocks' ids, listed to be indexed anew on a switch, or
        // searched by an aligned request (a slab's, too) under best or worst fit.
        bytes = headroom::bound(free, std::mem::size_of::<u32>(), bytes);
        if !self.sized || switch {
            let k = if self.sized { free } else { k };
            bytes = bytes.saturating_add(self.tree.growth(k, recs));
        }
        if self.sized || switch {
            let k = if self.sized { k } else { free };
            bytes = bytes.saturating_add(self.by_size.growth(k));
        }
        bytes
    }

    /// Number of free blocks; when the heap grows with `sbrk`, those in the
    /// heap (not the last block when all of it is above the high-water
    /// mark). The searched counts count these. O(1).
    pub fn free_block_count(&self) -> usize {
        self.indexed_free_blocks() - usize::from(self.beyond().is_some())
    }

    /// Number of free blocks, the heap's or not: the entries of the free
    /// indexes. O(1).
    pub(crate) fn indexed_free_blocks(&self) -> usize {
        if self.sized {
            self.by_size.len() + usize::from(self.top != NIL)
        } else {
            self.tree.len()
        }
    }

    // ----- allocation -------------------------------------------------------

    /// Allocates `size` bytes (rounded up to the granularity) by the current
    /// strategy and returns the offset of the block. The block is placed at the
    /// start of the chosen free block; the rest stays free right after it.
    /// The bytes are not touched.
    ///
    /// # Errors
    /// - [`AllocError::ZeroSize`] for `size == 0` (nothing changes);
    /// - [`AllocError::OutOfMemory`] when no free block fits. The blocks stay as
    ///   they were; the request still consumes its sequence number, counts as a
    ///   failed allocation and records the blocks searched (all of them).
    ///
    /// # Complexity
    /// O(log n) expected in the number of blocks; O(n) under a list order
    /// other than by address ([`set_list_order`](Self::set_list_order)).
    pub fn alloc(&mut self, size: usize) -> Result<usize> {
        let seq = self.take_seq(size)?;
        self.alloc_seq(size, seq)
    }

    /// Like [`alloc`](Self::alloc), then fills the whole block with zeros: the
    /// one operation that writes zeros.
    ///
    /// # Errors
    /// As [`alloc`](Self::alloc).
    ///
    /// # Complexity
    /// O(log n) plus the size of the block.
    pub fn alloc_zeroed(&mut self, size: usize) -> Result<usize> {
        let off = self.alloc(size)?;
        let len = self.recs[self.used.get(off).expect("just allocated") as usize].size;
        self.arena.bytes_mut()[off..off + len].fill(0);
        Ok(off)
    }

    /// Allocates `size` bytes whose data starts at a multiple of `align`: the
    /// block's offset, or with a [`Config::header`] the first byte after it
    /// (as `memalign` aligns the pointer it returns, not the header in front
    /// of it). The padding between the start of the chosen free block and the
    /// allocation stays a free block (marked [`Block::padding`]). With `align`
    /// no larger than the granularity this is [`alloc`](Self::alloc).
    ///
    /// The strategies choose among the free blocks that can hold the aligned
    /// request: first fit the lowest, next fit the first from the rover, best
    /// fit the smallest, worst fit the largest.
    ///
    /// # Errors
    /// - [`AllocError::BadAlign`] when `align` is not a power of two or exceeds the arena;
    /// - otherwise as [`alloc`](Self::alloc).
    ///
    /// # Complexity
    /// As `alloc` when `align` does not exceed the granularity. Beyond it,
    /// first and next fit cost O(log n) per free block that is large enough
    /// but skipped for its padding (a block of `size + align` bytes always
    /// fits); best and worst fit examine every free block, O(n).
    pub fn alloc_aligned(&mut self, size: usize, align: usize) -> Result<usize> {
        if !align.is_power_of_two() || align > self.config.arena_size {
            return Err(AllocError::BadAlign { align });
        }
        let seq = self.take_seq(size)?;
        self.alloc_aligned_seq(size, align, seq)
    }

    /// [`alloc_aligned`](Self::alloc_aligned) with a sequence number already
    /// taken and `align` already checked.
    pub(crate) fn alloc_aligned_seq(
        &mut self,
        size: usize,
        align: usize,
        seq: u64,
    ) -> Result<usize> {
        if align <= self.granularity() {
            return self.alloc_seq(size, seq);
        }
        let lead = self.config.header;
        self.alloc_aligned_rounded(self.round(size), size, align, lead, seq)
    }

    /// A slab's own block: as [`alloc_aligned_seq`](Self::alloc_aligned_seq)
    /// but without the config's header (a slab is the slab allocator's
    /// memory, not a request; its chunks carry no headers either).
    pub(crate) fn alloc_slab_seq(&mut self, size: usize, align: usize, seq: u64) -> Result<usize> {
        let off = self.alloc_aligned_rounded(self.round_raw(size), size, align, 0, seq)?;
        let id = self.used.get(off).expect("just allocated");
        self.recs[id as usize].headed = false;
        Ok(off)
    }

    /// Places `size` bytes as a block of `r` bytes whose byte `lead` (the
    /// data after a header, or the block's start for 0) is at a multiple of
    /// `align`.
    fn alloc_aligned_rounded(
        &mut self,
        r: Option<usize>,
        size: usize,
        align: usize,
        lead: usize,
        seq: u64,
    ) -> Result<usize> {
        let (found, searched) = self.search_aligned(r, align, lead);
        self.last_searched = searched;
        let Some((id, pad)) = found else {
            return Err(self.oom(r));
        };
        let r = r.expect("a fit implies a rounded size");
        Ok(self.place(id, pad, r, size, seq))
    }

    /// Changes the size of the live block at `offset` and returns its (maybe
    /// new) offset. Shrinking happens in place (the tail becomes free); growing
    /// happens in place when the next block is free and large enough; else the
    /// block moves: a new block is chosen by the strategy, the old block's bytes
    /// are copied and the old block is freed. The block keeps its `seq`.
    ///
    /// # Errors
    /// - [`AllocError::InvalidFree`] / [`AllocError::DoubleFree`] when `offset`
    ///   is not a live block (as [`free`](Self::free));
    /// - [`AllocError::ZeroSize`] for `new_size == 0`;
    /// - [`AllocError::OutOfMemory`] when it must move and nothing fits: the
    ///   old block stays, untouched.
    ///
    /// # Complexity
    /// O(log n), plus the bytes copied when it moves.
    pub fn realloc(&mut self, offset: usize, new_size: usize) -> Result<usize> {
        let id = self.live(offset)?;
        if new_size == 0 {
            return Err(AllocError::ZeroSize);
        }
        let rec = self.recs[id as usize];
        let Some(r) = self.round(new_size) else {
            self.last_searched = self.free_block_count();
            return Err(self.oom(None));
        };
        if r <= rec.size {
            self.last_searched = 0;
            self.shrink(id, r);
            self.set_requested(id, new_size);
            return Ok(offset);
        }
        let next = rec.next;
        if next != NIL
            && self.recs[next as usize].free
            && rec.size + self.recs[next as usize].size >= r
        {
            self.last_searched = 0;
            let need = r - rec.size;
            self.take_front(next, need);
            self.recs[id as usize].size = r;
            self.used_bytes += need;
            self.set_requested(id, new_size);
            self.bump_peaks(offset + r);
            return Ok(offset);
        }
        let (found, searched) = self.search(r);
        self.last_searched = searched;
        let Some(fid) = found else {
            return Err(self.oom(Some(r)));
        };
        // The peaks are measured after each op, as CS:APP's driver measures
        // them: not at the moment both blocks are live.
        let peaks = (self.peak_used, self.peak_requested);
        let new_off = self.place(fid, 0, r, new_size, rec.seq);
        (self.peak_used, self.peak_requested) = peaks;
        self.arena
            .bytes_mut()
            .copy_within(offset..offset + rec.size, new_off);
        self.release(id);
        self.bump_peaks(new_off + r);
        Ok(new_off)
    }

    /// Frees the block that starts at `offset`, merging it with a free next and
    /// a free previous block (by address) when coalescing is on. The bytes are
    /// not touched.
    ///
    /// # Errors
    /// - [`AllocError::DoubleFree`] when `offset` lies in a free block;
    /// - [`AllocError::InvalidFree`] when it is not the start of a live block.
    ///
    /// Nothing changes on error.
    ///
    /// # Complexity
    /// O(log n) expected; O(n) under a list order other than by address (the
    /// list's insertion, re-sort and coalescing pass walk it).
    pub fn free(&mut self, offset: usize) -> Result<()> {
        self.free_seq(offset).map(drop)
    }

    /// [`free`](Self::free), returning the freed block's `seq`.
    #[inline(always)]
    pub(crate) fn free_seq(&mut self, offset: usize) -> Result<u64> {
        let id = self.live(offset)?;
        let seq = self.recs[id as usize].seq;
        self.release(id);
        Ok(seq)
    }

    pub(crate) fn set_last_searched(&mut self, n: usize) {
        // (No store when it holds already: slab allocs set 0 again and again.)
        if self.last_searched != n {
            self.last_searched = n;
        }
    }

    /// Allocation requests refused so far. O(1).
    pub(crate) fn failed_allocs(&self) -> u64 {
        self.failed_allocs
    }

    /// Merges every run of adjacent free blocks and returns how many merges it
    /// made. Useful after frees with coalescing off.
    ///
    /// # Complexity
    /// O(n log n).
    pub fn coalesce_all(&mut self) -> usize {
        // Under a list order the list is set aside and the merged-away blocks
        // dropped from it once at the end (one removal per merge would make
        // this O(n × merges)); the blocks that absorbed them keep their places.
        let list = std::mem::take(&mut self.list);
        let merges = self.merge_runs();
        if self.listed() {
            let recs = &self.recs;
            self.list = list
                .into_iter()
                .filter(|&id| recs[id as usize].free && recs[id as usize].size > 0)
                .collect();
            if !self.list.contains(&self.list_rover) {
                self.list_rover = NIL;
            }
        }
        // No two free blocks touch now.
        self.list_merge_due = false;
        merges
    }

    /// Merges every run of adjacent free blocks; returns how many merges.
    fn merge_runs(&mut self) -> usize {
        let mut merges = 0;
        let mut id = self.head;
        while id != NIL {
            let next = self.recs[id as usize].next;
            if self.recs[id as usize].free && next != NIL && self.recs[next as usize].free {
                // Next fit goes on from the block that took its entry in, as
                // after a free's merge (`list_coalesce`).
                if self.list_rover == next {
                    self.list_rover = id;
                }
                self.absorb_next(id);
                merges += 1;
            } else {
                id = next;
            }
        }
        merges
    }

    // ----- bytes -------------------------------------------------------------

    /// `len` bytes of the arena from `offset`, free or used (stale bytes included).
    ///
    /// # Errors
    /// [`AllocError::OutOfBounds`] when the range leaves the arena.
    pub fn read(&self, offset: usize, len: usize) -> Result<&[u8]> {
        self.arena.read(offset, len)
    }

    /// Writes `data` at `offset`, which must lie, with all of `data`, inside one
    /// live block.
    ///
    /// # Errors
    /// [`AllocError::OutOfBounds`] otherwise; nothing is written.
    ///
    /// # Complexity
    /// O(n) to find the block containing `offset`, plus the bytes written.
    pub fn write(&mut self, offset: usize, data: &[u8]) -> Result<()> {
        let oob = AllocError::OutOfBounds {
            offset,
            len: data.len(),
        };
        let Some(b) = self.block_containing(offset) else {
            return Err(oob);
        };
        if b.free || offset + data.len() > b.end() {
            return Err(oob);
        }
        self.arena.bytes_mut()[offset..offset + data.len()].copy_from_slice(data);
        Ok(())
    }

    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        self.arena.bytes_mut()
    }

    // ----- observation -------------------------------------------------------

    /// Every block in address order.
    ///
    /// # Complexity
    /// O(1) per block.
    pub fn blocks(&self) -> impl Iterator<Item = Block> + '_ {
        let mut id = self.head;
        std::iter::from_fn(move || {
            if id == NIL {
                return None;
            }
            let r = self.recs[id as usize];
            id = r.next;
            Some(self.view(&r))
        })
    }

    /// The block that starts at `offset`, free or used.
    ///
    /// # Complexity
    /// O(1) expected for a used block; O(log n) for a free block, O(n) under
    /// best fit (which keeps no address index).
    pub fn block_at(&self, offset: usize) -> Option<Block> {
        if let Some(id) = self.used.get(offset) {
            return Some(self.view(&self.recs[id as usize]));
        }
        let id = self.free_containing(offset)?;
        let r = &self.recs[id as usize];
        (r.offset == offset).then(|| self.view(r))
    }

    /// The block that contains byte `offset`.
    ///
    /// # Complexity
    /// O(n).
    pub fn block_containing(&self, offset: usize) -> Option<Block> {
        self.blocks()
            .find(|b| b.offset <= offset && offset < b.end())
    }

    /// The free blocks as `(offset, size)` in the list's order (by address
    /// unless [`set_list_order`](Self::set_list_order) said otherwise):
    /// OSTEP's free list.
    ///
    /// # Complexity
    /// O(n).
    pub fn free_list(&self) -> Vec<(usize, usize)> {
        let ids = if self.listed() {
            self.list.clone()
        } else {
            self.free_ids()
        };
        ids.into_iter()
            .map(|id| (self.recs[id as usize].offset, self.recs[id as usize].size))
            .collect()
    }

    /// The statistics.
    ///
    /// # Complexity
    /// O(1).
    pub fn stats(&self) -> Stats {
        // With sbrk, the free bytes and blocks are the heap's: the last
        // block's bytes above the high-water mark are not part of it yet.
        let beyond = self.beyond_bytes();
        let free_bytes = self.config.arena_size - self.used_bytes - beyond;
        let largest = self.largest_free();
        let free_sq = match self.wilderness() {
            Some(w) if beyond > 0 => {
                let size = self.recs[w as usize].size;
                self.free_sq - sq(size) + sq(size - beyond)
            }
            _ => self.free_sq,
        };
        // The largest request that can succeed may grow the heap.
        let block = self.largest_block();
        Stats {
            arena_size: self.config.arena_size,
            used_bytes: self.used_bytes,
            free_bytes,
            requested_bytes: self.requested_bytes,
            largest_free: largest,
            free_blocks: self.free_block_count(),
            used_blocks: self.used.len(),
            external_fragmentation: stats::external(largest, free_bytes),
            l2_fragmentation: stats::l2(free_sq, free_bytes),
            internal_fragmentation: self.used_bytes - self.requested_bytes,
            utilization: stats::ratio(
                self.requested_bytes,
                if self.sbrk {
                    self.high_water
                } else {
                    self.config.arena_size
                },
            ),
            peak_used: self.peak_used,
            peak_requested: self.peak_requested,
            high_water: self.high_water,
            peak_utilization: stats::ratio(self.peak_requested, self.high_water),
            failed_allocs: self.failed_allocs,
            last_searched: self.last_searched,
            // The largest n whose block (n rounded up to align, plus the
            // header) fits the largest free block.
            largest_request: if self.config.header == 0 {
                block
            } else {
                block.saturating_sub(self.config.header) / self.config.align * self.config.align
            },
            free_chunks: 0,
            chunk_free_bytes: 0,
            list_free_blocks: self.free_block_count(),
            list_free_bytes: free_bytes,
        }
    }

    /// The fraction of free bytes that cannot serve a request of `size` bytes
    /// (after rounding): the bytes in free blocks smaller than it, over all free
    /// bytes. 0 when nothing is free.
    ///
    /// # Complexity
    /// O(n).
    pub fn unusable_free(&self, size: usize) -> f64 {
        let r = self.round(size.max(1)).unwrap_or(usize::MAX);
        // (With sbrk, the heap's free bytes: each block's below the mark.)
        let small: usize = self
            .free_ids()
            .into_iter()
            .map(|id| {
                let Rec { offset, size, .. } = self.recs[id as usize];
                self.in_heap(offset, size)
            })
            .filter(|&s| s < r)
            .sum();
        stats::ratio(
            small,
            self.config.arena_size - self.used_bytes - self.beyond_bytes(),
        )
    }

    /// Checks every invariant: the blocks tile the arena with no gap or
    /// overlap and respect the granularity; with coalescing on no two free
    /// blocks are adjacent; the free tree, the size index and the used map
    /// agree with the block list; the counters agree with a recount.
    ///
    /// # Errors
    /// A description of the first broken invariant.
    ///
    /// # Complexity
    /// O(n log n).
    pub fn check_invariants(&self) -> std::result::Result<(), String> {
        let align = self.granularity();
        let mut expect = 0usize;
        let mut prev = NIL;
        let mut id = self.head;
        let (mut used_bytes, mut requested, mut used_n, mut free_sq) =
            (0usize, 0usize, 0usize, 0u64);
        let mut frees = Vec::new();
        let mut prev_free = false;
        let mut seen = 0usize;
        while id != NIL {
            seen += 1;
            if seen > self.recs.len() {
                return Err("block list has a cycle".into());
            }
            let r = self.recs[id as usize];
            if r.prev != prev {
                return Err(format!("block at {} has a wrong prev link", r.offset));
            }
            if r.offset != expect {
                return Err(format!(
                    "gap or overlap: block at {} but expected {}",
                    r.offset, expect
                ));
            }
            if r.size == 0 || r.size % align != 0 || r.offset % align != 0 {
                return Err(format!(
                    "block at {} of size {} breaks granularity {align}",
                    r.offset, r.size
                ));
            }
            if r.free {
                // Under a list order coalescing merges neighbours in the list only.
                if self.config.coalesce && prev_free && !self.listed() {
                    return Err(format!(
                        "adjacent free blocks at {} with coalescing on",
                        r.offset
                    ));
                }
                if r.requested != 0 {
                    return Err(format!("free block at {} has requested bytes", r.offset));
                }
                frees.push((id, r.offset, r.size));
                free_sq += sq(r.size);
            } else {
                if r.padding {
                    return Err(format!("used block at {} marked as padding", r.offset));
                }
                let want = if r.headed {
                    self.round(r.requested)
                } else {
                    self.round_raw(r.requested)
                };
                if r.requested == 0 || want != Some(r.size) {
                    return Err(format!(
                        "used block at {} has bad requested {} for size {}",
                        r.offset, r.requested, r.size
                    ));
                }
                if r.seq >= self.next_seq {
                    return Err(format!("used block at {} has a future seq", r.offset));
                }
                if self.used.get(r.offset) != Some(id) {
                    return Err(format!("used map misses block at {}", r.offset));
                }
                used_bytes += r.size;
                requested += r.requested;
                used_n += 1;
            }
            prev_free = r.free;
            expect = r.offset + r.size;
            prev = id;
            id = r.next;
        }
        if expect != self.config.arena_size {
            return Err(format!(
                "blocks end at {expect}, arena at {}",
                self.config.arena_size
            ));
        }
        if seen + self.spare.len() != self.recs.len() {
            return Err("records leak: some ids are neither blocks nor spare".into());
        }
        self.tree.check()?;
        let in_tree: Vec<(u32, usize, usize)> = self
            .tree
            .in_order()
            .into_iter()
            .map(|id| (id, self.tree.key(id), self.tree.size(id)))
            .collect();
        if (!self.sized && in_tree != frees) || (self.sized && !in_tree.is_empty()) {
            return Err("free tree disagrees with the block list".into());
        }
        self.by_size.check()?;
        // Under best fit the last block, when free, is the top and the rest
        // are in the size index; otherwise both are empty.
        let last_free = frees
            .last()
            .filter(|&&(_, o, s)| o + s == self.config.arena_size)
            .map(|&(id, _, _)| id);
        let want_top = if self.sized { last_free } else { None };
        if self.top != want_top.unwrap_or(NIL) {
            return Err(format!(
                "top is {} but the last free block is {want_top:?}",
                self.top
            ));
        }
        if self.sized != (self.config.strategy == Strategy::BestFit)
            || (self.sized && self.by_size.len() + usize::from(self.top != NIL) != frees.len())
            || (!self.sized && self.by_size.len() != 0)
            || (self.sized
                && frees
                    .iter()
                    .any(|&(id, o, s)| id != self.top && self.by_size.get(s, o) != Some(id)))
        {
            return Err("size index disagrees with the block list".into());
        }
        let largest = frees.iter().map(|&(_, _, s)| s).max().unwrap_or(0);
        if self.largest_block() != largest || self.indexed_free_blocks() != frees.len() {
            return Err("largest free block or free block count disagrees".into());
        }
        if self.used.len() != used_n {
            return Err("used map has stale entries".into());
        }
        if used_bytes != self.used_bytes
            || requested != self.requested_bytes
            || free_sq != self.free_sq
        {
            return Err(format!(
                "counters disagree: used {used_bytes} vs {}, requested {requested} vs {}",
                self.used_bytes, self.requested_bytes
            ));
        }
        if self.peak_used < used_bytes || self.peak_requested < requested {
            return Err("peak below the current value".into());
        }
        let top = self
            .blocks()
            .filter(|b| !b.free)
            .map(|b| b.end())
            .max()
            .unwrap_or(0);
        if self.high_water < top || self.high_water > self.config.arena_size {
            return Err(format!(
                "high water {} below the highest used end {top}",
                self.high_water
            ));
        }
        // Blocks split only where a used block begins or ends, so no boundary
        // is above the mark: only the last block can reach past it (what a
        // heap that grows with `sbrk` leaves out of its searches).
        if let Some(b) = self
            .blocks()
            .find(|b| b.end() > self.high_water && b.end() < self.config.arena_size)
        {
            return Err(format!(
                "block at {} ends at {}, above the high water {} and before the arena's end",
                b.offset,
                b.end(),
                self.high_water
            ));
        }
        if self.rover > self.config.arena_size {
            return Err("rover outside the arena".into());
        }
        // The list holds every free block once (none under the address order).
        let mut in_list = vec![false; self.recs.len()];
        for &id in &self.list {
            let ok = self
                .recs
                .get(id as usize)
                .is_some_and(|r| r.free && r.size > 0);
            if !ok || in_list[id as usize] {
                return Err(format!("the {} list holds {id} wrongly", self.order));
            }
            in_list[id as usize] = true;
        }
        if self.list.len() != if self.listed() { frees.len() } else { 0 } {
            return Err(format!("the {} list misses free blocks", self.order));
        }
        // No pair of list neighbours touches unless a merge is due.
        if !self.list_merge_due {
            if let Some(i) = (0..self.list.len()).find(|&i| self.touching(i)) {
                return Err(format!(
                    "list entries {i} and {} touch, and no merge is due",
                    i + 1
                ));
            }
        }
        if self.list_rover != NIL && !self.list.contains(&self.list_rover) {
            return Err("next fit's list entry is not in the list".into());
        }
        Ok(())
    }

    // ----- internals ---------------------------------------------------------

    fn view(&self, r: &Rec) -> Block {
        Block {
            offset: r.offset,
            size: r.size,
            free: r.free,
            requested: r.requested,
            seq: (!r.free).then_some(r.seq),
            class: None,
            padding: r.padding,
        }
    }

    /// The bytes a block for a request of `size` takes: rounded up to
    /// `align`, plus the header (`None` on overflow).
    ///
    /// # Complexity
    /// O(1).
    pub fn block_size_for(&self, size: usize) -> Option<usize> {
        self.round(size)
    }

    /// A request's block size: rounded up to `align`, plus the header
    /// (`None` on overflow).
    #[inline]
    fn round(&self, size: usize) -> Option<usize> {
        self.round_raw(size)?.checked_add(self.config.header)
    }

    /// A request rounded up to `align`, without the header (a slab's own block).
    #[inline]
    fn round_raw(&self, size: usize) -> Option<usize> {
        // `align` is a power of two (validated): a mask, not a division.
        let m = self.config.align - 1;
        size.checked_add(m).map(|s| s & !m)
    }

    /// What every block offset and size is a multiple of: `align`, or 1 with
    /// a header (blocks of n rounded plus the header start anywhere).
    #[inline]
    fn granularity(&self) -> usize {
        if self.config.header > 0 {
            1
        } else {
            self.config.align
        }
    }

    /// Validates a request size and hands out its sequence number.
    fn take_seq(&mut self, size: usize) -> Result<u64> {
        if size == 0 {
            return Err(AllocError::ZeroSize);
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        Ok(seq)
    }

    /// Counts a refused allocation request.
    pub(crate) fn count_failure(&mut self) {
        self.failed_allocs += 1;
    }

    fn oom(&mut self, requested: Option<usize>) -> AllocError {
        self.failed_allocs += 1;
        AllocError::OutOfMemory {
            requested: requested.unwrap_or(usize::MAX),
            // (With sbrk, the heap's, as the statistics count it: the arena
            // above its end is no free block yet.)
            largest_free: self.largest_free(),
        }
    }

    #[inline(always)]
    pub(crate) fn alloc_seq(&mut self, size: usize, seq: u64) -> Result<usize> {
        let r = self.round(size);
        let (found, searched) = match r {
            Some(r) => self.search(r),
            None => (None, self.free_block_count()),
        };
        self.last_searched = searched;
        let Some(id) = found else {
            return Err(self.oom(r));
        };
        Ok(self.place(id, 0, r.expect("found implies rounded"), size, seq))
    }

    /// Hands out a sequence number without allocating (for slab chunks, which
    /// share the numbering).
    pub(crate) fn bump_seq(&mut self) -> u64 {
        let s = self.next_seq;
        self.next_seq += 1;
        s
    }

    /// Finds the free block for `r` bytes by the strategy: `(id, searched)`.
    /// When the heap grows with `sbrk` and nothing in it fits, the last
    /// block, when it is free and holds `r` bytes, with every free block
    /// searched.
    #[inline(always)]
    fn search(&self, r: usize) -> (Option<u32>, usize) {
        let found = self.search_heap(r);
        if found.0.is_none() && self.sbrk {
            return (self.grow_into(r, 1, 0).map(|(w, _)| w), found.1);
        }
        found
    }

    /// With `sbrk`, when nothing in the heap fits: the last block, when it
    /// is free and holds `r` bytes (byte `lead` at a multiple of `align`) as
    /// a whole, with the padding in front.
    fn grow_into(&self, r: usize, align: usize, lead: usize) -> Option<(u32, usize)> {
        let w = self.wilderness()?;
        let Rec { offset, size, .. } = self.recs[w as usize];
        Self::aligned_fit(offset, size, r, align, lead).map(|pad| (w, pad))
    }

    /// The last block of the arena when it is free (where the heap grows
    /// with `sbrk`), or `None`.
    fn wilderness(&self) -> Option<u32> {
        let top = if self.sized {
            self.top
        } else {
            self.tree.top().unwrap_or(NIL)
        };
        let t = self.recs.get(top as usize)?;
        (t.offset + t.size == self.config.arena_size).then_some(top)
    }

    /// [`search`](Self::search) within the heap.
    #[inline(always)]
    fn search_heap(&self, r: usize) -> (Option<u32>, usize) {
        if self.listed() {
            return self
                .search_list(|id| {
                    let Rec { offset, size, .. } = self.recs[id as usize];
                    (self.in_heap(offset, size) >= r).then_some(0)
                })
                .map_or((None, self.free_block_count()), |((id, _), k)| {
                    (Some(id), k)
                });
        }
        let n = self.free_block_count();
        match self.config.strategy {
            Strategy::FirstFit => match self.tree.first_fit(0, r) {
                Some((id, rank)) => (Some(id), rank + 1),
                None => (None, n),
            },
            Strategy::NextFit => {
                // Where the last allocation left off, usually the remainder it
                // split: when the free block holding the rover fits, it is the
                // answer and the first block searched, with no descent.
                if let Some(h) = self.recs.get(self.rover_hint as usize) {
                    let holds = h.offset <= self.rover && self.rover < h.offset + h.size;
                    if h.free && holds && self.in_heap(h.offset, h.size) >= r {
                        return (Some(self.rover_hint), 1);
                    }
                }
                let (start_key, r0) = self.rover_start();
                if let Some((id, k)) = self.tree.first_fit(start_key, r) {
                    return (Some(id), k - r0 + 1);
                }
                match self.tree.first_fit(0, r) {
                    Some((id, k)) => (Some(id), n - r0 + k + 1),
                    None => (None, n),
                }
            }
            Strategy::BestFit => {
                // The top is the highest-addressed block: it wins only when
                // strictly smaller than the index's answer.
                let top_size = self
                    .recs
                    .get(self.top as usize)
                    .map_or(0, |t| self.in_heap(t.offset, t.size));
                let top = (top_size >= r).then_some(self.top);
                let pick = match (self.by_size.best_fit(r), top) {
                    (Some(b), Some(_)) if top_size < self.recs[b as usize].size => top,
                    (Some(b), _) => Some(b),
                    (None, t) => t,
                };
                (pick, n)
            }
            // The largest block, the lowest-addressed of equals: the first
            // that holds the largest size.
            Strategy::WorstFit => {
                let max = self.tree.fit_max();
                if max < r {
                    return (None, n);
                }
                let (id, _) = self.tree.first_fit(0, max).expect("max is indexed");
                (Some(id), n)
            }
        }
    }

    /// Where next fit starts: the key of the free block that contains the
    /// rover, or the first free block after it (wrapping to the lowest), and
    /// that block's rank.
    fn rover_start(&self) -> (usize, usize) {
        let (floor, r0) = self.tree.floor_rank(self.rover);
        if let Some(id) = floor {
            let k = self.tree.key(id);
            if self.rover < k + self.tree.size(id) {
                // `r0` counts the block itself unless the rover is its start.
                return (k, if k == self.rover { r0 } else { r0 - 1 });
            }
        }
        if r0 == self.tree.len() {
            (0, 0)
        } else {
            (self.rover, r0)
        }
    }

    /// The search under a list order: walks the list front to back (next
    /// fit from [`list_rover`](Self::list_rover), wrapping once) with `fit`
    /// (a block's padding when the request fits in it), as `malloc.py`
    /// does: first and next fit take the first that fits, best and worst
    /// fit the smallest and the largest, the first of equals. `Some(((id,
    /// padding), searched))`, or `None` (every block searched).
    ///
    /// # Complexity
    /// O(n).
    fn search_list(&self, fit: impl Fn(u32) -> Option<usize>) -> Option<((u32, usize), usize)> {
        let n = self.list.len();
        let size = |id: u32| {
            let Rec { offset, size, .. } = self.recs[id as usize];
            self.in_heap(offset, size)
        };
        match self.config.strategy {
            Strategy::FirstFit | Strategy::NextFit => {
                let start = if self.config.strategy == Strategy::NextFit {
                    self.list
                        .iter()
                        .position(|&x| x == self.list_rover)
                        .unwrap_or(0)
                } else {
                    0
                };
                // (With sbrk, a last block all above the heap's end is in
                // the list but not in the heap: it does not count.)
                let beyond = self.beyond();
                let mut passed = 0;
                (0..n).find_map(|k| {
                    let id = self.list[(start + k) % n];
                    passed += usize::from(Some(id) == beyond);
                    fit(id).map(|pad| ((id, pad), k + 1 - passed))
                })
            }
            Strategy::BestFit | Strategy::WorstFit => {
                let worst = self.config.strategy == Strategy::WorstFit;
                let mut best: Option<(u32, usize)> = None;
                for &id in &self.list {
                    if let Some(pad) = fit(id) {
                        let better = match best {
                            None => true,
                            Some((b, _)) if worst => size(id) > size(b),
                            Some((b, _)) => size(id) < size(b),
                        };
                        if better {
                            best = Some((id, pad));
                        }
                    }
                }
                best.map(|b| (b, self.free_block_count()))
            }
        }
    }

    /// The padding in front of an aligned request of `r` bytes whose byte
    /// `lead` must be at a multiple of `align`, in a free block at `offset`
    /// of `size` bytes, when it fits there.
    fn aligned_fit(
        offset: usize,
        size: usize,
        r: usize,
        align: usize,
        lead: usize,
    ) -> Option<usize> {
        let pad = (offset + lead).next_multiple_of(align) - (offset + lead);
        (pad.checked_add(r)? <= size).then_some(pad)
    }

    /// The exact search for an aligned request whose byte `lead` must be at
    /// a multiple of `align`: `((id, padding), searched)`. When the heap
    /// grows with `sbrk` and nothing in it fits, the last block as a whole
    /// (as [`search`](Self::search)).
    fn search_aligned(
        &self,
        r: Option<usize>,
        align: usize,
        lead: usize,
    ) -> (Option<(u32, usize)>, usize) {
        let found = self.search_aligned_heap(r, align, lead);
        if let (None, Some(r), true) = (found.0, r, self.sbrk) {
            return (self.grow_into(r, align, lead), found.1);
        }
        found
    }

    /// [`search_aligned`](Self::search_aligned) within the heap.
    fn search_aligned_heap(
        &self,
        r: Option<usize>,
        align: usize,
        lead: usize,
    ) -> (Option<(u32, usize)>, usize) {
        let fit = |id: u32, r: usize| -> Option<usize> {
            let Rec { offset, size, .. } = self.recs[id as usize];
            Self::aligned_fit(offset, self.in_heap(offset, size), r, align, lead)
        };
        if self.listed() {
            let Some(r) = r else {
                return (None, self.free_block_count());
            };
            return self
                .search_list(|id| fit(id, r))
                .map_or((None, self.free_block_count()), |(f, k)| (Some(f), k));
        }
        let n = self.free_block_count();
        // First and next fit walk the blocks large enough for the request in
        // address order (a block of at least `r + align` bytes always fits),
        // so a search costs O(log n) per block skipped for its padding.
        let walk = |from: usize, r: usize| -> Option<((u32, usize), usize)> {
            let mut from = from;
            loop {
                let (id, rank) = self.tree.first_fit(from, r)?;
                if let Some(pad) = fit(id, r) {
                    return Some(((id, pad), rank));
                }
                from = self.tree.key(id) + 1;
            }
        };
        match (self.config.strategy, r) {
            (_, None) => (None, n),
            (Strategy::FirstFit, Some(r)) => match walk(0, r) {
                Some((f, rank)) => (Some(f), rank + 1),
                None => (None, n),
            },
            (Strategy::NextFit, Some(r)) => {
                let (start_key, r0) = self.rover_start();
                if let Some((f, k)) = walk(start_key, r) {
                    return (Some(f), k - r0 + 1);
                }
                match walk(0, r) {
                    Some((f, k)) if k < r0 => (Some(f), n - r0 + k + 1),
                    _ => (None, n),
                }
            }
            (Strategy::BestFit | Strategy::WorstFit, Some(r)) => {
                // Every block is examined: the best padding-aware fit is not
                // where the size index says.
                let worst = self.config.strategy == Strategy::WorstFit;
                let mut best: Option<(u32, usize)> = None;
                let size = |id: u32| {
                    let Rec { offset, size, .. } = self.recs[id as usize];
                    self.in_heap(offset, size)
                };
                for id in self.free_ids() {
                    if let Some(p) = fit(id, r) {
                        let s = size(id);
                        let better = match best {
                            None => true,
                            Some((b, _)) if worst => s > size(b),
                            Some((b, _)) => s < size(b),
                        };
                        if better {
                            best = Some((id, p));
                        }
                    }
                }
                (best, n)
            }
        }
    }

    /// Places a used block of `r` bytes `pad` bytes into the free block `id`.
    /// The padding stays free in front (keeping `id`), the remainder stays free
    /// behind. Returns the new block's offset.
    fn place(&mut self, id: u32, pad: usize, r: usize, requested: usize, seq: u64) -> usize {
        let f = self.recs[id as usize];
        debug_assert!(f.free && pad + r <= f.size);
        let start = f.offset + pad;
        let rest = f.size - pad - r;
        // Next fit under a list order goes on from the remainder: this entry
        // when it keeps its place behind the new block, the one after it when
        // it is used up (`list_remove`), or, after padding (below), the entry
        // split off behind it, or the entry after the padding when none is.
        if self.listed() {
            self.list_rover = id;
        }
        let uid;
        if pad == 0 {
            if rest == 0 {
                self.unindex_free(id);
                uid = id;
            } else {
                // The free record keeps its id and moves behind the new block.
                self.resize_free(id, f.offset + r, rest);
                self.recs[id as usize].padding = false;
                uid = self.new_rec(Rec {
                    offset: start,
                    size: r,
                    ..f
                });
                self.link_before(uid, id);
            }
        } else {
            self.resize_free(id, f.offset, pad);
            self.recs[id as usize].padding = true;
            uid = self.new_rec(Rec {
                offset: start,
                size: r,
                ..f
            });
            self.link_after(uid, id);
            // The list entry after the padding's.
            let after = if self.listed() {
                self.list.iter().position(|&x| x == id).map_or(0, |i| i + 1)
            } else {
                0
            };
            if rest > 0 {
                let rid = self.new_rec(Rec {
                    offset: start + r,
                    size: rest,
                    padding: false,
                    ..f
                });
                self.link_after(rid, uid);
                self.index_free(rid);
                if self.listed() {
                    // Right behind the padding it was split from.
                    self.list.insert(after, rid);
                    self.check_pairs_at(after);
                    self.mark_unsorted(rid);
                    self.list_rover = rid;
                }
            } else if self.listed() {
                self.list_rover = self.list.get(after).copied().unwrap_or(NIL);
            }
        }
        let u = &mut self.recs[uid as usize];
        u.free = false;
        u.padding = false;
        u.headed = true;
        u.requested = requested;
        u.seq = seq;
        self.used.insert(start, uid);
        self.used_bytes += r;
        self.requested_bytes += requested;
        self.rover = start + r;
        self.rover_hint = self.recs[uid as usize].next;
        self.bump_peaks(start + r);
        start
    }

    fn bump_peaks(&mut self, end: usize) {
        self.peak_used = self.peak_used.max(self.used_bytes);
        self.peak_requested = self.peak_requested.max(self.requested_bytes);
        if end > self.high_water {
            self.high_water = end;
            if self.sbrk {
                self.tree.set_brk(end);
                // The last block's key, its bytes in the heap, changed.
                if let Some(w) = self.wilderness() {
                    self.mark_unsorted(w);
                }
            }
        }
    }

    fn set_requested(&mut self, id: u32, requested: usize) {
        let old = self.recs[id as usize].requested;
        self.requested_bytes = self.requested_bytes - old + requested;
        self.recs[id as usize].requested = requested;
        self.peak_requested = self.peak_requested.max(self.requested_bytes);
    }

    /// The id of the live block at `offset`, or the error `free` reports.
    pub(crate) fn live(&self, offset: usize) -> Result<u32> {
        if let Some(id) = self.used.get(offset) {
            return Ok(id);
        }
        if self.free_containing(offset).is_some() {
            return Err(AllocError::DoubleFree { offset });
        }
        Err(AllocError::InvalidFree { offset })
    }

    /// The free block that contains byte `offset`.
    ///
    /// # Complexity
    /// O(log n); O(n) under best fit (which keeps no address index).
    fn free_containing(&self, offset: usize) -> Option<u32> {
        let inside = |id: u32| {
            let r = &self.recs[id as usize];
            r.free && r.offset <= offset && offset < r.offset + r.size
        };
        if self.sized {
            let mut id = self.head;
            while id != NIL {
                if inside(id) {
                    return Some(id);
                }
                id = self.recs[id as usize].next;
            }
            return None;
        }
        self.tree.floor(offset).filter(|&id| inside(id))
    }

    /// Ids of the free blocks in address order.
    ///
    /// # Complexity
    /// O(n) in the free blocks; in all blocks under best fit.
    fn free_ids(&self) -> Vec<u32> {
        if !self.sized {
            return self.tree.in_order();
        }
        let mut out = Vec::with_capacity(self.indexed_free_blocks());
        let mut id = self.head;
        while id != NIL {
            let r = &self.recs[id as usize];
            if r.free {
                out.push(id);
            }
            id = r.next;
        }
        out
    }

    /// Marks the used block `id` free and coalesces it as configured.
    fn release(&mut self, id: u32) {
        let r = self.recs[id as usize];
        self.used.remove(r.offset);
        self.used_bytes -= r.size;
        self.requested_bytes -= r.requested;
        let rec = &mut self.recs[id as usize];
        rec.free = true;
        rec.requested = 0;
        rec.padding = false;
        let next_free = r.next != NIL && self.recs[r.next as usize].free;
        let prev_free = r.prev != NIL && self.recs[r.prev as usize].free;
        if self.listed() {
            self.index_free(id);
            self.list_insert(id);
            if self.config.coalesce {
                self.list_coalesce();
            }
            return;
        }
        if !self.config.coalesce {
            self.index_free(id);
            return;
        }
        match (prev_free, next_free) {
            (false, false) => self.index_free(id),
            (false, true) => {
                // The next free block grows backwards over this one.
                let n = r.next;
                let ns = self.recs[n as usize].size;
                self.resize_free(n, r.offset, r.size + ns);
                self.recs[n as usize].padding = false;
                self.unlink(id);
            }
            (true, false) => {
                let p = r.prev;
                let po = self.recs[p as usize].offset;
                let ps = self.recs[p as usize].size;
                self.resize_free(p, po, ps + r.size);
                self.recs[p as usize].padding = false;
                self.unlink(id);
            }
            (true, true) => {
                let (p, n) = (r.prev, r.next);
                let ns = self.recs[n as usize].size;
                self.unindex_free(n);
                self.unlink(n);
                let po = self.recs[p as usize].offset;
                let ps = self.recs[p as usize].size;
                self.resize_free(p, po, ps + r.size + ns);
                self.recs[p as usize].padding = false;
                self.unlink(id);
            }
        }
    }

    /// Merges the free block after the free block `id` into it.
    fn absorb_next(&mut self, id: u32) {
        let n = self.recs[id as usize].next;
        let ns = self.recs[n as usize].size;
        self.unindex_free(n);
        self.unlink(n);
        let (o, s) = (self.recs[id as usize].offset, self.recs[id as usize].size);
        self.resize_free(id, o, s + ns);
        self.recs[id as usize].padding = false;
    }

    /// Shrinks the used block `id` to `r` bytes; the tail becomes free.
    fn shrink(&mut self, id: u32, r: usize) {
        let rec = self.recs[id as usize];
        let tail = rec.size - r;
        if tail == 0 {
            return;
        }
        self.recs[id as usize].size = r;
        self.used_bytes -= tail;
        let next = rec.next;
        if self.config.coalesce && !self.listed() && next != NIL && self.recs[next as usize].free {
            let ns = self.recs[next as usize].size;
            self.resize_free(next, rec.offset + r, ns + tail);
            self.recs[next as usize].padding = false;
        } else {
            let tid = self.new_rec(Rec {
                offset: rec.offset + r,
                size: tail,
                requested: 0,
                free: true,
                padding: false,
                ..rec
            });
            self.link_after(tid, id);
            self.index_free(tid);
            // Under a list order the tail goes in as a freed block would.
            if self.listed() {
                self.list_insert(tid);
                if self.config.coalesce {
                    self.list_coalesce();
                }
            }
        }
    }

    /// Takes `need` bytes off the front of the free block `id`.
    fn take_front(&mut self, id: u32, need: usize) {
        let f = self.recs[id as usize];
        if f.size == need {
            self.unindex_free(id);
            self.unlink(id);
        } else {
            self.resize_free(id, f.offset + need, f.size - need);
            self.recs[id as usize].padding = false;
        }
    }

    fn new_rec(&mut self, rec: Rec) -> u32 {
        let rec = Rec {
            prev: NIL,
            next: NIL,
            ..rec
        };
        if let Some(id) = self.spare.pop() {
            self.recs[id as usize] = rec;
            id
        } else {
            self.recs.push(rec);
            u32::try_from(self.recs.len() - 1).expect("fewer than 2^32 blocks")
        }
    }

    /// Puts `id` into the physical list right before `at`.
    fn link_before(&mut self, id: u32, at: u32) {
        let p = self.recs[at as usize].prev;
        self.recs[id as usize].prev = p;
        self.recs[id as usize].next = at;
        self.recs[at as usize].prev = id;
        if p == NIL {
            self.head = id;
        } else {
            self.recs[p as usize].next = id;
        }
    }

    /// Puts `id` into the physical list right after `at`.
    fn link_after(&mut self, id: u32, at: u32) {
        let n = self.recs[at as usize].next;
        self.recs[id as usize].prev = at;
        self.recs[id as usize].next = n;
        self.recs[at as usize].next = id;
        if n != NIL {
            self.recs[n as usize].prev = id;
        }
    }

    /// Takes `id` out of the physical list and recycles the record (marked
    /// used and empty, so that no stale hint can take it for a free block).
    #[inline(always)]
    fn unlink(&mut self, id: u32) {
        let Rec { prev, next, .. } = self.recs[id as usize];
        self.recs[id as usize].free = false;
        self.recs[id as usize].size = 0;
        if prev == NIL {
            self.head = next;
        } else {
            self.recs[prev as usize].next = next;
        }
        if next != NIL {
            self.recs[next as usize].prev = prev;
        }
        self.spare.push(id);
    }

    /// Size of the best-fit top (0 when none).
    #[inline]
    fn top_size(&self) -> usize {
        self.recs.get(self.top as usize).map_or(0, |t| t.size)
    }

    /// Best fit: the free block `id` becomes the top when it ends the arena,
    /// else goes into the size index.
    fn size_index_add(&mut self, id: u32, offset: usize, size: usize) {
        if offset + size == self.config.arena_size {
            debug_assert_eq!(self.top, NIL);
            self.top = id;
        } else {
            self.by_size.insert(size, offset, id);
        }
    }

    fn index_free(&mut self, id: u32) {
        let Rec { offset, size, .. } = self.recs[id as usize];
        if self.sized {
            self.size_index_add(id, offset, size);
        } else {
            self.tree.insert(id, offset, size);
        }
        self.free_sq += sq(size);
    }

    fn unindex_free(&mut self, id: u32) {
        if self.listed() {
            self.list_remove(id);
        }
        let Rec { offset, size, .. } = self.recs[id as usize];
        if self.sized {
            if id == self.top {
                self.top = NIL;
            } else {
                self.by_size.remove(size, offset);
            }
        } else {
            self.tree.remove(id);
        }
        self.free_sq -= sq(size);
    }

    /// Moves/resizes the free block `id` without changing its place in address order.
    fn resize_free(&mut self, id: u32, offset: usize, size: usize) {
        let old = self.recs[id as usize];
        if self.sized {
            if id == self.top {
                // It stays the top while it still ends the arena.
                if offset + size != self.config.arena_size {
                    self.top = NIL;
                    self.by_size.insert(size, offset, id);
                }
            } else {
                self.by_size.remove(old.size, old.offset);
                self.size_index_add(id, offset, size);
            }
        } else {
            self.tree.update(id, offset, size);
        }
        self.free_sq = self.free_sq - sq(old.size) + sq(size);
        let rec = &mut self.recs[id as usize];
        rec.offset = offset;
        rec.size = size;
        self.mark_unsorted(id);
    }
}

/// The stable insertion sort a size order's list had before it re-placed
/// only the entries out of place: the reference it is checked against (in
/// debug builds), and the first sort of a whole list.
fn insertion_sort(
    list: &mut [u32],
    key: impl Fn(u32) -> usize,
    later: impl Fn(usize, usize) -> bool,
) {
    for i in 1..list.len() {
        let id = list[i];
        let k = key(id);
        let mut j = i;
        // Strictly out of order only: equal sizes stay behind.
        while j > 0 && later(key(list[j - 1]), k) {
            list[j] = list[j - 1];
            j -= 1;
        }
        list[j] = id;
    }
}

/// `size²` (sizes are below 2^30, so it fits 60 bits).
#[inline]
fn sq(size: usize) -> u64 {
    (size as u64) * (size as u64)
}
