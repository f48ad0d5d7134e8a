/* libFuzzer target: tar and 7z walks through libarchive
 * (formats/archive.c) with a 1 MiB data budget and a lowered memory
 * budget. Every delivered entry is touched; nothing may leak. */
#include <stdint.h>
#include <stdlib.h>

#include "formats/formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int touch(void *arg, const struct brinei_archive_entry *e)
{
  size_t *n = arg;
  volatile uint8_t sink = 0;
  if(!e->name || !e->type || (e->type == 'f' && !e->data) ||
     (e->type != 'f' && e->type != 'h' && e->data) ||
     ((e->type == 'l' || e->type == 'h') && !e->link))
    abort();
  for(size_t i = 0; i < e->len; i += 4096)
    sink ^= e->data[i];
  if(e->len)
    sink ^= e->data[e->len - 1];
  for(const char *p = e->name; *p; p++)
    sink ^= (uint8_t)*p;
  (void)sink;
  return ++*n > 100000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const enum brinei_fmt fmts[] = { F_TAR, F_7Z, F_GZIP };
  struct brine_limits lim = brine_limits_default();
  struct brine_ctx *ctx;
  lim.memory = 256u << 20;
  lim.entries = 4096;
  ctx = brine_ctx_new(&lim, NULL);
  if(!ctx)
    return 0;
  for(size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
    uint64_t budget = 1u << 20;
    size_t n = 0;
    (void)brinei_archive_walk(ctx, fmts[i], data, size, &budget, touch, &n);
    if(budget > (1u << 20))
      abort();
  }
  if(brine_ctx_mem_used(ctx))
    abort();
  brine_ctx_free(ctx);
  return 0;
}
