/* Sigstore trusted roots (trusted_root.json): the logs and authorities a
 * verifier trusts, read strictly from protobuf JSON.
 * Spec: ../shared/reference/signing.md §2.2; sigstore/protobuf-specs
 * sigstore_trustroot.proto (TrustedRoot, TransparencyLogInstance,
 * CertificateAuthority) and sigstore_common.proto (PublicKey,
 * PublicKeyDetails, LogId, TimeRange, X509CertificateChain).
 *
 * What is strict and what is lenient, and why:
 * - Duplicate keys are rejected (brinei_json_load), every field is
 *   type-checked. Strings holding a NUL cannot get through jansson without
 *   JSON_ALLOW_NUL; they are refused here as well, since a C comparison
 *   would stop at the NUL and see another value.
 * - Optional fields may be absent or JSON null: protobuf JSON writers
 *   emit null for unset message fields (conformance roots carry
 *   "checkpointKeyId": null, "operator": null, "end": null).
 * - A TimeRange needs its start (proto: `start` is not optional;
 *   conformance trust-root-tlog-missing-validity-start_fail). brine asks
 *   the same of authorities: a window with no start would be "all time".
 * - A log whose keyDetails or hashAlgorithm brine cannot use (RSA-PSS,
 *   Ed25519ph, LMS, ML-DSA, SHA3, ...) is skipped, not an error, so a newer
 *   root still loads; a verifier then simply finds no such log. A key that
 *   brine knows but whose DER does not parse, or that is not the kind
 *   keyDetails names, is MALFORMED (the deprecated PKCS1_RSA_PKCS1V5 may
 *   hold PKCS#1 rather than SPKI bytes: such a log is skipped).
 * - logId is recorded as the root gives it, never recomputed: the trusted
 *   root is authoritative (for Rekor v2 Ed25519 logs it is not the SPKI
 *   hash anyway).
 * - Field names are the lowerCamelCase ones sigstore writes; protobuf's
 *   original snake_case spellings are not read. Unknown fields (and the
 *   TrustedRoot "publicKeys" list) are ignored.
 */
#include "../internal.h"
#include "trustroot.h"
#include "json.h"

#include <jansson.h>
#include <stdio.h>

/* src/sign/trustroot_embedded.c: the production root's bytes (no NUL). */
extern const char brinei_production_root[], brinei_production_root_end[];

#define TR_MAX_ENTRIES 256  /* logs or authorities in one list */
#define TR_MAX_CERTS 32     /* certificates in one chain */
#define TR_WHERE 112        /* room for "timestampAuthorities[255]..." */

static const char *const media_types[] = {
  "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
  "application/vnd.dev.sigstore.trustedroot.v0.2+json",
};

/* PublicKeyDetails brine can verify with (sigstore_common.proto), with the
   key each must hold. Everything else is skipped. */
static const struct {
  const char *name;
  enum brinei_keytype type;
  bool pkcs1;  /* the name promises PKCS#1 bytes; real roots hold SPKI */
} key_details[] = {
  { "PKIX_ECDSA_P256_SHA_256", BRINEI_KEY_EC_P256, false },
  { "PKIX_ECDSA_P384_SHA_384", BRINEI_KEY_EC_P384, false },
  { "PKIX_ECDSA_P521_SHA_512", BRINEI_KEY_EC_P521, false },
  { "PKIX_ED25519", BRINEI_KEY_ED25519, false },
  { "PKIX_RSA_PKCS1V15_2048_SHA256", BRINEI_KEY_RSA, false },
  { "PKIX_RSA_PKCS1V15_3072_SHA256", BRINEI_KEY_RSA, false },
  { "PKIX_RSA_PKCS1V15_4096_SHA256", BRINEI_KEY_RSA, false },
  { "PKIX_RSA_PKCS1V5", BRINEI_KEY_RSA, false },         /* deprecated */
  { "PKCS1_RSA_PKCS1V5", BRINEI_KEY_RSA, true },         /* deprecated */
};

