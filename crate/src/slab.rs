//! Slab pools: fixed size classes served from slabs carved out of the arena.

use crate::free_list::FreeListAllocator;
use crate::{AllocError, Block, Result, MAX_ARENA};

/// The default size classes: 16, 32 and 64 bytes.
pub const DEFAULT_CLASSES: [usize; 3] = [16, 32, 64];
/// The default slab size: 256 bytes (four 64-byte chunks).
pub const DEFAULT_SLAB_SIZE: usize = 256;
/// The most size classes a slab allocator takes.
pub const MAX_CLASSES: usize = 16;

/// Slab classes and slab size that suit alignment `align`: the same ones when
/// every class is a multiple of it and a slab holds it; else each class
/// rounded up to a multiple of it, as many classes as before (doubling the
/// largest where rounding made two equal: 16/32/64 under align 64 give
/// 64/128/256), in slabs of at least the power of two that holds the largest.
/// Nothing comes out above [`MAX_ARENA`](crate::MAX_ARENA), the largest
/// arena: a class that would is left out (16/32/64 under align 2^29 give
/// 2^29/2^30 in slabs of 2^30, under align 2^30 the one class 2^30), so the
/// result may be given back as a configuration. A default configuration's
/// classes follow its alignment this way; the result is not checked (a bad
/// `align` or bad classes come back as they are, for
/// [`Heap::new`](crate::Heap::new) to refuse).
///
/// # Complexity
/// O(number of classes).
pub fn fit_to_align(classes: &[usize], slab_size: usize, align: usize) -> (Vec<usize>, usize) {
    if !align.is_power_of_two()
        || align > MAX_ARENA
        || classes.iter().any(|&c| c > MAX_ARENA)
        || (classes.iter().all(|c| c % align == 0) && slab_size >= align)
    {
        return (classes.to_vec(), slab_size);
    }
    let mut out: Vec<usize> = Vec::with_capacity(classes.len());
    for &c in classes {
        let up = c.div_ceil(align).saturating_mul(align);
        // (At most MAX_ARENA: so are `c` and `align`, which divides it.)
        if !out.contains(&up) {
            out.push(up);
        }
    }
    while out.len() < classes.len() {
        let next = out.last().map_or(align, |&l| l.saturating_mul(2));
        if next > MAX_ARENA || out.contains(&next) {
            break;
        }
        out.push(next);
    }
    let largest = out.last().copied().unwrap_or(align);
    // (A power of two at most MAX_ARENA, itself one.)
    let slab = largest.next_power_of_two();
    (out, slab_size.max(slab))
}

/// One chunk's record.
#[derive(Clone, Copy, Debug, Default)]
struct Chunk {
    /// Sequence number (meaningless while free).
    seq: u64,
    /// Requested bytes; 0 marks a free chunk.
    requested: u32,
    /// While free: the next free chunk of its slab (an index in the slab), or
    /// [`END`] for the last. Meaningless while live.
    next: u16,
}

/// One slab: `slab_size` bytes at a multiple of `slab_size`, cut into chunks of
/// one class. Its chunks' records live in [`Pools::chunks`], at `base .. base +
/// chunks per slab of its class`; its free chunks form a list through them
/// (last freed, first handed out).
#[derive(Clone, Copy, Debug)]
struct Slab {
    /// Where its chunk records start in [`Pools::chunks`].
    base: u32,
    /// The free chunk handed out next (an index in the slab), [`END`] when full.
    head: u16,
    /// Number of free chunks: the length of the list from `head`. (A slab
    /// holds at most 65,535 chunks, so indices and counts fit 16 bits and the
    /// record 16 bytes.)
    free: u16,
    /// Position in its class's partial list while it has a free chunk, else [`NONE`].
    partial_at: u32,
    /// Index into the class list; [`VACANT`] when no slab has this number.
    class: u8,
    /// `log2` of the chunk size when that is a power of two, else [`NO_SHIFT`]
    /// (a copy of the class's, so that a free finds its chunk with no further load).
    shift: u8,
}

