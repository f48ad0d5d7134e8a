/* formats/decompress.c, sniff.c, archive.c against real fixtures
 * (tests/data/compress/, made by tools/gen_compress_fixtures.py): exact
 * round trips, concatenated members, truncation, corruption, trailing
 * data, the output and ratio limits, recognition, and tar/7z walks. Run
 * from the top of the tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/formats.h"

#define DIR "tests/data/compress/"

static uint8_t *slurp(const char *name, size_t *len)
{
  char path[256];
  FILE *f;
  uint8_t *buf = NULL;
  long n = 0;
  snprintf(path, sizeof(path), DIR "%s", name);
  f = fopen(path, "rb");
  if(!f)
    fail_msg("cannot open %s (run from the top of the tree)", path);
  if(fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
    fail_msg("cannot size %s", path);
  buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static struct brine_ctx *new_ctx(uint64_t ratio, uint64_t entries)
{
  struct brine_limits lim = brine_limits_default();
  struct brine_ctx *ctx;
  if(ratio)
    lim.ratio = ratio;
  if(entries)
    lim.entries = entries;
  ctx = brine_ctx_new(&lim, NULL);
  assert_non_null(ctx);
  return ctx;
}

static void done_ctx(struct brine_ctx *ctx)
{
  assert_int_equal(brine_ctx_mem_used(ctx), 0);  /* nothing leaked */
  brine_ctx_free(ctx);
}

static const char *errmsg(struct brine_ctx *ctx)
{
  return brine_last_error(ctx)->message;
}

/* the expected content: plain.bin, or plain.bin + second.bin */
static uint8_t *expected(bool two, size_t *len)
{
  size_t a, b;
  uint8_t *c = slurp("plain.bin", &a);
  if(two) {
    uint8_t *s = slurp("second.bin", &b);
    c = realloc(c, a + b);
    assert_non_null(c);
    memcpy(c + a, s, b);
    free(s);
    a += b;
  }
  *len = a;
  return c;
}

static const struct {
  const char *file;
  enum brinei_fmt fmt;
  bool two;            /* two members/streams/frames */
} streams[] = {
  { "c.gz", F_GZIP, false },     { "c2.gz", F_GZIP, true },
  { "cflags.gz", F_GZIP, false }, { "c.bz2", F_BZIP2, false },
  { "c2.bz2", F_BZIP2, true },   { "c.xz", F_XZ, false },
  { "c2.xz", F_XZ, true },       { "c.lzma", F_LZMA, false },
  { "c.zlib", F_ZLIB, false },   { "c.lz4", F_LZ4, false },
  { "c2.lz4", F_LZ4, true },     { "c.zst", F_ZSTD, false },
  { "c2.zst", F_ZSTD, true },
};

static void test_roundtrip(void **state)
{
  (void)state;
  for(size_t i = 0; i < sizeof(streams) / sizeof(streams[0]); i++) {
    struct brine_ctx *ctx = new_ctx(0, 0);
    size_t len, want_len, outlen, used;
    uint8_t *in = slurp(streams[i].file, &len);
    uint8_t *want = expected(streams[i].two, &want_len);
    uint8_t *out;
    brine_result rc;
    print_message("%s\n", streams[i].file);
    assert_int_equal(brinei_sniff(in, len), streams[i].fmt);
    rc = brinei_decompress(ctx, streams[i].fmt, in, len, 1u << 30, &out,
                           &outlen, &used);
    assert_int_equal(rc, BRINE_OK);
    assert_int_equal(outlen, want_len);
    assert_memory_equal(out, want, want_len);
    assert_int_equal(used, len);
    brinei_free(ctx, out);
    /* exactly max_out bytes is within the limit */
    rc = brinei_decompress(ctx, streams[i].fmt, in, len, want_len, &out,
                           &outlen, &used);
    assert_int_equal(rc, BRINE_OK);
    brinei_free(ctx, out);
    free(in);
    free(want);
    done_ctx(ctx);
  }
}

/* Every proper prefix of a one-stream file is malformed ("truncated"),
   and whatever was decoded is a prefix of the content. */
