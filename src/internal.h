/* Shared by every .c file in src/; each includes it first.
 *
 * Naming: brine_* is public (include/brine/), brinei_* crosses files inside
 * the library, everything else is static.
 */
#ifndef BRINE_INTERNAL_H
#define BRINE_INTERNAL_H

#define _GNU_SOURCE 1

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "brine/brine.h"

#if defined(__GNUC__)
#define BRINE_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define BRINE_WUR __attribute__((warn_unused_result))
#define BRINE_LIKELY(x) __builtin_expect(!!(x), 1)
#define BRINE_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define BRINE_PRINTF(a, b)
#define BRINE_WUR
#define BRINE_LIKELY(x) (x)
#define BRINE_UNLIKELY(x) (x)
#endif

#define BRINE_NOOFF UINT64_MAX
#define BRINE_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct brine_ctx {
  struct brine_limits lim;
  struct brine_allocator alloc;
  size_t used;               /* bytes currently held through alloc */
  size_t peak;               /* highest `used` seen */
  uint64_t fail_after;       /* test hook: fail the Nth allocation; 0 off */
  struct brine_errinfo err;  /* last failure */
};

/* The compiled ceilings (util/limits.c). */
struct brine_limits brinei_limits_ceiling(void);

/* ---- allocation (util/alloc.c): every byte counts against lim.memory ---- */
void *brinei_malloc(struct brine_ctx *ctx, size_t n) BRINE_WUR;
void *brinei_calloc(struct brine_ctx *ctx, size_t count, size_t size) BRINE_WUR;
void *brinei_realloc(struct brine_ctx *ctx, void *p, size_t n) BRINE_WUR;
void brinei_free(struct brine_ctx *ctx, void *p);  /* NULL-safe */
char *brinei_strndup(struct brine_ctx *ctx, const char *s, size_t n) BRINE_WUR;
/* Grow *p (an array of *cap elements of `size` bytes) to hold at least
   `need`, doubling, never beyond `max` elements. Returns BRINE_OK,
   BRINE_E_LIMIT (need > max) or BRINE_E_NOMEM; *p is untouched on failure. */
brine_result brinei_grow(struct brine_ctx *ctx, void **p, size_t *cap,
                         size_t need, size_t size, size_t max) BRINE_WUR;

/* ---- errors (util/err.c) ---- */
/* Record a failure on ctx and return code; offset may be BRINE_NOOFF. */
brine_result brinei_fail(struct brine_ctx *ctx, brine_result code,
                         uint64_t offset, int line, const char *fmt, ...)
    BRINE_PRINTF(5, 6);
#define BRINE_FAIL(ctx, code, off, ...) \
  brinei_fail((ctx), (code), (off), __LINE__, __VA_ARGS__)
void brinei_clear_error(struct brine_ctx *ctx);

/* ---- arena (util/arena.c): bump allocation, freed all at once ---- */
struct brinei_arena {
  struct brine_ctx *ctx;
  struct arena_block *head;  /* newest block; owned */
  size_t block_size;         /* size of the next block to allocate */
};
void brinei_arena_init(struct brinei_arena *a, struct brine_ctx *ctx);
void *brinei_arena_alloc(struct brinei_arena *a, size_t n) BRINE_WUR;
char *brinei_arena_strndup(struct brinei_arena *a, const char *s, size_t n)
    BRINE_WUR;
void brinei_arena_free(struct brinei_arena *a);

/* ---- growable byte string with a cap (util/sbuf.c) ---- */
struct brinei_sbuf {
  struct brine_ctx *ctx;
  char *p;        /* NUL-terminated when len > 0 or after any append */
  size_t len;
  size_t cap;
  size_t max;     /* hard cap on len (curl's toobig) */
  bool failed;    /* sticky: an append failed (NOMEM or over max) */
};
void brinei_sbuf_init(struct brinei_sbuf *b, struct brine_ctx *ctx, size_t max);
void brinei_sbuf_add(struct brinei_sbuf *b, const void *s, size_t n);
void brinei_sbuf_puts(struct brinei_sbuf *b, const char *s);
void brinei_sbuf_printf(struct brinei_sbuf *b, const char *fmt, ...)
    BRINE_PRINTF(2, 3);
