/* libFuzzer target: the pickle machine and judge through the public scan
 * API (every stream, nested pickles, findings). Limits are lowered so one
 * run stays fast while still reaching the limit paths. */
#include <stdint.h>
#include <stdlib.h>

#include "brine/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static struct brine_ctx *pctx;
  static struct brine_policy *pol;
  struct brine_limits lim = brine_limits_default();
  struct brine_ctx *ctx;
  struct brine_scan *scan = NULL;
  if(!pol) {
    pctx = brine_ctx_new(NULL, NULL);
    if(!pctx || brine_policy_new(pctx, &pol))
      abort();
  }
  lim.pickle_ops = 200000;
  lim.pickle_stack = 100000;
  lim.pickle_memo = 100000;
  lim.memory = 256u << 20;
  lim.nest_depth = 3;
  ctx = brine_ctx_new(&lim, NULL);
  if(!ctx)
    return 0;
  if(!brine_scan_new(ctx, pol, 0, &scan)) {
    const struct brine_file_report *r;
    (void)brine_scan_buffer(scan, "fuzz", data, size);
    r = brine_scan_file(scan, 0);
    /* every report must carry a verdict and consistent findings */
    if(r && r->nfindings && !r->findings)
      abort();
  }
  brine_scan_free(scan);
  if(brine_ctx_mem_used(ctx))
    abort();  /* everything allocated was freed */
  brine_ctx_free(ctx);
  return 0;
}
