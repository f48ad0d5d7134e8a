#!/usr/bin/python3
"""gen_zip_fixtures.py - real ZIP fixtures for tests/unit/test_zip.c.

What it does
    Writes small archives made by the real writers into tests/data/zip/:
      torch_small.pt       torch.save({'w': torch.zeros(3)}) (miniz: flag 0x0808,
                           zero local sizes, data descriptors, 'FB' padding,
                           ZIP64 end records)
      zip64.zip            zipfile, force_zip64=True (ZIP64 local extras), one
                           stored and one deflated member
      deflate.zip          zipfile ZIP_DEFLATED, two members
      small.npz            an .npz as numpy.savez writes it (zipfile, stored,
                           force_zip64), with a fixed timestamp
      torch_b2_name.pt     torch_small.pt with the first local name changed (B2)
      torch_b3_flag.pt     torch_small.pt with flag bit 0 on member 1 (B3)
      torch_b4_crc.pt      torch_small.pt with a storage byte changed (B4)
      b11_fail_open.zip    pickle-threats.md B11: member 1 flagged, the rest fine
    and MANIFEST.tsv (file, sha256, size, and the library versions).

Safety
    Every pickle inside is benign plain data; nothing is loaded.

Determinism
    Fixed content and timestamps: running it twice gives identical bytes
    (torch 1.13 writes no timestamps or random ids).

Usage
    /usr/bin/python3 tools/gen_zip_fixtures.py [--root PROJECT_ROOT]
"""

import argparse
import hashlib
import io
import os
import pickle  # dumps of plain benign data only
import struct
import sys
import zipfile

import numpy as np
import torch

DATE = (2024, 1, 1, 0, 0, 0)


def info(name, method=zipfile.ZIP_STORED):
    zi = zipfile.ZipInfo(name, date_time=DATE)
    zi.compress_type = method
    zi.external_attr = 0o644 << 16
    return zi


def torch_small(path):
    torch.save({"w": torch.zeros(3)}, path)
    return open(path, "rb").read()


def zip64():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        with z.open(info("z64/stored.txt"), "w", force_zip64=True) as f:
            f.write(b"stored in a zip64 entry\n" * 4)
        with z.open(info("z64/deflated.txt", zipfile.ZIP_DEFLATED), "w",
                    force_zip64=True) as f:
            f.write(b"deflated in a zip64 entry\n" * 40)
    return buf.getvalue()


def deflate():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(info("a.txt", zipfile.ZIP_DEFLATED),
                   b"".join(b"line %04d of a deflated member\n" % i
                            for i in range(200)))
        z.writestr(info("dir/b.bin", zipfile.ZIP_DEFLATED),
                   bytes(range(256)) * 8)
    return buf.getvalue()


def npz():
    # numpy/lib/npyio.py _savez: zipfile, ZIP_STORED, force_zip64=True
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, arr in (("x", np.arange(6, dtype="<f4").reshape(2, 3)),
                          ("y", np.array([1, 2, 3], dtype="<i8"))):
            with z.open(info(name + ".npy"), "w", force_zip64=True) as f:
                np.lib.format.write_array(f, arr, allow_pickle=False)
    return buf.getvalue()


def members(data):
    return zipfile.ZipFile(io.BytesIO(data)).infolist()


def first_cd(b):
    return b.find(b"PK\x01\x02")


def b2_name(b):
    t = bytearray(b)
    n = struct.unpack_from("<H", t, 26)[0]
    name = bytes(t[30:30 + n])
    assert name.endswith(b"data.pkl")
    t[30:30 + n] = name[:-8] + b"datap.kl"        # same length
    return bytes(t)


def b3_flag(b):
    t = bytearray(b)
    cd = first_cd(t)
    struct.pack_into("<H", t, 6, struct.unpack_from("<H", t, 6)[0] | 1)
    struct.pack_into("<H", t, cd + 8,
                     struct.unpack_from("<H", t, cd + 8)[0] | 1)
    return bytes(t)


def b4_crc(b):
    t = bytearray(b)
    zi = [m for m in members(b) if m.filename.endswith("/data/0")][0]
    off = zi.header_offset
    n, m = struct.unpack_from("<HH", t, off + 26)
    t[off + 30 + n + m] ^= 0x01                      # first storage byte
    return bytes(t)


def b11():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(info("archive/aaa"), b"x" * 16)
        z.writestr(info("archive/data.pkl"),
                   pickle.dumps({"a": 1}, protocol=2))
        z.writestr(info("archive/version"), b"3\n")
    t = bytearray(buf.getvalue())
    struct.pack_into("<H", t, 6, 0x1)
    struct.pack_into("<H", t, first_cd(t) + 8, 0x1)
    return bytes(t)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=os.path.join(os.path.dirname(
        os.path.abspath(__file__)), ".."))
    a = ap.parse_args()
    out = os.path.join(a.root, "tests", "data", "zip")
    os.makedirs(out, exist_ok=True)
    files = {}
    t = torch_small(os.path.join(out, "torch_small.pt"))
    files["torch_small.pt"] = t
    files["zip64.zip"] = zip64()
    files["deflate.zip"] = deflate()
    files["small.npz"] = npz()
    files["torch_b2_name.pt"] = b2_name(t)
    files["torch_b3_flag.pt"] = b3_flag(t)
    files["torch_b4_crc.pt"] = b4_crc(t)
    files["b11_fail_open.zip"] = b11()
    rows = ["# file\tsha256\tsize",
            "# python %s, torch %s, numpy %s" % (sys.version.split()[0],
                                                  torch.__version__,
                                                  np.__version__)]
    for name in sorted(files):
        data = files[name]
        assert len(data) < 20000, name
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        rows.append("%s\t%s\t%d" % (name, hashlib.sha256(data).hexdigest(),
                                    len(data)))
    with open(os.path.join(out, "MANIFEST.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")
    # self-check: zipfile reads the untampered ones and refuses B2-B4
    for name in ("torch_small.pt", "zip64.zip", "deflate.zip", "small.npz"):
        assert zipfile.ZipFile(io.BytesIO(files[name])).testzip() is None
    for name in ("torch_b2_name.pt", "torch_b3_flag.pt"):
        try:
            if zipfile.ZipFile(io.BytesIO(files[name])).testzip():
                continue
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError):
            continue
        sys.exit("%s: zipfile did not refuse it" % name)
    bad = zipfile.ZipFile(io.BytesIO(files["torch_b4_crc.pt"])).testzip()
    if not bad or not bad.endswith("/data/0"):
        sys.exit("torch_b4_crc.pt: zipfile found no CRC error")
    return 0


if __name__ == "__main__":
    sys.exit(main())
