/* libFuzzer target: the skops schema.json walker (formats/skops.c) with a
 * deny-list policy and a fixed set of archive member names. Findings must
 * be well formed; nothing may leak. */
#include <stdint.h>
#include <stdlib.h>

#include "formats/formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const char *const names[] = { "schema.json", "0.npy", "1.npy",
                                       "a.bin" };
  static struct brine_ctx *pctx;
  static struct brine_policy *pol;
  struct brine_limits lim = brine_limits_default();
  struct brine_ctx *ctx;
  struct brinei_arena arena;
  struct brinei_findings f;
  struct brinei_fcheck c;
  if(!pol) {
    pctx = brine_ctx_new(NULL, NULL);
    if(!pctx || brine_policy_new(pctx, &pol))
      abort();
  }
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
  c.pol = pol;
  c.f = &f;
  c.member = "m.skops";
  brinei_skops_check(&c, data, size, names, BRINE_ARRAY_LEN(names));
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
