//! A session's ops written as OSTEP's `malloc.py -A ops -c` prints a run:
//! the same header, then what each request returned and how many free blocks
//! it searched, then the free list, with addresses counted from a base
//! address (`-b`, 1000 there by default). [`command`] gives the `malloc.py`
//! command line that prints the same, when there is one.
//!
//! `malloc.py` knows `Alloc` and `Free`; the ops it lacks (aligned requests,
//! calloc, realloc, writes, strategy and coalescing switches) are written in
//! the same shape. A header size (`-H`) is the heap's own when it has one
//! ([`HeapConfig::header`], taken as `malloc.py` takes it: each request
//! rounded to the alignment, then grown by the header); for a heap without
//! one, the view's `-H` replays the ops in a heap that has it. The list order
//! (`-l`) is the heap's own ([`crate::ListOrder`]).
//!
//! Without `-A`, `malloc.py` draws its ops from Python's random generator
//! (`-s` seed, `-n` ops, `-r` range, `-P` percent of requests): [`draw_ops`]
//! draws the same ones, and a run that is such a draw is written as that
//! random mode prints it.
//!
//! ```text
//! ptr[0] = Alloc(3) returned 1000 (searched 1 elements)
//! Free List [ Size 1 ]: [ addr:1003 sz:97 ]
//! ```

use std::fmt::Write as _;

use crate::pyrandom::PyRandom;
use crate::script::{Op, Script, ScriptError};
use crate::session::{Ptr, Session};
use crate::{AllocError, Config, FreeListAllocator, HeapConfig, ListOrder, Mode, Strategy};

/// At most this many free blocks are written per free list line.
pub const MAX_LISTED: usize = 200;

/// At most this many ops are written out (so a transcript stays under about
/// 10 MB: each op's free list line holds up to [`MAX_LISTED`] blocks).
pub const MAX_TRANSCRIPT_OPS: usize = 2000;

/// The largest heap (`-S`) a command line may ask for: 64 MiB, the page's
/// largest arena (a draw and the transcript each build one).
pub const MAX_HEAP: usize = 64 << 20;

/// The most ops [`draw_ops`] draws (`-n`).
pub const MAX_DRAWN_OPS: usize = 100_000;

/// The most ops drawn under a list order other than `ADDRSORT`, where each
/// op walks the list (O(n)): a draw of 100,000 took seconds.
pub const MAX_DRAWN_LISTED_OPS: usize = 10_000;

/// The largest seed (`-s`) taken: a JS number holds it exactly.
pub const MAX_SEED: i64 = (1 << 53) - 1;

/// How `malloc.py` draws its ops when no `-A` lists them: `-s`, `-n`, `-r`
/// and `-P`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Draw {
    /// `-s`: the seed, 0 by default, at most [`MAX_SEED`] either side of 0
    /// (`random.seed` takes its absolute value).
    pub seed: i64,
    /// `-n`: how many ops (requests and frees), 10 by default; 1 to
    /// [`MAX_DRAWN_OPS`].
    pub num_ops: usize,
    /// `-r`: the largest request, 10 by default: each asks for
    /// `int(random() * range) + 1` bytes. At most [`crate::script::MAX_SIZE`].
    pub range: usize,
    /// `-P`: the percentage of draws that are requests, 50 by default; at
    /// least 1 (`malloc.py` asserts it is above 0).
    pub percent_alloc: usize,
}

impl Draw {
    /// Checks the settings.
    ///
    /// # Errors
    /// The first one out of range, in words.
    pub fn check(&self) -> Result<(), String> {
        if self.seed.unsigned_abs() > MAX_SEED as u64 {
            return Err(format!(
                "-s {}: seeds up to ±{MAX_SEED} are taken",
                self.seed
            ));
        }
        if !(1..=MAX_DRAWN_OPS).contains(&self.num_ops) {
            return Err(format!(
                "-n {}: from 1 to {} ops are drawn",
                self.num_ops,
                thousands(MAX_DRAWN_OPS)
            ));
        }
        if self.range > crate::script::MAX_SIZE {
            return Err(format!(
                "-r {}: at most {} is taken",
                self.range,
                thousands(crate::script::MAX_SIZE)
            ));
        }
        if self.percent_alloc == 0 || self.percent_alloc > 1_000_000 {
            return Err(format!(
                "-P {}: malloc.py needs a percentage above 0 (it stops at an assertion otherwise)",
                self.percent_alloc
            ));
        }
        Ok(())
    }
}

/// The header a run is written with: the session's own ([`HeapConfig::header`])
/// when it has one, else the view's `-H`.
fn header_of(config: &HeapConfig, header: usize) -> usize {
    if config.header > 0 {
        config.header
    } else {
        header
    }
}

