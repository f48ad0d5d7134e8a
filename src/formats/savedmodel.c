/* TensorFlow SavedModel (saved_model.pb, and the keras_metadata.pb beside
 * it): graph ops that call Python, touch files or load native code, and
 * Keras Lambda layers in object metadata.
 *
 * SPEC: formats.md §A10 (field numbers from TF's generated descriptors);
 * tensorflow/core/protobuf/{saved_model,meta_graph,saved_object_graph}
 * .proto, tensorflow/core/framework/{graph,node_def,function}.proto,
 * tensorflow/python/keras/protobuf/saved_metadata.proto.
 *
 * Ops are collected from every meta graph's graph_def nodes and from
 * every function of its library (tf.function bodies live there), as
 * modelscan does. The saver's own ops (SaveV2, RestoreV2,
 * MergeV2Checkpoints, ...) are in every SavedModel and never reported.
 */
#include <stdio.h>
#include <jansson.h>

#include "protobuf.h"

struct str {
  const uint8_t *p;
  size_t n;
};

struct sm {
  const struct brinei_fcheck *c;
  const uint8_t *base;   /* offsets are from here */
  bool quiet;            /* polyglot walk: security findings only */
  bool stop;             /* malformed: reported once, walk abandoned */
  unsigned meta;         /* meta graph being walked (from 0) */
  char **lambdas;        /* Lambda layer names reported; owned */
  size_t nl, cl;
};

static const struct str none = { (const uint8_t *)"", 0 };

#define PL(s, max) brinei_pb_plen((s).n, (max)), (const char *)(s).p

static uint64_t off_of(const struct sm *s, const uint8_t *at)
{
  return (uint64_t)(at - s->base);
}

static void bad(struct sm *s, const uint8_t *at, const char *why)
{
  if(s->stop)
    return;
  s->stop = true;
  if(!s->quiet)
    brinei_finding_add(s->c->f, R_FMT_MALFORMED, off_of(s, at),
                       s->c->member, NULL, BRINE_USE_NONE,
                       "SavedModel protobuf: %s", why ? why : "malformed");
}

static bool enter(struct sm *s, const uint8_t *at, unsigned depth)
{
  if(depth > BRINEI_PB_MAX_DEPTH)
    bad(s, at, "messages nested deeper than protobuf's limit of 100");
  return !s->stop;
}

/* ---- ops --------------------------------------------------------------- */

/* tensorflow/core/ops/script_ops.cc, io_ops.cc; formats.md §A10 */
static const struct {
  const char *op;
  const char *what;
} bad_ops[] = {
  { "PyFunc", "calls a Python function of the loading process" },
  { "PyFuncStateless", "calls a Python function of the loading process" },
  { "EagerPyFunc", "calls a Python function of the loading process" },
  { "ReadFile", "reads a file named at run time" },
  { "WriteFile", "writes a file named at run time" },
  { "MatchingFiles", "lists files matching a pattern" },
  { "LoadLibrary", "loads a native library" },
  { "LoadLibraryV2", "loads a native library" },
};

/* NodeDef: name = 1, op = 2 (the last occurrence counts) */
static void walk_nodedef(struct sm *s, const uint8_t *p, size_t n,
                         unsigned depth, const char *where)
{
  struct brinei_rd r = brinei_rd_make(p, n);
  struct brinei_pb_field f = { 0 };
  struct str name = none, op = none;
  if(!enter(s, p, depth))
    return;
  while(brinei_pb_next(&r, &f)) {
    if(f.num == 1 && f.wt == PB_LEN)
      name = (struct str){ f.p, f.len };
    else if(f.num == 2 && f.wt == PB_LEN)
      op = (struct str){ f.p, f.len };
  }
  if(r.bad) {
    bad(s, p + f.off, f.err);
    return;
  }
  for(size_t i = 0; i < BRINE_ARRAY_LEN(bad_ops); i++) {
    if(brinei_pb_streq(op.p, op.n, bad_ops[i].op)) {
      brinei_finding_add(s->c->f, R_TF_OP, off_of(s, p), s->c->member,
                         NULL, BRINE_USE_NONE, "node '%.*s' in %s of meta "
                         "graph %u uses op %s, which %s", PL(name, 120),
                         where, s->meta, bad_ops[i].op, bad_ops[i].what);
      break;
    }
  }
}

