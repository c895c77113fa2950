#![cfg(not(target_arch = "wasm32"))]
//! Property tests for the slab allocator: random alloc/free sequences over
//! random class lists (powers of two or not) and slab sizes, checked after
//! every op against a model of what must hold whatever the hand-out order:
//! every live chunk lies inside one slab, at a chunk boundary of its class,
//! the smallest class that holds the request; no two live chunks overlap; a
//! refused free changes nothing; the counters add up; and
//! `check_invariants()` passes.

use alloc_playground::{AllocError, Block, SlabAllocator, SlabConfig};
use proptest::prelude::*;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
enum Op {
    Alloc(usize),
    /// Frees the k-th live chunk (modulo the count).
    Free(usize),
    /// Frees an offset that may or may not start a live chunk.
    FreeAt(usize),
}

fn op(largest: usize, arena: usize) -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (1..=largest + 8).prop_map(Op::Alloc),
        4 => any::<usize>().prop_map(Op::Free),
        1 => (0..arena + 64).prop_map(Op::FreeAt),
    ]
}

fn config() -> impl Strategy<Value = SlabConfig> {
    // Classes are multiples of 8 (some not powers of two), sometimes of 640
    // (past the 4096-byte class table); the slab holds the largest.
    let unit = prop::sample::select(vec![8usize, 8, 8, 640]);
    (
        prop::collection::btree_set(1usize..=16, 1..5),
        0u32..3,
        unit,
    )
        .prop_map(|(units, extra, unit)| {
            let classes: Vec<usize> = units.into_iter().map(|u| u * unit).collect();
            let largest = *classes.last().unwrap();
            let slab_size = largest.next_power_of_two() << extra;
            SlabConfig {
                arena_size: slab_size * 12,
                classes,
                slab_size,
            }
        })
}

fn state(s: &SlabAllocator) -> (Vec<Block>, String) {
    (s.blocks(), format!("{:?}", s.stats()))
}

fn check(s: &SlabAllocator, cfg: &SlabConfig, live: &BTreeMap<usize, (usize, usize)>) {
    s.check_invariants().unwrap();
    let blocks = s.blocks();
    // Every model chunk is a live block of its class with its request.
    for (&off, &(class, req)) in live {
        let b = blocks
            .iter()
            .find(|b| b.offset == off)
            .unwrap_or_else(|| panic!("no block at {off}"));
        assert!(!b.free && b.class == Some(class) && b.requested == req);
        let so = off - off % cfg.slab_size;
        assert_eq!((off - so) % class, 0, "chunk boundary");
        assert!(off + class <= so + cfg.slab_size, "inside its slab");
    }
    // And nothing else is live.
    let live_blocks = blocks.iter().filter(|b| !b.free && b.seq.is_some()).count();
    assert_eq!(live_blocks, live.len());
    // Live chunks do not overlap (the model is ordered by offset).
    let mut end = 0;
    for (&off, &(class, _)) in live {
        assert!(off >= end, "overlap at {off}");
        end = off + class;
    }
    let st = s.stats();
    assert_eq!(
        st.requested_bytes,
        live.values().map(|&(_, r)| r).sum::<usize>()
    );
    // Used blocks are the live chunks (a slab's unusable tail is used bytes,
    // not a block anyone allocated); free blocks are free chunks and regions.
    assert_eq!(st.used_blocks, live.len());
    assert_eq!(st.free_blocks, blocks.iter().filter(|b| b.free).count());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn random_slab_ops_keep_chunks_in_their_classes(
        (cfg, ops) in config().prop_flat_map(|cfg| {
            let largest = *cfg.classes.last().unwrap();
            let ops = prop::collection::vec(op(largest, cfg.arena_size), 1..300);
            (Just(cfg), ops)
        })
    ) {
        let mut s = SlabAllocator::new(cfg.clone()).unwrap();
        let largest = *cfg.classes.last().unwrap();
        let mut live: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
        // The peaks are maxima over the states after each op.
        let (mut max_used, mut max_req) = (0, 0);
        for op in ops {
            match op {
                Op::Alloc(size) => {
                    let before = live.len();
                    match s.alloc(size) {
                        Ok(off) => {
                            prop_assert!(size <= largest);
                            let class = *cfg.classes.iter().find(|&&c| c >= size).unwrap();
                            prop_assert!(live.insert(off, (class, size)).is_none(), "offset {} handed out twice", off);
                        }
                        Err(AllocError::TooLarge { .. }) => prop_assert!(size > largest),
                        Err(AllocError::OutOfMemory { .. }) => prop_assert!(size <= largest),
                        Err(e) => prop_assert!(false, "unexpected {e:?}"),
                    }
                    prop_assert!(live.len() >= before);
                }
                Op::Free(k) => {
                    if live.is_empty() {
                        continue;
                    }
                    let off = *live.keys().nth(k % live.len()).unwrap();
                    prop_assert_eq!(s.free(off), Ok(()));
                    live.remove(&off);
                }
                Op::FreeAt(off) => {
                    let before = state(&s);
                    match s.free(off) {
                        Ok(()) => {
                            prop_assert!(live.remove(&off).is_some(), "freed {} which was not live", off);
                        }
                        Err(AllocError::InvalidFree { .. } | AllocError::DoubleFree { .. }) => {
                            prop_assert!(!live.contains_key(&off));
                            prop_assert_eq!(state(&s), before, "a refused free changed the state");
                        }
                        Err(e) => prop_assert!(false, "unexpected {e:?}"),
                    }
                }
            }
            check(&s, &cfg, &live);
            let st = s.stats();
            max_used = max_used.max(st.used_bytes);
            max_req = max_req.max(st.requested_bytes);
            prop_assert_eq!((st.peak_used, st.peak_requested), (max_used, max_req));
        }
    }
}
