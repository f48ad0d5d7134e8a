/* brine's ZIP reader (src/formats/zip.c) on real archives (torch.save,
 * zipfile, numpy .npz; tests/data/zip/, made by tools/gen_zip_fixtures.py)
 * and on archives built here byte by byte: the tricks of
 * pickle-threats.md B2-B4, B11, B12, duplicate and overlapping entries,
 * bytes outside every entry, ZIP64, limits, and broken input (always a
 * result code, never a crash; every allocation failing in turn). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "formats/formats.h"

/* ---- byte builders ------------------------------------------------------ */

struct buf {
  uint8_t *p;
  size_t n, cap;
};

static void put(struct buf *b, const void *s, size_t n)
{
  if(b->n + n > b->cap) {
    size_t c = b->cap ? b->cap : 256;
    while(c < b->n + n)
      c *= 2;
    b->p = realloc(b->p, c);
    assert_non_null(b->p);
    b->cap = c;
  }
  if(n)
    memcpy(b->p + b->n, s, n);
  b->n += n;
}

static void p16(struct buf *b, uint64_t v)
{
  uint8_t t[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
  put(b, t, 2);
}

static void p32(struct buf *b, uint64_t v)
{
  p16(b, v & 0xffff);
  p16(b, (v >> 16) & 0xffff);
}

static void p64(struct buf *b, uint64_t v)
{
  p32(b, v & 0xffffffffu);
  p32(b, v >> 32);
}

static void pstr(struct buf *b, const char *s)
{
  put(b, s, strlen(s));
}

static void set16(struct buf *b, size_t at, unsigned v)
{
  b->p[at] = (uint8_t)v;
  b->p[at + 1] = (uint8_t)(v >> 8);
}

static void set32(struct buf *b, size_t at, uint32_t v)
{
  set16(b, at, v & 0xffff);
  set16(b, at + 2, v >> 16);
}

/* Local header (APPNOTE 4.3.7); returns its offset. */
static size_t local_hdr(struct buf *b, const char *name, size_t nl,
                        unsigned flags, unsigned method, uint32_t crc,
                        uint32_t cs, uint32_t us, const void *x, size_t xl)
{
  size_t at = b->n;
  p32(b, 0x04034b50);
  p16(b, 20);
  p16(b, flags);
  p16(b, method);
  p32(b, 0);          /* time, date */
  p32(b, crc);
  p32(b, cs);
  p32(b, us);
  p16(b, nl);
  p16(b, xl);
  put(b, name, nl);
  put(b, x, xl);
  return at;
}

/* Central header (APPNOTE 4.3.12). */
static void central_hdr(struct buf *b, const char *name, size_t nl,
                        unsigned flags, unsigned method, uint32_t crc,
                        uint32_t cs, uint32_t us, uint32_t off,
                        const void *x, size_t xl)
{
  p32(b, 0x02014b50);
  p16(b, 20);
  p16(b, 20);
  p16(b, flags);
  p16(b, method);
  p32(b, 0);
  p32(b, crc);
  p32(b, cs);
  p32(b, us);
  p16(b, nl);
  p16(b, xl);
  p16(b, 0);          /* comment */
  p16(b, 0);          /* disk */
  p16(b, 0);
  p32(b, 0);
  p32(b, off);
  put(b, name, nl);
  put(b, x, xl);
}

static void eocd(struct buf *b, unsigned n, uint32_t cds, uint32_t cdo,
                 const char *comment)
{
  p32(b, 0x06054b50);
  p16(b, 0);
  p16(b, 0);
  p16(b, n);
  p16(b, n);
  p32(b, cds);
  p32(b, cdo);
  p16(b, strlen(comment));
  pstr(b, comment);
}

/* Raw deflate of in[0..n). */
static void deflate_raw(const void *in, size_t n, struct buf *out)
{
  z_stream s;
  uint8_t tmp[4096];
  int r;
  memset(&s, 0, sizeof(s));
  assert_int_equal(deflateInit2(&s, 9, Z_DEFLATED, -15, 8,
                                Z_DEFAULT_STRATEGY), Z_OK);
  s.next_in = (Bytef *)(uintptr_t)in;
  s.avail_in = (uInt)n;
  do {
    s.next_out = tmp;
    s.avail_out = sizeof(tmp);
    r = deflate(&s, Z_FINISH);
    put(out, tmp, sizeof(tmp) - s.avail_out);
  } while(r == Z_OK);
  assert_int_equal(r, Z_STREAM_END);
  deflateEnd(&s);
}

struct member {
  const char *name;
  const char *plain;     /* uncompressed bytes */
  size_t plen;
  unsigned method;       /* 0 or 8 */
  unsigned flags;
  const char *lname;     /* local name when it differs */
  uint64_t off;          /* out: local header offset */
};

/* A whole archive: `prefix` bytes, each member (local header, data), the
   central directory, `tail` bytes, the EOCD. */
static void mkzip(struct buf *b, struct member *m, size_t k,
                  const char *prefix, const char *tail)
{
  struct buf cd = { 0 };
  size_t cdo;
  if(prefix)
    pstr(b, prefix);
  for(size_t i = 0; i < k; i++) {
    struct buf c = { 0 };
    const char *ln = m[i].lname ? m[i].lname : m[i].name;
    uint32_t crc = (uint32_t)crc32(0, (const Bytef *)m[i].plain,
                                   (uInt)m[i].plen);
    if(m[i].method == 8)
      deflate_raw(m[i].plain, m[i].plen, &c);
    else
      put(&c, m[i].plain, m[i].plen);
    m[i].off = local_hdr(b, ln, strlen(ln), m[i].flags, m[i].method, crc,
                         (uint32_t)c.n, (uint32_t)m[i].plen, NULL, 0);
    put(b, c.p, c.n);
    central_hdr(&cd, m[i].name, strlen(m[i].name), m[i].flags, m[i].method,
                crc, (uint32_t)c.n, (uint32_t)m[i].plen, (uint32_t)m[i].off,
                NULL, 0);
    free(c.p);
  }
  cdo = b->n;
  put(b, cd.p, cd.n);
  if(tail)
    pstr(b, tail);
  eocd(b, (unsigned)k, (uint32_t)cd.n, (uint32_t)cdo, "");
  free(cd.p);
}

/* ---- harness ------------------------------------------------------------ */

static struct brine_ctx *new_ctx(uint64_t ratio)
{
  struct brine_limits lim = brine_limits_default();
  struct brine_ctx *ctx;
  if(ratio)
    lim.ratio = ratio;
  ctx = brine_ctx_new(&lim, NULL);
  assert_non_null(ctx);
  return ctx;
}

static void done(struct brine_ctx *ctx, struct brinei_zip *z)
{
  brinei_zip_free(z);
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  brine_ctx_free(ctx);
}

static struct brinei_zip *open_ok(struct brine_ctx *ctx, const struct buf *b)
{
  struct brinei_zip *z = NULL;
  brine_result rc = brinei_zip_open(ctx, b->p, b->n, &z);
  if(rc)
    print_error("open: %s\n", brine_last_error(ctx)->message);
  assert_int_equal(rc, BRINE_OK);
  assert_non_null(z);
  return z;
}

static void load(const char *name, struct buf *b)
{
  char path[512];
  FILE *f;
  uint8_t t[4096];
  size_t n;
  snprintf(path, sizeof(path), "tests/data/zip/%s", name);
  f = fopen(path, "rb");
  if(!f)
    fail_msg("cannot open %s (run from the project root)", path);
  while((n = fread(t, 1, sizeof(t), f)) > 0)
    put(b, t, n);
  fclose(f);
}

/* Read entry i and check its CRC; returns the bytes (valid until free). */
static const uint8_t *read_ok(struct brinei_zip *z, size_t i, size_t *len,
                              uint8_t **owned)
{
  const uint8_t *d;
  uint32_t crc = 0;
  brine_result rc = brinei_zip_read(z, i, 1u << 26, &d, len, owned, &crc);
  if(rc)
    print_error("read: %s\n", brine_last_error(z->ctx)->message);
  assert_int_equal(rc, BRINE_OK);
  assert_int_equal(crc, z->e[i].crc);
  return d;
}

/* ---- real archives ------------------------------------------------------ */

static void test_torch(void **state)
{
  struct buf b = { 0 };
  struct brine_ctx *ctx = new_ctx(0);
  struct brinei_zip *z;
  static const char *const names[] = { "torch_small/data.pkl",
                                       "torch_small/data/0",
                                       "torch_small/version" };
  static const uint64_t sizes[] = { 162, 12, 2 };
  (void)state;
  load("torch_small.pt", &b);
  z = open_ok(ctx, &b);
  assert_true(z->zip64);
  assert_null(z->comment_msg);
  assert_int_equal(z->n, 3);
  assert_int_equal(z->nr, 0);
  for(size_t i = 0; i < 3; i++) {
    const struct brinei_zip_entry *e = &z->e[i];
    uint8_t *owned;
    size_t len;
    const uint8_t *d;
    assert_string_equal(e->name, names[i]);
    assert_int_equal(e->name_len, strlen(names[i]));
    assert_int_equal(e->flags, 0x0808);
    assert_int_equal(e->local_flags, 0x0808);
    assert_int_equal(e->method, 0);
    assert_int_equal(e->csize, sizes[i]);
    assert_int_equal(e->usize, sizes[i]);
    assert_int_equal(e->anomalies, 0);
    assert_null(e->local_name);
    assert_int_equal(e->data_off % 64, 0);   /* kFieldAlignment */
    assert_true(e->data_off > e->local_off);
    d = read_ok(z, i, &len, &owned);
    assert_null(owned);
    assert_ptr_equal(d, b.p + e->data_off);
    assert_int_equal(len, sizes[i]);
    if(i == 0)
      assert_int_equal(d[0], 0x80);          /* pickle PROTO */
    if(i == 1)
      assert_memory_equal(d, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);
    if(i == 2)
      assert_memory_equal(d, "3\n", 2);
  }
  assert_int_equal(z->e[0].data_off, 64);
  /* the CRC is optional: NULL skips it */
  {
    const uint8_t *d;
    size_t len;
    uint8_t *owned;
    assert_int_equal(brinei_zip_read(z, 2, 100, &d, &len, &owned, NULL),
                     BRINE_OK);
    assert_int_equal(brinei_zip_read(z, 3, 100, &d, &len, &owned, NULL),
                     BRINE_E_INVALID);
    /* stored data larger than max_out */
    assert_int_equal(brinei_zip_read(z, 0, 100, &d, &len, &owned, NULL),
                     BRINE_E_LIMIT);
    assert_non_null(strstr(brine_last_error(ctx)->message,
                           "inflate_bytes"));
  }
  done(ctx, z);
  free(b.p);
}

static void test_zip64_npz_deflate(void **state)
{
  struct buf b = { 0 };
  struct brine_ctx *ctx = new_ctx(0);
  struct brinei_zip *z;
  uint8_t *owned;
  size_t len;
  const uint8_t *d;
  (void)state;
  /* zipfile force_zip64: ZIP64 local extras, 0xFFFFFFFF local sizes */
  load("zip64.zip", &b);
  z = open_ok(ctx, &b);
  assert_int_equal(z->n, 2);
  assert_int_equal(z->nr, 0);
  assert_null(z->comment_msg);
  assert_int_equal(z->e[0].anomalies, 0);
  assert_int_equal(z->e[1].anomalies, 0);
  d = read_ok(z, 0, &len, &owned);
  assert_int_equal(len, 96);
  assert_memory_equal(d, "stored in a zip64 entry\n", 24);
  d = read_ok(z, 1, &len, &owned);
  assert_non_null(owned);
  assert_int_equal(len, 1040);
  assert_memory_equal(d + 1014, "deflated in a zip64 entry\n", 26);
  brinei_free(ctx, owned);
  brinei_zip_free(z);
  free(b.p);
  memset(&b, 0, sizeof(b));

  load("small.npz", &b);
  z = open_ok(ctx, &b);
  assert_int_equal(z->n, 2);
  assert_string_equal(z->e[0].name, "x.npy");
  assert_string_equal(z->e[1].name, "y.npy");
  for(size_t i = 0; i < 2; i++) {
    assert_int_equal(z->e[i].anomalies, 0);
    d = read_ok(z, i, &len, &owned);
    assert_memory_equal(d, "\x93NUMPY", 6);
  }
  brinei_zip_free(z);
  free(b.p);
  memset(&b, 0, sizeof(b));

  load("deflate.zip", &b);
  z = open_ok(ctx, &b);
  assert_int_equal(z->n, 2);
  assert_int_equal(z->e[0].method, 8);
  d = read_ok(z, 0, &len, &owned);
  assert_int_equal(len, 6200);
  assert_memory_equal(d, "line 0000 of a deflated member\n", 31);
  assert_memory_equal(d + 6169, "line 0199 of a deflated member\n", 31);
  brinei_free(ctx, owned);
  d = read_ok(z, 1, &len, &owned);
  assert_int_equal(len, 2048);
  for(size_t i = 0; i < len; i++)
    assert_int_equal(d[i], i & 0xff);
  brinei_free(ctx, owned);
  done(ctx, z);
  free(b.p);
}

/* B2-B4 and B11 on real archives */
static void test_threat_fixtures(void **state)
{
  struct buf b = { 0 };
  struct brine_ctx *ctx = new_ctx(0);
  struct brinei_zip *z;
  uint8_t *owned;
  size_t len;
  const uint8_t *d;
  uint32_t crc;
  (void)state;
  load("torch_b2_name.pt", &b);
  z = open_ok(ctx, &b);
  assert_int_equal(z->e[0].anomalies, ZA_NAME);
  assert_string_equal(z->e[0].name, "torch_small/data.pkl");
  assert_string_equal(z->e[0].local_name, "torch_small/datap.kl");
  assert_int_equal(z->e[1].anomalies | z->e[2].anomalies, 0);
  d = read_ok(z, 0, &len, &owned);   /* torch reads it by central name */
  assert_int_equal(d[0], 0x80);
  brinei_zip_free(z);
  free(b.p);
  memset(&b, 0, sizeof(b));

  load("torch_b3_flag.pt", &b);
  z = open_ok(ctx, &b);
  assert_int_equal(z->e[0].anomalies, ZA_FLAGS);
  assert_int_equal(z->e[0].flags & 1, 1);
  assert_int_equal(z->e[0].local_flags & 1, 1);
  d = read_ok(z, 0, &len, &owned);   /* flag bits ignored, as miniz */
  assert_int_equal(d[0], 0x80);
  brinei_zip_free(z);
  free(b.p);
  memset(&b, 0, sizeof(b));

  load("torch_b4_crc.pt", &b);
  z = open_ok(ctx, &b);
  for(size_t i = 0; i < 3; i++)
    assert_int_equal(z->e[i].anomalies, 0);
  assert_int_equal(brinei_zip_read(z, 1, 1000, &d, &len, &owned, &crc),
                   BRINE_OK);
  assert_int_not_equal(crc, z->e[1].crc);
  brinei_zip_free(z);
  free(b.p);
  memset(&b, 0, sizeof(b));

  load("b11_fail_open.zip", &b);
  z = open_ok(ctx, &b);
  assert_int_equal(z->n, 3);
  assert_int_equal(z->e[0].anomalies, ZA_FLAGS);
  assert_int_equal(z->e[1].anomalies, 0);
  assert_int_equal(z->e[2].anomalies, 0);
  assert_string_equal(z->e[1].name, "archive/data.pkl");
  d = read_ok(z, 1, &len, &owned);
  assert_int_equal(d[0], 0x80);
  d = read_ok(z, 2, &len, &owned);
  assert_memory_equal(d, "3\n", 2);
  done(ctx, z);
  free(b.p);
}

/* ---- built archives ----------------------------------------------------- */

static void test_deflate_roundtrip(void **state)
{
  struct buf b = { 0 };
  struct brine_ctx *ctx = new_ctx(0);
  struct brinei_zip *z;
  char text[5000];
  struct member m[2] = {
    { "t.txt", text, sizeof(text), 8, 0, NULL, 0 },
    { "empty", "", 0, 8, 0, NULL, 0 },
  };
  uint8_t *owned;
  size_t len;
  const uint8_t *d;
  (void)state;
  for(size_t i = 0; i < sizeof(text); i++)
    text[i] = (char)("abcdefgh"[i % 8] + (i % 7 == 0));
  mkzip(&b, m, 2, NULL, NULL);
  z = open_ok(ctx, &b);
  assert_int_equal(z->nr, 0);
  d = read_ok(z, 0, &len, &owned);
  assert_int_equal(len, sizeof(text));
  assert_memory_equal(d, text, sizeof(text));
  brinei_free(ctx, owned);
  d = read_ok(z, 1, &len, &owned);
  assert_int_equal(len, 0);
  assert_non_null(d);
  brinei_free(ctx, owned);
  /* an empty deflated member with no data at all: miniz returns it empty */
  z->e[1].csize = 0;
  d = read_ok(z, 1, &len, &owned);
  assert_int_equal(len, 0);
  assert_null(owned);
  /* a lower max_out stops it */
  assert_int_equal(brinei_zip_read(z, 0, 4999, &d, &len, &owned, NULL),
                   BRINE_E_LIMIT);
  assert_null(owned);
  assert_non_null(strstr(brine_last_error(ctx)->message, "inflate_bytes"));
  /* the size must match the central one */
  z->e[0].usize = 4000;
  assert_int_equal(brinei_zip_read(z, 0, 1u << 20, &d, &len, &owned, NULL),
                   BRINE_E_MALFORMED);
  z->e[0].usize = 6000;
  assert_int_equal(brinei_zip_read(z, 0, 1u << 20, &d, &len, &owned, NULL),
                   BRINE_E_MALFORMED);
  z->e[0].usize = sizeof(text);
  /* truncated deflate data */
  z->e[0].csize -= 10;
  assert_int_equal(brinei_zip_read(z, 0, 1u << 20, &d, &len, &owned, NULL),
                   BRINE_E_MALFORMED);
  /* other methods */
  z->e[0].method = 12;
  assert_int_equal(brinei_zip_read(z, 0, 1u << 20, &d, &len, &owned, NULL),
                   BRINE_E_UNSUPPORTED);
  done(ctx, z);
  free(b.p);
}

/* Raw deflate of n zero bytes, fed from a small buffer; *crc gets their
   CRC-32. */
static void deflate_zeros(size_t n, struct buf *out, uint32_t *crc)
{
  static const uint8_t zero[1 << 16];
  z_stream s;
  uint8_t tmp[1 << 16];
  uLong c = crc32(0, NULL, 0);
  int r;
  memset(&s, 0, sizeof(s));
  assert_int_equal(deflateInit2(&s, 9, Z_DEFLATED, -15, 8,
                                Z_DEFAULT_STRATEGY), Z_OK);
  do {
    size_t k = n < sizeof(zero) ? n : sizeof(zero);
    n -= k;
    c = crc32(c, zero, (uInt)k);
    s.next_in = (Bytef *)(uintptr_t)zero;
    s.avail_in = (uInt)k;
    do {
      s.next_out = tmp;
      s.avail_out = sizeof(tmp);
      r = deflate(&s, n ? Z_NO_FLUSH : Z_FINISH);
      put(out, tmp, sizeof(tmp) - s.avail_out);
    } while(s.avail_out == 0);
  } while(n);
  assert_int_equal(r, Z_STREAM_END);
  deflateEnd(&s);
  *crc = (uint32_t)c;
}

/* A zero bomb past the ratio floor (the brief's "50 MB" member grows with
   BRINE_RATIO_FLOOR) with lim.ratio = 10. */
static void test_ratio_limit(void **state)
{
  struct buf b = { 0 }, c = { 0 }, cd = { 0 };
  struct brine_ctx *ctx = new_ctx(10);
  struct brinei_zip *z;
  const size_t n = (size_t)BRINE_RATIO_FLOOR + (50u << 20);
  uint8_t *owned;
  size_t len;
  const uint8_t *d;
  uint32_t crc;
  (void)state;
  deflate_zeros(n, &c, &crc);
  local_hdr(&b, "bomb", 4, 0, 8, crc, (uint32_t)c.n, (uint32_t)n, NULL, 0);
  put(&b, c.p, c.n);
  central_hdr(&cd, "bomb", 4, 0, 8, crc, (uint32_t)c.n, (uint32_t)n, 0,
              NULL, 0);
  {
    size_t cdo = b.n;
    put(&b, cd.p, cd.n);
    eocd(&b, 1, (uint32_t)cd.n, (uint32_t)cdo, "");
  }
  z = open_ok(ctx, &b);
  assert_int_equal(z->e[0].anomalies, 0);
  assert_int_equal(brinei_zip_read(z, 0, UINT64_MAX, &d, &len, &owned,
                                   &crc), BRINE_E_LIMIT);
  assert_null(owned);
  assert_non_null(strstr(brine_last_error(ctx)->message, "ratio"));
  /* zeros deflate about 1000:1: a higher ratio lets it through */
  ctx->lim.ratio = 1u << 20;
  assert_int_equal(brinei_zip_read(z, 0, n, &d, &len, &owned, &crc),
                   BRINE_OK);
  assert_int_equal(crc, z->e[0].crc);
  assert_int_equal(len, n);
  brinei_free(ctx, owned);
  done(ctx, z);
  free(b.p);
  free(c.p);
  free(cd.p);
}

static void test_dup_path_flags(void **state)
{
  struct buf b = { 0 };
  struct brine_ctx *ctx = new_ctx(0);
  struct brinei_zip *z;
  struct member m[] = {
    { "a/x", "1", 1, 0, 0, NULL, 0 },
    { "a/x", "2", 1, 0, 0, NULL, 0 },
    { "../evil", "3", 1, 0, 0, NULL, 0 },
    { "/abs", "4", 1, 0, 0, NULL, 0 },
    { "C:win", "5", 1, 0, 0, NULL, 0 },
    { "a\\b", "6", 1, 0, 0, NULL, 0 },
    { "a/../b", "7", 1, 0, 0, NULL, 0 },
    { "a..b/..c/d..", "8", 1, 0, 0, NULL, 0 },
    { "p", "9", 1, 0, 0x20, NULL, 0 },
    { "q", "9", 1, 0, 0x40, NULL, 0 },
    { "r", "9", 1, 0, 0x2000, NULL, 0 },
    { "s", "9", 1, 0, 0x0808 & ~0x8, NULL, 0 },
  };
  static const uint32_t want[] = { 0, ZA_DUP, ZA_PATH, ZA_PATH, ZA_PATH,
                                   ZA_PATH, ZA_PATH, 0, ZA_FLAGS, ZA_FLAGS,
                                   ZA_FLAGS, 0 };
  (void)state;
  mkzip(&b, m, BRINE_ARRAY_LEN(m), NULL, NULL);
  z = open_ok(ctx, &b);
  assert_int_equal(z->n, BRINE_ARRAY_LEN(m));
  for(size_t i = 0; i < z->n; i++) {
    uint8_t *owned;
    size_t len;
    const uint8_t *d;
    if(z->e[i].anomalies != want[i])
      print_error("entry %zu: %x\n", i, z->e[i].anomalies);
    assert_int_equal(z->e[i].anomalies, want[i]);
    d = read_ok(z, i, &len, &owned);
    assert_int_equal(len, 1);
    assert_int_equal(d[0], m[i].plain[0]);
  }
  assert_int_equal(z->nr, 0);
  done(ctx, z);
  free(b.p);

  /* a NUL inside a name */
  {
    struct buf c = { 0 }, cd = { 0 };
    size_t cdo;
    ctx = new_ctx(0);
    local_hdr(&c, "ok\0.pkl", 7, 0, 0, 0, 0, 0, NULL, 0);
    central_hdr(&cd, "ok\0.pkl", 7, 0, 0, 0, 0, 0, 0, NULL, 0);
    cdo = c.n;
    put(&c, cd.p, cd.n);
    eocd(&c, 1, (uint32_t)cd.n, (uint32_t)cdo, "");
    z = open_ok(ctx, &c);
    assert_int_equal(z->e[0].anomalies, ZA_PATH);
    assert_int_equal(z->e[0].name_len, 7);
    assert_memory_equal(z->e[0].name, "ok\0.pkl", 8);
    done(ctx, z);
    free(c.p);
    free(cd.p);
  }
}

/* Local headers that disagree with the central directory. */
static void test_header_mismatch(void **state)
{
  struct buf b = { 0 }, cd = { 0 };
  struct brine_ctx *ctx = new_ctx(0);
  struct brinei_zip *z;
  uint32_t crc = (uint32_t)crc32(0, (const Bytef *)"hello", 5);
  size_t o[6], cdo;
  (void)state;
  /* 0: local method differs; 1: local size differs; 2: bit 3 with zero
     local values and a descriptor (fine); 3: local flags differ;
     4: local crc differs; 5: bit 3 with a wrong nonzero local crc */
  o[0] = local_hdr(&b, "m0", 2, 0, 8, crc, 5, 5, NULL, 0);
  pstr(&b, "hello");
  o[1] = local_hdr(&b, "m1", 2, 0, 0, crc, 4, 5, NULL, 0);
  pstr(&b, "hello");
  o[2] = local_hdr(&b, "m2", 2, 8, 0, 0, 0, 0, NULL, 0);
  pstr(&b, "hello");
  p32(&b, 0x08074b50);
  p32(&b, crc);
  p32(&b, 5);
  p32(&b, 5);
  o[3] = local_hdr(&b, "m3", 2, 0x800, 0, crc, 5, 5, NULL, 0);
  pstr(&b, "hello");
  o[4] = local_hdr(&b, "m4", 2, 0, 0, crc ^ 1, 5, 5, NULL, 0);
  pstr(&b, "hello");
  o[5] = local_hdr(&b, "m5", 2, 8, 0, 1, 0, 0, NULL, 0);
  pstr(&b, "hello");
  for(size_t i = 0; i < 6; i++) {
    char nm[3] = { 'm', (char)('0' + i), 0 };
    central_hdr(&cd, nm, 2, i == 2 || i == 5 ? 8 : 0, 0, crc, 5, 5,
                (uint32_t)o[i], NULL, 0);
  }
  cdo = b.n;
  put(&b, cd.p, cd.n);
  eocd(&b, 6, (uint32_t)cd.n, (uint32_t)cdo, "");
  z = open_ok(ctx, &b);
  assert_int_equal(z->e[0].anomalies, ZA_HEADER);
  assert_int_equal(z->e[0].local_method, 8);
  assert_int_equal(z->e[1].anomalies, ZA_HEADER);
  assert_int_equal(z->e[2].anomalies, 0);
  assert_int_equal(z->e[3].anomalies, ZA_HEADER);
  assert_int_equal(z->e[4].anomalies, ZA_HEADER);
  assert_int_equal(z->e[5].anomalies, ZA_HEADER);
  /* the descriptor of m2 is accounted for: no region */
  assert_int_equal(z->nr, 0);
  for(size_t i = 0; i < 6; i++) {
    uint8_t *owned;
    size_t len;
    const uint8_t *d = read_ok(z, i, &len, &owned);
    assert_memory_equal(d, "hello", 5);
  }
  done(ctx, z);
  free(b.p);
  free(cd.p);
}

static void test_overlap(void **state)
{
  struct buf b = { 0 }, cd = { 0 }, inner = { 0 };
  struct brine_ctx *ctx = new_ctx(0);
  struct brinei_zip *z;
  uint32_t c1 = (uint32_t)crc32(0, (const Bytef *)"one", 3), c2;
  size_t a, cdo;
  (void)state;
  /* "outer" stores a whole local entry "inner"; a central header points
     into it; "alias" shares outer's local header */
  local_hdr(&inner, "inner", 5, 0, 0, c1, 3, 3, NULL, 0);
  pstr(&inner, "one");
  c2 = (uint32_t)crc32(0, inner.p, (uInt)inner.n);
  a = local_hdr(&b, "outer", 5, 0, 0, c2, (uint32_t)inner.n,
                (uint32_t)inner.n, NULL, 0);
  put(&b, inner.p, inner.n);
  central_hdr(&cd, "outer", 5, 0, 0, c2, (uint32_t)inner.n,
              (uint32_t)inner.n, (uint32_t)a, NULL, 0);
  central_hdr(&cd, "inner", 5, 0, 0, c1, 3, 3, (uint32_t)(a + 35), NULL, 0);
  central_hdr(&cd, "alias", 5, 0, 0, c2, (uint32_t)inner.n,
              (uint32_t)inner.n, (uint32_t)a, NULL, 0);
  cdo = b.n;
  put(&b, cd.p, cd.n);
  eocd(&b, 3, (uint32_t)cd.n, (uint32_t)cdo, "");
  z = open_ok(ctx, &b);
  assert_int_equal(z->e[0].anomalies, ZA_OVERLAP);
  assert_int_equal(z->e[1].anomalies, ZA_OVERLAP);
  assert_int_equal(z->e[2].anomalies, ZA_OVERLAP | ZA_NAME);
  assert_string_equal(z->e[2].local_name, "outer");
  assert_int_equal(z->nr, 0);
  for(size_t i = 0; i < 3; i++) {
    uint8_t *owned;
    size_t len;
    (void)read_ok(z, i, &len, &owned);
  }
  done(ctx, z);
  free(b.p);
  free(cd.p);
  free(inner.p);
}

/* Bytes no entry covers: a prefix, a hidden local entry (B12-style
   payload the central directory does not list), a gap, a tail between the
   central directory and the EOCD, bytes after the comment. */
static void test_regions(void **state)
{
  struct buf b = { 0 }, cd = { 0 }, c = { 0 };
  struct brine_ctx *ctx = new_ctx(0);
  struct brinei_zip *z;
  uint32_t crc = (uint32_t)crc32(0, (const Bytef *)"AAAA", 4), hc;
  static const char hidden[] = "hidden payload, deflated hidden payload";
  size_t a, h, h2, g, e2, cdo, cde;
  uint8_t *owned;
  size_t len;
  const uint8_t *d;
  (void)state;
  pstr(&b, "#!stub\n");                             /* ZR_PREFIX 0..7 */
  a = local_hdr(&b, "a", 1, 0, 0, crc, 4, 4, NULL, 0);
  pstr(&b, "AAAA");
  deflate_raw(hidden, sizeof(hidden) - 1, &c);
  hc = (uint32_t)crc32(0, (const Bytef *)hidden, sizeof(hidden) - 1);
  h = local_hdr(&b, "archive/data/7", 14, 0, 8, hc, (uint32_t)c.n,
                sizeof(hidden) - 1, NULL, 0);       /* ZR_UNLISTED */
  put(&b, c.p, c.n);
  h2 = local_hdr(&b, "x.pkl", 5, 8, 0, 0, 0, 0, NULL, 0); /* bit 3, 0 */
  pstr(&b, "\x80\x02K\x01.");
  g = b.n;
  pstr(&b, "junk");                                 /* x.pkl runs to here */
  e2 = local_hdr(&b, "b", 1, 0, 0, crc, 4, 4, NULL, 0);
  pstr(&b, "AAAA");
  pstr(&b, "GAPGAP");                               /* ZR_GAP */
  central_hdr(&cd, "a", 1, 0, 0, crc, 4, 4, (uint32_t)a, NULL, 0);
  central_hdr(&cd, "b", 1, 0, 0, crc, 4, 4, (uint32_t)e2, NULL, 0);
  cdo = b.n;
  put(&b, cd.p, cd.n);
  cde = b.n;
  pstr(&b, "TAIL");                                 /* ZR_TAIL */
  eocd(&b, 2, (uint32_t)cd.n, (uint32_t)cdo, "comment");
  pstr(&b, "AFTER");                                /* ZR_TAIL */
  z = open_ok(ctx, &b);
  assert_int_equal(z->e[0].anomalies | z->e[1].anomalies, 0);
  /* zipfile would shift offsets by the 4 tail bytes */
  assert_non_null(z->comment_msg);
  assert_non_null(strstr(z->comment_msg, "shifts every offset by 4"));
  assert_int_equal(z->nr, 6);
  assert_int_equal(z->r[0].kind, ZR_PREFIX);
  assert_int_equal(z->r[0].off, 0);
  assert_int_equal(z->r[0].len, 7);
  assert_int_equal(z->r[1].kind, ZR_UNLISTED);
  assert_int_equal(z->r[1].off, h);
  assert_int_equal(z->r[1].len, h2 - h);
  assert_string_equal(z->r[1].name, "archive/data/7");
  assert_int_equal(z->r[1].data_off, h + 30 + 14);
  assert_int_equal(z->r[1].data_len, c.n);
  assert_int_equal(brinei_zip_read_region(z, 1, 1000, &d, &len, &owned),
                   BRINE_OK);
  assert_int_equal(len, sizeof(hidden) - 1);
  assert_memory_equal(d, hidden, len);
  brinei_free(ctx, owned);
  assert_int_equal(z->r[2].kind, ZR_UNLISTED);
  assert_int_equal(z->r[2].off, h2);
  assert_int_equal(z->r[2].len, e2 - h2);
  assert_string_equal(z->r[2].name, "x.pkl");
  assert_int_equal(z->r[2].data_len, e2 - h2 - 35);
  assert_int_equal(brinei_zip_read_region(z, 2, 1000, &d, &len, &owned),
                   BRINE_OK);
  assert_null(owned);
  assert_int_equal(len, e2 - h2 - 35);
  assert_memory_equal(d, "\x80\x02K\x01.junk", 9);
  (void)g;
  assert_int_equal(z->r[3].kind, ZR_GAP);
  assert_int_equal(z->r[3].off, cdo - 6);
  assert_int_equal(z->r[3].len, 6);
  assert_null(z->r[3].name);
  assert_int_equal(brinei_zip_read_region(z, 3, 1000, &d, &len, &owned),
                   BRINE_E_INVALID);
  assert_int_equal(z->r[4].kind, ZR_TAIL);
  assert_int_equal(z->r[4].off, cde);
  assert_int_equal(z->r[4].len, 4);
  assert_int_equal(z->r[5].kind, ZR_TAIL);
  assert_int_equal(z->r[5].off, b.n - 5);
  assert_int_equal(z->r[5].len, 5);
  done(ctx, z);
  free(b.p);
  free(cd.p);
  free(c.p);
}

/* ZIP64: end records, extras, and what happens when they are wrong. */
static void test_zip64_records(void **state)
{
  struct buf b = { 0 }, cd = { 0 }, x = { 0 };
  struct brine_ctx *ctx = new_ctx(0);
  struct brinei_zip *z;
  uint32_t crc = (uint32_t)crc32(0, (const Bytef *)"data", 4);
  size_t a, a2, cdo, z64, mark;
  uint8_t *owned;
  size_t len;
  const uint8_t *d;
  (void)state;
  a = local_hdr(&b, "big", 3, 0, 0, crc, 4, 4, NULL, 0);
  pstr(&b, "data");
  a2 = local_hdr(&b, "nox", 3, 0, 0, crc, 4, 4, NULL, 0);
  pstr(&b, "data");
  /* central: sizes and offset in the ZIP64 extra */
  p16(&x, 1);
  p16(&x, 24);
  p64(&x, 4);
  p64(&x, 4);
  p64(&x, a);
  central_hdr(&cd, "big", 3, 0, 0, crc, 0xffffffffu, 0xffffffffu,
              0xffffffffu, x.p, x.n);
  /* a second entry whose ZIP64 extra is missing */
  central_hdr(&cd, "nox", 3, 0, 0, crc, 0xffffffffu, 4, (uint32_t)a2,
              NULL, 0);
  cdo = b.n;
  put(&b, cd.p, cd.n);
  z64 = b.n;
  p32(&b, 0x06064b50);
  p64(&b, 44);
  p16(&b, 45);
  p16(&b, 45);
  p32(&b, 0);
  p32(&b, 0);
  p64(&b, 2);
  p64(&b, 2);
  p64(&b, cd.n);
  p64(&b, cdo);
  p32(&b, 0x07064b50);
  p32(&b, 0);
  p64(&b, z64);
  p32(&b, 1);
  mark = b.n;
  eocd(&b, 0xffff, 0xffffffffu, 0xffffffffu, "");
  z = open_ok(ctx, &b);
  assert_true(z->zip64);
  assert_null(z->comment_msg);
  assert_int_equal(z->n, 2);
  assert_int_equal(z->e[0].csize, 4);
  assert_int_equal(z->e[0].local_off, a);
  assert_int_equal(z->e[0].anomalies, 0);
  d = read_ok(z, 0, &len, &owned);
  assert_memory_equal(d, "data", 4);
  assert_int_equal(z->e[1].anomalies, ZA_ZIP64 | ZA_BOUNDS | ZA_HEADER);
  assert_int_equal(z->e[1].data_off, 0);
  /* its data is then not accounted for */
  assert_int_equal(z->nr, 1);
  assert_int_equal(z->r[0].kind, ZR_GAP);
  assert_int_equal(z->r[0].off, a2 + 33);
  assert_int_equal(brinei_zip_read(z, 1, 100, &d, &len, &owned, NULL),
                   BRINE_E_MALFORMED);
  brinei_zip_free(z);

  /* EOCD values that are not saturated must agree with ZIP64's */
  set16(&b, mark + 10, 1);
  z = open_ok(ctx, &b);
  assert_non_null(z->comment_msg);
  assert_non_null(strstr(z->comment_msg, "total entries"));
  brinei_zip_free(z);
  set16(&b, mark + 10, 0xffff);

  /* locator offset outside the file */
  set32(&b, mark - 12, 0x7fffffff);
  assert_int_equal(brinei_zip_open(ctx, b.p, b.n, &z), BRINE_E_MALFORMED);
  assert_null(z);
  /* locator pointing at no ZIP64 record: the EOCD is used (as miniz) */
  set32(&b, mark - 12, 0);
  assert_int_equal(brinei_zip_open(ctx, b.p, b.n, &z), BRINE_E_MALFORMED);
  set32(&b, mark - 12, (uint32_t)z64);
  /* multi-disk */
  set32(&b, mark - 4, 2);
  assert_int_equal(brinei_zip_open(ctx, b.p, b.n, &z), BRINE_E_MALFORMED);
  assert_non_null(strstr(brine_last_error(ctx)->message, "multi-disk"));
  set32(&b, mark - 4, 1);
  z = open_ok(ctx, &b);
  done(ctx, z);
  free(b.p);
  free(cd.p);
  free(x.p);
}

/* Central directories that cannot be right. */
static void test_central_errors(void **state)
{
  struct buf b = { 0 };
  struct brine_ctx *ctx = new_ctx(0);
  struct brinei_zip *z;
  struct member m[2] = {
    { "a", "1", 1, 0, 0, NULL, 0 },
    { "b", "2", 1, 0, 0, NULL, 0 },
  };
  size_t e;
  (void)state;
  mkzip(&b, m, 2, NULL, NULL);
  e = b.n - 22;
  z = open_ok(ctx, &b);
  brinei_zip_free(z);
  /* more entries than the central directory can hold */
  set16(&b, e + 8, 3);
  set16(&b, e + 10, 3);
  assert_int_equal(brinei_zip_open(ctx, b.p, b.n, &z), BRINE_E_MALFORMED);
  /* fewer entries than headers: zipfile sees more than miniz */
  set16(&b, e + 8, 1);
  set16(&b, e + 10, 1);
  assert_int_equal(brinei_zip_open(ctx, b.p, b.n, &z), BRINE_E_MALFORMED);
  set16(&b, e + 8, 2);
  set16(&b, e + 10, 2);
  /* multi-disk */
  set16(&b, e + 4, 1);
  assert_int_equal(brinei_zip_open(ctx, b.p, b.n, &z), BRINE_E_MALFORMED);
  set16(&b, e + 4, 0);
  /* central directory outside the file */
  set32(&b, e + 16, (uint32_t)b.n);
  assert_int_equal(brinei_zip_open(ctx, b.p, b.n, &z), BRINE_E_MALFORMED);
  assert_non_null(strstr(brine_last_error(ctx)->message, "outside"));
  /* or running into the end records */
  set32(&b, e + 16, (uint32_t)(e - 84));
  assert_int_equal(brinei_zip_open(ctx, b.p, b.n, &z), BRINE_E_MALFORMED);
  assert_non_null(strstr(brine_last_error(ctx)->message, "end records"));
  set32(&b, e + 16, (uint32_t)(e - 2 * 47));
  z = open_ok(ctx, &b);
  brinei_zip_free(z);
  /* lim.entries */
  ctx->lim.entries = 1;
  assert_int_equal(brinei_zip_open(ctx, b.p, b.n, &z), BRINE_E_LIMIT);
  ctx->lim.entries = 65536;
  /* a local header outside the file, and data running into the central
     directory */
  set32(&b, e - 47 + 42, 0x00ffffff);
  z = open_ok(ctx, &b);
  assert_int_equal(z->e[1].anomalies, ZA_BOUNDS);
  assert_int_equal(z->e[1].data_off, 0);
  brinei_zip_free(z);
  set32(&b, e - 47 + 42, 32);
  set32(&b, e - 47 + 20, 60);
  set32(&b, e - 47 + 24, 60);
  z = open_ok(ctx, &b);
  assert_true(z->e[1].anomalies & ZA_BOUNDS);
  {
    const uint8_t *d;
    size_t len;
    uint8_t *owned;
    /* still inside the file: miniz reads it, so do we */
    assert_int_equal(brinei_zip_read(z, 1, 100, &d, &len, &owned, NULL),
                     BRINE_OK);
    assert_int_equal(len, 60);
  }
  done(ctx, z);
  free(b.p);
}

/* Truncated, garbage and mutated input: a result code, never a crash. */
static void test_broken(void **state)
{
  struct buf b = { 0 };
  struct brine_ctx *ctx = new_ctx(0);
  struct brinei_zip *z = NULL;
  uint32_t seed = 12345;
  (void)state;
  assert_int_equal(brinei_zip_open(ctx, (const uint8_t *)"", 0, &z),
                   BRINE_E_MALFORMED);
  assert_int_equal(brinei_zip_open(ctx, (const uint8_t *)"PK\5\6", 4, &z),
                   BRINE_E_MALFORMED);
  assert_int_equal(brinei_zip_open(ctx, (const uint8_t *)
                                   "garbage garbage garbage garbage", 31,
                                   &z), BRINE_E_MALFORMED);
  assert_non_null(strstr(brine_last_error(ctx)->message, "end of central"));
  load("torch_small.pt", &b);
  /* every truncation */
  for(size_t n = 0; n < b.n; n++) {
    brine_result rc = brinei_zip_open(ctx, b.p, n, &z);
    assert_true(rc == BRINE_E_MALFORMED);
    assert_null(z);
  }
  /* random byte flips, then read everything that opens */
  for(int round = 0; round < 3000; round++) {
    uint8_t *t = malloc(b.n);
    memcpy(t, b.p, b.n);
    for(int k = 0; k < 1 + round % 4; k++) {
      seed = seed * 1103515245u + 12345u;
      t[(seed >> 8) % b.n] ^= (uint8_t)(1u << ((seed >> 4) & 7));
    }
    if(!brinei_zip_open(ctx, t, b.n, &z)) {
      for(size_t i = 0; i < z->n; i++) {
        const uint8_t *d;
        size_t len;
        uint8_t *owned = NULL;
        uint32_t crc;
        if(!brinei_zip_read(z, i, 1u << 20, &d, &len, &owned, &crc))
          brinei_free(ctx, owned);
      }
      for(size_t i = 0; i < z->nr; i++) {
        const uint8_t *d;
        size_t len;
        uint8_t *owned = NULL;
        if(!brinei_zip_read_region(z, i, 1u << 20, &d, &len, &owned))
          brinei_free(ctx, owned);
      }
      brinei_zip_free(z);
    }
    free(t);
  }
  assert_int_equal(brine_ctx_mem_used(ctx), 0);
  brine_ctx_free(ctx);
  free(b.p);
}

/* Every allocation failing in turn: NOMEM or success, nothing leaked. */
static void test_alloc_failures(void **state)
{
  struct buf b = { 0 };
  struct brine_ctx *ctx = new_ctx(0);
  struct member m[3] = {
    { "a/x", "1", 1, 0, 0, NULL, 0 },
    { "a/y", "hello hello hello hello", 23, 8, 0, "a/z", 0 },
    { "a/x", "3", 1, 0, 0, NULL, 0 },
  };
  bool ok = false;
  (void)state;
  mkzip(&b, m, 3, "prefix", "tail");
  for(uint64_t k = 1; k < 200 && !ok; k++) {
    struct brinei_zip *z = NULL;
    brine_result rc;
    ctx->fail_after = k;
    rc = brinei_zip_open(ctx, b.p, b.n, &z);
    assert_true(rc == BRINE_OK || rc == BRINE_E_NOMEM);
    if(!rc) {
      const uint8_t *d;
      size_t len;
      uint8_t *owned = NULL;
      rc = brinei_zip_read(z, 1, 1000, &d, &len, &owned, NULL);
      assert_true(rc == BRINE_OK || rc == BRINE_E_NOMEM);
      ok = rc == BRINE_OK;
      brinei_free(ctx, owned);
      brinei_zip_free(z);
    }
    assert_int_equal(brine_ctx_mem_used(ctx), 0);
  }
  assert_true(ok);
  ctx->fail_after = 0;
  brine_ctx_free(ctx);
  free(b.p);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_torch),
    cmocka_unit_test(test_zip64_npz_deflate),
    cmocka_unit_test(test_threat_fixtures),
    cmocka_unit_test(test_deflate_roundtrip),
    cmocka_unit_test(test_ratio_limit),
    cmocka_unit_test(test_dup_path_flags),
    cmocka_unit_test(test_header_mismatch),
    cmocka_unit_test(test_overlap),
    cmocka_unit_test(test_regions),
    cmocka_unit_test(test_zip64_records),
    cmocka_unit_test(test_central_errors),
    cmocka_unit_test(test_broken),
    cmocka_unit_test(test_alloc_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