static void test_truncated(void **state)
{
  (void)state;
  for(size_t i = 0; i < sizeof(streams) / sizeof(streams[0]); i++) {
    struct brine_ctx *ctx;
    size_t len, want_len;
    uint8_t *in, *want;
    if(streams[i].two)
      continue;
    ctx = new_ctx(0, 0);
    in = slurp(streams[i].file, &len);
    want = expected(false, &want_len);
    for(size_t n = 0; n < len; n++) {
      uint8_t *out;
      size_t outlen, used;
      brine_result rc = brinei_decompress(ctx, streams[i].fmt, in, n,
                                          1u << 30, &out, &outlen, &used);
      if(rc != BRINE_E_MALFORMED)
        fail_msg("%s cut to %zu bytes: result %d", streams[i].file, n, rc);
      assert_true(used <= n);
      assert_true(outlen <= want_len);
      if(outlen)
        assert_memory_equal(out, want, outlen);
      assert_true(errmsg(ctx)[0] != '\0');
      brinei_free(ctx, out);
    }
    free(in);
    free(want);
    done_ctx(ctx);
  }
}

static void test_truncated_messages(void **state)
{
  static const struct {
    const char *file;
    enum brinei_fmt fmt;
    const char *msg;
  } c[] = {
    { "c.xz", F_XZ, "xz: truncated stream" },
    { "c.lzma", F_LZMA, "lzma: truncated stream" },
    { "c.gz", F_GZIP, "gzip: truncated stream" },
    { "c.bz2", F_BZIP2, "bzip2: truncated stream" },
    { "c.zst", F_ZSTD, "zstd: truncated stream" },
    { "c.lz4", F_LZ4, "lz4: truncated stream" },
    { "c.zlib", F_ZLIB, "zlib: truncated stream" },
  };
  (void)state;
  for(size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
    struct brine_ctx *ctx = new_ctx(0, 0);
    size_t len, outlen, used;
    uint8_t *in = slurp(c[i].file, &len);
    uint8_t *out;
    assert_int_equal(brinei_decompress(ctx, c[i].fmt, in, len / 2, 1u << 30,
                                       &out, &outlen, &used),
                     BRINE_E_MALFORMED);
    if(!strstr(errmsg(ctx), c[i].msg))
      fail_msg("%s: \"%s\"", c[i].file, errmsg(ctx));
    brinei_free(ctx, out);
    free(in);
    done_ctx(ctx);
  }
}

/* A changed byte in the compressed data is caught (checksums, or for
   lzma-alone the end marker). */
static void test_corrupt(void **state)
{
  (void)state;
  for(size_t i = 0; i < sizeof(streams) / sizeof(streams[0]); i++) {
    struct brine_ctx *ctx = new_ctx(0, 0);
    size_t len, outlen, used;
    uint8_t *in = slurp(streams[i].file, &len);
    uint8_t *out;
    brine_result rc;
    in[len / 2] ^= 0x55;
    rc = brinei_decompress(ctx, streams[i].fmt, in, len, 1u << 30, &out,
                           &outlen, &used);
    if(rc != BRINE_E_MALFORMED)
      fail_msg("%s corrupted: result %d", streams[i].file, rc);
    print_message("%s: %s\n", streams[i].file, errmsg(ctx));
    brinei_free(ctx, out);
    free(in);
    done_ctx(ctx);
  }
}

static void test_gzip_messages(void **state)
{
  struct brine_ctx *ctx = new_ctx(0, 0);
  size_t len, outlen, used;
  uint8_t *in = slurp("c.gz", &len);
  uint8_t *out;
  (void)state;
  in[10] |= 0x06;  /* first deflate block: BTYPE 3 */
  assert_int_equal(brinei_decompress(ctx, F_GZIP, in, len, 1u << 30, &out,
                                     &outlen, &used),
                   BRINE_E_MALFORMED);
  assert_non_null(strstr(errmsg(ctx), "gzip: invalid block type at input "
                                      "byte"));
  brinei_free(ctx, out);
  free(in);
  in = slurp("c.gz", &len);
  in[2] = 7;
  assert_int_equal(brinei_decompress(ctx, F_GZIP, in, len, 1u << 30, &out,
                                     &outlen, &used),
                   BRINE_E_MALFORMED);
  assert_non_null(strstr(errmsg(ctx), "unknown compression method"));
  in[2] = 8;
  in[len - 8] ^= 1;  /* CRC-32 */
  assert_int_equal(brinei_decompress(ctx, F_GZIP, in, len, 1u << 30, &out,
                                     &outlen, &used),
                   BRINE_E_MALFORMED);
  assert_non_null(strstr(errmsg(ctx), "CRC check failed"));
  brinei_free(ctx, out);
  in[len - 8] ^= 1;
  in[len - 4] ^= 1;  /* ISIZE */
  assert_int_equal(brinei_decompress(ctx, F_GZIP, in, len, 1u << 30, &out,
                                     &outlen, &used),
                   BRINE_E_MALFORMED);
  assert_non_null(strstr(errmsg(ctx), "length check failed"));
  brinei_free(ctx, out);
  /* not gzip at all */
  assert_int_equal(brinei_decompress(ctx, F_GZIP, (const uint8_t *)"(S'a'\n",
                                     6, 1u << 30, &out, &outlen, &used),
                   BRINE_E_MALFORMED);
  assert_null(out);
  free(in);
  done_ctx(ctx);
}