const NONE: u32 = u32::MAX;
/// The end of a free list: no chunk (indices stop at 65,534).
const END: u16 = u16::MAX;
const VACANT: u8 = u8::MAX;
const NO_SHIFT: u8 = u8::MAX;

const NO_SLAB: Slab = Slab {
    base: NONE,
    head: END,
    free: 0,
    partial_at: NONE,
    class: VACANT,
    shift: NO_SHIFT,
};

/// One class: its facts and its slabs, together in one record.
#[derive(Clone, Debug)]
struct Class {
    /// Chunk size in bytes.
    size: usize,
    /// Chunks per slab (`slab_size / size`).
    per_slab: usize,
    /// `log2(size)` when `size` is a power of two (a shift instead of a
    /// division finds a chunk), else [`NO_SHIFT`].
    shift: u8,
    /// The numbers of its slabs that have a free chunk; the last serves next.
    partial: Vec<u32>,
    /// The `base`s of its returned slabs, for its next slab (so
    /// [`Pools::chunks`] holds at most the most slabs of each class there
    /// have been at once, each sized to its class).
    spare_bases: Vec<u32>,
}

/// The most slabs an arena may hold (`arena_size / slab_size`): bounds
/// [`SlabTable`] at 16 bytes each, 256 MiB (for slabs under 64 bytes in a
/// 1 GiB arena; the default 256-byte slabs need at most 64 MiB, and only
/// up to the highest slab carved).
pub const MAX_SLABS: usize = 1 << 24;

/// The slabs by number (`offset / slab_size`): a direct table, grown to the
/// highest slab carved, so finding the slab of an offset costs a shift and one
/// load, with no hashing and no second level.
#[derive(Clone, Debug, Default)]
struct SlabTable {
    /// `log2(slab_size)`.
    shift: u32,
    /// Slab records by slab number; `class == VACANT` where there is no slab.
    recs: Vec<Slab>,
    /// Number of slabs.
    len: usize,
    /// How many slabs the arena can hold: `recs` never grows past it.
    limit: usize,
}

impl SlabTable {
    /// The number of the slab at `so`, if there is one.
    #[inline]
    fn place(&self, so: usize) -> Option<usize> {
        let n = so >> self.shift;
        match self.recs.get(n) {
            Some(s) if s.class != VACANT => Some(n),
            _ => None,
        }
    }

    fn get(&self, so: usize) -> Option<(usize, &Slab)> {
        let p = self.place(so)?;
        Some((p, &self.recs[p]))
    }

    /// The offset of slab number `p`.
    #[inline]
    fn so(&self, p: usize) -> usize {
        p << self.shift
    }

    /// Adds the slab at `so` and returns its number.
    fn insert(&mut self, so: usize, slab: Slab) -> usize {
        let n = so >> self.shift;
        if self.recs.len() <= n {
            // Doubling, as a Vec would, but never past the arena's slab count.
            let target = (2 * self.recs.len()).max(n + 1).min(self.limit.max(n + 1));
            self.recs.reserve_exact(target - self.recs.len());
            self.recs.resize(n + 1, NO_SLAB);
        }
        debug_assert_eq!(self.recs[n].class, VACANT);
        self.recs[n] = slab;
        self.len += 1;
        n
    }

    fn remove(&mut self, p: usize) {
        if self.recs[p].class != VACANT {
            self.recs[p] = NO_SLAB;
            self.len -= 1;
        }
    }

    fn len(&self) -> usize {
        self.len
    }

    /// Every slab with its number.
    fn iter(&self) -> impl Iterator<Item = (usize, &Slab)> {
        self.recs
            .iter()
            .enumerate()
            .filter(|(_, s)| s.class != VACANT)
    }
}

