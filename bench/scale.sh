#!/usr/bin/env bash
# Province-scale benchmark (issue 18 item 3): the server at a million parcels.
#
# Usage: bench/scale.sh [--parcels 1000000] [--db /tmp/scale/1m.db] [--bin PATH] [--rebuild]
#
#   build    `hiendat demo --parcels N --db DB --timings` under /usr/bin/time -v
#            (only when DB is missing, or with --rebuild): wall seconds, peak
#            RSS, and the builder's own phase timings.
#   serve    the release server on a free port; the time from its start to
#            "listening" (it reads the ward's facts before it listens).
#   requests each answer's FIRST request (nothing cached yet), anonymous and as
#            the demo admin: wall time, bytes transferred with the page's
#            Accept-Encoding (br, gzip) and raw bytes; then the server's RSS
#            now and its peak (VmRSS, VmHWM).
# Output: a Markdown table on stdout; logs in $(dirname DB)/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
N=1000000 DB=/tmp/scale/1m.db BIN="" REBUILD=0
while [ $# -gt 0 ]; do
  case "$1" in
    --parcels) N=$2; shift 2 ;;
    --db) DB=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    --rebuild) REBUILD=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -z "$BIN" ]; then
  cargo build --release --quiet
  BIN="${CARGO_TARGET_DIR:-target}/release/hiendat"
fi
LOGS="$(dirname "$DB")/logs"
mkdir -p "$LOGS"
if [ "$REBUILD" = 1 ] || [ ! -f "$DB" ]; then
  rm -f "$DB" "$DB-wal" "$DB-shm"
  /usr/bin/time -v -o "$LOGS/build.time" "$BIN" demo --parcels "$N" --db "$DB" --timings 2> "$LOGS/build.err"
  cat "$LOGS/build.err" >&2
  BUILD_S=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$LOGS/build.time")
  BUILD_MB=$(awk '/Maximum resident set size/ {printf "%.0f", $6/1024}' "$LOGS/build.time")
  echo "| demo build ($N parcels) | $BUILD_S | peak $BUILD_MB MB |"
fi

START=$(date +%s.%N)
"$BIN" serve --db "$DB" --addr 127.0.0.1:0 > "$LOGS/serve.out" 2> "$LOGS/serve.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
BASE=""
for _ in $(seq 1200); do
  BASE=$(sed -n 's/^hiendat: \(http:\/\/[0-9.:]*\)\/.*/\1/p' "$LOGS/serve.out")
  [ -n "$BASE" ] && break
  sleep 0.1
done
[ -n "$BASE" ] || { echo "server did not start" >&2; cat "$LOGS/serve.err" >&2; exit 1; }
READY=$(echo "$(date +%s.%N) - $START" | bc)
PASS=$(sed -n 's/.*login: demo \/ \([^ ]*\) (admin).*/\1/p' "$LOGS/serve.out")
JAR="$LOGS/cookies"
rm -f "$JAR"
curl -s -c "$JAR" -H 'Content-Type: application/json' \
  -d "{\"name\":\"demo\",\"password\":\"$PASS\"}" "$BASE/api/login" > /dev/null

rss() { awk "/^$1:/ {printf \"%.0f\", \$2/1024}" "/proc/$SERVER/status"; }
# the last date with a change, and one two months before it
# (the run's very first request: a server that reads the ward's facts on
# first use pays for it here)
T0=$(date +%s.%N)
LAST=$(curl -s "$BASE/api/progress" | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["date"])')
FIRST=$(echo "$(date +%s.%N) - $T0" | bc)
PAST=$(date -d "$LAST - 60 days" +%F)

echo
echo "server ready after ${READY}s; the first request (\`/api/progress\`, anonymous) took ${FIRST}s; RSS $(rss VmRSS) MB (peak $(rss VmHWM) MB)"
echo
echo "| request | who | first request (s) | transferred (br) | raw |"
echo "|---|---|---:|---:|---:|"
get() { # who path
  local auth=()
  [ "$1" = admin ] && auth=(-b "$JAR")
  local t b raw
  t=$(curl -s "${auth[@]}" -o /dev/null -H 'Accept-Encoding: br, gzip' -w '%{time_total} %{size_download}' "$BASE$2")
  raw=$(curl -s "${auth[@]}" "$BASE$2" | wc -c)
  echo "| \`$2\` | $1 | ${t% *} | ${t#* } | $raw |"
}
for who in anon admin; do
  get $who "/api/summary/groups?as_of=$PAST"
  get $who "/api/summary/segments?as_of=$PAST"
  get $who "/api/segments?as_of=$PAST"
  get $who "/api/progress?as_of=$PAST"
  get $who "/api/progress"
  get $who "/api/segments"
  get $who "/api/summary/groups"
  get $who "/api/summary/segments"
  get $who "/api/groups"
  PAST=$(date -d "$PAST - 7 days" +%F)
done
echo
echo "server RSS after the requests: $(rss VmRSS) MB (peak $(rss VmHWM) MB)"
