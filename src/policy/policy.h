/* Allowlist entries and the deny list, as the judge consults them. */
#ifndef BRINE_POLICY_POLICY_H
#define BRINE_POLICY_POLICY_H

#include "../internal.h"
#include "brine/scan.h"

#include <stdio.h>

/* value-type bits for argument constraints */
enum {
  AT_NONE = 1u << 0, AT_BOOL = 1u << 1, AT_INT = 1u << 2,
  AT_FLOAT = 1u << 3, AT_STR = 1u << 4, AT_BYTES = 1u << 5,
  AT_BYTEARRAY = 1u << 6, AT_TUPLE = 1u << 7, AT_LIST = 1u << 8,
  AT_DICT = 1u << 9, AT_SET = 1u << 10, AT_FROZENSET = 1u << 11,
  AT_PERSID = 1u << 12, AT_OBJECT = 1u << 13,
};

/* Nested-pickle contexts an argument may be required to scan safe in. */
enum { NEST_NONE = 0, NEST_PICKLE = 1, NEST_TORCH_LEGACY = 2 };

struct al_argcon {
  uint32_t index;          /* positional argument */
  uint32_t types;          /* AT_* bits; 0 = any */
  const char **values;     /* string literal must equal one; NULL = any */
  size_t nvalues;
  const char **globals;    /* must be a reference to one; NULL = any */
  size_t nglobals;
  brine_use allowed;       /* must be a global allowed for this use */
  int nested;              /* NEST_*: bytes must scan safe in context */
};

struct al_entry {
  const char *global;
  brine_use use;
  int has_args;
  uint32_t min_args, max_args;
  const struct al_argcon *cons;
  size_t ncons;
  const char *profile;
  const char *reason;
  const char *source;
  uint32_t next;           /* next entry for the same global, or UINT32_MAX */
};

struct brine_policy {
  struct brine_ctx *ctx;
  struct brinei_arena arena;     /* every string and array below */
  struct al_entry *entries;      /* owned */
  size_t nentries, entries_cap;
  uint32_t *tab;                 /* global -> first entry; owned */
  size_t tab_cap;
  const char **deny_mods;        /* sorted; arena */
  size_t ndeny_mods;
  const char **deny_names;       /* sorted; arena */
  size_t ndeny_names;
  const char **deny_except;      /* sorted; arena: reasoned exceptions */
  size_t ndeny_except;
};

/* First entry for a global, or NULL; follow ->next (index) for more. */
const struct al_entry *brinei_policy_find(const struct brine_policy *pol,
                                          const char *global, size_t n);
const struct al_entry *brinei_policy_next(const struct brine_policy *pol,
                                          const struct al_entry *e);

/* Building policies (the image tool and brine_policy_new). */
brine_result brinei_policy_empty(struct brine_ctx *ctx,
                                 struct brine_policy **out);
brine_result brinei_policy_add_denylist(struct brine_policy *pol,
                                        const char *data, size_t len,
                                        const char *origin);
brine_result brinei_policy_add_entry(struct brine_policy *pol,
                                     const struct al_entry *e);
/* The flat image of image.c: written at build time, mapped at run time. */
brine_result brinei_policy_write_image(const struct brine_policy *pol,
                                       FILE *out);
brine_result brinei_policy_load_image(struct brine_policy *pol,
                                      const uint8_t *p, size_t len);

/* Why a global is denied: the deny entry matched, or "dunder attribute";
   NULL when it is not denied. */
const char *brinei_policy_deny_reason(const struct brine_policy *pol,
                                      const char *global);

#endif
