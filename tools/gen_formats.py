#!/usr/bin/python3
"""gen_formats.py - container and model-format fixtures for brine's `scan`.

What it does
    Writes tests/data/formats/ (fixtures, MANIFEST.tsv, README.md) and the
    expectation table tests/formats.tsv (id, fixture, format, verdict, rule,
    technique), checked by `tests/run_tables.py formats build/brine`.

    * Benign files from the real libraries (Debian bookworm python3-torch 1.13,
      -numpy, -joblib, -sklearn, -pandas, -lz4, p7zip-full, zstd): torch.save
      zip / legacy / whole module, TorchScript, joblib with every compressor,
      .npy / .npz (object arrays too), pandas to_pickle with compression, and
      plain tar / tar.gz / tar.xz / 7z / zip / gzip / zstd wrappers, plus
      renamed files (content decides, never the extension).
    * Hostile container tricks B1-B13 of reference/pickle-threats.md §4.1 and
      the container rules of contract.md (ZIP001-ZIP008, FMT001-FMT003,
      TRC001-TRC003): every one reaches a posix.system payload the way a real
      loader would (torch's miniz reader, zipfile, joblib, 7z, tarfile).
    * Edge cases: empty, text, JPEG-ish, truncated gzip, empty zip.

Safety
    NOTHING HOSTILE IS EVER EXECUTED. Payloads are literal bytes (EVIL2, EVIL4,
    EVIL0 below: `posix.system('id')`); pickle.dumps is only used on plain
    benign data. Benign fixtures made here are loaded back with their library
    (torch.load, np.load, joblib.load, pd.read_pickle) as a self-check; hostile
    ones are only taken apart: pickletools.genops (disassembles, never
    imports), zipfile (expected to refuse B2-B4), torch._C.PyTorchFileReader
    (get_record returns the raw bytes of a record, it does not unpickle), the
    decompressors, tarfile and `7z x -so`.

Determinism
    Fixed content and seeds, PYTHONHASHSEED=0 and one thread (the script
    re-executes itself with them), zip timestamps 2020-01-01 00:00:00 (also
    patched into the zips numpy and pandas write), tar mtime 0, gzip mtime 0,
    7z without timestamps, legacy torch storage keys (heap pointers) rewritten
    to "0", "1", ... Running it twice gives identical bytes (compare
    MANIFEST.tsv). Stale files under tests/data/formats/ are removed.

Usage
    /usr/bin/python3 tools/gen_formats.py [--root PROJECT_ROOT] [--quiet]
    Exit status 0 when every self-check passes, 1 otherwise.
"""

import argparse
import bz2
import collections
import gzip
import hashlib
import io
import lzma
import os
import pickle  # dumps of benign data only
import pickletools
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
import zlib

from gen_compress_fixtures import hardlink_body_tar

FIXED_ENV = {"PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1",
             "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
             "TZ": "UTC"}

ZIP_TIME = (2020, 1, 1, 0, 0, 0)
SMALL_CAP = 64 * 1024
BIG_OK = {"zip_bomb_200mb.zip"}   # the one file the brief wants at ~200 KB

# ---------------------------------------------------------------------------
# payloads (literal bytes, never executed)
# ---------------------------------------------------------------------------

# protocol 2 with memo: posix.system('id')
EVIL2 = b"\x80\x02cposix\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03."
# protocol 4 as pickle.dumps writes it: FRAME, STACK_GLOBAL, MEMOIZE
_E4 = (b"\x8c\x05posix\x94\x8c\x06system\x94\x93\x94\x8c\x02id\x94\x85\x94"
       b"R\x94.")
EVIL4 = b"\x80\x04\x95" + struct.pack("<Q", len(_E4)) + _E4
# protocol 0: no \x80 marker at all
EVIL0 = b"cposix\nsystem\n(S'id'\ntR."
# B7: the payload runs, then the stream breaks (pickle.load raises)
EVIL2_BROKEN = EVIL2[:-1] + b"\x00garbage"
# GHSA-97f8-7cmv-76j2 pickle 1: eval of the magic number's text
EVAL_MAGIC = (b"\x80\x02cbuiltins\neval\nX\x16\x00\x00\x00"
              b"0x1950A86A20F9469CFC6C\x85R.")

TORCH_MAGIC = 0x1950A86A20F9469CFC6C
# torch's tar loader reads from `storages` a count, that many storages, then
# a list of storage views; from `tensors` a count (serialization.py
# legacy_load). formats.md §D2 omits the views list: torch then fails with
# EOFError before it reaches the `pickle` member.
TAR_STORAGES = pickle.dumps(0, protocol=2) + pickle.dumps([], protocol=2)
TAR_TENSORS = pickle.dumps(0, protocol=2)
BENIGN_OBJ = {"a": 1, "b": [1, 2, 3], "c": "x"}
BENIGN_P4 = pickle.dumps(BENIGN_OBJ, protocol=4)


def evil2_padded(n):
    """posix.system('id') as a protocol-2 pickle of exactly n bytes: a
    padding string is pushed and POPped first (the call is EVIL2's)."""
    fixed = len(EVIL2) + 1 + 5       # + BINUNICODE header + POP
    pad = n - fixed
    assert pad >= 0
    return (b"\x80\x02X" + struct.pack("<I", pad) + b"Z" * pad + b"0" +
            EVIL2[2:])


# ---------------------------------------------------------------------------
# fixture registry
# ---------------------------------------------------------------------------

class Fx:
    def __init__(self, fid, rel, data, fmt, verdict, rule, technique,
                 checks, group, row=True):
        self.id = fid
        self.rel = rel
        self.data = data
        self.fmt = fmt
        self.verdict = verdict
        self.rule = rule
        self.technique = technique
        self.checks = checks      # callables(path, data) -> None / raise
        self.group = group
        self.row = row


FIXTURES = []
DIR_ROWS = []        # (id, rel, format, verdict, rule, technique, group)
NOTES = []                    # comment rows for formats.tsv
GROUP = ["?"]


def add(fid, rel, data, fmt, verdict, rule, technique, *checks):
    FIXTURES.append(Fx(fid, rel, bytes(data), fmt, verdict, rule, technique,
                       list(checks), GROUP[0]))


def add_file(rel, data, *checks):
    """A fixture file without its own row (part of a directory row)."""
    FIXTURES.append(Fx("-", rel, bytes(data), "-", "-", "-", "", list(checks),
                       GROUP[0], row=False))


class CheckFailed(Exception):
    pass


def need(cond, what):
    if not cond:
        raise CheckFailed(what)


# ---------------------------------------------------------------------------
# zip helpers
# ---------------------------------------------------------------------------

def zinfo(name, method=zipfile.ZIP_STORED):
    zi = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    zi.compress_type = method
    zi.create_system = 3
    zi.external_attr = 0o644 << 16
    return zi


def h5_userblock(payload):
    """An HDF5 file (h5py, no timestamps) whose 512-byte user block starts
    with payload."""
    import h5py
    import numpy as np
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "u.h5")
        with h5py.File(path, "w", userblock_size=512, track_order=False) as f:
            f.create_dataset("x", data=np.arange(3, dtype="<i4"),
                             track_times=False)
        with open(path, "rb") as f:
            b = bytearray(f.read())
    b[:len(payload)] = payload
    return bytes(b)


