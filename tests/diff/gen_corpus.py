#!/usr/bin/python3
"""Corpora for the differential test (tests/diff/run.py).

Every case is (case_id, bytes). Case ids are stable for a given generator
version: they only depend on the fixed seeds below, on the order of the
hand-built list and (for the data corpus) on CPython's pickler, with
PYTHONHASHSEED=0 so that set and dict iteration orders do not change.

  data/...   random Python data pickled with pickle.dumps, protocols 0-5
  hand/...   hand-built opcode sequences, one per edge case (see CASES)
  trunc/...  small pickles cut at every byte position
  fuzz/NNNN  random short opcode sequences with plausible arguments

Nothing here unpickles anything; the only pickling is of our own data.
"""
import collections
import datetime
import decimal
import fractions
import pickle
import random
import struct
import _compat_pickle

DATA_SEED = 20240601
FUZZ_SEED = 424242
FUZZ_CASES = 4000


# ---------------------------------------------------------------------------
# (a) random Python data

class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self, a, b):
        self.a = a
        self.b = b


class WithState:
    def __init__(self, v):
        self.v = v

    def __getstate__(self):
        return (self.v, {"extra": 1})

    def __setstate__(self, st):
        self.v = st[0]


class KwNew:
    def __new__(cls, *args, **kwargs):
        return object.__new__(cls)

    def __init__(self, a, *, b=1):
        self.a = a
        self.b = b

    def __getnewargs_ex__(self):
        return ((self.a,), {"b": self.b})


class MyList(list):
    pass


class MyDict(dict):
    pass


class MySet(set):
    pass


def _rand_str(rng):
    alphabet = ["a", "b", "Z", "0", " ", "\n", "\\", "'", '"', "\x00",
                "\xe9", "\u20ac", "\U0001f600", "\ud800", "\r", "u", "x"]
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))


def _rand_atom(rng):
    k = rng.randrange(14)
    if k == 0:
        return None
    if k == 1:
        return rng.random() < 0.5
    if k == 2:
        return rng.choice([0, 1, -1, 255, 256, 65535, 65536, -2**31,
                           2**31 - 1, 2**31, 2**63 - 1, -2**63, 2**64,
                           2**100, -2**200, rng.randrange(-10**6, 10**6)])
    if k == 3:
        return rng.choice([0.0, -0.0, 1.5, 1e300, -1e-300, float("inf"),
                           float("-inf"), 3.141592653589793, rng.random()])
    if k in (4, 5):
        return _rand_str(rng)
    if k == 6:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 10)))
    if k == 7:
        return bytearray(rng.randrange(256)
                         for _ in range(rng.randrange(0, 6)))
    if k == 8:
        return complex(rng.randrange(-3, 3), rng.randrange(-3, 3))
    if k == 9:
        return rng.choice([datetime.date(2020, 1, 2),
                           datetime.datetime(1999, 12, 31, 23, 59, 58),
                           datetime.timedelta(days=3, seconds=5),
                           decimal.Decimal("1.25"), fractions.Fraction(3, 7),
                           range(1, 10, 2), slice(1, None, 2)])
    if k == 10:
        return Point(rng.randrange(10), _rand_str(rng))
    if k == 11:
        return Slotted(rng.randrange(10), None)
    if k == 12:
        return WithState(rng.randrange(10))
    return KwNew(rng.randrange(10), b=rng.randrange(3))


def _rand_data(rng, depth, pool):
    if depth <= 0 or rng.random() < 0.3:
        if pool and rng.random() < 0.15:
            return rng.choice(pool)      # shared reference
        v = _rand_atom(rng)
        pool.append(v)
        return v
    k = rng.randrange(10)
    n = rng.randrange(0, 5)
    if k == 0:
        v = tuple(_rand_data(rng, depth - 1, pool) for _ in range(n))
    elif k in (1, 2):
        v = [_rand_data(rng, depth - 1, pool) for _ in range(n)]
        if rng.random() < 0.2:
            v.append(v)                  # recursive list
    elif k in (3, 4):
        v = {}
        for _ in range(n):
            key = rng.choice([_rand_str(rng), rng.randrange(100),
                              (1, _rand_str(rng)), None, 2.5])
            v[key] = _rand_data(rng, depth - 1, pool)
        if rng.random() < 0.15:
            v["self"] = v                # recursive dict
    elif k == 5:
        v = {rng.choice([_rand_str(rng), rng.randrange(50), (1, 2)])
             for _ in range(n)}
    elif k == 6:
        v = frozenset(rng.randrange(50) for _ in range(n))
    elif k == 7:
        v = collections.OrderedDict(
            (str(i), _rand_data(rng, depth - 1, pool)) for i in range(n))
    elif k == 8:
        v = rng.choice([MyList, MySet])(rng.randrange(9) for _ in range(n))
    else:
        v = MyDict((str(i), _rand_data(rng, depth - 1, pool))
                   for i in range(n))
    pool.append(v)
    return v


def data_cases():
    rng = random.Random(DATA_SEED)
    out = []
    for i in range(64):
        obj = _rand_data(rng, rng.randrange(1, 5), [])
        for proto in range(6):
            try:
                b = pickle.dumps(obj, protocol=proto)
            except Exception:      # e.g. slots without __getstate__ at 0/1
                continue
            out.append(("data/%03d-p%d" % (i, proto), b))
    # several streams in one file, as repeated pickle.dump writes them
    for i in range(16):
        parts = []
        for _ in range(rng.randrange(2, 5)):
            obj = _rand_data(rng, rng.randrange(1, 3), [])
            try:
                parts.append(pickle.dumps(obj, protocol=rng.randrange(6)))
            except Exception:
                pass
        out.append(("data/multi-%02d" % i, b"".join(parts)))
    return out


# ---------------------------------------------------------------------------
# (b) hand-built opcode sequences

def G(mod, name):
    """GLOBAL opcode."""
    return b"c" + _b(mod) + b"\n" + _b(name) + b"\n"


def _b(s):
    return s if isinstance(s, bytes) else s.encode("utf-8", "surrogatepass")


def SU(s):
    """SHORT_BINUNICODE."""
    b = _b(s)
    return b"\x8c" + bytes([len(b)]) + b


def BU(s):
    b = _b(s)
    return b"X" + struct.pack("<I", len(b)) + b


def SB(b):
    return b"C" + bytes([len(b)]) + b


def K(n):
    return b"K" + bytes([n])


def FR(body, delta=0):
    """FRAME around body (length len(body)+delta)."""
    return b"\x95" + struct.pack("<Q", len(body) + delta) + body


def SG(mod, name):
    return SU(mod) + SU(name) + b"\x93"


P2 = b"\x80\x02"
P3 = b"\x80\x03"
P4 = b"\x80\x04"
P5 = b"\x80\x05"

