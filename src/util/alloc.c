/* The context allocator: every allocation counts against lim.memory, so a
 * hostile input that would need more memory gets BRINE_E_NOMEM (reported as
 * a limit), never an abort. A 16-byte header keeps each block's size. */
#include "../internal.h"

#include <stdlib.h>

#define HDR 16u

static void *sys_malloc(void *ud, size_t n) { (void)ud; return malloc(n); }
static void *sys_realloc(void *ud, void *p, size_t n)
{
  (void)ud;
  return realloc(p, n);
}
static void sys_free(void *ud, void *p) { (void)ud; free(p); }
static void *sys_calloc(void *ud, size_t n)
{
  (void)ud;
  return calloc(1, n);
}

static const struct brine_allocator sys_alloc = {
  sys_malloc, sys_realloc, sys_free, NULL, sys_calloc
};

static bool budget_ok(struct brine_ctx *ctx, size_t add)
{
  if(ctx->fail_after) {
    if(--ctx->fail_after == 0)
      return false;
  }
  return add <= ctx->lim.memory && ctx->used <= ctx->lim.memory - add;
}

static void account(struct brine_ctx *ctx, size_t add, size_t sub)
{
  ctx->used = ctx->used - sub + add;
  if(ctx->used > ctx->peak)
    ctx->peak = ctx->used;
}

void *brinei_malloc(struct brine_ctx *ctx, size_t n)
{
  unsigned char *p;
  if(n > SIZE_MAX - HDR || !budget_ok(ctx, n))
    return NULL;
  p = ctx->alloc.malloc_fn(ctx->alloc.ud, n + HDR);
  if(!p)
    return NULL;
  memcpy(p, &n, sizeof(n));
  account(ctx, n, 0);
  return p + HDR;
}

void *brinei_calloc(struct brine_ctx *ctx, size_t count, size_t size)
{
  unsigned char *p;
  size_t n;
  if(size && count > SIZE_MAX / size)
    return NULL;
  n = count * size;
  if(!ctx->alloc.calloc_fn) {
    p = brinei_malloc(ctx, n);
    if(p)
      memset(p, 0, n);
    return p;
  }
  if(n > SIZE_MAX - HDR || !budget_ok(ctx, n))
    return NULL;
  p = ctx->alloc.calloc_fn(ctx->alloc.ud, n + HDR);
  if(!p)
    return NULL;
  memcpy(p, &n, sizeof(n));
  account(ctx, n, 0);
  return p + HDR;
}

void *brinei_realloc(struct brine_ctx *ctx, void *p, size_t n)
{
  unsigned char *b, *nb;
  size_t old;
  if(!p)
    return brinei_malloc(ctx, n);
  b = (unsigned char *)p - HDR;
  memcpy(&old, b, sizeof(old));
  if(n > SIZE_MAX - HDR || (n > old && !budget_ok(ctx, n - old)))
    return NULL;
  nb = ctx->alloc.realloc_fn(ctx->alloc.ud, b, n + HDR);
  if(!nb)
    return NULL;
  memcpy(nb, &n, sizeof(n));
  account(ctx, n, old);
  return nb + HDR;
}

void brinei_free(struct brine_ctx *ctx, void *p)
{
  unsigned char *b;
  size_t n;
  if(!p)
    return;
  b = (unsigned char *)p - HDR;
  memcpy(&n, b, sizeof(n));
  account(ctx, 0, n);
  ctx->alloc.free_fn(ctx->alloc.ud, b);
}

char *brinei_strndup(struct brine_ctx *ctx, const char *s, size_t n)
{
  char *d;
  if(n == SIZE_MAX)
    return NULL;
  d = brinei_malloc(ctx, n + 1);
  if(d) {
    if(n)
      memcpy(d, s, n);
    d[n] = '\0';
  }
  return d;
}

brine_result brinei_grow(struct brine_ctx *ctx, void **p, size_t *cap,
                         size_t need, size_t size, size_t max)
{
  size_t ncap;
  void *np;
  if(need <= *cap)
    return BRINE_OK;
  if(need > max)
    return BRINE_E_LIMIT;
  ncap = *cap ? *cap : 16;
  while(ncap < need)
    ncap = ncap > max / 2 ? max : ncap * 2;
  if(ncap > max)
    ncap = max;  /* the capacity itself never exceeds the limit */
  if(ncap > SIZE_MAX / size)
    return BRINE_E_NOMEM;
  np = brinei_realloc(ctx, *p, ncap * size);
  if(!np)
    return BRINE_E_NOMEM;
  *p = np;
  *cap = ncap;
  return BRINE_OK;
}

struct brine_ctx *brine_ctx_new(const struct brine_limits *lim,
                                const struct brine_allocator *alloc)
{
  const struct brine_allocator *a = alloc ? alloc : &sys_alloc;
  struct brine_limits def = brine_limits_default();
  struct brine_limits ceil = brinei_limits_ceiling();
  struct brine_ctx *ctx = a->malloc_fn(a->ud, sizeof(*ctx));
  if(!ctx)
    return NULL;
  memset(ctx, 0, sizeof(*ctx));
  ctx->alloc = *a;
  ctx->lim = def;
  if(lim) {
    /* lowering only: each value is clamped to the compiled ceiling */
    /* a 0 keeps the default; anything else is clamped to the ceiling */
    const uint64_t *src = (const uint64_t *)lim;
    uint64_t *dst = (uint64_t *)&ctx->lim;
    const uint64_t *c = (const uint64_t *)&ceil;
    for(size_t i = 0; i < sizeof(*lim) / sizeof(uint64_t); i++)
      if(src[i])
        dst[i] = src[i] < c[i] ? src[i] : c[i];
  }
  ctx->err.offset = BRINE_NOOFF;
  return ctx;
}

void brine_ctx_free(struct brine_ctx *ctx)
{
  if(ctx)
    ctx->alloc.free_fn(ctx->alloc.ud, ctx);
}

const struct brine_limits *brine_ctx_limits(const struct brine_ctx *ctx)
{
  return &ctx->lim;
}

size_t brine_ctx_mem_used(const struct brine_ctx *ctx) { return ctx->used; }
size_t brine_ctx_mem_peak(const struct brine_ctx *ctx) { return ctx->peak; }

void brine_ctx_fail_alloc_after(struct brine_ctx *ctx, uint64_t n)
{
  ctx->fail_after = n;
}
