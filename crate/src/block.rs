//! What a block looks like from outside: the view [`crate::FreeListAllocator::blocks`]
//! and [`crate::Heap::blocks`] yield. The bookkeeping itself lives outside the
//! arena bytes, in the allocators.

/// One block of the arena, as observed. Blocks tile the arena in address order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Block {
    /// Offset of the first byte in the arena.
    pub offset: usize,
    /// Size in bytes (a multiple of the granularity, or the class size of a chunk).
    pub size: usize,
    /// Whether the block is free.
    pub free: bool,
    /// Bytes the user asked for (0 for a free block); `size - requested` is the
    /// block's internal fragmentation.
    pub requested: usize,
    /// Number of the allocation request that created the block (`None` when
    /// free, and for a slab's unusable tail: the bytes after its last
    /// chunk, too few for one, which are used but by no request). Requests are numbered from 0, failed ones included, so in an
    /// OSTEP op list the block with `seq == k` is `ptr[k]`.
    pub seq: Option<u64>,
    /// Size class of a slab chunk; `None` for an ordinary block.
    pub class: Option<usize>,
    /// A free block that was left in front of an aligned allocation.
    pub padding: bool,
}

impl Block {
    /// One past the last byte.
    pub fn end(&self) -> usize {
        self.offset + self.size
    }
}
