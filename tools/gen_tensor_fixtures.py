#!/usr/bin/python3
"""gen_tensor_fixtures.py - write brine's safetensors and GGUF fixtures.

What it does
    Writes tests/data/safetensors/{valid,invalid}/*.safetensors and
    tests/data/gguf/{valid,invalid,evil}/*.gguf, following
    /work/shared/reference/formats.md section D2 (stdlib only: struct and
    json). tests/unit/test_tensors.c holds what brine must report for each
    file (the exact rule and a word of the reason); each invalid file breaks
    one rule of the safetensors reader (SafeTensorError names) or of ggml's
    gguf.cpp.

    The GGUF files with a chat template take it from tests/data/templates/:
    tiny.gguf carries the benign chatml-tools.jinja, and evil/<name>.gguf
    carries evil/<name>.jinja under tokenizer.chat_template (one also under a
    named tokenizer.chat_template.<name> key, one in a big-endian file).

Safety
    Nothing is loaded, rendered or executed: the templates are copied as
    bytes.

Determinism
    Fixed content: running it twice gives identical bytes. Stale files in
    the output directories are removed.

Usage
    /usr/bin/python3 tools/gen_tensor_fixtures.py [--root PROJECT_ROOT]
"""
import argparse
import json
import os
import struct

# ---------------------------------------------------------------- safetensors


def st_bytes(header, data=b"", align=8, raw_header=None, hlen=None, lead=b""):
    """A safetensors file: u64 N, N bytes of header JSON, data.

    header: dict serialised compactly (writer rules, section B5), or
    raw_header: the exact header bytes. lead: JSON whitespace put before
    the '{'. hlen: a lying header length.
    """
    if raw_header is None:
        hb = json.dumps(header, separators=(",", ":")).encode("utf-8")
    else:
        hb = raw_header
    hb = lead + hb
    hb += b" " * ((-len(hb)) % align)
    n = len(hb) if hlen is None else hlen
    return struct.pack("<Q", n) + hb + data


def st_file(tensors, metadata=None, **kw):
    """tensors: list of (name, dtype, shape, raw bytes), in file order."""
    header, off, data = {}, 0, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dt, shape, raw in tensors:
        header[name] = {"dtype": dt, "shape": shape,
                        "data_offsets": [off, off + len(raw)]}
        off += len(raw)
        data += raw
    return st_bytes(header, data, **kw)


F32_6 = struct.pack("<6f", 0, 1, 2, 3, 4, 5)
I64_3 = struct.pack("<3q", 1, 2, 3)


