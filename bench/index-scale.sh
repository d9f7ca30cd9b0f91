#!/usr/bin/env bash
# The index at scale (`make bench-index`, issue 28): ENTRIES (1,000,000) stored entries of one file instance,
# all pointing at one 1 KiB blob, written straight into a storage directory in the index's own format; then
# cache-proxy is started on it: time to /-/readyz, RSS, and hits on keys drawn at random from all of them (wrk,
# ROUNDS rounds of DURATION seconds; most lookups miss the hot index and read the entry's file).
# With MAX_SIZE (e.g. 10GiB) the instance has a size quota, so the use table holds every entry: the report adds
# the start-up scan's time and the live heap after it (jcmd's class histogram, which runs a full GC first).
# Needs wrk, curl, python3. Knobs: ENTRIES, ROUNDS (4), DURATION (10), MAX_SIZE (none), CACHE_PROXY_JAVA_OPTS,
# OUT (/tmp/cache-proxy-bench-index).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
ENTRIES=${ENTRIES:-1000000}
ROUNDS=${ROUNDS:-4}
DURATION=${DURATION:-10}
MAX_SIZE=${MAX_SIZE:-}
OUT=${OUT:-/tmp/cache-proxy-bench-index}
PORT=18395

source "$here/common.sh"
require_tools "apt-get install wrk curl python3" wrk curl python3
require_free_ports $PORT

rm -rf "$OUT"; mkdir -p "$OUT"
log "writing $ENTRIES entries"
python3 - "$OUT/data" "$ENTRIES" <<'PY'
import hashlib, os, sys
data, n = sys.argv[1], int(sys.argv[2])
body = os.urandom(1024)
digest = hashlib.sha256(body).hexdigest()
blob_dir = os.path.join(data, "blobs", "sha256", digest[:2], digest[2:4])
os.makedirs(blob_dir)
with open(os.path.join(blob_dir, digest), "wb") as f:
    f.write(body)
made = set()
for i in range(n):
    key = "k/%d.bin" % i
    h = hashlib.sha256(key.encode()).hexdigest()
    d = os.path.join(data, "index", "bench", h[:2])
    if d not in made:
        os.makedirs(d, exist_ok=True)
        made.add(d)
    with open(os.path.join(d, h + ".json"), "w") as f:
        f.write('{"key":"%s","blob":"sha256:%s","size":1024,"headers":{"content-type":"application/octet-stream"},'
                '"fetched_at":"2026-11-30T00:00:00Z","validated_at":"2026-11-30T00:00:00Z"}' % (key, digest))
PY
cat >"$OUT/config.yaml" <<CONF
server: { bind: 127.0.0.1:$PORT, backend: $OUT/data }
${MAX_SIZE:+storage: { max_size: $MAX_SIZE, min_free: 0 \}}
instances:
  - name: bench
    enabled: true
    file: { route: { path: /bench }, upstreams: ["http://127.0.0.1:9"], default_policy: immutable }
CONF
cat >"$OUT/random.lua" <<LUA
math.randomseed(os.time())
request = function() return wrk.format("GET", "/bench/k/" .. math.random(0, $ENTRIES - 1) .. ".bin") end
LUA
sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true # a cold page cache, as after a reboot
start=$(date +%s%N)
"$root/bin/cache-proxy" -config "$OUT/config.yaml" >"$OUT/proxy.log" 2>&1 &
pid=$!; pids+=($pid)
until curl -fs -o /dev/null "http://127.0.0.1:$PORT/-/readyz"; do sleep 0.05; done
ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
rss() { awk '/VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$pid/status"; }
{
  echo "$ENTRIES entries: start to /-/readyz $ready_ms ms, RSS $(rss) MiB"
  if [ -n "$MAX_SIZE" ]; then
    until grep -q 'scanned in' "$OUT/proxy.log"; do sleep 0.5; done
    java=$(dirname "$(readlink -f "/proc/$pid/exe")")
    echo
    echo "quota $MAX_SIZE: $(grep -o 'storage: [0-9]* entries.*scanned in [0-9]* ms)' "$OUT/proxy.log"); RSS $(rss) MiB;" \
      "live heap $(( $("$java/jcmd" "$pid" GC.class_histogram | awk '/^Total/ {print $3}') / 1048576 )) MiB after a full GC"
  fi
  echo
  echo "| round | req/s | p50 | p99 | RSS after (MiB) |"
  echo "|---|---:|---:|---:|---:|"
  for r in $(seq "$ROUNDS"); do
    out=$(wrk -t2 -c16 -d"${DURATION}s" --latency -s "$OUT/random.lua" "http://127.0.0.1:$PORT")
    echo "| $r | $(awk '/Requests\/sec/ {print $2}' <<<"$out") | $(awk '$1 == "50%" {print $2}' <<<"$out") | $(awk '$1 == "99%" {print $2}' <<<"$out") | $(rss) |"
  done
} | tee "$OUT/results.md"