impl std::ops::Index<usize> for SlabTable {
    type Output = Slab;
    /// The slab number `p`.
    #[inline]
    fn index(&self, p: usize) -> &Slab {
        &self.recs[p]
    }
}

impl std::ops::IndexMut<usize> for SlabTable {
    #[inline]
    fn index_mut(&mut self, p: usize) -> &mut Slab {
        &mut self.recs[p]
    }
}

/// The index of the live chunk at `offset` in the slab at `so` whose chunks
/// are `cs` bytes (`1 << shift` when a power of two).
///
/// # Errors
/// As [`Pools::live`] (an offset anywhere in a free chunk is a double free, as
/// for free-list blocks).
#[inline]
fn chunk_index(cs: usize, shift: u8, chunks: &[Chunk], rel: usize, offset: usize) -> Result<usize> {
    let (i, exact) = if shift != NO_SHIFT {
        (rel >> shift, rel & (cs - 1) == 0)
    } else {
        (rel / cs, rel % cs == 0)
    };
    match chunks.get(i) {
        Some(c) if c.requested == 0 => Err(AllocError::DoubleFree { offset }),
        Some(_) if exact => Ok(i),
        _ => Err(AllocError::InvalidFree { offset }),
    }
}

/// The pools of all classes, over slabs that a [`FreeListAllocator`] provides.
#[derive(Clone, Debug)]
pub(crate) struct Pools {
    /// Size classes, strictly increasing.
    classes: Vec<usize>,
    /// Per class, its facts and slabs.
    info: Vec<Class>,
    /// The smallest class that holds `size` bytes, by `size`, for sizes up to
    /// 4096 bytes (a search over the classes serves larger ones). Entry 0 is
    /// [`VACANT`]: no class serves 0 bytes.
    class_by_size: Vec<u8>,
    /// Size of every slab: a power of two; slabs sit at multiples of it, so the
    /// slab of an offset is `offset & !(slab_size - 1)`.
    slab_size: usize,
    /// Every slab by offset.
    slabs: SlabTable,
    /// Chunk records: a slab's at `base ..`, one per chunk of its class, in address order.
    chunks: Vec<Chunk>,
    /// Live chunks: their bytes (class sizes) in the low 32 bits, their
    /// number in the high 32 (both below 2^30, as the arena is). One counter,
    /// not two: every store counts on the hot path, which issues about one a
    /// cycle. Read through [`live_bytes`](Self::live_bytes) and
    /// [`live_chunks`](Self::live_chunks).
    live: u64,
    /// Requested bytes of live chunks.
    pub live_requested: usize,
    /// Bytes of all chunks, free or live, in every slab (free bytes are this
    /// minus the live bytes, so a chunk's alloc and free touch two counters).
    chunk_bytes: usize,
    /// Number of chunks, free or live, in every slab.
    chunk_count: usize,
}