/// The ops `malloc.py -s seed -n … -r … -P …` draws (its random mode) for a
/// heap of `config` with `header`-byte headers: its loop, over the
/// playground's own allocator in `malloc.py`'s terms (which requests fail
/// decides which pointers a free can pick). Request `k` is `ptr[k]`, failed
/// or not, as in `malloc.py`.
///
/// # Errors
/// [`AllocError::BadConfig`] for a config the allocator refuses, or a
/// placement `malloc.py` does not have (next fit, slab pools); an invalid
/// `draw` (see [`Draw::check`]), or more than [`MAX_DRAWN_LISTED_OPS`] under
/// a list order other than by address, also gives `BadConfig`;
/// [`AllocError::HostMemory`] when the heap and the ops may not fit in the
/// host's memory (checked before anything is made).
///
/// # Complexity
/// O(draws × log n); at most 100 draws per op (`-P 1`).
pub fn draw_ops(config: &HeapConfig, header: usize, draw: &Draw) -> Result<Vec<Op>, AllocError> {
    draw.check().map_err(AllocError::bad_config)?;
    if config.order != ListOrder::Address && draw.num_ops > MAX_DRAWN_LISTED_OPS {
        return Err(AllocError::bad_config(format!(
            "-n {}: under -l {} up to {} ops are drawn here (each op walks the list)",
            draw.num_ops,
            config.order.malloc_py(),
            thousands(MAX_DRAWN_LISTED_OPS)
        )));
    }
    let strategy = match config.mode.strategy() {
        Some(s) if s != Strategy::NextFit => s,
        _ => {
            return Err(AllocError::bad_config(
                "malloc.py draws for first, best and worst fit",
            ))
        }
    };
    // Its heap, and per op what it keeps (the op, its place, up to two
    // blocks' records), checked before anything is made.
    crate::headroom::ensure(
        config
            .arena_size
            .saturating_add(256 << 10)
            .saturating_add(crate::headroom::bound(draw.num_ops, REPLICA_OP_BYTES, 0)),
    )?;
    // The allocator takes a header as malloc.py does (see `Config::header`).
    let mut heap = FreeListAllocator::new(Config {
        arena_size: config.arena_size,
        strategy,
        align: config.align,
        coalesce: config.coalesce,
        header: header_of(config, header),
    })?;
    heap.set_list_order(config.order);
    let mut rng = PyRandom::new(draw.seed);
    let percent = draw.percent_alloc as f64 / 100.0;
    // malloc.py's `p` (by request: the offset while live) and `L` (the live
    // requests, oldest first).
    let mut placed: Vec<Option<usize>> = Vec::new();
    let mut live: Vec<usize> = Vec::new();
    let mut ops = Vec::with_capacity(draw.num_ops);
    while ops.len() < draw.num_ops {
        if rng.random() < percent {
            // Python's int() of a non-negative float: the floor.
            let size = (rng.random() * draw.range as f64) as usize + 1;
            let at = heap.alloc(size).ok();
            if at.is_some() {
                live.push(placed.len());
            }
            placed.push(at);
            ops.push(Op::Alloc { size });
        } else if !live.is_empty() {
            let d = (rng.random() * live.len() as f64) as usize;
            let k = live.remove(d.min(live.len() - 1));
            if let Some(at) = placed[k].take() {
                heap.free(at)?;
            }
            ops.push(Op::Free { ptr: k });
        }
    }
    Ok(ops)
}

/// Whether `session`'s whole log is what `malloc.py` draws with `draw`'s
/// seed, range and percentage for `-n` its length, from the session's
/// first config with `header`-byte headers.
fn is_drawn(session: &Session, header: usize, draw: &Draw) -> bool {
    let log = session.log();
    if log.len() > MAX_DRAWN_OPS {
        return false;
    }
    if log.is_empty() {
        // `-n 0`: nothing drawn yet, the header still says how.
        return true;
    }
    let whole = Draw {
        num_ops: log.len(),
        ..*draw
    };
    draw_ops(session.initial_config(), header, &whole).is_ok_and(|ops| ops == log)
}

/// `malloc.py`'s name for a placement policy.
fn policy(mode: Mode) -> &'static str {
    match mode.strategy() {
        Some(Strategy::FirstFit) => "FIRST",
        Some(Strategy::NextFit) => "NEXT",
        Some(Strategy::BestFit) => "BEST",
        Some(Strategy::WorstFit) => "WORST",
        None => "SLAB",
    }
}

fn python_bool(on: bool) -> &'static str {
    if on {
        "True"
    } else {
        "False"
    }
}

/// `malloc.py`'s `-a`: -1 for no alignment (a granularity of 1).
fn alignment(align: usize) -> String {
    if align == 1 {
        "-1".to_string()
    } else {
        align.to_string()
    }
}

/// `n` with thousands separators (`12,345`).
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The session's configuration and first `n` ops as `malloc.py -H header`
/// runs them: the configuration with that header (the core takes it as
/// `malloc.py` does, see [`HeapConfig::header`]); a session with a header
/// of its own runs as it is.
fn as_malloc_py(session: &Session, header: usize, n: usize) -> (HeapConfig, Script) {
    let config = session.initial_config();
    let config = HeapConfig {
        header: header_of(config, header),
        ..config.clone()
    };
    (config, Script::from_ops(session.log()[..n].to_vec()))
}

/// Replays the first `n` ops as [`as_malloc_py`] gives them, calling `after`
/// after each; returns the replica. (One `dyn` callback: every caller shares
/// one copy of the replay code in the wasm module.)
///
/// # Errors
/// [`AllocError::HostMemory`] when the host cannot provide the replica's
/// arena, or room for its replay and the text (the session's config is
/// valid, and so is it with any header).
fn replay_as_malloc_py(
    session: &Session,
    header: usize,
    n: usize,
    after: &mut dyn FnMut(&Session, usize),
) -> Result<Session, AllocError> {
    let (config, script) = as_malloc_py(session, header, n);
    let mut replica = Session::new(config)?;
    replica.ensure_room(n, true, text_room(&script.ops))?;
    let done = replica.replay_with(&script, after);
    debug_assert!(done.is_ok(), "a session's own log replays");
    Ok(replica)
}

/// An upper bound on what one op of a replica's replay takes besides the
/// text: its log entry and pointer, and the records of the two blocks it
/// may make, a few hundred bytes (with room for the vectors' doubling).
const REPLICA_OP_BYTES: usize = 2048;

