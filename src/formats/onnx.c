/* ONNX models: external data that leaves the model directory, operators
 * that run Python or come from custom-op libraries, raw_data that does not
 * match its tensor's shape.
 *
 * SPEC: formats.md §A11; onnx/onnx.in.proto (field numbers below),
 * onnx docs/ExternalData.md and docs/ExternalDataSecurity.md.
 *
 * The walk covers every graph a runtime may run: the main graph (7),
 * training_info graphs (20), local functions (25) and subgraphs in node
 * attributes (If/Loop/Scan bodies: g, graphs), at any depth up to
 * protobuf's own nesting limit.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "protobuf.h"

struct str {
  const uint8_t *p;
  size_t n;
};

/* Keys already met: reported domains and (domain, op) pairs, local
   functions. Both strings point into the model bytes. */
struct key {
  uint32_t h;
  char tag;       /* 0: free slot */
  struct str a, b;
};

struct ox {
  const struct brinei_fcheck *c;
  const uint8_t *base;   /* offsets are from here */
  bool quiet;            /* polyglot walk: security findings only */
  bool stop;             /* malformed: reported once, walk abandoned */
  struct key *t;         /* open-addressing set; owned */
  size_t nt, cap;
  int rdir_state;        /* 0 not resolved yet, 1 rdir valid, -1 failed */
  char rdir[PATH_MAX];   /* realpath of c->dir */
};

static const struct str none = { (const uint8_t *)"", 0 };

/* ---- the key set ------------------------------------------------------ */

static uint32_t key_hash(char tag, struct str a, struct str b)
{
  uint32_t h = brinei_hash32(&tag, 1);
  h ^= brinei_hash32((const char *)a.p, a.n) * 31u;
  h ^= brinei_hash32((const char *)b.p, b.n) * 131u;
  return h;
}

static bool str_eq(struct str x, struct str y)
{
  return x.n == y.n && (x.n == 0 || !memcmp(x.p, y.p, x.n));
}

static struct key *key_find(struct ox *o, char tag, struct str a,
                            struct str b, uint32_t h)
{
  if(!o->cap)
    return NULL;
  for(size_t i = h & (o->cap - 1);; i = (i + 1) & (o->cap - 1)) {
    struct key *k = &o->t[i];
    if(!k->tag || (k->h == h && k->tag == tag && str_eq(k->a, a) &&
                   str_eq(k->b, b)))
      return k;
  }
}

static bool key_has(struct ox *o, char tag, struct str a, struct str b)
{
  struct key *k = key_find(o, tag, a, b, key_hash(tag, a, b));
  return k && k->tag;
}

/* Adds the key; true when it was new, or could not be stored (so a
   finding is repeated rather than lost). */
static bool key_add(struct ox *o, char tag, struct str a, struct str b)
{
  uint32_t h = key_hash(tag, a, b);
  struct key *k;
  if(o->nt + 1 > o->cap / 2) {
    size_t ncap = o->cap ? o->cap * 2 : 64;
    struct key *nt, *old = o->t;
    if(ncap > SIZE_MAX / 2 / sizeof(*nt))
      return !key_has(o, tag, a, b);
    nt = brinei_calloc(o->c->ctx, ncap, sizeof(*nt));
    if(!nt)
      return !key_has(o, tag, a, b);
    for(size_t i = 0; i < o->cap; i++) {
      if(old[i].tag) {
        size_t j = old[i].h & (ncap - 1);
        while(nt[j].tag)
          j = (j + 1) & (ncap - 1);
        nt[j] = old[i];
      }
    }
    brinei_free(o->c->ctx, old);
    o->t = nt;
    o->cap = ncap;
  }
  k = key_find(o, tag, a, b, h);
  if(k->tag)
    return false;
  k->h = h;
  k->tag = tag;
  k->a = a;
  k->b = b;
  o->nt++;
  return true;
}

/* ---- reporting --------------------------------------------------------- */

static uint64_t off_of(const struct ox *o, const uint8_t *at)
{
  return (uint64_t)(at - o->base);
}

