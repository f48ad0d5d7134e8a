/* safetensors and GGUF validation and chat-template screening
 * (src/formats/safetensors.c, gguf.c, chat_template.c) on the fixtures of
 * tools/gen_tensor_fixtures.py and the templates of tests/data/templates/:
 * the exact rule and a word of the reason for each malformed file, no
 * finding for valid files and benign templates, GGF001 for every evil
 * template, and an allocation-failure pass. Run from the repository top.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/formats.h"

enum kind { K_ST, K_GGUF, K_TMPL };

struct run {
  struct brine_ctx *ctx;
  struct brinei_arena arena;
  struct brinei_findings f;
  struct brinei_fcheck c;
};

static uint8_t *slurp(const char *path, size_t *n)
{
  FILE *fp = fopen(path, "rb");
  uint8_t *b;
  long sz;
  if(!fp)
    fail_msg("cannot open %s (run from the repository top)", path);
  fseek(fp, 0, SEEK_END);
  sz = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  b = malloc((size_t)sz + 1);
  assert_non_null(b);
  *n = fread(b, 1, (size_t)sz, fp);
  assert_int_equal(*n, (size_t)sz);
  fclose(fp);
  return b;
}

static void run_begin(struct run *r, struct brine_ctx *ctx)
{
  memset(r, 0, sizeof(*r));
  r->ctx = ctx ? ctx : brine_ctx_new(NULL, NULL);
  assert_non_null(r->ctx);
  brinei_arena_init(&r->arena, r->ctx);
  r->f.ctx = r->ctx;
  r->f.arena = &r->arena;
  r->c.ctx = r->ctx;
  r->c.f = &r->f;
  r->c.member = "";
}

static void run_end(struct run *r)
{
  brinei_free(r->ctx, r->f.v);
  brinei_free(r->ctx, r->f.members);
  brinei_arena_free(&r->arena);
  assert_int_equal(brine_ctx_mem_used(r->ctx), 0);
  brine_ctx_free(r->ctx);
}

static void check(struct run *r, enum kind k, const uint8_t *d, size_t n)
{
  switch(k) {
  case K_ST:
    brinei_safetensors_check(&r->c, d, n);
    break;
  case K_GGUF:
    brinei_gguf_check(&r->c, d, n);
    break;
  case K_TMPL:
    brinei_chat_template_check(&r->c, "tokenizer.chat_template", d, n, 0);
    break;
  }
}

static void dump(const struct run *r, const char *what)
{
  for(size_t i = 0; i < r->f.n; i++)
    print_message("  %s: %s %s\n", what, r->f.v[i].rule, r->f.v[i].message);
}

static size_t count_rule(const struct run *r, const char *rule)
{
  size_t c = 0;
  for(size_t i = 0; i < r->f.n; i++)
    c += !strcmp(r->f.v[i].rule, rule);
  return c;
}

/* No finding at all. */
static void expect_clean(enum kind k, const char *path)
{
  struct run r;
  size_t n;
  uint8_t *d = slurp(path, &n);
  run_begin(&r, NULL);
  check(&r, k, d, n);
  if(r.f.n) {
    dump(&r, path);
    fail_msg("%s: expected no finding, got %zu", path, r.f.n);
  }
  run_end(&r);
  free(d);
}

/* Exactly one finding, of `rule`, whose message holds `word`. */
static void expect_one(enum kind k, const char *path, const char *rule,
                       const char *word)
{
  struct run r;
  size_t n;
  uint8_t *d = slurp(path, &n);
  run_begin(&r, NULL);
  check(&r, k, d, n);
  if(r.f.n != 1 || strcmp(r.f.v[0].rule, rule) ||
     !strstr(r.f.v[0].message, word)) {
    dump(&r, path);
    fail_msg("%s: expected one %s finding naming '%s'", path, rule, word);
  }
  run_end(&r);
  free(d);
}

/* ---- safetensors ------------------------------------------------------- */

static const char *const st_valid[] = {
  "golden", "tiny", "metadata-aliases", "subbyte", "f8", "empty-tensor",
  "scalar", "no-tensors", "metadata-null", "leading-whitespace", "padded",
  "unordered",
};

