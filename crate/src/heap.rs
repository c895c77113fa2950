//! The playground's allocator: a free-list heap whose requests can, in slab
//! mode, be served from slab pools carved out of the same arena. This is what
//! the binding, the page and the replays drive; [`SlabAllocator`] is the same
//! thing fixed in slab mode.

use std::fmt;
use std::str::FromStr;

use crate::free_list::{Config, FreeListAllocator};
use crate::headroom;
use crate::slab::{Pools, DEFAULT_CLASSES, DEFAULT_SLAB_SIZE};
use crate::stats::{self, Stats};
use crate::{AllocError, Block, ListOrder, Result, Strategy};

/// Bytes a new heap allocates beside its arena, at most (see [`Heap::new`]).
const FIXED_BYTES: usize = 128 << 10;

/// Where allocation requests go: the free list by a strategy, or the slab pools.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// The free list, first fit.
    #[default]
    FirstFit,
    /// The free list, next fit.
    NextFit,
    /// The free list, best fit.
    BestFit,
    /// The free list, worst fit.
    WorstFit,
    /// The slab pools (size classes).
    Slab,
}

impl Mode {
    /// Every mode, in the order the playground lists them.
    pub const ALL: [Mode; 5] = [
        Mode::FirstFit,
        Mode::NextFit,
        Mode::BestFit,
        Mode::WorstFit,
        Mode::Slab,
    ];

    /// The free-list strategy, or `None` in slab mode.
    pub fn strategy(self) -> Option<Strategy> {
        match self {
            Mode::FirstFit => Some(Strategy::FirstFit),
            Mode::NextFit => Some(Strategy::NextFit),
            Mode::BestFit => Some(Strategy::BestFit),
            Mode::WorstFit => Some(Strategy::WorstFit),
            Mode::Slab => None,
        }
    }

    /// The kebab-case name: a strategy's name, or `"slab"`.
    pub fn name(self) -> &'static str {
        self.strategy().map_or("slab", Strategy::name)
    }
}

