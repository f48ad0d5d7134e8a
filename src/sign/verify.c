/* brine_verify_model: is this model what was signed, and by whom we
 * trust? (signing.md §1.8; OMS spec §8). The outcome says precisely why
 * not: the key, the chain, the signature, the statement, or which files
 * changed, appeared, disappeared or were renamed.
 */
#include "oms.h"
#include "sign_internal.h"
#include "sigstore.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "brine/sign.h"

struct brine_verification {
  struct brine_ctx *ctx;
  bool valid;
  const char *code;          /* static */
  char reason[512];
  char *model, *signature;   /* owned */
  const char *method;        /* "key", "certificate" */
  char signer[256];          /* key hint or certificate subject */
  const char *predicate;     /* static */
  size_t resources;
  char root[72];
  struct brine_diff *diffs;  /* owned, with their strings */
  size_t ndiffs, cap;
  char note[256];            /* a warning for people, or "" */
};

static void invalid(struct brine_verification *v, const char *code,
                    const char *fmt, ...) BRINE_PRINTF(3, 4);
static void invalid(struct brine_verification *v, const char *code,
                    const char *fmt, ...)
{
  va_list ap;
  v->valid = false;
  v->code = code;
  va_start(ap, fmt);
  vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
  va_end(ap);
}

static brine_result add_diff(struct brine_verification *v,
                             brine_diff_kind kind, const char *name,
                             const char *to)
{
  struct brine_ctx *ctx = v->ctx;
  void *p = v->diffs;
  struct brine_diff *d;
  if(brinei_grow(ctx, &p, &v->cap, v->ndiffs + 1, sizeof(*d),
                 SIZE_MAX / sizeof(*d)))
    return BRINE_E_NOMEM;
  v->diffs = p;
  d = &v->diffs[v->ndiffs];
  d->kind = kind;
  d->name = brinei_strndup(ctx, name, strlen(name));
  d->to = to ? brinei_strndup(ctx, to, strlen(to)) : NULL;
  if(!d->name || (to && !d->to)) {
    brinei_free(ctx, (void *)d->name);
    brinei_free(ctx, (void *)d->to);
    return BRINE_E_NOMEM;
  }
  v->ndiffs++;
  return BRINE_OK;
}

/* ---- comparing manifests ------------------------------------------------ */

struct entry {
  const char *name;
  const uint8_t *digest;
  bool used;
};

static int cmp_entry(const void *a, const void *b)
{
  return strcmp(((const struct entry *)a)->name,
                ((const struct entry *)b)->name);
}

static struct entry *entries(struct brine_ctx *ctx,
                             const struct brinei_manifest *m)
{
  struct entry *e = brinei_calloc(ctx, m->n ? m->n : 1, sizeof(*e));
  if(!e)
    return NULL;
  for(size_t i = 0; i < m->n; i++) {
    e[i].name = m->items[i].name;
    e[i].digest = m->items[i].digest;
  }
  qsort(e, m->n, sizeof(*e), cmp_entry);
  return e;
}

/* Every difference between what was signed (want) and what is there
   (got), by name; a removed and an added resource with the same digest
   are one rename. */
