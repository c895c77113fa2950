//! Profiling aid: first fit on the heap alone, 5M ops. `cargo run --release --example heap_ff`
use alloc_playground::script::Op;
use alloc_playground::workload::{generate, Shape, WorkloadConfig};
use alloc_playground::{Heap, HeapConfig, Mode};
use std::time::Instant;

fn main() {
    let mode = match std::env::args().nth(1).as_deref() {
        Some("best") => Mode::BestFit,
        Some("next") => Mode::NextFit,
        _ => Mode::FirstFit,
    };
    let ops = generate(&WorkloadConfig {
        shape: Shape::Uniform,
        seed: 1,
        ops: 5_000_000,
        alloc_percent: 50,
        max_size: 256,
        min_live: 0,
    })
    .expect("a valid workload");
    let mut heap = Heap::new(HeapConfig {
        arena_size: 1 << 24,
        mode,
        ..HeapConfig::default()
    })
    .unwrap();
    let mut ptrs: Vec<Option<usize>> = Vec::with_capacity(ops.len());
    let t = Instant::now();
    let mut max_free = 0;
    for (i, op) in ops.iter().enumerate() {
        match *op {
            Op::Alloc { size } => ptrs.push(heap.alloc(size).ok()),
            Op::Free { ptr } => {
                if let Some(o) = ptrs[ptr].take() {
                    heap.free(o).unwrap();
                }
            }
            _ => unreachable!(),
        }
        if i % 100_000 == 0 {
            max_free = max_free.max(heap.free_list_allocator().free_block_count());
        }
    }
    let s = heap.stats();
    println!(
        "{mode}: {:.1} ns/op; live {} used blocks, {} free blocks (max seen {max_free})",
        t.elapsed().as_nanos() as f64 / ops.len() as f64,
        s.used_blocks,
        s.free_blocks
    );
}
