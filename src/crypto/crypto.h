/* Hashing, keys, signatures and X.509 for the signing code, over OpenSSL 3
 * libcrypto. Only src/crypto/ includes OpenSSL headers; the rest of brine
 * sees these opaque types.
 *
 * Conventions: functions that can fail take a ctx, record a sentence on it
 * with BRINE_FAIL and return the code; out-parameters are written only on
 * BRINE_OK. Objects returned through `**out` are owned by the caller and
 * freed with the matching *_free (NULL-safe). Digest contexts are the only
 * objects that may be used from worker threads (one per thread); they never
 * touch a ctx after creation.
 */
#ifndef BRINE_CRYPTO_H
#define BRINE_CRYPTO_H

#include "../internal.h"

#include <time.h>

/* ---- digests ---- */
enum brinei_hash {
  BRINEI_SHA256,
  BRINEI_SHA384,
  BRINEI_SHA512,
  BRINEI_BLAKE2B,  /* BLAKE2b-512, as Python's hashlib.blake2b() */
};
#define BRINEI_HASH_MAX 64  /* largest digest, bytes */

/* Digest length in bytes (32, 48, 64, 64). */
size_t brinei_hash_len(enum brinei_hash h);
/* "sha256", "sha384", "sha512", "blake2b". */
const char *brinei_hash_name(enum brinei_hash h);
/* Parse one of the names above; false when unknown. */
bool brinei_hash_parse(const char *name, enum brinei_hash *out);

struct brinei_md;  /* a streaming digest (EVP_MD_CTX) */
/* NULL when libcrypto cannot allocate. Usable from any one thread. */
struct brinei_md *brinei_md_new(enum brinei_hash h);
/* Both return false only on a libcrypto failure. final writes
   brinei_hash_len(h) bytes and leaves md ready for a new message. */
bool brinei_md_update(struct brinei_md *md, const void *p, size_t n);
bool brinei_md_final(struct brinei_md *md, uint8_t *out);
void brinei_md_free(struct brinei_md *md);
/* One-shot digest. BRINE_OK or BRINE_E_CRYPTO. */
brine_result brinei_digest(struct brine_ctx *ctx, enum brinei_hash h,
                           const void *p, size_t n, uint8_t *out);

/* ---- encodings ---- */
/* Lowercase hex of n bytes into out (2n+1 bytes, NUL-terminated). */
void brinei_hex(const uint8_t *p, size_t n, char *out);
/* Strict base64 decode: the standard or the URL-safe alphabet (one of
   them, not mixed), padding required for the standard alphabet when the
   length is not a multiple of 4 unless `lax_pad`; no whitespace. *out is
   allocated through ctx (brinei_free). BRINE_OK, BRINE_E_MALFORMED,
   BRINE_E_NOMEM. */
brine_result brinei_b64_decode(struct brine_ctx *ctx, const char *s,
                               size_t n, bool lax_pad, uint8_t **out,
                               size_t *outlen);
/* Standard alphabet with padding, NUL-terminated, allocated through ctx.
   NULL when out of memory. */
char *brinei_b64_encode(struct brine_ctx *ctx, const uint8_t *p, size_t n);

/* ---- keys ---- */
enum brinei_keytype {
  BRINEI_KEY_EC_P256,
  BRINEI_KEY_EC_P384,
  BRINEI_KEY_EC_P521,
  BRINEI_KEY_ED25519,
  BRINEI_KEY_RSA,
  BRINEI_KEY_OTHER,
};
struct brinei_key;  /* EVP_PKEY: a public key, or a private key with it */

/* Load a PEM private key (PKCS#8, SEC1 "EC PRIVATE KEY" or traditional),
   decrypting with `password` when not NULL. BRINE_OK, BRINE_E_IO (cannot
   read path), BRINE_E_MALFORMED (not a PEM private key, wrong password),
   BRINE_E_NOMEM. */
brine_result brinei_key_load_private(struct brine_ctx *ctx, const char *path,
                                     const char *password,
                                     struct brinei_key **out);
/* Load a PEM public key (SubjectPublicKeyInfo). From memory: the bytes
   need not be NUL-terminated. Same results as above. */
brine_result brinei_key_load_public(struct brine_ctx *ctx, const char *path,
                                    struct brinei_key **out);
brine_result brinei_key_parse_public_pem(struct brine_ctx *ctx,
                                         const uint8_t *pem, size_t n,
                                         struct brinei_key **out);
/* From DER SubjectPublicKeyInfo (trusted roots carry keys this way). */
brine_result brinei_key_parse_public_der(struct brine_ctx *ctx,
                                         const uint8_t *der, size_t n,
                                         struct brinei_key **out);
void brinei_key_free(struct brinei_key *k);

enum brinei_keytype brinei_key_type(const struct brinei_key *k);
/* Human name: "ECDSA P-256", "Ed25519", "RSA-3072", ... (held by the
   key; valid while it lives). */
const char *brinei_key_describe(const struct brinei_key *k);
/* The digest OMS pairs with an EC curve: P-256 SHA-256, P-384 SHA-384,
   P-521 SHA-512; SHA-256 for anything else. */
enum brinei_hash brinei_key_curve_hash(const struct brinei_key *k);
/* True when both hold the same public key. */
bool brinei_key_equal(const struct brinei_key *a, const struct brinei_key *b);

/* The public key as PEM SubjectPublicKeyInfo text exactly as OpenSSL's
   PEM_write_bio_PUBKEY writes it (64-column base64, "\n" line ends), NUL-
   terminated, allocated through ctx. */
