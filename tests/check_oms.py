#!/usr/bin/python3
"""brine hash / sign / verify against the real model_signing golden
signatures (tests/data/oms, from sigstore/model-transparency, Apache-2.0).

1. Every golden verifies as upstream's test-verify-*.sh scripts verify it,
   the four keyless Sigstore ones offline with the embedded production
   trusted root; another identity or issuer is invalid.
2. Byte compatibility: each v0.3.1-v1.1.0 key and certificate golden model
   is re-signed with its bundled test key; the statement brine signs equals
   the golden's (subject, resources in order, serialization; ignore_paths
   as a set), and the signature verifies with brine and with an independent
   verifier written on python3-cryptography (tests/unit/oms_verify.py).
3. Tampering: a changed, added, removed or renamed file, a wrong key, an
   altered envelope, an untrusted CA are each invalid (exit 1) and say so.
Prints "oms: N passed, N failed" last.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OMS = os.path.join(TOP, "tests", "data", "oms")
KEYS = os.path.join(OMS, "keys", "certificate")
PUB = os.path.join(KEYS, "signing-key-pub.pem")
PRIV = os.path.join(KEYS, "signing-key.pem")
CA = os.path.join(KEYS, "ca-cert.pem")
LEAF = os.path.join(KEYS, "signing-key-cert.pem")
INT = os.path.join(KEYS, "int-ca-cert.pem")
KEYLESS = ("--identity", "stefanb@us.ibm.com", "--issuer",
           "https://sigstore.verify.ibm.com/oauth2")
OTHER_PUB = os.path.join(TOP, "tests", "data", "keys", "ec-p256.pub.pem")
OTHER_PRIV = os.path.join(TOP, "tests", "data", "keys", "ec-p256.pem")
PY_VERIFY = os.path.join(TOP, "tests", "unit", "oms_verify.py")

passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL %s %s" % (name, detail))
    return cond


def run(brine, *args):
    return subprocess.run([brine] + list(args), capture_output=True,
                          text=True)


def statement(sig):
    with open(sig) as f:
        b = json.load(f)
    return json.loads(base64.b64decode(b["dsseEnvelope"]["payload"]))


def golden_args(case):
    """The model path and trust options of upstream's script for case."""
    d = os.path.join(OMS, case)
    args = ["--signature", os.path.join(d, "model.sig")]
    if os.path.exists(os.path.join(d, "ignore-me")):
        args += ["--ignore", os.path.join(d, "ignore-me")]
    if case.endswith("certificate"):
        args += ["--cert-chain", CA]
    elif case.endswith("elliptic-key"):
        args += ["--key", PUB]
    single = case in ("v0.3.1-elliptic-key", "v1.0.0-elliptic-key")
    return args, os.path.join(d, "signme-1") if single else d


def goldens(brine):
    cases = sorted(c for c in os.listdir(OMS)
                   if os.path.isdir(os.path.join(OMS, c)) and c != "keys")
    check("13 goldens", len(cases) == 13, str(cases))
    for case in cases:
        args, model = golden_args(case)
        if case.endswith("sigstore"):
            # keyless, offline, with the embedded production root
            p = run(brine, "verify", *KEYLESS, *args, model)
            check("golden " + case, p.returncode == 0 and "valid" in
                  p.stdout, "exit %d: %s %s" % (p.returncode, p.stdout,
                                                p.stderr))
            p = run(brine, "verify", "-f", "json", "--identity",
                    "someone@example.com", "--issuer", KEYLESS[3], *args,
                    model)
            check("golden " + case + " other identity", p.returncode == 1
                  and '"code": "sigstore"' in p.stdout and "identity" in
                  p.stdout, p.stdout + p.stderr)
            p = run(brine, "verify", "-f", "json", "--identity", KEYLESS[1],
                    "--issuer", "https://accounts.google.com", *args, model)
            check("golden " + case + " other issuer", p.returncode == 1
                  and "issuer" in p.stdout, p.stdout + p.stderr)
            p = run(brine, "verify", "-f", "json", "--key", PUB, *args,
                    model)
            check("golden " + case + " checked with a key", p.returncode ==
                  1 and '"code": "key-mismatch"' in p.stdout, p.stdout)
            continue
        p = run(brine, "verify", *args, model)
        check("golden " + case, p.returncode == 0 and "valid" in p.stdout,
              "exit %d: %s %s" % (p.returncode, p.stdout, p.stderr))


