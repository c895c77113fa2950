//! Random op sequences over a `Heap` in every mode: no panic, and every
//! invariant holds after every op; errors leave the blocks unchanged.
#![no_main]

use alloc_playground::{Heap, HeapConfig, Mode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let mode = Mode::ALL[data[0] as usize % Mode::ALL.len()];
    let align = 1usize << (data[1] % 5);
    let coalesce = data[2] & 1 == 1;
    let Ok(mut h) = Heap::new(HeapConfig {
        arena_size: 2048,
        mode,
        align,
        coalesce,
        ..HeapConfig::default()
    }) else {
        return;
    };
    let mut live: Vec<usize> = Vec::new();
    for w in data[3..].chunks(3) {
        let [op, x, y] = [w[0], *w.get(1).unwrap_or(&0), *w.get(2).unwrap_or(&0)];
        let before = h.blocks();
        let size = (x as usize) << (y % 4);
        let r = match op % 8 {
            0 | 1 => h.alloc(size).map(|o| live.push(o)),
            2 => h.alloc_aligned(size, 1 << (y % 9)).map(|o| live.push(o)),
            3 => h.alloc_zeroed(size).map(|o| live.push(o)),
            4 | 5 if !live.is_empty() => {
                let off = live.swap_remove(x as usize % live.len());
                h.free(off)
            }
            6 if !live.is_empty() => {
                let k = x as usize % live.len();
                h.realloc(live[k], size).map(|o| live[k] = o)
            }
            7 => h.free(size).map(|_| live.retain(|&o| o != size)),
            _ => {
                h.set_mode(Mode::ALL[y as usize % Mode::ALL.len()]);
                Ok(())
            }
        };
        if r.is_err() {
            assert_eq!(h.blocks(), before, "an error changed the blocks");
        }
        h.check_invariants().unwrap();
    }
});
