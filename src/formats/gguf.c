/* GGUF: validate the header, every key/value pair and every tensor info
 * the way ggml's loader does, and screen chat templates for injection.
 *
 * SPEC: ggml-org/ggml docs/gguf.md, src/gguf.cpp (gguf_init_from_reader),
 * include/ggml.h and the ggml type traits, summarised in
 * reference/formats.md §A12. Every count and length is checked against the
 * bytes that remain before it is used; nothing is allocated from a count
 * (the key and tensor-name sets grow with the names actually read), and
 * arrays, the tokenizer's 100k-string vocabularies included, are walked in
 * place. The first violation is one FMT001 finding and ends the check, as
 * it ends ggml's load.
 *
 * Big-endian files (written by gguf-py for s390x; ggml spots them by a
 * byte-swapped version, `(version & 0xFFFF) == 0`) are parsed big-endian,
 * so their templates are screened like any other.
 */
#include "formats.h"

#include <stdio.h>

#define GGUF_MAX_STRING (1ull << 30)   /* GGUF_MAX_STRING_LENGTH */
#define GGUF_MAX_ARRAY (1ull << 30)    /* GGUF_MAX_ARRAY_ELEMENTS */
#define GGUF_MAX_KEY 65535u            /* docs/gguf.md: keys < 2^16 bytes */
#define GGML_MAX_NAME 64u              /* names are < 64 bytes */
#define GGML_MAX_DIMS 4u
#define GGUF_DEFAULT_ALIGNMENT 32u

enum {
  GT_U8, GT_I8, GT_U16, GT_I16, GT_U32, GT_I32, GT_F32, GT_BOOL, GT_STRING,
  GT_ARRAY, GT_U64, GT_I64, GT_F64, GT_COUNT
};
/* bytes of each value type; 0 for string and array */
static const uint8_t gt_size[GT_COUNT] = { 1, 1, 2, 2, 4, 4, 4, 1, 0, 0,
                                           8, 8, 8 };

/* ggml type traits: elements per block and bytes per block. Zero rows are
   ids ggml removed (4, 5, 31-33, 36-38); GGML_TYPE_COUNT is 43. */
static const struct {
  uint16_t blck;
  uint16_t size;
} ggml_types[] = {
  [0] = { 1, 4 },       /* F32 */
  [1] = { 1, 2 },       /* F16 */
  [2] = { 32, 18 },     /* Q4_0 */
  [3] = { 32, 20 },     /* Q4_1 */
  [6] = { 32, 22 },     /* Q5_0 */
  [7] = { 32, 24 },     /* Q5_1 */
  [8] = { 32, 34 },     /* Q8_0 */
  [9] = { 32, 36 },     /* Q8_1 */
  [10] = { 256, 84 },   /* Q2_K */
  [11] = { 256, 110 },  /* Q3_K */
  [12] = { 256, 144 },  /* Q4_K */
  [13] = { 256, 176 },  /* Q5_K */
  [14] = { 256, 210 },  /* Q6_K */
  [15] = { 256, 292 },  /* Q8_K */
  [16] = { 256, 66 },   /* IQ2_XXS */
  [17] = { 256, 74 },   /* IQ2_XS */
  [18] = { 256, 98 },   /* IQ3_XXS */
  [19] = { 256, 50 },   /* IQ1_S */
  [20] = { 32, 18 },    /* IQ4_NL */
  [21] = { 256, 110 },  /* IQ3_S */
  [22] = { 256, 82 },   /* IQ2_S */
  [23] = { 256, 136 },  /* IQ4_XS */
  [24] = { 1, 1 },      /* I8 */
  [25] = { 1, 2 },      /* I16 */
  [26] = { 1, 4 },      /* I32 */
  [27] = { 1, 8 },      /* I64 */
  [28] = { 1, 8 },      /* F64 */
  [29] = { 256, 56 },   /* IQ1_M */
  [30] = { 1, 2 },      /* BF16 */
  [34] = { 256, 54 },   /* TQ1_0 */
  [35] = { 256, 66 },   /* TQ2_0 */
  [39] = { 32, 17 },    /* MXFP4 */
  [40] = { 64, 36 },    /* NVFP4 */
  [41] = { 128, 18 },   /* Q1_0 */
  [42] = { 64, 18 },    /* Q2_0 */
};

/* A set of names (keys, tensor names) pointing into the file; open
   addressing, grown as names are read. */