static const struct {
  const char *name, *word;
} st_invalid[] = {
  { "header-too-small", "HeaderTooSmall" },
  { "header-too-large", "HeaderTooLarge" },
  { "header-too-large-1e8", "HeaderTooLarge" },
  { "invalid-header-length", "InvalidHeaderLength" },
  { "invalid-utf8", "InvalidHeader: the header is not valid UTF-8" },
  { "not-json", "InvalidHeaderDeserialization" },
  { "not-object", "not a JSON object" },
  { "trailing-json", "InvalidHeaderDeserialization" },
  { "duplicate-key", "duplicate key" },
  { "duplicate-field", "duplicate key" },
  { "metadata-not-string", "non-string __metadata__" },
  { "metadata-not-object", "__metadata__ is not an object" },
  { "unknown-dtype", "unknown dtype 'F128'" },
  { "lowercase-dtype", "unknown dtype 'f32'" },
  { "negative-shape", "non-negative integer" },
  { "float-shape", "non-negative integer" },
  { "negative-offset", "data_offsets" },
  { "extra-field", "unexpected field 'strides'" },
  { "missing-field", "lacks dtype, shape or data_offsets" },
  { "offsets-triple", "data_offsets" },
  { "entry-not-object", "not an object" },
  { "overlap", "InvalidOffset" },
  { "hole", "InvalidOffset" },
  { "first-not-zero", "InvalidOffset" },
  { "end-before-begin", "InvalidOffset" },
  { "overflow", "ValidationOverflow" },
  { "overflow-bits", "ValidationOverflow" },
  { "misaligned-slice", "MisalignedSlice" },
  { "tensor-invalid-info", "TensorInvalidInfo" },
  { "trailing-bytes", "MetadataIncompleteBuffer" },
  { "truncated-data", "MetadataIncompleteBuffer" },
};

/* Every file of dir ending in ext is one of names[]. */
static void all_listed(const char *dir, const char *ext,
                       const char *const *names, size_t n)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  size_t seen = 0;
  assert_non_null(d);
  while((e = readdir(d)) != NULL) {
    size_t l = strlen(e->d_name), el = strlen(ext);
    bool found = false;
    if(l <= el || strcmp(e->d_name + l - el, ext))
      continue;
    for(size_t i = 0; i < n; i++) {
      if(strlen(names[i]) == l - el && !memcmp(names[i], e->d_name, l - el))
        found = true;
    }
    if(!found)
      fail_msg("%s/%s has no expectation in test_tensors.c", dir, e->d_name);
    seen++;
  }
  closedir(d);
  assert_int_equal(seen, n);
}

static void test_safetensors_valid(void **state)
{
  char p[256];
  (void)state;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(st_valid); i++) {
    size_t n;
    uint8_t *d;
    snprintf(p, sizeof(p), "tests/data/safetensors/valid/%s.safetensors",
             st_valid[i]);
    d = slurp(p, &n);
    if(!brinei_safetensors_probe(d, n))
      fail_msg("%s: not recognised", p);
    free(d);
    expect_clean(K_ST, p);
  }
  all_listed("tests/data/safetensors/valid", ".safetensors", st_valid,
             BRINE_ARRAY_LEN(st_valid));
}

static void test_safetensors_invalid(void **state)
{
  const char *names[BRINE_ARRAY_LEN(st_invalid)];
  char p[256];
  (void)state;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(st_invalid); i++) {
    snprintf(p, sizeof(p), "tests/data/safetensors/invalid/%s.safetensors",
             st_invalid[i].name);
    expect_one(K_ST, p, "FMT001", st_invalid[i].word);
    names[i] = st_invalid[i].name;
  }
  all_listed("tests/data/safetensors/invalid", ".safetensors", names,
             BRINE_ARRAY_LEN(names));
}

static void test_safetensors_probe(void **state)
{
  static const uint8_t ok[] = "\x02\0\0\0\0\0\0\0{}";
  static const uint8_t ws[] = "\x04\0\0\0\0\0\0\0 \n{}";
  static const uint8_t notobj[] = "\x02\0\0\0\0\0\0\0[]";
  static const uint8_t blank[] = "\x02\0\0\0\0\0\0\0  ";
  static const uint8_t toolong[] = "\x03\0\0\0\0\0\0\0{}";
  static const uint8_t one[] = "\x01\0\0\0\0\0\0\0{}";
  (void)state;
  assert_true(brinei_safetensors_probe(ok, 10));
  assert_true(brinei_safetensors_probe(ws, 12));
  assert_false(brinei_safetensors_probe(ok, 9));
  assert_false(brinei_safetensors_probe(notobj, 10));
  assert_false(brinei_safetensors_probe(blank, 10));
  assert_false(brinei_safetensors_probe(toolong, 10));
  assert_false(brinei_safetensors_probe(one, 10));
  assert_false(brinei_safetensors_probe(NULL, 0));
}

/* ---- GGUF ----------------------------------------------------------- */

