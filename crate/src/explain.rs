//! What the last op of a session did, in the terms a learner asks about:
//! which free block an allocation was carved from and how many free blocks
//! the strategy searched, what a free merged with, where a realloc went.
//!
//! It compares the blocks before and after the op (the state before comes
//! from replaying the log up to it, or, for an [`Explainer`], from bringing
//! the state it kept forward), so it describes what happened without
//! knowing how the allocator decided: the placement rules live in
//! the free list ([`FreeListAllocator`](crate::FreeListAllocator)) alone.

use crate::script::Op;
use crate::session::{Ptr, Session};
use crate::{AllocError, Block, ListOrder, Mode};

/// The longest log [`last_op`] replays to find the state before its last op.
pub const MAX_EXPLAINED_LOG: usize = 50_000;

/// The largest arena whose state before the last op an [`Explainer`] keeps
/// between calls (the page's largest, 64 MiB): the copy costs an arena of
/// the same size, and past this the explainer rebuilds it for each answer
/// and lets it go, as [`last_op`] does.
pub const MAX_KEPT_ARENA: usize = 64 << 20;

/// A block, by where it is and how big.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Span {
    /// First byte.
    pub offset: usize,
    /// Bytes.
    pub size: usize,
}

impl From<&Block> for Span {
    fn from(b: &Block) -> Self {
        Span {
            offset: b.offset,
            size: b.size,
        }
    }
}

/// What the last op did.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LastOp {
    /// Its number in the log, from 1.
    pub step: usize,
    /// The op as the op list writes it.
    pub op: String,
    /// The same op as data (`{ "op": "allocAligned", "size": 10, "align": 16 }`),
    /// so that no reader parses `op` again.
    pub call: Op,
    /// The mode it ran under.
    pub mode: Mode,
    /// Whether coalescing was on.
    pub coalesce: bool,
    /// The free list's order it ran under.
    pub order: ListOrder,
    /// Whether the heap grows with `sbrk` (else it is the whole arena).
    pub sbrk: bool,
    /// The high-water mark before the op: with `sbrk`, where the heap ended.
    pub heap_end: usize,
    /// Bytes the op raised the high-water mark by: with `sbrk`, how much the
    /// heap grew (0 when it did not).
    pub grew: usize,
    /// The arena's bytes above `heap_end`: with `sbrk`, how much the heap
    /// could still grow before the op.
    pub room: usize,
    /// Whether it failed (an allocation that returned NULL, a write that wrote nothing).
    pub failed: bool,
    /// The pointer it made, freed, resized or wrote through.
    pub ptr: Option<usize>,
    /// The op's block afterwards: the new block of an allocation or realloc,
    /// the block a free released (as it was).
    pub block: Option<Span>,
    /// An allocation's (or a moving realloc's): the free block it was
    /// carved from (with `sbrk`, its part in the heap, unless the op grew
    /// the heap: then the whole last block, the arena above included).
    pub hole: Option<Span>,
    /// A free's: the free block its bytes are part of now, when a merge made
    /// it bigger (with `sbrk`, its part in the heap: a free of the heap's
    /// last block merges with nothing).
    pub merged: Option<Span>,
    /// A free's, under a free list kept in another order than by address:
    /// merges the coalescing pass made between other free blocks (next to
    /// each other in the list, by this free's re-sort or an earlier change),
    /// 0 otherwise.
    pub other_merges: usize,
    /// A realloc's: where the block was before (when it moved or changed size).
    pub before: Option<Span>,
    /// Free blocks the strategy searched (allocations and reallocs; 0 for a
    /// realloc in place), under a fit strategy.
    pub searched: Option<usize>,
    /// Free blocks before the op (with `sbrk`, in the heap, as the
    /// statistics count them).
    pub free_blocks: usize,
    /// The largest free block before the op (with `sbrk`, its bytes in the heap).
    pub largest_free: usize,
    /// Free bytes before the op (with `sbrk`, in the heap).
    pub free_bytes: usize,
    /// The most free bytes next to each other before the op: free
    /// free-list blocks with no used block between them, one block unless
    /// some were left unmerged (coalescing off, or a list order's `-C`,
    /// which merges list neighbours only). With `sbrk`, in the heap. So a
    /// request refused with enough free bytes failed for want of merging
    /// when it is at least the block needed, else because used blocks
    /// stand between them.
    pub largest_run: usize,
    /// An allocation's or realloc's under a fit strategy: the bytes of the
    /// block it needs (its size rounded up to the alignment, plus the
    /// header), whether it got one or not.
    pub needed: Option<usize>,
    /// An allocation's or realloc's under the slab allocator: the class (in
    /// bytes) that serves its size, `None` when no class does.
    pub class: Option<usize>,
}

