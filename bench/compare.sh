#!/usr/bin/env bash
# Side-by-side whole-process benchmark: `hiendat compute` against the peers in
# ../shared/bench (shapely 2 + STRtree, and PostGIS), on generated wards,
# all in the same run, plus an agreement check pair by pair.
#
# Usage:
#   bench/compare.sh [--sizes 10000,100000,1000000] [--repeat 3] [--data /tmp/benchdata]
#                    [--skip-postgis] [--skip-shapely] [--skip-hiendat]
#                    [--bin PATH] [--threads 2] [--md /tmp/bench-results.md]
#
#   --sizes      parcel counts, comma separated (default 10000,100000,1000000)
#   --repeat     runs per tool: the peers' --repeat, and how many times the hiendat
#                process is started (default 3); every figure is the median of these
#   --data       where the wards live: DATA/nN/{segments,parcels}.geojson; missing
#                wards are generated with gen_ward.py --parcels N --seed 1 (1M takes
#                minutes). Must be writable: the peers write their CSV/JSON there.
#   --threads    shapely's --threads and PostGIS's --parallel (default 2)
#   --skip-*     leave a tool out (its columns read "—")
#   --bin PATH   use this hiendat binary instead of building one (no cargo build)
#   --md PATH    also write the Markdown report here (default /tmp/bench-results.md)
#
# What runs, per size, one tool after the other (never in parallel):
#   shapely   $PY peer_shapely.py --data D --threads T --repeat R
#             -> D/shapely_tT.csv, D/shapely_tT.json (compute_s_median, read_s, ...)
#   PostGIS   peer_postgis.sh run D --parallel T --repeat R
#             -> D/postgis_pT.csv, D/postgis_pT.json (compute_s_median, load_s, ...)
#   hiendat   target/release/hiendat compute --segments D/segments.geojson
#               --parcels D/parcels.geojson --out D/hiendat.csv --timings      (R times)
#             its stderr lines `<phase> <seconds> s` are parsed, median per phase
# Each process runs under /usr/bin/time -f '%e %M' (wall seconds, peak RSS KiB).
# For PostGIS that is the Python client only: the server's memory is not counted.
# Agreement (compare.py, tol 0.01 m2): hiendat.csv against shapely_tT.csv (or
# postgis_pT.csv with --skip-shapely), and the two peers against each other.
# hiendat.csv is cut to parcel_id,segment_id,area first only if its columns are
# not in compare.py's order. Logs (stderr, /usr/bin/time, compare output, load
# average) go to D/logs/, emptied at the start of each size.
#
# Output: a Markdown report on stdout and in --md; progress on stderr.
# Ratio = (faster peer's compute median) / (hiendat compute-phase median):
# above 1 means hiendat's compute phase is faster.
#
# Needs (once per machine, see ../shared/bench/README.md):
#   python3 -m venv /tmp/benchenv && /tmp/benchenv/bin/pip install -r ../shared/bench/requirements.txt
#   ../shared/bench/peer_postgis.sh install && ../shared/bench/peer_postgis.sh start
#   (this script runs `peer_postgis.sh start` itself, which is a no-op when running;
#    stop the cluster with ../shared/bench/peer_postgis.sh stop)
# Environment: BENCH_PY (default /tmp/benchenv/bin/python), BENCH_PEERS (default
# ../shared/bench), CARGO_TARGET_DIR (honoured when locating the binary).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
PEERS="${BENCH_PEERS:-$(cd "$REPO/../shared/bench" && pwd)}"
PY="${BENCH_PY:-/tmp/benchenv/bin/python}"

sizes="10000,100000,1000000"
repeat=3
data=/tmp/benchdata
threads=2
skip_pg=0 skip_shapely=0 skip_hiendat=0
bin=""
md=/tmp/bench-results.md
cmdline="bench/compare.sh $*"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --skip-postgis) skip_pg=1; shift ;;
    --skip-shapely) skip_shapely=1; shift ;;
    --skip-hiendat) skip_hiendat=1; shift ;;
    --bin) bin="$2"; shift 2 ;;
    --md) md="$2"; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage 2 >&2 ;;
  esac
