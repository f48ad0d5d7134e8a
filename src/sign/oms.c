/* OpenSSF Model Signing v1.0 signature files: the in-toto payload, DSSE
 * pre-authentication encodings, reading and writing the Sigstore bundle,
 * and turning a signed statement back into a manifest.
 * Spec: ../shared/reference/signing.md §1.1-§1.5 (format, PAE, predicate),
 * §1.8 (what the reference verifier checks), §2.1 (bundle media types);
 * OMS spec v1.0 §4-§6; DSSE protocol v1.
 *
 * Every JSON document read here is untrusted: it is parsed by jansson with
 * duplicate keys rejected (two readers of one file must see one meaning),
 * and each field is type-checked before use. jansson allocates outside the
 * context's budget, so a document is parsed only when it is small against
 * lim.memory (as formats/safetensors.c does).
 *
 * Base64 (protobuf-JSON `bytes`): both alphabets, padding optional, as
 * protobuf's JSON parsers accept; otherwise strict (brinei_b64_decode:
 * no whitespace, no mixed alphabets, canonical trailing bits).
 */
#include "../internal.h"
#include "oms.h"
#include "json.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#define OMS_MAX_CERTS 32     /* certificates in one chain */

/* Media types a Sigstore bundle may carry (signing.md §2.1). */
static const char *const media_types[] = {
  "application/vnd.dev.sigstore.bundle+json;version=0.1",
  "application/vnd.dev.sigstore.bundle+json;version=0.2",
  "application/vnd.dev.sigstore.bundle+json;version=0.3",
  OMS_BUNDLE_MEDIA_TYPE,
};

/* Serialize j into memory from ctx (NUL-terminated, no trailing newline). */
static brine_result dump(struct brine_ctx *ctx, const json_t *j, size_t flags,
                         char **out, size_t *len)
{
  size_t n = json_dumpb(j, NULL, 0, flags);
  char *buf;
  if(!n || n == SIZE_MAX)
    return brinei_json_nomem(ctx);  /* jansson fails only for memory */
  buf = brinei_malloc(ctx, n + 1);
  if(!buf)
    return brinei_json_nomem(ctx);
  if(json_dumpb(j, buf, n, flags) != n) {
    brinei_free(ctx, buf);
    return brinei_json_nomem(ctx);
  }
  buf[n] = '\0';
  *out = buf;
  *len = n;
  return BRINE_OK;
}

/* n bytes of lowercase hex (exactly 2n characters) into out. */
static bool unhex_lower(const char *s, size_t slen, uint8_t *out, size_t n)
{
  if(slen != 2 * n)
    return false;
  for(size_t i = 0; i < slen; i++) {
    int v;
    if(s[i] >= '0' && s[i] <= '9')
      v = s[i] - '0';
    else if(s[i] >= 'a' && s[i] <= 'f')
      v = s[i] - 'a' + 10;
    else
      return false;
    if(i & 1)
      out[i / 2] = (uint8_t)(out[i / 2] | v);
    else
      out[i / 2] = (uint8_t)(v << 4);
  }
  return true;
}

/* ---- the payload (signing.md §1.5) ------------------------------------- */

/* json_stringn for text that must be valid UTF-8 (jansson refuses other
   text; protobuf's JSON writer could not have produced it either). */
static brine_result jstr(struct brine_ctx *ctx, const char *s,
                         const char *what, json_t **out)
{
  size_t n = strlen(s);
  if(!brinei_utf8_valid((const uint8_t *)s, n, false))
    return BRINE_FAIL(ctx, BRINE_E_UNSUPPORTED, BRINE_NOOFF,
                      "%s is not valid UTF-8, which a model_signing "
                      "statement cannot record", what);
  *out = json_stringn(s, n);
  return *out ? BRINE_OK : brinei_json_nomem(ctx);
}

/* Set obj[key] = v, or append v. jansson takes v whatever happens (NULL
   obj or arr included), so nothing leaks on failure; false when v is NULL
   or jansson fails. */
static bool put(json_t *obj, const char *key, json_t *v)
{
  return v && json_object_set_new(obj, key, v) == 0;
}

static bool push(json_t *arr, json_t *v)
{
  return v && json_array_append_new(arr, v) == 0;
}

/* put/push returning v (borrowed from its new parent), or NULL. */
static json_t *child(json_t *obj, const char *key, json_t *v)
{
  return put(obj, key, v) ? v : NULL;
}

static json_t *elem(json_t *arr, json_t *v)
{
  return push(arr, v) ? v : NULL;
}

static brine_result payload_resources(struct brine_ctx *ctx,
                                      const struct brinei_manifest *m,
                                      json_t *res)
{
  char alg[64], hex[2 * BRINEI_HASH_MAX + 1];
  size_t hl = brinei_hash_len(m->hash);
  brinei_manifest_algorithm(m, alg, sizeof(alg));
  for(size_t i = 0; i < m->n; i++) {
    json_t *r = json_object(), *name;
    char what[48];
    brine_result rc;
    if(!push(res, r))
      return brinei_json_nomem(ctx);
    snprintf(what, sizeof(what), "the name of resource %zu", i);
    rc = jstr(ctx, m->items[i].name ? m->items[i].name : "", what, &name);
    if(rc)
      return rc;
    brinei_hex(m->items[i].digest, hl, hex);
    if(!put(r, "name", name) || !put(r, "algorithm", json_string(alg)) ||
       !put(r, "digest", json_string(hex)))
      return brinei_json_nomem(ctx);
  }
  return BRINE_OK;
}

