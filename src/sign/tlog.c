/* Transparency log entries of Sigstore bundles, verified offline (tlog.h).
 *
 * SPEC: signing.md §2.1 (TransparencyLogEntry, Rekor body formats), §2.3
 * step 1 (the signed entry timestamp) and step 4 (inclusion proof, signed
 * checkpoint, body consistency); architecture-docs client-spec §4.4;
 * RFC 9162 §2.1.1 (Merkle hashes) and §2.1.3.2 (verifying an inclusion
 * proof); C2SP signed-note and tlog-checkpoint; the Rekor v2 entry protos
 * (hashedrekord 0.0.2). The log is never queried: everything comes from
 * the bundle and the trusted root.
 *
 * Every bundle field is untrusted: int64 values are protobuf-JSON decimal
 * strings (JSON integers are accepted too, as proto3 JSON allows), bytes
 * are base64 of either alphabet with optional padding, hashes are exactly
 * 32 bytes, and the checkpoint is parsed line by line with every length
 * checked. A check that fails gives BRINE_E_BADSIG with a sentence saying
 * which; a body that is not the JSON its kind needs gives MALFORMED.
 */
#include "tlog.h"
#include "json.h"

#include <stdio.h>

#define MAX_PATH 64            /* audit path: a tree of 2^63 leaves needs 63 */
#define MAX_CHECKPOINT 65536   /* bytes of a checkpoint envelope */
#define MAX_NOTE_SIGS 64       /* signature lines in one checkpoint */

static const char em_dash[] = "\xe2\x80\x94 ";   /* U+2014 and a space */

/* ---- reading the entry ------------------------------------------------ */

/* obj[key] of `kind`, JSON null counting as absent (proto3 JSON writes
   null for a default value). */
static brine_result get(struct brine_ctx *ctx, const json_t *obj,
                        const char *where, const char *key,
                        enum brinei_jkind kind, bool required, json_t **out)
{
  json_t *v = json_object_get(obj, key);
  if(v && json_is_null(v)) {
    if(required)
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                        "%s.%s is missing", where, key);
    *out = NULL;
    return BRINE_OK;
  }
  return brinei_json_field(ctx, obj, where, key, kind, required, out);
}

/* A protobuf-JSON int64 that must not be negative; absent means 0. */
static brine_result get_int64(struct brine_ctx *ctx, const json_t *obj,
                              const char *where, const char *key,
                              int64_t *out)
{
  json_t *v = json_object_get(obj, key);
  int64_t val = 0;
  bool neg = false;
  if(!v || json_is_null(v)) {
    *out = 0;
    return BRINE_OK;
  }
  if(json_is_integer(v))
    val = (int64_t)json_integer_value(v);
  else if(json_is_string(v)) {
    const char *s = json_string_value(v);
    size_t n = json_string_length(v), i = 0;
    if(n && s[0] == '-') {
      neg = true;
      i = 1;
    }
    if(i == n)
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                        "%s.%s is an empty number", where, key);
    for(; i < n; i++) {
      int d = s[i] - '0';
      if(d < 0 || d > 9)
        return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                          "%s.%s is not a decimal integer: \"%.40s\"", where,
                          key, s);
      if(val > (INT64_MAX - d) / 10)
        return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                          "%s.%s is out of range: \"%.40s\"", where, key, s);
      val = val * 10 + d;
    }
    if(neg)
      val = -val;
  }
  else
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "%s.%s must be a string of decimal digits", where, key);
  /* conformance bundle-negative-log-index_fail */
  if(val < 0)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "%s.%s is negative (%lld)", where, key, (long long)val);
  *out = val;
  return BRINE_OK;
}

/* A base64 string (protobuf-JSON bytes) decoded through ctx; `want` > 0
   demands exactly that many bytes. */
static brine_result get_b64(struct brine_ctx *ctx, const json_t *obj,
                            const char *where, const char *key, size_t want,
                            uint8_t **out, size_t *outlen)
{
  json_t *v;
  brine_result rc = get(ctx, obj, where, key, BJ_STR, true, &v);
  if(rc)
    return rc;
  rc = brinei_b64_decode(ctx, json_string_value(v), json_string_length(v),
                         true, out, outlen);
  if(rc) {
    char name[96];
    snprintf(name, sizeof(name), "%s.%s", where, key);
    return brinei_json_refail(ctx, rc, name);
  }
  if(want && *outlen != want) {
    size_t got = *outlen;
    brinei_free(ctx, *out);
    *out = NULL;
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "%s.%s is %zu bytes, not %zu", where, key, got, want);
  }
  return BRINE_OK;
}

/* A short string field copied into buf (NUL-terminated). */
static brine_result get_word(struct brine_ctx *ctx, const json_t *obj,
                             const char *where, const char *key, char *buf,
                             size_t size)
{
  json_t *v;
  size_t n;
  brine_result rc = get(ctx, obj, where, key, BJ_STR, true, &v);
  if(rc)
    return rc;
  n = json_string_length(v);
  if(!n || n >= size || strlen(json_string_value(v)) != n)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "%s.%s must be 1 to %zu characters", where, key,
                      size - 1);
  memcpy(buf, json_string_value(v), n + 1);
  return BRINE_OK;
}

