/* sign/tlog.c: transparency log entries of Sigstore bundles — parsing,
 * signed entry timestamps, Merkle inclusion proofs, signed checkpoints
 * and the consistency of the entry body with the bundle.
 *
 * Reference data comes from outside brine: the sigstore-conformance cases
 * (tests/conformance/sigstore-conformance/bundle-verify/, real entries
 * of the production, staging and test logs, with their trusted roots),
 * the production trusted root, the production keyless bundles written by
 * model_signing (tests/data/oms/v*-sigstore/model.sig), the RFC 6962 test
 * vectors of the certificate-transparency project (checked with a python3
 * hashlib transcription of RFC 6962 §2.1), a recursive RFC 6962 §2.1.1
 * PATH written here independently of the RFC 9162 iterative verifier, and
 * the openssl command line as the oracle for the SET and checkpoint
 * signing inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "sign/tlog.h"
#include "testutil.h"

#define SIG "tests/conformance/"
#define CONF SIG "sigstore-conformance/bundle-verify/"
#define PROD_ROOT SIG "trusted_root.production.json"
#define OMS "tests/data/oms/"

/* ---- helpers ---------------------------------------------------------- */

static bool exists(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0;
}

/* obj.a.b... by a dotted path of object keys (test side). */
static json_t *dig(json_t *obj, const char *path)
{
  char key[64];
  while(obj && *path) {
    size_t n = strcspn(path, ".");
    assert_true(n < sizeof(key));
    memcpy(key, path, n);
    key[n] = 0;
    obj = json_object_get(obj, key);
    path += n + (path[n] == '.');
  }
  return obj;
}

/* Decode base64 through ctx into a malloc'd copy (test side owns it). */
static uint8_t *unb64(struct brine_ctx *ctx, const char *s, size_t *n)
{
  uint8_t *d, *copy;
  assert_int_equal(brinei_b64_decode(ctx, s, strlen(s), true, &d, n),
                   BRINE_OK);
  copy = malloc(*n ? *n : 1);
  assert_non_null(copy);
  memcpy(copy, d, *n);
  brinei_free(ctx, d);
  return copy;
}

static void unhex(const char *s, uint8_t *out)
{
  size_t n = strlen(s);
  for(size_t i = 0; i < n / 2; i++) {
    unsigned v;
    assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
    out[i] = (uint8_t)v;
  }
}

/* ---- trust material ---------------------------------------------------- */

/* A trusted root file, or the production root embedded in libbrine when
   path is NULL (as the conformance protocol wants when a case ships
   none). */
static void root_load(struct brine_ctx *ctx, const char *path,
                      struct brinei_trustroot *tr)
{
  brine_result rc = path ? brinei_trustroot_load(ctx, path, tr)
                         : brinei_trustroot_production(ctx, tr);
  if(rc)
    fail_msg("%s: %s", path ? path : "production root",
             brine_last_error(ctx)->message);
}

/* Give a trusted log another base URL. */
static void set_url(struct brine_ctx *ctx, struct brinei_log *log,
                    const char *url)
{
  brinei_free(ctx, log->base_url);
  log->base_url = brinei_strndup(ctx, url, strlen(url));
  assert_non_null(log->base_url);
}

/* ---- one conformance case as tlog.c sees it ---------------------------- */

struct fixture {
  json_t *bundle;
  json_t *entry;            /* tlogEntries[0] (borrowed from bundle) */
  struct brinei_trustroot tr;
  struct brinei_tlog_entry e;
  struct brinei_tlog_subject s;
  uint8_t *sig, *payload, *leaf;
  char *payload_type, *key_pem;
  uint8_t digest[32];
  int version;              /* bundle media type: 1, 2, 3 */
};

static int bundle_version(const char *mt)
{
  if(strstr(mt, "version=0.1"))
    return 1;
  if(strstr(mt, "version=0.2"))
    return 2;
  return 3;
}

/* Read bundle file `bundle` verified against `root` (NULL: the production
   root); the artifact, when
   given, is hashed for messageSignature bundles; key_pub names a managed
   key (or NULL). The tlog entry is parsed and must parse. */
static void fixture_load(struct brine_ctx *ctx, struct fixture *f,
                         const char *bundle, const char *root,
                         const char *artifact, const char *key_pub)
{
  json_t *vm, *cert, *chain, *ms, *env;
  size_t n;
  memset(f, 0, sizeof(*f));
  f->bundle = load_json(bundle);
  f->version = bundle_version(json_string_value(
      json_object_get(f->bundle, "mediaType")));
  vm = json_object_get(f->bundle, "verificationMaterial");
  f->entry = json_array_get(json_object_get(vm, "tlogEntries"), 0);
  assert_non_null(f->entry);
  root_load(ctx, root, &f->tr);
  assert_int_equal(brinei_tlog_entry_parse(ctx, f->entry, &f->e), BRINE_OK);
  cert = dig(vm, "certificate.rawBytes");
  chain = dig(vm, "x509CertificateChain.certificates");
  if(json_is_string(cert))
    f->leaf = unb64(ctx, json_string_value(cert), &f->s.leaf_len);
  else if(json_array_size(chain))
    f->leaf = unb64(ctx, json_string_value(dig(json_array_get(chain, 0),
                                               "rawBytes")),
                    &f->s.leaf_len);
  f->s.leaf_der = f->leaf;
  if(key_pub) {
    f->key_pem = slurp(key_pub, &n);
    f->s.key_pem = (const uint8_t *)f->key_pem;
    f->s.key_pem_len = n;
  }
  ms = json_object_get(f->bundle, "messageSignature");
  env = json_object_get(f->bundle, "dsseEnvelope");
  if(ms) {
    char *data = slurp(artifact, &n);
    f->sig = unb64(ctx, json_string_value(json_object_get(ms, "signature")),
                   &f->s.sig_len);
    assert_int_equal(brinei_digest(ctx, BRINEI_SHA256, data, n, f->digest),
                     BRINE_OK);
    free(data);
    f->s.digest = f->digest;
  }
  else {
    assert_non_null(env);
    f->payload = unb64(ctx, json_string_value(json_object_get(env,
                                                              "payload")),
                       &f->s.payload_len);
    f->payload_type = strdup(json_string_value(json_object_get(
        env, "payloadType")));
    f->sig = unb64(ctx, json_string_value(dig(json_array_get(
                                                  json_object_get(
                                                      env, "signatures"), 0),
                                              "sig")),
                   &f->s.sig_len);
    f->s.payload = f->payload;
    f->s.payload_type = f->payload_type;
  }
  f->s.sig = f->sig;
}

/* A conformance case directory: its own trusted root or the production
   one, its own artifact or a.txt, its key.pub if any. */
static void case_load(struct brine_ctx *ctx, struct fixture *f,
                      const char *name)
{
  char bundle[256], root[256], art[256], key[256];
  snprintf(bundle, sizeof(bundle), CONF "%s/bundle.sigstore.json", name);
  snprintf(root, sizeof(root), CONF "%s/trusted_root.json", name);
  snprintf(art, sizeof(art), CONF "%s/artifact", name);
  snprintf(key, sizeof(key), CONF "%s/key.pub", name);
  fixture_load(ctx, f, bundle, exists(root) ? root : NULL,
               exists(art) ? art : CONF "a.txt", exists(key) ? key : NULL);
}

static void fixture_free(struct brine_ctx *ctx, struct fixture *f)
{
  brinei_tlog_entry_free(ctx, &f->e);
  brinei_trustroot_free(ctx, &f->tr);
  free(f->sig);
  free(f->payload);
  free(f->leaf);
  free(f->payload_type);
  free(f->key_pem);
  json_decref(f->bundle);
}

static brine_result verify(struct brine_ctx *ctx, struct fixture *f,
                           int64_t *t)
{
  int64_t dummy;
  brinei_clear_error(ctx);
  return brinei_tlog_verify(ctx, &f->tr, &f->e, &f->s, f->version >= 2,
                            f->version == 1, t ? t : &dummy);
}

/* Replace the checkpoint text of a parsed entry. */
static void set_checkpoint(struct brine_ctx *ctx, struct brinei_tlog_entry *e,
                           const char *text)
{
  brinei_free(ctx, e->checkpoint);
  e->checkpoint = brinei_strndup(ctx, text, strlen(text));
  assert_non_null(e->checkpoint);
}

