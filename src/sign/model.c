/* The public signing API (include/brine/sign.h): hash a model, sign it,
 * verify it and explain precisely why a model does not match its
 * signature. The format is in oms.c, the hashing in manifest.c, the
 * cryptography in src/crypto/.
 *
 * Verification follows model_signing's order (signing.md §1.8): read the
 * bundle, check the key or the certificate chain (at the leaf's notBefore,
 * as model_signing does without a trusted timestamp), check the signature
 * over the PAE, read the statement and its root, hash the model with the
 * signature's serialization and ignore paths, compare name by name.
 */
#include "oms.h"
#include "sign_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "brine/sign.h"

struct brine_model_opts brine_model_opts_default(void)
{
  struct brine_model_opts o;
  memset(&o, 0, sizeof(o));
  o.hash = BRINE_HASH_SHA256;
  o.ignore_git = 1;
  return o;
}

/* Internal hashing options from the public ones; extra (the signature
   path, or NULL) is ignored as well. ign must have room for
   opts->nignore + 1 entries. */
static brine_result hash_opts(struct brine_ctx *ctx,
                              const struct brine_model_opts *opts,
                              const char *extra, const char **ign,
                              struct brinei_hash_opts *ho)
{
  memset(ho, 0, sizeof(*ho));
  if(opts->hash != BRINE_HASH_SHA256 && opts->hash != BRINE_HASH_BLAKE2B)
    return BRINE_FAIL(ctx, BRINE_E_INVALID, BRINE_NOOFF,
                      "unknown hash %d", (int)opts->hash);
  ho->hash = opts->hash == BRINE_HASH_BLAKE2B ? BRINEI_BLAKE2B
                                              : BRINEI_SHA256;
  ho->ser = opts->shard_size ? BRINEI_SER_SHARDS : BRINEI_SER_FILES;
  ho->shard_size = opts->shard_size;
  ho->allow_symlinks = opts->allow_symlinks != 0;
  ho->ignore_git = opts->ignore_git != 0;
  for(size_t i = 0; i < opts->nignore; i++)
    ign[i] = opts->ignore[i];
  ho->n_ignore = opts->nignore;
  if(extra)
    ign[ho->n_ignore++] = extra;
  ho->ignore = ign;
  ho->threads = opts->threads;
  ho->progress = opts->progress;
  ho->progress_ud = opts->progress_ud;
  return BRINE_OK;
}

static const char **ignore_array(struct brine_ctx *ctx,
                                 const struct brine_model_opts *opts)
{
  return brinei_calloc(ctx, opts->nignore + 1, sizeof(char *));
}

/* ---- manifests ---------------------------------------------------------- */

struct brine_manifest {
  struct brine_ctx *ctx;
  struct brinei_manifest m;
  char *hex;          /* n digests, each 2*BRINEI_HASH_MAX+1 bytes */
  uint8_t root[32];
};

brine_result brine_manifest_compute(struct brine_ctx *ctx, const char *path,
                                    const struct brine_model_opts *opts,
                                    struct brine_manifest **out)
{
  struct brinei_hash_opts ho;
  struct brine_manifest *bm;
  const char **ign;
  brine_result rc;
  struct brine_model_opts def = brine_model_opts_default();
  *out = NULL;
  if(!opts)
    opts = &def;
  ign = ignore_array(ctx, opts);
  bm = brinei_calloc(ctx, 1, sizeof(*bm));
  if(!ign || !bm) {
    brinei_free(ctx, ign);
    brinei_free(ctx, bm);
    return BRINE_E_NOMEM;
  }
  bm->ctx = ctx;
  rc = hash_opts(ctx, opts, NULL, ign, &ho);
  if(!rc)
    rc = brinei_manifest_build(ctx, path, &ho, &bm->m);
  brinei_free(ctx, ign);
  if(rc) {
    brinei_free(ctx, bm);
    return rc;
  }
  rc = brinei_manifest_root(ctx, &bm->m, bm->root);
  if(!rc && bm->m.n) {
    size_t w = 2 * BRINEI_HASH_MAX + 1, hl = brinei_hash_len(bm->m.hash);
    bm->hex = brinei_malloc(ctx, bm->m.n * w);
    if(!bm->hex)
      rc = BRINE_E_NOMEM;
    for(size_t i = 0; !rc && i < bm->m.n; i++)
      brinei_hex(bm->m.items[i].digest, hl, bm->hex + i * w);
  }
  if(rc) {
    brine_manifest_free(bm);
    return rc;
  }
  *out = bm;
  return BRINE_OK;
}

void brine_manifest_free(struct brine_manifest *bm)
{
  if(!bm)
    return;
  brinei_manifest_free(bm->ctx, &bm->m);
  brinei_free(bm->ctx, bm->hex);
  brinei_free(bm->ctx, bm);
}

size_t brine_manifest_count(const struct brine_manifest *bm)
{
  return bm->m.n;
}

