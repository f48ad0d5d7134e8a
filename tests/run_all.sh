#!/bin/sh
# Run every test suite against one build directory; print one closing line
# "tests: N passed, N failed". Used by `make test` (and so `make check`,
# once plainly and once under ASan+UBSan).
set -u
BUILD=${1:?usage: tests/run_all.sh BUILD_DIR}
BRINE=$BUILD/brine
PY=/usr/bin/python3
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
passed=0
failed=0
failures=""

suite() {  # suite NAME COMMAND...
  name=$1
  shift
  log=$BUILD/test-logs/$(echo "$name" | tr / _).log
  mkdir -p "$BUILD/test-logs"
  if "$@" >"$log" 2>&1; then
    passed=$((passed + 1))
    printf '  %-28s ok   %s\n' "$name" "$(tail -n 1 "$log")"
  else
    failed=$((failed + 1))
    failures="$failures $name"
    printf '  %-28s FAIL %s\n' "$name" "$(tail -n 1 "$log")"
    sed 's/^/    | /' "$log" | tail -n 40
  fi
}

echo "tests in $BUILD:"
for t in "$BUILD"/tests/test_*; do
  [ -x "$t" ] || continue
  suite "unit/$(basename "$t")" "$t"
done
for r in "$BUILD"/replay/fuzz_*; do
  [ -x "$r" ] || continue
  n=$(basename "$r")
  suite "replay/$n" "$r" "fuzz/corpus/$n" tests/data/crashes
done
suite checksrc sh scripts/checksrc.sh
suite cli "$PY" tests/cli/run.py "$BRINE"
suite threats "$PY" tests/run_tables.py threats "$BRINE"
suite benign "$PY" tests/run_tables.py benign "$BRINE"
suite joblib "$PY" tests/run_tables.py joblib "$BRINE"
if [ -f tests/formats.tsv ]; then
  suite formats "$PY" tests/run_tables.py formats "$BRINE"
fi
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  suite templates sh tests/check_templates.sh "$BUILD"
fi
suite big-benign sh tests/check_big.sh "$BRINE"
suite parallel sh tests/check_parallel.sh "$BRINE"
suite allowlists "$PY" tests/check_allowlists.py "$BRINE"
suite sarif "$PY" tests/check_sarif.py "$BRINE"
suite oms "$PY" tests/check_oms.py "$BRINE"
suite conformance sh tests/check_conformance.sh "$BRINE"
suite no-exec-no-network sh tests/check_strace.sh "$BRINE"
if [ -f tests/diff/run.py ]; then
  suite differential "$PY" tests/diff/run.py "$BRINE"
fi
suite demo tests/run_demo.sh "$BRINE"

echo "tests: $passed passed, $failed failed"
[ "$failed" = 0 ] || { echo "failed suites:$failures"; exit 1; }
