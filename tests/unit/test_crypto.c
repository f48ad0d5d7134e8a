/* crypto/: digests, base64, keys, signatures, certificates, RFC 3339.
 *
 * Reference values come from outside brine: digests from /usr/bin/python3
 * hashlib, key fingerprints from `openssl pkey ... | sha256sum`, signatures
 * made by the openssl command (tools/gen_test_keys.sh) and by the Python
 * model_signing tool (the golden OMS bundles in tests/data/oms/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/err.h>

#include "internal.h"
#include "crypto/crypto.h"
/* a failure also leaves nothing on OpenSSL's error queue */
#define TESTUTIL_EXTRA_CHECK() assert_int_equal(ERR_peek_error(), 0)
#include "testutil.h"

#define OMS "tests/data/oms/"
#define OMSKEYS OMS "keys/certificate/"
#define KEYS "tests/data/keys/"

/* The leaf of the OMS certificate goldens: notBefore / notAfter. */
#define LEAF_NB ((time_t)1746228988)  /* 2025-05-02T23:36:28Z */
#define LEAF_NA ((time_t)2061588988)  /* 2035-04-30T23:36:28Z */

static const char oms_hint[] =
  "e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e";
/* openssl pkey -pubin -in signing-key-pub.pem -outform DER | sha256sum */
static const char oms_keyid[] =
  "c1e49d63327f85c7e2971aefd30b5a0d1c6b9b5e1a892e7f5fba995adace816d";

static void hexof(const uint8_t *p, size_t n, char *out)
{
  brinei_hex(p, n, out);
}

/* ---- digests ---- */

static void test_hash_names(void **state)
{
  enum brinei_hash h;
  (void)state;
  assert_int_equal(brinei_hash_len(BRINEI_SHA256), 32);
  assert_int_equal(brinei_hash_len(BRINEI_SHA384), 48);
  assert_int_equal(brinei_hash_len(BRINEI_SHA512), 64);
  assert_int_equal(brinei_hash_len(BRINEI_BLAKE2B), 64);
  assert_true(brinei_hash_parse("blake2b", &h));
  assert_int_equal(h, BRINEI_BLAKE2B);
  assert_true(brinei_hash_parse("sha384", &h));
  assert_int_equal(h, BRINEI_SHA384);
  assert_string_equal(brinei_hash_name(BRINEI_SHA512), "sha512");
  assert_false(brinei_hash_parse("blake2", &h));   /* Python's other name */
  assert_false(brinei_hash_parse("SHA256", &h));
  assert_false(brinei_hash_parse("blake3", &h));
}

/* hashlib.new(name, data).hexdigest() */
static const struct {
  enum brinei_hash h;
  const char *abc, *million_a, *model_sig;
} vectors[] = {
  { BRINEI_SHA256,
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
    "7d4bc54fd82096df1d20e412e07e5cfd1f8e9278a7defb7e02bb59a9ebb985c0" },
  { BRINEI_SHA384,
    "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
    "8086072ba1e7cc2358baeca134c825a7",
    "9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b"
    "07b8b3dc38ecc4ebae97ddd87f3d8985",
    "d22435689679e8609c5749b934e1df15f437d698501fa56d5524610e05bcfff3"
    "03fd451a9cdacdec293e52facbb77c00" },
  { BRINEI_SHA512,
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
    "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b",
    "72c2fcd3afbda77e32fe955fd5a2837ddfad15c33cfd261b15f9df8c233afa2f"
    "52cc221174815eb225a8643d7efd46e786e062e98b13e1fa525757b61dfcd2e6" },
  { BRINEI_BLAKE2B,
    "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
    "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
    "98fb3efb7206fd19ebf69b6f312cf7b64e3b94dbe1a17107913975a793f177e1"
    "d077609d7fba363cbba00d05f7aa4e4fa8715d6428104c0a75643b0ff3fd3eaf",
    "b2af28ed5cb58c6ec523f074af85ffd989b295c116809b9e29e5cf83af6f59b1"
    "67a397ee943fa682dcdde05169f8a6d78c8fc11f63ebb840f47865ccb8732283" },
};

static void test_digest_oneshot(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  uint8_t d[BRINEI_HASH_MAX];
  char hex[2 * BRINEI_HASH_MAX + 1];
  (void)state;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(vectors); i++) {
    size_t n = brinei_hash_len(vectors[i].h);
    assert_int_equal(brinei_digest(ctx, vectors[i].h, "abc", 3, d),
                     BRINE_OK);
    hexof(d, n, hex);
    assert_string_equal(hex, vectors[i].abc);
  }
  /* hashlib.sha256(b"").hexdigest(): the OMS empty-manifest root */
  assert_int_equal(brinei_digest(ctx, BRINEI_SHA256, "", 0, d), BRINE_OK);
  hexof(d, 32, hex);
  assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934c"
                           "a495991b7852b855");
  brine_ctx_free(ctx);
}

/* Odd-sized updates, and reuse of one md after final. */
static void test_digest_stream(void **state)
{
  static uint8_t a[1000000];
  uint8_t d[BRINEI_HASH_MAX];
  char hex[2 * BRINEI_HASH_MAX + 1];
  size_t flen;
  uint8_t *file = slurp(OMS "v1.1.0-sigstore/model.sig", &flen);
  (void)state;
  memset(a, 'a', sizeof(a));
  for(size_t i = 0; i < BRINE_ARRAY_LEN(vectors); i++) {
    struct brinei_md *md = brinei_md_new(vectors[i].h);
    size_t n = brinei_hash_len(vectors[i].h);
    assert_non_null(md);
    for(size_t off = 0; off < sizeof(a); off += 997) {
      size_t k = sizeof(a) - off < 997 ? sizeof(a) - off : 997;
      assert_true(brinei_md_update(md, a + off, k));
    }
    assert_true(brinei_md_final(md, d));
    hexof(d, n, hex);
    assert_string_equal(hex, vectors[i].million_a);
    /* the same md, ready for the next message */
    assert_true(brinei_md_update(md, "ab", 2));
    assert_true(brinei_md_update(md, "", 0));
    assert_true(brinei_md_update(md, "c", 1));
    assert_true(brinei_md_final(md, d));
    hexof(d, n, hex);
    assert_string_equal(hex, vectors[i].abc);
    /* a real file in 100-byte pieces */
    for(size_t off = 0; off < flen; off += 100)
      assert_true(brinei_md_update(md, file + off,
                                   flen - off < 100 ? flen - off : 100));
    assert_true(brinei_md_final(md, d));
    hexof(d, n, hex);
    assert_string_equal(hex, vectors[i].model_sig);
    brinei_md_free(md);
  }
  brinei_md_free(NULL);
  free(file);
}

