#!/usr/bin/env bash
# The load benchmark: cache-proxy against nginx proxy_cache, in front of the same local upstream,
# measured in the same run (`make bench`). Prints a table and writes it to $OUT/results.md.
#
# What it measures (issue 3, docs/benchmarks.md):
#   1. hits of 1 KiB, 64 KiB, 1 MiB and 64 MiB objects with wrk at concurrency 64: req/s, MB/s,
#      p50 and p99; ROUNDS rounds, the two servers alternating; medians and the ratio proxy/nginx;
#   2. cold fan-in: 50 clients ask at once for one uncached object from a rate-limited upstream;
#      how many upstream fetches that made, and the time until the last client finished compared
#      with one client's transfer of an object of the same size;
#   3. cache-proxy's peak RSS (VmHWM) over the run, and its RSS with 1,000 idle keep-alive
#      connections open;
#   4. start-up (process start to /-/readyz answering 200) and warm-up: the 1 KiB warm-up load is run
#      as one-second wrk slices on both servers, and the report gives the curve and the seconds until
#      cache-proxy first reached 90 % of its measured 1 KiB rate.
#
# Needs nginx, wrk, curl and python3 (apt-get install nginx wrk curl). Nothing leaves 127.0.0.1.
# Knobs: ROUNDS (3), DURATION seconds per wrk run (10), CONNECTIONS (64), THREADS (2),
# FANIN_CLIENTS (50), FANIN_MIB (64), FANIN_RATE nginx limit_rate for the fan-in upstream (16m),
# IDLE_CONNECTIONS (1000), SIZES the objects measured ("1k 64k 1m 64m"; the first one carries the warm-up curve,
# e.g. SIZES=64k for an A/B of one size), WARMUP seconds of load on the first size before measuring (30; the JIT
# needs about 25 s of load on 2 cores to settle), OUT (/tmp/cache-proxy-bench), CACHE_PROXY_JAVA_OPTS.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
FANIN_CLIENTS=${FANIN_CLIENTS:-50}
FANIN_MIB=${FANIN_MIB:-64}
FANIN_RATE=${FANIN_RATE:-16m}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-1000}
WARMUP=${WARMUP:-30}
OUT=${OUT:-/tmp/cache-proxy-bench}
UPSTREAM_PORT=18390
NGINX_PORT=18391
PROXY_PORT=18392
read -ra SIZES <<<"${SIZES:-1k 64k 1m 64m}"

source "$here/common.sh"
require_tools "apt-get install nginx wrk curl python3" nginx wrk curl python3
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true   # 1,000 idle connections need the descriptors
require_free_ports $UPSTREAM_PORT $NGINX_PORT $PROXY_PORT

rm -rf "$OUT" && mkdir -p "$OUT"/{files,upstream,nginx/cache,proxy}

# ---- objects -------------------------------------------------------------------------------------
bytes_of() { case $1 in *k) echo $(( ${1%k} * 1024 ));; *m) echo $(( ${1%m} * 1024 * 1024 ));; esac; }
for size in "${SIZES[@]}"; do
  head -c "$(bytes_of "$size")" /dev/urandom >"$OUT/files/$size.bin"
done
mkdir -p "$OUT/files/slow"
fanin_object() { # a fresh, never-requested object for one fan-in measurement
  head -c $(( FANIN_MIB * 1024 * 1024 )) /dev/urandom >"$OUT/files/slow/$1.bin"
}

# ---- servers -------------------------------------------------------------------------------------
nginx_common="worker_processes auto; error_log stderr warn; events { worker_connections 8192; }"
nginx_temp() { echo "client_body_temp_path $1/body; proxy_temp_path $1/proxy; fastcgi_temp_path $1/fcgi; uwsgi_temp_path $1/uwsgi; scgi_temp_path $1/scgi;"; }

cat >"$OUT/upstream/nginx.conf" <<EOF
$nginx_common
pid $OUT/upstream/nginx.pid;
http {
  default_type application/octet-stream;
  log_format up '\$request_uri \$status \$body_bytes_sent';
  access_log $OUT/upstream/access.log up;
  $(nginx_temp "$OUT/upstream")
  sendfile on;
  server {
    listen 127.0.0.1:$UPSTREAM_PORT;
    root $OUT/files;
    location /slow/ { limit_rate $FANIN_RATE; }
  }
}
EOF