static brine_result compare(struct brine_verification *v,
                            const struct brinei_manifest *want,
                            const struct brinei_manifest *got)
{
  struct brine_ctx *ctx = v->ctx;
  size_t hl = brinei_hash_len(want->hash), i = 0, j = 0;
  struct entry *a = entries(ctx, want), *b = entries(ctx, got);
  brine_result rc = BRINE_OK;
  if(!a || !b) {
    rc = BRINE_E_NOMEM;
    goto out;
  }
  while(i < want->n && j < got->n) {
    int c = strcmp(a[i].name, b[j].name);
    if(c == 0) {
      a[i].used = b[j].used = true;
      if(memcmp(a[i].digest, b[j].digest, hl))
        rc = rc ? rc : add_diff(v, BRINE_DIFF_CHANGED, a[i].name, NULL);
      i++;
      j++;
    }
    else if(c < 0)
      i++;
    else
      j++;
  }
  /* renames: an unmatched signed resource whose digest an unmatched
     present one has */
  for(i = 0; !rc && i < want->n; i++) {
    if(a[i].used)
      continue;
    for(j = 0; j < got->n; j++) {
      if(!b[j].used && !memcmp(a[i].digest, b[j].digest, hl)) {
        a[i].used = b[j].used = true;
        rc = add_diff(v, BRINE_DIFF_RENAMED, a[i].name, b[j].name);
        break;
      }
    }
    if(!rc && !a[i].used)
      rc = add_diff(v, BRINE_DIFF_REMOVED, a[i].name, NULL);
  }
  for(j = 0; !rc && j < got->n; j++)
    if(!b[j].used)
      rc = add_diff(v, BRINE_DIFF_ADDED, b[j].name, NULL);
out:
  brinei_free(ctx, a);
  brinei_free(ctx, b);
  return rc;
}

/* ---- trust -------------------------------------------------------------- */

/* Check the bundle's signer against what is trusted; sets v invalid or
   returns the key that must have signed (*key, owned). */
static brine_result check_signer(struct brine_verification *v,
                                 const struct brinei_oms_bundle *b,
                                 const struct brine_trust *trust,
                                 struct brinei_key **key)
{
  struct brine_ctx *ctx = v->ctx;
  brine_result rc;
  *key = NULL;
  if(b->method == OMS_KEY) {
    char hint[65];
    v->method = "key";
    if(!trust->key) {
      invalid(v, "key-mismatch", "the signature was made with a key; "
              "verify it with --key");
      return BRINE_OK;
    }
    rc = brinei_key_load_public(ctx, trust->key, key);
    if(rc)
      return rc;
    rc = brinei_key_hint(ctx, *key, hint);
    if(rc)
      return rc;
    snprintf(v->signer, sizeof(v->signer), "%s", hint);
    if(b->hint && strcmp(b->hint, hint)) {
      invalid(v, "key-mismatch", "the signature names key %.64s, not the "
              "given key %s", b->hint, hint);
      return BRINE_OK;
    }
    if(b->old_key_format)
      snprintf(v->note, sizeof(v->note), "the signature (model_signing "
               "before 1.1) records no key hint; the key was not compared, "
               "only the signature checked");
    return BRINE_OK;
  }
  /* OMS_CERTIFICATE */
  v->method = "certificate";
  brinei_cert_subject(b->certs[0], v->signer, sizeof(v->signer));
  if(!trust->nca) {
    invalid(v, "key-mismatch", "the signature was made with a certificate; "
            "verify it with --cert-chain CA.pem");
    return BRINE_OK;
  }
  {
    struct brinei_cert **ca = NULL;
    size_t nca = 0;
    rc = brinei_load_cert_files(ctx, trust->ca, trust->nca, &ca, &nca);
    if(rc)
      return rc;
    /* model_signing validates at the leaf's notBefore: with no trusted
       timestamp that is the only time the signature vouches for */
    rc = brinei_cert_verify(ctx, b->certs[0], b->certs + 1, b->ncerts - 1,
                            ca, nca, brinei_cert_not_before(b->certs[0]),
                            BRINEI_USE_SIGN);
    brinei_certs_free(ctx, ca, nca);
    if(rc == BRINE_E_BADSIG) {
      invalid(v, "chain", "%s", ctx->err.message);
      brinei_clear_error(ctx);
      return BRINE_OK;
    }
    if(rc)
      return rc;
  }
  return brinei_cert_key(ctx, b->certs[0], key);
}

/* A keyless Sigstore signature, checked offline like brine verify-blob
   (sigstore.c) against the identity and issuer given; the DSSE payload it
   vouches for is the one the bundle carries. */
