/* sign/manifest.c: enumeration, ignore rules, symlink policy, ordering and
 * digests of an OMS manifest, checked against the signed payloads of the
 * model_signing golden files (tests/data/oms/) and against an independent
 * reimplementation of model_signing's enumeration in Debian's python3
 * (pathlib + hashlib) run on directories this test writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "sign/manifest.h"

#define OMS "tests/data/oms"
#define EMPTY_SHA256 \
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* ---- helpers ---- */

/* snprintf that must fit. */
static void fmt(char *out, size_t n, const char *f, ...) BRINE_PRINTF(3, 4);
static void fmt(char *out, size_t n, const char *f, ...)
{
  va_list ap;
  int r;
  va_start(ap, f);
  r = vsnprintf(out, n, f, ap);
  va_end(ap);
  assert_true(r >= 0 && (size_t)r < n);
}

static void hex(const uint8_t *p, size_t n, char *out)
{
  static const char d[] = "0123456789abcdef";
  for(size_t i = 0; i < n; i++) {
    out[2 * i] = d[p[i] >> 4];
    out[2 * i + 1] = d[p[i] & 15];
  }
  out[2 * n] = 0;
}

static void root_hex(struct brine_ctx *ctx, const struct brinei_manifest *m,
                     char out[65])
{
  uint8_t r[32];
  assert_int_equal(brinei_manifest_root(ctx, m, r), BRINE_OK);
  hex(r, 32, out);
}

static struct brinei_hash_opts opts_default(void)
{
  struct brinei_hash_opts o;
  memset(&o, 0, sizeof(o));
  o.hash = BRINEI_SHA256;
  o.ser = BRINEI_SER_FILES;
  return o;
}

static int rm_entry(const char *p, const struct stat *st, int flag,
                    struct FTW *f)
{
  (void)st;
  (void)flag;
  (void)f;
  return remove(p);
}

