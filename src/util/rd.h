/* The bounded reader: every read of untrusted bytes outside the pickle
 * machine goes through it. A read past the end sets `bad`, returns zeros
 * and leaves the position at the end, so a parser checks once at the end
 * of a structure instead of before every field. All integers are
 * little-endian unless the name says otherwise.
 */
#ifndef BRINE_UTIL_RD_H
#define BRINE_UTIL_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct brinei_rd {
  const uint8_t *p;
  size_t len;
  size_t pos;
  bool bad;      /* a read ran past the end (sticky) */
};

static inline struct brinei_rd brinei_rd_make(const uint8_t *p, size_t len)
{
  struct brinei_rd r = { p, len, 0, false };
  return r;
}

static inline size_t brinei_rd_left(const struct brinei_rd *r)
{
  return r->len - r->pos;
}

/* n bytes in place, or NULL (and `bad`) when fewer remain. */
static inline const uint8_t *brinei_rd_take(struct brinei_rd *r, size_t n)
{
  const uint8_t *q;
  if(n > r->len - r->pos) {
    r->bad = true;
    r->pos = r->len;
    return NULL;
  }
  q = r->p + r->pos;
  r->pos += n;
  return q;
}

static inline bool brinei_rd_skip(struct brinei_rd *r, uint64_t n)
{
  if(n > r->len - r->pos) {
    r->bad = true;
    r->pos = r->len;
    return false;
  }
  r->pos += (size_t)n;
  return true;
}

static inline uint8_t brinei_rd_u8(struct brinei_rd *r)
{
  const uint8_t *q = brinei_rd_take(r, 1);
  return q ? q[0] : 0;
}

static inline uint16_t brinei_rd_u16(struct brinei_rd *r)
{
  const uint8_t *q = brinei_rd_take(r, 2);
  return q ? (uint16_t)(q[0] | q[1] << 8) : 0;
}

static inline uint32_t brinei_rd_u32(struct brinei_rd *r)
{
  const uint8_t *q = brinei_rd_take(r, 4);
  return q ? (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 |
             (uint32_t)q[3] << 24
           : 0;
}

static inline uint64_t brinei_rd_u64(struct brinei_rd *r)
{
  uint64_t lo = brinei_rd_u32(r);
  uint64_t hi = brinei_rd_u32(r);
  return lo | hi << 32;
}

/* Little-endian loads from a pointer the caller has bounds-checked. */
static inline uint16_t brinei_le16(const uint8_t *q)
{
  return (uint16_t)(q[0] | q[1] << 8);
}
static inline uint32_t brinei_le32(const uint8_t *q)
{
  return (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 |
         (uint32_t)q[3] << 24;
}
static inline uint64_t brinei_le64(const uint8_t *q)
{
  return (uint64_t)brinei_le32(q) | (uint64_t)brinei_le32(q + 4) << 32;
}

#endif
