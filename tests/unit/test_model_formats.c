/* formats/npy.c, keras.c, h5child.c, skops.c: every fixture of
 * tools/gen_model_fixtures.py (tests/data/{npy,keras,skops}/) with its
 * exact result, inline hostile headers and configs, and the isolated
 * HDF5 reader's failure paths (timeout, crash, memory, garbage). Run from
 * the top of the tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/formats.h"

/* h5child.c's test hook (not in formats.h) */
void brinei_h5_test_hook(int mode, unsigned wall_s);

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

static uint8_t *slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  uint8_t *b;
  long n;
  if(!f)
    fail_msg("cannot open %s (run from the top of the tree)", path);
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  n = ftell(f);
  assert_true(n >= 0);
  rewind(f);
  b = malloc((size_t)n + 1);
  assert_non_null(b);
  assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *len = (size_t)n;
  return b;
}

/* ---- a place for findings ---------------------------------------------- */

struct fx {
  struct brine_ctx *ctx;
  struct brinei_arena arena;
  struct brinei_findings f;
  struct brinei_fcheck c;
};

static void fx_init(struct fx *x)
{
  memset(x, 0, sizeof(*x));
  x->ctx = brine_ctx_new(NULL, NULL);
  assert_non_null(x->ctx);
  brinei_arena_init(&x->arena, x->ctx);
  x->f.ctx = x->ctx;
  x->f.arena = &x->arena;
  x->c.ctx = x->ctx;
  x->c.pol = pol;
  x->c.f = &x->f;
  x->c.member = "";
}

static void fx_free(struct fx *x)
{
  brinei_free(x->ctx, x->f.v);
  brinei_free(x->ctx, x->f.members);
  brinei_arena_free(&x->arena);
  assert_int_equal(brine_ctx_mem_used(x->ctx), 0);
  brine_ctx_free(x->ctx);
}

static size_t count(const struct fx *x, const char *rule)
{
  size_t n = 0;
  for(size_t i = 0; i < x->f.n; i++)
    n += !strcmp(x->f.v[i].rule, rule);
  return n;
}

static bool has_msg(const struct fx *x, const char *rule, const char *sub)
{
  for(size_t i = 0; i < x->f.n; i++)
    if(!strcmp(x->f.v[i].rule, rule) && strstr(x->f.v[i].message, sub))
      return true;
  return false;
}

static void dump(const struct fx *x)
{
  for(size_t i = 0; i < x->f.n; i++)
    print_message("  %s %s\n", x->f.v[i].rule, x->f.v[i].message);
}

/* Expect exactly these counts of the five rules a config can raise. */
static void expect(const struct fx *x, size_t k1, size_t k2, size_t k3,
                   size_t fmt1, size_t fmt5)
{
  size_t total = k1 + k2 + k3 + fmt1 + fmt5;
  if(count(x, "KRS001") != k1 || count(x, "KRS002") != k2 ||
     count(x, "KRS003") != k3 || count(x, "FMT001") != fmt1 ||
     count(x, "FMT005") != fmt5 || x->f.n != total) {
    dump(x);
    fail_msg("want KRS001=%zu KRS002=%zu KRS003=%zu FMT001=%zu FMT005=%zu",
             k1, k2, k3, fmt1, fmt5);
  }
}

/* ---- npy --------------------------------------------------------------- */

static const struct npy_case {
  const char *file;
  int major;
  const char *descr;
  bool structured, has_object, fortran;
  unsigned ndim;
  uint64_t dim0, itemsize, data_len;
  size_t data_off;
} npy_good[] = {
  { "f4.npy", 1, "<f4", false, false, false, 1, 5, 4, 20, 128 },
  { "i8_2d.npy", 1, "<i8", false, false, false, 2, 2, 8, 48, 128 },
  { "bool.npy", 1, "|b1", false, false, false, 1, 3, 1, 3, 128 },
  { "unicode.npy", 1, "<U5", false, false, false, 1, 2, 20, 40, 128 },
  { "bytes.npy", 1, "|S5", false, false, false, 1, 2, 5, 10, 128 },
  { "datetime.npy", 1, "<M8[ns]", false, false, false, 1, 1, 8, 8, 128 },
  { "scalar.npy", 1, "<f8", false, false, false, 0, 0, 8, 8, 128 },
  { "empty.npy", 1, ">i2", false, false, false, 2, 0, 2, 0, 128 },
  { "fortran.npy", 1, "<f8", false, false, true, 2, 2, 8, 48, 128 },
  { "structured.npy", 1, "", true, false, false, 1, 2, 20, 40, 128 },
  { "nested.npy", 1, "", true, false, false, 1, 1, 9, 9, 192 },
  { "v2.npy", 2, "<i4", false, false, false, 1, 3, 4, 12, 128 },
  { "v3.npy", 3, "", true, false, false, 1, 2, 2, 4, 128 },
  { "object.npy", 1, "|O", false, true, false, 1, 2, 0, 0, 128 },
  { "struct_object.npy", 1, "", true, true, false, 1, 1, 0, 0, 128 },
};

