/* safetensors: recognise the format and validate its header strictly.
 *
 * SPEC: huggingface/safetensors safetensors/src/tensor.rs (read_metadata,
 * Metadata::validate, Dtype), summarised in reference/formats.md §A13 and
 * §B1-B4. Each violation is one FMT001 finding named after the Rust
 * reader's SafeTensorError, checked in the reader's order, first failure
 * only. brine is stricter where readers disagree (§A13: "not all parsers
 * may respect this"): duplicate keys, fields other than dtype, shape and
 * data_offsets, non-string metadata values and invalid UTF-8 are
 * rejected. Only the header is read: tensor bytes are never touched, so a
 * huge file costs one pass over at most 100 MB of JSON.
 */
#include "formats.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#define ST_MAX_HEADER 100000000u   /* MAX_HEADER_SIZE */

/* §B4: the exact dtype strings and their sizes in bits. */
static const struct {
  const char *name;
  unsigned bits;
} dtypes[] = {
  { "BOOL", 8 },         { "F4", 4 },           { "F6_E2M3", 6 },
  { "F6_E3M2", 6 },      { "U8", 8 },           { "I8", 8 },
  { "F8_E5M2", 8 },      { "F8_E4M3", 8 },      { "F8_E8M0", 8 },
  { "F8_E4M3FNUZ", 8 },  { "F8_E5M2FNUZ", 8 },  { "I16", 16 },
  { "U16", 16 },         { "F16", 16 },         { "BF16", 16 },
  { "I32", 32 },         { "U32", 32 },         { "F32", 32 },
  { "C64", 64 },         { "F64", 64 },         { "I64", 64 },
  { "U64", 64 },
};

/* One tensor entry, as Metadata::validate needs it. */
struct span {
  uint64_t begin, end;   /* data_offsets, relative to the byte buffer */
  uint64_t nbits;        /* elements x dtype bits, valid unless ovf */
  bool ovf;              /* the product overflowed (ValidationOverflow) */
  const char *name;      /* key in the JSON document */
};

static void st_fail(const struct brinei_fcheck *c, uint64_t off,
                    const char *fmt, ...) BRINE_PRINTF(3, 4);

static void st_fail(const struct brinei_fcheck *c, uint64_t off,
                    const char *fmt, ...)
{
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  brinei_finding_add(c->f, R_FMT_MALFORMED, off, c->member, NULL,
                     BRINE_USE_NONE, "safetensors: %s", msg);
}

static bool is_json_ws(uint8_t b)
{
  return b == ' ' || b == '\t' || b == '\n' || b == '\r';
}

bool brinei_safetensors_probe(const uint8_t *d, size_t len)
{
  uint64_t n;
  if(len < 10)
    return false;
  n = brinei_le64(d);
  if(n < 2 || n > ST_MAX_HEADER || n > len - 8)
    return false;
  for(size_t i = 8; i < 8 + (size_t)n; i++) {
    if(!is_json_ws(d[i]))
      return d[i] == '{';
  }
  return false;
}

/* A JSON integer that fits usize (non-negative; jansson's json_int_t is
   signed, so negative values are refused here). */
static bool get_uint(const json_t *v, uint64_t *out)
{
  json_int_t i;
  if(!json_is_integer(v))
    return false;
  i = json_integer_value(v);
  if(i < 0)
    return false;
  *out = (uint64_t)i;
  return true;
}

static bool mul_ovf(uint64_t a, uint64_t b, uint64_t *r)
{
  if(a && b > UINT64_MAX / a)
    return true;
  *r = a * b;
  return false;
}

/* Check one tensor entry's shape (TensorInfo: exactly dtype, shape and
   data_offsets). Returns NULL or the reason it fails to deserialise. */