INT_LINES = [b"00", b"01", b"0", b"1", b"+1", b"-0", b" 1", b" 0", b"1\x00",
             b"010", b"0x10", b"0X1f", b"0o10", b"0b11", b"1_000", b" 12 ",
             b"\t7", b"1\r", b"01\r", b"12\x00junk", b"00\x00",
             b"99999999999999999999", b"-9223372036854775808",
             b"9223372036854775807", b"9223372036854775808",
             b"0777777777777777777777777", b"", b" ", b"12abc", b"1e3",
             b"-", b"+", b"0x", b"1__0", b"_1", b"1_", b"0_7", b"0x_1f",
             b"00_0", b"0x8000000000000000", b"-0x10", b"  -  1", b"007",
             b"0_0", b"1 2", b"\x0b5", b"\x0c5", b"5\x0b", b"0b", b"0o8",
             b"\xe9", b"1\r\r", b"-01", b"+0x1"]
LONG_LINES = [b"12L", b"12", b"0x10L", b"1_0L", b" 12 L", b"12 L", b"-5L",
              b"12\x00zz", b"010L", b"L", b"12LL", b"12L ", b"", b"0L",
              b"00L", b"0_0L", b"\x00", b"1\r", b"0b101L", b"0o7L", b"+7L",
              b"1" * 400 + b"L", b"1__0L", b"_1L", b"0xL", b" L", b"l",
              b"12l", b"1e5L", b"-0L"]
FLOAT_LINES = [b"1.5", b" 1.5", b"1.5 ", b"1.5\r", b"1_0", b"0x10", b"inf",
               b"-INF", b"infinity", b"nan", b".5", b"5.", b"+1", b"1e500",
               b"1e-500", b"1.5\x00zz", b"", b"abc", b"1e", b"-", b"Infinityx",
               b"0x1p3", b"1E5", b"iNfInItY", b"nAn", b"+nan", b"-.5e-3",
               b"1.5e+", b"--1", b"1..5", b"\t1", b"1\x0b", b"0", b"-0",
               b"1e308", b"-1e309", b"4.9e-324", b"1" * 400]
STRING_LINES = [b"'abc'", b'"abc"', b"'a'b'", b"'", b"''", b"'abc\"",
                b"'\\x41'", b"'\\x4'", b"'\\xzz'", b"'a\\'", b"'\\q'",
                b"'\\101'", b"'\\777'", b"'\\n\\t\\\\'", b"'abc'\r",
                b"'\xe9'", b"'\\xe9'", b"\"a\x00b\"", b"abc", b"", b"\"",
                b"'\\0'", b"'\\x'", b"'\\x4g'", b"'\\8'", b"'\\''",
                b"'\\u0041'", b"\"'\"", b"'\\\\x41'", b"'\\a\\b\\f\\v\\r'"]
UNICODE_LINES = [b"abc", b"\\u0041", b"\\u004", b"\\U00110000",
                 b"\\U0001F600", b"\\n", b"\xe9", b"", b"\\\\u0041",
                 b"\\\\\\u0041", b"a\r", b"\\u", b"\\uD800", b"abc\\",
                 b"\\x41", b"\\U0010ffff", b"\\U0010FFFF", b"\\u00zz",
                 b"\\U0001f60", b"\x00", b"\\", b"\\uuuuu0041"]
GET_PUT_LINES = [b"0", b"00", b" 0 ", b"+0", b"0_0", b"-0", b"007", b"1_0",
                 b"0x0", b"x", b"", b"1\x00yy", b"-1", b"99999999999999999999",
                 b"9223372036854775807", b"1 2", b"\t0", b"0\r", b"0_",
                 b"__0", b"\xef\xbc\x90", b"\xd9\xa0"]