def safetensors_fixtures():
    valid, invalid = {}, {}
    # formats.md B5 golden vector: 64-byte header, no padding needed
    valid["golden"] = st_file([("attn.0", "F32", [1, 2, 3], F32_6)])
    assert valid["golden"][:8] == b"\x40" + b"\x00" * 7
    valid["tiny"] = st_file([("weight", "F32", [2, 3], F32_6),
                             ("idx", "I64", [3], I64_3)], {"format": "pt"})
    valid["metadata-aliases"] = st_file(
        [("embed.weight", "BF16", [2, 2], b"\x80\x3f" * 4)],
        {"format": "pt", "lm_head.weight": "embed.weight"})
    # sub-byte dtypes: shape x bits must be whole bytes (section B4)
    valid["subbyte"] = st_file([("fp4", "F4", [2, 3], b"\x12\x34\x56"),
                                ("fp6a", "F6_E2M3", [4], b"\x01\x02\x03"),
                                ("fp6b", "F6_E3M2", [8], b"\x00" * 6)])
    valid["f8"] = st_file([("a", "F8_E4M3", [2], b"\x38\x40"),
                           ("b", "F8_E5M2", [1], b"\x3c"),
                           ("c", "F8_E8M0", [1], b"\x7f"),
                           ("d", "F8_E4M3FNUZ", [1], b"\x40"),
                           ("e", "F8_E5M2FNUZ", [1], b"\x40"),
                           ("f", "BOOL", [1], b"\x01"),
                           ("g", "C64", [1], b"\x00" * 8)])
    # empty tensor: a zero dimension, [x, x] offsets; 0-rank: one element
    valid["empty-tensor"] = st_file([("w", "F32", [2], b"\x00" * 8),
                                     ("none", "F16", [0, 3], b"")])
    valid["scalar"] = st_file([("step", "I64", [], struct.pack("<q", 7))])
    valid["no-tensors"] = st_bytes({})
    valid["metadata-null"] = st_bytes(
        None, raw_header=b'{"__metadata__":null}')
    # the Rust reader tolerates leading JSON whitespace (section B1)
    valid["leading-whitespace"] = st_file(
        [("w", "F32", [1], b"\x00" * 4)], lead=b"\n\t  \r")
    # a 0x20-padded header that ends well before the data (page alignment)
    valid["padded"] = st_file([("w", "U8", [3], b"abc")], align=4096)
    # offsets listed out of order are fine: the reader sorts them
    valid["unordered"] = st_bytes(
        None, b"\x01\x00\x02\x00",
        raw_header=b'{"b":{"dtype":"I16","shape":[1],"data_offsets":[2,4]},'
                   b'"a":{"dtype":"I16","shape":[1],"data_offsets":[0,2]}}')

    invalid["header-too-small"] = b"\x05\x00\x00\x00\x00"
    invalid["header-too-large"] = struct.pack("<Q", 2 ** 40) + b"{}" + b" " * 6
    invalid["header-too-large-1e8"] = struct.pack("<Q", 100_000_001) + b"{}"
    invalid["invalid-header-length"] = struct.pack("<Q", 1000) + b'{"a":1}'
    invalid["invalid-utf8"] = st_bytes(
        None, b"\x00" * 4,
        raw_header=b'{"w\xff":{"dtype":"F32","shape":[1],'
                   b'"data_offsets":[0,4]}}')
    invalid["not-json"] = st_bytes(None, raw_header=b"{not json}")
    invalid["not-object"] = st_bytes(None, raw_header=b"[1, 2]")
    invalid["duplicate-key"] = st_bytes(
        None, b"\x00" * 8,
        raw_header=b'{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
                   b'"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}')
    invalid["duplicate-field"] = st_bytes(
        None, b"\x00" * 4,
        raw_header=b'{"w":{"dtype":"F32","dtype":"F32","shape":[1],'
                   b'"data_offsets":[0,4]}}')
    invalid["metadata-not-string"] = st_file(
        [("w", "F32", [1], b"\x00" * 4)], {"a": 1})
    invalid["metadata-not-object"] = st_bytes(
        None, raw_header=b'{"__metadata__":["pt"]}')
    invalid["unknown-dtype"] = st_file([("w", "F128", [1], b"\x00" * 16)])
    invalid["lowercase-dtype"] = st_file([("w", "f32", [1], b"\x00" * 4)])
    invalid["negative-shape"] = st_bytes(
        None, raw_header=b'{"w":{"dtype":"F32","shape":[-1],'
                         b'"data_offsets":[0,0]}}')
    invalid["float-shape"] = st_bytes(
        None, b"\x00" * 4,
        raw_header=b'{"w":{"dtype":"F32","shape":[1.0],'
                   b'"data_offsets":[0,4]}}')
    invalid["negative-offset"] = st_bytes(
        None, raw_header=b'{"w":{"dtype":"F32","shape":[0],'
                         b'"data_offsets":[-4,-4]}}')
    invalid["extra-field"] = st_bytes(
        None, b"\x00" * 4,
        raw_header=b'{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],'
                   b'"strides":[1]}}')
    invalid["missing-field"] = st_bytes(
        None, raw_header=b'{"w":{"dtype":"F32","shape":[0]}}')
    invalid["offsets-triple"] = st_bytes(
        None, b"\x00" * 4,
        raw_header=b'{"w":{"dtype":"F32","shape":[1],'
                   b'"data_offsets":[0,4,4]}}')
    invalid["entry-not-object"] = st_bytes(None, raw_header=b'{"w":"F32"}')
    # InvalidOffset: overlap, hole, start past 0, end before begin
    invalid["overlap"] = st_bytes(
        None, b"\x00" * 8,
        raw_header=b'{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
                   b'"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}')
    invalid["hole"] = st_bytes(
        None, b"\x00" * 12,
        raw_header=b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
                   b'"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}')
    invalid["first-not-zero"] = st_bytes(
        None, b"\x00" * 8,
        raw_header=b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}')
    invalid["end-before-begin"] = st_bytes(
        None, b"\x00" * 8,
        raw_header=b'{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},'
                   b'"b":{"dtype":"F32","shape":[1],"data_offsets":[0,-1]}}')
    invalid["end-before-begin"] = st_bytes(
        None, b"",
        raw_header=b'{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},'
                   b'"b":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},'
                   b'"c":{"dtype":"U8","shape":[1],"data_offsets":[1,0]}}')
    # ValidationOverflow: each dimension fits, the product does not
    big = 2 ** 40
    invalid["overflow"] = st_bytes(
        None, raw_header=('{"w":{"dtype":"F32","shape":[%d,%d,%d],'
                          '"data_offsets":[0,0]}}' % (big, big, big)).encode())
    invalid["overflow-bits"] = st_bytes(
        None, raw_header=('{"w":{"dtype":"F64","shape":[%d],'
                          '"data_offsets":[0,0]}}' % (2 ** 61)).encode())
    # MisalignedSlice: 3 x 4 bits
    invalid["misaligned-slice"] = st_file([("w", "F4", [3], b"\x00\x00")])
    # TensorInvalidInfo: 2 x F32 declared over 4 bytes
    invalid["tensor-invalid-info"] = st_bytes(
        None, b"\x00" * 4,
        raw_header=b'{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}')
    # MetadataIncompleteBuffer: bytes after the last tensor, or too few
    invalid["trailing-bytes"] = st_file(
        [("w", "F32", [1], b"\x00" * 4)]) + b"PK\x03\x04polyglot"
    invalid["truncated-data"] = st_file([("w", "F32", [6], F32_6)])[:-5]
    invalid["trailing-json"] = st_bytes(None, raw_header=b'{} {}')
    return valid, invalid


