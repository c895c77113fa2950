#![cfg(not(target_arch = "wasm32"))]
//! Scenario tests for the allocator core: small, hand-checked situations in
//! the manner of rlsf's tests. Every operation is followed by a full
//! `check_invariants()`, through the `op!` helper.

use alloc_playground::explain::{self, Span};
use alloc_playground::rep;
use alloc_playground::script::{self, Op, Script};
use alloc_playground::transcript;
use alloc_playground::workload::{self, Rng, Shape, WorkloadConfig};
use alloc_playground::{
    align_dividing, fit_to_align, AllocError, Block, Config, FreeListAllocator, Heap, HeapConfig,
    ListOrder, Mode, Ptr, ReplayReport, Session, SlabAllocator, SlabConfig, Strategy,
    DEFAULT_CLASSES, DEFAULT_SLAB_SIZE, MAX_ARENA,
};

// ----- helpers ----------------------------------------------------------------

/// Anything whose invariants can be checked.
trait Invariants {
    fn invariants(&self) -> Result<(), String>;
}

impl Invariants for FreeListAllocator {
    fn invariants(&self) -> Result<(), String> {
        self.check_invariants()
    }
}

impl Invariants for Heap {
    fn invariants(&self) -> Result<(), String> {
        self.check_invariants()
    }
}

impl Invariants for SlabAllocator {
    fn invariants(&self) -> Result<(), String> {
        self.check_invariants()
    }
}

impl Invariants for Session {
    fn invariants(&self) -> Result<(), String> {
        self.check_invariants()
    }
}

/// `op!(a.method(args))`: runs one operation on `a`, then checks every
/// invariant of `a`, and yields the operation's result.
macro_rules! op {
    ($a:ident . $($call:tt)+) => {{
        let r = $a.$($call)+;
        $a.invariants().unwrap();
        r
    }};
}

fn fl(arena_size: usize, strategy: Strategy, align: usize, coalesce: bool) -> FreeListAllocator {
    let a = FreeListAllocator::new(Config {
        header: 0,
        arena_size,
        strategy,
        align,
        coalesce,
    })
    .unwrap();
    a.check_invariants().unwrap();
    a
}

fn heap_config(arena_size: usize, mode: Mode, align: usize, coalesce: bool) -> HeapConfig {
    HeapConfig {
        arena_size,
        mode,
        align,
        coalesce,
        ..HeapConfig::default()
    }
}

fn session(arena_size: usize, mode: Mode, align: usize, coalesce: bool) -> Session {
    let s = Session::new(heap_config(arena_size, mode, align, coalesce)).unwrap();
    s.invariants().unwrap();
    s
}

/// The offsets of the session's live pointers, by pointer number.
fn live_offsets(s: &Session) -> Vec<usize> {
    s.ptrs()
        .iter()
        .filter_map(|p| match p {
            Ptr::Live(o) => Some(*o),
            _ => None,
        })
        .collect()
}

/// `(offset, size, free)` of every block in address order.
fn layout(a: &FreeListAllocator) -> Vec<(usize, usize, bool)> {
    a.blocks().map(|b| (b.offset, b.size, b.free)).collect()
}

/// Blocks and arena bytes: what an error must leave alone.
fn state(a: &FreeListAllocator) -> (Vec<Block>, Vec<u8>) {
    (a.blocks().collect(), a.arena().bytes().to_vec())
}

fn heap_state(h: &Heap) -> (Vec<Block>, Vec<u8>) {
    (h.blocks(), h.bytes().to_vec())
}

/// In an empty arena, allocates each hole size followed by a `gap`-byte used
/// block (first fit, so everything is laid out in order), then frees the
/// holes. Returns the holes' offsets. Leaves the strategy at `strategy`.
fn make_holes(
    a: &mut FreeListAllocator,
    holes: &[usize],
    gap: usize,
    strategy: Strategy,
) -> Vec<usize> {
    op!(a.set_strategy(Strategy::FirstFit));
    let mut offs = Vec::new();
    for &h in holes {
        offs.push(op!(a.alloc(h)).unwrap());
        op!(a.alloc(gap)).unwrap();
    }
    for &o in &offs {
        op!(a.free(o)).unwrap();
    }
    op!(a.set_strategy(strategy));
    offs
}

fn close(x: f64, y: f64) -> bool {
    (x - y).abs() < 1e-12
}

// ----- splitting ---------------------------------------------------------------

#[test]
fn alloc_splits_the_free_block_and_sits_at_its_start() {
    let mut a = fl(100, Strategy::FirstFit, 1, true);
    let p = op!(a.alloc(30)).unwrap();
    assert_eq!(p, 0);
    assert_eq!(layout(&a), vec![(0, 30, false), (30, 70, true)]);
    assert_eq!(a.free_list(), vec![(30, 70)]);
    let b = a.block_at(0).unwrap();
    assert_eq!(
        b,
        Block {
            offset: 0,
            size: 30,
            free: false,
            requested: 30,
            seq: Some(0),
            class: None,
            padding: false,
        }
    );
    assert_eq!(a.block_at(30).unwrap().seq, None);
    assert_eq!(a.next_seq(), 1);
}

#[test]
fn a_header_grows_each_block_after_rounding_and_blocks_start_anywhere() {
    // malloc.py -S 102 -a 4 -H 3: a request of n takes n rounded up to 4, plus 3.
    let mut a = FreeListAllocator::new(Config {
        header: 3,
        arena_size: 102,
        strategy: Strategy::FirstFit,
        align: 4,
        coalesce: true,
    })
    .unwrap();
    let p = op!(a.alloc(5)).unwrap();
    let q = op!(a.alloc(8)).unwrap();
    assert_eq!((p, q), (0, 11));
    assert_eq!(
        layout(&a),
        vec![(0, 11, false), (11, 11, false), (22, 80, true)]
    );
    let b = a.block_at(q).unwrap();
    assert_eq!(
        (b.size, b.requested),
        (11, 8),
        "the header is overhead, not requested"
    );
    assert_eq!(a.stats().internal_fragmentation, 3 + 3 + 3);
    // A realloc keeps the header; shrinking frees the tail.
    assert_eq!(op!(a.realloc(q, 2)).unwrap(), q);
    assert_eq!(
        layout(&a),
        vec![(0, 11, false), (11, 7, false), (18, 84, true)]
    );
    // An aligned request aligns its data, after the header (as memalign
    // aligns the pointer it returns): the block starts at 21, the data at 24.
    let r = op!(a.alloc_aligned(1, 8)).unwrap();
    assert_eq!((r, a.block_at(r).unwrap().size), (21, 7));
    assert_eq!((r + 3) % 8, 0);
    assert!(a.block_at(18).unwrap().padding);
    assert_eq!(a.block_at(18).unwrap().size, 3);
    op!(a.free(p)).unwrap();
    op!(a.free(q)).unwrap();
    op!(a.free(r)).unwrap();
    assert_eq!(layout(&a), vec![(0, 102, true)]);
    // The largest request that fits counts the header: 102 B hold a block
    // of 96 (a multiple of 4) plus 3; 97 would take 100 + 3.
    assert_eq!(a.stats().largest_request, 96);
    op!(a.alloc(97)).unwrap_err();
    let big = op!(a.alloc(96)).unwrap();
    op!(a.free(big)).unwrap();
    // A header larger than the arena only makes every request fail (as in
    // malloc.py); without one the size must still be a multiple of align.
    let bad = |header, arena_size| {
        FreeListAllocator::new(Config {
            header,
            arena_size,
            strategy: Strategy::FirstFit,
            align: 4,
            coalesce: true,
        })
        .map(drop)
        .unwrap_err()
        .to_string()
    };
    let mut huge = FreeListAllocator::new(Config {
        header: 200,
        arena_size: 102,
        strategy: Strategy::FirstFit,
        align: 4,
        coalesce: true,
    })
    .unwrap();
    assert!(op!(huge.alloc(1)).is_err());
    assert_eq!(huge.stats().largest_request, 0);
    assert!(bad(0, 102).contains("not a multiple of align 4"));
}

#[test]
fn alloc_takes_the_front_of_a_hole_and_leaves_the_rest_right_after() {
    // [50] used10 [100] used10 [200] used10
    let mut a = fl(380, Strategy::FirstFit, 1, true);
    let holes = make_holes(&mut a, &[50, 100, 200], 10, Strategy::FirstFit);
    assert_eq!(holes, vec![0, 60, 170]);
    assert_eq!(a.free_list(), vec![(0, 50), (60, 100), (170, 200)]);
    let p = op!(a.alloc(80)).unwrap();
    assert_eq!(p, 60);
    assert_eq!(
        layout(&a),
        vec![
            (0, 50, true),
            (50, 10, false),
            (60, 80, false),
            (140, 20, true),
            (160, 10, false),
            (170, 200, true),
            (370, 10, false),
        ]
    );
}

#[test]
fn exact_fit_does_not_split() {
    let mut a = fl(100, Strategy::FirstFit, 1, true);
    let p = op!(a.alloc(100)).unwrap();
    assert_eq!(p, 0);
    assert_eq!(layout(&a), vec![(0, 100, false)]);
    assert!(a.free_list().is_empty());
    assert_eq!(a.largest_free(), 0);
    assert_eq!(a.free_block_count(), 0);

    // An exact fit into a hole leaves no zero-sized remainder either.
    let mut a = fl(380, Strategy::FirstFit, 1, true);
    make_holes(&mut a, &[50, 100, 200], 10, Strategy::FirstFit);
    let n = a.blocks().count();
    let p = op!(a.alloc(100)).unwrap();
    assert_eq!(p, 60);
    assert_eq!(a.blocks().count(), n);
    assert_eq!(a.free_list(), vec![(0, 50), (170, 200)]);
}

// ----- coalescing --------------------------------------------------------------

/// Four used blocks [0,10) [10,20) [20,30) [30,100) filling an arena of 100.
fn four_blocks(coalesce: bool) -> (FreeListAllocator, [usize; 4]) {
    let mut a = fl(100, Strategy::FirstFit, 1, coalesce);
    let p = [
        op!(a.alloc(10)).unwrap(),
        op!(a.alloc(10)).unwrap(),
        op!(a.alloc(10)).unwrap(),
        op!(a.alloc(70)).unwrap(),
    ];
    assert_eq!(p, [0, 10, 20, 30]);
    (a, p)
}

#[test]
fn free_between_used_neighbours_makes_a_lone_free_block() {
    let (mut a, p) = four_blocks(true);
    op!(a.free(p[1])).unwrap();
    assert_eq!(
        layout(&a),
        vec![
            (0, 10, false),
            (10, 10, true),
            (20, 10, false),
            (30, 70, false)
        ]
    );
}

#[test]
fn free_merges_with_next() {
    let mut a = fl(100, Strategy::FirstFit, 1, true);
    let _p = op!(a.alloc(10)).unwrap();
    let q = op!(a.alloc(10)).unwrap();
    assert_eq!(a.free_list(), vec![(20, 80)]);
    op!(a.free(q)).unwrap();
    assert_eq!(layout(&a), vec![(0, 10, false), (10, 90, true)]);
    assert_eq!(a.free_list(), vec![(10, 90)]);
}

#[test]
fn free_merges_with_previous() {
    let (mut a, p) = four_blocks(true);
    op!(a.free(p[0])).unwrap();
    op!(a.free(p[1])).unwrap();
    assert_eq!(
        layout(&a),
        vec![(0, 20, true), (20, 10, false), (30, 70, false)]
    );
    assert_eq!(a.free_list(), vec![(0, 20)]);
}

#[test]
fn free_merges_with_previous_and_next() {
    let (mut a, p) = four_blocks(true);
    op!(a.free(p[0])).unwrap();
    op!(a.free(p[2])).unwrap();
    assert_eq!(a.free_list(), vec![(0, 10), (20, 10)]);
    op!(a.free(p[1])).unwrap();
    assert_eq!(layout(&a), vec![(0, 30, true), (30, 70, false)]);
    op!(a.free(p[3])).unwrap();
    assert_eq!(layout(&a), vec![(0, 100, true)]);
}

#[test]
fn without_coalescing_adjacent_free_blocks_stay_apart_until_coalesce_all() {
    let (mut a, p) = four_blocks(false);
    op!(a.free(p[0])).unwrap();
    op!(a.free(p[1])).unwrap();
    op!(a.free(p[2])).unwrap();
    assert_eq!(a.free_list(), vec![(0, 10), (10, 10), (20, 10)]);
    assert_eq!(a.largest_free(), 10);
    assert_eq!(op!(a.coalesce_all()), 2);
    assert_eq!(a.free_list(), vec![(0, 30)]);
    assert_eq!(layout(&a), vec![(0, 30, true), (30, 70, false)]);
    assert_eq!(op!(a.coalesce_all()), 0);
    // Still off: the next free does not merge.
    op!(a.free(p[3])).unwrap();
    assert_eq!(a.free_list(), vec![(0, 30), (30, 70)]);
    assert_eq!(op!(a.coalesce_all()), 1);
    assert_eq!(a.free_list(), vec![(0, 100)]);
}

#[test]
fn set_coalesce_true_merges_at_once() {
    let (mut a, p) = four_blocks(false);
    op!(a.free(p[0])).unwrap();
    op!(a.free(p[1])).unwrap();
    op!(a.free(p[3])).unwrap();
    assert_eq!(a.free_list(), vec![(0, 10), (10, 10), (30, 70)]);
    op!(a.set_coalesce(true));
    assert!(a.config().coalesce);
    assert_eq!(a.free_list(), vec![(0, 20), (30, 70)]);
    op!(a.free(p[2])).unwrap();
    assert_eq!(layout(&a), vec![(0, 100, true)]);
    // Turning it off merges nothing and splits nothing.
    op!(a.set_coalesce(false));
    assert_eq!(layout(&a), vec![(0, 100, true)]);
}

// ----- placement -----------------------------------------------------------------

#[test]
fn first_fit_takes_the_lowest_hole_that_fits() {
    let mut a = fl(380, Strategy::FirstFit, 1, true);
    make_holes(&mut a, &[50, 100, 200], 10, Strategy::FirstFit);
    assert_eq!(op!(a.alloc(80)), Ok(60));
    assert_eq!(a.last_searched(), 2);
    assert_eq!(a.free_list(), vec![(0, 50), (140, 20), (170, 200)]);
    assert_eq!(op!(a.alloc(150)), Ok(170));
    assert_eq!(a.last_searched(), 3);
    assert_eq!(op!(a.alloc(40)), Ok(0));
    assert_eq!(a.last_searched(), 1);
    assert_eq!(a.free_list(), vec![(40, 10), (140, 20), (320, 50)]);
    // A failed request searched every free block.
    let e = op!(a.alloc(300)).unwrap_err();
    assert_eq!(
        e,
        AllocError::OutOfMemory {
            requested: 300,
            largest_free: 50
        }
    );
    assert_eq!(a.last_searched(), 3);
    assert_eq!(a.stats().failed_allocs, 1);
}

#[test]
fn best_fit_takes_the_smallest_hole_that_fits() {
    // [500] [90] [200]
    let mut a = fl(820, Strategy::FirstFit, 1, true);
    let holes = make_holes(&mut a, &[500, 90, 200], 10, Strategy::BestFit);
    assert_eq!(holes, vec![0, 510, 610]);
    assert_eq!(op!(a.alloc(80)), Ok(510));
    assert_eq!(a.last_searched(), 3);
    assert_eq!(a.free_list(), vec![(0, 500), (590, 10), (610, 200)]);
    // An exact fit beats anything bigger.
    assert_eq!(op!(a.alloc(10)), Ok(590));
    assert_eq!(a.last_searched(), 3);
    assert_eq!(a.free_list(), vec![(0, 500), (610, 200)]);
}

#[test]
fn best_and_worst_fit_break_ties_by_the_lowest_address() {
    for strategy in [Strategy::BestFit, Strategy::WorstFit] {
        let mut a = fl(220, Strategy::FirstFit, 1, true);
        make_holes(&mut a, &[100, 100], 10, strategy);
        assert_eq!(a.free_list(), vec![(0, 100), (110, 100)]);
        assert_eq!(op!(a.alloc(30)), Ok(0), "{strategy}");
        assert_eq!(a.last_searched(), 2);
    }
}

#[test]
fn worst_fit_takes_the_largest_hole() {
    let mut a = fl(380, Strategy::FirstFit, 1, true);
    make_holes(&mut a, &[50, 100, 200], 10, Strategy::WorstFit);
    assert_eq!(op!(a.alloc(80)), Ok(170));
    assert_eq!(a.last_searched(), 3);
    assert_eq!(a.free_list(), vec![(0, 50), (60, 100), (250, 120)]);
    assert_eq!(a.block_at(250).unwrap().size, 120);
    // Now the largest is the 120 left over.
    assert_eq!(op!(a.alloc(10)), Ok(250));
    assert_eq!(a.free_list(), vec![(0, 50), (60, 100), (260, 110)]);
}

#[test]
fn next_fit_starts_at_the_rover_and_wraps_once() {
    // [0,50) free, [50,60) used, [60,160) free, [160,170) used,
    // [170,370) free, [370,380) used, [380,600) free; the rover is at 380.
    let mut a = fl(600, Strategy::FirstFit, 1, true);
    make_holes(&mut a, &[50, 100, 200], 10, Strategy::NextFit);
    assert_eq!(
        a.free_list(),
        vec![(0, 50), (60, 100), (170, 200), (380, 220)]
    );

    // The rover sits in the last free block: first fit would say 60.
    assert_eq!(op!(a.alloc(80)), Ok(380));
    assert_eq!(a.last_searched(), 1);
    // Rover at 460, inside [460,600) (140 bytes): too small, so wrap to 0, 60, 170.
    assert_eq!(op!(a.alloc(150)), Ok(170));
    assert_eq!(a.last_searched(), 4);
    assert_eq!(
        a.free_list(),
        vec![(0, 50), (60, 100), (320, 50), (460, 140)]
    );
    // Rover at 320, inside [320,370): too small; the next one fits.
    assert_eq!(op!(a.alloc(60)), Ok(460));
    assert_eq!(a.last_searched(), 2);
    // Rover at 520, inside [520,600): exact fit.
    assert_eq!(op!(a.alloc(80)), Ok(520));
    assert_eq!(a.last_searched(), 1);
    // Rover at 600 = the end of the arena: start over from the lowest block.
    assert_eq!(a.free_list(), vec![(0, 50), (60, 100), (320, 50)]);
    assert_eq!(op!(a.alloc(40)), Ok(0));
    assert_eq!(a.last_searched(), 1);
    // Rover at 40, inside [40,50): too small; next is [60,160).
    assert_eq!(op!(a.alloc(45)), Ok(60));
    assert_eq!(a.last_searched(), 2);
    assert_eq!(a.free_list(), vec![(40, 10), (105, 55), (320, 50)]);
    // Nothing fits: every free block was visited.
    assert!(matches!(
        op!(a.alloc(500)),
        Err(AllocError::OutOfMemory {
            requested: 500,
            largest_free: 55
        })
    ));
    assert_eq!(a.last_searched(), 3);
}

#[test]
fn next_fit_rover_in_a_used_block_starts_at_the_first_free_block_after_it() {
    let mut a = fl(500, Strategy::FirstFit, 1, true);
    let p: Vec<usize> = (0..5).map(|_| op!(a.alloc(100)).unwrap()).collect();
    assert_eq!(p, vec![0, 100, 200, 300, 400]);
    for &o in &[0, 200, 400] {
        op!(a.free(o)).unwrap();
    }
    op!(a.set_strategy(Strategy::NextFit));
    // Rover at 500 (the end): wrap to the lowest.
    assert_eq!(op!(a.alloc(100)), Ok(0));
    assert_eq!(a.last_searched(), 1);
    // Rover at 100, the start of a used block: the first free block after is 200.
    assert_eq!(op!(a.alloc(100)), Ok(200));
    assert_eq!(a.last_searched(), 1);
    // Rover at 300 (used). Free [0,100): first fit would take it, next fit does not.
    op!(a.free(0)).unwrap();
    assert_eq!(a.free_list(), vec![(0, 100), (400, 100)]);
    assert_eq!(op!(a.alloc(50)), Ok(400));
    assert_eq!(a.last_searched(), 1);
    // Rover at 450 inside [450,500): too small for 60, so wrap around to 0.
    assert_eq!(op!(a.alloc(60)), Ok(0));
    assert_eq!(a.last_searched(), 2);
}

#[test]
fn searched_counts_by_strategy() {
    // Free list [(0,50),(60,100),(170,200)]; request 80.
    let expect = [
        (Strategy::FirstFit, 60, 2),
        (Strategy::BestFit, 60, 3),
        (Strategy::WorstFit, 170, 3),
    ];
    for (strategy, at, searched) in expect {
        let mut a = fl(380, Strategy::FirstFit, 1, true);
        make_holes(&mut a, &[50, 100, 200], 10, strategy);
        assert_eq!(op!(a.alloc(80)), Ok(at), "{strategy}");
        assert_eq!(a.last_searched(), searched, "{strategy}");
        assert_eq!(a.stats().last_searched, searched);
        // A failure searches them all, whatever the strategy.
        assert!(op!(a.alloc(1000)).is_err());
        assert_eq!(a.last_searched(), a.free_block_count(), "{strategy}");
    }
    // Next fit from a rover at 380 (the end): wraps to the start; 60 is the
    // second block visited.
    let mut a = fl(380, Strategy::FirstFit, 1, true);
    make_holes(&mut a, &[50, 100, 200], 10, Strategy::NextFit);
    assert_eq!(op!(a.alloc(80)), Ok(60));
    assert_eq!(a.last_searched(), 2);
}

// ----- OSTEP golden run ------------------------------------------------------------

/// `./malloc.py -n 10 -H 0 -p BEST -s 0 -c` (size 100, base 1000, align 1 =
/// `-a -1`, no coalescing, address-sorted list): for each op, the returned
/// address (None for a free) and the free list it prints.
#[allow(clippy::type_complexity)]
fn ostep_best_fit_seed0() -> Vec<(Option<usize>, Vec<(usize, usize)>)> {
    vec![
        (Some(1000), vec![(1003, 97)]),
        (None, vec![(1000, 3), (1003, 97)]),
        (Some(1003), vec![(1000, 3), (1008, 92)]),
        (None, vec![(1000, 3), (1003, 5), (1008, 92)]),
        (Some(1008), vec![(1000, 3), (1003, 5), (1016, 84)]),
        (None, vec![(1000, 3), (1003, 5), (1008, 8), (1016, 84)]),
        (Some(1008), vec![(1000, 3), (1003, 5), (1016, 84)]),
        (None, vec![(1000, 3), (1003, 5), (1008, 8), (1016, 84)]),
        (
            Some(1000),
            vec![(1002, 1), (1003, 5), (1008, 8), (1016, 84)],
        ),
        (
            Some(1008),
            vec![(1002, 1), (1003, 5), (1015, 1), (1016, 84)],
        ),
    ]
    .into_iter()
    .map(|(p, l)| {
        (
            p.map(|p| p - 1000),
            l.into_iter().map(|(o, s)| (o - 1000, s)).collect(),
        )
    })
    .collect()
}

#[test]
fn ostep_best_fit_seed_0_golden_run() {
    let mut a = fl(100, Strategy::BestFit, 1, false);
    let golden = ostep_best_fit_seed0();
    // +3,-0,+5,-1,+8,-2,+8,-3,+2,+7
    let mut ptr: Vec<usize> = Vec::new();
    let ops: [(char, usize); 10] = [
        ('+', 3),
        ('-', 0),
        ('+', 5),
        ('-', 1),
        ('+', 8),
        ('-', 2),
        ('+', 8),
        ('-', 3),
        ('+', 2),
        ('+', 7),
    ];
    for (i, ((kind, n), (ret, list))) in ops.iter().zip(&golden).enumerate() {
        let free_before = a.free_block_count();
        match kind {
            '+' => {
                let off = op!(a.alloc(*n)).unwrap();
                assert_eq!(Some(off), *ret, "op {i}");
                // Best fit searches the whole list.
                assert_eq!(a.last_searched(), free_before, "op {i}");
                assert_eq!(a.block_at(off).unwrap().seq, Some(ptr.len() as u64));
                ptr.push(off);
            }
            _ => {
                assert_eq!(*ret, None);
                op!(a.free(ptr[*n])).unwrap();
            }
        }
        assert_eq!(&a.free_list(), list, "free list after op {i}");
    }
    assert_eq!(ptr, vec![0, 3, 8, 8, 0, 8]);
}

#[test]
fn ostep_best_fit_seed_0_golden_run_through_a_session() {
    let mut s = session(100, Mode::BestFit, 1, false);
    let script = script::parse("+3,-0,+5,-1,+8,-2,+8,-3,+2,+7").unwrap();
    assert_eq!(script.ops.len(), 10);
    let mut seen = Vec::new();
    let report = s
        .replay_with(&script, |s, i| {
            s.invariants().unwrap();
            let fl = s.heap().free_list_allocator();
            let ret = if script.ops[i].is_alloc() {
                match s.ptrs().last() {
                    Some(Ptr::Live(o)) => Some(*o),
                    other => panic!("op {i}: {other:?}"),
                }
            } else {
                None
            };
            seen.push((ret, fl.free_list(), fl.last_searched()));
        })
        .unwrap();
    let golden = ostep_best_fit_seed0();
    let got: Vec<_> = seen.iter().map(|(r, l, _)| (*r, l.clone())).collect();
    assert_eq!(got, golden);
    // Searched counts of the six allocations: all free blocks each time.
    let searched: Vec<usize> = seen
        .iter()
        .zip(&script.ops)
        .filter(|(_, o)| o.is_alloc())
        .map(|((_, _, n), _)| *n)
        .collect();
    assert_eq!(searched, vec![1, 2, 3, 4, 4, 4]);
    assert_eq!(
        report,
        ReplayReport {
            ops: 10,
            allocs: 6,
            frees: 4,
            reallocs: 0,
            failed: 0,
            too_large: 0,
            searched: 1 + 2 + 3 + 4 + 4 + 4
        }
    );
    assert_eq!(
        s.ptrs(),
        &[
            Ptr::Freed,
            Ptr::Freed,
            Ptr::Freed,
            Ptr::Freed,
            Ptr::Live(0),
            Ptr::Live(8)
        ]
    );
    assert_eq!(s.ptr_at(0), Some(4));
    assert_eq!(s.ptr_at(8), Some(5));
    assert_eq!(script::format(s.log()), "+3,-0,+5,-1,+8,-2,+8,-3,+2,+7");
}

// ----- alignment ---------------------------------------------------------------------

#[test]
fn granularity_rounds_requests_up() {
    let mut a = fl(64, Strategy::FirstFit, 8, true);
    assert_eq!(op!(a.alloc(5)), Ok(0));
    assert_eq!(op!(a.alloc(8)), Ok(8));
    assert_eq!(op!(a.alloc(9)), Ok(16));
    assert_eq!(
        layout(&a),
        vec![
            (0, 8, false),
            (8, 8, false),
            (16, 16, false),
            (32, 32, true)
        ]
    );
    assert_eq!(a.block_at(0).unwrap().requested, 5);
    assert_eq!(a.block_at(16).unwrap().requested, 9);
    let s = a.stats();
    assert_eq!(s.used_bytes, 32);
    assert_eq!(s.requested_bytes, 22);
    assert_eq!(s.internal_fragmentation, 3 + 7);
    // A request that only fits before rounding fails after it.
    let e = op!(a.alloc(33)).unwrap_err();
    assert_eq!(
        e,
        AllocError::OutOfMemory {
            requested: 40,
            largest_free: 32
        }
    );
}

#[test]
fn alloc_aligned_leaves_the_padding_free_in_front() {
    let mut a = fl(256, Strategy::FirstFit, 8, true);
    assert_eq!(op!(a.alloc(8)), Ok(0));
    let p = op!(a.alloc_aligned(16, 64)).unwrap();
    assert_eq!(p, 64);
    let blocks: Vec<Block> = a.blocks().collect();
    assert_eq!(
        blocks
            .iter()
            .map(|b| (b.offset, b.size, b.free, b.padding))
            .collect::<Vec<_>>(),
        vec![
            (0, 8, false, false),
            (8, 56, true, true),
            (64, 16, false, false),
            (80, 176, true, false),
        ]
    );
    assert_eq!(a.block_at(64).unwrap().seq, Some(1));
    // The padding serves later requests; what is left of it is no longer padding.
    assert_eq!(op!(a.alloc(40)), Ok(8));
    let rest = a.block_at(48).unwrap();
    assert_eq!((rest.size, rest.free, rest.padding), (16, true, false));
    // Freeing the aligned block merges the leftover padding and the tail.
    op!(a.free(p)).unwrap();
    assert_eq!(
        layout(&a),
        vec![(0, 8, false), (8, 40, false), (48, 208, true)]
    );
}