/* HashAlgorithm (sigstore_common.proto) of a log's Merkle tree. */
static const struct {
  const char *name;
  enum brinei_hash hash;
} hash_algs[] = {
  { "SHA2_256", BRINEI_SHA256 },
  { "SHA2_384", BRINEI_SHA384 },
  { "SHA2_512", BRINEI_SHA512 },
};

/* A field's name for messages, built in a TR_WHERE buffer; a name too
   long for it is cut short, which only shortens a message. */
static void name(char *out, const char *fmt, ...) BRINE_PRINTF(2, 3);
static void name(char *out, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(out, TR_WHERE, fmt, ap);
  va_end(ap);
}

/* True when the JSON string v is exactly s (length included, so an
   embedded NUL never matches). */
static bool str_is(const json_t *v, const char *s)
{
  size_t n = strlen(s);
  return json_string_length(v) == n && !memcmp(json_string_value(v), s, n);
}

/* obj[key] as brinei_json_field gives it, with JSON null read as absent
   when the field is optional. Strings must not hold a NUL. */
static brine_result field(struct brine_ctx *ctx, const json_t *obj,
                          const char *where, const char *key,
                          enum brinei_jkind kind, bool required, json_t **out)
{
  json_t *v = json_object_get(obj, key);
  brine_result rc;
  if(v && json_is_null(v) && !required) {
    *out = NULL;
    return BRINE_OK;
  }
  rc = brinei_json_field(ctx, obj, where, key, kind, required, out);
  if(!rc && *out && kind == BJ_STR &&
     strlen(json_string_value(*out)) != json_string_length(*out))
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "%s%s%s contains a NUL character", where,
                      *where ? "." : "", key);
  return rc;
}

/* A required base64 field, decoded through ctx, with its name in any
   message. */
static brine_result b64_field(struct brine_ctx *ctx, const json_t *obj,
                              const char *where, const char *key,
                              uint8_t **out, size_t *outlen)
{
  json_t *v;
  brine_result rc = field(ctx, obj, where, key, BJ_STR, true, &v);
  if(rc)
    return rc;
  /* brinei_json_b64: either alphabet, padding optional, as protobuf's
     JSON parsers accept `bytes`; no whitespace, no stray characters */
  return brinei_json_b64(ctx, obj, where, key, out, outlen);
}

/* A required RFC 3339 timestamp (google.protobuf.Timestamp). */
static brine_result time_field(struct brine_ctx *ctx, const json_t *obj,
                               const char *where, const char *key,
                               bool required, int64_t *out, bool *present)
{
  json_t *v;
  time_t t;
  brine_result rc = field(ctx, obj, where, key, BJ_STR, required, &v);
  *present = false;
  if(rc || !v)
    return rc;
  if(!brinei_parse_rfc3339(json_string_value(v), &t))
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "%s.%s is not an RFC 3339 time: \"%.40s\"", where, key,
                      json_string_value(v));
  *out = (int64_t)t;
  *present = true;
  return BRINE_OK;
}

/* obj.validFor (TimeRange): start required, end optional and inclusive
   (signing.md §2.2: validFor is inclusive at both ends; an end with
   fractional seconds is rounded down, which keeps its whole second). */
static brine_result validity(struct brine_ctx *ctx, const json_t *obj,
                             const char *where, struct brinei_validity *out)
{
  char w[TR_WHERE];
  json_t *vf;
  bool has_start, has_end;
  struct brinei_validity v;
  brine_result rc = field(ctx, obj, where, "validFor", BJ_OBJ, true, &vf);
  if(rc)
    return rc;
  name(w, "%s.validFor", where);
  rc = time_field(ctx, vf, w, "start", true, &v.start, &has_start);
  if(!rc)
    rc = time_field(ctx, vf, w, "end", false, &v.end, &has_end);
  if(rc)
    return rc;
  if(!has_end)
    v.end = BRINEI_TIME_MAX;
  else if(v.end < v.start)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "%s ends before it starts", w);
  *out = v;
  return BRINE_OK;
}