static brine_result parse_proof(struct brine_ctx *ctx, const json_t *p,
                                struct brinei_tlog_entry *e)
{
  const char *w = "tlogEntry.inclusionProof";
  json_t *hashes, *cp, *env;
  uint8_t *root = NULL;
  size_t n;
  brine_result rc = get_int64(ctx, p, w, "logIndex", &e->proof_index);
  if(!rc)
    rc = get_int64(ctx, p, w, "treeSize", &e->tree_size);
  if(!rc)
    rc = get_b64(ctx, p, w, "rootHash", 32, &root, &n);
  if(rc)
    return rc;
  memcpy(e->root_hash, root, 32);
  brinei_free(ctx, root);
  /* proto3 JSON leaves out an empty list: a proof for a one-entry tree */
  rc = get(ctx, p, w, "hashes", BJ_ARR, false, &hashes);
  if(rc)
    return rc;
  if(hashes && json_array_size(hashes)) {
    size_t i, count = json_array_size(hashes);
    json_t *h;
    if(count > MAX_PATH)
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                        "%s.hashes has %zu hashes; at most %d can be needed",
                        w, count, MAX_PATH);
    e->hashes = brinei_calloc(ctx, count, sizeof(*e->hashes));
    if(!e->hashes)
      return brinei_json_nomem(ctx);
    json_array_foreach(hashes, i, h) {
      uint8_t *d;
      size_t dn;
      if(!json_is_string(h))
        return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                          "%s.hashes[%zu] must be a string", w, i);
      rc = brinei_b64_decode(ctx, json_string_value(h), json_string_length(h),
                             true, &d, &dn);
      if(rc) {
        char name[80];
        snprintf(name, sizeof(name), "%s.hashes[%zu]", w, i);
        return brinei_json_refail(ctx, rc, name);
      }
      if(dn != 32) {
        brinei_free(ctx, d);
        return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                          "%s.hashes[%zu] is %zu bytes, not 32", w, i, dn);
      }
      memcpy(e->hashes[i], d, 32);
      brinei_free(ctx, d);
      e->nhashes = i + 1;
    }
  }
  rc = get(ctx, p, w, "checkpoint", BJ_OBJ, false, &cp);
  if(rc || !cp)
    return rc;
  rc = get(ctx, cp, "tlogEntry.inclusionProof.checkpoint", "envelope", BJ_STR,
           true, &env);
  if(rc)
    return rc;
  n = json_string_length(env);
  if(n > MAX_CHECKPOINT || strlen(json_string_value(env)) != n)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "%s.checkpoint.envelope must be text of at most %d "
                      "bytes", w, MAX_CHECKPOINT);
  e->checkpoint = brinei_strndup(ctx, json_string_value(env), n);
  return e->checkpoint ? BRINE_OK : brinei_json_nomem(ctx);
}

static brine_result parse_entry(struct brine_ctx *ctx, const json_t *o,
                                struct brinei_tlog_entry *e)
{
  const char *w = "tlogEntry";
  json_t *id, *kv, *promise, *proof;
  uint8_t *buf;
  size_t n;
  brine_result rc;
  if(!json_is_object(o))
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "a tlogEntries element must be an object");
  rc = get_int64(ctx, o, w, "logIndex", &e->log_index);
  if(!rc)
    rc = get(ctx, o, w, "logId", BJ_OBJ, true, &id);
  if(!rc)
    rc = get_b64(ctx, id, "tlogEntry.logId", "keyId", 0, &buf, &n);
  if(rc)
    return rc;
  if(!n || n > sizeof(e->log_id)) {
    brinei_free(ctx, buf);
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "tlogEntry.logId.keyId is %zu bytes (1 to %zu)", n,
                      sizeof(e->log_id));
  }
  memcpy(e->log_id, buf, n);
  e->log_id_len = n;
  brinei_free(ctx, buf);
  rc = get(ctx, o, w, "kindVersion", BJ_OBJ, true, &kv);
  if(!rc)
    rc = get_word(ctx, kv, "tlogEntry.kindVersion", "kind", e->kind,
                  sizeof(e->kind));
  if(!rc)
    rc = get_word(ctx, kv, "tlogEntry.kindVersion", "version", e->version,
                  sizeof(e->version));
  if(!rc)
    rc = get_int64(ctx, o, w, "integratedTime", &e->integrated_time);
  if(!rc)
    rc = get(ctx, o, w, "inclusionPromise", BJ_OBJ, false, &promise);
  if(!rc && promise)
    rc = get_b64(ctx, promise, "tlogEntry.inclusionPromise",
                 "signedEntryTimestamp", 0, &e->set, &e->set_len);
  if(!rc)
    rc = get(ctx, o, w, "inclusionProof", BJ_OBJ, false, &proof);
  if(!rc && proof) {
    e->has_proof = true;
    rc = parse_proof(ctx, proof, e);
  }
  if(!rc)
    rc = get_b64(ctx, o, w, "canonicalizedBody", 0, &e->body, &e->body_len);
  return rc;
}

brine_result brinei_tlog_entry_parse(struct brine_ctx *ctx, const void *json,
                                     struct brinei_tlog_entry *e)
{
  brine_result rc;
  memset(e, 0, sizeof(*e));
  rc = parse_entry(ctx, (const json_t *)json, e);
  if(rc)
    brinei_tlog_entry_free(ctx, e);
  return rc;
}

void brinei_tlog_entry_free(struct brine_ctx *ctx, struct brinei_tlog_entry *e)
{
  brinei_free(ctx, e->set);
  brinei_free(ctx, e->hashes);
  brinei_free(ctx, e->checkpoint);
  brinei_free(ctx, e->body);
  memset(e, 0, sizeof(*e));
}

/* ---- Merkle inclusion (RFC 9162 §2.1) ---------------------------------- */

/* SHA-256(prefix ‖ a ‖ b) (b may be NULL); false on a libcrypto failure. */
static bool hash_node(struct brinei_md *md, uint8_t prefix, const uint8_t *a,
                      size_t alen, const uint8_t *b, uint8_t out[32])
{
  return brinei_md_update(md, &prefix, 1) && brinei_md_update(md, a, alen) &&
         (!b || brinei_md_update(md, b, 32)) && brinei_md_final(md, out);
}

bool brinei_merkle_verify(const uint8_t leaf_hash[32], int64_t index,
                          int64_t size, const uint8_t (*path)[32],
                          size_t npath, const uint8_t root[32])
{
  struct brinei_md *md;
  uint64_t fn, sn;
  uint8_t r[32];
  bool ok = true;
  /* RFC 9162 §2.1.3.2 step 1: leaf_index < tree_size */
  if(index < 0 || size <= 0 || index >= size || npath > MAX_PATH)
    return false;
  md = brinei_md_new(BRINEI_SHA256);
  if(!md)
    return false;
  fn = (uint64_t)index;
  sn = (uint64_t)size - 1;
  memcpy(r, leaf_hash, 32);
  for(size_t i = 0; i < npath && ok; i++) {
    if(sn == 0) {           /* step 3a: the path is too long */
      ok = false;
      break;
    }
    if((fn & 1) || fn == sn) {
      ok = hash_node(md, 0x01, path[i], 32, r, r);
      while(!(fn & 1) && fn) {   /* fn == sn: climb past the border */
        fn >>= 1;
        sn >>= 1;
      }
    }
    else
      ok = hash_node(md, 0x01, r, 32, path[i], r);
    fn >>= 1;
    sn >>= 1;
  }
  brinei_md_free(md);
  /* step 4: the whole path was used (sn == 0) and it led to the root */
  return ok && sn == 0 && !memcmp(r, root, 32);
}

/* How many hashes an inclusion proof of index in a tree of size has
   (RFC 9162 §2.1.3.1: inner + border), for messages. */
