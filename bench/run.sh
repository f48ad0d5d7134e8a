#!/bin/sh
# Benchmarks for `brine scan` on pickle streams (issue targets beside each
# figure). Prints one line per figure: name  measured  target  PASS|FAIL.
# Whole-process wall time is the median of 9 runs; peak RSS from
# /usr/bin/time -f %M. Files are generated into $BUILD/bench.
set -eu
BRINE=${1:-build/brine}
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$top/build/bench
mkdir -p "$dir"
[ -f "$dir/dicts200k.pkl" ] ||
  /usr/bin/python3 "$top/tools/gen_benign.py" --big "$dir" >/dev/null
[ -f "$dir/blobs64m.pkl" ] ||
  /usr/bin/python3 "$top/bench/gen_blobs.py" "$dir/blobs64m.pkl"
for f in dicts200k.pkl blobs64m.pkl; do
  if ! "$BRINE" scan "$dir/$f" >/dev/null 2>&1; then
    echo "bench: brine scan $f did not pass (exit $?): figures would be void" >&2
    exit 1
  fi
done
# warm the page cache
cat "$dir/dicts200k.pkl" "$dir/blobs64m.pkl" >/dev/null

median_ms() {  # median wall milliseconds of 9 runs of brine scan FILE
  /usr/bin/python3 - "$BRINE" "$1" <<'PY'
import statistics, subprocess, sys, time
t = []
for _ in range(9):
    s = time.perf_counter()
    subprocess.run([sys.argv[1], "scan", sys.argv[2]], stdout=subprocess.DEVNULL)
    t.append((time.perf_counter() - s) * 1000)
print("%.1f" % statistics.median(t))
PY
}

peak_kib() {
  /usr/bin/time -f %M "$BRINE" scan "$1" 2>&1 >/dev/null | tail -n 1
}

line() {  # name measured target verdict
  printf '%-34s %-14s %-14s %s\n' "$1" "$2" "$3" "$4"
}

ok() { /usr/bin/python3 -c "import sys; sys.exit(0 if $1 else 1)" && echo PASS || echo FAIL; }

ms=$(median_ms "$dir/dicts200k.pkl")
kib=$(peak_kib "$dir/dicts200k.pkl")
size=$(stat -c %s "$dir/dicts200k.pkl")
line "opcode-dense scan wall (ms)" "$ms" "<= 20" "$(ok "$ms <= 20")"
line "opcode-dense peak RSS (MiB)" "$((kib / 1024))" "<= 64" \
  "$(ok "$kib <= 65536")"
line "opcode-dense rate (M opcodes/s)" \
  "$(/usr/bin/python3 -c "print('%.0f' % (1800493 / ($ms / 1000) / 1e6))")" \
  ">= 100" "$(ok "1800493 / ($ms / 1000) / 1e6 >= 100")"
ms=$(median_ms "$dir/blobs64m.pkl")
kib=$(peak_kib "$dir/blobs64m.pkl")
size=$(stat -c %s "$dir/blobs64m.pkl")
gbs=$(/usr/bin/python3 -c "print('%.1f' % ($size / ($ms / 1000) / 1e9))")
line "blob-dense throughput (GB/s)" "$gbs" ">= 2" "$(ok "$gbs >= 2")"
line "blob-dense peak RSS (MiB)" "$((kib / 1024))" "<= 32" \
  "$(ok "$kib <= 32768")"

# reference: CPython's pickletools.genops walk of the same file (what every
# Python scanner is built on); picklescan 1.0.5 takes 2.3 s and 265 MiB here
ref=$(/usr/bin/python3 - "$dir/dicts200k.pkl" <<'PY'
import pickletools, sys, time
data = open(sys.argv[1], "rb").read()
t = time.perf_counter()
n = sum(1 for _ in pickletools.genops(data))
print("%.0f" % ((time.perf_counter() - t) * 1000))
PY
)
line "ref: pickletools.genops walk (ms)" "$ref" "(reference)" "-"

# ---- containers ----------------------------------------------------------
# A 4 GiB torch.save checkpoint must cost its central directory and its
# pickle, not its size; 1,000 small files of mixed formats one directory.
/usr/bin/python3 "$top/bench/gen_containers.py" "$dir" "$BRINE" torch small
for f in torch4g.pt small1000; do
  "$BRINE" scan "$dir/$f" >/dev/null 2>&1 || {
    echo "bench: brine scan $f did not pass (exit $?): figures would be void" >&2
    exit 1
  }
done
ms=$(median_ms "$dir/torch4g.pt")
kib=$(peak_kib "$dir/torch4g.pt")
line "4 GiB torch zip scan wall (ms)" "$ms" "<= 50" "$(ok "$ms <= 50")"
line "4 GiB torch zip peak RSS (MiB)" "$((kib / 1024))" "<= 64" \
  "$(ok "$kib <= 65536")"
ms=$(median_ms "$dir/small1000")
kib=$(peak_kib "$dir/small1000")
line "1000 small files scan wall (ms)" "$ms" "<= 1000" "$(ok "$ms <= 1000")"
line "1000 small files peak RSS (MiB)" "$((kib / 1024))" "<= 64" \
  "$(ok "$kib <= 65536")"