/// What replaying `session`'s first `n` ops in an arena of its own may take
/// (the arena, what a new heap makes beside it, each op's records, the
/// text), and with `draw` a check that the whole log is `malloc.py`'s draw
/// (another arena, and up to [`MAX_DRAWN_OPS`] ops).
fn replica_room(session: &Session, n: usize, draw: bool) -> usize {
    let arena = session
        .initial_config()
        .arena_size
        .saturating_add(256 << 10);
    let log = session.log();
    let replay = arena.saturating_add(crate::headroom::bound(
        n,
        REPLICA_OP_BYTES,
        text_room(&log[..n]),
    ));
    let drawn = if draw {
        let ops = log.len().min(MAX_DRAWN_OPS);
        arena.saturating_add(crate::headroom::bound(ops, REPLICA_OP_BYTES, 0))
    } else {
        0
    };
    // A heap that grows with sbrk: the command's check replays the ops once
    // more, in a fixed arena, while the first replica lives.
    let fixed = if session.initial_config().sbrk {
        replay
    } else {
        0
    };
    replay.saturating_add(drawn).saturating_add(fixed)
}

/// What a replica's replay of `ops` takes besides its records: the bytes
/// of their writes (in its log), and the text written beside it, a few
/// lines per op with a free list of at most [`MAX_LISTED`] blocks.
fn text_room(ops: &[Op]) -> usize {
    crate::headroom::bound(
        ops.len(),
        24 * MAX_LISTED + 256,
        crate::script::write_bytes(ops),
    )
}

/// The highest address a transcript may print (`base` + arena size +
/// header), or `None` when it does not fit in a `usize`.
fn last_address(base: usize, arena_size: usize, header: usize) -> Option<usize> {
    base.checked_add(arena_size)?.checked_add(header)
}

/// Why [`command`] has no `malloc.py` command for a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoCommand {
    /// The reason, in words: a clause to follow "there is no `malloc.py`
    /// command that prints this run: ".
    pub why: String,
    /// `malloc.py` runs these ops, but not as they ran here: a free that
    /// `-A` (which numbers only the requests that succeed) skips or crashes
    /// on, or a second free that frees another block at the same address.
    /// False when it cannot be given the run at all (a strategy or an op it
    /// lacks, no ops, too many ops, a free list longer than the view writes).
    pub differs: bool,
    /// Only the transcript's own limits stand in the way: more ops than it
    /// writes out (then the checks that replay the run are not made, so
    /// `malloc.py` may print it), or a free list longer than it writes per
    /// line (every other check passed: `malloc.py` prints the whole run).
    pub cut: bool,
}

impl std::fmt::Display for NoCommand {
    /// The reason, [`NoCommand::why`].
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.why)
    }
}

impl NoCommand {
    fn cannot(why: impl Into<String>) -> Self {
        NoCommand {
            why: why.into(),
            differs: false,
            cut: false,
        }
    }

    fn cut(why: String) -> Self {
        NoCommand {
            why,
            differs: false,
            cut: true,
        }
    }

    fn differs(why: String) -> Self {
        NoCommand {
            why,
            differs: true,
            cut: false,
        }
    }
}

/// Whether [`transcript`]`(session, base, header, …, Some(draw))` writes
/// the run as `malloc.py`'s random mode prints it: the whole log is what
/// `malloc.py` draws with `draw` (see [`draw_ops`]).
///
/// # Complexity
/// O(ops) to draw the ops again, for a log of at most [`MAX_DRAWN_OPS`].
pub fn writes_draw(session: &Session, header: usize, draw: &Draw) -> bool {
    is_drawn(session, header_of(session.initial_config(), header), draw)
}

/// [`command`], once the host's memory is known to hold its replay (the
/// replica's arena, records and text): the outer error then, the reason
/// when there is no command.
///
/// # Errors
/// [`AllocError::HostMemory`] (see [`headroom`](crate::headroom)).
///
/// # Complexity
/// As [`command`].
pub fn command_checked(
    session: &Session,
    base: usize,
    header: usize,
    max_ops: usize,
    draw: Option<&Draw>,
) -> Result<Result<String, NoCommand>, AllocError> {
    let n = session.log().len().min(max_ops).min(MAX_TRANSCRIPT_OPS);
    crate::headroom::ensure(replica_room(session, n, draw.is_some()))?;
    Ok(command(session, base, header, max_ops, draw))
}