static brine_result payload_serialization(struct brine_ctx *ctx,
                                          const struct brinei_manifest *m,
                                          json_t *ser)
{
  json_t *ign;
  bool shards = m->ser == BRINEI_SER_SHARDS;
  if(shards && (m->shard_size == 0 || m->shard_size > INT64_MAX))
    return BRINE_FAIL(ctx, BRINE_E_INVALID, BRINE_NOOFF,
                      "shard size %llu is out of range",
                      (unsigned long long)m->shard_size);
  /* key order of _ShardSerialization / _FileSerialization */
  if(!put(ser, "method", json_string(shards ? "shards" : "files")) ||
     !put(ser, "hash_type", json_string(brinei_hash_name(m->hash))) ||
     (shards &&
      !put(ser, "shard_size", json_integer((json_int_t)m->shard_size))) ||
     !put(ser, "allow_symlinks", json_boolean(m->allow_symlinks)) ||
     !(ign = child(ser, "ignore_paths", json_array())))
    return brinei_json_nomem(ctx);
  for(size_t i = 0; i < m->n_ignore; i++) {
    json_t *s;
    brine_result rc = jstr(ctx, m->ignore[i], "an ignore path", &s);
    if(rc)
      return rc;
    if(!push(ign, s))
      return brinei_json_nomem(ctx);
  }
  return BRINE_OK;
}

brine_result brinei_oms_payload(struct brine_ctx *ctx,
                                const struct brinei_manifest *m,
                                char **json, size_t *len)
{
  uint8_t root[32];
  char hex[65];
  json_t *doc, *subj, *dig, *pred, *res, *ser, *name = NULL;
  brine_result rc = brinei_manifest_root(ctx, m, root);
  bool ok;
  if(!rc)
    rc = jstr(ctx, m->model_name ? m->model_name : "", "the model name",
              &name);
  if(rc)
    return rc;
  brinei_hex(root, 32, hex);
  /* put/push consume their value even when they fail, so each is called
     whatever happened before it, and only doc is left to release */
  doc = json_object();
  ok = put(doc, "_type", json_string(OMS_STATEMENT_TYPE));
  subj = elem(child(doc, "subject", json_array()), json_object());
  ok = put(subj, "name", name) && ok;
  dig = child(subj, "digest", json_object());
  ok = put(dig, "sha256", json_string(hex)) && ok;
  ok = put(doc, "predicateType", json_string(OMS_PREDICATE_TYPE)) && ok;
  pred = child(doc, "predicate", json_object());
  res = child(pred, "resources", json_array());
  ser = child(pred, "serialization", json_object());
  if(!ok || !res || !ser) {
    json_decref(doc);
    return brinei_json_nomem(ctx);
  }
  rc = payload_resources(ctx, m, res);
  if(!rc)
    rc = payload_serialization(ctx, m, ser);
  if(!rc)
    rc = dump(ctx, doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER, json, len);
  json_decref(doc);
  return rc;
}

/* ---- PAE (signing.md §1.4; DSSE protocol v1) --------------------------- */

static size_t digits(size_t v)
{
  size_t d = 1;
  while(v >= 10) {
    v /= 10;
    d++;
  }
  return d;
}

/* "<prefix> <len(type)> <type> <n> " into a fresh buffer with room for
   `extra` more bytes; *hl is the header length. */
static brine_result pae_header(struct brine_ctx *ctx, const char *prefix,
                               const char *type, size_t tchars, size_t n,
                               size_t extra, uint8_t **out, size_t *hl)
{
  size_t tl = strlen(type);
  size_t h, cap;
  uint8_t *buf;
  /* every term is bounded by an object already in memory, except extra */
  h = strlen(prefix) + 1 + digits(tchars) + 1 + tl + 1 + digits(n) + 1;
  if(h < tl || extra > SIZE_MAX - h - 1)
    return BRINE_FAIL(ctx, BRINE_E_NOMEM, BRINE_NOOFF,
                      "DSSE: a %zu-byte payload is too large", n);
  cap = h + extra + 1;
  buf = brinei_malloc(ctx, cap);
  if(!buf)
    return brinei_json_nomem(ctx);
  snprintf((char *)buf, h + 1, "%s %zu %s %zu ", prefix, tchars, type, n);
  *out = buf;
  *hl = h;
  return BRINE_OK;
}

brine_result brinei_dsse_pae(struct brine_ctx *ctx, const char *type,
                             const uint8_t *body, size_t n, uint8_t **out,
                             size_t *outlen)
{
  uint8_t *buf;
  size_t hl;
  /* lengths are byte counts (DSSE protocol: LEN(s) = bytes of s) */
  brine_result rc = pae_header(ctx, "DSSEv1", type, strlen(type), n, n,
                               &buf, &hl);
  if(rc)
    return rc;
  if(n)
    memcpy(buf + hl, body, n);
  *out = buf;
  *outlen = hl + n;
  return BRINE_OK;
}

/* CPython bytes.__repr__ (Objects/bytesobject.c, PyBytes_Repr with smart
   quotes); with out NULL only measures. Returns the length. */
static size_t pyrepr(const uint8_t *s, size_t n, uint8_t *out)
{
  static const char hexd[] = "0123456789abcdef";
  bool sq = n && memchr(s, '\'', n), dq = n && memchr(s, '"', n);
  uint8_t q = sq && !dq ? '"' : '\'';
  size_t o = 0;
#define EMIT(c) do { if(out) out[o] = (uint8_t)(c); o++; } while(0)
  EMIT('b');
  EMIT(q);
  for(size_t i = 0; i < n; i++) {
    uint8_t c = s[i];
    if(c == q || c == '\\') {
      EMIT('\\');
      EMIT(c);
    }
    else if(c == '\t' || c == '\n' || c == '\r') {
      EMIT('\\');
      EMIT(c == '\t' ? 't' : c == '\n' ? 'n' : 'r');
    }
    else if(c < 0x20 || c >= 0x7f) {
      EMIT('\\');
      EMIT('x');
      EMIT(hexd[c >> 4]);
      EMIT(hexd[c & 15]);
    }
    else
      EMIT(c);
  }
  EMIT(q);
#undef EMIT
  return o;
}