# ----------------------------------------------------------------------- GGUF

T_U8, T_I8, T_U16, T_I16, T_U32, T_I32, T_F32, T_BOOL, T_STR, T_ARR, \
    T_U64, T_I64, T_F64 = range(13)
GGML_F32, GGML_F16, GGML_Q8_0 = 0, 1, 8


class G:
    """GGUF writer with a byte order (section D2, extended)."""

    def __init__(self, be=False):
        self.e = ">" if be else "<"

    def u32(self, v):
        return struct.pack(self.e + "I", v)

    def u64(self, v):
        return struct.pack(self.e + "Q", v)

    def s(self, v):
        b = v.encode("utf-8") if isinstance(v, str) else v
        return self.u64(len(b)) + b

    def kv(self, key, vtype, payload):
        return self.s(key) + self.u32(vtype) + payload

    def kv_str(self, key, value):
        return self.kv(key, T_STR, self.s(value))

    def kv_u32(self, key, value):
        return self.kv(key, T_U32, self.u32(value))

    def kv_strs(self, key, values):
        return self.kv(key, T_ARR, self.u32(T_STR) + self.u64(len(values)) +
                       b"".join(self.s(v) for v in values))

    def info(self, name, dims, gtype, off):
        return (self.s(name) + self.u32(len(dims)) +
                b"".join(self.u64(d) for d in dims) + self.u32(gtype) +
                self.u64(off))

    def file(self, kvs, tensors, version=3, align=32, n_kv=None, n_t=None,
             infos=None):
        """tensors: (name, ggml type, dims with ne[0] first, raw bytes);
        each placed at the next multiple of align. infos: raw tensor-info
        bytes instead (offsets already in them)."""
        out = bytearray(b"GGUF") + self.u32(version)
        out += self.u64(len(tensors) if n_t is None else n_t)
        out += self.u64(len(kvs) if n_kv is None else n_kv)
        for k in kvs:
            out += k
        off, blobs, ib = 0, [], bytearray()
        for name, gtype, dims, raw in tensors:
            off = (off + align - 1) // align * align
            ib += self.info(name, dims, gtype, off)
            blobs.append((off, raw))
            off += len(raw)
        out += ib if infos is None else infos
        out += b"\x00" * ((-len(out)) % align)
        data = bytearray()
        for o, raw in blobs:
            data += b"\x00" * (o - len(data))
            data += raw
        data += b"\x00" * ((-len(data)) % align)
        return bytes(out + data)


