/* sign/trustroot.c: Sigstore trusted roots.
 *
 * Reference data comes from outside brine: the Sigstore production root
 * (tests/conformance/trusted_root.production.json, the TUF target) and
 * the 38 trusted_root.json files of sigstore-conformance's bundle-verify
 * cases. Expected values were computed independently: times with
 * `date -u -d T +%s`, log ids and certificate fingerprints with python3
 * (base64, hashlib) and `openssl x509 -fingerprint -sha256`; the Rekor v2
 * log id is the C2SP signed-note key id SHA-256(name "\n" 0x01 key). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "sign/trustroot.h"
#include "testutil.h"

#define SIG "tests/conformance/"
#define PROD SIG "trusted_root.production.json"
#define CONF SIG "sigstore-conformance/bundle-verify/"
#define CASE_NO_START "trust-root-tlog-missing-validity-start_fail"

/* python3: base64.b64decode(logId.keyId).hex() */
#define ID_REKOR "c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d"
#define ID_LOG2025 "cf1199155bddd051268d1f16ac5c0c75c009f6fb5a63f4177f8e18d7051e3fa0"
#define ID_CT_TEST "086092f02852ff6845d1d16b27849c456718ac163dc338d26de6bc2206366f72"
#define ID_CT_2022 "dd3d306ac6c7113263191e1c99673702a24a5eb8de3cadff878a72802f29ee8e"
/* openssl x509 -inform DER -noout -fingerprint -sha256 */
#define FP_CA1 "03a38ffb1f450100c2596d1d10b900ac4d504058006dda58199576bbeb9c73d0"
#define FP_CA2_INT "15d795348226b4649f750f5802592c393bee7cc53c3b86982175b7ad087efe47"
#define FP_CA2_ROOT "3ba7b6cc4e95469d4d334b49cb257ad8537076fa84b0ca87ff4ecfe6a54680c1"
#define FP_TSA_LEAF "85f927bc07ab62cac3b44356c10efc81b2c6883fda7ab9e6d870d9d13acd05b7"
#define FP_TSA_ROOT "2aca8fea5d3ce48b01cc77076293c280e6c23ffe44034757ee7833ca9f45d633"

/* date -u -d T +%s */
#define T_REKOR_START 1610452407    /* 2021-01-12T11:53:27Z */
#define T_LOG2025_START 1758585600  /* 2025-09-23T00:00:00Z */
#define T_CT1_START 1615680000      /* 2021-03-14T00:00:00Z */
#define T_CT1_END 1667260799        /* 2022-10-31T23:59:59(.999)Z */
#define T_CT2_START 1666224000      /* 2022-10-20T00:00:00Z */
#define T_CA1_START 1615087229      /* 2021-03-07T03:20:29Z */
#define T_CA1_END 1672531199        /* 2022-12-31T23:59:59(.999)Z */
#define T_CA2_START 1649880375      /* 2022-04-13T20:06:15Z */
#define T_TSA_START 1751587200      /* 2025-07-04T00:00:00Z */
#define T_INCL_END 1689177396       /* 2023-07-12T15:56:36Z */

/* ---- helpers ---- */

static void unhex(const char *hex, uint8_t *out, size_t n)
{
  char h[3] = { 0, 0, 0 };
  assert_int_equal(strlen(hex), 2 * n);
  for(size_t i = 0; i < n; i++) {
    h[0] = hex[2 * i];
    h[1] = hex[2 * i + 1];
    out[i] = (uint8_t)strtoul(h, NULL, 16);
  }
}

static void assert_bytes_hex(const uint8_t *p, size_t n, const char *hex)
{
  uint8_t want[64];
  assert_true(n <= sizeof(want));
  unhex(hex, want, n);
  assert_memory_equal(p, want, n);
}

/* SHA-256 fingerprint of a certificate against the openssl value. */
static void assert_cert_fp(struct brine_ctx *ctx, const struct brinei_cert *c,
                           const char *hex)
{
  size_t n;
  const uint8_t *der = brinei_cert_der(c, &n);
  uint8_t d[32];
  assert_int_equal(brinei_digest(ctx, BRINEI_SHA256, der, n, d), BRINE_OK);
  assert_bytes_hex(d, 32, hex);
}

static void assert_subject(const struct brinei_cert *c, const char *want)
{
  char buf[256];
  brinei_cert_subject(c, buf, sizeof(buf));
  assert_string_equal(buf, want);
}

/* The node at a '/'-separated path ("tlogs/0/publicKey"); numbers index
   arrays. */
static json_t *at(json_t *j, const char *path)
{
  char seg[64];
  while(*path) {
    size_t n = strcspn(path, "/");
    assert_true(n < sizeof(seg));
    memcpy(seg, path, n);
    seg[n] = 0;
    path += n + (path[n] == '/');
    if(json_is_array(j))
      j = json_array_get(j, strtoul(seg, NULL, 10));
    else
      j = json_object_get(j, seg);
    if(!j)
      fail_msg("no node %s", seg);
  }
  return j;
}

static void set(json_t *doc, const char *path, const char *key, json_t *v)
{
  assert_int_equal(json_object_set_new(at(doc, path), key, v), 0);
}

static void del(json_t *doc, const char *path, const char *key)
{
  assert_int_equal(json_object_del(at(doc, path), key), 0);
}

static brine_result parse_doc(struct brine_ctx *ctx, const json_t *doc,
                              struct brinei_trustroot *tr)
{
  char *s = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
  brine_result rc;
  assert_non_null(s);
  brinei_clear_error(ctx);
  rc = brinei_trustroot_parse(ctx, s, strlen(s), tr);
  free(s);
  return rc;
}

