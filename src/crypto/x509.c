/* X.509 certificates: DER and PEM loading, validity times, subject, and
 * chain validation against caller-given anchors at a caller-given time.
 *
 * SPEC: RFC 5280 §6 path validation (as OpenSSL's X509_verify_cert does
 * it); model_signing's certificate verifier (reference/signing.md §1.8):
 * every given chain certificate is an anchor, certificates[1:] are
 * untrusted intermediates, the time is the leaf's notBefore (chosen by the
 * caller), and the leaf must allow KU digitalSignature or EKU codeSigning.
 * No OpenSSL purpose is set: the golden OMS leaf is itself CA:TRUE with
 * EKU codeSigning, which X509_PURPOSE checks would judge differently; the
 * usage is checked here on the leaf alone after the chain validates. */
#include "../internal.h"
#include "crypto_int.h"

#include <limits.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#define MAX_PEM_CERTS 4096  /* a CA bundle holds ~150 */

static bool asn1_time(const ASN1_TIME *t, time_t *out)
{
  struct tm tm;
  memset(&tm, 0, sizeof(tm));
  if(!t || ASN1_TIME_to_tm(t, &tm) != 1)
    return false;
  *out = timegm(&tm);
  return true;
}

/* Wrap x (ownership passes, also on failure). */
static brine_result cert_wrap(struct brine_ctx *ctx, X509 *x,
                              struct brinei_cert **out)
{
  struct brinei_cert *c;
  unsigned char *der = NULL;
  time_t nb, na;
  int n;
  if(!asn1_time(X509_get0_notBefore(x), &nb) ||
     !asn1_time(X509_get0_notAfter(x), &na)) {
    X509_free(x);
    return BRINEI_OSSL_FAIL(ctx, BRINE_E_MALFORMED,
                            "certificate: invalid validity time");
  }
  n = i2d_X509(x, &der);
  c = n > 0 ? OPENSSL_zalloc(sizeof(*c)) : NULL;
  if(!c) {
    OPENSSL_free(der);
    X509_free(x);
    return BRINEI_OSSL_FAIL(ctx, n > 0 ? BRINE_E_NOMEM : BRINE_E_CRYPTO,
                            "certificate: cannot keep its encoding");
  }
  c->x = x;
  c->der = der;
  c->derlen = (size_t)n;
  c->not_before = nb;
  c->not_after = na;
  *out = c;
  return BRINE_OK;
}

brine_result brinei_cert_parse_der(struct brine_ctx *ctx, const uint8_t *der,
                                   size_t n, struct brinei_cert **out)
{
  const unsigned char *p = der;
  X509 *x;
  if(!n || n > LONG_MAX)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "certificate: %zu bytes of DER", n);
  x = d2i_X509(NULL, &p, (long)n);
  if(!x)
    return BRINEI_OSSL_FAIL(ctx, BRINE_E_MALFORMED,
                            "not a DER X.509 certificate");
  /* the bytes are the certificate, nothing more */
  if(p != der + n) {
    X509_free(x);
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, (uint64_t)(p - der),
                      "certificate: %zu bytes after the DER structure",
                      n - (size_t)(p - der));
  }
  return cert_wrap(ctx, x, out);
}

void brinei_cert_free(struct brinei_cert *c)
{
  if(!c)
    return;
  X509_free(c->x);
  OPENSSL_free(c->der);
  OPENSSL_free(c);
}

void brinei_certs_free(struct brine_ctx *ctx, struct brinei_cert **certs,
                       size_t n)
{
  if(!certs)
    return;
  for(size_t i = 0; i < n; i++)
    brinei_cert_free(certs[i]);
  brinei_free(ctx, certs);
}

/* After PEM_read_bio_X509 returns NULL: true when it only ran out of
   PEM blocks (the normal end), false for a damaged block. */
static bool pem_at_end(void)
{
  unsigned long e = ERR_peek_last_error();
  return ERR_GET_LIB(e) == ERR_LIB_PEM &&
         ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
}

