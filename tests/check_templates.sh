#!/bin/sh
# Chat-template corpus check (src/formats/chat_template.c):
#  1. every benign template in tests/data/templates/ renders with
#     @huggingface/jinja (tests/templates/render.mjs), so the corpus the
#     screen must pass stays made of working templates;
#  2. the unit expectations (BUILD/tests/test_tensors): no finding for the
#     benign templates, GGF001 for every one in tests/data/templates/evil/,
#     and the GGUF/safetensors fixtures.
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
if [ ! -d tests/node_modules/@huggingface/jinja ]; then
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

echo "templates: $n rendered"