static brine_result check_keyless(struct brine_verification *v,
                                  const struct brinei_oms_bundle *b,
                                  const char *sig_path,
                                  const struct brine_trust *trust)
{
  struct brine_ctx *ctx = v->ctx;
  struct brinei_trustroot tr;
  struct brinei_sigstore_policy p;
  struct brinei_sigstore_artifact a;
  struct brinei_sigstore_result res;
  struct brinei_map m;
  brine_result rc;
  v->method = "sigstore";
  if(b->method != OMS_SIGSTORE || !trust->identity) {
    invalid(v, "key-mismatch", b->method == OMS_SIGSTORE
            ? "the signature is keyless (Sigstore); verify it with "
              "--identity and --issuer"
            : "the signature was made with a key or certificate, not "
              "keyless; verify it with --key or --cert-chain");
    return BRINE_OK;
  }
  memset(&p, 0, sizeof(p));
  memset(&a, 0, sizeof(a));
  p.identity = trust->identity;
  p.identity_regex = trust->identity_regex != 0;
  p.issuer = trust->issuer;
  rc = brinei_trustroot_for(ctx, trust, &tr);
  if(rc)
    return rc;
  rc = brinei_map_file(ctx, sig_path, &m);
  if(!rc) {
    rc = brinei_sigstore_verify(ctx, &tr, m.data ? (const char *)m.data : "",
                                m.len, &a, &p, &res);
    brinei_map_close(&m);
  }
  brinei_trustroot_free(ctx, &tr);
  if(rc == BRINE_E_BADSIG || rc == BRINE_E_POLICY) {
    invalid(v, "sigstore", "%s", ctx->err.message);
    brinei_clear_error(ctx);
    return BRINE_OK;
  }
  if(rc)
    return rc;
  snprintf(v->signer, sizeof(v->signer), "%.120s (issuer %.120s)",
           res.identity, res.issuer);
  /* the payload verified is the bundle's own: the statement is read from
     b, and must be byte-identical */
  if(res.payload_len != b->payload_len ||
     memcmp(res.payload, b->payload, b->payload_len))
    invalid(v, "sigstore", "the verified payload is not the bundle's");
  brinei_sigstore_result_free(ctx, &res);
  return BRINE_OK;
}

/* ---- the whole verification -------------------------------------------- */