def mkzip(members, method=zipfile.ZIP_STORED):
    """members: [(name, bytes)] or [(name, bytes, method)]; fixed times."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for m in members:
            name, data = m[0], m[1]
            meth = m[2] if len(m) > 2 else method
            z.writestr(zinfo(name, meth), data)
    return buf.getvalue()


def zip_members(data):
    """[(name, bytes)] in central-directory order (benign zips only)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def central_entries(data):
    """[(cd_offset, local_offset, name)] from the central directory."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
    out = []
    pos = data.find(b"PK\x01\x02")
    for zi in infos:
        need(data[pos:pos + 4] == b"PK\x01\x02", "central header expected")
        n, m, k = struct.unpack_from("<HHH", data, pos + 28)
        name = data[pos + 46:pos + 46 + n].decode("utf-8")
        need(name == zi.filename, "central order")
        out.append((pos, zi.header_offset, name))
        pos += 46 + n + m + k
    return out


def dos_time(t):
    y, mo, d, h, mi, s = t
    return ((h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d)


def fix_zip_times(data):
    """Set every entry's time/date, local and central, to ZIP_TIME (for the
    zips numpy and pandas write with the current time)."""
    b = bytearray(data)
    tm, dt = dos_time(ZIP_TIME)
    for cd, lo, _ in central_entries(data):
        struct.pack_into("<HH", b, cd + 12, tm, dt)
        need(b[lo:lo + 4] == b"PK\x03\x04", "local header expected")
        struct.pack_into("<HH", b, lo + 10, tm, dt)
    return bytes(b)


class Raw:
    """A local entry for raw_zip: stored, optionally left out of the
    central directory."""

    def __init__(self, name, data, listed=True):
        self.name = name.encode("utf-8")
        self.data = data
        self.listed = listed


def raw_zip(items):
    """Assemble a zip by hand: items are Raw entries or bytes written as
    they are between entries. Stored members, fixed times, no extras."""
    tm, dt = dos_time(ZIP_TIME)
    out = bytearray()
    cd = bytearray()
    n = 0
    for it in items:
        if isinstance(it, (bytes, bytearray)):
            out += it
            continue
        crc = zlib.crc32(it.data) & 0xFFFFFFFF
        off = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, tm, dt, crc,
                           len(it.data), len(it.data), len(it.name), 0)
        out += it.name + it.data
        if it.listed:
            cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x0314, 20, 0,
                              0, tm, dt, crc, len(it.data), len(it.data),
                              len(it.name), 0, 0, 0, 0, 0o644 << 16, off)
            cd += it.name
            n += 1
    cd_off = len(out)
    out += cd
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(cd), cd_off, 0)
    return bytes(out)


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


def tar_bytes(members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in members:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            ti.mtime = 0
            ti.mode = 0o644
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = ""
            t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def tar_read(data, name):
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as t:
        return t.extractfile(name).read()


def sevenzip(members):
    """7z archive of [(path, bytes)] made by p7zip's `7z a` without
    timestamps (deterministic)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "src")
        for name, data in members:
            p = os.path.join(src, name)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(data)
            os.chmod(p, 0o644)
        out = os.path.join(tmp, "out.7z")
        subprocess.run(["7z", "a", "-t7z", "-mx=9", "-mmt=1", "-mtm=off",
                        "-mtc=off", "-mta=off", "-bso0", "-bsp0", out] +
                       [name for name, _ in members], cwd=src, check=True)
        with open(out, "rb") as f:
            return f.read()


def sevenzip_read(path, name):
    r = subprocess.run(["7z", "x", "-so", path, name], capture_output=True,
                       check=True)
    return r.stdout


def zstd_compress(data):
    r = subprocess.run(["zstd", "-q", "-19", "-c", "--no-progress"],
                       input=data, capture_output=True, check=True)
    return r.stdout


def zstd_decompress(data):
    r = subprocess.run(["zstd", "-q", "-d", "-c"], input=data,
                       capture_output=True, check=True)
    return r.stdout


# ---------------------------------------------------------------------------
# checks (never unpickle anything hostile)
# ---------------------------------------------------------------------------

def globals_of(p):
    """(module, name) pairs a pickle stream imports, by disassembly only;
    STACK_GLOBAL operands are tracked through MEMOIZE/BINPUT/BINGET of
    strings. Scans stacked streams to the end."""
    out = []
    f = io.BytesIO(p)
    while f.tell() < len(p):
        strs = []
        memo = {}
        try:
            for op, arg, _ in pickletools.genops(f):
                n = op.name
                if n == "GLOBAL":
                    out.append(tuple(arg.split(" ", 1)))
                elif n in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE",
                           "STRING", "SHORT_BINSTRING", "BINSTRING"):
                    strs.append(arg)
                elif n == "MEMOIZE":
                    memo[len(memo)] = strs[-1] if strs else None
                elif n in ("BINPUT", "LONG_BINPUT", "PUT"):
                    memo[arg] = strs[-1] if strs else None
                elif n in ("BINGET", "LONG_BINGET", "GET"):
                    strs.append(memo.get(arg))
                elif n == "STACK_GLOBAL":
                    out.append((strs[-2], strs[-1]))
        except ValueError:
            break
    return out


def is_payload(p):
    need(("posix", "system") in globals_of(p), "no posix.system in payload")


def c_pickle_payload(p):
    return lambda path, d: (need(p in d, "payload bytes not in the file"),
                            is_payload(p))


def c_zip_refuses(member, exc, text):
    """zipfile (what many scanners use) refuses to read the member."""
    def check(path, d):
        try:
            with zipfile.ZipFile(io.BytesIO(d)) as z:
                z.read(member)
        except exc as e:
            need(text in str(e), "zipfile raised %r, expected %r" % (e, text))
            return
        raise CheckFailed("zipfile read %s without complaint" % member)
    return check


def c_zip_member(member, payload):
    """zipfile itself hands out the payload."""
    def check(path, d):
        with zipfile.ZipFile(io.BytesIO(d)) as z:
            need(z.read(member) == payload, "zipfile member differs")
            need(z.testzip() is None, "zipfile CRC error")
        if b"posix" in payload:
            is_payload(payload)
    return check


def torch_reader(path):
    import torch
    return torch._C.PyTorchFileReader(path)


def c_torch_record(record, payload):
    """torch's own archive reader (miniz, what torch.load uses) returns the
    payload for this record; get_record does not unpickle."""
    def check(path, d):
        r = torch_reader(path)
        got = bytes(r.get_record(record))
        need(got == payload, "torch reads %d bytes of %s, not the payload"
             % (len(got), record))
        if payload in (EVIL2, EVIL4, EVIL0, EVIL2_BROKEN) or b"posix" in got:
            is_payload(got)
    return check


def c_torch_refuses(record, text):
    """torch 1.13's reader refuses the record (documents the behaviour)."""
    def check(path, d):
        try:
            torch_reader(path).get_record(record)
        except RuntimeError as e:
            need(text in str(e), "torch raised %r" % e)
            return
        raise CheckFailed("torch read %s" % record)
    return check


def c_stored_payload(payload):
    """The payload sits stored (uncompressed) right after its local
    header, which is where a reader that ignores the flags takes it."""
    def check(path, d):
        n, m = struct.unpack_from("<HH", d, 26)
        need(d[30 + n + m:30 + n + m + len(payload)] == payload,
             "payload not stored after the first local header")
        is_payload(payload)
    return check


def c_torch_records(present=(), absent=()):
    def check(path, d):
        recs = set(torch_reader(path).get_all_records())
        for r in present:
            need(r in recs, "torch reader lacks %s (has %s)" % (r, sorted(recs)))
        for r in absent:
            need(r not in recs, "torch reader has %s" % r)
    return check


def c_torch_load(expect_type=None):
    """Benign only: torch.load must succeed."""
    def check(path, d):
        import torch
        obj = torch.load(path)
        if expect_type is not None:
            need(isinstance(obj, expect_type), "torch.load gave %s" % type(obj))
    return check


def c_decomp(fn, payload):
    def check(path, d):
        need(fn(d) == payload, "decompressed bytes differ")
        if payload in (EVIL2, EVIL4, EVIL0):
            is_payload(payload)
    return check


# ---------------------------------------------------------------------------
# 1. benign: the real libraries
# ---------------------------------------------------------------------------

def state_dict():
    import torch
    sd = collections.OrderedDict(
        w=torch.arange(6, dtype=torch.float32).reshape(2, 3),
        b=torch.zeros(3, dtype=torch.float16),
        idx=torch.tensor([1, 2, 3]))
    sd["w_view"] = sd["w"][1]                # shares storage 0, offset 3
    return sd


