#!/usr/bin/env bash
# chibo at province size: generates a province (240,000 members, 12 months of meetings) on
# SQLite and, with --pg, on PostgreSQL; starts the release server on each and prints, for the
# organisation board at the province and a committee member at a commune, the median and p95 of
# every page and API list at that scope, the generator's time and the server's memory idle and
# at peak, and `chibo import`'s rows a second; DuckDB computing the province's indicators from
# the same rows (bench/duckdb_indicators.py, SQLite only); then a load of the pages members
# open (wrk, 64 connections, 30 s) beside a minimal axum handler measured the same way (chibo's
# own /login page, which reads nothing). Writes
# bench/results/scale.md. Prints figures; asserts nothing.
#
# Usage: bench/scale.sh [--pg] [--requests N] [--scale city|province] [--load-seconds S] [--db FILE]
#                       [--pg-db NAME] [--pg-only] [--load-only] [--import-only]
# --load-only skips the page-by-page table and runs only the load (wrk) part.
# --import-only runs only `chibo import` (20,000 rows into the demo, three times on each
# backend) and writes bench/results/import.md.
# --db keeps the SQLite database in FILE: generated when FILE is missing, reused when it exists
# (the generator's time is then not measured); --pg-db does the same with a PostgreSQL database
# of that name on the cluster scripts/pg-start runs; --pg-only skips SQLite.
# The load runs twice: as the server runs by default (pages kept for CHIBO_ACTOR_MEMO_SECONDS),
# then with nothing kept (CHIBO_ACTOR_MEMO_SECONDS=0), the cost of each member opening their
# own page once.
set -euo pipefail
cd "$(dirname "$0")/.."
N=20
SCALE=province
PG=0
LOAD=30
DBFILE=
PGDB=
LOADONLY=0
IMPORTONLY=0
SQLITE=1
ARGS="$*"
while [ $# -gt 0 ]; do
  case $1 in
    --pg) PG=1 ;;
    --requests) N=$2; shift ;;
    --scale) SCALE=$2; shift ;;
    --load-seconds) LOAD=$2; shift ;;
    --db) DBFILE=$2; shift ;;
    --pg-db) PGDB=$2; PG=1; shift ;;
    --load-only) LOADONLY=1 ;;
    --import-only) IMPORTONLY=1 ;;
    --pg-only) SQLITE=0; PG=1 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
need() { command -v "$1" >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get update -qq; apt-get install -y -qq "$2" >/dev/null; }; }
need wrk wrk
need bc bc
cargo build --release -p chibo >/dev/null 2>&1
OUT=bench/results/scale.md
[ $IMPORTONLY = 0 ] || OUT=bench/results/import.md
mkdir -p bench/results
TMP=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$TMP"' EXIT
if [ $IMPORTONLY = 1 ]; then
  {
    echo "# chibo import"
    echo
    echo "Measured $(date -u +%Y-%m-%d) by \`bench/scale.sh $ARGS\` on $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB;"
    echo "\`chibo import\` of 20,000 new members into the demo's Đồng Tâm cell, release build."
  } >"$OUT"
else
  {
    echo "# chibo at $SCALE scale"
    echo
    echo "Measured $(date -u +%Y-%m-%d) by \`bench/scale.sh $ARGS\` on $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB;"
    echo "$N requests per line, one client, loopback, release build. Times in milliseconds."
  } >"$OUT"
fi

rss() { ps -o rss= -p "$PID" | awk '{printf "%.0f", $1/1024}'; }

measure() {
  local name=$1; shift
  for _ in $(seq "$N"); do curl -s --max-time 300 -o /dev/null -w '%{time_total} %{http_code} %{size_download}\n' "$@"; done | sort -n |
    awk -v n="$name" '{a[NR]=$1; c=$2; s=$3} END {m=int((NR+1)/2); p=int(NR*0.95); if (p<1) p=1; printf "| %s | %.0f | %.0f | %s | %.0f |\n", n, a[m]*1000, a[p]*1000, c, s/1024}' |
    tee -a "$OUT"
  PEAK=$(( $(rss) > PEAK ? $(rss) : PEAK ))
}