struct thread_job {
  enum brinei_hash h;
  char hex[2 * BRINEI_HASH_MAX + 1];
};

static void *hash_thread(void *arg)
{
  struct thread_job *j = arg;
  struct brinei_md *md = brinei_md_new(j->h);
  uint8_t block[4096], d[BRINEI_HASH_MAX];
  memset(block, 'a', sizeof(block));
  j->hex[0] = 0;
  if(!md)
    return NULL;
  for(int r = 0; r < 3; r++) {
    size_t left = 1000000;
    while(left) {
      size_t k = left < sizeof(block) ? left : sizeof(block);
      if(!brinei_md_update(md, block, k))
        goto out;
      left -= k;
    }
    if(!brinei_md_final(md, d))
      goto out;
  }
  brinei_hex(d, brinei_hash_len(j->h), j->hex);
out:
  brinei_md_free(md);
  return NULL;
}

/* Worker threads each with their own md, first use racing the one-time
   fetch. */
static void test_digest_threads(void **state)
{
  pthread_t t[8];
  struct thread_job j[8];
  (void)state;
  for(int i = 0; i < 8; i++) {
    j[i].h = vectors[i % 4].h;
    assert_int_equal(pthread_create(&t[i], NULL, hash_thread, &j[i]), 0);
  }
  for(int i = 0; i < 8; i++) {
    assert_int_equal(pthread_join(t[i], NULL), 0);
    assert_string_equal(j[i].hex, vectors[i % 4].million_a);
  }
}

/* ---- encodings ---- */

static void test_hex(void **state)
{
  static const uint8_t b[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
  char out[13];
  (void)state;
  brinei_hex(b, sizeof(b), out);
  assert_string_equal(out, "00017f80abff");
  brinei_hex(b, 0, out);
  assert_string_equal(out, "");
}

static void check_decode(struct brine_ctx *ctx, const char *s, bool lax,
                         const char *want, size_t wantlen)
{
  uint8_t *out = NULL;
  size_t n = 99;
  assert_int_equal(brinei_b64_decode(ctx, s, strlen(s), lax, &out, &n),
                   BRINE_OK);
  assert_int_equal(n, wantlen);
  if(wantlen)
    assert_memory_equal(out, want, wantlen);
  brinei_free(ctx, out);
}

static void test_b64_vectors(void **state)
{
  /* RFC 4648 §10 */
  static const char *const enc[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==",
                                     "Zm9vYmE=", "Zm9vYmFy" };
  static const char plain[] = "foobar";
  struct brine_ctx *ctx = new_ctx();
  (void)state;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(enc); i++) {
    char *s = brinei_b64_encode(ctx, (const uint8_t *)plain, i);
    assert_non_null(s);
    assert_string_equal(s, enc[i]);
    brinei_free(ctx, s);
    check_decode(ctx, enc[i], false, plain, i);
  }
  /* 0xfb 0xff: '+' '/' in one alphabet, '-' '_' in the other */
  check_decode(ctx, "+/8=", false, "\xfb\xff", 2);
  check_decode(ctx, "-_8=", false, "\xfb\xff", 2);
  check_decode(ctx, "-_8", false, "\xfb\xff", 2);     /* URL: pad optional */
  check_decode(ctx, "+/8", true, "\xfb\xff", 2);      /* lax_pad */
  check_decode(ctx, "Zm9vYg", true, "foob", 4);
  check_decode(ctx, "AAAA", false, "\0\0\0", 3);
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  brine_ctx_free(ctx);
}

static void test_b64_roundtrip(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  uint8_t buf[300];
  uint32_t x = 12345;
  (void)state;
  for(size_t i = 0; i < sizeof(buf); i++) {
    x = x * 1103515245u + 12345u;
    buf[i] = (uint8_t)(x >> 16);
  }
  for(size_t n = 0; n <= sizeof(buf); n += (n < 70 ? 1 : 23)) {
    char *s = brinei_b64_encode(ctx, buf, n);
    uint8_t *out = NULL;
    size_t len = 0;
    assert_non_null(s);
    assert_int_equal(strlen(s), (n + 2) / 3 * 4);
    assert_int_equal(brinei_b64_decode(ctx, s, strlen(s), false, &out, &len),
                     BRINE_OK);
    assert_int_equal(len, n);
    if(n)
      assert_memory_equal(out, buf, n);
    brinei_free(ctx, out);
    /* the URL-safe spelling of the same bytes, unpadded */
    for(char *p = s; *p; p++)
      *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    len = strlen(s);
    while(len && s[len - 1] == '=')
      len--;
    if(strchr(s, '-') || strchr(s, '_') || len % 4 == 0) {
      assert_int_equal(brinei_b64_decode(ctx, s, len, false, &out, &len),
                       BRINE_OK);
      assert_int_equal(len, n);
      if(n)
        assert_memory_equal(out, buf, n);
      brinei_free(ctx, out);
    }
    brinei_free(ctx, s);
  }
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  brine_ctx_free(ctx);
}

static void test_b64_rejects(void **state)
{
  static const struct { const char *s; size_t n; bool lax; } bad[] = {
    { "Zm9v!", 5, true },        /* not an alphabet character */
    { "Zm 9v", 5, true },        /* whitespace inside */
    { "Zm9v\n", 5, true },       /* trailing newline */
    { " Zm9v", 5, true },        /* leading space */
    { "Zm9v\r\nYmFy", 10, true },
    { "Zm9v\0YmFy", 9, true },   /* NUL inside */
    { "+-AA", 4, true },         /* mixed alphabets */
    { "ab/_", 4, true },
    { "Zg=", 3, true },          /* padding that does not complete a group */
    { "Zg===", 5, true },        /* too much padding */
    { "Zm9v=", 5, true },        /* padding after a full group */
    { "====", 4, true },
    { "=", 1, true },
    { "Zm=9", 4, true },         /* '=' inside */
    { "Zm9vY", 5, true },        /* 5 characters cannot be whole bytes */
    { "Zm9vY===", 8, true },
    { "Zh==", 4, true },         /* non-zero bits after the last byte */
    { "Zm9=", 4, true },
    { "+/8", 3, false },         /* standard alphabet, padding missing */
    { "Zg", 2, false },          /* no URL-safe character: standard */
    { "Zm9vYmE", 7, false },
  };
  struct brine_ctx *ctx = new_ctx();
  (void)state;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(bad); i++) {
    uint8_t *out = (uint8_t *)"untouched";
    size_t n = 77;
    assert_fails(ctx, brinei_b64_decode(ctx, bad[i].s, bad[i].n, bad[i].lax,
                                        &out, &n),
                 BRINE_E_MALFORMED);
    assert_string_equal((const char *)out, "untouched");
    assert_int_equal(n, 77);
  }
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  brine_ctx_free(ctx);
}

