#!/usr/bin/env bash
# Builds the RPM repository the rpm mode's real-client test serves, with rpmbuild and createrepo_c, its
# repomd.xml signed with a throw-away gpg key (OUT/RPM-GPG-KEY-local):
#   hello-local 1.0 and 1.1 (noarch), hello-dep 1.0 (requires hello-local >= 1.1), hello-bin 2.0 (x86_64),
#   tampered 1.0 (with .good and .evil bytes beside it).
# usage: make-repo.sh init OUT      build it
#        make-repo.sh republish OUT  add hello-local 1.<n+1>, regenerate and re-sign the metadata
set -euo pipefail
cmd=$1 OUT=$2
W=$OUT.work; umask 022   # beside OUT: createrepo_c indexes every .rpm below OUT
mkrpm() {  # name version arch [requires] [marker]
  local n=$1 v=$2 a=$3 req=${4:-} marker=${5:-}
  mkdir -p "$W"/{SPECS,BUILD,RPMS,SRPMS,SOURCES,BUILDROOT}
  { echo "Name: $n"; echo "Version: $v"; echo "Release: 1"; echo "Summary: tiny test package $n"
    echo "License: MIT"; echo "BuildArch: $a"; [ -n "$req" ] && echo "Requires: $req"
    echo "%description"; echo "Generated for proxy tests."
    echo "%install"; echo "mkdir -p %{buildroot}/usr/share/$n"; echo "echo '$n $v $marker' > %{buildroot}/usr/share/$n/README"
    [ "$a" = noarch ] || echo "head -c 200000 /dev/zero > %{buildroot}/usr/share/$n/blob.bin"
    echo "%files"; echo "/usr/share/$n"; } >"$W/SPECS/$n-$v.spec"
  rpmbuild --quiet --define "_topdir $W" --define '_build_id_links none' \
    --define '__os_install_post %{nil}' --define 'debug_package %{nil}' -bb "$W/SPECS/$n-$v.spec" 2>/dev/null
}
sign() {
  createrepo_c --quiet --unique-md-filenames --update "$OUT"
  GNUPGHOME=$W/gnupg gpg --batch --quiet --yes --armor --detach-sign -o "$OUT/repodata/repomd.xml.asc" "$OUT/repodata/repomd.xml"
}
case $cmd in
  init)
    mkdir -p "$OUT/Packages" "$W"
    mkrpm hello-local 1.0 noarch
    mkrpm hello-local 1.1 noarch
    mkrpm hello-dep 1.0 noarch "hello-local >= 1.1"
    mkrpm hello-bin 2.0 x86_64
    mkrpm tampered 1.0 noarch
    find "$W/RPMS" -name '*.rpm' -exec cp {} "$OUT/Packages/" \;
    cp "$OUT/Packages/tampered-1.0-1.noarch.rpm" "$OUT/tampered.good"
    rm -rf "$W/RPMS"
    mkrpm tampered 1.0 noarch "" evil
    cp "$W"/RPMS/noarch/tampered-1.0-1.noarch.rpm "$OUT/tampered.evil"
    export GNUPGHOME=$W/gnupg; mkdir -m 700 -p "$GNUPGHOME"
    gpg --batch --quiet --pinentry-mode loopback --passphrase '' --quick-gen-key "Local RPM Repo <rpm@example.invalid>" rsa2048 sign never
    gpg --batch --quiet --armor --export >"$OUT/RPM-GPG-KEY-local"
    sign
    ;;
  republish)
    n=$(( $(ls "$OUT"/Packages/hello-local-1.*.rpm | wc -l) ))
    rm -rf "$W/RPMS"
    mkrpm hello-local "1.$n" noarch
    find "$W/RPMS" -name '*.rpm' -exec cp {} "$OUT/Packages/" \;
    sign
    ;;
esac
GNUPGHOME=$W/gnupg gpgconf --kill all 2>/dev/null || true
