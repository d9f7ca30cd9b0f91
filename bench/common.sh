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

# nginx_http_head zone cache_dir max_size : the start of a bench nginx.conf on stdout: one worker, no access
# log, temp paths below $OUT/nginx and the proxy_cache zone `zone` in cache_dir. The caller appends its
# server blocks and the closing brace.
nginx_http_head() {
  cat <<CONF
worker_processes 1;
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/error.log warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  sendfile on;
  client_body_temp_path $OUT/nginx/body; proxy_temp_path $OUT/nginx/proxy;
  fastcgi_temp_path $OUT/nginx/fastcgi; uwsgi_temp_path $OUT/nginx/uwsgi; scgi_temp_path $OUT/nginx/scgi;
  proxy_cache_path $2 levels=1:2 keys_zone=$1:16m max_size=$3 inactive=1d use_temp_path=off;
CONF
}

# wrk_rps file url [wrk options...] : the requests/s of `wrk -t2 -c16` for WRK_SECONDS (10) against url;
# wrk's whole output is kept in file
wrk_rps() {
  local file=$1 url=$2; shift 2
  wrk -t2 -c16 -d"${WRK_SECONDS:-10}"s "$@" "$url" >"$file"
  awk '/Requests\/sec/ {printf "%.0f", $2}' "$file"
}

# ratio_row label value... : a Markdown table row of the values and the ratio of the last two ("1.05x")
ratio_row() {
  local label=$1; shift
  local row="| $label |" v
  for v in "$@"; do row="$row $v |"; done
  awk -v r="$row" -v a="${*: -2:1}" -v b="${*: -1}" 'BEGIN { printf "%s %.2fx |\n", r, a / b }'
}

# over_first_row value... : a Markdown row of the values, then each later value over the first ("1.05x"):
# the cold benches' "through a proxy / straight" row
over_first_row() {
  awk 'BEGIN { row = "|"; for (i = 1; i < ARGC; i++) row = row " " ARGV[i] " |"
               for (i = 2; i < ARGC; i++) row = row sprintf(" %.2fx |", ARGV[i] / ARGV[1]); print row }' "$@"
}

# start_empty_proxy config storage port log : a cache-proxy started on emptied storage (a cold run's proxy),
# ready; prints its PID. stop_server PID stops it and waits until it is gone (the next run reuses the port).
start_empty_proxy() {
  rm -rf "$2"
  "$root/bin/cache-proxy" -config "$1" >>"$4" 2>&1 &
  local pid=$!
  await_urls "http://127.0.0.1:$3/-/readyz" >&2
  echo "$pid"
}
stop_server() {
  kill "$1" 2>/dev/null || true
  while kill -0 "$1" 2>/dev/null; do sleep 0.05; done
}