done
[[ "$repeat" =~ ^[1-9][0-9]*$ ]] || { echo "--repeat must be a positive integer" >&2; exit 2; }
[[ "$threads" =~ ^[1-9][0-9]*$ ]] || { echo "--threads must be a positive integer" >&2; exit 2; }
[[ "$sizes" =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "--sizes must be like 10000,100000" >&2; exit 2; }
mkdir -p "$data"; data="$(cd "$data" && pwd)"

log() { printf '[compare.sh %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- checks ---
[ -x /usr/bin/time ] || {
  log "/usr/bin/time missing: installing Debian 'time'"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends time >&2 \
    || die "cannot install 'time' (apt-get install time)"
}
[ -x "$PY" ] || die "no $PY: python3 -m venv /tmp/benchenv && /tmp/benchenv/bin/pip install -r $PEERS/requirements.txt"
"$PY" -c 'import shapely, pyproj, numpy' 2>/dev/null || die "$PY lacks shapely/pyproj/numpy (pip install -r $PEERS/requirements.txt)"

if [ "$skip_pg" = 0 ]; then
  command -v ogr2ogr >/dev/null && ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 \
    || die "PostGIS not installed: $PEERS/peer_postgis.sh install (or pass --skip-postgis)"
  "$PY" -c 'import psycopg2' 2>/dev/null || die "$PY lacks psycopg2"
  "$PEERS/peer_postgis.sh" start >&2 || die "cannot start the PostGIS cluster"
fi

if [ "$skip_hiendat" = 0 ]; then
  if [ -z "$bin" ]; then
    log "cargo build --release (in $REPO)"
    (cd "$REPO" && cargo build --release >&2) || die "cargo build --release failed (or pass --skip-hiendat / --bin PATH)"
    bin="${CARGO_TARGET_DIR:-$REPO/target}/release/hiendat"
    case "$bin" in /*) ;; *) bin="$REPO/$bin" ;; esac
  fi
  [ -x "$bin" ] || die "no hiendat binary at $bin"
  "$bin" compute --help >/dev/null 2>&1 \
    || die "'$bin compute --help' fails: this hiendat has no compute command yet (pass --skip-hiendat)"
fi
hiendat_rev="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')"
if [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  hiendat_rev="$hiendat_rev+dirty"
fi

shapely_tag="shapely"; [ "$threads" -gt 1 ] && shapely_tag="shapely_t$threads"
pg_tag="postgis_p$threads"

# median of 3 whole-process runs etc. are computed in the report step below;
# here we only run things and keep the raw files.
run_timed() {  # run_timed TIMEFILE ERRFILE cmd... : wall+RSS into TIMEFILE, stderr into ERRFILE
  local tf="$1" ef="$2"; shift 2
  local rc=0
  /usr/bin/time -f '%e %M' -o "$tf" "$@" 2>"$ef" || rc=$?
  return $rc
}

IFS=, read -r -a size_list <<<"$sizes"
for n in "${size_list[@]}"; do
  d="$data/n$n"
  if [ ! -s "$d/segments.geojson" ] || [ ! -s "$d/parcels.geojson" ]; then
    log "generating $d ($n parcels, seed 1)"
    "$PY" "$PEERS/gen_ward.py" --parcels "$n" --seed 1 --out "$d" >&2 || die "gen_ward.py failed for $n"
  fi
  [ -w "$d" ] || die "$d is not writable (the peers write their outputs there)"
  rm -rf "$d/logs"; mkdir -p "$d/logs"
  L="$d/logs"
  cut -d' ' -f1-3 /proc/loadavg >"$L/loadavg.start"

  if [ "$skip_shapely" = 0 ]; then
    log "n=$n shapely --threads $threads --repeat $repeat"
    rm -f "$d/$shapely_tag.json"
    run_timed "$L/shapely.time" "$L/shapely.err" \
      "$PY" "$PEERS/peer_shapely.py" --data "$d" --threads "$threads" --repeat "$repeat" \
      || { cat "$L/shapely.err" >&2; die "shapely peer failed on $d"; }
    tail -1 "$L/shapely.err" >&2
  fi

  if [ "$skip_pg" = 0 ]; then
    log "n=$n PostGIS --parallel $threads --repeat $repeat"
    rm -f "$d/$pg_tag.json"
    run_timed "$L/postgis.time" "$L/postgis.err" \
      "$PEERS/peer_postgis.sh" run "$d" --parallel "$threads" --repeat "$repeat" \
      || { cat "$L/postgis.err" >&2; die "PostGIS peer failed on $d"; }
    tail -1 "$L/postgis.err" >&2
  fi

  if [ "$skip_hiendat" = 0 ]; then
    rm -f "$d/hiendat.csv"
    for k in $(seq 1 "$repeat"); do
      log "n=$n hiendat compute, run $k/$repeat"
      run_timed "$L/hiendat.$k.time" "$L/hiendat.$k.err" \
        "$bin" compute --segments "$d/segments.geojson" --parcels "$d/parcels.geojson" \
        --out "$d/hiendat.csv" --timings \
        || { tail -20 "$L/hiendat.$k.err" >&2; die "hiendat compute failed on $d (run $k)"; }
      log "  $(tr '\n' ' ' <"$L/hiendat.$k.time")(wall s, peak KiB)"
    done
  fi

  cut -d' ' -f1-3 /proc/loadavg >"$L/loadavg.end"

  # -------------------------------------------------------- agreement ---
  ref=""
  [ "$skip_shapely" = 0 ] && ref="$d/$shapely_tag.csv"
  [ -z "$ref" ] && [ "$skip_pg" = 0 ] && ref="$d/$pg_tag.csv"
  if [ -n "$ref" ] && [ "$skip_hiendat" = 0 ]; then
    # compare.py reads parcel_id,segment_id,<area> as the first three columns (extra
    # columns ignored): cut hiendat.csv to that only when its columns are elsewhere
    hcsv="$("$PY" - "$d/hiendat.csv" "$L/hiendat_cut.csv" <<'PYEOF'
import csv, sys
src, dst = sys.argv[1:3]
AREAS = ("area_in_corridor_m2", "donated_area_m2")
with open(src, newline="") as f:
    rd = csv.reader(f)
    head = [h.strip() for h in next(rd)]
    area = next((c for c in AREAS if c in head), None)
    if "parcel_id" not in head or "segment_id" not in head or area is None:
        sys.exit("hiendat.csv header %r: need parcel_id, segment_id and an area column" % head)
    if head[:2] == ["parcel_id", "segment_id"] and head[2] in AREAS:
        print("hiendat.csv columns: %s (compared as is)" % ",".join(head), file=sys.stderr)
        print(src)
        sys.exit(0)
    ip, is_, ia = head.index("parcel_id"), head.index("segment_id"), head.index(area)
    with open(dst, "w", newline="") as g:
        w = csv.writer(g, lineterminator="\n")
        w.writerow(["parcel_id", "segment_id", "area_in_corridor_m2"])
        for row in rd:
            w.writerow([row[ip], row[is_], row[ia]])
print("hiendat.csv columns: %s (cut to parcel_id,segment_id,%s)" % (",".join(head), area), file=sys.stderr)
print(dst)
PYEOF
)" || die "cannot read the columns of $d/hiendat.csv"
    echo "$hcsv" >"$L/hiendat_compared_file"
    log "n=$n compare hiendat vs $(basename "$ref")"
    "$PY" "$PEERS/compare.py" "$hcsv" "$ref" --json "$L/cmp_hiendat.json" \
      >"$L/cmp_hiendat.txt" 2>&1 || true
    cat "$L/cmp_hiendat.txt" >&2
  fi
  if [ "$skip_shapely" = 0 ] && [ "$skip_pg" = 0 ]; then
    log "n=$n compare $pg_tag vs $shapely_tag"
    "$PY" "$PEERS/compare.py" "$d/$pg_tag.csv" "$d/$shapely_tag.csv" --json "$L/cmp_peers.json" \
      >"$L/cmp_peers.txt" 2>&1 || true
    tail -1 "$L/cmp_peers.txt" >&2
  fi
done

# ---------------------------------------------------------------- report ---
"$PY" - "$data" "$sizes" "$repeat" "$threads" "$skip_shapely" "$skip_pg" "$skip_hiendat" \
  "$shapely_tag" "$pg_tag" "$hiendat_rev" "$cmdline" "${bin:-}" >"$md.tmp" <<'EOF'
import json, os, platform, re, statistics, subprocess, sys, time

(data, sizes, repeat, threads, skip_sh, skip_pg, skip_hd,
 sh_tag, pg_tag, rev, cmdline, hbin) = sys.argv[1:]
sizes = [int(s) for s in sizes.split(",")]
repeat, threads = int(repeat), int(threads)
skip_sh, skip_pg, skip_hd = skip_sh == "1", skip_pg == "1", skip_hd == "1"
DASH = "—"
PHASE = re.compile(r"^\s*([A-Za-z_][\w-]*)\s+([0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?)\s*s\s*$")


def jload(p):
    with open(p) as f:
        return json.load(f)


def timefile(p):
    # /usr/bin/time -o: last line "WALL_S MAXRSS_KIB" (a "Command exited ..." line may precede)
    with open(p) as f:
        lines = [l.split() for l in f if l.strip()]
    wall, rss = lines[-1][:2]
    return float(wall), int(rss)


def f3(x):
    if x is None:
        return DASH
    return "%.3f" % x if x < 10 else "%.2f" % x if x < 100 else "%.1f" % x


def mib(kib):
    return DASH if kib is None else "%.0f" % (kib / 1024.0)


rows, phase_rows, peer_rows, notes = [], [], [], []
phase_names = []
versions = {}
for n in sizes:
    d = os.path.join(data, "n%d" % n)
    L = os.path.join(d, "logs")
    r = {"n": n}
    man = os.path.join(d, "manifest.json")
    r["segments"] = jload(man).get("segments") if os.path.exists(man) else None
    if not skip_sh:
        sj = jload(os.path.join(d, sh_tag + ".json"))
        r["sh"] = sj
        r["sh_wall"], r["sh_rss"] = timefile(os.path.join(L, "shapely.time"))
        versions["shapely"] = "shapely %(shapely)s, GEOS %(geos)s, numpy %(numpy)s, pyproj %(pyproj)s (PROJ %(proj)s), Python %(python)s" % sj["versions"]
    if not skip_pg:
        pj = jload(os.path.join(d, pg_tag + ".json"))
        r["pg"] = pj
        r["pg_wall"], r["pg_rss"] = timefile(os.path.join(L, "postgis.time"))
        v = pj.get("versions") or ["", ""]
        versions["postgis"] = "%s; %s" % (v[0].split(" on ")[0], " ".join(v[1].split()[:2]))
    if not skip_hd:
        walls, rsss, phases = [], [], {}
        for k in range(1, repeat + 1):
            w, m = timefile(os.path.join(L, "hiendat.%d.time" % k))
            walls.append(w)
            rsss.append(m)
            with open(os.path.join(L, "hiendat.%d.err" % k)) as f:
                for line in f:
                    mt = PHASE.match(line)
                    if mt:
                        name = mt.group(1)
                        phases.setdefault(name, []).append(float(mt.group(2)))
                        if name not in phase_names:
                            phase_names.append(name)
        r["hd_wall"] = statistics.median(walls)
        r["hd_rss"] = max(rsss)
        r["hd_phases"] = {k: statistics.median(v) for k, v in phases.items()}
        if "compute" not in phases:
            notes.append("n=%d: hiendat printed no `compute <s> s` line on stderr (see %s/hiendat.1.err)" % (n, L))
        for k, v in phases.items():
            if len(v) != repeat:
                notes.append("n=%d: hiendat phase %r seen %d times in %d runs" % (n, k, len(v), repeat))
        cp = os.path.join(L, "cmp_hiendat.json")
        r["cmp"] = jload(cp) if os.path.exists(cp) else None
        cf = os.path.join(L, "hiendat_compared_file")
        if os.path.exists(cf):
            with open(open(cf).read().strip()) as f:
                r["hd_pairs"] = sum(1 for _ in f) - 1
    try:
        r["load"] = "%s → %s" % (open(os.path.join(L, "loadavg.start")).read().strip(),
                                 open(os.path.join(L, "loadavg.end")).read().strip())
    except OSError:
        r["load"] = None
    cp = os.path.join(L, "cmp_peers.json")
    r["cmp_peers"] = jload(cp) if os.path.exists(cp) and not (skip_sh or skip_pg) else None
    rows.append(r)

out = []
P = out.append
P("# hiendat compute vs peers — %s" % time.strftime("%Y-%m-%d %H:%M"))
P("")
cpu = ""
try:
    cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
except Exception:
    pass
P("- machine: %s, %d cores (`nproc`), %s; other work may share it" % (cpu or platform.machine(), os.cpu_count(), platform.platform()))
P("- command: `%s`" % cmdline)
P("- every figure is the median of %d runs in this one invocation; peak RSS is the max over runs (`/usr/bin/time %%M`)" % repeat)
P("- shapely: " + ("skipped" if skip_sh else "`peer_shapely.py --threads %d --repeat %d`; %s" % (threads, repeat, versions.get("shapely", "?"))))
P("- PostGIS: " + ("skipped" if skip_pg else "`peer_postgis.sh run D --parallel %d --repeat %d`; %s" % (threads, repeat, versions.get("postgis", "?"))))
if skip_hd:
    P("- hiendat: skipped")
else:
    P("- hiendat: `%s compute --segments D/segments.geojson --parcels D/parcels.geojson --out D/hiendat.csv --timings`, git %s" % (hbin, rev))
P("- what \"compute\" covers: shapely = buffer corridors + STRtree query + intersection areas (STRtree build is its \"index\" step); "
  "PostGIS = ST_Buffer table + GiST join with ST_Area(ST_Intersection) (GiST build is its \"index\" step); "
  "hiendat = its `compute` phase as printed by `--timings` (corridors, candidate search, clipping, and also frontage/depth and totals). "
  "Pairs: the peers keep area > 0, hiendat area > 1e-4 m², so tiny slivers may show as only-in-peer.")
P("- ratio = faster peer's compute median / hiendat's compute-phase median (> 1: hiendat faster). "
  "Whole process = wall time of the hiendat process (read + validate + project + compute + write + start-up).")
P("")
P("| parcels | segments | pairs | shapely compute s | PostGIS compute s | hiendat compute s | ratio | "
  "hiendat whole process s | hiendat peak RSS MiB | shapely read s | shapely whole process s | shapely peak RSS MiB | agreement (hiendat vs %s) |"
  % (sh_tag if not skip_sh else pg_tag))
P("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
for r in rows:
    sh, pg = r.get("sh"), r.get("pg")
    pairs = (sh or pg or {}).get("pairs_positive", r.get("hd_pairs"))
    shc = sh["compute_s_median"] if sh else None
    pgc = pg["compute_s_median"] if pg else None
    hdc = (r.get("hd_phases") or {}).get("compute")
    peers = [x for x in (shc, pgc) if x is not None]
    ratio = "%.2f" % (min(peers) / hdc) if peers and hdc else DASH
    c = r.get("cmp")
    if c is None:
        agree = DASH
    else:
        agree = ("%s: %s hiendat rows, max \\|Δ\\| %.1e m², only in hiendat %d (max %.1g m²), only in peer %d (max %.1g m²)"
                 % ("AGREE" if c["agree"] else "**DISAGREE**", "{:,}".format(c["rows_a"]), c["max_abs_diff_m2"],
                    c["only_in_a"], c["only_in_a_max_area"], c["only_in_b"], c["only_in_b_max_area"]))
    P("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
        "{:,}".format(r["n"]), "{:,}".format(r["segments"]) if r["segments"] else DASH,
        "{:,}".format(pairs) if pairs is not None else DASH,
        f3(shc), f3(pgc), f3(hdc), ratio, f3(r.get("hd_wall")), mib(r.get("hd_rss")),
        f3(sh["read_s"]) if sh else DASH, f3(r.get("sh_wall")), mib(r.get("sh_rss")), agree))

if not skip_hd and phase_names:
    P("")
    P("hiendat phases (`--timings`, median of %d, seconds):" % repeat)
    P("")
    P("| parcels | " + " | ".join(phase_names) + " | sum of phases | whole process |")
    P("|---:|" + "---:|" * (len(phase_names) + 2))
    for r in rows:
        ph = r.get("hd_phases") or {}
        P("| %s | %s | %s | %s |" % ("{:,}".format(r["n"]), " | ".join(f3(ph.get(k)) for k in phase_names),
                                     f3(sum(ph.values()) if ph else None), f3(r.get("hd_wall"))))

if not (skip_sh and skip_pg):
    P("")
    P("peers, other steps (seconds; compute is the median of %d, the rest run once):" % repeat)
    P("")
    P("| parcels | shapely read | transform | index | compute (min) | export | whole process | "
      "PostGIS load (ogr2ogr) | transform | index | compute (min) | export | client process | PostGIS vs shapely |")
    P("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        sh, pg = r.get("sh") or {}, r.get("pg") or {}
        cpp = r.get("cmp_peers")
        ag = DASH if cpp is None else "%s, max \\|Δ\\| %.1e m²" % ("AGREE" if cpp["agree"] else "**DISAGREE**", cpp["max_abs_diff_m2"])
        P("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            "{:,}".format(r["n"]),
            f3(sh.get("read_s")), f3(sh.get("transform_s")), f3(sh.get("index_s")),
            f3(sh.get("compute_s_min")), f3(sh.get("export_s")), f3(r.get("sh_wall")),
            f3(pg.get("load_s")), f3(pg.get("transform_s")), f3(pg.get("index_s")),
            f3(pg.get("compute_s_min")), f3(pg.get("export_s")), f3(r.get("pg_wall")), ag))

P("")
P("load average (1, 5, 15 min) before → after each size's runs: " +
  "; ".join("%s: %s" % ("{:,}".format(r["n"]), r["load"] or DASH) for r in rows) +
  " (2 cores: above ~2 means other work competed with the benchmark)")
if notes:
    P("")
    for x in notes:
        P("- note: " + x)
print("\n".join(out))
EOF
mv "$md.tmp" "$md"
cat "$md"
log "report written to $md"
