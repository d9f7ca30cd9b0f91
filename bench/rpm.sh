#!/usr/bin/env bash
# The rpm benchmark (`make bench-rpm`, issue 20): `dnf makecache` + `dnf install --downloadonly` of the rpm
# end-to-end test's packages (cache-proxy-server/src/test/resources/rpm/make-repo.sh: rpmbuild, createrepo_c,
# a signed repomd.xml) with a fresh dnf cache per run, through cache-proxy and through nginx proxy_cache in
# front of the same upstream (nginx serving the repository), in the same run, alternating: the first (cold)
# run of each, then RUNS warm runs. Prints a table and writes it to $OUT/results.md.
#
# Needs nginx, dnf, rpmbuild, createrepo_c, gpg, curl. Knobs: RUNS (7), OUT (/tmp/cache-proxy-bench-rpm).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
RUNS=${RUNS:-7}
OUT=${OUT:-/tmp/cache-proxy-bench-rpm}
UPSTREAM_PORT=18893
PROXY_PORT=18894
NGINX_CACHE_PORT=18895

source "$here/common.sh"
require_tools "" nginx dnf rpmbuild createrepo_c gpg curl
require_free_ports $UPSTREAM_PORT $PROXY_PORT $NGINX_CACHE_PORT
rm -rf "$OUT"
mkdir -p "$OUT"/{nginx,proxy,cache,up}
log "building the repository (rpmbuild, createrepo_c)"
bash "$root/cache-proxy-server/src/test/resources/rpm/make-repo.sh" init "$OUT/up/rpm" >/dev/null

{ nginx_http_head rpm "$OUT/cache" 1g; cat <<EOF; } >"$OUT/nginx/nginx.conf"
  server { listen 127.0.0.1:$UPSTREAM_PORT; root $OUT/up; location / { try_files \$uri =404; } }
  server {
    listen 127.0.0.1:$NGINX_CACHE_PORT;
    location / {
      proxy_pass http://127.0.0.1:$UPSTREAM_PORT;
      proxy_cache rpm; proxy_cache_valid 200 1m; proxy_cache_revalidate on; proxy_cache_lock on;
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
  - name: rpm
    enabled: true
    rpm: { route: { path: /rpm }, upstreams: [ "http://127.0.0.1:$UPSTREAM_PORT" ] }
EOF
"$root/bin/cache-proxy" -config "$OUT/proxy/config.yaml" >"$OUT/proxy/out.log" 2>&1 &
pids+=($!)
await_urls "http://127.0.0.1:$UPSTREAM_PORT/rpm/repodata/repomd.xml" "http://127.0.0.1:$PROXY_PORT/-/healthz" \
           "http://127.0.0.1:$NGINX_CACHE_PORT/rpm/repodata/repomd.xml"
declare -A base=(
  [upstream]="http://127.0.0.1:$UPSTREAM_PORT/rpm"
  [cache-proxy]="http://127.0.0.1:$PROXY_PORT/rpm/rpm"
  [nginx-proxy_cache]="http://127.0.0.1:$NGINX_CACHE_PORT/rpm"
)
order=(upstream cache-proxy nginx-proxy_cache)
reversed=(nginx-proxy_cache cache-proxy upstream)

run() {  # name; prints milliseconds of makecache + download into a fresh dnf tree
  local d="$OUT/dnf-$1-$RANDOM$RANDOM"
  mkdir -p "$d"/{repos,root,cache,dl,persist}
  printf '[main]\nreposdir=%s/repos\ncachedir=%s/cache\nlogdir=%s\npersistdir=%s/persist\ngpgcheck=0\n' "$d" "$d" "$d" "$d" >"$d/dnf.conf"
  printf '[local]\nname=local\nbaseurl=%s\nenabled=1\ngpgcheck=0\nrepo_gpgcheck=1\ngpgkey=file://%s\nmetadata_expire=0\n' \
    "${base[$1]}" "$OUT/up/rpm/RPM-GPG-KEY-local" >"$d/repos/local.repo"
  local dnf=(dnf -y -q -c "$d/dnf.conf" --installroot="$d/root" --releasever=1 --setopt=reposdir="$d/repos"
             --setopt=cachedir="$d/cache" --noplugins)
  local t0 t1
  t0=$(date +%s%N)
  "${dnf[@]}" makecache >"$OUT/dnf-$1.log" 2>&1
  "${dnf[@]}" install --downloadonly --downloaddir="$d/dl" hello-dep hello-bin >>"$OUT/dnf-$1.log" 2>&1
  t1=$(date +%s%N)
  rm -rf "$d"
  echo $(( (t1 - t0) / 1000000 ))
}
declare -A cold
for r in "${order[@]}"; do cold[$r]=$(run "$r"); log "cold $r: ${cold[$r]} ms"; done
sleep 3 # cache-proxy publishes the root's first generation
declare -A times
for i in $(seq 1 "$RUNS"); do
  if (( i % 2 )); then seq=("${order[@]}"); else seq=("${reversed[@]}"); fi
  for r in "${seq[@]}"; do
    ms=$(run "$r")
    times[$r]="${times[$r]:-} $ms"
    log "run $i $r: ${ms} ms"
  done
done
{
  f=$(echo "${times[upstream]}" | median)
  a=$(echo "${times[cache-proxy]}" | median)
  n=$(echo "${times[nginx-proxy_cache]}" | median)
  echo "| dnf makecache + download (test repository) | straight at the upstream ms | cache-proxy ms | nginx proxy_cache ms | cache-proxy / nginx |"
  echo "|---|---|---|---|---|"
  ratio_row "cold (first run)" "${cold[upstream]}" "${cold[cache-proxy]}" "${cold[nginx-proxy_cache]}"
  ratio_row "warm (median of runs)" "$f" "$a" "$n"
  echo
  echo "$RUNS warm runs each, fresh dnf cache per run; $(nproc) cores; $(dnf --version | head -1 | sed 's/^/dnf /')."
  for r in "${order[@]}"; do echo "- $r:${times[$r]}"; done
} | tee "$OUT/results.md"