static void rm_tree(const char *dir)
{
  nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *tmpdir(char buf[64])
{
  fmt(buf, 64, "/tmp/brine-mf-XXXXXX");
  assert_non_null(mkdtemp(buf));
  return buf;
}

/* Write dir/rel (parents created) with n bytes of p. */
static void put(const char *dir, const char *rel, const void *p, size_t n)
{
  char path[PATH_MAX];
  FILE *f;
  fmt(path, sizeof(path), "%s/%s", dir, rel);
  for(char *s = path + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
    *s = 0;
    if(mkdir(path, 0755) < 0)
      assert_int_equal(errno, EEXIST);
    *s = '/';
  }
  f = fopen(path, "wb");
  assert_non_null(f);
  if(n)
    assert_int_equal(fwrite(p, 1, n, f), n);
  assert_int_equal(fclose(f), 0);
}

static void put_str(const char *dir, const char *rel, const char *s)
{
  put(dir, rel, s, strlen(s));
}

static void join(char *out, size_t n, const char *dir, const char *rel)
{
  fmt(out, n, "%s/%s", dir, rel);
}

static const struct brinei_mf_item *find(const struct brinei_manifest *m,
                                         const char *name)
{
  for(size_t i = 0; i < m->n; i++)
    if(!strcmp(m->items[i].name, name))
      return &m->items[i];
  return NULL;
}

static void digest_hex(const struct brinei_manifest *m,
                       const struct brinei_mf_item *it, char *out)
{
  hex(it->digest, brinei_hash_len(m->hash), out);
}

/* model_signing's enumeration and digests, independently: pathlib glob,
   keys sorted as (PurePosixPath, start, end) tuples, hashlib. Prints
   "hexdigest name" per item. */
static const char ref_py[] =
  "import hashlib,os,pathlib,sys\n"
  "r=pathlib.Path(sys.argv[1]);m=sys.argv[2];h=sys.argv[3]\n"
  "s=int(sys.argv[4])\n"
  "ks=[]\n"
  "for p in r.glob(\"**/*\"):\n"
  "  if not p.is_file(): continue\n"
  "  q=pathlib.PurePosixPath(p.relative_to(r));n=p.stat().st_size\n"
  "  if m==\"files\": ks.append((q,0,n,p))\n"
  "  else:\n"
  "    for a in range(0,n,s): ks.append((q,a,min(a+s,n),p))\n"
  "ks.sort(key=lambda k:(k[0],k[1],k[2]))\n"
  "for q,a,b,p in ks:\n"
  "  d=hashlib.new(h)\n"
  "  with open(p,\"rb\") as f:\n"
  "    f.seek(a);d.update(f.read(b-a))\n"
  "  nm=str(q) if m==\"files\" else \"%s:%d:%d\"%(q,a,b)\n"
  "  sys.stdout.buffer.write(d.hexdigest().encode()+b\" \"+os.fsencode(nm)"
  "+b\"\\n\")\n";

/* Assert m lists exactly what the Python reference lists, in its order. */
static void check_against_python(const struct brinei_manifest *m,
                                 const char *dir)
{
  char cmd[4096], line[PATH_MAX + 200];
  size_t i = 0, hl = brinei_hash_len(m->hash);
  FILE *f;
  fmt(cmd, sizeof(cmd), "/usr/bin/python3 -c '%s' %s %s %s %llu",
           ref_py, dir, m->ser == BRINEI_SER_FILES ? "files" : "shards",
           m->hash == BRINEI_BLAKE2B ? "blake2b" : "sha256",
           (unsigned long long)m->shard_size);
  f = popen(cmd, "r");
  assert_non_null(f);
  while(fgets(line, sizeof(line), f)) {
    char want[2 * BRINEI_HASH_MAX + 1];
    size_t l = strlen(line);
    assert_true(l > 2 * hl + 1 && line[l - 1] == '\n');
    line[l - 1] = 0;
    assert_true(i < m->n);
    assert_string_equal(m->items[i].name, line + 2 * hl + 1);
    line[2 * hl] = 0;
    digest_hex(m, &m->items[i], want);
    assert_string_equal(want, line);
    i++;
  }
  assert_int_equal(pclose(f), 0);
  assert_int_equal(i, m->n);
}

/* ---- the golden signatures of model_signing ---- */

/* The payload of a golden model.sig, parsed. */
static json_t *golden_payload(const char *dir)
{
  char path[PATH_MAX];
  json_error_t e;
  json_t *b, *p;
  const char *s;
  uint8_t *raw;
  size_t n, len;
  fmt(path, sizeof(path), "%s/model.sig", dir);
  b = json_load_file(path, 0, &e);
  assert_non_null(b);
  s = json_string_value(json_object_get(json_object_get(b, "dsseEnvelope"),
                                        "payload"));
  assert_non_null(s);
  n = strlen(s);
  raw = malloc(n * 3 / 4 + 3);
  assert_non_null(raw);
  len = brinei_base64_decode((const uint8_t *)s, n, raw);
  assert_true(len != SIZE_MAX && len > 0);
  p = json_loadb((const char *)raw, len, 0, &e);
  assert_non_null(p);
  free(raw);
  json_decref(b);
  return p;
}

/* Build the manifest of a golden model as the upstream test-verify script
   does and compare it with the signed payload. */
static void check_golden(const char *name, const char *expect_root)
{
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  struct brinei_hash_opts o = opts_default();
  struct brinei_manifest m;
  char dir[PATH_MAX], model[PATH_MAX], sig[PATH_MAX], ign[PATH_MAX];
  char root[65], dig[65];
  const char *ignore[2];
  json_t *p, *res, *sub, *ser, *ip;
  struct stat st;
  bool single;
  fmt(dir, sizeof(dir), OMS "/%s", name);
  p = golden_payload(dir);
  res = json_object_get(json_object_get(p, "predicate"), "resources");
  assert_true(json_is_array(res));
  single = json_array_size(res) == 1 &&
           !strcmp(json_string_value(json_object_get(
                       json_array_get(res, 0), "name")), ".");
  /* the model: the directory, or its signme-1 for the single-file cases
     (test-verify-*-elliptic-key.sh up to v1.0.0) */
  if(single)
    fmt(model, sizeof(model), "%s/signme-1", dir);
  else
    fmt(model, sizeof(model), "%s", dir);
  /* --ignore-paths as the user gives them, relative to the current
     directory, plus the signature the CLI always adds */
  fmt(sig, sizeof(sig), "%s/model.sig", dir);
  fmt(ign, sizeof(ign), "%s/ignore-me", dir);
  ignore[0] = sig;
  ignore[1] = ign;
  o.ignore_git = true;
  o.ignore = ignore;
  o.n_ignore = stat(ign, &st) == 0 ? 2 : 1;
  assert_int_equal(brinei_manifest_build(ctx, model, &o, &m), BRINE_OK);

  sub = json_array_get(json_object_get(p, "subject"), 0);
  assert_string_equal(m.model_name,
                      json_string_value(json_object_get(sub, "name")));
  assert_int_equal(m.n, json_array_size(res));
  for(size_t i = 0; i < m.n; i++) {
    json_t *r = json_array_get(res, i);
    char alg[64];
    assert_string_equal(m.items[i].name,
                        json_string_value(json_object_get(r, "name")));
    digest_hex(&m, &m.items[i], dig);
    assert_string_equal(dig, json_string_value(json_object_get(r, "digest")));
    brinei_manifest_algorithm(&m, alg, sizeof(alg));
    assert_string_equal(alg,
                        json_string_value(json_object_get(r, "algorithm")));
  }
  root_hex(ctx, &m, root);
  assert_string_equal(root, json_string_value(json_object_get(
                                json_object_get(sub, "digest"), "sha256")));
  assert_string_equal(root, expect_root);

  /* v1.1 records ignore_paths (a frozenset: compare as sets) */
  ser = json_object_get(json_object_get(p, "predicate"), "serialization");
  ip = json_object_get(ser, "ignore_paths");
  if(ip) {
    assert_int_equal(json_array_size(ip), m.n_ignore);
    for(size_t i = 0; i < json_array_size(ip); i++) {
      const char *want = json_string_value(json_array_get(ip, i));
      bool found = false;
      for(size_t k = 0; k < m.n_ignore; k++)
        found = found || !strcmp(m.ignore[k], want);
      assert_true(found);
    }
  }
  for(size_t k = 1; k < m.n_ignore; k++)
    assert_true(strcmp(m.ignore[k - 1], m.ignore[k]) < 0);
  brinei_manifest_free(ctx, &m);
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  json_decref(p);
  brine_ctx_free(ctx);
}

static void test_golden_v110_key(void **state)
{
  (void)state;
  check_golden("v1.1.0-elliptic-key",
      "92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4");
}

static void test_golden_v100_single(void **state)
{
  (void)state;
  check_golden("v1.0.0-elliptic-key",
      "afa48c8674afe334b8a7dea34f7b46ab256e9255edf8da2132792341b667a45b");
}

/* Every other v1.0-format golden: the root is whatever its subject says. */
static void test_golden_all(void **state)
{
  static const char *const dirs[] = {
    "v0.3.1-certificate", "v0.3.1-elliptic-key", "v0.3.1-sigstore",
    "v1.0.0-certificate", "v1.0.0-sigstore", "v1.0.1-certificate",
    "v1.0.1-elliptic-key", "v1.0.1-sigstore", "v1.1.0-certificate",
    "v1.1.0-sigstore",
  };
  (void)state;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(dirs); i++) {
    char dir[PATH_MAX];
    json_t *p;
    const char *want;
    fmt(dir, sizeof(dir), OMS "/%s", dirs[i]);
    p = golden_payload(dir);
    want = json_string_value(json_object_get(json_object_get(
        json_array_get(json_object_get(p, "subject"), 0), "digest"),
        "sha256"));
    assert_non_null(want);
    check_golden(dirs[i], want);
    json_decref(p);
  }
}

