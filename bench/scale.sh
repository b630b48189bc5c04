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
#            now and its peak (VmRSS, VmHWM), split into the process's own
#            memory (RssAnon) and the database file's mapped pages (RssFile).
#   tiles    a burst of vector tiles around the ward's centre (parcels z15-z17,
#            segments and groups z13-z14), as a page panning about asks them;
#            then the RSS again.
# The machine's load (`uptime`) is printed beside the figures: the CPU is
# shared, and a loaded machine stretches every wall time.
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
  echo "load before the build: $(uptime | sed 's/.*load average: //')"
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
rss() { awk "/^$1:/ {printf \"%.0f\", \$2/1024}" "/proc/$SERVER/status"; }
memory() { echo "RSS $(rss VmRSS) MB (own $(rss RssAnon) MB + mapped file $(rss RssFile) MB; peak $(rss VmHWM) MB)"; }
load() { uptime | sed 's/.*load average: /load /'; }
# the server's CPU time so far (user + system), in ms: on a shared machine a
# request's wall time is mostly waiting for a core, its CPU time is its own
cpu_ms() { awk '{print ($14 + $15) * 10}' "/proc/$SERVER/stat"; }
BASE=""
for _ in $(seq 1200); do
  BASE=$(sed -n 's/^hiendat: \(http:\/\/[0-9.:]*\)\/.*/\1/p' "$LOGS/serve.out")
  [ -n "$BASE" ] && break
  sleep 0.1
done
[ -n "$BASE" ] || { echo "server did not start" >&2; cat "$LOGS/serve.err" >&2; exit 1; }
READY="$(echo "$(date +%s.%N) - $START" | bc)s (server CPU $(cpu_ms) ms)"
PASS=$(sed -n 's/.*login: demo \/ \([^ ]*\) (admin).*/\1/p' "$LOGS/serve.out")
JAR="$LOGS/cookies"
rm -f "$JAR"
curl -s -c "$JAR" -H 'Content-Type: application/json' \
  -d "{\"name\":\"demo\",\"password\":\"$PASS\"}" "$BASE/api/login" > /dev/null

# the last date with a change, and one two months before it
# (the run's very first request: a server that reads the ward's facts on
# first use pays for it here)
T0=$(date +%s.%N)
C0=$(cpu_ms)
LAST=$(curl -s "$BASE/api/progress" | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["date"])')
FIRST="$(echo "$(date +%s.%N) - $T0" | bc)s (server CPU $(($(cpu_ms) - C0)) ms)"
PAST=$(date -d "$LAST - 60 days" +%F)

echo
echo "server ready after ${READY}; the first request (\`/api/progress\`, anonymous) took ${FIRST}; $(memory); $(load)"
echo
echo "| request | who | first request (s) | server CPU (ms) | transferred (br) | raw |"
echo "|---|---|---:|---:|---:|---:|"
get() { # who path
  local auth=()
  [ "$1" = admin ] && auth=(-b "$JAR")
  local t raw c0 c1
  c0=$(cpu_ms)
  t=$(curl -s "${auth[@]}" -o /dev/null -H 'Accept-Encoding: br, gzip' -w '%{time_total} %{size_download}' "$BASE$2")
  c1=$(cpu_ms)
  raw=$(curl -s "${auth[@]}" "$BASE$2" | wc -c)
  echo "| \`$2\` | $1 | ${t% *} | $((c1 - c0)) | ${t#* } | $raw |"
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
echo "server after the requests: $(memory); $(load)"

# a burst of tiles around the ward's centre, one connection, as a page asks them
TILES=$(python3 - "$BASE" <<'PY'
import math, sys
base = sys.argv[1]
lon, lat = 105.80, 19.51  # the demo ward's centre (src/demo/mod.rs)
def tile(z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y
for layer, zooms in (("parcels", {15: 3, 16: 4, 17: 5}), ("segments", {13: 2, 14: 3}), ("groups", {13: 2, 14: 3})):
    for z, r in zooms.items():
        x0, y0 = tile(z)
        for x in range(x0 - r, x0 + r + 1):
            for y in range(y0 - r, y0 + r + 1):
                print(f"{base}/tiles/{layer}/{z}/{x}/{y}.mvt")
PY
)
N_TILES=$(echo "$TILES" | wc -l)
ARGS=()
for u in $TILES; do ARGS+=(-o /dev/null "$u"); done
T0=$(date +%s.%N)
curl -s -H 'Accept-Encoding: br, gzip' "${ARGS[@]}"
echo "$N_TILES tiles in $(echo "$(date +%s.%N) - $T0" | bc)s; server after the tiles: $(memory); $(load)"
