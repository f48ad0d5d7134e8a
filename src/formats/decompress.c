/* Compression wrappers: gzip, bzip2, xz, lzma-alone, zlib, lz4 frame and
 * zstd, decoded whole into one budgeted buffer, every member, stream or
 * frame in turn, as the Python readers that model loaders use read them.
 *
 * SPEC: RFC 1952 (gzip member layout), RFC 1950/1951 (zlib, deflate);
 * xz-file-format 1.1.0 §2.2 (stream padding); LZMA SDK lzma-alone header;
 * LZ4 Frame Format 1.6.x and RFC 8878 §3.1.2 (skippable frames).
 * Behaviour follows CPython Lib/gzip.py (_GzipReader: members in turn, NUL
 * padding between them, CRC-32 and ISIZE checked, method must be 8, flag
 * bits beyond FCOMMENT ignored) and Lib/bz2.py, Lib/lzma.py,
 * Lib/_compression.py (streams in turn; data after a stream that does not
 * start another one is left alone). joblib reads .lzma/.xz through
 * LZMAFile(FORMAT_AUTO), so xz and lzma-alone streams may follow each
 * other.
 *
 * The libraries allocate their own state from the C heap; the output
 * buffer, which the input controls, comes from the context allocator and
 * is capped by max_out and by the compression ratio (limits.h).
 */
#include "../internal.h"
#include "formats.h"

#include <limits.h>

#include <bzlib.h>
#include <lz4frame.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#define OB_FIRST (64u << 10)   /* first output buffer size */
#define FEED_MAX (1u << 30)    /* input handed to zlib/bzip2 at once (uInt) */
#define STALL_MAX 4            /* calls in a row without progress */

#define LZ4_MAGIC 0x184D2204u
#define ZSTD_MAGIC 0xFD2FB528u
#define SKIP_MAGIC 0x184D2A50u  /* low nibble free: 16 skippable magics */

/* The growing output and the input it comes from. */
struct ob {
  struct brine_ctx *ctx;
  const char *name;      /* format name for messages */
  const uint8_t *in;
  size_t inlen;
  uint8_t *p;            /* output; owned until handed to the caller */
  size_t len, cap;
  size_t hard;           /* cap never grows past this: max + 1, so one
                            byte beyond max_out shows it would be passed */
  uint64_t max;          /* max_out */
};

/* Make room for at least one more byte. */
static brine_result ob_room(struct ob *o, size_t at)
{
  size_t want;
  uint8_t *np;
  if(o->cap > o->len && (o->cap - o->len >= OB_FIRST || o->cap == o->hard))
    return BRINE_OK;
  if(!o->cap)
    want = OB_FIRST;
  else
    want = o->cap > SIZE_MAX / 2 ? SIZE_MAX : o->cap * 2;
  if(want > o->hard)
    want = o->hard;
  np = brinei_realloc(o->ctx, o->p, want);
  if(!np)
    return BRINE_FAIL(o->ctx, BRINE_E_NOMEM, at,
                      "%s: no memory for %zu bytes of output", o->name, want);
  o->p = np;
  o->cap = want;
  return BRINE_OK;
}

static bool over_ratio(uint64_t out, uint64_t in, uint64_t ratio)
{
  if(!in)
    return true;
  if(ratio > UINT64_MAX / in)
    return false;  /* in * ratio is beyond any output size */
  return out > in * ratio;
}

/* After each step of a decoder: the output limits. at = input consumed. */
static brine_result ob_check(struct ob *o, size_t at)
{
  if(o->len > o->max) {
    o->len = (size_t)o->max;  /* what is kept is within the limit */
    return BRINE_FAIL(o->ctx, BRINE_E_LIMIT, at,
                      "%s: output exceeds %llu bytes (limit inflate_bytes)",
                      o->name, (unsigned long long)o->max);
  }
  if(o->len > BRINE_RATIO_FLOOR && over_ratio(o->len, at, o->ctx->lim.ratio))
    return BRINE_FAIL(o->ctx, BRINE_E_LIMIT, at,
                      "%s: %zu bytes out of %zu input bytes: ratio over "
                      "%llu (limit ratio)", o->name, o->len, at,
                      (unsigned long long)o->ctx->lim.ratio);
  return BRINE_OK;
}

