//! Profiling aid: parsing 1M ops. `cargo run --release --example parse_speed`
use alloc_playground::script;
use alloc_playground::workload::{generate, Shape, WorkloadConfig};
use std::time::Instant;

fn main() {
    let ops = generate(&WorkloadConfig {
        shape: Shape::Uniform,
        seed: 1,
        ops: 1_000_000,
        alloc_percent: 50,
        max_size: 256,
        min_live: 0,
    })
    .expect("a valid workload");
    let text = script::format(&ops);
    let mut best = f64::MAX;
    for _ in 0..20 {
        let t = Instant::now();
        let s = script::parse(&text).unwrap();
        best = best.min(t.elapsed().as_secs_f64());
        assert_eq!(s.ops.len(), ops.len());
    }
    println!(
        "parse: {:.1} ms per 1M ops (best of 20), {} bytes",
        best * 1e3,
        text.len()
    );
}
