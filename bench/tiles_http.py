#!/usr/bin/env python3
"""Vector tile speed against a running `hiendat serve` (issue 18): the same
tiles as `cargo bench --bench tiles` (every tile of the ward at a zoom, the
ones nearest its centre first, at most MAX a layer and zoom), each asked once
(built, not cached: start the server fresh), then the first 50 again
(cached). One client, HTTP/1.1 keep-alive, standard library only. The
server lets one address ask 600 tiles at once (its per-client limit): each
layer and zoom is asked from its own loopback address (127.0.0.2, .3, ...),
so that the limit is never what is measured.

Usage: bench/tiles_http.py http://127.0.0.1:8096/ [MAX]
Prints per layer and zoom: tiles, p50 / p95 / max ms, cached p50, mean and
largest size (KB), empty (204) tiles.
"""
import http.client
import json
import math
import sys
import time
import urllib.parse

base = urllib.parse.urlparse(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8096/")
mx = int(sys.argv[2]) if len(sys.argv) > 2 else 400
conn = None


def connect(n):
    global conn
    if conn:
        conn.close()
    conn = http.client.HTTPConnection(base.hostname, base.port, timeout=600, source_address=(f"127.0.0.{n}", 0))


def get(path):
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read()
    return r.status, body


def tile_of(z, lon, lat):
    n = 2 ** z
    r = math.radians(lat)
    return int((lon + 180) / 360 * n), int((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)


def pct(xs, p):
    return xs[round((len(xs) - 1) * p)] if xs else 0.0


connect(2)
status, body = get("/api/config")
b = json.loads(body)["bounds"]
cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
print(f"server {sys.argv[1]}; bounds {b[0]:.4f},{b[1]:.4f},{b[2]:.4f},{b[3]:.4f}")
print("layer    | z  | tiles | p50 ms | p95 ms | max ms | cached p50 | mean KB | max KB | 204s")
addr = 2
for layer in ("parcels", "segments", "groups"):
    for z in range(14 if layer == "parcels" else 12, 18):
        addr += 1
        connect(addr)
        x0, y1 = tile_of(z, b[0], b[1])
        x1, y0 = tile_of(z, b[2], b[3])
        mx_, my_ = tile_of(z, cx, cy)
        tiles = sorted(((x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)),
                       key=lambda t: max(abs(t[0] - mx_), abs(t[1] - my_)))[:mx]
        ms, sizes, empty = [], [], 0
        for x, y in tiles:
            t = time.perf_counter()
            st, body = get(f"/tiles/{layer}/{z}/{x}/{y}.mvt")
            ms.append((time.perf_counter() - t) * 1000)
            assert st in (200, 204), f"{layer}/{z}/{x}/{y}: {st}"
            sizes.append(len(body))
            empty += st == 204
        cached = []
        for x, y in tiles[:50]:
            t = time.perf_counter()
            get(f"/tiles/{layer}/{z}/{x}/{y}.mvt")
            cached.append((time.perf_counter() - t) * 1000)
        ms.sort()
        cached.sort()
        print(f"{layer:<8} | {z:>2} | {len(tiles):>5} | {pct(ms, .5):>6.1f} | {pct(ms, .95):>6.1f} | {ms[-1]:>6.1f} | "
              f"{pct(cached, .5):>10.2f} | {sum(sizes) / max(1, len(sizes)) / 1024:>7.1f} | {max(sizes) / 1024:>6.1f} | {empty}",
              flush=True)
