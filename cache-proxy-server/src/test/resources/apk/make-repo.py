#!/usr/bin/env python3
"""Builds the apk repository the apk mode's test serves, in apk-tools v2's own format (no apk-tools or
abuild exist for this machine; test-clients.md 5.12 has the format's requirements):

  OUT/keys/local-test.rsa.pub                      the repository's public key (openssl genrsa)
  OUT/v3.20/main/x86_64/APKINDEX.tar.gz            signature stream + gzip(tar(DESCRIPTION, APKINDEX))
  OUT/v3.20/main/x86_64/<name>-<ver>-r0.apk        signature stream + control stream + data stream
  OUT/tampered.good, OUT/tampered.evil             two builds of tampered-1.0-r0.apk (the index lists .good)

Packages: hello-local 1.0 and 1.1, hello-dep 1.0 (D:hello-local>=1.1), hello-bin 2.0 (x86_64, 200 kB),
tampered 1.0. Signature and control tars are cut (no end-of-archive blocks), as abuild-tar --cut writes
them; the data tar lists directories before files and gives every file the PAX record
APK-TOOLS.checksum.SHA1; .PKGINFO carries datahash (SHA-256 of the compressed data stream).

usage: make-repo.py init OUT | republish OUT (adds hello-local 1.<n+1> and rewrites the signed index)
"""
import base64, gzip, hashlib, io, json, os, subprocess, sys, tarfile, time

KEY_NAME = "local-test.rsa.pub"
ARCH = "x86_64"


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


def cut_tar(members, fmt=tarfile.USTAR_FORMAT):
    # (members have short names: one 512-byte header each, so the offset after the last is the cut)
    """A tar of (name, bytes) members without the end-of-archive blocks."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime, info.uname, info.gname = len(data), 0o644, 0, "root", "root"
            t.addfile(info, io.BytesIO(data))
            end = t.offset  # after this member's header and padded data: where the end blocks start
    return buf.getvalue()[:end]


def data_tar(files, mtime):
    """The data stream's tar: directory entries first, then files with APK-TOOLS.checksum.SHA1."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        dirs = sorted({"/".join(p.split("/")[:i]) + "/" for p in files for i in range(1, p.count("/") + 1)})
        for d in dirs:
            info = tarfile.TarInfo(d)
            info.type, info.mode, info.mtime, info.uname, info.gname = tarfile.DIRTYPE, 0o755, mtime, "root", "root"
            t.addfile(info)
        for path, data in sorted(files.items()):
            info = tarfile.TarInfo(path)
            info.size, info.mode, info.mtime, info.uname, info.gname = len(data), 0o644, mtime, "root", "root"
            info.pax_headers = {"APK-TOOLS.checksum.SHA1": hashlib.sha1(data).hexdigest()}
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def sign(key, data):
    return subprocess.run(["openssl", "dgst", "-sha1", "-sign", key], input=data, capture_output=True, check=True).stdout


def signature_stream(key, signed):
    return gz(cut_tar([(".SIGN.RSA." + KEY_NAME, sign(key, signed))]))


def package(key, name, version, arch, depends, payload, builddate):
    files = {f"usr/share/{name}/README": f"{name} {version}{payload[1]}\n".encode()}
    if arch != "noarch":
        files[f"usr/share/{name}/blob.bin"] = payload[0]
    data = gz(data_tar(files, builddate))
    size = sum(len(v) for v in files.values())
    info = [f"pkgname = {name}", f"pkgver = {version}", f"pkgdesc = tiny test package {name}",
            "url = https://example.invalid/", f"builddate = {builddate}", "packager = Local <apk@example.invalid>",
            "maintainer = Local <apk@example.invalid>", f"size = {size}", f"arch = {arch}", f"origin = {name}",
            "license = MIT"] + [f"depend = {d}" for d in depends] + [f"datahash = {hashlib.sha256(data).hexdigest()}"]
    control = gz(cut_tar([(".PKGINFO", ("\n".join(info) + "\n").encode())]))
    apk = signature_stream(key, control) + control + data
    record = [f"C:Q1{base64.b64encode(hashlib.sha1(control).digest()).decode()}", f"P:{name}", f"V:{version}",
              f"A:{arch}", f"S:{len(apk)}", f"I:{size}", f"T:tiny test package {name}", "U:https://example.invalid/",
              "L:MIT", f"o:{name}", "m:Local <apk@example.invalid>", f"t:{builddate}"]
    if depends:
        record.append("D:" + " ".join(depends))
    return apk, "\n".join(record) + "\n"


def write_index(key, repo, records):
    index = ("\n".join(records)).encode()
    inner = gz(cut_tar([("DESCRIPTION", b"v3.20-local"), ("APKINDEX", index)], fmt=tarfile.USTAR_FORMAT)
               + b"\0" * 1024)  # the index tar ends normally
    tmp = os.path.join(repo, ".APKINDEX.tar.gz.tmp")
    with open(tmp, "wb") as f:
        f.write(signature_stream(key, inner) + inner)
    os.replace(tmp, os.path.join(repo, "APKINDEX.tar.gz"))


def main():
    cmd, out = sys.argv[1], sys.argv[2]
    repo = os.path.join(out, "v3.20", "main", ARCH)
    key = os.path.join(out + ".work", "key.pem")
    state = os.path.join(out + ".work", "records.json")
    if cmd == "init":
        os.makedirs(repo, exist_ok=True)
        os.makedirs(os.path.join(out, "keys"), exist_ok=True)
        os.makedirs(out + ".work", exist_ok=True)
        subprocess.run(["openssl", "genrsa", "-out", key, "2048"], check=True, capture_output=True)
        subprocess.run(["openssl", "rsa", "-in", key, "-pubout", "-out", os.path.join(out, "keys", KEY_NAME)],
                       check=True, capture_output=True)
        now = int(time.time())
        blob = bytes(200000)
        records = {}
        for name, version, arch, deps in [("hello-local", "1.0-r0", "noarch", []), ("hello-local", "1.1-r0", "noarch", []),
                                          ("hello-dep", "1.0-r0", "noarch", ["hello-local>=1.1"]),
                                          ("hello-bin", "2.0-r0", ARCH, []), ("tampered", "1.0-r0", "noarch", [])]:
            apk, record = package(key, name, version, arch, deps, (blob, ""), now)
            with open(os.path.join(repo, f"{name}-{version}.apk"), "wb") as f:
                f.write(apk)
            records[f"{name}-{version}"] = record
        with open(os.path.join(repo, "tampered-1.0-r0.apk"), "rb") as f:
            good = f.read()
        with open(os.path.join(out, "tampered.good"), "wb") as f:
            f.write(good)
        evil, _ = package(key, "tampered", "1.0-r0", "noarch", [], (blob, " evil"), now)
        with open(os.path.join(out, "tampered.evil"), "wb") as f:
            f.write(evil)
    else:
        with open(state) as f:
            records = json.load(f)
        n = sum(1 for k in records if k.startswith("hello-local-1."))
        version = f"1.{n}-r0"
        apk, record = package(key, "hello-local", version, "noarch", [], (b"", ""), int(time.time()))
        with open(os.path.join(repo, f"hello-local-{version}.apk"), "wb") as f:
            f.write(apk)
        records[f"hello-local-{version}"] = record
    with open(state, "w") as f:
        json.dump(records, f)
    write_index(key, repo, list(records.values()))


main()