/// What the last logged op of `session` did, or `None` when nothing has run
/// yet or the log is longer than [`MAX_EXPLAINED_LOG`].
///
/// # Errors
/// [`AllocError::HostMemory`] when the host cannot provide the arena the
/// state before the op is rebuilt in.
///
/// # Complexity
/// O(n log n) in the ops logged: it replays all but the last. An
/// [`Explainer`] asked after every op replays only the ops since.
pub fn last_op(session: &Session) -> Result<Option<LastOp>, AllocError> {
    Explainer::default().last_op(session)
}

/// [`Session::rebuild`] up to step `n`, with an [`Explainer`] that already
/// keeps the state before its last op ([`Explainer::keep`]): undo and
/// scrubbing back, whose next [`Explainer::last_op`] then replays nothing
/// (it would replay the whole log again). The same ops replay either way.
///
/// # Errors
/// [`AllocError::HostMemory`] as [`Session::rebuild`] (the state kept is
/// left out when only it does not fit).
///
/// # Complexity
/// O(n log n), and O(arena size) to copy the state kept.
pub fn rebuild_explained(session: &Session, n: usize) -> Result<(Session, Explainer), AllocError> {
    let n = n.min(session.log().len());
    let mut explainer = Explainer::default();
    if n == 0 {
        return Ok((session.rebuild(0)?, explainer));
    }
    let mut s = session.rebuild(n - 1)?;
    explainer.keep(&s);
    let caught_up = s.catch_up(session, n)?;
    debug_assert!(caught_up, "a rebuild leads to its source");
    Ok((s, explainer))
}

/// [`last_op`] for a session asked again and again as it grows (a page
/// stepping through ops, a grader asking after each): it keeps the state
/// before the last op it explained and brings it forward by the ops logged
/// since, instead of replaying the whole log each time.
///
/// It holds a second arena of the session's size while it keeps that state
/// (for arenas up to [`MAX_KEPT_ARENA`]); [`forget`](Self::forget) lets it go.
#[derive(Clone, Debug, Default)]
pub struct Explainer {
    /// A rebuild of the session last explained, up to the step before its
    /// last op; `None` before the first answer, after an error, past
    /// [`MAX_EXPLAINED_LOG`] and for arenas over [`MAX_KEPT_ARENA`].
    before: Option<Session>,
    /// Ops replayed so far, by rebuilds and catch-ups: the work kept state saves.
    replayed: u64,
}

impl Explainer {
    /// What the last logged op of `session` did: [`last_op`]'s answer.
    ///
    /// # Errors
    /// As [`last_op`]; the state kept is dropped (the next call starts over).
    ///
    /// # Complexity
    /// O(k log n) for the k ops logged since the last call on the same
    /// session (it compares the logs, O(n), to know it is the same), plus
    /// O(b) in the blocks; as [`last_op`] for another session, after an undo
    /// or the first time.
    pub fn last_op(&mut self, session: &Session) -> Result<Option<LastOp>, AllocError> {
        let n = session.log().len();
        if n == 0 || n > MAX_EXPLAINED_LOG {
            self.forget();
            return Ok(None);
        }
        let prev = match self.before.take() {
            Some(mut kept) => {
                let from = kept.log().len();
                if kept.catch_up(session, n - 1)? {
                    self.replayed += (n - 1 - from) as u64;
                    kept
                } else {
                    drop(kept);
                    self.rebuild(session, n - 1)?
                }
            }
            None => self.rebuild(session, n - 1)?,
        };
        let out = describe(&prev, session);
        if session.initial_config().arena_size <= MAX_KEPT_ARENA {
            self.before = Some(prev);
        }
        Ok(Some(out))
    }

