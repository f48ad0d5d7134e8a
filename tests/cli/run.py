#!/usr/bin/python3
"""CLI behaviour: exit codes, streams, messages, options (contract.md §1).

Each case: arguments, expected exit code, and substrings that stdout and
stderr must contain. Fixture files are made in a temporary directory.
Prints "cli: N passed, N failed" last.
"""
import base64
import os
import shutil
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
T = os.path.join(TOP, "tests", "data", "pickle")

EVIL = b"cposix\nsystem\n(Vtouch /tmp/x\ntR."
UNKNOWN_CLASS = b"\x80\x04\x8c\x08mylib.ab\x94\x8c\x05Model\x94\x93\x94)\x81\x94."
SAFE = b"\x80\x04K\x01."


def cases(d):
    evil = os.path.join(d, "evil.pkl")
    unk = os.path.join(d, "unknown.pkl")
    safe = os.path.join(d, "safe.pkl")
    text = os.path.join(d, "notes.txt")
    empty = os.path.join(d, "empty.pkl")
    allow = os.path.join(d, "allow.json")
    badallow = os.path.join(d, "bad.json")
    sub = os.path.join(d, "tree", "deeper")
    os.makedirs(sub)
    for p, b in ((evil, EVIL), (unk, UNKNOWN_CLASS), (safe, SAFE),
                 (text, b"# notes\nnothing here\n"), (empty, b""),
                 (os.path.join(sub, "model.bin"), EVIL)):
        with open(p, "wb") as f:
            f.write(b)
    # a payload nested 9 levels deep, each level a base64 str in a dict
    inner = b"\x80\x02cposix\nsystem\nX\x02\x00\x00\x00id\x85R."
    for _ in range(9):
        b64 = base64.b64encode(inner)
        inner = (b"\x80\x02}X\x01\x00\x00\x00kX" +
                 len(b64).to_bytes(4, "little") + b64 + b"s.")
    deep = os.path.join(d, "deep.pkl")
    with open(deep, "wb") as f:
        f.write(inner)
    links = os.path.join(d, "links")
    os.makedirs(links)
    os.symlink("/etc/passwd", os.path.join(links, "pw"))
    denyallow = os.path.join(d, "deny.json")
    with open(denyallow, "w") as f:
        f.write('[{"global": "posix.system", "use": "call", "reason": "x"}]')
    with open(allow, "w") as f:
        f.write('{"entries": [{"global": "mylib.ab.Model", "use": "construct",'
                ' "reason": "test"}]}')
    with open(badallow, "w") as f:
        f.write('{"entries": [{"global": "os", "use": "call"}]}')
    return [
        # name, args, exit, stdout substrings, stderr substrings
        ("no args", [], 2, [], ["usage: brine"]),
        ("help", ["--help"], 0, ["scan", "inspect", "decompile"], []),
        ("version", ["version"], 0, ["brine 0."], []),
        ("unknown command", ["frobnicate"], 2, [], ["unknown command"]),
        ("scan help", ["scan", "--help"], 0, ["--format", "--strict",
                                              "--allow", "--limit"], []),
        ("inspect help", ["inspect", "--help"], 0, ["--opcodes"], []),
        ("decompile help", ["decompile", "--help"], 0, ["Python-like"], []),
        ("scan no path", ["scan"], 2, [], ["no PATH"]),
        ("scan bad option", ["scan", "--bogus", safe], 2, [], ["usage"]),
        ("scan bad format", ["scan", "-f", "xml", safe], 2, [],
         ["unknown format"]),
        ("scan bad jobs", ["scan", "--jobs", "x", safe], 2, [],
         ["--jobs takes a number"]),
        ("directory on two threads", ["scan", "-j", "2",
                                      os.path.join(d, "tree")], 1,
         ["deeper/model.bin: unsafe"], []),
        ("safe", ["scan", safe], 0, ["safe (pickle)"], []),
        ("unsafe", ["scan", evil], 1,
         ["unsafe", "PKL001", "posix.system('touch /tmp/x')", "@30"], []),
        ("unknown passes", ["scan", unk], 0, ["unknown", "PKL011"], []),
        ("unknown strict", ["scan", "--strict", unk], 1, ["unknown"], []),
        ("allow file", ["scan", "--strict", "--allow", allow, unk], 0,
         ["safe"], []),
        ("allow module-wide refused", ["scan", "--allow", badallow, safe], 2,
         [], ["a module alone"]),
        ("allow missing", ["scan", "--allow", d + "/nope.json", safe], 2, [],
         ["nope.json"]),
        ("text file", ["scan", text], 0, ["unrecognized"], []),
        ("empty file", ["scan", empty], 0, ["unrecognized"], []),
        ("missing file", ["scan", d + "/missing.pkl"], 2,
         ["BRN001", "No such file"], []),
        ("precedence 1 over 2", ["scan", d + "/missing.pkl", evil], 1, [],
         []),
        ("directory walk by content", ["scan", os.path.join(d, "tree")], 1,
         ["deeper/model.bin: unsafe"], []),
        ("limit keeps what was seen", ["scan", "--limit", "pickle_ops=3",
                                       evil], 1, ["PKL014", "PKL002"], []),
        ("limit error", ["scan", "--limit", "pickle_ops=2", safe], 2,
         ["PKL014", "limit pickle_ops"], []),
        ("limit unknown", ["scan", "--limit", "bogus=1", safe], 2, [],
         ["unknown limit"]),
        ("limit not raisable", ["scan", "--limit", "nest_depth=1000", safe],
         2, [], ["ceiling"]),
        ("nested beyond nest_depth is not safe", ["scan", deep], 2,
         ["PKL014", "limit nest_depth"], []),
        ("nested within raised limits is unsafe", ["scan", "--limit",
         "nest_depth=8", "--limit", "nest_depth=8", deep], 2, [], []),
        ("nest_bytes too small is not safe", ["scan", "--limit",
         "nest_bytes=100", deep], 2, ["limit nest_bytes"], []),
        ("deny list beats --allow", ["scan", "--allow", denyallow, evil], 2,
         [], ["is on the deny list"]),
        ("limit raised to its ceiling", ["scan", "--limit",
         "pickle_marks=100000", safe], 0, ["safe"], []),
        ("tuple_keep too low is inconclusive", ["scan", "--limit",
         "tuple_keep=1", os.path.join(T, "benign", "torch",
                                      "tensor_p4.pkl")], 2,
         ["PKL014", "tuple_keep"], []),
        ("symlink reported, not followed", ["scan", links], 0,
         ["BRN002", "not followed"], []),
        ("json", ["scan", "-f", "json", evil], 1,
         ['"verdict": "unsafe"', '"rule": "PKL001"', '"global": "posix.system"',
          '"use": "call"'], []),
        ("sarif", ["scan", "--format", "sarif", evil], 1,
         ['"version": "2.1.0"', '"ruleId": "PKL001"'], []),
        # an absolute path outside the working directory: still relative
        ("sarif uri relative", ["scan", "--format", "sarif", evil], 1,
         ['"uri": "../'], []),
        ("inspect", ["inspect", evil], 0, ["posix.system", "call",
                                           "DENY LIST"], []),
        ("inspect json", ["inspect", "-f", "json", evil], 0,
         ['"global": "posix.system"', '"calls"', '"opcode_counts"'], []),
        ("inspect opcodes", ["inspect", "--opcodes", evil], 0,
         ["GLOBAL", "REDUCE", "STOP"], []),
        ("inspect sklearn version", ["inspect", os.path.join(
            T, "benign", "sklearn", "logreg_p4.pkl")], 0,
         ["scikit-learn 1.2.1"], []),
        ("decompile", ["decompile", evil], 0,
         ["import posix", "posix.system('touch /tmp/x')", "result =",
          "!globals (", "!opcodes:"],
         []),
        ("decompile missing", ["decompile", d + "/missing.pkl"], 2, [],
         ["missing.pkl"]),
    ]


def main():
    brine = os.path.abspath(sys.argv[1])
    d = tempfile.mkdtemp()
    passed = failed = 0
    try:
        for name, args, code, outs, errs in cases(d):
            p = subprocess.run([brine] + args, capture_output=True, text=True)
            bad = []
            if p.returncode != code:
                bad.append("exit %d, expected %d" % (p.returncode, code))
            bad += ["stdout lacks %r" % s for s in outs
                    if not s.startswith("!") and s not in p.stdout]
            bad += ["stdout has %r" % s[1:] for s in outs
                    if s.startswith("!") and s[1:] in p.stdout]
            bad += ["stderr lacks %r" % s for s in errs if s not in p.stderr]
            # a leading "!" in outs means stdout must NOT contain the rest
            if bad:
                failed += 1
                print("FAIL %s: %s" % (name, "; ".join(bad)))
                print("  stdout:", p.stdout[:600])
                print("  stderr:", p.stderr[:600])
            else:
                passed += 1
    finally:
        shutil.rmtree(d)
    print("cli: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