impl Pools {
    /// Checks the classes and the slab size (for an arena of `arena_size` bytes).
    ///
    /// # Errors
    /// [`AllocError::BadConfig`] naming the problem.
    pub fn new(
        classes: &[usize],
        slab_size: usize,
        align: usize,
        arena_size: usize,
    ) -> Result<Self> {
        if classes.is_empty() || classes.len() > MAX_CLASSES {
            return Err(AllocError::bad_config(format!(
                "give between 1 and {MAX_CLASSES} size classes"
            )));
        }
        if classes.windows(2).any(|w| w[0] >= w[1]) {
            return Err(AllocError::bad_config(
                "size classes must be strictly increasing",
            ));
        }
        if let Some(&c) = classes.iter().find(|&&c| c == 0 || c % align != 0) {
            return Err(AllocError::bad_config(format!(
                "size class {c} is not a positive multiple of align {align}"
            )));
        }
        if !slab_size.is_power_of_two() || slab_size < align {
            return Err(AllocError::bad_config(format!(
                "slab size {slab_size} must be a power of two no smaller than align {align}"
            )));
        }
        let largest = *classes.last().expect("non-empty");
        if largest > slab_size || slab_size / classes[0] > u16::MAX as usize {
            return Err(AllocError::bad_config(format!(
                "slab size {slab_size} must hold the largest class ({largest}) and at most 65535 chunks"
            )));
        }
        if arena_size.div_ceil(slab_size) > MAX_SLABS {
            return Err(AllocError::bad_config(format!(
                "slab size {slab_size} is too small for an arena of {arena_size} bytes: \
                 it may hold at most {MAX_SLABS} slabs"
            )));
        }
        let class_by_size = (0..=largest.min(4096))
            .map(|size| match size {
                0 => VACANT,
                _ => classes
                    .iter()
                    .position(|&c| c >= size)
                    .expect("the largest class holds every size") as u8,
            })
            .collect();
        Ok(Pools {
            classes: classes.to_vec(),
            info: classes
                .iter()
                .map(|&c| Class {
                    size: c,
                    per_slab: slab_size / c,
                    shift: if c.is_power_of_two() {
                        c.trailing_zeros() as u8
                    } else {
                        NO_SHIFT
                    },
                    partial: Vec::new(),
                    spare_bases: Vec::new(),
                })
                .collect(),
            class_by_size,
            slab_size,
            slabs: SlabTable {
                shift: slab_size.trailing_zeros(),
                limit: arena_size.div_ceil(slab_size),
                ..SlabTable::default()
            },
            chunks: Vec::new(),
            live: 0,
            live_requested: 0,
            chunk_bytes: 0,
            chunk_count: 0,
        })
    }

    /// Chunk records held (at least the chunks in slabs). O(1).
    pub(crate) fn records(&self) -> usize {
        self.chunks.len()
    }

    /// An upper bound on the bytes `k` more operations may add to the pools'
    /// records (see [`headroom`](crate::headroom)): each carves one slab at
    /// most, with a chunk record per chunk of the smallest class, and the
    /// slab table may grow to hold every slab the arena can. O(log k).
    pub(crate) fn growth(&self, k: usize) -> usize {
        use crate::headroom::{bound, vec_growth_to};
        let slabs = k.min(self.slabs.limit);
        let per_slab = self.slab_size / self.classes[0];
        let chunks = bound(slabs, per_slab, self.chunks.len());
        // A slab's number in its class's lists, too.
        let lists = self.info.iter().fold(0usize, |b, c| {
            b.saturating_add(crate::headroom::vec_growth(&c.partial, slabs))
                .saturating_add(crate::headroom::vec_growth(&c.spare_bases, slabs))
        });
        vec_growth_to(&self.chunks, chunks)
            .saturating_add(vec_growth_to(&self.slabs.recs, self.slabs.limit))
            .saturating_add(lists)
    }

    /// Drops every slab and chunk, keeping the classes (as [`new`](Self::new)
    /// left them). O(classes).
    pub fn clear(&mut self) {
        // Every field named: a new one must be thought about here.
        let Pools {
            classes: _,
            info,
            class_by_size: _,
            slab_size: _,
            slabs,
            chunks,
            live,
            live_requested,
            chunk_bytes,
            chunk_count,
        } = self;
        for c in info {
            c.partial.clear();
            c.spare_bases.clear();
        }
        *slabs = SlabTable {
            shift: slabs.shift,
            limit: slabs.limit,
            ..SlabTable::default()
        };
        chunks.clear();
        (*live, *live_requested, *chunk_bytes, *chunk_count) = (0, 0, 0, 0);
    }

    pub fn classes(&self) -> &[usize] {
        &self.classes
    }

    pub fn slab_size(&self) -> usize {
        self.slab_size
    }

    pub fn slab_count(&self) -> usize {
        self.slabs.len()
    }

    #[inline]
    fn chunks_per_slab(&self, class: usize) -> usize {
        self.info[class].per_slab
    }