/// The first `max_ops` ops (at most [`MAX_TRANSCRIPT_OPS`]) of `session`'s
/// log as `malloc.py -H header -A … -c` prints them, with every address
/// `base` plus the offset, after `malloc.py`'s header. Longer logs end with a
/// line that says how many ops were left out; a free list longer than
/// [`MAX_LISTED`] blocks is cut short the same way.
///
/// When the whole log is what `malloc.py` draws with `draw` (see
/// [`draw_ops`]; `-n` the log's length), it is written as that random mode
/// prints it instead: the seed, `numOps`, `range` and `percentAlloc` in the
/// header, an empty `allocList`, and each request's address after its
/// header (`malloc.py` adds `-H` there, to a failure's -1 too).
///
/// # Errors
/// [`AllocError::BadConfig`] when `base` plus the arena's size and the
/// header overflows a `usize`; [`AllocError::HostMemory`] when the host
/// cannot provide a second arena of the session's size to replay the ops in.
///
/// # Complexity
/// O(ops × free blocks) for the ops written: it replays them from the start.
pub fn transcript(
    session: &Session,
    base: usize,
    header: usize,
    max_ops: usize,
    draw: Option<&Draw>,
) -> Result<String, AllocError> {
    let config = session.initial_config();
    let header = header_of(config, header);
    if last_address(base, config.arena_size, header).is_none() {
        return Err(AllocError::bad_config(format!(
            "base address {base} is too large: the arena's addresses would overflow"
        )));
    }
    let log = session.log();
    let n = log.len().min(max_ops).min(MAX_TRANSCRIPT_OPS);
    crate::headroom::ensure(replica_room(session, n, draw.is_some()))?;
    let drawn = draw.filter(|d| is_drawn(session, header, d));
    let mut out = String::new();
    // malloc.py's header, in its order; for a list of ops, the settings it
    // does not use (seed, numOps, range, percentAlloc) at their defaults.
    let (seed, num_ops, range, percent) = drawn.map_or((0, 10, 10, 50), |d| {
        (d.seed, log.len(), d.range, d.percent_alloc)
    });
    let _ = writeln!(
        out,
        "seed {seed}\nsize {}\nbaseAddr {base}\nheaderSize {header}",
        config.arena_size
    );
    let _ = writeln!(out, "alignment {}", alignment(config.align));
    let _ = writeln!(
        out,
        "policy {}\nlistOrder {}",
        policy(config.mode),
        config.order.malloc_py()
    );
    let _ = writeln!(out, "coalesce {}", python_bool(config.coalesce));
    let _ = writeln!(
        out,
        "numOps {num_ops}\nrange {range}\npercentAlloc {percent}"
    );
    let list = if drawn.is_some() {
        String::new()
    } else {
        crate::script::format(&log[..n])
    };
    let _ = writeln!(out, "allocList {list}");
    out.push_str("compute True\n\n");

    let addr = |r: Ptr| match r {
        Ptr::Live(off) => (base + off).to_string(),
        Ptr::Failed | Ptr::Freed => "-1".to_string(),
    };
    // The random mode prints a request's address after its header.
    let returned = |r: Ptr| match (drawn, r) {
        (None, r) => addr(r),
        (Some(_), Ptr::Live(off)) => (base + off + header).to_string(),
        (Some(_), _) => (header as i64 - 1).to_string(),
    };
    // Requests that returned NULL and have not been realloc'ed since
    // (freeing one returns -1 in malloc.py).
    let mut null: Vec<bool> = Vec::new();
    replay_as_malloc_py(session, header, n, &mut |s, i| {
        let failed = s.failed_ops().last() == Some(&(i as u32));
        let ptrs = s.ptrs();
        let searched = s.heap().last_searched();
        match log[i] {
            Op::Alloc { size } | Op::AllocAligned { size, .. } | Op::Calloc { size } => {
                let k = ptrs.len() - 1;
                null.push(failed);
                let call = match log[i] {
                    Op::AllocAligned { align, .. } => format!("Alloc({size}, align {align})"),
                    Op::Calloc { .. } => format!("Calloc({size})"),
                    _ => format!("Alloc({size})"),
                };
                let _ = writeln!(
                    out,
                    "ptr[{k}] = {call} returned {} (searched {searched} elements)",
                    returned(ptrs[k])
                );
            }
            Op::Free { ptr } => {
                // -1 for a NULL pointer, and for a double free (malloc.py
                // holds no block at the address any more).
                let _ = writeln!(out, "Free(ptr[{ptr}])");
                let _ = writeln!(out, "returned {}", if null[ptr] || failed { -1 } else { 0 });
            }
            Op::Realloc { ptr, size } => {
                let r = if failed {
                    "-1".to_string()
                } else {
                    addr(ptrs[ptr])
                };
                if !failed {
                    null[ptr] = false;
                }
                let _ = writeln!(out, "ptr[{ptr}] = Realloc(ptr[{ptr}], {size}) returned {r}");
            }
            Op::Write { ptr, at, ref bytes } => {
                let n = bytes.len();
                let unit = if n == 1 { "byte" } else { "bytes" };
                let _ = writeln!(out, "Write(ptr[{ptr}], {n} {unit} at +{at})");
                let _ = writeln!(out, "returned {}", if failed { -1 } else { 0 });
            }
            Op::SetMode { mode } => {
                let _ = writeln!(out, "policy {} from here on", policy(mode));
            }
            Op::SetCoalesce { on } => {
                let _ = writeln!(out, "coalesce {} from here on", python_bool(on));
            }
            Op::MergeAll => out.push_str("Coalesce the whole free list\n"),
        }
        free_list_line(&mut out, s, base);
        out.push('\n');
    })?;
    if n < log.len() {
        let _ = writeln!(out, "({} more ops not shown)", thousands(log.len() - n));
    }
    Ok(out)
}