/* ---- keys ---- */

static void test_oms_keys(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_key *priv = NULL, *pub = NULL, *back = NULL;
  char hint[65], *pem = NULL, hex[65];
  uint8_t id[32], *der = NULL;
  size_t pemlen = 0, derlen = 0;
  (void)state;
  /* both files start with certtool's text dump before the PEM block */
  assert_int_equal(brinei_key_load_private(ctx, OMSKEYS "signing-key.pem",
                                           NULL, &priv), BRINE_OK);
  assert_int_equal(brinei_key_load_public(ctx, OMSKEYS "signing-key-pub.pem",
                                          &pub), BRINE_OK);
  assert_int_equal(brinei_key_type(priv), BRINEI_KEY_EC_P384);
  assert_int_equal(brinei_key_type(pub), BRINEI_KEY_EC_P384);
  assert_int_equal(brinei_key_curve_hash(pub), BRINEI_SHA384);
  assert_string_equal(brinei_key_describe(pub), "ECDSA P-384");
  assert_true(brinei_key_equal(priv, pub));

  assert_int_equal(brinei_key_hint(ctx, pub, hint), BRINE_OK);
  assert_string_equal(hint, oms_hint);
  assert_int_equal(brinei_key_hint(ctx, priv, hint), BRINE_OK);
  assert_string_equal(hint, oms_hint);
  assert_int_equal(brinei_key_id(ctx, pub, id), BRINE_OK);
  hexof(id, 32, hex);
  assert_string_equal(hex, oms_keyid);

  /* the PEM is what the hint hashes; it parses back to the same key */
  assert_int_equal(brinei_key_public_pem(ctx, priv, &pem, &pemlen), BRINE_OK);
  assert_int_equal(strlen(pem), pemlen);
  assert_true(!strncmp(pem, "-----BEGIN PUBLIC KEY-----\n", 27));
  assert_string_equal(pem + pemlen - 25, "-----END PUBLIC KEY-----\n");
  assert_int_equal(brinei_key_parse_public_pem(ctx, (const uint8_t *)pem,
                                               pemlen, &back), BRINE_OK);
  assert_true(brinei_key_equal(back, pub));
  brinei_key_free(back);
  back = NULL;
  /* DER SPKI: hashes to the key id, parses back to the same key */
  assert_int_equal(brinei_key_public_der(ctx, pub, &der, &derlen), BRINE_OK);
  assert_int_equal(brinei_digest(ctx, BRINEI_SHA256, der, derlen, id),
                   BRINE_OK);
  hexof(id, 32, hex);
  assert_string_equal(hex, oms_keyid);
  assert_int_equal(brinei_key_parse_public_der(ctx, der, derlen, &back),
                   BRINE_OK);
  assert_true(brinei_key_equal(back, priv));
  brinei_key_free(back);
  /* trailing bytes and truncation are refused */
  der = brinei_realloc(ctx, der, derlen + 1);
  assert_non_null(der);
  der[derlen] = 0;
  assert_fails(ctx, brinei_key_parse_public_der(ctx, der, derlen + 1, &back),
               BRINE_E_MALFORMED);
  assert_fails(ctx, brinei_key_parse_public_der(ctx, der, derlen - 1, &back),
               BRINE_E_MALFORMED);
  assert_fails(ctx, brinei_key_parse_public_der(ctx, der, 0, &back),
               BRINE_E_MALFORMED);
  brinei_free(ctx, der);
  brinei_free(ctx, pem);
  brinei_key_free(priv);
  brinei_key_free(pub);
  brinei_key_free(NULL);
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  brine_ctx_free(ctx);
}

static const struct {
  const char *name;
  enum brinei_keytype type;
  enum brinei_hash hash;
  const char *desc;
} gen_keys[] = {
  { "ec-p256", BRINEI_KEY_EC_P256, BRINEI_SHA256, "ECDSA P-256" },
  { "ec-p384", BRINEI_KEY_EC_P384, BRINEI_SHA384, "ECDSA P-384" },
  { "ec-p521", BRINEI_KEY_EC_P521, BRINEI_SHA512, "ECDSA P-521" },
  { "ed25519", BRINEI_KEY_ED25519, BRINEI_SHA256, "Ed25519" },
  { "rsa-3072", BRINEI_KEY_RSA, BRINEI_SHA256, "RSA-3072" },
};

static void load_pair(struct brine_ctx *ctx, const char *name,
                      struct brinei_key **priv, struct brinei_key **pub)
{
  char path[256];
  snprintf(path, sizeof(path), KEYS "%s.pem", name);
  assert_int_equal(brinei_key_load_private(ctx, path, NULL, priv), BRINE_OK);
  snprintf(path, sizeof(path), KEYS "%s.pub.pem", name);
  assert_int_equal(brinei_key_load_public(ctx, path, pub), BRINE_OK);
}

/* Types, and public PEM output byte-identical to `openssl pkey -pubout`. */
static void test_key_types_pem(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  (void)state;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(gen_keys); i++) {
    struct brinei_key *priv, *pub;
    char path[256], *pem, hint[65], want_hint[65];
    uint8_t *file, d[32];
    size_t flen, pemlen;
    load_pair(ctx, gen_keys[i].name, &priv, &pub);
    assert_int_equal(brinei_key_type(priv), gen_keys[i].type);
    assert_int_equal(brinei_key_type(pub), gen_keys[i].type);
    assert_int_equal(brinei_key_curve_hash(pub), gen_keys[i].hash);
    assert_string_equal(brinei_key_describe(pub), gen_keys[i].desc);
    assert_true(brinei_key_equal(priv, pub));
    snprintf(path, sizeof(path), KEYS "%s.pub.pem", gen_keys[i].name);
    file = slurp(path, &flen);
    assert_int_equal(brinei_key_public_pem(ctx, priv, &pem, &pemlen),
                     BRINE_OK);
    assert_int_equal(pemlen, flen);
    assert_memory_equal(pem, file, flen);
    assert_int_equal(brinei_key_hint(ctx, pub, hint), BRINE_OK);
    assert_int_equal(brinei_digest(ctx, BRINEI_SHA256, file, flen, d),
                     BRINE_OK);
    hexof(d, 32, want_hint);
    assert_string_equal(hint, want_hint);
    for(size_t j = 0; j < BRINE_ARRAY_LEN(gen_keys); j++) {
      struct brinei_key *other, *opub;
      if(j == i)
        continue;
      load_pair(ctx, gen_keys[j].name, &other, &opub);
      assert_false(brinei_key_equal(pub, opub));
      assert_false(brinei_key_equal(priv, other));
      assert_int_equal(ERR_peek_error(), 0);
      brinei_key_free(other);
      brinei_key_free(opub);
    }
    free(file);
    brinei_free(ctx, pem);
    brinei_key_free(priv);
    brinei_key_free(pub);
  }
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  brine_ctx_free(ctx);
}

