#!/usr/bin/env bash
# The deb benchmark (`make bench-deb`, issue 7): a warm `apt-get update` plus `apt-get download` of a set of
# packages through cache-proxy and through apt-cacher-ng, both in front of the same local archive (nginx
# serving the test archive of deb/make-repository.sh plus its "large" suite: every .deb in apt's cache),
# measured in the same run, alternating. Prints a table and writes it to $OUT/results.md.
#
# Each run uses a fresh apt state tree (no lists, no archives), so every InRelease, index and package is
# asked of the proxy. Both proxies are warmed by one full run first (and cache-proxy is given time to publish
# its generations). The upstream straight, without a proxy, is measured too, as a reference. Each run starts
# after a `sync`, so that no run writes back what the one before left in the page cache; a cold run is also
# reported until what it stored is on disk (the run, then `sync`): cache-proxy fsyncs, apt-cacher-ng does not.
#
# Needs nginx, apt-get, dpkg-dev, apt-utils, gnupg, xz-utils, apt-cacher-ng (.ci/run installs them).
# Cold runs come in two kinds: a just-started process with an empty cache (COLD_RUNS), and packages neither proxy
# has seen asked of the running, warmed-up proxies (NEW_RUNS; a fresh slice of the large suite each run, read
# into the page cache first so the upstream's disk favours neither) -- what a long-running server's users see.
# Knobs: RUNS per proxy (7), COLD_RUNS per proxy (3), NEW_RUNS per proxy (3), PACKAGES downloaded per run (60),
# OUT (/tmp/cache-proxy-bench-deb), DELAY_MS (0; with more, the archive is reached through bench/delay-proxy.py,
# DELAY_MS each way -- an archive far away, as an office's is -- by both proxies and by the straight runs),
# APT_OPTS (more options for every apt-get, e.g. "-o Acquire::http::Pipeline-Depth=0").
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
RUNS=${RUNS:-7}
COLD_RUNS=${COLD_RUNS:-3}
NEW_RUNS=${NEW_RUNS:-3}
PACKAGES=${PACKAGES:-60}
OUT=${OUT:-/tmp/cache-proxy-bench-deb}
UPSTREAM_PORT=18396
FAR_PORT=18399
DELAY_MS=${DELAY_MS:-0}
PROXY_PORT=18397
ACNG_PORT=18398

source "$here/common.sh"
require_tools "" nginx apt-get apt-ftparchive dpkg-scanpackages gpg xz
[ -x /usr/sbin/apt-cacher-ng ] || { log "apt-cacher-ng is missing (apt-get install apt-cacher-ng)"; exit 1; }
require_free_ports $UPSTREAM_PORT $PROXY_PORT $ACNG_PORT $FAR_PORT

rm -rf "$OUT"; mkdir -p "$OUT"/{nginx,proxy,acng/conf,acng/cache,acng/log,runs}
log "building the archive (test suites + every .deb in /var/cache/apt/archives)"
bash "$root/cache-proxy-server/src/test/resources/deb/make-repository.sh" init "$OUT/up/deb"
bash "$root/cache-proxy-server/src/test/resources/deb/make-repository.sh" large "$OUT/up/deb"
sync # the archive's 2.6 GB written back now, not under the first cold run (which is cache-proxy's)

log "starting the upstream nginx on :$UPSTREAM_PORT"
cat >"$OUT/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/error.log warn;
events { worker_connections 256; }
http {
  access_log off; sendfile on;
  client_body_temp_path $OUT/nginx/body; proxy_temp_path $OUT/nginx/proxy;
  fastcgi_temp_path $OUT/nginx/fastcgi; uwsgi_temp_path $OUT/nginx/uwsgi; scgi_temp_path $OUT/nginx/scgi;
  server { listen 127.0.0.1:$UPSTREAM_PORT; root $OUT/up; location / { try_files \$uri =404; } }
}
CONF
nginx -c "$OUT/nginx/nginx.conf" -g "daemon off; user root;" &
pids+=($!)
archive_port=$UPSTREAM_PORT # where the proxies and the straight runs find the archive
if (( DELAY_MS > 0 )); then
  log "the archive $((2 * DELAY_MS)) ms away: bench/delay-proxy.py on :$FAR_PORT"
  python3 "$here/delay-proxy.py" "$FAR_PORT" 127.0.0.1 "$UPSTREAM_PORT" "$DELAY_MS" &
  pids+=($!)
  archive_port=$FAR_PORT
fi

cat >"$OUT/proxy/config.yaml" <<CONF
server: { bind: 127.0.0.1:$PROXY_PORT, backend: $OUT/proxy/storage }
instances:
  - name: deb
    enabled: true
    deb:
      route: { path: /deb }
      upstreams: [ "http://127.0.0.1:$archive_port/deb" ]
CONF
cat >"$OUT/acng/conf/acng.conf" <<CONF
CacheDir: $OUT/acng/cache
LogDir: $OUT/acng/log
SupportDir: /usr/lib/apt-cacher-ng
Port: $ACNG_PORT
BindAddress: 127.0.0.1
ForeGround: 1
PidFile: $OUT/acng/acng.pid
Remap-localdeb: /deb ; http://127.0.0.1:$archive_port/deb
AllowUserPorts: 80 $archive_port
ExThreshold: 4
CONF

