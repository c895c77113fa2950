//! Replay time under each free-list order (malloc.py's -l), natively: the
//! orders other than by address walk the list on every op.
//! `cargo run --release --example list_orders -- [ops] [shape]`
use alloc_playground::workload::{generate, Shape, WorkloadConfig};
use alloc_playground::{script, HeapConfig, ListOrder, Mode, Session};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let ops: usize = args
        .next()
        .map_or(100_000, |a| a.parse().expect("a number of ops"));
    let shape = match args.next().as_deref() {
        Some("uniform") => Shape::Uniform,
        Some("small") => Shape::SmallBiased,
        _ => Shape::Phased,
    };
    let ops = generate(&WorkloadConfig {
        shape,
        seed: 1,
        ops,
        alloc_percent: 55,
        max_size: 1024,
        min_live: 0,
    })
    .expect("a valid workload");
    let s = script::Script::from_ops(ops);
    for order in ListOrder::ALL {
        for coalesce in [true, false] {
            let mut session = Session::new(HeapConfig {
                arena_size: 1 << 24,
                mode: Mode::FirstFit,
                order,
                coalesce,
                ..HeapConfig::default()
            })
            .unwrap();
            let t = Instant::now();
            session.replay(&s).unwrap();
            let st = session.heap().stats();
            println!(
                "{order:?} coalesce={coalesce}: {:.1} ms ({} free blocks at the end, {} failed)",
                t.elapsed().as_secs_f64() * 1e3,
                st.free_blocks,
                st.failed_allocs
            );
        }
    }
}