static void test_key_load_errors(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_key *k = NULL, *ref = NULL, *sec1 = NULL;
  static const char junk[] = "-----BEGIN PUBLIC KEY-----\nnot base64!\n"
                             "-----END PUBLIC KEY-----\n";
  (void)state;
  assert_int_equal(brinei_key_load_public(ctx, KEYS "ec-p256.pub.pem", &ref),
                   BRINE_OK);
  /* SEC1 "EC PRIVATE KEY" and encrypted PKCS#8 of the same key */
  assert_int_equal(brinei_key_load_private(ctx, KEYS "ec-p256.sec1.pem", NULL,
                                           &sec1), BRINE_OK);
  assert_true(brinei_key_equal(sec1, ref));
  assert_int_equal(brinei_key_load_private(ctx, KEYS "ec-p256.enc.pem",
                                           "brine-test", &k), BRINE_OK);
  assert_true(brinei_key_equal(k, ref));
  brinei_key_free(k);
  k = NULL;
  /* never prompts: no password and a wrong one both fail */
  assert_fails(ctx, brinei_key_load_private(ctx, KEYS "ec-p256.enc.pem", NULL,
                                            &k), BRINE_E_MALFORMED);
  assert_fails(ctx, brinei_key_load_private(ctx, KEYS "ec-p256.enc.pem",
                                            "brine-tesT", &k),
               BRINE_E_MALFORMED);
  /* a public key is not a private key and the reverse */
  assert_fails(ctx, brinei_key_load_private(ctx, KEYS "ec-p256.pub.pem", NULL,
                                            &k), BRINE_E_MALFORMED);
  assert_fails(ctx, brinei_key_load_public(ctx, KEYS "ec-p256.pem", &k),
               BRINE_E_MALFORMED);
  assert_fails(ctx, brinei_key_load_public(ctx, OMSKEYS "ca-cert.pem", &k),
               BRINE_E_MALFORMED);
  assert_fails(ctx, brinei_key_load_public(ctx, KEYS "no-such-key.pem", &k),
               BRINE_E_IO);
  assert_fails(ctx, brinei_key_load_private(ctx, KEYS, NULL, &k), BRINE_E_IO);
  assert_fails(ctx, brinei_key_parse_public_pem(ctx, (const uint8_t *)junk,
                                                sizeof(junk) - 1, &k),
               BRINE_E_MALFORMED);
  assert_fails(ctx, brinei_key_parse_public_pem(ctx, (const uint8_t *)junk, 0,
                                                &k), BRINE_E_MALFORMED);
  assert_null(k);
  brinei_key_free(sec1);
  brinei_key_free(ref);
  brine_ctx_free(ctx);
}

/* ---- signatures ---- */

static void test_sign_verify(void **state)
{
  static const char msg[] = "DSSEv1 28 application/vnd.in-toto+json 5 hello";
  struct brine_ctx *ctx = new_ctx();
  (void)state;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(gen_keys); i++) {
    struct brinei_key *priv, *pub, *wrong, *wrongpriv;
    enum brinei_hash h = gen_keys[i].hash;
    uint8_t *sig = NULL, *sig2 = NULL, d[BRINEI_HASH_MAX];
    size_t siglen = 0, siglen2 = 0;
    char m2[sizeof(msg)];
    load_pair(ctx, gen_keys[i].name, &priv, &pub);
    load_pair(ctx, gen_keys[(i + 1) % BRINE_ARRAY_LEN(gen_keys)].name,
              &wrongpriv, &wrong);
    assert_int_equal(brinei_sign(ctx, priv, h, msg, sizeof(msg) - 1, &sig,
                                 &siglen), BRINE_OK);
    if(gen_keys[i].type == BRINEI_KEY_ED25519)
      assert_int_equal(siglen, 64);
    else if(gen_keys[i].type == BRINEI_KEY_RSA)
      assert_int_equal(siglen, 384);
    else
      assert_int_equal(sig[0], 0x30);  /* DER SEQUENCE */
    assert_int_equal(brinei_verify(ctx, pub, h, msg, sizeof(msg) - 1, sig,
                                   siglen), BRINE_OK);
    assert_int_equal(brinei_verify(ctx, priv, h, msg, sizeof(msg) - 1, sig,
                                   siglen), BRINE_OK);
    /* a second signature verifies too (ECDSA's differs: random k) */
    assert_int_equal(brinei_sign(ctx, priv, h, msg, sizeof(msg) - 1, &sig2,
                                 &siglen2), BRINE_OK);
    assert_int_equal(brinei_verify(ctx, pub, h, msg, sizeof(msg) - 1, sig2,
                                   siglen2), BRINE_OK);
    /* one bit of the message */
    memcpy(m2, msg, sizeof(msg));
    m2[20] ^= 1;
    assert_fails(ctx, brinei_verify(ctx, pub, h, m2, sizeof(msg) - 1, sig,
                                    siglen), BRINE_E_BADSIG);
    /* one byte more or less of message */
    assert_fails(ctx, brinei_verify(ctx, pub, h, msg, sizeof(msg) - 2, sig,
                                    siglen), BRINE_E_BADSIG);
    assert_fails(ctx, brinei_verify(ctx, pub, h, msg, sizeof(msg), sig,
                                    siglen), BRINE_E_BADSIG);
    /* the wrong key */
    assert_fails(ctx, brinei_verify(ctx, wrong, brinei_key_curve_hash(wrong),
                                    msg, sizeof(msg) - 1, sig, siglen),
                 BRINE_E_BADSIG);
    /* a byte of the signature (the last: in r/s, not the DER framing) */
    sig[siglen - 1] ^= 0x40;
    assert_fails(ctx, brinei_verify(ctx, pub, h, msg, sizeof(msg) - 1, sig,
                                    siglen), BRINE_E_BADSIG);
    sig[siglen - 1] ^= 0x40;
    /* a broken DER length, truncation, nothing at all */
    sig[1] ^= 0x01;
    assert_fails(ctx, brinei_verify(ctx, pub, h, msg, sizeof(msg) - 1, sig,
                                    siglen), BRINE_E_BADSIG);
    sig[1] ^= 0x01;
    assert_fails(ctx, brinei_verify(ctx, pub, h, msg, sizeof(msg) - 1, sig,
                                    siglen - 1), BRINE_E_BADSIG);
    assert_fails(ctx, brinei_verify(ctx, pub, h, msg, sizeof(msg) - 1, sig,
                                    0), BRINE_E_BADSIG);
    assert_fails(ctx, brinei_verify(ctx, pub, h, msg, sizeof(msg) - 1, NULL,
                                    0), BRINE_E_BADSIG);
    /* still fine afterwards */
    assert_int_equal(brinei_verify(ctx, pub, h, msg, sizeof(msg) - 1, sig,
                                   siglen), BRINE_OK);
    /* over a precomputed digest (ECDSA and RSA only) */
    assert_int_equal(brinei_digest(ctx, h, msg, sizeof(msg) - 1, d),
                     BRINE_OK);
    if(gen_keys[i].type == BRINEI_KEY_ED25519) {
      assert_fails(ctx, brinei_verify_digest(ctx, pub, h, d, sig, siglen),
                   BRINE_E_UNSUPPORTED);
    }
    else {
      assert_int_equal(brinei_verify_digest(ctx, pub, h, d, sig, siglen),
                       BRINE_OK);
      d[0] ^= 1;
      assert_fails(ctx, brinei_verify_digest(ctx, pub, h, d, sig, siglen),
                   BRINE_E_BADSIG);
      /* ECDSA/RSA over BLAKE2b is not offered */
      assert_fails(ctx, brinei_sign(ctx, priv, BRINEI_BLAKE2B, msg, 3, &sig2,
                                    &siglen2), BRINE_E_INVALID);
    }
    /* a public key cannot sign */
    assert_fails(ctx, brinei_sign(ctx, pub, h, msg, 3, &sig2, &siglen2),
                 BRINE_E_INVALID);
    brinei_free(ctx, sig);
    brinei_free(ctx, sig2);
    brinei_key_free(priv);
    brinei_key_free(pub);
    brinei_key_free(wrong);
    brinei_key_free(wrongpriv);
  }
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  brine_ctx_free(ctx);
}

