#!/usr/bin/env bash
# build-image.sh [TAG]: builds the cache-proxy container image on this machine, with nothing from the
# internet but Debian's archive:
#   1. RUNTIME_IMAGE, unless set: a minimal Debian (make-base.sh: mmdebstrap --variant=minbase from this
#      machine's apt mirror and release, or the tar in BASE_TAR) imported with `docker import` as
#      cache-proxy-base:<release>;
#   2. BUILD_IMAGE, unless set: that image plus this machine's JDK (>= 21) at /opt/jdk, as cache-proxy-jdk:<release>;
#   3. `docker build` of packaging/container/Containerfile with both as build arguments.
# Where images can be pulled, set both (e.g. BUILD_IMAGE=eclipse-temurin:21-jdk RUNTIME_IMAGE=debian:bookworm-slim).
# Environment: DOCKER (the docker command line, default "docker"), JAR (default the built jar),
# WORK (a scratch directory, default a temporary one).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tag=${1:-cache-proxy:latest}
read -r -a docker <<<"${DOCKER:-docker}"
jar=${JAR:-$top/cache-proxy-server/target/cache-proxy.jar}
[ -f "$jar" ] || { echo "build-image: $jar is missing: run 'make package' first" >&2; exit 1; }
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"

release=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
if [ -z "${RUNTIME_IMAGE:-}" ]; then
  RUNTIME_IMAGE=cache-proxy-base:$release
  if ! "${docker[@]}" image inspect "$RUNTIME_IMAGE" >/dev/null 2>&1; then
    base=${BASE_TAR:-$work/base.tar}
    [ -f "$base" ] || bash "$here/make-base.sh" "$base"
    "${docker[@]}" import --change 'CMD ["bash"]' "$base" "$RUNTIME_IMAGE" >/dev/null
  fi
fi
if [ -z "${BUILD_IMAGE:-}" ]; then
  BUILD_IMAGE=cache-proxy-jdk:$release
  if ! "${docker[@]}" image inspect "$BUILD_IMAGE" >/dev/null 2>&1; then
    jdk=$("$top/bin/find-jdk")
    [ -n "$jdk" ] || { echo "build-image: no JDK >= 21 on this machine" >&2; exit 1; }
    mkdir -p "$work/jdk-context"
    cp -a --dereference "$jdk" "$work/jdk-context/jdk"   # links such as lib/security/cacerts point outside
    printf 'FROM %s\nCOPY jdk /opt/jdk\nENV PATH=/opt/jdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n' \
      "$RUNTIME_IMAGE" >"$work/jdk-context/Containerfile"
    "${docker[@]}" build --quiet -f "$work/jdk-context/Containerfile" -t "$BUILD_IMAGE" "$work/jdk-context" >/dev/null
    rm -rf "$work/jdk-context"
  fi
fi

context="$work/context"
rm -rf "$context"
mkdir -p "$context"
cp "$jar" "$context/cache-proxy.jar"
cp "$top/packaging/config.yaml" "$top/packaging/launcher.sh" "$top/packaging/jlink-runtime.sh" "$context/"
chmod 0755 "$context/launcher.sh"
"${docker[@]}" build -f "$here/Containerfile" --build-arg "BUILD_IMAGE=$BUILD_IMAGE" \
  --build-arg "RUNTIME_IMAGE=$RUNTIME_IMAGE" -t "$tag" "$context"
echo "build-image: built $tag"