brine_result brinei_dsse_pae_compat(struct brine_ctx *ctx, const char *type,
                                    const uint8_t *body, size_t n,
                                    uint8_t **out, size_t *outlen)
{
  uint8_t *buf;
  size_t hl, rl, tchars = 0;
  brine_result rc;
  /* model_signing v0.2: f"DSSEV1 {len(type)} {type} {len(raw)} {raw!r}";
     len() of a str counts code points, so skip UTF-8 continuation bytes */
  for(const char *p = type; *p; p++)
    tchars += ((uint8_t)*p & 0xc0) != 0x80;
  /* the repr grows each byte to at most 4 */
  if(n > (SIZE_MAX - 3) / 4)
    return BRINE_FAIL(ctx, BRINE_E_NOMEM, BRINE_NOOFF,
                      "DSSE: a %zu-byte payload is too large", n);
  rl = pyrepr(body, n, NULL);
  rc = pae_header(ctx, "DSSEV1", type, tchars, n, rl, &buf, &hl);
  if(rc)
    return rc;
  pyrepr(body, n, buf + hl);
  *out = buf;
  *outlen = hl + rl;
  return BRINE_OK;
}

/* ---- reading a bundle (signing.md §1.1-§1.3, §2.1) ------------------ */

void brinei_oms_bundle_free(struct brine_ctx *ctx,
                            struct brinei_oms_bundle *b)
{
  if(!b)
    return;
  brinei_free(ctx, b->media_type);
  brinei_free(ctx, b->hint);
  brinei_certs_free(ctx, b->certs, b->ncerts);
  brinei_free(ctx, b->payload);
  brinei_free(ctx, b->payload_type);
  brinei_free(ctx, b->sig);
  memset(b, 0, sizeof(*b));
}

static brine_result parse_cert(struct brine_ctx *ctx, const json_t *obj,
                               const char *where, struct brinei_cert **out)
{
  uint8_t *der = NULL;
  size_t n = 0;
  brine_result rc;
  if(!json_is_object(obj))
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "%s must be an object", where);
  rc = brinei_json_b64(ctx, obj, where, "rawBytes", &der, &n);
  if(rc)
    return rc;
  rc = brinei_cert_parse_der(ctx, der, n, out);
  brinei_free(ctx, der);
  return rc ? brinei_json_refail(ctx, rc, where) : BRINE_OK;
}

static brine_result parse_public_key(struct brine_ctx *ctx, const json_t *pk,
                                     struct brinei_oms_bundle *b)
{
  static const char where[] = "verificationMaterial.publicKey";
  json_t *hint, *raw, *details;
  brine_result rc = brinei_json_field(ctx, pk, where, "hint", BJ_STR, false,
                                      &hint);
  if(!rc)
    rc = brinei_json_field(ctx, pk, where, "rawBytes", BJ_STR, false, &raw);
  if(!rc)
    rc = brinei_json_field(ctx, pk, where, "keyDetails", BJ_STR, false,
                           &details);
  if(rc)
    return rc;
  b->method = OMS_KEY;
  if(hint) {
    b->hint = brinei_strndup(ctx, json_string_value(hint),
                             json_string_length(hint));
    if(!b->hint)
      return brinei_json_nomem(ctx);
  }
  if(raw) {
    /* v0.3.1-v1.0.x: the PEM text, base64; it is not trusted for
       anything (the verifier's key is), but it must at least decode */
    uint8_t *pem;
    size_t n;
    rc = brinei_json_b64(ctx, pk, where, "rawBytes", &pem, &n);
    if(rc)
      return rc;
    brinei_free(ctx, pem);
  }
  b->old_key_format = raw || details;
  return BRINE_OK;
}

static brine_result parse_chain(struct brine_ctx *ctx, const json_t *ch,
                                struct brinei_oms_bundle *b)
{
  static const char where[] = "verificationMaterial.x509CertificateChain";
  json_t *certs;
  size_t n;
  brine_result rc = brinei_json_field(ctx, ch, where, "certificates", BJ_ARR,
                                      true,
                          &certs);
  if(rc)
    return rc;
  n = json_array_size(certs);
  if(!n)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "%s.certificates is empty", where);
  if(n > OMS_MAX_CERTS)
    return BRINE_FAIL(ctx, BRINE_E_LIMIT, BRINE_NOOFF,
                      "%s holds %zu certificates, more than %d", where, n,
                      OMS_MAX_CERTS);
  b->certs = brinei_calloc(ctx, n, sizeof(*b->certs));
  if(!b->certs)
    return brinei_json_nomem(ctx);
  b->method = OMS_CERTIFICATE;
  for(size_t i = 0; i < n; i++) {
    char name[80];
    snprintf(name, sizeof(name), "%s.certificates[%zu]", where, i);
    rc = parse_cert(ctx, json_array_get(certs, i), name, &b->certs[i]);
    if(rc)
      return rc;
    b->ncerts = i + 1;
  }
  return BRINE_OK;
}

