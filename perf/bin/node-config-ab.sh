#!/usr/bin/env bash
# A/B of two node configurations on one machine: starts node A with the properties file $1 and
# node B with $2 (each `ordo node --config`, own data dir, 127.0.0.1, free ports), fills both
# with FILL records at full speed (so both are past their first segment roll), then runs ROUNDS
# rounds, the order of A and B flipped every round:
#   ack  - ordo perf produce --throughput HALF_RATE (ack latency p50 / p99, us)
#   e2e  - ordo perf e2e --throughput E2E_RATE      (send-to-delivery p50 / p99, ms)
# and ends with the medians per node and the ratios B / A. Both nodes stay up for the whole
# run, so the two see the same machine; only one is loaded at a time. Each step starts with a
# `sync`, so that dirty pages a node left (fsync.policy=never or interval) are not written back
# during the other node's step.
# Build first: mvn -B -q package -DskipTests
# Example: perf/bin/node-config-ab.sh off.properties on.properties
#   with off.properties holding segment.preallocate=false and on.properties =true
# A_JVM_OPTS and B_JVM_OPTS add JVM options to each node (its ORDO_JVM_OPTS), for settings that
# are system properties rather than keys: A_JVM_OPTS=-Dx=1 B_JVM_OPTS=-Dx=2 ... same.properties same.properties
# FULL_SPEED_FIRST=1 runs a full-speed step (RECORDS + WARMUP records, unthrottled; its records/s
# reported as "full") on a node just before each of its ack steps, as single-node-figures.sh
# does: a burst the segment preparer cannot follow, then the measured rate.
# PER_NODE=1 runs each node's steps of a round together (its full-speed step, if any, its ack step,
# its e2e step), then the other node's, in the order single-node-figures.sh runs them: each e2e
# step then follows its own node's burst (what the segment preparer does after one shows there).
# NODE_LOGS=DIR keeps the two nodes' output there (A.out, B.out), e.g. their stats.interval.ms lines.
# A_CHECKOUT and B_CHECKOUT run each node from another built checkout (default: this one), to
# compare two builds of the node; the clients always come from this checkout:
#   git worktree add /tmp/before HEAD~1 && (cd /tmp/before && mvn -B -q package -DskipTests)
#   A_CHECKOUT=/tmp/before perf/bin/node-config-ab.sh empty.properties empty.properties
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 A.properties B.properties" >&2; exit 2; }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ordo="$here/bin/ordo"
[ -f "$here/tools/target/ordo-tools.jar" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 1; }
ROUNDS="${ROUNDS:-6}"; FILL="${FILL:-10000000}"; RECORDS="${RECORDS:-5000000}"
WARMUP="${WARMUP:-2000000}"; HALF_RATE="${HALF_RATE:-500000}"; E2E_RATE="${E2E_RATE:-100000}"
FULL_SPEED_FIRST="${FULL_SPEED_FIRST:-0}"
. "$here/perf/bin/lib.sh"
data="$(mktemp -d)"; results="$data/results"
declare -A port=([A]="$(free_port)" [B]="$(free_port)") config=([A]="$1" [B]="$2") pid=()
declare -A jvm_opts=([A]="${A_JVM_OPTS:-}" [B]="${B_JVM_OPTS:-}")
declare -A checkout=([A]="${A_CHECKOUT:-$here}" [B]="${B_CHECKOUT:-$here}")
for n in A B; do
  [ -f "${checkout[$n]}/tools/target/ordo-tools.jar" ] || { echo "build ${checkout[$n]} first" >&2; exit 1; }
  ORDO_JVM_OPTS="${jvm_opts[$n]}" "${checkout[$n]}/bin/ordo" node --data-dir "$data/$n" --port "${port[$n]}" --config "${config[$n]}" \
    >"$data/$n.out" 2>&1 &
  pid[$n]=$!
done
trap 'stop_processes "${pid[A]}" "${pid[B]}"; [ -z "${NODE_LOGS:-}" ] || cp "$data/A.out" "$data/B.out" "$NODE_LOGS" || true; rm -rf "$data"' EXIT
for n in A B; do await_listening "$data/$n.out"; done
echo "A: ${checkout[A]} $1 ($(tr '\n' ' ' <"$1")${A_JVM_OPTS:-}); B: ${checkout[B]} $2 ($(tr '\n' ' ' <"$2")${B_JVM_OPTS:-}); load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in A B; do
  "$ordo" perf produce --bootstrap-server "127.0.0.1:${port[$n]}" --stream fill \
    --num-records "$FILL" --record-size 100 2>/dev/null >/dev/null
done
ack() {
  local out
  if [ "$FULL_SPEED_FIRST" = 1 ]; then
    out="$("$ordo" perf produce --bootstrap-server "127.0.0.1:${port[$1]}" --stream perf \
      --num-records "$RECORDS" --warmup-records "$WARMUP" --record-size 100 2>/dev/null)"
    echo "full $1 $(echo "$out" | records_per_sec | tail -1)" | tee -a "$results"
  fi
  sync
  out="$("$ordo" perf produce --bootstrap-server "127.0.0.1:${port[$1]}" --stream perf \
    --num-records "$RECORDS" --warmup-records "$WARMUP" --record-size 100 \
    --throughput "$HALF_RATE" 2>/dev/null)"
  echo "ack $1 $(echo "$out" | p50_p99_us)" | tee -a "$results"
}
e2e() {
  local out
  sync
  out="$("$ordo" perf e2e --bootstrap-server "127.0.0.1:${port[$1]}" --stream e2e \
    --num-records $((E2E_RATE * 10)) --warmup-records $((E2E_RATE * 3)) --record-size 100 \
    --throughput "$E2E_RATE" 2>/dev/null | tail -1)"
  echo "e2e $1 $(echo "$out" | sed -E 's/.*p50 ([0-9.]+) ms.*p99 ([0-9.]+) ms.*/\1 \2/')" | tee -a "$results"
}
for r in $(seq 1 "$ROUNDS"); do
  echo "--- round $r (load $(cut -d' ' -f1 /proc/loadavg))"
  if (( r % 2 )); then first=A; second=B; else first=B; second=A; fi
  if [ "${PER_NODE:-0}" = 1 ]; then
    ack $first; e2e $first; ack $second; e2e $second
  else
    ack $first; ack $second; e2e $second; e2e $first
  fi
done
echo "--- medians over $ROUNDS rounds (B / A)"
if [ "$FULL_SPEED_FIRST" = 1 ]; then
  a="$(column_median "$results" "full A" 3)"; b="$(column_median "$results" "full B" 3)"
  echo "full speed records/s: A $a, B $b, B/A $(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", b/a}')"
fi
for step in ack e2e; do
  for col in 3 4; do
    name="$step $([ $col = 3 ] && echo p50 || echo p99)"
    a="$(column_median "$results" "$step A" "$col")"
    b="$(column_median "$results" "$step B" "$col")"
    echo "$name: A $a, B $b, B/A $(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", b/a}')"
  done
done