static brine_result truncated(struct ob *o, size_t at)
{
  return BRINE_FAIL(o->ctx, BRINE_E_MALFORMED, at,
                    "%s: truncated stream (input ends at byte %zu)", o->name,
                    at);
}

static brine_result stalled(struct ob *o, size_t at)
{
  return BRINE_FAIL(o->ctx, BRINE_E_MALFORMED, at,
                    "%s: decoder made no progress at input byte %zu",
                    o->name, at);
}

static bool skippable(const uint8_t *d, size_t n)
{
  return n >= 4 && (brinei_le32(d) & 0xFFFFFFF0u) == SKIP_MAGIC;
}

/* lz4 and zstd skippable frame: magic, u32 size, size bytes. */
static brine_result skip_frame(struct ob *o, size_t *pos)
{
  size_t left = o->inlen - *pos;
  uint32_t n;
  if(left < 8 || (n = brinei_le32(o->in + *pos + 4)) > left - 8)
    return BRINE_FAIL(o->ctx, BRINE_E_MALFORMED, *pos,
                      "%s: skippable frame at input byte %zu runs past the "
                      "end", o->name, *pos);
  *pos += 8 + (size_t)n;
  return BRINE_OK;
}

/* ---- deflate (gzip members, zlib) ------------------------------------- */

/* Inflate one stream starting at *pos: raw deflate when wbits < 0, zlib
   wrapped otherwise. *pos ends just after it (or where it failed). *crc
   (if not NULL) takes the CRC-32 of the output. */
static brine_result inflate_one(struct ob *o, size_t *pos, int wbits,
                                uint32_t *crc)
{
  z_stream z;
  brine_result rc = BRINE_OK;
  size_t fed = *pos;   /* input handed to zlib so far */
  int stall = 0;
  int zr;
  memset(&z, 0, sizeof(z));
  zr = inflateInit2(&z, wbits);
  if(zr != Z_OK)
    return zr == Z_MEM_ERROR
               ? BRINE_FAIL(o->ctx, BRINE_E_NOMEM, *pos, "%s: no memory "
                            "for the inflater", o->name)
               : BRINE_FAIL(o->ctx, BRINE_E_MALFORMED, *pos,
                            "%s: inflateInit2 failed (%d)", o->name, zr);
  for(;;) {
    size_t room, made, at;
    uInt before;
    if(z.avail_in == 0 && fed < o->inlen) {
      size_t n = o->inlen - fed;
      if(n > FEED_MAX)
        n = FEED_MAX;
      z.next_in = (Bytef *)(uintptr_t)(o->in + fed);
      z.avail_in = (uInt)n;
      fed += n;
    }
    rc = ob_room(o, fed - z.avail_in);
    if(rc)
      break;
    room = o->cap - o->len;
    if(room > FEED_MAX)
      room = FEED_MAX;
    z.next_out = o->p + o->len;
    z.avail_out = (uInt)room;
    before = z.avail_in;
    zr = inflate(&z, Z_NO_FLUSH);
    made = room - z.avail_out;
    at = fed - z.avail_in;
    *pos = at;
    if(crc && made)
      *crc = (uint32_t)crc32_z(*crc, o->p + o->len, made);
    o->len += made;
    rc = ob_check(o, at);
    if(rc)
      break;
    if(zr == Z_STREAM_END)
      break;
    if(zr == Z_NEED_DICT) {
      rc = BRINE_FAIL(o->ctx, BRINE_E_MALFORMED, at,
                      "%s: stream needs a preset dictionary", o->name);
      break;
    }
    if(zr == Z_MEM_ERROR) {
      rc = BRINE_FAIL(o->ctx, BRINE_E_NOMEM, at, "%s: no memory",
                      o->name);
      break;
    }
    if(zr == Z_DATA_ERROR || zr == Z_STREAM_ERROR) {
      rc = BRINE_FAIL(o->ctx, BRINE_E_MALFORMED, at, "%s: %s at input "
                      "byte %zu", o->name, z.msg ? z.msg : "invalid data",
                      at);
      break;
    }
    if(fed == o->inlen && z.avail_in == 0 && z.avail_out > 0) {
      rc = truncated(o, at);  /* zlib returns only when it needs input */
      break;
    }
    stall = made || z.avail_in != before ? 0 : stall + 1;
    if(stall >= STALL_MAX) {
      rc = stalled(o, at);
      break;
    }
  }
  inflateEnd(&z);
  return rc;
}

