/* libFuzzer target: the protobuf wire reader, the ONNX / SavedModel probe
 * and the SavedModel check (formats/protobuf.c, savedmodel.c), Keras
 * metadata JSON included. Every input is probed and checked as a
 * SavedModel whatever the probe says; findings must be well formed and lie
 * inside the input, and nothing may leak. */
#include <stdint.h>
#include <stdlib.h>

#include "formats/protobuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct brine_limits lim = brine_limits_default();
  struct brine_ctx *ctx;
  struct brinei_arena arena;
  struct brinei_findings f;
  struct brinei_fcheck c;
  enum brinei_fmt fmt = brinei_protobuf_probe(data, size);
  if(fmt != F_ONNX && fmt != F_TF_SAVEDMODEL && fmt != F_UNRECOGNIZED)
    abort();
  if(fmt == F_TF_SAVEDMODEL && !brinei_pb_is_savedmodel(data, size))
    abort();
  lim.memory = 256u << 20;
  ctx = brine_ctx_new(&lim, NULL);
  if(!ctx)
    return 0;
  brinei_arena_init(&arena, ctx);
  memset(&f, 0, sizeof(f));
  f.ctx = ctx;
  f.arena = &arena;
  memset(&c, 0, sizeof(c));
  c.ctx = ctx;
  c.f = &f;
  c.member = "";
  brinei_savedmodel_check(&c, data, size);
  for(size_t i = 0; i < f.n; i++)
    if(!f.v[i].rule || !f.v[i].message ||
       (f.v[i].offset != BRINE_NOOFF && f.v[i].offset > size))
      abort();
  brinei_free(ctx, f.v);
  brinei_arena_free(&arena);
  if(brine_ctx_mem_used(ctx))
    abort();  /* everything allocated was freed */
  brine_ctx_free(ctx);
  return 0;
}
