#!/bin/sh
# cache-proxy launcher of the Debian package and the container image: the bundled (jlink'd) runtime,
# the heap settings bin/cache-proxy uses, CACHE_PROXY_JAVA_OPTS after them. exec, so that the JVM gets
# SIGTERM directly (graceful shutdown).
here=$(dirname "$(readlink -f "$0")")/..
lib=${CACHE_PROXY_HOME:-$here/lib/cache-proxy}
exec "$lib/jre/bin/java" --enable-native-access=ALL-UNNAMED -XX:MaxNewSize=64m -XX:GCTimeRatio=4 \
  ${CACHE_PROXY_JAVA_OPTS:-} -jar "$lib/cache-proxy.jar" "$@"