/* Absolute ignore paths, and ones outside the root, and the root itself. */
static void test_golden_abs_ignore(void **state)
{
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  struct brinei_hash_opts o = opts_default();
  struct brinei_manifest m;
  char cwd[PATH_MAX], sig[PATH_MAX + 64], ign[PATH_MAX + 64],
      out1[PATH_MAX + 64], root[65];
  const char *ignore[5];
  (void)state;
  assert_non_null(getcwd(cwd, sizeof(cwd)));
  fmt(sig, sizeof(sig), "%s/" OMS "/v1.1.0-elliptic-key/./model.sig",
           cwd);
  fmt(ign, sizeof(ign),
           "%s/" OMS "/v1.0.1-sigstore/../v1.1.0-elliptic-key/ignore-me/",
           cwd);
  fmt(out1, sizeof(out1), "%s/" OMS "/v1.0.1-sigstore/model.sig", cwd);
  ignore[0] = sig;
  ignore[1] = ign;
  ignore[2] = out1;                          /* outside: dropped */
  ignore[3] = OMS "/v1.1.0-elliptic-key";    /* the root: nothing */
  ignore[4] = "/";
  o.ignore = ignore;
  o.n_ignore = 5;
  assert_int_equal(brinei_manifest_build(ctx, OMS "/v1.1.0-elliptic-key/",
                                         &o, &m), BRINE_OK);
  assert_string_equal(m.model_name, "v1.1.0-elliptic-key");
  assert_int_equal(m.n_ignore, 2);
  assert_string_equal(m.ignore[0], "ignore-me");
  assert_string_equal(m.ignore[1], "model.sig");
  root_hex(ctx, &m, root);
  assert_string_equal(root,
      "92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4");
  brinei_manifest_free(ctx, &m);

  /* relative ones, normalised lexically (the components need not exist) */
  ignore[0] = "./tests//data/oms/nope/../v1.1.0-elliptic-key/x/../model.sig";
  ignore[1] = OMS "/v1.1.0-elliptic-key/a/b/../../ignore-me/.";
  ignore[2] = OMS "/v1.1.0-elliptic-key/../v1.1.0-elliptic-key/../x";
  assert_int_equal(brinei_manifest_build(ctx, OMS "/v1.1.0-elliptic-key",
                                         &o, &m), BRINE_OK);
  assert_int_equal(m.n_ignore, 2);
  assert_string_equal(m.ignore[0], "ignore-me");
  assert_string_equal(m.ignore[1], "model.sig");
  assert_int_equal(m.n, 2);
  brinei_manifest_free(ctx, &m);

  /* without the ignores, model.sig and ignore-me are hashed too */
  o.n_ignore = 0;
  assert_int_equal(brinei_manifest_build(ctx, OMS "/v1.1.0-elliptic-key",
                                         &o, &m), BRINE_OK);
  assert_int_equal(m.n, 4);
  assert_string_equal(m.items[0].name, "ignore-me");
  assert_string_equal(m.items[1].name, "model.sig");
  assert_non_null(find(&m, "signme-2"));
  brinei_manifest_free(ctx, &m);
  brine_ctx_free(ctx);
}

/* ---- ordering and digests against the Python reference ---- */

static void test_python_order(void **state)
{
  static const char *const names[] = {
    "\xc3\xa9", "z/y", "b", "a_b", "a.txt", "a-b", "a b/c", "a/b", "B",
  };
  static const char *const want[] = {
    "B", "a/b", "a b/c", "a-b", "a.txt", "a_b", "b", "z/y", "\xc3\xa9",
  };
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  struct brinei_hash_opts o = opts_default();
  struct brinei_manifest m;
  char buf[64], *dir = tmpdir(buf);
  (void)state;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(names); i++)
    put_str(dir, names[i], names[i]);
  assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m), BRINE_OK);
  assert_int_equal(m.n, BRINE_ARRAY_LEN(want));
  for(size_t i = 0; i < m.n; i++) {
    assert_string_equal(m.items[i].name, want[i]);
    assert_string_equal(m.items[i].path, want[i]);
    if(i)
      assert_true(brinei_manifest_cmp(&m.items[i - 1], &m.items[i]) < 0);
  }
  check_against_python(&m, dir);
  brinei_manifest_free(ctx, &m);

  /* blake2b (hashlib.blake2b: 64-byte digests) */
  o.hash = BRINEI_BLAKE2B;
  assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m), BRINE_OK);
  assert_int_equal(m.hash, BRINEI_BLAKE2B);
  check_against_python(&m, dir);
  {
    char alg[32];
    brinei_manifest_algorithm(&m, alg, sizeof(alg));
    assert_string_equal(alg, "blake2b");
  }
  brinei_manifest_free(ctx, &m);
  rm_tree(dir);
  brine_ctx_free(ctx);
}

