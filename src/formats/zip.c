/* brine's own ZIP reader: the archive as PyTorch's miniz reader sees it
 * (central directory first, central names and sizes, flag bits and CRC
 * ignored), with every place where another reader (Python's zipfile,
 * unzip) could see something else recorded as a fact: local/central
 * disagreements, duplicate and overlapping entries, unsafe names, and
 * bytes no entry accounts for.
 *
 * SPEC: PKWARE APPNOTE.TXT 6.3.10 §4.3 (records), §4.4 (fields), §4.5.3
 * (ZIP64 extra); miniz 3.0 mz_zip_reader_read_central_dir,
 * mz_zip_file_stat_internal and mz_zip_reader_extract_to_mem_no_alloc1 (as
 * vendored by pytorch/pytorch third_party/miniz); CPython
 * Lib/zipfile.py (_EndRecData, _EndRecData64, _RealGetContents, open).
 * reference/formats.md §A2, §A3; pickle-threats.md B1-B4, B11, B12.
 *
 * Cost: opening touches the end records, the central directory and, per
 * entry, its local header and the few bytes after its data (a data
 * descriptor); member data is read only by brinei_zip_read.
 */
#include "formats.h"

#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_DD 0x08074b50u
#define SIG_EOCD 0x06054b50u
#define SIG_Z64_EOCD 0x06064b50u
#define SIG_Z64_LOC 0x07064b50u

#define LOC_LEN 30u
#define CEN_LEN 46u
#define EOCD_LEN 22u
#define Z64_LOC_LEN 20u
#define Z64_EOCD_LEN 56u
#define U32_SAT 0xffffffffu

#define FLAG_DD 0x0008u
/* encrypted, compressed patched data, strong encryption, masked local
   headers: zipfile refuses these, torch reads the bytes regardless (B3) */
#define FLAGS_REFUSED (0x0001u | 0x0020u | 0x0040u | 0x2000u)

#define MSG_MAX 2000u
#define INFLATE_FIRST (64u << 10)
#define INFLATE_STEP (1u << 20)

/* ---- helpers ----------------------------------------------------------- */

struct zopen {
  struct brine_ctx *ctx;
  struct brinei_zip *z;
  struct brinei_sbuf msg;    /* archive-level notes -> comment_msg */
  uint64_t *end;             /* per entry: end of its bytes, 0 if none */
  size_t rcap;
};

/* One archive-level note; notes beyond MSG_MAX are dropped, not failed. */
static void note(struct zopen *o, const char *fmt, ...) BRINE_PRINTF(2, 3);
static void note(struct zopen *o, const char *fmt, ...)
{
  char t[300];
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(t, sizeof(t), fmt, ap);
  va_end(ap);
  if(n <= 0)
    return;
  if((size_t)n >= sizeof(t))
    n = (int)sizeof(t) - 1;
  if(o->msg.len + (size_t)n + 2 > MSG_MAX)
    return;
  if(o->msg.len)
    brinei_sbuf_add(&o->msg, "; ", 2);
  brinei_sbuf_add(&o->msg, t, (size_t)n);
}

/* Extra fields are `u16 id, u16 len, data[len]` (APPNOTE 4.5.1). Returns
   the first ZIP64 field (id 0x0001), as miniz uses it; *count tells how
   many there are (zipfile applies each in turn) and *bad whether the list
   overruns its space. */
static const uint8_t *find_zip64(const uint8_t *ex, size_t n, size_t *flen,
                                 unsigned *count, bool *bad)
{
  const uint8_t *first = NULL;
  *count = 0;
  *bad = false;
  *flen = 0;
  while(n) {
    size_t l;
    if(n < 4) {
      *bad = true;
      break;
    }
    l = brinei_le16(ex + 2);
    if(l > n - 4) {
      *bad = true;
      break;
    }
    if(brinei_le16(ex) == 0x0001) {
      if(!first) {
        first = ex + 4;
        *flen = l;
      }
      (*count)++;
    }
    ex += 4 + l;
    n -= 4 + l;
  }
  return first;
}

/* APPNOTE 4.5.3: the ZIP64 field holds, in this order, only the values
   whose 32-bit field is 0xFFFFFFFF. `off` may be NULL (local headers).
   False when the field is too short for them. */
static bool zip64_resolve(const uint8_t *f, size_t flen, uint64_t *usize,
                          uint64_t *csize, uint64_t *off)
{
  struct brinei_rd r = brinei_rd_make(f, flen);
  if(*usize == U32_SAT)
    *usize = brinei_rd_u64(&r);
  if(*csize == U32_SAT)
    *csize = brinei_rd_u64(&r);
  if(off && *off == U32_SAT)
    *off = brinei_rd_u64(&r);
  return !r.bad;
}

struct lhdr {
  uint16_t flags, method;
  uint32_t crc;
  uint64_t csize, usize;     /* ZIP64-resolved when the extra says */
  const uint8_t *name;
  size_t name_len;
  uint64_t data_off;         /* as miniz computes it */
  bool zip64_bad;            /* 0xFFFFFFFF sizes without a usable extra */
};

enum { LH_OK, LH_OUTSIDE, LH_NOSIG };

/* The local header at off, which must lie (with its name and extra)
   before `lim`. */
