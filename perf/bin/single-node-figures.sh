#!/usr/bin/env bash
# Reproduces the single-node figures in docs/performance.md: starts one node (fsync before
# every acknowledgement) in a temp dir on 127.0.0.1, then runs, alternating, ROUNDS times:
#   1. ordo perf produce at full speed            (throughput, records/s acknowledged durable)
#   2. ordo perf produce at HALF_RATE records/s   (ack latency percentiles)
#   3. ordo perf e2e at E2E_RATE records/s        (send-to-delivery latency percentiles)
# Beside 2 and 3 runs the platform baseline (io.ordo.perf.platform.PlatformHiccups): how long the
# machine itself stalled a sleeping thread and a small fdatasync in the same seconds.
# WARM_ROUNDS (default 1) rounds come first and are not counted: a new node's JIT compilers take
# seconds of CPU through its first round under load (each round prints how much).
# Ends with the median of each figure over the counted rounds.
# Build first: mvn -B -q package -DskipTests
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ordo="$here/bin/ordo"
bench="$here/perf/target/benchmarks.jar"
[ -f "$bench" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 1; }
ROUNDS="${ROUNDS:-5}"; WARM_ROUNDS="${WARM_ROUNDS:-1}"; RECORDS="${RECORDS:-5000000}"; WARMUP="${WARMUP:-2000000}"
HALF_RATE="${HALF_RATE:-500000}"; E2E_RATE="${E2E_RATE:-100000}"
NODE_CONFIG="${NODE_CONFIG:-}"  # a properties file for the node (ordo node --config)
NODE_LOG="${NODE_LOG:-}"  # keep the node's output there (with stats.interval.ms in NODE_CONFIG,
                          # its per-stage write path lines)
. "$here/perf/bin/lib.sh"
PORT="${PORT:-$(free_port)}"
data="$(mktemp -d)"; results="$data/results"
start_node "$here" "$PORT" ${NODE_CONFIG:+--config "$NODE_CONFIG"}
bs="127.0.0.1:$PORT"
# The platform probe for the whole of a latency run ($1 seconds), in the background.
probe() {
  java -cp "$bench" io.ordo.perf.platform.PlatformHiccups --seconds "$1" --dir "$data" \
    >"$data/probe.out" 2>&1 &
  probe_pid=$!
}
probe_result() { wait "$probe_pid" || true; sed 's/^/    /' "$data/probe.out"; }
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); java: $(java -version 2>&1 | head -1)"
# Rounds up to WARM_ROUNDS are warm-up: printed, not counted (the node's JIT compilers are still
# at work through the first round; each round prints how much CPU they took in it).
for r in $(seq $((1 - WARM_ROUNDS)) "$ROUNDS"); do
  if (( r < 1 )); then
    echo "--- warm-up round (not counted)"; results_now="$data/warm-up"
  else
    echo "--- round $r"; results_now="$results"
  fi
  jit_before="$(jit_cpu_seconds "$node_pid")"
  out="$("$ordo" perf produce --bootstrap-server "$bs" --stream perf --num-records "$RECORDS" \
    --record-size 100 --warmup-records "$WARMUP" 2>/dev/null | grep -E "99.9th")"
  echo "$out"
  echo "throughput $(echo "$out" | records_per_sec)" >>"$results_now"
  probe $(( (WARMUP + RECORDS) / HALF_RATE + 3 ))
  out="$("$ordo" perf produce --bootstrap-server "$bs" --stream perf --num-records "$RECORDS" \
    --record-size 100 --warmup-records "$WARMUP" --throughput "$HALF_RATE" 2>/dev/null \
    | grep -E "latency detail")"
  echo "$out"
  probe_result
  read -r p50 p99 <<<"$(echo "$out" | p50_p99_us)"
  echo "ack_p50_us $p50" >>"$results_now"
  echo "ack_p99_us $p99" >>"$results_now"
  probe $(( 13 + 3 ))
  out="$("$ordo" perf e2e --bootstrap-server "$bs" --stream e2e --num-records $((E2E_RATE * 10)) \
    --warmup-records $((E2E_RATE * 3)) --record-size 100 --throughput "$E2E_RATE" 2>/dev/null | tail -1)"
  echo "$out"
  probe_result
  echo "e2e_p50_ms $(echo "$out" | sed -E 's/.*p50 ([0-9.]+) ms.*/\1/')" >>"$results_now"
  echo "e2e_p99_ms $(echo "$out" | sed -E 's/.*p99 ([0-9.]+) ms.*/\1/')" >>"$results_now"
  echo "    node JIT compiler CPU in this round: $(awk -v a="$jit_before" \
    -v b="$(jit_cpu_seconds "$node_pid")" 'BEGIN {printf "%.2f", b - a}') s"
done
echo "--- medians over $ROUNDS rounds"
for k in throughput ack_p50_us ack_p99_us e2e_p50_ms e2e_p99_ms; do
  grep "^$k " "$results" | cut -d' ' -f2 | sort -g \
    | awk -v k="$k" '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%s %.1f (sorted rounds:", k, m; for(i=1;i<=NR;i++) printf " %s", v[i]; print ")"}'
done
