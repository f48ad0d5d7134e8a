/* Public and private keys: PEM/DER loading, type and curve, the exported
 * forms (PEM and DER SubjectPublicKeyInfo) and the fingerprints built on
 * them.
 *
 * SPEC: OMS key hint = lowercase hex SHA-256 of the PEM SubjectPublicKeyInfo
 * text as PEM_write_bio_PUBKEY writes it (reference/signing.md §1.7);
 * Sigstore/cosign key id = SHA-256 of the DER SPKI (contract.md §7);
 * curve -> hash pairing P-256/SHA-256, P-384/SHA-384, P-521/SHA-512
 * (signing.md §1.4, model_signing get_ec_key_hash). */
#include "../internal.h"
#include "crypto_int.h"

#include <limits.h>
#include <stdio.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

static enum brinei_keytype classify(EVP_PKEY *pk)
{
  char grp[64];
  if(EVP_PKEY_is_a(pk, "ED25519"))
    return BRINEI_KEY_ED25519;
  if(EVP_PKEY_is_a(pk, "RSA"))
    return BRINEI_KEY_RSA;
  /* named curves only: a key with explicit parameters has no group name */
  if(EVP_PKEY_is_a(pk, "EC") &&
     EVP_PKEY_get_group_name(pk, grp, sizeof(grp), NULL) == 1) {
    if(!strcmp(grp, "prime256v1") || !strcmp(grp, "P-256"))
      return BRINEI_KEY_EC_P256;
    if(!strcmp(grp, "secp384r1") || !strcmp(grp, "P-384"))
      return BRINEI_KEY_EC_P384;
    if(!strcmp(grp, "secp521r1") || !strcmp(grp, "P-521"))
      return BRINEI_KEY_EC_P521;
  }
  return BRINEI_KEY_OTHER;
}

brine_result brinei_key_wrap(struct brine_ctx *ctx, EVP_PKEY *pk, bool priv,
                             struct brinei_key **out)
{
  struct brinei_key *k = OPENSSL_zalloc(sizeof(*k));
  const char *tn;
  if(!k) {
    EVP_PKEY_free(pk);
    return BRINEI_OSSL_FAIL(ctx, BRINE_E_NOMEM, "out of memory for a key");
  }
  k->pk = pk;
  k->priv = priv;
  k->type = classify(pk);
  switch(k->type) {
  case BRINEI_KEY_EC_P256:
    snprintf(k->desc, sizeof(k->desc), "ECDSA P-256");
    break;
  case BRINEI_KEY_EC_P384:
    snprintf(k->desc, sizeof(k->desc), "ECDSA P-384");
    break;
  case BRINEI_KEY_EC_P521:
    snprintf(k->desc, sizeof(k->desc), "ECDSA P-521");
    break;
  case BRINEI_KEY_ED25519:
    snprintf(k->desc, sizeof(k->desc), "Ed25519");
    break;
  case BRINEI_KEY_RSA:
    snprintf(k->desc, sizeof(k->desc), "RSA-%d", EVP_PKEY_get_bits(pk));
    break;
  case BRINEI_KEY_OTHER:
    tn = EVP_PKEY_get0_type_name(pk);
    snprintf(k->desc, sizeof(k->desc), "unsupported key (%s)",
             tn ? tn : "unknown type");
    break;
  }
  ERR_clear_error();
  *out = k;
  return BRINE_OK;
}

void brinei_key_free(struct brinei_key *k)
{
  if(!k)
    return;
  EVP_PKEY_free(k->pk);
  OPENSSL_free(k);
}

/* Read a whole (small) PEM file: a private key when priv, else a public
   key. */
static brine_result load_file(struct brine_ctx *ctx, const char *path,
                              const char *password, bool priv,
                              struct brinei_key **out)
{
  struct brinei_map m;
  EVP_PKEY *pk;
  BIO *bio;
  brine_result rc = brinei_map_file(ctx, path, &m);
  if(rc)
    return rc;
  bio = brinei_mem_bio(ctx, m.data, m.len, path);
  if(!bio) {
    brinei_map_close(&m);
    return ctx->err.code;
  }
  if(priv)
    pk = PEM_read_bio_PrivateKey(bio, NULL, brinei_pem_password,
                                 (void *)(uintptr_t)password);
  else
    pk = PEM_read_bio_PUBKEY(bio, NULL, brinei_pem_password, NULL);
  BIO_free(bio);
  brinei_map_close(&m);
  if(!pk)
    return BRINEI_OSSL_FAIL(ctx, BRINE_E_MALFORMED,
                            priv ? "%s: not a PEM private key, or the "
                                   "password is wrong or missing"
                                 : "%s: not a PEM public key", path);
  return brinei_key_wrap(ctx, pk, priv, out);
}

brine_result brinei_key_load_private(struct brine_ctx *ctx, const char *path,
                                     const char *password,
                                     struct brinei_key **out)
{
  return load_file(ctx, path, password, true, out);
}

brine_result brinei_key_load_public(struct brine_ctx *ctx, const char *path,
                                    struct brinei_key **out)
{
  return load_file(ctx, path, NULL, false, out);
}

