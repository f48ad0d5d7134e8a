#!/usr/bin/python3
"""Differential test: brine's symbolic pickle machine against CPython's C
unpickler (_pickle.Unpickler).

usage: /usr/bin/python3 tests/diff/run.py BRINE [-v] [--slow] [--only GLOB]

For every case (tests/diff/gen_corpus.py, plus the committed fixtures under
tests/data/pickle/benign and threats) the file is

  * run through a recording subclass of the C unpickler whose find_class,
    persistent_load and out-of-band buffers return stand-ins: nothing from
    the corpus is ever imported or executed, the stand-ins only record being
    called, constructed, BUILT or updated as a container;
  * run through `brine inspect --format json`;

and the two are compared (see docs/internals/differential.md):

  complete  number of streams, whether each completes or raises, and where
            each complete stream ends
  globals   the set of globals (module.qualname, Python-2 names mapped)
  events    the multiset of (callable, kind) for call/construct/build/
            container on globals and on the results/instances of globals
  memo      memo entry count and highest index of each complete stream

Differences listed in tests/diff/expected_differences.tsv are expected;
any other difference fails, and so does every row that no longer matches
any difference (the list may only shrink). The last line is
"diff: N passed, N failed" (one unit per case, plus one per stale row).
"""
import os
import sys

if os.environ.get("PYTHONHASHSEED") != "0":
    # set/dict orders in the generated pickles must not change between runs
    env = dict(os.environ, PYTHONHASHSEED="0")
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

import _pickle
import collections
import copyreg
import fnmatch
import json
import pickletools
import re
import resource
import shutil
import subprocess
import tempfile
import time
import warnings
import _compat_pickle

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(TOP, "tests", "data", "pickle")
EXPECTED = os.path.join(HERE, "expected_differences.tsv")
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True        # no __pycache__ in the source tree
import gen_corpus  # noqa: E402

ASPECTS = ("complete", "globals", "events", "memo")
EVENT_KINDS = ("call", "construct", "build", "container")
EXT_MODULE = "\x00brine-diff-ext"     # find_class module for EXT stand-ins
BATCH = 400                           # files per brine invocation

# ---------------------------------------------------------------------------
# stand-ins


class Recording:
    """What one case did under the C unpickler."""

    def __init__(self):
        self.events = []       # (label, kind, compare_key or None)
        self.globals = set()   # mapped "module.qualname"


CURRENT = None                 # the Recording being filled


def _record(obj, kind):
    CURRENT.events.append((obj._label, kind, obj._key))


class StubMeta(type):
    """Metaclass of every stand-in. Stand-ins are classes, so that they are
    acceptable wherever CPython wants a type (NEWOBJ, INST/OBJ without
    arguments); every operation the unpickler can apply to an object that
    is not a literal is defined here and only records."""

    def __call__(cls, *args, **kwargs):          # REDUCE, INST/OBJ + args
        _record(cls, "call")
        return _result_of(cls, "result")

    def __setstate__(cls, state):                 # BUILD
        _record(cls, "build")

    def extend(cls, items):                       # APPEND, APPENDS
        _record(cls, "container")

    def append(cls, item):
        _record(cls, "container")

    def add(cls, item):                           # ADDITEMS
        _record(cls, "container")

    def __setitem__(cls, key, value):             # SETITEM, SETITEMS
        _record(cls, "container")


class Stub(metaclass=StubMeta):
    _label = "<stub>"
    _key = None
    _global = False

    def __new__(cls, *args, **kwargs):            # NEWOBJ(_EX), INST/OBJ
        _record(cls, "construct")
        return _result_of(cls, "instance")


def new_stub(label, key=None, is_global=False):
    return StubMeta("Stub", (Stub,), {"_label": label, "_key": key,
                                      "_global": is_global})


def _result_of(cls, what):
    # brine renders the result of a call on a global as "<G result>" and a
    # construction as "<G instance>"; anything else as "<object>"
    if cls._global:
        label = "<%s %s>" % (cls._label, what)
        return new_stub(label, label)
    return new_stub("<object>")


