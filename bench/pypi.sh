#!/usr/bin/env bash
# The pypi benchmark (`make bench-pypi`, issue 17): a warm `pip install` of a real dependency set from
# the machine's PyPI tree (/opt/pypi, served by nginx as the upstream) through cache-proxy and through
# nginx proxy_cache in front of the same upstream, measured in the same run, alternating; then wrk on a
# project page and a wheel through each. Prints a table and writes it to $OUT/results.md.
#
# Each run: a fresh venv made before the clock starts, `pip --isolated --no-cache-dir install
# --no-compile` of PACKAGES (so every page and file is asked of the proxy). Both caches are warmed by
# one install first. nginx proxy_cache caches every 200 for a day and ignores the upstream's
# validators (the most favourable setting for it); pip reads its HTML pages with relative links, so it
# needs no rewriting. cache-proxy runs with its defaults (index_fresh_for: 1m).
#
# Needs nginx, python3 (venv), curl; wrk optional. Knobs: RUNS (5), PACKAGES ("requests boto3 numpy"),
# TREE (/opt/pypi), WRK_SECONDS (10), OUT (/tmp/cache-proxy-bench-pypi).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
RUNS=${RUNS:-5}
PACKAGES=${PACKAGES:-requests boto3 numpy}
TREE=${TREE:-/opt/pypi}
OUT=${OUT:-/tmp/cache-proxy-bench-pypi}
UPSTREAM_PORT=18493
PROXY_PORT=18494
NGINX_CACHE_PORT=18495

source "$here/common.sh"
require_tools "" nginx python3 curl
require_free_ports $UPSTREAM_PORT $PROXY_PORT $NGINX_CACHE_PORT
[ -d "$TREE/simple" ] || { log "$TREE/simple is missing: set TREE to a PEP 503 tree"; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT"/{nginx,proxy,venvs,nginx-cache/cache}

log "starting the upstream nginx on :$UPSTREAM_PORT and nginx proxy_cache on :$NGINX_CACHE_PORT"
{ nginx_http_head pypi "$OUT/nginx-cache/cache" 8g; cat <<EOF; } >"$OUT/nginx/nginx.conf"
  server {
    listen 127.0.0.1:$UPSTREAM_PORT;
    root $TREE;
    location / { try_files \$uri \$uri/ =404; }
  }
  server {
    listen 127.0.0.1:$NGINX_CACHE_PORT;
    location / {
      proxy_pass http://127.0.0.1:$UPSTREAM_PORT;
      proxy_cache pypi;
      proxy_cache_valid 200 1d;
      proxy_cache_lock on;
      proxy_ignore_headers Cache-Control Expires;
    }
  }
}
EOF
nginx -c "$OUT/nginx/nginx.conf" -p "$OUT/nginx" -g 'daemon off; user root;' &
pids+=($!)

log "starting cache-proxy on :$PROXY_PORT"
cat >"$OUT/proxy/config.yaml" <<EOF
server: { bind: 127.0.0.1:$PROXY_PORT, backend: $OUT/proxy/storage }
logging: { level: warn }
instances:
  - name: pypi
    enabled: true
    pypi: { route: { path: /pypi }, upstream: "http://127.0.0.1:$UPSTREAM_PORT/" }
EOF
"$root/bin/cache-proxy" -config "$OUT/proxy/config.yaml" >"$OUT/proxy/out.log" 2>&1 &
pids+=($!)

await_urls "http://127.0.0.1:$UPSTREAM_PORT/simple/" "http://127.0.0.1:$PROXY_PORT/-/healthz" \
           "http://127.0.0.1:$NGINX_CACHE_PORT/simple/"

declare -A indexes=(
  [upstream]="http://127.0.0.1:$UPSTREAM_PORT/simple/"
  [cache-proxy]="http://127.0.0.1:$PROXY_PORT/pypi/simple/"
  [nginx-proxy_cache]="http://127.0.0.1:$NGINX_CACHE_PORT/simple/"
)
# "upstream" is nginx serving the tree directly: the floor, what pip itself costs
order=(upstream cache-proxy nginx-proxy_cache)
reversed=(nginx-proxy_cache cache-proxy upstream)

