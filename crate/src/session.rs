//! A session: a [`Heap`] plus the pointer table and op log that scripts,
//! traces, undo and sharing need. Every operation is logged in the op-list
//! syntax of [`crate::script`], so a session can be rebuilt from its config
//! and log at any step.

use crate::fxhash::FxMap;
use crate::headroom;
use crate::script::{self, Op, OpReader, Script, ScriptError, MAX_SIZE, MAX_WRITE};
use crate::{AllocError, Block, Heap, HeapConfig, ListOrder, Mode, Result, Stats};

/// What became of an allocation request (`ptr[k]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", content = "offset", rename_all = "camelCase")]
pub enum Ptr {
    /// Holds the block at this offset.
    Live(usize),
    /// The request failed; freeing it does nothing (like `free(NULL)`).
    Failed,
    /// Freed.
    Freed,
}

/// What a replay did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplayReport {
    /// Ops run.
    pub ops: usize,
    /// Allocation requests (alloc, aligned, calloc).
    pub allocs: usize,
    /// Frees that released a block.
    pub frees: usize,
    /// Reallocs run.
    pub reallocs: usize,
    /// Free blocks searched, summed over the allocation requests and the
    /// reallocs (each as [`Heap::last_searched`] counts it: OSTEP's list
    /// walk; a realloc that stays in place searches nothing).
    pub searched: u64,
    /// Allocation and realloc requests that failed, writes that did not
    /// fit their block or went through a NULL pointer, and frees of a pointer
    /// already freed (the ops [`Session::failed_ops`] lists).
    pub failed: usize,
    /// Of the failed requests, those the slab allocator refused for asking
    /// more than its largest class ([`AllocError::TooLarge`]; slab mode only).
    pub too_large: usize,
}

impl ReplayReport {
    /// Counts a failed allocation or realloc request.
    #[cold]
    fn request_failed(&mut self, e: &AllocError) {
        self.failed += 1;
        self.too_large += usize::from(matches!(e, AllocError::TooLarge { .. }));
    }
}

/// Everything a view needs to draw the state, in one serializable value.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// Arena size in bytes.
    pub arena_size: usize,
    /// The current mode (`"first-fit"` … or `"slab"`).
    pub strategy: Mode,
    /// Granularity.
    pub align: usize,
    /// Coalescing on or off.
    pub coalesce: bool,
    /// The free list's order (`"address"`, …).
    pub order: ListOrder,
    /// Whether the heap grows with `sbrk` (else it is the whole arena).
    pub sbrk: bool,
    /// Bytes of header in front of each free-list block's payload (`malloc.py -H`).
    pub header: usize,
    /// Slab size classes.
    pub classes: Vec<usize>,
    /// Slab size.
    pub slab_size: usize,
    /// Every block in address order (slabs as chunks); `seq` is the `ptr` index.
    pub blocks: Vec<Block>,
    /// The statistics.
    pub stats: Stats,
    /// Free blocks examined by the last allocation request.
    pub last_searched: usize,
    /// Number of ops in the log.
    pub ops: usize,
    /// Index the next allocation request will get.
    pub next_ptr: usize,
}

/// A heap with its pointer table and op log.
#[derive(Clone, Debug)]
pub struct Session {
    /// The configuration the session started from (rebuilds start here).
    initial: HeapConfig,
    heap: Heap,
    /// `ptrs[k]` is what became of allocation request k; `k == seq` of its block.
    ptrs: Vec<Ptr>,

    /// Every op that changed something (or was an allocation request), in order.
    log: Vec<Op>,
    /// Positions in `log` of the ops that failed (an allocation or realloc
    /// that returned NULL, a write outside its block or to a NULL pointer, a
    /// free of a pointer already freed), ascending.
    failed: Vec<u32>,
}

/// What makes an op impossible to run (see [`op_problem`]).
#[derive(Clone, Copy, Debug)]
enum Problem {
    ZeroSize,
    BadAlign,
    /// Pointer `k` does not exist yet after `requests` allocation requests.
    NotYet {
        k: usize,
        requests: usize,
    },
    Freed {
        k: usize,
    },
    /// A size above what an op list can say.
    TooLarge {
        size: usize,
    },
    /// A write of no byte, of more than an op list carries, or too far in.
    BadWrite,
}

impl Problem {
    /// The problem in words (`arena` for the alignment bound).
    #[cold]
    fn message(self, arena: usize) -> String {
        match self {
            Problem::ZeroSize => "size must be at least 1".into(),
            Problem::BadAlign => {
                format!("alignment must be a power of two no larger than the arena ({arena})")
            }
            Problem::NotYet { k, requests } => match requests {
                0 => format!("ptr[{k}] does not exist yet (no allocation request so far)"),
                1 => format!("ptr[{k}] does not exist yet (only 1 allocation request so far)"),
                n => format!("ptr[{k}] does not exist yet (only {n} allocation requests so far)"),
            },
            Problem::Freed { k } => format!("ptr[{k}] is already freed"),
            Problem::TooLarge { size } => format!("size {size} is too large (at most {MAX_SIZE})"),
            Problem::BadWrite => format!(
                "a write carries 1 to {MAX_WRITE} bytes, at most {MAX_SIZE} bytes into its block"
            ),
        }
    }
}

/// What makes `op` impossible to run, if anything: a zero size, a size above
/// what an op list can say, a bad alignment, a write no op list can carry, or
/// a pointer that does not exist yet or is already freed. The
/// one home of these rules, for [`Session::validate`] and the checked run of
/// [`Session::replay_with`]. `requests` is the number of allocation requests
/// before `op`; `freed(k)` tells whether pointer `k < requests` was freed.
/// (The words are built apart, by [`Problem::message`]: this check runs
/// before every op of a replay, inline.)
#[inline(always)]
fn op_problem(
    op: &Op,
    arena: usize,
    requests: usize,
    freed: impl FnOnce(usize) -> bool,
) -> Option<Problem> {
    match *op {
        Op::Alloc { size } | Op::Calloc { size } | Op::AllocAligned { size, .. } => {
            if size == 0 {
                return Some(Problem::ZeroSize);
            }
            if size > MAX_SIZE {
                return Some(Problem::TooLarge { size });
            }
            if let Op::AllocAligned { align, .. } = *op {
                if !align.is_power_of_two() || align > arena {
                    return Some(Problem::BadAlign);
                }
            }
            None
        }
        // (A parsed script cannot hold these; a script built by hand can.)
        Op::Realloc { size, .. } if size > MAX_SIZE => Some(Problem::TooLarge { size }),
        Op::Write { ref bytes, at, .. }
            if bytes.is_empty() || bytes.len() > MAX_WRITE || at > MAX_SIZE =>
        {
            Some(Problem::BadWrite)
        }
        Op::Free { ptr: k } | Op::Realloc { ptr: k, .. } | Op::Write { ptr: k, .. } => {
            if k >= requests {
                return Some(Problem::NotYet { k, requests });
            }
            // A second free of a pointer runs, and fails (a double free:
            // nothing changes, as in malloc.py, whose free returns -1);
            // reading or resizing freed memory is refused.
            if !matches!(op, Op::Free { .. }) && freed(k) {
                return Some(Problem::Freed { k });
            }
            // A write's bounds depend on the granted block (the mode's
            // rounding); one that does not fit is counted as failed when run.
            matches!(op, Op::Realloc { size: 0, .. }).then_some(Problem::ZeroSize)
        }
        Op::SetMode { .. } | Op::SetCoalesce { .. } | Op::MergeAll => None,
    }
}

