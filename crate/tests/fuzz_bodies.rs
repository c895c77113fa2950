#![cfg(not(target_arch = "wasm32"))]
//! The fuzz targets' bodies (`crate/fuzz/bodies.rs`) on stable: random bytes,
//! and text built from the op-list and `.rep` vocabularies so that the
//! parsers' accepting paths (and the replay behind them) are reached too.

include!("../fuzz/bodies.rs");

use proptest::prelude::*;

/// Mostly well-formed op-list tokens (so that many lists parse and replay),
/// with some noise: bad numbers, stray characters, comments, line breaks.
fn op_token() -> impl Strategy<Value = String> {
    let noise = prop::sample::select(vec![
        "+",
        "-",
        "c",
        "r",
        "w",
        "@",
        ":",
        "=",
        ";",
        " ",
        "\n",
        "\r\n",
        "\t",
        "# note\n",
        "0",
        "00",
        "+0",
        "1073741825",
        "99999999999",
        "18446744073709551616",
        "@3",
        "zz",
        "é",
        "r0:",
        "w0=",
        "w1@2=",
        "+1@",
    ]);
    let ptr = 0u32..24;
    prop_oneof![
        8 => (1u32..5000).prop_map(|n| format!("+{n}")),
        6 => ptr.clone().prop_map(|k| format!("-{k}")),
        1 => (1u32..300).prop_map(|n| format!("c{n}")),
        1 => (1u32..300, 0u32..7).prop_map(|(n, a)| format!("+{n}@{}", 1 << a)),
        1 => (ptr.clone(), 1u32..600).prop_map(|(k, n)| format!("r{k}:{n}")),
        1 => (ptr, 0u32..16).prop_map(|(k, at)| format!("w{k}@{at}=cafe")),
        1 => prop::sample::select(vec![
            "@first-fit", "@next-fit", "@best-fit", "@worst-fit", "@slab", "@coalesce",
            "@no-coalesce", "@merge",
        ])
        .prop_map(str::to_string),
        1 => noise.prop_map(str::to_string),
    ]
}

/// A `.rep` trace: four header lines, then `a`/`f`/`r` lines that mostly
/// make sense (fresh ids allocated, live ids freed or resized), with a few
/// bad lines and sometimes a header that does not match.
fn rep_text() -> impl Strategy<Value = String> {
    let step = (0u8..20, any::<u16>(), 1u32..5000);
    (0u32..100_000, prop::collection::vec(step, 0..40), 0u8..4).prop_map(|(hint, steps, lie)| {
        let (mut lines, mut live, mut next_id) = (Vec::new(), Vec::<u32>::new(), 0u32);
        for (kind, pick, size) in steps {
            match kind {
                0..=8 => {
                    lines.push(format!("a {next_id} {size}"));
                    live.push(next_id);
                    next_id += 1;
                }
                9..=14 if !live.is_empty() => {
                    let id = live.swap_remove(pick as usize % live.len());
                    lines.push(format!("f {id}"));
                }
                15..=17 if !live.is_empty() => {
                    let id = live[pick as usize % live.len()];
                    lines.push(format!("r {id} {size}"));
                }
                18 => lines.push("f -1".into()),
                19 => lines.push(
                    ["x 1 2", "a 1", "a -1 5", "f", "a 0 0", "f 99", ""][pick as usize % 7].into(),
                ),
                _ => {} // nothing live to free or resize
            }
        }
        let n = if lie == 0 {
            lines.len() + 1
        } else {
            lines.len()
        };
        format!("{hint}\n{}\n{n}\n1\n{}\n", next_id.max(1), lines.join("\n"))
    })
}

/// A `malloc.py` command line: options and values that mostly make sense,
/// short, long and clustered, with some noise (multi-byte characters, stray
/// quotes and dashes).
fn malloc_py_text() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        4 => prop::sample::select(vec![
            "-S", "-b", "-H", "-a", "-p", "-l", "-A", "-s", "-n", "-r", "-P", "-C", "-c", "-cC",
            "--size", "--policy=FIRST", "--coalesce", "--allocList",
        ])
        .prop_map(str::to_string),
        4 => prop::sample::select(vec![
            "100", "64", "0", "-1", "4", "8", "1000", "0x10", "010", "FIRST", "BEST", "WORST",
            "ADDRSORT", "SIZESORT-", "INSERT-FRONT", "+3,-0,+5", "+10,+20,-1,-0", "-A+1",
            "-S64", "-Hé", "-é", "é", "\"", "'", "\\\n", "--", "-",
        ])
        .prop_map(str::to_string),
        // Clusters of flags, perhaps ending in an option or noise (`-CCcH`, `-cCé`).
        2 => "-[cC]{1,4}(H|S|é|A\\+1|x)?",
        1 => "[a-zé\\-+,0-9 ]{0,6}",
    ];
    // Words joined by a space or by nothing, so that flags cluster (`-CCcH`, `-cCé`).
    let joined = prop::collection::vec((word, any::<bool>()), 0..14).prop_map(|ws| {
        ws.into_iter()
            .map(|(w, glued)| if glued { w } else { format!(" {w}") })
            .collect::<String>()
    });
    joined.prop_map(|w| format!("./malloc.py {w}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn heap_ops_body_holds_on_random_bytes(data in prop::collection::vec(any::<u8>(), 0..600)) {
        ops(&data);
    }

    #[test]
    fn parse_body_holds_on_random_bytes(data in prop::collection::vec(any::<u8>(), 0..200)) {
        parse(&data);
    }

    #[test]
    fn parse_body_holds_on_op_list_like_text(
        tokens in prop::collection::vec(op_token(), 0..60),
        seps in prop::collection::vec(prop::sample::select(vec![",", ",", ",", " ", "\n", ";"]), 60),
    ) {
        let text: String = tokens.iter().zip(&seps).flat_map(|(t, s)| [t.as_str(), s]).collect();
        parse(text.as_bytes());
    }

    #[test]
    fn parse_body_holds_on_malloc_py_like_text(text in malloc_py_text()) {
        parse(text.as_bytes());
    }

    #[test]
    fn parse_body_holds_on_rep_like_text(text in rep_text()) {
        parse(text.as_bytes());
    }
}