    /// Bytes (class sizes) of live chunks.
    #[inline]
    pub fn live_bytes(&self) -> usize {
        (self.live & 0xFFFF_FFFF) as usize
    }

    /// Number of live chunks.
    #[inline]
    pub fn live_chunks(&self) -> usize {
        (self.live >> 32) as usize
    }

    /// Bytes in free chunks.
    #[inline]
    pub fn free_bytes(&self) -> usize {
        self.chunk_bytes - self.live_bytes()
    }

    /// Number of free chunks.
    #[inline]
    pub fn free_chunks(&self) -> usize {
        self.chunk_count - self.live_chunks()
    }

    /// The smallest class that holds `size` and whose chunks are multiples of `align`.
    ///
    /// # Errors
    /// [`AllocError::ZeroSize`], [`AllocError::TooLarge`], or [`AllocError::BadAlign`]
    /// when no class has both.
    #[inline]
    pub fn class_for(&self, size: usize, align: usize) -> Result<usize> {
        if align == 1 {
            if let Some(&c) = self.class_by_size.get(size) {
                if c != VACANT {
                    return Ok(c as usize);
                }
            }
        }
        self.class_for_slow(size, align)
    }

    #[cold]
    fn class_for_slow(&self, size: usize, align: usize) -> Result<usize> {
        if size == 0 {
            return Err(AllocError::ZeroSize);
        }
        let largest = *self.classes.last().expect("non-empty");
        if size > largest {
            return Err(AllocError::TooLarge {
                requested: size,
                max: largest,
            });
        }
        if !align.is_power_of_two() || align > self.slab_size {
            return Err(AllocError::BadAlign { align });
        }
        self.classes
            .iter()
            .position(|&c| c >= size && c % align == 0)
            .ok_or(AllocError::BadAlign { align })
    }

    /// Hands out a chunk of class `class` for `size` requested bytes.
    ///
    /// # Errors
    /// [`AllocError::OutOfMemory`] when no chunk is free and no slab can be
    /// carved; nothing changes but the free list's failure counters.
    ///
    /// # Complexity
    /// O(1) when a slab of the class has a free chunk; else carving a slab costs
    /// an aligned allocation from the free list (O(n)).
    pub fn alloc(
        &mut self,
        fl: &mut FreeListAllocator,
        class: usize,
        size: usize,
        seq: u64,
    ) -> Result<usize> {
        let cls = &self.info[class];
        let cs = cls.size;
        let p = match cls.partial.last() {
            Some(&p) => p as usize,
            None => self.carve(fl, class, seq)?,
        };
        let slab = &mut self.slabs[p];
        let (base, shift) = (slab.base as usize, slab.shift);
        let i = slab.head as usize;
        let c = &mut self.chunks[base + i];
        slab.head = c.next;
        // (`next` is meaningless while live: left as it is, one store fewer.)
        c.seq = seq;
        c.requested = size as u32;
        slab.free -= 1;
        if slab.free == 0 {
            let at = std::mem::replace(&mut slab.partial_at, NONE);
            self.remove_partial(class, at as usize);
        }
        self.live += (1 << 32) | cs as u64;
        self.live_requested += size;
        // A shift where it can (one cycle, not a multiply's three: the
        // chunk's offset is on the path from one operation to the next).
        let at = if shift != NO_SHIFT {
            i << shift
        } else {
            i * cs
        };
        Ok(self.slabs.so(p) + at)
    }