#[test]
fn alloc_aligned_with_every_strategy_picks_among_blocks_that_fit_aligned() {
    // Holes: [0,40) [48,168) [176,296)... with align 8, an aligned-64 request
    // of 32 needs pad: hole at 0 -> pad 0 (fits 40 >= 32).
    let mut a = fl(512, Strategy::FirstFit, 8, true);
    make_holes(&mut a, &[40, 120, 200], 8, Strategy::FirstFit);
    assert_eq!(
        a.free_list(),
        vec![(0, 40), (48, 120), (176, 200), (384, 128)]
    );
    // First fit: [0,40) holds 32 at 0.
    let mut b = a.clone();
    assert_eq!(op!(b.alloc_aligned(32, 64)), Ok(0));
    assert_eq!(b.last_searched(), 1);
    // A 48-byte request: [0,40) too small; [48,168): pad 16, 16+48 <= 120 -> 64.
    let mut b = a.clone();
    assert_eq!(op!(b.alloc_aligned(48, 64)), Ok(64));
    assert_eq!(b.last_searched(), 2);
    assert!(b.block_at(48).unwrap().padding);
    // Best fit for 48 at 64: candidates 120 and 200 and 128 -> the 120.
    let mut b = a.clone();
    op!(b.set_strategy(Strategy::BestFit));
    assert_eq!(op!(b.alloc_aligned(48, 64)), Ok(64));
    assert_eq!(b.last_searched(), 4);
    // Worst fit: the 200 at 176 -> aligned to 192.
    let mut b = a.clone();
    op!(b.set_strategy(Strategy::WorstFit));
    assert_eq!(op!(b.alloc_aligned(48, 64)), Ok(192));
    assert_eq!(
        b.free_list(),
        vec![(0, 40), (48, 120), (176, 16), (240, 136), (384, 128)]
    );
    // Next fit: the rover is at 384 (after the last gap); [384,512) is aligned.
    let mut b = a.clone();
    op!(b.set_strategy(Strategy::NextFit));
    assert_eq!(op!(b.alloc_aligned(48, 64)), Ok(384));
    assert_eq!(b.last_searched(), 1);
}

#[test]
fn alloc_aligned_no_stricter_than_the_granularity_is_plain_alloc() {
    let mut a = fl(64, Strategy::FirstFit, 8, true);
    assert_eq!(op!(a.alloc(3)), Ok(0));
    assert_eq!(op!(a.alloc_aligned(5, 4)), Ok(8));
    assert_eq!(op!(a.alloc_aligned(5, 8)), Ok(16));
    assert!(a.blocks().all(|b| !b.padding));
}

#[test]
fn bad_alignments_are_refused_without_a_sequence_number() {
    let mut a = fl(256, Strategy::FirstFit, 8, true);
    op!(a.alloc(8)).unwrap();
    let before = state(&a);
    let seq = a.next_seq();
    for align in [3, 0, 24, 512] {
        let e = op!(a.alloc_aligned(8, align)).unwrap_err();
        assert_eq!(e, AllocError::BadAlign { align });
        assert_eq!(e.code(), "bad-align");
        assert_eq!(state(&a), before);
        assert_eq!(a.next_seq(), seq);
    }
    // The arena size itself is a valid alignment.
    op!(a.free(0)).unwrap();
    assert_eq!(op!(a.alloc_aligned(8, 256)), Ok(0));
}

// ----- realloc -------------------------------------------------------------------------

#[test]
fn realloc_shrinks_in_place_and_the_tail_merges_with_a_free_next() {
    let mut a = fl(100, Strategy::FirstFit, 1, true);
    let p = op!(a.alloc(40)).unwrap();
    op!(a.write(p, &[7; 40])).unwrap();
    assert_eq!(op!(a.realloc(p, 10)), Ok(0));
    assert_eq!(layout(&a), vec![(0, 10, false), (10, 90, true)]);
    assert_eq!(a.block_at(0).unwrap().requested, 10);
    assert_eq!(a.last_searched(), 0);
    // Shrinking never touches the bytes.
    assert_eq!(op!(a.read(0, 40)).unwrap(), &[7; 40]);
}

#[test]
fn realloc_shrink_before_a_used_block_leaves_a_new_free_tail() {
    let mut a = fl(100, Strategy::FirstFit, 1, true);
    let p = op!(a.alloc(40)).unwrap();
    op!(a.alloc(60)).unwrap();
    assert_eq!(op!(a.realloc(p, 10)), Ok(0));
    assert_eq!(
        layout(&a),
        vec![(0, 10, false), (10, 30, true), (40, 60, false)]
    );

    // With coalescing off the tail stays apart from a free next block.
    let mut a = fl(100, Strategy::FirstFit, 1, false);
    let p = op!(a.alloc(40)).unwrap();
    assert_eq!(op!(a.realloc(p, 10)), Ok(0));
    assert_eq!(
        layout(&a),
        vec![(0, 10, false), (10, 30, true), (40, 60, true)]
    );
}

#[test]
fn realloc_within_the_rounded_size_only_changes_requested() {
    let mut a = fl(64, Strategy::FirstFit, 8, true);
    let p = op!(a.alloc(13)).unwrap();
    assert_eq!(op!(a.realloc(p, 9)), Ok(p));
    assert_eq!(op!(a.realloc(p, 16)), Ok(p));
    assert_eq!(layout(&a), vec![(0, 16, false), (16, 48, true)]);
    assert_eq!(a.block_at(p).unwrap().requested, 16);
    assert_eq!(a.stats().internal_fragmentation, 0);
}

#[test]
fn realloc_grows_in_place_into_a_free_next_block() {
    let mut a = fl(100, Strategy::FirstFit, 1, true);
    let p = op!(a.alloc(10)).unwrap();
    op!(a.write(p, b"abcdefghij")).unwrap();
    assert_eq!(op!(a.realloc(p, 30)), Ok(0));
    assert_eq!(layout(&a), vec![(0, 30, false), (30, 70, true)]);
    assert_eq!(a.last_searched(), 0);
    let b = a.block_at(0).unwrap();
    assert_eq!((b.requested, b.seq), (30, Some(0)));
    assert_eq!(op!(a.read(0, 10)).unwrap(), b"abcdefghij");
    assert_eq!(a.stats().high_water, 30);

    // Growing can swallow the whole free next block.
    let mut a = fl(100, Strategy::FirstFit, 1, true);
    let p = op!(a.alloc(10)).unwrap();
    let q = op!(a.alloc(20)).unwrap();
    op!(a.alloc(70)).unwrap();
    op!(a.free(q)).unwrap();
    assert_eq!(op!(a.realloc(p, 30)), Ok(0));
    assert_eq!(layout(&a), vec![(0, 30, false), (30, 70, false)]);
    assert!(a.free_list().is_empty());
}

#[test]
fn realloc_grows_by_moving_copies_the_bytes_and_frees_the_old_block() {
    let mut a = fl(100, Strategy::FirstFit, 1, true);
    let p = op!(a.alloc(10)).unwrap();
    let _q = op!(a.alloc(10)).unwrap();
    op!(a.write(p, b"0123456789")).unwrap();
    let n = op!(a.realloc(p, 30)).unwrap();
    assert_eq!(n, 20);
    assert_eq!(a.last_searched(), 1);
    assert_eq!(
        layout(&a),
        vec![
            (0, 10, true),
            (10, 10, false),
            (20, 30, false),
            (50, 50, true)
        ]
    );
    let b = a.block_at(20).unwrap();
    assert_eq!((b.requested, b.seq), (30, Some(0)));
    assert_eq!(op!(a.read(20, 10)).unwrap(), b"0123456789");
    // The old block's bytes are left as they were (free does not scrub).
    assert_eq!(op!(a.read(0, 10)).unwrap(), b"0123456789");
    assert_eq!(a.next_seq(), 2);
    assert!(matches!(
        op!(a.free(p)),
        Err(AllocError::DoubleFree { offset: 0 })
    ));
}

#[test]
fn realloc_that_cannot_fit_changes_nothing() {
    let mut a = fl(100, Strategy::FirstFit, 1, true);
    let p = op!(a.alloc(40)).unwrap();
    op!(a.alloc(40)).unwrap();
    op!(a.write(p, &[9; 40])).unwrap();
    let before = state(&a);
    let seq = a.next_seq();
    let e = op!(a.realloc(p, 70)).unwrap_err();
    assert_eq!(
        e,
        AllocError::OutOfMemory {
            requested: 70,
            largest_free: 20
        }
    );
    assert_eq!(state(&a), before);
    assert_eq!(a.next_seq(), seq);
    assert_eq!(a.stats().failed_allocs, 1);
    assert_eq!(a.last_searched(), 1);
    // Bad arguments are refused as free and alloc would refuse them.
    assert_eq!(op!(a.realloc(p, 0)), Err(AllocError::ZeroSize));
    assert_eq!(
        op!(a.realloc(5, 10)),
        Err(AllocError::InvalidFree { offset: 5 })
    );
    assert_eq!(
        op!(a.realloc(90, 10)),
        Err(AllocError::DoubleFree { offset: 90 })
    );
    assert_eq!(state(&a), before);
    assert_eq!(a.stats().failed_allocs, 1);
}

// ----- bytes ---------------------------------------------------------------------------

#[test]
fn alloc_and_free_do_not_zero_the_bytes() {
    let mut a = fl(64, Strategy::FirstFit, 8, true);
    let p = op!(a.alloc(16)).unwrap();
    op!(a.write(p, &[0xAA; 16])).unwrap();
    op!(a.free(p)).unwrap();
    assert_eq!(op!(a.read(p, 16)).unwrap(), &[0xAA; 16]);
    let q = op!(a.alloc(16)).unwrap();
    assert_eq!(q, p);
    assert_eq!(op!(a.read(q, 16)).unwrap(), &[0xAA; 16]);
}

#[test]
fn alloc_zeroed_zeroes_the_whole_block_and_nothing_else() {
    let mut a = fl(64, Strategy::FirstFit, 8, true);
    let p = op!(a.alloc(24)).unwrap();
    op!(a.write(p, &[0xAA; 24])).unwrap();
    op!(a.free(p)).unwrap();
    // 10 bytes round to 16: all 16 are zeroed, the 8 after are not.
    let z = op!(a.alloc_zeroed(10)).unwrap();
    assert_eq!(z, 0);
    assert_eq!(op!(a.read(0, 16)).unwrap(), &[0; 16]);
    assert_eq!(op!(a.read(16, 8)).unwrap(), &[0xAA; 8]);
    assert_eq!(a.block_at(0).unwrap().requested, 10);
}

#[test]
fn write_stays_inside_one_live_block() {
    let mut a = fl(64, Strategy::FirstFit, 8, true);
    let p = op!(a.alloc(5)).unwrap();
    op!(a.alloc(8)).unwrap();
    // The whole granted block is writable, in the middle too.
    op!(a.write(p + 2, &[1; 6])).unwrap();
    assert_eq!(op!(a.read(0, 8)).unwrap(), &[0, 0, 1, 1, 1, 1, 1, 1]);
    let before = state(&a);
    // Into the next block: refused, nothing written.
    assert_eq!(
        op!(a.write(p + 4, &[2; 5])),
        Err(AllocError::OutOfBounds { offset: 4, len: 5 })
    );
    // Into free memory: refused.
    assert_eq!(
        op!(a.write(32, &[2])),
        Err(AllocError::OutOfBounds { offset: 32, len: 1 })
    );
    // Beyond the arena: refused.
    assert_eq!(
        op!(a.write(64, &[2])),
        Err(AllocError::OutOfBounds { offset: 64, len: 1 })
    );
    assert_eq!(state(&a), before);
}

// ----- errors --------------------------------------------------------------------------

#[test]
fn every_error_has_its_code_and_message_and_changes_nothing() {
    let mut a = fl(100, Strategy::FirstFit, 1, true);
    let p = op!(a.alloc(10)).unwrap();
    op!(a.write(p, b"0123456789")).unwrap();
    let before = state(&a);
    let seq = a.next_seq();

    let e = op!(a.alloc(200)).unwrap_err();
    assert_eq!(
        e,
        AllocError::OutOfMemory {
            requested: 200,
            largest_free: 90
        }
    );
    assert_eq!(e.code(), "out-of-memory");
    assert_eq!(
        e.to_string(),
        "out of memory: no free block holds 200 bytes (largest free block: 90 bytes)"
    );
    assert_eq!(state(&a), before);
    // A failed request still takes its number, as OSTEP's ptr[i] does.
    assert_eq!(a.next_seq(), seq + 1);

    let e = op!(a.free(5)).unwrap_err();
    assert_eq!(e, AllocError::InvalidFree { offset: 5 });
    assert_eq!(e.code(), "invalid-free");
    assert_eq!(
        e.to_string(),
        "invalid pointer: offset 5 is not the start of a live block"
    );
    assert_eq!(state(&a), before);
    assert_eq!(
        op!(a.free(1000)),
        Err(AllocError::InvalidFree { offset: 1000 })
    );

    let e = op!(a.free(50)).unwrap_err();
    assert_eq!(e, AllocError::DoubleFree { offset: 50 });
    assert_eq!(e.code(), "double-free");
    assert_eq!(
        e.to_string(),
        "double free: offset 50 is in free memory (freed already, or never handed out)"
    );
    assert_eq!(state(&a), before);
    assert_eq!(op!(a.free(10)), Err(AllocError::DoubleFree { offset: 10 }));

    let e = op!(a.alloc(0)).unwrap_err();
    assert_eq!(e, AllocError::ZeroSize);
    assert_eq!(e.code(), "zero-size");
    assert_eq!(e.to_string(), "zero-size request: ask for at least 1 byte");
    assert_eq!(op!(a.alloc_zeroed(0)), Err(AllocError::ZeroSize));
    assert_eq!(op!(a.alloc_aligned(0, 4)), Err(AllocError::ZeroSize));
    assert_eq!(state(&a), before);

    let e = op!(a.alloc_aligned(4, 3)).unwrap_err();
    assert_eq!(e, AllocError::BadAlign { align: 3 });
    assert_eq!(e.code(), "bad-align");
    assert_eq!(
        e.to_string(),
        "bad alignment 3: it must be a power of two no larger than the arena (in slab mode, one that a size class holding the request is a multiple of)"
    );
    assert_eq!(
        op!(a.alloc_aligned(4, 128)),
        Err(AllocError::BadAlign { align: 128 })
    );
    assert_eq!(state(&a), before);

    let e = a.read(95, 10).unwrap_err();
    assert_eq!(
        e,
        AllocError::OutOfBounds {
            offset: 95,
            len: 10
        }
    );
    assert_eq!(e.code(), "out-of-bounds");
    assert_eq!(
        e.to_string(),
        "out of bounds: 10 bytes at offset 95 leave the arena or the live block"
    );
    assert_eq!(
        op!(a.read(usize::MAX, 2)),
        Err(AllocError::OutOfBounds {
            offset: usize::MAX,
            len: 2
        })
    );
    assert_eq!(
        op!(a.write(8, b"abc")),
        Err(AllocError::OutOfBounds { offset: 8, len: 3 })
    );
    assert_eq!(state(&a), before);
    // Only the failed allocation was counted, and only OOM changes the counters.
    assert_eq!(a.stats().failed_allocs, 1);
    assert_eq!(a.next_seq(), seq + 1);

    let mut s = SlabAllocator::new(SlabConfig::default()).unwrap();
    op!(s.alloc(10)).unwrap();
    let before = heap_state(s.heap());
    let e = op!(s.alloc(65)).unwrap_err();
    assert_eq!(
        e,
        AllocError::TooLarge {
            requested: 65,
            max: 64
        }
    );
    assert_eq!(e.code(), "too-large");
    assert_eq!(
        e.to_string(),
        "request of 65 bytes is too large (at most 64 bytes can be served)"
    );
    assert_eq!(heap_state(s.heap()), before);
}

#[test]
fn bad_configs_are_refused_with_a_reason() {
    let cfg = |arena_size, align| Config {
        header: 0,
        arena_size,
        strategy: Strategy::FirstFit,
        align,
        coalesce: true,
    };
    let reason = |r: Result<FreeListAllocator, AllocError>| match r.unwrap_err() {
        e @ AllocError::BadConfig { .. } => {
            assert_eq!(e.code(), "bad-config");
            e.to_string()
        }
        e => panic!("expected BadConfig, got {e:?}"),
    };
    assert_eq!(
        reason(FreeListAllocator::new(cfg(0, 1))),
        "bad configuration: arena size 0 is out of range (1 to 1073741824 bytes)"
    );
    assert_eq!(
        reason(FreeListAllocator::new(cfg(MAX_ARENA + 1, 1))),
        "bad configuration: arena size 1073741825 is out of range (1 to 1073741824 bytes)"
    );
    assert_eq!(
        reason(FreeListAllocator::new(cfg(96, 3))),
        "bad configuration: align 3 is not a power of two"
    );
    assert_eq!(
        reason(FreeListAllocator::new(cfg(96, 0))),
        "bad configuration: align 0 is not a power of two"
    );
    assert_eq!(
        reason(FreeListAllocator::new(cfg(100, 8))),
        "bad configuration: arena size 100 is not a multiple of align 8: make it 96 or 104, or set align to 4"
    );
    assert_eq!(
        reason(FreeListAllocator::new(cfg(6, 8))),
        "bad configuration: arena size 6 is not a multiple of align 8: make it 8, or set align to 2"
    );
    assert!(FreeListAllocator::new(cfg(1, 1)).is_ok());

    let heap_reason = |c: HeapConfig| match Heap::new(c).unwrap_err() {
        AllocError::BadConfig { reason } => reason,
        e => panic!("expected BadConfig, got {e:?}"),
    };
    let base = HeapConfig::default();
    assert_eq!(base.classes, DEFAULT_CLASSES.to_vec());
    assert_eq!(base.slab_size, DEFAULT_SLAB_SIZE);
    assert_eq!(
        heap_reason(HeapConfig {
            classes: vec![],
            ..base.clone()
        }),
        "give between 1 and 16 size classes"
    );
    assert_eq!(
        heap_reason(HeapConfig {
            classes: (1..=17).map(|i| i * 8).collect(),
            ..base.clone()
        }),
        "give between 1 and 16 size classes"
    );
    assert_eq!(
        heap_reason(HeapConfig {
            classes: vec![32, 16],
            ..base.clone()
        }),
        "size classes must be strictly increasing"
    );
    assert_eq!(
        heap_reason(HeapConfig {
            classes: vec![16, 20],
            ..base.clone()
        }),
        "size class 20 is not a positive multiple of align 8"
    );
    assert_eq!(
        heap_reason(HeapConfig {
            slab_size: 100,
            ..base.clone()
        }),
        "slab size 100 must be a power of two no smaller than align 8"
    );
    assert_eq!(
        heap_reason(HeapConfig {
            classes: vec![16, 512],
            ..base.clone()
        }),
        "slab size 256 must hold the largest class (512) and at most 65535 chunks"
    );
    // The slab table holds a record per slab the arena could hold: at most
    // 2^24 (1 GiB in 64-byte slabs), so tinier slabs need a smaller arena.
    assert_eq!(
        heap_reason(HeapConfig {
            arena_size: MAX_ARENA,
            classes: vec![16, 32],
            slab_size: 32,
            ..base.clone()
        }),
        "slab size 32 is too small for an arena of 1073741824 bytes: it may hold at most 16777216 slabs"
    );
    for slab_size in [64, 256] {
        assert!(HeapConfig {
            arena_size: MAX_ARENA,
            classes: vec![16, 32, 64],
            slab_size,
            ..base.clone()
        }
        .validate()
        .is_ok());
    }
    assert!(HeapConfig {
        arena_size: MAX_ARENA / 2,
        classes: vec![16, 32],
        slab_size: 32,
        ..base.clone()
    }
    .validate()
    .is_ok());
    // A slab larger than the arena is allowed (as switching to slab mode
    // later is): every slab request then fails for lack of memory.
    let mut small = Heap::new(HeapConfig {
        arena_size: 128,
        mode: Mode::Slab,
        ..base.clone()
    })
    .unwrap();
    assert!(matches!(
        small.alloc(8),
        Err(AllocError::OutOfMemory { .. })
    ));
    small.check_invariants().unwrap();
    // The same slab size is fine while the heap is not in slab mode.
    assert!(Heap::new(HeapConfig {
        arena_size: 128,
        ..base.clone()
    })
    .is_ok());

    let slab_reason = |c: SlabConfig| match SlabAllocator::new(c).unwrap_err() {
        AllocError::BadConfig { reason } => reason,
        e => panic!("expected BadConfig, got {e:?}"),
    };
    assert_eq!(
        slab_reason(SlabConfig {
            classes: vec![64, 32],
            ..SlabConfig::default()
        }),
        "size classes must be strictly increasing"
    );
    assert_eq!(
        slab_reason(SlabConfig {
            arena_size: 1000,
            ..SlabConfig::default()
        }),
        "arena size 1000 is not a multiple of align 16: make it 992 or 1008, or set align to 8"
    );
    assert_eq!(
        slab_reason(SlabConfig {
            slab_size: 0,
            ..SlabConfig::default()
        }),
        "slab size 0 must be a power of two no smaller than align 16"
    );

    // Mode and strategy names.
    assert_eq!("BEST".parse::<Strategy>(), Ok(Strategy::BestFit));
    assert_eq!("next-fit".parse::<Mode>(), Ok(Mode::NextFit));
    assert_eq!("Slab".parse::<Mode>(), Ok(Mode::Slab));
    assert_eq!(
        "fastest".parse::<Mode>().unwrap_err().to_string(),
        "bad configuration: unknown strategy \"fastest\" (expected first-fit, next-fit, best-fit, worst-fit or slab)"
    );
}

// ----- stats ---------------------------------------------------------------------------

#[test]
fn stats_measure_fragmentation_and_peaks() {
    let mut a = fl(380, Strategy::FirstFit, 1, true);
    make_holes(&mut a, &[50, 100, 200], 10, Strategy::FirstFit);
    let s = a.stats();
    assert_eq!(s.arena_size, 380);
    assert_eq!(
        (s.used_bytes, s.free_bytes, s.requested_bytes),
        (30, 350, 30)
    );
    assert_eq!((s.used_blocks, s.free_blocks, s.largest_free), (3, 3, 200));
    assert!(close(s.external_fragmentation, 1.0 - 200.0 / 350.0));
    let l2 = 1.0 - ((50.0f64 * 50.0 + 100.0 * 100.0 + 200.0 * 200.0).sqrt() / 350.0);
    assert!(close(s.l2_fragmentation, l2));
    assert_eq!(s.internal_fragmentation, 0);
    assert!(close(s.utilization, 30.0 / 380.0));
    // Everything was allocated at once before the holes were freed.
    assert_eq!(
        (s.peak_used, s.peak_requested, s.high_water),
        (380, 380, 380)
    );
    assert!(close(s.peak_utilization, 1.0));
    assert_eq!(s.failed_allocs, 0);
    assert_eq!(s.largest_request, 200);
    // Free bytes in blocks too small for a request.
    assert!(close(a.unusable_free(80), 50.0 / 350.0));
    assert!(close(a.unusable_free(150), 150.0 / 350.0));
    assert!(close(a.unusable_free(201), 1.0));
    assert!(close(a.unusable_free(1), 0.0));

    assert!(op!(a.alloc(300)).is_err());
    assert!(op!(a.alloc(201)).is_err());
    let s = a.stats();
    assert_eq!(s.failed_allocs, 2);
    assert_eq!(s.last_searched, 3);

    // One free block: no external fragmentation; none free: 0 too.
    let mut a = fl(100, Strategy::FirstFit, 1, true);
    let p = op!(a.alloc(40)).unwrap();
    assert!(close(a.stats().external_fragmentation, 0.0));
    assert!(close(a.stats().l2_fragmentation, 0.0));
    op!(a.alloc(60)).unwrap();
    let s = a.stats();
    assert_eq!((s.free_bytes, s.largest_free), (0, 0));
    assert!(close(s.external_fragmentation, 0.0));
    assert!(close(s.l2_fragmentation, 0.0));
    assert!(close(a.unusable_free(10), 0.0));
    op!(a.free(p)).unwrap();
    let s = a.stats();
    assert_eq!((s.peak_used, s.high_water, s.used_bytes), (100, 100, 60));
}

#[test]
fn stats_count_internal_fragmentation_as_granted_minus_requested() {
    let mut a = fl(128, Strategy::FirstFit, 8, true);
    op!(a.alloc(5)).unwrap();
    let q = op!(a.alloc(13)).unwrap();
    let s = a.stats();
    assert_eq!((s.used_bytes, s.requested_bytes), (24, 18));
    assert_eq!(s.internal_fragmentation, 6);
    op!(a.free(q)).unwrap();
    assert_eq!(a.stats().internal_fragmentation, 3);
    assert_eq!(a.stats().peak_requested, 18);
    assert_eq!(a.stats().peak_used, 24);
    assert_eq!(a.stats().high_water, 24);
}

// ----- slab ----------------------------------------------------------------------------

#[test]
fn slab_rounds_to_the_smallest_class_and_carves_slabs_on_demand() {
    let mut s = SlabAllocator::new(SlabConfig::default()).unwrap();
    assert_eq!(s.blocks().len(), 1);
    let a = op!(s.alloc(10)).unwrap();
    let b = op!(s.alloc(16)).unwrap();
    assert_eq!((a, b), (0, 16));
    let c = op!(s.alloc(17)).unwrap();
    assert_eq!(c, 256);
    let d = op!(s.alloc(33)).unwrap();
    assert_eq!(d, 512);

    let blocks = s.blocks();
    // 16 chunks of 16, 8 of 32, 4 of 64, then the rest of the arena.
    assert_eq!(blocks.len(), 16 + 8 + 4 + 1);
    assert!(blocks[..16]
        .iter()
        .all(|b| b.class == Some(16) && b.size == 16));
    assert!(blocks[16..24]
        .iter()
        .all(|b| b.class == Some(32) && b.size == 32));
    assert!(blocks[24..28]
        .iter()
        .all(|b| b.class == Some(64) && b.size == 64));
    assert_eq!(
        blocks[0],
        Block {
            offset: 0,
            size: 16,
            free: false,
            requested: 10,
            seq: Some(0),
            class: Some(16),
            padding: false
        }
    );
    assert_eq!((blocks[1].offset, blocks[1].requested), (16, 16));
    assert!(blocks[2].free && blocks[2].seq.is_none());
    assert_eq!(
        (blocks[16].offset, blocks[16].requested, blocks[16].seq),
        (256, 17, Some(2))
    );
    assert_eq!(
        (blocks[24].offset, blocks[24].requested, blocks[24].seq),
        (512, 33, Some(3))
    );
    let tail = blocks[28];
    assert_eq!(
        (tail.offset, tail.size, tail.free, tail.class),
        (768, 256, true, None)
    );

    let st = s.stats();
    assert_eq!(st.used_bytes, 16 + 16 + 32 + 64);
    assert_eq!(st.requested_bytes, 10 + 16 + 17 + 33);
    // (16 - 10) + (16 - 16) + (32 - 17) + (64 - 33)
    assert_eq!(st.internal_fragmentation, 52);
    assert_eq!(st.free_bytes, 1024 - 128);
    assert_eq!((st.used_blocks, st.free_blocks), (4, 14 + 7 + 3 + 1));
    assert_eq!(st.largest_free, 256);
    assert_eq!(st.largest_request, 64);

    // Freed chunks are reused first (the free stack's top).
    op!(s.free(b)).unwrap();
    assert_eq!(op!(s.alloc(1)), Ok(16));

    // The 64-byte slab empties and goes back to the arena, merging with the tail.
    op!(s.free(d)).unwrap();
    let fl = s.heap().free_list_allocator();
    assert_eq!(fl.free_list(), vec![(512, 512)]);
    assert_eq!(s.blocks().len(), 16 + 8 + 1);
    op!(s.free(c)).unwrap();
    assert_eq!(s.heap().free_list_allocator().free_list(), vec![(256, 768)]);
    op!(s.free(16)).unwrap();
    op!(s.free(a)).unwrap();
    let blocks = s.blocks();
    assert_eq!(blocks.len(), 1);
    assert_eq!(
        (blocks[0].offset, blocks[0].size, blocks[0].free),
        (0, 1024, true)
    );
    assert_eq!(s.stats().peak_used, 128);
}

#[test]
fn slab_internal_fragmentation_is_granted_minus_requested() {
    let mut s = SlabAllocator::new(SlabConfig::default()).unwrap();
    let mut granted = 0;
    let mut requested = 0;
    for size in [1, 15, 16, 17, 31, 33, 64] {
        op!(s.alloc(size)).unwrap();
        requested += size;
        granted += DEFAULT_CLASSES.iter().find(|&&c| c >= size).unwrap();
        let st = s.stats();
        assert_eq!(st.internal_fragmentation, granted - requested);
        assert_eq!(st.used_bytes, granted);
    }
}

#[test]
fn slab_requests_beyond_the_largest_class_are_too_large() {
    let mut s = SlabAllocator::new(SlabConfig::default()).unwrap();
    op!(s.alloc(64)).unwrap();
    let before = heap_state(s.heap());
    let seq = s.heap().next_seq();
    assert_eq!(
        op!(s.alloc(65)),
        Err(AllocError::TooLarge {
            requested: 65,
            max: 64
        })
    );
    assert_eq!(heap_state(s.heap()), before);
    // The refused request was numbered and counted (as the session relies on).
    assert_eq!(s.heap().next_seq(), seq + 1);
    assert_eq!(s.stats().failed_allocs, 1);
    assert_eq!(op!(s.alloc(0)), Err(AllocError::ZeroSize));
    assert_eq!(s.heap().next_seq(), seq + 1);
}