static brine_result verify(struct brine_verification *v, const char *path,
                           const char *sig_path,
                           const struct brine_model_opts *opts,
                           const struct brine_trust *trust,
                           int ignore_unsigned)
{
  struct brine_ctx *ctx = v->ctx;
  struct brinei_oms_bundle b;
  struct brinei_key *key = NULL;
  struct brinei_manifest want, got;
  bool have_want = false, have_got = false, compat = false;
  brine_result rc;
  memset(&b, 0, sizeof(b));
  rc = brinei_oms_bundle_read(ctx, sig_path, &b);
  if(rc)
    return rc;
  if(b.method == OMS_SIGSTORE || trust->identity) {
    rc = check_keyless(v, &b, sig_path, trust);
    if(rc || !v->valid)
      goto out;
    goto statement;
  }
  if(strcmp(b.media_type, OMS_BUNDLE_MEDIA_TYPE)) {
    /* model_signing's key and certificate verifiers read v0.3 only */
    rc = BRINE_FAIL(ctx, BRINE_E_UNSUPPORTED, BRINE_NOOFF,
                    "%s: bundle media type \"%.100s\": OpenSSF Model "
                    "Signing key and certificate signatures are %s",
                    sig_path, b.media_type, OMS_BUNDLE_MEDIA_TYPE);
    goto out;
  }
  rc = check_signer(v, &b, trust, &key);
  if(rc || !v->valid)
    goto out;
  rc = brinei_oms_check_sig(ctx, &b, key, &compat);
  if(rc == BRINE_E_BADSIG) {
    invalid(v, "signature", "the signature does not verify with the %s "
            "(the signed statement or the signature was altered, or "
            "another key signed it)", v->method);
    brinei_clear_error(ctx);
    rc = BRINE_OK;
    goto out;
  }
  if(rc)
    goto out;
statement:
  rc = brinei_oms_statement(ctx, &b, &want);
  if(rc == BRINE_E_MALFORMED) {
    invalid(v, strstr(ctx->err.message, "inconsistent") ? "inconsistent"
                                                          : "statement",
            "the signed statement: %s", ctx->err.message);
    brinei_clear_error(ctx);
    rc = BRINE_OK;
    goto out;
  }
  if(rc)
    goto out;
  have_want = true;
  v->predicate = compat ? OMS_PREDICATE_COMPAT : OMS_PREDICATE_TYPE;
  if(want.n && !want.model_name[0])
    v->predicate = OMS_PREDICATE_COMPAT;
  rc = brinei_manifest_hash_like(ctx, path, sig_path, opts, &want,
                                 ignore_unsigned != 0, &got);
  if(rc)
    goto out;
  have_got = true;
  v->resources = want.n;
  {
    uint8_t root[32];
    char hex[65];
    rc = brinei_manifest_root(ctx, &want, root);
    if(rc)
      goto out;
    brinei_hex(root, 32, hex);
    snprintf(v->root, sizeof(v->root), "sha256:%s", hex);
  }
  rc = compare(v, &want, &got);
  if(!rc && v->ndiffs) {
    static const char *const kind[] = { "changed", "added", "removed",
                                        "renamed" };
    const struct brine_diff *d = &v->diffs[0];
    invalid(v, "manifest", "the model differs from what was signed: %zu "
            "difference%s, first: %s %.200s%s%.200s", v->ndiffs,
            v->ndiffs == 1 ? "" : "s", kind[d->kind], d->name,
            d->to ? " -> " : "", d->to ? d->to : "");
  }
out:
  if(have_want)
    brinei_manifest_free(ctx, &want);
  if(have_got)
    brinei_manifest_free(ctx, &got);
  brinei_key_free(key);
  brinei_oms_bundle_free(ctx, &b);
  return rc;
}

brine_result brine_verify_model(struct brine_ctx *ctx, const char *path,
                                const char *sig_path,
                                const struct brine_model_opts *opts,
                                const struct brine_trust *trust,
                                int ignore_unsigned,
                                struct brine_verification **out)
{
  struct brine_model_opts def = brine_model_opts_default();
  struct brine_verification *v;
  brine_result rc;
  *out = NULL;
  if(!opts)
    opts = &def;
  if(!trust || !path || !sig_path ||
     !!trust->key + !!trust->nca + !!trust->identity != 1 ||
     (trust->identity && !trust->issuer))
    return BRINE_FAIL(ctx, BRINE_E_INVALID, BRINE_NOOFF,
                      "verification needs a model, a signature and one of: "
                      "a public key, CA certificates, or an identity with "
                      "its issuer");
  v = brinei_calloc(ctx, 1, sizeof(*v));
  if(!v)
    return BRINE_E_NOMEM;
  v->ctx = ctx;
  v->valid = true;
  v->code = "ok";
  v->method = trust->key ? "key" : "certificate";
  v->predicate = OMS_PREDICATE_TYPE;
  v->model = brinei_strndup(ctx, path, strlen(path));
  v->signature = brinei_strndup(ctx, sig_path, strlen(sig_path));
  rc = v->model && v->signature ? BRINE_OK : BRINE_E_NOMEM;
  if(!rc)
    rc = verify(v, path, sig_path, opts, trust, ignore_unsigned);
  if(rc) {
    brine_verification_free(v);
    return rc;
  }
  *out = v;
  return BRINE_OK;
}

