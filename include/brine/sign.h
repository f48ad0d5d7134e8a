/* brine: signing and verifying whole models in the OpenSSF Model Signing
 * (OMS) v1.0 format, compatible with the reference `model_signing` tool.
 * See docs/sign.md, docs/verify.md and docs/hash.md.
 *
 * A model is a file or a directory. Its manifest lists the digest of every
 * file (or of every shard of every file) in model_signing's order; the
 * signature is a Sigstore bundle holding a DSSE envelope over an in-toto
 * statement of that manifest.
 */
#ifndef BRINE_SIGN_H
#define BRINE_SIGN_H

#include <stdint.h>
#include <stdio.h>

#include "brine/brine.h"
#include "brine/scan.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  BRINE_HASH_SHA256 = 0,
  BRINE_HASH_BLAKE2B = 1   /* BLAKE2b-512 */
} brine_hash;

/* What is hashed, and how. Start from brine_model_opts_default(). */
struct brine_model_opts {
  brine_hash hash;               /* default SHA-256 */
  uint64_t shard_size;           /* 0 (default): one digest per file;
                                    N: one per N-byte shard */
  const char *const *ignore;     /* paths left out: absolute or relative to
                                    the current directory (borrowed) */
  size_t nignore;
  int ignore_git;                /* 1 (default): leave out .git,
                                    .gitattributes, .github, .gitignore at
                                    the model's top level */
  int allow_symlinks;            /* 0 (default): a symbolic link is an
                                    error; 1: hashed as its target */
  unsigned threads;              /* 0 (default): every core */
  /* Called on the calling thread as hashing advances (may be NULL). */
  void (*progress)(void *ud, uint64_t done, uint64_t total);
  void *progress_ud;
};
struct brine_model_opts brine_model_opts_default(void);

/* ---- manifests (brine hash) ---------------------------------------- */

struct brine_manifest; /* opaque */

/* Hash the model at path. *out is owned (brine_manifest_free). Returns
   BRINE_OK; BRINE_E_NOTFOUND (no such path); BRINE_E_POLICY (a symbolic
   link without allow_symlinks, a socket, FIFO or broken link); BRINE_E_IO;
   BRINE_E_LIMIT (more files than lim.entries); BRINE_E_INVALID (bad
   options); BRINE_E_CRYPTO; BRINE_E_NOMEM. The context's error says
   which path. */
brine_result brine_manifest_compute(struct brine_ctx *ctx, const char *path,
                                    const struct brine_model_opts *opts,
                                    struct brine_manifest **out);
void brine_manifest_free(struct brine_manifest *m);
/* Number of resources, and resource i's name and lowercase hex digest
   (borrowed, valid while m lives; NULL when i is out of range). */
size_t brine_manifest_count(const struct brine_manifest *m);
const char *brine_manifest_resource(const struct brine_manifest *m,
                                    size_t i, const char **digest_hex);
/* The OMS root digest "sha256:<hex>" (SHA-256 over the resources'
   digests in order), into buf (at least 72 bytes). */
void brine_manifest_root(const struct brine_manifest *m, char *buf,
                         size_t n);
/* Write the manifest as text (one "digest  name" line per resource, then
   the root) or JSON (docs/hash.md). BRINE_OK, BRINE_E_IO, BRINE_E_NOMEM,
   BRINE_E_INVALID (fmt sarif). */
brine_result brine_manifest_write(const struct brine_manifest *m, FILE *out,
                                  brine_output fmt);

/* ---- signing ------------------------------------------------------- */

/* Who signs: a private key (EC P-256, P-384 or P-521, PEM), and for the
   certificate method its certificate and the chain that leads to a CA. */
struct brine_signer {
  const char *key;               /* private key PEM file */
  const char *password;          /* for an encrypted key, or NULL */
  const char *certificate;       /* leaf certificate PEM, or NULL */
  const char *const *chain;      /* further certificate PEM files, leaf's
                                    issuer first (borrowed) */
  size_t nchain;
};

/* Sign the model at path and write the signature to sig_path atomically
   (a temporary file renamed into place; nothing is left behind on
   failure). sig_path is left out of the hashing when it lies inside the
   model. Returns BRINE_OK; the results of brine_manifest_compute;
   BRINE_E_IO (keys or certificates unreadable, the signature not
   writable); BRINE_E_MALFORMED (a key or certificate that does not parse);
   BRINE_E_UNSUPPORTED (a key that is not EC P-256/384/521); BRINE_E_INVALID
   (the certificate's key is not the signing key); BRINE_E_CRYPTO. */
brine_result brine_sign_model(struct brine_ctx *ctx, const char *path,
                              const struct brine_model_opts *opts,
                              const struct brine_signer *signer,
                              const char *sig_path);