run_backend() {
  local label=$1 url=$2
  echo | tee -a "$OUT"
  echo "## $label" | tee -a "$OUT"
  if [ "${3:-}" = reuse ]; then
    local db_name=${url##*/}; echo "generator: not run (reusing ${db_name%%\?*})" | tee -a "$OUT"
  else
    local t0; t0=$(date +%s.%N)
    target/release/chibo --database-url "$url" generate --scale "$SCALE" --months 12 >"$TMP/gen.log" 2>&1
    echo "generator: $(echo "$(date +%s.%N) - $t0" | bc | cut -c1-6) s — $(grep -m1 'Đã tạo' "$TMP/gen.log")" | tee -a "$OUT"
  fi
  start_server() {
    local port; port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    b=http://127.0.0.1:$port
    CHIBO_DATABASE_URL="$url" target/release/chibo serve --bind 127.0.0.1:$port >"$TMP/serve.log" 2>&1 &
    PID=$!
    local tries=0
    until curl -s --max-time 5 -o /dev/null $b/login; do
      tries=$((tries + 1)); [ $tries -lt 600 ] || { echo "the server did not start" >&2; exit 1; }
      sleep 0.1
    done
  }
  local b
  start_server
  echo "server RSS idle: $(rss) MiB" | tee -a "$OUT"
  PEAK=$(rss)
  local board member_cookie committee_cookie token root commune cell meeting member
  curl -s -c "$TMP/board" -o /dev/null -H "Origin: $b" -d "username=bantochuc&password=chibo-demo-2026" $b/login
  curl -s -c "$TMP/commune" -o /dev/null -H "Origin: $b" -d "username=capuy.xa&password=chibo-demo-2026" $b/login
  curl -s -c "$TMP/secretary" -o /dev/null -H "Origin: $b" -d "username=bithu.chibo&password=chibo-demo-2026" $b/login
  curl -s -c "$TMP/member" -o /dev/null -H "Origin: $b" -d "username=dangvien&password=chibo-demo-2026" $b/login
  token=$(curl -s -X POST $b/api/v1/auth/token -H 'content-type: application/json' -d '{"username":"bantochuc","password":"chibo-demo-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  local ctoken; ctoken=$(curl -s -X POST $b/api/v1/auth/token -H 'content-type: application/json' -d '{"username":"capuy.xa","password":"chibo-demo-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  local mtoken; mtoken=$(curl -s -X POST $b/api/v1/auth/token -H 'content-type: application/json' -d '{"username":"dangvien","password":"chibo-demo-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  read -r root commune cell < <(curl -s -H "authorization: Bearer $ctoken" $b/api/v1/me | python3 -c '
import json,sys; a=json.load(sys.stdin); print(1, a["grants"][0]["unit_id"], 0)')
  cell=$(curl -s -H "authorization: Bearer $mtoken" $b/api/v1/me | python3 -c 'import json,sys; print(json.load(sys.stdin)["grants"][0]["unit_id"])')
  member=$(curl -s -H "authorization: Bearer $mtoken" $b/api/v1/me | python3 -c 'import json,sys; print(json.load(sys.stdin)["member_id"])')
  meeting=$(curl -s -H "authorization: Bearer $token" $b/api/v1/units/$cell/meetings | python3 -c 'import json,sys; print([m["id"] for m in json.load(sys.stdin)["items"] if m["status"]=="held"][0])')
  [ $LOADONLY = 1 ] || for scope in "board at the province:$TMP/board:$token:$root" "committee at a commune:$TMP/commune:$ctoken:$commune"; do
    IFS=: read -r who jar tk u <<<"$scope"
    echo | tee -a "$OUT"
    echo "### $who (unit $u)" | tee -a "$OUT"
    echo "| what | p50 | p95 | status | KiB |" | tee -a "$OUT"
    echo "| --- | --- | --- | --- | --- |" | tee -a "$OUT"
    measure "page tree /units" -b "$jar" $b/units
    measure "page tree as of 30/06/2025" -b "$jar" "$b/units?ngay=2025-06-30"
    measure "page unit" -b "$jar" $b/units/$u
    measure "page member search (no diacritics)" -b "$jar" "$b/members?q=nguyen+van+hung"
    measure "page member list, first page" -b "$jar" "$b/members?unit_id=$u"
    # Deep pages: by number as deep as allowed (row 10,000), then the next by the cursor that
    # page hands out (a keyset page costs the same at any depth).
    local deep; deep=$(curl -s -H "authorization: Bearer $tk" "$b/api/v1/members?unit_id=$u&per_page=50&page=200" |
      python3 -c 'import json,sys,urllib.parse; print(urllib.parse.quote(json.load(sys.stdin).get("next") or ""))')
    measure "page member list, page 200 by number" -b "$jar" "$b/members?unit_id=$u&page=200"
    if [ -n "$deep" ]; then
      measure "page member list, page 201 by cursor" -b "$jar" "$b/members?unit_id=$u&after=$deep"
    fi
    for l in badges transfers exemptions candidates reviews training inspections cadre-tasks; do
      measure "page $l" -b "$jar" $b/units/$u/$l
    done
    measure "api units" -H "authorization: Bearer $tk" $b/api/v1/units
    measure "api unit" -H "authorization: Bearer $tk" $b/api/v1/units/$u
    measure "api tree level (children)" -H "authorization: Bearer $tk" $b/api/v1/units/$u/children
    measure "api units to choose (q=chi bo)" -H "authorization: Bearer $tk" "$b/api/v1/units/choices?q=chi+bo"
    measure "api officers to choose (q=nguyen)" -H "authorization: Bearer $tk" "$b/api/v1/units/$u/officers?q=nguyen"
    measure "api members, search" -H "authorization: Bearer $tk" "$b/api/v1/members?q=nguyen+van&unit_id=$u"
    measure "api members, search (common name)" -H "authorization: Bearer $tk" "$b/api/v1/members?q=nguyen&unit_id=$u"
    measure "api members, page 200 by number" -H "authorization: Bearer $tk" "$b/api/v1/members?unit_id=$u&per_page=50&page=200"
    if [ -n "$deep" ]; then
      measure "api members, page 201 by cursor" -H "authorization: Bearer $tk" "$b/api/v1/members?unit_id=$u&per_page=50&after=$deep"
    fi
    for l in badges transfers exemptions candidates reviews/summary training inspections cadre-tasks; do
      measure "api $l" -H "authorization: Bearer $tk" $b/api/v1/units/$u/$l
    done
    # The board's view (issue 11): every indicator over the last twelve whole months.
    from=$(date -d "$(date +%Y-%m-01) -12 months" +%F); to=$(date -d "$(date +%Y-%m-01) -1 day" +%F)
    measure "api indicators, 12 months" -H "authorization: Bearer $tk" "$b/api/v1/units/$u/indicators?from=$from&to=$to"
    measure "api indicators by child, 12 months" -H "authorization: Bearer $tk" "$b/api/v1/units/$u/indicators?from=$from&to=$to&by=child"
    measure "api warnings, 12 months" -H "authorization: Bearer $tk" "$b/api/v1/units/$u/warnings?from=$from&to=$to"
    measure "page dashboard, 12 months" -b "$jar" "$b/units/$u/dashboard?tu=$from&den=$to"
    N_SAVED=$N; N=3
    measure "api indicators by month (3 requests)" -H "authorization: Bearer $tk" "$b/api/v1/units/$u/indicators?from=$from&to=$to&by=month"
    measure "xlsx export (3 requests)" -b "$jar" $b/units/$u/members.xlsx
    N=$N_SAVED
  done
  # The yardstick of issue 11: DuckDB computing the same indicators of the province from the
  # raw rows in Parquet, its figures checked against chibo's (SQLite: the rows are read from
  # its file).
  if [ $LOADONLY = 0 ] && [ "${url%%:*}" = sqlite ]; then
    local from to venv=${XDG_CACHE_HOME:-$HOME/.cache}/chibo-bench-venv
    from=$(date -d "$(date +%Y-%m-01) -12 months" +%F); to=$(date -d "$(date +%Y-%m-01) -1 day" +%F)
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/python" -c 'import duckdb' 2>/dev/null || "$venv/bin/pip" install -q duckdb
    curl -s -H "authorization: Bearer $token" "$b/api/v1/units/$root/indicators?from=$from&to=$to" >"$TMP/chibo.json"
    echo | tee -a "$OUT"
    "$venv/bin/python" bench/duckdb_indicators.py --sqlite "$(echo "${url#sqlite://}" | cut -d'?' -f1)" \
      --parquet "$TMP/parquet" --unit "$root" --from "$from" --to "$to" --runs "$N" --chibo "$TMP/chibo.json" |
      tee -a "$OUT" || true
  fi
  load() {
    local name=$1 path=$2 header=$3
    wrk -t2 -c64 -d${LOAD}s --timeout 10s --latency -H "$header" "$b$path" >"$TMP/wrk" 2>&1 || true
    local rps p99
    rps=$(awk '/Requests\/sec/ {print $2}' "$TMP/wrk")
    p99=$(awk '$1=="99%" {v=$2; if (v ~ /ms$/) {sub("ms","",v)} else if (v ~ /us$/) {sub("us","",v); v=v/1000} else if (v ~ /s$/) {sub("s","",v); v=v*1000}; print v}' "$TMP/wrk")
    echo "$name|$rps|$p99"
  }
  local cookie; cookie="chibo_session=$(awk '/chibo_session/ {print $7}' "$TMP/member")"
  local scookie; scookie="chibo_session=$(awk '/chibo_session/ {print $7}' "$TMP/secretary")"
  member_load() {
    echo | tee -a "$OUT"
    echo "### load: wrk, 64 connections, $LOAD s$1" | tee -a "$OUT"
    echo "| what | requests/s | p99 ms | ratio to the bare handler |" | tee -a "$OUT"
    echo "| --- | --- | --- | --- |" | tee -a "$OUT"
    local bare; bare=$(load "bare handler (GET /login)" /login "X-Bench: 1")
    local ceiling; ceiling=$(echo "$bare" | cut -d'|' -f2)
    for line in "$bare" \
      "$(load "member's home page" / "Cookie: $cookie")" \
      "$(load "member's meeting page" /meetings/$meeting "Cookie: $cookie")" \
      "$(load "secretary's meeting page" /meetings/$meeting "Cookie: $scookie")" \
      "$(load "GET /api/v1/me/meetings" /api/v1/me/meetings "Authorization: Bearer $mtoken")"; do
      IFS='|' read -r name rps p99 <<<"$line"
      PEAK=$(( $(rss) > PEAK ? $(rss) : PEAK ))
      echo "| $name | $rps | $p99 | $(echo "scale=3; $rps / $ceiling" | bc) |" | tee -a "$OUT"
    done
  }
  member_load ", pages kept ${CHIBO_ACTOR_MEMO_SECONDS:-5} s (the default)"
  kill $PID; wait $PID 2>/dev/null || true
  CHIBO_ACTOR_MEMO_SECONDS=0 start_server
  member_load ", nothing kept (CHIBO_ACTOR_MEMO_SECONDS=0: each member opening their own page once)"
  echo | tee -a "$OUT"
  echo "server RSS at peak: $PEAK MiB, after: $(rss) MiB" | tee -a "$OUT"
  kill $PID; wait $PID 2>/dev/null || true; PID=
}

# Import rows a second: 20,000 new members (a CSV as a province's board would keep it) into a
# cell of a fresh demo database on the backend at `$2`, by `chibo import` (one transaction).
import_rate() {
  local label=$1 url=$2 cell_sql="select id from units where name = 'Chi bộ thôn Đồng Tâm'" cell
  local rows=20000 secs kb
  target/release/chibo --database-url "$url" demo >/dev/null
  python3 bench/member-list.py "$rows" "$TMP/import.csv"
  case $url in
    sqlite:*) cell=$(sqlite3 "$(echo "${url#sqlite://}" | cut -d'?' -f1)" "$cell_sql") ;;
    *) cell=$(psql "$url" -tAc "$cell_sql") ;;
  esac
  /usr/bin/time -f "%e %M" -o "$TMP/import.time" \
    target/release/chibo --database-url "$url" import --unit "$cell" --as admin "$TMP/import.csv" >/dev/null
  read -r secs kb <"$TMP/import.time"
  echo | tee -a "$OUT"
  echo "$label import: $rows new members into a cell in $secs s, $(echo "$rows / $secs" | bc) rows a second, peak RSS $((kb / 1024)) MiB" | tee -a "$OUT"
}

if [ $IMPORTONLY = 1 ]; then
  if [ $SQLITE = 1 ]; then
    for i in 1 2 3; do import_rate SQLite "sqlite://$TMP/import$i.db?mode=rwc"; done
  fi
  if [ $PG = 1 ]; then
    BASE=$(scripts/pg-start)
    for i in 1 2 3; do
      psql "$BASE" -qc "DROP DATABASE IF EXISTS chibo_import_$$" -c "CREATE DATABASE chibo_import_$$" >/dev/null
      import_rate PostgreSQL "${BASE%/*}/chibo_import_$$"
    done
    psql "$BASE" -qc "DROP DATABASE chibo_import_$$" >/dev/null
  fi
  echo
  echo "written to $OUT"
  exit 0
fi
if [ $SQLITE = 0 ]; then
  :
elif [ -n "$DBFILE" ]; then
  if [ -e "$DBFILE" ]; then
    run_backend "SQLite" "sqlite://$DBFILE?mode=rwc" reuse
  else
    run_backend "SQLite" "sqlite://$DBFILE?mode=rwc"
  fi
else
  run_backend "SQLite" "sqlite://$TMP/scale.db?mode=rwc"
fi
[ $SQLITE = 0 ] || import_rate SQLite "sqlite://$TMP/import.db?mode=rwc"
if [ $PG = 1 ]; then
  BASE=$(scripts/pg-start)
  if [ -n "$PGDB" ] && [ "$(psql "$BASE" -tAc "SELECT 1 FROM pg_database WHERE datname = '$PGDB'")" = 1 ]; then
    run_backend "PostgreSQL" "${BASE%/*}/$PGDB" reuse
  else
    DB=${PGDB:-chibo_scale_$$}
    psql "$BASE" -qc "CREATE DATABASE $DB" >/dev/null
    run_backend "PostgreSQL" "${BASE%/*}/$DB"
  fi
  psql "$BASE" -qc "DROP DATABASE IF EXISTS chibo_import_$$" -c "CREATE DATABASE chibo_import_$$" >/dev/null
  import_rate PostgreSQL "${BASE%/*}/chibo_import_$$"
  psql "$BASE" -qc "DROP DATABASE chibo_import_$$" >/dev/null
fi
echo
echo "written to $OUT"
