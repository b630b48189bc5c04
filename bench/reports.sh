#!/usr/bin/env bash
# Reports benchmark (issue 5): the full report set (every cut: segment,
# group, cell, member, lagging, commendation; a period with what changed in
# it) for a 100k-parcel ward whose event log holds 500k events, written as
# xlsx, HTML and CSV, each by one `hiendat report` command (open the store,
# read every parcel, household, donation, structure, event, assignment and
# contact, replay two dates, build the sheets, write the file).
#
# Usage: bench/reports.sh [--parcels 100000] [--events 500000] [--repeat 3] [--data bench-data] [--bin PATH]
#
# The demo ward (`hiendat demo --db`) has about 2.3 events per parcel. The
# log is padded to --events with corrections, as data entry makes them:
# each pads one event with a correction that restates it (same parcel,
# status and date, entered a day later), then corrections of corrections,
# so every status and date stays what it was while the log, and the replay
# that must void what was corrected, grows. Needs the sqlite3 shell.
# Output: a Markdown table on stdout (median wall seconds, peak RSS).
set -euo pipefail
cd "$(dirname "$0")/.."
N=100000 EVENTS=500000 REPEAT=3 DATA=bench-data BIN=""
while [ $# -gt 0 ]; do
  case "$1" in
    --parcels) N=$2; shift 2 ;;
    --events) EVENTS=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 shell (apt-get install sqlite3)" >&2; exit 2; }
if [ -z "$BIN" ]; then cargo build --release --quiet; BIN=target/release/hiendat; fi
LOGS="$DATA/logs/reports"
mkdir -p "$LOGS"
DB="$DATA/reports$N-$EVENTS.db"
if [ ! -f "$DB" ]; then
  rm -f "$DB.tmp"
  "$BIN" demo --parcels "$N" --db "$DB.tmp" >&2
  have=$(sqlite3 "$DB.tmp" "SELECT count(*) FROM events")
  # corrections restating events, then corrections of those (which restore
  # the originals), until the log holds EVENTS
  sqlite3 "$DB.tmp" <<SQL
BEGIN;
INSERT INTO events (parcel, status, occurred_on, entered_at, entered_by, party_member, note, corrects)
  SELECT parcel, status, occurred_on,
         strftime('%Y-%m-%dT%H:%M:%f', entered_at, '+1 day') || '000Z',
         entered_by, party_member, 'nhập lại / re-entered', id
  FROM events WHERE corrects IS NULL ORDER BY id LIMIT max(0, $EVENTS - $have);
INSERT INTO events (parcel, status, occurred_on, entered_at, entered_by, party_member, note, corrects)
  SELECT parcel, status, occurred_on,
         strftime('%Y-%m-%dT%H:%M:%f', entered_at, '+1 day') || '000Z',
         entered_by, party_member, 'hủy đính chính / correction withdrawn', id
  FROM events WHERE corrects IS NOT NULL ORDER BY id
  LIMIT max(0, $EVENTS - (SELECT count(*) FROM events));
COMMIT;
SQL
  mv "$DB.tmp" "$DB"
fi
echo "events in the log: $(sqlite3 "$DB" "SELECT count(*) FROM events"), parcels: $(sqlite3 "$DB" "SELECT count(*) FROM parcels")" >&2

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

timed() {
  local name=$1; shift
  : > "$LOGS/$name.time"
  for _ in $(seq "$REPEAT"); do
    /usr/bin/time -f '%e %M' -a -o "$LOGS/$name.time" "$@" > "$LOGS/$name.out" 2>&1 \
      || { echo "$name failed: see $LOGS/$name.out" >&2; cat "$LOGS/$name.out" >&2; exit 1; }
  done
  echo "$(awk '{print $1}' "$LOGS/$name.time" | median) $(awk '{printf "%.0f\n", $2/1024}' "$LOGS/$name.time" | median)"
}

AS_OF=$(sqlite3 "$DB" "SELECT max(occurred_on) FROM events")
FROM=$(date -d "$AS_OF -30 days" +%F)
echo "| report | format | file size | seconds | MiB |"
echo "|---|---|---:|---:|---:|"
for f in xlsx html csv; do
  out="$LOGS/all.$f"
  read -r sec mib < <(timed "all-$f" "$BIN" report --db "$DB" --by all --as-of "$AS_OF" --from "$FROM" --format "$f" --out "$out")
  [ -f "$out" ] || out="${out%.*}.zip"
  size=$(du -h "$LOGS"/all.* 2>/dev/null | awk -v f="all.$f" '$2 ~ f {print $1}' | head -1)
  echo "| all cuts, $FROM – $AS_OF | $f | ${size:-?} | $sec | $mib |"
done
read -r sec mib < <(timed "group-xlsx" "$BIN" report --db "$DB" --by group --as-of "$AS_OF" --format xlsx --out "$LOGS/group.xlsx")
echo "| by group, $AS_OF | xlsx | $(du -h "$LOGS/group.xlsx" | cut -f1) | $sec | $mib |"
