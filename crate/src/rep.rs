//! CS:APP malloc-lab trace files (`.rep`).
//!
//! Four header lines — heap-size hint, number of ids, number of ops, weight —
//! then one op per line: `a id size` (malloc), `f id` (free; `f -1` frees
//! nothing), `r id size` (realloc; `r id 0` frees, as CS:APP's `mm_realloc`
//! does). Blank lines and `#` comment lines are skipped.

use crate::fxhash::FxMap;
use crate::script::{Op, Script, ScriptError, MAX_OPS, MAX_SIZE};

/// The largest trace text accepted (a guard against hostile input): 64 MiB.
pub const MAX_TRACE_BYTES: usize = 64 << 20;

/// A parsed trace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    /// The heap-size hint of the first header line.
    pub heap_hint: usize,
    /// Number of distinct ids the header announces.
    pub num_ids: usize,
    /// Number of ops the header announces.
    pub num_ops: usize,
    /// The weight of the last header line.
    pub weight: usize,
    /// The ops, converted to the op-list form: trace ids become pointer indices
    /// (a realloc keeps its pointer; `f -1` is dropped).
    pub script: Script,
    /// For each op-list pointer index, the trace id it stands for.
    pub ptr_ids: Vec<usize>,
}

/// Parses a `.rep` trace and converts it to an op list.
///
/// # Errors
/// [`ScriptError`] naming the line: a missing or non-numeric header, an
/// unknown op, an id at or beyond the header's count, a size of 0 or too
/// large, an `a` for an id that is live, an `f` for an id that is not, or an
/// op count that disagrees with the header, an `r` for an id freed since
/// its last `a` (a dangling pointer in CS:APP's driver). (An `r` for an id
/// never allocated is C's `realloc(NULL, n)`: an allocation.)
///
/// # Complexity
/// O(length of the text).
pub fn parse(text: &str) -> Result<Trace, ScriptError> {
    if text.len() > MAX_TRACE_BYTES {
        return Err(ScriptError::new(
            1,
            0,
            format!("trace is larger than {MAX_TRACE_BYTES} bytes"),
        ));
    }
    // A byte-order mark (some Windows editors save one) is not part of the first line.
    let mut lines = text
        .strip_prefix('\u{feff}')
        .unwrap_or(text)
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        // Blank lines and `#` comments (some course copies annotate traces) are skipped.
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
    let mut header = [0usize; 4];
    let mut header_lines = [0usize; 4];
    let names = ["heap-size hint", "number of ids", "number of ops", "weight"];
    let mut last_line = 0;
    for ((slot, at), name) in header.iter_mut().zip(&mut header_lines).zip(names) {
        let (ln, l) = lines.next().ok_or_else(|| {
            ScriptError::new(last_line + 1, 0, format!("missing header line: {name}"))
        })?;
        last_line = ln;
        *at = ln;
        *slot = l.parse::<usize>().map_err(|_| {
            // All digits but past this machine's usize (32 bits in wasm): say so.
            let why = if !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()) {
                format!("header line ({name}) is too large: {l}")
            } else {
                format!("header line ({name}) must be a whole number, found {l:?}")
            };
            ScriptError::new(ln, 1, why)
        })?;
    }
    let [heap_hint, num_ids, num_ops, weight] = header;
    if num_ops > MAX_OPS {
        return Err(ScriptError::new(
            header_lines[2],
            1,
            format!("too many ops (at most {MAX_OPS})"),
        ));
    }
    // Per live trace id: the pointer index it holds.
    let mut live: FxMap<usize, usize> = FxMap::default();
    // The ids freed and not allocated since: their pointers dangle (CS:APP's
    // driver keeps a freed id's old pointer), so a realloc of one is refused.
    let mut freed: FxMap<usize, ()> = FxMap::default();
    let mut ops = Vec::with_capacity(num_ops.min(1 << 20));
    let mut op_lines = Vec::with_capacity(num_ops.min(1 << 20));
    let mut ptr_ids = Vec::new();
    let mut count = 0usize;
    for (ln, l) in lines {
        count += 1;
        if count > num_ops {
            return Err(ScriptError::new(
                ln,
                1,
                format!("more ops than the header's {num_ops}"),
            ));
        }
        let mut f = l.split_whitespace();
        let kind = f.next().unwrap_or("");
        let field = |f: Option<&str>, what: &str| -> Result<i64, ScriptError> {
            f.and_then(|s| s.parse::<i64>().ok())
                .ok_or_else(|| ScriptError::new(ln, 1, format!("expected {what} in {l:?}")))
        };
        let id = field(f.next(), "an id")?;
        if kind == "f" && id == -1 {
            continue;
        }
        if usize::try_from(id).map_or(true, |i| i >= num_ids) {
            return Err(ScriptError::new(
                ln,
                1,
                match num_ids {
                    0 => format!("id {id} is out of range: the header declares no ids"),
                    1 => format!("id {id} is out of range: the header declares 1 id, so only id 0"),
                    n => format!(
                        "id {id} is out of range: the header declares {n} ids, 0 to {}",
                        n - 1
                    ),
                },
            ));
        }
        let id = id as usize;
        let size = |f: Option<&str>| -> Result<usize, ScriptError> {
            let n = field(f, "a size")?;
            if n <= 0 || usize::try_from(n).map_or(true, |n| n > MAX_SIZE) {
                return Err(ScriptError::new(
                    ln,
                    1,
                    format!("size {n} is out of range (1 to {MAX_SIZE})"),
                ));
            }
            Ok(n as usize)
        };
        let op = match kind {
            "a" => {
                if live.contains_key(&id) {
                    return Err(ScriptError::new(
                        ln,
                        1,
                        format!("id {id} is allocated twice"),
                    ));
                }
                let s = size(f.next())?;
                freed.remove(&id);
                live.insert(id, ptr_ids.len());
                ptr_ids.push(id);
                Op::Alloc { size: s }
            }
            "f" => {
                let p = live.remove(&id).ok_or_else(|| {
                    ScriptError::new(ln, 1, format!("id {id} is freed but holds no block (never allocated, or freed already)"))
                })?;
                freed.insert(id, ());
                Op::Free { ptr: p }
            }
            "r" => {
                let raw = f.next();
                // realloc(p, 0) frees p, as CS:APP's mm_realloc is specified
                // (an id that holds nothing has nothing to free: refused).
                let zero = field(raw, "a size")? == 0;
                if zero && !live.contains_key(&id) {
                    return Err(ScriptError::new(
                        ln,
                        1,
                        format!("r {id} 0 frees id {id}, but it holds no block (never allocated, or freed already)"),
                    ));
                }
                if !live.contains_key(&id) && freed.contains_key(&id) {
                    return Err(ScriptError::new(
                        ln,
                        1,
                        format!("r {id} reallocs id {id}, which was freed (its pointer dangles; realloc(NULL, n) is for an id never allocated)"),
                    ));
                }
                match live.get(&id) {
                    Some(_) if zero => {
                        freed.insert(id, ());
                        Op::Free {
                            ptr: live.remove(&id).unwrap_or_default(),
                        }
                    }
                    Some(&p) => Op::Realloc {
                        ptr: p,
                        size: size(raw)?,
                    },
                    None => {
                        // realloc(NULL, n) is malloc(n).
                        let s = size(raw)?;
                        live.insert(id, ptr_ids.len());
                        ptr_ids.push(id);
                        Op::Alloc { size: s }
                    }
                }
            }
            _ => {
                return Err(ScriptError::new(
                    ln,
                    1,
                    format!("unknown op {kind:?} (expected a, f or r)"),
                ))
            }
        };
        if f.next().is_some() {
            return Err(ScriptError::new(ln, 1, format!("extra fields in {l:?}")));
        }
        ops.push(op);
        op_lines.push(ln);
    }
    if count != num_ops {
        // Named at the header's op count (line 3 but for comments), the number to fix.
        return Err(ScriptError::new(
            header_lines[2],
            0,
            format!("the header announces {num_ops} ops but the trace has {count}"),
        ));
    }
    Ok(Trace {
        heap_hint,
        num_ids,
        num_ops,
        weight,
        script: Script {
            ops,
            lines: op_lines,
        },
        ptr_ids,
    })
}