static const char *const gguf_valid[] = {
  "tiny", "tiny-v2", "tiny-be", "no-tensors", "align-64", "named-template",
};

static const struct {
  const char *name, *word;
} gguf_invalid[] = {
  { "bad-magic", "magic" },
  { "version-0", "version 0" },
  { "version-1", "v1" },
  { "version-4", "version 4" },
  { "huge-kv-count", "key/value pairs cannot fit" },
  { "huge-tensor-count", "tensor infos cannot fit" },
  { "more-kvs-than-present", "length 0" },
  { "truncated-header", "truncated" },
  { "truncated-kv", "file ends first" },
  { "duplicate-key", "duplicate key 'general.name'" },
  { "empty-key", "length 0" },
  { "long-key", "length 65536" },
  { "bad-value-type", "invalid value type 13" },
  { "bool-not-01", "bool value 2" },
  { "bool-array-not-01", "bool value 7" },
  { "nested-array", "nested array" },
  { "array-bad-type", "array of invalid type 77" },
  { "array-huge-count", "2^30" },
  { "array-past-end", "remain" },
  { "strings-past-end", "remain" },
  { "string-past-end", "remain" },
  { "string-over-1gib", "1 GiB" },
  { "alignment-48", "power of two" },
  { "alignment-0", "power of two" },
  { "alignment-u64", "not UINT32" },
  { "tensor-beyond-data", "past the end" },
  { "tensor-offset-hole", "hole" },
  { "tensor-overlap", "overlaps" },
  { "tensor-misaligned", "misaligned" },
  { "unknown-ggml-type", "unknown ggml type 99" },
  { "removed-ggml-type", "unknown ggml type 4" },
  { "row-not-block-multiple", "block size 32" },
  { "duplicate-tensor", "duplicate tensor name" },
  { "long-tensor-name", "64-byte name" },
  { "five-dims", "5 dimensions" },
  { "negative-dim", "negative" },
  { "zero-dim", "is 0" },
  { "element-overflow", "overflows" },
  { "truncated-tensor-info", "truncated" },
};

static void test_gguf_valid(void **state)
{
  char p[256];
  (void)state;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(gguf_valid); i++) {
    snprintf(p, sizeof(p), "tests/data/gguf/valid/%s.gguf", gguf_valid[i]);
    expect_clean(K_GGUF, p);
  }
  all_listed("tests/data/gguf/valid", ".gguf", gguf_valid,
             BRINE_ARRAY_LEN(gguf_valid));
}

static void test_gguf_invalid(void **state)
{
  const char *names[BRINE_ARRAY_LEN(gguf_invalid)];
  char p[256];
  (void)state;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(gguf_invalid); i++) {
    snprintf(p, sizeof(p), "tests/data/gguf/invalid/%s.gguf",
             gguf_invalid[i].name);
    expect_one(K_GGUF, p, "FMT001", gguf_invalid[i].word);
    names[i] = gguf_invalid[i].name;
  }
  all_listed("tests/data/gguf/invalid", ".gguf", names,
             BRINE_ARRAY_LEN(names));
}

/* Every GGUF in gguf/evil/ carries an injection template: GGF001, and no
   other rule except where the file is also cut short. */
static void test_gguf_evil(void **state)
{
  DIR *d = opendir("tests/data/gguf/evil");
  struct dirent *e;
  size_t files = 0;
  (void)state;
  assert_non_null(d);
  while((e = readdir(d)) != NULL) {
    char p[512];
    struct run r;
    size_t n;
    uint8_t *b;
    bool truncated;
    if(!strstr(e->d_name, ".gguf"))
      continue;
    truncated = strstr(e->d_name, "truncated") != NULL;
    snprintf(p, sizeof(p), "tests/data/gguf/evil/%s", e->d_name);
    b = slurp(p, &n);
    run_begin(&r, NULL);
    check(&r, K_GGUF, b, n);
    if(!count_rule(&r, "GGF001") ||
       count_rule(&r, "GGF001") + truncated != r.f.n) {
      dump(&r, p);
      fail_msg("%s: expected GGF001 findings%s", p,
               truncated ? " and one FMT001" : " only");
    }
    if(strstr(e->d_name, "named-key") &&
       !strstr(r.f.v[0].message, "tokenizer.chat_template.rag"))
      fail_msg("%s: the finding does not name the key", p);
    run_end(&r);
    free(b);
    files++;
  }
  closedir(d);
  assert_true(files >= 20);
}

/* ---- chat templates ----------------------------------------------------- */