#[test]
fn slab_runs_out_when_no_slab_can_be_carved() {
    let mut s = SlabAllocator::new(SlabConfig {
        arena_size: 512,
        ..SlabConfig::default()
    })
    .unwrap();
    assert_eq!(op!(s.alloc(10)), Ok(0));
    assert_eq!(op!(s.alloc(20)), Ok(256));
    let before = heap_state(s.heap());
    // A 64-byte chunk needs a new slab: the whole slab is what is requested.
    assert_eq!(
        op!(s.alloc(40)),
        Err(AllocError::OutOfMemory {
            requested: 256,
            largest_free: 0
        })
    );
    assert_eq!(heap_state(s.heap()), before);
    assert_eq!(s.stats().failed_allocs, 1);
    // Only classes with a free chunk can still be served.
    assert_eq!(s.stats().largest_request, 32);
    assert_eq!(op!(s.alloc(30)), Ok(288));
}

#[test]
fn slab_double_and_invalid_frees_are_refused() {
    let mut s = SlabAllocator::new(SlabConfig::default()).unwrap();
    let a = op!(s.alloc(10)).unwrap();
    let b = op!(s.alloc(10)).unwrap();
    op!(s.free(b)).unwrap();
    let before = heap_state(s.heap());
    assert_eq!(op!(s.free(b)), Err(AllocError::DoubleFree { offset: 16 }));
    // A free chunk that was never handed out.
    assert_eq!(op!(s.free(48)), Err(AllocError::DoubleFree { offset: 48 }));
    // Not a chunk start.
    assert_eq!(op!(s.free(8)), Err(AllocError::InvalidFree { offset: 8 }));
    assert_eq!(
        op!(s.free(a + 1)),
        Err(AllocError::InvalidFree { offset: 1 })
    );
    // Outside any slab: the free list answers.
    assert_eq!(
        op!(s.free(600)),
        Err(AllocError::DoubleFree { offset: 600 })
    );
    assert_eq!(
        op!(s.free(5000)),
        Err(AllocError::InvalidFree { offset: 5000 })
    );
    assert_eq!(heap_state(s.heap()), before);
    op!(s.free(a)).unwrap();
    // The slab is gone; its start is now inside a free block.
    assert_eq!(op!(s.free(a)), Err(AllocError::DoubleFree { offset: 0 }));
}

#[test]
fn slab_with_an_uneven_class_shows_the_unusable_tail() {
    // 48-byte chunks: five per 256-byte slab, 16 bytes left over.
    let mut s = SlabAllocator::new(SlabConfig {
        arena_size: 1024,
        classes: vec![48],
        slab_size: 256,
    })
    .unwrap();
    assert_eq!(op!(s.alloc(48)), Ok(0));
    let blocks = s.blocks();
    assert_eq!(blocks.len(), 5 + 1 + 1);
    let tail = blocks[5];
    assert_eq!(
        (tail.offset, tail.size, tail.free, tail.seq, tail.class),
        (240, 16, false, None, Some(48))
    );
    assert_eq!(
        op!(s.free(240)),
        Err(AllocError::InvalidFree { offset: 240 })
    );
    let st = s.stats();
    // The tail counts as used, and as internal fragmentation.
    assert_eq!(st.used_bytes, 48 + 16);
    assert_eq!(st.internal_fragmentation, 16);
}

// ----- heap: mixed mode ------------------------------------------------------------------

#[test]
fn heap_in_mixed_mode_keeps_blocks_and_chunks_side_by_side() {
    let mut h = Heap::new(HeapConfig::default()).unwrap();
    let p = op!(h.alloc(100)).unwrap();
    assert_eq!(p, 0);
    op!(h.set_mode(Mode::Slab));
    assert_eq!(h.mode(), Mode::Slab);
    let q = op!(h.alloc(10)).unwrap();
    // The slab sits at the next multiple of 256; the gap is padding.
    assert_eq!(q, 256);
    let blocks = h.blocks();
    assert_eq!(blocks.len(), 1 + 1 + 16 + 1);
    assert_eq!(
        (blocks[0].offset, blocks[0].size, blocks[0].free),
        (0, 104, false)
    );
    assert_eq!(
        (
            blocks[1].offset,
            blocks[1].size,
            blocks[1].free,
            blocks[1].padding
        ),
        (104, 152, true, true)
    );
    assert_eq!(
        (blocks[2].offset, blocks[2].class, blocks[2].seq),
        (256, Some(16), Some(1))
    );
    assert_eq!(
        (blocks[18].offset, blocks[18].size, blocks[18].free),
        (512, 512, true)
    );

    op!(h.set_mode(Mode::BestFit));
    assert_eq!(h.config().mode, Mode::BestFit);
    // Best fit between the 152 of padding and the 512: the padding.
    let r = op!(h.alloc(100)).unwrap();
    assert_eq!(r, 104);
    assert_eq!(h.last_searched(), 2);
    let blocks = h.blocks();
    assert_eq!(
        blocks
            .iter()
            .filter(|b| !b.free)
            .map(|b| b.offset)
            .collect::<Vec<_>>(),
        vec![0, 104, 256]
    );
    let rest = blocks.iter().find(|b| b.offset == 208).unwrap();
    assert_eq!((rest.size, rest.free, rest.padding), (48, true, false));

    // Switching modes moved nothing.
    for m in Mode::ALL {
        op!(h.set_mode(m));
        assert_eq!(h.blocks(), blocks);
    }

    // A chunk is freed whatever the mode; its empty slab merges back.
    op!(h.set_mode(Mode::FirstFit));
    op!(h.free(q)).unwrap();
    assert_eq!(h.free_list_allocator().free_list(), vec![(208, 816)]);
    op!(h.free(p)).unwrap();
    op!(h.free(r)).unwrap();
    assert_eq!(h.blocks().len(), 1);
    let s = h.stats();
    assert_eq!((s.used_bytes, s.free_bytes), (0, 1024));
    assert_eq!(s.peak_used, 104 + 16 + 104);
}

#[test]
fn heap_realloc_moves_a_chunk_into_the_free_list_and_keeps_its_seq() {
    let mut h = Heap::new(HeapConfig {
        mode: Mode::Slab,
        ..HeapConfig::default()
    })
    .unwrap();
    let c = op!(h.alloc(10)).unwrap();
    assert_eq!(c, 0);
    op!(h.write(c, b"chunkbytes")).unwrap();
    // Within the class: stays.
    assert_eq!(op!(h.realloc(c, 16)), Ok(0));
    assert_eq!(h.live_block(0).unwrap().requested, 16);
    // Beyond the class, in slab mode: a bigger class, bytes copied.
    let d = op!(h.realloc(c, 20)).unwrap();
    assert_eq!(d, 256);
    assert_eq!(op!(h.read(d, 10)).unwrap(), b"chunkbytes");
    assert_eq!(h.live_block(d).unwrap().seq, Some(0));
    assert_eq!(h.live_block(d).unwrap().class, Some(32));
    // The 16-byte slab emptied and went back.
    assert_eq!(
        h.free_list_allocator().free_list(),
        vec![(0, 256), (512, 512)]
    );
    // Beyond every class in slab mode: too large, nothing changes.
    let before = heap_state(&h);
    assert_eq!(
        op!(h.realloc(d, 100)),
        Err(AllocError::TooLarge {
            requested: 100,
            max: 64
        })
    );
    assert_eq!(heap_state(&h), before);
    // In a free-list mode it moves into an ordinary block.
    op!(h.set_mode(Mode::FirstFit));
    let e = op!(h.realloc(d, 100)).unwrap();
    assert_eq!(e, 0);
    let b = h.live_block(e).unwrap();
    assert_eq!(
        (b.size, b.class, b.seq, b.requested),
        (104, None, Some(0), 100)
    );
    assert_eq!(op!(h.read(e, 10)).unwrap(), b"chunkbytes");
    assert_eq!(h.free_list_allocator().free_list(), vec![(104, 920)]);
    // Writes stay inside the chunk or block.
    assert_eq!(
        op!(h.write(e + 100, &[0; 5])),
        Err(AllocError::OutOfBounds {
            offset: 100,
            len: 5
        })
    );
}

#[test]
fn heap_calloc_zeroes_a_chunk() {
    let mut h = Heap::new(HeapConfig {
        mode: Mode::Slab,
        ..HeapConfig::default()
    })
    .unwrap();
    let c = op!(h.alloc(16)).unwrap();
    op!(h.write(c, &[0xFF; 16])).unwrap();
    // Writing past the chunk is refused.
    assert_eq!(
        op!(h.write(c + 8, &[1; 9])),
        Err(AllocError::OutOfBounds { offset: 8, len: 9 })
    );
    let keep = op!(h.alloc(16)).unwrap();
    op!(h.free(c)).unwrap();
    let z = op!(h.alloc_zeroed(3)).unwrap();
    assert_eq!(z, c);
    assert_eq!(op!(h.read(z, 16)).unwrap(), &[0; 16]);
    assert_ne!(keep, z);
}

// ----- script ----------------------------------------------------------------------------

#[test]
fn script_parses_every_op_form_with_comments() {
    let text = "# an op list\n\
                +10, +20@64 c8\n\
                -0 # free ptr[0]\n\
                \n\
                r1:40; w1=deadBEEF w1@4=00ff\n\
                @best-fit @slab @coalesce @no-coalesce @merge @Worst-Fit @first\n";
    let s = script::parse(text).unwrap();
    let expect = vec![
        Op::Alloc { size: 10 },
        Op::AllocAligned {
            size: 20,
            align: 64,
        },
        Op::Calloc { size: 8 },
        Op::Free { ptr: 0 },
        Op::Realloc { ptr: 1, size: 40 },
        Op::Write {
            ptr: 1,
            at: 0,
            bytes: vec![0xde, 0xad, 0xbe, 0xef],
        },
        Op::Write {
            ptr: 1,
            at: 4,
            bytes: vec![0x00, 0xff],
        },
        Op::SetMode {
            mode: Mode::BestFit,
        },
        Op::SetMode { mode: Mode::Slab },
        Op::SetCoalesce { on: true },
        Op::SetCoalesce { on: false },
        Op::MergeAll,
        Op::SetMode {
            mode: Mode::WorstFit,
        },
        Op::SetMode {
            mode: Mode::FirstFit,
        },
    ];
    assert_eq!(s.ops, expect);
    assert_eq!(s.lines, vec![2, 2, 2, 3, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6]);
    assert_eq!(
        s.ops.iter().map(Op::is_alloc).collect::<Vec<_>>(),
        [true, true, true]
            .into_iter()
            .chain([false; 11])
            .collect::<Vec<_>>()
    );

    let text = script::format(&s.ops);
    assert_eq!(
        text,
        "+10,+20@64,c8,-0,r1:40,w1=deadbeef,w1@4=00ff,@best-fit,@slab,@coalesce,@no-coalesce,@merge,@worst-fit,@first-fit"
    );
    let again = script::parse(&text).unwrap();
    assert_eq!(again.ops, expect);
    assert_eq!(again.lines, vec![1; expect.len()]);

    assert_eq!(script::parse("").unwrap(), Script::default());
    assert!(script::parse("# nothing\n\n  ,, \n")
        .unwrap()
        .ops
        .is_empty());
    assert_eq!(
        script::parse("+1\r\n-0\r\n").unwrap().lines,
        vec![1, 2],
        "CRLF lines"
    );
}

#[test]
fn script_errors_name_the_line_and_column() {
    let err = script::parse("+10,\n+x").unwrap_err();
    assert_eq!((err.line, err.column), (2, 1));
    assert_eq!(err.message, "expected a size in \"+x\"");
    assert_eq!(
        err.to_string(),
        "line 2, column 1: expected a size in \"+x\""
    );

    let cases: &[(&str, usize, usize, &str)] = &[
        ("+10, +0", 1, 6, "size must be at least 1 in \"+0\""),
        (
            "  +1   x",
            1,
            8,
            "unknown op \"x\" (expected +N, -K, cN, rK:N, wK=HEX or @mode)",
        ),
        (
            "+1\n+2\n+8@3",
            3,
            1,
            "alignment in \"+8@3\" is not a power of two",
        ),
        ("+8@x", 1, 1, "expected an alignment in \"+8@x\""),
        ("r1", 1, 1, "expected rK:N in \"r1\""),
        ("r1:0", 1, 1, "size must be at least 1 in \"r1:0\""),
        ("w0", 1, 1, "expected wK=HEX in \"w0\""),
        (
            "w0=abc",
            1,
            1,
            "expected an even number of hex digits (1 to 4096 bytes) in \"w0=abc\"",
        ),
        (
            "w0=",
            1,
            1,
            "expected an even number of hex digits (1 to 4096 bytes) in \"w0=\"",
        ),
        ("w0=zz", 1, 1, "bad hex digits in \"w0=zz\""),
        ("w0@x=00", 1, 1, "expected an offset in \"w0@x=00\""),
        ("@fastest", 1, 1, "unknown directive \"@fastest\""),
        ("-", 1, 1, "expected a pointer index in \"-\""),
        ("-1x", 1, 1, "expected a pointer index in \"-1x\""),
        (
            "+2000000000",
            1,
            1,
            "a size in \"+2000000000\" is too large (at most 1073741824)",
        ),
        (
            "+4294967297",
            1,
            1,
            "a size in \"+4294967297\" is too large (at most 1073741824)",
        ),
        (
            "-9999999999",
            1,
            1,
            "a pointer index in \"-9999999999\" is too large (at most 1073741824)",
        ),
        ("+5 # ok\n\n-0, c", 3, 5, "expected a size in \"c\""),
    ];
    for &(text, line, column, message) in cases {
        let e = script::parse(text).unwrap_err();
        assert_eq!(
            (e.line, e.column, e.message.as_str()),
            (line, column, message),
            "{text:?}"
        );
    }
}

// ----- rep -------------------------------------------------------------------------------

#[test]
fn rep_trace_converts_to_ptr_ops() {
    let text = "20000\n2\n5\n1\na 0 10\na 1 20\nf 0\nf -1\nr 1 40\n";
    let t = rep::parse(text).unwrap();
    assert_eq!(
        (t.header, t.num_ids, t.num_ops),
        (
            rep::Header::CsApp {
                heap_hint: 20000,
                weight: 1
            },
            2,
            5
        )
    );
    // 10 and 20 live at once, then 20 grows to 40 once 10 is freed.
    assert_eq!(t.peak_payload, 40);
    assert!(t.hint_holds());
    assert_eq!(
        t.script.ops,
        vec![
            Op::Alloc { size: 10 },
            Op::Alloc { size: 20 },
            Op::Free { ptr: 0 },
            Op::Realloc { ptr: 1, size: 40 },
        ]
    );
    assert_eq!(t.script.lines, vec![5, 6, 7, 9]);
    assert_eq!(t.ptr_ids, vec![0, 1]);

    let mut s = session(1024, Mode::FirstFit, 8, true);
    let report = op!(s.replay(&t.script)).unwrap();
    assert_eq!(
        report,
        ReplayReport {
            ops: 4,
            allocs: 2,
            frees: 1,
            reallocs: 1,
            failed: 0,
            too_large: 0,
            searched: 2
        }
    );
    assert_eq!(s.ptrs(), &[Ptr::Freed, Ptr::Live(16)]);
    let b = s.heap().live_block(16).unwrap();
    assert_eq!((b.size, b.requested, b.seq), (40, 40, Some(1)));
}

#[test]
fn rep_reused_ids_get_new_pointers_and_realloc_of_a_dead_id_allocates() {
    let text = "0\n2\n5\n0\n\na 0 10\nf 0\na 0 5\nr 1 7\nf 1\n";
    let t = rep::parse(text).unwrap();
    assert_eq!(
        t.script.ops,
        vec![
            Op::Alloc { size: 10 },
            Op::Free { ptr: 0 },
            Op::Alloc { size: 5 },
            Op::Alloc { size: 7 },
            Op::Free { ptr: 2 },
        ]
    );
    assert_eq!(t.ptr_ids, vec![0, 0, 1]);
    // Blank lines are skipped but still counted for line numbers.
    assert_eq!(t.script.lines, vec![6, 7, 8, 9, 10]);
}

#[test]
fn malloc_py_range_takes_the_largest_request_and_says_its_limit() {
    // -r N draws 1 ..= N bytes: N may be the largest request the playground takes.
    let run = transcript::parse_command("malloc.py -S 1024 -r 1073741824 -n 20 -s 3").unwrap();
    let draw = run.draw.expect("drawn");
    assert_eq!(draw.range, script::MAX_SIZE);
    assert!(draw.check().is_ok());
    let too_far = transcript::Draw {
        range: script::MAX_SIZE + 1,
        ..draw
    };
    assert_eq!(
        too_far.check().unwrap_err(),
        "-r 1073741825: at most 1,073,741,824 is taken"
    );
}

#[test]
fn slab_classes_follow_an_alignment_above_them_and_keep_their_count() {
    // Classes that suit the alignment stay as they are.
    assert_eq!(
        fit_to_align(&DEFAULT_CLASSES, 256, 8),
        (DEFAULT_CLASSES.to_vec(), 256)
    );
    assert_eq!(
        fit_to_align(&DEFAULT_CLASSES, 256, 16),
        (DEFAULT_CLASSES.to_vec(), 256)
    );
    // Rounded up to multiples; rounding that makes two equal doubles the largest instead.
    assert_eq!(
        fit_to_align(&DEFAULT_CLASSES, 256, 32),
        (vec![32, 64, 128], 256)
    );
    assert_eq!(
        fit_to_align(&DEFAULT_CLASSES, 256, 64),
        (vec![64, 128, 256], 256)
    );
    // The slab grows to the power of two that holds the largest class.
    assert_eq!(
        fit_to_align(&DEFAULT_CLASSES, 256, 128),
        (vec![128, 256, 512], 512)
    );
    assert_eq!(fit_to_align(&[24, 40], 64, 16), (vec![32, 48], 64));
    // Each result builds a heap (where the arena holds a slab).
    for align in [1, 2, 4, 8, 16, 32, 64, 128, 256, 1024, 4096] {
        let (classes, slab_size) = fit_to_align(&DEFAULT_CLASSES, DEFAULT_SLAB_SIZE, align);
        let config = HeapConfig {
            arena_size: 1 << 16,
            mode: Mode::Slab,
            align,
            classes,
            slab_size,
            ..HeapConfig::default()
        };
        let mut heap = Heap::new(config).unwrap_or_else(|e| panic!("align {align}: {e}"));
        let p = heap.alloc(1).unwrap();
        assert_eq!(p % align, 0);
        heap.check_invariants().unwrap();
    }
    // A bad alignment or bad classes come back unchanged, for the heap to refuse (no panic, no division by 0).
    assert_eq!(
        fit_to_align(&DEFAULT_CLASSES, 256, 0),
        (DEFAULT_CLASSES.to_vec(), 256)
    );
    assert_eq!(
        fit_to_align(&DEFAULT_CLASSES, 256, 24),
        (DEFAULT_CLASSES.to_vec(), 256)
    );
    let huge = fit_to_align(&[usize::MAX - 1, usize::MAX], 1, 1 << 20);
    assert_eq!(huge, (vec![usize::MAX - 1, usize::MAX], 1));
}

#[test]
fn slab_classes_under_a_huge_alignment_stop_at_the_largest_arena() {
    // Nothing above MAX_ARENA: fewer classes rather than ones no arena holds
    // (these once came out as 2^31 and a saturated usize::MAX).
    assert_eq!(
        fit_to_align(&DEFAULT_CLASSES, DEFAULT_SLAB_SIZE, MAX_ARENA / 2),
        (vec![MAX_ARENA / 2, MAX_ARENA], MAX_ARENA)
    );
    assert_eq!(
        fit_to_align(&DEFAULT_CLASSES, DEFAULT_SLAB_SIZE, MAX_ARENA),
        (vec![MAX_ARENA], MAX_ARENA)
    );
    // Each is a configuration a heap takes (an arena as large as its alignment), and gives back.
    for align in [MAX_ARENA / 2, MAX_ARENA] {
        let (classes, slab_size) = fit_to_align(&DEFAULT_CLASSES, DEFAULT_SLAB_SIZE, align);
        assert!(classes.iter().all(|&c| c <= MAX_ARENA && c % align == 0));
        let config = HeapConfig {
            arena_size: align,
            align,
            classes,
            slab_size,
            ..HeapConfig::default()
        };
        let heap = Heap::new(config.clone()).unwrap_or_else(|e| panic!("align {align}: {e}"));
        assert_eq!(heap.config(), config);
        assert_eq!(
            fit_to_align(&config.classes, config.slab_size, align),
            (config.classes.clone(), config.slab_size)
        );
    }
}

#[test]
fn an_error_quotes_at_most_a_few_hundred_characters_of_a_huge_bad_token() {
    let huge = "x".repeat(1 << 20);
    let errors = [
        script::parse(&format!("+1,{huge}")).unwrap_err(),
        script::parse(&format!("+1,w0={huge}")).unwrap_err(),
        rep::parse(&format!("{huge}\n1\n1\n1\na 0 1\n")).unwrap_err(),
        transcript::parse_command(&format!("malloc.py -Z{huge}")).unwrap_err(),
    ];
    for e in errors {
        assert!(
            e.message.chars().count() <= script::MAX_MESSAGE + 1,
            "{} chars",
            e.message.len()
        );
        assert!(e.message.ends_with('…'), "{}", &e.message[..60]);
        assert!(
            e.message.contains("xxxx"),
            "it still quotes the start: {}",
            &e.message[..60]
        );
    }
    // A short message is left whole.
    let e = script::parse("+1,zz").unwrap_err();
    assert!(!e.message.ends_with('…'), "{}", e.message);
}

#[test]
fn replay_until_runs_a_prefix_and_the_rest_runs_on_as_if_in_one_go() {
    let text = workload::generate(&WorkloadConfig {
        ops: 500,
        ..WorkloadConfig::default()
    })
    .unwrap();
    let script = Script::from_ops(text);
    let mut whole = session(1 << 16, Mode::BestFit, 8, true);
    whole.replay(&script).unwrap();
    let mut parts = session(1 << 16, Mode::BestFit, 8, true);
    let mut asked = 0;
    let mut at = 0;
    while at < script.ops.len() {
        let rest = Script::from_ops(script.ops[at..].to_vec());
        // Stop at the third time it asks: 16 ops a question, so 48 (or the rest).
        let mut n = 0;
        let rep = op!(parts.replay_until(&rest, || {
            asked += 1;
            n += 1;
            n == 3
        }))
        .unwrap();
        assert_eq!(rep.ops, (script.ops.len() - at).min(48));
        at += rep.ops;
    }
    assert!(asked > 20);
    assert_eq!(parts.log(), whole.log());
    assert_eq!(parts.heap().blocks(), whole.heap().blocks());
    // A bad op anywhere in the list: nothing runs.
    let before = parts.log().len();
    let bad = script::parse("+8,+8,-999").unwrap();
    assert!(parts.replay_until(&bad, || false).is_err());
    assert_eq!(parts.log().len(), before);
}

#[test]
fn rep_and_op_lists_saved_with_a_byte_order_mark_or_crlf_parse_as_without() {
    let plain = "20000\n2\n5\n1\na 0 10\na 1 20\nf 0\nf -1\nr 1 40\n";
    let want = rep::parse(plain).unwrap();
    for text in [
        format!("\u{feff}{plain}"),
        plain.replace('\n', "\r\n"),
        format!("\u{feff}{}", plain.replace('\n', "\r\n")),
    ] {
        assert_eq!(rep::parse(&text).unwrap(), want, "{text:?}");
    }
    let ops = script::parse("+10,+20\n-0").unwrap();
    for text in ["\u{feff}+10,+20\n-0", "\u{feff}+10,+20\r\n-0\r\n"] {
        assert_eq!(script::parse(text).unwrap(), ops, "{text:?}");
    }
    // Only a leading mark is skipped; the column of an error after it counts from the text after it.
    let e = script::parse("\u{feff}+10,x").unwrap_err();
    assert_eq!((e.line, e.column), (1, 5), "{e}");
    assert!(script::parse("+10,\u{feff}+20").is_err());
    assert!(rep::parse(&format!("{plain}\u{feff}")).is_err());
}

#[test]
fn rep_reads_cmu_headers_and_judges_a_heap_hint_by_the_peak_payload() {
    // CMU 15-213's later form (its traces/README's example): weight 1, 3 ids,
    // 8 ops, 896 bytes at the peak. Not a 1-byte heap hint.
    let cmu = "1\n3\n8\n896\na 0 512\na 1 128\nr 0 640\na 2 128\nf 1\nr 0 768\nf 0\nf 2\n";
    let t = rep::parse(cmu).unwrap();
    assert_eq!(
        t.header,
        rep::Header::Cmu {
            weight: 1,
            peak_bytes: 896
        }
    );
    assert_eq!(
        (t.heap_hint(), t.weight(), t.hint_holds()),
        (None, 1, false)
    );
    // 640 + 128 + 128 after the third alloc: the header's own figure.
    assert_eq!(t.peak_payload, 896);
    // The same ops under a CS:APP header whose hint is a course copy's 1:
    // a hint, but one that cannot hold the trace.
    let t = rep::parse(&cmu.replacen("1\n3\n8\n896", "1\n3\n8\n1", 1)).unwrap();
    assert_eq!(
        (t.heap_hint(), t.weight(), t.hint_holds()),
        (Some(1), 1, false)
    );
    let t = rep::parse(&cmu.replacen("1\n3\n8\n896", "896\n3\n8\n1", 1)).unwrap();
    assert_eq!((t.heap_hint(), t.hint_holds()), (Some(896), true));
    let t = rep::parse(&cmu.replacen("1\n3\n8\n896", "895\n3\n8\n1", 1)).unwrap();
    assert!(!t.hint_holds());
    // A peak past 32 bits (CMU's largemem traces) is read, not refused.
    let t = rep::parse("1\n1\n2\n38654727413\na 0 8\nf 0\n").unwrap();
    assert_eq!(
        t.header,
        rep::Header::Cmu {
            weight: 1,
            peak_bytes: 38654727413
        }
    );
    assert_eq!(t.peak_payload, 8);
}

#[test]
fn rep_header_numbers_may_share_a_line_and_lines_may_end_in_a_lone_cr() {
    let plain = rep::parse("20000\n2\n3\n1\na 0 10\na 1 20\nf 0\n").unwrap();
    let one_line = rep::parse("20000 2 3 1\na 0 10\na 1 20\nf 0\n").unwrap();
    assert_eq!(
        one_line.script.ops,
        rep::parse("20000\n2 3\n1\na 0 10\na 1 20\nf 0\n")
            .unwrap()
            .script
            .ops
    );
    assert_eq!(
        (one_line.header, one_line.script.ops.clone()),
        (plain.header, plain.script.ops.clone())
    );
    // Old Mac line ends: the same ops, on the same line numbers.
    let cr = rep::parse("20000\r2\r3\r1\ra 0 10\ra 1 20\rf 0\r").unwrap();
    assert_eq!(cr, plain);
    let e = rep::parse("20000\r2\r3\r1\ra 0 10\ra 5 20\rf 0\r").unwrap_err();
    assert_eq!(e.line, 6);
}

#[test]
fn a_text_looks_like_a_trace_by_its_header_numbers_then_an_op() {
    for text in [
        "20000\n2\n3\n1\na 0 10\n",
        "# note\n\n20000 2 3 1\r\nf 0\n",
        "6\n12\na 0 2040\n",
        "1\n0\n0\n0\n",
        "\u{feff}20000\n2\n3\n1\nx 0 10\n",
    ] {
        assert!(rep::looks_like(text), "{text:?}");
    }
    for text in [
        "+10,-0",
        "8\n+16\n",
        "20000\na 0 10\n",
        "1\n2\n3\n4 5\na 0 1\n",
        "20000\nabc\n",
        "",
        "./malloc.py -n 10",
    ] {
        assert!(!rep::looks_like(text), "{text:?}");
    }
}

