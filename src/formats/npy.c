/* NumPy .npy headers: the magic, the version, and the header dict parsed
 * by a small tokenizer for the Python literals numpy writes (strings,
 * integers, True/False, tuples, lists, one dict), never evaluated. The
 * result says where the data starts, how many bytes it takes and whether
 * it is a pickle (object dtype).
 *
 * SPEC: numpy/numpy numpy/lib/_format_impl.py @ 0084bceb (format.py in
 * 1.24): MAGIC_PREFIX, _header_size_info (v1 '<H' latin1, v2 '<I' latin1,
 * v3 '<I' utf8), _MAX_HEADER_SIZE, _read_array_header (EXPECTED_KEYS,
 * shape a tuple of ints, fortran_order a bool, descr_to_dtype);
 * _filter_header drops Python 2 'L' suffixes in v1/v2 headers. Stricter
 * than numpy on purpose: duplicate keys, comments, string concatenation,
 * prefixes, a missing final '\n' and negative dimensions are refused.
 * Alignment to ARRAY_ALIGN (64) is not required: numpy reads any.
 */
#include "../internal.h"
#include "formats.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_V1_MAX 10000u          /* _MAX_HEADER_SIZE */
#define NPY_V23_MAX (1u << 20)     /* brine's cap for u32 header lengths */
#define NPY_MAX_DIMS 32u           /* NPY_MAXDIMS (numpy 1.x) */
#define NPY_MAX_NEST 64u           /* bracket nesting in a header */
#define NPY_SIZE_MAX (1ull << 62)  /* largest size we compute with */

enum { PN_STR, PN_INT, PN_BOOL, PN_TUPLE, PN_LIST, PN_DICT };

/* One parsed literal. Children of a container are linked through `next`;
   a dict's children alternate key, value. */
struct pn {
  uint8_t type;
  bool neg;             /* PN_INT: had a minus sign */
  bool bval;            /* PN_BOOL */
  uint32_t first;       /* first child, or UINT32_MAX */
  uint32_t next;        /* next sibling, or UINT32_MAX */
  uint32_t count;       /* children */
  uint32_t pos;         /* offset in the header text */
  uint32_t len;         /* PN_STR: bytes of the literal, quotes included */
  uint64_t ival;        /* PN_INT: magnitude */
};

struct np {
  struct brine_ctx *ctx;
  const uint8_t *s;     /* header text */
  size_t n, pos;
  uint64_t base;        /* file offset of s[0], for messages */
  bool py2;             /* v1/v2: Python 2 'L' integer suffixes */
  struct pn *v;         /* owned */
  size_t nv, cap;
};

#define NONE UINT32_MAX

static brine_result np_bad(struct np *p, size_t at, const char *what)
{
  return BRINE_FAIL(p->ctx, BRINE_E_MALFORMED, p->base + at,
                    "npy header: %s at header byte %zu", what, at);
}

