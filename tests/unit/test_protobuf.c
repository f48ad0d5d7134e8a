/* The protobuf wire reader, the ONNX / SavedModel probe and both checks:
 * every fixture of tools/gen_proto_fixtures.py with its exact rules,
 * hostile wire encodings (truncation, garbage, over-long varints, groups,
 * nesting past protobuf's limit) that must give FMT001 and never crash,
 * and pickles and text that must never probe as protobuf. Run from the
 * top of the source tree (tests/run_all.sh does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "formats/protobuf.h"

/* ---- helpers ------------------------------------------------------------ */

static uint8_t *slurp(const char *path, size_t *n)
{
  FILE *f = fopen(path, "rb");
  uint8_t *buf = NULL;
  long len = 0;
  if(!f)
    fail_msg("cannot open %s (run from the source tree's top)", path);
  if(fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
    fail_msg("cannot size %s", path);
  buf = malloc((size_t)len + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
  fclose(f);
  *n = (size_t)len;
  return buf;
}

enum which { W_ONNX, W_SM };

/* Run one check; the findings' rule ids joined by ',' into out. */
static void run_check(enum which w, const uint8_t *d, size_t n,
                      const char *dir, char *out, size_t outlen)
{
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  struct brinei_arena arena;
  struct brinei_findings f;
  struct brinei_fcheck c;
  assert_non_null(ctx);
  brinei_arena_init(&arena, ctx);
  memset(&f, 0, sizeof(f));
  f.ctx = ctx;
  f.arena = &arena;
  memset(&c, 0, sizeof(c));
  c.ctx = ctx;
  c.f = &f;
  c.member = "";
  c.dir = dir;
  if(w == W_ONNX)
    brinei_onnx_check(&c, d, n);
  else
    brinei_savedmodel_check(&c, d, n);
  out[0] = 0;
  for(size_t i = 0; i < f.n; i++) {
    size_t k = strlen(out);
    snprintf(out + k, outlen - k, "%s%s", k ? "," : "", f.v[i].rule);
    assert_non_null(f.v[i].message);
  }
  assert_false(f.lost);
  brinei_free(ctx, f.v);
  brinei_arena_free(&arena);
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  brine_ctx_free(ctx);
}

static char *check_rules(enum which w, const uint8_t *d, size_t n,
                         const char *dir)
{
  static char buf[4096];
  run_check(w, d, n, dir, buf, sizeof(buf));
  return buf;
}

/* growable byte string for hand-made messages */
struct bs {
  uint8_t *p;
  size_t n;
};

static void bs_add(struct bs *b, const void *s, size_t n)
{
  b->p = realloc(b->p, b->n + n + 1);
  assert_non_null(b->p);
  if(n)
    memcpy(b->p + b->n, s, n);
  b->n += n;
}

static void bs_varint(struct bs *b, uint64_t v)
{
  uint8_t t[10];
  size_t k = 0;
  do {
    t[k] = (uint8_t)(v & 0x7f);
    v >>= 7;
    if(v)
      t[k] |= 0x80;
    k++;
  } while(v);
  bs_add(b, t, k);
}

static void bs_key(struct bs *b, uint32_t num, unsigned wt)
{
  bs_varint(b, (uint64_t)num << 3 | wt);
}

static void bs_len(struct bs *b, uint32_t num, const void *s, size_t n)
{
  bs_key(b, num, PB_LEN);
  bs_varint(b, n);
  bs_add(b, s, n);
}

static void bs_str(struct bs *b, uint32_t num, const char *s)
{
  bs_len(b, num, s, strlen(s));
}

/* wrap b into field `num` of a new message */
static void bs_wrap(struct bs *b, uint32_t num)
{
  struct bs o = { NULL, 0 };
  bs_len(&o, num, b->p, b->n);
  free(b->p);
  *b = o;
}

/* ModelProto { ir_version 8, graph { <graph> } } */
static struct bs onnx_model(const struct bs *graph)
{
  struct bs m = { NULL, 0 };
  bs_key(&m, 1, PB_VARINT);
  bs_varint(&m, 8);
  bs_len(&m, 7, graph->p, graph->n);
  return m;
}

/* ---- the fixtures ------------------------------------------------------- */

static const struct fixture {
  const char *path;
  enum brinei_fmt fmt;
  const char *rules;       /* without the model's directory */
  const char *rules_dir;   /* with it */
} fixtures[] = {
  { "tests/data/onnx/benign/matmul_add.onnx", F_ONNX, "", "" },
  { "tests/data/onnx/benign/if_subgraph.onnx", F_ONNX, "", "" },
  { "tests/data/onnx/benign/com_microsoft.onnx", F_ONNX, "", "" },
  { "tests/data/onnx/benign/local_function.onnx", F_ONNX, "", "" },
  { "tests/data/onnx/benign/ext_ok/model.onnx", F_ONNX, "", "" },
  { "tests/data/onnx/benign/ext_ok/weights.bin", F_UNRECOGNIZED, NULL,
    NULL },
  { "tests/data/onnx/hostile/ext_dotdot.onnx", F_ONNX, "ONX001", "ONX001" },
  { "tests/data/onnx/hostile/ext_absolute.onnx", F_ONNX, "ONX001",
    "ONX001" },
  { "tests/data/onnx/hostile/ext_drive.onnx", F_ONNX, "ONX001", "ONX001" },
  { "tests/data/onnx/hostile/ext_ort_mem_addr.onnx", F_ONNX, "ONX001",
    "ONX001" },
  { "tests/data/onnx/hostile/ext_subdir/model.onnx", F_ONNX, "ONX001",
    "ONX001" },
  { "tests/data/onnx/hostile/ext_symlink/model.onnx", F_ONNX, "",
    "ONX001" },
  { "tests/data/onnx/hostile/pyop_contrib.onnx", F_ONNX, "ONX002",
    "ONX002" },
  { "tests/data/onnx/hostile/custom_domain.onnx", F_ONNX, "ONX003",
    "ONX003" },
  { "tests/data/onnx/hostile/if_hidden_pyop.onnx", F_ONNX, "ONX002",
    "ONX002" },
  { "tests/data/onnx/hostile/function_hidden_domain.onnx", F_ONNX,
    "ONX003", "ONX003" },
  { "tests/data/onnx/hostile/raw_data_mismatch.onnx", F_ONNX, "FMT001",
    "FMT001" },
  { "tests/data/savedmodel/benign/saved_model.pb", F_TF_SAVEDMODEL, "",
    "" },
  { "tests/data/savedmodel/readfile_writefile/saved_model.pb",
    F_TF_SAVEDMODEL, "TFS001,TFS001", "TFS001,TFS001" },
  { "tests/data/savedmodel/pyfunc_in_function/saved_model.pb",
    F_TF_SAVEDMODEL, "TFS001", "TFS001" },
  { "tests/data/savedmodel/loadlibrary/saved_model.pb", F_TF_SAVEDMODEL,
    "TFS001", "TFS001" },
  { "tests/data/savedmodel/lambda_object_graph/saved_model.pb",
    F_TF_SAVEDMODEL, "KRS001", "KRS001" },
  { "tests/data/savedmodel/lambda_keras_metadata/saved_model.pb",
    F_TF_SAVEDMODEL, "", "" },
  { "tests/data/savedmodel/lambda_keras_metadata/keras_metadata.pb",
    F_TF_SAVEDMODEL, "KRS001", "KRS001" },
  { "tests/data/savedmodel/keras_metadata_benign/keras_metadata.pb",
    F_TF_SAVEDMODEL, "", "" },
};

static void test_fixtures(void **state)
{
  (void)state;
  for(size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
    const struct fixture *x = &fixtures[i];
    char dir[512], *slash;
    size_t n;
    uint8_t *d = slurp(x->path, &n);
    enum which w = x->fmt == F_TF_SAVEDMODEL ? W_SM : W_ONNX;
    print_message("%s\n", x->path);
    assert_int_equal(brinei_protobuf_probe(d, n), x->fmt);
    /* neither structure test fires on the other format */
    assert_int_equal(brinei_pb_is_onnx(d, n), x->fmt == F_ONNX);
    assert_int_equal(brinei_pb_is_savedmodel(d, n),
                     x->fmt == F_TF_SAVEDMODEL);
    if(x->rules) {
      snprintf(dir, sizeof(dir), "%s", x->path);
      slash = strrchr(dir, '/');
      assert_non_null(slash);
      *slash = 0;
      assert_string_equal(check_rules(w, d, n, NULL), x->rules);
      assert_string_equal(check_rules(w, d, n, dir), x->rules_dir);
    }
    free(d);
  }
}

/* Findings name what they found. */
static void test_messages(void **state)
{
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  struct brinei_arena arena;
  struct brinei_findings f;
  struct brinei_fcheck c;
  size_t n;
  uint8_t *d = slurp("tests/data/savedmodel/pyfunc_in_function/"
                     "saved_model.pb", &n);
  (void)state;
  brinei_arena_init(&arena, ctx);
  memset(&f, 0, sizeof(f));
  f.ctx = ctx;
  f.arena = &arena;
  memset(&c, 0, sizeof(c));
  c.ctx = ctx;
  c.f = &f;
  c.member = "m";
  brinei_savedmodel_check(&c, d, n);
  assert_int_equal(f.n, 1);
  assert_non_null(strstr(f.v[0].message, "'cb'"));
  assert_non_null(strstr(f.v[0].message, "PyFunc"));
  assert_non_null(strstr(f.v[0].message, "__inference_serve_42"));
  assert_string_equal(f.v[0].member, "m");
  free(d);
  d = slurp("tests/data/onnx/hostile/ext_subdir/model.onnx", &n);
  brinei_onnx_check(&c, d, n);
  assert_int_equal(f.n, 2);
  assert_non_null(strstr(f.v[1].message, "sub/../../outside.bin"));
  assert_non_null(strstr(f.v[1].message, ".."));
  free(d);
  d = slurp("tests/data/onnx/hostile/if_hidden_pyop.onnx", &n);
  brinei_onnx_check(&c, d, n);
  assert_int_equal(f.n, 3);
  assert_non_null(strstr(f.v[2].message, "'hidden'"));
  assert_non_null(strstr(f.v[2].message, "subgraph of node 'if0'"));
  free(d);
  brinei_free(ctx, f.v);
  brinei_arena_free(&arena);
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  brine_ctx_free(ctx);
}

/* Every prefix of every fixture: no crash, and a cut inside a field is
   FMT001. */
static void test_truncated(void **state)
{
  (void)state;
  for(size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
    size_t n;
    uint8_t *d;
    if(fixtures[i].fmt == F_UNRECOGNIZED)
      continue;
    d = slurp(fixtures[i].path, &n);
    for(size_t k = 0; k < n; k++) {
      uint8_t *t = malloc(k + 1);
      assert_non_null(t);
      memcpy(t, d, k);
      (void)brinei_protobuf_probe(t, k);
      (void)check_rules(W_ONNX, t, k, NULL);
      (void)check_rules(W_SM, t, k, NULL);
      free(t);
    }
    /* the last byte belongs to the last field's value */
    assert_non_null(strstr(check_rules(fixtures[i].fmt == F_ONNX ? W_ONNX :
                                       W_SM, d, n - 1, NULL), "FMT001"));
    free(d);
  }
}

static void test_garbage(void **state)
{
  uint32_t x = 12345;
  uint8_t buf[512];
  (void)state;
  for(int round = 0; round < 2000; round++) {
    size_t n = (size_t)(round % 512);
    for(size_t i = 0; i < n; i++) {
      x = x * 1103515245u + 12345u;
      buf[i] = (uint8_t)(x >> 16);
    }
    (void)brinei_protobuf_probe(buf, n);
    (void)check_rules(W_ONNX, buf, n, NULL);
    (void)check_rules(W_SM, buf, n, NULL);
  }
}

static void test_wire(void **state)
{
  struct brinei_rd r;
  struct brinei_pb_field f;
  uint64_t v;
  (void)state;
  /* 11-byte varint, a 10-byte one over 64 bits, the largest one */
  static const uint8_t v11[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                 0xff, 0xff, 0xff, 0x01 };
  static const uint8_t v10big[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                    0xff, 0xff, 0xff, 0x02 };
  static const uint8_t v10max[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                    0xff, 0xff, 0xff, 0x01 };
  static const uint8_t padded[] = { 0x81, 0x80, 0x00 };
  r = brinei_rd_make(v11, sizeof(v11));
  assert_false(brinei_pb_varint(&r, &v, true));
  assert_true(r.bad);
  r = brinei_rd_make(v10big, sizeof(v10big));
  assert_false(brinei_pb_varint(&r, &v, false));
  r = brinei_rd_make(v10big, sizeof(v10big));
  assert_true(brinei_pb_varint(&r, &v, true));    /* as protobuf does */
  r = brinei_rd_make(v10max, sizeof(v10max));
  assert_true(brinei_pb_varint(&r, &v, false));
  assert_true(v == UINT64_MAX);
  r = brinei_rd_make(padded, sizeof(padded));
  assert_true(brinei_pb_varint(&r, &v, false));
  assert_int_equal(v, 1);
  assert_int_equal(r.pos, 3);
  r = brinei_rd_make(v10max, 5);
  assert_false(brinei_pb_varint(&r, &v, false));

  /* fields: number 0, wire types 6/7, groups, LEN past the end */
  r = brinei_rd_make((const uint8_t *)"\x00\x01", 2);
  assert_false(brinei_pb_next(&r, &f));
  assert_true(r.bad);
  assert_non_null(f.err);
  r = brinei_rd_make((const uint8_t *)"\x0e\x01", 2);
  assert_false(brinei_pb_next(&r, &f));
  assert_true(r.bad);
  r = brinei_rd_make((const uint8_t *)"\x0b\x10\x01\x0c", 4);
  assert_false(brinei_pb_next(&r, &f));
  assert_true(r.bad);
  r = brinei_rd_make((const uint8_t *)"\x0b\x10\x01\x0c", 4);
  assert_true(brinei_pb_next_lax(&r, &f));          /* skipped whole */
  assert_int_equal(f.wt, PB_SGROUP);
  assert_false(brinei_pb_next_lax(&r, &f));
  assert_false(r.bad);
  r = brinei_rd_make((const uint8_t *)"\x0b\x10\x01\x14", 4);
  assert_false(brinei_pb_next_lax(&r, &f));         /* wrong end group */
  assert_true(r.bad);
  r = brinei_rd_make((const uint8_t *)"\x0c", 1);
  assert_false(brinei_pb_next_lax(&r, &f));
  assert_true(r.bad);
  r = brinei_rd_make((const uint8_t *)"\x0a\x05" "abcd", 6);
  assert_false(brinei_pb_next(&r, &f));
  assert_true(r.bad);
  r = brinei_rd_make((const uint8_t *)"\x0a\x04" "abcd" "\x15" "1234"
                     "\x19" "12345678", 20);
  assert_true(brinei_pb_next(&r, &f));
  assert_true(f.num == 1 && f.wt == PB_LEN && f.len == 4);
  assert_true(brinei_pb_next(&r, &f));
  assert_true(f.num == 2 && f.wt == PB_I32 && f.v == 0x34333231);
  assert_true(brinei_pb_next(&r, &f));
  assert_true(f.num == 3 && f.wt == PB_I64);
  assert_false(brinei_pb_next(&r, &f));
  assert_false(r.bad);
  /* a key over 32 bits */
  r = brinei_rd_make((const uint8_t *)"\x80\x80\x80\x80\x80\x01\x00", 7);
  assert_false(brinei_pb_next_lax(&r, &f));
  assert_true(r.bad);
}

/* Hostile encodings inside a recognised ONNX model: FMT001, and the probe
   still recognises what protobuf would load. */
static void test_hostile_wire(void **state)
{
  size_t n;
  uint8_t *d = slurp("tests/data/onnx/hostile/pyop_contrib.onnx", &n);
  struct bs b = { NULL, 0 };
  (void)state;
  /* an unknown field is no way out of the checks */
  bs_add(&b, d, n);
  bs_key(&b, 99, PB_VARINT);
  bs_varint(&b, 7);
  assert_int_equal(brinei_protobuf_probe(b.p, b.n), F_ONNX);
  assert_string_equal(check_rules(W_ONNX, b.p, b.n, NULL), "ONX002");
  /* nor an unknown group: protobuf skips it, the check calls it malformed */
  bs_key(&b, 100, PB_SGROUP);
  bs_key(&b, 1, PB_VARINT);
  bs_varint(&b, 1);
  bs_key(&b, 100, PB_EGROUP);
  assert_int_equal(brinei_protobuf_probe(b.p, b.n), F_ONNX);
  assert_string_equal(check_rules(W_ONNX, b.p, b.n, NULL), "ONX002,FMT001");
  free(b.p);
  b.p = NULL;
  b.n = 0;
  /* an over-long varint after the model */
  bs_add(&b, d, n);
  bs_add(&b, "\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12);
  assert_int_equal(brinei_protobuf_probe(b.p, b.n), F_UNRECOGNIZED);
  assert_string_equal(check_rules(W_ONNX, b.p, b.n, NULL), "ONX002,FMT001");
  free(b.p);
  free(d);
  assert_string_equal(check_rules(W_ONNX, (const uint8_t *)"\x08", 1, NULL),
                      "FMT001");
  assert_string_equal(check_rules(W_SM, (const uint8_t *)"\x12\x05\x12", 3,
                                  NULL), "FMT001");
  assert_string_equal(check_rules(W_ONNX, (const uint8_t *)"", 0, NULL), "");
}

/* Subgraphs nest through graph -> node -> attribute -> graph (three
   messages a level). Under protobuf's limit of 100 the bottom node is
   found; over it the model is malformed, and the walk stops there. */
static struct bs nested(unsigned levels, const char *dom)
{
  struct bs g = { NULL, 0 }, node = { NULL, 0 };
  bs_str(&node, 3, "bottom");
  bs_str(&node, 4, "PyOp");
  bs_str(&node, 7, dom);
  bs_len(&g, 1, node.p, node.n);            /* graph { node } */
  free(node.p);
  for(unsigned i = 0; i < levels; i++) {
    bs_wrap(&g, 6);                          /* attribute { g } */
    bs_wrap(&g, 5);                          /* node { attribute } */
    bs_wrap(&g, 1);                          /* graph { node } */
  }
  return g;
}

static void test_depth(void **state)
{
  static const struct {
    unsigned levels;
    const char *rules;
  } cases[] = {
    { 0, "ONX002" }, { 30, "ONX002" }, { 32, "ONX002" }, { 33, "FMT001" },
    { 60, "FMT001" }, { 5000, "FMT001" },
  };
  (void)state;
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct bs g = nested(cases[i].levels, "ai.onnx.contrib"), m;
    m = onnx_model(&g);
    assert_int_equal(brinei_protobuf_probe(m.p, m.n), F_ONNX);
    assert_string_equal(check_rules(W_ONNX, m.p, m.n, NULL),
                        cases[i].rules);
    free(g.p);
    free(m.p);
  }
  /* groups nested past the limit: the probe refuses them, no overflow */
  {
    struct bs b = { NULL, 0 };
    for(int i = 0; i < 100000; i++)
      bs_key(&b, 3, PB_SGROUP);
    assert_int_equal(brinei_protobuf_probe(b.p, b.n), F_UNRECOGNIZED);
    assert_string_equal(check_rules(W_ONNX, b.p, b.n, NULL), "FMT001");
    free(b.p);
  }
}

/* raw_data against dims x element size; other data types and external
   tensors are left alone. */
static void test_raw_data(void **state)
{
  static const struct {
    uint64_t dtype;
    uint64_t dims[3];
    size_t ndims, raw;
    bool bad;
  } cases[] = {
    { 1, { 2, 3 }, 2, 24, false },
    { 1, { 2, 3 }, 2, 23, true },
    { 15, { 2 }, 1, 32, false },
    { 7, { 0, 5 }, 2, 0, false },
    { 7, { 0, 5 }, 2, 8, true },
    { 22, { 3 }, 1, 2, false },      /* INT4: two a byte */
    { 22, { 3 }, 1, 3, true },
    { 8, { 2 }, 1, 7, false },       /* STRING: not fixed-size */
    { 1, { 0 }, 0, 4, false },       /* scalar */
    { 1, { UINT64_MAX }, 1, 4, true },   /* dim -1 */
    { 1, { 1ull << 40, 1ull << 40 }, 2, 4, true },   /* overflow */
  };
  (void)state;
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct bs t = { NULL, 0 }, g = { NULL, 0 }, m;
    uint8_t raw[64];
    memset(raw, 0, sizeof(raw));
    for(size_t k = 0; k < cases[i].ndims; k++) {
      bs_key(&t, 1, PB_VARINT);
      bs_varint(&t, cases[i].dims[k]);
    }
    bs_key(&t, 2, PB_VARINT);
    bs_varint(&t, cases[i].dtype);
    bs_str(&t, 8, "t");
    bs_len(&t, 9, raw, cases[i].raw);
    bs_len(&g, 5, t.p, t.n);
    m = onnx_model(&g);
    assert_string_equal(check_rules(W_ONNX, m.p, m.n, NULL),
                        cases[i].bad ? "FMT001" : "");
    /* the same as EXTERNAL: raw_data is not what is loaded */
    bs_key(&t, 14, PB_VARINT);
    bs_varint(&t, 1);
    free(g.p);
    g.p = NULL;
    g.n = 0;
    bs_len(&g, 5, t.p, t.n);
    free(m.p);
    m = onnx_model(&g);
    assert_string_equal(check_rules(W_ONNX, m.p, m.n, NULL), "");
    free(t.p);
    free(g.p);
    free(m.p);
  }
  /* packed dims */
  {
    struct bs t = { NULL, 0 }, g = { NULL, 0 }, m;
    bs_len(&t, 1, "\x02\x03", 2);
    bs_key(&t, 2, PB_VARINT);
    bs_varint(&t, 2);
    bs_len(&t, 9, "123456", 6);
    bs_len(&g, 5, t.p, t.n);
    m = onnx_model(&g);
    assert_string_equal(check_rules(W_ONNX, m.p, m.n, NULL), "");
    free(t.p);
    free(g.p);
    free(m.p);
  }
}

/* External-data locations one by one. */
static void test_locations(void **state)
{
  static const struct {
    const char *loc;
    size_t len;
    bool bad;
  } cases[] = {
    { "weights.bin", 11, false },
    { "sub/w.bin", 9, false },
    { "a..b/..c", 8, false },
    { "", 0, true },
    { "../w", 4, true },
    { "sub/..", 6, true },
    { "sub/../w", 8, true },
    { "/abs", 4, true },
    { "\\\\server\\share", 14, true },
    { "c:w", 3, true },
    { "a\\b", 3, true },
    { "*/_ORT_MEM_ADDR_/*", 18, true },
    { "w\0.bin", 6, true },
  };
  (void)state;
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct bs e = { NULL, 0 }, t = { NULL, 0 }, g = { NULL, 0 }, m;
    bs_str(&e, 1, "location");
    bs_len(&e, 2, cases[i].loc, cases[i].len);
    bs_str(&t, 8, "w");
    bs_len(&t, 13, e.p, e.n);
    bs_key(&t, 14, PB_VARINT);
    bs_varint(&t, 1);
    bs_len(&g, 5, t.p, t.n);
    m = onnx_model(&g);
    print_message("location %s\n", cases[i].loc);
    assert_string_equal(check_rules(W_ONNX, m.p, m.n, NULL),
                        cases[i].bad ? "ONX001" : "");
    free(e.p);
    free(t.p);
    free(g.p);
    free(m.p);
  }
}

