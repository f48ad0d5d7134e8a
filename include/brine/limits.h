/* Every hard limit brine applies to untrusted input, in one place.
 *
 * Each BRINE_MAX_* is a compiled ceiling (override with -D at build time, but
 * never above the #error bounds); struct brine_limits holds the values in
 * force, which callers may lower at run time (brine_limits_set, or the CLI's
 * --limit NAME=VALUE). Reaching a limit is BRINE_E_LIMIT and an `error`
 * verdict naming the limit: never "clean", never silently truncated.
 */
#ifndef BRINE_LIMITS_H
#define BRINE_LIMITS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Opcodes executed per pickle stream, nested pickles included. */
#ifndef BRINE_MAX_PICKLE_OPS
#define BRINE_MAX_PICKLE_OPS (1ull << 30)
#endif
/* Items on the symbolic pickle stack. */
#ifndef BRINE_MAX_PICKLE_STACK
#define BRINE_MAX_PICKLE_STACK (1ull << 24)
#endif
/* Open MARKs (the metastack). */
#ifndef BRINE_MAX_PICKLE_MARKS
#define BRINE_MAX_PICKLE_MARKS (1ull << 20)
#endif
/* Highest memo index, and number of memo entries. */
#ifndef BRINE_MAX_PICKLE_MEMO
#define BRINE_MAX_PICKLE_MEMO (1ull << 26)
#endif
/* Bytes of one string that must be decoded (protocol 0 escapes, base64/hex
   nested pickles); literal spans that need no decoding are not copied. */
#ifndef BRINE_MAX_STRING
#define BRINE_MAX_STRING (1ull << 31)
#endif
/* Elements kept per tuple for argument checks and summaries; longer tuples
   are summarised. */
#ifndef BRINE_MAX_TUPLE_KEEP
#define BRINE_MAX_TUPLE_KEEP (1ull << 16)
#endif
/* Depth of pickles nested inside literals of other pickles. */
#ifndef BRINE_MAX_NEST_DEPTH
#define BRINE_MAX_NEST_DEPTH 8
#endif
/* Total bytes of nested pickles examined per top-level input. */
#ifndef BRINE_MAX_NEST_BYTES
#define BRINE_MAX_NEST_BYTES (1ull << 32)
#endif
/* Pickle streams examined per input (stacked pickles, resynchronisation). */
#ifndef BRINE_MAX_STREAMS
#define BRINE_MAX_STREAMS (1ull << 20)
#endif
/* Distinct globals per input. */
#ifndef BRINE_MAX_GLOBALS
#define BRINE_MAX_GLOBALS (1ull << 20)
#endif
/* Findings kept per file; more are counted, not stored. */
#ifndef BRINE_MAX_FINDINGS
#define BRINE_MAX_FINDINGS (1ull << 20)
#endif
/* Bytes the context allocator may hold at once. */
#ifndef BRINE_MAX_MEMORY
#define BRINE_MAX_MEMORY (1ull << 36)
#endif
/* Bytes of one file read into memory when it cannot be mapped (pipes). */
#ifndef BRINE_MAX_READ
#define BRINE_MAX_READ (1ull << 34)
#endif
/* Depth of directories walked. */
#ifndef BRINE_MAX_DIR_DEPTH
#define BRINE_MAX_DIR_DEPTH 256
#endif

/* Depth of containers inside containers (zip in tar in gzip ...). */
#ifndef BRINE_MAX_CONTAINER_DEPTH
#define BRINE_MAX_CONTAINER_DEPTH 16
#endif
/* Bytes decompressed or extracted per top-level input, all members and
   nesting levels together. */
#ifndef BRINE_MAX_INFLATE_BYTES
#define BRINE_MAX_INFLATE_BYTES (1ull << 38)
#endif
/* Members examined per top-level input, at every nesting level. */
#ifndef BRINE_MAX_ENTRIES
#define BRINE_MAX_ENTRIES (1ull << 22)
#endif
/* Compression ratio (decompressed : compressed) one member may reach once
   it has produced more than BRINE_RATIO_FLOOR bytes. */
#ifndef BRINE_MAX_RATIO
#define BRINE_MAX_RATIO (1ull << 32)
#endif
#define BRINE_RATIO_FLOOR (1ull << 20)

#if BRINE_MAX_PICKLE_STACK > (1ull << 32) || BRINE_MAX_PICKLE_MEMO > (1ull << 32)
#error "pickle stack and memo ceilings must fit in 32 bits"
#endif

struct brine_limits {
  uint64_t pickle_ops;    /* opcodes per stream (each nested pickle too) */
  uint64_t pickle_stack;  /* symbolic stack items */
  uint64_t pickle_marks;  /* open MARKs */
  uint64_t pickle_memo;   /* highest memo index + 1, and entries */
  uint64_t string_bytes;  /* bytes of one decoded string */
  uint64_t tuple_keep;    /* tuple elements kept for argument checks */
  uint64_t nest_depth;    /* nested pickle depth */
  uint64_t nest_bytes;    /* nested pickle bytes per input */
  uint64_t streams;       /* pickle streams per input */
  uint64_t globals;       /* distinct globals per input */
  uint64_t findings;      /* findings stored per file */
  uint64_t memory;        /* allocator budget in bytes */
  uint64_t read_bytes;    /* bytes read when a file cannot be mapped */
  uint64_t dir_depth;     /* directory recursion depth */
  uint64_t container_depth; /* containers nested in containers */
  uint64_t inflate_bytes; /* decompressed/extracted bytes per input */
  uint64_t entries;       /* members examined per input */
  uint64_t ratio;         /* per-member compression ratio */
};

/* The defaults: the compiled ceilings, except pickle_marks (65536),
   container_depth (8), inflate_bytes (64 GiB), entries (65536) and ratio
   (1000); raise them up to their ceilings with brine_limits_set. */
struct brine_limits brine_limits_default(void);

/* Set one limit by name (the field names above), anywhere from 1 to its
   compiled ceiling. Fails with BRINE_E_NOTFOUND for an unknown name and
   BRINE_E_INVALID when value exceeds the ceiling or is 0. */
int brine_limits_set(struct brine_limits *lim, const char *name,
                     uint64_t value);

/* Name of the i-th limit (0-based) or NULL past the end; for help texts. */
const char *brine_limits_name(unsigned i);

#ifdef __cplusplus
}
#endif
#endif
