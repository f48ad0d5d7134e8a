/* The scan API end to end on in-memory pickles: verdicts, rules, the
 * deny-list matcher, --allow entries, and an allocation-failure pass
 * (every allocation in turn fails; the scan must report, never crash). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "brine/scan.h"

static struct brine_ctx *pctx;
static struct brine_policy *pol;

static int setup(void **state)
{
  (void)state;
  pctx = brine_ctx_new(NULL, NULL);
  return pctx && !brine_policy_new(pctx, &pol) ? 0 : -1;
}

static int teardown(void **state)
{
  (void)state;
  brine_policy_free(pol);
  brine_ctx_free(pctx);
  return 0;
}

static brine_verdict scan1(const char *b, size_t n, const char **rule)
{
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  struct brine_scan *s = NULL;
  const struct brine_file_report *r;
  brine_verdict v;
  assert_int_equal(brine_scan_new(ctx, pol, 0, &s), BRINE_OK);
  assert_int_equal(brine_scan_buffer(s, "x", b, n), BRINE_OK);
  r = brine_scan_file(s, 0);
  v = r->verdict;
  if(rule)
    *rule = r->nfindings ? r->findings[0].rule : "";
  brine_scan_free(s);
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  brine_ctx_free(ctx);
  return v;
}

#define SCAN(lit, rule) scan1(lit, sizeof(lit) - 1, rule)

static void test_verdicts(void **state)
{
  const char *rule;
  (void)state;
  assert_int_equal(SCAN("\x80\x04K\x01.", NULL), BRINE_VERDICT_SAFE);
  assert_int_equal(SCAN("cposix\nsystem\n(Vid\ntR.", &rule),
                   BRINE_VERDICT_UNSAFE);
  assert_string_equal(rule, "PKL001");
  assert_int_equal(SCAN("\x80\x02\x82\x01.", &rule), BRINE_VERDICT_UNSAFE);
  assert_string_equal(rule, "PKL004");
  assert_int_equal(SCAN("\x80\x04\x8c\x03zzz\x8c\x01Q\x93)\x81.", &rule),
                   BRINE_VERDICT_UNKNOWN);
  assert_string_equal(rule, "PKL011");
  assert_int_equal(SCAN("# not a pickle\n", NULL),
                   BRINE_VERDICT_UNRECOGNIZED);
  assert_int_equal(SCAN("\x80\x02]q\x00(K\x01", NULL), BRINE_VERDICT_ERROR);
  /* payload, then garbage: unsafe, not error (B7) */
  assert_int_equal(SCAN("\x80\x02" "cposix\nsystem\nX\x02\x00\x00\x00id"
                        "\x85R\x00garbage", NULL), BRINE_VERDICT_UNSAFE);
  /* a second stream after a benign one (B25) */
  assert_int_equal(SCAN("\x80\x02K\x01.\x80\x02" "cposix\nsystem\n)R.",
                        NULL), BRINE_VERDICT_UNSAFE);
}

/* A finding's offset counts from the start of the bytes it is in, also
   for a pickle found in bytes after another format's end. */
static void test_trailing_offsets(void **state)
{
  /* gzip of "hello" (mtime 0), then a payload at byte 25 */
  static const char gz_evil[] =
    "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff\xcbH\xcd\xc9\xc9\x07\x00"
    "\x86\xa6\x10" "6\x05\x00\x00\x00"
    "\x80\x02" "cposix\nsystem\nX\x02\x00\x00\x00id\x85R.";
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  struct brine_scan *s = NULL;
  const struct brine_file_report *r;
  bool seen = false;
  (void)state;
  assert_int_equal(brine_scan_new(ctx, pol, 0, &s), BRINE_OK);
  assert_int_equal(brine_scan_buffer(s, "x", gz_evil, sizeof(gz_evil) - 1),
                   BRINE_OK);
  r = brine_scan_file(s, 0);
  assert_int_equal(r->verdict, BRINE_VERDICT_UNSAFE);
  assert_string_equal(r->format, "gzip");
  for(size_t i = 0; i < r->nfindings; i++) {
    if(strcmp(r->findings[i].rule, "PKL001"))
      continue;
    /* REDUCE is the 24th byte of the payload: byte 25 + 24 */
    assert_int_equal(r->findings[i].offset, 49);
    assert_non_null(strstr(r->findings[i].message, "at byte 49"));
    seen = true;
  }
  assert_true(seen);
  brine_scan_free(s);
  brine_ctx_free(ctx);
}

