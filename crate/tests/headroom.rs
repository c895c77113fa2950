#![cfg(not(target_arch = "wasm32"))]
//! The memory bounds behind `headroom`: in wasm, an allocation that fails
//! aborts the module, so an operation asks beforehand for an upper bound of
//! what it may take, and is refused when that does not fit. Here a counting
//! allocator measures what replays and single ops really take, which must
//! never pass the bound they asked for.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Mutex;

use alloc_playground::script::{self, Op};
use alloc_playground::workload::{self, Rng, Shape, WorkloadConfig};
use alloc_playground::{HeapConfig, ListOrder, Mode, Session};

/// Bytes allocated now, and the most since the last [`measure`].
static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// One measurement at a time (the tests of this file share the counters).
static ONE: Mutex<()> = Mutex::new(());

struct Counting;

fn taken(bytes: usize) {
    let now = NOW.fetch_add(bytes, Relaxed) + bytes;
    PEAK.fetch_max(now, Relaxed);
}

// SAFETY: every call goes straight to `System` with the caller's arguments;
// the counters only watch.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            taken(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            taken(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        NOW.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            // As a new buffer taken before the old one is given back, which
            // is what a wasm allocator may have to do.
            taken(new_size);
            NOW.fetch_sub(layout.size(), Relaxed);
        }
        p
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// Runs `f`; returns its result and the most bytes it held at once beyond
/// what was held before.
fn measure<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let base = NOW.load(Relaxed);
    PEAK.store(base, Relaxed);
    let r = f();
    (r, PEAK.load(Relaxed).saturating_sub(base))
}

/// The sessions the bounds are checked on: every mode, with and without
/// coalescing, a header, a list order.
fn configs() -> Vec<HeapConfig> {
    let mut out = Vec::new();
    for mode in Mode::ALL {
        for (coalesce, header, order) in [
            (true, 0, ListOrder::Address),
            (false, 0, ListOrder::Address),
            (true, 8, ListOrder::Address),
            (true, 0, ListOrder::SizeAscending),
        ] {
            out.push(HeapConfig {
                arena_size: 1 << 18,
                mode,
                coalesce,
                header,
                order,
                ..HeapConfig::default()
            });
        }
    }
    out
}

#[test]
fn a_replay_takes_no_more_memory_than_its_bound() {
    let _one = ONE.lock().unwrap_or_else(|e| e.into_inner());
    for (i, config) in configs().into_iter().enumerate() {
        for (shape, ops) in [
            (Shape::Uniform, 3_000),
            (Shape::SmallBiased, 20_000),
            (Shape::Phased, 5_000),
        ] {
            let text = script::format(
                &workload::generate(&WorkloadConfig {
                    shape,
                    seed: i as u64 + 1,
                    ops,
                    alloc_percent: 60,
                    max_size: 600,
                    min_live: 0,
                })
                .unwrap(),
            );
            // Fresh (read as it runs) and not (parsed first), with switches.
            let mut s = Session::new(config.clone()).unwrap();
            for text in [text.clone(), format!("@best-fit,+24,@slab,+8,{text}")] {
                let bound = s.room_for(script::op_bound(&text), true) + script::parse_room(&text);
                let (r, took) = measure(|| s.replay_text(&text));
                r.unwrap();
                assert!(
                    took <= bound,
                    "{config:?} {shape:?}: took {took} B, bound {bound} B"
                );
            }
        }
    }
}

#[test]
fn a_single_op_takes_no_more_memory_than_its_bound() {
    let _one = ONE.lock().unwrap_or_else(|e| e.into_inner());
    for (i, config) in configs().into_iter().enumerate() {
        let mut s = Session::new(config.clone()).unwrap();
        let mut rng = Rng::new(i as u64 + 7);
        let mut live: Vec<usize> = Vec::new();
        for step in 0..6_000 {
            let pick = rng.range(0, 100);
            let switch = pick >= 98;
            // A write's bytes go into the log besides its entry.
            let data: Vec<u8> = (0..rng.range(1, 65)).map(|i| i as u8).collect();
            let extra = if (86..=89).contains(&pick) {
                data.len()
            } else {
                0
            };
            let bound = s.room_for(1, switch) + extra;
            // (The test's own list of pointers changes outside the measure.)
            let (placed, took) = match pick {
                0..=54 => {
                    let size = rng.range(1, 400);
                    measure(|| s.alloc(size).ok())
                }
                55..=85 if !live.is_empty() => {
                    let p = live.swap_remove(rng.range(0, live.len()));
                    measure(|| {
                        s.free(p).unwrap();
                        None
                    })
                }
                86..=89 if !live.is_empty() => {
                    let p = live[rng.range(0, live.len())];
                    measure(|| {
                        let _ = s.write(p, 0, &data);
                        None
                    })
                }
                90..=97 if !live.is_empty() => {
                    let k = rng.range(0, live.len());
                    let (p, size) = (live.swap_remove(k), rng.range(1, 600));
                    measure(|| Some(s.realloc(p, size).unwrap_or(p)))
                }
                98.. => {
                    let mode = Mode::ALL[rng.range(0, Mode::ALL.len())];
                    measure(|| {
                        s.set_mode(mode);
                        None
                    })
                }
                _ => (None, 0),
            };
            live.extend(placed);
            assert!(
                took <= bound,
                "{config:?}, step {step} (pick {pick}): took {took} B, bound {bound} B"
            );
        }
        assert!(s.log().len() > 1_000);
        s.check_invariants().unwrap();
    }
}

#[test]
fn a_rebuild_takes_no_more_than_a_new_arena_and_its_ops_bound() {
    let _one = ONE.lock().unwrap_or_else(|e| e.into_inner());
    for config in configs() {
        let mut s = Session::new(config.clone()).unwrap();
        // Writes of 4 KiB each, which the log keeps.
        if config.mode != Mode::Slab {
            let p = s.alloc(4096).unwrap();
            for _ in 0..20 {
                s.write(p, 0, &[0xab; 4096]).unwrap();
            }
        }
        let text = script::format(
            &workload::generate(&WorkloadConfig {
                ops: 4_000,
                max_size: 300,
                ..WorkloadConfig::default()
            })
            .unwrap(),
        );
        s.replay_text(&text).unwrap();
        let n = s.log().len();
        let fresh = Session::new(config.clone()).unwrap();
        let bound = config.arena_size
            + (128 << 10)
            + fresh.room_for(n, true)
            + script::write_bytes(s.log());
        drop(fresh);
        let (r, took) = measure(|| s.rebuild(n));
        r.unwrap();
        assert!(took <= bound, "{config:?}: took {took} B, bound {bound} B");
    }
}

#[test]
fn bounds_grow_with_the_ops_and_fit_what_a_text_may_hold() {
    let _one = ONE.lock().unwrap_or_else(|e| e.into_inner());
    let s = Session::new(HeapConfig::default()).unwrap();
    assert!(s.room_for(1_000, false) < s.room_for(100_000, false));
    // One op per separator, and one more.
    assert_eq!(script::op_bound("+8,+8 -0\n+1"), 4);
    assert!(script::parse_room("+8,-0") >= 2 * std::mem::size_of::<Op>());
    // A text that claims more ops than a script may hold is bounded by the limit.
    let commas = ",".repeat(3 * script::MAX_OPS);
    assert_eq!(script::op_bound(&commas), script::MAX_OPS);
}
