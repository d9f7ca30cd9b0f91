#!/usr/bin/env bash
# Builds a tiny npm registry tree with the ecosystem's own tools (npm pack, node's crypto):
#   make-registry.sh OUT BASE
# OUT/<name>/index.json is the full packument (served for /<name> and /@scope%2fname by nginx's
# try_files), OUT/<name>/<version>/index.json the version document, OUT/<name>/-/<file>.tgz the tarballs. dist.tarball names BASE, as a real registry's
# names itself; dist.shasum / dist.integrity are the tarball's SHA-1 / SHA-512.
#
# Packages: hello-local 1.0.0 and 1.1.0; @localtest/hello-dep 1.0.0 (depends on hello-local ^1.1.0,
# the transitive dependency); hello-util 2.0.0; tampered-pkg 1.0.0 (its tarball is changed after the
# packument was written, so it no longer matches its integrity).
set -euo pipefail
OUT=$1 BASE=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
umask 022
mknpm() {  # name version [depname range]
  local d=$W/src-${1//\//_}-$2
  mkdir -p "$d"
  (cd "$d" && node -e '
    const [n, v, dn, dr] = process.argv.slice(1), fs = require("fs");
    const p = {name: n, version: v, description: "tiny test package " + n, main: "index.js", license: "MIT"};
    if (dn) p.dependencies = {[dn]: dr};
    fs.writeFileSync("package.json", JSON.stringify(p, null, 2));
    fs.writeFileSync("index.js", "module.exports = " + JSON.stringify(n + "@" + v) + ";\n");' "$@" \
   && npm pack --silent --userconfig /dev/null --pack-destination "$W" >/dev/null)
}
mknpm hello-local 1.0.0
mknpm hello-local 1.1.0
mknpm @localtest/hello-dep 1.0.0 hello-local ^1.1.0
mknpm hello-util 2.0.0
mknpm tampered-pkg 1.0.0
node - "$W" "$OUT" "$BASE" <<'EOF'
const fs = require("fs"), path = require("path"), crypto = require("crypto");
const [work, out, base] = process.argv.slice(2), docs = {};
for (const src of fs.readdirSync(work).filter(f => f.startsWith("src-"))) {
  const pj = JSON.parse(fs.readFileSync(path.join(work, src, "package.json")));
  const short = pj.name.split("/").pop(), file = `${short}-${pj.version}.tgz`;
  const packed = `${pj.name.replace(/^@/, "").replace("/", "-")}-${pj.version}.tgz`;  // npm pack's file name
  const data = fs.readFileSync(path.join(work, packed));
  fs.mkdirSync(path.join(out, pj.name, "-"), {recursive: true});
  fs.writeFileSync(path.join(out, pj.name, "-", file), data);
  const d = docs[pj.name] ||= {_id: pj.name, name: pj.name, "dist-tags": {}, versions: {}, time: {}};
  d.versions[pj.version] = {...pj, _id: `${pj.name}@${pj.version}`, dist: {
    tarball: `${base}/${pj.name}/-/${file}`,
    shasum: crypto.createHash("sha1").update(data).digest("hex"),
    integrity: "sha512-" + crypto.createHash("sha512").update(data).digest("base64")}};
  d.time[pj.version] = new Date().toISOString();
  // the version document, /<name>/<version>, as a registry answers it
  fs.mkdirSync(path.join(out, pj.name, pj.version), {recursive: true});
  fs.writeFileSync(path.join(out, pj.name, pj.version, "index.json"), JSON.stringify(d.versions[pj.version]));
}
for (const [name, d] of Object.entries(docs)) {
  const vs = Object.keys(d.versions).sort((a, b) => a.localeCompare(b, undefined, {numeric: true}));
  d["dist-tags"].latest = vs[vs.length - 1]; d.time.modified = new Date().toISOString();
  fs.writeFileSync(path.join(out, name, "index.json"), JSON.stringify(d, null, 1));
}
EOF
# A registry serving bytes that do not match the packument's integrity (a corrupt mirror, an attack).
cp "$OUT/tampered-pkg/-/tampered-pkg-1.0.0.tgz" "$OUT/tampered-pkg/-/tampered-pkg-1.0.0.tgz.good"
printf 'tampered' >> "$OUT/tampered-pkg/-/tampered-pkg-1.0.0.tgz"