def hand_cases():
    C = []

    def add(name, data):
        C.append(("hand/" + name, data))

    # -- text numbers
    for i, line in enumerate(INT_LINES):
        add("int_%02d" % i, b"I" + line + b"\n.")
        add("int_memo_%02d" % i, b"(I" + line + b"\np0\n0g0\n.")
    add("int_no_newline", b"I12")
    for i, line in enumerate(LONG_LINES):
        add("long_%02d" % i, b"L" + line + b"\n.")
    for i, line in enumerate(FLOAT_LINES):
        add("float_%02d" % i, b"F" + line + b"\n.")
    add("float_no_newline", b"F1.5")
    # -- binary numbers
    add("binint", b"J\xff\xff\xff\xff.")
    add("binint_trunc", b"J\x01\x02")
    add("binint1", b"K\xff.")
    add("binint2", b"M\xff\xff.")
    add("binint2_trunc", b"M\x01")
    add("binfloat", b"G\x7f\xf8\x00\x00\x00\x00\x00\x01.")
    add("binfloat_trunc", b"G\x00\x00")
    add("long1_neg", b"\x8a\x01\xff.")
    add("long1_zero", b"\x8a\x00.")
    add("long1_9", b"\x8a\x09" + b"\x01" * 9 + b".")
    add("long1_trunc", b"\x8a\x05\x01")
    add("long4_neg_count", b"\x8b\xff\xff\xff\xff.")
    add("long4_ok", b"\x8b\x02\x00\x00\x00\x01\x80.")
    add("long4_trunc", b"\x8b\x10\x00\x00\x00\x01")
    # -- strings
    for i, line in enumerate(STRING_LINES):
        add("string_%02d" % i, b"S" + line + b"\n.")
    add("string_no_newline", b"S'abc'")
    add("binstring", b"T\x03\x00\x00\x00abc.")
    add("binstring_huge", b"T\xff\xff\xff\xffabc.")
    add("binstring_nonascii", b"T\x01\x00\x00\x00\xe9.")
    add("short_binstring", b"U\x03abc.")
    add("short_binstring_nonascii", b"U\x01\x80.")
    add("short_binstring_trunc", b"U\x05ab")
    for i, line in enumerate(UNICODE_LINES):
        add("unicode_%02d" % i, b"V" + line + b"\n.")
    add("unicode_no_newline", b"Vabc")
    add("binunicode", BU("h\xe9") + b".")
    add("binunicode_bad_utf8", b"X\x02\x00\x00\x00\xc3\x28.")
    add("binunicode_surrogate", b"X\x03\x00\x00\x00\xed\xa0\x80.")
    add("binunicode_overlong", b"X\x02\x00\x00\x00\xc0\x80.")
    add("binunicode_5byte", b"X\x05\x00\x00\x00\xf8\x88\x80\x80\x80.")
    add("binunicode_above_max", b"X\x04\x00\x00\x00\xf4\x90\x80\x80.")
    add("binunicode_trunc", b"X\x09\x00\x00\x00abc")
    add("short_binunicode_trunc", b"\x8c\x09abc")
    add("binunicode8", b"\x8d\x03" + b"\x00" * 7 + b"abc.")
    add("binunicode8_overflow",
        b"\x8d\xff\xff\xff\xff\xff\xff\xff\x7f.")
    add("binunicode8_too_big",
        b"\x8d\xff\xff\xff\xff\xff\xff\xff\xff.")
    add("binbytes", b"B\x03\x00\x00\x00abc.")
    add("binbytes_huge_trunc", b"B\xff\xff\xff\xffabc.")
    add("short_binbytes", SB(b"\x00\xff") + b".")
    add("short_binbytes_trunc", b"C\x05ab")
    add("binbytes8", b"\x8e\x02" + b"\x00" * 7 + b"ab.")
    add("binbytes8_too_big", b"\x8e" + b"\xff" * 8 + b".")
    add("binbytes8_max", b"\x8e\xff\xff\xff\xff\xff\xff\xff\x7f.")
    add("binbytes8_2e62", b"\x8e" + struct.pack("<Q", 2**62) + b".")
    add("bytearray8", b"\x96\x02" + b"\x00" * 7 + b"ab.")
    add("bytearray8_too_big", b"\x96" + b"\xff" * 8 + b".")
    add("bytearray8_trunc", b"\x96\x09" + b"\x00" * 7 + b"ab")
    # -- constants, containers
    add("none_true_false", b"(N\x88\x89t.")
    add("empty_tuple_over_mark", b"()t.")
    add("empty_containers", b"(]}\x8f)t.")
    add("tuple_empty_mark", b"(t.")
    add("tuple1_underflow", b"\x85.")
    add("tuple2_across_mark", b"N(N\x86.")
    add("tuple3_ok", b"NNN\x87.")
    add("tuple3_underflow", b"NN\x87.")
    add("tuple_no_mark", b"Nt.")
    add("list_ok", b"(NNl.")
    add("list_no_mark", b"l.")
    add("dict_ok", b"(K\x01K\x02K\x01K\x03d.")
    add("dict_odd", b"(K\x01d.")
    add("dict_unhashable", b"(]Nd.")
    add("dict_unhashable_tuple_key", b"(]\x85Nd.")
    add("dict_global_key", b"(" + G("m", "k") + b"Nd.")
    add("frozenset_ok", b"(K\x01K\x01\x91.")
    add("frozenset_unhashable", b"(}\x91.")
    add("frozenset_empty", b"(\x91.")
    # APPEND / APPENDS
    add("append_list", b"]K\x01a.")
    add("append_tuple", b")K\x01a.")
    add("append_dict", b"}K\x01a.")
    add("append_none", b"NK\x01a.")
    add("append_str", SU("x") + b"K\x01a.")
    add("append_bytearray", b"\x96\x00" + b"\x00" * 7 + b"K\x01a.")
    add("append_bytearray_bad_item", b"\x96\x00" + b"\x00" * 7 + b"Na.")
    add("append_bytearray_big_int", b"\x96\x00" + b"\x00" * 7 + b"M\x00\x01a.")
    add("append_set", b"\x8fK\x01a.")
    add("append_global", G("m", "C") + b"K\x01a.")
    add("append_result", G("m", "f") + b")RK\x01a.")
    add("append_underflow", b"K\x01a.")
    add("append_mark_between", b"](K\x01a.")
    add("appends_empty_on_none", b"N(e.")
    add("appends_empty_on_global", G("m", "C") + b"(e.")
    add("appends_on_global", G("m", "C") + b"(K\x01K\x02e.")
    add("appends_on_none", b"N(K\x01e.")
    add("appends_underflow", b"(Ne.")
    add("appends_underflow_marked", b"((Ne.")
    add("appends_nested_mark", b"(](Ne.")
    add("appends_no_mark", b"]e.")
    add("appends_twice_on_global",
        G("m", "C") + b"(K\x01e(K\x02K\x03e.")
    # SETITEM / SETITEMS
    add("setitem_dict", b"}K\x01K\x02s.")
    add("setitem_dict_unhashable", b"}]K\x02s.")
    add("setitem_list_index_ok", b"]K\x01aK\x00K\x05s.")
    add("setitem_list_out_of_range", b"]K\x00K\x05s.")
    add("setitem_list_bad_index", b"]NK\x05s.")
    add("setitem_tuple", b")K\x00K\x05s.")
    add("setitem_none", b"NK\x00K\x05s.")
    add("setitem_bytearray", b"\x96\x01" + b"\x00" * 7 + b"aK\x00K\x05s.")
    add("setitem_global", G("m", "D") + b"K\x00K\x05s.")
    add("setitem_result", G("m", "f") + b")RK\x00K\x05s.")
    add("setitem_underflow", b"}K\x01s.")
    add("setitems_dict", b"}(K\x01K\x02K\x03K\x04u.")
    add("setitems_odd", b"}(K\x01u.")
    add("setitems_odd_on_global", G("m", "D") + b"(K\x01u.")
    add("setitems_empty_on_none", b"N(u.")
    add("setitems_on_global", G("m", "D") + b"(K\x01K\x02K\x03K\x04u.")
    add("setitems_twice_on_global",
        G("m", "D") + b"(K\x01K\x02uK\x03K\x04s.")
    add("setitems_underflow", b"(K\x01K\x02u.")
    add("setitems_unhashable", b"}(]K\x02u.")
    add("setitems_on_list", b"]K\x01a(K\x00K\x02u.")
    # ADDITEMS
    add("additems_set", b"\x8f(K\x01K\x02\x90.")
    add("additems_set_unhashable", b"\x8f(]\x90.")
    add("additems_frozenset", b"(\x91(K\x01\x90.")
    add("additems_frozenset_empty", b"(\x91(\x90.")
    add("additems_list", b"](K\x01\x90.")
    add("additems_none_empty", b"N(\x90.")
    add("additems_global", G("m", "S") + b"(K\x01K\x02\x90.")
    add("additems_underflow", b"(K\x01\x90.")
    add("additems_no_mark", b"\x8f\x90.")
    # the target of APPENDS/SETITEMS/ADDITEMS must be above the OUTER fence
    add("additems_outer_fence", G("m", "S") + b"((K\x01\x901.")
    add("appends_outer_fence", G("m", "L") + b"((K\x01e1.")
    add("setitems_outer_fence", G("m", "D") + b"((K\x01K\x02u1.")
    add("additems_outer_fence_stop", G("m", "S") + b"((K\x01\x90.")
    add("additems_outer_fence_literal", b"\x8f((K\x01\x901.")
    add("additems_between_marks", G("m", "S") + b"(N(K\x01\x901.")
    # -- stack ops
    add("pop_mark", b"N(0.")
    add("pop_mark_then_underflow", b"(N(00.")
    add("pop_empty", b"0.")
    add("pop_ok", b"NK\x010.")
    add("pop_under_mark", b"N(K\x0100.")
    add("pop_mark_only", b"(0N.")
    add("pop_mark_no_stop_value", b"(0.")
    add("pop_mark_op", b"N(K\x01K\x021.")
    add("pop_mark_missing", b"N1.")
    add("pop_mark_inner", b"(N(N1.")
    add("dup_empty", b"2.")
    add("dup_ok", b"N2t.")
    add("dup_at_mark", b"N(2.")
    add("mark_only", b"(.")
    add("stop_empty", b".")
    add("stop_after_mark", b"N(.")
    add("stop_leftover", b"NK\x01.")
    add("stop_open_mark", b"(N.")
    add("stop_two_open_marks", b"((N.")
    add("stop_mark_after_items", b"N(K\x01t(.")
    add("no_stop", b"N")
    add("empty_file", b"")
    # -- memo
    for i, line in enumerate(GET_PUT_LINES):
        add("put_%02d" % i, b"Np" + line + b"\n0g0\n.")
        add("get_%02d" % i, b"Np0\n0g" + line + b"\n.")
    add("put_empty_stack_bad_index", b"pabc\n.")
    add("put_nul", b"Np1\x00yy\n0g1\n.")
    add("get_nul", b"Np1\n0g1\x00yy\n.")
    add("put_nul_then_call", G("posix", "system") + b"p1\x00\n0g1\n" +
        SU("id") + b"\x85R.")
    add("get_nul_then_call", G("posix", "system") + b"p1\n0g1\x00\n" +
        SU("id") + b"\x85R.")
    add("long_nul_then_call", b"L1\x00\n0" + G("posix", "system") +
        SU("id") + b"\x85R.")
    add("put_empty_stack", b"p0\n.")
    add("put_at_mark", b"N(p0\n.")
    add("put_no_newline", b"Np0")
    add("get_missing", b"g5\n.")
    add("get_no_newline", b"g0")
    add("binput_binget", b"Nq\x05h\x05.")
    add("binget_missing", b"h\x00.")
    add("binget_trunc", b"h")
    add("binput_empty", b"q\x00.")
    add("binput_at_mark", b"N(q\x00.")
    add("long_binput_binget",
        b"Nr\x00\x00\x01\x00j\x00\x00\x01\x00.")
    add("long_binget_missing", b"j\xff\xff\xff\xff.")
    add("long_binput_trunc", b"Nr\x00\x00")
    add("long_binput_max", b"Nr\xff\xff\xff\xff.")
    add("long_binput_2e20", b"Nr\x00\x00\x10\x00h\x00.")
    add("put_huge", b"Np1000000000000\n.")
    add("put_2e62", b"Np4611686018427387904\n.")
    add("memoize", b"N\x94h\x00.")
    add("memoize_empty", b"\x94.")
    add("memoize_at_mark", b"N(\x94.")
    add("memoize_after_high_binput",
        b"Nq\x05K\x01\x94h\x01.")
    add("memoize_after_high_binput_miss",
        b"Nq\x05K\x01\x94h\x06.")
    add("memoize_overwrites",
        b"Nq\x00Nq\x02K\x07\x94K\x08\x94h\x02.")
    add("memoize_overwrites_miss",
        b"Nq\x00Nq\x02K\x07\x94K\x08\x94h\x01.")
    add("memo_overwrite_put", b"Nq\x01K\x01q\x01h\x01.")
    add("memo_counts_p0", b"(Np0\np1\np2\np0\nt.")
    add("memo_callable",
        G("posix", "system") + b"q\x010" + G("builtins", "len") +
        b"q\x020h\x01(S'echo'\ntR.")
    # -- PROTO
    add("proto_6", b"\x80\x06N.")
    add("proto_255", b"\x80\xffN.")
    add("proto_0", b"\x80\x00N.")
    add("proto_twice", b"\x80\x02\x80\x04N.")
    add("proto_trunc", b"\x80")
    # -- globals, the 2->3 mapping, STACK_GLOBAL
    add("global_ok", G("posix", "system") + b".")
    add("global_empty_module", b"c\nsystem\n.")
    add("global_empty_name", b"cposix\n\n.")
    add("global_trunc_module", b"cposix")
    add("global_trunc_name", b"cposix\nsys")
    add("global_cr", b"cbuiltins\r\nlen\n.")
    add("global_bad_utf8", b"cpos\xffix\nsystem\n.")
    add("global_utf8", G("mod\xe9", "n\u20ac") + b".")
    add("global_surrogate_utf8", b"cmod\xed\xa0\x80\nx\n.")
    add("global_nul_module", b"cos\x00x\nsystem\n.")
    add("global_nul_name", b"cposix\nsys\x00tem\n.")
    add("global_dotted_p0", G("os", "path.join") + b".")
    add("global_dotted_p2", P2 + G("os", "path.join") + b".")
    add("global_dotted_p4", P4 + G("os", "path.join") + b".")
    add("global_locals_p4", P4 + G("m", "f.<locals>.g") + b".")
    add("global_locals_p2", P2 + G("m", "f.<locals>.g") + b".")
    add("global_locals_call_p4",
        P4 + G("m", "<locals>") + b")R" + G("posix", "system") + b")R.")
    add("global_empty_part_p4", P4 + G("m", "a..b") + b".")
    add("global_trailing_dot_p4", P4 + G("m", "a.") + b".")
    add("global_module_dots", G("a..b", "c") + b".")
    add("global_module_leading_dot", G(".a", "c") + b".")
    add("global_space", G(" os", "system ") + b".")
    # _compat_pickle, exhaustively: every NAME_MAPPING and IMPORT_MAPPING key
    nm = sorted(_compat_pickle.NAME_MAPPING)
    im = sorted(_compat_pickle.IMPORT_MAPPING)
    body_nm = b"".join(G(m, n) + b"0" for m, n in nm)
    body_im = b"".join(G(m, "Thing") + b"0" for m in im)
    for pname, pre in (("p0", b""), ("p1", b"\x80\x01"), ("p2", P2),
                       ("p3", P3), ("p4", P4)):
        add("compat_names_" + pname, pre + body_nm + b"N.")
        add("compat_modules_" + pname, pre + body_im + b"N.")
    add("compat_stack_global_p2",
        P2 + b"".join(SG(m, n) + b"0" for m, n in nm[:20]) + b"N.")
    add("compat_stack_global_noproto",
        b"".join(SG(m, n) + b"0" for m, n in nm[20:40]) + b"N.")
    add("compat_stack_global_p4",
        P4 + b"".join(SG(m, n) + b"0" for m, n in nm[:20]) + b"N.")
    add("compat_inst_p0",
        b"".join(b"(i" + _b(m) + b"\n" + _b(n) + b"\n0" for m, n in nm[:20])
        + b"N.")
    add("compat_proto_after_global",
        G("__builtin__", "set") + b"\x80\x03" + G("__builtin__", "set") +
        b"\x80\x02" + G("__builtin__", "set") + b"\x86\x86.")
    add("compat_unmapped_name_of_mapped_module",
        G("__builtin__", "nonexistent") + G("copy_reg", "whatever") + b"\x86.")
    add("compat_similar_names",
        G("__builtin__x", "set") + G("_builtin_", "set") +
        G("__builtin__", "set ") + G("__builtin__", "Set") + b"(tttt.")
    add("compat_ext_names",
        G("exceptions", "StandardError") + G("UserDict", "UserDict") +
        G("exceptions", "WindowsError") + G("itertools", "izip") + b"\x87.")
    add("stack_global_binunicode", BU("posix") + BU("system") + b"\x93.")
    add("stack_global_unicode", b"Vposix\nVsystem\n\x93.")
    add("stack_global_string", b"S'posix'\nS'system'\n\x93.")
    add("stack_global_binstring", b"U\x05posixU\x06system\x93.")
    add("stack_global_bytes", SB(b"posix") + SB(b"system") + b"\x93.")
    add("stack_global_int", SU("posix") + b"K\x01\x93.")
    add("stack_global_none_module", b"N" + SU("system") + b"\x93.")
    add("stack_global_empty_module", SU("") + SU("system") + b"\x93.")
    add("stack_global_empty_name", SU("posix") + SU("") + b"\x93.")
    add("stack_global_memo",
        SU("posix") + b"q\x00" + SU("system") + b"q\x010h\x00h\x01\x93.")
    add("stack_global_underflow", SU("posix") + b"\x93.")
    add("stack_global_across_mark", SU("posix") + b"(" + SU("system") +
        b"\x93.")
    add("stack_global_from_result",
        G("m", "f") + b")R" + SU("system") + b"\x93.")
    add("stack_global_name_from_result",
        SU("posix") + G("m", "f") + b")R\x93.")
    add("stack_global_from_persid", b"P1\n" + SU("x") + b"\x93.")
    add("stack_global_nul", SU("po\x00six") + SU("system") + b"\x93.")
    add("stack_global_surrogate_module", b"\x8c\x03\xed\xa0\x80" + SU("x") +
        b"\x93.")
    add("stack_global_surrogate_name", SU("posix") +
        b"\x8c\x03\xed\xa0\x80\x93.")
    add("stack_global_dotted_noproto", SG("os", "path.join") + b".")
    add("stack_global_dotted_p4", P4 + SG("os", "path.join") + b".")
    # -- INST / OBJ
    add("inst_args", b"(S'ls'\niposix\nsystem\n.")
    add("inst_noargs", b"(isubprocess\nPopen\n.")
    add("inst_no_mark", b"iposix\nsystem\n.")
    add("inst_nonascii", b"(imod\xc3\xa9\nC\n.")
    add("inst_empty_module", b"(i\nC\n.")
    add("inst_trunc", b"(imod\nC")
    add("inst_mark_leftover", b"N(K\x01imod\nC\n.")
    add("inst_then_build", b"(imod\nC\n}(S'a'\nK\x01db.")
    add("obj_args", b"(" + G("posix", "system") + b"S'ls'\no.")
    add("obj_noargs", b"(" + G("mod", "C") + b"o.")
    add("obj_empty", b"(o.")
    add("obj_no_mark", G("mod", "C") + b"o.")
    add("obj_literal", b"(NK\x01o.")
    add("obj_literal_noargs", b"(No.")
    add("obj_result_noargs", b"(" + G("m", "f") + b")Ro.")
    add("obj_result_args", b"(" + G("m", "f") + b")RK\x01o.")
    add("obj_stack_global", b"(" + SG("posix", "system") + SU("ls") + b"o.")
    # -- REDUCE / NEWOBJ / NEWOBJ_EX
    add("reduce_ok", G("posix", "system") + SU("ls") + b"\x85R.")
    add("reduce_list_args", G("posix", "system") + b"]R.")
    add("reduce_none_args", G("posix", "system") + b"NR.")
    add("reduce_literal_callable", b"N)R.")
    add("reduce_str_callable", SU("posix.system") + b")R.")
    add("reduce_underflow", b")R.")
    add("reduce_across_mark", G("m", "f") + b"()R.")
    add("reduce_result_callable", G("m", "f") + b")R)R.")
    add("reduce_result_args", G("m", "f") + G("m", "g") + b")RR.")
    add("reduce_persid_args", G("m", "f") + b"P1\nR.")
    add("reduce_ext_callable", b"\x82\x01)R.")
    add("reduce_args_surrogate", G("posix", "system") +
        b"X\x03\x00\x00\x00\xed\xa0\x80\x85R.")
    add("reduce_args_cut_utf8", G("posix", "system") + BU("a" + "\xe9" * 150)
        + b"\x85R.")
    add("reduce_args_long_ascii", G("posix", "system") + BU("a" * 300) +
        b"\x85R.")
    add("reduce_dup_twice", G("posix", "system") + b"2" + SU("a") +
        b"\x85R0" + SU("b") + b"\x85R.")
    add("newobj_ok", P2 + G("subprocess", "Popen") + b")\x81.")
    add("newobj_args", P2 + G("m", "C") + K(1) + b"\x85\x81.")
    add("newobj_list_args", P2 + G("m", "C") + b"]\x81.")
    add("newobj_literal_cls", P2 + b"N)\x81.")
    add("newobj_result_cls", P2 + G("m", "f") + b")R)\x81.")
    add("newobj_result_args", P2 + G("m", "C") + G("m", "f") + b")R\x81.")
    add("newobj_underflow", P2 + b")\x81.")
    add("newobj_instance_cls", P2 + G("m", "C") + b")\x81)\x81.")
    add("newobj_ex_ok", P4 + G("m", "C") + b")}\x92.")
    add("newobj_ex_kwargs", P4 + G("subprocess", "Popen") + SU("ls") +
        b"\x85}" + SU("shell") + b"\x88s\x92.")
    add("newobj_ex_list_kwargs", P4 + G("m", "C") + b")]\x92.")
    add("newobj_ex_none_kwargs", P4 + G("m", "C") + b")N\x92.")
    add("newobj_ex_list_args", P4 + G("m", "C") + b"]}\x92.")
    add("newobj_ex_literal_cls", P4 + b"K\x01)}\x92.")
    add("newobj_ex_underflow", P4 + b")}\x92.")
    add("newobj_ex_result_kwargs", P4 + G("m", "C") + b")" + G("m", "f") +
        b")R\x92.")
    # -- BUILD
    add("build_global", G("m", "C") + b"}" + SU("a") + K(1) + b"sb.")
    add("build_global_none", G("m", "C") + b"Nb.")
    add("build_instance", P2 + G("m", "C") + b")\x81}b.")
    add("build_slotstate", P2 + G("m", "C") + b")\x81N}" + SU("a") + K(1) +
        b"s\x86b.")
    add("build_result", G("m", "f") + b")R}b.")
    add("build_literal_none_state", K(1) + b"Nb.")
    add("build_literal_empty_dict", K(1) + b"}b.")
    add("build_literal_dict", b"]}" + SU("a") + K(1) + b"sb.")
    add("build_literal_none_none", K(1) + b"NN\x86b.")
    add("build_literal_none_emptydict", K(1) + b"N}\x86b.")
    add("build_literal_dict_emptydict", b"]}}\x86b.")
    add("build_literal_none_slots", K(1) + b"N}" + SU("a") + K(1) +
        b"s\x86b.")
    add("build_literal_list_none_emptydict", b"]N}\x86b.")
    add("build_literal_none_none_emptydict", b"NN}\x86b.")
    add("build_literal_none_emptydict_then_call",
        K(1) + b"N}\x86b0" + G("posix", "system") + SU("id") + b"\x85R.")
    add("build_literal_3tuple", K(1) + b"NNN\x87b.")
    add("build_literal_zero", K(1) + K(0) + b"b.")
    add("build_literal_list_state", K(1) + b"]b.")
    add("build_literal_global_state", K(1) + G("m", "s") + b"b.")
    add("build_literal_result_state", K(1) + G("m", "f") + b")Rb.")
    add("build_underflow", b"}b.")
    add("build_across_mark", G("m", "C") + b"(}b.")
    add("build_persid", b"P1\n}b.")
    add("build_ext", b"\x82\x01}b.")
    add("build_module_attrs_then_global",
        G("os", "path") + b"}" + SU("join") + G("posix", "system") +
        b"sb0" + G("os", "path.join") + SU("ls") + b"\x85R.")
    add("build_module_attrs_then_global_p4",
        P4 + G("os", "path") + b"}" + SU("join") + G("posix", "system") +
        b"sb0" + G("os", "path.join") + SU("ls") + b"\x85R.")
    # -- EXT
    add("ext1", b"\x82\x01.")
    add("ext1_zero", b"\x82\x00.")
    add("ext2", b"\x83\x01\x01.")
    add("ext2_zero", b"\x83\x00\x00.")
    add("ext4", b"\x84\x01\x00\x00\x00.")
    add("ext4_negative", b"\x84\xff\xff\xff\xff.")
    add("ext4_zero", b"\x84\x00\x00\x00\x00.")
    add("ext4_max", b"\x84\xff\xff\xff\x7f.")
    add("ext_twice", b"\x82\x05\x82\x05\x86.")
    add("ext_then_call", b"\x82\x07" + SU("x") + b"\x85R.")
    add("ext_trunc", b"\x84\x01\x00")
    # -- PERSID
    add("persid", b"P1\n.")
    add("persid_empty", b"P\n.")
    add("persid_nonascii", b"P\xe9\n.")
    add("persid_trunc", b"P")
    add("persid_no_newline", b"Pabc")
    add("persid_then_global", b"P1\n" + G("posix", "system") + b"\x86.")
    add("binpersid", SU("x") + b"Q.")
    add("binpersid_underflow", b"Q.")
    add("binpersid_at_mark", b"N(Q.")
    add("persid_call", b"P1\n)R.")
    # -- out-of-band buffers
    add("next_buffer", b"\x97.")
    add("next_buffer_readonly", b"\x97\x98.")
    add("readonly_bytes", SB(b"ab") + b"\x98.")
    add("readonly_bytearray", b"\x96\x01" + b"\x00" * 7 + b"a\x98.")
    add("readonly_int", K(1) + b"\x98.")
    add("readonly_none", b"N\x98.")
    add("readonly_str", SU("a") + b"\x98.")
    add("readonly_tuple", b")\x98.")
    add("readonly_global", G("m", "C") + b"\x98.")
    add("readonly_empty", b"\x98.")
    add("readonly_at_mark", b"N(\x98.")
    add("next_buffer_call", b"\x97)R.")
    add("next_buffer_append", b"\x97K\x01a.")
    # -- FRAME
    body = b"J\x01\x02\x03\x04."
    add("frame_straddle_binint", P4 + b"\x95\x02" + b"\x00" * 7 + body)
    add("frame_straddle_int_line", P4 + b"\x95\x03" + b"\x00" * 7 +
        b"I12345\n.")
    add("frame_straddle_global", P4 + FR(b"cposix\nsys", 0) +
        b"tem\n)R.")
    add("frame_exact", P4 + FR(SG("posix", "system") + b")R."))
    add("frame_longer_than_data", P4 + FR(b"N.", 5))
    add("frame_stop_inside_longer", P4 + FR(b"N.garbage", 20))
    add("frame_zero", P4 + b"\x95" + b"\x00" * 8 + b"N.")
    add("frame_nested", P4 + FR(b"N" + FR(b"0" + SG("posix", "system") +
                                        b")R.")))
    add("frame_no_proto", FR(b"N."))
    add("frame_2e63", b"\x95" + struct.pack("<Q", 2**63) + b"N.")
    add("frame_2e63_minus_1", b"\x95" + struct.pack("<Q", 2**63 - 1) + b"N.")
    add("frame_trunc_header", b"\x95\x01\x00")
    add("frame_then_more", P4 + FR(b"N") + b"K\x01\x86.")
    add("frame_stop_then_frame", P4 + FR(b"N.") + FR(b"N."))
    # -- unknown opcodes
    for c in (b"\x00", b"z", b"'", b"\\", b"\xff", b" ", b"A", b"\x99",
              b"\n", b"D", b"O", b"H"):
        add("unknown_%02x" % c[0], b"N" + c + b".")
    # -- several streams, trailing data
    add("multi_two", b"N.K\x01.")
    add("multi_three_globals", G("posix", "system") + b"." +
        P2 + G("__builtin__", "eval") + b"." + P4 + SG("builtins", "exec") +
        b".")
    add("multi_second_broken", b"N." + G("m", "f") + b"]R.")
    add("multi_second_truncated", b"N.N")
    add("multi_third_eof", b"N.N.")
    add("multi_memo_not_shared", b"Nq\x00.h\x00.")
    add("multi_proto_not_shared", P2 + b"N." + G("__builtin__", "set") +
        b".")
    add("multi_calls", G("posix", "system") + SU("a") + b"\x85R." +
        G("posix", "system") + SU("b") + b"\x85R.")
    add("multi_many", b"N." * 100)
    add("trailing_garbage", b"N.garbage")
    add("trailing_nul", b"N.\x00")
    add("trailing_newline", b"N.\n")
    add("trailing_stop", b"N..")
    # composite, like real payloads
    add("reconstructor_p0",
        b"ccopy_reg\n_reconstructor\n(cmod\nC\nc__builtin__\nobject\nNtR"
        b"(dS'a'\nI1\nsb.")
    add("newobj_copyreg",
        P2 + b"ccopy_reg\n__newobj__\n" + G("subprocess", "Popen") +
        b"\x85R}b.")
    add("apply_chain",
        P2 + G("__builtin__", "getattr") + G("__builtin__", "__import__") +
        SU("os") + b"\x85R" + SU("system") + b"\x86R" + SU("id") +
        b"\x85R.")
    return C


