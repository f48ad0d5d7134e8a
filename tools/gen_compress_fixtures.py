#!/usr/bin/python3
"""Write the compression and archive fixtures of tests/unit/test_decompress.c
into tests/data/compress/ (small, fixed content).

Run with Debian's /usr/bin/python3 (python3-lz4); needs the `zstd` and `7z`
(p7zip-full) programs. Every stream decodes to plain.bin (C) or, for the
two-member files, to C followed by second.bin (B). enc.7z and enchdr.7z
differ from run to run (7-Zip picks a random AES salt and IV); the rest is
reproducible with the same zstd and 7z versions.
"""
import bz2
import gzip
import io
import lzma
import os
import struct
import subprocess
import sys
import tarfile
import tempfile
import zlib

import lz4.frame

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                   "data", "compress")
C = b"brine compression fixture\n" * 12 + bytes(range(256))
B = b"second member\n" * 3
MTIME = 1700000000


def put(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def gz(data):
    return gzip.compress(data, 9, mtime=0)


def gz_all_flags(data):
    """A member with FEXTRA, FNAME, FCOMMENT and FHCRC (RFC 1952 2.3)."""
    flags = 0x02 | 0x04 | 0x08 | 0x10
    hdr = b"\x1f\x8b\x08" + bytes([flags]) + struct.pack("<I", 0) + b"\x02\xff"
    extra = b"BR" + struct.pack("<H", 3) + b"abc"
    hdr += struct.pack("<H", len(extra)) + extra
    hdr += b"plain.bin\x00" + b"a comment\x00"
    hdr += struct.pack("<H", zlib.crc32(hdr) & 0xFFFF)
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = co.compress(data) + co.flush()
    return hdr + body + struct.pack("<II", zlib.crc32(data), len(data))


def zstd(data):
    return subprocess.run(["zstd", "-q", "-19", "-c", "--no-progress"],
                          input=data, stdout=subprocess.PIPE,
                          check=True).stdout


def skippable(n, payload):
    return struct.pack("<II", 0x184D2A50 + n, len(payload)) + payload


def tar_bytes():
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w", format=tarfile.GNU_FORMAT) as t:
        def add(name, kind, data=b"", link=""):
            ti = tarfile.TarInfo(name)
            ti.mtime = MTIME
            ti.uname = ti.gname = "brine"
            ti.type = kind
            ti.linkname = link
            if kind == tarfile.DIRTYPE:
                ti.mode = 0o755
            ti.size = len(data) if kind == tarfile.REGTYPE else 0
            t.addfile(ti, io.BytesIO(data) if ti.size else None)
        add("a.txt", tarfile.REGTYPE, C)
        add("dir", tarfile.DIRTYPE)
        add("dir/b.txt", tarfile.REGTYPE, B)
        add("link", tarfile.SYMTYPE, link="a.txt")
        add("hard", tarfile.LNKTYPE, link="a.txt")
        add("empty", tarfile.REGTYPE, b"")
        add("d/" + "n" * 120, tarfile.REGTYPE, b"long name\n")
    return bio.getvalue()


def hardlink_body_tar(pkl=b"\x80\x02K\x01."):
    """A pax hardlink whose size covers a tar header and data: libarchive
    takes the 1024 bytes as the link's body, Python's tarfile as a member
    hidden.pkl."""
    def hdr(name, size, kind=tarfile.REGTYPE, link="", pax=None):
        ti = tarfile.TarInfo(name)
        ti.mtime = MTIME
        ti.type = kind
        ti.linkname = link
        ti.size = size
        if pax:
            ti.pax_headers = pax
        return ti.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")

    def pad(b):
        return b + b"\0" * (-len(b) % 512)
    hidden = hdr("hidden.pkl", len(pkl)) + pad(pkl)
    t = hdr("a.txt", 2) + pad(b"hi")
    t += hdr("x", len(hidden), tarfile.LNKTYPE, "a.txt", {"comment": "c"})
    return t + hidden + b"\0" * 1024


def sevenz(name, extra):
    with tempfile.TemporaryDirectory() as tmp:
        os.mkdir(os.path.join(tmp, "dir"))
        for rel, data in (("a.txt", C), ("dir/b.txt", B)):
            p = os.path.join(tmp, rel)
            with open(p, "wb") as f:
                f.write(data)
            os.utime(p, (MTIME, MTIME))
        os.utime(os.path.join(tmp, "dir"), (MTIME, MTIME))
        out = os.path.join(tmp, "out.7z")
        subprocess.run(["7z", "a", "-bd", "-y", "-mx=9"] + extra +
                       [out, "a.txt", "dir"], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        with open(out, "rb") as f:
            put(name, f.read())


def main():
    os.makedirs(OUT, exist_ok=True)
    put("plain.bin", C)
    put("second.bin", B)
    put("c.gz", gz(C))
    put("c2.gz", gz(C) + gz(B))
    put("cflags.gz", gz_all_flags(C))
    put("c.bz2", bz2.compress(C, 9))
    put("c2.bz2", bz2.compress(C, 9) + bz2.compress(B, 9))
    put("c.xz", lzma.compress(C, lzma.FORMAT_XZ))
    put("c2.xz", lzma.compress(C, lzma.FORMAT_XZ) + b"\0" * 4 +
        lzma.compress(B, lzma.FORMAT_XZ))
    put("c.lzma", lzma.compress(C, lzma.FORMAT_ALONE))
    put("c.zlib", zlib.compress(C, 9))
    put("c.lz4", lz4.frame.compress(C, content_checksum=True))
    put("c2.lz4", lz4.frame.compress(C, content_checksum=True) +
        skippable(3, b"skip me") +
        lz4.frame.compress(B, block_checksum=True))
    put("c.zst", zstd(C))
    put("c2.zst", zstd(C) + skippable(0, b"skip") + zstd(B))
    zeros = bytes(8 << 20)
    put("zeros.gz", gz(zeros))
    put("zeros.xz", lzma.compress(zeros, lzma.FORMAT_XZ))
    put("zeros.zst", zstd(zeros))
    t = tar_bytes()
    put("a.tar", t)
    put("a.tar.gz", gz(t))
    put("a.tar.xz", lzma.compress(t, lzma.FORMAT_XZ))
    put("hardbody.tar", hardlink_body_tar())
    sevenz("a.7z", [])
    sevenz("enc.7z", ["-pbrine"])
    sevenz("enchdr.7z", ["-pbrine", "-mhe=on"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