/* An optional string field copied through ctx; "" when absent or null. */
static brine_result opt_dup(struct brine_ctx *ctx, const json_t *obj,
                            const char *where, const char *key, char **out)
{
  json_t *v;
  brine_result rc = field(ctx, obj, where, key, BJ_STR, false, &v);
  if(rc)
    return rc;
  *out = v ? brinei_strndup(ctx, json_string_value(v), json_string_length(v))
           : brinei_strndup(ctx, "", 0);
  return *out ? BRINE_OK : brinei_json_nomem(ctx);
}

/* ---- logs (TransparencyLogInstance) ---------------------------------- */

static void log_free(struct brine_ctx *ctx, struct brinei_log *l)
{
  brinei_free(ctx, l->base_url);
  brinei_key_free(l->key);
  memset(l, 0, sizeof(*l));
}

/* obj.<key>.keyId (LogId): at least `min` bytes, at most `max`; the first
   `room` of them (fewer if shorter) copied to out. */
static brine_result log_id(struct brine_ctx *ctx, const json_t *obj,
                           const char *where, const char *key, bool required,
                           uint8_t *out, size_t room, size_t min, size_t max,
                           size_t *n, bool *present)
{
  char w[TR_WHERE];
  json_t *id;
  uint8_t *raw;
  size_t len;
  brine_result rc = field(ctx, obj, where, key, BJ_OBJ, required, &id);
  *present = false;
  if(rc || !id)
    return rc;
  name(w, "%s.%s", where, key);
  rc = b64_field(ctx, id, w, "keyId", &raw, &len);
  if(rc)
    return rc;
  if(len < min || len > max) {
    brinei_free(ctx, raw);
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "%s.keyId is %zu bytes, not %zu to %zu", w, len, min,
                      max);
  }
  memcpy(out, raw, len < room ? len : room);
  *n = len;
  *present = true;
  brinei_free(ctx, raw);
  return BRINE_OK;
}

/* The public key of a log whose keyDetails brine knows; *skip when the
   bytes are the PKCS#1 form brine does not read. */
static brine_result log_key(struct brine_ctx *ctx, const char *where,
                            const uint8_t *der, size_t n, size_t kd,
                            struct brinei_key **out, bool *skip)
{
  char w[TR_WHERE];
  struct brinei_key *k;
  brine_result rc = brinei_key_parse_public_der(ctx, der, n, &k);
  name(w, "%s.publicKey.rawBytes", where);
  if(rc == BRINE_E_MALFORMED && key_details[kd].pkcs1) {
    brinei_clear_error(ctx);
    *skip = true;
    return BRINE_OK;
  }
  if(rc)
    return brinei_json_refail(ctx, rc, w);
  if(brinei_key_type(k) != key_details[kd].type) {
    rc = BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                    "%s holds an %s key, which is not what keyDetails %s "
                    "names", w, brinei_key_describe(k),
                    key_details[kd].name);
    brinei_key_free(k);
    return rc;
  }
  *out = k;
  return BRINE_OK;
}

/* One log. *skip when brine cannot use it (see the file comment); out is
   written only when the log is kept. */
