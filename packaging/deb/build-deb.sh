#!/usr/bin/env bash
# build-deb.sh [OUT_DIR]: builds cache-proxy_<version>_<arch>.deb with dpkg-deb over a jlink'd runtime:
#   /usr/bin/cache-proxy                       launcher (packaging/launcher.sh)
#   /usr/lib/cache-proxy/{jre,cache-proxy.jar} the runtime and the application
#   /usr/lib/cache-proxy/machine-upstreams     writes the first /etc/default/cache-proxy
#   /etc/cache-proxy/config.yaml               conffile (packaging/config.yaml)
#   /lib/systemd/system/cache-proxy.service    hardened unit
# The package needs nothing but libc (the runtime is bundled). Needs a JDK >= 21 (bin/find-jdk), dpkg-deb
# and fakeroot. Environment: JAR (default the built jar), VERSION (default the jar's).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$top/cache-proxy-server/target}
jar=${JAR:-$top/cache-proxy-server/target/cache-proxy.jar}
[ -f "$jar" ] || { echo "build-deb: $jar is missing: run 'make package' first" >&2; exit 1; }
export JAVA_HOME=${JAVA_HOME:-$("$top/bin/find-jdk")}
[ -n "$JAVA_HOME" ] || { echo "build-deb: no JDK >= 21 on this machine" >&2; exit 1; }
version=${VERSION:-$(unzip -p "$jar" META-INF/MANIFEST.MF 2>/dev/null | sed -n 's/^Implementation-Version: *//p' | tr -d '\r')}
version=${version:-0.0.0}
version=${version//-SNAPSHOT/~snapshot}
arch=$(dpkg --print-architecture)

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
lib="$root/usr/lib/cache-proxy"
install -d "$lib" "$root/usr/bin" "$root/etc/cache-proxy" "$root/lib/systemd/system" "$root/DEBIAN" \
  "$root/usr/share/doc/cache-proxy"
bash "$top/packaging/jlink-runtime.sh" "$jar" "$lib/jre"
install -m 0644 "$jar" "$lib/cache-proxy.jar"
install -m 0755 "$top/bin/machine-upstreams" "$lib/machine-upstreams"
install -m 0755 "$top/packaging/launcher.sh" "$root/usr/bin/cache-proxy"
install -m 0644 "$top/packaging/config.yaml" "$root/etc/cache-proxy/config.yaml"
install -m 0644 "$here/cache-proxy.service" "$root/lib/systemd/system/cache-proxy.service"
install -m 0644 "$top/README.md" "$root/usr/share/doc/cache-proxy/README.md"
for s in postinst prerm postrm; do install -m 0755 "$here/$s" "$root/DEBIAN/$s"; done
echo /etc/cache-proxy/config.yaml >"$root/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: cache-proxy
Version: $version
Architecture: $arch
Maintainer: cache-proxy developers <cache-proxy@example.org>
Section: net
Priority: optional
Installed-Size: $size
Depends: libc6, passwd
Description: caching proxy for package registries and build caches
 One process, one YAML file, one storage directory: serves npm, Maven, OCI,
 Debian and generic file upstreams from local disk, verified and never partial.
 Ships its own Java runtime and a hardened systemd unit.
CONTROL
mkdir -p "$out"
deb="$out/cache-proxy_${version}_${arch}.deb"
# reproducible: every file and the archive members get the same time, owned by root
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1764374400}
find "$root" -exec touch -h -d @"$SOURCE_DATE_EPOCH" {} +
fakeroot dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
