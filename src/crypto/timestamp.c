/* RFC 3161 timestamps as Sigstore bundles carry them: a TimeStampResp (or
 * a bare TimeStampToken) over the signature bytes, verified offline
 * against the trusted root's timestamp authorities.
 *
 * SPEC: RFC 3161 §2.4.2 (TSTInfo: version 1, messageImprint, genTime as
 * GeneralizedTime "YYYYMMDDhhmmss[.s...]Z"), §2.3 (the TSA certificate has
 * exactly one EKU, id-kp-timeStamping, and it is critical), RFC 5816 / RFC
 * 2634 (ESS signingCertificate[V2] binds the signer); Sigstore
 * client-spec §4.2 and reference/signing.md §2.3 step 1: the signer chain
 * to one authority of `timestampAuthorities` valid at genTime (never the
 * wall clock: conformance rekor2-timestamp-with-expired-cert-chain must
 * pass), genTime inside the authority's validFor (inclusive), the signer
 * is the authority's leaf (as @sigstore/verify matches it by issuer and
 * serial). OpenSSL's TS_RESP_verify_signature does the CMS part (one
 * signer, ESS binding, path validation with purpose timestampSign,
 * signature over the signed attributes and content); the imprint, the
 * time, the window and the TSA name are checked here. */
#include "../internal.h"
#include "crypto_int.h"
#include "sigstore_x509.h"

#include <limits.h>
#include <stdio.h>

#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

/* How far one authority got with a token: the furthest failure is the one
   reported when none verifies. */
enum stage {
  ST_NONE,
  ST_CHAIN,   /* the CMS signature / signer chain did not verify */
  ST_SIGNER,  /* verified, but by a certificate other than the leaf */
  ST_EKU,     /* the signer's extended key usage is not as RFC 3161 says */
  ST_NAME,    /* the TSTInfo tsa name is not the signer */
  ST_WINDOW,  /* genTime outside the authority's validFor */
};

/* OpenSSL's latest reason, with the detail it attached ("Verify error:
   certificate has expired"), into buf; empties the error queue. True when
   the reason was an allocation failure. */
static bool ossl_reason(char *buf, size_t n)
{
  const char *data = NULL;
  int flags = 0;
  unsigned long e = ERR_peek_last_error_data(&data, &flags);
  const char *why = e ? ERR_reason_error_string(e) : NULL;
  bool nomem = e && ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE;
  if(!(flags & ERR_TXT_STRING))
    data = NULL;
  else if(data && !strncmp(data, "Verify error:", 13))
    data += 13;  /* the reason already says it */
  snprintf(buf, n, "%s%s%s", why ? why : "unknown error",
           data && *data ? ": " : "", data ? data : "");
  ERR_clear_error();
  return nomem;
}

/* genTime: strict GeneralizedTime syntax (RFC 3161 §2.4.2: UTC, "Z",
   optional fraction), the calendar check left to OpenSSL. */
static bool parse_gen_time(const ASN1_GENERALIZEDTIME *t, int64_t *out)
{
  const unsigned char *s;
  struct tm tm;
  time_t secs;
  int len, i;
  if(!t || ASN1_STRING_type(t) != V_ASN1_GENERALIZEDTIME)
    return false;
  s = ASN1_STRING_get0_data(t);
  len = ASN1_STRING_length(t);
  if(!s || len < 15)
    return false;
  for(i = 0; i < 14; i++)
    if(s[i] < '0' || s[i] > '9')
      return false;
  if(s[i] == '.') {
    int first = ++i;
    while(i < len && s[i] >= '0' && s[i] <= '9')
      i++;
    if(i == first)
      return false;  /* a point with no digits */
  }
  if(i != len - 1 || s[i] != 'Z')
    return false;
  memset(&tm, 0, sizeof(tm));
  if(ASN1_TIME_to_tm(t, &tm) != 1)
    return false;
  secs = timegm(&tm);
  if(secs == (time_t)-1 && tm.tm_year != 69)
    return false;
  *out = (int64_t)secs;  /* the fraction is dropped: windows are seconds */
  return true;
}

