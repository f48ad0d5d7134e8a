/* sign/oms.c: OMS payloads, DSSE PAE, Sigstore bundles, statements.
 *
 * Reference data comes from outside brine: the 13 signature files written
 * by the Python model_signing tool over its versions (tests/data/oms/, with
 * the keys and certificates they were made with), file digests from
 * sha256sum, CPython's bytes repr for the v0.2 compat PAE, the DSSE
 * protocol's own example, and tests/unit/oms_verify.py, which checks the
 * bundles brine writes with python3-cryptography (no brine code). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "sign/oms.h"
#include "testutil.h"

#define OMS "tests/data/oms/"
#define OMSKEYS OMS "keys/certificate/"
#define KEYS "tests/data/keys/"
#define PYTHON "/usr/bin/python3"
#define VERIFY_PY "tests/unit/oms_verify.py"

/* sha256sum of the golden model files */
#define D_CERT1 "f6310066c7320497ea554260c32c43660bff648cb2a61194832cc086077085e1"
#define D_KEY1 "bc9a717db6064a32cbe9eae6fc40651dd6d36ef1757183f590eff2b1765d7ebc"
#define D_2 "32dcb1f8e1ae52d5963e56a6ba06ab58b424c15ed2a6b70d2feca1d089370028"
/* subject digests of the signed statements (python3 json + base64) */
#define R_CERT "61d4849d9d90076d6215f4d525f13d6574af8e3f67aef3e6f36fc40a14fdd226"
#define R_KEY "92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4"
#define R_SINGLE "afa48c8674afe334b8a7dea34f7b46ab256e9255edf8da2132792341b667a45b"
#define OMS_HINT "e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e"

/* ---- helpers ---- */

/* Standard base64 (test side, plain). url: URL-safe alphabet, no padding. */
static char *b64enc(const uint8_t *p, size_t n, bool url)
{
  const char *a = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                        "0123456789-_"
                      : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                        "0123456789+/";
  char *s = malloc(n / 3 * 4 + 5), *o = s;
  size_t i;
  assert_non_null(s);
  for(i = 0; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
    *o++ = a[v >> 18];
    *o++ = a[(v >> 12) & 63];
    *o++ = a[(v >> 6) & 63];
    *o++ = a[v & 63];
  }
  if(n - i) {
    uint32_t v = (uint32_t)p[i] << 16 | (n - i == 2 ? (uint32_t)p[i + 1] << 8
                                                    : 0);
    *o++ = a[v >> 18];
    *o++ = a[(v >> 12) & 63];
    if(n - i == 2)
      *o++ = a[(v >> 6) & 63];
    else if(!url)
      *o++ = '=';
    if(!url)
      *o++ = '=';
  }
  *o = 0;
  return s;
}

/* Parse a jansson document as a bundle. */
static brine_result parse_json(struct brine_ctx *ctx, const json_t *doc,
                               struct brinei_oms_bundle *b)
{
  char *s = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
  brine_result rc;
  assert_non_null(s);
  rc = brinei_oms_bundle_parse(ctx, s, strlen(s), b);
  free(s);
  return rc;
}

static brine_result parse_text(struct brine_ctx *ctx, const char *s,
                               struct brinei_oms_bundle *b)
{
  return brinei_oms_bundle_parse(ctx, s, strlen(s), b);
}

/* The statement of a payload given as text (a bundle that borrows it). */
static brine_result statement_of(struct brine_ctx *ctx, const char *payload,
                                 struct brinei_manifest *m)
{
  struct brinei_oms_bundle b;
  memset(&b, 0, sizeof(b));
  b.payload = (uint8_t *)(uintptr_t)payload;
  b.payload_len = strlen(payload);
  b.payload_type = (char *)(uintptr_t)OMS_PAYLOAD_TYPE;
  return brinei_oms_statement(ctx, &b, m);
}

static void hex_of(const uint8_t *p, size_t n, char *out)
{
  static const char d[] = "0123456789abcdef";
  for(size_t i = 0; i < n; i++) {
    out[2 * i] = d[p[i] >> 4];
    out[2 * i + 1] = d[p[i] & 15];
  }
  out[2 * n] = 0;
}

static void unhex(const char *s, uint8_t *out)
{
  size_t n = strlen(s) / 2;
  for(size_t i = 0; i < n; i++) {
    unsigned v;
    assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
    out[i] = (uint8_t)v;
  }
}

static void assert_root(struct brine_ctx *ctx, const struct brinei_manifest *m,
                        const char *want)
{
  uint8_t root[32];
  char hex[65];
  assert_int_equal(brinei_manifest_root(ctx, m, root), BRINE_OK);
  hex_of(root, 32, hex);
  assert_string_equal(hex, want);
}

static void assert_item(const struct brinei_manifest *m, size_t i,
                        const char *name, const char *path, const char *dig)
{
  char hex[2 * BRINEI_HASH_MAX + 1];
  assert_true(i < m->n);
  assert_string_equal(m->items[i].name, name);
  assert_string_equal(m->items[i].path, path);
  hex_of(m->items[i].digest, brinei_hash_len(m->hash), hex);
  assert_string_equal(hex, dig);
}

static int run_py(const char *bundle, const char *key, char *out, size_t n)
{
  char cmd[512];
  FILE *p;
  size_t got;
  int st;
  snprintf(cmd, sizeof(cmd), PYTHON " " VERIFY_PY " '%s' '%s' 2>&1", bundle,
           key);
  p = popen(cmd, "r");
  assert_non_null(p);
  got = fread(out, 1, n - 1, p);
  out[got] = 0;
  st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void write_file(const char *path, const char *data, size_t n)
{
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, n, f), n);
  assert_int_equal(fclose(f), 0);
}

static struct brinei_key *load_pub(struct brine_ctx *ctx, const char *path)
{
  struct brinei_key *k = NULL;
  assert_int_equal(brinei_key_load_public(ctx, path, &k), BRINE_OK);
  return k;
}

/* ---- PAE (signing.md §1.4) ---- */

static void test_pae(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  uint8_t *out;
  size_t n;
  /* DSSE protocol.md's example */
  static const char want[] =
    "DSSEv1 29 http://example.com/HelloWorld 11 hello world";
  (void)state;
  assert_int_equal(brinei_dsse_pae(ctx, "http://example.com/HelloWorld",
                                   (const uint8_t *)"hello world", 11, &out,
                                   &n), BRINE_OK);
  assert_int_equal(n, strlen(want));
  assert_memory_equal(out, want, n);
  brinei_free(ctx, out);
  /* empty body, and a body with a NUL (lengths are byte counts) */
  assert_int_equal(brinei_dsse_pae(ctx, OMS_PAYLOAD_TYPE, NULL, 0, &out, &n),
                   BRINE_OK);
  assert_int_equal(n, strlen("DSSEv1 28 " OMS_PAYLOAD_TYPE " 0 "));
  assert_memory_equal(out, "DSSEv1 28 " OMS_PAYLOAD_TYPE " 0 ", n);
  brinei_free(ctx, out);
  assert_int_equal(brinei_dsse_pae(ctx, "t", (const uint8_t *)"a\0b", 3,
                                   &out, &n), BRINE_OK);
  assert_int_equal(n, 16);
  assert_memory_equal(out, "DSSEv1 1 t 3 a\0b", 16);
  brinei_free(ctx, out);
  free_ctx(ctx);
}

