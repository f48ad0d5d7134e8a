/* The pickle machine, opcode by opcode: each case is bytes, how the first
 * stream ends (CPython 3.11's behaviour, see /work notes in
 * docs/internals/differential.md), and the facts reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "pickle/vm.h"

struct rec {
  int globals, calls, constructs, builds, containers, exts, persids;
  int frames, buffers, computed, nested;
  char last_global[128];
};

static void r_global(void *ud, struct pk_vm *vm, uint32_t gid, uint64_t off,
                     uint8_t op)
{
  struct rec *r = ud;
  (void)off;
  (void)op;
  r->globals++;
  snprintf(r->last_global, sizeof(r->last_global), "%s",
           vm->globals[gid].name);
}

static uint8_t r_use(void *ud, struct pk_vm *vm, const struct pk_use *u)
{
  struct rec *r = ud;
  (void)vm;
  switch(u->kind) {
  case PKU_CALL: r->calls++; break;
  case PKU_CONSTRUCT: r->constructs++; break;
  case PKU_BUILD: r->builds++; break;
  case PKU_CONTAINER: r->containers++; break;
  case PKU_EXT: r->exts++; break;
  case PKU_PERSID: r->persids++; break;
  }
  return 0;
}

static void r_event(void *ud, struct pk_vm *vm, enum pk_event ev,
                    uint64_t off, const char *msg)
{
  struct rec *r = ud;
  (void)vm;
  (void)off;
  (void)msg;
  if(ev == PKE_FRAME)
    r->frames++;
  else if(ev == PKE_BUFFER)
    r->buffers++;
  else if(ev == PKE_COMPUTED)
    r->computed++;
}

static void r_nested(void *ud, struct pk_vm *vm, const uint8_t *p, size_t n,
                     enum pk_nested_enc enc, uint64_t off)
{
  struct rec *r = ud;
  (void)vm;
  (void)p;
  (void)n;
  (void)enc;
  (void)off;
  r->nested++;
}

struct vcase {
  const char *name;
  const char *bytes;
  size_t len;          /* 0: strlen */
  enum pk_status want;
  const char *msg;     /* substring of the break message, or NULL */
  int globals, calls, constructs, builds, containers;
  const char *global;  /* last global's name, or NULL */
};

#define B(s) s, sizeof(s) - 1

