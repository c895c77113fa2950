//! Op lists in OSTEP's syntax, with a few extensions.
//!
//! OSTEP's `malloc.py -A` takes `+10,+20,-0`: allocate 10, allocate 20, free
//! `ptr[0]`, where `ptr[k]` is the k-th allocation request (failed ones
//! count). This parser accepts exactly that, separated by commas, spaces or
//! newlines, with `#` comments, plus:
//!
//! | op          | meaning                                              |
//! |-------------|------------------------------------------------------|
//! | `+N`        | allocate N bytes → next `ptr`                        |
//! | `+N@A`      | allocate N bytes aligned to A → next `ptr`           |
//! | `cN`        | calloc: allocate N zeroed bytes → next `ptr`         |
//! | `-K`        | free `ptr[K]`                                        |
//! | `rK:N`      | realloc `ptr[K]` to N bytes (it stays `ptr[K]`)      |
//! | `wK=HEX`    | write bytes (hex) at the start of `ptr[K]`           |
//! | `wK@O=HEX`  | write bytes at offset O inside `ptr[K]`              |
//! | `@MODE`     | switch to `first-fit`, `next-fit`, `best-fit`, `worst-fit` or `slab` |
//! | `@coalesce` / `@no-coalesce` | turn coalescing on / off            |
//! | `@merge`    | merge all adjacent free blocks now                   |

use std::fmt;

use crate::Mode;

/// The most ops one script may hold (a guard against hostile input).
pub const MAX_OPS: usize = 10_000_000;
/// The largest size or alignment a script may name.
pub const MAX_SIZE: usize = 1 << 30;
/// The most bytes one write op may carry.
pub const MAX_WRITE: usize = 4096;

/// One operation.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum Op {
    /// `+N`: allocate.
    Alloc {
        /// Bytes requested.
        size: usize,
    },
    /// `+N@A`: allocate at a multiple of `align`.
    AllocAligned {
        /// Bytes requested.
        size: usize,
        /// Alignment (a power of two).
        align: usize,
    },
    /// `cN`: allocate zeroed bytes.
    Calloc {
        /// Bytes requested.
        size: usize,
    },
    /// `-K`: free `ptr[K]`.
    Free {
        /// The pointer index.
        ptr: usize,
    },
    /// `rK:N`: resize `ptr[K]`.
    Realloc {
        /// The pointer index.
        ptr: usize,
        /// New size.
        size: usize,
    },
    /// `wK@O=HEX`: write bytes into `ptr[K]`.
    Write {
        /// The pointer index.
        ptr: usize,
        /// Offset inside the block.
        at: usize,
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// `@MODE`: switch the strategy or to the slab pools.
    SetMode {
        /// The new mode.
        mode: Mode,
    },
    /// `@coalesce` / `@no-coalesce`.
    SetCoalesce {
        /// On or off.
        on: bool,
    },
    /// `@merge`: coalesce everything now.
    MergeAll,
}

impl Op {
    /// Whether the op is an allocation request (and so creates a `ptr`).
    pub fn is_alloc(&self) -> bool {
        matches!(
            self,
            Op::Alloc { .. } | Op::AllocAligned { .. } | Op::Calloc { .. }
        )
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Alloc { size } => write!(f, "+{size}"),
            Op::AllocAligned { size, align } => write!(f, "+{size}@{align}"),
            Op::Calloc { size } => write!(f, "c{size}"),
            Op::Free { ptr } => write!(f, "-{ptr}"),
            Op::Realloc { ptr, size } => write!(f, "r{ptr}:{size}"),
            Op::Write { ptr, at, bytes } => {
                write!(f, "w{ptr}")?;
                if *at != 0 {
                    write!(f, "@{at}")?;
                }
                f.write_str("=")?;
                bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
            }
            Op::SetMode { mode } => write!(f, "@{mode}"),
            Op::SetCoalesce { on: true } => f.write_str("@coalesce"),
            Op::SetCoalesce { on: false } => f.write_str("@no-coalesce"),
            Op::MergeAll => f.write_str("@merge"),
        }
    }
}

/// A parse or validation error, naming the line (1-based) and the token.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScriptError {
    /// 1-based line of the input.
    pub line: usize,
    /// 1-based column of the token (0 when the error is about the whole input).
    pub column: usize,
    /// What is wrong: at most [`MAX_MESSAGE`] characters (a message quotes
    /// the bad token or line, which untrusted text may make megabytes long;
    /// a longer one is cut, with "…").
    pub message: String,
}

