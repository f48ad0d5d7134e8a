#!/usr/bin/python3
"""Allowlist rules (contract.md §4, docs/allowlists.md):

- no entry names a whole module, uses a wildcard or has a dunder component;
- every `call` entry has a reason;
- no allowed name is on the picklescan/fickling/modelscan deny lists
  (allowlists/denylist.json), except the recorded, reasoned exceptions;
- callables that call or construct one of their arguments carry an
  `allowed` or `global` constraint on that argument;
- every global the benign fixtures use resolves to an entry;
- brine itself refuses malformed entries given with --allow.
Prints "allowlists: N passed, N failed" last.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
passed = failed = 0

# Callables known to call or construct one of their own arguments.
ARG_CALLERS = {
    "copyreg._reconstructor", "functools.partial",
    "torch._tensor._rebuild_from_type_v2",
    "pandas.core.indexes.base._new_Index",
    "pandas._libs.arrays.__pyx_unpickle_NDArrayBacked",
    "numpy.random._pickle.__generator_ctor",
    "numpy.random._pickle.__randomstate_ctor",
    "numpy.core.multiarray._reconstruct",
    "collections.defaultdict",
}


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def is_dunder(c):
    return len(c) > 4 and c.startswith("__") and c.endswith("__")


def main():
    brine = os.path.abspath(sys.argv[1])
    deny = json.load(open(os.path.join(TOP, "allowlists", "denylist.json")))
    deny_set = set(deny["modules"]) | set(deny["names"])
    exceptions = {e["global"]: e for e in deny.get("exceptions", [])}
    for g, e in exceptions.items():
        check(e.get("reason"), "deny exception %s has a reason" % g)
    entries = []
    for path in sorted(glob.glob(os.path.join(TOP, "allowlists", "*.json"))):
        if path.endswith("denylist.json"):
            continue
        doc = json.load(open(path))
        for e in doc["entries"]:
            entries.append((os.path.basename(path), e))
    check(len(entries) > 500, "profiles hold entries (%d)" % len(entries))
    allowed = {}
    for prof, e in entries:
        g = e["global"]
        parts = g.split(".")
        check(len(parts) >= 2 and all(parts), "%s: %s names a module.name"
              % (prof, g))
        check("*" not in g, "%s: %s has no wildcard" % (prof, g))
        check(not any(is_dunder(p) for p in parts),
              "%s: %s has no dunder component" % (prof, g))
        check(e["use"] in ("reference", "construct", "call"),
              "%s: %s use" % (prof, g))
        if e["use"] == "call":
            check(bool(e.get("reason")), "%s: %s (call) has a reason"
                  % (prof, g))
        runs = {".".join(parts[i:j]) for i in range(len(parts))
                for j in range(i + 1, len(parts) + 1)}
        hit = runs & deny_set
        check(not hit or g in exceptions,
              "%s: %s is on the deny list via %s" % (prof, g, sorted(hit)))
        if g in ARG_CALLERS:
            cons = e.get("args", {})
            check(any(isinstance(v, dict) and ("allowed" in v or "global" in v)
                      for k, v in cons.items() if k != "count"),
                  "%s: %s calls an argument: needs an allowed/global "
                  "constraint" % (prof, g))
        allowed[g] = e["use"]
    for g in exceptions:
        check(g.split(".")[0] not in (
            "os", "posix", "nt", "subprocess", "sys", "runpy", "pty", "socket",
            "shutil", "pickle", "_pickle", "marshal", "importlib", "ctypes",
            "operator", "functools", "pydoc", "pkgutil", "code", "codeop",
            "inspect"), "deny exception %s is not in a forbidden module" % g)

    # every global of the benign fixtures resolves
    files = sorted(glob.glob(os.path.join(TOP, "tests", "data", "pickle",
                                          "benign", "**", "*.pkl"),
                             recursive=True))
    out = subprocess.run([brine, "inspect", "--format", "json"] + files,
                         capture_output=True, text=True)
    check(out.returncode == 0, "inspect benign fixtures")
    dec = json.JSONDecoder()
    s, i, seen = out.stdout, 0, set()
    while i < len(s):
        while i < len(s) and s[i].isspace():
            i += 1
        if i >= len(s):
            break
        doc, i = dec.raw_decode(s, i)
        for g in doc["globals"]:
            seen.add(g["global"])
            check(g["allowed"] != "none", "benign global %s in %s resolves"
                  % (g["global"], doc["path"]))
    check(len(seen) > 50, "benign fixtures name many globals (%d)" % len(seen))

    # brine refuses malformed entries
    bad = {
        "module-wide": {"global": "numpy", "use": "reference"},
        "wildcard": {"global": "numpy.*", "use": "reference"},
        "dunder": {"global": "builtins.object.__subclasses__",
                   "use": "call", "reason": "x"},
        "call without reason": {"global": "mylib.f", "use": "call"},
        "unknown key": {"global": "mylib.f", "use": "reference",
                        "usage": "call"},
        "bad use": {"global": "mylib.f", "use": "execute"},
        "bad constraint": {"global": "mylib.f", "use": "call", "reason": "x",
                           "args": {"0": {"kind": "str"}}},
    }
    with tempfile.TemporaryDirectory() as d:
        safe = os.path.join(d, "s.pkl")
        open(safe, "wb").write(b"K\x01.")
        for name, ent in bad.items():
            p = os.path.join(d, "a.json")
            json.dump({"entries": [ent]}, open(p, "w"))
            r = subprocess.run([brine, "scan", "--allow", p, safe],
                               capture_output=True, text=True)
            check(r.returncode == 2 and "--allow" in r.stderr,
                  "--allow refuses %s (exit %d: %s)" % (name, r.returncode,
                                                        r.stderr.strip()))
        p = os.path.join(d, "dup.json")
        open(p, "w").write('{"entries": [{"global": "a.b", "use": '
                           '"reference", "use": "call"}]}')
        r = subprocess.run([brine, "scan", "--allow", p, safe],
                           capture_output=True, text=True)
        check(r.returncode == 2 and "duplicate" in r.stderr,
              "--allow refuses duplicate keys (%s)" % r.stderr.strip())
    print("allowlists: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
