#!/usr/bin/env bash
# The build cache benchmark (`make bench-buildcache`, issue 25): uploads and downloads through a cache-proxy
# `buildcache` instance against nginx's WebDAV module (`dav_methods PUT`, the simplest HTTP store a build
# cache can be pointed at) on the same machine, in the same run, alternating, ROUNDS rounds:
#   - 1 KiB: requests/s of wrk, PUTs to fresh keys (wrk -t2 -c16, a Lua script) and GETs of one stored key;
#   - 64 MiB: MB/s of LARGE_COUNT sequential curl uploads (-T) and downloads, each its own connection.
# Medians and the ratios cache-proxy / nginx. Both servers write to the same disk; cache-proxy hashes every
# upload (SHA-256), fsyncs it and publishes it atomically, nginx writes a temp file and renames it.
# Needs nginx (with the dav module), wrk, curl. Knobs: ROUNDS (3), WRK_SECONDS (10), LARGE_COUNT (4), OUT.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
ROUNDS=${ROUNDS:-3}
LARGE_COUNT=${LARGE_COUNT:-4}
OUT=${OUT:-/tmp/cache-proxy-bench-buildcache}
NGINX_PORT=18561
PROXY_PORT=18562

source "$here/common.sh"
require_tools "" nginx wrk curl
require_free_ports $NGINX_PORT $PROXY_PORT
nginx -V 2>&1 | grep -q http_dav_module || { log "this nginx has no dav module"; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT"/{nginx,dav/cache,files}
head -c 1024 /dev/urandom >"$OUT/files/1k.bin"
head -c $((64 * 1024 * 1024)) /dev/urandom >"$OUT/files/64m.bin"
cat >"$OUT/put.lua" <<'LUA'
-- PUTs of 1 KiB to fresh keys (random per thread, so the threads do not overwrite each other's)
local body = string.rep("x", 1024)
local n = 0
math.randomseed(os.time() + math.floor(os.clock() * 1000000))
local prefix = tostring(math.random(1, 1000000000))
request = function()
  n = n + 1
  return wrk.format("PUT", "/cache/k/" .. prefix .. "-" .. n, { ["Content-Type"] = "application/octet-stream" }, body)
end
LUA

log "nginx WebDAV on :$NGINX_PORT"
{
  nginx_http_head unused "$OUT/nginx/cache" 1m
  printf '  server { listen 127.0.0.1:%s; client_max_body_size 0;\n' "$NGINX_PORT"
  printf '    location /cache/ { root %s; dav_methods PUT DELETE; create_full_put_path on; dav_access user:rw; } }\n}\n' \
    "$OUT/dav"
} >"$OUT/nginx/nginx.conf"
nginx -c "$OUT/nginx/nginx.conf" -p "$OUT/nginx" -g "daemon off; user root;" >"$OUT/nginx/out.log" 2>&1 &
pids+=($!)

log "cache-proxy buildcache on :$PROXY_PORT"
cat >"$OUT/proxy.yaml" <<YAML
server:
  bind: "127.0.0.1:$PROXY_PORT"
  backend: "$OUT/proxy"
storage:
  min_free: 0
logging:
  level: warn
instances:
  - name: builds
    enabled: true
    access: { anonymous: write }
    buildcache: { route: { path: /cache }, max_object_size: 128MiB }
YAML
"$root/bin/cache-proxy" -config "$OUT/proxy.yaml" >>"$OUT/proxy.log" 2>&1 &
pids+=($!)

for port in $NGINX_PORT $PROXY_PORT; do
  for _ in $(seq 1 100); do curl -fs -o /dev/null -T "$OUT/files/1k.bin" "http://127.0.0.1:$port/cache/one" && break; sleep 0.2; done
  curl -fs -o /dev/null "http://127.0.0.1:$port/cache/one" || { log ":$port does not serve"; exit 1; }
  WRK_SECONDS=10 wrk_rps "$OUT/warmup-get.txt" "http://127.0.0.1:$port/cache/one" >/dev/null
  WRK_SECONDS=10 wrk_rps "$OUT/warmup-put.txt" "http://127.0.0.1:$port/cache/" -s "$OUT/put.lua" >/dev/null
done

# large_mbps port put|get round : MB/s of LARGE_COUNT sequential transfers of 64 MiB
large_mbps() {
  local port=$1 op=$2 start end
  start=$(date +%s.%N)
  for i in $(seq 1 "$LARGE_COUNT"); do
    if [ "$op" = put ]; then
      curl -fsS -o /dev/null -T "$OUT/files/64m.bin" "http://127.0.0.1:$port/cache/large/$3-$i"
    else
      curl -fsS -o /dev/null "http://127.0.0.1:$port/cache/large/$3-1"
    fi
  done
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" -v n="$LARGE_COUNT" 'BEGIN { printf "%.0f", n * 64 / (e - s) }'
}

log "$ROUNDS rounds"
declare -A r
for round in $(seq 1 "$ROUNDS"); do
  servers=(nginx proxy)
  [ $((round % 2)) -eq 0 ] && servers=(proxy nginx)
  for s in "${servers[@]}"; do
    port=$NGINX_PORT
    [ "$s" = proxy ] && port=$PROXY_PORT
    r[$s/put1k]+=" $(wrk_rps "$OUT/wrk-$s-put-$round.txt" "http://127.0.0.1:$port/cache/" -s "$OUT/put.lua")"
    r[$s/get1k]+=" $(wrk_rps "$OUT/wrk-$s-get-$round.txt" "http://127.0.0.1:$port/cache/one")"
    r[$s/put64m]+=" $(large_mbps $port put "$round")"
    r[$s/get64m]+=" $(large_mbps $port get "$round")"
    sync
  done
done

{
  echo "| transfer | nginx WebDAV | cache-proxy buildcache | cache-proxy / nginx |"
  echo "|---|---:|---:|---:|"
  for t in put1k get1k put64m get64m; do
    n=$(echo "${r[nginx/$t]}" | median)
    p=$(echo "${r[proxy/$t]}" | median)
    unit="req/s"
    case $t in *64m) unit="MB/s" ;; esac
    awk -v t="$t" -v u="$unit" -v n="$n" -v p="$p" 'BEGIN { printf "| %s (%s) | %d | %d | %.2fx |\n", t, u, n, p, p / n }'
  done
} | tee "$OUT/results.md"