def torch_zip_bytes(obj, root):
    """torch.save to a file named <root>.pt (the archive folder is the
    file's base name); torch's zip writer is deterministic."""
    import torch
    with tempfile.TemporaryDirectory() as tmp:
        p = os.path.join(tmp, root + ".pt")
        torch.save(obj, p)
        with open(p, "rb") as f:
            return f.read()


def torch_legacy_bytes(obj):
    """torch.save(_use_new_zipfile_serialization=False) with the storage
    keys (str(storage._cdata): heap pointers) renamed "0", "1", ... in
    their sorted order, so the raw storages that follow stay in order."""
    import torch
    b = io.BytesIO()
    torch.save(obj, b, _use_new_zipfile_serialization=False)
    d = b.getvalue()
    f = io.BytesIO(d)
    for _ in range(5):
        for _op in pickletools.genops(f):
            pass
    end = f.tell()
    f.seek(0)
    for _ in range(4):
        for _op in pickletools.genops(f):
            pass
    keys = [a for op, a, _ in pickletools.genops(io.BytesIO(d[f.tell():end]))
            if op.name == "BINUNICODE"]
    need(len(keys) < 10 and keys == sorted(keys), "legacy keys")
    head = d[:end]
    for i, k in enumerate(keys):
        old = b"X" + struct.pack("<I", len(k)) + k.encode()
        new = b"X" + struct.pack("<I", len(str(i))) + str(i).encode()
        head = head.replace(old, new)
    return head + d[end:]


TS_SOURCE = '''import torch


class Doubler(torch.nn.Module):
    def forward(self, x):
        return x * 2
'''


def torchscript_bytes():
    """torch.jit.save of a scripted module. The class is compiled from a
    fixed source registered in linecache under a fixed file name, so the
    source ranges in code/*.debug_pkl do not depend on where this script
    lives."""
    import linecache
    import types
    import torch
    fname = "brine_ts_fixture.py"
    mod = types.ModuleType("brine_ts_fixture")
    mod.__file__ = fname
    sys.modules[mod.__name__] = mod
    linecache.cache[fname] = (len(TS_SOURCE), None,
                              TS_SOURCE.splitlines(True), fname)
    exec(compile(TS_SOURCE, fname, "exec"), mod.__dict__)
    b = io.BytesIO()
    torch.jit.save(torch.jit.script(mod.Doubler()), b)
    return b.getvalue()