    /// Keeps `session` as it is now as the state before the op logged next
    /// on it, so that the next [`last_op`](Self::last_op) replays nothing:
    /// for a session that was just rebuilt or rewound, which would
    /// otherwise replay its whole log. Returns whether it keeps it (not
    /// past [`MAX_EXPLAINED_LOG`], for arenas over [`MAX_KEPT_ARENA`], or
    /// when the host may not hold a copy).
    ///
    /// # Complexity
    /// O(arena size + n) to copy the session.
    pub fn keep(&mut self, session: &Session) -> bool {
        self.forget();
        let fits = session.log().len() < MAX_EXPLAINED_LOG
            && session.initial_config().arena_size <= MAX_KEPT_ARENA
            && crate::headroom::ensure_copy().is_ok();
        if fits {
            self.before = Some(session.clone());
        }
        fits
    }

    fn rebuild(&mut self, session: &Session, n: usize) -> Result<Session, AllocError> {
        let s = session.rebuild(n)?;
        self.replayed += n as u64;
        Ok(s)
    }

    /// The ops the next [`last_op`](Self::last_op) on `session` would
    /// replay: those since the kept state, or the whole log but its last op
    /// without one; 0 when it would answer `None`. A caller that knows how
    /// fast this session replays can tell a slow answer before asking.
    ///
    /// # Complexity
    /// O(n) to compare the logs.
    pub fn pending(&self, session: &Session) -> usize {
        let n = session.log().len();
        if n == 0 || n > MAX_EXPLAINED_LOG {
            return 0;
        }
        match &self.before {
            Some(kept) if kept.leads_to(session, n - 1) => n - 1 - kept.log().len(),
            _ => n - 1,
        }
    }

    /// Lets the kept state go (its arena's memory with it); the next answer
    /// replays the log again.
    pub fn forget(&mut self) {
        self.before = None;
    }

    /// Ops replayed so far to find the states before the ops explained.
    ///
    /// # Complexity
    /// O(1).
    pub fn replayed(&self) -> u64 {
        self.replayed
    }
}

