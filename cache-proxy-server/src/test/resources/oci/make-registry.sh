#!/usr/bin/env bash
# Builds the OCI upstream's data with the ecosystem's own tools (test-clients.md §5.10): an OCI layout
# written by make-images.py, pushed with skopeo into Debian's docker-registry, which is then stopped.
# Serve the result with: docker-registry serve $DATA/registry.yml  (listening on 127.0.0.1:$PORT).
#   usage: make-registry.sh DATA PORT
set -euo pipefail
DATA=$1 PORT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$DATA/storage"
cat >"$DATA/registry.yml" <<YML
version: 0.1
log: { level: warn, formatter: text }
storage:
  filesystem: { rootdirectory: $DATA/storage }
  delete: { enabled: true }
  maintenance: { uploadpurging: { enabled: false } }
http:
  addr: 127.0.0.1:$PORT
  headers: { X-Content-Type-Options: [nosniff] }
YML
L=$DATA/layout
rm -rf "$L"
python3 "$HERE/make-images.py" "$L"
docker-registry serve "$DATA/registry.yml" >"$DATA/registry-build.log" 2>&1 &
REG=$!
trap 'kill $REG 2>/dev/null; wait $REG 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/v2/" >/dev/null && break; sleep 0.1; done
CP="skopeo --insecure-policy copy --quiet --dest-tls-verify=false"
$CP "oci:$L:hello-1.0" "docker://127.0.0.1:$PORT/test/hello:1.0"
$CP --format v2s2 "oci:$L:hello-1.1" "docker://127.0.0.1:$PORT/test/hello:1.1"
$CP --all "oci:$L:multi-1.0" "docker://127.0.0.1:$PORT/test/multi:1.0"
$CP --format v2s2 "oci:$L:hello-1.1" "docker://127.0.0.1:$PORT/library/hello:latest"
curl -fs "http://127.0.0.1:$PORT/v2/_catalog"; echo