static void test_npy_fixtures(void **state)
{
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  (void)state;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(npy_good); i++) {
    const struct npy_case *k = &npy_good[i];
    char path[256];
    size_t len;
    uint8_t *d;
    struct brinei_npy n;
    brine_result rc;
    snprintf(path, sizeof(path), "tests/data/npy/%s", k->file);
    d = slurp(path, &len);
    rc = brinei_npy_parse(ctx, d, len, &n);
    if(rc)
      fail_msg("%s: %s", k->file, brine_last_error(ctx)->message);
    assert_int_equal(n.major, k->major);
    assert_int_equal(n.minor, 0);
    assert_string_equal(n.descr, k->descr);
    assert_int_equal(n.structured, k->structured);
    assert_int_equal(n.has_object, k->has_object);
    assert_int_equal(n.fortran, k->fortran);
    assert_int_equal(n.ndim, k->ndim);
    if(k->ndim)
      assert_int_equal(n.shape[0], k->dim0);
    assert_int_equal(n.itemsize, k->itemsize);
    assert_int_equal(n.data_len, k->data_len);
    assert_int_equal(n.data_off, k->data_off);
    assert_int_equal(n.data_off, (n.major == 1 ? 10 : 12) + n.header_len);
    if(!k->has_object)  /* the file is exactly header + data */
      assert_int_equal(len, n.data_off + n.data_len);
    free(d);
  }
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  brine_ctx_free(ctx);
}

static const struct { const char *file, *msg; } npy_bad[] = {
  { "h_overflow.npy", "overflows" },
  { "h_badkey.npy", "unexpected key 'desc'" },
  { "h_extrakey.npy", "unexpected key 'x'" },
  { "h_dupkey.npy", "duplicate key 'descr'" },
  { "h_nonl.npy", "does not end in '\\n'" },
  { "h_hlen_past.npy", "runs past the end" },
  { "h_v1_big.npy", "exceeds 10000 bytes" },
  { "h_eval.npy", "name '__import__'" },
  { "h_negdim.npy", "negative dimension" },
  { "h_notuple.npy", "shape is not a tuple" },
  { "h_badver.npy", "unsupported format version 4.0" },
  { "h_baddescr.npy", "descr" },
  { "h_truncated.npy", "truncated" },
};

static void test_npy_hostile(void **state)
{
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  (void)state;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(npy_bad); i++) {
    char path[256];
    size_t len;
    uint8_t *d;
    struct brinei_npy n;
    snprintf(path, sizeof(path), "tests/data/npy/%s", npy_bad[i].file);
    d = slurp(path, &len);
    assert_int_equal(brinei_npy_parse(ctx, d, len, &n), BRINE_E_MALFORMED);
    if(!strstr(brine_last_error(ctx)->message, npy_bad[i].msg))
      fail_msg("%s: '%s' lacks '%s'", npy_bad[i].file,
               brine_last_error(ctx)->message, npy_bad[i].msg);
    free(d);
  }
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  brine_ctx_free(ctx);
}

/* A v1 (or v3) .npy whose header is `h` verbatim. */
static brine_result npy_text(struct brine_ctx *ctx, int major, const char *h,
                             size_t hn, struct brinei_npy *n)
{
  uint8_t buf[512];
  size_t off = major == 1 ? 10 : 12;
  assert_true(hn + off <= sizeof(buf));
  memcpy(buf, "\x93NUMPY", 6);
  buf[6] = (uint8_t)major;
  buf[7] = 0;
  buf[8] = (uint8_t)hn;
  buf[9] = (uint8_t)(hn >> 8);
  buf[10] = buf[11] = 0;
  memcpy(buf + off, h, hn);
  return brinei_npy_parse(ctx, buf, off + hn, n);
}

#define NPY1(h, n) npy_text(ctx, 1, h, sizeof(h) - 1, n)