/* A copy of the production root, changed by the caller, must fail with
   `want` and a message naming `msg`. */
#define expect_fail(ctx, doc, want, msg) \
  expect_fail_at(ctx, doc, want, msg, __LINE__)
static void expect_fail_at(struct brine_ctx *ctx, json_t *doc,
                           brine_result want, const char *msg, int line)
{
  struct brinei_trustroot tr;
  brine_result rc;
  memset(&tr, 0xa5, sizeof(tr));
  rc = parse_doc(ctx, doc, &tr);
  if(rc != want)
    fail_msg("line %d: result %d, not %d (%s)", line, rc, want,
             brine_last_error(ctx)->message);
  assert_int_equal(brine_last_error(ctx)->code, want);
  if(!strstr(brine_last_error(ctx)->message, msg))
    fail_msg("line %d: message \"%s\" lacks \"%s\"", line,
             brine_last_error(ctx)->message, msg);
  /* nothing written on failure */
  assert_int_equal(tr.ntlogs, (size_t)0xa5a5a5a5a5a5a5a5u);
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  json_decref(doc);
}

static json_t *prod_copy(void)
{
  return load_json(PROD);
}

/* ---- the production root ---- */

static void check_production(struct brine_ctx *ctx,
                             const struct brinei_trustroot *tr)
{
  const struct brinei_log *l;
  uint8_t *der, d[32], buf[64];
  size_t dlen;
  static const char name2025[] = "log2025-1.rekor.sigstore.dev\n\x01";

  assert_int_equal(tr->ntlogs, 2);
  assert_int_equal(tr->nctlogs, 2);
  assert_int_equal(tr->ncas, 2);
  assert_int_equal(tr->ntsas, 1);

  /* Rekor v1: ECDSA P-256, logId = SHA-256(DER SPKI) */
  l = &tr->tlogs[0];
  assert_string_equal(l->base_url, "https://rekor.sigstore.dev");
  assert_int_equal(brinei_key_type(l->key), BRINEI_KEY_EC_P256);
  assert_int_equal(l->hash, BRINEI_SHA256);
  assert_int_equal(l->log_id_len, 32);
  assert_bytes_hex(l->log_id, 32, ID_REKOR);
  assert_int_equal(brinei_key_public_der(ctx, l->key, &der, &dlen), BRINE_OK);
  assert_int_equal(brinei_digest(ctx, BRINEI_SHA256, der, dlen, d), BRINE_OK);
  assert_memory_equal(d, l->log_id, 32);
  brinei_free(ctx, der);
  assert_memory_equal(l->checkpoint_id, l->log_id, 4);
  assert_int_equal(l->valid.start, T_REKOR_START);
  assert_true(l->valid.end == BRINEI_TIME_MAX);

  /* Rekor v2: Ed25519; logId is the signed-note key id, not the SPKI
     hash, and is kept as the root gives it */
  l = &tr->tlogs[1];
  assert_string_equal(l->base_url, "https://log2025-1.rekor.sigstore.dev");
  assert_int_equal(brinei_key_type(l->key), BRINEI_KEY_ED25519);
  assert_int_equal(l->log_id_len, 32);
  assert_bytes_hex(l->log_id, 32, ID_LOG2025);
  assert_int_equal(brinei_key_public_der(ctx, l->key, &der, &dlen), BRINE_OK);
  assert_int_equal(dlen, 44);
  assert_int_equal(brinei_digest(ctx, BRINEI_SHA256, der, dlen, d), BRINE_OK);
  assert_memory_not_equal(d, l->log_id, 32);
  memcpy(buf, name2025, sizeof(name2025) - 1);
  memcpy(buf + sizeof(name2025) - 1, der + 12, 32);
  assert_int_equal(brinei_digest(ctx, BRINEI_SHA256, buf,
                                 sizeof(name2025) - 1 + 32, d), BRINE_OK);
  assert_memory_equal(d, l->log_id, 32);
  brinei_free(ctx, der);
  assert_memory_equal(l->checkpoint_id, l->log_id, 4);
  assert_int_equal(l->valid.start, T_LOG2025_START);
  assert_true(l->valid.end == BRINEI_TIME_MAX);

  /* CT logs; the first ends 2022-10-31T23:59:59.999Z */
  l = &tr->ctlogs[0];
  assert_string_equal(l->base_url, "https://ctfe.sigstore.dev/test");
  assert_int_equal(brinei_key_type(l->key), BRINEI_KEY_EC_P256);
  assert_bytes_hex(l->log_id, 32, ID_CT_TEST);
  assert_int_equal(l->valid.start, T_CT1_START);
  assert_int_equal(l->valid.end, T_CT1_END);
  l = &tr->ctlogs[1];
  assert_string_equal(l->base_url, "https://ctfe.sigstore.dev/2022");
  assert_bytes_hex(l->log_id, 32, ID_CT_2022);
  assert_int_equal(l->valid.start, T_CT2_START);
  assert_true(l->valid.end == BRINEI_TIME_MAX);
  for(size_t i = 0; i < 2; i++) {
    l = &tr->ctlogs[i];
    assert_int_equal(brinei_key_public_der(ctx, l->key, &der, &dlen),
                     BRINE_OK);
    assert_int_equal(brinei_digest(ctx, BRINEI_SHA256, der, dlen, d),
                     BRINE_OK);
    assert_memory_equal(d, l->log_id, 32);
    brinei_free(ctx, der);
  }

  /* Fulcio: the old root alone until the end of 2022, then
     intermediate + root */
  assert_string_equal(tr->cas[0].uri, "https://fulcio.sigstore.dev");
  assert_int_equal(tr->cas[0].ncerts, 1);
  assert_cert_fp(ctx, tr->cas[0].certs[0], FP_CA1);
  assert_subject(tr->cas[0].certs[0], "CN=sigstore,O=sigstore.dev");
  assert_int_equal(tr->cas[0].valid.start, T_CA1_START);
  assert_int_equal(tr->cas[0].valid.end, T_CA1_END);
  assert_true(brinei_validity_contains(&tr->cas[0].valid, T_CA1_END));
  assert_false(brinei_validity_contains(&tr->cas[0].valid, T_CA1_END + 1));
  assert_int_equal(tr->cas[1].ncerts, 2);
  assert_cert_fp(ctx, tr->cas[1].certs[0], FP_CA2_INT);
  assert_cert_fp(ctx, tr->cas[1].certs[1], FP_CA2_ROOT);
  assert_subject(tr->cas[1].certs[0],
                 "CN=sigstore-intermediate,O=sigstore.dev");
  assert_int_equal(tr->cas[1].valid.start, T_CA2_START);
  assert_true(tr->cas[1].valid.end == BRINEI_TIME_MAX);

  /* the timestamp authority: leaf first, then its self-signed root */
  assert_string_equal(tr->tsas[0].uri,
                      "https://timestamp.sigstore.dev/api/v1/timestamp");
  assert_int_equal(tr->tsas[0].ncerts, 2);
  assert_cert_fp(ctx, tr->tsas[0].certs[0], FP_TSA_LEAF);
  assert_cert_fp(ctx, tr->tsas[0].certs[1], FP_TSA_ROOT);
  assert_subject(tr->tsas[0].certs[0], "CN=sigstore-tsa,O=sigstore.dev");
  assert_subject(tr->tsas[0].certs[1],
                 "CN=sigstore-tsa-selfsigned,O=sigstore.dev");
  assert_int_equal(tr->tsas[0].valid.start, T_TSA_START);
  assert_true(tr->tsas[0].valid.end == BRINEI_TIME_MAX);
}