/* Signatures made by the openssl command over msg.txt. */
static void test_verify_openssl_made(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  size_t mlen;
  uint8_t *msg = slurp(KEYS "msg.txt", &mlen);
  (void)state;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(gen_keys); i++) {
    struct brinei_key *priv, *pub;
    char path[256];
    uint8_t *sig, d[BRINEI_HASH_MAX];
    size_t siglen;
    enum brinei_hash h = gen_keys[i].hash;
    load_pair(ctx, gen_keys[i].name, &priv, &pub);
    snprintf(path, sizeof(path), KEYS "%s.sig", gen_keys[i].name);
    sig = slurp(path, &siglen);
    assert_int_equal(brinei_verify(ctx, pub, h, msg, mlen, sig, siglen),
                     BRINE_OK);
    if(gen_keys[i].type != BRINEI_KEY_ED25519) {
      assert_int_equal(brinei_digest(ctx, h, msg, mlen, d), BRINE_OK);
      assert_int_equal(brinei_verify_digest(ctx, pub, h, d, sig, siglen),
                       BRINE_OK);
      /* the right bytes under another digest do not verify */
      assert_fails(ctx, brinei_verify(ctx, pub, h == BRINEI_SHA256 ?
                                      BRINEI_SHA384 : BRINEI_SHA256, msg,
                                      mlen, sig, siglen), BRINE_E_BADSIG);
    }
    msg[0] ^= 0x20;
    assert_fails(ctx, brinei_verify(ctx, pub, h, msg, mlen, sig, siglen),
                 BRINE_E_BADSIG);
    msg[0] ^= 0x20;
    free(sig);
    brinei_key_free(priv);
    brinei_key_free(pub);
  }
  free(msg);
  brine_ctx_free(ctx);
}

/* The DSSE signing input, DSSE protocol v1: PAE(type, body). */
static uint8_t *pae(const uint8_t *payload, size_t n, size_t *len)
{
  char head[128];
  int k = snprintf(head, sizeof(head),
                   "DSSEv1 28 application/vnd.in-toto+json %zu ", n);
  uint8_t *p = malloc((size_t)k + n + 1);
  assert_non_null(p);
  memcpy(p, head, (size_t)k);
  memcpy(p + k, payload, n);
  *len = (size_t)k + n;
  return p;
}

static void b64_field(struct brine_ctx *ctx, json_t *o, uint8_t **out,
                      size_t *n)
{
  const char *s = json_string_value(o);
  assert_non_null(s);
  assert_int_equal(brinei_b64_decode(ctx, s, json_string_length(o), false,
                                     out, n), BRINE_OK);
}

/* Signatures written by Python model_signing (v0.3.1 .. v1.1.0), key and
   certificate methods: ECDSA P-384/SHA-384 over the DSSE PAE. */