static int parse_local(const uint8_t *d, uint64_t lim, uint64_t off,
                       struct lhdr *h)
{
  const uint8_t *p;
  size_t nl, xl;
  memset(h, 0, sizeof(*h));
  if(off > lim || lim - off < LOC_LEN)
    return LH_OUTSIDE;
  p = d + off;
  if(brinei_le32(p) != SIG_LOCAL)
    return LH_NOSIG;
  h->flags = brinei_le16(p + 6);
  h->method = brinei_le16(p + 8);
  h->crc = brinei_le32(p + 14);
  h->csize = brinei_le32(p + 18);
  h->usize = brinei_le32(p + 22);
  nl = brinei_le16(p + 26);
  xl = brinei_le16(p + 28);
  if(lim - off - LOC_LEN < nl + xl)
    return LH_OUTSIDE;
  h->name = p + LOC_LEN;
  h->name_len = nl;
  h->data_off = off + LOC_LEN + nl + xl;
  if(h->csize == U32_SAT || h->usize == U32_SAT) {
    size_t flen;
    unsigned cnt;
    bool bad;
    const uint8_t *f = find_zip64(p + LOC_LEN + nl, xl, &flen, &cnt, &bad);
    h->zip64_bad = !f || !zip64_resolve(f, flen, &h->usize, &h->csize,
                                        NULL);
  }
  return LH_OK;
}

/* ZA_PATH: absolute, drive letter, backslash, a ".." component or a NUL
   (zip-slip; APPNOTE 4.4.17.1 forbids the first three). */
