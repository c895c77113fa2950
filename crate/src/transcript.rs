//! A session's ops written as OSTEP's `malloc.py -A ops -c` prints a run:
//! the same header, then what each request returned and how many free blocks
//! it searched, then the free list, with addresses counted from a base
//! address (`-b`, 1000 there by default). [`command`] gives the `malloc.py`
//! command line that prints the same, when there is one.
//!
//! `malloc.py` knows `Alloc` and `Free`; the ops it lacks (aligned requests,
//! calloc, realloc, writes, strategy and coalescing switches) are written in
//! the same shape. A header size (`-H`) is taken as `malloc.py` takes it: the
//! ops are replayed with each request rounded to the alignment and then grown
//! by the header (the arena itself draws no headers). `-l ADDRSORT` is the
//! only list order.
//!
//! ```text
//! ptr[0] = Alloc(3) returned 1000 (searched 1 elements)
//! Free List [ Size 1 ]: [ addr:1003 sz:97 ]
//! ```

use std::fmt::Write as _;

use crate::script::{Op, Script, ScriptError};
use crate::session::{Ptr, Session};
use crate::{AllocError, HeapConfig, Mode, Strategy};

/// At most this many free blocks are written per free list line.
pub const MAX_LISTED: usize = 200;

/// At most this many ops are written out (so a transcript stays under about
/// 10 MB: each op's free list line holds up to [`MAX_LISTED`] blocks).
pub const MAX_TRANSCRIPT_OPS: usize = 2000;

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
/// runs them: with a header, each request is rounded to the alignment and
/// then grown by the header, under a granularity of 1 (which rounds nothing
/// more), as `malloc.py` does; without one, as they are.
fn as_malloc_py(session: &Session, header: usize, n: usize) -> (HeapConfig, Script) {
    let config = session.initial_config();
    let log = &session.log()[..n];
    if header == 0 {
        return (config.clone(), Script::from_ops(log.to_vec()));
    }
    let grow = |size: usize| size.next_multiple_of(config.align).saturating_add(header);
    let ops = log
        .iter()
        .map(|op| match *op {
            Op::Alloc { size } => Op::Alloc { size: grow(size) },
            Op::Calloc { size } => Op::Calloc { size: grow(size) },
            Op::AllocAligned { size, align } => Op::AllocAligned {
                size: grow(size),
                align,
            },
            Op::Realloc { ptr, size } => Op::Realloc {
                ptr,
                size: grow(size),
            },
            ref other => other.clone(),
        })
        .collect();
    let config = HeapConfig {
        align: 1,
        ..config.clone()
    };
    (config, Script::from_ops(ops))
}

/// Replays the first `n` ops as [`as_malloc_py`] gives them, calling `after`
/// after each; returns the replica. (One `dyn` callback: every caller shares
/// one copy of the replay code in the wasm module.)
///
/// # Errors
/// [`AllocError::BadConfig`] when the host cannot provide the replica's arena
/// (the session's config is valid, and granularity 1 always is).
fn replay_as_malloc_py(
    session: &Session,
    header: usize,
    n: usize,
    after: &mut dyn FnMut(&Session, usize),
) -> Result<Session, AllocError> {
    let (config, script) = as_malloc_py(session, header, n);
    let mut replica = Session::new(config)?;
    let done = replica.replay_with(&script, after);
    debug_assert!(done.is_ok(), "a session's own log replays");
    Ok(replica)
}

