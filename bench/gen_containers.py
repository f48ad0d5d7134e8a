#!/usr/bin/python3
"""Inputs for the container benchmarks (bench/run.sh), into DIR:

  torch4g.pt   a torch.save zip checkpoint of 4 GiB: 64 float32 tensors of
               64 MiB each (real torch writer: data.pkl, data/N, version)
  small1000/   1,000 small model files of mixed formats, copied from the
               committed fixtures (pickle, joblib, torch zip and legacy,
               npy, npz, compressed wrappers, tar, safetensors, GGUF, ONNX)

Only fixtures that scan clean (safe, unknown or unrecognized) are used, so
the figure measures a passing scan. Usage:
  gen_containers.py DIR BRINE [torch|small]...
"""
import json
import os
import shutil
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def torch4g(path):
    import collections
    import torch
    sd = collections.OrderedDict()
    for i in range(64):
        sd["layer%02d.weight" % i] = torch.zeros(4096, 4096)
    tmp = path + ".tmp"
    torch.save(sd, tmp)
    os.rename(tmp, path)


def small1000(path, brine):
    pool = []
    for sub in ("pickle/benign", "formats", "compress", "safetensors",
                "gguf", "onnx", "npy", "zip"):
        d = os.path.join(TOP, "tests", "data", sub)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            p = os.path.join(d, name)
            if os.path.isfile(p) and not os.path.islink(p) and \
                    os.path.getsize(p) < 64 * 1024:
                pool.append(p)
    out = subprocess.run([brine, "scan", "--format", "json"] + pool,
                         capture_output=True, text=True)
    ok = {f["path"] for f in json.loads(out.stdout)["files"]
          if f["verdict"] in ("safe", "unknown", "unrecognized")}
    pool = [p for p in pool if p in ok]
    if not pool:
        sys.exit("no fixtures found")
    tmp = path + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    for i in range(1000):
        src = pool[i % len(pool)]
        shutil.copyfile(src, os.path.join(tmp, "%04d_%s" % (
            i, os.path.basename(src))))
    shutil.rmtree(path, ignore_errors=True)
    os.rename(tmp, path)


def main():
    out, brine = sys.argv[1], sys.argv[2]
    what = sys.argv[3:] or ["torch", "small"]
    os.makedirs(out, exist_ok=True)
    if "torch" in what and not os.path.exists(os.path.join(out, "torch4g.pt")):
        torch4g(os.path.join(out, "torch4g.pt"))
    if "small" in what:
        small1000(os.path.join(out, "small1000"), brine)


if __name__ == "__main__":
    main()