static const struct vcase cases[] = {
  { "int", B("I42\n."), PKS_STOP, NULL, 0, 0, 0, 0, 0, NULL },
  { "int base 0 octal", B("I010\n."), PKS_STOP, NULL, 0, 0, 0, 0, 0, NULL },
  { "int garbage", B("Iabc\n."), PKS_BROKEN, "could not convert", 0, 0, 0, 0,
    0, NULL },
  { "int empty line", B("I\n."), PKS_BROKEN, "truncated", 0, 0, 0, 0, 0,
    NULL },
  { "long", B("L123456789012345678901234567890L\n."), PKS_STOP, NULL, 0, 0,
    0, 0, 0, NULL },
  { "long leading zero", B("L010L\n."), PKS_BROKEN, "invalid literal", 0, 0,
    0, 0, 0, NULL },
  { "float", B("F1.5\n."), PKS_STOP, NULL, 0, 0, 0, 0, 0, NULL },
  { "float overflow", B("F1e500\n."), PKS_BROKEN, "float", 0, 0, 0, 0, 0,
    NULL },
  { "string quoted", B("S'a\\x41'\n."), PKS_STOP, NULL, 0, 0, 0, 0, 0, NULL },
  { "string unquoted", B("Sabc\n."), PKS_BROKEN, "must be quoted", 0, 0, 0,
    0, 0, NULL },
  { "binstring unsigned", B("T\xff\xff\xff\xff"), PKS_BROKEN, "truncated", 0,
    0, 0, 0, 0, NULL },
  { "binunicode bad utf8", B("X\x01\x00\x00\x00\xff."), PKS_BROKEN, "utf-8",
    0, 0, 0, 0, 0, NULL },
  { "binunicode surrogate", B("X\x03\x00\x00\x00\xed\xa0\x80."), PKS_STOP,
    NULL, 0, 0, 0, 0, 0, NULL },
  { "unicode escape", B("V\\u0041\n."), PKS_STOP, NULL, 0, 0, 0, 0, 0, NULL },
  { "global", B("cposix\nsystem\n."), PKS_STOP, NULL, 1, 0, 0, 0, 0,
    "posix.system" },
  { "global py2 mapping", B("c__builtin__\neval\n."), PKS_STOP, NULL, 1, 0,
    0, 0, 0, "builtins.eval" },
  { "global py2 not mapped at proto 3", B("\x80\x03" "c__builtin__\neval\n."),
    PKS_STOP, NULL, 1, 0, 0, 0, 0, "__builtin__.eval" },
  { "commands maps to subprocess", B("ccommands\ngetoutput\n."), PKS_STOP,
    NULL, 1, 0, 0, 0, 0, "subprocess.getoutput" },
  { "global with NUL", B("cpos\0ix\nsystem\n."), PKS_BROKEN,
    "embedded null", 0, 0, 0, 0, 0, NULL },
  { "stack_global NUL", B("\x80\x04\x8c\x01\0\x8c\x01" "a\x93."),
    PKS_BROKEN, "embedded null", 0, 0, 0, 0, 0, NULL },
  { "stack_global", B("\x80\x04\x8c\x05posix\x8c\x06system\x93."), PKS_STOP,
    NULL, 1, 0, 0, 0, 0, "posix.system" },
  { "stack_global no proto, STRING", B("S'os'\nS'system'\n\x93."), PKS_STOP,
    NULL, 1, 0, 0, 0, 0, "os.system" },
  { "stack_global int operand", B("K\x01K\x02\x93."), PKS_BROKEN,
    "requires str", 0, 0, 0, 0, 0, NULL },
  { "reduce", B("cposix\nsystem\n(Vid\ntR."), PKS_STOP, NULL, 1, 1, 0, 0, 0,
    "posix.system" },
  { "reduce non-tuple args", B("cposix\nsystem\n]R."), PKS_BROKEN,
    "must be a tuple", 1, 0, 0, 0, 0, NULL },
  { "inst no args", B("(imod\nCls\n."), PKS_STOP, NULL, 1, 0, 1, 0, 0,
    "mod.Cls" },
  { "inst with args", B("(K\x01imod\nfn\n."), PKS_STOP, NULL, 1, 1, 0, 0, 0,
    "mod.fn" },
  { "inst non-ascii", B("(imod\nC\xc3\xa9\n."), PKS_BROKEN, "ASCII", 0, 0, 0,
    0, 0, NULL },
  { "obj", B("(cmod\nfn\nK\x01o."), PKS_STOP, NULL, 1, 1, 0, 0, 0, NULL },
  { "newobj", B("\x80\x02" "cmod\nCls\n)\x81."), PKS_STOP, NULL, 1, 0, 1, 0, 0,
    NULL },
  { "newobj literal class", B("\x80\x02K\x01)\x81."), PKS_BROKEN,
    "must be a type", 0, 0, 0, 0, 0, NULL },
  { "newobj_ex", B("\x80\x04" "cmod\nCls\n)}\x92."), PKS_STOP, NULL, 1, 0, 1, 0,
    0, NULL },
  { "build on module", B("\x80\x04" "cmod\nm\n}b."), PKS_STOP, NULL, 1, 0, 0, 1,
    0, NULL },
  { "build none on literal", B("]Nb."), PKS_STOP, NULL, 0, 0, 0, 0, 0,
    NULL },
  { "build dict on literal", B("]}b."), PKS_BROKEN, "BUILD on a literal", 0,
    0, 0, 0, 0, NULL },
  { "append on list", B("]K\x01" "a."), PKS_STOP, NULL, 0, 0, 0, 0, 0, NULL },
  { "append on global", B("cmod\nobj\nK\x01" "a."), PKS_STOP, NULL, 1, 0, 0, 0,
    1, NULL },
  { "append on dict raises", B("}K\x01" "a."), PKS_BROKEN, "append()", 0, 0, 0,
    0, 0, NULL },
  { "appends empty never calls", B("cmod\nobj\n(e."), PKS_STOP, NULL, 1, 0, 0,
    0, 0, NULL },
  { "setitems odd", B("}(K\x01u."), PKS_BROKEN, "odd number", 0, 0, 0, 0, 0,
    NULL },
  { "setitem on global", B("cmod\nobj\nK\x01K\x02s."), PKS_STOP, NULL, 1, 0,
    0, 0, 1, NULL },
  { "additems on set", B("\x80\x04\x8f(K\x01\x90."), PKS_STOP, NULL, 0, 0, 0,
    0, 0, NULL },
  { "additems on frozenset raises", B("\x80\x04(\x91(K\x01\x90."),
    PKS_BROKEN, "add()", 0, 0, 0, 0, 0, NULL },
  { "dict odd", B("(K\x01" "d."), PKS_BROKEN, "odd number", 0, 0, 0, 0, 0,
    NULL },
  { "pop pops mark", B("(0K\x05."), PKS_STOP, NULL, 0, 0, 0, 0, 0, NULL },
  { "pop underflow", B("0."), PKS_BROKEN, "underflow", 0, 0, 0, 0, 0, NULL },
  { "fence: stop at mark", B("K\x01(."), PKS_BROKEN, "unexpected MARK", 0, 0,
    0, 0, 0, NULL },
  { "tuple2 across mark", B("K\x01(K\x02\x86."), PKS_BROKEN,
    "unexpected MARK", 0, 0, 0, 0, 0, NULL },
  { "no mark", B("K\x01t."), PKS_BROKEN, "could not find MARK", 0, 0, 0, 0,
    0, NULL },
  { "pop_mark", B("K\x07(K\x01K\x021."), PKS_STOP, NULL, 0, 0, 0, 0, 0,
    NULL },
  { "memo get missing", B("h\x03."), PKS_BROKEN, "not found at index 3", 0,
    0, 0, 0, 0, NULL },
  { "memoize index is filled count", B("\x80\x04K\x01q\x05\x94h\x01."),
    PKS_STOP, NULL, 0, 0, 0, 0, 0, NULL },
  { "memoize overwrites", B("\x80\x04K\x01q\x01K\x02\x94h\x00."),
    PKS_BROKEN, "not found at index 0", 0, 0, 0, 0, 0, NULL },
  { "put text", B("K\x01p007\ng7\n."), PKS_STOP, NULL, 0, 0, 0, 0, 0, NULL },
  { "put negative", B("K\x01p-1\n."), PKS_BROKEN, "negative PUT", 0, 0, 0, 0,
    0, NULL },
  { "ext1", B("\x80\x02\x82\x01."), PKS_STOP, NULL, 0, 0, 0, 0, 0, NULL },
  { "ext4 zero", B("\x80\x02\x84\x00\x00\x00\x00."), PKS_BROKEN,
    "code <= 0", 0, 0, 0, 0, 0, NULL },
  { "persid", B("Pfoo\n."), PKS_STOP, NULL, 0, 0, 0, 0, 0, NULL },
  { "next_buffer", B("\x80\x05\x97."), PKS_STOP, NULL, 0, 0, 0, 0, 0, NULL },
  { "proto 6", B("\x80\x06N."), PKS_BROKEN, "unsupported pickle protocol",
    0, 0, 0, 0, 0, NULL },
  { "frame ok", B("\x80\x04\x95\x03\x00\x00\x00\x00\x00\x00\x00K\x01."),
    PKS_STOP, NULL, 0, 0, 0, 0, 0, NULL },
  { "frame too long", B("\x80\x04\x95\x09\x00\x00\x00\x00\x00\x00\x00K\x01."),
    PKS_BROKEN, "only 3 remain", 0, 0, 0, 0, 0, NULL },
  { "invalid opcode", B("\x00"), PKS_BROKEN, "invalid load key", 0, 0, 0, 0,
    0, NULL },
  { "truncated arg", B("J\x01\x02"), PKS_BROKEN, "truncated", 0, 0, 0, 0, 0,
    NULL },
  { "empty stack stop", B("."), PKS_BROKEN, "underflow", 0, 0, 0, 0, 0,
    NULL },
};

