#!/usr/bin/env bash
# make-base.sh OUT.tar: a minimal Debian root file system (mmdebstrap --variant=minbase: essential
# packages, apt, bash, passwd; no documentation or translations) of this machine's release, from the
# Debian mirror in its apt sources (or DEBIAN_UPSTREAM). The container image's base; `make test` makes
# one once (bin/test-tools) so that the packaging test builds the image without the network.
set -euo pipefail
out=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
release=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
mirror=$(bash "$top/bin/machine-upstreams" --env-file 2>/dev/null | sed -n 's/^DEBIAN_UPSTREAM=//p')
if [ -z "$mirror" ] || [[ "$mirror" == *.invalid ]]; then
  echo "make-base: no Debian mirror in the apt sources (set DEBIAN_UPSTREAM)" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
mmdebstrap --quiet --variant=minbase \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
  "$release" "${out%.tar}.part.tar" "$mirror"   # the .tar ending tells mmdebstrap the format
mv "${out%.tar}.part.tar" "$out"
