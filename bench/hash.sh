#!/bin/sh
# Model hashing speed and memory (sign/manifest.c) on one 4 GiB file of
# random data, against sha256sum and Python's hashlib.file_digest.
#
#   bench/hash.sh [DIR]     (DIR defaults to /tmp/brine-bench-hash)
#
# Needs build/brine (`make`; or BUILD=dir), run as `brine hash`.
# Prints one line per figure: name  measured  target  PASS|FAIL (the
# reference tools: "-"). Wall time is the median of RUNS (default 3) whole
# processes with the page cache warm; peak RSS from /usr/bin/time -f %M.
# Not part of `make bench`: writing the files takes a while and 8 GiB.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-/tmp/brine-bench-hash}
BUILD=${BUILD:-$top/build}
RUNS=${RUNS:-3}
PY=/usr/bin/python3
BRINE=$BUILD/brine
file=$dir/model.bin

if [ ! -x "$BRINE" ]; then
  echo "bench/hash.sh: $BRINE missing: run make first" >&2
  exit 1
fi

mkdir -p "$dir"
if [ ! -f "$file" ] || [ "$(stat -c %s "$file")" != 4294967296 ]; then
  echo "bench/hash.sh: writing 4 GiB of random data to $file" >&2
  head -c 4294967296 /dev/urandom >"$file.tmp"
  mv "$file.tmp" "$file"
fi
cat "$file" >/dev/null  # warm the page cache

# measure CMD...: median wall seconds and the peak RSS (KiB) of the
# median run into $wall and $rss; the command's stdout into $out.
measure() {
  rm -f /tmp/brine-hash-times.$$
  i=0
  while [ "$i" -lt "$RUNS" ]; do
    out=$(/usr/bin/time -a -o /tmp/brine-hash-times.$$ -f "%e %M" "$@")
    i=$((i + 1))
  done
  # shellcheck disable=SC2046  # two numbers: "WALL RSS"
  set -- $(sort -n /tmp/brine-hash-times.$$ |
           sed -n "$(((RUNS + 1) / 2))p")
  wall=$1
  rss=$2
  rm -f /tmp/brine-hash-times.$$
}

line() {  # name measured target verdict
  printf '%-36s %-14s %-16s %s\n' "$1" "$2" "$3" "$4"
}

verdict() {  # verdict MEASURED LIMIT: PASS when measured <= limit
  $PY -c 'import sys
print("PASS" if float(sys.argv[1]) <= float(sys.argv[2]) else "FAIL")' \
    "$1" "$2"
}

measure "$PY" -c 'import hashlib,sys
f = open(sys.argv[1], "rb")
print(hashlib.file_digest(f, "sha256").hexdigest())' "$file"
py_wall=$wall
py_rss=$rss
py_hex=$out

measure sha256sum "$file"
sum_wall=$wall
sum_rss=$rss

measure "$BRINE" hash "$file"
files_wall=$wall
files_rss=$rss
files_out=$out

measure "$BRINE" hash --shard-size 1000000000 "$file"
shards_wall=$wall
shards_rss=$rss
shards_out=$out

cores=$(nproc)
# targets: no slower than the serial reference (+10%), a few MiB of memory
# (one 1 MiB buffer per worker thread and the process itself)
limit=$($PY -c 'import sys; print("%.2f" % (float(sys.argv[1]) * 1.1))' \
  "$py_wall")
rss_limit=$((16384 + 1024 * cores))

# files mode's root is SHA-256 over the one file digest
want=$($PY -c 'import hashlib,sys
print(hashlib.sha256(bytes.fromhex(sys.argv[1])).hexdigest())' "$py_hex")
got=$(echo "$files_out" | sed -n 's/^sha256:\([0-9a-f]*\) .*/\1/p')
if [ "$got" = "$want" ]; then ok=PASS; else ok=FAIL; fi
line "hash files root = hashlib" "${got%"${got#????????}"}..." \
     "${want%"${want#????????}"}..." "$ok"
line "hash files 4 GiB wall (s)" "$files_wall" "<= $limit" \
     "$(verdict "$files_wall" "$limit")"
line "hash files 4 GiB peak RSS (KiB)" "$files_rss" "<= $rss_limit" \
     "$(verdict "$files_rss" "$rss_limit")"
line "hash shards 1 GB, $cores cores wall (s)" "$shards_wall" "<= $limit" \
     "$(verdict "$shards_wall" "$limit")"
line "hash shards 1 GB peak RSS (KiB)" "$shards_rss" "<= $rss_limit" \
     "$(verdict "$shards_rss" "$rss_limit")"
line "  ($(echo "$shards_out" | tail -n 1 | cut -d'(' -f2 | tr -d ')'))" "" "" ""
line "sha256sum wall (s)" "$sum_wall" "-" "-"
line "sha256sum peak RSS (KiB)" "$sum_rss" "-" "-"
line "python hashlib.file_digest wall (s)" "$py_wall" "-" "-"
line "python hashlib.file_digest RSS (KiB)" "$py_rss" "-" "-"

# ---- a 4 GiB model directory of 8 x 512 MiB files, signed and verified in
# the interoperable files mode, against openssl dgst two files at a time
mdir=$dir/model8
if [ "$(ls "$mdir" 2>/dev/null | wc -l)" != 8 ]; then
  echo "bench/hash.sh: writing 8 x 512 MiB of random data to $mdir" >&2
  mkdir -p "$mdir"
  for i in 0 1 2 3 4 5 6 7; do
    head -c 536870912 /dev/urandom >"$mdir/shard-$i.bin"
  done
fi
cat "$mdir"/* >/dev/null
key=$top/tests/data/keys/ec-p256.pem
pub=$top/tests/data/keys/ec-p256.pub.pem
sig=$dir/model8.sig
measure "$BRINE" sign --key "$key" --signature "$sig" "$mdir"
sign_wall=$wall
sign_rss=$rss
measure "$BRINE" verify --key "$pub" --signature "$sig" "$mdir"
verify_wall=$wall
verify_rss=$rss
measure sh -c "ls '$mdir'/* | xargs -P2 -n1 openssl dgst -sha256"
ossl_wall=$wall
dlimit=$($PY -c 'import sys; print(min(1.5, float(sys.argv[1])))' \
  "$ossl_wall")
line "sign 8 x 512 MiB wall (s)" "$sign_wall" "<= $dlimit" \
     "$(verdict "$sign_wall" "$dlimit")"
line "sign 8 x 512 MiB peak RSS (KiB)" "$sign_rss" "<= 65536" \
     "$(verdict "$sign_rss" 65536)"
line "verify 8 x 512 MiB wall (s)" "$verify_wall" "<= $dlimit" \
     "$(verdict "$verify_wall" "$dlimit")"
line "verify 8 x 512 MiB peak RSS (KiB)" "$verify_rss" "<= 65536" \
     "$(verdict "$verify_rss" 65536)"
line "openssl dgst -sha256, xargs -P2 (s)" "$ossl_wall" "-" "-"
