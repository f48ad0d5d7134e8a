/* libFuzzer target: the allowlist loader (what --allow FILE reads): strict
 * JSON with duplicate keys rejected, the schema of docs/allowlists.md, the
 * deny list, then lookups of the names it accepted. */
#include <stdint.h>
#include <stdlib.h>

#include "brine/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct brine_limits lim = brine_limits_default();
  struct brine_policy *pol = NULL;
  struct brine_ctx *ctx;
  lim.memory = 256u << 20;
  ctx = brine_ctx_new(&lim, NULL);
  if(!ctx)
    return 0;
  if(!brine_policy_new(ctx, &pol)) {
    if(!brine_policy_add_json(pol, (const char *)data, size, "fuzz")) {
      /* whatever was accepted must be judged consistently */
      if(brine_policy_allowed(pol, "posix.system") != BRINE_USE_NONE)
        abort();  /* the deny list wins over every allowlist */
      (void)brine_policy_allowed(pol, "a.b");
    }
  }
  brine_policy_free(pol);
  if(brine_ctx_mem_used(ctx))
    abort();
  brine_ctx_free(ctx);
  return 0;
}
