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
python3 - "$ROWS" "$TMP/list.csv" <<'PY'
import random, sys
rows, out = int(sys.argv[1]), sys.argv[2]
random.seed(1)
groups = ["Tổ đảng số 1", "Tổ đảng số 2", "Tổ đảng số 3"]
lines = ["Họ và tên,Ngày sinh,Giới tính,Số CCCD,Ngày vào Đảng,Số thẻ đảng viên,Chi bộ / tổ đảng"]
for i in range(rows):
    lines.append(f"Nguyễn Văn Thử {i},{random.randint(1,28):02d}/{random.randint(1,12):02d}/{random.randint(1950,1995)},"
                 f"Nam,0010{i:08d},02/09/2015,7{i:07d},{groups[i % 3]}")
open(out, "w").write("\n".join(lines) + "\n")
PY
CELL=$(sqlite3 "$TMP/bench.db" "select id from units where name = 'Chi bộ thôn Đồng Tâm'")
echo "$ROWS rows into a cell of the demo:"
for run in "dry run:--dry-run" "import:" "same file again:"; do
  label=${run%%:*}; flag=${run#*:}
  /usr/bin/time -f "%e s, peak memory %M KB" -o "$TMP/t" \
    target/release/chibo import --unit "$CELL" --as admin $flag "$TMP/list.csv" >/dev/null
  printf "%-16s %s\n" "$label:" "$(cat "$TMP/t")"
done
