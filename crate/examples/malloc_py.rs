//! OSTEP's `malloc.py -c`, from the playground's core: prints what it prints
//! for a command line, so the two can be diffed.
//!
//! ```text
//! cargo run -q --example malloc_py -- -n 10 -H 0 -p BEST -s 0
//! diff <(python3 malloc.py -n 10 -p FIRST -l SIZESORT+ -s 3 -c) \
//!      <(cargo run -q --example malloc_py -- -n 10 -p FIRST -l SIZESORT+ -s 3)
//! ```
use alloc_playground::transcript::{self, MAX_TRANSCRIPT_OPS};
use alloc_playground::{script, Session};

fn main() {
    let line = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
    let run = match transcript::parse_command(&line) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("malloc_py: {e}");
            std::process::exit(2);
        }
    };
    let mut session = match Session::new(run.heap_config()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("malloc_py: {e}");
            std::process::exit(2);
        }
    };
    // An op list may still be refused as it runs (`-A -0`: a free of a
    // pointer not requested yet, which malloc.py skips as invalid): said as
    // the page says it, never a panic.
    let replayed = script::parse(&run.ops)
        .map_err(|e| e.to_string())
        .and_then(|ops| session.replay(&ops).map(drop).map_err(|e| e.to_string()));
    if let Err(e) = replayed {
        eprintln!("malloc_py: {e} (malloc.py -A skips a free it cannot do as invalid; here the op list is refused)");
        std::process::exit(2);
    }
    match transcript::transcript(
        &session,
        run.base,
        run.header,
        MAX_TRANSCRIPT_OPS,
        run.draw.as_ref(),
    ) {
        Ok(text) => {
            print!("{text}");
            // Where malloc.py would print something else (a free it skips,
            // a double free of an address reused since), say why.
            if let Err(why) = transcript::command(
                &session,
                run.base,
                run.header,
                MAX_TRANSCRIPT_OPS,
                run.draw.as_ref(),
            ) {
                eprintln!("malloc_py: not what malloc.py prints: {why}");
            }
        }
        Err(e) => {
            eprintln!("malloc_py: {e}");
            std::process::exit(2);
        }
    }
}
