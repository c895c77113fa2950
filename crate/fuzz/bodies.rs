// The fuzz targets' bodies, in one place: `fuzz_targets/*.rs` run them
// under libFuzzer (nightly), and `crate/tests/fuzz_bodies.rs` includes this
// file and runs them on random and grammar-built inputs on stable, in CI.

use alloc_playground::{rep, script, transcript, Heap, HeapConfig, ListOrder, Mode, Session};

/// Random op sequences over a `Heap` in every mode and free list order: no panic, and every
/// invariant holds after every op; errors leave the blocks unchanged.
#[allow(dead_code)]
pub fn ops(data: &[u8]) {
    if data.len() < 3 {
        return;
    }
    let mode = Mode::ALL[data[0] as usize % Mode::ALL.len()];
    let align = 1usize << (data[1] % 5);
    let coalesce = data[2] & 1 == 1;
    // The free list's order from the same byte's other bits.
    let order = ListOrder::ALL[(data[2] >> 1) as usize % ListOrder::ALL.len()];
    // And a header (malloc.py's -H) of 0 to 7 bytes from the byte's top bits.
    let header = (data[2] >> 5) as usize;
    let Ok(mut h) = Heap::new(HeapConfig {
        arena_size: 2048,
        mode,
        align,
        coalesce,
        order,
        header,
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
}

/// Arbitrary text through the op-list and `.rep` parsers and a replay: no
/// panic; a parsed op list formats and parses back to the same ops; a
/// replay leaves the invariants intact, and a refused one changes nothing.
#[allow(dead_code)]
pub fn parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(s) = script::parse(text) {
        assert_eq!(script::parse(&script::format(&s.ops)).unwrap().ops, s.ops);
        let mut session = Session::new(HeapConfig::default()).unwrap();
        session.replay(&script::parse("+8,+16,-0").unwrap()).unwrap();
        let state = |s: &Session| {
            let blocks = s.heap().blocks();
            let bytes = s.heap().read(0, s.heap().config().arena_size).unwrap().to_vec();
            (blocks, bytes, s.log().to_vec(), s.ptrs().to_vec(), s.failed_ops().to_vec(), s.heap().stats())
        };
        let before = state(&session);
        match session.replay(&s) {
            Ok(_) => session.check_invariants().unwrap(),
            // Nothing changed: blocks, bytes, log, pointers, failures, statistics.
            Err(_) => assert!(state(&session) == before, "a refused replay changed the session"),
        }
    }
    // A malloc.py command line: its settings build a heap or say why not,
    // and its ops run there.
    if let Ok(run) = transcript::parse_command(text) {
        if let Ok(mut session) = Session::new(run.heap_config()) {
            if let Ok(s) = script::parse(&run.ops) {
                if session.replay(&s).is_ok() {
                    session.check_invariants().unwrap();
                }
            }
        }
    }
    if let Ok(t) = rep::parse(text) {
        let mut session = Session::new(HeapConfig {
            arena_size: 1 << 20,
            ..HeapConfig::default()
        })
        .unwrap();
        if session.replay(&t.script).is_ok() {
            session.check_invariants().unwrap();
        }
    }
}
