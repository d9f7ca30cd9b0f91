#!/usr/bin/env bash
# The cargo benchmark (`make bench-cargo`, issue 19): a warm `cargo fetch` of the cargo end-to-end test's
# dependency graph (hello-dep -> hello-local, abc; built with cargo package by
# cache-proxy-server/src/test/resources/cargo/make-registry.sh) with a fresh CARGO_HOME, through
# cache-proxy and through nginx proxy_cache in front of the same upstream (nginx serving the sparse
# registry), measured in the same run, alternating. The nginx cache serves a copy of the index whose
# config.json points dl at itself (nginx cannot rewrite it). Then wrk on an index file and a crate.
# Prints a table and writes it to $OUT/results.md.
#
# Needs nginx, cargo, python3, curl; wrk optional. Knobs: RUNS (9), WRK_SECONDS (10), JIT_WARMUP (10),
# OUT (/tmp/cache-proxy-bench-cargo).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
RUNS=${RUNS:-9}
OUT=${OUT:-/tmp/cache-proxy-bench-cargo}
UPSTREAM_PORT=18693
PROXY_PORT=18694
NGINX_CACHE_PORT=18695
cargo=$(command -v cargo || echo "$HOME/.cargo/bin/cargo")

source "$here/common.sh"
require_tools "" nginx python3 curl
[ -x "$cargo" ] || { log "cargo is missing"; exit 1; }
require_free_ports $UPSTREAM_PORT $PROXY_PORT $NGINX_CACHE_PORT

rm -rf "$OUT"
mkdir -p "$OUT"/{nginx,proxy,cache,project/src}
log "building the registry with cargo package"
bash "$root/cache-proxy-server/src/test/resources/cargo/make-registry.sh" "$OUT/up" "http://127.0.0.1:$UPSTREAM_PORT"
cp -r "$OUT/up/index" "$OUT/up/index-nginx"
printf '{"dl":"http://127.0.0.1:%s/crates/{crate}/{crate}-{version}.crate","api":null}\n' $NGINX_CACHE_PORT \
  >"$OUT/up/index-nginx/config.json"
printf '[package]\nname = "consumer"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\nhello-dep = "0.1"\nabc = "1"\n' \
  >"$OUT/project/Cargo.toml"
echo 'fn main() {}' >"$OUT/project/src/main.rs"

{ nginx_http_head cargo "$OUT/cache" 1g; cat <<EOF; } >"$OUT/nginx/nginx.conf"
  server { listen 127.0.0.1:$UPSTREAM_PORT; root $OUT/up; location / { try_files \$uri =404; } }
  server {
    listen 127.0.0.1:$NGINX_CACHE_PORT;
    location / {
      proxy_pass http://127.0.0.1:$UPSTREAM_PORT;
      proxy_cache cargo; proxy_cache_valid 200 1m; proxy_cache_revalidate on; proxy_cache_lock on;
      proxy_ignore_headers Cache-Control Expires;
    }
  }
}
EOF
nginx -c "$OUT/nginx/nginx.conf" -p "$OUT/nginx" -g 'daemon off; user root;' &
pids+=($!)
cat >"$OUT/proxy/config.yaml" <<EOF
server: { bind: 127.0.0.1:$PROXY_PORT, backend: $OUT/proxy/storage }
logging: { level: warn }
instances:
  - name: cargo
    enabled: true
    cargo: { route: { path: /cargo }, upstream: "http://127.0.0.1:$UPSTREAM_PORT/index/", index_fresh_for: 1m }
EOF
"$root/bin/cache-proxy" -config "$OUT/proxy/config.yaml" >"$OUT/proxy/out.log" 2>&1 &
pids+=($!)
await_urls "http://127.0.0.1:$UPSTREAM_PORT/index/config.json" "http://127.0.0.1:$PROXY_PORT/-/healthz" \
           "http://127.0.0.1:$NGINX_CACHE_PORT/index-nginx/config.json"

