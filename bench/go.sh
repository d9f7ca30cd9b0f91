#!/usr/bin/env bash
# The go benchmark (`make bench-go`, issue 18): a warm `go mod download all` of a module graph with a
# fresh GOMODCACHE, through cache-proxy and through nginx proxy_cache in front of the same upstream
# (nginx serving a GOPROXY tree), measured in the same run, alternating; then wrk on a .mod and a .zip.
# Prints a table and writes it to $OUT/results.md.
#
# The graph: MODULES modules (example.com/tree/mNNN, each requiring the two after it in a binary tree),
# in a go 1.16 graph (unpruned: every module of it is downloaded). GOSUMDB=off for all three (nginx proxy_cache
# cannot proxy a checksum database by name); cache-proxy runs with its sumdb off, so its zips get the
# layout check only. nginx proxy_cache caches every 200 for a day and ignores upstream validators.
#
# Needs nginx, go, python3, curl; wrk optional. Knobs: RUNS (7), MODULES (100), WRK_SECONDS (10),
# JIT_WARMUP (10 s of wrk before the timed runs; 0 for a freshly started server), OUT (/tmp/cache-proxy-bench-go).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
RUNS=${RUNS:-7}
MODULES=${MODULES:-100}
OUT=${OUT:-/tmp/cache-proxy-bench-go}
UPSTREAM_PORT=18593
PROXY_PORT=18594
NGINX_CACHE_PORT=18595

source "$here/common.sh"
require_tools "" nginx go python3 curl
require_free_ports $UPSTREAM_PORT $PROXY_PORT $NGINX_CACHE_PORT

rm -rf "$OUT"
mkdir -p "$OUT"/{nginx,proxy,cache,up/go,project}

log "building the GOPROXY tree ($MODULES modules)"
python3 - "$OUT/up/go" "$MODULES" <<'EOF'
import io, json, os, sys, zipfile
out, n = sys.argv[1], int(sys.argv[2])
name = lambda i: f"example.com/tree/m{i:03d}"
for i in range(n):
    mod, ver = name(i), "v1.0.0"
    reqs = [name(c) for c in (2 * i + 1, 2 * i + 2) if c < n]
    gomod = f"module {mod}\n\ngo 1.16\n" + ("\nrequire (\n" + "".join(f"\t{r} v1.0.0\n" for r in reqs) + ")\n" if reqs else "")
    pre = f"{mod}@{ver}/"
    src = f"package m{i:03d}\n\nconst Name = {mod!r}\n".replace("'", '"') + "// " + "lorem ipsum " * 400 + "\n"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for f, b in {pre + "go.mod": gomod, pre + f"m{i:03d}.go": src, pre + "LICENSE": "MIT\n"}.items():
            z.writestr(zipfile.ZipInfo(f, (2024, 1, 1, 0, 0, 0)), b)
    d = f"{out}/{mod}/@v"; os.makedirs(d, exist_ok=True)
    open(f"{d}/{ver}.info", "w").write(json.dumps({"Version": ver, "Time": "2024-01-01T00:00:00Z"}))
    open(f"{d}/{ver}.mod", "w").write(gomod)
    open(f"{d}/{ver}.zip", "wb").write(buf.getvalue())
    open(f"{d}/list", "w").write(ver + "\n")
EOF
printf 'module example.org/bench\n\ngo 1.16\n\nrequire example.com/tree/m000 v1.0.0\n' >"$OUT/project/go.mod"

