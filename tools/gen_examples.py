#!/usr/bin/python3
"""Write the example models that `make demo` scans (examples/models/).

Benign models are made with the real libraries (Debian's python3-sklearn,
python3-torch, python3-numpy). The poisoned copies are made by editing the
pickle BYTES, the way an attacker does: a GLOBAL posix.system + REDUCE + POP
is spliced in right after the PROTO opcode of a protocol-2 pickle, so the
command would run and the real model would still load. Nothing is ever
unpickled here. examples/expected.tsv lists the verdict each file must get.
Run with Debian's /usr/bin/python3 (scripts/deps --fixtures installs the
libraries).
"""
import base64
import os
import pickle
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(TOP, "examples", "models")
PAYLOAD = b"cposix\nsystem\n(Vecho pwned-by-model\ntR0"


def inject(p2):
    """Splice the payload after PROTO 2 of a protocol-2 pickle."""
    assert p2[:2] == b"\x80\x02", "protocol 2 expected"
    return p2[:2] + PAYLOAD + p2[2:]


def main():
    import numpy as np
    import torch
    from sklearn.datasets import load_digits
    from sklearn.svm import SVC

    os.makedirs(OUT, exist_ok=True)
    rows = []

    def write(name, data, verdict, why):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        rows.append((name, verdict, why))

    digits = load_digits()
    clf = SVC(gamma=0.001, C=100.0, random_state=0)
    clf.fit(digits.data[:200], digits.target[:200])
    svc = pickle.dumps(clf, protocol=2)
    write("digits_svc.pkl", svc, "safe",
          "scikit-learn SVC trained on the digits data set, pickled")
    write("digits_svc_poisoned.pkl", inject(svc), "unsafe",
          "the same model with posix.system spliced in before it")

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(),
                              torch.nn.Linear(3, 2))
    sd = pickle.dumps(net.state_dict(), protocol=2)
    write("tiny_net_state_dict.pkl", sd, "safe",
          "a PyTorch state dict pickled with pickle (tensors, storages)")
    arr = pickle.dumps(np.arange(12, dtype=np.float32).reshape(3, 4),
                       protocol=4)
    write("array.pkl", arr, "safe", "a NumPy array pickled")
    inner = b"\x80\x02" + PAYLOAD[:-1] + b"."
    stage2 = (b"\x80\x02}q\x00X\x07\x00\x00\x00payloadq\x01X" +
              len(base64.b64encode(inner)).to_bytes(4, "little") +
              base64.b64encode(inner) + b"s.")
    write("config_with_base64_payload.pkl", stage2, "unsafe",
          "a dict whose string value is a base64-encoded malicious pickle")
    write("renamed_payload.safetensors", inject(pickle.dumps([1, 2], 2)),
          "unsafe", "a malicious pickle named like a safetensors file")
    write("README.txt", b"These files are examples for `make demo`.\n",
          "unrecognized", "not a model format")

    with open(os.path.join(TOP, "examples", "expected.tsv"), "w") as f:
        f.write("file\tverdict\twhat\n")
        for r in rows:
            f.write("\t".join(r) + "\n")


if __name__ == "__main__":
    sys.exit(main())
