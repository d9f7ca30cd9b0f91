#!/usr/bin/env bash
# The upstream client benchmark (`make bench-upstream`): cold misses through cache-proxy's Netty upstream client
# and through java.net.http (-Dcache-proxy.upstream-client=jdk), in the same run, alternating, each round a
# fresh process on empty storage in front of one local nginx:
#   - one 1 GiB file, then eight 64 MiB files, one after another (throughput of a fill, and the process's CPU
#     seconds over both, from /proc/<pid>/stat);
#   - SEQ (300) sequential misses of 4 KiB files on one keep-alive connection, after 3 x SEQ others to warm the
#     JIT up (the per-miss cost a registry client's sequential requests pay; median and p90).
# Prints a table and writes it to $OUT/results.md.
# Needs nginx, curl, python3. Knobs: ROUNDS (3), SEQ (300), OUT (/tmp/cache-proxy-bench-upstream).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
ROUNDS=${ROUNDS:-3}
SEQ=${SEQ:-300}
OUT=${OUT:-/tmp/cache-proxy-bench-upstream}
UPSTREAM_PORT=18501
PROXY_PORT=18502

source "$here/common.sh"
require_tools "" nginx curl python3
require_free_ports $UPSTREAM_PORT $PROXY_PORT

rm -rf "$OUT"; mkdir -p "$OUT"/{nginx,up/s,proxy}
log "making the upstream's files (1 GiB, 8 x 64 MiB, $((4 * SEQ)) x 4 KiB)"
head -c $((1 << 30)) /dev/urandom >"$OUT/up/big.bin"
for i in 1 2 3 4 5 6 7 8; do head -c $((64 << 20)) /dev/urandom >"$OUT/up/m$i.bin"; done
for i in $(seq 1 $((4 * SEQ))); do head -c 4096 /dev/urandom >"$OUT/up/s/f$i"; done
{ nginx_http_head up "$OUT/nginx/cache" 1m
  echo "  server { listen 127.0.0.1:$UPSTREAM_PORT; root $OUT/up; }"
  echo "}"; } >"$OUT/nginx/nginx.conf"
nginx -c "$OUT/nginx/nginx.conf" -g "daemon off; user root;" &
pids+=($!)
cat >"$OUT/proxy/config.yaml" <<CONF
server: { bind: 127.0.0.1:$PROXY_PORT, backend: $OUT/proxy/storage }
instances:
  - name: files
    enabled: true
    file: { route: { path: /files }, upstreams: [ "http://127.0.0.1:$UPSTREAM_PORT/" ] }
CONF

cat >"$OUT/seqmiss.py" <<'PY'
import http.client, statistics, sys, time
port, lo, hi = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
ts = []
for i in range(lo, hi):
    t = time.perf_counter()
    c.request("GET", f"/files/s/f{i}"); r = c.getresponse(); r.read()
    ts.append((time.perf_counter() - t) * 1000)
    if r.status != 200:
        sys.exit(f"/files/s/f{i}: {r.status}")
ts.sort()
print(f"{statistics.median(ts):.2f} {ts[int(len(ts) * 0.9)]:.2f}")
PY

cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }

# one round of one client: prints "big_s m64_s cpu_s seq_median_ms seq_p90_ms"
round() { # name java-options
  local pid java start mid end c0 c1
  pid=$(CACHE_PROXY_JAVA_OPTS="$2" start_empty_proxy "$OUT/proxy/config.yaml" "$OUT/proxy/storage" $PROXY_PORT \
    "$OUT/proxy/$1.log")
  java=$(pgrep -P "$pid" java || echo "$pid")
  c0=$(cpu_seconds "$java")
  start=$(date +%s.%N)
  curl -fsS -o /dev/null "http://127.0.0.1:$PROXY_PORT/files/big.bin"
  mid=$(date +%s.%N)
  for i in 1 2 3 4 5 6 7 8; do curl -fsS -o /dev/null "http://127.0.0.1:$PROXY_PORT/files/m$i.bin"; done
  end=$(date +%s.%N)
  c1=$(cpu_seconds "$java")
  python3 "$OUT/seqmiss.py" $PROXY_PORT 1 $((3 * SEQ + 1)) >/dev/null
  local seq; seq=$(python3 "$OUT/seqmiss.py" $PROXY_PORT $((3 * SEQ + 1)) $((4 * SEQ + 1)))
  stop_server "$pid"
  echo "$(echo "$mid - $start" | bc) $(echo "$end - $mid" | bc) $(echo "$c1 - $c0" | bc) $seq"
}

declare -A opts=([netty]="" [jdk]="-Dcache-proxy.upstream-client=jdk")
declare -A results
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then order=(netty jdk); else order=(jdk netty); fi
  for name in "${order[@]}"; do
    line=$(round "$name" "${opts[$name]}")
    log "round $r $name: 1 GiB s, 8x64 MiB s, CPU s, 4 KiB miss median ms, p90 ms = $line"
    results[$name]="${results[$name]:-}$line"$'\n'
  done
done

col() { echo -n "${results[$1]}" | awk -v c="$2" '{print $c}' | median | awk '{printf "%.2f", $1}'; }
{
  echo "| client | 1 GiB miss s | 8 x 64 MiB s | CPU s (both) | 4 KiB sequential miss, median ms | p90 ms |"
  echo "|---|---:|---:|---:|---:|---:|"
  for name in netty jdk; do
    echo "| $name | $(col $name 1) | $(col $name 2) | $(col $name 3) | $(col $name 4) | $(col $name 5) |"
  done
  echo
  echo "Medians of $ROUNDS rounds; each round a fresh process on empty storage (\`ROUNDS=$ROUNDS SEQ=$SEQ bash bench/upstream.sh\`)."
} | tee "$OUT/results.md"