/// A size or alignment an op list can carry (at most
/// [`MAX_SIZE`](crate::script::MAX_SIZE)): what the session logs must parse back.
fn check_size(what: &str, n: usize) -> Result<()> {
    if n > crate::script::MAX_SIZE {
        return Err(AllocError::BadArgument {
            reason: format!(
                "{what} {n} is above {}, the most an op list can say",
                crate::script::MAX_SIZE
            ),
        });
    }
    Ok(())
}

impl Session {
    /// A fresh session.
    ///
    /// # Errors
    /// As [`Heap::new`].
    ///
    /// # Complexity
    /// As [`Heap::new`].
    pub fn new(config: HeapConfig) -> Result<Self> {
        Ok(Session {
            heap: Heap::new(config.clone())?,
            initial: config,
            ptrs: Vec::new(),

            log: Vec::new(),
            failed: Vec::new(),
        })
    }

    /// The heap.
    pub fn heap(&self) -> &Heap {
        &self.heap
    }

    /// The configuration the session started from.
    pub fn initial_config(&self) -> &HeapConfig {
        &self.initial
    }

    /// The op log.
    pub fn log(&self) -> &[Op] {
        &self.log
    }

    /// Positions in the [`log`](Self::log) of the ops that failed: an
    /// allocation or realloc that returned NULL, a write outside its block or
    /// to a NULL pointer, a free of a pointer already freed. Ascending.
    pub fn failed_ops(&self) -> &[u32] {
        &self.failed
    }

    /// The step (from 1) of the last logged allocation request: a malloc,
    /// aligned malloc, calloc or realloc, the ops that set the statistics'
    /// `last_searched` (a request that failed included). `None` when none is
    /// logged.
    ///
    /// # Complexity
    /// O(k) for the k ops logged after it.
    pub fn last_request(&self) -> Option<usize> {
        self.log
            .iter()
            .rposition(|op| {
                matches!(
                    op,
                    Op::Alloc { .. }
                        | Op::AllocAligned { .. }
                        | Op::Calloc { .. }
                        | Op::Realloc { .. }
                )
            })
            .map(|i| i + 1)
    }

    /// Marks the op just logged as failed.
    #[cold]
    fn mark_failed(&mut self) {
        self.failed.push((self.log.len() - 1) as u32);
    }

    /// An upper bound on the host memory `ops` more ops may take: their log,
    /// pointer and failure entries, and what they may add to the heap's
    /// records (see [`headroom`](crate::headroom)). `switch`: they may
    /// change the strategy.
    ///
    /// # Complexity
    /// O(log ops).
    pub fn room_for(&self, ops: usize, switch: bool) -> usize {
        headroom::vec_growth(&self.log, ops)
            .saturating_add(headroom::vec_growth(&self.ptrs, ops))
            .saturating_add(headroom::vec_growth(&self.failed, ops))
            .saturating_add(self.heap.growth(ops, switch))
    }

    /// Checks that [`room_for`](Self::room_for)`(ops, switch)` and `extra`
    /// bytes besides fit in the host's memory, before an operation runs them.
    ///
    /// # Errors
    /// [`AllocError::HostMemory`] (see [`headroom::ensure`]).
    ///
    /// # Complexity
    /// O(log ops); more only when memory is nearly full (an allocation).
    pub fn ensure_room(&self, ops: usize, switch: bool, extra: usize) -> Result<()> {
        // One op that switches nothing only regrows vectors: while the memory
        // can grow by twice what it holds, that fits (the usual case, checked
        // without adding up the bound).
        if ops <= 1 && !switch && headroom::doubling_fits(extra) {
            return Ok(());
        }
        headroom::ensure(self.room_for(ops, switch).saturating_add(extra))
    }

    /// [`ensure_room`](Self::ensure_room) for replaying an op list: as many
    /// ops as `text` may hold (any of them a switch), its parse, the bytes
    /// of its writes once more (the log keeps a copy), and a [`Sample`] per
    /// `every` ops, and before and after, when the replay takes them
    /// ([`replay_text_sampled`](Self::replay_text_sampled)).
    ///
    /// # Errors
    /// [`AllocError::HostMemory`].
    ///
    /// # Complexity
    /// O(length of the text).
    pub fn ensure_room_for_text(&self, text: &str, every: Option<usize>) -> Result<()> {
        let ops = script::op_bound(text);
        let samples = every.map_or(0, |e| {
            headroom::bound(ops / e.max(1) + 2, 2 * std::mem::size_of::<Sample>(), 0)
        });
        let extra = script::parse_room(text)
            .saturating_add(text.len())
            .saturating_add(samples);
        self.ensure_room(ops, true, extra)
    }

    /// Checks that a copy of the blocks fits in the host's memory, before a
    /// read that lists them ([`snapshot`](Self::snapshot), a packed list,
    /// [`check_invariants`](Self::check_invariants)).
    ///
    /// # Errors
    /// [`AllocError::HostMemory`].
    ///
    /// # Complexity
    /// O(1); more only when memory is nearly full.
    pub fn ensure_read_room(&self) -> Result<()> {
        headroom::ensure(self.heap.read_room())
    }

    /// The pointer table.
    pub fn ptrs(&self) -> &[Ptr] {
        &self.ptrs
    }

    /// Checks the heap's invariants ([`Heap::check_invariants`]) and the
    /// session's own: `ptrs[k]` is allocation request k (one per allocation
    /// op in the log), a live one holds the used block whose `seq` is k and
    /// every used block is some live pointer's; `failed` is ascending, inside the log.
    ///
    /// # Errors
    /// The first invariant that does not hold, in words.
    ///
    /// # Complexity
    /// O(n log n) in the blocks, plus O(log length).
    pub fn check_invariants(&self) -> std::result::Result<(), String> {
        self.heap.check_invariants()?;
        let requests = self
            .log
            .iter()
            .filter(|op| {
                matches!(
                    op,
                    Op::Alloc { .. } | Op::AllocAligned { .. } | Op::Calloc { .. }
                )
            })
            .count();
        if requests != self.ptrs.len() {
            return Err(format!(
                "{} pointers for {requests} allocation requests in the log",
                self.ptrs.len()
            ));
        }
        let mut live = 0;
        for (k, p) in self.ptrs.iter().enumerate() {
            if let Ptr::Live(off) = *p {
                live += 1;
                match self.heap.live_block(off) {
                    Ok(b) if b.seq == Some(k as u64) => {}
                    Ok(b) => {
                        return Err(format!(
                            "ptr[{k}] holds the block at {off}, whose seq is {:?}",
                            b.seq
                        ))
                    }
                    Err(_) => return Err(format!("ptr[{k}] holds {off}, which is no used block")),
                }
            }
        }
        let used = self
            .heap
            .blocks()
            .iter()
            .filter(|b| !b.free && b.seq.is_some())
            .count();
        if used != live {
            return Err(format!("{used} used blocks for {live} live pointers"));
        }
        if self.failed.windows(2).any(|w| w[0] >= w[1]) {
            return Err("the failed ops are not ascending".into());
        }
        if self
            .failed
            .last()
            .is_some_and(|&f| f as usize >= self.log.len())
        {
            return Err("a failed op lies past the log".into());
        }
        Ok(())
    }

