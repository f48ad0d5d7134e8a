/* libFuzzer target: format recognition and every compression wrapper
 * (formats/sniff.c, formats/decompress.c). Each input is sniffed, then
 * decoded as each format with a 1 MiB output cap and a lowered memory
 * budget; results must be consistent and nothing may leak. */
#include <stdint.h>
#include <stdlib.h>

#include "formats/formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const enum brinei_fmt fmts[] = { F_GZIP, F_BZIP2, F_XZ, F_LZMA,
                                          F_ZLIB, F_LZ4, F_ZSTD };
  struct brine_limits lim = brine_limits_default();
  struct brine_ctx *ctx;
  enum brinei_fmt f = brinei_sniff(data, size);
  if(!brinei_fmt_name(f))
    abort();
  /* 64 MiB: also caps liblzma's dictionary (memlimit follows the
     budget), which keeps runs fast */
  lim.memory = 64u << 20;
  lim.ratio = 1000;
  ctx = brine_ctx_new(&lim, NULL);
  if(!ctx)
    return 0;
  for(size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
    uint8_t *out = NULL;
    size_t outlen = 0, used = 0;
    brine_result rc = brinei_decompress(ctx, fmts[i], data, size, 1u << 20,
                                        &out, &outlen, &used);
    if(outlen > (1u << 20) || used > size || (outlen && !out) ||
       (rc == BRINE_OK && !used))
      abort();
    if(outlen) {
      volatile uint8_t sink = out[0] ^ out[outlen - 1];
      (void)sink;
    }
    if(rc != BRINE_OK && !brine_last_error(ctx)->message[0])
      abort();  /* every failure says why */
    brinei_free(ctx, out);
  }
  if(brine_ctx_mem_used(ctx))
    abort();
  brine_ctx_free(ctx);
  return 0;
}
