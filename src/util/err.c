/* Result texts and the error detail kept on a context. */
#include "../internal.h"

#include <stdio.h>

const char *brine_strerror(brine_result r)
{
  switch(r) {
  case BRINE_OK: return "success";
  case BRINE_E_NOMEM: return "out of memory or memory budget exhausted";
  case BRINE_E_TRUNCATED: return "input is truncated";
  case BRINE_E_MALFORMED: return "input is malformed";
  case BRINE_E_LIMIT: return "input exceeds a limit";
  case BRINE_E_AMBIGUOUS: return "input is ambiguous";
  case BRINE_E_UNSUPPORTED: return "input is valid but not supported";
  case BRINE_E_POLICY: return "refused by policy";
  case BRINE_E_BADSIG: return "signature is not valid";
  case BRINE_E_CRYPTO: return "cryptographic library failure";
  case BRINE_E_IO: return "input/output error";
  case BRINE_E_INVALID: return "invalid argument";
  case BRINE_E_NOTFOUND: return "not found";
  case BRINE_E_LAST: break;
  }
  return "unknown result code";
}

brine_result brinei_fail(struct brine_ctx *ctx, brine_result code,
                         uint64_t offset, int line, const char *fmt, ...)
{
  va_list ap;
  ctx->err.code = code;
  ctx->err.offset = offset;
  ctx->err.line = line;
  va_start(ap, fmt);
  vsnprintf(ctx->err.message, sizeof(ctx->err.message), fmt, ap);
  va_end(ap);
  return code;
}

void brinei_clear_error(struct brine_ctx *ctx)
{
  ctx->err.code = BRINE_OK;
  ctx->err.offset = BRINE_NOOFF;
  ctx->err.line = 0;
  ctx->err.message[0] = '\0';
}

const struct brine_errinfo *brine_last_error(const struct brine_ctx *ctx)
{
  return &ctx->err;
}
