#![cfg(target_arch = "wasm32")]
//! The binding in headless Chromium (`wasm-pack test --headless --chrome`):
//! every export, every error code, the arena unchanged after an error, and a
//! seeded random op sequence whose results must equal the native core's
//! (`tests/golden/random_ops.txt`, checked natively by `tests/golden.rs`).

use alloc_playground::wasm::{self, Arena};
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

fn get(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &k.into()).unwrap()
}

fn num(v: &JsValue, k: &str) -> f64 {
    get(v, k)
        .as_f64()
        .unwrap_or_else(|| panic!("{k} is a number"))
}

fn code(e: JsValue) -> String {
    assert!(
        e.is_instance_of::<js_sys::Error>(),
        "errors are JS Error objects"
    );
    get(&e, "code").as_string().expect("error has a code")
}

fn arena(size: u32, strategy: &str, align: u32, coalesce: bool) -> Arena {
    Arena::new(obj(&[
        ("size", size.into()),
        ("strategy", strategy.into()),
        ("align", align.into()),
        ("coalesce", coalesce.into()),
    ]))
    .unwrap()
}

fn state(a: &Arena) -> (Vec<u32>, Vec<u8>) {
    let size = num(&a.snapshot().unwrap(), "arenaSize") as u32;
    (
        a.blocks_packed().unwrap().to_vec(),
        a.read(0.into(), size.into()).unwrap().to_vec(),
    )
}

#[wasm_bindgen_test]
fn alloc_free_and_snapshot_match() {
    let mut a = arena(100, "best-fit", 1, true);
    let p = a.alloc(10.into()).unwrap();
    assert_eq!(p, 0.0);
    let q = a.alloc(20.into()).unwrap();
    assert_eq!(q, 10.0);
    a.release(p.into()).unwrap();
    let snap = a.snapshot().unwrap();
    assert_eq!(num(&snap, "arenaSize"), 100.0);
    assert_eq!(get(&snap, "strategy").as_string().unwrap(), "best-fit");
    assert_eq!(num(&snap, "align"), 1.0);
    assert_eq!(get(&snap, "coalesce").as_bool(), Some(true));
    let blocks: Array = get(&snap, "blocks").dyn_into().unwrap();
    assert_eq!(blocks.length(), 3);
    let b1 = blocks.get(1);
    assert_eq!(num(&b1, "offset"), 10.0);
    assert_eq!(num(&b1, "size"), 20.0);
    assert_eq!(get(&b1, "free").as_bool(), Some(false));
    assert_eq!(num(&b1, "requested"), 20.0);
    assert_eq!(num(&b1, "seq"), 1.0);
    assert!(
        get(&blocks.get(0), "seq").is_null(),
        "a free block has seq null"
    );
    let stats = get(&snap, "stats");
    assert_eq!(num(&stats, "usedBytes"), 20.0);
    assert_eq!(num(&stats, "freeBytes"), 80.0);
    assert_eq!(num(&stats, "largestFree"), 70.0);
    assert!((num(&stats, "externalFragmentation") - (1.0 - 70.0 / 80.0)).abs() < 1e-12);
    assert_eq!(num(&snap, "lastSearched"), 1.0);
    // JSON-compatible: a round trip through JSON.stringify keeps everything.
    let json = js_sys::JSON::stringify(&snap).unwrap().as_string().unwrap();
    assert!(json.contains("\"externalFragmentation\""));
    a.check_invariants().unwrap();
}