static void test_production(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_trustroot tr;
  (void)state;
  assert_int_equal(brinei_trustroot_production(ctx, &tr), BRINE_OK);
  check_production(ctx, &tr);
  brinei_trustroot_free(ctx, &tr);
  assert_int_equal(tr.ntlogs, 0);
  brinei_trustroot_free(ctx, &tr);  /* twice is harmless */
  /* the file the library embeds is the one in tests/data */
  assert_int_equal(brinei_trustroot_load(ctx, PROD, &tr), BRINE_OK);
  check_production(ctx, &tr);
  brinei_trustroot_free(ctx, &tr);
  free_ctx(ctx);
}

/* ---- every conformance root ---- */

/* The parsed logs against the JSON as jansson reads it. Every keyDetails
   there is one brine knows; the deprecated PKCS1_RSA_PKCS1V5 keys of the
   staging roots hold PKCS#1 RSAPublicKey bytes (SEQUENCE { INTEGER n, ...
   }, where SPKI starts SEQUENCE { SEQUENCE alg, ... }), which brine does
   not read: those logs are skipped. Returns how many were. */
static size_t compare_logs(struct brine_ctx *ctx,
                           const struct brinei_log *logs, size_t n,
                           json_t *arr)
{
  size_t k = 0, skipped = 0;
  for(size_t i = 0; i < json_array_size(arr); i++) {
    json_t *j = json_array_get(arr, i);
    const char *kd = json_string_value(at(j, "publicKey/keyDetails"));
    const char *raw = json_string_value(at(j, "publicKey/rawBytes"));
    uint8_t *der;
    size_t dlen;
    enum brinei_keytype kt;
    assert_int_equal(brinei_b64_decode(ctx, raw, strlen(raw), false, &der,
                                       &dlen), BRINE_OK);
    assert_true(dlen > 8 && der[0] == 0x30);
    if(!strcmp(kd, "PKCS1_RSA_PKCS1V5") && der[4] == 0x02) {
      brinei_free(ctx, der);
      skipped++;
      continue;
    }
    brinei_free(ctx, der);
    assert_true(k < n);
    kt = brinei_key_type(logs[k].key);
    assert_string_equal(logs[k].base_url,
                        json_string_value(at(j, "baseUrl")));
    assert_int_equal(logs[k].log_id_len, 32);
    if(!strcmp(kd, "PKIX_ED25519"))
      assert_int_equal(kt, BRINEI_KEY_ED25519);
    else if(!strcmp(kd, "PKIX_ECDSA_P256_SHA_256"))
      assert_int_equal(kt, BRINEI_KEY_EC_P256);
    else
      fail_msg("keyDetails %s", kd);
    k++;
  }
  assert_int_equal(k, n);
  return skipped;
}

