/* The judge: the policy's sink for pickle-machine facts (see judge.c). */
#ifndef BRINE_POLICY_JUDGE_H
#define BRINE_POLICY_JUDGE_H

#include "../pickle/vm.h"
#include "../scan/scan_internal.h"

struct judge_global {
  bool seen;          /* named by the stream */
  bool invoked;       /* called, constructed, or a construct's class */
  uint64_t first_off;
};

struct judge {
  struct brine_ctx *ctx;
  const struct brine_policy *pol;
  struct brinei_findings *out;
  const char *member;
  int context;                   /* PCTX_* */
  struct pk_sink sink;
  struct judge_global *g;        /* per gid; owned */
  size_t ng, ng_cap;
  bool oom;
  bool args_unchecked;           /* an argument check hit tuple_keep */
  uint64_t globals_seen;
  uint64_t plausible_globals;    /* with an importable-looking module */
  /* set by the driver: scan bytes as a nested pickle and return its
     verdict (argument constraints), and report a literal that looks like
     a pickle */
  brine_verdict (*nested_fn)(struct judge *j, const uint8_t *p, size_t n,
                             uint64_t off, int context);
  void (*nested_candidate)(struct judge *j, const uint8_t *p, size_t n,
                           enum pk_nested_enc enc, uint64_t off);
  size_t (*inline_fn)(struct judge *j, size_t at);
  void *driver;                  /* the driver's state */
  struct brinei_pickle_facts *facts;  /* torch storages, or NULL */
  struct brinei_arena *arena;    /* for keys in facts */
};

void brinei_judge_init(struct judge *j, struct brine_ctx *ctx,
                       const struct brine_policy *pol,
                       struct brinei_findings *out, const char *member,
                       int context);
/* Judge the globals that were only referenced (end of input). */
void brinei_judge_finish(struct judge *j, struct pk_vm *vm);
void brinei_judge_free(struct judge *j);

#endif
