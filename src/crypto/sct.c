/* Signed certificate timestamps embedded in a Fulcio certificate, checked
 * offline against the trusted root's CT logs.
 *
 * SPEC: RFC 6962 §3.2 (SignedCertificateTimestamp, the digitally-signed
 * precert_entry data), §3.3 (the SignedCertificateTimestampList inside
 * extension 1.3.6.1.4.1.11129.2.4.2, an OCTET STRING around the TLS
 * encoding), RFC 5246 §4.7 (digitally-signed: HashAlgorithm sha256(4),
 * sha384(5), sha512(6); SignatureAlgorithm rsa(1), ecdsa(3)); Sigstore
 * client-spec §4.3 and reference/signing.md §2.3 step 3: the log chosen by
 * log id, valid at the SCT time, extensions signed as given (conformance
 * bundle-with-sct-with-extensions). The list is parsed here rather than by
 * OpenSSL's CT code so that every length is checked against its parent
 * and an SCT of an unknown version is skipped, not fatal (RFC 6962 §3.2:
 * clients ignore versions they do not know). */
#include "../internal.h"
#include "crypto_int.h"
#include "sigstore_x509.h"

#include <limits.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#define LOG_ID_LEN 32

/* One SCT v1, its fields pointing into the list. */
struct sct {
  const uint8_t *log_id;  /* LOG_ID_LEN bytes */
  uint64_t ts_ms;
  const uint8_t *ext;
  size_t ext_len;
  uint8_t hash_alg, sig_alg;
  const uint8_t *sig;
  size_t sig_len;
};

/* A bounded reader over TLS-encoded bytes. */
struct rd {
  const uint8_t *p;
  size_t n;
};

static bool rd_bytes(struct rd *r, size_t k, const uint8_t **out)
{
  if(r->n < k)
    return false;
  *out = r->p;
  r->p += k;
  r->n -= k;
  return true;
}

static bool rd_uint(struct rd *r, size_t k, uint64_t *v)
{
  const uint8_t *b;
  if(!rd_bytes(r, k, &b))
    return false;
  *v = 0;
  for(size_t i = 0; i < k; i++)
    *v = *v << 8 | b[i];
  return true;
}

/* opaque x<lo..2^(8k)-1> */
static bool rd_vec(struct rd *r, size_t k, size_t lo, const uint8_t **out,
                   size_t *len)
{
  uint64_t v;
  if(!rd_uint(r, k, &v) || v < lo || !rd_bytes(r, (size_t)v, out))
    return false;
  *len = (size_t)v;
  return true;
}

/* One SerializedSCT: false when it is damaged, *known false when its
   version is not v1 (skipped). */
static bool parse_sct(const uint8_t *p, size_t n, struct sct *s, bool *known)
{
  struct rd r = {p, n};
  uint64_t v;
  *known = false;
  if(!rd_uint(&r, 1, &v))
    return false;
  if(v != 0)
    return true;  /* a later version: its layout is unknown */
  *known = true;
  if(!rd_bytes(&r, LOG_ID_LEN, &s->log_id) || !rd_uint(&r, 8, &s->ts_ms) ||
     !rd_vec(&r, 2, 0, &s->ext, &s->ext_len) || !rd_uint(&r, 1, &v))
    return false;
  s->hash_alg = (uint8_t)v;
  if(!rd_uint(&r, 1, &v))
    return false;
  s->sig_alg = (uint8_t)v;
  if(!rd_vec(&r, 2, 0, &s->sig, &s->sig_len))
    return false;
  return r.n == 0;  /* nothing after the signature */
}

/* The OCTET STRING inside the SCT list extension, which holds the TLS
   SignedCertificateTimestampList. BRINE_E_NOTFOUND when absent (nothing
   recorded on ctx). */
static brine_result sct_list(struct brine_ctx *ctx, X509 *x,
                             ASN1_OCTET_STRING **inner)
{
  int idx = X509_get_ext_by_NID(x, NID_ct_precert_scts, -1);
  const ASN1_OCTET_STRING *outer;
  const unsigned char *p;
  long n;
  if(idx < 0)
    return BRINE_E_NOTFOUND;
  if(X509_get_ext_by_NID(x, NID_ct_precert_scts, idx) >= 0)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "certificate: two SCT list extensions");
  outer = X509_EXTENSION_get_data(X509_get_ext(x, idx));
  p = ASN1_STRING_get0_data(outer);
  n = ASN1_STRING_length(outer);
  *inner = p && n > 0 ? d2i_ASN1_OCTET_STRING(NULL, &p, n) : NULL;
  if(!*inner || p != ASN1_STRING_get0_data(outer) + n) {
    ASN1_OCTET_STRING_free(*inner);
    *inner = NULL;
    return BRINEI_OSSL_FAIL(ctx, BRINE_E_MALFORMED,
                            "certificate: the SCT list extension is not an "
                            "OCTET STRING");
  }
  return BRINE_OK;
}