/* Bytes after the last stream: OK, consumed tells where the data ends. */
static void test_trailing(void **state)
{
  static const char junk[] = "garbage after the stream";
  (void)state;
  for(size_t i = 0; i < sizeof(streams) / sizeof(streams[0]); i++) {
    struct brine_ctx *ctx = new_ctx(0, 0);
    size_t len, want_len, outlen, used;
    uint8_t *in = slurp(streams[i].file, &len);
    uint8_t *want = expected(streams[i].two, &want_len);
    uint8_t *out;
    in = realloc(in, len + sizeof(junk));
    assert_non_null(in);
    memcpy(in + len, junk, sizeof(junk));
    assert_int_equal(brinei_decompress(ctx, streams[i].fmt, in,
                                       len + sizeof(junk), 1u << 30, &out,
                                       &outlen, &used),
                     BRINE_OK);
    assert_int_equal(used, len);
    assert_int_equal(outlen, want_len);
    assert_memory_equal(out, want, want_len);
    brinei_free(ctx, out);
    free(in);
    free(want);
    done_ctx(ctx);
  }
}

/* gzip: NUL padding after the last member belongs to the stream (CPython
   skips it); garbage after padding leaves the padding outside. xz: stream
   padding in fours. */
static void test_padding(void **state)
{
  struct brine_ctx *ctx = new_ctx(0, 0);
  size_t len, outlen, used;
  uint8_t *in = slurp("c.gz", &len);
  uint8_t *out;
  (void)state;
  in = realloc(in, len + 8);
  assert_non_null(in);
  memset(in + len, 0, 8);
  assert_int_equal(brinei_decompress(ctx, F_GZIP, in, len + 8, 1u << 30,
                                     &out, &outlen, &used),
                   BRINE_OK);
  assert_int_equal(used, len + 8);
  brinei_free(ctx, out);
  in[len + 7] = 'x';
  assert_int_equal(brinei_decompress(ctx, F_GZIP, in, len + 8, 1u << 30,
                                     &out, &outlen, &used),
                   BRINE_OK);
  assert_int_equal(used, len);
  brinei_free(ctx, out);
  /* a second member cut short is damage, not trailing data */
  memcpy(in + len, "\x1f\x8b\x08\0\0\0\0\0", 8);
  assert_int_equal(brinei_decompress(ctx, F_GZIP, in, len + 8, 1u << 30,
                                     &out, &outlen, &used),
                   BRINE_E_MALFORMED);
  assert_int_equal(outlen, 568);  /* the first member is handed over */
  brinei_free(ctx, out);
  free(in);
  in = slurp("c.xz", &len);
  in = realloc(in, len + 8);
  assert_non_null(in);
  memset(in + len, 0, 8);
  assert_int_equal(brinei_decompress(ctx, F_XZ, in, len + 8, 1u << 30, &out,
                                     &outlen, &used),
                   BRINE_OK);
  assert_int_equal(used, len + 8);
  brinei_free(ctx, out);
  assert_int_equal(brinei_decompress(ctx, F_XZ, in, len + 3, 1u << 30, &out,
                                     &outlen, &used),
                   BRINE_OK);
  assert_int_equal(used, len);  /* not a multiple of four */
  brinei_free(ctx, out);
  free(in);
  done_ctx(ctx);
}

static void test_max_out(void **state)
{
  (void)state;
  for(size_t i = 0; i < sizeof(streams) / sizeof(streams[0]); i++) {
    struct brine_ctx *ctx = new_ctx(0, 0);
    size_t len, want_len, outlen, used;
    uint8_t *in = slurp(streams[i].file, &len);
    uint8_t *want = expected(streams[i].two, &want_len);
    uint8_t *out;
    assert_int_equal(brinei_decompress(ctx, streams[i].fmt, in, len, 100,
                                       &out, &outlen, &used),
                     BRINE_E_LIMIT);
    assert_non_null(strstr(errmsg(ctx), "inflate_bytes"));
    assert_int_equal(outlen, 100);
    assert_memory_equal(out, want, 100);
    brinei_free(ctx, out);
    assert_int_equal(brinei_decompress(ctx, streams[i].fmt, in, len,
                                       want_len - 1, &out, &outlen, &used),
                     BRINE_E_LIMIT);
    brinei_free(ctx, out);
    free(in);
    free(want);
    done_ctx(ctx);
  }
}

