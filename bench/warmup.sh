#!/usr/bin/env bash
# Warm-up (`make bench-warmup`, issue 28): how soon a freshly started cache-proxy serves hits at full speed,
# without and with the AOT cache bin/aot-train makes (JDK 25+), alternating, ROUNDS rounds each. Per run:
# milliseconds from the process start to /-/readyz answering 200, then SECONDS one-second wrk slices of 1 KiB
# hits (-t2 -c16) started right away. "Full speed" is the median of the last third of the slices; the
# figure is the first second whose slice reaches 90% of it. Needs wrk, curl, python3.
# EXTRA_OPTS (say -XX:CICompilerCount=8) adds a third launcher: the AOT cache plus those JVM options.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-30}
OUT=${OUT:-/tmp/cache-proxy-bench-warmup}
UPSTREAM_PORT=18571
PROXY_PORT=18572

source "$here/common.sh"
require_tools "" wrk curl python3
require_free_ports $UPSTREAM_PORT $PROXY_PORT
jdk=$("$root/bin/find-jdk")
aot="$root/cache-proxy-server/target/cache-proxy.aot"
[ -s "$aot" ] || "$root/bin/aot-train" "$jdk/bin/java" "$jar" "$aot"
[ -s "$aot" ] || { log "no AOT cache (needs JDK 25+): nothing to compare"; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT/files"
head -c 1024 /dev/urandom >"$OUT/files/1k.bin"
(cd "$OUT/files" && exec python3 -m http.server $UPSTREAM_PORT --bind 127.0.0.1 >/dev/null 2>&1) &
pids+=($!)
await_urls "http://127.0.0.1:$UPSTREAM_PORT/1k.bin"

# run with|without round : "<ms to ready> <req/s per second...>"
run() {
  rm -rf "$OUT/data"
  cat >"$OUT/proxy.yaml" <<YAML
server: { bind: "127.0.0.1:$PROXY_PORT", backend: "$OUT/data" }
storage: { min_free: 0 }
logging: { level: warn }
instances:
  - name: files
    enabled: true
    file: { route: { path: /files }, upstreams: ["http://127.0.0.1:$UPSTREAM_PORT"], default_policy: immutable }
YAML
  local opts=""
  [ "$1" = with ] && opts="-XX:AOTCache=$aot"
  [ "$1" = extra ] && opts="-XX:AOTCache=$aot ${EXTRA_OPTS:-}"
  local start ready
  start=$(date +%s%N)
  "$jdk/bin/java" --enable-native-access=ALL-UNNAMED -XX:MaxNewSize=64m -XX:GCTimeRatio=4 -XX:CompileThresholdScaling=3 $opts \
    -jar "$jar" -config "$OUT/proxy.yaml" >"$OUT/proxy-$1-$2.log" 2>&1 &
  local pid=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$PROXY_PORT/-/readyz"; do sleep 0.02; done
  ready=$(( ($(date +%s%N) - start) / 1000000 ))
  curl -fs -o /dev/null "http://127.0.0.1:$PROXY_PORT/files/1k.bin"
  local line="$ready"
  for s in $(seq 1 "$SECONDS_PER_RUN"); do
    line="$line $(wrk -t2 -c16 -d1s "http://127.0.0.1:$PROXY_PORT/files/1k.bin" | awk '/Requests\/sec/ {printf "%.0f", $2}')"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$line"
}

# to90 "<ms> <rps...>" : the first second reaching 90% of the median of the last third
to90() {
  local values steady
  read -r -a values <<<"$1"
  local n=$((${#values[@]} - 1)) k
  k=$((n / 3))
  steady=$(printf '%s\n' "${values[@]: -$k}" | median)
  for i in $(seq 1 "$n"); do
    if awk -v v="${values[$i]}" -v s="$steady" 'BEGIN { exit !(v >= 0.9 * s) }'; then echo "$i"; return; fi
  done
  echo "$n"
}

declare -A ready secs
for round in $(seq 1 "$ROUNDS"); do
  modes=(without with)
  [ $((round % 2)) -eq 0 ] && modes=(with without)
  [ -n "${EXTRA_OPTS:-}" ] && modes+=(extra)
  for m in "${modes[@]}"; do
    line=$(run "$m" "$round")
    echo "$m $round: $line" >>"$OUT/curves.txt"
    ready[$m]+=" ${line%% *}"
    secs[$m]+=" $(to90 "$line")"
  done
done
{
  echo "| launcher | start to readyz (ms) | seconds to 90% of full hit speed | runs (s) |"
  echo "|---|---:|---:|---|"
  for m in without with; do
    echo "| $m AOT cache | $(echo "${ready[$m]}" | median) | $(echo "${secs[$m]}" | median) |${secs[$m]} |"
  done
  if [ -n "${EXTRA_OPTS:-}" ]; then
    echo "| with AOT cache and $EXTRA_OPTS | $(echo "${ready[extra]}" | median) | $(echo "${secs[extra]}" | median) |${secs[extra]} |"
  fi
  echo
  echo "Curves (ms to ready, then req/s per second): $OUT/curves.txt"
} | tee "$OUT/results.md"