#[test]
fn rep_errors_name_the_line() {
    let cases: &[(&str, usize, &str)] = &[
        (
            "20000\nabc\n1\n1\na 0 1\n",
            2,
            "header number (number of ids) must be a whole number, found \"abc\"",
        ),
        ("20000\n2\n", 3, "missing header number: number of ops"),
        (
            "100\n1\n1\n1\nx 0 5\n",
            5,
            "unknown op \"x\" (expected a, f or r)",
        ),
        (
            "100\n1\n1\n1\na 1 5\n",
            5,
            "id 1 is out of range: the header declares 1 id, so only id 0",
        ),
        (
            "100\n1\n2\n1\na 0 5\n",
            3,
            "the header announces 2 ops but the trace has 1",
        ),
        (
            "100\n1\n1\n1\na 0 5\nf 0\n",
            6,
            "more ops than the header's 1",
        ),
        (
            "100\n2\n1\n1\nf 1\n",
            5,
            "f 1 frees id 1, but it was never allocated",
        ),
        (
            "100\n1\n3\n1\na 0 5\n\nf 0\nf 0\n",
            8,
            "f 0 frees id 0, but it was freed already, at line 7",
        ),
        ("100\n1\n2\n1\na 0 5\na 0 6\n", 6, "id 0 is allocated twice"),
        (
            "100\n1\n3\n1\na 0 10\nf 0\nr 0 20\n",
            7,
            "r 0 reallocs id 0, which was freed at line 6 (its pointer dangles; realloc(NULL, n) is for an id never allocated)",
        ),
        (
            "100\n1\n3\n1\na 0 10\nr 0 0\nr 0 20\n",
            7,
            "r 0 reallocs id 0, which was freed at line 6 (its pointer dangles; realloc(NULL, n) is for an id never allocated)",
        ),
        (
            "100\n1\n1\n1\na 0 0\n",
            5,
            "size 0: malloc(0) is not supported here (a request is 1 to 1073741824 bytes)",
        ),
        ("100\n1\n1\n1\na 0 -3\n", 5, "size -3 is out of range (1 to 1073741824)"),
        // The op is read before its id: a typo in the op says so.
        (
            "100\n1\n1\n1\na0 10\n",
            5,
            "unknown op \"a0\" (expected a, f or r)",
        ),
        ("100\n1\n1\n1\n 2\n", 5, "unknown op \"2\" (expected a, f or r)"),
        // xv6's copies keep two header lines: the first op says where it ended.
        (
            "6\n12\na 0 2040\n",
            3,
            "the header ends after 2 numbers: a trace starts with four (heap-size hint or weight, number of ids, number of ops, weight or peak bytes)",
        ),
        (
            "20000 1 1 1 5\na 0 5\n",
            1,
            "extra text after the header's four numbers: \"5\"",
        ),
        ("100\n1\n1\n1\na 0\n", 5, "expected a size in \"a 0\""),
        ("100\n1\n1\n1\na 0 5 6\n", 5, "extra fields in \"a 0 5 6\""),
        (
            "99999999999999999999999\n1\n1\n1\na 0 5\n",
            1,
            "header number (heap-size hint, or weight) is too large: 99999999999999999999999",
        ),
    ];
    for &(text, line, message) in cases {
        let e = rep::parse(text).unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (line, message), "{text:?}");
    }
    // realloc(p, 0) frees p (CS:APP's mm_realloc); the id can be allocated again.
    let t = rep::parse("100\n1\n3\n1\na 0 5\nr 0 0\na 0 7\n").unwrap();
    assert_eq!(
        t.script.ops,
        vec![
            Op::Alloc { size: 5 },
            Op::Free { ptr: 0 },
            Op::Alloc { size: 7 }
        ]
    );
    assert_eq!(t.ptr_ids, vec![0, 0]);
    // realloc(NULL, n) of an id never allocated is malloc(n); after a free
    // and a fresh allocation the id is live again and reallocs in place.
    let t = rep::parse("100\n2\n4\n1\nr 1 8\na 0 5\nf 0\na 0 6\n").unwrap();
    assert_eq!(t.script.ops[0], Op::Alloc { size: 8 });
    let t = rep::parse("100\n1\n4\n1\na 0 5\nf 0\na 0 6\nr 0 9\n").unwrap();
    assert_eq!(t.script.ops[3], Op::Realloc { ptr: 1, size: 9 });
    // Of an id that holds nothing: nothing to free, refused as a free would be.
    let e = rep::parse("100\n1\n1\n1\nr 0 0\n").unwrap_err();
    assert_eq!(
        (e.line, e.message.as_str()),
        (5, "r 0 0 frees id 0, but it was never allocated")
    );
    assert_eq!(
        rep::parse("100\n1\n3\n1\na 0 5\nr 0 +0\na 0 7\n")
            .unwrap()
            .script
            .ops[1],
        Op::Free { ptr: 0 }
    );
    // Errors keep the trace's own line numbers past comment lines.
    let e = rep::parse("# one\n# two\n100\n1\n99999999999\n1\n").unwrap_err();
    assert_eq!(
        (e.line, e.message.as_str()),
        (5, "too many ops (at most 10000000)")
    );
    // `#` comment lines are skipped like blank ones, and count as no op.
    let t = rep::parse("# a course's note\n100\n1\n2\n1\na 0 5\n# freed:\nf 0\n# end\n").unwrap();
    assert_eq!(
        t.script.ops,
        vec![Op::Alloc { size: 5 }, Op::Free { ptr: 0 }]
    );
}

// ----- workload --------------------------------------------------------------------------

#[test]
fn workload_same_seed_same_ops_different_seed_different_ops() {
    for shape in [Shape::Uniform, Shape::SmallBiased, Shape::Phased] {
        let cfg = WorkloadConfig {
            shape,
            ops: 200,
            ..WorkloadConfig::default()
        };
        let a = workload::generate(&cfg).unwrap();
        assert_eq!(a.len(), 200);
        assert_eq!(a, workload::generate(&cfg).unwrap(), "{shape:?}");
        let b = workload::generate(&WorkloadConfig { seed: 2, ..cfg }).unwrap();
        assert_ne!(a, b, "{shape:?}");
    }
    // SplitMix64's first output for seed 0 is a published constant.
    assert_eq!(Rng::new(0).next_u64(), 0xE220_A839_7B1D_CDAF);
}

#[test]
fn workload_respects_the_alloc_percentage_and_sizes() {
    for pct in [60u8, 75, 90] {
        let ops = workload::generate(&WorkloadConfig {
            ops: 10_000,
            alloc_percent: pct,
            max_size: 100,
            ..WorkloadConfig::default()
        })
        .unwrap();
        let allocs = ops.iter().filter(|o| o.is_alloc()).count();
        let share = allocs as f64 / ops.len() as f64;
        assert!((share - pct as f64 / 100.0).abs() < 0.02, "{pct}%: {share}");
        assert!(ops.iter().all(|o| match o {
            Op::Alloc { size } => (1..=100).contains(size),
            Op::Free { .. } => true,
            _ => false,
        }));
    }
    // 0% allocs: alloc when nothing is live, else free.
    let ops = workload::generate(&WorkloadConfig {
        ops: 6,
        alloc_percent: 0,
        ..WorkloadConfig::default()
    })
    .unwrap();
    assert!(matches!(
        ops.as_slice(),
        [
            Op::Alloc { .. },
            Op::Free { ptr: 0 },
            Op::Alloc { .. },
            Op::Free { ptr: 1 },
            Op::Alloc { .. },
            Op::Free { ptr: 2 }
        ]
    ));
    // Below min_live every op allocates.
    let ops = workload::generate(&WorkloadConfig {
        ops: 100,
        alloc_percent: 0,
        min_live: 10,
        ..WorkloadConfig::default()
    })
    .unwrap();
    assert!(ops[..10].iter().all(Op::is_alloc));
    // Small-biased sizes stay in 4..max.
    let ops = workload::generate(&WorkloadConfig {
        shape: Shape::SmallBiased,
        ops: 2000,
        max_size: 200,
        ..WorkloadConfig::default()
    })
    .unwrap();
    assert!(ops.iter().all(|o| match o {
        Op::Alloc { size } => (4..200).contains(size),
        _ => true,
    }));
    // Every shape stays within a max size below talc's smallest cap of 16,
    // and still reaches it.
    for shape in [Shape::Uniform, Shape::SmallBiased, Shape::Phased] {
        for max_size in [1, 2, 8, 16] {
            let ops = workload::generate(&WorkloadConfig {
                shape,
                ops: 2000,
                max_size,
                ..WorkloadConfig::default()
            })
            .unwrap();
            let sizes: Vec<usize> = ops
                .iter()
                .filter_map(|o| match o {
                    Op::Alloc { size } => Some(*size),
                    _ => None,
                })
                .collect();
            assert!(
                sizes.iter().all(|s| (1..=max_size).contains(s)),
                "{shape:?} max {max_size}"
            );
            assert_eq!(
                sizes.iter().max(),
                Some(&max_size),
                "{shape:?} max {max_size}"
            );
        }
    }
}

#[test]
fn workload_frees_only_live_pointers() {
    for shape in [Shape::Uniform, Shape::SmallBiased, Shape::Phased] {
        for seed in 0..5 {
            let cfg = WorkloadConfig {
                shape,
                seed,
                ops: 1000,
                alloc_percent: 55,
                ..WorkloadConfig::default()
            };
            let ops = workload::generate(&cfg).unwrap();
            let mut live = std::collections::BTreeSet::new();
            let mut next = 0;
            for o in &ops {
                match *o {
                    Op::Alloc { .. } => {
                        live.insert(next);
                        next += 1;
                    }
                    Op::Free { ptr } => assert!(live.remove(&ptr), "{shape:?} {seed}: -{ptr}"),
                    ref other => panic!("unexpected op {other}"),
                }
            }
            // And it replays: validation agrees.
            let mut s = session(1 << 16, Mode::FirstFit, 8, true);
            let report = s.replay(&Script::from_ops(ops.clone())).unwrap();
            s.invariants().unwrap();
            assert_eq!(report.ops, ops.len());
        }
    }
}

// ----- session ---------------------------------------------------------------------------

#[test]
fn session_replay_validates_before_running() {
    let mut s = session(100, Mode::FirstFit, 1, true);
    op!(s.replay(&script::parse("+10,+20").unwrap())).unwrap();
    let before = s.snapshot();
    let log = s.log().to_vec();

    let cases: &[(&str, &str)] = &[
        ("+5\n-0\nr0:8", "line 3: r0:8: ptr[0] is already freed"),
        (
            "+5\n-7",
            "line 2: -7: ptr[7] does not exist yet (only 3 allocation requests so far)",
        ),
        (
            "+1,+8@128",
            "line 1: op 2 (+8@128): alignment must be a power of two no larger than the arena (100)",
        ),
        ("-1\nr1:5", "line 2: r1:5: ptr[1] is already freed"),
    ];
    // A fresh session words the counts in the singular and the plural.
    let fresh = session(100, Mode::FirstFit, 1, true);
    for (text, message) in [
        (
            "-0",
            "line 1: -0: ptr[0] does not exist yet (no allocation request so far)",
        ),
        (
            "+10,-5",
            "line 1: op 2 (-5): ptr[5] does not exist yet (only 1 allocation request so far)",
        ),
        // An OSTEP list is one line: the op is named by its place on it.
        (
            "+10,+5,-0,+3,-1,w0=ff,+2",
            "line 1: op 6 (w0=ff): ptr[0] is already freed",
        ),
    ] {
        let e = fresh.validate(&script::parse(text).unwrap()).unwrap_err();
        assert_eq!(e.to_string(), message);
    }
    for &(text, message) in cases {
        let script = script::parse(text).unwrap();
        let e = op!(s.replay(&script)).unwrap_err();
        assert_eq!(e.to_string(), message, "{text:?}");
        assert_eq!(e.column, 0);
        assert_eq!(s.snapshot(), before, "{text:?} changed the session");
        assert_eq!(s.log(), log.as_slice());
    }
    // The last case's first op was fine; validation still ran first.
    assert_eq!(s.ptrs(), &[Ptr::Live(0), Ptr::Live(10)]);
    // A write past its block depends on the granted size, so it is not a
    // validation error: it runs, writes nothing, and counts as failed.
    let bytes = s.heap().bytes().to_vec();
    let rep = op!(s.replay(&script::parse("w0@8=0102030405").unwrap())).unwrap();
    assert_eq!(rep.failed, 1);
    assert_eq!(s.heap().bytes(), &bytes[..]);
}

#[test]
fn writes_go_to_the_payload_after_a_blocks_header() {
    let mut s = Session::new(HeapConfig {
        header: 3,
        ..heap_config(64, Mode::FirstFit, 4, true)
    })
    .unwrap();
    op!(s.replay_text("+5,w0=aabbcc,w0@4=dd")).unwrap();
    // The block is 8 + 3 bytes; its payload (8 bytes) starts at 3.
    assert_eq!(
        &s.heap().bytes()[..11],
        &[0, 0, 0, 0xaa, 0xbb, 0xcc, 0, 0xdd, 0, 0, 0]
    );
    // The payload is 8 bytes: a write past it is refused (a failed op).
    let rep = op!(s.replay_text("w0@7=0102")).unwrap();
    assert_eq!(rep.failed, 1);
    assert_eq!(s.heap().bytes()[11], 0, "nothing written past the block");
}

#[test]
fn a_double_free_runs_as_a_failed_op_and_changes_nothing() {
    // malloc.py's free returns -1 for an address it does not hold: the
    // playground logs the op, marks it failed, and changes nothing.
    let mut s = session(100, Mode::FirstFit, 1, true);
    let rep = op!(s.replay_text("+10,+20,-0")).unwrap();
    assert_eq!(rep.failed, 0);
    let before = s.snapshot();
    let rep = op!(s.replay_text("-0,+5,-0")).unwrap();
    assert_eq!((rep.ops, rep.frees, rep.failed), (3, 0, 2));
    assert_eq!(script::format(s.log()), "+10,+20,-0,-0,+5,-0");
    assert_eq!(s.failed_ops(), &[3, 5]);
    // ptr[2] took the freed hole at 0; ptr[0]'s second free did not free it.
    assert_eq!(s.ptrs()[2], Ptr::Live(0));
    assert_eq!(s.heap().blocks().iter().filter(|b| !b.free).count(), 2);
    // The refused free itself changed nothing.
    let mut one = before.clone();
    let mut again = session(100, Mode::FirstFit, 1, true);
    op!(again.replay_text("+10,+20,-0,-0")).unwrap();
    one.ops += 1;
    assert_eq!(again.snapshot(), one);
    // The same from a fresh session (checked as it runs) and from a rebuild.
    let mut fresh = session(100, Mode::FirstFit, 1, true);
    op!(fresh.replay_text("+10,+20,-0,-0,+5,-0")).unwrap();
    assert_eq!(fresh.snapshot(), s.snapshot());
    assert_eq!(fresh.failed_ops(), s.failed_ops());
    assert_eq!(s.rebuild(4).unwrap().failed_ops(), &[3]);
    // The account of the op says it failed and freed nothing.
    let last = explain::last_op(&s).unwrap().unwrap();
    assert!(last.failed && last.block.is_none() && last.merged.is_none());
    // malloc.py prints "returned -1" for it (checked against malloc.py -C -A
    // +10,+20,-0,-0), and the command that prints the same is given.
    let four = fresh.rebuild(4).unwrap();
    let t = transcript::transcript(&four, 0, 0, 100, None).unwrap();
    assert!(t.ends_with("Free(ptr[0])\nreturned -1\nFree List [ Size 2 ]: [ addr:0 sz:10 ][ addr:30 sz:70 ]\n\n"), "{t}");
    assert!(transcript::command(&four, 0, 0, 100, None).is_ok());
    // Once ptr[2] holds the address, malloc.py (which frees by address)
    // would free ptr[2]'s block: no command claims to print this run.
    assert_eq!(
        transcript::command(&fresh, 0, 0, 100, None).unwrap_err(),
        transcript::NoCommand {
            why: "malloc.py frees by address: the second free of ptr[0] (-0, op 6) would free ptr[2], which now starts where ptr[0] did, and here it frees nothing".into(),
            differs: true,
            cut: false,
        }
    );
}

#[test]
fn a_fresh_session_checks_ops_as_they_run_and_starts_over_on_a_bad_one() {
    // A fresh session skips the separate validation pass: a bad op found on
    // the way puts it back to its start, with validation's own message.
    // Some of these the parser would refuse; a `Script` can still hold them.
    let bad_ends = [
        // (A second free of ptr[0] is no longer bad: it runs, and fails.)
        Op::Realloc { ptr: 0, size: 8 },
        Op::Free { ptr: 99 },
        Op::Alloc { size: 0 },
        Op::Calloc { size: 0 },
        Op::AllocAligned { size: 8, align: 3 },
        Op::AllocAligned {
            size: 8,
            align: 8192,
        },
        Op::Realloc { ptr: 2, size: 0 },
        Op::Write {
            ptr: 1,
            at: 0,
            bytes: vec![1],
        },
    ];
    for mode in [Mode::FirstFit, Mode::NextFit, Mode::BestFit, Mode::Slab] {
        for bad in &bad_ends {
            // Bytes written, a mode switch, chunks and blocks, frees, then the bad op.
            let text = "+24,w0@0=abcdef,+40,@slab,+16,@best,+100,-1,-0";
            let mut script = script::parse(text).unwrap();
            script.ops.push(bad.clone());
            script.lines.push(2);
            let fresh = session(4096, mode, 8, true);
            let want = fresh.validate(&script).unwrap_err();
            let mut s = fresh.clone();
            let e = op!(s.replay(&script)).unwrap_err();
            assert_eq!(e, want, "{mode} {bad}");
            assert_eq!(e.line, 2);
            assert_eq!(
                s.snapshot(),
                fresh.snapshot(),
                "{mode} {bad}: not back at the start"
            );
            assert!(
                s.heap().bytes().iter().all(|&b| b == 0),
                "{mode} {bad}: stale bytes"
            );
            assert!(s.log().is_empty() && s.ptrs().is_empty());
            assert_eq!(s.heap().stats(), fresh.heap().stats());
            // And it runs on exactly as a new session does.
            let next = script::parse("+30,+8,-1,+300,@next,+12").unwrap();
            let mut new = fresh.clone();
            assert_eq!(op!(s.replay(&next)), op!(new.replay(&next)));
            assert_eq!(s.snapshot(), new.snapshot());
            assert_eq!(s.heap().stats(), new.heap().stats());
        }
    }
}

#[test]
fn session_block_seq_is_the_ptr_index_and_failed_allocs_take_one() {
    let mut s = session(100, Mode::FirstFit, 1, true);
    let report = op!(s.replay(&script::parse("+10,+200,+20,-0,+5").unwrap())).unwrap();
    assert_eq!(
        report,
        ReplayReport {
            ops: 5,
            allocs: 4,
            frees: 1,
            reallocs: 0,
            failed: 1,
            too_large: 0,
            searched: 4
        }
    );
    assert_eq!(
        s.ptrs(),
        &[Ptr::Freed, Ptr::Failed, Ptr::Live(10), Ptr::Live(0)]
    );
    let assert_seq_is_ptr = |s: &Session| {
        for b in s
            .heap()
            .blocks()
            .iter()
            .filter(|b| !b.free && b.seq.is_some())
        {
            let k = b.seq.unwrap() as usize;
            assert_eq!(s.ptrs()[k], Ptr::Live(b.offset));
            assert_eq!(s.ptr_at(b.offset), Some(k));
        }
    };
    assert_seq_is_ptr(&s);
    let snap = s.snapshot();
    assert_eq!(snap.next_ptr, 4);
    assert_eq!(snap.ops, 5);

    // Freeing a failed pointer is a no-op (free(NULL)), but it is logged.
    let report = op!(s.replay(&script::parse("-1").unwrap())).unwrap();
    assert_eq!(report.frees, 0);
    // ...and it spends the pointer, as validation assumes: the log replays.
    assert_eq!(s.ptrs()[1], Ptr::Freed);
    let mut again = Session::new(s.initial_config().clone()).unwrap();
    again.replay(&Script::from_ops(s.log().to_vec())).unwrap();
    assert_eq!(again.snapshot(), s.snapshot());
    assert_eq!(s.snapshot().blocks, snap.blocks);
    assert_eq!(s.log().len(), 6);

    // The offset API numbers requests the same way.
    assert!(op!(s.alloc(500)).is_err());
    assert_eq!(s.ptrs().len(), 5);
    assert_eq!(s.ptrs()[4], Ptr::Failed);
    // A zero-size request is refused before numbering: no ptr, no log entry.
    assert_eq!(op!(s.alloc(0)), Err(AllocError::ZeroSize));
    assert_eq!(s.ptrs().len(), 5);
    assert_eq!(s.log().len(), 7);
    let p = op!(s.alloc(7)).unwrap();
    assert_eq!(s.ptr_at(p), Some(5));
    assert_eq!(s.heap().live_block(p).unwrap().seq, Some(5));
    // realloc of a failed pointer allocates under that pointer's number.
    op!(s.replay(&script::parse("r4:3").unwrap())).unwrap();
    let Ptr::Live(off) = s.ptrs()[4] else {
        panic!("ptr[4] should be live: {:?}", s.ptrs())
    };
    assert_eq!(s.heap().live_block(off).unwrap().seq, Some(4));
    assert_seq_is_ptr(&s);
}

#[test]
fn session_errors_leave_the_session_alone() {
    let mut s = session(100, Mode::FirstFit, 1, true);
    let p = op!(s.alloc(10)).unwrap();
    let before = s.snapshot();
    let log = s.log().to_vec();
    assert_eq!(op!(s.free(5)), Err(AllocError::InvalidFree { offset: 5 }));
    assert_eq!(op!(s.free(50)), Err(AllocError::DoubleFree { offset: 50 }));
    assert_eq!(op!(s.realloc(p, 0)), Err(AllocError::ZeroSize));
    assert_eq!(
        op!(s.write(p, 8, &[1, 2, 3])),
        Err(AllocError::WriteOutside {
            offset: p,
            size: 10,
            at: 8,
            len: 3
        })
    );
    assert_eq!(
        s.write(p, 8, &[1, 2, 3]).unwrap_err().to_string(),
        "out of bounds: 3 bytes at +8 do not fit the 10 bytes of the block at offset 0 (2 bytes fit there)"
    );
    // Writing through a freed or unknown offset frees nothing: it is out of bounds.
    assert_eq!(
        op!(s.write(50, 0, &[1])),
        Err(AllocError::OutOfBounds { offset: 50, len: 1 })
    );
    assert_eq!(
        op!(s.write(3, 0, &[1, 2])),
        Err(AllocError::OutOfBounds { offset: 3, len: 2 })
    );
    assert_eq!(
        op!(s.alloc_aligned(4, 3)),
        Err(AllocError::BadAlign { align: 3 })
    );
    assert_eq!(s.snapshot(), before);
    assert_eq!(s.log(), log.as_slice());
    // A realloc that runs out of memory is logged (it replays as a failure).
    assert!(matches!(
        op!(s.realloc(p, 500)),
        Err(AllocError::OutOfMemory { .. })
    ));
    assert_eq!(s.log().last(), Some(&Op::Realloc { ptr: 0, size: 500 }));
    assert_eq!(s.snapshot().blocks, before.blocks);
}

#[test]
fn session_rebuild_reproduces_the_state_after_n_logged_ops() {
    let mut s = session(1024, Mode::FirstFit, 8, true);
    let text = "+10,+20,+30,-1,@no-coalesce,-0,@merge,r2:50,w2=deadbeef,r2:2000,\
                @best-fit,+5,c12,@slab,+10,+40,-5,@coalesce,+8@16,r6:20,r6:60,\
                @worst-fit,+100,+90000,-9,-2,@next-fit,+3";
    let script = script::parse(text).unwrap();
    let mut snaps = Vec::new();
    let report = s
        .replay_with(&script, |s, i| {
            s.invariants().unwrap();
            assert_eq!(s.log().len(), i + 1);
            snaps.push(s.snapshot());
        })
        .unwrap();
    assert_eq!(report.ops, script.ops.len());
    assert_eq!(report.failed, 2);
    assert_eq!(s.log(), script.ops.as_slice());

    let fresh = session(1024, Mode::FirstFit, 8, true);
    assert_eq!(s.rebuild(0).unwrap().snapshot(), fresh.snapshot());
    for (i, snap) in snaps.iter().enumerate() {
        let r = s.rebuild(i + 1).unwrap();
        r.invariants().unwrap();
        assert_eq!(&r.snapshot(), snap, "after {} ops", i + 1);
        assert_eq!(r.log(), &s.log()[..=i]);
    }
    let r = s.rebuild(usize::MAX).unwrap();
    assert_eq!(r.ptrs(), s.ptrs());
    assert_eq!(r.heap().bytes(), s.heap().bytes());
}

/// A random mix of every session operation, in every mode, with the
/// invariants checked after each op, then a rebuild from the log that must
/// reproduce the state exactly. Writes stay within one byte so that they are
/// within every bound a replay checks.
#[test]
fn random_sessions_keep_every_invariant_and_rebuild_exactly() {
    for seed in 0..24u64 {
        let mut rng = Rng::new(seed);
        let mode = Mode::ALL[seed as usize % Mode::ALL.len()];
        let mut s = session(2048, mode, 8, seed % 2 == 0);
        for _ in 0..300 {
            let live = live_offsets(&s);
            let pick = |rng: &mut Rng| live[rng.range(0, live.len())];
            match rng.range(0, 103) {
                100..=102 => {
                    // Free a failed request (free(NULL)) through an op list.
                    if let Some(k) = s.ptrs().iter().position(|p| *p == Ptr::Failed) {
                        op!(s.replay(&script::parse(&format!("-{k}")).unwrap())).unwrap();
                    }
                }
                0..=34 => {
                    let _ = op!(s.alloc(rng.range(1, 150)));
                }
                35..=39 => {
                    let (n, a) = (rng.range(1, 100), 1 << rng.range(0, 9));
                    let _ = op!(s.alloc_aligned(n, a));
                }
                40..=44 => {
                    let _ = op!(s.calloc(rng.range(1, 80)));
                }
                45..=74 if !live.is_empty() => {
                    let o = pick(&mut rng);
                    op!(s.free(o)).unwrap();
                }
                75..=86 if !live.is_empty() => {
                    let (o, n) = (pick(&mut rng), rng.range(1, 200));
                    let _ = op!(s.realloc(o, n));
                }
                87..=93 if !live.is_empty() => {
                    let o = pick(&mut rng);
                    op!(s.write(o, 0, &[(seed % 255) as u8 + 1])).unwrap();
                }
                94..=96 => {
                    let m = Mode::ALL[rng.range(0, Mode::ALL.len())];
                    op!(s.set_mode(m));
                }
                97..=98 => {
                    let on = rng.percent(50);
                    op!(s.set_coalesce(on));
                }
                99 => {
                    op!(s.merge_all());
                }
                _ => {}
            }
            for b in s.heap().blocks().iter().filter(|b| b.seq.is_some()) {
                assert_eq!(
                    s.ptrs()[b.seq.unwrap() as usize],
                    Ptr::Live(b.offset),
                    "seed {seed}"
                );
            }
        }
        let r = s.rebuild(s.log().len()).unwrap();
        assert_eq!(r.snapshot(), s.snapshot(), "seed {seed}");
        assert_eq!(r.heap().bytes(), s.heap().bytes(), "seed {seed}");
        assert_eq!(r.failed_ops(), s.failed_ops(), "seed {seed}");
        // The log as text (what links, the timeline and the widget replay)
        // parses, validates and replays to the same state.
        let text = script::format(s.log());
        let parsed = script::parse(&text).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        assert_eq!(parsed.ops, s.log(), "seed {seed}");
        let mut t = Session::new(s.initial_config().clone()).unwrap();
        t.replay(&parsed)
            .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        assert_eq!(t.snapshot(), s.snapshot(), "seed {seed}");
        assert_eq!(t.heap().bytes(), s.heap().bytes(), "seed {seed}");
        assert_eq!(t.failed_ops(), s.failed_ops(), "seed {seed}");
    }
}

#[test]
fn failed_ops_are_the_log_positions_of_null_results_and_writes_that_wrote_nothing() {
    // 100 bytes, align 1: +50 fits, +60 does not (ptr[1] = NULL), a write
    // past ptr[0]'s end and one through the NULL ptr[1] write nothing, a
    // realloc too big for the arena fails, and a realloc of the NULL ptr[1]
    // is a fresh malloc(30) that fits.
    let mut s = session(100, Mode::FirstFit, 1, true);
    let text = "+50,+60,w0@49=aabb,w1@0=ff,-0,+10,r2:200,r1:30,w2@0=01";
    let rep = s.replay(&script::parse(text).unwrap()).unwrap();
    assert_eq!(s.failed_ops(), &[1, 2, 3, 6]);
    assert_eq!(rep.failed, 4);
    assert_eq!(
        rep.too_large, 0,
        "a free list refuses for want of room only"
    );
    assert_eq!(s.heap().stats().failed_allocs, 2);
    // The same through the read-as-you-go replay, a rebuild, and a rebuild
    // that stops before the last failures.
    let mut t = session(100, Mode::FirstFit, 1, true);
    t.replay_text(text).unwrap();
    assert_eq!(t.failed_ops(), s.failed_ops());
    assert_eq!(
        s.rebuild(s.log().len()).unwrap().failed_ops(),
        s.failed_ops()
    );
    assert_eq!(s.rebuild(3).unwrap().failed_ops(), &[1, 2]);
    // Direct calls mark what they log as failed too; an error that logs
    // nothing (a bad free) marks nothing.
    let n = s.log().len() as u32;
    assert!(s.alloc(1000).is_err());
    assert!(s.free(99).is_err());
    assert_eq!(s.failed_ops().last(), Some(&n));
    assert_eq!(s.log().len() as u32, n + 1);
}

// ----- model check -----------------------------------------------------------------------

/// A naive free-list allocator: a `Vec` of blocks searched linearly, written
/// straight from the documentation. The real one must agree with it on every
/// offset, block, error and searched count.
#[derive(Clone, Debug)]
struct Model {
    /// `(offset, size, requested, seq)`; `requested == 0` marks a free block.
    blocks: Vec<(usize, usize, usize, u64)>,
    strategy: Strategy,
    align: usize,
    coalesce: bool,
    rover: usize,
    next_seq: u64,
    searched: usize,
    failed: u64,
}

impl Model {
    fn new(arena: usize, strategy: Strategy, align: usize, coalesce: bool) -> Self {
        Model {
            blocks: vec![(0, arena, 0, 0)],
            strategy,
            align,
            coalesce,
            rover: 0,
            next_seq: 0,
            searched: 0,
            failed: 0,
        }
    }

    fn free_idx(&self) -> Vec<usize> {
        (0..self.blocks.len())
            .filter(|&i| self.blocks[i].2 == 0)
            .collect()
    }

    fn largest(&self) -> usize {
        self.free_idx()
            .iter()
            .map(|&i| self.blocks[i].1)
            .max()
            .unwrap_or(0)
    }

