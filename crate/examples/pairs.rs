//! Profiling aid: alloc+free pairs over N holes. `cargo run --release --example pairs -- N`
use alloc_playground::{Config, FreeListAllocator, Strategy};
use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(16);
    let strategy = match std::env::args().nth(2).as_deref() {
        Some("next") => Strategy::NextFit,
        Some("best") => Strategy::BestFit,
        Some("worst") => Strategy::WorstFit,
        _ => Strategy::FirstFit,
    };
    let mut a = FreeListAllocator::new(Config {
        header: 0,
        arena_size: 64 << 20,
        strategy,
        align: 8,
        coalesce: true,
    })
    .unwrap();
    let offs: Vec<usize> = (0..2 * n + 1).map(|_| a.alloc(32).unwrap()).collect();
    for k in 0..n {
        a.free(offs[2 * k + 1]).unwrap();
    }
    let pairs = 5_000_000;
    let t = Instant::now();
    for _ in 0..pairs {
        let o = a.alloc(std::hint::black_box(512)).unwrap();
        a.free(o).unwrap();
    }
    println!(
        "{strategy}: {:.1} ns/pair at {n} holes",
        t.elapsed().as_nanos() as f64 / pairs as f64
    );
}