/* 8 MiB of zeros: ratio over 10 stops it, past the 1 MiB floor. */
static void test_ratio(void **state)
{
  static const struct {
    const char *file;
    enum brinei_fmt fmt;
  } c[] = {
    { "zeros.gz", F_GZIP }, { "zeros.xz", F_XZ }, { "zeros.zst", F_ZSTD },
  };
  (void)state;
  for(size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
    struct brine_ctx *ctx = new_ctx(10, 0);
    size_t len, outlen, used;
    uint8_t *in = slurp(c[i].file, &len);
    uint8_t *out;
    assert_int_equal(brinei_decompress(ctx, c[i].fmt, in, len, 1u << 30,
                                       &out, &outlen, &used),
                     BRINE_E_LIMIT);
    assert_non_null(strstr(errmsg(ctx), "(limit ratio)"));
    assert_true(outlen > BRINE_RATIO_FLOOR);
    assert_true(outlen < (8u << 20));
    brinei_free(ctx, out);
    done_ctx(ctx);
    ctx = new_ctx(1u << 20, 0);
    assert_int_equal(brinei_decompress(ctx, c[i].fmt, in, len, 1u << 30,
                                       &out, &outlen, &used),
                     BRINE_OK);
    assert_int_equal(outlen, 8u << 20);
    brinei_free(ctx, out);
    free(in);
    done_ctx(ctx);
  }
}

static void test_nomem(void **state)
{
  struct brine_ctx *ctx = new_ctx(0, 0);
  size_t len, outlen, used;
  uint8_t *in = slurp("c.xz", &len);
  uint8_t *out;
  (void)state;
  brine_ctx_fail_alloc_after(ctx, 1);
  assert_int_equal(brinei_decompress(ctx, F_XZ, in, len, 1u << 30, &out,
                                     &outlen, &used),
                   BRINE_E_NOMEM);
  assert_null(out);
  assert_int_equal(outlen, 0);
  brine_ctx_fail_alloc_after(ctx, 0);
  assert_int_equal(brinei_decompress(ctx, F_PICKLE, in, len, 1u << 30, &out,
                                     &outlen, &used),
                   BRINE_E_INVALID);
  free(in);
  done_ctx(ctx);
}

/* ---- recognition ------------------------------------------------------- */

static void set_tar_checksum(uint8_t *h)
{
  unsigned sum = 0;
  memset(h + 148, ' ', 8);
  for(int i = 0; i < 512; i++)
    sum += h[i];
  snprintf((char *)h + 148, 8, "%06o", sum);
}

