//! Slab pools: fixed size classes served from slabs carved out of the arena.

use crate::free_list::FreeListAllocator;
use crate::{AllocError, Block, Result};

/// The default size classes: 16, 32 and 64 bytes.
pub const DEFAULT_CLASSES: [usize; 3] = [16, 32, 64];
/// The default slab size: 256 bytes (four 64-byte chunks).
pub const DEFAULT_SLAB_SIZE: usize = 256;

/// One slab: `slab_size` bytes at a multiple of `slab_size`, cut into chunks of
/// one class.
#[derive(Clone, Debug)]
struct Slab {
    /// Index into the class list.
    class: usize,
    /// Chunk indices that are free; the top is handed out next.
    free: Vec<u16>,
    /// Requested bytes per chunk; 0 marks a free chunk.
    requested: Vec<usize>,
    /// Sequence number per chunk (meaningless while free).
    seq: Vec<u64>,
    /// Position in its class's partial list, while it has a free chunk.
    partial_at: Option<usize>,
}

/// The slabs by offset: a direct table indexed by slab number (`offset /
/// slab_size`, grown to the highest slab seen) into a store of slab records,
/// so finding the slab of an offset costs one shift and two loads, no hashing.
#[derive(Clone, Debug, Default)]
struct SlabTable {
    /// `log2(slab_size)`.
    shift: u32,
    /// Per slab number, its place in `store` ([`NONE`] when there is no slab).
    index: Vec<u32>,
    /// Slab records with their offsets; `None` marks a recycled place.
    store: Vec<Option<(usize, Slab)>>,
    /// Places in `store` that hold `None`.
    spare: Vec<u32>,
}

const NONE: u32 = u32::MAX;

impl SlabTable {
    fn place(&self, so: usize) -> Option<usize> {
        match self.index.get(so >> self.shift) {
            Some(&p) if p != NONE => Some(p as usize),
            _ => None,
        }
    }

    fn get(&self, so: &usize) -> Option<&Slab> {
        self.place(*so)
            .and_then(|p| self.store[p].as_ref())
            .map(|(_, s)| s)
    }

    fn get_mut(&mut self, so: &usize) -> Option<&mut Slab> {
        let p = self.place(*so)?;
        self.store[p].as_mut().map(|(_, s)| s)
    }

    fn contains_key(&self, so: &usize) -> bool {
        self.place(*so).is_some()
    }

    fn insert(&mut self, so: usize, slab: Slab) {
        let n = so >> self.shift;
        if self.index.len() <= n {
            self.index.resize(n + 1, NONE);
        }
        let p = match self.spare.pop() {
            Some(p) => {
                self.store[p as usize] = Some((so, slab));
                p
            }
            None => {
                self.store.push(Some((so, slab)));
                (self.store.len() - 1) as u32
            }
        };
        self.index[n] = p;
    }

    fn remove(&mut self, so: &usize) {
        if let Some(p) = self.place(*so) {
            self.store[p] = None;
            self.spare.push(p as u32);
            self.index[*so >> self.shift] = NONE;
        }
    }

    fn len(&self) -> usize {
        self.store.len() - self.spare.len()
    }

    fn iter(&self) -> impl Iterator<Item = (&usize, &Slab)> {
        self.store.iter().flatten().map(|(so, s)| (so, s))
    }

    fn values(&self) -> impl Iterator<Item = &Slab> {
        self.iter().map(|(_, s)| s)
    }
}

impl std::ops::Index<&usize> for SlabTable {
    type Output = Slab;
    fn index(&self, so: &usize) -> &Slab {
        self.get(so).expect("a slab at this offset")
    }
}

/// The pools of all classes, over slabs that a [`FreeListAllocator`] provides.
#[derive(Clone, Debug)]
pub(crate) struct Pools {
    /// Size classes, strictly increasing.
    classes: Vec<usize>,
    /// Size of every slab: a power of two; slabs sit at multiples of it, so the
    /// slab of an offset is `offset & !(slab_size - 1)`.
    slab_size: usize,
    /// Every slab by offset.
    slabs: SlabTable,
    /// Per class, the offsets of its slabs that have a free chunk.
    partial: Vec<Vec<usize>>,
    /// Bytes (class sizes) of live chunks.
    pub live_bytes: usize,
    /// Requested bytes of live chunks.
    pub live_requested: usize,
    /// Number of live chunks.
    pub live_chunks: usize,
    /// Bytes of free chunks.
    pub free_bytes: usize,
    /// Number of free chunks.
    pub free_chunks: usize,
}

