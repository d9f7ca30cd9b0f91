#!/usr/bin/env bash
# The npm benchmark (`make bench-npm`, issue 4): a warm `npm install` through cache-proxy and through
# verdaccio 6.8.0, both in front of the same local registry (nginx serving a tree built with npm pack),
# measured in the same run, alternating. Prints a table and writes it to $OUT/results.md.
#
# Two projects:
#   test: the npm end-to-end test's project (@localtest/hello-dep -> hello-local, hello-util);
#   tree: TREE_PACKAGES synthetic packages in a dependency tree (each depends on two others).
# Each run: a fresh npm cache, no node_modules, no lockfile (so every packument and every tarball is
# asked of the proxy), `npm install --no-audit`. Both proxies are warmed by one install first.
# cache-proxy runs two instances: /npm with the defaults (every packument revalidated upstream,
# a conditional GET) and /npm-2m with metadata_fresh_for: 2m, verdaccio's default maxage.
#
# Then wrk (if installed) measures requests/s for one packument and one tarball through each proxy.
#
# Then the cold path (issue 28): the same tree served again behind bench/delay-proxy.py, which adds
# DELAY_MS (20) each way (a 40 ms round trip, a registry far away). COLD_RUNS times, alternating: npm
# straight at the far registry; through a cache-proxy started with empty storage; through a verdaccio
# started with empty storage. Reported as each proxy's time over the straight time.
#
# Needs nginx, node/npm, curl; wrk optional. verdaccio 6.8.0 is installed from the npm registry into $OUT/verdaccio
# unless VERDACCIO points at an existing verdaccio binary (6.9+ needs Node 22).
# Knobs: RUNS per proxy and project (7), TREE_PACKAGES (150), WRK_SECONDS (10), COLD_RUNS (5; 0 skips the
# cold part), DELAY_MS (20), OUT (/tmp/cache-proxy-bench-npm).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
RUNS=${RUNS:-7}
TREE_PACKAGES=${TREE_PACKAGES:-150}
OUT=${OUT:-/tmp/cache-proxy-bench-npm}
UPSTREAM_PORT=18393
PROXY_PORT=18394
VERDACCIO_PORT=18395
FAR_PORT=18396
COLD_PROXY_PORT=18397
COLD_VERDACCIO_PORT=18398
COLD_RUNS=${COLD_RUNS:-5}
DELAY_MS=${DELAY_MS:-20}

source "$here/common.sh"
require_tools "" nginx node npm curl
require_free_ports $UPSTREAM_PORT $PROXY_PORT $VERDACCIO_PORT $FAR_PORT $COLD_PROXY_PORT $COLD_VERDACCIO_PORT

mkdir -p "$OUT"
rm -rf "$OUT"/{up,nginx,proxy,verdaccio-storage,projects,caches,cold}
mkdir -p "$OUT"/{up,nginx,proxy,projects,caches,cold}
base="http://127.0.0.1:$UPSTREAM_PORT/npm"

