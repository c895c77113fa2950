//! Arbitrary text through the parsers and a replay (see `bodies.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

include!("../bodies.rs");

fuzz_target!(|data: &[u8]| parse(data));