struct nameset {
  struct brine_ctx *ctx;
  struct name_ent {
    const uint8_t *p;
    size_t n;
    uint32_t h;
  } *v;
  size_t cap, n;
};

struct gg {
  const struct brinei_fcheck *c;
  struct brinei_rd r;
  bool be;               /* big-endian file */
  bool failed;           /* a finding ended the check */
};

static void gg_fail(struct gg *g, uint64_t off, const char *fmt, ...)
    BRINE_PRINTF(3, 4);

static void gg_fail(struct gg *g, uint64_t off, const char *fmt, ...)
{
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  brinei_finding_add(g->c->f, R_FMT_MALFORMED, off, g->c->member, NULL,
                     BRINE_USE_NONE, "GGUF: %s", msg);
  g->failed = true;
}

static void gg_nomem(struct gg *g)
{
  brinei_finding_add(g->c->f, R_LIMIT, BRINE_NOOFF, g->c->member, NULL,
                     BRINE_USE_NONE, "GGUF: out of memory (limit memory) "
                     "while checking names for duplicates");
  g->failed = true;
}

static uint32_t gg_u32(struct gg *g)
{
  const uint8_t *q = brinei_rd_take(&g->r, 4);
  if(!q)
    return 0;
  return g->be ? (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
                     (uint32_t)q[2] << 8 | q[3]
               : brinei_le32(q);
}

static uint64_t gg_u64(struct gg *g)
{
  uint64_t a = gg_u32(g), b = gg_u32(g);
  return g->be ? a << 32 | b : b << 32 | a;
}

/* 1 added, 0 already present, -1 out of memory. */
static int nameset_add(struct nameset *s, const uint8_t *p, size_t n)
{
  uint32_t h = brinei_hash32((const char *)p, n);
  size_t i;
  if((s->n + 1) * 2 > s->cap) {
    size_t ncap = s->cap ? s->cap * 2 : 64;
    struct name_ent *nv;
    if(ncap > SIZE_MAX / 2 / sizeof(*nv))
      return -1;
    nv = brinei_calloc(s->ctx, ncap, sizeof(*nv));
    if(!nv)
      return -1;
    for(size_t j = 0; j < s->cap; j++) {
      if(!s->v[j].p)
        continue;
      i = s->v[j].h & (ncap - 1);
      while(nv[i].p)
        i = (i + 1) & (ncap - 1);
      nv[i] = s->v[j];
    }
    brinei_free(s->ctx, s->v);
    s->v = nv;
    s->cap = ncap;
  }
  i = h & (s->cap - 1);
  while(s->v[i].p) {
    if(s->v[i].h == h && s->v[i].n == n && !memcmp(s->v[i].p, p, n))
      return 0;
    i = (i + 1) & (s->cap - 1);
  }
  /* p is never NULL: an empty name points at its length field's end */
  s->v[i].p = p;
  s->v[i].n = n;
  s->v[i].h = h;
  s->n++;
  return 1;
}

/* A gguf_string; NULL (finding added) when it breaks the limits. */
static const uint8_t *gg_str(struct gg *g, uint64_t *n, const char *what)
{
  uint64_t off = g->r.pos;
  const uint8_t *p;
  *n = gg_u64(g);
  if(g->r.bad) {
    gg_fail(g, off, "truncated at the length of %s", what);
    return NULL;
  }
  if(*n > GGUF_MAX_STRING) {
    gg_fail(g, off, "%s is %llu bytes, over the 1 GiB limit", what,
            (unsigned long long)*n);
    return NULL;
  }
  if(*n > brinei_rd_left(&g->r)) {
    gg_fail(g, off, "%s is %llu bytes but only %zu remain", what,
            (unsigned long long)*n, brinei_rd_left(&g->r));
    return NULL;
  }
  p = brinei_rd_take(&g->r, (size_t)*n);
  return p;
}

static bool is_template_key(const uint8_t *k, size_t n)
{
  static const char base[] = "tokenizer.chat_template";
  size_t bl = sizeof(base) - 1;
  if(n < bl || memcmp(k, base, bl))
    return false;
  return n == bl || (n > bl + 1 && k[bl] == '.');
}

static bool key_is(const uint8_t *k, size_t n, const char *s)
{
  return n == strlen(s) && !memcmp(k, s, n);
}

/* The value of one key/value pair (after its type). */
static void gg_value(struct gg *g, const uint8_t *key, size_t klen,
                     uint32_t type, uint64_t toff, uint32_t *alignment)
{
  char where[96];
  bool tmpl = is_template_key(key, klen);
  snprintf(where, sizeof(where), "%.*s", klen > 80 ? 80 : (int)klen,
           (const char *)key);
  if(type >= GT_COUNT) {
    gg_fail(g, toff, "key '%s' has invalid value type %u", where, type);
    return;
  }
  if(type == GT_ARRAY) {
    uint32_t et = gg_u32(g);
    uint64_t cnt = gg_u64(g);
    if(g->r.bad) {
      gg_fail(g, toff, "truncated in the array header of key '%s'", where);
      return;
    }
    /* ggml rejects nested arrays although the spec text allows them */
    if(et == GT_ARRAY) {
      gg_fail(g, toff + 4, "key '%s' is a nested array", where);
      return;
    }
    if(et >= GT_COUNT) {
      gg_fail(g, toff + 4, "key '%s' is an array of invalid type %u", where,
              et);
      return;
    }
    if(cnt > GGUF_MAX_ARRAY) {
      gg_fail(g, toff + 8, "key '%s' has %llu elements, over the 2^30 "
              "limit", where, (unsigned long long)cnt);
      return;
    }
    if(et == GT_STRING) {
      if(cnt * 8 > brinei_rd_left(&g->r)) {
        gg_fail(g, toff + 8, "key '%s' claims %llu strings but only %zu "
                "bytes remain", where, (unsigned long long)cnt,
                brinei_rd_left(&g->r));
        return;
      }
      for(uint64_t i = 0; i < cnt; i++) {
        uint64_t n, soff = g->r.pos + 8;
        const uint8_t *s = gg_str(g, &n, "an array string");
        if(!s)
          return;
        if(tmpl)
          brinei_chat_template_check(g->c, where, s, (size_t)n, soff);
      }
      return;
    }
    if(cnt * gt_size[et] > brinei_rd_left(&g->r)) {
      gg_fail(g, toff + 8, "key '%s' claims %llu elements but only %zu "
              "bytes remain", where, (unsigned long long)cnt,
              brinei_rd_left(&g->r));
      return;
    }
    if(et == GT_BOOL) {
      const uint8_t *b = brinei_rd_take(&g->r, (size_t)cnt);
      for(size_t i = 0; i < (size_t)cnt; i++) {
        if(b[i] > 1) {
          gg_fail(g, g->r.pos - cnt + i, "key '%s' holds bool value %u "
                  "(only 0 and 1 are valid)", where, b[i]);
          return;
        }
      }
      return;
    }
    brinei_rd_skip(&g->r, cnt * gt_size[et]);
    return;
  }
  if(type == GT_STRING) {
    uint64_t n, soff = g->r.pos + 8;
    const uint8_t *s = gg_str(g, &n, "a string value");
    if(s && tmpl)
      brinei_chat_template_check(g->c, where, s, (size_t)n, soff);
    return;
  }
  if(key_is(key, klen, "general.alignment")) {
    uint32_t a;
    /* ggml reads it with gguf_get_val_u32, which asserts the type */
    if(type != GT_U32) {
      gg_fail(g, toff, "general.alignment has type %u, not UINT32", type);
      return;
    }
    a = gg_u32(g);
    if(!g->r.bad && (a == 0 || (a & (a - 1)))) {
      gg_fail(g, toff + 4, "general.alignment %u is not a power of two", a);
      return;
    }
    *alignment = a;
  }
  else if(type == GT_BOOL) {
    uint8_t b = brinei_rd_u8(&g->r);
    if(!g->r.bad && b > 1) {
      gg_fail(g, toff + 4, "key '%s' holds bool value %u (only 0 and 1 "
              "are valid)", where, b);
      return;
    }
  }
  else
    brinei_rd_skip(&g->r, gt_size[type]);
  if(g->r.bad)
    gg_fail(g, toff + 4, "truncated in the value of key '%s'", where);
}

static void gg_kvs(struct gg *g, uint64_t n_kv, uint32_t *alignment)
{
  struct nameset keys = { g->c->ctx, NULL, 0, 0 };
  for(uint64_t i = 0; i < n_kv && !g->failed; i++) {
    uint64_t koff = g->r.pos, klen;
    const uint8_t *key;
    uint32_t type;
    klen = gg_u64(g);
    if(g->r.bad) {
      gg_fail(g, koff, "truncated at key %llu of %llu",
              (unsigned long long)i, (unsigned long long)n_kv);
      break;
    }
    if(klen == 0 || klen > GGUF_MAX_KEY) {
      gg_fail(g, koff, "key %llu has length %llu (1 to 65535 allowed)",
              (unsigned long long)i, (unsigned long long)klen);
      break;
    }
    key = brinei_rd_take(&g->r, (size_t)klen);
    if(!key) {
      gg_fail(g, koff, "key %llu is %llu bytes but the file ends first",
              (unsigned long long)i, (unsigned long long)klen);
      break;
    }
    switch(nameset_add(&keys, key, (size_t)klen)) {
    case 0:
      gg_fail(g, koff, "duplicate key '%.*s'", klen > 80 ? 80 : (int)klen,
              (const char *)key);
      break;
    case -1:
      gg_nomem(g);
      break;
    default:
      break;
    }
    if(g->failed)
      break;
    type = gg_u32(g);
    if(g->r.bad) {
      gg_fail(g, g->r.pos, "truncated at the type of key '%.*s'",
              klen > 80 ? 80 : (int)klen, (const char *)key);
      break;
    }
    gg_value(g, key, (size_t)klen, type, koff + 8 + klen, alignment);
  }
  brinei_free(g->c->ctx, keys.v);
}

/* Tensor infos: names, shapes, types and offsets, each tensor at the
   running sum of the aligned sizes before it (gguf.cpp demands exactly
   that: no holes, no overlap), all inside the file. */
static void gg_tensors(struct gg *g, uint64_t n_t, uint32_t align,
                       size_t len)
{
  struct nameset names = { g->c->ctx, NULL, 0, 0 };
  uint64_t expect = 0, last_end = 0, data;
  char last[GGML_MAX_NAME + 1] = "";
  for(uint64_t i = 0; i < n_t && !g->failed; i++) {
    uint64_t toff = g->r.pos, nlen, ne[GGML_MAX_DIMS] = { 1, 1, 1, 1 };
    uint64_t nel = 1, nbytes, off;
    uint32_t nd, type;
    char name[GGML_MAX_NAME + 1];
    const uint8_t *np = gg_str(g, &nlen, "a tensor name");
    if(!np)
      break;
    if(nlen >= GGML_MAX_NAME) {
      gg_fail(g, toff, "tensor %llu has a %llu-byte name (ggml allows "
              "at most 63)", (unsigned long long)i,
              (unsigned long long)nlen);
      break;
    }
    memcpy(name, np, (size_t)nlen);
    name[nlen] = 0;
    switch(nameset_add(&names, np, (size_t)nlen)) {
    case 0:
      gg_fail(g, toff, "duplicate tensor name '%s'", name);
      break;
    case -1:
      gg_nomem(g);
      break;
    default:
      break;
    }
    if(g->failed)
      break;
    nd = gg_u32(g);
    if(!g->r.bad && nd > GGML_MAX_DIMS) {
      gg_fail(g, toff + 8 + nlen, "tensor '%s' has %u dimensions (at most "
              "4)", name, nd);
      break;
    }
    for(uint32_t j = 0; j < nd; j++)
      ne[j] = gg_u64(g);
    type = gg_u32(g);
    off = gg_u64(g);
    if(g->r.bad) {
      gg_fail(g, toff, "truncated in the info of tensor '%s'", name);
      break;
    }
    for(uint32_t j = 0; j < GGML_MAX_DIMS; j++) {
      /* ne is int64_t in ggml */
      if(ne[j] > INT64_MAX) {
        gg_fail(g, toff, "tensor '%s' dimension %u is negative", name, j);
        break;
      }
      /* gguf.cpp divides INT64_MAX by ne[1..3] in its overflow check */
      if(j && !ne[j]) {
        gg_fail(g, toff, "tensor '%s' dimension %u is 0 (ggml's size check "
                "divides by it)", name, j);
        break;
      }
      if(nel && ne[j] > (uint64_t)INT64_MAX / nel) {
        gg_fail(g, toff, "tensor '%s' element count overflows", name);
        break;
      }
      nel *= ne[j];
    }
    if(g->failed)
      break;
    if(type >= BRINE_ARRAY_LEN(ggml_types) || !ggml_types[type].blck) {
      gg_fail(g, toff, "tensor '%s' has unknown ggml type %u", name, type);
      break;
    }
    if(ne[0] % ggml_types[type].blck) {
      gg_fail(g, toff, "tensor '%s' row of %llu elements is not a multiple "
              "of the type's block size %u", name,
              (unsigned long long)ne[0], ggml_types[type].blck);
      break;
    }
    /* bytes = blocks per row x block size x rows, checked */
    nbytes = ne[0] / ggml_types[type].blck;
    for(uint32_t j = 1; j <= GGML_MAX_DIMS; j++) {
      uint64_t m = j < GGML_MAX_DIMS ? ne[j] : ggml_types[type].size;
      if(nbytes && m > UINT64_MAX / nbytes) {
        gg_fail(g, toff, "tensor '%s' byte size overflows", name);
        break;
      }
      nbytes *= m;
    }
    if(g->failed)
      break;
    if(off != expect) {
      gg_fail(g, g->r.pos - 8, "tensor '%s' at data offset %llu, expected "
              "%llu (%s)", name, (unsigned long long)off,
              (unsigned long long)expect,
              off % align ? "misaligned"
              : off < expect ? "overlaps the tensor before it"
                             : "leaves a hole");
      break;
    }
    last_end = off + nbytes;
    if(last_end < off || last_end > UINT64_MAX - align) {
      gg_fail(g, toff, "tensor '%s' data end overflows", name);
      break;
    }
    expect = (last_end + align - 1) & ~(uint64_t)(align - 1);
    memcpy(last, name, (size_t)nlen + 1);
  }
  brinei_free(g->c->ctx, names.v);
  if(g->failed || !n_t)
    return;
  /* the data section starts at the next multiple of the alignment */
  data = ((uint64_t)g->r.pos + align - 1) & ~(uint64_t)(align - 1);
  if(data > len) {
    gg_fail(g, g->r.pos, "the data section would start at %llu, past the "
            "end of the %zu-byte file", (unsigned long long)data, len);
    return;
  }
  /* llama.cpp: "tensor data is not within file bounds" */
  if(last_end > len - data)
    gg_fail(g, data, "tensor '%s' data ends at byte %llu, past the end of "
            "the %zu-byte file", last,
            (unsigned long long)(last_end > UINT64_MAX - data
                                 ? UINT64_MAX : data + last_end), len);
}

void brinei_gguf_check(const struct brinei_fcheck *c, const uint8_t *d,
                       size_t len)
{
  struct gg g;
  uint32_t version, alignment = GGUF_DEFAULT_ALIGNMENT;
  uint64_t n_t, n_kv;
  memset(&g, 0, sizeof(g));
  g.c = c;
  g.r = brinei_rd_make(d, len);
  if(len < 4 || memcmp(d, "GGUF", 4)) {
    gg_fail(&g, 0, "no GGUF magic");
    return;
  }
  brinei_rd_skip(&g.r, 4);
  version = gg_u32(&g);
  if(g.r.bad) {
    gg_fail(&g, 4, "truncated before the version");
    return;
  }
  /* ggml: a byte-swapped version means the other byte order */
  if(version && !(version & 0xffffu)) {
    g.be = true;
    version = (version >> 24) | ((version >> 8) & 0xff00u);
  }
  if(version == 1) {
    gg_fail(&g, 4, "GGUF v1 is no longer supported by ggml");
    return;
  }
  if(version != 2 && version != 3) {
    gg_fail(&g, 4, "unsupported GGUF version %u", version);
    return;
  }
  n_t = gg_u64(&g);
  n_kv = gg_u64(&g);
  if(g.r.bad) {
    gg_fail(&g, 8, "truncated in the header counts");
    return;
  }
  /* smallest key/value: u64 length, 1-byte key, u32 type, 1-byte value;
     smallest tensor info: u64 length, u32 n_dims, u32 type, u64 offset */
  if(n_kv > brinei_rd_left(&g.r) / 14) {
    gg_fail(&g, 16, "%llu key/value pairs cannot fit in the %zu bytes "
            "left", (unsigned long long)n_kv, brinei_rd_left(&g.r));
    return;
  }
  if(n_t > brinei_rd_left(&g.r) / 24) {
    gg_fail(&g, 8, "%llu tensor infos cannot fit in the %zu bytes left",
            (unsigned long long)n_t, brinei_rd_left(&g.r));
    return;
  }
  gg_kvs(&g, n_kv, &alignment);
  if(g.failed)
    return;
  gg_tensors(&g, n_t, alignment, len);
}