def slow_cases():
    """Cases that cost CPython about a second and a GiB each (run.py
    --slow): memo indices at brine's pickle_memo limit."""
    return [
        ("slow/long_binput_at_brine_limit",
         b"Nr" + struct.pack("<I", 1 << 26) + b"j" +
         struct.pack("<I", 1 << 26) + b"."),
    ]


TRUNC_BASES = [
    ("p0_call", b"cposix\nsystem\np0\n(S'echo x'\np1\ntp2\nRp3\n."),
    ("p2_newobj", P2 + b"cmod\nC\nq\x00)\x81q\x01}q\x02X\x01\x00\x00\x00a"
     b"q\x03K\x01sb."),
    ("p4_framed", P4 + FR(SG("posix", "system") + b"\x94" + SU("ls") +
                          b"\x94\x85\x94R\x94.")),
    ("p0_inst", b"(lp0\n(S'x'\nimod\nC\np1\naI010\nL12L\nF1.5\n."),
    ("p5_misc", P5 + FR(b"\x8f\x94(K\x01\x90\x96\x01" + b"\x00" * 7 +
                        b"a\x97\x98\x86\x94.")),
]


def trunc_cases():
    out = []
    for name, data in TRUNC_BASES:
        for k in range(len(data) + 1):
            out.append(("trunc/%s/%03d" % (name, k), data[:k]))
    return out