    /// Carves a slab for `class` and returns its place.
    #[cold]
    #[inline(never)]
    fn carve(&mut self, fl: &mut FreeListAllocator, class: usize, seq: u64) -> Result<usize> {
        let so = fl.alloc_slab_seq(self.slab_size, self.slab_size, seq)?;
        let n = self.chunks_per_slab(class);
        let base = match self.info[class].spare_bases.pop() {
            Some(b) => b as usize,
            None => {
                let b = self.chunks.len();
                self.chunks.resize(b + n, Chunk::default());
                b
            }
        };
        let at = self.info[class].partial.len();
        let p = self.slabs.insert(
            so,
            Slab {
                base: base as u32,
                head: 0,
                free: n as u16,
                partial_at: at as u32,
                class: class as u8,
                shift: self.info[class].shift,
            },
        );
        self.info[class].partial.push(p as u32);
        for (k, c) in self.chunks[base..base + n].iter_mut().enumerate() {
            // A fresh slab hands out its chunks in address order.
            *c = Chunk {
                next: if k + 1 < n { k as u16 + 1 } else { END },
                ..Chunk::default()
            };
        }
        self.chunk_bytes += n * self.info[class].size;
        self.chunk_count += n;
        Ok(p)
    }

    /// Returns the empty slab number `p` to the free list.
    #[cold]
    #[inline(never)]
    fn release(&mut self, fl: &mut FreeListAllocator, p: usize) {
        let Slab {
            base,
            class,
            partial_at,
            ..
        } = self.slabs[p];
        let class = class as usize;
        if partial_at != NONE {
            self.remove_partial(class, partial_at as usize);
        }
        self.slabs.remove(p);
        self.info[class].spare_bases.push(base);
        let n = self.info[class].per_slab;
        self.chunk_bytes -= n * self.info[class].size;
        self.chunk_count -= n;
        fl.free(self.slabs.so(p))
            .expect("a slab is a live free-list block");
    }

    fn remove_partial(&mut self, class: usize, at: usize) {
        let list = &mut self.info[class].partial;
        list.swap_remove(at);
        if let Some(&moved) = list.get(at) {
            self.slabs[moved as usize].partial_at = at as u32;
        }
    }

    /// The slab that holds byte `offset`, if any.
    pub fn slab_of(&self, offset: usize) -> Option<usize> {
        let so = offset & !(self.slab_size - 1);
        self.slabs.place(so).map(|_| so)
    }

    /// The place of the slab at `so` and its chunk records.
    fn slab_chunks(&self, so: usize) -> (usize, &Slab, &[Chunk]) {
        let (p, slab) = self.slabs.get(so).expect("a slab at this offset");
        let n = self.chunks_per_slab(slab.class as usize);
        let base = slab.base as usize;
        (p, slab, &self.chunks[base..base + n])
    }

    /// The live chunk at `offset`: `(class size, requested, seq)`.
    ///
    /// # Errors
    /// [`AllocError::DoubleFree`] when `offset` lies in a free chunk,
    /// [`AllocError::InvalidFree`] when it is not the start of a live chunk.
    pub fn live(&self, so: usize, offset: usize) -> Result<(usize, usize, u64)> {
        let (_, slab, chunks) = self.slab_chunks(so);
        let cs = self.info[slab.class as usize].size;
        let i = chunk_index(cs, slab.shift, chunks, offset - so, offset)?;
        let c = chunks[i];
        Ok((cs, c.requested as usize, c.seq))
    }

    /// Changes the requested size of the live chunk at `offset` (which must fit its class).
    pub fn set_requested(&mut self, so: usize, offset: usize, size: usize) {
        let (_, slab, _) = self.slab_chunks(so);
        let k = slab.base as usize + (offset - so) / self.classes[slab.class as usize];
        self.live_requested = self.live_requested - self.chunks[k].requested as usize + size;
        self.chunks[k].requested = size as u32;
    }