/// The most characters of a [`ScriptError`]'s message.
pub const MAX_MESSAGE: usize = 240;

impl ScriptError {
    pub(crate) fn new(line: usize, column: usize, message: impl Into<String>) -> Self {
        let mut message = message.into();
        if let Some((cut, _)) = message.char_indices().nth(MAX_MESSAGE) {
            message.truncate(cut);
            message.push('…');
        }
        ScriptError {
            line,
            column,
            message,
        }
    }
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.column > 0 {
            write!(
                f,
                "line {}, column {}: {}",
                self.line, self.column, self.message
            )
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

impl std::error::Error for ScriptError {}

/// Parsed ops with the line each came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Script {
    /// The ops in order.
    pub ops: Vec<Op>,
    /// The 1-based source line of each op. An op it has no entry for (a
    /// script built from ops alone, `lines` left empty) counts as line k+1
    /// for op k, as [`Script::from_ops`] numbers them: see [`Script::line`].
    pub lines: Vec<usize>,
}

impl Script {
    /// The 1-based source line of op `k` (k+1 when `lines` does not say,
    /// saturating).
    ///
    /// # Complexity
    /// O(1).
    pub fn line(&self, k: usize) -> usize {
        self.lines.get(k).copied().unwrap_or(k.saturating_add(1))
    }

    /// A script from ops that have no source text (line k+1 for op k).
    pub fn from_ops(ops: Vec<Op>) -> Self {
        let lines = (1..=ops.len()).collect();
        Script { ops, lines }
    }
}

/// Parses an op list.
///
/// # Errors
/// [`ScriptError`] at the first bad token, with its line and column; more than
/// [`MAX_OPS`] ops; a size of 0 or above [`MAX_SIZE`]; an alignment that is
/// not a power of two.
///
/// # Complexity
/// O(length of the text).
pub fn parse(text: &str) -> Result<Script, ScriptError> {
    let mut script = Script::default();
    // Room for every op up front (one per separator, at most): no regrowth copies.
    let room = op_bound(text);
    script.ops.reserve(room);
    script.lines.reserve(room);
    let mut reader = OpReader::new(text);
    while let Some((op, line)) = reader.next_op()? {
        script.ops.push(op);
        script.lines.push(line);
    }
    Ok(script)
}

/// Reads an op list one op at a time, in one pass over the text (lines and
/// comments are found on the way, not split off first): the tokenizer behind
/// [`parse`], and behind [`Session::replay_text_with`](crate::Session::replay_text_with),
/// which runs each op as it is read instead of collecting them first.
#[derive(Clone, Debug)]
pub struct OpReader<'a> {
    text: &'a str,
    /// Where reading goes on: the text's length once it is done, or after an error.
    i: usize,
    /// The 1-based line of byte `i`.
    line_no: usize,
    /// Where that line starts.
    line_start: usize,
    /// Ops read so far (at most [`MAX_OPS`]).
    count: usize,
}

impl<'a> OpReader<'a> {
    /// A reader at the start of `text`, past a byte-order mark if the text
    /// has one (as a file saved by some Windows editors does, and node's
    /// `readFileSync(path, 'utf8')` keeps).
    pub fn new(text: &'a str) -> Self {
        let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
        OpReader {
            text,
            i: start,
            line_no: 1,
            line_start: start,
            count: 0,
        }
    }

    /// The next op and its 1-based line, or `None` at the end of the text.
    ///
    /// # Errors
    /// As [`parse`]: the first bad token with its line and column, or the
    /// op past [`MAX_OPS`]. The reader is at its end after an error.
    ///
    /// # Complexity
    /// O(length of the text read).
    #[inline(always)]
    pub fn next_op(&mut self) -> Result<Option<(Op, usize)>, ScriptError> {
        match self.next_quick() {
            Some(op) => Ok(Some((op, self.line_no))),
            None => self.next_op_general(),
        }
    }

    /// The next op when it has the shape of nearly every op of a long list:
    /// one separator (not a line break), then `+N` or `-K`. `None` (reading
    /// nothing) for anything else, and for the op past [`MAX_OPS`]: then
    /// [`next_op`](Self::next_op) reads on. A replay loop that runs this
    /// op on its own path keeps it in registers; merged with the general
    /// path's result, it would make a trip through memory.
    ///
    /// # Complexity
    /// O(1).
    #[inline(always)]
    pub fn next_quick(&mut self) -> Option<Op> {
        let bytes = self.text.as_bytes();
        let i = self.i;
        if i + 1 < bytes.len() && matches!(bytes[i], b',' | b' ' | b';') && self.count < MAX_OPS {
            if let Some((op, end)) = alloc_or_free(bytes, i + 1) {
                self.count += 1;
                self.i = end;
                return Some(op);
            }
        }
        None
    }