EMB = struct.pack("<8f", *range(8))


def base_kvs(g, template=None, extra=()):
    kvs = [g.kv_str("general.architecture", "llama"),
           g.kv_u32("general.alignment", 32),
           g.kv_str("general.name", "tiny"),
           g.kv_str("general.license", "MIT"),
           g.kv("general.quantized", T_BOOL, b"\x00"),
           g.kv("llama.context_length", T_U32, g.u32(2048)),
           g.kv("llama.rope.freq_base", T_F32, struct.pack(g.e + "f", 1e4)),
           g.kv_strs("tokenizer.ggml.tokens", ["<s>", "</s>", "hi", "_the"]),
           g.kv("tokenizer.ggml.scores", T_ARR, g.u32(T_F32) + g.u64(4) +
                struct.pack(g.e + "4f", 0, 0, -1, -2)),
           g.kv("tokenizer.ggml.token_type", T_ARR, g.u32(T_I32) + g.u64(4) +
                struct.pack(g.e + "4i", 3, 3, 1, 1)),
           g.kv("tokenizer.ggml.add_bos_token", T_BOOL, b"\x01")]
    if template is not None:
        kvs.append(g.kv_str("tokenizer.chat_template", template))
    kvs.extend(extra)
    return kvs


def tensors_for(g):
    emb = EMB if g.e == "<" else struct.pack(">8f", *range(8))
    q8 = (b"\x00\x3c" + bytes(range(32))) * 2      # 2 blocks of Q8_0
    return [("token_embd.weight", GGML_F32, [4, 2], emb),
            ("blk.0.attn_q.weight", GGML_Q8_0, [32, 2], q8),
            ("output_norm.weight", GGML_F16, [4], b"\x00\x3c" * 4)]