static brine_result parse_log(struct brine_ctx *ctx, const json_t *j,
                              const char *where, struct brinei_log *out,
                              bool *skip)
{
  char pkw[TR_WHERE];
  struct brinei_log l;
  json_t *v, *pk, *kdv;
  uint8_t *der = NULL;
  size_t derlen = 0, kd = SIZE_MAX, cplen = 0;
  bool present;
  brine_result rc;
  memset(&l, 0, sizeof(l));
  *skip = false;
  if(!json_is_object(j))
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "%s must be an object", where);
  name(pkw, "%s.publicKey", where);
  rc = field(ctx, j, where, "baseUrl", BJ_STR, true, &v);
  if(!rc && !(l.base_url = brinei_strndup(ctx, json_string_value(v),
                                          json_string_length(v))))
    rc = brinei_json_nomem(ctx);
  if(!rc)
    rc = field(ctx, j, where, "hashAlgorithm", BJ_STR, true, &v);
  if(!rc) {
    size_t i;
    for(i = 0; i < BRINE_ARRAY_LEN(hash_algs); i++)
      if(str_is(v, hash_algs[i].name))
        break;
    if(i < BRINE_ARRAY_LEN(hash_algs))
      l.hash = hash_algs[i].hash;
    else
      *skip = true;  /* SHA3_256 ... : a tree brine cannot hash */
  }
  if(!rc)
    rc = field(ctx, j, where, "publicKey", BJ_OBJ, true, &pk);
  if(!rc)
    rc = b64_field(ctx, pk, pkw, "rawBytes", &der, &derlen);
  if(!rc)
    rc = field(ctx, pk, pkw, "keyDetails", BJ_STR, true, &kdv);
  if(!rc) {
    for(size_t i = 0; i < BRINE_ARRAY_LEN(key_details); i++)
      if(str_is(kdv, key_details[i].name))
        kd = i;
    if(kd == SIZE_MAX)
      *skip = true;  /* a key brine cannot verify with */
  }
  if(!rc)
    rc = validity(ctx, pk, pkw, &l.valid);
  if(!rc)
    rc = log_id(ctx, j, where, "logId", true, l.log_id, sizeof(l.log_id),
                1, sizeof(l.log_id), &l.log_id_len, &present);
  /* checkpointKeyId: the checkpoint key hint is its first 4 bytes; the
     logId's when absent (sigstore_trustroot.proto) */
  if(!rc)
    rc = log_id(ctx, j, where, "checkpointKeyId", false, l.checkpoint_id,
                sizeof(l.checkpoint_id), sizeof(l.checkpoint_id), 64, &cplen,
                &present);
  if(!rc && !present)
    memcpy(l.checkpoint_id, l.log_id,
           l.log_id_len < 4 ? l.log_id_len : 4);  /* rest stays zero */
  if(!rc)
    rc = field(ctx, j, where, "operator", BJ_STR, false, &v);
  if(!rc && !*skip)
    rc = log_key(ctx, where, der, derlen, kd, &l.key, skip);
  brinei_free(ctx, der);
  if(rc || *skip) {
    log_free(ctx, &l);
    return rc;
  }
  *out = l;
  return BRINE_OK;
}

/* doc.<key>: a list of logs, absent or null meaning none. */
static brine_result parse_logs(struct brine_ctx *ctx, const json_t *doc,
                               const char *key, struct brinei_log **out,
                               size_t *nout)
{
  json_t *arr;
  struct brinei_log *logs;
  size_t n = 0, total;
  brine_result rc = field(ctx, doc, "", key, BJ_ARR, false, &arr);
  if(rc || !arr || !(total = json_array_size(arr)))
    return rc;
  if(total > TR_MAX_ENTRIES)
    return BRINE_FAIL(ctx, BRINE_E_LIMIT, BRINE_NOOFF,
                      "%s has %zu entries, more than the %d brine reads", key,
                      total, TR_MAX_ENTRIES);
  logs = brinei_calloc(ctx, total, sizeof(*logs));
  if(!logs)
    return brinei_json_nomem(ctx);
  for(size_t i = 0; i < total && !rc; i++) {
    char w[TR_WHERE];
    bool skip;
    name(w, "%s[%zu]", key, i);
    rc = parse_log(ctx, json_array_get(arr, i), w, &logs[n], &skip);
    if(!rc && !skip)
      n++;
  }
  if(rc || !n) {
    for(size_t i = 0; i < n; i++)
      log_free(ctx, &logs[i]);
    brinei_free(ctx, logs);
    return rc;
  }
  *out = logs;
  *nout = n;
  return BRINE_OK;
}

/* ---- authorities (CertificateAuthority) ------------------------------ */

static void authority_free(struct brine_ctx *ctx, struct brinei_authority *a)
{
  brinei_free(ctx, a->uri);
  brinei_certs_free(ctx, a->certs, a->ncerts);
  memset(a, 0, sizeof(*a));
}

