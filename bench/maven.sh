#!/usr/bin/env bash
# The Maven cold path (`make bench-maven`, issue 28): how much a cold cache-proxy adds to a first
# `mvn dependency:get` when the repository is far away. The upstream is this machine's own local Maven
# repository (~/.m2/repository, the remote layout, served read-only by nginx) behind bench/delay-proxy.py,
# DELAY_MS (20) each way. COLD_RUNS (3) times, alternating, with an empty local repository each time:
#   straight        mvn's mirror is the far repository itself;
#   started-empty   through a cache-proxy started on empty storage (a new process per run);
#   running-purged  through a long-running cache-proxy whose instance's entries were purged before the run.
# Reported as each proxy's time over the straight time, and the requests Maven made.
# ARTIFACT (software.amazon.awssdk:s3:2.57.8: ~40 jars and their POM tree) must be in ~/.m2 with its
# dependencies, and so must PLUGIN (org.apache.maven.plugins:maven-dependency-plugin:3.11.0), which Maven
# resolves through the same mirror first. Needs nginx, mvn, curl, python3.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
COLD_RUNS=${COLD_RUNS:-3}
DELAY_MS=${DELAY_MS:-20}
ARTIFACT=${ARTIFACT:-software.amazon.awssdk:s3:2.57.8}
PLUGIN=${PLUGIN:-org.apache.maven.plugins:maven-dependency-plugin:3.11.0}
REPO=${REPO:-$HOME/.m2/repository}
OUT=${OUT:-/tmp/cache-proxy-bench-maven}
UPSTREAM_PORT=18490
FAR_PORT=18491
PROXY_PORT=18492
COLD_PROXY_PORT=18493

source "$here/common.sh"
require_tools "" nginx mvn curl python3
require_free_ports $UPSTREAM_PORT $FAR_PORT $PROXY_PORT $COLD_PROXY_PORT
[ -d "$REPO" ] || { log "$REPO is missing"; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT"/{nginx,proxy,cold,settings}
cat >"$OUT/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/error.log warn;
events { worker_connections 1024; }
http {
  default_type application/octet-stream;
  access_log $OUT/nginx/access.log;
  sendfile on;
  client_body_temp_path $OUT/nginx/body; proxy_temp_path $OUT/nginx/proxy;
  fastcgi_temp_path $OUT/nginx/fastcgi; uwsgi_temp_path $OUT/nginx/uwsgi; scgi_temp_path $OUT/nginx/scgi;
  server { listen 127.0.0.1:$UPSTREAM_PORT; root $REPO; }
}
EOF
nginx -c "$OUT/nginx/nginx.conf" -p "$OUT/nginx" -g 'daemon off; user root;' &
pids+=($!)
python3 "$here/delay-proxy.py" "$FAR_PORT" 127.0.0.1 "$UPSTREAM_PORT" "$DELAY_MS" &
pids+=($!)
far="http://127.0.0.1:$FAR_PORT"

config() {  # port storage
  cat <<EOF
server: { bind: 127.0.0.1:$1, backend: $2 }
logging: { level: warn }
instances:
  - name: maven
    enabled: true
    maven: { route: { path: /maven }, upstream: "$far" }
EOF
}
config "$PROXY_PORT" "$OUT/proxy/storage" >"$OUT/proxy/config.yaml"
config "$COLD_PROXY_PORT" "$OUT/cold/storage" >"$OUT/cold/config.yaml"
"$root/bin/cache-proxy" -config "$OUT/proxy/config.yaml" >"$OUT/proxy/out.log" 2>&1 &
pids+=($!)
IFS=: read -r pg pa pv <<<"$PLUGIN"
await_urls "$far/$(echo "$pg" | tr . /)/$pa/$pv/$pa-$pv.pom"
await_urls "http://127.0.0.1:$PROXY_PORT/-/readyz"

declare -A mirror=(
  [straight]="$far"
  [started-empty]="http://127.0.0.1:$COLD_PROXY_PORT/maven"
  [running-purged]="http://127.0.0.1:$PROXY_PORT/maven"
)
for kind in "${!mirror[@]}"; do
  cat >"$OUT/settings/$kind.xml" <<EOF
<settings><mirrors><mirror><id>bench</id><mirrorOf>*</mirrorOf><url>${mirror[$kind]}</url></mirror></mirrors></settings>
EOF
done

# One resolution with an empty local repository; prints milliseconds
resolve() {  # kind
  local server="" local_repo="$OUT/local-$1-$RANDOM"
  case $1 in
    started-empty)
      server=$(start_empty_proxy "$OUT/cold/config.yaml" "$OUT/cold/storage" "$COLD_PROXY_PORT" "$OUT/cold/out.log") ;;
    running-purged)
      curl -fs -o /dev/null -X DELETE "http://127.0.0.1:$PROXY_PORT/-/entries/maven?all=true" ;;
  esac
  local t0 t1
  t0=$(date +%s%N)
  mvn -B -q -ntp -s "$OUT/settings/$1.xml" -Dmaven.repo.local="$local_repo" \
    "$PLUGIN:get" -Dartifact="$ARTIFACT" -Dtransitive=true >"$OUT/mvn-$1.log" 2>&1 \
    || { log "mvn failed through $1: see $OUT/mvn-$1.log"; tail -5 "$OUT/mvn-$1.log" >&2; exit 1; }
  t1=$(date +%s%N)
  rm -rf "$local_repo"
  if [ -n "$server" ]; then stop_server "$server"; fi
  echo $(( (t1 - t0) / 1000000 ))
}

order=(straight started-empty running-purged)
reversed=(running-purged started-empty straight)
log "warming: mvn itself, and the running proxy once"
resolve straight >/dev/null
resolve running-purged >/dev/null
before=$(wc -l <"$OUT/nginx/access.log")
resolve straight >/dev/null
requests=$(( $(wc -l <"$OUT/nginx/access.log") - before ))
declare -A times
for i in $(seq 1 "$COLD_RUNS"); do
  if (( i % 2 )); then seq=("${order[@]}"); else seq=("${reversed[@]}"); fi
  for k in "${seq[@]}"; do
    ms=$(resolve "$k")
    times[$k]="${times[$k]:-} $ms"
    log "run $i $k: $ms ms"
  done
done
{
  echo "\`mvn $PLUGIN:get -Dartifact=$ARTIFACT\` (transitive), empty local repository, the repository $((2 * DELAY_MS)) ms away, $requests requests to it per resolution:"
  echo
  echo "| straight ms | cache-proxy started empty ms | cache-proxy running, purged ms | started empty / straight | running, purged / straight |"
  echo "|---|---|---|---|---|"
  over_first_row $(for k in "${order[@]}"; do echo "${times[$k]}" | median; done)
  echo
  echo "Medians of $COLD_RUNS runs each; $(nproc) cores."
  for k in "${order[@]}"; do echo "- $k:${times[$k]}"; done
} | tee "$OUT/results.md"
