#!/usr/bin/python3
"""Write hostile joblib files (tests/data/pickle/joblib/) and tests/joblib.tsv.

joblib writes each numpy array's raw bytes inside the pickle stream, after
the NumpyArrayWrapper's BUILD (B13: scanners that walk the pickle stop at
those bytes); object arrays are a whole second pickle at that point. These
fixtures are made with Debian's python3-joblib and python3-numpy. The
payload object's __reduce__ names posix.system; pickling only records that
name, nothing is ever called or unpickled here.
"""
import io
import os
import sys

import joblib
import numpy as np

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(TOP, "tests", "data", "pickle", "joblib")


class Payload:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def dump(obj):
    b = io.BytesIO()
    joblib.dump(obj, b)
    return b.getvalue()


def main():
    os.makedirs(OUT, exist_ok=True)
    rows = []

    def add(fid, name, data, verdict, rule, what):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        rows.append((fid, name, verdict, rule, what))

    add("B13", "b13_payload_after_array.joblib",
        dump({"a_weights": np.zeros(10), "z_payload": Payload()}), "unsafe",
        "PKL001", "payload after the inline bytes of a float array "
        "(a pickle walk stops at the array bytes)")
    add("B13b", "b13b_payload_in_object_array.joblib",
        dump({"w": np.arange(4.0),
              "objs": np.array([Payload(), 1], dtype=object)}), "unsafe",
        "PKL001", "payload inside an object array: joblib reads it with a "
        "second pickle.load at that point")
    good = dump({"w": np.zeros(4)})
    at = good.index(b"\x8c\x05shape")
    k = good.index(b"K\x04", at)           # BININT1 4: the shape (4,)
    lie = good[:k] + b"K\xff" + good[k + 2:]
    add("B13c", "b13c_array_size_lie.joblib", lie, "error", "PKL013",
        "a wrapper whose shape claims more bytes than the file holds")
    add("J1", "j1_benign_arrays.joblib",
        dump({"a": np.arange(6, dtype=np.int32).reshape(2, 3),
              "b": np.ones(3, dtype=np.float16),
              "s": np.array(["ab", "cde"]), "o": np.array([1, "x"],
                                                          dtype=object)}),
        "safe", "-", "benign control: int, float16, unicode and object "
        "arrays, all read through")
    with open(os.path.join(TOP, "tests", "joblib.tsv"), "w") as f:
        f.write("id\tfixture\tverdict\trule\ttechnique\n")
        for r in rows:
            f.write("\t".join(r) + "\n")


if __name__ == "__main__":
    sys.exit(main())