/* FunctionDef: signature = 1 (OpDef: name = 1), node_def = 3 */
static void walk_function(struct sm *s, const uint8_t *p, size_t n,
                          unsigned depth)
{
  struct brinei_rd r = brinei_rd_make(p, n);
  struct brinei_pb_field f = { 0 };
  struct str name = none;
  char where[160];
  if(!enter(s, p, depth))
    return;
  while(brinei_pb_next(&r, &f)) {
    if(f.num == 1 && f.wt == PB_LEN) {
      struct brinei_rd q = brinei_rd_make(f.p, f.len);
      struct brinei_pb_field g = { 0 };
      if(!enter(s, f.p, depth + 1))
        return;
      while(brinei_pb_next(&q, &g))
        if(g.num == 1 && g.wt == PB_LEN)
          name = (struct str){ g.p, g.len };
      if(q.bad) {
        bad(s, f.p + g.off, g.err);
        return;
      }
    }
  }
  if(r.bad) {
    bad(s, p + f.off, f.err);
    return;
  }
  snprintf(where, sizeof(where), "function '%.*s'", PL(name, 120));
  r = brinei_rd_make(p, n);
  while(!s->stop && brinei_pb_next(&r, &f))
    if(f.num == 3 && f.wt == PB_LEN)
      walk_nodedef(s, f.p, f.len, depth + 1, where);
}

/* FunctionDefLibrary: function = 1 */
static void walk_library(struct sm *s, const uint8_t *p, size_t n,
                         unsigned depth)
{
  struct brinei_rd r = brinei_rd_make(p, n);
  struct brinei_pb_field f = { 0 };
  if(!enter(s, p, depth))
    return;
  while(!s->stop && brinei_pb_next(&r, &f))
    if(f.num == 1 && f.wt == PB_LEN)
      walk_function(s, f.p, f.len, depth + 1);
  if(r.bad)
    bad(s, p + f.off, f.err);
}

/* GraphDef: node = 1, library = 2 */
static void walk_graphdef(struct sm *s, const uint8_t *p, size_t n,
                          unsigned depth)
{
  struct brinei_rd r = brinei_rd_make(p, n);
  struct brinei_pb_field f = { 0 };
  if(!enter(s, p, depth))
    return;
  while(!s->stop && brinei_pb_next(&r, &f)) {
    if(f.num == 1 && f.wt == PB_LEN)
      walk_nodedef(s, f.p, f.len, depth + 1, "the graph");
    else if(f.num == 2 && f.wt == PB_LEN)
      walk_library(s, f.p, f.len, depth + 1);
  }
  if(r.bad)
    bad(s, p + f.off, f.err);
}

/* ---- Keras metadata ---------------------------------------------------- */

/* true when `name` was not reported yet (or cannot be remembered) */
static bool lambda_new(struct sm *s, const char *name)
{
  void *p = s->lambdas;
  for(size_t i = 0; i < s->nl; i++)
    if(!strcmp(s->lambdas[i], name))
      return false;
  if(s->nl >= 1024 ||
     brinei_grow(s->c->ctx, &p, &s->cl, s->nl + 1, sizeof(char *), 1024))
    return true;
  s->lambdas = p;
  s->lambdas[s->nl] = brinei_strndup(s->c->ctx, name, strlen(name));
  if(s->lambdas[s->nl])
    s->nl++;
  return true;
}

static void lambda_report(struct sm *s, const uint8_t *at, const char *name,
                          const char *where)
{
  if(lambda_new(s, name))
    brinei_finding_add(s->c->f, R_KERAS_LAMBDA, off_of(s, at), s->c->member,
                       NULL, BRINE_USE_NONE, "Keras Lambda layer '%.120s' "
                       "in %s: its function is Python code that runs when "
                       "the model is loaded or called", name, where);
}

/* Objects whose class_name is "Lambda", anywhere in the document (a
   model's metadata holds its layers' configs). Python's json nests ~1000
   deep; Keras configs nest a few levels per submodel. */
static void find_lambda(struct sm *s, const uint8_t *at, json_t *v,
                        unsigned depth, const char *where)
{
  if(depth > 256)
    return;
  if(json_is_object(v)) {
    const char *k;
    json_t *x;
    const char *cn = json_string_value(json_object_get(v, "class_name"));
    if(cn && !strcmp(cn, "Lambda")) {
      const char *nm = json_string_value(
          json_object_get(json_object_get(v, "config"), "name"));
      lambda_report(s, at, nm ? nm : "", where);
    }
    json_object_foreach(v, k, x)
      find_lambda(s, at, x, depth + 1, where);
  }
  else if(json_is_array(v)) {
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
      find_lambda(s, at, x, depth + 1, where);
  }
}

/* jansson's tree is not budgeted: bigger metadata is only searched */
#define METADATA_PARSE_MAX (16u << 20)

