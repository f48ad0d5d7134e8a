/* The X.509 and CMS pieces of Sigstore verification (signing.md §2.3
 * steps 1-3 and 6): RFC 3161 timestamps, embedded SCTs of Fulcio
 * certificates (RFC 6962), and the identity a Fulcio certificate carries.
 * Over OpenSSL 3 (TS, CT and X509 APIs), like the rest of src/crypto/.
 */
#ifndef BRINE_CRYPTO_SIGSTORE_X509_H
#define BRINE_CRYPTO_SIGSTORE_X509_H

#include "crypto.h"

/* ---- RFC 3161 ---- */

/* A timestamp authority as the trusted root lists it: its chain (leaf
   first, root last) and validity window. */
struct brinei_tsa_trust {
  struct brinei_cert *const *certs;
  size_t ncerts;
  int64_t start, end;           /* inclusive; end INT64_MAX when open */
};

/* Verify a DER TimeStampResp (or a bare TimeStampToken ContentInfo) over
   `data` (the signature bytes the timestamp covers: messageImprint =
   SHA-256(data) or the hash the token names) against the authorities:
   the CMS signature, the signer chain to one authority's root valid at
   genTime, genTime inside that authority's window, the TSA leaf's
   critical EKU timeStamping. GeneralizedTime with fractional seconds is
   accepted. On success *gen_time is genTime (seconds). BRINE_OK,
   BRINE_E_BADSIG (the message says which check failed),
   BRINE_E_MALFORMED (not a timestamp), BRINE_E_NOMEM. */
brine_result brinei_rfc3161_verify(struct brine_ctx *ctx, const uint8_t *der,
                                   size_t len, const uint8_t *data,
                                   size_t data_len,
                                   const struct brinei_tsa_trust *tsas,
                                   size_t ntsas, int64_t *gen_time);

/* ---- certificate transparency ---- */

/* A CT log as the trusted root lists it. */
struct brinei_ct_trust {
  const uint8_t *log_id;        /* 32 bytes */
  const struct brinei_key *key;
  int64_t start, end;           /* inclusive */
};

/* Verify the SCTs embedded in leaf (extension 1.3.6.1.4.1.11129.2.4.2)
   against issuer (the certificate that signed leaf) and the CT logs:
   precert signed data rebuilt from the TBSCertificate without the SCT
   extension (RFC 6962 §3.2), the SCT's log found by id and valid at the
   SCT time. *nvalid receives the number of SCTs that verified (distinct
   logs). BRINE_OK (also with *nvalid 0: the caller applies its
   threshold), BRINE_E_MALFORMED (an SCT list that does not parse),
   BRINE_E_NOMEM. */
brine_result brinei_sct_verify(struct brine_ctx *ctx,
                               const struct brinei_cert *leaf,
                               const struct brinei_cert *issuer,
                               const struct brinei_ct_trust *logs,
                               size_t nlogs, size_t *nvalid);

/* ---- Fulcio identity ---- */

/* The subject alternative names of a certificate: every rfc822Name,
   uniformResourceIdentifier and otherName 1.3.6.1.4.1.57264.1.7 (as a
   UTF8String), each NUL-terminated, in certificate order. *names is an
   array of strings allocated through ctx (free with brinei_strs_free).
   BRINE_OK, BRINE_E_MALFORMED, BRINE_E_NOMEM. */
brine_result brinei_cert_identities(struct brine_ctx *ctx,
                                    const struct brinei_cert *c,
                                    char ***names, size_t *n);
/* The OIDC issuer: extension 1.3.6.1.4.1.57264.1.8 (a DER UTF8String),
   else 1.3.6.1.4.1.57264.1.1 (raw ASCII). *issuer allocated through ctx;
   BRINE_E_NOTFOUND when neither is present. */
brine_result brinei_cert_oidc_issuer(struct brine_ctx *ctx,
                                     const struct brinei_cert *c,
                                     char **issuer);
void brinei_strs_free(struct brine_ctx *ctx, char **s, size_t n);

/* True when c is self-signed (a root): a Sigstore bundle's chain must not
   carry one (conformance bundle-with-root-cert_fail). */
bool brinei_cert_self_signed(const struct brinei_cert *c);

#endif