static unsigned path_len(uint64_t index, uint64_t size)
{
  uint64_t x = index ^ (size - 1), b = index;
  unsigned inner = 0, border = 0;
  while(x) {
    inner++;
    x >>= 1;
  }
  b >>= inner;
  while(b) {
    border += (unsigned)(b & 1);
    b >>= 1;
  }
  return inner + border;
}

/* ---- the log's names -------------------------------------------------- */

static bool same_ci(const char *a, size_t an, const char *b, size_t bn)
{
  if(an != bn)
    return false;
  for(size_t i = 0; i < an; i++) {
    char x = a[i], y = b[i];
    if(x >= 'A' && x <= 'Z')
      x = (char)(x + 32);
    if(y >= 'A' && y <= 'Z')
      y = (char)(y + 32);
    if(x != y)
      return false;
  }
  return true;
}

/* Is `name` the log at base_url? The checkpoint key name of a Rekor log is
   its host ("rekor.sigstore.dev" for https://rekor.sigstore.dev;
   @sigstore/verify accepts any baseUrl that contains the name, brine asks
   for the URL's host, with or without its port). */
static bool names_log(const char *name, size_t n, const struct brinei_log *log)
{
  const char *u = log->base_url ? log->base_url : "", *h, *end, *colon;
  h = strstr(u, "://");
  h = h ? h + 3 : u;
  end = h + strcspn(h, "/?#");
  if(same_ci(name, n, h, (size_t)(end - h)))
    return true;
  colon = memchr(h, ':', (size_t)(end - h));
  return colon && same_ci(name, n, h, (size_t)(colon - h));
}

/* ---- signed checkpoint (C2SP signed-note, tlog-checkpoint) ------------- */

struct note_sig {
  const char *name;
  size_t name_len;
  uint8_t *raw;          /* key hint (4 bytes) ‖ signature; owned */
  size_t raw_len;
};

/* The next line of [p, end) without its "\n"; false when no "\n" ends it. */
static bool next_line(const char **p, const char *end, const char **line,
                      size_t *n)
{
  const char *nl = memchr(*p, '\n', (size_t)(end - *p));
  if(!nl)
    return false;
  *line = *p;
  *n = (size_t)(nl - *p);
  *p = nl + 1;
  return true;
}

/* A tree size line: decimal without leading zeros (tlog-checkpoint). */
static bool parse_size(const char *s, size_t n, int64_t *out)
{
  int64_t v = 0;
  if(!n || n > 19 || (n > 1 && s[0] == '0'))
    return false;
  for(size_t i = 0; i < n; i++) {
    int d = s[i] - '0';
    if(d < 0 || d > 9 || v > (INT64_MAX - d) / 10)
      return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

static void free_sigs(struct brine_ctx *ctx, struct note_sig *sigs, size_t n)
{
  for(size_t i = 0; i < n; i++)
    brinei_free(ctx, sigs[i].raw);
}

/* Parse the signature block [p, end): one or more lines
   "— <name> <base64(key hint ‖ signature)>\n". */
static brine_result parse_sigs(struct brine_ctx *ctx, const char *p,
                               const char *end, struct note_sig *sigs,
                               size_t *nsigs)
{
  const char *line;
  size_t n;
  *nsigs = 0;
  if(p == end)
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "checkpoint has no signature lines");
  while(p < end) {
    const char *name, *sp, *b64;
    size_t rest;
    struct note_sig *s;
    brine_result rc;
    if(!next_line(&p, end, &line, &n))
      return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                        "checkpoint signature line %zu does not end with a "
                        "newline", *nsigs + 1);
    if(*nsigs == MAX_NOTE_SIGS)
      return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                        "checkpoint has more than %d signature lines",
                        MAX_NOTE_SIGS);
    if(n < sizeof(em_dash) - 1 ||
       memcmp(line, em_dash, sizeof(em_dash) - 1))
      return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                        "checkpoint signature line %zu does not start with "
                        "\"\xe2\x80\x94 \" (U+2014, space)", *nsigs + 1);
    name = line + sizeof(em_dash) - 1;
    rest = n - (sizeof(em_dash) - 1);
    sp = memchr(name, ' ', rest);
    if(!sp || sp == name)
      return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                        "checkpoint signature line %zu has no key name",
                        *nsigs + 1);
    b64 = sp + 1;
    s = &sigs[*nsigs];
    s->name = name;
    s->name_len = (size_t)(sp - name);
    rc = brinei_b64_decode(ctx, b64, (size_t)(line + n - b64), false,
                           &s->raw, &s->raw_len);
    if(rc == BRINE_E_NOMEM)
      return rc;
    if(rc || s->raw_len < 5) {
      if(!rc)
        brinei_free(ctx, s->raw);
      s->raw = NULL;
      return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                        "checkpoint signature line %zu (%.*s) does not hold "
                        "a key hint and a signature in base64", *nsigs + 1,
                        (int)(s->name_len > 80 ? 80 : s->name_len), s->name);
    }
    (*nsigs)++;
  }
  return BRINE_OK;
}

/* Which of the lines signed by the log's key verify: at least one must.
   Lines with other key hints (witness cosignatures) are not looked at. */
static brine_result verify_sigs(struct brine_ctx *ctx,
                                const struct brinei_log *log,
                                const char *note, size_t note_len,
                                const char *origin, size_t origin_len,
                                const struct note_sig *sigs, size_t nsigs)
{
  /* the origin's host part: Rekor v1 origins are "<host> - <tree id>" */
  const char *sp = memchr(origin, ' ', origin_len);
  size_t host_len = sp ? (size_t)(sp - origin) : origin_len;
  const struct note_sig *why = NULL;
  int reason = 0;   /* 1 name not the log's, 2 origin, 3 signature */
  for(size_t i = 0; i < nsigs; i++) {
    const struct note_sig *s = &sigs[i];
    brine_result rc;
    if(memcmp(s->raw, log->checkpoint_id, 4))
      continue;
    if(!names_log(s->name, s->name_len, log)) {
      if(reason < 1) {
        reason = 1;
        why = s;
      }
      continue;
    }
    if(!same_ci(s->name, s->name_len, origin, host_len)) {
      if(reason < 2) {
        reason = 2;
        why = s;
      }
      continue;
    }
    /* ECDSA: DER over SHA-256 (the curve's hash); Ed25519: pure */
    rc = brinei_verify(ctx, log->key, brinei_key_curve_hash(log->key), note,
                       note_len, s->raw + 4, s->raw_len - 4);
    if(!rc)
      return BRINE_OK;
    if(rc != BRINE_E_BADSIG)
      return rc;
    reason = 3;
    why = s;
  }
  switch(reason) {
  case 0:
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "checkpoint carries no signature by the log's key "
                      "(key hint %02x%02x%02x%02x); %zu other signature "
                      "line(s) ignored", log->checkpoint_id[0],
                      log->checkpoint_id[1], log->checkpoint_id[2],
                      log->checkpoint_id[3], nsigs);
  case 1:
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "checkpoint is signed as \"%.*s\", which is not the "
                      "log %s", (int)(why->name_len > 80 ? 80 : why->name_len),
                      why->name, log->base_url);
  case 2:
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "checkpoint origin \"%.*s\" is not the log %s",
                      (int)(origin_len > 80 ? 80 : origin_len), origin,
                      log->base_url);
  default:
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "checkpoint signature of %.*s does not verify with "
                      "the log's key", (int)(why->name_len > 80 ? 80
                                                                : why->name_len),
                      why->name);
  }
}