static void test_npy_inline(void **state)
{
  static const struct { const char *h; brine_result rc; const char *msg; }
  c[] = {
    { "{'descr':'<f4','fortran_order':False,'shape':(2,)}\n", BRINE_OK, "" },
    { "  {\"shape\": (), \"descr\": \"<i1\", \"fortran_order\": True,}"
      "   \n\n", BRINE_OK, "" },
    { "{'descr':'<i2','fortran_order':False,'shape':(3L,)}\n", BRINE_OK,
      "" },
    { "{'descr':'<f4','fortran_order':False,'shape':((2,))}\n", BRINE_OK,
      "" },
    { "{'descr':'<f4','fortran_order':False,'shape':(2,3,),}\n", BRINE_OK,
      "" },
    { "{'descr':[('a','<i4'),(('t','b'),'|u1',3),('','|V3')],"
      "'fortran_order':False,'shape':(1,)}\n", BRINE_OK, "" },
    { "{'descr':('<f4',(2,2)),'fortran_order':False,'shape':(1,)}\n",
      BRINE_OK, "" },
    { "{'descr':'<\\x66\\u0034','fortran_order':False,'shape':(2,)}\n",
      BRINE_OK, "" },
    { "{'descr':'<f4','fortran_order':False,'shape':(05,)}\n",
      BRINE_E_MALFORMED, "leading zero" },
    { "{'descr':'<f4','fortran_order':False,'shape':(0x5,)}\n",
      BRINE_E_MALFORMED, "plain decimal" },
    { "{'descr':'<f4','fortran_order':False,'shape':(True,)}\n",
      BRINE_E_MALFORMED, "non-integer" },
    { "{'descr':'<f4','fortran_order':0,'shape':(1,)}\n",
      BRINE_E_MALFORMED, "fortran_order" },
    { "{'descr':'<f4' '','fortran_order':False,'shape':(1,)}\n",
      BRINE_E_MALFORMED, "adjacent" },
    { "{'descr':'<f4','fortran_order':False,'shape':(1,)} # x\n",
      BRINE_E_MALFORMED, "text after" },
    { "{'descr':'<f4','fortran_order':False,'shape':(1,)},\n",
      BRINE_E_MALFORMED, "text after" },
    { "{'descr':'<f4,'fortran_order':False,'shape':(1,)}\n",
      BRINE_E_MALFORMED, "" },
    { "{'descr':'<f4','fortran_order':False,'shape':(1,)\n",
      BRINE_E_MALFORMED, "unclosed" },
    { "{'descr','<f4'}\n", BRINE_E_MALFORMED, "expected ':'" },
    { "['descr','<f4']\n", BRINE_E_MALFORMED, "start with '{'" },
    { "{'descr':'<f3','fortran_order':False,'shape':(1,)}\n",
      BRINE_E_MALFORMED, "float descr size" },
    { "{'descr':'<f4x','fortran_order':False,'shape':(1,)}\n",
      BRINE_E_MALFORMED, "written form" },
    { "{'descr':'\\q','fortran_order':False,'shape':(1,)}\n",
      BRINE_E_MALFORMED, "escape" },
    { "{'descr':'<U4611686018427387904','fortran_order':False,"
      "'shape':(1,)}\n", BRINE_E_MALFORMED, "too large" },
    { "{'descr':'<f4','fortran_order':False,"
      "'shape':(99999999999999999999,)}\n", BRINE_E_MALFORMED, "too large" },
    { "{'descr':[('a','<i4',(-1,))],'fortran_order':False,'shape':(1,)}\n",
      BRINE_E_MALFORMED, "negative" },
    { "{'descr':[('a',)],'fortran_order':False,'shape':(1,)}\n",
      BRINE_E_MALFORMED, "2- or 3-tuple" },
    { "{'descr':[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
      "[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
      "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],'fortran_order':False,"
      "'shape':(1,)}\n", BRINE_E_MALFORMED, "too deep" },
    { "{'descr':'<f4','fortran_order':False,'shape':(1,1,1,1,1,1,1,1,1,1,1,"
      "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1)}\n", BRINE_E_MALFORMED,
      "32 dimensions" },
    { "{'descr':'<f4','fortran_order':None,'shape':(1,)}\n",
      BRINE_E_MALFORMED, "name 'None'" },
    { "", BRINE_E_MALFORMED, "end in" },
  };
  static const char latin[] = "{'descr':[('\xff','<i4')],"
                              "'fortran_order':False,'shape':(1,)}\n";
  static const char nul[] = "{'descr':'<f4','fortran_order':False,"
                            "'shape':(1,)}\0\n";
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  struct brinei_npy n;
  (void)state;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(c); i++) {
    brine_result rc = npy_text(ctx, 1, c[i].h, strlen(c[i].h), &n);
    if(rc != c[i].rc || (rc && !strstr(brine_last_error(ctx)->message,
                                       c[i].msg)))
      fail_msg("case %zu: rc %d '%s'", i, rc,
               rc ? brine_last_error(ctx)->message : "");
  }
  /* details of accepted ones */
  assert_int_equal(NPY1("{'descr':[('a','<i4'),(('t','b'),'|u1',3),"
                        "('','|V3')],'fortran_order':False,'shape':(2,)}\n",
                        &n), BRINE_OK);
  assert_true(n.structured);
  assert_int_equal(n.itemsize, 10);
  assert_int_equal(n.data_len, 20);
  assert_int_equal(NPY1("{'descr':('<f4',(2,2)),'fortran_order':False,"
                        "'shape':(3,)}\n", &n), BRINE_OK);
  assert_int_equal(n.itemsize, 16);
  assert_int_equal(n.data_len, 48);
  assert_int_equal(NPY1("{'descr':'<\\x66\\u0034','fortran_order':False,"
                        "'shape':(2,)}\n", &n), BRINE_OK);
  assert_string_equal(n.descr, "<f4");
  assert_int_equal(NPY1("{'descr':'<f4','fortran_order':False,"
                        "'shape':((2,))}\n", &n), BRINE_OK);
  assert_int_equal(n.ndim, 1);
  assert_int_equal(NPY1("{'descr':[('o','|O',(4,))],'fortran_order':False,"
                        "'shape':(9,)}\n", &n), BRINE_OK);
  assert_true(n.has_object);
  assert_int_equal(n.data_len, 0);
  /* v3 must be UTF-8; v1 is latin1 (any byte inside a string) */
  assert_int_equal(npy_text(ctx, 3, latin, sizeof(latin) - 1, &n),
                   BRINE_E_MALFORMED);
  assert_non_null(strstr(brine_last_error(ctx)->message, "UTF-8"));
  assert_int_equal(npy_text(ctx, 1, latin, sizeof(latin) - 1, &n), BRINE_OK);
  assert_int_equal(npy_text(ctx, 1, nul, sizeof(nul) - 1, &n),
                   BRINE_E_MALFORMED);
  assert_non_null(strstr(brine_last_error(ctx)->message, "NUL"));
  /* a shape product that fits but times the item size does not */
  assert_int_equal(NPY1("{'descr':'<U1000','fortran_order':False,"
                        "'shape':(4611686018427387,)}\n", &n),
                   BRINE_E_MALFORMED);
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  /* out of memory is a result, not a crash (36 literals: 3 growths) */
  for(uint64_t k = 1; k < 4; k++) {
    brine_ctx_fail_alloc_after(ctx, k);
    assert_int_equal(NPY1("{'descr':'<f4','fortran_order':False,'shape':(1,"
                          "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
                          "1,1,1,1)}\n", &n), BRINE_E_NOMEM);
  }
  brine_ctx_fail_alloc_after(ctx, 0);
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  brine_ctx_free(ctx);
}