    /// The pointer index of the live block at `offset`.
    pub fn ptr_at(&self, offset: usize) -> Option<usize> {
        let seq = self.heap.live_block(offset).ok()?.seq?;
        Some(seq as usize)
    }

    /// A snapshot of the whole state.
    ///
    /// # Complexity
    /// O(n).
    pub fn snapshot(&self) -> Snapshot {
        let c = self.heap.config();
        Snapshot {
            arena_size: c.arena_size,
            strategy: c.mode,
            align: c.align,
            coalesce: c.coalesce,
            order: c.order,
            sbrk: c.sbrk,
            header: c.header,
            classes: c.classes,
            slab_size: c.slab_size,
            blocks: self.heap.blocks(),
            stats: self.heap.stats(),
            last_searched: self.heap.last_searched(),
            ops: self.log.len(),
            next_ptr: self.ptrs.len(),
        }
    }

    // ----- offset-based operations (the JS API) ------------------------------

    /// Allocates in the current mode; see [`Heap::alloc`].
    ///
    /// # Errors
    /// As [`Heap::alloc`]. A request the heap numbered (it failed for lack of
    /// memory or of a class) is logged and takes a pointer index; one
    /// rejected before (zero size) is not.
    ///
    /// # Complexity
    /// As [`Heap::alloc`], plus an amortised O(1) log entry.
    pub fn alloc(&mut self, size: usize) -> Result<usize> {
        self.alloc_op(Op::Alloc { size })
    }

    /// Allocates at a multiple of `align`; see [`Heap::alloc_aligned`].
    ///
    /// # Errors
    /// As [`Heap::alloc_aligned`], logged as [`alloc`](Self::alloc) says.
    ///
    /// # Complexity
    /// As [`Heap::alloc_aligned`].
    pub fn alloc_aligned(&mut self, size: usize, align: usize) -> Result<usize> {
        self.alloc_op(Op::AllocAligned { size, align })
    }

    /// Allocates zeroed bytes; see [`Heap::alloc_zeroed`].
    ///
    /// # Errors
    /// As [`Heap::alloc`], logged as [`alloc`](Self::alloc) says.
    ///
    /// # Complexity
    /// As [`Heap::alloc_zeroed`].
    pub fn calloc(&mut self, size: usize) -> Result<usize> {
        self.alloc_op(Op::Calloc { size })
    }

    fn alloc_op(&mut self, op: Op) -> Result<usize> {
        if let Op::Alloc { size } | Op::Calloc { size } | Op::AllocAligned { size, .. } = op {
            check_size("size", size)?;
        }
        if let Op::AllocAligned { align, .. } = op {
            check_size("align", align)?;
        }
        let before = self.heap.next_seq();
        let r = match op {
            Op::Alloc { size } => self.heap.alloc(size),
            Op::AllocAligned { size, align } => self.heap.alloc_aligned(size, align),
            Op::Calloc { size } => self.heap.alloc_zeroed(size),
            _ => unreachable!("alloc_op takes allocation ops"),
        };
        if self.heap.next_seq() != before {
            debug_assert_eq!(before as usize, self.ptrs.len());
            self.record_alloc(op, r.as_ref().ok().copied());
        }
        r
    }

    /// Logs an allocation request the heap numbered, and gives it its pointer.
    #[inline]
    fn record_alloc(&mut self, op: Op, placed: Option<usize>) {
        self.log.push(op);
        match placed {
            Some(off) => self.ptrs.push(Ptr::Live(off)),
            None => {
                self.ptrs.push(Ptr::Failed);
                self.mark_failed();
            }
        }
    }

    /// Frees the live block or chunk at `offset`.
    ///
    /// # Errors
    /// [`AllocError::InvalidFree`] or [`AllocError::DoubleFree`]; nothing changes.
    ///
    /// # Complexity
    /// As [`Heap::free`].
    #[inline(always)]
    pub fn free(&mut self, offset: usize) -> Result<()> {
        // A block's seq is its pointer index.
        let k = self.heap.free_seq(offset)? as usize;
        self.ptrs[k] = Ptr::Freed;
        self.log.push(Op::Free { ptr: k });
        Ok(())
    }

    /// Resizes the live block at `offset`; see [`Heap::realloc`].
    ///
    /// # Errors
    /// As [`Heap::realloc`]; a realloc that fails for lack of memory is logged
    /// (and replays as a failure), one with bad arguments is not.
    ///
    /// # Complexity
    /// As [`Heap::realloc`].
    pub fn realloc(&mut self, offset: usize, size: usize) -> Result<usize> {
        check_size("size", size)?;
        let k = self.heap.live_block(offset)?.seq.expect("live") as usize;
        let failed_before = self.heap.failed_allocs();
        let r = self.heap.realloc(offset, size);
        match r {
            Ok(new) => {
                self.ptrs[k] = Ptr::Live(new);
                self.log.push(Op::Realloc { ptr: k, size });
            }
            Err(_) if self.heap.failed_allocs() != failed_before => {
                self.log.push(Op::Realloc { ptr: k, size });
                self.mark_failed();
            }
            Err(_) => {}
        }
        r
    }

    /// Writes bytes inside the live block that starts at `offset`, `at` bytes
    /// into its payload (after the block's header, when the heap has one).
    ///
    /// # Errors
    /// [`AllocError::OutOfBounds`] when `offset` is not the start of a live
    /// block; [`AllocError::WriteOutside`] when the bytes leave its payload.
    ///
    /// # Complexity
    /// O(log n) to find the block, then O(bytes).
    pub fn write(&mut self, offset: usize, at: usize, bytes: &[u8]) -> Result<()> {
        let block = self
            .heap
            .live_block(offset)
            .map_err(|_| AllocError::OutOfBounds {
                offset,
                len: bytes.len(),
            })?;
        // A free-list block's payload starts after its header (slab chunks have none).
        let skip = if block.class.is_none() {
            self.heap.header().min(block.size)
        } else {
            0
        };
        let room = block.size - skip;
        let outside = AllocError::WriteOutside {
            offset,
            size: room,
            at,
            len: bytes.len(),
        };
        // The op-list syntax carries 1 ..= MAX_WRITE bytes per write: a logged
        // write must parse again.
        if bytes.is_empty() || bytes.len() > crate::script::MAX_WRITE {
            return Err(outside);
        }
        let k = block.seq.expect("live") as usize;
        if at.checked_add(bytes.len()).is_none_or(|e| e > room) {
            return Err(outside);
        }
        self.heap.write_in(&block, skip + at, bytes);
        self.log.push(Op::Write {
            ptr: k,
            at,
            bytes: bytes.to_vec(),
        });
        Ok(())
    }