brine_result brinei_key_public_pem(struct brine_ctx *ctx,
                                   const struct brinei_key *k, char **pem,
                                   size_t *len);
/* DER SubjectPublicKeyInfo, allocated through ctx. */
brine_result brinei_key_public_der(struct brine_ctx *ctx,
                                   const struct brinei_key *k, uint8_t **der,
                                   size_t *len);
/* OMS key hint: lowercase hex SHA-256 of brinei_key_public_pem (65 bytes
   with the NUL). */
brine_result brinei_key_hint(struct brine_ctx *ctx,
                             const struct brinei_key *k, char hex[65]);
/* Sigstore/cosign key id: SHA-256 of the DER SubjectPublicKeyInfo. */
brine_result brinei_key_id(struct brine_ctx *ctx, const struct brinei_key *k,
                           uint8_t id[32]);

/* Sign msg with a private key: ECDSA over digest h, DER-encoded signature
   (Ed25519: pure, h ignored). *sig is allocated through ctx. BRINE_OK,
   BRINE_E_INVALID (public key only; BLAKE2b with ECDSA or RSA),
   BRINE_E_UNSUPPORTED (a key type other than those of enum
   brinei_keytype), BRINE_E_CRYPTO, BRINE_E_NOMEM. */
brine_result brinei_sign(struct brine_ctx *ctx, const struct brinei_key *k,
                         enum brinei_hash h, const void *msg, size_t n,
                         uint8_t **sig, size_t *siglen);
/* Verify sig over msg (ECDSA DER over digest h; RSA PKCS#1 v1.5 over h;
   Ed25519 pure). BRINE_OK, BRINE_E_BADSIG (not valid, including a
   malformed signature), BRINE_E_UNSUPPORTED (key type), BRINE_E_INVALID
   (BLAKE2b with ECDSA or RSA), BRINE_E_CRYPTO. Records no error for BADSIG
   beyond a short sentence. */
brine_result brinei_verify(struct brine_ctx *ctx, const struct brinei_key *k,
                           enum brinei_hash h, const void *msg, size_t n,
                           const uint8_t *sig, size_t siglen);
/* Verify over an already computed digest (ECDSA and RSA only). Same
   results. */
brine_result brinei_verify_digest(struct brine_ctx *ctx,
                                  const struct brinei_key *k,
                                  enum brinei_hash h, const uint8_t *dig,
                                  const uint8_t *sig, size_t siglen);

/* ---- X.509 ---- */
struct brinei_cert;  /* X509 */

brine_result brinei_cert_parse_der(struct brine_ctx *ctx, const uint8_t *der,
                                   size_t n, struct brinei_cert **out);
/* The first CERTIFICATE block of PEM text in memory. BRINE_OK,
   BRINE_E_MALFORMED, BRINE_E_NOMEM. */
brine_result brinei_cert_parse_pem(struct brine_ctx *ctx, const uint8_t *pem,
                                   size_t n, struct brinei_cert **out);
/* Every CERTIFICATE block of a PEM file, in file order; at least one.
   *certs is an array allocated through ctx; free with
   brinei_certs_free. BRINE_OK, BRINE_E_IO, BRINE_E_MALFORMED,
   BRINE_E_NOMEM. */
brine_result brinei_cert_load_pem(struct brine_ctx *ctx, const char *path,
                                  struct brinei_cert ***certs, size_t *n);
void brinei_certs_free(struct brine_ctx *ctx, struct brinei_cert **certs,
                       size_t n);
void brinei_cert_free(struct brinei_cert *c);

/* DER bytes, borrowed from the cert (valid while it lives). */
const uint8_t *brinei_cert_der(const struct brinei_cert *c, size_t *n);
/* The subject public key; owned by the caller. */
brine_result brinei_cert_key(struct brine_ctx *ctx,
                             const struct brinei_cert *c,
                             struct brinei_key **out);
time_t brinei_cert_not_before(const struct brinei_cert *c);
time_t brinei_cert_not_after(const struct brinei_cert *c);
/* One-line subject, RFC 2253 form, into buf (truncated to fit). */
void brinei_cert_subject(const struct brinei_cert *c, char *buf, size_t n);

/* Usage the leaf must allow. */
#define BRINEI_USE_SIGN 1u      /* KU digitalSignature or EKU codeSigning */
#define BRINEI_USE_CODESIGN 2u  /* EKU codeSigning (Fulcio leaves) */

/* Validate leaf up to one of `anchors` through `untrusted`
   intermediates, at time `at` (never the wall clock), with the usage
   bits above. Every anchor is trusted as given (self-signed or not,
   X509_V_FLAG_PARTIAL_CHAIN). BRINE_OK, BRINE_E_BADSIG (the chain does
   not validate: the message says why, from OpenSSL's verify error and the
   depth), BRINE_E_CRYPTO, BRINE_E_NOMEM. */
brine_result brinei_cert_verify(struct brine_ctx *ctx,
                                const struct brinei_cert *leaf,
                                struct brinei_cert *const *untrusted,
                                size_t n_untrusted,
                                struct brinei_cert *const *anchors,
                                size_t n_anchors, time_t at, unsigned use);

/* Parse an RFC 3339 UTC time ("2021-01-12T11:53:27Z", fractional seconds
   allowed and dropped); false when malformed. */
bool brinei_parse_rfc3339(const char *s, time_t *out);

#endif
