//! Random op sequences over a `Heap` in every mode (see `bodies.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

include!("../bodies.rs");

fuzz_target!(|data: &[u8]| ops(data));