static void bad(struct ox *o, const uint8_t *at, const char *why)
{
  if(o->stop)
    return;
  o->stop = true;
  if(!o->quiet)
    brinei_finding_add(o->c->f, R_FMT_MALFORMED, off_of(o, at),
                       o->c->member, NULL, BRINE_USE_NONE,
                       "ONNX protobuf: %s", why ? why : "malformed");
}

/* Entering a nested message: bounded as protobuf bounds it. */
static bool enter(struct ox *o, const uint8_t *at, unsigned depth)
{
  if(depth > BRINEI_PB_MAX_DEPTH)
    bad(o, at, "messages nested deeper than protobuf's limit of 100");
  return !o->stop;
}

#define PL(s, max) brinei_pb_plen((s).n, (max)), (const char *)(s).p

/* ---- domains and operators --------------------------------------------- */

/* onnx/common/constants.h */
static const char *const std_domains[] = {
  "", "ai.onnx", "ai.onnx.ml", "ai.onnx.training",
  "ai.onnx.preview.training",
};
/* domains ONNX Runtime implements itself (onnxruntime/core/graph/
   constants.h): no library is loaded for them */
static const char *const ort_domains[] = {
  "com.microsoft", "com.microsoft.nchwc", "com.microsoft.mlfeaturizers",
  "com.microsoft.experimental", "com.ms.internal.nhwc", "org.pytorch.aten",
};
/* onnxruntime-extensions: PyOp and friends call Python functions the
   loading process registered */
#define PYOP_DOMAIN "ai.onnx.contrib"

static bool builtin_domain(struct str d)
{
  for(size_t i = 0; i < BRINE_ARRAY_LEN(std_domains); i++)
    if(brinei_pb_streq(d.p, d.n, std_domains[i]))
      return true;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(ort_domains); i++)
    if(brinei_pb_streq(d.p, d.n, ort_domains[i]))
      return true;
  return false;
}

static void check_op(struct ox *o, const uint8_t *at, struct str dom,
                     struct str op, struct str name, const char *where)
{
  const struct brinei_fcheck *c = o->c;
  if(brinei_pb_streq(op.p, op.n, "PyOp") ||
     brinei_pb_streq(dom.p, dom.n, PYOP_DOMAIN)) {
    key_add(o, 'C', dom, none);  /* the domain is reported */
    if(key_add(o, 'P', dom, op))
      brinei_finding_add(c->f, R_ONNX_PYOP, off_of(o, at), c->member, NULL,
                         BRINE_USE_NONE, "node '%.*s' in %s runs op "
                         "'%.*s' of domain '%.*s', implemented in Python "
                         "by the loading process", PL(name, 100), where,
                         PL(op, 100), PL(dom, 100));
    return;
  }
  if(builtin_domain(dom) || key_has(o, 'F', dom, op))
    return;  /* standard, ONNX Runtime's own, or a function of the model */
  if(key_add(o, 'D', dom, none))
    brinei_finding_add(c->f, R_ONNX_DOMAIN, off_of(o, at), c->member, NULL,
                       BRINE_USE_NONE, "operator domain '%.*s' (first used "
                       "by node '%.*s', op '%.*s', in %s) is not standard: "
                       "its ops come from a custom-op library",
                       PL(dom, 100), PL(name, 100), PL(op, 100), where);
}

/* OperatorSetIdProto: domain = 1, version = 2 */
static void walk_opset(struct ox *o, const uint8_t *p, size_t n,
                       unsigned depth)
{
  struct brinei_rd r = brinei_rd_make(p, n);
  struct brinei_pb_field f = { 0 };
  struct str dom = none;
  const struct brinei_fcheck *c = o->c;
  if(!enter(o, p, depth))
    return;
  while(brinei_pb_next(&r, &f))
    if(f.num == 1 && f.wt == PB_LEN)
      dom = (struct str){ f.p, f.len };
  if(r.bad) {
    bad(o, p + f.off, f.err);
    return;
  }
  if(brinei_pb_streq(dom.p, dom.n, PYOP_DOMAIN)) {
    if(!key_has(o, 'C', dom, none) && key_add(o, 'C', dom, none))
      brinei_finding_add(c->f, R_ONNX_PYOP, off_of(o, p), c->member, NULL,
                         BRINE_USE_NONE, "opset_import declares domain '"
                         PYOP_DOMAIN "': onnxruntime-extensions' ops "
                         "implemented in Python");
    return;
  }
  if(builtin_domain(dom) || key_has(o, 'G', dom, none))
    return;
  if(key_add(o, 'D', dom, none))
    brinei_finding_add(c->f, R_ONNX_DOMAIN, off_of(o, p), c->member, NULL,
                       BRINE_USE_NONE, "opset_import names operator domain "
                       "'%.*s', which is not standard: its ops come from a "
                       "custom-op library", PL(dom, 100));
}