bool brinei_unsafe_member_path(const char *s, size_t n)
{
  size_t start = 0;
  if(!n)
    return false;
  if(memchr(s, '\0', n) || memchr(s, '\\', n) || s[0] == '/')
    return true;
  if(n >= 2 && s[1] == ':' &&
     ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
    return true;
  for(size_t i = 0; i <= n; i++) {
    if(i == n || s[i] == '/') {
      if(i - start == 2 && s[start] == '.' && s[start + 1] == '.')
        return true;
      start = i + 1;
    }
  }
  return false;
}

/* Length of the data descriptor at p (APPNOTE 4.3.9: optional signature,
   crc, then 32- or 64-bit sizes) repeating the given values; the form
   that ends at `next` (the next known structure) wins. 0 when none. */
static uint64_t dd_len(const uint8_t *d, size_t len, uint64_t p,
                       uint64_t next, uint32_t crc, uint64_t cs,
                       uint64_t us)
{
  static const unsigned forms[4][2] = { { 1, 4 }, { 1, 8 }, { 0, 4 },
                                        { 0, 8 } };
  uint64_t first = 0;
  if(p > len)
    return 0;
  for(size_t k = 0; k < 4; k++) {
    unsigned sig = forms[k][0], w = forms[k][1];
    uint64_t n = 4 * sig + 4 + 2 * w;
    const uint8_t *q = d + p;
    uint64_t c, u;
    if(n > len - p)
      continue;
    if(sig) {
      if(brinei_le32(q) != SIG_DD)
        continue;
      q += 4;
    }
    c = w == 4 ? brinei_le32(q + 4) : brinei_le64(q + 4);
    u = w == 4 ? brinei_le32(q + 4 + w) : brinei_le64(q + 4 + w);
    if(brinei_le32(q) != crc || c != cs || u != us)
      continue;
    if(p + n == next)
      return n;
    if(!first)
      first = n;
  }
  return first;
}

static brine_result add_region(struct zopen *o, enum brinei_zip_region kind,
                               uint64_t off, uint64_t len,
                               struct brinei_zip_region_info **out)
{
  struct brinei_zip *z = o->z;
  void *p = z->r;
  struct brinei_zip_region_info *r;
  size_t max = o->ctx->lim.entries > SIZE_MAX / 2
                   ? SIZE_MAX / 2 : (size_t)o->ctx->lim.entries;
  brine_result rc = brinei_grow(o->ctx, &p, &o->rcap, z->nr + 1,
                                sizeof(*r), max);
  if(rc == BRINE_E_LIMIT)
    return BRINE_FAIL(o->ctx, rc, off, "zip has more than %zu regions "
                      "outside its entries (limit entries)", max);
  if(rc)
    return BRINE_FAIL(o->ctx, rc, off, "out of memory mapping zip regions");
  z->r = p;
  r = &z->r[z->nr++];
  memset(r, 0, sizeof(*r));
  r->kind = kind;
  r->off = off;
  r->len = len;
  if(out)
    *out = r;
  return BRINE_OK;
}

/* Bytes [a, b) that no listed entry covers: local entries the central
   directory does not list (one after another from the start), then
   plain bytes. */
static brine_result map_gap(struct zopen *o, uint64_t a, uint64_t b)
{
  struct brinei_zip *z = o->z;
  while(a < b) {
    struct lhdr h;
    struct brinei_zip_region_info *r;
    uint64_t dlen, end;
    brine_result rc;
    if(parse_local(z->data, b, a, &h) != LH_OK || h.zip64_bad)
      return add_region(o, a ? ZR_GAP : ZR_PREFIX, a, b - a, NULL);
    dlen = h.csize;
    if((h.flags & FLAG_DD) && !dlen)
      dlen = b - h.data_off;   /* runs to the next known structure */
    if(dlen > b - h.data_off)
      end = b;
    else {
      end = h.data_off + dlen;
      if((h.flags & FLAG_DD) && end < b) {
        uint64_t l = 0;
        if(b - end >= 16 && brinei_le32(z->data + end) == SIG_DD)
          l = b - end >= 24 && end + 24 == b ? 24 : 16;
        end += l;
      }
    }
    rc = add_region(o, ZR_UNLISTED, a, end - a, &r);
    if(rc)
      return rc;
    r->data_off = h.data_off;
    r->data_len = dlen;
    r->name = brinei_strndup(o->ctx, (const char *)h.name, h.name_len);
    if(!r->name)
      return BRINE_FAIL(o->ctx, BRINE_E_NOMEM, a, "out of memory");
    a = end;
  }
  return BRINE_OK;
}

/* ---- end records ------------------------------------------------------- */

struct endrec {
  uint64_t eocd;             /* offset of the EOCD record */
  uint64_t first;            /* first end record (ZIP64 EOCD or EOCD) */
  uint64_t count;
  uint64_t z64off;
  uint16_t clen;
};

/* The last EOCD signature with a whole record after it, within the last
   22 + 65535 bytes (miniz mz_zip_reader_locate_header_sig; zipfile takes
   the last one too). */
static bool find_eocd(const uint8_t *d, size_t len, uint64_t *at)
{
  size_t lo, p;
  if(len < EOCD_LEN)
    return false;
  lo = len - EOCD_LEN > 65535 ? len - EOCD_LEN - 65535 : 0;
  p = len - EOCD_LEN;
  for(;;) {
    if(d[p] == 'P' && brinei_le32(d + p) == SIG_EOCD) {
      *at = p;
      return true;
    }
    if(p == lo)
      return false;
    p--;
  }
}

bool brinei_zip_embedded(const uint8_t *d, size_t len, size_t *start)
{
  uint64_t e, cd_size, cd_off, ends;
  const uint8_t *p;
  if(!find_eocd(d, len, &e))
    return false;
  p = d + e;
  cd_size = brinei_le32(p + 12);
  cd_off = brinei_le32(p + 16);
  ends = e;
  /* CPython _EndRecData64: a ZIP64 record 56 bytes before the locator */
  if(e >= Z64_LOC_LEN + Z64_EOCD_LEN &&
     brinei_le32(d + e - Z64_LOC_LEN) == SIG_Z64_LOC &&
     brinei_le32(d + e - Z64_LOC_LEN - Z64_EOCD_LEN) == SIG_Z64_EOCD) {
    const uint8_t *r = d + e - Z64_LOC_LEN - Z64_EOCD_LEN;
    cd_size = brinei_le64(r + 40);
    cd_off = brinei_le64(r + 48);
    ends = e - Z64_LOC_LEN - Z64_EOCD_LEN;
  }
  /* zipfile: concat = end records start - size_cd - offset_cd, then the
     central directory must start with its signature (or be empty) */
  if(cd_size > ends || cd_off > ends - cd_size)
    return false;
  if(cd_size && (cd_size < CEN_LEN ||
                 brinei_le32(d + ends - cd_size) != SIG_CENTRAL))
    return false;
  *start = (size_t)(ends - cd_size - cd_off);
  return true;
}

static brine_result read_end(struct zopen *o, struct endrec *er)
{
  struct brine_ctx *ctx = o->ctx;
  struct brinei_zip *z = o->z;
  const uint8_t *d = z->data, *p;
  uint64_t e, disk, cdisk, ndisk, ntotal, cd_size, cd_off, cd_end;
  int64_t py;
  if(!find_eocd(d, z->len, &e))
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                      "no zip end of central directory record");
  p = d + e;
  er->eocd = e;
  er->first = e;
  disk = brinei_le16(p + 4);
  cdisk = brinei_le16(p + 6);
  ndisk = brinei_le16(p + 8);
  ntotal = brinei_le16(p + 10);
  cd_size = brinei_le32(p + 12);
  cd_off = brinei_le32(p + 16);
  er->clen = brinei_le16(p + 20);
  /* miniz looks for a locator only when there is room for it and a
     ZIP64 end record before the EOCD */
  if(e >= Z64_LOC_LEN + Z64_EOCD_LEN &&
     brinei_le32(d + e - Z64_LOC_LEN) == SIG_Z64_LOC) {
    const uint8_t *l = d + e - Z64_LOC_LEN, *r;
    uint32_t ldisk = brinei_le32(l + 4), ldisks = brinei_le32(l + 16);
    uint64_t zo = brinei_le64(l + 8);
    uint64_t rsize;
    if(ldisk || ldisks > 1)
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, e - Z64_LOC_LEN,
                        "multi-disk zip archives are not supported "
                        "(ZIP64 locator: disk %u of %u)", (unsigned)ldisk,
                        (unsigned)ldisks);
    /* miniz: the record must start at most 56 bytes before the end */
    if(z->len < Z64_EOCD_LEN || zo > z->len - Z64_EOCD_LEN)
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, e - Z64_LOC_LEN,
                        "ZIP64 end record offset %llu lies outside the file",
                        (unsigned long long)zo);
    r = d + zo;
    if(brinei_le32(r) == SIG_Z64_EOCD &&
       zo > e - Z64_LOC_LEN - Z64_EOCD_LEN)
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, zo, "ZIP64 end record at "
                        "%llu does not lie before its locator",
                        (unsigned long long)zo);
    if(brinei_le32(r) != SIG_Z64_EOCD) {
      /* miniz falls back to the EOCD; newer zipfile refuses */
      note(o, "the ZIP64 locator points at byte %llu, which holds no ZIP64 "
           "end record", (unsigned long long)zo);
    }
    else {
      static const char *const field[] = {
        "disk number", "central directory disk", "entries on this disk",
        "total entries", "central directory size",
        "central directory offset"
      };
      uint64_t v16[6], v64[6];
      rsize = brinei_le64(r + 4);
      if(rsize < Z64_EOCD_LEN - 12)
        return BRINE_FAIL(ctx, BRINE_E_MALFORMED, zo, "ZIP64 end record "
                          "size %llu is too small",
                          (unsigned long long)rsize);
      if(!ldisks)
        note(o, "the ZIP64 locator says the archive has 0 disks "
             "(miniz refuses it)");
      v16[0] = disk; v16[1] = cdisk; v16[2] = ndisk; v16[3] = ntotal;
      v16[4] = cd_size; v16[5] = cd_off;
      v64[0] = brinei_le32(r + 16);
      v64[1] = brinei_le32(r + 20);
      v64[2] = brinei_le64(r + 24);
      v64[3] = brinei_le64(r + 32);
      v64[4] = brinei_le64(r + 40);
      v64[5] = brinei_le64(r + 48);
      /* a saturated EOCD field defers to ZIP64; any other must agree */
      for(size_t k = 0; k < 6; k++) {
        uint64_t sat = k < 4 ? 0xffff : U32_SAT;
        if(v16[k] != sat && v16[k] != v64[k])
          note(o, "EOCD %s %llu differs from the ZIP64 end record's %llu",
               field[k], (unsigned long long)v16[k],
               (unsigned long long)v64[k]);
      }
      disk = v64[0]; cdisk = v64[1]; ndisk = v64[2]; ntotal = v64[3];
      cd_size = v64[4]; cd_off = v64[5];
      z->zip64 = true;
      er->z64off = zo;
      er->first = zo;
      /* zipfile (_EndRecData64) reads the record 56 bytes before the
         locator, whatever the locator says */
      if(zo + Z64_EOCD_LEN != e - Z64_LOC_LEN)
        note(o, "the ZIP64 end record at byte %llu is not right before "
             "its locator (zipfile reads one at byte %lld)",
             (unsigned long long)zo,
             (long long)e - (long long)(Z64_LOC_LEN + Z64_EOCD_LEN));
    }
  }
  /* miniz accepts disks 0/0 and 1/1 only, and one disk's entries */
  if(!((disk == 0 && cdisk == 0) || (disk == 1 && cdisk == 1)) ||
     ndisk != ntotal)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, e, "multi-disk zip archives "
                      "are not supported (disk %llu, central directory on "
                      "disk %llu, %llu of %llu entries)",
                      (unsigned long long)disk, (unsigned long long)cdisk,
                      (unsigned long long)ndisk, (unsigned long long)ntotal);
  if(cd_off > z->len || cd_size > z->len - cd_off)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, e, "zip central directory "
                      "(%llu bytes at %llu) lies outside the file (%zu "
                      "bytes)", (unsigned long long)cd_size,
                      (unsigned long long)cd_off, z->len);
  /* miniz only asks for it inside the file; no writer puts it after or
     across the end records, and the region map needs it before them */
  if(cd_off + cd_size > er->first)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, e, "zip central directory "
                      "(%llu bytes at %llu) runs into the end records at "
                      "%llu", (unsigned long long)cd_size,
                      (unsigned long long)cd_off,
                      (unsigned long long)er->first);
  if(ntotal > cd_size / CEN_LEN)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, e, "zip claims %llu entries "
                      "but its central directory holds %llu bytes",
                      (unsigned long long)ntotal,
                      (unsigned long long)cd_size);
  if(ntotal > ctx->lim.entries)
    return BRINE_FAIL(ctx, BRINE_E_LIMIT, e, "zip has %llu entries (limit "
                      "entries %llu)", (unsigned long long)ntotal,
                      (unsigned long long)ctx->lim.entries);
  z->cd_off = cd_off;
  z->cd_size = cd_size;
  er->count = ntotal;
  /* zipfile adds end-records-start minus central-directory-end to every
     offset ("concat": data prepended to the archive); miniz does not */
  cd_end = cd_off + cd_size;
  py = (int64_t)e - (z->zip64 ? Z64_LOC_LEN + Z64_EOCD_LEN : 0);
  if(py != (int64_t)cd_end)
    note(o, "the central directory ends at byte %llu but the end records "
         "start at %lld: zipfile shifts every offset by %lld",
         (unsigned long long)cd_end, (long long)py,
         (long long)py - (long long)cd_end);
  return BRINE_OK;
}

