/* util/: the budgeted allocator, growth caps, text helpers, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "internal.h"

static void test_budget(void **state)
{
  struct brine_limits lim = brine_limits_default();
  struct brine_ctx *ctx;
  void *a, *b;
  (void)state;
  lim.memory = 1000;
  ctx = brine_ctx_new(&lim, NULL);
  a = brinei_malloc(ctx, 600);
  assert_non_null(a);
  assert_null(brinei_malloc(ctx, 600));     /* over the budget */
  b = brinei_realloc(ctx, a, 900);
  assert_non_null(b);
  assert_null(brinei_realloc(ctx, b, 1001));
  brinei_free(ctx, b);
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  assert_true(brine_ctx_mem_peak(ctx) >= 900);
  brine_ctx_free(ctx);
}

static void test_fail_after(void **state)
{
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  void *a, *b;
  (void)state;
  brine_ctx_fail_alloc_after(ctx, 2);
  a = brinei_malloc(ctx, 8);
  b = brinei_malloc(ctx, 8);
  assert_non_null(a);
  assert_null(b);
  brinei_free(ctx, a);
  brine_ctx_free(ctx);
}

static void test_grow_caps(void **state)
{
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  void *p = NULL;
  size_t cap = 0;
  (void)state;
  assert_int_equal(brinei_grow(ctx, &p, &cap, 3, 8, 5), BRINE_OK);
  assert_true(cap <= 5 && cap >= 3);
  assert_int_equal(brinei_grow(ctx, &p, &cap, 6, 8, 5), BRINE_E_LIMIT);
  brinei_free(ctx, p);
  brine_ctx_free(ctx);
}

static void test_utf8(void **state)
{
  static const struct { const char *s; size_t n; bool sp, want; } c[] = {
    { "plain ascii text here", 21, false, true },
    { "\xc3\xa9", 2, false, true },
    { "\xc3", 1, false, false },
    { "\xc0\x80", 2, false, false },          /* overlong */
    { "\xed\xa0\x80", 3, false, false },      /* surrogate */
    { "\xed\xa0\x80", 3, true, true },        /* surrogatepass */
    { "\xf4\x90\x80\x80", 4, false, false },  /* > U+10FFFF */
    { "\xf0\x9f\x98\x80", 4, false, true },
  };
  (void)state;
  for(size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
    assert_int_equal(brinei_utf8_valid((const uint8_t *)c[i].s, c[i].n,
                                       c[i].sp), c[i].want);
}

static void test_base64_hex(void **state)
{
  uint8_t out[64];
  (void)state;
  assert_true(brinei_is_base64((const uint8_t *)"gAJLAS4=", 8));
  assert_false(brinei_is_base64((const uint8_t *)"gAJ*AS4=", 8));
  assert_int_equal(brinei_base64_decode((const uint8_t *)"gAJLAS4=", 8, out),
                   5);
  assert_memory_equal(out, "\x80\x02K\x01.", 5);
  assert_int_equal(brinei_hex_decode((const uint8_t *)"80024b012e", 10, out),
                   5);
  assert_memory_equal(out, "\x80\x02K\x01.", 5);
  assert_int_equal(brinei_hex_decode((const uint8_t *)"8g", 2, out),
                   SIZE_MAX);
}

static void test_sbuf_cap(void **state)
{
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  struct brinei_sbuf b;
  (void)state;
  brinei_sbuf_init(&b, ctx, 10);
  brinei_sbuf_puts(&b, "12345");
  brinei_sbuf_printf(&b, "%d", 678);
  assert_false(b.failed);
  brinei_sbuf_puts(&b, "xyz");  /* 11 bytes: over the cap */
  assert_true(b.failed);
  assert_null(brinei_sbuf_take(&b));
  brinei_sbuf_init(&b, ctx, 100);
  brinei_sbuf_json_str(&b, "a\"\n\xff", 4);
  assert_string_equal(b.p, "\"a\\\"\\n\\ufffd\"");
  brinei_sbuf_free(&b);
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  brine_ctx_free(ctx);
}

static void test_limits_by_name(void **state)
{
  struct brine_limits l = brine_limits_default();
  (void)state;
  assert_int_equal(brine_limits_set(&l, "pickle_ops", 10), BRINE_OK);
  assert_int_equal(l.pickle_ops, 10);
  assert_int_equal(brine_limits_set(&l, "nope", 10), BRINE_E_NOTFOUND);
  assert_int_equal(brine_limits_set(&l, "nest_depth", 1000), BRINE_E_INVALID);
  assert_int_equal(brine_limits_set(&l, "memory", 0), BRINE_E_INVALID);
  assert_string_equal(brine_limits_name(0), "pickle_ops");
  assert_null(brine_limits_name(999));
  assert_string_equal(brine_strerror(BRINE_E_LIMIT), "input exceeds a limit");
  assert_non_null(brine_strerror((brine_result)999));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_budget),
    cmocka_unit_test(test_fail_after),
    cmocka_unit_test(test_grow_caps),
    cmocka_unit_test(test_utf8),
    cmocka_unit_test(test_base64_hex),
    cmocka_unit_test(test_sbuf_cap),
    cmocka_unit_test(test_limits_by_name),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