    /// Switches the mode (logged).
    ///
    /// # Complexity
    /// As [`Heap::set_mode`].
    pub fn set_mode(&mut self, mode: Mode) {
        self.heap.set_mode(mode);
        self.log.push(Op::SetMode { mode });
    }

    /// Turns coalescing on or off (logged).
    ///
    /// # Complexity
    /// As [`Heap::set_coalesce`].
    pub fn set_coalesce(&mut self, on: bool) {
        self.heap.set_coalesce(on);
        self.log.push(Op::SetCoalesce { on });
    }

    /// Merges all adjacent free blocks (logged); returns the merges made.
    ///
    /// # Complexity
    /// O(n log n).
    pub fn merge_all(&mut self) -> usize {
        self.log.push(Op::MergeAll);
        self.heap.coalesce_all()
    }

    // ----- pointer-based replay ------------------------------------------------

    /// Checks that every pointer a script names exists, and that none it
    /// reallocs or writes is freed before, given this session's pointers: the
    /// only errors a replay could otherwise meet (a second free runs, and
    /// fails).
    ///
    /// # Errors
    /// [`ScriptError`] naming the line of the first bad op.
    ///
    /// # Complexity
    /// O(ops).
    pub fn validate(&self, script: &Script) -> std::result::Result<(), ScriptError> {
        let old = self.ptrs.len();
        // Pointers this session already has that the script frees.
        let mut freed_old: FxMap<usize, ()> = FxMap::default();
        // Per pointer the script creates: freed yet?
        let mut freed_new: Vec<bool> = Vec::with_capacity(script.ops.len());
        let arena = self.heap.config().arena_size;
        for (i, op) in script.ops.iter().enumerate() {
            let freed = |k: usize| {
                if k < old {
                    self.ptrs[k] == Ptr::Freed || freed_old.contains_key(&k)
                } else {
                    freed_new[k - old]
                }
            };
            if let Some(p) = op_problem(op, arena, old + freed_new.len(), freed) {
                let m = p.message(arena);
                // On a line of several ops (an OSTEP list is one line), say which.
                let line = script.line(i);
                let on_line = |j: &usize| script.line(*j) == line;
                let nth = (0..i).rev().take_while(on_line).count() + 1;
                let shared = nth > 1 || (i + 1 < script.ops.len() && on_line(&(i + 1)));
                let what = if shared {
                    format!("op {nth} ({op})")
                } else {
                    op.to_string()
                };
                return Err(ScriptError::new(line, 0, format!("{what}: {m}")));
            }
            match *op {
                Op::Alloc { .. } | Op::Calloc { .. } | Op::AllocAligned { .. } => {
                    freed_new.push(false);
                }
                Op::Free { ptr } if ptr < old => {
                    freed_old.insert(ptr, ());
                }
                Op::Free { ptr } => freed_new[ptr - old] = true,
                _ => {}
            }
        }
        Ok(())
    }

    /// Validates a script, then runs it; allocation failures are counted, not
    /// fatal. `after` is called after each op with the op's index.
    ///
    /// A fresh session (empty log, so in its initial state, as
    /// [`rebuild`](Self::rebuild)`(0)` also assumes) checks each op as it runs
    /// instead of in a pass of its own, and on a bad op starts over, its arena
    /// zeroed again up to the highest offset it handed out: `after` may then
    /// have seen ops that are undone, and a bad op late in a long script costs
    /// the ops before it (the price of skipping the pass on good scripts).
    ///
    /// # Errors
    /// [`ScriptError`] from [`validate`](Self::validate); the session is
    /// unchanged then.
    ///
    /// # Complexity
    /// O(ops × log n).
    pub fn replay_with(
        &mut self,
        script: &Script,
        mut after: impl FnMut(&Session, usize),
    ) -> std::result::Result<ReplayReport, ScriptError> {
        // Room up front: a million-op replay would otherwise regrow (and copy) both many times.
        self.log.reserve(script.ops.len());
        self.ptrs
            .reserve(script.ops.iter().filter(|op| op.is_alloc()).count());
        let mut rep = ReplayReport::default();
        if self.is_fresh() {
            // Nothing to keep: each op is checked as it runs (no second pass
            // over the ops). A bad one puts the session back to its start, and
            // validation below words the error.
            let arena = self.initial.arena_size;
            let mut bad = false;
            for (i, op) in script.ops.iter().enumerate() {
                let ptrs = &self.ptrs;
                if op_problem(op, arena, ptrs.len(), |k| ptrs[k] == Ptr::Freed).is_some() {
                    bad = true;
                    break;
                }
                self.run(op, &mut rep);
                after(self, i);
            }
            if !bad {
                return Ok(rep);
            }
            self.start_over();
            rep = ReplayReport::default();
        }
        self.validate(script)?;
        for (i, op) in script.ops.iter().enumerate() {
            self.run(op, &mut rep);
            after(self, i);
        }
        Ok(rep)
    }

    /// Checks `script` as [`replay_with`](Self::replay_with) does, then runs
    /// its ops until `stop()` says so: it is asked before every 16th op (never
    /// before the first), so a caller can bound the time a piece of a long
    /// replay takes whatever each op costs. The report counts the ops run;
    /// the ops after them are not run (they stay valid to run next).
    ///
    /// # Errors
    /// [`ScriptError`] from [`validate`](Self::validate); the session is unchanged then.
    ///
    /// # Complexity
    /// O(ops × log n) for the ops run, plus O(ops) to check them all.
    pub fn replay_until(
        &mut self,
        script: &Script,
        mut stop: impl FnMut() -> bool,
    ) -> std::result::Result<ReplayReport, ScriptError> {
        self.validate(script)?;
        let mut rep = ReplayReport::default();
        for (i, op) in script.ops.iter().enumerate() {
            if i > 0 && i % 16 == 0 && stop() {
                break;
            }
            self.run(op, &mut rep);
        }
        Ok(rep)
    }

    /// Reads, checks and runs an op list: [`replay_with`](Self::replay_with)
    /// of [`script::parse`](crate::script::parse)`(text)`, with the same
    /// report or error, the same state afterwards, and on success the same
    /// calls to `after` (on an error it may have seen ops that are undone).
    ///
    /// A fresh session runs each op as it is read, with no list of parsed ops
    /// in between (one pass over the text, one decision per op); on a bad
    /// token or a bad op it starts over, and the whole text is parsed and
    /// validated to word the error (so a syntax error late in the text is
    /// still the one reported, as it is by [`parse`](crate::script::parse)).
    ///
    /// # Errors
    /// [`ScriptError`] from [`parse`](crate::script::parse) or
    /// [`validate`](Self::validate); the session is unchanged then.
    ///
    /// # Complexity
    /// O(length of the text + ops × log n).
    pub fn replay_text_with(
        &mut self,
        text: &str,
        mut after: impl FnMut(&Session, usize),
    ) -> std::result::Result<ReplayReport, ScriptError> {
        if !self.is_fresh() {
            return self.replay_with(&crate::script::parse(text)?, after);
        }
        let arena = self.initial.arena_size;
        let mut rep = ReplayReport::default();
        // Room up front (at most an op per separator, and per three bytes: a
        // token takes two at least, and a separator; about half of them
        // allocations): a million-op replay would otherwise regrow and copy
        // the log many times.
        let bytes = text.as_bytes();
        let room = (crate::script::count_breaks(bytes) + 1)
            .min(bytes.len() / 3 + 1)
            .min(crate::script::MAX_OPS);
        self.log.reserve(room);
        self.ptrs.reserve(room / 2);
        let mut reader = OpReader::new(text);
        let mut i = 0;
        let clean = loop {
            // The common `+N` / `-K` on a path of its own (see `next_quick`).
            if let Some(op) = reader.next_quick() {
                if !self.check_run(&op, arena, &mut rep) {
                    break false;
                }
                after(self, i);
                i += 1;
                continue;
            }
            match reader.next_op() {
                Ok(Some((op, _))) => {
                    if !self.check_run_other(&op, arena, &mut rep) {
                        break false;
                    }
                    after(self, i);
                    i += 1;
                }
                Ok(None) => break true,
                Err(_) => break false,
            }
        };
        if clean {
            return Ok(rep);
        }
        self.start_over();
        // The room reserved above goes too (parsing takes its own).
        self.log = Vec::new();
        self.ptrs = Vec::new();
        let script = crate::script::parse(text)?;
        self.validate(&script)?;
        // Not reached: the reader and `op_problem` refuse exactly what parse
        // and validate do. Should they ever differ, the script runs.
        self.replay_with(&script, after)
    }

