/* A Sigstore trusted root (trusted_root.json, protobuf-specs
 * sigstore_trustroot.proto; signing.md §2.2): the transparency logs, CT
 * logs, certificate authorities and timestamp authorities a verifier
 * trusts, each with its validity window. The production root is embedded
 * in libbrine; no network is ever used.
 */
#ifndef BRINE_SIGN_TRUSTROOT_H
#define BRINE_SIGN_TRUSTROOT_H

#include "../crypto/crypto.h"

#define BRINEI_TIME_MAX INT64_MAX  /* an open-ended validFor */

/* A validFor window, inclusive at both ends (fractional seconds of the
   end rounded down is safe: "…59.999Z" includes second 59). */
struct brinei_validity {
  int64_t start;
  int64_t end;        /* BRINEI_TIME_MAX when absent */
};

/* A transparency log (Rekor) or a certificate transparency log. */
struct brinei_log {
  char *base_url;             /* "https://rekor.sigstore.dev" (owned) */
  uint8_t log_id[32];         /* logId.keyId: SHA-256 of the DER SPKI for
                                 ECDSA keys; as given otherwise */
  size_t log_id_len;          /* usually 32 */
  uint8_t checkpoint_id[4];   /* checkpointKeyId, else log_id[:4] */
  struct brinei_key *key;     /* owned */
  enum brinei_hash hash;      /* hashAlgorithm (SHA2_256 ...) */
  struct brinei_validity valid;
};

/* A certificate authority (Fulcio) or a timestamp authority: its chain as
   listed (leaf-most first, the root last). */
struct brinei_authority {
  char *uri;                  /* owned, may be "" */
  struct brinei_cert **certs; /* owned */
  size_t ncerts;
  struct brinei_validity valid;
};

struct brinei_trustroot {
  struct brinei_log *tlogs;
  size_t ntlogs;
  struct brinei_log *ctlogs;
  size_t nctlogs;
  struct brinei_authority *cas;
  size_t ncas;
  struct brinei_authority *tsas;
  size_t ntsas;
};

/* Parse a trusted root (media type
   application/vnd.dev.sigstore.trustedroot+json;version=0.1 or
   application/vnd.dev.sigstore.trustedroot.v0.2+json) strictly: duplicate
   keys rejected; JSON null accepted wherever a field is optional; every
   log needs a public key and a validFor.start (a log without a start is
   MALFORMED: conformance trust-root-tlog-missing-validity-start_fail);
   keys are DER SPKI with keyDetails PKIX_ECDSA_P256_SHA_256,
   PKIX_ECDSA_P384_SHA_384, PKIX_ED25519, ... (a key whose details are
   unknown is skipped, not an error, so newer roots still load).
   BRINE_OK, BRINE_E_MALFORMED (the message names the field),
   BRINE_E_UNSUPPORTED (media type), BRINE_E_LIMIT (a document over
   lim.memory/16, more than 256 entries in a list, more than 32
   certificates in a chain), BRINE_E_NOMEM. Free with
   brinei_trustroot_free. */
brine_result brinei_trustroot_parse(struct brine_ctx *ctx, const char *json,
                                    size_t len, struct brinei_trustroot *tr);
/* The same from a file (BRINE_E_IO when unreadable). */
brine_result brinei_trustroot_load(struct brine_ctx *ctx, const char *path,
                                   struct brinei_trustroot *tr);
/* The Sigstore public-good production root embedded at build time
   (tests/conformance/trusted_root.production.json, sha256 6494e21e…). */
brine_result brinei_trustroot_production(struct brine_ctx *ctx,
                                         struct brinei_trustroot *tr);
void brinei_trustroot_free(struct brine_ctx *ctx,
                           struct brinei_trustroot *tr);

/* The log of a list whose log_id equals id (NULL if none). */
const struct brinei_log *brinei_trustroot_find_log(
    const struct brinei_log *logs, size_t n, const uint8_t *id,
    size_t idlen);
/* True when t lies in v (both ends inclusive). */
bool brinei_validity_contains(const struct brinei_validity *v, int64_t t);

#endif