static void test_conformance_roots(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  glob_t g;
  size_t ok = 0, failed = 0, rsa = 0;
  (void)state;
  assert_int_equal(glob(CONF "*/trusted_root.json", 0, NULL, &g), 0);
  assert_int_equal(g.gl_pathc, 38);
  for(size_t i = 0; i < g.gl_pathc; i++) {
    const char *path = g.gl_pathv[i];
    struct brinei_trustroot tr;
    brine_result rc;
    brinei_clear_error(ctx);
    rc = brinei_trustroot_load(ctx, path, &tr);
    if(strstr(path, "/" CASE_NO_START "/")) {
      /* the one root the suite expects a client to refuse */
      assert_int_equal(rc, BRINE_E_MALFORMED);
      assert_msg_has(ctx, "tlogs[1].publicKey.validFor.start is missing");
      assert_msg_has(ctx, CASE_NO_START);  /* the path leads */
      failed++;
    }
    else {
      json_t *doc = load_json(path);
      if(rc)
        fail_msg("%s: %s", path, brine_last_error(ctx)->message);
      assert_int_equal(compare_logs(ctx, tr.tlogs, tr.ntlogs,
                                    at(doc, "tlogs")), 0);
      rsa += compare_logs(ctx, tr.ctlogs, tr.nctlogs, at(doc, "ctlogs"));
      assert_int_equal(tr.ncas,
                       json_array_size(at(doc, "certificateAuthorities")));
      assert_int_equal(tr.ntsas,
                       json_array_size(at(doc, "timestampAuthorities")));
      for(size_t k = 0; k < tr.ncas; k++)
        assert_int_equal(tr.cas[k].ncerts,
                         json_array_size(at(json_array_get(
                             at(doc, "certificateAuthorities"), k),
                             "certChain/certificates")));
      json_decref(doc);
      brinei_trustroot_free(ctx, &tr);
      ok++;
    }
    assert_int_equal(brine_ctx_mem_used(ctx), 0);
  }
  assert_int_equal(ok, 37);
  assert_int_equal(failed, 1);
  assert_int_equal(rsa, 29);  /* grep -c PKCS1_RSA_PKCS1V5, less the _fail */
  globfree(&g);
  free_ctx(ctx);
}

/* ---- validity windows ---- */

static void test_end_inclusive(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_trustroot tr;
  const struct brinei_validity *v;
  (void)state;
  /* this root has "end": null, "checkpointKeyId": null, "operator": null
     and an end with microseconds */
  assert_int_equal(brinei_trustroot_load(
                       ctx, CONF "trust-root-tlog-validity-end-inclusive/"
                                 "trusted_root.json", &tr), BRINE_OK);
  assert_int_equal(tr.ntlogs, 2);
  v = &tr.tlogs[0].valid;
  assert_int_equal(v->start, T_REKOR_START);
  assert_int_equal(v->end, T_INCL_END);
  assert_false(brinei_validity_contains(v, T_REKOR_START - 1));
  assert_true(brinei_validity_contains(v, T_REKOR_START));
  assert_true(brinei_validity_contains(v, T_INCL_END));
  assert_false(brinei_validity_contains(v, T_INCL_END + 1));
  v = &tr.tlogs[1].valid;  /* "end": null */
  assert_int_equal(v->start, T_LOG2025_START);
  assert_true(v->end == BRINEI_TIME_MAX);
  assert_true(brinei_validity_contains(v, INT64_MAX));
  assert_memory_equal(tr.tlogs[1].checkpoint_id, tr.tlogs[1].log_id, 4);
  assert_bytes_hex(tr.tlogs[1].log_id, 32, ID_LOG2025);
  v = &tr.ctlogs[0].valid;  /* "2022-10-31T23:59:59.999000Z" */
  assert_int_equal(v->end, T_CT1_END);
  assert_true(brinei_validity_contains(v, T_CT1_END));
  assert_false(brinei_validity_contains(v, T_CT1_END + 1));
  brinei_trustroot_free(ctx, &tr);
  free_ctx(ctx);
}

static void test_validity_contains(void **state)
{
  struct brinei_validity v = { 100, 200 };
  struct brinei_validity point = { 5, 5 };
  struct brinei_validity open = { INT64_MIN, BRINEI_TIME_MAX };
  (void)state;
  assert_false(brinei_validity_contains(&v, 99));
  assert_true(brinei_validity_contains(&v, 100));
  assert_true(brinei_validity_contains(&v, 150));
  assert_true(brinei_validity_contains(&v, 200));
  assert_false(brinei_validity_contains(&v, 201));
  assert_false(brinei_validity_contains(&v, INT64_MIN));
  assert_true(brinei_validity_contains(&point, 5));
  assert_false(brinei_validity_contains(&point, 4));
  assert_false(brinei_validity_contains(&point, 6));
  assert_true(brinei_validity_contains(&open, INT64_MIN));
  assert_true(brinei_validity_contains(&open, INT64_MAX));
}

/* ---- log lookup ---- */

static void test_find_log(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_trustroot tr;
  uint8_t id[33];
  (void)state;
  assert_int_equal(brinei_trustroot_production(ctx, &tr), BRINE_OK);
  unhex(ID_REKOR, id, 32);
  assert_ptr_equal(brinei_trustroot_find_log(tr.tlogs, tr.ntlogs, id, 32),
                   &tr.tlogs[0]);
  assert_null(brinei_trustroot_find_log(tr.tlogs, tr.ntlogs, id, 31));
  id[32] = 0;
  assert_null(brinei_trustroot_find_log(tr.tlogs, tr.ntlogs, id, 33));
  assert_null(brinei_trustroot_find_log(tr.ctlogs, tr.nctlogs, id, 32));
  assert_null(brinei_trustroot_find_log(tr.tlogs, 0, id, 32));
  assert_null(brinei_trustroot_find_log(NULL, 0, id, 32));
  id[31] ^= 1;
  assert_null(brinei_trustroot_find_log(tr.tlogs, tr.ntlogs, id, 32));
  unhex(ID_LOG2025, id, 32);
  assert_ptr_equal(brinei_trustroot_find_log(tr.tlogs, tr.ntlogs, id, 32),
                   &tr.tlogs[1]);
  unhex(ID_CT_2022, id, 32);
  assert_ptr_equal(brinei_trustroot_find_log(tr.ctlogs, tr.nctlogs, id, 32),
                   &tr.ctlogs[1]);
  brinei_trustroot_free(ctx, &tr);
  free_ctx(ctx);
}

/* ---- rejects ---- */