/// The `malloc.py` command that prints the same run as
/// [`transcript`]`(session, base, header, …, draw)`: `-s … -n … -r … -P …`
/// when the log is that draw, else `-A` and the ops. Or why there is none: a strategy or
/// an op `malloc.py` does not have, a free after a failed request (`-A`
/// numbers only the requests that succeeded: such a free is skipped, or
/// crashes it), more than `max_ops` ops, or a free list longer than
/// [`MAX_LISTED`] blocks (which the transcript cuts short).
///
/// # Errors
/// [`NoCommand`], the reason, when there is no such command (or `base` plus
/// the arena's size and the header overflows a `usize`).
///
/// # Complexity
/// O(ops × log n): it replays the ops to measure the free list.
pub fn command(
    session: &Session,
    base: usize,
    header: usize,
    max_ops: usize,
    draw: Option<&Draw>,
) -> Result<String, NoCommand> {
    let config = session.initial_config();
    let header = header_of(config, header);
    if last_address(base, config.arena_size, header).is_none() {
        return Err(NoCommand::cannot(format!(
            "base address {base} is too large: the arena's addresses would overflow"
        )));
    }
    let log = session.log();
    let name = match config.mode.strategy() {
        Some(Strategy::NextFit) => {
            return Err(NoCommand::cannot(
                "malloc.py has first, best and worst fit, not next fit",
            ))
        }
        None => {
            return Err(NoCommand::cannot(
                "malloc.py has first, best and worst fit, not slab pools",
            ))
        }
        Some(_) => policy(config.mode),
    };
    if log.is_empty() {
        return Err(NoCommand::cannot("there are no ops yet"));
    }
    if let Some(op) = log
        .iter()
        .find(|op| !matches!(op, Op::Alloc { .. } | Op::Free { .. }))
    {
        return Err(NoCommand::cannot(format!(
            "malloc.py’s ops are +N and -K only, and this run has {op}"
        )));
    }
    // (Past this, the checks below are not made: `cut` says only that the
    // transcript's length stands in the way.)
    if log.len() > max_ops.min(MAX_TRANSCRIPT_OPS) {
        return Err(NoCommand::cut(format!(
            "it is written out for {} ops at most",
            thousands(max_ops.min(MAX_TRANSCRIPT_OPS))
        )));
    }
    // The transcript cuts a free list longer than MAX_LISTED short, where
    // malloc.py writes it all.
    let mut longest = 0;
    // malloc.py frees by address: a second free of a pointer whose address
    // another request got since frees that one's block (here it is refused).
    let mut addr: Vec<Option<usize>> = Vec::new();
    let mut reused: Option<(usize, usize, usize)> = None;
    // Each request's answer, to hold against malloc.py's fixed heap's.
    let mut answers = Vec::new();
    let replica = replay_as_malloc_py(session, header, log.len(), &mut |s, i| {
        if matches!(log[i], Op::Alloc { .. }) {
            answers.push(answer(s));
        }
        longest = longest.max(s.heap().free_list_allocator().indexed_free_blocks());
        let live = |k: usize| match s.ptrs()[k] {
            Ptr::Live(off) => Some(off),
            _ => None,
        };
        match log[i] {
            Op::Alloc { .. } | Op::AllocAligned { .. } | Op::Calloc { .. } => {
                addr.push(live(s.ptrs().len() - 1));
            }
            Op::Realloc { ptr, .. } => {
                if let Some(off) = live(ptr) {
                    addr[ptr] = Some(off);
                }
            }
            Op::Free { ptr } if reused.is_none() && s.failed_ops().last() == Some(&(i as u32)) => {
                if let Some(a) = addr[ptr] {
                    if let Some(j) = (0..s.ptrs().len()).find(|&j| j != ptr && live(j) == Some(a)) {
                        reused = Some((i, ptr, j));
                    }
                }
            }
            _ => {}
        }
    })
    .map_err(|e| NoCommand::cannot(format!("it could not be checked: {e}")))?;
    if session.initial_config().sbrk {
        let fixed = fixed_answers(session, header)
            .map_err(|e| NoCommand::cannot(format!("it could not be checked: {e}")))?;
        let requests = log
            .iter()
            .enumerate()
            .filter(|(_, op)| matches!(op, Op::Alloc { .. }));
        if let Some(((i, op), (here, there))) = requests
            .zip(answers.iter().zip(&fixed))
            .find(|(_, (a, b))| a != b)
        {
            let at = |a: &(Option<usize>, usize)| {
                a.0.map_or("-1".to_string(), |o| (base + o).to_string())
            };
            return Err(NoCommand::differs(format!(
                "malloc.py’s heap is the whole arena (-S {}), and this one grows with sbrk: {op} (op {}) returns {} after searching {} there, {} after searching {} here",
                config.arena_size,
                i + 1,
                at(there),
                there.1,
                at(here),
                here.1
            )));
        }
    }
    if let Some((i, k, j)) = reused {
        return Err(NoCommand::differs(format!(
            "malloc.py frees by address: the second free of ptr[{k}] ({}, op {}) would free ptr[{j}], which now starts where ptr[{k}] did, and here it frees nothing",
            log[i],
            i + 1
        )));
    }
    // A free list longer than the transcript writes: said once nothing else
    // rules the command out.
    let cut_list = || {
        NoCommand::cut(format!(
            "the free list grows to {} blocks, and this view writes {MAX_LISTED} per line",
            thousands(longest)
        ))
    };
    let coalesce = if config.coalesce { " -C" } else { "" };
    let settings = format!(
        "python3 malloc.py -S {} -b {base} -H {header} -a {} -p {name} -l {}{coalesce}",
        config.arena_size,
        alignment(config.align),
        config.order.malloc_py(),
    );
    if let Some(d) = draw.filter(|d| is_drawn(session, header, d)) {
        if longest > MAX_LISTED {
            return Err(cut_list());
        }
        return Ok(format!(
            "{settings} -s {} -n {} -r {} -P {} -c",
            d.seed,
            log.len(),
            d.range,
            d.percent_alloc
        ));
    }
    // malloc.py -A keeps only the requests that succeed (its `p`), and frees
    // `-K` only when K < len(p): a free of a failed request crashes it
    // (KeyError), and one past len(p) it skips as invalid. The failures are
    // the replica's: a header makes requests fail sooner.
    let failed = replica.failed_ops();
    let (mut ptr, mut kept, mut null) = (0, 0, Vec::new());
    for (i, op) in log.iter().enumerate() {
        match *op {
            Op::Alloc { .. } => {
                let f = failed.binary_search(&(i as u32)).is_ok();
                null.push(f);
                kept += usize::from(!f);
                ptr += 1;
            }
            // In malloc.py's order: the count first, then the pointer.
            Op::Free { ptr: k } if k >= kept => {
                return Err(NoCommand::differs(format!(
                    "malloc.py -A counts only the requests that succeed ({kept} before {op}), so it would skip {op} as an invalid free"
                )));
            }
            Op::Free { ptr: k } if null[k] => {
                return Err(NoCommand::differs(format!(
                    "{op} frees ptr[{k}], whose request failed: malloc.py -A keeps no pointer for it and would crash"
                )));
            }
            _ => {}
        }
    }
    debug_assert_eq!(ptr, null.len());
    if longest > MAX_LISTED {
        return Err(cut_list());
    }
    Ok(format!("{settings} -c -A {}", crate::script::format(log)))
}