/* ---- what must never probe as protobuf ---------------------------------- */

#define LIT(s) { s, sizeof(s) - 1 }
static const struct {
  const char *s;
  size_t n;
} not_protobuf[] = {
  LIT("(dp0\nS'a'\np1\nI1\nsS'b'\np2\n(lp3\nI2\naI3\nas."),
  LIT("cposix\nsystem\n(S'id'\ntR."),
  LIT("(lp0\nI1\naI2\na."),
  LIT("]q\x00(K\x01K\x02e."),
  LIT("}q\x00(X\x01\x00\x00\x00" "aK\x01u."),
  LIT("S'hello'\np0\n."),
  LIT("Vhello\np0\n."),
  LIT("I42\n."),
  LIT("F1.5\n."),
  LIT("N."),
  LIT("\x80\x02}q\x00X\x01\x00\x00\x00" "aq\x01K\x01s."),
  LIT("\x80\x03]q\x00(K\x01K\x02e."),
  LIT("\x80\x04\x95\x0b\x00\x00\x00\x00\x00\x00\x00"
      "\x8c\x05hello\x94."),
  LIT("\x80\x05\x95\x10\x00\x00\x00\x00\x00\x00\x00"
      "\x8c\x08" "builtins\x94."),
  LIT("\x80\x02" "cposix\nsystem\nq\x00X\x02\x00\x00\x00"
      "idq\x01\x85q\x02Rq\x03."),
  LIT("# README\n\nSome text.\n"),
  LIT("{\"a\": 1}\n"),
  LIT("hello world"),
  LIT("\x08"),
  LIT("\x08\x01"),
  LIT("\x08\x08\x12\x00"),
};