static bool is_ws(uint8_t c)
{
  /* what Python's tokenizer skips between tokens inside brackets */
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static void skip_ws(struct np *p)
{
  while(p->pos < p->n && is_ws(p->s[p->pos]))
    p->pos++;
}

static brine_result new_node(struct np *p, uint8_t type, uint32_t *idx)
{
  void *q = p->v;
  if(brinei_grow(p->ctx, &q, &p->cap, p->nv + 1, sizeof(*p->v), p->n + 1))
    return BRINE_FAIL(p->ctx, BRINE_E_NOMEM, BRINE_NOOFF,
                      "npy header: no memory for %zu literals", p->nv + 1);
  p->v = q;
  memset(&p->v[p->nv], 0, sizeof(*p->v));
  p->v[p->nv].type = type;
  p->v[p->nv].first = NONE;
  p->v[p->nv].next = NONE;
  p->v[p->nv].pos = (uint32_t)p->pos;
  *idx = (uint32_t)p->nv++;
  return BRINE_OK;
}

/* A quoted string: only its extent is kept; decode_str reads it later. */
static brine_result parse_str(struct np *p, uint32_t *idx)
{
  size_t start = p->pos;
  uint8_t q = p->s[p->pos++];
  brine_result rc;
  while(p->pos < p->n && p->s[p->pos] != q) {
    uint8_t c = p->s[p->pos];
    if(c == '\n' || c == '\r' || c == 0)
      return np_bad(p, p->pos, "unterminated string");
    if(c == '\\') {
      if(p->n - p->pos < 2)
        break;
      p->pos++;
    }
    p->pos++;
  }
  if(p->pos >= p->n)
    return np_bad(p, start, "unterminated string");
  p->pos++;
  if((rc = new_node(p, PN_STR, idx)))
    return rc;
  p->v[*idx].pos = (uint32_t)start;
  p->v[*idx].len = (uint32_t)(p->pos - start);
  /* 'a' 'b' is one string in Python; numpy never writes it */
  skip_ws(p);
  if(p->pos < p->n && (p->s[p->pos] == '\'' || p->s[p->pos] == '"'))
    return np_bad(p, p->pos, "adjacent string literals");
  return BRINE_OK;
}

static int hexval(uint8_t c)
{
  if(c >= '0' && c <= '9')
    return c - '0';
  if(c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if(c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Decode a string literal into out (at most cap - 1 bytes, NUL-ended).
   Escapes of characters beyond ASCII become '?': only descr strings are
   interpreted and those are ASCII. *trunc tells the text did not fit. */
static brine_result decode_str(struct np *p, const struct pn *x, char *out,
                               size_t cap, size_t *outlen, bool *trunc)
{
  size_t i = x->pos + 1, end = x->pos + x->len - 1, o = 0;
  *trunc = false;
  while(i < end) {
    uint8_t c = p->s[i++];
    if(c == '\\') {
      uint8_t e = p->s[i++];   /* parse_str: an escape never ends a string */
      size_t digits = 0;
      switch(e) {
      case '\\': case '\'': case '"': c = e; break;
      case 'n': c = '\n'; break;
      case 't': c = '\t'; break;
      case 'r': c = '\r'; break;
      case 'x': digits = 2; break;
      case 'u': digits = 4; break;
      case 'U': digits = 8; break;
      default:
        return np_bad(p, i - 2, "unsupported string escape");
      }
      if(digits) {
        uint32_t cp = 0;
        if(end - i < digits)
          return np_bad(p, i - 2, "short \\x/\\u escape");
        for(size_t k = 0; k < digits; k++) {
          int h = hexval(p->s[i + k]);
          if(h < 0)
            return np_bad(p, i + k, "bad hex digit in escape");
          cp = cp << 4 | (uint32_t)h;
        }
        i += digits;
        c = cp < 0x80 ? (uint8_t)cp : '?';
      }
    }
    if(o + 1 < cap)
      out[o++] = (char)c;
    else
      *trunc = true;
  }
  out[o] = '\0';
  *outlen = o;
  return BRINE_OK;
}

static brine_result parse_int(struct np *p, uint32_t *idx)
{
  size_t start = p->pos;
  uint64_t v = 0;
  bool neg = false;
  brine_result rc;
  if(p->s[p->pos] == '-') {
    neg = true;
    p->pos++;
    skip_ws(p);
  }
  if(p->pos >= p->n || p->s[p->pos] < '0' || p->s[p->pos] > '9')
    return np_bad(p, start, "expected a digit");
  /* Python 3 refuses 05; 0, 00 are fine */
  if(p->s[p->pos] == '0' && p->n - p->pos > 1 && p->s[p->pos + 1] >= '1' &&
     p->s[p->pos + 1] <= '9')
    return np_bad(p, p->pos, "integer with a leading zero");
  while(p->pos < p->n && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
    unsigned dg = (unsigned)(p->s[p->pos] - '0');
    if(v > (UINT64_MAX - dg) / 10)
      return np_bad(p, start, "integer too large");
    v = v * 10 + dg;
    p->pos++;
  }
  if(p->py2 && p->pos < p->n && (p->s[p->pos] == 'L' || p->s[p->pos] == 'l'))
    p->pos++;  /* _filter_header: Python 2 long */
  if(p->pos < p->n && (p->s[p->pos] == '_' || p->s[p->pos] == '.' ||
                       p->s[p->pos] == 'x' || p->s[p->pos] == 'o' ||
                       p->s[p->pos] == 'b' || p->s[p->pos] == 'e' ||
                       p->s[p->pos] == 'E' || p->s[p->pos] == 'j' ||
                       (p->s[p->pos] >= 'A' && p->s[p->pos] <= 'Z') ||
                       (p->s[p->pos] >= 'a' && p->s[p->pos] <= 'z')))
    return np_bad(p, p->pos, "not a plain decimal integer");
  if((rc = new_node(p, PN_INT, idx)))
    return rc;
  p->v[*idx].pos = (uint32_t)start;
  p->v[*idx].ival = v;
  p->v[*idx].neg = neg && v;
  return BRINE_OK;
}

static bool is_name_char(uint8_t c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

static brine_result parse_value(struct np *p, unsigned depth, uint32_t *idx);

/* Items of a tuple, list or dict up to `close`. A parenthesised single
   value without a comma is that value, not a tuple (Python's grammar). */
static brine_result parse_seq(struct np *p, unsigned depth, uint8_t type,
                              uint8_t close, uint32_t *idx)
{
  size_t open = p->pos++;
  uint32_t me, last = NONE, child;
  bool comma = false;
  brine_result rc;
  if((rc = new_node(p, type, &me)))
    return rc;
  p->v[me].pos = (uint32_t)open;
  for(;;) {
    skip_ws(p);
    if(p->pos >= p->n)
      return np_bad(p, open, "unclosed bracket");
    if(p->s[p->pos] == close) {
      p->pos++;
      break;
    }
    if(p->v[me].count && !comma)
      return np_bad(p, p->pos, "expected ',' or a closing bracket");
    for(int kv = 0; kv < (type == PN_DICT ? 2 : 1); kv++) {
      if(kv) {
        skip_ws(p);
        if(p->pos >= p->n || p->s[p->pos] != ':')
          return np_bad(p, p->pos, "expected ':' in dict");
        p->pos++;
      }
      if((rc = parse_value(p, depth + 1, &child)))
        return rc;
      if(last == NONE)
        p->v[me].first = child;
      else
        p->v[last].next = child;
      last = child;
      p->v[me].count++;
    }
    skip_ws(p);
    comma = p->pos < p->n && p->s[p->pos] == ',';
    if(comma)
      p->pos++;
  }
  if(type == PN_TUPLE && p->v[me].count == 1 && !comma) {
    /* (x) is x: the tuple node is left unused */
    *idx = p->v[me].first;
    return BRINE_OK;
  }
  *idx = me;
  return BRINE_OK;
}

static brine_result parse_value(struct np *p, unsigned depth, uint32_t *idx)
{
  uint8_t c;
  skip_ws(p);
  if(depth > NPY_MAX_NEST)
    return np_bad(p, p->pos, "brackets nest too deep");
  if(p->pos >= p->n)
    return np_bad(p, p->pos, "header ends inside the dict");
  c = p->s[p->pos];
  if(c == '\'' || c == '"')
    return parse_str(p, idx);
  if(c == '-' || (c >= '0' && c <= '9'))
    return parse_int(p, idx);
  if(c == '(')
    return parse_seq(p, depth, PN_TUPLE, ')', idx);
  if(c == '[')
    return parse_seq(p, depth, PN_LIST, ']', idx);
  if(c == '{')
    return parse_seq(p, depth, PN_DICT, '}', idx);
  if(is_name_char(c)) {
    size_t st = p->pos, n;
    brine_result rc;
    while(p->pos < p->n && is_name_char(p->s[p->pos]))
      p->pos++;
    n = p->pos - st;
    if((n == 4 && !memcmp(p->s + st, "True", 4)) ||
       (n == 5 && !memcmp(p->s + st, "False", 5))) {
      if((rc = new_node(p, PN_BOOL, idx)))
        return rc;
      p->v[*idx].pos = (uint32_t)st;
      p->v[*idx].bval = n == 4;
      return BRINE_OK;
    }
    return BRINE_FAIL(p->ctx, BRINE_E_MALFORMED, p->base + st,
                      "npy header: name '%.*s' where a literal belongs "
                      "(header byte %zu)", (int)(n > 60 ? 60 : n),
                      (const char *)p->s + st, st);
  }
  return np_bad(p, p->pos, "unexpected character");
}

/* ---- descr ------------------------------------------------------------ */

static bool mul_ok(uint64_t a, uint64_t b, uint64_t *r)
{
  if(a && b > NPY_SIZE_MAX / a)
    return false;
  *r = a * b;
  return true;
}

/* A numpy type string as dtype.str writes it: byte order, kind, size,
   and a [unit] for datetimes. Sets *size and *obj. */
static brine_result simple_descr(struct np *p, size_t at, const char *d,
                                 uint64_t *size, bool *obj)
{
  const char *q = d;
  uint64_t n = 0;
  bool have_n = false;
  char kind;
  if(*q == '<' || *q == '>' || *q == '|' || *q == '=')
    q++;
  kind = *q++;
  while(*q >= '0' && *q <= '9') {
    if(n > (NPY_SIZE_MAX - 9) / 10)
      return np_bad(p, at, "descr size too large");
    n = n * 10 + (uint64_t)(*q++ - '0');
    have_n = true;
  }
  *obj = false;
  switch(kind) {
  case 'b':
    if(n != 1)
      return np_bad(p, at, "bool descr must be b1");
    *size = 1;
    break;
  case 'i': case 'u':
    if(n != 1 && n != 2 && n != 4 && n != 8)
      return np_bad(p, at, "integer descr size must be 1, 2, 4 or 8");
    *size = n;
    break;
  case 'f':
    if(n != 2 && n != 4 && n != 8 && n != 12 && n != 16)
      return np_bad(p, at, "float descr size must be 2, 4, 8, 12 or 16");
    *size = n;
    break;
  case 'c':
    if(n != 8 && n != 16 && n != 24 && n != 32)
      return np_bad(p, at, "complex descr size must be 8, 16, 24 or 32");
    *size = n;
    break;
  case 'm': case 'M':
    if(n != 8)
      return np_bad(p, at, "datetime descr size must be 8");
    *size = 8;
    if(*q == '[') {
      /* [ns], [25s], [generic] */
      q++;
      while(*q >= '0' && *q <= '9')
        q++;
      if(!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')))
        return np_bad(p, at, "bad datetime unit");
      while((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'))
        q++;
      if(*q++ != ']')
        return np_bad(p, at, "bad datetime unit");
    }
    break;
  case 'O':
    if(have_n && n != 4 && n != 8)
      return np_bad(p, at, "object descr size must be 4 or 8");
    *size = 0;
    *obj = true;
    break;
  case 'S': case 'a': case 'V':
    if(!have_n)
      return np_bad(p, at, "string/void descr needs a size");
    *size = n;
    break;
  case 'U':
    if(!have_n)
      return np_bad(p, at, "unicode descr needs a size");
    if(!mul_ok(n, 4, size))
      return np_bad(p, at, "descr size too large");
    break;
  default:
    return np_bad(p, at, "unknown descr type");
  }
  if(*q)
    return np_bad(p, at, "descr is not in numpy's written form");
  return BRINE_OK;
}

static brine_result read_dims(struct np *p, uint32_t x, uint64_t *prod,
                              uint64_t *dims, unsigned *ndim);

static brine_result descr_size(struct np *p, uint32_t x, unsigned depth,
                               uint64_t *size, bool *obj);

/* One field of a structured descr: (name, descr) or (name, descr, shape);
   name is a string or a (title, name) pair. */
static brine_result field_size(struct np *p, uint32_t f, unsigned depth,
                               uint64_t *size, bool *obj)
{
  const struct pn *t = &p->v[f];
  uint32_t name, d, sh;
  uint64_t prod = 1;
  brine_result rc;
  if(t->type != PN_TUPLE || (t->count != 2 && t->count != 3))
    return np_bad(p, t->pos, "structured field is not a 2- or 3-tuple");
  name = t->first;
  d = p->v[name].next;
  sh = p->v[d].next;
  if(p->v[name].type == PN_TUPLE) {
    uint32_t a = p->v[name].first;
    if(p->v[name].count != 2 || p->v[a].type != PN_STR ||
       p->v[p->v[a].next].type != PN_STR)
      return np_bad(p, p->v[name].pos, "field title must be (str, str)");
  }
  else if(p->v[name].type != PN_STR)
    return np_bad(p, p->v[name].pos, "field name is not a string");
  if((rc = descr_size(p, d, depth + 1, size, obj)))
    return rc;
  if(sh != NONE) {
    if(p->v[sh].type == PN_INT) {
      if(p->v[sh].neg)
        return np_bad(p, p->v[sh].pos, "negative subarray dimension");
      prod = p->v[sh].ival;
    }
    else if((rc = read_dims(p, sh, &prod, NULL, NULL)))
      return rc;
    if(!mul_ok(*size, prod, size))
      return np_bad(p, p->v[sh].pos, "field size overflows");
  }
  return BRINE_OK;
}

/* Item size of a descr (descr_to_dtype): a string, a (descr, shape)
   subarray, or a list of fields (sizes add up; padding fields too). */
static brine_result descr_size(struct np *p, uint32_t x, unsigned depth,
                               uint64_t *size, bool *obj)
{
  const struct pn *d = &p->v[x];
  brine_result rc;
  if(depth > NPY_MAX_NEST)
    return np_bad(p, d->pos, "descr nests too deep");
  if(d->type == PN_STR) {
    char buf[64];
    size_t n;
    bool trunc;
    if((rc = decode_str(p, d, buf, sizeof(buf), &n, &trunc)))
      return rc;
    if(trunc || n != strlen(buf))
      return np_bad(p, d->pos, "descr string too long or holds NUL");
    return simple_descr(p, d->pos, buf, size, obj);
  }
  if(d->type == PN_TUPLE) {
    uint64_t prod = 1;
    uint32_t sh;
    if(d->count != 2)
      return np_bad(p, d->pos, "subarray descr is not a 2-tuple");
    if((rc = descr_size(p, d->first, depth + 1, size, obj)))
      return rc;
    sh = p->v[d->first].next;
    if(p->v[sh].type == PN_INT) {
      if(p->v[sh].neg)
        return np_bad(p, p->v[sh].pos, "negative subarray dimension");
      prod = p->v[sh].ival;
    }
    else if((rc = read_dims(p, sh, &prod, NULL, NULL)))
      return rc;
    if(!mul_ok(*size, prod, size))
      return np_bad(p, d->pos, "subarray size overflows");
    return BRINE_OK;
  }
  if(d->type == PN_LIST) {
    uint64_t total = 0;
    bool any = false;
    for(uint32_t f = d->first; f != NONE; f = p->v[f].next) {
      uint64_t fs;
      bool fo = false;
      if((rc = field_size(p, f, depth, &fs, &fo)))
        return rc;
      if(fs > NPY_SIZE_MAX - total)
        return np_bad(p, p->v[f].pos, "structured item size overflows");
      total += fs;
      any |= fo;
    }
    *size = total;
    *obj = any;
    return BRINE_OK;
  }
  return np_bad(p, d->pos, "descr is not a string, list or tuple");
}

/* A shape tuple: non-negative ints (bools are ints in Python but numpy
   never writes them; refused). dims/ndim may be NULL. */
static brine_result read_dims(struct np *p, uint32_t x, uint64_t *prod,
                              uint64_t *dims, unsigned *ndim)
{
  const struct pn *t = &p->v[x];
  unsigned k = 0;
  uint64_t pr = 1;
  if(t->type != PN_TUPLE)
    return np_bad(p, t->pos, "shape is not a tuple");
  for(uint32_t e = t->first; e != NONE; e = p->v[e].next) {
    const struct pn *v = &p->v[e];
    if(v->type != PN_INT)
      return np_bad(p, v->pos, "shape holds a non-integer");
    if(v->neg)
      return np_bad(p, v->pos, "negative dimension");
    if(k >= NPY_MAX_DIMS)
      return np_bad(p, v->pos, "more than 32 dimensions");
    if(dims)
      dims[k] = v->ival;
    k++;
    if(!mul_ok(pr, v->ival, &pr))
      return np_bad(p, t->pos, "shape product overflows");
  }
  if(ndim)
    *ndim = k;
  *prod = pr;
  return BRINE_OK;
}

/* ---- the header ------------------------------------------------------- */

static brine_result check_dict(struct np *p, uint32_t root,
                               struct brinei_npy *out)
{
  static const char *const keys[3] = { "descr", "fortran_order", "shape" };
  uint32_t val[3] = { NONE, NONE, NONE };
  uint64_t prod, isz = 0;
  bool obj = false;
  brine_result rc;
  if(p->v[root].type != PN_DICT)
    return np_bad(p, p->v[root].pos, "header is not a dict");
  for(uint32_t k = p->v[root].first; k != NONE;
      k = p->v[p->v[k].next].next) {
    char name[32];
    size_t n;
    bool trunc;
    int which = -1;
    if(p->v[k].type != PN_STR)
      return np_bad(p, p->v[k].pos, "dict key is not a string");
    if((rc = decode_str(p, &p->v[k], name, sizeof(name), &n, &trunc)))
      return rc;
    for(int i = 0; i < 3 && !trunc; i++)
      if(n == strlen(keys[i]) && !memcmp(name, keys[i], n))
        which = i;
    if(which < 0)
      return BRINE_FAIL(p->ctx, BRINE_E_MALFORMED, p->base + p->v[k].pos,
                        "npy header: unexpected key '%s%s' (header byte "
                        "%u)", name, trunc ? "..." : "", p->v[k].pos);
    if(val[which] != NONE)
      return BRINE_FAIL(p->ctx, BRINE_E_MALFORMED, p->base + p->v[k].pos,
                        "npy header: duplicate key '%s'", keys[which]);
    val[which] = p->v[k].next;
  }
  for(int i = 0; i < 3; i++)
    if(val[i] == NONE)
      return BRINE_FAIL(p->ctx, BRINE_E_MALFORMED, p->base,
                        "npy header: key '%s' missing", keys[i]);
  if(p->v[val[1]].type != PN_BOOL)
    return np_bad(p, p->v[val[1]].pos, "fortran_order is not True/False");
  out->fortran = p->v[val[1]].bval;
  if((rc = read_dims(p, val[2], &prod, out->shape, &out->ndim)))
    return rc;
  if((rc = descr_size(p, val[0], 0, &isz, &obj)))
    return rc;
  out->structured = p->v[val[0]].type != PN_STR;
  if(!out->structured) {
    size_t n;
    bool trunc;
    if((rc = decode_str(p, &p->v[val[0]], out->descr, sizeof(out->descr),
                        &n, &trunc)))
      return rc;
  }
  out->has_object = obj;
  if(obj) {
    /* the data is a pickle of the array, not raw items */
    out->itemsize = 0;
    out->data_len = 0;
    return BRINE_OK;
  }
  out->itemsize = isz;
  if(!mul_ok(prod, isz, &out->data_len))
    return np_bad(p, p->v[val[2]].pos, "array size overflows");
  return BRINE_OK;
}

brine_result brinei_npy_parse(struct brine_ctx *ctx, const uint8_t *d,
                              size_t len, struct brinei_npy *out)
{
  struct brinei_rd r = brinei_rd_make(d, len);
  const uint8_t *magic;
  struct np p;
  size_t hlen, max, end;
  uint32_t root;
  brine_result rc;
  memset(out, 0, sizeof(*out));
  magic = brinei_rd_take(&r, 6);
  if(!magic || memcmp(magic, NPY_MAGIC, 6))
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, 0, "npy: no \\x93NUMPY magic");
  out->major = brinei_rd_u8(&r);
  out->minor = brinei_rd_u8(&r);
  if(out->major == 1 && out->minor == 0) {
    hlen = brinei_rd_u16(&r);
    max = NPY_V1_MAX;
  }
  else if((out->major == 2 || out->major == 3) && out->minor == 0) {
    hlen = brinei_rd_u32(&r);
    max = NPY_V23_MAX;
  }
  else if(r.bad)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, len, "npy: truncated "
                      "before the version");
  else
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, 6, "npy: unsupported format "
                      "version %d.%d", out->major, out->minor);
  if(r.bad)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, len, "npy: truncated in the "
                      "header length");
  if(hlen > max)
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, r.pos, "npy: header length "
                      "%zu exceeds %zu bytes", hlen, max);
  if(hlen > brinei_rd_left(&r))
    return BRINE_FAIL(ctx, BRINE_E_MALFORMED, r.pos, "npy: header length "
                      "%zu runs past the end of the file (%zu bytes left)",
                      hlen, brinei_rd_left(&r));
  out->header_len = hlen;
  out->data_off = r.pos + hlen;
  memset(&p, 0, sizeof(p));
  p.ctx = ctx;
  p.s = r.p + r.pos;
  p.n = hlen;
  p.base = r.pos;
  p.py2 = out->major < 3;
  if(!hlen || p.s[hlen - 1] != '\n')
    return np_bad(&p, hlen ? hlen - 1 : 0, "header does not end in '\\n'");
  /* v3 is UTF-8; v1/v2 latin1, where every byte decodes */
  if(out->major == 3 && !brinei_utf8_valid(p.s, hlen, false))
    return np_bad(&p, 0, "v3 header is not valid UTF-8");
  if(memchr(p.s, 0, hlen))
    return np_bad(&p, (size_t)((const uint8_t *)memchr(p.s, 0, hlen) - p.s),
                  "NUL byte in the header");
  /* ast.literal_eval strips leading spaces and tabs */
  while(p.pos < p.n && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t'))
    p.pos++;
  if(p.pos < p.n && p.s[p.pos] != '{')
    rc = np_bad(&p, p.pos, "header does not start with '{'");
  else
    rc = parse_value(&p, 0, &root);
  if(!rc) {
    skip_ws(&p);
    end = p.pos;
    if(end != p.n)
      rc = np_bad(&p, end, "text after the dict");
  }
  if(!rc)
    rc = check_dict(&p, root, out);
  brinei_free(ctx, p.v);
  return rc;
}