static brine_result check_checkpoint(struct brine_ctx *ctx,
                                     const struct brinei_log *log,
                                     const struct brinei_tlog_entry *e)
{
  const char *env = e->checkpoint, *end = env + strlen(env), *sep, *p;
  const char *origin, *size_s, *root_s;
  size_t origin_len, size_len, root_len, nsigs = 0, note_len;
  struct note_sig sigs[MAX_NOTE_SIGS];
  uint8_t *root = NULL;
  size_t root_n = 0;
  int64_t size;
  brine_result rc;
  /* C2SP signed-note: the note is the text up to and including the first
     newline of the blank line that separates it from the signatures */
  sep = memmem(env, (size_t)(end - env), "\n\n", 2);
  if(!sep)
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "checkpoint has no blank line before its signatures");
  note_len = (size_t)(sep - env) + 1;
  p = env;
  /* tlog-checkpoint: origin, tree size, root hash, then extension lines */
  if(!next_line(&p, env + note_len, &origin, &origin_len) ||
     !next_line(&p, env + note_len, &size_s, &size_len) ||
     !next_line(&p, env + note_len, &root_s, &root_len))
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "checkpoint note has fewer than three lines (origin, "
                      "tree size, root hash)");
  if(!origin_len)
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "checkpoint has an empty origin");
  if(!parse_size(size_s, size_len, &size))
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "checkpoint tree size \"%.*s\" is not a decimal number",
                      (int)(size_len > 40 ? 40 : size_len), size_s);
  rc = brinei_b64_decode(ctx, root_s, root_len, false, &root, &root_n);
  if(rc == BRINE_E_NOMEM)
    return rc;
  if(rc || root_n != 32) {
    if(!rc)
      brinei_free(ctx, root);
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "checkpoint root hash \"%.*s\" is not 32 bytes of "
                      "base64", (int)(root_len > 60 ? 60 : root_len), root_s);
  }
  rc = parse_sigs(ctx, sep + 2, end, sigs, &nsigs);
  if(!rc)
    rc = verify_sigs(ctx, log, env, note_len, origin, origin_len, sigs,
                     nsigs);
  /* the signed tree must be the one the proof leads to */
  if(!rc && (size != e->tree_size || memcmp(root, e->root_hash, 32))) {
    char have[17], want[17];
    brinei_hex(root, 8, have);
    brinei_hex(e->root_hash, 8, want);
    rc = BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                    "checkpoint is for tree size %lld with root hash %s..., "
                    "the inclusion proof for tree size %lld with root hash "
                    "%s...", (long long)size, have,
                    (long long)e->tree_size, want);
  }
  free_sigs(ctx, sigs, nsigs);
  brinei_free(ctx, root);
  return rc;
}

/* ---- signed entry timestamp (Rekor v1) -------------------------------- */

static brine_result check_set(struct brine_ctx *ctx,
                              const struct brinei_log *log,
                              const struct brinei_tlog_entry *e)
{
  struct brinei_sbuf b;
  char *body64, *msg, hex[2 * sizeof(e->log_id) + 1];
  size_t len;
  brine_result rc;
  /* Rekor signed the canonical JSON of its own (standard, padded) base64
     of the body, whatever alphabet the bundle used */
  body64 = brinei_b64_encode(ctx, e->body, e->body_len);
  if(!body64)
    return BRINE_E_NOMEM;
  brinei_hex(e->log_id, e->log_id_len, hex);
  len = strlen(body64);
  brinei_sbuf_init(&b, ctx, len + 256);
  /* sorted keys, no whitespace; nothing here needs escaping */
  brinei_sbuf_puts(&b, "{\"body\":\"");
  brinei_sbuf_add(&b, body64, len);
  brinei_sbuf_printf(&b, "\",\"integratedTime\":%lld,\"logID\":\"%s\","
                     "\"logIndex\":%lld}", (long long)e->integrated_time, hex,
                     (long long)e->log_index);
  brinei_free(ctx, body64);
  len = b.len;
  msg = brinei_sbuf_take(&b);
  if(!msg)
    return brinei_json_nomem(ctx);
  rc = brinei_verify(ctx, log->key, brinei_key_curve_hash(log->key), msg, len,
                     e->set, e->set_len);
  brinei_free(ctx, msg);
  if(rc == BRINE_E_BADSIG)
    return BRINE_FAIL(ctx, rc, BRINE_NOOFF,
                      "signed entry timestamp does not verify with the key "
                      "of %s (integratedTime %lld, logIndex %lld)",
                      log->base_url, (long long)e->integrated_time,
                      (long long)e->log_index);
  return rc;
}

/* ---- inclusion proof -------------------------------------------------- */

