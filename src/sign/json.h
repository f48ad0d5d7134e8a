/* Strict JSON reading shared by the signing formats (json.c). */
#ifndef BRINE_SIGN_JSON_H
#define BRINE_SIGN_JSON_H

#include <jansson.h>

#include "../crypto/crypto.h"

/* jansson's memory is not counted by the context: a document may be at
   most lim.memory / this many bytes. */
#define BRINEI_JSON_SHARE 16

enum brinei_jkind { BJ_OBJ, BJ_ARR, BJ_STR, BJ_BOOL, BJ_NUM };

/* Record "out of memory" and return BRINE_E_NOMEM. */
brine_result brinei_json_nomem(struct brine_ctx *ctx);
/* Re-record the last failure with `field` in front (NOMEM untouched). */
brine_result brinei_json_refail(struct brine_ctx *ctx, brine_result rc,
                                const char *field);
/* Parse an untrusted document that must be an object; `what` names it.
   BRINE_OK, BRINE_E_MALFORMED (also for duplicate keys), BRINE_E_LIMIT,
   BRINE_E_NOMEM. *out owned (json_decref). */
brine_result brinei_json_load(struct brine_ctx *ctx, const char *json,
                              size_t len, const char *what, json_t **out);
/* obj[key] of the given kind; *out NULL when absent and not required.
   `where` names obj in messages ("" at the top). BRINE_OK or
   BRINE_E_MALFORMED. */
brine_result brinei_json_field(struct brine_ctx *ctx, const json_t *obj,
                               const char *where, const char *key,
                               enum brinei_jkind kind, bool required,
                               json_t **out);
/* A required string field copied through ctx. */
brine_result brinei_json_dup(struct brine_ctx *ctx, const json_t *obj,
                             const char *where, const char *key, char **out);
/* A required base64 string field (either alphabet, padding optional),
   decoded through ctx. */
brine_result brinei_json_b64(struct brine_ctx *ctx, const json_t *obj,
                             const char *where, const char *key,
                             uint8_t **out, size_t *outlen);

#endif