    /// Replays `text` as [`replay_text_with`](Self::replay_text_with) does,
    /// sampling the statistics at the points a [`compare`] samples: before
    /// the first op (step 0), after every `every` ops (at least 1), and after
    /// the last; and watching the [`Peaks`] after every op, which samples
    /// can miss. Steps count the ops of this replay.
    ///
    /// # Errors
    /// As [`replay_text_with`](Self::replay_text_with); no samples then.
    ///
    /// # Complexity
    /// As [`replay_text_with`](Self::replay_text_with), plus O(1) per op and
    /// per sample.
    pub fn replay_text_sampled(
        &mut self,
        text: &str,
        every: usize,
    ) -> std::result::Result<(ReplayReport, Vec<Sample>, Peaks), ScriptError> {
        let every = every.max(1);
        let mut samples = vec![Sample::of(self, 0)];
        let mut peaks = PeakWatch::of(self);
        // The next op count to sample at: a compare per op, not a division.
        let mut next = every;
        // (The sample out of line: the watch after every op stays small
        // enough to inline into the replay loop.)
        #[cold]
        #[inline(never)]
        fn sample(samples: &mut Vec<Sample>, s: &Session, step: usize) {
            samples.push(Sample::of(s, step));
        }
        let report = self.replay_text_with(text, |s, i| {
            peaks.watch(s, i + 1);
            if i + 1 == next {
                sample(&mut samples, s, i + 1);
                next += every;
            }
        })?;
        if samples.last().is_some_and(|p| p.step != report.ops) {
            samples.push(Sample::of(self, report.ops));
        }
        Ok((report, samples, peaks.peaks()))
    }

    /// [`replay_text_with`](Self::replay_text_with) without a callback.
    ///
    /// # Errors
    /// As [`replay_text_with`](Self::replay_text_with).
    ///
    /// # Complexity
    /// As [`replay_text_with`](Self::replay_text_with).
    pub fn replay_text(&mut self, text: &str) -> std::result::Result<ReplayReport, ScriptError> {
        self.replay_text_with(text, |_, _| {})
    }

    /// Whether the log is empty, and so the session in its initial state
    /// (every change is logged: [`rebuild`](Self::rebuild)`(0)` relies on it too).
    fn is_fresh(&self) -> bool {
        self.log.is_empty() && self.ptrs.is_empty()
    }

    /// Back to the initial state, in place (the arena zeroed again).
    fn start_over(&mut self) {
        self.heap.reset(&self.initial);
        self.ptrs.clear();
        self.log.clear();
        self.failed.clear();
    }

    /// [`replay_with`](Self::replay_with) without a callback.
    ///
    /// # Errors
    /// As [`replay_with`](Self::replay_with).
    ///
    /// # Complexity
    /// As [`replay_with`](Self::replay_with).
    pub fn replay(&mut self, script: &Script) -> std::result::Result<ReplayReport, ScriptError> {
        self.replay_with(script, |_, _| {})
    }

    /// Runs `op` unless [`op_problem`] finds one (then false, nothing done).
    #[inline(always)]
    fn check_run(&mut self, op: &Op, arena: usize, rep: &mut ReplayReport) -> bool {
        let ptrs = &self.ptrs;
        if op_problem(op, arena, ptrs.len(), |k| ptrs[k] == Ptr::Freed).is_some() {
            return false;
        }
        self.run(op, rep);
        true
    }

    /// [`check_run`](Self::check_run) out of line, for the ops off the
    /// replay loop's quick path (which keeps its own copy inline).
    #[inline(never)]
    fn check_run_other(&mut self, op: &Op, arena: usize, rep: &mut ReplayReport) -> bool {
        self.check_run(op, arena, rep)
    }

    /// Runs one validated op.
    #[inline]
    fn run(&mut self, op: &Op, rep: &mut ReplayReport) {
        rep.ops += 1;
        // `+N`, half of nearly every long list, without the general path's
        // checks: a validated size is at least 1, so the heap numbers the
        // request whatever comes of it.
        match *op {
            Op::Alloc { size } => {
                rep.allocs += 1;
                let placed = self
                    .heap
                    .alloc(size)
                    .map_err(|e| rep.request_failed(&e))
                    .ok();
                rep.searched += self.heap.last_searched() as u64;
                self.record_alloc(Op::Alloc { size }, placed);
            }
            // `-K`, the other half.
            Op::Free { ptr } => match self.ptrs[ptr] {
                Ptr::Live(off) => {
                    self.free(off).expect("validated: ptr is live");
                    rep.frees += 1;
                }
                // Freeing a failed request is free(NULL): nothing to release,
                // but the pointer is spent, as validation assumes.
                Ptr::Failed => {
                    self.ptrs[ptr] = Ptr::Freed;
                    self.log.push(Op::Free { ptr });
                }
                // A double free: refused, nothing changes; a failed op.
                Ptr::Freed => {
                    self.log.push(Op::Free { ptr });
                    self.mark_failed();
                    rep.failed += 1;
                }
            },
            _ => self.run_any(op, rep),
        }
    }