static brine_result check_proof(struct brine_ctx *ctx,
                                const struct brinei_log *log,
                                const struct brinei_tlog_entry *e,
                                bool require_checkpoint)
{
  struct brinei_md *md;
  uint8_t leaf[32];
  static const uint8_t zero = 0x00;
  bool ok;
  if(e->tree_size <= 0 || e->proof_index >= e->tree_size)
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "inclusion proof: logIndex %lld is not inside a tree "
                      "of size %lld", (long long)e->proof_index,
                      (long long)e->tree_size);
  /* RFC 9162 §2.1.1: leaf hash = SHA-256(0x00 ‖ entry) */
  md = brinei_md_new(BRINEI_SHA256);
  ok = md && brinei_md_update(md, &zero, 1) &&
       brinei_md_update(md, e->body, e->body_len) && brinei_md_final(md, leaf);
  brinei_md_free(md);
  if(!ok)
    return BRINE_FAIL(ctx, BRINE_E_CRYPTO, BRINE_NOOFF,
                      "cannot compute the leaf hash");
  if(e->nhashes != path_len((uint64_t)e->proof_index,
                            (uint64_t)e->tree_size))
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "inclusion proof has %zu hashes; entry %lld of a tree "
                      "of size %lld needs %u", e->nhashes,
                      (long long)e->proof_index, (long long)e->tree_size,
                      path_len((uint64_t)e->proof_index,
                               (uint64_t)e->tree_size));
  if(!brinei_merkle_verify(leaf, e->proof_index, e->tree_size,
                           (const uint8_t (*)[32])e->hashes, e->nhashes,
                           e->root_hash))
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "inclusion proof does not lead from the entry (index "
                      "%lld) to the root hash of the tree of size %lld",
                      (long long)e->proof_index, (long long)e->tree_size);
  /* Without a signed checkpoint the root hash is the bundle's word only:
     bundles from v0.2 on must carry one; a v0.1 bundle is vouched for by
     its SET. */
  if(!e->checkpoint)
    return require_checkpoint
               ? BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                            "inclusion proof has no signed checkpoint")
               : BRINE_OK;
  return check_checkpoint(ctx, log, e);
}

/* ---- body consistency (signing.md §2.1 body formats, §2.3 step 4) ---- */

enum body_kind { HASHEDREKORD_1, HASHEDREKORD_2, DSSE_1, INTOTO_2 };

#define BODY "log entry body"

static brine_result body_field(struct brine_ctx *ctx, const json_t *obj,
                               const char *where, const char *key,
                               enum brinei_jkind kind, json_t **out)
{
  brine_result rc = brinei_json_field(ctx, obj, where, key, kind, true, out);
  return rc ? brinei_json_refail(ctx, rc, BODY) : BRINE_OK;
}

/* A base64 string of the body decoded through ctx. */
static brine_result body_b64(struct brine_ctx *ctx, const json_t *obj,
                             const char *where, const char *key,
                             uint8_t **out, size_t *n)
{
  json_t *v;
  brine_result rc = body_field(ctx, obj, where, key, BJ_STR, &v);
  if(rc)
    return rc;
  rc = brinei_b64_decode(ctx, json_string_value(v), json_string_length(v),
                         true, out, n);
  if(rc) {
    char name[120];
    snprintf(name, sizeof(name), BODY ": %s.%s", where, key);
    return brinei_json_refail(ctx, rc, name);
  }
  return BRINE_OK;
}

/* Does the body's base64 field equal the bytes want? */
static brine_result body_same(struct brine_ctx *ctx, const json_t *obj,
                              const char *where, const char *key,
                              const uint8_t *want, size_t want_len,
                              bool *same)
{
  uint8_t *got;
  size_t n;
  brine_result rc = body_b64(ctx, obj, where, key, &got, &n);
  if(rc)
    return rc;
  *same = want && n == want_len && !memcmp(got, want, n);
  brinei_free(ctx, got);
  return BRINE_OK;
}

/* A JSON string that is exactly s (no NUL inside). */
static bool str_is(const json_t *v, const char *s)
{
  size_t n = strlen(s);
  return json_string_length(v) == n && !memcmp(json_string_value(v), s, n);
}

/* A lowercase or uppercase hex SHA-256 equal to want? */
static bool hex_is(const char *s, size_t n, const uint8_t want[32])
{
  uint8_t got[33];
  if(n != 64 || strlen(s) != n || brinei_hex_decode((const uint8_t *)s, n,
                                                    got) != 32)
    return false;
  return !memcmp(got, want, 32);
}

/* The one CERTIFICATE of a PEM text, as DER; MALFORMED when the text is
   anything else. */
static brine_result pem_cert(struct brine_ctx *ctx, const uint8_t *pem,
                             size_t n, uint8_t **der, size_t *der_len)
{
  static const char begin[] = "-----BEGIN CERTIFICATE-----";
  static const char end[] = "-----END CERTIFICATE-----";
  const uint8_t *p = pem, *stop = pem + n, *e;
  char *b64;
  size_t k = 0;
  brine_result rc;
  while(p < stop && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
    p++;
  if((size_t)(stop - p) < sizeof(begin) - 1 ||
     memcmp(p, begin, sizeof(begin) - 1))
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "not a PEM certificate");
  p += sizeof(begin) - 1;
  e = memmem(p, (size_t)(stop - p), end, sizeof(end) - 1);
  if(!e)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "PEM certificate has no END line");
  for(const uint8_t *q = e + sizeof(end) - 1; q < stop; q++)
    if(*q != ' ' && *q != '\t' && *q != '\r' && *q != '\n')
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                        "PEM text goes on after its certificate");
  b64 = brinei_malloc(ctx, (size_t)(e - p) + 1);
  if(!b64)
    return brinei_json_nomem(ctx);
  for(; p < e; p++)
    if(*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
      b64[k++] = (char)*p;
  rc = brinei_b64_decode(ctx, b64, k, false, der, der_len);
  brinei_free(ctx, b64);
  return rc;
}

/* A PEM verifier of a v0.0.1 body (base64 of a certificate or a public
   key) against the bundle's certificate or key: compared as DER or as
   keys, never as text. */
static brine_result same_pem_verifier(struct brine_ctx *ctx,
                                      const uint8_t *pem, size_t n,
                                      const struct brinei_tlog_subject *s)
{
  brine_result rc;
  if(s->leaf_der) {
    uint8_t *der;
    size_t der_len;
    bool same;
    rc = pem_cert(ctx, pem, n, &der, &der_len);
    if(rc == BRINE_E_NOMEM)
      return rc;
    if(rc)
      return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                        "the log entry names a verifier that is not a "
                        "certificate; the bundle has one");
    same = der_len == s->leaf_len && !memcmp(der, s->leaf_der, der_len);
    brinei_free(ctx, der);
    if(!same)
      return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                        "the certificate in the log entry is not the "
                        "bundle's signing certificate");
    return BRINE_OK;
  }
  if(s->key_pem) {
    struct brinei_key *got = NULL, *want = NULL;
    bool same;
    rc = brinei_key_parse_public_pem(ctx, s->key_pem, s->key_pem_len, &want);
    if(rc)
      return rc;
    rc = brinei_key_parse_public_pem(ctx, pem, n, &got);
    same = !rc && brinei_key_equal(got, want);
    brinei_key_free(got);
    brinei_key_free(want);
    if(rc == BRINE_E_NOMEM)
      return rc;
    if(!same)
      return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                        "the public key in the log entry is not the bundle's "
                        "key");
    return BRINE_OK;
  }
  return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                    "the bundle has no certificate or key to compare with "
                    "the log entry");
}