    /// [`next_op`](Self::next_op) for any text.
    #[inline(never)]
    fn next_op_general(&mut self) -> Result<Option<(Op, usize)>, ScriptError> {
        let bytes = self.text.as_bytes();
        let mut i = self.i;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'\n' {
                self.line_no += 1;
                self.line_start = i + 1;
                i += 1;
                continue;
            }
            if b == b'#' {
                // A comment runs to the end of the line.
                i += bytes[i..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .unwrap_or(bytes.len() - i);
                continue;
            }
            if SEPARATOR[b as usize] {
                i += 1;
                continue;
            }
            let start = i;
            let column = start - self.line_start + 1;
            // The fast path for the two ops that make up nearly every long
            // list: `+N` and `-K` read in one pass over their digits.
            let op = match alloc_or_free(bytes, start) {
                Some((op, end)) => {
                    i = end;
                    op
                }
                None => {
                    while i < bytes.len() && !ENDS_TOKEN[bytes[i] as usize] {
                        i += 1;
                    }
                    // Token ends are ASCII, so `start..i` falls on char boundaries.
                    match parse_op(&self.text[start..i]) {
                        Ok(op) => op,
                        Err(m) => return Err(self.fail(column, m)),
                    }
                }
            };
            if self.count >= MAX_OPS {
                return Err(self.fail(column, format!("too many ops (at most {MAX_OPS})")));
            }
            self.count += 1;
            self.i = i;
            return Ok(Some((op, self.line_no)));
        }
        self.i = i;
        Ok(None)
    }

    /// An error at `column` of the current line; reading ends there.
    #[cold]
    fn fail(&mut self, column: usize, message: impl Into<String>) -> ScriptError {
        self.i = self.text.len();
        ScriptError::new(self.line_no, column, message)
    }
}

/// How many bytes of `bytes` are commas, semicolons, spaces or newlines (the
/// usual op separators): eight bytes at a time, as wasm without SIMD would
/// otherwise test them one by one.
pub(crate) fn count_breaks(bytes: &[u8]) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `w` that equals `c`, exactly: adding 0x7f
    // to a byte's low seven bits cannot carry into the next byte.
    let eq = |w: u64, c: u8| {
        let x = w ^ (LO * u64::from(c));
        !(((x & !HI) + !HI) | x) & HI
    };
    let mut chunks = bytes.chunks_exact(8);
    let mut n = 0;
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().expect("eight bytes"));
        n += (eq(w, b',') | eq(w, b'\n') | eq(w, b';') | eq(w, b' ')).count_ones() as usize;
    }
    n + chunks
        .remainder()
        .iter()
        .filter(|&&b| matches!(b, b',' | b'\n' | b';' | b' '))
        .count()
}

/// The bytes that separate ops: comma, semicolon and ASCII whitespace.
const SEPARATOR: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = matches!(b as u8, b',' | b';' | b' ' | b'\t' | b'\n' | b'\r' | 0x0c);
        b += 1;
    }
    t
};

/// The bytes that end a token: the separators and `#` (a comment).
const ENDS_TOKEN: [bool; 256] = {
    let mut t = SEPARATOR;
    t[b'#' as usize] = true;
    t
};

/// A well-formed `+N` (1 ≤ N ≤ [`MAX_SIZE`]) or `-K` token at `start`, with the
/// index just past it; `None` for anything else (which [`parse_op`] then reads,
/// or reports).
#[inline(always)]
fn alloc_or_free(bytes: &[u8], start: usize) -> Option<(Op, usize)> {
    let sign = bytes[start];
    if sign != b'+' && sign != b'-' {
        return None;
    }
    // Up to seven digits and their end, from the eight bytes after the sign
    // at once: no loop whose exit the branch predictor has to guess.
    if let Some(word) = bytes.get(start + 1..start + 9) {
        let w = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        let len = digit_run(w);
        if len == 0 || len == 8 || !ENDS_TOKEN[word[len] as usize] {
            return None;
        }
        let n = eight_digits(w << (8 * (8 - len))) as usize;
        let end = start + 1 + len;
        return match sign {
            b'+' if n > 0 => Some((Op::Alloc { size: n }, end)),
            b'-' => Some((Op::Free { ptr: n }, end)),
            _ => None,
        };
    }
    let mut j = start + 1;
    let mut n = 0u64;
    // Ten digits at most: 2^30 has ten, and ten cannot overflow a u64.
    while j < bytes.len() && j - start <= 10 && bytes[j].is_ascii_digit() {
        n = n * 10 + u64::from(bytes[j] - b'0');
        j += 1;
    }
    let ends = j == bytes.len() || ENDS_TOKEN[bytes[j] as usize];
    if j == start + 1 || !ends || n > MAX_SIZE as u64 {
        return None;
    }
    let n = n as usize;
    match sign {
        b'+' if n > 0 => Some((Op::Alloc { size: n }, j)),
        b'-' => Some((Op::Free { ptr: n }, j)),
        _ => None,
    }
}