class BufferStub(bytes):
    """What NEXT_BUFFER pushes: bytes-like (READONLY_BUFFER works on it),
    and it records any other use."""
    _label = "<out-of-band buffer>"
    _key = None

    def __call__(self, *args, **kwargs):
        _record(self, "call")
        return new_stub("<object>")

    def __setstate__(self, state):
        _record(self, "build")

    def extend(self, items):
        _record(self, "container")

    def append(self, item):
        _record(self, "container")

    def add(self, item):
        _record(self, "container")

    def __setitem__(self, key, value):
        _record(self, "container")


def _buffers():
    while True:
        yield BufferStub()


# ---------------------------------------------------------------------------
# protocol tracking: find_class receives the unmapped Python-2 names and the
# C unpickler's proto field is not visible, so a linear walk over the opcode
# arguments (exactly the bytes _pickle.c reads, FRAME being a 9-byte opcode)
# lists, in order, the protocol in force at every GLOBAL, INST and
# STACK_GLOBAL. The k-th find_class call of a load() is the k-th of those.

_LINE1 = frozenset(b"IFLSVgpP")
_LINE2 = frozenset(b"ci")
_FIXED = {ord("J"): 4, ord("K"): 1, ord("M"): 2, ord("G"): 8, ord("h"): 1,
          ord("j"): 4, ord("q"): 1, ord("r"): 4, 0x80: 1, 0x82: 1, 0x83: 2,
          0x84: 4, 0x95: 8}
_COUNTED = {ord("T"): 4, ord("U"): 1, ord("X"): 4, 0x8c: 1, 0x8d: 8,
            ord("B"): 4, ord("C"): 1, 0x8e: 8, 0x96: 8, 0x8a: 1, 0x8b: 4}
_NOARG = frozenset(b"(.012NQRabde}lo]stu)") | frozenset(
    [0x81, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8f, 0x90, 0x91, 0x92, 0x93, 0x94,
     0x97, 0x98])


def walk(data, pos):
    """Linear walk of one stream from pos: ([(opcode, proto, module|None,
    name|None)] for each GLOBAL/INST/STACK_GLOBAL in order, [offset of each
    opcode]). The offsets end with the opcode where the walk stopped (STOP,
    an unknown opcode, an argument running past the end) or, if the data
    ran out between opcodes, with len(data)."""
    out = []
    starts = []
    proto = 0
    n = len(data)
    while True:
        starts.append(pos)
        if pos >= n:
            break
        op = data[pos]
        pos += 1
        if op in _LINE1:
            nl = data.find(b"\n", pos)
            if nl < 0:
                break
            pos = nl + 1
        elif op in _LINE2:
            nl = data.find(b"\n", pos)
            nl2 = data.find(b"\n", nl + 1) if nl >= 0 else -1
            if nl2 < 0:
                break
            out.append((op, proto, data[pos:nl], data[nl + 1:nl2]))
            pos = nl2 + 1
        elif op in _FIXED:
            k = _FIXED[op]
            if pos + k > n:
                break
            if op == 0x80:
                if data[pos] > 5:
                    break
                proto = data[pos]
            pos += k
        elif op in _COUNTED:
            k = _COUNTED[op]
            if pos + k > n:
                break
            size = int.from_bytes(data[pos:pos + k], "little",
                                  signed=(op == 0x8b))
            pos += k
            if size < 0 or pos + size > n:
                break
            pos += size
        elif op == 0x93:
            out.append((op, proto, None, None))
        elif op == ord("."):
            break
        elif op in _NOARG:
            pass
        else:
            break
    return out, starts


# ---------------------------------------------------------------------------
# the recording unpickler


class WholeFile:
    """A file whose peek() returns everything that is left. The C unpickler
    then holds the whole remaining input in its buffer, exactly as
    pickle.loads does (FRAME straddles and nesting behave as with loads),
    and only calls read() to consume what a finished load() used, so the
    position after load() is the end of the stream."""

    def __init__(self, data):
        self.data = data
        self.view = memoryview(data)
        self.pos = 0

    def peek(self, n=0):
        return self.view[self.pos:]

    def read(self, n=-1):
        if n is None or n < 0:
            n = len(self.data) - self.pos
        b = self.data[self.pos:self.pos + n]
        self.pos += len(b)
        return b

    def readinto(self, buf):
        b = self.read(len(buf))
        buf[:len(b)] = b
        return len(b)

    def readline(self):
        nl = self.data.find(b"\n", self.pos)
        end = len(self.data) if nl < 0 else nl + 1
        return self.read(end - self.pos)


