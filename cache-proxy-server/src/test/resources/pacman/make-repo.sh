#!/usr/bin/env bash
# Builds the pacman repository the pacman mode's real-client test serves, with makepkg (as nobody: it
# refuses root) and repo-add, in the Arch mirror layout OUT/localtest/os/x86_64. Packages get detached
# signatures (so the database carries %PGPSIG%) and the database is signed (repo-add --sign), all with a
# throw-away gpg key whose public half is OUT/key.asc:
#   hello-local 1.0 and 1.1 (any), hello-dep 1.0 (depends on hello-local>=1.1), hello-bin 2.0 (x86_64),
#   tampered 1.0 (with .good and .evil bytes beside it).
# usage: make-repo.sh init OUT       build it
#        make-repo.sh republish OUT  add hello-local 1.<n+1>, re-sign and re-add it to the database
set -euo pipefail
cmd=$1 OUT=$2
REPO=localtest; DEST=$OUT/$REPO/os/x86_64
W=$OUT.work; umask 022
export GNUPGHOME=$W/gnupg
# makepkg runs as nobody, who must reach its build directory: a fresh one below /tmp, not below OUT (a
# test's temp directory is private to its owner)
B=$(mktemp -d); chmod 755 "$B"; chown nobody "$B"; trap 'rm -rf "$B"' EXIT
mkpkg() {  # name version arch [depends] [marker]
  local n=$1 v=$2 a=$3 d=${4:-} marker=${5:-} dir=$B/$1-$2${5:-}
  rm -rf "$dir"; install -d -o nobody "$dir"
  { echo "pkgname=$n"; echo "pkgver=$v"; echo "pkgrel=1"; echo "pkgdesc=\"tiny test package $n\""
    echo "arch=('$a')"; echo "license=('MIT')"; [ -n "$d" ] && echo "depends=('$d')"
    echo "options=('!strip' '!debug')"
    echo 'package() {'; echo "  mkdir -p \"\$pkgdir/usr/share/$n\""; echo "  echo '$n $v $marker' > \"\$pkgdir/usr/share/$n/README\""
    [ "$a" = any ] || echo "  head -c 200000 /dev/zero > \"\$pkgdir/usr/share/$n/blob.bin\""
    echo '}'; } >"$dir/PKGBUILD"
  # makepkg's own words are kept, and shown when it fails (once, in CI, it exited 11, E_FS_PERMISSIONS, unexplained)
  if ! (cd "$dir" && runuser -u nobody -- env HOME="$B" PKGEXT=.pkg.tar.zst PKGDEST="$dir" SRCDEST="$dir" \
     BUILDDIR="$dir/b" makepkg --nodeps --noconfirm --nocheck --skipinteg >"$dir.log" 2>&1); then
    echo "makepkg of $n $v failed:" >&2; cat "$dir.log" >&2; ls -ld /tmp "$B" "$dir" >&2
    exit 1
  fi
  built=$(ls "$dir"/*.pkg.tar.zst)
  gpg --batch --quiet --yes --detach-sign --no-armor -o "$built.sig" "$built"
}
add() {  # files to add to the database (with their .sig beside them)
  repo-add --quiet --sign --key "$(cat "$W/keyid")" "$DEST/$REPO.db.tar.gz" "$@" >/dev/null
}
case $cmd in
  init)
    mkdir -p "$DEST" "$W"
    mkdir -m 700 -p "$GNUPGHOME"
    gpg --batch --quiet --pinentry-mode loopback --passphrase '' --quick-gen-key "Local Pacman Repo <pacman@example.invalid>" rsa2048 sign never
    gpg --batch --with-colons --list-keys | awk -F: '/^fpr/ {print $10; exit}' >"$W/keyid"
    gpg --batch --quiet --armor --export >"$OUT/key.asc"
    mkpkg hello-local 1.0 any
    mkpkg hello-local 1.1 any
    mkpkg hello-dep 1.0 any "hello-local>=1.1"
    mkpkg hello-bin 2.0 x86_64
    mkpkg tampered 1.0 any
    cp "$B"/*/*.pkg.tar.zst "$B"/*/*.pkg.tar.zst.sig "$DEST/"
    cp "$DEST/tampered-1.0-1-any.pkg.tar.zst" "$OUT/tampered.good"
    mkpkg tampered 1.0 any "" evil
    cp "$B/tampered-1.0evil/tampered-1.0-1-any.pkg.tar.zst" "$OUT/tampered.evil"
    add "$DEST"/*.pkg.tar.zst
    ;;
  republish)
    n=$(ls "$DEST"/hello-local-1.*.pkg.tar.zst | wc -l)
    mkpkg hello-local "1.$n" any
    cp "$B/hello-local-1.$n"/*.pkg.tar.zst* "$DEST/"
    add "$DEST/hello-local-1.$n-1-any.pkg.tar.zst"
    ;;
esac
gpgconf --kill all 2>/dev/null || true