/// How many of the eight bytes of `w` (first byte lowest) are ASCII digits
/// before the first that is not (8 when all are).
#[inline]
fn digit_run(w: u64) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    // A byte is a digit iff its high nibble is 3, and still 3 after adding 6
    // (0x3a..0x3f become 0x40..). The addition carries out of a byte only
    // from 0xfa..0xff, which never occur in UTF-8 text.
    let hi = w & (0xF0 * LO);
    let hi6 = w.wrapping_add(0x06 * LO) & (0xF0 * LO);
    let not_digit = (hi ^ (0x30 * LO)) | (hi6 ^ (0x30 * LO));
    (not_digit.trailing_zeros() / 8) as usize
}

/// The value of eight ASCII digits in `w`, the first in the lowest byte
/// (bytes of 0 count as leading zeros).
#[inline]
fn eight_digits(w: u64) -> u64 {
    let v = (w & 0x0F0F_0F0F_0F0F_0F0F).wrapping_mul(2561) >> 8;
    let v = (v & 0x00FF_00FF_00FF_00FF).wrapping_mul(6_553_601) >> 16;
    (v & 0x0000_FFFF_0000_FFFF).wrapping_mul(42_949_672_960_001) >> 32
}

/// Formats ops in the syntax [`parse`] reads, comma-separated.
pub fn format(ops: &[Op]) -> String {
    try_format(ops).expect("memory for the op list's text")
}

/// [`format()`], refused rather than aborted when the host's memory cannot
/// hold the text (in wasm, a failed allocation aborts the module).
///
/// # Errors
/// [`AllocError::HostMemory`](crate::AllocError::HostMemory); nothing is kept.
///
/// # Complexity
/// O(length of the text).
pub fn try_format(ops: &[Op]) -> Result<String, crate::AllocError> {
    use std::fmt::Write;
    let mut s = String::new();
    let mut op_text = String::new();
    for (i, op) in ops.iter().enumerate() {
        op_text.clear();
        let _ = write!(op_text, "{op}");
        let more = op_text.len() + usize::from(i > 0);
        s.try_reserve(more)
            .map_err(|_| crate::AllocError::HostMemory {
                bytes: s.capacity().saturating_mul(2).max(more),
            })?;
        if i > 0 {
            s.push(',');
        }
        s.push_str(&op_text);
    }
    Ok(s)
}

/// The bytes the write ops among `ops` carry (kept apart from the ops, in
/// the heap: what a log of them takes beyond `size_of::<Op>()` each).
///
/// # Complexity
/// O(ops).
pub fn write_bytes(ops: &[Op]) -> usize {
    ops.iter()
        .map(|op| match op {
            Op::Write { bytes, .. } => bytes.len(),
            _ => 0,
        })
        .sum()
}

/// An upper bound on the host memory [`parse`] may take for `text` (see
/// [`headroom`](crate::headroom)): an op and a line number per separator,
/// the bytes of its writes (fewer than the text's), and what a validation
/// of it keeps per op (a flag, a map entry).
///
/// # Complexity
/// O(length of the text).
pub fn parse_room(text: &str) -> usize {
    let ops = op_bound(text);
    crate::headroom::bound(
        ops,
        std::mem::size_of::<Op>() + std::mem::size_of::<usize>() + 16,
        text.len(),
    )
}

/// The most ops `text` may hold: one per separator and one more, and no
/// more than a script may hold.
pub fn op_bound(text: &str) -> usize {
    (count_breaks(text.as_bytes()) + 1).min(MAX_OPS)
}