/* certChain.certificates[]: DER certificates as listed. */
static brine_result parse_chain(struct brine_ctx *ctx, const json_t *j,
                                const char *where,
                                struct brinei_authority *a)
{
  char w[TR_WHERE];
  json_t *chain, *arr;
  size_t total;
  brine_result rc = field(ctx, j, where, "certChain", BJ_OBJ, true, &chain);
  if(rc)
    return rc;
  name(w, "%s.certChain", where);
  rc = field(ctx, chain, w, "certificates", BJ_ARR, true, &arr);
  if(rc)
    return rc;
  total = json_array_size(arr);
  if(!total)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "%s.certificates is empty", w);
  if(total > TR_MAX_CERTS)
    return BRINE_FAIL(ctx, BRINE_E_LIMIT, BRINE_NOOFF,
                      "%s.certificates has %zu entries, more than the %d "
                      "brine reads", w, total, TR_MAX_CERTS);
  a->certs = brinei_calloc(ctx, total, sizeof(*a->certs));
  if(!a->certs)
    return brinei_json_nomem(ctx);
  for(size_t i = 0; i < total; i++) {
    char cw[TR_WHERE], rw[TR_WHERE];
    json_t *c = json_array_get(arr, i);
    uint8_t *der;
    size_t n;
    name(cw, "%s.certificates[%zu]", w, i);
    if(!json_is_object(c))
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                        "%s must be an object", cw);
    rc = b64_field(ctx, c, cw, "rawBytes", &der, &n);
    if(rc)
      return rc;
    rc = brinei_cert_parse_der(ctx, der, n, &a->certs[a->ncerts]);
    brinei_free(ctx, der);
    if(rc) {
      name(rw, "%s.rawBytes", cw);
      return brinei_json_refail(ctx, rc, rw);
    }
    a->ncerts++;
  }
  return BRINE_OK;
}

static brine_result parse_authority(struct brine_ctx *ctx, const json_t *j,
                                    const char *where,
                                    struct brinei_authority *out)
{
  struct brinei_authority a;
  json_t *v;
  brine_result rc;
  memset(&a, 0, sizeof(a));
  if(!json_is_object(j))
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "%s must be an object", where);
  /* subject (DistinguishedName) is informative: checked for shape only */
  rc = field(ctx, j, where, "subject", BJ_OBJ, false, &v);
  if(!rc)
    rc = opt_dup(ctx, j, where, "uri", &a.uri);
  if(!rc)
    rc = parse_chain(ctx, j, where, &a);
  if(!rc)
    rc = validity(ctx, j, where, &a.valid);
  if(!rc)
    rc = field(ctx, j, where, "operator", BJ_STR, false, &v);
  if(rc) {
    authority_free(ctx, &a);
    return rc;
  }
  *out = a;
  return BRINE_OK;
}

static brine_result parse_authorities(struct brine_ctx *ctx,
                                      const json_t *doc, const char *key,
                                      struct brinei_authority **out,
                                      size_t *nout)
{
  json_t *arr;
  struct brinei_authority *as;
  size_t n = 0, total;
  brine_result rc = field(ctx, doc, "", key, BJ_ARR, false, &arr);
  if(rc || !arr || !(total = json_array_size(arr)))
    return rc;
  if(total > TR_MAX_ENTRIES)
    return BRINE_FAIL(ctx, BRINE_E_LIMIT, BRINE_NOOFF,
                      "%s has %zu entries, more than the %d brine reads", key,
                      total, TR_MAX_ENTRIES);
  as = brinei_calloc(ctx, total, sizeof(*as));
  if(!as)
    return brinei_json_nomem(ctx);
  for(size_t i = 0; i < total && !rc; i++) {
    char w[TR_WHERE];
    name(w, "%s[%zu]", key, i);
    rc = parse_authority(ctx, json_array_get(arr, i), w, &as[n]);
    if(!rc)
      n++;
  }
  if(rc) {
    for(size_t i = 0; i < n; i++)
      authority_free(ctx, &as[i]);
    brinei_free(ctx, as);
    return rc;
  }
  *out = as;
  *nout = n;
  return BRINE_OK;
}