static void probe_file(const char *path)
{
  size_t n;
  uint8_t *d = slurp(path, &n);
  enum brinei_fmt f = brinei_protobuf_probe(d, n);
  if(f != F_UNRECOGNIZED)
    fail_msg("%s probes as %d", path, (int)f);
  free(d);
}

static size_t probe_tree(const char *dir)
{
  DIR *dh = opendir(dir);
  struct dirent *e;
  size_t count = 0;
  if(!dh)
    return 0;
  while((e = readdir(dh)) != NULL) {
    char p[1024];
    struct stat st;
    if(e->d_name[0] == '.')
      continue;
    snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
    if(lstat(p, &st))
      continue;
    if(S_ISDIR(st.st_mode))
      count += probe_tree(p);
    else if(S_ISREG(st.st_mode) && st.st_size < (1 << 24)) {
      probe_file(p);
      count++;
    }
  }
  closedir(dh);
  return count;
}

static void test_not_protobuf(void **state)
{
  (void)state;
  for(size_t i = 0; i < sizeof(not_protobuf) / sizeof(not_protobuf[0]);
      i++) {
    assert_int_equal(brinei_protobuf_probe(
                         (const uint8_t *)not_protobuf[i].s,
                         not_protobuf[i].n), F_UNRECOGNIZED);
  }
  /* every pickle fixture, and the sources as text */
  assert_true(probe_tree("tests/data/pickle") > 10);
  assert_true(probe_tree("src") > 10);
}

