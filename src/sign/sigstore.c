/* Offline verification of Sigstore bundles (sigstore.h). The order follows
 * client-spec §4 (signing.md §2.3): bundle shape, transparency log
 * entries and timestamps (the signed times), the certificate at each
 * signed time, SCTs, identity, then the signature itself. Every failure
 * message starts with a reason code (docs/verify-blob.md).
 */
#include "sigstore.h"
#include "json.h"
#include "oms.h"
#include "tlog.h"
#include "../crypto/sigstore_x509.h"

#include <regex.h>
#include <stdio.h>

#define MAX_ENTRIES 16    /* tlog entries or timestamps in one bundle */

static const struct {
  const char *type;
  int version;
} bundle_types[] = {
  { "application/vnd.dev.sigstore.bundle+json;version=0.1", 1 },
  { "application/vnd.dev.sigstore.bundle+json;version=0.2", 2 },
  { "application/vnd.dev.sigstore.bundle+json;version=0.3", 3 },
  { "application/vnd.dev.sigstore.bundle.v0.3+json", 3 },
};

struct bundle {
  json_t *doc;
  int version;
  struct brinei_cert *chain[8];   /* leaf first */
  size_t nchain;
  bool keyed;                     /* publicKey material */
  struct brinei_tlog_entry tlog[MAX_ENTRIES];
  size_t ntlog;
  uint8_t *ts[MAX_ENTRIES];
  size_t ts_len[MAX_ENTRIES];
  size_t nts;
  bool dsse;
  uint8_t *sig;
  size_t sig_len;
  uint8_t *payload;
  size_t payload_len;
  char *payload_type;
  uint8_t *msg_digest;            /* messageSignature.messageDigest */
  size_t msg_digest_len;
  const char *msg_digest_alg;     /* borrowed from doc */
};

static void bundle_free(struct brine_ctx *ctx, struct bundle *b)
{
  for(size_t i = 0; i < b->nchain; i++)
    brinei_cert_free(b->chain[i]);
  for(size_t i = 0; i < b->ntlog; i++)
    brinei_tlog_entry_free(ctx, &b->tlog[i]);
  for(size_t i = 0; i < b->nts; i++)
    brinei_free(ctx, b->ts[i]);
  brinei_free(ctx, b->sig);
  brinei_free(ctx, b->payload);
  brinei_free(ctx, b->payload_type);
  brinei_free(ctx, b->msg_digest);
  json_decref(b->doc);
}

static brine_result bad(struct brine_ctx *ctx, brine_result rc,
                        const char *code, const char *fmt, ...)
    BRINE_PRINTF(4, 5);