static void test_shards(void **state)
{
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  struct brinei_hash_opts o = opts_default();
  struct brinei_manifest m;
  char buf[64], *dir = tmpdir(buf), name[64], alg[64];
  uint8_t data[1100];
  (void)state;
  for(size_t i = 0; i < sizeof(data); i++)
    data[i] = (uint8_t)(i * 7 + (i >> 8));
  put(dir, "w.bin", data, sizeof(data));
  put(dir, "empty", "", 0);
  put(dir, "v/x.bin", data, 250);
  o.ser = BRINEI_SER_SHARDS;
  o.shard_size = 100;
  assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m), BRINE_OK);
  /* empty files have no shard; v/x.bin's 3 shards come first */
  assert_null(find(&m, "empty:0:0"));
  assert_int_equal(m.n, 3 + 11);
  assert_string_equal(m.items[0].name, "v/x.bin:0:100");
  assert_string_equal(m.items[2].name, "v/x.bin:200:250");
  for(size_t i = 0; i < 11; i++) {
    fmt(name, sizeof(name), "w.bin:%zu:%zu", i * 100,
             i == 10 ? (size_t)1100 : (i + 1) * 100);
    assert_string_equal(m.items[3 + i].name, name);
    assert_string_equal(m.items[3 + i].path, "w.bin");
    assert_int_equal(m.items[3 + i].start, i * 100);
  }
  assert_int_equal(m.total_bytes, 1100 + 250);
  brinei_manifest_algorithm(&m, alg, sizeof(alg));
  assert_string_equal(alg, "sha256-sharded-100");
  check_against_python(&m, dir);
  brinei_manifest_free(ctx, &m);

  /* blake2b shards, and a shard size that does not divide the file */
  o.hash = BRINEI_BLAKE2B;
  o.shard_size = 333;
  assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m), BRINE_OK);
  assert_non_null(find(&m, "w.bin:999:1100"));
  check_against_python(&m, dir);
  brinei_manifest_free(ctx, &m);

  /* default shard size; a single-file model's shards are ".:a:b" */
  o.shard_size = 0;
  o.hash = BRINEI_SHA256;
  join(name, sizeof(name), dir, "w.bin");
  assert_int_equal(brinei_manifest_build(ctx, name, &o, &m), BRINE_OK);
  assert_int_equal(m.shard_size, BRINEI_SHARD_DEFAULT);
  assert_int_equal(m.n, 1);
  assert_string_equal(m.items[0].name, ".:0:1100");
  assert_string_equal(m.items[0].path, "");
  assert_string_equal(m.model_name, "w.bin");
  brinei_manifest_free(ctx, &m);
  rm_tree(dir);
  brine_ctx_free(ctx);
}

static void test_cmp(void **state)
{
  struct brinei_mf_item a, b;
  (void)state;
  memset(&a, 0, sizeof(a));
  memset(&b, 0, sizeof(b));
  a.path = "w.bin";
  b.path = "w.bin";
  a.start = 200;
  b.start = 1000;
  assert_true(brinei_manifest_cmp(&a, &b) < 0);   /* numeric, not text */
  assert_true(brinei_manifest_cmp(&b, &a) > 0);
  b.start = 200;
  assert_int_equal(brinei_manifest_cmp(&a, &b), 0);
  a.path = "a/b";
  b.path = "a b/c";
  assert_true(brinei_manifest_cmp(&a, &b) < 0);   /* "/" splits first */
  a.path = "a";
  b.path = "a/b";
  assert_true(brinei_manifest_cmp(&a, &b) < 0);   /* prefix first */
  a.path = "a/z";
  b.path = "ab";
  assert_true(brinei_manifest_cmp(&a, &b) < 0);
  a.path = "\xc3\xa9";
  b.path = "z";
  assert_true(brinei_manifest_cmp(&a, &b) > 0);
  a.path = "";
  assert_true(brinei_manifest_cmp(&a, &b) < 0);
}

/* ---- ignore rules, symlinks, special files ---- */

static void test_ignore_git(void **state)
{
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  struct brinei_hash_opts o = opts_default();
  struct brinei_manifest m;
  char buf[64], *dir = tmpdir(buf), p[PATH_MAX];
  const char *rel[4] = {"sub/", "./keep/../x", ".", "/abs"};
  const char *ign[2];
  (void)state;
  put_str(dir, ".git/config", "[core]\n");
  put_str(dir, ".gitignore", "*.tmp\n");
  put_str(dir, ".github/workflows/ci.yml", "on: push\n");
  put_str(dir, "sub/.git/config", "[core]\n");
  put_str(dir, "sub/.gitignore", "x\n");
  put_str(dir, ".gitattributes.bak", "kept\n");
  put_str(dir, "a.bin", "abc");
  o.ignore_git = true;
  assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m), BRINE_OK);
  /* only the top-level git paths are ignored (signing.md §1.6) */
  assert_int_equal(m.n, 4);
  assert_string_equal(m.items[0].name, ".gitattributes.bak");
  assert_string_equal(m.items[1].name, "a.bin");
  assert_string_equal(m.items[2].name, "sub/.git/config");
  assert_string_equal(m.items[3].name, "sub/.gitignore");
  assert_int_equal(m.n_ignore, 4);
  assert_string_equal(m.ignore[0], ".git");
  assert_string_equal(m.ignore[1], ".gitattributes");
  assert_string_equal(m.ignore[2], ".github");
  assert_string_equal(m.ignore[3], ".gitignore");
  brinei_manifest_free(ctx, &m);

  /* without ignore_git everything is hashed and nothing recorded */
  o.ignore_git = false;
  assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m), BRINE_OK);
  assert_int_equal(m.n, 7);
  assert_int_equal(m.n_ignore, 0);
  assert_string_equal(m.items[0].name, ".git/config");
  check_against_python(&m, dir);
  brinei_manifest_free(ctx, &m);

  /* ignore_rel: recorded as given; "." and absolute ones ignore nothing
     and are not recorded; user paths outside the root are dropped */
  o.ignore_rel = rel;
  o.n_ignore_rel = 4;
  join(p, sizeof(p), dir, "../elsewhere");
  ign[0] = p;
  ign[1] = dir;
  o.ignore = ign;
  o.n_ignore = 2;
  assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m), BRINE_OK);
  assert_int_equal(m.n_ignore, 2);
  assert_string_equal(m.ignore[0], "./keep/../x");
  assert_string_equal(m.ignore[1], "sub/");
  assert_null(find(&m, "sub/.gitignore"));
  assert_non_null(find(&m, "a.bin"));
  assert_int_equal(m.n, 5);
  brinei_manifest_free(ctx, &m);
  rm_tree(dir);
  brine_ctx_free(ctx);
}