impl From<Strategy> for Mode {
    fn from(s: Strategy) -> Self {
        match s {
            Strategy::FirstFit => Mode::FirstFit,
            Strategy::NextFit => Mode::NextFit,
            Strategy::BestFit => Mode::BestFit,
            Strategy::WorstFit => Mode::WorstFit,
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Mode {
    type Err = AllocError;

    /// A strategy name (see [`Strategy::from_str`]) or `slab`.
    ///
    /// # Errors
    /// [`AllocError::BadConfig`] for any other name.
    fn from_str(s: &str) -> Result<Self> {
        if s.trim().eq_ignore_ascii_case("slab") {
            return Ok(Mode::Slab);
        }
        s.parse::<Strategy>().map(Mode::from).map_err(|_| {
            AllocError::bad_config(format!(
                "unknown strategy {s:?} (expected first-fit, next-fit, best-fit, worst-fit or slab)"
            ))
        })
    }
}

/// How to build a [`Heap`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HeapConfig {
    /// Arena size in bytes (1 ..= 1 GiB, a multiple of `align` unless there
    /// is a `header`).
    pub arena_size: usize,
    /// Where requests go.
    pub mode: Mode,
    /// Granularity (power of two).
    pub align: usize,
    /// Coalescing of free-list blocks.
    pub coalesce: bool,
    /// Slab size classes, strictly increasing multiples of `align`.
    pub classes: Vec<usize>,
    /// Slab size: a power of two that holds the largest class.
    pub slab_size: usize,
    /// The free list's order (`malloc.py`'s `-l`), by address by default.
    #[serde(default)]
    pub order: ListOrder,
    /// Bytes of header in front of each free-list block's payload
    /// (`malloc.py`'s `-H`; see [`Config::header`]); slab chunks carry none.
    #[serde(default)]
    pub header: usize,
    /// Whether the heap grows with `sbrk`, as CS:APP's malloc lab heap does,
    /// rather than being the whole arena (see
    /// [`FreeListAllocator::set_sbrk`]); off by default.
    #[serde(default)]
    pub sbrk: bool,
}

impl HeapConfig {
    /// Checks the configuration without building the arena.
    ///
    /// # Errors
    /// [`AllocError::BadConfig`] naming the first problem;
    /// [`AllocError::HostMemory`] when the host cannot hold the slab pools'
    /// tables, which are built to be checked.
    ///
    /// # Complexity
    /// O(number of slab classes).
    pub fn validate(&self) -> Result<()> {
        self.free_list_config().validate()?;
        // (The pools' tables are built to be checked.)
        headroom::ensure(FIXED_BYTES)?;
        Pools::new(&self.classes, self.slab_size, self.align, self.arena_size).map(drop)
    }

    fn free_list_config(&self) -> Config {
        Config {
            arena_size: self.arena_size,
            strategy: self.mode.strategy().unwrap_or_default(),
            align: self.align,
            coalesce: self.coalesce,
            header: self.header,
        }
    }
}

impl Default for HeapConfig {
    /// 1024 bytes, first fit, align 8, coalescing on, classes 16/32/64 in 256-byte slabs.
    fn default() -> Self {
        let c = Config::default();
        HeapConfig {
            arena_size: c.arena_size,
            mode: c.strategy.into(),
            align: c.align,
            coalesce: c.coalesce,
            header: c.header,
            classes: DEFAULT_CLASSES.to_vec(),
            slab_size: DEFAULT_SLAB_SIZE,
            order: ListOrder::Address,
            sbrk: false,
        }
    }
}

/// A free-list heap with slab pools on top.
///
/// Every offset it returns stays valid until freed. `free`, `realloc` and the
/// byte access work on any live block or chunk whatever the current mode.
#[derive(Clone, Debug)]
pub struct Heap {
    fl: FreeListAllocator,
    pools: Pools,
    mode: Mode,
    /// Most bytes in used blocks and live chunks after any op.
    peak_used: usize,
    /// Most requested bytes live after any op.
    peak_requested: usize,
}

impl Heap {
    /// Builds a heap whose arena is one free block.
    ///
    /// # Errors
    /// [`AllocError::BadConfig`] naming the first problem;
    /// [`AllocError::HostMemory`] when the host cannot provide the arena.
    ///
    /// # Complexity
    /// O(arena size).
    pub fn new(config: HeapConfig) -> Result<Self> {
        let fc = config.free_list_config();
        fc.validate()?;
        // The arena and the records a new heap makes at once beside it (the
        // slab classes' table, best fit's table of small sizes), together:
        // room for the arena alone may leave none for them.
        headroom::ensure(config.arena_size.saturating_add(FIXED_BYTES))?;
        let pools = Pools::new(
            &config.classes,
            config.slab_size,
            config.align,
            config.arena_size,
        )?;
        let mut fl = FreeListAllocator::new(fc)?;
        fl.set_list_order(config.order);
        fl.set_sbrk(config.sbrk);
        Ok(Heap {
            fl,
            pools,
            mode: config.mode,
            peak_used: 0,
            peak_requested: 0,
        })
    }

    /// The configuration as it stands now (mode and coalescing included).
    pub fn config(&self) -> HeapConfig {
        let c = self.fl.config();
        HeapConfig {
            arena_size: c.arena_size,
            mode: self.mode,
            align: c.align,
            coalesce: c.coalesce,
            classes: self.pools.classes().to_vec(),
            slab_size: self.pools.slab_size(),
            header: c.header,
            order: self.fl.list_order(),
            sbrk: self.fl.sbrk(),
        }
    }

    /// Starts over as [`new`](Self::new) would with `config`, which must be
    /// the configuration this heap was built from (its mode and coalescing
    /// may differ from the current ones). The arena is reused, zeroed.
    ///
    /// # Complexity
    /// O(the highest offset ever allocated).
    pub(crate) fn reset(&mut self, config: &HeapConfig) {
        debug_assert_eq!(config.classes, self.pools.classes());
        // Every field named: a new one must be thought about here.
        let Heap {
            fl,
            pools,
            mode,
            peak_used,
            peak_requested,
        } = self;
        fl.reset(config.free_list_config());
        fl.set_list_order(config.order);
        fl.set_sbrk(config.sbrk);
        pools.clear();
        *mode = config.mode;
        (*peak_used, *peak_requested) = (0, 0);
    }

    /// An upper bound on the bytes `k` more operations may add to the
    /// heap's records outside the arena (see [`headroom`](crate::headroom)):
    /// each makes two blocks at most (the free list's, or a slab's), and the
    /// arena holds no more blocks than it has granules. `switch`: the mode
    /// may change.
    ///
    /// # Complexity
    /// O(log k).
    pub(crate) fn growth(&self, k: usize, switch: bool) -> usize {
        let blocks = k.saturating_mul(2).min(self.fl.max_blocks());
        self.fl
            .growth(blocks, switch)
            .saturating_add(self.pools.growth(k))
    }

    /// An upper bound on the bytes a list of the blocks and chunks takes
    /// (as [`Block`]s, or packed in six words each; the invariant checks
    /// list a few words per block): see [`headroom`](crate::headroom). O(1).
    pub(crate) fn read_room(&self) -> usize {
        let records = self.fl.records().saturating_add(self.pools.records());
        records.saturating_mul(std::mem::size_of::<Block>() + 6 * std::mem::size_of::<u32>())
    }

    /// The current mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Bytes of header in front of each free-list block's payload
    /// ([`HeapConfig::header`]). O(1).
    pub fn header(&self) -> usize {
        self.fl.config().header
    }

    /// Switches the mode; every block and chunk stays where it is.
    ///
    /// # Complexity
    /// As [`FreeListAllocator::set_strategy`]: O(n log n) when switching to or
    /// from best fit, else O(1).
    pub fn set_mode(&mut self, mode: Mode) {
        self.mode = mode;
        if let Some(s) = mode.strategy() {
            self.fl.set_strategy(s);
        }
    }

    /// Turns coalescing on (merging every adjacent pair now) or off.
    ///
    /// # Complexity
    /// As [`FreeListAllocator::set_coalesce`]: O(n log n) when turning it on, O(1) otherwise.
    pub fn set_coalesce(&mut self, on: bool) {
        self.fl.set_coalesce(on);
    }

    /// Merges every run of adjacent free blocks; returns how many merges it made.
    ///
    /// # Complexity
    /// O(n log n).
    pub fn coalesce_all(&mut self) -> usize {
        self.fl.coalesce_all()
    }

    /// The underlying free list (slabs appear in it as used blocks).
    pub fn free_list_allocator(&self) -> &FreeListAllocator {
        &self.fl
    }

    /// Number the next allocation request will get.
    pub fn next_seq(&self) -> u64 {
        self.fl.next_seq()
    }

    /// Allocates `size` bytes in the current mode.
    ///
    /// # Errors
    /// As [`FreeListAllocator::alloc`]; in slab mode also
    /// [`AllocError::TooLarge`] beyond the largest class.
    ///
    /// # Complexity
    /// O(log n) in free-list mode; O(1) in slab mode unless a slab is carved.
    #[inline(always)]
    pub fn alloc(&mut self, size: usize) -> Result<usize> {
        if size == 0 {
            return Err(AllocError::ZeroSize);
        }
        let seq = self.fl.bump_seq();
        self.alloc_with_seq(size, seq)
    }

    /// Allocates in the current mode under a sequence number already taken
    /// (`size` must not be 0).
    #[inline(always)]
    pub(crate) fn alloc_with_seq(&mut self, size: usize, seq: u64) -> Result<usize> {
        let off = match self.mode {
            Mode::Slab => self.slab_alloc(size, 1, seq)?,
            _ => self.fl.alloc_seq(size, seq)?,
        };
        self.bump_peaks();
        Ok(off)
    }

    fn slab_alloc(&mut self, size: usize, align: usize, seq: u64) -> Result<usize> {
        // A chunk comes off its class's list without a search (a request no
        // class holds searches nothing either); carving a slab records the
        // free-list search it makes.
        self.fl.set_last_searched(0);
        let class = self
            .pools
            .class_for(size, align)
            .inspect_err(|_| self.fl.count_failure())?;
        self.pools.alloc(&mut self.fl, class, size, seq)
    }

    /// Allocates `size` bytes at a multiple of `align`. In slab mode the
    /// smallest class that holds `size` and is a multiple of `align` serves it.
    ///
    /// # Errors
    /// As [`FreeListAllocator::alloc_aligned`]; in slab mode
    /// [`AllocError::BadAlign`] when no class is a multiple of `align`.
    ///
    /// # Complexity
    /// As [`FreeListAllocator::alloc_aligned`], or as `alloc` in slab mode.
    pub fn alloc_aligned(&mut self, size: usize, align: usize) -> Result<usize> {
        let off = match self.mode {
            Mode::Slab => {
                if size == 0 {
                    return Err(AllocError::ZeroSize);
                }
                if !align.is_power_of_two() || align > self.fl.config().arena_size {
                    return Err(AllocError::BadAlign { align });
                }
                let seq = self.fl.bump_seq();
                self.slab_alloc(size, align, seq)?
            }
            _ => self.fl.alloc_aligned(size, align)?,
        };
        self.bump_peaks();
        Ok(off)
    }

    /// Allocates and zeroes the whole block (calloc): the only operation that
    /// writes zeros.
    ///
    /// # Errors
    /// As [`alloc`](Self::alloc).
    ///
    /// # Complexity
    /// As [`alloc`](Self::alloc), plus the bytes zeroed.
    pub fn alloc_zeroed(&mut self, size: usize) -> Result<usize> {
        let off = self.alloc(size)?;
        let len = self.block_len(off).expect("just allocated");
        self.fl.bytes_mut()[off..off + len].fill(0);
        Ok(off)
    }

    /// Resizes the live block or chunk at `offset`. A chunk whose class still
    /// holds the new size stays; otherwise a new block is allocated in the
    /// current mode, the bytes are copied and the chunk freed. Free-list blocks
    /// follow [`FreeListAllocator::realloc`]. The block keeps its `seq`.
    ///
    /// # Errors
    /// As [`FreeListAllocator::realloc`] (and [`AllocError::TooLarge`] in slab mode);
    /// nothing changes on error.
    ///
    /// # Complexity
    /// O(log n), plus the bytes copied when it moves.
    pub fn realloc(&mut self, offset: usize, new_size: usize) -> Result<usize> {
        let Some(so) = self.pools.slab_of(offset) else {
            let off = self.fl.realloc(offset, new_size)?;
            self.bump_peaks();
            return Ok(off);
        };
        let (cs, _, seq) = self.pools.live(so, offset)?;
        if new_size == 0 {
            return Err(AllocError::ZeroSize);
        }
        if new_size <= cs {
            // In place: nothing searched.
            self.fl.set_last_searched(0);
            self.pools.set_requested(so, offset, new_size);
            self.bump_peaks();
            return Ok(offset);
        }
        let new_off = match self.mode {
            Mode::Slab => self.slab_alloc(new_size, 1, seq)?,
            _ => self.fl.alloc_seq(new_size, seq)?,
        };
        self.fl
            .bytes_mut()
            .copy_within(offset..offset + cs, new_off);
        // The old chunk's slab cannot have gone away: the new block was carved elsewhere.
        self.pools
            .free(&mut self.fl, offset)
            .expect("old chunk is in a slab")
            .expect("old chunk is live");
        self.bump_peaks();
        Ok(new_off)
    }

    /// Frees the live block or chunk at `offset`.
    ///
    /// # Errors
    /// [`AllocError::InvalidFree`] or [`AllocError::DoubleFree`]; nothing changes.
    ///
    /// # Complexity
    /// O(1) for a chunk, O(log n) for a block.
    pub fn free(&mut self, offset: usize) -> Result<()> {
        self.free_seq(offset).map(drop)
    }

    /// [`free`](Self::free), returning the freed block's `seq`.
    #[inline(always)]
    pub(crate) fn free_seq(&mut self, offset: usize) -> Result<u64> {
        match self.pools.free(&mut self.fl, offset) {
            Some(r) => r,
            None => self.fl.free_seq(offset),
        }
    }

    /// Allocation requests refused so far. O(1).
    pub fn failed_allocs(&self) -> u64 {
        self.fl.failed_allocs()
    }

    /// The live block or chunk that starts at `offset`.
    ///
    /// # Errors
    /// What [`free`](Self::free) would report for `offset`:
    /// [`AllocError::InvalidFree`] or [`AllocError::DoubleFree`].
    ///
    /// # Complexity
    /// O(log n).
    pub fn live_block(&self, offset: usize) -> Result<Block> {
        match self.pools.slab_of(offset) {
            Some(so) => {
                self.pools.live(so, offset)?;
                Ok(self
                    .pools
                    .chunks(so)
                    .find(|b| b.offset == offset)
                    .expect("a live chunk is listed"))
            }
            None => {
                self.fl.live(offset)?;
                Ok(self.fl.block_at(offset).expect("a live block is indexed"))
            }
        }
    }

    fn block_len(&self, offset: usize) -> Result<usize> {
        self.live_block(offset).map(|b| b.size)
    }

    /// Free blocks the strategy examined for the last free-list allocation.
    pub fn last_searched(&self) -> usize {
        self.fl.last_searched()
    }

    /// `len` arena bytes from `offset`, whatever they belong to.
    ///
    /// # Errors
    /// [`AllocError::OutOfBounds`] when the range leaves the arena.
    ///
    /// # Complexity
    /// O(1).
    pub fn read(&self, offset: usize, len: usize) -> Result<&[u8]> {
        self.fl.read(offset, len)
    }

    /// The whole arena.
    pub fn bytes(&self) -> &[u8] {
        self.fl.arena().bytes()
    }

    /// Writes `data` at `offset`, inside one live block or chunk.
    ///
    /// # Errors
    /// [`AllocError::OutOfBounds`] otherwise; nothing is written.
    ///
    /// # Complexity
    /// O(n) for a free-list block, O(1) for a chunk, plus the bytes.
    pub fn write(&mut self, offset: usize, data: &[u8]) -> Result<()> {
        let Some(so) = self.pools.slab_of(offset) else {
            return self.fl.write(offset, data);
        };
        let inside = self
            .pools
            .chunks(so)
            .find(|b| b.offset <= offset && offset < b.end())
            .filter(|b| !b.free && b.seq.is_some() && offset + data.len() <= b.end());
        if inside.is_none() {
            return Err(AllocError::OutOfBounds {
                offset,
                len: data.len(),
            });
        }
        self.fl.bytes_mut()[offset..offset + data.len()].copy_from_slice(data);
        Ok(())
    }

    /// Copies `data` into the live `block`, `at` bytes in, for a caller that
    /// has found the block and checked that the bytes fit in it.
    ///
    /// # Complexity
    /// O(bytes).
    pub(crate) fn write_in(&mut self, block: &Block, at: usize, data: &[u8]) {
        debug_assert!(!block.free && at + data.len() <= block.size);
        let start = block.offset + at;
        self.fl.bytes_mut()[start..start + data.len()].copy_from_slice(data);
    }

    /// Every block in address order, slabs shown as their chunks.
    ///
    /// # Complexity
    /// O(n).
    pub fn blocks(&self) -> Vec<Block> {
        let mut out = Vec::new();
        for b in self.fl.blocks() {
            if !b.free && self.pools.slab_of(b.offset) == Some(b.offset) {
                out.extend(self.pools.chunks(b.offset));
            } else {
                out.push(b);
            }
        }
        out
    }

    /// The statistics, slab chunks included (see [`Stats`]).
    ///
    /// # Complexity
    /// O(1) in free-list mode; O(n) in slab mode (to see whether a slab can be carved).
    pub fn stats(&self) -> Stats {
        let mut s = self.fl.stats();
        let p = &self.pools;
        let slabs = p.slab_count() * p.slab_size();
        let fl_free = s.free_bytes;
        s.used_bytes -= p.free_bytes();
        // (With sbrk, the heap's: not the bytes above its high-water mark.)
        s.free_bytes = self.fl.config().arena_size - s.used_bytes - self.fl.beyond_bytes();
        s.requested_bytes = s.requested_bytes - slabs + p.live_requested;
        s.internal_fragmentation = s.used_bytes - s.requested_bytes;
        s.used_blocks = s.used_blocks - p.slab_count() + p.live_chunks();
        s.free_blocks += p.free_chunks();
        s.free_chunks = p.free_chunks();
        s.chunk_free_bytes = p.free_bytes();
        s.external_fragmentation = stats::external(s.largest_free, fl_free);
        s.utilization = stats::ratio(
            s.requested_bytes,
            if self.fl.sbrk() {
                s.high_water
            } else {
                s.arena_size
            },
        );
        s.peak_used = self.peak_used;
        s.peak_requested = self.peak_requested;
        s.peak_utilization = stats::ratio(self.peak_requested, s.high_water);
        if self.mode == Mode::Slab {
            let can_carve = self.can_carve();
            s.largest_request = p.largest_servable(can_carve);
        }
        s
    }

    /// What [`stats`](Self::stats) computes `external_fragmentation` from
    /// (`largest_free` and the free list's bytes, its L and F) and
    /// `free_blocks`, without the rest: `(L, F, free blocks)`, what a replay
    /// watches after every op.
    ///
    /// # Complexity
    /// O(1).
    #[inline]
    pub fn fragmentation_parts(&self) -> (usize, usize, usize) {
        (
            self.fl.largest_free(),
            self.fl.config().arena_size - self.fl.used_bytes() - self.fl.beyond_bytes(),
            self.fl.free_block_count() + self.pools.free_chunks(),
        )
    }

    /// The slab size classes.
    pub fn classes(&self) -> &[usize] {
        self.pools.classes()
    }

    /// The bytes a free-list block for a request of `size` takes: rounded
    /// up to the alignment, plus the header (`None` on overflow).
    ///
    /// # Complexity
    /// O(1).
    pub fn block_size_for(&self, size: usize) -> Option<usize> {
        self.fl.block_size_for(size)
    }

    /// The slab class (in bytes) that serves a request of `size` at a
    /// multiple of `align` (1: any), or `None` when no class does.
    ///
    /// # Complexity
    /// O(number of classes).
    pub fn slab_class_for(&self, size: usize, align: usize) -> Option<usize> {
        let k = self.pools.class_for(size, align.max(1)).ok()?;
        self.pools.classes().get(k).copied()
    }

    fn can_carve(&self) -> bool {
        let ss = self.pools.slab_size();
        self.fl.free_list().iter().any(|&(o, s)| {
            o.checked_next_multiple_of(ss)
                .and_then(|start| start.checked_add(ss))
                .is_some_and(|end| end <= o + s)
        })
    }

    /// The fraction of free-list free bytes that cannot serve a request of `size`.
    ///
    /// # Complexity
    /// O(n).
    pub fn unusable_free(&self, size: usize) -> f64 {
        self.fl.unusable_free(size)
    }

    fn bump_peaks(&mut self) {
        let p = &self.pools;
        let used = self.fl.used_bytes() - p.free_bytes();
        let requested =
            self.fl.requested_bytes() - p.slab_count() * p.slab_size() + p.live_requested;
        // Stored only when they rise: a store per operation is what bounds
        // the slab's alloc+free pairs (a store a cycle), not the loads.
        if used > self.peak_used {
            self.peak_used = used;
        }
        if requested > self.peak_requested {
            self.peak_requested = requested;
        }
    }

    /// Checks the free list, the pools, and the peaks.
    ///
    /// # Errors
    /// A description of the first broken invariant.
    ///
    /// # Complexity
    /// O(n log n).
    pub fn check_invariants(&self) -> std::result::Result<(), String> {
        self.fl.check_invariants()?;
        self.pools.check(&self.fl)?;
        let s = self.stats();
        // (With sbrk, the free bytes are the heap's: not those above its end.)
        if s.used_bytes + s.free_bytes + self.fl.beyond_bytes() != s.arena_size {
            return Err("used + free != arena".into());
        }
        let blocks = self.blocks();
        let used: usize = blocks.iter().filter(|b| !b.free).map(|b| b.size).sum();
        let req: usize = blocks.iter().map(|b| b.requested).sum();
        if used != s.used_bytes || req != s.requested_bytes {
            return Err(format!(
                "heap stats disagree with the blocks: used {used} vs {}, requested {req} vs {}",
                s.used_bytes, s.requested_bytes
            ));
        }
        let free_chunks = blocks.iter().filter(|b| b.free && b.class.is_some());
        let (chunks, chunk_bytes) = free_chunks.fold((0, 0), |(n, b), c| (n + 1, b + c.size));
        if (chunks, chunk_bytes) != (s.free_chunks, s.chunk_free_bytes) {
            return Err(format!(
                "free chunks disagree with the blocks: {chunks} chunks, {chunk_bytes} B vs {}, {} B",
                s.free_chunks, s.chunk_free_bytes
            ));
        }
        // With sbrk, the heap's free blocks: their bytes below the high-water
        // mark, and not a block that has none.
        let end = if self.fl.sbrk() {
            s.high_water
        } else {
            usize::MAX
        };
        let list = blocks
            .iter()
            .filter(|b| b.free && b.class.is_none())
            .map(|b| b.size.min(end.saturating_sub(b.offset)))
            .filter(|&size| size > 0);
        let (list_blocks, list_bytes) = list.fold((0, 0), |(n, b), size| (n + 1, b + size));
        if (list_blocks, list_bytes) != (s.list_free_blocks, s.list_free_bytes)
            || list_blocks + chunks != s.free_blocks
            || list_bytes + chunk_bytes != s.free_bytes
        {
            return Err(format!(
                "free list totals disagree with the blocks: {list_blocks} blocks, {list_bytes} B vs {}, {} B",
                s.list_free_blocks, s.list_free_bytes
            ));
        }
        if self.peak_used < used || self.peak_requested < req {
            return Err("heap peaks below the current values".into());
        }
        Ok(())
    }
}

/// How to build a [`SlabAllocator`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlabConfig {
    /// Arena size in bytes.
    pub arena_size: usize,
    /// Size classes, strictly increasing.
    pub classes: Vec<usize>,
    /// Slab size (a power of two holding the largest class).
    pub slab_size: usize,
}

impl Default for SlabConfig {
    /// 1024 bytes, classes 16/32/64, 256-byte slabs.
    fn default() -> Self {
        SlabConfig {
            arena_size: 1024,
            classes: DEFAULT_CLASSES.to_vec(),
            slab_size: DEFAULT_SLAB_SIZE,
        }
    }
}

/// A fixed-size-class allocator: requests round up to the smallest class that
/// holds them; slabs are carved from the arena on demand and go back when empty.
///
/// ```
/// use alloc_playground::{SlabAllocator, SlabConfig};
/// let mut s = SlabAllocator::new(SlabConfig::default())?;
/// let a = s.alloc(10)?;          // a 16-byte chunk
/// let b = s.alloc(10)?;
/// assert_eq!(b - a, 16);
/// assert_eq!(s.stats().internal_fragmentation, 12);
/// # Ok::<(), alloc_playground::AllocError>(())
/// ```
#[derive(Clone, Debug)]
pub struct SlabAllocator {
    heap: Heap,
}

impl SlabAllocator {
    /// Builds the pools over an arena that starts empty.
    ///
    /// # Errors
    /// [`AllocError::BadConfig`] for bad classes or slab size.
    ///
    /// # Complexity
    /// As [`Heap::new`]: O(arena size).
    pub fn new(config: SlabConfig) -> Result<Self> {
        let align = config.classes.iter().fold(0, |g, &c| gcd(g, c)).max(1);
        let align = 1
            << align
                .trailing_zeros()
                .min(config.slab_size.trailing_zeros());
        let heap = Heap::new(HeapConfig {
            order: Default::default(),
            header: 0,
            sbrk: false,
            arena_size: config.arena_size,
            mode: Mode::Slab,
            align,
            coalesce: true,
            classes: config.classes,
            slab_size: config.slab_size,
        })?;
        Ok(SlabAllocator { heap })
    }