#define GZ_FHCRC 0x02
#define GZ_FEXTRA 0x04
#define GZ_FNAME 0x08
#define GZ_FCOMMENT 0x10

/* RFC 1952 §2.3 member header; *pos moves past it. */
static brine_result gzip_header(struct ob *o, size_t *pos)
{
  struct brinei_rd r = brinei_rd_make(o->in + *pos, o->inlen - *pos);
  const uint8_t *m = brinei_rd_take(&r, 2);
  uint8_t method, flags;
  if(m && (m[0] != 0x1f || m[1] != 0x8b))
    return BRINE_FAIL(o->ctx, BRINE_E_MALFORMED, *pos,
                      "gzip: not a gzip member at input byte %zu", *pos);
  method = brinei_rd_u8(&r);
  flags = brinei_rd_u8(&r);
  brinei_rd_skip(&r, 6);  /* MTIME, XFL, OS */
  if(!r.bad && method != 8)
    return BRINE_FAIL(o->ctx, BRINE_E_MALFORMED, *pos + 2,
                      "gzip: unknown compression method %u at input byte "
                      "%zu", method, *pos + 2);
  if(flags & GZ_FEXTRA)
    brinei_rd_skip(&r, brinei_rd_u16(&r));
  /* FNAME, FCOMMENT: NUL-terminated */
  for(unsigned f = GZ_FNAME; f <= GZ_FCOMMENT; f <<= 1) {
    if(!(flags & f))
      continue;
    while(!r.bad && brinei_rd_u8(&r) != 0)
      ;
  }
  if(flags & GZ_FHCRC)
    brinei_rd_skip(&r, 2);  /* CPython reads it without checking it */
  if(r.bad)
    return BRINE_FAIL(o->ctx, BRINE_E_MALFORMED, o->inlen,
                      "gzip: truncated member header at input byte %zu",
                      *pos);
  *pos += r.pos;
  return BRINE_OK;
}

static brine_result dec_gzip(struct ob *o, size_t *consumed)
{
  size_t pos = 0;
  unsigned long members = 0;
  for(;;) {
    size_t start = o->len, hdr = pos;
    uint32_t crc = (uint32_t)crc32_z(0, NULL, 0);
    brine_result rc;
    if(members) {
      /* _read_eof: NUL padding may follow a member */
      size_t q = pos;
      while(q < o->inlen && o->in[q] == 0)
        q++;
      if(q == o->inlen) {
        *consumed = q;
        return BRINE_OK;
      }
      if(o->inlen - q < 2 || o->in[q] != 0x1f || o->in[q + 1] != 0x8b)
        return BRINE_OK;  /* trailing data: CPython "Not a gzipped file" */
      pos = hdr = q;
    }
    rc = gzip_header(o, &pos);
    if(!rc)
      rc = inflate_one(o, &pos, -MAX_WBITS, &crc);
    if(!rc && o->inlen - pos < 8)
      rc = BRINE_FAIL(o->ctx, BRINE_E_MALFORMED, o->inlen,
                      "gzip: member at input byte %zu lacks its CRC and "
                      "size trailer", hdr);
    if(!rc && brinei_le32(o->in + pos) != crc)
      rc = BRINE_FAIL(o->ctx, BRINE_E_MALFORMED, pos,
                      "gzip: CRC check failed for the member at input byte "
                      "%zu", hdr);
    if(!rc && brinei_le32(o->in + pos + 4) != (uint32_t)(o->len - start))
      rc = BRINE_FAIL(o->ctx, BRINE_E_MALFORMED, pos + 4,
                      "gzip: length check failed for the member at input "
                      "byte %zu", hdr);
    if(rc) {
      *consumed = pos;
      return rc;
    }
    pos += 8;
    *consumed = pos;
    members++;
  }
}