static void test_symlinks(void **state)
{
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  struct brinei_hash_opts o = opts_default();
  struct brinei_manifest m;
  char buf[64], buf2[64], *dir = tmpdir(buf), *out = tmpdir(buf2);
  char p[PATH_MAX], t[PATH_MAX], d1[130], d2[130];
  const char *rel[1] = {"ln"};
  const struct brinei_mf_item *it;
  (void)state;
  put_str(dir, "real.bin", "real content");
  put_str(dir, "d/inner", "inner");
  put_str(out, "outside.bin", "outside content");
  join(p, sizeof(p), dir, "ln");
  assert_int_equal(symlink("real.bin", p), 0);
  join(t, sizeof(t), out, "outside.bin");
  join(p, sizeof(p), dir, "ln-out");
  assert_int_equal(symlink(t, p), 0);
  join(p, sizeof(p), dir, "ln-dir");
  assert_int_equal(symlink("d", p), 0);

  /* without allow_symlinks: refused, the message names the path */
  assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m), BRINE_E_POLICY);
  assert_non_null(strstr(brine_last_error(ctx)->message, "symbolic link"));
  assert_non_null(strstr(brine_last_error(ctx)->message, dir));

  /* with it: a link to a file is hashed with the target's content under
     the link's name, even outside the root; a link to a directory is
     skipped */
  o.allow_symlinks = true;
  assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m), BRINE_OK);
  assert_true(m.allow_symlinks);
  assert_int_equal(m.n, 4);
  assert_string_equal(m.items[0].name, "d/inner");
  assert_string_equal(m.items[1].name, "ln");
  assert_string_equal(m.items[2].name, "ln-out");
  assert_string_equal(m.items[3].name, "real.bin");
  digest_hex(&m, &m.items[1], d1);
  digest_hex(&m, &m.items[3], d2);
  assert_string_equal(d1, d2);
  assert_int_equal(m.items[2].end, strlen("outside content"));
  check_against_python(&m, dir);  /* pathlib follows links the same way */
  brinei_manifest_free(ctx, &m);

  /* a broken link is an error even when links are allowed */
  join(p, sizeof(p), dir, "ln-broken");
  assert_int_equal(symlink("missing", p), 0);
  assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m), BRINE_E_POLICY);
  assert_non_null(strstr(brine_last_error(ctx)->message, "ln-broken"));
  assert_int_equal(unlink(p), 0);

  /* ignored paths are checked before the symlink rule */
  o.allow_symlinks = false;
  rel[0] = "ln";
  o.ignore_rel = rel;
  o.n_ignore_rel = 1;
  assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m), BRINE_E_POLICY);
  assert_non_null(strstr(brine_last_error(ctx)->message, "ln-"));
  join(p, sizeof(p), dir, "ln-out");
  assert_int_equal(unlink(p), 0);
  join(p, sizeof(p), dir, "ln-dir");
  assert_int_equal(unlink(p), 0);
  assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m), BRINE_OK);
  assert_int_equal(m.n, 2);
  assert_null(find(&m, "ln"));
  brinei_manifest_free(ctx, &m);
  o.n_ignore_rel = 0;

  /* the model path itself: a link to a file */
  join(p, sizeof(p), out, "model-link");
  join(t, sizeof(t), dir, "real.bin");
  assert_int_equal(symlink(t, p), 0);
  assert_int_equal(brinei_manifest_build(ctx, p, &o, &m), BRINE_E_POLICY);
  o.allow_symlinks = true;
  assert_int_equal(brinei_manifest_build(ctx, p, &o, &m), BRINE_OK);
  assert_int_equal(m.n, 1);
  assert_string_equal(m.items[0].name, ".");
  assert_string_equal(m.model_name, "model-link");
  digest_hex(&m, &m.items[0], d1);
  assert_string_equal(d1, d2);
  brinei_manifest_free(ctx, &m);

  /* a link to a file, a FIFO: refused */
  join(p, sizeof(p), dir, "fifo");
  assert_int_equal(mkfifo(p, 0644), 0);
  assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m), BRINE_E_POLICY);
  assert_non_null(strstr(brine_last_error(ctx)->message,
                         "not a regular file or directory"));
  /* ... unless ignored */
  rel[0] = "fifo";
  o.n_ignore_rel = 1;
  assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m), BRINE_OK);
  it = find(&m, "ln");
  assert_non_null(it);
  brinei_manifest_free(ctx, &m);
  rm_tree(dir);
  rm_tree(out);
  brine_ctx_free(ctx);
}