impl Pools {
    /// Checks the classes and the slab size.
    ///
    /// # Errors
    /// [`AllocError::BadConfig`] naming the problem.
    pub fn new(classes: &[usize], slab_size: usize, align: usize) -> Result<Self> {
        if classes.is_empty() || classes.len() > 16 {
            return Err(AllocError::bad_config("give between 1 and 16 size classes"));
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
        Ok(Pools {
            classes: classes.to_vec(),
            slab_size,
            slabs: SlabTable {
                shift: slab_size.trailing_zeros(),
                ..SlabTable::default()
            },
            partial: vec![Vec::new(); classes.len()],
            live_bytes: 0,
            live_requested: 0,
            live_chunks: 0,
            free_bytes: 0,
            free_chunks: 0,
        })
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

    fn chunks_per_slab(&self, class: usize) -> usize {
        self.slab_size / self.classes[class]
    }

    /// The smallest class that holds `size` and whose chunks are multiples of `align`.
    ///
    /// # Errors
    /// [`AllocError::ZeroSize`], [`AllocError::TooLarge`], or [`AllocError::BadAlign`]
    /// when no class has both.
    pub fn class_for(&self, size: usize, align: usize) -> Result<usize> {
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
        let so = match self.partial[class].last() {
            Some(&so) => so,
            None => self.carve(fl, class, seq)?,
        };
        let cs = self.classes[class];
        let slab = self.slabs.get_mut(&so).expect("partial slabs exist");
        let i = slab.free.pop().expect("partial slab has a free chunk") as usize;
        slab.requested[i] = size;
        slab.seq[i] = seq;
        if slab.free.is_empty() {
            let at = slab.partial_at.take().expect("was partial");
            self.remove_partial(class, at);
        }
        self.live_bytes += cs;
        self.live_requested += size;
        self.live_chunks += 1;
        self.free_bytes -= cs;
        self.free_chunks -= 1;
        Ok(so + i * cs)
    }

    fn carve(&mut self, fl: &mut FreeListAllocator, class: usize, seq: u64) -> Result<usize> {
        let so = fl.alloc_aligned_seq(self.slab_size, self.slab_size, seq)?;
        let n = self.chunks_per_slab(class);
        let at = self.partial[class].len();
        self.partial[class].push(so);
        self.slabs.insert(
            so,
            Slab {
                class,
                free: (0..n as u16).rev().collect(),
                requested: vec![0; n],
                seq: vec![0; n],
                partial_at: Some(at),
            },
        );
        self.free_bytes += n * self.classes[class];
        self.free_chunks += n;
        Ok(so)
    }

    fn remove_partial(&mut self, class: usize, at: usize) {
        let list = &mut self.partial[class];
        list.swap_remove(at);
        if let Some(&moved) = list.get(at) {
            self.slabs
                .get_mut(&moved)
                .expect("listed slab exists")
                .partial_at = Some(at);
        }
    }

    /// The slab that holds byte `offset`, if any.
    pub fn slab_of(&self, offset: usize) -> Option<usize> {
        let so = offset & !(self.slab_size - 1);
        self.slabs.contains_key(&so).then_some(so)
    }

    /// The live chunk at `offset`: `(class size, requested, seq)`.
    ///
    /// # Errors
    /// [`AllocError::DoubleFree`] when `offset` lies in a free chunk,
    /// [`AllocError::InvalidFree`] when it is not the start of a live chunk.
    pub fn live(&self, so: usize, offset: usize) -> Result<(usize, usize, u64)> {
        let slab = &self.slabs[&so];
        let cs = self.classes[slab.class];
        let rel = offset - so;
        let i = rel / cs;
        // As for free-list blocks: an offset anywhere in a free chunk is a double free.
        if i < slab.requested.len() && slab.requested[i] == 0 {
            return Err(AllocError::DoubleFree { offset });
        }
        if rel % cs != 0 || i >= slab.requested.len() {
            return Err(AllocError::InvalidFree { offset });
        }
        Ok((cs, slab.requested[i], slab.seq[i]))
    }

    /// Changes the requested size of the live chunk at `offset` (which must fit its class).
    pub fn set_requested(&mut self, so: usize, offset: usize, size: usize) {
        let slab = self.slabs.get_mut(&so).expect("slab exists");
        let i = (offset - so) / self.classes[slab.class];
        self.live_requested = self.live_requested - slab.requested[i] + size;
        slab.requested[i] = size;
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
        let so = offset & !(self.slab_size - 1);
        let slab = self.slabs.get_mut(&so)?;
        let class = slab.class;
        let cs = self.classes[class];
        let rel = offset - so;
        let i = rel / cs;
        if i < slab.requested.len() && slab.requested[i] == 0 {
            return Some(Err(AllocError::DoubleFree { offset }));
        }
        if rel % cs != 0 || i >= slab.requested.len() {
            return Some(Err(AllocError::InvalidFree { offset }));
        }
        let req = slab.requested[i];
        let seq = slab.seq[i];
        slab.requested[i] = 0;
        slab.free.push(i as u16);
        self.live_bytes -= cs;
        self.live_requested -= req;
        self.live_chunks -= 1;
        self.free_bytes += cs;
        self.free_chunks += 1;
        let n = slab.requested.len();
        if slab.free.len() == n {
            if let Some(at) = slab.partial_at {
                self.remove_partial(class, at);
            }
            self.slabs.remove(&so);
            self.free_bytes -= n * cs;
            self.free_chunks -= n;
            fl.free(so).expect("a slab is a live free-list block");
        } else if slab.partial_at.is_none() {
            slab.partial_at = Some(self.partial[class].len());
            self.partial[class].push(so);
        }
        Some(Ok(seq))
    }

    /// The chunks of the slab at `so` (and its unusable tail, if any) as blocks.
    pub fn chunks(&self, so: usize) -> impl Iterator<Item = Block> + '_ {
        let slab = &self.slabs[&so];
        let cs = self.classes[slab.class];
        let n = slab.requested.len();
        let tail = self.slab_size - n * cs;
        (0..n)
            .map(move |i| Block {
                offset: so + i * cs,
                size: cs,
                free: slab.requested[i] == 0,
                requested: slab.requested[i],
                seq: (slab.requested[i] != 0).then_some(slab.seq[i]),
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
            .find(|&c| !self.partial[c].is_empty())
            .map_or(0, |c| self.classes[c])
    }

    /// Checks the pools against the free list and their own counters.
    ///
    /// # Errors
    /// A description of the first broken invariant.
    pub fn check(&self, fl: &FreeListAllocator) -> std::result::Result<(), String> {
        let (mut lb, mut lr, mut lc, mut fb, mut fc) = (0, 0, 0, 0, 0);
        for (&so, slab) in self.slabs.iter() {
            let b = fl.block_at(so).ok_or(format!("slab {so} is not a block"))?;
            if b.free || b.size != self.slab_size || so % self.slab_size != 0 {
                return Err(format!(
                    "slab {so} is not a live aligned block of the slab size"
                ));
            }
            let cs = self.classes[slab.class];
            let n = self.chunks_per_slab(slab.class);
            if slab.requested.len() != n {
                return Err(format!(
                    "slab {so} has {} chunks, expected {n}",
                    slab.requested.len()
                ));
            }
            let frees = slab.requested.iter().filter(|&&r| r == 0).count();
            if frees != slab.free.len()
                || slab.free.iter().any(|&i| slab.requested[i as usize] != 0)
            {
                return Err(format!("slab {so}: free stack disagrees with the chunks"));
            }
            if frees == n {
                return Err(format!("slab {so} is empty but kept"));
            }
            if slab.requested.iter().any(|&r| r > cs) {
                return Err(format!("slab {so}: a chunk holds more than its class"));
            }
            match slab.partial_at {
                Some(at) if frees > 0 && self.partial[slab.class].get(at) == Some(&so) => {}
                None if frees == 0 => {}
                _ => return Err(format!("slab {so}: partial list position is wrong")),
            }
            lb += (n - frees) * cs;
            lr += slab.requested.iter().sum::<usize>();
            lc += n - frees;
            fb += frees * cs;
            fc += frees;
        }
        if self.partial.iter().map(Vec::len).sum::<usize>()
            != self
                .slabs
                .values()
                .filter(|s| s.partial_at.is_some())
                .count()
        {
            return Err("partial lists hold unknown slabs".into());
        }
        if (lb, lr, lc, fb, fc)
            != (
                self.live_bytes,
                self.live_requested,
                self.live_chunks,
                self.free_bytes,
                self.free_chunks,
            )
        {
            return Err("slab counters disagree with a recount".into());
        }
        Ok(())
    }
}