declare -A registries=(
  [upstream]="http://127.0.0.1:$UPSTREAM_PORT/index/"
  [cache-proxy]="http://127.0.0.1:$PROXY_PORT/cargo/"
  [nginx-proxy_cache]="http://127.0.0.1:$NGINX_CACHE_PORT/index-nginx/"
)
order=(upstream cache-proxy nginx-proxy_cache)
reversed=(nginx-proxy_cache cache-proxy upstream)

fetch() {  # registry-name; prints milliseconds
  local home="$OUT/home-$1-$RANDOM$RANDOM"
  mkdir -p "$home"
  printf '[source.crates-io]\nreplace-with = "r"\n[source.r]\nregistry = "sparse+%s"\n[net]\nretry = 0\n' \
    "${registries[$1]}" >"$home/config.toml"
  rm -f "$OUT/project/Cargo.lock"
  local t0 t1
  t0=$(date +%s%N)
  (cd "$OUT/project" && CARGO_HOME="$home" "$cargo" fetch -q >"$OUT/cargo-$1.log" 2>&1)
  t1=$(date +%s%N)
  rm -rf "$home"
  echo $(( (t1 - t0) / 1000000 ))
}

for r in "${order[@]}"; do log "warming $r"; fetch "$r" >/dev/null; done
if [ "${JIT_WARMUP:-10}" -gt 0 ] && command -v wrk >/dev/null; then
  wrk -t2 -c16 -d"${JIT_WARMUP:-10}"s "${registries[cache-proxy]}he/ll/hello-dep" >/dev/null
fi

declare -A times
for i in $(seq 1 "$RUNS"); do
  if (( i % 2 )); then seq=("${order[@]}"); else seq=("${reversed[@]}"); fi
  for r in "${seq[@]}"; do
    ms=$(fetch "$r")
    times[$r]="${times[$r]:-} $ms"
    log "run $i $r: ${ms} ms"
  done
done

declare -A urls=(
  [cache-proxy/index]="${registries[cache-proxy]}he/ll/hello-dep"
  [cache-proxy/crate]="http://127.0.0.1:$PROXY_PORT/cargo/api/v1/crates/hello-dep/0.1.0/download"
  [nginx-proxy_cache/index]="${registries[nginx-proxy_cache]}he/ll/hello-dep"
  [nginx-proxy_cache/crate]="http://127.0.0.1:$NGINX_CACHE_PORT/crates/hello-dep/hello-dep-0.1.0.crate"
)
declare -A rps
if command -v wrk >/dev/null; then
  for r in cache-proxy nginx-proxy_cache; do
    for what in index crate; do
      rps[$r/$what]=$(wrk_rps "$OUT/wrk-$r-$what.txt" "${urls[$r/$what]}")
      log "wrk $r $what: ${rps[$r/$what]} req/s"
    done
  done
fi
{
  f=$(echo "${times[upstream]}" | median)
  a=$(echo "${times[cache-proxy]}" | median)
  n=$(echo "${times[nginx-proxy_cache]}" | median)
  echo "| cargo fetch (test graph) | straight at the upstream (floor) ms | cache-proxy ms | nginx proxy_cache ms | cache-proxy / nginx |"
  echo "|---|---|---|---|---|"
  ratio_row "warm, fresh CARGO_HOME" "$f" "$a" "$n"
  if [ "${#rps[@]}" -gt 0 ]; then
    echo
    echo "| requests/s (wrk -t2 -c16) | cache-proxy | nginx proxy_cache | cache-proxy / nginx |"
    echo "|---|---|---|---|"
    for what in index crate; do
      ratio_row "$what" "${rps[cache-proxy/$what]}" "${rps[nginx-proxy_cache/$what]}"
    done
  fi
  echo
  echo "Medians of $RUNS runs each; JIT warm-up ${JIT_WARMUP:-10} s; $(nproc) cores; $("$cargo" --version | cut -d' ' -f1-2)."
  for r in "${order[@]}"; do echo "- $r:${times[$r]}"; done
} | tee "$OUT/results.md"