/* The TSTInfo's tsa field, when present, names the signer (RFC 3161
   §2.4.2; OpenSSL's TS_VFY_SIGNER check): its subject as a
   directoryName, or one of its subject alternative names. */
static bool tsa_name_matches(const GENERAL_NAME *name, X509 *signer)
{
  GENERAL_NAMES *alt;
  bool found = false;
  int crit = 0;
  if(!name)
    return true;
  if(name->type == GEN_DIRNAME &&
     !X509_NAME_cmp(name->d.directoryName, X509_get_subject_name(signer)))
    return true;
  alt = X509_get_ext_d2i(signer, NID_subject_alt_name, &crit, NULL);
  for(int i = 0; alt && i < sk_GENERAL_NAME_num(alt) && !found; i++)
    /* GENERAL_NAME_cmp takes non-const names; it only reads them */
    found = !GENERAL_NAME_cmp(sk_GENERAL_NAME_value(alt, i),
                              (GENERAL_NAME *)name);
  GENERAL_NAMES_free(alt);
  return found;
}

/* RFC 3161 §2.3: exactly id-kp-timeStamping, in a critical extension. */
static bool tsa_eku_ok(X509 *signer)
{
  int idx = X509_get_ext_by_NID(signer, NID_ext_key_usage, -1);
  if(idx < 0 || X509_get_ext_by_NID(signer, NID_ext_key_usage, idx) >= 0)
    return false;
  if(!X509_EXTENSION_get_critical(X509_get_ext(signer, idx)))
    return false;
  return X509_get_extended_key_usage(signer) == XKU_TIMESTAMP &&
         !(X509_get_extension_flags(signer) & EXFLAG_INVALID);
}

/* Verify token against one authority; *stage is how far it got, why the
   reason it stopped there. */
static brine_result try_authority(PKCS7 *token, TS_TST_INFO *tst,
                                  const struct brinei_tsa_trust *a,
                                  int64_t when, enum stage *stage, char *why,
                                  size_t whylen)
{
  X509_STORE *store = NULL;
  STACK_OF(X509) *unt = NULL;
  X509 *signer = NULL;
  X509 *leaf = a->ncerts ? a->certs[0]->x : NULL;
  brine_result rc = BRINE_E_BADSIG;
  *stage = ST_NONE;
  if(!a->ncerts) {
    snprintf(why, whylen, "the authority has no certificates");
    return BRINE_E_BADSIG;
  }
  if(when < (int64_t)LONG_MIN || when > (int64_t)LONG_MAX) {
    snprintf(why, whylen, "genTime is out of range");
    return BRINE_E_BADSIG;
  }
  store = X509_STORE_new();
  unt = sk_X509_new_null();
  if(!store || !unt) {
    snprintf(why, whylen, "out of memory");
    rc = BRINE_E_NOMEM;
    goto out;
  }
  /* the last certificate is the anchor, as given (it need not be
     self-signed); the rest, leaf first, are untrusted intermediates */
  if(X509_STORE_add_cert(store, a->certs[a->ncerts - 1]->x) != 1) {
    rc = ossl_reason(why, whylen) ? BRINE_E_NOMEM : BRINE_E_CRYPTO;
    goto out;
  }
  for(size_t i = 0; i + 1 < a->ncerts; i++) {
    if(!sk_X509_push(unt, a->certs[i]->x)) {  /* borrowed */
      snprintf(why, whylen, "out of memory");
      rc = BRINE_E_NOMEM;
      goto out;
    }
  }
  X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
  /* the chain must be valid when the timestamp was made, not now */
  X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store), (time_t)when);
  *stage = ST_CHAIN;
  if(TS_RESP_verify_signature(token, unt, store, &signer) != 1) {
    rc = ossl_reason(why, whylen) ? BRINE_E_NOMEM : BRINE_E_BADSIG;
    goto out;
  }
  *stage = ST_SIGNER;
  if(X509_cmp(signer, leaf)) {
    snprintf(why, whylen, "signed by a certificate other than the "
             "authority's leaf");
    goto out;
  }
  *stage = ST_EKU;
  if(!tsa_eku_ok(signer)) {
    snprintf(why, whylen, "the TSA certificate lacks a critical extended "
             "key usage of timeStamping alone");
    goto out;
  }
  *stage = ST_NAME;
  if(!tsa_name_matches(TS_TST_INFO_get_tsa(tst), signer)) {
    snprintf(why, whylen, "the TSTInfo names a TSA other than the signer");
    goto out;
  }
  *stage = ST_WINDOW;
  if(when < a->start || when > a->end) {
    snprintf(why, whylen, "genTime %lld is outside the authority's "
             "validity [%lld, %lld]", (long long)when, (long long)a->start,
             (long long)a->end);
    goto out;
  }
  rc = BRINE_OK;