    /// The chosen block index and padding, and the count searched.
    fn search(&self, r: usize, align: usize) -> (Option<(usize, usize)>, usize) {
        let frees = self.free_idx();
        let n = frees.len();
        let fit = |i: usize| {
            let (o, s, _, _) = self.blocks[i];
            let pad = o.next_multiple_of(align) - o;
            (pad + r <= s).then_some(pad)
        };
        match self.strategy {
            Strategy::FirstFit => frees
                .iter()
                .enumerate()
                .find_map(|(k, &i)| fit(i).map(|p| (Some((i, p)), k + 1)))
                .unwrap_or((None, n)),
            Strategy::NextFit => {
                let start = frees
                    .iter()
                    .position(|&i| {
                        let (o, s, _, _) = self.blocks[i];
                        o + s > self.rover
                    })
                    .unwrap_or(0);
                (0..n)
                    .map(|k| frees[(start + k) % n])
                    .enumerate()
                    .find_map(|(k, i)| fit(i).map(|p| (Some((i, p)), k + 1)))
                    .unwrap_or((None, n))
            }
            Strategy::BestFit | Strategy::WorstFit => {
                let mut best: Option<(usize, usize)> = None;
                for &i in &frees {
                    if let Some(p) = fit(i) {
                        let s = self.blocks[i].1;
                        let better = match best {
                            None => true,
                            Some((b, _)) if self.strategy == Strategy::WorstFit => {
                                s > self.blocks[b].1
                            }
                            Some((b, _)) => s < self.blocks[b].1,
                        };
                        if better {
                            best = Some((i, p));
                        }
                    }
                }
                (best, n)
            }
        }
    }

    fn place(&mut self, i: usize, pad: usize, r: usize, requested: usize, seq: u64) -> usize {
        let (o, s, _, _) = self.blocks[i];
        let mut new = Vec::new();
        if pad > 0 {
            new.push((o, pad, 0, 0));
        }
        new.push((o + pad, r, requested, seq));
        if s - pad - r > 0 {
            new.push((o + pad + r, s - pad - r, 0, 0));
        }
        self.blocks.splice(i..=i, new);
        self.rover = o + pad + r;
        o + pad
    }

    fn oom(&mut self, requested: usize) -> AllocError {
        self.failed += 1;
        AllocError::OutOfMemory {
            requested,
            largest_free: self.largest(),
        }
    }

    fn alloc_aligned(&mut self, size: usize, align: usize) -> Result<usize, AllocError> {
        if !align.is_power_of_two() || align > self.blocks.last().map_or(0, |b| b.0 + b.1) {
            return Err(AllocError::BadAlign { align });
        }
        if size == 0 {
            return Err(AllocError::ZeroSize);
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        let r = size.next_multiple_of(self.align);
        let (found, searched) = self.search(r, align.max(1));
        self.searched = searched;
        match found {
            Some((i, pad)) => Ok(self.place(i, pad, r, size, seq)),
            None => Err(self.oom(r)),
        }
    }

    fn release(&mut self, i: usize) {
        self.blocks[i].2 = 0;
        if !self.coalesce {
            return;
        }
        let mut i = i;
        if i + 1 < self.blocks.len() && self.blocks[i + 1].2 == 0 {
            self.blocks[i].1 += self.blocks[i + 1].1;
            self.blocks.remove(i + 1);
        }
        if i > 0 && self.blocks[i - 1].2 == 0 {
            self.blocks[i - 1].1 += self.blocks[i].1;
            self.blocks.remove(i);
            i -= 1;
        }
        let _ = i;
    }

    fn live(&self, off: usize) -> Result<usize, AllocError> {
        for (i, &(o, s, req, _)) in self.blocks.iter().enumerate() {
            if o == off && req > 0 {
                return Ok(i);
            }
            if req == 0 && o <= off && off < o + s {
                return Err(AllocError::DoubleFree { offset: off });
            }
        }
        Err(AllocError::InvalidFree { offset: off })
    }

    fn free(&mut self, off: usize) -> Result<(), AllocError> {
        let i = self.live(off)?;
        self.release(i);
        Ok(())
    }

    fn realloc(&mut self, off: usize, n: usize) -> Result<usize, AllocError> {
        let i = self.live(off)?;
        if n == 0 {
            return Err(AllocError::ZeroSize);
        }
        let (o, s, _, seq) = self.blocks[i];
        let r = n.next_multiple_of(self.align);
        if r <= s {
            self.searched = 0;
            self.blocks[i] = (o, r, n, seq);
            if s > r {
                let next_free = i + 1 < self.blocks.len() && self.blocks[i + 1].2 == 0;
                if self.coalesce && next_free {
                    self.blocks[i + 1].0 -= s - r;
                    self.blocks[i + 1].1 += s - r;
                } else {
                    self.blocks.insert(i + 1, (o + r, s - r, 0, 0));
                }
            }
            return Ok(off);
        }
        if i + 1 < self.blocks.len() && self.blocks[i + 1].2 == 0 && s + self.blocks[i + 1].1 >= r {
            self.searched = 0;
            let need = r - s;
            self.blocks[i] = (o, r, n, seq);
            if self.blocks[i + 1].1 == need {
                self.blocks.remove(i + 1);
            } else {
                self.blocks[i + 1].0 += need;
                self.blocks[i + 1].1 -= need;
            }
            return Ok(off);
        }
        let (found, searched) = self.search(r, 1);
        self.searched = searched;
        let Some((j, _)) = found else {
            return Err(self.oom(r));
        };
        let new = self.place(j, 0, r, n, seq);
        let i = self.blocks.iter().position(|b| b.0 == off).unwrap();
        self.release(i);
        Ok(new)
    }

    fn coalesce_all(&mut self) -> usize {
        let mut merges = 0;
        let mut i = 0;
        while i + 1 < self.blocks.len() {
            if self.blocks[i].2 == 0 && self.blocks[i + 1].2 == 0 {
                self.blocks[i].1 += self.blocks[i + 1].1;
                self.blocks.remove(i + 1);
                merges += 1;
            } else {
                i += 1;
            }
        }
        merges
    }

    fn view(&self) -> Vec<(usize, usize, bool, usize, Option<u64>)> {
        self.blocks
            .iter()
            .map(|&(o, s, req, seq)| (o, s, req == 0, req, (req > 0).then_some(seq)))
            .collect()
    }
}

fn real_view(a: &FreeListAllocator) -> Vec<(usize, usize, bool, usize, Option<u64>)> {
    a.blocks()
        .map(|b| (b.offset, b.size, b.free, b.requested, b.seq))
        .collect()
}

#[test]
fn free_list_agrees_with_a_naive_model_under_random_ops() {
    for seed in 0..60u64 {
        let mut rng = Rng::new(seed);
        let align = [1, 4, 8][seed as usize % 3];
        let arena = 1024;
        let strategy = Strategy::ALL[(seed / 3) as usize % 4];
        let coalesce = seed % 7 != 0;
        let mut a = fl(arena, strategy, align, coalesce);
        let mut m = Model::new(arena, strategy, align, coalesce);
        for step in 0..400 {
            let live: Vec<usize> = m.blocks.iter().filter(|b| b.2 > 0).map(|b| b.0).collect();
            let what = rng.range(0, 100);
            let ctx = format!("seed {seed} step {step} op {what}");
            match what {
                0..=34 => {
                    let n = rng.range(1, 120);
                    assert_eq!(op!(a.alloc(n)), m.alloc_aligned(n, 1), "{ctx} alloc {n}");
                }
                35..=44 => {
                    let (n, al) = (rng.range(1, 80), 1 << rng.range(0, 8));
                    assert_eq!(
                        op!(a.alloc_aligned(n, al)),
                        m.alloc_aligned(n, al),
                        "{ctx} alloc {n}@{al}"
                    );
                }
                45..=74 if !live.is_empty() => {
                    let o = live[rng.range(0, live.len())];
                    assert_eq!(op!(a.free(o)), m.free(o), "{ctx} free {o}");
                }
                75..=89 if !live.is_empty() => {
                    let (o, n) = (live[rng.range(0, live.len())], rng.range(1, 200));
                    assert_eq!(
                        op!(a.realloc(o, n)),
                        m.realloc(o, n),
                        "{ctx} realloc {o} {n}"
                    );
                }
                90..=93 => {
                    let s = Strategy::ALL[rng.range(0, 4)];
                    op!(a.set_strategy(s));
                    m.strategy = s;
                }
                94..=96 => {
                    let on = rng.percent(50);
                    op!(a.set_coalesce(on));
                    m.coalesce = on;
                    if on {
                        m.coalesce_all();
                    }
                }
                97 => {
                    assert_eq!(op!(a.coalesce_all()), m.coalesce_all(), "{ctx}");
                }
                98 => {
                    let o = rng.range(0, arena + 10);
                    assert_eq!(
                        op!(a.free(o)).is_ok(),
                        m.free(o).is_ok(),
                        "{ctx} stray free {o}"
                    );
                }
                _ => {}
            }
            assert_eq!(real_view(&a), m.view(), "{ctx}");
            assert_eq!(a.last_searched(), m.searched, "{ctx} searched");
            assert_eq!(a.next_seq(), m.next_seq, "{ctx}");
            assert_eq!(a.stats().failed_allocs, m.failed, "{ctx}");
        }
    }
}

// ----- regressions --------------------------------------------------------------------------

/// A write anywhere in the granted block (8 bytes for a request of 5 at
/// align 8) is logged, and the log rebuilds the same state (this once
/// panicked: validation bounded writes by the requested size).
#[test]
fn rebuild_replays_a_write_into_the_rounding_slack() {
    let mut s = session(64, Mode::FirstFit, 8, true);
    let p = op!(s.alloc(5)).unwrap();
    op!(s.write(p, 0, &[1, 2, 3, 4, 5, 6, 7, 8])).unwrap();
    assert_eq!(s.log().len(), 2);
    let r = s.rebuild(2).unwrap();
    assert_eq!(r.snapshot(), s.snapshot());
    assert_eq!(r.heap().bytes(), s.heap().bytes());
}

/// After a realloc that grew a block, a write of the new size is logged and
/// rebuilds (this once panicked on a stale bound).
#[test]
fn rebuild_replays_a_write_after_a_realloc_that_grew() {
    let mut s = session(1024, Mode::FirstFit, 8, true);
    let p = op!(s.alloc(4)).unwrap();
    let q = op!(s.realloc(p, 16)).unwrap();
    op!(s.write(q, 0, &[0xAB; 16])).unwrap();
    assert_eq!(s.log().len(), 3);
    let r = s.rebuild(3).unwrap();
    assert_eq!(r.snapshot(), s.snapshot());
    assert_eq!(r.heap().bytes(), s.heap().bytes());
}

/// Writes the op-list syntax cannot carry (empty, or more than `MAX_WRITE`
/// bytes) are refused, so every logged write parses again.
#[test]
fn writes_the_syntax_cannot_carry_are_refused() {
    let mut s = session(16384, Mode::FirstFit, 8, true);
    let p = op!(s.alloc(8192)).unwrap();
    let before = s.snapshot();
    for len in [0, script::MAX_WRITE + 1] {
        assert!(matches!(
            op!(s.write(p, 0, &vec![1; len])),
            Err(AllocError::WriteOutside { .. })
        ));
        assert_eq!(s.snapshot(), before);
    }
    op!(s.write(p, 0, &vec![1; script::MAX_WRITE])).unwrap();
    assert!(script::parse(&script::format(s.log())).is_ok());
}

#[test]
fn compare_in_chunks_matches_compare_in_one_go() {
    let mut text = script::format(
        &workload::generate(&WorkloadConfig {
            shape: Shape::Phased,
            seed: 11,
            ops: 700,
            alloc_percent: 55,
            max_size: 90,
            min_live: 0,
        })
        .unwrap(),
    );
    // A mode switch in the list is skipped by every run, in chunks as in one go.
    let n = script::parse(&text)
        .unwrap()
        .ops
        .iter()
        .filter(|o| o.is_alloc())
        .count();
    text.push_str(&format!(",@best-fit,+40,-{n},+8,r{}:70", n + 1));
    let s = script::parse(&text).unwrap();
    let config = HeapConfig {
        arena_size: 16 * 1024,
        ..HeapConfig::default()
    };
    let whole = alloc_playground::compare(&config, &s, &Mode::ALL, 25).unwrap();
    let mut c = alloc_playground::Comparer::new(&config, s.clone(), &Mode::ALL, 25).unwrap();
    let mut seen = Vec::new();
    while c.done() < c.len() {
        seen.push(c.step(97));
    }
    assert_eq!(seen.last(), Some(&s.ops.len()));
    assert!(seen.windows(2).all(|w| w[1] - w[0] <= 97));
    assert_eq!(c.finish(), whole);
    assert!(whole.first_divergence.is_some());
    // Steps that stop when told (asked every 16 ops) give the same comparison.
    let mut c = alloc_playground::Comparer::new(&config, s.clone(), &Mode::ALL, 25).unwrap();
    let mut asked = 0;
    let first = c.step_until(1000, || {
        asked += 1;
        asked == 2
    });
    assert_eq!(
        (first, asked),
        (32, 2),
        "stopped at the second look, after 32 ops"
    );
    assert_eq!(
        c.step_until(5, || true),
        37,
        "at most 16 ops before the first look"
    );
    while c.done() < c.len() {
        c.step_until(usize::MAX, || false);
    }
    assert_eq!(c.finish(), whole);
    // A script that fails validation is refused before any run starts.
    let bad = script::parse("+10,-5").unwrap();
    assert!(matches!(
        alloc_playground::Comparer::new(&config, bad, &Mode::ALL, 1),
        Err(alloc_playground::CompareError::Script(e)) if e.line == 1
    ));
    // An arena that cannot be built is a config error, not a script error.
    let odd = HeapConfig {
        arena_size: 100,
        align: 3,
        ..HeapConfig::default()
    };
    assert!(matches!(
        alloc_playground::compare(&odd, &s, &Mode::ALL, 1),
        Err(alloc_playground::CompareError::Config(
            AllocError::BadConfig { .. }
        ))
    ));
}

#[test]
fn slab_stats_count_free_chunks_apart_from_the_fragmentation_figures() {
    let mut h = Heap::new(HeapConfig {
        mode: Mode::Slab,
        ..HeapConfig::default()
    })
    .unwrap();
    // One 16-byte chunk carves a 256-byte slab: 15 chunks stay free.
    let c = op!(h.alloc(10)).unwrap();
    let s = h.stats();
    assert_eq!((s.free_chunks, s.chunk_free_bytes), (15, 15 * 16));
    assert_eq!(s.free_bytes, 1024 - 16, "free chunks are free bytes");
    assert_eq!(
        s.free_blocks,
        1 + 15,
        "the free list's tail plus the chunks"
    );
    // L/F is the free list's own: its one block, 768 bytes, is all of F.
    assert_eq!((s.largest_free, s.external_fragmentation), (768, 0.0));
    assert_eq!(
        s.free_bytes - s.chunk_free_bytes,
        768,
        "F is what is free outside chunks"
    );
    // The slab empties and goes back: no chunks left.
    op!(h.free(c)).unwrap();
    let s = h.stats();
    assert_eq!(
        (s.free_chunks, s.chunk_free_bytes, s.free_blocks),
        (0, 0, 1)
    );
}

/// A random op list, good or bad: every op kind, every separator, comments
/// and line breaks, pointers that may not exist or may be freed already,
/// and now and then a token the parser refuses.
/// `made` pointers exist before it (none of them live).
fn random_text(rng: &mut Rng, ops: usize, mut made: usize) -> String {
    let mut t = String::new();
    // Pointers the text made and did not free.
    let mut live = Vec::new();
    for _ in 0..ops {
        // Mostly a live pointer; now and then any number, which may be freed
        // already or not exist yet.
        let k = if !live.is_empty() && rng.percent(99) {
            live[rng.range(0, live.len())]
        } else {
            rng.range(0, made + 3)
        };
        // Whether the token is an allocation request (and so makes a pointer).
        // With no live pointer, nearly always an allocation.
        let roll = if live.is_empty() && rng.percent(98) {
            0
        } else {
            rng.range(0, 100)
        };
        let alloc = match roll {
            0..=44 => {
                t += &format!("+{}", rng.range(1, 300));
                true
            }
            45..=74 => {
                t += &format!("-{k}");
                live.retain(|&p| p != k);
                false
            }
            75..=77 => {
                t += &format!("c{}", rng.range(1, 64));
                true
            }
            78..=80 => {
                t += &format!("+{}@{}", rng.range(1, 64), 1 << rng.range(0, 7));
                true
            }
            81..=83 => {
                t += &format!("r{k}:{}", rng.range(1, 200));
                false
            }
            84..=85 => {
                t += &format!("w{k}@{}=a1b2", rng.range(0, 8));
                false
            }
            86 => {
                t += [
                    "@first-fit",
                    "@next-fit",
                    "@best-fit",
                    "@worst-fit",
                    "@slab",
                ][rng.range(0, 5)];
                false
            }
            87 => {
                t += ["@coalesce", "@no-coalesce", "@merge"][rng.range(0, 3)];
                false
            }
            88 => {
                t += "# a comment, -5 +7\n";
                false
            }
            // Rare refusals: a syntax error, a zero size, a bad alignment.
            89 if rng.percent(40) => {
                t += ["+x", "-", "q3", "+0", "+8@3", "w0=abc"][rng.range(0, 6)];
                false
            }
            _ => {
                t += &format!("+{}", rng.range(1, 40));
                true
            }
        };
        if alloc {
            live.push(made);
            made += 1;
        }
        t += [",", ",", ",", " ", ";", "\n", "\t", ", "][rng.range(0, 8)];
    }
    t
}

#[test]
fn replaying_text_as_it_is_read_matches_parsing_it_first() {
    // `replay_text_with` runs each op as it reads it; parsing the whole text
    // and replaying the script is the reference. Same result (report or the
    // very same error), same state afterwards, same calls to `after` on
    // success, from a fresh session and from one with history.
    let mut rng = Rng::new(7);
    let mut errors = 0;
    for round in 0..600 {
        let mode = Mode::ALL[round % Mode::ALL.len()];
        let n = rng.range(1, 60);
        let history = ["", "+40,+8,-0", "+16,@slab,+20"][round % 3];
        let text = random_text(&mut rng, n, if history.is_empty() { 0 } else { 2 });
        let mut start = session(2048, mode, 8, true);
        if !history.is_empty() {
            start.replay(&script::parse(history).unwrap()).unwrap();
        }
        let (mut a, mut b) = (start.clone(), start.clone());
        let mut seen_a = Vec::new();
        let got = op!(a.replay_text_with(&text, |s, i| seen_a.push((i, s.heap().stats()))));
        let mut seen_b = Vec::new();
        let want = script::parse(&text)
            .and_then(|sc| b.replay_with(&sc, |s, i| seen_b.push((i, s.heap().stats()))));
        assert_eq!(got, want, "{mode} {history:?} {text:?}");
        assert_eq!(a.snapshot(), b.snapshot(), "{text:?}");
        assert_eq!(a.heap().bytes(), b.heap().bytes(), "{text:?}");
        assert_eq!(a.log(), b.log(), "{text:?}");
        assert_eq!(a.ptrs(), b.ptrs(), "{text:?}");
        assert_eq!(a.failed_ops(), b.failed_ops(), "{text:?}");
        if got.is_ok() {
            assert_eq!(seen_a, seen_b, "{text:?}");
        } else {
            errors += 1;
            // An error leaves the session as it was.
            assert_eq!(a.snapshot(), start.snapshot(), "{text:?}");
        }
    }
    // Both outcomes are well represented.
    assert!(
        (60..300).contains(&errors),
        "{errors} of 600 scripts refused"
    );
}

#[test]
fn a_syntax_error_late_in_the_text_wins_over_a_bad_op_before_it() {
    // The reader meets `-5` (no such pointer) first, but parsing reports the
    // whole text's first syntax error, as `parse` always has.
    let mut s = session(1024, Mode::FirstFit, 8, true);
    let fresh = s.clone();
    let e = op!(s.replay_text("+8,-5,\n+8,+x")).unwrap_err();
    assert_eq!((e.line, e.column), (2, 4));
    assert_eq!(s.snapshot(), fresh.snapshot());
    // Without one, the bad op's own message.
    let e = op!(s.replay_text("+8,\n-5,+8")).unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.message.contains("ptr[5] does not exist yet"), "{e}");
    assert_eq!(s.snapshot(), fresh.snapshot());
    // A good text from the same session runs as a new one would.
    let mut new = fresh.clone();
    assert_eq!(
        op!(s.replay_text("+8,+24,-0,+4")),
        op!(new.replay_text("+8,+24,-0,+4"))
    );
    assert_eq!(s.snapshot(), new.snapshot());
}

// ----- malloc.py transcript ----------------------------------------------------------

/// OSTEP's own homework run (the ops `malloc.py -n 10 -H 0 -p BEST -s 0`
/// draws), given to `malloc.py` as a list: `-A +3,-0,… -c` prints exactly
/// this (its source: `print(..., end='')` everywhere, so no space between
/// free list entries, a blank line after each op).
#[test]
fn transcript_reproduces_malloc_py_best_fit_homework_run() {
    let mut s = session(100, Mode::BestFit, 1, false);
    s.replay(&script::parse("+3,-0,+5,-1,+8,-2,+8,-3,+2,+7").unwrap())
        .unwrap();
    let want = "\
seed 0
size 100
baseAddr 1000
headerSize 0
alignment -1
policy BEST
listOrder ADDRSORT
coalesce False
numOps 10
range 10
percentAlloc 50
allocList +3,-0,+5,-1,+8,-2,+8,-3,+2,+7
compute True

ptr[0] = Alloc(3) returned 1000 (searched 1 elements)
Free List [ Size 1 ]: [ addr:1003 sz:97 ]

Free(ptr[0])
returned 0
Free List [ Size 2 ]: [ addr:1000 sz:3 ][ addr:1003 sz:97 ]

ptr[1] = Alloc(5) returned 1003 (searched 2 elements)
Free List [ Size 2 ]: [ addr:1000 sz:3 ][ addr:1008 sz:92 ]

Free(ptr[1])
returned 0
Free List [ Size 3 ]: [ addr:1000 sz:3 ][ addr:1003 sz:5 ][ addr:1008 sz:92 ]

ptr[2] = Alloc(8) returned 1008 (searched 3 elements)
Free List [ Size 3 ]: [ addr:1000 sz:3 ][ addr:1003 sz:5 ][ addr:1016 sz:84 ]

Free(ptr[2])
returned 0
Free List [ Size 4 ]: [ addr:1000 sz:3 ][ addr:1003 sz:5 ][ addr:1008 sz:8 ][ addr:1016 sz:84 ]

ptr[3] = Alloc(8) returned 1008 (searched 4 elements)
Free List [ Size 3 ]: [ addr:1000 sz:3 ][ addr:1003 sz:5 ][ addr:1016 sz:84 ]

Free(ptr[3])
returned 0
Free List [ Size 4 ]: [ addr:1000 sz:3 ][ addr:1003 sz:5 ][ addr:1008 sz:8 ][ addr:1016 sz:84 ]

ptr[4] = Alloc(2) returned 1000 (searched 4 elements)
Free List [ Size 4 ]: [ addr:1002 sz:1 ][ addr:1003 sz:5 ][ addr:1008 sz:8 ][ addr:1016 sz:84 ]

ptr[5] = Alloc(7) returned 1008 (searched 4 elements)
Free List [ Size 4 ]: [ addr:1002 sz:1 ][ addr:1003 sz:5 ][ addr:1015 sz:1 ][ addr:1016 sz:84 ]

";
    assert_eq!(
        transcript::transcript(&s, 1000, 0, 1000, None).unwrap(),
        want
    );
    assert_eq!(
        transcript::command(&s, 1000, 0, 1000, None).unwrap(),
        "python3 malloc.py -S 100 -b 1000 -H 0 -a -1 -p BEST -l ADDRSORT -c -A +3,-0,+5,-1,+8,-2,+8,-3,+2,+7"
    );
}

#[test]
fn transcript_writes_failures_the_other_ops_and_a_cut_long_log() {
    let mut s = session(64, Mode::FirstFit, 8, true);
    s.replay(
        &script::parse("+40,+40,-1,-0,+8@16,c8,r2:16,w2@20=ff,@worst-fit,@nocoalesce,@merge,+100")
            .unwrap(),
    )
    .unwrap();
    let t = transcript::transcript(&s, 0, 0, 100, None).unwrap();
    for line in [
        "alignment 8\npolicy FIRST\n",
        "coalesce True\nnumOps 10\n",
        "ptr[1] = Alloc(40) returned -1 (searched 1 elements)\nFree List [ Size 1 ]: [ addr:40 sz:24 ]\n\n",
        // Freeing the NULL ptr[1] returns -1, as malloc.py's free of an
        // address it did not hand out does.
        "Free(ptr[1])\nreturned -1\n",
        "Free(ptr[0])\nreturned 0\nFree List [ Size 1 ]: [ addr:0 sz:64 ]\n\n",
        "ptr[2] = Alloc(8, align 16) returned 0 (searched 1 elements)\n",
        "ptr[3] = Calloc(8) returned 8 (searched 1 elements)\n",
        "ptr[2] = Realloc(ptr[2], 16) returned 16\nFree List [ Size 2 ]: [ addr:0 sz:8 ][ addr:32 sz:32 ]\n",
        "Write(ptr[2], 1 byte at +20)\nreturned -1\n",
        "policy WORST from here on\n",
        "coalesce False from here on\n",
        "Coalesce the whole free list\n",
        "ptr[4] = Alloc(100) returned -1 (searched 2 elements)\n",
    ] {
        assert!(t.contains(line), "{line:?} not in\n{t}");
    }
    let cut = transcript::transcript(&s, 0, 0, 3, None).unwrap();
    assert!(cut.contains("allocList +40,+40,-1\n"), "{cut}");
    assert!(cut.ends_with("Free(ptr[1])\nreturned -1\nFree List [ Size 1 ]: [ addr:40 sz:24 ]\n\n(9 more ops not shown)\n"), "{cut}");
    // No malloc.py command for a run with ops it lacks.
    assert_eq!(
        transcript::command(&s, 0, 0, 100, None).unwrap_err(),
        transcript::NoCommand {
            why: "malloc.py’s ops are +N and -K only, and this run has +8@16".into(),
            differs: false,
            cut: false,
        }
    );
}

#[test]
fn malloc_py_command_only_when_malloc_py_prints_the_same() {
    let run = |mode: Mode, align: usize, coalesce: bool, ops: &str| {
        let mut s = session(100, mode, align, coalesce);
        s.replay(&script::parse(ops).unwrap()).unwrap();
        transcript::command(&s, 1000, 0, 5, None)
    };
    assert_eq!(
        run(Mode::WorstFit, 4, true, "+5,+10,-0,+3,+90").unwrap(),
        "python3 malloc.py -S 100 -b 1000 -H 0 -a 4 -p WORST -l ADDRSORT -C -c -A +5,+10,-0,+3,+90"
    );
    assert_eq!(
        run(Mode::FirstFit, 1, false, "+10").unwrap(),
        "python3 malloc.py -S 100 -b 1000 -H 0 -a -1 -p FIRST -l ADDRSORT -c -A +10"
    );
    // malloc.py -A keeps only the requests that succeed: a free of a failed
    // one crashes it, a free numbered past the successes it skips ...
    assert_eq!(
        run(Mode::FirstFit, 1, false, "+200,+10,-1").unwrap_err(),
        transcript::NoCommand {
            why: "malloc.py -A counts only the requests that succeed (1 before -1), so it would skip -1 as an invalid free".into(),
            differs: true,
            cut: false,
        }
    );
    // (It counts before it looks up the pointer: checked against malloc.py.)
    assert_eq!(
        run(Mode::FirstFit, 1, false, "+10,+200,-1").unwrap_err(),
        transcript::NoCommand {
            why: "malloc.py -A counts only the requests that succeed (1 before -1), so it would skip -1 as an invalid free".into(),
            differs: true,
            cut: false,
        }
    );
    assert_eq!(
        run(Mode::FirstFit, 1, false, "+200,-0").unwrap_err(),
        transcript::NoCommand {
            why: "malloc.py -A counts only the requests that succeed (0 before -0), so it would skip -0 as an invalid free".into(),
            differs: true,
            cut: false,
        }
    );
    assert_eq!(
        run(Mode::FirstFit, 1, false, "+200,+10,+10,-0").unwrap_err(),
        transcript::NoCommand {
            why: "-0 frees ptr[0], whose request failed: malloc.py -A keeps no pointer for it and would crash".into(),
            differs: true,
            cut: false,
        }
    );
    // ... and any other free after a failure runs as here.
    assert!(run(Mode::FirstFit, 1, false, "+3,+200,+5,-2").is_err());
    assert!(run(Mode::FirstFit, 1, false, "+3,+200,+5,-0").is_ok());
    assert!(run(Mode::FirstFit, 1, false, "+3,-0,+5,+96,-1").is_ok());
    // A failed request with no free after it is fine.
    assert!(run(Mode::BestFit, 1, false, "+10,-0,+200").is_ok());
    assert_eq!(
        run(Mode::NextFit, 1, false, "+10").unwrap_err(),
        transcript::NoCommand {
            why: "malloc.py has first, best and worst fit, not next fit".into(),
            differs: false,
            cut: false,
        }
    );
    assert_eq!(
        run(Mode::Slab, 4, false, "+10").unwrap_err(),
        transcript::NoCommand {
            why: "malloc.py has first, best and worst fit, not slab pools".into(),
            differs: false,
            cut: false,
        }
    );
    assert_eq!(
        run(Mode::FirstFit, 1, false, "").unwrap_err(),
        transcript::NoCommand {
            why: "there are no ops yet".into(),
            differs: false,
            cut: false,
        }
    );
    assert_eq!(
        run(Mode::FirstFit, 1, false, "+1,+1,+1,+1,+1,+1").unwrap_err(),
        transcript::NoCommand {
            why: "it is written out for 5 ops at most".into(),
            differs: false,
            cut: true,
        }
    );
    assert_eq!(
        run(Mode::FirstFit, 1, false, "+1,@best-fit").unwrap_err(),
        transcript::NoCommand {
            why: "malloc.py’s ops are +N and -K only, and this run has @best-fit".into(),
            differs: false,
            cut: false,
        }
    );
}