/* The trusted log whose baseUrl is url. */
static struct brinei_log *find_log(struct brinei_trustroot *tr,
                                   const char *url)
{
  for(size_t i = 0; i < tr->ntlogs; i++)
    if(!strcmp(tr->tlogs[i].base_url, url))
      return &tr->tlogs[i];
  fail_msg("no log %s", url);
  return NULL;
}

/* ---- every conformance case ------------------------------------------- */

/* What tlog.c must say about each case's first tlog entry: OK when the
   entry is sound (the case fails, if it does, for a reason outside the log
   entry), else the result and a phrase of the message. Left out: the
   cases whose bundle cannot be read this far (malformed JSON, invalid
   base64 signature, negative log index — test_parse_conformance —, an
   unknown media type) and trust-root-tlog-missing-validity-start_fail
   (the trusted root parser rejects it). */
static const struct tcase {
  const char *name;
  brine_result want;
  const char *msg;
} cases[] = {
  { "bundle-empty-certificate-chain_fail", BRINE_E_MALFORMED,
    "spec is missing" },
  { "bundle-from-wrong-instance_fail", BRINE_E_BADSIG,
    "log the trusted root does not know" },
  { "bundle-with-root-cert_fail", BRINE_OK, NULL },
  { "bundle-with-sct-with-extensions", BRINE_OK, NULL },
  { "checkpoint-bad-keyhint_fail", BRINE_E_BADSIG,
    "no signature by the log's key (key hint c0d23d6a)" },
  { "checkpoint-wrong-roothash_fail", BRINE_E_BADSIG,
    "checkpoint is for tree size 75610772" },
  { "dsse-invalid-sig_fail", BRINE_E_BADSIG,
    "signature in the log entry is not the bundle's" },
  { "dsse-mismatch-envelope_fail", BRINE_E_BADSIG,
    "payloadHash is not SHA-256 of the DSSE payload" },
  { "dsse-mismatch-sig_fail", BRINE_E_BADSIG,
    "signature in the log entry is not the bundle's" },
  { "happy-path-intoto-in-dsse-v3", BRINE_OK, NULL },
  { "happy-path-v0.1", BRINE_OK, NULL },
  { "happy-path-v0.2", BRINE_OK, NULL },
  { "happy-path-v0.3", BRINE_OK, NULL },
  { "happy-path-v0.3-new-mediaType", BRINE_OK, NULL },
  { "inclusion-proof-corrupted-hash_fail", BRINE_E_BADSIG,
    "inclusion proof does not lead from the entry" },
  { "incorrect-public-key_fail", BRINE_E_BADSIG,
    "certificate in the log entry is not the bundle's" },
  { "integrated-time-in-future_fail", BRINE_OK, NULL },
  { "intoto-expired-certificate_fail", BRINE_OK, NULL },
  { "intoto-log-entry-mismatch_fail", BRINE_E_BADSIG,
    "the signature in the log entry" },
  { "intoto-missing-inclusion-proof_fail", BRINE_E_BADSIG,
    "no inclusion proof" },
  { "intoto-set-outside-signing-cert-validity_fail", BRINE_OK, NULL },
  { "intoto-tsa-timestamp-outside-cert-validity_fail", BRINE_OK, NULL },
  { "intoto-with-custom-trust-root", BRINE_OK, NULL },
  { "invalid-checkpoint-signature_fail", BRINE_E_BADSIG,
    "checkpoint signature of rekor.sigstore.dev does not verify" },
  { "invalid-ct-key_fail", BRINE_OK, NULL },
  { "invalid-inclusion-proof_fail", BRINE_E_BADSIG, "inclusion proof" },
  { "managed-key-and-trusted-root", BRINE_OK, NULL },
  { "managed-key-happy-path", BRINE_OK, NULL },
  { "managed-key-no-key_fail", BRINE_E_BADSIG, "no certificate or key" },
  /* its key.pub is not a key at all (the CLI fails to load it first) */
  { "managed-key-wrong-key_fail", BRINE_E_MALFORMED,
    "not a PEM public key" },
  { "message-digest-mismatch_fail", BRINE_OK, NULL },
  { "rekor2-checkpoint-cosigned", BRINE_OK, NULL },
  { "rekor2-checkpoint-missing-log-signature_fail", BRINE_E_BADSIG,
    "no signature lines" },
  { "rekor2-checkpoint-missing-origin_fail", BRINE_E_BADSIG,
    "fewer than three lines" },
  { "rekor2-checkpoint-missing-root-hash_fail", BRINE_E_BADSIG,
    "fewer than three lines" },
  { "rekor2-checkpoint-missing-size_fail", BRINE_E_BADSIG,
    "fewer than three lines" },
  { "rekor2-checkpoint-multiple-cosigs", BRINE_OK, NULL },
  { "rekor2-checkpoint-no-matching-signature_fail", BRINE_E_BADSIG,
    "signed as \"log2025-alpha1.rekor.github.dev\", which is not the log" },
  { "rekor2-checkpoint-origin-not-first", BRINE_OK, NULL },
  { "rekor2-checkpoint-two-sigs-cosigned", BRINE_OK, NULL },
  { "rekor2-checkpoint-two-sigs-from-origin", BRINE_OK, NULL },
  { "rekor2-dsse-happy-path", BRINE_OK, NULL },
  { "rekor2-dsse-invalid-sig_fail", BRINE_E_BADSIG,
    "signature in the log entry is not the bundle's" },
  { "rekor2-dsse-mismatch-envelope_fail", BRINE_E_BADSIG,
    "not SHA-256 of the DSSE envelope's PAE" },
  { "rekor2-dsse-mismatch-sig_fail", BRINE_E_BADSIG,
    "signature in the log entry is not the bundle's" },
  { "rekor2-happy-path", BRINE_OK, NULL },
  { "rekor2-no-inclusion-proof_fail", BRINE_E_BADSIG,
    "no inclusion proof" },
  { "rekor2-no-timestamp_fail", BRINE_OK, NULL },
  { "rekor2-timestamp-outside-trust-root-tsa-validity_fail", BRINE_OK, NULL },
  { "rekor2-timestamp-outside-tsa-cert-validity_fail", BRINE_OK, NULL },
  { "rekor2-timestamp-payload-mismatch_fail", BRINE_OK, NULL },
  { "rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail", BRINE_OK,
    NULL },
  { "rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail", BRINE_OK,
    NULL },
  { "rekor2-timestamp-with-embedded-cert", BRINE_OK, NULL },
  { "rekor2-timestamp-with-expired-cert-chain", BRINE_OK, NULL },
  { "rekor2-timestamp-with-incorrect-time_fail", BRINE_OK, NULL },
  { "rekor2-timestamp-without-embedded-cert", BRINE_OK, NULL },
  { "set-invalid-signature_fail", BRINE_E_BADSIG,
    "signed entry timestamp does not verify" },
  { "signature-mismatch_fail", BRINE_E_BADSIG,
    "signature in the log entry is not the bundle's" },
  { "trust-root-tlog-validity-end-inclusive", BRINE_OK, NULL },
  { "trust-root-tsa-validity-end-inclusive", BRINE_OK, NULL },
  { "wrong-hashedrekord-artifact_fail", BRINE_E_BADSIG,
    "the log entry is for artifact sha256:d40ec3eebcb2" },
  { "wrong-hashedrekord-cert-and-sig_fail", BRINE_E_BADSIG,
    "signature in the log entry is not the bundle's" },
  { "wrong-hashedrekord-entry_fail", BRINE_E_BADSIG,
    "the log entry is for artifact sha256:9d92fa52ed0a" },
  { "wrong-material_fail", BRINE_E_BADSIG,
    "not sha256:" },
};