static size_t template_dir(const char *dir, bool evil)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  size_t files = 0;
  assert_non_null(d);
  while((e = readdir(d)) != NULL) {
    char p[512];
    size_t l = strlen(e->d_name);
    if(l < 7 || strcmp(e->d_name + l - 6, ".jinja"))
      continue;
    snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
    if(!evil)
      expect_clean(K_TMPL, p);
    else {
      struct run r;
      size_t n;
      uint8_t *b = slurp(p, &n);
      run_begin(&r, NULL);
      check(&r, K_TMPL, b, n);
      if(!r.f.n || count_rule(&r, "GGF001") != r.f.n)
        fail_msg("%s: expected GGF001 findings, got %zu", p, r.f.n);
      run_end(&r);
      free(b);
    }
    files++;
  }
  closedir(d);
  return files;
}

static void test_templates_benign(void **state)
{
  (void)state;
  assert_true(template_dir("tests/data/templates", false) >= 12);
}

static void test_templates_evil(void **state)
{
  (void)state;
  assert_true(template_dir("tests/data/templates/evil", true) >= 15);
}

static size_t tmpl_findings(const char *t, const char *word)
{
  struct run r;
  size_t n;
  run_begin(&r, NULL);
  check(&r, K_TMPL, (const uint8_t *)t, strlen(t));
  n = count_rule(&r, "GGF001");
  if(word && n) {
    bool found = false;
    for(size_t i = 0; i < r.f.n; i++)
      found |= strstr(r.f.v[i].message, word) != NULL;
    if(!found) {
      dump(&r, t);
      fail_msg("template %s: no finding names '%s'", t, word);
    }
  }
  run_end(&r);
  return n;
}

/* Constructs of real templates and prose that a keyword scan would trip
   over; none is code that leaves the template. */
static void test_templates_inline_benign(void **state)
{
  static const char *const ok[] = {
    "You are an assistant; do not use os commands, eval or __class__.",
    "{# {{ ''.__class__ }} cycler #}{{ x }}",
    "{% raw %}{{ ''.__class__ }}{% endraw %}{{ x }}",
    "{%- raw -%}{{ cycler.__init__ }}{%- endraw -%}",
    "{{ 'Never call os.system, eval() or import anything.' }}",
    "{{ '_'.join(parts) }}{{ name|replace(' ', '_') }}",
    "{{ '=' * 80 }}{{ '_' * 40 }}{{ '-' ~ '_' * 3 }}",
    "{% for _ in range(3) %}x{% endfor %}",
    "{{ x ~ '__' ~ y }}",
    "{{ message.role == 'system' }}{{ roles['system'] }}",
    "{{ '<|im_start|>' + message['role'] + '\\n' }}",
    "{{ '}}' }}{{ \"%}\" }}{{ x }}",
    "{{ {'a': {'b': 1}} }}",
    "{% set sys = messages[0] %}{{ sys.content }}",
    "{{ strftime_now('%d %B %Y') }}{{ '%s' % x }}",
    "{{ x|map('upper')|list }}{{ x|select('string')|list }}",
    "{{ x|map(attribute='content')|reject|list }}{{ x|select|first }}",
    "{% set ns = namespace(a=1, b_c=2) %}{% set ns.a = 2 %}{{ ns.a }}",
    "{{ '\\n\\t\\u2581\\x20\\\\' }}",
    "{{ tool.function.name }}{{ x|tojson(indent=4) }}",
    "{% if not loop.last %}, {% endif %}{{ messages[1:] }}",
    "{{ x }",
    "{{ 'unterminated",
    "{{ (((( }}",
    "{% set x %}hello{% endset %}{{ x * 2 }}",
  };
  (void)state;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(ok); i++) {
    if(tmpl_findings(ok[i], NULL))
      fail_msg("benign template flagged: %s", ok[i]);
  }
}