static brine_result parse_material(struct brine_ctx *ctx, const json_t *doc,
                                   struct brinei_oms_bundle *b)
{
  static const char where[] = "verificationMaterial";
  json_t *vm, *pk, *chain, *cert, *tlog;
  brine_result rc = brinei_json_field(ctx, doc, "", where, BJ_OBJ, true, &vm);
  if(!rc)
    rc = brinei_json_field(ctx, vm, where, "publicKey", BJ_OBJ, false, &pk);
  if(!rc)
    rc = brinei_json_field(ctx, vm, where, "x509CertificateChain", BJ_OBJ,
                           false, &chain);
  if(!rc)
    rc = brinei_json_field(ctx, vm, where, "certificate", BJ_OBJ, false,
                           &cert);
  if(!rc)
    rc = brinei_json_field(ctx, vm, where, "tlogEntries", BJ_ARR, false,
                           &tlog);
  if(rc)
    return rc;
  /* a protobuf oneof: exactly one of the three */
  if((pk != NULL) + (chain != NULL) + (cert != NULL) != 1)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "%s must hold exactly one of publicKey, "
                      "x509CertificateChain and certificate", where);
  if(tlog) {
    b->ntlog = json_array_size(tlog);
    for(size_t i = 0; i < b->ntlog; i++)
      if(!json_is_object(json_array_get(tlog, i)))
        return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                          "%s.tlogEntries[%zu] must be an object", where, i);
  }
  if(pk)
    return parse_public_key(ctx, pk, b);
  if(chain) {
    rc = parse_chain(ctx, chain, b);
    /* bundles before v0.3 carried keyless (Fulcio) certificates as a
       chain; a transparency log entry says which kind this is */
    if(!rc && b->ntlog)
      b->method = OMS_SIGSTORE;
    return rc;
  }
  b->certs = brinei_calloc(ctx, 1, sizeof(*b->certs));
  if(!b->certs)
    return brinei_json_nomem(ctx);
  b->method = OMS_SIGSTORE;
  rc = parse_cert(ctx, cert, "verificationMaterial.certificate", b->certs);
  if(!rc)
    b->ncerts = 1;
  return rc;
}

static brine_result parse_envelope(struct brine_ctx *ctx, const json_t *doc,
                                   struct brinei_oms_bundle *b)
{
  static const char where[] = "dsseEnvelope";
  static const char swhere[] = "dsseEnvelope.signatures[0]";
  json_t *env, *msg, *sigs, *sig, *keyid;
  brine_result rc = brinei_json_field(ctx, doc, "", "messageSignature",
                                      BJ_OBJ, false,
                          &msg);
  if(!rc)
    rc = brinei_json_field(ctx, doc, "", where, BJ_OBJ, false, &env);
  if(rc)
    return rc;
  if(msg && env)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "the bundle holds both messageSignature and "
                      "dsseEnvelope");
  if(msg)
    return BRINE_FAIL(ctx, BRINE_E_UNSUPPORTED, BRINE_NOOFF,
                      "the bundle signs a bare message digest "
                      "(messageSignature); model signatures are DSSE "
                      "envelopes (dsseEnvelope)");
  if(!env)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "the bundle has no dsseEnvelope");
  rc = brinei_json_b64(ctx, env, where, "payload", &b->payload,
                       &b->payload_len);
  if(!rc)
    rc = brinei_json_dup(ctx, env, where, "payloadType", &b->payload_type);
  if(!rc)
    rc = brinei_json_field(ctx, env, where, "signatures", BJ_ARR, true, &sigs);
  if(rc)
    return rc;
  b->nsigs = json_array_size(sigs);
  /* exactly one signature (Sigstore bundle rule; model_signing checks only
     signatures[0], so a second one could never be verified) */
  if(b->nsigs != 1)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "the DSSE envelope has %zu signatures; exactly one is "
                      "required", b->nsigs);
  sig = json_array_get(sigs, 0);
  if(!json_is_object(sig))
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "%s must be an object", swhere);
  rc = brinei_json_b64(ctx, sig, swhere, "sig", &b->sig, &b->sig_len);
  if(rc)
    return rc;
  if(!b->sig_len)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "%s.sig is empty", swhere);
  /* keyid: absent, null or a string (OMS spec §4.1); never used */
  keyid = json_object_get(sig, "keyid");
  if(keyid && !json_is_null(keyid) && !json_is_string(keyid))
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "%s.keyid must be a string or null", swhere);
  return BRINE_OK;
}

brine_result brinei_oms_bundle_parse(struct brine_ctx *ctx,
                                     const char *json, size_t len,
                                     struct brinei_oms_bundle *b)
{
  json_t *doc = NULL, *mt;
  brine_result rc;
  size_t i;
  memset(b, 0, sizeof(*b));
  rc = brinei_json_load(ctx, json, len, "the signature", &doc);
  if(rc)
    return rc;
  rc = brinei_json_field(ctx, doc, "", "mediaType", BJ_STR, true, &mt);
  if(rc)
    goto out;
  for(i = 0; i < BRINE_ARRAY_LEN(media_types); i++)
    if(!strcmp(json_string_value(mt), media_types[i]))
      break;
  if(i == BRINE_ARRAY_LEN(media_types)) {
    rc = BRINE_FAIL(ctx, BRINE_E_UNSUPPORTED, BRINE_NOOFF,
                    "unknown bundle mediaType \"%.100s\" (expected %s)",
                    json_string_value(mt), OMS_BUNDLE_MEDIA_TYPE);
    goto out;
  }
  b->media_type = brinei_strndup(ctx, json_string_value(mt),
                                 json_string_length(mt));
  if(!b->media_type) {
    rc = brinei_json_nomem(ctx);
    goto out;
  }
  rc = parse_material(ctx, doc, b);
  if(!rc)
    rc = parse_envelope(ctx, doc, b);
out:
  json_decref(doc);
  if(rc)
    brinei_oms_bundle_free(ctx, b);
  return rc;
}

