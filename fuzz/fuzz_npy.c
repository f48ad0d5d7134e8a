/* libFuzzer target: the .npy header parser (formats/npy.c). A parse that
 * succeeds must describe a layout inside the input (header within it,
 * data offset right after it), sizes consistent with the flags, and an
 * object dtype must carry no raw data size; a failure must leave a
 * message. Nothing may leak, with or without allocation failures. */
#include <stdint.h>
#include <stdlib.h>

#include "formats/formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct brine_limits lim = brine_limits_default();
  struct brine_ctx *ctx;
  struct brinei_npy n;
  brine_result rc;
  lim.memory = 64u << 20;
  ctx = brine_ctx_new(&lim, NULL);
  if(!ctx)
    return 0;
  /* the last byte, when odd, makes the 1st-3rd allocation fail */
  if(size && (data[size - 1] & 1))
    brine_ctx_fail_alloc_after(ctx, (uint64_t)(data[size - 1] >> 1 & 3) + 1);
  rc = brinei_npy_parse(ctx, data, size, &n);
  if(rc == BRINE_OK) {
    if(n.data_off > size || n.header_len > size ||
       n.data_off != (n.major == 1 ? 10u : 12u) + n.header_len)
      abort();
    if(n.ndim > 32 || (n.major < 1 || n.major > 3) || n.minor)
      abort();
    if(n.has_object && (n.itemsize || n.data_len))
      abort();
    if(!n.structured && !n.descr[0])
      abort();
    if(n.structured && n.descr[0])
      abort();
    if(!n.has_object) {
      uint64_t prod = 1;
      for(unsigned i = 0; i < n.ndim; i++)
        prod *= n.shape[i];
      if(prod * n.itemsize != n.data_len)
        abort();
    }
  }
  else if(rc != BRINE_E_MALFORMED && rc != BRINE_E_NOMEM)
    abort();
  else if(!brine_last_error(ctx)->message[0])
    abort();
  if(brine_ctx_mem_used(ctx))
    abort();  /* everything allocated was freed */
  brine_ctx_free(ctx);
  return 0;
}