class RecordingUnpickler(_pickle.Unpickler):
    def __init__(self, file, protos):
        super().__init__(file, buffers=_buffers())
        self.protos = protos
        self.calls = 0
        self.cache = {}

    def find_class(self, module, name):
        if module == EXT_MODULE:
            return new_stub("<ext %s>" % name)
        i = self.calls
        self.calls += 1
        if i >= len(self.protos):
            raise RuntimeError("diff harness: find_class call %d not found by "
                               "the opcode walk" % i)
        op, proto, m, n = self.protos[i]
        if m is not None and (m.decode("utf-8", "surrogatepass") != module
                              or n.decode("utf-8", "surrogatepass") != name):
            raise RuntimeError("diff harness: opcode walk out of step")
        # _pickle.c _pickle_Unpickler_find_class_impl, fix_imports=True
        if proto < 3:
            if (module, name) in _compat_pickle.NAME_MAPPING:
                module, name = _compat_pickle.NAME_MAPPING[(module, name)]
            elif module in _compat_pickle.IMPORT_MAPPING:
                module = _compat_pickle.IMPORT_MAPPING[module]
        # the failures of the real find_class that do not depend on what is
        # installed: PyImport_Import(''), a "<locals>" part of a qualname
        # (protocol >= 4), and an empty attribute name
        if not module:
            raise ValueError("Empty module name")
        parts = name.split(".") if proto >= 4 else [name]
        if "<locals>" in parts:
            raise AttributeError("Can't pickle local attribute %r on %r"
                                 % (name, module))
        if "" in parts:
            raise AttributeError("Can't get attribute %r on %r"
                                 % (name, module))
        label = module + "." + name
        CURRENT.globals.add(label)
        st = self.cache.get(label)
        if st is None:
            st = self.cache[label] = new_stub(label, label, True)
        return st

    def persistent_load(self, pid):
        return new_stub("<persistent object>")


def _ext_codes(data):
    """Every code an EXT1/EXT2/EXT4 at any offset could name."""
    codes = set()
    for op, size, signed in ((0x82, 1, False), (0x83, 2, False),
                             (0x84, 4, True)):
        i = data.find(bytes([op]))
        while i >= 0:
            if i + 1 + size <= len(data):
                c = int.from_bytes(data[i + 1:i + 1 + size], "little",
                                   signed=signed)
                if c > 0:
                    codes.add(c)
            i = data.find(bytes([op]), i + 1)
    return codes


def _exc_text(e):
    msg = str(e).splitlines()
    return "%s: %s" % (type(e).__name__, msg[0] if msg else "")


def _load_one(data, start):
    """One load() from offset start: (error text or None, end, memo).
    Only text leaves this function: a kept exception would keep the
    unpickler (and the objects on its stack) alive in a reference cycle."""
    f = WholeFile(data)
    f.pos = start
    copyreg._extension_cache.clear()
    u = RecordingUnpickler(f, walk(data, start)[0])
    err = value = None
    try:
        value = u.load()
    except RuntimeError as e:
        if str(e).startswith("diff harness"):
            raise
        err = _exc_text(e)
    except Exception as e:
        err = _exc_text(e)
    if err is not None:
        return err, None, None, None
    return None, f.pos, u.memo.copy(), value


SENTINEL = b"\xfe"     # an unknown opcode
OPNAMES = {o.code.encode("latin-1")[0]: o.name for o in pickletools.opcodes}