def gguf_fixtures(benign, evil):
    g, gb = G(), G(be=True)
    valid, invalid, bad = {}, {}, {}
    valid["tiny"] = g.file(base_kvs(g, benign), tensors_for(g))
    valid["tiny-v2"] = g.file(base_kvs(g, benign), tensors_for(g), version=2)
    valid["tiny-be"] = gb.file(base_kvs(gb, benign), tensors_for(gb))
    valid["no-tensors"] = g.file(base_kvs(g), [])
    valid["align-64"] = g.file(
        [g.kv_u32("general.alignment", 64)] + base_kvs(g)[2:],
        tensors_for(g), align=64)
    valid["named-template"] = g.file(
        base_kvs(g, benign, [g.kv_str("tokenizer.chat_template.tool_use",
                                      benign)]), tensors_for(g))

    # each evil template as a GGUF chat template
    for name, text in sorted(evil.items()):
        bad[name] = g.file(base_kvs(g, text), tensors_for(g))
    classic = evil["mro-subclasses"]
    bad["ssti"] = g.file(base_kvs(g, classic), tensors_for(g))
    bad["ssti-named-key"] = g.file(
        base_kvs(g, benign, [g.kv_str("tokenizer.chat_template.rag",
                                      classic)]), tensors_for(g))
    bad["ssti-be"] = gb.file(base_kvs(gb, classic), tensors_for(gb))
    bad["ssti-v2"] = g.file(base_kvs(g, classic), tensors_for(g), version=2)
    # a template followed by a malformed tail: both reported
    bad["ssti-then-truncated"] = g.file(base_kvs(g, classic),
                                        tensors_for(g))[:-40]

    t = tensors_for(g)
    good = valid["tiny"]
    invalid["bad-magic"] = b"GGUX" + good[4:]
    invalid["version-1"] = g.file(base_kvs(g), t, version=1)
    invalid["version-4"] = g.file(base_kvs(g), t, version=4)
    invalid["version-0"] = g.file(base_kvs(g), t, version=0)
    invalid["huge-kv-count"] = g.file(base_kvs(g), t, n_kv=2 ** 62)
    invalid["huge-tensor-count"] = g.file(base_kvs(g), t, n_t=2 ** 40)
    invalid["more-kvs-than-present"] = g.file(base_kvs(g), [],
                                              n_kv=len(base_kvs(g)) + 1)
    invalid["truncated-header"] = good[:12]
    invalid["truncated-kv"] = good[:200]
    invalid["duplicate-key"] = g.file(
        base_kvs(g, None, [g.kv_str("general.name", "again")]), t)
    invalid["empty-key"] = g.file(base_kvs(g, None, [g.kv_str("", "x")]), t)
    invalid["long-key"] = g.file(
        base_kvs(g, None, [g.kv_str("k" * 65536, "x")]), t)
    invalid["bad-value-type"] = g.file(
        base_kvs(g, None, [g.kv("x.y", 13, b"\x00" * 8)]), t)
    invalid["bool-not-01"] = g.file(
        base_kvs(g, None, [g.kv("x.flag", T_BOOL, b"\x02")]), t)
    invalid["bool-array-not-01"] = g.file(
        base_kvs(g, None, [g.kv("x.flags", T_ARR, g.u32(T_BOOL) + g.u64(3) +
                                b"\x00\x01\x07")]), t)
    invalid["nested-array"] = g.file(
        base_kvs(g, None, [g.kv("x.nest", T_ARR, g.u32(T_ARR) + g.u64(1) +
                                g.u32(T_U8) + g.u64(1) + b"\x00")]), t)
    invalid["array-bad-type"] = g.file(
        base_kvs(g, None, [g.kv("x.arr", T_ARR, g.u32(77) + g.u64(1) +
                                b"\x00")]), t)
    invalid["array-huge-count"] = g.file(
        base_kvs(g, None, [g.kv("x.arr", T_ARR, g.u32(T_U8) +
                                g.u64(2 ** 31))]), t)
    invalid["array-past-end"] = g.file(
        base_kvs(g, None, [g.kv("x.arr", T_ARR, g.u32(T_U64) +
                                g.u64(2 ** 29))]), t)
    invalid["strings-past-end"] = g.file(
        base_kvs(g, None, [g.kv("x.strs", T_ARR, g.u32(T_STR) +
                                g.u64(2 ** 28))]), t)
    invalid["string-past-end"] = g.file(
        base_kvs(g, None, [g.kv("x.s", T_STR, g.u64(2 ** 20) + b"abc")]), t)
    invalid["string-over-1gib"] = g.file(
        base_kvs(g, None, [g.kv("x.s", T_STR, g.u64(2 ** 30 + 1))]), t)
    invalid["alignment-48"] = g.file(
        [g.kv_u32("general.alignment", 48)] + base_kvs(g)[2:], t, align=48)
    invalid["alignment-0"] = g.file(
        [g.kv_u32("general.alignment", 0)] + base_kvs(g)[2:], t)
    invalid["alignment-u64"] = g.file(
        [g.kv("general.alignment", T_U64, g.u64(32))] + base_kvs(g)[2:], t)

    def infos(*items):
        return b"".join(g.info(*i) for i in items)

    kv = base_kvs(g)
    nb = len(t)

    def with_infos(ib, n=nb, tensors=t):
        # keep the data of the normal layout after the given infos
        out = g.file(kv, tensors, infos=ib, n_t=n)
        return out

    invalid["tensor-beyond-data"] = g.file(kv, t)[:-96]
    invalid["tensor-offset-hole"] = with_infos(infos(
        ("token_embd.weight", [4, 2], GGML_F32, 0),
        ("blk.0.attn_q.weight", [32, 2], GGML_Q8_0, 64),
        ("output_norm.weight", [4], GGML_F16, 160)))
    invalid["tensor-overlap"] = with_infos(infos(
        ("token_embd.weight", [4, 2], GGML_F32, 0),
        ("blk.0.attn_q.weight", [32, 2], GGML_Q8_0, 0),
        ("output_norm.weight", [4], GGML_F16, 96)))
    invalid["tensor-misaligned"] = with_infos(infos(
        ("token_embd.weight", [4, 2], GGML_F32, 0),
        ("blk.0.attn_q.weight", [32, 2], GGML_Q8_0, 33),
        ("output_norm.weight", [4], GGML_F16, 128)))
    invalid["unknown-ggml-type"] = with_infos(infos(
        ("token_embd.weight", [4, 2], 99, 0)), n=1, tensors=t[:1])
    invalid["removed-ggml-type"] = with_infos(infos(
        ("token_embd.weight", [32, 2], 4, 0)), n=1, tensors=t[:1])
    invalid["row-not-block-multiple"] = with_infos(infos(
        ("blk.0.attn_q.weight", [16, 4], GGML_Q8_0, 0)), n=1, tensors=t[1:2])
    invalid["duplicate-tensor"] = with_infos(infos(
        ("token_embd.weight", [4, 2], GGML_F32, 0),
        ("token_embd.weight", [32, 2], GGML_Q8_0, 32)), n=2, tensors=t[:2])
    invalid["long-tensor-name"] = with_infos(infos(
        ("t" * 64, [4, 2], GGML_F32, 0)), n=1, tensors=t[:1])
    invalid["five-dims"] = with_infos(infos(
        ("token_embd.weight", [4, 2, 1, 1, 1], GGML_F32, 0)), n=1,
        tensors=t[:1])
    invalid["negative-dim"] = with_infos(infos(
        ("token_embd.weight", [4, 2 ** 63], GGML_F32, 0)), n=1, tensors=t[:1])
    invalid["zero-dim"] = with_infos(infos(
        ("token_embd.weight", [4, 0], GGML_F32, 0)), n=1, tensors=t[:1])
    invalid["element-overflow"] = with_infos(infos(
        ("token_embd.weight", [2 ** 32, 2 ** 32], GGML_F32, 0)), n=1,
        tensors=t[:1])
    invalid["truncated-tensor-info"] = g.file(kv, t)[:len(
        g.file(kv, [])) + 40]
    return valid, invalid, bad