/* ---- Keras configs ------------------------------------------------------ */

static void keras_json(const char *where, const char *json, size_t k1,
                       size_t k2, size_t k3, size_t fmt1)
{
  struct fx x;
  fx_init(&x);
  brinei_keras_check_config(&x.c, where, (const uint8_t *)json,
                            strlen(json));
  if(count(&x, "KRS001") != k1 || count(&x, "KRS002") != k2 ||
     count(&x, "KRS003") != k3 || count(&x, "FMT001") != fmt1 ||
     x.f.n != k1 + k2 + k3 + fmt1) {
    dump(&x);
    fail_msg("%s: want %zu/%zu/%zu/%zu", json, k1, k2, k3, fmt1);
  }
  fx_free(&x);
}

/* The bytes of one member of a zip fixture (malloc'd). */
static uint8_t *zip_member(const char *path, const char *name, size_t *n,
                           char ***names, size_t *nnames)
{
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  struct brinei_zip *z = NULL;
  size_t len;
  uint8_t *d = slurp(path, &len), *res = NULL;
  assert_int_equal(brinei_zip_open(ctx, d, len, &z), BRINE_OK);
  if(names) {
    *names = calloc(z->n + 1, sizeof(char *));
    *nnames = z->n;
  }
  for(size_t i = 0; i < z->n; i++) {
    if(names)
      (*names)[i] = strdup(z->e[i].name);
    if(!strcmp(z->e[i].name, name)) {
      const uint8_t *p;
      uint8_t *owned = NULL;
      uint32_t crc;
      assert_int_equal(brinei_zip_read(z, i, 1 << 24, &p, n, &owned, &crc),
                       BRINE_OK);
      res = malloc(*n + 1);
      memcpy(res, p, *n);
      brinei_free(ctx, owned);
    }
  }
  brinei_zip_free(z);
  brine_ctx_free(ctx);
  free(d);
  if(!res)
    fail_msg("%s has no %s", path, name);
  return res;
}

