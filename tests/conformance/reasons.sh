#!/bin/sh
# Print "CASE<TAB>CODE" for every _fail case: the reason code that starts
# brine's message (docs/verify-blob.md). tests/check_conformance.sh
# compares the output with tests/conformance/reasons.tsv.
set -u
BRINE=${1:?usage: reasons.sh BRINE}
here=$(cd "$(dirname "$0")" && pwd)
cases=$here/sigstore-conformance/bundle-verify
id=https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main
iss=https://token.actions.githubusercontent.com
for d in "$cases"/*_fail; do
  n=${d##*/}
  set -- --bundle "$d/bundle.sigstore.json"
  if [ -f "$d/key.pub" ]; then
    set -- "$@" --key "$d/key.pub"
  else
    i=$id; s=$iss
    [ -f "$d/identity" ] && i=$(tr -d ' \n\t\r' < "$d/identity")
    [ -f "$d/issuer" ] && s=$(tr -d ' \n\t\r' < "$d/issuer")
    set -- "$@" --identity "$i" --issuer "$s"
  fi
  [ -f "$d/trusted_root.json" ] && set -- "$@" --trusted-root "$d/trusted_root.json"
  a=$cases/a.txt
  [ -f "$d/artifact" ] && a=$d/artifact
  out=$("$BRINE" verify-blob "$@" "$a" 2>&1)
  code=$(printf '%s\n' "$out" |
         sed -n 's/^.*\(: INVALID\|verify-blob\): \([a-z-]*\): .*/\2/p' |
         head -n 1)
  printf '%s\t%s\n' "$n" "${code:-none}"
done