/// What the last op of `s`, a request, returned (its block's offset, or
/// `None`) and how many free blocks it searched.
fn answer(s: &Session) -> (Option<usize>, usize) {
    let off = match s.ptrs().last() {
        Some(&Ptr::Live(off)) => Some(off),
        _ => None,
    };
    (off, s.heap().last_searched())
}

/// Every request's [`answer`] when `session`'s log (all of it, as `malloc.py`
/// takes it with `header`) runs in a heap that is the whole arena, as
/// `malloc.py`'s is.
fn fixed_answers(
    session: &Session,
    header: usize,
) -> Result<Vec<(Option<usize>, usize)>, AllocError> {
    let (config, script) = as_malloc_py(session, header, session.log().len());
    let mut fixed = Session::new(HeapConfig {
        sbrk: false,
        ..config
    })?;
    fixed.ensure_room(script.ops.len(), true, text_room(&script.ops))?;
    let mut out = Vec::new();
    // (Through `dyn`, as `replay_as_malloc_py` calls it: one copy of the
    // replay code in the wasm module. A session's own log replays: a
    // refusal would be a bug, said as one.)
    let after: &mut dyn FnMut(&Session, usize) = &mut |s, i| {
        if matches!(script.ops[i], Op::Alloc { .. }) {
            out.push(answer(s));
        }
    };
    fixed
        .replay_with(&script, after)
        .map_err(|e| AllocError::bad_config(format!("its ops did not replay: {e}")))?;
    Ok(out)
}

/// `Free List [ Size 2 ]: [ addr:1000 sz:3 ][ addr:1003 sz:97 ]`, spaced
/// exactly as `malloc.py` prints it (so `diff` finds nothing). With `sbrk`,
/// the heap's free list, as the searched counts see it: a last block by its
/// bytes below the heap's end, none when all of it is above.
fn free_list_line(out: &mut String, s: &Session, base: usize) {
    let heap = s.heap();
    let end = if heap.config().sbrk {
        heap.stats().high_water
    } else {
        usize::MAX
    };
    let list: Vec<(usize, usize)> = heap
        .free_list_allocator()
        .free_list()
        .into_iter()
        .map(|(off, size)| (off, size.min(end.saturating_sub(off))))
        .filter(|&(_, size)| size > 0)
        .collect();
    let _ = write!(out, "Free List [ Size {} ]: ", list.len());
    for &(off, size) in list.iter().take(MAX_LISTED) {
        let _ = write!(out, "[ addr:{} sz:{size} ]", base + off);
    }
    if list.len() > MAX_LISTED {
        let _ = write!(out, " … ({} more)", thousands(list.len() - MAX_LISTED));
    }
    out.push('\n');
}

/// What a `malloc.py` command line asks for, in the playground's terms:
/// [`parse_command`]'s result.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MallocPyRun {
    /// `-S`: the heap size (the arena), 100 by default.
    pub size: usize,
    /// `-b`: the base address, 1000 by default.
    pub base: usize,
    /// `-H`: the header size, 0 by default.
    pub header: usize,
    /// `-a`: the alignment (`-1`, no alignment, is 1).
    pub align: usize,
    /// `-p`: the policy (`BEST` by default, as in `malloc.py`).
    pub strategy: Mode,
    /// `-C`: coalescing.
    pub coalesce: bool,
    /// `-l`: the free list's order (`ADDRSORT` by default).
    pub order: ListOrder,
    /// `-A`: the ops, in the op-list syntax; without `-A`, the ops drawn.
    pub ops: String,
    /// How the ops were drawn: `None` when `-A` listed them.
    pub draw: Option<Draw>,
}

impl MallocPyRun {
    /// The heap the run's settings describe (`-S`, `-p`, `-a`, `-C`, `-l`).
    /// `malloc.py` has no slabs: the default classes, or one class of the
    /// alignment's size when it is above them (classes are its multiples).
    pub fn heap_config(&self) -> HeapConfig {
        let d = HeapConfig::default();
        // (An align of 0, which `malloc.py` cannot be given, makes a config
        // that HeapConfig::validate refuses, not a division by zero here.)
        let (classes, slab_size) =
            if self.align != 0 && d.classes.iter().all(|c| c % self.align == 0) {
                (d.classes, d.slab_size)
            } else {
                (vec![self.align], self.align.max(d.slab_size))
            };
        HeapConfig {
            arena_size: self.size,
            mode: self.strategy,
            align: self.align,
            coalesce: self.coalesce,
            order: self.order,
            header: self.header,
            classes,
            slab_size,
            // malloc.py's heap is the whole arena.
            sbrk: false,
        }
    }
}

/// A whole number as Python's `optparse` reads an `int` option: `0x` hex,
/// `0b` binary, a leading `0` octal, else decimal, with an optional sign in
/// front of a decimal one.
fn py_int(value: &str) -> Option<i64> {
    let lower = value.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        // optparse reads a bare "0b" as 0.
        (2, if d.is_empty() { "0" } else { d })
    } else if lower.starts_with('0') {
        (8, lower.as_str())
    } else {
        (10, lower.as_str())
    };
    if radix != 10 && digits.starts_with(['+', '-']) {
        return None;
    }
    i64::from_str_radix(digits, radix).ok()
}

