//! The one error type of the crate.

use std::fmt;

/// Everything that can go wrong in the allocator, the slab pools, or a replay.
///
/// Every operation that returns an error leaves the blocks and the bytes of the
/// arena exactly as they were. Only the diagnostic counters change, and only
/// for a well-formed allocation request that the allocator refused
/// ([`AllocError::OutOfMemory`]; in slab mode also [`AllocError::TooLarge`] and
/// [`AllocError::BadAlign`] when no class fits): `failed_allocs`,
/// `last_searched` and the sequence number (a failed request still consumes
/// its number, as OSTEP's `ptr[i]` does).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
// (Field names too: `detail.largestFree`, as every key the JS API gives.)
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum AllocError {
    /// No free block can hold `requested` bytes (after rounding).
    OutOfMemory {
        /// The request, after rounding to the granularity.
        requested: usize,
        /// The largest free block at the time of the request (with `sbrk`,
        /// in the heap, as [`crate::Stats::largest_free`] counts it).
        largest_free: usize,
    },
    /// `offset` is not the start of a live block.
    InvalidFree {
        /// The offending offset.
        offset: usize,
    },
    /// `offset` points into free memory: a block freed already (alone or
    /// merged into a neighbour), or bytes never handed out. The heap keeps
    /// no history of what was freed, so it cannot tell the two apart.
    DoubleFree {
        /// The offending offset.
        offset: usize,
    },
    /// A request for zero bytes.
    ZeroSize,
    /// An alignment that is not a power of two, or is larger than the arena.
    BadAlign {
        /// The offending alignment.
        align: usize,
    },
    /// A slab request larger than the largest size class. (The free list
    /// reports a request larger than the arena as [`AllocError::OutOfMemory`],
    /// as OSTEP's simulator fails it.)
    TooLarge {
        /// The request.
        requested: usize,
        /// The largest size that could ever be served.
        max: usize,
    },
    /// A read or write of `len` bytes at `offset` that leaves the arena, or
    /// (for writes) the live block it starts in.
    OutOfBounds {
        /// Start of the range.
        offset: usize,
        /// Length of the range.
        len: usize,
    },
    /// A write of `len` bytes `at` bytes into the live block at `offset`
    /// (`size` bytes) that does not fit inside it, or that carries no byte or
    /// more than [`MAX_WRITE`](crate::script::MAX_WRITE) (what an op list can carry).
    WriteOutside {
        /// The block's offset in the arena.
        offset: usize,
        /// The block's size.
        size: usize,
        /// Where the write starts, from the block's start.
        at: usize,
        /// Bytes written.
        len: usize,
    },
    /// A configuration that cannot be built.
    BadConfig {
        /// What is wrong with it.
        reason: String,
    },
    /// The host's memory (in wasm, the module's linear memory) cannot give
    /// the `bytes` an operation may need: it was refused before it began
    /// (see [`headroom`](crate::headroom)).
    HostMemory {
        /// The bound the operation asked for.
        bytes: usize,
    },
    /// An argument no op list could carry (a size or alignment above
    /// [`MAX_SIZE`](crate::script::MAX_SIZE)): refused before the request is
    /// numbered, so nothing is logged and the log always parses back.
    BadArgument {
        /// What is wrong with it.
        reason: String,
    },
}

impl AllocError {
    /// A stable, kebab-case code for the variant (`"out-of-memory"`, …), as the
    /// JS binding exposes it on `Error.code`.
    pub fn code(&self) -> &'static str {
        match self {
            AllocError::OutOfMemory { .. } => "out-of-memory",
            AllocError::InvalidFree { .. } => "invalid-free",
            AllocError::DoubleFree { .. } => "double-free",
            AllocError::ZeroSize => "zero-size",
            AllocError::BadAlign { .. } => "bad-align",
            AllocError::TooLarge { .. } => "too-large",
            AllocError::OutOfBounds { .. } | AllocError::WriteOutside { .. } => "out-of-bounds",
            AllocError::BadConfig { .. } => "bad-config",
            AllocError::HostMemory { .. } => "host-memory",
            AllocError::BadArgument { .. } => "bad-argument",
        }
    }

    pub(crate) fn bad_config(reason: impl Into<String>) -> Self {
        AllocError::BadConfig {
            reason: reason.into(),
        }
    }
}

impl fmt::Display for AllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AllocError::OutOfMemory {
                requested,
                largest_free,
            } => write!(
                f,
                "out of memory: no free block holds {requested} bytes (largest free block: {largest_free} bytes)"
            ),
            AllocError::InvalidFree { offset } => {
                write!(f, "invalid pointer: offset {offset} is not the start of a live block")
            }
            AllocError::DoubleFree { offset } => {
                write!(
                    f,
                    "double free: offset {offset} is in free memory (freed already, or never handed out)"
                )
            }
            AllocError::ZeroSize => write!(f, "zero-size request: ask for at least 1 byte"),
            AllocError::BadAlign { align } => write!(
                f,
                "bad alignment {align}: it must be a power of two no larger than the arena (in slab mode, one that a size class holding the request is a multiple of)"
            ),
            AllocError::TooLarge { requested, max } => write!(
                f,
                "request of {requested} bytes is too large (at most {max} bytes can be served)"
            ),
            AllocError::OutOfBounds { offset, len } => write!(
                f,
                "out of bounds: {} at offset {offset} {} the arena or the live block",
                bytes(*len),
                if *len == 1 { "leaves" } else { "leave" }
            ),
            AllocError::WriteOutside { len: 0, .. } => {
                write!(f, "out of bounds: a write needs at least 1 byte")
            }
            AllocError::WriteOutside { len, .. } if *len > crate::script::MAX_WRITE => write!(
                f,
                "out of bounds: a write takes at most {} bytes, got {len}",
                crate::script::MAX_WRITE
            ),
            AllocError::WriteOutside {
                offset,
                size,
                at,
                len,
            } => {
                let fit = size.saturating_sub(*at);
                write!(
                    f,
                    "out of bounds: {} at +{at} {} not fit the {size} bytes of the block at offset {offset} ({} there)",
                    bytes(*len),
                    if *len == 1 { "does" } else { "do" },
                    match fit {
                        0 => "no byte fits".to_string(),
                        1 => "1 byte fits".to_string(),
                        n => format!("{n} bytes fit"),
                    }
                )
            }
            AllocError::BadConfig { reason } => write!(f, "bad configuration: {reason}"),
            AllocError::BadArgument { reason } => write!(f, "bad argument: {reason}"),
            AllocError::HostMemory { bytes } => {
                let (n, unit) = if *bytes < 1 << 20 {
                    (bytes.div_ceil(1 << 10), "KiB")
                } else {
                    (bytes.div_ceil(1 << 20), "MiB")
                };
                write!(
                    f,
                    "not enough memory: this may take up to {n} {unit} more, which the module's memory (4 GiB at most) cannot give; nothing was done (dispose of arenas no longer needed, or reload the page)"
                )
            }
        }
    }
}

impl std::error::Error for AllocError {}

/// "1 byte", "2 bytes".
fn bytes(n: usize) -> String {
    if n == 1 {
        "1 byte".into()
    } else {
        format!("{n} bytes")
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = AllocError> = std::result::Result<T, E>;