/* ---- tensors ----------------------------------------------------------- */

/* Bytes per element of the fixed-size TensorProto.DataType values; 0 for
   STRING, UNDEFINED and types this table does not know. 4-bit types
   (UINT4 21, INT4 22, FLOAT4E2M1 23) pack two elements a byte: -1. */
static int elem_size(uint64_t t)
{
  static const signed char sz[] = {
    0, 4, 1, 1, 2, 2, 4, 8, 0, 1, 2, 8, 4, 8, 8, 16, 2, 1, 1, 1, 1,
    -1, -1, -1,
  };
  return t < sizeof(sz) ? sz[t] : 0;
}

/* Why an external-data location is refused, or NULL
   (ExternalDataSecurity.md; CVE-2022-25882, CVE-2024-27318). */
static const char *location_problem(struct str l)
{
  const uint8_t *p = l.p;
  size_t n = l.n, i = 0;
  if(!n)
    return "is empty (it names the model directory itself)";
  if(memchr(p, 0, n))
    return "contains a NUL byte";
  if(memmem(p, n, "_ORT_MEM_ADDR_", 14))
    return "is ONNX Runtime's in-memory marker: its offset is read as a "
           "memory address";
  if(p[0] == '/' || p[0] == '\\')
    return "is an absolute path";
  if(n >= 2 && p[1] == ':' &&
     ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')))
    return "names a drive";
  if(memchr(p, '\\', n))
    return "contains a backslash";
  /* any .. component, also one that normalisation would fold away
     ("sub/../../x", CVE-2024-27318) */
  while(i < n) {
    size_t j = i;
    while(j < n && p[j] != '/')
      j++;
    if(j - i == 2 && p[i] == '.' && p[i + 1] == '.')
      return "has a .. component";
    i = j + 1;
  }
  return NULL;
}

/* The location's real path (symlinks resolved) lies outside the model's
   directory (CVE-2026-27489). A missing file is not reported. */
static void check_resolved(struct ox *o, const uint8_t *at, struct str l,
                           struct str tname)
{
  const struct brinei_fcheck *c = o->c;
  char path[PATH_MAX], res[PATH_MAX];
  size_t rl;
  int k;
  if(!o->rdir_state)
    o->rdir_state = realpath(c->dir, o->rdir) ? 1 : -1;
  if(o->rdir_state < 0 || l.n >= PATH_MAX)
    return;
  k = snprintf(path, sizeof(path), "%s/%.*s", c->dir, (int)l.n,
               (const char *)l.p);
  if(k < 0 || (size_t)k >= sizeof(path) || !realpath(path, res))
    return;
  rl = strlen(o->rdir);
  if(rl == 1 ? res[1] != 0 :
     !strncmp(res, o->rdir, rl) && res[rl] == '/' && res[rl + 1])
    return;  /* strictly inside */
  brinei_finding_add(c->f, R_ONNX_PATH, off_of(o, at), c->member, NULL,
                     BRINE_USE_NONE, "external data location '%.*s' of "
                     "tensor '%.*s' resolves to '%.300s', outside the model "
                     "directory", PL(l, 200), PL(tname, 100), res);
}

static void check_location(struct ox *o, const uint8_t *at, struct str l,
                           struct str tname)
{
  const char *why = location_problem(l);
  if(why) {
    brinei_finding_add(o->c->f, R_ONNX_PATH, off_of(o, at), o->c->member,
                       NULL, BRINE_USE_NONE, "external data location '%.*s' "
                       "of tensor '%.*s' %s", PL(l, 200), PL(tname, 100),
                       why);
    return;
  }
  if(o->c->dir)
    check_resolved(o, at, l, tname);
}

/* StringStringEntryProto: key = 1, value = 2 */
static void walk_external(struct ox *o, const uint8_t *p, size_t n,
                          unsigned depth, struct str tname)
{
  struct brinei_rd r = brinei_rd_make(p, n);
  struct brinei_pb_field f = { 0 };
  struct str key = none, val = none;
  if(!enter(o, p, depth))
    return;
  while(brinei_pb_next(&r, &f)) {
    if(f.num == 1 && f.wt == PB_LEN)
      key = (struct str){ f.p, f.len };
    else if(f.num == 2 && f.wt == PB_LEN)
      val = (struct str){ f.p, f.len };
  }
  if(r.bad)
    bad(o, p + f.off, f.err);
  else if(brinei_pb_streq(key.p, key.n, "location"))
    check_location(o, p, val, tname);
}

/* numel *= one dim; false on a negative dim or overflow */
static bool mul_dim(uint64_t *numel, uint64_t v)
{
  if((int64_t)v < 0)
    return false;
  if(v && *numel > UINT64_MAX / v)
    return false;
  *numel *= v;
  return true;
}

/* TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9,
   external_data = 13, data_location = 14 (1 EXTERNAL) */
static void walk_tensor(struct ox *o, const uint8_t *p, size_t n,
                        unsigned depth)
{
  struct brinei_rd r = brinei_rd_make(p, n);
  struct brinei_pb_field f = { 0 };
  struct str tname = none;
  uint64_t numel = 1, dtype = 0, loc = 0, need = 0;
  bool dims_ok = true, raw = false;
  size_t raw_len = 0;
  int es;
  if(!enter(o, p, depth))
    return;
  while(brinei_pb_next(&r, &f)) {
    if(f.num == 1 && f.wt == PB_VARINT)
      dims_ok &= mul_dim(&numel, f.v);
    else if(f.num == 1 && f.wt == PB_LEN) {  /* packed dims */
      struct brinei_rd q = brinei_rd_make(f.p, f.len);
      while(brinei_rd_left(&q)) {
        uint64_t v;
        if(!brinei_pb_varint(&q, &v, false)) {
          bad(o, f.p, "packed dims hold a bad varint");
          return;
        }
        dims_ok &= mul_dim(&numel, v);
      }
    }
    else if(f.num == 2 && f.wt == PB_VARINT)
      dtype = f.v;
    else if(f.num == 8 && f.wt == PB_LEN)
      tname = (struct str){ f.p, f.len };
    else if(f.num == 9 && f.wt == PB_LEN) {
      raw = true;
      raw_len = f.len;
    }
    else if(f.num == 14 && f.wt == PB_VARINT)
      loc = f.v;
  }
  if(r.bad) {
    bad(o, p + f.off, f.err);
    return;
  }
  /* every location is checked, whatever data_location says: a loader
     that trusts external_data alone must not be led astray either */
  r = brinei_rd_make(p, n);
  while(!o->stop && brinei_pb_next(&r, &f))
    if(f.num == 13 && f.wt == PB_LEN)
      walk_external(o, f.p, f.len, depth + 1, tname);
  if(o->stop || !raw || loc == 1 || o->quiet)
    return;
  es = elem_size(dtype);
  if(!es)
    return;
  if(es < 0)
    need = numel / 2 + (numel & 1);
  else if(numel > UINT64_MAX / (uint64_t)es)
    dims_ok = false;
  else
    need = numel * (uint64_t)es;
  if(!dims_ok)
    brinei_finding_add(o->c->f, R_FMT_MALFORMED, off_of(o, p), o->c->member,
                       NULL, BRINE_USE_NONE, "ONNX tensor '%.*s' has a "
                       "negative dimension or its size overflows",
                       PL(tname, 100));
  else if(need != raw_len)
    brinei_finding_add(o->c->f, R_FMT_MALFORMED, off_of(o, p), o->c->member,
                       NULL, BRINE_USE_NONE, "ONNX tensor '%.*s' (data "
                       "type %llu) has %zu bytes of raw_data; its dims need "
                       "%llu", PL(tname, 100), (unsigned long long)dtype,
                       raw_len, (unsigned long long)need);
}

/* SparseTensorProto: values = 1, indices = 2 (TensorProto) */
static void walk_sparse(struct ox *o, const uint8_t *p, size_t n,
                        unsigned depth)
{
  struct brinei_rd r = brinei_rd_make(p, n);
  struct brinei_pb_field f = { 0 };
  if(!enter(o, p, depth))
    return;
  while(!o->stop && brinei_pb_next(&r, &f))
    if((f.num == 1 || f.num == 2) && f.wt == PB_LEN)
      walk_tensor(o, f.p, f.len, depth + 1);
  if(r.bad)
    bad(o, p + f.off, f.err);
}

/* ---- graphs ------------------------------------------------------------ */

static void walk_graph(struct ox *o, const uint8_t *p, size_t n,
                       unsigned depth, const char *where);

/* AttributeProto: t = 5, g = 6, tensors = 10, graphs = 11,
   sparse_tensor = 22, sparse_tensors = 23 */
static void walk_attr(struct ox *o, const uint8_t *p, size_t n,
                      unsigned depth, struct str node)
{
  struct brinei_rd r = brinei_rd_make(p, n);
  struct brinei_pb_field f = { 0 };
  char where[160];
  if(!enter(o, p, depth))
    return;
  snprintf(where, sizeof(where), "a subgraph of node '%.*s'", PL(node, 100));
  while(!o->stop && brinei_pb_next(&r, &f)) {
    if(f.wt != PB_LEN)
      continue;
    if(f.num == 6 || f.num == 11)
      walk_graph(o, f.p, f.len, depth + 1, where);
    else if(f.num == 5 || f.num == 10)
      walk_tensor(o, f.p, f.len, depth + 1);
    else if(f.num == 22 || f.num == 23)
      walk_sparse(o, f.p, f.len, depth + 1);
  }
  if(r.bad)
    bad(o, p + f.off, f.err);
}

/* NodeProto: name = 3, op_type = 4, attribute = 5, domain = 7. For each
   singular string the last occurrence counts, as protobuf merges. */
static void walk_node(struct ox *o, const uint8_t *p, size_t n,
                      unsigned depth, const char *where)
{
  struct brinei_rd r = brinei_rd_make(p, n);
  struct brinei_pb_field f = { 0 };
  struct str name = none, op = none, dom = none;
  if(!enter(o, p, depth))
    return;
  while(brinei_pb_next(&r, &f)) {
    if(f.wt != PB_LEN)
      continue;
    if(f.num == 3)
      name = (struct str){ f.p, f.len };
    else if(f.num == 4)
      op = (struct str){ f.p, f.len };
    else if(f.num == 7)
      dom = (struct str){ f.p, f.len };
  }
  if(r.bad) {
    bad(o, p + f.off, f.err);
    return;
  }
  check_op(o, p, dom, op, name, where);
  r = brinei_rd_make(p, n);
  while(!o->stop && brinei_pb_next(&r, &f))
    if(f.num == 5 && f.wt == PB_LEN)
      walk_attr(o, f.p, f.len, depth + 1, name);
}

/* GraphProto: node = 1, initializer = 5, sparse_initializer = 15 */
static void walk_graph(struct ox *o, const uint8_t *p, size_t n,
                       unsigned depth, const char *where)
{
  struct brinei_rd r = brinei_rd_make(p, n);
  struct brinei_pb_field f = { 0 };
  if(!enter(o, p, depth))
    return;
  while(!o->stop && brinei_pb_next(&r, &f)) {
    if(f.wt != PB_LEN)
      continue;
    if(f.num == 1)
      walk_node(o, f.p, f.len, depth + 1, where);
    else if(f.num == 5)
      walk_tensor(o, f.p, f.len, depth + 1);
    else if(f.num == 15)
      walk_sparse(o, f.p, f.len, depth + 1);
  }
  if(r.bad)
    bad(o, p + f.off, f.err);
}

/* TrainingInfoProto: initialization = 1, algorithm = 2 (GraphProto) */
static void walk_training(struct ox *o, const uint8_t *p, size_t n,
                          unsigned depth)
{
  struct brinei_rd r = brinei_rd_make(p, n);
  struct brinei_pb_field f = { 0 };
  if(!enter(o, p, depth))
    return;
  while(!o->stop && brinei_pb_next(&r, &f))
    if((f.num == 1 || f.num == 2) && f.wt == PB_LEN)
      walk_graph(o, f.p, f.len, depth + 1, f.num == 1 ?
                 "training_info initialization" : "training_info algorithm");
  if(r.bad)
    bad(o, p + f.off, f.err);
}

/* FunctionProto: name = 1, node = 7, opset_import = 9, domain = 10,
   attribute_proto = 11. Returns false when malformed. */
static bool function_id(const uint8_t *p, size_t n, struct str *name,
                        struct str *dom)
{
  struct brinei_rd r = brinei_rd_make(p, n);
  struct brinei_pb_field f;
  *name = none;
  *dom = none;
  while(brinei_pb_next(&r, &f)) {
    if(f.num == 1 && f.wt == PB_LEN)
      *name = (struct str){ f.p, f.len };
    else if(f.num == 10 && f.wt == PB_LEN)
      *dom = (struct str){ f.p, f.len };
  }
  return !r.bad;
}

static void walk_function(struct ox *o, const uint8_t *p, size_t n,
                          unsigned depth)
{
  struct brinei_rd r = brinei_rd_make(p, n);
  struct brinei_pb_field f = { 0 };
  struct str name, dom;
  char where[240];
  if(!enter(o, p, depth))
    return;
  (void)function_id(p, n, &name, &dom);
  snprintf(where, sizeof(where), "function '%.*s:%.*s'", PL(dom, 100),
           PL(name, 100));
  while(!o->stop && brinei_pb_next(&r, &f)) {
    if(f.wt != PB_LEN)
      continue;
    if(f.num == 7)
      walk_node(o, f.p, f.len, depth + 1, where);
    else if(f.num == 9)
      walk_opset(o, f.p, f.len, depth + 1);
    else if(f.num == 11)
      walk_attr(o, f.p, f.len, depth + 1, name);
  }
  if(r.bad)
    bad(o, p + f.off, f.err);
}

/* ModelProto: graph = 7, opset_import = 8, training_info = 20,
   functions = 25 */
static void walk_model(struct ox *o, const uint8_t *p, size_t n)
{
  struct brinei_rd r = brinei_rd_make(p, n);
  struct brinei_pb_field f = { 0 };
  /* local functions first: a node that calls one needs no library */
  while(brinei_pb_next(&r, &f)) {
    struct str name, dom;
    if(f.num == 25 && f.wt == PB_LEN && function_id(f.p, f.len, &name, &dom)) {
      key_add(o, 'F', dom, name);
      key_add(o, 'G', dom, none);
    }
  }
  r = brinei_rd_make(p, n);
  while(!o->stop && brinei_pb_next(&r, &f)) {
    if(f.wt != PB_LEN)
      continue;
    if(f.num == 7)
      walk_graph(o, f.p, f.len, 1, "the main graph");
    else if(f.num == 8)
      walk_opset(o, f.p, f.len, 1);
    else if(f.num == 20)
      walk_training(o, f.p, f.len, 1);
    else if(f.num == 25)
      walk_function(o, f.p, f.len, 1);
  }
  if(r.bad)
    bad(o, p + f.off, f.err);
}

void brinei_onnx_walk(const struct brinei_fcheck *c, const uint8_t *d,
                      size_t len, bool quiet)
{
  struct ox o;
  memset(&o, 0, sizeof(o));
  o.c = c;
  o.base = d;
  o.quiet = quiet;
  walk_model(&o, d, len);
  brinei_free(c->ctx, o.t);
}

void brinei_onnx_check(const struct brinei_fcheck *c, const uint8_t *d,
                       size_t len)
{
  brinei_onnx_walk(c, d, len, false);
  /* a file that is also a SavedModel is checked as one too */
  if(brinei_pb_is_savedmodel(d, len))
    brinei_savedmodel_walk(c, d, len, true);
}