log "starting the upstream nginx on :$UPSTREAM_PORT and nginx proxy_cache on :$NGINX_CACHE_PORT"
{ nginx_http_head go "$OUT/cache" 4g; cat <<EOF; } >"$OUT/nginx/nginx.conf"
  server { listen 127.0.0.1:$UPSTREAM_PORT; root $OUT/up; location / { try_files \$uri =404; } }
  server {
    listen 127.0.0.1:$NGINX_CACHE_PORT;
    location / {
      proxy_pass http://127.0.0.1:$UPSTREAM_PORT;
      proxy_cache go; proxy_cache_valid 200 1d; proxy_cache_lock on; proxy_ignore_headers Cache-Control Expires;
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
  - name: go
    enabled: true
    go: { route: { path: /go }, proxies: [ "http://127.0.0.1:$UPSTREAM_PORT/go" ], sumdb: { enabled: false } }
EOF
"$root/bin/cache-proxy" -config "$OUT/proxy/config.yaml" >"$OUT/proxy/out.log" 2>&1 &
pids+=($!)

m0=example.com/tree/m000/@v/v1.0.0.mod
await_urls "http://127.0.0.1:$UPSTREAM_PORT/go/$m0" "http://127.0.0.1:$PROXY_PORT/-/healthz" \
           "http://127.0.0.1:$NGINX_CACHE_PORT/go/$m0"

declare -A proxies=(
  [upstream]="http://127.0.0.1:$UPSTREAM_PORT/go"
  [cache-proxy]="http://127.0.0.1:$PROXY_PORT/go"
  [nginx-proxy_cache]="http://127.0.0.1:$NGINX_CACHE_PORT/go"
)
order=(upstream cache-proxy nginx-proxy_cache)
reversed=(nginx-proxy_cache cache-proxy upstream)

# One download into a fresh module cache. Prints milliseconds.
download() {  # proxy-name
  local home="$OUT/home-$1-$RANDOM$RANDOM"
  rm -f "$OUT/project/go.sum"
  local t0 t1
  t0=$(date +%s%N)
  (cd "$OUT/project" && env -i PATH=/usr/bin:/bin HOME="$home" GOPATH="$home/gopath" GOMODCACHE="$home/modcache" \
      GOCACHE="$home/gocache" GOFLAGS="-mod=mod -modcacherw" GOPROXY="${proxies[$1]}" GOSUMDB=off GOTOOLCHAIN=local \
      go mod download all >"$OUT/go-$1.log" 2>&1)
  t1=$(date +%s%N)
  rm -rf "$home"
  echo $(( (t1 - t0) / 1000000 ))
}

for r in "${order[@]}"; do
  log "warming $r"
  download "$r" >/dev/null
done

# A server that has just started runs its request path interpreted until the JIT has compiled it (a few
# thousand requests); nginx has no such phase. JIT_WARMUP seconds of wrk on each proxy first (0 skips it,
# to measure a freshly started server).
if [ "${JIT_WARMUP:-10}" -gt 0 ] && command -v wrk >/dev/null; then
  for r in cache-proxy nginx-proxy_cache; do
    wrk -t2 -c16 -d"${JIT_WARMUP:-10}"s "${proxies[$r]}/example.com/tree/m000/@v/v1.0.0.mod" >/dev/null
  done
fi

declare -A times
for i in $(seq 1 "$RUNS"); do
  if (( i % 2 )); then seq=("${order[@]}"); else seq=("${reversed[@]}"); fi
  for r in "${seq[@]}"; do
    ms=$(download "$r")
    times[$r]="${times[$r]:-} $ms"
    log "run $i $r: ${ms} ms"
  done
done


declare -A rps
if command -v wrk >/dev/null; then
  for r in cache-proxy nginx-proxy_cache; do
    for what in mod zip; do
      url="${proxies[$r]}/example.com/tree/m000/@v/v1.0.0.$what"
      rps[$r/$what]=$(wrk_rps "$OUT/wrk-$r-$what.txt" "$url")
      log "wrk $r $what: ${rps[$r/$what]} req/s"
    done
  done
fi

{
  f=$(echo "${times[upstream]}" | median)
  a=$(echo "${times[cache-proxy]}" | median)
  n=$(echo "${times[nginx-proxy_cache]}" | median)
  echo "| go mod download all ($MODULES modules) | straight at the upstream (floor) ms | cache-proxy ms | nginx proxy_cache ms | cache-proxy / nginx |"
  echo "|---|---|---|---|---|"
  ratio_row "warm, fresh GOMODCACHE" "$f" "$a" "$n"
  if [ "${#rps[@]}" -gt 0 ]; then
    echo
    echo "| requests/s (wrk -t2 -c16) | cache-proxy | nginx proxy_cache | cache-proxy / nginx |"
    echo "|---|---|---|---|"
    for what in mod zip; do
      ratio_row ".$what" "${rps[cache-proxy/$what]}" "${rps[nginx-proxy_cache/$what]}"
    done
  fi
  echo
  echo "Medians of $RUNS runs each; JIT warm-up ${JIT_WARMUP:-10} s; $(nproc) cores; $(go version | cut -d' ' -f3)."
  for r in "${order[@]}"; do echo "- $r:${times[$r]}"; done
} | tee "$OUT/results.md"