static enum pk_status run(const char *bytes, size_t len, struct rec *r,
                          struct pk_vm *vm, struct brine_ctx *ctx)
{
  static struct pk_sink sink;
  sink.ud = r;
  sink.on_global = r_global;
  sink.on_use = r_use;
  sink.on_event = r_event;
  sink.on_nested = r_nested;
  memset(r, 0, sizeof(*r));
  brinei_pk_init(vm, ctx, (const uint8_t *)bytes, len, &sink);
  return brinei_pk_run(vm, 0);
}

static void test_cases(void **state)
{
  (void)state;
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const struct vcase *c = &cases[i];
    struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
    struct pk_vm vm;
    struct rec r;
    enum pk_status st = run(c->bytes, c->len, &r, &vm, ctx);
    if(st != c->want || (c->msg && !strstr(vm.msg, c->msg)) ||
       r.globals != c->globals || r.calls != c->calls ||
       r.constructs != c->constructs || r.builds != c->builds ||
       r.containers != c->containers ||
       (c->global && strcmp(r.last_global, c->global)))
      fail_msg("case '%s': status %d (want %d) msg '%s' globals %d calls %d "
               "constructs %d builds %d containers %d last '%s'", c->name,
               st, c->want, vm.msg, r.globals, r.calls, r.constructs,
               r.builds, r.containers, r.last_global);
    brinei_pk_free(&vm);
    assert_int_equal(brine_ctx_mem_used(ctx), 0);
    brine_ctx_free(ctx);
  }
}

