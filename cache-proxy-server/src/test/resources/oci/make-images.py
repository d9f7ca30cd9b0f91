#!/usr/bin/env python3
"""Writes an OCI image layout with the test images (test-clients.md §5.10):
hello-1.0 (OCI manifest), hello-1.1 (pushed as Docker schema 2; a 3 MiB random layer),
multi-1.0 (OCI index, amd64 + arm64). FROM-scratch images: plain files, no executables."""
import gzip, hashlib, io, json, os, sys, tarfile

lay = sys.argv[1]
blobs = f"{lay}/blobs/sha256"
os.makedirs(blobs)

def put(data, media, **extra):
    d = hashlib.sha256(data).hexdigest()
    open(f"{blobs}/{d}", "wb").write(data)
    return {"mediaType": media, "digest": "sha256:" + d, "size": len(data), **extra}

def layer(files):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        for p, b in files.items():
            ti = tarfile.TarInfo(p); ti.size = len(b); ti.mode = 0o644; ti.mtime = 1704067200
            t.addfile(ti, io.BytesIO(b))
    raw = raw.getvalue()
    return (put(gzip.compress(raw, mtime=0), "application/vnd.oci.image.layer.v1.tar+gzip"),
            "sha256:" + hashlib.sha256(raw).hexdigest())

def image(arch, layers):
    descs, diffs = zip(*[layer(f) for f in layers])
    cfg = {"created": "2024-01-01T00:00:00Z", "architecture": arch, "os": "linux", "config": {"Cmd": ["/hello.txt"]},
           "rootfs": {"type": "layers", "diff_ids": list(diffs)},
           "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "hand"} for _ in descs]}
    man = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
           "config": put(json.dumps(cfg).encode(), "application/vnd.oci.image.config.v1+json"), "layers": list(descs)}
    return put(json.dumps(man).encode(), "application/vnd.oci.image.manifest.v1+json",
               platform={"architecture": arch, "os": "linux"})

ref = lambda desc, name: {**desc, "annotations": {"org.opencontainers.image.ref.name": name}}
refs = [ref(image("amd64", [{"hello.txt": b"hello 1.0\n"}]), "hello-1.0"),
        ref(image("amd64", [{"hello.txt": b"hello 1.1\n"}, {"data/random.bin": os.urandom(3 << 20)}]), "hello-1.1")]
idx = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
       "manifests": [image(a, [{"hello.txt": f"multi {a}\n".encode()}]) for a in ("amd64", "arm64")]}
refs.append(ref(put(json.dumps(idx).encode(), "application/vnd.oci.image.index.v1+json"), "multi-1.0"))
json.dump({"imageLayoutVersion": "1.0.0"}, open(f"{lay}/oci-layout", "w"))
json.dump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": refs},
          open(f"{lay}/index.json", "w"))
