#!/usr/bin/env bash
# Event POST benchmark: the latency of recording a status change, as an editor's
# page sees it, on a generated ward with six months of history.
#
# Usage: bench/events.sh [--parcels 100000] [--events 400] [--data bench-data] [--bin PATH]
#
# `hiendat demo --db` makes the ward (cached in DATA), a copy of it is served on a free
# port of 127.0.0.1, an editor is added, and --events parcels that were never contacted
# each get one `persuading` event, posted one after another over one keep-alive connection
# (python3's http.client): p50, p90 and max in milliseconds on stdout. Between posts the
# script reads /api/summary/groups every 10th time, as pages polling the version do, so
# that the figures' cost after a write is in the measurement too (reported apart).
set -euo pipefail
cd "$(dirname "$0")/.."
N=100000 EVENTS=400 DATA=bench-data BIN=""
while [ $# -gt 0 ]; do
  case "$1" in
    --parcels) N=$2; shift 2 ;;
    --events) EVENTS=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -z "$BIN" ]; then cargo build --release --quiet; BIN=target/release/hiendat; fi
mkdir -p "$DATA"
SRC="$DATA/events-ward$N.db"
[ -f "$SRC" ] || "$BIN" demo --parcels "$N" --db "$SRC" >&2
DB=$(mktemp -d)/ward.db
cp "$SRC" "$DB"
printf 'mat-khau-bench\n' | "$BIN" user add bench --role editor --db "$DB" >&2
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" serve --db "$DB" --addr "127.0.0.1:$PORT" --web web >/dev/null 2>"$DB.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$(dirname "$DB")"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
python3 - "$PORT" "$EVENTS" <<'PY'
import http.client, json, sys, time, datetime
port, n = int(sys.argv[1]), int(sys.argv[2])
c = http.client.HTTPConnection("127.0.0.1", port)
def req(method, path, body=None, headers={}):
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse(); data = r.read()
    return r.status, r.getheader("set-cookie"), data
_, cookie, _ = req("POST", "/api/login", json.dumps({"name": "bench", "password": "mat-khau-bench"}), {"content-type": "application/json"})
cookie = cookie.split(";")[0]
today = json.loads(req("GET", "/api/config")[2]).get("today") or datetime.date.today().isoformat()
ids = [f["properties"]["id"] for f in json.loads(req("GET", "/api/parcels?status=not_contacted&fields=id")[2])["features"]][:n]
post, read = [], []
for k, pid in enumerate(ids):
    body = json.dumps({"status": "persuading", "occurred_on": today})
    t0 = time.perf_counter()
    status, _, data = req("POST", f"/api/parcels/{pid}/events", body, {"content-type": "application/json", "cookie": cookie})
    post.append((time.perf_counter() - t0) * 1000)
    assert status == 201, (status, data)
    if k % 10 == 9:
        t0 = time.perf_counter()
        req("GET", "/api/summary/groups")
        read.append((time.perf_counter() - t0) * 1000)
def pct(xs, p):
    xs = sorted(xs); return xs[min(len(xs) - 1, int(p * len(xs)))]
print(f"| event POST ({len(post)} events) | {pct(post, .5):.2f} ms | {pct(post, .9):.2f} ms | {max(post):.2f} ms |")
print(f"| GET /api/summary/groups after a write ({len(read)}) | {pct(read, .5):.2f} ms | {pct(read, .9):.2f} ms | {max(read):.2f} ms |")
PY