/* ---- the central directory --------------------------------------------- */

static brine_result read_central(struct zopen *o, const struct endrec *er)
{
  struct brine_ctx *ctx = o->ctx;
  struct brinei_zip *z = o->z;
  struct brinei_rd r = brinei_rd_make(z->data + z->cd_off,
                                      (size_t)z->cd_size);
  for(size_t i = 0; i < er->count; i++) {
    struct brinei_zip_entry *e = &z->e[i];
    uint64_t at = z->cd_off + r.pos;
    const uint8_t *h = brinei_rd_take(&r, CEN_LEN), *name, *extra;
    size_t nl, xl, cl;
    uint16_t dstart;
    if(!h || brinei_le32(h) != SIG_CENTRAL)
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, at, "zip central header "
                        "%zu of %llu is %s", i + 1,
                        (unsigned long long)er->count,
                        h ? "missing its signature" : "truncated");
    e->flags = brinei_le16(h + 8);
    e->method = brinei_le16(h + 10);
    e->crc = brinei_le32(h + 16);
    e->csize = brinei_le32(h + 20);
    e->usize = brinei_le32(h + 24);
    nl = brinei_le16(h + 28);
    xl = brinei_le16(h + 30);
    cl = brinei_le16(h + 32);
    dstart = brinei_le16(h + 34);
    e->local_off = brinei_le32(h + 42);
    name = brinei_rd_take(&r, nl);
    extra = brinei_rd_take(&r, xl);
    if(r.bad || !brinei_rd_skip(&r, cl))
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, at, "zip central header "
                        "%zu runs past the central directory", i + 1);
    /* miniz: disk 0xFFFF, or another disk than this one or 1 */
    if(dstart == 0xffff || (dstart && dstart != 1))
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, at, "multi-disk zip "
                        "archives are not supported (entry %zu on disk "
                        "%u)", i + 1, (unsigned)dstart);
    e->name = brinei_strndup(ctx, nl ? (const char *)name : "", nl);
    if(!e->name)
      return BRINE_FAIL(ctx, BRINE_E_NOMEM, at, "out of memory");
    e->name_len = nl;
    if(e->csize == U32_SAT || e->usize == U32_SAT ||
       e->local_off == U32_SAT) {
      size_t flen;
      unsigned cnt;
      bool bad;
      const uint8_t *f = find_zip64(extra, xl, &flen, &cnt, &bad);
      if(!f || !zip64_resolve(f, flen, &e->usize, &e->csize,
                              &e->local_off))
        e->anomalies |= ZA_ZIP64 | ZA_BOUNDS;
      else if(cnt > 1 || bad)
        e->anomalies |= ZA_ZIP64;
    }
    if(brinei_unsafe_member_path(e->name, nl))
      e->anomalies |= ZA_PATH;
    if(e->flags & FLAGS_REFUSED)
      e->anomalies |= ZA_FLAGS;
  }
  /* zipfile reads headers while central directory bytes remain; miniz
     reads the count: a header past the count is seen by one only */
  if(brinei_rd_left(&r) >= 4 &&
     brinei_le32(z->data + z->cd_off + r.pos) == SIG_CENTRAL)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, z->cd_off + r.pos,
                      "zip central directory holds more headers than its "
                      "%llu entries", (unsigned long long)er->count);
  if(brinei_rd_left(&r))
    note(o, "%zu bytes after the last central header", brinei_rd_left(&r));
  return BRINE_OK;
}

