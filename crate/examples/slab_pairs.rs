//! Profiling aid: slab alloc+free pairs over 300 live chunks. `cargo run --release --example slab_pairs`
use alloc_playground::{SlabAllocator, SlabConfig};
use std::time::Instant;

fn main() {
    let mut s = SlabAllocator::new(SlabConfig {
        arena_size: 64 << 20,
        ..SlabConfig::default()
    })
    .unwrap();
    let mut live: Vec<usize> = (0..300).map(|k| s.alloc(4 + k % 60).unwrap()).collect();
    // One free chunk in a slab of every class, so that pairs do not carve.
    for k in [0, 20, 40] {
        s.free(live.swap_remove(k)).unwrap();
    }
    let pairs = 20_000_000;
    let t = Instant::now();
    for k in 0..pairs {
        let o = s.alloc(std::hint::black_box(4 + (k & 15) * 3)).unwrap();
        s.free(o).unwrap();
    }
    println!(
        "slab: {:.2} ns/pair ({} live)",
        t.elapsed().as_nanos() as f64 / pairs as f64,
        live.len()
    );
}