static void free_names(char **names, size_t n)
{
  for(size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
}

static const struct { const char *file; size_t k1, k2, k3; } keras_zips[] = {
  { "benign.keras", 0, 0, 0 },
  { "functional.keras", 0, 0, 0 },
  { "lambda.keras", 1, 0, 0 },
  { "cve_2025_1550.keras", 1, 2, 0 },   /* heapq.nlargest, os.system */
  { "builtins_exec.keras", 0, 1, 0 },
  { "cve_2025_9906.keras", 2, 1, 0 },   /* two Lambda layers, the API */
  { "load_model.keras", 1, 1, 0 },
  { "custom_registered.keras", 0, 0, 1 },
  { "custom_module.keras", 0, 1, 1 },
};

static void test_keras_zips(void **state)
{
  (void)state;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(keras_zips); i++) {
    char path[256];
    size_t n;
    uint8_t *cfg;
    struct fx x;
    snprintf(path, sizeof(path), "tests/data/keras/%s", keras_zips[i].file);
    cfg = zip_member(path, "config.json", &n, NULL, NULL);
    fx_init(&x);
    brinei_keras_check_config(&x.c, "config.json", cfg, n);
    print_message("%s: %zu finding(s)\n", keras_zips[i].file, x.f.n);
    expect(&x, keras_zips[i].k1, keras_zips[i].k2, keras_zips[i].k3, 0, 0);
    fx_free(&x);
    free(cfg);
  }
}

static void test_keras_messages(void **state)
{
  struct fx x;
  size_t n;
  uint8_t *cfg = zip_member("tests/data/keras/cve_2025_1550.keras",
                            "config.json", &n, NULL, NULL);
  (void)state;
  fx_init(&x);
  brinei_keras_check_config(&x.c, "config.json", cfg, n);
  /* messages name the JSON path and the object */
  assert_true(has_msg(&x, "KRS001", "config.layers[1]"));
  assert_true(has_msg(&x, "KRS002", "config.layers[1].config.arguments.key"));
  assert_true(has_msg(&x, "KRS002", "module 'os'"));
  for(size_t i = 0; i < x.f.n; i++)
    if(!strcmp(x.f.v[i].rule, "KRS002"))
      assert_non_null(x.f.v[i].global);
  fx_free(&x);
  free(cfg);
  cfg = zip_member("tests/data/keras/cve_2025_9906.keras", "config.json", &n,
                   NULL, NULL);
  fx_init(&x);
  brinei_keras_check_config(&x.c, "config.json", cfg, n);
  assert_true(has_msg(&x, "KRS002",
                      "keras.config.enable_unsafe_deserialization"));
  fx_free(&x);
  free(cfg);
}