static void test_sniff(void **state)
{
  static const struct {
    const char *file;
    enum brinei_fmt fmt;
  } files[] = {
    { "a.tar", F_TAR },     { "a.tar.gz", F_GZIP },
    { "a.tar.xz", F_XZ },   { "a.7z", F_7Z },
    { "enc.7z", F_7Z },     { "zeros.gz", F_GZIP },
    { "zeros.xz", F_XZ },   { "zeros.zst", F_ZSTD },
    { "plain.bin", F_UNRECOGNIZED },
  };
  /* protocol 0/1 pickles: never compressed data */
#define P(x) { x, sizeof(x) - 1 }
  static const struct {
    const char *s;
    size_t n;
  } pickles[] = {
    P("(dp0\nS'a'\np1\nI1\ns."), P("(S'x'\np0\n."), P("(lp0\nI1\na."),
    P("]q\x00(K\x01K\x02" "e."), P("](I1\nI2\ne."), P("]p0\n(I1\na."),
    P("cos\nsystem\n(S'ls'\ntR."), P("}q\x00(X\x01\x00\x00\x00" "aK\x01u."),
    P("(dp0\n."), P("}."), P("Xh\x00\x00\x00"), P("h\x01."),
  };
#undef P
  uint8_t b[4096];
  (void)state;
  for(size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
    size_t len;
    uint8_t *d = slurp(files[i].file, &len);
    if(brinei_sniff(d, len) != files[i].fmt)
      fail_msg("%s: %d", files[i].file, brinei_sniff(d, len));
    free(d);
  }
  for(size_t i = 0; i < sizeof(pickles) / sizeof(pickles[0]); i++) {
    enum brinei_fmt f = brinei_sniff((const uint8_t *)pickles[i].s,
                                     pickles[i].n);
    if(f != F_UNRECOGNIZED)
      fail_msg("pickle %zu taken for %s", i, brinei_fmt_name(f));
  }
  assert_int_equal(brinei_sniff(NULL, 0), F_UNRECOGNIZED);
  assert_int_equal(brinei_sniff((const uint8_t *)"", 0), F_UNRECOGNIZED);
  assert_int_equal(brinei_sniff((const uint8_t *)"PK\3\4", 4), F_ZIP);
  assert_int_equal(brinei_sniff((const uint8_t *)"PK\5\6", 4), F_ZIP);
  assert_int_equal(brinei_sniff((const uint8_t *)"PK\7\10PK\3\4", 8), F_ZIP);
  assert_int_equal(brinei_sniff((const uint8_t *)"PK\7\10PK\1\2", 8),
                   F_UNRECOGNIZED);
  assert_int_equal(brinei_sniff((const uint8_t *)"\x93NUMPY\1\0", 8), F_NPY);
  assert_int_equal(brinei_sniff((const uint8_t *)"GGUF\3\0\0\0", 8), F_GGUF);
  assert_int_equal(brinei_sniff((const uint8_t *)"\x78\x9c\x03\x00", 4),
                   F_ZLIB);
  assert_int_equal(brinei_sniff((const uint8_t *)"\x78\x01", 2), F_ZLIB);
  assert_int_equal(brinei_sniff((const uint8_t *)"\x78\x9c\x07", 3),
                   F_UNRECOGNIZED);  /* BTYPE 3 */
  assert_int_equal(brinei_sniff((const uint8_t *)"\x78\xbb", 2),
                   F_UNRECOGNIZED);  /* FDICT */
  assert_int_equal(brinei_sniff((const uint8_t *)"(S", 2), F_UNRECOGNIZED);
  assert_int_equal(brinei_sniff((const uint8_t *)"BZh91AY&SY", 10), F_BZIP2);
  assert_int_equal(brinei_sniff((const uint8_t *)"BZh9\x17\x72\x45\x38\x50"
                                                 "\x90", 10), F_BZIP2);
  assert_int_equal(brinei_sniff((const uint8_t *)"BZh0" "1AY&SY", 10),
                   F_UNRECOGNIZED);
  assert_int_equal(brinei_sniff((const uint8_t *)"BZh9xxxxxx", 10),
                   F_UNRECOGNIZED);
  /* lzma-alone: dictionary 3 MiB (2^21 + 2^20), size unknown */
  assert_int_equal(brinei_sniff((const uint8_t *)"\x5d\x00\x00\x30\x00\xff"
                                "\xff\xff\xff\xff\xff\xff\xff", 13), F_LZMA);
  assert_int_equal(brinei_sniff((const uint8_t *)"\x5d\x00\x00\x50\x00\xff"
                                "\xff\xff\xff\xff\xff\xff\xff", 13),
                   F_UNRECOGNIZED);  /* 5 MiB: no encoder writes it */
  assert_int_equal(brinei_sniff((const uint8_t *)"\x5d\x00\x08\x00\x00\x00"
                                "\x00\x00\x00\x00\x00\x00\x00", 13),
                   F_UNRECOGNIZED);  /* 2 KiB */
  assert_int_equal(brinei_sniff((const uint8_t *)"\x5d\x00\x00\x80\x00\x00"
                                "\x00\x00\x00\x00\x00\x01\x00", 13), F_LZMA);
  assert_int_equal(brinei_sniff((const uint8_t *)"\x5d\x00\x00\x80\x00\x00"
                                "\x00\x00\x00\x00\x00\x02\x00", 13),
                   F_UNRECOGNIZED);  /* size over 2^48 */
  assert_int_equal(brinei_sniff((const uint8_t *)"\xe1\x00\x00\x80\x00\xff"
                                "\xff\xff\xff\xff\xff\xff\xff", 13),
                   F_UNRECOGNIZED);  /* properties byte >= 225 */
  /* HDF5 at 0 and after a user block */
  memset(b, 'u', sizeof(b));
  memcpy(b, "\x89HDF\r\n\x1a\n", 8);
  assert_int_equal(brinei_sniff(b, sizeof(b)), F_HDF5);
  memset(b, 'u', 8);
  assert_int_equal(brinei_sniff(b, sizeof(b)), F_UNRECOGNIZED);
  memcpy(b + 2048, "\x89HDF\r\n\x1a\n", 8);
  assert_int_equal(brinei_sniff(b, sizeof(b)), F_HDF5);
  assert_int_equal(brinei_sniff(b, 2055), F_UNRECOGNIZED);
  memset(b + 2048, 'u', 8);
  memcpy(b + 1536, "\x89HDF\r\n\x1a\n", 8);
  assert_int_equal(brinei_sniff(b, sizeof(b)), F_UNRECOGNIZED);
  /* v7 tar: a name and a valid checksum; a bad checksum is not tar */
  memset(b, 0, 1024);
  memcpy(b, "model.pkl", 9);
  memcpy(b + 100, "0000644", 7);
  memcpy(b + 124, "00000000000", 11);
  set_tar_checksum(b);
  assert_int_equal(brinei_sniff(b, 1024), F_TAR);
  b[148] = '1';
  assert_int_equal(brinei_sniff(b, 1024), F_UNRECOGNIZED);
  assert_string_equal(brinei_fmt_name(F_PICKLE), "pickle");
  assert_string_equal(brinei_fmt_name(F_PYTORCH_TAR), "pytorch-tar");
  assert_string_equal(brinei_fmt_name(F_ZSTD), "zstd");
  assert_string_equal(brinei_fmt_name(F_SKOPS), "skops");
  assert_string_equal(brinei_fmt_name(F_UNRECOGNIZED), "unrecognized");
  assert_string_equal(brinei_fmt_name(F_HDF5), "unrecognized");
  assert_string_equal(brinei_fmt_name(F_LZMA), "xz");
  assert_string_equal(brinei_fmt_name(F_FMT_COUNT), "unrecognized");
}