    /// Returns the live chunk at `offset` to its class; a slab left empty goes
    /// back to the free list. `None` when `offset` is in no slab.
    ///
    /// # Errors
    /// As [`live`](Self::live); nothing changes on error.
    ///
    /// # Complexity
    /// O(1), plus a free-list free (O(log n)) when the slab empties.
    pub fn free(&mut self, fl: &mut FreeListAllocator, offset: usize) -> Option<Result<u64>> {
        // The offset within its slab does not wait for the slab's record.
        let rel = offset & (self.slab_size - 1);
        let p = self.slabs.place(offset)?;
        let Slab {
            base, class, shift, ..
        } = self.slabs[p];
        let (base, class) = (base as usize, class as usize);
        let (cs, n) = (self.info[class].size, self.info[class].per_slab);
        let i = match chunk_index(cs, shift, &self.chunks[base..base + n], rel, offset) {
            Ok(i) => i,
            Err(e) => return Some(Err(e)),
        };
        let slab = &mut self.slabs[p];
        let c = &mut self.chunks[base + i];
        let Chunk { seq, requested, .. } = *c;
        c.requested = 0;
        c.next = slab.head;
        slab.head = i as u16;
        slab.free += 1;
        let (free, partial_at) = (slab.free as usize, slab.partial_at);
        self.live -= (1 << 32) | cs as u64;
        self.live_requested -= requested as usize;
        if free == n {
            self.release(fl, p);
        } else if partial_at == NONE {
            let list = &mut self.info[class].partial;
            self.slabs[p].partial_at = list.len() as u32;
            list.push(p as u32);
        }
        Some(Ok(seq))
    }

