#!/usr/bin/env bash
# Builds the playground and serves www/ on http://localhost:${PORT:-8080}.
source "$(dirname "$0")/setup.sh"
build_wasm
exec node scripts/static-server.mjs www "${PORT:-8080}"
