#!/usr/bin/python3
"""Write the ONNX and TensorFlow SavedModel fixtures of
tests/unit/test_protobuf.c into tests/data/onnx/ and tests/data/savedmodel/.

Run with Debian's /usr/bin/python3 (python3-onnx, python3-protobuf).
ONNX models are built with onnx.helper and written with SerializeToString,
never onnx.save: onnx 1.12's save writes external data next to the model
(formats.md §A11), and the hostile locations must stay text only.
SavedModels are hand-crafted bytes (formats.md §D2, TF field numbers of
§A10) and checked by parsing them with python3-protobuf against a schema
built here with TF's field numbers.

Each fixture directory gets MANIFEST.tsv: file, sha256, size, the format
brinei_protobuf_probe must return and the rules the check must report.
"""
import hashlib
import json
import os
import shutil
import struct
import sys

import google.protobuf
import onnx
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from onnx import TensorProto, helper

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
ONNX_DIR = os.path.join(TOP, "tests", "data", "onnx")
SM_DIR = os.path.join(TOP, "tests", "data", "savedmodel")


# ---------------------------------------------------------------- helpers

def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def f32(*vals):
    return struct.pack("<%df" % len(vals), *vals)


def ext_tensor(name, location, dims=(2, 2), length=16):
    t = TensorProto()
    t.name = name
    t.data_type = TensorProto.FLOAT
    t.dims.extend(dims)
    t.data_location = TensorProto.EXTERNAL
    for k, v in (("location", location), ("offset", "0"),
                 ("length", str(length))):
        e = t.external_data.add()
        e.key = k
        e.value = v
    return t


def raw_tensor(name, dims, data):
    t = TensorProto()
    t.name = name
    t.data_type = TensorProto.FLOAT
    t.dims.extend(dims)
    t.raw_data = data
    return t


def vi(name, shape=(2, 2)):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape))


def model(nodes, inits=(), opsets=(("", 13),), functions=(), inputs=None,
          outputs=None, name="g"):
    g = helper.make_graph(list(nodes), name,
                          inputs if inputs is not None else [vi("X")],
                          outputs if outputs is not None else [vi("Y")],
                          initializer=list(inits))
    m = helper.make_model(g, producer_name="brine-fixtures",
                          opset_imports=[helper.make_opsetid(d, v)
                                         for d, v in opsets],
                          functions=list(functions))
    m.ir_version = 8
    return m


def matmul_add(w_init):
    return model([helper.make_node("MatMul", ["X", "W"], ["XW"], name="mm"),
                  helper.make_node("Add", ["XW", "B"], ["Y"], name="add")],
                 [w_init, raw_tensor("B", [2], f32(0.5, -0.5))])


def if_model(then_nodes):
    cond = helper.make_tensor_value_info("C", TensorProto.BOOL, [])
    then_g = helper.make_graph(then_nodes, "then", [], [vi("T")])
    else_g = helper.make_graph([helper.make_node("Neg", ["X"], ["E"],
                                                 name="neg")],
                               "else", [], [vi("E")])
    node = helper.make_node("If", ["C"], ["Y"], name="if0",
                            then_branch=then_g, else_branch=else_g)
    return model([node], inputs=[vi("X"), cond])


# ------------------------------------------------------------------- ONNX