# One install into a fresh venv (made before the clock starts). Prints milliseconds.
install() {  # index-name
  local venv="$OUT/venvs/$1-$RANDOM$RANDOM"
  python3 -m venv "$venv"
  local t0 t1
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  "$venv/bin/pip" --isolated --disable-pip-version-check --no-cache-dir --retries 0 install --no-compile \
      --index-url "${indexes[$1]}" $PACKAGES >"$OUT/pip-$1.log" 2>&1
  t1=$(date +%s%N)
  rm -rf "$venv"
  echo $(( (t1 - t0) / 1000000 ))
}

for r in "${order[@]}"; do
  log "warming $r"
  install "$r" >/dev/null
done

declare -A times
for i in $(seq 1 "$RUNS"); do
  if (( i % 2 )); then seq=("${order[@]}"); else seq=("${reversed[@]}"); fi
  for r in "${seq[@]}"; do
    ms=$(install "$r")
    times[$r]="${times[$r]:-} $ms"
    log "run $i $r: ${ms} ms"
  done
done


# Server side: requests/s for one project page (pip's Accept) and one wheel, wrk -t2 -c16
accept='application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01'
wheel=$(ls "$TREE/files" | grep -m1 '^requests-.*\.whl$')
proxy_wheel=$(curl -fs -H "Accept: application/vnd.pypi.simple.v1+json" "${indexes[cache-proxy]}requests/" \
  | python3 -c 'import json, sys; w = sys.argv[1]; print(next(f["url"] for f in json.load(sys.stdin)["files"] if f["filename"] == w))' "$wheel")
declare -A urls=(
  [cache-proxy/page]="${indexes[cache-proxy]}requests/" [cache-proxy/wheel]="$proxy_wheel"
  [nginx-proxy_cache/page]="${indexes[nginx-proxy_cache]}requests/"
  [nginx-proxy_cache/wheel]="http://127.0.0.1:$NGINX_CACHE_PORT/files/$wheel"
)
declare -A rps
if command -v wrk >/dev/null; then
  for r in cache-proxy nginx-proxy_cache; do
    for what in page wheel; do
      curl -fs -o /dev/null -H "Accept: $accept" "${urls[$r/$what]}"
      rps[$r/$what]=$(wrk_rps "$OUT/wrk-$r-$what.txt" "${urls[$r/$what]}" -H "Accept: $accept")
      log "wrk $r $what: ${rps[$r/$what]} req/s"
    done
  done
fi

{
  f=$(echo "${times[upstream]}" | median)
  a=$(echo "${times[cache-proxy]}" | median)
  n=$(echo "${times[nginx-proxy_cache]}" | median)
  echo "| pip install $PACKAGES | pip straight at the upstream (floor) ms | cache-proxy ms | nginx proxy_cache ms | cache-proxy / nginx |"
  echo "|---|---|---|---|---|"
  ratio_row "warm" "$f" "$a" "$n"
  if [ "${#rps[@]}" -gt 0 ]; then
    echo
    echo "| requests/s (wrk -t2 -c16) | cache-proxy | nginx proxy_cache | cache-proxy / nginx |"
    echo "|---|---|---|---|"
    for what in page wheel; do
      ratio_row "$what" "${rps[cache-proxy/$what]}" "${rps[nginx-proxy_cache/$what]}"
    done
  fi
  echo
  echo "Medians of $RUNS runs each; fresh venv, --no-cache-dir per run; $(nproc) cores; $(python3 -m pip --version | cut -d' ' -f1-2);"
  echo "page: /simple/requests/ with pip's Accept (cache-proxy answers PEP 691 JSON, nginx the tree's HTML); wheel: $wheel."
  for r in "${order[@]}"; do echo "- $r:${times[$r]}"; done
} | tee "$OUT/results.md"