static brine_result same_sig(struct brine_ctx *ctx, const json_t *obj,
                             const char *where, const char *key,
                             const struct brinei_tlog_subject *s)
{
  bool same;
  brine_result rc = body_same(ctx, obj, where, key, s->sig, s->sig_len,
                              &same);
  if(!rc && !same)
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "the signature in the log entry is not the bundle's "
                      "signature");
  return rc;
}

/* SHA-256(PAE(payloadType, payload)) (DSSE v1 protocol). */
static brine_result pae_digest(struct brine_ctx *ctx,
                               const struct brinei_tlog_subject *s,
                               uint8_t out[32])
{
  char head[64];
  size_t tn = strlen(s->payload_type);
  struct brinei_md *md = brinei_md_new(BRINEI_SHA256);
  int k = snprintf(head, sizeof(head), "DSSEv1 %zu ", tn);
  bool ok = md && k > 0 && brinei_md_update(md, head, (size_t)k) &&
            brinei_md_update(md, s->payload_type, tn);
  if(ok) {
    k = snprintf(head, sizeof(head), " %zu ", s->payload_len);
    ok = k > 0 && brinei_md_update(md, head, (size_t)k) &&
         brinei_md_update(md, s->payload, s->payload_len) &&
         brinei_md_final(md, out);
  }
  brinei_md_free(md);
  return ok ? BRINE_OK : BRINE_FAIL(ctx, BRINE_E_CRYPTO, BRINE_NOOFF,
                                    "cannot hash the DSSE envelope");
}

/* hashedrekord 0.0.1: data.hash {algorithm, value (hex)}, signature
   {content (base64), publicKey.content (base64 PEM)}. */
static brine_result body_hashedrekord1(struct brine_ctx *ctx,
                                       const json_t *spec,
                                       const struct brinei_tlog_subject *s)
{
  json_t *data, *hash, *alg, *val, *sig, *pk;
  uint8_t *pem;
  size_t pem_len;
  brine_result rc = body_field(ctx, spec, "spec", "data", BJ_OBJ, &data);
  if(!rc)
    rc = body_field(ctx, data, "spec.data", "hash", BJ_OBJ, &hash);
  if(!rc)
    rc = body_field(ctx, hash, "spec.data.hash", "algorithm", BJ_STR, &alg);
  if(!rc)
    rc = body_field(ctx, hash, "spec.data.hash", "value", BJ_STR, &val);
  if(!rc)
    rc = body_field(ctx, spec, "spec", "signature", BJ_OBJ, &sig);
  if(!rc)
    rc = body_field(ctx, sig, "spec.signature", "publicKey", BJ_OBJ, &pk);
  if(rc)
    return rc;
  /* a DSSE envelope is logged as dsse 0.0.1 or hashedrekord 0.0.2 */
  if(s->payload_type)
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "a hashedrekord 0.0.1 entry cannot log a DSSE "
                      "envelope");
  if(!str_is(alg, "sha256"))
    return BRINE_FAIL(ctx, BRINE_E_UNSUPPORTED, BRINE_NOOFF,
                      "the log entry hashes the artifact with %.20s; brine "
                      "compares sha256", json_string_value(alg));
  if(!s->digest)
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "no artifact digest to compare with the log entry");
  if(!hex_is(json_string_value(val), json_string_length(val), s->digest)) {
    char want[65];
    brinei_hex(s->digest, 32, want);
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "the log entry is for artifact sha256:%.64s, not "
                      "sha256:%s", json_string_value(val), want);
  }
  rc = same_sig(ctx, sig, "spec.signature", "content", s);
  if(!rc)
    rc = body_b64(ctx, pk, "spec.signature.publicKey", "content", &pem,
                  &pem_len);
  if(rc)
    return rc;
  rc = same_pem_verifier(ctx, pem, pem_len, s);
  brinei_free(ctx, pem);
  return rc;
}

/* hashedrekord 0.0.2 (Rekor v2): hashedRekordV002 {data {algorithm,
   digest}, signature {content, verifier {x509Certificate | publicKey
   {rawBytes}, keyDetails}}}; over DSSE the digest is SHA-256 of the PAE
   (client-spec §4.4). */
static brine_result body_hashedrekord2(struct brine_ctx *ctx,
                                       const json_t *spec,
                                       const struct brinei_tlog_subject *s)
{
  const char *w = "spec.hashedRekordV002";
  json_t *hr, *data, *alg, *sig, *ver, *cert, *pk;
  uint8_t pae[32];
  const uint8_t *want;
  bool same;
  brine_result rc = body_field(ctx, spec, "spec", "hashedRekordV002", BJ_OBJ,
                               &hr);
  if(!rc)
    rc = body_field(ctx, hr, w, "data", BJ_OBJ, &data);
  if(!rc)
    rc = body_field(ctx, data, "spec.hashedRekordV002.data", "algorithm",
                    BJ_STR, &alg);
  if(!rc)
    rc = body_field(ctx, hr, w, "signature", BJ_OBJ, &sig);
  if(!rc)
    rc = body_field(ctx, sig, "spec.hashedRekordV002.signature", "verifier",
                    BJ_OBJ, &ver);
  if(rc)
    return rc;
  rc = brinei_json_field(ctx, ver, "spec.hashedRekordV002.signature.verifier",
                         "x509Certificate", BJ_OBJ, false, &cert);
  if(!rc)
    rc = brinei_json_field(ctx, ver,
                           "spec.hashedRekordV002.signature.verifier",
                           "publicKey", BJ_OBJ, false, &pk);
  if(rc)
    return brinei_json_refail(ctx, rc, BODY);
  if(!cert == !pk)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      BODY ": the verifier must hold one of x509Certificate "
                      "and publicKey");
  if(!str_is(alg, "SHA2_256"))
    return BRINE_FAIL(ctx, BRINE_E_UNSUPPORTED, BRINE_NOOFF,
                      "the log entry digest is %.20s; brine compares "
                      "SHA2_256", json_string_value(alg));
  if(s->payload_type) {
    rc = pae_digest(ctx, s, pae);
    if(rc)
      return rc;
    want = pae;
  }
  else
    want = s->digest;
  if(!want)
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "no artifact digest to compare with the log entry");
  rc = body_same(ctx, data, "spec.hashedRekordV002.data", "digest", want, 32,
                 &same);
  if(rc)
    return rc;
  if(!same)
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      s->payload_type
                          ? "the log entry's digest is not SHA-256 of the "
                            "DSSE envelope's PAE"
                          : "the log entry's digest is not the artifact's");
  rc = same_sig(ctx, sig, "spec.hashedRekordV002.signature", "content", s);
  if(rc)
    return rc;
  if(cert) {
    if(!s->leaf_der)
      return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                        "the log entry names a certificate; the bundle has "
                        "a public key");
    rc = body_same(ctx, cert,
                   "spec.hashedRekordV002.signature.verifier.x509Certificate",
                   "rawBytes", s->leaf_der, s->leaf_len, &same);
    if(!rc && !same)
      rc = BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "the certificate in the log entry is not the bundle's "
                      "signing certificate");
    return rc;
  }
  else {
    struct brinei_key *got = NULL, *key = NULL;
    uint8_t *der;
    size_t der_len;
    if(!s->key_pem)
      return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                        "the log entry names a public key; the bundle has "
                        "a certificate");
    rc = body_b64(ctx, pk, "spec.hashedRekordV002.signature.verifier.publicKey",
                  "rawBytes", &der, &der_len);
    if(rc)
      return rc;
    rc = brinei_key_parse_public_pem(ctx, s->key_pem, s->key_pem_len, &key);
    if(!rc) {
      brine_result r2 = brinei_key_parse_public_der(ctx, der, der_len, &got);
      same = !r2 && brinei_key_equal(got, key);
      if(r2 == BRINE_E_NOMEM)
        rc = r2;
      else if(!same)
        rc = BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                        "the public key in the log entry is not the bundle's "
                        "key");
    }
    brinei_key_free(got);
    brinei_key_free(key);
    brinei_free(ctx, der);
    return rc;
  }
}