/* RFC 6962 §3.2: the TBSCertificate of the precertificate, i.e. the
   leaf's with the SCT list extension removed and the rest re-encoded in
   place. *tbs is OPENSSL_malloc'ed. */
static brine_result precert_tbs(struct brine_ctx *ctx, X509 *leaf,
                                uint8_t **tbs, size_t *len)
{
  X509 *dup = X509_dup(leaf);
  unsigned char *buf = NULL;
  int idx, n;
  if(!dup)
    return BRINEI_OSSL_FAIL(ctx, BRINE_E_NOMEM,
                            "SCT: cannot copy the certificate");
  idx = X509_get_ext_by_NID(dup, NID_ct_precert_scts, -1);
  if(idx >= 0)
    X509_EXTENSION_free(X509_delete_ext(dup, idx));
  n = i2d_re_X509_tbs(dup, &buf);
  X509_free(dup);
  if(n <= 0)
    return BRINEI_OSSL_FAIL(ctx, BRINE_E_CRYPTO,
                            "SCT: cannot encode the TBSCertificate");
  *tbs = buf;
  *len = (size_t)n;
  return BRINE_OK;
}

/* SHA-256 of the issuer's DER SubjectPublicKeyInfo (issuer_key_hash). */
static brine_result issuer_key_hash(struct brine_ctx *ctx, X509 *issuer,
                                    uint8_t out[32])
{
  unsigned char *der = NULL;
  int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(issuer), &der);
  brine_result rc;
  if(n <= 0)
    return BRINEI_OSSL_FAIL(ctx, BRINE_E_CRYPTO,
                            "SCT: cannot encode the issuer's public key");
  rc = brinei_digest(ctx, BRINEI_SHA256, der, (size_t)n, out);
  OPENSSL_free(der);
  return rc;
}

static void put_uint(uint8_t *p, uint64_t v, size_t k)
{
  for(size_t i = 0; i < k; i++)
    p[i] = (uint8_t)(v >> (8 * (k - 1 - i)));
}

/* Does the key suit the SCT's algorithms? *h gets the digest. */
static bool sct_algs(const struct sct *s, const struct brinei_key *k,
                     enum brinei_hash *h)
{
  enum brinei_keytype t = brinei_key_type(k);
  switch(s->hash_alg) {
  case 4:
    *h = BRINEI_SHA256;
    break;
  case 5:
    *h = BRINEI_SHA384;
    break;
  case 6:
    *h = BRINEI_SHA512;
    break;
  default:
    return false;
  }
  if(s->sig_alg == 3)
    return t == BRINEI_KEY_EC_P256 || t == BRINEI_KEY_EC_P384 ||
           t == BRINEI_KEY_EC_P521;
  if(s->sig_alg == 1)
    return t == BRINEI_KEY_RSA;
  return false;
}

/* The digitally-signed data of s (RFC 6962 §3.2, precert_entry) into
   buf, which holds 47 + tbs_len + 2 + ext_len bytes. */
static size_t signed_data(const struct sct *s, const uint8_t ikh[32],
                          const uint8_t *tbs, size_t tbs_len, uint8_t *buf)
{
  size_t o = 0;
  buf[o++] = 0;                    /* sct_version v1 */
  buf[o++] = 0;                    /* signature_type certificate_timestamp */
  put_uint(buf + o, s->ts_ms, 8);
  o += 8;
  put_uint(buf + o, 1, 2);         /* entry_type precert_entry */
  o += 2;
  memcpy(buf + o, ikh, 32);
  o += 32;
  put_uint(buf + o, tbs_len, 3);   /* opaque TBSCertificate<1..2^24-1> */
  o += 3;
  memcpy(buf + o, tbs, tbs_len);
  o += tbs_len;
  put_uint(buf + o, s->ext_len, 2);
  o += 2;
  if(s->ext_len)
    memcpy(buf + o, s->ext, s->ext_len);
  return o + s->ext_len;
}

