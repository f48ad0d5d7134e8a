#!/bin/sh
# A directory scanned on one thread and on several gives the same report,
# byte for byte (brine_scan_set_threads, `scan --jobs`). Run over every
# fixture, so worker threads meet every format (and ASan/UBSan see them).
set -u
BRINE=${1:?usage: tests/check_parallel.sh BRINE}
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
for j in 1 2 3; do
  "$BRINE" scan --jobs $j --format json "$top/tests/data" >"$tmp/j$j.json"
  echo $? >"$tmp/rc$j"
done
for j in 2 3; do
  if ! cmp -s "$tmp/j1.json" "$tmp/j$j.json" ||
     ! cmp -s "$tmp/rc1" "$tmp/rc$j"; then
    echo "parallel: --jobs $j differs from --jobs 1"
    diff "$tmp/j1.json" "$tmp/j$j.json" | head -20
    exit 1
  fi
  n=$((n + 1))
done
files=$(grep -c '"path":' "$tmp/j1.json")
[ "$files" -gt 500 ] || { echo "parallel: only $files files reported"; exit 1; }
echo "parallel: $n passed, 0 failed ($files files, exit $(cat "$tmp/rc1"))"