    /// Runs one validated op of any kind but `+N` and `-K` (which [`run`](Self::run) takes).
    fn run_any(&mut self, op: &Op, rep: &mut ReplayReport) {
        match op {
            Op::Alloc { .. } | Op::AllocAligned { .. } | Op::Calloc { .. } => {
                rep.allocs += 1;
                if let Err(e) = self.alloc_op(op.clone()) {
                    rep.request_failed(&e);
                }
                rep.searched += self.heap.last_searched() as u64;
            }
            Op::Free { .. } => unreachable!("`run` takes frees"),
            &Op::Realloc { ptr, size } => {
                rep.reallocs += 1;
                match self.ptrs[ptr] {
                    Ptr::Live(off) => {
                        if let Err(e) = self.realloc(off, size) {
                            rep.request_failed(&e);
                        }
                    }
                    _ => {
                        // realloc of a failed pointer is a fresh allocation under its number.
                        self.log.push(op.clone());
                        match self.heap.alloc_with_seq(size, ptr as u64) {
                            Ok(off) => self.ptrs[ptr] = Ptr::Live(off),
                            Err(e) => {
                                rep.request_failed(&e);
                                self.mark_failed();
                            }
                        }
                    }
                }
                // One that moved (or was a fresh allocation) searched for its new block.
                rep.searched += self.heap.last_searched() as u64;
            }
            Op::Write { ptr, at, bytes } => match self.ptrs[*ptr] {
                Ptr::Live(off) => {
                    if self.write(off, *at, bytes).is_err() {
                        rep.failed += 1;
                        self.log.push(op.clone());
                        self.mark_failed();
                    }
                }
                // A write through a NULL pointer writes nothing.
                _ => {
                    rep.failed += 1;
                    self.log.push(op.clone());
                    self.mark_failed();
                }
            },
            &Op::SetMode { mode } => self.set_mode(mode),
            &Op::SetCoalesce { on } => self.set_coalesce(on),
            Op::MergeAll => {
                self.merge_all();
            }
        }
    }

    /// A new session from this one's start, replaying the first `n` logged ops:
    /// the state after step `n` (undo, redo, scrubbing, forking).
    ///
    /// # Complexity
    /// O(n log n).
    ///
    /// # Errors
    /// [`AllocError::HostMemory`] when the host cannot provide another
    /// arena, or room for the ops.
    pub fn rebuild(&self, n: usize) -> Result<Session> {
        let ops = &self.log[..n.min(self.log.len())];
        let mut s = Session::new(self.initial.clone())?;
        s.ensure_room(ops.len(), true, script::write_bytes(ops))?;
        let mut rep = ReplayReport::default();
        // Logged ops already ran once: they run again, deterministically, unvalidated.
        for op in ops {
            s.run(op, &mut rep);
        }
        Ok(s)
    }

    /// Whether this session is a [`rebuild`](Self::rebuild) of `source` up
    /// to step `n` or before it, which [`catch_up`](Self::catch_up) can
    /// bring to step `n`.
    ///
    /// # Complexity
    /// O(n) to compare the logs.
    pub fn leads_to(&self, source: &Session, n: usize) -> bool {
        let m = self.log.len();
        m <= n
            && n <= source.log.len()
            && self.initial == source.initial
            && self.log[..] == source.log[..m]
    }

    /// Brings this session, a [`rebuild`](Self::rebuild) of `source` up to
    /// some step, on to step `n` of `source` by replaying only the ops it
    /// lacks: then it is what `source.rebuild(n)` returns. `Ok(false)`, with
    /// nothing changed, when it is no such rebuild (another start, a log that
    /// is not the start of `source`'s, or one past step `n`).
    ///
    /// # Errors
    /// [`AllocError::HostMemory`] when the host cannot provide room for the
    /// ops (nothing changed).
    ///
    /// # Complexity
    /// O(k log n) for the k ops replayed, plus O(n) to compare the logs.
    pub fn catch_up(&mut self, source: &Session, n: usize) -> Result<bool> {
        if !self.leads_to(source, n) {
            return Ok(false);
        }
        let ops = &source.log[self.log.len()..n];
        self.ensure_room(ops.len(), true, script::write_bytes(ops))?;
        let mut rep = ReplayReport::default();
        for op in ops {
            self.run(op, &mut rep);
        }
        Ok(true)
    }
}

/// The statistics at one step of a replay: one point of a
/// fragmentation-over-time chart.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sample {
    /// Ops run so far.
    pub step: usize,
    /// `1 − largest_free / free`.
    pub external_fragmentation: f64,
    /// The L2 form.
    pub l2_fragmentation: f64,
    /// Bytes in used blocks.
    pub used_bytes: usize,
    /// Requested bytes live.
    pub requested_bytes: usize,
    /// Free blocks.
    pub free_blocks: usize,
    /// Largest free block.
    pub largest_free: usize,
    /// Failed allocation requests so far.
    pub failed_allocs: u64,
    /// The high-water mark: with sbrk, the heap's size.
    pub high_water: usize,
}

impl Sample {
    /// The sample of a session's current state.
    ///
    /// # Complexity
    /// As [`Heap::stats`].
    pub fn of(session: &Session, step: usize) -> Self {
        let s = session.heap.stats();
        Sample {
            step,
            external_fragmentation: s.external_fragmentation,
            l2_fragmentation: s.l2_fragmentation,
            used_bytes: s.used_bytes,
            requested_bytes: s.requested_bytes,
            free_blocks: s.free_blocks,
            largest_free: s.largest_free,
            failed_allocs: s.failed_allocs,
            high_water: s.high_water,
        }
    }
}

/// The highest points of a replay, watched after every op (and before the
/// first): samples, taken every so many ops, can miss a one-op spike.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Peaks {
    /// The highest external fragmentation (as [`Stats::external_fragmentation`](crate::Stats::external_fragmentation)).
    pub external_fragmentation: f64,
    /// The first step at which it was reached (ops run so far).
    pub external_fragmentation_step: usize,
    /// The most free blocks (as [`Stats::free_blocks`](crate::Stats::free_blocks)).
    pub free_blocks: usize,
    /// The first step at which there were that many.
    pub free_blocks_step: usize,
}

/// [`Peaks`] being watched: the external fragmentation kept as its parts,
/// `1 − L/F`, and compared by cross-multiplying (exact, and no division per
/// op: a replay watches after every op).
#[derive(Clone, Copy, Debug)]
struct PeakWatch {
    /// L and F of the highest external fragmentation so far; (1, 1), which
    /// is 0, while there has been none. Both are below 2^30, so their
    /// products fit a `u64` (a `u128` product is a library call in wasm32).
    largest: u64,
    free: u64,
    external_step: usize,
    free_blocks: usize,
    free_blocks_step: usize,
}

impl PeakWatch {
    /// The watch of a replay that has not started: the session as it is.
    fn of(session: &Session) -> Self {
        let mut w = PeakWatch {
            largest: 1,
            free: 1,
            external_step: 0,
            free_blocks: 0,
            free_blocks_step: 0,
        };
        w.watch(session, 0);
        w
    }

    /// Takes in the session's state after `step` ops. O(1).
    #[inline]
    fn watch(&mut self, session: &Session, step: usize) {
        let (l, f, blocks) = session.heap.fragmentation_parts();
        let (l, f) = (l as u64, f as u64);
        // 1 − l/f > 1 − L/F ⇔ l·F < L·f (no free bytes: 0 < 0, not higher).
        if l * self.free < self.largest * f {
            (self.largest, self.free, self.external_step) = (l, f, step);
        }
        if blocks > self.free_blocks {
            self.free_blocks = blocks;
            self.free_blocks_step = step;
        }
    }

    fn peaks(&self) -> Peaks {
        Peaks {
            external_fragmentation: crate::stats::external(
                self.largest as usize,
                self.free as usize,
            ),
            external_fragmentation_step: self.external_step,
            free_blocks: self.free_blocks,
            free_blocks_step: self.free_blocks_step,
        }
    }
}

