/* crypto/timestamp.c, sct.c, identity.c: RFC 3161 timestamps, embedded
 * SCTs and Fulcio identities (signing.md §2.3 steps 1, 3 and 6).
 *
 * Data from outside brine: the production keyless OMS bundle written by
 * model_signing (tests/data/oms/v1.1.0-sigstore/model.sig) with the
 * production trusted root, the sigstore-conformance cases
 * (tests/conformance/sigstore-conformance/bundle-verify/) with their
 * roots, and certificates, a TSA and timestamp tokens made here by the
 * openssl command. genTime is cross-checked against `openssl ts -reply
 * -text`, SAN contents against `openssl x509 -ext subjectAltName`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

#include "internal.h"
#include "crypto/sigstore_x509.h"
#include "testutil.h"

#define MODEL_SIG "tests/data/oms/v1.1.0-sigstore/model.sig"
#define PROD_ROOT "tests/conformance/trusted_root.production.json"
#define CONF "tests/conformance/sigstore-conformance/bundle-verify/"

/* `openssl ts -reply -in ts.der -text` on the model's timestamp: "Time
   stamp: Oct 10 02:12:20 2025 GMT" */
#define MODEL_GENTIME ((int64_t)1760062340)
/* `openssl x509 -text` on the model's leaf: the SCT's "Timestamp : Oct 10
   02:12:19.958 2025 GMT" */
#define MODEL_SCT_MS 1760062339958ull

#define MAXC 8

/* ---- helpers ---- */

/* A base64 JSON string, decoded into plain malloc'ed bytes. Line breaks
   are dropped first, as Go's decoder does: the timestamp of
   rekor2-timestamp-with-incorrect-time_fail is wrapped at 76 columns. */
static uint8_t *b64(struct brine_ctx *ctx, const json_t *s, size_t *n)
{
  uint8_t *tmp, *out;
  char *text;
  size_t len, k = 0;
  assert_true(json_is_string(s));
  text = malloc(json_string_length(s) + 1);
  assert_non_null(text);
  for(const char *p = json_string_value(s); *p; p++)
    if(*p != '\n' && *p != '\r')
      text[k++] = *p;
  assert_int_equal(brinei_b64_decode(ctx, text, k, false, &tmp, &len),
                   BRINE_OK);
  free(text);
  out = malloc(len ? len : 1);
  assert_non_null(out);
  memcpy(out, tmp, len);
  brinei_free(ctx, tmp);
  *n = len;
  return out;
}

static struct brinei_cert *cert_b64(struct brine_ctx *ctx, const json_t *s)
{
  struct brinei_cert *c;
  size_t n;
  uint8_t *der = b64(ctx, s, &n);
  assert_int_equal(brinei_cert_parse_der(ctx, der, n, &c), BRINE_OK);
  free(der);
  return c;
}

static struct brinei_cert *cert_file(struct brine_ctx *ctx, const char *path)
{
  struct brinei_cert **cs, *c;
  size_t n;
  assert_int_equal(brinei_cert_load_pem(ctx, path, &cs, &n), BRINE_OK);
  assert_int_equal(n, 1);
  c = cs[0];
  brinei_free(ctx, cs);
  return c;
}

static struct brinei_cert *cert_der_file(struct brine_ctx *ctx,
                                         const char *path)
{
  struct brinei_cert *c;
  uint8_t buf[8192];
  size_t n;
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  n = fread(buf, 1, sizeof(buf), f);
  fclose(f);
  assert_true(n > 0 && n < sizeof(buf));
  assert_int_equal(brinei_cert_parse_der(ctx, buf, n, &c), BRINE_OK);
  return c;
}

static void write_file(const char *path, const uint8_t *p, size_t n)
{
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(p, 1, n, f), n);
  assert_int_equal(fclose(f), 0);
}

static uint8_t *read_file(const char *path, size_t *n)
{
  FILE *f = fopen(path, "rb");
  uint8_t *buf;
  long len;
  assert_non_null(f);
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  len = ftell(f);
  assert_true(len > 0);
  rewind(f);
  buf = malloc((size_t)len);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
  fclose(f);
  *n = (size_t)len;
  return buf;
}

static int64_t rfc3339(const json_t *s, int64_t dflt)
{
  time_t t;
  if(!json_is_string(s))
    return dflt;
  assert_true(brinei_parse_rfc3339(json_string_value(s), &t));
  return (int64_t)t;
}

/* A trusted root as the tests need it. */
struct root {
  struct brinei_cert *ca[MAXC][MAXC];
  size_t nca, ca_n[MAXC];
  struct brinei_cert *tsa_certs[MAXC][MAXC];
  struct brinei_tsa_trust tsa[MAXC];
  size_t ntsa;
  uint8_t ct_id[MAXC][32];
  struct brinei_key *ct_key[MAXC];
  struct brinei_ct_trust ct[MAXC];
  size_t nct;
};

static void root_load(struct brine_ctx *ctx, const char *path,
                      struct root *r)
{
  json_t *doc = load_json(path), *a, *e, *c;
  size_t i, j;
  memset(r, 0, sizeof(*r));
  a = json_object_get(doc, "certificateAuthorities");
  json_array_foreach(a, i, e) {
    json_t *certs = json_object_get(json_object_get(e, "certChain"),
                                    "certificates");
    assert_true(r->nca < MAXC);
    json_array_foreach(certs, j, c) {
      assert_true(j < MAXC);
      r->ca[r->nca][j] = cert_b64(ctx, json_object_get(c, "rawBytes"));
      r->ca_n[r->nca]++;
    }
    r->nca++;
  }
  a = json_object_get(doc, "timestampAuthorities");
  json_array_foreach(a, i, e) {
    json_t *certs = json_object_get(json_object_get(e, "certChain"),
                                    "certificates");
    json_t *vf = json_object_get(e, "validFor");
    struct brinei_tsa_trust *t = &r->tsa[r->ntsa];
    assert_true(r->ntsa < MAXC);
    json_array_foreach(certs, j, c) {
      assert_true(j < MAXC);
      r->tsa_certs[r->ntsa][j] = cert_b64(ctx, json_object_get(c,
                                                               "rawBytes"));
      t->ncerts++;
    }
    t->certs = r->tsa_certs[r->ntsa];
    t->start = rfc3339(json_object_get(vf, "start"), INT64_MIN);
    t->end = rfc3339(json_object_get(vf, "end"), INT64_MAX);
    r->ntsa++;
  }
  a = json_object_get(doc, "ctlogs");
  json_array_foreach(a, i, e) {
    json_t *pk = json_object_get(e, "publicKey");
    json_t *vf = json_object_get(pk, "validFor");
    uint8_t *der, *id;
    size_t n;
    assert_true(r->nct < MAXC);
    /* conformance roots list a PKCS1_RSA_PKCS1V5 log whose rawBytes are a
       PKCS#1 RSAPublicKey, not an SPKI; no SCT here comes from it */
    if(json_is_string(json_object_get(pk, "keyDetails")) &&
       !strcmp(json_string_value(json_object_get(pk, "keyDetails")),
               "PKCS1_RSA_PKCS1V5"))
      continue;
    der = b64(ctx, json_object_get(pk, "rawBytes"), &n);
    assert_int_equal(brinei_key_parse_public_der(ctx, der, n,
                                                 &r->ct_key[r->nct]),
                     BRINE_OK);
    free(der);
    id = b64(ctx, json_object_get(json_object_get(e, "logId"), "keyId"), &n);
    assert_int_equal(n, 32);
    memcpy(r->ct_id[r->nct], id, 32);
    free(id);
    r->ct[r->nct].log_id = r->ct_id[r->nct];
    r->ct[r->nct].key = r->ct_key[r->nct];
    r->ct[r->nct].start = rfc3339(json_object_get(vf, "start"), INT64_MIN);
    r->ct[r->nct].end = rfc3339(json_object_get(vf, "end"), INT64_MAX);
    r->nct++;
  }
  json_decref(doc);
}

static void root_free(struct root *r)
{
  for(size_t i = 0; i < MAXC; i++)
    for(size_t j = 0; j < MAXC; j++) {
      brinei_cert_free(r->ca[i][j]);
      brinei_cert_free(r->tsa_certs[i][j]);
    }
  for(size_t i = 0; i < r->nct; i++)
    brinei_key_free(r->ct_key[i]);
}

