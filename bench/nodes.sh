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
  for setup in sqlite pg 2nodes; do
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
    echo "== run $run/$RUNS: $setup, chat at $RATE msg/s"
    env "${env[@]}" "$LG" chat "${common[@]}" --visitors "$VISITORS" --rate "$RATE" \
      --duration "$DURATION" --json "$OUT/$setup-chat-$run.json" || true
    echo "== run $run/$RUNS: $setup, ramp"
    env "${env[@]}" "$LG" ramp "${common[@]}" --visitors "$VISITORS" --rate "$RAMP_START" \
      --duration "$STEP_SECONDS" --json "$OUT/$setup-ramp-$run.json" || true
    stop_all
    [ -n "$DB" ] && psql -q "$PG_URL" -c "DROP DATABASE $DB WITH (FORCE)" >/dev/null
    rm -rf "$DATA"
  done
done

python3 - "$OUT" <<'PY' | tee "$OUT/summary.md"
import json, pathlib, statistics, sys
out = pathlib.Path(sys.argv[1])
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
PY