/* A file with both structures is checked as both (a polyglot: either
   loader reads it). */
static void test_polyglot(void **state)
{
  size_t n1, n2;
  uint8_t *sm = slurp("tests/data/savedmodel/readfile_writefile/"
                      "saved_model.pb", &n1);
  uint8_t *ox = slurp("tests/data/onnx/hostile/custom_domain.onnx", &n2);
  struct bs b = { NULL, 0 };
  (void)state;
  /* SavedModel fields 1 and 2 plus ONNX's graph (7): ir_version is the
     schema version (1) */
  bs_add(&b, sm, n1);
  {
    struct brinei_rd r = brinei_rd_make(ox, n2);
    struct brinei_pb_field f;
    while(brinei_pb_next(&r, &f))
      if(f.num == 7)
        bs_len(&b, 7, f.p, f.len);
  }
  assert_int_equal(brinei_protobuf_probe(b.p, b.n), F_ONNX);
  assert_string_equal(check_rules(W_ONNX, b.p, b.n, NULL),
                      "ONX003,TFS001,TFS001");
  assert_string_equal(check_rules(W_SM, b.p, b.n, NULL),
                      "TFS001,TFS001,ONX003");
  free(b.p);
  free(sm);
  free(ox);
}

/* Keras metadata JSON: escapes spell "Lambda" too, and text jansson
   refuses (Python's json takes NaN) is searched instead. */