/* What the tests take from a bundle. */
struct bundle {
  struct brinei_cert *chain[MAXC];
  size_t nchain;
  uint8_t *sig;   /* DSSE sig or messageSignature.signature */
  size_t sig_len;
  uint8_t *ts;    /* the first RFC 3161 timestamp, or NULL */
  size_t ts_len;
};

static bool bundle_load(struct brine_ctx *ctx, const char *path,
                        struct bundle *b)
{
  json_error_t e;
  json_t *doc = json_load_file(path, 0, &e), *vm, *x, *c, *sig;
  size_t i;
  memset(b, 0, sizeof(*b));
  if(!doc)
    return false;  /* bundle-malformed-json_fail */
  vm = json_object_get(doc, "verificationMaterial");
  if((x = json_object_get(vm, "certificate")))
    b->chain[b->nchain++] = cert_b64(ctx, json_object_get(x, "rawBytes"));
  x = json_object_get(json_object_get(vm, "x509CertificateChain"),
                      "certificates");
  json_array_foreach(x, i, c) {
    assert_true(b->nchain < MAXC);
    b->chain[b->nchain++] = cert_b64(ctx, json_object_get(c, "rawBytes"));
  }
  x = json_object_get(json_object_get(vm, "timestampVerificationData"),
                      "rfc3161Timestamps");
  if(json_array_size(x))
    b->ts = b64(ctx, json_object_get(json_array_get(x, 0),
                                     "signedTimestamp"), &b->ts_len);
  if((x = json_object_get(doc, "dsseEnvelope")))
    sig = json_object_get(json_array_get(json_object_get(x, "signatures"),
                                         0), "sig");
  else
    sig = json_object_get(json_object_get(doc, "messageSignature"),
                          "signature");
  if(json_is_string(sig) &&
     brinei_b64_decode(ctx, json_string_value(sig), json_string_length(sig),
                       false, &b->sig, &b->sig_len)) {
    b->sig = NULL;  /* bundle-invalid-base64-signature_fail */
    brinei_clear_error(ctx);
  }
  json_decref(doc);
  return true;
}

static void bundle_free(struct brine_ctx *ctx, struct bundle *b)
{
  for(size_t i = 0; i < b->nchain; i++)
    brinei_cert_free(b->chain[i]);
  brinei_free(ctx, b->sig);
  free(b->ts);
}

/* A scratch directory, and shell commands run in it. */
static char tmpdir[64];

static void run(const char *fmt, ...) BRINE_PRINTF(1, 2);
static void run(const char *fmt, ...)
{
  char cmd[4096];
  int n;
  va_list ap;
  n = snprintf(cmd, sizeof(cmd), "cd '%s' && (", tmpdir);
  va_start(ap, fmt);
  n += vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
  va_end(ap);
  snprintf(cmd + n, sizeof(cmd) - (size_t)n, ") >>log 2>&1");
  if(system(cmd) != 0)
    fail_msg("command failed: %s (see %s/log)", cmd, tmpdir);
}

static char *path_in(const char *name)
{
  static char buf[4][256];
  assert_true(strlen(name) < 160);
  static int k;
  k = (k + 1) % 4;
  snprintf(buf[k], sizeof(buf[k]), "%s/%s", tmpdir, name);
  return buf[k];
}

/* The first line of a command's output containing `key`, after it. */
static bool cmd_line(const char *cmd, const char *key, char *out, size_t n)
{
  char line[1024];
  bool found = false;
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  while(fgets(line, sizeof(line), p)) {
    char *at = strstr(line, key);
    if(at && !found) {
      at += strlen(key);
      at[strcspn(at, "\n")] = 0;
      snprintf(out, n, "%s", at);
      found = true;
    }
  }
  pclose(p);
  return found;
}

/* genTime as `openssl ts -reply -text` prints it ("Oct 10 02:12:20 2025
   GMT", maybe with ".123" after the seconds); *frac tells whether it has a
   fraction. */
static int64_t openssl_gentime(const char *ts_path, bool *frac)
{
  char cmd[512], val[128], *dot;
  struct tm tm;
  snprintf(cmd, sizeof(cmd), "openssl ts -reply -in '%s' -text 2>/dev/null",
           ts_path);
  if(!cmd_line(cmd, "Time stamp: ", val, sizeof(val)))
    fail_msg("no genTime from: %s", cmd);
  *frac = false;
  if((dot = strchr(val, '.'))) {  /* drop the fraction */
    size_t k = strspn(dot + 1, "0123456789");
    memmove(dot, dot + 1 + k, strlen(dot + 1 + k) + 1);
    *frac = true;
  }
  memset(&tm, 0, sizeof(tm));
  if(!strptime(val, "%b %d %H:%M:%S %Y GMT", &tm))
    fail_msg("cannot parse openssl's time \"%s\"", val);
  return (int64_t)timegm(&tm);
}

static int setup_tmp(void **state)
{
  (void)state;
  snprintf(tmpdir, sizeof(tmpdir), "/tmp/brine-sx509-XXXXXX");
  return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
  char cmd[128];
  (void)state;
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
  return system(cmd) == 0 ? 0 : -1;
}

static void write_cert(const struct brinei_cert *c, const char *name)
{
  size_t n;
  const uint8_t *der = brinei_cert_der(c, &n);
  write_file(path_in(name), der, n);
}

/* A self-signed certificate made by openssl with extra -addext options,
   as DER in NAME.der. */
static struct brinei_cert *make_cert(struct brine_ctx *ctx, const char *name,
                                     const char *addext)
{
  char file[96];
  run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
      "-nodes -keyout %s.key -subj /CN=%s -days 2 -outform DER -out %s.der "
      "%s", name, name, name, addext);
  snprintf(file, sizeof(file), "%s.der", name);
  return cert_der_file(ctx, path_in(file));
}

/* ---- identity ---- */

static void assert_names(struct brine_ctx *ctx, const struct brinei_cert *c,
                         const char *const *want, size_t nwant)
{
  char **names = NULL;
  size_t n = 99;
  assert_int_equal(brinei_cert_identities(ctx, c, &names, &n), BRINE_OK);
  assert_int_equal(n, nwant);
  for(size_t i = 0; i < n; i++)
    assert_string_equal(names[i], want[i]);
  brinei_strs_free(ctx, names, n);
}

static void assert_issuer(struct brine_ctx *ctx, const struct brinei_cert *c,
                          const char *want)
{
  char *iss = NULL;
  assert_int_equal(brinei_cert_oidc_issuer(ctx, c, &iss), BRINE_OK);
  assert_string_equal(iss, want);
  brinei_free(ctx, iss);
}

static void test_model_identity(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  static const char *const want[] = {"stefanb@us.ibm.com"};
  struct bundle b;
  char cmd[512], san[256];
  (void)state;
  assert_true(bundle_load(ctx, MODEL_SIG, &b));
  assert_int_equal(b.nchain, 1);
  assert_names(ctx, b.chain[0], want, 1);
  /* both issuer extensions, same value (signing.md §2.3 step 6 [R]) */
  assert_issuer(ctx, b.chain[0], "https://sigstore.verify.ibm.com/oauth2");
  /* openssl reads the same SAN */
  write_cert(b.chain[0], "model_leaf.der");
  snprintf(cmd, sizeof(cmd), "openssl x509 -inform der -in '%s' -noout "
           "-ext subjectAltName", path_in("model_leaf.der"));
  assert_true(cmd_line(cmd, "email:", san, sizeof(san)));
  assert_string_equal(san, "stefanb@us.ibm.com");
  assert_false(brinei_cert_self_signed(b.chain[0]));
  bundle_free(ctx, &b);
  free_ctx(ctx);
}

/* The issuer: 1.8 (UTF8String) wins over 1.1 (raw); 1.1 alone is used;
   neither is NOTFOUND; damaged values are MALFORMED. No Fulcio certificate
   in the test data has only one of them, so these are made here. */
