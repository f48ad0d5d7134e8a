/* Offline verification of a Sigstore bundle (v0.1, v0.2, v0.3; message
 * signatures and DSSE envelopes) against a trusted root, following
 * sigstore/architecture-docs client-spec §4 (signing.md §2.3): signed
 * times from the transparency log and RFC 3161 timestamps (never the wall
 * clock), the Fulcio chain at those times, embedded SCTs, the log entries,
 * the identity policy, and the signature over the artifact.
 */
#ifndef BRINE_SIGN_SIGSTORE_H
#define BRINE_SIGN_SIGSTORE_H

#include "trustroot.h"

/* Who must have signed: a certificate identity (exact SAN match, or an
   anchored POSIX extended regex when identity_regex) and OIDC issuer, or
   a managed public key. */
struct brinei_sigstore_policy {
  const char *identity;
  bool identity_regex;
  const char *issuer;
  const struct brinei_key *key;   /* instead of identity and issuer */
};

/* What the signature must cover. */
struct brinei_sigstore_artifact {
  const uint8_t *data;            /* the artifact's bytes, or NULL */
  size_t len;
  const uint8_t *digest;          /* its SHA-256 (32 bytes) when data is
                                     NULL, or NULL for "the DSSE statement
                                     is checked by the caller" */
};

/* What a verified bundle said. */
struct brinei_sigstore_result {
  uint8_t *payload;               /* DSSE payload (owned), or NULL */
  size_t payload_len;
  char *identity;                 /* the SAN that matched (owned) */
  char *issuer;                   /* owned */
  int64_t signed_time;            /* the earliest verified signed time */
};

/* Verify a bundle (JSON bytes). BRINE_OK when every check passed;
   BRINE_E_BADSIG when a check failed (the context's message names it and
   begins with a stable reason code, e.g. "tlog-checkpoint: ..."),
   BRINE_E_MALFORMED (the bundle breaks its format), BRINE_E_UNSUPPORTED,
   BRINE_E_POLICY (identity or issuer mismatch), BRINE_E_NOMEM. */
brine_result brinei_sigstore_verify(struct brine_ctx *ctx,
                                    const struct brinei_trustroot *tr,
                                    const char *json, size_t len,
                                    const struct brinei_sigstore_artifact *a,
                                    const struct brinei_sigstore_policy *p,
                                    struct brinei_sigstore_result *out);
void brinei_sigstore_result_free(struct brine_ctx *ctx,
                                 struct brinei_sigstore_result *r);

#endif
