#!/usr/bin/env bash
# Builds a self-contained static folder, dist/, that works from any static host
# under any sub-path (every path in it is relative). Publish it as it is.
source "$(dirname "$0")/setup.sh"
build_wasm
assemble_dist
say "dist/ is ready ($(du -sh dist | cut -f1)); try it: node scripts/static-server.mjs dist 8080"