static void test_keras_inline(void **state)
{
  (void)state;
  /* Keras built-in functions and special nodes */
  keras_json("config.json", "{\"module\":\"builtins\",\"class_name\":"
             "\"function\",\"config\":\"relu\",\"registered_name\":\"relu\"}",
             0, 0, 0, 0);
  keras_json("config.json", "{\"module\":\"keras.activations\",\"class_name\":"
             "\"function\",\"config\":\"gelu\",\"registered_name\":\"gelu\"}",
             0, 0, 0, 0);
  keras_json("config.json", "{\"class_name\":\"__typespec__\",\"spec_name\":"
             "\"TensorSpec\",\"module\":\"tensorflow.python.framework."
             "tensor_spec\",\"config\":[[null,2],\"float32\",null],"
             "\"registered_name\":null}", 0, 0, 0, 0);
  keras_json("config.json", "{\"module\":\"keras.trainers.compile_utils\","
             "\"class_name\":\"MetricsList\",\"config\":{},"
             "\"registered_name\":\"MetricsList\"}", 0, 0, 0, 0);
  keras_json("config.json", "{\"module\":null,\"class_name\":\"function\","
             "\"config\":\"my_fn\",\"registered_name\":\"my_fn\"}",
             0, 0, 1, 0);
  /* builtins beyond Keras' own names: CVE-2025-1550 in Keras < 3.9 */
  keras_json("config.json", "{\"module\":\"builtins\",\"class_name\":"
             "\"function\",\"config\":\"eval\"}", 0, 1, 0, 0);
  keras_json("config.json", "{\"module\":\"tensorflow.python.ops.gen_io_ops\","
             "\"class_name\":\"function\",\"config\":\"write_file\"}",
             0, 1, 0, 0);
  keras_json("config.json", "{\"module\":\"keras.src.utils.file_utils\","
             "\"class_name\":\"function\",\"config\":\"get_file\"}",
             0, 1, 0, 0);
  keras_json("config.json", "{\"module\":\"keras.layers\",\"class_name\":"
             "\"TFSMLayer\",\"config\":{\"filepath\":\"/x\"}}", 0, 1, 0, 0);
  keras_json("config.json", "{\"module\":\"keras.saving\",\"class_name\":"
             "\"function\",\"config\":\"deserialize_keras_object\"}",
             0, 1, 0, 0);
  /* tf.keras 2 legacy forms */
  keras_json("model_config", "{\"class_name\":\"TFOpLambda\",\"config\":"
             "{\"function\":\"math.add\"}}", 1, 0, 0, 0);
  keras_json("model_config", "{\"class_name\":\"Lambda\",\"config\":{"
             "\"function\":\"system\",\"function_type\":\"function\","
             "\"module\":\"os\"}}", 1, 1, 0, 0);
  keras_json("model_config", "{\"class_name\":\"Wrapped\",\"config\":{"
             "\"function\":[\"4wAAAA==\",null,null],\"module\":\"x\"}}",
             1, 0, 1, 0);
  keras_json("model_config", "{\"class_name\":\"Dense\",\"config\":{"
             "\"output_shape\":[\"4wAA\",null,null],\"output_shape_type\":"
             "\"lambda\"}}", 1, 0, 0, 0);
  keras_json("model_config", "{\"class_name\":\"MyLayer\",\"config\":{}}",
             0, 0, 1, 0);
  keras_json("model_config", "{\"class_name\":\"Sequential\",\"config\":{"
             "\"layers\":[{\"class_name\":\"Custom>Adam\",\"config\":{}}]}}",
             0, 0, 0, 0);
  keras_json("config.json", "{\"module\":\"keras.optimizers\",\"class_name\":"
             "\"Adam\",\"config\":{},\"registered_name\":\"Evil>Adam\"}",
             0, 0, 1, 0);
  keras_json("config.json", "{\"module\":\"keras_hub.src.models.gemma\","
             "\"class_name\":\"GemmaBackbone\",\"config\":{},"
             "\"registered_name\":\"keras_hub>GemmaBackbone\"}", 0, 0, 0, 0);
  keras_json("config.json", "{\"module\":\"keras_hub.src.models.gemma\","
             "\"class_name\":\"GemmaBackbone\",\"config\":{},"
             "\"registered_name\":\"keras_hubx>GemmaBackbone\"}",
             0, 0, 1, 0);
  /* training_config names */
  keras_json("training_config", "{\"loss\":\"mse\",\"metrics\":[\"accuracy\","
             "[\"mae\"]],\"weighted_metrics\":null}", 0, 0, 0, 0);
  keras_json("training_config", "{\"loss\":{\"out\":\"my_loss\"},"
             "\"metrics\":[\"my_metric\"]}", 0, 0, 2, 0);
  /* malformed */
  keras_json("config.json", "{\"a\":1,\"a\":2}", 0, 0, 0, 1);
  keras_json("config.json", "{\"a\":", 0, 0, 0, 1);
  keras_json("config.json", "[1,2]", 0, 0, 0, 1);
  keras_json("config.json", "{\"x\":NaN}", 0, 0, 0, 1);
  keras_json("training_config", "null", 0, 0, 0, 0);
  keras_json("config.json", "", 0, 0, 0, 1);
}

static void test_keras_deep(void **state)
{
  char *j = malloc(4096);
  struct fx x;
  size_t n = 0;
  (void)state;
  n += (size_t)sprintf(j + n, "{\"a\":");
  for(int i = 0; i < 300; i++)
    j[n++] = '[';
  for(int i = 0; i < 300; i++)
    j[n++] = ']';
  n += (size_t)sprintf(j + n, ",\"b\":{\"class_name\":\"Lambda\"}}");
  fx_init(&x);
  brinei_keras_check_config(&x.c, "config.json", (const uint8_t *)j, n);
  assert_int_equal(count(&x, "FMT002"), 1);
  assert_int_equal(count(&x, "KRS001"), 1);   /* the walk went on */
  fx_free(&x);
  free(j);
}

/* ---- HDF5 through the child -------------------------------------------- */

static void h5_file(const char *file, bool want_keras, size_t k1, size_t k2,
                    size_t k3)
{
  char path[256];
  size_t len;
  uint8_t *d;
  struct fx x;
  bool is_keras = !want_keras;
  snprintf(path, sizeof(path), "tests/data/keras/%s", file);
  d = slurp(path, &len);
  fx_init(&x);
  brinei_h5_check(&x.c, d, len, &is_keras);
  print_message("%s: %zu finding(s)\n", file, x.f.n);
  expect(&x, k1, k2, k3, 0, 0);
  assert_int_equal(is_keras, want_keras);
  fx_free(&x);
  free(d);
}

static void test_h5_fixtures(void **state)
{
  (void)state;
  h5_file("benign_seq.h5", true, 0, 0, 0);
  h5_file("fixed_str.h5", true, 0, 0, 0);
  h5_file("lambda_tfkeras.h5", true, 1, 0, 0);
  h5_file("custom_module.h5", true, 0, 1, 0);
  h5_file("no_config.h5", false, 0, 0, 0);
}