void brine_verification_free(struct brine_verification *v)
{
  if(!v)
    return;
  for(size_t i = 0; i < v->ndiffs; i++) {
    brinei_free(v->ctx, (void *)v->diffs[i].name);
    brinei_free(v->ctx, (void *)v->diffs[i].to);
  }
  brinei_free(v->ctx, v->diffs);
  brinei_free(v->ctx, v->model);
  brinei_free(v->ctx, v->signature);
  brinei_free(v->ctx, v);
}

int brine_verification_valid(const struct brine_verification *v)
{
  return v->valid;
}

const char *brine_verification_reason(const struct brine_verification *v)
{
  return v->valid ? "" : v->reason;
}

const char *brine_verification_code(const struct brine_verification *v)
{
  return v->code;
}

size_t brine_verification_ndiffs(const struct brine_verification *v)
{
  return v->ndiffs;
}

const struct brine_diff *brine_verification_diff(
    const struct brine_verification *v, size_t i)
{
  return i < v->ndiffs ? &v->diffs[i] : NULL;
}

static const char *const diff_kind[] = { "changed", "added", "removed",
                                         "renamed" };

static brine_result write_json(const struct brine_verification *v,
                               FILE *out)
{
  json_t *o = json_object(), *d = json_array();
  int bad;
  for(size_t i = 0; i < v->ndiffs; i++)
    json_array_append_new(d, json_pack(
      "{s:s,s:o,s:o}", "kind", diff_kind[v->diffs[i].kind],
      "name", brinei_json_str(v->ctx, v->diffs[i].name),
      "to", v->diffs[i].to ? brinei_json_str(v->ctx, v->diffs[i].to)
                           : json_null()));
  json_object_set_new(o, "model", brinei_json_str(v->ctx, v->model));
  json_object_set_new(o, "signature", brinei_json_str(v->ctx, v->signature));
  json_object_set_new(o, "valid", json_boolean(v->valid));
  json_object_set_new(o, "code", json_string(v->code));
  json_object_set_new(o, "reason", brinei_json_str(v->ctx,
                                                   v->valid ? "" : v->reason));
  json_object_set_new(o, "method", json_string(v->method));
  json_object_set_new(o, "signer", brinei_json_str(v->ctx, v->signer));
  json_object_set_new(o, "predicate_type", json_string(v->predicate));
  json_object_set_new(o, "resources", json_integer((json_int_t)v->resources));
  json_object_set_new(o, "root", v->root[0] ? json_string(v->root)
                                            : json_null());
  json_object_set_new(o, "differences", d);
  json_object_set_new(o, "note", v->note[0] ? json_string(v->note)
                                            : json_null());
  bad = json_dumpf(o, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(o);
  if(bad || fputc('\n', out) == EOF)
    return BRINE_E_IO;
  return BRINE_OK;
}

brine_result brine_verification_write(const struct brine_verification *v,
                                      FILE *out, brine_output fmt)
{
  if(fmt == BRINE_OUT_JSON)
    return write_json(v, out);
  if(fmt != BRINE_OUT_TEXT)
    return BRINE_FAIL(v->ctx, BRINE_E_INVALID, BRINE_NOOFF,
                      "verify writes text or json");
  if(v->valid)
    fprintf(out, "%s: valid: signed by %s %s (%zu resources, %s)\n",
            v->model, v->method, v->signer, v->resources, v->root);
  else
    fprintf(out, "%s: INVALID (%s): %s\n", v->model, v->code, v->reason);
  for(size_t i = 0; i < v->ndiffs; i++)
    fprintf(out, "  %-8s %s%s%s\n", diff_kind[v->diffs[i].kind],
            v->diffs[i].name, v->diffs[i].to ? " -> " : "",
            v->diffs[i].to ? v->diffs[i].to : "");
  if(v->note[0])
    fprintf(out, "  note: %s\n", v->note);
  return ferror(out) ? BRINE_E_IO : BRINE_OK;
}
