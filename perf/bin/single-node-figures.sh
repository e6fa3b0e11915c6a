#!/usr/bin/env bash
# Reproduces the single-node figures in docs/performance.md: starts one node (fsync before
# every acknowledgement) in a temp dir on 127.0.0.1, then runs, alternating, ROUNDS times:
#   1. ordo perf produce at full speed            (throughput, records/s acknowledged durable)
#   2. ordo perf produce at HALF_RATE records/s   (ack latency percentiles)
#   3. ordo perf e2e at E2E_RATE records/s        (send-to-delivery latency percentiles)
# Build first: mvn -B -q package -DskipTests
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ordo="$here/bin/ordo"
ROUNDS="${ROUNDS:-3}"; RECORDS="${RECORDS:-5000000}"; WARMUP="${WARMUP:-1000000}"
HALF_RATE="${HALF_RATE:-500000}"; E2E_RATE="${E2E_RATE:-100000}"
PORT="${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}"
data="$(mktemp -d)"; log="$data/node.out"
"$ordo" node --data-dir "$data/node" --port "$PORT" >"$log" 2>&1 &
node_pid=$!
trap 'kill "$node_pid" 2>/dev/null; wait "$node_pid" 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 120); do grep -q "listening on" "$log" && break; sleep 0.5; done
grep -q "listening on" "$log" || { echo "node did not start"; cat "$log"; exit 1; }
bs="127.0.0.1:$PORT"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); java: $(java -version 2>&1 | head -1)"
for r in $(seq 1 "$ROUNDS"); do
  echo "--- round $r"
  "$ordo" perf produce --bootstrap-server "$bs" --stream perf --num-records "$RECORDS" \
    --record-size 100 --warmup-records "$WARMUP" 2>/dev/null | grep -E "99.9th"
  "$ordo" perf produce --bootstrap-server "$bs" --stream perf --num-records "$RECORDS" \
    --record-size 100 --warmup-records "$WARMUP" --throughput "$HALF_RATE" 2>/dev/null | grep -E "latency detail"
  "$ordo" perf e2e --bootstrap-server "$bs" --stream e2e --num-records $((E2E_RATE * 10)) \
    --warmup-records $((E2E_RATE * 3)) --record-size 100 --throughput "$E2E_RATE" 2>/dev/null | tail -1
done