static void h5_bytes_bad(const uint8_t *d, size_t len)
{
  struct fx x;
  bool is_keras = true;
  fx_init(&x);
  brinei_h5_check(&x.c, d, len, &is_keras);
  assert_false(is_keras);
  assert_true(count(&x, "FMT001") + count(&x, "FMT005") >= 1);
  fx_free(&x);
}

static void test_h5_corrupt(void **state)
{
  size_t len;
  uint8_t *d = slurp("tests/data/keras/truncated.h5", &len);
  uint8_t junk[4096];
  (void)state;
  h5_bytes_bad(d, len);
  free(d);
  memset(junk, 0xa5, sizeof(junk));
  memcpy(junk, "\x89HDF\r\n\x1a\n", 8);
  h5_bytes_bad(junk, sizeof(junk));
  h5_bytes_bad(junk, 8);
  /* every byte of the superblock region flipped in turn */
  d = slurp("tests/data/keras/benign_seq.h5", &len);
  for(size_t i = 8; i < 96; i += 7) {
    struct fx x;
    bool is_keras;
    d[i] ^= 0xff;
    fx_init(&x);
    brinei_h5_check(&x.c, d, len, &is_keras);
    assert_int_equal(count(&x, "KRS001") + count(&x, "KRS002"), 0);
    fx_free(&x);
    d[i] ^= 0xff;
  }
  free(d);
}

static void h5_misbehave(int mode, const char *msg)
{
  size_t len;
  uint8_t *d = slurp("tests/data/keras/benign_seq.h5", &len);
  struct fx x;
  bool is_keras = true;
  brinei_h5_test_hook(mode, 1);
  fx_init(&x);
  brinei_h5_check(&x.c, d, len, &is_keras);
  brinei_h5_test_hook(0, 0);
  if(count(&x, "FMT005") != 1 || !has_msg(&x, "FMT005", msg) ||
     x.f.n != 1) {
    dump(&x);
    fail_msg("mode %d: want FMT005 '%s'", mode, msg);
  }
  assert_false(is_keras);
  fx_free(&x);
  free(d);
}

static void test_h5_isolation(void **state)
{
  (void)state;
  h5_misbehave(1, "timed out after 1 s");
  h5_misbehave(2, "crashed (signal 11)");
  h5_misbehave(3, "");   /* killed, or exited on allocation failure */
  h5_misbehave(4, "malformed output");
  h5_misbehave(5, "exited with status 3");
  /* and the defaults are back */
  h5_file("lambda_tfkeras.h5", true, 1, 0, 0);
}

/* ---- skops ------------------------------------------------------------ */

static void skops_file(const char *file, size_t s1, size_t s2, size_t fmt1)
{
  char path[256];
  char **names;
  size_t n, nn;
  uint8_t *schema;
  struct fx x;
  snprintf(path, sizeof(path), "tests/data/skops/%s", file);
  schema = zip_member(path, "schema.json", &n, &names, &nn);
  fx_init(&x);
  brinei_skops_check(&x.c, schema, n, (const char *const *)names, nn);
  print_message("%s: %zu finding(s)\n", file, x.f.n);
  if(count(&x, "SKP001") != s1 || count(&x, "SKP002") != s2 ||
     count(&x, "FMT001") != fmt1 || x.f.n != s1 + s2 + fmt1) {
    dump(&x);
    fail_msg("%s: want SKP001=%zu SKP002=%zu FMT001=%zu", file, s1, s2,
             fmt1);
  }
  fx_free(&x);
  free(schema);
  free_names(names, nn);
}

static void test_skops_fixtures(void **state)
{
  (void)state;
  skops_file("benign.skops", 0, 0, 0);
  skops_file("os_system.skops", 1, 0, 0);
  skops_file("builtins_eval.skops", 1, 0, 0);
  skops_file("untrusted.skops", 0, 1, 0);
  skops_file("missing_npy.skops", 0, 0, 1);
  skops_file("method.skops", 2, 0, 0);
  skops_file("operator.skops", 1, 0, 0);
}

static void skops_json(const char *json, size_t s1, size_t s2, size_t fmt1,
                       size_t fmt2)
{
  static const char *const names[] = { "0.npy", "a.bin" };
  struct fx x;
  fx_init(&x);
  brinei_skops_check(&x.c, (const uint8_t *)json, strlen(json), names, 2);
  if(count(&x, "SKP001") != s1 || count(&x, "SKP002") != s2 ||
     count(&x, "FMT001") != fmt1 || count(&x, "FMT002") != fmt2 ||
     x.f.n != s1 + s2 + fmt1 + fmt2) {
    dump(&x);
    fail_msg("%s: want %zu/%zu/%zu/%zu", json, s1, s2, fmt1, fmt2);
  }
  fx_free(&x);
}