brine_result brinei_cert_load_pem(struct brine_ctx *ctx, const char *path,
                                  struct brinei_cert ***certs, size_t *n)
{
  struct brinei_cert **arr = NULL;
  size_t cnt = 0, cap = 0;
  struct brinei_map m;
  brine_result rc;
  BIO *bio;
  rc = brinei_map_file(ctx, path, &m);
  if(rc)
    return rc;
  bio = brinei_mem_bio(ctx, m.data, m.len, path);
  if(!bio) {
    brinei_map_close(&m);
    return ctx->err.code;
  }
  for(;;) {
    /* skips blocks of other types (keys, CRLs) between certificates */
    X509 *x = PEM_read_bio_X509(bio, NULL, brinei_pem_password, NULL);
    void *p = arr;
    if(!x) {
      if(pem_at_end())
        ERR_clear_error();
      else
        rc = BRINEI_OSSL_FAIL(ctx, BRINE_E_MALFORMED,
                              "%s: certificate %zu is damaged", path,
                              cnt + 1);
      break;
    }
    rc = brinei_grow(ctx, &p, &cap, cnt + 1, sizeof(*arr), MAX_PEM_CERTS);
    if(rc) {
      X509_free(x);
      if(rc == BRINE_E_LIMIT)
        rc = BRINE_FAIL(ctx, rc, BRINE_NOOFF, "%s: more than %d certificates",
                        path, MAX_PEM_CERTS);
      else
        rc = BRINE_FAIL(ctx, rc, BRINE_NOOFF,
                        "%s: out of memory for certificate %zu", path,
                        cnt + 1);
      break;
    }
    arr = p;
    rc = cert_wrap(ctx, x, &arr[cnt]);
    if(rc) {
      rc = BRINE_FAIL(ctx, rc, BRINE_NOOFF, "%s: certificate %zu: %s", path,
                      cnt + 1, brine_strerror(rc));
      break;
    }
    cnt++;
  }
  BIO_free(bio);
  brinei_map_close(&m);
  if(!rc && !cnt)
    rc = BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                    "%s: no PEM CERTIFICATE block", path);
  if(rc) {
    brinei_certs_free(ctx, arr, cnt);
    return rc;
  }
  *certs = arr;
  *n = cnt;
  return BRINE_OK;
}

brine_result brinei_cert_parse_pem(struct brine_ctx *ctx, const uint8_t *pem,
                                   size_t n, struct brinei_cert **out)
{
  BIO *bio = brinei_mem_bio(ctx, pem, n, "certificate");
  X509 *x;
  brine_result rc;
  if(!bio)
    return ctx->err.code;
  x = PEM_read_bio_X509(bio, NULL, brinei_pem_password, NULL);
  BIO_free(bio);
  if(!x)
    return BRINEI_OSSL_FAIL(ctx, BRINE_E_MALFORMED,
                            "not a PEM certificate");
  rc = cert_wrap(ctx, x, out);
  return rc;
}

const uint8_t *brinei_cert_der(const struct brinei_cert *c, size_t *n)
{
  *n = c->derlen;
  return c->der;
}

brine_result brinei_cert_key(struct brine_ctx *ctx,
                             const struct brinei_cert *c,
                             struct brinei_key **out)
{
  EVP_PKEY *pk = X509_get_pubkey(c->x);  /* a new reference */
  if(!pk)
    return BRINEI_OSSL_FAIL(ctx, BRINE_E_MALFORMED,
                            "certificate: unusable subject public key");
  return brinei_key_wrap(ctx, pk, false, out);
}

time_t brinei_cert_not_before(const struct brinei_cert *c)
{
  return c->not_before;
}

time_t brinei_cert_not_after(const struct brinei_cert *c)
{
  return c->not_after;
}

void brinei_cert_subject(const struct brinei_cert *c, char *buf, size_t n)
{
  BIO *b;
  char *data;
  long len;
  size_t k = 0;
  if(!n)
    return;
  b = BIO_new(BIO_s_mem());
  /* RFC 2253 flags escape control and non-ASCII bytes: one ASCII line */
  if(b && X509_NAME_print_ex(b, X509_get_subject_name(c->x), 0,
                             XN_FLAG_RFC2253) >= 0 &&
     (len = BIO_get_mem_data(b, &data)) > 0) {
    k = (size_t)len < n - 1 ? (size_t)len : n - 1;
    memcpy(buf, data, k);
  }
  buf[k] = '\0';
  BIO_free(b);
  ERR_clear_error();
}

