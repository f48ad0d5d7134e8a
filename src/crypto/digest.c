/* Message digests for model hashing and signing: SHA-256/384/512 and
 * BLAKE2b-512, streaming or one-shot.
 *
 * SPEC: OMS hash_type "sha256" and "blake2b" (= Python hashlib.blake2b(),
 * 64-byte digest; reference/signing.md §1.5); ECDSA curve hashes (§1.4).
 *
 * The EVP_MDs are fetched once per process: an EVP_sha256()-style legacy
 * object would be fetched again by every EVP_DigestInit_ex. The update path
 * is a bare EVP_DigestUpdate, since the hashing engine streams gigabytes
 * through it on several threads. */
#include "../internal.h"
#include "crypto_int.h"

#include <pthread.h>

#include <openssl/err.h>

static const struct {
  const char *name;   /* brine's and OMS's name */
  const char *ossl;   /* OpenSSL's fetch name */
  size_t len;
} hashes[] = {
  [BRINEI_SHA256] = { "sha256", "SHA2-256", 32 },
  [BRINEI_SHA384] = { "sha384", "SHA2-384", 48 },
  [BRINEI_SHA512] = { "sha512", "SHA2-512", 64 },
  [BRINEI_BLAKE2B] = { "blake2b", "BLAKE2B-512", 64 },
};
#define N_HASHES BRINE_ARRAY_LEN(hashes)

static EVP_MD *fetched[N_HASHES];
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static void fetch_all(void)
{
  for(size_t i = 0; i < N_HASHES; i++)
    fetched[i] = EVP_MD_fetch(NULL, hashes[i].ossl, NULL);
  ERR_clear_error();  /* a missing algorithm shows up as NULL later */
}

static bool hash_ok(enum brinei_hash h)
{
  return (size_t)h < N_HASHES;
}

const EVP_MD *brinei_evp_md(enum brinei_hash h)
{
  if(!hash_ok(h) || pthread_once(&fetch_once, fetch_all))
    return NULL;
  return fetched[h];
}

size_t brinei_hash_len(enum brinei_hash h)
{
  return hash_ok(h) ? hashes[h].len : 0;
}

const char *brinei_hash_name(enum brinei_hash h)
{
  return hash_ok(h) ? hashes[h].name : "unknown";
}

bool brinei_hash_parse(const char *name, enum brinei_hash *out)
{
  for(size_t i = 0; i < N_HASHES; i++) {
    if(!strcmp(name, hashes[i].name)) {
      *out = (enum brinei_hash)i;
      return true;
    }
  }
  return false;
}

struct brinei_md *brinei_md_new(enum brinei_hash h)
{
  const EVP_MD *md = brinei_evp_md(h);
  struct brinei_md *m;
  if(!md)
    return NULL;
  m = OPENSSL_zalloc(sizeof(*m));
  if(!m)
    return NULL;
  m->md = md;
  m->c = EVP_MD_CTX_new();
  if(!m->c || EVP_DigestInit_ex(m->c, md, NULL) != 1) {
    ERR_clear_error();
    brinei_md_free(m);
    return NULL;
  }
  return m;
}

bool brinei_md_update(struct brinei_md *md, const void *p, size_t n)
{
  if(BRINE_LIKELY(EVP_DigestUpdate(md->c, p, n) == 1))
    return true;
  ERR_clear_error();
  return false;
}

bool brinei_md_final(struct brinei_md *md, uint8_t *out)
{
  /* re-initialising with the same fetched EVP_MD keeps the provider
     context: no new fetch, no allocation */
  if(EVP_DigestFinal_ex(md->c, out, NULL) == 1 &&
     EVP_DigestInit_ex(md->c, md->md, NULL) == 1)
    return true;
  ERR_clear_error();
  return false;
}

void brinei_md_free(struct brinei_md *md)
{
  if(!md)
    return;
  EVP_MD_CTX_free(md->c);
  OPENSSL_free(md);
}

brine_result brinei_digest(struct brine_ctx *ctx, enum brinei_hash h,
                           const void *p, size_t n, uint8_t *out)
{
  const EVP_MD *md = brinei_evp_md(h);
  if(!md)
    return BRINE_FAIL(ctx, BRINE_E_CRYPTO, BRINE_NOOFF,
                      "digest %s is not available in libcrypto",
                      brinei_hash_name(h));
  if(EVP_Digest(p, n, out, NULL, md, NULL) != 1)
    return BRINEI_OSSL_FAIL(ctx, BRINE_E_CRYPTO, "%s digest failed",
                            brinei_hash_name(h));
  return BRINE_OK;
}
