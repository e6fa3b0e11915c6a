#!/usr/bin/env bash
# What running the node's background threads (segment preparer, state checkpoint) at the lowest
# CPU priority does to the ack latency: one node (default settings) in a temp dir on 127.0.0.1,
# warmed with a full-speed step, then ROUNDS rounds (default 5) of `ordo perf produce` at RATE
# records/s (default 500000; RATE=0 for full speed), each round once with those threads at nice 0
# (A) and once at nice 19 (B, what the node does by itself), the order flipped every round;
# `renice` moves them between rounds. Setting nice 0 on a thread at 19 needs root (CAP_SYS_NICE). Prints "A|B p50-us p99-us
# records/s" per run and the medians.
# Build first: mvn -B -q package -DskipTests
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS="${ROUNDS:-5}"; RATE="${RATE:-500000}"; RECORDS="${RECORDS:-5000000}"; WARMUP="${WARMUP:-2000000}"
[ "$(id -u)" = 0 ] || { echo "needs root: renice to 0 raises a thread's priority" >&2; exit 2; }
. "$here/perf/bin/lib.sh"
port="$(free_port)"
data="$(mktemp -d)"; results="$data/results"
start_node "$here" "$port"
java_pid="$(pgrep -f "Ordo node --data-dir $data/node" | head -1)"
"$here/bin/ordo" perf produce --bootstrap-server "127.0.0.1:$port" --stream perf \
  --num-records "$WARMUP" --record-size 100 >/dev/null 2>&1
set_nice() {
  for task in /proc/"$java_pid"/task/*; do
    case "$(cat "$task/comm")" in
      ordo-segment-pr* | ordo-state-chec*) renice -n "$1" -p "$(basename "$task")" >/dev/null ;;
    esac
  done
}
run() {
  local out
  set_nice "$2"
  out="$("$here/bin/ordo" perf produce --bootstrap-server "127.0.0.1:$port" --stream perf \
    --num-records "$RECORDS" --warmup-records "$WARMUP" --record-size 100 --throughput "$RATE" \
    2>/dev/null)"
  echo "$1 $(echo "$out" | p50_p99_us) $(echo "$out" | records_per_sec)" | tee -a "$results"
}
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then run A 0; run B 19; else run B 19; run A 0; fi
done
for n in A B; do
  echo "median $n: ack p50 $(column_median "$results" "$n" 2) us, p99 $(column_median "$results" "$n" 3) us, $(column_median "$results" "$n" 4) records/s"
done
