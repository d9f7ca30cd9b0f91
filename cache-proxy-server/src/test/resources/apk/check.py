#!/usr/bin/env python3
"""Checks an apk repository through a URL the way apk-tools v2 does, as a stand-in for the apk client
(none runs on this machine): the index signature with the repository's key, then for every record (or the
packages named) the .apk's size (S:), the SHA-1 of its control stream (C:Q1...), its signature and the
datahash its .PKGINFO states. Prints one line per package; exits 1 with the first failure.

usage: check.py REPO_URL KEY.rsa.pub [--no-cache] [package-name ...]
  REPO_URL is what /etc/apk/repositories would hold (.../v3.20/main); the arch is x86_64.
"""
import base64, hashlib, io, os, subprocess, sys, tarfile, tempfile, urllib.request, zlib


def fetch(url, no_cache=False):
    req = urllib.request.Request(url, headers={"User-Agent": "libfetch/2.0"})
    if no_cache:
        req.add_header("Cache-Control", "no-cache")
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.read()


def members(data):
    """The concatenated gzip members of data, as (compressed bytes, decompressed bytes)."""
    out, rest = [], data
    while rest:
        d = zlib.decompressobj(wbits=31)
        plain = d.decompress(rest) + d.flush()
        if not d.eof:
            raise ValueError("truncated gzip member")
        used = len(rest) - len(d.unused_data)
        out.append((rest[:used], plain))
        rest = d.unused_data
    return out


def tar_files(plain):
    with tarfile.open(fileobj=io.BytesIO(plain), mode="r:") as t:
        return {m.name: (t.extractfile(m).read() if m.isfile() else b"") for m in t.getmembers()}


def verify(key, signature_plain, signed, what):
    files = tar_files(signature_plain)
    name = ".SIGN.RSA." + os.path.basename(key)
    if name not in files:
        raise ValueError(f"{what}: no {name} in the signature stream ({sorted(files)})")
    with tempfile.NamedTemporaryFile() as sig:
        sig.write(files[name])
        sig.flush()
        r = subprocess.run(["openssl", "dgst", "-sha1", "-verify", key, "-signature", sig.name],
                           input=signed, capture_output=True)
    if r.returncode != 0:
        raise ValueError(f"{what}: BAD signature")


def main():
    args = [a for a in sys.argv[1:] if a != "--no-cache"]
    repo, key, names = args[0].rstrip("/") + "/x86_64", args[1], set(args[2:])
    index = fetch(repo + "/APKINDEX.tar.gz", "--no-cache" in sys.argv)
    parts = members(index)
    signed = index[len(parts[0][0]):]
    verify(key, parts[0][1], signed, "APKINDEX.tar.gz")
    text = tar_files(b"".join(p for _, p in parts[1:]))["APKINDEX"].decode()
    records = [dict((l[0], l[2:]) for l in block.splitlines() if len(l) > 1 and l[1] == ":")
               for block in text.split("\n\n") if block.strip()]
    checked, found = 0, set()
    for r in records:
        if names and r["P"] not in names:
            continue
        file = f"{r['P']}-{r['V']}.apk"
        apk = fetch(f"{repo}/{file}")
        if len(apk) != int(r["S"]):
            raise ValueError(f"{file}: {len(apk)} bytes, the index says {r['S']}")
        sig, control, data = members(apk)
        if "Q1" + base64.b64encode(hashlib.sha1(control[0]).digest()).decode() != r["C"]:
            raise ValueError(f"{file}: control checksum is not the index's C:")
        verify(key, sig[1], control[0], file)
        info = dict(l.split(" = ", 1) for l in tar_files(control[1])[".PKGINFO"].decode().splitlines() if " = " in l)
        if info.get("datahash") != hashlib.sha256(data[0]).hexdigest():
            raise ValueError(f"{file}: datahash does not match the data stream")
        print(f"ok {file}")
        checked += 1
        found.add(r["P"])
    if names - found:
        raise ValueError(f"not in the index: {sorted(names - found)}")
    print(f"checked {checked} packages")


try:
    main()
except Exception as e:  # the client's failure, in one line
    print(f"FAILED: {e}", file=sys.stderr)
    sys.exit(1)