def gen_onnx():
    shutil.rmtree(ONNX_DIR, ignore_errors=True)
    rows = []

    def put(rel, m, fmt="onnx", rules="", check=False):
        if check:
            onnx.checker.check_model(m)
        write(os.path.join(ONNX_DIR, rel), m.SerializeToString())
        rows.append((rel, fmt, rules))

    w = raw_tensor("W", [2, 2], f32(1, 2, 3, 4))
    put("benign/matmul_add.onnx", matmul_add(w), check=True)
    put("benign/if_subgraph.onnx",
        if_model([helper.make_node("Identity", ["X"], ["T"], name="id")]),
        check=True)
    put("benign/com_microsoft.onnx",
        model([helper.make_node("FusedMatMul", ["X", "X"], ["Y"],
                                name="fmm", domain="com.microsoft")],
              opsets=(("", 13), ("com.microsoft", 1))))
    # a node calling a function of the model itself needs no library
    fn = helper.make_function("local.fns", "Double", ["a"], ["b"],
                              [helper.make_node("Add", ["a", "a"], ["b"])],
                              [helper.make_opsetid("", 13)])
    put("benign/local_function.onnx",
        model([helper.make_node("Double", ["X"], ["Y"], name="dbl",
                                domain="local.fns")],
              opsets=(("", 13), ("local.fns", 1)), functions=[fn]))
    # relative external data in a file beside the model
    put("benign/ext_ok/model.onnx", matmul_add(ext_tensor("W", "weights.bin")))
    write(os.path.join(ONNX_DIR, "benign/ext_ok/weights.bin"), f32(1, 2, 3, 4))
    rows.append(("benign/ext_ok/weights.bin", "unrecognized", ""))

    for rel, loc in (("hostile/ext_dotdot.onnx", "../../etc/passwd"),
                     ("hostile/ext_absolute.onnx", "/etc/passwd"),
                     ("hostile/ext_drive.onnx", "C:\\x"),
                     ("hostile/ext_ort_mem_addr.onnx", "*/_ORT_MEM_ADDR_/*"),
                     ("hostile/ext_subdir/model.onnx",
                      "sub/../../outside.bin")):
        put(rel, matmul_add(ext_tensor("W", loc)), rules="ONX001")
    write(os.path.join(ONNX_DIR, "hostile/ext_subdir/sub/.gitkeep"), b"")
    # weights.bin is a symlink out of the model's directory
    # (CVE-2026-27489): only seen when the check knows the directory
    put("hostile/ext_symlink/model.onnx",
        matmul_add(ext_tensor("W", "weights.bin")), rules="ONX001(dir)")
    os.symlink("../../benign/ext_ok/weights.bin",
               os.path.join(ONNX_DIR, "hostile/ext_symlink/weights.bin"))

    put("hostile/pyop_contrib.onnx",
        model([helper.make_node("MatMul", ["X", "X"], ["Z"], name="mm"),
               helper.make_node("PyOp", ["Z"], ["Y"], name="py",
                                domain="ai.onnx.contrib")],
              opsets=(("", 13), ("ai.onnx.contrib", 1))), rules="ONX002")
    # two nodes and an opset_import of one custom domain: one finding
    put("hostile/custom_domain.onnx",
        model([helper.make_node("Evil", ["X"], ["Z"], name="e1",
                                domain="com.evil"),
               helper.make_node("Evil2", ["Z"], ["Y"], name="e2",
                                domain="com.evil")],
              opsets=(("", 13), ("com.evil", 1))), rules="ONX003")
    # hostile nodes only reachable through a subgraph or a function (no
    # opset_import names their domain, so only the walk can find them)
    put("hostile/if_hidden_pyop.onnx",
        if_model([helper.make_node("PyOp", ["X"], ["T"], name="hidden",
                                   domain="ai.onnx.contrib")]),
        rules="ONX002")
    fn = helper.make_function("local.fns", "Helper", ["a"], ["b"],
                              [helper.make_node("Relu", ["a"], ["r"]),
                               helper.make_node("Evil", ["r"], ["b"],
                                                name="in_fn",
                                                domain="com.evil")],
                              [helper.make_opsetid("", 13)])
    put("hostile/function_hidden_domain.onnx",
        model([helper.make_node("Helper", ["X"], ["Y"], name="call",
                                domain="local.fns")],
              opsets=(("", 13), ("local.fns", 1)), functions=[fn]),
        rules="ONX003")
    # raw_data of 12 bytes for a 2x2 float tensor (16 needed)
    put("hostile/raw_data_mismatch.onnx",
        matmul_add(raw_tensor("W", [2, 2], f32(1, 2, 3))), rules="FMT001")
    return rows


# ------------------------------------------------------------- SavedModel

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def fld(num, wt, payload):
    key = varint((num << 3) | wt)
    return key + (varint(payload) if wt == 0 else
                  varint(len(payload)) + payload)


def s(num, text):
    return fld(num, 2, text.encode())


def node(name, op, inputs=()):                      # NodeDef
    return s(1, name) + s(2, op) + b"".join(s(3, i) for i in inputs)


def graph_def(nodes, functions=()):                 # GraphDef node=1
    g = b"".join(fld(1, 2, node(*n)) for n in nodes)
    if functions:                                   # library=2
        g += fld(2, 2, b"".join(fld(1, 2, f) for f in functions))
    return g


def function_def(name, nodes):                      # FunctionDef
    sig = s(1, name)                                # OpDef.name=1
    return fld(1, 2, sig) + b"".join(fld(3, 2, node(*n)) for n in nodes)


SAVER_NODES = [("save/filename", "Const"), ("save/Const", "Const"),
               ("save/SaveV2", "SaveV2", ["save/Const"]),
               ("save/RestoreV2", "RestoreV2", ["save/Const"]),
               ("save/MergeV2Checkpoints", "MergeV2Checkpoints",
                ["save/Const"]),
               ("save/ShardedFilename", "ShardedFilename", ["save/Const"]),
               ("save/StringJoin", "StringJoin", ["save/Const"])]