static void test_deny_matcher(void **state)
{
  (void)state;
  assert_true(brine_policy_denied(pol, "posix.system"));
  assert_true(brine_policy_denied(pol, "pathlib.os.system"));
  assert_true(brine_policy_denied(pol, "collections.__builtins__.get"));
  assert_true(brine_policy_denied(pol, "builtins.eval"));
  assert_false(brine_policy_denied(pol, "collections.OrderedDict"));
  assert_false(brine_policy_denied(pol, "mylib.osx.helper"));
  assert_int_equal(brine_policy_allowed(pol, "collections.OrderedDict"),
                   BRINE_USE_CALL);
  assert_int_equal(brine_policy_allowed(pol, "posix.system"),
                   BRINE_USE_NONE);
}

static void test_allow_json(void **state)
{
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  struct brine_policy *p = NULL;
  static const char ok[] =
    "[{\"global\": \"mylib.m.f\", \"use\": \"call\", \"reason\": \"t\","
    " \"args\": {\"count\": 1, \"0\": {\"type\": [\"int\"]}}}]";
  static const char *const bad[] = {
    "[{\"global\": \"mylib\", \"use\": \"reference\"}]",
    "[{\"global\": \"a.b\", \"use\": \"call\"}]",
    "[{\"global\": \"a.__class__\", \"use\": \"reference\"}]",
    "[{\"global\": \"a.b\", \"use\": \"reference\", \"x\": 1}]",
    "[{\"global\": \"a.b\", \"use\": \"reference\", \"use\": \"call\"}]",
    "{\"entries\": 5}",
    "not json",
  };
  (void)state;
  assert_int_equal(brine_policy_new(ctx, &p), BRINE_OK);
  assert_int_equal(brine_policy_add_json(p, ok, sizeof(ok) - 1, "t"),
                   BRINE_OK);
  assert_int_equal(brine_policy_allowed(p, "mylib.m.f"), BRINE_USE_CALL);
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_int_equal(brine_policy_add_json(p, bad[i], strlen(bad[i]), "t"),
                     BRINE_E_MALFORMED);
  brine_policy_free(p);
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  brine_ctx_free(ctx);
}

static void test_alloc_failures(void **state)
{
  /* a pickle exercising calls, nested pickles and findings */
  static const char b[] =
    "\x80\x02" "cposix\nsystem\nX\x02\x00\x00\x00id\x85R0"
    "ccollections\nOrderedDict\n)R}b"
    "X\x0c\x00\x00\x00gAJLAS4=AAAA" "C\x05\x80\x02K\x01." "\x86.";
  (void)state;
  for(uint64_t n = 1; n < 400; n++) {
    struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
    struct brine_scan *s = NULL;
    brine_ctx_fail_alloc_after(ctx, n);
    if(!brine_scan_new(ctx, pol, 0, &s)) {
      brine_result r = brine_scan_buffer(s, "x", b, sizeof(b) - 1);
      assert_true(r == BRINE_OK || r == BRINE_E_NOMEM);
      if(r == BRINE_OK) {
        const struct brine_file_report *f = brine_scan_file(s, 0);
        /* a failed allocation may lose detail, never turn unsafe safe */
        assert_true(f->verdict == BRINE_VERDICT_UNSAFE ||
                    f->verdict == BRINE_VERDICT_ERROR);
      }
    }
    brine_scan_free(s);
    assert_int_equal(brine_ctx_mem_used(ctx), 0);
    brine_ctx_free(ctx);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_verdicts),
    cmocka_unit_test(test_trailing_offsets),
    cmocka_unit_test(test_deny_matcher),
    cmocka_unit_test(test_allow_json),
    cmocka_unit_test(test_alloc_failures),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
