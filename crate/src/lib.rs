//! # alloc-playground
//!
//! A teaching memory allocator over a fixed arena of real bytes, with block
//! metadata kept outside it:
//!
//! - [`FreeListAllocator`]: splits free blocks at the front, coalesces
//!   neighbours by address, and places requests by first, next, best or worst
//!   fit ([`Strategy`]), reproducing OSTEP's `malloc.py -l ADDRSORT` exactly;
//!   alignment, `realloc` and `calloc` included. Under the address order (the
//!   default) alloc, free and realloc are O(log n), but for an aligned request
//!   under best or worst fit (a scan); under `malloc.py`'s other list orders, O(n).
//! - [`SlabAllocator`]: 16/32/64-byte (configurable) classes in slabs carved
//!   from the arena.
//! - [`Heap`]: both over one arena, switchable at any time (what the
//!   playground drives).
//! - [`Stats`]: external (and L2) fragmentation, internal fragmentation, peaks.
//! - [`script`], [`rep`], [`workload`], [`Session`]: OSTEP op lists (`+10,-0`),
//!   CS:APP `.rep` traces, seeded workloads, and replay.
//!
//! Nothing is zeroed on alloc or free (calloc is the exception) and no block
//! ever moves (only `realloc` may return a new offset): an offset stays valid
//! until it is freed.
//!
//! ```
//! use alloc_playground::{Block, Config, FreeListAllocator, Strategy};
//! let mut a = FreeListAllocator::new(Config { arena_size: 100, strategy: Strategy::BestFit, align: 1, coalesce: true, header: 0 })?;
//! let off: usize = a.alloc(10)?;
//! a.free(off)?;
//! a.set_strategy(Strategy::FirstFit);
//! let n: usize = a.last_searched();
//! for b in a.blocks() { let _ = (b.offset, b.size, b.free); }
//! # Ok::<(), alloc_playground::AllocError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod arena;
mod block;
mod error;
pub mod explain;
mod free_list;
mod free_tree;
mod fxhash;
pub mod headroom;
mod heap;
mod offset_map;
mod pyrandom;
pub mod rep;
pub mod script;
mod session;
mod size_index;
mod slab;
mod stats;
mod strategy;
pub mod transcript;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
pub mod workload;

pub use arena::{Arena, MAX_ARENA};
pub use block::Block;
pub use error::{AllocError, Result};
pub use free_list::{align_dividing, Config, FreeListAllocator};
pub use heap::{Heap, HeapConfig, Mode, SlabAllocator, SlabConfig};
pub use session::{
    compare, first_fit_arena, sbrk_arena, CompareError, CompareRun, Comparer, Comparison, Peaks,
    Ptr, ReplayReport, Sample, Session, Snapshot,
};
pub use slab::{fit_to_align, DEFAULT_CLASSES, DEFAULT_SLAB_SIZE, MAX_CLASSES};
pub use stats::Stats;
pub use strategy::{ListOrder, Strategy};