/// The first `max_ops` ops (at most [`MAX_TRANSCRIPT_OPS`]) of `session`'s
/// log as `malloc.py -H header -A … -c` prints them, with every address
/// `base` plus the offset, after `malloc.py`'s header. Longer logs end with a
/// line that says how many ops were left out; a free list longer than
/// [`MAX_LISTED`] blocks is cut short the same way.
///
/// # Errors
/// [`AllocError::BadConfig`] when the host cannot provide a second arena of
/// the session's size to replay the ops in.
///
/// # Complexity
/// O(ops × free blocks) for the ops written: it replays them from the start.
pub fn transcript(
    session: &Session,
    base: usize,
    header: usize,
    max_ops: usize,
) -> Result<String, AllocError> {
    let config = session.initial_config();
    let log = session.log();
    let n = log.len().min(max_ops).min(MAX_TRANSCRIPT_OPS);
    let mut out = String::new();
    // malloc.py's header, in its order; the settings it has that a list of
    // ops does not use (seed, numOps, range, percentAlloc) at its defaults.
    let _ = writeln!(
        out,
        "seed 0\nsize {}\nbaseAddr {base}\nheaderSize {header}",
        config.arena_size
    );
    let _ = writeln!(out, "alignment {}", alignment(config.align));
    let _ = writeln!(out, "policy {}\nlistOrder ADDRSORT", policy(config.mode));
    let _ = writeln!(out, "coalesce {}", python_bool(config.coalesce));
    out.push_str("numOps 10\nrange 10\npercentAlloc 50\n");
    let _ = writeln!(out, "allocList {}", crate::script::format(&log[..n]));
    out.push_str("compute True\n\n");

    let addr = |r: Ptr| match r {
        Ptr::Live(off) => (base + off).to_string(),
        Ptr::Failed | Ptr::Freed => "-1".to_string(),
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
/// [`transcript`]`(session, base, header, …)`, or why there is none: a strategy or
/// an op `malloc.py` does not have, a free after a failed request (`-A`
/// numbers only the requests that succeeded: such a free is skipped, or
/// crashes it), more than `max_ops` ops, or a free list longer than
/// [`MAX_LISTED`] blocks (which the transcript cuts short).
///
/// # Errors
/// The reason, in words, when there is no such command.
///
/// # Complexity
/// O(ops × log n): it replays the ops to measure the free list.
pub fn command(
    session: &Session,
    base: usize,
    header: usize,
    max_ops: usize,
) -> Result<String, String> {
    let config = session.initial_config();
    let log = session.log();
    let name = match config.mode.strategy() {
        Some(Strategy::NextFit) => {
            return Err("malloc.py has first, best and worst fit, not next fit".into())
        }
        None => return Err("malloc.py has first, best and worst fit, not slab pools".into()),
        Some(_) => policy(config.mode),
    };
    if log.is_empty() {
        return Err("there are no ops yet".into());
    }
    if log.len() > max_ops.min(MAX_TRANSCRIPT_OPS) {
        return Err(format!(
            "it is written out for {} ops at most",
            thousands(max_ops.min(MAX_TRANSCRIPT_OPS))
        ));
    }
    if let Some(op) = log
        .iter()
        .find(|op| !matches!(op, Op::Alloc { .. } | Op::Free { .. }))
    {
        return Err(format!(
            "malloc.py’s ops are +N and -K only, and this run has {op}"
        ));
    }
    // The transcript cuts a free list longer than MAX_LISTED short, where
    // malloc.py writes it all.
    let mut longest = 0;
    let replica = replay_as_malloc_py(session, header, log.len(), &mut |s, _| {
        longest = longest.max(s.heap().free_list_allocator().free_block_count());
    })
    .map_err(|e| format!("it could not be checked: {e}"))?;
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
            Op::Free { ptr: k } if null[k] => {
                return Err(format!(
                    "{op} frees ptr[{k}], whose request failed: malloc.py -A keeps no pointer for it and would crash"
                ));
            }
            Op::Free { ptr: k } if k >= kept => {
                return Err(format!(
                    "malloc.py -A counts only the requests that succeed ({kept} before {op}), so it would skip {op} as an invalid free"
                ));
            }
            _ => {}
        }
    }
    debug_assert_eq!(ptr, null.len());
    if longest > MAX_LISTED {
        return Err(format!(
            "the free list grows to {} blocks, and this view writes {MAX_LISTED} per line",
            thousands(longest)
        ));
    }
    let coalesce = if config.coalesce { " -C" } else { "" };
    Ok(format!(
        "python3 malloc.py -S {} -b {base} -H {header} -a {} -p {name} -l ADDRSORT{coalesce} -c -A {}",
        config.arena_size,
        alignment(config.align),
        crate::script::format(log)
    ))
}

/// `Free List [ Size 2 ]: [ addr:1000 sz:3 ][ addr:1003 sz:97 ]`, spaced
/// exactly as `malloc.py` prints it (so `diff` finds nothing).
fn free_list_line(out: &mut String, s: &Session, base: usize) {
    let list = s.heap().free_list_allocator().free_list();
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
    /// `-A`: the ops, in the op-list syntax.
    pub ops: String,
}