def raise_offset(data, start, error):
    """Where the load() that starts at `start` raises: the largest opcode
    offset b that execution reaches, found by bisection over the opcode
    offsets of the walk. Reaching b < len(data) is observed by overwriting
    the byte at b with an unknown opcode: everything before b is unchanged
    and so is the length (a FRAME before b finds exactly the bytes it found
    before); the load raises "invalid load key, '\\xfe'" iff it gets to b.
    Reaching len(data) means running out of input at an opcode boundary."""
    global CURRENT
    saved = CURRENT
    starts = walk(data, start)[1]
    lo, hi = 0, len(starts) - 1          # starts[lo] is always reached
    try:
        while lo < hi:
            mid = (lo + hi + 1) // 2
            b = starts[mid]
            if b >= len(data):
                ok = error.startswith("EOFError")
            else:
                CURRENT = Recording()
                e = _load_one(data[:b] + SENTINEL + data[b + 1:], start)[0]
                ok = e is not None and "invalid load key, '\\xfe'" in e
            if ok:
                lo = mid
            else:
                hi = mid - 1
    finally:
        CURRENT = saved
    return starts[lo]


def _describe(obj):
    if isinstance(obj, StubMeta):
        return "stand-in"
    if isinstance(obj, BufferStub):
        return "stand-in (buffer)"
    return type(obj).__name__


def stack_top(data, start, at, depth=2):
    """Types of the top `depth` stack items when the load() starting at
    `start` gets to offset `at`: insert POPs and a STOP before the opcode
    at `at` (inserting only adds bytes, so the run up to `at` is as before)
    and see what load() returns. "?" when that STOP cannot return."""
    global CURRENT
    saved = CURRENT
    out = []
    try:
        for k in range(depth):
            CURRENT = Recording()
            e, _, _, v = _load_one(data[:at] + b"0" * k + b"." + data[at:],
                                   start)
            out.append("?" if e is not None else _describe(v))
    finally:
        CURRENT = saved
    return out


def run_cpython(data):
    """Streams as CPython sees them, plus the Recording."""
    global CURRENT
    rec = CURRENT = Recording()
    # brine assumes an EXT code names something registered (it cannot know
    # copyreg's registry): register every code the file could use, each
    # resolving through find_class to a stand-in
    codes = [c for c in _ext_codes(data)
             if c not in copyreg._inverted_registry]
    for c in codes:
        copyreg._inverted_registry[c] = (EXT_MODULE, str(c))
    streams = []
    pos = 0
    try:
        while pos < len(data):
            e, end, memo, _ = _load_one(data, pos)
            if e is not None:
                at = raise_offset(data, pos, e)
                op = OPNAMES.get(data[at], "?") if at < len(data) else "EOF"
                streams.append({"complete": False, "error": e, "at": at,
                                "op": op, "top": stack_top(data, pos, at)})
                break
            streams.append({"complete": True, "end": end,
                            "entries": len(memo),
                            "max_index": max(memo) if memo else 0})
            pos = end
    finally:
        for c in codes:
            del copyreg._inverted_registry[c]
        copyreg._extension_cache.clear()
        CURRENT = None
    return streams, rec


# ---------------------------------------------------------------------------
# brine


class BrineRunner:
    """`brine inspect --format json` over batches of files, `jobs` processes
    at a time, in the background while the CPython side runs."""

    def __init__(self, brine, paths, outdir, jobs=2, limits=None):
        self.brine = brine
        self.jobs = jobs
        self.limits = limits
        self.batches = []
        for b in range(0, len(paths), BATCH):
            self.batches.append((os.path.join(outdir, "brine-%05d.json" % b),
                                 os.path.join(outdir, "brine-%05d.err" % b),
                                 paths[b:b + BATCH]))
        self.pending = list(self.batches)
        self.running = []
        self.failures = []      # brine processes killed by a signal

    def _child(self):
        if self.limits is not None:     # undo this process's RLIMIT_AS
            resource.setrlimit(resource.RLIMIT_AS, self.limits)

    def pump(self, block=False):
        while self.pending or self.running:
            still = []
            for p in self.running:
                if p.poll() is None:
                    still.append(p)
                elif p.returncode < 0:
                    self.failures.append("brine died with signal %d on "
                                         "%s ..." % (-p.returncode, p.args[4]))
            self.running = still
            while self.pending and len(self.running) < self.jobs:
                out, err, paths = self.pending.pop(0)
                with open(out, "wb") as fo, open(err, "wb") as fe:
                    self.running.append(subprocess.Popen(
                        [self.brine, "inspect", "--format", "json"] + paths,
                        stdout=fo, stderr=fe, preexec_fn=self._child))
            if not block:
                return
            if self.running:
                self.running[0].wait()

    def kill(self):
        self.pending = []
        for p in self.running:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.running = []