static void test_empty_and_errors(void **state)
{
  struct brine_limits lim = brine_limits_default();
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL), *lctx;
  struct brinei_hash_opts o = opts_default();
  struct brinei_manifest m;
  char buf[64], *dir = tmpdir(buf), p[PATH_MAX], d[65];
  (void)state;
  /* an empty model: no items, the root of nothing */
  assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m), BRINE_OK);
  assert_int_equal(m.n, 0);
  root_hex(ctx, &m, d);
  assert_string_equal(d, EMPTY_SHA256);
  brinei_manifest_free(ctx, &m);

  put(dir, "empty", "", 0);
  put_str(dir, "x", "x");
  assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m), BRINE_OK);
  assert_int_equal(m.n, 2);
  assert_string_equal(m.items[0].name, "empty");
  digest_hex(&m, &m.items[0], d);
  assert_string_equal(d, EMPTY_SHA256);
  assert_int_equal(m.items[0].end, 0);
  brinei_manifest_free(ctx, &m);
  o.ser = BRINEI_SER_SHARDS;
  assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m), BRINE_OK);
  assert_int_equal(m.n, 1);
  assert_string_equal(m.items[0].name, "x:0:1");
  brinei_manifest_free(ctx, &m);
  o.ser = BRINEI_SER_FILES;

  /* missing model, bad options */
  join(p, sizeof(p), dir, "nope");
  assert_int_equal(brinei_manifest_build(ctx, p, &o, &m), BRINE_E_NOTFOUND);
  o.hash = BRINEI_SHA384;
  assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m), BRINE_E_INVALID);
  o.hash = BRINEI_SHA256;

  /* limits: entries and directory depth */
  put_str(dir, "a/b/c/d/e", "deep");
  lim.entries = 3;
  lctx = brine_ctx_new(&lim, NULL);
  assert_int_equal(brinei_manifest_build(lctx, dir, &o, &m), BRINE_E_LIMIT);
  brine_ctx_free(lctx);
  lim = brine_limits_default();
  lim.dir_depth = 3;
  lctx = brine_ctx_new(&lim, NULL);
  assert_int_equal(brinei_manifest_build(lctx, dir, &o, &m), BRINE_E_LIMIT);
  lim.dir_depth = 4;
  brine_ctx_free(lctx);
  lctx = brine_ctx_new(&lim, NULL);
  assert_int_equal(brinei_manifest_build(lctx, dir, &o, &m), BRINE_OK);
  assert_non_null(find(&m, "a/b/c/d/e"));
  brinei_manifest_free(lctx, &m);
  assert_int_equal(brine_ctx_mem_used(lctx), 0);
  brine_ctx_free(lctx);

  /* allocation failures anywhere: a result, never a crash or a leak */
  for(uint64_t k = 1;; k++) {
    brine_result rc;
    lctx = brine_ctx_new(NULL, NULL);
    brine_ctx_fail_alloc_after(lctx, k);
    rc = brinei_manifest_build(lctx, dir, &o, &m);
    if(rc == BRINE_OK)
      brinei_manifest_free(lctx, &m);
    else
      assert_int_equal(rc, BRINE_E_NOMEM);
    assert_int_equal(brine_ctx_mem_used(lctx), 0);
    brine_ctx_free(lctx);
    if(rc == BRINE_OK) {
      assert_true(k > 10);  /* every allocation before this one failed */
      break;
    }
  }
  rm_tree(dir);
  brine_ctx_free(ctx);
}

/* model_name follows pathlib: trailing "/" and "." dropped; "." and ".."
   resolve. */
static void test_model_name(void **state)
{
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  struct brinei_hash_opts o = opts_default();
  struct brinei_manifest m;
  char cwd[PATH_MAX], buf[64], *dir = tmpdir(buf), p[PATH_MAX];
  (void)state;
  assert_non_null(getcwd(cwd, sizeof(cwd)));
  put_str(dir, "sub/f", "f");
  join(p, sizeof(p), dir, "sub//./");
  assert_int_equal(brinei_manifest_build(ctx, p, &o, &m), BRINE_OK);
  assert_string_equal(m.model_name, "sub");
  brinei_manifest_free(ctx, &m);
  join(p, sizeof(p), dir, "sub");
  assert_int_equal(chdir(p), 0);
  assert_int_equal(brinei_manifest_build(ctx, ".", &o, &m), BRINE_OK);
  assert_string_equal(m.model_name, "sub");
  assert_int_equal(m.n, 1);
  brinei_manifest_free(ctx, &m);
  assert_int_equal(brinei_manifest_build(ctx, "..", &o, &m), BRINE_OK);
  assert_string_equal(m.model_name, dir + 5);  /* after "/tmp/" */
  assert_int_equal(m.n, 1);
  assert_string_equal(m.items[0].name, "sub/f");
  brinei_manifest_free(ctx, &m);
  assert_int_equal(chdir(cwd), 0);
  rm_tree(dir);
  brine_ctx_free(ctx);
}

