#!/usr/bin/env bash
# API benchmark (issue 3): import a generated ward, then load the release
# server with wrk and report latency percentiles per endpoint.
#
# Usage: bench/api.sh [--parcels 100000] [--repeat 3] [--duration 10] [--data bench-data] [--bin PATH]
#
#   import   `hiendat import` of the generated ward's GeoJSON into a new
#            database (validation, projection, donation computation, outlines,
#            one transaction), --repeat times: wall seconds and peak RSS, median.
#   API      `hiendat demo --db` makes the same ward with six months of
#            history (the API then has statuses to tally); the server runs on
#            127.0.0.1 with a free port and wrk loads one endpoint at a time:
#            first 1 connection (latency as one user sees it), then 4
#            connections (2 wrk threads; server and wrk share the 2 cores).
#            The bbox is a viewport around the ward's centre holding ~2,000
#            parcels (found by bisection on its size).
# Output: a Markdown table on stdout; wrk's own output in DATA/logs/.
# Needs wrk (apt-get install wrk) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
N=100000 REPEAT=3 DUR=10 DATA=bench-data BIN=""
while [ $# -gt 0 ]; do
  case "$1" in
    --parcels) N=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --duration) DUR=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
if [ -z "$BIN" ]; then cargo build --release --quiet; BIN=target/release/hiendat; fi
mkdir -p "$DATA/logs"
WARD="$DATA/ward$N"
[ -f "$WARD/parcels.geojson" ] || "$BIN" demo --parcels "$N" --out "$WARD" >&2

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "== import $N parcels x$REPEAT" >&2
: > "$DATA/logs/import.txt"
for _ in $(seq "$REPEAT"); do
  rm -f "$DATA/import.db" "$DATA/import.db-wal" "$DATA/import.db-shm"
  /usr/bin/time -f '%e %M' -a -o "$DATA/logs/import.txt" \
    "$BIN" import --db "$DATA/import.db" --segments "$WARD/segments.geojson" \
    --parcels "$WARD/parcels.geojson" > "$DATA/logs/import.out" 2>&1
done
IMPORT_S=$(awk '{print $1}' "$DATA/logs/import.txt" | median)
IMPORT_MIB=$(awk '{print $2/1024}' "$DATA/logs/import.txt" | median)

DB="$DATA/api$N.db"
[ -f "$DB" ] || "$BIN" demo --parcels "$N" --db "$DB" >&2
"$BIN" serve --db "$DB" --addr 127.0.0.1:0 > "$DATA/logs/serve.out" 2> "$DATA/logs/serve.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
for _ in $(seq 100); do
  BASE=$(sed -n 's/^hiendat: \(http:\/\/[0-9.:]*\)\/.*/\1/p' "$DATA/logs/serve.out")
  [ -n "$BASE" ] && break
  sleep 0.1
done
[ -n "$BASE" ] || { echo "server did not start" >&2; cat "$DATA/logs/serve.err" >&2; exit 1; }

BBOX=$(python3 - "$BASE" <<'PY'
import json, sys, urllib.request
base = sys.argv[1]
get = lambda p: json.load(urllib.request.urlopen(base + p))
b = get("/api/config")["bounds"]
cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
lo, hi = 0.0, 1.0
for _ in range(20):
    f = (lo + hi) / 2
    w, h = (b[2] - b[0]) * f / 2, (b[3] - b[1]) * f / 2
    bbox = f"{cx-w:.6f},{cy-h:.6f},{cx+w:.6f},{cy+h:.6f}"
    n = len(get("/api/parcels?bbox=" + bbox)["features"])
    if 1900 <= n <= 2100:
        break
    lo, hi = (f, hi) if n < 1900 else (lo, f)
print(bbox, n)
PY
)
read -r BBOX BBOX_N <<< "$BBOX"

row() {
  local name=$1 path=$2
  curl -sf -o /dev/null "$BASE$path"   # warm
  local bytes; bytes=$(curl -s "$BASE$path" | wc -c)
  wrk -t1 -c1 -d"${DUR}s" --latency "$BASE$path" > "$DATA/logs/wrk-c1-$name.txt"
  wrk -t2 -c4 -d"${DUR}s" --latency "$BASE$path" > "$DATA/logs/wrk-c4-$name.txt"
  local p50 p90 p99 rps4
  p50=$(awk '$1=="50%"{print $2}' "$DATA/logs/wrk-c1-$name.txt")
  p90=$(awk '$1=="90%"{print $2}' "$DATA/logs/wrk-c1-$name.txt")
  p99=$(awk '$1=="99%"{print $2}' "$DATA/logs/wrk-c1-$name.txt")
  rps4=$(awk '/Requests\/sec/{print $2}' "$DATA/logs/wrk-c4-$name.txt")
  local p50c4; p50c4=$(awk '$1=="50%"{print $2}' "$DATA/logs/wrk-c4-$name.txt")
  printf '| `%s` | %s | %s | %s | %s | %s | %s |\n' "$path" "$bytes" "$p50" "$p90" "$p99" "$p50c4" "$rps4"
}

echo "## hiendat API, $N parcels ($(date -u +%F), $(nproc) cores)"
echo
echo "Import (GeoJSON → new database, donations computed): median ${IMPORT_S} s, peak ${IMPORT_MIB} MiB over $REPEAT runs."
echo
echo "wrk ${DUR} s per row; 1 connection: p50/p90/p99; 4 connections: p50 and requests/s. bbox = $BBOX ($BBOX_N parcels)."
echo
echo "| request | bytes | p50 (1 conn) | p90 | p99 | p50 (4 conn) | req/s (4 conn) |"
echo "|---|---|---|---|---|---|---|"
row segments "/api/segments"
row summary-segments "/api/summary/segments"
row summary-groups "/api/summary/groups"
row parcels-bbox "/api/parcels?bbox=$BBOX"
row parcels-bbox-slim "/api/parcels?bbox=$BBOX&fields=id,status,parcel_no"
row version "/api/version"
row groups "/api/groups"
row corridors "/api/corridors"
row segments-asof "/api/segments?as_of=2026-09-01"
row progress "/api/progress"
