/* libFuzzer target: an OMS signature file (sign/oms.c) — the bundle read
 * strictly, then the statement it carries read into a manifest, as
 * verification does after the signature check. Nothing may leak or
 * crash. */
#include <stdint.h>
#include <stdlib.h>

#include "sign/oms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct brine_limits lim = brine_limits_default();
  struct brinei_oms_bundle b;
  struct brinei_manifest m;
  struct brine_ctx *ctx;
  lim.memory = 256u << 20;
  ctx = brine_ctx_new(&lim, NULL);
  if(!ctx)
    return 0;
  memset(&b, 0, sizeof(b));
  if(!brinei_oms_bundle_parse(ctx, (const char *)data, size, &b)) {
    if(!brinei_oms_statement(ctx, &b, &m)) {
      uint8_t root[32];
      if(brinei_manifest_root(ctx, &m, root) && m.n)
        abort();
      brinei_manifest_free(ctx, &m);
    }
    brinei_oms_bundle_free(ctx, &b);
  }
  if(brine_ctx_mem_used(ctx))
    abort();  /* everything given back */
  brine_ctx_free(ctx);
  return 0;
}