/// OSTEP's `malloc.py` (its `malloc` class and `-A` loop, `-H 0 -l
/// ADDRSORT`), written over in Rust from its source as a second opinion: a
/// list of `(addr, size)` searched front to back, split at the front, a free
/// appended and the list sorted by address, then (with `-C`) one pass that
/// merges neighbours. It prints what `malloc.py -c` prints after the header.
fn malloc_py_model(
    size: usize,
    base: usize,
    header: usize,
    align: usize,
    policy: &str,
    coalesce: bool,
    ops: &[(bool, usize)],
) -> String {
    let mut free: Vec<(usize, usize)> = vec![(base, size)];
    let mut sizemap: std::collections::HashMap<usize, usize> = Default::default();
    let mut p: std::collections::HashMap<usize, usize> = Default::default();
    let mut c = 0;
    let mut out = String::new();
    for &(alloc, n) in ops {
        if alloc {
            let mut want = n;
            if align > 1 && want % align != 0 {
                want += align - want % align;
            }
            want += header;
            let (mut best, mut best_size, mut count) =
                (None, if policy == "BEST" { size + 1 } else { 0 }, 0);
            for (i, &(_, esize)) in free.iter().enumerate() {
                count += 1;
                let better = match policy {
                    "BEST" => esize < best_size,
                    "WORST" => best.is_none() || esize > best_size,
                    _ => true,
                };
                if esize >= want && better {
                    best = Some(i);
                    best_size = esize;
                    if policy == "FIRST" {
                        break;
                    }
                }
            }
            let ptr = match best {
                Some(i) => {
                    let (addr, esize) = free[i];
                    if esize > want {
                        free[i] = (addr + want, esize - want);
                    } else {
                        free.remove(i);
                    }
                    sizemap.insert(addr, want);
                    p.insert(c, addr);
                    addr as i64
                }
                None => -1,
            };
            out += &format!("ptr[{c}] = Alloc({n}) returned {ptr} (searched {count} elements)\n");
            c += 1;
        } else {
            let addr = p[&n];
            let sz = sizemap.remove(&addr).expect("live");
            free.push((addr, sz));
            free.sort();
            if coalesce {
                let mut merged: Vec<(usize, usize)> = Vec::new();
                for &(a, s) in &free {
                    match merged.last_mut() {
                        Some(last) if last.0 + last.1 == a => last.1 += s,
                        _ => merged.push((a, s)),
                    }
                }
                free = merged;
            }
            out += &format!("Free(ptr[{n}])\nreturned 0\n");
        }
        out += &format!("Free List [ Size {} ]: ", free.len());
        for (a, s) in &free {
            out += &format!("[ addr:{a} sz:{s} ]");
        }
        out += "\n\n";
    }
    out
}

#[test]
fn transcript_matches_a_model_of_malloc_py_on_random_runs() {
    let mut rng = Rng::new(17);
    for round in 0..600 {
        let policy = ["FIRST", "BEST", "WORST"][round % 3];
        let mode = match policy {
            "FIRST" => Mode::FirstFit,
            "BEST" => Mode::BestFit,
            _ => Mode::WorstFit,
        };
        let align = [1, 1, 2, 4, 8][rng.range(0, 5)];
        let header = [0, 0, 1, 4, 8][rng.range(0, 5)];
        let size = align * rng.range(10, 40);
        let coalesce = rng.percent(50);
        let base = [0, 1000, 4096][rng.range(0, 3)];
        let model = |ops: &[(bool, usize)]| {
            malloc_py_model(size, base, header, align, policy, coalesce, ops)
        };
        // +N and -K as malloc.py -A takes them: frees of live pointers only,
        // and none once a request has failed (malloc.py keeps only the
        // requests that succeed, which shifts what -K may free). The model
        // says what failed.
        let (mut ops, mut live, mut c, mut failed) = (Vec::new(), Vec::new(), 0, false);
        for _ in 0..rng.range(1, 30) {
            if live.is_empty() || failed || rng.percent(55) {
                let n = rng.range(1, size / 2 + 2);
                ops.push((true, n));
                if model(&ops).contains(&format!("ptr[{c}] = Alloc({n}) returned -1")) {
                    failed = true;
                } else {
                    live.push(c);
                }
                c += 1;
            } else {
                ops.push((false, live.swap_remove(rng.range(0, live.len()))));
            }
        }
        let text = ops
            .iter()
            .map(|&(a, n)| if a { format!("+{n}") } else { format!("-{n}") })
            .collect::<Vec<_>>()
            .join(",");
        let mut s = session(size, mode, align, coalesce);
        s.replay(&script::parse(&text).unwrap()).unwrap();
        let t = transcript::transcript(&s, base, header, 1000, None).unwrap();
        assert!(t.contains(&format!("headerSize {header}\n")));
        let body = &t[t.find("compute True\n\n").unwrap() + "compute True\n\n".len()..];
        assert_eq!(
            body,
            model(&ops),
            "round {round}: {policy} -S {size} -H {header} -a {align} -C {coalesce} -b {base} -A {text}"
        );
        let cmd = transcript::command(&s, base, header, 1000, None)
            .unwrap_or_else(|e| panic!("round {round}: {}", e.why));
        assert!(cmd.contains(&format!(" -H {header} ")), "{cmd}");
    }
}

/// malloc.py's README example, `-S 100 -b 1000 -H 4 -a 4 -l ADDRSORT -p BEST`:
/// each request rounded to 4 and grown by a 4-byte header.
#[test]
fn transcript_takes_a_header_as_malloc_py_does() {
    let mut s = session(100, Mode::BestFit, 4, false);
    s.replay(&script::parse("+3,-0,+5,-1,+8").unwrap()).unwrap();
    let t = transcript::transcript(&s, 1000, 4, 100, None).unwrap();
    assert!(t.contains("headerSize 4\nalignment 4\n"), "{t}");
    for line in [
        "ptr[0] = Alloc(3) returned 1000 (searched 1 elements)\nFree List [ Size 1 ]: [ addr:1008 sz:92 ]\n",
        "Free(ptr[0])\nreturned 0\nFree List [ Size 2 ]: [ addr:1000 sz:8 ][ addr:1008 sz:92 ]\n",
        "ptr[1] = Alloc(5) returned 1008 (searched 2 elements)\nFree List [ Size 2 ]: [ addr:1000 sz:8 ][ addr:1020 sz:80 ]\n",
        "ptr[2] = Alloc(8) returned 1008 (searched 3 elements)\n",
    ] {
        assert!(t.contains(line), "{line:?} not in\n{t}");
    }
    assert_eq!(
        transcript::command(&s, 1000, 4, 100, None).unwrap(),
        "python3 malloc.py -S 100 -b 1000 -H 4 -a 4 -p BEST -l ADDRSORT -c -A +3,-0,+5,-1,+8"
    );
    // The session itself is untouched: no header in its own blocks.
    let Ptr::Live(off) = s.ptrs()[2] else {
        panic!("ptr[2] is live")
    };
    assert_eq!(s.heap().live_block(off).unwrap().size, 8);
}

#[test]
fn malloc_py_command_is_withheld_when_the_transcript_cuts_a_free_list_short() {
    // 300 blocks of 1 byte, every other one freed: 150 free blocks and the
    // tail, under the cap; 500 of them: 250 and the tail, over it.
    let run = |n: usize| {
        let mut s = session(1000, Mode::FirstFit, 1, false);
        let allocs = vec!["+1"; n].join(",");
        let frees: Vec<String> = (0..n).step_by(2).map(|k| format!("-{k}")).collect();
        s.replay(&script::parse(&format!("{allocs},{}", frees.join(","))).unwrap())
            .unwrap();
        (
            transcript::transcript(&s, 0, 0, 10_000, None).unwrap(),
            transcript::command(&s, 0, 0, 10_000, None),
        )
    };
    let (t, c) = run(300);
    assert!(c.is_ok());
    assert!(!t.contains("more)"));
    let (t, c) = run(500);
    assert_eq!(
        c.unwrap_err(),
        transcript::NoCommand {
            why: "the free list grows to 251 blocks, and this view writes 200 per line".into(),
            differs: false,
            cut: true,
        }
    );
    assert!(
        t.contains("[ addr:398 sz:1 ] … (51 more)\n"),
        "{}",
        &t[t.len() - 300..]
    );
    // Cut short, but malloc.py -A would skip a free too: no command for
    // that reason, not merely a cut.
    let mut s = session(1000, Mode::FirstFit, 1, false);
    let allocs = vec!["+1"; 500].join(",");
    let frees: Vec<String> = (0..500).step_by(2).map(|k| format!("-{k}")).collect();
    s.replay(&script::parse(&format!("{allocs},+5000,{},-500", frees.join(","))).unwrap())
        .unwrap();
    let no = transcript::command(&s, 0, 0, 10_000, None).unwrap_err();
    assert!((no.differs, no.cut) == (true, false), "{no:?}");
}

#[test]
fn malloc_py_command_over_the_transcripts_length_is_cut_only_when_nothing_else_rules_it_out() {
    let run = |ops: &str| {
        let mut s = session(100, Mode::FirstFit, 1, false);
        s.replay(&script::parse(ops).unwrap()).unwrap();
        transcript::command(&s, 1000, 0, 5, None).unwrap_err()
    };
    assert!(run("+1,+1,+1,+1,+1,+1").cut);
    // An op malloc.py lacks, past the length: no command at all.
    assert_eq!(
        run("+1,+1,+1,+1,+1,r0:4"),
        transcript::NoCommand {
            why: "malloc.py’s ops are +N and -K only, and this run has r0:4".into(),
            differs: false,
            cut: false,
        }
    );
}

// ----- what the last op did ---------------------------------------------------

fn span(offset: usize, size: usize) -> Option<Span> {
    Some(Span { offset, size })
}

#[test]
fn last_op_names_the_hole_an_allocation_was_carved_from_and_the_blocks_searched() {
    // OSTEP's example at step 7 under best fit: free blocks of 3, 5, 8 and 84
    // bytes; +7 takes the 8-byte one, the smallest that fits.
    let mut s = session(100, Mode::BestFit, 1, false);
    assert_eq!(explain::last_op(&s).unwrap(), None, "nothing has run");
    s.replay(&script::parse("+3,-0,+5,-1,+8,-2,+7").unwrap())
        .unwrap();
    let e = explain::last_op(&s).unwrap().unwrap();
    assert_eq!((e.step, e.op.as_str(), e.mode), (7, "+7", Mode::BestFit));
    assert_eq!(e.call, script::Op::Alloc { size: 7 }, "the op as data");
    assert_eq!(e.ptr, Some(3));
    assert_eq!(e.block, span(8, 7));
    assert_eq!(e.hole, span(8, 8));
    assert_eq!(e.searched, Some(4));
    assert_eq!((e.free_blocks, e.largest_free, e.free_bytes), (4, 84, 100));
    assert!(!e.failed);
    // First fit would take the first that fits: the 8-byte block is the third.
    let mut f = session(100, Mode::FirstFit, 1, false);
    f.replay(&script::parse("+3,-0,+5,-1,+8,-2,+7").unwrap())
        .unwrap();
    let e = explain::last_op(&f).unwrap().unwrap();
    assert_eq!((e.hole, e.searched), (span(8, 8), Some(3)));
}

#[test]
fn last_op_of_a_refused_request_says_the_block_it_needed_and_a_slab_request_its_class() {
    // A header: +30 at align 8 needs 32 + 4 = 36 bytes, and 20 are free.
    let mut s = Session::new(HeapConfig {
        header: 4,
        ..heap_config(64, Mode::FirstFit, 8, true)
    })
    .unwrap();
    s.replay(&script::parse("+40,+30").unwrap()).unwrap();
    let e = explain::last_op(&s).unwrap().unwrap();
    assert!(e.failed);
    assert_eq!((e.needed, e.class, e.largest_free), (Some(36), None, 20));
    // A request that got its block: the same figure, its block's size (4 rounded to 8, plus 4).
    s.replay(&script::parse("+4").unwrap()).unwrap();
    let e = explain::last_op(&s).unwrap().unwrap();
    assert_eq!((e.failed, e.needed), (false, Some(12)));
    assert_eq!(e.block.map(|b| b.size), Some(12));
    // Slab mode: the class that serves the size (placed or not), none past the largest.
    let mut slab = session(1024, Mode::Slab, 8, true);
    for (op, class) in [
        ("+20", Some(32)),
        ("+64", Some(64)),
        ("+1", Some(16)),
        ("+65", None),
    ] {
        slab.replay(&script::parse(op).unwrap()).unwrap();
        let e = explain::last_op(&slab).unwrap().unwrap();
        assert_eq!((e.class, e.needed), (class, None), "{op}");
        assert_eq!(e.failed, class.is_none(), "{op}");
    }
}

/// Under a free list sorted by size, a free re-sorts the list, and the
/// coalescing pass can then merge two other free blocks that became list
/// neighbours: `other_merges` counts them (QA's case: op 26 frees 13 B at 18,
/// and 1 B at 14 and 3 B at 15 merge).
#[test]
fn last_op_of_a_free_counts_the_merges_a_list_order_made_elsewhere() {
    let ops = "+13,-0,+9,+15,-2,-1,+15,+3,+13,+13,+15,+12,-4,+12,+14,-7,+6,+10,-5,-9,+9,+13,-3,+14,+14,-14";
    let mut s = Session::new(HeapConfig {
        order: ListOrder::SizeAscending,
        ..heap_config(100, Mode::FirstFit, 1, true)
    })
    .unwrap();
    s.replay(&script::parse(ops).unwrap()).unwrap();
    let e = explain::last_op(&s).unwrap().unwrap();
    assert_eq!((e.merged, e.other_merges), (None, 1));
    let free = |s: &Session| -> Vec<(usize, usize)> {
        s.heap()
            .blocks()
            .iter()
            .filter(|b| b.free)
            .map(|b| (b.offset, b.size))
            .collect()
    };
    let before = free(&s.rebuild(s.log().len() - 1).unwrap());
    assert!(before.contains(&(14, 1)) && before.contains(&(15, 3)));
    assert!(free(&s).contains(&(14, 4)));
    // By address the same free merges nothing else.
    let mut a = session(100, Mode::FirstFit, 1, true);
    a.replay(&script::parse("+10,+10,+10,-1").unwrap()).unwrap();
    assert_eq!(explain::last_op(&a).unwrap().unwrap().other_merges, 0);
}

#[test]
fn last_op_of_a_free_says_what_it_merged_with() {
    let mut s = session(100, Mode::FirstFit, 1, true);
    s.replay(&script::parse("+10,+20,+30,-0,-2").unwrap())
        .unwrap();
    // ptr[2] (30 bytes at 30) merges with the free tail (40 at 60).
    let e = explain::last_op(&s).unwrap().unwrap();
    assert_eq!(
        (e.ptr, e.block, e.merged),
        (Some(2), span(30, 30), span(30, 70))
    );
    // Freeing ptr[1] now merges with both neighbours: one block, the arena.
    s.replay(&script::parse("-1").unwrap()).unwrap();
    let e = explain::last_op(&s).unwrap().unwrap();
    assert_eq!((e.block, e.merged), (span(10, 20), span(0, 100)));
    assert_eq!(e.free_blocks, 2);
    // Without coalescing nothing merges.
    let mut n = session(100, Mode::FirstFit, 1, false);
    n.replay(&script::parse("+10,+20,-0,-1").unwrap()).unwrap();
    let e = explain::last_op(&n).unwrap().unwrap();
    assert_eq!((e.block, e.merged, e.coalesce), (span(10, 20), None, false));
}

/// Drives `s` with `n` random ops (allocations that fit and some that do
/// not, frees, reallocs, now and then a mode switch, a coalescing toggle or a
/// merge), calling `after` after each.
fn random_session_ops(s: &mut Session, rng: &mut Rng, n: usize, mut after: impl FnMut(&Session)) {
    let mut live: Vec<usize> = Vec::new();
    for _ in 0..n {
        match rng.range(0, 100) {
            0..=44 => {
                if let Ok(off) = s.alloc(rng.range(1, 90)) {
                    live.push(off);
                }
            }
            45..=79 if !live.is_empty() => {
                let off = live.swap_remove(rng.range(0, live.len()));
                s.free(off).unwrap();
            }
            80..=89 if !live.is_empty() => {
                let k = rng.range(0, live.len());
                if let Ok(off) = s.realloc(live[k], rng.range(1, 120)) {
                    live[k] = off;
                }
            }
            90..=93 => s.set_mode(Mode::ALL[rng.range(0, Mode::ALL.len())]),
            94..=96 => s.set_coalesce(rng.percent(50)),
            97 => {
                s.merge_all();
            }
            _ => {
                let _ = s.alloc(100_000);
            }
        }
        after(s);
    }
}

#[test]
fn an_explainer_asked_as_ops_run_answers_as_a_fresh_replay() {
    // It keeps the state before the last op and brings it forward; its
    // answers must be those of `last_op`, which replays the whole log.
    let mut rng = Rng::new(76);
    for sbrk in [false, true] {
        for order in [ListOrder::Address, ListOrder::SizeAscending] {
            let mut s = Session::new(HeapConfig {
                sbrk,
                order,
                header: 4,
                ..heap_config(1024, Mode::FirstFit, 8, true)
            })
            .unwrap();
            let mut ex = explain::Explainer::default();
            let mut asked = 0;
            random_session_ops(&mut s, &mut rng, 300, |s| {
                asked += 1;
                // (Now and then two or three ops between questions.)
                if asked % 7 == 3 || asked % 7 == 4 {
                    return;
                }
                // It says beforehand how many ops it will replay.
                let (pending, before) = (ex.pending(s), ex.replayed());
                let answer = ex.last_op(s).unwrap();
                assert_eq!(ex.replayed() - before, pending as u64, "pending");
                assert_eq!(
                    answer,
                    explain::last_op(s).unwrap(),
                    "after op {asked} ({:?}), sbrk {sbrk}, {order:?}",
                    s.log().last()
                );
            });
            // Brought forward a few ops at a time, not replayed each time:
            // asked after most of ~300 ops, it replayed each op once.
            assert!(
                ex.replayed() <= s.log().len() as u64,
                "replayed {} ops for a log of {}",
                ex.replayed(),
                s.log().len()
            );
            // After an undo (a rebuild at an earlier step), on a fork that
            // went another way from there, and on another session, it starts
            // over and still answers alike.
            let undone = s.rebuild(s.log().len() - 5).unwrap();
            assert_eq!(ex.pending(&undone), undone.log().len() - 1, "all again");
            assert_eq!(
                ex.last_op(&undone).unwrap(),
                explain::last_op(&undone).unwrap()
            );
            let mut fork = s.rebuild(s.log().len() - 40).unwrap();
            fork.set_mode(Mode::WorstFit);
            let _ = fork.alloc(24);
            assert_eq!(ex.last_op(&fork).unwrap(), explain::last_op(&fork).unwrap());
            assert_eq!(ex.last_op(&s).unwrap(), explain::last_op(&s).unwrap());
            let other = session(512, Mode::BestFit, 8, true);
            assert_eq!(ex.last_op(&other).unwrap(), None, "nothing has run");
            let mut other = other;
            other.alloc(40).unwrap();
            assert_eq!(
                ex.last_op(&other).unwrap(),
                explain::last_op(&other).unwrap()
            );
            assert_eq!(ex.last_op(&s).unwrap(), explain::last_op(&s).unwrap());
        }
    }
}

#[test]
fn a_rebuild_keeps_the_state_before_its_last_op_so_its_first_answer_replays_nothing() {
    // Undo and scrubbing back rebuild the session; the page then asks what
    // the op at the new cursor did, and the grader what the next one does.
    let mut rng = Rng::new(81);
    for order in [ListOrder::Address, ListOrder::SizeDescending] {
        let mut s = Session::new(HeapConfig {
            order,
            ..heap_config(2048, Mode::BestFit, 8, true)
        })
        .unwrap();
        random_session_ops(&mut s, &mut rng, 120, |_| {});
        let len = s.log().len();
        for n in [0, 1, 2, len / 2, len - 1, len, len + 3] {
            let (back, mut ex) = explain::rebuild_explained(&s, n).unwrap();
            let plain = s.rebuild(n).unwrap();
            assert_eq!(back.log(), plain.log(), "step {n}");
            assert_eq!(back.heap().blocks(), plain.heap().blocks(), "step {n}");
            assert_eq!(back.ptrs(), plain.ptrs(), "step {n}");
            back.invariants().unwrap();
            assert_eq!(ex.pending(&back), 0, "nothing to replay at step {n}");
            assert_eq!(
                ex.last_op(&back).unwrap(),
                explain::last_op(&plain).unwrap()
            );
            assert_eq!(ex.replayed(), 0, "step {n}");
            // The op after it (a predicted one) is brought forward by one.
            let mut on = back;
            if on.catch_up(&s, (n + 1).min(len)).unwrap() && n < len {
                assert_eq!(ex.pending(&on), usize::from(n > 0), "step {n}");
                assert_eq!(ex.last_op(&on).unwrap(), explain::last_op(&on).unwrap());
            }
        }
    }
    // Kept at any step (a rewind replayed from the start): the next op's
    // answer replays nothing; over 64 MiB nothing is kept.
    let mut s = session(1024, Mode::FirstFit, 8, true);
    s.replay(&script::parse("+10,+20,-0").unwrap()).unwrap();
    let mut ex = explain::Explainer::default();
    assert!(ex.keep(&s));
    s.alloc(8).unwrap();
    assert_eq!(ex.pending(&s), 0);
    assert_eq!(ex.last_op(&s).unwrap(), explain::last_op(&s).unwrap());
    let big = session(explain::MAX_KEPT_ARENA + 8, Mode::FirstFit, 8, true);
    assert!(!ex.keep(&big));
}

#[test]
fn last_request_is_the_step_whose_search_the_statistics_count() {
    let mut s = session(256, Mode::FirstFit, 8, true);
    assert_eq!(s.last_request(), None, "nothing logged");
    s.replay(&script::parse("+10,+20,-0").unwrap()).unwrap();
    // Frees, switches and writes search nothing: the figure is still op 2's.
    assert_eq!(s.last_request(), Some(2));
    s.replay(&script::parse("@best-fit,w1=ff,@merge").unwrap())
        .unwrap();
    assert_eq!(s.last_request(), Some(2));
    let searched = s.heap().last_searched();
    assert_eq!(searched, 1, "op 2 searched the one free block");
    // A realloc is a request (in place: it searched none), and so is one
    // refused for lack of memory, calloc and an aligned malloc.
    for (op, step) in [("r1:8", 7), ("+1000", 8), ("c8", 9), ("+8@64", 10)] {
        s.replay(&script::parse(op).unwrap()).unwrap();
        assert_eq!(s.last_request(), Some(step), "{op}");
    }
    s.replay(&script::parse("-4").unwrap()).unwrap();
    assert_eq!(s.last_request(), Some(10));
}

#[test]
fn an_explainer_keeps_no_copy_of_an_arena_over_64_mib() {
    // The copy would cost another arena that size: past MAX_KEPT_ARENA each
    // answer rebuilds the state before the op, as `last_op` does.
    let big = explain::MAX_KEPT_ARENA + 8;
    let mut s = session(big, Mode::FirstFit, 8, true);
    let mut ex = explain::Explainer::default();
    for size in [10, 20, 30] {
        s.alloc(size).unwrap();
        assert_eq!(ex.last_op(&s).unwrap(), explain::last_op(&s).unwrap());
    }
    assert_eq!(ex.replayed(), 1 + 2, "rebuilt from the start each time");
    let mut small = session(1024, Mode::FirstFit, 8, true);
    let mut ex = explain::Explainer::default();
    for size in [10, 20, 30] {
        small.alloc(size).unwrap();
        ex.last_op(&small).unwrap();
    }
    assert_eq!(ex.replayed(), 2, "brought forward one op at a time");
}

#[test]
fn catch_up_replays_only_the_missing_ops_of_the_same_session() {
    let mut rng = Rng::new(7);
    let mut s = Session::new(HeapConfig {
        sbrk: true,
        ..heap_config(2048, Mode::NextFit, 8, true)
    })
    .unwrap();
    random_session_ops(&mut s, &mut rng, 200, |_| {});
    let n = s.log().len();
    let same = |a: &Session, b: &Session| {
        assert_eq!(a.log(), b.log());
        assert_eq!(a.failed_ops(), b.failed_ops());
        assert_eq!(a.ptrs(), b.ptrs());
        assert_eq!(a.heap().blocks(), b.heap().blocks());
        assert_eq!(a.heap().stats(), b.heap().stats());
        a.invariants().unwrap();
    };
    for (from, to) in [(0, n), (10, 11), (n / 2, n - 1), (n, n)] {
        let mut kept = s.rebuild(from).unwrap();
        assert!(kept.catch_up(&s, to).unwrap(), "{from} → {to}");
        same(&kept, &s.rebuild(to).unwrap());
    }
    // Not a rebuild of `s` up to step `n`: refused, and nothing changes.
    let mut past = s.rebuild(n / 2).unwrap();
    assert!(
        !past.catch_up(&s, n / 2 - 1).unwrap(),
        "already past the step"
    );
    assert!(
        !past.catch_up(&s, n + 1).unwrap(),
        "a step s has not reached"
    );
    same(&past, &s.rebuild(n / 2).unwrap());
    let mut elsewhere = session(2048, Mode::NextFit, 8, true);
    assert!(
        !elsewhere.catch_up(&s, n).unwrap(),
        "another start (no sbrk)"
    );
    assert!(elsewhere.log().is_empty());
    let mut forked = s.rebuild(20).unwrap();
    forked.set_coalesce(false);
    assert!(
        !forked.catch_up(&s, n).unwrap(),
        "a log that went another way"
    );
    assert_eq!(forked.log().len(), 21);
}

#[test]
fn last_op_of_a_failed_request_and_a_realloc() {
    let mut s = session(100, Mode::WorstFit, 1, true);
    s.replay(&script::parse("+60,+50").unwrap()).unwrap();
    let e = explain::last_op(&s).unwrap().unwrap();
    assert!(e.failed);
    assert_eq!((e.ptr, e.block, e.hole), (Some(1), None, None));
    assert_eq!(
        (e.free_blocks, e.largest_free, e.searched),
        (1, 40, Some(1))
    );
    // A realloc that cannot grow in place moves: where from, where to.
    let mut r = session(100, Mode::FirstFit, 1, true);
    r.replay(&script::parse("+10,+10,r0:30").unwrap()).unwrap();
    let e = explain::last_op(&r).unwrap().unwrap();
    assert_eq!(
        (e.before, e.block, e.hole),
        (span(0, 10), span(20, 30), span(20, 80))
    );
    // Switches and writes have no block to carve.
    r.replay(&script::parse("@best-fit").unwrap()).unwrap();
    let e = explain::last_op(&r).unwrap().unwrap();
    assert_eq!((e.op.as_str(), e.ptr, e.block), ("@best-fit", None, None));
}