static void test_templates_inline_evil(void **state)
{
  static const struct {
    const char *t, *word;
  } bad[] = {
    { "{{ x.__class__ }}", "dunder name '__class__'" },
    { "{{ x[\"__cla\" + \"ss__\"] }}", "dunder" },
    { "{{ x|attr('\\N{LOW LINE}\\N{LOW LINE}class\\N{low line}__') }}",
      "escape" },
    { "{{ x|attr(y) }}", "computed name" },
    { "{{ '_' ~ '_' }}", "assemble" },
    { "{{ ('_', '_')|join }}", "assemble" },
    { "{{ x['\\x6fs'] }}", "escape" },
    { "{{ config }}", "'config'" },
    { "{{ x.popen('id') }}", "'.popen'" },
    { "{{ open('/etc/passwd').read() }}", "'open()'" },
    { "{{ x.mro()[1] }}", "'.mro'" },
    { "{% set a = '_' * 2 %}{% set b = a ~ 'class' ~ a %}{{ x|attr(b) }}",
      "assemble" },
    { "{{ x['os'] }}", "item 'os'" },
    { "{% extends 'base.html' %}", "extends" },
    { "{% from 'm' import f %}", "from" },
    { "{{ '%c'|format(95) }}", "%c" },
    { "{{ '%c' % 95 }}", "%c" },
    { "{{ ()|select|string }}", "repr" },
    { "{{ (x|reject|e)[24] }}", "repr" },
    { "{{ '__ssalc__'|reverse }}", "dunder" },
    { "{{ 'ssalc__'|reverse ~ '__' }}", "dunder" },
    { "{{ x|attr('XXclassXX'|lower|replace('x', '_')) }}", "dunder" },
    { "{{ dict(_=1)|join }}", "keyword argument '_'" },
    { "{{ namespace.x }}", "namespace class" },
    { "{{ x[2*'_' ~ 'class' ~ '_'*2] }}", "dunder" },
    { "{%- set u -%}_{%- endset -%}{{ x[u ~ u ~ 'init' ~ u ~ u] }}",
      "dunder" },
  };
  (void)state;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(bad); i++) {
    if(!tmpl_findings(bad[i].t, bad[i].word))
      fail_msg("injection not flagged: %s", bad[i].t);
  }
}

/* A dunder after 600 bytes of a literal, a payload after a long benign
   prefix, and the per-template cap. */
static void test_templates_long(void **state)
{
  char *t = malloc(4096);
  size_t o;
  (void)state;
  assert_non_null(t);
  o = (size_t)snprintf(t, 4096, "{{ '");
  memset(t + o, 'A', 600);
  o += 600;
  o += (size_t)snprintf(t + o, 4096 - o, "__globals__' }}");
  assert_int_equal(tmpl_findings(t, "dunder"), 1);
  o = 0;
  memset(t, 'x', 3000);
  o = 3000;
  snprintf(t + o, 4096 - o, "{{ ''.__class__ }}");
  assert_int_equal(tmpl_findings(t, "__class__"), 1);
  o = 0;
  for(int i = 0; i < 40; i++)
    o += (size_t)snprintf(t + o, 4096 - o, "{{ x.__d%d__ }}", i);
  assert_int_equal(tmpl_findings(t, NULL), 8);
  free(t);
}

/* Every allocation failing in turn: no crash, no leak, and once the
   failure point is past the last allocation, the same findings. */
static void test_alloc_failure(void **state)
{
  static const struct {
    enum kind k;
    const char *path;
  } files[] = {
    { K_GGUF, "tests/data/gguf/valid/named-template.gguf" },
    { K_GGUF, "tests/data/gguf/evil/cve-2024-34359.gguf" },
    { K_GGUF, "tests/data/gguf/invalid/duplicate-tensor.gguf" },
    { K_ST, "tests/data/safetensors/valid/tiny.safetensors" },
    { K_ST, "tests/data/safetensors/invalid/overlap.safetensors" },
  };
  (void)state;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(files); i++) {
    size_t n, want;
    uint8_t *d = slurp(files[i].path, &n);
    struct run r;
    run_begin(&r, NULL);
    check(&r, files[i].k, d, n);
    want = r.f.n;
    run_end(&r);
    for(uint64_t k = 1; k < 1000; k++) {
      struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
      bool done;
      assert_non_null(ctx);
      brine_ctx_fail_alloc_after(ctx, k);
      run_begin(&r, ctx);
      check(&r, files[i].k, d, n);
      /* fail_after still counting: no allocation failed this time, so
         the results are complete */
      done = ctx->fail_after != 0;
      if(done)
        assert_int_equal(r.f.n, want);
      run_end(&r);
      if(done)
        break;
      assert_true(k < 999);
    }
    free(d);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_safetensors_valid),
    cmocka_unit_test(test_safetensors_invalid),
    cmocka_unit_test(test_safetensors_probe),
    cmocka_unit_test(test_gguf_valid),
    cmocka_unit_test(test_gguf_invalid),
    cmocka_unit_test(test_gguf_evil),
    cmocka_unit_test(test_templates_benign),
    cmocka_unit_test(test_templates_evil),
    cmocka_unit_test(test_templates_inline_benign),
    cmocka_unit_test(test_templates_inline_evil),
    cmocka_unit_test(test_templates_long),
    cmocka_unit_test(test_alloc_failure),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
