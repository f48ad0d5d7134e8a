/* Protobuf wire format without a schema: the reader shared by onnx.c and
 * savedmodel.c, and the structural tests behind brinei_protobuf_probe.
 *
 * SPEC: protobuf.dev/programming-guides/encoding (varint keys
 * `number << 3 | wire type`; 0 VARINT, 1 I64, 2 LEN, 3/4 groups, 5 I32).
 * Every nested message is read on a reader of exactly its LEN bytes.
 */
#ifndef BRINE_FORMATS_PROTOBUF_H
#define BRINE_FORMATS_PROTOBUF_H

#include "formats.h"

/* Messages nested deeper than this are malformed: protobuf's own parser
   refuses them too (its default recursion limit is 100), so nothing a
   loader accepts is cut off. */
#define BRINEI_PB_MAX_DEPTH 100

enum {
  PB_VARINT = 0, PB_I64 = 1, PB_LEN = 2, PB_SGROUP = 3, PB_EGROUP = 4,
  PB_I32 = 5
};

struct brinei_pb_field {
  uint32_t num;         /* field number, >= 1 */
  unsigned wt;          /* wire type (PB_*) */
  uint64_t v;           /* VARINT, I64, I32: the value */
  const uint8_t *p;     /* LEN (and lax groups): the payload, in place */
  size_t len;
  size_t off;           /* where the field's key starts in the reader */
  const char *err;      /* why, after a false return with the reader bad */
};

/* One varint of at most 10 bytes. Strict: a value that overflows 64 bits
   is malformed; lax (as protobuf's C++ parser) drops the excess bits.
   Padded encodings (0x80 0x00) are accepted as protobuf accepts them. */
bool brinei_pb_varint(struct brinei_rd *r, uint64_t *v, bool lax);

/* The next field of the message the reader holds. Returns false at the
   end of the message, or with r->bad set (and f->err, f->off) when the
   bytes are malformed: a key over 32 bits, field number 0, wire type 6 or
   7, a length past the end, a group. */
bool brinei_pb_next(struct brinei_rd *r, struct brinei_pb_field *f);

/* The same, accepting everything protobuf's parser accepts (unknown
   groups, skipped whole; over-long varint values): the probe must never
   turn away a file that a loader would read. */
bool brinei_pb_next_lax(struct brinei_rd *r, struct brinei_pb_field *f);

/* The whole buffer is one level of valid fields (contents of LEN fields
   not looked into). */
bool brinei_pb_flat_ok(const uint8_t *p, size_t n, bool lax);

/* Structure tests (lax): an ONNX ModelProto with ir_version and a graph;
   a SavedModel with a MetaGraphDef that has a graph_def or an object
   graph, or the Keras metadata file of a SavedModel (keras_metadata.pb). */
bool brinei_pb_is_onnx(const uint8_t *d, size_t len);
bool brinei_pb_is_savedmodel(const uint8_t *d, size_t len);

/* The walks behind brinei_onnx_check and brinei_savedmodel_check. With
   `quiet` only security findings are reported, not malformed structure:
   used when a file also has the other format's structure (a polyglot that
   a loader of either kind would read). */
void brinei_onnx_walk(const struct brinei_fcheck *c, const uint8_t *d,
                      size_t len, bool quiet);
void brinei_savedmodel_walk(const struct brinei_fcheck *c, const uint8_t *d,
                            size_t len, bool quiet);

/* A LEN payload equals a C string. */
static inline bool brinei_pb_streq(const uint8_t *p, size_t n,
                                   const char *s)
{
  size_t k = strlen(s);
  return n == k && (k == 0 || memcmp(p, s, k) == 0);
}

/* Bytes of a LEN payload for "%.*s", at most `max`. */
static inline int brinei_pb_plen(size_t n, int max)
{
  return n > (size_t)max ? max : (int)n;
}

#endif