static void test_crafted_issuer(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_cert *c;
  char *iss = NULL;
  (void)state;
  /* "https://v1.example" as raw bytes */
  c = make_cert(ctx, "both",
                "-addext 1.3.6.1.4.1.57264.1.8=ASN1:UTF8String:"
                "https://v2.example -addext 1.3.6.1.4.1.57264.1.1=DER:68:74:"
                "74:70:73:3a:2f:2f:76:31:2e:65:78:61:6d:70:6c:65");
  assert_issuer(ctx, c, "https://v2.example");
  brinei_cert_free(c);
  c = make_cert(ctx, "v1only",
                "-addext 1.3.6.1.4.1.57264.1.1=DER:68:74:74:70:73:3a:2f:2f:"
                "76:31:2e:65:78:61:6d:70:6c:65");
  assert_issuer(ctx, c, "https://v1.example");
  brinei_cert_free(c);
  c = make_cert(ctx, "v2only", "-addext 1.3.6.1.4.1.57264.1.8=ASN1:"
                "UTF8String:https://v2.example");
  assert_issuer(ctx, c, "https://v2.example");
  brinei_cert_free(c);
  c = make_cert(ctx, "noiss", "");
  assert_fails(ctx, brinei_cert_oidc_issuer(ctx, c, &iss), BRINE_E_NOTFOUND);
  brinei_cert_free(c);
  /* 1.8 of the wrong string type does not fall back to 1.1 */
  c = make_cert(ctx, "v2ia5",
                "-addext 1.3.6.1.4.1.57264.1.8=ASN1:IA5STRING:https://x "
                "-addext 1.3.6.1.4.1.57264.1.1=DER:68:74:74:70");
  assert_fails(ctx, brinei_cert_oidc_issuer(ctx, c, &iss), BRINE_E_MALFORMED);
  brinei_cert_free(c);
  /* a UTF8String with a byte after it; one with a NUL inside */
  c = make_cert(ctx, "v2trail",
                "-addext 1.3.6.1.4.1.57264.1.8=DER:0c:01:61:00");
  assert_fails(ctx, brinei_cert_oidc_issuer(ctx, c, &iss), BRINE_E_MALFORMED);
  brinei_cert_free(c);
  c = make_cert(ctx, "v2nul",
                "-addext 1.3.6.1.4.1.57264.1.8=DER:0c:03:61:00:62");
  assert_fails(ctx, brinei_cert_oidc_issuer(ctx, c, &iss), BRINE_E_MALFORMED);
  brinei_cert_free(c);
  c = make_cert(ctx, "v1nul", "-addext 1.3.6.1.4.1.57264.1.1=DER:61:00:62");
  assert_fails(ctx, brinei_cert_oidc_issuer(ctx, c, &iss), BRINE_E_MALFORMED);
  brinei_cert_free(c);
  free_ctx(ctx);
}

static void test_crafted_identities(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  static const char *const want[] = {
    "a@b.example", "https://x.example/y", "user\xc3\xa9@example",
    "https://z.example"};
  struct brinei_cert *c;
  char cmd[512], line[512];
  char **names = NULL;
  size_t n = 0;
  (void)state;
  /* DNS, IP and an otherName of another OID are not identities */
  /* a UTF-8 value needs FORMAT:UTF8, whose comma needs a SAN section */
  {
    static const char cnf[] =
      "[req]\ndistinguished_name=dn\nprompt=no\n[dn]\nCN=sans\n"
      "[ext]\nsubjectAltName=@alt\n[alt]\nemail.1=a@b.example\n"
      "DNS.1=d.example\nURI.1=https://x.example/y\nIP.1=192.0.2.1\n"
      "otherName.1=1.2.3.4;UTF8:ignored\n"
      "otherName.2=1.3.6.1.4.1.57264.1.7;FORMAT:UTF8,UTF8:"
      "user\xc3\xa9@example\nURI.2=https://z.example\n";
    write_file(path_in("sans.cnf"), (const uint8_t *)cnf, strlen(cnf));
  }
  c = make_cert(ctx, "sans", "-config sans.cnf -extensions ext");
  assert_names(ctx, c, want, 4);
  /* openssl lists the same entries in the same order */
  snprintf(cmd, sizeof(cmd), "openssl x509 -inform der -in '%s' -noout "
           "-ext subjectAltName | tail -n 1", path_in("sans.der"));
  assert_true(cmd_line(cmd, "email:", line, sizeof(line)));
  assert_non_null(strstr(line, "a@b.example, DNS:d.example, "
                               "URI:https://x.example/y, "
                               "IP Address:192.0.2.1"));
  assert_non_null(strstr(line, "URI:https://z.example"));
  brinei_cert_free(c);
  c = make_cert(ctx, "nosan", "");
  assert_int_equal(brinei_cert_identities(ctx, c, &names, &n), BRINE_OK);
  assert_int_equal(n, 0);
  brinei_strs_free(ctx, names, n);
  brinei_cert_free(c);
  /* the Fulcio username must be a UTF8String */
  c = make_cert(ctx, "othia5", "-addext 'subjectAltName="
                "otherName:1.3.6.1.4.1.57264.1.7;IA5STRING:user'");
  assert_fails(ctx, brinei_cert_identities(ctx, c, &names, &n),
               BRINE_E_MALFORMED);
  brinei_cert_free(c);
  /* rfc822Name "a@b\0.c": a NUL would cut the string short */
  c = make_cert(ctx, "sannul", "-addext subjectAltName=DER:30:08:81:06:61:"
                "40:62:00:2e:63");
  assert_fails(ctx, brinei_cert_identities(ctx, c, &names, &n),
               BRINE_E_MALFORMED);
  brinei_cert_free(c);
  /* a URI with a byte above 0x7f is not an IA5String */
  c = make_cert(ctx, "san8bit", "-addext subjectAltName=DER:30:04:86:02:"
                "61:e9");
  assert_fails(ctx, brinei_cert_identities(ctx, c, &names, &n),
               BRINE_E_MALFORMED);
  brinei_cert_free(c);
  /* a SAN extension that does not parse */
  c = make_cert(ctx, "sanbad", "-addext subjectAltName=DER:30:05:81:06:61");
  assert_fails(ctx, brinei_cert_identities(ctx, c, &names, &n),
               BRINE_E_MALFORMED);
  brinei_cert_free(c);
  free_ctx(ctx);
}

/* ---- self-signed ---- */

static void test_self_signed(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_cert *c;
  struct bundle b;
  struct root r;
  (void)state;
  /* openssl x509 -subject -issuer: the chain is [leaf, root
     (O=sigstore.dev CN=sigstore, self-issued), intermediate] */
  assert_true(bundle_load(ctx, CONF "bundle-with-root-cert_fail/"
                          "bundle.sigstore.json", &b));
  assert_int_equal(b.nchain, 3);
  assert_false(brinei_cert_self_signed(b.chain[0]));
  assert_true(brinei_cert_self_signed(b.chain[1]));
  assert_false(brinei_cert_self_signed(b.chain[2]));
  bundle_free(ctx, &b);
  /* the production Fulcio roots are, their intermediate is not */
  root_load(ctx, PROD_ROOT, &r);
  assert_int_equal(r.nca, 2);
  assert_true(brinei_cert_self_signed(r.ca[0][0]));
  assert_false(brinei_cert_self_signed(r.ca[1][0]));
  assert_true(brinei_cert_self_signed(r.ca[1][1]));
  assert_false(brinei_cert_self_signed(r.tsa_certs[0][0]));
  assert_true(brinei_cert_self_signed(r.tsa_certs[0][1]));
  root_free(&r);
  c = make_cert(ctx, "selfsigned", "");
  assert_true(brinei_cert_self_signed(c));
  /* the same certificate with its signature damaged (the last byte of
     the DER is inside the ECDSA s value): issued by itself by name, but
     not signed by its own key */
  {
    size_t n;
    const uint8_t *der = brinei_cert_der(c, &n);
    uint8_t *bad = malloc(n);
    struct brinei_cert *d;
    assert_non_null(bad);
    memcpy(bad, der, n);
    bad[n - 1] ^= 1;
    assert_int_equal(brinei_cert_parse_der(ctx, bad, n, &d), BRINE_OK);
    assert_false(brinei_cert_self_signed(d));
    brinei_cert_free(d);
    free(bad);
  }
  brinei_cert_free(c);
  free_ctx(ctx);
}

/* ---- SCTs ---- */

static size_t scts(struct brine_ctx *ctx, const struct brinei_cert *leaf,
                   const struct brinei_cert *issuer,
                   const struct brinei_ct_trust *logs, size_t nlogs)
{
  size_t n = 999;
  assert_int_equal(brinei_sct_verify(ctx, leaf, issuer, logs, nlogs, &n),
                   BRINE_OK);
  assert_int_equal(ERR_peek_error(), 0);
  return n;
}

