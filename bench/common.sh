# Shared by the bench scripts (sourced): tool and port checks, the jar, and stopping every server
# a script started (append its PID to `pids`) when the script exits.

log() { echo "bench: $*" >&2; }

# require_tools "hint" tool... : exits with the hint when one is missing
require_tools() {
  local hint=$1; shift
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { log "$tool is missing${hint:+ ($hint)}"; exit 1; }
  done
}

# require_free_ports port... : exits when something already listens on 127.0.0.1:port
require_free_ports() {
  for port in "$@"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      log "port $port is already in use: stop what listens there first"; exit 1
    fi
  done
}

jar="$root/cache-proxy-server/target/cache-proxy.jar"
[ -f "$jar" ] || { log "$jar is missing: run 'make package'"; exit 1; }

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# median: the median of the numbers on stdin (separated by spaces or newlines)
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# await_urls url... : waits up to 20 s for each URL to answer 2xx; exits when one does not
await_urls() {
  for url in "$@"; do
    for _ in $(seq 1 100); do curl -fs -o /dev/null "$url" && break; sleep 0.2; done
    curl -fs -o /dev/null "$url" || { log "$url did not come up"; exit 1; }
  done
}