static const char *parse_entry(const json_t *v, struct span *s, char *why,
                               size_t whylen)
{
  const json_t *dt, *shape, *offs, *x;
  const char *k;
  unsigned bits = 0;
  uint64_t nel = 1;
  size_t i;
  if(!json_is_object(v))
    return "entry is not an object";
  dt = json_object_get(v, "dtype");
  shape = json_object_get(v, "shape");
  offs = json_object_get(v, "data_offsets");
  if(!dt || !shape || !offs)
    return "entry lacks dtype, shape or data_offsets";
  json_object_foreach((json_t *)v, k, x) {
    if(strcmp(k, "dtype") && strcmp(k, "shape") && strcmp(k, "data_offsets")) {
      snprintf(why, whylen, "unexpected field '%.60s'", k);
      return why;
    }
  }
  if(!json_is_string(dt))
    return "dtype is not a string";
  for(i = 0; i < BRINE_ARRAY_LEN(dtypes); i++) {
    if(!strcmp(json_string_value(dt), dtypes[i].name)) {
      bits = dtypes[i].bits;
      break;
    }
  }
  if(!bits) {
    snprintf(why, whylen, "unknown dtype '%.40s'", json_string_value(dt));
    return why;
  }
  if(!json_is_array(shape))
    return "shape is not an array";
  /* §B3: nelements = product of shape, checked; nbits = nelements x bits */
  s->ovf = false;
  json_array_foreach(shape, i, x) {
    uint64_t dim;
    if(!get_uint(x, &dim))
      return "shape holds a value that is not a non-negative integer";
    if(!s->ovf && mul_ovf(nel, dim, &nel))
      s->ovf = true;
  }
  if(!s->ovf && mul_ovf(nel, bits, &s->nbits))
    s->ovf = true;
  if(!json_is_array(offs) || json_array_size(offs) != 2 ||
     !get_uint(json_array_get(offs, 0), &s->begin) ||
     !get_uint(json_array_get(offs, 1), &s->end))
    return "data_offsets is not a pair of non-negative integers";
  return NULL;
}