static void test_not_a_root(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_trustroot tr;
  size_t n;
  char *prod = slurp(PROD, &n), *dup;
  static const char dupkey[] =
      "{\"mediaType\": \"application/vnd.dev.sigstore.trustedroot+json;"
      "version=0.1\", \"tlogs\": [], \"tlogs\": []}";
  (void)state;
  assert_fails(ctx, brinei_trustroot_parse(ctx, "", 0, &tr),
               BRINE_E_MALFORMED);
  assert_fails(ctx, brinei_trustroot_parse(ctx, NULL, 0, &tr),
               BRINE_E_MALFORMED);
  assert_fails(ctx, brinei_trustroot_parse(ctx, "[]", 2, &tr),
               BRINE_E_MALFORMED);
  assert_fails(ctx, brinei_trustroot_parse(ctx, prod, n - 20, &tr),
               BRINE_E_MALFORMED);
  assert_msg_has(ctx, "trusted root is not valid JSON");
  /* duplicate keys, at the top and deep inside */
  assert_fails(ctx, brinei_trustroot_parse(ctx, dupkey, strlen(dupkey), &tr),
               BRINE_E_MALFORMED);
  assert_msg_has(ctx, "duplicate key");
  dup = malloc(n + 64);
  assert_non_null(dup);
  {
    const char *p = strstr(prod, "\"keyDetails\": \"PKIX_ED25519\"");
    size_t off;
    assert_non_null(p);
    off = (size_t)(p - prod);
    memcpy(dup, prod, off);
    memcpy(dup + off, "\"keyDetails\": \"PKIX_ED25519\", ", 30);
    memcpy(dup + off + 30, prod + off, n - off);
    assert_fails(ctx, brinei_trustroot_parse(ctx, dup, n + 30, &tr),
                 BRINE_E_MALFORMED);
    assert_msg_has(ctx, "duplicate key");
    /* the same bytes without the duplicate parse */
    assert_int_equal(brinei_trustroot_parse(ctx, prod, n, &tr), BRINE_OK);
    brinei_trustroot_free(ctx, &tr);
  }
  free(dup);
  /* a missing file */
  assert_fails(ctx, brinei_trustroot_load(ctx, SIG "no-such-root.json", &tr),
               BRINE_E_IO);
  free(prod);
  free_ctx(ctx);
}

static void test_media_type(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_trustroot tr;
  json_t *d;
  (void)state;
  d = prod_copy();
  set(d, "", "mediaType",
      json_string("application/vnd.dev.sigstore.bundle.v0.3+json"));
  expect_fail(ctx, d, BRINE_E_UNSUPPORTED, "media type");
  d = prod_copy();
  set(d, "", "mediaType",
      json_string("application/vnd.dev.sigstore.trustedroot+json;"
                  "version=0.2"));
  expect_fail(ctx, d, BRINE_E_UNSUPPORTED, "version=0.2");
  d = prod_copy();
  set(d, "", "mediaType", json_stringn(
      "application/vnd.dev.sigstore.trustedroot+json;version=0.1\0x", 60));
  /* jansson refuses \u0000 (no JSON_ALLOW_NUL) */
  expect_fail(ctx, d, BRINE_E_MALFORMED, "not valid JSON");
  d = prod_copy();
  del(d, "", "mediaType");
  expect_fail(ctx, d, BRINE_E_MALFORMED, "mediaType is missing");
  d = prod_copy();
  set(d, "", "mediaType", json_integer(1));
  expect_fail(ctx, d, BRINE_E_MALFORMED, "mediaType must be a string");
  /* the v0.2 media type reads the same */
  d = prod_copy();
  set(d, "", "mediaType",
      json_string("application/vnd.dev.sigstore.trustedroot.v0.2+json"));
  assert_int_equal(parse_doc(ctx, d, &tr), BRINE_OK);
  check_production(ctx, &tr);
  brinei_trustroot_free(ctx, &tr);
  json_decref(d);
  free_ctx(ctx);
}

static void test_lists(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_trustroot tr;
  json_t *d;
  static const char *const lists[] = {
    "tlogs", "ctlogs", "certificateAuthorities", "timestampAuthorities",
  };
  (void)state;
  for(size_t i = 0; i < 4; i++) {
    char want[64];
    snprintf(want, sizeof(want), "%s must be an array", lists[i]);
    d = prod_copy();
    set(d, "", lists[i], json_object());
    expect_fail(ctx, d, BRINE_E_MALFORMED, want);
    d = prod_copy();
    set(d, "", lists[i], json_string("x"));
    expect_fail(ctx, d, BRINE_E_MALFORMED, want);
    snprintf(want, sizeof(want), "%s[1] must be an object", lists[i]);
    d = prod_copy();
    assert_int_equal(json_array_insert_new(at(d, lists[i]), 1,
                                           json_integer(7)), 0);
    expect_fail(ctx, d, BRINE_E_MALFORMED, want);
  }
  /* null and absent lists are empty */
  d = prod_copy();
  set(d, "", "tlogs", json_null());
  del(d, "", "timestampAuthorities");
  set(d, "", "ctlogs", json_array());
  assert_int_equal(parse_doc(ctx, d, &tr), BRINE_OK);
  assert_int_equal(tr.ntlogs, 0);
  assert_null(tr.tlogs);
  assert_int_equal(tr.nctlogs, 0);
  assert_int_equal(tr.ntsas, 0);
  assert_int_equal(tr.ncas, 2);
  brinei_trustroot_free(ctx, &tr);
  json_decref(d);
  /* a list longer than brine reads */
  d = prod_copy();
  for(size_t i = 0; i < 300; i++)
    assert_int_equal(json_array_append_new(
                         at(d, "tlogs"),
                         json_deep_copy(at(d, "tlogs/0"))), 0);
  expect_fail(ctx, d, BRINE_E_LIMIT, "tlogs has 302 entries");
  free_ctx(ctx);
}

