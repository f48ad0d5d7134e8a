/* Protobuf wire reader and the probe that tells ONNX and TensorFlow
 * SavedModel files (neither has a magic number) from everything else.
 *
 * SPEC: protobuf.dev/programming-guides/encoding; formats.md §A10 (TF
 * field numbers), §A11 (ONNX field numbers).
 *
 * Two modes. Strict (the checks): groups, values over 64 bits and every
 * structural error are malformed and reported. Lax (the probe): whatever
 * protobuf's own parser accepts is accepted, unknown fields included,
 * because a file the probe turns away is "unrecognized" and passes: a
 * hostile model must not escape the checks by carrying an unknown field.
 */
#include "protobuf.h"

/* ONNX IR versions run 1..11 today (onnx/onnx.in.proto `Version`); loaders
   refuse versions newer than their own, so the cap only keeps random
   input from probing as ONNX. */
#define ONNX_IR_MAX 63

static bool pb_fail(struct brinei_rd *r, struct brinei_pb_field *f,
                    const char *why)
{
  r->bad = true;
  r->pos = r->len;
  f->err = why;
  return false;
}

/* 0 ok, 1 truncated, 2 more than 10 bytes, 3 over 64 bits (strict) */
static int varint(struct brinei_rd *r, uint64_t *v, bool lax)
{
  uint64_t x = 0;
  for(unsigned i = 0; i < 10; i++) {
    uint8_t b;
    if(r->pos >= r->len)
      return 1;
    b = r->p[r->pos++];
    /* the 10th byte holds bit 63 only */
    if(i == 9 && b > 1 && !lax && !(b & 0x80))
      return 3;
    x |= (uint64_t)(b & 0x7f) << (7 * i);
    if(!(b & 0x80)) {
      *v = x;
      return 0;
    }
  }
  return 2;
}

static const char *varint_why(int e)
{
  return e == 1 ? "varint runs past the end of the message"
         : e == 2 ? "varint longer than 10 bytes"
                  : "varint value over 64 bits";
}

bool brinei_pb_varint(struct brinei_rd *r, uint64_t *v, bool lax)
{
  int e = varint(r, v, lax);
  if(e) {
    r->bad = true;
    r->pos = r->len;
    *v = 0;
  }
  return e == 0;
}

/* Skip a group's fields up to its end-group key (lax only). Groups nest:
   the depth bound keeps the recursion finite. */
static bool skip_group(struct brinei_rd *r, uint64_t num, unsigned depth,
                       const char **why)
{
  if(depth > BRINEI_PB_MAX_DEPTH) {
    *why = "groups nested too deep";
    return false;
  }
  for(;;) {
    uint64_t key, v;
    int e;
    if(r->pos >= r->len) {
      *why = "group without its end";
      return false;
    }
    e = varint(r, &key, true);
    if(e) {
      *why = varint_why(e);
      return false;
    }
    if(key > UINT32_MAX || key >> 3 == 0) {
      *why = "bad field key in a group";
      return false;
    }
    switch(key & 7) {
    case PB_VARINT:
      e = varint(r, &v, true);
      if(e) {
        *why = varint_why(e);
        return false;
      }
      break;
    case PB_I64:
    case PB_I32:
      if(!brinei_rd_skip(r, (key & 7) == PB_I64 ? 8 : 4)) {
        *why = "fixed-size value runs past the end";
        return false;
      }
      break;
    case PB_LEN:
      e = varint(r, &v, true);
      if(e || v > brinei_rd_left(r)) {
        *why = e ? varint_why(e) : "length runs past the end";
        return false;
      }
      r->pos += (size_t)v;
      break;
    case PB_SGROUP:
      if(!skip_group(r, key >> 3, depth + 1, why))
        return false;
      break;
    case PB_EGROUP:
      if(key >> 3 != num) {
        *why = "end of group does not match its start";
        return false;
      }
      return true;
    default:
      *why = "invalid wire type 6 or 7";
      return false;
    }
  }
}

static bool pb_next(struct brinei_rd *r, struct brinei_pb_field *f,
                    bool lax)
{
  uint64_t key, v;
  const char *why = NULL;
  int e;
  f->off = r->pos;
  f->num = 0;
  f->wt = 0;
  f->v = 0;
  f->p = NULL;
  f->len = 0;
  f->err = NULL;
  if(r->bad) {
    f->err = "malformed";
    return false;
  }
  if(r->pos >= r->len)
    return false;  /* the clean end of the message */
  e = varint(r, &key, lax);
  if(e)
    return pb_fail(r, f, varint_why(e));
  if(key > UINT32_MAX)
    return pb_fail(r, f, "field key over 32 bits");
  f->num = (uint32_t)(key >> 3);
  f->wt = (unsigned)(key & 7);
  if(!f->num)
    return pb_fail(r, f, "field number 0");
  switch(f->wt) {
  case PB_VARINT:
    e = varint(r, &f->v, lax);
    if(e)
      return pb_fail(r, f, varint_why(e));
    return true;
  case PB_I64:
  case PB_I32: {
    size_t n = f->wt == PB_I64 ? 8 : 4;
    const uint8_t *q = brinei_rd_take(r, n);
    if(!q)
      return pb_fail(r, f, "fixed-size value runs past the end");
    f->v = n == 8 ? brinei_le64(q) : brinei_le32(q);
    return true;
  }
  case PB_LEN:
    e = varint(r, &v, lax);
    if(e)
      return pb_fail(r, f, varint_why(e));
    if(v > brinei_rd_left(r))
      return pb_fail(r, f, "length runs past the end of the message");
    f->p = r->p + r->pos;
    f->len = (size_t)v;
    r->pos += (size_t)v;
    return true;
  case PB_SGROUP:
    if(!lax)
      return pb_fail(r, f, "group (wire type 3): no ONNX or TensorFlow "
                     "message has one");
    f->p = r->p + r->pos;
    if(!skip_group(r, f->num, 1, &why))
      return pb_fail(r, f, why);
    f->len = (size_t)(r->p + r->pos - f->p);
    return true;
  case PB_EGROUP:
    return pb_fail(r, f, "end of group without a start");
  default:
    return pb_fail(r, f, "invalid wire type 6 or 7");
  }
}

