#!/bin/sh
# sigstore-conformance bundle-verify cases (70 cases x PATH/DIGEST = 140
# runs) through `brine conformance verify-bundle`, offline, with the
# upstream driver logic (tests/conformance/run-sigstore-conformance.sh),
# and every _fail case's reason code against tests/conformance/reasons.tsv.
# Runs listed in tests/conformance/xfail.txt may fail (that list may only
# shrink: a listed run that passes is reported so it can be removed);
# any other failure fails the suite. Prints "conformance: N passed, N
# failed (X expected failures)" last.
set -u
BRINE=${1:?usage: tests/check_conformance.sh BRINE}
top=$(cd "$(dirname "$0")/.." && pwd)
xfail=$top/tests/conformance/xfail.txt
out=$(bash "$top/tests/conformance/run-sigstore-conformance.sh" \
  "$BRINE" conformance 2>&1)
summary=$(printf '%s\n' "$out" | tail -n 1)
passed=${summary%% passed*}
unexpected=0
xf=0
fixed=""
runs=$(printf '%s\n' "$out" | sed -n 's/^FAIL \(test_verify\[[^]]*\]\).*/\1/p')
for r in $runs; do
  if grep -qxF "$r" "$xfail" 2>/dev/null; then
    xf=$((xf + 1))
  else
    unexpected=$((unexpected + 1))
    printf '%s\n' "$out" | grep -F "FAIL $r"
  fi
done
for r in $(grep -v '^#' "$xfail" 2>/dev/null); do
  printf '%s\n' "$runs" | grep -qxF "$r" || fixed="$fixed $r"
done
[ -n "$fixed" ] && echo "now passing, remove from tests/conformance/xfail.txt:$fixed"
# every _fail case fails for its recorded reason
reasons=$(sh "$top/tests/conformance/reasons.sh" "$BRINE")
want=$(grep -v '^#' "$top/tests/conformance/reasons.tsv")
nreason=$(printf '%s\n' "$want" | grep -c .)
if [ "$reasons" != "$want" ]; then
  echo "reason codes differ from tests/conformance/reasons.tsv:"
  printf '%s\n' "$reasons" > /tmp/brine-reasons.$$
  printf '%s\n' "$want" | diff - /tmp/brine-reasons.$$ | head -20
  rm -f /tmp/brine-reasons.$$
  unexpected=$((unexpected + 1))
fi
echo "conformance: $passed passed, $unexpected failed ($xf expected failures; $nreason reasons checked)"
[ "$unexpected" = 0 ] && [ -z "$fixed" ]