const char *brine_manifest_resource(const struct brine_manifest *bm,
                                    size_t i, const char **digest_hex)
{
  if(i >= bm->m.n)
    return NULL;
  if(digest_hex)
    *digest_hex = bm->hex + i * (2 * BRINEI_HASH_MAX + 1);
  return bm->m.items[i].name;
}

void brine_manifest_root(const struct brine_manifest *bm, char *buf,
                         size_t n)
{
  char hex[65];
  brinei_hex(bm->root, 32, hex);
  snprintf(buf, n, "sha256:%s", hex);
}

brine_result brine_manifest_write(const struct brine_manifest *bm,
                                  FILE *out, brine_output fmt)
{
  char root[80];
  if(fmt == BRINE_OUT_JSON) {
    /* the statement that signing would sign */
    char *json;
    size_t len;
    brine_result rc = brinei_oms_payload(bm->ctx, &bm->m, &json, &len);
    if(rc)
      return rc;
    if(fwrite(json, 1, len, out) != len || fputc('\n', out) == EOF)
      rc = BRINE_E_IO;
    brinei_free(bm->ctx, json);
    return rc;
  }
  if(fmt != BRINE_OUT_TEXT)
    return BRINE_FAIL(bm->ctx, BRINE_E_INVALID, BRINE_NOOFF,
                      "hash writes text or json");
  for(size_t i = 0; i < bm->m.n; i++) {
    const char *hex;
    const char *name = brine_manifest_resource(bm, i, &hex);
    fprintf(out, "%s  %s\n", hex, name);
  }
  brine_manifest_root(bm, root, sizeof(root));
  fprintf(out, "%s  %s (%zu resources, %s%s)\n", root, bm->m.model_name,
          bm->m.n, brinei_hash_name(bm->m.hash),
          bm->m.ser == BRINEI_SER_SHARDS ? ", shards" : "");
  return ferror(out) ? BRINE_E_IO : BRINE_OK;
}

brine_result brinei_manifest_hash_like(struct brine_ctx *ctx,
                                       const char *path, const char *sig_path,
                                       const struct brine_model_opts *opts,
                                       const struct brinei_manifest *want,
                                       bool ignore_unsigned,
                                       struct brinei_manifest *got)
{
  struct brinei_hash_opts ho;
  const char **ign = ignore_array(ctx, opts);
  brine_result rc;
  if(!ign)
    return BRINE_E_NOMEM;
  rc = hash_opts(ctx, opts, sig_path, ign, &ho);
  if(!rc) {
    ho.hash = want->hash;
    ho.ser = want->ser;
    ho.shard_size = want->shard_size;
    ho.ignore_rel = (const char *const *)want->ignore;
    ho.n_ignore_rel = want->n_ignore;
    ho.only = ignore_unsigned ? want : NULL;
    rc = brinei_manifest_build(ctx, path, &ho, got);
  }
  brinei_free(ctx, ign);
  if(rc)
    return rc;
  if(got->n == 1 && !strcmp(got->items[0].name, ".") && want->n == 1 &&
     strcmp(want->items[0].name, ".") &&
     !strcmp(want->items[0].name, got->model_name)) {
    /* the spec names a single file by its basename, model_signing by
       "."; both mean the file itself */
    char *n = brinei_strndup(ctx, want->items[0].name,
                             strlen(want->items[0].name));
    if(!n) {
      brinei_manifest_free(ctx, got);
      return BRINE_E_NOMEM;
    }
    brinei_free(ctx, got->items[0].name);
    got->items[0].name = n;
  }
  return BRINE_OK;
}

/* ---- signing ------------------------------------------------------------ */

/* Write data to path through a temporary file in the same directory and
   a rename, so a reader sees the old file or the whole new one. */
static brine_result write_atomic(struct brine_ctx *ctx, const char *path,
                                 const char *data, size_t len)
{
  size_t pl = strlen(path);
  char *tmp = brinei_malloc(ctx, pl + 16);
  int fd;
  size_t off = 0;
  brine_result rc = BRINE_OK;
  if(!tmp)
    return BRINE_E_NOMEM;
  snprintf(tmp, pl + 16, "%s.tmp.XXXXXX", path);
  fd = mkstemp(tmp);
  if(fd < 0) {
    rc = BRINE_FAIL(ctx, BRINE_E_IO, BRINE_NOOFF, "%s: %s", path,
                    strerror(errno));
    brinei_free(ctx, tmp);
    return rc;
  }
  while(off < len) {
    ssize_t w = write(fd, data + off, len - off);
    if(w < 0 && errno == EINTR)
      continue;
    if(w <= 0) {
      rc = BRINE_FAIL(ctx, BRINE_E_IO, BRINE_NOOFF, "%s: %s", tmp,
                      strerror(errno));
      break;
    }
    off += (size_t)w;
  }
  if(!rc && (fchmod(fd, 0644) || fsync(fd)))
    rc = BRINE_FAIL(ctx, BRINE_E_IO, BRINE_NOOFF, "%s: %s", tmp,
                    strerror(errno));
  if(close(fd) && !rc)
    rc = BRINE_FAIL(ctx, BRINE_E_IO, BRINE_NOOFF, "%s: %s", tmp,
                    strerror(errno));
  if(!rc && rename(tmp, path))
    rc = BRINE_FAIL(ctx, BRINE_E_IO, BRINE_NOOFF, "%s: %s", path,
                    strerror(errno));
  if(rc)
    unlink(tmp);
  brinei_free(ctx, tmp);
  return rc;
}

