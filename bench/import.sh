#!/usr/bin/env bash
# Time and memory of `chibo import` on a generated member list (release build, SQLite, demo
# data): the dry run, the import, and the same file again. Prints figures; asserts nothing.
# Usage: bench/import.sh [rows]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-5000}
cargo build --release -p chibo >/dev/null 2>&1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export CHIBO_DATABASE_URL="sqlite://$TMP/bench.db?mode=rwc"
target/release/chibo demo >/dev/null
python3 bench/member-list.py "$ROWS" "$TMP/list.csv"
CELL=$(sqlite3 "$TMP/bench.db" "select id from units where name = 'Chi bộ thôn Đồng Tâm'")
echo "$ROWS rows into a cell of the demo:"
for run in "dry run:--dry-run" "import:" "same file again:"; do
  label=${run%%:*}; flag=${run#*:}
  /usr/bin/time -f "%e s, peak memory %M KB" -o "$TMP/t" \
    target/release/chibo import --unit "$CELL" --as admin $flag "$TMP/list.csv" >/dev/null
  printf "%-16s %s\n" "$label:" "$(cat "$TMP/t")"
done
