/* Helpers shared by the cmocka tests of the signing code: contexts that
 * must give back every byte, failure assertions, whole files, JSON
 * documents. Include after <cmocka.h>. */
#ifndef BRINE_TESTUTIL_H
#define BRINE_TESTUTIL_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Extra condition every failure must meet (test_crypto: OpenSSL's error
   queue is left empty). */
#ifndef TESTUTIL_EXTRA_CHECK
#define TESTUTIL_EXTRA_CHECK() ((void)0)
#endif

/* A failure returns `want` and records a sentence on ctx. */
#define assert_fails(ctx, expr, want)                                    \
  do {                                                                   \
    brinei_clear_error(ctx);                                             \
    assert_int_equal((expr), (want));                                    \
    assert_int_equal(brine_last_error(ctx)->code, (want));               \
    assert_true(strlen(brine_last_error(ctx)->message) > 0);             \
    TESTUTIL_EXTRA_CHECK();                                              \
  } while(0)

#define assert_msg_has(ctx, s)                                           \
  do {                                                                   \
    if(!strstr(brine_last_error(ctx)->message, (s)))                     \
      fail_msg("message \"%s\" lacks \"%s\"",                            \
               brine_last_error(ctx)->message, (s));                     \
  } while(0)

static inline struct brine_ctx *new_ctx(void)
{
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  assert_non_null(ctx);
  return ctx;
}

static inline void free_ctx(struct brine_ctx *ctx)
{
  /* everything allocated through ctx was given back */
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  brine_ctx_free(ctx);
}

/* A whole file in a malloc'd, NUL-terminated buffer (plain stdio). */
static inline void *slurp(const char *path, size_t *n)
{
  FILE *f = fopen(path, "rb");
  char *buf;
  long len;
  if(!f)
    fail_msg("cannot open %s", path);
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  len = ftell(f);
  assert_true(len >= 0);
  rewind(f);
  buf = malloc((size_t)len + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
  fclose(f);
  buf[len] = 0;
  *n = (size_t)len;
  return buf;
}

static inline json_t *load_json(const char *path)
{
  json_error_t e;
  json_t *j = json_load_file(path, 0, &e);
  if(!j)
    fail_msg("%s: %s", path, e.text);
  return j;
}

#endif