static void test_verify_oms_goldens(void **state)
{
  static const char *const dirs[] = {
    "v0.3.1-elliptic-key", "v1.0.0-elliptic-key", "v1.0.1-elliptic-key",
    "v1.1.0-elliptic-key", "v0.3.1-certificate", "v1.0.0-certificate",
    "v1.0.1-certificate", "v1.1.0-certificate",
  };
  struct brine_ctx *ctx = new_ctx();
  struct brinei_key *pub;
  (void)state;
  assert_int_equal(brinei_key_load_public(ctx, OMSKEYS "signing-key-pub.pem",
                                          &pub), BRINE_OK);
  for(size_t i = 0; i < BRINE_ARRAY_LEN(dirs); i++) {
    char path[256];
    json_error_t jerr;
    json_t *b, *env, *vm, *chain;
    uint8_t *payload, *sig, *m;
    size_t plen, siglen, mlen;
    struct brinei_key *k = pub, *certkey = NULL;
    snprintf(path, sizeof(path), OMS "%s/model.sig", dirs[i]);
    b = json_load_file(path, 0, &jerr);
    assert_non_null(b);
    env = json_object_get(b, "dsseEnvelope");
    vm = json_object_get(b, "verificationMaterial");
    assert_string_equal(json_string_value(json_object_get(env,
                        "payloadType")), "application/vnd.in-toto+json");
    b64_field(ctx, json_object_get(env, "payload"), &payload, &plen);
    b64_field(ctx, json_object_get(json_array_get(json_object_get(env,
              "signatures"), 0), "sig"), &sig, &siglen);
    chain = json_object_get(json_object_get(vm, "x509CertificateChain"),
                            "certificates");
    if(chain) {
      /* the certificate method: the key is the leaf's */
      struct brinei_cert *leaf;
      uint8_t *der;
      size_t dlen;
      b64_field(ctx, json_object_get(json_array_get(chain, 0), "rawBytes"),
                &der, &dlen);
      assert_int_equal(brinei_cert_parse_der(ctx, der, dlen, &leaf),
                       BRINE_OK);
      assert_int_equal(brinei_cert_key(ctx, leaf, &certkey), BRINE_OK);
      assert_true(brinei_key_equal(certkey, pub));
      k = certkey;
      brinei_cert_free(leaf);
      brinei_free(ctx, der);
    }
    if(!strcmp(dirs[i], "v1.1.0-elliptic-key")) {
      /* the bundle's hint is brine's hint of the verifying key */
      char hint[65];
      assert_int_equal(brinei_key_hint(ctx, pub, hint), BRINE_OK);
      assert_string_equal(json_string_value(json_object_get(
                          json_object_get(vm, "publicKey"), "hint")), hint);
      assert_int_equal(plen, 926);
    }
    m = pae(payload, plen, &mlen);
    assert_int_equal(brinei_verify(ctx, k, brinei_key_curve_hash(k), m, mlen,
                                   sig, siglen), BRINE_OK);
    /* one byte of the payload */
    m[mlen - plen + plen / 2] ^= 0x01;
    assert_fails(ctx, brinei_verify(ctx, k, BRINEI_SHA384, m, mlen, sig,
                                    siglen), BRINE_E_BADSIG);
    m[mlen - plen + plen / 2] ^= 0x01;
    /* the right key and bytes under SHA-256 (the v0.2 compat digest) */
    assert_fails(ctx, brinei_verify(ctx, k, BRINEI_SHA256, m, mlen, sig,
                                    siglen), BRINE_E_BADSIG);
    free(m);
    brinei_free(ctx, payload);
    brinei_free(ctx, sig);
    brinei_key_free(certkey);
    json_decref(b);
  }
  brinei_key_free(pub);
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  brine_ctx_free(ctx);
}

/* ---- certificates ---- */

static struct brinei_cert *load_one(struct brine_ctx *ctx, const char *path)
{
  struct brinei_cert **v = NULL, *c;
  size_t n = 0;
  assert_int_equal(brinei_cert_load_pem(ctx, path, &v, &n), BRINE_OK);
  assert_int_equal(n, 1);
  c = v[0];
  brinei_free(ctx, v);
  return c;
}

static void test_cert_chain(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_cert *leaf, *inter, *root;
  struct brinei_key *k, *pub;
  char subj[128];
  (void)state;
  leaf = load_one(ctx, OMSKEYS "signing-key-cert.pem");
  inter = load_one(ctx, OMSKEYS "int-ca-cert.pem");
  root = load_one(ctx, OMSKEYS "ca-cert.pem");
  assert_int_equal(brinei_cert_not_before(leaf), LEAF_NB);
  assert_int_equal(brinei_cert_not_after(leaf), LEAF_NA);
  brinei_cert_subject(leaf, subj, sizeof(subj));
  assert_string_equal(subj, "CN=intermediate-ca");
  brinei_cert_subject(root, subj, sizeof(subj));
  assert_string_equal(subj, "CN=root-ca");
  brinei_cert_subject(root, subj, 5);
  assert_string_equal(subj, "CN=r");
  assert_int_equal(brinei_cert_key(ctx, leaf, &k), BRINE_OK);
  assert_int_equal(brinei_key_load_public(ctx, OMSKEYS "signing-key-pub.pem",
                                          &pub), BRINE_OK);
  assert_true(brinei_key_equal(k, pub));
  brinei_key_free(pub);
  brinei_key_free(k);
  assert_int_equal(brinei_cert_key(ctx, root, &k), BRINE_OK);
  assert_string_equal(brinei_key_describe(k), "RSA-3072");
  brinei_key_free(k);

  /* Python's check: the chain at the leaf's notBefore */
  assert_int_equal(brinei_cert_verify(ctx, leaf, &inter, 1, &root, 1,
                                      LEAF_NB, BRINEI_USE_SIGN), BRINE_OK);
  assert_int_equal(brinei_cert_verify(ctx, leaf, &inter, 1, &root, 1,
                                      LEAF_NB, BRINEI_USE_CODESIGN),
                   BRINE_OK);
  /* the intermediate as the anchor: a partial chain */
  assert_int_equal(brinei_cert_verify(ctx, leaf, NULL, 0, &inter, 1, LEAF_NB,
                                      BRINEI_USE_SIGN), BRINE_OK);
  /* both in the anchors */
  {
    struct brinei_cert *both[2] = { root, inter };
    assert_int_equal(brinei_cert_verify(ctx, leaf, NULL, 0, both, 2,
                                        LEAF_NA - 1, BRINEI_USE_SIGN),
                     BRINE_OK);
  }
  /* no intermediate */
  assert_fails(ctx, brinei_cert_verify(ctx, leaf, NULL, 0, &root, 1, LEAF_NB,
                                       BRINEI_USE_SIGN), BRINE_E_BADSIG);
  assert_msg_has(ctx, "certificate chain: unable to get local issuer "
                      "certificate (depth 0)");
  /* no anchor at all; the root only as an untrusted certificate */
  {
    struct brinei_cert *unt[2] = { inter, root };
    assert_fails(ctx, brinei_cert_verify(ctx, leaf, unt, 2, NULL, 0,
                                         LEAF_NB, BRINEI_USE_SIGN),
                 BRINE_E_BADSIG);
  }
  /* a year after notAfter; a second before notBefore */
  assert_fails(ctx, brinei_cert_verify(ctx, leaf, &inter, 1, &root, 1,
                                       LEAF_NA + 365 * 86400,
                                       BRINEI_USE_SIGN), BRINE_E_BADSIG);
  assert_msg_has(ctx, "certificate has expired (depth");
  assert_fails(ctx, brinei_cert_verify(ctx, leaf, &inter, 1, &root, 1,
                                       LEAF_NB - 1, BRINEI_USE_SIGN),
               BRINE_E_BADSIG);
  assert_msg_has(ctx, "not yet valid");
  /* the intermediate as a leaf validates as a chain, but its KU is
     keyCertSign only and it has no EKU */
  assert_int_equal(brinei_cert_verify(ctx, inter, NULL, 0, &root, 1, LEAF_NB,
                                      0), BRINE_OK);
  assert_fails(ctx, brinei_cert_verify(ctx, inter, NULL, 0, &root, 1,
                                       LEAF_NB, BRINEI_USE_SIGN),
               BRINE_E_BADSIG);
  assert_msg_has(ctx, "digitalSignature");
  assert_fails(ctx, brinei_cert_verify(ctx, inter, NULL, 0, &root, 1,
                                       LEAF_NB, BRINEI_USE_CODESIGN),
               BRINE_E_BADSIG);
  assert_msg_has(ctx, "codeSigning");
  /* a leaf signed by someone else: the root does not sign the leaf */
  assert_fails(ctx, brinei_cert_verify(ctx, root, NULL, 0, &inter, 1,
                                       LEAF_NB, 0), BRINE_E_BADSIG);
  brinei_cert_free(leaf);
  brinei_cert_free(inter);
  brinei_cert_free(root);
  brinei_cert_free(NULL);
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  brine_ctx_free(ctx);
}