/* --ignore-unsigned-files: only the named files are looked at. */
static void test_only(void **state)
{
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  struct brinei_hash_opts o = opts_default();
  struct brinei_manifest m, only;
  struct brinei_mf_item it[6];
  char buf[64], *dir = tmpdir(buf), p[PATH_MAX];
  (void)state;
  put_str(dir, "a", "a");
  put_str(dir, "b", "b");
  put_str(dir, "d/c", "c");
  put_str(dir, "e/f", "f");
  join(p, sizeof(p), dir, "fifo");
  assert_int_equal(mkfifo(p, 0644), 0);
  join(p, sizeof(p), dir, "e-link");
  assert_int_equal(symlink("e", p), 0);
  memset(&only, 0, sizeof(only));
  memset(it, 0, sizeof(it));
  it[0].path = "d/c";
  it[1].path = "a";
  it[2].path = "missing";
  it[3].path = "../etc/passwd";
  it[4].path = "e-link/f";   /* through a symlinked directory */
  it[5].path = "a";          /* twice, as shards of one file are */
  only.items = it;
  only.n = 6;
  o.only = &only;
  assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m), BRINE_OK);
  assert_int_equal(m.n, 2);
  assert_string_equal(m.items[0].name, "a");
  assert_string_equal(m.items[1].name, "d/c");
  brinei_manifest_free(ctx, &m);
  /* ... still subject to the ignore rules and the symlink policy */
  it[2].path = "fifo";
  assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m), BRINE_E_POLICY);
  it[2].path = "e-link";
  assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m), BRINE_E_POLICY);
  {
    const char *rel[1] = {"e-link"};
    o.ignore_rel = rel;
    o.n_ignore_rel = 1;
    assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m), BRINE_OK);
    assert_int_equal(m.n, 2);
    brinei_manifest_free(ctx, &m);
    o.n_ignore_rel = 0;
  }
  /* a single-file model is hashed when the signature names "." */
  join(p, sizeof(p), dir, "a");
  it[0].path = "";
  only.n = 1;
  assert_int_equal(brinei_manifest_build(ctx, p, &o, &m), BRINE_OK);
  assert_int_equal(m.n, 1);
  assert_string_equal(m.items[0].name, ".");
  brinei_manifest_free(ctx, &m);
  it[0].path = "a";          /* the spec's name: the basename */
  assert_int_equal(brinei_manifest_build(ctx, p, &o, &m), BRINE_OK);
  assert_int_equal(m.n, 1);
  brinei_manifest_free(ctx, &m);
  it[0].path = "b";
  assert_int_equal(brinei_manifest_build(ctx, p, &o, &m), BRINE_OK);
  assert_int_equal(m.n, 0);
  brinei_manifest_free(ctx, &m);
  rm_tree(dir);
  brine_ctx_free(ctx);
}

/* ---- threads and large files ---- */

struct prog {
  uint64_t calls, last, total;
  bool monotonic;
};

static void on_progress(void *ud, uint64_t done, uint64_t total)
{
  struct prog *p = ud;
  if(done < p->last || done > total)
    p->monotonic = false;
  p->calls++;
  p->last = done;
  p->total = total;
}

static void test_threads(void **state)
{
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  struct brinei_hash_opts o = opts_default();
  struct brinei_manifest m1, m2;
  char buf[64], *dir = tmpdir(buf), name[64];
  uint8_t *data = malloc(3 << 20);
  uint64_t x = 0x9e3779b97f4a7c15ull;
  struct prog pr;
  (void)state;
  assert_non_null(data);
  for(size_t i = 0; i < (size_t)3 << 20; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    data[i] = (uint8_t)x;
  }
  for(int i = 0; i < 50; i++) {
    size_t n = (size_t)((x = x * 6364136223846793005ull + 1) >> 43);
    n %= i < 5 ? (size_t)3 << 20 : (size_t)200000;
    fmt(name, sizeof(name), "%s/f%02d.bin", i % 3 ? "d" : "e", i);
    put(dir, name, data + (i * 9973) % 1000, n > (3u << 20) - 1000 ?
        (3u << 20) - 1000 : n);
  }
  for(int ser = 0; ser < 2; ser++) {
    o.ser = ser ? BRINEI_SER_SHARDS : BRINEI_SER_FILES;
    o.shard_size = 65536;
    o.threads = 1;
    assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m1), BRINE_OK);
    o.threads = 2;
    memset(&pr, 0, sizeof(pr));
    pr.monotonic = true;
    o.progress = on_progress;
    o.progress_ud = &pr;
    assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m2), BRINE_OK);
    o.progress = NULL;
    assert_int_equal(m1.n, m2.n);
    assert_true(m1.n >= 50);
    for(size_t i = 0; i < m1.n; i++) {
      assert_string_equal(m1.items[i].name, m2.items[i].name);
      assert_memory_equal(m1.items[i].digest, m2.items[i].digest, 32);
    }
    assert_int_equal(m1.total_bytes, m2.total_bytes);
    assert_true(pr.monotonic);
    assert_true(pr.calls >= 1);
    assert_int_equal(pr.last, m2.total_bytes);
    assert_int_equal(pr.total, m2.total_bytes);
    check_against_python(&m2, dir);
    brinei_manifest_free(ctx, &m1);
    brinei_manifest_free(ctx, &m2);
  }
  free(data);
  rm_tree(dir);
  brine_ctx_free(ctx);
}

/* 300 MiB, mostly a hole, in 64 MiB shards: mapped in windows, hashed on
   two threads, progress reported along the way. */