static int cmp_span(const void *a, const void *b)
{
  const struct span *x = a, *y = b;
  if(x->begin != y->begin)
    return x->begin < y->begin ? -1 : 1;
  if(x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return 0;
}

/* Metadata::validate over the entries sorted by data_offsets, then the
   buffer-length check of read_metadata. */
static void validate(const struct brinei_fcheck *c, struct span *v,
                     size_t n, uint64_t hlen, size_t len)
{
  uint64_t start = 0;
  if(n > 1)
    qsort(v, n, sizeof(*v), cmp_span);
  for(size_t i = 0; i < n; i++) {
    const struct span *s = &v[i];
    /* §B3: no holes, no overlap (polyglots) */
    if(s->begin != start || s->end < s->begin) {
      st_fail(c, 8, "InvalidOffset: tensor '%.200s' has data_offsets "
              "[%llu, %llu], expected to begin at %llu", s->name,
              (unsigned long long)s->begin, (unsigned long long)s->end,
              (unsigned long long)start);
      return;
    }
    start = s->end;
    if(s->ovf) {
      st_fail(c, 8, "ValidationOverflow: tensor '%.200s' shape x dtype "
              "size overflows", s->name);
      return;
    }
    if(s->nbits % 8) {
      st_fail(c, 8, "MisalignedSlice: tensor '%.200s' holds %llu bits, "
              "not a whole number of bytes", s->name,
              (unsigned long long)s->nbits);
      return;
    }
    if(s->end - s->begin != s->nbits / 8) {
      st_fail(c, 8, "TensorInvalidInfo: tensor '%.200s' spans %llu bytes, "
              "its shape and dtype need %llu", s->name,
              (unsigned long long)(s->end - s->begin),
              (unsigned long long)(s->nbits / 8));
      return;
    }
  }
  /* 8 + N + last_end == file length: no trailing bytes, no truncation */
  if(start > (uint64_t)len - 8 - hlen || 8 + hlen + start != len) {
    uint64_t want = start > UINT64_MAX - 8 - hlen ? UINT64_MAX
                                                  : 8 + hlen + start;
    st_fail(c, want < len ? want : len, "MetadataIncompleteBuffer: the "
            "tensors end at byte %llu of the file, which has %llu",
            (unsigned long long)want, (unsigned long long)len);
  }
}

void brinei_safetensors_check(const struct brinei_fcheck *c,
                              const uint8_t *d, size_t len)
{
  uint64_t hlen;
  json_error_t jerr;
  json_t *doc, *v;
  const char *key;
  struct span *spans = NULL;
  size_t n = 0, cap;
  char why[160];

  /* §B1: the order of read_metadata's checks */
  if(len < 8) {
    st_fail(c, 0, "HeaderTooSmall: %zu bytes, fewer than the 8 of the "
            "header length", len);
    return;
  }
  hlen = brinei_le64(d);
  if(hlen > ST_MAX_HEADER) {
    st_fail(c, 0, "HeaderTooLarge: header length %llu exceeds %u",
            (unsigned long long)hlen, ST_MAX_HEADER);
    return;
  }
  if(hlen > len - 8) {
    st_fail(c, 0, "InvalidHeaderLength: header length %llu but only %zu "
            "bytes follow", (unsigned long long)hlen, len - 8);
    return;
  }
  if(!brinei_utf8_valid(d + 8, (size_t)hlen, false)) {
    st_fail(c, 8, "InvalidHeader: the header is not valid UTF-8");
    return;
  }
  /* jansson's allocations are not counted by the context: bound them by
     the header size against the memory limit instead */
  if(hlen > c->ctx->lim.memory / 16) {
    brinei_finding_add(c->f, R_LIMIT, 0, c->member, NULL, BRINE_USE_NONE,
                       "safetensors: a %llu-byte header is too large to "
                       "parse within limit memory",
                       (unsigned long long)hlen);
    return;
  }
  doc = json_loadb((const char *)d + 8, (size_t)hlen, JSON_REJECT_DUPLICATES,
                   &jerr);
  if(!doc) {
    bool dup = json_error_code(&jerr) == json_error_duplicate_key;
    st_fail(c, 8 + (uint64_t)(jerr.position > 0 ? jerr.position : 0),
            "InvalidHeaderDeserialization: %s%.200s%s",
            dup ? "duplicate key (" : "", jerr.text, dup ? ")" : "");
    return;
  }
  if(!json_is_object(doc)) {
    st_fail(c, 8, "InvalidHeaderDeserialization: the header is not a JSON "
            "object");
    json_decref(doc);
    return;
  }
  cap = json_object_size(doc);
  if(cap) {
    spans = brinei_calloc(c->ctx, cap, sizeof(*spans));
    if(!spans) {
      brinei_finding_add(c->f, R_LIMIT, 8, c->member, NULL, BRINE_USE_NONE,
                         "safetensors: out of memory for %zu tensor "
                         "entries", cap);
      json_decref(doc);
      return;
    }
  }
  json_object_foreach(doc, key, v) {
    const char *err;
    if(!strcmp(key, "__metadata__")) {
      const char *mk;
      json_t *mv;
      /* Option<HashMap<String, String>>: null or strings only */
      if(json_is_null(v))
        continue;
      if(!json_is_object(v)) {
        st_fail(c, 8, "InvalidHeaderDeserialization: __metadata__ is not "
                "an object of strings");
        goto out;
      }
      json_object_foreach(v, mk, mv) {
        if(!json_is_string(mv)) {
          st_fail(c, 8, "InvalidHeaderDeserialization: non-string "
                  "__metadata__ value for '%.200s'", mk);
          goto out;
        }
      }
      continue;
    }
    err = parse_entry(v, &spans[n], why, sizeof(why));
    if(err) {
      st_fail(c, 8, "InvalidHeaderDeserialization: tensor '%.200s': %s",
              key, err);
      goto out;
    }
    spans[n++].name = key;
  }
  validate(c, spans, n, hlen, len);
out:
  brinei_free(c->ctx, spans);
  json_decref(doc);
}