# nginx proxy_cache as an operator would set it up in front of a registry (test-clients.md §8.1),
# with sendfile on as any production nginx has it.
cat >"$OUT/nginx/nginx.conf" <<EOF
$nginx_common
pid $OUT/nginx/nginx.pid;
http {
  log_format p '"\$request" \$status \$body_bytes_sent \$upstream_cache_status';
  access_log $OUT/nginx/access.log p;
  $(nginx_temp "$OUT/nginx")
  sendfile on;
  keepalive_requests 1000000;
  proxy_cache_path $OUT/nginx/cache levels=1:2 keys_zone=c:50m max_size=10g inactive=7d use_temp_path=off;
  upstream up { server 127.0.0.1:$UPSTREAM_PORT; keepalive 32; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location /bench/ {
      proxy_pass http://up/; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_cache c; proxy_cache_valid 200 206 10m; proxy_cache_lock on;
      proxy_cache_use_stale error timeout updating; proxy_cache_revalidate on;
      add_header X-Cache \$upstream_cache_status;
    }
  }
}
EOF

cat >"$OUT/proxy/config.yaml" <<EOF
server:
  bind: 127.0.0.1:$PROXY_PORT
  backend: $OUT/proxy/data
metrics:
  path: /metrics
instances:
  - name: bench
    enabled: true
    file:
      route:
        path: /bench
      upstreams: [http://127.0.0.1:$UPSTREAM_PORT]
      default_policy: immutable
EOF

start_nginx() { # name
  nginx -c "$OUT/$1/nginx.conf" -p "$OUT/$1" -g 'user root; daemon off;' 2>>"$OUT/$1/error.log" &
  pids+=($!)
}
wait_for() { # url
  for _ in $(seq 1 100); do curl -fso /dev/null "$1" && return 0; sleep 0.1; done
  echo "bench: $1 did not come up" >&2; exit 1
}

start_nginx upstream
start_nginx nginx
started_ns=$(date +%s%N)
CACHE_PROXY_LOG_LEVEL=${CACHE_PROXY_LOG_LEVEL:-INFO} "$root/bin/cache-proxy" -config "$OUT/proxy/config.yaml" \
  >"$OUT/proxy/proxy.log" 2>&1 &
proxy_pid=$!
pids+=("$proxy_pid")
wait_for "http://127.0.0.1:$UPSTREAM_PORT/${SIZES[0]}.bin"
wait_for "http://127.0.0.1:$NGINX_PORT/bench/${SIZES[0]}.bin"
for _ in $(seq 1 1000); do curl -fso /dev/null "http://127.0.0.1:$PROXY_PORT/-/readyz" && break; sleep 0.01; done
startup_ms=$(( ($(date +%s%N) - started_ns) / 1000000 ))
log "cache-proxy: start to /-/readyz in $startup_ms ms"
wait_for "http://127.0.0.1:$PROXY_PORT/bench/${SIZES[0]}.bin"
# The launcher execs java, so $proxy_pid is the JVM.
rss_kib() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }

declare -A server_port=([nginx]=$NGINX_PORT [cache-proxy]=$PROXY_PORT)

# ---- 1. hits ---------------------------------------------------------------------------------------
log "warming both caches"
: >"$OUT/warmup.tsv"   # server second req/s
for size in "${SIZES[@]}"; do
  for server in nginx cache-proxy; do
    url="http://127.0.0.1:${server_port[$server]}/bench/$size.bin"
    curl -fso /dev/null "$url"; curl -fso /dev/null "$url"
    cache=$(curl -fsI "$url" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-cache" { print $2 }')
    [ "$cache" = HIT ] || { echo "bench: $server does not answer $size.bin from its cache (X-Cache: $cache)" >&2; exit 1; }
  done
  # unmeasured load per server: long on the first size, so that the JIT has compiled the hit path; on the
  # first size in one-second slices, back to back per server, which make the warm-up curve
  if [ "$size" = "${SIZES[0]}" ]; then
    for server in cache-proxy nginx; do
      for second in $(seq 1 "$WARMUP"); do
        rps=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d1s --timeout 30s \
          "http://127.0.0.1:${server_port[$server]}/bench/$size.bin" | awk '/Requests\/sec/ { printf "%.0f", $2 }')
        printf '%s\t%s\t%s\n' "$server" "$second" "$rps" >>"$OUT/warmup.tsv"
      done
    done
  else
    for server in nginx cache-proxy; do
      wrk -t"$THREADS" -c"$CONNECTIONS" -d5s --timeout 30s \
        "http://127.0.0.1:${server_port[$server]}/bench/$size.bin" >/dev/null
    done
  fi