# start_proxies: both proxies started afresh, each with an empty cache (a cold run is a just-started process
# with nothing stored: what a new install or a restarted node with a wiped cache sees)
start_proxies() {
  rm -rf "$OUT/proxy/storage" "$OUT/acng/cache"; mkdir -p "$OUT/acng/cache"
  "$root/bin/cache-proxy" -config "$OUT/proxy/config.yaml" >"$OUT/proxy/out.log" 2>&1 &
  proxy_pid=$!; pids+=($proxy_pid)
  /usr/sbin/apt-cacher-ng -c "$OUT/acng/conf" >"$OUT/acng/out.log" 2>&1 &
  acng_pid=$!; pids+=($acng_pid)
  for port in $archive_port $PROXY_PORT $ACNG_PORT; do
    for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  done
}
stop_proxies() {
  kill "$proxy_pid" "$acng_pid" 2>/dev/null || true
  wait "$proxy_pid" "$acng_pid" 2>/dev/null || true
}

# the first PACKAGES packages of the large suite, and hello-bin from bookworm
mapfile -t pkgs < <(grep '^Package: ' "$OUT/up/deb/dists/large/main/binary-amd64/Packages" | head -n "$PACKAGES" \
  | sed 's/^Package: //; s|$|/large|')
pkgs+=(hello-bin/bookworm)
want=("${pkgs[@]}") # what run() downloads

