#!/bin/sh
# Make the keys and signatures under tests/data/keys/ that
# tests/unit/test_crypto.c uses, with the openssl command. Keys are random,
# so a rerun makes different bytes of the same kind; the tests compare
# against these files, never against hard-coded key material.
#   ec-p256 ec-p384 ec-p521 ed25519 rsa-3072: NAME.pem (PKCS#8 private),
#     NAME.pub.pem (SubjectPublicKeyInfo as `openssl pkey -pubout` writes it),
#     NAME.sig (openssl's signature over msg.txt: ECDSA DER over the curve's
#     SHA-2, RSA PKCS#1 v1.5 SHA-256, Ed25519 pure)
#   ec-p256.sec1.pem   the same P-256 key as a SEC1 "EC PRIVATE KEY"
#   ec-p256.enc.pem    the same P-256 key, PKCS#8 encrypted, password
#                      "brine-test"
set -eu
dir="$(dirname "$0")/../tests/data/keys"
mkdir -p "$dir"
cd "$dir"
printf 'brine test message: signed by openssl, verified by brine\n' > msg.txt

gen() {  # gen NAME GENPKEY-ARGS...
  name=$1
  shift
  openssl genpkey -quiet "$@" -out "$name.pem"
  openssl pkey -in "$name.pem" -pubout -out "$name.pub.pem"
}
gen ec-p256 -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
  -pkeyopt ec_param_enc:named_curve
gen ec-p384 -algorithm EC -pkeyopt ec_paramgen_curve:P-384 \
  -pkeyopt ec_param_enc:named_curve
gen ec-p521 -algorithm EC -pkeyopt ec_paramgen_curve:P-521 \
  -pkeyopt ec_param_enc:named_curve
gen ed25519 -algorithm ED25519
gen rsa-3072 -algorithm RSA -pkeyopt rsa_keygen_bits:3072

openssl dgst -sha256 -sign ec-p256.pem -out ec-p256.sig msg.txt
openssl dgst -sha384 -sign ec-p384.pem -out ec-p384.sig msg.txt
openssl dgst -sha512 -sign ec-p521.pem -out ec-p521.sig msg.txt
openssl dgst -sha256 -sign rsa-3072.pem -out rsa-3072.sig msg.txt
openssl pkeyutl -sign -rawin -inkey ed25519.pem -in msg.txt -out ed25519.sig

openssl ec -in ec-p256.pem -out ec-p256.sec1.pem 2>/dev/null
openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:brine-test \
  -in ec-p256.pem -out ec-p256.enc.pem
# ca-other.pem: a self-signed CA that issued nothing brine's fixtures use
# (verification against it must fail: a different CA)
openssl req -x509 -new -key ec-p256.pem -subj "/CN=brine other CA" \
  -days 36500 -addext basicConstraints=critical,CA:TRUE \
  -out ca-other.pem 2>/dev/null

chmod 644 ./*  # test keys, committed: nothing secret
echo "gen_test_keys: wrote $(ls | wc -l) files in tests/data/keys"

