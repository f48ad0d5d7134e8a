/* The walker (walk.c, walk_zip.c, torch.c): one input examined by
 * content, containers descended within the budgets. */
#ifndef BRINE_SCAN_WALK_H
#define BRINE_SCAN_WALK_H

#include "scan_internal.h"
#include "../formats/formats.h"


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
};

void brinei_walk_init(struct brinei_walk *w, struct brine_ctx *ctx,
                      const struct brine_policy *pol,
                      struct brinei_findings *f, unsigned flags);
/* Examine a whole input; *format gets its contract.md §5 name. */
brine_verdict brinei_walk_top(struct brinei_walk *w, const uint8_t *d,
                              size_t len, const char **format);

/* What a container knows about one of its members beyond its bytes. */
struct brinei_member_hint {
  int context;                     /* PCTX_*: read it as that pickle */
  struct brinei_pickle_facts *facts;  /* receives the pickle's facts */
  enum brinei_fmt check;           /* F_KERAS: a Keras config.json;
                                      F_SKOPS: a skops schema.json */
};

/* Examine a member `name` of the container `parent` (member path), with
   its own member report; hint may be NULL. *pickled: a pickle was found
   in it (at any depth). */
brine_verdict brinei_walk_member(struct brinei_walk *w, const char *parent,
                                 const char *name, const uint8_t *d,
                                 size_t len, unsigned depth,
                                 const struct brinei_member_hint *hint,
                                 bool *pickled, enum brinei_fmt *fmt);

/* Report `len - at` bytes after a format's end (FMT004, `what` names the
   end) and offer them from `from` on to the pickle probe. */
void brinei_walk_trailing(struct brinei_walk *w, const char *member,
                          const uint8_t *d, size_t len, size_t at,
                          size_t from, const char *what);

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
