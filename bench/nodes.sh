#!/usr/bin/env bash
# The cost of PostgreSQL and of a hop between nodes (docs/PERFORMANCE.md, "Several nodes"): the
# same load, RUNS times (default 3), against
#   sqlite  one node on the embedded database (the baseline, as in bench/run.sh)
#   pg      one node on PostgreSQL
#   2nodes  two nodes on PostgreSQL and NATS: visitors on node A, officers on node B, so that
#           every message crosses NATS once
# then prints the medians and the ratios to the baseline, measured in the same run.
#
#   bench/nodes.sh [RUNS]     results in bench/results/nodes-<date>/
#
# Needs PostgreSQL (PG_URL, default postgres://postgres@127.0.0.1:5432/test; a database is created
# and dropped per run, with psql) and NATS (NATS_URL, default nats://127.0.0.1:4222). Sizes:
# VISITORS (500), RATE (1000 msg/s), DURATION (15 s), RAMP_START (500), STEP_SECONDS (6).
#
# Issue 23 (docs/PERFORMANCE.md, "Issue 23 targets"): each run also measures the disk's floor for a
# commit (`ecoute-loadgen fsync`, FSYNC_ITERATIONS writes of 4 KiB + fdatasync, 2000) in PROBE_DIR
# (default: a directory made for the run under the system's temporary directory; point it at
# PostgreSQL's disk if that is another one), and each setup runs `chat` at 50 msg/s too
# (LIGHT_SECONDS, 15). The summary then gives target 3: PostgreSQL's knee against SQLite's (at
# least 0.5), two nodes' knee against one PostgreSQL node's (at least 1), the hop between nodes
# (two nodes' p50 minus one PostgreSQL node's, at most 1 ms); and target 1 for each setup (ack p50
# against the probe's p50 at 50 and 1,000 msg/s).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/test}
NATS_URL=${NATS_URL:-nats://127.0.0.1:4222}
VISITORS=${VISITORS:-500}
RATE=${RATE:-1000}
DURATION=${DURATION:-15}
RAMP_START=${RAMP_START:-500}
STEP_SECONDS=${STEP_SECONDS:-6}
LIGHT_SECONDS=${LIGHT_SECONDS:-15}
FSYNC_ITERATIONS=${FSYNC_ITERATIONS:-2000}
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

echo "building (release)"
cargo build --release --locked -p ecoute -p ecoute-loadgen
ECOUTE=$PWD/target/release/ecoute
LG=$PWD/target/release/ecoute-loadgen
OUT=${OUT:-bench/results/nodes-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
A=http://127.0.0.1:18080
B=http://127.0.0.1:18081

wait_ready() {
  for _ in $(seq 200); do curl -fs "$1/readyz" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "not ready: $1" >&2
  return 1
}

PIDS=()
stop_all() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  PIDS=()
}
trap stop_all EXIT

for run in $(seq "$RUNS"); do
  PROBE=${PROBE_DIR:-$(mktemp -d)}
  echo "== run $run/$RUNS: the disk's floor (4 KiB + fdatasync in $PROBE)"
  "$LG" fsync --data-dir "$PROBE" --iterations "$FSYNC_ITERATIONS" --json "$OUT/fsync-$run.json"
  [ -z "${PROBE_DIR:-}" ] && rm -rf "$PROBE"
  for setup in ${SETUPS:-sqlite pg 2nodes}; do
    DATA=$(mktemp -d)
    DB=""
    env=(ECOUTE_MASTER_KEY_FILE="$DATA/master.key")
    if [ "$setup" != sqlite ]; then
      DB=ecoute_bench_$$_${run}_${setup}
      psql -q "$PG_URL" -c "CREATE DATABASE $DB" >/dev/null
      env+=(ECOUTE_DATABASE_URL="${PG_URL%/*}/$DB")
    fi
    if [ "$setup" = 2nodes ]; then
      env+=(ECOUTE_NATS_URL="$NATS_URL" ECOUTE_NATS_PREFIX="bench.$$.$run")
    fi
    mkdir -p "$DATA/a" "$DATA/b"
    env "${env[@]}" "$ECOUTE" --config bench/ecoute.toml --data-dir "$DATA/a" serve \
      >"$OUT/$setup-a-$run.log" 2>&1 &
    PIDS+=($!)
    wait_ready "$A"
    OFFICERS=$A
    if [ "$setup" = 2nodes ]; then
      env "${env[@]}" ECOUTE_ADMIN_LISTEN=127.0.0.1:19465 "$ECOUTE" --config bench/ecoute.toml \
        --data-dir "$DATA/b" serve --listen 127.0.0.1:18081 >"$OUT/$setup-b-$run.log" 2>&1 &
      PIDS+=($!)
      wait_ready "$B"
      OFFICERS=$B
    fi
    common=(--url "$A" --officer-url "$OFFICERS" --metrics-url http://127.0.0.1:19464/metrics --data-dir "$DATA/a")
    echo "== run $run/$RUNS: $setup, chat at 50 msg/s"
    env "${env[@]}" "$LG" chat "${common[@]}" --visitors "$VISITORS" --rate 50 \
      --duration "$LIGHT_SECONDS" --json "$OUT/$setup-light-$run.json" || true
    echo "== run $run/$RUNS: $setup, chat at $RATE msg/s"
    env "${env[@]}" "$LG" chat "${common[@]}" --visitors "$VISITORS" --rate "$RATE" \
      --duration "$DURATION" --json "$OUT/$setup-chat-$run.json" || true
    echo "== run $run/$RUNS: $setup, ramp"
    env "${env[@]}" "$LG" ramp "${common[@]}" --visitors "$VISITORS" --rate "$RAMP_START" \
      --duration "$STEP_SECONDS" --json "$OUT/$setup-ramp-$run.json" || true
    stop_all
    if [ -n "$DB" ]; then psql -q "$PG_URL" -c "DROP DATABASE $DB WITH (FORCE)" >/dev/null; fi
    rm -rf "$DATA"
  done
done

python3 - "$OUT" <<'PY' | tee "$OUT/summary.md"
import json, pathlib, statistics, sys
out = pathlib.Path(sys.argv[1])
sys.path.insert(0, "bench")
from chart import chart
def med(setup, scenario, key):
    vals = []
    for f in sorted(out.glob(f"{setup}-{scenario}-*.json")):
        v = json.loads(f.read_text()).get(key)
        if v is not None:
            vals.append(v)
    return statistics.median(vals) if vals else None
def f(v, d=1):
    return "—" if v is None else f"{v:,.{d}f}"
rows = [("sqlite", "one node, SQLite"), ("pg", "one node, PostgreSQL"), ("2nodes", "two nodes, PostgreSQL + NATS")]
base_knee = med("sqlite", "ramp", "knee_rate")
base_p50 = med("sqlite", "chat", "p50_ms")
print("| setup | chat achieved msg/s | p50 ms | p99 ms | p99.9 ms | ack p50 ms | lost | knee msg/s | knee vs SQLite | p50 vs SQLite |")
print("|---|---|---|---|---|---|---|---|---|---|")
for key, name in rows:
    knee = med(key, "ramp", "knee_rate")
    p50 = med(key, "chat", "p50_ms")
    ratio = lambda a, b: "—" if a is None or not b else f"{a / b:.2f}"
    print(f"| {name} | {f(med(key,'chat','rate_achieved'),0)} | {f(p50,2)} | {f(med(key,'chat','p99_ms'),2)} | "
          f"{f(med(key,'chat','p999_ms'),2)} | {f(med(key,'chat','ack_p50_ms'),2)} | {f(med(key,'chat','lost'),0)} | "
          f"{f(knee,0)} | {ratio(knee, base_knee)} | {ratio(p50, base_p50)} |")

# Issue 23, target 3, from the medians above (same run).
pg_knee, two_knee = med("pg", "ramp", "knee_rate"), med("2nodes", "ramp", "knee_rate")
pg_p50, two_p50 = med("pg", "chat", "p50_ms"), med("2nodes", "chat", "p50_ms")
def verdict(ok):
    return "—" if ok is None else ("yes" if ok else "no")
print("\nIssue 23, target 3\n")
print("| figure | measured | target | met |")
print("|---|---|---|---|")
r1 = pg_knee / base_knee if pg_knee and base_knee else None
print(f"| PostgreSQL knee ÷ SQLite knee | {f(r1, 2)} | ≥ 0.5 | {verdict(None if r1 is None else r1 >= 0.5)} |")
r2 = two_knee / pg_knee if two_knee and pg_knee else None
print(f"| two nodes' knee ÷ one PostgreSQL node's | {f(r2, 2)} | ≥ 1 | {verdict(None if r2 is None else r2 >= 1)} |")
hop = two_p50 - pg_p50 if two_p50 is not None and pg_p50 is not None else None
print(f"| hop between nodes (p50, two nodes − one PostgreSQL node, at {f(med('pg', 'chat', 'rate_target'), 0)} msg/s) | {f(hop, 2)} ms | ≤ 1 ms | {verdict(None if hop is None else hop <= 1)} |")

# Issue 23, target 1 for each setup: ack p50 against the disk's floor (median of the runs' probes).
probes = [json.loads(p.read_text())["p50_ms"] for p in sorted(out.glob("fsync-*.json"))]
floor = statistics.median(probes) if probes else None
print(f"\nIssue 23, target 1: fdatasync p50 {f(floor, 3)} ms (median of the runs' probes)\n")
print("| setup | ack p50 at 50 msg/s | ÷ fdatasync | delivery − ack | ack p50 at 1,000 msg/s | ÷ fdatasync | delivery − ack |")
print("|---|---|---|---|---|---|---|")
for key, name in rows:
    cells = []
    for scenario in ["light", "chat"]:
        ack, p50 = med(key, scenario, "ack_p50_ms"), med(key, scenario, "p50_ms")
        cells += [f(ack, 2), "—" if ack is None or not floor else f"{ack / floor:.1f}",
                  "—" if ack is None or p50 is None else f"{p50 - ack:.2f}"]
    print(f"| {name} | " + " | ".join(cells) + " |")

# Latency against rate for each backend, from the first run's ramps.
def steps(setup):
    found = sorted(out.glob(f"{setup}-ramp-*.json"))
    return json.loads(found[0].read_text()).get("steps", []) if found else []
colours = {"sqlite": "#1f4e79", "pg": "#2e7d32", "2nodes": "#b35c00"}
series = []
for key, name in rows:
    series += [(f"{key} p99", steps(key), "p99_ms", colours[key]), (f"{key} p50", steps(key), "p50_ms", colours[key])]
chart(series, out / "latency-vs-rate-backends.svg")
print(f"\nchart: {out / 'latency-vs-rate-backends.svg'}")
PY
