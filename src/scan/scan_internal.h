/* Internals shared by the scan session, the pickle analysis and the judge. */
#ifndef BRINE_SCAN_INTERNAL_H
#define BRINE_SCAN_INTERNAL_H

#include "../internal.h"
#include "../policy/policy.h"
#include "../policy/rules.h"
#include "brine/scan.h"

/* Findings of one file under construction. Strings live in `arena`. */
struct brinei_findings {
  struct brine_ctx *ctx;
  struct brinei_arena *arena;
  struct brine_finding *v;         /* owned */
  size_t n, cap;
  struct brine_member_report *members;  /* owned */
  size_t nmembers, mcap;
  uint64_t dropped;
  bool lost;             /* a finding was lost to a limit or to memory:
                            the verdict is at least `error` */
};

void brinei_finding_add(struct brinei_findings *f, enum brinei_rule r,
                        uint64_t off, const char *member, const char *global,
                        brine_use use, const char *fmt, ...)
    BRINE_PRINTF(7, 8);

/* The same, escalated to severity critical and verdict unsafe when
   `escalate` (a container anomaly that involves a pickle). */
void brinei_finding_add_esc(struct brinei_findings *f, enum brinei_rule r,
                            bool escalate, uint64_t off, const char *member,
                            const char *fmt, ...) BRINE_PRINTF(6, 7);

/* Worst verdict implied by findings [from, f->n). */
brine_verdict brinei_findings_verdict(const struct brinei_findings *f,
                                      size_t from, brine_verdict floor);

struct brine_ctx *brinei_scan_ctx(const struct brine_scan *s);


/* How a pickle is being loaded: decides what persistent ids mean. */
enum { PCTX_PLAIN = 0, PCTX_TORCH_ZIP = 1, PCTX_TORCH_LEGACY = 2,
       PCTX_TORCHSCRIPT = 3 };

/* A storage a PyTorch pickle refers to through its persistent ids, and the
   most elements its tensors reach into it. */
struct brinei_torch_storage {
  const char *key;        /* record key (arena string) */
  const char *type;       /* storage class, "torch.FloatStorage" */
  uint64_t numel;         /* as the persistent id says */
  uint64_t id;            /* object id of the persistent_load result */
  uint64_t need;          /* elements the tensors need (0: none seen) */
  uint64_t need_off;      /* where the widest tensor is rebuilt */
};

/* What analysing a pickle found out beyond findings. */
struct brinei_pickle_facts {
  bool joblib;            /* joblib's NumpyArrayWrapper appears */
  struct brinei_torch_storage *st;  /* torch contexts; owned (ctx) */
  size_t nst, cap;
  bool st_lost;           /* a storage could not be recorded (memory) */
  size_t end;             /* where the last complete stream ended */
  uint64_t streams;       /* complete streams */
};
void brinei_pickle_facts_free(struct brine_ctx *ctx,
                              struct brinei_pickle_facts *pf);

struct brinei_pickle_job {
  const struct brine_policy *pol;
  const char *member;        /* member path for findings ("" for the file) */
  int context;               /* PCTX_* */
  unsigned depth;            /* nesting depth of this pickle */
  uint64_t *nest_budget;     /* bytes of nested pickles left */
  struct brinei_map *map;    /* to release pages while streaming, or NULL */
  bool probe;                /* only accept it as a pickle if it looks
                                like one (see is_pickle) */
  size_t start;              /* where the first stream starts (offsets
                                count from data, not from here) */
  size_t *first_end;         /* if set: analyse one stream only and store
                                where it ended (SIZE_MAX: no STOP) */
  struct brinei_pickle_facts *facts;  /* if set: filled in */
  struct brinei_arena *arena; /* for strings in facts */
};

/* Format recognition for a first stream (text files are not pickles):
   it completed, reported facts (globals, findings), starts with PROTO,
   runs from an opcode to a STOP byte, or decoded a few opcodes. */
bool brinei_pickle_recognised(const uint8_t *d, size_t len, bool complete,
                              uint64_t ops, bool facts);
/* Next offset >= from where a pickle stream could start, or SIZE_MAX. */
size_t brinei_pickle_next_start(const uint8_t *d, size_t len, size_t from);

/* Analyse every pickle stream in data with the policy, appending findings.
   *is_pickle tells whether the bytes were recognised as pickle at all
   (probe mode). Returns the member's verdict. */
brine_verdict brinei_pickle_analyze(struct brine_ctx *ctx,
                                    const struct brinei_pickle_job *job,
                                    const uint8_t *data, size_t len,
                                    struct brinei_findings *f,
                                    bool *is_pickle);

#endif
