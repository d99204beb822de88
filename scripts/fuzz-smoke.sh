#!/usr/bin/env bash
# Fuzz smoke on stable Rust: each fuzz target over its seed corpus (fuzz/corpus/<target>/) and
# seeded mutations, FUZZ_SMOKE_SECONDS (default 15) seconds per target. Exits non-zero at the
# first panic, with the input saved in fuzz/artifacts/<target>/. Extra arguments go to
# fuzz-smoke (--target NAME, --seed N, ...). The long coverage-guided runs use cargo fuzz on
# nightly: see docs/FUZZING.md.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo run --locked -p waygate-fuzz-targets --bin fuzz-smoke -- \
  --seconds "${FUZZ_SMOKE_SECONDS:-15}" "$@"
