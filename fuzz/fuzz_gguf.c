/* libFuzzer target: GGUF validation (src/formats/gguf.c) on raw bytes,
 * then the same bytes as a chat template (src/formats/chat_template.c),
 * so template text seeds exercise the Jinja tokenizer directly. Every
 * finding must carry a rule and a message, and everything allocated must
 * be freed. */
#include <stdint.h>
#include <stdlib.h>

#include "formats/formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(const uint8_t *data, size_t size, bool tmpl)
{
  struct brine_limits lim = brine_limits_default();
  struct brine_ctx *ctx;
  struct brinei_arena arena;
  struct brinei_findings f;
  struct brinei_fcheck c;
  lim.memory = 256u << 20;
  lim.findings = 256;
  ctx = brine_ctx_new(&lim, NULL);
  if(!ctx)
    return;
  memset(&f, 0, sizeof(f));
  memset(&c, 0, sizeof(c));
  brinei_arena_init(&arena, ctx);
  f.ctx = ctx;
  f.arena = &arena;
  c.ctx = ctx;
  c.f = &f;
  c.member = "";
  if(tmpl) {
    brinei_chat_template_check(&c, "tokenizer.chat_template", data, size,
                               0);
    if(f.n > 8)
      abort();  /* the per-template cap */
  }
  else
    brinei_gguf_check(&c, data, size);
  for(size_t i = 0; i < f.n; i++) {
    if(!f.v[i].rule || !f.v[i].message ||
       (f.v[i].offset != BRINE_NOOFF && f.v[i].offset > size))
      abort();
  }
  brinei_free(ctx, f.v);
  brinei_arena_free(&arena);
  if(brine_ctx_mem_used(ctx))
    abort();  /* everything allocated was freed */
  brine_ctx_free(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  run(data, size, false);
  run(data, size, true);
  return 0;
}