/* ---- archives ---------------------------------------------------------- */

struct seen {
  char names[16][160];
  char types[17];
  char links[16][32];
  size_t lens[16];
  uint32_t sums[16];
  size_t n;
  size_t stop_after;   /* 0: never */
};

static int collect(void *arg, const struct brinei_archive_entry *e)
{
  struct seen *s = arg;
  uint32_t h = 2166136261u;
  assert_true(s->n < 16);
  snprintf(s->names[s->n], sizeof(s->names[0]), "%s", e->name);
  snprintf(s->links[s->n], sizeof(s->links[0]), "%s",
           e->link ? e->link : "-");
  s->types[s->n] = e->type;
  s->lens[s->n] = e->len;
  if(e->type == 'f')
    assert_non_null(e->data);
  else if(e->type != 'h' || e->len == 0)
    assert_null(e->data);
  for(size_t i = 0; i < e->len; i++)
    h = (h ^ e->data[i]) * 16777619u;
  s->sums[s->n] = h;
  s->n++;
  s->types[s->n] = '\0';
  return s->stop_after && s->n >= s->stop_after;
}

static uint32_t fnv(const uint8_t *d, size_t n)
{
  uint32_t h = 2166136261u;
  for(size_t i = 0; i < n; i++)
    h = (h ^ d[i]) * 16777619u;
  return h;
}

static void check_tar_listing(const struct seen *s)
{
  size_t clen, blen;
  uint8_t *c = slurp("plain.bin", &clen);
  uint8_t *b = slurp("second.bin", &blen);
  char longname[160];
  memset(longname, 'n', 120);
  longname[120] = '\0';
  assert_string_equal(s->types, "fdflhff");
  assert_string_equal(s->names[0], "a.txt");
  assert_int_equal(s->lens[0], clen);
  assert_int_equal(s->sums[0], fnv(c, clen));
  assert_string_equal(s->names[1], "dir/");
  assert_string_equal(s->names[2], "dir/b.txt");
  assert_int_equal(s->sums[2], fnv(b, blen));
  assert_string_equal(s->names[3], "link");
  assert_string_equal(s->links[3], "a.txt");
  assert_string_equal(s->names[4], "hard");
  assert_string_equal(s->links[4], "a.txt");
  assert_string_equal(s->names[5], "empty");
  assert_int_equal(s->lens[5], 0);
  assert_memory_equal(s->names[6], "d/", 2);
  assert_string_equal(s->names[6] + 2, longname);
  assert_int_equal(s->lens[6], 10);
  free(c);
  free(b);
}

static void test_archive_tar(void **state)
{
  static const struct {
    const char *file;
    enum brinei_fmt fmt;
  } c[] = {
    { "a.tar", F_TAR }, { "a.tar.gz", F_TAR }, { "a.tar.gz", F_GZIP },
    { "a.tar.xz", F_TAR }, { "a.tar.xz", F_XZ },
  };
  (void)state;
  for(size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
    struct brine_ctx *ctx = new_ctx(0, 0);
    struct seen s;
    uint64_t budget = 1u << 20;
    size_t len;
    uint8_t *d = slurp(c[i].file, &len);
    memset(&s, 0, sizeof(s));
    print_message("%s\n", c[i].file);
    assert_int_equal(brinei_archive_walk(ctx, c[i].fmt, d, len, &budget,
                                         collect, &s),
                     BRINE_OK);
    check_tar_listing(&s);
    assert_int_equal(budget, (1u << 20) - 568 - 42 - 10);
    free(d);
    done_ctx(ctx);
  }
}