brine_result brinei_oms_bundle_read(struct brine_ctx *ctx, const char *path,
                                    struct brinei_oms_bundle *b)
{
  struct brinei_map map;
  brine_result rc;
  memset(b, 0, sizeof(*b));
  rc = brinei_map_file(ctx, path, &map);
  if(rc)
    return rc;
  rc = brinei_oms_bundle_parse(ctx, (const char *)map.data, map.len, b);
  brinei_map_close(&map);
  return rc ? brinei_json_refail(ctx, rc, path) : BRINE_OK;
}

/* ---- checking the signature (signing.md §1.4, §1.8 step 2) ---------- */

brine_result brinei_oms_check_sig(struct brine_ctx *ctx,
                                  const struct brinei_oms_bundle *b,
                                  const struct brinei_key *key,
                                  bool *compat)
{
  uint8_t *pae;
  size_t n;
  const char *type = b->payload_type ? b->payload_type : "";
  brine_result rc = brinei_dsse_pae(ctx, type, b->payload, b->payload_len,
                                    &pae, &n);
  if(rc)
    return rc;
  rc = brinei_verify(ctx, key, brinei_key_curve_hash(key), pae, n, b->sig,
                     b->sig_len);
  brinei_free(ctx, pae);
  if(rc != BRINE_E_BADSIG) {
    if(!rc)
      *compat = false;
    return rc;
  }
  /* model_signing v0.2 signed another encoding, always with SHA-256 */
  rc = brinei_dsse_pae_compat(ctx, type, b->payload, b->payload_len, &pae,
                              &n);
  if(rc)
    return rc;
  rc = brinei_verify(ctx, key, BRINEI_SHA256, pae, n, b->sig, b->sig_len);
  brinei_free(ctx, pae);
  if(rc == BRINE_E_BADSIG)
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "the DSSE signature does not verify with the %s key",
                      brinei_key_describe(key));
  if(!rc) {
    brinei_clear_error(ctx);  /* the first attempt's failure */
    *compat = true;
  }
  return rc;
}

/* ---- the statement (signing.md §1.5; model_signing signing.py) --------- */

static int str_cmp(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int item_name_cmp(const void *a, const void *b)
{
  const struct brinei_mf_item *x = *(const struct brinei_mf_item *const *)a;
  const struct brinei_mf_item *y = *(const struct brinei_mf_item *const *)b;
  return strcmp(x->name, y->name);
}

/* Canonical decimal (no sign, no leading zero) of [s, s+n). */
static bool parse_dec(const char *s, size_t n, uint64_t *out)
{
  uint64_t v = 0;
  if(!n || (n > 1 && s[0] == '0'))
    return false;
  for(size_t i = 0; i < n; i++) {
    if(s[i] < '0' || s[i] > '9')
      return false;
    if(v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
      return false;
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  *out = v;
  return true;
}

/* The item's path and bounds from its name: files use the name ("." is
   the model file itself, path ""); shards "path:start:end", split at the
   last two ':' (OMS spec §6.3.2) so a path may hold ':'. */
static brine_result item_path(struct brine_ctx *ctx, struct brinei_mf_item *it,
                              enum brinei_ser ser, size_t idx)
{
  const char *name = it->name;
  size_t plen = strlen(name);
  if(ser == BRINEI_SER_SHARDS) {
    const char *e = strrchr(name, ':'), *s = NULL;
    if(e)
      for(const char *p = e; p > name;)
        if(*--p == ':') {
          s = p;
          break;
        }
    if(!s || !parse_dec(s + 1, (size_t)(e - s - 1), &it->start) ||
       !parse_dec(e + 1, strlen(e + 1), &it->end) || it->start >= it->end)
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                        "predicate.resources[%zu].name \"%.200s\" is not "
                        "\"path:start:end\" with start < end", idx, name);
    plen = (size_t)(s - name);
  }
  if(!plen)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "predicate.resources[%zu].name has an empty path", idx);
  if(plen == 1 && name[0] == '.')
    plen = 0;
  it->path = brinei_strndup(ctx, name, plen);
  return it->path ? BRINE_OK : brinei_json_nomem(ctx);
}

static brine_result hash_type(struct brine_ctx *ctx, const json_t *ser,
                              enum brinei_hash *h)
{
  json_t *v;
  const char *s;
  brine_result rc = brinei_json_field(ctx, ser, "predicate.serialization",
                                      "hash_type",
                          BJ_STR, true, &v);
  if(rc)
    return rc;
  s = json_string_value(v);
  /* model_signing writes sha256, blake2b or blake3 (OMS algorithm
     registry); brine has no BLAKE3 */
  if(!strcmp(s, "sha256"))
    *h = BRINEI_SHA256;
  else if(!strcmp(s, "blake2b"))
    *h = BRINEI_BLAKE2B;
  else if(!strcmp(s, "blake3"))
    return BRINE_FAIL(ctx, BRINE_E_UNSUPPORTED, BRINE_NOOFF,
                      "predicate.serialization.hash_type: blake3 is not "
                      "supported");
  else
    return BRINE_FAIL(ctx, BRINE_E_UNSUPPORTED, BRINE_NOOFF,
                      "predicate.serialization.hash_type \"%.100s\" is not "
                      "supported (sha256 or blake2b)", s);
  return BRINE_OK;
}

/* shard_size: protobuf Struct numbers are doubles, so model_signing writes
   1000000000.0; the spec wants an integer (§5.2.2). Either, if integral
   and positive. */
static brine_result shard_size(struct brine_ctx *ctx, const json_t *ser,
                               uint64_t *out)
{
  static const char where[] = "predicate.serialization";
  json_t *v;
  brine_result rc = brinei_json_field(ctx, ser, where, "shard_size", BJ_NUM,
                                      true, &v);
  if(rc)
    return rc;
  if(json_is_integer(v)) {
    json_int_t i = json_integer_value(v);
    if(i > 0) {
      *out = (uint64_t)i;
      return BRINE_OK;
    }
  }
  else {
    double d = json_real_value(v);
    /* 2^63: every double below it converts exactly when integral */
    if(d >= 1.0 && d < 9223372036854775808.0 &&
       (double)(uint64_t)d == d) {
      *out = (uint64_t)d;
      return BRINE_OK;
    }
  }
  return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                    "%s.shard_size must be a positive integer", where);
}

