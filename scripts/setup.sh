# Sourced by serve.sh and test.sh: installs what is missing, says what it installs,
# and builds the wasm package into www/pkg. Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WASM_BINDGEN_VERSION=0.2.130

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }
apt_install() {
  say "installing Debian packages: $* (apt-get)"
  if [ -z "${APT_UPDATED:-}" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v cargo >/dev/null || { echo "cargo not found: install Rust (https://rustup.rs) first" >&2; exit 1; }
export PATH="$HOME/.cargo/bin:$PATH"
command -v rustup >/dev/null || { echo "rustup not found: install Rust through rustup (https://rustup.rs); a distribution's cargo cannot add the wasm target" >&2; exit 1; }
for c in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$c"; then
    say "installing the Rust component $c (rustup)"
    rustup component add "$c"
  fi
done

if ! rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  say "installing the Rust target wasm32-unknown-unknown (rustup)"
  rustup target add wasm32-unknown-unknown
fi
if ! command -v wasm-pack >/dev/null; then
  say "installing wasm-pack 0.15.1 (cargo install, ~3 min)"
  cargo install wasm-pack --version 0.15.1 --locked
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (cargo install, ~4 min)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt_install nodejs npm
fi
# playwright-core and the node tests need node 20 (Debian 12's nodejs is 18).
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "node $(node --version) is too old: install Node.js 20 or later (https://nodejs.org), then run this again" >&2
  exit 1
fi
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dev tools: binaryen (a current wasm-opt), playwright-core (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
# wasm-pack picks up this wasm-opt (binaryen 132) instead of trying to download one.
export PATH="$ROOT/node_modules/.bin:$PATH"

need_browser() {
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt_install chromium chromium-driver
  fi
  export CHROMEDRIVER="$(command -v chromedriver)"
}

build_wasm() {
  say "building the wasm package into www/pkg (wasm-pack, release)"
  wasm-pack --log-level warn build crate --target web --out-dir ../www/pkg --release --no-pack
}

# Copies www/ (with the built pkg/) into dist/: a self-contained static folder
# whose paths are all relative, so it works from any host under any sub-path.
assemble_dist() {
  say "assembling dist/ from www/"
  rm -rf dist
  mkdir -p dist
  cp -r www/. dist/
  rm -f dist/pkg/.gitignore dist/pkg/*.d.ts dist/pkg/package.json
}
