#!/usr/bin/env bash
# The shared-storage benchmark (`make bench-s3`, issue 22): hits of cache-proxy with the S3 backend
# (S3Proxy over a directory, the jar the build copies to cache-proxy-s3/target/s3proxy/) against the file
# backend, in the same run, alternating:
#   1. warm local tier: wrk on 1 KiB, 64 KiB and 1 MiB objects through each (ratio s3 / file);
#   2. cold local tier: the s3 node restarted with an empty local directory reads COLD_FILES distinct
#      64 KiB objects once each (every one downloaded from the bucket and verified) against the file
#      node serving the same objects as hits (ratio of the total times);
#   3. eviction cost: the size quota evicting from 100,000 entries (EvictionOrderBench, in-process).
# Needs nginx, wrk, curl, python3. Knobs: ROUNDS (3), COLD_FILES (200), WRK_SECONDS (10), OUT.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
ROUNDS=${ROUNDS:-3}
COLD_FILES=${COLD_FILES:-200}
OUT=${OUT:-/tmp/cache-proxy-bench-s3}
UPSTREAM_PORT=18531
FILE_PORT=18532
S3_NODE_PORT=18533
S3_PORT=18534

source "$here/common.sh"
require_tools "" nginx wrk curl python3
require_free_ports $UPSTREAM_PORT $FILE_PORT $S3_NODE_PORT $S3_PORT
s3jar="$root/cache-proxy-s3/target/s3proxy/s3proxy.jar"
[ -f "$s3jar" ] || { log "$s3jar is missing: run 'make test' (or mvn -pl cache-proxy-s3 test-compile) once"; exit 1; }
java=${JAVA_HOME:+$JAVA_HOME/bin/}java

rm -rf "$OUT"
mkdir -p "$OUT"/{nginx,files/cold,s3data}
for size in 1k:1024 64k:65536 1m:1048576; do
  head -c "${size#*:}" /dev/urandom >"$OUT/files/${size%%:*}.bin"
done
for i in $(seq 1 "$COLD_FILES"); do head -c 65536 /dev/urandom >"$OUT/files/cold/$i.bin"; done

log "upstream nginx on :$UPSTREAM_PORT, S3Proxy on :$S3_PORT"
{
  nginx_http_head unused "$OUT/nginx/cache" 1m
  printf '  server { listen 127.0.0.1:%s; root %s; }\n}\n' "$UPSTREAM_PORT" "$OUT/files"
} >"$OUT/nginx/nginx.conf"
nginx -c "$OUT/nginx/nginx.conf" -p "$OUT/nginx" -g "daemon off; user root;" >"$OUT/nginx/out.log" 2>&1 &
pids+=($!)
printf '%s\n' "s3proxy.endpoint=http://127.0.0.1:$S3_PORT" "s3proxy.authorization=none" \
  "jclouds.provider=filesystem" "jclouds.filesystem.basedir=$OUT/s3data" >"$OUT/s3proxy.conf"
"$java" -jar "$s3jar" --properties "$OUT/s3proxy.conf" >"$OUT/s3proxy.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/" && break; sleep 0.2; done
curl -fs -X PUT "http://127.0.0.1:$S3_PORT/bench" >/dev/null