/* ---- the root ----------------------------------------------------------- */

brine_result brinei_trustroot_parse(struct brine_ctx *ctx, const char *json,
                                    size_t len, struct brinei_trustroot *tr)
{
  struct brinei_trustroot t;
  json_t *doc, *mt;
  size_t i;
  brine_result rc;
  memset(&t, 0, sizeof(t));
  rc = brinei_json_load(ctx, json ? json : "", json ? len : 0,
                        "trusted root", &doc);
  if(rc)
    return rc;
  rc = field(ctx, doc, "", "mediaType", BJ_STR, true, &mt);
  if(!rc) {
    for(i = 0; i < BRINE_ARRAY_LEN(media_types); i++)
      if(str_is(mt, media_types[i]))
        break;
    if(i == BRINE_ARRAY_LEN(media_types))
      rc = BRINE_FAIL(ctx, BRINE_E_UNSUPPORTED, BRINE_NOOFF,
                      "trusted root media type \"%.100s\" is not one brine "
                      "reads (%s or %s)", json_string_value(mt),
                      media_types[0], media_types[1]);
  }
  if(!rc)
    rc = parse_logs(ctx, doc, "tlogs", &t.tlogs, &t.ntlogs);
  if(!rc)
    rc = parse_logs(ctx, doc, "ctlogs", &t.ctlogs, &t.nctlogs);
  if(!rc)
    rc = parse_authorities(ctx, doc, "certificateAuthorities", &t.cas,
                           &t.ncas);
  if(!rc)
    rc = parse_authorities(ctx, doc, "timestampAuthorities", &t.tsas,
                           &t.ntsas);
  json_decref(doc);
  if(rc) {
    brinei_trustroot_free(ctx, &t);
    return rc;
  }
  *tr = t;
  return BRINE_OK;
}

brine_result brinei_trustroot_load(struct brine_ctx *ctx, const char *path,
                                   struct brinei_trustroot *tr)
{
  struct brinei_map m;
  brine_result rc = brinei_map_file(ctx, path, &m);
  if(rc)
    return rc;
  rc = brinei_trustroot_parse(ctx, (const char *)m.data, m.len, tr);
  brinei_map_close(&m);
  return rc ? brinei_json_refail(ctx, rc, path) : BRINE_OK;
}

brine_result brinei_trustroot_production(struct brine_ctx *ctx,
                                         struct brinei_trustroot *tr)
{
  /* two symbols of one assembler block: compare as addresses */
  size_t n = (size_t)((uintptr_t)brinei_production_root_end -
                      (uintptr_t)brinei_production_root);
  return brinei_trustroot_parse(ctx, brinei_production_root, n, tr);
}

void brinei_trustroot_free(struct brine_ctx *ctx, struct brinei_trustroot *tr)
{
  if(!tr)
    return;
  for(size_t i = 0; i < tr->ntlogs; i++)
    log_free(ctx, &tr->tlogs[i]);
  for(size_t i = 0; i < tr->nctlogs; i++)
    log_free(ctx, &tr->ctlogs[i]);
  for(size_t i = 0; i < tr->ncas; i++)
    authority_free(ctx, &tr->cas[i]);
  for(size_t i = 0; i < tr->ntsas; i++)
    authority_free(ctx, &tr->tsas[i]);
  brinei_free(ctx, tr->tlogs);
  brinei_free(ctx, tr->ctlogs);
  brinei_free(ctx, tr->cas);
  brinei_free(ctx, tr->tsas);
  memset(tr, 0, sizeof(*tr));
}

const struct brinei_log *brinei_trustroot_find_log(
    const struct brinei_log *logs, size_t n, const uint8_t *id,
    size_t idlen)
{
  if(!logs || !id)
    return NULL;
  for(size_t i = 0; i < n; i++)
    if(logs[i].log_id_len == idlen && !memcmp(logs[i].log_id, id, idlen))
      return &logs[i];
  return NULL;
}

bool brinei_validity_contains(const struct brinei_validity *v, int64_t t)
{
  return t >= v->start && t <= v->end;
}
