/* Strict JSON reading for the signing formats (bundles, statements,
 * trusted roots): jansson with duplicate keys rejected, every field
 * checked for its type before use, messages that name the field. */
#include "json.h"

#include <stdio.h>

brine_result brinei_json_nomem(struct brine_ctx *ctx)
{
  return BRINE_FAIL(ctx, BRINE_E_NOMEM, BRINE_NOOFF, "out of memory");
}

/* Re-record the last failure with the field it concerns in front. */
brine_result brinei_json_refail(struct brine_ctx *ctx, brine_result rc,
                                const char *field)
{
  char msg[sizeof(ctx->err.message)];
  if(rc == BRINE_E_NOMEM)
    return rc;
  snprintf(msg, sizeof(msg), "%s", ctx->err.message);
  return BRINE_FAIL(ctx, rc, BRINE_NOOFF, "%s: %s", field, msg);
}

/* Parse an untrusted document; `what` names it in messages. */
brine_result brinei_json_load(struct brine_ctx *ctx, const char *json,
                              size_t len, const char *what, json_t **out)
{
  json_error_t jerr;
  json_t *doc;
  if(len > ctx->lim.memory / BRINEI_JSON_SHARE)
    return BRINE_FAIL(ctx, BRINE_E_LIMIT, BRINE_NOOFF,
                      "%s: %zu bytes is too large to parse within limit "
                      "memory", what, len);
  doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
  if(!doc) {
    enum json_error_code e = json_error_code(&jerr);
    if(e == json_error_out_of_memory)
      return brinei_json_nomem(ctx);
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED,
                      jerr.position >= 0 ? (uint64_t)jerr.position
                                         : BRINE_NOOFF,
                      "%s is not valid JSON: %s%.200s (line %d, column %d)",
                      what,
                      e == json_error_duplicate_key ? "duplicate key: " : "",
                      jerr.text, jerr.line, jerr.column);
  }
  if(!json_is_object(doc)) {
    json_decref(doc);
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, 0,
                      "%s is not a JSON object", what);
  }
  *out = doc;
  return BRINE_OK;
}

static const char *const jkind_name[] = {
  "an object", "an array", "a string", "true or false", "a number",
};

/* obj[key] of the given kind. *out is NULL when the key is absent and not
   required. `where` names obj in messages ("" for the top level). */
brine_result brinei_json_field(struct brine_ctx *ctx, const json_t *obj,
                               const char *where, const char *key,
                               enum brinei_jkind kind, bool required,
                               json_t **out)
{
  json_t *v = json_object_get(obj, key);
  bool ok;
  *out = NULL;
  if(!v) {
    if(!required)
      return BRINE_OK;
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF, "%s%s%s is missing",
                      where, *where ? "." : "", key);
  }
  switch(kind) {
  case BJ_OBJ: ok = json_is_object(v); break;
  case BJ_ARR: ok = json_is_array(v); break;
  case BJ_STR: ok = json_is_string(v); break;
  case BJ_BOOL: ok = json_is_boolean(v); break;
  default: ok = json_is_number(v); break;
  }
  if(!ok)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "%s%s%s must be %s", where, *where ? "." : "", key,
                      jkind_name[kind]);
  *out = v;
  return BRINE_OK;
}

/* A string field copied through ctx. */
brine_result brinei_json_dup(struct brine_ctx *ctx, const json_t *obj,
                             const char *where, const char *key, char **out)
{
  json_t *v;
  brine_result rc = brinei_json_field(ctx, obj, where, key, BJ_STR, true, &v);
  if(rc)
    return rc;
  *out = brinei_strndup(ctx, json_string_value(v), json_string_length(v));
  return *out ? BRINE_OK : brinei_json_nomem(ctx);
}

/* A base64 string field, decoded through ctx. */
brine_result brinei_json_b64(struct brine_ctx *ctx, const json_t *obj,
                             const char *where, const char *key,
                             uint8_t **out, size_t *outlen)
{
  json_t *v;
  char name[96];
  brine_result rc = brinei_json_field(ctx, obj, where, key, BJ_STR, true, &v);
  if(rc)
    return rc;
  rc = brinei_b64_decode(ctx, json_string_value(v), json_string_length(v),
                         true, out, outlen);
  if(!rc)
    return BRINE_OK;
  snprintf(name, sizeof(name), "%s%s%s", where, *where ? "." : "", key);
  return brinei_json_refail(ctx, rc, name);
}