/* serialization → m's hash, mode, shard size, symlink flag, ignores. */
static brine_result parse_serialization(struct brine_ctx *ctx,
                                        const json_t *pred,
                                        struct brinei_manifest *m)
{
  static const char where[] = "predicate.serialization";
  json_t *ser, *method, *sym, *ign;
  const char *ms;
  size_t n, k = 0;
  brine_result rc = brinei_json_field(ctx, pred, "predicate", "serialization",
                                      BJ_OBJ,
                          true, &ser);
  if(!rc)
    rc = brinei_json_field(ctx, ser, where, "method", BJ_STR, true, &method);
  if(rc)
    return rc;
  ms = json_string_value(method);
  if(!strcmp(ms, "files"))
    m->ser = BRINEI_SER_FILES;
  else if(!strcmp(ms, "shards"))
    m->ser = BRINEI_SER_SHARDS;
  else
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "%s.method \"%.100s\" is neither files nor shards",
                      where, ms);
  rc = hash_type(ctx, ser, &m->hash);
  if(!rc && m->ser == BRINEI_SER_SHARDS)
    rc = shard_size(ctx, ser, &m->shard_size);
  if(!rc)
    rc = brinei_json_field(ctx, ser, where, "allow_symlinks", BJ_BOOL, false,
                           &sym);
  if(!rc)
    rc = brinei_json_field(ctx, ser, where, "ignore_paths", BJ_ARR, false,
                           &ign);
  if(rc)
    return rc;
  m->allow_symlinks = sym && json_is_true(sym);
  n = ign ? json_array_size(ign) : 0;
  if(!n)
    return BRINE_OK;
  m->ignore = brinei_calloc(ctx, n, sizeof(*m->ignore));
  if(!m->ignore)
    return brinei_json_nomem(ctx);
  for(size_t i = 0; i < n; i++) {
    json_t *s = json_array_get(ign, i);
    if(!json_is_string(s))
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                        "%s.ignore_paths[%zu] must be a string", where, i);
    m->ignore[i] = brinei_strndup(ctx, json_string_value(s),
                                  json_string_length(s));
    if(!m->ignore[i])
      return brinei_json_nomem(ctx);
    m->n_ignore = i + 1;
  }
  /* manifest.h: sorted and unique (the list came from a frozenset) */
  qsort(m->ignore, n, sizeof(*m->ignore), str_cmp);
  for(size_t i = 0; i < n; i++) {
    if(k && !strcmp(m->ignore[k - 1], m->ignore[i]))
      brinei_free(ctx, m->ignore[i]);
    else
      m->ignore[k++] = m->ignore[i];
  }
  m->n_ignore = k;
  return BRINE_OK;
}

/* No name may appear twice: the manifest maps names to digests. */
static brine_result unique_names(struct brine_ctx *ctx,
                                 const struct brinei_manifest *m)
{
  const struct brinei_mf_item **v;
  brine_result rc = BRINE_OK;
  if(m->n < 2)
    return BRINE_OK;
  v = brinei_calloc(ctx, m->n, sizeof(*v));
  if(!v)
    return brinei_json_nomem(ctx);
  for(size_t i = 0; i < m->n; i++)
    v[i] = &m->items[i];
  qsort(v, m->n, sizeof(*v), item_name_cmp);
  for(size_t i = 1; i < m->n && !rc; i++)
    if(!strcmp(v[i - 1]->name, v[i]->name))
      rc = BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "predicate.resources names \"%.200s\" twice",
                      v[i]->name);
  brinei_free(ctx, v);
  return rc;
}

static brine_result parse_resources(struct brine_ctx *ctx,
                                    const json_t *pred,
                                    struct brinei_manifest *m)
{
  json_t *res;
  char alg[64];
  size_t n, hl = brinei_hash_len(m->hash);
  const char *hname = brinei_hash_name(m->hash);
  brine_result rc = brinei_json_field(ctx, pred, "predicate", "resources",
                                      BJ_ARR, true,
                          &res);
  if(rc)
    return rc;
  /* Python writes "<hash>-sharded-<N>" for shards, the spec the hash name
     (§6.3.2): either, but N must be the shard size */
  brinei_manifest_algorithm(m, alg, sizeof(alg));
  n = json_array_size(res);
  if(!n)
    return BRINE_OK;
  m->items = brinei_calloc(ctx, n, sizeof(*m->items));
  if(!m->items)
    return brinei_json_nomem(ctx);
  for(size_t i = 0; i < n; i++) {
    json_t *r = json_array_get(res, i), *a, *d;
    struct brinei_mf_item *it = &m->items[i];
    char where[48];
    snprintf(where, sizeof(where), "predicate.resources[%zu]", i);
    if(!json_is_object(r))
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                        "%s must be an object", where);
    m->n = i + 1;  /* brinei_manifest_free releases this item from now */
    rc = brinei_json_dup(ctx, r, where, "name", &it->name);
    if(!rc)
      rc = brinei_json_field(ctx, r, where, "algorithm", BJ_STR, true, &a);
    if(!rc)
      rc = brinei_json_field(ctx, r, where, "digest", BJ_STR, true, &d);
    if(rc)
      return rc;
    if(strcmp(json_string_value(a), alg) &&
       strcmp(json_string_value(a), hname))
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                        "%s.algorithm \"%.100s\" does not match the "
                        "serialization (%s)", where, json_string_value(a),
                        alg);
    if(!unhex_lower(json_string_value(d), json_string_length(d), it->digest,
                    hl))
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                        "%s.digest is not %zu lowercase hex digits", where,
                        2 * hl);
    rc = item_path(ctx, it, m->ser, i);
    if(rc)
      return rc;
  }
  return unique_names(ctx, m);
}

