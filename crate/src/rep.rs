//! CS:APP malloc-lab trace files (`.rep`).
//!
//! Four header numbers, then one op per line: `a id size` (malloc), `f id`
//! (free; `f -1` frees nothing), `r id size` (realloc; `r id 0` frees, as
//! CS:APP's `mm_realloc` does). Blank lines and `#` comment lines are
//! skipped; lines end in `\n`, `\r\n` or a lone `\r`. The header comes in
//! two forms ([`Header`]), told apart by their first and last numbers; both
//! have the number of ids and of ops in the middle. Its numbers stand one
//! per line, or several on a line (`fscanf` reads them either way).

use crate::fxhash::FxMap;
use crate::script::{Op, Script, ScriptError, MAX_OPS, MAX_SIZE};

/// The largest trace text accepted (a guard against hostile input): 64 MiB.
pub const MAX_TRACE_BYTES: usize = 64 << 20;

/// The first and last header numbers, in the trace's form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Header {
    /// CS:APP's handout (`mdriver.c` of the 2nd and 3rd editions): a heap-size
    /// hint (which the driver ignores: its heap grows), ids, ops, a weight.
    CsApp {
        /// The first number: a heap size in bytes.
        heap_hint: u64,
        /// The last number.
        weight: u64,
    },
    /// CMU 15-213's later driver: a weight of 0 to 3 (which scores count the
    /// trace), ids, ops, the peak payload in bytes. Taken to be this form when
    /// the first number is at most 3 and the last above 3.
    Cmu {
        /// The first number.
        weight: u64,
        /// The last number: the most payload bytes live at once.
        peak_bytes: u64,
    },
}

impl Default for Header {
    fn default() -> Self {
        Header::CsApp {
            heap_hint: 0,
            weight: 0,
        }
    }
}

/// A parsed trace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    /// The header's first and last numbers.
    pub header: Header,
    /// Number of distinct ids the header announces.
    pub num_ids: usize,
    /// Number of ops the header announces.
    pub num_ops: usize,
    /// The most bytes the trace's requests hold at once (sizes as asked,
    /// before any rounding): no arena smaller than this runs it without a
    /// refused request.
    pub peak_payload: u64,
    /// The ops, converted to the op-list form: trace ids become pointer indices
    /// (a realloc keeps its pointer; `f -1` is dropped).
    pub script: Script,
    /// For each op-list pointer index, the trace id it stands for.
    pub ptr_ids: Vec<usize>,
}

impl Trace {
    /// The CS:APP header's heap-size hint, when there is one.
    pub fn heap_hint(&self) -> Option<u64> {
        match self.header {
            Header::CsApp { heap_hint, .. } => Some(heap_hint),
            Header::Cmu { .. } => None,
        }
    }

    /// Whether the heap-size hint can hold the trace's peak payload, so is
    /// worth offering as an arena size (course copies write 0 or 1).
    pub fn hint_holds(&self) -> bool {
        self.heap_hint().is_some_and(|h| h >= self.peak_payload)
    }

    /// The header's weight, in either form.
    pub fn weight(&self) -> u64 {
        match self.header {
            Header::CsApp { weight, .. } | Header::Cmu { weight, .. } => weight,
        }
    }
}

/// What each header number is called in errors (the first and last differ
/// between the two forms, which are told apart only once all four are read).
const HEADER_NAMES: [&str; 4] = [
    "heap-size hint, or weight",
    "number of ids",
    "number of ops",
    "weight, or peak bytes",
];

/// The trace's lines, numbered from 1, split at `\n`, `\r\n` or a lone `\r`.
fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split('\n')
        .flat_map(|l| l.strip_suffix('\r').unwrap_or(l).split('\r'))
        .enumerate()
        .map(|(i, l)| (i + 1, l))
}