static json_t *bundle_certs(const char *path, json_t **root)
{
  json_error_t jerr;
  *root = json_load_file(path, 0, &jerr);
  assert_non_null(*root);
  return json_object_get(*root, "verificationMaterial");
}

/* The chain carried in a real certificate bundle. */
static void test_cert_bundle(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_cert *leaf, *inter, *root, *pemleaf;
  json_t *b, *vm = bundle_certs(OMS "v1.1.0-certificate/model.sig", &b);
  json_t *certs = json_object_get(json_object_get(vm,
                                  "x509CertificateChain"), "certificates");
  uint8_t *d0, *d1;
  size_t n0, n1, n;
  const uint8_t *der;
  (void)state;
  assert_int_equal(json_array_size(certs), 2);
  b64_field(ctx, json_object_get(json_array_get(certs, 0), "rawBytes"), &d0,
            &n0);
  b64_field(ctx, json_object_get(json_array_get(certs, 1), "rawBytes"), &d1,
            &n1);
  assert_int_equal(brinei_cert_parse_der(ctx, d0, n0, &leaf), BRINE_OK);
  assert_int_equal(brinei_cert_parse_der(ctx, d1, n1, &inter), BRINE_OK);
  root = load_one(ctx, OMSKEYS "ca-cert.pem");
  /* DER kept byte for byte, equal to the PEM file's certificate */
  der = brinei_cert_der(leaf, &n);
  assert_int_equal(n, n0);
  assert_memory_equal(der, d0, n0);
  pemleaf = load_one(ctx, OMSKEYS "signing-key-cert.pem");
  der = brinei_cert_der(pemleaf, &n);
  assert_int_equal(n, n0);
  assert_memory_equal(der, d0, n0);
  assert_int_equal(brinei_cert_verify(ctx, leaf, &inter, 1, &root, 1,
                                      brinei_cert_not_before(leaf),
                                      BRINEI_USE_SIGN), BRINE_OK);
  /* DER with a trailing byte, truncated, or not a certificate */
  d0 = brinei_realloc(ctx, d0, n0 + 1);
  assert_non_null(d0);
  d0[n0] = 0;
  {
    struct brinei_cert *c = NULL;
    assert_fails(ctx, brinei_cert_parse_der(ctx, d0, n0 + 1, &c),
                 BRINE_E_MALFORMED);
    assert_fails(ctx, brinei_cert_parse_der(ctx, d0, n0 - 1, &c),
                 BRINE_E_MALFORMED);
    assert_fails(ctx, brinei_cert_parse_der(ctx, d0 + 1, n0 - 1, &c),
                 BRINE_E_MALFORMED);
    assert_fails(ctx, brinei_cert_parse_der(ctx, d0, 0, &c),
                 BRINE_E_MALFORMED);
    assert_null(c);
  }
  brinei_free(ctx, d0);
  brinei_free(ctx, d1);
  brinei_cert_free(leaf);
  brinei_cert_free(inter);
  brinei_cert_free(root);
  brinei_cert_free(pemleaf);
  json_decref(b);
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  brine_ctx_free(ctx);
}

/* A Fulcio leaf (Sigstore keyless, 10-minute validity, empty subject). */
static void test_cert_fulcio(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  json_t *b, *vm = bundle_certs(OMS "v1.1.0-sigstore/model.sig", &b);
  struct brinei_cert *leaf;
  struct brinei_key *k;
  uint8_t *der;
  size_t n;
  time_t nb;
  char subj[64];
  (void)state;
  b64_field(ctx, json_object_get(json_object_get(vm, "certificate"),
                                 "rawBytes"), &der, &n);
  assert_int_equal(brinei_cert_parse_der(ctx, der, n, &leaf), BRINE_OK);
  nb = brinei_cert_not_before(leaf);
  /* openssl x509 -dates: Oct 10 02:12:19 2025 GMT .. 02:22:19 */
  assert_int_equal(nb, (time_t)1760062339);
  assert_int_equal(brinei_cert_not_after(leaf) - nb, 600);
  brinei_cert_subject(leaf, subj, sizeof(subj));
  assert_string_equal(subj, "");
  assert_int_equal(brinei_cert_key(ctx, leaf, &k), BRINE_OK);
  assert_int_equal(brinei_key_type(k), BRINEI_KEY_EC_P256);
  brinei_key_free(k);
  /* itself as the anchor: KU digitalSignature and EKU codeSigning */
  assert_int_equal(brinei_cert_verify(ctx, leaf, NULL, 0, &leaf, 1, nb + 60,
                                      BRINEI_USE_SIGN | BRINEI_USE_CODESIGN),
                   BRINE_OK);
  assert_fails(ctx, brinei_cert_verify(ctx, leaf, NULL, 0, &leaf, 1,
                                       nb + 601, BRINEI_USE_CODESIGN),
               BRINE_E_BADSIG);
  assert_msg_has(ctx, "expired");
  assert_fails(ctx, brinei_cert_verify(ctx, leaf, NULL, 0, NULL, 0, nb + 60,
                                       BRINEI_USE_CODESIGN), BRINE_E_BADSIG);
  brinei_cert_free(leaf);
  brinei_free(ctx, der);
  json_decref(b);
  brine_ctx_free(ctx);
}