static void test_pae_compat(void **state)
{
  /* expected texts: CPython 3.11 repr() of the same bytes */
  static const struct {
    const char *in;
    size_t n;
    const char *repr;
  } cases[] = {
    { "a'b\n\t\r\\\x00\x1f\x7f\x80\xff \"", 14,
      "b'a\\'b\\n\\t\\r\\\\\\x00\\x1f\\x7f\\x80\\xff \"'" },
    { "it's\n", 5, "b\"it's\\n\"" },
    { "\"q\"", 3, "b'\"q\"'" },
    { "", 0, "b''" },
  };
  struct brine_ctx *ctx = new_ctx();
  (void)state;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(cases); i++) {
    char want[128];
    uint8_t *out;
    size_t n;
    snprintf(want, sizeof(want), "DSSEV1 28 %s %zu %s", OMS_PAYLOAD_TYPE,
             cases[i].n, cases[i].repr);
    assert_int_equal(brinei_dsse_pae_compat(ctx, OMS_PAYLOAD_TYPE,
                                            (const uint8_t *)cases[i].in,
                                            cases[i].n, &out, &n),
                     BRINE_OK);
    if(n != strlen(want) || memcmp(out, want, n))
      fail_msg("case %zu: got %.*s, want %s", i, (int)n, (char *)out, want);
    brinei_free(ctx, out);
  }
  free_ctx(ctx);
}

/* ---- the golden bundles written by model_signing ---- */

struct golden {
  const char *dir;
  enum brinei_oms_method method;
  bool old_key;   /* rawBytes/keyDetails */
  bool compat;    /* v0.2 PAE and Digests/v0.1 */
  const char *root;
  const char *model;
  bool single;    /* one resource "." */
  bool ignores;   /* records ignore_paths */
};

static const struct golden goldens[] = {
  { "v0.2.0-certificate", OMS_CERTIFICATE, false, true, NULL, "", false,
    false },
  { "v0.3.1-certificate", OMS_CERTIFICATE, false, false, R_CERT,
    "v0.3.1-certificate", false, false },
  { "v1.0.0-certificate", OMS_CERTIFICATE, false, false, R_CERT,
    "v1.0.0-certificate", false, false },
  { "v1.0.1-certificate", OMS_CERTIFICATE, false, false, R_CERT,
    "v1.0.1-certificate", false, false },
  { "v1.1.0-certificate", OMS_CERTIFICATE, false, false, R_CERT,
    "v1.1.0-certificate", false, true },
  { "v0.3.1-elliptic-key", OMS_KEY, true, false, R_SINGLE, "signme-1", true,
    false },
  { "v1.0.0-elliptic-key", OMS_KEY, true, false, R_SINGLE, "signme-1", true,
    false },
  { "v1.0.1-elliptic-key", OMS_KEY, true, false, R_KEY,
    "v1.0.1-elliptic-key", false, false },
  { "v1.1.0-elliptic-key", OMS_KEY, false, false, R_KEY,
    "v1.1.0-elliptic-key", false, true },
};

static void check_golden(struct brine_ctx *ctx, const struct golden *g,
                         struct brinei_key *omskey,
                         struct brinei_cert **ca)
{
  struct brinei_oms_bundle b;
  struct brinei_manifest m;
  struct brinei_key *key = omskey, *leafkey = NULL;
  bool compat = !g->compat;
  char path[256];
  bool keydir = g->method == OMS_KEY;
  snprintf(path, sizeof(path), OMS "%s/model.sig", g->dir);
  assert_int_equal(brinei_oms_bundle_read(ctx, path, &b), BRINE_OK);
  assert_int_equal(b.method, g->method);
  assert_string_equal(b.media_type, OMS_BUNDLE_MEDIA_TYPE);
  assert_string_equal(b.payload_type, OMS_PAYLOAD_TYPE);
  assert_int_equal(b.nsigs, 1);
  assert_int_equal(b.ntlog, 0);
  assert_int_equal(b.old_key_format, g->old_key);
  assert_true(b.sig_len > 60 && b.sig_len < 110);  /* DER ECDSA P-384 */
  if(keydir) {
    assert_int_equal(b.ncerts, 0);
    if(g->old_key)
      assert_null(b.hint);
    else {
      char hint[65];
      assert_non_null(b.hint);
      assert_int_equal(brinei_key_hint(ctx, omskey, hint), BRINE_OK);
      assert_string_equal(b.hint, hint);
      assert_string_equal(b.hint, OMS_HINT);
    }
  }
  else {
    /* leaf + intermediate; chain validation at the leaf's notBefore, as
       model_signing does (signing.md §1.8) */
    assert_int_equal(b.ncerts, 2);
    assert_int_equal(brinei_cert_verify(ctx, b.certs[0], b.certs + 1,
                                        b.ncerts - 1, ca, 1,
                                        brinei_cert_not_before(b.certs[0]),
                                        BRINEI_USE_SIGN), BRINE_OK);
    assert_int_equal(brinei_cert_key(ctx, b.certs[0], &leafkey), BRINE_OK);
    /* the golden leaf certifies the same P-384 key */
    assert_true(brinei_key_equal(leafkey, omskey));
    key = leafkey;
  }
  brinei_clear_error(ctx);
  if(brinei_oms_check_sig(ctx, &b, key, &compat) != BRINE_OK)
    fail_msg("%s: %s", g->dir, brine_last_error(ctx)->message);
  assert_int_equal(compat, g->compat);
  /* a compat match leaves no failure of the first attempt behind */
  assert_int_equal(brine_last_error(ctx)->code, BRINE_OK);
  if(brinei_oms_statement(ctx, &b, &m) != BRINE_OK)
    fail_msg("%s: %s", g->dir, brine_last_error(ctx)->message);
  assert_string_equal(m.model_name, g->model);
  assert_int_equal(m.hash, BRINEI_SHA256);
  assert_int_equal(m.ser, BRINEI_SER_FILES);
  assert_false(m.allow_symlinks);
  if(g->root)
    assert_root(ctx, &m, g->root);
  if(g->single) {
    assert_int_equal(m.n, 1);
    assert_item(&m, 0, ".", "", D_KEY1);
  }
  else {
    assert_int_equal(m.n, 2);
    assert_item(&m, 0, "signme-1", "signme-1", keydir ? D_KEY1 : D_CERT1);
    assert_item(&m, 1, "signme-2", "signme-2", D_2);
  }
  if(g->ignores) {
    static const char *const want[] = {
      ".git", ".gitattributes", ".github", ".gitignore", "ignore-me",
      "model.sig",
    };
    assert_int_equal(m.n_ignore, BRINE_ARRAY_LEN(want));
    for(size_t i = 0; i < m.n_ignore; i++)
      assert_string_equal(m.ignore[i], want[i]);
  }
  else
    assert_int_equal(m.n_ignore, 0);
  /* the other key does not verify it */
  {
    struct brinei_key *other = load_pub(ctx, KEYS "ec-p384.pub.pem");
    assert_fails(ctx, brinei_oms_check_sig(ctx, &b, other, &compat),
                 BRINE_E_BADSIG);
    brinei_key_free(other);
  }
  brinei_manifest_free(ctx, &m);
  brinei_key_free(leafkey);
  brinei_oms_bundle_free(ctx, &b);
}

static void test_goldens(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_key *omskey = load_pub(ctx, OMSKEYS "signing-key-pub.pem");
  struct brinei_cert **ca;
  size_t nca;
  (void)state;
  assert_int_equal(brinei_cert_load_pem(ctx, OMSKEYS "ca-cert.pem", &ca,
                                        &nca), BRINE_OK);
  assert_int_equal(nca, 1);
  for(size_t i = 0; i < BRINE_ARRAY_LEN(goldens); i++)
    check_golden(ctx, &goldens[i], omskey, ca);
  brinei_certs_free(ctx, ca, nca);
  brinei_key_free(omskey);
  free_ctx(ctx);
}