/* dsse 0.0.1: payloadHash {algorithm, value (hex SHA-256 of the payload)},
   signatures [{signature (base64), verifier (base64 PEM)}]; envelopeHash
   is not checked (neither sigstore-python nor @sigstore/verify can
   rebuild the bytes Rekor hashed). */
static brine_result body_dsse1(struct brine_ctx *ctx, const json_t *spec,
                               const struct brinei_tlog_subject *s)
{
  json_t *ph, *alg, *val, *sigs, *sig0, *ver;
  uint8_t dig[32], *pem;
  size_t pem_len;
  brine_result rc = body_field(ctx, spec, "spec", "payloadHash", BJ_OBJ, &ph);
  if(!rc)
    rc = body_field(ctx, ph, "spec.payloadHash", "algorithm", BJ_STR, &alg);
  if(!rc)
    rc = body_field(ctx, ph, "spec.payloadHash", "value", BJ_STR, &val);
  if(!rc)
    rc = body_field(ctx, spec, "spec", "signatures", BJ_ARR, &sigs);
  if(rc)
    return rc;
  if(!s->payload_type)
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "a dsse entry for a bundle without a DSSE envelope");
  if(!str_is(alg, "sha256"))
    return BRINE_FAIL(ctx, BRINE_E_UNSUPPORTED, BRINE_NOOFF,
                      "the log entry hashes the payload with %.20s; brine "
                      "compares sha256", json_string_value(alg));
  rc = brinei_digest(ctx, BRINEI_SHA256, s->payload, s->payload_len, dig);
  if(rc)
    return rc;
  if(!hex_is(json_string_value(val), json_string_length(val), dig))
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "the log entry's payloadHash is not SHA-256 of the "
                      "DSSE payload");
  /* a DSSE envelope in a bundle has exactly one signature (§2.1) */
  if(json_array_size(sigs) != 1)
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "the log entry has %zu signatures; exactly one is "
                      "accepted", json_array_size(sigs));
  sig0 = json_array_get(sigs, 0);
  if(!json_is_object(sig0))
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      BODY ": spec.signatures[0] must be an object");
  rc = body_field(ctx, sig0, "spec.signatures[0]", "verifier", BJ_STR, &ver);
  if(!rc)
    rc = same_sig(ctx, sig0, "spec.signatures[0]", "signature", s);
  if(!rc)
    rc = body_b64(ctx, sig0, "spec.signatures[0]", "verifier", &pem,
                  &pem_len);
  if(rc)
    return rc;
  rc = same_pem_verifier(ctx, pem, pem_len, s);
  brinei_free(ctx, pem);
  return rc;
}

/* intoto 0.0.2 (legacy Rekor v1 type): spec.content.envelope holds the
   DSSE envelope with each signature base64-encoded once more and the
   verifier as base64 PEM; spec.content.payloadHash is SHA-256 of the
   payload. */
static brine_result body_intoto2(struct brine_ctx *ctx, const json_t *spec,
                                 const struct brinei_tlog_subject *s)
{
  json_t *content, *env, *ph, *alg, *val, *type, *sigs, *sig0;
  uint8_t dig[32], *pem, *once;
  size_t pem_len, once_len;
  bool same;
  brine_result rc = body_field(ctx, spec, "spec", "content", BJ_OBJ,
                               &content);
  if(!rc)
    rc = body_field(ctx, content, "spec.content", "envelope", BJ_OBJ, &env);
  if(!rc)
    rc = body_field(ctx, content, "spec.content", "payloadHash", BJ_OBJ,
                    &ph);
  if(!rc)
    rc = body_field(ctx, ph, "spec.content.payloadHash", "algorithm",
                    BJ_STR, &alg);
  if(!rc)
    rc = body_field(ctx, ph, "spec.content.payloadHash", "value", BJ_STR,
                    &val);
  if(!rc)
    rc = body_field(ctx, env, "spec.content.envelope", "payloadType", BJ_STR,
                    &type);
  if(!rc)
    rc = body_field(ctx, env, "spec.content.envelope", "signatures", BJ_ARR,
                    &sigs);
  if(rc)
    return rc;
  if(!s->payload_type)
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "an intoto entry for a bundle without a DSSE envelope");
  if(!str_is(type, s->payload_type))
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "the log entry's payloadType is not the bundle's");
  if(!str_is(alg, "sha256"))
    return BRINE_FAIL(ctx, BRINE_E_UNSUPPORTED, BRINE_NOOFF,
                      "the log entry hashes the payload with %.20s; brine "
                      "compares sha256", json_string_value(alg));
  rc = brinei_digest(ctx, BRINEI_SHA256, s->payload, s->payload_len, dig);
  if(rc)
    return rc;
  if(!hex_is(json_string_value(val), json_string_length(val), dig))
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "the log entry's payloadHash is not SHA-256 of the "
                      "DSSE payload");
  if(json_array_size(sigs) != 1)
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "the log entry has %zu signatures; exactly one is "
                      "accepted", json_array_size(sigs));
  sig0 = json_array_get(sigs, 0);
  if(!json_is_object(sig0))
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      BODY ": spec.content.envelope.signatures[0] must be "
                      "an object");
  /* sig is base64 of the envelope's base64 signature text */
  rc = body_b64(ctx, sig0, "spec.content.envelope.signatures[0]", "sig",
                &once, &once_len);
  if(rc)
    return rc;
  {
    uint8_t *twice = NULL;
    size_t twice_len = 0;
    rc = brinei_b64_decode(ctx, (const char *)once, once_len, true, &twice,
                           &twice_len);
    brinei_free(ctx, once);
    if(rc == BRINE_E_NOMEM)
      return rc;
    same = !rc && twice_len == s->sig_len &&
           !memcmp(twice, s->sig, twice_len);
    brinei_free(ctx, twice);
    rc = BRINE_OK;
  }
  if(!same)
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "the signature in the log entry is not the bundle's "
                      "signature");
  if(!rc)
    rc = body_b64(ctx, sig0, "spec.content.envelope.signatures[0]",
                  "publicKey", &pem, &pem_len);
  if(rc)
    return rc;
  rc = same_pem_verifier(ctx, pem, pem_len, s);
  brinei_free(ctx, pem);
  return rc;
}