SAVER_DEF = (s(1, "save/Const:0") + s(2, "save/Identity:0") +
             s(3, "save/restore_all"))


def saved_model(graph, saver=True, objects=b""):
    meta = fld(1, 2, s(4, "serve") + s(5, "2.15.0"))   # meta_info_def
    meta += fld(2, 2, graph)                           # graph_def
    if saver:
        meta += fld(3, 2, SAVER_DEF)                   # saver_def
    if objects:
        meta += fld(7, 2, objects)                     # object_graph_def
    return fld(1, 0, 1) + fld(2, 2, meta)


def user_object(identifier, metadata):             # SavedObject.user_object
    uo = s(1, identifier) + s(3, json.dumps(metadata))
    return fld(4, 2, uo)


def keras_metadata(nodes):                          # SavedMetadata
    out = b""
    for i, (path, ident, meta) in enumerate(nodes):
        nid = fld(2, 0, i) if i else b""            # proto3 omits zero
        out += fld(1, 2, nid + s(3, path) + s(4, ident) +
                   s(5, json.dumps(meta)))
    return out


def lambda_layer(name):
    return {"name": name, "trainable": True, "class_name": "Lambda",
            "config": {"name": name, "function": ["4wEAAAAAAAAA", None, None],
                       "function_type": "lambda", "module": "__main__"}}


def dense_layer(name):
    return {"name": name, "trainable": True, "class_name": "Dense",
            "config": {"name": name, "units": 2}}


TF_SCHEMA = """
SavedModel: 1 saved_model_schema_version int64, 2 meta_graphs MetaGraphDef*
MetaGraphDef: 1 meta_info_def MetaInfoDef, 2 graph_def GraphDef,
  3 saver_def SaverDef, 7 object_graph_def SavedObjectGraph
MetaInfoDef: 4 tags string*, 5 tensorflow_version string
GraphDef: 1 node NodeDef*, 2 library FunctionDefLibrary
NodeDef: 1 name string, 2 op string, 3 input string*
FunctionDefLibrary: 1 function FunctionDef*
FunctionDef: 1 signature OpDef, 3 node_def NodeDef*
OpDef: 1 name string
SaverDef: 1 filename_tensor_name string, 2 save_tensor_name string,
  3 restore_op_name string
SavedObjectGraph: 1 nodes SavedObject*
SavedObject: 4 user_object SavedUserObject
SavedUserObject: 1 identifier string, 3 metadata string
SavedMetadata: 1 nodes KSavedObject*
KSavedObject: 2 node_id int32, 3 node_path string, 4 identifier string,
  5 metadata string
"""


def tf_classes():
    """Message classes with TF's field numbers (formats.md §A10)."""
    fdp = descriptor_pb2.FileDescriptorProto(name="brine_tf.proto",
                                             package="t", syntax="proto3")
    F = descriptor_pb2.FieldDescriptorProto
    scalar = {"int64": F.TYPE_INT64, "int32": F.TYPE_INT32,
              "string": F.TYPE_STRING}
    for line in TF_SCHEMA.replace("\n  ", " ").strip().split("\n"):
        mname, fields = line.split(":", 1)
        m = fdp.message_type.add(name=mname)
        for spec in fields.split(","):
            num, fname, ftype = spec.split()
            rep = ftype.endswith("*")
            ftype = ftype.rstrip("*")
            f = m.field.add(name=fname, number=int(num),
                            label=F.LABEL_REPEATED if rep else
                            F.LABEL_OPTIONAL)
            if ftype in scalar:
                f.type = scalar[ftype]
            else:
                f.type = F.TYPE_MESSAGE
                f.type_name = ".t." + ftype
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    fac = message_factory.MessageFactory(pool)
    return {n: fac.GetPrototype(pool.FindMessageTypeByName("t." + n))
            for n in ("SavedModel", "SavedMetadata")}


def verify_tf(cls, data):
    """Parse with python3-protobuf; the bytes must round-trip unchanged
    (no unknown fields, every field where TF puts it)."""
    msg = cls()
    msg.ParseFromString(data)
    assert msg.SerializeToString() == data, "does not round-trip"
    return msg


