#!/usr/bin/env bash
# PostGIS's ST_AsMVT as the peer of hiendat's parcel tiles (issue 18): the
# parcels of a hiendat database (geometry, parcel_no, the status an anonymous
# caller reads, donated area and depth: what hiendat's tiles carry) copied
# into the private PostGIS cluster of ../shared/bench/peer_postgis.sh
# (install, start), stored in EPSG:3857 with a GiST index (the kindest set-up
# for PostGIS: no transform per tile), then every tile of the ward at z15–z17
# nearest its centre (at most MAX a zoom, as `cargo bench --bench tiles`)
# built once with ST_AsMVTGeom + ST_AsMVT (extent 4096, buffer 64, clipped),
# timed by psql's \timing (server time, one connection; hiendat's figures
# from `cargo bench --bench tiles` include HTTP).
#
# Usage: bench/tiles_postgis.sh DB.db [MAX]
# Needs: ../shared/bench/peer_postgis.sh install && ... start; python3.
set -euo pipefail
DB="${1:?usage: bench/tiles_postgis.sh DB.db [MAX]}"
MAX="${2:-400}"
PGROOT="${BENCH_PGROOT:-/tmp/benchpg}"
PGPORT="${BENCH_PGPORT:-54329}"
PSQL=(psql -h "$PGROOT" -p "$PGPORT" -U postgres -d bench -qAtX -v ON_ERROR_STOP=1)
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

python3 - "$DB" "$WORK" "$MAX" <<'EOF'
import math, sqlite3, sys
db, work, mx = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
with open(f"{work}/parcels.tsv", "w") as out:
    for pid, no, status, geom, area, depth in c.execute(
        "SELECT p.id, coalesce(p.parcel_no, ''), coalesce(s.status, 'not_contacted'), hex(p.geometry), "
        "d.area, d.depth "
        "FROM parcels p LEFT JOIN parcel_status s ON s.parcel = p.id "
        "LEFT JOIN (SELECT parcel, round(sum(attributed_area_m2), 2) AS area, round(max(depth_max_m), 2) AS depth "
        "           FROM donations GROUP BY parcel) d ON d.parcel = p.id"):
        # the public reads "not yet" for not contacted, persuading and declined (as hiendat's anonymous tiles)
        if status in ("not_contacted", "persuading", "declined"):
            status = "not_yet"
        out.write(f"{pid}\t{no}\t{status}\t{geom}\t{'' if area is None else area}\t{'' if depth is None else depth}\n")
x0, y0, x1, y1 = c.execute("SELECT min(min_lon), min(min_lat), max(max_lon), max(max_lat) FROM parcel_bbox").fetchone()
def tile(z, lon, lat):
    n = 2 ** z
    r = math.radians(lat)
    return int((lon + 180) / 360 * n), int((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
with open(f"{work}/tiles.sql", "w") as q:
    q.write("\\timing on\n")
    for z in (15, 16, 17):
        ax, by = tile(z, x0, y0)
        bx, ay = tile(z, x1, y1)
        mx_, my_ = tile(z, (x0 + x1) / 2, (y0 + y1) / 2)
        ts = sorted(((x, y) for x in range(ax, bx + 1) for y in range(ay, by + 1)),
                    key=lambda t: max(abs(t[0] - mx_), abs(t[1] - my_)))[:mx]
        q.write(f"\\echo zoom {z} {len(ts)}\n")
        for x, y in ts:
            q.write(
                "SELECT length(ST_AsMVT(t.*, 'parcels', 4096, 'geom')) FROM ("
                f"SELECT ST_AsMVTGeom(p.geom, ST_TileEnvelope({z},{x},{y}), 4096, 64, true) AS geom, p.id, p.status, p.parcel_no, p.donated_area_m2, p.depth_max_m "
                f"FROM tile_parcels p WHERE p.geom && ST_TileEnvelope({z},{x},{y}, margin => 64.0/4096)) t;\n")
EOF

"${PSQL[@]}" <<EOF
DROP TABLE IF EXISTS tile_parcels_in;
CREATE TABLE tile_parcels_in (id bigint, parcel_no text, status text, wkb text, donated_area_m2 float8, depth_max_m float8);
\copy tile_parcels_in FROM '$WORK/parcels.tsv' WITH (FORMAT text, NULL '')
DROP TABLE IF EXISTS tile_parcels;
CREATE TABLE tile_parcels AS
  SELECT id, nullif(parcel_no, '') AS parcel_no, status, donated_area_m2, depth_max_m,
         ST_Transform(ST_GeomFromWKB(decode(wkb, 'hex'), 4326), 3857) AS geom
  FROM tile_parcels_in;
DROP TABLE tile_parcels_in;
CREATE INDEX ON tile_parcels USING gist (geom);
ANALYZE tile_parcels;
EOF
echo "parcels in PostGIS: $("${PSQL[@]}" -c 'SELECT count(*) FROM tile_parcels')"
"${PSQL[@]}" -f "$WORK/tiles.sql" > "$WORK/out.txt"
python3 - "$WORK/out.txt" <<'EOF'
import sys
rows, z, sizes, ms = {}, None, [], []
def flush():
    if z is not None:
        t = sorted(ms)
        p = lambda q: t[round((len(t) - 1) * q)] if t else 0
        print(f"PostGIS ST_AsMVT | {z:>2} | {len(t):>5} | {p(0.5):>6.1f} | {p(0.95):>6.1f} | {t[-1] if t else 0:>6.1f} | {sum(sizes) / max(1, len(sizes)) / 1024:>7.1f} | {max(sizes, default=0) / 1024:>6.1f}")
print("peer             | z  | tiles | p50 ms | p95 ms | max ms | mean KB | max KB")
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("zoom "):
        flush(); z = int(line.split()[1]); sizes, ms = [], []
    elif line.startswith("Time: "):
        ms.append(float(line.split()[1]))
    elif line.isdigit():
        sizes.append(int(line))
    elif line == "":
        sizes.append(0)
flush()
EOF