/* leaf's DER with one byte changed at off (xor x), re-parsed. */
static struct brinei_cert *mutated(struct brine_ctx *ctx,
                                   const struct brinei_cert *leaf,
                                   size_t off, uint8_t x)
{
  size_t n;
  const uint8_t *der = brinei_cert_der(leaf, &n);
  uint8_t *buf = malloc(n);
  struct brinei_cert *c;
  assert_non_null(buf);
  assert_true(off < n);
  memcpy(buf, der, n);
  buf[off] ^= x;
  assert_int_equal(brinei_cert_parse_der(ctx, buf, n, &c), BRINE_OK);
  free(buf);
  return c;
}

/* Where the SCT of log `id` sits in leaf's DER: the offset of its log id
   (the SCT's version byte is just before it). */
static size_t sct_at(const struct brinei_cert *leaf, const uint8_t *id)
{
  size_t n;
  const uint8_t *der = brinei_cert_der(leaf, &n);
  const uint8_t *p = memmem(der, n, id, 32);
  assert_non_null(p);
  assert_int_equal(p[-1], 0);  /* v1 */
  return (size_t)(p - der);
}

static void test_model_sct(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_ct_trust logs[MAXC + 1];
  const struct brinei_cert *inter;
  struct brinei_cert *leaf, *m;
  struct bundle b;
  struct root r;
  size_t at, k2022 = MAXC, ext_len, sig_len;
  const uint8_t *der;
  int64_t secs = (int64_t)(MODEL_SCT_MS / 1000);
  (void)state;
  root_load(ctx, PROD_ROOT, &r);
  assert_true(bundle_load(ctx, MODEL_SIG, &b));
  leaf = b.chain[0];
  assert_int_equal(r.nct, 2);
  assert_int_equal(r.nca, 2);
  inter = r.ca[1][0];  /* O=sigstore.dev, CN=sigstore-intermediate */
  assert_int_equal(scts(ctx, leaf, inter, r.ct, r.nct), 1);
  /* the issuer's key is in the signed data: any other gives nothing */
  assert_int_equal(scts(ctx, leaf, r.ca[1][1], r.ct, r.nct), 0);
  assert_int_equal(scts(ctx, leaf, r.ca[0][0], r.ct, r.nct), 0);
  assert_int_equal(scts(ctx, leaf, leaf, r.ct, r.nct), 0);
  assert_int_equal(scts(ctx, leaf, inter, r.ct, 0), 0);

  /* the SCT is from ctfe.sigstore.dev/2022 (openssl: Log ID DD:3D:30...);
     its time against the log's window, inclusive */
  for(size_t i = 0; i < r.nct; i++)
    if(r.ct_id[i][0] == 0xdd && r.ct_id[i][1] == 0x3d)
      k2022 = i;
  assert_true(k2022 < r.nct);
  logs[0] = r.ct[k2022];
  assert_int_equal(scts(ctx, leaf, inter, logs, 1), 1);
  logs[0].start = secs + 1;
  assert_int_equal(scts(ctx, leaf, inter, logs, 1), 0);
  logs[0].start = secs;
  assert_int_equal(scts(ctx, leaf, inter, logs, 1), 1);
  logs[0].end = secs;
  assert_int_equal(scts(ctx, leaf, inter, logs, 1), 1);
  logs[0].end = secs - 1;
  assert_int_equal(scts(ctx, leaf, inter, logs, 1), 0);
  /* the right id with another log's key */
  logs[0] = r.ct[k2022];
  logs[0].key = r.ct[1 - k2022].key;
  assert_int_equal(scts(ctx, leaf, inter, logs, 1), 0);
  /* a log listed twice (two windows) still counts once */
  logs[0] = r.ct[k2022];
  logs[1] = r.ct[k2022];
  logs[1].end = INT64_MAX - 1;
  assert_int_equal(scts(ctx, leaf, inter, logs, 2), 1);

  /* one byte changed: in the SCT's signature or timestamp (both outside
     the precert TBS), or in the TBS itself (the SAN's email) */
  at = sct_at(leaf, r.ct_id[k2022]);
  der = brinei_cert_der(leaf, &(size_t){0});
  ext_len = (size_t)der[at + 40] << 8 | der[at + 41];
  assert_int_equal(ext_len, 0);  /* openssl: "Extensions: none" */
  sig_len = (size_t)der[at + 44] << 8 | der[at + 45];
  assert_int_equal(der[at + 42], 4);  /* sha256 */
  assert_int_equal(der[at + 43], 3);  /* ecdsa */
  {
    uint64_t ts = 0;
    for(int i = 0; i < 8; i++)
      ts = ts << 8 | der[at + 32 + (size_t)i];
    assert_true(ts == MODEL_SCT_MS);
  }
  m = mutated(ctx, leaf, at + 46 + sig_len - 1, 1);
  assert_int_equal(scts(ctx, m, inter, r.ct, r.nct), 0);
  brinei_cert_free(m);
  m = mutated(ctx, leaf, at + 39, 1);
  assert_int_equal(scts(ctx, m, inter, r.ct, r.nct), 0);
  brinei_cert_free(m);
  {
    size_t n;
    const uint8_t *d = brinei_cert_der(leaf, &n);
    const uint8_t *e = memmem(d, n, "stefanb", 7);
    assert_non_null(e);
    m = mutated(ctx, leaf, (size_t)(e - d), 2);
    assert_int_equal(scts(ctx, m, inter, r.ct, r.nct), 0);
    brinei_cert_free(m);
    /* an untouched copy still verifies */
    m = mutated(ctx, leaf, 0, 0);
    assert_int_equal(scts(ctx, m, inter, r.ct, r.nct), 1);
    brinei_cert_free(m);
  }
  bundle_free(ctx, &b);
  root_free(&r);
  free_ctx(ctx);
}

/* DER surgery for SCT lists: the element at p with the k bytes ins put
   at offset at (from p), every enclosing length fixed. Descends through
   SEQUENCE, [3] and an OCTET STRING wrapping DER (extnValue); any other
   element takes the bytes as they are. Returns malloc'ed bytes. */
static size_t der_hdr(const uint8_t *p, size_t *len)
{
  size_t h = 2, l = p[1];
  if(l & 0x80) {
    size_t nb = l & 0x7f;
    assert_true(nb >= 1 && nb <= 3);
    l = 0;
    for(size_t i = 0; i < nb; i++)
      l = l << 8 | p[2 + i];
    h += nb;
  }
  *len = l;
  return h;
}

static uint8_t *der_insert(const uint8_t *p, size_t at, const uint8_t *ins,
                           size_t k, size_t *outlen)
{
  size_t clen, h = der_hdr(p, &clen), nc = 0, hl;
  const uint8_t *c = p + h;
  uint8_t *newc = malloc(clen + k + 64), *out;
  bool descend = p[0] == 0x30 || p[0] == 0xa3 ||
                 (p[0] == 0x04 && clen && c[0] == 0x04);
  assert_non_null(newc);
  assert_true(at >= h && at <= h + clen);
  if(descend) {
    size_t off = 0;
    bool done = false;
    while(off < clen) {
      size_t cl, ch = der_hdr(c + off, &cl), end = off + ch + cl;
      if(!done && at >= h + off + ch && at <= h + end) {
        size_t sl;
        uint8_t *sub = der_insert(c + off, at - h - off, ins, k, &sl);
        memcpy(newc + nc, sub, sl);
        nc += sl;
        free(sub);
        done = true;
      } else {
        memcpy(newc + nc, c + off, end - off);
        nc += end - off;
      }
      off = end;
    }
    assert_true(done);
  } else {
    memcpy(newc, c, at - h);
    memcpy(newc + (at - h), ins, k);
    memcpy(newc + (at - h) + k, c + (at - h), clen - (at - h));
    nc = clen + k;
  }
  out = malloc(nc + 8);
  assert_non_null(out);
  out[0] = p[0];
  if(nc < 0x80) {
    out[1] = (uint8_t)nc;
    hl = 2;
  } else if(nc < 0x100) {
    out[1] = 0x81;
    out[2] = (uint8_t)nc;
    hl = 3;
  } else {
    assert_true(nc < 0x10000);
    out[1] = 0x82;
    out[2] = (uint8_t)(nc >> 8);
    out[3] = (uint8_t)nc;
    hl = 4;
  }
  memcpy(out + hl, newc, nc);
  free(newc);
  *outlen = hl + nc;
  return out;
}

/* leaf with `ins` put before its first SCT (the TLS list length grown to
   match). The SCT list is outside the precert TBS, so the SCTs already
   there still verify. */