out:
  ERR_clear_error();
  X509_free(signer);
  sk_X509_free(unt);
  X509_STORE_free(store);
  return rc;
}

/* messageImprint == digest(data) under the hash the token names (SHA-2;
   parameters absent or NULL, as OpenSSL's ts_check_imprints requires). */
static brine_result check_imprint(struct brine_ctx *ctx,
                                  TS_TST_INFO *tst, const uint8_t *data,
                                  size_t data_len)
{
  TS_MSG_IMPRINT *mi = TS_TST_INFO_get_msg_imprint(tst);
  X509_ALGOR *alg = mi ? TS_MSG_IMPRINT_get_algo(mi) : NULL;
  ASN1_OCTET_STRING *msg = mi ? TS_MSG_IMPRINT_get_msg(mi) : NULL;
  const ASN1_OBJECT *oid = NULL;
  const void *pval = NULL;
  uint8_t dig[BRINEI_HASH_MAX];
  enum brinei_hash h;
  int ptype = V_ASN1_UNDEF;
  brine_result rc;
  if(!alg || !msg)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "RFC 3161 timestamp: no message imprint");
  X509_ALGOR_get0(&oid, &ptype, &pval, alg);
  switch(OBJ_obj2nid(oid)) {
  case NID_sha256:
    h = BRINEI_SHA256;
    break;
  case NID_sha384:
    h = BRINEI_SHA384;
    break;
  case NID_sha512:
    h = BRINEI_SHA512;
    break;
  default:
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "RFC 3161 timestamp: the message imprint uses an "
                      "unsupported digest");
  }
  if(ptype != V_ASN1_UNDEF && ptype != V_ASN1_NULL)
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "RFC 3161 timestamp: the imprint's digest has "
                      "parameters");
  rc = brinei_digest(ctx, h, data, data_len, dig);
  if(rc)
    return rc;
  if((size_t)ASN1_STRING_length(msg) != brinei_hash_len(h) ||
     memcmp(ASN1_STRING_get0_data(msg), dig, brinei_hash_len(h)))
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "RFC 3161 timestamp: the message imprint is not the "
                      "%s of the signature", brinei_hash_name(h));
  return BRINE_OK;
}

/* The token inside der: a TimeStampResp that granted one, or a bare
   TimeStampToken (ContentInfo). Exactly the bytes given, nothing after. */