done

results="$OUT/hits.tsv"   # size server round requests bytes duration_us p50_us p99_us errors non2xx
: >"$results"
for round in $(seq 1 "$ROUNDS"); do
  order=(nginx cache-proxy); (( round % 2 == 0 )) && order=(cache-proxy nginx)
  for size in "${SIZES[@]}"; do
    for server in "${order[@]}"; do
      line=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 30s -s "$here/wrk-report.lua" \
        "http://127.0.0.1:${server_port[$server]}/bench/$size.bin" | grep '^RESULT')
      read -r _ requests bytes duration p50 p99 errors non2xx <<<"$line"
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$server" "$round" "$requests" "$bytes" \
        "$duration" "$p50" "$p99" "$errors" "$non2xx" >>"$results"
      log "round $round $size $server: $(( requests * 1000000 / duration )) req/s, p99 ${p99}us, errors $errors, non-2xx $non2xx"
    done
  done
done

# ---- 2. cold fan-in --------------------------------------------------------------------------------
fanin="$OUT/fanin.tsv"     # server round single_s fanin_s upstream_fetches failed_clients
: >"$fanin"
expected=$(( FANIN_MIB * 1024 * 1024 ))
upstream_fetches() { grep -c "^/slow/$1.bin 200" "$OUT/upstream/access.log" || true; }
for round in $(seq 1 "$ROUNDS"); do
  for server in nginx cache-proxy; do
    base="http://127.0.0.1:${server_port[$server]}/bench/slow"
    single="single-$server-$round"; many="fanin-$server-$round"
    fanin_object "$single"; fanin_object "$many"
    single_s=$(curl -fso /dev/null -w '%{time_total}' "$base/$single.bin")
    start=$(date +%s.%N)
    clients=()
    for _ in $(seq 1 "$FANIN_CLIENTS"); do
      curl -so /dev/null -w '%{http_code} %{size_download}\n' "$base/$many.bin" >>"$OUT/fanin-$server-$round.out" &
      clients+=($!)
    done
    wait "${clients[@]}" || true
    end=$(date +%s.%N)
    failed=$(awk -v n="$expected" '$1 != 200 || $2 != n' "$OUT/fanin-$server-$round.out" | wc -l)
    fanin_s=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
    printf '%s\t%s\t%s\t%.3f\t%s\t%s\n' "$server" "$round" "$single_s" "$fanin_s" "$(upstream_fetches "$many")" \
      "$failed" >>"$fanin"
    log "fan-in round $round $server: single ${single_s}s, $FANIN_CLIENTS clients ${fanin_s}s, upstream fetches $(upstream_fetches "$many"), failed clients $failed"
    rm -f "$OUT/files/slow/$single.bin" "$OUT/files/slow/$many.bin"
  done
done

# ---- 3. memory -------------------------------------------------------------------------------------
peak_kib=$(rss_kib "$proxy_pid" VmHWM)
log "holding $IDLE_CONNECTIONS idle keep-alive connections"
coproc IDLE { python3 "$here/idle-connections.py" 127.0.0.1 "$PROXY_PORT" "/bench/${SIZES[0]}.bin" "$IDLE_CONNECTIONS" 30; }
read -r ready <&"${IDLE[0]}"
[ "$ready" = READY ] || { echo "bench: the idle connections did not open" >&2; exit 1; }
sleep 2
idle_kib=$(rss_kib "$proxy_pid" VmRSS)
kill "$IDLE_PID" 2>/dev/null || true
nginx_kib=$(for p in $(pgrep -f "nginx.*$OUT/nginx/nginx.conf"); do rss_kib "$p" VmRSS; done | awk '{ s += $1 } END { print s }')

# ---- report ----------------------------------------------------------------------------------------
python3 "$here/report.py" "$results" "$fanin" "$peak_kib" "$idle_kib" "$nginx_kib" "$IDLE_CONNECTIONS" \
  "$CONNECTIONS" "$DURATION" "$ROUNDS" "$FANIN_CLIENTS" "$FANIN_MIB" "$FANIN_RATE" "$OUT/warmup.tsv" "$startup_ms" \
  | tee "$OUT/results.md"