static struct brinei_cert *with_sct_before(struct brine_ctx *ctx,
                                           const struct brinei_cert *leaf,
                                           size_t first, const uint8_t *ins,
                                           size_t k)
{
  size_t n, outlen, list_len;
  const uint8_t *der = brinei_cert_der(leaf, &n);
  uint8_t *copy = malloc(n), *out;
  struct brinei_cert *c;
  assert_non_null(copy);
  memcpy(copy, der, n);
  /* first = the SCT's log id: version at -1, its length at -3, the
     list's length at -5 */
  list_len = (size_t)copy[first - 5] << 8 | copy[first - 4];
  list_len += k;
  copy[first - 5] = (uint8_t)(list_len >> 8);
  copy[first - 4] = (uint8_t)list_len;
  out = der_insert(copy, first - 3, ins, k, &outlen);
  assert_int_equal(brinei_cert_parse_der(ctx, out, outlen, &c), BRINE_OK);
  free(out);
  free(copy);
  return c;
}

/* The model's SCT twice counts one log once; an SCT of an unknown
   version before it is skipped. */
static void test_sct_list_shapes(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  static const uint8_t v2[] = {0x00, 0x05, 0x01, 0xaa, 0xbb, 0xcc, 0xdd};
  struct brinei_cert *c;
  struct bundle b;
  struct root r;
  size_t at, sct_len, k2022 = 0;
  const uint8_t *der;
  (void)state;
  root_load(ctx, PROD_ROOT, &r);
  assert_true(bundle_load(ctx, MODEL_SIG, &b));
  for(size_t i = 0; i < r.nct; i++)
    if(r.ct_id[i][0] == 0xdd)
      k2022 = i;
  at = sct_at(b.chain[0], r.ct_id[k2022]);
  der = brinei_cert_der(b.chain[0], &(size_t){0});
  sct_len = (size_t)der[at - 3] << 8 | der[at - 2];
  /* the serialized SCT, its length included */
  c = with_sct_before(ctx, b.chain[0], at, der + at - 3, 2 + sct_len);
  assert_int_equal(scts(ctx, c, r.ca[1][0], r.ct, r.nct), 1);
  brinei_cert_free(c);
  c = with_sct_before(ctx, b.chain[0], at, v2, sizeof(v2));
  assert_int_equal(scts(ctx, c, r.ca[1][0], r.ct, r.nct), 1);
  brinei_cert_free(c);
  /* and the same surgery with a damaged length is refused */
  {
    static const uint8_t cut[] = {0x00, 0x09, 0x00, 0xaa};
    c = with_sct_before(ctx, b.chain[0], at, cut, sizeof(cut));
    assert_fails(ctx, brinei_sct_verify(ctx, c, r.ca[1][0], r.ct, r.nct,
                                        &sct_len),
                 BRINE_E_MALFORMED);
    brinei_cert_free(c);
  }
  bundle_free(ctx, &b);
  root_free(&r);
  free_ctx(ctx);
}

/* Every conformance leaf's SCTs with the case's root (or production):
   the issuer is whichever CA certificate it is. */
static size_t best_scts(struct brine_ctx *ctx, const struct bundle *b,
                        const struct root *r)
{
  size_t best = 0;
  for(size_t i = 1; i < b->nchain; i++) {
    size_t n = scts(ctx, b->chain[0], b->chain[i], r->ct, r->nct);
    best = n > best ? n : best;
  }
  for(size_t i = 0; i < r->nca; i++)
    for(size_t j = 0; j < r->ca_n[i]; j++) {
      size_t n = scts(ctx, b->chain[0], r->ca[i][j], r->ct, r->nct);
      best = n > best ? n : best;
    }
  return best;
}

static void case_paths(const char *name, char *bundle, char *troot, size_t n)
{
  char p[512];
  snprintf(bundle, n, CONF "%s/bundle.sigstore.json", name);
  snprintf(p, sizeof(p), CONF "%s/trusted_root.json", name);
  snprintf(troot, n, "%s", access(p, R_OK) == 0 ? p : PROD_ROOT);
}

static void test_conformance_sct(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct dirent *de;
  size_t checked = 0;
  DIR *d = opendir(CONF);
  (void)state;
  assert_non_null(d);
  while((de = readdir(d))) {
    char bpath[512], rpath[512];
    struct bundle b;
    struct root r;
    size_t got;
    bool want_none;
    if(de->d_name[0] == '.')
      continue;
    case_paths(de->d_name, bpath, rpath, sizeof(bpath));
    if(access(bpath, R_OK) || !bundle_load(ctx, bpath, &b))
      continue;
    if(!b.nchain) {
      bundle_free(ctx, &b);
      continue;
    }
    root_load(ctx, rpath, &r);
    got = best_scts(ctx, &b, &r);
    /* the case's root has the wrong CT key; the staging leaf's log is not
       in the production root */
    want_none = !strcmp(de->d_name, "invalid-ct-key_fail") ||
                !strcmp(de->d_name, "bundle-from-wrong-instance_fail");
    if(want_none ? got != 0 : got < 1)
      fail_msg("%s: %zu SCTs verified", de->d_name, got);
    root_free(&r);
    if(!strcmp(de->d_name, "invalid-ct-key_fail")) {
      /* the leaf is a production one: its SCT verifies with the
         production key, so the key is the only thing wrong */
      root_load(ctx, PROD_ROOT, &r);
      assert_int_equal(best_scts(ctx, &b, &r), 1);
      root_free(&r);
    }
    if(!strcmp(de->d_name, "bundle-with-sct-with-extensions")) {
      /* openssl: "Extensions: 00:00:05:00:00:00:00:70"; the extension
         bytes are signed: change one and nothing verifies */
      static const uint8_t ext[8] = {0, 0, 5, 0, 0, 0, 0, 0x70};
      size_t n;
      const uint8_t *der = brinei_cert_der(b.chain[0], &n);
      const uint8_t *e = memmem(der, n, ext, sizeof(ext));
      struct brinei_cert *m;
      assert_non_null(e);
      assert_int_equal(e[-2], 0);  /* extensions<0..2^16-1>: length 8 */
      assert_int_equal(e[-1], 8);
      assert_true(got >= 1);
      m = mutated(ctx, b.chain[0], (size_t)(e - der) + 7, 1);
      root_load(ctx, rpath, &r);
      assert_int_equal(best_scts(ctx, &(struct bundle){.chain = {m},
                                                       .nchain = 1}, &r),
                       0);
      root_free(&r);
      brinei_cert_free(m);
    }
    checked++;
    bundle_free(ctx, &b);
  }
  closedir(d);
  /* 70 cases less bundle-malformed-json_fail,
     bundle-empty-certificate-chain_fail and the 4 managed-key ones */
  assert_int_equal(checked, 64);
  free_ctx(ctx);
}

