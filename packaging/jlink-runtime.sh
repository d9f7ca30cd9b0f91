#!/usr/bin/env bash
# jlink-runtime.sh JAR OUT: a trimmed Java runtime for cache-proxy (the modules jdeps finds in the jar,
# plus what is loaded reflectively: JMX for metrics, DNS, TLS elliptic curves), with the JDK on PATH or
# in JAVA_HOME (native symbols are kept: stripping them needs binutils, which a build image may lack). Used by the container image's build stage and by the Debian package.
set -euo pipefail
jar=$1 out=$2
bin=${JAVA_HOME:+$JAVA_HOME/bin/}
modules=$("${bin}jdeps" --ignore-missing-deps --print-module-deps --multi-release 21 "$jar")
for extra in jdk.management jdk.naming.dns jdk.crypto.ec jdk.crypto.cryptoki jdk.zipfs jdk.localedata; do
  "${bin}java" --list-modules | grep -q "^$extra@" && modules="$modules,$extra"
done
rm -rf "$out"
# --generate-cds-archive: the runtime's own class data archive, which the launcher's archive of cache-proxy's
# classes (-XX:+AutoCreateSharedArchive) is layered on; without it that archive cannot be made.
"${bin}jlink" --add-modules "$modules" --strip-java-debug-attributes --no-man-pages --no-header-files \
  --compress=zip-6 --include-locales=en --generate-cds-archive --output "$out"