/// Parses a `.rep` trace and converts it to an op list.
///
/// # Errors
/// [`ScriptError`] naming the line: a missing or non-numeric header number
/// (or an op where the header has not ended), an unknown op, an id at or
/// beyond the header's count, a size of 0 or too large, an `a` for an id that
/// is live, an `f` for an id that is not, an op count that disagrees with the
/// header, an `r` for an id freed since its last `a` (a dangling pointer in
/// CS:APP's driver). (An `r` for an id never allocated is C's
/// `realloc(NULL, n)`: an allocation.)
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
    let mut lines = numbered_lines(text.strip_prefix('\u{feff}').unwrap_or(text))
        .map(|(n, l)| (n, l.trim()))
        // Blank lines and `#` comments (some course copies annotate traces) are skipped.
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
    let mut header = [0u64; 4];
    let mut header_lines = [0usize; 4];
    let mut read = 0;
    let mut last_line = 0;
    while read < 4 {
        let Some((ln, l)) = lines.next() else {
            return Err(ScriptError::new(
                last_line + 1,
                0,
                format!("missing header number: {}", HEADER_NAMES[read]),
            ));
        };
        last_line = ln;
        if read > 0 && matches!(l.split_whitespace().next(), Some("a" | "f" | "r")) {
            return Err(ScriptError::new(
                ln,
                1,
                format!(
                    "the header ends after {read} number{}: a trace starts with four \
                     (heap-size hint or weight, number of ids, number of ops, weight or peak bytes)",
                    if read == 1 { "" } else { "s" }
                ),
            ));
        }
        for tok in l.split_whitespace() {
            if read == 4 {
                return Err(ScriptError::new(
                    ln,
                    1,
                    format!("extra text after the header's four numbers: {tok:?}"),
                ));
            }
            let name = HEADER_NAMES[read];
            header[read] = tok.parse::<u64>().map_err(|_| {
                // All digits but past 64 bits: say so.
                let why = if tok.bytes().all(|b| b.is_ascii_digit()) {
                    format!("header number ({name}) is too large: {tok}")
                } else {
                    format!("header number ({name}) must be a whole number, found {l:?}")
                };
                ScriptError::new(ln, 1, why)
            })?;
            header_lines[read] = ln;
            read += 1;
        }
    }
    let [first, ids, ops_announced, last] = header;
    let header = if first <= 3 && last > 3 {
        Header::Cmu {
            weight: first,
            peak_bytes: last,
        }
    } else {
        Header::CsApp {
            heap_hint: first,
            weight: last,
        }
    };
    let count_of = |n: u64, k: usize| {
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= MAX_OPS)
            .ok_or_else(|| {
                ScriptError::new(
                    header_lines[k],
                    1,
                    format!("too many {} (at most {MAX_OPS})", ["ids", "ops"][k - 1]),
                )
            })
    };
    let num_ids = count_of(ids, 1)?;
    let num_ops = count_of(ops_announced, 2)?;
    // Per live trace id: the pointer index it holds and its size.
    let mut live: FxMap<usize, (usize, u64)> = FxMap::default();
    // The ids freed and not allocated since, with the line that freed them:
    // their pointers dangle (CS:APP's driver keeps a freed id's old
    // pointer), so a realloc of one is refused.
    let mut freed: FxMap<usize, usize> = FxMap::default();
    let mut held = 0u64;
    let mut peak_payload = 0u64;
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
        if !matches!(kind, "a" | "f" | "r") {
            return Err(ScriptError::new(
                ln,
                1,
                format!("unknown op {kind:?} (expected a, f or r)"),
            ));
        }
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
            if n == 0 {
                return Err(ScriptError::new(
                    ln,
                    1,
                    format!("size 0: malloc(0) is not supported here (a request is 1 to {MAX_SIZE} bytes)"),
                ));
            }
            if n < 0 || usize::try_from(n).map_or(true, |n| n > MAX_SIZE) {
                return Err(ScriptError::new(
                    ln,
                    1,
                    format!("size {n} is out of range (1 to {MAX_SIZE})"),
                ));
            }
            Ok(n as usize)
        };
        // Why `id` holds no block, for an op that needs one.
        let holds_nothing = |freed: &FxMap<usize, usize>| match freed.get(&id) {
            Some(at) => format!("it was freed already, at line {at}"),
            None => "it was never allocated".to_string(),
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
                live.insert(id, (ptr_ids.len(), s as u64));
                ptr_ids.push(id);
                held += s as u64;
                Op::Alloc { size: s }
            }
            "f" => {
                let (p, s) = live.remove(&id).ok_or_else(|| {
                    ScriptError::new(
                        ln,
                        1,
                        format!("f {id} frees id {id}, but {}", holds_nothing(&freed)),
                    )
                })?;
                freed.insert(id, ln);
                held -= s;
                Op::Free { ptr: p }
            }
            _ => {
                let raw = f.next();
                // realloc(p, 0) frees p, as CS:APP's mm_realloc is specified
                // (an id that holds nothing has nothing to free: refused).
                let zero = field(raw, "a size")? == 0;
                if zero && !live.contains_key(&id) {
                    return Err(ScriptError::new(
                        ln,
                        1,
                        format!("r {id} 0 frees id {id}, but {}", holds_nothing(&freed)),
                    ));
                }
                if !live.contains_key(&id) && freed.contains_key(&id) {
                    return Err(ScriptError::new(
                        ln,
                        1,
                        format!("r {id} reallocs id {id}, which was freed at line {} (its pointer dangles; realloc(NULL, n) is for an id never allocated)", freed[&id]),
                    ));
                }
                match live.get(&id).copied() {
                    Some((p, s)) if zero => {
                        live.remove(&id);
                        freed.insert(id, ln);
                        held -= s;
                        Op::Free { ptr: p }
                    }
                    Some((p, old)) => {
                        let s = size(raw)?;
                        live.insert(id, (p, s as u64));
                        held = held - old + s as u64;
                        Op::Realloc { ptr: p, size: s }
                    }
                    None => {
                        // realloc(NULL, n) is malloc(n).
                        let s = size(raw)?;
                        live.insert(id, (ptr_ids.len(), s as u64));
                        ptr_ids.push(id);
                        held += s as u64;
                        Op::Alloc { size: s }
                    }
                }
            }
        };
        if f.next().is_some() {
            return Err(ScriptError::new(ln, 1, format!("extra fields in {l:?}")));
        }
        peak_payload = peak_payload.max(held);
        ops.push(op);
        op_lines.push(ln);
    }
    if count != num_ops {
        // Named at the header's op count, the number to fix.
        return Err(ScriptError::new(
            header_lines[2],
            0,
            format!("the header announces {num_ops} ops but the trace has {count}"),
        ));
    }
    Ok(Trace {
        header,
        num_ids,
        num_ops,
        peak_payload,
        script: Script {
            ops,
            lines: op_lines,
        },
        ptr_ids,
    })
}

/// Whether `text` starts as a trace does: four whole numbers (one per line
/// or several on a line, after any blank and `#` lines), or two or three
/// followed by an op line (`a`, `f` or `r` first: a header cut short). Lets a caller word a refused trace as
/// the trace reader does rather than as an op list's error.
///
/// # Complexity
/// O(length of the header): it stops at the first op line or the fifth number.
pub fn looks_like(text: &str) -> bool {
    let mut numbers = 0;
    let lines = numbered_lines(text.strip_prefix('\u{feff}').unwrap_or(text))
        .map(|(_, l)| l.trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    for l in lines {
        if numbers == 4 {
            // Four numbers and a line after them: the trace reader's to judge.
            return true;
        }
        if matches!(l.split_whitespace().next(), Some("a" | "f" | "r")) {
            return numbers >= 2;
        }
        for tok in l.split_whitespace() {
            if !tok.bytes().all(|b| b.is_ascii_digit()) {
                return false;
            }
            numbers += 1;
            if numbers > 4 {
                return false;
            }
        }
    }
    numbers == 4
}
