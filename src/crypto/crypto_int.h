/* Private to src/crypto/: the OpenSSL objects behind crypto.h's opaque
 * types, and glue the crypto files share. Only src/crypto/ includes it. */
#ifndef BRINE_CRYPTO_INT_H
#define BRINE_CRYPTO_INT_H

#include "crypto.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

/* The wrappers are allocated with OPENSSL_zalloc, not through a ctx: their
   free functions take no ctx (crypto.h), and libcrypto's own objects are
   outside the budget anyway. */
struct brinei_md {
  EVP_MD_CTX *c;        /* owned */
  const EVP_MD *md;     /* borrowed from the fetched-digest cache */
};

struct brinei_key {
  EVP_PKEY *pk;               /* owned */
  enum brinei_keytype type;
  bool priv;                  /* holds the private half */
  char desc[48];              /* brinei_key_describe */
};

struct brinei_cert {
  X509 *x;              /* owned */
  uint8_t *der;         /* owned (OPENSSL_malloc): the encoding as parsed */
  size_t derlen;
  time_t not_before;    /* validated when the cert is wrapped */
  time_t not_after;
};

/* The fetched EVP_MD for h (fetched once per process, never freed); NULL
   when libcrypto does not provide it. Thread-safe. */
const EVP_MD *brinei_evp_md(enum brinei_hash h);

/* Record a failure on ctx with OpenSSL's most recent reason appended, then
   empty this thread's OpenSSL error queue. Returns code. */
brine_result brinei_ossl_fail(struct brine_ctx *ctx, brine_result code,
                              int line, const char *fmt, ...)
    BRINE_PRINTF(4, 5);
#define BRINEI_OSSL_FAIL(ctx, code, ...) \
  brinei_ossl_fail((ctx), (code), __LINE__, __VA_ARGS__)

/* Wrap pk (ownership passes, also on failure). BRINE_OK, BRINE_E_NOMEM. */
brine_result brinei_key_wrap(struct brine_ctx *ctx, EVP_PKEY *pk, bool priv,
                             struct brinei_key **out);

/* A memory BIO over a mapped file or caller bytes; NULL (error recorded)
   when n is 0 or does not fit an int. */
BIO *brinei_mem_bio(struct brine_ctx *ctx, const uint8_t *p, size_t n,
                    const char *what);

/* pem_password_cb that never prompts: u is the password or NULL. */
int brinei_pem_password(char *buf, int size, int rwflag, void *u);

#endif
