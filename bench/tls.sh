#!/usr/bin/env bash
# The TLS benchmark (`make bench-tls`, issue 23): hits over HTTPS (HTTP/1.1) through cache-proxy with
# BoringSSL (netty-tcnative, provider: openssl), through cache-proxy with the JDK's TLS (provider: jdk),
# and from nginx serving the same files over TLS (ssl_certificate, the same ECDSA P-256 certificate, TLS 1.3,
# sendfile on: nginx's best case), in the same run, alternating, ROUNDS rounds of wrk per object; medians
# and the ratios cache-proxy / nginx. Then HTTP/2 (h2 by ALPN) with h2load, nginx (`listen … ssl http2`) against
# cache-proxy with BoringSSL: H2_REQUESTS requests over 16 connections, 8 streams each.
# Needs nginx, wrk, curl, openssl, h2load. Knobs: ROUNDS (3), WRK_SECONDS (10), H2_REQUESTS (200000), OUT.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
ROUNDS=${ROUNDS:-3}
OUT=${OUT:-/tmp/cache-proxy-bench-tls}
UPSTREAM_PORT=18541
NGINX_TLS_PORT=18542
OPENSSL_PORT=18543
JDK_PORT=18544

source "$here/common.sh"
require_tools "" nginx wrk curl openssl h2load
H2_REQUESTS=${H2_REQUESTS:-200000}
require_free_ports $UPSTREAM_PORT $NGINX_TLS_PORT $OPENSSL_PORT $JDK_PORT

rm -rf "$OUT"
mkdir -p "$OUT"/{nginx,files}
head -c 1024 /dev/urandom >"$OUT/files/1k.bin"
head -c 1048576 /dev/urandom >"$OUT/files/1m.bin"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$OUT/key.pem" -out "$OUT/cert.pem" 2>/dev/null

log "nginx: the upstream on :$UPSTREAM_PORT and the files over TLS on :$NGINX_TLS_PORT"
{
  nginx_http_head unused "$OUT/nginx/cache" 1m
  printf '  server { listen 127.0.0.1:%s; root %s; }\n' "$UPSTREAM_PORT" "$OUT/files"
  printf '  server { listen 127.0.0.1:%s ssl http2; ssl_certificate %s; ssl_certificate_key %s; ssl_protocols TLSv1.3;\n' \
    "$NGINX_TLS_PORT" "$OUT/cert.pem" "$OUT/key.pem"
  printf '    ssl_session_cache shared:tls:1m; location /files/ { alias %s/; } }\n}\n' "$OUT/files"
} >"$OUT/nginx/nginx.conf"
nginx -c "$OUT/nginx/nginx.conf" -p "$OUT/nginx" -g "daemon off; user root;" >"$OUT/nginx/out.log" 2>&1 &
pids+=($!)

# start_node name port provider : a cache-proxy with one file instance over TLS
start_node() {
  cat >"$OUT/$1.yaml" <<YAML
server:
  bind: "127.0.0.1:$2"
  backend: "$OUT/$1"
  tls: { certificate: "$OUT/cert.pem", key: "$OUT/key.pem", provider: $3 }
storage:
  min_free: 0
instances:
  - name: files
    enabled: true
    file: { route: { path: /files }, upstreams: ["http://127.0.0.1:$UPSTREAM_PORT"], default_policy: immutable }
YAML
  "$root/bin/cache-proxy" -config "$OUT/$1.yaml" >>"$OUT/$1.log" 2>&1 &
  pids+=($!)
}
start_node openssl $OPENSSL_PORT openssl
start_node jdk $JDK_PORT jdk
await_urls "http://127.0.0.1:$UPSTREAM_PORT/1k.bin"
for port in $NGINX_TLS_PORT $OPENSSL_PORT $JDK_PORT; do
  for _ in $(seq 1 100); do curl -kfs -o /dev/null "https://127.0.0.1:$port/files/1k.bin" && break; sleep 0.2; done
  for f in 1k 1m; do curl -kfs -o /dev/null "https://127.0.0.1:$port/files/$f.bin"; done
  WRK_SECONDS=15 wrk_rps "$OUT/warmup.txt" "https://127.0.0.1:$port/files/1k.bin" >/dev/null
done
grep -h "TLS with" "$OUT"/openssl.log "$OUT"/jdk.log | sed 's/^/bench: /' >&2

log "$ROUNDS rounds of wrk per object over TLS"
declare -A rps
for round in $(seq 1 "$ROUNDS"); do
  for f in 1k 1m; do
    servers=(nginx openssl jdk)
    [ $((round % 2)) -eq 0 ] && servers=(jdk openssl nginx)
    for s in "${servers[@]}"; do
      case $s in nginx) port=$NGINX_TLS_PORT ;; openssl) port=$OPENSSL_PORT ;; jdk) port=$JDK_PORT ;; esac
      rps[$s/$f]+=" $(wrk_rps "$OUT/wrk-$s-$f-$round.txt" "https://127.0.0.1:$port/files/$f.bin")"
    done
  done
done

# h2_rps port object : requests/s of h2load over h2 (16 connections, 8 concurrent streams each)
h2_rps() {
  h2load -n "$H2_REQUESTS" -c 16 -m 8 -t 2 "https://127.0.0.1:$1/files/$2" >"$OUT/h2load-$1-$2-$3.txt" 2>&1
  awk '/^finished in/ {gsub(",", "", $4); printf "%.0f", $4}' "$OUT/h2load-$1-$2-$3.txt"
}
log "$ROUNDS rounds of h2load per object over h2"
declare -A h2
for round in $(seq 1 "$ROUNDS"); do
  for f in 1k 1m; do
    n=$H2_REQUESTS
    [ "$f" = 1m ] && n=$((H2_REQUESTS / 50))
    servers=(nginx openssl)
    [ $((round % 2)) -eq 0 ] && servers=(openssl nginx)
    for s in "${servers[@]}"; do
      port=$NGINX_TLS_PORT
      [ "$s" = openssl ] && port=$OPENSSL_PORT
      h2[$s/$f]+=" $(H2_REQUESTS=$n h2_rps $port $f.bin $round)"
    done
  done
done

{
  echo "| object | nginx TLS req/s | cache-proxy BoringSSL req/s | cache-proxy JDK TLS req/s | BoringSSL / nginx | JDK / nginx |"
  echo "|---|---:|---:|---:|---:|---:|"
  for f in 1k 1m; do
    n=$(echo "${rps[nginx/$f]}" | median)
    o=$(echo "${rps[openssl/$f]}" | median)
    j=$(echo "${rps[jdk/$f]}" | median)
    awk -v f="$f" -v n="$n" -v o="$o" -v j="$j" \
      'BEGIN { printf "| %s | %d | %d | %d | %.2fx | %.2fx |\n", f, n, o, j, o / n, j / n }'
  done
  echo
  echo "| object over h2 | nginx req/s | cache-proxy BoringSSL req/s | ratio |"
  echo "|---|---:|---:|---:|"
  for f in 1k 1m; do
    n=$(echo "${h2[nginx/$f]}" | median)
    o=$(echo "${h2[openssl/$f]}" | median)
    awk -v f="$f" -v n="$n" -v o="$o" 'BEGIN { printf "| %s | %d | %d | %.2fx |\n", f, n, o, o / n }'
  done
} | tee "$OUT/results.md"