/// Reads a `malloc.py` command line (`python3 malloc.py -S 100 -p FIRST -C
/// -A +3,-0,+5 -c`, short or long options, `-S100` and `--size=100` forms):
/// the settings and ops to run it here. Anything before the first option
/// (`python3 ./malloc.py`) is skipped; `-c`, and `-s`, `-n`, `-r`, `-P`
/// (which `malloc.py` ignores when `-A` gives the ops), are accepted.
///
/// # Errors
/// A [`ScriptError`] (line 1, the column of the option) for an unknown
/// option, a missing or bad value, a list order other than `ADDRSORT` (the
/// only one modelled), `NEXT` (not a `malloc.py` policy), an alignment that
/// is not a power of two, and no `-A` (without it `malloc.py` draws random
/// ops from Python's generator, which this does not reproduce).
///
/// # Complexity
/// O(length of the line).
pub fn parse_command(text: &str) -> Result<MallocPyRun, ScriptError> {
    let line = text.trim();
    // Tokens with their columns (1-based); quotes group, as a shell's would.
    let mut tokens: Vec<(usize, String)> = Vec::new();
    let mut cur: Option<(usize, String)> = None;
    let mut quote: Option<char> = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.get_or_insert((i + 1, String::new())).1.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                cur.get_or_insert((i + 1, String::new()));
            }
            (None, c) if c.is_whitespace() => tokens.extend(cur.take()),
            (None, c) => cur.get_or_insert((i + 1, String::new())).1.push(c),
        }
    }
    tokens.extend(cur);
    let err = |col: usize, m: String| ScriptError::new(1, col, m);
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
        ops: String::new(),
    };
    let mut ops: Option<(usize, String)> = None;
    let mut it = tokens[start..].iter();
    while let Some((col, tok)) = it.next() {
        let col = *col;
        let (name, inline) = match tok.strip_prefix("--") {
            Some(long) => match long.split_once('=') {
                Some((n, v)) => (format!("--{n}"), Some(v.to_string())),
                None => (tok.clone(), None),
            },
            None if tok.len() > 2 && tok.starts_with('-') => {
                (tok[..2].to_string(), Some(tok[2..].to_string()))
            }
            None => (tok.clone(), None),
        };
        let flag =
            match name.as_str() {
                "-C" | "--coalesce" => {
                    run.coalesce = true;
                    continue;
                }
                "-c" | "--compute" => continue,
                "-h" | "--help" => {
                    return Err(err(col, "-h prints malloc.py's help, not a run".into()))
                }
                "-s" | "--seed" | "-n" | "--numOps" | "-r" | "--range" | "-P"
                | "--percentAlloc" => "ignored",
                "-S" | "--size" | "-b" | "--baseAddr" | "-H" | "--headerSize" | "-a"
                | "--alignment" | "-p" | "--policy" | "-l" | "--listOrder" | "-A"
                | "--allocList" => "value",
                _ => return Err(err(col, format!("{tok}: not a malloc.py option"))),
            };
        let value = match inline {
            Some(v) => v,
            None => it
                .next()
                .map(|(_, v)| v.clone())
                .ok_or_else(|| err(col, format!("{name} needs a value")))?,
        };
        if flag == "ignored" {
            continue;
        }
        let number = |lo: i64| -> Result<i64, ScriptError> {
            value
                .parse::<i64>()
                .ok()
                .filter(|&n| n >= lo && n <= crate::MAX_ARENA as i64)
                .ok_or_else(|| err(col, format!("{name} {value}: expected a whole number")))
        };
        match name.as_str() {
            "-S" | "--size" => run.size = number(1)? as usize,
            "-b" | "--baseAddr" => run.base = number(0)? as usize,
            "-H" | "--headerSize" => run.header = number(0)? as usize,
            "-a" | "--alignment" => {
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
                if !value.eq_ignore_ascii_case("ADDRSORT") {
                    return Err(err(
                        col,
                        format!("{name} {value}: only -l ADDRSORT (malloc.py's default) is modelled here"),
                    ));
                }
            }
            _ => ops = Some((col, value)),
        }
    }
    let Some((col, list)) = ops else {
        return Err(err(
            0,
            "no -A: without it malloc.py draws random ops from Python's generator (-s seed), which the playground does not reproduce; run it with -c and give the ops it prints with -A".into(),
        ));
    };
    let script = crate::script::parse(&list).map_err(|e| err(col, format!("-A: {}", e.message)))?;
    run.ops = crate::script::format(&script.ops);
    Ok(run)
}