static void test_conformance(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  size_t ok = 0;
  (void)state;
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const struct tcase *c = &cases[i];
    struct fixture f;
    int64_t t = -1;
    brine_result rc;
    case_load(ctx, &f, c->name);
    rc = verify(ctx, &f, &t);
    if(rc != c->want)
      fail_msg("%s: result %d, want %d (%s)", c->name, rc, c->want,
               rc ? brine_last_error(ctx)->message : "ok");
    if(rc) {
      assert_int_equal(brine_last_error(ctx)->code, rc);
      if(!strstr(brine_last_error(ctx)->message, c->msg))
        fail_msg("%s: message \"%s\" lacks \"%s\"", c->name,
                 brine_last_error(ctx)->message, c->msg);
    }
    else {
      /* the time counts only when a SET vouched for it; Rekor v2 entries
         carry none */
      assert_int_equal(t, f.e.set ? f.e.integrated_time : 0);
      if(!strncmp(c->name, "rekor2-", 7))
        assert_int_equal(t, 0);
      ok++;
    }
    fixture_free(ctx, &f);
  }
  assert_int_equal(ok, 35);  /* 31, and the four intoto entries that are sound */
  free_ctx(ctx);
}

/* The brief's named happy paths, with the fields they hold. */
static void test_happy_paths(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct fixture f;
  int64_t t;
  uint8_t root[32];
  (void)state;
  case_load(ctx, &f, "happy-path-v0.3");
  assert_int_equal(f.e.log_index, 79571823);
  assert_string_equal(f.e.kind, "hashedrekord");
  assert_string_equal(f.e.version, "0.0.1");
  assert_int_equal(f.e.integrated_time, 1710869186);
  assert_non_null(f.e.set);
  assert_true(f.e.has_proof);
  assert_int_equal(f.e.proof_index, 75408392);
  assert_int_equal(f.e.tree_size, 75408393);
  assert_int_equal(f.e.nhashes, 11);
  unhex("1679e3d7752ed63764b0f7381d92daa4a5f7dbd755943e7e30636c8aa06ad573",
        root);
  assert_memory_equal(f.e.root_hash, root, 32);
  assert_true(!strncmp(f.e.checkpoint,
                       "rekor.sigstore.dev - 2605736670972794746\n75408393\n",
                       49));
  assert_true(!strncmp((char *)f.e.body, "{\"apiVersion\":\"0.0.1\"", 21));
  /* logId is SHA-256 of the production Rekor key (the root's logId) */
  assert_int_equal(f.e.log_id_len, 32);
  assert_memory_equal(f.e.log_id, f.tr.tlogs[0].log_id, 32);
  assert_int_equal(verify(ctx, &f, &t), BRINE_OK);
  assert_int_equal(t, 1710869186);
  fixture_free(ctx, &f);

  case_load(ctx, &f, "rekor2-happy-path");
  assert_string_equal(f.e.version, "0.0.2");
  assert_int_equal(f.e.integrated_time, 0);
  assert_null(f.e.set);
  assert_int_equal(f.e.log_index, 735);
  assert_int_equal(f.e.proof_index, 735);
  assert_int_equal(f.e.tree_size, 736);
  assert_int_equal(verify(ctx, &f, &t), BRINE_OK);
  assert_int_equal(t, 0);
  fixture_free(ctx, &f);

  case_load(ctx, &f, "rekor2-dsse-happy-path");
  assert_non_null(f.s.payload_type);
  assert_int_equal(verify(ctx, &f, &t), BRINE_OK);
  /* the Ed25519 checkpoint carries three witness cosignatures too */
  assert_non_null(strstr(f.e.checkpoint, "\xe2\x80\x94 witness.stagemole.eu"));
  fixture_free(ctx, &f);
  free_ctx(ctx);
}

/* model_signing's production bundles: dsse 0.0.1 on rekor.sigstore.dev. */
static void test_model_sig(void **state)
{
  static const struct {
    const char *dir;
    int64_t t;
  } models[] = {
    { "v0.3.1-sigstore", 1746234602 },
    { "v1.0.0-sigstore", 1746236086 },
    { "v1.0.1-sigstore", 1759851228 },
    { "v1.1.0-sigstore", 1760062340 },
  };
  struct brine_ctx *ctx = new_ctx();
  (void)state;
  for(size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
    char path[128];
    struct fixture f;
    int64_t t;
    snprintf(path, sizeof(path), OMS "%s/model.sig", models[i].dir);
    fixture_load(ctx, &f, path, NULL, NULL, NULL);
    assert_string_equal(f.e.kind, "dsse");
    assert_int_equal(verify(ctx, &f, &t), BRINE_OK);
    assert_int_equal(t, models[i].t);
    /* one byte of the payload changed: payloadHash no longer matches */
    f.payload[10] ^= 1;
    assert_fails(ctx, verify(ctx, &f, &t), BRINE_E_BADSIG);
    assert_msg_has(ctx, "payloadHash");
    f.payload[10] ^= 1;
    /* a different payload type does not matter to dsse 0.0.1 ... */
    f.s.payload_type = "application/json";
    assert_int_equal(verify(ctx, &f, &t), BRINE_OK);
    /* ... but a message signature cannot be logged as dsse */
    f.s.payload_type = NULL;
    f.s.digest = f.digest;
    assert_fails(ctx, verify(ctx, &f, &t), BRINE_E_BADSIG);
    assert_msg_has(ctx, "without a DSSE envelope");
    fixture_free(ctx, &f);
  }
  free_ctx(ctx);
}

/* ---- parsing ---------------------------------------------------------- */

static void test_parse_conformance(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  json_t *b = load_json(CONF "bundle-negative-log-index_fail/"
                        "bundle.sigstore.json");
  json_t *e = json_array_get(dig(b, "verificationMaterial.tlogEntries"), 0);
  struct brinei_tlog_entry te;
  (void)state;
  assert_string_equal(json_string_value(json_object_get(e, "logIndex")),
                      "-1");
  assert_fails(ctx, brinei_tlog_entry_parse(ctx, e, &te), BRINE_E_MALFORMED);
  assert_msg_has(ctx, "logIndex is negative");
  json_decref(b);
  free_ctx(ctx);
}

/* One field of happy-path-v0.3's entry set to JSON text `val` (NULL
   deletes it); the parse must fail MALFORMED naming `msg`. */