static void test_big_sparse(void **state)
{
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  struct brinei_hash_opts o = opts_default();
  struct brinei_manifest m;
  char buf[64], *dir = tmpdir(buf), p[PATH_MAX];
  struct prog pr = {0, 0, 0, true};
  const uint64_t size = (uint64_t)300 << 20;
  char cmd[PATH_MAX + 256], line[128], want[65];
  FILE *f;
  int fd;
  (void)state;
  join(p, sizeof(p), dir, "big.bin");
  fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  assert_true(fd >= 0);
  assert_int_equal(ftruncate(fd, (off_t)size), 0);
  /* a few bytes so the shards differ */
  assert_int_equal(pwrite(fd, "shard0", 6, 12345), 6);
  assert_int_equal(pwrite(fd, "edge", 4, ((off_t)64 << 20) - 2), 4);
  assert_int_equal(pwrite(fd, "tail", 4, (off_t)size - 4), 4);
  assert_int_equal(close(fd), 0);
  o.ser = BRINEI_SER_SHARDS;
  o.shard_size = (uint64_t)64 << 20;
  o.threads = 2;
  o.progress = on_progress;
  o.progress_ud = &pr;
  assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m), BRINE_OK);
  assert_int_equal(m.n, 5);
  assert_string_equal(m.items[4].name, "big.bin:268435456:314572800");
  assert_int_equal(m.total_bytes, size);
  assert_true(pr.monotonic);
  assert_true(pr.calls >= 2);   /* along the way, and at the end */
  assert_int_equal(pr.last, size);
  /* shards 2 and 3 are all zero; the others are not */
  assert_memory_equal(m.items[2].digest, m.items[3].digest, 32);
  assert_memory_not_equal(m.items[1].digest, m.items[2].digest, 32);
  assert_memory_not_equal(m.items[0].digest, m.items[1].digest, 32);
  assert_memory_not_equal(m.items[4].digest, m.items[2].digest, 32);
  /* shard 1 (it starts with "ge") against hashlib; reading all 300 MiB
     in Python would take most of this test's time budget */
  fmt(cmd, sizeof(cmd), "/usr/bin/python3 -c 'import hashlib,sys\n"
      "f=open(sys.argv[1],\"rb\");f.seek(64<<20)\n"
      "print(hashlib.sha256(f.read(64<<20)).hexdigest())' %s", p);
  f = popen(cmd, "r");
  assert_non_null(f);
  assert_non_null(fgets(line, sizeof(line), f));
  assert_int_equal(pclose(f), 0);
  digest_hex(&m, &m.items[1], want);
  assert_int_equal(strlen(line), 65);
  line[64] = 0;
  assert_string_equal(want, line);
  brinei_manifest_free(ctx, &m);
  rm_tree(dir);
  brine_ctx_free(ctx);
}

/* Files that change under the hasher: the progress callback (run by the
   calling thread between chunks) grows a file not hashed yet, or cuts the
   one being hashed. */
struct mutate {
  char path[PATH_MAX];
  off_t to;
  bool done;
};

static void on_progress_mutate(void *ud, uint64_t done, uint64_t total)
{
  struct mutate *mu = ud;
  if(!mu->done && done < total) {
    assert_int_equal(truncate(mu->path, mu->to), 0);
    mu->done = true;
  }
}

static void test_changed_size(void **state)
{
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  struct brinei_hash_opts o = opts_default();
  struct brinei_manifest m;
  char buf[64], *dir = tmpdir(buf), p[PATH_MAX];
  struct mutate mu;
  (void)state;
  join(p, sizeof(p), dir, "big.bin");
  put_str(dir, "big.bin", "x");
  assert_int_equal(truncate(p, (off_t)100 << 20), 0);
  put_str(dir, "small.bin", "0123456789");
  memset(&mu, 0, sizeof(mu));
  join(mu.path, sizeof(mu.path), dir, "small.bin");
  mu.to = 11;
  o.threads = 1;  /* big.bin (largest) first, then small.bin */
  o.progress = on_progress_mutate;
  o.progress_ud = &mu;
  assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m), BRINE_E_IO);
  assert_true(mu.done);
  assert_non_null(strstr(brine_last_error(ctx)->message, "small.bin"));
  assert_non_null(strstr(brine_last_error(ctx)->message,
                         "changed size while being hashed (10 bytes, "
                         "then 11)"));
  /* cut while being read: a short read, reported (never SIGBUS) */
  memset(&mu, 0, sizeof(mu));
  join(mu.path, sizeof(mu.path), dir, "big.bin");
  mu.to = (off_t)65 << 20;
  assert_int_equal(brinei_manifest_build(ctx, dir, &o, &m), BRINE_E_IO);
  assert_true(mu.done);
  assert_non_null(strstr(brine_last_error(ctx)->message,
                         "big.bin: shrank while being hashed"));
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  rm_tree(dir);
  brine_ctx_free(ctx);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_golden_v110_key),
    cmocka_unit_test(test_golden_v100_single),
    cmocka_unit_test(test_golden_all),
    cmocka_unit_test(test_golden_abs_ignore),
    cmocka_unit_test(test_python_order),
    cmocka_unit_test(test_shards),
    cmocka_unit_test(test_cmp),
    cmocka_unit_test(test_ignore_git),
    cmocka_unit_test(test_symlinks),
    cmocka_unit_test(test_empty_and_errors),
    cmocka_unit_test(test_model_name),
    cmocka_unit_test(test_only),
    cmocka_unit_test(test_threads),
    cmocka_unit_test(test_big_sparse),
    cmocka_unit_test(test_changed_size),
  };
  if(getenv("TEST_FILTER"))  /* e.g. TEST_FILTER=test_shards */
    cmocka_set_test_filter(getenv("TEST_FILTER"));
  return cmocka_run_group_tests(tests, NULL, NULL);
}