# ---------------------------------------------------------------------------
# (c) random opcode fuzzer

FUZZ_NAMES = [("posix", "system"), ("os", "system"), ("builtins", "eval"),
              ("__builtin__", "set"), ("__builtin__", "getattr"),
              ("copy_reg", "_reconstructor"), ("copyreg", "__newobj__"),
              ("collections", "OrderedDict"), ("UserDict", "UserDict"),
              ("exceptions", "ValueError"), ("mod", "Cls"), ("mod", "a.b"),
              ("torch._utils", "_rebuild_tensor_v2"), ("cPickle", "loads"),
              ("numpy.core.multiarray", "_reconstruct"), ("urllib", "quote"),
              ("__builtin__", "xrange"), ("subprocess", "Popen"),
              ("Queue", "Queue"), ("mod", "f.<locals>.g")]


def _fuzz_atom(rng):
    """One opcode (sometimes a short idiom) with a plausible argument."""
    r = rng.random()
    mod, name = rng.choice(FUZZ_NAMES)
    if r < 0.10:
        return G(mod, name)
    if r < 0.15:
        return SG(mod, name)
    if r < 0.17:
        return b"(i" + _b(mod) + b"\n" + _b(name) + b"\n"
    if r < 0.20:   # a whole call
        return G(mod, name) + rng.choice([b"(", b""]) + \
            rng.choice([SU("ls"), b"", K(3)]) + rng.choice([b"t", b"\x85",
                                                          b")"]) + b"R"
    ops = [
        b"(", b"(", b"(", b"N", b"\x88", b"\x89", b")", b"]", b"}", b"\x8f",
        b"t", b"l", b"d", b"\x91", b"\x85", b"\x86", b"\x87",
        b"a", b"e", b"s", b"u", b"\x90", b"0", b"1", b"2",
        b"R", b"R", b"\x81", b"\x92", b"b", b"b", b"o", b"\x93",
        b"\x94", b"\x97", b"\x98", b"Q", b".",
    ]
    k = rng.randrange(30)
    if k < 12:
        return rng.choice(ops)
    if k == 12:
        return K(rng.randrange(4))
    if k == 13:
        return rng.choice([b"I" + rng.choice(INT_LINES) + b"\n",
                           b"L" + rng.choice(LONG_LINES) + b"\n",
                           b"F" + rng.choice(FLOAT_LINES) + b"\n",
                           b"J\x01\x00\x00\x00", b"M\x01\x00",
                           b"G" + b"\x00" * 8, b"\x8a\x01\x05",
                           b"\x8b\x01\x00\x00\x00\x05"])
    if k == 14:
        return rng.choice([SU(rng.choice(["posix", "system", "", "a"])),
                           BU("os"), b"Vsystem\n", b"S'os'\n", b"U\x02os",
                           b"T\x02\x00\x00\x00os", SB(b"os"),
                           b"\x8d\x01" + b"\x00" * 7 + b"x",
                           b"\x8e\x01" + b"\x00" * 7 + b"x",
                           b"\x96\x01" + b"\x00" * 7 + b"x",
                           b"S" + rng.choice(STRING_LINES) + b"\n",
                           b"V" + rng.choice(UNICODE_LINES) + b"\n"])
    if k in (15, 16):
        i = rng.choice([0, 0, 1, 1, 2, 3, 255])
        return rng.choice([b"q" + bytes([i]), b"h" + bytes([i]),
                           b"r" + struct.pack("<I", i),
                           b"j" + struct.pack("<I", i),
                           b"p%d\n" % i, b"g%d\n" % i, b"\x94",
                           b"p" + rng.choice(GET_PUT_LINES) + b"\n",
                           b"g" + rng.choice(GET_PUT_LINES) + b"\n"])
    if k == 17:
        return rng.choice([b"\x82" + bytes([rng.randrange(3)]),
                           b"\x83\x02\x00", b"\x84\x03\x00\x00\x00"])
    if k == 18:
        return rng.choice([b"P1\n", b"Pa b\n", b"P\n"])
    if k == 19:
        return b"\x80" + bytes([rng.choice([0, 1, 2, 3, 4, 5, 5, 6])])
    if k == 20:
        return b"<FRAME>"
    if k == 21:
        return G(mod, name) + rng.choice([b"}", b"N", b")", K(1)]) + b"b"
    if k == 22:
        return G(mod, name) + rng.choice([b"(K\x01K\x02u", b"(K\x01e",
                                          b"K\x01a", b"K\x01K\x02s",
                                          b"(K\x01\x90"])
    if k == 23:
        return G(mod, name) + b")" + rng.choice([b"\x81", b"}\x92"])
    if k == 24:
        return rng.choice([b"z", b"\x00", b"\xff", b"\n"])
    return rng.choice(ops)


