#!/usr/bin/env bash
# Load benchmark: editors posting events and readers reading at once, against a real
# `hiendat serve` on a free port of 127.0.0.1 over a generated ward (six months of history).
#
# Usage: bench/load.sh [--seconds 30] [--editors 8] [--readers 16] [--parcels 3000] [--data bench-data]
#
# The client is examples/load (the driver tests/store_load.rs runs for 4 s): each editor
# moves its own parcels between persuading and declined, dated today, over the session of
# one editor login; each reader asks in turn for /api/segments, /api/summary/groups, one
# parcel and /api/version. Prints, per kind of request, the count, the rate, p50 and p99
# in milliseconds, then every error (any answer that is not 2xx, any failed request).
# Exits non-zero when there was an error.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_=30 EDITORS=8 READERS=16 N=3000 DATA=bench-data
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_=$2; shift 2 ;;
    --editors) EDITORS=$2; shift 2 ;;
    --readers) READERS=$2; shift 2 ;;
    --parcels) N=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
cargo build --release --quiet --bin hiendat --example load
T=${CARGO_TARGET_DIR:-target}/release
mkdir -p "$DATA"
SRC="$DATA/load-ward$N.db"
[ -f "$SRC" ] || "$T/hiendat" demo --parcels "$N" --db "$SRC" >&2
DIR=$(mktemp -d)
DB=$DIR/ward.db
cp "$SRC" "$DB"
export LOAD_PASSWORD=mat-khau-bench-tai
printf '%s\n' "$LOAD_PASSWORD" | "$T/hiendat" user add bench --role editor --db "$DB" >&2
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$T/hiendat" serve --db "$DB" --addr "127.0.0.1:$PORT" --web web >/dev/null 2>"$DIR/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
"$T/examples/load" --url "http://127.0.0.1:$PORT" --user bench \
  --editors "$EDITORS" --readers "$READERS" --seconds "$SECONDS_"
