#!/usr/bin/env bash
# Reruns the benchmarks of docs/PERFORMANCE.md: each scenario RUNS times (default 3) against a
# release build on a fresh data directory, the bare relay in the same run, then prints the
# medians and the ratios to the relay.
#
#   bench/run.sh [RUNS]            results in bench/results/<date>/ (JSON per run, summary.md)
#
# Sizes can be changed with environment variables: IDLE_VISITORS (15000), CHAT_VISITORS (1000),
# CHAT_RATE (5000), CHAT_SECONDS (30), RAMP_START (2000), STEP_SECONDS (10), STORM_RATE (1000),
# STORM_SECONDS (3). SKIP="idle storm" leaves scenarios out. Each run also measures `chat` without
# receipts (`--no-marks`, as the generator did before), `idle` on a fresh server of its own, and
# the storm twice: on the main server, where every start hashes its own return code, and on a
# second one whose stock of codes hashed ahead is full.
#
# Issue 23, target 1 (docs/PERFORMANCE.md, "Issue 23 targets"): each run first measures the disk's
# floor for a commit in the server's data directory (`ecoute-loadgen fsync`: 4 KiB written then
# fdatasync'ed, FSYNC_ITERATIONS times, 2000), then two light loads with LIGHT_VISITORS (500)
# visitors and LIGHT_OFFICERS (50) officers for LIGHT_SECONDS (15) each: `light-50` at 50 msg/s and
# `light-1000` at 1,000 msg/s. The summary sets their ack p50 against the probe's p50 of the same
# run (target: at most 4×) and their delivery p50 against their ack p50 (target: at most 0.3 ms
# above). The probe also runs at each light load's pace (`--interval-ms 20` and `1`: 500 and 3,000
# writes), because an idle disk answers several times more slowly than a busy one, and the summary
# gives the ratio to that floor too. SKIP="light" leaves them out. DATA_PARENT (default: the system's temporary directory)
# chooses the disk the data directories, and so the probe, are on.
#
# SKIP="chat" leaves out `unloaded`, `chat` and `chat-no-marks`; SKIP="relay" the relay.
# BASELINE_ECOUTE=/path/to/an/older/ecoute: each run then also measures that build, on a fresh
# server of its own, with the light loads and the ramp (baseline-light-*, baseline-ramp-*): the
# summary sets this build's knee against it, in the same run (issue 23, target 1).
#
# Issue 23, target 2: after each run's ramp, `overload` on the same server at twice that ramp's
# knee (`knee_rate` in ramp-RUN.json; skipped, with a message, when the ramp found none) for
# OVERLOAD_SECONDS (20), with CHAT_VISITORS visitors, between 10 s before and 15 s after at
# 1,000 msg/s (the generator's defaults); report in overload-RUN.json. SKIP="overload" leaves it
# out.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
IDLE_VISITORS=${IDLE_VISITORS:-15000}
CHAT_VISITORS=${CHAT_VISITORS:-1000}
CHAT_RATE=${CHAT_RATE:-5000}
CHAT_SECONDS=${CHAT_SECONDS:-30}
RAMP_START=${RAMP_START:-2000}
STEP_SECONDS=${STEP_SECONDS:-10}
STORM_RATE=${STORM_RATE:-1000}
STORM_SECONDS=${STORM_SECONDS:-3}
LIGHT_VISITORS=${LIGHT_VISITORS:-500}
LIGHT_OFFICERS=${LIGHT_OFFICERS:-50}
LIGHT_SECONDS=${LIGHT_SECONDS:-15}
FSYNC_ITERATIONS=${FSYNC_ITERATIONS:-2000}
OVERLOAD_SECONDS=${OVERLOAD_SECONDS:-20}

# Many sockets on both sides of loopback.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