#[test]
fn a_malloc_py_command_line_reads_back_as_settings_and_ops() {
    let r =
        transcript::parse_command("python3 ./malloc.py -n 10 -H 4 -p first -s 0 -C -c -A +3,-0,+5")
            .unwrap();
    assert_eq!(
        (
            r.size,
            r.base,
            r.header,
            r.align,
            r.strategy,
            r.coalesce,
            r.ops.as_str()
        ),
        (100, 1000, 4, 1, Mode::FirstFit, true, "+3,-0,+5")
    );
    // malloc.py's defaults: -S 100 -b 1000 -H 0 -a -1 -p BEST, no coalescing.
    let d = transcript::parse_command("-A +1").unwrap();
    assert_eq!(
        (d.size, d.base, d.align, d.strategy, d.coalesce),
        (100, 1000, 1, Mode::BestFit, false)
    );
    // Long options, glued values, quotes.
    let l = transcript::parse_command(
        "malloc.py --size=64 -b0 --alignment 4 --policy=WORST -l ADDRSORT -A '+8,+8,-1'",
    )
    .unwrap();
    assert_eq!(
        (l.size, l.base, l.align, l.strategy, l.ops.as_str()),
        (64, 0, 4, Mode::WorstFit, "+8,+8,-1")
    );
    // The command the malloc.py view writes reads back as the same run.
    let mut s = session(100, Mode::BestFit, 4, true);
    s.replay(&script::parse("+3,-0,+5,-1,+8,-2,+7").unwrap())
        .unwrap();
    let cmd = transcript::command(&s, 500, 0, 100, None).unwrap();
    let back = transcript::parse_command(&cmd).unwrap();
    assert_eq!(
        (
            back.size,
            back.base,
            back.align,
            back.strategy,
            back.coalesce,
            back.ops
        ),
        (100, 500, 4, Mode::BestFit, true, script::format(s.log()))
    );
    // What it cannot run, it says, with the column of the option.
    for (line, col, why) in [
        ("malloc.py -n 0", 0, "-n 0: from 1 to 100,000 ops are drawn"),
        ("malloc.py -n 100001", 0, "-n 100001: from 1 to 100,000"),
        (
            "malloc.py -n 10001 -l SIZESORT+",
            0,
            "-n 10001: under -l SIZESORT+ up to 10,000 ops are drawn here",
        ),
        (
            "malloc.py -P 0",
            0,
            "-P 0: malloc.py needs a percentage above 0",
        ),
        (
            "malloc.py -r -1",
            11,
            "-r -1: out of range (from 0 to 1,073,741,824 here)",
        ),
        ("malloc.py -S 0", 11, "-S 0: out of range (from 1 to"),
        (
            "malloc.py -S 67108865",
            11,
            "-S 67108865: heaps up to 67,108,864 bytes (64 MiB) here",
        ),
        (
            "malloc.py -s 99999999999999999999999",
            11,
            "-s 99999999999999999999999: too large for the playground",
        ),
        (
            "malloc.py -n 10 -a 8",
            17,
            "-S 100 -a 8: here the heap size must be a multiple of the alignment (-S 96 or -S 104, or -a 4)",
        ),
        ("malloc.py -s 08", 11, "-s 08: expected a whole number"),
        (
            "malloc.py -s 9007199254740992",
            0,
            "-s 9007199254740992: seeds up to ±9007199254740991",
        ),
        (
            "malloc.py -S 6 -a 8",
            16,
            "-S 6 -a 8: here the heap size must be a multiple of the alignment (-S 8, or -a 2)",
        ),
        (
            "malloc.py -l RANDOM -A +1",
            11,
            "-l RANDOM: malloc.py's list orders are ADDRSORT, SIZESORT+, SIZESORT-, INSERT-FRONT and INSERT-BACK",
        ),
        (
            "malloc.py -p NEXT -A +1",
            11,
            "-p NEXT: malloc.py's policies are FIRST, BEST and WORST",
        ),
        (
            "malloc.py -a 3 -A +1",
            11,
            "-a 3: the playground aligns to powers of two",
        ),
        ("malloc.py -x -A +1", 11, "-x: not a malloc.py option"),
        // A character of several bytes after `-` is an option name too.
        ("malloc.py -é -A +1", 11, "-é: not a malloc.py option"),
        ("malloc.py -cé -A +1", 13, "-é: not a malloc.py option"),
        ("malloc.py -Sé", 11, "-S é: expected a whole number"),
        // Clustered flags: each error is at its own letter, however deep
        // (the cluster's made-up `-` used to push each level one further, out of the line).
        ("malloc.py -CcH", 14, "-H needs a value"),
        ("malloc.py -CCcH", 15, "-H needs a value"),
        ("malloc.py -ccé", 14, "-é: not a malloc.py option"),
        ("malloc.py -cCcCé -A +1", 16, "-é: not a malloc.py option"),
        ("malloc.py -A", 11, "-A needs a value"),
        (
            "malloc.py -S big -A +1",
            11,
            "-S big: expected a whole number",
        ),
        ("malloc.py -A +1,x", 11, "-A: "),
        ("hello world", 0, "no malloc.py options"),
    ] {
        let e = transcript::parse_command(line).unwrap_err();
        assert_eq!((e.line, e.column), (1, col), "{line}");
        assert!(e.message.starts_with(why), "{line}: {}", e.message);
    }
    // A pasted command may span lines: an error names its own line, a
    // second command is told apart, and a shell's `\` line break continues.
    let e = transcript::parse_command("\n./malloc.py -n 10 -s 0\n  -p BST\n").unwrap_err();
    assert_eq!(
        (e.line, e.column, e.message.as_str()),
        (
            3,
            3,
            "-p BST: malloc.py's policies are FIRST, BEST and WORST"
        )
    );
    let e = transcript::parse_command(
        "./malloc.py -n 10 -p BEST -s 0\n./malloc.py -n 10 -p WORST -s 0",
    )
    .unwrap_err();
    assert_eq!(
        (e.line, e.column, e.message.as_str()),
        (
            2,
            1,
            "./malloc.py: a second command; run one malloc.py command at a time"
        )
    );
    let r = transcript::parse_command("./malloc.py -n 10 \\\n  -p WORST \\\r\n -s 0").unwrap();
    assert_eq!(
        (r.strategy, r.draw.map(|d| d.num_ops)),
        (Mode::WorstFit, Some(10))
    );
}

/// A session that runs a parsed `malloc.py` command, as the page runs it.
fn malloc_py_session(run: &transcript::MallocPyRun) -> Session {
    let mut s = Session::new(run.heap_config()).unwrap();
    let script = script::parse(&run.ops).unwrap();
    s.replay_with(&script, |s, _| s.invariants().unwrap())
        .unwrap();
    s
}