static brine_result dec_zlib(struct ob *o, size_t *consumed)
{
  size_t pos = 0;
  brine_result rc = inflate_one(o, &pos, MAX_WBITS, NULL);
  *consumed = pos;
  return rc;
}

/* ---- bzip2 ------------------------------------------------------------ */

static bool bz_magic(const uint8_t *d, size_t n)
{
  return n >= 4 && d[0] == 'B' && d[1] == 'Z' && d[2] == 'h' &&
         d[3] >= '1' && d[3] <= '9';
}

static brine_result bz_one(struct ob *o, size_t *pos)
{
  bz_stream s;
  brine_result rc = BRINE_OK;
  size_t fed = *pos;
  int stall = 0;
  int br;
  memset(&s, 0, sizeof(s));
  br = BZ2_bzDecompressInit(&s, 0, 0);
  if(br != BZ_OK)
    return BRINE_FAIL(o->ctx, br == BZ_MEM_ERROR ? BRINE_E_NOMEM
                                                 : BRINE_E_MALFORMED,
                      *pos, "bzip2: decoder init failed (%d)", br);
  for(;;) {
    size_t room, made, at;
    unsigned before;
    if(s.avail_in == 0 && fed < o->inlen) {
      size_t n = o->inlen - fed;
      if(n > FEED_MAX)
        n = FEED_MAX;
      s.next_in = (char *)(uintptr_t)(o->in + fed);
      s.avail_in = (unsigned)n;
      fed += n;
    }
    rc = ob_room(o, fed - s.avail_in);
    if(rc)
      break;
    room = o->cap - o->len;
    if(room > FEED_MAX)
      room = FEED_MAX;
    s.next_out = (char *)(o->p + o->len);
    s.avail_out = (unsigned)room;
    before = s.avail_in;
    br = BZ2_bzDecompress(&s);
    made = room - s.avail_out;
    at = fed - s.avail_in;
    *pos = at;
    o->len += made;
    rc = ob_check(o, at);
    if(rc)
      break;
    if(br == BZ_STREAM_END)
      break;
    if(br == BZ_MEM_ERROR) {
      rc = BRINE_FAIL(o->ctx, BRINE_E_NOMEM, at, "bzip2: no memory");
      break;
    }
    if(br != BZ_OK) {
      rc = BRINE_FAIL(o->ctx, BRINE_E_MALFORMED, at, "bzip2: %s at input "
                      "byte %zu", br == BZ_DATA_ERROR_MAGIC
                                      ? "not a bzip2 stream"
                                  : br == BZ_DATA_ERROR
                                      ? "corrupt data (block or CRC)"
                                      : "decoder error", at);
      break;
    }
    if(fed == o->inlen && s.avail_in == 0 && s.avail_out > 0) {
      rc = truncated(o, at);
      break;
    }
    stall = made || s.avail_in != before ? 0 : stall + 1;
    if(stall >= STALL_MAX) {
      rc = stalled(o, at);
      break;
    }
  }
  BZ2_bzDecompressEnd(&s);
  return rc;
}

static brine_result dec_bzip2(struct ob *o, size_t *consumed)
{
  size_t pos = 0;
  for(unsigned long n = 0;; n++) {
    brine_result rc;
    if(n && !bz_magic(o->in + pos, o->inlen - pos))
      return BRINE_OK;  /* bz2.decompress ignores what follows */
    rc = bz_one(o, &pos);
    *consumed = pos;
    if(rc)
      return rc;
    if(pos == o->inlen)
      return BRINE_OK;
  }
}