def read_brine(batches):
    docs = {}
    errors = []
    dec = json.JSONDecoder()
    for out, err, paths in batches:
        with open(out, "r", encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
        i = 0
        while True:
            while i < len(text) and text[i].isspace():
                i += 1
            if i >= len(text):
                break
            doc, i = dec.raw_decode(text, i)
            docs[doc["path"]] = doc
        with open(err, "r", errors="replace") as f:
            e = f.read().strip()
        if e:
            errors.append(e)
    return docs, errors


# ---------------------------------------------------------------------------
# comparison

_RESULT_RE = re.compile(r"^<(.*) (result|instance)>$")


def _collapse(seq):
    """Merge runs of identical container events: CPython calls __setitem__
    once per pair and add() once per item, brine reports one event per
    opcode."""
    out = []
    for ev in seq:
        if out and ev[1] == "container" and out[-1] == ev:
            continue
        out.append(ev)
    return out


def brine_events(doc):
    gl = {g["global"] for g in doc["globals"]}
    seq = []
    for c in doc["calls"]:
        if c["kind"] not in EVENT_KINDS:
            continue
        callee = c["callable"]
        key = None
        if callee in gl:
            key = callee
        else:
            m = _RESULT_RE.match(callee)
            if m and m.group(1) in gl:
                key = callee
        seq.append((callee, c["kind"], key))
    return collections.Counter((k, kind) for _, kind, k in _collapse(seq)
                               if k is not None)


def cpython_events(rec):
    seq = [(label, kind, key) for label, kind, key in rec.events]
    return collections.Counter((k, kind) for _, kind, k in _collapse(seq)
                               if k is not None)


def _fmt_counter(c):
    parts = []
    for (k, kind), n in sorted(c.items()):
        parts.append("%s %s%s" % (kind, k, " x%d" % n if n > 1 else ""))
    return ", ".join(parts) if parts else "-"


def _esc(text):
    """Details are printed and matched as printable ASCII."""
    out = []
    for ch in text:
        o = ord(ch)
        if 32 <= o < 127:
            out.append(ch)
        elif o < 256:
            out.append("\\x%02x" % o)
        elif o < 0x10000:
            out.append("\\u%04x" % o)
        else:
            out.append("\\U%08x" % o)
    return "".join(out)


def compare(cp_streams, rec, doc):
    """[(aspect, detail)] for one case."""
    return [(a, _esc(d)) for a, d in _compare(cp_streams, rec, doc)]


def upto_first_break(doc):
    """brine also shows streams it finds after a break (a loader that
    retries could read them); CPython's loader stops at the exception, so
    compare brine's report up to its first broken stream only."""
    if doc is None:
        return doc
    st = doc["streams"]
    for k, s in enumerate(st):
        if not s["complete"]:
            cut = s["end"]
            doc = dict(doc)
            doc["streams"] = st[:k + 1]
            doc["calls"] = [c for c in doc["calls"] if c["offset"] <= cut]
            doc["globals"] = [g for g in doc["globals"]
                              if g["first_offset"] <= cut]
            break
    return doc


def _compare(cp_streams, rec, doc):
    doc = upto_first_break(doc)
    if doc is None:
        return [("complete", "brine printed no report")]
    bs = doc["streams"]
    diffs = []
    for k in range(max(len(cp_streams), len(bs))):
        c = cp_streams[k] if k < len(cp_streams) else None
        b = bs[k] if k < len(bs) else None
        where = "stream %d" % (k + 1)
        if c is None or b is None:
            diffs.append(("complete", "stream count: cpython %d, brine %d"
                          % (len(cp_streams), len(bs))))
            break
        if c["complete"] and b["complete"]:
            if c["end"] != b["end"]:
                diffs.append(("complete", "%s: ends at %d in cpython, %d in "
                              "brine" % (where, c["end"], b["end"])))
                break
            continue
        if c["complete"]:
            detail = "brine breaks at %d (%s) where cpython completes" % (
                b["end"], b["error"])
        elif b["complete"]:
            detail = "brine continues past cpython's %s at %d (%s; stack " \
                "top: %s) and completes" % (c["error"], c["at"], c["op"],
                                            ", ".join(c["top"]))
        elif b["end"] > c["at"]:
            detail = "brine continues past cpython's %s at %d (%s; stack " \
                "top: %s), breaks at %d (%s)" % (
                    c["error"], c["at"], c["op"], ", ".join(c["top"]),
                    b["end"], b["error"])
        elif b["end"] < c["at"]:
            detail = "brine breaks at %d (%s) before cpython's %s at %d" % (
                b["end"], b["error"], c["error"], c["at"])
        else:
            continue
        diffs.append(("complete", "%s: %s" % (where, detail)))
        break
    if diffs:
        return diffs   # everything else would only be a consequence
    bg = {g["global"] for g in doc["globals"]}
    if bg != rec.globals:
        diffs.append(("globals", "cpython only: %s; brine only: %s" % (
            ", ".join(sorted(rec.globals - bg)) or "-",
            ", ".join(sorted(bg - rec.globals)) or "-")))
    ce, be = cpython_events(rec), brine_events(doc)
    if ce != be:
        diffs.append(("events", "cpython only: %s; brine only: %s" % (
            _fmt_counter(ce - be), _fmt_counter(be - ce))))
    for k, (c, b) in enumerate(zip(cp_streams, bs)):
        if not c["complete"]:
            continue
        if c["entries"] != b["memo"]["entries"] or (
                c["entries"] and c["max_index"] != b["memo"]["max_index"]):
            diffs.append(("memo", "stream %d: cpython %d entries (max %d), "
                          "brine %d entries (max %d)" % (
                              k + 1, c["entries"], c["max_index"],
                              b["memo"]["entries"], b["memo"]["max_index"])))
    return diffs


# ---------------------------------------------------------------------------
# expected differences


def load_expected(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if cols[0] == "case":
                continue
            if len(cols) != 3:
                raise SystemExit("%s:%d: expected 3 tab-separated columns"
                                 % (path, lineno))
            case, aspect, reason = cols
            asp, _, detail = aspect.partition(":")
            if asp not in ASPECTS:
                raise SystemExit("%s:%d: unknown aspect %r"
                                 % (path, lineno, asp))
            rows.append({"line": lineno, "case": case, "aspect": asp,
                         "detail": detail.strip() or None, "reason": reason,
                         "hits": 0})
    return rows


def match_row(rows, case, aspect, detail):
    hit = None
    for r in rows:
        if r["aspect"] != aspect or not fnmatch.fnmatchcase(case, r["case"]):
            continue
        if r["detail"] and not fnmatch.fnmatchcase(detail, r["detail"]):
            continue
        r["hits"] += 1
        hit = hit or r
    return hit


# ---------------------------------------------------------------------------


def selftest():
    """The recorder itself, on pickles whose CPython behaviour is known."""
    def check(data, streams=None, globals_=None, events=None):
        st, rec = run_cpython(data)
        got = [(s["complete"], s.get("end", s.get("at"))) for s in st]
        ev = sorted(cpython_events(rec).items())
        if streams is not None and got != streams or \
                globals_ is not None and rec.globals != set(globals_) or \
                events is not None and ev != sorted(events.items()):
            raise SystemExit("diff: harness self-test failed on %r: streams "
                             "%r, globals %r, events %r" % (
                                 data, got, sorted(rec.globals), ev))
        return st
    check(b"cposix\nsystem\n(S'ls'\ntR.", [(True, 24)], ["posix.system"],
          {("posix.system", "call"): 1})
    check(b"c__builtin__\nset\n\x80\x03c__builtin__\nset\n\x86.",
          [(True, 38)], ["builtins.set", "__builtin__.set"], {})
    check(b"\x80\x02cm\nC\n)\x81}b.", None, ["m.C"],
          {("m.C", "construct"): 1, ("<m.C instance>", "build"): 1})
    check(b"(im\nC\n(K\x01im\nC\n\x86.", [(True, 16)], ["m.C"],
          {("m.C", "construct"): 1, ("m.C", "call"): 1})
    check(b"cm\nD\n(K\x01K\x02K\x03K\x04u(K\x01\x90.", None, None,
          {("m.D", "container"): 1})
    check(b"K\x01K\x02NN)R.", [(False, 7)], [], {})
    check(b"\x80\x04\x95\x06\x00\x00\x00\x00\x00\x00\x00N.",
          [(False, 2)])
    check(b"N.K\x01.\x82\x07)R.P1\n)R.",
          [(True, 2), (True, 5), (True, 10), (True, 16)], [], {})
    st = check(b"Nq\x05K\x01\x94.", [(True, 7)])
    if (st[0]["entries"], st[0]["max_index"]) != (2, 5):
        raise SystemExit("diff: harness self-test failed on the memo")
    st = check(b"cm\nf\n)Rcm\ng\n)R\x93.", [(False, 14)])
    if st[0]["top"] != ["stand-in", "stand-in"]:
        raise SystemExit("diff: harness self-test failed on stack_top")


def fixture_cases():
    out = []
    for sub in ("benign", "threats"):
        root = os.path.join(FIXTURES, sub)
        for dirpath, dirnames, files in os.walk(root):
            dirnames.sort()
            for fn in sorted(files):
                if fn.endswith((".tsv", ".md")):
                    continue
                p = os.path.join(dirpath, fn)
                out.append(("fixture/%s/%s" % (sub, os.path.relpath(p, root)),
                            p))
    return out


def _excepthook(tp, value, tb, _orig=sys.excepthook):
    # bytearray_dealloc reports through PyErr_Print when the cyclic GC frees
    # a bytearray before the memoryview READONLY_BUFFER made of it (a
    # self-containing list holding both); loads are over by then
    if tp is SystemError and "has exported buffers" in str(value):
        return
    _orig(tp, value, tb)


def main(argv):
    warnings.simplefilter("ignore")    # invalid escapes in STRING cases
    sys.excepthook = _excepthook
    sys.stdout.reconfigure(errors="backslashreplace")
    verbose = "-v" in argv
    slow = "--slow" in argv
    only = None
    args = [a for a in argv if a not in ("-v", "--slow")]
    if "--only" in args:
        i = args.index("--only")
        only = args[i + 1]
        del args[i:i + 2]
    if len(args) != 1:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    brine = os.path.abspath(args[0])
    if not os.access(brine, os.X_OK):
        print("diff: %s is not an executable" % args[0], file=sys.stderr)
        return 2
    selftest()
    t0 = time.time()
    gen = [("data", gen_corpus.data_cases()),
           ("hand", gen_corpus.hand_cases()),
           ("trunc", gen_corpus.trunc_cases()),
           ("fuzz", gen_corpus.fuzz_cases()),
           ("gfuzz", gen_corpus.gfuzz_cases()), ("fixture", fixture_cases())]
    if slow:
        gen.append(("slow", gen_corpus.slow_cases()))
    cases = []
    for corpus, cs in gen:
        for cid, data in cs:
            if only and not fnmatch.fnmatchcase(cid, only):
                continue
            cases.append((corpus, cid, data))
    ids = [c[1] for c in cases]
    if len(set(ids)) != len(ids):
        raise SystemExit("duplicate case ids")
    tmp = tempfile.mkdtemp(prefix="brine-diff-")
    runner = None
    try:
        paths = []
        blobs = []
        for n, (corpus, cid, data) in enumerate(cases):
            if isinstance(data, str):
                p = data
                with open(p, "rb") as f:
                    data = f.read()
            else:
                p = os.path.join(tmp, "c%05d.pkl" % n)
                with open(p, "wb") as f:
                    f.write(data)
            paths.append(p)
            blobs.append(data)
        # CPython side, in this process; huge memo/bytes requests must fail
        # fast rather than fill memory (brine's processes get the limits back)
        limits = resource.getrlimit(resource.RLIMIT_AS)
        runner = BrineRunner(brine, paths, tmp, limits=limits)
        runner.pump()
        cap = 8 << 30
        if limits[1] == resource.RLIM_INFINITY or limits[1] > cap:
            resource.setrlimit(resource.RLIMIT_AS, (cap, limits[1]))
        results = []
        for n, data in enumerate(blobs):
            results.append(run_cpython(data))
            if n % 200 == 0:
                runner.pump()
        resource.setrlimit(resource.RLIMIT_AS, limits)
        runner.pump(block=True)
        docs, brine_errors = read_brine(runner.batches)
        brine_errors += runner.failures
    finally:
        if runner is not None:
            runner.kill()
        shutil.rmtree(tmp, ignore_errors=True)

    rows = load_expected(EXPECTED)
    per_corpus = collections.OrderedDict()
    aspect_stats = {a: collections.Counter() for a in ASPECTS}
    unexpected = []
    expected_hits = []
    passed = failed = 0
    msg_agree = msg_total = 0
    opcodes_seen = set()
    for (corpus, cid, _), p, (cp_streams, rec) in zip(cases, paths, results):
        doc = docs.get(p)
        st = per_corpus.setdefault(corpus, collections.Counter())
        st["cases"] += 1
        if doc is not None and corpus == "hand":
            opcodes_seen.update(doc["opcode_counts"])
        diffs = compare(cp_streams, rec, doc)
        if doc is not None:
            for c, b in zip(cp_streams, doc["streams"]):
                if not c["complete"] and not b["complete"] and \
                        c["at"] == b["end"]:
                    msg_total += 1
                    cm = c["error"].split(": ", 1)[-1]
                    same = cm.startswith(b["error"]) or \
                        b["error"].startswith(cm)
                    msg_agree += same
                    if not same and os.environ.get("BRINE_DIFF_MESSAGES"):
                        print("message: cpython %r / brine %r" % (
                            c["error"][:70], b["error"][:70]))
        diff_aspects = {a for a, _ in diffs}
        skipped = "complete" in diff_aspects
        ok = True
        for a in ASPECTS:
            if a in diff_aspects:
                continue
            aspect_stats[a]["skipped" if skipped else "same"] += 1
        for aspect, detail in diffs:
            r = match_row(rows, cid, aspect, detail)
            if r is None:
                ok = False
                aspect_stats[aspect]["unexpected"] += 1
                unexpected.append((cid, aspect, detail))
            else:
                aspect_stats[aspect]["expected"] += 1
                expected_hits.append((cid, aspect, detail, r))
        st["same" if not diffs else "expected" if ok else "unexpected"] += 1
        if ok:
            passed += 1
        else:
            failed += 1
    # with --only, rows for cases that did not run cannot be judged stale
    # (and rows for slow/ cases only without --slow)
    stale = [r for r in rows if r["hits"] == 0 and not only and
             (slow or not r["case"].startswith("slow/"))]
    failed += len(stale)

    for e in brine_errors:
        print("brine stderr: %s" % e[:2000])
    print("corpora:")
    for corpus, st in per_corpus.items():
        print("  %-8s %5d cases: %5d identical, %4d expected differences, "
              "%4d unexpected" % (corpus, st["cases"], st["same"],
                                  st["expected"], st["unexpected"]))
    print("aspects:")
    for a in ASPECTS:
        s = aspect_stats[a]
        print("  %-9s %5d same, %4d expected differences, %4d unexpected, "
              "%4d not compared (streams differ)" % (
                  a, s["same"], s["expected"], s["unexpected"], s["skipped"]))
    print("opcodes exercised by the hand-built corpus: %d/68" %
          len(opcodes_seen))
    print("streams broken at the same opcode in both: %d, same error text: "
          "%d (informational)"
          % (msg_total, msg_agree))
    if verbose:
        for cid, aspect, detail, r in expected_hits:
            print("expected  %-40s %-8s %s  [row %d]" % (cid, aspect, detail,
                                                        r["line"]))
    for cid, aspect, detail in unexpected:
        print("UNEXPECTED %-40s %-8s %s" % (cid, aspect, detail))
    for r in stale:
        print("STALE row %d: %s\t%s%s  (no longer differs: remove it)" % (
            r["line"], r["case"], r["aspect"],
            ":" + r["detail"] if r["detail"] else ""))
    print("time: %.1f s" % (time.time() - t0))
    print("diff: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