static void test_goldens_sigstore(void **state)
{
  static const char *const dirs[] = {
    "v0.3.1-sigstore", "v1.0.0-sigstore", "v1.0.1-sigstore",
    "v1.1.0-sigstore",
  };
  struct brine_ctx *ctx = new_ctx();
  (void)state;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(dirs); i++) {
    struct brinei_oms_bundle b;
    struct brinei_manifest m;
    struct brinei_key *leaf;
    bool compat = true;
    char path[256];
    snprintf(path, sizeof(path), OMS "%s/model.sig", dirs[i]);
    assert_int_equal(brinei_oms_bundle_read(ctx, path, &b), BRINE_OK);
    assert_int_equal(b.method, OMS_SIGSTORE);
    assert_int_equal(b.ntlog, 1);
    assert_int_equal(b.ncerts, 1);
    assert_null(b.hint);
    /* the Fulcio certificate's key made the DSSE signature (P-256) */
    assert_int_equal(brinei_cert_key(ctx, b.certs[0], &leaf), BRINE_OK);
    assert_int_equal(brinei_key_type(leaf), BRINEI_KEY_EC_P256);
    assert_int_equal(brinei_oms_check_sig(ctx, &b, leaf, &compat), BRINE_OK);
    assert_false(compat);
    assert_int_equal(brinei_oms_statement(ctx, &b, &m), BRINE_OK);
    assert_string_equal(m.model_name, dirs[i]);
    assert_int_equal(m.n, 2);
    assert_root(ctx, &m, R_CERT);
    brinei_manifest_free(ctx, &m);
    brinei_key_free(leaf);
    brinei_oms_bundle_free(ctx, &b);
  }
  free_ctx(ctx);
}

/* ---- bundles that must be refused ---- */

static json_t *golden_doc(const char *dir)
{
  char path[256];
  snprintf(path, sizeof(path), OMS "%s/model.sig", dir);
  return load_json(path);
}

static json_t *envelope(json_t *doc)
{
  json_t *e = json_object_get(doc, "dsseEnvelope");
  assert_non_null(e);
  return e;
}

static void test_tampered_payload(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_key *key = load_pub(ctx, OMSKEYS "signing-key-pub.pem");
  json_t *doc = golden_doc("v1.1.0-elliptic-key");
  json_t *env = envelope(doc);
  const char *p64 = json_string_value(json_object_get(env, "payload"));
  struct brinei_oms_bundle b;
  uint8_t *raw;
  size_t n;
  char *enc, *d;
  bool compat;
  (void)state;
  assert_int_equal(brinei_b64_decode(ctx, p64, strlen(p64), false, &raw, &n),
                   BRINE_OK);
  assert_int_equal(n, 926);
  /* protobuf JSON accepts both spellings of bytes: the unchanged payload
     without its padding and the signature in the URL-safe alphabet still
     verify */
  enc = b64enc(raw, n, true);
  assert_int_equal(strlen(enc), 1235);  /* 926 bytes: no "=" */
  assert_int_equal(json_object_set_new(env, "payload", json_string(enc)), 0);
  free(enc);
  {
    json_t *sig = json_array_get(json_object_get(env, "signatures"), 0);
    const char *s64 = json_string_value(json_object_get(sig, "sig"));
    uint8_t *sraw;
    size_t sn;
    assert_int_equal(brinei_b64_decode(ctx, s64, strlen(s64), false, &sraw,
                                       &sn), BRINE_OK);
    enc = b64enc(sraw, sn, true);
    assert_non_null(strpbrk(enc, "-_"));
    assert_int_equal(json_object_set_new(sig, "sig", json_string(enc)), 0);
    free(enc);
    brinei_free(ctx, sraw);
  }
  assert_int_equal(parse_json(ctx, doc, &b), BRINE_OK);
  assert_int_equal(b.payload_len, 926);
  assert_int_equal(brinei_oms_check_sig(ctx, &b, key, &compat), BRINE_OK);
  brinei_oms_bundle_free(ctx, &b);
  /* one hex digit of the first resource digest changed */
  d = strstr((char *)raw, D_KEY1);
  assert_non_null(d);
  d[0] = d[0] == 'b' ? 'c' : 'b';
  enc = b64enc(raw, n, false);
  assert_int_equal(json_object_set_new(env, "payload", json_string(enc)), 0);
  free(enc);
  assert_int_equal(parse_json(ctx, doc, &b), BRINE_OK);
  assert_fails(ctx, brinei_oms_check_sig(ctx, &b, key, &compat),
               BRINE_E_BADSIG);
  brinei_oms_bundle_free(ctx, &b);
  brinei_free(ctx, raw);
  json_decref(doc);
  brinei_key_free(key);
  free_ctx(ctx);
}

static void test_signature_count(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  json_t *doc = golden_doc("v1.1.0-elliptic-key");
  json_t *sigs = json_object_get(envelope(doc), "signatures");
  struct brinei_oms_bundle b;
  (void)state;
  assert_int_equal(json_array_append_new(sigs,
                                         json_deep_copy(json_array_get(sigs,
                                                                       0))),
                   0);
  assert_fails(ctx, parse_json(ctx, doc, &b), BRINE_E_MALFORMED);
  assert_msg_has(ctx, "2 signatures");
  assert_null(b.payload);  /* nothing is left allocated on failure */
  json_array_clear(sigs);
  assert_fails(ctx, parse_json(ctx, doc, &b), BRINE_E_MALFORMED);
  assert_msg_has(ctx, "0 signatures");
  json_decref(doc);
  free_ctx(ctx);
}

