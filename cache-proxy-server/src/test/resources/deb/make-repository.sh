#!/usr/bin/env bash
# A signed Debian archive built with Debian's own tools (dpkg-deb, dpkg-source, apt-ftparchive, gpg),
# served by the tests through nginx. Recipe: ../shared/reference/test-clients.md section 5.2.
#
#   make-repository.sh init  OUT            two suites (bookworm: main+contrib, amd64+arm64+all, sources;
#                                           trixie: main), by-hash on, InRelease + Release + Release.gpg,
#                                           and a flat repository in OUT/flat (Packages + .gz, Release, unsigned)
#   make-repository.sh add   OUT NAME VER   a new version of an arch-all package in bookworm main, republished
#   make-repository.sh large OUT            a suite "large" of every .deb in /var/cache/apt/archives
#
# The signing key lives in OUT/.gnupg (OUT/key.gpg is the public key clients use with signed-by).
set -euo pipefail
cmd=$1 OUT=$2
umask 022
W=$OUT/.work
export GNUPGHOME=$OUT/.gnupg

mkdeb() { # pool name version arch [depends]
  local pool=$1 n=$2 v=$3 a=$4 d=${5:-} r=$W/$2-$3-$4
  rm -rf "$r"; mkdir -p "$r/DEBIAN" "$r/usr/share/$n"
  echo "$n $v" >"$r/usr/share/$n/README"
  [ "$a" = all ] || head -c 200000 /dev/urandom >"$r/usr/share/$n/blob.bin"
  { echo "Package: $n"; echo "Version: $v"; echo "Architecture: $a"
    echo "Maintainer: Test <test@example.invalid>"; echo "Section: misc"; echo "Priority: optional"
    [ -n "$d" ] && echo "Depends: $d"
    echo "Description: tiny test package $n"; echo " Generated for proxy tests."; } >"$r/DEBIAN/control"
  mkdir -p "$OUT/$pool/${n:0:1}/$n"
  dpkg-deb --root-owner-group -Zxz --build "$r" "$OUT/$pool/${n:0:1}/$n/${n}_${v}_${a}.deb" >/dev/null
}

mksource() { # pool name version: a 3.0 (native) source package
  local pool=$1 n=$2 v=$3 s=$W/src/$2-$3
  rm -rf "$s"; mkdir -p "$s/debian/source"
  echo "3.0 (native)" >"$s/debian/source/format"
  printf 'Source: %s\nMaintainer: Test <test@example.invalid>\nSection: misc\nPriority: optional\n\nPackage: %s\nArchitecture: all\nDescription: test source %s\n' "$n" "$n" "$n" >"$s/debian/control"
  printf '%s (%s) unstable; urgency=low\n\n  * Test.\n\n -- Test <test@example.invalid>  Sat, 21 Nov 2026 00:00:00 +0000\n' "$n" "$v" >"$s/debian/changelog"
  printf '#!/usr/bin/make -f\n%%:\n\tdh $@\n' >"$s/debian/rules"
  echo "hello source" >"$s/hello.c"
  mkdir -p "$OUT/$pool/${n:0:1}/$n"
  (cd "$W/src" && dpkg-source -b "$n-$v" >/dev/null && mv "${n}_${v}".* "$OUT/$pool/${n:0:1}/$n/")
}

index() { # dir (below OUT) content...: Packages or Sources in dir, three compressions, by-hash copies
  local dir=$1 kind=$2; shift 2
  mkdir -p "$OUT/$dir/by-hash/SHA256"
  (cd "$OUT" && "$@" 2>"$W/$kind.log") >"$W/$kind.new"
  mv "$W/$kind.new" "$OUT/$dir/$kind"
  gzip -9nkf "$OUT/$dir/$kind"; xz -kf "$OUT/$dir/$kind"
  for f in "$kind" "$kind.gz" "$kind.xz"; do
    cp "$OUT/$dir/$f" "$OUT/$dir/by-hash/SHA256/$(sha256sum "$OUT/$dir/$f" | cut -d' ' -f1)"
  done
}

