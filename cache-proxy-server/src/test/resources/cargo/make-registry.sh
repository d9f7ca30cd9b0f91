#!/usr/bin/env bash
# Builds the sparse registries the cargo mode's real-client test serves, with cargo itself:
# `cargo package` of hello-local 0.1.0, 0.1.1 (yanked) and 0.2.0, abc 1.0.0 (the 3-letter index rule),
# hello-dep 0.1.0 (needs hello-local ^0.2) and tampered 1.0.0 (with .good and .evil bytes beside it).
# One index tree, published four times, each with a config.json whose dl uses another template form:
#   OUT/index/         dl = BASE/crates/{crate}/{crate}-{version}.crate
#   OUT/index-bare/    dl = BASE/api/v1/crates            (cargo appends /{crate}/{version}/download)
#   OUT/index-prefix/  dl = BASE/p/{prefix}/{crate}/{version}.crate
#   OUT/index-sum/     dl = BASE/s/{lowerprefix}/{sha256-checksum}.crate
# and the .crate files at every one of those places.
# usage: make-registry.sh OUT BASE   (BASE: the URL OUT is served at)
set -euo pipefail
OUT=$1 BASE=$2
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT; umask 022
export CARGO_HOME=$W/home CARGO_TARGET_DIR=$W/target
mkdir -p "$CARGO_HOME" "$W/lr/index"
cat >"$CARGO_HOME/config.toml" <<EOF
[source.crates-io]
replace-with = "lr"
[source.lr]
local-registry = "$W/lr"
[net]
offline = true
EOF
idxpath() { local n=${1,,}; case ${#n} in 1) echo 1/$n;; 2) echo 2/$n;; 3) echo 3/${n:0:1}/$n;; *) echo ${n:0:2}/${n:2:2}/$n;; esac; }
mkcrate() {  # name version [depname depreq] [yanked] [body]
  local n=$1 v=$2 dn=${3:-} dr=${4:-} yanked=${5:-false} body=${6:-} d=$W/src/$1-$2
  mkdir -p "$d/src"
  printf '[package]\nname = "%s"\nversion = "%s"\nedition = "2021"\ndescription = "tiny test crate"\nlicense = "MIT"\n[dependencies]\n' "$n" "$v" >"$d/Cargo.toml"
  if [ -n "$dn" ]; then
    echo "$dn = \"$dr\"" >>"$d/Cargo.toml"
    echo "pub fn hello() -> String { format!(\"$n $v + {}\", ${dn//-/_}::hello()) }" >"$d/src/lib.rs"
  else
    echo "pub fn hello() -> String { \"$n $v$body\".to_string() }" >"$d/src/lib.rs"
  fi
  (cd "$d" && cargo package --quiet --no-verify --allow-dirty)
  local crate=$CARGO_TARGET_DIR/package/$n-$v.crate idx=$W/lr/index/$(idxpath "$n")
  mkdir -p "$(dirname "$idx")"
  python3 -c 'import hashlib, json, sys
n, v, crate, dn, dr, y = sys.argv[1:]
deps = [{"name": dn, "req": "^" + dr, "features": [], "optional": False, "default_features": True,
         "target": None, "kind": "normal"}] if dn else []
print(json.dumps({"name": n, "vers": v, "deps": deps, "cksum": hashlib.sha256(open(crate, "rb").read()).hexdigest(),
                  "features": {}, "yanked": y == "true", "links": None, "v": 2, "features2": {}, "rust_version": None},
                 separators=(",", ":")))' "$n" "$v" "$crate" "$dn" "$dr" "$yanked" >>"$idx"
  cp "$crate" "$W/lr/"
}
mkcrate hello-local 0.1.0
mkcrate hello-local 0.1.1 "" "" true
mkcrate hello-local 0.2.0
mkcrate abc 1.0.0
mkcrate hello-dep 0.1.0 hello-local 0.2
mkcrate tampered 1.0.0
cp "$W/lr/tampered-1.0.0.crate" "$W/tampered.good"
rm -rf "$W/src/tampered-1.0.0" "$CARGO_TARGET_DIR/package/tampered-1.0.0.crate"
mkdir -p "$W/src/tampered-1.0.0/src"
printf '[package]\nname = "tampered"\nversion = "1.0.0"\nedition = "2021"\ndescription = "tiny test crate"\nlicense = "MIT"\n' \
  >"$W/src/tampered-1.0.0/Cargo.toml"
echo 'pub fn hello() -> String { "evil".to_string() }' >"$W/src/tampered-1.0.0/src/lib.rs"
(cd "$W/src/tampered-1.0.0" && cargo package --quiet --no-verify --allow-dirty)
cp "$CARGO_TARGET_DIR/package/tampered-1.0.0.crate" "$W/tampered.evil"

for form in index index-bare index-prefix index-sum; do
  mkdir -p "$OUT/$form" && cp -r "$W/lr/index/." "$OUT/$form/"
done
printf '{"dl":"%s/crates/{crate}/{crate}-{version}.crate","api":null}\n' "$BASE" >"$OUT/index/config.json"
printf '{"dl":"%s/api/v1/crates","api":null}\n' "$BASE" >"$OUT/index-bare/config.json"
printf '{"dl":"%s/p/{prefix}/{crate}/{version}.crate","api":null}\n' "$BASE" >"$OUT/index-prefix/config.json"
printf '{"dl":"%s/s/{lowerprefix}/{sha256-checksum}.crate","api":null}\n' "$BASE" >"$OUT/index-sum/config.json"
prefix() { local n=$1; case ${#n} in 1) echo 1;; 2) echo 2;; 3) echo 3/${n:0:1};; *) echo ${n:0:2}/${n:2:2};; esac; }
for c in "$W"/lr/*.crate; do
  f=$(basename "$c" .crate); n=${f%-*}; v=${f##*-}
  sum=$(sha256sum "$c" | cut -d' ' -f1)
  for dst in "crates/$n/$f.crate" "api/v1/crates/$n/$v/download" "p/$(prefix "$n")/$n/$v.crate" \
             "s/$(prefix "${n,,}")/$sum.crate"; do
    mkdir -p "$OUT/$(dirname "$dst")" && cp "$c" "$OUT/$dst"
  done
done
cp "$W/tampered.good" "$OUT/crates/tampered/tampered-1.0.0.crate.good"
cp "$W/tampered.evil" "$OUT/crates/tampered/tampered-1.0.0.crate.evil"
