/* Bump allocator for the many small objects of one analysis; freed at once.
 * Blocks double in size up to 4 MiB, so a large pickle costs few calls. */
#include "../internal.h"

struct arena_block {
  struct arena_block *next;
  size_t size;  /* usable bytes in data */
  size_t used;
  max_align_t data[];
};

void brinei_arena_init(struct brinei_arena *a, struct brine_ctx *ctx)
{
  a->ctx = ctx;
  a->head = NULL;
  a->block_size = 4096;
}

void *brinei_arena_alloc(struct brinei_arena *a, size_t n)
{
  struct arena_block *b = a->head;
  size_t need = (n + 15u) & ~(size_t)15u;
  void *p;
  if(need < n)
    return NULL;
  if(!b || b->size - b->used < need) {
    size_t size = a->block_size;
    while(size < need)
      size = size > SIZE_MAX / 2 ? need : size * 2;
    b = brinei_malloc(a->ctx, sizeof(*b) + size);
    if(!b)
      return NULL;
    b->next = a->head;
    b->size = size;
    b->used = 0;
    a->head = b;
    if(a->block_size < (4u << 20))
      a->block_size *= 2;
  }
  p = (char *)b->data + b->used;
  b->used += need;
  return p;
}

char *brinei_arena_strndup(struct brinei_arena *a, const char *s, size_t n)
{
  char *d;
  if(n == SIZE_MAX)
    return NULL;
  d = brinei_arena_alloc(a, n + 1);
  if(d) {
    if(n)
      memcpy(d, s, n);
    d[n] = '\0';
  }
  return d;
}

void brinei_arena_free(struct brinei_arena *a)
{
  struct arena_block *b = a->head, *next;
  while(b) {
    next = b->next;
    brinei_free(a->ctx, b);
    b = next;
  }
  a->head = NULL;
}