def same_statement(ours, gold):
    a, b = dict(ours), dict(gold)
    for s in (a, b):
        ser = s["predicate"]["serialization"]
        ser["ignore_paths"] = sorted(ser.get("ignore_paths", []))
    return a == b


def resign(brine, tmp):
    for case in ("v0.3.1-certificate", "v0.3.1-elliptic-key",
                 "v1.0.0-certificate", "v1.0.0-elliptic-key",
                 "v1.0.1-certificate", "v1.0.1-elliptic-key",
                 "v1.1.0-certificate", "v1.1.0-elliptic-key"):
        src = os.path.join(OMS, case)
        d = os.path.join(tmp, case)
        shutil.copytree(src, d)
        os.remove(os.path.join(d, "model.sig"))
        sig = os.path.join(d, "model.sig")
        args = ["--key", PRIV, "--signature", sig]
        if os.path.exists(os.path.join(d, "ignore-me")):
            args += ["--ignore", os.path.join(d, "ignore-me")]
        if case.endswith("certificate"):
            args += ["--signing-certificate", LEAF, "--cert-chain", INT]
        single = case in ("v0.3.1-elliptic-key", "v1.0.0-elliptic-key")
        model = os.path.join(d, "signme-1") if single else d
        p = run(brine, "sign", *args, model)
        if not check("sign " + case, p.returncode == 0, p.stderr):
            continue
        gold = statement(os.path.join(src, "model.sig"))
        ours = statement(sig)
        gser = gold["predicate"]["serialization"]
        if "ignore_paths" not in gser:
            # before v1.0.1 model_signing recorded no ignore paths
            ours["predicate"]["serialization"].pop("ignore_paths", None)
        check("statement " + case, same_statement(ours, gold),
              "\n  ours %s\n  gold %s" % (json.dumps(ours),
                                          json.dumps(gold)))
        with open(sig) as f:
            bundle = json.load(f)
        check("bundle " + case, bundle["mediaType"] ==
              "application/vnd.dev.sigstore.bundle.v0.3+json" and
              bundle["dsseEnvelope"]["signatures"][0]["keyid"] == "")
        vargs = ["--signature", sig]
        if os.path.exists(os.path.join(d, "ignore-me")):
            vargs += ["--ignore", os.path.join(d, "ignore-me")]
        vargs += ["--cert-chain", CA] if case.endswith("certificate") \
            else ["--key", PUB]
        p = run(brine, "verify", *vargs, model)
        check("verify re-signed " + case, p.returncode == 0, p.stdout)
        p = subprocess.run([sys.executable, PY_VERIFY, sig, PUB],
                           capture_output=True, text=True)
        check("python-cryptography verifies " + case, p.returncode == 0 and
              gold["subject"][0]["digest"]["sha256"] in p.stdout,
              p.stdout + p.stderr)


