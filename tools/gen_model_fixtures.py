#!/usr/bin/python3
"""Fixtures for the npy, Keras (.h5, .keras) and skops readers.

Run with Debian's /usr/bin/python3 (python3-numpy, python3-h5py); writes
tests/data/npy/, tests/data/keras/, tests/data/skops/ and the fuzz seeds
fuzz/corpus/fuzz_{npy,keras,skops}/. Nothing here loads a model: the
hostile files are byte layouts and JSON shapes (reference/formats.md §A7,
§A8, §A9, §A14, §D1, §D2). Deterministic: re-running gives the same bytes
(zip members carry a fixed date; HDF5 objects are written without times).
"""
import base64
import io
import json
import marshal
import os
import struct
import zipfile

import h5py
import numpy as np

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NPY = os.path.join(TOP, "tests", "data", "npy")
KERAS = os.path.join(TOP, "tests", "data", "keras")
SKOPS = os.path.join(TOP, "tests", "data", "skops")
CORPUS = os.path.join(TOP, "fuzz", "corpus")


def zput(z, name, data):
    """writestr with a fixed timestamp, so the bytes do not change."""
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = z.compression
    z.writestr(info, data)


def out(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


# ---------------------------------------------------------------- npy

def npy_bytes(arr, version=None, allow_pickle=False):
    b = io.BytesIO()
    np.lib.format.write_array(b, arr, version=version,
                              allow_pickle=allow_pickle)
    return b.getvalue()


def raw_npy(header, version=(1, 0), data=b"", pad=True):
    """A .npy with a hand-written header text (str or bytes)."""
    h = header.encode("latin1") if isinstance(header, str) else header
    if pad:
        lenfield = 2 if version == (1, 0) else 4
        total = 6 + 2 + lenfield + len(h) + 1
        h = h + b" " * ((-total) % 64) + b"\n"
    fmt = "<H" if version == (1, 0) else "<I"
    return (b"\x93NUMPY" + bytes(version) + struct.pack(fmt, len(h)) + h +
            data)


def gen_npy():
    good = {
        "f4.npy": npy_bytes(np.arange(5, dtype="<f4")),
        "i8_2d.npy": npy_bytes(np.arange(6, dtype="<i8").reshape(2, 3)),
        "bool.npy": npy_bytes(np.array([True, False, True])),
        "unicode.npy": npy_bytes(np.array(["ab", "cdefg"], dtype="<U5")),
        "bytes.npy": npy_bytes(np.array([b"ab", b"cde"], dtype="|S5")),
        "datetime.npy": npy_bytes(np.array(["2024-01-01"],
                                           dtype="<M8[ns]")),
        "scalar.npy": npy_bytes(np.float64(2.5)),
        "empty.npy": npy_bytes(np.zeros((0, 3), dtype=">i2")),
        "fortran.npy": npy_bytes(np.asfortranarray(
            np.arange(6, dtype="<f8").reshape(2, 3))),
        "structured.npy": npy_bytes(np.zeros(
            2, dtype=[("a", "<i4"), ("b", "<f8", (2,))])),
        "nested.npy": npy_bytes(np.zeros(
            1, dtype=[("p", [("x", "<f4"), ("y", "<f4")]), ("n", "|u1")])),
        "v2.npy": npy_bytes(np.arange(3, dtype="<i4"), version=(2, 0)),
        "v3.npy": npy_bytes(np.zeros(2, dtype=[("\u00e9t\u00e9", "<i2")]),
                            version=(3, 0)),
        "object.npy": npy_bytes(np.array([{"a": 1}, None], dtype=object),
                                allow_pickle=True),
        "struct_object.npy": npy_bytes(np.zeros(
            1, dtype=[("n", "<i4"), ("o", "O")]), allow_pickle=True),
    }
    base = "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }"
    data = b"\0" * 20
    bad = {
        "h_overflow.npy": raw_npy("{'descr': '<f8', 'fortran_order': False,"
                                  " 'shape': (4294967296, 4294967296), }"),
        "h_badkey.npy": raw_npy("{'desc': '<f4', 'fortran_order': False, "
                                "'shape': (5,), }", data=data),
        "h_extrakey.npy": raw_npy("{'descr': '<f4', 'fortran_order': False,"
                                  " 'shape': (5,), 'x': 1, }", data=data),
        "h_dupkey.npy": raw_npy("{'descr': '<f4', 'descr': '<f4', "
                                "'fortran_order': False, 'shape': (5,)}",
                                data=data),
        "h_nonl.npy": raw_npy(base + "    ", pad=False) + data,
        "h_hlen_past.npy": b"\x93NUMPY\x01\x00" + struct.pack("<H", 5000) +
                           (base + "\n").encode(),
        "h_v1_big.npy": raw_npy("{'descr': '<f4', 'fortran_order': False, "
                                "'shape': (5,), }" + " " * 10050),
        "h_eval.npy": raw_npy("{'descr': __import__('os').system('id'), "
                              "'fortran_order': False, 'shape': (5,), }"),
        "h_negdim.npy": raw_npy("{'descr': '<f4', 'fortran_order': False, "
                                "'shape': (-1,), }"),
        "h_notuple.npy": raw_npy("{'descr': '<f4', 'fortran_order': False, "
                                 "'shape': (5), }", data=data),
        "h_badver.npy": b"\x93NUMPY\x04\x00" + raw_npy(base)[8:],
        "h_baddescr.npy": raw_npy("{'descr': 'float32', 'fortran_order': "
                                  "False, 'shape': (5,), }", data=data),
        "h_truncated.npy": b"\x93NUMPY\x01",
    }
    for name, b in {**good, **bad}.items():
        out(os.path.join(NPY, name), b)
        out(os.path.join(CORPUS, "fuzz_npy", name), b)
    # Python 2 style long and a 1 MiB-bounded v2 header, seeds only
    out(os.path.join(CORPUS, "fuzz_npy", "py2_long.npy"),
        raw_npy("{'descr': '<i2', 'fortran_order': False, 'shape': (3L,), }",
                data=b"\0" * 6))


# ---------------------------------------------------------------- keras

CODE = base64.b64encode(marshal.dumps((lambda x: x + 1).__code__)).decode()


def k3(module, cls, config, **extra):
    node = {"module": module, "class_name": cls, "config": config,
            "registered_name": None}
    node.update(extra)
    return node


def k3_dtype():
    return k3("keras", "DTypePolicy", {"name": "float32"})


def k3_init(cls):
    return k3("keras.initializers", cls, {"seed": None} if "Glorot" in cls
              else {})


def k3_input(shape):
    return k3("keras.layers", "InputLayer",
              {"batch_shape": [None] + shape, "dtype": "float32",
               "sparse": False, "name": "input_layer"})


def k3_dense(name, units, act):
    return k3("keras.layers", "Dense",
              {"name": name, "trainable": True, "dtype": k3_dtype(),
               "units": units, "activation": act, "use_bias": True,
               "kernel_initializer": k3_init("GlorotUniform"),
               "bias_initializer": k3_init("Zeros"),
               "kernel_regularizer": None, "bias_regularizer": None,
               "kernel_constraint": None, "bias_constraint": None},
              build_config={"input_shape": [None, 8]})


def k3_sequential(layers):
    return k3("keras", "Sequential",
              {"name": "sequential", "trainable": True, "dtype": k3_dtype(),
               "layers": layers},
              build_config={"input_shape": [None, 28, 28, 1]},
              compile_config={
                  "optimizer": k3("keras.optimizers", "Adam",
                                  {"name": "adam", "learning_rate": 0.001}),
                  "loss": "sparse_categorical_crossentropy",
                  "loss_weights": None, "metrics": ["accuracy"],
                  "weighted_metrics": None, "run_eagerly": False,
                  "steps_per_execution": 1, "jit_compile": False})


def keras3_benign():
    conv = k3("keras.layers", "Conv2D",
              {"name": "conv2d", "trainable": True, "dtype": k3_dtype(),
               "filters": 4, "kernel_size": [3, 3], "strides": [1, 1],
               "padding": "valid", "data_format": "channels_last",
               "dilation_rate": [1, 1], "groups": 1, "activation": "relu",
               "use_bias": True,
               "kernel_initializer": k3_init("GlorotUniform"),
               "bias_initializer": k3_init("Zeros"),
               "kernel_regularizer": None, "bias_regularizer": None,
               "activity_regularizer": None, "kernel_constraint": None,
               "bias_constraint": None})
    bn = k3("keras.layers", "BatchNormalization",
            {"name": "batch_normalization", "trainable": True,
             "dtype": k3_dtype(), "axis": -1, "momentum": 0.99,
             "epsilon": 0.001, "center": True, "scale": True,
             "beta_initializer": k3_init("Zeros"),
             "gamma_initializer": k3_init("Ones"),
             "moving_mean_initializer": k3_init("Zeros"),
             "moving_variance_initializer": k3_init("Ones")})
    return k3_sequential([
        k3_input([28, 28, 1]), conv, bn,
        k3("keras.layers", "Flatten", {"name": "flatten",
                                       "data_format": "channels_last"}),
        k3("keras.layers", "Dropout", {"name": "dropout", "rate": 0.5,
                                       "seed": None}),
        k3_dense("dense", 10, "softmax")])


def keras3_functional():
    kt = {"class_name": "__keras_tensor__",
          "config": {"shape": [None, 4], "dtype": "float32",
                     "keras_history": ["input_layer", 0, 0]}}
    inp = k3_input([4])
    inp["name"] = "input_layer"
    inp["inbound_nodes"] = []
    dense = k3_dense("dense", 2, "linear")
    dense["name"] = "dense"
    dense["inbound_nodes"] = [{"args": [kt], "kwargs": {}}]
    return {"module": "keras.src.models.functional",
            "class_name": "Functional",
            "config": {"name": "functional", "trainable": True,
                       "layers": [inp, dense],
                       "input_layers": [["input_layer", 0, 0]],
                       "output_layers": [["dense", 0, 0]]},
            "registered_name": "Functional"}


def lambda_layer(function, **arguments):
    return k3("keras.layers", "Lambda",
              {"name": "lambda", "trainable": True, "dtype": k3_dtype(),
               "function": function, "arguments": arguments})


def kfn(module, name, registered=None):
    return {"module": module, "class_name": "function", "config": name,
            "registered_name": registered}


def keras3_configs():
    lam = {"class_name": "__lambda__",
           "config": {"code": CODE, "defaults": None, "closure": None}}
    return {
        "benign": keras3_benign(),
        "functional": keras3_functional(),
        "lambda": k3_sequential([k3_input([2]), lambda_layer(lam)]),
        # JFrog's CVE-2025-1550 shape: functions from any module
        "cve_2025_1550": k3_sequential([k3_input([2]), lambda_layer(
            kfn("heapq", "nlargest"), n=1, key=kfn("os", "system"),
            iterable=["id"])]),
        # huntr's variant: builtins.exec through a "function" node
        "builtins_exec": k3_sequential([k3_input([2]), k3(
            "keras.layers", "Activation",
            {"name": "act", "activation": kfn("builtins", "exec")})]),
        # CVE-2025-9906: safe mode switched off, then a __lambda__
        "cve_2025_9906": k3_sequential([
            k3_input([2]),
            lambda_layer(kfn("keras.config", "enable_unsafe_deserialization",
                             "enable_unsafe_deserialization")),
            lambda_layer(lam)]),
        # io-no CVE-Reports#5: load_model(safe_mode=False) as a Lambda
        "load_model": k3_sequential([k3_input([2]), lambda_layer(
            kfn("keras.models", "load_model", "load_model"),
            filepath="/tmp/inner.keras", safe_mode=False)]),
        "custom_registered": k3_sequential([
            k3_input([2]),
            {"module": None, "class_name": "MyLayer",
             "config": {"name": "mine"}, "registered_name": "MyPkg>MyLayer"}]),
        "custom_module": k3_sequential([
            k3_input([2]),
            {"module": "my_pkg.layers", "class_name": "MyLayer",
             "config": {"name": "mine"}, "registered_name": "MyPkg>MyLayer"}]),
    }


def tfk2(cls, config):
    return {"class_name": cls, "config": config}


def tfkeras2_benign():
    """A tf.keras 2.x model_config as legacy H5 stores it (no modules)."""
    return {"class_name": "Sequential", "config": {
        "name": "sequential", "layers": [
            tfk2("InputLayer", {"batch_input_shape": [None, 4],
                                "dtype": "float32", "sparse": False,
                                "ragged": False, "name": "dense_input"}),
            tfk2("Dense", {"name": "dense", "trainable": True,
                           "dtype": "float32", "units": 8,
                           "activation": "relu", "use_bias": True,
                           "kernel_initializer": tfk2("GlorotUniform",
                                                      {"seed": None}),
                           "bias_initializer": tfk2("Zeros", {}),
                           "kernel_regularizer": tfk2("L2", {"l2": 0.01}),
                           "bias_regularizer": None,
                           "activity_regularizer": None,
                           "kernel_constraint": None,
                           "bias_constraint": None}),
            tfk2("BatchNormalization", {"name": "bn", "axis": [1],
                                        "momentum": 0.99}),
            tfk2("Dropout", {"name": "dropout", "rate": 0.2,
                             "noise_shape": None, "seed": None}),
            tfk2("Dense", {"name": "out", "units": 1,
                           "activation": "sigmoid"})]},
        "keras_version": "2.12.0", "backend": "tensorflow"}


TRAINING = {"loss": "binary_crossentropy",
            "metrics": [[tfk2("MeanMetricWrapper",
                              {"name": "accuracy", "dtype": "float32",
                               "fn": "binary_accuracy"})]],
            "weighted_metrics": None, "loss_weights": None,
            "optimizer_config": tfk2("Custom>Adam",
                                     {"name": "Adam", "learning_rate": 0.001,
                                      "is_legacy_optimizer": False})}


def tfkeras2_lambda():
    # formats.md §D1: the tf.keras 2 func_dump list form
    return {"class_name": "Sequential", "config": {"name": "seq", "layers": [
        tfk2("InputLayer", {"batch_input_shape": [None, 2],
                            "dtype": "float32", "name": "in"}),
        tfk2("Lambda", {"name": "lam", "trainable": True,
                        "dtype": "float32", "function": [CODE, None, None],
                        "function_type": "lambda", "module": "__main__",
                        "output_shape": None, "output_shape_type": "raw",
                        "output_shape_module": None, "arguments": {}})]}}


def tfkeras2_custom_module():
    return {"class_name": "Sequential", "config": {"name": "seq", "layers": [
        tfk2("Activation", {"name": "act", "activation": {
            "module": "subprocess", "class_name": "function",
            "config": "getoutput", "registered_name": None}})]}}


def h5_file(path, model_config, training_config=None, fixed=False):
    with h5py.File(path, "w", track_order=False) as f:
        if model_config is not None:
            text = json.dumps(model_config)
            f.attrs["model_config"] = (np.bytes_(text.encode()) if fixed
                                       else text)
        if training_config is not None:
            f.attrs["training_config"] = json.dumps(training_config)
        f.attrs["keras_version"] = "2.12.0"
        f.attrs["backend"] = "tensorflow"
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = np.array([b"dense"])
        g.create_dataset("dense/kernel", data=np.ones((2, 2), "<f4"),
                         track_times=False)


def keras_zip(path, config, weights=None):
    with zipfile.ZipFile(path, "w") as z:
        zput(z, "metadata.json", json.dumps(
            {"keras_version": "3.6.0", "date_saved": "2024-01-01@00:00:00"}))
        zput(z, "config.json", json.dumps(config))
        if weights is not None:
            zput(z, "model.weights.h5", weights)


def gen_keras():
    os.makedirs(KERAS, exist_ok=True)
    h5_file(os.path.join(KERAS, "benign_seq.h5"), tfkeras2_benign(),
            TRAINING)
    h5_file(os.path.join(KERAS, "lambda_tfkeras.h5"), tfkeras2_lambda())
    h5_file(os.path.join(KERAS, "custom_module.h5"),
            tfkeras2_custom_module())
    h5_file(os.path.join(KERAS, "fixed_str.h5"), tfkeras2_benign(),
            fixed=True)
    with h5py.File(os.path.join(KERAS, "no_config.h5"), "w") as f:
        f.create_dataset("x", data=np.arange(4, dtype="<i4"),
                         track_times=False)
    with open(os.path.join(KERAS, "benign_seq.h5"), "rb") as f:
        whole = f.read()
    out(os.path.join(KERAS, "truncated.h5"), whole[:1024])
    weights = io.BytesIO()
    with h5py.File(weights, "w") as f:
        f.create_group("layers").create_dataset(
            "dense/vars/0", data=np.ones((2, 2), "<f4"), track_times=False)
    for name, cfg in keras3_configs().items():
        keras_zip(os.path.join(KERAS, name + ".keras"), cfg,
                  weights.getvalue() if name == "benign" else None)
        out(os.path.join(CORPUS, "fuzz_keras", name + ".json"),
            json.dumps(cfg).encode())
    for name, cfg in [("tfk2_benign", tfkeras2_benign()),
                      ("tfk2_lambda", tfkeras2_lambda()),
                      ("tfk2_custom_module", tfkeras2_custom_module()),
                      ("tfk2_training", TRAINING)]:
        out(os.path.join(CORPUS, "fuzz_keras", name + ".json"),
            json.dumps(cfg).encode())


# ---------------------------------------------------------------- skops

def sk(cls, mod, loader, **rest):
    node = {"__class__": cls, "__module__": mod, "__loader__": loader}
    node.update(rest)
    return node


def sk_json(value):
    return sk("str", "builtins", "JsonNode", content=json.dumps(value),
              is_json=True)


def sk_array(fname):
    return sk("ndarray", "numpy", "NdArrayNode", type="numpy", file=fname)


def sk_dict(content):
    return sk("dict", "builtins", "DictNode", content=content,
              key_types=sk("list", "builtins", "ListNode", content=[
                  sk("str", "builtins", "TypeNode") for _ in content]))


def sk_top(node):
    node = dict(node)
    node.update({"protocol": 2, "_skops_version": "0.10.0", "__id__": 0})
    return node


def skops_schemas():
    attrs = {"C": sk_json(1.0), "penalty": sk_json("l2"),
             "classes_": sk_array("0.npy"), "coef_": sk_array("1.npy"),
             "n_iter_": sk_array("2.npy"),
             "random_state": sk("RandomState", "numpy.random.mtrand",
                                "RandomStateNode", content=sk_dict({})),
             "dtype": sk("dtype", "numpy", "DTypeNode",
                         content=sk_array("0.npy"))}
    benign = sk_top(sk("LogisticRegression", "sklearn.linear_model._logistic",
                       "ObjectNode", content=sk_dict(attrs)))
    return {
        "benign": (benign, ["0.npy", "1.npy", "2.npy"]),
        "os_system": (sk_top(sk("FunctionTransformer",
                                "sklearn.preprocessing._function_transformer",
                                "ObjectNode", content=sk_dict({
                                    "func": sk("system", "os",
                                               "FunctionNode")}))), []),
        "builtins_eval": (sk_top(sk("eval", "builtins", "FunctionNode")), []),
        "untrusted": (sk_top(sk("MyEstimator", "mypkg.models", "ObjectNode",
                                content=sk_dict({"a": sk_json(1)}))), []),
        "missing_npy": (benign, ["0.npy", "1.npy"]),
        "method": (sk_top(sk("Popen", "subprocess", "MethodNode", content={
            "func": "communicate",
            "obj": sk("Popen", "subprocess", "ObjectNode")})), []),
        "operator": (sk_top(sk("attrgetter", "operator", "OperatorFuncNode",
                               attrs=sk("tuple", "builtins", "TupleNode",
                                        content=[sk_json("x")]))), []),
    }


def gen_skops():
    arrays = [np.array([0, 1]), np.zeros((1, 2)), np.array([5], "<i4")]
    for name, (schema, members) in skops_schemas().items():
        path = os.path.join(SKOPS, name + ".skops")
        os.makedirs(SKOPS, exist_ok=True)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
            zput(z, "schema.json", json.dumps(schema, indent=2))
            for i, m in enumerate(members):
                zput(z, m, npy_bytes(arrays[i]))
        out(os.path.join(CORPUS, "fuzz_skops", name + ".json"),
            json.dumps(schema).encode())


if __name__ == "__main__":
    gen_npy()
    gen_keras()
    gen_skops()