/* Damaged or unusual SCT lists in certificates made by openssl. */
static void test_crafted_sct(void **state)
{
  static const struct {
    const char *der;  /* the extension's value */
    brine_result want;
  } cases[] = {
    {"04:00", BRINE_E_MALFORMED},                  /* no list length */
    {"04:02:00:00", BRINE_E_MALFORMED},            /* empty list */
    {"04:04:00:02:00:00", BRINE_E_MALFORMED},      /* an empty SCT */
    {"04:03:00:03:00", BRINE_E_MALFORMED},         /* list overruns */
    {"04:05:00:03:00:01:00", BRINE_E_MALFORMED},   /* v1, truncated */
    {"04:05:00:03:00:01:01", BRINE_OK},            /* v2: skipped */
    {"04:06:00:03:00:01:01:ff", BRINE_E_MALFORMED},  /* after the list */
    {"04:05:00:03:00:01:01:00", BRINE_E_MALFORMED},  /* after the string */
    {"0c:01:61", BRINE_E_MALFORMED},               /* not an OCTET STRING */
  };
  struct brine_ctx *ctx = new_ctx();
  struct root r;
  char opt[1024], name[32];
  (void)state;
  root_load(ctx, PROD_ROOT, &r);
  for(size_t i = 0; i < BRINE_ARRAY_LEN(cases); i++) {
    struct brinei_cert *c;
    size_t n = 99;
    snprintf(opt, sizeof(opt), "-addext 1.3.6.1.4.1.11129.2.4.2=DER:%s",
             cases[i].der);
    snprintf(name, sizeof(name), "sct%zu", i);
    c = make_cert(ctx, name, opt);
    brinei_clear_error(ctx);
    assert_int_equal(brinei_sct_verify(ctx, c, c, r.ct, r.nct, &n),
                     cases[i].want);
    if(cases[i].want)
      assert_int_equal(brine_last_error(ctx)->code, cases[i].want);
    else
      assert_int_equal(n, 0);
    assert_int_equal(ERR_peek_error(), 0);
    brinei_cert_free(c);
  }
  /* a well-formed v1 SCT from the production 2022 log's id with a bogus
     signature: parsed, not counted; one byte more inside it: damaged */
  {
    struct brinei_cert *c;
    size_t n = 99, k;
    k = (size_t)snprintf(opt, sizeof(opt),
                         "-addext 1.3.6.1.4.1.11129.2.4.2=DER:04:35:00:33:"
                         "00:31:00");
    for(size_t i = 0; i < 32; i++)
      k += (size_t)snprintf(opt + k, sizeof(opt) - k, ":%02x",
                            r.ct_id[1][i]);
    snprintf(opt + k, sizeof(opt) - k, ":00:00:01:99:c8:b1:5e:76:00:00:04:"
             "03:00:02:30:00");
    c = make_cert(ctx, "sctv1", opt);
    assert_int_equal(brinei_sct_verify(ctx, c, c, r.ct, r.nct, &n),
                     BRINE_OK);
    assert_int_equal(n, 0);
    brinei_cert_free(c);
    opt[strlen("-addext 1.3.6.1.4.1.11129.2.4.2=DER:04:3")] = '6';
    memcpy(opt + strlen("-addext 1.3.6.1.4.1.11129.2.4.2=DER:04:36:00:3"),
           "4:00:32", 7);
    snprintf(opt + strlen(opt), sizeof(opt) - strlen(opt), ":00");
    c = make_cert(ctx, "sctv1long", opt);
    assert_fails(ctx, brinei_sct_verify(ctx, c, c, r.ct, r.nct, &n),
                 BRINE_E_MALFORMED);
    brinei_cert_free(c);
  }
  /* no SCT extension at all: nothing verified, not an error */
  {
    struct brinei_cert *c = make_cert(ctx, "nosct", "");
    size_t n = 99;
    assert_int_equal(brinei_sct_verify(ctx, c, c, r.ct, r.nct, &n),
                     BRINE_OK);
    assert_int_equal(n, 0);
    brinei_cert_free(c);
  }
  root_free(&r);
  free_ctx(ctx);
}

/* ---- RFC 3161 ---- */

static void test_model_timestamp(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_tsa_trust w, two[2];
  struct bundle b;
  struct root r;
  uint8_t *bad, *tok;
  size_t tok_len;
  int64_t t = 0;
  bool frac;
  (void)state;
  root_load(ctx, PROD_ROOT, &r);
  assert_true(bundle_load(ctx, MODEL_SIG, &b));
  assert_non_null(b.ts);
  assert_int_equal(r.ntsa, 1);
  assert_int_equal(brinei_rfc3161_verify(ctx, b.ts, b.ts_len, b.sig,
                                         b.sig_len, r.tsa, r.ntsa, &t),
                   BRINE_OK);
  assert_int_equal(ERR_peek_error(), 0);
  assert_int_equal(t, MODEL_GENTIME);
  write_file(path_in("model_ts.der"), b.ts, b.ts_len);
  assert_int_equal(openssl_gentime(path_in("model_ts.der"), &frac), t);
  assert_false(frac);

  /* over other bytes: the imprint does not match */
  bad = malloc(b.sig_len);
  assert_non_null(bad);
  memcpy(bad, b.sig, b.sig_len);
  bad[b.sig_len / 2] ^= 0x20;
  assert_fails(ctx, brinei_rfc3161_verify(ctx, b.ts, b.ts_len, bad,
                                          b.sig_len, r.tsa, r.ntsa, &t),
               BRINE_E_BADSIG);
  assert_msg_has(ctx, "imprint");
  assert_fails(ctx, brinei_rfc3161_verify(ctx, b.ts, b.ts_len, b.sig,
                                          b.sig_len - 1, r.tsa, r.ntsa, &t),
               BRINE_E_BADSIG);
  free(bad);

  /* the authority's window, inclusive at both ends */
  w = r.tsa[0];
  w.start = MODEL_GENTIME + 1;
  assert_fails(ctx, brinei_rfc3161_verify(ctx, b.ts, b.ts_len, b.sig,
                                          b.sig_len, &w, 1, &t),
               BRINE_E_BADSIG);
  assert_msg_has(ctx, "outside the authority's validity");
  w.start = MODEL_GENTIME;
  assert_int_equal(brinei_rfc3161_verify(ctx, b.ts, b.ts_len, b.sig,
                                         b.sig_len, &w, 1, &t), BRINE_OK);
  w.end = MODEL_GENTIME;
  assert_int_equal(brinei_rfc3161_verify(ctx, b.ts, b.ts_len, b.sig,
                                         b.sig_len, &w, 1, &t), BRINE_OK);
  w.end = MODEL_GENTIME - 1;
  assert_fails(ctx, brinei_rfc3161_verify(ctx, b.ts, b.ts_len, b.sig,
                                          b.sig_len, &w, 1, &t),
               BRINE_E_BADSIG);
  assert_msg_has(ctx, "outside the authority's validity");

  /* no authority; the Fulcio chain posing as one; then both, each tried */
  assert_fails(ctx, brinei_rfc3161_verify(ctx, b.ts, b.ts_len, b.sig,
                                          b.sig_len, r.tsa, 0, &t),
               BRINE_E_BADSIG);
  two[0].certs = r.ca[1];
  two[0].ncerts = r.ca_n[1];
  two[0].start = INT64_MIN;
  two[0].end = INT64_MAX;
  assert_fails(ctx, brinei_rfc3161_verify(ctx, b.ts, b.ts_len, b.sig,
                                          b.sig_len, two, 1, &t),
               BRINE_E_BADSIG);
  assert_msg_has(ctx, "authority 0");
  two[1] = r.tsa[0];
  t = 0;
  assert_int_equal(brinei_rfc3161_verify(ctx, b.ts, b.ts_len, b.sig,
                                         b.sig_len, two, 2, &t), BRINE_OK);
  assert_int_equal(t, MODEL_GENTIME);
  /* the furthest failure is reported: authority 1 reached the window */
  two[1].end = MODEL_GENTIME - 1;
  assert_fails(ctx, brinei_rfc3161_verify(ctx, b.ts, b.ts_len, b.sig,
                                          b.sig_len, two, 2, &t),
               BRINE_E_BADSIG);
  assert_msg_has(ctx, "authority 1: genTime");
  /* the TSA's own leaf as the only (anchor) certificate */
  w = r.tsa[0];
  w.ncerts = 1;
  assert_int_equal(brinei_rfc3161_verify(ctx, b.ts, b.ts_len, b.sig,
                                         b.sig_len, &w, 1, &t), BRINE_OK);
  /* the TSA root alone: the leaf is not the authority's */
  w.certs = r.tsa_certs[0] + 1;
  assert_fails(ctx, brinei_rfc3161_verify(ctx, b.ts, b.ts_len, b.sig,
                                          b.sig_len, &w, 1, &t),
               BRINE_E_BADSIG);

  /* the bare TimeStampToken, as openssl cuts it out of the response */
  run("openssl ts -reply -in model_ts.der -token_out -out model_tok.der");
  tok = read_file(path_in("model_tok.der"), &tok_len);
  assert_true(tok_len < b.ts_len);
  t = 0;
  assert_int_equal(brinei_rfc3161_verify(ctx, tok, tok_len, b.sig,
                                         b.sig_len, r.tsa, r.ntsa, &t),
                   BRINE_OK);
  assert_int_equal(t, MODEL_GENTIME);
  free(tok);

  /* not a timestamp: cut short, a byte too many, text, nothing */
  assert_fails(ctx, brinei_rfc3161_verify(ctx, b.ts, b.ts_len - 1, b.sig,
                                          b.sig_len, r.tsa, r.ntsa, &t),
               BRINE_E_MALFORMED);
  bad = malloc(b.ts_len + 1);
  assert_non_null(bad);
  memcpy(bad, b.ts, b.ts_len);
  bad[b.ts_len] = 0;
  assert_fails(ctx, brinei_rfc3161_verify(ctx, bad, b.ts_len + 1, b.sig,
                                          b.sig_len, r.tsa, r.ntsa, &t),
               BRINE_E_MALFORMED);
  free(bad);
  assert_fails(ctx, brinei_rfc3161_verify(ctx, (const uint8_t *)"hello", 5,
                                          b.sig, b.sig_len, r.tsa, r.ntsa,
                                          &t),
               BRINE_E_MALFORMED);
  assert_fails(ctx, brinei_rfc3161_verify(ctx, b.ts, 0, b.sig, b.sig_len,
                                          r.tsa, r.ntsa, &t),
               BRINE_E_MALFORMED);
  /* a signed DER certificate is DER but no timestamp */
  {
    size_t n;
    const uint8_t *der = brinei_cert_der(b.chain[0], &n);
    assert_fails(ctx, brinei_rfc3161_verify(ctx, der, n, b.sig, b.sig_len,
                                            r.tsa, r.ntsa, &t),
                 BRINE_E_MALFORMED);
  }
  bundle_free(ctx, &b);
  root_free(&r);
  free_ctx(ctx);
}