static brine_result parse_token(struct brine_ctx *ctx, const uint8_t *der,
                                size_t len, PKCS7 **out)
{
  const unsigned char *p = der;
  TS_RESP *resp;
  PKCS7 *tok;
  if(!len || len > LONG_MAX)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "RFC 3161 timestamp: %zu bytes", len);
  resp = d2i_TS_RESP(NULL, &p, (long)len);
  if(resp) {
    TS_STATUS_INFO *si = TS_RESP_get_status_info(resp);
    long status = si ? ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(si))
                     : -1;
    if(p != der + len) {
      TS_RESP_free(resp);
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, (uint64_t)(p - der),
                        "RFC 3161 timestamp: bytes after the response");
    }
    /* granted (0) or grantedWithMods (1): RFC 3161 §2.4.2 */
    if(status != 0 && status != 1) {
      TS_RESP_free(resp);
      return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                        "RFC 3161 timestamp: the TSA refused (status %ld)",
                        status);
    }
    tok = TS_RESP_get_token(resp);
    tok = tok ? PKCS7_dup(tok) : NULL;
    TS_RESP_free(resp);
    ERR_clear_error();
    if(!tok)
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                        "RFC 3161 timestamp: the response has no token");
    *out = tok;
    return BRINE_OK;
  }
  ERR_clear_error();
  p = der;
  tok = d2i_PKCS7(NULL, &p, (long)len);
  if(!tok || p != der + len) {
    PKCS7_free(tok);
    return BRINEI_OSSL_FAIL(ctx, BRINE_E_MALFORMED,
                            "RFC 3161 timestamp: neither a TimeStampResp "
                            "nor a TimeStampToken");
  }
  *out = tok;
  return BRINE_OK;
}

brine_result brinei_rfc3161_verify(struct brine_ctx *ctx, const uint8_t *der,
                                   size_t len, const uint8_t *data,
                                   size_t data_len,
                                   const struct brinei_tsa_trust *tsas,
                                   size_t ntsas, int64_t *gen_time)
{
  PKCS7 *tok = NULL;
  TS_TST_INFO *tst = NULL;
  enum stage best = ST_NONE;
  char best_why[160] = "no timestamp authority is trusted";
  size_t best_i = 0;
  brine_result rc;
  int64_t when = 0;
  bool ok = false;
  rc = parse_token(ctx, der, len, &tok);
  if(rc)
    return rc;
  tst = PKCS7_to_TS_TST_INFO(tok);
  if(!tst) {
    rc = BRINEI_OSSL_FAIL(ctx, BRINE_E_MALFORMED,
                          "RFC 3161 timestamp: the token holds no TSTInfo");
    goto out;
  }
  if(TS_TST_INFO_get_version(tst) != 1) {
    rc = BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                    "RFC 3161 timestamp: TSTInfo version is not 1");
    goto out;
  }
  if(!parse_gen_time(TS_TST_INFO_get_time(tst), &when)) {
    rc = BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                    "RFC 3161 timestamp: genTime is not a UTC "
                    "GeneralizedTime");
    goto out;
  }
  for(size_t i = 0; i < ntsas && !ok; i++) {
    char why[160];
    enum stage st;
    rc = try_authority(tok, tst, &tsas[i], when, &st, why, sizeof(why));
    if(rc == BRINE_E_NOMEM || rc == BRINE_E_CRYPTO) {
      rc = BRINE_FAIL(ctx, rc, BRINE_NOOFF, "RFC 3161 timestamp: %s", why);
      goto out;
    }
    if(!rc)
      ok = true;
    else if(st > best || i == 0) {
      best = st;
      best_i = i;
      snprintf(best_why, sizeof(best_why), "%s", why);
    }
  }
  if(!ok) {
    if(!ntsas)
      rc = BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "RFC 3161 timestamp: the trusted root has no "
                      "timestamp authority");
    else
      rc = BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "RFC 3161 timestamp: not verified by any trusted "
                      "timestamp authority (authority %zu: %s)", best_i,
                      best_why);
    goto out;
  }
  rc = check_imprint(ctx, tst, data, data_len);
  if(!rc)
    *gen_time = when;
out:
  ERR_clear_error();
  TS_TST_INFO_free(tst);
  PKCS7_free(tok);
  return rc;
}
