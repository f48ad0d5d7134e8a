#!/bin/sh
# brine scan must never execute anything or open a network connection:
# run it under strace on hostile fixtures and fail on any execve after the
# first (brine itself) or any connect().
set -u
BRINE=${1:?usage: check_strace.sh BRINE}
top=$(cd "$(dirname "$0")/.." && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
strace -f -qq -e trace=execve,connect -o "$log" "$BRINE" scan \
  "$top/tests/data/pickle/threats" "$top/examples/models" >/dev/null 2>&1
rc=$?
if [ "$rc" -ne 1 ]; then
  echo "expected exit 1 (unsafe found), got $rc"
  exit 1
fi
execs=$(grep -c 'execve(' "$log")
conns=$(grep -c 'connect(' "$log")
if [ "$execs" -ne 1 ] || [ "$conns" -ne 0 ]; then
  cat "$log"
  echo "strace: $execs execve, $conns connect (want 1 and 0)"
  echo "strace: 0 passed, 1 failed"
  exit 1
fi
echo "strace: 1 passed, 0 failed (1 execve = brine itself, 0 connect)"