/* Every conformance timestamp with the case's trusted root: the five
   rekor2-timestamp-*_fail cases whose timestamp is the cause fail here,
   with the reason; every other one verifies, at the genTime openssl
   reads. */
static void test_conformance_timestamps(void **state)
{
  static const struct {
    const char *name;
    const char *why;  /* in the message */
  } bad[] = {
    {"rekor2-timestamp-outside-trust-root-tsa-validity_fail",
     "outside the authority's validity"},
    {"rekor2-timestamp-outside-tsa-cert-validity_fail",
     "certificate has expired"},
    {"rekor2-timestamp-payload-mismatch_fail", "imprint"},
    /* FreeTSA: its root is in the token, not in the trusted root */
    {"rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail",
     "self-signed certificate in certificate chain"},
    {"rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail",
     "signer certificate not found"},
  };
  struct brine_ctx *ctx = new_ctx();
  struct dirent *de;
  size_t checked = 0, failed = 0;
  DIR *d = opendir(CONF);
  (void)state;
  assert_non_null(d);
  while((de = readdir(d))) {
    char bpath[512], rpath[512];
    const char *why = NULL;
    struct bundle b;
    struct root r;
    int64_t t = 0;
    brine_result rc;
    bool frac;
    if(de->d_name[0] == '.')
      continue;
    case_paths(de->d_name, bpath, rpath, sizeof(bpath));
    if(access(bpath, R_OK) || !bundle_load(ctx, bpath, &b))
      continue;
    if(!b.ts) {
      bundle_free(ctx, &b);
      continue;
    }
    assert_non_null(b.sig);
    for(size_t i = 0; i < BRINE_ARRAY_LEN(bad); i++)
      if(!strcmp(de->d_name, bad[i].name))
        why = bad[i].why;
    root_load(ctx, rpath, &r);
    brinei_clear_error(ctx);
    rc = brinei_rfc3161_verify(ctx, b.ts, b.ts_len, b.sig, b.sig_len,
                               r.tsa, r.ntsa, &t);
    assert_int_equal(ERR_peek_error(), 0);
    if(why) {
      if(rc != BRINE_E_BADSIG || !strstr(brine_last_error(ctx)->message,
                                         why))
        fail_msg("%s: %d \"%s\", wanted BADSIG with \"%s\"", de->d_name,
                 rc, brine_last_error(ctx)->message, why);
      failed++;
    } else {
      char file[128];
      if(rc)
        fail_msg("%s: %s", de->d_name, brine_last_error(ctx)->message);
      snprintf(file, sizeof(file), "%.100s.ts", de->d_name);
      write_file(path_in(file), b.ts, b.ts_len);
      if(openssl_gentime(path_in(file), &frac) != t)
        fail_msg("%s: genTime %lld, openssl says otherwise", de->d_name,
                 (long long)t);
    }
    /* verified here; the signing certificate's lifetime is the caller's
       check (step 2) */
    if(!strcmp(de->d_name, "rekor2-timestamp-with-incorrect-time_fail") ||
       !strcmp(de->d_name,
               "intoto-tsa-timestamp-outside-cert-validity_fail")) {
      assert_int_equal(rc, BRINE_OK);
      assert_true(t < (int64_t)brinei_cert_not_before(b.chain[0]) ||
                  t > (int64_t)brinei_cert_not_after(b.chain[0]));
    }
    if(!strcmp(de->d_name, "trust-root-tsa-validity-end-inclusive"))
      assert_int_equal(t, r.tsa[0].end);
    /* valid at genTime, long expired since (here: before the model's
       timestamp of Oct 2025): no wall clock */
    if(!strcmp(de->d_name, "rekor2-timestamp-with-expired-cert-chain")) {
      assert_int_equal(rc, BRINE_OK);
      assert_true(brinei_cert_not_after(r.tsa[0].certs[0]) <
                  (time_t)MODEL_GENTIME);
      assert_true(t <= (int64_t)brinei_cert_not_after(r.tsa[0].certs[0]));
    }
    checked++;
    root_free(&r);
    bundle_free(ctx, &b);
  }
  closedir(d);
  /* the 33 cases marked "TSA yes" in the conformance table */
  assert_int_equal(checked, 33);
  assert_int_equal(failed, BRINE_ARRAY_LEN(bad));
  free_ctx(ctx);
}

/* A TSA made here with the openssl command: genTime with milliseconds
   (clock_precision_digits), imprints of other digests, tokens with and
   without the signer's certificate, a leaf that is not the authority's,
   a refusal. */