static void parse_bad(struct brine_ctx *ctx, const char *path,
                      const char *val, const char *msg)
{
  json_t *b = load_json(CONF "happy-path-v0.3/bundle.sigstore.json");
  json_t *e = json_array_get(dig(b, "verificationMaterial.tlogEntries"), 0);
  json_t *parent = e;
  struct brinei_tlog_entry te;
  const char *dot = strrchr(path, '.');
  char head[128];
  if(dot) {
    memcpy(head, path, (size_t)(dot - path));
    head[dot - path] = 0;
    parent = dig(e, head);
    assert_non_null(parent);
  }
  if(val) {
    json_error_t err;
    json_t *v = json_loads(val, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if(!v)
      fail_msg("%s: %s", val, err.text);
    json_object_set_new(parent, dot ? dot + 1 : path, v);
  }
  else
    json_object_del(parent, dot ? dot + 1 : path);
  brinei_clear_error(ctx);
  if(brinei_tlog_entry_parse(ctx, e, &te) != BRINE_E_MALFORMED)
    fail_msg("%s = %s: parsed", path, val ? val : "(deleted)");
  assert_msg_has(ctx, msg);
  json_decref(b);
}

static void test_parse_malformed(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  char many[64 * 48 + 16];
  size_t k = 0;
  (void)state;
  parse_bad(ctx, "logIndex", "\"12a\"", "logIndex is not a decimal integer");
  parse_bad(ctx, "logIndex", "\"\"", "logIndex is an empty number");
  parse_bad(ctx, "logIndex", "\"-\"", "logIndex is an empty number");
  parse_bad(ctx, "logIndex", "\" 1\"", "logIndex is not a decimal");
  parse_bad(ctx, "logIndex", "1.5", "logIndex must be a string");
  parse_bad(ctx, "logIndex", "-3", "logIndex is negative");
  parse_bad(ctx, "logIndex", "\"9223372036854775808\"",
            "logIndex is out of range");
  parse_bad(ctx, "integratedTime", "\"-1710869186\"",
            "integratedTime is negative");
  parse_bad(ctx, "logId", NULL, "logId is missing");
  parse_bad(ctx, "logId.keyId", "\"\"", "keyId is 0 bytes");
  parse_bad(ctx, "logId.keyId", "\"wNI9atQGlz+VWfO6LRy*H4QUfY\"",
            "logId.keyId: base64: invalid character");
  parse_bad(ctx, "kindVersion.kind", "\"hashedrekordhashedrekordhashedrek\"",
            "kindVersion.kind must be 1 to 31 characters");
  parse_bad(ctx, "kindVersion.version", "\"\"", "version must be 1 to 15");
  parse_bad(ctx, "kindVersion.kind", "\"dss\\u0000e\"", "kind must be 1 to");
  parse_bad(ctx, "kindVersion", "[]", "kindVersion must be an object");
  parse_bad(ctx, "inclusionPromise.signedEntryTimestamp", "\"MEYCIQ%\"",
            "signedEntryTimestamp: base64");
  parse_bad(ctx, "inclusionProof.rootHash",
            "\"Fnnj13Uu1jdksPc4HZLapKX329dVlD5+MGNsiqBq1Q==\"",
            "rootHash is 31 bytes, not 32");
  parse_bad(ctx, "inclusionProof.rootHash", NULL, "rootHash is missing");
  parse_bad(ctx, "inclusionProof.treeSize", "{}", "treeSize must be");
  parse_bad(ctx, "inclusionProof.hashes",
            "[\"1J7hRIEGvYdAyzEs+GhAE9L+38oHye3BhalgoQRZoo4=\", "
            "\"W/OUCkh/lqDDwbBkZgP7eTV/wx4WifD1wtfRLbavfxIA\"]",
            "hashes[1] is 33 bytes, not 32");
  parse_bad(ctx, "inclusionProof.hashes", "[1]",
            "hashes[0] must be a string");
  parse_bad(ctx, "inclusionProof.hashes", "\"x\"", "hashes must be an array");
  parse_bad(ctx, "inclusionProof.checkpoint.envelope", "7",
            "envelope must be a string");
  parse_bad(ctx, "inclusionProof.checkpoint.envelope", "\"a\\u0000b\"",
            "envelope must be text");
  parse_bad(ctx, "canonicalizedBody", NULL, "canonicalizedBody is missing");
  parse_bad(ctx, "canonicalizedBody", "\"eyJh=cGk\"",
            "canonicalizedBody: base64");
  /* 65 hashes: no tree of int64 size needs more than 63 */
  many[k++] = '[';
  for(int i = 0; i < 65; i++)
    k += (size_t)snprintf(many + k, sizeof(many) - k, "%s\"%s\"",
                          i ? "," : "",
                          "1J7hRIEGvYdAyzEs+GhAE9L+38oHye3BhalgoQRZoo4=");
  many[k++] = ']';
  many[k] = 0;
  parse_bad(ctx, "inclusionProof.hashes", many, "has 65 hashes");
  free_ctx(ctx);
}

/* What protobuf JSON allows beyond the plain spelling. */
static void test_parse_proto_json(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  json_t *b = load_json(CONF "rekor2-happy-path/bundle.sigstore.json");
  json_t *e = json_array_get(dig(b, "verificationMaterial.tlogEntries"), 0);
  struct brinei_tlog_entry te;
  const char *h0;
  char url[64];
  (void)state;
  /* int64 as a JSON number; a default value left out or null */
  json_object_set_new(e, "logIndex", json_integer(735));
  json_object_set_new(e, "integratedTime", json_null());
  json_object_set_new(e, "inclusionPromise", json_null());
  /* bytes in the URL-safe alphabet without padding */
  h0 = json_string_value(json_array_get(dig(e, "inclusionProof.hashes"), 0));
  assert_true(strlen(h0) == 44 && h0[43] == '=');
  memcpy(url, h0, 43);
  url[43] = 0;
  for(char *p = url; *p; p++)
    *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
  json_array_set_new(dig(e, "inclusionProof.hashes"), 0, json_string(url));
  assert_int_equal(brinei_tlog_entry_parse(ctx, e, &te), BRINE_OK);
  assert_int_equal(te.log_index, 735);
  assert_int_equal(te.integrated_time, 0);
  assert_null(te.set);
  assert_int_equal(te.nhashes, 8);
  brinei_tlog_entry_free(ctx, &te);
  /* an absent list of hashes is an empty one */
  json_object_del(dig(e, "inclusionProof"), "hashes");
  json_object_del(dig(e, "inclusionProof"), "checkpoint");
  assert_int_equal(brinei_tlog_entry_parse(ctx, e, &te), BRINE_OK);
  assert_int_equal(te.nhashes, 0);
  assert_null(te.hashes);
  assert_null(te.checkpoint);
  assert_true(te.has_proof);
  brinei_tlog_entry_free(ctx, &te);
  /* not an object at all */
  assert_fails(ctx, brinei_tlog_entry_parse(ctx, json_array_get(
                        dig(e, "inclusionProof.hashes"), 0), &te),
               BRINE_E_MALFORMED);
  json_decref(b);
  free_ctx(ctx);
}

/* ---- SET -------------------------------------------------------------- */

/* Every field of the SET's canonical JSON is covered by the signature. */
static void test_set(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct fixture f;
  int64_t t;
  (void)state;
  case_load(ctx, &f, "happy-path-v0.1");
  assert_int_equal(verify(ctx, &f, &t), BRINE_OK);
  assert_int_equal(t, 1689177396);
  f.e.integrated_time++;
  assert_fails(ctx, verify(ctx, &f, &t), BRINE_E_BADSIG);
  assert_msg_has(ctx, "signed entry timestamp does not verify with the key "
                 "of https://rekor.sigstore.dev (integratedTime 1689177397");
  f.e.integrated_time--;
  f.e.log_index++;
  assert_fails(ctx, verify(ctx, &f, &t), BRINE_E_BADSIG);
  assert_msg_has(ctx, "signed entry timestamp");
  f.e.log_index--;
  f.e.set[f.e.set_len - 1] ^= 1;
  assert_fails(ctx, verify(ctx, &f, &t), BRINE_E_BADSIG);
  assert_msg_has(ctx, "signed entry timestamp");
  f.e.set[f.e.set_len - 1] ^= 1;
  assert_int_equal(verify(ctx, &f, &t), BRINE_OK);

  /* v0.1 requires a SET; v0.2+ do not, and then no time is vouched for */
  brinei_free(ctx, f.e.set);
  f.e.set = NULL;
  f.e.set_len = 0;
  assert_fails(ctx, verify(ctx, &f, &t), BRINE_E_BADSIG);
  assert_msg_has(ctx, "no signed entry timestamp");
  f.version = 2;
  t = -1;
  assert_int_equal(verify(ctx, &f, &t), BRINE_OK);
  assert_int_equal(t, 0);
  /* neither a SET nor a proof, even when neither is required */
  f.e.has_proof = false;
  assert_fails(ctx, brinei_tlog_verify(ctx, &f.tr, &f.e, &f.s, false, false,
                                       &t), BRINE_E_BADSIG);
  assert_msg_has(ctx, "neither an inclusion proof nor a signed entry");
  fixture_free(ctx, &f);
  free_ctx(ctx);
}

/* The trusted root's validFor bounds the time a SET vouches for, both
   ends inclusive. */
static void test_log_validity(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct fixture f;
  int64_t t;
  (void)state;
  case_load(ctx, &f, "trust-root-tlog-validity-end-inclusive");
  assert_int_equal(f.tr.tlogs[0].valid.end, f.e.integrated_time);
  assert_int_equal(verify(ctx, &f, &t), BRINE_OK);
  f.tr.tlogs[0].valid.end--;
  assert_fails(ctx, verify(ctx, &f, &t), BRINE_E_BADSIG);
  assert_msg_has(ctx, "integratedTime 1689177396 is outside the validity");
  f.tr.tlogs[0].valid.end = BRINEI_TIME_MAX;
  f.tr.tlogs[0].valid.start = f.e.integrated_time;
  assert_int_equal(verify(ctx, &f, &t), BRINE_OK);
  f.tr.tlogs[0].valid.start++;
  assert_fails(ctx, verify(ctx, &f, &t), BRINE_E_BADSIG);
  assert_msg_has(ctx, "outside the validity");
  /* the same log listed again (a later entry of the root, as after a
     change of validity) with a window that holds the time */
  {
    struct brinei_log *more = brinei_realloc(
        ctx, f.tr.tlogs, (f.tr.ntlogs + 1) * sizeof(*more));
    assert_non_null(more);
    f.tr.tlogs = more;
    more[f.tr.ntlogs] = more[0];
    more[f.tr.ntlogs].valid.start = 0;
    f.tr.ntlogs++;
    assert_int_equal(verify(ctx, &f, &t), BRINE_OK);
    assert_int_equal(t, f.e.integrated_time);
    f.tr.ntlogs--;   /* the copy shares the key and URL of tlogs[0] */
  }
  fixture_free(ctx, &f);
  free_ctx(ctx);
}

/* ---- inclusion proof and checkpoint ----------------------------------- */

static void test_proof_mutations(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct fixture f;
  uint8_t tmp[32];
  (void)state;
  case_load(ctx, &f, "happy-path-v0.3");
  assert_int_equal(verify(ctx, &f, NULL), BRINE_OK);
  /* two neighbouring hashes swapped */
  memcpy(tmp, f.e.hashes[2], 32);
  memcpy(f.e.hashes[2], f.e.hashes[3], 32);
  memcpy(f.e.hashes[3], tmp, 32);
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "inclusion proof does not lead");
  memcpy(f.e.hashes[3], f.e.hashes[2], 32);
  memcpy(f.e.hashes[2], tmp, 32);
  assert_int_equal(verify(ctx, &f, NULL), BRINE_OK);
  /* one hash short, then one too many */
  f.e.nhashes--;
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "inclusion proof has 10 hashes; entry 75408392 of a "
                 "tree of size 75408393 needs 11");
  f.e.nhashes++;
  /* another index of the same tree */
  f.e.proof_index--;
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "inclusion proof");
  f.e.proof_index = f.e.tree_size;
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "is not inside a tree of size");
  f.e.proof_index = f.e.tree_size - 1;
  /* the body is the leaf: one byte changed breaks the proof (the body
     check passes: spaces are insignificant to JSON) */
  {
    uint8_t *p = memchr(f.e.body, ',', f.e.body_len);
    uint8_t *nb = brinei_malloc(ctx, f.e.body_len + 1);
    size_t at = (size_t)(p - f.e.body) + 1;
    assert_non_null(nb);
    memcpy(nb, f.e.body, at);
    nb[at] = ' ';
    memcpy(nb + at + 1, f.e.body + at, f.e.body_len - at);
    brinei_free(ctx, f.e.body);
    f.e.body = nb;
    f.e.body_len++;
    /* the SET falls first: it signs the body too */
    assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
    assert_msg_has(ctx, "signed entry timestamp");
    brinei_free(ctx, f.e.set);
    f.e.set = NULL;
    assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
    assert_msg_has(ctx, "inclusion proof does not lead");
  }
  fixture_free(ctx, &f);

  /* a proof without its checkpoint: required from v0.2 on, while a v0.1
     bundle's SET vouches for the entry */
  case_load(ctx, &f, "happy-path-v0.1");
  brinei_free(ctx, f.e.checkpoint);
  f.e.checkpoint = NULL;
  assert_int_equal(verify(ctx, &f, NULL), BRINE_OK);
  f.version = 2;
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "no signed checkpoint");
  fixture_free(ctx, &f);
  free_ctx(ctx);
}

