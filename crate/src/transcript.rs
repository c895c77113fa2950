//! A session's ops written as OSTEP's `malloc.py -c` prints a run: what each
//! request returned and how many free blocks it searched, then the free list,
//! with addresses counted from a base address (`malloc.py -b`, 1000 there by
//! default). A student can put it next to the simulator's own output.
//!
//! `malloc.py` knows `Alloc` and `Free`; the ops it lacks (aligned requests,
//! calloc, realloc, writes, strategy and coalescing switches) are written in
//! the same shape. Its header size (`-H`) has no counterpart here: the
//! transcript matches `malloc.py -H 0` (and `-l ADDRSORT`, the only order).
//!
//! ```text
//! ptr[0] = Alloc(3) returned 1000 (searched 1 elements)
//! Free List [ Size 1 ]: [ addr:1003 sz:97 ]
//! ```

use std::fmt::Write as _;

use crate::script::{Op, Script};
use crate::session::{Ptr, Session};
use crate::{Mode, Strategy};

/// At most this many free blocks are written per free list line.
pub const MAX_LISTED: usize = 200;

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

/// The first `max_ops` ops of `session`'s log as `malloc.py -c` would print
/// them, with every address `base` plus the offset, after a header of the
/// settings in `malloc.py`'s words. Longer logs end with a line that says how
/// many ops were left out; a free list longer than [`MAX_LISTED`] blocks is
/// cut short the same way.
///
/// # Complexity
/// O(ops × free blocks) for the ops written: it replays them from the start.
pub fn transcript(session: &Session, base: usize, max_ops: usize) -> String {
    let config = session.initial_config();
    let log = session.log();
    let n = log.len().min(max_ops);
    let mut out = String::new();
    let _ = writeln!(out, "size {}", config.arena_size);
    let _ = writeln!(out, "baseAddr {base}");
    out.push_str("headerSize 0\n");
    // malloc.py's -a -1 is "no alignment", our granularity 1.
    let align = if config.align == 1 {
        "-1".to_string()
    } else {
        config.align.to_string()
    };
    let _ = writeln!(out, "alignment {align}");
    let _ = writeln!(out, "policy {}", policy(config.mode));
    out.push_str("listOrder ADDRSORT\n");
    let _ = writeln!(out, "coalesce {}", python_bool(config.coalesce));
    let _ = writeln!(out, "numOps {}", log.len());

    let addr = |r: Ptr| match r {
        Ptr::Live(off) => (base + off).to_string(),
        Ptr::Failed | Ptr::Freed => "-1".to_string(),
    };
    // Requests that returned NULL and have not been realloc'ed since
    // (freeing one returns -1 in malloc.py).
    let mut null: Vec<bool> = Vec::new();
    let mut replica = Session::new(config.clone()).expect("the session was built from this config");
    let script = Script::from_ops(log[..n].to_vec());
    let done = replica.replay_with(&script, |s, i| {
        let failed = s.failed_ops().last() == Some(&(i as u32));
        let ptrs = s.ptrs();
        let searched = s.heap().last_searched();
        out.push('\n');
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
                    addr(ptrs[k])
                );
            }
            Op::Free { ptr } => {
                let _ = writeln!(out, "Free(ptr[{ptr}])");
                let _ = writeln!(out, "returned {}", if null[ptr] { -1 } else { 0 });
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
                let _ = writeln!(out, "Write(ptr[{ptr}], {} bytes at +{at})", bytes.len());
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
    });
    debug_assert!(done.is_ok(), "a session's own log replays");
    if n < log.len() {
        let _ = writeln!(out, "\n({} more ops not shown)", log.len() - n);
    }
    out
}

/// `Free List [ Size 2 ]: [ addr:1000 sz:3 ] [ addr:1003 sz:97 ]`.
fn free_list_line(out: &mut String, s: &Session, base: usize) {
    let list = s.heap().free_list_allocator().free_list();
    let _ = write!(out, "Free List [ Size {} ]:", list.len());
    for &(off, size) in list.iter().take(MAX_LISTED) {
        let _ = write!(out, " [ addr:{} sz:{size} ]", base + off);
    }
    if list.len() > MAX_LISTED {
        let _ = write!(out, " … ({} more)", list.len() - MAX_LISTED);
    }
    out.push('\n');
}