static void test_log_fields(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  json_t *d;
  (void)state;
  /* bad base64: a stray character, mixed alphabets, whitespace */
  d = prod_copy();
  set(d, "tlogs/0/publicKey", "rawBytes", json_string("MFkw!EwYH"));
  expect_fail(ctx, d, BRINE_E_MALFORMED, "tlogs[0].publicKey.rawBytes");
  d = prod_copy();
  set(d, "ctlogs/1/logId", "keyId",
      json_string("3T0wasbHETJjGR4cmWc3AqJKXrjeP+3_h4pygC8p7o4="));
  expect_fail(ctx, d, BRINE_E_MALFORMED, "ctlogs[1].logId.keyId");
  d = prod_copy();
  set(d, "tlogs/1/logId", "keyId",
      json_string("zxGZFVvd0FEmjR8WrFwMdcAJ9vtaY/QXf44Y1wUeP6A= "));
  expect_fail(ctx, d, BRINE_E_MALFORMED, "tlogs[1].logId.keyId");
  /* DER that is no key, and a key that is not what keyDetails says */
  d = prod_copy();
  set(d, "tlogs/0/publicKey", "rawBytes", json_string("aGVsbG8="));
  expect_fail(ctx, d, BRINE_E_MALFORMED, "tlogs[0].publicKey.rawBytes");
  d = prod_copy();
  set(d, "tlogs/1/publicKey", "keyDetails",
      json_string("PKIX_ECDSA_P256_SHA_256"));
  expect_fail(ctx, d, BRINE_E_MALFORMED, "Ed25519");
  d = prod_copy();
  set(d, "tlogs/0/publicKey", "keyDetails",
      json_string("PKIX_ECDSA_P384_SHA_384"));
  expect_fail(ctx, d, BRINE_E_MALFORMED, "keyDetails PKIX_ECDSA_P384_SHA_384");
  /* required fields */
  d = prod_copy();
  del(d, "tlogs/0", "publicKey");
  expect_fail(ctx, d, BRINE_E_MALFORMED, "tlogs[0].publicKey is missing");
  d = prod_copy();
  del(d, "tlogs/0/publicKey", "rawBytes");
  expect_fail(ctx, d, BRINE_E_MALFORMED,
              "tlogs[0].publicKey.rawBytes is missing");
  d = prod_copy();
  del(d, "ctlogs/0/publicKey", "keyDetails");
  expect_fail(ctx, d, BRINE_E_MALFORMED,
              "ctlogs[0].publicKey.keyDetails is missing");
  d = prod_copy();
  del(d, "tlogs/1", "logId");
  expect_fail(ctx, d, BRINE_E_MALFORMED, "tlogs[1].logId is missing");
  d = prod_copy();
  set(d, "tlogs/1", "logId", json_null());
  expect_fail(ctx, d, BRINE_E_MALFORMED, "tlogs[1].logId must be an object");
  d = prod_copy();
  del(d, "tlogs/0", "baseUrl");
  expect_fail(ctx, d, BRINE_E_MALFORMED, "tlogs[0].baseUrl is missing");
  d = prod_copy();
  set(d, "tlogs/0", "baseUrl", json_stringn("https://a\0b", 11));
  expect_fail(ctx, d, BRINE_E_MALFORMED, "not valid JSON");
  d = prod_copy();
  del(d, "ctlogs/0", "hashAlgorithm");
  expect_fail(ctx, d, BRINE_E_MALFORMED, "ctlogs[0].hashAlgorithm is missing");
  d = prod_copy();
  set(d, "tlogs/0", "operator", json_integer(3));
  expect_fail(ctx, d, BRINE_E_MALFORMED, "tlogs[0].operator must be a string");
  /* logId sizes: empty, longer than 32 bytes */
  d = prod_copy();
  set(d, "tlogs/0/logId", "keyId", json_string(""));
  expect_fail(ctx, d, BRINE_E_MALFORMED, "is 0 bytes");
  d = prod_copy();
  set(d, "tlogs/0/logId", "keyId",
      json_string("wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0A"));
  expect_fail(ctx, d, BRINE_E_MALFORMED, "is 33 bytes");
  /* checkpointKeyId shorter than a key hint */
  d = prod_copy();
  set(d, "tlogs/1", "checkpointKeyId", json_pack("{s:s}", "keyId", "AAEC"));
  expect_fail(ctx, d, BRINE_E_MALFORMED, "tlogs[1].checkpointKeyId.keyId");
  free_ctx(ctx);
}