echo "building (release)"
cargo build --release --locked -p ecoute -p ecoute-loadgen
ECOUTE=./target/release/ecoute
LG=./target/release/ecoute-loadgen
OUT=${OUT:-bench/results/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
URL=http://127.0.0.1:18080
METRICS=http://127.0.0.1:19464/metrics
common=(--url "$URL" --metrics-url "$METRICS")
skip() { [[ " ${SKIP:-} " == *" $1 "* ]]; }

# A server on the data directory $DATA (made by the caller), logging to $1, with the config
# $2 (bench/ecoute.toml by default); stopped, and $DATA removed, by stop_server.
start_server() {
  "$ECOUTE" --config "${2:-bench/ecoute.toml}" --data-dir "$DATA" >"$1" 2>&1 &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null || true' EXIT
  for _ in $(seq 100); do curl -fs "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
}
stop_server() {
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
  trap - EXIT
  rm -rf "$DATA"
}

newdata() { mktemp -d ${DATA_PARENT:+-p "$DATA_PARENT"}; }

for run in $(seq "${FIRST_RUN:-1}" "$RUNS"); do
  DATA=$(newdata)
  echo "== run $run/$RUNS: the disk's floor (4 KiB + fdatasync in the data directory)"
  "$LG" fsync --data-dir "$DATA" --iterations "$FSYNC_ITERATIONS" --json "$OUT/fsync-$run.json"
  if ! skip light; then
    # The same, at the pace of each light load's commits: an idle disk answers more slowly.
    echo "== run $run/$RUNS: the disk's floor at 50 and 1,000 commits a second"
    "$LG" fsync --data-dir "$DATA" --iterations 500 --interval-ms 20 --json "$OUT/fsync-paced-50-$run.json"
    "$LG" fsync --data-dir "$DATA" --iterations 3000 --interval-ms 1 --json "$OUT/fsync-paced-1000-$run.json"
  fi
  start_server "$OUT/server-$run.log"
  if ! skip light; then
    for rate in 50 1000; do
      echo "== run $run/$RUNS: light load, $rate msg/s"
      "$LG" chat "${common[@]}" --data-dir "$DATA" --visitors "$LIGHT_VISITORS" --officers "$LIGHT_OFFICERS" \
        --rate "$rate" --duration "$LIGHT_SECONDS" --json "$OUT/light-$rate-$run.json" || true
    done
  fi
  if ! skip chat; then
    echo "== run $run/$RUNS: unloaded"
    "$LG" chat "${common[@]}" --data-dir "$DATA" --visitors 20 --rate 50 --duration 10 --json "$OUT/unloaded-$run.json"
    echo "== run $run/$RUNS: chat"
    "$LG" chat "${common[@]}" --data-dir "$DATA" --visitors "$CHAT_VISITORS" --rate "$CHAT_RATE" --duration "$CHAT_SECONDS" --json "$OUT/chat-$run.json" || true
    echo "== run $run/$RUNS: chat without receipts"
    "$LG" chat "${common[@]}" --data-dir "$DATA" --visitors "$CHAT_VISITORS" --rate "$CHAT_RATE" --duration "$CHAT_SECONDS" --no-marks --json "$OUT/chat-no-marks-$run.json" || true
  fi
  echo "== run $run/$RUNS: ramp"
  "$LG" ramp "${common[@]}" --data-dir "$DATA" --visitors "$CHAT_VISITORS" --rate "$RAMP_START" --duration "$STEP_SECONDS" --json "$OUT/ramp-$run.json" || true
  if ! skip overload; then
    # Twice this run's knee; nothing to read when the ramp wrote no report or found no knee.
    OVERLOAD_RATE=$(python3 -c '
import json, sys
knee = json.load(open(sys.argv[1])).get("knee_rate")
print(round(2 * knee) if knee else "")' "$OUT/ramp-$run.json" 2>/dev/null) || OVERLOAD_RATE=""
    if [[ -n "$OVERLOAD_RATE" ]]; then
      # The ramp ends on steps that failed: a pause, so that the baseline before the overload
      # does not measure a server still catching up.
      sleep 5
      echo "== run $run/$RUNS: overload at $OVERLOAD_RATE msg/s (twice the ramp's knee)"
      "$LG" overload "${common[@]}" --data-dir "$DATA" --visitors "$CHAT_VISITORS" --rate "$OVERLOAD_RATE" --duration "$OVERLOAD_SECONDS" --json "$OUT/overload-$run.json" || true
    else
      echo "== run $run/$RUNS: overload skipped: no knee_rate in $OUT/ramp-$run.json"
    fi
  fi
  if ! skip relay; then
    echo "== run $run/$RUNS: relay (same machine, same run)"
    "$LG" relay --url http://127.0.0.1:0 --visitors "$CHAT_VISITORS" --rate "$RAMP_START" --duration "$STEP_SECONDS" --json "$OUT/relay-$run.json" || true
  fi
  skip storm || echo "== run $run/$RUNS: storm"
  skip storm || "$LG" storm "${common[@]}" --rate "$STORM_RATE" --duration "$STORM_SECONDS" --json "$OUT/storm-$run.json" || true
  stop_server
  if [[ -n "${BASELINE_ECOUTE:-}" ]]; then
    # The build to compare with, in the same run, on a fresh server of its own: the same light
    # loads and ramp (target 1 asks that the knee be no lower than before).
    DATA=$(newdata)
    SAVED=$ECOUTE
    ECOUTE=$BASELINE_ECOUTE
    start_server "$OUT/server-baseline-$run.log"
    ECOUTE=$SAVED
    if ! skip light; then
      for rate in 50 1000; do
        echo "== run $run/$RUNS: baseline build, light load, $rate msg/s"
        "$LG" chat "${common[@]}" --data-dir "$DATA" --ecoute-bin "$BASELINE_ECOUTE" --visitors "$LIGHT_VISITORS" --officers "$LIGHT_OFFICERS" \
          --rate "$rate" --duration "$LIGHT_SECONDS" --json "$OUT/baseline-light-$rate-$run.json" || true
      done
    fi
    echo "== run $run/$RUNS: baseline build, ramp"
    "$LG" ramp "${common[@]}" --data-dir "$DATA" --ecoute-bin "$BASELINE_ECOUTE" --visitors "$CHAT_VISITORS" --rate "$RAMP_START" --duration "$STEP_SECONDS" --json "$OUT/baseline-ramp-$run.json" || true
    stop_server
  fi
  if ! skip idle; then
    # Idle connections on a fresh server: the memory each one adds is measured from the
    # server's RSS before and after, which the scenarios before (a storm's thousands of
    # connections, say) would have left high or falling.
    DATA=$(newdata)
    start_server "$OUT/server-idle-$run.log"
    echo "== run $run/$RUNS: idle (fresh server)"
    "$LG" idle "${common[@]}" --visitors "$IDLE_VISITORS" --duration 10 --json "$OUT/idle-$run.json" || true
    stop_server
  fi
  if ! skip storm; then
    # The storm again, on a server whose stock of return codes hashed ahead is full.
    STOCK=$(python3 -c "print(round($STORM_RATE * $STORM_SECONDS))")
    DATA=$(newdata)
    sed "s/^ready_return_codes = 0$/ready_return_codes = $STOCK/" bench/ecoute.toml >"$DATA/stock.toml"
    start_server "$OUT/server-stock-$run.log" "$DATA/stock.toml"
    echo "== run $run/$RUNS: storm from a full stock of $STOCK return codes (filling it)"
    ready=0
    for _ in $(seq 900); do
      # Nothing to read until the server listens: not an error.
      ready=$(curl -fs "$METRICS" 2>/dev/null | awk '$1 == "ecoute_return_codes_ready" {print int($2)}') || ready=0
      [[ "${ready:-0}" -ge "$STOCK" ]] && break
      sleep 1
    done
    [[ "${ready:-0}" -ge "$STOCK" ]] || echo "warning: only ${ready:-0} of $STOCK codes ready after 900 s"
    "$LG" storm "${common[@]}" --rate "$STORM_RATE" --duration "$STORM_SECONDS" --json "$OUT/storm-stock-$run.json" || true
    stop_server
  fi
done
python3 bench/summarize.py "$OUT" | tee "$OUT/summary.md"