def _assemble(rng, atoms):
    out = b""
    for i in range(len(atoms) - 1, -1, -1):
        a = atoms[i]
        if a == b"<FRAME>":
            delta = rng.choice([0, 0, 0, -1, -2, 1, 4])
            n = max(0, len(out) + delta)
            a = b"\x95" + struct.pack("<Q", n)
        out = a + out
    return out


def fuzz_cases(count=FUZZ_CASES):
    rng = random.Random(FUZZ_SEED)
    out = []
    for i in range(count):
        streams = 1 if rng.random() < 0.9 else 2
        data = b""
        for _ in range(streams):
            atoms = []
            if rng.random() < 0.4:
                atoms.append(b"\x80" + bytes([rng.randrange(6)]))
            for _ in range(rng.randrange(1, 11)):
                atoms.append(_fuzz_atom(rng))
            if rng.random() < 0.85:
                atoms.append(b".")
            data += _assemble(rng, atoms)
        out.append(("fuzz/%04d" % i, data))
    return out


# A stack-aware fuzzer: it keeps a rough model of the unpickler's stack
# (kinds of items, marks, memo) and mostly picks opcodes that are valid
# there, so that sequences get deep (calls on results, BUILD on instances,
# container opcodes on objects, memo reuse) before something goes wrong; one
# opcode in ten is a random atom from the plain fuzzer.