/// Reads a `malloc.py` command line (`python3 malloc.py -S 100 -p FIRST -C
/// -A +3,-0,+5 -c`, short or long options, `-S100` and `--size=100` forms):
/// the settings and ops to run it here. Anything before the first option
/// (`python3 ./malloc.py`) is skipped; `-c` is accepted. Numbers are read
/// as `malloc.py`'s option parser reads them (`0x1f`, `0b101`, and a
/// leading `0` for octal). Without `-A`, the ops are the ones `malloc.py`
/// draws with `-s`, `-n`, `-r` and `-P` ([`draw_ops`], and
/// [`MallocPyRun::draw`] says how); with `-A` those four are checked and
/// ignored, as `malloc.py` ignores them.
///
/// # Errors
/// A [`ScriptError`] (the line and column of the option) for an unknown
/// option, a missing or bad value, a list order `malloc.py` does not have, `NEXT` (not a `malloc.py` policy), an alignment that
/// is not a power of two, and draw settings out of range ([`Draw::check`])
/// or a heap the allocator cannot build (column 0) when drawing.
///
/// # Complexity
/// O(length of the line), plus [`draw_ops`] when drawing.
pub fn parse_command(text: &str) -> Result<MallocPyRun, ScriptError> {
    parse_command_checked(text).unwrap_or_else(|e| Err(ScriptError::new(1, 0, e.to_string())))
}

/// [`parse_command`], with a refusal for lack of the host's memory (when
/// drawing: see [`draw_ops`]) kept apart from the command's own errors.
///
/// # Errors
/// [`AllocError::HostMemory`] outside; inside, [`parse_command`]'s errors.
///
/// # Complexity
/// As [`parse_command`].
pub fn parse_command_checked(text: &str) -> Result<Result<MallocPyRun, ScriptError>, AllocError> {
    let (mut run, draw) = match command_settings(text) {
        Ok(x) => x,
        Err(e) => return Ok(Err(e)),
    };
    let Some(draw) = draw else {
        return Ok(Ok(run));
    };
    if let Err(m) = draw.check() {
        return Ok(Err(ScriptError::new(1, 0, m)));
    }
    let drawn = match draw_ops(&run.heap_config(), run.header, &draw) {
        Ok(ops) => ops,
        Err(e @ AllocError::HostMemory { .. }) => return Err(e),
        Err(AllocError::BadConfig { reason }) => return Ok(Err(ScriptError::new(1, 0, reason))),
        Err(e) => return Ok(Err(ScriptError::new(1, 0, e.to_string()))),
    };
    run.ops = crate::script::try_format(&drawn)?;
    run.draw = Some(draw);
    Ok(Ok(run))
}