/// The most free bytes next to each other in `blocks` below `end`: runs
/// of free blocks of the free list (slab chunks are never merged).
fn largest_run(blocks: &[Block], end: usize) -> usize {
    let (mut best, mut run) = (0, 0);
    for b in blocks {
        if b.free && b.class.is_none() && b.offset < end {
            run += b.size.min(end - b.offset);
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// What the last op of `session` did, from `prev`: the same session before it.
fn describe(prev: &Session, session: &Session) -> LastOp {
    let log = session.log();
    let n = log.len();
    let op = &log[n - 1];
    let (was, now) = (prev.heap().blocks(), session.heap().blocks());
    let free_before: Vec<&Block> = was.iter().filter(|b| b.free).collect();
    let failed = session.failed_ops().last() == Some(&((n - 1) as u32));
    let live = |s: &Session, k: usize| match s.ptrs().get(k) {
        Some(&Ptr::Live(off)) => s.heap().live_block(off).ok(),
        _ => None,
    };
    // The free blocks before the op (free slab chunks included); with sbrk,
    // the heap's: their bytes below the high-water mark, as the statistics
    // count them.
    let end = if prev.heap().config().sbrk {
        prev.heap().stats().high_water
    } else {
        usize::MAX
    };
    // The free block a new block was carved from: with sbrk, its part in
    // the heap, unless the op grew the heap into the arena above it.
    let grew = session.heap().stats().high_water > prev.heap().stats().high_water;
    let hole_of = |b: &Block| {
        free_before
            .iter()
            .find(|f| f.offset <= b.offset && b.offset < f.end())
            .map(|f| Span {
                offset: f.offset,
                size: if grew {
                    f.size
                } else {
                    f.size.min(end.saturating_sub(f.offset))
                },
            })
    };
    let heap_free: Vec<usize> = free_before
        .iter()
        .map(|b| b.size.min(end.saturating_sub(b.offset)))
        .filter(|&size| size > 0)
        .collect();
    let mut out = LastOp {
        step: n,
        op: op.to_string(),
        call: op.clone(),
        mode: prev.heap().mode(),
        coalesce: prev.heap().config().coalesce,
        order: prev.heap().config().order,
        sbrk: prev.heap().config().sbrk,
        heap_end: prev.heap().stats().high_water,
        grew: session
            .heap()
            .stats()
            .high_water
            .saturating_sub(prev.heap().stats().high_water),
        room: prev.heap().config().arena_size - prev.heap().stats().high_water,
        failed,
        ptr: None,
        block: None,
        hole: None,
        merged: None,
        other_merges: 0,
        before: None,
        searched: None,
        free_blocks: heap_free.len(),
        largest_free: heap_free.iter().copied().max().unwrap_or(0),
        free_bytes: heap_free.iter().sum(),
        largest_run: largest_run(&was, end),
        needed: None,
        class: None,
    };
    // What a request asked of the allocator: a block of so many bytes, or a slab class.
    let request = match *op {
        Op::Alloc { size } | Op::Calloc { size } | Op::Realloc { size, .. } => Some((size, 1)),
        Op::AllocAligned { size, align } => Some((size, align)),
        _ => None,
    };
    if let Some((size, align)) = request {
        if out.mode == Mode::Slab {
            out.class = prev.heap().slab_class_for(size, align);
        } else {
            out.needed = prev.heap().block_size_for(size);
        }
    }
    match *op {
        Op::Alloc { .. } | Op::AllocAligned { .. } | Op::Calloc { .. } => {
            let k = session.ptrs().len() - 1;
            out.ptr = Some(k);
            if prev.heap().mode().strategy().is_some() {
                out.searched = Some(session.heap().last_searched());
            }
            if let Some(b) = live(session, k) {
                out.block = Some(Span::from(&b));
                out.hole = hole_of(&b);
            }
        }
        Op::Free { ptr } => {
            out.ptr = Some(ptr);
            if let Some(b) = live(prev, ptr) {
                out.block = Some(Span::from(&b));
                // With sbrk, the heap's blocks: a free of the heap's last
                // block merges with nothing in it, though the allocator
                // joins it to the arena above (which a heap grows into).
                out.merged = now
                    .iter()
                    .find(|f| f.free && f.offset <= b.offset && b.offset < f.end())
                    .map(|f| Span {
                        offset: f.offset,
                        size: f.size.min(end - f.offset),
                    })
                    .filter(|f| f.size > b.size);
                // Free blocks (the heap's): before + 1 (this one) − merges.
                // The merges of this block: one per neighbour its merged
                // block took in.
                let after = now.iter().filter(|f| f.free && f.offset < end).count();
                let merges = (heap_free.len() + 1).saturating_sub(after);
                let own = out.merged.map_or(0, |m| {
                    usize::from(m.offset < b.offset) + usize::from(m.offset + m.size > b.end())
                });
                if out.order != ListOrder::Address {
                    out.other_merges = merges.saturating_sub(own);
                }
            }
        }
        Op::Realloc { ptr, .. } => {
            out.ptr = Some(ptr);
            // As the replay report counts it: what a move (or a fresh
            // allocation, or a refusal) searched; 0 in place.
            if prev.heap().mode().strategy().is_some() {
                out.searched = Some(session.heap().last_searched());
            }
            let old = live(prev, ptr);
            out.before = old.as_ref().map(Span::from);
            if let Some(b) = live(session, ptr) {
                out.block = Some(Span::from(&b));
                if old.is_none_or(|o| o.offset != b.offset) {
                    out.hole = hole_of(&b);
                }
            }
        }
        Op::Write { ptr, .. } => {
            out.ptr = Some(ptr);
            out.block = live(session, ptr).as_ref().map(Span::from);
        }
        _ => {}
    }
    out
}