#[wasm_bindgen_test]
fn packed_blocks_agree_with_snapshot() {
    let mut a = arena(1024, "first-fit", 8, true);
    let p = a.alloc(24.into()).unwrap();
    a.alloc_aligned(10.into(), 64.into()).unwrap();
    a.release(p.into()).unwrap();
    let packed = a.blocks_packed().unwrap().to_vec();
    let blocks: Array = get(&a.snapshot().unwrap(), "blocks").dyn_into().unwrap();
    assert_eq!(packed.len() as u32, blocks.length() * 6);
    for (i, b) in blocks.iter().enumerate() {
        assert_eq!(packed[i * 6] as f64, num(&b, "offset"));
        assert_eq!(packed[i * 6 + 1] as f64, num(&b, "size"));
        assert_eq!(
            packed[i * 6 + 4] & 1 == 1,
            get(&b, "free").as_bool().unwrap()
        );
        assert_eq!(
            packed[i * 6 + 4] & 2 == 2,
            get(&b, "padding").as_bool().unwrap()
        );
    }
}

#[wasm_bindgen_test]
fn realloc_calloc_aligned_write_and_read() {
    let mut a = arena(256, "first-fit", 8, true);
    let p = a.alloc(16.into()).unwrap();
    a.write(
        p.into(),
        Uint8Array::from(&[1u8, 2, 3, 4][..]).into(),
        0.into(),
    )
    .unwrap();
    assert_eq!(
        a.read(p.into(), 4.into()).unwrap().to_vec(),
        vec![1, 2, 3, 4]
    );
    // The zeroing contract: free and alloc again: the bytes are still there.
    a.release(p.into()).unwrap();
    let q = a.alloc(16.into()).unwrap();
    assert_eq!(q, p);
    assert_eq!(
        a.read(q.into(), 4.into()).unwrap().to_vec(),
        vec![1, 2, 3, 4]
    );
    a.release(q.into()).unwrap();
    let z = a.calloc(16.into()).unwrap();
    assert_eq!(
        a.read(z.into(), 4.into()).unwrap().to_vec(),
        vec![0, 0, 0, 0]
    );
    a.write(
        z.into(),
        Uint8Array::from(&[9u8; 16][..]).into(),
        JsValue::UNDEFINED,
    )
    .unwrap();
    let blocker = a.alloc(8.into()).unwrap();
    let moved = a.realloc(z.into(), 64.into()).unwrap();
    assert_ne!(moved, z, "grows by moving when the next block is used");
    assert_eq!(
        a.read(moved.into(), 16.into()).unwrap().to_vec(),
        vec![9u8; 16]
    );
    let al = a.alloc_aligned(8.into(), 128.into()).unwrap();
    assert_eq!(al as u32 % 128, 0);
    a.release(blocker.into()).unwrap();
    a.check_invariants().unwrap();
}

#[wasm_bindgen_test]
fn strategy_and_coalesce_properties() {
    let mut a = arena(128, "first-fit", 8, false);
    assert_eq!(a.strategy(), "first-fit");
    for s in ["next-fit", "best-fit", "worst-fit", "slab", "first-fit"] {
        a.set_strategy(s.into()).unwrap();
        assert_eq!(a.strategy(), s);
    }
    assert_eq!(
        code(a.set_strategy("fastest".into()).unwrap_err()),
        "bad-argument"
    );
    let x = a.alloc(8.into()).unwrap();
    let y = a.alloc(8.into()).unwrap();
    a.alloc(8.into()).unwrap();
    a.release(x.into()).unwrap();
    a.release(y.into()).unwrap();
    assert!(!a.coalesce());
    assert_eq!(
        get(&a.snapshot().unwrap(), "stats")
            .dyn_ref::<Object>()
            .map(|s| num(s, "freeBlocks")),
        Some(3.0)
    );
    assert_eq!(a.merge_all().unwrap(), 1.0);
    a.set_coalesce(true.into()).unwrap();
    assert!(a.coalesce());
    assert_eq!(code(a.set_coalesce(1.into()).unwrap_err()), "bad-argument");
}