static void test_frame_straddle(void **state)
{
  /* FRAME of 2 bytes holding 'K' + 1 byte, then an op crossing its end */
  static const char b[] = "\x80\x04\x95\x02\x00\x00\x00\x00\x00\x00\x00"
                          "J\x01\x02\x03\x04.";
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  struct pk_vm vm;
  struct rec r;
  (void)state;
  assert_int_equal(run(b, sizeof(b) - 1, &r, &vm, ctx), PKS_STOP);
  assert_int_equal(r.frames, 1);
  brinei_pk_free(&vm);
  brine_ctx_free(ctx);
}

static void test_mutated_module_makes_computed(void **state)
{
  /* B19: BUILD writes collections.abc.zz, later read back as a global */
  static const char b[] = "\x80\x04" "ccollections\nabc\n}b0"
                          "ccollections\nabc.zz\n.";
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  struct pk_vm vm;
  struct rec r;
  (void)state;
  assert_int_equal(run(b, sizeof(b) - 1, &r, &vm, ctx), PKS_STOP);
  assert_int_equal(r.builds, 1);
  assert_int_equal(r.computed, 1);
  brinei_pk_free(&vm);
  brine_ctx_free(ctx);
}

static void test_nested_candidates(void **state)
{
  static const char raw[] = "C\x05\x80\x02K\x01.";
  static const char b64[] = "X\x08\x00\x00\x00gAJLAS4=.";
  static const char hex[] = "X\x0a\x00\x00\x00" "80024b012e.";
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  struct pk_vm vm;
  struct rec r;
  (void)state;
  run(raw, sizeof(raw) - 1, &r, &vm, ctx);
  assert_int_equal(r.nested, 1);
  brinei_pk_free(&vm);
  run(b64, sizeof(b64) - 1, &r, &vm, ctx);
  assert_int_equal(r.nested, 1);
  brinei_pk_free(&vm);
  run(hex, sizeof(hex) - 1, &r, &vm, ctx);
  assert_int_equal(r.nested, 1);
  brinei_pk_free(&vm);
  brine_ctx_free(ctx);
}

static void test_limits(void **state)
{
  struct brine_limits lim = brine_limits_default();
  struct brine_ctx *ctx;
  struct pk_vm vm;
  struct rec r;
  (void)state;
  lim.pickle_marks = 3;
  lim.pickle_memo = 10;
  ctx = brine_ctx_new(&lim, NULL);
  assert_int_equal(run("((((K\x01.", 7, &r, &vm, ctx), PKS_LIMIT);
  assert_non_null(strstr(vm.msg, "pickle_marks"));
  brinei_pk_free(&vm);
  assert_int_equal(run("K\x01r\xff\xff\xff\xff.", 8, &r, &vm, ctx),
                   PKS_LIMIT);
  assert_non_null(strstr(vm.msg, "pickle_memo"));
  brinei_pk_free(&vm);
  brine_ctx_free(ctx);
}

static void test_far_memo_index(void **state)
{
  /* indices far apart go to the sparse map, not a huge array */
  static const char b[] = "K\x01r\x00\x00\x00\x01K\x02r\x00\x00\x00\x02"
                          "j\x00\x00\x00\x01j\x00\x00\x00\x02\x86.";
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  struct pk_vm vm;
  struct rec r;
  (void)state;
  assert_int_equal(run(b, sizeof(b) - 1, &r, &vm, ctx), PKS_STOP);
  assert_true(brine_ctx_mem_peak(ctx) < (1u << 20));
  assert_int_equal(vm.memo_len, 2);
  brinei_pk_free(&vm);
  brine_ctx_free(ctx);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_cases),
    cmocka_unit_test(test_frame_straddle),
    cmocka_unit_test(test_mutated_module_makes_computed),
    cmocka_unit_test(test_nested_candidates),
    cmocka_unit_test(test_limits),
    cmocka_unit_test(test_far_memo_index),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
