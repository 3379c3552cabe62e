#!/usr/bin/env bash
# The national dashboard on PostgreSQL (issue 11): the organisation board at the nation's root
# asks for every indicator over the last twelve months, the same by child, and opens the
# dashboard page; prints the median and p95 of each. Prints figures; asserts nothing.
#
# Usage: bench/national.sh [--db NAME] [--months M] [--requests N]
#   --db NAME    a database on the cluster scripts/pg-start runs (default: nation). Generated
#                with `chibo generate --scale national --months M` when it holds no units
#                (default M: 1; each month adds about 6.5 million attendance rows: twelve
#                months, not tried, would need by estimate some 30 GB free); reused as it is
#                otherwise.
#   --requests N requests per line after one warm-up (default 11).
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=nation
MONTHS=1
N=11
while [ $# -gt 0 ]; do
  case $1 in
    --db) NAME=$2; shift ;;
    --months) MONTHS=$2; shift ;;
    --requests) N=$2; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
cargo build --release -p chibo >/dev/null 2>&1
BASE=$(scripts/pg-start)
URL=${BASE%/chibo}/$NAME
ADMIN=${BASE%/chibo}/postgres
ADMIN=${ADMIN/chibo:chibo@/postgres@}
psql "$ADMIN" -tAc "SELECT 1 FROM pg_database WHERE datname = '$NAME'" | grep -q 1 ||
  psql "$ADMIN" -qc "CREATE DATABASE \"$NAME\" OWNER chibo"
UNITS=$(psql "$URL" -tAc "SELECT COUNT(*) FROM units" 2>/dev/null || echo 0)
if [ "${UNITS:-0}" = 0 ]; then
  /usr/bin/time -f "generate: %e s, %M KB" target/release/chibo --database-url "$URL" \
    generate --scale national --months "$MONTHS" 2>&1 | tail -3
fi
echo "database: $(psql "$URL" -tAc "SELECT pg_size_pretty(pg_database_size('$NAME'))"), \
$(psql "$URL" -tAc "SELECT COUNT(*) FROM members") members, \
$(psql "$URL" -tAc "SELECT COUNT(*) FROM meeting_stats") meetings"
W=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
target/release/chibo --database-url "$URL" serve --bind 127.0.0.1:$PORT > "$W/serve.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$W"' EXIT
B=http://127.0.0.1:$PORT
for _ in $(seq 1 600); do curl -s -o /dev/null $B/login && break; sleep 0.5; done
TOKEN=$(curl -s -X POST $B/api/v1/auth/token -H 'content-type: application/json' \
  -d '{"username":"bantochuc","password":"chibo-demo-2026"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
curl -s -c "$W/c" -o /dev/null -H "Origin: $B" -d "username=bantochuc&password=chibo-demo-2026" $B/login
ROOT=$(curl -s -H "authorization: Bearer $TOKEN" $B/api/v1/units |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
FROM=$(date -d "-12 months" +%Y-%m-01)
TO=$(date -d "$(date +%Y-%m-01) -1 day" +%Y-%m-%d)
t() {
  local name=$1; shift
  curl -s -m 600 -o /dev/null "$@"
  for _ in $(seq 1 "$N"); do curl -s -m 600 -o /dev/null -w "%{time_total}\n" "$@"; done |
    sort -n | awk -v n="$name" '{a[NR]=$1} END {printf "%-44s p50 %6.0f ms  p95 %6.0f ms\n", n, a[int((NR+1)/2)]*1000, a[int(NR*0.95+0.999)]*1000}'
}
H="authorization: Bearer $TOKEN"
echo "the nation's root (unit $ROOT), $FROM to $TO, $N requests each"
t "indicators, twelve whole months" -H "$H" "$B/api/v1/units/$ROOT/indicators?from=$FROM&to=$TO"
t "indicators by child" -H "$H" "$B/api/v1/units/$ROOT/indicators?from=$FROM&to=$TO&by=child"
t "dashboard page" -b "$W/c" "$B/units/$ROOT/dashboard?tu=$FROM&den=$TO"
echo "server RSS: $(ps -o rss= -p $PID) KB"
