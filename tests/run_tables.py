#!/usr/bin/python3
"""Data-driven verdict tests.

  run_tables.py threats BRINE   every row of tests/threats.tsv: the fixture's
                                verdict and, unless '-', that the named rule
                                is among its findings
  run_tables.py benign BRINE    every row of tests/benign.tsv: the verdict
  run_tables.py joblib BRINE    tests/joblib.tsv (as threats): joblib's inline
                                array bytes and object-array pickles
  run_tables.py formats BRINE   tests/formats.tsv: every container and format
                                (fixtures in tests/data/formats/); also checks
                                the `format` column, '-' for a directory,
                                whose verdict is the worst of its files

tests/TABLE.xfail lists rows expected to fail for now (fixture, reason). The
list may only shrink: a listed row that passes is a failure too.

The fixtures are scanned in one brine invocation (--format json); each row is
one test. Prints "NAME: N passed, N failed" last and exits 1 on any failure.
"""
import csv
import json
import os
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_rows(table):
    path = os.path.join(TOP, "tests", table + ".tsv")
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t")
                if r and not next(iter(r.values()), "").startswith("#")]
    return rows


def scan(brine, paths):
    out = subprocess.run([brine, "scan", "--format", "json"] + paths,
                         capture_output=True, text=True)
    if out.returncode not in (0, 1, 2):
        sys.exit("brine scan crashed (exit %d): %s" % (out.returncode,
                                                      out.stderr[-2000:]))
    doc = json.loads(out.stdout)
    return {f["path"]: f for f in doc["files"]}


def main():
    table, brine = sys.argv[1], sys.argv[2]
    base = os.path.join(TOP, "tests", "data", "pickle", table)
    if table == "formats":
        base = os.path.join(TOP, "tests", "data", "formats")
    rows = load_rows(table)
    paths = [os.path.join(base, r["fixture"]) for r in rows]
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        sys.exit("missing fixtures: %s" % missing[:5])
    results = scan(brine, paths)
    order = ["unrecognized", "safe", "unknown", "error", "unsafe"]
    for p in paths:
        if os.path.isdir(p):
            files = [f for k, f in results.items() if k.startswith(p + "/")]
            if files:
                results[p] = {
                    "format": "-",
                    "verdict": max((f["verdict"] for f in files),
                                   key=order.index),
                    "findings": [x for f in files for x in f["findings"]]}
    xfail = {}
    xpath = os.path.join(TOP, "tests", table + ".xfail")
    if os.path.exists(xpath):
        with open(xpath) as f:
            for line in f:
                if line.strip() and not line.startswith("#"):
                    fx, _, why = line.rstrip("\n").partition("\t")
                    xfail[fx] = why
    passed = failed = xfailed = 0
    for r, p in zip(rows, paths):
        got = results.get(p)
        problems = []
        if got is None:
            problems.append("no report")
        else:
            if got["verdict"] != r["verdict"]:
                problems.append("verdict %s, expected %s" % (got["verdict"],
                                                            r["verdict"]))
            fmt = r.get("format")
            if fmt and fmt != got["format"]:
                problems.append("format %s, expected %s" % (got["format"],
                                                           fmt))
            rule = r.get("rule", "-") or "-"
            if rule != "-" and rule not in {x["rule"] for x in got["findings"]}:
                problems.append("rule %s not among %s" % (
                    rule, sorted({x["rule"] for x in got["findings"]})))
        if r["fixture"] in xfail:
            if problems:
                xfailed += 1
                continue
            problems = ["passes but is listed in %s.xfail: remove it" % table]
        if problems:
            failed += 1
            print("FAIL %s (%s): %s" % (r["fixture"], r.get("id", ""),
                                        "; ".join(problems)))
            for x in (got or {}).get("findings", [])[:4]:
                print("     %s %s" % (x["rule"], x["message"][:160]))
        else:
            passed += 1
    if xfailed:
        print("%d expected failures (%s.xfail)" % (xfailed, table))
    print("%s: %d passed, %d failed" % (table, passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