/* Variants of real checkpoints: the signed note format, the key hint,
   names, and witness lines in any order. */
static void test_checkpoint_mutations(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct fixture f;
  struct brinei_log *log;
  char *orig, buf[4096], *sig;
  const char *witness =
      "\xe2\x80\x94 witness.example O8PH5AAAAABopO8+4O9uzScQrNEnGdKLYXSPoUjH1Se"
      "4n92W+wT/j5Kel/4J2XWE4bEe9bpIVUD6EGOeUDFkSWz/rbDhvVcJ/2OrDw==\n";
  size_t note_len;
  (void)state;
  case_load(ctx, &f, "rekor2-happy-path");
  log = find_log(&f.tr, "https://log2025-alpha1.rekor.sigstage.dev");
  orig = strdup(f.e.checkpoint);
  sig = strstr(orig, "\n\n") + 2;
  note_len = (size_t)(sig - orig) - 1;
  assert_int_equal(verify(ctx, &f, NULL), BRINE_OK);

  /* witness lines after and before the log's line */
  snprintf(buf, sizeof(buf), "%s%s%s", orig, witness, witness);
  set_checkpoint(ctx, &f.e, buf);
  assert_int_equal(verify(ctx, &f, NULL), BRINE_OK);
  snprintf(buf, sizeof(buf), "%.*s\n%s%s", (int)note_len, orig, witness,
           sig);
  set_checkpoint(ctx, &f.e, buf);
  assert_int_equal(verify(ctx, &f, NULL), BRINE_OK);
  /* only a witness signs */
  snprintf(buf, sizeof(buf), "%.*s\n%s", (int)note_len, orig, witness);
  set_checkpoint(ctx, &f.e, buf);
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "no signature by the log's key (key hint f30d5a99); "
                 "1 other signature line(s) ignored");
  /* no final newline */
  snprintf(buf, sizeof(buf), "%.*s", (int)strlen(orig) - 1, orig);
  set_checkpoint(ctx, &f.e, buf);
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "does not end with a newline");
  /* a hyphen for the em dash */
  snprintf(buf, sizeof(buf), "%.*s\n- %s", (int)note_len, orig, sig + 4);
  set_checkpoint(ctx, &f.e, buf);
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "does not start with");
  /* no blank line at all */
  snprintf(buf, sizeof(buf), "%.*s%s", (int)note_len, orig, sig);
  set_checkpoint(ctx, &f.e, buf);
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "no blank line");
  /* an empty line among the signatures */
  snprintf(buf, sizeof(buf), "%s\n%s", orig, witness);
  set_checkpoint(ctx, &f.e, buf);
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "does not start with");
  /* a signature too short to hold a key hint and a signature */
  snprintf(buf, sizeof(buf), "%.*s\n\xe2\x80\x94 log2025-alpha1.rekor."
           "sigstage.dev 8w1amQ==\n", (int)note_len, orig);
  set_checkpoint(ctx, &f.e, buf);
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "does not hold a key hint and a signature");
  /* no name */
  snprintf(buf, sizeof(buf), "%.*s\n\xe2\x80\x94 %s", (int)note_len, orig,
           strchr(sig + 4, ' ') + 1);
  set_checkpoint(ctx, &f.e, buf);
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "has no key name");
  /* the tree size with a leading zero (tlog-checkpoint: none allowed) */
  snprintf(buf, sizeof(buf), "log2025-alpha1.rekor.sigstage.dev\n0736\n%s",
           strchr(strchr(orig, '\n') + 1, '\n') + 1);
  set_checkpoint(ctx, &f.e, buf);
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "tree size \"0736\" is not a decimal number");
  /* a root hash that is not base64 */
  snprintf(buf, sizeof(buf), "log2025-alpha1.rekor.sigstage.dev\n736\n"
           "rs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI\n\n%s", sig);
  set_checkpoint(ctx, &f.e, buf);
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "root hash");
  /* an extension line changes the signed note */
  snprintf(buf, sizeof(buf), "%.*s\nTimestamp: 1\n\n%s", (int)note_len - 1,
           orig, sig);
  set_checkpoint(ctx, &f.e, buf);
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "does not verify with the log's key");
  /* the log's name under another (self-consistent) key hint is ignored */
  log->checkpoint_id[0] ^= 1;
  set_checkpoint(ctx, &f.e, orig);
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "no signature by the log's key");
  log->checkpoint_id[0] ^= 1;
  /* the log known under another base URL: the name does not match it */
  set_url(ctx, log, "https://log2025-alpha1.rekor.example");
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "signed as \"log2025-alpha1.rekor.sigstage.dev\", "
                 "which is not the log https://log2025-alpha1.rekor.example");
  /* host case, a port and a path do not matter */
  set_url(ctx, log, "https://LOG2025-alpha1.rekor.sigstage.dev:443/api");
  assert_int_equal(verify(ctx, &f, NULL), BRINE_OK);
  free(orig);
  fixture_free(ctx, &f);

  /* Rekor v1: the origin carries " - <tree id>" after the name */
  case_load(ctx, &f, "happy-path-v0.2");
  orig = strdup(f.e.checkpoint);
  assert_int_equal(verify(ctx, &f, NULL), BRINE_OK);
  /* a name that is not the origin's host */
  snprintf(buf, sizeof(buf), "%s", orig);
  memcpy(buf, "rekor.sigstore.dex", 18);
  set_checkpoint(ctx, &f.e, buf);
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "checkpoint origin \"rekor.sigstore.dex - "
                 "2605736670972794746\" is not the log");
  free(orig);
  fixture_free(ctx, &f);
  free_ctx(ctx);
}

