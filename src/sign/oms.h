/* OpenSSF Model Signing v1.0 signatures: a Sigstore bundle (v0.3 JSON)
 * holding a DSSE envelope whose payload is an in-toto Statement v1 with the
 * predicate https://model_signing/signature/v1.0
 * (../shared/reference/signing.md §1.1-§1.5, §1.8; OMS spec §4-§6).
 *
 * Writing produces what current model_signing (1.1.x) writes and verifies:
 * compact bundle JSON, keyid "", tlogEntries [], the key hint. Reading
 * accepts what model_signing has written over its versions: v0.2's
 * Digests/v0.1 predicate and compat PAE, v0.3.1-v1.0.x key bundles with
 * rawBytes/keyDetails, keyid null/""/absent, "." single-file names,
 * "<hash>-sharded-<N>" algorithms, shard_size as a double.
 */
#ifndef BRINE_SIGN_OMS_H
#define BRINE_SIGN_OMS_H

#include "manifest.h"

#define OMS_BUNDLE_MEDIA_TYPE "application/vnd.dev.sigstore.bundle.v0.3+json"
#define OMS_PAYLOAD_TYPE "application/vnd.in-toto+json"
#define OMS_STATEMENT_TYPE "https://in-toto.io/Statement/v1"
#define OMS_PREDICATE_TYPE "https://model_signing/signature/v1.0"
#define OMS_PREDICATE_COMPAT "https://model_signing/Digests/v0.1"

/* The in-toto payload for manifest m, as model_signing writes it
   (2-space indented JSON, keys _type, subject, predicateType, predicate;
   predicate.resources in manifest order, predicate.serialization with
   method, hash_type, allow_symlinks, ignore_paths, and shard_size for
   shards). Allocated through ctx, NUL-terminated. BRINE_OK;
   BRINE_E_UNSUPPORTED (a name or ignore path that is not UTF-8: JSON
   cannot hold it); BRINE_E_INVALID (shard size 0 or above INT64_MAX);
   BRINE_E_NOMEM. */
brine_result brinei_oms_payload(struct brine_ctx *ctx,
                                const struct brinei_manifest *m,
                                char **json, size_t *len);

/* DSSE pre-authentication encoding (DSSE protocol v1):
   "DSSEv1 <len(type)> <type> <len(body)> <body>". Allocated through ctx. */
brine_result brinei_dsse_pae(struct brine_ctx *ctx, const char *type,
                             const uint8_t *body, size_t n, uint8_t **out,
                             size_t *outlen);
/* model_signing v0.2's variant: "DSSEV1 <len(type)> <type> <len(body)> "
   followed by CPython's repr() of the body bytes (b'...'). */
brine_result brinei_dsse_pae_compat(struct brine_ctx *ctx, const char *type,
                                    const uint8_t *body, size_t n,
                                    uint8_t **out, size_t *outlen);

/* How a bundle says it was signed. */
enum brinei_oms_method {
  OMS_KEY,          /* publicKey (hint, or old rawBytes/keyDetails) */
  OMS_CERTIFICATE,  /* x509CertificateChain: leaf first */
  OMS_SIGSTORE,     /* certificate + tlogEntries (keyless) */
};

/* A bundle as read, every field validated before use. */
struct brinei_oms_bundle {
  enum brinei_oms_method method;
  char *media_type;
  char *hint;                /* publicKey.hint, or NULL */
  bool old_key_format;       /* rawBytes/keyDetails (v0.3.1-v1.0.x) */
  struct brinei_cert **certs;  /* chain (OMS_CERTIFICATE) or the one
                                  keyless certificate; leaf first */
  size_t ncerts;
  uint8_t *payload;          /* decoded DSSE payload (raw bytes) */
  size_t payload_len;
  char *payload_type;
  uint8_t *sig;              /* decoded signatures[0].sig */
  size_t sig_len;
  size_t nsigs;              /* signatures in the envelope */
  size_t ntlog;              /* tlogEntries */
};

/* Read a signature file strictly (jansson, duplicate keys rejected;
   base64 in either alphabet). BRINE_OK; BRINE_E_IO; BRINE_E_MALFORMED
   (not JSON, a missing or ill-typed field, bad base64, no dsseEnvelope,
   an envelope without exactly one signature: the message names the
   field); BRINE_E_UNSUPPORTED (messageSignature content, unknown bundle
   media type); BRINE_E_LIMIT (JSON over lim.memory/16, since jansson's
   memory is not counted, or more than 32 certificates); BRINE_E_NOMEM.
   An x509CertificateChain with transparency log entries is a keyless
   bundle of the pre-v0.3 kind (OMS_SIGSTORE). Free with brinei_oms_bundle_free. */
brine_result brinei_oms_bundle_read(struct brine_ctx *ctx, const char *path,
                                    struct brinei_oms_bundle *b);
brine_result brinei_oms_bundle_parse(struct brine_ctx *ctx,
                                     const char *json, size_t len,
                                     struct brinei_oms_bundle *b);
void brinei_oms_bundle_free(struct brine_ctx *ctx,
                            struct brinei_oms_bundle *b);

/* Check the envelope signature with key: the standard PAE with the
   curve's digest, then (as model_signing does) the v0.2 compat PAE with
   SHA-256. *compat tells which matched. BRINE_OK, BRINE_E_BADSIG,
   BRINE_E_CRYPTO, BRINE_E_NOMEM. */
brine_result brinei_oms_check_sig(struct brine_ctx *ctx,
                                  const struct brinei_oms_bundle *b,
                                  const struct brinei_key *key,
                                  bool *compat);

/* The manifest a verified payload states. The statement is checked:
   _type, payloadType, predicateType (v1.0 or Digests/v0.1), exactly one
   subject (v1.0) whose sha256 equals the root over the resources in listed
   order ("Manifest is inconsistent" otherwise), resources with name,
   algorithm and lowercase hex digest of the hash's length, serialization
   method files|shards with a known hash_type and an integral shard_size;
   shard names "path:start:end" parsed from the last two ':'. m->items keep
   the listed order; m->model_name is the subject name. BRINE_OK,
   BRINE_E_MALFORMED (the message names the field), BRINE_E_UNSUPPORTED
   (unknown predicate type or hash, e.g. blake3), BRINE_E_NOMEM. */
brine_result brinei_oms_statement(struct brine_ctx *ctx,
                                  const struct brinei_oms_bundle *b,
                                  struct brinei_manifest *m);

/* Write a bundle for payload (brinei_oms_payload's output) signed with a
   private key: signs PAE with the curve's digest; verification material is
   the key hint when ncerts is 0, else the certificate chain (leaf first;
   the leaf's key must equal key: BRINE_E_INVALID otherwise). The JSON is
   compact, allocated through ctx. BRINE_OK, BRINE_E_INVALID,
   BRINE_E_CRYPTO, BRINE_E_NOMEM. */
brine_result brinei_oms_bundle_write(struct brine_ctx *ctx,
                                     const char *payload, size_t plen,
                                     const struct brinei_key *key,
                                     struct brinei_cert *const *certs,
                                     size_t ncerts, char **json,
                                     size_t *len);

#endif
