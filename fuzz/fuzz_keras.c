/* libFuzzer target: the Keras config walker (formats/keras.c) on JSON
 * text, as config.json and as an H5 training_config (which also checks
 * loss and metric names). Findings must be well formed; nothing may leak.
 * libhdf5 stays out of the fuzzers: the H5 child is tested by
 * tests/unit/test_model_formats.c. */
#include <stdint.h>
#include <stdlib.h>

#include "formats/formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const char *const where[] = { "config.json", "training_config" };
  struct brine_limits lim = brine_limits_default();
  struct brine_ctx *ctx;
  lim.memory = 256u << 20;
  ctx = brine_ctx_new(&lim, NULL);
  if(!ctx)
    return 0;
  for(size_t w = 0; w < 2; w++) {
    struct brinei_arena arena;
    struct brinei_findings f;
    struct brinei_fcheck c;
    brinei_arena_init(&arena, ctx);
    memset(&f, 0, sizeof(f));
    f.ctx = ctx;
    f.arena = &arena;
    memset(&c, 0, sizeof(c));
    c.ctx = ctx;
    c.f = &f;
    c.member = "m";
    brinei_keras_check_config(&c, where[w], data, size);
    for(size_t i = 0; i < f.n; i++)
      if(!f.v[i].rule || !f.v[i].message || strcmp(f.v[i].member, "m") ||
         (f.v[i].offset != BRINE_NOOFF && f.v[i].offset > size))
        abort();
    brinei_free(ctx, f.v);
    brinei_arena_free(&arena);
  }
  if(brine_ctx_mem_used(ctx))
    abort();  /* everything allocated was freed */
  brine_ctx_free(ctx);
  return 0;
}