bool brinei_pb_next(struct brinei_rd *r, struct brinei_pb_field *f)
{
  return pb_next(r, f, false);
}

bool brinei_pb_next_lax(struct brinei_rd *r, struct brinei_pb_field *f)
{
  return pb_next(r, f, true);
}

bool brinei_pb_flat_ok(const uint8_t *p, size_t n, bool lax)
{
  struct brinei_rd r = brinei_rd_make(p, n);
  struct brinei_pb_field f;
  while(pb_next(&r, &f, lax))
    ;
  return !r.bad;
}

/* ---- structure tests -------------------------------------------------- */

/* ModelProto: ir_version = 1 (int64), graph = 7 (GraphProto). ONNX
   Runtime refuses a model without either. Unknown fields are allowed (see
   the file comment); a field with the wrong wire type is unknown to
   protobuf too. */
bool brinei_pb_is_onnx(const uint8_t *d, size_t len)
{
  struct brinei_rd r = brinei_rd_make(d, len);
  struct brinei_pb_field f;
  bool ir = false, graph = false;
  while(brinei_pb_next_lax(&r, &f)) {
    if(f.num == 1 && f.wt == PB_VARINT)
      ir = f.v <= ONNX_IR_MAX;   /* the last occurrence counts */
    else if(f.num == 7 && f.wt == PB_LEN) {
      /* a graph that does not parse fails the whole model */
      if(!brinei_pb_flat_ok(f.p, f.len, true))
        return false;
      graph = true;
    }
  }
  return !r.bad && ir && graph;
}

/* MetaGraphDef with graph_def = 2 (GraphDef) or object_graph_def = 7
   (SavedObjectGraph: Keras revives layers from its metadata). */
static bool is_metagraph(const uint8_t *p, size_t n)
{
  struct brinei_rd r = brinei_rd_make(p, n);
  struct brinei_pb_field f;
  bool graph = false;
  while(brinei_pb_next_lax(&r, &f)) {
    if((f.num == 2 || f.num == 7) && f.wt == PB_LEN) {
      if(!brinei_pb_flat_ok(f.p, f.len, true))
        return false;
      graph = true;
    }
  }
  return !r.bad && graph;
}

/* keras_metadata.pb: SavedMetadata { nodes = 1 (SavedObject) } with
   SavedObject.identifier = 4, one of "_tf_keras_layer", "_tf_keras_model",
   ... (tensorflow/python/keras/protobuf/saved_metadata.proto). */
static bool is_keras_node(const uint8_t *p, size_t n)
{
  struct brinei_rd r = brinei_rd_make(p, n);
  struct brinei_pb_field f;
  bool keras = false;
  while(brinei_pb_next_lax(&r, &f))
    if(f.num == 4 && f.wt == PB_LEN)
      keras = f.len >= 10 && !memcmp(f.p, "_tf_keras_", 10);
  return !r.bad && keras;
}

/* SavedModel: saved_model_schema_version = 1, meta_graphs = 2. */
bool brinei_pb_is_savedmodel(const uint8_t *d, size_t len)
{
  struct brinei_rd r = brinei_rd_make(d, len);
  struct brinei_pb_field f;
  size_t metas = 0, keras = 0;
  while(brinei_pb_next_lax(&r, &f)) {
    if(f.num == 2 && f.wt == PB_LEN) {
      if(!brinei_pb_flat_ok(f.p, f.len, true))
        return false;
      metas += is_metagraph(f.p, f.len);
    }
    else if(f.num == 1 && f.wt == PB_LEN)
      keras += is_keras_node(f.p, f.len);
  }
  return !r.bad && (metas > 0 || keras > 0);
}

/* A first byte that can start a field key: wire type 0, 1, 2, 3 or 5 and,
   for a one-byte key, a field number above 0. */
static bool key_start(uint8_t b)
{
  unsigned wt = b & 7;
  if(wt == 4 || wt > 5)
    return false;
  return (b & 0x80) || b >> 3 != 0;
}

enum brinei_fmt brinei_protobuf_probe(const uint8_t *d, size_t len)
{
  if(!len || !key_start(d[0]))
    return F_UNRECOGNIZED;
  if(brinei_pb_is_onnx(d, len))
    return F_ONNX;
  if(brinei_pb_is_savedmodel(d, len))
    return F_TF_SAVEDMODEL;
  return F_UNRECOGNIZED;
}