/// One run of a [`compare`].
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompareRun {
    /// The mode it ran in.
    pub strategy: Mode,
    /// What the replay did.
    pub report: ReplayReport,
    /// Samples every `every` ops, and after the last.
    pub samples: Vec<Sample>,
    /// The highest points, watched after every op.
    pub peaks: Peaks,
    /// The final state.
    pub snapshot: Snapshot,
}

/// The result of [`compare`].
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    /// One run per mode, in the order asked.
    pub runs: Vec<CompareRun>,
    /// The first op (0-based) after which the runs placed a block differently.
    pub first_divergence: Option<usize>,
}

/// A [`compare`] that runs a chunk at a time (so that a page can show its
/// progress), owning its script.
///
/// ```
/// use alloc_playground::{script, Comparer, HeapConfig, Mode};
/// let s = script::parse("+10,+20,-0,+5").unwrap();
/// let mut c = Comparer::new(&HeapConfig::default(), s, &[Mode::FirstFit, Mode::BestFit], 1).unwrap();
/// assert_eq!(c.step(3), 3);
/// assert_eq!(c.step(100), 4);
/// let cmp = c.finish();
/// assert_eq!(cmp.runs.len(), 2);
/// ```
#[derive(Debug)]
pub struct Comparer {
    script: Script,
    state: CompareState,
    /// Ops run so far.
    done: usize,
}

impl Comparer {
    /// Validates `script` under every mode and sets the runs up.
    ///
    /// # Errors
    /// As [`compare`].
    ///
    /// # Complexity
    /// O(modes × ops) to validate.
    pub fn new(
        config: &HeapConfig,
        script: Script,
        modes: &[Mode],
        every: usize,
    ) -> std::result::Result<Self, CompareError> {
        let state = CompareState::new(config, &script, modes, every)?;
        Ok(Comparer {
            script,
            state,
            done: 0,
        })
    }

    /// Ops in the script.
    pub fn len(&self) -> usize {
        self.script.ops.len()
    }

    /// Whether the script is empty.
    pub fn is_empty(&self) -> bool {
        self.script.ops.is_empty()
    }

    /// Ops run so far.
    pub fn done(&self) -> usize {
        self.done
    }

    /// Checks that `n` more ops (and the comparison's end) fit in the host's
    /// memory before [`step`](Self::step) or [`finish`](Self::finish) runs
    /// them: the memory may have gone to something else since [`new`](Self::new).
    ///
    /// # Errors
    /// [`AllocError::HostMemory`].
    ///
    /// # Complexity
    /// O(modes + n): the ops' writes are counted.
    pub fn ensure_room(&self, n: usize) -> Result<()> {
        let end = self.done.saturating_add(n).min(self.script.ops.len());
        self.state.ensure_room(&self.script.ops[self.done..end])
    }

    /// Runs up to `n` more ops under every mode; returns the ops run so far.
    ///
    /// # Complexity
    /// O(modes × n × log blocks).
    pub fn step(&mut self, n: usize) -> usize {
        self.step_until(n, || false)
    }

    /// [`step`](Self::step), but stopping early when `stop()` says so: it is
    /// asked before every 16th op (never before the first), so a caller can
    /// bound the time a step takes whatever each op costs, as
    /// [`Session::replay_until`] does.
    ///
    /// # Complexity
    /// As [`step`](Self::step) over the ops run.
    pub fn step_until(&mut self, n: usize, mut stop: impl FnMut() -> bool) -> usize {
        let end = self.done.saturating_add(n).min(self.script.ops.len());
        let start = self.done;
        for i in start..end {
            if i > start && (i - start) % 16 == 0 && stop() {
                break;
            }
            self.state
                .run_op(i, &self.script.ops[i], self.script.ops.len());
            self.done = i + 1;
        }
        self.done
    }

    /// Runs whatever is left and returns the comparison.
    ///
    /// # Complexity
    /// As [`step`](Self::step) over the ops left.
    pub fn finish(mut self) -> Comparison {
        self.step(usize::MAX);
        self.state.finish()
    }
}

/// Why a comparison could not start.
#[derive(Clone, Debug, PartialEq)]
pub enum CompareError {
    /// An arena could not be built (a bad config, or the host cannot
    /// provide the memory), or the runs would not fit in the host's memory
    /// ([`AllocError::HostMemory`]).
    Config(AllocError),
    /// The op list does not run under one of the modes.
    Script(ScriptError),
}

impl From<ScriptError> for CompareError {
    fn from(e: ScriptError) -> Self {
        CompareError::Script(e)
    }
}