/* ZA_DUP through a hash of the names (a few thousand entries are usual,
   millions possible). */
static brine_result find_dups(struct zopen *o)
{
  struct brinei_zip *z = o->z;
  size_t slots = 16;
  uint32_t *t;
  while(slots < 2 * z->n)
    slots *= 2;
  t = brinei_calloc(o->ctx, slots, sizeof(*t));
  if(!t)
    return BRINE_FAIL(o->ctx, BRINE_E_NOMEM, BRINE_NOOFF, "out of memory");
  for(size_t i = 0; i < z->n; i++) {
    struct brinei_zip_entry *e = &z->e[i];
    size_t h = brinei_hash32(e->name, e->name_len) & (slots - 1);
    for(;; h = (h + 1) & (slots - 1)) {
      const struct brinei_zip_entry *f;
      if(!t[h]) {
        t[h] = (uint32_t)i + 1;
        break;
      }
      f = &z->e[t[h] - 1];
      if(f->name_len == e->name_len &&
         !memcmp(f->name, e->name, e->name_len)) {
        e->anomalies |= ZA_DUP;
        break;
      }
    }
  }
  brinei_free(o->ctx, t);
  return BRINE_OK;
}

/* ---- local headers ----------------------------------------------------- */

static bool field_ok(uint64_t local, uint64_t central, bool dd)
{
  return local == central || (dd && local == 0);
}

/* Check entry i's local header against its central header; set data_off
   (0: the header cannot be read, as miniz would fail) and, in o->end, how
   far its bytes reach. */
static brine_result check_local(struct zopen *o, size_t i)
{
  struct brinei_zip *z = o->z;
  struct brinei_zip_entry *e = &z->e[i];
  struct lhdr h;
  bool dd;
  int rc;
  if((e->anomalies & ZA_ZIP64) && e->local_off == U32_SAT &&
     (e->anomalies & ZA_BOUNDS))
    return BRINE_OK;   /* offset unknown */
  rc = parse_local(z->data, z->len, e->local_off, &h);
  if(rc == LH_OUTSIDE) {
    e->anomalies |= ZA_BOUNDS;
    return BRINE_OK;
  }
  if(rc == LH_NOSIG) {
    e->anomalies |= ZA_HEADER;
    return BRINE_OK;
  }
  e->local_flags = h.flags;
  e->local_method = h.method;
  if(h.name_len != e->name_len || memcmp(h.name, e->name, h.name_len)) {
    e->anomalies |= ZA_NAME;
    e->local_name = brinei_strndup(o->ctx, (const char *)h.name,
                                   h.name_len);
    if(!e->local_name)
      return BRINE_FAIL(o->ctx, BRINE_E_NOMEM, e->local_off,
                        "out of memory");
  }
  dd = (h.flags & FLAG_DD) != 0;
  if(h.flags != e->flags || h.method != e->method ||
     !field_ok(h.crc, e->crc, dd) || !field_ok(h.csize, e->csize, dd) ||
     !field_ok(h.usize, e->usize, dd))
    e->anomalies |= ZA_HEADER;
  if(h.zip64_bad)
    e->anomalies |= ZA_HEADER | ZA_ZIP64;
  if(h.flags & FLAGS_REFUSED)
    e->anomalies |= ZA_FLAGS;
  o->end[i] = h.data_off;
  if(e->anomalies & ZA_BOUNDS)
    return BRINE_OK;   /* sizes unknown (ZIP64 extra missing) */
  e->data_off = h.data_off;
  if(h.data_off > z->len || e->csize > z->len - h.data_off) {
    e->anomalies |= ZA_BOUNDS;   /* unreadable: only its header counts */
  }
  else {
    o->end[i] = h.data_off + e->csize;
    if(o->end[i] > z->cd_off)
      e->anomalies |= ZA_BOUNDS;
  }
  return BRINE_OK;
}