/* ---- xz and lzma-alone ------------------------------------------------- */

static const uint8_t xz_magic[6] = { 0xFD, '7', 'z', 'X', 'Z', 0x00 };

static bool is_xz(const uint8_t *d, size_t n)
{
  return n >= 6 && !memcmp(d, xz_magic, 6);
}

static brine_result lzma_one(struct ob *o, size_t *pos, bool xz)
{
  lzma_stream s = LZMA_STREAM_INIT;
  brine_result rc = BRINE_OK;
  const char *what = xz ? "xz" : "lzma";
  uint64_t memlimit = o->ctx->lim.memory > o->ctx->used
                          ? o->ctx->lim.memory - o->ctx->used
                          : 1;
  int stall = 0;
  lzma_ret lr = xz ? lzma_stream_decoder(&s, memlimit, 0)
                   : lzma_alone_decoder(&s, memlimit);
  if(lr != LZMA_OK)
    return BRINE_FAIL(o->ctx, lr == LZMA_MEM_ERROR ? BRINE_E_NOMEM
                                                   : BRINE_E_MALFORMED,
                      *pos, "%s: decoder init failed (%d)", what, (int)lr);
  s.next_in = o->in + *pos;
  s.avail_in = o->inlen - *pos;
  for(;;) {
    size_t room, made, at, before = s.avail_in;
    rc = ob_room(o, o->inlen - s.avail_in);
    if(rc)
      break;
    room = o->cap - o->len;
    s.next_out = o->p + o->len;
    s.avail_out = room;
    lr = lzma_code(&s, LZMA_FINISH);
    made = room - s.avail_out;
    at = o->inlen - s.avail_in;
    *pos = at;
    o->len += made;
    rc = ob_check(o, at);
    if(rc)
      break;
    if(lr == LZMA_STREAM_END)
      break;
    if(lr == LZMA_OK) {
      /* liblzma reports a stream cut short as LZMA_BUF_ERROR on the second
         call without progress */
      stall = made || s.avail_in != before ? 0 : stall + 1;
      if(stall >= STALL_MAX) {
        rc = stalled(o, at);
        break;
      }
      continue;
    }
    switch(lr) {
    case LZMA_MEM_ERROR:
      rc = BRINE_FAIL(o->ctx, BRINE_E_NOMEM, at, "%s: no memory", what);
      break;
    case LZMA_MEMLIMIT_ERROR:
      rc = BRINE_FAIL(o->ctx, BRINE_E_LIMIT, at, "%s: the stream at input "
                      "byte %zu needs more than %llu bytes of decoder "
                      "memory (limit memory)", what, at,
                      (unsigned long long)memlimit);
      break;
    case LZMA_BUF_ERROR:
      rc = BRINE_FAIL(o->ctx, BRINE_E_MALFORMED, at, "%s: truncated stream "
                      "(input ends at byte %zu)", what, at);
      break;
    default:
      rc = BRINE_FAIL(o->ctx, BRINE_E_MALFORMED, at, "%s: %s at input byte "
                      "%zu", what,
                      lr == LZMA_FORMAT_ERROR ? "not a valid stream header"
                      : lr == LZMA_OPTIONS_ERROR ? "unsupported options"
                      : lr == LZMA_DATA_ERROR ? "corrupt data"
                                              : "decoder error", at);
      break;
    }
    break;
  }
  lzma_end(&s);
  return rc;
}

