#!/bin/sh
# `make demo`: scan the bundled example models and check every verdict
# against examples/expected.tsv. Exit 0 only when all are as expected.
set -u
BRINE=${1:-build/brine}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
echo "brine demo: scanning examples/models/ (nothing in them is executed)"
echo
"$BRINE" scan examples/models
echo
exec /usr/bin/python3 - "$BRINE" <<'PY'
import csv, json, subprocess, sys
brine = sys.argv[1]
rows = list(csv.DictReader(open("examples/expected.tsv"), delimiter="\t"))
out = subprocess.run([brine, "scan", "--format", "json", "examples/models"],
                     capture_output=True, text=True)
got = {f["path"].split("/")[-1]: f["verdict"]
       for f in json.loads(out.stdout)["files"]}
ok = bad = 0
for r in rows:
    v = got.get(r["file"], "missing")
    mark = "ok " if v == r["verdict"] else "BAD"
    ok, bad = (ok + 1, bad) if v == r["verdict"] else (ok, bad + 1)
    print("%s %-32s %-12s %s" % (mark, r["file"], v, r["what"]))
print("demo: %d passed, %d failed" % (ok, bad))
sys.exit(1 if bad else 0)
PY
