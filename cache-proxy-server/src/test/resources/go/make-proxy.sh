#!/usr/bin/env bash
# Builds what the go mode's real-client test serves, with the ecosystem's own tools:
#   OUT/go/      a GOPROXY tree (the layout of a module cache's cache/download): example.com/hello
#                v1.0.0 and v1.1.0, example.com/dep (needs hello v1.1.0), example.com/CamelCase (served
#                as !camel!case), example.com/tampered (its .zip.good and a .zip.evil beside it);
#   OUT/second/  a second GOPROXY tree with example.com/second only (for GOPROXY list fall-through);
#   OUT/sumdb/localsum/  a checksum database signed with a fresh key by golang.org/x/mod/sumdb
#                (Debian's golang-golang-x-mod-dev), as static files: latest, lookup/, tile/, supported,
#                and vkey (what GOSUMDB is set to).
# usage: make-proxy.sh OUT
set -euo pipefail
OUT=$1
mkdir -p "$OUT"
python3 - "$OUT" <<'EOF'
import base64, hashlib, io, json, os, re, sys, zipfile
OUT = sys.argv[1]
esc = lambda p: re.sub(r"[A-Z]", lambda m: "!" + m.group(0).lower(), p)

def h1(files):  # golang.org/x/mod/sumdb/dirhash.Hash1
    summary = "".join(f"{hashlib.sha256(b).hexdigest()}  {n}\n" for n, b in sorted(files.items()))
    return "h1:" + base64.b64encode(hashlib.sha256(summary.encode()).digest()).decode()

def zipped(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in files.items():
            z.writestr(zipfile.ZipInfo(n, (2024, 1, 1, 0, 0, 0)), b)
    return buf.getvalue()

mods = [("go", "example.com/hello", "v1.0.0", {}, 'package hello\n\nfunc Version() string { return "v1.0.0" }\n'),
        ("go", "example.com/hello", "v1.1.0", {}, 'package hello\n\nfunc Version() string { return "v1.1.0" }\n'),
        ("go", "example.com/dep", "v1.0.0", {"example.com/hello": "v1.1.0"},
         'package dep\n\nimport "example.com/hello"\n\nfunc Hello() string { return "dep+" + hello.Version() }\n'),
        ("go", "example.com/CamelCase", "v0.1.0", {}, 'package camelcase\n\nconst V = "v0.1.0"\n'),
        ("go", "example.com/tampered", "v1.0.0", {}, 'package tampered\n\nconst V = "good"\n'),
        ("second", "example.com/second", "v1.0.0", {}, 'package second\n\nconst V = "second"\n')]
sums, versions = [], {}
for i, (tree, mod, ver, reqs, src) in enumerate(mods):
    gomod = f"module {mod}\n\ngo 1.18\n" + "".join(f"\nrequire {m} {v}\n" for m, v in reqs.items())
    pre = f"{mod}@{ver}/"
    files = {pre + "go.mod": gomod.encode(), pre + mod.rsplit("/", 1)[1].lower() + ".go": src.encode(),
             pre + "LICENSE": b"MIT License (test fixture)\n"}
    d = f"{OUT}/{tree}/{esc(mod)}/@v"; os.makedirs(d, exist_ok=True)
    info = json.dumps({"Version": ver, "Time": f"2024-01-{i + 1:02d}T00:00:00Z"})
    open(f"{d}/{ver}.info", "w").write(info)
    open(f"{d}/{ver}.mod", "w").write(gomod)
    open(f"{d}/{ver}.zip", "wb").write(zipped(files))
    if mod == "example.com/tampered":
        open(f"{d}/{ver}.zip.good", "wb").write(zipped(files))
        evil = dict(files); evil[pre + "tampered.go"] = b'package tampered\n\nconst V = "evil"\n'
        open(f"{d}/{ver}.zip.evil", "wb").write(zipped(evil))
    versions.setdefault((tree, mod), []).append((ver, info))
    sums += [f"{mod} {ver} {h1(files)}", f"{mod} {ver}/go.mod {h1({'go.mod': gomod.encode()})}"]
for (tree, mod), vs in versions.items():
    open(f"{OUT}/{tree}/{esc(mod)}/@v/list", "w").write("".join(v + "\n" for v, _ in vs))
    open(f"{OUT}/{tree}/{esc(mod)}/@latest", "w").write(vs[-1][1])
open(f"{OUT}/go.sum.expected", "w").write("\n".join(sums) + "\n")
EOF
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cp "$(dirname "$0")/gosumdb-static.go" "$W/"
GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$W/gocache" GOFLAGS= \
  go run "$W/gosumdb-static.go" localsum "$OUT/go.sum.expected" "$OUT/sumdb/localsum"