/* ---- body consistency ------------------------------------------------- */

/* Replace the body (and so the entry): only the body check is reached
   before the SET and the proof fail, so the result says what the body
   check thought. */
static void set_body(struct brine_ctx *ctx, struct brinei_tlog_entry *e,
                     const char *json)
{
  brinei_free(ctx, e->body);
  e->body = (uint8_t *)brinei_strndup(ctx, json, strlen(json));
  assert_non_null(e->body);
  e->body_len = strlen(json);
}

/* Body of `f` as a jansson document (test side). */
static json_t *body_doc(struct fixture *f)
{
  json_error_t err;
  json_t *d = json_loadb((const char *)f->e.body, f->e.body_len, 0, &err);
  assert_non_null(d);
  return d;
}

static void put_body(struct brine_ctx *ctx, struct fixture *f, json_t *d)
{
  char *s = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
  assert_non_null(s);
  set_body(ctx, &f->e, s);
  free(s);
}

static void test_body(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct fixture f;
  json_t *d;
  size_t n;
  (void)state;

  /* hashedrekord 0.0.1 */
  case_load(ctx, &f, "happy-path-v0.3");
  d = body_doc(&f);
  json_object_set_new(dig(d, "spec.data.hash"), "algorithm",
                      json_string("sha512"));
  put_body(ctx, &f, d);
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_UNSUPPORTED);
  assert_msg_has(ctx, "sha512");
  json_object_set_new(dig(d, "spec.data.hash"), "algorithm",
                      json_string("sha256"));
  json_object_set_new(dig(d, "spec.data.hash"), "value", json_string(
      "A0CFC71271D6E278E57CD332FF957C3F7043FDDA354C4CBB190A30D56EFA01BF"));
  put_body(ctx, &f, d);  /* uppercase hex is the same digest */
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "signed entry timestamp");
  json_object_set_new(dig(d, "spec"), "data", json_string("x"));
  put_body(ctx, &f, d);
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_MALFORMED);
  assert_msg_has(ctx, "log entry body: spec.data must be an object");
  json_decref(d);
  set_body(ctx, &f.e, "{\"kind\":\"hashedrekord\",\"kind\":\"x\"}");
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_MALFORMED);
  assert_msg_has(ctx, "duplicate key");
  set_body(ctx, &f.e, "{\"apiVersion\":\"0.0.2\",\"kind\":\"hashedrekord\","
           "\"spec\":{}}");
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "body is hashedrekord 0.0.2, its kindVersion says "
                 "hashedrekord 0.0.1");
  set_body(ctx, &f.e, "[1]");
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_MALFORMED);
  fixture_free(ctx, &f);

  /* hashedrekord 0.0.1 cannot carry a DSSE envelope; without an artifact
     digest nothing can be compared */
  case_load(ctx, &f, "happy-path-v0.3");
  f.s.payload_type = "application/vnd.in-toto+json";
  f.s.payload = (const uint8_t *)"{}";
  f.s.payload_len = 2;
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "cannot log a DSSE envelope");
  f.s.payload_type = NULL;
  f.s.digest = NULL;
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "no artifact digest");
  f.s.digest = f.digest;
  /* a key bundle against a certificate entry */
  f.s.leaf_der = NULL;
  f.key_pem = slurp(CONF "managed-key-happy-path/key.pub", &n);
  f.s.key_pem = (const uint8_t *)f.key_pem;
  f.s.key_pem_len = n;
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "public key in the log entry is not the bundle's key");
  fixture_free(ctx, &f);

  /* a certificate bundle against a key entry */
  case_load(ctx, &f, "managed-key-happy-path");
  assert_int_equal(verify(ctx, &f, NULL), BRINE_OK);
  {
    struct fixture g;
    case_load(ctx, &g, "happy-path-v0.3");
    f.s.leaf_der = g.s.leaf_der;
    f.s.leaf_len = g.s.leaf_len;
    f.s.key_pem = NULL;
    assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
    assert_msg_has(ctx, "names a verifier that is not a certificate");
    /* the same key in PEM with CRLF line ends and no final newline is the
       same key: compared as keys, not text */
    f.s.leaf_der = NULL;
    {
      char crlf[512];
      size_t k = 0, len = strlen(f.key_pem);
      assert_true(len < 250 && f.key_pem[len - 1] == '\n');
      for(size_t i = 0; i + 1 < len; i++) {
        if(f.key_pem[i] == '\n')
          crlf[k++] = '\r';
        crlf[k++] = f.key_pem[i];
      }
      f.s.key_pem = (const uint8_t *)crlf;
      f.s.key_pem_len = k;
      assert_int_equal(verify(ctx, &f, NULL), BRINE_OK);
    }
    fixture_free(ctx, &g);
  }
  fixture_free(ctx, &f);

  /* hashedrekord 0.0.2 */
  case_load(ctx, &f, "rekor2-happy-path");
  d = body_doc(&f);
  json_object_set_new(dig(d, "spec.hashedRekordV002.data"), "algorithm",
                      json_string("SHA2_384"));
  put_body(ctx, &f, d);
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_UNSUPPORTED);
  assert_msg_has(ctx, "SHA2_384");
  json_object_set_new(dig(d, "spec.hashedRekordV002.data"), "algorithm",
                      json_string("SHA2_256"));
  json_object_set_new(dig(d, "spec.hashedRekordV002.signature.verifier"),
                      "publicKey", json_pack("{s:s}", "rawBytes", "AA=="));
  put_body(ctx, &f, d);
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_MALFORMED);
  assert_msg_has(ctx, "one of x509Certificate and publicKey");
  json_object_del(dig(d, "spec.hashedRekordV002.signature.verifier"),
                  "x509Certificate");
  put_body(ctx, &f, d);
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "names a public key; the bundle has a certificate");
  json_decref(d);
  fixture_free(ctx, &f);
  /* the artifact's digest is what 0.0.2 logs */
  case_load(ctx, &f, "rekor2-happy-path");
  f.digest[31] ^= 0x80;
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "the log entry's digest is not the artifact's");
  f.digest[31] ^= 0x80;
  f.leaf[f.s.leaf_len - 1] ^= 1;
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "certificate in the log entry is not the bundle's");
  fixture_free(ctx, &f);

  /* dsse 0.0.1 */
  case_load(ctx, &f, "happy-path-intoto-in-dsse-v3");
  d = body_doc(&f);
  json_array_append(json_object_get(dig(d, "spec"), "signatures"),
                    json_array_get(json_object_get(dig(d, "spec"),
                                                   "signatures"), 0));
  put_body(ctx, &f, d);
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "the log entry has 2 signatures; exactly one");
  json_array_remove(json_object_get(dig(d, "spec"), "signatures"), 1);
  json_object_set_new(dig(d, "spec.payloadHash"), "algorithm",
                      json_string("sha384"));
  put_body(ctx, &f, d);
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_UNSUPPORTED);
  json_decref(d);
  fixture_free(ctx, &f);
  case_load(ctx, &f, "happy-path-intoto-in-dsse-v3");
  assert_int_equal(verify(ctx, &f, NULL), BRINE_OK);
  f.leaf[f.s.leaf_len / 2] ^= 1;
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "certificate in the log entry is not the bundle's");
  f.leaf[f.s.leaf_len / 2] ^= 1;
  f.s.leaf_len--;
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "certificate in the log entry is not the bundle's");
  fixture_free(ctx, &f);

  /* rekor2 DSSE: hashedrekord 0.0.2 over SHA-256(PAE(type, payload)) */
  case_load(ctx, &f, "rekor2-dsse-happy-path");
  f.s.payload_type = "application/vnd.in-toto+jsoN";
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "PAE");
  f.s.payload_type = f.payload_type;
  f.s.payload_len--;
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "PAE");
  fixture_free(ctx, &f);
  free_ctx(ctx);
}

