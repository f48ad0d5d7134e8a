/* libFuzzer target: the safetensors probe and header validation
 * (src/formats/safetensors.c) on raw bytes. Every finding must carry a
 * rule and a message, and everything allocated must be freed. */
#include <stdint.h>
#include <stdlib.h>

#include "formats/formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct brine_limits lim = brine_limits_default();
  struct brine_ctx *ctx;
  struct brinei_arena arena;
  struct brinei_findings f;
  struct brinei_fcheck c;
  lim.memory = 256u << 20;
  lim.findings = 64;
  ctx = brine_ctx_new(&lim, NULL);
  if(!ctx)
    return 0;
  memset(&f, 0, sizeof(f));
  memset(&c, 0, sizeof(c));
  brinei_arena_init(&arena, ctx);
  f.ctx = ctx;
  f.arena = &arena;
  c.ctx = ctx;
  c.f = &f;
  c.member = "";
  (void)brinei_safetensors_probe(data, size);
  brinei_safetensors_check(&c, data, size);
  /* at most one finding: the first violation ends the check */
  if(f.n > 1)
    abort();
  for(size_t i = 0; i < f.n; i++) {
    if(!f.v[i].rule || !f.v[i].message)
      abort();
  }
  brinei_free(ctx, f.v);
  brinei_arena_free(&arena);
  if(brine_ctx_mem_used(ctx))
    abort();  /* everything allocated was freed */
  brine_ctx_free(ctx);
  return 0;
}
