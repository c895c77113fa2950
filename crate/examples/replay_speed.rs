//! Where the time of a 1M-op replay goes (parse, validate, run), natively.
//! `cargo run --release --example replay_speed`
use alloc_playground::workload::{generate, Shape, WorkloadConfig};
use alloc_playground::{script, HeapConfig, Mode, Session};
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
    for mode in Mode::ALL {
        let t = Instant::now();
        let s = script::parse(&text).unwrap();
        let parse = t.elapsed();
        let session = Session::new(HeapConfig {
            arena_size: 1 << 24,
            mode,
            ..HeapConfig::default()
        })
        .unwrap();
        let t = Instant::now();
        session.validate(&s).unwrap();
        let validate = t.elapsed();
        let mut session = Session::new(HeapConfig {
            arena_size: 1 << 24,
            mode,
            ..HeapConfig::default()
        })
        .unwrap();
        let t = Instant::now();
        session.replay(&s).unwrap();
        let total = t.elapsed();
        // The heap alone: no validation, no log, a plain pointer table.
        let mut heap = alloc_playground::Heap::new(HeapConfig {
            arena_size: 1 << 24,
            mode,
            ..HeapConfig::default()
        })
        .unwrap();
        let mut ptrs: Vec<Option<usize>> = Vec::with_capacity(s.ops.len());
        let t = Instant::now();
        for op in &s.ops {
            match *op {
                script::Op::Alloc { size } => ptrs.push(heap.alloc(size).ok()),
                script::Op::Free { ptr } => {
                    if let Some(o) = ptrs[ptr].take() {
                        heap.free(o).unwrap();
                    }
                }
                _ => unreachable!(),
            }
        }
        let heap_only = t.elapsed();
        println!("{mode}: heap alone {heap_only:?}");
        println!("{mode}: parse {parse:?}, validate {validate:?}, validate+run {total:?} → {:.1} M ops/s end to end", 1.0 / (parse + total).as_secs_f64());
    }
}

/// The heap alone, without the session's log and pointer table.
#[allow(dead_code)]
fn heap_only() {}
