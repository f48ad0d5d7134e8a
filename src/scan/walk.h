/* The walker (walk.c, walk_zip.c, torch.c): one input examined by
 * content, containers descended within the budgets. */
#ifndef BRINE_SCAN_WALK_H
#define BRINE_SCAN_WALK_H

#include "scan_internal.h"
#include "../formats/formats.h"

#define BUDGET_BIT_READ (1u << 8)

struct brinei_walk {
  struct brine_ctx *ctx;
  const struct brine_policy *pol;
  struct brinei_findings *f;
  struct brinei_map *map;     /* the top-level mapping, or NULL */
  const char *dir;            /* directory of the file on disk, or NULL */
  unsigned flags;             /* BRINE_SCAN_* */
  uint64_t inflate_left;      /* limit inflate_bytes, counting down */
  uint64_t entries;           /* members examined */
  uint64_t nest_budget;       /* limit nest_bytes, counting down */
  uint64_t pickles;           /* pickles recognised so far */
  unsigned budget_told;       /* budgets already reported */
  /* for the next member only (set by a container that knows more) */
  int hint_context;           /* PCTX_* for its pickle */
  struct brinei_pickle_facts *hint_facts;
  enum brinei_fmt hint_check; /* F_KERAS: a Keras config.json;
                                 F_SKOPS: a skops schema.json */
};

void brinei_walk_init(struct brinei_walk *w, struct brine_ctx *ctx,
                      const struct brine_policy *pol,
                      struct brinei_findings *f, unsigned flags);
/* Examine a whole input; *format gets its contract.md §5 name. */
brine_verdict brinei_walk_top(struct brinei_walk *w, const uint8_t *d,
                              size_t len, const char **format);

/* Examine a member `name` of the container `parent` (member path), with
   its own member report. *pickled: a pickle was found in it (at any
   depth). */
brine_verdict brinei_walk_member(struct brinei_walk *w, const char *parent,
                                 const char *name, const uint8_t *d,
                                 size_t len, unsigned depth, bool *pickled,
                                 enum brinei_fmt *fmt);

/* Analyse bytes as pickle streams in a loader context (PCTX_*); probe:
   only if they look like a pickle. pf (optional) receives the facts.
   *fmt: pickle, joblib, pytorch-legacy or unrecognized. */
brine_verdict brinei_walk_pickle(struct brinei_walk *w, const char *member,
                                 const uint8_t *d, size_t len, int context,
                                 bool probe, struct brinei_pickle_facts *pf,
                                 enum brinei_fmt *fmt);

/* A reader's failure as a finding on member: limits are budgets
   (FMT002), unsupported methods FMT003, the rest malformed (FMT001). */
void brinei_walk_failure(struct brinei_walk *w, brine_result rc,
                         const char *member, const char *what);

/* Charge n bytes to the decompression budget; false (and a finding) when
   it is spent. */
bool brinei_walk_charge(struct brinei_walk *w, const char *member,
                        uint64_t n);

/* ZIP archives and their flavours (walk_zip.c). */
brine_verdict brinei_walk_zip(struct brinei_walk *w, const char *member,
                              const uint8_t *d, size_t len, unsigned depth,
                              enum brinei_fmt *fmt);

/* PyTorch storages (torch.c). */
/* Bytes per element of a storage class ("torch.FloatStorage"), 0 if
   unknown. */
unsigned brinei_torch_elem_size(const char *type);
/* Check a legacy file's storage region after its five pickles; returns the
   verdict with the findings added. */
brine_verdict brinei_torch_legacy_storages(struct brinei_walk *w,
                                           const char *member,
                                           const uint8_t *d, size_t len,
                                           const struct brinei_pickle_facts *pf,
                                           brine_verdict v);

#endif
