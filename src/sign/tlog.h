/* Transparency log entries of a Sigstore bundle, checked offline against a
 * trusted root (signing.md §2.1, §2.3 step 1 and 4; client-spec §4.4):
 * the signed entry timestamp (Rekor v1), the Merkle inclusion proof
 * (RFC 6962/9162), the signed checkpoint (C2SP signed note, with witness
 * cosignatures tolerated) and the consistency of the entry body with the
 * bundle's signature and content. Never queries a log.
 */
#ifndef BRINE_SIGN_TLOG_H
#define BRINE_SIGN_TLOG_H

#include "trustroot.h"

/* One tlogEntries[] element as read from the bundle JSON (all decoded,
   validated for type and range before use). */
struct brinei_tlog_entry {
  int64_t log_index;            /* >= 0 */
  uint8_t log_id[64];
  size_t log_id_len;
  char kind[32];                /* "hashedrekord", "dsse", "intoto" */
  char version[16];             /* "0.0.1", "0.0.2" */
  int64_t integrated_time;      /* 0 when absent (Rekor v2) */
  uint8_t *set;                 /* inclusionPromise.signedEntryTimestamp,
                                   or NULL (owned) */
  size_t set_len;
  bool has_proof;
  int64_t proof_index;          /* inclusionProof.logIndex */
  int64_t tree_size;
  uint8_t root_hash[32];
  uint8_t (*hashes)[32];        /* owned */
  size_t nhashes;
  char *checkpoint;             /* inclusionProof.checkpoint.envelope
                                   (owned), or NULL */
  uint8_t *body;                /* decoded canonicalizedBody (owned) */
  size_t body_len;
};

/* Parse one tlogEntries element (a jansson json_t *, passed as void * so
   this header does not need jansson). BRINE_OK, BRINE_E_MALFORMED (the
   message names the field: negative logIndex, bad base64, a hash that is
   not 32 bytes ...), BRINE_E_NOMEM. Free with brinei_tlog_entry_free. */
brine_result brinei_tlog_entry_parse(struct brine_ctx *ctx, const void *json,
                                     struct brinei_tlog_entry *e);
void brinei_tlog_entry_free(struct brine_ctx *ctx,
                            struct brinei_tlog_entry *e);

/* What the bundle says was logged, for the body consistency check. */
struct brinei_tlog_subject {
  const uint8_t *sig;           /* the signature (DSSE sig, or the message
                                   signature) */
  size_t sig_len;
  const uint8_t *leaf_der;      /* the signing certificate, or NULL for a
                                   key */
  size_t leaf_len;
  const uint8_t *key_pem;       /* the public key PEM (key bundles), or
                                   NULL */
  size_t key_pem_len;
  /* messageSignature bundles: the artifact's SHA-256 */
  const uint8_t *digest;        /* 32 bytes, or NULL */
  /* DSSE bundles: payload and payloadType */
  const uint8_t *payload;
  size_t payload_len;
  const char *payload_type;
};

/* Verify entry e against the trusted logs:
   - the log is found by log_id (else BADSIG "unknown log");
   - kind/version are those of the body and one of hashedrekord 0.0.1,
     hashedrekord 0.0.2, dsse 0.0.1, intoto 0.0.2 (others:
     BRINE_E_UNSUPPORTED);
   - the body matches subject (signature, certificate or key, digest, or
     payload hash / PAE digest for DSSE);
   - an inclusion proof, when present, leads to root_hash, and its signed
     checkpoint verifies with the log's key (names and key hints as
     signing.md §2.3 step 4; cosignature lines from other keys ignored)
     and states the same tree size and root;
   - a SET, when present, verifies (canonical JSON of body,
     integratedTime, logID, logIndex) with the log's key, and the log's
     validFor contains integratedTime (both ends inclusive);
   - require_proof: an inclusion proof is required (bundles v0.2+);
     require_set: a SET is required (v0.1).
   On success *signed_time is integratedTime when a SET vouched for it,
   else 0 (Rekor v2: a timestamp authority must give the time).
   BRINE_OK; BRINE_E_BADSIG (any check failed: the message says which);
   BRINE_E_MALFORMED (a body that is not the JSON its kind needs);
   BRINE_E_UNSUPPORTED; BRINE_E_NOMEM. */
brine_result brinei_tlog_verify(struct brine_ctx *ctx,
                                const struct brinei_trustroot *tr,
                                const struct brinei_tlog_entry *e,
                                const struct brinei_tlog_subject *s,
                                bool require_proof, bool require_set,
                                int64_t *signed_time);

/* RFC 6962 §2.1.1 audit path: does leaf_hash at index in a tree of size
   lead to root? (Exposed for tests.) */
bool brinei_merkle_verify(const uint8_t leaf_hash[32], int64_t index,
                          int64_t size, const uint8_t (*path)[32],
                          size_t npath, const uint8_t root[32]);

#endif
