#!/usr/bin/env bash
# Ordo's ack latency beside the floor under it, in the same minutes: starts one node (default
# settings, fsync before every acknowledgement) in a temp dir on 127.0.0.1, warms it with a
# full-speed step, then runs ROUNDS times (default 5), the order flipped every round:
#   floor  io.ordo.perf.platform.WritePathFloor: a bare loopback socket, one write and one
#          fdatasync per group, no broker (the least any broker pays for an acknowledgement)
#   ordo   ordo perf produce
# both at RATE records/s (default 500000) of 100 bytes, WARMUP records (default 2000000) then
# RECORDS (default 5000000) measured, 32 KiB batches, linger 1 ms. HANDOFFS (none, server, client
# or both; default none) gives the floor the thread hand-offs of Ordo's node, client or both. Prints per run
# "floor|ordo p50-us p99-us" and the medians with their ratio (ordo / floor). NODE_CONFIG gives
# the node a properties file and NODE_LOG keeps its output, as in single-node-figures.sh.
# Build first: mvn -B -q package -DskipTests
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bench="$here/perf/target/benchmarks.jar"
[ -f "$bench" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 1; }
ROUNDS="${ROUNDS:-5}"; RATE="${RATE:-500000}"; RECORDS="${RECORDS:-5000000}"; WARMUP="${WARMUP:-2000000}"
NODE_CONFIG="${NODE_CONFIG:-}"; NODE_LOG="${NODE_LOG:-}"; HANDOFFS="${HANDOFFS:-none}"
. "$here/perf/bin/lib.sh"
port="$(free_port)"
data="$(mktemp -d)"; results="$data/results"
start_node "$here" "$port" ${NODE_CONFIG:+--config "$NODE_CONFIG"}
"$here/bin/ordo" perf produce --bootstrap-server "127.0.0.1:$port" --stream perf \
  --num-records "$WARMUP" --record-size 100 >/dev/null 2>&1
floor() {
  echo "floor $(java -cp "$bench" io.ordo.perf.platform.WritePathFloor --dir "$data" --rate "$RATE" \
    --seconds $((RECORDS / RATE)) --warmup-seconds $((WARMUP / RATE)) --rounds 1 --handoffs "$HANDOFFS" | p50_p99_us)" \
    | tee -a "$results"
}
ordo() {
  echo "ordo $("$here/bin/ordo" perf produce --bootstrap-server "127.0.0.1:$port" --stream perf \
    --num-records "$RECORDS" --warmup-records "$WARMUP" --record-size 100 --throughput "$RATE" \
    2>/dev/null | p50_p99_us)" | tee -a "$results"
}
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then floor; ordo; else ordo; floor; fi
done
for c in 2 3; do
  f="$(column_median "$results" floor "$c")"
  o="$(column_median "$results" ordo "$c")"
  echo "median p$([ $c = 2 ] && echo 50 || echo 99): floor $f us, ordo $o us, ratio $(awk -v a="$o" -v b="$f" 'BEGIN {printf "%.2f", a / b}')"
done
