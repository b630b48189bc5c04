#!/usr/bin/env bash
# Surveyor formats benchmark (issue 6): export a 100k-parcel ward to each
# format, then import it back, timing each with /usr/bin/time.
#
# Usage: bench/formats.sh [--parcels 100000] [--repeat 3] [--data bench-data] [--bin PATH]
#                         [--formats "gpkg shp dxf kml geojson csv"]
#
#   export   `hiendat export --layer parcels` from a demo database with six
#            months of history (`hiendat demo --db`), one command per
#            format: read the store, project, build the layer, write the file.
#            Also gpkg and dxf with all six layers (parcels, strips,
#            corridors, centerlines, edges, stakes).
#   import   `hiendat import` of that parcels file (with the centerlines
#            exported as GeoPackage) into a new database: read, reproject to
#            WGS84 where needed, map fields, validate, measure every
#            donation, one transaction. DXF and CSV (a coordinate table)
#            state no CRS: imported with --crs EPSG:5897.
# Output: a Markdown table on stdout (median wall seconds and peak RSS);
# the runs' output in DATA/logs/formats/.
set -euo pipefail
cd "$(dirname "$0")/.."
N=100000 REPEAT=3 DATA=bench-data BIN="" FORMATS="gpkg shp dxf kml geojson csv"
while [ $# -gt 0 ]; do
  case "$1" in
    --parcels) N=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    --formats) FORMATS=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -z "$BIN" ]; then cargo build --release --quiet; BIN=target/release/hiendat; fi
LOGS="$DATA/logs/formats"
OUT="$DATA/formats$N"
mkdir -p "$LOGS" "$OUT"
DB="$DATA/api$N.db"
[ -f "$DB" ] || "$BIN" demo --parcels "$N" --db "$DB" >&2

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# timed NAME CMD...: runs CMD REPEAT times, prints "seconds MiB".
timed() {
  local name=$1; shift
  : > "$LOGS/$name.time"
  for _ in $(seq "$REPEAT"); do
    rm -f "$OUT/import.db" "$OUT/import.db-wal" "$OUT/import.db-shm"
    /usr/bin/time -f '%e %M' -a -o "$LOGS/$name.time" "$@" > "$LOGS/$name.out" 2>&1 \
      || { echo "$name failed: see $LOGS/$name.out" >&2; cat "$LOGS/$name.out" >&2; exit 1; }
  done
  echo "$(awk '{print $1}' "$LOGS/$name.time" | median) $(awk '{printf "%.0f\n", $2/1024}' "$LOGS/$name.time" | median)"
}

"$BIN" export --db "$DB" --format gpkg --layer centerlines --out "$OUT/centerlines.gpkg" 2>/dev/null

echo "| format | file | size | export s | export MiB | import s | import MiB |"
echo "|---|---|---:|---:|---:|---:|---:|"
for f in $FORMATS; do
  ext=$f; [ $f = shp ] && ext=zip
  file="$OUT/parcels.$ext"
  read -r es em < <(timed "export-$f" "$BIN" export --db "$DB" --format $f --layer parcels --personal --out "$file")
  size=$(du -m "$file" | cut -f1)
  # DXF and coordinate tables state no CRS.
  extra=(); case $f in dxf|csv) extra=(--crs EPSG:5897) ;; esac
  read -r is im < <(timed "import-$f" "$BIN" import --db "$OUT/import.db" \
    --segments "$OUT/centerlines.gpkg" --parcels "$file" "${extra[@]}")
  printf '| %s | parcels | %s MB | %.2f | %.0f | %s | %s |\n' "$f" "$size" "$es" "$em" "$is" "$im"
done
for f in gpkg dxf; do
  case " $FORMATS " in *" $f "*) ;; *) continue ;; esac
  file="$OUT/all.$f"
  read -r es em < <(timed "export-all-$f" "$BIN" export --db "$DB" --format $f \
    --layer parcels,strips,corridors,centerlines,edges,stakes --out "$file")
  size=$(du -m "$file" | cut -f1)
  printf '| %s | all six layers | %s MB | %.2f | %.0f | | |\n' "$f" "$size" "$es" "$em"
done
