#!/usr/bin/env bash
# Runs the hostile-spreadsheet property tests with many more generated workbooks than CI does
# (CI runs 64 of each). Usage: bench/fuzz-sheets.sh [cases]   (default 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
CHIBO_FUZZ_CASES="${1:-5000}" cargo test --release -p chibo-export --test hostile_sheets -- --nocapture