static void test_cert_pem_files(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_cert **v = NULL;
  size_t n = 0, alen, blen;
  char tmp[] = "/tmp/brine-test-certs-XXXXXX";
  uint8_t *a = slurp(OMSKEYS "int-ca-cert.pem", &alen);
  uint8_t *b = slurp(OMSKEYS "ca-cert.pem", &blen);
  uint8_t *kk;
  size_t klen;
  int fd = mkstemp(tmp);
  FILE *f;
  char subj[64];
  (void)state;
  assert_true(fd >= 0);
  f = fdopen(fd, "wb");
  assert_non_null(f);
  /* two certificates with a private key between them */
  kk = slurp(KEYS "ec-p256.pem", &klen);
  fwrite(a, 1, alen, f);
  fwrite(kk, 1, klen, f);
  fwrite(b, 1, blen, f);
  fclose(f);
  assert_int_equal(brinei_cert_load_pem(ctx, tmp, &v, &n), BRINE_OK);
  assert_int_equal(n, 2);
  brinei_cert_subject(v[0], subj, sizeof(subj));
  assert_string_equal(subj, "CN=intermediate-ca");
  brinei_cert_subject(v[1], subj, sizeof(subj));
  assert_string_equal(subj, "CN=root-ca");
  brinei_certs_free(ctx, v, n);
  /* a damaged second certificate */
  f = fopen(tmp, "wb");
  assert_non_null(f);
  fwrite(a, 1, alen, f);
  fputs("-----BEGIN CERTIFICATE-----\nMIIB!!!!\n-----END CERTIFICATE-----\n",
        f);
  fclose(f);
  assert_fails(ctx, brinei_cert_load_pem(ctx, tmp, &v, &n),
               BRINE_E_MALFORMED);
  unlink(tmp);
  /* no certificate; no file */
  assert_fails(ctx, brinei_cert_load_pem(ctx, OMSKEYS "signing-key-pub.pem",
                                         &v, &n), BRINE_E_MALFORMED);
  assert_fails(ctx, brinei_cert_load_pem(ctx, OMSKEYS "nothing.pem", &v, &n),
               BRINE_E_IO);
  brinei_certs_free(ctx, NULL, 0);
  free(a);
  free(b);
  free(kk);
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  brine_ctx_free(ctx);
}

/* ---- RFC 3339 ---- */

static void test_rfc3339(void **state)
{
  static const struct { const char *s; time_t t; } good[] = {
    /* calendar.timegm(...) */
    { "2021-01-12T11:53:27Z", 1610452407 },
    { "2021-01-12T11:53:27.000Z", 1610452407 },
    { "2022-10-31T23:59:59.999Z", 1667260799 },
    { "2022-10-31t23:59:59.123456789z", 1667260799 },
    { "1970-01-01T00:00:00Z", 0 },
    { "2024-02-29T23:30:00-05:30", 1709269200 },
    { "2024-03-01T05:00:00+00:00", 1709269200 },
    { "2016-12-31T23:59:60Z", 1483228800 },   /* leap second */
    { "2100-02-28T00:00:00Z", 4107456000 },
  };
  static const char *const bad[] = {
    "2021-13-01T00:00:00Z", "garbage", "2021-01-12T11:53:27",
    "2021-01-12 11:53:27Z", "2021-01-12T11:53:27.Z", "2021-02-29T00:00:00Z",
    "2100-02-29T00:00:00Z", "2021-04-31T00:00:00Z", "2021-01-00T00:00:00Z",
    "2021-01-12T24:00:00Z", "2021-01-12T11:60:00Z", "2021-01-12T11:53:61Z",
    "2021-01-12T11:53:27Z ", "2021-1-12T11:53:27Z", "21-01-12T11:53:27Z",
    "2021-01-12T11:53:27+0100", "2021-01-12T11:53:27+24:00", "",
    "2021-01-12T11:53:27ZZ", "+021-01-12T11:53:27Z",
  };
  time_t t;
  (void)state;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(good); i++) {
    t = -42;
    if(!brinei_parse_rfc3339(good[i].s, &t))
      fail_msg("rejected %s", good[i].s);
    assert_int_equal(t, good[i].t);
  }
  for(size_t i = 0; i < BRINE_ARRAY_LEN(bad); i++) {
    t = -42;
    if(brinei_parse_rfc3339(bad[i], &t))
      fail_msg("accepted %s", bad[i]);
    assert_int_equal(t, -42);
  }
}

/* ---- out of memory is a result ---- */

static void test_oom(void **state)
{
  struct brine_ctx *ctx = new_ctx();
  struct brinei_key *priv, *pub;
  struct brinei_cert **v;
  uint8_t *out, *sig;
  size_t n;
  char *pem;
  (void)state;
  load_pair(ctx, "ec-p256", &priv, &pub);
  brine_ctx_fail_alloc_after(ctx, 1);
  assert_fails(ctx, brinei_b64_decode(ctx, "Zm9v", 4, false, &out, &n),
               BRINE_E_NOMEM);
  brine_ctx_fail_alloc_after(ctx, 1);
  assert_null(brinei_b64_encode(ctx, (const uint8_t *)"foo", 3));
  assert_int_equal(brine_last_error(ctx)->code, BRINE_E_NOMEM);
  brine_ctx_fail_alloc_after(ctx, 1);
  assert_fails(ctx, brinei_key_public_pem(ctx, pub, &pem, &n),
               BRINE_E_NOMEM);
  brine_ctx_fail_alloc_after(ctx, 1);
  assert_fails(ctx, brinei_key_public_der(ctx, pub, &out, &n),
               BRINE_E_NOMEM);
  brine_ctx_fail_alloc_after(ctx, 1);
  assert_fails(ctx, brinei_sign(ctx, priv, BRINEI_SHA256, "x", 1, &sig, &n),
               BRINE_E_NOMEM);
  /* the certificate array is the first allocation after the mapping */
  brine_ctx_fail_alloc_after(ctx, 1);
  assert_fails(ctx, brinei_cert_load_pem(ctx, OMSKEYS "ca-cert.pem", &v, &n),
               BRINE_E_NOMEM);
  brine_ctx_fail_alloc_after(ctx, 0);
  brinei_key_free(priv);
  brinei_key_free(pub);
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  brine_ctx_free(ctx);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_hash_names),
    cmocka_unit_test(test_digest_oneshot),
    cmocka_unit_test(test_digest_stream),
    cmocka_unit_test(test_digest_threads),
    cmocka_unit_test(test_hex),
    cmocka_unit_test(test_b64_vectors),
    cmocka_unit_test(test_b64_roundtrip),
    cmocka_unit_test(test_b64_rejects),
    cmocka_unit_test(test_oms_keys),
    cmocka_unit_test(test_key_types_pem),
    cmocka_unit_test(test_key_load_errors),
    cmocka_unit_test(test_sign_verify),
    cmocka_unit_test(test_verify_openssl_made),
    cmocka_unit_test(test_verify_oms_goldens),
    cmocka_unit_test(test_cert_chain),
    cmocka_unit_test(test_cert_bundle),
    cmocka_unit_test(test_cert_fulcio),
    cmocka_unit_test(test_cert_pem_files),
    cmocka_unit_test(test_rfc3339),
    cmocka_unit_test(test_oom),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