/* Append s as a Python-style quoted literal, at most `limit` source bytes
   (the rest shown as "..."); bytes literals get a b prefix. */
void brinei_sbuf_pyrepr(struct brinei_sbuf *b, const uint8_t *s, size_t n,
                        bool is_bytes, size_t limit);
/* Append s as a JSON string (quotes included); invalid UTF-8 becomes
   U+FFFD. */
void brinei_sbuf_json_str(struct brinei_sbuf *b, const char *s, size_t n);
/* Hand the buffer over (caller frees with brinei_free); NULL after a
   failure. An empty buffer gives "". */
char *brinei_sbuf_take(struct brinei_sbuf *b);
void brinei_sbuf_free(struct brinei_sbuf *b);

/* FNV-1a over n bytes: the hash of brine's string tables. */
static inline uint32_t brinei_hash32(const char *s, size_t n)
{
  uint32_t h = 2166136261u;
  for(size_t i = 0; i < n; i++) {
    h ^= (uint8_t)s[i];
    h *= 16777619u;
  }
  return h;
}

/* A JSON string for text that may not be valid UTF-8 (paths, names,
   renderings of file content): invalid bytes become U+FFFD (scan/output.c). */
struct json_t;
struct json_t *brinei_json_str(struct brine_ctx *ctx, const char *s);

/* ---- text helpers (util/text.c) ---- */
/* Valid UTF-8 as CPython's decoder with errors="surrogatepass" accepts it
   (encoded surrogates allowed). */
bool brinei_utf8_valid(const uint8_t *s, size_t n, bool surrogatepass);
bool brinei_is_base64(const uint8_t *s, size_t n);
/* The value of a base64 character of either alphabet (standard or
   URL-safe), -1 for anything else. */
int brinei_b64val(uint8_t c);
/* Decode base64 (standard alphabet, padding optional) or hex into out (at
   least n*3/4+3 or n/2 bytes); returns the decoded length or SIZE_MAX. */
size_t brinei_base64_decode(const uint8_t *s, size_t n, uint8_t *out);
size_t brinei_hex_decode(const uint8_t *s, size_t n, uint8_t *out);

/* ---- forks and the dynamic loader (util/loader.c) ---- */
/* Around code that may dlopen while other threads run (not reentrant:
   leave before calling code that may fork). */
void brinei_loader_enter(void);
void brinei_loader_leave(void);
/* fork(), never while another thread is between enter and leave. */
#include <sys/types.h>
pid_t brinei_fork(void);

/* ---- file mapping (util/map.c) ---- */
struct brinei_map {
  const uint8_t *data;  /* the bytes; NULL for an empty file */
  size_t len;
  size_t maplen;        /* bytes mapped (0 when read into memory) */
  size_t released;      /* bytes before this were handed back to the kernel */
  struct brine_ctx *ctx;
  bool heap;            /* data was read, not mapped */
};
/* Map (or, for non-regular files, read up to lim.read_bytes) path.
   Returns BRINE_OK, BRINE_E_IO (message names the path and errno),
   BRINE_E_LIMIT, BRINE_E_NOMEM. */
brine_result brinei_map_file(struct brine_ctx *ctx, const char *path,
                             struct brinei_map *m);
/* Let the kernel drop mapped pages before `upto` (they are re-read if used
   again): keeps RSS bounded while streaming through large files. */
void brinei_map_release(struct brinei_map *m, size_t upto);
void brinei_map_close(struct brinei_map *m);
/* Ask for transparent huge pages over a large zeroed table (fewer page
   faults); a hint only. */
void brinei_hint_huge(void *p, size_t n);
/* Fault in [p, p+n) for writing in one call (MADV_POPULATE_WRITE) rather
   than page by page; a hint only, ignored where unsupported. */
void brinei_prefault(void *p, size_t n);

#endif