/// Checks each run of a golden file of `malloc.py` outputs (`$ command`,
/// then what it printed): the playground prints the same, and the command
/// it gives back reads as the same run.
fn check_malloc_py_golden(file: &str, runs: usize) {
    let text = std::fs::read_to_string(format!(
        "{}/tests/golden/{file}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let all: Vec<&str> = text.split("$ ").filter(|r| !r.is_empty()).collect();
    assert_eq!(all.len(), runs, "{file}");
    for run in all {
        let (line, want) = run.split_once('\n').unwrap();
        let r = transcript::parse_command(line).unwrap();
        let s = malloc_py_session(&r);
        assert_eq!(
            s.initial_config().header,
            r.header,
            "the heap itself has -H"
        );
        let got = transcript::transcript(&s, r.base, r.header, 10_000, r.draw.as_ref()).unwrap();
        assert_eq!(got, want, "{line}");
        // The heap's blocks are malloc.py's: its last free list is the map's free blocks.
        let last = want.trim_end().lines().last().unwrap();
        let free: String = s
            .heap()
            .blocks()
            .iter()
            .filter(|b| b.free)
            .map(|b| format!("[ addr:{} sz:{} ]", r.base + b.offset, b.size))
            .collect();
        if r.order == ListOrder::Address {
            assert!(last.ends_with(&free), "{line}: {last} vs {free}");
        }
        if r.header > 0 && r.size % r.align == 0 {
            // A heap without a header, written with the view's -H: the same text.
            let mut plain = Session::new(HeapConfig {
                header: 0,
                ..r.heap_config()
            })
            .unwrap();
            plain.replay(&script::parse(&r.ops).unwrap()).unwrap();
            assert_eq!(
                transcript::transcript(&plain, r.base, r.header, 10_000, r.draw.as_ref()).unwrap(),
                want,
                "{line} (view -H)"
            );
        }
        let cmd = transcript::command(&s, r.base, r.header, 10_000, r.draw.as_ref()).unwrap();
        assert!(cmd.ends_with(" -c") == r.draw.is_some(), "{cmd}");
        let back = transcript::parse_command(&cmd).unwrap();
        assert_eq!(
            (back.ops, back.draw, back.order),
            (r.ops.clone(), r.draw, r.order),
            "{cmd}"
        );
    }
}

/// `malloc.py` without `-A` draws its ops from Python's generator; the
/// golden file holds what OSTEP's `malloc.py` (run under CPython 3.11)
/// printed for fourteen command lines: the three policies, headers and
/// alignment, coalescing, failures, `-P` from 30 to 100, a negative and a
/// hex seed, long options, 200 ops. The playground draws the same ops and
/// writes the same text, and the command it gives back draws them again.
#[test]
fn malloc_py_random_mode_golden_runs() {
    check_malloc_py_golden("malloc_py_random.txt", 14);
}

/// `malloc.py -l` keeps its free list by size (`SIZESORT+`, `SIZESORT-`)
/// or in the order blocks were freed (`INSERT-FRONT`, `INSERT-BACK`): the
/// searches walk that list, and `-C` merges only neighbours in it. The
/// golden file holds `malloc.py`'s output for each order under each policy,
/// with and without `-C` (30 drawn ops each), two longer runs, a header and
/// alignment, and two `-A` lists; the playground prints the same.
#[test]
fn malloc_py_list_orders_golden_runs() {
    check_malloc_py_golden("malloc_py_orders.txt", 29);
}

#[test]
fn malloc_py_draws_the_ostep_homework_ops() {
    // OSTEP chapter 17, question 1: ./malloc.py -n 10 -H 0 -p BEST -s 0
    let r = transcript::parse_command("./malloc.py -n 10 -H 0 -p BEST -s 0").unwrap();
    assert_eq!(r.ops, "+3,-0,+5,-1,+8,-2,+8,-3,+2,+7");
    assert_eq!(
        r.draw,
        Some(transcript::Draw {
            seed: 0,
            num_ops: 10,
            range: 10,
            percent_alloc: 50
        })
    );
    // With -A the draw settings are checked and ignored, as malloc.py does.
    let a = transcript::parse_command("malloc.py -s 4 -n 3 -A +1,+2").unwrap();
    assert_eq!((a.ops.as_str(), a.draw), ("+1,+2", None));
    // Short flags cluster as optparse reads them: -cA+3,-0 is -c -A +3,-0.
    let c = transcript::parse_command("python3 malloc.py -cA+3,-0 -S 100").unwrap();
    assert_eq!((c.ops.as_str(), c.draw, c.coalesce), ("+3,-0", None, false));
    let c = transcript::parse_command("malloc.py -CS50 -A +1").unwrap();
    assert_eq!((c.size, c.coalesce), (50, true));
    assert_eq!(
        transcript::parse_command("malloc.py -Cx -A +1")
            .unwrap_err()
            .message,
        "-x: not a malloc.py option"
    );
    // Numbers as optparse reads them: hex, binary, octal.
    let n = transcript::parse_command("malloc.py -S 0x40 -b 0b11 -H 010 -A +1").unwrap();
    assert_eq!((n.size, n.base, n.header), (64, 3, 8));
    // Its heap builds whatever the alignment (slab classes follow one above them).
    for a in [1, 8, 64, 128, 4096] {
        let r = transcript::parse_command(&format!("malloc.py -S 8192 -a {a} -A +1")).unwrap();
        assert!(Session::new(r.heap_config()).is_ok(), "-a {a}");
    }
}

/// Which ops malloc.py's random mode draws does not depend on how many it
/// draws: `-n k` draws the first k of `-n 50`. So the run up to any step of
/// the timeline is written in the random form with `-n` that step, and a run
/// that is not a draw (an op added, a different seed) in the `-A` form.
#[test]
fn a_prefix_of_a_draw_is_a_draw_and_anything_else_is_not() {
    let mut rng = Rng::new(23);
    for round in 0..60 {
        let policy = ["FIRST", "BEST", "WORST"][round % 3];
        let seed = rng.range(0, 1000) as i64 - 500;
        let coalesce = if rng.range(0, 2) == 0 { "" } else { " -C" };
        let header = [0, 0, 4, 8][rng.range(0, 4)];
        let range = rng.range(1, 61);
        let percent = rng.range(20, 101);
        let line = format!(
            "malloc.py -S 200 -H {header} -p {policy} -s {seed} -n 50 -r {range} -P {percent}{coalesce}"
        );
        let whole = transcript::parse_command(&line).unwrap();
        let draw = whole.draw.unwrap();
        let ops = script::parse(&whole.ops).unwrap().ops;
        assert_eq!(ops.len(), 50, "{line}");
        let k = rng.range(1, 51);
        let mut s = session(200, whole.strategy, 1, whole.coalesce);
        s.replay(&Script::from_ops(ops[..k].to_vec())).unwrap();
        let cmd = transcript::command(&s, 1000, header, 1000, Some(&draw)).unwrap();
        assert!(cmd.contains(&format!(" -s {seed} -n {k} ")), "{cmd}");
        let t = transcript::transcript(&s, 1000, header, 1000, Some(&draw)).unwrap();
        assert!(
            t.contains(&format!("\nnumOps {k}\n")) && t.contains("\nallocList \n"),
            "{line}"
        );
        assert!(transcript::writes_draw(&s, header, &draw), "{line}");
        // Past the draw: a request larger than any drawn, then the -A form.
        s.alloc(range + 1).ok();
        let cmd = transcript::command(&s, 1000, header, 1000, Some(&draw));
        assert!(cmd.map_or(true, |c| c.contains(" -A ")), "{line}");
        let t = transcript::transcript(&s, 1000, header, 1000, Some(&draw)).unwrap();
        assert!(
            t.starts_with("seed 0\n") && !t.contains("\nallocList \n"),
            "{line}"
        );
        assert!(!transcript::writes_draw(&s, header, &draw), "{line}");
        // Another seed's draw is not this run.
        let other = transcript::Draw {
            seed: seed + 1,
            ..draw
        };
        let mut s = session(200, whole.strategy, 1, whole.coalesce);
        s.replay(&Script::from_ops(ops.clone())).unwrap();
        let t = transcript::transcript(&s, 1000, header, 1000, Some(&other)).unwrap();
        assert!(t.contains("\nallocList +"), "{line}");
        assert!(!transcript::writes_draw(&s, header, &other), "{line}");
    }
}

/// Under every list order, every op the playground has (beyond `malloc.py`'s
/// two: aligned requests, calloc, realloc in place and moving, switches of
/// strategy, next fit included, and of coalescing, merge-all) keeps the
/// invariants, and the log rebuilds the same state, as the timeline needs.
#[test]
fn every_op_keeps_the_invariants_under_every_list_order() {
    let mut rng = Rng::new(11);
    for order in ListOrder::ALL {
        for round in 0..30 {
            let mode = Mode::ALL[round % Mode::ALL.len()];
            let align = [1, 8][round % 2];
            let config = HeapConfig {
                order,
                ..heap_config(1024, mode, align, round % 3 != 0)
            };
            let mut s = Session::new(config).unwrap();
            for _ in 0..300 {
                let live = live_offsets(&s);
                let pick = |rng: &mut Rng| live[rng.range(0, live.len())];
                let size = rng.range(1, 120);
                match rng.range(0, 20) {
                    0..=6 => drop(s.alloc(size)),
                    7 => drop(s.alloc_aligned(size, [16, 32, 64][rng.range(0, 3)])),
                    8 => drop(s.calloc(size)),
                    9..=14 if !live.is_empty() => s.free(pick(&mut rng)).unwrap(),
                    15 | 16 if !live.is_empty() => drop(s.realloc(pick(&mut rng), size)),
                    17 => s.set_mode(Mode::ALL[rng.range(0, 4)]),
                    18 => s.set_coalesce(rng.range(0, 2) == 0),
                    19 => drop(s.merge_all()),
                    _ => drop(s.alloc(size)),
                }
                s.invariants().unwrap_or_else(|e| {
                    panic!("{order} {mode}: {e} after {}", s.log().last().unwrap())
                });
                assert_eq!(s.heap().config().order, order);
            }
            let again = s.rebuild(s.log().len()).unwrap();
            assert_eq!(again.snapshot(), s.snapshot(), "{order} {mode}");
            assert_eq!(
                again.heap().free_list_allocator().free_list(),
                s.heap().free_list_allocator().free_list(),
                "{order} {mode}: the list's order rebuilds too"
            );
        }
    }
}

/// The replay report's searched sum takes each allocation and each realloc
/// as `last_searched` counts it right after: a realloc that moves searches
/// for its new block, one that stays in place (shrinking, growing into the
/// free block after it, a slab chunk that still fits) searches nothing.
#[test]
fn replay_report_counts_the_blocks_reallocs_search() {
    let cases = [
        // Three holes before ptr[6]; it cannot grow in place and moves.
        (Mode::FirstFit, "+16,+8,+16,+8,+16,+8,+16,+8,-0,-2,-4,r6:48"),
        // Shrinks, then grows into the free tail after it: in place both times.
        (Mode::BestFit, "+64,+8,-1,r0:16,r0:40,+8,r2:200"),
        // A NULL pointer's realloc is a fresh allocation.
        (Mode::WorstFit, "+900,+200,r1:50,+4,-0,r2:8,r2:2"),
        // Slab chunks: in place while the class holds it, else a new chunk.
        (Mode::Slab, "+10,+20,r0:12,r1:60,r0:40"),
    ];
    for (mode, text) in cases {
        let script = script::parse(text).unwrap();
        let mut s = session(1024, mode, 8, true);
        let mut each = 0u64;
        let mut in_place = 0;
        let report = s
            .replay_with(&script, |s, i| {
                if matches!(script.ops[i], Op::Realloc { .. }) || script.ops[i].is_alloc() {
                    each += s.heap().last_searched() as u64;
                }
                if let Op::Realloc { .. } = script.ops[i] {
                    in_place += usize::from(s.heap().last_searched() == 0);
                }
            })
            .unwrap();
        assert_eq!(report.searched, each, "{mode:?}: {text}");
        assert!(
            in_place > 0 || mode == Mode::FirstFit,
            "{mode:?}: some realloc stays in place"
        );
    }
    // Op by op under slabs: carving the first slab searches the free list;
    // a chunk that still holds the new size searches nothing.
    let script = script::parse("+10,r0:12,r0:40").unwrap();
    let mut s = session(1024, Mode::Slab, 8, true);
    let mut each = Vec::new();
    s.replay_with(&script, |s, _| each.push(s.heap().last_searched()))
        .unwrap();
    assert_eq!(each[0], 1, "the first slab came from the one free block");
    assert_eq!(each[1], 0, "in place");
    // The first case by hand: eight mallocs from the tail (one free block
    // each), then the realloc walks the three holes and the tail.
    let mut s = session(1024, Mode::FirstFit, 8, true);
    let report = s
        .replay(&script::parse("+16,+8,+16,+8,+16,+8,+16,+8,-0,-2,-4,r6:48").unwrap())
        .unwrap();
    assert_eq!(report.searched, 8 + 4);
    // The last-op account of that realloc says the same.
    assert_eq!(explain::last_op(&s).unwrap().unwrap().searched, Some(4));
}

/// `first_fit_arena` is an arena where first fit refuses nothing and makes
/// the same choices as in any larger arena; one alignment unit less and it
/// refuses something or chooses otherwise. So under every free list order
/// but the size orders, where it is only checked to refuse nothing.
#[test]
fn first_fit_arena_holds_the_script_with_first_fits_own_choices() {
    use alloc_playground::first_fit_arena;
    let mut rng = Rng::new(7);
    let mut order = ListOrder::Address;
    let run = |script: &Script,
               size: usize,
               align: usize,
               coalesce: bool,
               order: ListOrder,
               header: usize| {
        let mut s = Session::new(HeapConfig {
            order,
            header,
            ..heap_config(size, Mode::FirstFit, align, coalesce)
        })
        .unwrap();
        s.replay(script).unwrap();
        (s.heap().stats().failed_allocs, s.ptrs().to_vec())
    };
    for round in 0..60 {
        // Rounds 0..40 by address, as before; then the other orders.
        if round >= 40 {
            order = ListOrder::ALL[1 + round % 4];
        }
        let sized = matches!(order, ListOrder::SizeAscending | ListOrder::SizeDescending);
        // A header (malloc.py's -H) in one round of five.
        let header = if round % 5 == 4 { 3 } else { 0 };
        let run = |script: &Script, size: usize, align: usize, coalesce: bool| {
            run(script, size, align, coalesce, order, header)
        };
        let shape = [Shape::Uniform, Shape::SmallBiased, Shape::Phased][round % 3];
        let ops = workload::generate(&WorkloadConfig {
            shape,
            seed: round as u64,
            ops: 400,
            alloc_percent: 55,
            max_size: 300,
            ..WorkloadConfig::default()
        })
        .unwrap();
        let k = ops.iter().filter(|o| o.is_alloc()).count();
        let mut text = ops
            .iter()
            .map(|o| o.to_string())
            .collect::<Vec<_>>()
            .join(",");
        // A realloc that grows, an aligned request and a calloc too.
        text.push_str(&format!(",+40,r{k}:{},+24@64,c10", rng.range(1, 500)));
        let script = script::parse(&text).unwrap();
        let (align, coalesce) = ([1, 8, 16][round % 3], round % 4 != 0);
        let config = HeapConfig {
            order,
            header,
            ..heap_config(1 << 20, Mode::BestFit, align, coalesce)
        };
        let Some(h) = first_fit_arena(&script, &config, 1 << 20).unwrap() else {
            assert!(sized, "round {round}: fits in 1 MiB");
            continue;
        };
        assert_eq!(h % align, 0);
        let (failed, ptrs) = run(&script, h, align, coalesce);
        assert_eq!(failed, 0, "round {round}: nothing refused in {h} B");
        if sized {
            continue;
        }
        assert_eq!(
            ptrs,
            run(&script, 1 << 20, align, coalesce).1,
            "round {round}: the same offsets as in 1 MiB"
        );
        assert_ne!(
            run(&script, h - align, align, coalesce),
            (0, ptrs),
            "round {round}: {} B changes the run",
            h - align
        );
    }
    let config = heap_config(1024, Mode::FirstFit, 8, true);
    let ffa = |text: &str, limit: usize| {
        first_fit_arena(&script::parse(text).unwrap(), &config, limit).unwrap()
    };
    // Past the limit, or with a strategy switch, there is no answer.
    assert_eq!(ffa("+1000,+1000", 2048), Some(2000));
    assert_eq!(ffa("+1000,+1000", 1999), None);
    assert_eq!(ffa("+8,@best-fit,+8", 4096), None);
    // A realloc that grows in place into the top: 32 B keeps first fit's
    // choices; in 24 B it would move down into the freed hole instead (and
    // still refuse nothing), so 32 is enough but not the least.
    assert_eq!(ffa("+16,+8,-0,r1:16", 4096), Some(32));
    let grow = script::parse("+16,+8,-0,r1:16").unwrap();
    assert_eq!(run(&grow, 24, 8, true, ListOrder::Address, 0).0, 0);
    // An aligned request needs an arena as large as its alignment.
    assert_eq!(ffa("+8@64", 4096), Some(64));
    assert_eq!(ffa("+8@4096", 2048), None);
    // The config's slab settings play no part (these would not fit 64 MiB).
    let odd = HeapConfig {
        classes: vec![1],
        slab_size: 1,
        ..heap_config(1024, Mode::Slab, 1, true)
    };
    assert!(
        Session::new(HeapConfig {
            arena_size: 20000000,
            ..odd.clone()
        })
        .is_err(),
        "too many 1-byte slabs"
    );
    let big = script::parse("+20000000").unwrap();
    assert_eq!(
        first_fit_arena(&big, &odd, 64 << 20).unwrap(),
        Some(20000000)
    );
}

#[test]
fn a_replay_report_counts_the_requests_the_slab_refused_as_too_large() {
    // Classes 16/32/64: +65 and +1000 ask more than the largest, and so does
    // growing ptr[0] to 200; the rest fit their classes.
    let mut s = session(1 << 16, Mode::Slab, 8, true);
    let rep = s
        .replay(&script::parse("+16,+65,+64,+1000,r0:200,r2:40,-0").unwrap())
        .unwrap();
    assert_eq!((rep.failed, rep.too_large), (3, 3));
    assert_eq!(s.failed_ops(), &[1, 3, 4]);
    assert_eq!(
        s.heap().stats().failed_allocs,
        3,
        "the stats count them too"
    );
    // The same ops under first fit all fit.
    let mut t = session(1 << 16, Mode::FirstFit, 8, true);
    let rep = t
        .replay(&script::parse("+16,+65,+64,+1000,r0:200,r2:40,-0").unwrap())
        .unwrap();
    assert_eq!((rep.failed, rep.too_large), (0, 0));
}

// ----- a library user's mistakes: typed errors, never a panic ------------------

#[test]
fn list_order_back_to_address_merges_the_free_neighbours_it_left() {
    let mut a = FreeListAllocator::new(Config {
        arena_size: 100,
        strategy: Strategy::FirstFit,
        align: 1,
        coalesce: true,
        header: 0,
    })
    .unwrap();
    a.set_list_order(ListOrder::InsertFront);
    let (p, q) = (a.alloc(10).unwrap(), a.alloc(10).unwrap());
    a.alloc(10).unwrap();
    a.free(p).unwrap();
    a.free(q).unwrap();
    // Under INSERT-FRONT, q went in front of p: not merged (malloc.py -C).
    assert_eq!(a.free_list().len(), 3);
    a.set_list_order(ListOrder::Address);
    a.check_invariants().unwrap();
    assert_eq!(a.free_list(), vec![(0, 20), (30, 70)]);
    assert_eq!(a.alloc(20).unwrap(), 0, "first fit finds the merged block");
}

#[test]
fn a_script_without_line_numbers_reports_a_bad_op_at_its_index() {
    let mut s = Session::new(HeapConfig::default()).unwrap();
    let script = Script {
        ops: vec![Op::Alloc { size: 8 }, Op::Free { ptr: 3 }],
        lines: vec![],
    };
    let e = s.replay(&script).unwrap_err();
    assert_eq!(e.line, 2, "{e}");
    assert_eq!(s.log().len(), 0, "nothing ran");
    assert_eq!(script.line(1), 2);
}

#[test]
fn a_workload_too_long_for_an_op_list_is_refused_not_aborted() {
    for ops in [usize::MAX, 1 << 40, script::MAX_OPS + 1, 0] {
        let cfg = WorkloadConfig {
            ops,
            ..WorkloadConfig::default()
        };
        assert!(
            matches!(workload::generate(&cfg), Err(AllocError::BadConfig { .. })),
            "{ops}"
        );
        assert!(matches!(
            workload::generate_text(&cfg),
            Err(AllocError::BadConfig { .. })
        ));
    }
}

#[test]
fn a_transcript_base_that_overflows_is_refused() {
    let mut s = Session::new(HeapConfig::default()).unwrap();
    s.alloc(8).unwrap();
    assert!(matches!(
        transcript::transcript(&s, usize::MAX, 0, 100, None),
        Err(AllocError::BadConfig { .. })
    ));
    assert!(transcript::command(&s, usize::MAX - 10, 0, 100, None)
        .unwrap_err()
        .why
        .contains("too large"));
    assert!(transcript::transcript(&s, 1000, 0, 100, None).is_ok());
}

#[test]
fn a_malloc_py_run_with_align_0_makes_a_config_that_is_refused() {
    let mut run = transcript::parse_command("python3 malloc.py -S 100 -A +10").unwrap();
    run.align = 0;
    assert!(run.heap_config().validate().is_err());
}

#[test]
fn what_a_session_logs_always_parses_back() {
    let mut s = Session::new(HeapConfig::default()).unwrap();
    let p = s.alloc(8).unwrap();
    for e in [
        s.alloc(1 << 31).unwrap_err(),
        s.calloc(script::MAX_SIZE + 1).unwrap_err(),
        s.alloc_aligned(8, 1 << 31).unwrap_err(),
        s.realloc(p, usize::MAX).unwrap_err(),
    ] {
        assert!(matches!(e, AllocError::BadArgument { .. }), "{e}");
        assert_eq!(e.code(), "bad-argument");
    }
    // A failure the heap numbers is logged; one refused before is not.
    assert!(matches!(
        s.alloc(script::MAX_SIZE),
        Err(AllocError::OutOfMemory { .. })
    ));
    assert_eq!(s.log().len(), 2);
    let text = script::format(s.log());
    assert_eq!(script::format(&script::parse(&text).unwrap().ops), text);
    // A script built by hand is held to what an op list can say.
    for op in [
        Op::Alloc { size: 1 << 31 },
        Op::Realloc {
            ptr: 0,
            size: usize::MAX,
        },
        Op::Write {
            ptr: 0,
            at: 0,
            bytes: vec![],
        },
        Op::Write {
            ptr: 0,
            at: 0,
            bytes: vec![0; script::MAX_WRITE + 1],
        },
        Op::Write {
            ptr: 0,
            at: usize::MAX,
            bytes: vec![1],
        },
    ] {
        let mut t = Session::new(HeapConfig::default()).unwrap();
        let bad = Script::from_ops(vec![Op::Alloc { size: 8 }, op.clone()]);
        let e = t.replay(&bad).unwrap_err();
        assert_eq!(e.line, 2, "{op:?}: {e}");
        assert!(t.log().is_empty(), "{op:?}");
    }
}

#[test]
fn a_sampled_replay_samples_where_a_comparison_does_before_every_k_ops_and_after_the_last() {
    let text = workload::generate_text(&workload::WorkloadConfig {
        ops: 103,
        ..workload::WorkloadConfig::default()
    })
    .unwrap();
    let config = HeapConfig {
        arena_size: 4096,
        ..HeapConfig::default()
    };
    let compared = alloc_playground::compare(
        &config,
        &script::parse(&text).unwrap(),
        &[Mode::BestFit],
        10,
    )
    .unwrap();
    let mut s = Session::new(HeapConfig {
        mode: Mode::BestFit,
        ..config.clone()
    })
    .unwrap();
    let (report, samples, peaks) = s.replay_text_sampled(&text, 10).unwrap();
    assert_eq!(report.ops, 103);
    let steps: Vec<usize> = samples.iter().map(|p| p.step).collect();
    let mut want: Vec<usize> = (0..=100).step_by(10).collect();
    want.push(103);
    assert_eq!(steps, want, "step 0, every 10th op, and the last");
    assert_eq!(
        samples, compared.runs[0].samples,
        "the points and the figures of a comparison"
    );
    assert_eq!(peaks, compared.runs[0].peaks);
    // Every `every` that divides the length samples the last op once.
    let mut t = Session::new(config).unwrap();
    let (_, exact, _) = t.replay_text_sampled("+8,+8,-0,+4", 2).unwrap();
    assert_eq!(exact.iter().map(|p| p.step).collect::<Vec<_>>(), [0, 2, 4]);
    // A bad list samples nothing and changes nothing.
    assert!(t.replay_text_sampled("+8,-9", 1).is_err());
    assert_eq!(t.log().len(), 4);
}

#[test]
fn next_fit_under_a_list_order_goes_on_after_an_aligned_block_not_from_its_padding() {
    // +3, then +10 at a multiple of 16 (13 bytes of padding at 3), then +4:
    // next fit starts where the last allocation ended, at 26, in every order.
    for order in ListOrder::ALL {
        let mut a = fl(100, Strategy::NextFit, 1, true);
        a.set_list_order(order);
        a.alloc(3).unwrap();
        assert_eq!(a.alloc_aligned(10, 16).unwrap(), 16);
        assert_eq!(a.free_list(), [(3, 13), (26, 74)]);
        assert_eq!(a.alloc(4).unwrap(), 26, "{order:?}");
        assert_eq!(
            a.last_searched(),
            1,
            "{order:?}: the remainder is the first searched"
        );
        a.check_invariants().unwrap();
    }
}

#[test]
fn next_fit_goes_on_from_the_merged_block_after_coalescing_is_switched_on() {
    // Coalescing off: three blocks, the first and the third freed; then on,
    // which merges the third with the free tail. The last allocation ended
    // at 30, inside that merged block: next fit starts there in every order.
    for order in ListOrder::ALL {
        let mut a = fl(100, Strategy::NextFit, 1, false);
        a.set_list_order(order);
        let p = a.alloc(10).unwrap();
        a.alloc(10).unwrap();
        let r = a.alloc(10).unwrap();
        a.free(p).unwrap();
        a.free(r).unwrap();
        a.set_coalesce(true);
        assert_eq!(a.alloc(5).unwrap(), 20, "{order:?}");
        a.check_invariants().unwrap();
    }
}

#[test]
fn a_realloc_that_moves_counts_its_block_once_in_the_peaks() {
    // 40 + 8 live, then ptr[0] grows to 48 and moves: 56 bytes live after the
    // op (both blocks are live only inside it), under the allocator and the heap.
    let mut a = fl(128, Strategy::FirstFit, 8, true);
    let p = a.alloc(40).unwrap();
    a.alloc(8).unwrap();
    assert_eq!(a.realloc(p, 48).unwrap(), 48);
    let s = a.stats();
    assert_eq!((s.peak_used, s.peak_requested, s.high_water), (56, 56, 96));
    let mut h = session(128, Mode::FirstFit, 8, true);
    h.replay(&script::parse("+40,+8,r0:48").unwrap()).unwrap();
    let hs = h.heap().stats();
    assert_eq!(
        (hs.peak_used, hs.peak_requested, hs.high_water),
        (56, 56, 96)
    );
    assert_eq!(hs.peak_utilization, s.peak_utilization);
}

#[test]
fn a_scripts_line_of_any_op_number_is_a_number() {
    let s = Script::from_ops(vec![Op::Alloc { size: 1 }]);
    assert_eq!(
        (s.line(0), s.line(1), s.line(usize::MAX)),
        (1, 2, usize::MAX)
    );
}

#[test]
fn an_arena_size_that_align_does_not_divide_takes_the_largest_alignment_that_does() {
    assert_eq!(align_dividing(1000, 16), 8);
    assert_eq!(align_dividing(1024, 16), 16);
    assert_eq!(align_dividing(100, 8), 4);
    assert_eq!(align_dividing(7, 8), 1);
    assert_eq!(align_dividing(96, 64), 32);
    // Not a power of two as align: the largest power of two below it.
    assert_eq!(align_dividing(1024, 24), 16);
    assert_eq!(align_dividing(0, 8), 1);
    assert_eq!(align_dividing(8, 0), 1);
    for size in 1..=600usize {
        for align in (0..12).map(|k| 1usize << k) {
            let a = align_dividing(size, align);
            assert!(
                a.is_power_of_two() && a <= align && size % a == 0,
                "{size} {align} -> {a}"
            );
            // The largest such: twice it fails one of the two.
            assert!(
                2 * a > align || size % (2 * a) != 0,
                "{size} {align} -> {a}"
            );
            // An arena of that size takes it; the error for `align` names it.
            let ok = Config {
                arena_size: size,
                align: a,
                ..Config::default()
            };
            assert!(ok.validate().is_ok());
            let bad = Config {
                arena_size: size,
                align,
                ..Config::default()
            };
            if a != align {
                let msg = bad.validate().unwrap_err().to_string();
                assert!(msg.ends_with(&format!("or set align to {a}")), "{msg}");
            }
        }
    }
}

#[test]
fn a_sampled_replay_watches_its_peaks_after_every_op_where_samples_miss_a_spike() {
    // A 64 B arena, align 8. Under first fit, op 9 (-2) leaves free 8 B at
    // 0, 8 B at 16 and 24 B at 40: 1 − 24/40 = 40 %, the peak; op 10 (+4)
    // fills the hole at 0 again (25 %). Samples every 4 ops (0, 4, 8, 10)
    // miss it.
    let text = "+8,+8,+8,+8,-1,+8,+8,-0,-2,+4";
    let config = HeapConfig {
        arena_size: 64,
        ..HeapConfig::default()
    };
    for mode in Mode::ALL {
        let c = HeapConfig {
            mode,
            ..config.clone()
        };
        // The truth: the stats after each op, one op at a time.
        let mut one = Session::new(c.clone()).unwrap();
        let mut truth = vec![(0usize, one.heap().stats())];
        for (i, op) in text.split(',').enumerate() {
            one.replay_text(op).unwrap();
            truth.push((i + 1, one.heap().stats()));
        }
        let ext = truth.iter().fold((0.0f64, 0usize), |(m, at), (i, s)| {
            if s.external_fragmentation > m {
                (s.external_fragmentation, *i)
            } else {
                (m, at)
            }
        });
        let blocks = truth.iter().fold((0usize, 0usize), |(m, at), (i, s)| {
            if s.free_blocks > m {
                (s.free_blocks, *i)
            } else {
                (m, at)
            }
        });
        let mut s = Session::new(c.clone()).unwrap();
        let (_, samples, peaks) = s.replay_text_sampled(text, 4).unwrap();
        assert_eq!(
            (
                peaks.external_fragmentation,
                peaks.external_fragmentation_step
            ),
            ext,
            "{mode:?}"
        );
        assert_eq!(
            (peaks.free_blocks, peaks.free_blocks_step),
            blocks,
            "{mode:?}"
        );
        let compared =
            alloc_playground::compare(&config, &script::parse(text).unwrap(), &[mode], 4).unwrap();
        assert_eq!(
            compared.runs[0].peaks, peaks,
            "{mode:?}: compare watches the same"
        );
        if mode == Mode::FirstFit {
            assert_eq!(ext, (0.4, 9));
            let highest = samples
                .iter()
                .map(|p| p.external_fragmentation)
                .fold(0.0, f64::max);
            assert!(highest < peaks.external_fragmentation, "{samples:?}");
        }
    }
}

#[test]
fn peaks_agree_with_the_stats_after_every_op_in_every_mode_order_and_coalescing() {
    // (With sbrk too: both count the heap's free blocks then.)
    for (seed, sbrk) in (0..12).map(|seed| (seed, seed % 3 == 2)) {
        let text = workload::generate_text(&WorkloadConfig {
            shape: Shape::SmallBiased,
            seed,
            ops: 250,
            alloc_percent: 55,
            max_size: 96,
            min_live: 0,
        })
        .unwrap();
        for mode in Mode::ALL {
            for order in ListOrder::ALL {
                for coalesce in [true, false] {
                    let c = HeapConfig {
                        arena_size: 2048,
                        mode,
                        order,
                        coalesce,
                        sbrk,
                        ..HeapConfig::default()
                    };
                    let mut one = Session::new(c.clone()).unwrap();
                    let first = one.heap().stats();
                    let (mut ext, mut blocks) = (
                        (first.external_fragmentation, 0usize),
                        (first.free_blocks, 0usize),
                    );
                    for (i, op) in text.split(',').enumerate() {
                        one.replay_text(op).unwrap();
                        let s = one.heap().stats();
                        if s.external_fragmentation > ext.0 {
                            ext = (s.external_fragmentation, i + 1);
                        }
                        if s.free_blocks > blocks.0 {
                            blocks = (s.free_blocks, i + 1);
                        }
                    }
                    let mut s = Session::new(c).unwrap();
                    let (_, _, p) = s.replay_text_sampled(&text, 7).unwrap();
                    let what =
                        format!("seed {seed} {mode:?} {order:?} coalesce {coalesce} sbrk {sbrk}");
                    assert_eq!(
                        (p.external_fragmentation, p.external_fragmentation_step),
                        ext,
                        "{what}"
                    );
                    assert_eq!((p.free_blocks, p.free_blocks_step), blocks, "{what}");
                }
            }
        }
    }
}

// ----- a heap that grows with sbrk ---------------------------------------------

/// A free-list allocator whose heap grows with sbrk.
fn sbrk_fl(arena_size: usize, strategy: Strategy) -> FreeListAllocator {
    let mut a = fl(arena_size, strategy, 1, true);
    a.set_sbrk(true);
    a.check_invariants().unwrap();
    a
}

#[test]
fn worst_fit_with_sbrk_reuses_a_hole_before_it_grows_the_heap() {
    for sbrk in [false, true] {
        let mut a = fl(1024, Strategy::WorstFit, 1, true);
        a.set_sbrk(sbrk);
        // Holes of 100 at 0 and at 150; the heap ends at 260.
        let x = op!(a.alloc(100)).unwrap();
        op!(a.alloc(50)).unwrap();
        let y = op!(a.alloc(100)).unwrap();
        op!(a.alloc(10)).unwrap();
        op!(a.free(x)).unwrap();
        op!(a.free(y)).unwrap();
        assert_eq!(a.stats().high_water, 260);
        let got = op!(a.alloc(40)).unwrap();
        if sbrk {
            // The largest block in the heap: the first of the two holes.
            assert_eq!(got, 0);
            assert_eq!(a.stats().high_water, 260, "the heap did not grow");
        } else {
            // The largest block in the arena: its untouched top.
            assert_eq!(got, 260);
            assert_eq!(a.stats().high_water, 300);
        }
        // With sbrk the top (all above the mark) is not one of the heap's
        // free blocks, and is not counted as searched.
        assert_eq!(a.last_searched(), if sbrk { 2 } else { 3 });
    }
}

#[test]
fn sbrk_grows_the_heap_by_just_the_bytes_needed_when_no_hole_fits() {
    for strategy in Strategy::ALL {
        let mut a = sbrk_fl(1024, strategy);
        let x = op!(a.alloc(100)).unwrap();
        op!(a.alloc(50)).unwrap();
        op!(a.free(x)).unwrap();
        // Nothing in the heap (a hole of 100 below 150) holds 120: every
        // free block in it is searched (the one hole), then the heap grows
        // by 120 at its end.
        assert_eq!(a.stats().free_blocks, 1, "{strategy}");
        assert_eq!(op!(a.alloc(120)), Ok(150), "{strategy}");
        assert_eq!(a.last_searched(), 1, "{strategy}");
        assert_eq!(a.stats().high_water, 270, "{strategy}");
        // The heap cannot grow past the arena's end: a refusal, nothing changed.
        let before = state(&a);
        assert!(matches!(
            op!(a.alloc(755)),
            Err(AllocError::OutOfMemory { .. })
        ));
        assert_eq!(state(&a), before, "{strategy}");
        assert_eq!(op!(a.alloc(754)), Ok(270), "{strategy}: the last byte");
    }
}

#[test]
fn next_fit_with_sbrk_wraps_to_a_hole_instead_of_walking_into_the_top() {
    for sbrk in [false, true] {
        let mut a = fl(1024, Strategy::NextFit, 1, true);
        a.set_sbrk(sbrk);
        let x = op!(a.alloc(64)).unwrap();
        op!(a.alloc(16)).unwrap();
        op!(a.free(x)).unwrap();
        // The rover is at 80, the heap's end: under sbrk nothing of the top
        // is in the heap yet, so the search wraps to the hole at 0.
        let got = op!(a.alloc(32)).unwrap();
        assert_eq!(got, if sbrk { 0 } else { 80 }, "sbrk={sbrk}");
        // (The fixed arena's answer is the block holding the rover, the
        // first it looks at; under sbrk the hole is the heap's only free
        // block, and the first it looks at.)
        assert_eq!(a.last_searched(), 1, "sbrk={sbrk}");
        assert_eq!(a.stats().high_water, if sbrk { 80 } else { 112 });
    }
}

#[test]
fn best_fit_with_sbrk_sees_a_freed_top_only_below_the_mark() {
    for sbrk in [false, true] {
        let mut a = fl(1024, Strategy::BestFit, 1, true);
        a.set_sbrk(sbrk);
        let x = op!(a.alloc(100)).unwrap();
        op!(a.alloc(30)).unwrap();
        let z = op!(a.alloc(50)).unwrap();
        op!(a.free(x)).unwrap();
        // The last block merges into the top [130, 1024): 50 of its bytes
        // are below the mark (180), so under sbrk it is the smaller fit.
        op!(a.free(z)).unwrap();
        let got = op!(a.alloc(40)).unwrap();
        assert_eq!(got, if sbrk { 130 } else { 0 }, "sbrk={sbrk}");
        assert_eq!(
            a.stats().high_water,
            180,
            "sbrk={sbrk}: no growth either way"
        );
    }
}

#[test]
fn first_fit_places_the_same_with_or_without_sbrk() {
    // First fit reaches the top only when nothing lower fits, so a heap that
    // grows makes the very same choices as the fixed arena.
    let ops = workload::generate(&WorkloadConfig {
        ops: 3000,
        max_size: 200,
        min_live: 40,
        ..WorkloadConfig::default()
    })
    .unwrap();
    let script = Script::from_ops(ops);
    let run = |sbrk: bool| {
        let mut s = Session::new(HeapConfig {
            sbrk,
            ..heap_config(1 << 16, Mode::FirstFit, 8, true)
        })
        .unwrap();
        s.replay(&script).unwrap();
        s.check_invariants().unwrap();
        (s.heap().blocks(), s.heap().stats().high_water)
    };
    // (The statistics differ: with sbrk they count the heap's free bytes.)
    assert_eq!(run(false), run(true));
}

#[test]
fn sbrk_makes_next_and_worst_fit_need_a_smaller_heap() {
    // In a fixed arena next and worst fit walk into the untouched top, so
    // their high-water mark follows the arena; with sbrk it follows the
    // workload.
    let script = Script::from_ops(
        workload::generate(&WorkloadConfig {
            ops: 4000,
            max_size: 128,
            min_live: 50,
            seed: 3,
            ..WorkloadConfig::default()
        })
        .unwrap(),
    );
    for mode in [Mode::NextFit, Mode::WorstFit] {
        let mark = |sbrk: bool, size: usize| {
            let mut s = Session::new(HeapConfig {
                sbrk,
                ..heap_config(size, mode, 8, true)
            })
            .unwrap();
            s.replay(&script).unwrap();
            assert_eq!(s.heap().stats().failed_allocs, 0, "{mode}");
            s.heap().stats().high_water
        };
        let (small, big) = (1 << 16, 1 << 18);
        let fixed = (mark(false, small), mark(false, big));
        assert!(
            fixed.1 > fixed.0 * 3 / 2,
            "{mode}: fixed follows the arena: {fixed:?}"
        );
        let grown = mark(true, small);
        assert_eq!(grown, mark(true, big), "{mode}: sbrk does not");
        assert!(grown * 4 < fixed.0, "{mode}: {grown} against {fixed:?}");
    }
}

#[test]
fn a_list_kept_in_insertion_order_with_sbrk_passes_over_the_top_to_a_hole() {
    for sbrk in [false, true] {
        let mut a = fl(1024, Strategy::FirstFit, 1, true);
        a.set_list_order(ListOrder::InsertBack);
        a.set_sbrk(sbrk);
        let x = op!(a.alloc(100)).unwrap();
        op!(a.alloc(20)).unwrap();
        // The list: the top (at 120), then the freed block at 0.
        op!(a.free(x)).unwrap();
        assert_eq!(a.free_list(), vec![(120, 904), (0, 100)]);
        let got = op!(a.alloc(10)).unwrap();
        assert_eq!(got, if sbrk { 0 } else { 120 }, "sbrk={sbrk}");
        // (The top, first in the list, is not in the heap under sbrk.)
        assert_eq!(a.last_searched(), 1);
        // Nothing in the list fits 200 below the mark: the heap grows.
        assert_eq!(
            op!(a.alloc(200)),
            Ok(if sbrk { 120 } else { 130 }),
            "sbrk={sbrk}"
        );
    }
}

#[test]
fn with_sbrk_the_hole_an_allocation_took_is_its_part_in_the_heap() {
    // First fit in a 16,344 B arena: after +2040,+2040,-1 the heap ends at
    // 4,080 and its only free block is 2,040 B at 2,040 (the allocator's
    // record runs on to the arena's end).
    let mut s = Session::new(HeapConfig {
        sbrk: true,
        ..heap_config(16344, Mode::FirstFit, 8, true)
    })
    .unwrap();
    s.replay(&script::parse("+2040,+2040,-1,+48").unwrap())
        .unwrap();
    let e = explain::last_op(&s).unwrap().unwrap();
    assert_eq!((e.heap_end, e.grew), (4080, 0));
    assert_eq!(
        e.hole,
        Some(Span {
            offset: 2040,
            size: 2040
        })
    );
    assert_eq!(e.largest_free, 2040, "the same block the statistics count");
    // One that grows the heap takes the last block whole, the arena above
    // included.
    s.replay(&script::parse("+4000").unwrap()).unwrap();
    let e = explain::last_op(&s).unwrap().unwrap();
    assert!(e.grew > 0);
    assert_eq!(
        e.hole,
        Some(Span {
            offset: 2088,
            size: 16344 - 2088
        })
    );
}

#[test]
fn with_sbrk_a_refusal_names_the_heaps_largest_free_block_as_the_statistics_do() {
    for strategy in [Strategy::FirstFit, Strategy::BestFit] {
        let mut a = fl(1024, strategy, 8, true);
        a.set_sbrk(true);
        // The heap is 104 B, all used: the 920 B above it are no block of it.
        op!(a.alloc(104)).unwrap();
        assert_eq!(
            op!(a.alloc(2000)),
            Err(AllocError::OutOfMemory {
                requested: 2000,
                largest_free: 0
            }),
            "{strategy:?}"
        );
        assert_eq!(a.stats().largest_free, 0);
        // A free block in it is what it names.
        let p = op!(a.alloc(40)).unwrap();
        op!(a.alloc(8)).unwrap();
        op!(a.free(p)).unwrap();
        assert_eq!(
            op!(a.alloc(2000)),
            Err(AllocError::OutOfMemory {
                requested: 2000,
                largest_free: 40
            })
        );
    }
}

#[test]
fn heap_config_keeps_sbrk_through_reset_and_snapshot() {
    let config = HeapConfig {
        sbrk: true,
        ..heap_config(4096, Mode::WorstFit, 8, true)
    };
    let mut s = Session::new(config.clone()).unwrap();
    assert_eq!(s.heap().config(), config);
    assert!(s.snapshot().sbrk);
    let script = Script::from_ops(script::parse("+64,+16,-0,+8").unwrap().ops);
    s.replay(&script).unwrap();
    // Worst fit reused the hole at 0 instead of the top.
    assert!(!s.heap().blocks()[0].free);
    assert_eq!(s.heap().stats().high_water, 80);
    let again = s.rebuild(4).unwrap();
    assert_eq!(again.heap().blocks(), s.heap().blocks());
    assert!(again.heap().config().sbrk);
}

#[test]
fn last_op_says_how_much_the_heap_grew() {
    let mut s = Session::new(HeapConfig {
        sbrk: true,
        ..heap_config(1024, Mode::BestFit, 8, true)
    })
    .unwrap();
    s.replay(&Script::from_ops(
        script::parse("+64,+16,-0,+100").unwrap().ops,
    ))
    .unwrap();
    let e = explain::last_op(&s).unwrap().unwrap();
    assert!(e.sbrk);
    assert_eq!((e.heap_end, e.grew), (80, 104));
    assert_eq!(
        e.block,
        Some(Span {
            offset: 80,
            size: 104
        })
    );
    s.replay(&Script::from_ops(script::parse("+8").unwrap().ops))
        .unwrap();
    let e = explain::last_op(&s).unwrap().unwrap();
    assert_eq!((e.heap_end, e.grew), (184, 0), "a hole took it");
    assert_eq!(e.block.map(|b| b.offset), Some(0));
}

#[test]
fn malloc_py_command_under_sbrk_only_while_the_fixed_heap_answers_the_same() {
    let run = |mode: Mode, sbrk: bool, ops: &str| {
        let mut s = Session::new(HeapConfig {
            sbrk,
            ..heap_config(1024, mode, 8, true)
        })
        .unwrap();
        s.replay(&Script::from_ops(script::parse(ops).unwrap().ops))
            .unwrap();
        s
    };
    // First fit by address makes the same choices in a heap that grows, but
    // an empty heap has no free block to search, where malloc.py searches
    // its whole arena, one free block.
    let s = run(Mode::FirstFit, true, "+64,+16,-0,+8");
    let e = transcript::command(&s, 1000, 0, 100, None).unwrap_err();
    assert!(e.differs);
    assert_eq!(
        e.why,
        "malloc.py’s heap is the whole arena (-S 1024), and this one grows with sbrk: +64 (op 1) returns 1000 after searching 1 there, 1000 after searching 0 here"
    );
    // The transcript is this heap's run, as the map shows it: worst fit
    // takes the hole where the fixed arena takes the top.
    let grows = transcript::transcript(
        &run(Mode::WorstFit, true, "+64,+16,-0,+8"),
        1000,
        0,
        100,
        None,
    )
    .unwrap();
    let fixed = transcript::transcript(
        &run(Mode::WorstFit, false, "+64,+16,-0,+8"),
        1000,
        0,
        100,
        None,
    )
    .unwrap();
    assert!(
        grows.contains("ptr[2] = Alloc(8) returned 1000 (searched 1 elements)"),
        "{grows}"
    );
    assert!(
        fixed.contains("ptr[2] = Alloc(8) returned 1080 (searched 2 elements)"),
        "{fixed}"
    );
    // Its free lists are the heap's, as the searched counts see them: none
    // after the first request, and no arena above the heap's end (80 B).
    assert!(
        grows.contains(
            "ptr[0] = Alloc(64) returned 1000 (searched 0 elements)\nFree List [ Size 0 ]: \n"
        ),
        "{grows}"
    );
    assert!(
        grows.contains("Free(ptr[0])\nreturned 0\nFree List [ Size 1 ]: [ addr:1000 sz:64 ]\n"),
        "{grows}"
    );
    assert!(
        fixed.contains("Free List [ Size 1 ]: [ addr:1064 sz:960 ]"),
        "{fixed}"
    );
}

#[test]
fn sbrk_statistics_count_the_heap_not_the_arena_above_it() {
    let mut a = sbrk_fl(1024, Strategy::FirstFit);
    let s = a.stats();
    assert_eq!(
        (s.free_bytes, s.free_blocks, s.largest_free),
        (0, 0, 0),
        "an empty heap"
    );
    assert_eq!(s.largest_request, 1024, "it can grow over the whole arena");
    let x = op!(a.alloc(100)).unwrap();
    let y = op!(a.alloc(50)).unwrap();
    op!(a.free(x)).unwrap();
    // The heap is 150 B: the hole of 100 and the 50 in use; the 874 above are no heap yet.
    let s = a.stats();
    assert_eq!((s.free_bytes, s.free_blocks, s.largest_free), (100, 1, 100));
    assert!(close(s.external_fragmentation, 0.0));
    assert!(close(s.utilization, 50.0 / 150.0));
    assert_eq!(s.largest_request, 874);
    // Freed, the 50 merges both ways: one free block, 150 B of it in the heap.
    op!(a.free(y)).unwrap();
    let s = a.stats();
    assert_eq!((s.free_bytes, s.free_blocks, s.largest_free), (150, 1, 150));
    assert_eq!(s.largest_request, 1024);
    // The fixed arena counts all of it.
    let mut b = fl(1024, Strategy::FirstFit, 1, true);
    let x = op!(b.alloc(100)).unwrap();
    op!(b.alloc(50)).unwrap();
    op!(b.free(x)).unwrap();
    let s = b.stats();
    assert_eq!((s.free_bytes, s.free_blocks, s.largest_free), (974, 2, 874));
}

#[test]
fn last_op_under_sbrk_merges_a_free_only_with_blocks_of_the_heap() {
    // +16,+16,-1: ptr[1] ends the heap (at 32). The allocator joins it to
    // the arena above, but that is no block of the heap: nothing merged.
    let mut s = Session::new(HeapConfig {
        sbrk: true,
        ..heap_config(128, Mode::FirstFit, 8, true)
    })
    .unwrap();
    s.replay(&script::parse("+16,+16,-1").unwrap()).unwrap();
    let e = explain::last_op(&s).unwrap().unwrap();
    assert_eq!((e.block, e.merged, e.heap_end), (span(16, 16), None, 32));
    // Then ptr[0] merges with the free block after it, in the heap: 32 B at 0.
    s.replay(&script::parse("-0").unwrap()).unwrap();
    let e = explain::last_op(&s).unwrap().unwrap();
    assert_eq!((e.block, e.merged), (span(0, 16), span(0, 32)));
    assert_eq!((e.free_blocks, e.other_merges), (1, 0));
    // In a fixed arena the same free merges with the untouched rest.
    let mut f = session(128, Mode::FirstFit, 8, true);
    f.replay(&script::parse("+16,+16,-1").unwrap()).unwrap();
    let e = explain::last_op(&f).unwrap().unwrap();
    assert_eq!(e.merged, span(16, 112));
    // Under a list order too: joining the arena above is no merge of the list's
    // (by size, largest first, the allocator joins ptr[2] to it here).
    let mut l = Session::new(HeapConfig {
        sbrk: true,
        order: ListOrder::SizeDescending,
        ..heap_config(128, Mode::FirstFit, 8, true)
    })
    .unwrap();
    l.replay(&script::parse("+16,+16,+16,-0,-2").unwrap())
        .unwrap();
    let e = explain::last_op(&l).unwrap().unwrap();
    assert_eq!((e.merged, e.other_merges), (None, 0));
}

#[test]
fn sbrk_arena_holds_every_fit_strategy_with_no_refusal() {
    use alloc_playground::sbrk_arena;
    for (seed, header, align) in [(1, 0, 8), (2, 4, 8), (3, 0, 16), (4, 3, 1)] {
        let mut ops = workload::generate(&WorkloadConfig {
            shape: Shape::Phased,
            seed,
            ops: 1500,
            alloc_percent: 60,
            max_size: 300,
            min_live: 20,
        })
        .unwrap();
        // Aligned requests and reallocs too.
        ops.push(Op::AllocAligned {
            size: 40,
            align: 256,
        });
        let last = ops.iter().filter(|op| op.is_alloc()).count() - 1;
        ops.push(Op::Realloc {
            ptr: last,
            size: 900,
        });
        let script = Script::from_ops(ops);
        let config = HeapConfig {
            header,
            align,
            sbrk: true,
            ..HeapConfig::default()
        };
        let size = sbrk_arena(&script, &config, MAX_ARENA).unwrap();
        assert!(
            sbrk_arena(&script, &config, size - 1).is_none(),
            "the limit"
        );
        for mode in [Mode::FirstFit, Mode::NextFit, Mode::BestFit, Mode::WorstFit] {
            for order in [ListOrder::Address, ListOrder::SizeDescending] {
                let mut s = Session::new(HeapConfig {
                    arena_size: size,
                    mode,
                    order,
                    ..config.clone()
                })
                .unwrap();
                s.replay(&script).unwrap();
                let st = s.heap().stats();
                assert_eq!(st.failed_allocs, 0, "seed {seed} {mode} {order}");
                assert!(st.high_water <= size);
            }
        }
    }
    // A strategy switch may go to the slab allocator, whose slabs the sum does not bound.
    let switch = Script::from_ops(script::parse("+8,@slab,+8").unwrap().ops);
    assert_eq!(sbrk_arena(&switch, &HeapConfig::default(), MAX_ARENA), None);
}

#[test]
fn sbrk_arena_counts_the_padding_of_a_request_aligned_below_the_granularity_with_a_header() {
    use alloc_playground::sbrk_arena;
    // With a header blocks start on any byte: +1@4 under align 16 and a
    // 1-byte header takes 17 bytes and up to 3 of padding.
    let script = Script::from_ops(script::parse(&"+1@4,".repeat(10)).unwrap().ops);
    let config = HeapConfig {
        header: 1,
        align: 16,
        sbrk: true,
        ..HeapConfig::default()
    };
    let size = sbrk_arena(&script, &config, MAX_ARENA).unwrap();
    for mode in [Mode::FirstFit, Mode::NextFit, Mode::BestFit, Mode::WorstFit] {
        let mut s = Session::new(HeapConfig {
            arena_size: size,
            mode,
            ..config.clone()
        })
        .unwrap();
        s.replay(&script).unwrap();
        assert_eq!(s.heap().stats().failed_allocs, 0, "{mode} in {size} B");
    }
}