/* The v1.0 predicate: one subject whose sha256 is the root. */
static brine_result statement_v1(struct brine_ctx *ctx, const json_t *doc,
                                 struct brinei_manifest *m)
{
  json_t *subs, *sub, *dig, *sha, *pred;
  uint8_t want[32], got[32];
  brine_result rc = brinei_json_field(ctx, doc, "", "subject", BJ_ARR, true,
                                      &subs);
  if(rc)
    return rc;
  if(json_array_size(subs) != 1)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "subject has %zu entries; exactly one is required",
                      json_array_size(subs));
  sub = json_array_get(subs, 0);
  if(!json_is_object(sub))
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "subject[0] must be an object");
  rc = brinei_json_dup(ctx, sub, "subject[0]", "name", &m->model_name);
  if(!rc)
    rc = brinei_json_field(ctx, sub, "subject[0]", "digest", BJ_OBJ, true,
                           &dig);
  if(!rc)
    rc = brinei_json_field(ctx, dig, "subject[0].digest", "sha256", BJ_STR,
                           true, &sha);
  if(rc)
    return rc;
  if(!unhex_lower(json_string_value(sha), json_string_length(sha), want, 32))
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "subject[0].digest.sha256 is not 64 lowercase hex "
                      "digits");
  rc = brinei_json_field(ctx, doc, "", "predicate", BJ_OBJ, true, &pred);
  if(!rc)
    rc = parse_serialization(ctx, pred, m);
  if(!rc)
    rc = parse_resources(ctx, pred, m);
  if(!rc)
    rc = brinei_manifest_root(ctx, m, got);
  if(rc)
    return rc;
  /* the root over the resources in listed order (signing.md §1.5) */
  if(memcmp(want, got, 32)) {
    char hw[65], hg[65];
    brinei_hex(want, 32, hw);
    brinei_hex(got, 32, hg);
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "manifest is inconsistent: subject digest %s but the "
                      "resources give %s", hw, hg);
  }
  return BRINE_OK;
}

/* model_signing v0.2's Digests/v0.1: one SHA-256 subject per file and no
   root (signing.md §1.5, last item). */
static brine_result statement_compat(struct brine_ctx *ctx,
                                     const json_t *doc,
                                     struct brinei_manifest *m)
{
  json_t *subs;
  size_t n;
  brine_result rc = brinei_json_field(ctx, doc, "", "subject", BJ_ARR, true,
                                      &subs);
  if(rc)
    return rc;
  m->hash = BRINEI_SHA256;
  m->ser = BRINEI_SER_FILES;
  m->model_name = brinei_strndup(ctx, "", 0);
  if(!m->model_name)
    return brinei_json_nomem(ctx);
  n = json_array_size(subs);
  if(!n)
    return BRINE_OK;
  m->items = brinei_calloc(ctx, n, sizeof(*m->items));
  if(!m->items)
    return brinei_json_nomem(ctx);
  for(size_t i = 0; i < n; i++) {
    json_t *s = json_array_get(subs, i), *dig, *sha;
    struct brinei_mf_item *it = &m->items[i];
    char where[32], dwhere[40];
    snprintf(where, sizeof(where), "subject[%zu]", i);
    snprintf(dwhere, sizeof(dwhere), "subject[%zu].digest", i);
    if(!json_is_object(s))
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                        "%s must be an object", where);
    m->n = i + 1;
    rc = brinei_json_dup(ctx, s, where, "name", &it->name);
    if(!rc)
      rc = brinei_json_field(ctx, s, where, "digest", BJ_OBJ, true, &dig);
    if(!rc)
      rc = brinei_json_field(ctx, dig, dwhere, "sha256", BJ_STR, true, &sha);
    if(rc)
      return rc;
    if(!unhex_lower(json_string_value(sha), json_string_length(sha),
                    it->digest, 32))
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                        "%s.sha256 is not 64 lowercase hex digits", dwhere);
    rc = item_path(ctx, it, BRINEI_SER_FILES, i);
    if(rc)
      return rc;
  }
  return unique_names(ctx, m);
}

brine_result brinei_oms_statement(struct brine_ctx *ctx,
                                  const struct brinei_oms_bundle *b,
                                  struct brinei_manifest *m)
{
  struct brinei_manifest t;
  json_t *doc = NULL, *v;
  const char *pt;
  brine_result rc;
  memset(&t, 0, sizeof(t));
  if(!b->payload_type || strcmp(b->payload_type, OMS_PAYLOAD_TYPE))
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "dsseEnvelope.payloadType \"%.100s\" is not %s",
                      b->payload_type ? b->payload_type : "",
                      OMS_PAYLOAD_TYPE);
  rc = brinei_json_load(ctx, (const char *)b->payload, b->payload_len,
            "the signed statement", &doc);
  if(rc)
    return rc;
  rc = brinei_json_field(ctx, doc, "", "_type", BJ_STR, true, &v);
  if(!rc && strcmp(json_string_value(v), OMS_STATEMENT_TYPE))
    rc = BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                    "_type \"%.100s\" is not %s", json_string_value(v),
                    OMS_STATEMENT_TYPE);
  if(!rc)
    rc = brinei_json_field(ctx, doc, "", "predicateType", BJ_STR, true, &v);
  if(rc)
    goto out;
  pt = json_string_value(v);
  if(!strcmp(pt, OMS_PREDICATE_TYPE))
    rc = statement_v1(ctx, doc, &t);
  else if(!strcmp(pt, OMS_PREDICATE_COMPAT))
    rc = statement_compat(ctx, doc, &t);
  else
    rc = BRINE_FAIL(ctx, BRINE_E_UNSUPPORTED, BRINE_NOOFF,
                    "predicateType \"%.100s\" is not a model signature (%s)",
                    pt, OMS_PREDICATE_TYPE);