log "building the registry (test packages + $TREE_PACKAGES tree packages)"
bash "$root/cache-proxy-server/src/test/resources/npm/make-registry.sh" "$OUT/up/npm" "$base"
node - "$OUT/up/npm" "$base" "$TREE_PACKAGES" <<'EOF'
// tree-NNN 1.0.0 depends on tree-(2N+1) and tree-(2N+2); tarballs are what npm pack makes:
// a gzipped tar of package/{package.json,index.js,README.md}
const fs = require("fs"), path = require("path"), crypto = require("crypto"), zlib = require("zlib");
const [out, base, count] = [process.argv[2], process.argv[3], +process.argv[4]];
function tar(files) {
  const blocks = [];
  for (const [name, body] of Object.entries(files)) {
    const h = Buffer.alloc(512);
    h.write("package/" + name, 0); h.write("0000644\0", 100); h.write("0000000\0", 108); h.write("0000000\0", 116);
    h.write(body.length.toString(8).padStart(11, "0") + "\0", 124); h.write("14000000000\0", 136);
    h.write("        ", 148); h.write("0", 156); h.write("ustar\0", 257); h.write("00", 263);
    let sum = 0; for (const b of h) sum += b; h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
    blocks.push(h, body, Buffer.alloc((512 - body.length % 512) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return zlib.gzipSync(Buffer.concat(blocks));
}
const name = i => "tree-" + String(i).padStart(3, "0");
for (let i = 0; i < count; i++) {
  const deps = {};
  for (const c of [2 * i + 1, 2 * i + 2]) if (c < count) deps[name(c)] = "^1.0.0";
  const pj = {name: name(i), version: "1.0.0", description: "bench package " + i, main: "index.js", license: "MIT", dependencies: deps};
  const data = tar({"package.json": Buffer.from(JSON.stringify(pj, null, 2)),
    "index.js": Buffer.from("module.exports = " + JSON.stringify(name(i)) + ";\n"),
    "README.md": Buffer.from(("# " + name(i) + "\n\n" + "lorem ipsum ".repeat(200)).slice(0, 2000))});
  const dir = path.join(out, pj.name);
  fs.mkdirSync(path.join(dir, "-"), {recursive: true});
  fs.writeFileSync(path.join(dir, "-", `${pj.name}-1.0.0.tgz`), data);
  const doc = {_id: pj.name, name: pj.name, "dist-tags": {latest: "1.0.0"}, time: {"1.0.0": new Date().toISOString()},
    versions: {"1.0.0": {...pj, _id: pj.name + "@1.0.0", dist: {tarball: `${base}/${pj.name}/-/${pj.name}-1.0.0.tgz`,
      shasum: crypto.createHash("sha1").update(data).digest("hex"),
      integrity: "sha512-" + crypto.createHash("sha512").update(data).digest("base64")}}}};
  fs.writeFileSync(path.join(dir, "index.json"), JSON.stringify(doc));
}
EOF

# The same registry again under /far, its tarball URLs naming the delaying forwarder: what a registry far away
# looks like to npm and to each proxy in the cold runs
farbase="http://127.0.0.1:$FAR_PORT/far"
cp -al "$OUT/up/npm" "$OUT/up/far"
grep -rlF "$base" "$OUT/up/far" | while read -r f; do
  sed "s#$base#$farbase#g" "$f" >"$f.new" && rm "$f" && mv "$f.new" "$f"
done

log "starting the upstream nginx on :$UPSTREAM_PORT"
cat >"$OUT/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/error.log warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log $OUT/nginx/access.log;
  client_body_temp_path $OUT/nginx/body; proxy_temp_path $OUT/nginx/proxy;
  fastcgi_temp_path $OUT/nginx/fastcgi; uwsgi_temp_path $OUT/nginx/uwsgi; scgi_temp_path $OUT/nginx/scgi;
  server {
    listen 127.0.0.1:$UPSTREAM_PORT;
    root $OUT/up;
    location / { try_files \$uri \$uri/index.json \$uri/ =404; }
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
  - name: npm
    enabled: true
    npm: { route: { path: /npm }, upstream: "$base" }
  - name: npm-2m
    enabled: true
    npm: { route: { path: /npm-2m }, upstream: "$base", metadata_fresh_for: 2m }
  - name: npm-far
    enabled: true
    npm: { route: { path: /npm-far }, upstream: "$farbase" }
EOF
"$root/bin/cache-proxy" -config "$OUT/proxy/config.yaml" >"$OUT/proxy/out.log" 2>&1 &
pids+=($!)

verdaccio=${VERDACCIO:-}
if [ -z "$verdaccio" ]; then
  verdaccio="$OUT/verdaccio/node_modules/.bin/verdaccio"
  if [ ! -x "$verdaccio" ]; then
    log "installing verdaccio 6.8.0 into $OUT/verdaccio (from the npm registry)"
    mkdir -p "$OUT/verdaccio"
    # verdaccio-audit asks for node-fetch@cjs, a dist-tag the registry no longer has
    cat >"$OUT/verdaccio/package.json" <<'EOF'
{ "name": "verdaccio-runner", "private": true, "dependencies": { "verdaccio": "6.8.0" },
  "overrides": { "verdaccio-audit": { "node-fetch": "2.7.0" } } }
EOF
    (cd "$OUT/verdaccio" && npm install --no-audit --no-fund --update-notifier=false --loglevel=error)
  fi
fi
log "starting verdaccio $("$verdaccio" --version) on :$VERDACCIO_PORT"
cat >"$OUT/verdaccio-config.yaml" <<EOF
storage: $OUT/verdaccio-storage
uplinks:
  up: { url: $base/, cache: true }
packages:
  '@*/*': { access: \$all, proxy: up }
  '**': { access: \$all, proxy: up }
log: { type: stdout, format: pretty, level: warn }
EOF
"$verdaccio" --config "$OUT/verdaccio-config.yaml" --listen "127.0.0.1:$VERDACCIO_PORT" >"$OUT/verdaccio.log" 2>&1 &
pids+=($!)

for url in "http://127.0.0.1:$UPSTREAM_PORT/npm/hello-local" "http://127.0.0.1:$PROXY_PORT/-/healthz" \
           "http://127.0.0.1:$VERDACCIO_PORT/-/ping"; do
  for _ in $(seq 1 100); do curl -fs -o /dev/null "$url" && break; sleep 0.2; done
  curl -fs -o /dev/null "$url" || { log "$url did not come up"; exit 1; }
done

project() {  # name deps-json
  mkdir -p "$OUT/projects/$1"
  echo "{\"name\":\"bench-$1\",\"version\":\"0.0.0\",\"private\":true,\"dependencies\":$2}" >"$OUT/projects/$1/package.json"
}
project test '{"@localtest/hello-dep":"^1.0.0","hello-util":"^2.0.0"}'
project tree '{"tree-000":"^1.0.0"}'

declare -A registries=(
  [upstream]="http://127.0.0.1:$UPSTREAM_PORT/npm/"
  [cache-proxy]="http://127.0.0.1:$PROXY_PORT/npm/"
  [cache-proxy-2m]="http://127.0.0.1:$PROXY_PORT/npm-2m/"
  [verdaccio]="http://127.0.0.1:$VERDACCIO_PORT/"
  [far]="$farbase/"
  [cold-cache-proxy]="http://127.0.0.1:$COLD_PROXY_PORT/npm/"
  [purged-cache-proxy]="http://127.0.0.1:$PROXY_PORT/npm-far/"
  [cold-verdaccio]="http://127.0.0.1:$COLD_VERDACCIO_PORT/"
)
# "upstream" is nginx serving the tree directly: the floor, what npm itself costs
order=(upstream cache-proxy cache-proxy-2m verdaccio)
reversed=(verdaccio cache-proxy-2m cache-proxy upstream)

# One install: fresh cache, no node_modules, no lockfile. Prints milliseconds.
install() {  # project registry-name
  local dir="$OUT/projects/$1" cache="$OUT/caches/$2-$1-$RANDOM$RANDOM"
  rm -rf "$dir/node_modules" "$dir/package-lock.json"
  local t0 t1
  t0=$(date +%s%N)
  (cd "$dir" && npm install --registry "${registries[$2]}" --cache "$cache" --userconfig /dev/null \
      --no-audit --no-fund --update-notifier=false --loglevel=error >/dev/null)
  t1=$(date +%s%N)
  rm -rf "$cache"
  echo $(( (t1 - t0) / 1000000 ))
}

for p in test tree; do
  for r in "${order[@]}"; do
    log "warming $r with the $p project"
    install "$p" "$r" >/dev/null
  done
done

declare -A times
for p in test tree; do
  for i in $(seq 1 "$RUNS"); do
    # alternate the order so neither proxy always runs right after the other
    if (( i % 2 )); then seq=("${order[@]}"); else seq=("${reversed[@]}"); fi
    for r in "${seq[@]}"; do
      ms=$(install "$p" "$r")
      times[$p/$r]="${times[$p/$r]:-} $ms"
      log "$p run $i $r: ${ms} ms"
    done
  done
done


# Server side: requests/s for one packument and one tarball, wrk -t2 -c16, after the installs
declare -A rps
if command -v wrk >/dev/null; then
  for r in cache-proxy cache-proxy-2m verdaccio; do
    for what in packument tarball; do
      path=tree-000; [ "$what" = tarball ] && path=tree-000/-/tree-000-1.0.0.tgz
      wrk -t2 -c16 -d"${WRK_SECONDS:-10}"s -H 'Accept: application/json' "${registries[$r]}$path" >"$OUT/wrk-$r-$what.txt"
      rps[$r/$what]=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$OUT/wrk-$r-$what.txt")
      log "wrk $r $what: ${rps[$r/$what]} req/s"
    done
  done
fi

{
  echo "| project | npm straight at the upstream (floor) ms | cache-proxy (revalidate) ms | cache-proxy (fresh 2m) ms | verdaccio 6.8.0 ms | verdaccio / cache-proxy | verdaccio / cache-proxy 2m | proxy time above the floor: cache-proxy 2m / verdaccio |"
  echo "|---|---|---|---|---|---|---|---|"
  for p in test tree; do
    f=$(echo "${times[$p/upstream]}" | median)
    a=$(echo "${times[$p/cache-proxy]}" | median)
    b=$(echo "${times[$p/cache-proxy-2m]}" | median)
    v=$(echo "${times[$p/verdaccio]}" | median)
    awk -v p="$p" -v f="$f" -v a="$a" -v b="$b" -v v="$v" 'BEGIN {
      printf "| %s | %s | %s | %s | %s | %.2fx | %.2fx | %s ms / %s ms |\n", p, f, a, b, v, v / a, v / b, b - f, v - f }'
  done
  if [ "${#rps[@]}" -gt 0 ]; then
    echo
    echo "| requests/s (wrk -t2 -c16) | cache-proxy (revalidate) | cache-proxy (fresh 2m) | verdaccio 6.8.0 |"
    echo "|---|---|---|---|"
    for what in packument tarball; do
      echo "| $what | ${rps[cache-proxy/$what]} | ${rps[cache-proxy-2m/$what]} | ${rps[verdaccio/$what]} |"
    done
  fi
  echo
  echo "Medians of $RUNS runs each; fresh npm cache, no lockfile, no node_modules per run; $(nproc) cores; $(npm --version | sed 's/^/npm /'), node $(node --version)."
  for p in test tree; do for r in "${order[@]}"; do echo "- $p / $r:${times[$p/$r]}"; done; done
} | tee "$OUT/results.md"

(( COLD_RUNS > 0 )) || exit 0

# The cold path: each proxy started with empty storage per run, the upstream DELAY_MS each way away
log "cold runs: the registry behind a $((2 * DELAY_MS)) ms round trip (bench/delay-proxy.py on :$FAR_PORT)"
python3 "$here/delay-proxy.py" "$FAR_PORT" 127.0.0.1 "$UPSTREAM_PORT" "$DELAY_MS" &
pids+=($!)
await_urls "$farbase/tree-000"
cat >"$OUT/cold/config.yaml" <<EOF
server: { bind: 127.0.0.1:$COLD_PROXY_PORT, backend: $OUT/cold/proxy-storage }
logging: { level: warn }
instances:
  - name: npm
    enabled: true
    npm: { route: { path: /npm }, upstream: "$farbase" }
EOF
sed -e "s#$base/#$farbase/#" -e "s#$OUT/verdaccio-storage#$OUT/cold/verdaccio-storage#" \
  "$OUT/verdaccio-config.yaml" >"$OUT/cold/verdaccio.yaml"

cold_install() {  # kind: far | cold-cache-proxy | purged-cache-proxy | cold-verdaccio ; prints milliseconds
  local server=""
  case $1 in
    purged-cache-proxy)  # the running (warm) process, this instance's entries purged
      curl -fs -o /dev/null -X DELETE "http://127.0.0.1:$PROXY_PORT/-/entries/npm-far?all=true" ;;
    cold-cache-proxy)
      server=$(start_empty_proxy "$OUT/cold/config.yaml" "$OUT/cold/proxy-storage" "$COLD_PROXY_PORT" "$OUT/cold/proxy.log") ;;
    cold-verdaccio)
      rm -rf "$OUT/cold/verdaccio-storage"
      "$verdaccio" --config "$OUT/cold/verdaccio.yaml" --listen "127.0.0.1:$COLD_VERDACCIO_PORT" >>"$OUT/cold/verdaccio.log" 2>&1 &
      server=$!
      await_urls "http://127.0.0.1:$COLD_VERDACCIO_PORT/-/ping" ;;
  esac
  install tree "$1"
  if [ -n "$server" ]; then stop_server "$server"; fi
}