GFUZZ_SEED = 77031
GFUZZ_CASES = 3000
_LIT_PUSH = {
    "none": [b"N"], "bool": [b"\x88", b"\x89", b"I01\n"],
    "int": [b"K\x05", b"J\xff\xff\xff\xff", b"M\x01\x01", b"I7\n",
            b"L5L\n", b"\x8a\x01\x80", b"I010\n", b"I0x1f\n"],
    "float": [b"F1.5\n", b"G?\xf8\x00\x00\x00\x00\x00\x00"],
    "str": [b"\x8c\x02os", b"X\x06\x00\x00\x00system", b"Vposix\n",
            b"S'eval'\n", b"U\x04exec", b"\x8c\x00"],
    "bytes": [b"C\x02ab", b"B\x00\x00\x00\x00"],
    "bytearray": [b"\x96\x01" + b"\x00" * 7 + b"a"],
}


def _gfuzz_case(rng):
    out = []
    stack = []          # kinds; "mark" for a MARK
    memo = {}
    proto = rng.choice([0, 2, 4, 5])
    if proto:
        out.append(b"\x80" + bytes([proto]))
    if proto >= 4 and rng.random() < 0.5:
        out.append(b"<FRAME>")

    def above():        # items above the innermost mark
        n = 0
        for k in reversed(stack):
            if k == "mark":
                break
            n += 1
        return n

    def has_mark():
        return "mark" in stack

    def pop_to_mark():
        i = len(stack) - 1 - stack[::-1].index("mark")
        items = stack[i + 1:]
        del stack[i:]
        return items

    def callable_kind(k):
        return k in ("global", "obj", "persid", "ext")

    for _ in range(rng.randrange(3, 25)):
        if rng.random() < 0.1:
            out.append(_fuzz_atom(rng))
            continue
        top = stack[-1] if stack and above() else None
        second = stack[-2] if above() >= 2 else None
        third = stack[-3] if above() >= 3 else None
        choices = ["lit", "lit", "global", "global", "mark"]
        if top is not None:
            choices += ["memo_put", "pop", "dup", "tuple1"]
        if above() >= 2:
            choices += ["tuple2"]
        if has_mark():
            choices += ["tuple", "list", "dict", "frozenset", "inst",
                        "pop_mark", "obj", "appends", "setitems",
                        "additems"]
        if memo:
            choices += ["memo_get", "memo_get"]
        if top == "tuple" and callable_kind(second):
            choices += ["reduce"] * 4 + ["newobj"] * 2
        if top == "dict" and second == "tuple" and callable_kind(third):
            choices += ["newobj_ex"] * 3
        if second is not None and callable_kind(second) or \
                second == "none":
            choices += ["build"] * 2
        if second in ("list", "global", "obj", "bytearray"):
            choices += ["append"]
        if third in ("dict", "global", "obj", "list"):
            choices += ["setitem"]
        if callable_kind(top):
            choices += ["args"] * 4 + ["state"] * 2 + ["items"]
        if top == "str":
            choices += ["binpersid"]
        if top == "str" and second == "str":
            choices += ["stack_global"] * 3
        choices += ["persid", "ext", "container_lit", "proto"]
        c = rng.choice(choices)
        if c == "lit":
            k = rng.choice(list(_LIT_PUSH))
            out.append(rng.choice(_LIT_PUSH[k]))
            stack.append(k)
        elif c == "args":
            op, k = rng.choice([(b")", "tuple"), (b"K\x05\x85", "tuple"),
                                (b"\x8c\x02ls\x85", "tuple"),
                                (b"(K\x01K\x02t", "tuple"), (b"]", "list"),
                                (b"N", "none")])
            out.append(op)
            stack.append(k)
        elif c == "state":
            op, k = rng.choice([(b"}", "dict"), (b"N", "none"),
                                (b"N}\x86", "tuple"),
                                (b"}\x8c\x01aK\x01s", "dict")])
            out.append(op)
            stack.append(k)
        elif c == "items":
            out.append(rng.choice([b"(K\x01K\x02u", b"(K\x01e", b"K\x01a",
                                   b"(K\x01\x90", b"K\x01K\x02s"]))
        elif c == "container_lit":
            k, op = rng.choice([("list", b"]"), ("dict", b"}"),
                                ("set", b"\x8f"), ("tuple", b")")])
            out.append(op)
            stack.append(k)
        elif c == "global":
            mod, name = rng.choice(FUZZ_NAMES)
            if rng.random() < 0.3 and proto >= 4:
                out.append(SG(mod, name))
            else:
                out.append(G(mod, name))
            stack.append("global")
        elif c == "mark":
            out.append(b"(")
            stack.append("mark")
        elif c == "memo_put":
            i = rng.choice([len(memo), len(memo), rng.randrange(8), 300])
            if proto >= 4 and rng.random() < 0.5:
                i = len(memo)
                out.append(b"\x94")
            elif i < 256 and proto:
                out.append(b"q" + bytes([i]))
            elif proto:
                out.append(b"r" + struct.pack("<I", i))
            else:
                out.append(b"p%d\n" % i)
            memo[i] = stack[-1]
        elif c == "memo_get":
            i = rng.choice(list(memo))
            out.append(b"h" + bytes([i]) if i < 256 and proto
                       else b"g%d\n" % i)
            stack.append(memo[i])
        elif c == "pop":
            out.append(b"0")
            stack.pop()
        elif c == "dup":
            out.append(b"2")
            stack.append(stack[-1])
        elif c == "tuple1":
            out.append(b"\x85")
            stack[-1:] = ["tuple"]
        elif c == "tuple2":
            out.append(b"\x86")
            stack[-2:] = ["tuple"]
        elif c in ("tuple", "list", "dict", "frozenset"):
            items = pop_to_mark()
            if c == "dict" and len(items) % 2:
                out.append(b"N")
            out.append({"tuple": b"t", "list": b"l", "dict": b"d",
                        "frozenset": b"\x91"}[c])
            stack.append(c)
        elif c == "pop_mark":
            pop_to_mark()
            out.append(b"1")
        elif c == "inst":
            pop_to_mark()
            mod, name = rng.choice(FUZZ_NAMES)
            out.append(b"i" + _b(mod) + b"\n" + _b(name) + b"\n")
            stack.append("obj")
        elif c == "obj":
            items = pop_to_mark()
            if not items:
                mod, name = rng.choice(FUZZ_NAMES)
                out.insert(len(out), G(mod, name))
            out.append(b"o")
            stack.append("obj")
        elif c in ("appends", "setitems", "additems"):
            items = pop_to_mark()
            if c == "setitems" and len(items) % 2:
                out.append(b"N")
            out.append({"appends": b"e", "setitems": b"u",
                        "additems": b"\x90"}[c])
        elif c == "reduce":
            out.append(b"R")
            stack[-2:] = ["obj"]
        elif c == "newobj":
            out.append(b"\x81")
            stack[-2:] = ["obj"]
        elif c == "newobj_ex":
            out.append(b"\x92")
            stack[-3:] = ["obj"]
        elif c == "build":
            out.append(b"b")
            stack.pop()
        elif c == "append":
            out.append(b"a")
            stack.pop()
        elif c == "setitem":
            out.append(b"s")
            del stack[-2:]
        elif c == "binpersid":
            out.append(b"Q")
            stack[-1] = "persid"
        elif c == "stack_global":
            out.append(b"\x93")
            stack[-2:] = ["global"]
        elif c == "persid":
            out.append(b"P%d\n" % rng.randrange(3))
            stack.append("persid")
        elif c == "ext":
            out.append(b"\x82" + bytes([rng.randrange(1, 4)]))
            stack.append("ext")
        elif c == "proto":
            out.append(b"\x80" + bytes([rng.choice([0, 2, 3, 4, 5])]))
    if rng.random() < 0.95:
        out.append(b".")
    return _assemble(rng, out)


def gfuzz_cases(count=GFUZZ_CASES):
    rng = random.Random(GFUZZ_SEED)
    out = []
    for i in range(count):
        data = _gfuzz_case(rng)
        if rng.random() < 0.1:
            data += _gfuzz_case(rng)
        out.append(("gfuzz/%04d" % i, data))
    return out


def all_cases():
    return (data_cases() + hand_cases() + trunc_cases() + fuzz_cases() +
            gfuzz_cases())


if __name__ == "__main__":
    import sys
    cs = all_cases()
    ids = [c[0] for c in cs]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    print("%d cases" % len(cs), file=sys.stderr)
