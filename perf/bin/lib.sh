# Helpers shared by the perf/bin scripts (sourced, not run).

# A free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits up to 60 s for the node whose output goes to $1 to say it listens; exits if it does not.
await_listening() {
  for _ in $(seq 1 120); do grep -q "listening on" "$1" && return 0; sleep 0.5; done
  echo "node did not start ($1):"; cat "$1"; exit 1
}

# The median of the numbers on stdin, one per line.
median() {
  sort -g | awk '{v[NR]=$1} END {print (NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2}'
}

# The median of column $3 of the lines of the results file $1 that start with the label $2.
column_median() {
  grep "^$2 " "$1" | cut -d' ' -f"$3" | median
}

# "P50 P99" (microseconds) from the output on stdin of `ordo perf produce` (its `latency detail`
# line) or of WritePathFloor (its round line).
p50_p99_us() {
  sed -nE 's/.*p50 ([0-9]+),.*p99 ([0-9]+),.*/\1 \2/p'
}

# The records/s of `ordo perf produce`'s summary line, from its output on stdin.
records_per_sec() {
  sed -nE 's/.* records sent, ([0-9.]+) records\/sec.*/\1/p'
}

# Stops the given processes and waits for them; never fails, so that an EXIT trap running under
# `set -e` goes on to remove its temp dir (a failing `wait` used to end the trap there).
stop_processes() {
  kill "$@" 2>/dev/null || true
  wait "$@" 2>/dev/null || true
}

# Starts a node from the checkout $1 on 127.0.0.1 port $2 (more `ordo node` arguments after
# those), its data in "$data/node" and its output in "$data/node.out" ($data: the caller's temp
# dir); sets node_pid and an EXIT trap that stops the node, copies its output to NODE_LOG when
# that is set, and removes $data; returns once the node listens.
start_node() {
  local checkout="$1" port="$2"
  shift 2
  "$checkout/bin/ordo" node --data-dir "$data/node" --port "$port" "$@" >"$data/node.out" 2>&1 &
  node_pid=$!
  trap 'stop_processes "$node_pid"; [ -z "${NODE_LOG:-}" ] || cp "$data/node.out" "$NODE_LOG" || true; rm -rf "$data"' EXIT
  await_listening "$data/node.out"
}

# CPU seconds (user + system) the JIT compiler threads of the JVM with pid $1 have used so far
# (Linux /proc; 0 elsewhere). The difference over a step shows whether the JVM was still
# compiling in it.
jit_cpu_seconds() {
  local total=0 t ticks
  for t in /proc/"$1"/task/*; do
    case "$(cat "$t/comm" 2>/dev/null)" in
      C1\ CompilerThre* | C2\ CompilerThre*)
        # fields after the ")" that ends the name: utime and stime are the 12th and 13th
        ticks="$(sed 's/.*) //' "$t/stat" 2>/dev/null | awk '{print $12 + $13}')"
        total=$((total + ${ticks:-0})) ;;
    esac
  done
  awk -v t="$total" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", t / hz}'
}