fn number(s: &str, what: &str, tok: &str) -> Result<usize, String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("expected {what} in {tok:?}"));
    }
    // At most MAX_SIZE (2^30): digits past ten cannot fit, and ten cannot
    // overflow a u64 (a 32-bit usize, as in wasm32, they can).
    let n = if s.len() > 10 {
        u64::MAX
    } else {
        s.bytes().fold(0u64, |n, b| n * 10 + u64::from(b - b'0'))
    };
    if n > MAX_SIZE as u64 {
        return Err(format!(
            "{what} in {tok:?} is too large (at most {MAX_SIZE})"
        ));
    }
    Ok(n as usize)
}

fn size(s: &str, tok: &str) -> Result<usize, String> {
    let n = number(s, "a size", tok)?;
    if n == 0 {
        return Err(format!("size must be at least 1 in {tok:?}"));
    }
    Ok(n)
}

fn parse_op(tok: &str) -> Result<Op, String> {
    let (head, rest) = tok.split_at(tok.chars().next().map_or(0, char::len_utf8));
    match head {
        "+" => match rest.split_once('@') {
            Some((n, a)) => {
                let align = number(a, "an alignment", tok)?;
                if !align.is_power_of_two() {
                    return Err(format!("alignment in {tok:?} is not a power of two"));
                }
                Ok(Op::AllocAligned {
                    size: size(n, tok)?,
                    align,
                })
            }
            None => Ok(Op::Alloc {
                size: size(rest, tok)?,
            }),
        },
        "c" | "C" => Ok(Op::Calloc {
            size: size(rest, tok)?,
        }),
        "-" => Ok(Op::Free {
            ptr: number(rest, "a pointer index", tok)?,
        }),
        "r" | "R" => {
            let (k, n) = rest
                .split_once(':')
                .ok_or_else(|| format!("expected rK:N in {tok:?}"))?;
            Ok(Op::Realloc {
                ptr: number(k, "a pointer index", tok)?,
                size: size(n, tok)?,
            })
        }
        "w" | "W" => {
            let (target, hex) = rest
                .split_once('=')
                .ok_or_else(|| format!("expected wK=HEX in {tok:?}"))?;
            let (k, at) = match target.split_once('@') {
                Some((k, at)) => (k, number(at, "an offset", tok)?),
                None => (target, 0),
            };
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!("bad hex digits in {tok:?}"));
            }
            if hex.is_empty() || hex.len() % 2 != 0 || hex.len() / 2 > MAX_WRITE {
                return Err(format!(
                    "expected an even number of hex digits (1 to {MAX_WRITE} bytes) in {tok:?}"
                ));
            }
            let bytes = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
                .collect::<Result<Vec<u8>, _>>()
                .map_err(|_| format!("bad hex digits in {tok:?}"))?;
            Ok(Op::Write {
                ptr: number(k, "a pointer index", tok)?,
                at,
                bytes,
            })
        }
        "@" => match rest.to_ascii_lowercase().as_str() {
            "coalesce" => Ok(Op::SetCoalesce { on: true }),
            "no-coalesce" | "nocoalesce" => Ok(Op::SetCoalesce { on: false }),
            "merge" => Ok(Op::MergeAll),
            m => m
                .parse::<Mode>()
                .map(|mode| Op::SetMode { mode })
                .map_err(|_| format!("unknown directive {tok:?}")),
        },
        _ => Err(format!(
            "unknown op {tok:?} (expected +N, -K, cN, rK:N, wK=HEX or @mode)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path reads exactly what the general one does: for tokens of
    /// a sign and 0–12 digits (leading zeros, `+0`, numbers past the limit),
    /// followed by a separator, a letter, more digits or the end of the text
    /// (so at every distance from the end), it gives the same op and end as
    /// `parse_op` on the whole token, or defers to it (always, past seven
    /// digits; never for a valid `+N` or `-K` of up to seven).
    #[test]
    fn alloc_or_free_agrees_with_parse_op() {
        let mut rng = crate::workload::Rng::new(0x9E37_79B9_7F4A_7C15);
        let mut next = move || rng.next_u64();
        let tails = [
            "",
            ",",
            ";",
            " ",
            "\n",
            "\t",
            "x",
            "@8",
            ":4",
            ",+1,-2,+3",
            "0",
            "# note",
        ];
        for _ in 0..200_000 {
            let sign = if next() % 2 == 0 { '+' } else { '-' };
            let digits = (next() % 13) as usize;
            let mut tok = String::from(sign);
            for k in 0..digits {
                let d = if k == 0 && next() % 4 == 0 {
                    0
                } else {
                    next() % 10
                };
                tok.push(char::from(b'0' + d as u8));
            }
            let tail = tails[(next() % tails.len() as u64) as usize];
            let text = format!("{tok}{tail}");
            let bytes = text.as_bytes();
            // The token: everything up to the first separator or comment.
            let whole = text
                .split(|c: char| c.is_ascii() && ENDS_TOKEN[c as usize])
                .next()
                .unwrap_or("");
            match alloc_or_free(bytes, 0) {
                Some((op, end)) => {
                    assert_eq!(end, whole.len(), "{text:?}");
                    assert_eq!(parse_op(whole), Ok(op), "{text:?}");
                }
                // Deferring is always correct; the fast path must still take
                // every valid token of up to seven digits.
                None => assert!(
                    whole.len() > 8
                        || !matches!(parse_op(whole), Ok(Op::Alloc { .. } | Op::Free { .. })),
                    "{text:?}: the fast path missed {whole:?}"
                ),
            }
        }
    }

    /// The one-pass parser against the obvious one (split into lines, cut
    /// each at `#`, split at separators, read every token with `parse_op`) on
    /// random texts of valid and broken tokens, comments, CRLF and tabs:
    /// the same ops and lines, or the same error at the same line and column.
    #[test]
    fn parse_agrees_with_line_by_line_reading() {
        fn reference(text: &str) -> Result<Script, ScriptError> {
            let mut s = Script::default();
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            for (ln, line) in text.lines().enumerate() {
                let code = line.split('#').next().unwrap_or("");
                let b = code.as_bytes();
                let mut i = 0;
                while i < b.len() {
                    if SEPARATOR[b[i] as usize] {
                        i += 1;
                        continue;
                    }
                    let start = i;
                    while i < b.len() && !SEPARATOR[b[i] as usize] {
                        i += 1;
                    }
                    let op = parse_op(&code[start..i])
                        .map_err(|m| ScriptError::new(ln + 1, start + 1, m))?;
                    s.ops.push(op);
                    s.lines.push(ln + 1);
                }
            }
            Ok(s)
        }
        let pieces = [
            "+12",
            "-3",
            "+0",
            "-0",
            "+4096",
            "+1@8",
            "c7",
            "r0:9",
            "w0=ff",
            "@best-fit",
            "@merge",
            "+",
            "-",
            "x",
            "é",
            "+99999999999",
            "#",
            "# c, +1 ",
            "\n",
            "\r\n",
            ",",
            ";",
            " ",
            "\t",
            "\r",
            "+12345678",
            "-1234567",
            "\u{feff}",
        ];
        let mut rng = crate::workload::Rng::new(11);
        for round in 0..20_000 {
            let n = rng.range(0, 14);
            let text: String = (0..n).map(|_| pieces[rng.range(0, pieces.len())]).collect();
            assert_eq!(parse(&text), reference(&text), "round {round}: {text:?}");
        }
    }

    #[test]
    fn count_breaks_counts_each_byte() {
        let mut rng = crate::workload::Rng::new(5);
        for len in 0..200 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    let alphabet = b",\n; +-x\t\x80\xff";
                    alphabet[rng.range(0, alphabet.len())]
                })
                .collect();
            let want = bytes
                .iter()
                .filter(|&&b| matches!(b, b',' | b'\n' | b';' | b' '))
                .count();
            assert_eq!(count_breaks(&bytes), want, "{bytes:?}");
        }
    }

    #[test]
    fn digit_helpers_read_runs_and_values() {
        let word = |s: &[u8]| {
            let mut b = [b','; 8];
            b[..s.len()].copy_from_slice(s);
            u64::from_le_bytes(b)
        };
        assert_eq!(digit_run(word(b"")), 0);
        assert_eq!(digit_run(word(b"7")), 1);
        assert_eq!(digit_run(word(b"1234567")), 7);
        assert_eq!(digit_run(word(b"12345678")), 8);
        assert_eq!(digit_run(word(b"12:4")), 2);
        assert_eq!(digit_run(word(b"/:09")), 0);
        for (s, n) in [
            (&b"1"[..], 1u64),
            (b"42", 42),
            (b"0000007", 7),
            (b"9999999", 9_999_999),
        ] {
            let w = word(s);
            assert_eq!(eight_digits(w << (8 * (8 - s.len()))), n);
        }
        assert_eq!(eight_digits(word(b"12345678")), 12_345_678);
    }
}
