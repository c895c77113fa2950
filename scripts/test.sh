#!/usr/bin/env bash
# Runs every test: native cargo tests, wasm-bindgen tests in headless Chromium,
# and the node + browser tests in tests/. Fails if any suite fails or runs no test.
source "$(dirname "$0")/setup.sh"
need_browser
LOG="$(mktemp -d)"
trap 'rm -rf "$LOG"' EXIT

# Counts "N passed" for a suite from its output; fails the run when it is 0.
require_tests() { # name count
  if [ "${2:-0}" -eq 0 ]; then echo "FAIL: suite '$1' ran no test" >&2; exit 1; fi
  say "suite '$1': $2 tests passed"
}
cargo_passed() { grep -Eo 'test result: ok\. [0-9]+ passed' "$1" | awk '{s+=$4} END {print s+0}'; }

say "checking formatting and lints (cargo fmt --check, cargo clippy)"
cargo fmt --all -- --check
cargo clippy --all-targets --quiet -- -D warnings
cargo clippy --target wasm32-unknown-unknown --all-targets --quiet -- -D warnings

say "native tests (cargo test)"
cargo test --workspace 2>&1 | tee "$LOG/native.txt"
require_tests native "$(cargo_passed "$LOG/native.txt")"

say "benches build (cargo bench --no-run)"
cargo bench --workspace --no-run --quiet

say "wasm tests in headless Chromium (wasm-pack test --headless --chrome)"
wasm-pack --log-level warn test --headless --chrome crate 2>&1 | tee "$LOG/wasm.txt"
# Only the browser suite counts here (doc-tests also print a result line).
require_tests wasm "$(awk '/Running tests\/web.rs/{f=1} f && /test result: ok/{print $4; exit}' "$LOG/wasm.txt")"

build_wasm
say "node and browser tests (node --test tests/)"
node --test --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$LOG/node.tap" tests/*.test.mjs
passed=$(grep -Eo '^# pass [0-9]+' "$LOG/node.tap" | awk '{print $3}')
require_tests node "${passed:-0}"

assemble_dist
say "browser tests against the dist/ build, served under a sub-path"
PAGE_DIR=dist PAGE_BASE=/some/sub/path/ node --test --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$LOG/dist.tap" tests/page.test.mjs tests/widget.test.mjs tests/a11y.test.mjs
passed=$(grep -Eo '^# pass [0-9]+' "$LOG/dist.tap" | awk '{print $3}')
require_tests dist "${passed:-0}"
say "all suites passed"
