/* Run-time limits: defaults, and lowering them by name. */
#include "../internal.h"

#include <strings.h>

static const char *const names[] = {
  "pickle_ops", "pickle_stack", "pickle_marks", "pickle_memo",
  "string_bytes", "tuple_keep", "nest_depth", "nest_bytes", "streams",
  "globals", "findings", "memory", "read_bytes", "dir_depth",
  "container_depth", "inflate_bytes", "entries", "ratio",
};

/* The compiled maxima: what a limit may be raised back up to. */
static struct brine_limits ceilings(void)
{
  struct brine_limits l;
  l.pickle_ops = BRINE_MAX_PICKLE_OPS;
  l.pickle_stack = BRINE_MAX_PICKLE_STACK;
  l.pickle_marks = BRINE_MAX_PICKLE_MARKS;
  l.pickle_memo = BRINE_MAX_PICKLE_MEMO;
  l.string_bytes = BRINE_MAX_STRING;
  l.tuple_keep = BRINE_MAX_TUPLE_KEEP;
  l.nest_depth = BRINE_MAX_NEST_DEPTH;
  l.nest_bytes = BRINE_MAX_NEST_BYTES;
  l.streams = BRINE_MAX_STREAMS;
  l.globals = BRINE_MAX_GLOBALS;
  l.findings = BRINE_MAX_FINDINGS;
  l.memory = BRINE_MAX_MEMORY;
  l.read_bytes = BRINE_MAX_READ;
  l.dir_depth = BRINE_MAX_DIR_DEPTH;
  l.container_depth = BRINE_MAX_CONTAINER_DEPTH;
  l.inflate_bytes = BRINE_MAX_INFLATE_BYTES;
  l.entries = BRINE_MAX_ENTRIES;
  l.ratio = BRINE_MAX_RATIO;
  return l;
}

struct brine_limits brine_limits_default(void)
{
  struct brine_limits l = ceilings();
  /* pickle writers nest MARKs as deep as the data (CPython's own pickler
     stops near the recursion limit, ~1000): far below this default */
  l.pickle_marks = 1u << 16;
  /* containers: deep enough for model.tar.gz!model.bin!data.pkl with
     room to spare. The ratio applies once a member has produced
     BRINE_RATIO_FLOOR (1 MiB): bombs expand far beyond 1000:1; real
     members that compress better (large all-zero buffers) need
     --limit ratio=N */
  l.container_depth = 8;
  l.inflate_bytes = 1ull << 36;
  l.entries = 1u << 16;
  l.ratio = 1000;
  return l;
}

struct brine_limits brinei_limits_ceiling(void)
{
  return ceilings();
}

_Static_assert(sizeof(struct brine_limits) ==
                   BRINE_ARRAY_LEN(names) * sizeof(uint64_t),
               "limit names and fields must match");

int brine_limits_set(struct brine_limits *lim, const char *name,
                     uint64_t value)
{
  struct brine_limits ceil = ceilings();
  uint64_t *f = (uint64_t *)lim;
  const uint64_t *c = (const uint64_t *)&ceil;
  for(size_t i = 0; i < BRINE_ARRAY_LEN(names); i++) {
    if(strcasecmp(names[i], name))
      continue;
    if(!value || value > c[i])
      return BRINE_E_INVALID;
    f[i] = value;
    return BRINE_OK;
  }
  return BRINE_E_NOTFOUND;
}

const char *brine_limits_name(unsigned i)
{
  return i < BRINE_ARRAY_LEN(names) ? names[i] : NULL;
}