struct span {
  uint64_t off;   /* local header offset */
  size_t i;       /* entry index */
};

static int by_offset(const void *a, const void *b)
{
  const struct span *x = a, *y = b;
  if(x->off != y->off)
    return x->off < y->off ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

/* Data descriptors, overlaps and the regions before the central
   directory. */
static brine_result map_entries(struct zopen *o)
{
  struct brinei_zip *z = o->z;
  struct span *ix;
  size_t m = 0;
  uint64_t pos = 0, maxend = 0;
  brine_result rc = BRINE_OK;
  ix = brinei_calloc(o->ctx, z->n + 1, sizeof(*ix));
  if(!ix)
    return BRINE_FAIL(o->ctx, BRINE_E_NOMEM, BRINE_NOOFF, "out of memory");
  for(size_t i = 0; i < z->n; i++)
    if(o->end[i]) {
      ix[m].off = z->e[i].local_off;
      ix[m++].i = i;
    }
  qsort(ix, m, sizeof(*ix), by_offset);
  /* each entry's bytes end after its data descriptor, if it has one */
  for(size_t k = 0; k < m; k++) {
    struct brinei_zip_entry *e = &z->e[ix[k].i];
    uint64_t next = k + 1 < m ? z->e[ix[k + 1].i].local_off : z->cd_off;
    if(e->data_off && !(e->anomalies & ZA_BOUNDS) &&
       ((e->flags | e->local_flags) & FLAG_DD))
      o->end[ix[k].i] += dd_len(z->data, z->len, o->end[ix[k].i], next,
                                e->crc, e->csize, e->usize);
  }
  /* sorted by start: an entry overlaps an earlier one when it starts
     before the furthest end so far, and a later one when it ends after
     the next start */
  for(size_t k = 0; k < m; k++) {
    struct brinei_zip_entry *e = &z->e[ix[k].i];
    if(k && e->local_off < maxend)
      e->anomalies |= ZA_OVERLAP;
    if(k + 1 < m && o->end[ix[k].i] > z->e[ix[k + 1].i].local_off)
      e->anomalies |= ZA_OVERLAP;
    if(o->end[ix[k].i] > maxend)
      maxend = o->end[ix[k].i];
  }
  for(size_t k = 0; k < m && !rc; k++) {
    uint64_t s = z->e[ix[k].i].local_off;
    if(s > pos && pos < z->cd_off)
      rc = map_gap(o, pos, s < z->cd_off ? s : z->cd_off);
    if(o->end[ix[k].i] > pos)
      pos = o->end[ix[k].i];
  }
  if(!rc && pos < z->cd_off)
    rc = map_gap(o, pos, z->cd_off);
  brinei_free(o->ctx, ix);
  return rc;
}

/* Bytes between the central directory and the end records, inside the
   ZIP64 end record area, and after the EOCD comment. */
static brine_result map_tail(struct zopen *o, const struct endrec *er)
{
  struct brinei_zip *z = o->z;
  uint64_t cd_end = z->cd_off + z->cd_size, after;
  brine_result rc = BRINE_OK;
  if(cd_end < er->first)
    rc = add_region(o, ZR_TAIL, cd_end, er->first - cd_end, NULL);
  if(!rc && z->zip64 && er->z64off + Z64_EOCD_LEN < er->eocd - Z64_LOC_LEN &&
     er->z64off >= cd_end)
    rc = add_region(o, ZR_TAIL, er->z64off + Z64_EOCD_LEN,
                    er->eocd - Z64_LOC_LEN - er->z64off - Z64_EOCD_LEN,
                    NULL);
  after = er->eocd + EOCD_LEN + er->clen;
  if(!rc && after < z->len)
    rc = add_region(o, ZR_TAIL, after, z->len - after, NULL);
  return rc;
}

brine_result brinei_zip_open(struct brine_ctx *ctx, const uint8_t *d,
                             size_t len, struct brinei_zip **out)
{
  struct zopen o;
  struct endrec er;
  struct brinei_zip *z;
  brine_result rc;
  *out = NULL;
  memset(&o, 0, sizeof(o));
  memset(&er, 0, sizeof(er));
  z = brinei_calloc(ctx, 1, sizeof(*z));
  if(!z)
    return BRINE_FAIL(ctx, BRINE_E_NOMEM, BRINE_NOOFF, "out of memory");
  z->ctx = ctx;
  z->data = d;
  z->len = len;
  o.ctx = ctx;
  o.z = z;
  brinei_sbuf_init(&o.msg, ctx, MSG_MAX);
  rc = read_end(&o, &er);
  if(rc)
    goto fail;
  z->e = brinei_calloc(ctx, (size_t)er.count + 1, sizeof(*z->e));
  o.end = brinei_calloc(ctx, (size_t)er.count + 1, sizeof(*o.end));
  if(!z->e || !o.end) {
    rc = BRINE_FAIL(ctx, BRINE_E_NOMEM, BRINE_NOOFF, "out of memory");
    goto fail;
  }
  z->n = (size_t)er.count;
  rc = read_central(&o, &er);
  if(!rc)
    rc = find_dups(&o);
  for(size_t i = 0; i < z->n && !rc; i++)
    rc = check_local(&o, i);
  if(!rc)
    rc = map_entries(&o);
  if(!rc)
    rc = map_tail(&o, &er);
  if(rc)
    goto fail;
  if(o.msg.len || o.msg.failed) {
    z->comment_msg = brinei_sbuf_take(&o.msg);
    if(!z->comment_msg) {
      rc = BRINE_FAIL(ctx, BRINE_E_NOMEM, BRINE_NOOFF, "out of memory");
      goto fail;
    }
  }
  brinei_sbuf_free(&o.msg);
  brinei_free(ctx, o.end);
  *out = z;
  return BRINE_OK;
fail:
  brinei_sbuf_free(&o.msg);
  brinei_free(ctx, o.end);
  brinei_zip_free(z);
  return rc;
}

void brinei_zip_free(struct brinei_zip *z)
{
  struct brine_ctx *ctx;
  if(!z)
    return;
  ctx = z->ctx;
  for(size_t i = 0; z->e && i < z->n; i++) {
    brinei_free(ctx, z->e[i].name);
    brinei_free(ctx, z->e[i].local_name);
  }
  for(size_t i = 0; i < z->nr; i++)
    brinei_free(ctx, z->r[i].name);
  brinei_free(ctx, z->e);
  brinei_free(ctx, z->r);
  brinei_free(ctx, z->comment_msg);
  brinei_free(ctx, z);
}

/* ---- reading ----------------------------------------------------------- */

/* Raw deflate (RFC 1951) of in[0..inlen) into a buffer grown as output
   appears, never sized from the declared size alone. expect: the size the
   output must have, or UINT64_MAX when none is declared. */
static brine_result inflate_data(struct brinei_zip *z, const char *what,
                                 uint64_t off, const uint8_t *in,
                                 uint64_t inlen, uint64_t expect,
                                 uint64_t max_out, uint8_t **out,
                                 size_t *outlen)
{
  struct brine_ctx *ctx = z->ctx;
  uint64_t hard = expect < max_out ? expect : max_out;
  uint64_t consumed = 0, ratio = ctx->lim.ratio ? ctx->lim.ratio : 1;
  size_t cap_max, cap, got = 0;
  uint8_t *buf;
  z_stream s;
  brine_result rc = BRINE_OK;
  int zr;
  /* room for one byte past the bound tells "more" from "exactly" */
  cap_max = hard < SIZE_MAX ? (size_t)hard + 1 : SIZE_MAX;
  cap = cap_max < INFLATE_FIRST ? cap_max : INFLATE_FIRST;
  buf = brinei_malloc(ctx, cap);
  if(!buf)
    return BRINE_FAIL(ctx, BRINE_E_NOMEM, off, "out of memory inflating "
                      "%s", what);
  memset(&s, 0, sizeof(s));
  if(inflateInit2(&s, -15) != Z_OK) {
    brinei_free(ctx, buf);
    return BRINE_FAIL(ctx, BRINE_E_NOMEM, off, "zlib could not start "
                      "inflating %s", what);
  }
  for(;;) {
    uInt ain, aout;
    if(got == cap) {
      size_t ncap;
      uint8_t *nb;
      if(cap == cap_max)
        break;   /* output reached the bound with more to come */
      ncap = cap > cap_max / 2 ? cap_max : cap * 2;
      nb = brinei_realloc(ctx, buf, ncap);
      if(!nb) {
        rc = BRINE_FAIL(ctx, BRINE_E_NOMEM, off, "out of memory inflating "
                        "%s (%zu bytes so far)", what, got);
        break;
      }
      buf = nb;
      cap = ncap;
    }
    ain = inlen - consumed > (1u << 30) ? (1u << 30)
                                        : (uInt)(inlen - consumed);
    aout = cap - got > INFLATE_STEP ? INFLATE_STEP : (uInt)(cap - got);
    s.next_in = (Bytef *)(uintptr_t)(in + consumed);
    s.avail_in = ain;
    s.next_out = buf + got;
    s.avail_out = aout;
    zr = inflate(&s, Z_NO_FLUSH);
    consumed += ain - s.avail_in;
    got += aout - s.avail_out;
    if(zr == Z_STREAM_END)
      break;
    if(zr == Z_MEM_ERROR) {
      rc = BRINE_FAIL(ctx, BRINE_E_NOMEM, off, "out of memory inflating "
                      "%s", what);
      break;
    }
    if(zr == Z_DATA_ERROR || zr == Z_NEED_DICT || zr == Z_STREAM_ERROR) {
      rc = BRINE_FAIL(ctx, BRINE_E_MALFORMED, off + consumed, "%s: bad "
                      "deflate data (%s)", what, s.msg ? s.msg : "?");
      break;
    }
    if(s.avail_out && consumed == inlen && (zr == Z_BUF_ERROR ||
                                            ain == s.avail_in)) {
      rc = BRINE_FAIL(ctx, BRINE_E_MALFORMED, off + consumed, "%s: deflate "
                      "data ends after %llu bytes without an end block",
                      what, (unsigned long long)consumed);
      break;
    }
    if(got > BRINE_RATIO_FLOOR && consumed <= UINT64_MAX / ratio &&
       got > ratio * consumed) {
      rc = BRINE_FAIL(ctx, BRINE_E_LIMIT, off, "%s inflates more than "
                      "%llu:1 (limit ratio)", what,
                      (unsigned long long)ratio);
      break;
    }
  }
  inflateEnd(&s);
  if(!rc && got > hard) {
    if(hard == expect)
      rc = BRINE_FAIL(ctx, BRINE_E_MALFORMED, off, "%s inflates to more "
                      "than the %llu bytes declared", what,
                      (unsigned long long)expect);
    else
      rc = BRINE_FAIL(ctx, BRINE_E_LIMIT, off, "%s inflates to more than "
                      "%llu bytes (limit inflate_bytes)", what,
                      (unsigned long long)max_out);
  }
  if(!rc && expect != UINT64_MAX && got != expect)
    rc = BRINE_FAIL(ctx, BRINE_E_MALFORMED, off, "%s inflates to %zu "
                    "bytes, the central directory says %llu", what, got,
                    (unsigned long long)expect);
  if(rc) {
    brinei_free(ctx, buf);
    return rc;
  }
  *out = buf;
  *outlen = got;
  return BRINE_OK;
}

static uint32_t crc_of(const uint8_t *p, size_t n)
{
  return (uint32_t)crc32_z(0, p, n);
}

brine_result brinei_zip_read(struct brinei_zip *z, size_t i,
                             uint64_t max_out, const uint8_t **data,
                             size_t *len, uint8_t **owned, uint32_t *crc)
{
  struct brine_ctx *ctx = z->ctx;
  const struct brinei_zip_entry *e;
  char what[240];
  brine_result rc;
  *data = NULL;
  *len = 0;
  *owned = NULL;
  if(i >= z->n)
    return BRINE_FAIL(ctx, BRINE_E_INVALID, BRINE_NOOFF, "no zip entry %zu",
                      i);
  e = &z->e[i];
  snprintf(what, sizeof(what), "zip member \"%.200s\"", e->name);
  if(!e->data_off)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, e->local_off, "%s has no "
                      "readable local header", what);
  /* miniz reads data_off + csize bytes, wherever they lie in the file */
  if(e->data_off > z->len || e->csize > z->len - e->data_off)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, e->data_off, "%s (%llu "
                      "bytes at %llu) runs past the end of the file", what,
                      (unsigned long long)e->csize,
                      (unsigned long long)e->data_off);
  if(e->method == 0) {
    if(e->usize != e->csize)
      return BRINE_FAIL(ctx, BRINE_E_MALFORMED, e->local_off, "%s is "
                        "stored but declares %llu bytes compressed and "
                        "%llu uncompressed", what,
                        (unsigned long long)e->csize,
                        (unsigned long long)e->usize);
    if(e->csize > max_out)
      return BRINE_FAIL(ctx, BRINE_E_LIMIT, e->data_off, "%s holds %llu "
                        "bytes, more than %llu (limit inflate_bytes)", what,
                        (unsigned long long)e->csize,
                        (unsigned long long)max_out);
    *data = z->data + e->data_off;
    *len = (size_t)e->csize;
  }
  else if(e->method == 8 && !e->csize && !e->usize) {
    /* miniz returns an empty member without inflating anything */
    *data = z->data + e->data_off;
  }
  else if(e->method == 8) {
    rc = inflate_data(z, what, e->data_off, z->data + e->data_off, e->csize,
                      e->usize, max_out, owned, len);
    if(rc)
      return rc;
    *data = *owned;
  }
  else
    return BRINE_FAIL(ctx, BRINE_E_UNSUPPORTED, e->local_off, "%s uses "
                      "compression method %u", what, (unsigned)e->method);
  if(crc)
    *crc = crc_of(*data, *len);
  return BRINE_OK;
}

