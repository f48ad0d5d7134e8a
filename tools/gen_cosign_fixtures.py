#!/usr/bin/python3
"""Write cosign v2 "--bundle" files (the JSON cosign sign-blob wrote before
the Sigstore bundle format; reference/signing.md §4.1) for
tests/check_oms.py, by re-expressing a real v0.1 Sigstore bundle from the
sigstore-conformance suite (happy-path-v0.1: a production Fulcio
certificate, a hashedrekord entry with its signed entry timestamp) in that
format. The artifact is the suite's a.txt. Variants break one field each.

Run with Debian's /usr/bin/python3; writes tests/data/cosign/."""
import base64
import json
import os

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(TOP, "tests", "conformance", "sigstore-conformance",
                   "bundle-verify", "happy-path-v0.1", "bundle.sigstore.json")
OUT = os.path.join(TOP, "tests", "data", "cosign")


def pem(der):
    b = base64.b64encode(der).decode()
    lines = [b[i:i + 64] for i in range(0, len(b), 64)]
    return ("-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) +
            "\n-----END CERTIFICATE-----\n").encode()


def legacy(bundle):
    vm = bundle["verificationMaterial"]
    leaf = base64.b64decode(vm["x509CertificateChain"]["certificates"][0]
                            ["rawBytes"])
    e = vm["tlogEntries"][0]
    return {
        "base64Signature": bundle["messageSignature"]["signature"],
        "cert": base64.b64encode(pem(leaf)).decode(),
        "rekorBundle": {
            "SignedEntryTimestamp":
                e["inclusionPromise"]["signedEntryTimestamp"],
            "Payload": {
                "body": e["canonicalizedBody"],
                "integratedTime": int(e["integratedTime"]),
                "logIndex": int(e["logIndex"]),
                "logID": base64.b64decode(e["logId"]["keyId"]).hex(),
            },
        },
    }


def flip(b64):
    raw = bytearray(base64.b64decode(b64))
    raw[len(raw) // 2] ^= 1
    return base64.b64encode(bytes(raw)).decode()


def put(name, doc):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(SRC) as f:
        good = legacy(json.load(f))
    put("cosign-v2.bundle", good)
    bad = json.loads(json.dumps(good))
    bad["rekorBundle"]["SignedEntryTimestamp"] = flip(
        bad["rekorBundle"]["SignedEntryTimestamp"])
    put("cosign-v2-bad-set.bundle", bad)
    bad = json.loads(json.dumps(good))
    bad["base64Signature"] = flip(bad["base64Signature"])
    put("cosign-v2-bad-signature.bundle", bad)
    bad = json.loads(json.dumps(good))
    bad["rekorBundle"]["Payload"]["integratedTime"] += 1
    put("cosign-v2-moved-time.bundle", bad)
    bad = json.loads(json.dumps(good))
    del bad["rekorBundle"]
    put("cosign-v2-no-rekor.bundle", bad)


if __name__ == "__main__":
    main()
