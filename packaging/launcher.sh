#!/bin/sh
# cache-proxy launcher of the Debian package and the container image: the bundled (jlink'd) runtime,
# the JVM settings bin/cache-proxy uses, CACHE_PROXY_JAVA_OPTS after them. exec, so that the JVM gets
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
# A class data archive of cache-proxy's classes in the data directory (the unit and the image set
# CACHE_PROXY_DATA): the JVM writes it when the server first stops cleanly and maps it from the next start on,
# which halves the time to ready (docs/benchmarks.md). Its name carries the jar's and the runtime's times and
# sizes: the JVM does not rewrite an archive whose jar has changed, so an upgrade starts a new one (the old
# one is removed). Not for -validate and other one-shot commands: they would archive only what they load.
cds=
case " $* " in
  *" -validate "* | *" -version "* | *" --version "* | *" -help "* | *" --help "*) ;;
  *) if [ -n "${CACHE_PROXY_DATA:-}" ] && [ -d "$CACHE_PROXY_DATA" ] && [ -w "$CACHE_PROXY_DATA" ]; then
       made_of=$(stat -c '%Y.%s' "$lib/cache-proxy.jar" "$lib/jre/lib/modules" | tr '\n' '.')
       archive="$CACHE_PROXY_DATA/cache-proxy-${made_of%.}.jsa"
       for earlier in "$CACHE_PROXY_DATA"/cache-proxy-*.jsa; do
         [ "$earlier" = "$archive" ] || rm -f "$earlier"
       done
       cds="-XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=$archive -Xlog:aot*=off,cds*=off"
     fi ;;
esac
exec "$lib/jre/bin/java" --enable-native-access=ALL-UNNAMED -XX:MaxNewSize=64m -XX:GCTimeRatio=4 -XX:CompileThresholdScaling=3 $cds \
  ${CACHE_PROXY_JAVA_OPTS:-} -jar "$lib/cache-proxy.jar" "$@"
