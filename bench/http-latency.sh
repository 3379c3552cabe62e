#!/usr/bin/env bash
# Latency of the main pages and API calls on the demo data (release build, SQLite), and the
# server's memory. Prints figures; asserts nothing. Usage: bench/http-latency.sh [requests]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200}
cargo build --release -p chibo >/dev/null 2>&1
TMP=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
B=http://127.0.0.1:$PORT
start=$(date +%s.%N)
# CHIBO_TRUST_PROXY: the logins timed below come each from an address of their own, under the
# per-address throttle.
CHIBO_TRUST_PROXY=1 CHIBO_DATABASE_URL="sqlite://$TMP/bench.db?mode=rwc" target/release/chibo serve --demo --bind 127.0.0.1:$PORT >"$TMP/log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$TMP"' EXIT
until curl -s -o /dev/null $B/login; do sleep 0.05; done
echo "start-up with demo seeding: $(echo "$(date +%s.%N) - $start" | bc) s ($(grep -o 'trong [0-9.]* giây' "$TMP/log"))"
t0=$(date +%s.%N)
curl -s -c "$TMP/c" -o /dev/null -H "Origin: $B" -d "username=admin&password=chibo-demo-2026" $B/login
echo "one login (argon2id): $(echo "($(date +%s.%N) - $t0) * 1000" | bc | cut -d. -f1) ms"
TOKEN=$(curl -s -X POST $B/api/v1/auth/token -H 'content-type: application/json' -d '{"username":"bantochuc","password":"chibo-demo-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
# Lists come a page at a time ({"items": …}); older answers were bare arrays.
items='import json,sys; d=json.load(sys.stdin); d=d["items"] if isinstance(d,dict) else d'
CELL=$(curl -s -H "authorization: Bearer $TOKEN" "$B/api/v1/units?per_page=200" | python3 -c "$items"'; print([u["id"] for u in d if u["name"]=="Chi bộ thôn Đồng Tâm"][0])')
measure() {
  local name=$1; shift
  for _ in $(seq "$N"); do curl -s -o /dev/null -w '%{time_total}\n' "$@"; done | sort -n |
    awk -v n="$name" '{a[NR]=$1} END {printf "%-34s p50 %6.1f ms  p95 %6.1f ms  max %6.1f ms\n", n, a[int(NR*0.5)]*1000, a[int(NR*0.95)]*1000, a[NR]*1000}'
}
MEETING=$(curl -s -H "authorization: Bearer $TOKEN" "$B/api/v1/units/$CELL/meetings?per_page=200" | python3 -c "$items"'; print([m["id"] for m in d if m["status"]=="held"][0])')
echo "$N requests each, one client, loopback:"
measure "page /units (tree)" -b "$TMP/c" $B/units
measure "page /units?ngay=2025-06-30" -b "$TMP/c" "$B/units?ngay=2025-06-30"
measure "page /units/{cell}" -b "$TMP/c" $B/units/$CELL
measure "page /members?q=nguyen" -b "$TMP/c" "$B/members?q=nguyen"
measure "page /meetings/{held} (sheet, score)" -b "$TMP/c" $B/meetings/$MEETING
measure "docx of the minutes" -b "$TMP/c" $B/meetings/$MEETING/minutes.docx
PROVINCE=$(curl -s -H "authorization: Bearer $TOKEN" "$B/api/v1/units?per_page=200" | python3 -c "$items"'; print([u["id"] for u in d if u["parent_id"] is None][0])')
measure "page /members/{id} (badges, transfers)" -b "$TMP/c" $B/members/$(curl -s -H "authorization: Bearer $TOKEN" "$B/api/v1/members?unit_id=$CELL" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
measure "page /units/{province}/badges" -b "$TMP/c" $B/units/$PROVINCE/badges
measure "page /units/{province}/transfers" -b "$TMP/c" $B/units/$PROVINCE/transfers
measure "page /units/{province}/reviews" -b "$TMP/c" $B/units/$PROVINCE/reviews
measure "page /units/{cell}/candidates" -b "$TMP/c" $B/units/$CELL/candidates
measure "xlsx export of the province" -b "$TMP/c" $B/units/$PROVINCE/members.xlsx
measure "api GET /api/v1/units" -H "authorization: Bearer $TOKEN" $B/api/v1/units
measure "api GET /api/v1/members?q=van" -H "authorization: Bearer $TOKEN" "$B/api/v1/members?q=van"
# A refused login costs the same whoever asks: an existing account with a wrong password, an
# account that does not exist, a locked account with its right password. Five tries each (the
# per-account throttle allows five), each from its own address.
ADMIN=$(curl -s -X POST $B/api/v1/auth/token -H 'content-type: application/json' -d '{"username":"admin","password":"chibo-demo-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
LOCKED=$(curl -s -H "authorization: Bearer $ADMIN" "$B/api/v1/users?per_page=500" | python3 -c 'import json,sys; print([u["id"] for u in json.load(sys.stdin)["items"] if u["username"]=="xaphulam"][0])')
curl -s -o /dev/null -X POST -H "authorization: Bearer $ADMIN" -H 'content-type: application/json' -d '{"is_active": false}' $B/api/v1/users/$LOCKED/active
refused_login() {
  local name=$1 user=$2 pass=$3 i
  for i in 1 2 3 4 5; do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Origin: $B" -H "X-Forwarded-For: 10.9.$RANDOM.$i" \
      -d "username=$user&password=$pass" $B/login
  done | sort -n | awk -v n="$name" '{a[NR]=$1} END {printf "%-34s p50 %6.1f ms  max %6.1f ms\n", n, a[3]*1000, a[NR]*1000}'
}
refused_login "login refused: wrong password" bithu.dongtam sai-mat-khau
refused_login "login refused: no such account" khong.co.ai sai-mat-khau
refused_login "login refused: locked account" xaphulam chibo-demo-2026
echo "server resident memory: $(ps -o rss= -p $PID | awk '{printf "%.1f MiB", $1/1024}')"