static brine_result check_body(struct brine_ctx *ctx,
                               const struct brinei_tlog_entry *e,
                               enum body_kind kind,
                               const struct brinei_tlog_subject *s)
{
  json_t *doc, *k, *v, *spec;
  brine_result rc;
  rc = brinei_json_load(ctx, (const char *)e->body, e->body_len, BODY, &doc);
  if(rc)
    return rc;
  rc = body_field(ctx, doc, "", "kind", BJ_STR, &k);
  if(!rc)
    rc = body_field(ctx, doc, "", "apiVersion", BJ_STR, &v);
  if(!rc && (!str_is(k, e->kind) || !str_is(v, e->version)))
    rc = BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                    "the log entry body is %.31s %.15s, its kindVersion says "
                    "%s %s", json_string_value(k), json_string_value(v),
                    e->kind, e->version);
  if(!rc)
    rc = body_field(ctx, doc, "", "spec", BJ_OBJ, &spec);
  if(!rc)
    switch(kind) {
    case HASHEDREKORD_1: rc = body_hashedrekord1(ctx, spec, s); break;
    case HASHEDREKORD_2: rc = body_hashedrekord2(ctx, spec, s); break;
    case INTOTO_2: rc = body_intoto2(ctx, spec, s); break;
    default: rc = body_dsse1(ctx, spec, s); break;
    }
  json_decref(doc);
  return rc;
}

/* ---- the whole entry -------------------------------------------------- */

brine_result brinei_tlog_verify(struct brine_ctx *ctx,
                                const struct brinei_trustroot *tr,
                                const struct brinei_tlog_entry *e,
                                const struct brinei_tlog_subject *s,
                                bool require_proof, bool require_set,
                                int64_t *signed_time)
{
  const struct brinei_log *log = NULL;
  bool known = false;
  enum body_kind kind;
  char hex[2 * sizeof(e->log_id) + 1];
  brine_result rc;
  if(!strcmp(e->kind, "hashedrekord") && !strcmp(e->version, "0.0.1"))
    kind = HASHEDREKORD_1;
  else if(!strcmp(e->kind, "hashedrekord") && !strcmp(e->version, "0.0.2"))
    kind = HASHEDREKORD_2;
  else if(!strcmp(e->kind, "dsse") && !strcmp(e->version, "0.0.1"))
    kind = DSSE_1;
  else if(!strcmp(e->kind, "intoto") && !strcmp(e->version, "0.0.2"))
    kind = INTOTO_2;
  else
    /* Rekor v2 accepts only hashedrekord, so dsse 0.0.2 is not met in
       bundles */
    return BRINE_FAIL(ctx, BRINE_E_UNSUPPORTED, BRINE_NOOFF,
                      "%s %s log entries are not supported (hashedrekord "
                      "0.0.1 and 0.0.2, dsse 0.0.1, intoto 0.0.2 are)",
                      e->kind, e->version);
  /* client-spec §4.4: the log is chosen by its id; with a SET it must
     also have been valid at the time the SET vouches for (inclusive, as
     conformance trust-root-tlog-validity-end-inclusive wants) */
  for(size_t i = 0; i < tr->ntlogs && !log; i++) {
    const struct brinei_log *l = &tr->tlogs[i];
    if(l->log_id_len != e->log_id_len ||
       memcmp(l->log_id, e->log_id, e->log_id_len))
      continue;
    known = true;
    if(!e->set || brinei_validity_contains(&l->valid, e->integrated_time))
      log = l;
  }
  brinei_hex(e->log_id, e->log_id_len, hex);
  if(!known)
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "the entry is from a log the trusted root does not "
                      "know (logId %s)", hex);
  if(!log)
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "integratedTime %lld is outside the validity of the "
                      "log's key (logId %s)", (long long)e->integrated_time,
                      hex);
  if(log->hash != BRINEI_SHA256 || !log->key)
    return BRINE_FAIL(ctx, BRINE_E_UNSUPPORTED, BRINE_NOOFF,
                      "log %s: only SHA-256 Merkle trees with a public key "
                      "are supported", log->base_url);
  if(require_proof && !e->has_proof)
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "the entry has no inclusion proof (required from "
                      "bundle v0.2 on; the log is never queried)");
  if(require_set && !e->set)
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "the entry has no signed entry timestamp (required "
                      "in bundle v0.1)");
  if(!e->has_proof && !e->set)
    return BRINE_FAIL(ctx, BRINE_E_BADSIG, BRINE_NOOFF,
                      "the entry has neither an inclusion proof nor a "
                      "signed entry timestamp");
  rc = check_body(ctx, e, kind, s);
  if(!rc && e->set)
    rc = check_set(ctx, log, e);
  if(!rc && e->has_proof)
    rc = check_proof(ctx, log, e, require_proof);
  if(rc)
    return rc;
  *signed_time = e->set ? e->integrated_time : 0;
  return BRINE_OK;
}
