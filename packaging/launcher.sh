#!/bin/sh
# cache-proxy launcher of the Debian package and the container image: the bundled (jlink'd) runtime,
# the heap settings bin/cache-proxy uses, CACHE_PROXY_JAVA_OPTS after them. exec, so that the JVM gets
# SIGTERM directly (graceful shutdown).
# `cache-proxy -reload PID` (the unit's ExecReload, after -validate) asks the running server to re-read its
# configuration: the shell's own kill, as no kill binary is needed then (the unit is verified without one).
if [ "${1:-}" = "-reload" ]; then
  [ -n "${2:-}" ] || { echo "usage: cache-proxy -reload PID" >&2; exit 2; }
  kill -HUP "$2"
  exit
fi
here=$(dirname "$(readlink -f "$0")")/..
lib=${CACHE_PROXY_HOME:-$here/lib/cache-proxy}
exec "$lib/jre/bin/java" --enable-native-access=ALL-UNNAMED -XX:MaxNewSize=64m -XX:GCTimeRatio=4 \
  ${CACHE_PROXY_JAVA_OPTS:-} -jar "$lib/cache-proxy.jar" "$@"