/* Kinds, logs and the bundle version's requirements. */
static void test_entry_rules(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct fixture f;
  (void)state;
  case_load(ctx, &f, "happy-path-v0.3");
  memcpy(f.e.version, "0.0.2", 6);
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "kindVersion says hashedrekord 0.0.2");
  memcpy(f.e.kind, "dsse", 5);
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_UNSUPPORTED);
  assert_msg_has(ctx, "dsse 0.0.2 log entries are not supported");
  memcpy(f.e.kind, "rekord", 7);
  memcpy(f.e.version, "0.0.1", 6);
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_UNSUPPORTED);
  memcpy(f.e.kind, "hashedrekord", 13);
  /* a log id of another length, then another id */
  f.e.log_id_len = 31;
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "a log the trusted root does not know (logId c0d23d6a");
  f.e.log_id_len = 32;
  f.e.log_id[31] ^= 1;
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "does not know");
  f.e.log_id[31] ^= 1;
  /* no proof: v0.2+ need one, v0.1 lives with the SET */
  f.e.has_proof = false;
  assert_fails(ctx, verify(ctx, &f, NULL), BRINE_E_BADSIG);
  assert_msg_has(ctx, "no inclusion proof");
  f.version = 1;
  assert_int_equal(verify(ctx, &f, NULL), BRINE_OK);
  fixture_free(ctx, &f);
  free_ctx(ctx);
}

/* ---- independent oracles: openssl over the signing inputs ------------- */

static void write_file(const char *path, const void *p, size_t n)
{
  FILE *fp = fopen(path, "wb");
  assert_non_null(fp);
  assert_int_equal(fwrite(p, 1, n, fp), n);
  fclose(fp);
}

static bool have_openssl(void)
{
  return system("openssl version >/dev/null 2>&1") == 0;
}

/* The SET signs jansson's sorted compact JSON of the four fields, and the
   checkpoint signs the note up to the blank line: openssl agrees, and so
   brine's inputs are the right ones (the same cases verify above). */
static void test_openssl_oracle(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct fixture f;
  char dir[] = "/tmp/brine-tlog-XXXXXX", cmd[1024], path[128], hex[65];
  json_t *o;
  char *canon, *env;
  uint8_t *key, *raw;
  size_t kn, rn;
  json_t *root, *tl;
  (void)state;
  if(!have_openssl()) {
    skip();
    return;
  }
  assert_non_null(mkdtemp(dir));

  /* SET of happy-path-v0.3 with the production Rekor key */
  case_load(ctx, &f, "happy-path-v0.3");
  brinei_hex(f.e.log_id, 32, hex);
  o = json_pack("{s:s, s:I, s:s, s:I}", "body",
                json_string_value(json_object_get(f.entry,
                                                  "canonicalizedBody")),
                "integratedTime", (json_int_t)f.e.integrated_time, "logID",
                hex, "logIndex", (json_int_t)f.e.log_index);
  canon = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
  snprintf(path, sizeof(path), "%s/set.json", dir);
  write_file(path, canon, strlen(canon));
  snprintf(path, sizeof(path), "%s/set.sig", dir);
  write_file(path, f.e.set, f.e.set_len);
  root = load_json(PROD_ROOT);
  tl = json_array_get(json_object_get(root, "tlogs"), 0);
  key = unb64(ctx, json_string_value(dig(tl, "publicKey.rawBytes")), &kn);
  snprintf(path, sizeof(path), "%s/rekor.der", dir);
  write_file(path, key, kn);
  free(key);
  snprintf(cmd, sizeof(cmd), "openssl dgst -sha256 -verify %s/rekor.der "
           "-keyform DER -signature %s/set.sig %s/set.json >/dev/null", dir,
           dir, dir);
  assert_int_equal(system(cmd), 0);
  /* and a changed signature does not verify, for openssl either */
  f.e.set[5] ^= 1;
  snprintf(path, sizeof(path), "%s/set.sig", dir);
  write_file(path, f.e.set, f.e.set_len);
  assert_int_not_equal(system(cmd), 0);
  free(canon);
  json_decref(o);
  json_decref(root);
  fixture_free(ctx, &f);

  /* Ed25519 checkpoint of rekor2-happy-path */
  case_load(ctx, &f, "rekor2-happy-path");
  env = f.e.checkpoint;
  snprintf(path, sizeof(path), "%s/note", dir);
  write_file(path, env, (size_t)(strstr(env, "\n\n") - env) + 1);
  {
    const char *b64 = strrchr(env, ' ') + 1;
    char line[200];
    snprintf(line, sizeof(line), "%.*s", (int)(strchr(b64, '\n') - b64), b64);
    raw = unb64(ctx, line, &rn);
  }
  assert_int_equal(rn, 4 + 64);
  assert_memory_equal(raw, find_log(&f.tr, "https://log2025-alpha1.rekor."
                                     "sigstage.dev")->checkpoint_id, 4);
  snprintf(path, sizeof(path), "%s/note.sig", dir);
  write_file(path, raw + 4, rn - 4);
  free(raw);
  root = load_json(CONF "rekor2-happy-path/trusted_root.json");
  tl = json_array_get(json_object_get(root, "tlogs"), 1);
  assert_string_equal(json_string_value(json_object_get(tl, "baseUrl")),
                      "https://log2025-alpha1.rekor.sigstage.dev");
  key = unb64(ctx, json_string_value(dig(tl, "publicKey.rawBytes")), &kn);
  snprintf(path, sizeof(path), "%s/log.der", dir);
  write_file(path, key, kn);
  free(key);
  snprintf(cmd, sizeof(cmd), "openssl pkeyutl -verify -pubin -inkey "
           "%s/log.der -keyform DER -rawin -in %s/note -sigfile %s/note.sig "
           ">/dev/null", dir, dir, dir);
  assert_int_equal(system(cmd), 0);
  json_decref(root);
  fixture_free(ctx, &f);

  snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
  assert_int_equal(system(cmd), 0);
  free_ctx(ctx);
}

/* ---- Merkle trees (RFC 6962 §2.1) ------------------------------------- */

static void leaf_hash(const uint8_t *d, size_t n, uint8_t out[32])
{
  struct brinei_md *md = brinei_md_new(BRINEI_SHA256);
  static const uint8_t zero = 0;
  assert_non_null(md);
  assert_true(brinei_md_update(md, &zero, 1));
  assert_true(brinei_md_update(md, d, n));
  assert_true(brinei_md_final(md, out));
  brinei_md_free(md);
}

static void node_hash(const uint8_t l[32], const uint8_t r[32],
                      uint8_t out[32])
{
  struct brinei_md *md = brinei_md_new(BRINEI_SHA256);
  static const uint8_t one = 1;
  assert_non_null(md);
  assert_true(brinei_md_update(md, &one, 1));
  assert_true(brinei_md_update(md, l, 32));
  assert_true(brinei_md_update(md, r, 32));
  assert_true(brinei_md_final(md, out));
  brinei_md_free(md);
}

static size_t split(size_t n)   /* largest power of two below n */
{
  size_t k = 1;
  while(k * 2 < n)
    k *= 2;
  return k;
}

/* MTH(D[n]) of leaf hashes, by the recursive definition. */
static void mth(const uint8_t (*l)[32], size_t n, uint8_t out[32])
{
  uint8_t a[32], b[32];
  size_t k;
  if(n == 1) {
    memcpy(out, l[0], 32);
    return;
  }
  k = split(n);
  mth(l, k, a);
  mth(l + k, n - k, b);
  node_hash(a, b, out);
}

/* PATH(m, D[n]) by the recursive definition; returns its length. */
static size_t rpath(size_t m, const uint8_t (*l)[32], size_t n,
                    uint8_t (*out)[32])
{
  size_t k, len;
  if(n == 1)
    return 0;
  k = split(n);
  if(m < k) {
    len = rpath(m, l, k, out);
    mth(l + k, n - k, out[len]);
  }
  else {
    len = rpath(m - k, l + k, n - k, out);
    mth(l, k, out[len]);
  }
  return len + 1;
}