/* ---- verifying ----------------------------------------------------- */

/* What is trusted: a public key, CA certificates (PEM files whose
   certificates are all trust anchors), or a Sigstore identity. Exactly
   one of the three. */
struct brine_trust {
  const char *key;               /* public key PEM file, or NULL */
  const char *const *ca;         /* CA certificate files (borrowed) */
  size_t nca;
  /* keyless Sigstore: the certificate identity (a SAN: email, URI) and
     OIDC issuer that must have signed, matched exactly (identity_regex:
     identity is a POSIX extended regex matched against the whole SAN) */
  const char *identity;
  const char *issuer;
  int identity_regex;
  const char *trusted_root;      /* trusted_root.json, or NULL for the
                                    embedded Sigstore production root */
};

typedef enum {
  BRINE_DIFF_CHANGED = 0,   /* same name, other content */
  BRINE_DIFF_ADDED = 1,     /* in the model, not in the signature */
  BRINE_DIFF_REMOVED = 2,   /* in the signature, not in the model */
  BRINE_DIFF_RENAMED = 3    /* content signed under `name` now at `to` */
} brine_diff_kind;

struct brine_diff {
  brine_diff_kind kind;
  const char *name;
  const char *to;           /* BRINE_DIFF_RENAMED only, else NULL */
};

struct brine_verification; /* opaque: the outcome of one verification */

/* Verify the model at path against the signature at sig_path. opts gives
   the ignore paths, allow_symlinks, threads and progress (hash and shard
   size come from the signature). ignore_unsigned: hash only the files the
   signature names. *out (owned, brine_verification_free) says whether the
   model is valid and, when not, exactly why.
   Returns BRINE_OK when a decision was reached (valid or invalid);
   BRINE_E_IO, BRINE_E_NOTFOUND (model, signature or trust files
   missing); BRINE_E_MALFORMED (the signature file breaks the format);
   BRINE_E_UNSUPPORTED (an unknown hash); BRINE_E_INVALID (trust names
   none or several); BRINE_E_NOMEM; *out is NULL then. A keyless Sigstore
   signature is verified against trust->identity and trust->issuer
   offline (brine_verify_blob's checks); failures there make the model
   invalid (code "sigstore"). */
brine_result brine_verify_model(struct brine_ctx *ctx, const char *path,
                                const char *sig_path,
                                const struct brine_model_opts *opts,
                                const struct brine_trust *trust,
                                int ignore_unsigned,
                                struct brine_verification **out);
void brine_verification_free(struct brine_verification *v);
/* 1 valid, 0 invalid. */
int brine_verification_valid(const struct brine_verification *v);
/* Why it is invalid, one sentence; "" when valid (borrowed). */
const char *brine_verification_reason(const struct brine_verification *v);
/* A stable code for the reason: "ok", "signature", "key-mismatch",
   "chain", "manifest", "inconsistent", "statement" (docs/verify.md). */
const char *brine_verification_code(const struct brine_verification *v);
size_t brine_verification_ndiffs(const struct brine_verification *v);
const struct brine_diff *brine_verification_diff(
    const struct brine_verification *v, size_t i);
/* Write the outcome as text or JSON (docs/verify.md). BRINE_OK,
   BRINE_E_IO, BRINE_E_NOMEM, BRINE_E_INVALID (fmt sarif). */
brine_result brine_verification_write(const struct brine_verification *v,
                                      FILE *out, brine_output fmt);

/* ---- single artifacts (brine verify-blob) --------------------------- */

/* Verify a Sigstore bundle (v0.1-v0.3, message signature or DSSE; the
   files sigstore-python, cosign v3 and brine write) over an artifact
   (`artifact` a file path) or its SHA-256 (`sha256`, 32 bytes, when
   artifact is NULL), offline, against trust->key or trust->identity and
   trust->issuer, with trust->trusted_root or the embedded production
   root. Returns BRINE_OK when valid; BRINE_E_BADSIG when a check failed
   and BRINE_E_POLICY when the identity or issuer differs (the context's
   message starts with a reason code: docs/verify-blob.md); BRINE_E_IO,
   BRINE_E_NOTFOUND, BRINE_E_MALFORMED (a bundle or trusted root that
   breaks its format), BRINE_E_UNSUPPORTED, BRINE_E_INVALID (bad trust),
   BRINE_E_NOMEM. */
brine_result brine_verify_blob(struct brine_ctx *ctx, const char *bundle,
                               const char *artifact, const uint8_t *sha256,
                               const struct brine_trust *trust);

#ifdef __cplusplus
}
#endif
#endif
