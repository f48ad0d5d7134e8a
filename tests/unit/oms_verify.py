#!/usr/bin/python3
"""Independent check of an OMS signature file (a Sigstore v0.3 bundle with a
DSSE envelope), for tests/unit/test_oms.c: shares no code with brine.

    oms_verify.py BUNDLE PUBKEY.pem   verify with that public key
    oms_verify.py BUNDLE -            verify with the bundle's leaf
                                      certificate (x509CertificateChain)

Builds the DSSE v1 PAE itself, verifies the ECDSA signature with the hash
model_signing pairs with the curve (P-256 SHA-256, P-384 SHA-384, P-521
SHA-512), recomputes the root digest over the resources in listed order and
compares it with the subject. Prints the subject's sha256 and exits 0, or
prints why and exits 1. Uses python3-cryptography (Debian bookworm: 38).
"""
import base64
import hashlib
import json
import sys

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT = "https://in-toto.io/Statement/v1"
PREDICATE = "https://model_signing/signature/v1.0"
CURVE_HASH = {"secp256r1": hashes.SHA256, "secp384r1": hashes.SHA384,
              "secp521r1": hashes.SHA512}


def fail(msg):
    print("oms_verify: " + msg, file=sys.stderr)
    sys.exit(1)


def b64(s):
    return base64.b64decode(s, validate=True)


def main():
    if len(sys.argv) != 3:
        fail("usage: oms_verify.py BUNDLE PUBKEY.pem|-")
    with open(sys.argv[1], "rb") as f:
        bundle = json.loads(f.read())
    if bundle.get("mediaType") != MEDIA_TYPE:
        fail("mediaType %r" % bundle.get("mediaType"))
    vm = bundle["verificationMaterial"]
    if sys.argv[2] == "-":
        der = b64(vm["x509CertificateChain"]["certificates"][0]["rawBytes"])
        key = x509.load_der_x509_certificate(der).public_key()
    else:
        with open(sys.argv[2], "rb") as f:
            key = serialization.load_pem_public_key(f.read())
        pem = key.public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo)
        hint = vm.get("publicKey", {}).get("hint")
        if hint is not None and hint != hashlib.sha256(pem).hexdigest():
            fail("the key hint does not match the key")
    if not isinstance(key, ec.EllipticCurvePublicKey):
        fail("not an EC key")
    env = bundle["dsseEnvelope"]
    if env["payloadType"] != PAYLOAD_TYPE:
        fail("payloadType %r" % env["payloadType"])
    if len(env["signatures"]) != 1:
        fail("%d signatures" % len(env["signatures"]))
    payload = b64(env["payload"])
    sig = b64(env["signatures"][0]["sig"])
    ptype = env["payloadType"].encode()
    pae = b"DSSEv1 %d %b %d %b" % (len(ptype), ptype, len(payload), payload)
    try:
        key.verify(sig, pae, ec.ECDSA(CURVE_HASH[key.curve.name]()))
    except InvalidSignature:
        fail("the signature does not verify")
    st = json.loads(payload)
    if st["_type"] != STATEMENT or st["predicateType"] != PREDICATE:
        fail("not an OMS v1.0 statement")
    if len(st["subject"]) != 1:
        fail("%d subjects" % len(st["subject"]))
    want = st["subject"][0]["digest"]["sha256"]
    root = hashlib.sha256(b"".join(bytes.fromhex(r["digest"])
                                   for r in st["predicate"]["resources"]))
    if root.hexdigest() != want:
        fail("root %s, subject %s" % (root.hexdigest(), want))
    print(want)


main()