impl std::fmt::Display for CompareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CompareError::Config(e) => e.fmt(f),
            CompareError::Script(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for CompareError {}

/// The runs of a comparison in progress.
#[derive(Debug)]
struct CompareState {
    modes: Vec<Mode>,
    sessions: Vec<Session>,
    reports: Vec<ReplayReport>,
    samples: Vec<Vec<Sample>>,
    peaks: Vec<PeakWatch>,
    first_divergence: Option<usize>,
    every: usize,
}

impl CompareState {
    fn new(
        config: &HeapConfig,
        script: &Script,
        modes: &[Mode],
        every: usize,
    ) -> std::result::Result<Self, CompareError> {
        let mut sessions = Vec::with_capacity(modes.len());
        for &mode in modes {
            let s = Session::new(HeapConfig {
                mode,
                ..config.clone()
            })
            .map_err(CompareError::Config)?;
            s.validate(script)?;
            sessions.push(s);
        }
        let state = CompareState {
            modes: modes.to_vec(),
            reports: vec![ReplayReport::default(); modes.len()],
            samples: sessions.iter().map(|s| vec![Sample::of(s, 0)]).collect(),
            peaks: sessions.iter().map(PeakWatch::of).collect(),
            sessions,
            first_divergence: None,
            every: every.max(1),
        };
        state
            .ensure_room(&script.ops)
            .map_err(CompareError::Config)?;
        Ok(state)
    }

    /// Checks that `ops` under every mode fit in the host's memory: each
    /// run's log (the bytes of writes too), pointers and records (switches
    /// are skipped), its samples, and the snapshots that end the comparison.
    fn ensure_room(&self, ops: &[Op]) -> Result<()> {
        let n = ops.len();
        let samples = headroom::bound(n / self.every + 2, std::mem::size_of::<Sample>(), 0);
        let writes = script::write_bytes(ops);
        let room = self.sessions.iter().fold(0usize, |r, s| {
            r.saturating_add(s.room_for(n, false))
                .saturating_add(samples)
                .saturating_add(writes)
                .saturating_add(s.heap.read_room())
        });
        headroom::ensure(room)
    }

    /// Runs op `i` (of `total`) under every mode.
    fn run_op(&mut self, i: usize, op: &Op, total: usize) {
        let mut placed: Option<Option<Ptr>> = None;
        for (j, s) in self.sessions.iter_mut().enumerate() {
            // Each run keeps its own mode: switches in the list are skipped.
            if !matches!(op, Op::SetMode { .. }) {
                s.run(op, &mut self.reports[j]);
            }
            let p = match op {
                Op::Alloc { .. } | Op::AllocAligned { .. } | Op::Calloc { .. } => {
                    s.ptrs.last().copied()
                }
                Op::Realloc { ptr, .. } => Some(s.ptrs[*ptr]),
                _ => None,
            };
            if self.first_divergence.is_none() {
                match placed {
                    None => placed = Some(p),
                    Some(q) if q != p => self.first_divergence = Some(i),
                    _ => {}
                }
            }
            self.peaks[j].watch(s, i + 1);
            if (i + 1) % self.every == 0 || i + 1 == total {
                self.samples[j].push(Sample::of(s, i + 1));
            }
        }
    }

    fn finish(self) -> Comparison {
        let runs = self
            .sessions
            .iter()
            .zip(self.modes)
            .zip(self.reports)
            .zip(self.samples)
            .zip(self.peaks)
            .map(|((((s, mode), report), samples), peaks)| CompareRun {
                strategy: mode,
                report,
                samples,
                peaks: peaks.peaks(),
                snapshot: s.snapshot(),
            })
            .collect();
        Comparison {
            runs,
            first_divergence: self.first_divergence,
        }
    }
}

/// The bytes of every block `script` asks for under `config`'s alignment and
/// header (an aligned request's most padding too), and the widest alignment
/// (at least `config`'s), or `None` when the script switches modes.
fn blocks_sum(script: &Script, config: &HeapConfig) -> Option<(usize, usize)> {
    let align = config.align.max(1);
    let mut sum = 0usize;
    // An aligned request needs an arena at least as large as its alignment.
    let mut widest = align;
    for op in &script.ops {
        // The request and the padding it may take in front of its block:
        // less than its alignment (with a header blocks start on any byte,
        // so a request aligned below `align` may need some too).
        let (need, pad) = match *op {
            Op::Alloc { size } | Op::Calloc { size } | Op::Realloc { size, .. } => (size, 0),
            Op::AllocAligned { size, align: a } => {
                widest = widest.max(a);
                (size, a)
            }
            Op::SetMode { .. } => return None,
            _ => (0, 0),
        };
        // Each block also carries the heap's header (malloc.py's -H), if any.
        let header = if need > 0 { config.header } else { 0 };
        sum = sum.saturating_add(
            (need.saturating_add(align - 1) / align * align)
                .saturating_add(header)
                .saturating_add(pad),
        );
    }
    Some((sum, widest))
}

/// An arena in which no fit strategy refuses a request of `script` when the
/// heap grows with sbrk, under any list order (`config`'s alignment and
/// header; its mode, order and size are not used): the bytes of every block it asks for, as
/// [`first_fit_arena`] sums them, since such a heap grows only when nothing
/// in it fits, and then by at most the request's block. `None` past `limit`
/// bytes or when the script switches modes (slab pools carve whole slabs,
/// which the sum does not bound).
///
/// # Complexity
/// O(ops).
pub fn sbrk_arena(script: &Script, config: &HeapConfig, limit: usize) -> Option<usize> {
    let align = config.align.max(1);
    let (sum, widest) = blocks_sum(script, config)?;
    let size = sum.max(widest).max(1).checked_next_multiple_of(align)?;
    (size <= limit.min(crate::MAX_ARENA)).then_some(size)
}

/// An arena just big enough for `script` under first fit: first fit's
/// high-water mark in an unbounded arena (`config`'s alignment, coalescing,
/// list order, header and sbrk; its mode, size and slab settings are not used), or `None` when
/// that takes more than `limit` bytes or the script switches modes (the run
/// would not be first fit's then).
///
/// First fit enters the untouched top of the arena only from its lowest
/// address, so every byte below the mark was handed out once (the requests'
/// sum bounds it), and in an arena that ends at the mark it makes the very
/// same choices, so it refuses nothing. It is the smallest arena where it
/// makes the same choices; a smaller one can still refuse nothing when a
/// realloc that grew in place into the top moves instead. What a CS:APP
/// trace needs, where the heap hint is only a hint and the heap grows.
///
/// Under `config`'s free list order. The argument holds for the address
/// and insertion orders (the top's place in the list does not depend on its
/// size); under a size order the mark is run once more in an arena of its
/// size, and `None` when a request fails there.
///
/// # Errors
/// [`CompareError::Config`] when the arena cannot be built (a bad alignment,
/// or the host cannot provide the memory); [`CompareError::Script`] when the
/// script does not validate.
///
/// # Complexity
/// O(ops × log n), and the arena's bytes.
pub fn first_fit_arena(
    script: &Script,
    config: &HeapConfig,
    limit: usize,
) -> std::result::Result<Option<usize>, CompareError> {
    let align = config.align.max(1);
    let Some((sum, widest)) = blocks_sum(script, config) else {
        return Ok(None);
    };
    let cap = limit.min(crate::MAX_ARENA) / align * align;
    if widest > cap {
        return Ok(None);
    }
    let size = sum.max(widest).min(cap);
    // One slab class the size of a slab, few enough slabs for any arena:
    // first fit never uses them, but the heap checks them.
    let slab = size
        .div_ceil(crate::slab::MAX_SLABS)
        .next_power_of_two()
        .max(align);
    let config_of = |arena_size: usize| HeapConfig {
        order: config.order,
        sbrk: config.sbrk,
        header: config.header,
        arena_size,
        mode: Mode::FirstFit,
        align,
        coalesce: config.coalesce,
        classes: vec![slab],
        slab_size: slab,
    };
    let writes = script::write_bytes(&script.ops);
    let mut s = Session::new(config_of(size)).map_err(CompareError::Config)?;
    s.ensure_room(script.ops.len(), false, writes)
        .map_err(CompareError::Config)?;
    s.replay(script)?;
    let st = s.heap.stats();
    if st.failed_allocs > 0 {
        return Ok(None);
    }
    let mark = st.high_water.max(widest).next_multiple_of(align);
    // A free list sorted by size puts the top where its size says, and the
    // top is smaller in a smaller arena: there the choices may differ, so the
    // mark must prove itself in a run of its own.
    if matches!(
        config.order,
        ListOrder::SizeAscending | ListOrder::SizeDescending
    ) && mark < size
    {
        let mut check = Session::new(config_of(mark)).map_err(CompareError::Config)?;
        check
            .ensure_room(script.ops.len(), false, writes)
            .map_err(CompareError::Config)?;
        check.replay(script)?;
        if check.heap.stats().failed_allocs > 0 {
            return Ok(None);
        }
    }
    Ok(Some(mark))
}

/// Runs one script under several modes, in lockstep, from the same config.
/// `@mode` switches in the script are skipped, so each run stays in its mode.
/// ([`Comparer`] does the same a chunk at a time.)
///
/// # Errors
/// [`CompareError::Config`] when an arena cannot be built (a bad config, or
/// the host cannot provide the memory); [`CompareError::Script`] when the
/// script does not validate under one of the modes.
///
/// # Complexity
/// O(modes × ops × log n).
pub fn compare(
    config: &HeapConfig,
    script: &Script,
    modes: &[Mode],
    every: usize,
) -> std::result::Result<Comparison, CompareError> {
    let mut state = CompareState::new(config, script, modes, every)?;
    for (i, op) in script.ops.iter().enumerate() {
        state.run_op(i, op, script.ops.len());
    }
    Ok(state.finish())
}
