#!/usr/bin/python3
"""Machine output checks: `brine scan --format sarif` validates against the
official SARIF 2.1.0 schema and meets GitHub code scanning's rules (a
location on every result, relative URIs, stable ruleIds, fingerprints,
security-severity on rules); `--format json` has the keys of contract.md §6.
"""
import json
import os
import subprocess
import sys

import jsonschema

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def run(brine, fmt, paths):
    out = subprocess.run([brine, "scan", "--format", fmt] + paths,
                         capture_output=True, text=True, cwd=TOP)
    check(out.returncode in (0, 1, 2), "%s: exit %d" % (fmt, out.returncode))
    return json.loads(out.stdout)


def main():
    brine = os.path.abspath(sys.argv[1])
    paths = ["tests/data/pickle/threats", "tests/data/pickle/benign",
             "examples/models"]
    sarif = run(brine, "sarif", paths)
    with open(os.path.join(TOP, "tests/schemas/sarif-schema-2.1.0.json")) as f:
        schema = json.load(f)
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(sarif))
    check(not errors, "SARIF schema: %s" % [e.message for e in errors[:3]])
    run0 = sarif["runs"][0]
    rules = run0["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    check(len(ids) == len(set(ids)), "rule ids unique")
    for r in rules:
        sev = r.get("properties", {}).get("security-severity")
        check(sev is not None and 0.0 <= float(sev) <= 10.0,
              "security-severity on %s" % r["id"])
    check(len(run0["results"]) > 100, "results present")
    for res in run0["results"]:
        check(res["ruleId"] in ids, "ruleId %s known" % res["ruleId"])
        check(ids[res["ruleIndex"]] == res["ruleId"], "ruleIndex matches")
        locs = res.get("locations") or []
        check(len(locs) >= 1, "result has a location")
        uri = locs[0]["physicalLocation"]["artifactLocation"]["uri"]
        check(not uri.startswith("/") and ":" not in uri.split("/")[0],
              "relative URI %s" % uri)
        check(res.get("partialFingerprints", {}).get("brineFingerprint/v1"),
              "fingerprint")
    # the same input gives the same fingerprints
    again = run(brine, "sarif", paths)
    fp = lambda d: [r["partialFingerprints"] for r in d["runs"][0]["results"]]
    check(fp(sarif) == fp(again), "fingerprints stable across runs")

    doc = run(brine, "json", paths)
    check(set(doc) >= {"brine_version", "files", "summary"}, "top keys")
    check(set(doc["summary"]) == {"files", "safe", "unknown", "unsafe",
                                  "error", "unrecognized"}, "summary keys")
    check(doc["summary"]["files"] == len(doc["files"]), "summary count")
    for f in doc["files"]:
        check(set(f) >= {"path", "format", "verdict", "members", "findings"},
              "file keys")
        for x in f["findings"]:
            check(set(x) >= {"rule", "severity", "offset", "member", "global",
                             "use", "message"}, "finding keys")
            check(x["severity"] in ("info", "warning", "error", "critical"),
                  "severity value")
    print("sarif+json: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