static brine_result bad(struct brine_ctx *ctx, brine_result rc,
                        const char *code, const char *fmt, ...)
{
  char msg[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  return BRINE_FAIL(ctx, rc, BRINE_NOOFF, "%s: %s", code, msg);
}

/* Prefix the context's current message with a reason code. */
static brine_result because(struct brine_ctx *ctx, brine_result rc,
                            const char *code)
{
  char msg[sizeof(ctx->err.message)];
  if(rc == BRINE_E_NOMEM)
    return rc;
  snprintf(msg, sizeof(msg), "%s", ctx->err.message);
  return BRINE_FAIL(ctx, rc, BRINE_NOOFF, "%s: %s", code, msg);
}

/* ---- reading the bundle ----------------------------------------------- */

static brine_result read_cert(struct brine_ctx *ctx, const json_t *o,
                              const char *where, struct bundle *b)
{
  uint8_t *der;
  size_t n;
  brine_result rc;
  if(b->nchain == BRINE_ARRAY_LEN(b->chain))
    return bad(ctx, BRINE_E_LIMIT, "bundle", "more than %zu certificates",
               BRINE_ARRAY_LEN(b->chain));
  rc = brinei_json_b64(ctx, o, where, "rawBytes", &der, &n);
  if(rc)
    return because(ctx, rc, "bundle");
  rc = brinei_cert_parse_der(ctx, der, n, &b->chain[b->nchain]);
  brinei_free(ctx, der);
  if(rc)
    return because(ctx, rc, "bundle");
  b->nchain++;
  return BRINE_OK;
}

/* A base64 field that writers may wrap in lines (Go and Python decoders
   skip the line breaks of a PEM-style body). */
static brine_result b64_lines(struct brine_ctx *ctx, const json_t *o,
                              const char *key, uint8_t **out, size_t *len)
{
  json_t *v;
  char *flat;
  size_t n, k = 0;
  const char *src;
  brine_result rc = brinei_json_field(ctx, o, "rfc3161Timestamps[]", key,
                                      BJ_STR, true, &v);
  if(rc)
    return rc;
  src = json_string_value(v);
  n = json_string_length(v);
  flat = brinei_malloc(ctx, n + 1);
  if(!flat)
    return BRINE_E_NOMEM;
  for(size_t i = 0; i < n; i++)
    if(src[i] != '\n' && src[i] != '\r')
      flat[k++] = src[i];
  rc = brinei_b64_decode(ctx, flat, k, true, out, len);
  brinei_free(ctx, flat);
  return rc ? brinei_json_refail(ctx, rc, key) : BRINE_OK;
}

static brine_result read_material(struct brine_ctx *ctx, struct bundle *b)
{
  json_t *vm, *cert, *chain, *pk, *tlog, *tvd;
  brine_result rc = brinei_json_field(ctx, b->doc, "", "verificationMaterial",
                                      BJ_OBJ, true, &vm);
  const char *w = "verificationMaterial";
  if(!rc)
    rc = brinei_json_field(ctx, vm, w, "certificate", BJ_OBJ, false, &cert);
  if(!rc)
    rc = brinei_json_field(ctx, vm, w, "x509CertificateChain", BJ_OBJ, false,
                           &chain);
  if(!rc)
    rc = brinei_json_field(ctx, vm, w, "publicKey", BJ_OBJ, false, &pk);
  if(!rc)
    rc = brinei_json_field(ctx, vm, w, "tlogEntries", BJ_ARR, false, &tlog);
  if(!rc)
    rc = brinei_json_field(ctx, vm, w, "timestampVerificationData", BJ_OBJ,
                           false, &tvd);
  if(rc)
    return because(ctx, rc, "bundle");
  if(!!cert + !!chain + !!pk != 1)
    return bad(ctx, BRINE_E_MALFORMED, "bundle", "verificationMaterial "
               "needs exactly one of certificate, x509CertificateChain and "
               "publicKey");
  if(cert)
    rc = read_cert(ctx, cert, "verificationMaterial.certificate", b);
  else if(chain) {
    json_t *certs;
    size_t i;
    json_t *c;
    if(b->version >= 3)
      return bad(ctx, BRINE_E_MALFORMED, "bundle", "a v0.3 bundle carries "
                 "its signing certificate in \"certificate\", not a chain");
    rc = brinei_json_field(ctx, chain, "x509CertificateChain",
                           "certificates", BJ_ARR, true, &certs);
    if(rc)
      return because(ctx, rc, "bundle");
    if(!json_array_size(certs))
      return bad(ctx, BRINE_E_MALFORMED, "bundle", "the certificate chain "
                 "is empty");
    json_array_foreach(certs, i, c) {
      if(!json_is_object(c))
        return bad(ctx, BRINE_E_MALFORMED, "bundle", "certificates[%zu] is "
                   "not an object", i);
      rc = read_cert(ctx, c, "x509CertificateChain.certificates[]", b);
      if(rc)
        return rc;
    }
  }
  else
    b->keyed = true;
  if(rc)
    return rc;
  if(tlog) {
    size_t i;
    json_t *e;
    if(json_array_size(tlog) > MAX_ENTRIES)
      return bad(ctx, BRINE_E_LIMIT, "bundle", "more than %d tlog entries",
                 MAX_ENTRIES);
    json_array_foreach(tlog, i, e) {
      rc = brinei_tlog_entry_parse(ctx, e, &b->tlog[b->ntlog]);
      if(rc)
        return because(ctx, rc, "bundle");
      b->ntlog++;
    }
  }
  if(tvd) {
    json_t *ts, *t;
    size_t i;
    rc = brinei_json_field(ctx, tvd, "timestampVerificationData",
                           "rfc3161Timestamps", BJ_ARR, false, &ts);
    if(rc)
      return because(ctx, rc, "bundle");
    if(ts && json_array_size(ts) > MAX_ENTRIES)
      return bad(ctx, BRINE_E_LIMIT, "bundle", "more than %d timestamps",
                 MAX_ENTRIES);
    if(ts)
      json_array_foreach(ts, i, t) {
        if(!json_is_object(t))
          return bad(ctx, BRINE_E_MALFORMED, "bundle", "rfc3161Timestamps"
                     "[%zu] is not an object", i);
        rc = b64_lines(ctx, t, "signedTimestamp", &b->ts[b->nts],
                       &b->ts_len[b->nts]);
        if(rc)
          return because(ctx, rc, "bundle");
        b->nts++;
      }
  }
  return BRINE_OK;
}

static brine_result read_content(struct brine_ctx *ctx, struct bundle *b)
{
  json_t *ms, *env;
  brine_result rc = brinei_json_field(ctx, b->doc, "", "messageSignature",
                                      BJ_OBJ, false, &ms);
  if(!rc)
    rc = brinei_json_field(ctx, b->doc, "", "dsseEnvelope", BJ_OBJ, false,
                           &env);
  if(rc)
    return because(ctx, rc, "bundle");
  if(!ms == !env)
    return bad(ctx, BRINE_E_MALFORMED, "bundle", "needs exactly one of "
               "messageSignature and dsseEnvelope");
  if(ms) {
    json_t *md, *alg;
    rc = brinei_json_b64(ctx, ms, "messageSignature", "signature", &b->sig,
                         &b->sig_len);
    if(!rc)
      rc = brinei_json_field(ctx, ms, "messageSignature", "messageDigest",
                             BJ_OBJ, false, &md);
    if(!rc && md) {
      rc = brinei_json_field(ctx, md, "messageDigest", "algorithm", BJ_STR,
                             true, &alg);
      if(!rc)
        rc = brinei_json_b64(ctx, md, "messageDigest", "digest",
                             &b->msg_digest, &b->msg_digest_len);
      if(!rc)
        b->msg_digest_alg = json_string_value(alg);
    }
    return rc ? because(ctx, rc, "bundle") : BRINE_OK;
  }
  {
    json_t *sigs, *s0;
    b->dsse = true;
    rc = brinei_json_b64(ctx, env, "dsseEnvelope", "payload", &b->payload,
                         &b->payload_len);
    if(!rc)
      rc = brinei_json_dup(ctx, env, "dsseEnvelope", "payloadType",
                           &b->payload_type);
    if(!rc)
      rc = brinei_json_field(ctx, env, "dsseEnvelope", "signatures", BJ_ARR,
                             true, &sigs);
    if(rc)
      return because(ctx, rc, "bundle");
    if(json_array_size(sigs) != 1)
      return bad(ctx, BRINE_E_MALFORMED, "bundle", "the DSSE envelope has "
                 "%zu signatures; a bundle's has exactly one",
                 json_array_size(sigs));
    s0 = json_array_get(sigs, 0);
    if(!json_is_object(s0))
      return bad(ctx, BRINE_E_MALFORMED, "bundle", "signatures[0] is not "
                 "an object");
    rc = brinei_json_b64(ctx, s0, "dsseEnvelope.signatures[0]", "sig",
                         &b->sig, &b->sig_len);
    return rc ? because(ctx, rc, "bundle") : BRINE_OK;
  }
}

/* ---- cosign v2's own bundle ----------------------------------------------
   `cosign sign-blob --bundle` before the Sigstore bundle format:
   {"base64Signature", "cert": base64 of a PEM certificate or key,
   "rekorBundle": {"SignedEntryTimestamp", "Payload": {"body",
   "integratedTime", "logIndex", "logID" (hex)}}} (signing.md §4.1). It is
   read as the v0.1 bundle it amounts to: a message signature, the signing
   certificate, and one log entry vouched for by its SET. */

/* The Rekor entry as a protobuf-JSON tlogEntries element, so that one
   parser reads both forms. */
static brine_result legacy_entry(struct brine_ctx *ctx, const json_t *rb,
                                 struct brinei_tlog_entry *e)
{
  json_t *pl, *set, *body, *it, *li, *lid, *kv = NULL, *entry;
  uint8_t *raw = NULL, id[64];
  size_t rawlen, idlen;
  const char *hex;
  char num[2][24];
  brine_result rc = brinei_json_field(ctx, rb, "rekorBundle",
                                      "SignedEntryTimestamp", BJ_STR, true,
                                      &set);
  if(!rc)
    rc = brinei_json_field(ctx, rb, "rekorBundle", "Payload", BJ_OBJ, true,
                           &pl);
  if(!rc)
    rc = brinei_json_field(ctx, pl, "Payload", "body", BJ_STR, true, &body);
  if(!rc)
    rc = brinei_json_field(ctx, pl, "Payload", "integratedTime", BJ_NUM,
                           true, &it);
  if(!rc)
    rc = brinei_json_field(ctx, pl, "Payload", "logIndex", BJ_NUM, true,
                           &li);
  if(!rc)
    rc = brinei_json_field(ctx, pl, "Payload", "logID", BJ_STR, true, &lid);
  if(rc)
    return because(ctx, rc, "bundle");
  hex = json_string_value(lid);
  if(!json_is_integer(it) || !json_is_integer(li) ||
     json_string_length(lid) % 2 || json_string_length(lid) / 2 > sizeof(id) ||
     brinei_hex_decode((const uint8_t *)hex, json_string_length(lid), id) !=
       json_string_length(lid) / 2)
    return bad(ctx, BRINE_E_MALFORMED, "bundle", "rekorBundle.Payload: "
               "integratedTime and logIndex must be integers, logID hex");
  idlen = json_string_length(lid) / 2;
  /* kind and version come from the body itself */
  rc = brinei_json_b64(ctx, pl, "Payload", "body", &raw, &rawlen);
  if(!rc) {
    json_t *doc;
    rc = brinei_json_load(ctx, (const char *)raw, rawlen, "the Rekor body",
                          &doc);
    brinei_free(ctx, raw);
    if(!rc) {
      kv = json_pack("{s:O?,s:O?}", "kind", json_object_get(doc, "kind"),
                     "version", json_object_get(doc, "apiVersion"));
      json_decref(doc);
    }
  }
  if(rc)
    return because(ctx, rc, "bundle");
  if(!kv)
    return brinei_json_nomem(ctx);
  {
    char *b64id = brinei_b64_encode(ctx, id, idlen);
    if(!b64id) {
      json_decref(kv);
      return brinei_json_nomem(ctx);
    }
    snprintf(num[0], sizeof(num[0]), "%lld",
             (long long)json_integer_value(li));
    snprintf(num[1], sizeof(num[1]), "%lld",
             (long long)json_integer_value(it));
    entry = json_pack("{s:s,s:{s:s},s:o,s:s,s:{s:O},s:O}", "logIndex", num[0],
                      "logId", "keyId", b64id, "kindVersion", kv,
                      "integratedTime", num[1], "inclusionPromise",
                      "signedEntryTimestamp", set, "canonicalizedBody",
                      body);
    brinei_free(ctx, b64id);
  }
  if(!entry)
    return brinei_json_nomem(ctx);
  rc = brinei_tlog_entry_parse(ctx, entry, e);
  json_decref(entry);
  return rc ? because(ctx, rc, "bundle") : BRINE_OK;
}

static brine_result read_legacy(struct brine_ctx *ctx, struct bundle *b)
{
  static const char pem_cert[] = "-----BEGIN CERTIFICATE-----";
  json_t *rb;
  uint8_t *pem;
  size_t n;
  brine_result rc = brinei_json_b64(ctx, b->doc, "", "base64Signature",
                                    &b->sig, &b->sig_len);
  if(!rc)
    rc = brinei_json_field(ctx, b->doc, "", "rekorBundle", BJ_OBJ, false,
                           &rb);
  if(!rc)
    rc = brinei_json_b64(ctx, b->doc, "", "cert", &pem, &n);
  if(rc)
    return because(ctx, rc, "bundle");
  b->version = 1;
  if(n >= sizeof(pem_cert) - 1 && !memcmp(pem, pem_cert,
                                          sizeof(pem_cert) - 1)) {
    rc = brinei_cert_parse_pem(ctx, pem, n, &b->chain[0]);
    if(!rc)
      b->nchain = 1;
  }
  else
    b->keyed = true;  /* a public key: verified with --key */
  brinei_free(ctx, pem);
  if(rc)
    return because(ctx, rc, "bundle");
  if(rb) {
    rc = legacy_entry(ctx, rb, &b->tlog[0]);
    if(rc)
      return rc;
    b->ntlog = 1;
  }
  return BRINE_OK;
}

static brine_result read_bundle(struct brine_ctx *ctx, const char *json,
                                size_t len, struct bundle *b)
{
  json_t *mt;
  const char *type;
  brine_result rc = brinei_json_load(ctx, json, len, "the bundle", &b->doc);
  if(rc)
    return because(ctx, rc, "bundle");
  if(!json_object_get(b->doc, "mediaType") &&
     json_object_get(b->doc, "base64Signature"))
    return read_legacy(ctx, b);
  rc = brinei_json_field(ctx, b->doc, "", "mediaType", BJ_STR, true, &mt);
  if(rc)
    return because(ctx, rc, "bundle");
  type = json_string_value(mt);
  for(size_t i = 0; i < BRINE_ARRAY_LEN(bundle_types); i++)
    if(!strcmp(type, bundle_types[i].type))
      b->version = bundle_types[i].version;
  if(!b->version)
    return bad(ctx, BRINE_E_MALFORMED, "bundle", "unknown media type "
               "\"%.80s\"", type);
  rc = read_material(ctx, b);
  if(!rc)
    rc = read_content(ctx, b);
  return rc;
}

/* ---- checks ------------------------------------------------------------- */

static brine_result check_chain_shape(struct brine_ctx *ctx,
                                      const struct bundle *b)
{
  /* the bundle carries the leaf and maybe intermediates, never the root:
     a root there could stand in for the trusted one */
  for(size_t i = 0; i < b->nchain; i++)
    if(brinei_cert_self_signed(b->chain[i]))
      return bad(ctx, BRINE_E_BADSIG, "certificate-chain", "the bundle's "
                 "chain includes a root certificate (certificate %zu)", i);
  return BRINE_OK;
}

static brine_result add_time(int64_t *times, size_t *n, int64_t t)
{
  if(*n < 2 * MAX_ENTRIES)
    times[(*n)++] = t;
  return BRINE_OK;
}

/* The artifact's SHA-256, when the caller gave data or a digest. */
static bool artifact_digest(struct brine_ctx *ctx,
                            const struct brinei_sigstore_artifact *a,
                            uint8_t out[32])
{
  if(a->data)
    return !brinei_digest(ctx, BRINEI_SHA256, a->data, a->len, out);
  if(a->digest) {
    memcpy(out, a->digest, 32);
    return true;
  }
  return false;
}

static brine_result check_tlog(struct brine_ctx *ctx,
                               const struct brinei_trustroot *tr,
                               const struct bundle *b, const uint8_t *dig,
                               const char *key_pem, size_t key_pem_len,
                               int64_t *times, size_t *ntimes)
{
  struct brinei_tlog_subject s;
  size_t der_len = 0;
  const uint8_t *der = b->nchain ? brinei_cert_der(b->chain[0], &der_len)
                                 : NULL;
  if(!b->ntlog)
    return bad(ctx, BRINE_E_BADSIG, "tlog", "the bundle has no "
               "transparency log entry");
  memset(&s, 0, sizeof(s));
  s.sig = b->sig;
  s.sig_len = b->sig_len;
  s.leaf_der = der;
  s.leaf_len = der_len;
  s.key_pem = (const uint8_t *)key_pem;
  s.key_pem_len = key_pem_len;
  s.digest = b->dsse ? NULL : dig;
  s.payload = b->payload;
  s.payload_len = b->payload_len;
  s.payload_type = b->payload_type;
  for(size_t i = 0; i < b->ntlog; i++) {
    int64_t t = 0;
    brine_result rc = brinei_tlog_verify(ctx, tr, &b->tlog[i], &s,
                                         b->version >= 2, b->version == 1,
                                         &t);
    if(rc)
      return because(ctx, rc, "tlog");
    for(size_t j = 0; j < i; j++)
      if(b->tlog[j].log_index == b->tlog[i].log_index &&
         b->tlog[j].log_id_len == b->tlog[i].log_id_len &&
         !memcmp(b->tlog[j].log_id, b->tlog[i].log_id, b->tlog[i].log_id_len))
        t = 0;  /* a duplicate entry does not count twice */
    if(t)
      add_time(times, ntimes, t);
  }
  return BRINE_OK;
}

static brine_result check_timestamps(struct brine_ctx *ctx,
                                     const struct brinei_trustroot *tr,
                                     const struct bundle *b, int64_t *times,
                                     size_t *ntimes)
{
  struct brinei_tsa_trust tsas[16];
  size_t n = 0;
  for(size_t i = 0; i < tr->ntsas && n < BRINE_ARRAY_LEN(tsas); i++) {
    tsas[n].certs = tr->tsas[i].certs;
    tsas[n].ncerts = tr->tsas[i].ncerts;
    tsas[n].start = tr->tsas[i].valid.start;
    tsas[n].end = tr->tsas[i].valid.end;
    n++;
  }
  for(size_t i = 0; i < b->nts; i++) {
    int64_t t;
    brine_result rc;
    for(size_t j = 0; j < i; j++)
      if(b->ts_len[j] == b->ts_len[i] &&
         !memcmp(b->ts[j], b->ts[i], b->ts_len[i]))
        return bad(ctx, BRINE_E_BADSIG, "timestamp", "timestamp %zu "
                   "repeats timestamp %zu", i, j);
    rc = brinei_rfc3161_verify(ctx, b->ts[i], b->ts_len[i], b->sig,
                               b->sig_len, tsas, n, &t);
    if(rc)
      return because(ctx, rc, "timestamp");
    add_time(times, ntimes, t);
  }
  return BRINE_OK;
}

/* The leaf chains to a trusted CA at every signed time (hybrid model);
   *issuer is the certificate that issued the leaf. */
static brine_result check_certificate(struct brine_ctx *ctx,
                                      const struct brinei_trustroot *tr,
                                      const struct bundle *b,
                                      const int64_t *times, size_t ntimes,
                                      const struct brinei_cert **issuer)
{
  *issuer = b->nchain > 1 ? b->chain[1] : NULL;
  for(size_t k = 0; k < ntimes; k++) {
    bool ok = false;
    for(size_t i = 0; i < tr->ncas && !ok; i++) {
      const struct brinei_authority *ca = &tr->cas[i];
      struct brinei_cert *unt[16];
      size_t nu = 0;
      if(!ca->ncerts || !brinei_validity_contains(&ca->valid, times[k]))
        continue;
      for(size_t j = 1; j < b->nchain && nu < BRINE_ARRAY_LEN(unt); j++)
        unt[nu++] = b->chain[j];
      for(size_t j = 0; j + 1 < ca->ncerts && nu < BRINE_ARRAY_LEN(unt); j++)
        unt[nu++] = ca->certs[j];
      if(!brinei_cert_verify(ctx, b->chain[0], unt, nu,
                             &ca->certs[ca->ncerts - 1], 1, (time_t)times[k],
                             BRINEI_USE_CODESIGN)) {
        ok = true;
        if(!*issuer)
          *issuer = ca->certs[0];  /* the CA certificate nearest it */
      }
    }
    if(!ok)
      return bad(ctx, BRINE_E_BADSIG, "certificate-chain", "the signing "
                 "certificate does not chain to a trusted CA at signed time "
                 "%lld (%.120s)", (long long)times[k], ctx->err.message);
  }
  return BRINE_OK;
}

static brine_result check_scts(struct brine_ctx *ctx,
                               const struct brinei_trustroot *tr,
                               const struct bundle *b,
                               const struct brinei_cert *issuer)
{
  struct brinei_ct_trust logs[16];
  size_t n = 0, nvalid = 0;
  brine_result rc;
  for(size_t i = 0; i < tr->nctlogs && n < BRINE_ARRAY_LEN(logs); i++) {
    logs[n].log_id = tr->ctlogs[i].log_id;
    logs[n].key = tr->ctlogs[i].key;
    logs[n].start = tr->ctlogs[i].valid.start;
    logs[n].end = tr->ctlogs[i].valid.end;
    n++;
  }
  if(!issuer)
    return bad(ctx, BRINE_E_BADSIG, "sct", "no issuer certificate to check "
               "the SCTs with");
  rc = brinei_sct_verify(ctx, b->chain[0], issuer, logs, n, &nvalid);
  if(rc)
    return because(ctx, rc, "sct");
  if(!nvalid)
    return bad(ctx, BRINE_E_BADSIG, "sct", "no signed certificate timestamp "
               "verifies with a trusted CT log");
  return BRINE_OK;
}

static bool identity_matches(const char *want, bool regex, const char *got)
{
  regex_t re;
  char anchored[1100];
  bool ok;
  if(!regex)
    return !strcmp(want, got);
  snprintf(anchored, sizeof(anchored), "^(%.1024s)$", want);
  if(regcomp(&re, anchored, REG_EXTENDED | REG_NOSUB))
    return false;
  ok = !regexec(&re, got, 0, NULL, 0);
  regfree(&re);
  return ok;
}

static brine_result check_identity(struct brine_ctx *ctx,
                                   const struct bundle *b,
                                   const struct brinei_sigstore_policy *p,
                                   struct brinei_sigstore_result *out)
{
  char **names = NULL, *iss = NULL;
  size_t n = 0;
  brine_result rc = brinei_cert_identities(ctx, b->chain[0], &names, &n);
  if(rc)
    return because(ctx, rc, "identity");
  for(size_t i = 0; i < n && !out->identity; i++)
    if(identity_matches(p->identity, p->identity_regex, names[i]))
      out->identity = brinei_strndup(ctx, names[i], strlen(names[i]));
  if(!out->identity) {
    rc = bad(ctx, BRINE_E_POLICY, "identity", "the certificate's identity "
             "is %.120s, not %.120s", n ? names[0] : "(none)", p->identity);
    brinei_strs_free(ctx, names, n);
    return rc;
  }
  brinei_strs_free(ctx, names, n);
  rc = brinei_cert_oidc_issuer(ctx, b->chain[0], &iss);
  if(rc)
    return because(ctx, rc, "issuer");
  if(strcmp(iss, p->issuer)) {
    rc = bad(ctx, BRINE_E_POLICY, "issuer", "the certificate's OIDC issuer "
             "is %.120s, not %.120s", iss, p->issuer);
    brinei_free(ctx, iss);
    return rc;
  }
  out->issuer = iss;
  return BRINE_OK;
}

/* Is the artifact's digest among the in-toto statement's subjects? */
static brine_result check_subject(struct brine_ctx *ctx,
                                  const struct bundle *b, const uint8_t *dig)
{
  json_t *st, *subs, *s;
  char hex[65];
  size_t i;
  bool found = false;
  brine_result rc = brinei_json_load(ctx, (const char *)b->payload,
                                     b->payload_len, "the DSSE payload", &st);
  if(rc)
    return because(ctx, rc, "statement");
  brinei_hex(dig, 32, hex);
  subs = json_object_get(st, "subject");
  json_array_foreach(subs, i, s) {
    const char *d = json_string_value(json_object_get(
        json_object_get(s, "digest"), "sha256"));
    if(d && !strcmp(d, hex))
      found = true;
  }
  json_decref(st);
  if(!found)
    return bad(ctx, BRINE_E_BADSIG, "statement", "the artifact's sha256 %s "
               "is not a subject of the signed statement", hex);
  return BRINE_OK;
}

static brine_result check_signature(struct brine_ctx *ctx,
                                    const struct bundle *b,
                                    const struct brinei_key *key,
                                    const struct brinei_sigstore_artifact *a,
                                    const uint8_t *dig, bool have_dig)
{
  brine_result rc;
  if(b->dsse) {
    uint8_t *pae;
    size_t n;
    if(strcmp(b->payload_type, OMS_PAYLOAD_TYPE))
      return bad(ctx, BRINE_E_UNSUPPORTED, "dsse", "payload type %.80s is "
                 "not in-toto", b->payload_type);
    rc = brinei_dsse_pae(ctx, b->payload_type, b->payload, b->payload_len,
                         &pae, &n);
    if(rc)
      return rc;
    rc = brinei_verify(ctx, key, brinei_key_curve_hash(key), pae, n, b->sig,
                       b->sig_len);
    brinei_free(ctx, pae);
    if(rc)
      return because(ctx, rc, "signature");
    return have_dig ? check_subject(ctx, b, dig) : BRINE_OK;
  }
  if(!have_dig)
    return bad(ctx, BRINE_E_INVALID, "artifact", "a message signature "
               "needs the artifact or its digest");
  if(b->msg_digest && (b->msg_digest_len != 32 ||
                       strcmp(b->msg_digest_alg, "SHA2_256") ||
                       memcmp(b->msg_digest, dig, 32)))
    return bad(ctx, BRINE_E_BADSIG, "message-digest", "the bundle's "
               "messageDigest is not the artifact's SHA-256");
  if(a->data)
    rc = brinei_verify(ctx, key, BRINEI_SHA256, a->data, a->len, b->sig,
                       b->sig_len);
  else
    rc = brinei_verify_digest(ctx, key, BRINEI_SHA256, dig, b->sig,
                              b->sig_len);
  return rc ? because(ctx, rc, "signature") : BRINE_OK;
}

/* ---- the whole verification -------------------------------------------- */

static brine_result verify(struct brine_ctx *ctx,
                           const struct brinei_trustroot *tr,
                           struct bundle *b,
                           const struct brinei_sigstore_artifact *a,
                           const struct brinei_sigstore_policy *p,
                           struct brinei_sigstore_result *out)
{
  int64_t times[2 * MAX_ENTRIES];
  size_t ntimes = 0;
  uint8_t dig[32];
  bool have_dig = artifact_digest(ctx, a, dig);
  struct brinei_key *leaf_key = NULL;
  const struct brinei_key *key;
  const struct brinei_cert *issuer = NULL;
  char *pem = NULL;
  size_t pem_len = 0;
  brine_result rc;
  if(p->key) {
    if(!b->keyed)
      return bad(ctx, BRINE_E_BADSIG, "key", "the bundle was signed with a "
                 "certificate, not with the given key");
    key = p->key;
    rc = brinei_key_public_pem(ctx, key, &pem, &pem_len);
    if(rc)
      return rc;
  }
  else {
    if(b->keyed)
      return bad(ctx, BRINE_E_BADSIG, "key", "the bundle was signed with a "
                 "key; verify it with --key");
    rc = check_chain_shape(ctx, b);
    if(rc)
      return rc;
    rc = brinei_cert_key(ctx, b->chain[0], &leaf_key);
    if(rc)
      return rc;
    key = leaf_key;
  }
  rc = check_tlog(ctx, tr, b, have_dig ? dig : NULL, pem, pem_len, times,
                  &ntimes);
  if(!rc)
    rc = check_timestamps(ctx, tr, b, times, &ntimes);
  if(!rc && !p->key && !ntimes)
    rc = bad(ctx, BRINE_E_BADSIG, "signed-time", "no verified signed time "
             "(a Rekor v2 entry needs an RFC 3161 timestamp)");
  if(!rc && !p->key)
    rc = check_certificate(ctx, tr, b, times, ntimes, &issuer);
  if(!rc && !p->key)
    rc = check_scts(ctx, tr, b, issuer);
  if(!rc && !p->key)
    rc = check_identity(ctx, b, p, out);
  if(!rc)
    rc = check_signature(ctx, b, key, a, dig, have_dig);
  if(!rc && b->dsse) {
    out->payload = b->payload;
    out->payload_len = b->payload_len;
    b->payload = NULL;
  }
  if(!rc) {
    out->signed_time = 0;
    for(size_t i = 0; i < ntimes; i++)
      if(!out->signed_time || times[i] < out->signed_time)
        out->signed_time = times[i];
  }
  brinei_key_free(leaf_key);
  brinei_free(ctx, pem);
  return rc;
}

brine_result brinei_sigstore_verify(struct brine_ctx *ctx,
                                    const struct brinei_trustroot *tr,
                                    const char *json, size_t len,
                                    const struct brinei_sigstore_artifact *a,
                                    const struct brinei_sigstore_policy *p,
                                    struct brinei_sigstore_result *out)
{
  struct bundle b;
  brine_result rc;
  memset(&b, 0, sizeof(b));
  memset(out, 0, sizeof(*out));
  if(!p->key && (!p->identity || !p->issuer))
    return BRINE_FAIL(ctx, BRINE_E_INVALID, BRINE_NOOFF, "keyless "
                      "verification needs an identity and an issuer");
  rc = read_bundle(ctx, json, len, &b);
  if(!rc && !b.keyed && !b.nchain)
    rc = bad(ctx, BRINE_E_MALFORMED, "bundle", "no signing certificate");
  if(!rc)
    rc = verify(ctx, tr, &b, a, p, out);
  bundle_free(ctx, &b);
  if(rc)
    brinei_sigstore_result_free(ctx, out);
  return rc;
}

void brinei_sigstore_result_free(struct brine_ctx *ctx,
                                 struct brinei_sigstore_result *r)
{
  brinei_free(ctx, r->payload);
  brinei_free(ctx, r->identity);
  brinei_free(ctx, r->issuer);
  memset(r, 0, sizeof(*r));
}
