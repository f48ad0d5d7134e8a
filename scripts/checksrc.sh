#!/bin/sh
# House rules that a compiler does not check (docs: c-style in CONTRIBUTING):
# no unbounded string functions, no raw allocation outside src/util/alloc.c,
# OpenSSL only under src/crypto/. Prints "checksrc: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
bad=0
files=$(ls src/*/*.c src/*/*.h src/*.h cli/*.c include/brine/*.h)
report() { echo "checksrc: $1"; bad=$((bad + 1)); }
for f in $files; do
  grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok|alloca)\s*\(' \
    "$f" | while IFS= read -r l; do echo "$f:$l: banned function"; done
done | grep . && bad=$((bad + 1))
for f in $(ls src/*/*.c | grep -v '^src/util/alloc.c$'); do
  grep -nE '\b(malloc|calloc|realloc|free)\s*\(' "$f" |
    grep -vE 'brinei_|json_|_fn\(' |
    while IFS= read -r l; do echo "$f:$l: raw allocation (use brinei_*)"; done
done | grep . && bad=$((bad + 1))
grep -lE '#include <openssl/' $files | grep -v '^src/crypto/' |
  while IFS= read -r l; do echo "$l: OpenSSL outside src/crypto/"; done |
  grep . && bad=$((bad + 1))
if [ "$bad" = 0 ]; then
  echo "checksrc: 3 passed, 0 failed"
else
  echo "checksrc: $((3 - bad)) passed, $bad failed"
  exit 1
fi