/* The length of PATH(m, D[n]), by the same recursion without hashing. */
static size_t plen(size_t m, size_t n)
{
  size_t k;
  if(n == 1)
    return 0;
  k = split(n);
  return 1 + (m < k ? plen(m, k) : plen(m - k, n - k));
}

/* The certificate-transparency project's vectors (merkle_tree_test.cc). */
static void test_merkle_rfc6962(void **state)
{
  static const uint8_t inputs[8][16] = {
    { 0 }, { 0x00 }, { 0x10 }, { 0x20, 0x21 }, { 0x30, 0x31 },
    { 0x40, 0x41, 0x42, 0x43 },
    { 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57 },
    { 0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b,
      0x6c, 0x6d, 0x6e, 0x6f },
  };
  static const size_t lens[8] = { 0, 1, 1, 2, 2, 4, 8, 16 };
  static const char *const roots[8] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
  };
  static const struct {
    int64_t index, size;
    size_t n;
    const char *path[3];
  } proofs[] = {
    { 0, 8, 3, { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                 "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                 "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
    { 5, 8, 3, { "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                 "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                 "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
    { 2, 3, 1, { "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125" } },
    { 1, 5, 3, { "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                 "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                 "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" } },
  };
  uint8_t leaves[8][32], root[32], want[32], path[3][32];
  (void)state;
  for(int i = 0; i < 8; i++)
    leaf_hash(inputs[i], lens[i], leaves[i]);
  for(size_t n = 1; n <= 8; n++) {
    mth((const uint8_t (*)[32])leaves, n, root);
    unhex(roots[n - 1], want);
    assert_memory_equal(root, want, 32);
  }
  for(size_t i = 0; i < sizeof(proofs) / sizeof(proofs[0]); i++) {
    for(size_t j = 0; j < proofs[i].n; j++)
      unhex(proofs[i].path[j], path[j]);
    unhex(roots[proofs[i].size - 1], want);
    assert_true(brinei_merkle_verify(leaves[proofs[i].index],
                                     proofs[i].index, proofs[i].size,
                                     (const uint8_t (*)[32])path,
                                     proofs[i].n, want));
    /* the same path for the neighbouring leaf does not verify */
    assert_false(brinei_merkle_verify(leaves[proofs[i].index ^ 1],
                                      proofs[i].index, proofs[i].size,
                                      (const uint8_t (*)[32])path,
                                      proofs[i].n, want));
  }
  /* a one-leaf tree: the leaf is the root, the path is empty */
  unhex(roots[0], want);
  assert_true(brinei_merkle_verify(leaves[0], 0, 1, NULL, 0, want));
  assert_false(brinei_merkle_verify(leaves[0], 0, 1,
                                    (const uint8_t (*)[32])leaves, 1, want));
}

/* Every index of every tree up to 70 leaves against the recursive PATH;
   then each way of getting it wrong. */
static void test_merkle_all(void **state)
{
  enum { N = 70 };
  static uint8_t leaves[N][32], path[16][32];
  uint8_t root[32], bad[32];
  (void)state;
  for(size_t i = 0; i < N; i++) {
    uint8_t d[8];
    memcpy(d, &i, sizeof(d) < sizeof(i) ? sizeof(d) : sizeof(i));
    leaf_hash(d, sizeof(d), leaves[i]);
  }
  for(size_t n = 1; n <= N; n++) {
    mth((const uint8_t (*)[32])leaves, n, root);
    for(size_t m = 0; m < n; m++) {
      size_t len = rpath(m, (const uint8_t (*)[32])leaves, n, path);
      const uint8_t (*p)[32] = (const uint8_t (*)[32])path;
      assert_true(len <= 7);
      assert_true(brinei_merkle_verify(leaves[m], (int64_t)m, (int64_t)n, p,
                                       len, root));
      /* wrong leaf, wrong index, wrong size */
      assert_false(brinei_merkle_verify(leaves[(m + 1) % N], (int64_t)m,
                                        (int64_t)n, p, len, root));
      if(n > 1) {
        assert_false(brinei_merkle_verify(leaves[m], (int64_t)((m + 1) % n),
                                          (int64_t)n, p, len, root));
      }
      /* a size whose path for m is longer or shorter (the size itself is
         bound by the signed checkpoint, not by the path) */
      for(size_t n2 = m + 1; n2 <= N; n2++)
        if(plen(m, n2) != len)
          assert_false(brinei_merkle_verify(leaves[m], (int64_t)m,
                                            (int64_t)n2, p, len, root));
      /* a path one short or one long */
      if(len)
        assert_false(brinei_merkle_verify(leaves[m], (int64_t)m, (int64_t)n,
                                          p, len - 1, root));
      memcpy(path[len], root, 32);
      assert_false(brinei_merkle_verify(leaves[m], (int64_t)m, (int64_t)n,
                                        p, len + 1, root));
      /* each hash of the path with one bit flipped */
      for(size_t j = 0; j < len; j++) {
        path[j][j % 32] ^= 0x40;
        assert_false(brinei_merkle_verify(leaves[m], (int64_t)m, (int64_t)n,
                                          p, len, root));
        path[j][j % 32] ^= 0x40;
      }
      memcpy(bad, root, 32);
      bad[31] ^= 1;
      assert_false(brinei_merkle_verify(leaves[m], (int64_t)m, (int64_t)n,
                                        p, len, bad));
    }
  }
  /* out of range */
  assert_false(brinei_merkle_verify(leaves[0], -1, 4, NULL, 0, root));
  assert_false(brinei_merkle_verify(leaves[0], 4, 4, NULL, 0, root));
  assert_false(brinei_merkle_verify(leaves[0], 0, 0, NULL, 0, root));
  assert_false(brinei_merkle_verify(leaves[0], 0, -5, NULL, 0, root));
  assert_false(brinei_merkle_verify(leaves[0], INT64_MAX - 1, INT64_MAX,
                                    (const uint8_t (*)[32])path, 65, root));
}

/* ---- allocation failures ---------------------------------------------- */

static void test_oom(void **state)
{
  static const char *const names[] = {
    "happy-path-v0.1", "rekor2-dsse-happy-path", "managed-key-happy-path",
    "happy-path-intoto-in-dsse-v3", "rekor2-checkpoint-multiple-cosigs",
  };
  struct brine_ctx *ctx = new_ctx();
  (void)state;
  for(size_t c = 0; c < sizeof(names) / sizeof(names[0]); c++) {
    struct fixture f;
    bool parsed = false, verified = false;
    case_load(ctx, &f, names[c]);
    for(uint64_t k = 1; k < 2000 && !(parsed && verified); k++) {
      struct brinei_tlog_entry e;
      brine_result rc;
      int64_t t;
      size_t before = brine_ctx_mem_used(ctx);
      brine_ctx_fail_alloc_after(ctx, k);
      rc = brinei_tlog_entry_parse(ctx, f.entry, &e);
      if(!rc) {
        parsed = true;
        rc = brinei_tlog_verify(ctx, &f.tr, &e, &f.s, f.version >= 2,
                                f.version == 1, &t);
        if(!rc)
          verified = true;
        brinei_tlog_entry_free(ctx, &e);
      }
      brine_ctx_fail_alloc_after(ctx, 0);
      if(rc && rc != BRINE_E_NOMEM)
        fail_msg("%s, allocation %llu fails: %d %s", names[c],
                 (unsigned long long)k, rc, brine_last_error(ctx)->message);
      assert_int_equal(brine_ctx_mem_used(ctx), before);
    }
    assert_true(parsed && verified);
    fixture_free(ctx, &f);
  }
  free_ctx(ctx);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_conformance),
    cmocka_unit_test(test_happy_paths),
    cmocka_unit_test(test_model_sig),
    cmocka_unit_test(test_parse_conformance),
    cmocka_unit_test(test_parse_malformed),
    cmocka_unit_test(test_parse_proto_json),
    cmocka_unit_test(test_set),
    cmocka_unit_test(test_log_validity),
    cmocka_unit_test(test_proof_mutations),
    cmocka_unit_test(test_checkpoint_mutations),
    cmocka_unit_test(test_body),
    cmocka_unit_test(test_entry_rules),
    cmocka_unit_test(test_openssl_oracle),
    cmocka_unit_test(test_merkle_rfc6962),
    cmocka_unit_test(test_merkle_all),
    cmocka_unit_test(test_oom),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