static void test_archive_7z(void **state)
{
  struct brine_ctx *ctx = new_ctx(0, 0);
  struct seen s;
  uint64_t budget = 1u << 20;
  size_t len, clen, blen;
  uint8_t *d = slurp("a.7z", &len);
  uint8_t *c = slurp("plain.bin", &clen);
  uint8_t *b = slurp("second.bin", &blen);
  (void)state;
  memset(&s, 0, sizeof(s));
  assert_int_equal(brinei_archive_walk(ctx, F_7Z, d, len, &budget, collect,
                                       &s),
                   BRINE_OK);
  assert_int_equal(s.n, 3);
  for(size_t i = 0; i < s.n; i++) {
    if(!strcmp(s.names[i], "a.txt")) {
      assert_int_equal(s.types[i], 'f');
      assert_int_equal(s.sums[i], fnv(c, clen));
    }
    else if(!strcmp(s.names[i], "dir/b.txt")) {
      assert_int_equal(s.types[i], 'f');
      assert_int_equal(s.sums[i], fnv(b, blen));
    }
    else {
      assert_string_equal(s.names[i], "dir/");
      assert_int_equal(s.types[i], 'd');
    }
  }
  assert_int_equal(budget, (1u << 20) - clen - blen);
  /* a 7z is not read as tar, nor a tar as 7z */
  memset(&s, 0, sizeof(s));
  assert_int_equal(brinei_archive_walk(ctx, F_TAR, d, len, &budget, collect,
                                       &s),
                   BRINE_E_MALFORMED);
  assert_int_equal(s.n, 0);
  free(d);
  d = slurp("a.tar", &len);
  assert_int_equal(brinei_archive_walk(ctx, F_7Z, d, len, &budget, collect,
                                       &s),
                   BRINE_E_MALFORMED);
  assert_int_equal(s.n, 0);
  free(d);
  free(c);
  free(b);
  done_ctx(ctx);
}

static void test_archive_encrypted(void **state)
{
  struct brine_ctx *ctx = new_ctx(0, 0);
  struct seen s;
  uint64_t budget = 1u << 20;
  size_t len;
  uint8_t *d = slurp("enc.7z", &len);
  (void)state;
  memset(&s, 0, sizeof(s));
  assert_int_equal(brinei_archive_walk(ctx, F_7Z, d, len, &budget, collect,
                                       &s),
                   BRINE_E_UNSUPPORTED);
  assert_int_equal(s.n, 3);
  for(size_t i = 0; i < s.n; i++)
    assert_true(s.types[i] == (strcmp(s.names[i], "dir/") ? 'e' : 'd'));
  assert_int_equal(budget, 1u << 20);
  free(d);
  d = slurp("enchdr.7z", &len);
  memset(&s, 0, sizeof(s));
  assert_int_equal(brinei_archive_walk(ctx, F_7Z, d, len, &budget, collect,
                                       &s),
                   BRINE_E_UNSUPPORTED);
  assert_non_null(strstr(errmsg(ctx), "encrypted"));
  assert_int_equal(s.n, 0);
  free(d);
  done_ctx(ctx);
}

/* Cut inside dir/b.txt's data (header at 2048, data at 2560): a.txt and
   dir/ are delivered, then the damage. */
static void test_archive_truncated(void **state)
{
  struct brine_ctx *ctx = new_ctx(0, 0);
  struct seen s;
  uint64_t budget = 1u << 20;
  size_t len;
  uint8_t *d = slurp("a.tar", &len);
  (void)state;
  memset(&s, 0, sizeof(s));
  assert_int_equal(brinei_archive_walk(ctx, F_TAR, d, 2580, &budget, collect,
                                       &s),
                   BRINE_E_MALFORMED);
  assert_string_equal(s.types, "fd");
  assert_string_equal(s.names[0], "a.txt");
  assert_true(errmsg(ctx)[0] != '\0');
  print_message("%s\n", errmsg(ctx));
  /* a broken checksum in the third header */
  memset(&s, 0, sizeof(s));
  d[2048 + 148] ^= 1;
  assert_int_equal(brinei_archive_walk(ctx, F_TAR, d, len, &budget, collect,
                                       &s),
                   BRINE_E_MALFORMED);
  assert_string_equal(s.types, "fd");
  print_message("%s\n", errmsg(ctx));
  /* garbage */
  memset(&s, 0, sizeof(s));
  assert_int_equal(brinei_archive_walk(ctx, F_TAR, (const uint8_t *)"junk", 4,
                                       &budget, collect, &s),
                   BRINE_E_MALFORMED);
  assert_int_equal(s.n, 0);
  free(d);
  d = slurp("a.7z", &len);
  assert_int_equal(brinei_archive_walk(ctx, F_7Z, d, len - 20, &budget,
                                       collect, &s),
                   BRINE_E_MALFORMED);
  print_message("%s\n", errmsg(ctx));
  free(d);
  done_ctx(ctx);
}