    /// The chunks of the slab at `so` (and its unusable tail, if any) as blocks.
    pub fn chunks(&self, so: usize) -> impl Iterator<Item = Block> + '_ {
        let (_, slab, chunks) = self.slab_chunks(so);
        let cs = self.info[slab.class as usize].size;
        let n = chunks.len();
        let tail = self.slab_size - n * cs;
        chunks
            .iter()
            .enumerate()
            .map(move |(i, c)| Block {
                offset: so + i * cs,
                size: cs,
                free: c.requested == 0,
                requested: c.requested as usize,
                seq: (c.requested != 0).then_some(c.seq),
                class: Some(cs),
                padding: false,
            })
            .chain((tail > 0).then_some(Block {
                offset: so + n * cs,
                size: tail,
                free: false,
                requested: 0,
                seq: None,
                class: Some(cs),
                padding: false,
            }))
    }

    /// The largest class that can be served now: one with a free chunk, or any
    /// class when a new slab can be carved (`can_carve`).
    pub fn largest_servable(&self, can_carve: bool) -> usize {
        if can_carve {
            return *self.classes.last().expect("non-empty");
        }
        (0..self.classes.len())
            .rev()
            .find(|&c| !self.info[c].partial.is_empty())
            .map_or(0, |c| self.classes[c])
    }

    /// Checks the pools against the free list and their own counters.
    ///
    /// # Errors
    /// A description of the first broken invariant.
    pub fn check(&self, fl: &FreeListAllocator) -> std::result::Result<(), String> {
        let (mut lb, mut lr, mut lc, mut fb, mut fc) = (0, 0, 0, 0, 0);
        for (p, slab) in self.slabs.iter() {
            let so = self.slabs.so(p);
            if slab.class as usize >= self.info.len() {
                return Err(format!("slab {so} has no class {}", slab.class));
            }
            let b = fl.block_at(so).ok_or(format!("slab {so} is not a block"))?;
            if b.free || b.size != self.slab_size || so % self.slab_size != 0 {
                return Err(format!(
                    "slab {so} is not a live aligned block of the slab size"
                ));
            }
            let class = slab.class as usize;
            let cs = self.info[class].size;
            let n = self.chunks_per_slab(class);
            let base = slab.base as usize;
            let chunks = &self.chunks[base..base + n];
            let frees = chunks.iter().filter(|c| c.requested == 0).count();
            // The free list from `head` visits every free chunk once, and no other.
            let (mut at, mut listed) = (slab.head, 0);
            while at != END {
                let c = chunks.get(at as usize);
                if listed >= n || c.is_none_or(|c| c.requested != 0) {
                    return Err(format!("slab {so}: free list disagrees with the chunks"));
                }
                listed += 1;
                at = chunks[at as usize].next;
            }
            if frees != listed || frees != slab.free as usize {
                return Err(format!("slab {so}: free list disagrees with the chunks"));
            }
            if slab.shift != self.info[class].shift {
                return Err(format!("slab {so}: its shift is not its class's"));
            }
            if frees == n {
                return Err(format!("slab {so} is empty but kept"));
            }
            if chunks.iter().any(|c| c.requested as usize > cs) {
                return Err(format!("slab {so}: a chunk holds more than its class"));
            }
            let listed =
                self.info[class].partial.get(slab.partial_at as usize) == Some(&(p as u32));
            match slab.partial_at {
                NONE if frees == 0 => {}
                _ if frees > 0 && listed => {}
                _ => return Err(format!("slab {so}: partial list position is wrong")),
            }
            lb += (n - frees) * cs;
            lr += chunks.iter().map(|c| c.requested as usize).sum::<usize>();
            lc += n - frees;
            fb += frees * cs;
            fc += frees;
        }
        // Every slab's storage, and every spare one, is its own range of the
        // flat arrays (marked off one by one: no sort in the wasm).
        let mut ranges: Vec<(usize, usize)> = self
            .slabs
            .iter()
            .map(|(_, s)| (s.base as usize, self.chunks_per_slab(s.class as usize)))
            .collect();
        for (class, c) in self.info.iter().enumerate() {
            ranges.extend(
                c.spare_bases
                    .iter()
                    .map(|&b| (b as usize, self.chunks_per_slab(class))),
            );
        }
        let mut taken = vec![false; self.chunks.len()];
        for (b, n) in ranges {
            let Some(cells) = taken.get_mut(b..b + n) else {
                return Err("a slab's storage leaves the arrays".into());
            };
            if cells.iter().any(|&t| t) {
                return Err("two slabs share storage".into());
            }
            cells.fill(true);
        }
        if self.slabs.iter().count() != self.slabs.len() {
            return Err("the slab count disagrees with the table".into());
        }
        if self.slabs.recs.len() > self.slabs.limit.max(1) {
            return Err("the slab table outgrew the arena".into());
        }
        if self.info.iter().map(|c| c.partial.len()).sum::<usize>()
            != self
                .slabs
                .iter()
                .filter(|(_, s)| s.partial_at != NONE)
                .count()
        {
            return Err("partial lists hold unknown slabs".into());
        }
        if (lb, lr, lc, fb, fc)
            != (
                self.live_bytes(),
                self.live_requested,
                self.live_chunks(),
                self.free_bytes(),
                self.free_chunks(),
            )
        {
            return Err("slab counters disagree with a recount".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, Strategy};

    /// The slab table grows to the highest slab carved, doubling as a `Vec`
    /// does, but never past the number of slabs the arena can hold.
    #[test]
    fn slab_table_never_grows_past_the_arena() {
        let arena_size = 1 << 24;
        let mut fl = FreeListAllocator::new(Config {
            header: 0,
            arena_size,
            strategy: Strategy::FirstFit,
            align: 8,
            coalesce: true,
        })
        .unwrap();
        let mut pools = Pools::new(&DEFAULT_CLASSES, 256, 8, arena_size).unwrap();
        let limit = arena_size / 256;
        // Three quarters of the arena in one block: slabs land above it.
        fl.alloc(3 * arena_size / 4).unwrap();
        let mut seq = 1;
        for class in [0, 1, 2, 0, 1, 2] {
            for _ in 0..pools.chunks_per_slab(class) {
                pools.alloc(&mut fl, class, 8, seq).unwrap();
                seq += 1;
            }
            assert!(
                pools.slabs.recs.capacity() <= limit,
                "{}",
                pools.slabs.recs.capacity()
            );
            pools.check(&fl).unwrap();
        }
        assert_eq!(pools.slab_count(), 6);
        assert!(pools.slabs.recs.len() > 3 * limit / 4);
    }
}