/* Verify s with every trusted log of its id valid at its time, skipping
   logs already counted; the index of the log that verified it, or
   SIZE_MAX. */
static size_t sct_check(struct brine_ctx *ctx, const struct sct *s,
                        const uint8_t ikh[32], const uint8_t *tbs,
                        size_t tbs_len, const struct brinei_ct_trust *logs,
                        size_t nlogs, const bool *counted, uint8_t *buf)
{
  /* milliseconds; windows are whole seconds, inclusive */
  int64_t secs = (int64_t)(s->ts_ms / 1000);
  size_t n = 0;
  for(size_t i = 0; i < nlogs; i++) {
    enum brinei_hash h;
    if(counted[i] || memcmp(logs[i].log_id, s->log_id, LOG_ID_LEN) ||
       !logs[i].key || secs < logs[i].start || secs > logs[i].end ||
       !sct_algs(s, logs[i].key, &h))
      continue;
    if(!n)  /* built once, and only for an SCT some log may have signed */
      n = signed_data(s, ikh, tbs, tbs_len, buf);
    if(!brinei_verify(ctx, logs[i].key, h, buf, n, s->sig, s->sig_len))
      return i;
  }
  return SIZE_MAX;
}

brine_result brinei_sct_verify(struct brine_ctx *ctx,
                               const struct brinei_cert *leaf,
                               const struct brinei_cert *issuer,
                               const struct brinei_ct_trust *logs,
                               size_t nlogs, size_t *nvalid)
{
  ASN1_OCTET_STRING *inner = NULL;
  struct brine_errinfo saved = ctx->err;
  uint8_t *tbs = NULL, *buf = NULL;
  bool *counted = NULL;
  size_t tbs_len = 0, count = 0, list_len;
  const uint8_t *list;
  uint8_t ikh[32];
  struct rd r;
  brine_result rc = sct_list(ctx, leaf->x, &inner);
  if(rc == BRINE_E_NOTFOUND) {
    *nvalid = 0;  /* no SCTs: the caller's threshold decides */
    return BRINE_OK;
  }
  if(rc)
    return rc;
  r.p = ASN1_STRING_get0_data(inner);
  r.n = (size_t)ASN1_STRING_length(inner);
  /* SignedCertificateTimestampList: SerializedSCT sct_list<1..2^16-1> */
  if(!rd_vec(&r, 2, 1, &list, &list_len) || r.n) {
    rc = BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                    "certificate: the SCT list's length is wrong");
    goto out;
  }
  rc = precert_tbs(ctx, leaf->x, &tbs, &tbs_len);
  if(!rc)
    rc = issuer_key_hash(ctx, issuer->x, ikh);
  if(rc)
    goto out;
  if(tbs_len >= (1u << 24)) {
    rc = BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                    "certificate: the TBSCertificate is too large for an "
                    "SCT");
    goto out;
  }
  /* every SCT of the list fits 47 + tbs + 2 + 2^16 bytes */
  buf = brinei_malloc(ctx, 47 + tbs_len + 2 + 65536);
  counted = nlogs ? brinei_calloc(ctx, nlogs, sizeof(*counted)) : NULL;
  if(!buf || (nlogs && !counted)) {
    rc = BRINE_FAIL(ctx, BRINE_E_NOMEM, BRINE_NOOFF,
                    "SCT: out of memory");
    goto out;
  }
  r.p = list;
  r.n = list_len;
  while(r.n) {
    const uint8_t *p;
    size_t n, hit;
    struct sct s;
    bool known;
    if(!rd_vec(&r, 2, 1, &p, &n) || !parse_sct(p, n, &s, &known)) {
      rc = BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "certificate: a damaged SCT in the list");
      goto out;
    }
    if(!known)
      continue;
    hit = sct_check(ctx, &s, ikh, tbs, tbs_len, logs, nlogs, counted, buf);
    if(hit == SIZE_MAX)
      continue;
    /* count each log once, however many entries the root lists it
       under */
    for(size_t i = 0; i < nlogs; i++)
      if(!memcmp(logs[i].log_id, logs[hit].log_id, LOG_ID_LEN))
        counted[i] = true;
    count++;
  }
  *nvalid = count;
  /* SCTs that did not verify are not a failure of this call */
  ctx->err = saved;
out:
  ERR_clear_error();
  brinei_free(ctx, counted);
  brinei_free(ctx, buf);
  OPENSSL_free(tbs);
  ASN1_OCTET_STRING_free(inner);
  return rc;
}