/// The settings of a `malloc.py` command line, with its `-A` ops read, or
/// the draw that makes its ops (not yet made).
fn command_settings(text: &str) -> Result<(MallocPyRun, Option<Draw>), ScriptError> {
    let lead = text.len() - text.trim_start().len();
    let line = text.trim();
    // Tokens with their positions in `line` (1-based); quotes group, and a
    // backslash before a line break continues the line, as a shell's would.
    let mut tokens: Vec<(usize, String)> = Vec::new();
    let mut cur: Option<(usize, String)> = None;
    let mut quote: Option<char> = None;
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.get_or_insert((i + 1, String::new())).1.push(c),
            (None, '\\') if matches!(chars.peek(), Some((_, '\n' | '\r'))) => {
                tokens.extend(cur.take());
            }
            (None, '\'' | '"') => {
                quote = Some(c);
                cur.get_or_insert((i + 1, String::new()));
            }
            (None, c) if c.is_whitespace() => tokens.extend(cur.take()),
            (None, c) => cur.get_or_insert((i + 1, String::new())).1.push(c),
        }
    }
    tokens.extend(cur);
    // A position in `line` as the text's line and column (a pasted command
    // may span lines).
    let err = |pos: usize, m: String| {
        if pos == 0 {
            return ScriptError::new(1, 0, m);
        }
        // (Quotes are not in the tokens, so a position may be a little off:
        // it is kept inside the text and on a character boundary.)
        let mut end = (lead + pos - 1).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let before = &text[..end];
        let line_no = 1 + before.matches('\n').count();
        let col = before.len() - before.rfind('\n').map_or(0, |n| n + 1) + 1;
        ScriptError::new(line_no, col, m)
    };
    let start = tokens
        .iter()
        .position(|(_, t)| t.starts_with('-'))
        .ok_or_else(|| {
            err(
                0,
                "no malloc.py options (such as -S 100 -A +3,-0) in the line".into(),
            )
        })?;
    let mut run = MallocPyRun {
        size: 100,
        base: 1000,
        header: 0,
        align: 1,
        strategy: Mode::BestFit,
        coalesce: false,
        order: ListOrder::Address,
        ops: String::new(),
        draw: None,
    };
    let mut draw = Draw {
        seed: 0,
        num_ops: 10,
        range: 10,
        percent_alloc: 50,
    };
    let mut ops: Option<(usize, String)> = None;
    // Where -a was given (0 when not).
    let mut align_col = 0;
    let mut it = tokens[start..].iter().cloned();
    // The rest of a cluster of short options after a flag (`-cA+3` is `-c
    // -A+3`, as optparse reads it), taken before the next token.
    // Its `-` is not in the text: the token's position is its first letter's.
    let mut cluster: Option<(usize, String)> = None;
    while let Some((col, tok, virtual_dash)) = cluster
        .take()
        .map(|(c, t)| (c, t, true))
        .or_else(|| it.next().map(|(c, t)| (c, t, false)))
    {
        let tok = &tok;
        let (name, inline) = match tok.strip_prefix("--") {
            Some(long) => match long.split_once('=') {
                Some((n, v)) => (format!("--{n}"), Some(v.to_string())),
                None => (tok.clone(), None),
            },
            // `-` and one character, then the value (split on a character
            // boundary: `-é` is an unknown option, not half a character).
            None if tok.starts_with('-') && tok.chars().nth(2).is_some() => {
                let at = tok.char_indices().nth(2).map_or(tok.len(), |(i, _)| i);
                (tok[..at].to_string(), Some(tok[at..].to_string()))
            }
            None => (tok.clone(), None),
        };
        let flag = matches!(name.as_str(), "-C" | "--coalesce" | "-c" | "--compute");
        if flag {
            match inline {
                // A long flag takes no value; a short one goes on as a cluster.
                Some(_) if name.starts_with("--") => {
                    return Err(err(col, format!("{name} takes no value")))
                }
                // The rest starts after the dash (if in the text) and the letter.
                Some(rest) => {
                    let letter = name.len() - 1;
                    cluster = Some((
                        col + letter + usize::from(!virtual_dash),
                        format!("-{rest}"),
                    ))
                }
                None => {}
            }
            run.coalesce |= name == "-C" || name == "--coalesce";
            continue;
        }
        match name.as_str() {
            "-h" | "--help" => {
                return Err(err(col, "-h prints malloc.py's help, not a run".into()))
            }
            "-S" | "--size" | "-b" | "--baseAddr" | "-H" | "--headerSize" | "-a"
            | "--alignment" | "-p" | "--policy" | "-l" | "--listOrder" | "-A" | "--allocList"
            | "-s" | "--seed" | "-n" | "--numOps" | "-r" | "--range" | "-P" | "--percentAlloc" => {}
            _ if tok.ends_with("malloc.py") => {
                return Err(err(
                    col,
                    format!("{tok}: a second command; run one malloc.py command at a time"),
                ))
            }
            _ => return Err(err(col, format!("{tok}: not a malloc.py option"))),
        }
        let value = match inline {
            Some(v) => v,
            None => it
                .next()
                .map(|(_, v)| v)
                .ok_or_else(|| err(col, format!("{name} needs a value")))?,
        };
        let whole = || {
            py_int(&value).ok_or_else(|| {
                // Decimal digits with no leading 0 (which optparse reads as octal): too many of them.
                let digits = value.trim_start_matches(['+', '-']);
                let decimal = !digits.starts_with('0') && !digits.is_empty();
                let why = if decimal && digits.bytes().all(|b| b.is_ascii_digit()) {
                    "too large for the playground"
                } else {
                    "expected a whole number"
                };
                err(col, format!("{name} {value}: {why}"))
            })
        };
        let number = |lo: i64| -> Result<i64, ScriptError> {
            whole().and_then(|n| {
                if (lo..=crate::MAX_ARENA as i64).contains(&n) {
                    Ok(n)
                } else {
                    Err(err(
                        col,
                        format!(
                            "{name} {value}: out of range (from {lo} to {} here)",
                            thousands(crate::MAX_ARENA)
                        ),
                    ))
                }
            })
        };
        match name.as_str() {
            "-S" | "--size" => {
                run.size = number(1)? as usize;
                if run.size > MAX_HEAP {
                    return Err(err(
                        col,
                        format!(
                            "{name} {value}: heaps up to {} bytes (64 MiB) here",
                            thousands(MAX_HEAP)
                        ),
                    ));
                }
            }
            "-b" | "--baseAddr" => run.base = number(0)? as usize,
            "-H" | "--headerSize" => run.header = number(0)? as usize,
            "-a" | "--alignment" => {
                align_col = col;
                let a = number(-1)?;
                run.align = match a {
                    -1 => 1,
                    a if a > 0 && (a as u64).is_power_of_two() => a as usize,
                    _ => {
                        return Err(err(
                            col,
                            format!(
                            "{name} {value}: the playground aligns to powers of two (or -1, none)"
                        ),
                        ))
                    }
                };
            }
            "-p" | "--policy" => {
                run.strategy = match value.to_ascii_uppercase().as_str() {
                    "FIRST" => Mode::FirstFit,
                    "BEST" => Mode::BestFit,
                    "WORST" => Mode::WorstFit,
                    _ => {
                        return Err(err(
                            col,
                            format!(
                                "{name} {value}: malloc.py's policies are FIRST, BEST and WORST"
                            ),
                        ))
                    }
                };
            }
            "-l" | "--listOrder" => {
                run.order = ListOrder::ALL
                    .into_iter()
                    .find(|o| value.eq_ignore_ascii_case(o.malloc_py()))
                    .ok_or_else(|| {
                        err(
                            col,
                            format!("{name} {value}: malloc.py's list orders are ADDRSORT, SIZESORT+, SIZESORT-, INSERT-FRONT and INSERT-BACK"),
                        )
                    })?;
            }
            "-s" | "--seed" => draw.seed = whole()?,
            "-n" | "--numOps" => draw.num_ops = number(0)? as usize,
            "-r" | "--range" => draw.range = number(0)? as usize,
            "-P" | "--percentAlloc" => draw.percent_alloc = number(0)? as usize,
            _ => ops = Some((col, value)),
        }
    }
    // The arena is the heap, and its size a multiple of the alignment
    // (with a header blocks start anywhere, as in malloc.py: any size goes).
    if run.header == 0 && run.size % run.align != 0 {
        let below = run.size / run.align * run.align;
        let fits = 1usize << run.size.trailing_zeros().min(run.align.trailing_zeros());
        let sizes = if below > 0 {
            format!("-S {below} or -S {}", below + run.align)
        } else {
            format!("-S {}", run.align)
        };
        return Err(err(
            align_col,
            format!(
                "-S {} -a {}: here the heap size must be a multiple of the alignment ({sizes}, or -a {})",
                run.size,
                run.align,
                if fits == 1 { "-1".to_string() } else { fits.to_string() }
            ),
        ));
    }
    let Some((col, list)) = ops else {
        return Ok((run, Some(draw)));
    };
    let script = crate::script::parse(&list).map_err(|e| err(col, format!("-A: {}", e.message)))?;
    run.ops = crate::script::format(&script.ops);
    Ok((run, None))
}
