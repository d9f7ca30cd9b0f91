"""A PEP 503 index built the way real ones are, for the pypi mode's real-client test.

usage: make-index.py OUT FILES_URL

Writes OUT/simple/ (the pages) and OUT/files/ (wheels, their PEP 658 .metadata, sdists). The pages link
every file by absolute URL below FILES_URL, so the files live on another host than the pages, as on
the public index. Wheels are written by hand (a zip with METADATA, WHEEL and RECORD); sdists carry a
tiny in-tree PEP 517 backend, so pip builds them without an index and without the network. The
project tampered-pkg is listed with the digest of its good wheel; the test swaps the file on disk.
"""
import base64, hashlib, io, os, re, sys, tarfile, zipfile

OUT, FILES_URL = sys.argv[1], sys.argv[2].rstrip("/")
FILES = f"{OUT}/files"; SIMPLE = f"{OUT}/simple"
os.makedirs(FILES, exist_ok=True)
norm = lambda name: re.sub(r"[-_.]+", "-", name).lower()
dist = lambda name: re.sub(r"[-_.]+", "_", name).lower()
sha = lambda b: hashlib.sha256(b).hexdigest()

def metadata(name, version, requires):
    return "".join(f"{l}\n" for l in ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}",
        f"Summary: tiny test package {name}", "Requires-Python: >=3.7", *[f"Requires-Dist: {r}" for r in requires]]).encode()

def record(files, di):
    rec = "".join(f"{p},sha256={base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b'=').decode()},{len(b)}\n"
                  for p, b in files.items())
    return (rec + f"{di}/RECORD,,\n").encode()

def wheel_bytes(name, version, requires=(), payload=""):
    d = dist(name); di = f"{d}-{version}.dist-info"
    meta = metadata(name, version, requires)
    files = {f"{d}/__init__.py": f"VERSION = {version!r}\n{payload}".encode(), f"{di}/METADATA": meta,
             f"{di}/WHEEL": b"Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    files[f"{di}/RECORD"] = record(files, di)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for p, b in files.items():
            z.writestr(zipfile.ZipInfo(p, (2024, 1, 1, 0, 0, 0)), b, zipfile.ZIP_DEFLATED)
    return buf.getvalue(), meta

def wheel(name, version, requires=()):
    fn = f"{dist(name)}-{version}-py3-none-any.whl"
    body, meta = wheel_bytes(name, version, requires)
    open(f"{FILES}/{fn}", "wb").write(body)
    open(f"{FILES}/{fn}.metadata", "wb").write(meta)                    # PEP 658 / 714
    return (f'<a href="{FILES_URL}/files/{fn}#sha256={sha(body)}" data-requires-python="&gt;=3.7" '
            f'data-dist-info-metadata="sha256={sha(meta)}" data-core-metadata="sha256={sha(meta)}">{fn}</a>')

BACKEND = '''import base64, hashlib, os, re, zipfile
def _m(): return open("PKG-INFO", "rb").read()
def _nv():
    m = dict(l.split(": ", 1) for l in _m().decode().splitlines() if ": " in l)
    return re.sub(r"[-_.]+", "_", m["Name"]).lower(), m["Version"]
def get_requires_for_build_wheel(config_settings=None): return []
def get_requires_for_build_sdist(config_settings=None): return []
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    d, v = _nv(); di = f"{d}-{v}.dist-info"; fn = f"{d}-{v}-py3-none-any.whl"
    files = {f"{d}/__init__.py": open(f"{d}/__init__.py", "rb").read(), f"{di}/METADATA": _m(),
             f"{di}/WHEEL": b"Wheel-Version: 1.0\\nGenerator: backend\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}
    rec = "".join(f"{p},sha256={base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b'=').decode()},{len(b)}\\n"
                  for p, b in files.items())
    files[f"{di}/RECORD"] = (rec + f"{di}/RECORD,,\\n").encode()
    with zipfile.ZipFile(os.path.join(wheel_directory, fn), "w") as z:
        for p, b in files.items(): z.writestr(p, b)
    return fn
'''

def sdist(name, version, requires=()):
    d = dist(name); base = f"{d}-{version}"; fn = f"{base}.tar.gz"
    members = {"PKG-INFO": metadata(name, version, requires), "backend.py": BACKEND.encode(),
               "pyproject.toml": (f'[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
                                  f'[project]\nname = "{name}"\nversion = "{version}"\n').encode(),
               f"{d}/__init__.py": f"VERSION = {version!r}\n".encode()}
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT) as t:
        for p, b in members.items():
            ti = tarfile.TarInfo(f"{base}/{p}"); ti.size = len(b); ti.mode = 0o644; ti.mtime = 1704067200
            t.addfile(ti, io.BytesIO(b))
    open(f"{FILES}/{fn}", "wb").write(buf.getvalue())
    return f'<a href="{FILES_URL}/files/{fn}#sha256={sha(buf.getvalue())}" data-requires-python="&gt;=3.7">{fn}</a>'

links = {}
links.setdefault(norm("hello-local"), []).extend([wheel("hello-local", "1.0"), sdist("hello-local", "1.0"),
                                                  wheel("hello-local", "1.1"), sdist("hello-local", "1.1")])
links.setdefault(norm("Hello_Dep"), []).append(wheel("Hello_Dep", "1.0", ["hello-local>=1.1"]))   # served as hello-dep
links.setdefault(norm("tampered-pkg"), []).append(wheel("tampered-pkg", "1.0"))
# the good wheel stays beside the published one, so the test can swap in other bytes and back
good = f"{FILES}/tampered_pkg-1.0-py3-none-any.whl"
open(good + ".good", "wb").write(open(good, "rb").read())
open(good + ".evil", "wb").write(wheel_bytes("tampered-pkg", "1.0", payload="import os  # not what the page vouches for\n")[0])
page = lambda body: ('<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.1"></head><body>\n'
                     + "\n".join(body) + "\n</body></html>\n")
for p, l in links.items():
    os.makedirs(f"{SIMPLE}/{p}", exist_ok=True); open(f"{SIMPLE}/{p}/index.html", "w").write(page(l))
open(f"{SIMPLE}/index.html", "w").write(page([f'<a href="{p}/">{p}</a>' for p in sorted(links)]))