def tamper(brine, tmp):
    base = os.path.join(tmp, "tamper")
    shutil.copytree(os.path.join(OMS, "v1.1.0-elliptic-key"), base)
    sig = os.path.join(tmp, "model.sig")
    shutil.move(os.path.join(base, "model.sig"), sig)
    common = ["--signature", sig, "--ignore", os.path.join(base, "ignore-me")]

    def verify(*extra, key=PUB):
        return run(brine, "verify", "--key", key, "-f", "json", *common,
                   *extra, base)

    p = verify()
    check("tamper baseline valid", p.returncode == 0, p.stdout + p.stderr)

    def expect(name, p, code, kind=None, names=None):
        try:
            out = json.loads(p.stdout)
        except ValueError:
            check(name, False, "no JSON: " + p.stdout + p.stderr)
            return
        ok = p.returncode == 1 and not out["valid"] and out["code"] == code
        if kind:
            ok = ok and [(x["kind"], x["name"], x["to"])
                         for x in out["differences"]] == names
        check(name, ok, p.stdout)

    f1 = os.path.join(base, "signme-1")
    with open(f1, "ab") as f:
        f.write(b"x")
    expect("changed file", verify(), "manifest", "changed",
           [("changed", "signme-1", None)])
    shutil.copy(os.path.join(OMS, "v1.1.0-elliptic-key", "signme-1"), f1)
    with open(os.path.join(base, "extra.bin"), "wb") as f:
        f.write(b"new")
    expect("added file", verify(), "manifest", "added",
           [("added", "extra.bin", None)])
    p = verify("--ignore-unsigned-files")
    check("--ignore-unsigned-files skips it", p.returncode == 0, p.stdout)
    os.remove(os.path.join(base, "extra.bin"))
    os.rename(os.path.join(base, "signme-2"), os.path.join(base, "moved"))
    expect("renamed file", verify(), "manifest", "renamed",
           [("renamed", "signme-2", "moved")])
    os.remove(os.path.join(base, "moved"))
    expect("removed file", verify(), "manifest", "removed",
           [("removed", "signme-2", None)])
    shutil.copy(os.path.join(OMS, "v1.1.0-elliptic-key", "signme-2"),
                os.path.join(base, "signme-2"))
    expect("wrong key", verify(key=OTHER_PUB), "key-mismatch")
    # the envelope's payload altered: the subject says another model
    with open(sig) as f:
        b = json.load(f)
    st = statement(sig)
    st["subject"][0]["name"] = "other"
    b["dsseEnvelope"]["payload"] = base64.b64encode(
        json.dumps(st).encode()).decode()
    bad = os.path.join(tmp, "altered.sig")
    with open(bad, "w") as f:
        json.dump(b, f)
    p = run(brine, "verify", "--key", PUB, "-f", "json", "--signature", bad,
            "--ignore", os.path.join(base, "ignore-me"), base)
    expect("altered envelope", p, "signature")
    # a CA that did not issue the signing certificate
    d = os.path.join(tmp, "v1.1.0-certificate-x")
    shutil.copytree(os.path.join(OMS, "v1.1.0-certificate"), d)
    p = run(brine, "verify", "-f", "json", "--cert-chain", INT, "--cert-chain",
            OTHER_PUB.replace(".pub.pem", ".pem"), "--signature",
            os.path.join(d, "model.sig"), "--ignore",
            os.path.join(d, "ignore-me"), d)
    check("CA file that is not a certificate is an error",
          p.returncode == 2, p.stdout + p.stderr)
    # a self-made CA that the chain does not lead to
    p = run(brine, "verify", "-f", "json", "--cert-chain", LEAF,
            "--signature", os.path.join(d, "model.sig"), "--ignore",
            os.path.join(d, "ignore-me"), d)
    check("partial chain to the leaf itself verifies", p.returncode == 0,
          p.stdout + p.stderr)
    p = run(brine, "verify", "-f", "json", "--cert-chain",
            os.path.join(TOP, "tests", "data", "oms", "keys", "certificate",
                         "int-ca-cert.pem"), "--signature",
            os.path.join(OMS, "v1.1.0-elliptic-key", "model.sig"),
            os.path.join(OMS, "v1.1.0-elliptic-key"))
    expect("key signature checked against a CA", p, "key-mismatch")
    # a signature file that is not a bundle: error, not invalid
    junk = os.path.join(tmp, "junk.sig")
    with open(junk, "w") as f:
        f.write('{"mediaType": 1}')
    p = run(brine, "verify", "--key", PUB, "--signature", junk, base)
    check("malformed signature is an error", p.returncode == 2, p.stderr)
    # signing with an Ed25519 key is refused with the reason
    p = run(brine, "sign", "--key", os.path.join(
        TOP, "tests", "data", "keys", "ed25519.pem"), "--signature",
        os.path.join(tmp, "ed.sig"), base)
    check("Ed25519 refused", p.returncode == 2 and "P-256" in p.stderr and
          not os.path.exists(os.path.join(tmp, "ed.sig")), p.stderr)
    # a P-256 key round trip with shards and blake2b
    sig2 = os.path.join(tmp, "p256.sig")
    p = run(brine, "sign", "--key", OTHER_PRIV, "--hash", "blake2b",
            "--shard-size", "7", "--signature", sig2, base)
    check("sign shards", p.returncode == 0, p.stderr)
    st = statement(sig2)
    check("shard statement", st["predicate"]["serialization"]["method"] ==
          "shards" and st["predicate"]["resources"][0]["algorithm"] ==
          "blake2b-sharded-7" and st["predicate"]["resources"][0]["name"]
          == "signme-1:0:7", json.dumps(st)[:300])
    p = run(brine, "verify", "--key", OTHER_PUB, "--signature", sig2, base)
    check("verify shards", p.returncode == 0, p.stdout + p.stderr)