static void test_openssl_tsa(void **state)
{
  static const char ext[] =
    "[tsa]\nextendedKeyUsage=critical,timeStamping\n"
    "keyUsage=critical,digitalSignature\nbasicConstraints=CA:FALSE\n"
    "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n";
  static const char cnf[] =
    "[tsa]\ndefault_tsa=tsa1\n[tsa1]\nserial=tsaserial\n"
    "signer_digest=sha256\ndefault_policy=1.3.6.1.4.1.57264.2\n"
    "digests=sha1,sha256,sha384,sha512\naccuracy=secs:1\n"
    "clock_precision_digits=3\nordering=yes\ntsa_name=yes\n"
    "ess_cert_id_chain=no\ness_cert_id_alg=sha256\n";
  static const uint8_t data[] = "the signature bytes";
  struct brine_ctx *ctx = new_ctx();
  struct brinei_cert *chain1[2], *chain2[2], *other[1];
  struct brinei_tsa_trust a1, a2, ao;
  uint8_t *ts;
  size_t ts_len;
  int64_t t = 0, before, after;
  bool frac;
  (void)state;
  write_file(path_in("ext.cnf"), (const uint8_t *)ext, strlen(ext));
  write_file(path_in("tsa.cnf"), (const uint8_t *)cnf, strlen(cnf));
  write_file(path_in("tsaserial"), (const uint8_t *)"01\n", 3);
  write_file(path_in("data.bin"), data, sizeof(data) - 1);
  run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
      "-nodes -keyout root.key -subj /O=test/CN=tsa-root -days 3 "
      "-out root.pem");
  for(int i = 1; i <= 2; i++)
    run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
        "-nodes -keyout tsa%d.key -subj /O=test/CN=tsa-%d -out tsa%d.csr && "
        "openssl x509 -req -in tsa%d.csr -CA root.pem -CAkey root.key "
        "-set_serial %d -days 2 -extfile ext.cnf -extensions tsa "
        "-out tsa%d.pem", i, i, i, i, i, i);
  run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
      "-nodes -keyout other.key -subj /O=test/CN=tsa-root -days 3 "
      "-out other.pem");
  before = (int64_t)time(NULL);
  run("openssl ts -query -data data.bin -sha256 -cert -no_nonce "
      "-out q256.tsq && openssl ts -reply -config tsa.cnf -queryfile "
      "q256.tsq -inkey tsa1.key -signer tsa1.pem -out r256.tsr");
  run("openssl ts -query -data data.bin -sha384 -no_nonce -out q384.tsq && "
      "openssl ts -reply -config tsa.cnf -queryfile q384.tsq -inkey "
      "tsa1.key -signer tsa1.pem -out r384.tsr");
  run("openssl ts -query -data data.bin -sha1 -cert -out q1.tsq && "
      "openssl ts -reply -config tsa.cnf -queryfile q1.tsq -inkey tsa1.key "
      "-signer tsa1.pem -out r1.tsr");
  /* md5 is not among the TSA's digests: it answers "rejection" */
  run("openssl ts -query -data data.bin -md5 -cert -out qmd5.tsq && "
      "openssl ts -reply -config tsa.cnf -queryfile qmd5.tsq -inkey "
      "tsa1.key -signer tsa1.pem -out rmd5.tsr");
  after = (int64_t)time(NULL);
  chain1[0] = cert_file(ctx, path_in("tsa1.pem"));
  chain1[1] = cert_file(ctx, path_in("root.pem"));
  chain2[0] = cert_file(ctx, path_in("tsa2.pem"));
  chain2[1] = chain1[1];
  other[0] = cert_file(ctx, path_in("other.pem"));
  a1.certs = chain1;
  a1.ncerts = 2;
  a1.start = INT64_MIN;
  a1.end = INT64_MAX;
  a2 = a1;
  a2.certs = chain2;
  ao = a1;
  ao.certs = other;
  ao.ncerts = 1;

  ts = read_file(path_in("r256.tsr"), &ts_len);
  assert_int_equal(brinei_rfc3161_verify(ctx, ts, ts_len, data,
                                         sizeof(data) - 1, &a1, 1, &t),
                   BRINE_OK);
  assert_true(t >= before && t <= after);
  assert_int_equal(openssl_gentime(path_in("r256.tsr"), &frac), t);
  assert_true(frac);  /* "Time stamp: ... 12:34:56.789 ..." */
  /* tsa1 signed it and chains to the same root, but the authority's
     leaf is tsa2 */
  assert_fails(ctx, brinei_rfc3161_verify(ctx, ts, ts_len, data,
                                          sizeof(data) - 1, &a2, 1, &t),
               BRINE_E_BADSIG);
  assert_msg_has(ctx, "other than the authority's leaf");
  /* a root of the same name with another key */
  assert_fails(ctx, brinei_rfc3161_verify(ctx, ts, ts_len, data,
                                          sizeof(data) - 1, &ao, 1, &t),
               BRINE_E_BADSIG);
  free(ts);

  /* SHA-384 imprint, no certificate in the token: the signer comes from
     the authority */
  ts = read_file(path_in("r384.tsr"), &ts_len);
  t = 0;
  assert_int_equal(brinei_rfc3161_verify(ctx, ts, ts_len, data,
                                         sizeof(data) - 1, &a1, 1, &t),
                   BRINE_OK);
  assert_true(t >= before && t <= after);
  assert_fails(ctx, brinei_rfc3161_verify(ctx, ts, ts_len, data,
                                          sizeof(data) - 2, &a1, 1, &t),
               BRINE_E_BADSIG);
  assert_msg_has(ctx, "sha384");
  assert_fails(ctx, brinei_rfc3161_verify(ctx, ts, ts_len, data,
                                          sizeof(data) - 1, &a2, 1, &t),
               BRINE_E_BADSIG);
  free(ts);

  /* SHA-1 is not accepted for the imprint */
  ts = read_file(path_in("r1.tsr"), &ts_len);
  assert_fails(ctx, brinei_rfc3161_verify(ctx, ts, ts_len, data,
                                          sizeof(data) - 1, &a1, 1, &t),
               BRINE_E_BADSIG);
  assert_msg_has(ctx, "unsupported digest");
  free(ts);

  ts = read_file(path_in("rmd5.tsr"), &ts_len);
  assert_fails(ctx, brinei_rfc3161_verify(ctx, ts, ts_len, data,
                                          sizeof(data) - 1, &a1, 1, &t),
               BRINE_E_BADSIG);
  assert_msg_has(ctx, "refused");
  free(ts);

  /* the TSTInfo of r256 (tsa field: CN=tsa-1) signed again with `openssl
     cms -sign -cades` (CMS with an ESS signingCertificateV2): by tsa1 it
     verifies (a token from another producer); by tsa2 the name does not
     match the signer (`openssl ts -verify`: "tsa name mismatch") */
  run("openssl ts -reply -in r256.tsr -token_out -out tok256.der && "
      "openssl cms -verify -noverify -inform DER -in tok256.der -binary "
      "-out tstinfo.der && for i in 1 2; do openssl cms -sign -binary "
      "-nodetach -in tstinfo.der -econtent_type 1.2.840.113549.1.9.16.1.4 "
      "-signer tsa$i.pem -inkey tsa$i.key -md sha256 -cades -outform DER "
      "-out cms$i.der || exit 1; done");
  ts = read_file(path_in("cms1.der"), &ts_len);
  t = 0;
  assert_int_equal(brinei_rfc3161_verify(ctx, ts, ts_len, data,
                                         sizeof(data) - 1, &a1, 1, &t),
                   BRINE_OK);
  assert_true(t >= before && t <= after);
  free(ts);
  ts = read_file(path_in("cms2.der"), &ts_len);
  assert_fails(ctx, brinei_rfc3161_verify(ctx, ts, ts_len, data,
                                          sizeof(data) - 1, &a2, 1, &t),
               BRINE_E_BADSIG);
  assert_msg_has(ctx, "names a TSA other than the signer");
  free(ts);

  brinei_cert_free(chain1[0]);
  brinei_cert_free(chain1[1]);
  brinei_cert_free(chain2[0]);
  brinei_cert_free(other[0]);
  free_ctx(ctx);
}

/* Allocation failures through ctx are NOMEM and leave nothing behind. */
static void test_oom(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct bundle b;
  struct root r;
  bool done[4] = {false, false, false, false};
  (void)state;
  root_load(ctx, PROD_ROOT, &r);
  assert_true(bundle_load(ctx, MODEL_SIG, &b));
  for(uint64_t k = 1; k < 64; k++) {
    char **names = NULL, *iss = NULL;
    size_t n = 0;
    int64_t t;
    brine_result rc;
    size_t base = brine_ctx_mem_used(ctx);
    if(!done[0]) {
      brine_ctx_fail_alloc_after(ctx, k);
      rc = brinei_cert_identities(ctx, b.chain[0], &names, &n);
      brine_ctx_fail_alloc_after(ctx, 0);
      if(!rc) {
        done[0] = true;
        brinei_strs_free(ctx, names, n);
      } else {
        assert_int_equal(rc, BRINE_E_NOMEM);
      }
    }
    if(!done[1]) {
      brine_ctx_fail_alloc_after(ctx, k);
      rc = brinei_cert_oidc_issuer(ctx, b.chain[0], &iss);
      brine_ctx_fail_alloc_after(ctx, 0);
      if(!rc) {
        done[1] = true;
        brinei_free(ctx, iss);
      } else {
        assert_int_equal(rc, BRINE_E_NOMEM);
      }
    }
    if(!done[2]) {
      brine_ctx_fail_alloc_after(ctx, k);
      rc = brinei_sct_verify(ctx, b.chain[0], r.ca[1][0], r.ct, r.nct, &n);
      brine_ctx_fail_alloc_after(ctx, 0);
      if(!rc) {
        done[2] = true;
        assert_int_equal(n, 1);
      } else {
        assert_int_equal(rc, BRINE_E_NOMEM);
      }
    }
    if(!done[3]) {
      brine_ctx_fail_alloc_after(ctx, k);
      rc = brinei_rfc3161_verify(ctx, b.ts, b.ts_len, b.sig, b.sig_len,
                                 r.tsa, r.ntsa, &t);
      brine_ctx_fail_alloc_after(ctx, 0);
      if(!rc)
        done[3] = true;
      else
        assert_int_equal(rc, BRINE_E_NOMEM);
    }
    assert_int_equal(brine_ctx_mem_used(ctx), base);
    assert_int_equal(ERR_peek_error(), 0);
  }
  assert_true(done[0] && done[1] && done[2] && done[3]);
  bundle_free(ctx, &b);
  root_free(&r);
  free_ctx(ctx);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_model_identity),
    cmocka_unit_test(test_crafted_issuer),
    cmocka_unit_test(test_crafted_identities),
    cmocka_unit_test(test_self_signed),
    cmocka_unit_test(test_model_sct),
    cmocka_unit_test(test_conformance_sct),
    cmocka_unit_test(test_crafted_sct),
    cmocka_unit_test(test_sct_list_shapes),
    cmocka_unit_test(test_model_timestamp),
    cmocka_unit_test(test_conformance_timestamps),
    cmocka_unit_test(test_openssl_tsa),
    cmocka_unit_test(test_oom),
  };
  return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
