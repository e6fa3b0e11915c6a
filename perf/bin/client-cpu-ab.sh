#!/usr/bin/env bash
# The load generator's CPU and ack latency from two builds of the client, against one node:
# $1 and $2 are checkouts, each built (mvn -B -q package -DskipTests). The node runs from $2.
# ROUNDS rounds (default 5) of `ordo perf produce --throughput RATE` (default 500000), the order
# of the two flipped every round; prints per run "A|B ack-p50-us ack-p99-us client-cpu-s" and
# the medians. Client CPU is user + system time of the whole client process (/usr/bin/time).
# A_JVM_OPTS and B_JVM_OPTS add JVM options to each side's client (ORDO_JVM_OPTS), A_ARGS and
# B_ARGS options to its `ordo perf produce`, so one checkout can be compared with itself under
# two settings:
#   A_JVM_OPTS= B_JVM_OPTS=-XX:TieredStopAtLevel=1 perf/bin/client-cpu-ab.sh . .
#   A_ARGS= B_ARGS=--callbacks-on-io-thread perf/bin/client-cpu-ab.sh . .
# Example, the callback send against the commit before it:
#   git worktree add /tmp/before 5928dec~1 && (cd /tmp/before && mvn -B -q package -DskipTests)
#   perf/bin/client-cpu-ab.sh /tmp/before .
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 CHECKOUT_A CHECKOUT_B" >&2; exit 2; }
a="$(cd "$1" && pwd)"; b="$(cd "$2" && pwd)"
ROUNDS="${ROUNDS:-5}"; RATE="${RATE:-500000}"; RECORDS="${RECORDS:-5000000}"; WARMUP="${WARMUP:-2000000}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
port="$(free_port)"
data="$(mktemp -d)"; results="$data/results"
start_node "$b" "$port"
run() {
  ORDO_JVM_OPTS="$3" /usr/bin/time -f "cpu %U %S" "$2/bin/ordo" perf produce --bootstrap-server "127.0.0.1:$port" \
    --stream perf --num-records "$RECORDS" --warmup-records "$WARMUP" --record-size 100 \
    --throughput "$RATE" $4 >"$data/out" 2>"$data/err"
  echo "$1 $(p50_p99_us <"$data/out") $(grep '^cpu' "$data/err" | awk '{printf "%.2f", $2+$3}')" | tee -a "$results"
}
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then
    run A "$a" "${A_JVM_OPTS:-}" "${A_ARGS:-}"; run B "$b" "${B_JVM_OPTS:-}" "${B_ARGS:-}"
  else
    run B "$b" "${B_JVM_OPTS:-}" "${B_ARGS:-}"; run A "$a" "${A_JVM_OPTS:-}" "${A_ARGS:-}"
  fi
done
for n in A B; do
  echo "median $n: ack p50 $(column_median "$results" "$n" 2) us, p99 $(column_median "$results" "$n" 3) us, client cpu $(column_median "$results" "$n" 4) s"
done