brine_result brinei_zip_read_region(struct brinei_zip *z, size_t ri,
                                    uint64_t max_out, const uint8_t **data,
                                    size_t *len, uint8_t **owned)
{
  struct brine_ctx *ctx = z->ctx;
  const struct brinei_zip_region_info *r;
  struct lhdr h;
  char what[240];
  *data = NULL;
  *len = 0;
  *owned = NULL;
  if(ri >= z->nr || z->r[ri].kind != ZR_UNLISTED)
    return BRINE_FAIL(ctx, BRINE_E_INVALID, BRINE_NOOFF, "zip region %zu "
                      "is not an unlisted entry", ri);
  r = &z->r[ri];
  snprintf(what, sizeof(what), "unlisted zip entry \"%.200s\"",
           r->name ? r->name : "");
  if(parse_local(z->data, z->len, r->off, &h) != LH_OK)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, r->off, "%s: no local "
                      "header", what);
  if(r->data_off > z->len || r->data_len > z->len - r->data_off)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, r->data_off, "%s (%llu bytes "
                      "at %llu) runs past the end of the file", what,
                      (unsigned long long)r->data_len,
                      (unsigned long long)r->data_off);
  if(h.method == 0) {
    if(r->data_len > max_out)
      return BRINE_FAIL(ctx, BRINE_E_LIMIT, r->data_off, "%s holds %llu "
                        "bytes, more than %llu (limit inflate_bytes)", what,
                        (unsigned long long)r->data_len,
                        (unsigned long long)max_out);
    *data = z->data + r->data_off;
    *len = (size_t)r->data_len;
    return BRINE_OK;
  }
  if(h.method == 8) {
    brine_result rc = inflate_data(z, what, r->data_off,
                                   z->data + r->data_off, r->data_len,
                                   UINT64_MAX, max_out, owned, len);
    if(!rc)
      *data = *owned;
    return rc;
  }
  return BRINE_FAIL(ctx, BRINE_E_UNSUPPORTED, r->off, "%s uses compression "
                    "method %u", what, (unsigned)h.method);
}