static void test_keras_json(void **state)
{
  static const struct {
    const char *json;
    const char *rules;
  } cases[] = {
    { "{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\"}}", "" },
    { "{\"class_name\": \"\\u004cambda\", \"config\": {\"name\": \"x\"}}",
      "KRS001" },
    { "{\"class_name\": \"Lambda\", \"v\": NaN}", "KRS001" },
    { "{\"layers\": [{\"class_name\": \"Lambda\", \"config\": {\"name\": "
      "\"a\"}}, {\"class_name\": \"Lambda\", \"config\": {\"name\": "
      "\"b\"}}, {\"class_name\": \"Lambda\", \"config\": {\"name\": "
      "\"a\"}}]}", "KRS001,KRS001" },
    { "{\"doc\": \"mentions Lambda\"}", "" },
  };
  (void)state;
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct bs b = { NULL, 0 };
    bs_str(&b, 3, cases[i].json);            /* SavedUserObject */
    bs_wrap(&b, 4);                          /* SavedObject */
    bs_wrap(&b, 1);                          /* SavedObjectGraph */
    bs_wrap(&b, 7);                          /* MetaGraphDef */
    if(i % 2)
      bs_len(&b, 2, "", 0);                  /* an empty graph_def */
    bs_wrap(&b, 2);                          /* SavedModel */
    assert_int_equal(brinei_protobuf_probe(b.p, b.n), F_TF_SAVEDMODEL);
    assert_string_equal(check_rules(W_SM, b.p, b.n, NULL), cases[i].rules);
    free(b.p);
  }
}