brine_result brinei_key_parse_public_pem(struct brine_ctx *ctx,
                                         const uint8_t *pem, size_t n,
                                         struct brinei_key **out)
{
  BIO *bio = brinei_mem_bio(ctx, pem, n, "public key");
  EVP_PKEY *pk;
  if(!bio)
    return ctx->err.code;
  pk = PEM_read_bio_PUBKEY(bio, NULL, brinei_pem_password, NULL);
  BIO_free(bio);
  if(!pk)
    return BRINEI_OSSL_FAIL(ctx, BRINE_E_MALFORMED,
                            "not a PEM public key");
  return brinei_key_wrap(ctx, pk, false, out);
}

brine_result brinei_key_parse_public_der(struct brine_ctx *ctx,
                                         const uint8_t *der, size_t n,
                                         struct brinei_key **out)
{
  const unsigned char *p = der;
  EVP_PKEY *pk;
  if(!n || n > LONG_MAX)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "public key: %zu bytes of DER", n);
  pk = d2i_PUBKEY(NULL, &p, (long)n);
  if(!pk)
    return BRINEI_OSSL_FAIL(ctx, BRINE_E_MALFORMED,
                            "not a DER SubjectPublicKeyInfo");
  if(p != der + n) {
    EVP_PKEY_free(pk);
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, (uint64_t)(p - der),
                      "public key: %zu bytes after the DER structure",
                      n - (size_t)(p - der));
  }
  return brinei_key_wrap(ctx, pk, false, out);
}

enum brinei_keytype brinei_key_type(const struct brinei_key *k)
{
  return k->type;
}

const char *brinei_key_describe(const struct brinei_key *k)
{
  return k->desc;
}

enum brinei_hash brinei_key_curve_hash(const struct brinei_key *k)
{
  switch(k->type) {
  case BRINEI_KEY_EC_P384:
    return BRINEI_SHA384;
  case BRINEI_KEY_EC_P521:
    return BRINEI_SHA512;
  default:
    return BRINEI_SHA256;
  }
}

bool brinei_key_equal(const struct brinei_key *a, const struct brinei_key *b)
{
  bool eq = EVP_PKEY_eq(a->pk, b->pk) == 1;
  ERR_clear_error();  /* comparing different key types queues an error */
  return eq;
}

/* The PEM text in a memory BIO; *p borrowed from the BIO. */
static BIO *pem_bio(struct brine_ctx *ctx, const struct brinei_key *k,
                    const char **p, size_t *n)
{
  BIO *b = BIO_new(BIO_s_mem());
  char *data;
  long len;
  if(!b || PEM_write_bio_PUBKEY(b, k->pk) != 1 ||
     (len = BIO_get_mem_data(b, &data)) <= 0) {
    BIO_free(b);
    BRINEI_OSSL_FAIL(ctx, BRINE_E_CRYPTO,
                     "cannot write the public key as PEM");
    return NULL;
  }
  *p = data;
  *n = (size_t)len;
  return b;
}

brine_result brinei_key_public_pem(struct brine_ctx *ctx,
                                   const struct brinei_key *k, char **pem,
                                   size_t *len)
{
  const char *p;
  size_t n;
  char *s;
  BIO *b = pem_bio(ctx, k, &p, &n);
  if(!b)
    return ctx->err.code;
  s = brinei_strndup(ctx, p, n);
  BIO_free(b);
  if(!s)
    return BRINE_FAIL(ctx, BRINE_E_NOMEM, BRINE_NOOFF,
                      "out of memory for a PEM public key");
  *pem = s;
  *len = n;
  return BRINE_OK;
}

brine_result brinei_key_public_der(struct brine_ctx *ctx,
                                   const struct brinei_key *k, uint8_t **der,
                                   size_t *len)
{
  int n = i2d_PUBKEY(k->pk, NULL);
  unsigned char *p;
  uint8_t *d;
  if(n <= 0)
    return BRINEI_OSSL_FAIL(ctx, BRINE_E_CRYPTO,
                            "cannot encode the public key as DER");
  d = brinei_malloc(ctx, (size_t)n);
  if(!d)
    return BRINE_FAIL(ctx, BRINE_E_NOMEM, BRINE_NOOFF,
                      "out of memory for a DER public key");
  p = d;
  if(i2d_PUBKEY(k->pk, &p) != n) {
    brinei_free(ctx, d);
    return BRINEI_OSSL_FAIL(ctx, BRINE_E_CRYPTO,
                            "cannot encode the public key as DER");
  }
  *der = d;
  *len = (size_t)n;
  return BRINE_OK;
}

brine_result brinei_key_hint(struct brine_ctx *ctx,
                             const struct brinei_key *k, char hex[65])
{
  uint8_t dig[32];
  const char *p;
  size_t n;
  brine_result rc;
  BIO *b = pem_bio(ctx, k, &p, &n);
  if(!b)
    return ctx->err.code;
  rc = brinei_digest(ctx, BRINEI_SHA256, p, n, dig);
  BIO_free(b);
  if(rc)
    return rc;
  brinei_hex(dig, sizeof(dig), hex);
  return BRINE_OK;
}

brine_result brinei_key_id(struct brine_ctx *ctx, const struct brinei_key *k,
                           uint8_t id[32])
{
  unsigned char *der = NULL;
  brine_result rc;
  int n = i2d_PUBKEY(k->pk, &der);
  if(n <= 0)
    return BRINEI_OSSL_FAIL(ctx, BRINE_E_CRYPTO,
                            "cannot encode the public key as DER");
  rc = brinei_digest(ctx, BRINEI_SHA256, der, (size_t)n, id);
  OPENSSL_free(der);
  return rc;
}