    /// A chunk of the smallest class that holds `size`.
    ///
    /// # Errors
    /// [`AllocError::ZeroSize`], [`AllocError::TooLarge`] (beyond the largest
    /// class) or [`AllocError::OutOfMemory`] (no chunk free and no room to carve
    /// a slab: `requested` is then the slab size). The chunks never change on
    /// error; a refused request counts as failed and takes its number.
    ///
    /// # Complexity
    /// O(1), unless a slab must be carved.
    pub fn alloc(&mut self, size: usize) -> Result<usize> {
        self.heap.alloc(size)
    }

    /// Returns a chunk to its class.
    ///
    /// # Errors
    /// [`AllocError::InvalidFree`] or [`AllocError::DoubleFree`]; nothing changes.
    ///
    /// # Complexity
    /// O(1), unless its slab empties.
    pub fn free(&mut self, offset: usize) -> Result<()> {
        self.heap.free(offset)
    }

    /// Every chunk (and free region) in address order.
    ///
    /// # Complexity
    /// O(n).
    pub fn blocks(&self) -> Vec<Block> {
        self.heap.blocks()
    }

    /// Statistics; `internal_fragmentation` is granted − requested bytes.
    ///
    /// # Complexity
    /// As [`Heap::stats`].
    pub fn stats(&self) -> Stats {
        self.heap.stats()
    }

    /// The heap underneath.
    pub fn heap(&self) -> &Heap {
        &self.heap
    }

    /// See [`Heap::check_invariants`].
    ///
    /// # Errors
    /// A description of the first broken invariant.
    ///
    /// # Complexity
    /// O(n log n).
    pub fn check_invariants(&self) -> std::result::Result<(), String> {
        self.heap.check_invariants()
    }
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}