/* The leaf's usage, after the chain validated. */
static brine_result check_use(struct brine_ctx *ctx, X509 *leaf,
                              unsigned use)
{
  /* UINT32_MAX: the extension is absent (RFC 5280 §4.2.1.3: no limit) */
  uint32_t ku = X509_get_key_usage(leaf);
  uint32_t eku = X509_get_extended_key_usage(leaf);
  bool codesign = eku != UINT32_MAX && (eku & XKU_CODE_SIGN);
  if(X509_get_extension_flags(leaf) & EXFLAG_INVALID)
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "certificate chain: the leaf has invalid extensions");
  if((use & BRINEI_USE_CODESIGN) && !codesign)
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "certificate chain: the leaf lacks extended key usage "
                      "codeSigning");
  /* as model_signing: a leaf with neither extension is refused */
  if((use & BRINEI_USE_SIGN) && !codesign &&
     !(ku != UINT32_MAX && (ku & KU_DIGITAL_SIGNATURE)))
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "certificate chain: the leaf allows neither "
                      "digitalSignature nor codeSigning");
  return BRINE_OK;
}

brine_result brinei_cert_verify(struct brine_ctx *ctx,
                                const struct brinei_cert *leaf,
                                struct brinei_cert *const *untrusted,
                                size_t n_untrusted,
                                struct brinei_cert *const *anchors,
                                size_t n_anchors, time_t at, unsigned use)
{
  X509_STORE *store = X509_STORE_new();
  STACK_OF(X509) *unt = sk_X509_new_null();
  X509_STORE_CTX *sc = X509_STORE_CTX_new();
  X509_VERIFY_PARAM *vp;
  brine_result rc = BRINE_OK;
  int err, depth;
  if(!store || !unt || !sc) {
    rc = BRINEI_OSSL_FAIL(ctx, BRINE_E_NOMEM,
                          "certificate chain: out of memory");
    goto out;
  }
  /* no default paths: only the anchors given are trusted */
  for(size_t i = 0; i < n_anchors; i++) {
    if(X509_STORE_add_cert(store, anchors[i]->x) != 1) {
      rc = BRINEI_OSSL_FAIL(ctx, BRINE_E_CRYPTO,
                            "certificate chain: cannot add anchor %zu", i);
      goto out;
    }
  }
  for(size_t i = 0; i < n_untrusted; i++) {
    if(!sk_X509_push(unt, untrusted[i]->x)) {  /* borrowed, not up-ref'd */
      rc = BRINEI_OSSL_FAIL(ctx, BRINE_E_NOMEM,
                            "certificate chain: out of memory");
      goto out;
    }
  }
  if(X509_STORE_CTX_init(sc, store, leaf->x, unt) != 1) {
    rc = BRINEI_OSSL_FAIL(ctx, BRINE_E_CRYPTO,
                          "certificate chain: cannot set up verification");
    goto out;
  }
  vp = X509_STORE_CTX_get0_param(sc);
  /* an anchor need not be self-signed; the time is the caller's, never
     the wall clock */
  X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_PARTIAL_CHAIN);
  X509_VERIFY_PARAM_set_time(vp, at);
  if(X509_verify_cert(sc) != 1) {
    err = X509_STORE_CTX_get_error(sc);
    depth = X509_STORE_CTX_get_error_depth(sc);
    if(err == X509_V_ERR_OUT_OF_MEM)
      rc = BRINE_E_NOMEM;
    else if(err == X509_V_OK || err == X509_V_ERR_UNSPECIFIED)
      rc = BRINE_E_CRYPTO;  /* OpenSSL failed; nothing was judged */
    else
      rc = BRINE_E_BADSIG;
    rc = BRINE_FAIL(ctx, rc, BRINE_NOOFF, "certificate chain: %s (depth %d)",
                    X509_verify_cert_error_string(err), depth);
    goto out;
  }
  rc = check_use(ctx, leaf->x, use);
out:
  ERR_clear_error();
  X509_STORE_CTX_free(sc);
  sk_X509_free(unt);
  X509_STORE_free(store);
  return rc;
}