static void test_times(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_trustroot tr;
  json_t *d;
  (void)state;
  d = prod_copy();
  del(d, "tlogs/1/publicKey/validFor", "start");
  expect_fail(ctx, d, BRINE_E_MALFORMED,
              "tlogs[1].publicKey.validFor.start is missing");
  d = prod_copy();
  set(d, "ctlogs/0/publicKey/validFor", "start", json_null());
  expect_fail(ctx, d, BRINE_E_MALFORMED,
              "ctlogs[0].publicKey.validFor.start must be a string");
  d = prod_copy();
  del(d, "tlogs/0/publicKey", "validFor");
  expect_fail(ctx, d, BRINE_E_MALFORMED,
              "tlogs[0].publicKey.validFor is missing");
  d = prod_copy();
  del(d, "certificateAuthorities/1", "validFor");
  expect_fail(ctx, d, BRINE_E_MALFORMED,
              "certificateAuthorities[1].validFor is missing");
  d = prod_copy();
  del(d, "timestampAuthorities/0/validFor", "start");
  expect_fail(ctx, d, BRINE_E_MALFORMED,
              "timestampAuthorities[0].validFor.start is missing");
  d = prod_copy();
  set(d, "tlogs/0/publicKey/validFor", "start",
      json_string("2021-13-12T11:53:27Z"));
  expect_fail(ctx, d, BRINE_E_MALFORMED, "is not an RFC 3339 time");
  d = prod_copy();
  set(d, "tlogs/0/publicKey/validFor", "start",
      json_string("2021-01-12 11:53:27"));
  expect_fail(ctx, d, BRINE_E_MALFORMED, "tlogs[0].publicKey.validFor.start");
  d = prod_copy();
  set(d, "certificateAuthorities/0/validFor", "end",
      json_string("2021-03-07T03:20:28Z"));
  expect_fail(ctx, d, BRINE_E_MALFORMED, "ends before it starts");
  /* a window of one second; an offset; end null */
  d = prod_copy();
  set(d, "certificateAuthorities/0/validFor", "end",
      json_string("2021-03-07T03:20:29.5Z"));
  set(d, "certificateAuthorities/1/validFor", "start",
      json_string("2022-04-13T22:06:15+02:00"));
  set(d, "certificateAuthorities/1/validFor", "end", json_null());
  assert_int_equal(parse_doc(ctx, d, &tr), BRINE_OK);
  assert_int_equal(tr.cas[0].valid.start, T_CA1_START);
  assert_int_equal(tr.cas[0].valid.end, T_CA1_START);
  assert_true(brinei_validity_contains(&tr.cas[0].valid, T_CA1_START));
  assert_false(brinei_validity_contains(&tr.cas[0].valid, T_CA1_START + 1));
  assert_int_equal(tr.cas[1].valid.start, T_CA2_START);
  assert_true(tr.cas[1].valid.end == BRINEI_TIME_MAX);
  brinei_trustroot_free(ctx, &tr);
  json_decref(d);
  free_ctx(ctx);
}

static void test_skipped_logs(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_trustroot tr;
  json_t *d;
  (void)state;
  /* keyDetails brine cannot verify with: the log is left out, the rest
     loads */
  d = prod_copy();
  set(d, "tlogs/0/publicKey", "keyDetails", json_string("ML_DSA_65"));
  set(d, "ctlogs/1/publicKey", "keyDetails",
      json_string("PKIX_ECDSA_P256_HMAC_SHA_256"));
  assert_int_equal(parse_doc(ctx, d, &tr), BRINE_OK);
  assert_int_equal(tr.ntlogs, 1);
  assert_string_equal(tr.tlogs[0].base_url,
                      "https://log2025-1.rekor.sigstore.dev");
  assert_int_equal(tr.nctlogs, 1);
  assert_string_equal(tr.ctlogs[0].base_url,
                      "https://ctfe.sigstore.dev/test");
  brinei_trustroot_free(ctx, &tr);
  json_decref(d);
  /* a hash brine does not have; every log skipped gives an empty list */
  d = prod_copy();
  set(d, "tlogs/0", "hashAlgorithm", json_string("SHA3_256"));
  set(d, "tlogs/1/publicKey", "keyDetails", json_string("PKIX_ED25519_PH"));
  assert_int_equal(parse_doc(ctx, d, &tr), BRINE_OK);
  assert_int_equal(tr.ntlogs, 0);
  assert_null(tr.tlogs);
  assert_int_equal(tr.nctlogs, 2);
  brinei_trustroot_free(ctx, &tr);
  json_decref(d);
  /* a skipped log is still checked for shape */
  d = prod_copy();
  set(d, "tlogs/0/publicKey", "keyDetails", json_string("ML_DSA_65"));
  del(d, "tlogs/0/publicKey/validFor", "start");
  expect_fail(ctx, d, BRINE_E_MALFORMED,
              "tlogs[0].publicKey.validFor.start is missing");
  /* the deprecated PKCS1_RSA_PKCS1V5 with bytes that are not SPKI */
  d = prod_copy();
  set(d, "ctlogs/0/publicKey", "keyDetails",
      json_string("PKCS1_RSA_PKCS1V5"));
  set(d, "ctlogs/0/publicKey", "rawBytes", json_string("MAA="));
  assert_int_equal(parse_doc(ctx, d, &tr), BRINE_OK);
  assert_int_equal(tr.nctlogs, 1);
  assert_string_equal(tr.ctlogs[0].base_url,
                      "https://ctfe.sigstore.dev/2022");
  assert_int_equal(brine_last_error(ctx)->code, BRINE_OK);
  brinei_trustroot_free(ctx, &tr);
  json_decref(d);
  free_ctx(ctx);
}

static void test_checkpoint_key_id(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_trustroot tr;
  json_t *d = prod_copy();
  (void)state;
  /* given: its first 4 bytes are the hint; null: the logId's */
  set(d, "tlogs/0", "checkpointKeyId",
      json_pack("{s:s}", "keyId", "3q2+796tvu8="));  /* de ad be ef ... */
  set(d, "tlogs/1", "checkpointKeyId", json_null());
  set(d, "tlogs/1", "operator", json_string("sigstore.dev"));
  assert_int_equal(parse_doc(ctx, d, &tr), BRINE_OK);
  assert_bytes_hex(tr.tlogs[0].checkpoint_id, 4, "deadbeef");
  assert_bytes_hex(tr.tlogs[0].log_id, 32, ID_REKOR);
  assert_bytes_hex(tr.tlogs[1].checkpoint_id, 4, "cf119915");
  brinei_trustroot_free(ctx, &tr);
  json_decref(d);
  /* a logId that is not the SPKI hash is kept as given */
  d = prod_copy();
  set(d, "tlogs/0/logId", "keyId", json_string("AQID"));
  assert_int_equal(parse_doc(ctx, d, &tr), BRINE_OK);
  assert_int_equal(tr.tlogs[0].log_id_len, 3);
  assert_bytes_hex(tr.tlogs[0].log_id, 3, "010203");
  assert_bytes_hex(tr.tlogs[0].checkpoint_id, 4, "01020300");
  assert_ptr_equal(brinei_trustroot_find_log(tr.tlogs, tr.ntlogs,
                                             (const uint8_t *)"\1\2\3", 3),
                   &tr.tlogs[0]);
  brinei_trustroot_free(ctx, &tr);
  json_decref(d);
  free_ctx(ctx);
}