# ---------------------------------------------------------------- main


def write_dir(path, files, ext):
    os.makedirs(path, exist_ok=True)
    want = {name + ext for name in files}
    for old in os.listdir(path):
        if old.endswith(ext) and old not in want:
            os.remove(os.path.join(path, old))
    for name, data in sorted(files.items()):
        with open(os.path.join(path, name + ext), "wb") as f:
            f.write(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), ".."))
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    tdir = os.path.join(root, "tests", "data", "templates")
    with open(os.path.join(tdir, "chatml-tools.jinja"), "rb") as f:
        benign = f.read()
    evil = {}
    for name in sorted(os.listdir(os.path.join(tdir, "evil"))):
        if name.endswith(".jinja"):
            with open(os.path.join(tdir, "evil", name), "rb") as f:
                evil[name[:-6]] = f.read()

    valid, invalid = safetensors_fixtures()
    sdir = os.path.join(root, "tests", "data", "safetensors")
    write_dir(os.path.join(sdir, "valid"), valid, ".safetensors")
    write_dir(os.path.join(sdir, "invalid"), invalid, ".safetensors")

    gvalid, ginvalid, gbad = gguf_fixtures(benign, evil)
    gdir = os.path.join(root, "tests", "data", "gguf")
    write_dir(os.path.join(gdir, "valid"), gvalid, ".gguf")
    write_dir(os.path.join(gdir, "invalid"), ginvalid, ".gguf")
    write_dir(os.path.join(gdir, "evil"), gbad, ".gguf")
    total = sum(len(x) for x in (valid, invalid, gvalid, ginvalid, gbad))
    print("gen_tensor_fixtures: %d files" % total)


if __name__ == "__main__":
    main()