static void check_metadata(struct sm *s, struct str j, const char *where)
{
  json_error_t e;
  json_t *doc = NULL;
  /* neither the name nor an escape that could spell it */
  if(!memmem(j.p, j.n, "Lambda", 6) && !memmem(j.p, j.n, "\\u", 2))
    return;
  if(j.n <= METADATA_PARSE_MAX)
    doc = json_loadb((const char *)j.p, j.n,
                     JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
  if(!doc) {
    /* too big, or what Python's json takes and jansson does not (NaN,
       Infinity) */
    if(memmem(j.p, j.n, "\"Lambda\"", 8))
      lambda_report(s, j.p, "", where);
    return;
  }
  find_lambda(s, j.p, doc, 0, where);
  json_decref(doc);
}

/* SavedUserObject: identifier = 1, metadata = 3 (legacy Keras JSON) */
static void walk_user_object(struct sm *s, const uint8_t *p, size_t n,
                             unsigned depth)
{
  struct brinei_rd r = brinei_rd_make(p, n);
  struct brinei_pb_field f = { 0 };
  if(!enter(s, p, depth))
    return;
  while(!s->stop && brinei_pb_next(&r, &f))
    if(f.num == 3 && f.wt == PB_LEN)
      check_metadata(s, (struct str){ f.p, f.len },
                     "the SavedModel's object graph");
  if(r.bad)
    bad(s, p + f.off, f.err);
}

/* SavedObjectGraph: nodes = 1 (SavedObject: user_object = 4) */
static void walk_object_graph(struct sm *s, const uint8_t *p, size_t n,
                              unsigned depth)
{
  struct brinei_rd r = brinei_rd_make(p, n);
  struct brinei_pb_field f = { 0 };
  if(!enter(s, p, depth))
    return;
  while(!s->stop && brinei_pb_next(&r, &f)) {
    struct brinei_rd q;
    struct brinei_pb_field g = { 0 };
    if(f.num != 1 || f.wt != PB_LEN)
      continue;
    if(!enter(s, f.p, depth + 1))
      return;
    q = brinei_rd_make(f.p, f.len);
    while(!s->stop && brinei_pb_next(&q, &g))
      if(g.num == 4 && g.wt == PB_LEN)
        walk_user_object(s, g.p, g.len, depth + 2);
    if(q.bad)
      bad(s, f.p + g.off, g.err);
  }
  if(r.bad)
    bad(s, p + f.off, f.err);
}

/* keras_metadata.pb: SavedMetadata { nodes = 1 }, SavedObject
   identifier = 4, metadata = 5 */
static void walk_keras_node(struct sm *s, const uint8_t *p, size_t n)
{
  struct brinei_rd r = brinei_rd_make(p, n);
  struct brinei_pb_field f = { 0 };
  if(!enter(s, p, 1))
    return;
  while(!s->stop && brinei_pb_next(&r, &f))
    if(f.num == 5 && f.wt == PB_LEN)
      check_metadata(s, (struct str){ f.p, f.len }, "keras_metadata.pb");
  if(r.bad)
    bad(s, p + f.off, f.err);
}

/* ---- top level --------------------------------------------------------- */

/* MetaGraphDef: graph_def = 2, object_graph_def = 7 */
static void walk_meta(struct sm *s, const uint8_t *p, size_t n)
{
  struct brinei_rd r = brinei_rd_make(p, n);
  struct brinei_pb_field f = { 0 };
  if(!enter(s, p, 1))
    return;
  while(!s->stop && brinei_pb_next(&r, &f)) {
    if(f.num == 2 && f.wt == PB_LEN)
      walk_graphdef(s, f.p, f.len, 2);
    else if(f.num == 7 && f.wt == PB_LEN)
      walk_object_graph(s, f.p, f.len, 2);
  }
  if(r.bad)
    bad(s, p + f.off, f.err);
}

void brinei_savedmodel_walk(const struct brinei_fcheck *c, const uint8_t *d,
                            size_t len, bool quiet)
{
  struct sm s;
  struct brinei_rd r = brinei_rd_make(d, len);
  struct brinei_pb_field f = { 0 };
  bool metas = false;
  memset(&s, 0, sizeof(s));
  s.c = c;
  s.base = d;
  s.quiet = quiet;
  /* SavedModel: meta_graphs = 2. Without any, the file is the Keras
     metadata (nodes = 1). */
  while(brinei_pb_next(&r, &f))
    metas |= f.num == 2 && f.wt == PB_LEN;
  r = brinei_rd_make(d, len);
  while(!s.stop && brinei_pb_next(&r, &f)) {
    if(f.wt != PB_LEN)
      continue;
    if(f.num == 2) {
      walk_meta(&s, f.p, f.len);
      s.meta++;
    }
    else if(f.num == 1 && !metas)
      walk_keras_node(&s, f.p, f.len);
  }
  if(r.bad)
    bad(&s, d + f.off, f.err);
  for(size_t i = 0; i < s.nl; i++)
    brinei_free(c->ctx, s.lambdas[i]);
  brinei_free(c->ctx, s.lambdas);
}

void brinei_savedmodel_check(const struct brinei_fcheck *c,
                             const uint8_t *d, size_t len)
{
  brinei_savedmodel_walk(c, d, len, false);
  /* a file that is also an ONNX model is checked as one too */
  if(brinei_pb_is_onnx(d, len))
    brinei_onnx_walk(c, d, len, true);
}