out:
  json_decref(doc);
  if(rc) {
    brinei_manifest_free(ctx, &t);
    return rc;
  }
  *m = t;
  return BRINE_OK;
}

/* ---- writing a bundle (what model_signing 1.1.x writes) ---------------- */

static brine_result material(struct brine_ctx *ctx,
                             const struct brinei_key *key,
                             struct brinei_cert *const *certs, size_t ncerts,
                             json_t *vm)
{
  json_t *list, *chain;
  if(!ncerts) {
    char hint[65];
    json_t *pk = json_object();
    brine_result rc = brinei_key_hint(ctx, key, hint);
    if(rc) {
      json_decref(pk);
      return rc;
    }
    if(!put(vm, "publicKey", pk) || !put(pk, "hint", json_string(hint)) ||
       !put(vm, "tlogEntries", json_array()))
      return brinei_json_nomem(ctx);
    return BRINE_OK;
  }
  chain = child(vm, "x509CertificateChain", json_object());
  list = child(chain, "certificates", json_array());
  if(!list || !put(vm, "tlogEntries", json_array()))
    return brinei_json_nomem(ctx);
  for(size_t i = 0; i < ncerts; i++) {
    size_t n;
    const uint8_t *der = brinei_cert_der(certs[i], &n);
    char *b64 = brinei_b64_encode(ctx, der, n);
    json_t *c = json_object();
    bool ok;
    if(!b64) {
      json_decref(c);
      return BRINE_E_NOMEM;
    }
    ok = push(list, c) && put(c, "rawBytes", json_string(b64));
    brinei_free(ctx, b64);
    if(!ok)
      return brinei_json_nomem(ctx);
  }
  return BRINE_OK;
}

/* The leaf certificate must certify the signing key (sign_certificate.py
   checks the same). */
static brine_result check_leaf(struct brine_ctx *ctx,
                               const struct brinei_key *key,
                               const struct brinei_cert *leaf)
{
  struct brinei_key *lk;
  bool same;
  brine_result rc = brinei_cert_key(ctx, leaf, &lk);
  if(rc)
    return rc;
  same = brinei_key_equal(lk, key);
  brinei_key_free(lk);
  if(!same)
    return BRINE_FAIL(ctx, BRINE_E_INVALID, BRINE_NOOFF,
                      "the signing certificate is for another key than the "
                      "private key");
  return BRINE_OK;
}

brine_result brinei_oms_bundle_write(struct brine_ctx *ctx,
                                     const char *payload, size_t plen,
                                     const struct brinei_key *key,
                                     struct brinei_cert *const *certs,
                                     size_t ncerts, char **json,
                                     size_t *len)
{
  uint8_t *pae = NULL, *sig = NULL;
  size_t paelen, siglen;
  char *b64p = NULL, *b64s = NULL;
  json_t *doc = NULL, *vm, *env, *s;
  brine_result rc = BRINE_OK;
  bool ok;
  if(ncerts)
    rc = check_leaf(ctx, key, certs[0]);
  if(!rc)
    rc = brinei_dsse_pae(ctx, OMS_PAYLOAD_TYPE, (const uint8_t *)payload,
                         plen, &pae, &paelen);
  if(!rc)
    rc = brinei_sign(ctx, key, brinei_key_curve_hash(key), pae, paelen, &sig,
                     &siglen);
  brinei_free(ctx, pae);
  if(rc)
    return rc;
  b64p = brinei_b64_encode(ctx, (const uint8_t *)payload, plen);
  b64s = brinei_b64_encode(ctx, sig, siglen);
  brinei_free(ctx, sig);
  if(!b64p || !b64s) {
    rc = BRINE_E_NOMEM;  /* brinei_b64_encode recorded it */
    goto out;
  }
  /* put/push consume their value even when they fail (see put) */
  doc = json_object();
  ok = put(doc, "mediaType", json_string(OMS_BUNDLE_MEDIA_TYPE));
  vm = child(doc, "verificationMaterial", json_object());
  env = child(doc, "dsseEnvelope", json_object());
  ok = put(env, "payload", json_string(b64p)) && ok;
  ok = put(env, "payloadType", json_string(OMS_PAYLOAD_TYPE)) && ok;
  s = elem(child(env, "signatures", json_array()), json_object());
  ok = put(s, "sig", json_string(b64s)) && ok;
  /* keyid "": what model_signing 1.1 writes */
  ok = put(s, "keyid", json_string("")) && ok;
  if(!ok || !vm || !s) {
    rc = brinei_json_nomem(ctx);
    goto out;
  }
  rc = material(ctx, key, certs, ncerts, vm);
  if(!rc)
    rc = dump(ctx, doc, JSON_COMPACT | JSON_PRESERVE_ORDER, json, len);
out:
  json_decref(doc);
  brinei_free(ctx, b64p);
  brinei_free(ctx, b64s);
  return rc;
}