#[wasm_bindgen_test]
fn every_error_code_leaves_the_arena_unchanged() {
    let mut a = arena(256, "first-fit", 8, true);
    let p = a.alloc(40.into()).unwrap();
    a.write(p.into(), Uint8Array::from(&[7u8; 40][..]).into(), 0.into())
        .unwrap();
    let q = a.alloc(40.into()).unwrap();
    a.release(q.into()).unwrap();
    let before = state(&a);
    type Case = (&'static str, Box<dyn Fn(&mut Arena) -> Result<(), JsValue>>);
    let cases: Vec<Case> = vec![
        (
            "out-of-memory",
            Box::new(|a| a.alloc(1000.into()).map(drop)),
        ),
        ("invalid-free", Box::new(|a| a.release(8.into()))),
        ("double-free", Box::new(|a| a.release(48.into()))),
        ("zero-size", Box::new(|a| a.alloc(0.into()).map(drop))),
        (
            "bad-align",
            Box::new(|a| a.alloc_aligned(8.into(), 3.into()).map(drop)),
        ),
        (
            "out-of-bounds",
            Box::new(|a| a.write(0.into(), Uint8Array::new_with_length(41).into(), 0.into())),
        ),
        (
            "out-of-memory",
            Box::new(|a| a.realloc(0.into(), 4000.into()).map(drop)),
        ),
        (
            "invalid-free",
            Box::new(|a| a.realloc(4.into(), 8.into()).map(drop)),
        ),
        ("bad-argument", Box::new(|a| a.alloc("12".into()).map(drop))),
        ("bad-argument", Box::new(|a| a.alloc((-1).into()).map(drop))),
        ("bad-argument", Box::new(|a| a.alloc(1.5.into()).map(drop))),
        (
            "bad-argument",
            Box::new(|a| a.alloc(f64::NAN.into()).map(drop)),
        ),
        (
            "bad-argument",
            Box::new(|a| a.alloc(2f64.powi(40).into()).map(drop)),
        ),
        (
            "bad-argument",
            Box::new(|a| a.alloc(JsValue::UNDEFINED).map(drop)),
        ),
        ("bad-argument", Box::new(|a| a.release(JsValue::NULL))),
        (
            "bad-argument",
            Box::new(|a| a.write(0.into(), "hi".into(), 0.into())),
        ),
        (
            "bad-argument",
            Box::new(|a| {
                a.write(
                    0.into(),
                    Array::of2(&1.into(), &256.into()).into(),
                    0.into(),
                )
            }),
        ),
        (
            "bad-argument",
            Box::new(|a| a.write(0.into(), Array::of1(&1.5.into()).into(), 0.into())),
        ),
        (
            "out-of-bounds",
            Box::new(|a| a.write(0.into(), Array::new().into(), 0.into())),
        ),
        (
            "bad-argument",
            Box::new(|a| a.read((-5).into(), 2.into()).map(drop)),
        ),
        (
            "out-of-bounds",
            Box::new(|a| a.read(250.into(), 10.into()).map(drop)),
        ),
        ("bad-script", Box::new(|a| a.replay(b"+8,\n-99").map(drop))),
        ("bad-script", Box::new(|a| a.replay(b"+8,+x").map(drop))),
    ];
    for (want, f) in cases {
        let e = f(&mut a).unwrap_err();
        let msg = get(&e, "message").as_string().unwrap();
        assert_eq!(code(e), want, "{msg}");
        assert!(!msg.is_empty());
        assert_eq!(state(&a), before, "arena changed after a {want} error");
        a.check_invariants().unwrap();
    }
    // Slab mode adds too-large.
    a.set_strategy("slab".into()).unwrap();
    let before = state(&a);
    assert_eq!(code(a.alloc(65.into()).unwrap_err()), "too-large");
    assert_eq!(state(&a), before);
    // bad-config from the constructor.
    for opts in [
        obj(&[("size", 0.into())]),
        obj(&[("size", 100.into()), ("align", 3.into())]),
        obj(&[("size", 100.into()), ("align", 8.into())]),
        obj(&[("strategy", "fastest".into())]),
    ] {
        assert_eq!(code(Arena::new(opts).err().unwrap()), "bad-config");
    }
    assert_eq!(
        code(Arena::new(obj(&[("size", "1024".into())])).err().unwrap()),
        "bad-argument"
    );
    assert_eq!(
        code(
            Arena::new(obj(&[("coalesce", "yes".into())]))
                .err()
                .unwrap()
        ),
        "bad-argument"
    );
}

#[wasm_bindgen_test]
fn replay_log_rebuild_and_ptrs() {
    let mut a = arena(100, "first-fit", 1, true);
    let r = a.replay(b"+10,+20,-0,+5").unwrap();
    assert_eq!(num(&r, "ops"), 4.0);
    assert_eq!(num(&r, "allocs"), 3.0);
    assert_eq!(num(&r, "frees"), 1.0);
    assert_eq!(a.log().unwrap(), "+10,+20,-0,+5");
    assert_eq!(a.log_length(), 4.0);
    assert_eq!(a.ptr_at(10.into()).unwrap(), 1.0);
    assert_eq!(a.ptr_at(0.into()).unwrap(), 2.0);
    assert_eq!(a.ptr_at(50.into()).unwrap(), -1.0);
    let b = a.rebuild(2.into()).unwrap();
    assert_eq!(b.log().unwrap(), "+10,+20");
    assert_eq!(b.blocks_packed().unwrap().to_vec()[..2], [0, 10]);
    let sampled = a.replay_sampled(b"+7,-3", 1.into()).unwrap();
    let samples: Array = get(&sampled, "samples").dyn_into().unwrap();
    // Before the first op, and after each.
    assert_eq!(samples.length(), 3);
    let steps: Vec<f64> = (0..3).map(|k| num(&samples.get(k), "step")).collect();
    assert_eq!(steps, [0.0, 1.0, 2.0]);
    // Free now: 5 bytes at offset 5 and the 70-byte tail; only the first is too small for 50.
    let snap = a.snapshot().unwrap();
    let blocks: Array = get(&snap, "blocks").dyn_into().unwrap();
    let free: Vec<f64> = blocks
        .iter()
        .filter(|b| get(b, "free").as_bool() == Some(true))
        .map(|b| num(&b, "size"))
        .collect();
    let total: f64 = free.iter().sum();
    let small: f64 = free.iter().filter(|&&s| s < 50.0).sum();
    assert_eq!(a.unusable_free(50.into()).unwrap(), small / total);
    assert!(small > 0.0, "the case is not trivial");
    let init = a.initial_config().unwrap();
    assert_eq!(num(&init, "size"), 100.0);
    assert_eq!(get(&init, "strategy").as_string().unwrap(), "first-fit");
    // It is createArena's shape: it builds the same arena again.
    let again = Arena::new(init).unwrap();
    assert_eq!(num(&again.snapshot().unwrap(), "arenaSize"), 100.0);
    assert_eq!(num(&a.validate(b"-1,+5").unwrap(), "count"), 2.0);
    // A realloc of a freed pointer is refused; a second free runs (and fails).
    assert_eq!(code(a.validate(b"-1,r1:8").unwrap_err()), "bad-script");
    assert_eq!(num(&a.validate(b"-1,-1").unwrap(), "count"), 2.0);
}

#[wasm_bindgen_test]
fn module_functions() {
    let p = wasm::parse_ops(b"+1,-0 # c\n+2@8").unwrap();
    assert_eq!(num(&p, "count"), 3.0);
    // Ten digits overflow a 32-bit usize: they must still be "too large", not wrap.
    for big in ["+4294967297", "-4294967297", "+9999999999"] {
        let e = wasm::parse_ops(big.as_bytes()).unwrap_err();
        assert_eq!(code(e), "bad-script", "{big}");
    }
    let e = wasm::parse_ops(b"+1\n+2\nbogus").unwrap_err();
    assert_eq!(num(&e, "line"), 3.0);
    assert_eq!(code(e), "bad-script");
    let t = wasm::parse_rep(b"1000\n2\n3\n1\na 0 10\na 1 20\nf 0\n").unwrap();
    assert_eq!(get(&t, "ops").as_string().unwrap(), "+10,+20,-0");
    assert_eq!(num(&t, "numIds"), 2.0);
    assert_eq!(
        code(wasm::parse_rep(b"1000\n2\n1\n1\nx 0 10\n").unwrap_err()),
        "bad-script"
    );
    // Ids and sizes of 2^32 and above must be refused, not wrap to 32 bits.
    for bad in [
        &b"0\n1\n2\n1\na 4294967296 8\nf 0\n"[..],
        b"0\n1\n1\n1\na 0 4294967304\n",
        b"0\n1\n1\n1\na 0 8589934600\n",
    ] {
        let e = wasm::parse_rep(bad).unwrap_err();
        assert_eq!(num(&e, "line"), 5.0);
        assert_eq!(code(e), "bad-script");
    }
    let w1 = wasm::workload(obj(&[
        ("shape", "phased".into()),
        ("seed", 5.into()),
        ("ops", 40.into()),
    ]))
    .unwrap();
    let w2 = wasm::workload(obj(&[
        ("shape", "phased".into()),
        ("seed", 5.into()),
        ("ops", 40.into()),
    ]))
    .unwrap();
    assert_eq!(w1, w2);
    assert_eq!(w1.split(',').count(), 40);
    assert_eq!(
        code(wasm::workload(obj(&[("shape", "weird".into())])).unwrap_err()),
        "bad-argument"
    );
    let c = wasm::compare(
        obj(&[("size", 256.into()), ("align", 1.into())]),
        b"+10,+20,-0,+5,+30",
        JsValue::UNDEFINED,
        1.into(),
    )
    .unwrap();
    let runs: Array = get(&c, "runs").dyn_into().unwrap();
    assert_eq!(runs.length(), 5);
    assert_eq!(
        num(&c, "firstDivergence"),
        1.0,
        "slab places the second block elsewhere"
    );
    assert!(wasm::memory_bytes() > 0.0);
}

/// Replays `tests/golden/random_ops.txt` (the native core's results) through the binding.
#[wasm_bindgen_test]
fn random_ops_match_the_native_core() {
    let golden = include_str!("golden/random_ops.txt");
    let mut arenas: std::collections::HashMap<String, Arena> = Default::default();
    let mut checked = 0;
    for line in golden.lines().filter(|l| !l.starts_with('#')) {
        let (lhs, want) = line.split_once(" => ").unwrap();
        let mut f = lhs.split(' ');
        let mode = f.next().unwrap().to_string();
        let a = arenas
            .entry(mode.clone())
            .or_insert_with(|| arena(4096, &mode, 8, true));
        let op = f.next().unwrap();
        let n: Vec<f64> = f.map(|x| x.parse().unwrap()).collect();
        let got = |r: Result<f64, JsValue>| match r {
            Ok(o) => o.to_string(),
            Err(e) => code(e),
        };
        let got = match op {
            "alloc" => got(a.alloc(n[0].into())),
            "allocAligned" => got(a.alloc_aligned(n[0].into(), n[1].into())),
            "calloc" => got(a.calloc(n[0].into())),
            "free" => got(a.release(n[0].into()).map(|_| 0.0)),
            "realloc" => got(a.realloc(n[0].into(), n[1].into())),
            "blocks" => {
                let p = a.blocks_packed().unwrap().to_vec();
                p.chunks(6)
                    .map(|b| {
                        format!(
                            "{}:{}:{}",
                            b[0],
                            b[1],
                            if b[4] & 1 == 1 { "f" } else { "u" }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            _ => panic!("unknown op {op}"),
        };
        assert_eq!(got, want, "{line}");
        a.check_invariants().unwrap();
        checked += 1;
    }
    assert!(checked > 3000);
}
