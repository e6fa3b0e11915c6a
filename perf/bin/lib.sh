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

# Stops the given processes and waits for them; never fails, so that an EXIT trap running under
# `set -e` goes on to remove its temp dir (a failing `wait` used to end the trap there).
stop_processes() {
  kill "$@" 2>/dev/null || true
  wait "$@" 2>/dev/null || true
}