#define N(c, m, l) "{\"__class__\":\"" c "\",\"__module__\":\"" m \
                   "\",\"__loader__\":\"" l "\""

static void test_skops_inline(void **state)
{
  (void)state;
  skops_json(N("sqrt", "numpy", "FunctionNode") "}", 0, 0, 0, 0);
  skops_json(N("expit", "scipy.special._ufuncs", "FunctionNode") "}",
             0, 0, 0, 0);
  skops_json(N("f_classif", "sklearn.feature_selection._univariate_selection",
               "FunctionNode") "}", 0, 0, 0, 0);
  skops_json(N("load", "numpy", "FunctionNode") "}", 1, 0, 0, 0);
  skops_json(N("helper", "sklearn.utils", "FunctionNode") "}", 0, 1, 0, 0);
  skops_json(N("float64", "numpy", "NdArrayNode") ",\"type\":\"numpy\","
             "\"file\":\"0.npy\"}", 0, 0, 0, 0);
  skops_json(N("ndarray", "numpy", "NdArrayNode") ",\"type\":\"numpy\","
             "\"file\":\"../0.npy\"}", 0, 0, 1, 0);
  skops_json(N("bytes", "builtins", "BytesNode") ",\"file\":\"a.bin\"}",
             0, 0, 0, 0);
  skops_json(N("csr_matrix", "scipy.sparse._csr", "SparseMatrixNode")
             ",\"type\":\"scipy\",\"file\":\"b.npz\"}", 0, 0, 1, 0);
  skops_json(N("int", "builtins", "TypeNode") "}", 0, 0, 0, 0);
  skops_json(N("Popen", "subprocess", "TypeNode") "}", 1, 0, 0, 0);
  skops_json(N("partial", "functools", "PartialNode") "}", 1, 0, 0, 0);
  skops_json(N("Thing", "mypkg", "ConstructorFromReduceNode") "}",
             0, 1, 0, 0);
  skops_json(N("LogisticRegression", "sklearn.linear_model",
               "ConstructorFromReduceNode") "}", 0, 1, 0, 0);
  skops_json(N("attrgetter", "os", "OperatorFuncNode") "}", 1, 0, 0, 0);
  skops_json(N("x", "y", "EvilNode") "}", 0, 1, 0, 0);
  skops_json(N("system", "os", "SliceNode") "}", 0, 0, 0, 0);
  skops_json(N("Tree", "sklearn.tree._tree", "TreeNode") "}", 0, 0, 0, 0);
  skops_json(N("getstate", "x", "MethodNode") ",\"content\":{\"func\":"
             "\"__reduce__\",\"obj\":" N("X", "x", "ObjectNode") "}}}",
             1, 1, 0, 0);
  /* a repeated untrusted type is reported once */
  skops_json("[" N("A", "m", "ObjectNode") "}," N("A", "m", "ObjectNode")
             "}]", 0, 1, 1, 0);
  /* malformed */
  skops_json("{\"__loader__\":1}", 0, 0, 2, 0);
  skops_json("{\"a\":1,\"a\":1}", 0, 0, 1, 0);
  skops_json("{", 0, 0, 1, 0);
}

static void test_skops_deep(void **state)
{
  char *j = malloc(8192);
  size_t n = 0;
  struct fx x;
  (void)state;
  n += (size_t)sprintf(j + n, N("dict", "builtins", "DictNode")
                       ",\"content\":");
  for(int i = 0; i < 400; i++)
    j[n++] = '[';
  for(int i = 0; i < 400; i++)
    j[n++] = ']';
  j[n++] = '}';
  fx_init(&x);
  brinei_skops_check(&x.c, (const uint8_t *)j, n, NULL, 0);
  assert_int_equal(count(&x, "FMT002"), 1);
  assert_int_equal(x.f.n, 1);
  fx_free(&x);
  free(j);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_npy_fixtures),
    cmocka_unit_test(test_npy_hostile),
    cmocka_unit_test(test_npy_inline),
    cmocka_unit_test(test_keras_zips),
    cmocka_unit_test(test_keras_messages),
    cmocka_unit_test(test_keras_inline),
    cmocka_unit_test(test_keras_deep),
    cmocka_unit_test(test_h5_fixtures),
    cmocka_unit_test(test_h5_corrupt),
    cmocka_unit_test(test_h5_isolation),
    cmocka_unit_test(test_skops_fixtures),
    cmocka_unit_test(test_skops_inline),
    cmocka_unit_test(test_skops_deep),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
