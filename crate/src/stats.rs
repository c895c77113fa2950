//! Fragmentation statistics.

/// A summary of an allocator's state. Every field can be recomputed from the
/// block list; `check_invariants()` does exactly that.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// Size of the arena in bytes.
    pub arena_size: usize,
    /// Bytes in used blocks (slab chunks count their class size; a slab's
    /// unusable tail counts as used).
    pub used_bytes: usize,
    /// Bytes in free blocks and free slab chunks. When the heap grows with
    /// `sbrk`, this and the figures below that count free blocks (their
    /// number, the largest, both fragmentations) are the heap's: the bytes
    /// above its high-water mark are not part of it yet.
    pub free_bytes: usize,
    /// Bytes the user asked for in the live blocks.
    pub requested_bytes: usize,
    /// Size of the largest free block (free-list blocks only).
    pub largest_free: usize,
    /// Number of free blocks: free-list blocks plus free slab chunks.
    pub free_blocks: usize,
    /// Number of used blocks (slab chunks each count as one).
    pub used_blocks: usize,
    /// External fragmentation `1 − largest_free / F`, where `F` is the free
    /// bytes of the free list; 0 when nothing is free.
    pub external_fragmentation: f64,
    /// Its L2 form `1 − sqrt(Σ fᵢ²) / F`; 0 when nothing is free.
    pub l2_fragmentation: f64,
    /// Internal fragmentation in bytes: granted − requested over live blocks.
    pub internal_fragmentation: usize,
    /// `requested_bytes / arena_size`; with `sbrk`, `/ high_water` (the heap).
    pub utilization: f64,
    /// The most bytes in used blocks after any op (a realloc that moves a
    /// block counts it once, as CS:APP's driver measures).
    pub peak_used: usize,
    /// The most requested bytes live after any op (measured as `peak_used`).
    pub peak_requested: usize,
    /// One past the highest byte ever handed out (like a heap's `brk`, it never
    /// goes down).
    pub high_water: usize,
    /// `peak_requested / high_water` (CS:APP's peak utilization; 0 before any
    /// allocation).
    pub peak_utilization: f64,
    /// Allocation requests that failed for lack of memory.
    pub failed_allocs: u64,
    /// Free blocks the strategy examined for the last allocation request.
    pub last_searched: usize,
    /// The largest request that would succeed now.
    pub largest_request: usize,
    /// Free slab chunks (counted in `free_blocks`; 0 without slabs). They
    /// serve only their class, so the fragmentation figures leave them out.
    pub free_chunks: usize,
    /// Bytes in free slab chunks (counted in `free_bytes`, not in the `F` of
    /// the fragmentation figures).
    pub chunk_free_bytes: usize,
    /// Blocks in the free list: `free_blocks − free_chunks`.
    pub list_free_blocks: usize,
    /// Bytes in the free list's blocks: `free_bytes − chunk_free_bytes`, the
    /// `F` of the fragmentation figures.
    pub list_free_bytes: usize,
}

/// `1 − largest / free`, or 0 when nothing is free.
pub(crate) fn external(largest: usize, free: usize) -> f64 {
    if free == 0 {
        0.0
    } else {
        1.0 - largest as f64 / free as f64
    }
}

/// `1 − sqrt(sum_sq) / free`, or 0 when nothing is free.
pub(crate) fn l2(sum_sq: u64, free: usize) -> f64 {
    if free == 0 {
        0.0
    } else {
        (1.0 - (sum_sq as f64).sqrt() / free as f64).max(0.0)
    }
}

/// `num / den`, or 0 when `den` is 0.
pub(crate) fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}
