#!/usr/bin/env bash
# Load benchmark: editors posting events and readers reading at once, against a real
# `hiendat serve` on a free port of 127.0.0.1 over a generated ward (six months of history).
#
# Usage: bench/load.sh [--seconds 30] [--editors 8] [--readers 16] [--parcels 3000] [--data bench-data]
#                      [--db FILE] [--reads page|tiles] [--pan-every-ms 3000] [--layers parcels,segments]
#                      [--write-every-ms 0]
#
# --db runs against a copy of an existing database (e.g. the 1M-parcel demo of bench/scale.sh)
# instead of generating one. --reads tiles makes the readers pan a map of vector tiles
# (issue 18 item 4: `bench/load.sh --db /tmp/scale/1m.db --editors 8 --readers 32 --reads tiles`).
#
# The client is examples/load (the driver tests/store_load.rs runs for 4 s): each editor
# moves its own parcels between persuading and declined, dated today, over the session of
# one editor login; each reader asks in turn for /api/segments, /api/summary/groups, one
# parcel and /api/version. Prints, per kind of request, the count, the rate, p50 and p99
# in milliseconds, then every error (any answer that is not 2xx, any failed request).
# Exits non-zero when there was an error.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_=30 EDITORS=8 READERS=16 N=3000 DATA=bench-data FROM= READS=page PAN=3000 LAYERS=parcels,segments WRITE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_=$2; shift 2 ;;
    --editors) EDITORS=$2; shift 2 ;;
    --readers) READERS=$2; shift 2 ;;
    --parcels) N=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    --db) FROM=$2; shift 2 ;;
    --reads) READS=$2; shift 2 ;;
    --pan-every-ms) PAN=$2; shift 2 ;;
    --layers) LAYERS=$2; shift 2 ;;
    --write-every-ms) WRITE=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
cargo build --release --quiet --bin hiendat --example load
T=${CARGO_TARGET_DIR:-target}/release
if [ -n "$FROM" ]; then
  SRC=$FROM
else
  mkdir -p "$DATA"
  SRC="$DATA/load-ward$N.db"
  [ -f "$SRC" ] || "$T/hiendat" demo --parcels "$N" --db "$SRC" >&2
fi
DIR=$(mktemp -d)
DB=$DIR/ward.db
cp "$SRC" "$DB"
export LOAD_PASSWORD=mat-khau-bench-tai
printf '%s\n' "$LOAD_PASSWORD" | "$T/hiendat" user add bench --role editor --db "$DB" >&2
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$T/hiendat" serve --db "$DB" --addr "127.0.0.1:$PORT" --web web >/dev/null 2>"$DIR/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 1500); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
"$T/examples/load" --url "http://127.0.0.1:$PORT" --user bench \
  --editors "$EDITORS" --readers "$READERS" --seconds "$SECONDS_" \
  --reads "$READS" --pan-every-ms "$PAN" --layers "$LAYERS" --write-every-ms "$WRITE" || rc=$?
echo "server RSS at the end: $(ps -o rss= -p $SERVER | awk '{printf "%.0f MB", $1/1024}')"
exit "${rc:-0}"