/* A pax hardlink with a body: libarchive reads the body as data, Python's
   tarfile as the next headers (here a member "hidden.pkl"). The body is
   handed over and the walk ends AMBIGUOUS. */
static void test_archive_hardlink_body(void **state)
{
  struct brine_ctx *ctx = new_ctx(0, 0);
  struct seen s;
  uint64_t budget = 1u << 20;
  size_t len;
  uint8_t *d = slurp("hardbody.tar", &len);
  (void)state;
  memset(&s, 0, sizeof(s));
  assert_int_equal(brinei_archive_walk(ctx, F_TAR, d, len, &budget, collect,
                                       &s),
                   BRINE_E_AMBIGUOUS);
  assert_string_equal(s.types, "fh");
  assert_string_equal(s.links[1], "a.txt");
  assert_int_equal(s.lens[1], 1024);
  assert_non_null(strstr(errmsg(ctx), "hardlink \"x\""));
  assert_int_equal(budget, (1u << 20) - 2 - 1024);
  free(d);
  done_ctx(ctx);
}

static void test_archive_limits(void **state)
{
  struct brine_ctx *ctx = new_ctx(0, 0);
  struct seen s;
  uint64_t budget = 600;
  size_t len;
  uint8_t *d = slurp("a.tar", &len);
  (void)state;
  memset(&s, 0, sizeof(s));
  /* a.txt (568 bytes) fits, dir/b.txt (42) does not */
  assert_int_equal(brinei_archive_walk(ctx, F_TAR, d, len, &budget, collect,
                                       &s),
                   BRINE_E_LIMIT);
  assert_non_null(strstr(errmsg(ctx), "inflate_bytes"));
  assert_string_equal(s.types, "fd");
  assert_int_equal(budget, 600 - 568);
  done_ctx(ctx);
  ctx = new_ctx(0, 2);
  memset(&s, 0, sizeof(s));
  budget = 1u << 20;
  assert_int_equal(brinei_archive_walk(ctx, F_TAR, d, len, &budget, collect,
                                       &s),
                   BRINE_E_LIMIT);
  assert_non_null(strstr(errmsg(ctx), "(limit entries)"));
  assert_int_equal(s.n, 2);
  done_ctx(ctx);
  /* the callback stops the walk */
  ctx = new_ctx(0, 0);
  memset(&s, 0, sizeof(s));
  s.stop_after = 1;
  assert_int_equal(brinei_archive_walk(ctx, F_TAR, d, len, &budget, collect,
                                       &s),
                   BRINE_OK);
  assert_int_equal(s.n, 1);
  /* out of memory while reading data */
  memset(&s, 0, sizeof(s));
  brine_ctx_fail_alloc_after(ctx, 1);
  assert_int_equal(brinei_archive_walk(ctx, F_TAR, d, len, &budget, collect,
                                       &s),
                   BRINE_E_NOMEM);
  assert_int_equal(s.n, 0);
  free(d);
  done_ctx(ctx);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_roundtrip),
    cmocka_unit_test(test_truncated),
    cmocka_unit_test(test_truncated_messages),
    cmocka_unit_test(test_corrupt),
    cmocka_unit_test(test_gzip_messages),
    cmocka_unit_test(test_trailing),
    cmocka_unit_test(test_padding),
    cmocka_unit_test(test_max_out),
    cmocka_unit_test(test_ratio),
    cmocka_unit_test(test_nomem),
    cmocka_unit_test(test_sniff),
    cmocka_unit_test(test_archive_tar),
    cmocka_unit_test(test_archive_7z),
    cmocka_unit_test(test_archive_encrypted),
    cmocka_unit_test(test_archive_truncated),
    cmocka_unit_test(test_archive_hardlink_body),
    cmocka_unit_test(test_archive_limits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