/* Every allocation failing in turn: no crash, nothing leaked. */
static void test_nomem(void **state)
{
  size_t n;
  uint8_t *d = slurp("tests/data/savedmodel/lambda_object_graph/"
                     "saved_model.pb", &n);
  size_t n2;
  uint8_t *d2 = slurp("tests/data/onnx/hostile/custom_domain.onnx", &n2);
  (void)state;
  for(uint64_t k = 1; k < 40; k++) {
    struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
    struct brinei_arena arena;
    struct brinei_findings f;
    struct brinei_fcheck c;
    brinei_arena_init(&arena, ctx);
    memset(&f, 0, sizeof(f));
    f.ctx = ctx;
    f.arena = &arena;
    memset(&c, 0, sizeof(c));
    c.ctx = ctx;
    c.f = &f;
    c.member = "";
    brine_ctx_fail_alloc_after(ctx, k);
    brinei_savedmodel_check(&c, d, n);
    brinei_onnx_check(&c, d2, n2);
    brinei_free(ctx, f.v);
    brinei_arena_free(&arena);
    assert_int_equal(brine_ctx_mem_used(ctx), 0);
    brine_ctx_free(ctx);
  }
  free(d);
  free(d2);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_fixtures),
    cmocka_unit_test(test_messages),
    cmocka_unit_test(test_truncated),
    cmocka_unit_test(test_garbage),
    cmocka_unit_test(test_wire),
    cmocka_unit_test(test_hostile_wire),
    cmocka_unit_test(test_depth),
    cmocka_unit_test(test_raw_data),
    cmocka_unit_test(test_locations),
    cmocka_unit_test(test_not_protobuf),
    cmocka_unit_test(test_polyglot),
    cmocka_unit_test(test_keras_json),
    cmocka_unit_test(test_nomem),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