def gen_savedmodel():
    shutil.rmtree(SM_DIR, ignore_errors=True)
    cls = tf_classes()
    rows = []

    def put(name, data, rules="", fname="saved_model.pb",
            kind="SavedModel", variables=True):
        msg = verify_tf(cls[kind], data)
        d = os.path.join(SM_DIR, name)
        write(os.path.join(d, fname), data)
        if variables:
            write(os.path.join(d, "variables", ".gitkeep"), b"")
        rows.append((name + "/" + fname, "tf-savedmodel", rules))
        return msg

    base = [("x", "Placeholder"), ("w", "Const"),
            ("mm", "MatMul", ["x", "w"])]
    m = put("benign", saved_model(graph_def(base + SAVER_NODES)))
    assert [n.op for n in m.meta_graphs[0].graph_def.node][:3] == \
        ["Placeholder", "Const", "MatMul"]
    assert m.meta_graphs[0].saver_def.restore_op_name == "save/restore_all"

    m = put("readfile_writefile", saved_model(graph_def(
        [("path", "Const"), ("rf", "ReadFile", ["path"]),
         ("wf", "WriteFile", ["path", "rf"])] + SAVER_NODES)),
        rules="TFS001,TFS001")
    assert [n.op for n in m.meta_graphs[0].graph_def.node][1:3] == \
        ["ReadFile", "WriteFile"]

    fn = function_def("__inference_serve_42",
                      [("cb", "PyFunc", ["x"]), ("id", "Identity", ["cb"])])
    m = put("pyfunc_in_function", saved_model(graph_def(
        base + [("call", "StatefulPartitionedCall", ["x"])] + SAVER_NODES,
        functions=[fn])), rules="TFS001")
    lib = m.meta_graphs[0].graph_def.library
    assert lib.function[0].signature.name == "__inference_serve_42"
    assert lib.function[0].node_def[0].op == "PyFunc"

    m = put("loadlibrary", saved_model(graph_def(
        base + [("lib", "LoadLibrary")] + SAVER_NODES)), rules="TFS001")
    assert m.meta_graphs[0].graph_def.node[3].op == "LoadLibrary"

    # legacy Keras: layer JSON in SavedUserObject.metadata
    objs = (fld(1, 2, user_object("_tf_keras_sequential",
                                  {"class_name": "Sequential",
                                   "config": {"layers": [lambda_layer("lam"),
                                                         dense_layer("d")]}})) +
            fld(1, 2, user_object("_tf_keras_layer", lambda_layer("lam"))) +
            fld(1, 2, user_object("_tf_keras_layer", dense_layer("d"))))
    m = put("lambda_object_graph",
            saved_model(graph_def(base + SAVER_NODES), objects=objs),
            rules="KRS001")
    assert json.loads(m.meta_graphs[0].object_graph_def.nodes[1]
                      .user_object.metadata)["class_name"] == "Lambda"

    # TF >= 2.5: keras_metadata.pb beside a benign saved_model.pb
    put("lambda_keras_metadata", saved_model(graph_def(base + SAVER_NODES)))
    m = put("lambda_keras_metadata",
            keras_metadata([("root", "_tf_keras_sequential",
                             {"class_name": "Sequential", "config": {
                                 "layers": [dense_layer("d"),
                                            lambda_layer("lam")]}}),
                            ("root.layer-0", "_tf_keras_layer",
                             dense_layer("d")),
                            ("root.layer-1", "_tf_keras_layer",
                             lambda_layer("lam"))]),
            rules="KRS001", fname="keras_metadata.pb", kind="SavedMetadata",
            variables=False)
    assert m.nodes[2].identifier == "_tf_keras_layer"
    put("keras_metadata_benign",
        keras_metadata([("root", "_tf_keras_sequential",
                         {"class_name": "Sequential",
                          "config": {"layers": [dense_layer("d")]}}),
                        ("root.layer-0", "_tf_keras_layer",
                         dense_layer("d"))]),
        fname="keras_metadata.pb", kind="SavedMetadata", variables=False)
    return rows


def manifest(top, rows, what):
    lines = ["# brine %s fixtures, generated by tools/gen_proto_fixtures.py"
             % what,
             "# python\t%s (%s)" % (sys.version.split()[0], sys.executable),
             "# onnx\t%s" % onnx.__version__,
             "# protobuf\t%s" % google.protobuf.__version__,
             "# rules: findings brinei_*_check reports (\"(dir)\": only when "
             "the model's directory is given)",
             "file\tsha256\tsize\tprobe\trules"]
    for rel, fmt, rules in rows:
        with open(os.path.join(top, rel), "rb") as f:
            data = f.read()
        lines.append("%s\t%s\t%d\t%s\t%s" % (
            rel, hashlib.sha256(data).hexdigest(), len(data), fmt, rules))
    write(os.path.join(top, "MANIFEST.tsv"), ("\n".join(lines) + "\n").encode())


def main():
    manifest(ONNX_DIR, gen_onnx(), "ONNX")
    manifest(SM_DIR, gen_savedmodel(), "TensorFlow SavedModel")


if __name__ == "__main__":
    main()
