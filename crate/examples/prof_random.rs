//! Profiling aid: talc's random actions (the bench's first section) on
//! `FreeListAllocator` alone, for `cachegrind`/`perf` and quick A/B timings.
//! `cargo run --release --example prof_random -- first|next|best|worst|talc|null [max] [ops]`
//!
//! `talc` runs talc 5.1 (the bench's peer) on the same ops; `null` runs the
//! loop over a bump counter, so that its own cost can be subtracted. Counted
//! with `valgrind --tool=cachegrind`, the difference between `ops` and 1 op
//! gives instructions per op (see BENCHMARKS.md, twenty-first session).
#[cfg(not(target_arch = "wasm32"))]
use alloc_playground::{workload::Rng, Config, FreeListAllocator, Strategy};
#[cfg(not(target_arch = "wasm32"))]
use std::time::Instant;

// (Native only: talc is a native dev-dependency.)
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let name = args.first().map_or("first", String::as_str);
    // `null`: the same loop over a bump counter, to subtract the loop's own cost.
    // `talc`: talc 5.1 (the bench's peer) in the same loop.
    let (null, talc) = (name == "null", name == "talc");
    let strategy: Strategy = if null || talc {
        Strategy::FirstFit
    } else {
        name.parse().expect("a strategy")
    };
    let max: usize = args.get(1).map_or(200, |s| s.parse().expect("max"));
    let n: usize = args.get(2).map_or(1_000_000, |s| s.parse().expect("ops"));
    let mut rng = Rng::new(0x5EED_A110C);
    let size = |rng: &mut Rng| {
        let cap = rng.range(16, max.max(17));
        rng.range(4, cap.max(5))
    };
    // (alloc?, size or index into the live list) pre-generated, so the loop
    // times the allocator.
    let mut live_n = 300usize;
    let ops: Vec<(bool, usize)> = (0..n)
        .map(|_| {
            if rng.next_u64() & 1 == 0 || live_n <= 300 {
                live_n += 1;
                (true, size(&mut rng))
            } else {
                let k = rng.range(0, live_n);
                live_n -= 1;
                (false, k)
            }
        })
        .collect();
    let mut a = FreeListAllocator::new(Config {
        arena_size: 64 << 20,
        strategy,
        align: 8,
        coalesce: true,
        header: 0,
    })
    .expect("valid config");
    if talc {
        return run_talc(&ops, (0..300).map(|_| size(&mut rng)).collect());
    }
    let mut live: Vec<usize> = (0..300)
        .map(|_| a.alloc(size(&mut rng)).expect("room"))
        .collect();
    let t = Instant::now();
    let mut bump = 0usize;
    for &(is_alloc, x) in &ops {
        if null {
            if is_alloc {
                bump += x;
                live.push(std::hint::black_box(bump));
            } else {
                std::hint::black_box(live.swap_remove(x));
            }
            continue;
        }
        if is_alloc {
            live.push(a.alloc(x).expect("room"));
        } else {
            let p = live.swap_remove(x);
            a.free(p).expect("live");
        }
    }
    let d = t.elapsed();
    println!(
        "{} max {max}: {:.1} ns/op over {n} ops, {} free blocks at the end",
        if null { "null" } else { strategy.name() },
        d.as_nanos() as f64 / n as f64,
        a.free_block_count()
    );
}

#[cfg(not(target_arch = "wasm32"))]
/// The same loop on talc over a 64 MiB buffer (sizes travel with the live
/// pointers, as talc needs the layout back).
fn run_talc(ops: &[(bool, usize)], warm: Vec<usize>) {
    use std::alloc::Layout;
    use talc::base::Talc;
    use talc::source::Manual;
    use talc::DefaultBinning;
    let layout = |s: usize| Layout::from_size_align(s, 8).expect("a layout");
    let mut mem = vec![0u128; (64 << 20) / 16 + 4096];
    let mut t: Talc<Manual, DefaultBinning> = Talc::new(Manual);
    // SAFETY: `mem` outlives `t` and is not touched otherwise.
    unsafe { t.claim(mem.as_mut_ptr().cast(), mem.len() * 16) }.expect("claim");
    let alloc = |t: &mut Talc<Manual, DefaultBinning>, s: usize| {
        // SAFETY: s > 0.
        (unsafe { t.allocate(layout(s)) }.expect("room"), s)
    };
    let mut live: Vec<_> = warm.into_iter().map(|s| alloc(&mut t, s)).collect();
    let start = Instant::now();
    for &(is_alloc, x) in ops {
        if is_alloc {
            live.push(alloc(&mut t, x));
        } else {
            let (p, s) = live.swap_remove(x);
            // SAFETY: p came from `t` with this size.
            unsafe { t.deallocate(p.as_ptr(), layout(s)) };
        }
    }
    let d = start.elapsed();
    println!(
        "talc: {:.1} ns/op over {} ops",
        d.as_nanos() as f64 / ops.len() as f64,
        ops.len()
    );
}
