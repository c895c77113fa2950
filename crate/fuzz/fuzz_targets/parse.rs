//! Arbitrary text through the op-list and `.rep` parsers and a replay: no panic.
#![no_main]

use alloc_playground::{rep, script, HeapConfig, Session};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(s) = script::parse(text) {
        assert_eq!(script::parse(&script::format(&s.ops)).unwrap().ops, s.ops);
        let mut session = Session::new(HeapConfig::default()).unwrap();
        if session.replay(&s).is_ok() {
            session.heap().check_invariants().unwrap();
        }
    }
    if let Ok(t) = rep::parse(text) {
        let mut session = Session::new(HeapConfig { arena_size: 1 << 20, ..HeapConfig::default() }).unwrap();
        let _ = session.replay(&t.script);
    }
});
