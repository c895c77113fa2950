#![cfg(not(target_arch = "wasm32"))]
//! The native core's results for a seeded random op sequence, per mode, kept
//! in `tests/golden/random_ops.txt`. This test recomputes them natively and
//! fails if the file is stale (`UPDATE_GOLDEN=1 cargo test --test golden`
//! rewrites it); the wasm-bindgen suite (`tests/web.rs`) replays the same
//! file through the JS binding in Chromium and must get the same results.

use alloc_playground::workload::Rng;
use alloc_playground::{HeapConfig, Mode, Session};

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/random_ops.txt");

fn result(r: &alloc_playground::Result<usize>) -> String {
    match r {
        Ok(o) => o.to_string(),
        Err(e) => e.code().to_string(),
    }
}

fn generate() -> String {
    let mut out =
        String::from("# mode op args => result (offset or error code); see tests/golden.rs\n");
    for mode in Mode::ALL {
        let mut s = Session::new(HeapConfig {
            arena_size: 4096,
            mode,
            align: 8,
            coalesce: true,
            ..HeapConfig::default()
        })
        .unwrap();
        let mut rng = Rng::new(42);
        let mut live: Vec<usize> = Vec::new();
        for _ in 0..600 {
            let r = rng.range(0, 100);
            let line = if r < 45 || live.is_empty() {
                let size = rng.range(1, if mode == Mode::Slab { 80 } else { 300 });
                let res = s.alloc(size);
                if let Ok(o) = res {
                    live.push(o);
                }
                format!("alloc {size} => {}", result(&res))
            } else if r < 50 {
                let size = rng.range(1, 200);
                let align = 1 << rng.range(3, 8);
                let res = s.alloc_aligned(size, align);
                if let Ok(o) = res {
                    live.push(o);
                }
                format!("allocAligned {size} {align} => {}", result(&res))
            } else if r < 53 {
                let size = rng.range(1, 100);
                let res = s.calloc(size);
                if let Ok(o) = res {
                    live.push(o);
                }
                format!("calloc {size} => {}", result(&res))
            } else if r < 85 {
                let off = live.swap_remove(rng.range(0, live.len()));
                format!("free {off} => {}", result(&s.free(off).map(|_| 0)))
            } else if r < 95 {
                let k = rng.range(0, live.len());
                let size = rng.range(1, 400);
                let res = s.realloc(live[k], size);
                let line = format!("realloc {} {size} => {}", live[k], result(&res));
                if let Ok(o) = res {
                    live[k] = o;
                }
                line
            } else {
                let off = rng.range(0, 4200);
                let res = s.free(off).map(|_| 0);
                if res.is_ok() {
                    live.retain(|&o| o != off);
                }
                format!("free {off} => {}", result(&res))
            };
            out.push_str(&format!("{mode} {line}\n"));
        }
        let blocks: Vec<String> = s
            .heap()
            .blocks()
            .iter()
            .map(|b| format!("{}:{}:{}", b.offset, b.size, if b.free { "f" } else { "u" }))
            .collect();
        out.push_str(&format!("{mode} blocks => {}\n", blocks.join(" ")));
    }
    out
}

#[test]
fn golden_file_matches_the_native_core() {
    let now = generate();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(PATH, &now).unwrap();
    }
    let stored =
        std::fs::read_to_string(PATH).expect("golden file exists (UPDATE_GOLDEN=1 to create)");
    assert!(
        stored == now,
        "tests/golden/random_ops.txt is stale: run UPDATE_GOLDEN=1 cargo test --test golden"
    );
    assert!(now.lines().count() > 3000);
    for code in ["out-of-memory", "invalid-free", "double-free"] {
        assert!(now.contains(code), "the sequence exercises {code}");
    }
}