def gen_torch():
    import torch
    GROUP[0] = "torch"
    sd = state_dict()
    zp = torch_zip_bytes(sd, "sd_zip")
    add("T1", "torch_state_dict.pt", zp, "pytorch-zip", "safe", "-",
        "torch.save zip (1.13) of an OrderedDict of float32/float16/int64 "
        "tensors and a view sharing storage 0 at offset 3",
        c_torch_load(collections.OrderedDict),
        c_torch_records(["data.pkl", "data/0", "data/1", "data/2", "version"]))
    lg = torch_legacy_bytes(sd)
    add("T2", "torch_state_dict_legacy.pt", lg, "pytorch-legacy", "safe", "-",
        "torch.save(_use_new_zipfile_serialization=False): five stacked "
        "pickles then the raw storages (keys renamed 0,1,2 for determinism)",
        c_torch_load(collections.OrderedDict),
        lambda p, d: need(d.startswith(b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46"),
                          "legacy magic"))
    ts = torchscript_bytes()
    add("T3", "torchscript_module.pt", ts, "torchscript", "safe", "-",
        "torch.jit.save of a scripted module: code/__torch__/*.py, "
        "constants.pkl, data.pkl (GLOBAL __torch__.brine_ts_fixture.Doubler "
        "+ NEWOBJ/BUILD) and code/*.debug_pkl, whose source ranges REDUCE "
        "torch.jit._pickle.build_intlist: torch's C++ TorchScript unpickler "
        "resolves that closed set itself, never through Python; safe needs "
        "the TorchScript context for .debug_pkl too and "
        "torch.jit._pickle.build_* allowed there (not in "
        "allowlists/torch.json)",
        lambda p, d: need(isinstance(torch.jit.load(p),
                                     torch.jit.ScriptModule), "jit.load"))
    torch.manual_seed(0)
    lin = torch_zip_bytes(torch.nn.Linear(2, 2), "linear")
    add("T4", "torch_linear_module.pt", lin, "pytorch-zip", "safe", "-",
        "torch.save of a whole nn.Linear (not a state dict): construct "
        "torch.nn.modules.linear.Linear + BUILD, __builtin__.set([]), "
        "_rebuild_parameter; all allowed by allowlists/torch.json",
        c_torch_load(torch.nn.Linear))
    return sd, zp, lg


def logreg():
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    X = np.array([[0., 1.], [1., 0.], [1., 1.], [0., 0.]])
    y = np.array([0, 1, 1, 0])
    return LogisticRegression().fit(X, y)


JOBLIB_COMP = [("zlib", "zlib", "78"), ("gzip", "gzip", "1f8b"),
               ("bz2", "bzip2", "425a68"), ("lzma", "xz", "5d00"),
               ("xz", "xz", "fd377a585a00"), ("lz4", "lz4", "04224d18")]


def joblib_bytes(obj, name, compress):
    import joblib
    with tempfile.TemporaryDirectory() as tmp:
        p = os.path.join(tmp, name)
        joblib.dump(obj, p, compress=compress)
        with open(p, "rb") as f:
            d = f.read()
    if d[:2] == b"\x1f\x8b":
        d = d[:4] + b"\x00\x00\x00\x00" + d[8:]   # gzip MTIME (no FHCRC)
    return d


def c_joblib_load(cls):
    def check(path, d):
        import joblib
        need(isinstance(joblib.load(path), cls), "joblib.load type")
    return check


def gen_joblib():
    from sklearn.linear_model import LogisticRegression
    GROUP[0] = "joblib"
    clf = logreg()
    add("J1", "logreg.joblib", joblib_bytes(clf, "logreg.joblib", 0),
        "joblib", "safe", "-",
        "joblib.dump (1.2.0) of a sklearn 1.2.1 LogisticRegression, "
        "uncompressed: protocol-4 pickle with inline 16-byte-aligned "
        "array bytes after each NumpyArrayWrapper",
        c_joblib_load(LogisticRegression))
    for comp, fmt, magic in JOBLIB_COMP:
        name = "logreg_%s.joblib" % comp
        d = joblib_bytes(clf, name, (comp, 3))
        add("J-%s" % comp, name, d, fmt, "safe", "-",
            "joblib.dump(compress=('%s', 3)) of the LogisticRegression: "
            "the whole file is a %s stream around the joblib pickle "
            "(reported with the wrapper's format id%s)"
            % (comp, fmt, ", lzma-alone is reported as xz" if comp == "lzma"
               else ""),
            c_joblib_load(LogisticRegression),
            (lambda m: lambda p, dd: need(dd.hex().startswith(m), "magic"))(magic))


def c_npload(pickle_ok, check_fn):
    def check(path, d):
        import numpy as np
        r = np.load(path, allow_pickle=pickle_ok)
        try:
            need(check_fn(r), "np.load content")
        finally:
            if hasattr(r, "close"):
                r.close()
    return check


def np_save_bytes(fn):
    with tempfile.TemporaryDirectory() as tmp:
        p = os.path.join(tmp, "x")
        fn(p)
        for cand in (p, p + ".npy", p + ".npz"):
            if os.path.exists(cand):
                with open(cand, "rb") as f:
                    return f.read()
    raise CheckFailed("numpy wrote nothing")


def gen_numpy():
    import numpy as np
    GROUP[0] = "numpy"
    arr = np.arange(5, dtype="<f4")
    add("N1", "array_f32.npy",
        np_save_bytes(lambda p: np.save(p, arr)), "numpy-npy", "safe", "-",
        "np.save of a float32 array (.npy v1.0, no pickle)",
        c_npload(False, lambda r: (r == arr).all()))
    obj = np.array([{"a": 1}, None, "text"], dtype=object)
    add("N2", "array_object.npy",
        np_save_bytes(lambda p: np.save(p, obj, allow_pickle=True)),
        "numpy-npy", "safe", "-",
        "np.save of an object array: descr '|O', the data is a protocol-3 "
        "pickle (numpy.core.multiarray._reconstruct, ndarray, dtype; a dict, "
        "None, a str)",
        c_npload(True, lambda r: r[0] == {"a": 1} and r[2] == "text"))
    add("N3", "arrays.npz",
        fix_zip_times(np_save_bytes(lambda p: np.savez(
            p, a=np.arange(3), b=np.ones((2, 2))))),
        "numpy-npz", "safe", "-",
        "np.savez: STORED zip of a.npy and b.npy (local headers carry the "
        "ZIP64 extra numpy's force_zip64 writes, central entries do not; "
        "timestamps fixed)",
        c_npload(False, lambda r: (r["b"] == 1).all()))
    add("N4", "arrays_compressed.npz",
        fix_zip_times(np_save_bytes(lambda p: np.savez_compressed(
            p, a=np.arange(3), b=np.linspace(0, 1, 4)))),
        "numpy-npz", "safe", "-",
        "np.savez_compressed: DEFLATED zip of .npy members",
        c_npload(False, lambda r: (r["a"] == np.arange(3)).all()))
    add("N5", "arrays_object.npz",
        fix_zip_times(np_save_bytes(lambda p: np.savez(
            p, w=np.arange(3), obj=obj))),
        "numpy-npz", "safe", "-",
        "np.savez with an object array member: obj.npy holds a pickle; like "
        "every savez member its local header carries a ZIP64 extra the "
        "central entry lacks (force_zip64, real sizes in 32 bits): benign, "
        "must not be escalated as a pickle-hiding header mismatch",
        c_npload(True, lambda r: r["obj"][2] == "text"))


def gen_pandas():
    import pandas as pd
    GROUP[0] = "pandas"
    df = pd.DataFrame({"a": [1, 2, 3], "b": [0.5, 1.5, 2.5],
                       "c": ["x", "y", "z"]})
    specs = [("gzip", "df.pkl.gz", {"method": "gzip", "mtime": 0}, "gzip"),
             ("bz2", "df.pkl.bz2", {"method": "bz2"}, "bzip2"),
             ("xz", "df.pkl.xz", {"method": "xz"}, "xz"),
             ("zip", "df.pkl.zip", {"method": "zip", "archive_name": "df.pkl"},
              "zip"),
             ("zstd", "df.pkl.zst", {"method": "zstd"}, "zstd")]
    for comp, name, args, fmt in specs:
        with tempfile.TemporaryDirectory() as tmp:
            p = os.path.join(tmp, name)
            df.to_pickle(p, compression=args)
            with open(p, "rb") as f:
                d = f.read()
        if comp == "zip":
            d = fix_zip_times(d)

        def check(path, dd, comp=comp):
            back = pd.read_pickle(path, compression=comp)
            need(back.equals(df), "read_pickle differs")
        add("P-%s" % comp, "pandas_" + name, d, fmt, "safe", "-",
            "pandas 1.5.3 DataFrame.to_pickle(compression=%r): protocol-5 "
            "pickle of pandas/numpy globals, all in allowlists/pandas.json "
            "and numpy.json (same content as the benign "
            "dataframe_to_pickle_p5.pkl)%s" % (
                comp, "; needs python3-zstandard" if comp == "zstd" else ""),
            check)


def gen_containers(sd_zip, sd_legacy):
    GROUP[0] = "containers"
    tar = tar_bytes([("model/pytorch_model.bin", sd_zip),
                     ("model/config.json", b'{"hidden_size": 3}\n')])
    tr = lambda d: tar_read(d, "model/pytorch_model.bin")  # noqa: E731
    add("C1", "torch_in.tar", tar, "tar", "safe", "-",
        "ustar archive holding a torch zip checkpoint and a config.json",
        lambda p, d: need(tr(d) == sd_zip, "tar member"))
    add("C2", "torch_in.tar.gz", gz(tar), "gzip", "safe", "-",
        "the same tar, gzip-compressed (tar inside gzip)",
        lambda p, d: need(tr(gzip.decompress(d)) == sd_zip, "tgz member"))
    add("C3", "torch_in.tar.xz", lzma.compress(tar, format=lzma.FORMAT_XZ),
        "xz", "safe", "-", "the same tar, xz-compressed",
        lambda p, d: need(tr(lzma.decompress(d)) == sd_zip, "txz member"))
    add("C4", "torch_in.7z", sevenzip([("pytorch_model.bin", sd_zip)]), "7z",
        "safe", "-", "7z (LZMA2) archive holding a torch zip checkpoint "
        "named pytorch_model.bin",
        lambda p, d: need(sevenzip_read(p, "pytorch_model.bin") == sd_zip,
                          "7z member"))
    add("C5", "pickle_in.zip", mkzip([("model.pkl", BENIGN_P4)],
                                     zipfile.ZIP_DEFLATED),
        "zip", "safe", "-", "plain zip with one deflated benign pickle "
        "(a dict of ints, a list and a str)",
        c_zip_member("model.pkl", BENIGN_P4))
    add("C6", "torch_legacy.pt.gz", gz(sd_legacy), "gzip", "safe", "-",
        "gzip of a legacy (non-zip) torch.save file",
        c_decomp(gzip.decompress, sd_legacy))
    add("C7", "pickle.pkl.zst", zstd_compress(BENIGN_P4), "zstd", "safe",
        "-", "zstd frame (zstd CLI -19) of a benign protocol-4 pickle",
        c_decomp(zstd_decompress, BENIGN_P4))
    add("C8", "empty.zip", b"PK\x05\x06" + b"\x00" * 18, "zip", "safe", "-",
        "empty zip: only an end-of-central-directory record (no members; "
        "expected safe with format zip - integrator to confirm it is not "
        "unrecognized)",
        lambda p, d: need(zipfile.ZipFile(io.BytesIO(d)).namelist() == [],
                          "empty zip"))
    tar_benign = tar_bytes([
        ("sys_info", pickle.dumps({"protocol_version": 1001,
                                   "little_endian": True,
                                   "type_sizes": {"short": 2, "int": 4,
                                                  "long": 8}}, protocol=2)),
        ("pickle", pickle.dumps({"epoch": 3, "lr": 0.5, "name": "tiny"},
                                protocol=2)),
        ("storages", TAR_STORAGES), ("tensors", TAR_TENSORS)])
    add("C9", "torch_tar_benign.pt", tar_benign, "pytorch-tar", "safe", "-",
        "ancient torch tar layout (formats.md §A4/§D2): sys_info, pickle (a "
        "small dict), storages (count 0 then an empty storage_views list), "
        "tensors (count 0); torch 1.13 torch.load reads it",
        lambda p, d: need(__import__("torch").load(p) ==
                          {"epoch": 3, "lr": 0.5, "name": "tiny"},
                          "torch.load of the tar layout"))


def gen_renamed(sd_zip):
    GROUP[0] = "renamed"
    add("R1", "renamed/weights.safetensors", sd_zip, "pytorch-zip", "safe",
        "-", "the torch zip checkpoint of T1 named weights.safetensors: the "
        "content (PK) decides, not the extension",
        c_torch_load(collections.OrderedDict))
    p0 = pickle.dumps({"a": 1, "b": [1, 2, 3]}, protocol=0)
    add("R2", "renamed/README.md", p0, "pickle", "safe", "-",
        "a benign protocol-0 pickle (no \\x80 marker, text-like) named "
        "README.md: recognised as a pickle by content",
        lambda p, d: need(not d.startswith(b"\x80"), "protocol 0"))


# ---------------------------------------------------------------------------
# 2. hostile containers (B1-B13 and the container rules)
# ---------------------------------------------------------------------------

def torchlike(payload=EVIL2):
    """zipfile-made torch-like archive: archive/data.pkl + archive/version
    (pickle-threats.md §4.1 / formats.md §D2 evil_torch.pt)."""
    return mkzip([("archive/data.pkl", payload), ("archive/version", b"3\n")])


def set_flags(data, local_off, cd_off, bits):
    b = bytearray(data)
    struct.pack_into("<H", b, local_off + 6, bits)
    struct.pack_into("<H", b, cd_off + 8, bits)
    return bytes(b)


def torch_patch_record(data, record, new):
    """Replace a record of a real torch.save zip in place with bytes of the
    same length and fix its CRC-32 in the data descriptor and the central
    directory, so the archive stays exactly as torch laid it out."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        zi = next(i for i in z.infolist() if i.filename.endswith("/" + record))
        old = z.read(zi)
    need(len(old) == len(new), "same length")
    b = bytearray(data)
    lo = zi.header_offset
    n, m = struct.unpack_from("<HH", b, lo + 26)
    start = lo + 30 + n + m
    need(bytes(b[start:start + len(old)]) == old, "record bytes")
    b[start:start + len(old)] = new
    crc = zlib.crc32(new) & 0xFFFFFFFF
    dd = start + len(old)
    need(b[dd:dd + 4] == b"PK\x07\x08", "data descriptor")
    struct.pack_into("<I", b, dd + 4, crc)
    for cd, off, name in central_entries(data):
        if off == lo:
            struct.pack_into("<I", b, cd + 16, crc)
    return bytes(b)


def gen_hostile(sd):
    GROUP[0] = "B1-B13"
    # B1 ---------------------------------------------------------------
    add("B1", "b1_pickle_as_data_txt.zip", mkzip([("data.txt", EVIL4)]),
        "zip", "unsafe", "PKL001",
        "CVE-2025-1889: protocol-4 posix.system pickle in a zip member named "
        "data.txt (extension-based member routing misses it)",
        c_zip_member("data.txt", EVIL4))
    add("B1b", "b1b_protocol0_in_zip.zip",
        mkzip([("notes/readme.txt", b"tiny model\n"),
               ("notes/weights", EVIL0)]),
        "zip", "unsafe", "PKL001",
        "protocol-0 payload (no \\x80 marker) in an extensionless zip member "
        "beside a text member",
        c_zip_member("notes/weights", EVIL0))
    # B2 ---------------------------------------------------------------
    base = torchlike()
    ents = central_entries(base)
    cd0, lo0, name0 = ents[0]
    need(name0 == "archive/data.pkl", "first member")
    b2 = bytearray(base)
    need(b2[lo0 + 30:lo0 + 46] == b"archive/data.pkl", "local name")
    b2[lo0 + 30:lo0 + 46] = b"archive/datap.kl"
    add("B2", "b2_local_central_name_mismatch.pt", b2, "pytorch-zip",
        "unsafe", "ZIP001",
        "CVE-2025-1944: local header names archive/datap.kl, central "
        "directory archive/data.pkl (zipfile raises; torch reads the "
        "central name); escalated because the member holds a posix.system "
        "pickle (PKL001 present too)",
        c_zip_refuses("archive/data.pkl", zipfile.BadZipFile, "differ"),
        c_torch_record("data.pkl", EVIL2))
    # B3 ---------------------------------------------------------------
    for bits, tag, exc, text in [
            (0x1, "0x1", RuntimeError, "encrypted"),
            (0x20, "0x20", NotImplementedError, "patched"),
            (0x40, "0x40", NotImplementedError, "strong encryption")]:
        add("B3-%s" % tag, "b3_flag_%s.pt" % tag,
            set_flags(base, lo0, cd0, bits), "pytorch-zip", "unsafe",
            "ZIP003",
            "CVE-2025-1945: general-purpose flag bits %s on archive/data.pkl "
            "in the local and central headers; zipfile refuses the member "
            "(scanners built on it fail open) while the bytes are a plain "
            "stored posix.system pickle; escalated, PKL001 present too. "
            "NB torch 1.13's miniz also refuses it (unsupported "
            "encryption/feature), see B3-local" % tag,
            c_zip_refuses("archive/data.pkl", exc, text),
            c_torch_refuses("data.pkl", "unsupported"),
            c_stored_payload(EVIL2))
    b3l = bytearray(base)
    struct.pack_into("<H", b3l, lo0 + 6, 0x1)
    add("B3-local", "b3_flag_0x1_local_only.pt", b3l, "pytorch-zip", "unsafe",
        "ZIP004",
        "encrypted bit 0x1 set only in the local header of archive/data.pkl "
        "(central says 0): torch's miniz and zipfile both read the payload "
        "from the central entry, a local-header walker sees an encrypted "
        "member; local and central flags disagree (ZIP004 escalated, PKL001 "
        "present)",
        c_zip_member("archive/data.pkl", EVIL2),
        c_torch_record("data.pkl", EVIL2))
    # B4 ---------------------------------------------------------------
    at = base.find(b"X\x02\x00\x00\x00id")
    need(at > 0 and base.count(b"X\x02\x00\x00\x00id") == 1, "B4 anchor")
    b4 = bytearray(base)
    b4[at + 6] = ord("e")                     # system('id') -> system('ie')
    payload_b4 = EVIL2.replace(b"idq", b"ieq")
    add("B4", "b4_crc_mismatch.pt", b4, "pytorch-zip", "unsafe", "ZIP002",
        "CVE-2025-10156: payload byte changed after writing (command 'id' -> "
        "'ie', still posix.system) so the CRC-32 no longer matches (zipfile "
        "raises Bad CRC-32, torch never checks); escalated, PKL001 present "
        "too", c_zip_refuses("archive/data.pkl", zipfile.BadZipFile, "CRC"),
        c_torch_record("data.pkl", payload_b4))
    # B5 ---------------------------------------------------------------
    add("B5", "b5/pytorch_model.bin", EVIL2, "pickle", "unsafe", "PKL001",
        "CVE-2025-10155: plain protocol-2 pickle with a PyTorch name; "
        "torch.load falls back to the legacy pickle loader",
        c_pickle_payload(EVIL2))
    add("B5b", "b5/model.bin", EVIL0, "pickle", "unsafe", "PKL001",
        "protocol-0 pickle (no \\x80) named model.bin "
        "(modelaudit test_cve_2025_10155_bin_pickle variant)",
        c_pickle_payload(EVIL0))
    # B6 ---------------------------------------------------------------
    add("B6", "b6_pickle_in.7z", sevenzip([("archive/data.pkl", EVIL2)]),
        "7z", "unsafe", "PKL001",
        "nullifAI: 7z archive holding archive/data.pkl (posix.system)",
        lambda p, d: need(sevenzip_read(p, "archive/data.pkl") == EVIL2,
                          "7z member"))
    real = torch_zip_bytes(sd, "archive")
    with zipfile.ZipFile(io.BytesIO(real)) as z:
        dlen = z.getinfo("archive/data.pkl").file_size
    replaced = torch_patch_record(real, "data.pkl", evil2_padded(dlen))
    add("B6b", "b6b_torch_zip_in.7z", sevenzip([("model.bin", replaced)]),
        "7z", "unsafe", "PKL001",
        "7z holding a torch.save zip named model.bin whose data.pkl is the "
        "payload (scanners that extract only *.pkl from 7z skip it); "
        "member path model.bin!archive/data.pkl",
        lambda p, d: need(sevenzip_read(p, "model.bin") == replaced,
                          "7z member"))
    # B7 ---------------------------------------------------------------
    add("B7", "b7_broken_stream_in.zip",
        mkzip([("model/model.pkl", EVIL2_BROKEN)], zipfile.ZIP_DEFLATED),
        "zip", "unsafe", "PKL001",
        "nullifAI broken stream: posix.system REDUCE, then an invalid "
        "opcode and garbage instead of STOP, in a deflated zip member",
        c_zip_member("model/model.pkl", EVIL2_BROKEN),
        lambda p, d: is_payload(EVIL2_BROKEN))
    # B8 ---------------------------------------------------------------
    import lz4.frame
    wraps = [
        ("zlib", "zlib", zlib.compress(EVIL2, 9), zlib.decompress),
        ("gzip", "gzip", gz(EVIL2), gzip.decompress),
        ("bz2", "bzip2", bz2.compress(EVIL2, 9), bz2.decompress),
        ("xz", "xz", lzma.compress(EVIL2, format=lzma.FORMAT_XZ),
         lzma.decompress),
        ("lzma", "xz", lzma.compress(EVIL2, format=lzma.FORMAT_ALONE),
         lzma.decompress),
        ("lz4", "lz4", lz4.frame.compress(EVIL2), lz4.frame.decompress)]
    for comp, fmt, d, fn in wraps:
        add("B8-%s" % comp, "b8_%s.joblib" % comp, d, fmt, "unsafe",
            "PKL001",
            "compressed joblib: the payload pickle wrapped in %s (joblib.load "
            "detects the magic and decompresses)%s" %
            (comp, "; lzma-alone is reported as xz" if comp == "lzma" else ""),
            c_decomp(fn, EVIL2))
    # B9 ---------------------------------------------------------------
    for name, p in [("model.distcp", EVIL2), ("optimizer.msgpack", EVIL4),
                    ("checkpoint", EVIL0)]:
        add_file("b9_dir/" + name, p, c_pickle_payload(p))
    DIR_ROWS.append(("B9", "b9_dir", "-", "unsafe", "PKL001",
                     "directory scan with payload pickles named model.distcp "
                     "(protocol 2), optimizer.msgpack (protocol 4) and "
                     "checkpoint (protocol 0, no extension): nothing is "
                     "skipped for its extension", "B1-B13"))
    for fid, name, what in [("B9a", "model.distcp", "protocol 2"),
                            ("B9b", "optimizer.msgpack", "protocol 4"),
                            ("B9c", "checkpoint", "protocol 0")]:
        DIR_ROWS.append((fid, "b9_dir/" + name, "pickle", "unsafe", "PKL001",
                         "the B9 file %s on its own (%s payload)" % (name, what),
                         "B1-B13"))
    # B10 --------------------------------------------------------------
    b10 = (pickle.dumps(TORCH_MAGIC, protocol=2) +
           pickle.dumps(1001, protocol=2) + pickle.dumps({}, protocol=2) +
           EVIL2 + pickle.dumps([], protocol=2))
    add("B10", "b10_legacy_payload_in_pickle4.pt", b10, "pytorch-legacy",
        "unsafe", "PKL001",
        "legacy torch stacked pickles: magic, 1001, sys_info {}, then "
        "posix.system as pickle 4 (the object), storage keys [] (modelscan "
        "reads only the first pickle)",
        lambda p, d: (need(d.startswith(b"\x80\x02\x8a\x0a\x6c\xfc"), "magic"),
                      is_payload(d)))
    b10b = (EVAL_MAGIC + pickle.dumps(1001, protocol=2) +
            pickle.dumps({}, protocol=2) + pickle.dumps([], protocol=2) +
            EVIL2 + pickle.dumps(None, protocol=2))
    add("B10b", "b10b_eval_magic_bypass.pt", b10b, "pickle", "unsafe",
        "PKL001",
        "GHSA-97f8-7cmv-76j2: pickle 1 = builtins.eval('0x1950A86A...') (so "
        "the legacy magic check passes in torch.load), 2 = 1001, 3 = {}, 4 = "
        "[], 5 = posix.system, 6 = None; not the magic bytes, so format "
        "pickle",
        lambda p, d: (need(("builtins", "eval") in globals_of(d), "eval"),
                      is_payload(d)))
    # B11 --------------------------------------------------------------
    b11 = mkzip([("archive/aaa", b"x" * 16), ("archive/data.pkl", EVIL2),
                 ("archive/version", b"3\n")])
    e11 = central_entries(b11)
    b11 = set_flags(b11, e11[0][1], e11[0][0], 0x1)
    add("B11", "b11_fail_open_first_member.pt", b11, "pytorch-zip", "unsafe",
        "PKL001",
        "modelscan #354 fail-open: the first member archive/aaa carries the "
        "encrypted flag, so a member loop built on zipfile raises there and "
        "never reaches archive/data.pkl = posix.system, which torch loads; "
        "ZIP003 on aaa is not escalated (no pickle there)",
        c_zip_refuses("archive/aaa", RuntimeError, "encrypted"),
        c_torch_record("data.pkl", EVIL2))
    # B12 --------------------------------------------------------------
    mem = zip_members(real)
    mem12 = [m for m in mem if m[0] != "archive/version"] + [
        ("archive/data/7", EVIL2), ("archive/version", b"3\n")]
    add("B12", "b12_hidden_pickle_data7.pt", mkzip(mem12), "pytorch-zip",
        "unsafe", "PKL001",
        "a real torch.save state dict rewritten with zipfile to add "
        "archive/data/7 = posix.system pickle: a record no persistent id "
        "references must be sniffed (modelaudit PR #1043)",
        c_torch_record("data/7", EVIL2),
        c_torch_records(["data.pkl", "data/0", "data/1", "data/2"]))
    add("B12b", "b12b_torch_data_pkl_replaced.pt", replaced, "pytorch-zip",
        "unsafe", "PKL001",
        "a real torch.save zip (FB padding, flag 0x0808, data descriptors, "
        "ZIP64 end records) whose data.pkl was overwritten in place by a "
        "same-length posix.system pickle (a padding string is POPped "
        "first) with the CRC-32s fixed",
        c_torch_record("data.pkl", evil2_padded(dlen)),
        c_zip_member("archive/data.pkl", evil2_padded(dlen)))

    GROUP[0] = "containers-hostile"
    # nested ------------------------------------------------------------
    inner_zip = mkzip([("model/evil.pkl", EVIL2)])
    tgz = gz(tar_bytes([("bundle/model.zip", inner_zip)]))
    nested = gz(tgz)

    def c_nested(p, d):
        t = gzip.decompress(gzip.decompress(d))
        z = tar_read(t, "bundle/model.zip")
        with zipfile.ZipFile(io.BytesIO(z)) as zz:
            need(zz.read("model/evil.pkl") == EVIL2, "nested payload")
    add("H1", "nested_zip_in_tgz_in.gz", nested, "gzip", "unsafe", "PKL001",
        "depth 3: posix.system pickle model/evil.pkl in a zip, in a tar.gz "
        "(bundle/model.zip), in a gzip; member path like "
        "[gzip]![gzip]!bundle/model.zip!model/evil.pkl", c_nested)
    # TRC002 / TRC001 ------------------------------------------------------
    mem_trunc = [(n, d[:12] if n == "archive/data/0" else d) for n, d in mem]
    add("H2", "torch_storage_truncated.pt", mkzip(mem_trunc), "pytorch-zip",
        "unsafe", "TRC002",
        "torch zip whose storage archive/data/0 (FloatStorage, 6 elements = "
        "24 bytes, also viewed at offset 3) holds only 12 bytes "
        "(CVE-2026-24747 storage-size mismatch)",
        c_torch_records(["data/0"]),
        lambda p, d: need(len(bytes(torch_reader(p).get_record("data/0"))) ==
                          12, "truncated storage"))
    mem_missing = [(n, d) for n, d in mem if n != "archive/data/1"]
    add("H3", "torch_storage_missing.pt", mkzip(mem_missing), "pytorch-zip",
        "error", "TRC001",
        "torch zip without archive/data/1, which data.pkl's HalfStorage "
        "persistent id names (torch.load fails)",
        c_torch_records(["data.pkl", "data/0", "data/2"], ["data/1"]))
    # ZIP006 / ZIP007 / ZIP008 ----------------------------------------
    cfg = b'{"architectures": ["Tiny"]}\n'
    w = struct.pack("<4f", 0.0, 1.0, 2.0, 3.0)
    z6 = raw_zip([Raw("config.json", cfg), EVIL2, Raw("weights.bin", w)])
    add("H4", "zip_hidden_pickle_between_entries.zip", z6, "zip", "unsafe",
        "ZIP006",
        "34 bytes between the first entry's data and the second local header "
        "hold a posix.system pickle no entry covers (ZIP006 escalated, "
        "PKL001 present)",
        c_zip_member("weights.bin", w),
        lambda p, d: need(EVIL2 in d, "hidden bytes"))
    z7 = raw_zip([Raw("config.json", cfg), Raw("evil.pkl", EVIL2, False),
                  Raw("weights.bin", w)])
    add("H5", "zip_unlisted_local_entry.zip", z7, "zip", "unsafe", "ZIP007",
        "a complete local entry evil.pkl (posix.system) between two listed "
        "entries but missing from the central directory: a reader that "
        "walks local headers loads it (ZIP007 escalated, PKL001 present)",
        lambda p, d: need(zipfile.ZipFile(io.BytesIO(d)).namelist() ==
                          ["config.json", "weights.bin"], "central list"),
        lambda p, d: need(b"PK\x03\x04\x14\x00\x00\x00\x00\x00" in d and
                          d.count(b"PK\x03\x04") == 3, "three local headers"),
        c_zip_member("weights.bin", w))
    add("H7", "zip_path_traversal.zip",
        mkzip([("../../evil.pkl", EVIL2), ("ok.txt", b"ok\n")]), "zip",
        "unsafe", "ZIP008",
        "member named ../../evil.pkl holding posix.system (extraction "
        "leaves the target directory; ZIP008 escalated, PKL001 present)",
        c_zip_member("../../evil.pkl", EVIL2))
    # tar ----------------------------------------------------------------
    def c_tarfile_sees(name):
        def c(p, d):
            with tarfile.open(fileobj=io.BytesIO(d)) as t:
                need(name in t.getnames(), "tarfile lists " + name)
        return c
    add("H9", "tar_hardlink_body.tar", hardlink_body_tar(EVIL2), "tar",
        "unsafe", "PKL001",
        "pax hardlink whose size covers a tar header and a posix.system "
        "pickle: libarchive reads those bytes as the link's body, Python's "
        "tarfile as a member hidden.pkl; brine examines the body and reports "
        "the disagreement (FMT001)",
        c_tarfile_sees("hidden.pkl"))
    # polyglot -------------------------------------------------------------
    prefix = pickle.dumps({"lr": 0.1}, protocol=2)
    poly = prefix + mkzip([("archive/data.pkl", EVIL2)], zipfile.ZIP_DEFLATED)
    add("H10", "pickle_zip_polyglot.pkl", poly, "pickle", "unsafe", "ZIP006",
        "a benign protocol-2 pickle (what pickle.load and torch's legacy "
        "loader read) followed by a zip whose deflated archive/data.pkl is "
        "posix.system: zipfile.is_zipfile() is true (Keras, skops and any "
        "zipfile-based loader open it); ZIP006 escalated, PKL001 present",
        lambda p, d: need(zipfile.is_zipfile(io.BytesIO(d)) and
                          zipfile.ZipFile(io.BytesIO(d)).namelist() ==
                          ["archive/data.pkl"], "zipfile opens it"),
        lambda p, d: need(list(pickletools.genops(d))[-1][0].name == "STOP",
                          "the prefix is one whole pickle"))
    # HDF5 user block ------------------------------------------------------
    add("H11", "h5_userblock_pickle.h5", h5_userblock(EVIL2), "pickle",
        "unsafe", "PKL001",
        "h5py file with a 512-byte user block holding a posix.system pickle: "
        "HDF5 readers find the superblock at 512, pickle.load (and "
        "torch.load's legacy path) reads the user block",
        lambda p, d: need(d[512:520] == b"\x89HDF\r\n\x1a\n", "superblock"),
        lambda p, d: need(list(pickletools.genops(d))[-1][0].name == "STOP",
                          "a whole pickle at byte 0"))
    # zip bomb -------------------------------------------------------------
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compresslevel=9) as z:
        zi = zinfo("zeros.bin", zipfile.ZIP_DEFLATED)
        with z.open(zi, "w") as f:
            chunk = bytes(1 << 20)
            for _ in range(200):
                f.write(chunk)
    bomb = buf.getvalue()

    def c_bomb(p, d):
        with zipfile.ZipFile(io.BytesIO(d)) as z:
            i = z.getinfo("zeros.bin")
            need(i.file_size == 200 << 20 and
                 i.file_size > 1000 * i.compress_size, "bomb ratio")
    add("H6", "zip_bomb_200mb.zip", bomb, "zip", "error", "FMT002",
        "zip bomb: one member of 200 MiB of zeros deflated to ~200 KB "
        "(ratio ~1029:1, above the default ratio limit 1000 once past 1 "
        "MiB)", c_bomb)
    # torch tar layout with the payload ------------------------------------
    evil_tar = tar_bytes([
        ("sys_info", pickle.dumps({"protocol_version": 1001,
                                   "little_endian": True,
                                   "type_sizes": {"short": 2, "int": 4,
                                                  "long": 8}}, protocol=2)),
        ("pickle", EVIL2), ("storages", TAR_STORAGES),
        ("tensors", TAR_TENSORS)])
    add("H8", "torch_tar_payload.pt", evil_tar, "pytorch-tar", "unsafe",
        "PKL001",
        "ancient torch tar layout (formats.md §D2): sys_info, pickle = "
        "posix.system, storages (0 + []), tensors 0, as in C9 which torch.load "
        "reads: torch unpickles the pickle member last",
        lambda p, d: (need(tar_read(d, "pickle") == EVIL2, "tar pickle"),
                      need(tar_read(d, "storages") == TAR_STORAGES and
                           tar_read(d, "tensors") == TAR_TENSORS,
                           "same layout as C9"), is_payload(EVIL2)))


# ---------------------------------------------------------------------------
# 3. edge cases
# ---------------------------------------------------------------------------

def gen_edge():
    GROUP[0] = "edge"
    add("E1", "empty.bin", b"", "unrecognized", "unrecognized", "-",
        "empty file")
    add("E2", "notes.txt",
        b"Model card for a tiny test model.\n\nTrained on nothing; used "
        b"only by brine's format tests.\n",
        "unrecognized", "unrecognized", "-",
        "plain text that starts with letters some of which are pickle "
        "opcodes ('M' BININT2 ...); not a pickle")
    add("E3", "config.json",
        b'{"architectures": ["Tiny"], "hidden_size": 4, "torch_dtype": '
        b'"float32"}\n', "unrecognized", "unrecognized", "-",
        "a model config.json")
    jpeg = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01"
            b"\x00\x00\xff\xdb\x00C\x00" + bytes(range(64)) + b"\xff\xd9")
    add("E4", "image.jpg", jpeg, "unrecognized", "unrecognized", "-",
        "JPEG-ish header (SOI, APP0 JFIF, a quantisation table, EOI)")
    full = gz(pickle.dumps(list(range(300)), protocol=2))
    add("E5", "truncated.pkl.gz", full[:len(full) // 2], "gzip", "error",
        "FMT001",
        "gzip of a benign pickle cut in the middle of the deflate data",
        lambda p, d: need(_raises(lambda: gzip.decompress(d), EOFError),
                          "gzip should fail"))


def _raises(fn, exc):
    try:
        fn()
    except exc:
        return True
    return False


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------

def versions():
    import joblib
    import lz4
    import numpy
    import pandas
    import sklearn
    import torch
    import zstandard
    out = [("python", "%s (/usr/bin/python3)" % sys.version.split()[0]),
           ("torch", torch.__version__), ("numpy", numpy.__version__),
           ("sklearn", sklearn.__version__), ("joblib", joblib.__version__),
           ("pandas", pandas.__version__), ("lz4", lz4.__version__),
           ("zstandard", zstandard.__version__)]
    for tool, args in [("7z", ["7z"]), ("zstd", ["zstd", "--version"])]:
        try:
            r = subprocess.run(args, capture_output=True, text=True)
            line = next((ln for ln in r.stdout.splitlines()
                         if "7-Zip" in ln or "Zstandard" in ln), "?")
            out.append((tool, line.strip()))
        except OSError:
            out.append((tool, "missing"))
    try:
        pk = ["python3", "python3-torch", "python3-numpy", "python3-sklearn",
              "python3-joblib", "python3-pandas", "python3-lz4",
              "python3-zstandard", "p7zip-full", "zstd"]
        r = subprocess.run(["dpkg-query", "-W", "-f", "${Package}=${Version} "]
                           + pk, capture_output=True, text=True)
        out.append(("debian", r.stdout.strip()))
    except OSError:
        pass
    for k in sorted(FIXED_ENV):
        out.append((k, FIXED_ENV[k]))
    return out


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def main():
    if any(os.environ.get(k) != v for k, v in FIXED_ENV.items()):
        env = dict(os.environ, **FIXED_ENV)
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()

    missing = [t for t in ("7z", "zstd") if not shutil.which(t)]
    try:
        import zstandard
        del zstandard          # only pandas' zstd compression uses it
    except ImportError:
        missing.append("python3-zstandard")
    if missing:
        # a partial run would delete committed fixtures: refuse instead
        sys.exit("gen_formats: missing %s (apt-get install p7zip-full zstd "
                 "python3-zstandard)" % ", ".join(missing))
    import torch
    torch.set_num_threads(1)
    sd, sd_zip, sd_legacy = gen_torch()
    gen_joblib()
    gen_numpy()
    gen_pandas()
    gen_containers(sd_zip, sd_legacy)
    gen_renamed(sd_zip)
    gen_hostile(sd)
    gen_edge()

    rels = [f.rel for f in FIXTURES]
    assert len(rels) == len(set(rels)), "duplicate fixture paths"
    ids = [f.id for f in FIXTURES if f.row] + [r[0] for r in DIR_ROWS]
    assert len(ids) == len(set(ids)), "duplicate ids"

    outdir = os.path.join(args.root, "tests", "data", "formats")
    keep = set(rels) | {"MANIFEST.tsv", "README.md"}
    if os.path.isdir(outdir):
        for dp, dns, fns in os.walk(outdir, topdown=False):
            for fn in fns:
                rel = os.path.relpath(os.path.join(dp, fn), outdir)
                if rel not in keep:
                    os.remove(os.path.join(dp, fn))
            for dn in dns:
                p = os.path.join(dp, dn)
                if not os.listdir(p):
                    os.rmdir(p)

    failed = 0
    for fx in FIXTURES:
        path = os.path.join(outdir, fx.rel)
        write(path, fx.data)
        if len(fx.data) > SMALL_CAP and os.path.basename(fx.rel) not in BIG_OK:
            print("SIZE: %s is %d bytes" % (fx.rel, len(fx.data)))
            failed += 1
        for c in fx.checks:
            try:
                c(path, fx.data)
            except Exception as e:   # noqa: BLE001 - report every failure
                print("CHECK FAILED %s (%s): %s: %s" % (fx.rel, fx.id,
                                                        type(e).__name__, e))
                failed += 1

    # formats.tsv
    rows = ["id\tfixture\tformat\tverdict\trule\ttechnique",
            "# generated by tools/gen_formats.py: do not edit, rerun it. "
            "fixture: path under tests/data/formats/ (a directory row "
            "expects the worst verdict of its files and format '-'); format: "
            "contract.md §5 id of the top-level file; rule: must be among "
            "the file's findings ('-': none required)"]
    order = []
    for fx in FIXTURES:
        if fx.row:
            order.append((fx.group, fx.id, fx.rel, fx.fmt, fx.verdict,
                          fx.rule, fx.technique))
    for fid, rel, fmt, verdict, rule, tech, group in DIR_ROWS:
        order.append((group, fid, rel, fmt, verdict, rule, tech))
    groups = []
    for o in order:
        if o[0] not in groups:
            groups.append(o[0])
    for g in groups:
        rows.append("# --- %s" % g)
        for o in order:
            if o[0] == g:
                assert "\t" not in o[6] and "\n" not in o[6]
                rows.append("\t".join(o[1:]))
    rows.extend(NOTES)
    with open(os.path.join(args.root, "tests", "formats.tsv"), "w",
              encoding="utf-8", newline="\n") as f:
        f.write("\n".join(rows) + "\n")

    # MANIFEST.tsv
    man = ["# brine container/format fixtures, generated by "
           "tools/gen_formats.py"]
    for k, v in versions():
        man.append("# %s\t%s" % (k, v))
    man.append("file\tsha256\tsize")
    for fx in sorted(FIXTURES, key=lambda f: f.rel):
        man.append("%s\t%s\t%d" % (fx.rel, hashlib.sha256(fx.data).hexdigest(),
                                   len(fx.data)))
    with open(os.path.join(outdir, "MANIFEST.tsv"), "w", encoding="utf-8",
              newline="\n") as f:
        f.write("\n".join(man) + "\n")

    # README.md
    lines = [
        "# Container and model-format fixtures",
        "",
        "Generated by `tools/gen_formats.py` (Debian `/usr/bin/python3` with "
        "python3-torch, -numpy, -sklearn, -joblib, -pandas, -lz4, -zstandard, "
        "p7zip-full and zstd); do not edit by hand, rerun the generator. Expected "
        "results are in `tests/formats.tsv` (id, fixture, format, verdict, "
        "rule that must be among the findings, technique); `MANIFEST.tsv` "
        "lists library versions, sha256 and size of every file.",
        "",
        "Hostile files carry `posix.system('id')` as literal pickle bytes and "
        "were never loaded. **Never load the hostile files** (B*, H*): "
        "torch.load, joblib.load, pandas.read_pickle and np.load(allow_pickle"
        "=True) would run the payload.",
        "",
    ]
    for g in groups:
        lines.append("## %s" % g)
        lines.append("")
        for o in order:
            if o[0] == g:
                lines.append("- `%s` (%s): %s / %s%s - %s" % (
                    o[2], o[1], o[3], o[4],
                    "" if o[5] == "-" else " (%s)" % o[5], o[6]))
        lines.append("")
    if NOTES:
        lines.append("## Not generated")
        lines.append("")
        for n in NOTES:
            lines.append("- " + n.lstrip("# "))
        lines.append("")
    with open(os.path.join(outdir, "README.md"), "w", encoding="utf-8",
              newline="\n") as f:
        f.write("\n".join(lines))

    if not args.quiet:
        print("%-10s %-44s %-14s %-12s %-7s %8s" % ("id", "fixture", "format",
                                                    "verdict", "rule",
                                                    "bytes"))
        for fx in FIXTURES:
            if fx.row:
                print("%-10s %-44s %-14s %-12s %-7s %8d" % (
                    fx.id, fx.rel, fx.fmt, fx.verdict, fx.rule, len(fx.data)))
        for fid, rel, fmt, verdict, rule, _, _ in DIR_ROWS:
            print("%-10s %-44s %-14s %-12s %-7s %8s" % (fid, rel, fmt, verdict,
                                                        rule, "-"))
    counts = collections.Counter(o[4] for o in order)
    print("gen_formats: %d files, %d rows (%s), %d bytes; %s" % (
        len(FIXTURES), len(order),
        ", ".join("%s %d" % kv for kv in sorted(counts.items())),
        sum(len(f.data) for f in FIXTURES),
        "all self-checks passed" if not failed else
        "%d self-check FAILURES" % failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