cold_order=(far cold-cache-proxy purged-cache-proxy cold-verdaccio)
cold_reversed=(cold-verdaccio purged-cache-proxy cold-cache-proxy far)
install tree far >/dev/null  # npm itself warmed
for i in $(seq 1 "$COLD_RUNS"); do
  if (( i % 2 )); then seq=("${cold_order[@]}"); else seq=("${cold_reversed[@]}"); fi
  for r in "${seq[@]}"; do
    ms=$(cold_install "$r")
    times[cold/$r]="${times[cold/$r]:-} $ms"
    log "cold run $i $r: ${ms} ms"
  done
done
{
  echo
  echo "Cold, tree project, registry behind a $((2 * DELAY_MS)) ms round trip. \"started empty\": a new process"
  echo "with empty storage per run (JIT cold too); \"running, purged\": the warm process, the instance's entries purged."
  echo
  echo "| npm straight at the far registry ms | cache-proxy started empty ms | cache-proxy running, purged ms | verdaccio started empty ms | started empty / straight | running, purged / straight | verdaccio / straight |"
  echo "|---|---|---|---|---|---|---|"
  over_first_row $(for r in "${cold_order[@]}"; do echo "${times[cold/$r]}" | median; done)
  echo
  echo "Medians of $COLD_RUNS runs each."
  for r in "${cold_order[@]}"; do echo "- cold / $r:${times[cold/$r]}"; done
} | tee -a "$OUT/results.md"