/* Each edit of the v1.1.0 key bundle and the result it must give. */
static void test_bundle_rejects(void **state)
{
  static const struct {
    const char *path;   /* "obj.obj.key" under the root */
    const char *value;  /* JSON, or NULL to delete */
    brine_result want;
    const char *msg;
  } cases[] = {
    { "mediaType", "\"application/json\"", BRINE_E_UNSUPPORTED, "mediaType" },
    { "mediaType",
      "\"application/vnd.dev.sigstore.bundle+json;version=99.9\"",
      BRINE_E_UNSUPPORTED, "mediaType" },
    { "mediaType", "3", BRINE_E_MALFORMED, "mediaType must be a string" },
    { "mediaType", NULL, BRINE_E_MALFORMED, "mediaType is missing" },
    { "dsseEnvelope", NULL, BRINE_E_MALFORMED, "no dsseEnvelope" },
    { "messageSignature", "{\"messageDigest\":{\"algorithm\":\"SHA2_256\","
      "\"digest\":\"AA==\"},\"signature\":\"AA==\"}", BRINE_E_MALFORMED,
      "both" },
    { "dsseEnvelope.payload", "\"not base64!\"", BRINE_E_MALFORMED,
      "dsseEnvelope.payload: base64" },
    { "dsseEnvelope.payload", "\"ab+c_d==\"", BRINE_E_MALFORMED,
      "dsseEnvelope.payload: base64" },
    { "dsseEnvelope.payload", "null", BRINE_E_MALFORMED,
      "dsseEnvelope.payload must be a string" },
    { "dsseEnvelope.payloadType", NULL, BRINE_E_MALFORMED,
      "payloadType is missing" },
    { "dsseEnvelope.signatures", "{}", BRINE_E_MALFORMED,
      "signatures must be an array" },
    { "verificationMaterial", "[]", BRINE_E_MALFORMED,
      "verificationMaterial must be an object" },
    { "verificationMaterial.publicKey", NULL, BRINE_E_MALFORMED,
      "exactly one of" },
    { "verificationMaterial.certificate", "{\"rawBytes\":\"AAAA\"}",
      BRINE_E_MALFORMED, "exactly one of" },
    { "verificationMaterial.publicKey.hint", "7", BRINE_E_MALFORMED,
      "hint must be a string" },
    { "verificationMaterial.tlogEntries", "{}", BRINE_E_MALFORMED,
      "tlogEntries must be an array" },
    { "verificationMaterial.tlogEntries", "[1]", BRINE_E_MALFORMED,
      "tlogEntries[0]" },
  };
  struct brine_ctx *ctx = new_ctx();
  (void)state;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(cases); i++) {
    json_t *doc = golden_doc("v1.1.0-elliptic-key"), *o = doc;
    char key[128], *p = key, *dot;
    struct brinei_oms_bundle b;
    snprintf(key, sizeof(key), "%s", cases[i].path);
    while((dot = strchr(p, '.'))) {
      *dot = 0;
      o = json_object_get(o, p);
      assert_non_null(o);
      p = dot + 1;
    }
    if(cases[i].value) {
      json_error_t e;
      json_t *v = json_loads(cases[i].value, JSON_DECODE_ANY, &e);
      assert_non_null(v);
      assert_int_equal(json_object_set_new(o, p, v), 0);
    }
    else
      assert_int_equal(json_object_del(o, p), 0);
    brinei_clear_error(ctx);
    if(parse_json(ctx, doc, &b) != cases[i].want)
      fail_msg("case %zu (%s): %s", i, cases[i].path,
               brine_last_error(ctx)->message);
    assert_msg_has(ctx, cases[i].msg);
    json_decref(doc);
  }
  free_ctx(ctx);
}

static void test_bundle_text(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_oms_bundle b;
  json_t *doc = golden_doc("v1.1.0-elliptic-key"), *env;
  size_t n;
  char *text = slurp(OMS "v1.1.0-elliptic-key/model.sig", &n), *dup;
  (void)state;
  /* the same key twice: two JSON readers could pick different values */
  assert_true(text[0] == '{');
  dup = malloc(n + 64);
  assert_non_null(dup);
  snprintf(dup, n + 64, "{\"mediaType\":\"application/json\",%s", text + 1);
  assert_fails(ctx, parse_text(ctx, dup, &b), BRINE_E_MALFORMED);
  assert_msg_has(ctx, "duplicate");
  /* a duplicate deep inside too */
  {
    char *s = strstr(text, "\"keyid\":\"\"");
    assert_non_null(s);
    snprintf(dup, n + 64, "%.*s\"keyid\":null,%s", (int)(s - text), text, s);
    assert_fails(ctx, parse_text(ctx, dup, &b), BRINE_E_MALFORMED);
    assert_msg_has(ctx, "duplicate");
  }
  free(dup);
  assert_fails(ctx, parse_text(ctx, "", &b), BRINE_E_MALFORMED);
  assert_fails(ctx, parse_text(ctx, "[]", &b), BRINE_E_MALFORMED);
  assert_fails(ctx, parse_text(ctx, "{\"mediaType\":", &b),
               BRINE_E_MALFORMED);
  assert_fails(ctx, brinei_oms_bundle_parse(ctx, text, n - 1, &b),
               BRINE_E_MALFORMED);  /* truncated */
  /* a file that does not exist */
  assert_fails(ctx, brinei_oms_bundle_read(ctx, OMS "no-such/model.sig", &b),
               BRINE_E_IO);
  free(text);
  /* keyid: "" (1.1), null (<= 1.0.1), absent (Sigstore, Go) are all
     accepted; a number is not */
  env = envelope(doc);
  {
    json_t *sig = json_array_get(json_object_get(env, "signatures"), 0);
    assert_int_equal(json_object_set_new(sig, "keyid", json_null()), 0);
    assert_int_equal(parse_json(ctx, doc, &b), BRINE_OK);
    brinei_oms_bundle_free(ctx, &b);
    assert_int_equal(json_object_del(sig, "keyid"), 0);
    assert_int_equal(parse_json(ctx, doc, &b), BRINE_OK);
    brinei_oms_bundle_free(ctx, &b);
    assert_int_equal(json_object_set_new(sig, "keyid", json_integer(1)), 0);
    assert_fails(ctx, parse_json(ctx, doc, &b), BRINE_E_MALFORMED);
    assert_msg_has(ctx, "keyid");
    assert_int_equal(json_object_set_new(sig, "keyid", json_string("")), 0);
  }
  /* messageSignature content instead of DSSE */
  json_incref(env);
  assert_int_equal(json_object_del(doc, "dsseEnvelope"), 0);
  assert_int_equal(json_object_set_new(doc, "messageSignature",
                                       json_pack("{s:{s:s,s:s},s:s}",
                                                 "messageDigest", "algorithm",
                                                 "SHA2_256", "digest", "AA==",
                                                 "signature", "AA==")), 0);
  assert_fails(ctx, parse_json(ctx, doc, &b), BRINE_E_UNSUPPORTED);
  assert_msg_has(ctx, "messageSignature");
  /* the other media types of a Sigstore bundle are read */
  assert_int_equal(json_object_del(doc, "messageSignature"), 0);
  assert_int_equal(json_object_set_new(doc, "dsseEnvelope", env), 0);
  assert_int_equal(json_object_set_new(doc, "mediaType", json_string(
    "application/vnd.dev.sigstore.bundle+json;version=0.2")), 0);
  assert_int_equal(parse_json(ctx, doc, &b), BRINE_OK);
  assert_string_equal(b.media_type,
                      "application/vnd.dev.sigstore.bundle+json;version=0.2");
  brinei_oms_bundle_free(ctx, &b);
  json_decref(doc);
  free_ctx(ctx);
}

static void test_bad_certificate(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  json_t *doc = golden_doc("v1.1.0-certificate");
  json_t *certs = json_object_get(json_object_get(json_object_get(doc,
                    "verificationMaterial"), "x509CertificateChain"),
                    "certificates");
  struct brinei_oms_bundle b;
  (void)state;
  assert_non_null(certs);
  /* valid base64, not DER */
  assert_int_equal(json_object_set_new(json_array_get(certs, 1), "rawBytes",
                                       json_string("AAECAwQF")), 0);
  assert_fails(ctx, parse_json(ctx, doc, &b), BRINE_E_MALFORMED);
  assert_msg_has(ctx, "certificates[1]");
  json_array_clear(certs);
  assert_fails(ctx, parse_json(ctx, doc, &b), BRINE_E_MALFORMED);
  assert_msg_has(ctx, "empty");
  json_decref(doc);
  free_ctx(ctx);
}

/* ---- statements ---- */

static char *golden_payload(struct brine_ctx *ctx, const char *dir)
{
  struct brinei_oms_bundle b;
  char path[256], *s;
  snprintf(path, sizeof(path), OMS "%s/model.sig", dir);
  assert_int_equal(brinei_oms_bundle_read(ctx, path, &b), BRINE_OK);
  s = malloc(b.payload_len + 1);
  assert_non_null(s);
  memcpy(s, b.payload, b.payload_len);
  s[b.payload_len] = 0;
  brinei_oms_bundle_free(ctx, &b);
  return s;
}

