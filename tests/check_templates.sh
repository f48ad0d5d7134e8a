#!/bin/sh
# Chat-template corpus check (src/formats/chat_template.c):
#  1. every benign template in tests/data/templates/ renders with
#     @huggingface/jinja (tests/templates/render.mjs), so the corpus the
#     screen must pass stays made of working templates;
#  2. the unit expectations (BUILD/tests/test_tensors): no finding for the
#     benign templates, GGF001 for every one in tests/data/templates/evil/,
#     and the GGUF/safetensors fixtures;
#  3. the templates mainstream models ship (npm @huggingface/ollama-utils,
#     tests/templates/real.mjs), each as a GGUF file: BUILD/brine scan must
#     find every one safe.
# usage: tests/check_templates.sh [BUILD_DIR]   (default: build)
# Installs tests/node_modules with `npm ci` when it is missing. Prints
# "templates: N rendered" last; exits non-zero on any failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${1:-build}

fail() {
  echo "check_templates: $*" >&2
  echo "templates: 0 rendered"
  exit 1
}

command -v node >/dev/null 2>&1 || fail "node is not installed"
if [ ! -d tests/node_modules/@huggingface/jinja ] ||
   [ ! -d tests/node_modules/@huggingface/ollama-utils ]; then
  command -v npm >/dev/null 2>&1 || fail "npm is not installed"
  npm ci --prefix tests --no-audit --no-fund >/dev/null ||
    fail "npm ci --prefix tests failed"
fi

out=$(node tests/templates/render.mjs) || {
  printf '%s\n' "$out"
  fail "a benign template does not render"
}
printf '%s\n' "$out" | grep -v '^templates:'
n=$(printf '%s\n' "$out" | sed -n 's/^templates: \([0-9][0-9]*\) rendered.*/\1/p')
[ -n "$n" ] || fail "render.mjs printed no summary"

t="$BUILD/tests/test_tensors"
[ -x "$t" ] || fail "$t is missing (make $t)"
"$t" || fail "unit expectations failed ($t)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
real=$(node tests/templates/real.mjs "$tmp/real") || fail "real.mjs: $real"
"$BUILD/brine" scan --format json "$tmp/real" >"$tmp/scan.json"
bad=$(/usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
bad = [f["path"] for f in d["files"] if f["verdict"] != "safe"]
print(len(d["files"]), len(bad), " ".join(bad[:5]))' "$tmp/scan.json")
set -- $bad
[ "${2:-1}" = 0 ] || fail "real templates not safe: $bad"
echo "$real; all $1 scanned safe"

echo "templates: $n rendered, $1 real model templates safe"
