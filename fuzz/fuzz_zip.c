/* libFuzzer target: brine's ZIP reader (src/formats/zip.c). Opens the
 * input, reads every entry and every unlisted region with a 1 MiB output
 * cap, checks the invariants the walker relies on, frees everything. */
#include <stdint.h>
#include <stdlib.h>

#include "formats/formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct brinei_zip *z, size_t size)
{
  /* regions lie inside the file and do not overlap one another */
  uint64_t prev_end = 0;
  for(size_t i = 0; i < z->nr; i++) {
    const struct brinei_zip_region_info *r = &z->r[i];
    if(r->off > size || r->len > size - r->off || !r->len)
      abort();
    if(r->kind != ZR_TAIL && r->off + r->len > z->cd_off)
      abort();
    if(r->off < prev_end)
      abort();
    prev_end = r->off + r->len;
    if((r->kind == ZR_UNLISTED) != (r->name != NULL))
      abort();
  }
  if(z->cd_off > size || z->cd_size > size - z->cd_off)
    abort();
  for(size_t i = 0; i < z->n; i++) {
    const struct brinei_zip_entry *e = &z->e[i];
    if(!e->name || e->name[e->name_len] != '\0')
      abort();
    if(e->data_off && (e->data_off < e->local_off + 30 ||
                       e->data_off > size))
      abort();
    if((e->anomalies & ZA_NAME) != (e->local_name ? ZA_NAME : 0))
      abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct brine_limits lim = brine_limits_default();
  struct brine_ctx *ctx;
  struct brinei_zip *z = NULL;
  lim.memory = 256u << 20;
  lim.entries = 4096;
  lim.ratio = 100;
  ctx = brine_ctx_new(&lim, NULL);
  if(!ctx)
    return 0;
  if(!brinei_zip_open(ctx, data, size, &z)) {
    check(z, size);
    for(size_t i = 0; i < z->n; i++) {
      const uint8_t *d;
      size_t len;
      uint8_t *owned = NULL;
      uint32_t crc;
      if(!brinei_zip_read(z, i, 1u << 20, &d, &len, &owned, &crc)) {
        if(len > (1u << 20) || (len && !d) ||
           (owned && d != owned) ||
           (!owned && (d < data || len > size - (size_t)(d - data))))
          abort();
      }
      brinei_free(ctx, owned);
    }
    for(size_t i = 0; i < z->nr; i++) {
      const uint8_t *d;
      size_t len;
      uint8_t *owned = NULL;
      if(!brinei_zip_read_region(z, i, 1u << 20, &d, &len, &owned) &&
         len > (1u << 20))
        abort();
      brinei_free(ctx, owned);
    }
    brinei_zip_free(z);
  }
  else if(z)
    abort();
  if(brine_ctx_mem_used(ctx))
    abort();  /* everything allocated was freed */
  brine_ctx_free(ctx);
  return 0;
}