static brine_result dec_lzma(struct ob *o, bool xz, size_t *consumed)
{
  size_t pos = 0;
  for(unsigned long n = 0;; n++) {
    brine_result rc;
    if(n) {
      if(xz) {
        /* xz stream padding: NULs in multiples of four between streams */
        size_t q = pos;
        while(q < o->inlen && o->in[q] == 0)
          q++;
        if((q - pos) % 4 == 0)
          pos = q;
        *consumed = pos;
      }
      if(pos == o->inlen)
        return BRINE_OK;
      if(is_xz(o->in + pos, o->inlen - pos))
        xz = true;
      else if(brinei_sniff(o->in + pos, o->inlen - pos) == F_LZMA)
        xz = false;  /* as strict as the first stream's recognition */
      else
        return BRINE_OK;  /* trailing data */
    }
    rc = lzma_one(o, &pos, xz);
    *consumed = pos;
    if(rc)
      return rc;
  }
}

/* ---- lz4 frame -------------------------------------------------------- */

static brine_result lz4_frame(struct ob *o, LZ4F_dctx *dc, size_t *pos)
{
  size_t start = *pos;
  int stall = 0;
  for(;;) {
    size_t room, dst, src, r;
    brine_result rc = ob_room(o, *pos);
    if(rc)
      return rc;
    room = dst = o->cap - o->len;
    src = o->inlen - *pos;
    r = LZ4F_decompress(dc, o->p + o->len, &dst, o->in + *pos, &src, NULL);
    *pos += src;
    o->len += dst;
    rc = ob_check(o, *pos);
    if(rc)
      return rc;
    if(LZ4F_isError(r))
      return BRINE_FAIL(o->ctx, BRINE_E_MALFORMED, *pos,
                        "lz4: %s in the frame at input byte %zu",
                        LZ4F_getErrorName(r), start);
    if(r == 0)
      return BRINE_OK;  /* frame complete, checksums verified */
    if(*pos == o->inlen && dst < room)
      return truncated(o, *pos);
    stall = dst || src ? 0 : stall + 1;
    if(stall >= STALL_MAX)
      return stalled(o, *pos);
  }
}

/* lz4 and zstd files are frames back to back, skippable frames allowed
   between them; what follows the last frame is trailing data. */
typedef brine_result frame_fn(struct ob *o, void *dec, size_t *pos);

static brine_result each_frame(struct ob *o, uint32_t magic, frame_fn *fn,
                               void *dec, size_t *consumed)
{
  brine_result rc = BRINE_OK;
  size_t pos = 0;
  for(unsigned long n = 0;; n++) {
    const uint8_t *d = o->in + pos;
    size_t left = o->inlen - pos;
    if(n && !left)
      break;
    if(skippable(d, left))
      rc = skip_frame(o, &pos);
    else if(n && (left < 4 || brinei_le32(d) != magic))
      break;  /* trailing data */
    else
      rc = fn(o, dec, &pos);
    *consumed = pos;
    if(rc)
      break;
  }
  return rc;
}

static brine_result lz4_frame_fn(struct ob *o, void *dec, size_t *pos)
{
  return lz4_frame(o, dec, pos);
}

static brine_result dec_lz4(struct ob *o, size_t *consumed)
{
  LZ4F_dctx *dc = NULL;
  brine_result rc;
  if(LZ4F_isError(LZ4F_createDecompressionContext(&dc, LZ4F_VERSION)))
    return BRINE_FAIL(o->ctx, BRINE_E_NOMEM, 0, "lz4: no memory");
  rc = each_frame(o, LZ4_MAGIC, lz4_frame_fn, dc, consumed);
  LZ4F_freeDecompressionContext(dc);
  return rc;
}

/* ---- zstd -------------------------------------------------------------- */