release() { # suite archs components
  local suite=$1 archs=$2 comps=$3
  apt-ftparchive \
    -o APT::FTPArchive::Release::Origin=LocalTest -o APT::FTPArchive::Release::Label=LocalTest \
    -o APT::FTPArchive::Release::Suite="$suite" -o APT::FTPArchive::Release::Codename="$suite" \
    -o APT::FTPArchive::Release::Architectures="$archs" -o APT::FTPArchive::Release::Components="$comps" \
    -o APT::FTPArchive::Release::Acquire-By-Hash=yes \
    -o APT::FTPArchive::Release::SHA1=false -o APT::FTPArchive::Release::SHA512=false \
    release "$OUT/dists/$suite" >"$W/Release"
  # Release, then InRelease and Release.gpg, each swapped in by a rename (as archive tools do)
  gpg --batch --quiet --yes --clearsign -o "$W/InRelease" "$W/Release"
  gpg --batch --quiet --yes -abs -o "$W/Release.gpg" "$W/Release"
  mv "$W/Release" "$OUT/dists/$suite/Release"
  mv "$W/Release.gpg" "$OUT/dists/$suite/Release.gpg"
  mv "$W/InRelease" "$OUT/dists/$suite/InRelease"
}

publish() {
  for arch in amd64 arm64 all; do
    index dists/bookworm/main/binary-$arch Packages apt-ftparchive --arch $arch packages pool/main
    index dists/bookworm/contrib/binary-$arch Packages apt-ftparchive --arch $arch packages pool/contrib
  done
  index dists/bookworm/main/source Sources apt-ftparchive sources pool/main
  index dists/bookworm/contrib/source Sources apt-ftparchive sources pool/contrib
  release bookworm "amd64 arm64 all" "main contrib"
  for arch in amd64 all; do
    index dists/trixie/main/binary-$arch Packages apt-ftparchive --arch $arch packages pool/trixie
  done
  release trixie "amd64 all" "main"
}

case $cmd in
  init)
    rm -rf "$OUT"; mkdir -p "$W" "$OUT"
    mkdir -m 700 "$GNUPGHOME"
    gpg --batch --quiet --pinentry-mode loopback --passphrase '' --quick-gen-key "Local Test Repo <repo@example.invalid>" rsa2048 sign never
    gpg --batch --quiet --export >"$OUT/key.gpg"
    mkdeb pool/main hello-local 1.0 all
    mkdeb pool/main hello-local 1.1 all
    mkdeb pool/main hello-dep 1.0 all "hello-local (>= 1.1)"
    mkdeb pool/main hello-bin 2.0 amd64
    mkdeb pool/main hello-bin 2.0 arm64
    mksource pool/main hello-src 1.0
    mkdeb pool/contrib extra-tool 0.5 all
    mkdeb pool/trixie hello-local 3.0 all
    mkdeb flat flat-pkg 1.0 all
    mv "$OUT"/flat/f/flat-pkg/*.deb "$OUT/flat/" && rm -r "$OUT/flat/f"
    (cd "$OUT/flat" && apt-ftparchive packages . >Packages && gzip -9nkf Packages && apt-ftparchive release . >"$W/Release" && mv "$W/Release" Release)
    publish
    ;;
  add)
    mkdeb pool/main "$3" "$4" all
    publish
    ;;
  large)
    # a third suite, "large": every package in apt's cache (hard links when the file system allows).
    # dpkg-scanpackages reads the 2 GB about four times faster than apt-ftparchive here.
    mkdir -p "$OUT/pool/large" "$OUT/dists/large/main"
    cp -l /var/cache/apt/archives/*.deb "$OUT/pool/large/" 2>/dev/null || cp /var/cache/apt/archives/*.deb "$OUT/pool/large/"
    index dists/large/main/binary-amd64 Packages dpkg-scanpackages --multiversion --arch amd64 pool/large
    release large "amd64" "main"
    ;;
  *) echo "usage: $0 init|add|large OUT [NAME VERSION]" >&2; exit 2 ;;
esac
gpgconf --kill all 2>/dev/null || true