def pae(payload_type, body):
    return b"DSSEv1 %d %s %d %s" % (len(payload_type), payload_type.encode(),
                                   len(body), body)


def openssl_verifies(sig, pub, digest, tmp):
    """openssl pkeyutl -verify over the PAE bytes, outside brine."""
    with open(sig) as f:
        env = json.load(f)["dsseEnvelope"]
    body = base64.b64decode(env["payload"])
    m, sg = os.path.join(tmp, "pae.bin"), os.path.join(tmp, "pae.sig")
    with open(m, "wb") as f:
        f.write(pae(env["payloadType"], body))
    with open(sg, "wb") as f:
        f.write(base64.b64decode(env["signatures"][0]["sig"]))
    p = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey",
                        pub, "-rawin", "-digest", digest, "-in", m,
                        "-sigfile", sg], capture_output=True, text=True)
    return p.returncode == 0 and "Verified Successfully" in p.stdout


def round_trips(brine, tmp):
    """Every EC key type, and certificate chains, signed and verified by
    brine, openssl and python3-cryptography."""
    model = os.path.join(tmp, "rt")
    shutil.copytree(os.path.join(OMS, "v1.1.0-elliptic-key"), model)
    os.remove(os.path.join(model, "model.sig"))
    keys = os.path.join(TOP, "tests", "data", "keys")
    for curve, digest in (("p256", "sha256"), ("p384", "sha384"),
                          ("p521", "sha512")):
        priv = os.path.join(keys, "ec-%s.pem" % curve)
        pub = os.path.join(keys, "ec-%s.pub.pem" % curve)
        sig = os.path.join(tmp, "rt-%s.sig" % curve)
        p = run(brine, "sign", "--key", priv, "--signature", sig, model)
        check("sign " + curve, p.returncode == 0, p.stderr)
        p = run(brine, "verify", "--key", pub, "--signature", sig, model)
        check("verify " + curve, p.returncode == 0, p.stdout + p.stderr)
        check("openssl pkeyutl verifies " + curve,
              openssl_verifies(sig, pub, digest, tmp))
        p = subprocess.run([sys.executable, PY_VERIFY, sig, pub],
                           capture_output=True, text=True)
        check("python-cryptography verifies " + curve, p.returncode == 0,
              p.stdout + p.stderr)
    # the certificate method through the golden PKI (RSA root and
    # intermediate, P-384 leaf)
    sig = os.path.join(tmp, "rt-cert.sig")
    p = run(brine, "sign", "--key", PRIV, "--signing-certificate", LEAF,
            "--cert-chain", INT, "--signature", sig, model)
    check("sign certificate", p.returncode == 0, p.stderr)
    p = run(brine, "verify", "--cert-chain", CA, "--signature", sig, model)
    check("verify certificate", p.returncode == 0, p.stdout + p.stderr)
    check("openssl pkeyutl verifies certificate",
          openssl_verifies(sig, PUB, "sha384", tmp))
    p = run(brine, "verify", "-f", "json", "--cert-chain", os.path.join(
        keys, "ca-other.pem"), "--signature", sig, model)
    check("a different CA is invalid (chain)", p.returncode == 1 and
          '"code": "chain"' in p.stdout, p.stdout + p.stderr)
    # a certificate that is not the signing key's
    p = run(brine, "sign", "--key", OTHER_PRIV, "--signing-certificate",
            LEAF, "--signature", os.path.join(tmp, "no.sig"), model)
    check("certificate of another key refused", p.returncode == 2 and
          not os.path.exists(os.path.join(tmp, "no.sig")), p.stderr)