brine_result brinei_load_cert_files(struct brine_ctx *ctx,
                                    const char *const *paths, size_t npaths,
                                    struct brinei_cert ***out, size_t *nout)
{
  struct brinei_cert **all = NULL;
  size_t n = 0, cap = 0;
  brine_result rc = BRINE_OK;
  for(size_t i = 0; !rc && i < npaths; i++) {
    struct brinei_cert **c = NULL;
    size_t k = 0;
    void *p = all;
    rc = brinei_cert_load_pem(ctx, paths[i], &c, &k);
    if(rc)
      break;
    rc = brinei_grow(ctx, &p, &cap, n + k, sizeof(*all), 4096);
    if(rc) {
      brinei_certs_free(ctx, c, k);
      break;
    }
    all = p;
    memcpy(all + n, c, k * sizeof(*c));
    n += k;
    brinei_free(ctx, c);  /* the certificates moved to `all` */
  }
  if(rc) {
    brinei_certs_free(ctx, all, n);
    return rc;
  }
  *out = all;
  *nout = n;
  return BRINE_OK;
}

brine_result brine_sign_model(struct brine_ctx *ctx, const char *path,
                              const struct brine_model_opts *opts,
                              const struct brine_signer *signer,
                              const char *sig_path)
{
  struct brine_model_opts def = brine_model_opts_default();
  struct brinei_key *key = NULL;
  struct brinei_cert **certs = NULL;
  size_t ncerts = 0;
  struct brinei_hash_opts ho;
  struct brinei_manifest m;
  const char **ign = NULL;
  char *payload = NULL, *bundle = NULL;
  size_t plen, blen;
  brine_result rc;
  enum brinei_keytype kt;
  if(!opts)
    opts = &def;
  if(!signer || !signer->key || !sig_path)
    return BRINE_FAIL(ctx, BRINE_E_INVALID, BRINE_NOOFF,
                      "signing needs a private key and a signature path");
  if(!signer->certificate && signer->nchain)
    return BRINE_FAIL(ctx, BRINE_E_INVALID, BRINE_NOOFF,
                      "a certificate chain needs a signing certificate");
  rc = brinei_key_load_private(ctx, signer->key, signer->password, &key);
  if(rc)
    return rc;
  kt = brinei_key_type(key);
  if(kt != BRINEI_KEY_EC_P256 && kt != BRINEI_KEY_EC_P384 &&
     kt != BRINEI_KEY_EC_P521) {
    rc = BRINE_FAIL(ctx, BRINE_E_UNSUPPORTED, BRINE_NOOFF,
                    "%s: a %s key; OpenSSF Model Signing keys are ECDSA "
                    "P-256, P-384 or P-521", signer->key,
                    brinei_key_describe(key));
    goto out;
  }
  if(signer->certificate) {
    const char **files = brinei_calloc(ctx, signer->nchain + 1,
                                       sizeof(char *));
    if(!files) {
      rc = BRINE_E_NOMEM;
      goto out;
    }
    files[0] = signer->certificate;
    for(size_t i = 0; i < signer->nchain; i++)
      files[i + 1] = signer->chain[i];
    rc = brinei_load_cert_files(ctx, files, signer->nchain + 1, &certs,
                                &ncerts);
    brinei_free(ctx, files);
    if(rc)
      goto out;
  }
  ign = ignore_array(ctx, opts);
  if(!ign) {
    rc = BRINE_E_NOMEM;
    goto out;
  }
  rc = hash_opts(ctx, opts, sig_path, ign, &ho);
  if(!rc)
    rc = brinei_manifest_build(ctx, path, &ho, &m);
  if(rc)
    goto out;
  rc = brinei_oms_payload(ctx, &m, &payload, &plen);
  brinei_manifest_free(ctx, &m);
  if(!rc)
    rc = brinei_oms_bundle_write(ctx, payload, plen, key, certs, ncerts,
                                 &bundle, &blen);
  if(!rc)
    rc = write_atomic(ctx, sig_path, bundle, blen);
out:
  brinei_free(ctx, payload);
  brinei_free(ctx, bundle);
  brinei_free(ctx, ign);
  brinei_certs_free(ctx, certs, ncerts);
  brinei_key_free(key);
  return rc;
}
