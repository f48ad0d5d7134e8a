/* Glue the crypto files share: OpenSSL's error queue turned into a ctx
 * sentence, memory BIOs with checked lengths, a password callback that never
 * prompts on the terminal. */
#include "../internal.h"
#include "crypto_int.h"

#include <limits.h>
#include <stdio.h>

#include <openssl/bio.h>
#include <openssl/err.h>

brine_result brinei_ossl_fail(struct brine_ctx *ctx, brine_result code,
                              int line, const char *fmt, ...)
{
  char msg[200];
  const char *why = NULL;
  unsigned long e = ERR_peek_last_error();
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if(e)
    why = ERR_reason_error_string(e);
  /* the queue is per thread; leave nothing behind for the next caller */
  ERR_clear_error();
  if(why)
    return brinei_fail(ctx, code, BRINE_NOOFF, line, "%s (%s)", msg, why);
  return brinei_fail(ctx, code, BRINE_NOOFF, line, "%s", msg);
}

BIO *brinei_mem_bio(struct brine_ctx *ctx, const uint8_t *p, size_t n,
                    const char *what)
{
  BIO *b;
  if(!n) {
    BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF, "%s: empty", what);
    return NULL;
  }
  if(n > INT_MAX) {
    BRINE_FAIL(ctx, BRINE_E_LIMIT, BRINE_NOOFF, "%s: %zu bytes is too large",
               what, n);
    return NULL;
  }
  b = BIO_new_mem_buf(p, (int)n);
  if(!b)
    BRINEI_OSSL_FAIL(ctx, BRINE_E_NOMEM, "%s: cannot allocate a BIO", what);
  return b;
}

int brinei_pem_password(char *buf, int size, int rwflag, void *u)
{
  size_t n;
  (void)rwflag;
  if(!u || size <= 0)
    return -1;  /* no password given: fail instead of prompting */
  n = strlen(u);
  if(n > (size_t)size)
    return -1;  /* never truncate a password */
  memcpy(buf, u, n);
  return (int)n;
}