/* Replace the first `from` in s (malloc'd) by `to`. */
static char *replace(char *s, const char *from, const char *to)
{
  char *at = strstr(s, from), *r;
  size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
  assert_non_null(at);
  r = malloc(n);
  assert_non_null(r);
  snprintf(r, n, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
  free(s);
  return r;
}

/* A shards statement with the root computed here (OpenSSL via brine's
   one-shot digest over the raw digests). */
static char *shard_statement(struct brine_ctx *ctx, const char *shard_size,
                             const char *alg, const char *const *names,
                             size_t n)
{
  uint8_t cat[8 * 32], root[32];
  char hex[65], *s, *o;
  size_t cap = 4096;
  assert_true(n <= 8);
  for(size_t i = 0; i < n; i++)
    unhex(i & 1 ? D_2 : D_KEY1, cat + 32 * i);
  assert_int_equal(brinei_digest(ctx, BRINEI_SHA256, cat, 32 * n, root),
                   BRINE_OK);
  hex_of(root, 32, hex);
  s = malloc(cap);
  assert_non_null(s);
  o = s + snprintf(s, cap, "{\"_type\":\"" OMS_STATEMENT_TYPE "\","
                   "\"subject\":[{\"name\":\"m\",\"digest\":{\"sha256\":"
                   "\"%s\"}}],\"predicateType\":\"" OMS_PREDICATE_TYPE "\","
                   "\"predicate\":{\"serialization\":{\"method\":\"shards\","
                   "\"hash_type\":\"sha256\",\"allow_symlinks\":true,"
                   "\"shard_size\":%s},\"resources\":[", hex, shard_size);
  for(size_t i = 0; i < n; i++)
    o += snprintf(o, cap - (size_t)(o - s), "%s{\"algorithm\":\"%s\","
                  "\"digest\":\"%s\",\"name\":\"%s\"}", i ? "," : "", alg,
                  i & 1 ? D_2 : D_KEY1, names[i]);
  snprintf(o, cap - (size_t)(o - s), "]}}");
  return s;
}

static void test_statement_shards(void **state)
{
  static const char *const names[] = {
    "a:b.bin:0:10", "a:b.bin:10:20", "w.bin:0:10",
  };
  struct brine_ctx *ctx = new_ctx();
  struct brinei_manifest m;
  char *s;
  (void)state;
  /* model_signing's own form: a double and "<hash>-sharded-<N>" */
  s = shard_statement(ctx, "10.0", "sha256-sharded-10", names, 3);
  if(statement_of(ctx, s, &m) != BRINE_OK)
    fail_msg("%s", brine_last_error(ctx)->message);
  free(s);
  assert_int_equal(m.ser, BRINEI_SER_SHARDS);
  assert_int_equal(m.shard_size, 10);
  assert_true(m.allow_symlinks);
  assert_int_equal(m.n, 3);
  /* the path is what precedes the last two ':' */
  assert_item(&m, 0, "a:b.bin:0:10", "a:b.bin", D_KEY1);
  assert_item(&m, 1, "a:b.bin:10:20", "a:b.bin", D_2);
  assert_item(&m, 2, "w.bin:0:10", "w.bin", D_KEY1);
  assert_int_equal(m.items[1].start, 10);
  assert_int_equal(m.items[1].end, 20);
  brinei_manifest_free(ctx, &m);
  /* the spec's form: an integer and the bare hash name */
  s = shard_statement(ctx, "1000000000", "sha256", names, 2);
  assert_int_equal(statement_of(ctx, s, &m), BRINE_OK);
  assert_int_equal(m.shard_size, 1000000000);
  brinei_manifest_free(ctx, &m);
  free(s);
  /* refused */
  {
    static const struct {
      const char *size, *alg, *name;
      const char *msg;
    } bad[] = {
      { "10.5", "sha256", "w.bin:0:10", "shard_size" },
      { "0", "sha256", "w.bin:0:10", "shard_size" },
      { "-10", "sha256", "w.bin:0:10", "shard_size" },
      { "1e300", "sha256", "w.bin:0:10", "shard_size" },
      { "\"10\"", "sha256", "w.bin:0:10", "shard_size" },
      { "10", "sha256-sharded-11", "w.bin:0:10", "algorithm" },
      { "10", "blake2b", "w.bin:0:10", "algorithm" },
      { "10", "sha256", "w.bin:10:10", "start:end" },
      { "10", "sha256", "w.bin:10:5", "start:end" },
      { "10", "sha256", "w.bin:0", "start:end" },
      { "10", "sha256", "w.bin", "start:end" },
      { "10", "sha256", "w.bin:00:10", "start:end" },
      { "10", "sha256", "w.bin:+0:10", "start:end" },
      { "10", "sha256", "w.bin:0:18446744073709551616", "start:end" },
      { "10", "sha256", ":0:10", "empty path" },
    };
    for(size_t i = 0; i < BRINE_ARRAY_LEN(bad); i++) {
      const char *one[1];
      one[0] = bad[i].name;
      s = shard_statement(ctx, bad[i].size, bad[i].alg, one, 1);
      brinei_clear_error(ctx);
      if(statement_of(ctx, s, &m) != BRINE_E_MALFORMED)
        fail_msg("case %zu accepted", i);
      assert_msg_has(ctx, bad[i].msg);
      free(s);
    }
  }
  /* the same name twice */
  {
    static const char *const twice[] = { "w.bin:0:10", "w.bin:0:10" };
    s = shard_statement(ctx, "10", "sha256", twice, 2);
    assert_fails(ctx, statement_of(ctx, s, &m), BRINE_E_MALFORMED);
    assert_msg_has(ctx, "twice");
    free(s);
  }
  free_ctx(ctx);
}

static void test_statement_rejects(void **state)
{
  /* edits of the v1.1.0-elliptic-key statement */
  static const struct {
    const char *from, *to;
    brine_result want;
    const char *msg;
  } cases[] = {
    { "\"sha256\": \"9274", "\"sha256\": \"0274", BRINE_E_MALFORMED,
      "manifest is inconsistent" },
    { "\"digest\": \"bc9a", "\"digest\": \"cc9a", BRINE_E_MALFORMED,
      "manifest is inconsistent" },
    { "\"sha256\": \"9274", "\"sha256\": \"9Z74", BRINE_E_MALFORMED,
      "subject[0].digest.sha256" },
    { "bc9a717d", "BC9A717D", BRINE_E_MALFORMED, "lowercase hex" },
    { "bc9a717d", "bc9a71", BRINE_E_MALFORMED, "lowercase hex" },
    { "\"hash_type\": \"sha256\"", "\"hash_type\": \"blake3\"",
      BRINE_E_UNSUPPORTED, "blake3 is not supported" },
    { "\"hash_type\": \"sha256\"", "\"hash_type\": \"md5\"",
      BRINE_E_UNSUPPORTED, "md5" },
    /* blake2b digests are 64 bytes, and the algorithm must follow */
    { "\"hash_type\": \"sha256\"", "\"hash_type\": \"blake2b\"",
      BRINE_E_MALFORMED, "algorithm" },
    { "\"method\": \"files\"", "\"method\": \"tree\"", BRINE_E_MALFORMED,
      "method" },
    { "\"method\": \"files\"", "\"method\": \"shards\"", BRINE_E_MALFORMED,
      "shard_size is missing" },
    { "\"allow_symlinks\": false", "\"allow_symlinks\": 0",
      BRINE_E_MALFORMED, "allow_symlinks" },
    { "\".git\",", "7,", BRINE_E_MALFORMED, "ignore_paths[0]" },
    { "\"predicateType\": \"https://model_signing/signature/v1.0\"",
      "\"predicateType\": \"https://slsa.dev/provenance/v1\"",
      BRINE_E_UNSUPPORTED, "predicateType" },
    { "\"_type\": \"https://in-toto.io/Statement/v1\"",
      "\"_type\": \"https://in-toto.io/Statement/v0.1\"", BRINE_E_MALFORMED,
      "_type" },
    { "\"subject\": [", "\"subject\": [{\"name\": \"x\", \"digest\": "
      "{\"sha256\": \"" R_KEY "\"}},", BRINE_E_MALFORMED, "2 entries" },
    { "\"subject\": [", "\"subject\": 1, \"x\": [", BRINE_E_MALFORMED,
      "subject must be an array" },
    { "\"name\": \"signme-2\"", "\"name\": \"signme-1\"", BRINE_E_MALFORMED,
      "twice" },
    { "\"name\": \"signme-2\"", "\"name\": \"\"", BRINE_E_MALFORMED,
      "empty path" },
    { "\"name\": \"signme-2\"", "\"nome\": \"signme-2\"", BRINE_E_MALFORMED,
      "resources[1].name is missing" },
    { "\"name\": \"signme-2\"", "\"name\": \"signme-2\", \"name\": \"x\"",
      BRINE_E_MALFORMED, "duplicate" },
    { "\"resources\": [", "\"resources\": [3, ", BRINE_E_MALFORMED,
      "resources[0] must be an object" },
  };
  struct brine_ctx *ctx = new_ctx();
  struct brinei_manifest m;
  char *gold = golden_payload(ctx, "v1.1.0-elliptic-key");
  (void)state;
  /* the unchanged statement parses */
  assert_int_equal(statement_of(ctx, gold, &m), BRINE_OK);
  brinei_manifest_free(ctx, &m);
  for(size_t i = 0; i < BRINE_ARRAY_LEN(cases); i++) {
    size_t n = strlen(gold) + 1;
    char *s = malloc(n);
    assert_non_null(s);
    memcpy(s, gold, n);
    s = replace(s, cases[i].from, cases[i].to);
    brinei_clear_error(ctx);
    if(statement_of(ctx, s, &m) != cases[i].want)
      fail_msg("case %zu: %s", i, brine_last_error(ctx)->message);
    assert_msg_has(ctx, cases[i].msg);
    free(s);
  }
  /* a payload type other than in-toto */
  {
    struct brinei_oms_bundle b;
    memset(&b, 0, sizeof(b));
    b.payload = (uint8_t *)gold;
    b.payload_len = strlen(gold);
    b.payload_type = (char *)(uintptr_t)"application/json";
    assert_fails(ctx, brinei_oms_statement(ctx, &b, &m), BRINE_E_MALFORMED);
    assert_msg_has(ctx, "payloadType");
  }
  assert_fails(ctx, statement_of(ctx, "not json", &m), BRINE_E_MALFORMED);
  assert_fails(ctx, statement_of(ctx, "[1]", &m), BRINE_E_MALFORMED);
  free(gold);
  free_ctx(ctx);
}

static void test_statement_compat(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_manifest m;
  char *gold = golden_payload(ctx, "v0.2.0-certificate");
  (void)state;
  assert_int_equal(statement_of(ctx, gold, &m), BRINE_OK);
  assert_int_equal(m.n, 2);
  assert_string_equal(m.model_name, "");
  assert_item(&m, 0, "signme-1", "signme-1", D_CERT1);
  assert_item(&m, 1, "signme-2", "signme-2", D_2);
  brinei_manifest_free(ctx, &m);
  gold = replace(gold, "\"sha256\": \"f631", "\"sha256\": \"f63");
  assert_fails(ctx, statement_of(ctx, gold, &m), BRINE_E_MALFORMED);
  assert_msg_has(ctx, "subject[0].digest.sha256");
  free(gold);
  free_ctx(ctx);
}

/* ---- payloads ---- */

/* Sort a JSON array of strings in place (test side). */
static int jstr_cmp(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void sort_strings(json_t *arr)
{
  size_t n = json_array_size(arr);
  const char **v = calloc(n ? n : 1, sizeof(*v));
  json_t *sorted = json_array();
  assert_non_null(v);
  for(size_t i = 0; i < n; i++)
    v[i] = json_string_value(json_array_get(arr, i));
  qsort(v, n, sizeof(*v), jstr_cmp);
  for(size_t i = 0; i < n; i++)
    json_array_append_new(sorted, json_string(v[i]));
  json_array_clear(arr);
  json_array_extend(arr, sorted);
  json_decref(sorted);
  free(v);
}

static void test_payload_golden(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_oms_bundle b;
  struct brinei_manifest m;
  static const char pre[] = "{\n  \"_type\": \"" OMS_STATEMENT_TYPE "\",\n"
                           "  \"subject\": [\n    {\n      \"name\": ";
  json_t *want, *got, *wser, *gser;
  json_error_t e;
  char *json;
  size_t len;
  (void)state;
  assert_int_equal(brinei_oms_bundle_read(ctx, OMS "v1.1.0-elliptic-key/"
                                          "model.sig", &b), BRINE_OK);
  assert_int_equal(brinei_oms_statement(ctx, &b, &m), BRINE_OK);
  assert_int_equal(brinei_oms_payload(ctx, &m, &json, &len), BRINE_OK);
  assert_int_equal(strlen(json), len);
  /* 2-space indent, model_signing's key order, no trailing newline */
  assert_true(!strncmp(json, pre, strlen(pre)));
  assert_true(json[len - 1] == '}');
  assert_true(strstr(json, "\"subject\"") < strstr(json, "\"predicateType\""));
  assert_true(strstr(json, "\"resources\"") <
              strstr(json, "\"serialization\""));
  got = json_loadb(json, len, JSON_REJECT_DUPLICATES, &e);
  want = json_loadb((const char *)b.payload, b.payload_len, 0, &e);
  assert_non_null(got);
  assert_non_null(want);
  wser = json_object_get(json_object_get(want, "predicate"), "serialization");
  gser = json_object_get(json_object_get(got, "predicate"), "serialization");
  /* ignore_paths came from a Python frozenset: its order is arbitrary */
  sort_strings(json_object_get(wser, "ignore_paths"));
  sort_strings(json_object_get(gser, "ignore_paths"));
  if(!json_equal(want, got))
    fail_msg("payload differs:\n%s", json);
  json_decref(want);
  json_decref(got);
  brinei_free(ctx, json);
  brinei_manifest_free(ctx, &m);
  brinei_oms_bundle_free(ctx, &b);
  free_ctx(ctx);
}

/* A manifest by hand: two files, sha256, the golden digests. */
static void hand_manifest(struct brine_ctx *ctx, struct brinei_manifest *m,
                          bool shards)
{
  static const char *const files[] = { "signme-1", "sub/signme-2" };
  static const char *const shard[] = { "a:b.bin:0:10", "a:b.bin:10:15" };
  memset(m, 0, sizeof(*m));
  m->model_name = brinei_strndup(ctx, "model", 5);
  m->hash = BRINEI_SHA256;
  m->ser = shards ? BRINEI_SER_SHARDS : BRINEI_SER_FILES;
  m->shard_size = shards ? 10 : 0;
  m->items = brinei_calloc(ctx, 2, sizeof(*m->items));
  m->ignore = brinei_calloc(ctx, 1, sizeof(*m->ignore));
  assert_non_null(m->model_name);
  assert_non_null(m->items);
  assert_non_null(m->ignore);
  m->ignore[0] = brinei_strndup(ctx, "model.sig", 9);
  assert_non_null(m->ignore[0]);
  m->n_ignore = 1;
  m->n = 2;
  for(size_t i = 0; i < 2; i++) {
    const char *nm = shards ? shard[i] : files[i];
    const char *p = shards ? "a:b.bin" : files[i];
    m->items[i].name = brinei_strndup(ctx, nm, strlen(nm));
    m->items[i].path = brinei_strndup(ctx, p, strlen(p));
    assert_non_null(m->items[i].name);
    assert_non_null(m->items[i].path);
    unhex(i ? D_2 : D_KEY1, m->items[i].digest);
  }
  if(shards) {
    m->items[0].end = 10;
    m->items[1].start = 10;
    m->items[1].end = 15;
  }
}

static void assert_same_manifest(struct brine_ctx *ctx,
                                 const struct brinei_manifest *a,
                                 const struct brinei_manifest *b)
{
  uint8_t ra[32], rb[32];
  assert_string_equal(a->model_name, b->model_name);
  assert_int_equal(a->hash, b->hash);
  assert_int_equal(a->ser, b->ser);
  assert_int_equal(a->shard_size, b->shard_size);
  assert_int_equal(a->allow_symlinks, b->allow_symlinks);
  assert_int_equal(a->n, b->n);
  for(size_t i = 0; i < a->n; i++) {
    assert_string_equal(a->items[i].name, b->items[i].name);
    assert_string_equal(a->items[i].path, b->items[i].path);
    assert_memory_equal(a->items[i].digest, b->items[i].digest, 32);
    if(a->ser == BRINEI_SER_SHARDS) {
      assert_int_equal(a->items[i].start, b->items[i].start);
      assert_int_equal(a->items[i].end, b->items[i].end);
    }
  }
  assert_int_equal(a->n_ignore, b->n_ignore);
  for(size_t i = 0; i < a->n_ignore; i++)
    assert_string_equal(a->ignore[i], b->ignore[i]);
  assert_int_equal(brinei_manifest_root(ctx, a, ra), BRINE_OK);
  assert_int_equal(brinei_manifest_root(ctx, b, rb), BRINE_OK);
  assert_memory_equal(ra, rb, 32);
}

static void test_payload_shards(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_manifest m, back;
  char *json;
  size_t len;
  (void)state;
  hand_manifest(ctx, &m, true);
  assert_int_equal(brinei_oms_payload(ctx, &m, &json, &len), BRINE_OK);
  /* shard_size is written as an integer (OMS spec §5.2.2) */
  assert_non_null(strstr(json, "\"shard_size\": 10,"));
  assert_non_null(strstr(json, "\"algorithm\": \"sha256-sharded-10\""));
  assert_int_equal(statement_of(ctx, json, &back), BRINE_OK);
  assert_same_manifest(ctx, &m, &back);
  brinei_manifest_free(ctx, &back);
  brinei_free(ctx, json);
  /* a name that JSON cannot carry */
  brinei_free(ctx, m.items[1].name);
  m.items[1].name = brinei_strndup(ctx, "bad\xff", 4);
  assert_fails(ctx, brinei_oms_payload(ctx, &m, &json, &len),
               BRINE_E_UNSUPPORTED);
  brinei_manifest_free(ctx, &m);
  free_ctx(ctx);
}

/* ---- writing bundles ---- */

static const char tmpl[] = "/tmp/brine-oms-XXXXXX";

static void roundtrip_key(struct brine_ctx *ctx, const char *name,
                          enum brinei_keytype type)
{
  struct brinei_key *priv, *pub;
  struct brinei_manifest m, back;
  struct brinei_oms_bundle b;
  char path[64], pubpath[64], out[256], hint[65], want_root[65], *payload,
       *json, *prefix;
  uint8_t root[32];
  size_t plen, len;
  bool compat = true;
  int fd;
  snprintf(path, sizeof(path), KEYS "%s.pem", name);
  snprintf(pubpath, sizeof(pubpath), KEYS "%s.pub.pem", name);
  assert_int_equal(brinei_key_load_private(ctx, path, NULL, &priv), BRINE_OK);
  assert_int_equal(brinei_key_type(priv), type);
  pub = load_pub(ctx, pubpath);
  hand_manifest(ctx, &m, false);
  assert_int_equal(brinei_oms_payload(ctx, &m, &payload, &plen), BRINE_OK);
  assert_int_equal(brinei_oms_bundle_write(ctx, payload, plen, priv, NULL, 0,
                                           &json, &len), BRINE_OK);
  assert_int_equal(strlen(json), len);
  /* compact, in model_signing's field order */
  assert_int_equal(brinei_key_hint(ctx, pub, hint), BRINE_OK);
  assert_true(asprintf(&prefix, "{\"mediaType\":\"" OMS_BUNDLE_MEDIA_TYPE
                       "\",\"verificationMaterial\":{\"publicKey\":{\"hint\":"
                       "\"%s\"},\"tlogEntries\":[]},\"dsseEnvelope\":"
                       "{\"payload\":\"", hint) > 0);
  assert_true(!strncmp(json, prefix, strlen(prefix)));
  free(prefix);
  assert_non_null(strstr(json, "\"keyid\":\"\"}]}}"));
  assert_null(strchr(json, '\n'));
  /* read back by brine */
  assert_int_equal(brinei_oms_bundle_parse(ctx, json, len, &b), BRINE_OK);
  assert_int_equal(b.method, OMS_KEY);
  assert_string_equal(b.hint, hint);
  assert_int_equal(b.payload_len, plen);
  assert_memory_equal(b.payload, payload, plen);
  assert_int_equal(brinei_oms_check_sig(ctx, &b, pub, &compat), BRINE_OK);
  assert_false(compat);
  assert_int_equal(brinei_oms_statement(ctx, &b, &back), BRINE_OK);
  assert_same_manifest(ctx, &m, &back);
  brinei_manifest_free(ctx, &back);
  brinei_oms_bundle_free(ctx, &b);
  /* read back by python3-cryptography */
  snprintf(path, sizeof(path), "%s", tmpl);
  fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  write_file(path, json, len);
  assert_int_equal(brinei_manifest_root(ctx, &m, root), BRINE_OK);
  hex_of(root, 32, want_root);
  if(run_py(path, pubpath, out, sizeof(out)) != 0)
    fail_msg("oms_verify.py rejected the %s bundle: %s", name, out);
  assert_true(!strncmp(out, want_root, 64));
  /* and it does reject: another key, then a changed signature */
  assert_int_not_equal(run_py(path, OMSKEYS "signing-key-pub.pem", out,
                              sizeof(out)), 0);
  assert_non_null(strstr(out, "hint does not match"));
  {
    char *sig = strstr(json, "\"sig\":\"");
    assert_non_null(sig);
    sig += 7 + 20;  /* inside the DER r value */
    *sig = *sig == 'A' ? 'B' : 'A';
    write_file(path, json, len);
    assert_int_not_equal(run_py(path, pubpath, out, sizeof(out)), 0);
    assert_non_null(strstr(out, "does not verify"));
  }
  unlink(path);
  brinei_free(ctx, json);
  brinei_free(ctx, payload);
  brinei_manifest_free(ctx, &m);
  brinei_key_free(priv);
  brinei_key_free(pub);
}

static void test_write_key(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  (void)state;
  roundtrip_key(ctx, "ec-p256", BRINEI_KEY_EC_P256);
  roundtrip_key(ctx, "ec-p384", BRINEI_KEY_EC_P384);
  roundtrip_key(ctx, "ec-p521", BRINEI_KEY_EC_P521);
  free_ctx(ctx);
}

static void test_write_certificate(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  static const char pre[] =
    "{\"mediaType\":\"" OMS_BUNDLE_MEDIA_TYPE "\",\"verificationMaterial\":"
    "{\"x509CertificateChain\":{\"certificates\":[{\"rawBytes\":\"";
  struct brinei_key *priv, *other, *leafkey;
  struct brinei_cert **leaf, **inter, **ca, *chain[2];
  size_t nleaf, ninter, nca, plen, len;
  struct brinei_manifest m, back;
  struct brinei_oms_bundle b;
  char *payload, *json, path[64], out[256];
  bool compat = true;
  int fd;
  (void)state;
  assert_int_equal(brinei_key_load_private(ctx, OMSKEYS "signing-key.pem",
                                           NULL, &priv), BRINE_OK);
  assert_int_equal(brinei_cert_load_pem(ctx, OMSKEYS "signing-key-cert.pem",
                                        &leaf, &nleaf), BRINE_OK);
  assert_int_equal(brinei_cert_load_pem(ctx, OMSKEYS "int-ca-cert.pem",
                                        &inter, &ninter), BRINE_OK);
  assert_int_equal(brinei_cert_load_pem(ctx, OMSKEYS "ca-cert.pem", &ca,
                                        &nca), BRINE_OK);
  chain[0] = leaf[0];
  chain[1] = inter[0];
  hand_manifest(ctx, &m, false);
  assert_int_equal(brinei_oms_payload(ctx, &m, &payload, &plen), BRINE_OK);
  assert_int_equal(brinei_oms_bundle_write(ctx, payload, plen, priv, chain, 2,
                                           &json, &len), BRINE_OK);
  assert_true(!strncmp(json, pre, strlen(pre)));
  assert_int_equal(brinei_oms_bundle_parse(ctx, json, len, &b), BRINE_OK);
  assert_int_equal(b.method, OMS_CERTIFICATE);
  assert_int_equal(b.ncerts, 2);
  for(size_t i = 0; i < 2; i++) {
    size_t n1, n2;
    const uint8_t *d1 = brinei_cert_der(chain[i], &n1);
    const uint8_t *d2 = brinei_cert_der(b.certs[i], &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(d1, d2, n1);
  }
  assert_int_equal(brinei_cert_verify(ctx, b.certs[0], b.certs + 1, 1, ca,
                                      nca, brinei_cert_not_before(b.certs[0]),
                                      BRINEI_USE_SIGN), BRINE_OK);
  assert_int_equal(brinei_cert_key(ctx, b.certs[0], &leafkey), BRINE_OK);
  assert_int_equal(brinei_oms_check_sig(ctx, &b, leafkey, &compat), BRINE_OK);
  assert_false(compat);
  assert_int_equal(brinei_oms_statement(ctx, &b, &back), BRINE_OK);
  assert_same_manifest(ctx, &m, &back);
  brinei_manifest_free(ctx, &back);
  brinei_oms_bundle_free(ctx, &b);
  brinei_key_free(leafkey);
  /* python3-cryptography, with the leaf's key */
  snprintf(path, sizeof(path), "%s", tmpl);
  fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  write_file(path, json, len);
  if(run_py(path, "-", out, sizeof(out)) != 0)
    fail_msg("oms_verify.py rejected the certificate bundle: %s", out);
  unlink(path);
  brinei_free(ctx, json);
  /* a private key the leaf does not certify */
  assert_int_equal(brinei_key_load_private(ctx, KEYS "ec-p384.pem", NULL,
                                           &other), BRINE_OK);
  assert_fails(ctx, brinei_oms_bundle_write(ctx, payload, plen, other, chain,
                                            2, &json, &len),
               BRINE_E_INVALID);
  brinei_key_free(other);
  brinei_free(ctx, payload);
  brinei_manifest_free(ctx, &m);
  brinei_certs_free(ctx, leaf, nleaf);
  brinei_certs_free(ctx, inter, ninter);
  brinei_certs_free(ctx, ca, nca);
  brinei_key_free(priv);
  free_ctx(ctx);
}

/* ---- out of memory is a result, at every allocation ---- */

static void test_oom(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_key *priv, *pub;
  size_t n, gl;
  char *gold = slurp(OMS "v1.1.0-certificate/model.sig", &gl);
  unsigned done = 0;
  (void)state;
  assert_int_equal(brinei_key_load_private(ctx, KEYS "ec-p256.pem", NULL,
                                           &priv), BRINE_OK);
  pub = load_pub(ctx, KEYS "ec-p256.pub.pem");
  for(uint64_t k = 1; done != 0x1f && k < 10000; k++) {
    struct brinei_oms_bundle b;
    struct brinei_manifest m, back;
    char *payload = NULL, *json = NULL;
    size_t plen;
    brine_result rc;
    bool compat;
    size_t before = brine_ctx_mem_used(ctx);
    hand_manifest(ctx, &m, false);
    brine_ctx_fail_alloc_after(ctx, k);
    rc = brinei_oms_payload(ctx, &m, &payload, &plen);
    if(!rc) {
      rc = brinei_oms_bundle_write(ctx, payload, plen, priv, NULL, 0, &json,
                                   &n);
      if(!rc) {
        done |= 1;
        rc = brinei_oms_bundle_parse(ctx, json, n, &b);
        if(!rc) {
          done |= 2;
          rc = brinei_oms_check_sig(ctx, &b, pub, &compat);
          if(!rc) {
            done |= 4;
            rc = brinei_oms_statement(ctx, &b, &back);
            if(!rc) {
              done |= 8;
              brinei_manifest_free(ctx, &back);
            }
          }
          brinei_oms_bundle_free(ctx, &b);
        }
      }
    }
    if(rc)
      assert_int_equal(rc, BRINE_E_NOMEM);
    if(!rc) {
      /* the certificate bundle too */
      rc = brinei_oms_bundle_parse(ctx, gold, gl, &b);
      if(!rc) {
        done |= 16;
        brinei_oms_bundle_free(ctx, &b);
      }
      else
        assert_int_equal(rc, BRINE_E_NOMEM);
    }
    brine_ctx_fail_alloc_after(ctx, 0);
    brinei_free(ctx, json);
    brinei_free(ctx, payload);
    brinei_manifest_free(ctx, &m);
    assert_int_equal(brine_ctx_mem_used(ctx), before);
  }
  assert_int_equal(done, 0x1f);
  free(gold);
  brinei_key_free(priv);
  brinei_key_free(pub);
  free_ctx(ctx);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_pae),
    cmocka_unit_test(test_pae_compat),
    cmocka_unit_test(test_goldens),
    cmocka_unit_test(test_goldens_sigstore),
    cmocka_unit_test(test_tampered_payload),
    cmocka_unit_test(test_signature_count),
    cmocka_unit_test(test_bundle_rejects),
    cmocka_unit_test(test_bundle_text),
    cmocka_unit_test(test_bad_certificate),
    cmocka_unit_test(test_statement_shards),
    cmocka_unit_test(test_statement_rejects),
    cmocka_unit_test(test_statement_compat),
    cmocka_unit_test(test_payload_golden),
    cmocka_unit_test(test_payload_shards),
    cmocka_unit_test(test_write_key),
    cmocka_unit_test(test_write_certificate),
    cmocka_unit_test(test_oom),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