# node_config dir port [s3] : a node with one file instance in front of the upstream
node_config() {
  printf 'server: { bind: "127.0.0.1:%s", backend: "%s" }\nstorage:\n  min_free: 0\n' "$2" "$OUT/$1"
  if [ -n "${3:-}" ]; then
    printf '  backend: s3\n  s3: { bucket: bench, endpoint: "http://127.0.0.1:%s", access_key: bench, secret_key: bench }\n' \
      "$S3_PORT"
  fi
  printf 'instances:\n  - name: files\n    enabled: true\n'
  printf '    file: { route: { path: /files }, upstreams: ["http://127.0.0.1:%s"], default_policy: immutable }\n' \
    "$UPSTREAM_PORT"
}
# start_node dir port [s3] : starts it; its PID goes to node_pid[dir]
declare -A node_pid
start_node() {
  node_config "$@" >"$OUT/$1.yaml"
  "$root/bin/cache-proxy" -config "$OUT/$1.yaml" >>"$OUT/$1.log" 2>&1 &
  node_pid[$1]=$!
  pids+=($!)
}
start_node file-node $FILE_PORT
start_node s3-node $S3_NODE_PORT s3
await_urls "http://127.0.0.1:$UPSTREAM_PORT/1k.bin"
for port in $FILE_PORT $S3_NODE_PORT; do
  await_urls "http://127.0.0.1:$port/-/readyz"
  for f in 1k 64k 1m; do curl -fs -o /dev/null "http://127.0.0.1:$port/files/$f.bin"; done
  for i in $(seq 1 "$COLD_FILES"); do curl -fs -o /dev/null "http://127.0.0.1:$port/files/cold/$i.bin"; done
  WRK_SECONDS=15 wrk_rps "$OUT/warmup.txt" "http://127.0.0.1:$port/files/1k.bin" >/dev/null
done

log "warm hits: $ROUNDS rounds of wrk per object"
declare -A rps
for round in $(seq 1 "$ROUNDS"); do
  for f in 1k 64k 1m; do
    nodes=(file s3)
    [ $((round % 2)) -eq 0 ] && nodes=(s3 file)
    for n in "${nodes[@]}"; do
      port=$FILE_PORT
      [ "$n" = s3 ] && port=$S3_NODE_PORT
      rps[$n/$f]+=" $(wrk_rps "$OUT/wrk-$n-$f-$round.txt" "http://127.0.0.1:$port/files/$f.bin")"
    done
  done
done

# read_all port : seconds to read every cold object once, one request after the other
read_all() {
  python3 -c '
import sys, time, urllib.request
port, n = sys.argv[1], int(sys.argv[2])
t = time.perf_counter()
for i in range(1, n + 1):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/files/cold/{i}.bin") as r:
        assert len(r.read()) == 65536
print(f"{time.perf_counter() - t:.3f}")' "$1" "$COLD_FILES"
}

log "cold local tier: $ROUNDS rounds of $COLD_FILES objects, the s3 node restarted with an empty local directory"
cold_s3=""
cold_file=""
for round in $(seq 1 "$ROUNDS"); do
  kill "${node_pid[s3-node]}"
  wait "${node_pid[s3-node]}" 2>/dev/null || true
  rm -rf "$OUT/s3-node"
  start_node s3-node $S3_NODE_PORT s3
  await_urls "http://127.0.0.1:$S3_NODE_PORT/-/readyz"
  cold_s3+=" $(read_all $S3_NODE_PORT)"
  cold_file+=" $(read_all $FILE_PORT)"
done

log "eviction cost at 100,000 entries"
cp_file="$OUT/classpath.txt"
(cd "$root" && mvn -B -q -o -pl cache-proxy-core dependency:build-classpath -Dmdep.outputFile="$cp_file" >/dev/null)
evict=$("$java" -cp "$root/cache-proxy-core/target/test-classes:$root/cache-proxy-core/target/classes:$(cat "$cp_file")" \
  dev.cacheproxy.core.index.EvictionOrderBench 100000 2>"$OUT/evict.log")

{
  echo "| object | file backend req/s | s3 backend, warm local tier, req/s | ratio s3 / file |"
  echo "|---|---:|---:|---:|"
  for f in 1k 64k 1m; do
    fr=$(echo "${rps[file/$f]}" | median)
    sr=$(echo "${rps[s3/$f]}" | median)
    awk -v f="$f" -v a="$fr" -v b="$sr" 'BEGIN { printf "| %s | %d | %d | %.2fx |\n", f, a, b, b / a }'
  done
  echo
  cf=$(echo "$cold_file" | median)
  cs=$(echo "$cold_s3" | median)
  awk -v n="$COLD_FILES" -v a="$cf" -v b="$cs" 'BEGIN { printf "cold local tier: %d x 64 KiB read once: file backend (hits) %.3f s, s3 backend (each downloaded from the bucket) %.3f s: %.2fx\n", n, a, b, b / a }'
  echo
  echo "eviction: $evict"
} | tee "$OUT/results.md"
