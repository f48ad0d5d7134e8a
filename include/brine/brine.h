/* brine: keep ML model artifacts safe from training to serving.
 *
 * This header holds what every part of the API shares: result codes, the
 * context (limits, allocator budget, error detail) and the version.
 *
 * Conventions for every public function:
 * - pointer parameters must not be NULL unless the function says so;
 * - "owned" results are freed by the caller with the named free function,
 *   and every free function accepts NULL;
 * - "borrowed" results stay valid until the next call on the same context
 *   or object;
 * - a function returning brine_result lists every code it can return.
 */
#ifndef BRINE_BRINE_H
#define BRINE_BRINE_H

#include <stddef.h>
#include <stdint.h>

#include "brine/limits.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BRINE_VERSION "0.1.0"

/* Result codes. The numbers are ABI: add at the end, never renumber. */
typedef enum {
  BRINE_OK = 0,
  BRINE_E_NOMEM = 1,       /* allocation failed or the budget ran out */
  BRINE_E_TRUNCATED = 2,   /* input ended inside a structure */
  BRINE_E_MALFORMED = 3,   /* input breaks the format's rules */
  BRINE_E_LIMIT = 4,       /* input exceeds a limit (struct brine_limits) */
  BRINE_E_AMBIGUOUS = 5,   /* two readers could see two different things */
  BRINE_E_UNSUPPORTED = 6, /* valid, not handled */
  BRINE_E_POLICY = 7,      /* parsed fine, refused by policy */
  BRINE_E_BADSIG = 8,      /* a signature was checked and is not valid */
  BRINE_E_CRYPTO = 9,      /* libcrypto failed; says nothing of validity */
  BRINE_E_IO = 10,         /* reading or writing a file failed */
  BRINE_E_INVALID = 11,    /* bad argument or usage (caller's mistake) */
  BRINE_E_NOTFOUND = 12,   /* a named file, entry or key does not exist */
  BRINE_E_LAST             /* never returned */
} brine_result;

/* Static text for a result code; never NULL (unknown codes get a generic
   text). */
const char *brine_strerror(brine_result r);

/* Allocator hooks. malloc_fn, realloc_fn and free_fn must be set, or pass
   NULL for the C library's. calloc_fn may be NULL (malloc + memset is used
   then); a real one lets large zeroed tables stay unfaulted until used.
   ud is passed back unchanged. */
struct brine_allocator {
  void *(*malloc_fn)(void *ud, size_t n);
  void *(*realloc_fn)(void *ud, void *p, size_t n);
  void (*free_fn)(void *ud, void *p);
  void *ud;
  void *(*calloc_fn)(void *ud, size_t n);  /* n zeroed bytes; optional */
};

/* Detail of the last failure on a context. */
struct brine_errinfo {
  brine_result code;  /* BRINE_OK when nothing failed */
  uint64_t offset;    /* input offset where it was detected, or UINT64_MAX */
  int line;           /* source line in brine that detected it (debugging) */
  char message[256];  /* a sentence for people, NUL-terminated */
};

struct brine_ctx; /* opaque */

/* Create a context. lim may be NULL for brine_limits_default(); values above
   the compiled ceilings are lowered to them. alloc may be NULL.
   Returns an owned context (free with brine_ctx_free), or NULL when memory
   is exhausted. */
struct brine_ctx *brine_ctx_new(const struct brine_limits *lim,
                                const struct brine_allocator *alloc);
void brine_ctx_free(struct brine_ctx *ctx);

/* Borrowed; valid until the next call on ctx. */
const struct brine_errinfo *brine_last_error(const struct brine_ctx *ctx);

/* The limits in force (borrowed). */
const struct brine_limits *brine_ctx_limits(const struct brine_ctx *ctx);

/* Bytes currently allocated through ctx, and the peak. */
size_t brine_ctx_mem_used(const struct brine_ctx *ctx);
size_t brine_ctx_mem_peak(const struct brine_ctx *ctx);

/* Test hook: make the Nth allocation from now fail (0 disables). */
void brine_ctx_fail_alloc_after(struct brine_ctx *ctx, uint64_t n);

#ifdef __cplusplus
}
#endif
#endif
