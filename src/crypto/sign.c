/* Signing and signature verification with EVP_DigestSign/EVP_DigestVerify.
 *
 * SPEC: ECDSA signatures are DER ECDSA-Sig-Value (RFC 5480 §2.2 / SEC1
 * 4.1.3) over the chosen digest, as model_signing writes them
 * (reference/signing.md §1.4); Ed25519 is pure EdDSA (RFC 8032 §5.1, no
 * prehash); RSA is PKCS#1 v1.5 (RFC 8017 §8.2), as Sigstore's
 * PKIX_RSA_PKCS1V15_* key details. Any verification failure, including an
 * undecodable signature, is BRINE_E_BADSIG: it fails closed either way,
 * and only a failure to set up the operation is BRINE_E_CRYPTO. */
#include "../internal.h"
#include "crypto_int.h"

#include <openssl/err.h>
#include <openssl/rsa.h>

/* The EVP_MD for a signature with key k over digest h: NULL for Ed25519
   (pure), refused for key types brine does not sign or verify with. */
static brine_result pick_md(struct brine_ctx *ctx, const struct brinei_key *k,
                            enum brinei_hash h, bool prehashed,
                            const EVP_MD **md)
{
  *md = NULL;
  switch(k->type) {
  case BRINEI_KEY_ED25519:
    if(prehashed)
      return BRINE_FAIL(ctx, BRINE_E_UNSUPPORTED, BRINE_NOOFF,
                        "Ed25519 cannot verify a precomputed digest");
    return BRINE_OK;
  case BRINEI_KEY_EC_P256:
  case BRINEI_KEY_EC_P384:
  case BRINEI_KEY_EC_P521:
  case BRINEI_KEY_RSA:
    break;
  case BRINEI_KEY_OTHER:
  default:
    return BRINE_FAIL(ctx, BRINE_E_UNSUPPORTED, BRINE_NOOFF,
                      "%s: not supported for signatures", k->desc);
  }
  /* ECDSA and PKCS#1 v1.5 are defined over SHA-2 here; OpenSSL refuses
     BLAKE2 for both */
  if(h != BRINEI_SHA256 && h != BRINEI_SHA384 && h != BRINEI_SHA512)
    return BRINE_FAIL(ctx, BRINE_E_INVALID, BRINE_NOOFF,
                      "%s signatures over %s are not supported", k->desc,
                      brinei_hash_name(h));
  *md = brinei_evp_md(h);
  if(!*md)
    return BRINE_FAIL(ctx, BRINE_E_CRYPTO, BRINE_NOOFF,
                      "digest %s is not available in libcrypto",
                      brinei_hash_name(h));
  return BRINE_OK;
}

static bool set_padding(const struct brinei_key *k, EVP_PKEY_CTX *pctx)
{
  return k->type != BRINEI_KEY_RSA ||
         EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0;
}

brine_result brinei_sign(struct brine_ctx *ctx, const struct brinei_key *k,
                         enum brinei_hash h, const void *msg, size_t n,
                         uint8_t **sig, size_t *siglen)
{
  EVP_MD_CTX *mc = NULL;
  EVP_PKEY_CTX *pctx = NULL;
  const EVP_MD *md;
  uint8_t *buf = NULL;
  size_t len = 0;
  brine_result rc;
  if(!k->priv)
    return BRINE_FAIL(ctx, BRINE_E_INVALID, BRINE_NOOFF,
                      "cannot sign with a public key");
  rc = pick_md(ctx, k, h, false, &md);
  if(rc)
    return rc;
  mc = EVP_MD_CTX_new();
  /* first call with no buffer: the largest signature size */
  if(!mc || EVP_DigestSignInit(mc, &pctx, md, NULL, k->pk) != 1 ||
     !set_padding(k, pctx) || EVP_DigestSign(mc, NULL, &len, msg, n) != 1) {
    rc = BRINEI_OSSL_FAIL(ctx, BRINE_E_CRYPTO, "%s: cannot sign", k->desc);
    goto out;
  }
  buf = brinei_malloc(ctx, len ? len : 1);
  if(!buf) {
    rc = BRINE_FAIL(ctx, BRINE_E_NOMEM, BRINE_NOOFF,
                    "out of memory for a %zu-byte signature", len);
    goto out;
  }
  if(EVP_DigestSign(mc, buf, &len, msg, n) != 1) {
    rc = BRINEI_OSSL_FAIL(ctx, BRINE_E_CRYPTO, "%s: signing failed",
                          k->desc);
    goto out;
  }
  *sig = buf;
  *siglen = len;
  buf = NULL;
out:
  brinei_free(ctx, buf);
  EVP_MD_CTX_free(mc);
  ERR_clear_error();
  return rc;
}

brine_result brinei_verify(struct brine_ctx *ctx, const struct brinei_key *k,
                           enum brinei_hash h, const void *msg, size_t n,
                           const uint8_t *sig, size_t siglen)
{
  static const uint8_t none[1];
  EVP_MD_CTX *mc;
  EVP_PKEY_CTX *pctx = NULL;
  const EVP_MD *md;
  int r;
  brine_result rc = pick_md(ctx, k, h, false, &md);
  if(rc)
    return rc;
  if(!sig || !siglen) {
    sig = none;
    siglen = 0;
  }
  mc = EVP_MD_CTX_new();
  if(!mc || EVP_DigestVerifyInit(mc, &pctx, md, NULL, k->pk) != 1 ||
     !set_padding(k, pctx)) {
    EVP_MD_CTX_free(mc);
    return BRINEI_OSSL_FAIL(ctx, BRINE_E_CRYPTO,
                            "%s: cannot set up verification", k->desc);
  }
  /* 1 valid, 0 invalid, <0 undecodable (e.g. not strict DER): all but 1
     reject */
  r = EVP_DigestVerify(mc, sig, siglen, msg, n);
  EVP_MD_CTX_free(mc);
  ERR_clear_error();
  if(r != 1)
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "signature does not verify with the %s key", k->desc);
  return BRINE_OK;
}

brine_result brinei_verify_digest(struct brine_ctx *ctx,
                                  const struct brinei_key *k,
                                  enum brinei_hash h, const uint8_t *dig,
                                  const uint8_t *sig, size_t siglen)
{
  static const uint8_t none[1];
  EVP_PKEY_CTX *pctx;
  const EVP_MD *md;
  int r;
  brine_result rc = pick_md(ctx, k, h, true, &md);
  if(rc)
    return rc;
  if(!sig || !siglen) {
    sig = none;
    siglen = 0;
  }
  pctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pk, NULL);
  if(!pctx || EVP_PKEY_verify_init(pctx) != 1 ||
     EVP_PKEY_CTX_set_signature_md(pctx, md) <= 0 || !set_padding(k, pctx)) {
    EVP_PKEY_CTX_free(pctx);
    return BRINEI_OSSL_FAIL(ctx, BRINE_E_CRYPTO,
                            "%s: cannot set up verification", k->desc);
  }
  r = EVP_PKEY_verify(pctx, sig, siglen, dig, brinei_hash_len(h));
  EVP_PKEY_CTX_free(pctx);
  ERR_clear_error();
  if(r != 1)
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "signature does not verify with the %s key", k->desc);
  return BRINE_OK;
}