static void test_authority_fields(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_trustroot tr;
  json_t *d;
  (void)state;
  d = prod_copy();
  set(d, "certificateAuthorities/1/certChain", "certificates", json_array());
  expect_fail(ctx, d, BRINE_E_MALFORMED,
              "certificateAuthorities[1].certChain.certificates is empty");
  d = prod_copy();
  del(d, "timestampAuthorities/0", "certChain");
  expect_fail(ctx, d, BRINE_E_MALFORMED,
              "timestampAuthorities[0].certChain is missing");
  d = prod_copy();
  set(d, "certificateAuthorities/1/certChain/certificates/1", "rawBytes",
      json_string("MIIB9zCCAXygAwIBAgIUALZNAPFdxHPw"));
  expect_fail(ctx, d, BRINE_E_MALFORMED,
              "certificateAuthorities[1].certChain.certificates[1].rawBytes");
  d = prod_copy();
  set(d, "certificateAuthorities/0/certChain/certificates/0", "rawBytes",
      json_string("not base64"));
  expect_fail(ctx, d, BRINE_E_MALFORMED,
              "certificateAuthorities[0].certChain.certificates[0].rawBytes");
  d = prod_copy();
  assert_int_equal(json_array_append_new(
                       at(d, "timestampAuthorities/0/certChain/certificates"),
                       json_string("x")), 0);
  expect_fail(ctx, d, BRINE_E_MALFORMED,
              "timestampAuthorities[0].certChain.certificates[2] must be an "
              "object");
  d = prod_copy();
  set(d, "certificateAuthorities/0", "subject", json_string("sigstore"));
  expect_fail(ctx, d, BRINE_E_MALFORMED,
              "certificateAuthorities[0].subject must be an object");
  d = prod_copy();
  set(d, "certificateAuthorities/0", "uri", json_true());
  expect_fail(ctx, d, BRINE_E_MALFORMED,
              "certificateAuthorities[0].uri must be a string");
  /* uri and subject are optional; operator may be null */
  d = prod_copy();
  del(d, "timestampAuthorities/0", "uri");
  set(d, "timestampAuthorities/0", "subject", json_null());
  set(d, "certificateAuthorities/0", "operator", json_null());
  assert_int_equal(parse_doc(ctx, d, &tr), BRINE_OK);
  assert_string_equal(tr.tsas[0].uri, "");
  assert_int_equal(tr.tsas[0].ncerts, 2);
  brinei_trustroot_free(ctx, &tr);
  json_decref(d);
  free_ctx(ctx);
}

/* ---- out of memory ---- */

/* Fail each allocation in turn: NOMEM, nothing held, until the parse
   needs no more and succeeds. */
static void oom_loop(struct brine_ctx *ctx, const char *path)
{
  size_t before = brine_ctx_mem_used(ctx), fails = 0;
  for(uint64_t k = 1;; k++) {
    struct brinei_trustroot tr;
    brine_result rc;
    brine_ctx_fail_alloc_after(ctx, k);
    rc = path ? brinei_trustroot_load(ctx, path, &tr)
              : brinei_trustroot_production(ctx, &tr);
    brine_ctx_fail_alloc_after(ctx, 0);
    if(rc == BRINE_OK) {
      if(!path)
        check_production(ctx, &tr);
      brinei_trustroot_free(ctx, &tr);
      assert_int_equal(brine_ctx_mem_used(ctx), before);
      break;
    }
    assert_int_equal(rc, BRINE_E_NOMEM);
    assert_int_equal(brine_last_error(ctx)->code, BRINE_E_NOMEM);
    assert_int_equal(brine_ctx_mem_used(ctx), before);
    fails++;
    assert_true(k < 10000);
  }
  /* every log, authority and certificate costs allocations */
  assert_true(fails >= 20);
}

static void test_oom(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  (void)state;
  oom_loop(ctx, NULL);
  oom_loop(ctx, PROD);
  oom_loop(ctx, CONF "rekor2-dsse-happy-path/trusted_root.json");
  oom_loop(ctx, CONF "trust-root-tlog-validity-end-inclusive/"
                     "trusted_root.json");
  free_ctx(ctx);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_production),
    cmocka_unit_test(test_conformance_roots),
    cmocka_unit_test(test_end_inclusive),
    cmocka_unit_test(test_validity_contains),
    cmocka_unit_test(test_find_log),
    cmocka_unit_test(test_not_a_root),
    cmocka_unit_test(test_media_type),
    cmocka_unit_test(test_lists),
    cmocka_unit_test(test_log_fields),
    cmocka_unit_test(test_times),
    cmocka_unit_test(test_skipped_logs),
    cmocka_unit_test(test_checkpoint_key_id),
    cmocka_unit_test(test_authority_fields),
    cmocka_unit_test(test_oom),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