# one measured run: fresh state, update + download; prints seconds
run() { # name base-url
  local t=$OUT/runs/$1-$RANDOM$RANDOM
  mkdir -p "$t"/{etc/sources.list.d,etc/preferences.d,state/lists/partial,cache/archives/partial,dl}
  : >"$t/state/status"
  printf 'deb [arch=amd64 signed-by=%s] %s large main\ndeb [arch=amd64 signed-by=%s] %s bookworm main contrib\n' \
    "$OUT/up/deb/key.gpg" "$2" "$OUT/up/deb/key.gpg" "$2" >"$t/etc/sources.list"
  local o=(-o Dir::Etc::sourcelist="$t/etc/sources.list" -o Dir::Etc::sourceparts="$t/etc/sources.list.d"
    -o Dir::Etc::preferencesparts="$t/etc/preferences.d" -o Dir::State="$t/state" -o Dir::State::status="$t/state/status"
    -o Dir::Cache="$t/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User="$(id -un)" -o Acquire::Retries=0
    ${APT_OPTS:-})
  local start mid end
  sync # what the run before left to write back (apt-cacher-ng does not fsync) is not written during this one
  start=$(date +%s.%N)
  (cd "$t/dl" && apt-get "${o[@]}" -q update >"$t/update.log" 2>&1) \
    || { log "$1 run failed: see $t"; tail -5 "$t"/*.log >&2; exit 1; }
  mid=$(date +%s.%N)
  (cd "$t/dl" && apt-get "${o[@]}" -q download "${want[@]}" >"$t/download.log" 2>&1) \
    || { log "$1 run failed: see $t"; tail -5 "$t"/*.log >&2; exit 1; }
  end=$(date +%s.%N)
  grep -q '^[WE]:' "$t/update.log" && { log "$1: apt-get update warned: $(grep '^[WE]:' "$t/update.log" | head -2)"; exit 1; }
  # total, then its two phases (apt-get update, apt-get download)
  echo "$(echo "$end - $start" | bc) $(echo "$mid - $start" | bc) $(echo "$end - $mid" | bc)"
  rm -rf "$t"
}

declare -A url=(
  [upstream]="http://127.0.0.1:$archive_port/deb"
  [cache-proxy]="http://127.0.0.1:$PROXY_PORT/deb"
  [apt-cacher-ng]="http://127.0.0.1:$ACNG_PORT/deb"
)
log "cold runs: $COLD_RUNS per proxy, each against a just-started process with an empty cache"
cold_proxy=""; cold_acng=""; cold_proxy_u=""; cold_proxy_d=""; cold_acng_u=""; cold_acng_d=""; cold_proxy_w=""; cold_acng_w=""
for i in $(seq "$COLD_RUNS"); do
  start_proxies
  if (( i % 2 )); then order=(cache-proxy apt-cacher-ng); else order=(apt-cacher-ng cache-proxy); fi
  for name in "${order[@]}"; do
    read -r s u d < <(run "$name" "${url[$name]}")
    # and until what it stored is on disk: cache-proxy has fsynced its files, apt-cacher-ng leaves them to the kernel
    w0=$(date +%s.%N); sync; w=$(echo "$s + $(date +%s.%N) - $w0" | bc)
    if [ "$name" = cache-proxy ]; then cold_proxy="$cold_proxy $s"; cold_proxy_u="$cold_proxy_u $u"; cold_proxy_d="$cold_proxy_d $d"; cold_proxy_w="$cold_proxy_w $w"
    else cold_acng="$cold_acng $s"; cold_acng_u="$cold_acng_u $u"; cold_acng_d="$cold_acng_d $d"; cold_acng_w="$cold_acng_w $w"; fi
    log "cold run $i $name: ${s}s (update ${u}s, download ${d}s; on disk after ${w}s)"
  done
  (( i == COLD_RUNS )) || stop_proxies
done
for _ in $(seq 100); do grep -q 'dists/large: published generation' "$OUT/proxy/out.log" && break; sleep 0.2; done
sleep 3 # the generation refresh triggered by the index requests of the cold run
run cache-proxy "${url[cache-proxy]}" >/dev/null
run apt-cacher-ng "${url[apt-cacher-ng]}" >/dev/null

declare -A times=()
for i in $(seq "$RUNS"); do
  if (( i % 2 )); then order=(upstream cache-proxy apt-cacher-ng); else order=(apt-cacher-ng cache-proxy upstream); fi
  for name in "${order[@]}"; do
    read -r s _ _ < <(run "$name" "${url[$name]}")
    times[$name]="${times[$name]:-} $s"
    log "run $i $name: ${s}s"
  done
done

log "new-package runs: $NEW_RUNS per proxy, each a slice of $PACKAGES packages neither proxy has fetched"
new_proxy=""; new_acng=""
for i in $(seq "$NEW_RUNS"); do
  mapfile -t want < <(grep '^Package: ' "$OUT/up/deb/dists/large/main/binary-amd64/Packages" \
    | sed -n "$(( 200 + (i - 1) * PACKAGES )),$(( 199 + i * PACKAGES ))p" | sed 's/^Package: //; s|$|/large|')
  for p in "${want[@]}"; do cat "$OUT/up/deb/pool/large/${p%/large}"_*.deb; done >/dev/null
  if (( i % 2 )); then order=(cache-proxy apt-cacher-ng); else order=(apt-cacher-ng cache-proxy); fi
  for name in "${order[@]}"; do
    read -r _ _ d < <(run "$name" "${url[$name]}")
    if [ "$name" = cache-proxy ]; then new_proxy="$new_proxy $d"; else new_acng="$new_acng $d"; fi
    log "new-package run $i $name: download ${d}s"
  done
done
want=("${pkgs[@]}")

mp=$(echo "${times[cache-proxy]}" | median)
ma=$(echo "${times[apt-cacher-ng]}" | median)
mcp=$(echo "$cold_proxy" | median)
mca=$(echo "$cold_acng" | median)
mu=$(echo "${times[upstream]}" | median)
bytes=$(du -sb --apparent-size $(printf "$OUT/up/deb/pool/large/%s_*.deb " $(printf '%s\n' "${pkgs[@]}" | sed 's|/.*||' | head -n "$PACKAGES")) 2>/dev/null | awk '{s+=$1} END {print s}')
{
  echo "| client path | median s (of $RUNS) | runs (s) |"
  echo "|---|---:|---|"
  echo "| upstream nginx, no proxy | $mu |${times[upstream]} |"
  echo "| cache-proxy | $mp |${times[cache-proxy]} |"
  echo "| apt-cacher-ng | $ma |${times[apt-cacher-ng]} |"
  echo
  echo "| cache-proxy, cold | $mcp |$cold_proxy |"
  echo "| apt-cacher-ng, cold | $mca |$cold_acng |"
  echo
  echo "Cold phases, medians: cache-proxy update $(echo "$cold_proxy_u" | median) s + download $(echo "$cold_proxy_d" | median) s;"
  echo "apt-cacher-ng update $(echo "$cold_acng_u" | median) s + download $(echo "$cold_acng_d" | median) s."
  echo "Until what the cold run stored is on disk (the run, then \`sync\`): cache-proxy $(echo "$cold_proxy_w" | median) s,"
  echo "apt-cacher-ng $(echo "$cold_acng_w" | median) s."
  echo
  echo "| download of $PACKAGES packages new to a running proxy | median s (of $NEW_RUNS) | runs (s) |"
  echo "|---|---:|---|"
  echo "| cache-proxy | $(echo "$new_proxy" | median) |$new_proxy |"
  echo "| apt-cacher-ng | $(echo "$new_acng" | median) |$new_acng |"
  echo
  echo "Ratio apt-cacher-ng / cache-proxy (time): warm **$(echo "scale=2; $ma / $mp" | bc)**, cold **$(echo "scale=2; $mca / $mcp" | bc)**,"
  echo "new packages **$(echo "scale=2; $(echo "$new_acng" | median) / $(echo "$new_proxy" | median)" | bc)**."
  if (( DELAY_MS > 0 )); then echo "The archive was $((2 * DELAY_MS)) ms away (bench/delay-proxy.py), for the straight runs too."; fi
  echo "Each run: fresh apt state, \`apt-get update\` (bookworm main+contrib, large main; amd64) and \`apt-get download\` of"
  echo "$(( ${#pkgs[@]} )) packages (about $(( ${bytes:-0} / 1048576 )) MiB)."
} | tee "$OUT/results.md"