static brine_result zstd_frame(struct ob *o, ZSTD_DStream *ds, size_t *pos)
{
  ZSTD_inBuffer ib;
  size_t start = *pos;
  int stall = 0;
  ib.src = o->in;
  ib.size = o->inlen;
  ib.pos = *pos;
  for(;;) {
    ZSTD_outBuffer ob;
    size_t r, before = ib.pos;
    brine_result rc = ob_room(o, ib.pos);
    if(rc)
      return rc;
    ob.dst = o->p + o->len;
    ob.size = o->cap - o->len;
    ob.pos = 0;
    r = ZSTD_decompressStream(ds, &ob, &ib);
    *pos = ib.pos;
    o->len += ob.pos;
    rc = ob_check(o, ib.pos);
    if(rc)
      return rc;
    if(ZSTD_isError(r)) {
      ZSTD_ErrorCode e = ZSTD_getErrorCode(r);
      if(e == ZSTD_error_memory_allocation)
        return BRINE_FAIL(o->ctx, BRINE_E_NOMEM, ib.pos, "zstd: no memory");
      if(e == ZSTD_error_frameParameter_windowTooLarge)
        return BRINE_FAIL(o->ctx, BRINE_E_LIMIT, ib.pos, "zstd: the frame "
                          "at input byte %zu needs a window over 128 MiB "
                          "(limit memory)", ib.pos);
      return BRINE_FAIL(o->ctx, BRINE_E_MALFORMED, ib.pos,
                        "zstd: %s in the frame at input byte %zu",
                        ZSTD_getErrorName(r), start);
    }
    if(r == 0)
      return BRINE_OK;  /* frame decoded and flushed */
    if(ib.pos == ib.size && ob.pos < ob.size)
      return truncated(o, ib.pos);
    stall = ob.pos || ib.pos != before ? 0 : stall + 1;
    if(stall >= STALL_MAX)
      return stalled(o, ib.pos);
  }
}

static brine_result zstd_frame_fn(struct ob *o, void *dec, size_t *pos)
{
  return zstd_frame(o, dec, pos);
}

static brine_result dec_zstd(struct ob *o, size_t *consumed)
{
  ZSTD_DStream *ds = ZSTD_createDStream();
  brine_result rc;
  if(!ds)
    return BRINE_FAIL(o->ctx, BRINE_E_NOMEM, 0, "zstd: no memory");
  rc = each_frame(o, ZSTD_MAGIC, zstd_frame_fn, ds, consumed);
  ZSTD_freeDStream(ds);
  return rc;
}

/* ---- entry ------------------------------------------------------------- */

brine_result brinei_decompress(struct brine_ctx *ctx, enum brinei_fmt fmt,
                               const uint8_t *in, size_t inlen,
                               uint64_t max_out, uint8_t **out,
                               size_t *outlen, size_t *consumed)
{
  struct ob o;
  brine_result rc;
  *out = NULL;
  *outlen = 0;
  *consumed = 0;
  memset(&o, 0, sizeof(o));
  o.ctx = ctx;
  o.name = brinei_fmt_name(fmt);
  if(fmt == F_LZMA)
    o.name = "lzma";
  o.in = in;
  o.inlen = inlen;
  o.max = max_out;
  o.hard = max_out >= SIZE_MAX ? SIZE_MAX : (size_t)max_out + 1;
  if(!inlen)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, 0, "%s: empty input", o.name);
  switch(fmt) {
  case F_GZIP: rc = dec_gzip(&o, consumed); break;
  case F_ZLIB: rc = dec_zlib(&o, consumed); break;
  case F_BZIP2: rc = dec_bzip2(&o, consumed); break;
  case F_XZ: rc = dec_lzma(&o, true, consumed); break;
  case F_LZMA: rc = dec_lzma(&o, false, consumed); break;
  case F_LZ4: rc = dec_lz4(&o, consumed); break;
  case F_ZSTD: rc = dec_zstd(&o, consumed); break;
  default:
    return BRINE_FAIL(ctx, BRINE_E_INVALID, BRINE_NOOFF,
                      "%s is not a compression format", o.name);
  }
  if(rc == BRINE_E_NOMEM || !o.len) {
    brinei_free(ctx, o.p);
    o.p = NULL;
    o.len = 0;
  }
  /* the output decoded before a failure is handed over too: a loader
     that streams (pickle.load on a GzipFile) acts on it before it meets
     the damage */
  *out = o.p;
  *outlen = o.len;
  return rc;
}
