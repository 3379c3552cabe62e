#!/usr/bin/env bash
# The board officer's view at province size (SQLite, release build): generates a province,
# then times the indicators, the dashboard page (with the trend), and a programme's review
# report with its DOCX and XLSX, median of three each. Prints figures; asserts nothing.
# Usage: bench/board.sh [URL]   (about two minutes after the build; needs 1 GB free in /tmp)
#   URL: an empty PostgreSQL database to use instead of a SQLite file, e.g.
#   bench/board.sh "$(scripts/pg-start | sed 's|/chibo$|/board|')" after `createdb board`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p chibo >/dev/null 2>&1
W=$(mktemp -d)
DB=${1:-"sqlite://$W/p.db?mode=rwc"}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
/usr/bin/time -f "generate: %e s, %M KB" target/release/chibo --database-url "$DB" generate --scale province --months 12 > $W/gen.log 2>&1 || { tail -5 $W/gen.log; exit 1; }
tail -2 $W/gen.log
target/release/chibo --database-url "$DB" serve --bind 127.0.0.1:$PORT > $W/serve.log 2>&1 &
PID=$!
trap 'kill $PID; rm -rf "$W"' EXIT
B=http://127.0.0.1:$PORT
until curl -s -o /dev/null $B/login; do sleep 0.2; done
TOKEN=$(curl -s -X POST $B/api/v1/auth/token -H 'content-type: application/json' -d '{"username":"bantochuc","password":"chibo-demo-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
curl -s -c $W/c -o /dev/null -H "Origin: $B" -d "username=bantochuc&password=chibo-demo-2026" $B/login
ROOT=$(curl -s -H "authorization: Bearer $TOKEN" $B/api/v1/units | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
FROM=$(date -d "-12 months" +%Y-%m-01); TO=$(date -d "-1 day" +%Y-%m-%d)
t() { local name=$1; shift; for i in 1 2 3; do curl -s -o /dev/null -w "%{time_total} %{size_download}\n" "$@"; done | sort -n | awk -v n="$name" 'NR==2 {printf "%-40s median %.2f s (%d bytes)\n", n, $1, $2}'; }
t "indicators, 12 months" -H "authorization: Bearer $TOKEN" "$B/api/v1/units/$ROOT/indicators?from=$FROM&to=$TO"
t "indicators by=month (loops of_unit)" -H "authorization: Bearer $TOKEN" "$B/api/v1/units/$ROOT/indicators?from=$FROM&to=$TO&by=month"
t "dashboard page (with trend)" -b $W/c "$B/units/$ROOT/dashboard?tu=$FROM&den=$TO"
P=$(curl -s -X POST -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' "$B/api/v1/units/$ROOT/programmes" -d "{\"kind\":\"de_an\",\"code\":\"11-ĐA/TU\",\"title\":\"Nâng cao chất lượng sinh hoạt chi bộ\",\"issued_on\":\"$FROM\",\"starts_on\":\"$FROM\",\"ends_on\":\"2030-12-31\",\"targets\":[{\"indicator\":\"attendance_rate\",\"value\":\"90\"},{\"indicator\":\"cell_months_met\",\"value\":\"100\"},{\"indicator\":\"members_tasked\",\"value\":\"100\"}]}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
R=$(curl -s -X POST -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' "$B/api/v1/programmes/$P/reports" -d "{\"title\":\"Báo cáo sơ kết\",\"number\":\"1-BC/TU\",\"place\":\"Tỉnh\",\"report_on\":\"$TO\",\"from\":\"$FROM\",\"to\":\"$TO\",\"signer_role\":\"T/M BAN THƯỜNG VỤ\",\"signer_name\":\"A\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
t "dashboard page with a programme" -b $W/c "$B/units/$ROOT/dashboard?tu=$FROM&den=$TO&chuong_trinh=$P"
t "review report (API, with figures)" -H "authorization: Bearer $TOKEN" "$B/api/v1/review-reports/$R"
t "review report DOCX" -H "authorization: Bearer $TOKEN" "$B/api/v1/review-reports/$R/report.docx"
t "review report XLSX" -H "authorization: Bearer $TOKEN" "$B/api/v1/review-reports/$R/report.xlsx"
echo "server RSS: $(ps -o rss= -p $PID) KB"