def more_tampering(brine, tmp):
    base = os.path.join(tmp, "swap")
    shutil.copytree(os.path.join(OMS, "v1.1.0-elliptic-key"), base)
    sig = os.path.join(tmp, "swap.sig")
    shutil.move(os.path.join(base, "model.sig"), sig)
    ign = ["--ignore", os.path.join(base, "ignore-me")]

    def verify(s=sig, extra=()):
        p = run(brine, "verify", "--key", PUB, "-f", "json", "--signature",
                s, *ign, *extra, base)
        try:
            return p.returncode, json.loads(p.stdout)
        except ValueError:
            return p.returncode, {"stderr": p.stderr}

    a, b = os.path.join(base, "signme-1"), os.path.join(base, "signme-2")
    os.rename(a, a + ".t")
    os.rename(b, a)
    os.rename(a + ".t", b)
    code, out = verify()
    check("two files swapped", code == 1 and sorted(
        (d["kind"], d["name"]) for d in out.get("differences", [])) ==
        [("changed", "signme-1"), ("changed", "signme-2")], str(out))
    os.rename(a, a + ".t")
    os.rename(b, a)
    os.rename(a + ".t", b)
    # one changed byte in the middle of a file
    with open(b, "r+b") as f:
        f.seek(3)
        c = f.read(1)
        f.seek(3)
        f.write(bytes([c[0] ^ 1]))
    code, out = verify()
    check("one changed byte", code == 1 and out.get("differences") ==
          [{"kind": "changed", "name": "signme-2", "to": None}], str(out))
    shutil.copy(os.path.join(OMS, "v1.1.0-elliptic-key", "signme-2"), b)
    # the verifier's ignore list differs: a signed file left out
    code, out = verify(extra=("--ignore", b))
    check("a changed ignore list is caught", code == 1 and
          out.get("differences") == [{"kind": "removed", "name": "signme-2",
                                      "to": None}], str(out))
    with open(sig) as f:
        bundle = json.load(f)
    # the signed ignore list edited: the signature no longer verifies
    st = statement(sig)
    st["predicate"]["serialization"]["ignore_paths"].append("signme-2")
    bundle2 = json.loads(json.dumps(bundle))
    bundle2["dsseEnvelope"]["payload"] = base64.b64encode(
        json.dumps(st).encode()).decode()
    edited = os.path.join(tmp, "edited-ignore.sig")
    with open(edited, "w") as f:
        json.dump(bundle2, f)
    code, out = verify(edited)
    check("edited ignore list", code == 1 and out.get("code") == "signature",
          str(out))
    # an edited predicate: a resource digest replaced
    st = statement(sig)
    st["predicate"]["resources"][0]["digest"] = "00" * 32
    bundle2["dsseEnvelope"]["payload"] = base64.b64encode(
        json.dumps(st).encode()).decode()
    with open(edited, "w") as f:
        json.dump(bundle2, f)
    code, out = verify(edited)
    check("edited predicate", code == 1 and out.get("code") == "signature",
          str(out))
    # truncated and malformed signature files: errors, never valid
    with open(sig, "rb") as f:
        whole = f.read()
    for name, data in (("truncated", whole[:len(whole) // 2]),
                       ("empty", b""), ("not json", b"model.sig\n"),
                       ("two signatures", whole.replace(
                           b'"signatures":[', b'"signatures":[{"sig":"AA=="},'
                       ))):
        bad = os.path.join(tmp, "bad.sig")
        with open(bad, "wb") as f:
            f.write(data)
        code, out = verify(bad)
        check("%s signature file is an error" % name, code == 2, str(out))
    code, out = verify(os.path.join(tmp, "absent.sig"))
    check("missing signature file is an error", code == 2, str(out))


def keyless_tamper(brine, tmp):
    d = os.path.join(tmp, "ks")
    shutil.copytree(os.path.join(OMS, "v1.1.0-sigstore"), d)
    with open(os.path.join(d, "signme-1"), "ab") as f:
        f.write(b"!")
    p = run(brine, "verify", "-f", "json", *KEYLESS, "--signature",
            os.path.join(d, "model.sig"), "--ignore",
            os.path.join(d, "ignore-me"), d)
    check("keyless: changed file", p.returncode == 1 and
          '"kind": "changed"' in p.stdout, p.stdout + p.stderr)
    # the envelope altered: the Rekor entry and signature no longer match
    with open(os.path.join(d, "model.sig")) as f:
        b = json.load(f)
    st = statement(os.path.join(d, "model.sig"))
    st["subject"][0]["name"] = "other"
    b["dsseEnvelope"]["payload"] = base64.b64encode(
        json.dumps(st).encode()).decode()
    with open(os.path.join(d, "model.sig"), "w") as f:
        json.dump(b, f)
    p = run(brine, "verify", "-f", "json", *KEYLESS, "--signature",
            os.path.join(d, "model.sig"), "--ignore",
            os.path.join(d, "ignore-me"), d)
    check("keyless: altered envelope", p.returncode == 1 and
          '"code": "sigstore"' in p.stdout, p.stdout + p.stderr)


def cosign_v2(brine):
    """cosign v2's own --bundle JSON (tools/gen_cosign_fixtures.py, from a
    real production bundle), verified offline like a Sigstore bundle."""
    d = os.path.join(TOP, "tests", "data", "cosign")
    conf = os.path.join(TOP, "tests", "conformance", "sigstore-conformance",
                        "bundle-verify")
    art = os.path.join(conf, "a.txt")
    who = ["--identity", "https://github.com/sigstore-conformance/"
           "extremely-dangerous-public-oidc-beacon/.github/workflows/"
           "extremely-dangerous-oidc-beacon.yml@refs/heads/main",
           "--issuer", "https://token.actions.githubusercontent.com"]
    p = run(brine, "verify-blob", "--bundle",
            os.path.join(d, "cosign-v2.bundle"), *who, art)
    check("cosign v2 bundle verifies", p.returncode == 0, p.stdout + p.stderr)
    with open(art, "rb") as f:
        import hashlib
        dig = "sha256:" + hashlib.sha256(f.read()).hexdigest()
    p = run(brine, "verify-blob", "--bundle",
            os.path.join(d, "cosign-v2.bundle"), *who, dig)
    check("cosign v2 bundle verifies by digest", p.returncode == 0,
          p.stdout + p.stderr)
    for name, code in (("bad-set", "tlog"), ("bad-signature", "tlog"),
                       ("moved-time", "tlog"), ("no-rekor", "tlog")):
        p = run(brine, "verify-blob", "--bundle",
                os.path.join(d, "cosign-v2-%s.bundle" % name), *who, art)
        check("cosign v2 %s is invalid" % name, p.returncode == 1 and
              ("INVALID: %s:" % code) in p.stdout, p.stdout + p.stderr)
    p = run(brine, "verify-blob", "--bundle",
            os.path.join(d, "cosign-v2.bundle"), "--identity",
            "someone@example.com", "--issuer", who[3], art)
    check("cosign v2 other identity", p.returncode == 1 and
          "identity" in p.stdout, p.stdout)


def hashing(brine, tmp):
    d = os.path.join(OMS, "v1.1.0-elliptic-key")
    p = run(brine, "hash", "--ignore", os.path.join(d, "model.sig"),
            "--ignore", os.path.join(d, "ignore-me"), d)
    gold = statement(os.path.join(d, "model.sig"))
    root = gold["subject"][0]["digest"]["sha256"]
    check("hash root", p.returncode == 0 and ("sha256:" + root) in p.stdout,
          p.stdout + p.stderr)
    p = run(brine, "hash", "-f", "json", "--ignore",
            os.path.join(d, "model.sig"), "--ignore",
            os.path.join(d, "ignore-me"), d)
    try:
        st = json.loads(p.stdout)
    except ValueError:
        st = {}
    check("hash json is the statement", st.get("subject") ==
          gold["subject"] and st["predicate"]["resources"] ==
          gold["predicate"]["resources"], p.stdout[:300])
    p = run(brine, "hash", os.path.join(tmp, "missing"))
    check("hash missing model", p.returncode == 2 and "missing" in p.stderr,
          p.stderr)
    for cmd in ("hash", "sign", "verify"):
        p = run(brine, cmd, "--help")
        check(cmd + " --help", p.returncode == 0 and "usage: brine " + cmd
              in p.stdout)
    p = run(brine, "verify", d)
    check("verify needs trust", p.returncode == 2 and "--key" in p.stderr)


def main():
    brine = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp()
    try:
        goldens(brine)
        resign(brine, tmp)
        tamper(brine, tmp)
        round_trips(brine, tmp)
        more_tampering(brine, tmp)
        keyless_tamper(brine, tmp)
        cosign_v2(brine)
        hashing(brine, tmp)
    finally:
        shutil.rmtree(tmp)
    print("oms: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
